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
#include "series/series_spec_internal.h"
#include "ydoc.h"

static const char *const series_keys[] = {"experiment", "description", "seed",   "engine",
					  "workers",    "canonical",   "golden", "tags",
					  "steps",      NULL};
static const char *const canonical_keys[] = {"profile", NULL};

/* What a step of this kind may need. */
/* The kind of step a step of kind k reads (k itself for the kinds that
 * read none: runs, scores). */
static hx_step_kind reads_kind(hx_step_kind k)
{
	switch (k) {
	case HX_STEP_RUNS:
	case HX_STEP_SCORES:
		return k;
	case HX_STEP_CONDENSE:
		return HX_STEP_RUNS;
	case HX_STEP_THRESHOLD:
		return HX_STEP_SCORES;
	default:
		return HX_STEP_CONDENSE;
	}
}

static int needs_ok(hx_step_kind k, hx_step_kind dep)
{
	return reads_kind(k) != k && dep == reads_kind(k);
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
			err = hx_series_read_step(s, &tmp[i], doc, n->pairs[i].value, engine_node);
		needs_nodes[i] = hx_ynode_get(n->pairs[i].value, "needs");
	}
	/* needs: names of other steps, of a kind this one reads */
	for (i = 0; i < n->n && !err; i++) {
		const hx_ynode *nn = needs_nodes[i];
		char **names = NULL;
		size_t cnt = 0;
		if (!nn) {
			if (reads_kind(tmp[i].kind) != tmp[i].kind)
				err = hx_ydoc_error(doc, n->pairs[i].key,
						    "step '%s' (%s) needs a %s step: add 'needs: [NAME]'",
						    tmp[i].name, hx_step_kind_name(tmp[i].kind),
						    hx_step_kind_name(reads_kind(tmp[i].kind)));
			continue;
		}
		if (reads_kind(tmp[i].kind) == tmp[i].kind) {
			err = hx_ydoc_error(doc, nn, "step '%s': a %s step needs nothing", tmp[i].name,
					    hx_step_kind_name(tmp[i].kind));
			break;
		}
		if ((err = hx_series_read_strings(doc, nn, "needs", &names, &cnt)) == 0) {
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
							    tmp[i].name, hx_step_kind_name(tmp[i].kind), names[j],
							    hx_step_kind_name(tmp[found].kind),
							    hx_step_kind_name(reads_kind(tmp[i].kind)));
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
	if (!hx_spec_profile_is_file(s->profile_ref))
		path = hx_xstrdup(s->profile_ref);
	else {
		path = hx_path_join(s->dir, s->profile_ref);
		hx_series_note_file(s, s->profile_ref);
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
	static const char *const required[] = {"experiment", "seed", "steps", NULL};
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
	/* no engine section: the built-in sim-monitor (threshold specs) */
	if ((err = hx_spec_engine_read_series(&s->engine, doc, engine, s->dir, s->dir)) != 0)
		return err;
	if (strcmp(s->engine.kind, "command") != 0 && strcmp(s->engine.kind, "sim-monitor") != 0)
		return hx_ydoc_error(doc, hx_ynode_get(engine, "kind"),
				     "a series runs a research engine: 'kind' must be command "
				     "(or sim-monitor for scores steps), not '%s'",
				     s->engine.kind);
	if (engine) {
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
	s->engine_definition = engine ? hx_series_definition_of(engine)
				      : hx_xstrdup("{\"kind\":\"sim-monitor\"}");
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
	    (err = hx_series_read_strings(doc, v, "tags", &s->tags, &s->ntags)) != 0)
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
	if ((err = hx_file_read_spec(&text, path)) != 0)
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
	free(st->score_field);
	free(st->label_field);
	free(st->positive);
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
