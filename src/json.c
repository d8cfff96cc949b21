/* json.c - strict single-pass JSON parser into an arena tree (see json.h).
 *
 * The parser is recursive descent over a byte range. Members and items of
 * the containers being parsed are pushed onto scratch stacks owned by the
 * arena (reused across parses) and copied into the arena once the container
 * closes, so each container costs one exact-size allocation.
 */
#include "json_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "lines.h"

#define HX_JSON_MAX_DEPTH 512
#define ARENA_CHUNK ((size_t)64 * 1024)

/* ---------------------------------------------------------------- arena */

struct hx_chunk {
	struct hx_chunk *next;
	size_t cap;
	size_t used;
	size_t pad_; /* keeps the data that follows 16-byte aligned */
};

typedef struct {
	hx_json_member m;
	size_t off;      /* offset of the key's opening quote, for errors */
	uint64_t prefix; /* the key's first 8 bytes, zero-padded */
} scratch_member;

struct hx_arena {
	struct hx_chunk *first;
	struct hx_chunk *cur;
	/* Parser scratch stacks, kept across parses. */
	scratch_member *mstack;
	size_t mcap;
	hx_json **vstack;
	size_t vcap;
};

static struct hx_chunk *chunk_new(size_t cap)
{
	struct hx_chunk *c = hx_xmalloc(sizeof(*c) + cap);
	c->next = NULL;
	c->cap = cap;
	c->used = 0;
	return c;
}

hx_arena *hx_arena_new(void)
{
	hx_arena *a = hx_xcalloc(1, sizeof(*a));
	a->first = a->cur = chunk_new(ARENA_CHUNK);
	return a;
}

