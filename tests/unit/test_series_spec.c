/* test_series_spec.c - the experiment series spec reader (series/series_spec.h):
 * a full spec and its defaults, the order of the steps, the step
 * definitions (what a step's inputs hash), the located errors, the
 * series/calibration test, and budgets and presets files next to the
 * spec. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "hash.h"
#include "series/series_spec.h"
#include "testutil.h"

/* ---- helpers ---- */

static hx_series_spec *parse_ok(const char *text)
{
	hx_series_spec *s = NULL;
	int err = hx_series_spec_parse(&s, "s.yaml", text, strlen(text));
	if (err != 0)
		fail_msg("parse failed (%d): %s", err, hx_error_last());
	assert_non_null(s);
	return s;
}

static void parse_err(const char *text, const char *want)
{
	hx_series_spec *s = (hx_series_spec *)1;
	int err = hx_series_spec_parse(&s, "s.yaml", text, strlen(text));
	assert_int_equal(err, HX_EINVALID);
	assert_null(s);
	assert_string_equal(hx_error_last(), want);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Three lines: experiment, seed, engine; steps start at line 4. */
#define HEAD                                                                                     \
	"experiment: e\n"                                                                        \
	"seed: 1\n"                                                                              \
	"engine: {kind: command, command: [sim, \"{profile}\"]}\n"

/* The placeholders every runs template knows (series_spec.h). */
#define KNOWN                                                                                    \
	"{profile}, {repeat}, {run}, {seed}, {label}, {telemetry_path}, {step_dir}, "          \
	"{experiment}, {step}, {root}"

/* ---- a full spec ---- */

static const char full_spec[] =
	"experiment: exp-full\n"                                       /* 1 */
	"description: \"all of it\"\n"                                 /* 2 */
	"seed: 18446744073709551615\n"                                 /* 3 */
	"engine:\n"                                                    /* 4 */
	"  kind: command\n"                                            /* 5 */
	"  command: [ticksim, --ticks, \"{ticks}\", --profile, \"{profile}\", --seed, "
	"\"{seed}\"]\n"                                                /* 6 */
	"  env: {TM: jsonl, TP: \"{telemetry_path}\"}\n"               /* 7 */
	"workers: 3\n"                                                 /* 8 */
	"tags: [exp-series, full]\n"                                   /* 9 */
	"steps:\n"                                                     /* 10 */
	"  align:\n"                                                   /* 11 */
	"    kind: align\n"                                            /* 12 */
	"    needs: [dataset]\n"                                       /* 13 */
	"    budgets:\n"                                               /* 14 */
	"      balanced: {max_kill_prob: 0.07}\n"                      /* 15 */
	"  runs:\n"                                                    /* 16 */
	"    kind: runs\n"                                             /* 17 */
	"    profiles: [conservative, balanced, aggressive]\n"         /* 18 */
	"    grid: {band: [0.5, 1, wide, \"2\"], mode: fast}\n"        /* 19 */
	"    vars: {ticks: 2000, tag: x1}\n"                           /* 20 */
	"    env: {HB: \"{band}\", MODE: \"{mode}_{tag}\"}\n"          /* 21 */
	"    label: \"full_{profile}_{band}_r{repeat}\"\n"             /* 22 */
	"  dataset:\n"                                                 /* 23 */
	"    kind: condense\n"                                         /* 24 */
	"    needs: [runs]\n"                                          /* 25 */
	"  summary: {kind: summary, needs: [dataset]}\n"               /* 26 */
	"  select: {kind: select, needs: [dataset], k: 3}\n"           /* 27 */
	"  tune:\n"                                                    /* 28 */
	"    kind: tune\n"                                             /* 29 */
	"    needs: [dataset]\n"                                       /* 30 */
	"    presets:\n"                                               /* 31 */
	"      conservative: {daily_loss_limit: 2500, mm_size_eta: 1.0}\n" /* 32 */
	"    risk_params: [daily_loss_limit, mm_size_eta]\n";          /* 33 */

static void test_full_top_level(void **state)
{
	hx_series_spec *s = parse_ok(full_spec);
	(void)state;
	assert_string_equal(s->path, "s.yaml");
	assert_string_equal(s->dir, ".");
	assert_string_equal(s->experiment, "exp-full");
	assert_string_equal(s->description, "all of it");
	/* above 2^53: read as an integer, not through a double */
	assert_true(s->seed == UINT64_C(18446744073709551615));
	assert_string_equal(s->engine.kind, "command");
	assert_non_null(s->engine.command);
	assert_string_equal(s->engine.command[0], "ticksim");
	assert_string_equal(s->engine.command[1], "--ticks");
	assert_string_equal(s->engine.command[2], "{ticks}");
	assert_string_equal(s->engine.command[3], "--profile");
	assert_string_equal(s->engine.command[4], "{profile}");
	assert_string_equal(s->engine.command[5], "--seed");
	assert_string_equal(s->engine.command[6], "{seed}");
	assert_null(s->engine.command[7]);
	assert_non_null(s->engine.env);
	assert_string_equal(s->engine.env[0], "TM=jsonl");
	assert_string_equal(s->engine.env[1], "TP={telemetry_path}");
	assert_null(s->engine.env[2]);
	assert_int_equal(s->workers, 3);
	assert_int_equal(s->ntags, 2);
	assert_string_equal(s->tags[0], "exp-series");
	assert_string_equal(s->tags[1], "full");
	assert_string_equal(s->golden, "golden/exp-full"); /* the default */
	assert_null(s->profile_ref);
	assert_int_equal(s->nfiles, 0);
	assert_non_null(s->engine_definition);
	assert_int_equal(s->nsteps, 6);
	hx_series_spec_free(s);
}

static void test_full_order(void **state)
{
	hx_series_spec *s = parse_ok(full_spec);
	(void)state;
	/* written align, runs, dataset, summary, select, tune: each after what
	 * it needs, ties in the order written */
	assert_int_equal(s->nsteps, 6);
	assert_string_equal(s->steps[0].name, "runs");
	assert_string_equal(s->steps[1].name, "dataset");
	assert_string_equal(s->steps[2].name, "align");
	assert_string_equal(s->steps[3].name, "summary");
	assert_string_equal(s->steps[4].name, "select");
	assert_string_equal(s->steps[5].name, "tune");
	assert_int_equal(s->steps[0].kind, HX_STEP_RUNS);
	assert_int_equal(s->steps[1].kind, HX_STEP_CONDENSE);
	assert_int_equal(s->steps[2].kind, HX_STEP_ALIGN);
	assert_int_equal(s->steps[3].kind, HX_STEP_SUMMARY);
	assert_int_equal(s->steps[4].kind, HX_STEP_SELECT);
	assert_int_equal(s->steps[5].kind, HX_STEP_TUNE);
	assert_string_equal(hx_step_kind_name(HX_STEP_CONDENSE), "condense");
	assert_string_equal(hx_step_kind_name(HX_STEP_TUNE), "tune");
	/* needs: indices into the ordered list */
	assert_int_equal(s->steps[0].nneeds, 0);
	assert_int_equal(s->steps[1].nneeds, 1);
	assert_int_equal(s->steps[1].needs[0], 0);
	assert_int_equal(s->steps[2].nneeds, 1);
	assert_int_equal(s->steps[2].needs[0], 1);
	assert_int_equal(s->steps[3].nneeds, 1);
	assert_int_equal(s->steps[3].needs[0], 1);
	assert_int_equal(s->steps[4].nneeds, 1);
	assert_int_equal(s->steps[4].needs[0], 1);
	assert_int_equal(s->steps[5].nneeds, 1);
	assert_int_equal(s->steps[5].needs[0], 1);
	assert_int_equal(hx_series_step_index(s, "runs"), 0);
	assert_int_equal(hx_series_step_index(s, "align"), 2);
	assert_int_equal(hx_series_step_index(s, "tune"), 5);
	assert_int_equal(hx_series_step_index(s, "nope"), -1);
	hx_series_spec_free(s);
}

static void test_full_runs(void **state)
{
	hx_series_spec *s = parse_ok(full_spec);
	const hx_series_step *r = &s->steps[0];
	(void)state;
	assert_int_equal(r->nprofiles, 3);
	assert_string_equal(r->profiles[0], "conservative");
	assert_string_equal(r->profiles[1], "balanced");
	assert_string_equal(r->profiles[2], "aggressive");
	assert_int_equal(r->repeats, 1);            /* the default */
	assert_true(r->timeout_s == 3600.0);        /* the default */
	assert_int_equal(r->ngrid, 2);
	assert_string_equal(r->grid[0].name, "band");
	assert_int_equal(r->grid[0].n, 4);
	assert_int_equal(r->grid[0].values[0].type, HX_CVAL_NUMBER);
	assert_true(r->grid[0].values[0].num == 0.5);
	assert_int_equal(r->grid[0].values[1].type, HX_CVAL_NUMBER);
	assert_true(r->grid[0].values[1].num == 1.0);
	assert_int_equal(r->grid[0].values[2].type, HX_CVAL_STRING);
	assert_string_equal(r->grid[0].values[2].str, "wide");
	/* quoted: a string, although it reads as a number */
	assert_int_equal(r->grid[0].values[3].type, HX_CVAL_STRING);
	assert_string_equal(r->grid[0].values[3].str, "2");
	/* a scalar: a one-value axis */
	assert_string_equal(r->grid[1].name, "mode");
	assert_int_equal(r->grid[1].n, 1);
	assert_int_equal(r->grid[1].values[0].type, HX_CVAL_STRING);
	assert_string_equal(r->grid[1].values[0].str, "fast");
	assert_int_equal(r->nvars, 2);
	assert_string_equal(r->var_names[0], "ticks");
	assert_string_equal(r->var_values[0], "2000");
	assert_string_equal(r->var_names[1], "tag");
	assert_string_equal(r->var_values[1], "x1");
	assert_non_null(r->env);
	assert_string_equal(r->env[0], "HB={band}");
	assert_string_equal(r->env[1], "MODE={mode}_{tag}");
	assert_null(r->env[2]);
	assert_string_equal(r->label, "full_{profile}_{band}_r{repeat}");
	hx_series_spec_free(s);
}

static void test_full_analysis_steps(void **state)
{
	static const char *const names[] = {"num_ticks",   "final_pnl",   "max_pnl",
					    "min_pnl",     "max_drawdown", "frac_normal",
					    "frac_warning", "frac_hard",  "kill_switch",
					    "time_to_kill"};
	hx_series_spec *s = parse_ok(full_spec);
	const hx_series_step *ds = &s->steps[1], *al = &s->steps[2], *su = &s->steps[3];
	const hx_series_step *se = &s->steps[4], *tu = &s->steps[5];
	hx_condense_set def;
	hx_budgets want;
	size_t i;
	(void)state;

	/* condense without metrics: the default set */
	hx_condense_set_init(&def);
	hx_condense_set_default(&def);
	assert_int_equal(ds->metrics.n, 10);
	assert_int_equal(def.n, 10);
	for (i = 0; i < 10; i++) {
		assert_string_equal(ds->metrics.metrics[i].name, names[i]);
		assert_string_equal(ds->metrics.metrics[i].name, def.metrics[i].name);
		assert_int_equal(ds->metrics.metrics[i].fn, def.metrics[i].fn);
	}
	assert_int_equal(ds->metrics.metrics[0].fn, HX_CONDENSE_COUNT);
	assert_null(ds->metrics.metrics[0].field);
	assert_int_equal(ds->metrics.metrics[5].fn, HX_CONDENSE_FRACTION);
	assert_string_equal(ds->metrics.metrics[5].field, "risk_regime");
	assert_string_equal(ds->metrics.metrics[5].value, "Normal");
	assert_int_equal(ds->metrics.nrequired, 1);
	assert_string_equal(ds->metrics.required[0], "pnl_total");
	hx_condense_set_release(&def);

	/* align: one key given, everything else the defaults */
	hx_budgets_default(&want);
	want.tier[1].max_kill_prob = 0.07;
	assert_memory_equal(&al->budgets, &want, sizeof(want));
	assert_true(al->budgets.tier[1].max_drawdown_abs == 4000);
	assert_true(al->budgets.tier[0].max_kill_prob == 0.01);

	/* summary: top 5, dd_weight 0.5 by default */
	assert_int_equal(su->top, 5);
	assert_true(su->dd_weight == 0.5);

	/* select: k as given, budgets the defaults */
	assert_int_equal(se->k, 3);
	hx_budgets_default(&want);
	assert_memory_equal(&se->budgets, &want, sizeof(want));

	/* tune: inline presets, risk params */
	assert_int_equal(tu->presets.tier[0].given, 1);
	assert_int_equal(tu->presets.tier[0].n, 2);
	assert_string_equal(tu->presets.tier[0].names[0], "daily_loss_limit");
	assert_true(tu->presets.tier[0].values[0] == 2500);
	assert_string_equal(tu->presets.tier[0].names[1], "mm_size_eta");
	assert_true(tu->presets.tier[0].values[1] == 1.0);
	assert_int_equal(tu->presets.tier[1].given, 0);
	assert_int_equal(tu->presets.tier[2].given, 0);
	assert_non_null(tu->risk_params);
	assert_string_equal(tu->risk_params[0], "daily_loss_limit");
	assert_string_equal(tu->risk_params[1], "mm_size_eta");
	assert_null(tu->risk_params[2]);
	hx_series_spec_free(s);
}

static void test_explicit_values(void **state)
{
	static const char text[] =
		"experiment: e2\n"
		"seed: 7\n"
		"engine: {kind: command, command: [sim, \"{profile}\"]}\n"
		"golden: goldens/mine\n"
		"steps:\n"
		"  runs: {kind: runs, profiles: [p], repeats: 4, timeout_s: 90.5}\n"
		"  ds:\n"
		"    kind: condense\n"
		"    needs: [runs]\n"
		"    metrics:\n"
		"      - {name: n, function: count}\n"
		"      - {name: pnl, function: last, field: pnl_total}\n"
		"      - {name: fn, function: fraction, field: risk_regime, value: Normal}\n"
		"  sum: {kind: summary, needs: [ds], top: 2, dd_weight: 1.25}\n";
	hx_series_spec *s = parse_ok(text);
	const hx_series_step *r = &s->steps[0], *ds = &s->steps[1], *su = &s->steps[2];
	(void)state;
	assert_true(s->seed == 7);
	assert_string_equal(s->golden, "goldens/mine");
	assert_string_equal(s->description, "");
	assert_int_equal(s->workers, 0);
	assert_int_equal(s->ntags, 0);
	assert_null(s->tags);
	assert_null(s->engine.env);
	assert_int_equal(s->nsteps, 3);
	assert_int_equal(r->repeats, 4);
	assert_true(r->timeout_s == 90.5);
	assert_int_equal(r->ngrid, 0);
	assert_int_equal(r->nvars, 0);
	assert_null(r->env);
	assert_null(r->label);
	assert_int_equal(ds->metrics.n, 3);
	assert_string_equal(ds->metrics.metrics[0].name, "n");
	assert_int_equal(ds->metrics.metrics[0].fn, HX_CONDENSE_COUNT);
	assert_null(ds->metrics.metrics[0].field);
	assert_string_equal(ds->metrics.metrics[1].name, "pnl");
	assert_int_equal(ds->metrics.metrics[1].fn, HX_CONDENSE_LAST);
	assert_string_equal(ds->metrics.metrics[1].field, "pnl_total");
	assert_null(ds->metrics.metrics[1].value);
	assert_string_equal(ds->metrics.metrics[2].name, "fn");
	assert_int_equal(ds->metrics.metrics[2].fn, HX_CONDENSE_FRACTION);
	assert_string_equal(ds->metrics.metrics[2].field, "risk_regime");
	assert_string_equal(ds->metrics.metrics[2].value, "Normal");
	assert_int_equal(ds->metrics.nrequired, 0);
	assert_int_equal(su->top, 2);
	assert_true(su->dd_weight == 1.25);
	hx_series_spec_free(s);

	/* "{{" is a literal '{': "{{label}" is text, not the placeholder */
	s = parse_ok(HEAD "steps:\n"
			  "  r: {kind: runs, profiles: [p], label: \"x{{label}_{profile}_r{repeat}\"}\n");
	assert_string_equal(s->steps[0].label, "x{{label}_{profile}_r{repeat}");
	hx_series_spec_free(s);

	/* metrics: default, said */
	s = parse_ok(HEAD "steps:\n"
			  "  r: {kind: runs, profiles: [p]}\n"
			  "  d: {kind: condense, needs: [r], metrics: default}\n");
	assert_int_equal(s->steps[1].metrics.n, 10);
	assert_string_equal(s->steps[1].metrics.metrics[9].name, "time_to_kill");
	hx_series_spec_free(s);
}

/* ---- definitions ---- */

static char *definition_of(const char *text, const char *step)
{
	hx_series_spec *s = parse_ok(text);
	long i = hx_series_step_index(s, step);
	char *d;
	assert_true(i >= 0);
	d = strdup(s->steps[i].definition);
	hx_series_spec_free(s);
	return d;
}

static void test_definitions(void **state)
{
	char *a = definition_of(HEAD "steps:\n"
				     "  r: {kind: runs, profiles: [p, q], repeats: 2, "
				     "grid: {x: [1, 2], y: a}}\n",
				"r");
	char *b = definition_of(HEAD "steps:\n"
				     "  r:\n"
				     "    grid:\n"
				     "      y: a\n"
				     "      x:\n"
				     "        - 1\n"
				     "        - 2\n"
				     "    repeats: 2\n"
				     "    profiles: [p, q]\n"
				     "    kind: runs\n",
				"r");
	char *c = definition_of(HEAD "steps:\n"
				     "  r: {kind: runs, profiles: [p, q], repeats: 3, "
				     "grid: {x: [1, 2], y: a}}\n",
				"r");
	char *d = definition_of(HEAD "steps:\n"
				     "  r: {kind: runs, profiles: [q, p], repeats: 2, "
				     "grid: {x: [1, 2], y: a}}\n",
				"r");
	(void)state;
	/* canonical JSON: keys sorted, block or flow alike */
	assert_string_equal(a, "{\"grid\":{\"x\":[\"1\",\"2\"],\"y\":\"a\"},\"kind\":\"runs\","
			       "\"profiles\":[\"p\",\"q\"],\"repeats\":\"2\"}");
	assert_string_equal(a, b);
	/* a value changed, an order that matters changed */
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	free(a);
	free(b);
	free(c);
	free(d);

	/* a quoted grid value that reads as a number is a string (the runs
	 * table says "1", not 1): the definition tells them apart */
	a = definition_of(HEAD "steps:\n  r: {kind: runs, profiles: [p], grid: {x: [1, b]}}\n",
			  "r");
	b = definition_of(HEAD "steps:\n  r: {kind: runs, profiles: [p], grid: {x: [\"1\", b]}}\n",
			  "r");
	c = definition_of(HEAD "steps:\n  r: {kind: runs, profiles: [p], grid: {x: [1, \"b\"]}}\n",
			  "r");
	d = definition_of(HEAD "steps:\n  r: {kind: runs, profiles: [p], grid: {x: '1.5'}}\n", "r");
	assert_string_equal(a, "{\"grid\":{\"x\":[\"1\",\"b\"]},\"kind\":\"runs\","
			       "\"profiles\":[\"p\"]}");
	assert_string_equal(b, "{\"grid\":{\"x\":[\"1\",\"b\"]},\"kind\":\"runs\","
			       "\"profiles\":[\"p\"]}\ngrid x string 1");
	assert_string_equal(a, c); /* "b" and b: the same string */
	assert_string_equal(d, "{\"grid\":{\"x\":\"1.5\"},\"kind\":\"runs\","
			       "\"profiles\":[\"p\"]}\ngrid x string 1.5");
	free(a);
	free(b);
	free(c);
	free(d);

	/* the analysis steps: a changed budget changes it */
	a = definition_of(HEAD "steps:\n"
			       "  r: {kind: runs, profiles: [p]}\n"
			       "  d: {kind: condense, needs: [r]}\n"
			       "  al: {kind: align, needs: [d], budgets: {balanced: {lambda_dd: 1}}}\n",
			  "al");
	b = definition_of(HEAD "steps:\n"
			       "  r: {kind: runs, profiles: [p]}\n"
			       "  d: {kind: condense, needs: [r]}\n"
			       "  al: {budgets: {balanced: {lambda_dd: 1}}, needs: [d], kind: align}\n",
			  "al");
	c = definition_of(HEAD "steps:\n"
			       "  r: {kind: runs, profiles: [p]}\n"
			       "  d: {kind: condense, needs: [r]}\n"
			       "  al: {kind: align, needs: [d], budgets: {balanced: {lambda_dd: 2}}}\n",
			  "al");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* ---- errors ---- */

static void test_errors_top_level(void **state)
{
	(void)state;
	parse_err(HEAD "worker: 2\n"
		       "steps: {r: {kind: runs, profiles: [p]}}\n",
		  "s.yaml:4:1: unknown key 'worker' (did you mean 'workers'?)");
	parse_err(HEAD "steps: {}\n", "s.yaml:4:8: 'steps' must not be empty");
	parse_err("experiment: e\n"
		  "seed: 1\n"
		  "engine: {kind: sim-verifier}\n"
		  "steps: {r: {kind: runs, profiles: [p]}}\n",
		  "s.yaml:3:16: a series runs a research engine: 'kind' must be command (or "
		  "sim-monitor for scores steps), not 'sim-verifier'");
	parse_err("experiment: e\n"
		  "seed: 1\n"
		  "engine: {kind: command, command: [x], telemetry: \"{nope}\"}\n"
		  "steps: {r: {kind: runs, profiles: [p]}}\n",
		  "s.yaml:3:50: 'telemetry' does not apply to a series engine (each run writes "
		  "its telemetry to {telemetry_path})");
}

static void test_errors_steps(void **state)
{
	(void)state;
	/* unknown key in a step */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], repeat: 2}\n",
		  "s.yaml:5:34: unknown key 'repeat' (did you mean 'repeats'?)");
	/* unknown kind */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: run, profiles: [p]}\n",
		  "s.yaml:5:13: unknown step kind 'run' (did you mean 'runs'?)");
	/* no kind */
	parse_err(HEAD "steps:\n"
		       "  r:\n"
		       "    profiles: [p]\n",
		  "s.yaml:6:5: step 'r': missing key 'kind'");
	/* a condense without needs */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  ds: {kind: condense}\n",
		  "s.yaml:6:3: step 'ds' (condense) needs a runs step: add 'needs: [NAME]'");
	/* needs naming an unknown step */
	parse_err(HEAD "steps:\n"
		       "  runs: {kind: runs, profiles: [p]}\n"
		       "  ds: {kind: condense, needs: [rns]}\n",
		  "s.yaml:6:32: step 'ds' needs unknown step 'rns' (did you mean 'runs'?)");
	/* needs naming itself */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  ds: {kind: condense, needs: [r, ds]}\n",
		  "s.yaml:6:35: step 'ds' needs itself");
	/* a summary reads condense steps, not runs */
	parse_err(HEAD "steps:\n"
		       "  runs: {kind: runs, profiles: [p]}\n"
		       "  sum: {kind: summary, needs: [runs]}\n",
		  "s.yaml:6:32: step 'sum' (summary) cannot read step 'runs' (runs): it reads "
		  "condense steps");
	/* step names: directory names, each once */
	parse_err(HEAD "steps:\n"
		       "  Runs: {kind: runs, profiles: [p]}\n",
		  "s.yaml:5:3: step name 'Runs' is not valid (use lowercase letters, digits, '.', "
		  "'_' and '-')");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  r: {kind: runs, profiles: [q]}\n",
		  "s.yaml:6:3: duplicate key 'r'");
	parse_err(HEAD "steps:\n"
		       "  r: runs\n",
		  "s.yaml:5:6: 'r' must be a mapping");
	/* a runs step needs nothing */
	parse_err(HEAD "steps:\n"
		       "  a: {kind: runs, profiles: [p]}\n"
		       "  b: {kind: runs, profiles: [p], needs: [a]}\n",
		  "s.yaml:6:41: step 'b': a runs step needs nothing");
}

