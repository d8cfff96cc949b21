/* cmd_condense.c - harness condense FILE... --profile P [--label L]
 *                  [--param K=V]... [--json|--csv] [--out FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "series/condense.h"
#include "series/dataset.h"

static const char usage[] =
	"usage: harness condense FILE... --profile P [--label L] [--param K=V]...\n"
	"                        [--json | --csv] [--out FILE]\n"
	"\n"
	"Condense per-tick telemetry files (JSONL, one object per tick) into one\n"
	"research dataset row each, in argument order: num_ticks, final_pnl,\n"
	"max_pnl, min_pnl, max_drawdown, frac_normal, frac_warning, frac_hard,\n"
	"kill_switch and time_to_kill, with the users' condensing semantics (rows\n"
	"in file order, drawdown over the finite pnl_total values from the first\n"
	"row's). A file that cannot be condensed (missing, empty, not JSON, a row\n"
	"without pnl_total) gives a row marked failed with the reason; the other\n"
	"rows are still written.\n"
	"\n"
	"  --profile P    the profile the runs used (required)\n"
	"  --label L      the row label: L for one file, L_r000, L_r001, ... for\n"
	"                 several (default: the file name without .jsonl)\n"
	"  --param K=V    a parameter the runs used, written into every row (a\n"
	"                 number or true/false is typed, anything else a string)\n"
	"  --json         dataset rows as JSONL (RFC 8785)\n"
	"  --csv          dataset rows as CSV\n"
	"  --out FILE     write there (atomically) instead of stdout\n"
	"  --workers N    files read at once (default: the CPUs, at most 8)\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or a file that failed, 3 system failure\n";

static char *default_label(const char *path)
{
	const char *base = strrchr(path, '/');
	char *label = hx_xstrdup(base ? base + 1 : path);
	size_t n = strlen(label);
	if (n > 6 && strcmp(label + n - 6, ".jsonl") == 0)
		label[n - 6] = '\0';
	return label;
}

int cmd_condense(int argc, char **argv)
{
	static const char *const options[] = {"--profile", "--label", "--param",   "--json",
					       "--csv",     "--out",   "--workers", "--help",
					       NULL};
	const char *profile = NULL, *label = NULL, *outpath = NULL, *v, *opt;
	const char **files = hx_xcalloc((size_t)argc, sizeof(char *));
	char **pkeys = hx_xcalloc((size_t)argc, sizeof(char *));
	hx_cval *pvals = hx_xcalloc((size_t)argc, sizeof(hx_cval));
	size_t nfiles = 0, nparams = 0, i, k, failed = 0;
	int json = 0, csv = 0, status = 0, a, workers = 0;
	hx_condense_set set;
	hx_dataset_row *rows = NULL;
	hx_buf out = HX_BUF_INIT;

	for (a = 1; a < argc; a++) {
		if (hx_cli_is_help(argv[a])) {
			fputs(usage, stdout);
			goto done;
		} else if (strcmp(argv[a], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[a], "--csv") == 0) {
			csv = 1;
		} else if ((opt = argv[a],
			    (v = hx_cli_option_value(argc, argv, &a, "--profile")) != NULL ||
				    (v = hx_cli_option_value(argc, argv, &a, "--label")) != NULL ||
				    (v = hx_cli_option_value(argc, argv, &a, "--out")) != NULL ||
				    (v = hx_cli_option_value(argc, argv, &a, "--param")) != NULL)) {
			const char *eq;
			if (!*v) {
				hx_cli_error("condense", "'%.*s' needs a value (see 'harness condense --help')",
					     (int)strcspn(opt, "="), opt);
				status = 2;
				goto done;
			}
			if (strncmp(opt, "--profile", 9) == 0) {
				profile = v;
			} else if (strncmp(opt, "--label", 7) == 0) {
				label = v;
			} else if (strncmp(opt, "--out", 5) == 0) {
				outpath = v;
			} else if ((eq = strchr(v, '=')) == NULL || eq == v) {
				hx_cli_error("condense", "'--param' needs KEY=VALUE, not '%s'", v);
				status = 2;
				goto done;
			} else {
				hx_cval tmp;
				char *key = hx_xstrdup(v);
				key[eq - v] = '\0';
				for (k = 0; k < nparams; k++)
					if (strcmp(pkeys[k], key) == 0)
						break;
				if (k < nparams) {
					hx_cli_error("condense", "parameter '%s' given twice", key);
					free(key);
					status = 2;
					goto done;
				}
				hx_cval_from_text(&tmp, eq + 1);
				pkeys[nparams] = key;
				pvals[nparams++] = tmp;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &a, "--workers")) != NULL) {
			if (hx_cli_parse_workers("condense", v, &workers) != 0) {
				status = 2;
				goto done;
			}
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			hx_cli_unknown_option("condense", argv[a], NULL, options,
					      "harness condense --help");
			status = 2;
			goto done;
		} else {
			files[nfiles++] = argv[a];
		}
	}
	if (!nfiles) {
		fputs(usage, stderr);
		status = 2;
		goto done;
	}
	if (!profile) {
		hx_cli_error("condense", "'--profile' is required (the profile the runs used)");
		status = 2;
		goto done;
	}
	if (hx_cli_json_or_csv("condense", json, csv) != 0) {
		status = 2;
		goto done;
	}
	if (outpath && hx_output_prepare(outpath, 0, "--out") != 0) {
		hx_cli_error("condense", "%s", hx_error_last());
		status = 2;
		goto done;
	}

	hx_condense_set_init(&set);
	hx_condense_set_default(&set);
	rows = hx_xcalloc(nfiles, sizeof(*rows));
	for (i = 0; i < nfiles; i++) {
		char *lab;
		if (!label) {
			lab = default_label(files[i]);
		} else if (nfiles == 1) {
			lab = hx_xstrdup(label);
		} else {
			hx_buf b = HX_BUF_INIT;
			hx_buf_printf(&b, "%s_r%03zu", label, i);
			lab = hx_buf_detach(&b, NULL);
		}
		hx_dataset_row_init(&rows[i], lab, profile, files[i]);
		free(lab);
		for (k = 0; k < nparams; k++)
			if (hx_dataset_row_add_param(&rows[i], pkeys[k], &pvals[k]) != 0) {
				hx_cli_error("condense", "%s", hx_error_last());
				status = 2;
				nfiles = i + 1;
				goto release;
			}
	}
	if (workers == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		workers = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
	}
	failed = hx_dataset_rows_condense(rows, nfiles, &set, workers);
	for (i = 0; i < nfiles; i++)
		if (!rows[i].ok)
			hx_cli_error("condense", "%s", rows[i].error);
	if (json)
		hx_dataset_write_jsonl(&out, rows, nfiles);
	else if (csv)
		hx_dataset_write_csv(&out, rows, nfiles);
	else
		hx_dataset_write_table(&out, rows, nfiles);
	if (outpath) {
		if (hx_file_write_atomic(outpath, out.ptr, out.len) != 0) {
			hx_cli_error("condense", "%s", hx_error_last());
			status = 3;
			goto release;
		}
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
		if (fflush(stdout) != 0) {
			status = 3;
			goto release;
		}
	}
	if (failed) {
		hx_cli_error("condense", "%zu of %zu files failed", failed, nfiles);
		status = 2;
	}
release:
	for (i = 0; i < nfiles; i++)
		hx_dataset_row_release(&rows[i]);
	free(rows);
	hx_condense_set_release(&set);
done:
	hx_buf_release(&out);
	for (k = 0; k < nparams; k++) {
		free(pkeys[k]);
		hx_cval_release(&pvals[k]);
	}
	free(pkeys);
	free(pvals);
	free(files);
	return status;
}
