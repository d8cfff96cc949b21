/* test_outcome.c - outcome mapping: every step of the precedence list,
 * the lean, lean-json, coq and generic dialects with their real messages,
 * counts, sorries, tactic counts and the reason line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "outcome.h"

/* ---------------------------------------------------------------- helpers */

/* A result filled by hand (exec.c's init/release are not needed). */
static void proc_init(hx_proc_result *r, int exit_code, const char *out, const char *err)
{
	memset(r, 0, sizeof(*r));
	hx_buf_init(&r->out);
	hx_buf_init(&r->err);
	r->status = HX_PROC_EXITED;
	r->exit_code = exit_code;
	r->limit = HX_LIMIT_NONE;
	if (out)
		hx_buf_puts(&r->out, out);
	if (err)
		hx_buf_puts(&r->err, err);
}

static void proc_release(hx_proc_result *r)
{
	hx_buf_release(&r->out);
	hx_buf_release(&r->err);
}

static hx_outcome_config config(hx_dialect d)
{
	hx_outcome_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.dialect = d;
	return cfg;
}

static void classify_result(hx_classification *c, const hx_outcome_config *cfg,
			    const hx_proc_result *r)
{
	hx_outcome_rules *rules = NULL;
	int rc = hx_outcome_rules_new(&rules, cfg);
	if (rc != 0)
		fail_msg("rules: %s", hx_error_last());
	assert_non_null(rules);
	hx_outcome_classify(c, rules, r);
	hx_outcome_rules_free(rules);
}

static void classify_cfg(hx_classification *c, const hx_outcome_config *cfg, int exit_code,
			 const char *out, const char *err)
{
	hx_proc_result r;
	proc_init(&r, exit_code, out, err);
	classify_result(c, cfg, &r);
	proc_release(&r);
}

static void classify(hx_classification *c, hx_dialect d, int exit_code, const char *out,
		     const char *err)
{
	hx_outcome_config cfg = config(d);
	classify_cfg(c, &cfg, exit_code, out, err);
}

static void expect(const hx_classification *c, hx_outcome o, const char *reason)
{
	if (c->outcome != o)
		fail_msg("outcome %s, expected %s (reason '%s')", hx_outcome_name(c->outcome),
			 hx_outcome_name(o), c->reason);
	assert_string_equal(c->reason, reason);
}

static void expect_counts(const hx_classification *c, long errors, long warnings, long sorries)
{
	assert_int_equal(c->errors, errors);
	assert_int_equal(c->warnings, warnings);
	assert_int_equal(c->sorries, sorries);
}

static void expect_tactic(const hx_classification *c, size_t i, const char *name, long count)
{
	assert_true(i < c->ntactics);
	assert_string_equal(c->tactics[i].name, name);
	assert_int_equal(c->tactics[i].count, count);
}

/* Lean's messages, verbatim. */
#define HB_NEW                                                                                \
	"A.lean:12:4: error: (deterministic) timeout at `whnf`, maximum number of heartbeats " \
	"(200000) has been reached\n"                                                          \
	"Use `set_option maxHeartbeats <num>` to set the limit.\n"                             \
	"Additional diagnostic information may be available using the "                       \
	"`set_option diagnostics true` command.\n"
#define HB_OLD                                                                                \
	"A.lean:12:4: error: (deterministic) timeout at 'whnf', maximum number of heartbeats " \
	"(200000) has been reached (use 'set_option maxHeartbeats <num>' to set the limit)\n"
#define HB_NESTED                                                               \
	"A.lean:20:2: error: failed to synthesize\n"                             \
	"  Decidable (f x = g x)\n"                                              \
	"(deterministic) timeout at `isDefEq`, maximum number of heartbeats "    \
	"(20000) has been reached\n"                                             \
	"Use `set_option synthInstance.maxHeartbeats <num>` to set the limit.\n" \
	"Additional diagnostic information may be available using the "         \
	"`set_option diagnostics true` command.\n"
#define RECURSION                                                         \
	"A.lean:5:0: error: maximum recursion depth has been reached\n"     \
	"use `set_option maxRecDepth <num>` to increase limit\n"            \
	"use `set_option diagnostics true` to get diagnostic information\n"
#define TYPE_MISMATCH                                    \
	"A.lean:7:2: error: type mismatch\n"             \
	"  h\n"                                          \
	"has type\n"                                     \
	"  a = b : Prop\n"                               \
	"but is expected to have type\n"                 \
	"  b = a : Prop\n"
