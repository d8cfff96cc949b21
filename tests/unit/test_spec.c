/* test_spec.c - experiment specs and canonical profiles: the shipped specs,
 * defaults, and every located error a user can meet. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "spec.h"
#include "telemetry.h"

#define MODELS HX_SOURCE_DIR "/experiments/models/verifier_noise_phase2.yaml"
#define SPEC_DIR HX_FIXTURES "/spec"

/* A valid spec, one line per key, for error tests to vary. */
#define L_EXPERIMENT "experiment: t\n"
#define L_SEED "seed: 1\n"
#define L_ENGINE "engine: {kind: sim-verifier}\n"
#define L_MODELS "models: " MODELS "\n"
#define L_TIERS "tiers: {BALANCED: }\n"
#define L_SAMPLES "samples: 10\n"
#define BASE L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES

static char tmpdir[64];
static char tmpspec[96];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hx-test-spec-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(tmpspec, sizeof(tmpspec), "%s/s.yaml", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(tmpspec);
	rmdir(tmpdir);
	return 0;
}

static void write_spec(const char *text)
{
	FILE *fp = fopen(tmpspec, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Load `text` as a spec and expect code rc and "<tmp path>:<suffix>". */
static void expect_error_rc(const char *text, int rc, const char *suffix)
{
	hx_spec *s = (hx_spec *)1;
	char want[1024];

	write_spec(text);
	assert_int_equal(hx_spec_load(&s, tmpspec), rc);
	assert_null(s);
	snprintf(want, sizeof(want), "%s:%s", tmpspec, suffix);
	assert_string_equal(hx_error_last(), want);
}

static void expect_error(const char *text, const char *suffix)
{
	expect_error_rc(text, HX_EINVALID, suffix);
}

/* Like expect_error_rc, for messages whose tail holds a temp path. */
static void expect_error_prefix_rc(const char *text, int rc, const char *prefix)
{
	hx_spec *s = NULL;
	char want[1024];
	write_spec(text);
	assert_int_equal(hx_spec_load(&s, tmpspec), rc);
	snprintf(want, sizeof(want), "%s:%s", tmpspec, prefix);
	if (strncmp(hx_error_last(), want, strlen(want)) != 0)
		fail_msg("'%s' does not start with '%s'", hx_error_last(), want);
}

static void expect_error_prefix(const char *text, const char *prefix)
{
	expect_error_prefix_rc(text, HX_EINVALID, prefix);
}

static hx_spec *load_ok(const char *text)
{
	hx_spec *s = NULL;
	write_spec(text);
	if (hx_spec_load(&s, tmpspec) != 0)
		fail_msg("%s", hx_error_last());
	return s;
}

#define L_REAL_TIERS "tiers: {FAST: , SLOW: {timeout_s: 5}}\n"

static void test_real_engine_defaults(void **state)
{
	hx_spec *s;
	char want[256];
	(void)state;

	/* lean: lake env lean [--json] [args] {module_path}; lean --version */
	s = load_ok(L_EXPERIMENT L_SEED "engine: {kind: lean, json: true, args: [-DmaxHeartbeats=400000]}\n"
		    L_REAL_TIERS L_SAMPLES);
	assert_string_equal(s->engine_kind, "lean");
	assert_string_equal(s->engine.command[0], "lake");
	assert_string_equal(s->engine.command[1], "env");
	assert_string_equal(s->engine.command[2], "lean");
	assert_string_equal(s->engine.command[3], "--json");
	assert_string_equal(s->engine.command[4], "-DmaxHeartbeats=400000");
	assert_string_equal(s->engine.command[5], "{module_path}");
	assert_null(s->engine.command[6]);
	assert_string_equal(s->engine.version_command[0], "lean");
	assert_string_equal(s->engine.version_command[1], "--version");
	assert_string_equal(s->engine.extension, ".lean");
	assert_int_equal(s->engine.require_module_file, 1);
	assert_true(s->engine.grace_s == 1.0);
	/* no profile named: a real engine's default strips its timings */
	assert_string_equal(s->profile_ref, "telemetry-real");
	assert_string_equal(s->profile.name, "telemetry-real");
	assert_int_equal(s->profile.nround, 0);
	assert_string_equal(s->engine.root, tmpdir); /* the spec's directory */
	/* built-in models: their base timeouts, unless the spec says */
	assert_string_equal(s->models_path, HX_MODELS_BUILTIN_NAME);
	assert_int_equal(s->ntiers, 2);
	assert_true(s->tiers[0].tier == HX_TIER_FAST && s->tiers[0].timeout_s == 30);
	assert_true(s->tiers[1].tier == HX_TIER_SLOW && s->tiers[1].timeout_s == 5);
	hx_spec_free(s);

	s = load_ok(L_EXPERIMENT L_SEED "engine: {kind: coq, args: [-Q, theories, Demo]}\n"
		    L_REAL_TIERS L_SAMPLES);
	assert_string_equal(s->engine.command[0], "coqc");
	assert_string_equal(s->engine.command[1], "-noglob");
	assert_string_equal(s->engine.command[2], "-Q");
	assert_string_equal(s->engine.command[4], "Demo");
	assert_string_equal(s->engine.command[5], "-o");
	assert_string_equal(s->engine.command[6], "{task_dir}/{module_base}.vo");
	assert_string_equal(s->engine.command[7], "{module_path}");
	assert_null(s->engine.command[8]);
	assert_string_equal(s->engine.version_command[0], "coqc");
	assert_string_equal(s->engine.extension, ".v");
	hx_spec_free(s);

	s = load_ok(L_EXPERIMENT L_SEED
		    "engine:\n"
		    "  kind: command\n"
		    "  command: [./engine, --seed, '{seed}', --out, '{telemetry_path}']\n"
		    "  env: {ENGINE_TELEMETRY: '{telemetry_path}', MODE: fast}\n"
		    "  telemetry: '{out_dir}/t-{task_index}.jsonl'\n"
		    "  memory_limit_mb: 512\n"
		    "  grace_s: 0.5\n"
		    "  outcomes:\n"
		    "    exit: {3: resource_exhausted, 4: verifier_crash}\n"
		    "    regex: [{pattern: 'diverged', stream: stderr, outcome: proof_invalid}]\n"
		    "  tactics: ['step=([a-z]+)']\n"
		    L_REAL_TIERS L_SAMPLES);
	assert_string_equal(s->engine.command[4], "{telemetry_path}");
	assert_null(s->engine.version_command);
	assert_int_equal(s->engine.require_module_file, 0);
	assert_string_equal(s->engine.env[0], "ENGINE_TELEMETRY={telemetry_path}");
	assert_string_equal(s->engine.env[1], "MODE=fast");
	assert_null(s->engine.env[2]);
	assert_string_equal(s->engine.telemetry, "{out_dir}/t-{task_index}.jsonl");
	assert_int_equal(s->engine.memory_limit_mb, 512);
	assert_true(s->engine.grace_s == 0.5);
	assert_int_equal(s->engine.nexits, 2);
	assert_int_equal(s->engine.exits[0].exit_code, 3);
	assert_int_equal(s->engine.exits[0].outcome, HX_OUT_RESOURCE_EXHAUSTED);
	assert_int_equal(s->engine.exits[1].outcome, HX_OUT_VERIFIER_CRASH);
	assert_int_equal(s->engine.nregexes, 1);
	assert_string_equal(s->engine.regexes[0].pattern, "diverged");
	assert_int_equal(s->engine.regexes[0].stream, 2);
	assert_int_equal(s->engine.regexes[0].outcome, HX_OUT_PROOF_INVALID);
	assert_string_equal(s->engine.tactics[0], "step=([a-z]+)");
	assert_string_equal(s->profile_ref, "telemetry-real");
	hx_spec_free(s);

	/* a profile the spec names is kept, built-in or not */
	s = load_ok(L_EXPERIMENT L_SEED "engine: {kind: coq}\ncanonical: {profile: telemetry}\n"
		    L_REAL_TIERS L_SAMPLES);
	assert_string_equal(s->profile_ref, "telemetry");
	assert_int_equal(s->profile.nround, 4);
	hx_spec_free(s);
	(void)want;
}

static void test_real_engine_errors(void **state)
{
	(void)state;
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: command}\n" L_REAL_TIERS L_SAMPLES,
		     "3:9: missing key 'command' (the engine's argv template)");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: command, command: []}\n" L_REAL_TIERS L_SAMPLES,
		     "3:34: 'command' must not be empty");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: lean, telemetry: x}\n" L_REAL_TIERS L_SAMPLES,
		     "3:22: unknown key 'telemetry'");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: lean, jsn: true}\n" L_REAL_TIERS L_SAMPLES,
		     "3:22: unknown key 'jsn' (did you mean 'json'?)");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: coq, outcomes: {exit: {300: verified}}}\n"
		     L_REAL_TIERS L_SAMPLES,
		     "3:39: 'exit code' must be an integer from 0 to 255");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: coq, outcomes: {exit: {3: exploded}}}\n"
		     L_REAL_TIERS L_SAMPLES,
		     "3:42: unknown outcome 'exploded' (known: verified, proof_invalid, "
		     "verifier_timeout, deterministic_timeout, resource_exhausted, verifier_crash, "
		     "module_not_found, engine_error)");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: coq, outcomes: {regex: [{pattern: 'a(', "
		     "outcome: verified}]}}\n" L_REAL_TIERS L_SAMPLES,
		     "3:50: invalid regex 'a(': Unmatched ( or \\(");
	expect_error_prefix(L_EXPERIMENT L_SEED "engine: {kind: coq, root: nosuch}\n" L_REAL_TIERS
			    L_SAMPLES, "3:27: root '");
}

static void test_corpus_kinds(void **state)
{
	hx_spec *s;
	char text[512];
	(void)state;
	snprintf(text, sizeof(text),
		 L_EXPERIMENT L_SEED "corpus: {list: %s/modules.txt, filter: '^Fake[.]'}\n"
		 "engine: {kind: lean}\n" L_REAL_TIERS L_SAMPLES, HX_FIXTURES "/spec");
	s = load_ok(text);
	assert_string_equal(s->corpus_kind, "list");
	assert_string_equal(s->corpus_path, HX_FIXTURES "/spec/modules.txt");
	assert_string_equal(s->corpus_filter, "^Fake[.]");
	assert_int_equal(s->corpus_missing_skip, 0); /* missing modules are an error */
	hx_spec_free(s);

	snprintf(text, sizeof(text),
		 L_EXPERIMENT L_SEED "corpus: {list: %s/modules.txt, missing: skip}\n"
		 "engine: {kind: lean}\n" L_REAL_TIERS L_SAMPLES, HX_FIXTURES "/spec");
	s = load_ok(text);
	assert_int_equal(s->corpus_missing_skip, 1);
	hx_spec_free(s);
	snprintf(text, sizeof(text),
		 L_EXPERIMENT L_SEED "corpus: {list: %s/modules.txt, missing: ignore}\n"
		 "engine: {kind: lean}\n" L_REAL_TIERS L_SAMPLES, HX_FIXTURES "/spec");
	expect_error_prefix(text, "3:");
	assert_non_null(strstr(hx_error_last(), "unknown missing 'ignore' (known: error, skip)"));

	snprintf(text, sizeof(text),
		 L_EXPERIMENT L_SEED "corpus: {dir: %s}\nengine: {kind: lean}\n" L_REAL_TIERS L_SAMPLES,
		 HX_FIXTURES "/spec");
	s = load_ok(text);
	assert_string_equal(s->corpus_kind, "dir");
	/* the corpus directory is the engine's root unless the spec says */
	assert_string_equal(s->engine.root, HX_FIXTURES "/spec");
	hx_spec_free(s);

	expect_error(L_EXPERIMENT L_SEED "corpus: {list: a, dir: b}\n" L_ENGINE L_TIERS L_SAMPLES,
		     "3:24: a corpus is a 'list' or a 'dir', not both");
	expect_error_prefix_rc(L_EXPERIMENT L_SEED "corpus: {list: nosuch.txt}\n" L_ENGINE L_TIERS
			       L_SAMPLES, HX_ENOTFOUND, "3:16: cannot open '");
	expect_error(L_EXPERIMENT L_SEED "corpus: {kind: list}\n" L_ENGINE L_TIERS L_SAMPLES,
		     "3:16: corpus kind 'list' needs a 'list' file");
}

static void test_smoke(void **state)
{
	hx_spec *s = NULL;
	(void)state;

	assert_int_equal(hx_spec_load(&s, HX_SOURCE_DIR "/experiments/smoke.yaml"), 0);
	assert_string_equal(s->path, HX_SOURCE_DIR "/experiments/smoke.yaml");
	assert_string_equal(s->experiment, "smoke");
	assert_non_null(strstr(s->description, "100 samples"));
	assert_true(s->seed == 42);
	assert_string_equal(s->engine_kind, "sim-verifier");
	assert_string_equal(s->models_path, MODELS);
	assert_non_null(s->models);
	assert_string_equal(s->models->path, MODELS);
	assert_int_equal(s->models->nslices, 5);
	assert_string_equal(s->corpus_kind, "synthetic");
	assert_int_equal(s->corpus_modules, 500);
	assert_int_equal(s->ntiers, 1);
	assert_int_equal(s->tiers[0].tier, HX_TIER_BALANCED);
	assert_true(s->tiers[0].timeout_s == 60);
	assert_int_equal(s->tiers[0].samples, 100);
	assert_int_equal(s->samples, 100);
	assert_int_equal(s->workers, 0);
	assert_string_equal(s->profile_ref, "telemetry");
	assert_string_equal(s->profile.name, "telemetry");
	assert_int_equal(s->profile.nstrip, 3);
	assert_int_equal(s->profile.nround, 4);
	assert_string_equal(s->golden, "golden/smoke");
	assert_int_equal(s->ntags, 2);
	assert_string_equal(s->tags[0], "smoke");
	assert_string_equal(s->tags[1], "nightly");
	hx_spec_free(s);
	hx_spec_free(NULL);
}

static void test_full(void **state)
{
	hx_spec *s = NULL;
	(void)state;

	assert_int_equal(hx_spec_load(&s, HX_SOURCE_DIR "/experiments/full.yaml"), 0);
	assert_string_equal(s->experiment, "full");
	assert_true(s->seed == 42);
	assert_int_equal(s->corpus_modules, 5000);
	assert_int_equal(s->ntiers, 3);
	assert_int_equal(s->tiers[0].tier, HX_TIER_FAST);
	assert_true(s->tiers[0].timeout_s == 30);
	assert_int_equal(s->tiers[1].tier, HX_TIER_BALANCED);
	assert_true(s->tiers[1].timeout_s == 60);
	assert_int_equal(s->tiers[2].tier, HX_TIER_SLOW);
	assert_true(s->tiers[2].timeout_s == 120);
	assert_int_equal(s->tiers[0].samples, 10000);
	assert_int_equal(s->tiers[2].samples, 10000);
	assert_int_equal(s->samples, 10000);
	assert_string_equal(s->golden, "golden/full");
	assert_int_equal(s->ntags, 1);
	assert_string_equal(s->tags[0], "full");
	assert_true(s->label.enabled);
	assert_int_equal(s->label.sample, 1500);
	assert_int_equal(s->label.nvoters, 3);
	assert_true(s->label.voters[2].has_tier && s->label.voters[2].tier == HX_TIER_SLOW);
	assert_false(s->label.voters[0].has_engine);
	assert_true(s->validate.enabled && s->validate.split == 0.2);
	hx_spec_free(s);
}

/* The calibration stages: defaults, switches, values, located errors. */
static void test_stages(void **state)
{
	hx_spec *s;
	(void)state;
	s = load_ok(BASE);
	assert_true(s->label.enabled && s->fit && s->validate.enabled && s->export_.enabled);
	assert_int_equal(s->label.sample, 1000);
	assert_true(s->label.timeout_multiplier == 10 && s->label.min_confidence == 0.8);
	assert_int_equal(s->label.nvoters, 0);
	assert_true(s->validate.split == 0.2 && s->validate.alpha == 0.05);
	assert_true(s->validate.monotonicity && s->validate.holdout && s->validate.cross_tier);
	assert_true(s->export_.report && s->export_.noise_config);
	hx_spec_free(s);

	s = load_ok(BASE "label: false\nfit: false\nvalidate: false\nexport: false\n");
	assert_false(s->label.enabled || s->fit || s->validate.enabled || s->export_.enabled);
	hx_spec_free(s);

	s = load_ok(BASE "label:\n  sample: 50\n  timeout_multiplier: 4\n  min_confidence: 0.6\n"
			 "  consensus:\n    - {tier: SLOW, timeout_s: 200}\n"
			 "    - {engine: {kind: command, command: [/bin/true, '{module}']}}\n"
			 "validate:\n  split: 0.25\n  cross_tier: false\n  max_calibration_error: 0.02\n"
			 "  envelopes: {FAST: {timeout_rate: [0.15, 0.25]}, SLOW: {spurious_pass_rate: [0, 0.01]}}\n"
			 "export: {report: false}\n");
	assert_int_equal(s->label.sample, 50);
	assert_true(s->label.timeout_multiplier == 4 && s->label.min_confidence == 0.6);
	assert_int_equal(s->label.nvoters, 2);
	assert_true(s->label.voters[0].timeout_s == 200);
	assert_true(s->label.voters[1].has_engine);
	assert_string_equal(s->label.voters[1].kind, "command");
	assert_false(s->label.voters[1].has_tier);
	assert_true(s->validate.split == 0.25 && !s->validate.cross_tier && s->validate.holdout);
	assert_true(s->validate.max_calibration_error == 0.02);
	assert_int_equal(s->validate.nenvelopes, 2);
	assert_int_equal(s->validate.envelopes[0].tier, HX_TIER_FAST);
	assert_int_equal(s->validate.envelopes[0].rate, 0);
	assert_true(s->validate.envelopes[0].min == 0.15 && s->validate.envelopes[0].max == 0.25);
	assert_int_equal(s->validate.envelopes[1].rate, 2);
	assert_false(s->export_.report);
	assert_true(s->export_.noise_config && s->export_.enabled);
	hx_spec_free(s);

	expect_error(BASE "label: {sampel: 5}\n", "7:9: unknown key 'sampel' (did you mean 'sample'?)");
	expect_error(BASE "label: maybe\n", "7:8: 'label' must be true, false or a mapping");
	expect_error(BASE "label: {consensus: [{tier: SLOWER}]}\n",
		     "7:28: unknown tier 'SLOWER' (did you mean 'SLOW'?)");
	expect_error(BASE "label: {timeout_multiplier: 0.5}\n",
		     "7:29: 'timeout_multiplier' must be a number from 1 to 1000");
	expect_error(BASE "validate: {split: 1}\n", "7:19: 'split' must be a number from 0 to 0.9");
	expect_error(BASE "validate: {envelopes: {FAST: {timeout_rate: [0.3, 0.2]}}}\n",
		     "7:45: envelope min 0.3 is above max 0.2");
	expect_error(BASE "validate: {envelopes: {FAST: {timeout: [0.1, 0.2]}}}\n",
		     "7:31: unknown rate 'timeout' (known: timeout_rate, spurious_fail_rate, spurious_pass_rate)");
	expect_error(BASE "fit: 3\n", "7:6: 'fit' must be true or false");
}

/* Inline models, plan order from document order, per-tier samples, the
 * models' base timeout as the default, a profile file, defaults. */
static void test_inline_and_defaults(void **state)
{
	hx_spec *s = NULL;
	(void)state;

	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/inline.yaml"), 0);
	assert_string_equal(s->experiment, "inline-1.x_y");
	assert_string_equal(s->description, "");
	assert_true(s->seed == UINT64_MAX);
	assert_null(s->models_path);
	assert_string_equal(s->models->path, SPEC_DIR "/inline.yaml");
	assert_true(s->models->has_tier[HX_TIER_FAST]);
	assert_false(s->models->has_tier[HX_TIER_BALANCED]);
	assert_string_equal(s->corpus_kind, "synthetic");
	assert_int_equal(s->corpus_modules, 1000);
	assert_int_equal(s->ntiers, 2);
	assert_int_equal(s->tiers[0].tier, HX_TIER_FAST);
	assert_true(s->tiers[0].timeout_s == 15);
	assert_int_equal(s->tiers[0].samples, 20);
	assert_int_equal(s->tiers[1].tier, HX_TIER_SLOW);
	assert_true(s->tiers[1].timeout_s == 300.5);
	assert_int_equal(s->tiers[1].samples, 50);
	assert_int_equal(s->samples, 20);
	assert_int_equal(s->workers, 4);
	assert_string_equal(s->profile_ref, "profiles/custom.yaml");
	assert_string_equal(s->profile.name, "custom");
	assert_int_equal(s->profile.nstrip, 3);
	assert_string_equal(s->profile.strip[2], "*.host");
	assert_int_equal(s->profile.nround, 2);
	assert_string_equal(s->profile.round[0].path, "duration_ms");
	assert_int_equal(s->profile.round[0].decimals, 1);
	assert_int_equal(s->profile.round[1].decimals, 0);
	assert_string_equal(s->golden, "golden/inline-1.x_y");
	assert_int_equal(s->ntags, 0);
	hx_spec_free(s);
}

static void test_file_relations(void **state)
{
	hx_spec *s = NULL;
	(void)state;

	/* A models file that cannot be opened: located at the spec's value. */
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/missing_models.yaml"), HX_ENOTFOUND);
	assert_null(s);
	assert_string_equal(hx_error_last(),
			    SPEC_DIR "/missing_models.yaml:6:9: cannot open '" SPEC_DIR
				     "/models/nope.yaml': No such file or directory");
	/* An error inside the models file: located in the models file. */
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/bad_models.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(), SPEC_DIR "/../models/bad_rate.yaml:4:25: "
						      "'spurious_fail_rate' must be a number from 0 to 1");
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/no_slow_model.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    SPEC_DIR "/no_slow_model.yaml:7:3: tier 'SLOW' has no model 'slow_precise' "
				     "in '" SPEC_DIR "/../models/balanced_only.yaml'");
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/missing_profile.yaml"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(),
			    SPEC_DIR "/missing_profile.yaml:8:12: cannot open '" SPEC_DIR
				     "/profiles/nope.yaml': No such file or directory");
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/bad_profile.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(), SPEC_DIR "/profiles/bad_decimals.yaml:3:16: "
						      "'duration_ms' must be an integer from 0 to 15");
	assert_int_equal(hx_spec_load(&s, SPEC_DIR "/nope.yaml"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(),
			    "cannot open '" SPEC_DIR "/nope.yaml': No such file or directory");
	assert_null(s);
}