static void chunks_free(struct hx_chunk *c)
{
	while (c) {
		struct hx_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void hx_arena_free(hx_arena *a)
{
	if (!a)
		return;
	chunks_free(a->first);
	free(a->mstack);
	free(a->vstack);
	free(a);
}

void hx_arena_reset(hx_arena *a)
{
	chunks_free(a->first->next);
	a->first->next = NULL;
	a->first->used = 0;
	a->cur = a->first;
}

static void *arena_alloc_slow(hx_arena *a, size_t n)
{
	/* Big requests get a chunk of their own so a line of huge strings does
	 * not waste the rest of a regular chunk. */
	size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
	struct hx_chunk *c = chunk_new(cap);
	c->next = a->cur->next;
	a->cur->next = c;
	if (cap == ARENA_CHUNK)
		a->cur = c;
	c->used = n;
	return (char *)(c + 1);
}

static inline void *arena_alloc(hx_arena *a, size_t n)
{
	struct hx_chunk *c = a->cur;
	n = (n + 7) & ~(size_t)7;
	if (c->cap - c->used >= n) {
		void *p = (char *)(c + 1) + c->used;
		c->used += n;
		return p;
	}
	return arena_alloc_slow(a, n);
}

void *hx_arena_alloc(hx_arena *a, size_t n)
{
	return arena_alloc(a, n);
}

char *hx_arena_strndup(hx_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---------------------------------------------------------------- parser */


static void set_position(hx_json_error *err, const unsigned char *start, size_t off)
{
	size_t i, line = 1, linestart = 0;
	for (i = 0; i < off; i++)
		if (start[i] == '\n') {
			line++;
			linestart = i + 1;
		}
	err->offset = off;
	err->line = line;
	err->column = off - linestart + 1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int hx_json_fail(parser *ps, const unsigned char *at, const char *fmt, ...)
{
	va_list ap;
	if (!ps->err)
		return HX_EINVALID;
	set_position(ps->err, ps->start, (size_t)(at - ps->start));
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return HX_EINVALID;
}

/* Describe the byte at p for "unexpected ..." messages. */
static int fail_unexpected(parser *ps, const unsigned char *p, const char *what)
{
	if (p >= ps->end)
		return hx_json_fail(ps, p, "unexpected end of input%s", what);
	if (*p >= 0x21 && *p < 0x7f)
		return hx_json_fail(ps, p, "unexpected character '%c'%s", *p, what);
	return hx_json_fail(ps, p, "unexpected byte 0x%02x%s", *p, what);
}

static inline void skip_ws(parser *ps)
{
	const unsigned char *p = ps->p, *end = ps->end;
	/* most calls find a token right away, or after the single space of
	 * ", " and ": ": test those before the loop */
	if (p < end && *p > ' ')
		return;
	if (end - p >= 2 && *p == ' ' && p[1] > ' ') {
		ps->p = p + 1;
		return;
	}
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	ps->p = p;
}

static inline hx_json *node_new(hx_arena *a, hx_json_type type)
{
	hx_json *v = arena_alloc(a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

/* Validate one multi-byte UTF-8 sequence at p (p[0] >= 0x80); returns its
 * length, or 0 after reporting the error. */
static size_t utf8_seq(parser *ps, const unsigned char *p)
{
	const unsigned char *end = ps->end;
	unsigned c = p[0];
	size_t n, i;
	unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		hx_json_fail(ps, p, "invalid utf-8 byte 0x%02x", c);
		return 0;
	}
	if ((size_t)(end - p) < n) {
		hx_json_fail(ps, p, "truncated utf-8 sequence");
		return 0;
	}
	for (i = 1; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf) {
			hx_json_fail(ps, p, "truncated utf-8 sequence");
			return 0;
		}
	if (p[1] < lo || p[1] > hi) {
		if (c == 0xe0 || c == 0xf0)
			hx_json_fail(ps, p, "overlong utf-8 sequence");
		else if (c == 0xed)
			hx_json_fail(ps, p, "utf-8 encoded surrogate");
		else
			hx_json_fail(ps, p, "utf-8 sequence above u+10ffff");
		return 0;
	}
	return n;
}

static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	return -1;
}

static int read_u4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;
	int i, h;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Decode the escapes of a validated raw string body s[0..n) into out;
 * returns the decoded length or -1 after reporting a bad escape. */
static long decode_escapes(parser *ps, const unsigned char *s, size_t n, char *out)
{
	const unsigned char *p = s, *end = s + n;
	char *o = out;
	while (p < end) {
		const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
		unsigned cp, lo;
		if (!bs) {
			memcpy(o, p, (size_t)(end - p));
			o += end - p;
			break;
		}
		memcpy(o, p, (size_t)(bs - p));
		o += bs - p;
		p = bs + 1; /* the scanner guarantees a byte after '\\' */
		switch (*p) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)*p++;
			continue;
		case 'b':
			*o++ = '\b';
			p++;
			continue;
		case 'f':
			*o++ = '\f';
			p++;
			continue;
		case 'n':
			*o++ = '\n';
			p++;
			continue;
		case 'r':
			*o++ = '\r';
			p++;
			continue;
		case 't':
			*o++ = '\t';
			p++;
			continue;
		case 'u':
			break;
		default:
			if (*p >= 0x21 && *p < 0x7f)
				hx_json_fail(ps, bs, "invalid escape '\\%c'", *p);
			else
				hx_json_fail(ps, bs, "invalid escape (byte 0x%02x after '\\')", *p);
			return -1;
		}
		if (read_u4(p + 1, end, &cp) < 0) {
			hx_json_fail(ps, bs, "invalid unicode escape");
			return -1;
		}
		p += 5;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
			    read_u4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else {
				hx_json_fail(ps, bs, "lone surrogate \\u%04x", cp);
				return -1;
			}
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			hx_json_fail(ps, bs, "lone surrogate \\u%04x", cp);
			return -1;
		}
		o = put_utf8(o, cp);
	}
	*o = '\0';
	return (long)(o - out);
}

/* Parse a string at ps->p (which is '"'); the decoded bytes go to the arena. */
/* *plain_out (may be NULL) is set when the source had no escape: the text
 * then holds no '"', no '\\' and no control byte, so it needs no escaping
 * when written back. */
static int parse_string_full(parser *ps, const char **out, size_t *len_out, int *plain_out)
{
	const unsigned char *open = ps->p, *s = open + 1, *p = s, *end = ps->end;
	int escapes = 0;
	char *dst;
	for (;;) {
#ifdef HX_JSON_SSE2
		while (end - p >= 16) {
			unsigned quotes, m = hx_json_special_mask16(p, &quotes);
			if (m) {
				unsigned i = (unsigned)__builtin_ctz(m);
				p += i;
				if (quotes >> i & 1)
					goto closed;
				break;
			}
			p += 16;
		}
#else
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (hx_json_word_special(w))
				break;
			p += 8;
		}
#endif
		if (p >= end)
			return hx_json_fail(ps, open, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			escapes = 1;
			if (p + 1 >= end)
				return hx_json_fail(ps, open, "unterminated string");
			p += 2; /* the escaped byte is checked when decoding */
			if (p[-1] < 0x20 || p[-1] >= 0x80)
				return hx_json_fail(ps, p - 2, "invalid escape (byte 0x%02x after '\\')", p[-1]);
			continue;
		}
		if (*p < 0x20)
			return hx_json_fail(ps, p, "control character 0x%02x in string", *p);
		if (*p >= 0x80) {
			size_t n = utf8_seq(ps, p);
			if (!n)
				return HX_EINVALID;
			p += n;
			continue;
		}
		p++;
	}
#ifdef HX_JSON_SSE2
closed:
#endif
	ps->p = p + 1;
	if (!escapes && ps->lazy) {
		/* borrowed: the caller keeps the input alive (see json.h) */
		*out = (const char *)s;
		*len_out = (size_t)(p - s);
		if (plain_out)
			*plain_out = 1;
		return 0;
	}
	dst = arena_alloc(ps->a, (size_t)(p - s) + 1);
	if (!escapes) {
		size_t n = (size_t)(p - s), words = (n + 8) & ~(size_t)7, i;
		if ((size_t)(end - s) >= words) {
			/* The arena block is `words` long: copy whole words rather
			 * than call memcpy for what is mostly a short key. */
			for (i = 0; i < words; i += 8) {
				uint64_t w;
				memcpy(&w, s + i, 8);
				memcpy(dst + i, &w, 8);
			}
		} else {
			memcpy(dst, s, n);
		}
		dst[n] = '\0';
		*len_out = n;
	} else {
		long n = decode_escapes(ps, s, (size_t)(p - s), dst);
		if (n < 0)
			return HX_EINVALID;
		*len_out = (size_t)n;
	}
	*out = dst;
	if (plain_out)
		*plain_out = !escapes;
	return 0;
}

