/* read.c - scored samples from JSON lines: a line's score and label
 * (hx_score_line), and every line of a file read in blocks into the store
 * (hx_scores_read_jsonl). */
#include "threshold/threshold_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"
#include "json.h"

/* Members of a row read in one pass; wider rows go to the parser. */
#define FLAT_CAP 64

typedef struct {
	const hx_score_fields *f;
	int flat; /* both fields are top-level names (no '.') */
	/* the positive label's text, and its value when it is a JSON number */
	size_t pos_len;
	double pos_num;
	int pos_is_num;
	hx_json_shape *shape; /* NULL: every flat row is scanned on its own */
	int keep;             /* at[] holds across calls (one reader per stream) */
	long at[2];           /* score's and label's positions in rows of the shape */
	hx_arena *arena;      /* the parser's, made when first needed */
	size_t column;        /* a JSON error's column; 0 for the other errors */
	hx_json_member members[FLAT_CAP];
	hx_json values[FLAT_CAP];
} reader;

static void reader_init(reader *rd, const hx_score_fields *f, hx_json_shape *sh, int keep)
{
	memset(rd, 0, sizeof(*rd));
	rd->f = f;
	rd->flat = !strchr(f->score, '.') && !strchr(f->label, '.');
	rd->shape = sh;
	rd->keep = keep;
	rd->at[0] = rd->at[1] = -1;
	if (f->positive) {
		hx_arena *a = hx_arena_new();
		hx_json *v;
		rd->pos_len = strlen(f->positive);
		if (hx_json_parse(&v, a, f->positive, rd->pos_len, NULL) == 0 &&
		    v->type == HX_JSON_NUMBER) {
			rd->pos_is_num = 1;
			rd->pos_num = v->u.number;
		}
		hx_arena_free(a);
	}
}

static void reader_release(reader *rd)
{
	hx_arena_free(rd->arena);
}

static long member_at(const hx_json_member *m, size_t n, const char *key, size_t key_len)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (m[i].key_len == key_len && memcmp(m[i].key, key, key_len) == 0)
			return (long)i;
	return -1;
}

/* The value at a dotted path ("a.b.c"), NULL when some step is missing or
 * not an object. */
static const hx_json *path_get(const hx_json *v, const char *path)
{
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		long i;
		if (v->type != HX_JSON_OBJECT)
			return NULL;
		i = member_at(v->u.object.members, v->u.object.len, path, n);
		if (i < 0)
			return NULL;
		v = v->u.object.members[i].value;
		if (!dot)
			return v;
		path = dot + 1;
	}
}

static const char *type_name(const hx_json *v)
{
	switch (v->type) {
	case HX_JSON_STRING:
		return "a string";
	case HX_JSON_TRUE:
	case HX_JSON_FALSE:
		return "a boolean";
	case HX_JSON_ARRAY:
		return "an array";
	case HX_JSON_OBJECT:
		return "an object";
	default:
		return "a number";
	}
}

static int take_score(const reader *rd, const hx_json *v, double *score)
{
	const char *name = rd->f->score;
	double x;
	if (!v) {
		hx_error_set("no '%s'", name);
		return HX_EINVALID;
	}
	if (v->type == HX_JSON_NULL) {
		hx_error_set("'%s' is null", name);
		return HX_EINVALID;
	}
	if (v->type != HX_JSON_NUMBER) {
		hx_error_set("'%s' is %s, not a number", name, type_name(v));
		return HX_EINVALID;
	}
	x = hx_json_number_value(v->u.lazy.text, v->u.lazy.len);
	if (!isfinite(x)) {
		hx_error_set("'%s' is %s", name, isnan(x) ? "NaN" : "infinite");
		return HX_EINVALID;
	}
	*score = x;
	return 0;
}

static int take_label(const reader *rd, const hx_json *v, int *positive)
{
	const char *name = rd->f->label, *want = rd->f->positive;
	if (!v) {
		hx_error_set("no '%s'", name);
		return HX_EINVALID;
	}
	if (v->type == HX_JSON_NULL) {
		hx_error_set("'%s' is null", name);
		return HX_EINVALID;
	}
	if (want) {
		switch (v->type) {
		case HX_JSON_STRING:
			*positive = v->u.string.len == rd->pos_len &&
				    memcmp(v->u.string.ptr, want, rd->pos_len) == 0;
			return 0;
		case HX_JSON_TRUE:
		case HX_JSON_FALSE:
			*positive = strcmp(want, v->type == HX_JSON_TRUE ? "true" : "false") == 0;
			return 0;
		case HX_JSON_NUMBER:
			*positive = rd->pos_is_num &&
				    hx_json_number_value(v->u.lazy.text, v->u.lazy.len) == rd->pos_num;
			return 0;
		default:
			hx_error_set("'%s' is %s, not a string, number or boolean", name,
				     type_name(v));
			return HX_EINVALID;
		}
	}
	if (v->type == HX_JSON_TRUE || v->type == HX_JSON_FALSE) {
		*positive = v->type == HX_JSON_TRUE;
		return 0;
	}
	if (v->type == HX_JSON_NUMBER) {
		double x = hx_json_number_value(v->u.lazy.text, v->u.lazy.len);
		if (x == 0 || x == 1) {
			*positive = x == 1;
			return 0;
		}
	}
	hx_error_set("'%s' is not true/false or 1/0 (--positive names the positive label)", name);
	return HX_EINVALID;
}

