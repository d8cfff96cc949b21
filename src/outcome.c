/* outcome.c - map a finished verifier run to an outcome (see outcome.h).
 *
 * Classification is two passes: a scan of both streams that counts messages,
 * sorries and tactics and raises flags for the texts the dialect knows, then
 * a decision that walks the precedence list of outcome.h over the process
 * status and those flags. The scan is linear in the captured output (at most
 * capture_max bytes per stream): every line is looked at a bounded number of
 * times and each regex search resumes where the last match ended.
 *
 * Captured output may contain NUL bytes. regexec wants NUL-terminated text
 * and REG_STARTEND is not POSIX, so regexes run over the NUL-separated
 * segments of a buffer (hx_buf keeps a NUL after the last byte).
 */
#include "outcome.h"

#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"

/* Lean's trace lines look like "[tactic.apply] applied theorem foo". */
#define LEAN_TACTIC_PATTERN "\\[tactic\\.([A-Za-z_.]+)\\]"

typedef struct {
	regex_t re;
	char *pattern; /* owned copy, quoted in the reason */
	hx_stream_sel stream;
	hx_outcome outcome;
} compiled_rule;

struct hx_outcome_rules {
	hx_dialect dialect;
	int sorry_invalid;
	compiled_rule *regexes; /* the first nregexes are compiled */
	size_t nregexes;
	hx_exit_rule *exits;
	size_t nexits;
	regex_t *tactics; /* the first ntactics are compiled */
	size_t ntactics;
};

/* ---------------------------------------------------------------- rules */

static int compile(regex_t *re, const char *pattern)
{
	char msg[128];
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NEWLINE);
	if (rc != 0) {
		regerror(rc, re, msg, sizeof(msg));
		hx_error_set("invalid regex '%s': %s", pattern, msg);
		return HX_EINVALID;
	}
	return 0;
}

int hx_outcome_rules_new(hx_outcome_rules **out, const hx_outcome_config *cfg)
{
	static const char *const lean_default[] = {LEAN_TACTIC_PATTERN, NULL};
	const char *const *pats = cfg->tactic_patterns;
	hx_outcome_rules *r = NULL;
	size_t i, npats = 0;
	int rc = 0;

	*out = NULL;
	r = hx_xcalloc(1, sizeof(*r));
	r->dialect = cfg->dialect;
	r->sorry_invalid = cfg->sorry_invalid;

	if (cfg->nregexes > 0)
		r->regexes = hx_xcalloc(cfg->nregexes, sizeof(*r->regexes));
	for (i = 0; i < cfg->nregexes; i++) {
		compiled_rule *cr = &r->regexes[i];
		rc = compile(&cr->re, cfg->regexes[i].pattern);
		if (rc != 0)
			goto done;
		cr->pattern = hx_xstrdup(cfg->regexes[i].pattern);
		cr->stream = cfg->regexes[i].stream;
		cr->outcome = cfg->regexes[i].outcome;
		r->nregexes++;
	}

	if (cfg->nexits > 0) {
		r->exits = hx_xcalloc(cfg->nexits, sizeof(*r->exits));
		memcpy(r->exits, cfg->exits, cfg->nexits * sizeof(*r->exits));
		r->nexits = cfg->nexits;
	}

	if (!pats && (cfg->dialect == HX_DIALECT_LEAN || cfg->dialect == HX_DIALECT_LEAN_JSON))
		pats = lean_default;
	while (pats && pats[npats])
		npats++;
	if (npats > 0)
		r->tactics = hx_xcalloc(npats, sizeof(*r->tactics));
	for (i = 0; i < npats; i++) {
		rc = compile(&r->tactics[i], pats[i]);
		if (rc != 0)
			goto done;
		r->ntactics++;
		if (r->tactics[i].re_nsub < 1) {
			hx_error_set("tactic pattern '%s' has no capture group", pats[i]);
			rc = HX_EINVALID;
			goto done;
		}
	}

done:
	if (rc != 0) {
		hx_outcome_rules_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

void hx_outcome_rules_free(hx_outcome_rules *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nregexes; i++) {
		regfree(&r->regexes[i].re);
		free(r->regexes[i].pattern);
	}
	for (i = 0; i < r->ntactics; i++)
		regfree(&r->tactics[i]);
	free(r->regexes);
	free(r->exits);
	free(r->tactics);
	free(r);
}

int hx_outcome_dialect_parse(const char *name, hx_dialect *out)
{
	static const struct {
		const char *name;
		hx_dialect d;
	} names[] = {
		{"lean", HX_DIALECT_LEAN},
		{"lean-json", HX_DIALECT_LEAN_JSON},
		{"coq", HX_DIALECT_COQ},
		{"generic", HX_DIALECT_GENERIC},
	};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].d;
			return 0;
		}
	}
	return HX_EINVALID;
}

