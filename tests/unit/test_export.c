/* test_export.c - calibration.yaml reads back with the same numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "ydoc.h"

static const hx_ynode *at(const hx_ynode *n, const char *a, const char *b)
{
	const hx_ynode *x = hx_ynode_get(n, a);
	return b ? hx_ynode_get(x, b) : x;
}

static void test_round_trip(void **state)
{
	char path[] = "/tmp/hx_test_export_XXXXXX";
	hx_run_result r;
	hx_ydoc *doc = NULL;
	const hx_ynode *bal;
	double v;
	uint64_t seed;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);

	hx_run_result_init(&r);
	r.experiment = "smoke";
	r.spec_path = "experiments/smoke: 'quoted'.yaml";
	r.seed = 18446744073709551615ULL;
	r.engine_kind = "sim-verifier";
	r.engine_version = "sim-verifier/1";
	r.tasks = 100;
	strcpy(r.hash, "xxh3-128:00000000000000000000000000000001");
	r.ntiers = 1;
	r.tiers[0].tier = HX_TIER_BALANCED;
	r.tiers[0].n = 100;
	r.tiers[0].counts[HX_OUT_VERIFIED] = 75;
	r.tiers[0].counts[HX_OUT_PROOF_INVALID] = 17;
	r.tiers[0].counts[HX_OUT_VERIFIER_TIMEOUT] = 8;
	r.tiers[0].timeout_rate = 0.08;
	r.tiers[0].timeout_lo = 0.04109346148438063;
	r.tiers[0].timeout_hi = 0.14998107700948732;
	r.tiers[0].fail_rate = 0.17;

	assert_int_equal(hx_export_calibration(path, &r, "2026-11-22T10:00:00Z"), 0);
	assert_int_equal(hx_ydoc_load(&doc, path), 0);
	assert_int_equal(hx_ydoc_u64(doc, at(doc->root, "calibration_metadata", "seed"), "seed", &seed), 0);
	assert_true(seed == 18446744073709551615ULL);
	assert_string_equal(at(doc->root, "calibration_metadata", "spec")->scalar, r.spec_path);
	assert_string_equal(at(doc->root, "calibration_metadata", "snapshot_hash")->scalar, r.hash);
	bal = at(doc->root, "noise_models", "balanced");
	assert_non_null(bal);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(bal, "timeout_rate"), "r", 0, 1, &v), 0);
	assert_true(v == 0.08);
	assert_int_equal(hx_ynode_get(bal, "timeout_rate_ci")->n, 2);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(bal, "timeout_rate_ci")->items[0], "lo", 0, 1, &v), 0);
	assert_true(v == 0.04109346148438063); /* shortest round-trip: exact */
	assert_string_equal(at(bal, "outcome_counts", "verifier_timeout")->scalar, "8");
	assert_string_equal(hx_ynode_get(bal, "n_samples")->scalar, "100");

	hx_ydoc_free(doc);
	/* the strings belong to the test, not the result */
	memset(&r, 0, sizeof(r));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
