#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"

typedef struct {
	char **v;
	size_t n, cap;
} names;

static void push(names *ns, char *s)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = hx_xrealloc(ns->v, ns->cap * sizeof(char *));
	}
	ns->v[ns->n++] = s;
}

static void names_free(names *ns)
{
	size_t i;
	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int valid_module(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '/' || *s == '\\')
			return 0;
	return 1;
}

static int load_list(names *ns, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	size_t lineno = 0;
	char *line, *save = NULL;
	int err;

	if ((err = hx_file_read_spec(&text, path)) != 0)
		goto done;
	/* strtok_r skips empty lines, which would throw line numbers off:
	 * walk the lines by hand. */
	for (line = text.ptr; line && *line; line = save) {
		char *nl = strchr(line, '\n'), *hash, *a, *b;
		lineno++;
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		for (a = line; *a == ' ' || *a == '\t' || *a == '\r'; a++)
			;
		for (b = a + strlen(a); b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'); b--)
			;
		*b = '\0';
		if (!*a)
			continue;
		if (!valid_module(a)) {
			hx_error_set("%s:%zu: invalid module name '%s'", path, lineno, a);
			err = HX_EINVALID;
			goto done;
		}
		push(ns, hx_xstrdup(a));
	}
done:
	hx_buf_release(&text);
	return err;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* rel is the path below the corpus root ("" at the top). */
static int scan_dir(names *ns, const char *root, const char *rel, const char *ext)
{
	char *dirpath = rel[0] ? hx_path_join(root, rel) : hx_xstrdup(root);
	DIR *d = opendir(dirpath);
	struct dirent *de;
	int err = 0;

	if (!d) {
		hx_error_set_errno(errno, "cannot open directory '%s'", dirpath);
		free(dirpath);
		return HX_ESYSTEM;
	}
	while (!err && (de = readdir(d)) != NULL) {
		char *sub, *full;
		struct stat st;
		if (de->d_name[0] == '.')
			continue; /* ., .., .lake, .git */
		sub = rel[0] ? hx_path_join(rel, de->d_name) : hx_xstrdup(de->d_name);
		full = hx_path_join(root, sub);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			err = scan_dir(ns, root, sub, ext);
		} else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			const char *e = NULL;
			if (ext ? has_suffix(sub, ext) : (has_suffix(sub, ".lean") || has_suffix(sub, ".v")))
				e = strrchr(sub, '.');
			if (e) {
				char *name = hx_xstrdup(sub), *p;
				name[e - sub] = '\0';
				for (p = name; *p; p++)
					if (*p == '/')
						*p = '.';
				push(ns, name);
			}
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(dirpath);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int apply_filter(names *ns, const char *pattern)
{
	regex_t re;
	char msg[128];
	size_t i, kept = 0;
	int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		hx_error_set("invalid corpus filter '%s': %s", pattern, msg);
		return HX_EINVALID;
	}
	for (i = 0; i < ns->n; i++) {
		if (regexec(&re, ns->v[i], 0, NULL, 0) == 0)
			ns->v[kept++] = ns->v[i];
		else
			free(ns->v[i]);
	}
	ns->n = kept;
	regfree(&re);
	return 0;
}

/* The first few of names v[0..n) quoted, then "and N more". */
static char *name_list(char **v, size_t n)
{
	hx_buf b = HX_BUF_INIT;
	size_t i, shown = n < 3 ? n : 3;
	for (i = 0; i < shown; i++)
		hx_buf_printf(&b, "%s'%s'", i == 0 ? "" : i + 1 == n ? " and " : ", ", v[i]);
	if (n > shown)
		hx_buf_printf(&b, " and %zu more", n - shown);
	return hx_buf_detach(&b, NULL);
}

/* Modules whose file the engine would not find (corpus.h). */
static int check_files(names *ns, hx_corpus *out, const hx_spec *spec)
{
	const hx_spec_engine *e = &spec->engine;
	names missing = {0};
	size_t i, kept = 0;
	char *list;

	if (!e->require_module_file || !e->root || strcmp(spec->corpus_kind, "dir") == 0)
		return 0;
	for (i = 0; i < ns->n; i++) {
		char *path = hx_corpus_module_path(e->root, ns->v[i], e->extension);
		if (hx_path_exists(path))
			ns->v[kept++] = ns->v[i];
		else
			push(&missing, ns->v[i]);
		free(path);
	}
	ns->n = kept;
	if (!missing.n)
		return 0;
	list = name_list(missing.v, missing.n);
	if (!spec->corpus_missing_skip) {
		hx_error_set("%zu of %zu corpus modules %s no file under '%s': %s (to leave them "
			     "out: 'missing: skip' in the spec's corpus, or calibrate --skip-missing)",
			     missing.n, missing.n + kept, missing.n == 1 ? "has" : "have", e->root,
			     list);
		free(list);
		names_free(&missing);
		return HX_EINVALID;
	}
	out->skipped = missing.n;
	out->skipped_text = list;
	names_free(&missing);
	return 0;
}

int hx_corpus_load(hx_corpus *out, const hx_spec *spec)
{
	names ns = {0};
	long i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (strcmp(spec->corpus_kind, "synthetic") == 0) {
		/* Synthetic names have no files: a real engine that needs them
		 * sees every one missing, so they are listed and checked. */
		if (!spec->corpus_filter && !spec->engine.require_module_file) {
			out->n = (size_t)spec->corpus_modules;
			return 0;
		}
		for (i = 0; i < spec->corpus_modules; i++) {
			char buf[64];
			push(&ns, hx_xstrdup(hx_corpus_name(out, (size_t)i, buf, sizeof(buf))));
		}
	} else if (strcmp(spec->corpus_kind, "list") == 0) {
		err = load_list(&ns, spec->corpus_path);
	} else {
		err = scan_dir(&ns, spec->corpus_path, "", spec->engine.extension);
		if (!err)
			qsort(ns.v, ns.n, sizeof(char *), cmp_str);
	}
	if (!err && spec->corpus_filter)
		err = apply_filter(&ns, spec->corpus_filter);
	if (!err)
		err = check_files(&ns, out, spec);
	if (!err && ns.n == 0) {
		hx_error_set("the corpus of '%s' has no modules%s%s%s", spec->path,
			     spec->corpus_filter ? " matching '" : "",
			     spec->corpus_filter ? spec->corpus_filter : "",
			     spec->corpus_filter ? "'" : "");
		err = HX_EINVALID;
	}
	if (err) {
		names_free(&ns);
		free(out->skipped_text);
		out->skipped_text = NULL;
		return err;
	}
	out->names = ns.v;
	out->n = ns.n;
	return 0;
}

void hx_corpus_release(hx_corpus *c)
{
	size_t i;
	free(c->skipped_text);
	if (c->names) {
		for (i = 0; i < c->n; i++)
			free(c->names[i]);
		free(c->names);
	}
	memset(c, 0, sizeof(*c));
}

const char *hx_corpus_name(const hx_corpus *c, size_t i, char *buf, size_t size)
{
	if (c->names)
		return c->names[i];
	snprintf(buf, size, "Synthetic.Proof%06zu", i);
	return buf;
}

char *hx_corpus_module_path(const char *root, const char *module, const char *ext)
{
	hx_buf b = HX_BUF_INIT;
	const char *p;
	hx_buf_puts(&b, root);
	if (b.len && b.ptr[b.len - 1] != '/')
		hx_buf_putc(&b, '/');
	for (p = module; *p; p++)
		hx_buf_putc(&b, *p == '.' ? '/' : *p);
	if (ext)
		hx_buf_puts(&b, ext);
	return hx_buf_detach(&b, NULL);
}
