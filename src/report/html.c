/* html.c - the pieces every HTML report is made of (html.h). */
#include "report/html.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"

/* Okabe-Ito colours as plot.h's; system fonts; figures scale to the
 * column; wide tables scroll; nothing breaks across a printed page. */
static const char stylesheet[] =
	":root{color-scheme:light;--fg:#1a1a1a;--muted:#5f5f5f;--line:#d0d0d0;"
	"--pass:#009E73;--fail:#D55E00;--skip:#999999;--bg2:#f5f5f5}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:var(--fg);background:#fff}"
	"main{max-width:980px;margin:0 auto;padding:12px 16px 40px}"
	"h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;"
	"border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:1.1em 0 .3em}"
	"p.note{color:var(--muted);font-size:.92em}"
	".scroll{overflow-x:auto;max-width:100%}"
	"table{border-collapse:collapse;margin:.4em 0;font-variant-numeric:tabular-nums}"
	"th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;"
	"vertical-align:top}th{background:var(--bg2)}td.num{text-align:right}"
	"table.kv th{background:none;color:var(--muted);font-weight:normal}"
	".badge{display:inline-block;padding:0 .45em;border-radius:3px;color:#fff;"
	"font-weight:600;font-size:.9em}"
	".pass,.match{background:var(--pass)}.fail,.mismatch,.error{background:var(--fail)}"
	".skip,.missing,.other{background:var(--skip)}"
	"tr.sig td{font-weight:600}"
	"figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}"
	"figure svg{display:block;width:100%;max-width:760px;height:auto}"
	"figcaption{color:var(--muted);font-size:.9em}"
	"pre{background:var(--bg2);padding:8px;overflow-x:auto;font-size:.85em}"
	"tr,pre{break-inside:avoid;page-break-inside:avoid}"
	"@media print{main{max-width:none}a{color:inherit;text-decoration:none}"
	"figcaption a{display:none}}";

void hx_html_begin(hx_buf *out, const char *title)
{
	hx_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			 "<title>");
	hx_html_escape(out, title);
	hx_buf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", stylesheet);
	hx_html_escape(out, title);
	hx_buf_puts(out, "</h1>\n");
}

