/* test_proc_engine.c - the real-verifier engines, end to end: specs that
 * run the fake Lean verifier (tests/fixtures/fake_verifier.c) and plain
 * commands through hx_run, checking every outcome, the output caps, that no
 * process of a task outlives its timeout, worker-count independence,
 * engine telemetry files, and interrupt + resume. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "run.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("proc")

/* Not running: no such process, or a zombie (dead; reaping orphans is
 * init's job, and some container inits never do it). */
static int process_gone(long pid)
{
	char path[64], line[128];
	FILE *fp;
	int zombie = 0;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if (!(fp = fopen(path, "r")))
		return 1;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, "State:", 6) == 0)
			zombie = strchr(line, 'Z') != NULL;
	fclose(fp);
	return zombie;
}

/* Run spec text; returns hx_run's code and fills res. */
static int run_text(hx_run_result *res, const char *text, const char *out, int workers,
		    const atomic_int *cancel, int resume)
{
	hx_run_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "./spec.yaml";
	opt.spec_text = text;
	opt.spec_text_len = strlen(text);
	opt.out_dir = out;
	opt.workers = workers;
	opt.cancel = cancel;
	opt.resume = resume;
	hx_run_result_init(res);
	return hx_run(res, &opt);
}

/* One record per line of out/telemetry.jsonl, parsed. */
typedef struct {
	hx_arena *a;
	hx_json **recs;
	size_t n;
	hx_buf text;
} records;

static void load_records(records *r, const char *path)
{
	size_t start = 0;
	memset(r, 0, sizeof(*r));
	r->a = hx_arena_new();
	hx_buf_init(&r->text);
	assert_int_equal(hx_file_read(&r->text, path), 0);
	r->recs = calloc(r->text.len + 1, sizeof(hx_json *));
	while (start < r->text.len) {
		char *nl = memchr(r->text.ptr + start, '\n', r->text.len - start);
		assert_non_null(nl);
		assert_int_equal(hx_json_parse(&r->recs[r->n], r->a, r->text.ptr + start,
					       (size_t)(nl - r->text.ptr) - start, NULL),
				 0);
		r->n++;
		start = (size_t)(nl - r->text.ptr) + 1;
	}
}

static void free_records(records *r)
{
	hx_arena_free(r->a);
	free(r->recs);
	hx_buf_release(&r->text);
}

static const char *str_at(const hx_json *rec, const char *a, const char *b)
{
	const hx_json *v = hx_json_get(rec, a);
	if (b)
		v = hx_json_get(v, b);
	return v && v->type == HX_JSON_STRING ? v->u.string.ptr : NULL;
}

static double num_at(const hx_json *rec, const char *a, const char *b)
{
	const hx_json *v = hx_json_get(rec, a);
	if (b)
		v = hx_json_get(v, b);
	return v && v->type == HX_JSON_NUMBER ? v->u.number : -1;
}

static const hx_json *find_module(const records *r, const char *module)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (strcmp(str_at(r->recs[i], "module_name", NULL), module) == 0)
			return r->recs[i];
	fail_msg("no record for %s", module);
	return NULL;
}

/* With an explicit command, `json: true` says how to read the output; the
 * command itself passes --json. */
#define LEAN_ENGINE(json)                                                                        \
	"engine:\n"                                                                              \
	"  kind: lean\n"                                                                         \
	"  root: " HX_FAKE_LEAN "\n"                                                             \
	"  command: [" HX_FAKE_VERIFIER ", " json "'{module_path}']\n"                           \
	"  version_command: [" HX_FAKE_VERIFIER ", --version]\n"                                 \
	"  grace_s: 0.3\n"                                                                       \
	"  env: {FAKE_PIDFILE: '{out_dir}/pid-{task_index}'}\n"