#define UNKNOWN_ID "A.lean:9:10: error(lean.unknownIdentifier): unknown identifier 'foo'\n"
#define SORRY_WARN "A.lean:3:8: warning: declaration uses 'sorry'\n"
#define UNUSED_WARN                                                     \
	"A.lean:4:12: warning: unused variable `h`\n"                   \
	"note: this linter can be disabled with `set_option linter.unusedVariables false`\n"

/* ---------------------------------------------------------------- process status */

static void test_exec_failure(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	proc_init(&r, 0, NULL, NULL);
	r.status = HX_PROC_EXEC_FAILED;
	r.exec_errno = ENOENT;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_ENGINE_ERROR, "exec failed: No such file or directory");
	expect_counts(&c, 0, 0, 0);
	assert_int_equal(c.ntactics, 0);
	proc_release(&r);
}

static void test_harness_timeout(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	/* Killed by the harness mid-way: the timeout wins over the signal and
	 * the messages, but what was seen is still counted. */
	proc_init(&r, 0, "[tactic.simp] simp made progress\n" TYPE_MISMATCH, NULL);
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGKILL;
	r.limit = HX_LIMIT_TIMEOUT;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIER_TIMEOUT, "harness timeout");
	expect_counts(&c, 1, 0, 0);
	assert_int_equal(c.ntactics, 1);
	expect_tactic(&c, 0, "simp", 1);
	proc_release(&r);
}

static void test_canceled(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	proc_init(&r, 0, NULL, NULL);
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGTERM;
	r.limit = HX_LIMIT_CANCELED;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_ENGINE_ERROR, "canceled");
	proc_release(&r);
}

static void test_memory_limit(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_regex_rule rule = {"out of memory", HX_STREAM_BOTH, HX_OUT_ENGINE_ERROR};
	hx_classification c;
	hx_proc_result r;
	(void)state;
	/* The memory limit comes before the engine's rules. */
	cfg.regexes = &rule;
	cfg.nregexes = 1;
	proc_init(&r, 0, NULL, "INTERNAL PANIC: out of memory\n");
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGABRT;
	r.limit = HX_LIMIT_MEMORY;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "memory limit");
	proc_release(&r);
}

static void test_signals(void **state)
{
	static const struct {
		int sig;
		const char *reason;
	} cases[] = {
		{SIGSEGV, "killed by SIGSEGV"},
		{SIGABRT, "killed by SIGABRT"},
		{SIGKILL, "killed by SIGKILL"},
		{SIGBUS, "killed by SIGBUS"},
		{64, "killed by signal 64"},
	};
	hx_dialect dialects[] = {HX_DIALECT_LEAN, HX_DIALECT_LEAN_JSON, HX_DIALECT_COQ,
				 HX_DIALECT_GENERIC};
	size_t i, d;
	(void)state;
	for (d = 0; d < 4; d++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			hx_outcome_config cfg = config(dialects[d]);
			hx_classification c;
			hx_proc_result r;
			/* A signal beats a heartbeat message and an error count. */
			proc_init(&r, 0, HB_NEW, NULL);
			r.status = HX_PROC_SIGNALED;
			r.signal = cases[i].sig;
			classify_result(&c, &cfg, &r);
			expect(&c, HX_OUT_VERIFIER_CRASH, cases[i].reason);
			proc_release(&r);
		}
	}
}

/* ---------------------------------------------------------------- engine rules */

