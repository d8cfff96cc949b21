# Two-pass threshold calibration as a series: the shipped n=100 spec on the
# built-in sim-monitor against its golden; a second invocation skips both
# passes; a new target recall re-runs pass 2 only; the archive replays
# identically. Then a real monitor (a command printing one JSON line per
# sample: dotted score field, labels by --positive value) with one sample
# that fails and one whose line has no score; two monitors compared, paired
# and unpaired; and spec errors.
T_MASK='s/^elapsed     [0-9.]+ s/elapsed     N s/; s/identical in [0-9.]+ s/identical in N s/; s/-[0-9]{8}T[0-9]{6}Z-/-UTC-/g'
t harness run experiments/threshold/threshold-n100.yaml
t harness run experiments/threshold/threshold-n100.yaml
t head -3 runs/threshold-n100/scores/scores.jsonl
t head -3 runs/threshold-n100/scores/scores.csv
t ls runs/threshold-n100/threshold
sed 's/target_recall: 0.9/target_recall: 0.8/; s/^experiment: threshold-n100/experiment: recall80/' \
	experiments/threshold/threshold-n100.yaml > recall80.yaml
harness run recall80.yaml --no-archive > /dev/null 2>&1
sed -i 's/target_recall: 0.8/target_recall: 0.7/' recall80.yaml
t harness run recall80.yaml --no-archive
cp "$(ls runs/threshold-n100-*.tar.zst | tail -1)" last.tar.zst
t harness replay last.tar.zst --workers 1

# a real monitor: score = sample mod 7 plus a half, every third sample
# "halluc"; sample 5 fails, sample 8 prints a string score
cat > monitor.yaml <<'YAML'
experiment: monitor
seed: 3
engine:
  kind: command
  command:
    - sh
    - -c
    - |
      s={sample}
      [ "$s" = 5 ] && { echo "model crashed" >&2; exit 3; }
      [ "$s" = 8 ] && { echo '{"out": {"s": "high"}, "y": "ok"}'; exit 0; }
      l=ok; [ $((s % 3)) = 0 ] && l=halluc
      echo "generating..."
      echo "{\"out\": {\"s\": $((s % 7)).5}, \"y\": \"$l\"}"
steps:
  scores: {kind: scores, samples: 12, score: out.s, label: y, positive: halluc}
  threshold: {kind: threshold, needs: [scores], quantiles: "0.5:0.9:3"}
YAML
t harness run monitor.yaml --no-archive
t cat runs/monitor/scores/scores.jsonl

# two monitors on the same samples (the n=100 spec, positives shifted less:
# the same experiment and seed, so the same samples and labels): paired;
# then against the n=10 spec: unpaired
sed 's/mean: 2.5/mean: 2.3/' experiments/threshold/threshold-n100.yaml > weaker.yaml
harness run weaker.yaml --out runs/weaker --no-archive > /dev/null 2>&1
t harness compare runs/threshold-n100 runs/weaker/scores
t harness compare runs/threshold-n100/scores/scores.jsonl runs/weaker --json
harness run experiments/threshold/threshold-n10.yaml --no-archive > /dev/null 2>&1
t harness compare runs/threshold-n10 runs/threshold-n100
t harness compare runs/threshold-n10 experiments/smoke.yaml

cat > bad.yaml <<'YAML'
experiment: bad
seed: 1
steps:
  runs: {kind: runs, profiles: [balanced]}
YAML
t harness run bad.yaml
cat > bad.yaml <<'YAML'
experiment: bad
seed: 1
steps:
  scores: {kind: scores, samples: 1}
  threshold: {kind: threshold, needs: [scores]}
YAML
t harness run bad.yaml --no-archive