/* Every file a spec names must be a regular file (hx_file_read_spec): a
 * device, a directory or a path through a file is refused before it is
 * read, located at the spec's value, as bad input. */
static void test_named_files(void **state)
{
	hx_spec *s = NULL;
	(void)state;

	expect_error(L_EXPERIMENT L_SEED L_ENGINE "models: /dev/zero\n" L_TIERS L_SAMPLES,
		     "4:9: cannot read '/dev/zero': not a regular file (a character device)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES
		     "canonical: {profile: /dev/zero}\n",
		     "7:22: cannot read '/dev/zero': not a regular file (a character device)");
	expect_error(L_EXPERIMENT L_SEED "corpus: {list: /dev/zero}\n" L_ENGINE L_TIERS L_SAMPLES,
		     "3:16: cannot read '/dev/zero': not a regular file (a character device)");
	expect_error(L_EXPERIMENT L_SEED "corpus: {list: /}\n" L_ENGINE L_TIERS L_SAMPLES,
		     "3:16: cannot read '/': not a regular file (a directory)");
	expect_error(L_EXPERIMENT L_SEED
		     "engine: {kind: lean, root: /, toolchain_file: /dev/null}\n"
		     L_REAL_TIERS L_SAMPLES,
		     "3:47: cannot read '/dev/null': not a regular file (a character device)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE "models: " MODELS "/x.yaml\n" L_TIERS
		     L_SAMPLES,
		     "4:9: cannot open '" MODELS "/x.yaml': '" MODELS "' is not a directory");
	/* the spec itself */
	assert_int_equal(hx_spec_load(&s, "/dev/zero"), HX_EINVALID);
	assert_null(s);
	assert_string_equal(hx_error_last(),
			    "cannot read '/dev/zero': not a regular file (a character device)");
}