static void test_errors_runs(void **state)
{
	(void)state;
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p, q, p]}\n",
		  "s.yaml:5:36: 'p' given twice in 'profiles'");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {seed: [1, 2]}}\n",
		  "s.yaml:5:41: grid parameter 'seed': names are lowercase letters and '_', other "
		  "than profile, repeat, run, seed, label, ...");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {Band: [1, 2]}}\n",
		  "s.yaml:5:41: grid parameter 'Band': names are lowercase letters and '_', other "
		  "than profile, repeat, run, seed, label, ...");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {band: [1, 2]}, vars: {band: 3}}\n",
		  "s.yaml:5:63: 'band' is both a var and a grid parameter");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], repeats: 0}\n",
		  "s.yaml:5:43: 'repeats' must be an integer from 1 to 1000000");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], timeout_s: 0}\n",
		  "s.yaml:5:45: 'timeout_s' must be a number greater than 0 and at most 604800");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], repeats: 1000, grid: {a: [1, 2, 3, 4], "
		       "b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}, label: \"{a}{b}{repeat}\"}\n"
		       "  q: {kind: runs, profiles: [p, q], repeats: 1000000}\n",
		  "s.yaml:6:6: step 'q' has 2000000 runs (at most 1000000)");
	/* templates */
	parse_err("experiment: e\n"
		  "seed: 1\n"
		  "engine: {kind: command, command: [sim, \"{profil}\"]}\n"
		  "steps:\n"
		  "  r: {kind: runs, profiles: [p]}\n",
		  "s.yaml:3:9: step 'r': unknown placeholder '{profil}' in '{profil}' (known: " KNOWN
		  ") (engine command)");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {x: [1]}, vars: {v: 2}, "
		       "env: {X: \"{x}{v}{nope}\"}}\n",
		  "s.yaml:5:69: step 'r': unknown placeholder '{nope}' in 'X={x}{v}{nope}' (known: " KNOWN
		  ", {x}, {v})");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], label: \"a_{profile}_{lab}\"}\n",
		  "s.yaml:5:41: step 'r': unknown placeholder '{lab}' in 'a_{profile}_{lab}' (known: " KNOWN
		  ")");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], label: \"a_{label}\"}\n",
		  "s.yaml:5:41: step 'r': the label cannot name {label}");
	/* a bad environment variable name */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], env: {\"A=B\": x}}\n",
		  "s.yaml:5:40: environment variable name 'A=B' is not valid");
}

