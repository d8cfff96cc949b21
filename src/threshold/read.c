/* read.c - scored samples from JSON lines: a line's score and label
 * (hx_score_line), and every line of a file read in blocks into the store
 * (hx_scores_read_jsonl). */
#include "threshold/threshold_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "lines.h"

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

/* 1 with the error set when the field is missing or null. */
static int absent(const hx_json *v, const char *name)
{
	if (!v)
		hx_error_set("no '%s'", name);
	else if (v->type == HX_JSON_NULL)
		hx_error_set("'%s' is null", name);
	return !v || v->type == HX_JSON_NULL;
}

static int take_score(const reader *rd, const hx_json *v, double *score)
{
	const char *name = rd->f->score;
	double x;
	if (absent(v, name))
		return HX_EINVALID;
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
	if (absent(v, name))
		return HX_EINVALID;
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

/* A file is read by two threads, each half into a store of its own, when
 * it is a regular file of at least this size (10^7 samples, 450 MB: 1.1 s
 * on one thread, 0.6 s on two). */
#define SPLIT_MIN ((off_t)16 << 20)

/* One thread's part of a file: bytes [from, to) of it (the whole of a
 * pipe), with its own reader and store. An error is kept with its line
 * within the part; the file's line is told once the parts before it are
 * counted. */
typedef struct {
	reader rd;
	hx_scores *s;
	const char *name; /* of the file, in errors */
	int fd;
	hx_lines_part range;
	int whole;    /* read(2) the whole fd, range unused */
	size_t lines; /* lines read, blank ones too */
	int rc;
	size_t err_line; /* 0: err is complete (a read error) */
	size_t err_column;
	char err[256];
} part;

static int take_line(void *ctx, const char *line, size_t len, size_t lineno)
{
	part *pt = ctx;
	double score;
	int positive, rc;
	if ((rc = read_line(&pt->rd, line, len, &score, &positive)) == 0) {
		hx_scores_add(pt->s, score, positive);
		return 0;
	}
	pt->err_line = lineno;
	pt->err_column = pt->rd.column;
	snprintf(pt->err, sizeof(pt->err), "%s", hx_error_last());
	return rc;
}

static void read_part(part *pt)
{
	pt->rc = hx_lines_each(pt->fd, pt->name, pt->whole ? NULL : &pt->range, take_line, pt,
			       &pt->lines);
	if (pt->rc && !pt->err_line)
		snprintf(pt->err, sizeof(pt->err), "%s", hx_error_last());
}

static void part_init(part *pt, const hx_score_fields *f, hx_scores *s, const char *name, int fd,
		      int whole)
{
	memset(pt, 0, sizeof(*pt));
	reader_init(&pt->rd, f, hx_json_shape_new(), 1);
	pt->s = s;
	pt->name = name;
	pt->fd = fd;
	pt->whole = whole;
	pt->range.to = -1;
}

static void part_release(part *pt)
{
	hx_json_shape_free(pt->rd.shape);
	reader_release(&pt->rd);
}

/* The part's error, located: lines before it in the file. */
static int part_error(const part *pt, size_t lines_before)
{
	if (!pt->err_line)
		hx_error_set("%s", pt->err);
	else if (pt->err_column)
		hx_error_set("%s:%zu:%zu: %s", pt->name, lines_before + pt->err_line,
			     pt->err_column, pt->err);
	else
		hx_error_set("%s:%zu: %s", pt->name, lines_before + pt->err_line, pt->err);
	return pt->rc;
}

/* Where the second half starts: after the first newline from the middle
 * on (0: none, the file is read whole by one thread). */
static off_t split_point(int fd, off_t size)
{
	char block[4096];
	off_t at = size / 2;
	for (;;) {
		ssize_t got = pread(fd, block, sizeof(block), at);
		char *nl;
		if (got <= 0)
			return 0;
		if ((nl = memchr(block, '\n', (size_t)got)) != NULL)
			return at + (nl - block) + 1 < size ? at + (nl - block) + 1 : 0;
		at += got;
	}
}

static void *read_second(void *arg)
{
	read_part(arg);
	return NULL;
}

/* Read the file in two parts on two threads; the second part's samples
 * follow the first's in s. */
static int read_halves(hx_scores *s, const char *name, const hx_score_fields *f, int fd,
		       off_t split)
{
	part first, second;
	atomic_int stop = 0;
	pthread_t th;
	int rc = 0, threaded;
	part_init(&first, f, s, name, fd, 0);
	part_init(&second, f, hx_scores_new(), name, fd, 0);
	first.range.to = split;
	second.range.from = split;
	second.range.stop = &stop;
	threaded = pthread_create(&th, NULL, read_second, &second) == 0;
	read_part(&first);
	if (first.rc)
		atomic_store(&stop, 1);
	if (threaded)
		pthread_join(th, NULL);
	else if (!first.rc)
		read_part(&second);
	if (first.rc)
		rc = part_error(&first, 0);
	else if (second.rc)
		rc = part_error(&second, first.lines);
	else
		hx_scores_take(s, second.s);
	hx_scores_free(second.s);
	part_release(&first);
	part_release(&second);
	return rc;
}

int hx_scores_read_jsonl(hx_scores *s, const char *path, const hx_score_fields *f)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct stat st;
	part pt;
	int fd, rc = 0;
	off_t split = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return hx_error_from_errno(e);
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= SPLIT_MIN && !is_stdin)
		split = split_point(fd, st.st_size);
	if (split) {
		rc = read_halves(s, name, f, fd, split);
	} else {
		part_init(&pt, f, s, name, fd, 1);
		read_part(&pt);
		if (pt.rc)
			rc = part_error(&pt, 0);
		part_release(&pt);
	}
	if (!is_stdin)
		close(fd);
	return rc;
}