static const struct {
	const char *module, *outcome, *reason;
} expected[] = {
	{"Fake.Verified", "verified", "exit 0"},
	{"Fake.Sorry", "verified", "exit 0 with 1 sorry"},
	{"Fake.Error", "proof_invalid", "exit 1 with 1 error"},
	{"Fake.ErrorNamed", "proof_invalid", "exit 1 with 1 error"},
	{"Fake.Heartbeats", "deterministic_timeout", "heartbeat limit reached"},
	{"Fake.HeartbeatsOld", "deterministic_timeout", "heartbeat limit reached"},
	{"Fake.HeartbeatsNested", "deterministic_timeout", "heartbeat limit reached"},
	{"Fake.Recursion", "resource_exhausted", "maximum recursion depth reached"},
	{"Fake.Oom", "resource_exhausted", "out of memory"},
	{"Fake.StackOverflow", "verifier_crash", "stack overflow"},
	{"Fake.Segv", "verifier_crash", "killed by SIGSEGV"},
	{"Fake.Hang", "verifier_timeout", "harness timeout"},
	{"Fake.HangGrandchild", "verifier_timeout", "harness timeout"},
	{"Fake.Tactics", "verified", "exit 0"},
	{"Fake.Flood", "verified", "exit 0"},
};
#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static void write_module_list(void)
{
	hx_buf b = HX_BUF_INIT;
	size_t i;
	hx_buf_puts(&b, "# every behaviour of the fake verifier\n");
	for (i = 0; i < NEXPECTED; i++)
		hx_buf_printf(&b, "%s\n", expected[i].module);
	assert_int_equal(hx_file_write_atomic("modules.txt", b.ptr, b.len), 0);
	hx_buf_release(&b);
}

static char *lean_spec(int json, int sorry_invalid)
{
	hx_buf b = HX_BUF_INIT;
	hx_buf_printf(&b, "experiment: lean-fake\nseed: 7\n%s%s%s"
			  "corpus: {list: modules.txt}\n"
			  "tiers: {FAST: {timeout_s: 1}}\nsamples: %zu\n",
		      json ? LEAN_ENGINE("--json, ") : LEAN_ENGINE(""), json ? "  json: true\n" : "",
		      sorry_invalid ? "  sorry_invalid: true\n" : "",
		      NEXPECTED);
	return hx_buf_detach(&b, NULL);
}

static void test_lean_outcomes(void **state)
{
	hx_run_result res;
	records r;
	char *spec;
	size_t i;
	(void)state;
	write_module_list();
	spec = lean_spec(0, 0);
	assert_int_equal(run_text(&res, spec, "lean", 4, NULL, 0), 0);
	assert_string_equal(res.engine.version,
			    "Lean (version 4.9.0, x86_64-unknown-linux-gnu, commit 0123456789abcdef, Release)");
	assert_non_null(res.engine.hash);
	assert_int_equal(res.tasks, NEXPECTED);
	load_records(&r, "lean/telemetry.jsonl");
	assert_int_equal(r.n, NEXPECTED);
	for (i = 0; i < NEXPECTED; i++) {
		const hx_json *rec = find_module(&r, expected[i].module);
		if (strcmp(str_at(rec, "outcome", NULL), expected[i].outcome) != 0)
			fail_msg("%s: outcome %s, expected %s", expected[i].module,
				 str_at(rec, "outcome", NULL), expected[i].outcome);
		if (expected[i].reason)
			assert_string_equal(str_at(rec, "metadata", "reason"), expected[i].reason);
		assert_string_equal(str_at(rec, "metadata", "engine_version"), res.engine.version);
		assert_string_equal(str_at(rec, "metadata", "toolchain"),
				    "leanprover/lean4:v4.9.0");
	}
	/* details the outcome alone does not show */
	assert_true(num_at(find_module(&r, "Fake.Sorry"), "messages", "sorries") == 1);
	assert_true(num_at(find_module(&r, "Fake.Tactics"), "tactics", "rw") == 2);
	assert_true(num_at(find_module(&r, "Fake.Tactics"), "tactics", "apply") == 1);
	assert_true(num_at(find_module(&r, "Fake.Segv"), "signal", NULL) == SIGSEGV);
	assert_non_null(strstr(str_at(find_module(&r, "Fake.Error"), "stdout_tail", NULL),
			       "error: type mismatch"));
	{
		/* 5 MiB of stdout: the record keeps a 2 KiB tail, and counts the rest */
		const hx_json *f = find_module(&r, "Fake.Flood");
		assert_true(strlen(str_at(f, "stdout_tail", NULL)) <= 2048);
		assert_true(num_at(f, "metadata", "stdout_dropped") +
				    (double)strlen(str_at(f, "stdout_tail", NULL)) ==
			    5.0 * 1024 * 1024);
	}
	{
		/* timeouts: killed at 1 s, the grandchild that ignores SIGTERM by
		 * the SIGKILL after the 0.3 s grace period */
		const hx_json *h = find_module(&r, "Fake.HangGrandchild");
		double ms = num_at(h, "duration_ms", NULL);
		assert_true(ms >= 1000 && ms < 1000 + 300 + 500);
		assert_string_equal(str_at(h, "metadata", "limit"), "timeout");
	}
	free_records(&r);
	hx_run_result_release(&res);

	/* no process of a task survives it: the grandchild's pid is gone */
	{
		hx_buf pidtext = HX_BUF_INIT;
		long pid;
		char path[64];
		for (i = 0; i < NEXPECTED; i++) {
			snprintf(path, sizeof(path), "lean/pid-%zu", i);
			if (hx_path_exists(path))
				break;
		}
		assert_true(i < NEXPECTED);
		assert_int_equal(hx_file_read(&pidtext, path), 0);
		pid = strtol(pidtext.ptr, NULL, 10);
		assert_true(pid > 1);
		assert_true(process_gone(pid));
		hx_buf_release(&pidtext);
	}
	free(spec);
}