static void test_errors_analysis(void **state)
{
	(void)state;
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d:\n"
		       "    kind: condense\n"
		       "    needs: [r]\n"
		       "    metrics:\n"
		       "      - {name: a, function: last, field: pnl_total}\n"
		       "      - {name: b, function: median, field: pnl_total}\n",
		  "s.yaml:11:29: unknown condense function 'median' (one of last, min, max, mean, "
		  "count, max_drawdown, fraction, any, first_t)");
	/* the budgets file is relative to the spec: located at the node */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  al:\n"
		       "    kind: align\n"
		       "    needs: [d]\n"
		       "    budgets: no-such-budgets.yaml\n",
		  "s.yaml:10:14: cannot open 'no-such-budgets.yaml': No such file or directory");
	/* a budgets or presets file must be a regular file: refused unread */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  t:\n"
		       "    kind: tune\n"
		       "    needs: [d]\n"
		       "    budgets: /dev/zero\n",
		  "s.yaml:10:14: cannot read '/dev/zero': not a regular file (a character device)");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  t:\n"
		       "    kind: tune\n"
		       "    needs: [d]\n"
		       "    presets: /\n",
		  "s.yaml:10:14: cannot read '/': not a regular file (a directory)");
}

/* Errors after part of a step, or other steps, were read: what was read is
 * released (the sanitizer build's leak checker watches these). */
