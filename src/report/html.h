/* html.h - the pieces every HTML report is made of.
 *
 * A report is one self-contained file: inline CSS and inline SVG figures,
 * no script, nothing fetched. It reads on a phone (the figures scale to the
 * width, wide tables scroll sideways) and prints (no page break inside a
 * figure or a table row). No clock: a report depends on its inputs only,
 * so the same inputs give the same bytes.
 *
 * Building one: hx_html_begin, then sections written with the helpers
 * below or hx_buf_printf (every text from data goes through
 * hx_html_escape), figures added with hx_html_figure, then hx_html_end.
 * hx_report_write writes the HTML and each figure's SVG beside it.
 */
#ifndef HX_REPORT_HTML_H
#define HX_REPORT_HTML_H

#include <stddef.h>

#include "buf.h"

/* <!DOCTYPE html>, head (charset, viewport, title, the stylesheet), <body>,
 * <main> and an <h1> with the title. */
void hx_html_begin(hx_buf *out, const char *title);
/* </main></body></html>. */
void hx_html_end(hx_buf *out);

/* s escaped for text and attribute values (& < > " '); bytes that are not
 * UTF-8 and C0 controls other than tab/LF become U+FFFD. NULL appends
 * nothing. */
void hx_html_escape(hx_buf *out, const char *s);
/* <tag>escaped text</tag>, e.g. hx_html_elem(out, "h2", "FAST"). */
void hx_html_elem(hx_buf *out, const char *tag, const char *text);
/* A verdict word in its colour: PASS and match green, FAIL and MISMATCH
 * vermillion, SKIP and others grey (the class is the lowercased word:
 * .pass .fail .skip .match .mismatch .error .missing). */
void hx_html_badge(hx_buf *out, const char *word);
/* A two-column table of names and values (a definition list look):
 * kv[0], kv[1], kv[2], ... pairs; a NULL value is shown as "-". */
void hx_html_kv_table(hx_buf *out, const char *const *kv, size_t npairs);
/* <pre> with the escaped text (diffs, logs). */
void hx_html_pre(hx_buf *out, const char *text);

/* A figure of a report: its file name stem (letters, digits, '-', '_',
 * '.'; unique within the report) and its SVG text. */
typedef struct {
	char *name; /* owned */
	hx_buf svg;
} hx_report_fig;

typedef struct {
	hx_report_fig *items;
	size_t n, cap;
	char prefix[128]; /* of the figures' file names (hx_report_write) */
} hx_report_figs;

/* html_path: where the report will be written (it sets the prefix). */
void hx_report_figs_init(hx_report_figs *f, const char *html_path);
void hx_report_figs_release(hx_report_figs *f);
/* Add a figure named name (printf-style) and return its SVG buffer, for
 * hx_plot_end to fill. */
hx_buf *hx_report_figs_add(hx_report_figs *f, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* The figure inline: <figure id="fig-NAME"> with the SVG (its XML
 * declaration and doctype removed, sized by the viewBox to the column's
 * width) and a <figcaption> with the escaped caption and a link to the
 * figure's own file (figures/PREFIXNAME.svg, see hx_report_write). */
void hx_html_figure(hx_buf *out, const hx_report_figs *figs, size_t index, const char *caption);

/* Write html to html_path and each figure to DIR/figures/PREFIXNAME.svg
 * beside it, where DIR is html_path's directory and PREFIX is "" when the
 * file is named report.html, else its stem and "-" (nightly.html gives
 * figures/nightly-NAME.svg). Every file is written atomically (temp file,
 * then rename); the directories are created. Figures first, the HTML
 * last, so a report never links a figure that is not there. */
int hx_report_write(const char *html_path, const hx_buf *html, const hx_report_figs *figs);
/* The same figures' files alone (no HTML). */
int hx_report_write_figures(const char *html_path, const hx_report_figs *figs);

#endif