/* parse_string with the usual lazy case inline: a string of plain ASCII
 * whose closing quote is within the first 64 bytes is borrowed after a few
 * 16-byte scans, without the call and the frame of the general code. */
static inline int parse_string(parser *ps, const char **out, size_t *len_out, int *plain_out)
{
#ifdef HX_JSON_SSE2
	if (ps->lazy) {
		const unsigned char *s = ps->p + 1, *p = s;
		while (ps->end - p >= 16 && p - s < 64) {
			unsigned quotes, m = hx_json_special_mask16(p, &quotes);
			if (m) {
				if (!(quotes & m & (0u - m)))
					break; /* an escape or a special byte comes first */
				p += __builtin_ctz(m);
				*out = (const char *)s;
				*len_out = (size_t)(p - s);
				if (plain_out)
					*plain_out = 1;
				ps->p = p + 1;
				return 0;
			}
			p += 16;
		}
	}
#endif
	return parse_string_full(ps, out, len_out, plain_out);
}

static int parse_value(parser *ps, hx_json **out);

/* First 8 bytes of a key, zero-padded, for cheap duplicate tests. read8:
 * 8 bytes at k may be read even when the key is shorter (true of arena
 * blocks; a key borrowed from the input needs the input to go on). The
 * masked word equals the short copy, so both kinds compare alike. */