static void test_key_errors(void **state)
{
	(void)state;
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS "sampels: 10\n",
		     "6:1: unknown key 'sampels' (did you mean 'samples'?)");
	expect_error(BASE "colour: red\n", "7:1: unknown key 'colour'");
	expect_error(L_EXPERIMENT L_ENGINE L_MODELS L_TIERS L_SAMPLES, "1:1: missing key 'seed'");
	expect_error(L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES, "1:1: missing key 'experiment'");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_SAMPLES, "1:1: missing key 'tiers'");
	/* What is written is checked in spec order before what is missing
	 * further down. */
	expect_error("experiment: x\nseed: \"42\"\n",
		     "2:7: 'seed' must be an integer from 0 to 18446744073709551615");
	expect_error("experiment: x\nseed: 42\n", "1:1: missing key 'engine'");
	expect_error("# nothing\n", "1:1: missing key 'experiment'");
	expect_error("- experiment\n", "1:1: a spec must be a mapping of keys to values");
	expect_error(BASE "seed: 2\n", "7:1: duplicate key 'seed'");
	expect_error(BASE "tags: [a\n", "8:1: did not find expected ',' or ']'");
	expect_error(BASE "workers: 4\n  threads: 2\n",
		     "8:10: mapping values are not allowed in this context");
}

