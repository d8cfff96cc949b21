/* proc_engine.c - engines that run a verifier process per task: lean, coq
 * and command. Each task expands the engine's templates for its module,
 * runs the process under the tier's timeout (exec.c), classifies what
 * happened (outcome.c) and, for engines that write their own JSONL
 * telemetry, merges that into the record. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "canon.h"
#include "engine.h"
#include "error.h"
#include "exec.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "outcome.h"
#include "spec_engine.h"
#include "template.h"


#define TAIL_BYTES 2048          /* of each stream, into the record */
#define VERSION_TIMEOUT_S 60.0
#define ENGINE_TELEMETRY_MAX ((size_t)64 << 20)
#define ARGV_DISPLAY_MAX 100     /* bytes of a command engine's shown argv */

typedef struct {
	hx_engine base;
	const hx_spec *spec;
	const hx_spec_engine *se;
	const hx_corpus *corpus;
	const atomic_int *cancel;
	char *root;    /* absolute */
	char *out_dir; /* absolute */
	hx_outcome_rules *rules;
	hx_regex_rule *regexes;
	hx_exit_rule *exits;
	char *version, *path, *hash, *toolchain;
} proc_engine;

/* The values a template may name. */
typedef struct {
	const char *module, *module_base, *module_path, *tier, *timeout_s, *seed, *task_index,
		*out_dir, *task_dir, *telemetry_path, *root;
} vars;

