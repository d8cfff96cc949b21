/* test_condense.c - condensing per-tick telemetry files: every built-in
 * function on hand-made tick files, the users' default set (drawdown over
 * NaN/inf from a first row below zero, regimes, kills, rows out of t
 * order), the failures (empty file, missing pnl_total, bad JSON), the
 * dataset row and its JSONL/CSV/table writers, and the JSON parser's opt-in
 * non-finite tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "series/condense.h"
#include "series/dataset.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("condense")

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Index of a metric in a set. */
static size_t at(const hx_condense_set *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->metrics[i].name, name) == 0)
			return i;
	fail_msg("no metric '%s'", name);
	return 0;
}

typedef struct {
	hx_condense_set set;
	hx_cval v[32];
	unsigned long rows;
	int rc;
} run_t;

static void run_default(run_t *r, const char *path, const char *text)
{
	hx_condense_set_init(&r->set);
	hx_condense_set_default(&r->set);
	if (text)
		write_file(path, text);
	r->rc = hx_condense_file(&r->set, path, r->v, &r->rows);
}

static void run_release(run_t *r)
{
	size_t i;
	for (i = 0; i < r->set.n; i++)
		hx_cval_release(&r->v[i]);
	hx_condense_set_release(&r->set);
}

static double num(run_t *r, const char *name)
{
	hx_cval *v = &r->v[at(&r->set, name)];
	if (v->type != HX_CVAL_NUMBER)
		fail_msg("'%s' is not a number (type %d)", name, (int)v->type);
	return v->num;
}

static int is_null(run_t *r, const char *name)
{
	return r->v[at(&r->set, name)].type == HX_CVAL_NULL;
}

static int boolean(run_t *r, const char *name)
{
	hx_cval *v = &r->v[at(&r->set, name)];
	assert_int_equal(v->type, HX_CVAL_BOOL);
	return v->num != 0;
}

#define ROW(t, pnl, regime, kill)                                                                \
	"{\"basis_usd\":0.5,\"dollar_delta_usd\":-1.25,\"kill_switch\":" kill                    \
	",\"pnl_realised\":0,\"pnl_total\":" pnl ",\"pnl_unrealised\":0,\"q_global_tao\":2,"     \
	"\"risk_regime\":" regime ",\"t\":" #t "}\n"

/* The drawdown's running max starts at the first row's value (below zero
 * here), NaN and the infinities are skipped by it; min/max keep the
 * infinities and skip NaN. */
static void test_drawdown_nonfinite(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "dd.jsonl",
		    ROW(0, "-100", "\"Normal\"", "false") ROW(1, "-150", "\"Normal\"", "false")
			    ROW(2, "NaN", "\"Normal\"", "false") ROW(3, "Infinity", "\"Normal\"", "false")
				    ROW(4, "-40", "\"Normal\"", "false")
					    ROW(5, "-Infinity", "\"Normal\"", "false")
						    ROW(6, "-90", "\"Normal\"", "false")
							    ROW(7, "null", "\"Normal\"", "false"));
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.rows, 8);
	/* finite: -100 -150 -40 -90: peak -100 -> 50, then peak -40 -> 50 */
	assert_true(num(&r, "max_drawdown") == 50);
	assert_true(isinf(num(&r, "max_pnl")) && num(&r, "max_pnl") > 0);
	assert_true(isinf(num(&r, "min_pnl")) && num(&r, "min_pnl") < 0);
	assert_true(is_null(&r, "final_pnl")); /* the last row's null */
	assert_true(num(&r, "num_ticks") == 8);
	run_release(&r);

	/* a drop right after a first row below zero (not measured from 0) */
	run_default(&r, "dd2.jsonl",
		    ROW(0, "-10", "\"Normal\"", "false") ROW(1, "-25.5", "\"Normal\"", "false")
			    ROW(2, "-5", "\"Normal\"", "false"));
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "max_drawdown") == 15.5);
	assert_true(num(&r, "final_pnl") == -5);
	assert_true(num(&r, "max_pnl") == -5);
	assert_true(num(&r, "min_pnl") == -25.5);
	run_release(&r);

	/* nothing finite: drawdown 0, min/max null when every value is NaN */
	run_default(&r, "dd3.jsonl", ROW(0, "NaN", "\"Normal\"", "false") ROW(1, "null", "\"Normal\"", "false"));
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "max_drawdown") == 0);
	assert_true(is_null(&r, "max_pnl"));
	assert_true(is_null(&r, "min_pnl"));
	run_release(&r);

	/* rising only: no drawdown */
	run_default(&r, "dd4.jsonl", ROW(0, "1", "\"Normal\"", "false") ROW(1, "2", "\"Normal\"", "false"));
	assert_true(num(&r, "max_drawdown") == 0);
	run_release(&r);
}