static void test_regex_rules(void **state)
{
	hx_regex_rule rules[] = {
		{"unknown (package|module prefix) '[^']*'", HX_STREAM_STDERR,
		 HX_OUT_MODULE_NOT_FOUND},
		{"^PANIC", HX_STREAM_STDOUT, HX_OUT_VERIFIER_CRASH},
		{"resource limit", HX_STREAM_BOTH, HX_OUT_RESOURCE_EXHAUSTED},
	};
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	(void)state;
	cfg.regexes = rules;
	cfg.nregexes = 3;

	classify_cfg(&c, &cfg, 1, NULL, "error: unknown package 'Mathlib'\n");
	expect(&c, HX_OUT_MODULE_NOT_FOUND,
	       "rule 'unknown (package|module prefix) '[^']*'' matched stderr");
	assert_int_equal(c.errors, 1); /* the bare error line is still counted */

	/* A stderr-only rule does not look at stdout. */
	classify_cfg(&c, &cfg, 1, "error: unknown package 'Mathlib'\n", NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");

	/* A stdout-only rule does not look at stderr; ^ is a line start. */
	classify_cfg(&c, &cfg, 1, NULL, "PANIC at foo\n");
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");
	classify_cfg(&c, &cfg, 1, "working\nPANIC at foo\n", NULL);
	expect(&c, HX_OUT_VERIFIER_CRASH, "rule '^PANIC' matched stdout");
	classify_cfg(&c, &cfg, 1, "no PANIC at line start\n", NULL);
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");

	/* Both streams, stdout named first when both match. */
	classify_cfg(&c, &cfg, 0, NULL, "resource limit hit\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "rule 'resource limit' matched stderr");
	classify_cfg(&c, &cfg, 0, "resource limit hit\n", "resource limit hit\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "rule 'resource limit' matched stdout");

	/* The first rule that matches wins, over the dialect's own texts. */
	classify_cfg(&c, &cfg, 1, "PANIC\n" HB_NEW,
		     "error: unknown package 'Mathlib'\nresource limit\n");
	expect(&c, HX_OUT_MODULE_NOT_FOUND,
	       "rule 'unknown (package|module prefix) '[^']*'' matched stderr");
}

static void test_regex_rule_after_nul(void **state)
{
	hx_regex_rule rule = {"^fatal: (.*)$", HX_STREAM_STDERR, HX_OUT_ENGINE_ERROR};
	hx_outcome_config cfg = config(HX_DIALECT_GENERIC);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	cfg.regexes = &rule;
	cfg.nregexes = 1;
	proc_init(&r, 0, NULL, NULL);
	hx_buf_put(&r.err, "binary\0junk\nfatal: it broke\n", 28);
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_ENGINE_ERROR, "rule '^fatal: (.*)$' matched stderr");
	proc_release(&r);
}

static void test_exit_rules(void **state)
{
	hx_exit_rule exits[] = {
		{3, HX_OUT_RESOURCE_EXHAUSTED},
		{124, HX_OUT_VERIFIER_TIMEOUT},
		{0, HX_OUT_ENGINE_ERROR},
	};
	hx_outcome_config cfg = config(HX_DIALECT_GENERIC);
	hx_classification c;
	(void)state;
	cfg.exits = exits;
	cfg.nexits = 2;

	classify_cfg(&c, &cfg, 3, NULL, "out of budget\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "rule 'exit 3' matched");
	classify_cfg(&c, &cfg, 124, NULL, NULL);
	expect(&c, HX_OUT_VERIFIER_TIMEOUT, "rule 'exit 124' matched");
	classify_cfg(&c, &cfg, 4, NULL, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 4");
	classify_cfg(&c, &cfg, 0, NULL, NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");

	/* A rule for exit 0 overrides the default. */
	cfg.nexits = 3;
	classify_cfg(&c, &cfg, 0, NULL, NULL);
	expect(&c, HX_OUT_ENGINE_ERROR, "rule 'exit 0' matched");

	/* Exit rules come after the dialect's texts (lean here). */
	cfg.dialect = HX_DIALECT_LEAN;
	classify_cfg(&c, &cfg, 3, RECURSION, NULL);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "maximum recursion depth reached");
	classify_cfg(&c, &cfg, 3, TYPE_MISMATCH, NULL);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "rule 'exit 3' matched");
	assert_int_equal(c.errors, 1);
}

static void test_generic(void **state)
{
	hx_classification c;
	(void)state;
	classify(&c, HX_DIALECT_GENERIC, 0, "all good\n", NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	classify(&c, HX_DIALECT_GENERIC, 2, NULL, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 2");
	/* The generic dialect knows no verifier's texts. */
	classify(&c, HX_DIALECT_GENERIC, 1, TYPE_MISMATCH HB_NEW,
		 "INTERNAL PANIC: out of memory\nStack overflow detected. Aborting.\n");
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1");
	expect_counts(&c, 0, 0, 0);
	/* And has no default tactic pattern. */
	classify(&c, HX_DIALECT_GENERIC, 0, "[tactic.apply] applied theorem foo\n", NULL);
	assert_int_equal(c.ntactics, 0);
}

/* ---------------------------------------------------------------- lean text */

static void test_lean_oom(void **state)
{
	hx_classification c;
	hx_proc_result r;
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	(void)state;
	classify(&c, HX_DIALECT_LEAN, 1, NULL, "INTERNAL PANIC: out of memory\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "out of memory");
	/* Out of memory comes before a signal and a heartbeat message. */
	proc_init(&r, 0, HB_NEW, "INTERNAL PANIC: out of memory\n");
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGABRT;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "out of memory");
	proc_release(&r);
}

static void test_lean_stack_overflow(void **state)
{
	hx_classification c;
	hx_proc_result r;
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	(void)state;
	proc_init(&r, 0, NULL, "\nStack overflow detected. Aborting.\n");
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGABRT;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIER_CRASH, "stack overflow");
	proc_release(&r);
	/* Even when the process managed to exit, and before heartbeats. */
	classify(&c, HX_DIALECT_LEAN, 134, HB_OLD, "Stack overflow detected. Aborting.\n");
	expect(&c, HX_OUT_VERIFIER_CRASH, "stack overflow");
}

static void test_lean_heartbeats(void **state)
{
	hx_classification c;
	(void)state;
	classify(&c, HX_DIALECT_LEAN, 1, HB_NEW, NULL);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 1, 0, 0);

	classify(&c, HX_DIALECT_LEAN, 1, HB_OLD, NULL);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 1, 0, 0);

	classify(&c, HX_DIALECT_LEAN, 1, TYPE_MISMATCH HB_NESTED, NULL);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 2, 0, 0);

	/* On stderr too; before recursion depth. */
	classify(&c, HX_DIALECT_LEAN, 1, RECURSION, HB_NEW);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 2, 0, 0);

	/* Talk about heartbeats without the timeout is just an error. */
	classify(&c, HX_DIALECT_LEAN, 1,
		 "A.lean:2:0: error: unknown option 'maximum number of heartbeats'\n", NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
}

static void test_lean_recursion(void **state)
{
	hx_classification c;
	(void)state;
	classify(&c, HX_DIALECT_LEAN, 1, RECURSION, NULL);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "maximum recursion depth reached");
	expect_counts(&c, 1, 0, 0);
}

