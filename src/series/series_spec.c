/* series/series_spec.c - read and validate an experiment series spec
 * (series/series_spec.h). */
#include "series/series_spec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "spec_engine.h"
#include "template.h"
#include "ydoc.h"

#define MAX_RUNS 1000000L
#define DEFAULT_TIMEOUT_S 3600.0
#define MAX_TIMEOUT_S 604800.0

static const char *const series_keys[] = {"experiment", "description", "seed",   "engine",
					  "workers",    "canonical",   "golden", "tags",
					  "steps",      NULL};
static const char *const step_kinds[] = {"runs", "condense", "summary", "align", "select",
					 "tune", NULL};
static const char *const runs_keys[] = {"kind",  "needs", "profiles", "repeats",   "grid",
					"vars",  "env",   "label",    "timeout_s", NULL};
static const char *const condense_keys[] = {"kind", "needs", "metrics", NULL};
static const char *const summary_keys[] = {"kind", "needs", "top", "dd_weight", NULL};
static const char *const align_keys[] = {"kind", "needs", "budgets", NULL};
static const char *const select_keys[] = {"kind", "needs", "budgets", "k", NULL};
static const char *const tune_keys[] = {"kind",    "needs",       "budgets",
					"presets", "risk_params", NULL};
static const char *const metric_keys[] = {"name", "function", "field", "value", NULL};
static const char *const metric_required[] = {"name", "function", NULL};
static const char *const canonical_keys[] = {"profile", NULL};

/* The placeholders every runs template may name besides the grid and vars. */
static const char *const run_vars[] = {"profile", "repeat", "run", "seed", "label",
				       "telemetry_path", "step_dir", "experiment", "step",
				       "root", NULL};

const char *hx_step_kind_name(hx_step_kind k)
{
	return step_kinds[k];
}

long hx_series_step_index(const hx_series_spec *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->nsteps; i++)
		if (strcmp(s->steps[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* ---- a YAML node as canonical JSON (what a step's inputs hash) ---- */

static hx_json *node_json(hx_arena *a, const hx_ynode *n)
{
	hx_json *j;
	size_t i;
	if (!n)
		return hx_json_new(a, HX_JSON_NULL);
	switch (n->type) {
	case HX_Y_SCALAR:
		return hx_json_new_string(a, n->scalar, n->scalar_len);
	case HX_Y_SEQ:
		j = hx_json_new(a, HX_JSON_ARRAY);
		j->u.array.items = hx_arena_alloc(a, (n->n ? n->n : 1) * sizeof(hx_json *));
		j->u.array.len = n->n;
		for (i = 0; i < n->n; i++)
			j->u.array.items[i] = node_json(a, n->items[i]);
		return j;
	default:
		j = hx_json_new(a, HX_JSON_OBJECT);
		j->u.object.members = hx_arena_alloc(a, (n->n ? n->n : 1) * sizeof(hx_json_member));
		j->u.object.len = n->n;
		for (i = 0; i < n->n; i++) {
			j->u.object.members[i].key = n->pairs[i].key->scalar;
			j->u.object.members[i].key_len = n->pairs[i].key->scalar_len;
			j->u.object.members[i].value = node_json(a, n->pairs[i].value);
		}
		return j;
	}
}

static char *definition_of(const hx_ynode *n)
{
	hx_arena *a = hx_arena_new();
	hx_buf b = HX_BUF_INIT;
	hx_canon_serialize(&b, node_json(a, n));
	hx_arena_free(a);
	return hx_buf_detach(&b, NULL);
}

/* ---- small readers ---- */

static int read_strings(const hx_ydoc *doc, const hx_ynode *n, const char *what, char ***out,
			size_t *count)
{
	size_t i, j;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_SEQ, what)) != 0)
		return err;
	if (n->n == 0)
		return hx_ydoc_error(doc, n, "'%s' must not be empty", what);
	*out = hx_xcalloc(n->n + 1, sizeof(char *));
	for (i = 0; i < n->n; i++) {
		if ((err = hx_ydoc_string(doc, n->items[i], what, &(*out)[i])) != 0)
			return err;
		if (count)
			*count = i + 1;
		for (j = 0; j < i; j++)
			if (strcmp((*out)[j], (*out)[i]) == 0)
				return hx_ydoc_error(doc, n->items[i], "'%s' given twice in '%s'",
						     (*out)[i], what);
	}
	return 0;
}

/* A template name: [a-z_]+ (what template.h can expand). */
static int placeholder_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return 0;
	return 1;
}

