/* cmd_golden.c - harness golden accept EXPERIMENT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "snapshot.h"

static const char usage[] =
	"usage: harness golden accept EXPERIMENT\n"
	"\n"
	"Approve the latest snapshot: copy snapshots/EXPERIMENT/ into\n"
	"golden/EXPERIMENT/ (each file atomically), after checking that the\n"
	"snapshot still hashes to its manifest. Paths are relative to the\n"
	"current directory.\n"
	"exit status: 0 accepted, 1 the snapshot does not match its manifest,\n"
	"2 bad usage or no such snapshot, 3 system failure\n";

static int valid_name(const char *s)
{
	size_t i;
	if (!*s || s[0] == '.')
		return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int accept_one(const char *experiment)
{
	char *snap = hx_path_join("snapshots", experiment);
	char *gold = hx_path_join("golden", experiment);
	char hash[HX_HASH_HEX_LEN];
	size_t records = 0;
	int err = hx_golden_accept(snap, gold), status = 0;

	if (err) {
		hx_cli_error("golden", "%s", hx_error_last());
		status = hx_error_exit_status(err);
	} else if ((err = hx_snapshot_read_hash(gold, hash, &records)) != 0) {
		hx_cli_error("golden", "%s", hx_error_last());
		status = hx_error_exit_status(err);
	} else {
		printf("accepted %s -> %s  %s  (%zu records)\n", snap, gold, hash, records);
	}
	free(snap);
	free(gold);
	return status;
}

int cmd_golden(int argc, char **argv)
{
	if (argc >= 2 && hx_cli_is_help(argv[1])) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "accept") == 0) {
		if (argc == 3 && hx_cli_is_help(argv[2])) {
			fputs(usage, stdout);
			return 0;
		}
		if (argc != 3) {
			hx_cli_error("golden", "'accept' takes one experiment name");
			return 2;
		}
		if (!valid_name(argv[2])) {
			hx_cli_error("golden", "'%s' is not an experiment name ([a-z0-9._-], as in the spec)",
				     argv[2]);
			return 2;
		}
		return accept_one(argv[2]);
	}
	hx_cli_error("golden", "unknown subcommand '%s' (known: accept)", argv[1]);
	return 2;
}