static inline uint64_t key_prefix(const char *k, size_t n, int read8)
{
	uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (read8 || n >= 8) {
		/* one load: a short memcpy into w would go through memory
		 * (and stall the load that follows) */
		memcpy(&w, k, 8);
		if (n < 8)
			w &= ((uint64_t)1 << (8 * n)) - 1;
		return w;
	}
#else
	(void)read8;
#endif
	memcpy(&w, k, n < 8 ? n : 8);
	return w;
}

static void mstack_push(parser *ps, const char *key, size_t key_len, hx_json *value, size_t off)
{
	hx_arena *a = ps->a;
	scratch_member *m;
	if (ps->msp == a->mcap) {
		a->mcap = a->mcap ? a->mcap * 2 : 64;
		a->mstack = hx_xrealloc(a->mstack, a->mcap * sizeof(*a->mstack));
	}
	m = &a->mstack[ps->msp++];
	m->m.key = key;
	m->m.key_len = key_len;
	m->m.value = value;
	m->off = off;
	/* a key outside the input is an arena block */
	m->prefix = key_prefix(key, key_len,
			       (uintptr_t)key - (uintptr_t)ps->start >= (uintptr_t)(ps->end - ps->start) ||
				       ps->end - (const unsigned char *)key >= 8);
}

static void vstack_push(parser *ps, hx_json *v)
{
	hx_arena *a = ps->a;
	if (ps->vsp == a->vcap) {
		a->vcap = a->vcap ? a->vcap * 2 : 64;
		a->vstack = hx_xrealloc(a->vstack, a->vcap * sizeof(*a->vstack));
	}
	a->vstack[ps->vsp++] = v;
}

static int cmp_scratch_key(const void *x, const void *y)
{
	const scratch_member *a = *(const scratch_member *const *)x;
	const scratch_member *b = *(const scratch_member *const *)y;
	size_t n = a->m.key_len < b->m.key_len ? a->m.key_len : b->m.key_len;
	int r = memcmp(a->m.key, b->m.key, n);
	if (r)
		return r;
	if (a->m.key_len != b->m.key_len)
		return a->m.key_len < b->m.key_len ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

static int fail_duplicate(parser *ps, const scratch_member *m)
{
	char shown[64];
	size_t i, n = m->m.key_len < sizeof(shown) - 1 ? m->m.key_len : sizeof(shown) - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)m->m.key[i];
		shown[i] = c < 0x20 ? '?' : (char)c;
	}
	shown[n] = '\0';
	return hx_json_fail(ps, ps->start + m->off, "duplicate key '%s'", shown);
}

/* Members base..ps->msp of the scratch stack: report a duplicate key. Small
 * objects use a hash filter and pairwise compares; larger ones sort a
 * scratch array of pointers. */
static int check_duplicates(parser *ps, size_t base)
{
	scratch_member *ms = ps->a->mstack + base;
	size_t n = ps->msp - base, i, j;
	const scratch_member **sorted;
	int rc = 0;
	if (n <= 32) {
		/* A 128-bit filter of (prefix, length) hashes: only a key whose
		 * bit is already set is compared with the keys before it. */
		uint64_t seen[2] = {0, 0};
		for (i = 0; i < n; i++) {
			uint64_t h = (ms[i].prefix ^ ms[i].m.key_len) * 0x9e3779b97f4a7c15ULL;
			unsigned bit = (unsigned)(h >> 57);
			uint64_t b = (uint64_t)1 << (bit & 63);
			if (seen[bit >> 6] & b) {
				for (j = 0; j < i; j++)
					if (ms[i].prefix == ms[j].prefix &&
					    ms[i].m.key_len == ms[j].m.key_len &&
					    (ms[i].m.key_len <= 8 ||
					     memcmp(ms[i].m.key + 8, ms[j].m.key + 8, ms[i].m.key_len - 8) == 0))
						return fail_duplicate(ps, &ms[i]);
			}
			seen[bit >> 6] |= b;
		}
		return 0;
	}
	sorted = hx_xmalloc(n * sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = &ms[i];
	qsort(sorted, n, sizeof(*sorted), cmp_scratch_key);
	for (i = 1; i < n; i++)
		if (sorted[i]->m.key_len == sorted[i - 1]->m.key_len &&
		    memcmp(sorted[i]->m.key, sorted[i - 1]->m.key, sorted[i]->m.key_len) == 0) {
			/* sorted by offset among equals: report the later one */
			rc = fail_duplicate(ps, sorted[i]);
			break;
		}
	free(sorted);
	return rc;
}

/* After an object member or array item: 1 when a ',' says another follows,
 * 0 when `close` ends the container (consumed), or an error (a trailing
 * comma, anything else). */
static int after_item(parser *ps, char close)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ',') {
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == (unsigned char)close)
			return hx_json_fail(ps, ps->p, "trailing comma");
		return 1;
	}
	if (ps->p < ps->end && *ps->p == (unsigned char)close) {
		ps->p++;
		return 0;
	}
	return close == '}' ? fail_unexpected(ps, ps->p, " (expected ',' or '}')")
			    : fail_unexpected(ps, ps->p, " (expected ',' or ']')");
}