static int is_run_var(const char *s)
{
	size_t i;
	for (i = 0; run_vars[i]; i++)
		if (strcmp(run_vars[i], s) == 0)
			return 1;
	return 0;
}

/* Whether a scalar's text reads as a number when it is plain (unquoted). */
static int number_text(const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);
	if (!*text || *end || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

/* A grid value or var: a number keeps its shortest text, anything else is a
 * string. */
static int read_value(const hx_ydoc *doc, const hx_ynode *n, const char *what, hx_cval *out)
{
	double v;
	if (!n || n->type != HX_Y_SCALAR || hx_ynode_is_null(n))
		return hx_ydoc_error(doc, n, "'%s' values must be numbers or strings", what);
	if (n->plain && number_text(n->scalar, &v)) {
		out->type = HX_CVAL_NUMBER;
		out->num = v;
		return 0;
	}
	out->type = HX_CVAL_STRING;
	out->str = hx_xstrdup(n->scalar);
	return 0;
}

/* The text a template sees for a value. */
static char *value_text(const hx_cval *v)
{
	hx_buf b = HX_BUF_INIT;
	if (v->type == HX_CVAL_NUMBER)
		hx_canon_write_number(&b, v->num);
	else
		hx_buf_puts(&b, v->str ? v->str : "");
	return hx_buf_detach(&b, NULL);
}

static int read_env(const hx_ydoc *doc, const hx_ynode *n, char ***out)
{
	size_t i;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "env")) != 0)
		return err;
	*out = hx_xcalloc(n->n + 1, sizeof(char *));
	for (i = 0; i < n->n; i++) {
		char *v = NULL;
		hx_buf b = HX_BUF_INIT;
		if ((err = hx_ydoc_string(doc, n->pairs[i].value, n->pairs[i].key->scalar, &v)) != 0)
			return err;
		if (!n->pairs[i].key->scalar[0] || strchr(n->pairs[i].key->scalar, '=')) {
			free(v);
			return hx_ydoc_error(doc, n->pairs[i].key,
					     "environment variable name '%s' is not valid",
					     n->pairs[i].key->scalar);
		}
		hx_buf_printf(&b, "%s=%s", n->pairs[i].key->scalar, v);
		free(v);
		(*out)[i] = hx_buf_detach(&b, NULL);
	}
	return 0;
}

/* ---- template checks: every placeholder a runs step's templates name
 * must be known to it ---- */

typedef struct {
	const hx_series_step *st;
} probe_ctx;

static const char *probe_lookup(void *ctx, const char *name, size_t n)
{
	const hx_series_step *st = ((probe_ctx *)ctx)->st;
	size_t i;
	for (i = 0; run_vars[i]; i++)
		if (strlen(run_vars[i]) == n && memcmp(run_vars[i], name, n) == 0)
			return "";
	for (i = 0; i < st->ngrid; i++)
		if (strlen(st->grid[i].name) == n && memcmp(st->grid[i].name, name, n) == 0)
			return "";
	for (i = 0; i < st->nvars; i++)
		if (strlen(st->var_names[i]) == n && memcmp(st->var_names[i], name, n) == 0)
			return "";
	return NULL;
}

/* "{profile}, {repeat}, ..., {grid...}, {vars...}" */
char *hx_series_known_placeholders(const hx_series_step *st);
char *hx_series_known_placeholders(const hx_series_step *st)
{
	hx_buf b = HX_BUF_INIT;
	size_t i;
	for (i = 0; run_vars[i]; i++)
		hx_buf_printf(&b, "%s{%s}", i ? ", " : "", run_vars[i]);
	for (i = 0; i < st->ngrid; i++)
		hx_buf_printf(&b, ", {%s}", st->grid[i].name);
	for (i = 0; i < st->nvars; i++)
		hx_buf_printf(&b, ", {%s}", st->var_names[i]);
	return hx_buf_detach(&b, NULL);
}

static int probe_one(const hx_ydoc *doc, const hx_ynode *at, const hx_series_step *st,
		     const char *tmpl, const char *where)
{
	probe_ctx c = {st};
	hx_buf b = HX_BUF_INIT;
	char *known = hx_series_known_placeholders(st);
	int err = hx_template_expand(&b, tmpl, probe_lookup, &c, known);
	free(known);
	hx_buf_release(&b);
	if (err) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		return hx_ydoc_error(doc, at, "step '%s': %s%s", st->name, msg, where);
	}
	return 0;
}

