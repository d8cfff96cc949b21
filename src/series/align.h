/* align.h - a dataset against the world-model risk budgets (the users'
 * Exp11), preset selection (Exp07) and the safety tuner (Exp12).
 *
 * Tiers, in this order: conservative, balanced, aggressive; the runs of a
 * tier are the dataset's rows whose profile is the tier's name (failed rows
 * left out). For those runs:
 *   pnl_mean, pnl_std (sample, n - 1), dd_mean (max_drawdown), kill_prob;
 *   kill_ok = kill_prob <= max_kill_prob, dd_ok = |dd_mean| <=
 *   max_drawdown_abs, pnl_ok = pnl_mean >= min_final_pnl_mean;
 *   margins positive on the safe side: max_kill_prob - kill_prob,
 *   max_drawdown_abs - |dd_mean|, pnl_mean - min_final_pnl_mean;
 *   score = pnl_mean - (lambda_std * pnl_std + lambda_dd * dd_mean +
 *   lambda_kill * kill_prob). Drawdowns are positive magnitudes, so the
 *   penalty is lambda_dd * dd_mean (the users' script took
 *   |min(0, dd_mean)|, always 0). A single run has no spread: its pnl_std
 *   is NaN and the score counts it as 0.
 * The kill probability comes with its Wilson 95% interval; the verdict on
 * max_kill_prob is settled when the whole interval is on one side of the
 * budget (hi <= budget: within; lo > budget: over), else not settled.
 * A tier with no runs has no verdicts (status HX_ALIGN_NO_RUNS).
 *
 * Budgets file (YAML, --budgets): a mapping from tier name to a mapping of
 * any of max_kill_prob (0..1), max_drawdown_abs (>= 0),
 * min_final_pnl_mean, lambda_std, lambda_dd, lambda_kill (>= 0); keys given
 * replace the defaults, the others stay:
 *   conservative: {max_kill_prob: 0.02, max_drawdown_abs: 1500}
 *   aggressive:
 *     lambda_kill: 80
 * Unknown tiers or keys and bad values are located errors.
 */
#ifndef HX_SERIES_ALIGN_H
#define HX_SERIES_ALIGN_H

#include <stddef.h>

#include "buf.h"
#include "ydoc.h"
#include "series/rowset.h"

#define HX_ALIGN_NTIERS 3
extern const char *const hx_align_tier_names[HX_ALIGN_NTIERS];

typedef struct {
	double max_kill_prob, max_drawdown_abs, min_final_pnl_mean;
	double lambda_std, lambda_dd, lambda_kill;
} hx_budget;

typedef struct {
	hx_budget tier[HX_ALIGN_NTIERS];
} hx_budgets;

/* conservative 0.01/2000/0 (0.5/0.5/200), balanced 0.05/4000/0
 * (0.3/0.3/100), aggressive 0.15/8000/-500 (0.1/0.1/50). */
void hx_budgets_default(hx_budgets *out);

/* Read a budgets file over the defaults (*out is set to them first). */
int hx_budgets_load(hx_budgets *out, const char *path);
int hx_budgets_parse(hx_budgets *out, const char *name, const char *text, size_t len);
/* The same from a node of a document (a series spec's inline budgets),
 * over what *out holds; a NULL node keeps it. */
int hx_budgets_read(hx_budgets *out, const hx_ydoc *doc, const hx_ynode *node);

typedef enum { HX_ALIGN_PASS, HX_ALIGN_FAIL, HX_ALIGN_NO_RUNS } hx_align_status;

typedef struct {
	size_t n_runs, kills;
	double pnl_mean, pnl_std, dd_mean, kill_prob;
	double kill_lo, kill_hi; /* Wilson 95% */
	int kill_ok, dd_ok, pnl_ok;
	int kill_settled; /* the interval is on one side of max_kill_prob */
	double kill_margin, dd_margin, pnl_margin, score;
	hx_align_status status;
} hx_align_stats;

/* The statistics of the rows idx[0..n) of rs against b (n may be 0). */
void hx_align_stats_of(hx_align_stats *out, const hx_rowset *rs, const size_t *idx, size_t n,
		       const hx_budget *b);

typedef struct {
	hx_align_stats tier[HX_ALIGN_NTIERS];
	hx_budgets budgets;
	size_t unmatched; /* rows whose profile is none of the tiers */
} hx_alignment;

void hx_align_compute(hx_alignment *out, const hx_rowset *rs, const hx_budgets *b);

/* Text; JSON (one canonical object); CSV with the users' columns first:
 * risk_tier,n_runs,budget_max_kill_prob,budget_max_dd_abs,
 * budget_min_final_pnl_mean,emp_final_pnl_mean,emp_max_drawdown_mean,
 * emp_kill_prob,emp_kill_ok,emp_dd_ok,emp_pnl_ok,emp_kill_margin,
 * emp_dd_margin,emp_pnl_margin,emp_score, then emp_final_pnl_std,
 * emp_kill_prob_lo,emp_kill_prob_hi,kill_verdict_settled,status
 * (booleans True/False as pandas writes them; a tier with no runs has
 * empty cells and status no_runs). */
void hx_align_format_text(hx_buf *out, const hx_alignment *a);
void hx_align_format_json(hx_buf *out, const hx_alignment *a);
void hx_align_format_csv(hx_buf *out, const hx_alignment *a);

/* ---- selection (select.c) ----
 * A preset is a profile with one set of parameter values: rows are grouped
 * by profile plus the text of all their parameters (rowset.h), in order of
 * first appearance. Per tier, the presets of that profile that meet all
 * three budgets are ranked by score (best first; ties and NaN scores in
 * order of appearance, NaN last) and the first k kept. When none meets
 * them, the one with the best score is kept with `fallback` set (the
 * caller warns). */
