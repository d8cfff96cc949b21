/* condense.c - one per-tick telemetry file into a dataset row's metrics
 * (see condense.h for the functions' semantics; the rows themselves are
 * dataset.c's). */
#include "series/condense.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "lines.h"

/* ---------------------------------------------------------------- set */

static const char *const fn_names[] = {"last",  "min",          "max",
				       "mean",  "count",        "max_drawdown",
				       "fraction", "any",       "first_t"};
#define NFNS (sizeof(fn_names) / sizeof(fn_names[0]))

int hx_condense_fn_parse(const char *name, hx_condense_fn *out)
{
	size_t i;
	for (i = 0; i < NFNS; i++)
		if (strcmp(name, fn_names[i]) == 0) {
			*out = (hx_condense_fn)i;
			return 0;
		}
	hx_error_set("unknown condense function '%s' (one of last, min, max, mean, count, "
		     "max_drawdown, fraction, any, first_t)",
		     name);
	return HX_EINVALID;
}

const char *hx_condense_fn_name(hx_condense_fn fn)
{
	return (size_t)fn < NFNS ? fn_names[fn] : "?";
}

void hx_condense_set_init(hx_condense_set *s)
{
	memset(s, 0, sizeof(*s));
}

void hx_condense_set_release(hx_condense_set *s)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		free(s->metrics[i].name);
		free(s->metrics[i].field);
		free(s->metrics[i].value);
	}
	for (i = 0; i < s->nrequired; i++)
		free(s->required[i]);
	free(s->metrics);
	free(s->required);
	memset(s, 0, sizeof(*s));
}

int hx_condense_set_add(hx_condense_set *s, const char *name, hx_condense_fn fn,
			const char *field, const char *value)
{
	hx_condense_metric *m;
	size_t i;
	if (!name || !*name) {
		hx_error_set("condense metric '': the name is empty");
		return HX_EINVALID;
	}
	if ((size_t)fn >= NFNS) {
		hx_error_set("condense metric '%s': unknown function", name);
		return HX_EINVALID;
	}
	for (i = 0; i < s->n; i++)
		if (strcmp(s->metrics[i].name, name) == 0) {
			hx_error_set("condense metric '%s': defined twice", name);
			return HX_EINVALID;
		}
	if ((!field || !*field) && fn != HX_CONDENSE_COUNT) {
		hx_error_set("condense metric '%s': %s needs a field", name, fn_names[fn]);
		return HX_EINVALID;
	}
	if (fn == HX_CONDENSE_FRACTION && !value) {
		hx_error_set("condense metric '%s': fraction needs a value", name);
		return HX_EINVALID;
	}
	if (fn != HX_CONDENSE_FRACTION && value) {
		hx_error_set("condense metric '%s': only fraction takes a value", name);
		return HX_EINVALID;
	}
	s->metrics = hx_xrealloc(s->metrics, (s->n + 1) * sizeof(*s->metrics));
	m = &s->metrics[s->n++];
	m->name = hx_xstrdup(name);
	m->fn = fn;
	m->field = field && *field ? hx_xstrdup(field) : NULL;
	m->value = value ? hx_xstrdup(value) : NULL;
	return 0;
}

int hx_condense_set_require(hx_condense_set *s, const char *field)
{
	size_t i;
	if (!field || !*field) {
		hx_error_set("condense: a required field needs a name");
		return HX_EINVALID;
	}
	for (i = 0; i < s->nrequired; i++)
		if (strcmp(s->required[i], field) == 0)
			return 0;
	s->required = hx_xrealloc(s->required, (s->nrequired + 1) * sizeof(*s->required));
	s->required[s->nrequired++] = hx_xstrdup(field);
	return 0;
}