static void test_errors_partial(void **state)
{
	(void)state;
	/* a later step fails: the earlier ones were complete */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p, q], grid: {x: [1, a]}, vars: {v: 1}, "
		       "env: {A: b}, label: \"l{run}\"}\n"
		       "  d: {kind: condense, needs: [r], metrics: [{name: a, function: count}]}\n"
		       "  t: {kind: tune, needs: [d], presets: {balanced: {x: 1}}, "
		       "risk_params: [x, y, x]}\n"
		       "  z: {kind: runs, profiles: [p]}\n",
		  "s.yaml:7:80: 'x' given twice in 'risk_params'");
	/* a step fails in the middle of its grid */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {x: [1, 2], y: [a, [b]]}}\n",
		  "s.yaml:5:59: 'y' values must be numbers or strings");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], grid: {x: []}}\n",
		  "s.yaml:5:44: grid parameter 'x' has no values");
	/* in its vars */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], vars: {a: 1, b: {c: 1}}}\n",
		  "s.yaml:5:50: 'b' values must be numbers or strings");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], vars: {a: 1, run: 2}}\n",
		  "s.yaml:5:47: var 'run': names are lowercase letters and '_', other than "
		  "profile, repeat, run, seed, label, ...");
	/* in its env */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p], env: {A: x, B: [1]}}\n",
		  "s.yaml:5:49: 'B' must be a string");
	/* needs read in part: a duplicate, a name that is not a string */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r, r]}\n",
		  "s.yaml:6:34: 'r' given twice in 'needs'");
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  s: {kind: summary, needs: [d, [x]]}\n",
		  "s.yaml:7:33: 'needs' must be a string");
	/* needs fine in a first step, wrong in a later one */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  s: {kind: summary, needs: [d]}\n"
		       "  s2: {kind: summary, needs: [r]}\n",
		  "s.yaml:8:31: step 's2' (summary) cannot read step 'r' (runs): it reads condense "
		  "steps");
	/* metrics: a repeated name after others were added */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r], metrics: [{name: a, function: count}, "
		       "{name: a, function: last, field: f}]}\n",
		  "s.yaml:6:73: condense metric 'a': defined twice");
	/* inline presets that are not numbers */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  t: {kind: tune, needs: [d], presets: {balanced: {a: 1, b: x}}}\n",
		  "s.yaml:7:61: 'b' must be a finite number");
	/* a tune without presets */
	parse_err(HEAD "steps:\n"
		       "  r: {kind: runs, profiles: [p]}\n"
		       "  d: {kind: condense, needs: [r]}\n"
		       "  t: {kind: tune, needs: [d]}\n",
		  "s.yaml:7:6: step 't': missing key 'presets' (the live presets to tune)");
}