/* ---------------------------------------------------------------- text */

/* Does hay[0..n) contain the NUL-terminated needle? (memmem is not POSIX.) */
static int contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *p = hay, *end = hay + n;
	while (m <= (size_t)(end - p)) {
		p = memchr(p, needle[0], (size_t)(end - p) - m + 1);
		if (!p)
			return 0;
		if (memcmp(p, needle, m) == 0)
			return 1;
		p++;
	}
	return 0;
}

static int has_sorry(const char *p, size_t n)
{
	return contains(p, n, "declaration uses 'sorry'") ||
	       contains(p, n, "declaration uses `sorry`");
}

static int starts_with(const char *p, size_t n, const char *prefix)
{
	size_t m = strlen(prefix);
	return n >= m && memcmp(p, prefix, m) == 0;
}

/* The length of the NUL-terminated segment at p (at most n bytes). */
static size_t segment_len(const char *p, size_t n)
{
	const char *z = memchr(p, '\0', n);
	return z ? (size_t)(z - p) : n;
}

/* ---------------------------------------------------------------- scan */

enum { MSG_NONE, MSG_ERROR, MSG_WARNING, MSG_INFO };

typedef struct {
	const hx_outcome_rules *rules;
	hx_classification *c;
	int oom;            /* out-of-memory text */
	int stack_overflow; /* stack-overflow text */
	int det_timeout;    /* "(deterministic) timeout" */
	int heartbeats;     /* "maximum number of heartbeats" */
	int recursion;      /* recursion-depth text */
	int coq_timeout;    /* coq's "Timeout!" */
} scan_state;

/* Raise the flags for the texts the dialect knows. Flags are global to the
 * run: the heartbeat message may be nested in another error and span lines. */
static void text_checks(scan_state *st, const char *p, size_t n)
{
	switch (st->rules->dialect) {
	case HX_DIALECT_LEAN:
	case HX_DIALECT_LEAN_JSON:
		st->oom |= contains(p, n, "INTERNAL PANIC: out of memory");
		st->stack_overflow |= contains(p, n, "Stack overflow detected. Aborting.");
		st->det_timeout |= contains(p, n, "(deterministic) timeout");
		st->heartbeats |= contains(p, n, "maximum number of heartbeats");
		st->recursion |= contains(p, n, "maximum recursion depth has been reached");
		break;
	case HX_DIALECT_COQ:
		st->oom |= contains(p, n, "Out of memory.");
		st->stack_overflow |= contains(p, n, "Stack overflow.");
		st->coq_timeout |= contains(p, n, "Timeout!");
		break;
	case HX_DIALECT_GENERIC:
		break;
	}
}

static void count_tactic(hx_classification *c, const char *name, size_t len)
{
	size_t i, max = sizeof(c->tactics[0].name) - 1;
	if (len > max)
		len = max;
	for (i = 0; i < c->ntactics; i++) {
		if (strlen(c->tactics[i].name) == len && memcmp(c->tactics[i].name, name, len) == 0) {
			c->tactics[i].count++;
			return;
		}
	}
	if (c->ntactics == HX_MAX_TACTICS)
		return; /* only the first HX_MAX_TACTICS names are kept */
	memcpy(c->tactics[c->ntactics].name, name, len);
	c->tactics[c->ntactics].name[len] = '\0';
	c->tactics[c->ntactics].count = 1;
	c->ntactics++;
}

