/* spec.c - read and validate an experiment spec and its canonical profile. */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "spec_engine.h"
#include "spec_stages.h"
#include "ydoc.h"

#define MAX_TIMEOUT_S 86400.0
#define MAX_SAMPLES 100000000LL
#define MAX_MODULES 10000000LL
#define MAX_WORKERS 1024LL
/* Experiment names become directory names: keep them short and portable. */
#define MAX_EXPERIMENT_LEN 100

static const char *const spec_keys[] = {"experiment", "description", "seed",      "engine",
					"models",     "corpus",      "tiers",     "samples",
					"workers",    "canonical",   "golden",    "tags",
					"label",      "fit",         "validate",  "export",
					NULL};
static const char *const corpus_keys[] = {"kind", "modules", "list", "dir", "filter", "missing",
					  NULL};
static const char *const missing_modes[] = {"error", "skip", NULL};
static const char *const corpus_kinds[] = {"synthetic", "list", "dir", NULL};
/* Tier timeouts of real engines when the models do not say (the seeds'). */
static const double default_timeout_s[HX_TIER_COUNT] = {30, 60, 120};
static const char *const tier_keys[] = {"timeout_s", "samples", NULL};
static const char *const tier_names[] = {"FAST", "BALANCED", "SLOW", NULL};
static const char *const canonical_keys[] = {"profile", NULL};
static const char *const profile_keys[] = {"name", "strip", "round", NULL};
static const char *const builtin_profiles[] = {"telemetry", "telemetry-real", "none", NULL};

/* Re-locate the message of a failure that has no position of its own (a
 * file that cannot be opened) at the spec node that named the file. */
static int relocate(const hx_ydoc *doc, const hx_ynode *n, int err)
{
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", hx_error_last());
	hx_ydoc_error(doc, n, "%s", msg);
	return err;
}

static int is_builtin_profile_name(const char *s);

int hx_spec_profile_is_file(const char *s)
{
	return !is_builtin_profile_name(s);
}

static int is_builtin_profile_name(const char *s)
{
	size_t n = strlen(s);
	if (strchr(s, '/'))
		return 0;
	if (n >= 5 && strcmp(s + n - 5, ".yaml") == 0)
		return 0;
	if (n >= 4 && strcmp(s + n - 4, ".yml") == 0)
		return 0;
	return 1;
}

int hx_spec_name_ok(const char *s)
{
	const char *p;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return 0;
	}
	return 1;
}

static int parse_profile_file(hx_canon_profile *p, const hx_ydoc *doc)
{
	const hx_ynode *root = doc->root, *v;
	char *s = NULL;
	long long dec;
	size_t i;
	int err;

	if (hx_ynode_is_null(root))
		return 0; /* an empty profile: pure RFC 8785 */
	if ((err = hx_ydoc_expect(doc, root, HX_Y_MAP, "profile")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, root, profile_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "name"))) {
		if ((err = hx_ydoc_string(doc, v, "name", &s)) != 0)
			return err;
		free(p->name);
		p->name = s;
		s = NULL;
	}
	if ((v = hx_ynode_get(root, "strip")) && !hx_ynode_is_null(v)) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_SEQ, "strip")) != 0)
			return err;
		for (i = 0; i < v->n; i++) {
			if ((err = hx_ydoc_string(doc, v->items[i], "strip", &s)) != 0)
				return err;
			err = hx_canon_profile_add_strip(p, s);
			free(s);
			s = NULL;
			if (err)
				return hx_ydoc_error(doc, v->items[i], "%s", hx_error_last());
		}
	}
	if ((v = hx_ynode_get(root, "round")) && !hx_ynode_is_null(v)) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_MAP, "round")) != 0)
			return err;
		for (i = 0; i < v->n; i++) {
			const hx_ynode *k = v->pairs[i].key;
			if ((err = hx_ydoc_int(doc, v->pairs[i].value, k->scalar, 0, 15, &dec)) != 0)
				return err;
			if ((err = hx_canon_profile_add_round(p, k->scalar, (int)dec)) != 0)
				return hx_ydoc_error(doc, k, "%s", hx_error_last());
		}
	}
	return 0;
}

