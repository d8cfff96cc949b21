/* cmd_golden.c - harness golden status|accept|reject|review */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "snapshot.h"

static const char usage[] =
	"usage: harness golden status [--specs DIR] [--json]\n"
	"       harness golden accept EXPERIMENT|--all [--specs DIR] [--no-wait]\n"
	"       harness golden reject EXPERIMENT|--all [--specs DIR] [--no-wait]\n"
	"       harness golden review [--specs DIR] [--no-wait]\n"
	"\n"
	"Review and approve snapshots. 'harness run' writes snapshots/EXPERIMENT/;\n"
	"the spec's golden directory (its 'golden:', default golden/EXPERIMENT)\n"
	"holds the approved one. Paths are relative to the current directory.\n"
	"\n"
	"  status   one line per name, sorted: pending (snapshot != golden), new (no\n"
	"           golden yet), missing (a spec with neither golden nor snapshot),\n"
	"           golden (a golden, no snapshot yet), unused (a golden/NAME no\n"
	"           spec refers to), ok; specs that cannot be read come first, then\n"
	"           duplicate (an experiment name two specs give: exit 2)\n"
	"  accept   copy the snapshot into its golden directory (replaced as a\n"
	"           whole) after checking that it still hashes to its manifest;\n"
	"           --all: every pending and new snapshot\n"
	"  reject   delete snapshots/EXPERIMENT/, dropping the pending change (golden\n"
	"           is never touched); --all: every pending and new snapshot\n"
	"  review   on a terminal: show each pending or new snapshot with its full\n"
	"           diff through $PAGER (else 'less -R' when there is one, with LESS\n"
	"           defaulting to FRX; PAGER=cat or \"\": no pager), then read a key:\n"
	"           a = accept, r = reject, s = skip, q = quit\n"
	"\n"
	"  --specs DIR  where the specs are (default: experiments, searched\n"
	"               recursively; YAML files without 'experiment:' are not specs)\n"
	"  --json       status as one JSON object\n"
	"  --no-wait    when another harness process holds the snapshot or golden\n"
	"               directory (a run, another accept), fail at once (exit 2)\n"
	"               instead of waiting for it\n"
	"\n"
	"With CI set (and not \"\", \"0\" or \"false\") accept, reject and review refuse:\n"
	"golden/ is never written in CI.\n"
	"exit status: 0 ok, 1 a snapshot does not match its manifest, 2 bad usage,\n"
	"no such snapshot, a duplicate experiment name or refused in CI, 3 system\n"
	"failure\n";

typedef struct {
	const char *sub;   /* status, accept, reject, review */
	const char *name;  /* EXPERIMENT, or NULL */
	const char *specs; /* NULL: experiments (and no error when it is absent) */
	int all, json, no_wait;
} golden_args;

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

static void duplicate_error(const hx_golden_entry *e)
{
	hx_cli_error("golden", "experiment '%s' is named by %s: their snapshots overwrite each "
			       "other; give each spec its own name",
		     e->name, e->error);
}

