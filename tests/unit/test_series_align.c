/* test_series_align.c - alignment against risk budgets (arithmetic,
 * verdicts, margins, score, Wilson interval, tiers without runs), the
 * budgets file, preset selection and its fallback, the safety tuner.
 * Expected values by hand; python3 where noted:
 *   z = 1.959963984540054; wilson(k, n): p = k/n, d = 1 + z*z/n,
 *   c = (p + z*z/(2n))/d, h = z*sqrt(p(1-p)/n + z*z/(4n*n))/d. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "series/align.h"
#include "series/rowset.h"

static void close_to(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 + 1e-12 * fabs(want)))
		fail_msg("got %.17g, want %.17g", got, want);
}

static void row(hx_buf *b, const char *profile, const char *params, double pnl, double dd,
		int kill)
{
	hx_buf_printf(b,
		      "{\"profile\":\"%s\"%s,\"final_pnl\":%.17g,\"max_drawdown\":%.17g,"
		      "\"max_pnl\":0,\"min_pnl\":0,\"kill_switch\":%s}\n",
		      profile, params, pnl, dd, kill ? "true" : "false");
}

static void load(hx_rowset *rs, const hx_buf *b)
{
	assert_int_equal(hx_rowset_parse(rs, "ds", b->ptr, b->len), 0);
}

static void test_align(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_rowset rs;
	hx_budgets bud;
	hx_alignment a;
	const hx_align_stats *c, *m;
	(void)state;
	row(&b, "conservative", "", 100, 500, 0);
	row(&b, "balanced", "", 10, 4500, 0);
	row(&b, "conservative", "", 300, 1500, 1);
	row(&b, "balanced", "", 20, 4200, 0);
	row(&b, "other", "", 1e6, 0, 0);
	row(&b, "balanced", "", 30, 3900, 0);
	load(&rs, &b);
	hx_budgets_default(&bud);
	hx_align_compute(&a, &rs, &bud);
	assert_int_equal(a.unmatched, 1);

	c = &a.tier[0]; /* conservative 0.01 / 2000 / 0, lambdas 0.5 / 0.5 / 200 */
	assert_int_equal(c->n_runs, 2);
	close_to(c->pnl_mean, 200);
	close_to(c->pnl_std, 141.4213562373095); /* statistics.stdev([100, 300]) */
	close_to(c->dd_mean, 1000);
	close_to(c->kill_prob, 0.5);
	assert_false(c->kill_ok);
	assert_true(c->dd_ok);
	assert_true(c->pnl_ok);
	close_to(c->kill_margin, 0.01 - 0.5); /* negative: over budget */
	close_to(c->dd_margin, 1000);
	close_to(c->pnl_margin, 200);
	/* 200 - (0.5 * 141.42 + 0.5 * 1000 + 200 * 0.5); the users' script
	 * would have dropped the 500 (|min(0, 1000)| = 0) */
	close_to(c->score, -470.71067811865476);
	close_to(c->kill_lo, 0.09453120573423074); /* wilson(1, 2) */
	close_to(c->kill_hi, 0.9054687942657693);
	assert_true(c->kill_settled); /* lo > 0.01: over for sure */
	assert_int_equal(c->status, HX_ALIGN_FAIL);

	m = &a.tier[1]; /* balanced 0.05 / 4000 / 0, lambdas 0.3 / 0.3 / 100 */
	assert_int_equal(m->n_runs, 3);
	close_to(m->pnl_mean, 20);
	close_to(m->pnl_std, 10);
	close_to(m->dd_mean, 4200);
	assert_true(m->kill_ok);
	assert_false(m->dd_ok);
	close_to(m->dd_margin, -200);
	close_to(m->kill_margin, 0.05);
	close_to(m->score, 20 - (0.3 * 10 + 0.3 * 4200));
	close_to(m->kill_hi, 0.5614970317550454); /* wilson(0, 3) */
	assert_false(m->kill_settled);	  /* [0, 0.56] straddles 0.05 */
	assert_int_equal(m->status, HX_ALIGN_FAIL);

	/* aggressive: no runs, no verdict */
	assert_int_equal(a.tier[2].n_runs, 0);
	assert_int_equal(a.tier[2].status, HX_ALIGN_NO_RUNS);
	assert_true(isnan(a.tier[2].pnl_mean) && isnan(a.tier[2].score));

	/* the CSV: the users' columns first, in order; no verdicts for a
	 * tier without runs */
	hx_buf_reset(&b);
	hx_align_format_csv(&b, &a);
	assert_memory_equal(b.ptr,
			    "risk_tier,n_runs,budget_max_kill_prob,budget_max_dd_abs,"
			    "budget_min_final_pnl_mean,emp_final_pnl_mean,emp_max_drawdown_mean,"
			    "emp_kill_prob,emp_kill_ok,emp_dd_ok,emp_pnl_ok,emp_kill_margin,"
			    "emp_dd_margin,emp_pnl_margin,emp_score,",
			    225);
	assert_non_null(strstr(b.ptr, "\nconservative,2,0.01,2000,0,200,1000,0.5,False,True,True,"
				      "-0.49,1000,200,-470.71067811865476,"));
	assert_non_null(strstr(b.ptr, "\naggressive,0,0.15,8000,-500,,,,,,,,,,,,,,,no_runs\n"));
	hx_buf_release(&b);
	hx_rowset_release(&rs);
}

