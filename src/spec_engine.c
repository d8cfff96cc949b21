/* spec_engine.c - the engine section of a spec: kinds, command templates,
 * outcome rules, limits. */
#include "spec_engine.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "outcome.h"
#include "telemetry.h"

#define MAX_GRACE_S 600.0
#define MAX_MEMORY_MB (1LL << 24)

static const char *const engine_kinds[] = {"sim-verifier", "lean", "coq", "command",
					    "sim-monitor", NULL};
static const char *const sim_keys[] = {"kind", NULL};
static const char *const lean_keys[] = {"kind", "command", "version_command", "root", "args",
					 "json", "sorry_invalid", "toolchain_file", "env", "cwd",
					 "memory_limit_mb", "grace_s", "outcomes", "tactics", NULL};
static const char *const coq_keys[] = {"kind", "command", "version_command", "root", "args",
					"env", "cwd", "memory_limit_mb", "grace_s", "outcomes",
					"tactics", NULL};
static const char *const command_keys[] = {"kind", "command", "version_command", "root",
					    "extension", "require_module_file", "env", "cwd",
					    "telemetry", "memory_limit_mb", "grace_s", "outcomes",
					    "tactics", NULL};
static const char *const monitor_keys[] = {"kind",	  "positive_rate", "max_tokens",
					    "top_k", "negative",      "positive",   NULL};
static const char *const dist_keys[] = {"distribution", "mean", "sd", NULL};
static const char *const dist_names[] = {"normal", "lognormal", NULL};
static const char *const outcomes_keys[] = {"exit", "regex", NULL};
static const char *const regex_keys[] = {"pattern", "stream", "outcome", NULL};
static const char *const regex_required[] = {"pattern", "outcome", NULL};
static const char *const stream_names[] = {"both", "stdout", "stderr", NULL};
static const char *const outcome_names[] = {
	"verified",	    "proof_invalid",	  "verifier_timeout", "deterministic_timeout",
	"resource_exhausted", "verifier_crash", "module_not_found", "engine_error",
	NULL};

size_t hx_strv_len(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char **hx_strv_dup(const char *const *v)
{
	size_t n = hx_strv_len(v), i;
	char **out = hx_xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		out[i] = hx_xstrdup(v[i]);
	return out;
}

void hx_strv_free(char **v)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

void hx_spec_engine_release(hx_spec_engine *e)
{
	size_t i;
	free(e->kind);
	hx_strv_free(e->command);
	hx_strv_free(e->version_command);
	free(e->root);
	free(e->toolchain_file);
	free(e->extension);
	hx_strv_free(e->env);
	free(e->cwd);
	free(e->telemetry);
	free(e->exits);
	for (i = 0; i < e->nregexes; i++)
		free(e->regexes[i].pattern);
	free(e->regexes);
	hx_strv_free(e->tactics);
	memset(e, 0, sizeof(*e));
}

/* A non-empty list of strings. */
static int read_strv(const hx_ydoc *doc, const hx_ynode *n, const char *what, int allow_empty,
		     char ***out)
{
	size_t i;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_SEQ, what)) != 0)
		return err;
	if (!allow_empty && n->n == 0)
		return hx_ydoc_error(doc, n, "'%s' must not be empty", what);
	hx_strv_free(*out);
	*out = hx_xcalloc(n->n + 1, sizeof(char *));
	for (i = 0; i < n->n; i++)
		if ((err = hx_ydoc_string(doc, n->items[i], what, &(*out)[i])) != 0)
			return err;
	return 0;
}

static int check_regex(const hx_ydoc *doc, const hx_ynode *n, const char *pattern)
{
	regex_t re;
	char msg[128];
	int rc = regcomp(&re, pattern, REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		return hx_ydoc_error(doc, n, "invalid regex '%s': %s", pattern, msg);
	}
	regfree(&re);
	return 0;
}

