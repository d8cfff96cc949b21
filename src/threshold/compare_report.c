/* threshold/compare_report.c - the report of two threshold calibrations
 * compared (compare_report.h). */
#include <math.h>
#include <stdio.h>

#include "canon.h"
#include "threshold/compare_report.h"

int hx_threshold_compare_significant(const hx_threshold_compare *c,
				     const hx_threshold_compare_info *info)
{
	return isfinite(c->p) && c->p < info->alpha;
}

static void side_line(hx_buf *out, const char *name, const char *path, size_t n, size_t npos)
{
	hx_buf_printf(out, "%-11s %s (%zu samples, %zu positive)\n", name, path, n, npos);
}

static void best_line(hx_buf *out, const char *name, double tau, double precision, double recall)
{
	if (!isfinite(tau))
		hx_buf_printf(out, "  %s  no tau reaches the target recall\n", name);
	else
		hx_buf_printf(out, "  %s  tau %.6g: precision %.4f, recall %.4f\n", name, tau,
			      precision, recall);
}

void hx_threshold_compare_format_text(hx_buf *out, const hx_threshold_compare *c,
				      const hx_threshold_compare_info *info)
{
	side_line(out, "A", info->a, info->na, info->npos_a);
	side_line(out, "B", info->b, info->nb, info->npos_b);
	hx_buf_printf(out, "pairing     %s\n", info->pairing);
	hx_buf_printf(out, "AUROC       A %.4f, B %.4f: B-A %+.4f, ", c->auroc_a, c->auroc_b,
		      c->diff);
	if (!isfinite(c->diff_se))
		/* DeLong's variance of a side with one positive or one negative */
		hx_buf_puts(out, "no interval: DeLong's variance needs 2 positives and 2 "
				 "negatives on each side\n");
	else
		hx_buf_printf(out, "95%% interval [%+.4f, %+.4f], p %.3g (%s DeLong): %s at alpha %g\n",
			      c->diff_lo, c->diff_hi, c->p, c->paired ? "paired" : "unpaired",
			      hx_threshold_compare_significant(c, info) ? "significant"
									: "not significant",
			      info->alpha);
	hx_buf_printf(out, "best tau    highest precision at recall >= %.2f, %s of each side's scores\n",
		      info->target_recall, info->grid);
	best_line(out, "A", c->tau_a, c->precision_a, c->recall_a);
	best_line(out, "B", c->tau_b, c->precision_b, c->recall_b);
	if (isfinite(c->tau_a) && isfinite(c->tau_b))
		hx_buf_printf(out, "  B-A precision %+.4f, recall %+.4f\n",
			      c->precision_b - c->precision_a, c->recall_b - c->recall_a);
}

static void field(hx_buf *out, const char *name, double v, int comma)
{
	hx_buf_printf(out, "\"%s\":", name);
	hx_canon_write_number(out, v);
	if (comma)
		hx_buf_putc(out, ',');
}

void hx_threshold_compare_format_json(hx_buf *out, const hx_threshold_compare *c,
				      const hx_threshold_compare_info *info)
{
	/* keys in RFC 8785 order */
	hx_buf_puts(out, "{\"a\":");
	hx_canon_write_cstr(out, info->a);
	hx_buf_puts(out, ",\"alpha\":");
	hx_canon_write_number(out, info->alpha);
	hx_buf_puts(out, ",");
	field(out, "auroc_a", c->auroc_a, 1);
	field(out, "auroc_b", c->auroc_b, 1);
	hx_buf_puts(out, "\"b\":");
	hx_canon_write_cstr(out, info->b);
	hx_buf_puts(out, ",");
	field(out, "diff", c->diff, 0);
	hx_buf_puts(out, ",\"diff_ci\":[");
	hx_canon_write_number(out, c->diff_lo);
	hx_buf_putc(out, ',');
	hx_canon_write_number(out, c->diff_hi);
	hx_buf_puts(out, "],");
	field(out, "diff_se", c->diff_se, 0);
	hx_buf_printf(out, ",\"n_a\":%zu,\"n_b\":%zu,\"npos_a\":%zu,\"npos_b\":%zu,", info->na,
		      info->nb, info->npos_a, info->npos_b);
	field(out, "p_value", c->p, 0);
	hx_buf_printf(out, ",\"paired\":%s,\"pairing\":", c->paired ? "true" : "false");
	hx_canon_write_cstr(out, info->pairing);
	hx_buf_puts(out, ",");
	field(out, "precision_a", c->precision_a, 1);
	field(out, "precision_b", c->precision_b, 1);
	field(out, "recall_a", c->recall_a, 1);
	field(out, "recall_b", c->recall_b, 0);
	hx_buf_printf(out, ",\"significant\":%s,",
		      hx_threshold_compare_significant(c, info) ? "true" : "false");
	field(out, "target_recall", info->target_recall, 1);
	field(out, "tau_a", c->tau_a, 1);
	field(out, "tau_b", c->tau_b, 0);
	hx_buf_puts(out, "}\n");
}
