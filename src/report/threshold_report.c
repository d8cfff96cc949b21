/* threshold_report.c - report.html of a threshold calibration
 * (threshold_report.h). */
#include "report/threshold_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot.h"
#include "threshold/curve.h"

#define FIG_W 640
#define FIG_H 420
#define THIN_EPS 1e-3

/* The points of c as arrays, in curve order. */
typedef struct {
	double *tau, *tpr, *fpr, *precision, *f1;
	size_t n;
} kept_points;

static void kept_init(kept_points *k, const hx_threshold_curve *c)
{
	size_t i, m = 0;
	k->tau = hx_xcalloc(c->n + 1, sizeof(double));
	k->tpr = hx_xcalloc(c->n + 1, sizeof(double));
	k->fpr = hx_xcalloc(c->n + 1, sizeof(double));
	k->precision = hx_xcalloc(c->n + 1, sizeof(double));
	k->f1 = hx_xcalloc(c->n + 1, sizeof(double));
	for (i = 0; i < c->n; i++) {
		k->tau[m] = c->pts[i].tau;
		k->tpr[m] = c->pts[i].tpr;
		k->fpr[m] = c->pts[i].fpr;
		k->precision[m] = c->pts[i].precision;
		k->f1[m] = c->pts[i].f1;
		m++;
	}
	k->n = m;
}

static void kept_release(kept_points *k)
{
	free(k->tau);
	free(k->tpr);
	free(k->fpr);
	free(k->precision);
	free(k->f1);
}

static const hx_tau_row *chosen(const hx_threshold_result *r)
{
	return r->best >= 0 ? &r->rows[r->best] : NULL;
}

static void tau_label(char *b, size_t n, const hx_tau_row *row)
{
	snprintf(b, n, "tau %.4g", row->tau);
}

static int roc_figure(hx_report_figs *figs, const hx_threshold_result *r, const kept_points *k)
{
	static const double diag[2] = {0, 1};
	const hx_tau_row *best = chosen(r);
	char title[160], curve_key[64], best_key[64];
	hx_plot_axes ax;
	hx_plot_key keys[3];
	size_t nk = 0;
	hx_plot *p = hx_plot_begin(FIG_W, FIG_H);
	memset(&ax, 0, sizeof(ax));
	if (isnan(r->auroc_se))
		snprintf(title, sizeof(title), "ROC curve: AUROC %.4f", r->auroc);
	else
		snprintf(title, sizeof(title), "ROC curve: AUROC %.4f (95%% CI %.4f - %.4f)",
			 r->auroc, r->auroc_lo, r->auroc_hi);
	ax.title = title;
	ax.xlabel = "false positive rate";
	ax.ylabel = "true positive rate (recall)";
	ax.xmin = 0;
	ax.xmax = 1;
	ax.ymin = 0;
	ax.ymax = 1.02;
	ax.grid = 1;
	hx_plot_frame(p, &ax);
	hx_plot_line(p, diag, diag, 2, HX_PLOT_GREY, HX_PLOT_DASHED);
	hx_plot_line(p, k->fpr, k->tpr, k->n, HX_PLOT_BLUE, HX_PLOT_SOLID);
	snprintf(curve_key, sizeof(curve_key), "ROC (AUROC %.4f)", r->auroc);
	keys[nk++] = (hx_plot_key){curve_key, HX_PLOT_BLUE, HX_PLOT_KEY_LINE, HX_PLOT_SOLID, 0};
	keys[nk++] = (hx_plot_key){"chance", HX_PLOT_GREY, HX_PLOT_KEY_LINE, HX_PLOT_DASHED, 0};
	if (best) {
		char lab[48];
		tau_label(lab, sizeof(lab), best);
		hx_plot_points(p, &best->fpr, &best->recall, 1, HX_PLOT_VERMILLION,
			       HX_PLOT_DIAMOND);
		hx_plot_text(p, best->fpr + 0.03, best->recall - 0.05, 0, lab, HX_PLOT_VERMILLION);
		snprintf(best_key, sizeof(best_key), "chosen %s", lab);
		keys[nk++] = (hx_plot_key){best_key, HX_PLOT_VERMILLION, HX_PLOT_KEY_POINT, 0,
					   HX_PLOT_DIAMOND};
	}
	hx_plot_legend(p, keys, nk, 3);
	return hx_plot_end(p, hx_report_figs_add(figs, "roc"));
}