void hx_condense_set_default(hx_condense_set *s)
{
	hx_condense_set_add(s, "num_ticks", HX_CONDENSE_COUNT, NULL, NULL);
	hx_condense_set_add(s, "final_pnl", HX_CONDENSE_LAST, "pnl_total", NULL);
	hx_condense_set_add(s, "max_pnl", HX_CONDENSE_MAX, "pnl_total", NULL);
	hx_condense_set_add(s, "min_pnl", HX_CONDENSE_MIN, "pnl_total", NULL);
	hx_condense_set_add(s, "max_drawdown", HX_CONDENSE_MAX_DRAWDOWN, "pnl_total", NULL);
	hx_condense_set_add(s, "frac_normal", HX_CONDENSE_FRACTION, "risk_regime", "Normal");
	hx_condense_set_add(s, "frac_warning", HX_CONDENSE_FRACTION, "risk_regime", "Warning");
	hx_condense_set_add(s, "frac_hard", HX_CONDENSE_FRACTION, "risk_regime", "HardLimit");
	hx_condense_set_add(s, "kill_switch", HX_CONDENSE_ANY, "kill_switch", NULL);
	hx_condense_set_add(s, "time_to_kill", HX_CONDENSE_FIRST_T, "kill_switch", NULL);
	hx_condense_set_require(s, "pnl_total");
}

/* ---------------------------------------------------------------- values */

void hx_cval_release(hx_cval *v)
{
	if (v->type == HX_CVAL_STRING)
		free(v->str);
	memset(v, 0, sizeof(*v));
}

void hx_cval_copy(hx_cval *dst, const hx_cval *src)
{
	*dst = *src;
	if (src->type == HX_CVAL_STRING)
		dst->str = hx_xstrdup(src->str);
}

void hx_cval_from_text(hx_cval *v, const char *text)
{
	hx_arena *a = hx_arena_new();
	hx_json *j = NULL;
	memset(v, 0, sizeof(*v));
	if (hx_json_parse(&j, a, text, strlen(text), NULL) == 0 && j->type == HX_JSON_NUMBER) {
		v->type = HX_CVAL_NUMBER;
		v->num = j->u.number;
	} else if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
		v->type = HX_CVAL_BOOL;
		v->num = text[0] == 't';
	} else {
		v->type = HX_CVAL_STRING;
		v->str = hx_xstrdup(text);
	}
	hx_arena_free(a);
}

/* ---------------------------------------------------------------- reading */

/* Per metric while reading. */
typedef struct {
	int field;       /* index into the condenser's field table, -1: none */
	unsigned long n; /* count, fraction's denominator, mean's terms */
	unsigned long hits;
	double acc;  /* min, max, sum, drawdown; first_t's t */
	double peak; /* max_drawdown's running max */
	int seen;    /* a value was taken (min/max/mean/peak/first_t) */
	hx_cval last;
	hx_buf last_str;
	/* fraction's value: its length, and as a number when it is one */
	size_t value_len;
	double value_num;
	int value_is_num;
} acc_t;

/* Members of a row read without the tree; wider rows go to the parser. */
#define FLAT_CAP 64
#define LEN_BUCKET(n) ((n) < 63 ? (n) : 63)

typedef struct {
	const char *path;
	const hx_condense_set *set;
	const char **fields; /* distinct fields the metrics and requirements name */
	size_t *field_len;
	int *field_required;
	size_t nfields;
	int t_field; /* index of "t" when a first_t needs it, else -1 */
	const hx_json **row; /* per field: its value in the current row */
	double *num;         /* per field: its number in the current row, */
	unsigned char *have_num; /* converted once however many metrics read it */
	acc_t *acc;
	hx_arena *arena;
	unsigned long rows;
	/* the fields by key length, to match a row's keys: by_len[bucket] is
	 * the first field, next_len[f] the next one (-1 ends) */
	int by_len[64];
	int *next_len;
	hx_json_shape *shape; /* the keys of the last flat row */
	struct {
		size_t pos; /* member position in a row of that shape */
		int field;
	} map[FLAT_CAP]; /* its members that are fields */
	size_t nmap;
	hx_json_member flat_members[FLAT_CAP]; /* a flat row (hx_json_scan_flat_shape) */
	hx_json flat_values[FLAT_CAP];
} condenser;

static int field_index(condenser *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i], name) == 0)
			return (int)i;
	c->fields[c->nfields] = name;
	c->field_len[c->nfields] = strlen(name);
	c->field_required[c->nfields] = 0;
	return (int)c->nfields++;
}

static int is_missing(const hx_json *v)
{
	return !v || v->type == HX_JSON_NULL;
}

