/* test_series_summary.c - the dataset reader (JSONL and CSV) and the
 * research summary: sample std (n - 1), medians, per profile, top runs.
 * Expected values by hand (python3 statistics.stdev where noted). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "error.h"
#include "series/rowset.h"
#include "series/summary.h"

static void close_to(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 + 1e-12 * fabs(want)))
		fail_msg("got %.17g, want %.17g", got, want);
}

static int parse(hx_rowset *rs, const char *text)
{
	return hx_rowset_parse(rs, "ds", text, strlen(text));
}

static void test_moments(void **state)
{
	double even[] = {4, 1, 3, 2}, odd[] = {5, 1, 3}, one[] = {7};
	hx_moments m;
	(void)state;
	hx_moments_of(&m, even, 4);
	close_to(m.mean, 2.5);
	close_to(m.median, 2.5); /* (2 + 3) / 2 */
	/* sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3): statistics.stdev([1,2,3,4]) */
	close_to(m.std, 1.2909944487358056);
	hx_moments_of(&m, odd, 3);
	close_to(m.mean, 3);
	close_to(m.median, 3);
	close_to(m.std, 2); /* sqrt((4 + 4 + 0) / 2), not the population 1.633 */
	hx_moments_of(&m, one, 1);
	close_to(m.median, 7);
	assert_true(isnan(m.std)); /* no spread from one run */
	hx_moments_of(&m, one, 0);
	assert_true(isnan(m.mean) && isnan(m.median));
}

static const char jsonl[] =
	"{\"label\":\"a1\",\"profile\":\"balanced\",\"mm_size_eta\":1,\"final_pnl\":100,"
	"\"max_drawdown\":100,\"max_pnl\":120,\"min_pnl\":-10,\"kill_switch\":false,"
	"\"num_ticks\":2000,\"frac_normal\":1,\"seed\":7}\n"
	"\n"
	"{\"label\":\"a2\",\"profile\":\"aggressive\",\"final_pnl\":50,\"max_drawdown\":-20,"
	"\"max_pnl\":60,\"min_pnl\":-30,\"kill_switch\":true,\"params\":{\"vol_ref\":0.5}}\n"
	"{\"label\":\"a3\",\"profile\":\"balanced\",\"mm_size_eta\":1,\"final_pnl\":150,"
	"\"max_drawdown\":200,\"max_pnl\":160,\"min_pnl\":0,\"kill_switch\":false}\n"
	"{\"label\":\"bad\",\"profile\":\"balanced\",\"error\":\"empty telemetry file\"}\n"
	"{\"label\":\"a4\",\"profile\":\"aggressive\",\"final_pnl\":-40,\"max_drawdown\":0,"
	"\"max_pnl\":10,\"min_pnl\":-40,\"kill_switch\":false}\n";

static void test_read_jsonl(void **state)
{
	hx_rowset rs;
	(void)state;
	assert_int_equal(parse(&rs, jsonl), 0);
	assert_int_equal(rs.n, 5);
	assert_int_equal(rs.failed, 1);
	assert_string_equal(rs.rows[1].label, "a2");
	assert_int_equal(rs.rows[1].line, 3);
	assert_true(rs.rows[1].kill_switch);
	close_to(rs.rows[1].max_drawdown, -20);
	/* parameters: mm_size_eta, not seed/num_ticks/frac_*; params{} flattened */
	assert_int_equal(rs.rows[0].nparams, 1);
	assert_string_equal(hx_row_param(&rs.rows[0], "mm_size_eta"), "1");
	assert_null(hx_row_param(&rs.rows[0], "seed"));
	assert_string_equal(hx_row_param(&rs.rows[1], "vol_ref"), "0.5");
	assert_true(rs.rows[3].failed);
	hx_rowset_release(&rs);
}

static void test_read_csv(void **state)
{
	/* pandas' to_csv: True/False, a quoted cell, CRLF line ends */
	static const char csv[] =
		"label,profile,mm_size_eta,final_pnl,max_drawdown,max_pnl,min_pnl,kill_switch\r\n"
		"\"a, \"\"quoted\"\"\",balanced,1.0,100,100,120,-10,False\r\n"
		"b,aggressive,2,-5.5,1e3,1,-7,True\r\n"
		"c,aggressive,2,0,0,0,0,1\r\n";
	hx_rowset rs;
	(void)state;
	assert_int_equal(parse(&rs, csv), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.rows[0].label, "a, \"quoted\"");
	assert_false(rs.rows[0].kill_switch);
	assert_true(rs.rows[1].kill_switch);
	assert_true(rs.rows[2].kill_switch);
	close_to(rs.rows[1].max_drawdown, 1000);
	close_to(rs.rows[1].final_pnl, -5.5);
	assert_string_equal(hx_row_param(&rs.rows[0], "mm_size_eta"), "1.0");
	assert_int_equal(rs.rows[2].line, 4);
	hx_rowset_release(&rs);
}

static void expect_error(const char *text, const char *msg)
{
	hx_rowset rs;
	assert_int_equal(parse(&rs, text), HX_EINVALID);
	if (!strstr(hx_error_last(), msg))
		fail_msg("message '%s' lacks '%s'", hx_error_last(), msg);
	hx_rowset_release(&rs);
}

