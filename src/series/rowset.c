/* rowset.c - the research dataset reader (JSONL or RFC 4180 CSV). */
#include "series/rowset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

void hx_rowset_init(hx_rowset *s)
{
	memset(s, 0, sizeof(*s));
}

static void row_release(hx_row *r)
{
	size_t i;
	free(r->label);
	free(r->profile);
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	free(r->params);
}

void hx_rowset_release(hx_rowset *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		row_release(&s->rows[i]);
	free(s->rows);
	hx_rowset_init(s);
}

void hx_rowset_push(hx_rowset *s, const hx_row *row)
{
	/* grow by doubling: n is a power of two exactly when the array is full */
	if (s->n == 0 || (s->n & (s->n - 1)) == 0)
		s->rows = hx_xrealloc(s->rows, (s->n ? 2 * s->n : 1) * sizeof(hx_row));
	s->rows[s->n++] = *row;
	if (row->failed)
		s->failed++;
}

const char *hx_row_param(const hx_row *row, const char *name)
{
	size_t i;
	for (i = 0; i < row->nparams; i++)
		if (strcmp(row->params[i].name, name) == 0)
			return row->params[i].value;
	return NULL;
}

static void param_add(hx_row *r, const char *name, const char *value)
{
	r->params = hx_xrealloc(r->params, (r->nparams + 1) * sizeof(hx_param));
	r->params[r->nparams].name = hx_xstrdup(name);
	r->params[r->nparams].value = hx_xstrdup(value);
	r->nparams++;
}

enum { F_FINAL, F_DD, F_MAXP, F_MINP, F_KILL, F_NREQ };
static const char *const required[F_NREQ] = {"final_pnl", "max_drawdown", "max_pnl", "min_pnl",
					     "kill_switch"};

/* Fields that describe a run but are not settings of the engine. */
static int is_param_name(const char *k)
{
	/* "telemetry" and "status" are columns of harness condense's rows
	 * (series/condense.h), "telemetry_path" of the users' datasets */
	static const char *const skip[] = {
		"label",      "profile",   "error",	 "status",	"telemetry",
		"telemetry_path", "seed",  "repeat",	 "num_ticks",	"time_to_kill",
		"final_pnl",  "max_drawdown", "max_pnl", "min_pnl",	"kill_switch",
		NULL};
	size_t i;
	if (strncmp(k, "frac_", 5) == 0)
		return 0;
	for (i = 0; skip[i]; i++)
		if (strcmp(k, skip[i]) == 0)
			return 0;
	return 1;
}

static int field_index(const char *k)
{
	int i;
	for (i = 0; i < F_NREQ; i++)
		if (strcmp(k, required[i]) == 0)
			return i;
	return -1;
}

static double *metric_slot(hx_row *r, int f)
{
	switch (f) {
	case F_FINAL:
		return &r->final_pnl;
	case F_DD:
		return &r->max_drawdown;
	case F_MAXP:
		return &r->max_pnl;
	default:
		return &r->min_pnl;
	}
}

/* Check the row once all its fields are read; `seen` marks required ones. */
static int row_finish(hx_row *r, const int *seen, int has_profile, const char *name,
		      size_t line)
{
	int f;
	if (!has_profile) {
		hx_error_set("%s:%zu: missing field 'profile'", name, line);
		return HX_EINVALID;
	}
	if (r->failed)
		return 0;
	for (f = 0; f < F_NREQ; f++)
		if (!seen[f]) {
			hx_error_set("%s:%zu: missing field '%s'", name, line, required[f]);
			return HX_EINVALID;
		}
	return 0;
}

/* ---- JSONL ---- */

static void json_text(hx_buf *b, const hx_json *v)
{
	char num[32];
	hx_buf_reset(b);
	switch (v->type) {
	case HX_JSON_STRING:
		hx_buf_put(b, v->u.string.ptr, v->u.string.len);
		break;
	case HX_JSON_NUMBER:
		hx_buf_put(b, num, hx_canon_format_number(num, v->u.number));
		break;
	default:
		hx_canon_serialize(b, v);
	}
}

