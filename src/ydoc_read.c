/* ydoc_read.c - the typed readers of a YAML tree (YAML 1.2 core schema
 * scalars, ranges, enums), the key checks and the did-you-mean hints. Every
 * error is located at the node (hx_ydoc_error); the tree itself is built by
 * ydoc.c.
 */
#include "ydoc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

/* hx_ydoc_u64 relies on strtoull covering the whole uint64_t range. */
_Static_assert(sizeof(unsigned long long) == sizeof(uint64_t), "64-bit unsigned long long");

/* ---- scalar resolution (YAML 1.2 core schema) ---- */

int hx_ynode_is_null(const hx_ynode *n)
{
	if (!n)
		return 1;
	if (n->type != HX_Y_SCALAR || !n->plain)
		return 0;
	return n->scalar_len == 0 || strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "null") == 0 ||
	       strcmp(n->scalar, "Null") == 0 || strcmp(n->scalar, "NULL") == 0;
}

static int is_plain_scalar(const hx_ynode *n)
{
	return n && n->type == HX_Y_SCALAR && n->plain;
}

static int all_in(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (!strchr(set, *s))
			return 0;
	}
	return 1;
}

/* Parse a core-schema integer: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
 * Sets *neg and *mag (magnitude); returns 0, or -1 when not an integer or
 * the magnitude overflows 64 bits. */
static int parse_int(const char *s, int *neg, unsigned long long *mag)
{
	int base = 10;
	char *end;

	*neg = 0;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
		if (!all_in(s, "0123456789abcdefABCDEF"))
			return -1;
	} else if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		s += 2;
		if (!all_in(s, "01234567"))
			return -1;
	} else {
		if (*s == '-' || *s == '+')
			*neg = *s++ == '-';
		if (!all_in(s, "0123456789"))
			return -1;
	}
	errno = 0;
	*mag = strtoull(s, &end, base);
	if (errno == ERANGE || *end)
		return -1;
	return 0;
}

/* Parse a core-schema float (ints included); returns 0 or -1. */
static int parse_float(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;

	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) {
		*out = NAN;
		return 0;
	}
	if (*p == '-' || *p == '+')
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	/* Validate the shape first: strtod also takes hex floats, "inf", "nan". */
	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	*out = strtod(s, &end);
	return *end ? -1 : 0;
}

static const char *node_name(const char *what)
{
	return what ? what : "value";
}

int hx_ydoc_string(const hx_ydoc *doc, const hx_ynode *n, const char *what, char **out)
{
	/* Any non-null scalar is text: `version: 4.12` reads as "4.12". */
	if (!n || n->type != HX_Y_SCALAR || hx_ynode_is_null(n))
		return hx_ydoc_error(doc, n, "'%s' must be a string", node_name(what));
	if (strlen(n->scalar) != n->scalar_len)
		return hx_ydoc_error(doc, n, "'%s' must not contain a NUL character",
				     node_name(what));
	*out = hx_xstrdup(n->scalar);
	return 0;
}

int hx_ydoc_bool(const hx_ydoc *doc, const hx_ynode *n, const char *what, int *out)
{
	static const char *const t[] = {"true", "True", "TRUE"};
	static const char *const f[] = {"false", "False", "FALSE"};
	size_t i;

	if (is_plain_scalar(n)) {
		for (i = 0; i < 3; i++) {
			if (strcmp(n->scalar, t[i]) == 0) {
				*out = 1;
				return 0;
			}
			if (strcmp(n->scalar, f[i]) == 0) {
				*out = 0;
				return 0;
			}
		}
	}
	return hx_ydoc_error(doc, n, "'%s' must be true or false", node_name(what));
}

int hx_ydoc_int(const hx_ydoc *doc, const hx_ynode *n, const char *what, long long min,
		long long max, long long *out)
{
	unsigned long long mag;
	int neg;
	long long v;

	if (!is_plain_scalar(n) || parse_int(n->scalar, &neg, &mag) != 0)
		goto bad;
	if (neg) {
		if (mag > (unsigned long long)LLONG_MAX + 1ULL)
			goto bad;
		v = mag == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)mag;
	} else {
		if (mag > (unsigned long long)LLONG_MAX)
			goto bad;
		v = (long long)mag;
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return hx_ydoc_error(doc, n, "'%s' must be an integer from %lld to %lld", node_name(what),
			     min, max);
}

int hx_ydoc_u64(const hx_ydoc *doc, const hx_ynode *n, const char *what, uint64_t *out)
{
	unsigned long long mag;
	int neg;

	if (!is_plain_scalar(n) || parse_int(n->scalar, &neg, &mag) != 0 || (neg && mag != 0))
		return hx_ydoc_error(doc, n, "'%s' must be an integer from 0 to %llu",
				     node_name(what), (unsigned long long)UINT64_MAX);
	*out = (uint64_t)mag;
	return 0;
}

/* "from 0 to 1", "greater than 0", "at least 0", "greater than 0 and at most
 * 86400": the range as a reader would say it. */