/* A numeric field's value: NaN when missing. */
static int number_of(condenser *c, size_t lineno, int f, double *out)
{
	const hx_json *v = c->row[f];
	if (is_missing(v)) {
		*out = NAN;
		return 0;
	}
	if (v->type != HX_JSON_NUMBER) {
		hx_error_set("%s:%zu: '%s' is not a number", c->path, lineno, c->fields[f]);
		return HX_EINVALID;
	}
	if (!c->have_num[f]) {
		c->num[f] = hx_json_number_value(v->u.lazy.text, v->u.lazy.len);
		c->have_num[f] = 1;
	}
	*out = c->num[f];
	return 0;
}

/* A boolean field: 1 true, 0 false or missing. */
static int bool_of(condenser *c, size_t lineno, int f, int *out)
{
	const hx_json *v = c->row[f];
	*out = 0;
	if (is_missing(v))
		return 0;
	if (v->type == HX_JSON_TRUE) {
		*out = 1;
		return 0;
	}
	if (v->type == HX_JSON_FALSE)
		return 0;
	hx_error_set("%s:%zu: '%s' is not a boolean", c->path, lineno, c->fields[f]);
	return HX_EINVALID;
}

static int fraction_match(const hx_json *v, const acc_t *a, const char *value)
{
	switch (v->type) {
	case HX_JSON_STRING:
		return a->value_len == v->u.string.len &&
		       memcmp(value, v->u.string.ptr, v->u.string.len) == 0;
	case HX_JSON_TRUE:
		return strcmp(value, "true") == 0;
	case HX_JSON_FALSE:
		return strcmp(value, "false") == 0;
	case HX_JSON_NUMBER:
		return a->value_is_num &&
		       hx_json_number_value(v->u.lazy.text, v->u.lazy.len) == a->value_num;
	default:
		return 0;
	}
}

/* The row's members for the fields (c->row); with keep, the matches
 * are kept (c->map) for the rows with the same keys that follow. */
static void match_fields(condenser *c, const hx_json_member *members, size_t n, int keep)
{
	size_t i, j;
	for (i = 0; i < c->nfields; i++) {
		c->row[i] = NULL;
		c->have_num[i] = 0;
	}
	if (keep)
		c->nmap = 0;
	for (j = 0; j < n; j++) {
		const hx_json_member *m = &members[j];
		int f;
		for (f = c->by_len[LEN_BUCKET(m->key_len)]; f >= 0; f = c->next_len[f])
			if (m->key_len == c->field_len[f] && m->key[0] == c->fields[f][0] &&
			    memcmp(m->key, c->fields[f], m->key_len) == 0) {
				c->row[f] = m->value;
				if (keep) {
					c->map[c->nmap].pos = j;
					c->map[c->nmap].field = f;
					c->nmap++;
				}
				break;
			}
	}
}