typedef struct {
	size_t first_row; /* the preset's first row: its profile and params */
	hx_align_stats stats;
} hx_preset;

typedef struct {
	hx_preset *chosen; /* owned; best first */
	size_t nchosen;
	size_t npresets; /* presets of this tier */
	size_t nwithin;  /* of which meet the budgets */
	int fallback;    /* none met the budgets: chosen[0] is the best score */
} hx_selection;

typedef struct {
	hx_selection tier[HX_ALIGN_NTIERS];
} hx_selections;

void hx_select_compute(hx_selections *out, const hx_rowset *rs, const hx_budgets *b, size_t k);
void hx_select_release(hx_selections *s);

/* Renderings of a selection (rs: the rows it was made from). Text: per
 * tier the chosen presets with their parameters, runs, means, kill
 * probability and score, and a warning line when it fell back. JSON: one
 * canonical object {"k":K,"tiers":[{"fallback","presets","risk_tier",
 * "chosen":[...]}]}. CSV: risk_tier,rank,label,params,n_runs,
 * emp_final_pnl_mean,emp_max_drawdown_mean,emp_kill_prob,emp_score,
 * within_budget,fallback (params as "name=value;..." in the row's order,
 * label that of the preset's first row). */
void hx_select_format_text(hx_buf *out, const hx_selections *s, const hx_rowset *rs, size_t k);
void hx_select_format_json(hx_buf *out, const hx_selections *s, const hx_rowset *rs, size_t k);
void hx_select_format_csv(hx_buf *out, const hx_selections *s, const hx_rowset *rs);

/* ---- the safety tuner (tune.c) ----
 * Per tier with runs: dd_ratio = |dd_mean| / max_drawdown_abs, kill_ratio
 * = kill_prob / max_kill_prob (a zero budget: ratio 0 when the value is 0,
 * else infinite). risk_scale starts at 1; for each ratio (drawdown, then
 * kill) above 1.05, risk_scale = min(risk_scale, max(0.1, 1 / ratio)).
 * Then every listed risk parameter is multiplied by risk_scale, and after
 * that the loss limit, when above 1.1 * max_drawdown_abs, is set to
 * max_drawdown_abs. A tier with no runs is left as it is. */
#define HX_TUNE_RATIO_TRIGGER 1.05
#define HX_TUNE_SCALE_FLOOR 0.1
#define HX_TUNE_LOSS_CAP 1.1

/* Default risk parameters (the engine's exposure settings and its loss
 * limit) and the loss limit's name. */
extern const char *const hx_tune_default_risk_params[]; /* NULL-terminated */
#define HX_TUNE_LOSS_LIMIT "daily_loss_limit"

typedef struct {
	const char *name;
	double before, after;
} hx_tuned_param;

typedef struct {
	int has_runs;
	double dd_ratio, kill_ratio, risk_scale;
	int loss_capped; /* the loss limit was capped at the drawdown budget */
	hx_tuned_param *params; /* owned: the preset's values, in its order */
	size_t nparams;
} hx_tuning;

/* Tune one tier's preset: names[i] = values[i] for i < n (its current
 * settings), risk_params the names to scale (NULL-terminated; NULL = the
 * defaults), loss_limit the name of the loss limit (NULL = the default). */
void hx_tune_tier(hx_tuning *out, const hx_align_stats *st, const hx_budget *b,
		  const char *const *names, const double *values, size_t n,
		  const char *const *risk_params, const char *loss_limit);
void hx_tuning_release(hx_tuning *t);

/* The live presets to tune, a YAML file: tier -> {parameter: number, ...}
 *   conservative: {daily_loss_limit: 2500, mm_size_eta: 1.0}
 * (tiers may be left out; unknown tiers and values that are not numbers
 * are located errors). */
typedef struct {
	int given;    /* the tier is in the file */
	char **names; /* owned */
	double *values;
	size_t n;
} hx_tier_preset;

typedef struct {
	hx_tier_preset tier[HX_ALIGN_NTIERS];
} hx_tune_presets;

int hx_tune_presets_load(hx_tune_presets *out, const char *path);
/* The same from a node (*out must be zeroed or released first). */
int hx_tune_presets_read(hx_tune_presets *out, const hx_ydoc *doc, const hx_ynode *node);
int hx_tune_presets_parse(hx_tune_presets *out, const char *name, const char *text,
			  size_t len);
void hx_tune_presets_release(hx_tune_presets *p);

/* Tune every tier given in p against a (its statistics and budgets):
 * out[t].params is empty for a tier not given. */
void hx_tune_all(hx_tuning out[HX_ALIGN_NTIERS], const hx_alignment *a,
		 const hx_tune_presets *p, const char *const *risk_params);

/* Renderings: text (per tier the ratios, the scale, each parameter before
 * and after); JSON {"tiers":[{"dd_ratio","given","has_runs","kill_ratio",
 * "loss_capped","params":[{"after","before","name","risk"}],"risk_scale",
 * "risk_tier"}]}; CSV one row per parameter:
 * risk_tier,param,before,after,risk_scale,dd_ratio,kill_ratio,loss_capped. */
void hx_tune_format_text(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			 const hx_tune_presets *p, const char *const *risk_params);
void hx_tune_format_json(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			 const hx_tune_presets *p, const char *const *risk_params);
void hx_tune_format_csv(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			const hx_tune_presets *p);

#endif
