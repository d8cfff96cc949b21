#!/usr/bin/env python3
"""bench/gen_scores.py - seeded data for bench/threshold.sh.

  gen_scores.py scores OUT N SEED   N lines of JSONL, one scored sample each,
                                    as a Python monitor writes them
                                    (json.dumps: {"score": 2.73..., "label": true})
  gen_scores.py tokens OUT N SEED   N samples of per-token values for the
                                    two-pass / naive comparison, binary:
                                    int64 n, uint8 label[n], uint8 ntok[n],
                                    float64 value[n][20] (unused slots 0)

The monitor's model: a sample's score is the mean of its 5 largest per-token
values (max_tokens 20, a generation may stop after 5 to 20 tokens); token
values are lognormal, a little larger for positives (hallucinations, 45%
of the samples). The score file draws scores straight from a normal mixture
of the same shape (10^7 samples of 20 tokens would not fit in a small
machine's memory as numpy arrays); its values are written with repr(), as
json.dumps does, so they read back exactly.
"""
import sys

import numpy as np

MAX_TOKENS = 20
POSITIVE_RATE = 0.45


def scores(out, n, seed):
    rng = np.random.default_rng(seed)
    label = rng.random(n) < POSITIVE_RATE
    score = np.where(label, rng.normal(3.0, 0.5, n), rng.normal(2.5, 0.5, n))
    chunk = 1 << 20
    with open(out, "w", encoding="ascii") as f:
        for lo in range(0, n, chunk):
            s = score[lo:lo + chunk].tolist()
            y = label[lo:lo + chunk].tolist()
            f.write("".join('{"score": %r, "label": %s}\n' % (a, "true" if b else "false")
                            for a, b in zip(s, y)))


def tokens(out, n, seed):
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < POSITIVE_RATE).astype(np.uint8)
    ntok = rng.integers(5, MAX_TOKENS + 1, n).astype(np.uint8)
    mu = np.where(label == 1, 0.25, 0.0)[:, None]
    values = rng.lognormal(mu, 0.5, (n, MAX_TOKENS))
    values[np.arange(MAX_TOKENS)[None, :] >= ntok[:, None]] = 0.0
    with open(out, "wb") as f:
        np.array([n], dtype=np.int64).tofile(f)
        label.tofile(f)
        ntok.tofile(f)
        values.astype(np.float64).tofile(f)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("scores", "tokens"):
        sys.exit("usage: gen_scores.py scores|tokens OUT N SEED")
    kind, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    (scores if kind == "scores" else tokens)(out, n, seed)


if __name__ == "__main__":
    main()
