/* cmd_summary.c - harness summary DATASET [--top N] [--dd-weight W] [--json|--csv] */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "series/rowset.h"
#include "series/summary.h"

static const char usage[] =
	"usage: harness summary DATASET [--top N] [--dd-weight W] [--json|--csv]\n"
	"\n"
	"Summarise a research dataset (JSONL or CSV, one row per run): run count;\n"
	"mean, median and sample standard deviation (n-1) of final_pnl,\n"
	"max_drawdown, max_pnl and min_pnl; kills; per profile (sorted by name)\n"
	"runs, mean and median final_pnl, mean drawdown clipped at 0 and kill\n"
	"fraction; the top runs by utility = final_pnl - W * max(max_drawdown, 0)\n"
	"(ties in dataset order). Rows with an 'error' field are failed runs:\n"
	"counted, left out of the statistics.\n"
	"\n"
	"  --top N        how many top runs to list (default 5)\n"
	"  --dd-weight W  the utility's drawdown weight (default 0.5)\n"
	"  --json         one canonical JSON object\n"
	"  --csv          one row per group: all, then each profile\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or input, 3 system failure\n";

int cmd_summary(int argc, char **argv)
{
	static const char *const options[] = {"--top", "--dd-weight", "--json", "--csv", "--help",
					      NULL};
	const char *file = NULL, *v;
	uint64_t top = 5;
	double w = HX_SUMMARY_DD_WEIGHT;
	int i, json = 0, csv = 0, err;
	hx_rowset rs;
	hx_summary s;
	hx_buf out = HX_BUF_INIT;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--csv") == 0) {
			csv = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--top")) != NULL) {
			if (hx_cli_parse_u64(v, &top) != 0 || top > 1000000) {
				hx_cli_error("summary", "'--top' needs a count, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--dd-weight")) != NULL) {
			if (hx_cli_parse_double(v, 0, 1e9, &w) != 0) {
				hx_cli_error("summary", "'--dd-weight' needs a number >= 0, not '%s'", v);
				return 2;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("summary", argv[i], NULL, options,
					      "harness summary --help");
			return 2;
		} else if (hx_cli_dataset_operand("summary", &file, argv[i]) != 0) {
			return 2;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return 2;
	}
	if (hx_cli_json_or_csv("summary", json, csv) != 0)
		return 2;
	if ((err = hx_rowset_load(&rs, file)) != 0) {
		hx_cli_error("summary", "%s", hx_error_last());
		hx_rowset_release(&rs);
		return hx_error_exit_status(err);
	}
	hx_summary_compute(&s, &rs, w, (size_t)top);
	if (json)
		hx_summary_format_json(&out, &s, &rs);
	else if (csv)
		hx_summary_format_csv(&out, &s);
	else
		hx_summary_format_text(&out, &s, &rs);
	fwrite(out.ptr, 1, out.len, stdout);
	hx_buf_release(&out);
	hx_summary_release(&s);
	hx_rowset_release(&rs);
	return fflush(stdout) == 0 ? 0 : 3;
}