/* Worker counts 1 and 3 give the same outcomes in the same order. */
static void test_workers_do_not_change_outcomes(void **state)
{
	hx_run_result a, b;
	records ra, rb;
	char *spec;
	size_t i;
	(void)state;
	write_module_list();
	spec = lean_spec(0, 1); /* and sorry counts as invalid */
	assert_int_equal(run_text(&a, spec, "w1", 1, NULL, 0), 0);
	assert_int_equal(run_text(&b, spec, "w3", 3, NULL, 0), 0);
	load_records(&ra, "w1/telemetry.jsonl");
	load_records(&rb, "w3/telemetry.jsonl");
	assert_int_equal(ra.n, rb.n);
	for (i = 0; i < ra.n; i++) {
		assert_string_equal(str_at(ra.recs[i], "module_name", NULL),
				    str_at(rb.recs[i], "module_name", NULL));
		assert_string_equal(str_at(ra.recs[i], "outcome", NULL),
				    str_at(rb.recs[i], "outcome", NULL));
		assert_true(num_at(ra.recs[i], "metadata", "task_index") == (double)i);
	}
	assert_string_equal(str_at(find_module(&ra, "Fake.Sorry"), "outcome", NULL),
			    "proof_invalid");
	free_records(&ra);
	free_records(&rb);
	hx_run_result_release(&a);
	hx_run_result_release(&b);
	free(spec);
}

static void test_lean_json(void **state)
{
	hx_run_result res;
	records r;
	char *spec;
	(void)state;
	write_module_list();
	spec = lean_spec(1, 0);
	assert_int_equal(run_text(&res, spec, "json", 4, NULL, 0), 0);
	load_records(&r, "json/telemetry.jsonl");
	assert_string_equal(str_at(find_module(&r, "Fake.Error"), "outcome", NULL), "proof_invalid");
	assert_string_equal(str_at(find_module(&r, "Fake.HeartbeatsNested"), "outcome", NULL),
			    "deterministic_timeout");
	assert_true(num_at(find_module(&r, "Fake.Sorry"), "messages", "sorries") == 1);
	assert_non_null(strstr(str_at(find_module(&r, "Fake.Error"), "stdout_tail", NULL),
			       "\"severity\":\"error\""));
	free_records(&r);
	hx_run_result_release(&res);
	free(spec);
}

/* The command engine: templates in argv and env, exit-code and regex
 * rules, and a JSONL file the engine writes, merged into the record. */
static void test_command_engine(void **state)
{
	hx_run_result res;
	records r;
	const hx_json *t;
	size_t i;
	const char *spec =
		"experiment: cmd\nseed: 3\n"
		"engine:\n"
		"  kind: command\n"
		"  command: [sh, -c, 'echo \"{\\\"ticks\\\": $TICKS, \\\"tier\\\": \\\"{tier}\\\"}\" > \"$OUT\"; "
		"echo \"{\\\"pnl\\\": {task_index}.5}\" >> \"$OUT\"; "
		"case {module} in M3) echo diverged >&2; exit 1;; M4) exit 3;; esac; exit 0']\n"
		"  env: {OUT: '{telemetry_path}', TICKS: '{seed}'}\n"
		"  telemetry: '{out_dir}/engine/{task_index}.jsonl'\n"
		"  outcomes:\n"
		"    exit: {3: resource_exhausted}\n"
		"    regex: [{pattern: '^diverged$', stream: stderr, outcome: verifier_crash}]\n"
		"corpus: {list: cmd.txt}\n"
		"tiers: {BALANCED: {timeout_s: 5}}\nsamples: 5\n";
	(void)state;
	assert_int_equal(hx_file_write_atomic("cmd.txt", "M0\nM1\nM2\nM3\nM4\n", 15), 0);
	assert_int_equal(run_text(&res, spec, "cmd", 2, NULL, 0), 0);
	assert_string_equal(res.engine.kind, "command");
	load_records(&r, "cmd/telemetry.jsonl");
	assert_int_equal(r.n, 5);
	assert_string_equal(str_at(find_module(&r, "M0"), "outcome", NULL), "verified");
	assert_string_equal(str_at(find_module(&r, "M3"), "outcome", NULL), "verifier_crash");
	assert_string_equal(str_at(find_module(&r, "M3"), "metadata", "reason"),
			    "rule '^diverged$' matched stderr");
	assert_string_equal(str_at(find_module(&r, "M4"), "outcome", NULL), "resource_exhausted");
	for (i = 0; i < r.n; i++) {
		char want[32];
		t = hx_json_get(r.recs[i], "engine_telemetry");
		assert_non_null(t);
		/* the engine saw its own seed and tier; later lines add keys */
		assert_string_equal(str_at(t, "tier", NULL), "balanced");
		snprintf(want, sizeof(want), "%s", str_at(r.recs[i], "metadata", "task_seed"));
		assert_true(num_at(t, "ticks", NULL) == strtod(want, NULL));
		assert_true(num_at(t, "pnl", NULL) == (double)i + 0.5);
	}
	free_records(&r);
	hx_run_result_release(&res);
}

