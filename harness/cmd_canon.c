/* cmd_canon.c - `harness canon`: canonicalize JSON lines to stdout. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#include "canon.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "spec.h"

#define CANON_STDOUT_BUF ((size_t)1 << 20)

static void usage(FILE *fp)
{
	fputs("usage: harness canon [--profile NAME|FILE] [--strip PATH]... [--round FIELD=N]... [FILE...]\n"
	      "\n"
	      "Write the canonical form of each JSON line (RFC 8785: sorted keys, shortest\n"
	      "numbers, no whitespace; one record per line) to stdout. Blank lines are\n"
	      "skipped. With no FILE, or when FILE is -, read standard input.\n"
	      "\n"
	      "options:\n"
	      "  --profile NAME|FILE  built-in profile (telemetry, telemetry-real, none) or a\n"
	      "                       YAML profile\n"
	      "  --strip PATH         remove PATH (dotted keys, '*' matches any key)\n"
	      "  --round FIELD=N      round the number at FIELD to N decimals (0..15),\n"
	      "                       as Python's round(x, N)\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "Without options the output is pure RFC 8785. --strip and --round add to the\n"
	      "profile. exit status: 0 ok, 2 bad usage or input, 3 system failure\n",
	      fp);
}

static int write_stdout(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	if (fwrite(data, 1, len, stdout) != len) {
		hx_error_set_errno(errno, "cannot write to stdout");
		return HX_ESYSTEM;
	}
	return 0;
}

/* The value of option NAME at argv[*i]: "--name=value" or "--name value". */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=') {
		if (arg[n + 1] == '\0')
			hx_cli_error("canon", "option '%s' needs a value", name);
		return arg + n + 1;
	}
	if (arg[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		hx_cli_error("canon", "option '%s' needs a value", name);
		return "";
	}
	return argv[++*i];
}

static int canon_file(const char *path, const hx_canon_profile *p)
{
	FILE *fp = NULL;
	const char *name = path;
	int rc;
	if (strcmp(path, "-") == 0) {
		fp = stdin;
		name = "<stdin>";
	} else if (!(fp = fopen(path, "rb"))) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return e == ENOENT || e == ENOTDIR ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	rc = hx_canon_stream(fp, name, p, write_stdout, NULL, NULL);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

int cmd_canon(int argc, char **argv)
{
	hx_canon_profile prof;
	const char *profile = NULL;
	const char *files_default[] = {"-"};
	const char **files = NULL;
	int nfiles = 0, i, rc = 0, status = 0, only_files = 0;

	hx_canon_profile_init(&prof);
	files = hx_xmalloc((size_t)argc * sizeof(*files));

	/* First pass: options other than strip/round, and the files. */
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
			files[nfiles++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_files = 1;
			continue;
		}
		if (hx_cli_is_help(arg)) {
			usage(stdout);
			goto done;
		}
		if ((v = option_value(argc, argv, &i, "--profile"))) {
			if (!*v) {
				status = 2;
				goto done;
			}
			profile = v;
			continue;
		}
		if ((v = option_value(argc, argv, &i, "--strip")) ||
		    (v = option_value(argc, argv, &i, "--round"))) {
			if (!*v) {
				status = 2;
				goto done;
			}
			continue; /* applied in the second pass */
		}
		{
			static const char *const options[] = {"--profile", "--strip", "--round", "--help",
							       NULL};
			hx_cli_unknown_option("canon", arg, NULL, options, "harness canon --help");
		}
		status = 2;
		goto done;
	}

	if (profile) {
		rc = hx_canon_profile_load(&prof, profile);
		if (rc < 0) {
			hx_cli_error("canon", "%s", hx_error_last());
			status = hx_error_exit_status(rc);
			goto done;
		}
	}
	/* Second pass: strip/round rules add to the chosen profile. */
	only_files = 0;
	rc = 0;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		if (only_files)
			break;
		if (strcmp(arg, "--") == 0) {
			only_files = 1;
		} else if (strcmp(arg, "--profile") == 0) {
			i++;
		} else if ((v = option_value(argc, argv, &i, "--strip"))) {
			rc = hx_canon_profile_add_strip(&prof, v);
		} else if ((v = option_value(argc, argv, &i, "--round"))) {
			rc = hx_canon_profile_add_round_spec(&prof, v);
		}
		if (rc < 0) {
			hx_cli_error("canon", "%s", hx_error_last());
			status = 2;
			goto done;
		}
	}
	if (nfiles == 0)
		files[nfiles++] = files_default[0];

	/* Ignore SIGPIPE so that a closed stdout is reported (EPIPE), not fatal
	 * without a word. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOFBF, CANON_STDOUT_BUF);
	/* Into a pipe (canon | hash), a pipe as large as one write saves the
	 * two processes thousands of switches per gigabyte; failure (an old
	 * kernel, the pipe-max-size limit) only costs that speed. */
	(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)CANON_STDOUT_BUF);
	for (i = 0; i < nfiles; i++) {
		rc = canon_file(files[i], &prof);
		if (rc < 0) {
			hx_cli_error("canon", "%s", hx_error_last());
			status = hx_error_exit_status(rc);
			goto done;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		hx_cli_error("canon", "cannot write to stdout: %s", strerror(errno));
		status = 3;
		goto done;
	}
done:
	free(files);
	hx_canon_profile_release(&prof);
	return status;
}