static int json_row(hx_row *r, const hx_json *rec, const char *name, size_t line)
{
	hx_buf text = HX_BUF_INIT;
	int seen[F_NREQ] = {0}, has_profile = 0, err = 0;
	size_t i, j;

	if (rec->type != HX_JSON_OBJECT) {
		hx_error_set("%s:%zu: a dataset row must be a JSON object", name, line);
		return HX_EINVALID;
	}
	for (i = 0; i < rec->u.object.len && !err; i++) {
		const char *k = rec->u.object.members[i].key;
		const hx_json *v = rec->u.object.members[i].value;
		int f = field_index(k);
		if (strcmp(k, "error") == 0) {
			r->failed = v->type != HX_JSON_NULL &&
				    !(v->type == HX_JSON_STRING && v->u.string.len == 0) &&
				    v->type != HX_JSON_FALSE;
		} else if (strcmp(k, "label") == 0 || strcmp(k, "profile") == 0) {
			if (v->type != HX_JSON_STRING) {
				hx_error_set("%s:%zu: '%s' must be a string", name, line, k);
				err = HX_EINVALID;
			} else if (k[0] == 'l') {
				free(r->label);
				r->label = hx_xstrdup(v->u.string.ptr);
			} else {
				free(r->profile);
				r->profile = hx_xstrdup(v->u.string.ptr);
				has_profile = 1;
			}
		} else if (f == F_KILL) {
			seen[f] = v->type == HX_JSON_TRUE || v->type == HX_JSON_FALSE;
			r->kill_switch = v->type == HX_JSON_TRUE;
			if (!seen[f] && v->type != HX_JSON_NULL) {
				hx_error_set("%s:%zu: 'kill_switch' must be true or false", name,
					     line);
				err = HX_EINVALID;
			}
		} else if (f >= 0) {
			if (v->type == HX_JSON_NUMBER) {
				*metric_slot(r, f) = v->u.number;
				seen[f] = 1;
			} else if (v->type != HX_JSON_NULL) {
				hx_error_set("%s:%zu: '%s' must be a number", name, line, k);
				err = HX_EINVALID;
			}
		} else if (strcmp(k, "params") == 0 && v->type == HX_JSON_OBJECT) {
			for (j = 0; j < v->u.object.len; j++) {
				json_text(&text, v->u.object.members[j].value);
				param_add(r, v->u.object.members[j].key, text.ptr);
			}
		} else if (is_param_name(k)) {
			json_text(&text, v);
			param_add(r, k, text.ptr);
		}
	}
	hx_buf_release(&text);
	return err ? err : row_finish(r, seen, has_profile, name, line);
}

static int parse_jsonl(hx_rowset *out, const char *name, const char *text, size_t len)
{
	hx_arena *arena = hx_arena_new();
	size_t pos = 0, line = 0;
	int err = 0;

	while (pos < len && !err) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, k;
		hx_json *rec = NULL;
		hx_json_error jerr;
		hx_row r;
		int blank = 1;

		line++;
		for (k = pos; k < end; k++)
			if (text[k] != ' ' && text[k] != '\t' && text[k] != '\r')
				blank = 0;
		if (!blank) {
			hx_arena_reset(arena);
			if (hx_json_parse(&rec, arena, text + pos, end - pos, &jerr) != 0) {
				hx_error_set("%s:%zu:%zu: %s", name, line, jerr.column, jerr.msg);
				err = HX_EINVALID;
				break;
			}
			memset(&r, 0, sizeof(r));
			r.line = line;
			err = json_row(&r, rec, name, line);
			if (!r.label)
				r.label = hx_xstrdup("");
			if (!r.profile)
				r.profile = hx_xstrdup("");
			if (err)
				row_release(&r);
			else
				hx_rowset_push(out, &r);
		}
		pos = end + 1;
	}
	hx_arena_free(arena);
	return err;
}

/* ---- CSV (RFC 4180) ---- */

typedef struct {
	char **cells;
	size_t n, cap;
} csv_record;

static void record_clear(csv_record *rec)
{
	size_t i;
	for (i = 0; i < rec->n; i++)
		free(rec->cells[i]);
	rec->n = 0;
}

/* Read one record starting at *pos; *line advances over its newlines.
 * Returns 1 with a record, 0 at the end, HX_EINVALID on a bad quote. */