static void test_read_errors(void **state)
{
	(void)state;
	expect_error("{\"profile\":\"a\",\"final_pnl\":1,\"max_drawdown\":1,\"max_pnl\":1,"
		     "\"min_pnl\":1}\n",
		     "ds:1: missing field 'kill_switch'");
	expect_error("{\"profile\":\"a\",\"final_pnl\":\"x\"}\n",
		     "ds:1: 'final_pnl' must be a number");
	expect_error("\n{\"final_pnl\":1}\n", "ds:2: missing field 'profile'");
	expect_error("{\"profile\":\"a\",}\n", "ds:1:");
	expect_error("profile,final_pnl,max_drawdown,max_pnl,min_pnl,kill_switch\n"
		     "a,1,2,3,4,maybe\n",
		     "ds:2: 'kill_switch' must be True or False, not 'maybe'");
	expect_error("profile,final_pnl,max_drawdown,max_pnl,min_pnl,kill_switch\n"
		     "a,1,2,3,4,True\na,nan,2,3,4,True\n",
		     "ds:3: 'final_pnl' must be a finite number, not 'nan'");
	expect_error("profile,final_pnl\na,1,2\n", "ds:2: 3 fields where the header has 2");
	expect_error("profile,final_pnl\n\"a,1\n", "ds:2: unterminated quoted field");
	expect_error("", "ds: empty dataset");
	expect_error(" \n\r\n", "ds: empty dataset");
}

static void test_read_csv_quoted_newline(void **state)
{
	hx_rowset rs;
	(void)state;
	/* a quoted cell across lines: the next row's line number follows */
	assert_int_equal(parse(&rs, "label,profile,final_pnl,max_drawdown,max_pnl,min_pnl,"
				    "kill_switch\n\"two\nlines\",p,1,2,3,4,false\n"
				    "x,p,1,2,3,4,true\n\n"),
			 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.rows[0].label, "two\nlines");
	assert_int_equal(rs.rows[1].line, 4);
	hx_rowset_release(&rs);
	/* a header only: no rows, not an error */
	assert_int_equal(parse(&rs, "profile,final_pnl\n"), 0);
	assert_int_equal(rs.n, 0);
	hx_rowset_release(&rs);
}

static void test_summary(void **state)
{
	hx_rowset rs;
	hx_summary s;
	(void)state;
	assert_int_equal(parse(&rs, jsonl), 0);
	hx_summary_compute(&s, &rs, 0.5, 3);
	/* the four good rows: final_pnl 100, 50, 150, -40 */
	assert_int_equal(s.all.runs, 4);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.all.kills, 1);
	close_to(s.all.kill_frac, 0.25);
	close_to(s.all.m[HX_M_FINAL_PNL].mean, 65);
	close_to(s.all.m[HX_M_FINAL_PNL].median, 75); /* (50 + 100) / 2 */
	/* statistics.stdev([100, 50, 150, -40]) */
	close_to(s.all.m[HX_M_FINAL_PNL].std, 81.03497187428812);
	close_to(s.all.m[HX_M_MAX_DRAWDOWN].mean, 70); /* (100 - 20 + 200 + 0) / 4 */
	close_to(s.all.dd_clipped_mean, 75);           /* the -20 counts as 0 */
	/* profiles sorted by name: aggressive before balanced */
	assert_int_equal(s.nprofiles, 2);
	assert_string_equal(s.profiles[0].name, "aggressive");
	assert_int_equal(s.profiles[0].runs, 2);
	close_to(s.profiles[0].m[HX_M_FINAL_PNL].mean, 5);
	close_to(s.profiles[0].m[HX_M_FINAL_PNL].median, 5);
	close_to(s.profiles[0].dd_clipped_mean, 0);
	close_to(s.profiles[0].kill_frac, 0.5);
	assert_string_equal(s.profiles[1].name, "balanced");
	close_to(s.profiles[1].m[HX_M_FINAL_PNL].mean, 125);
	close_to(s.profiles[1].dd_clipped_mean, 150);
	/* utilities: a1 100-50 = 50, a2 50-0 = 50, a3 150-100 = 50, a4 -40:
	 * a three-way tie kept in dataset order */
	assert_int_equal(s.ntop, 3);
	assert_int_equal(s.top[0].row, 0);
	assert_int_equal(s.top[1].row, 1);
	assert_int_equal(s.top[2].row, 2);
	close_to(s.top[2].utility, 50);
	hx_summary_release(&s);

	/* a utility weight of 1: a1 0, a2 50, a3 -50, a4 -40 */
	hx_summary_compute(&s, &rs, 1.0, 10);
	assert_int_equal(s.ntop, 4);
	assert_int_equal(s.top[0].row, 1);
	assert_int_equal(s.top[1].row, 0);
	assert_int_equal(s.top[2].row, 4);
	assert_int_equal(s.top[3].row, 2);
	hx_summary_release(&s);
	hx_rowset_release(&rs);
}

static void test_csv_render(void **state)
{
	hx_rowset rs;
	hx_summary s;
	hx_buf out = HX_BUF_INIT;
	(void)state;
	assert_int_equal(parse(&rs, "{\"profile\":\"p,q\",\"final_pnl\":1.5,\"max_drawdown\":0,"
				    "\"max_pnl\":2,\"min_pnl\":0,\"kill_switch\":false}\n"),
			 0);
	hx_summary_compute(&s, &rs, 0.5, 1);
	hx_summary_format_csv(&out, &s);
	/* one run: std cells empty; a name with a comma quoted */
	assert_non_null(strstr(out.ptr, "\nall,1,0,0,1.5,1.5,,0,0,,2,2,,0,0,,0,1.5\n"
					"\"p,q\",1,0,0,1.5,1.5,,"));
	hx_buf_release(&out);
	hx_summary_release(&s);
	hx_rowset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moments),	  cmocka_unit_test(test_read_jsonl),
		cmocka_unit_test(test_read_csv),  cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_csv_quoted_newline),
		cmocka_unit_test(test_summary),	  cmocka_unit_test(test_csv_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