/* An interrupted run keeps its completed prefix; resuming finishes it with
 * the same records a straight run gives. */
static void test_interrupt_and_resume(void **state)
{
	hx_run_result res;
	records whole, resumed;
	static atomic_int cancel;
	size_t i;
	const char *spec =
		"experiment: slow\nseed: 5\n"
		"engine: {kind: command, command: [sh, -c, 'sleep 0.05; test {task_index} -ne 3']}\n"
		"corpus: {kind: synthetic, modules: 50}\n"
		"tiers: {FAST: {timeout_s: 10}}\nsamples: 40\n";
	(void)state;

	assert_int_equal(run_text(&res, spec, "whole", 2, NULL, 0), 0);
	hx_run_result_release(&res);

	/* cancel before the start: nothing runs, nothing is lost */
	atomic_store(&cancel, 1);
	assert_int_equal(run_text(&res, spec, "part", 2, &cancel, 0), HX_EINTERRUPTED);
	assert_non_null(strstr(hx_error_last(), "interrupted after 0 of 40 tasks"));
	assert_non_null(strstr(hx_error_last(), "--out part --resume"));
	hx_run_result_release(&res);
	assert_true(hx_path_exists("part/telemetry.jsonl.partial"));
	assert_false(hx_path_exists("part/telemetry.jsonl"));

	/* a partial file with 7 records and a torn eighth line */
	{
		hx_buf w = HX_BUF_INIT, part = HX_BUF_INIT;
		size_t n = 0, k;
		assert_int_equal(hx_file_read(&w, "whole/telemetry.jsonl"), 0);
		for (k = 0; k < w.len && n < 7; k++)
			if (w.ptr[k] == '\n')
				n++;
		hx_buf_put(&part, w.ptr, k);
		hx_buf_puts(&part, "{\"verification_id\":\"torn");
		assert_int_equal(hx_file_write_atomic("part/telemetry.jsonl.partial", part.ptr, part.len), 0);
		hx_buf_release(&w);
		hx_buf_release(&part);
	}
	atomic_store(&cancel, 0);
	assert_int_equal(run_text(&res, spec, "part", 2, &cancel, 1), 0);
	hx_run_result_release(&res);
	load_records(&whole, "whole/telemetry.jsonl");
	load_records(&resumed, "part/telemetry.jsonl");
	assert_int_equal(whole.n, 40);
	assert_int_equal(resumed.n, 40);
	for (i = 0; i < 40; i++) {
		assert_string_equal(str_at(whole.recs[i], "module_name", NULL),
				    str_at(resumed.recs[i], "module_name", NULL));
		assert_string_equal(str_at(whole.recs[i], "outcome", NULL),
				    str_at(resumed.recs[i], "outcome", NULL));
		assert_string_equal(str_at(whole.recs[i], "metadata", "task_seed"),
				    str_at(resumed.recs[i], "metadata", "task_seed"));
	}
	assert_string_equal(str_at(resumed.recs[3], "outcome", NULL), "proof_invalid");
	free_records(&whole);
	free_records(&resumed);

	/* resuming with another seed is refused, naming the mismatch */
	assert_int_equal(hx_file_write_atomic("part/telemetry.jsonl.partial", "", 0), 0);
	{
		hx_buf w = HX_BUF_INIT;
		assert_int_equal(hx_file_read(&w, "whole/telemetry.jsonl"), 0);
		assert_int_equal(hx_file_write_atomic("part/telemetry.jsonl.partial", w.ptr, w.len), 0);
		hx_buf_release(&w);
	}
	{
		char *other = strdup(spec);
		other[strstr(other, "seed: 5") - other + 6] = '6';
		assert_int_equal(run_text(&res, other, "part", 2, NULL, 1), HX_EINVALID);
		assert_non_null(strstr(hx_error_last(), "is not task 0 of this plan"));
		hx_run_result_release(&res);
		free(other);
	}
}