static void test_value_errors(void **state)
{
	(void)state;
	expect_error("experiment: t\nseed: \"42\"\n" L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "2:7: 'seed' must be an integer from 0 to 18446744073709551615");
	expect_error("experiment: t\nseed: -1\n" L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "2:7: 'seed' must be an integer from 0 to 18446744073709551615");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS "samples: 0\n",
		     "6:10: 'samples' must be an integer from 1 to 100000000");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS "samples: 100000001\n",
		     "6:10: 'samples' must be an integer from 1 to 100000000");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS L_TIERS "samples: 1.5\n",
		     "6:10: 'samples' must be an integer from 1 to 100000000");
	expect_error(BASE "workers: 2000\n", "7:10: 'workers' must be an integer from 0 to 1024");
	expect_error(BASE "corpus: {modules: 0}\n",
		     "7:19: 'modules' must be an integer from 1 to 10000000");
	expect_error(BASE "corpus: {kind: mathlib}\n",
		     "7:16: unknown corpus kind 'mathlib' (known: synthetic, list, dir)");
	expect_error(BASE "corpus: {kind: synthetic, size: 3}\n", "7:27: unknown key 'size'");
	expect_error(BASE "tags: [a, [b]]\n", "7:11: 'tag' must be a string");
	expect_error(BASE "tags: a\n", "7:7: 'tags' must be a list");
	expect_error(BASE "golden: ''\n", "7:9: 'golden' must not be empty");
	expect_error(BASE "description: {a: 1}\n", "7:14: 'description' must be a string");
}