static const char *var_value(const vars *v, const char *name, size_t n)
{
#define VAR(x)                                                                                   \
	if (n == sizeof(#x) - 1 && memcmp(name, #x, n) == 0)                                     \
		return v->x ? v->x : "";
	VAR(module)
	VAR(module_base)
	VAR(module_path)
	VAR(tier)
	VAR(timeout_s)
	VAR(seed)
	VAR(task_index)
	VAR(out_dir)
	VAR(task_dir)
	VAR(telemetry_path)
	VAR(root)
#undef VAR
	return NULL;
}

#define KNOWN_VARS                                                                       \
	"{module}, {module_base}, {module_path}, {tier}, {timeout_s}, {seed}, {task_index}, "   \
	"{out_dir}, {task_dir}, {telemetry_path}, {root}"

static const char *lookup(void *ctx, const char *name, size_t n)
{
	return var_value(ctx, name, n);
}

static int expand(hx_buf *out, const char *tmpl, const vars *v)
{
	return hx_template_expand(out, tmpl, lookup, (void *)v, KNOWN_VARS);
}

static int expand_all(char ***out, char *const *tmpl, const vars *v)
{
	return hx_template_expand_all(out, tmpl, lookup, (void *)v, KNOWN_VARS);
}

/* The last `max` bytes of b, as valid UTF-8, starting at a line when one
 * begins within the window (easier to read than half a line); *skipped gets
 * the bytes of b left out. */
static char *tail_of(const hx_buf *b, size_t max, size_t *skipped)
{
	hx_buf out = HX_BUF_INIT;
	const char *start = b->ptr;
	size_t len = b->len;
	if (len > max) {
		const char *nl;
		start = b->ptr + len - max;
		nl = memchr(start, '\n', max);
		if (nl && nl + 1 < b->ptr + b->len)
			start = nl + 1;
		len = (size_t)(b->ptr + b->len - start);
	}
	*skipped = (size_t)(start - b->ptr);
	hx_utf8_sanitize(&out, start, len);
	return hx_buf_detach(&out, NULL);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* A word as a POSIX shell would need it: as is when it holds only
 * characters no shell treats specially, else in single quotes. */
static void quote_word(hx_buf *b, const char *w)
{
	const char *p;
	int safe = *w != '\0';
	for (p = w; *p && safe; p++)
		safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-{}", *p) != NULL;
	if (safe) {
		hx_buf_puts(b, w);
		return;
	}
	hx_buf_putc(b, '\'');
	for (p = w; *p; p++) {
		if (*p == '\'')
			hx_buf_puts(b, "'\\''");
		else
			hx_buf_putc(b, *p);
	}
	hx_buf_putc(b, '\'');
}

/* argv shell-quoted and joined by spaces, on one line (a newline or tab
 * inside a word, as in a `sh -c` script, shows as \n or \t); past max bytes
 * it is cut (at a UTF-8 character boundary) and ends in "...". */
static void quote_argv(hx_buf *out, const char *const *argv, size_t max)
{
	hx_buf b = HX_BUF_INIT, q = HX_BUF_INIT;
	size_t i, n;
	for (i = 0; argv && argv[i]; i++) {
		if (i)
			hx_buf_putc(&q, ' ');
		quote_word(&q, argv[i]);
	}
	for (i = 0; i < q.len; i++) {
		if (q.ptr[i] == '\n')
			hx_buf_puts(&b, "\\n");
		else if (q.ptr[i] == '\t')
			hx_buf_puts(&b, "\\t");
		else if (q.ptr[i] != '\r')
			hx_buf_putc(&b, q.ptr[i]);
	}
	hx_buf_release(&q);
	n = b.len;
	if (n > max) {
		n = max - 3;
		while (n > 0 && ((unsigned char)b.ptr[n] & 0xc0) == 0x80)
			n--;
	}
	hx_utf8_sanitize(out, b.ptr ? b.ptr : "", n);
	if (n < b.len)
		hx_buf_puts(out, "...");
	hx_buf_release(&b);
}

/* Engine identity: the version command's first line, the binary it names
 * (resolved) and that binary's hash, and the Lean toolchain file. */
int hx_engine_identify(hx_engine_identity *id, const hx_spec_engine *se, const char *root,
		       const atomic_int *cancel)
{
	const char *prog = se->version_command ? se->version_command[0] : se->command[0];
	char hex[HX_HASH_HEX_LEN];
	int err = 0;

	memset(id, 0, sizeof(*id));
	id->path = hx_proc_which(prog, root);
	if (id->path && hx_hash128_file(hex, id->path) == 0)
		id->binary_hash = hx_xstrdup(hex);
	if (se->version_command) {
		hx_proc_options o;
		hx_proc_result r;
		memset(&o, 0, sizeof(o));
		o.argv = (const char *const *)se->version_command;
		o.cwd = root;
		o.timeout_s = VERSION_TIMEOUT_S;
		o.cancel = cancel;
		hx_proc_result_init(&r);
		err = hx_proc_run(&r, &o);
		if (!err && r.limit == HX_LIMIT_CANCELED) {
			hx_error_set("interrupted while running the version command '%s'; nothing "
				     "was run", se->version_command[0]);
			err = HX_EINTERRUPTED;
		} else if (!err && r.status == HX_PROC_EXEC_FAILED) {
			hx_error_set("cannot run the version command '%s': %s", se->version_command[0],
				     strerror(r.exec_errno));
			err = HX_EENGINE;
		} else if (!err && (r.status != HX_PROC_EXITED || r.exit_code != 0)) {
			hx_error_set("the version command '%s' failed (%s %d)", se->version_command[0],
				     r.status == HX_PROC_EXITED ? "exit" : "signal",
				     r.status == HX_PROC_EXITED ? r.exit_code : r.signal);
			err = HX_EENGINE;
		} else if (!err) {
			const hx_buf *b = r.out.len ? &r.out : &r.err;
			char *nl = memchr(b->ptr, '\n', b->len);
			hx_buf v = HX_BUF_INIT;
			hx_utf8_sanitize(&v, b->ptr, nl ? (size_t)(nl - b->ptr) : b->len);
			id->version = hx_buf_detach(&v, NULL);
			trim(id->version);
		}
		hx_proc_result_release(&r);
		if (err)
			return err;
	}
	if (!id->version) {
		/* Without a version command, the engine is what it runs: its
		 * argv template says more to a reader than a binary's hash
		 * (which the records keep in metadata.engine_hash). */
		hx_buf v = HX_BUF_INIT;
		hx_buf_printf(&v, "%s: ", se->kind);
		quote_argv(&v, (const char *const *)se->command, ARGV_DISPLAY_MAX);
		id->version = hx_buf_detach(&v, NULL);
	}
	if (se->toolchain_file) {
		hx_buf t = HX_BUF_INIT;
		if ((err = hx_file_read_spec(&t, se->toolchain_file)) != 0) {
			hx_buf_release(&t);
			return err;
		}
		id->toolchain = hx_buf_detach(&t, NULL);
		trim(id->toolchain);
	}
	return 0;
}

void hx_engine_identity_release(hx_engine_identity *id)
{
	free(id->version);
	free(id->path);
	free(id->binary_hash);
	free(id->toolchain);
	memset(id, 0, sizeof(*id));
}

static int identify(proc_engine *pe)
{
	hx_engine_identity id;
	int err = hx_engine_identify(&id, pe->se, pe->root, pe->cancel);
	pe->version = id.version;
	pe->path = id.path;
	pe->hash = id.binary_hash;
	pe->toolchain = id.toolchain;
	return err;
}

/* Members of every JSON object line of the engine's telemetry file, later
 * lines overriding earlier keys, as one canonical object. */
static void merge_engine_telemetry(hx_record *rec, const char *path, const char *out_dir)
{
	size_t od = strlen(out_dir);
	/* The reason goes into the snapshot: name the file relative to the run
	 * directory, which differs from run to run. */
	const char *shown = strncmp(path, out_dir, od) == 0 && path[od] == '/' ? path + od + 1 : path;
	hx_buf text = HX_BUF_INIT, out = HX_BUF_INIT;
	hx_arena *a = NULL;
	hx_json *merged;
	size_t cap = 32, start = 0, lineno = 0;

	if (hx_file_read(&text, path) != 0) {
		snprintf(rec->reason + strlen(rec->reason), sizeof(rec->reason) - strlen(rec->reason),
			 "; no engine telemetry at '%s%s'", shown != path ? "{out_dir}/" : "", shown);
		goto done;
	}
	if (text.len > ENGINE_TELEMETRY_MAX) {
		snprintf(rec->reason + strlen(rec->reason), sizeof(rec->reason) - strlen(rec->reason),
			 "; engine telemetry over %zu MiB ignored", ENGINE_TELEMETRY_MAX >> 20);
		goto done;
	}
	a = hx_arena_new();
	merged = hx_json_new(a, HX_JSON_OBJECT);
	merged->u.object.members = hx_arena_alloc(a, cap * sizeof(hx_json_member));
	while (start < text.len) {
		char *nl = memchr(text.ptr + start, '\n', text.len - start);
		size_t end = nl ? (size_t)(nl - text.ptr) : text.len, i, j;
		hx_json *obj;
		lineno++;
		if (hx_json_parse(&obj, a, text.ptr + start, end - start, NULL) == 0 &&
		    obj->type == HX_JSON_OBJECT) {
			for (i = 0; i < obj->u.object.len; i++) {
				hx_json_member *m = &obj->u.object.members[i];
				for (j = 0; j < merged->u.object.len; j++)
					if (merged->u.object.members[j].key_len == m->key_len &&
					    memcmp(merged->u.object.members[j].key, m->key, m->key_len) == 0)
						break;
				if (j == merged->u.object.len) {
					if (j == cap) {
						hx_json_member *grown = hx_arena_alloc(a, 2 * cap * sizeof(*grown));
						memcpy(grown, merged->u.object.members, cap * sizeof(*grown));
						merged->u.object.members = grown;
						cap *= 2;
					}
					merged->u.object.len++;
				}
				merged->u.object.members[j] = *m;
			}
		} else if (end > start) {
			snprintf(rec->reason + strlen(rec->reason),
				 sizeof(rec->reason) - strlen(rec->reason),
				 "; engine telemetry line %zu is not a JSON object", lineno);
		}
		start = end + 1;
	}
	hx_canon_serialize(&out, merged);
	rec->engine_telemetry = hx_buf_detach(&out, NULL);
done:
	hx_arena_free(a);
	hx_buf_release(&text);
	hx_buf_release(&out);
}

static int proc_run_task(hx_engine *e, const hx_task *task, hx_record *rec)
{
	proc_engine *pe = (proc_engine *)e;
	const hx_spec_engine *se = pe->se;
	char namebuf[64], seed[24], idx[24], tmo[32];
	const char *module = hx_corpus_name(pe->corpus, (size_t)task->module, namebuf, sizeof(namebuf));
	char *module_path = hx_corpus_module_path(pe->root, module, se->extension);
	const char *dot = strrchr(module, '.');
	char **argv = NULL, **overrides = NULL, **env = NULL;
	hx_buf tpath = HX_BUF_INIT, cwd = HX_BUF_INIT, task_dir = HX_BUF_INIT;
	hx_proc_options o;
	hx_proc_result r;
	hx_classification c;
	vars v;
	int err = 0;

	hx_proc_result_init(&r);
	snprintf(seed, sizeof(seed), "%" PRIu64, task->seed);
	snprintf(idx, sizeof(idx), "%zu", task->index);
	hx_canon_format_number(tmo, task->timeout_s);
	memset(&v, 0, sizeof(v));
	v.module = module;
	v.module_base = dot ? dot + 1 : module;
	v.module_path = module_path;
	hx_buf_printf(&task_dir, "%s/tasks/%zu", pe->out_dir, task->index);
	v.task_dir = task_dir.ptr;
	v.tier = hx_tier_lower(task->tier);
	v.timeout_s = tmo;
	v.seed = seed;
	v.task_index = idx;
	v.out_dir = pe->out_dir;
	v.root = pe->root;
	if (se->telemetry) {
		if ((err = expand(&tpath, se->telemetry, &v)) != 0)
			goto done;
		v.telemetry_path = tpath.ptr;
	}

	snprintf(rec->module_name, sizeof(rec->module_name), "%s", module);
	snprintf(rec->context, sizeof(rec->context), "calibration_%s_%s", hx_tier_name(task->tier),
		 module);
	rec->tier = task->tier;
	rec->timeout_s = task->timeout_s;
	rec->master_seed = pe->spec->seed;
	rec->task_seed = task->seed;
	rec->task_index = task->index;
	rec->engine = pe->base.kind;
	rec->engine_version = pe->base.version;
	rec->is_process = 1;
	rec->engine_path = pe->path;
	rec->engine_hash = pe->hash;
	rec->toolchain = pe->toolchain;

	if (se->require_module_file && !hx_path_exists(module_path)) {
		rec->outcome = HX_OUT_MODULE_NOT_FOUND;
		snprintf(rec->reason, sizeof(rec->reason), "no file '%s'", module_path);
		goto done;
	}
	if ((err = expand_all(&argv, se->command, &v)) != 0)
		goto done;
	if (se->env) {
		if ((err = expand_all(&overrides, se->env, &v)) != 0)
			goto done;
		env = hx_proc_env((const char *const *)overrides);
	}
	if (se->cwd) {
		char *abs;
		if ((err = expand(&cwd, se->cwd, &v)) != 0)
			goto done;
		abs = hx_path_join(pe->root, cwd.ptr);
		hx_buf_reset(&cwd);
		hx_buf_puts(&cwd, abs);
		free(abs);
	}
	if (v.telemetry_path) {
		char *dir = hx_path_dirname(v.telemetry_path);
		hx_mkdirs(dir, 0777);
		free(dir);
		unlink(v.telemetry_path); /* never merge a previous run's file */
	}

	if ((err = hx_mkdirs(task_dir.ptr, 0777)) != 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.argv = (const char *const *)argv;
	o.env = (const char *const *)env;
	o.cwd = se->cwd ? cwd.ptr : pe->root;
	o.timeout_s = task->timeout_s;
	o.grace_s = se->grace_s;
	o.memory_limit_mb = se->memory_limit_mb;
	o.cancel = pe->cancel;
	if ((err = hx_proc_run(&r, &o)) != 0)
		goto done;
	if (r.limit == HX_LIMIT_CANCELED) {
		err = HX_ETIMEOUT; /* interrupted: no record */
		goto done;
	}

	hx_outcome_classify(&c, pe->rules, &r);
	rec->outcome = c.outcome;
	rec->errors = c.errors;
	rec->warnings = c.warnings;
	rec->sorries = c.sorries;
	memcpy(rec->tactics, c.tactics, sizeof(c.tactics));
	rec->ntactics = c.ntactics;
	snprintf(rec->reason, sizeof(rec->reason), "%s", c.reason);
	rec->duration_ms = r.wall_ms;
	rec->cpu_time_ms = r.cpu_ms;
	rec->memory_peak_mb = (double)r.maxrss_kb / 1024.0;
	if (r.status == HX_PROC_EXITED) {
		rec->has_exit_code = 1;
		rec->exit_code = r.exit_code;
	} else if (r.status == HX_PROC_SIGNALED) {
		rec->has_signal = 1;
		rec->signal = r.signal;
	}
	rec->limit = r.limit == HX_LIMIT_TIMEOUT  ? "timeout"
		     : r.limit == HX_LIMIT_MEMORY ? "memory"
						  : NULL;
	{
		size_t so, se_;
		rec->stdout_tail = tail_of(&r.out, TAIL_BYTES, &so);
		rec->stderr_tail = tail_of(&r.err, TAIL_BYTES, &se_);
		rec->stdout_dropped = r.out_dropped + so;
		rec->stderr_dropped = r.err_dropped + se_;
	}
	if (v.telemetry_path && r.status != HX_PROC_EXEC_FAILED)
		merge_engine_telemetry(rec, v.telemetry_path, pe->out_dir);
done:
	if (hx_is_dir(task_dir.ptr))
		hx_remove_tree(task_dir.ptr); /* scratch (coqc's .vo) is not telemetry */
	hx_buf_release(&task_dir);
	hx_proc_result_release(&r);
	hx_strv_free(argv);
	hx_strv_free(overrides);
	hx_strv_free(env);
	hx_buf_release(&tpath);
	hx_buf_release(&cwd);
	free(module_path);
	return err;
}

static void proc_free(hx_engine *e)
{
	proc_engine *pe = (proc_engine *)e;
	/* Every task has removed its own scratch directory by now; their
	 * parent goes once, here, not by a task while others make theirs. */
	if (pe->out_dir) {
		char *tasks = hx_path_join(pe->out_dir, "tasks");
		rmdir(tasks);
		free(tasks);
	}
	hx_outcome_rules_free(pe->rules);
	free(pe->regexes);
	free(pe->exits);
	free(pe->root);
	free(pe->out_dir);
	free(pe->version);
	free(pe->path);
	free(pe->hash);
	free(pe->toolchain);
	free(pe);
}

static char *absolute(const char *path)
{
	char resolved[PATH_MAX];
	if (realpath(path, resolved))
		return hx_xstrdup(resolved);
	return hx_xstrdup(path);
}

int hx_proc_engine_new(hx_engine **out, const hx_engine_ctx *ctx)
{
	const hx_spec_engine *se = &ctx->spec->engine;
	proc_engine *pe = hx_xcalloc(1, sizeof(*pe));
	hx_outcome_config cfg;
	hx_buf probe = HX_BUF_INIT;
	vars v;
	size_t i;
	int err;

	*out = NULL;
	pe->spec = ctx->spec;
	pe->se = se;
	pe->corpus = ctx->corpus;
	pe->cancel = ctx->cancel;
	pe->root = absolute(se->root);
	pe->out_dir = absolute(ctx->out_dir ? ctx->out_dir : ".");
	pe->base.kind = se->kind;
	pe->base.run_task = proc_run_task;
	pe->base.free = proc_free;

	/* Templates are checked once here, not found broken at task 9,000. */
	memset(&v, 0, sizeof(v));
	v.telemetry_path = "";
	v.task_dir = "";
	for (i = 0; se->command[i]; i++)
		if ((err = expand(&probe, se->command[i], &v)) != 0)
			goto fail;
	for (i = 0; se->env && se->env[i]; i++)
		if ((err = expand(&probe, se->env[i], &v)) != 0)
			goto fail;
	if ((se->cwd && (err = expand(&probe, se->cwd, &v)) != 0) ||
	    (se->telemetry && (err = expand(&probe, se->telemetry, &v)) != 0))
		goto fail;

	memset(&cfg, 0, sizeof(cfg));
	cfg.dialect = strcmp(se->kind, "lean") == 0 ? (se->json ? HX_DIALECT_LEAN_JSON : HX_DIALECT_LEAN)
		      : strcmp(se->kind, "coq") == 0 ? HX_DIALECT_COQ
						     : HX_DIALECT_GENERIC;
	cfg.sorry_invalid = se->sorry_invalid;
	pe->regexes = hx_xcalloc(se->nregexes + 1, sizeof(hx_regex_rule));
	for (i = 0; i < se->nregexes; i++) {
		pe->regexes[i].pattern = se->regexes[i].pattern;
		pe->regexes[i].stream = (hx_stream_sel)se->regexes[i].stream;
		pe->regexes[i].outcome = (hx_outcome)se->regexes[i].outcome;
	}
	pe->exits = hx_xcalloc(se->nexits + 1, sizeof(hx_exit_rule));
	for (i = 0; i < se->nexits; i++) {
		pe->exits[i].exit_code = se->exits[i].exit_code;
		pe->exits[i].outcome = (hx_outcome)se->exits[i].outcome;
	}
	cfg.regexes = pe->regexes;
	cfg.nregexes = se->nregexes;
	cfg.exits = pe->exits;
	cfg.nexits = se->nexits;
	cfg.tactic_patterns = (const char *const *)se->tactics;
	if ((err = hx_outcome_rules_new(&pe->rules, &cfg)) != 0 || (err = identify(pe)) != 0)
		goto fail;
	pe->base.version = pe->version;
	pe->base.path = pe->path;
	pe->base.binary_hash = pe->hash;
	pe->base.toolchain = pe->toolchain;
	hx_buf_release(&probe);
	*out = &pe->base;
	return 0;
fail:
	hx_buf_release(&probe);
	proc_free(&pe->base);
	return err;
}