static int pr_figure(hx_report_figs *figs, const hx_threshold_result *r, const kept_points *k)
{
	const hx_tau_row *best = chosen(r);
	char title[160], curve_key[64], base_key[64], best_key[64];
	hx_plot_axes ax;
	hx_plot_key keys[3];
	size_t nk = 0;
	hx_plot *p = hx_plot_begin(FIG_W, FIG_H);
	memset(&ax, 0, sizeof(ax));
	snprintf(title, sizeof(title), "Precision-recall curve: AP %.4f, PR-AUC %.4f", r->ap,
		 r->pr_auc);
	ax.title = title;
	ax.xlabel = "recall";
	ax.ylabel = "precision";
	ax.xmin = 0;
	ax.xmax = 1;
	ax.ymin = 0;
	ax.ymax = 1.3;
	ax.grid = 1;
	hx_plot_frame(p, &ax);
	hx_plot_hline(p, r->positive_rate, HX_PLOT_GREY, HX_PLOT_DASHED);
	hx_plot_line(p, k->tpr, k->precision, k->n, HX_PLOT_BLUE, HX_PLOT_SOLID);
	snprintf(curve_key, sizeof(curve_key), "PR (AP %.4f)", r->ap);
	snprintf(base_key, sizeof(base_key), "positive rate %.4f", r->positive_rate);
	keys[nk++] = (hx_plot_key){curve_key, HX_PLOT_BLUE, HX_PLOT_KEY_LINE, HX_PLOT_SOLID, 0};
	keys[nk++] = (hx_plot_key){base_key, HX_PLOT_GREY, HX_PLOT_KEY_LINE, HX_PLOT_DASHED, 0};
	if (best) {
		char lab[48];
		tau_label(lab, sizeof(lab), best);
		hx_plot_points(p, &best->recall, &best->precision, 1, HX_PLOT_VERMILLION,
			       HX_PLOT_DIAMOND);
		hx_plot_text(p, best->recall - 0.03, best->precision - 0.07, 1, lab,
			     HX_PLOT_VERMILLION);
		snprintf(best_key, sizeof(best_key), "chosen %s", lab);
		keys[nk++] = (hx_plot_key){best_key, HX_PLOT_VERMILLION, HX_PLOT_KEY_POINT, 0,
					   HX_PLOT_DIAMOND};
	}
	hx_plot_legend(p, keys, nk, 0);
	return hx_plot_end(p, hx_report_figs_add(figs, "pr"));
}

/* Precision, recall and F1 against tau: for tau in (v_{i-1}, v_i] the
 * values at v_i (flag score >= tau), below the lowest score those at it,
 * above the highest nothing flagged. As a right-continuous step over
 * ascending x: x[0] = xmin with the values at the lowest score, then at
 * each score v the values at the next one up (the last: nothing flagged). */
static int tau_figure(hx_report_figs *figs, const hx_threshold_result *r, const kept_points *k)
{
	const hx_tau_row *best = chosen(r);
	double lo = r->score_min, hi = r->score_max;
	double *x = hx_xcalloc(k->n + 1, sizeof(double));
	double *y[3];
	size_t i, j, m = k->n;
	const double *src[3] = {k->precision, k->tpr, k->f1};
	static const char *const names[3] = {"precision", "recall", "F1"};
	static const hx_plot_color colors[3] = {HX_PLOT_BLUE, HX_PLOT_ORANGE, HX_PLOT_GREEN};
	char best_key[64];
	hx_plot_axes ax;
	hx_plot_key keys[5];
	size_t nk = 0;
	hx_plot *p;
	int err;

	hx_plot_nice_range(&lo, &hi, 0.04);
	for (j = 0; j < 3; j++)
		y[j] = hx_xcalloc(k->n + 1, sizeof(double));
	/* kept points are tau descending, k->tau[0] = +inf (nothing flagged) */
	for (i = 0; i < m; i++) {
		size_t asc = m - 1 - i; /* ascending index */
		x[i] = i == 0 ? lo : k->tau[asc + 1];
		for (j = 0; j < 3; j++)
			y[j][i] = src[j][asc];
	}
	p = hx_plot_begin(FIG_W, FIG_H);
	memset(&ax, 0, sizeof(ax));
	ax.title = "Precision, recall and F1 against tau (flagged: score >= tau)";
	ax.xlabel = "tau";
	ax.ylabel = "rate";
	ax.xmin = lo;
	ax.xmax = hi;
	ax.ymin = 0;
	ax.ymax = 1.7; /* room for the legend above 1 */
	ax.grid = 1;
	hx_plot_frame(p, &ax);
	if (r->nrows) {
		/* where the grid looked for tau */
		hx_plot_rect(p, r->rows[0].tau, r->rows[r->nrows - 1].tau, 0, 1, HX_PLOT_LIGHTGREY);
		keys[nk++] =
			(hx_plot_key){"the tau grid", HX_PLOT_LIGHTGREY, HX_PLOT_KEY_BOX, 0, 0};
	}
	for (j = 0; j < 3; j++) {
		hx_plot_step(p, x, y[j], m, hi, colors[j], HX_PLOT_SOLID);
		keys[nk++] = (hx_plot_key){names[j], colors[j], HX_PLOT_KEY_LINE, HX_PLOT_SOLID, 0};
	}
	if (best) {
		char lab[48];
		tau_label(lab, sizeof(lab), best);
		hx_plot_vline(p, best->tau, HX_PLOT_VERMILLION, HX_PLOT_DASHED);
		hx_plot_text(p, best->tau, 1.05, 0.5, lab, HX_PLOT_VERMILLION);
		snprintf(best_key, sizeof(best_key), "chosen %s", lab);
		keys[nk++] = (hx_plot_key){best_key, HX_PLOT_VERMILLION, HX_PLOT_KEY_LINE,
					   HX_PLOT_DASHED, 0};
	}
	hx_plot_legend(p, keys, nk, 0);
	err = hx_plot_end(p, hx_report_figs_add(figs, "tau"));
	free(x);
	for (j = 0; j < 3; j++)
		free(y[j]);
	return err;
}