static int csv_next(csv_record *rec, const char *name, const char *t, size_t len, size_t *pos,
		    size_t *line)
{
	hx_buf cell = HX_BUF_INIT;
	size_t p = *pos, start_line = *line;
	int done = 0;

	record_clear(rec);
	if (p >= len)
		return 0;
	while (!done) {
		hx_buf_reset(&cell);
		if (p < len && t[p] == '"') {
			p++;
			for (;;) {
				if (p >= len) {
					hx_error_set("%s:%zu: unterminated quoted field", name,
						     start_line);
					hx_buf_release(&cell);
					return HX_EINVALID;
				}
				if (t[p] == '"') {
					if (p + 1 < len && t[p + 1] == '"') {
						hx_buf_putc(&cell, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (t[p] == '\n')
					(*line)++;
				hx_buf_putc(&cell, t[p++]);
			}
			if (p < len && t[p] != ',' && t[p] != '\n' && t[p] != '\r') {
				hx_error_set("%s:%zu: text after a closing quote", name, *line);
				hx_buf_release(&cell);
				return HX_EINVALID;
			}
		} else {
			while (p < len && t[p] != ',' && t[p] != '\n' && t[p] != '\r')
				hx_buf_putc(&cell, t[p++]);
		}
		if (rec->n == rec->cap) {
			rec->cap = rec->cap ? 2 * rec->cap : 16;
			rec->cells = hx_xrealloc(rec->cells, rec->cap * sizeof(char *));
		}
		rec->cells[rec->n++] = hx_buf_detach(&cell, NULL);
		if (!rec->cells[rec->n - 1])
			rec->cells[rec->n - 1] = hx_xstrdup("");
		if (p < len && t[p] == ',') {
			p++;
			continue;
		}
		if (p < len && t[p] == '\r')
			p++;
		if (p < len && t[p] == '\n')
			p++;
		done = 1;
	}
	(*line)++;
	*pos = p;
	hx_buf_release(&cell);
	return 1;
}

static int csv_number(const char *s, double *out)
{
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	return *s && !*end && errno != ERANGE && isfinite(*out);
}

static int csv_bool(const char *s, int *out)
{
	if (!strcmp(s, "True") || !strcmp(s, "true") || !strcmp(s, "TRUE") || !strcmp(s, "1") ||
	    !strcmp(s, "1.0"))
		*out = 1;
	else if (!strcmp(s, "False") || !strcmp(s, "false") || !strcmp(s, "FALSE") ||
		 !strcmp(s, "0") || !strcmp(s, "0.0"))
		*out = 0;
	else
		return 0;
	return 1;
}

static int csv_row(hx_row *r, const csv_record *hdr, const csv_record *rec, const char *name,
		   size_t line)
{
	int seen[F_NREQ] = {0}, has_profile = 0;
	size_t i;

	if (rec->n != hdr->n) {
		hx_error_set("%s:%zu: %zu fields where the header has %zu", name, line, rec->n,
			     hdr->n);
		return HX_EINVALID;
	}
	for (i = 0; i < hdr->n; i++)
		if (strcmp(hdr->cells[i], "error") == 0 && rec->cells[i][0])
			r->failed = 1;
	for (i = 0; i < hdr->n; i++) {
		const char *k = hdr->cells[i], *v = rec->cells[i];
		int f = field_index(k);
		if (strcmp(k, "label") == 0) {
			free(r->label);
			r->label = hx_xstrdup(v);
		} else if (strcmp(k, "profile") == 0) {
			free(r->profile);
			r->profile = hx_xstrdup(v);
			has_profile = 1;
		} else if (f == F_KILL) {
			if (!*v && r->failed)
				continue;
			if (!csv_bool(v, &r->kill_switch)) {
				hx_error_set("%s:%zu: 'kill_switch' must be True or False, not '%s'",
					     name, line, v);
				return HX_EINVALID;
			}
			seen[f] = 1;
		} else if (f >= 0) {
			if (!*v && r->failed)
				continue;
			if (!csv_number(v, metric_slot(r, f))) {
				hx_error_set("%s:%zu: '%s' must be a finite number, not '%s'", name,
					     line, k, v);
				return HX_EINVALID;
			}
			seen[f] = 1;
		} else if (is_param_name(k)) {
			param_add(r, k, v);
		}
	}
	return row_finish(r, seen, has_profile, name, line);
}

static int parse_csv(hx_rowset *out, const char *name, const char *text, size_t len)
{
	csv_record hdr = {0}, rec = {0};
	size_t pos = 0, line = 1, i, j;
	int rc, err = 0;

	rc = csv_next(&hdr, name, text, len, &pos, &line);
	if (rc <= 0) {
		if (rc == 0)
			hx_error_set("%s: empty dataset (no header line)", name);
		err = HX_EINVALID;
		goto done;
	}
	for (i = 0; i < hdr.n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(hdr.cells[i], hdr.cells[j]) == 0) {
				hx_error_set("%s:1: duplicate column '%s'", name, hdr.cells[i]);
				err = HX_EINVALID;
				goto done;
			}
	for (;;) {
		size_t at = line;
		hx_row r;
		rc = csv_next(&rec, name, text, len, &pos, &line);
		if (rc <= 0) {
			err = rc;
			break;
		}
		if (rec.n == 1 && rec.cells[0][0] == '\0')
			continue; /* a blank line */
		memset(&r, 0, sizeof(r));
		r.line = at;
		err = csv_row(&r, &hdr, &rec, name, at);
		if (!r.label)
			r.label = hx_xstrdup("");
		if (!r.profile)
			r.profile = hx_xstrdup("");
		if (err) {
			row_release(&r);
			break;
		}
		hx_rowset_push(out, &r);
	}
done:
	record_clear(&hdr);
	record_clear(&rec);
	free(hdr.cells);
	free(rec.cells);
	return err;
}

int hx_rowset_parse(hx_rowset *out, const char *name, const char *text, size_t len)
{
	size_t i = 0;
	hx_rowset_init(out);
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	if (i == len) {
		hx_error_set("%s: empty dataset (no rows, no header line)", name);
		return HX_EINVALID;
	}
	if (text[i] == '{')
		return parse_jsonl(out, name, text, len);
	return parse_csv(out, name, text, len);
}

int hx_rowset_load(hx_rowset *out, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	int err;
	hx_rowset_init(out);
	if ((err = hx_file_read(&text, path)) != 0)
		return err;
	err = hx_rowset_parse(out, path, text.ptr ? text.ptr : "", text.len);
	hx_buf_release(&text);
	return err;
}