/* Notes whether a template names {label}; every other name is fine here. */
static const char *label_lookup(void *ctx, const char *name, size_t n)
{
	if (n == 5 && memcmp(name, "label", 5) == 0)
		*(int *)ctx = 1;
	return "";
}

static int probe_templates(const hx_ydoc *doc, const hx_ynode *step_node,
			   const hx_ynode *engine_node, const hx_series_spec *s,
			   const hx_series_step *st)
{
	const hx_spec_engine *e = &s->engine;
	size_t i;
	int err;
	for (i = 0; e->command && e->command[i]; i++)
		if ((err = probe_one(doc, engine_node, st, e->command[i], " (engine command)")) != 0)
			return err;
	for (i = 0; e->env && e->env[i]; i++)
		if ((err = probe_one(doc, engine_node, st, e->env[i], " (engine env)")) != 0)
			return err;
	if (e->cwd && (err = probe_one(doc, engine_node, st, e->cwd, " (engine cwd)")) != 0)
		return err;
	for (i = 0; st->env && st->env[i]; i++)
		if ((err = probe_one(doc, hx_ynode_get(step_node, "env"), st, st->env[i], "")) != 0)
			return err;
	if (st->label) {
		/* as the template reads it: "{{label}" is the text "{label}" */
		hx_buf b = HX_BUF_INIT;
		int named = 0;
		hx_template_expand(&b, st->label, label_lookup, &named, "");
		hx_buf_release(&b);
		if (named)
			return hx_ydoc_error(doc, hx_ynode_get(step_node, "label"),
					     "step '%s': the label cannot name {label}", st->name);
		return probe_one(doc, hx_ynode_get(step_node, "label"), st, st->label, "");
	}
	return 0;
}

/* ---- steps ---- */

/* The definition holds every scalar as text, so a quoted grid value that
 * would be a number unquoted (a string in the runs table: "1", not 1) is
 * added to it as a line "grid NAME string TEXT": quoting or unquoting it
 * changes the step's inputs. */
static void note_string_value(hx_series_step *st, const char *name, const hx_cval *v)
{
	hx_buf b = HX_BUF_INIT;
	double num;
	if (v->type != HX_CVAL_STRING || !number_text(v->str, &num))
		return;
	hx_buf_printf(&b, "%s\ngrid %s string %s", st->definition, name, v->str);
	free(st->definition);
	st->definition = hx_buf_detach(&b, NULL);
}

static int read_grid(hx_series_step *st, const hx_ydoc *doc, const hx_ynode *n)
{
	size_t i, j;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "grid")) != 0)
		return err;
	st->grid = hx_xcalloc(n->n ? n->n : 1, sizeof(hx_grid_axis));
	for (i = 0; i < n->n; i++) {
		const hx_ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
		hx_grid_axis *ax = &st->grid[st->ngrid++];
		ax->name = hx_xstrdup(k->scalar);
		if (!placeholder_name_ok(k->scalar) || is_run_var(k->scalar))
			return hx_ydoc_error(doc, k,
					     "grid parameter '%s': names are lowercase letters and "
					     "'_', other than %s",
					     k->scalar, "profile, repeat, run, seed, label, ...");
		if (v && v->type == HX_Y_SCALAR) {
			ax->values = hx_xcalloc(1, sizeof(hx_cval));
			ax->n = 1;
			if ((err = read_value(doc, v, k->scalar, &ax->values[0])) != 0)
				return err;
			note_string_value(st, k->scalar, &ax->values[0]);
			continue;
		}
		if ((err = hx_ydoc_expect(doc, v, HX_Y_SEQ, k->scalar)) != 0)
			return err;
		if (v->n == 0)
			return hx_ydoc_error(doc, v, "grid parameter '%s' has no values", k->scalar);
		ax->values = hx_xcalloc(v->n, sizeof(hx_cval));
		for (j = 0; j < v->n; j++) {
			if ((err = read_value(doc, v->items[j], k->scalar, &ax->values[j])) != 0)
				return err;
			ax->n = j + 1;
			note_string_value(st, k->scalar, &ax->values[j]);
		}
	}
	return 0;
}