/* ---- series or calibration ---- */

/* Threshold calibration: sim-monitor (also the default without an engine
 * section), scores and threshold steps, their defaults and errors. */
static void test_threshold_steps(void **state)
{
	hx_series_spec *s;
	(void)state;
	s = parse_ok("experiment: t\n"
		     "seed: 7\n"
		     "engine: {kind: sim-monitor, max_tokens: 30, top_k: 3, positive_rate: 0.2,\n"
		     "         positive: {distribution: lognormal, mean: 1, sd: 0.5}}\n"
		     "steps:\n"
		     "  th: {kind: threshold, needs: [sc], target_recall: 0.8,\n"
		     "       tau: {start: 1, stop: 2, step: 0.25}}\n"
		     "  sc: {kind: scores, samples: 50}\n");
	assert_string_equal(s->engine.kind, "sim-monitor");
	assert_int_equal(s->engine.monitor.max_tokens, 30);
	assert_int_equal(s->engine.monitor.top_k, 3);
	assert_true(s->engine.monitor.positive_rate == 0.2);
	assert_true(s->engine.monitor.positive.lognormal);
	assert_true(s->engine.monitor.positive.mean == 1 && s->engine.monitor.positive.sd == 0.5);
	assert_false(s->engine.monitor.negative.lognormal);
	assert_true(s->engine.monitor.negative.mean == 2.0); /* the default */
	assert_int_equal(s->nsteps, 2);
	assert_string_equal(s->steps[0].name, "sc");
	assert_int_equal(s->steps[0].kind, HX_STEP_SCORES);
	assert_int_equal(s->steps[0].samples, 50);
	assert_string_equal(s->steps[0].score_field, "score");
	assert_string_equal(s->steps[0].label_field, "label");
	assert_null(s->steps[0].positive);
	assert_int_equal(s->steps[1].kind, HX_STEP_THRESHOLD);
	assert_true(s->steps[1].target_recall == 0.8);
	assert_int_equal(s->steps[1].tau.kind, HX_TAU_RANGE);
	assert_true(s->steps[1].tau.start == 1 && s->steps[1].tau.step == 0.25);
	hx_series_spec_free(s);

	/* no engine section: sim-monitor with its defaults; quantiles */
	s = parse_ok("experiment: t\n"
		     "seed: 7\n"
		     "steps:\n"
		     "  sc: {kind: scores, samples: 10}\n"
		     "  th: {kind: threshold, needs: [sc], quantiles: \"0.5:0.9:5\"}\n");
	assert_string_equal(s->engine.kind, "sim-monitor");
	assert_int_equal(s->engine.monitor.max_tokens, 20);
	assert_int_equal(s->engine.monitor.top_k, 5);
	assert_true(s->engine.monitor.positive_rate == 0.2);
	assert_int_equal(s->steps[1].tau.kind, HX_TAU_QUANTILES);
	assert_int_equal(s->steps[1].tau.q_count, 5);
	assert_true(s->steps[1].target_recall == 0.9);
	hx_series_spec_free(s);

	/* a command monitor: its fields, and the templates know {sample} */
	s = parse_ok("experiment: t\n"
		     "seed: 7\n"
		     "engine: {kind: command, command: [mon, \"{sample}\", \"{seed}\", \"{n}\"]}\n"
		     "steps:\n"
		     "  sc: {kind: scores, samples: 3, score: out.s, label: y, positive: halluc,\n"
		     "       vars: {n: 4}}\n");
	assert_string_equal(s->steps[0].score_field, "out.s");
	assert_string_equal(s->steps[0].positive, "halluc");
	hx_series_spec_free(s);
}