int hx_canon_profile_load(hx_canon_profile *out, const char *name_or_path)
{
	hx_ydoc *doc = NULL;
	const char *hint;
	int err;

	if (is_builtin_profile_name(name_or_path)) {
		if ((err = hx_canon_profile_builtin(out, name_or_path)) == 0)
			return 0;
		hint = hx_ydoc_suggest(name_or_path, builtin_profiles);
		if (hint)
			hx_error_set("unknown canonical profile '%s' (did you mean '%s'?)",
				     name_or_path, hint);
		else
			hx_error_set("unknown canonical profile '%s' (known: telemetry, "
				     "telemetry-real, none, or a .yaml file)",
				     name_or_path);
		return HX_ENOTFOUND;
	}
	hx_canon_profile_init(out);
	out->name = hx_xstrdup(name_or_path);
	if ((err = hx_ydoc_load(&doc, name_or_path)) == 0)
		err = parse_profile_file(out, doc);
	if (err)
		hx_canon_profile_release(out);
	hx_ydoc_free(doc);
	return err;
}

int hx_spec_read_experiment_name(const hx_ydoc *doc, const hx_ynode *v, char **out)
{
	int err;

	if ((err = hx_ydoc_string(doc, v, "experiment", out)) != 0)
		return err;
	if (strlen(*out) > MAX_EXPERIMENT_LEN)
		return hx_ydoc_error(doc, v, "experiment name '%.*s...' is longer than %d characters",
				     40, *out, MAX_EXPERIMENT_LEN);
	if (!hx_spec_name_ok(*out))
		return hx_ydoc_error(doc, v,
				     "experiment name '%s' is not valid (use lowercase letters, "
				     "digits, '.', '_' and '-', starting with a letter or digit)",
				     *out);
	return 0;
}

static int read_experiment(hx_spec *s, const hx_ydoc *doc, const hx_ynode *v)
{
	return hx_spec_read_experiment_name(doc, v, &s->experiment);
}

/* A corpus directory is where the modules live: the natural root. */
static const char *engine_root(const hx_spec *s, const char *dir)
{
	return s->corpus_path && strcmp(s->corpus_kind, "dir") == 0 ? s->corpus_path : dir;
}

static int read_engine(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n, const char *dir)
{
	int err = hx_spec_engine_read(&s->engine, doc, n, dir, engine_root(s, dir));
	if (err)
		return err;
	s->engine_kind = hx_xstrdup(s->engine.kind);
	return 0;
}

static int read_models(hx_spec *s, const hx_ydoc *doc, const hx_ynode *v, const char *dir)
{
	char *rel = NULL;
	int err;

	if (!v) {
		s->models_path = hx_xstrdup(HX_MODELS_BUILTIN_NAME);
		return hx_models_builtin(&s->models);
	}
	if (v->type == HX_Y_MAP)
		return hx_models_from_node(&s->models, doc, v);
	if (v->type != HX_Y_SCALAR || hx_ynode_is_null(v))
		return hx_ydoc_error(doc, v, "'models' must be a file path or a mapping");
	if ((err = hx_ydoc_string(doc, v, "models", &rel)) != 0)
		return err;
	s->models_path = hx_path_join(dir, rel);
	free(rel);
	/* Errors inside the models file carry its own location; a file that
	 * cannot be read (missing, not a regular file, too large) is located
	 * at the spec's reference to it. */
	if ((err = hx_file_check_spec(s->models_path)) != 0)
		return relocate(doc, v, err);
	err = hx_models_load(&s->models, s->models_path);
	if (err == HX_ENOTFOUND || err == HX_ESYSTEM)
		return relocate(doc, v, err);
	return err;
}