static void test_empty_file(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "empty.jsonl", "");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "empty.jsonl: no telemetry rows (the file is empty)");
	assert_int_equal(r.rows, 0);
	assert_true(is_null(&r, "num_ticks"));
	run_release(&r);
	/* blank lines only are empty too */
	run_default(&r, "blank.jsonl", "\n  \n\r\n");
	assert_int_equal(r.rc, HX_EINVALID);
	run_release(&r);
	/* a missing file */
	run_default(&r, "absent.jsonl", NULL);
	assert_int_equal(r.rc, HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "'absent.jsonl'"));
	run_release(&r);
}

/* A killed run stops after its kill row: here the first one. */
static void test_kill_at_zero(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "kill.jsonl", ROW(0, "-2500", "\"HardLimit\"", "true"));
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "num_ticks") == 1);
	assert_true(num(&r, "final_pnl") == -2500);
	assert_true(num(&r, "max_drawdown") == 0);
	assert_true(num(&r, "frac_hard") == 1);
	assert_true(num(&r, "frac_normal") == 0);
	assert_true(boolean(&r, "kill_switch"));
	assert_true(num(&r, "time_to_kill") == 0);
	run_release(&r);
}

/* Unknown labels count in the denominator only; null is left out of it, a
 * missing risk_regime too (the row has no label at all). */
static void test_regimes(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "reg.jsonl",
		    ROW(0, "0", "\"Normal\"", "false") ROW(1, "0", "\"Calm\"", "false")
			    ROW(2, "0", "\"normal\"", "false") ROW(3, "0", "null", "false")
				    ROW(4, "0", "\"Warning\"", "false")
					    "{\"t\":5,\"pnl_total\":0}\n");
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "frac_normal") == 0.25);
	assert_true(num(&r, "frac_warning") == 0.25);
	assert_true(num(&r, "frac_hard") == 0);
	/* the row without kill_switch counts as false */
	assert_false(boolean(&r, "kill_switch"));
	assert_true(is_null(&r, "time_to_kill"));
	run_release(&r);

	/* no row with a regime: the fractions are undefined, not 0 */
	run_default(&r, "noreg.jsonl", ROW(0, "0", "null", "false"));
	assert_int_equal(r.rc, 0);
	assert_true(is_null(&r, "frac_normal"));
	run_release(&r);
}

/* File order, not t order: last is the last line, drawdown and first_t
 * follow the lines. */
static void test_out_of_order(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "order.jsonl",
		    ROW(2, "10", "\"Normal\"", "false") ROW(0, "30", "\"Warning\"", "true")
			    ROW(1, "5", "\"HardLimit\"", "true") ROW(3, "20", "\"Normal\"", "false"));
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "final_pnl") == 20);
	assert_true(num(&r, "max_drawdown") == 25); /* 30 then 5 */
	assert_true(num(&r, "time_to_kill") == 0);  /* the first kill line has t=0 */
	assert_true(boolean(&r, "kill_switch"));
	run_release(&r);
}

/* Lines of several key orders and forms: a line with the keys of the one
 * before is read against them, a new order is learned, and lines the
 * one-pass reader leaves to the parser (an escape, a nested member) count
 * the same and do not disturb what was learned. */
static void test_row_shapes(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "shapes.jsonl",
		    "{\"t\":0,\"pnl_total\":1.0,\"risk_regime\":\"Normal\",\"kill_switch\":false}\n"
		    "{\"t\":1,\"pnl_total\":3.0,\"risk_regime\":\"Normal\",\"kill_switch\":false}\n"
		    "{\"pnl_total\":-2.0,\"t\":2,\"risk_regime\":\"Warning\",\"kill_switch\":false}\n"
		    "{\"t\":3,\"pnl_total\":0.5,\"risk_regime\":\"Hard\\u004cimit\",\"kill_switch\":false}\n"
		    "{\"pnl_total\": 2.5, \"t\": 4, \"risk_regime\": \"Normal\", \"kill_switch\": false}\n"
		    "{\"t\":5,\"pnl_total\":1.5,\"risk_regime\":\"HardLimit\",\"kill_switch\":true,"
		    "\"meta\":{\"a\":[1]}}\n"
		    "{\"pnl_total\":4.0,\"t\":6,\"risk_regime\":\"Warning\",\"kill_switch\":false}\n");
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "num_ticks") == 7);
	assert_true(num(&r, "final_pnl") == 4);
	assert_true(num(&r, "max_pnl") == 4);
	assert_true(num(&r, "min_pnl") == -2);
	assert_true(num(&r, "max_drawdown") == 5); /* 3 then -2 */
	assert_true(num(&r, "frac_normal") == 3.0 / 7);
	assert_true(num(&r, "frac_warning") == 2.0 / 7);
	assert_true(num(&r, "frac_hard") == 2.0 / 7);
	assert_true(boolean(&r, "kill_switch"));
	assert_true(num(&r, "time_to_kill") == 5);
	run_release(&r);
}