static int read_vars(hx_series_step *st, const hx_ydoc *doc, const hx_ynode *n)
{
	size_t i, j;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "vars")) != 0)
		return err;
	st->var_names = hx_xcalloc(n->n + 1, sizeof(char *));
	st->var_values = hx_xcalloc(n->n + 1, sizeof(char *));
	for (i = 0; i < n->n; i++) {
		const hx_ynode *k = n->pairs[i].key;
		hx_cval v = {HX_CVAL_NULL, 0, NULL};
		if (!placeholder_name_ok(k->scalar) || is_run_var(k->scalar))
			return hx_ydoc_error(doc, k,
					     "var '%s': names are lowercase letters and '_', other "
					     "than profile, repeat, run, seed, label, ...",
					     k->scalar);
		for (j = 0; j < st->ngrid; j++)
			if (strcmp(st->grid[j].name, k->scalar) == 0)
				return hx_ydoc_error(doc, k, "'%s' is both a var and a grid parameter",
						     k->scalar);
		if ((err = read_value(doc, n->pairs[i].value, k->scalar, &v)) != 0)
			return err;
		st->var_names[i] = hx_xstrdup(k->scalar);
		st->var_values[i] = value_text(&v);
		hx_cval_release(&v);
		st->nvars = i + 1;
	}
	return 0;
}

static int read_runs(hx_series_spec *s, hx_series_step *st, const hx_ydoc *doc,
		     const hx_ynode *n, const hx_ynode *engine_node)
{
	const hx_ynode *v;
	long long ll;
	double runs = 1;
	size_t i;
	int err;

	if ((err = hx_ydoc_check_keys(doc, n, runs_keys)) != 0)
		return err;
	if (!(v = hx_ynode_get(n, "profiles")))
		return hx_ydoc_error(doc, n, "step '%s': missing key 'profiles'", st->name);
	if ((err = read_strings(doc, v, "profiles", &st->profiles, &st->nprofiles)) != 0)
		return err;
	st->repeats = 1;
	if ((v = hx_ynode_get(n, "repeats"))) {
		if ((err = hx_ydoc_int(doc, v, "repeats", 1, MAX_RUNS, &ll)) != 0)
			return err;
		st->repeats = (long)ll;
	}
	if ((v = hx_ynode_get(n, "grid")) && (err = read_grid(st, doc, v)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "vars")) && (err = read_vars(st, doc, v)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "env")) && (err = read_env(doc, v, &st->env)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "label"))) {
		if ((err = hx_ydoc_string(doc, v, "label", &st->label)) != 0)
			return err;
		if (!st->label[0])
			return hx_ydoc_error(doc, v, "'label' must not be empty");
	}
	st->timeout_s = DEFAULT_TIMEOUT_S;
	if ((v = hx_ynode_get(n, "timeout_s")) &&
	    (err = hx_ydoc_double_gt(doc, v, "timeout_s", 0, MAX_TIMEOUT_S, &st->timeout_s)) != 0)
		return err;
	runs = (double)st->nprofiles * (double)st->repeats;
	for (i = 0; i < st->ngrid; i++)
		runs *= (double)st->grid[i].n;
	if (runs > (double)MAX_RUNS)
		return hx_ydoc_error(doc, n, "step '%s' has %.0f runs (at most %ld)", st->name, runs,
				     MAX_RUNS);
	return probe_templates(doc, n, engine_node, s, st);
}

static int read_metrics(hx_series_step *st, const hx_ydoc *doc, const hx_ynode *n)
{
	size_t i;
	int err;
	if (!n || (n->type == HX_Y_SCALAR && strcmp(n->scalar, "default") == 0)) {
		hx_condense_set_default(&st->metrics);
		return 0;
	}
	if (n->type != HX_Y_SEQ)
		return hx_ydoc_error(doc, n, "'metrics' must be 'default' or a list of "
					     "{name, function, field, value}");
	if (n->n == 0)
		return hx_ydoc_error(doc, n, "'metrics' must not be empty");
	for (i = 0; i < n->n; i++) {
		const hx_ynode *m = n->items[i];
		char *name = NULL, *fn_name = NULL, *field = NULL, *value = NULL;
		hx_condense_fn fn;
		if ((err = hx_ydoc_expect(doc, m, HX_Y_MAP, "metrics item")) != 0 ||
		    (err = hx_ydoc_check_keys(doc, m, metric_keys)) != 0 ||
		    (err = hx_ydoc_require(doc, m, metric_required)) != 0)
			return err;
		err = hx_ydoc_string(doc, hx_ynode_get(m, "name"), "name", &name);
		if (!err)
			err = hx_ydoc_string(doc, hx_ynode_get(m, "function"), "function", &fn_name);
		if (!err && hx_ynode_get(m, "field"))
			err = hx_ydoc_string(doc, hx_ynode_get(m, "field"), "field", &field);
		if (!err && hx_ynode_get(m, "value"))
			err = hx_ydoc_string(doc, hx_ynode_get(m, "value"), "value", &value);
		if (!err && hx_condense_fn_parse(fn_name, &fn) != 0)
			err = hx_ydoc_error(doc, hx_ynode_get(m, "function"), "%s", hx_error_last());
		if (!err && hx_condense_set_add(&st->metrics, name, fn, field, value) != 0)
			err = hx_ydoc_error(doc, m, "%s", hx_error_last());
		free(name);
		free(fn_name);
		free(field);
		free(value);
		if (err)
			return err;
	}
	return 0;
}

