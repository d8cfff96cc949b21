/* series/series_step_spec.c - one step of a series spec: its kind, keys,
 * grid, vars, templates, metrics, budgets and presets (series_spec.h). */
#include "series/series_spec_internal.h"

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
static const char *const step_kinds[] = {"runs", "condense", "summary",   "align", "select",
					 "tune", "scores",   "threshold", NULL};
static const char *const runs_keys[] = {"kind",  "needs", "profiles", "repeats",   "grid",
					"vars",  "env",   "label",    "timeout_s", NULL};
static const char *const condense_keys[] = {"kind", "needs", "metrics", NULL};
static const char *const summary_keys[] = {"kind", "needs", "top", "dd_weight", NULL};
static const char *const align_keys[] = {"kind", "needs", "budgets", NULL};
static const char *const select_keys[] = {"kind", "needs", "budgets", "k", NULL};
static const char *const tune_keys[] = {"kind",    "needs",       "budgets",
					"presets", "risk_params", NULL};
static const char *const scores_keys[] = {"kind",  "samples",  "score", "label",
					  "positive", "vars", "env",  "timeout_s", NULL};
static const char *const threshold_keys[] = {"kind", "needs", "target_recall", "quantiles",
					     "tau", NULL};
static const char *const tau_keys[] = {"start", "stop", "step", NULL};
static const char *const metric_keys[] = {"name", "function", "field", "value", NULL};
static const char *const metric_required[] = {"name", "function", NULL};

/* The placeholders every runs template may name besides the grid and vars. */
static const char *const run_vars[] = {"profile", "repeat", "run", "seed", "label",
				       "telemetry_path", "step_dir", "experiment", "step",
				       "root", NULL};
/* ... and every scores template besides the vars. */
static const char *const sample_vars[] = {"sample", "seed", "step_dir", "experiment",
					  "step", "root", NULL};

static const char *const *vars_of(const hx_series_step *st)
{
	return st->kind == HX_STEP_SCORES ? sample_vars : run_vars;
}

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

char *hx_series_definition_of(const hx_ynode *n)
{
	hx_arena *a = hx_arena_new();
	hx_buf b = HX_BUF_INIT;
	hx_canon_serialize(&b, node_json(a, n));
	hx_arena_free(a);
	return hx_buf_detach(&b, NULL);
}

/* ---- small readers ---- */

int hx_series_read_strings(const hx_ydoc *doc, const hx_ynode *n, const char *what, char ***out,
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
	for (i = 0; sample_vars[i]; i++)
		if (strcmp(sample_vars[i], s) == 0)
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
	const char *const *known = vars_of(st);
	size_t i;
	for (i = 0; known[i]; i++)
		if (strlen(known[i]) == n && memcmp(known[i], name, n) == 0)
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
static char *known_placeholders(const hx_series_step *st)
{
	hx_buf b = HX_BUF_INIT;
	const char *const *known = vars_of(st);
	size_t i;
	for (i = 0; known[i]; i++)
		hx_buf_printf(&b, "%s{%s}", i ? ", " : "", known[i]);
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
	char *known = known_placeholders(st);
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
	if ((err = hx_series_read_strings(doc, v, "profiles", &st->profiles, &st->nprofiles)) != 0)
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

static int read_scores(hx_series_spec *s, hx_series_step *st, const hx_ydoc *doc,
		       const hx_ynode *n, const hx_ynode *engine_node)
{
	const hx_ynode *v;
	long long ll;
	int err;

	if ((err = hx_ydoc_check_keys(doc, n, scores_keys)) != 0)
		return err;
	if (!(v = hx_ynode_get(n, "samples")))
		return hx_ydoc_error(doc, n, "step '%s': missing key 'samples'", st->name);
	if ((err = hx_ydoc_int(doc, v, "samples", 1, MAX_RUNS, &ll)) != 0)
		return err;
	st->samples = (long)ll;
	if ((v = hx_ynode_get(n, "score")) &&
	    (err = hx_ydoc_string(doc, v, "score", &st->score_field)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "label")) &&
	    (err = hx_ydoc_string(doc, v, "label", &st->label_field)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "positive")) &&
	    (err = hx_ydoc_string(doc, v, "positive", &st->positive)) != 0)
		return err;
	if (!st->score_field)
		st->score_field = hx_xstrdup("score");
	if (!st->label_field)
		st->label_field = hx_xstrdup("label");
	if (!st->score_field[0] || !st->label_field[0])
		return hx_ydoc_error(doc, n, "step '%s': 'score' and 'label' must not be empty",
				     st->name);
	if ((v = hx_ynode_get(n, "vars")) && (err = read_vars(st, doc, v)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "env")) && (err = read_env(doc, v, &st->env)) != 0)
		return err;
	st->timeout_s = DEFAULT_TIMEOUT_S;
	if ((v = hx_ynode_get(n, "timeout_s")) &&
	    (err = hx_ydoc_double_gt(doc, v, "timeout_s", 0, MAX_TIMEOUT_S, &st->timeout_s)) != 0)
		return err;
	if (strcmp(s->engine.kind, "command") == 0)
		return probe_templates(doc, n, engine_node, s, st);
	return 0;
}