static void test_stats_edges(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_rowset rs;
	hx_budgets bud;
	hx_align_stats s;
	size_t idx[400], i;
	(void)state;
	hx_budgets_default(&bud);
	/* 400 runs without a kill: wilson(0, 400) hi = 0.00951 <= 0.01: settled */
	for (i = 0; i < 400; i++) {
		row(&b, "conservative", "", 1, 1, 0);
		idx[i] = i;
	}
	load(&rs, &b);
	hx_align_stats_of(&s, &rs, idx, 400, &bud.tier[0]);
	close_to(s.kill_hi, 0.009512294334296508);
	assert_true(s.kill_ok && s.kill_settled);
	/* 380 runs: hi = 0.01001 > 0.01: not settled although kill_ok */
	hx_align_stats_of(&s, &rs, idx, 380, &bud.tier[0]);
	assert_true(s.kill_ok);
	assert_false(s.kill_settled);
	/* one run: no std, the score counts it as 0: 1 - (0.5 * 1 + 0) */
	hx_align_stats_of(&s, &rs, idx, 1, &bud.tier[0]);
	assert_true(isnan(s.pnl_std));
	close_to(s.score, 0.5);
	hx_rowset_release(&rs);

	/* a negative drawdown mean is checked by its magnitude */
	hx_buf_reset(&b);
	row(&b, "aggressive", "", -600, -9000, 0);
	load(&rs, &b);
	hx_align_stats_of(&s, &rs, idx, 1, &bud.tier[2]);
	assert_false(s.dd_ok);
	close_to(s.dd_margin, -1000);
	assert_false(s.pnl_ok);
	close_to(s.pnl_margin, -100); /* -600 - (-500) */
	hx_rowset_release(&rs);
	hx_buf_release(&b);
}

static int budgets(hx_budgets *b, const char *text)
{
	return hx_budgets_parse(b, "b.yaml", text, strlen(text));
}

static void test_budgets(void **state)
{
	static const char ok[] = "conservative: {max_kill_prob: 0.02, max_drawdown_abs: 1500}\n"
				 "aggressive:\n  lambda_kill: 80\n  min_final_pnl_mean: -1e3\n";
	hx_budgets b;
	(void)state;
	assert_int_equal(budgets(&b, ok), 0);
	close_to(b.tier[0].max_kill_prob, 0.02);
	close_to(b.tier[0].max_drawdown_abs, 1500);
	close_to(b.tier[0].lambda_kill, 200); /* kept */
	close_to(b.tier[1].max_kill_prob, 0.05);
	close_to(b.tier[2].lambda_kill, 80);
	close_to(b.tier[2].min_final_pnl_mean, -1000);
	close_to(b.tier[2].max_drawdown_abs, 8000);

	assert_int_equal(budgets(&b, "balanced: {max_kill_prb: 1}\n"),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "b.yaml:1:12: unknown key 'max_kill_prb' (did you mean 'max_kill_prob'?)");
	assert_int_equal(budgets(&b, "conservatve: {}\n"), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "b.yaml:1:1: unknown tier 'conservatve'"));
	assert_int_equal(budgets(&b, "balanced:\n  max_kill_prob: 2\n"), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "b.yaml:2:18: 'max_kill_prob' must be a number from 0 to 1"));
	assert_int_equal(budgets(&b, "balanced: 3\n"), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "b.yaml:1:11:"));
}