/* Note a file the spec names (once: steps may share a budgets file, and the
 * archive keeps each file once). */
static void note_file(hx_series_spec *s, const char *file)
{
	size_t i;
	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i], file) == 0)
			return;
	s->files = hx_xrealloc(s->files, (s->nfiles + 2) * sizeof(char *));
	s->files[s->nfiles++] = hx_xstrdup(file);
	s->files[s->nfiles] = NULL;
}

/* Budgets or presets: an inline map, or a file relative to the spec whose
 * text joins the step's definition. */
static int read_table_ref(const hx_ydoc *doc, const hx_ynode *n, hx_series_spec *s_of_step,
			  int presets, hx_series_step *st)
{
	const char *dir = s_of_step->dir;
	char *file = NULL, *path;
	hx_buf text = HX_BUF_INIT, def = HX_BUF_INIT;
	char hash[HX_HASH_HEX_LEN];
	int err;

	if (n->type == HX_Y_MAP)
		return presets ? hx_tune_presets_read(&st->presets, doc, n)
			       : hx_budgets_read(&st->budgets, doc, n);
	if ((err = hx_ydoc_string(doc, n, presets ? "presets" : "budgets", &file)) != 0)
		return err;
	path = hx_path_join(dir, file);
	err = hx_file_read(&text, path);
	if (!err)
		err = presets ? hx_tune_presets_parse(&st->presets, path, text.ptr, text.len)
			      : hx_budgets_parse(&st->budgets, path, text.ptr, text.len);
	else {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		err = hx_ydoc_error(doc, n, "%s", msg);
	}
	if (!err) {
		note_file(s_of_step, file);
		hx_hash128_buf(hash, text.ptr, text.len);
		hx_buf_printf(&def, "%s\n%s %s", st->definition, file, hash);
		free(st->definition);
		st->definition = hx_buf_detach(&def, NULL);
	}
	free(file);
	free(path);
	hx_buf_release(&text);
	return err;
}

static int read_step(hx_series_spec *s, hx_series_step *st, const hx_ydoc *doc,
		     const hx_ynode *n, const hx_ynode *engine_node)
{
	const hx_ynode *v;
	long long ll;
	int kind, err;

	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, st->name)) != 0)
		return err;
	if (!(v = hx_ynode_get(n, "kind")))
		return hx_ydoc_error(doc, n, "step '%s': missing key 'kind'", st->name);
	if ((err = hx_ydoc_enum(doc, v, "step kind", step_kinds, &kind)) != 0)
		return err;
	st->kind = (hx_step_kind)kind;
	st->definition = definition_of(n);
	hx_budgets_default(&st->budgets);
	st->dd_weight = 0.5;
	st->top = 5;
	st->k = 1;
	switch (st->kind) {
	case HX_STEP_RUNS:
		return read_runs(s, st, doc, n, engine_node);
	case HX_STEP_CONDENSE:
		if ((err = hx_ydoc_check_keys(doc, n, condense_keys)) != 0)
			return err;
		return read_metrics(st, doc, hx_ynode_get(n, "metrics"));
	case HX_STEP_SUMMARY:
		if ((err = hx_ydoc_check_keys(doc, n, summary_keys)) != 0)
			return err;
		if ((v = hx_ynode_get(n, "top"))) {
			if ((err = hx_ydoc_int(doc, v, "top", 0, 1000000, &ll)) != 0)
				return err;
			st->top = (long)ll;
		}
		if ((v = hx_ynode_get(n, "dd_weight")))
			return hx_ydoc_double(doc, v, "dd_weight", 0, INFINITY, &st->dd_weight);
		return 0;
	case HX_STEP_ALIGN:
	case HX_STEP_SELECT:
	case HX_STEP_TUNE:
		if ((err = hx_ydoc_check_keys(doc, n, st->kind == HX_STEP_ALIGN    ? align_keys
						      : st->kind == HX_STEP_SELECT ? select_keys
										   : tune_keys)) != 0)
			return err;
		if ((v = hx_ynode_get(n, "budgets")) && (err = read_table_ref(doc, v, s, 0, st)) != 0)
			return err;
		if ((v = hx_ynode_get(n, "k"))) {
			if ((err = hx_ydoc_int(doc, v, "k", 1, 1000000, &ll)) != 0)
				return err;
			st->k = (long)ll;
		}
		if (st->kind == HX_STEP_TUNE) {
			size_t cnt = 0;
			if (!(v = hx_ynode_get(n, "presets")))
				return hx_ydoc_error(doc, n, "step '%s': missing key 'presets' (the "
							     "live presets to tune)",
						     st->name);
			if ((err = read_table_ref(doc, v, s, 1, st)) != 0)
				return err;
			if ((v = hx_ynode_get(n, "risk_params")) &&
			    (err = read_strings(doc, v, "risk_params", &st->risk_params, &cnt)) != 0)
				return err;
		}
		return 0;
	}
	return 0;
}