static int parse_object(parser *ps, hx_json **out)
{
	const unsigned char *open = ps->p;
	size_t base = ps->msp, n, i;
	hx_json *v;
	int rc;
	if (++ps->depth > HX_JSON_MAX_DEPTH)
		return hx_json_fail(ps, open, "nesting deeper than %d", HX_JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		goto build;
	}
	for (;;) {
		const char *key;
		size_t key_len, off = (size_t)(ps->p - ps->start);
		hx_json *val;
		if (ps->p >= ps->end || *ps->p != '"')
			return fail_unexpected(ps, ps->p, " (expected a string key)");
		if ((rc = parse_string(ps, &key, &key_len, NULL)) < 0)
			return rc;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail_unexpected(ps, ps->p, " (expected ':')");
		ps->p++;
		skip_ws(ps);
		/* strings and lazy numbers, the usual member values, without the
		 * call (parse_value does the same for them) */
		if (ps->p < ps->end && *ps->p == '"') {
			val = node_new(ps->a, HX_JSON_STRING);
			if ((rc = parse_string(ps, &val->u.string.ptr, &val->u.string.len,
					       &val->u.string.plain)) < 0)
				return rc;
		} else if (ps->lazy && ps->p < ps->end &&
			   (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))) {
			val = node_new(ps->a, HX_JSON_NUMBER);
			if ((rc = hx_json_parse_number_lazy(ps, val)) < 0)
				return rc;
		} else if ((rc = parse_value(ps, &val)) < 0) {
			return rc;
		}
		mstack_push(ps, key, key_len, val, off);
		if ((rc = after_item(ps, '}')) <= 0) {
			if (rc < 0)
				return rc;
			break;
		}
	}
build:
	n = ps->msp - base;
	if (n > 1 && (rc = check_duplicates(ps, base)) < 0)
		return rc;
	v = node_new(ps->a, HX_JSON_OBJECT);
	v->u.object.len = n;
	if (n) {
		hx_json_member *ms = arena_alloc(ps->a, n * sizeof(*ms));
		for (i = 0; i < n; i++)
			ms[i] = ps->a->mstack[base + i].m;
		v->u.object.members = ms;
	}
	ps->msp = base;
	ps->depth--;
	*out = v;
	return 0;
}

static int parse_array(parser *ps, hx_json **out)
{
	const unsigned char *open = ps->p;
	size_t base = ps->vsp, n;
	hx_json *v;
	int rc;
	if (++ps->depth > HX_JSON_MAX_DEPTH)
		return hx_json_fail(ps, open, "nesting deeper than %d", HX_JSON_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		goto build;
	}
	for (;;) {
		hx_json *item;
		if ((rc = parse_value(ps, &item)) < 0)
			return rc;
		vstack_push(ps, item);
		if ((rc = after_item(ps, ']')) <= 0) {
			if (rc < 0)
				return rc;
			break;
		}
	}
build:
	n = ps->vsp - base;
	v = node_new(ps->a, HX_JSON_ARRAY);
	v->u.array.len = n;
	if (n) {
		hx_json **items = arena_alloc(ps->a, n * sizeof(*items));
		memcpy(items, ps->a->vstack + base, n * sizeof(*items));
		v->u.array.items = items;
	}
	ps->vsp = base;
	ps->depth--;
	*out = v;
	return 0;
}

