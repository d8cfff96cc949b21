# The calibrate_noise command line: a spec built from flags.
t harness calibrate --tiers FAST SLOW --n 3 --seed 9 --dry-run
t harness calibrate --tiers BALANCED --n 200 --export cal.yaml --workers 2 --seed 9
t ls calibration_output
t cat calibration_output/spec.yaml
t harness calibrate --tiers MEDIUM --n 3 --export x.yaml
t harness calibrate --tiers FAST --export x.yaml
t harness calibrate --tiers FAST --n 3
t harness calibrate --tiers FAST --n 3 --export x.yaml --modules nosuch.txt