/* What a step of this kind may need. */
static int needs_ok(hx_step_kind k, hx_step_kind dep)
{
	if (k == HX_STEP_RUNS)
		return 0;
	if (k == HX_STEP_CONDENSE)
		return dep == HX_STEP_RUNS;
	return dep == HX_STEP_CONDENSE;
}

/* Read every step, then order them: a step comes after what it needs,
 * ties in the order written. */
static int read_steps(hx_series_spec *s, const hx_ydoc *doc, const hx_ynode *n,
		      const hx_ynode *engine_node)
{
	hx_series_step *tmp;
	const hx_ynode **needs_nodes;
	size_t i, j, k, placed = 0;
	int *done, err = 0;

	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "steps")) != 0)
		return err;
	if (n->n == 0)
		return hx_ydoc_error(doc, n, "'steps' must not be empty");
	tmp = hx_xcalloc(n->n, sizeof(hx_series_step));
	needs_nodes = hx_xcalloc(n->n, sizeof(*needs_nodes));
	done = hx_xcalloc(n->n, sizeof(int));
	s->steps = hx_xcalloc(n->n, sizeof(hx_series_step));
	for (i = 0; i < n->n && !err; i++) {
		const hx_ynode *key = n->pairs[i].key;
		tmp[i].name = hx_xstrdup(key->scalar);
		hx_condense_set_init(&tmp[i].metrics);
		if (!hx_spec_name_ok(key->scalar))
			err = hx_ydoc_error(doc, key,
					    "step name '%s' is not valid (use lowercase letters, "
					    "digits, '.', '_' and '-')",
					    key->scalar);
		else
			err = read_step(s, &tmp[i], doc, n->pairs[i].value, engine_node);
		needs_nodes[i] = hx_ynode_get(n->pairs[i].value, "needs");
	}
	/* needs: names of other steps, of a kind this one reads */
	for (i = 0; i < n->n && !err; i++) {
		const hx_ynode *nn = needs_nodes[i];
		char **names = NULL;
		size_t cnt = 0;
		if (!nn) {
			if (tmp[i].kind != HX_STEP_RUNS)
				err = hx_ydoc_error(doc, n->pairs[i].key,
						    "step '%s' (%s) needs a %s step: add 'needs: [NAME]'",
						    tmp[i].name, step_kinds[tmp[i].kind],
						    tmp[i].kind == HX_STEP_CONDENSE ? "runs" : "condense");
			continue;
		}
		if (tmp[i].kind == HX_STEP_RUNS) {
			err = hx_ydoc_error(doc, nn, "step '%s': a runs step needs nothing", tmp[i].name);
			break;
		}
		if ((err = read_strings(doc, nn, "needs", &names, &cnt)) == 0) {
			tmp[i].needs = hx_xcalloc(cnt, sizeof(size_t));
			for (j = 0; j < cnt && !err; j++) {
				size_t found = n->n;
				for (k = 0; k < n->n; k++)
					if (strcmp(tmp[k].name, names[j]) == 0)
						found = k;
				if (found == n->n) {
					const char **known = hx_xcalloc(n->n + 1, sizeof(char *));
					const char *hint;
					for (k = 0; k < n->n; k++)
						known[k] = tmp[k].name;
					hint = hx_ydoc_suggest(names[j], known);
					err = hint ? hx_ydoc_error(doc, nn->items[j],
								   "step '%s' needs unknown step '%s' "
								   "(did you mean '%s'?)",
								   tmp[i].name, names[j], hint)
						   : hx_ydoc_error(doc, nn->items[j],
								   "step '%s' needs unknown step '%s'",
								   tmp[i].name, names[j]);
					free(known);
				} else if (found == i) {
					err = hx_ydoc_error(doc, nn->items[j], "step '%s' needs itself",
							    tmp[i].name);
				} else if (!needs_ok(tmp[i].kind, tmp[found].kind)) {
					err = hx_ydoc_error(doc, nn->items[j],
							    "step '%s' (%s) cannot read step '%s' (%s): "
							    "it reads %s steps",
							    tmp[i].name, step_kinds[tmp[i].kind], names[j],
							    step_kinds[tmp[found].kind],
							    tmp[i].kind == HX_STEP_CONDENSE ? "runs"
											    : "condense");
				} else {
					tmp[i].needs[tmp[i].nneeds++] = found;
				}
			}
		}
		for (j = 0; names && names[j]; j++)
			free(names[j]);
		free(names);
	}
	/* Order: repeatedly take the first step written whose needs are placed
	 * (with the kinds above, needs cannot form a cycle: runs <- condense <-
	 * the rest). The needs become indices into the ordered list. */
	while (!err && placed < n->n) {
		for (i = 0; i < n->n; i++) {
			int ready = !done[i];
			for (j = 0; ready && j < tmp[i].nneeds; j++)
				ready = done[tmp[i].needs[j]];
			if (ready)
				break;
		}
		if (i == n->n) { /* not reachable with the kinds above */
			err = hx_ydoc_error(doc, n, "the steps' needs form a cycle");
			break;
		}
		done[i] = (int)(placed + 1);
		s->steps[placed++] = tmp[i];
		memset(&tmp[i], 0, sizeof(tmp[i]));
	}
	for (i = 0; !err && i < placed; i++)
		for (j = 0; j < s->steps[i].nneeds; j++)
			s->steps[i].needs[j] = (size_t)done[s->steps[i].needs[j]] - 1;
	s->nsteps = placed;
	/* on error, what was not placed is released here */
	for (i = 0; i < n->n; i++) {
		if (!tmp[i].name)
			continue;
		s->steps[s->nsteps++] = tmp[i];
	}
	free(tmp);
	free(needs_nodes);
	free(done);
	return err;
}