static void test_missing_fields(void **state)
{
	run_t r;
	(void)state;
	run_default(&r, "nopnl.jsonl",
		    ROW(0, "1", "\"Normal\"", "false") "{\"t\":1,\"risk_regime\":\"Normal\"}\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "nopnl.jsonl:2: the row has no 'pnl_total'");
	run_release(&r);

	run_default(&r, "bad.jsonl", ROW(0, "1", "\"Normal\"", "false") "\n{\"t\":1,\"pnl_total\":01}\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "bad.jsonl:3:"));
	run_release(&r);

	run_default(&r, "str.jsonl", "{\"t\":0,\"pnl_total\":\"12\"}\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "str.jsonl:1: 'pnl_total' is not a number");
	run_release(&r);

	run_default(&r, "arr.jsonl", "[1,2]\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "arr.jsonl:1: a tick row must be a JSON object");
	run_release(&r);

	run_default(&r, "killnum.jsonl", "{\"t\":0,\"pnl_total\":1,\"kill_switch\":1}\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "killnum.jsonl:1: 'kill_switch' is not a boolean");
	run_release(&r);

	/* a kill row without t */
	run_default(&r, "not.jsonl", "{\"pnl_total\":1,\"kill_switch\":true}\n");
	assert_int_equal(r.rc, HX_EINVALID);
	assert_string_equal(hx_error_last(), "not.jsonl:1: the row has no 't'");
	run_release(&r);

	/* the last line without a newline is read; CRLF is fine */
	run_default(&r, "crlf.jsonl", "{\"t\":0,\"pnl_total\":1}\r\n{\"t\":1,\"pnl_total\":-2}");
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "num_ticks") == 2);
	assert_true(num(&r, "final_pnl") == -2);
	run_release(&r);
}

/* Each function through a set of one's own. */
static void test_functions(void **state)
{
	hx_condense_set s;
	hx_cval v[16];
	unsigned long rows;
	hx_condense_fn fn;
	size_t i;
	(void)state;
	write_file("f.jsonl", "{\"t\":0,\"x\":1,\"s\":\"a\",\"b\":false,\"n\":null}\n"
			      "{\"t\":1,\"x\":NaN,\"s\":\"b\",\"b\":true}\n"
			      "{\"t\":7,\"x\":4,\"s\":\"a\",\"b\":true,\"n\":2}\n"
			      "{\"t\":3,\"x\":-2.5,\"b\":false,\"s\":null}\n");
	hx_condense_set_init(&s);
	assert_int_equal(hx_condense_set_add(&s, "rows", HX_CONDENSE_COUNT, NULL, NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "n_s", HX_CONDENSE_COUNT, "s", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "mean_x", HX_CONDENSE_MEAN, "x", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "min_x", HX_CONDENSE_MIN, "x", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "max_x", HX_CONDENSE_MAX, "x", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "last_s", HX_CONDENSE_LAST, "s", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "last_b", HX_CONDENSE_LAST, "b", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "last_x", HX_CONDENSE_LAST, "x", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "frac_a", HX_CONDENSE_FRACTION, "s", "a"), 0);
	assert_int_equal(hx_condense_set_add(&s, "frac_b", HX_CONDENSE_FRACTION, "b", "true"), 0);
	assert_int_equal(hx_condense_set_add(&s, "frac_4", HX_CONDENSE_FRACTION, "x", "4.0"), 0);
	assert_int_equal(hx_condense_set_add(&s, "any_b", HX_CONDENSE_ANY, "b", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "first_b", HX_CONDENSE_FIRST_T, "b", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "dd_x", HX_CONDENSE_MAX_DRAWDOWN, "x", NULL), 0);
	assert_int_equal(hx_condense_set_add(&s, "mean_n", HX_CONDENSE_MEAN, "n", NULL), 0);
	assert_int_equal(hx_condense_file(&s, "f.jsonl", v, &rows), 0);
	assert_int_equal(rows, 4);
	assert_true(v[0].num == 4);
	assert_true(v[1].num == 3); /* s null in the last row */
	assert_true(v[2].num == 2.5 / 3); /* (1 + 4 - 2.5) / 3, NaN skipped */
	assert_true(v[3].num == -2.5);
	assert_true(v[4].num == 4);
	assert_int_equal(v[5].type, HX_CVAL_NULL); /* last row's s is null */
	assert_int_equal(v[6].type, HX_CVAL_BOOL);
	assert_true(v[6].num == 0);
	assert_true(v[7].num == -2.5);
	assert_true(v[8].num == 2.0 / 3); /* a, b, a over 3 */
	assert_true(v[9].num == 0.5);
	assert_true(v[10].num == 0.25); /* NaN is a value: in the denominator */
	assert_int_equal(v[11].type, HX_CVAL_BOOL);
	assert_true(v[11].num == 1);
	assert_true(v[12].num == 1); /* the first true is at t=1 */
	assert_true(v[13].num == 6.5); /* 1, 4, -2.5 */
	assert_true(v[14].num == 2);
	for (i = 0; i < s.n; i++)
		hx_cval_release(&v[i]);
	hx_condense_set_release(&s);

	/* a string last value is copied out */
	write_file("g.jsonl", "{\"s\":\"x\"}\n{\"s\":\"Warning\"}\n");
	hx_condense_set_init(&s);
	assert_int_equal(hx_condense_set_add(&s, "last_s", HX_CONDENSE_LAST, "s", NULL), 0);
	assert_int_equal(hx_condense_file(&s, "g.jsonl", v, NULL), 0);
	assert_int_equal(v[0].type, HX_CVAL_STRING);
	assert_string_equal(v[0].str, "Warning");
	hx_cval_release(&v[0]);

	/* definitions that make no sense are refused */
	assert_int_equal(hx_condense_set_add(&s, "last_s", HX_CONDENSE_MAX, "x", NULL), HX_EINVALID);
	assert_string_equal(hx_error_last(), "condense metric 'last_s': defined twice");
	assert_int_equal(hx_condense_set_add(&s, "m", HX_CONDENSE_MAX, NULL, NULL), HX_EINVALID);
	assert_int_equal(hx_condense_set_add(&s, "f", HX_CONDENSE_FRACTION, "x", NULL), HX_EINVALID);
	assert_int_equal(hx_condense_set_add(&s, "g", HX_CONDENSE_ANY, "x", "1"), HX_EINVALID);
	assert_int_equal(hx_condense_set_add(&s, "", HX_CONDENSE_COUNT, NULL, NULL), HX_EINVALID);
	hx_condense_set_release(&s);

	assert_int_equal(hx_condense_fn_parse("first_t", &fn), 0);
	assert_int_equal(fn, HX_CONDENSE_FIRST_T);
	assert_string_equal(hx_condense_fn_name(fn), "first_t");
	assert_int_equal(hx_condense_fn_parse("median", &fn), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "'median'"));
}

static void test_dataset_writers(void **state)
{
	hx_condense_set s;
	hx_dataset_row rows[2];
	hx_cval p;
	hx_buf out = HX_BUF_INIT;
	(void)state;
	write_file("r1.jsonl", ROW(0, "0", "\"Normal\"", "false") ROW(1, "-3", "\"Warning\"", "true"));
	write_file("r2.jsonl", "");
	hx_condense_set_init(&s);
	hx_condense_set_default(&s);
	hx_dataset_row_init(&rows[0], "exp_balanced_r000", "balanced", "r1.jsonl");
	hx_dataset_row_init(&rows[1], "exp_balanced_r001", "balanced", "r2.jsonl");
	hx_cval_from_text(&p, "0.05");
	assert_int_equal(p.type, HX_CVAL_NUMBER);
	assert_int_equal(hx_dataset_row_add_param(&rows[0], "hedge_band_base", &p), 0);
	assert_int_equal(hx_dataset_row_add_param(&rows[1], "hedge_band_base", &p), 0);
	assert_int_equal(hx_dataset_row_add_param(&rows[0], "hedge_band_base", &p), HX_EINVALID);
	assert_int_equal(hx_dataset_row_add_param(&rows[0], "label", &p), HX_EINVALID);
	hx_cval_release(&p);
	hx_cval_from_text(&p, "a \"b\", c");
	assert_int_equal(p.type, HX_CVAL_STRING);
	assert_int_equal(hx_dataset_row_add_param(&rows[0], "note", &p), 0);
	hx_cval_release(&p);
	assert_int_equal(hx_dataset_row_condense(&rows[0], &s), 0);
	assert_int_equal(hx_dataset_row_condense(&rows[1], &s), HX_EINVALID);
	assert_true(rows[0].ok);
	assert_false(rows[1].ok);

	hx_dataset_write_jsonl(&out, rows, 2);
	assert_string_equal(
		out.ptr,
		"{\"final_pnl\":-3,\"frac_hard\":0,\"frac_normal\":0.5,\"frac_warning\":0.5,"
		"\"hedge_band_base\":0.05,\"kill_switch\":true,\"label\":\"exp_balanced_r000\","
		"\"max_drawdown\":3,\"max_pnl\":0,\"min_pnl\":-3,\"note\":\"a \\\"b\\\", c\","
		"\"num_ticks\":2,\"profile\":\"balanced\",\"status\":\"ok\",\"telemetry\":"
		"\"r1.jsonl\",\"time_to_kill\":1}\n"
		"{\"error\":\"r2.jsonl: no telemetry rows (the file is empty)\",\"hedge_band_base\":"
		"0.05,\"label\":\"exp_balanced_r001\",\"profile\":\"balanced\",\"status\":"
		"\"failed\",\"telemetry\":\"r2.jsonl\"}\n");
	hx_buf_reset(&out);
	hx_dataset_write_csv(&out, rows, 2);
	assert_string_equal(
		out.ptr,
		"label,profile,hedge_band_base,note,num_ticks,final_pnl,max_pnl,min_pnl,"
		"max_drawdown,frac_normal,frac_warning,frac_hard,kill_switch,time_to_kill,"
		"telemetry,status,error\n"
		"exp_balanced_r000,balanced,0.05,\"a \"\"b\"\", c\",2,-3,0,-3,3,0.5,0.5,0,true,1,"
		"r1.jsonl,ok,\n"
		"exp_balanced_r001,balanced,0.05,,,,,,,,,,,,r2.jsonl,failed,"
		"r2.jsonl: no telemetry rows (the file is empty)\n");
	hx_buf_reset(&out);
	hx_dataset_write_table(&out, rows, 2);
	assert_non_null(strstr(out.ptr, "label              profile   num_ticks"));
	assert_non_null(strstr(out.ptr, "exp_balanced_r000  balanced          2"));
	assert_non_null(strstr(out.ptr, "\nfailed exp_balanced_r001: r2.jsonl: no telemetry"));

	/* a parameter named like a metric fails the row */
	hx_cval_from_text(&p, "1");
	assert_int_equal(hx_dataset_row_add_param(&rows[0], "final_pnl", &p), 0);
	assert_int_equal(hx_dataset_row_condense(&rows[0], &s), HX_EINVALID);
	assert_false(rows[0].ok);
	assert_string_equal(rows[0].error, "parameter 'final_pnl' has the name of a condense metric");
	hx_cval_release(&p);

	hx_buf_release(&out);
	hx_dataset_row_release(&rows[0]);
	hx_dataset_row_release(&rows[1]);
	hx_condense_set_release(&s);
}

/* A line longer than the read block (1 MiB) and lines split across
 * blocks are read whole. */
static void test_long_lines(void **state)
{
	run_t r;
	size_t i, n = 3u << 20;
	FILE *fp = fopen("long.jsonl", "w");
	(void)state;
	assert_non_null(fp);
	fputs("{\"t\":0,\"pnl_total\":1,\"pad\":\"", fp);
	for (i = 0; i < n; i++)
		fputc('x', fp);
	fputs("\"}\n", fp);
	for (i = 1; i <= 20000; i++)
		fprintf(fp, "{\"t\":%zu,\"pnl_total\":%zu.5,\"risk_regime\":\"Normal\"}\n", i,
			i % 7);
	assert_int_equal(fclose(fp), 0);
	run_default(&r, "long.jsonl", NULL);
	assert_int_equal(r.rc, 0);
	assert_true(num(&r, "num_ticks") == 20001);
	assert_true(num(&r, "final_pnl") == 20000 % 7 + 0.5);
	assert_true(num(&r, "max_drawdown") == 6);
	assert_true(num(&r, "frac_normal") == 1);
	run_release(&r);
}

/* Rows condensed on threads are those condensed one by one. */
static void test_rows_parallel(void **state)
{
	hx_condense_set s;
	hx_dataset_row a[7], b[7];
	char path[32];
	size_t i, k;
	(void)state;
	hx_condense_set_init(&s);
	hx_condense_set_default(&s);
	for (i = 0; i < 7; i++) {
		snprintf(path, sizeof(path), "par%zu.jsonl", i);
		if (i == 3)
			write_file(path, "");
		else if (i == 5)
			write_file(path, "{\"t\":0}\n");
		else
			write_file(path, i % 2 ? ROW(0, "1", "\"Normal\"", "false") ROW(1, "-4", "\"Warning\"", "true")
					       : ROW(0, "-2", "\"HardLimit\"", "false"));
		hx_dataset_row_init(&a[i], path, "p", path);
		hx_dataset_row_init(&b[i], path, "p", path);
		assert_int_equal(hx_dataset_row_condense(&a[i], &s) != 0, i == 3 || i == 5);
	}
	assert_int_equal(hx_dataset_rows_condense(b, 7, &s, 3), 2);
	for (i = 0; i < 7; i++) {
		assert_int_equal(a[i].ok, b[i].ok);
		assert_int_equal(a[i].nvalues, b[i].nvalues);
		if (!a[i].ok)
			assert_string_equal(a[i].error, b[i].error);
		for (k = 0; k < a[i].nvalues; k++) {
			assert_int_equal(a[i].values[k].type, b[i].values[k].type);
			assert_true(a[i].values[k].num == b[i].values[k].num);
		}
		hx_dataset_row_release(&a[i]);
		hx_dataset_row_release(&b[i]);
	}
	hx_condense_set_release(&s);
}

/* The tokens are refused by default and read with the flag, lazy or not. */
static void test_json_nonfinite(void **state)
{
	hx_arena *a = hx_arena_new();
	hx_json *v = NULL;
	hx_json_error err;
	const char *doc = "[NaN,Infinity,-Infinity,-1,{\"a\":-Infinity}]";
	(void)state;
	assert_int_equal(hx_json_parse(&v, a, doc, strlen(doc), &err), HX_EINVALID);
	assert_string_equal(err.msg, "invalid literal 'NaN'");
	assert_int_equal(hx_json_parse_flags(&v, a, doc, strlen(doc), HX_JSON_NONFINITE, &err), 0);
	assert_true(isnan(v->u.array.items[0]->u.number));
	assert_true(isinf(v->u.array.items[1]->u.number) && v->u.array.items[1]->u.number > 0);
	assert_true(isinf(v->u.array.items[2]->u.number) && v->u.array.items[2]->u.number < 0);
	assert_true(v->u.array.items[3]->u.number == -1);
	assert_true(hx_json_get(v->u.array.items[4], "a")->u.number < 0);
	assert_int_equal(hx_json_parse_flags(&v, a, doc, strlen(doc), HX_JSON_NONFINITE | HX_JSON_LAZY,
					     &err),
			 0);
	assert_true(isnan(hx_json_number_value(v->u.array.items[0]->u.lazy.text,
					       v->u.array.items[0]->u.lazy.len)));
	assert_true(hx_json_number_value(v->u.array.items[2]->u.lazy.text,
					 v->u.array.items[2]->u.lazy.len) == -HUGE_VAL);
	{
		hx_json *m = hx_json_get(v->u.array.items[4], "a");
		assert_true(hx_json_number_value(m->u.lazy.text, m->u.lazy.len) == -HUGE_VAL);
	}
	/* only those exact words */
	assert_int_equal(hx_json_parse_flags(&v, a, "NaNa", 4, HX_JSON_NONFINITE, &err), HX_EINVALID);
	assert_int_equal(hx_json_parse_flags(&v, a, "-Inf", 4, HX_JSON_NONFINITE, &err), HX_EINVALID);
	assert_int_equal(hx_json_parse_flags(&v, a, "nan", 3, HX_JSON_NONFINITE, &err), HX_EINVALID);
	assert_int_equal(hx_json_parse_lazy(&v, a, "-Infinity", 9, &err), HX_EINVALID);
	hx_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drawdown_nonfinite), cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_kill_at_zero),       cmocka_unit_test(test_regimes),
		cmocka_unit_test(test_out_of_order),       cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_functions),          cmocka_unit_test(test_dataset_writers),
		cmocka_unit_test(test_json_nonfinite),     cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_rows_parallel),      cmocka_unit_test(test_row_shapes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
