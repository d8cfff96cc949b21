/* cliutil.c - small helpers shared by the cmd_*.c files. */
#include "cliutil.h"

#include "buf.h"
#include "cmd.h"
#include "error.h"
#include "escape.h"
#include "exec.h"
#include "fsutil.h"
#include "lock.h"
#include "reaper.h"
#include "ydoc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int hx_cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int hx_cli_parse_int(const char *s, int min, int max, int *out)
{
	uint64_t v;
	if (hx_cli_parse_u64(s, &v) != 0 || v < (uint64_t)min || v > (uint64_t)max)
		return -1;
	*out = (int)v;
	return 0;
}

int hx_cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;
	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int hx_cli_parse_workers(const char *cmd, const char *v, int *out)
{
	if (hx_cli_parse_int(v, 1, 1024, out) == 0)
		return 0;
	hx_cli_error(cmd, "'--workers' needs a number from 1 to 1024, not '%s'", v);
	return -1;
}

int hx_cli_dataset_operand(const char *cmd, const char **file, const char *arg)
{
	if (*file) {
		hx_cli_error(cmd, "one dataset at a time ('%s' and '%s')", *file, arg);
		return 2;
	}
	*file = arg;
	return 0;
}

int hx_cli_json_or_csv(const char *cmd, int json, int csv)
{
	if (json && csv) {
		hx_cli_error(cmd, "either '--json' or '--csv', not both");
		return 2;
	}
	return 0;
}

int hx_cli_in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && *ci && strcmp(ci, "0") != 0 && strcasecmp(ci, "false") != 0;
}

const char *hx_cli_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

/* arg without its leading dashes and "=VALUE", into buf. */
static const char *option_name(const char *arg, char *buf, size_t size)
{
	size_t n;
	while (*arg == '-')
		arg++;
	n = strcspn(arg, "=");
	if (n >= size)
		n = size - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return buf;
}

const char *hx_cli_suggest_option(const char *arg, const char *const *known)
{
	char name[128], kname[128];
	const char *pick = NULL;
	size_t len, limit, best = (size_t)-1, k, nprefix = 0;

	option_name(arg, name, sizeof(name));
	len = strlen(name);
	if (!len)
		return NULL;
	if (len >= 3) {
		for (k = 0; known[k]; k++)
			if (strncmp(option_name(known[k], kname, sizeof(kname)), name, len) == 0) {
				pick = known[k];
				nprefix++;
			}
		if (nprefix == 1)
			return pick;
		pick = NULL;
	}
	limit = len / 3 > 1 ? len / 3 : 1;
	for (k = 0; known[k]; k++) {
		size_t d = hx_edit_distance(name, option_name(known[k], kname, sizeof(kname)));
		if (d <= limit && d < len && d < best) {
			best = d;
			pick = known[k];
		}
	}
	if (pick)
		return pick;
	/* "--export-path": a known option followed by more. */
	for (k = 0, nprefix = 0; known[k]; k++) {
		size_t kl = strlen(option_name(known[k], kname, sizeof(kname)));
		if (kl >= 3 && kl < len && strncmp(name, kname, kl) == 0 && !isalnum((unsigned char)name[kl])) {
			pick = known[k];
			nprefix++;
		}
	}
	return nprefix == 1 ? pick : NULL;
}

void hx_cli_unknown_option(const char *cmd, const char *arg, const char *context,
			   const char *const *known, const char *help)
{
	const char *hint = hx_cli_suggest_option(arg, known);
	hx_buf b = HX_BUF_INIT;
	hx_buf_printf(&b, "unknown option '%s'", arg);
	if (context)
		hx_buf_printf(&b, " for '%s'", context);
	if (hint)
		hx_buf_printf(&b, " (did you mean '%s'?)", hint);
	else
		hx_buf_printf(&b, " (see '%s')", help);
	hx_cli_error(cmd, "%s", b.ptr);
	hx_buf_release(&b);
}

static atomic_int interrupted;
static int interrupts_caught;
static char lock_label[64];
static int lock_no_wait;

void hx_cli_locks(const char *cmd, int no_wait)
{
	snprintf(lock_label, sizeof(lock_label), "harness %s", cmd);
	lock_no_wait = no_wait;
	hx_notice_label(lock_label);
	hx_lock_configure(no_wait, interrupts_caught ? &interrupted : NULL);
}

/* The first signal asks for a clean stop (hx_run cancels its tasks and
 * keeps what completed). A second one ends the harness at once, and with it
 * every running task: they live in process groups of their own, which a
 * terminal's Ctrl-C does not reach; and what left those groups (setsid),
 * re-parented to the harness as their subreaper. */