static int take_row(condenser *c, const char *line, size_t len, size_t lineno)
{
	const hx_condense_set *s = c->set;
	hx_json *root = NULL;
	hx_json_error jerr;
	size_t i, j;
	int rc;

	const hx_json_member *members = c->flat_members;
	int same;
	long n = hx_json_scan_flat_shape(c->shape, line, len, HX_JSON_NONFINITE, c->flat_members,
					 c->flat_values, FLAT_CAP, &same);
	if (n >= 0 && same) {
		/* the keys of the last flat row: its matches hold */
		for (i = 0; i < c->nfields; i++) {
			c->row[i] = NULL;
			c->have_num[i] = 0;
		}
		for (j = 0; j < c->nmap; j++)
			c->row[c->map[j].field] = &c->flat_values[c->map[j].pos];
	} else if (n >= 0) {
		match_fields(c, members, (size_t)n, 1);
	} else {
		/* not a flat row of plain values: the parser reads it (or says
		 * what is wrong with it) */
		if (!c->arena)
			c->arena = hx_arena_new();
		hx_arena_reset(c->arena);
		if (hx_json_parse_flags(&root, c->arena, line, len,
					HX_JSON_LAZY | HX_JSON_NONFINITE, &jerr) != 0) {
			hx_error_set("%s:%zu:%zu: %s", c->path, lineno, jerr.column, jerr.msg);
			return HX_EINVALID;
		}
		if (root->type != HX_JSON_OBJECT) {
			hx_error_set("%s:%zu: a tick row must be a JSON object", c->path, lineno);
			return HX_EINVALID;
		}
		match_fields(c, root->u.object.members, root->u.object.len, 0);
	}
	for (i = 0; i < c->nfields; i++)
		if (c->field_required[i] && !c->row[i]) {
			hx_error_set("%s:%zu: the row has no '%s'", c->path, lineno, c->fields[i]);
			return HX_EINVALID;
		}
	c->rows++;
	for (i = 0; i < s->n; i++) {
		const hx_condense_metric *m = &s->metrics[i];
		acc_t *a = &c->acc[i];
		const hx_json *v = a->field >= 0 ? c->row[a->field] : NULL;
		double x;
		int b;
		switch (m->fn) {
		case HX_CONDENSE_COUNT:
			if (a->field < 0 || !is_missing(v))
				a->n++;
			break;
		case HX_CONDENSE_LAST:
			a->last.type = HX_CVAL_NULL;
			if (is_missing(v))
				break;
			if (v->type == HX_JSON_NUMBER) {
				a->last.type = HX_CVAL_NUMBER;
				number_of(c, lineno, a->field, &a->last.num);
			} else if (v->type == HX_JSON_TRUE || v->type == HX_JSON_FALSE) {
				a->last.type = HX_CVAL_BOOL;
				a->last.num = v->type == HX_JSON_TRUE;
			} else if (v->type == HX_JSON_STRING) {
				a->last.type = HX_CVAL_STRING;
				hx_buf_reset(&a->last_str);
				hx_buf_put(&a->last_str, v->u.string.ptr, v->u.string.len);
			} else {
				hx_error_set("%s:%zu: '%s' is not a number, boolean or string",
					     c->path, lineno, m->field);
				return HX_EINVALID;
			}
			break;
		case HX_CONDENSE_MIN:
		case HX_CONDENSE_MAX:
		case HX_CONDENSE_MEAN:
			if ((rc = number_of(c, lineno, a->field, &x)) < 0)
				return rc;
			if (isnan(x))
				break;
			if (m->fn == HX_CONDENSE_MEAN)
				a->acc += x;
			else if (!a->seen || (m->fn == HX_CONDENSE_MIN ? x < a->acc : x > a->acc))
				a->acc = x;
			a->seen = 1;
			a->n++;
			break;
		case HX_CONDENSE_MAX_DRAWDOWN:
			if ((rc = number_of(c, lineno, a->field, &x)) < 0)
				return rc;
			if (!isfinite(x))
				break;
			if (!a->seen) {
				a->peak = x;
				a->seen = 1;
			} else if (x > a->peak) {
				a->peak = x;
			}
			if (a->peak - x > a->acc)
				a->acc = a->peak - x;
			break;
		case HX_CONDENSE_FRACTION:
			if (is_missing(v))
				break;
			a->n++;
			if (fraction_match(v, a, m->value))
				a->hits++;
			break;
		case HX_CONDENSE_ANY:
			if ((rc = bool_of(c, lineno, a->field, &b)) < 0)
				return rc;
			if (b)
				a->hits = 1;
			break;
		case HX_CONDENSE_FIRST_T:
			if ((rc = bool_of(c, lineno, a->field, &b)) < 0)
				return rc;
			if (!b || a->seen)
				break;
			if ((rc = number_of(c, lineno, c->t_field, &x)) < 0)
				return rc;
			if (isnan(x)) {
				hx_error_set("%s:%zu: the row has no 't'", c->path, lineno);
				return HX_EINVALID;
			}
			a->acc = x;
			a->seen = 1;
			break;
		}
	}
	return 0;
}