static int read_corpus(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n, const char *dir)
{
	const hx_ynode *v, *list, *cdir;
	long long modules;
	char *rel = NULL;
	int idx = 0, err;

	if (hx_ynode_is_null(n))
		return 0;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "corpus")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, corpus_keys)) != 0)
		return err;
	list = hx_ynode_get(n, "list");
	cdir = hx_ynode_get(n, "dir");
	if (list && cdir)
		return hx_ydoc_error(doc, cdir, "a corpus is a 'list' or a 'dir', not both");
	idx = list ? 1 : cdir ? 2 : 0;
	if ((v = hx_ynode_get(n, "kind"))) {
		int said;
		if ((err = hx_ydoc_enum(doc, v, "corpus kind", corpus_kinds, &said)) != 0)
			return err;
		if (said != idx)
			return hx_ydoc_error(doc, v, "corpus kind '%s' needs %s", corpus_kinds[said],
					     said == 0 ? "no 'list' or 'dir'" :
					     said == 1 ? "a 'list' file" : "a 'dir'");
	}
	free(s->corpus_kind);
	s->corpus_kind = hx_xstrdup(corpus_kinds[idx]);
	if (idx) {
		v = list ? list : cdir;
		if ((err = hx_ydoc_string(doc, v, list ? "list" : "dir", &rel)) != 0)
			return err;
		s->corpus_path = hx_path_join(dir, rel);
		free(rel);
		if (idx == 2 && !hx_is_dir(s->corpus_path))
			return hx_ydoc_error(doc, v, "cannot open '%s': No such directory",
					     s->corpus_path);
		if (idx == 1 && (err = hx_file_check_spec(s->corpus_path)) != 0)
			return relocate(doc, v, err);
	}
	if ((v = hx_ynode_get(n, "modules"))) {
		if (idx)
			return hx_ydoc_error(doc, v, "'modules' is for a synthetic corpus; a %s corpus "
					     "has the modules it names", corpus_kinds[idx]);
		if ((err = hx_ydoc_int(doc, v, "modules", 1, MAX_MODULES, &modules)) != 0)
			return err;
		s->corpus_modules = (long)modules;
	}
	if ((v = hx_ynode_get(n, "filter"))) {
		if ((err = hx_ydoc_string(doc, v, "filter", &s->corpus_filter)) != 0)
			return err;
	}
	if ((v = hx_ynode_get(n, "missing")) &&
	    (err = hx_ydoc_enum(doc, v, "missing", missing_modes, &s->corpus_missing_skip)) != 0)
		return err;
	return 0;
}

static int unknown_tier(const hx_ydoc *doc, const hx_ynode *k)
{
	hx_tier t;
	const char *hint;

	/* "balanced" or "fast_noisy" (another vocabulary) is close in meaning
	 * though not in spelling. */
	if (hx_tier_parse(k->scalar, &t) == 0)
		hint = hx_tier_name(t);
	else
		hint = hx_ydoc_suggest(k->scalar, tier_names);
	if (hint)
		return hx_ydoc_error(doc, k, "unknown tier '%s' (did you mean '%s'?)", k->scalar,
				     hint);
	return hx_ydoc_error(doc, k, "unknown tier '%s' (known: FAST, BALANCED, SLOW)", k->scalar);
}