static void test_threshold_errors(void **state)
{
	(void)state;
	parse_err("experiment: t\nseed: 1\nengine: {kind: sim-monitor}\n"
		  "steps: {r: {kind: runs, profiles: [p]}}\n",
		  "s.yaml:4:19: step 'r': a runs step needs a command engine, and the spec's "
		  "engine is sim-monitor");
	parse_err("experiment: t\nseed: 1\nengine: {kind: sim-monitor, top_k: 30}\n"
		  "steps: {s: {kind: scores, samples: 1}}\n",
		  "s.yaml:3:36: top_k 30 is more than max_tokens 20");
	parse_err("experiment: t\nseed: 1\nengine: {kind: sim-monitor, negative: {sd: -1}}\n"
		  "steps: {s: {kind: scores, samples: 1}}\n",
		  "s.yaml:3:44: 'sd' must be a number from 0 to 1000000");
	parse_err("experiment: t\nseed: 1\n"
		  "steps: {s: {kind: scores}}\n",
		  "s.yaml:3:12: step 's': missing key 'samples'");
	parse_err("experiment: t\nseed: 1\n"
		  "steps: {s: {kind: scores, samples: 2}, t: {kind: threshold}}\n",
		  "s.yaml:3:40: step 't' (threshold) needs a scores step: add 'needs: [NAME]'");
	parse_err("experiment: t\nseed: 1\n"
		  "steps: {s: {kind: scores, samples: 2}, t: {kind: threshold, needs: [s],\n"
		  "        quantiles: \"0.9:0.5:3\"}}\n",
		  "s.yaml:4:20: quantiles '0.9:0.5:3': A and B must be in [0, 1] with A <= B");
	parse_err("experiment: t\nseed: 1\n"
		  "steps: {s: {kind: scores, samples: 2}, t: {kind: threshold, needs: [s],\n"
		  "        quantiles: \"0.6:0.99:40\", tau: {start: 1, stop: 2, step: 1}}}\n",
		  "s.yaml:4:40: step 't': give 'quantiles' or 'tau', not both");
	parse_err("experiment: t\nseed: 1\n"
		  "steps: {s: {kind: scores, samples: 2}, t: {kind: summary, needs: [s]}}\n",
		  "s.yaml:3:67: step 't' (summary) cannot read step 's' (scores): it reads "
		  "condense steps");
	parse_err("experiment: t\nseed: 1\n"
		  "engine: {kind: command, command: [mon, \"{profile}\"]}\n"
		  "steps: {s: {kind: scores, samples: 2}}\n",
		  "s.yaml:3:9: step 's': unknown placeholder '{profile}' in '{profile}' (known: {sample}, "
		  "{seed}, {step_dir}, {experiment}, {step}, {root}) (engine command)");
}