/* Specs, then the status of snapshots/ and golden/ against them. */
static int load_status(hx_golden_specs *specs, hx_golden_status *st, const golden_args *a)
{
	const char *dir = a->specs ? a->specs : "experiments";
	int err = hx_golden_specs_scan(specs, dir);

	if (err == HX_ENOTFOUND && !a->specs) {
		hx_error_clear(); /* a project without experiments/ still has snapshots */
		err = 0;
	} else if (err == HX_ENOTFOUND) {
		hx_cli_error("golden", "no spec directory '%s'", dir);
		return 2;
	}
	if (!err)
		err = hx_golden_status_scan(st, specs, "snapshots", "golden");
	if (err) {
		hx_cli_error("golden", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	return 0;
}

/* One error line per experiment name several specs give; how many. */
static size_t report_duplicates(const hx_golden_status *st)
{
	size_t i, n = 0;
	for (i = 0; i < st->n; i++)
		if (st->items[i].state == HX_GOLDEN_STATE_DUPLICATE) {
			duplicate_error(&st->items[i]);
			n++;
		}
	return n;
}

static int cmd_status(const golden_args *a)
{
	hx_golden_specs specs;
	hx_golden_status st;
	hx_buf out = HX_BUF_INIT;
	int status;

	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	if ((status = load_status(&specs, &st, a)) != 0)
		goto done;
	if (a->json)
		hx_golden_status_format_json(&out, &st);
	else if (st.n == 0)
		hx_buf_printf(&out, "nothing to report: no snapshots, golden snapshots or specs in '%s'\n",
			      a->specs ? a->specs : "experiments");
	else
		hx_golden_status_format(&out, &st);
	fwrite(out.ptr, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		hx_cli_error("golden", "cannot write to stdout");
		status = 3;
	}
	if (status == 0 && report_duplicates(&st))
		status = 2;
done:
	hx_buf_release(&out);
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	return status;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

static int accept_one(const char *snap, const char *gold)
{
	char hash[HX_HASH_HEX_LEN];
	size_t records = 0;
	int err = hx_golden_accept(snap, gold);

	if (!err)
		err = hx_snapshot_read_hash(gold, hash, &records);
	if (err) {
		hx_cli_error("golden", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	printf("accepted %s -> %s  %s  (%zu records)\n", snap, gold, hash, records);
	return 0;
}

static int reject_one(const char *snap, const char *gold)
{
	int err = hx_golden_reject(snap);
	if (err) {
		hx_cli_error("golden", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	printf("rejected %s (removed; %s unchanged)\n", snap, gold);
	return 0;
}

/* accept and reject: one name, or every pending and new snapshot. */
static int cmd_apply(const golden_args *a, int (*fn)(const char *snap, const char *gold))
{
	hx_golden_specs specs;
	hx_golden_status st;
	const hx_golden_entry *e;
	char *snap = NULL, *gold = NULL;
	size_t i, done_n = 0;
	int status;

	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	if ((status = load_status(&specs, &st, a)) != 0)
		goto done;
	if (a->all) {
		for (i = 0; i < st.n; i++) {
			const hx_golden_entry *dup;
			e = &st.items[i];
			if (e->state != HX_GOLDEN_STATE_PENDING && e->state != HX_GOLDEN_STATE_NEW)
				continue;
			if ((dup = hx_golden_status_duplicate(&st, e->name)) != NULL) {
				duplicate_error(dup); /* whose snapshot is it? */
				status = worse(status, 2);
				done_n++;
				continue;
			}
			status = worse(status, fn(e->snapshot_dir, e->golden_dir));
			done_n++;
		}
		if (!done_n)
			printf("nothing to %s: no pending or new snapshots\n", a->sub);
		goto done;
	}
	if ((e = hx_golden_status_duplicate(&st, a->name)) != NULL) {
		duplicate_error(e);
		status = 2;
		goto done;
	}
	if ((e = hx_golden_status_find(&st, a->name)) != NULL) {
		status = fn(e->snapshot_dir, e->golden_dir);
		goto done;
	}
	/* No readable snapshot by that name: let the library say what is wrong,
	 * against the golden directory the name's spec gives. */
	snap = hx_path_join("snapshots", a->name);
	for (i = 0; i < specs.n && !gold; i++)
		if (specs.items[i].experiment && strcmp(specs.items[i].experiment, a->name) == 0)
			gold = hx_xstrdup(specs.items[i].golden);
	if (!gold)
		gold = hx_path_join("golden", a->name);
	status = fn(snap, gold);
done:
	if (fflush(stdout) != 0) {
		hx_cli_error("golden", "cannot write to stdout");
		status = 3;
	}
	free(snap);
	free(gold);
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	return status;
}

/* The review reads single keys: the terminal leaves canonical mode (and
 * echo: the walk prints the choice) until it ends, or a signal ends it. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_raw;

static void restore_tty(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_raw = 0;
	}
}

static void on_review_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void raw_tty(void)
{
	struct termios t;
	struct sigaction sa;
	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return; /* line mode still works: a key and Enter */
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_review_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		tty_raw = 1;
}

/* Is there an executable `name` on PATH? */
static int on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	hx_buf file = HX_BUF_INIT;
	int found = 0;
	for (p = path ? path : ""; *p && !found; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		hx_buf_reset(&file);
		hx_buf_put(&file, p, (size_t)(end - p));
		hx_buf_printf(&file, "/%s", name);
		found = end > p && access(file.ptr, X_OK) == 0;
	}
	hx_buf_release(&file);
	return found;
}

/* The review's pager: $PAGER run by the shell (as git runs it; "" or
 * "cat" is straight output), else "less -R" when there is one. LESS
 * defaults to FRX: a diff that fits the screen needs no 'q' and stays
 * visible above the prompt. The terminal is back in line mode meanwhile,
 * and a SIGINT or a pager quit early (SIGPIPE) ends the paging, not the
 * review. */
static int page_text(void *ctx, const char *text, size_t len)
{
	const char *pager = getenv("PAGER");
	struct sigaction ign, old_int, old_pipe;
	FILE *p;
	int status;

	(void)ctx;
	if (pager && (!*pager || strcmp(pager, "cat") == 0))
		return 1;
	if (!pager && !on_path("less"))
		return 1;
	if (!pager)
		pager = "less -R";
	setenv("LESS", "FRX", 0);
	restore_tty();
	fflush(stdout);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	if (!(p = popen(pager, "w"))) {
		sigaction(SIGPIPE, &old_pipe, NULL);
		raw_tty();
		return 1;
	}
	sigaction(SIGINT, &ign, &old_int);
	fwrite(text, 1, len, p); /* a pager quit early: EPIPE, fine */
	status = pclose(p);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	raw_tty();
	/* 127: the shell found no such pager; show the text after all */
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127;
}

static int cmd_review(const golden_args *a)
{
	hx_golden_specs specs;
	hx_golden_status st;
	hx_golden_review_counts counts;
	int status, err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		hx_cli_error(NULL, "golden review needs a terminal; use 'golden status' and "
				   "'golden accept/reject'");
		return 2;
	}
	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	if ((status = load_status(&specs, &st, a)) != 0)
		goto done;
	raw_tty();
	err = hx_golden_review(&counts, &st, stdin, stdout, page_text, NULL);
	restore_tty();
	if (err) {
		hx_cli_error("golden", "%s", hx_error_last());
		status = hx_error_exit_status(err);
	} else if (counts.err) {
		status = hx_error_exit_status(counts.err);
	}
done:
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	return status;
}

static int parse_args(golden_args *a, int argc, char **argv)
{
	const char *v;
	int i;

	for (i = 2; i < argc; i++) {
		if ((v = hx_cli_option_value(argc, argv, &i, "--specs"))) {
			if (!*v) {
				hx_cli_error("golden", "'--specs' needs a directory");
				return 2;
			}
			a->specs = v;
		} else if (strcmp(argv[i], "--json") == 0 && strcmp(a->sub, "status") == 0) {
			a->json = 1;
		} else if (strcmp(argv[i], "--no-wait") == 0 && strcmp(a->sub, "status") != 0) {
			a->no_wait = 1;
		} else if (strcmp(argv[i], "--all") == 0 &&
			   (strcmp(a->sub, "accept") == 0 || strcmp(a->sub, "reject") == 0)) {
			a->all = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const status_opts[] = {"--specs", "--json", "--help", NULL};
			static const char *const accept_opts[] = {"--specs", "--all", "--no-wait",
								  "--help", NULL};
			static const char *const other_opts[] = {"--specs", "--no-wait", "--help", NULL};
			int acc = strcmp(a->sub, "accept") == 0 || strcmp(a->sub, "reject") == 0;
			hx_cli_unknown_option("golden", argv[i], a->sub,
					      strcmp(a->sub, "status") == 0 ? status_opts
					      : acc			    ? accept_opts
									    : other_opts,
					      "harness golden --help");
			return 2;
		} else if (a->name || strcmp(a->sub, "status") == 0 || strcmp(a->sub, "review") == 0) {
			hx_cli_error("golden", "unexpected argument '%s' (see 'harness golden --help')",
				     argv[i]);
			return 2;
		} else {
			a->name = argv[i];
		}
	}
	if (strcmp(a->sub, "accept") == 0 || strcmp(a->sub, "reject") == 0) {
		if (!a->name == !a->all) {
			hx_cli_error("golden", "'%s' takes one experiment name or --all", a->sub);
			return 2;
		}
		if (a->name && !valid_name(a->name)) {
			hx_cli_error("golden",
				     "'%s' is not an experiment name ([a-z0-9._-], as in the spec)",
				     a->name);
			return 2;
		}
	}
	return 0;
}

int cmd_golden(int argc, char **argv)
{
	static const char *const subs[] = {"status", "accept", "reject", "review", NULL};
	golden_args a;
	char what[32];
	int i, status;

	if (argc >= 2 && hx_cli_is_help(argv[1])) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	for (i = 0; subs[i] && strcmp(subs[i], argv[1]) != 0; i++)
		;
	if (!subs[i]) {
		hx_cli_error("golden", "unknown subcommand '%s' (known: status, accept, reject, review)",
			     argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++)
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		}
	memset(&a, 0, sizeof(a));
	a.sub = argv[1];
	if ((status = parse_args(&a, argc, argv)) != 0)
		return status;
	if (strcmp(a.sub, "status") != 0 && hx_cli_in_ci()) {
		/* Approving is a person's decision; CI only reports (and keeps the
		 * pending snapshots, see 'harness run --pending-dir'). */
		snprintf(what, sizeof(what), "golden %s", a.sub);
		hx_cli_error(what, "refused in CI (CI is set): golden/ is never written in CI");
		return 2;
	}
	if (strcmp(a.sub, "status") == 0)
		return cmd_status(&a);
	hx_cli_locks("golden", a.no_wait);
	if (strcmp(a.sub, "accept") == 0)
		return cmd_apply(&a, accept_one);
	if (strcmp(a.sub, "reject") == 0)
		return cmd_apply(&a, reject_one);
	return cmd_review(&a);
}
