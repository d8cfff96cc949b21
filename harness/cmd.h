/* cmd.h - the subcommand table. Each cmd_<name>.c implements one entry and
 * uses only the library's public headers. A command returns the process exit
 * status: 0 ok, 1 mismatch, 2 bad usage or input, 3 engine or system failure.
 */
#ifndef HX_CMD_H
#define HX_CMD_H

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
} hx_cmd;

int cmd_run(int argc, char **argv);
int cmd_canon(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_golden(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_archive(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_condense(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_threshold(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_slurm(int argc, char **argv);

/* Print "harness: <msg>" (or "harness <cmd>: <msg>") to stderr. */
void hx_cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* True when argv[i] is -h or --help. */
/* The one DATASET operand of summary, align and tune: *file = arg, or
 * "one dataset at a time ('A' and 'B')" and 2 when *file is set already. */
int hx_cli_dataset_operand(const char *cmd, const char **file, const char *arg);
/* 2 with "either '--json' or '--csv', not both" when both are set, else 0. */
int hx_cli_json_or_csv(const char *cmd, int json, int csv);
int hx_cli_is_help(const char *arg);

#endif