static int read_canonical(hx_series_spec *s, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	char *path;
	size_t len;
	int err;

	hx_canon_profile_init(&s->profile);
	if (hx_ynode_is_null(n))
		return 0;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "canonical")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, canonical_keys)) != 0)
		return err;
	if (!(v = hx_ynode_get(n, "profile")))
		return 0;
	if ((err = hx_ydoc_string(doc, v, "profile", &s->profile_ref)) != 0)
		return err;
	len = strlen(s->profile_ref);
	if (!strchr(s->profile_ref, '/') && !(len > 5 && !strcmp(s->profile_ref + len - 5, ".yaml")) &&
	    !(len > 4 && !strcmp(s->profile_ref + len - 4, ".yml")))
		path = hx_xstrdup(s->profile_ref);
	else {
		path = hx_path_join(s->dir, s->profile_ref);
		note_file(s, s->profile_ref);
	}
	hx_canon_profile_release(&s->profile);
	err = hx_canon_profile_load(&s->profile, path);
	free(path);
	if (err) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		hx_canon_profile_init(&s->profile);
		return hx_ydoc_error(doc, v, "%s", msg);
	}
	return 0;
}

static int read_series(hx_series_spec *s, const hx_ydoc *doc)
{
	static const char *const required[] = {"experiment", "seed", "engine", "steps", NULL};
	const hx_ynode *root = doc->root, *v, *engine;
	long long ll;
	int err;

	if (!root)
		return hx_ydoc_error(doc, root, "empty series spec");
	if ((err = hx_ydoc_expect(doc, root, HX_Y_MAP, "series spec")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, root, series_keys)) != 0 ||
	    (err = hx_ydoc_require(doc, root, required)) != 0)
		return err;
	if ((err = hx_spec_read_experiment_name(doc, hx_ynode_get(root, "experiment"),
						&s->experiment)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "description")) &&
	    (err = hx_ydoc_string(doc, v, "description", &s->description)) != 0)
		return err;
	if (!s->description)
		s->description = hx_xstrdup("");
	if ((err = hx_ydoc_u64(doc, hx_ynode_get(root, "seed"), "seed", &s->seed)) != 0)
		return err;
	engine = hx_ynode_get(root, "engine");
	if ((err = hx_spec_engine_read(&s->engine, doc, engine, s->dir, s->dir)) != 0)
		return err;
	if (strcmp(s->engine.kind, "command") != 0)
		return hx_ydoc_error(doc, hx_ynode_get(engine, "kind"),
				     "a series runs a research engine: 'kind' must be command, "
				     "not '%s'",
				     s->engine.kind);
	{
		/* what the process engines classify by (outcomes, tactics) or
		 * read per module has no meaning for a series: each run's
		 * telemetry is the file the runs step names */
		static const char *const unused[] = {"telemetry", "outcomes", "tactics", "extension",
						     "require_module_file", NULL};
		size_t k;
		for (k = 0; unused[k]; k++)
			if (hx_ynode_get(engine, unused[k]))
				return hx_ydoc_error(doc, hx_ynode_get(engine, unused[k]),
						     "'%s' does not apply to a series engine (each run "
						     "writes its telemetry to {telemetry_path})",
						     unused[k]);
	}
	s->engine_definition = definition_of(engine);
	if ((v = hx_ynode_get(root, "workers"))) {
		if ((err = hx_ydoc_int(doc, v, "workers", 0, 1024, &ll)) != 0)
			return err;
		s->workers = (int)ll;
	}
	if ((err = read_canonical(s, doc, hx_ynode_get(root, "canonical"))) != 0)
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
	if ((v = hx_ynode_get(root, "tags")) &&
	    (err = read_strings(doc, v, "tags", &s->tags, &s->ntags)) != 0)
		return err;
	return read_steps(s, doc, hx_ynode_get(root, "steps"), engine);
}

