/* cmd_tune.c - harness tune DATASET --presets FILE [--budgets FILE]
 *              [--risk-params LIST] [--json|--csv] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "series/align.h"
#include "series/rowset.h"

static const char usage[] =
	"usage: harness tune DATASET --presets FILE [--budgets FILE] [--risk-params LIST]\n"
	"                    [--json|--csv]\n"
	"\n"
	"Propose safer presets from a research dataset (the users' Exp12): per\n"
	"tier, dd_ratio = |dd_mean| / max_drawdown_abs and kill_ratio = kill_prob /\n"
	"max_kill_prob; risk_scale starts at 1 and for each ratio above 1.05\n"
	"becomes min(risk_scale, max(0.1, 1/ratio)); the risk parameters are\n"
	"multiplied by it; then a daily_loss_limit above 1.1 x max_drawdown_abs is\n"
	"set to max_drawdown_abs. A tier without runs is left as it is.\n"
	"\n"
	"  --presets FILE      YAML: tier -> {parameter: value, ...}, the live presets\n"
	"  --budgets FILE      risk budgets, as for 'harness align'\n"
	"  --risk-params LIST  the parameters to scale, comma-separated (default\n"
	"                      daily_loss_limit,mm_size_eta,init_q_tao)\n"
	"  --json              one canonical JSON object\n"
	"  --csv               one row per parameter\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or input, 3 system failure\n";

/* Split a comma-separated list into a NULL-terminated vector (owned). */
static char **split_list(const char *s)
{
	size_t n = 1, i = 0;
	const char *c;
	char **v, *copy, *tok, *save = NULL;
	for (c = s; *c; c++)
		n += *c == ',';
	v = hx_xcalloc(n + 2, sizeof(char *));
	copy = hx_xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		v[i++] = hx_xstrdup(tok);
	free(copy);
	return v;
}

static void free_list(char **v)
{
	size_t i;
	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int cmd_tune(int argc, char **argv)
{
	static const char *const options[] = {"--presets", "--budgets", "--risk-params", "--json",
					      "--csv",	    "--help",	  NULL};
	const char *file = NULL, *presets_file = NULL, *budgets_file = NULL, *v;
	char **risk = NULL;
	int i, json = 0, csv = 0, err, status = 2;
	size_t t;
	hx_budgets b;
	hx_rowset rs;
	hx_alignment a;
	hx_tune_presets p;
	hx_tuning tuned[HX_ALIGN_NTIERS];
	hx_buf out = HX_BUF_INIT;

	hx_rowset_init(&rs);
	memset(&p, 0, sizeof(p));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			status = 0;
			goto done;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--csv") == 0) {
			csv = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--presets")) != NULL) {
			if (!*v)
				goto missing;
			presets_file = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--budgets")) != NULL) {
			if (!*v)
				goto missing;
			budgets_file = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--risk-params")) != NULL) {
			if (!*v)
				goto missing;
			free_list(risk);
			risk = split_list(v);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("tune", argv[i], NULL, options, "harness tune --help");
			goto done;
		} else if (hx_cli_dataset_operand("tune", &file, argv[i]) != 0) {
			goto done;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		goto done;
	}
	if (!presets_file) {
		hx_cli_error("tune", "'--presets FILE' is required (the live presets to tune)");
		goto done;
	}
	if (hx_cli_json_or_csv("tune", json, csv) != 0)
		goto done;
	if (budgets_file)
		err = hx_budgets_load(&b, budgets_file);
	else
		hx_budgets_default(&b), err = 0;
	if (err == 0)
		err = hx_tune_presets_load(&p, presets_file);
	if (err == 0)
		err = hx_rowset_load(&rs, file);
	if (err != 0) {
		hx_cli_error("tune", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	hx_align_compute(&a, &rs, &b);
	hx_tune_all(tuned, &a, &p, (const char *const *)risk);
	if (json)
		hx_tune_format_json(&out, tuned, &p, (const char *const *)risk);
	else if (csv)
		hx_tune_format_csv(&out, tuned, &p);
	else
		hx_tune_format_text(&out, tuned, &p, (const char *const *)risk);
	for (t = 0; t < HX_ALIGN_NTIERS; t++)
		hx_tuning_release(&tuned[t]);
	fwrite(out.ptr, 1, out.len, stdout);
	status = fflush(stdout) == 0 ? 0 : 3;
	goto done;
missing:
	hx_cli_error("tune", "'%s' needs a value (see 'harness tune --help')", argv[i]);
done:
	hx_buf_release(&out);
	hx_tune_presets_release(&p);
	hx_rowset_release(&rs);
	free_list(risk);
	return status;
}
