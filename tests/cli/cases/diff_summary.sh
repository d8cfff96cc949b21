# The aggregate diff on issue 9's scenario: `full` with BALANCED
# timeout_rate raised from 0.05 to 0.15, against a golden of the unchanged
# full. A smaller full (2000 samples on each of the three tiers, of 1500
# modules: as in full, modules repeat) keeps the case fast; both specs
# name experiment `full` and live outside
# experiments/ (there, two specs naming one experiment are an error).
#
# The pinned counts follow the simulator; what must hold whatever it does is
# checked by construction: the transitions and rates the diff prints equal
# the ones counted here from the two snapshots with sed, paste and awk, and
# keyed matching (--key tier,module_name, where modules repeat) pairs the
# same records as matching by position does on two runs of one plan.
mkdir small
sed -e 's/^samples: 10000$/samples: 2000/' -e 's/modules: 5000}/modules: 1500}/' \
	-e 's#^models: #models: ../experiments/#' \
	experiments/full.yaml > small/full.yaml
sed -e 's#^models: .*#models: timeouts.yaml#' small/full.yaml > small/full-timeouts.yaml
sed '/^  balanced:/,/timeout_rate:/ s/timeout_rate: 0\.05 /timeout_rate: 0.15 /' \
	experiments/models/verifier_noise_phase2.yaml > small/timeouts.yaml
t sh -c 'diff experiments/models/verifier_noise_phase2.yaml small/timeouts.yaml | grep "^>"'

rm -rf golden
harness run small/full.yaml --out a --workers 2 --no-archive >/dev/null 2>&1
t harness golden accept full
t harness run small/full-timeouts.yaml --out b --workers 2 --no-archive

t harness diff golden/full snapshots/full --max 4

# By construction: "tier outcome" of every record, A and B side by side.
pairs() {
	sed -E 's/.*"outcome":"([a-z_]+)".*"tier":"([a-z]+)".*/\2 \1/' "$1"
}
pairs golden/full/telemetry.jsonl > a.txt
pairs snapshots/full/telemetry.jsonl > b.txt
paste -d' ' a.txt b.txt | awk '$2 != $4 { n[$1 " " $2 " " $4]++ }
	END { for (k in n) print k, n[k] }' | sort > transitions.want
harness diff golden/full snapshots/full --max 0 | sed -n '/^outcome transitions/,/^outcome rates/p' |
	awk 'NF == 5 && $3 == "->" { print $1, $2, $4, $5 }' | sort > transitions.got
t test -s transitions.want
t cmp transitions.want transitions.got
# the rates' counts: "tier outcome A-count B-count" for the tiers shown
harness diff golden/full snapshots/full --max 0 | sed -n '/^outcome rates/,/^paths/p' |
	awk 'NF == 10 { sub(/\(/, "", $6); print $1, $2, $6, $8 }' | sort > rates.got
paste -d' ' a.txt b.txt | awk '{ a[$1 " " $2]++; b[$3 " " $4]++; k[$1 " " $2]; k[$3 " " $4] }
	END { for (x in k) print x, a[x] + 0, b[x] + 0 }' | sort |
	grep -E "^($(cut -d' ' -f1 rates.got | sort -u | paste -sd'|')) " > rates.want
t test -s rates.want
t cmp rates.want rates.got
# the README's --key tier,module_name on full: modules repeat, and the n-th
# occurrence pairs with the n-th, so the summary is the positional one
harness diff golden/full snapshots/full --max 0 | sed -n '/^outcome/,/^paths/p' > positional.txt
t sh -c 'harness diff golden/full snapshots/full --key tier,module_name --max 0 > keyed.out'
sed -n '/^outcome/,/^paths/p' keyed.out > keyed.txt
t cmp positional.txt keyed.txt
t sh -c "harness diff golden/full snapshots/full --key tier,module_name | grep -m 2 ' #[0-9]'"

# --all-paths lists what is folded; --json carries the summary.
t sh -c 'harness diff golden/full snapshots/full --max 3 --all-paths | tail -4'
t sh -c 'harness diff golden/full snapshots/full --max 1 --json | grep -o "\"outcomes\":{\"tiers\":\[{\"tier\":\"fast\",[^]]*\]"'
