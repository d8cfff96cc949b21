/* main.c - `harness <command> [options]`: dispatch through the command table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "escape.h"

static const hx_cmd commands[] = {
	{"run", cmd_run, "run an experiment spec, snapshot it and check it against golden"},
	{"merge", cmd_merge, "merge the shards of a run (run --shard K/N) and finish it"},
	{"canon", cmd_canon, "canonicalize JSON lines (RFC 8785, with a strip/round profile)"},
	{"hash", cmd_hash, "print the XXH3-128 digest of files"},
	{"golden", cmd_golden, "review and approve snapshots (status, accept, reject, review)"},
	{"calibrate", cmd_calibrate, "calibrate_noise-style: build a spec from flags and run it"},
	{"fit", cmd_fit, "fit noise rates and censored duration models from telemetry"},
	{"compare", cmd_compare, "tell whether two calibrations differ, with statistics"},
	{"diff", cmd_diff, "structured diff of two snapshots or JSONL files"},
	{"archive", cmd_archive, "list, show and extract run archives"},
	{"replay", cmd_replay, "re-run an archived run and verify it reproduces"},
	{"condense", cmd_condense, "condense per-tick telemetry files into research dataset rows"},
	{"nightly", cmd_nightly, "run every tagged spec, archive, gate on golden, report"},
	{"summary", cmd_summary, "summarise a research dataset: statistics, profiles, top runs"},
	{"align", cmd_align, "check a research dataset against the risk budgets of each tier"},
	{"tune", cmd_tune, "propose safer presets from a research dataset and the risk budgets"},
	{"threshold", cmd_threshold, "calibrate a monitor's threshold: AUROC, AP, a tau sweep"},
	{"report", cmd_report, "build the HTML report (with figures) of a run or its archive"},
	{"slurm", cmd_slurm, "run a spec's shards as a Slurm array job and merge them (status, resubmit)"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The message is escaped as a whole (escape.h), so an argument quoted in
 * it cannot break the line; hx_error_last() passed in is escaped already
 * and escaping it again changes nothing. */
void hx_cli_error(const char *cmd, const char *fmt, ...)
{
	hx_buf msg = HX_BUF_INIT, line = HX_BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		hx_buf_grow(&msg, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(msg.ptr, (size_t)n + 1, fmt, ap);
		va_end(ap);
		msg.len = (size_t)n;
	}
	hx_buf_puts(&line, cmd ? "harness " : "harness: ");
	if (cmd) {
		hx_buf_puts(&line, cmd);
		hx_buf_puts(&line, ": ");
	}
	hx_escape_append(&line, msg.ptr, msg.len);
	hx_buf_putc(&line, '\n');
	fwrite(line.ptr, 1, line.len, stderr);
	hx_buf_release(&line);
	hx_buf_release(&msg);
}

int hx_cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void usage(FILE *fp)
{
	size_t i;
	fputs("usage: harness <command> [options]\n\n"
	      "Reproducible calibration runs with snapshot regression testing.\n\n"
	      "commands:\n",
	      fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'harness <command> --help' describes a command.\n"
	      "exit status: 0 ok, 1 mismatch, 2 bad usage or input, 3 engine or system failure\n",
	      fp);
}

int main(int argc, char **argv)
{
	size_t i;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (hx_cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("harness %s\n", HX_VERSION);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	hx_cli_error(NULL, "unknown command '%s' (see 'harness --help')", argv[1]);
	return 2;
}