/* Every match of re in the NUL-terminated s counts its group 1. */
static void tactics_in_segment(hx_classification *c, const regex_t *re, const char *s)
{
	regmatch_t m[2];
	const char *q = s;
	int eflags = 0;
	while (regexec(re, q, 2, m, eflags) == 0) {
		regoff_t next = m[0].rm_eo;
		if (m[1].rm_so >= 0 && m[1].rm_eo > m[1].rm_so)
			count_tactic(c, q + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
		if (m[0].rm_eo == m[0].rm_so) {
			/* An empty match: step over one byte so the loop ends. */
			if (q[next] == '\0')
				break;
			next++;
		}
		q += next;
		/* ^ may still match after a newline (REG_NEWLINE). */
		eflags = q[-1] == '\n' ? 0 : REG_NOTBOL;
	}
}

/* Tactic patterns over p[0..n), which must be followed by a NUL. */
static void scan_tactics(scan_state *st, const char *p, size_t n)
{
	const char *seg = p, *end = p + n;
	size_t i;
	for (i = 0; i < st->rules->ntactics; i++) {
		for (seg = p; seg < end; seg += segment_len(seg, (size_t)(end - seg)) + 1) {
			if (*seg != '\0')
				tactics_in_segment(st->c, &st->rules->tactics[i], seg);
		}
	}
}

/* "error", "warning" or "info", an optional "(lean.name)", then ": " (or
 * ':' at the end of the line) at line[j]. Returns MSG_* and *text, the
 * offset of the message text. */
static int severity_at(const char *line, size_t len, size_t j, size_t *text)
{
	static const struct {
		const char *kw;
		int kind;
	} kws[] = {{"error", MSG_ERROR}, {"warning", MSG_WARNING}, {"info", MSG_INFO}};
	size_t i, k;
	for (i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		if (!starts_with(line + j, len - j, kws[i].kw))
			continue;
		k = j + strlen(kws[i].kw);
		if (k < len && line[k] == '(') {
			const char *close = memchr(line + k, ')', len - k);
			if (!close)
				return MSG_NONE;
			k = (size_t)(close - line) + 1;
		}
		if (k < len && line[k] == ':' && (k + 1 == len || line[k + 1] == ' ')) {
			*text = k + 1 < len ? k + 2 : len;
			return kws[i].kind;
		}
		return MSG_NONE;
	}
	return MSG_NONE;
}

static size_t digits(const char *line, size_t len, size_t j)
{
	size_t k = j;
	while (k < len && line[k] >= '0' && line[k] <= '9')
		k++;
	return k - j;
}

/* A Lean message header: "FILE:L:C: error: ", "FILE:L:C: error(lean.x): ",
 * warnings and infos alike, or (at a real line start) a bare "error: " as
 * Lean prints for a missing file and lake prints before every message. */
static int lean_header(const char *line, size_t len, int at_start, size_t *text)
{
	size_t i, j, d;
	int kind;
	if (at_start) {
		kind = severity_at(line, len, 0, text);
		if (kind != MSG_NONE)
			return kind;
	}
	for (i = 0; i < len; i++) {
		if (line[i] != ':')
			continue;
		j = i + 1;
		if ((d = digits(line, len, j)) == 0)
			continue;
		j += d;
		if (j >= len || line[j] != ':')
			continue;
		j++;
		if ((d = digits(line, len, j)) == 0)
			continue;
		j += d;
		if (j + 1 >= len || line[j] != ':' || line[j + 1] != ' ')
			continue;
		kind = severity_at(line, len, j + 2, text);
		if (kind != MSG_NONE)
			return kind;
	}
	return MSG_NONE;
}

static void end_message(scan_state *st, int kind, int sorry)
{
	if (kind == MSG_WARNING && sorry)
		st->c->sorries++;
}

/* Lean's text messages in one stream. A message runs from its header to the
 * next header; a warning is a sorry when its text mentions one. When the
 * front of the stream was dropped, the first line is a fragment and is not
 * taken to start at a line start. */
static void lean_text_messages(scan_state *st, const char *p, size_t n, int partial_first)
{
	const char *line = p, *end = p + n;
	int cur = MSG_NONE, sorry = 0, first = 1;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		size_t text = 0;
		int kind = lean_header(line, len, !(first && partial_first), &text);
		if (kind != MSG_NONE) {
			end_message(st, cur, sorry);
			cur = kind;
			sorry = 0;
			if (kind == MSG_ERROR)
				st->c->errors++;
			else if (kind == MSG_WARNING)
				st->c->warnings++;
		}
		if (cur == MSG_WARNING && !sorry)
			sorry = has_sorry(line + text, len - text);
		first = 0;
		line = nl ? nl + 1 : end;
	}
	end_message(st, cur, sorry);
}

/* coqc: 'File "x.v", line N, characters A-B:' then "Error: ..." or
 * "Warning: ..."; the Error/Warning lines are what is counted. */
static void coq_messages(scan_state *st, const char *p, size_t n, int partial_first)
{
	const char *line = p, *end = p + n;
	int first = 1;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (!(first && partial_first)) {
			if (starts_with(line, len, "Error:"))
				st->c->errors++;
			else if (starts_with(line, len, "Warning:"))
				st->c->warnings++;
		}
		first = 0;
		line = nl ? nl + 1 : end;
	}
}

