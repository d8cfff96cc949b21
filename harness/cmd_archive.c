/* cmd_archive.c - harness archive ls [DIR] | show ARCHIVE | extract ARCHIVE DIR */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "canon.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

static const char usage_all[] =
	"usage: harness archive ls [DIR]\n"
	"       harness archive show [--json] ARCHIVE\n"
	"       harness archive extract ARCHIVE DIR\n"
	"\n"
	"Run archives (runs/*.tar.zst, or .tar.gz) hold MANIFEST.json and the run's\n"
	"files. Every command verifies an archive first: each member against the\n"
	"size and XXH3-128 its manifest lists, nothing missing, nothing unlisted.\n"
	"'harness archive COMMAND --help' describes a command.\n"
	"exit status: 0 ok, 1 an archive does not match its manifest, 2 bad usage,\n"
	"no such file or not a harness archive, 3 system failure\n";

static const char usage_ls[] =
	"usage: harness archive ls [DIR]\n"
	"\n"
	"A header line, then one line per *.tar.zst and *.tar.gz in DIR (default\n"
	"'runs'), by name, in aligned columns:\n"
	"  FILE  EXPERIMENT  STARTED  SEED  ENGINE  SNAPSHOT  GOLDEN\n"
	"(ENGINE: its version; SNAPSHOT: the snapshot hash; GOLDEN: the run's\n"
	"verdict), or 'FILE  unreadable: REASON' for one that does not verify.\n"
	"exit status: 0 ok, 1 an archive is unreadable, 2 no such directory, 3 system failure\n";

static const char usage_show[] =
	"usage: harness archive show [--json] ARCHIVE\n"
	"\n"
	"Verify ARCHIVE, then print its manifest: 'key: value' per field (objects\n"
	"as JSON), then one line per member: '  NAME  SIZE  HASH'.\n"
	"  --json  print MANIFEST.json as it is (one RFC 8785 line)\n"
	"exit status: 0 ok, 1 the archive does not match its manifest, 2 bad usage,\n"
	"no such file or not a harness archive, 3 system failure\n";

static const char usage_extract[] =
	"usage: harness archive extract ARCHIVE DIR\n"
	"\n"
	"Verify ARCHIVE while unpacking MANIFEST.json and every member into a new\n"
	"directory beside DIR, renamed to DIR at the end. DIR must not exist or be\n"
	"empty. Whatever fails (a member that does not verify, a full disk), nothing\n"
	"is left behind.\n"
	"exit status: 0 ok, 1 the archive does not match its manifest, 2 bad usage,\n"
	"no such file, not a harness archive or a member name leaving DIR, 3 system failure\n";

/* Split argv (after the subcommand) into positionals; --help prints usage.
 * Returns -1 to continue, else the exit status. */
static int parse_args(int argc, char **argv, const char *usage, int *json, const char **pos, int max,
		      int *npos)
{
	int i, end_of_options = 0;
	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!end_of_options && hx_cli_is_help(a)) {
			fputs(usage, stdout);
			return 0;
		}
		if (!end_of_options && strcmp(a, "--") == 0) {
			end_of_options = 1;
		} else if (!end_of_options && json && strcmp(a, "--json") == 0) {
			*json = 1;
		} else if (!end_of_options && a[0] == '-' && a[1] != '\0') {
			static const char *const with_json[] = {"--json", "--help", NULL};
			static const char *const without[] = {"--help", NULL};
			hx_buf help = HX_BUF_INIT;
			hx_buf_printf(&help, "harness archive %s --help", argv[0]);
			hx_cli_unknown_option("archive", a, NULL, json ? with_json : without, help.ptr);
			hx_buf_release(&help);
			return 2;
		} else if (*npos == max) {
			hx_cli_error("archive", "unexpected argument '%s' (see 'harness archive %s --help')",
				     a, argv[0]);
			return 2;
		} else {
			pos[(*npos)++] = argv[i];
		}
	}
	return -1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A string field for a listing: "-" when absent or not a string. */