static void test_experiment_name(void **state)
{
	(void)state;
	expect_error("experiment: Smoke Test\n" L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "1:13: experiment name 'Smoke Test' is not valid (use lowercase letters, "
		     "digits, '.', '_' and '-', starting with a letter or digit)");
	expect_error("experiment: ../etc\n" L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "1:13: experiment name '../etc' is not valid (use lowercase letters, "
		     "digits, '.', '_' and '-', starting with a letter or digit)");
	expect_error("experiment: a/b\n" L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "1:13: experiment name 'a/b' is not valid (use lowercase letters, "
		     "digits, '.', '_' and '-', starting with a letter or digit)");
	expect_error("experiment:\n" L_SEED L_ENGINE L_MODELS L_TIERS L_SAMPLES,
		     "1:12: 'experiment' must be a string");
}

static void test_engine_errors(void **state)
{
	(void)state;
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: isabelle}\n" L_MODELS L_TIERS L_SAMPLES,
		     "3:16: unknown engine kind 'isabelle' (known: sim-verifier, lean, coq, command, "
		     "sim-monitor)");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: sim-monitor}\n" L_MODELS L_TIERS L_SAMPLES,
		     "3:16: engine 'sim-monitor' scores samples for threshold steps of a series "
		     "spec; a calibration runs sim-verifier, lean, coq or command");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: sim-verifer}\n" L_MODELS L_TIERS L_SAMPLES,
		     "3:16: unknown engine kind 'sim-verifer' (did you mean 'sim-verifier'?)");
	expect_error(L_EXPERIMENT L_SEED "engine: sim-verifier\n" L_MODELS L_TIERS L_SAMPLES,
		     "3:9: 'engine' must be a mapping");
	expect_error(L_EXPERIMENT L_SEED "engine: {}\n" L_MODELS L_TIERS L_SAMPLES,
		     "3:9: missing key 'kind'");
	expect_error(L_EXPERIMENT L_SEED "engine: {kind: sim-verifier, version: 2}\n" L_MODELS
			     L_TIERS L_SAMPLES,
		     "3:30: unknown key 'version'");
}