static void describe_range(char *buf, size_t size, double min, int min_excl, double max)
{
	if (isinf(min) && isinf(max))
		snprintf(buf, size, "a finite number");
	else if (isinf(max))
		snprintf(buf, size, "a number %s %.15g", min_excl ? "greater than" : "at least", min);
	else if (isinf(min))
		snprintf(buf, size, "a number at most %.15g", max);
	else if (min_excl)
		snprintf(buf, size, "a number greater than %.15g and at most %.15g", min, max);
	else
		snprintf(buf, size, "a number from %.15g to %.15g", min, max);
}

static int read_double(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		       int min_excl, double max, double *out)
{
	double v;
	char range[160];

	if (is_plain_scalar(n) && parse_float(n->scalar, &v) == 0 && isfinite(v) &&
	    (min_excl ? v > min : v >= min) && v <= max) {
		*out = v;
		return 0;
	}
	describe_range(range, sizeof(range), min, min_excl, max);
	return hx_ydoc_error(doc, n, "'%s' must be %s", node_name(what), range);
}

int hx_ydoc_double(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		   double max, double *out)
{
	return read_double(doc, n, what, min, 0, max, out);
}

int hx_ydoc_double_gt(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		      double max, double *out)
{
	return read_double(doc, n, what, min, 1, max, out);
}

int hx_ydoc_expect(const hx_ydoc *doc, const hx_ynode *n, hx_ynode_type type, const char *what)
{
	static const char *const names[] = {"a scalar", "a list", "a mapping"};
	if (n && n->type == type)
		return 0;
	return hx_ydoc_error(doc, n, "'%s' must be %s", node_name(what), names[type]);
}

size_t hx_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, best;

	row = hx_xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

const char *hx_ydoc_suggest(const char *word, const char *const *known)
{
	size_t limit = strlen(word) / 3, best = (size_t)-1, d;
	const char *pick = NULL;

	if (limit < 2)
		limit = 2;
	for (; *known; known++) {
		d = hx_edit_distance(word, *known);
		if (d <= limit && d < best) {
			best = d;
			pick = *known;
		}
	}
	return pick;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

int hx_ydoc_check_keys(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed)
{
	size_t i;
	const hx_ynode *k;
	const char *hint;

	if (!map || map->type != HX_Y_MAP)
		return 0;
	for (i = 0; i < map->n; i++) {
		k = map->pairs[i].key;
		if (strlen(k->scalar) == k->scalar_len && in_list(k->scalar, allowed))
			continue;
		hint = hx_ydoc_suggest(k->scalar, allowed);
		if (hint)
			return hx_ydoc_error(doc, k, "unknown key '%s' (did you mean '%s'?)",
					     k->scalar, hint);
		return hx_ydoc_error(doc, k, "unknown key '%s'", k->scalar);
	}
	return 0;
}

int hx_ydoc_require(const hx_ydoc *doc, const hx_ynode *map, const char *const *required)
{
	for (; *required; required++) {
		if (!hx_ynode_get(map, *required))
			return hx_ydoc_error(doc, map, "missing key '%s'", *required);
	}
	return 0;
}

/* "unknown WHAT 'x' (did you mean 'y'?)" or "unknown WHAT 'x' (known: ...)". */
static int unknown_name(const hx_ydoc *doc, const hx_ynode *n, const char *what, const char *s,
			const char *const *choices)
{
	hx_buf known = HX_BUF_INIT;
	const char *hint = hx_ydoc_suggest(s, choices);
	size_t i;
	int err;

	if (hint)
		return hx_ydoc_error(doc, n, "unknown %s '%s' (did you mean '%s'?)", what, s, hint);
	for (i = 0; choices[i]; i++)
		hx_buf_printf(&known, "%s%s", i ? ", " : "", choices[i]);
	err = hx_ydoc_error(doc, n, "unknown %s '%s' (known: %s)", what, s, known.ptr);
	hx_buf_release(&known);
	return err;
}

int hx_ydoc_enum(const hx_ydoc *doc, const hx_ynode *n, const char *what,
		 const char *const *choices, int *index_out)
{
	char *s = NULL;
	int i, err;

	if ((err = hx_ydoc_string(doc, n, what, &s)) != 0)
		return err;
	for (i = 0; choices[i]; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*index_out = i;
			free(s);
			return 0;
		}
	}
	err = unknown_name(doc, n, node_name(what), s, choices);
	free(s);
	return err;
}

int hx_ydoc_check_names(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed,
			const char *what)
{
	size_t i;
	const hx_ynode *k;

	if (!map || map->type != HX_Y_MAP)
		return 0;
	for (i = 0; i < map->n; i++) {
		k = map->pairs[i].key;
		if (strlen(k->scalar) != k->scalar_len || !in_list(k->scalar, allowed))
			return unknown_name(doc, k, what, k->scalar, allowed);
	}
	return 0;
}