static void summary_table(hx_buf *out, const hx_threshold_result *r)
{
	hx_buf value[HX_THRESHOLD_NSUMMARY];
	const char *name[HX_THRESHOLD_NSUMMARY], *kv[2 * HX_THRESHOLD_NSUMMARY];
	size_t k;
	for (k = 0; k < HX_THRESHOLD_NSUMMARY; k++)
		hx_buf_init(&value[k]);
	hx_threshold_summary(value, name, r);
	for (k = 0; k < HX_THRESHOLD_NSUMMARY; k++) {
		kv[2 * k] = name[k];
		kv[2 * k + 1] = value[k].ptr;
	}
	hx_html_kv_table(out, kv, HX_THRESHOLD_NSUMMARY);
	for (k = 0; k < HX_THRESHOLD_NSUMMARY; k++)
		hx_buf_release(&value[k]);
}

static void tau_table(hx_buf *out, const hx_threshold_result *r)
{
	char cell[HX_THRESHOLD_NCOLS][32];
	size_t i, c;
	hx_buf_puts(out, "<h2>The tau grid</h2>\n<div class=\"scroll\"><table>\n<tr>");
	for (c = 0; c < HX_THRESHOLD_NCOLS; c++)
		hx_buf_printf(out, "<th>%s</th>", hx_threshold_col_names[c]);
	hx_buf_puts(out, "</tr>\n");
	for (i = 0; i < r->nrows; i++) {
		hx_threshold_row_cells(cell, &r->rows[i]);
		hx_buf_puts(out, (long)i == r->best ? "<tr class=\"sig\">" : "<tr>");
		for (c = 0; c < HX_THRESHOLD_NCOLS; c++) {
			hx_buf_puts(out, "<td class=\"num\">");
			hx_html_escape(out, cell[c]);
			hx_buf_puts(out, "</td>");
		}
		hx_buf_puts(out, "</tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

int hx_threshold_report(hx_buf *html, hx_report_figs *figs, const hx_threshold_result *r,
			hx_scores *s, const char *title)
{
	hx_threshold_curve c;
	kept_points k;
	const hx_tau_row *best = chosen(r);
	char note[256];
	int err;

	hx_threshold_curve_init(&c);
	hx_threshold_curve_compute(&c, s, THIN_EPS, r->score_min, r->score_max);
	kept_init(&k, &c);
	err = roc_figure(figs, r, &k);
	if (!err)
		err = pr_figure(figs, r, &k);
	if (!err)
		err = tau_figure(figs, r, &k);
	kept_release(&k);
	hx_html_begin(html, title ? title : "threshold");
	hx_buf_puts(html, "<h2>Summary</h2>\n");
	summary_table(html, r);
	if (best)
		snprintf(note, sizeof(note), "The chosen tau (%.6g, marked) is the highest "
					     "precision among the grid's taus with recall >= %g.",
			 best->tau, r->target_recall);
	else
		snprintf(note, sizeof(note), "No tau of the grid reaches recall >= %g: nothing "
					     "is marked.",
			 r->target_recall);
	hx_buf_printf(html, "<h2>Curves</h2>\n<p class=\"note\">At each of the %zu distinct "
			    "scores (a sample is flagged when its score &gt;= tau). ",
		      c.ndistinct);
	hx_html_escape(html, note);
	hx_buf_puts(html, "</p>\n");
	if (!err) {
		hx_html_figure(html, figs, 0,
			       "ROC: false positive rate against true positive rate at every "
			       "threshold; the dashed diagonal is a classifier that flags at "
			       "random.");
		hx_html_figure(html, figs, 1,
			       "Precision against recall at every threshold; the dashed line is "
			       "the positive rate (the precision of flagging at random).");
		hx_html_figure(html, figs, 2,
			       "Precision, recall and F1 against tau; the grey band is the span of "
			       "the tau grid, the chosen tau the dashed vertical line.");
	}
	tau_table(html, r);
	hx_html_end(html);
	hx_threshold_curve_release(&c);
	return err;
}

int hx_threshold_report_write(const char *html_path, const hx_threshold_result *r, hx_scores *s,
			      const char *title)
{
	hx_buf html = HX_BUF_INIT;
	hx_report_figs figs;
	int err;
	hx_report_figs_init(&figs, html_path);
	err = hx_threshold_report(&html, &figs, r, s, title);
	if (!err)
		err = hx_report_write(html_path, &html, &figs);
	hx_buf_release(&html);
	hx_report_figs_release(&figs);
	return err;
}