static int read_tiers(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n)
{
	hx_spec_tier by_tier[HX_TIER_COUNT];
	int present[HX_TIER_COUNT] = {0};
	const hx_ynode *k, *body, *v;
	long long samples;
	size_t i;
	int t, err;

	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "tiers")) != 0)
		return err;
	if (n->n == 0)
		return hx_ydoc_error(doc, n, "'tiers' must name at least one of FAST, BALANCED, SLOW");
	for (i = 0; i < n->n; i++) {
		k = n->pairs[i].key;
		body = n->pairs[i].value;
		for (t = 0; t < HX_TIER_COUNT && strcmp(k->scalar, tier_names[t]) != 0; t++)
			;
		if (t == HX_TIER_COUNT)
			return unknown_tier(doc, k);
		/* The simulator needs the tier's model; a real engine only takes
		 * the models' timeout when there is one. */
		if (!s->models->has_tier[t] && strcmp(s->engine_kind, "sim-verifier") == 0)
			return hx_ydoc_error(doc, k, "tier '%s' has no model '%s' in '%s'",
					     tier_names[t], hx_tier_model_name((hx_tier)t),
					     s->models->path);
		by_tier[t].tier = (hx_tier)t;
		by_tier[t].timeout_s = s->models->has_tier[t] ? s->models->tiers[t].base_timeout_s
							      : default_timeout_s[t];
		by_tier[t].samples = s->samples;
		present[t] = 1;
		if (hx_ynode_is_null(body))
			continue;
		if ((err = hx_ydoc_expect(doc, body, HX_Y_MAP, tier_names[t])) != 0 ||
		    (err = hx_ydoc_check_keys(doc, body, tier_keys)) != 0)
			return err;
		if ((v = hx_ynode_get(body, "timeout_s")) &&
		    (err = hx_ydoc_double_gt(doc, v, "timeout_s", 0, MAX_TIMEOUT_S,
					     &by_tier[t].timeout_s)) != 0)
			return err;
		if ((v = hx_ynode_get(body, "samples"))) {
			if ((err = hx_ydoc_int(doc, v, "samples", 1, MAX_SAMPLES, &samples)) != 0)
				return err;
			by_tier[t].samples = (long)samples;
		}
	}
	/* Plan order, whatever the document order. */
	s->ntiers = 0;
	for (t = 0; t < HX_TIER_COUNT; t++) {
		if (present[t])
			s->tiers[s->ntiers++] = by_tier[t];
	}
	return 0;
}

static int read_canonical(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n, const char *dir)
{
	const hx_ynode *v = NULL;
	char *path = NULL;
	int err;

	if (!hx_ynode_is_null(n)) {
		if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "canonical")) != 0 ||
		    (err = hx_ydoc_check_keys(doc, n, canonical_keys)) != 0)
			return err;
		if ((v = hx_ynode_get(n, "profile"))) {
			if ((err = hx_ydoc_string(doc, v, "profile", &path)) != 0)
				return err;
			free(s->profile_ref);
			s->profile_ref = path;
			path = NULL;
		}
	}
	/* A real process's timings, memory and output paths change from run
	 * to run: without a profile of its own, a real engine's snapshot
	 * leaves them out, so that identical runs hash the same. */
	if (!v && strcmp(s->engine_kind, "sim-verifier") != 0) {
		free(s->profile_ref);
		s->profile_ref = hx_xstrdup("telemetry-real");
	}
	if (is_builtin_profile_name(s->profile_ref))
		path = hx_xstrdup(s->profile_ref);
	else
		path = hx_path_join(dir, s->profile_ref);
	hx_canon_profile_release(&s->profile);
	if (!is_builtin_profile_name(path) && (err = hx_file_check_spec(path)) != 0)
		err = relocate(doc, v ? v : n, err);
	else if ((err = hx_canon_profile_load(&s->profile, path)) == HX_ENOTFOUND ||
		 err == HX_ESYSTEM)
		err = relocate(doc, v ? v : n, err);
	if (err)
		hx_canon_profile_init(&s->profile);
	free(path);
	return err;
}

static int read_tags(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n)
{
	size_t i;
	int err;

	if (hx_ynode_is_null(n))
		return 0;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_SEQ, "tags")) != 0)
		return err;
	s->tags = hx_xcalloc(n->n, sizeof(*s->tags));
	for (i = 0; i < n->n; i++) {
		if ((err = hx_ydoc_string(doc, n->items[i], "tag", &s->tags[i])) != 0)
			return err;
		s->ntags++;
	}
	return 0;
}

/* A required key, checked when its turn comes: what the user wrote is
 * validated in spec order, so a bad seed is reported before a missing
 * engine further down. */
static int need(const hx_ydoc *doc, const hx_ynode *root, const char *key, const hx_ynode **out)
{
	*out = hx_ynode_get(root, key);
	if (!*out)
		return hx_ydoc_error(doc, root, "missing key '%s'", key);
	return 0;
}

