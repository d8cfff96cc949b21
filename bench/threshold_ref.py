#!/usr/bin/env python3
"""bench/threshold_ref.py - scikit-learn's side of bench/threshold.sh.

  threshold_ref.py FILE RUNS

Loads FILE (JSONL, {"score": x, "label": true|false} a line; json.loads per
line, then numpy arrays), then times RUNS times the three calls a Python
calibration makes on the scores: roc_auc_score, average_precision_score
and precision_recall_curve. Prints, one "key=value" a line: the loading
time, each run's time of the three calls together, the mean, and AUROC
and AP (repr) for the comparison with harness, and the thread pools
threadpoolctl finds (BLAS among them when it is OpenBLAS or MKL; the
metrics barely use it: sorts and cumulative sums).
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    t0 = time.perf_counter()
    scores, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                scores.append(rec["score"])
                labels.append(rec["label"])
    y = np.array(labels, dtype=bool)
    s = np.array(scores, dtype=np.float64)
    del scores, labels
    print("load_seconds=%.3f" % (time.perf_counter() - t0))
    try:
        from threadpoolctl import threadpool_info
        print("threadpools=%s" % (",".join("%s(%s, %s threads)" % (i.get("prefix"), i.get("internal_api"),
                                                              i.get("num_threads"))
                                          for i in threadpool_info()) or "none"))
    except ImportError:
        pass
    print("samples=%d" % len(s))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        auroc = roc_auc_score(y, s)
        ap = average_precision_score(y, s)
        precision_recall_curve(y, s)
        times.append(time.perf_counter() - t0)
        print("run_seconds=%.3f" % times[-1])
    print("mean_seconds=%.6f" % (sum(times) / len(times)))
    print("auroc=%r" % auroc)
    print("ap=%r" % ap)


if __name__ == "__main__":
    main()