static int read_outcomes(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	size_t i;
	int err, idx;

	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "outcomes")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, outcomes_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "exit"))) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_MAP, "exit")) != 0)
			return err;
		e->exits = hx_xcalloc(v->n + 1, sizeof(*e->exits));
		for (i = 0; i < v->n; i++) {
			long long code;
			if ((err = hx_ydoc_int(doc, v->pairs[i].key, "exit code", 0, 255, &code)) != 0 ||
			    (err = hx_ydoc_enum(doc, v->pairs[i].value, "outcome", outcome_names,
						&idx)) != 0)
				return err;
			e->exits[e->nexits].exit_code = (int)code;
			e->exits[e->nexits].outcome = idx;
			e->nexits++;
		}
	}
	if ((v = hx_ynode_get(n, "regex"))) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_SEQ, "regex")) != 0)
			return err;
		e->regexes = hx_xcalloc(v->n + 1, sizeof(*e->regexes));
		for (i = 0; i < v->n; i++) {
			const hx_ynode *r = v->items[i], *f;
			hx_spec_regex *out = &e->regexes[e->nregexes];
			if ((err = hx_ydoc_expect(doc, r, HX_Y_MAP, "regex rule")) != 0 ||
			    (err = hx_ydoc_check_keys(doc, r, regex_keys)) != 0 ||
			    (err = hx_ydoc_require(doc, r, regex_required)) != 0)
				return err;
			f = hx_ynode_get(r, "pattern");
			if ((err = hx_ydoc_string(doc, f, "pattern", &out->pattern)) != 0)
				return err;
			e->nregexes++;
			if ((err = check_regex(doc, f, out->pattern)) != 0 ||
			    (err = hx_ydoc_enum(doc, hx_ynode_get(r, "outcome"), "outcome",
						outcome_names, &out->outcome)) != 0)
				return err;
			if ((f = hx_ynode_get(r, "stream")) &&
			    (err = hx_ydoc_enum(doc, f, "stream", stream_names, &out->stream)) != 0)
				return err;
		}
	}
	return 0;
}

static char *resolve(const char *dir, const char *path)
{
	return hx_path_join(dir, path);
}

/* Defaults per kind, applied after reading what the spec says. */
static void apply_defaults(hx_spec_engine *e, char **args, int has_command, const char *root)
{
	size_t n = hx_strv_len((const char *const *)args), i, k = 0;

	if (!e->root)
		e->root = hx_xstrdup(root);
	if (strcmp(e->kind, "lean") == 0) {
		if (!has_command) {
			e->command = hx_xcalloc(n + 6, sizeof(char *));
			e->command[k++] = hx_xstrdup("lake");
			e->command[k++] = hx_xstrdup("env");
			e->command[k++] = hx_xstrdup("lean");
			if (e->json)
				e->command[k++] = hx_xstrdup("--json");
			for (i = 0; i < n; i++)
				e->command[k++] = hx_xstrdup(args[i]);
			e->command[k++] = hx_xstrdup("{module_path}");
		}
		if (!e->version_command) {
			const char *v[] = {"lean", "--version", NULL};
			e->version_command = hx_strv_dup(v);
		}
		if (!e->extension)
			e->extension = hx_xstrdup(".lean");
		if (!e->toolchain_file) {
			char *tc = hx_path_join(e->root, "lean-toolchain");
			if (hx_path_exists(tc))
				e->toolchain_file = tc;
			else
				free(tc);
		}
		e->require_module_file = 1;
	} else if (strcmp(e->kind, "coq") == 0) {
		if (!has_command) {
			/* coqc writes a .vo beside a target of the module's own
			 * name: into the task's scratch directory, so two tasks
			 * on one module never share a file. */
			e->command = hx_xcalloc(n + 6, sizeof(char *));
			e->command[k++] = hx_xstrdup("coqc");
			e->command[k++] = hx_xstrdup("-noglob");
			for (i = 0; i < n; i++)
				e->command[k++] = hx_xstrdup(args[i]);
			e->command[k++] = hx_xstrdup("-o");
			e->command[k++] = hx_xstrdup("{task_dir}/{module_base}.vo");
			e->command[k++] = hx_xstrdup("{module_path}");
		}
		if (!e->version_command) {
			const char *v[] = {"coqc", "--version", NULL};
			e->version_command = hx_strv_dup(v);
		}
		if (!e->extension)
			e->extension = hx_xstrdup(".v");
		e->require_module_file = 1;
	}
	if (e->grace_s <= 0)
		e->grace_s = 1.0;
}

