/* cmd_diff.c - harness diff A B [--key FIELDS] [--tol PATH=abs:X,rel:Y]...
 *                               [--max N] [--all-paths] [--json] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "diff.h"
#include "error.h"
#include "fsutil.h"
#include "snapshot.h"

static const char usage[] =
	"usage: harness diff A B [--key FIELDS] [--tol PATH=abs:X,rel:Y]... [--max N]\n"
	"                        [--all-paths] [--json]\n"
	"\n"
	"Structured diff of two JSONL streams. A and B are JSONL files or snapshot\n"
	"directories (their telemetry.jsonl). Records are matched by position\n"
	"(numbered from 0) or by key; values compare as JSON (1.0 equals 1, member\n"
	"order does not matter). The report: a summary line (records, compared,\n"
	"changed, added, removed); for telemetry (records with 'tier' and\n"
	"'outcome') the outcome transitions per tier and each outcome's rate,\n"
	"A -> B; the count of changes per path; then each change as\n"
	"'record KEY: PATH OLD -> NEW' (values as RFC 8785 JSON, long ones cut with\n"
	"'...'), 'record KEY: added' or 'record KEY: removed'.\n"
	"\n"
	"Each record's key fields and .outcome come first; .duration_ms,\n"
	".cpu_time_ms, .memory_peak_mb, .tactics and .stderr_tail (and .success,\n"
	".exit_code, .signal when the outcome changed) are folded into\n"
	"'(+N incidental changes)'.\n"
	"\n"
	"  --key FIELDS     match records by the values of these comma-separated\n"
	"                   dotted fields (tier,module_name or metadata.task_index);\n"
	"                   every record needs them; a key that repeats pairs by\n"
	"                   occurrence (the n-th in A with the n-th in B, shown as\n"
	"                   KEY #n); records with a key on one side only are added\n"
	"                   or removed\n"
	"  --tol PATH=abs:X,rel:Y\n"
	"                   two numbers at PATH are equal when |a-b| <= X or\n"
	"                   |a-b| <= Y*max(|a|,|b|) (give abs, rel or both); PATH is\n"
	"                   object keys from the record root, '*' matching any one\n"
	"                   key (.duration_ms, .tactics.*); repeatable, the first\n"
	"                   --tol whose PATH matches applies; values within\n"
	"                   tolerance are counted, not reported as changes\n"
	"  --max N          list at most N changes (default: all)\n"
	"  --all-paths      list the folded paths too\n"
	"  --json           one JSON object: a, b, records_a, records_b, compared,\n"
	"                   changed, added, removed, within_tolerance, outcomes (null,\n"
	"                   or tiers: tier, records_a, records_b, compared,\n"
	"                   transitions (from, to, count), rates (outcome, count_a,\n"
	"                   rate_a, count_b, rate_b)), paths (per path: changed,\n"
	"                   within_tolerance), changes (key, [occurrence,] path, old,\n"
	"                   new, folded or key, added/removed), omitted\n"
	"\n"
	"Colour on a terminal unless NO_COLOR is set.\n"
	"exit status: 0 no differences (values within tolerance included),\n"
	"1 differences, 2 bad usage or input, 3 system failure\n";

static const char tol_syntax[] = "'--tol' needs PATH=abs:X[,rel:Y] or PATH=rel:Y (X, Y >= 0)";

/* Split "a,b.c" into a NULL-terminated list in *out (one allocation);
 * -1 on an empty field. */
static int split_fields(char ***out, const char *s)
{
	size_t n = 1, i, len = strlen(s);
	char **v, *copy, *p;
	for (i = 0; i < len; i++)
		n += s[i] == ',';
	v = hx_xmalloc((n + 1) * sizeof(*v) + len + 1);
	copy = (char *)(v + n + 1);
	memcpy(copy, s, len + 1);
	for (i = 0, p = copy; i < n; i++) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		v[i] = p;
		if (!*p) {
			free(v);
			return -1;
		}
		p = comma ? comma + 1 : p;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

/* DIR/telemetry.jsonl for a snapshot directory, else the path (caller frees). */
static char *stream_path(const char *arg)
{
	return hx_is_dir(arg) ? hx_path_join(arg, HX_SNAPSHOT_STREAM) : hx_xstrdup(arg);
}

int cmd_diff(int argc, char **argv)
{
	const char *files[2] = {NULL, NULL};
	char **fields = NULL, *path_a = NULL, *path_b = NULL;
	hx_diff_tol *tol = NULL;
	hx_diff_options opt;
	hx_diff_style style;
	hx_diff_result r;
	hx_buf out = HX_BUF_INIT;
	size_t ntol = 0, max_changes = SIZE_MAX, k;
	int i, nfiles = 0, json = 0, all_paths = 0, err, status = 2;
	const char *v;

	memset(&opt, 0, sizeof(opt));
	hx_diff_result_init(&r);
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			status = 0;
			goto done;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--all-paths") == 0) {
			all_paths = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--key"))) {
			free(fields);
			fields = NULL;
			if (split_fields(&fields, v) != 0) {
				hx_cli_error("diff", "'--key' needs comma-separated field names "
						     "(tier,module_name), not '%s'", v);
				goto done;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--tol"))) {
			tol = hx_xrealloc(tol, (ntol + 1) * sizeof(*tol));
			if (hx_diff_tol_parse(&tol[ntol], v) != 0) {
				hx_cli_error("diff", "%s, not '%s'", tol_syntax, v);
				goto done;
			}
			ntol++;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--max"))) {
			uint64_t n;
			if (hx_cli_parse_u64(v, &n) != 0 || n > SIZE_MAX) {
				hx_cli_error("diff", "'--max' needs a number of changes, not '%s'", v);
				goto done;
			}
			max_changes = (size_t)n;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--json", "--key", "--tol", "--max", "--help",
							       NULL};
			hx_cli_unknown_option("diff", argv[i], NULL, options, "harness diff --help");
			goto done;
		} else if (nfiles == 2) {
			hx_cli_error("diff", "two files or snapshots to compare, not more ('%s')", argv[i]);
			goto done;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles != 2) {
		hx_cli_error("diff", "needs two JSONL files or snapshot directories, A and B "
				     "(see 'harness diff --help')");
		goto done;
	}
	opt.match_fields = (const char *const *)fields;
	opt.tol = tol;
	opt.ntol = ntol;
	path_a = stream_path(files[0]);
	path_b = stream_path(files[1]);
	if ((err = hx_diff_files(&r, path_a, path_b, &opt)) != 0) {
		hx_cli_error("diff", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	if (json)
		hx_diff_format_json(&out, &r, files[0], files[1], max_changes);
	else {
		memset(&style, 0, sizeof(style));
		style.max_changes = max_changes;
		style.all_paths = all_paths;
		style.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		hx_diff_format_text(&out, &r, &style);
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = r.changed + r.added + r.removed ? 1 : 0;
	if (fflush(stdout) != 0) {
		hx_cli_error("diff", "cannot write the report");
		status = 3;
	}
done:
	for (k = 0; k < ntol; k++)
		free(tol[k].path);
	free(tol);
	free(fields);
	free(path_a);
	free(path_b);
	hx_buf_release(&out);
	hx_diff_result_release(&r);
	return status;
}