static void test_tier_errors(void **state)
{
	(void)state;
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {BALANCD: }\n" L_SAMPLES,
		     "5:9: unknown tier 'BALANCD' (did you mean 'BALANCED'?)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {balanced: }\n" L_SAMPLES,
		     "5:9: unknown tier 'balanced' (did you mean 'BALANCED'?)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {slow_precise: }\n" L_SAMPLES,
		     "5:9: unknown tier 'slow_precise' (did you mean 'SLOW'?)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {MEDIUM: }\n" L_SAMPLES,
		     "5:9: unknown tier 'MEDIUM' (known: FAST, BALANCED, SLOW)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {}\n" L_SAMPLES,
		     "5:8: 'tiers' must name at least one of FAST, BALANCED, SLOW");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: [FAST]\n" L_SAMPLES,
		     "5:8: 'tiers' must be a mapping");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {FAST: {timeout_s: 0}}\n" L_SAMPLES,
		     "5:27: 'timeout_s' must be a number greater than 0 and at most 86400");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS
		     "tiers: {FAST: {timeout_s: 86401}}\n" L_SAMPLES,
		     "5:27: 'timeout_s' must be a number greater than 0 and at most 86400");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {FAST: {samples: 0}}\n" L_SAMPLES,
		     "5:25: 'samples' must be an integer from 1 to 100000000");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {FAST: {timeout: 3}}\n" L_SAMPLES,
		     "5:16: unknown key 'timeout' (did you mean 'timeout_s'?)");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE L_MODELS "tiers: {FAST: 30}\n" L_SAMPLES,
		     "5:15: 'FAST' must be a mapping");
}