/* One `lean --json` line: a message when it is an object with string
 * "severity" and "data". Returns 1 when it was one. */
static int lean_json_line(scan_state *st, hx_arena *arena, const char *line, size_t len)
{
	hx_json *v = NULL, *sev, *data;
	size_t i = 0;
	int is_msg = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len || line[i] != '{')
		return 0; /* not an object: no need to parse */
	if (hx_json_parse(&v, arena, line, len, NULL) == 0 && v->type == HX_JSON_OBJECT) {
		sev = hx_json_get(v, "severity");
		data = hx_json_get(v, "data");
		if (sev && data && sev->type == HX_JSON_STRING && data->type == HX_JSON_STRING) {
			const char *d = data->u.string.ptr;
			size_t dn = data->u.string.len;
			is_msg = 1;
			if (strcmp(sev->u.string.ptr, "error") == 0) {
				st->c->errors++;
			} else if (strcmp(sev->u.string.ptr, "warning") == 0) {
				st->c->warnings++;
				if (has_sorry(d, dn))
					st->c->sorries++;
			}
			text_checks(st, d, dn);
			scan_tactics(st, d, dn); /* decoded strings end in a NUL */
		}
	}
	hx_arena_reset(arena);
	return is_msg;
}

/* `lean --json` stdout: message lines are classified from their decoded
 * data; any other line is only scanned as text (flags and tactics). */
static void lean_json_stdout(scan_state *st, const char *p, size_t n)
{
	hx_arena *arena = hx_arena_new();
	hx_buf line_buf = HX_BUF_INIT;
	const char *line = p, *end = p + n;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (!lean_json_line(st, arena, line, len)) {
			text_checks(st, line, len);
			/* A copy, for the NUL regexec needs. */
			hx_buf_reset(&line_buf);
			hx_buf_put(&line_buf, line, len);
			scan_tactics(st, line_buf.ptr, line_buf.len);
		}
		line = nl ? nl + 1 : end;
	}
	hx_buf_release(&line_buf);
	hx_arena_free(arena);
}

static void scan_stream(scan_state *st, const hx_buf *b, size_t dropped, int is_stdout)
{
	const char *p = b->ptr;
	size_t n = b->len;
	if (!p || n == 0)
		return;
	switch (st->rules->dialect) {
	case HX_DIALECT_LEAN:
		lean_text_messages(st, p, n, dropped > 0);
		break;
	case HX_DIALECT_LEAN_JSON:
		if (is_stdout) {
			lean_json_stdout(st, p, n);
			return;
		}
		break; /* stderr: the runtime's texts, not JSON messages */
	case HX_DIALECT_COQ:
		coq_messages(st, p, n, dropped > 0);
		break;
	case HX_DIALECT_GENERIC:
		break;
	}
	text_checks(st, p, n);
	scan_tactics(st, p, n);
}

/* ---------------------------------------------------------------- decide */

static int rule_matches(const regex_t *re, const hx_buf *b)
{
	/* A buffer never written to has no storage: it reads as "". */
	const char *p = b->ptr ? b->ptr : "", *seg, *end = p + b->len;
	for (seg = p; seg <= end; seg += segment_len(seg, (size_t)(end - seg)) + 1) {
		if (regexec(re, seg, 0, NULL, 0) == 0)
			return 1;
	}
	return 0;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGBUS: return "SIGBUS";
#ifdef SIGTRAP
	case SIGTRAP: return "SIGTRAP";
#endif
#ifdef SIGXCPU
	case SIGXCPU: return "SIGXCPU";
#endif
#ifdef SIGXFSZ
	case SIGXFSZ: return "SIGXFSZ";
#endif
#ifdef SIGSYS
	case SIGSYS: return "SIGSYS";
#endif
	default: return NULL;
	}
}

#define REASON(...) snprintf(c->reason, sizeof(c->reason), __VA_ARGS__)