void hx_html_end(hx_buf *out)
{
	hx_buf_puts(out, "</main>\n</body>\n</html>\n");
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

void hx_html_escape(hx_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!s)
		return;
	while (*p) {
		size_t n;
		switch (*p) {
		case '&': hx_buf_puts(out, "&amp;"); p++; continue;
		case '<': hx_buf_puts(out, "&lt;"); p++; continue;
		case '>': hx_buf_puts(out, "&gt;"); p++; continue;
		case '"': hx_buf_puts(out, "&quot;"); p++; continue;
		case '\'': hx_buf_puts(out, "&#39;"); p++; continue;
		default: break;
		}
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F) {
			hx_buf_puts(out, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			hx_buf_puts(out, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		hx_buf_put(out, p, n);
		p += n;
	}
}

void hx_html_elem(hx_buf *out, const char *tag, const char *text)
{
	hx_buf_printf(out, "<%s>", tag);
	hx_html_escape(out, text);
	hx_buf_printf(out, "</%s>\n", tag);
}

void hx_html_badge(hx_buf *out, const char *word)
{
	static const char *const known[] = {"pass", "fail", "skip", "match", "mismatch",
					    "error", "missing"};
	char cls[16];
	size_t i;
	const char *c = "other";
	for (i = 0; word && word[i] && i + 1 < sizeof(cls); i++)
		cls[i] = (char)tolower((unsigned char)word[i]);
	cls[i] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(cls, known[i]) == 0)
			c = known[i];
	hx_buf_printf(out, "<span class=\"badge %s\">", c);
	hx_html_escape(out, word);
	hx_buf_puts(out, "</span>");
}

void hx_html_kv_table(hx_buf *out, const char *const *kv, size_t npairs)
{
	size_t i;
	hx_buf_puts(out, "<div class=\"scroll\"><table class=\"kv\">\n");
	for (i = 0; i < npairs; i++) {
		hx_buf_puts(out, "<tr><th>");
		hx_html_escape(out, kv[2 * i]);
		hx_buf_puts(out, "</th><td>");
		hx_html_escape(out, kv[2 * i + 1] ? kv[2 * i + 1] : "-");
		hx_buf_puts(out, "</td></tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

void hx_html_pre(hx_buf *out, const char *text)
{
	hx_buf_puts(out, "<pre>");
	hx_html_escape(out, text);
	hx_buf_puts(out, "</pre>\n");
}

void hx_report_figs_init(hx_report_figs *f, const char *html_path)
{
	const char *base = strrchr(html_path, '/');
	size_t len;
	memset(f, 0, sizeof(*f));
	base = base ? base + 1 : html_path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".html") == 0)
		len -= 5;
	if (len == 6 && strncmp(base, "report", 6) == 0)
		return;
	if (len > sizeof(f->prefix) - 2)
		len = sizeof(f->prefix) - 2;
	memcpy(f->prefix, base, len);
	f->prefix[len] = '-';
	f->prefix[len + 1] = '\0';
}

void hx_report_figs_release(hx_report_figs *f)
{
	size_t i;
	for (i = 0; i < f->n; i++) {
		free(f->items[i].name);
		hx_buf_release(&f->items[i].svg);
	}
	free(f->items);
	f->items = NULL;
	f->n = f->cap = 0;
}

hx_buf *hx_report_figs_add(hx_report_figs *f, const char *fmt, ...)
{
	hx_report_fig *g;
	hx_buf name = HX_BUF_INIT;
	va_list ap;
	size_t i;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->items = hx_xrealloc(f->items, f->cap * sizeof(*f->items));
	}
	va_start(ap, fmt);
	{
		char tmp[256];
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
		hx_buf_puts(&name, tmp);
	}
	va_end(ap);
	/* a file name: anything but [A-Za-z0-9._-] becomes '_' */
	for (i = 0; i < name.len; i++) {
		char c = name.ptr[i];
		if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_'))
			name.ptr[i] = '_';
	}
	g = &f->items[f->n++];
	g->name = hx_buf_detach(&name, NULL);
	hx_buf_init(&g->svg);
	return &g->svg;
}

/* The SVG without what only a standalone file needs: the XML declaration
 * and the doctype; width and height attributes in pt are left out so the
 * stylesheet sizes it by its viewBox. */
/* body with every id="X" and url(#X) made id="P-X", url(#P-X): ids are
 * per document, and a report inlines many figures (PLplot's svg driver
 * names its text clip paths text-clipping0, 1, ... in every file). */
static void put_prefixed_ids(hx_buf *out, const char *p, const char *end, const char *prefix)
{
	const char *run = p;
	while (p < end) {
		size_t skip = 0;
		if ((size_t)(end - p) >= 4 && memcmp(p, "id=\"", 4) == 0 &&
		    (p == run || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t'))
			skip = 4;
		else if ((size_t)(end - p) >= 5 && memcmp(p, "url(#", 5) == 0)
			skip = 5;
		if (!skip) {
			p++;
			continue;
		}
		hx_buf_put(out, run, (size_t)(p - run) + skip);
		hx_buf_puts(out, prefix);
		hx_buf_putc(out, '-');
		p += skip;
		run = p;
	}
	hx_buf_put(out, run, (size_t)(end - run));
}

static void inline_svg(hx_buf *out, const char *svg, size_t len, const char *id_prefix)
{
	const char *end = svg + len, *tag = strstr(svg, "<svg"), *p, *close;
	if (!tag)
		return;
	close = memchr(tag, '>', (size_t)(end - tag));
	if (!close)
		return;
	/* the start tag, attribute by attribute (one per line, as the svg
	 * driver writes them), without width and height */
	hx_buf_puts(out, "<svg role=\"img\"");
	p = tag + 4;
	while (p < close) {
		const char *nl = memchr(p, '\n', (size_t)(close - p));
		const char *stop = nl ? nl + 1 : close, *q = p;
		while (q < stop && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (strncmp(q, "width=\"", 7) != 0 && strncmp(q, "height=\"", 8) != 0)
			hx_buf_put(out, p, (size_t)(stop - p));
		p = stop;
	}
	put_prefixed_ids(out, close, end, id_prefix);
}

void hx_html_figure(hx_buf *out, const hx_report_figs *figs, size_t index, const char *caption)
{
	const hx_report_fig *g = &figs->items[index];
	hx_buf prefix = HX_BUF_INIT;
	hx_buf_printf(&prefix, "fig-%s", g->name);
	hx_buf_puts(out, "<figure id=\"");
	hx_html_escape(out, prefix.ptr);
	hx_buf_puts(out, "\">\n");
	inline_svg(out, g->svg.ptr ? g->svg.ptr : "", g->svg.len, prefix.ptr);
	hx_buf_release(&prefix);
	hx_buf_puts(out, "<figcaption>");
	hx_html_escape(out, caption);
	hx_buf_puts(out, " <a href=\"figures/");
	hx_html_escape(out, figs->prefix);
	hx_html_escape(out, g->name);
	hx_buf_puts(out, ".svg\">SVG</a></figcaption>\n</figure>\n");
}

int hx_report_write_figures(const char *html_path, const hx_report_figs *figs)
{
	char *dir = hx_path_dirname(html_path), *figdir = hx_path_join(dir, "figures"), *path;
	int err = 0;
	size_t i;
	hx_buf name = HX_BUF_INIT;
	if (figs->n)
		err = hx_mkdirs(figdir, 0777);
	for (i = 0; !err && i < figs->n; i++) {
		hx_buf_reset(&name);
		hx_buf_printf(&name, "%s%s.svg", figs->prefix, figs->items[i].name);
		path = hx_path_join(figdir, name.ptr);
		err = hx_file_write_atomic(path, figs->items[i].svg.ptr ? figs->items[i].svg.ptr : "",
					   figs->items[i].svg.len);
		free(path);
	}
	hx_buf_release(&name);
	free(figdir);
	free(dir);
	return err;
}

int hx_report_write(const char *html_path, const hx_buf *html, const hx_report_figs *figs)
{
	int err = figs ? hx_report_write_figures(html_path, figs) : 0;
	if (!err)
		err = hx_file_write_atomic(html_path, html->ptr ? html->ptr : "", html->len);
	return err;
}