static void test_models_errors(void **state)
{
	(void)state;
	/* Inline models: errors are located in the spec itself. */
	expect_error(L_EXPERIMENT L_SEED L_ENGINE
		     "models:\n"
		     "  tiers:\n"
		     "    balanced:\n"
		     "      timeout_rate: 0.05\n"
		     "      spurious_fail_rate: 0.02\n"
		     "      spurious_pass_rate: 0.01\n"
		     "      base_timeout_s: 60\n"
		     "      timeout_distribution: {type: uniform, min_ms: 1, mean_ms: 2}\n" L_TIERS
			     L_SAMPLES,
		     "11:56: unknown key 'mean_ms' for a uniform distribution");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE "models: [a]\n" L_TIERS L_SAMPLES,
		     "4:9: 'models' must be a file path or a mapping");
	expect_error(L_EXPERIMENT L_SEED L_ENGINE "models:\n" L_TIERS L_SAMPLES,
		     "4:8: 'models' must be a file path or a mapping");
}

static void test_canonical_errors(void **state)
{
	(void)state;
	expect_error_rc(BASE "canonical: {profile: telemtry}\n", HX_ENOTFOUND,
		     "7:22: unknown canonical profile 'telemtry' (did you mean 'telemetry'?)");
	expect_error_rc(BASE "canonical: {profile: raw}\n", HX_ENOTFOUND,
		     "7:22: unknown canonical profile 'raw' (known: telemetry, telemetry-real, none, or a .yaml file)");
	expect_error(BASE "canonical: {profle: none}\n",
		     "7:13: unknown key 'profle' (did you mean 'profile'?)");
}

