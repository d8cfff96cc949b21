# report.html of an experiment series: a small sweep of two parameters on
# two profiles, condensed, summarised and aligned. The report's figures
# (heatmaps per profile, final PnL and drawdown per profile, each tier's
# metrics against its budgets) render and are not blank; a second
# invocation, every step up to date, writes the same bytes; the archive
# keeps the report; --force says so in the steps table; a golden accepted
# since shows in the report of the next invocation.
mkdir -p experiments/small
cat > experiments/small/sweep.yaml <<'YAML'
experiment: small-sweep
description: "a 2 x 2 sweep on two profiles"
seed: 5
engine:
  kind: command
  command: [ticksim, --ticks, "{ticks}", --profile, "{profile}", --seed, "{seed}"]
  env:
    PARAPHINA_TELEMETRY_MODE: jsonl
    PARAPHINA_TELEMETRY_PATH: "{telemetry_path}"
    TICKSIM_QUIET: "1"
workers: 2
steps:
  sweep:
    kind: runs
    profiles: [conservative, aggressive]
    grid:
      hedge_band_base: [5, 40]
      mm_size_eta: [2, 8]
    repeats: 2
    vars: {ticks: 300}
    env:
      PARAPHINA_HEDGE_BAND_BASE: "{hedge_band_base}"
      PARAPHINA_MM_SIZE_ETA: "{mm_size_eta}"
  dataset: {kind: condense, needs: [sweep]}
  summary: {kind: summary, needs: [dataset], top: 3}
  align: {kind: align, needs: [dataset]}
YAML
harness run experiments/small/sweep.yaml > first.txt 2>&1
echo "[exit $?]"
t grep -E '^(step|golden) ' first.txt
t ls runs/small-sweep runs/small-sweep/figures
t cat runs/small-sweep/last_change.txt
t sh fixtures/svg_nonblank.sh runs/small-sweep/figures/*.svg
t grep -o -E 'id="fig-[^"]*"|No figures: [^<]*|Steps without figures: [^<]*' runs/small-sweep/report.html
# no script; the only links are the figures' own files (the SVGs'
# http:// are XML namespaces, not fetched)
t grep -c '<script' runs/small-sweep/report.html
t sh -c "grep -o -E '(src|href)=\"[^\"]*\"' runs/small-sweep/report.html | sort -u"
cp -r runs/small-sweep/figures first-figures
cp runs/small-sweep/report.html first.html
# every step up to date: the same bytes
harness run experiments/small/sweep.yaml > second.txt 2>&1
echo "[exit $?]"
t grep -E '^step ' second.txt
t cmp first.html runs/small-sweep/report.html
t diff -r first-figures runs/small-sweep/figures
# the archive of the first invocation holds the report
t sh -c 'harness archive show runs/small-sweep-*.tar.zst | grep -E "report.html|last_change|figures/" | cut -c3- | cut -d" " -f1'
# forced: the steps table says so
harness run experiments/small/sweep.yaml --force > /dev/null 2>&1
t grep -o -E '<td>ran \([a-z ]*\)</td>' runs/small-sweep/report.html
# a golden accepted since: the verdicts in the report follow
harness golden accept small-sweep > /dev/null 2>&1
harness run experiments/small/sweep.yaml > /dev/null 2>&1
t grep -o -E 'badge [a-z]*">[a-z]*' runs/small-sweep/report.html