void hx_spec_monitor_default(hx_spec_monitor *m)
{
	memset(m, 0, sizeof(*m));
	m->positive_rate = 0.2;
	m->max_tokens = 20;
	m->top_k = 5;
	m->negative.mean = 2.0;
	m->negative.sd = 0.7;
	m->positive.mean = 2.5;
	m->positive.sd = 0.7;
}

static int read_dist(const hx_ydoc *doc, const hx_ynode *n, const char *what, hx_spec_token_dist *d)
{
	const hx_ynode *v;
	int err, idx;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, what)) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, dist_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "distribution"))) {
		if ((err = hx_ydoc_enum(doc, v, "distribution", dist_names, &idx)) != 0)
			return err;
		d->lognormal = idx == 1;
	}
	if ((v = hx_ynode_get(n, "mean")) &&
	    (err = hx_ydoc_double(doc, v, "mean", -1e6, 1e6, &d->mean)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "sd")) && (err = hx_ydoc_double(doc, v, "sd", 0, 1e6, &d->sd)) != 0)
		return err;
	return 0;
}

static int read_monitor(hx_spec_monitor *m, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	long long x;
	int err;
	if ((v = hx_ynode_get(n, "positive_rate")) &&
	    (err = hx_ydoc_double(doc, v, "positive_rate", 0, 1, &m->positive_rate)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "max_tokens"))) {
		if ((err = hx_ydoc_int(doc, v, "max_tokens", 1, 1000000, &x)) != 0)
			return err;
		m->max_tokens = (long)x;
	}
	if ((v = hx_ynode_get(n, "top_k"))) {
		if ((err = hx_ydoc_int(doc, v, "top_k", 1, 1000000, &x)) != 0)
			return err;
		m->top_k = (long)x;
	}
	if (m->top_k > m->max_tokens)
		return hx_ydoc_error(doc, v ? v : n, "top_k %ld is more than max_tokens %ld",
				     m->top_k, m->max_tokens);
	if ((v = hx_ynode_get(n, "negative")) &&
	    (err = read_dist(doc, v, "negative", &m->negative)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "positive")) &&
	    (err = read_dist(doc, v, "positive", &m->positive)) != 0)
		return err;
	return 0;
}

static int engine_read(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n, const char *dir,
		       const char *default_root, int series);

int hx_spec_engine_read(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n, const char *dir,
			const char *default_root)
{
	return engine_read(e, doc, n, dir, default_root, 0);
}

int hx_spec_engine_read_series(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n,
			       const char *dir, const char *default_root)
{
	if (!n) {
		memset(e, 0, sizeof(*e));
		e->kind = hx_xstrdup("sim-monitor");
		hx_spec_monitor_default(&e->monitor);
		return 0;
	}
	return engine_read(e, doc, n, dir, default_root, 1);
}

