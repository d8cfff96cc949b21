# The calibration smoke test plan (shared seeds), Phase 4 and 5, on the
# simulator: the plan's own command, then its own validation script, run
# with PyYAML's safe_load on harness's export. The export's directory does
# not exist beforehand: harness makes it. noise_config.yaml of this one-tier
# calibration is a complete configuration: every tier, global and slices.
cat > calibration_modules_smoke.txt <<'LIST'
# smoke-test modules
Mathlib.Data.Nat.Basic
Mathlib.Data.List.Basic
Mathlib.Algebra.Group.Basic
Mathlib.Order.Basic
Mathlib.Logic.Basic
LIST
t harness calibrate --tiers BALANCED --n 100 --modules calibration_modules_smoke.txt --workers 4 --seed 42 --export artifacts/calibration_smoke_test.yaml
cat > phase5.py <<'PY'
import yaml
from pathlib import Path

with open('artifacts/calibration_smoke_test.yaml') as f:
    data = yaml.safe_load(f)

# Validate structure
assert 'calibration_metadata' in data
assert 'calibrated_models' in data
assert 'BALANCED' in data['calibrated_models']

model = data['calibrated_models']['BALANCED']
assert 'timeout_rate' in model
assert 'fail_rate' in model
assert 'success_rate' in model
assert 'n_samples' in model

print('✓ YAML structure valid')
print(f'  Timeout rate: {model["timeout_rate"]:.3f}')
print(f'  Fail rate: {model["fail_rate"]:.3f}')
print(f'  Success rate: {model["success_rate"]:.3f}')
print(f'  Samples: {model["n_samples"]}')

# "Sample count matches expected (100)", and the intervals are pairs
assert model['n_samples'] == 100
for k in ('timeout_rate_ci', 'fail_rate_ci'):
    lo, hi = model[k]
    assert 0 <= lo <= model[k[:-3]] <= hi <= 1, k
assert model['timeout_rate'] + model['fail_rate'] + model['success_rate'] <= 1
PY
t python3 phase5.py
cat > noise.py <<'PY'
import yaml
with open('calibration_output/noise_config.yaml') as f:
    cfg = yaml.safe_load(f)
print(sorted(cfg['tiers']), cfg['global']['default_tier'], sorted(cfg['slices']), sorted(cfg['test_slices']))
PY
t python3 noise.py
t sh -c "grep '# ' calibration_output/noise_config.yaml | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/DATE/'"