static void test_select(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_rowset rs;
	hx_budgets bud;
	hx_selections sel;
	const hx_selection *c;
	(void)state;
	/* conservative (0.01 / 2000 / 0; 0.5 / 0.5 / 200) */
	row(&b, "conservative", ",\"eta\":1", 100, 100, 0); /* } eta 1: score */
	row(&b, "conservative", ",\"eta\":2", 400, 200, 0); /*   150 - 35.36 - 50 */
	row(&b, "conservative", ",\"eta\":1", 200, 100, 0); /* } = 64.64 */
	row(&b, "conservative", ",\"eta\":3", 1000, 3000, 0); /* dd over: -500 */
	row(&b, "conservative", ",\"eta\":4", 300, 200, 0);   /* 200 */
	row(&b, "conservative", ",\"eta\":5", 300, 200, 0);   /* 200, a tie */
	row(&b, "balanced", ",\"eta\":1", -10, 10, 0);  /* pnl under: -13 */
	row(&b, "balanced", ",\"eta\":2", -5, 100, 0);  /* pnl under: -35 */
	load(&rs, &b);
	hx_budgets_default(&bud);

	hx_select_compute(&sel, &rs, &bud, 3);
	c = &sel.tier[0];
	assert_int_equal(c->npresets, 5);
	assert_false(c->fallback);
	assert_int_equal(c->nchosen, 3);
	assert_string_equal(hx_row_param(&rs.rows[c->chosen[0].first_row], "eta"), "2");
	close_to(c->chosen[0].stats.score, 300); /* one run: 400 - 0.5 * 200 */
	assert_string_equal(hx_row_param(&rs.rows[c->chosen[1].first_row], "eta"), "4");
	assert_string_equal(hx_row_param(&rs.rows[c->chosen[2].first_row], "eta"), "5");
	close_to(c->chosen[2].stats.score, 200);

	/* none of balanced's presets meets the budgets: the best score, flagged */
	c = &sel.tier[1];
	assert_int_equal(c->npresets, 2);
	assert_true(c->fallback);
	assert_int_equal(c->nchosen, 1);
	assert_string_equal(hx_row_param(&rs.rows[c->chosen[0].first_row], "eta"), "1");
	close_to(c->chosen[0].stats.score, -13);

	/* no presets at all: nothing chosen, no fallback */
	assert_int_equal(sel.tier[2].npresets, 0);
	assert_int_equal(sel.tier[2].nchosen, 0);
	assert_false(sel.tier[2].fallback);
	hx_select_release(&sel);

	/* k = 4 takes the tied eta 5 and eta 1 (64.64) but not eta 3 (over) */
	hx_select_compute(&sel, &rs, &bud, 10);
	assert_int_equal(sel.tier[0].nchosen, 4);
	close_to(sel.tier[0].chosen[3].stats.score, 64.64466094067262);
	assert_int_equal(sel.tier[0].chosen[3].stats.n_runs, 2);
	hx_select_release(&sel);
	hx_rowset_release(&rs);
	hx_buf_release(&b);
}

static const char *const names[] = {"daily_loss_limit", "mm_size_eta", "hedge_band_base"};

static void tune(hx_tuning *t, double dd_mean, double kill_prob, double loss, size_t n_runs,
		 const hx_budget *b)
{
	hx_align_stats st;
	double values[3];
	memset(&st, 0, sizeof(st));
	st.n_runs = n_runs;
	st.dd_mean = dd_mean;
	st.kill_prob = kill_prob;
	values[0] = loss;
	values[1] = 1;
	values[2] = 5;
	hx_tune_tier(t, &st, b, names, values, 3, NULL, NULL);
}