static void finish(condenser *c, hx_cval *values)
{
	const hx_condense_set *s = c->set;
	size_t i;
	for (i = 0; i < s->n; i++) {
		acc_t *a = &c->acc[i];
		hx_cval *v = &values[i];
		memset(v, 0, sizeof(*v));
		v->type = HX_CVAL_NUMBER;
		switch (s->metrics[i].fn) {
		case HX_CONDENSE_COUNT:
			v->num = (double)a->n;
			break;
		case HX_CONDENSE_LAST:
			*v = a->last;
			if (v->type == HX_CVAL_STRING)
				v->str = hx_xstrdup(a->last_str.ptr);
			break;
		case HX_CONDENSE_MIN:
		case HX_CONDENSE_MAX:
			if (!a->seen)
				v->type = HX_CVAL_NULL;
			v->num = a->acc;
			break;
		case HX_CONDENSE_MEAN:
			if (!a->n)
				v->type = HX_CVAL_NULL;
			else
				v->num = a->acc / (double)a->n;
			break;
		case HX_CONDENSE_MAX_DRAWDOWN:
			v->num = a->acc;
			break;
		case HX_CONDENSE_FRACTION:
			if (!a->n)
				v->type = HX_CVAL_NULL;
			else
				v->num = (double)a->hits / (double)a->n;
			break;
		case HX_CONDENSE_ANY:
			v->type = HX_CVAL_BOOL;
			v->num = a->hits != 0;
			break;
		case HX_CONDENSE_FIRST_T:
			if (!a->seen)
				v->type = HX_CVAL_NULL;
			else
				v->num = a->acc;
			break;
		}
	}
}

static int row_line(void *ctx, const char *line, size_t len, size_t lineno)
{
	return take_row(ctx, line, len, lineno);
}

int hx_condense_file(const hx_condense_set *s, const char *path, hx_cval *values,
		     unsigned long *rows)
{
	condenser c;
	size_t i, maxf = 2 * s->n + s->nrequired + 1;
	int fd, rc;

	for (i = 0; i < s->n; i++)
		memset(&values[i], 0, sizeof(values[i]));
	if (rows)
		*rows = 0;
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.set = s;
	c.fields = hx_xcalloc(maxf, sizeof(*c.fields));
	c.field_len = hx_xcalloc(maxf, sizeof(*c.field_len));
	c.field_required = hx_xcalloc(maxf, sizeof(*c.field_required));
	c.row = hx_xcalloc(maxf, sizeof(*c.row));
	c.num = hx_xcalloc(maxf, sizeof(*c.num));
	c.have_num = hx_xcalloc(maxf, sizeof(*c.have_num));
	c.acc = hx_xcalloc(s->n ? s->n : 1, sizeof(*c.acc));
	c.t_field = -1;
	for (i = 0; i < s->n; i++) {
		const char *value = s->metrics[i].value;
		c.acc[i].field = s->metrics[i].field ? field_index(&c, s->metrics[i].field) : -1;
		if (value) {
			char *end;
			c.acc[i].value_len = strlen(value);
			c.acc[i].value_num = strtod(value, &end);
			c.acc[i].value_is_num = end != value && !*end;
		}
		if (s->metrics[i].fn == HX_CONDENSE_FIRST_T && c.t_field < 0)
			c.t_field = field_index(&c, "t");
	}
	for (i = 0; i < s->nrequired; i++)
		c.field_required[field_index(&c, s->required[i])] = 1;
	c.next_len = hx_xcalloc(maxf, sizeof(*c.next_len));
	for (i = 0; i < 64; i++)
		c.by_len[i] = -1;
	for (i = c.nfields; i-- > 0;) {
		size_t b = LEN_BUCKET(c.field_len[i]);
		c.next_len[i] = c.by_len[b];
		c.by_len[b] = (int)i;
	}

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		int e = errno;
		hx_error_set_errno(e, "cannot open telemetry '%s'", path);
		rc = hx_error_from_errno(e);
	} else {
		c.shape = hx_json_shape_new();
		rc = hx_lines_each(fd, path, NULL, row_line, &c, NULL);
		hx_json_shape_free(c.shape);
		close(fd);
		hx_arena_free(c.arena);
		if (rc == 0 && c.rows == 0) {
			hx_error_set("%s: no telemetry rows (the file is empty)", path);
			rc = HX_EINVALID;
		}
	}
	if (rc == 0)
		finish(&c, values);
	if (rows)
		*rows = c.rows;
	for (i = 0; i < s->n; i++)
		hx_buf_release(&c.acc[i].last_str);
	free(c.fields);
	free(c.field_len);
	free(c.field_required);
	free(c.next_len);
	free(c.row);
	free(c.num);
	free(c.have_num);
	free(c.acc);
	return rc;
}
