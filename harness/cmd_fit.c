/* cmd_fit.c - harness fit TELEMETRY.jsonl [--json]
 *             harness fit --durations FILE [--censor-at T] [--json] */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calib.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fit.h"
#include "fsutil.h"

static const char usage[] =
	"usage: harness fit TELEMETRY.jsonl [--json]\n"
	"       harness fit --durations FILE [--censor-at T [--stalls]] [--json]\n"
	"\n"
	"Fit noise models per tier from telemetry: timeout, spurious-fail and\n"
	"spurious-pass rates with Wilson 95% intervals, and the duration of\n"
	"completed runs by maximum likelihood for the exponential, gamma,\n"
	"lognormal and Weibull families. A timed-out run is a stall (the stall\n"
	"fraction is fitted too) or a run that outlasted the tier timeout\n"
	"(right-censored there): never dropped, never fitted as a duration.\n"
	"Parameters with standard errors, log-likelihood, AIC, BIC, KS D and p;\n"
	"the best family is the smallest AIC among those whose KS p is at least\n"
	"0.01, and when none is, the report says that no family fits.\n"
	"\n"
	"  --durations FILE  fit plain numbers instead, one per line ('-' is stdin)\n"
	"  --censor-at T     with --durations: values >= T are runs censored at T\n"
	"  --stalls          with --censor-at: fit the stall fraction too\n"
	"  --json            machine-readable output\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or input, 3 system failure\n";

/* One finite number per non-blank line. */
static int read_numbers(const char *path, double **out, size_t *n)
{
	hx_buf text = HX_BUF_INIT;
	size_t cap = 1024, lineno = 0;
	char *p, *line;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = hx_file_read(&text, path)) != 0)
		return err;
	*out = hx_xmalloc(cap * sizeof(double));
	for (line = text.ptr; line && *line; line = p) {
		char *nl = strchr(line, '\n'), *end;
		double v;
		p = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '\r')
			continue;
		errno = 0;
		v = strtod(line, &end);
		while (*end == ' ' || *end == '\t' || *end == '\r')
			end++;
		if (end == line || *end || errno == ERANGE || !isfinite(v) || v <= 0) {
			hx_error_set("%s:%zu: '%s' is not a positive number", path, lineno, line);
			free(*out);
			*out = NULL;
			hx_buf_release(&text);
			return HX_EINVALID;
		}
		if (*n == cap) {
			cap *= 2;
			*out = hx_xrealloc(*out, cap * sizeof(double));
		}
		(*out)[(*n)++] = v;
	}
	hx_buf_release(&text);
	return 0;
}

static int fit_durations(const char *path, double censor_at, int stalls, int json)
{
	hx_fit_options opt = {0, HX_FIT_MIN_KS_P};
	hx_fit_result fits[HX_FIT_NFAMILIES];
	hx_fit_family best = HX_FIT_EXPONENTIAL;
	hx_buf out = HX_BUF_INIT;
	double *v = NULL;
	size_t n = 0, i, kept = 0, censored = 0;
	char no_fit[256] = "";
	int err, fitted, adequate = 0;

	if ((err = read_numbers(path, &v, &n)) != 0) {
		hx_cli_error("fit", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	for (i = 0; i < n; i++) {
		if (censor_at > 0 && v[i] >= censor_at)
			censored++;
		else
			v[kept++] = v[i];
	}
	opt.stalls = stalls;
	err = hx_fit_all_opt(fits, v, kept, censored, censored ? censor_at : 0, &opt, &best,
			     &adequate);
	fitted = err == 0;
	if (err == HX_ESYSTEM) {
		hx_cli_error("fit", "%s", hx_error_last());
		free(v);
		return 3;
	}
	if (!adequate)
		snprintf(no_fit, sizeof(no_fit), "%s", hx_error_last());
	if (json) {
		hx_fit_format_json(&out, fits, fitted, adequate, best, no_fit, kept, censored,
				   censor_at);
	} else {
		hx_buf_printf(&out, "%zu durations: %zu completed, %zu censored", n, kept, censored);
		if (censor_at > 0)
			hx_buf_printf(&out, " at %g", censor_at);
		hx_buf_puts(&out, " (* = best: the smallest AIC among the families that fit)\n");
		hx_fit_format_text(&out, fits, fitted, adequate, best, no_fit);
	}
	fwrite(out.ptr, 1, out.len, stdout);
	hx_buf_release(&out);
	free(v);
	return fflush(stdout) == 0 ? 0 : 3;
}

int cmd_fit(int argc, char **argv)
{
	const char *durations = NULL, *file = NULL;
	double censor_at = 0;
	int i, json = 0, stalls = 0, err;
	hx_calib_data d;
	hx_buf out = HX_BUF_INIT;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--stalls") == 0) {
			stalls = 1;
		} else if (strcmp(argv[i], "--durations") == 0 && i + 1 < argc) {
			durations = argv[++i];
		} else if (strcmp(argv[i], "--censor-at") == 0 && i + 1 < argc) {
			char *end;
			censor_at = strtod(argv[++i], &end);
			if (*end || !(censor_at > 0) || !isfinite(censor_at)) {
				hx_cli_error("fit", "'--censor-at' needs a positive number, not '%s'", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--durations") == 0 || strcmp(argv[i], "--censor-at") == 0) {
			hx_cli_error("fit", "'%s' needs a value (see 'harness fit --help')", argv[i]);
			return 2;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--json", "--durations", "--censor-at",
							       "--help", NULL};
			hx_cli_unknown_option("fit", argv[i], NULL, options, "harness fit --help");
			return 2;
		} else if (file) {
			hx_cli_error("fit", "one telemetry file at a time ('%s' and '%s')", file, argv[i]);
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (durations && file) {
		hx_cli_error("fit", "either TELEMETRY.jsonl or --durations FILE, not both");
		return 2;
	}
	if (censor_at > 0 && !durations) {
		hx_cli_error("fit", "'--censor-at' goes with '--durations' (telemetry is censored at each tier's timeout)");
		return 2;
	}
	if (stalls && !(censor_at > 0)) {
		hx_cli_error("fit", "'--stalls' goes with '--censor-at' (a stall is a timeout)");
		return 2;
	}
	if (durations)
		return fit_durations(durations, censor_at, stalls, json);
	if (!file) {
		fputs(usage, stderr);
		return 2;
	}
	if ((err = hx_calib_read(&d, file)) != 0) {
		hx_cli_error("fit", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	hx_calib_fit(&d);
	if (json)
		hx_calib_format_json(&out, &d);
	else
		hx_calib_format_text(&out, &d);
	fwrite(out.ptr, 1, out.len, stdout);
	hx_buf_release(&out);
	hx_calib_release(&d);
	return fflush(stdout) == 0 ? 0 : 3;
}
