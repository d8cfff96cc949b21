/* cmd_align.c - harness align DATASET [--budgets FILE] [--select K] [--json|--csv] */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "series/align.h"
#include "series/rowset.h"

static const char usage[] =
	"usage: harness align DATASET [--budgets FILE] [--select K] [--json|--csv]\n"
	"\n"
	"Check a research dataset (JSONL or CSV, one row per run) against the\n"
	"world-model risk budgets of the tiers conservative, balanced and\n"
	"aggressive (a tier's runs are the rows of that profile): mean final_pnl,\n"
	"mean max_drawdown and kill probability (with its Wilson 95% interval)\n"
	"against max_kill_prob, max_drawdown_abs and min_final_pnl_mean, the\n"
	"margins (positive on the safe side) and the score\n"
	"  pnl_mean - (lambda_std*pnl_std + lambda_dd*dd_mean + lambda_kill*kill_prob).\n"
	"A kill verdict whose interval straddles the budget is 'not settled'; a\n"
	"tier without runs has no verdict.\n"
	"\n"
	"  --budgets FILE  YAML: tier -> {max_kill_prob, max_drawdown_abs,\n"
	"                  min_final_pnl_mean, lambda_std, lambda_dd, lambda_kill},\n"
	"                  replacing the defaults key by key\n"
	"  --select K      print instead the top K presets per tier (a preset: a\n"
	"                  profile with one set of parameter values) that meet the\n"
	"                  budgets, by score; when none does, the best score with a\n"
	"                  warning\n"
	"  --json          one canonical JSON object\n"
	"  --csv           the users' alignment CSV (their columns first)\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or input, 3 system failure\n";

int cmd_align(int argc, char **argv)
{
	static const char *const options[] = {"--budgets", "--select", "--json", "--csv",
					      "--help",	   NULL};
	const char *file = NULL, *budgets_file = NULL, *v;
	int i, json = 0, csv = 0, err;
	uint64_t k = 0;
	size_t t;
	hx_budgets b;
	hx_rowset rs;
	hx_alignment a;
	hx_buf out = HX_BUF_INIT;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--csv") == 0) {
			csv = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--budgets")) != NULL) {
			if (!*v) {
				hx_cli_error("align", "'--budgets' needs a file (see 'harness align --help')");
				return 2;
			}
			budgets_file = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--select")) != NULL) {
			if (hx_cli_parse_u64(v, &k) != 0 || k == 0 || k > 1000000) {
				hx_cli_error("align", "'--select' needs a count of at least 1, not '%s'",
					     v);
				return 2;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("align", argv[i], NULL, options, "harness align --help");
			return 2;
		} else if (hx_cli_dataset_operand("align", &file, argv[i]) != 0) {
			return 2;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return 2;
	}
	if (hx_cli_json_or_csv("align", json, csv) != 0)
		return 2;
	if (budgets_file)
		err = hx_budgets_load(&b, budgets_file);
	else
		hx_budgets_default(&b), err = 0;
	if (err != 0) {
		hx_cli_error("align", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	if ((err = hx_rowset_load(&rs, file)) != 0) {
		hx_cli_error("align", "%s", hx_error_last());
		hx_rowset_release(&rs);
		return hx_error_exit_status(err);
	}
	if (k) {
		hx_selections sel;
		hx_select_compute(&sel, &rs, &b, (size_t)k);
		for (t = 0; t < HX_ALIGN_NTIERS; t++)
			if (sel.tier[t].fallback)
				hx_cli_error("align",
					     "warning: no '%s' preset meets the budgets; the best "
					     "score is shown instead",
					     hx_align_tier_names[t]);
		if (json)
			hx_select_format_json(&out, &sel, &rs, (size_t)k);
		else if (csv)
			hx_select_format_csv(&out, &sel, &rs);
		else
			hx_select_format_text(&out, &sel, &rs, (size_t)k);
		hx_select_release(&sel);
		goto print;
	}
	hx_align_compute(&a, &rs, &b);
	if (json)
		hx_align_format_json(&out, &a);
	else if (csv)
		hx_align_format_csv(&out, &a);
	else
		hx_align_format_text(&out, &a);
	if (rs.failed && !json && !csv)
		hx_buf_printf(&out, "%zu failed row%s left out\n", rs.failed,
			      rs.failed == 1 ? "" : "s");
print:
	fwrite(out.ptr, 1, out.len, stdout);
	hx_buf_release(&out);
	hx_rowset_release(&rs);
	return fflush(stdout) == 0 ? 0 : 3;
}