static int parse_literal(parser *ps, hx_json **out)
{
	const unsigned char *p = ps->p, *q = p;
	size_t n;
	while (q < ps->end && q - p < 40 &&
	       ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		*q == '_'))
		q++;
	n = (size_t)(q - p);
	if (n == 4 && memcmp(p, "true", 4) == 0) {
		*out = node_new(ps->a, HX_JSON_TRUE);
	} else if (n == 5 && memcmp(p, "false", 5) == 0) {
		*out = node_new(ps->a, HX_JSON_FALSE);
	} else if (n == 4 && memcmp(p, "null", 4) == 0) {
		*out = node_new(ps->a, HX_JSON_NULL);
	} else {
		return hx_json_fail(ps, p, "invalid literal '%.*s'", (int)n, p);
	}
	ps->p = q;
	return 0;
}

static int parse_value(parser *ps, hx_json **out)
{
	const unsigned char *p = ps->p;
	hx_json *v;
	int rc;
	if (p >= ps->end)
		return fail_unexpected(ps, p, "");
	switch (*p) {
	case '{':
		return parse_object(ps, out);
	case '[':
		return parse_array(ps, out);
	case '"':
		v = node_new(ps->a, HX_JSON_STRING);
		if ((rc = parse_string(ps, &v->u.string.ptr, &v->u.string.len,
					 &v->u.string.plain)) < 0)
			return rc;
		*out = v;
		return 0;
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		v = node_new(ps->a, HX_JSON_NUMBER);
		if (ps->nonfinite && !ps->lazy && *p == '-' && hx_json_parse_nonfinite(ps, v)) {
			*out = v;
			return 0;
		}
		if ((rc = ps->lazy ? hx_json_parse_number_lazy(ps, v) : hx_json_parse_number(ps, &v->u.number)) < 0)
			return rc;
		*out = v;
		return 0;
	default:
		if (ps->nonfinite && (*p == 'N' || *p == 'I')) {
			v = node_new(ps->a, HX_JSON_NUMBER);
			if (hx_json_parse_nonfinite(ps, v)) {
				*out = v;
				return 0;
			}
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			return parse_literal(ps, out);
		return fail_unexpected(ps, p, "");
	}
}

static int parse_doc(hx_json **out, hx_arena *arena, const char *text, size_t len,
		     hx_json_error *err, int flags)
{
	parser ps;
	hx_json *v = NULL;
	int rc;
	ps.start = ps.p = (const unsigned char *)text;
	ps.end = ps.start + len;
	ps.a = arena;
	ps.err = err;
	ps.msp = ps.vsp = 0;
	ps.depth = 0;
	ps.lazy = (flags & HX_JSON_LAZY) != 0;
	ps.nonfinite = (flags & HX_JSON_NONFINITE) != 0;
	skip_ws(&ps);
	if ((rc = parse_value(&ps, &v)) < 0)
		return rc;
	skip_ws(&ps);
	if (ps.p < ps.end)
		return fail_unexpected(&ps, ps.p, " after value");
	*out = v;
	return 0;
}

int hx_json_parse(hx_json **out, hx_arena *arena, const char *text, size_t len,
		  hx_json_error *err)
{
	return parse_doc(out, arena, text, len, err, 0);
}

int hx_json_parse_flags(hx_json **out, hx_arena *arena, const char *text, size_t len,
			int flags, hx_json_error *err)
{
	return parse_doc(out, arena, text, len, err, flags);
}

int hx_json_parse_lazy(hx_json **out, hx_arena *arena, const char *text, size_t len,
		       hx_json_error *err)
{
	return parse_doc(out, arena, text, len, err, HX_JSON_LAZY);
}

/* ---------------------------------------------------------------- tree */

hx_json *hx_json_get(const hx_json *obj, const char *key)
{
	size_t i, n;
	if (!obj || obj->type != HX_JSON_OBJECT)
		return NULL;
	n = strlen(key);
	for (i = 0; i < obj->u.object.len; i++) {
		const hx_json_member *m = &obj->u.object.members[i];
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return m->value;
	}
	return NULL;
}

hx_json *hx_json_new(hx_arena *a, hx_json_type type)
{
	return node_new(a, type);
}

hx_json *hx_json_new_number(hx_arena *a, double v)
{
	hx_json *j = node_new(a, HX_JSON_NUMBER);
	j->u.number = v;
	return j;
}

hx_json *hx_json_new_string(hx_arena *a, const char *s, size_t len)
{
	hx_json *j = node_new(a, HX_JSON_STRING);
	j->u.string.ptr = hx_arena_strndup(a, s, len);
	j->u.string.len = len;
	return j;
}

int hx_json_equal(const hx_json *a, const hx_json *b)
{
	size_t i, j;
	if (a == b)
		return 1;
	if (!a || !b || a->type != b->type)
		return 0;
	switch (a->type) {
	case HX_JSON_NULL:
	case HX_JSON_FALSE:
	case HX_JSON_TRUE:
		return 1;
	case HX_JSON_NUMBER:
		return a->u.number == b->u.number; /* -0 == 0 */
	case HX_JSON_STRING:
		return a->u.string.len == b->u.string.len &&
		       memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len) == 0;
	case HX_JSON_ARRAY:
		if (a->u.array.len != b->u.array.len)
			return 0;
		for (i = 0; i < a->u.array.len; i++)
			if (!hx_json_equal(a->u.array.items[i], b->u.array.items[i]))
				return 0;
		return 1;
	case HX_JSON_OBJECT:
		if (a->u.object.len != b->u.object.len)
			return 0;
		for (i = 0; i < a->u.object.len; i++) {
			const hx_json_member *m = &a->u.object.members[i];
			const hx_json *other = NULL;
			for (j = 0; j < b->u.object.len; j++) {
				const hx_json_member *o = &b->u.object.members[j];
				if (o->key_len == m->key_len && memcmp(o->key, m->key, m->key_len) == 0) {
					other = o->value;
					break;
				}
			}
			if (!other || !hx_json_equal(m->value, other))
				return 0;
		}
		return 1;
	}
	return 0;
}