static void on_signal(int sig)
{
	(void)sig;
	if (atomic_exchange(&interrupted, 1)) {
		hx_proc_kill_all(SIGKILL);
		hx_reaper_kill_all();
		_exit(130);
	}
}

void hx_cli_catch_interrupts(const atomic_int **cancel)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* one handler at a time: a SIGTERM must not cut a second SIGINT's
	 * kill short with its _exit */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a spec being read (a slow file) stops for it too */
	hx_file_set_cancel(&interrupted);
	*cancel = &interrupted;
	interrupts_caught = 1;
	/* a wait for a lock ends at the first signal too */
	hx_lock_configure(lock_no_wait, &interrupted);
}

int hx_cli_run_spec(const char *cmd, hx_run_options *opt, int json, int golden_required)
{
	return hx_cli_run_spec_pending(cmd, opt, json, golden_required, NULL);
}

/* Copy the snapshot CI may not approve next to the build's artifacts. */
static int keep_pending(const char *cmd, const hx_run_result *res, const char *pending_dir)
{
	char *dst = hx_path_join(pending_dir, res->experiment);
	int err = hx_snapshot_copy(res->snapshot_dir, dst, res->hash);

	hx_buf line = HX_BUF_INIT;

	if (err) {
		hx_cli_error(cmd, "cannot keep the pending snapshot in '%s': %s", dst, hx_error_last());
	} else {
		/* dst comes from --pending-dir: escaped, it stays on its line */
		hx_buf_printf(&line, "harness %s: %s: golden %s; pending snapshot kept in ", cmd,
			      res->experiment, hx_golden_verdict_name(res->golden.verdict));
		hx_escape_append(&line, dst, strlen(dst));
		hx_buf_putc(&line, '\n');
		fputs(line.ptr, stderr);
	}
	hx_buf_release(&line);
	free(dst);
	return err ? hx_error_exit_status(err) : 0;
}

static int run_plain(hx_run_result *res, const hx_run_options *opt, void *ctx)
{
	(void)ctx;
	return hx_run(res, opt);
}

int hx_cli_run_spec_pending(const char *cmd, hx_run_options *opt, int json, int golden_required,
			    const char *pending_dir)
{
	return hx_cli_run_with(cmd, opt, json, golden_required, pending_dir, run_plain, NULL);
}

int hx_cli_run_with(const char *cmd, hx_run_options *opt, int json, int golden_required,
		    const char *pending_dir,
		    int (*runner)(hx_run_result *res, const hx_run_options *opt, void *ctx), void *ctx)
{
	hx_run_result res;
	hx_buf out = HX_BUF_INIT;
	int err, status;

	hx_buf label = HX_BUF_INIT;
	hx_buf_printf(&label, "harness %s", cmd);
	opt->label = label.ptr;
	opt->ci = hx_cli_in_ci();
	opt->progress = isatty(STDERR_FILENO) && !opt->ci ? HX_PROGRESS_TTY : HX_PROGRESS_LINES;
	hx_cli_catch_interrupts(&opt->cancel);
	hx_run_result_init(&res);
	err = runner(&res, opt, ctx);
	if (err) {
		hx_cli_error(cmd, "%s", hx_error_last());
		hx_run_result_release(&res);
		hx_buf_release(&label);
		return hx_error_exit_status(err);
	}
	if (res.shards_merged)
		fprintf(stderr, "harness %s: %s: %zu tasks of %zu shards merged in %.2f s\n", cmd,
			res.experiment, res.tasks, res.shards_merged, res.elapsed_s);
	else
		fprintf(stderr, "harness %s: %s: %zu tasks in %.2f s on %d worker%s\n", cmd,
			res.experiment, res.tasks, res.elapsed_s, res.workers,
			res.workers == 1 ? "" : "s");
	if (json)
		hx_run_format_json(&out, &res);
	else
		hx_run_format_summary(&out, &res);
	fwrite(out.ptr, 1, out.len, stdout);
	status = hx_run_exit_status(&res, opt->ci && golden_required);
	if (pending_dir && res.golden.verdict != HX_GOLDEN_MATCH) {
		int kept = keep_pending(cmd, &res, pending_dir);
		if (kept > status)
			status = kept;
	}
	if (fflush(stdout) != 0) {
		hx_cli_error(cmd, "cannot write the summary to stdout");
		status = 3;
	}
	hx_buf_release(&out);
	hx_buf_release(&label);
	hx_run_result_release(&res);
	return status;
}