static int read_spec(hx_spec *s, const hx_ydoc *doc, const char *dir)
{
	const hx_ynode *root = doc->root, *v;
	long long n;
	int err;

	if (hx_ynode_is_null(root))
		root = NULL; /* empty: "missing key 'experiment'" at 1:1 */
	else if (root->type != HX_Y_MAP)
		return hx_ydoc_error(doc, root, "a spec must be a mapping of keys to values");
	if ((err = hx_ydoc_check_keys(doc, root, spec_keys)) != 0 ||
	    (err = need(doc, root, "experiment", &v)) != 0 ||
	    (err = read_experiment(s, doc, v)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "description")) && !hx_ynode_is_null(v)) {
		free(s->description);
		s->description = NULL;
		if ((err = hx_ydoc_string(doc, v, "description", &s->description)) != 0)
			return err;
	}
	if ((err = need(doc, root, "seed", &v)) != 0 ||
	    (err = hx_ydoc_u64(doc, v, "seed", &s->seed)) != 0 ||
	    (err = read_corpus(s, doc, hx_ynode_get(root, "corpus"), dir)) != 0 ||
	    (err = need(doc, root, "engine", &v)) != 0 ||
	    (err = read_engine(s, doc, v, dir)) != 0 ||
	    (err = read_models(s, doc, hx_ynode_get(root, "models"), dir)) != 0 ||
	    (err = need(doc, root, "samples", &v)) != 0 ||
	    (err = hx_ydoc_int(doc, v, "samples", 1, MAX_SAMPLES, &n)) != 0)
		return err;
	s->samples = (long)n;
	if ((err = need(doc, root, "tiers", &v)) != 0 || (err = read_tiers(s, doc, v)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "workers"))) {
		if ((err = hx_ydoc_int(doc, v, "workers", 0, MAX_WORKERS, &n)) != 0)
			return err;
		s->workers = (int)n;
	}
	if ((err = read_canonical(s, doc, hx_ynode_get(root, "canonical"), dir)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "golden"))) {
		if ((err = hx_ydoc_string(doc, v, "golden", &s->golden)) != 0)
			return err;
		if (!s->golden[0])
			return hx_ydoc_error(doc, v, "'golden' must not be empty");
	} else {
		hx_buf g = HX_BUF_INIT;
		hx_buf_printf(&g, "golden/%s", s->experiment);
		s->golden = hx_buf_detach(&g, NULL);
	}
	if ((err = read_tags(s, doc, hx_ynode_get(root, "tags"))) != 0)
		return err;
	return hx_spec_stages_read(s, doc, root, dir, engine_root(s, dir));
}

static hx_spec *spec_new(const char *path)
{
	hx_spec *s = hx_xcalloc(1, sizeof(*s));
	s->path = hx_xstrdup(path);
	s->description = hx_xstrdup("");
	s->corpus_kind = hx_xstrdup("synthetic");
	s->corpus_modules = 1000;
	s->profile_ref = hx_xstrdup("telemetry");
	hx_canon_profile_init(&s->profile);
	return s;
}

static int spec_from_doc(hx_spec **out, const char *path, hx_ydoc *doc)
{
	hx_spec *s = spec_new(path);
	char *dir = hx_path_dirname(path);
	int err = read_spec(s, doc, dir);
	free(dir);
	if (err) {
		hx_spec_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int hx_spec_load(hx_spec **out, const char *path)
{
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	if ((err = hx_ydoc_load(&doc, path)) == 0)
		err = spec_from_doc(out, path, doc);
	hx_ydoc_free(doc);
	return err;
}

int hx_spec_parse(hx_spec **out, const char *name, const char *text, size_t len)
{
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	if ((err = hx_ydoc_parse(&doc, name, text, len)) == 0)
		err = spec_from_doc(out, name, doc);
	hx_ydoc_free(doc);
	return err;
}

void hx_spec_free(hx_spec *s)
{
	size_t i;

	if (!s)
		return;
	free(s->path);
	free(s->experiment);
	free(s->description);
	free(s->engine_kind);
	hx_spec_engine_release(&s->engine);
	free(s->models_path);
	hx_models_free(s->models);
	free(s->corpus_kind);
	free(s->corpus_path);
	free(s->corpus_filter);
	free(s->profile_ref);
	hx_canon_profile_release(&s->profile);
	free(s->golden);
	hx_spec_stages_release(s);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	free(s);
}