typedef struct {
	const char *path;
	int (*fn)(void *ctx, const hx_json *rec, size_t lineno);
	void *ctx;
	hx_arena *arena;
	unsigned long n;
} jsonl_walk;

static int jsonl_line(void *ctx, const char *line, size_t len, size_t lineno)
{
	jsonl_walk *w = ctx;
	hx_json *rec;
	hx_json_error je;
	int err;
	hx_arena_reset(w->arena);
	if (hx_json_parse(&rec, w->arena, line, len, &je) != 0) {
		hx_error_set("%s:%zu:%zu: %s", w->path, lineno, je.column, je.msg);
		return HX_EINVALID;
	}
	if ((err = w->fn(w->ctx, rec, lineno)) != 0)
		return err;
	w->n++;
	return 0;
}

int hx_jsonl_each(const char *path, int (*fn)(void *ctx, const hx_json *rec, size_t lineno),
		  void *ctx, unsigned long *count)
{
	jsonl_walk w = {path, fn, ctx, hx_arena_new(), 0};
	int fd, err;

	if ((err = hx_file_open_read(&fd, path)) == 0) {
		/* in blocks (lines.h): memory is the longest line, not the file */
		err = hx_lines_each(fd, path, NULL, jsonl_line, &w, NULL);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (count)
		*count = w.n;
	hx_arena_free(w.arena);
	return err;
}
