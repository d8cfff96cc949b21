/* cmd_hash.c - harness hash FILE... : XXH3-128 digests, xxh128sum's digits. */
#include <stdio.h>
#include <string.h>

#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "hash.h"

static const char usage[] =
	"usage: harness hash FILE...\n"
	"\n"
	"Print 'xxh3-128:<32 hex digits>  FILE' for each FILE ('-' is stdin), the\n"
	"digits in xxHash's canonical big-endian form (the digits xxh128sum prints).\n"
	"exit status: 0 ok, 2 a file could not be opened, 3 read error\n";

int cmd_hash(int argc, char **argv)
{
	char hex[HX_HASH_HEX_LEN];
	int i, status = 0, nfiles = 0, end_of_options = 0;

	for (i = 1; i < argc; i++) {
		if (!end_of_options && hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		}
		if (!end_of_options && strcmp(argv[i], "--") == 0) {
			end_of_options = 1;
			continue;
		}
		if (!end_of_options && argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--help", NULL};
			hx_cli_unknown_option("hash", argv[i], NULL, options, "harness hash --help");
			return 2;
		}
	}
	end_of_options = 0;
	for (i = 1; i < argc; i++) {
		int err;
		if (!end_of_options && strcmp(argv[i], "--") == 0) {
			end_of_options = 1;
			continue;
		}
		nfiles++;
		err = hx_hash128_file(hex, argv[i]);
		if (err) {
			int s = hx_error_exit_status(err);
			hx_cli_error("hash", "%s", hx_error_last());
			if (s > status)
				status = s;
			continue;
		}
		printf("%s  %s\n", hex, argv[i]);
	}
	if (nfiles == 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (fflush(stdout) != 0) {
		hx_cli_error("hash", "cannot write to stdout");
		return 3;
	}
	return status;
}