/* The first rule of outcome.h's precedence list that applies. */
static void decide(hx_classification *c, const hx_outcome_rules *rules, const hx_proc_result *r,
		   const scan_state *st)
{
	size_t i;
	int lean = rules->dialect == HX_DIALECT_LEAN || rules->dialect == HX_DIALECT_LEAN_JSON;

	if (r->limit == HX_LIMIT_TIMEOUT) {
		c->outcome = HX_OUT_VERIFIER_TIMEOUT;
		REASON("harness timeout");
		return;
	}
	if (r->limit == HX_LIMIT_CANCELED) {
		/* Not the verifier's doing: the harness was told to stop. */
		c->outcome = HX_OUT_ENGINE_ERROR;
		REASON("canceled");
		return;
	}
	if (r->limit == HX_LIMIT_MEMORY) {
		c->outcome = HX_OUT_RESOURCE_EXHAUSTED;
		REASON("memory limit");
		return;
	}
	for (i = 0; i < rules->nregexes; i++) {
		const compiled_rule *cr = &rules->regexes[i];
		const char *where = NULL;
		if (cr->stream != HX_STREAM_STDERR && rule_matches(&cr->re, &r->out))
			where = "stdout";
		else if (cr->stream != HX_STREAM_STDOUT && rule_matches(&cr->re, &r->err))
			where = "stderr";
		if (where) {
			c->outcome = cr->outcome;
			REASON("rule '%s' matched %s", cr->pattern, where);
			return;
		}
	}
	if (st->oom) {
		c->outcome = HX_OUT_RESOURCE_EXHAUSTED;
		REASON("out of memory");
		return;
	}
	if (st->stack_overflow) {
		c->outcome = HX_OUT_VERIFIER_CRASH;
		REASON("stack overflow");
		return;
	}
	if (r->status == HX_PROC_SIGNALED) {
		const char *name = signal_name(r->signal);
		c->outcome = HX_OUT_VERIFIER_CRASH;
		if (name)
			REASON("killed by %s", name);
		else
			REASON("killed by signal %d", r->signal);
		return;
	}
	if (lean && st->det_timeout && st->heartbeats) {
		c->outcome = HX_OUT_DETERMINISTIC_TIMEOUT;
		REASON("heartbeat limit reached");
		return;
	}
	if (st->coq_timeout) {
		c->outcome = HX_OUT_DETERMINISTIC_TIMEOUT;
		REASON("coq timeout");
		return;
	}
	if (st->recursion) {
		c->outcome = HX_OUT_RESOURCE_EXHAUSTED;
		REASON("maximum recursion depth reached");
		return;
	}
	for (i = 0; i < rules->nexits; i++) {
		if (rules->exits[i].exit_code == r->exit_code) {
			c->outcome = rules->exits[i].outcome;
			REASON("rule 'exit %d' matched", r->exit_code);
			return;
		}
	}
	if (r->exit_code == 0) {
		if (c->sorries > 0) {
			c->outcome = rules->sorry_invalid ? HX_OUT_PROOF_INVALID : HX_OUT_VERIFIED;
			REASON("exit 0 with %ld %s", c->sorries, c->sorries == 1 ? "sorry" : "sorries");
		} else {
			c->outcome = HX_OUT_VERIFIED;
			REASON("exit 0");
		}
		return;
	}
	if (rules->dialect == HX_DIALECT_GENERIC) {
		c->outcome = HX_OUT_PROOF_INVALID;
		REASON("exit %d", r->exit_code);
		return;
	}
	if (c->errors > 0) {
		c->outcome = HX_OUT_PROOF_INVALID;
		REASON("exit %d with %ld %s", r->exit_code, c->errors,
		       c->errors == 1 ? "error" : "errors");
		return;
	}
	c->outcome = HX_OUT_ENGINE_ERROR;
	REASON("exit %d without error messages", r->exit_code);
}

void hx_outcome_classify(hx_classification *out, const hx_outcome_rules *rules,
			 const hx_proc_result *r)
{
	hx_classification *c = out;
	scan_state st;

	memset(out, 0, sizeof(*out));
	if (r->status == HX_PROC_EXEC_FAILED) {
		char msg[128];
		/* Nothing ran: there is no output to look at. strerror_r is the
		 * XSI one (int) under _POSIX_C_SOURCE; strerror is not
		 * thread-safe. */
		if (strerror_r(r->exec_errno, msg, sizeof(msg)) != 0)
			snprintf(msg, sizeof(msg), "errno %d", r->exec_errno);
		out->outcome = HX_OUT_ENGINE_ERROR;
		REASON("exec failed: %s", msg);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.rules = rules;
	st.c = out;
	scan_stream(&st, &r->out, r->out_dropped, 1);
	scan_stream(&st, &r->err, r->err_dropped, 0);
	decide(out, rules, r, &st);
}