static void test_lean_errors(void **state)
{
	hx_classification c;
	(void)state;
	classify(&c, HX_DIALECT_LEAN, 1, TYPE_MISMATCH UNKNOWN_ID UNUSED_WARN, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 2 errors");
	expect_counts(&c, 2, 1, 0);

	classify(&c, HX_DIALECT_LEAN, 1, UNKNOWN_ID, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	expect_counts(&c, 1, 0, 0);

	/* Lean's missing-file style: a bare "error:" at a line start. */
	classify(&c, HX_DIALECT_LEAN, 1, "error: file not found: Missing.lean\n", NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	/* Messages on stderr count as well. */
	classify(&c, HX_DIALECT_LEAN, 1, TYPE_MISMATCH, UNKNOWN_ID);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 2 errors");

	/* Not headers: "error" inside a line, or not after :L:C:. */
	classify(&c, HX_DIALECT_LEAN, 1,
		 "no error: here\nA.lean:x:1: error: nope\nA.lean:1: error: nope\n"
		 "errors: 3\nA.lean:1:2:error: nope\n",
		 NULL);
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");
	expect_counts(&c, 0, 0, 0);

	/* Nonzero exit with no message at all: the verifier itself failed. */
	classify(&c, HX_DIALECT_LEAN, 1, NULL,
		 "uncaught exception: failed to read file 'A.olean', invalid header\n");
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");
	classify(&c, HX_DIALECT_LEAN, 139, NULL, NULL);
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 139 without error messages");
}

static void test_lean_warnings_and_sorry(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	const char *out = SORRY_WARN UNUSED_WARN
		"A.lean:10:8: warning: declaration uses `sorry`\n";
	(void)state;

	classify_cfg(&c, &cfg, 0, "", NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	expect_counts(&c, 0, 0, 0);

	classify_cfg(&c, &cfg, 0, out, NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0 with 2 sorries");
	expect_counts(&c, 0, 3, 2);

	cfg.sorry_invalid = 1;
	classify_cfg(&c, &cfg, 0, out, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 0 with 2 sorries");
	expect_counts(&c, 0, 3, 2);

	classify_cfg(&c, &cfg, 0, SORRY_WARN, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 0 with 1 sorry");

	/* Warnings alone never make a run invalid. */
	classify_cfg(&c, &cfg, 0, UNUSED_WARN UNUSED_WARN, NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	expect_counts(&c, 0, 2, 0);

	/* Only warnings are sorries; lake's "warning: FILE:L:C: ..." form. */
	classify_cfg(&c, &cfg, 0,
		     "A.lean:1:0: info: declaration uses 'sorry'\n"
		     "warning: ././././A.lean:3:8: declaration uses 'sorry'\n",
		     NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 0 with 1 sorry");
	expect_counts(&c, 0, 1, 1);

	/* An error about sorry is an error, not a sorry warning. */
	classify_cfg(&c, &cfg, 1, "A.lean:1:0: error: declaration uses 'sorry'\n", NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	expect_counts(&c, 1, 0, 0);
}

static void test_lean_dropped_front(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	/* The first kept line is the tail of a longer one: its "error:" is not
	 * at a line start. */
	proc_init(&r, 1, "error: cut here\n" UNKNOWN_ID, NULL);
	r.out_dropped = 4096;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	proc_release(&r);
}

/* ---------------------------------------------------------------- tactics */

static void test_tactics_default(void **state)
{
	hx_classification c;
	(void)state;
	classify(&c, HX_DIALECT_LEAN, 0,
		 "[tactic.apply] applied theorem foo\n"
		 "[tactic.rw] rewrote with bar\n"
		 "[tactic.apply] applied theorem baz\n",
		 "[tactic.simp] simp made progress\n"
		 "[tactic.rw] x [tactic.rw] y [tactic.Mathlib.Tactic.Ring.ring_nf] z\n"
		 "[tactic.] [tactic.bad name] tactic.omega\n");
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	assert_int_equal(c.ntactics, 4);
	expect_tactic(&c, 0, "apply", 2);
	expect_tactic(&c, 1, "rw", 3);
	expect_tactic(&c, 2, "simp", 1);
	expect_tactic(&c, 3, "Mathlib.Tactic.Ring.ring_nf", 1);
}

static void test_tactics_limits(void **state)
{
	hx_buf out = HX_BUF_INIT;
	hx_classification c;
	char want[48];
	int i;
	(void)state;
	/* 20 names: only the first HX_MAX_TACTICS are kept. */
	for (i = 0; i < 20; i++)
		hx_buf_printf(&out, "[tactic.t%c] x [tactic.t%c]\n", 'a' + i, 'a' + i);
	/* A name longer than 47 bytes is cut to fit. */
	hx_buf_puts(&out, "[tactic.aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee] x\n");
	classify(&c, HX_DIALECT_LEAN_JSON, 0, out.ptr, NULL);
	assert_int_equal(c.ntactics, HX_MAX_TACTICS);
	for (i = 0; i < HX_MAX_TACTICS; i++) {
		snprintf(want, sizeof(want), "t%c", 'a' + i);
		expect_tactic(&c, (size_t)i, want, 2);
	}
	hx_buf_reset(&out);
	hx_buf_puts(&out, "[tactic.aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeee] x\n"
			  "[tactic.aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeXX]\n");
	classify(&c, HX_DIALECT_LEAN, 0, out.ptr, NULL);
	assert_int_equal(c.ntactics, 1);
	expect_tactic(&c, 0, "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeee", 2);
	assert_int_equal(strlen(c.tactics[0].name), 47);
	hx_buf_release(&out);
}

static void test_tactics_custom(void **state)
{
	const char *const pats[] = {"^tactic=([a-z_]+)", "by ([a-z]+) at", NULL};
	hx_outcome_config cfg = config(HX_DIALECT_GENERIC);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	cfg.tactic_patterns = pats;
	proc_init(&r, 0, "tactic=ring tactic=skip\n  tactic=skip\ntactic=ring\ntactic=norm_num\n",
		  "closed by omega at 3\n[tactic.apply] not this pattern\n");
	hx_buf_put(&r.err, "\0tactic=linarith\n", 17);
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	assert_int_equal(c.ntactics, 4);
	expect_tactic(&c, 0, "ring", 2);
	expect_tactic(&c, 1, "norm_num", 1);
	expect_tactic(&c, 2, "linarith", 1);
	expect_tactic(&c, 3, "omega", 1);
	proc_release(&r);

	/* Custom patterns replace lean's default. */
	cfg.dialect = HX_DIALECT_LEAN;
	classify_cfg(&c, &cfg, 0, "[tactic.apply] x\ntactic=decide\n", NULL);
	assert_int_equal(c.ntactics, 1);
	expect_tactic(&c, 0, "decide", 1);
	/* An empty list: no tactic counting at all. */
	{
		const char *const none[] = {NULL};
		cfg.tactic_patterns = none;
		classify_cfg(&c, &cfg, 0, "[tactic.apply] x\n", NULL);
		assert_int_equal(c.ntactics, 0);
	}
}

static void test_invalid_regex(void **state)
{
	const char *const bad_tactic[] = {"\\[tactic\\.([a-z+)\\]", NULL};
	const char *const no_group[] = {"\\[tactic\\.[a-z]+\\]", NULL};
	hx_regex_rule bad_rules[] = {
		{"^fatal", HX_STREAM_BOTH, HX_OUT_ENGINE_ERROR},
		{"unknown package '[^'", HX_STREAM_BOTH, HX_OUT_MODULE_NOT_FOUND},
	};
	hx_outcome_config cfg = config(HX_DIALECT_LEAN);
	hx_outcome_rules *rules = (hx_outcome_rules *)&cfg; /* must be reset to NULL */
	(void)state;

	/* A bad tactic pattern after good rules (they are freed). */
	cfg.regexes = bad_rules;
	cfg.nregexes = 1;
	cfg.tactic_patterns = bad_tactic;
	assert_int_equal(hx_outcome_rules_new(&rules, &cfg), HX_EINVALID);
	assert_null(rules);
	assert_string_equal(hx_error_last(),
			    "invalid regex '\\[tactic\\.([a-z+)\\]': Unmatched ( or \\(");

	cfg.tactic_patterns = no_group;
	rules = (hx_outcome_rules *)&cfg;
	assert_int_equal(hx_outcome_rules_new(&rules, &cfg), HX_EINVALID);
	assert_null(rules);
	assert_string_equal(hx_error_last(),
			    "tactic pattern '\\[tactic\\.[a-z]+\\]' has no capture group");

	/* A bad rule after a good one. */
	cfg.tactic_patterns = NULL;
	cfg.nregexes = 2;
	assert_int_equal(hx_outcome_rules_new(&rules, &cfg), HX_EINVALID);
	assert_null(rules);
	assert_string_equal(hx_error_last(),
			    "invalid regex 'unknown package '[^'': Unmatched [, [^, [:, [., or [=");

	hx_outcome_rules_free(NULL);
}

/* ---------------------------------------------------------------- lean --json */

#define J_ERROR                                                                          \
	"{\"severity\":\"error\",\"pos\":{\"line\":12,\"column\":4},\"endPos\":null,"      \
	"\"keepFullRange\":false,\"data\":\"type mismatch\\n  h\\nhas type\\n  a = b : " \
	"Prop\\nbut is expected to have type\\n  b = a : Prop\",\"fileName\":\"A.lean\","  \
	"\"caption\":\"\"}\n"
#define J_SORRY                                                                     \
	"{\"severity\":\"warning\",\"pos\":{\"line\":3,\"column\":8},\"endPos\":"     \
	"{\"line\":3,\"column\":11},\"keepFullRange\":false,\"data\":\"declaration " \
	"uses 'sorry'\",\"fileName\":\"A.lean\",\"caption\":\"\"}\n"
#define J_SORRY_TICKS                                                                 \
	"{\"severity\":\"warning\",\"pos\":{\"line\":9,\"column\":8},\"endPos\":null,"  \
	"\"keepFullRange\":false,\"data\":\"declaration uses \\u0060sorry\\u0060\","    \
	"\"fileName\":\"A.lean\",\"caption\":\"\"}\n"
#define J_UNUSED                                                                       \
	"{\"severity\":\"warning\",\"pos\":{\"line\":4,\"column\":12},\"endPos\":null,"  \
	"\"keepFullRange\":false,\"data\":\"unused variable `h`\\nnote: this linter can " \
	"be disabled with `set_option linter.unusedVariables false`\",\"fileName\":"     \
	"\"A.lean\",\"caption\":\"\"}\n"
#define J_TRACE                                                                     \
	"{\"severity\":\"information\",\"pos\":{\"line\":5,\"column\":2},\"endPos\":" \
	"null,\"keepFullRange\":false,\"data\":\"[tactic.apply] applied theorem "    \
	"foo\\n[tactic.rw] rewrote with bar\",\"fileName\":\"A.lean\",\"caption\":\"\"}\n"
#define J_HB                                                                           \
	"{\"severity\":\"error\",\"pos\":{\"line\":12,\"column\":4},\"endPos\":null,"    \
	"\"keepFullRange\":false,\"data\":\"(deterministic) timeout at `whnf`, maximum " \
	"number of heartbeats (200000) has been reached\\nUse `set_option "              \
	"maxHeartbeats <num>` to set the limit.\",\"fileName\":\"A.lean\","              \
	"\"caption\":\"\"}\n"
#define J_HB_NESTED                                                                     \
	"{\"severity\":\"error\",\"pos\":{\"line\":20,\"column\":2},\"endPos\":null,"     \
	"\"keepFullRange\":false,\"data\":\"failed to synthesize\\n  Decidable (f x = g " \
	"x)\\n(deterministic) timeout at `isDefEq`, maximum number of heartbeats (20000) " \
	"has been reached\",\"fileName\":\"A.lean\",\"caption\":\"\"}\n"
#define J_RECURSION                                                                 \
	"{\"severity\":\"error\",\"pos\":{\"line\":5,\"column\":0},\"endPos\":null,"  \
	"\"keepFullRange\":false,\"data\":\"maximum recursion depth has been "       \
	"reached\\nuse `set_option maxRecDepth <num>` to increase limit\","          \
	"\"fileName\":\"A.lean\",\"caption\":\"\"}\n"

static void test_lean_json_messages(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN_JSON);
	hx_classification c;
	(void)state;
	classify_cfg(&c, &cfg, 1, J_TRACE J_SORRY J_ERROR J_UNUSED J_ERROR, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 2 errors");
	expect_counts(&c, 2, 2, 1);
	assert_int_equal(c.ntactics, 2);
	expect_tactic(&c, 0, "apply", 1);
	expect_tactic(&c, 1, "rw", 1);

	classify_cfg(&c, &cfg, 0, J_SORRY J_SORRY_TICKS J_UNUSED, NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0 with 2 sorries");
	expect_counts(&c, 0, 3, 2);
	cfg.sorry_invalid = 1;
	classify_cfg(&c, &cfg, 0, J_SORRY J_UNUSED, NULL);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 0 with 1 sorry");
	expect_counts(&c, 0, 2, 1);
	classify_cfg(&c, &cfg, 0, J_UNUSED, NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");

	classify_cfg(&c, &cfg, 1, J_HB, NULL);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 1, 0, 0);
	classify_cfg(&c, &cfg, 1, J_ERROR J_HB_NESTED, NULL);
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "heartbeat limit reached");
	expect_counts(&c, 2, 0, 0);
	classify_cfg(&c, &cfg, 1, J_RECURSION, NULL);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "maximum recursion depth reached");
	expect_counts(&c, 1, 0, 0);
}

static void test_lean_json_not_messages(void **state)
{
	hx_outcome_config cfg = config(HX_DIALECT_LEAN_JSON);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	/* Text in lean-json's stdout is not a message; neither is a broken
	 * JSON line, an object without data, or a non-object. */
	classify_cfg(&c, &cfg, 1,
		     TYPE_MISMATCH
		     "{\"severity\":\"error\",\"data\":\n"
		     "{\"severity\":\"error\",\"pos\":{\"line\":1,\"column\":0}}\n"
		     "[\"severity\",\"error\"]\n"
		     "{\"severity\":\"error\",\"data\":\"dup\",\"data\":\"dup\"}\n"
		     "[tactic.exact] from a text line\n",
		     "error: A.lean:1:0: unknown package 'Mathlib'\n");
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");
	expect_counts(&c, 0, 0, 0);
	assert_int_equal(c.ntactics, 1);
	expect_tactic(&c, 0, "exact", 1);

	/* The runtime's texts are plain text on stderr. */
	classify_cfg(&c, &cfg, 1, J_ERROR, "INTERNAL PANIC: out of memory\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "out of memory");
	expect_counts(&c, 1, 0, 0);
	proc_init(&r, 0, J_ERROR, "Stack overflow detected. Aborting.\n");
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGABRT;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIER_CRASH, "stack overflow");
	proc_release(&r);
	/* And the same texts in a non-JSON stdout line. */
	classify_cfg(&c, &cfg, 1, J_ERROR "INTERNAL PANIC: out of memory\n", NULL);
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "out of memory");

	/* A cut first line (dropped front) is simply not JSON. */
	proc_init(&r, 1, "ity\":\"error\",\"data\":\"x\"}\n" J_ERROR, NULL);
	r.out_dropped = 100;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	proc_release(&r);
}

/* ---------------------------------------------------------------- coq */

static void test_coq(void **state)
{
	hx_classification c;
	hx_proc_result r;
	hx_outcome_config cfg = config(HX_DIALECT_COQ);
	(void)state;
	classify(&c, HX_DIALECT_COQ, 1, NULL,
		 "File \"./Bad.v\", line 3, characters 2-13:\n"
		 "Error: Unable to unify \"1\" with \"2\".\n\n");
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 1 error");
	expect_counts(&c, 1, 0, 0);

	classify(&c, HX_DIALECT_COQ, 0,
		 "File \"./A.v\", line 1, characters 0-40:\n"
		 "Warning: Notation \"_ + _\" was already used in scope nat_scope.\n"
		 "[notation-overridden,parsing,default]\n"
		 "Warning: Use of \"Require\" inside a section is fragile.\n",
		 NULL);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	expect_counts(&c, 0, 2, 0);

	classify(&c, HX_DIALECT_COQ, 1,
		 "File \"./A.v\", line 1, characters 0-10:\nWarning: deprecated\n",
		 "File \"./A.v\", line 7, characters 0-5:\nError:\nThe term \"x\" has type \"nat\"\n"
		 "File \"./A.v\", line 9, characters 0-5:\nError: The reference foo was not found.\n"
		 "  Error: indented is not a message\n");
	expect(&c, HX_OUT_PROOF_INVALID, "exit 1 with 2 errors");
	expect_counts(&c, 2, 1, 0);

	classify(&c, HX_DIALECT_COQ, 1, NULL,
		 "File \"./Deep.v\", line 12, characters 0-20:\nError: Stack overflow.\n");
	expect(&c, HX_OUT_VERIFIER_CRASH, "stack overflow");
	classify(&c, HX_DIALECT_COQ, 1, NULL, "Error: Out of memory.\n");
	expect(&c, HX_OUT_RESOURCE_EXHAUSTED, "out of memory");
	classify(&c, HX_DIALECT_COQ, 1, NULL,
		 "File \"./Slow.v\", line 5, characters 0-42:\nError: Timeout!\n");
	expect(&c, HX_OUT_DETERMINISTIC_TIMEOUT, "coq timeout");

	/* Coq has no heartbeats and no lean runtime texts. */
	classify(&c, HX_DIALECT_COQ, 1, HB_NEW "INTERNAL PANIC: out of memory\n", NULL);
	expect(&c, HX_OUT_ENGINE_ERROR, "exit 1 without error messages");
	expect_counts(&c, 0, 0, 0);

	/* coqtop died: a signal. */
	proc_init(&r, 0, NULL, NULL);
	r.status = HX_PROC_SIGNALED;
	r.signal = SIGSEGV;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIER_CRASH, "killed by SIGSEGV");
	proc_release(&r);
}

/* ---------------------------------------------------------------- misc */

static void test_zero_buffers(void **state)
{
	/* A result whose buffers were never written (ptr NULL). */
	hx_regex_rule rule = {"^$", HX_STREAM_STDOUT, HX_OUT_ENGINE_ERROR};
	hx_outcome_config cfg = config(HX_DIALECT_LEAN_JSON);
	hx_classification c;
	hx_proc_result r;
	(void)state;
	memset(&r, 0, sizeof(r));
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_VERIFIED, "exit 0");
	cfg.regexes = &rule;
	cfg.nregexes = 1;
	classify_result(&c, &cfg, &r);
	expect(&c, HX_OUT_ENGINE_ERROR, "rule '^$' matched stdout");
}

static void test_dialect_parse(void **state)
{
	hx_dialect d = HX_DIALECT_GENERIC;
	(void)state;
	assert_int_equal(hx_outcome_dialect_parse("lean", &d), 0);
	assert_int_equal(d, HX_DIALECT_LEAN);
	assert_int_equal(hx_outcome_dialect_parse("lean-json", &d), 0);
	assert_int_equal(d, HX_DIALECT_LEAN_JSON);
	assert_int_equal(hx_outcome_dialect_parse("coq", &d), 0);
	assert_int_equal(d, HX_DIALECT_COQ);
	assert_int_equal(hx_outcome_dialect_parse("generic", &d), 0);
	assert_int_equal(d, HX_DIALECT_GENERIC);
	assert_int_equal(hx_outcome_dialect_parse("Lean", &d), HX_EINVALID);
	assert_int_equal(d, HX_DIALECT_GENERIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_harness_timeout),
		cmocka_unit_test(test_canceled),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_regex_rules),
		cmocka_unit_test(test_regex_rule_after_nul),
		cmocka_unit_test(test_exit_rules),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_lean_oom),
		cmocka_unit_test(test_lean_stack_overflow),
		cmocka_unit_test(test_lean_heartbeats),
		cmocka_unit_test(test_lean_recursion),
		cmocka_unit_test(test_lean_errors),
		cmocka_unit_test(test_lean_warnings_and_sorry),
		cmocka_unit_test(test_lean_dropped_front),
		cmocka_unit_test(test_tactics_default),
		cmocka_unit_test(test_tactics_limits),
		cmocka_unit_test(test_tactics_custom),
		cmocka_unit_test(test_invalid_regex),
		cmocka_unit_test(test_lean_json_messages),
		cmocka_unit_test(test_lean_json_not_messages),
		cmocka_unit_test(test_coq),
		cmocka_unit_test(test_zero_buffers),
		cmocka_unit_test(test_dialect_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