static int engine_read(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n, const char *dir,
		       const char *default_root, int series)
{
	const char *const *keys;
	const hx_ynode *v;
	char **args = NULL, *s = NULL;
	int idx, err;

	memset(e, 0, sizeof(*e));
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "engine")) != 0)
		return err;
	if (!(v = hx_ynode_get(n, "kind")))
		return hx_ydoc_error(doc, n, "missing key 'kind'");
	if ((err = hx_ydoc_enum(doc, v, "engine kind", engine_kinds, &idx)) != 0)
		return err;
	if (idx == 4 && !series)
		return hx_ydoc_error(doc, v,
				     "engine 'sim-monitor' scores samples for threshold steps of a "
				     "series spec; a calibration runs sim-verifier, lean, coq or command");
	e->kind = hx_xstrdup(engine_kinds[idx]);
	keys = idx == 0	  ? sim_keys
	       : idx == 1 ? lean_keys
	       : idx == 2 ? coq_keys
	       : idx == 3 ? command_keys
			  : monitor_keys;
	if ((err = hx_ydoc_check_keys(doc, n, keys)) != 0)
		return err;
	if (idx == 0)
		return 0;
	if (idx == 4) {
		hx_spec_monitor_default(&e->monitor);
		return read_monitor(&e->monitor, doc, n);
	}

	if ((v = hx_ynode_get(n, "command")) &&
	    (err = read_strv(doc, v, "command", 0, &e->command)) != 0)
		goto done;
	if (!e->command && idx == 3) {
		err = hx_ydoc_error(doc, n, "missing key 'command' (the engine's argv template)");
		goto done;
	}
	if ((v = hx_ynode_get(n, "version_command")) &&
	    (err = read_strv(doc, v, "version_command", 0, &e->version_command)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "args")) && (err = read_strv(doc, v, "args", 1, &args)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "root"))) {
		if ((err = hx_ydoc_string(doc, v, "root", &s)) != 0)
			goto done;
		e->root = resolve(dir, s);
		free(s);
		s = NULL;
		if (!hx_is_dir(e->root)) {
			err = hx_ydoc_error(doc, v, "root '%s' is not a directory", e->root);
			goto done;
		}
	}
	if ((v = hx_ynode_get(n, "toolchain_file"))) {
		if ((err = hx_ydoc_string(doc, v, "toolchain_file", &s)) != 0)
			goto done;
		e->toolchain_file = resolve(dir, s);
		free(s);
		s = NULL;
		/* read at start-up: a bad one is reported here, located */
		if ((err = hx_file_check_spec(e->toolchain_file)) != 0) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", hx_error_last());
			hx_ydoc_error(doc, v, "%s", msg);
			goto done;
		}
	}
	if ((v = hx_ynode_get(n, "json")) && (err = hx_ydoc_bool(doc, v, "json", &e->json)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "sorry_invalid")) &&
	    (err = hx_ydoc_bool(doc, v, "sorry_invalid", &e->sorry_invalid)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "require_module_file")) &&
	    (err = hx_ydoc_bool(doc, v, "require_module_file", &e->require_module_file)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "extension")) &&
	    (err = hx_ydoc_string(doc, v, "extension", &e->extension)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "env"))) {
		size_t i;
		if ((err = hx_ydoc_expect(doc, v, HX_Y_MAP, "env")) != 0)
			goto done;
		e->env = hx_xcalloc(v->n + 1, sizeof(char *));
		for (i = 0; i < v->n; i++) {
			hx_buf kv = HX_BUF_INIT;
			if ((err = hx_ydoc_string(doc, v->pairs[i].value, v->pairs[i].key->scalar,
						  &s)) != 0)
				goto done;
			if (!v->pairs[i].key->scalar[0] || strchr(v->pairs[i].key->scalar, '=')) {
				err = hx_ydoc_error(doc, v->pairs[i].key,
						    "invalid environment variable name '%s'",
						    v->pairs[i].key->scalar);
				goto done;
			}
			hx_buf_printf(&kv, "%s=%s", v->pairs[i].key->scalar, s);
			free(s);
			s = NULL;
			e->env[i] = hx_buf_detach(&kv, NULL);
		}
	}
	if ((v = hx_ynode_get(n, "cwd")) && (err = hx_ydoc_string(doc, v, "cwd", &e->cwd)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "telemetry")) &&
	    (err = hx_ydoc_string(doc, v, "telemetry", &e->telemetry)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "memory_limit_mb"))) {
		long long mb;
		if ((err = hx_ydoc_int(doc, v, "memory_limit_mb", 1, MAX_MEMORY_MB, &mb)) != 0)
			goto done;
		e->memory_limit_mb = (long)mb;
	}
	if ((v = hx_ynode_get(n, "grace_s")) &&
	    (err = hx_ydoc_double_gt(doc, v, "grace_s", 0, MAX_GRACE_S, &e->grace_s)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "outcomes")) && (err = read_outcomes(e, doc, v)) != 0)
		goto done;
	if ((v = hx_ynode_get(n, "tactics"))) {
		size_t i;
		if ((err = read_strv(doc, v, "tactics", 0, &e->tactics)) != 0)
			goto done;
		for (i = 0; e->tactics[i]; i++)
			if ((err = check_regex(doc, v->items[i], e->tactics[i])) != 0)
				goto done;
	}
	apply_defaults(e, args, e->command != NULL, default_root);
done:
	hx_strv_free(args);
	free(s);
	return err;
}