static const char *field(const hx_json *obj, const char *key)
{
	const hx_json *v = hx_json_get(obj, key);
	return v && v->type == HX_JSON_STRING ? v->u.string.ptr : "-";
}

/* Parse a verified archive's manifest (hx_archive_verify checked it). */
static hx_json *parse_manifest(hx_arena *arena, const hx_archive_contents *c)
{
	hx_json *root = NULL;
	if (hx_json_parse(&root, arena, c->manifest, c->manifest_len, NULL) != 0)
		return NULL;
	return root;
}

#define LS_COLUMNS 7

static const char *const ls_header[LS_COLUMNS] = {"FILE",   "EXPERIMENT", "STARTED", "SEED",
						  "ENGINE", "SNAPSHOT",   "GOLDEN"};

/* One row of the listing: the cells, or the file and why it is unreadable. */
typedef struct {
	char *cell[LS_COLUMNS];
	char *unreadable;
} ls_row;

static void ls_read(ls_row *row, const char *dir, const char *name, hx_arena *arena)
{
	char *path = hx_path_join(dir, name);
	hx_archive_contents c;
	hx_json *root;
	int err = hx_archive_verify(&c, path);

	free(path);
	memset(row, 0, sizeof(*row));
	row->cell[0] = hx_xstrdup(name);
	if (err) {
		row->unreadable = hx_xstrdup(hx_error_last());
		hx_error_clear();
		return;
	}
	root = parse_manifest(arena, &c);
	row->cell[1] = hx_xstrdup(field(root, "experiment"));
	row->cell[2] = hx_xstrdup(field(root, "started"));
	row->cell[3] = hx_xstrdup(field(root, "seed"));
	row->cell[4] = hx_xstrdup(field(hx_json_get(root, "engine"), "version"));
	row->cell[5] = hx_xstrdup(field(root, "snapshot_hash"));
	row->cell[6] = hx_xstrdup(field(root, "golden"));
	hx_archive_contents_release(&c);
	hx_arena_reset(arena);
}

static void ls_line(const size_t *w, const char *const *cell)
{
	int k;
	for (k = 0; k + 1 < LS_COLUMNS; k++)
		printf("%-*s  ", (int)w[k], cell[k]);
	printf("%s\n", cell[k]);
}

/* Cells padded to their column's width (the last one not: no trailing
 * blanks); an unreadable archive's reason starts in the second column. */
static void ls_print(const ls_row *rows, size_t n)
{
	size_t w[LS_COLUMNS], i, k;
	for (k = 0; k < LS_COLUMNS; k++)
		w[k] = strlen(ls_header[k]);
	for (i = 0; i < n; i++)
		for (k = 0; k < LS_COLUMNS; k++)
			if (rows[i].cell[k] && strlen(rows[i].cell[k]) > w[k])
				w[k] = strlen(rows[i].cell[k]);
	ls_line(w, ls_header);
	for (i = 0; i < n; i++) {
		if (rows[i].unreadable)
			printf("%-*s  unreadable: %s\n", (int)w[0], rows[i].cell[0], rows[i].unreadable);
		else
			ls_line(w, (const char *const *)rows[i].cell);
	}
}

static int cmd_ls(int argc, char **argv)
{
	const char *pos[1] = {"runs"};
	char **names = NULL;
	ls_row *rows;
	size_t n = 0, cap = 0, i, k;
	hx_arena *arena = NULL;
	struct dirent *de;
	DIR *d;
	int npos, status = parse_args(argc, argv, usage_ls, NULL, pos, 1, &npos);

	if (status >= 0)
		return status;
	if (!(d = opendir(pos[0]))) {
		int e = errno;
		hx_cli_error("archive", "cannot open directory '%s': %s", pos[0], strerror(e));
		return e == ENOENT || e == ENOTDIR ? 2 : 3;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    !(ends_with(de->d_name, ".tar.zst") || ends_with(de->d_name, ".tar.gz")))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = hx_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = hx_xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0) {
		printf("no archives in '%s'\n", pos[0]);
		return 0;
	}
	qsort(names, n, sizeof(*names), by_name);
	arena = hx_arena_new();
	rows = hx_xcalloc(n, sizeof(*rows));
	status = 0;
	for (i = 0; i < n; i++) {
		ls_read(&rows[i], pos[0], names[i], arena);
		if (rows[i].unreadable)
			status = 1;
		free(names[i]);
	}
	ls_print(rows, n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < LS_COLUMNS; k++)
			free(rows[i].cell[k]);
		free(rows[i].unreadable);
	}
	free(rows);
	free(names);
	hx_arena_free(arena);
	return status;
}