static void test_is_series(void **state)
{
	static const char series[] = HEAD "steps: {r: {kind: runs, profiles: [p]}}\n";
	static const char calib[] = "experiment: e\n"
				    "seed: 1\n"
				    "engine: {kind: sim-verifier}\n"
				    "corpus: {kind: synthetic, n: 10}\n";
	static const char broken[] = "steps: {r: [1, 2\n";
	static const char nested[] = "experiment: e\nother: {steps: 1}\n";
	(void)state;
	assert_int_equal(hx_series_is_series(series, strlen(series)), 1);
	assert_int_equal(hx_series_is_series(calib, strlen(calib)), 0);
	assert_int_equal(hx_series_is_series(nested, strlen(nested)), 0);
	hx_error_set("before");
	assert_int_equal(hx_series_is_series(broken, strlen(broken)), 0);
	assert_string_equal(hx_error_last(), ""); /* no error left behind */
	assert_int_equal(hx_series_is_series("", 0), 0);
	assert_int_equal(hx_series_is_series("- steps\n", 8), 0);
}

/* ---- budgets and presets files ---- */

static void test_files(void **state)
{
	static const char spec[] = HEAD "steps:\n"
					"  r: {kind: runs, profiles: [p]}\n"
					"  d: {kind: condense, needs: [r]}\n"
					"  t:\n"
					"    kind: tune\n"
					"    needs: [d]\n"
					"    budgets: b.yaml\n"
					"    presets: sub/p.yaml\n";
	static const char budgets1[] = "conservative: {max_kill_prob: 0.02}\n";
	static const char budgets2[] = "conservative: {max_kill_prob: 0.03}\n";
	static const char presets[] = "balanced: {daily_loss_limit: 900}\n";
	char dir[64], path[128], file[128], hb[HX_HASH_HEX_LEN], hp[HX_HASH_HEX_LEN];
	char want[512], *def1;
	hx_series_spec *s = NULL;
	const hx_series_step *t;
	hx_budgets b;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/hx-test-sspec-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	write_file(path, spec);
	snprintf(file, sizeof(file), "%s/b.yaml", dir);
	write_file(file, budgets1);
	snprintf(file, sizeof(file), "%s/sub", dir);
	assert_int_equal(mkdir(file, 0777), 0);
	snprintf(file, sizeof(file), "%s/sub/p.yaml", dir);
	write_file(file, presets);

	if (hx_series_spec_load(&s, path) != 0)
		fail_msg("load: %s", hx_error_last());
	assert_string_equal(s->dir, dir);
	t = &s->steps[2];
	hx_budgets_default(&b);
	b.tier[0].max_kill_prob = 0.02;
	assert_memory_equal(&t->budgets, &b, sizeof(b));
	assert_int_equal(t->presets.tier[0].given, 0);
	assert_int_equal(t->presets.tier[1].given, 1);
	assert_int_equal(t->presets.tier[1].n, 1);
	assert_string_equal(t->presets.tier[1].names[0], "daily_loss_limit");
	assert_true(t->presets.tier[1].values[0] == 900);
	assert_null(t->risk_params);
	/* the files, as written, in the order read */
	assert_int_equal(s->nfiles, 2);
	assert_string_equal(s->files[0], "b.yaml");
	assert_string_equal(s->files[1], "sub/p.yaml");
	assert_null(s->files[2]);
	/* the definition: the node, then each file's name and hash */
	hx_hash128_buf(hb, budgets1, strlen(budgets1));
	hx_hash128_buf(hp, presets, strlen(presets));
	snprintf(want, sizeof(want),
		 "{\"budgets\":\"b.yaml\",\"kind\":\"tune\",\"needs\":[\"d\"],"
		 "\"presets\":\"sub/p.yaml\"}\nb.yaml %s\nsub/p.yaml %s",
		 hb, hp);
	assert_string_equal(t->definition, want);
	def1 = strdup(t->definition);
	hx_series_spec_free(s);

	/* the file changed: the budgets and the definition with it */
	snprintf(file, sizeof(file), "%s/b.yaml", dir);
	write_file(file, budgets2);
	if (hx_series_spec_load(&s, path) != 0)
		fail_msg("load: %s", hx_error_last());
	t = &s->steps[2];
	assert_true(t->budgets.tier[0].max_kill_prob == 0.03);
	assert_string_not_equal(t->definition, def1);
	free(def1);
	hx_series_spec_free(s);

	/* two steps naming one file: listed once (the archive keeps each once),
	 * both steps read it */
	{
		static const char shared[] = HEAD "steps:\n"
						  "  r: {kind: runs, profiles: [p]}\n"
						  "  d: {kind: condense, needs: [r]}\n"
						  "  al: {kind: align, needs: [d], budgets: b.yaml}\n"
						  "  se: {kind: select, needs: [d], budgets: b.yaml}\n"
						  "  t: {kind: tune, needs: [d], budgets: b.yaml, "
						  "presets: sub/p.yaml}\n";
		char spath[128];
		snprintf(spath, sizeof(spath), "%s/shared.yaml", dir);
		write_file(spath, shared);
		if (hx_series_spec_load(&s, spath) != 0)
			fail_msg("load: %s", hx_error_last());
		assert_int_equal(s->nfiles, 2);
		assert_string_equal(s->files[0], "b.yaml");
		assert_string_equal(s->files[1], "sub/p.yaml");
		assert_null(s->files[2]);
		assert_true(s->steps[2].budgets.tier[0].max_kill_prob == 0.03);
		assert_true(s->steps[3].budgets.tier[0].max_kill_prob == 0.03);
		assert_true(s->steps[4].budgets.tier[0].max_kill_prob == 0.03);
		hx_series_spec_free(s);
	}

	/* an error inside the budgets file is located in that file */
	write_file(file, "conservative: {max_kill: 0.02}\n");
	assert_int_equal(hx_series_spec_load(&s, path), HX_EINVALID);
	assert_null(s);
	snprintf(want, sizeof(want),
		 "%s/b.yaml:1:16: unknown key 'max_kill'", dir);
	assert_string_equal(hx_error_last(), want);

	/* a presets file that does not parse */
	write_file(file, budgets1);
	snprintf(file, sizeof(file), "%s/sub/p.yaml", dir);
	write_file(file, "balanced: {daily_loss_limit: lots}\n");
	assert_int_equal(hx_series_spec_load(&s, path), HX_EINVALID);
	assert_null(s);
	snprintf(want, sizeof(want), "%s/sub/p.yaml:1:30: 'daily_loss_limit' must be a finite number",
		 dir);
	assert_string_equal(hx_error_last(), want);

	/* the spec itself missing */
	snprintf(file, sizeof(file), "%s/nope.yaml", dir);
	assert_int_equal(hx_series_spec_load(&s, file), HX_ENOTFOUND);
	assert_null(s);

	assert_int_equal(hx_test_tmpdir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_top_level),
		cmocka_unit_test(test_full_order),
		cmocka_unit_test(test_full_runs),
		cmocka_unit_test(test_full_analysis_steps),
		cmocka_unit_test(test_explicit_values),
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_errors_top_level),
		cmocka_unit_test(test_errors_steps),
		cmocka_unit_test(test_errors_runs),
		cmocka_unit_test(test_errors_analysis),
		cmocka_unit_test(test_errors_partial),
		cmocka_unit_test(test_threshold_steps),
		cmocka_unit_test(test_threshold_errors),
		cmocka_unit_test(test_is_series),
		cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