static void test_tune(void **state)
{
	hx_budgets bud;
	hx_budget zero;
	hx_tuning t;
	(void)state;
	hx_budgets_default(&bud); /* conservative: dd 2000, kill 0.01 */

	/* ratio exactly 1.05 (2100 / 2000): untouched */
	tune(&t, 2100, 0, 2000, 4, &bud.tier[0]);
	close_to(t.dd_ratio, 1.05);
	close_to(t.kill_ratio, 0);
	close_to(t.risk_scale, 1);
	close_to(t.params[0].after, 2000);
	close_to(t.params[1].after, 1);
	assert_false(t.loss_capped);
	hx_tuning_release(&t);

	/* both ratios 2: scale 0.5 on the risk parameters only */
	tune(&t, 4000, 0.02, 3000, 4, &bud.tier[0]);
	close_to(t.dd_ratio, 2);
	close_to(t.kill_ratio, 2);
	close_to(t.risk_scale, 0.5);
	close_to(t.params[0].after, 1500);
	close_to(t.params[1].after, 0.5);
	close_to(t.params[2].after, 5); /* hedge_band_base is not a risk parameter */
	assert_false(t.loss_capped);
	hx_tuning_release(&t);

	/* the smaller scale wins: dd 1.5 -> 0.667, kill 50 -> 0.02 -> floor 0.1 */
	tune(&t, 3000, 0.5, 1000, 4, &bud.tier[0]);
	close_to(t.kill_ratio, 50);
	close_to(t.risk_scale, 0.1);
	close_to(t.params[1].after, 0.1);
	close_to(t.params[0].after, 100);
	hx_tuning_release(&t);

	/* loss limit cap: 2300 > 1.1 * 2000 -> 2000; 2200 stays */
	tune(&t, 1000, 0, 2300, 4, &bud.tier[0]);
	close_to(t.risk_scale, 1);
	assert_true(t.loss_capped);
	close_to(t.params[0].before, 2300);
	close_to(t.params[0].after, 2000);
	hx_tuning_release(&t);
	tune(&t, 1000, 0, 2200, 4, &bud.tier[0]);
	assert_false(t.loss_capped);
	close_to(t.params[0].after, 2200);
	hx_tuning_release(&t);

	/* scaled first, then capped: 6000 * (2000 / 3000) = 4000 > 2200 -> 2000 */
	tune(&t, 3000, 0, 6000, 4, &bud.tier[0]);
	close_to(t.risk_scale, 2.0 / 3.0);
	assert_true(t.loss_capped);
	close_to(t.params[0].after, 2000);
	close_to(t.params[1].after, 2.0 / 3.0);
	hx_tuning_release(&t);

	/* a zero kill budget with kills: infinite ratio, the 0.1 floor */
	zero = bud.tier[0];
	zero.max_kill_prob = 0;
	tune(&t, 0, 0.1, 1000, 4, &zero);
	assert_true(isinf(t.kill_ratio));
	close_to(t.risk_scale, 0.1);
	hx_tuning_release(&t);

	/* no runs: nothing to go on, nothing changed */
	tune(&t, NAN, NAN, 9000, 0, &bud.tier[0]);
	assert_false(t.has_runs);
	close_to(t.risk_scale, 1);
	close_to(t.params[0].after, 9000);
	assert_false(t.loss_capped);
	hx_tuning_release(&t);
}

static void test_presets(void **state)
{
	static const char text[] = "balanced: {daily_loss_limit: 5000, mm_size_eta: 1.5}\n";
	hx_tune_presets p;
	hx_buf b = HX_BUF_INIT;
	hx_rowset rs;
	hx_budgets bud;
	hx_alignment a;
	hx_tuning t[HX_ALIGN_NTIERS];
	size_t k;
	(void)state;
	assert_int_equal(hx_tune_presets_parse(&p, "p.yaml", text, strlen(text)), 0);
	assert_false(p.tier[0].given);
	assert_true(p.tier[1].given);
	assert_int_equal(p.tier[1].n, 2);
	assert_string_equal(p.tier[1].names[1], "mm_size_eta");
	close_to(p.tier[1].values[1], 1.5);

	/* balanced: dd 4200 / 4000 = 1.05 exactly: not scaled; the loss limit
	 * 5000 > 4400: capped at 4000 */
	row(&b, "balanced", "", 10, 4200, 0);
	load(&rs, &b);
	hx_budgets_default(&bud);
	hx_align_compute(&a, &rs, &bud);
	hx_tune_all(t, &a, &p, NULL);
	close_to(t[1].risk_scale, 1);
	assert_true(t[1].loss_capped);
	close_to(t[1].params[0].after, 4000);
	close_to(t[1].params[1].after, 1.5);
	assert_int_equal(t[0].nparams, 0); /* not given */
	for (k = 0; k < HX_ALIGN_NTIERS; k++)
		hx_tuning_release(&t[k]);
	hx_tune_presets_release(&p);
	hx_rowset_release(&rs);
	hx_buf_release(&b);

	assert_int_equal(hx_tune_presets_parse(&p, "p.yaml", "balanced: {eta: fast}\n", 22),
			 HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "p.yaml:1:17: 'eta' must be a finite number"));
	hx_tune_presets_release(&p);
	assert_int_equal(hx_tune_presets_parse(&p, "p.yaml", "balance: {}\n", 12), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "unknown tier 'balance' (did you mean 'balanced'?)"));
	hx_tune_presets_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_align),  cmocka_unit_test(test_stats_edges),
		cmocka_unit_test(test_budgets), cmocka_unit_test(test_select),
		cmocka_unit_test(test_tune),	cmocka_unit_test(test_presets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