/* A top-level value on one line: strings as they are, the rest as JSON. */
static void print_value(hx_buf *line, const hx_json *v)
{
	if (v->type == HX_JSON_STRING)
		hx_buf_put(line, v->u.string.ptr, v->u.string.len);
	else
		hx_canon_serialize(line, v);
}

static void show_pretty(const hx_json *root)
{
	const hx_json *members = NULL;
	hx_buf line = HX_BUF_INIT;
	size_t i;

	for (i = 0; i < root->u.object.len; i++) {
		const hx_json_member *m = &root->u.object.members[i];
		if (strcmp(m->key, "members") == 0 && m->value->type == HX_JSON_ARRAY) {
			members = m->value; /* last, with a line each */
			continue;
		}
		hx_buf_reset(&line);
		hx_buf_printf(&line, "%s: ", m->key);
		print_value(&line, m->value);
		puts(line.ptr);
	}
	if (!members)
		return;
	printf("members: %zu\n", members->u.array.len);
	for (i = 0; i < members->u.array.len; i++) {
		const hx_json *m = members->u.array.items[i];
		hx_buf_reset(&line);
		hx_buf_printf(&line, "  %s  ", field(m, "name"));
		hx_canon_serialize(&line, hx_json_get(m, "size"));
		hx_buf_printf(&line, "  %s", field(m, "hash"));
		puts(line.ptr);
	}
	hx_buf_release(&line);
}

static int cmd_show(int argc, char **argv)
{
	const char *pos[1];
	hx_archive_contents c;
	hx_arena *arena;
	int json = 0, npos, err, status = parse_args(argc, argv, usage_show, &json, pos, 1, &npos);

	if (status >= 0)
		return status;
	if (npos != 1) {
		fputs(usage_show, stderr);
		return 2;
	}
	if ((err = hx_archive_verify(&c, pos[0])) != 0) {
		hx_cli_error("archive", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	if (json) {
		fwrite(c.manifest, 1, c.manifest_len, stdout);
	} else {
		arena = hx_arena_new();
		show_pretty(parse_manifest(arena, &c));
		hx_arena_free(arena);
	}
	hx_archive_contents_release(&c);
	return 0;
}

static int cmd_extract(int argc, char **argv)
{
	const char *pos[2];
	int npos, err, status = parse_args(argc, argv, usage_extract, NULL, pos, 2, &npos);

	if (status >= 0)
		return status;
	if (npos != 2) {
		fputs(usage_extract, stderr);
		return 2;
	}
	if ((err = hx_archive_extract(pos[0], pos[1])) != 0) {
		hx_cli_error("archive", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	printf("extracted '%s' into '%s'\n", pos[0], pos[1]);
	return 0;
}

int cmd_archive(int argc, char **argv)
{
	int status;
	if (argc >= 2 && hx_cli_is_help(argv[1])) {
		fputs(usage_all, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage_all, stderr);
		return 2;
	}
	if (strcmp(argv[1], "ls") == 0)
		status = cmd_ls(argc - 1, argv + 1);
	else if (strcmp(argv[1], "show") == 0)
		status = cmd_show(argc - 1, argv + 1);
	else if (strcmp(argv[1], "extract") == 0)
		status = cmd_extract(argc - 1, argv + 1);
	else {
		hx_cli_error("archive", "unknown subcommand '%s' (known: ls, show, extract)", argv[1]);
		return 2;
	}
	if (fflush(stdout) != 0) {
		hx_cli_error("archive", "cannot write to stdout");
		return 3;
	}
	return status;
}