static int read_threshold(hx_series_step *st, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v, *q, *t;
	char *text = NULL;
	int err;

	if ((err = hx_ydoc_check_keys(doc, n, threshold_keys)) != 0)
		return err;
	st->target_recall = 0.9;
	if ((v = hx_ynode_get(n, "target_recall")) &&
	    (err = hx_ydoc_double(doc, v, "target_recall", 0, 1, &st->target_recall)) != 0)
		return err;
	hx_tau_grid_default(&st->tau);
	q = hx_ynode_get(n, "quantiles");
	t = hx_ynode_get(n, "tau");
	if (q && t)
		return hx_ydoc_error(doc, t, "step '%s': give 'quantiles' or 'tau', not both",
				     st->name);
	if (q) {
		if ((err = hx_ydoc_string(doc, q, "quantiles", &text)) != 0)
			return err;
		err = hx_tau_grid_quantiles(&st->tau, text);
		free(text);
		if (err) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", hx_error_last());
			return hx_ydoc_error(doc, q, "%s", msg);
		}
	}
	if (t) {
		double start, stop, step;
		static const char *const need[] = {"start", "stop", "step", NULL};
		if ((err = hx_ydoc_expect(doc, t, HX_Y_MAP, "tau")) != 0 ||
		    (err = hx_ydoc_check_keys(doc, t, tau_keys)) != 0 ||
		    (err = hx_ydoc_require(doc, t, need)) != 0 ||
		    (err = hx_ydoc_double(doc, hx_ynode_get(t, "start"), "start", -INFINITY,
					  INFINITY, &start)) != 0 ||
		    (err = hx_ydoc_double(doc, hx_ynode_get(t, "stop"), "stop", -INFINITY, INFINITY,
					  &stop)) != 0 ||
		    (err = hx_ydoc_double(doc, hx_ynode_get(t, "step"), "step", -INFINITY, INFINITY,
					  &step)) != 0)
			return err;
		if (hx_tau_grid_range(&st->tau, start, stop, step) != 0) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", hx_error_last());
			return hx_ydoc_error(doc, t, "%s", msg);
		}
	}
	return 0;
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
void hx_series_note_file(hx_series_spec *s, const char *file)
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
	err = hx_file_read_spec(&text, path);
	if (!err)
		err = presets ? hx_tune_presets_parse(&st->presets, path, text.ptr, text.len)
			      : hx_budgets_parse(&st->budgets, path, text.ptr, text.len);
	else {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		err = hx_ydoc_error(doc, n, "%s", msg);
	}
	if (!err) {
		hx_series_note_file(s_of_step, file);
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

int hx_series_read_step(hx_series_spec *s, hx_series_step *st, const hx_ydoc *doc,
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
	st->definition = hx_series_definition_of(n);
	hx_budgets_default(&st->budgets);
	st->dd_weight = 0.5;
	st->top = 5;
	st->k = 1;
	switch (st->kind) {
	case HX_STEP_RUNS:
		if (strcmp(s->engine.kind, "command") != 0)
			return hx_ydoc_error(doc, v,
					     "step '%s': a runs step needs a command engine, and the "
					     "spec's engine is %s",
					     st->name, s->engine.kind);
		return read_runs(s, st, doc, n, engine_node);
	case HX_STEP_SCORES:
		return read_scores(s, st, doc, n, engine_node);
	case HX_STEP_THRESHOLD:
		return read_threshold(st, doc, n);
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
			    (err = hx_series_read_strings(doc, v, "risk_params", &st->risk_params, &cnt)) != 0)
				return err;
		}
		return 0;
	}
	return 0;
}