int hx_series_spec_parse(hx_series_spec **out, const char *name, const char *text, size_t len)
{
	hx_series_spec *s = hx_xcalloc(1, sizeof(*s));
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	s->path = hx_xstrdup(name);
	s->dir = hx_path_dirname(name);
	hx_canon_profile_init(&s->profile);
	if ((err = hx_ydoc_parse(&doc, name, text, len)) == 0)
		err = read_series(s, doc);
	hx_ydoc_free(doc);
	if (err) {
		hx_series_spec_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int hx_series_spec_load(hx_series_spec **out, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	int err;
	*out = NULL;
	if ((err = hx_file_read(&text, path)) != 0)
		return err;
	err = hx_series_spec_parse(out, path, text.ptr, text.len);
	hx_buf_release(&text);
	return err;
}

int hx_series_is_series(const char *text, size_t len)
{
	hx_ydoc *doc = NULL;
	int yes;
	if (hx_ydoc_parse(&doc, "spec", text, len) != 0) {
		hx_error_clear();
		return 0;
	}
	yes = doc->root && doc->root->type == HX_Y_MAP && hx_ynode_get(doc->root, "steps") != NULL;
	hx_ydoc_free(doc);
	return yes;
}

static void step_release(hx_series_step *st)
{
	size_t i, j;
	free(st->name);
	free(st->needs);
	free(st->definition);
	for (i = 0; i < st->nprofiles; i++)
		free(st->profiles[i]);
	free(st->profiles);
	for (i = 0; i < st->ngrid; i++) {
		free(st->grid[i].name);
		for (j = 0; j < st->grid[i].n; j++)
			hx_cval_release(&st->grid[i].values[j]);
		free(st->grid[i].values);
	}
	free(st->grid);
	for (i = 0; i < st->nvars; i++) {
		free(st->var_names[i]);
		free(st->var_values[i]);
	}
	free(st->var_names);
	free(st->var_values);
	hx_strv_free(st->env);
	free(st->label);
	hx_condense_set_release(&st->metrics);
	hx_tune_presets_release(&st->presets);
	hx_strv_free(st->risk_params);
}

void hx_series_spec_free(hx_series_spec *s)
{
	size_t i;
	if (!s)
		return;
	free(s->path);
	free(s->dir);
	free(s->experiment);
	free(s->description);
	hx_spec_engine_release(&s->engine);
	free(s->engine_definition);
	free(s->profile_ref);
	hx_canon_profile_release(&s->profile);
	free(s->golden);
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	for (i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	for (i = 0; i < s->nsteps; i++)
		step_release(&s->steps[i]);
	free(s->steps);
	free(s);
}