/* A corpus module without its file is an error before any task runs (the
 * count and the first names in the message), or, with `missing: skip`, left
 * out of the plan and counted. */
static void test_missing_modules(void **state)
{
	static const char *const spec =
		"experiment: miss\nseed: 3\n" LEAN_ENGINE("") "corpus: {list: few.txt%s}\n"
		"tiers: {FAST: {timeout_s: 5}}\nsamples: 4\nlabel: false\n";
	const char *few = "Fake.Verified\nFake.Missing\nFake.Error\nNo.Such.Module\nFake.Gone\n"
			  "Fake.Absent\n";
	hx_run_result res;
	hx_buf text = HX_BUF_INIT, sum = HX_BUF_INIT;
	records r;
	size_t i;
	(void)state;
	assert_int_equal(hx_file_write_atomic("few.txt", few, strlen(few)), 0);
	hx_buf_printf(&text, spec, "");
	assert_int_equal(run_text(&res, text.ptr, "miss1", 2, NULL, 0), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "4 of 6 corpus modules have no file under '" HX_FAKE_LEAN "': "
			    "'Fake.Missing', 'No.Such.Module', 'Fake.Gone' and 1 more (to leave "
			    "them out: 'missing: skip' in the spec's corpus, or calibrate "
			    "--skip-missing)");
	assert_false(hx_path_exists("miss1")); /* nothing ran, nothing was made */
	hx_run_result_release(&res);

	hx_buf_reset(&text);
	hx_buf_printf(&text, spec, ", missing: skip");
	assert_int_equal(run_text(&res, text.ptr, "miss2", 2, NULL, 0), 0);
	assert_int_equal(res.modules_skipped, 4);
	assert_string_equal(res.modules_skipped_text,
			    "'Fake.Missing', 'No.Such.Module', 'Fake.Gone' and 1 more");
	load_records(&r, "miss2/telemetry.jsonl");
	assert_int_equal(r.n, 4);
	for (i = 0; i < r.n; i++)
		assert_string_not_equal(str_at(r.recs[i], "outcome", NULL), "module_not_found");
	hx_run_format_summary(&sum, &res);
	assert_non_null(strstr(sum.ptr, "\ncorpus      4 modules without a file skipped (missing: "
					"skip): 'Fake.Missing', "));
	free_records(&r);
	hx_run_result_release(&res);
	hx_buf_release(&text);
	hx_buf_release(&sum);
}

/* A version command that cannot run is an engine failure before any task. */
static void test_engine_identity_errors(void **state)
{
	hx_run_result res;
	(void)state;
	assert_int_equal(hx_mkdirs("idc", 0755), 0);
	assert_int_equal(hx_file_write_atomic("idc/A.v", "", 0), 0);
	assert_int_equal(run_text(&res,
				  "experiment: x\nseed: 1\ncorpus: {dir: idc}\n"
				  "engine: {kind: coq, version_command: [/nonexistent/coqc, --version]}\n"
				  "tiers: {FAST: }\nsamples: 1\n",
				  "idt", 1, NULL, 0),
			 HX_EENGINE);
	assert_string_equal(hx_error_last(), "cannot run the version command "
					     "'/nonexistent/coqc': No such file or directory");
	hx_run_result_release(&res);
	assert_int_equal(run_text(&res,
				  "experiment: x\nseed: 1\n"
				  "engine: {kind: command, command: [echo, '{modul}']}\n"
				  "tiers: {FAST: }\nsamples: 1\n",
				  "idt", 1, NULL, 0),
			 HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "unknown placeholder '{modul}' in '{modul}'"));
	hx_run_result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lean_outcomes),
		cmocka_unit_test(test_workers_do_not_change_outcomes),
		cmocka_unit_test(test_lean_json),
		cmocka_unit_test(test_command_engine),
		cmocka_unit_test(test_interrupt_and_resume),
		cmocka_unit_test(test_engine_identity_errors),
		cmocka_unit_test(test_missing_modules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