static int read_line(reader *rd, const char *line, size_t len, double *score, int *positive)
{
	const hx_score_fields *f = rd->f;
	const hx_json *sv, *lv;
	hx_json *root;
	hx_json_error err;
	int rc;
	rd->column = 0;
	if (rd->flat) {
		int same = 0;
		long n = rd->shape ? hx_json_scan_flat_shape(rd->shape, line, len, HX_JSON_NONFINITE,
							     rd->members, rd->values, FLAT_CAP, &same)
				   : hx_json_scan_flat(line, len, HX_JSON_NONFINITE, rd->members,
						       rd->values, FLAT_CAP);
		if (n >= 0) {
			if (!same || !rd->keep) {
				rd->at[0] = member_at(rd->members, (size_t)n, f->score, strlen(f->score));
				rd->at[1] = member_at(rd->members, (size_t)n, f->label, strlen(f->label));
			}
			sv = rd->at[0] >= 0 ? &rd->values[rd->at[0]] : NULL;
			lv = rd->at[1] >= 0 ? &rd->values[rd->at[1]] : NULL;
			goto take;
		}
	}
	/* nested fields, or a line that is not a flat row of plain values:
	 * the parser reads it (or says what is wrong with it) */
	if (!rd->arena)
		rd->arena = hx_arena_new();
	hx_arena_reset(rd->arena);
	if (hx_json_parse_flags(&root, rd->arena, line, len, HX_JSON_LAZY | HX_JSON_NONFINITE,
				&err) != 0) {
		rd->column = err.column;
		hx_error_set("%s", err.msg);
		return HX_EINVALID;
	}
	if (root->type != HX_JSON_OBJECT) {
		hx_error_set("the line is %s, not a JSON object", type_name(root));
		return HX_EINVALID;
	}
	sv = path_get(root, f->score);
	lv = path_get(root, f->label);
take:
	if ((rc = take_score(rd, sv, score)) < 0)
		return rc;
	return take_label(rd, lv, positive);
}

int hx_score_line(const hx_score_fields *f, hx_json_shape *sh, const char *line, size_t len,
		  double *score, int *positive)
{
	reader rd;
	int rc;
	reader_init(&rd, f, sh, 0);
	rc = read_line(&rd, line, len, score, positive);
	if (rc < 0 && rd.column) {
		char msg[200];
		snprintf(msg, sizeof(msg), "column %zu: %s", rd.column, hx_error_last());
		hx_error_set("%s", msg);
	}
	reader_release(&rd);
	return rc;
}

/* ------------------------------------------------------------- files */

static int take_line(reader *rd, hx_scores *s, const char *name, const char *line, size_t len,
		     size_t lineno)
{
	double score;
	int positive, rc;
	if ((rc = read_line(rd, line, len, &score, &positive)) == 0) {
		hx_scores_add(s, score, positive);
		return 0;
	}
	{
		char msg[200];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		if (rd->column)
			hx_error_set("%s:%zu:%zu: %s", name, lineno, rd->column, msg);
		else
			hx_error_set("%s:%zu: %s", name, lineno, msg);
	}
	return rc;
}

/* Every nonblank line of fd, read in blocks of 128 KiB into a buffer on
 * the stack (a line longer than that moves it to the heap), as
 * series/condense.c reads telemetry. */
static int read_fd(reader *rd, hx_scores *s, const char *name, int fd)
{
	char stack_buf[1 << 17];
	size_t cap = sizeof(stack_buf), have = 0, lineno = 0;
	char *buf = stack_buf;
	int rc = 0, eof = 0;
	while (!eof && rc == 0) {
		size_t start = 0;
		ssize_t got;
		char *nl;
		if (have == cap) {
			buf = buf == stack_buf ? memcpy(hx_xmalloc(2 * cap), stack_buf, have)
					       : hx_xrealloc(buf, 2 * cap);
			cap *= 2;
		}
		got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			hx_error_set_errno(errno, "cannot read '%s'", name);
			rc = HX_ESYSTEM;
			break;
		}
		if (got == 0) {
			eof = 1;
			if (have == 0)
				break;
			buf[have++] = '\n'; /* have < cap: a full buffer grew above */
		} else {
			have += (size_t)got;
		}
		while (rc == 0 && (nl = memchr(buf + start, '\n', have - start)) != NULL) {
			const char *line = buf + start;
			size_t len = (size_t)(nl - line), k;
			lineno++;
			start += len + 1;
			if (len && line[len - 1] == '\r')
				len--;
			for (k = 0; k < len && (line[k] == ' ' || line[k] == '\t'); k++)
				;
			if (k < len)
				rc = take_line(rd, s, name, line, len, lineno);
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (buf != stack_buf)
		free(buf);
	return rc;
}

int hx_scores_read_jsonl(hx_scores *s, const char *path, const hx_score_fields *f)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	reader rd;
	int fd, rc;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return hx_error_from_errno(e);
	}
	reader_init(&rd, f, hx_json_shape_new(), 1);
	rc = read_fd(&rd, s, name, fd);
	hx_json_shape_free(rd.shape);
	reader_release(&rd);
	if (!is_stdin)
		close(fd);
	return rc;
}