static void test_profile_load(void **state)
{
	hx_canon_profile p;
	(void)state;

	assert_int_equal(hx_canon_profile_load(&p, "none"), 0);
	assert_string_equal(p.name, "none");
	assert_int_equal(p.nstrip, 0);
	assert_int_equal(p.nround, 0);
	hx_canon_profile_release(&p);

	assert_int_equal(hx_canon_profile_load(&p, "telemetry"), 0);
	assert_int_equal(p.nstrip, 3);
	hx_canon_profile_release(&p);

	assert_int_equal(hx_canon_profile_load(&p, SPEC_DIR "/profiles/custom.yaml"), 0);
	assert_string_equal(p.name, "custom");
	assert_string_equal(p.strip[0], "timestamp");
	assert_string_equal(p.strip[1], "metadata.worker");
	assert_string_equal(p.round[1].path, "memory_peak_mb");
	hx_canon_profile_release(&p);

	assert_int_equal(hx_canon_profile_load(&p, "bogus"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(),
			    "unknown canonical profile 'bogus' (known: telemetry, telemetry-real, none, or a .yaml file)");
	assert_int_equal(hx_canon_profile_load(&p, SPEC_DIR "/profiles/bad_key.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(), SPEC_DIR "/profiles/bad_key.yaml:2:1: unknown key "
						      "'strp' (did you mean 'strip'?)");
	assert_int_equal(hx_canon_profile_load(&p, SPEC_DIR "/profiles/bad_path.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    SPEC_DIR "/profiles/bad_path.yaml:3:5: invalid path 'metadata..worker'");
	assert_int_equal(hx_canon_profile_load(&p, "nope.yaml"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "cannot open 'nope.yaml': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_engine_defaults),
		cmocka_unit_test(test_real_engine_errors),
		cmocka_unit_test(test_corpus_kinds),
		cmocka_unit_test(test_smoke),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_inline_and_defaults),
		cmocka_unit_test(test_file_relations),
		cmocka_unit_test(test_named_files),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_experiment_name),
		cmocka_unit_test(test_engine_errors),
		cmocka_unit_test(test_tier_errors),
		cmocka_unit_test(test_models_errors),
		cmocka_unit_test(test_canonical_errors),
		cmocka_unit_test(test_profile_load),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
