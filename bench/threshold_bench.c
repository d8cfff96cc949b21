/* threshold_bench.c - two-pass threshold calibration against the naive
 * per-tau rescoring it replaces, both compiled, in one program;
 * bench/threshold.sh runs it.
 *
 * usage: threshold_bench TOKENS RUNS [SCORES_OUT]
 * TOKENS is bench/gen_scores.py's token file: int64 n, uint8 label[n],
 * uint8 ntok[n], float64 value[n][20]. A sample's score is the mean of its
 * 5 largest token values (score_of, the same code on both sides).
 *
 * - two-pass: pass 1 scores every sample once into the store
 *   (hx_scores_add), pass 2 sweeps the default 40 taus (hx_threshold_sweep:
 *   sort, quantiles, counts per tau, AUROC, DeLong, AP, PR-AUC);
 * - naive: for each of the same 40 taus (handed over for free: the naive
 *   loop cannot know the quantiles without a scoring pass of its own),
 *   rescore every sample from its tokens and count tp and fp, as the
 *   source's per-tau evaluate_tau did (precision and recall only).
 * The counts of both must agree tau by tau (exit 1 otherwise).
 * With SCORES_OUT, pass 1's scores are also written there as JSONL
 * ({"score": %.17g, "label": true|false}, exact) for `harness threshold`,
 * and the time that takes is printed.
 * Prints key=value lines; times are seconds, the mean of RUNS runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "threshold/threshold.h"

#define MAX_TOKENS 20
#define TOP_K 5

typedef struct {
	size_t n;
	unsigned char *label, *ntok;
	double *value; /* n x MAX_TOKENS */
} tokens;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int load(tokens *t, const char *path)
{
	FILE *fp = fopen(path, "rb");
	int64_t n;
	if (!fp || fread(&n, sizeof(n), 1, fp) != 1 || n <= 0)
		return -1;
	t->n = (size_t)n;
	t->label = malloc(t->n);
	t->ntok = malloc(t->n);
	t->value = malloc(t->n * MAX_TOKENS * sizeof(double));
	if (!t->label || !t->ntok || !t->value || fread(t->label, 1, t->n, fp) != t->n ||
	    fread(t->ntok, 1, t->n, fp) != t->n ||
	    fread(t->value, sizeof(double), t->n * MAX_TOKENS, fp) != t->n * MAX_TOKENS) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

/* The mean of the (up to) 5 largest of v[0..k). */
static double score_of(const double *v, size_t k)
{
	double top[TOP_K], sum = 0;
	size_t m = 0, i, j;
	for (i = 0; i < k; i++) {
		double x = v[i];
		if (m == TOP_K && x <= top[TOP_K - 1])
			continue;
		j = m < TOP_K ? m++ : TOP_K - 1;
		for (; j > 0 && top[j - 1] < x; j--)
			top[j] = top[j - 1];
		top[j] = x;
	}
	for (i = 0; i < m; i++)
		sum += top[i];
	return m ? sum / (double)m : 0;
}

static hx_scores *pass1(const tokens *t)
{
	hx_scores *s = hx_scores_new();
	size_t i;
	for (i = 0; i < t->n; i++)
		hx_scores_add(s, score_of(t->value + i * MAX_TOKENS, t->ntok[i]), t->label[i]);
	return s;
}

static void naive(const tokens *t, const double *tau, size_t ntau, size_t *tp, size_t *fp)
{
	size_t k, i;
	for (k = 0; k < ntau; k++) {
		tp[k] = fp[k] = 0;
		for (i = 0; i < t->n; i++)
			if (score_of(t->value + i * MAX_TOKENS, t->ntok[i]) >= tau[k]) {
				if (t->label[i])
					tp[k]++;
				else
					fp[k]++;
			}
	}
}

static int write_scores(const tokens *t, const char *path)
{
	FILE *fp = fopen(path, "w");
	size_t i;
	if (!fp)
		return -1;
	for (i = 0; i < t->n; i++)
		fprintf(fp, "{\"score\": %.17g, \"label\": %s}\n",
			score_of(t->value + i * MAX_TOKENS, t->ntok[i]), t->label[i] ? "true" : "false");
	return fclose(fp) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	tokens t;
	hx_threshold_result r;
	hx_tau_grid g;
	double t_pass1 = 0, t_pass2 = 0, t_naive = 0, t0, *tau;
	size_t *tp, *fp, k;
	int runs, run;
	if (argc < 3 || (runs = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: threshold_bench TOKENS RUNS [SCORES_OUT]\n");
		return 2;
	}
	if (load(&t, argv[1]) != 0) {
		fprintf(stderr, "threshold_bench: cannot read '%s'\n", argv[1]);
		return 2;
	}
	hx_tau_grid_default(&g);
	hx_threshold_result_init(&r);
	for (run = 0; run < runs; run++) {
		hx_scores *s;
		t0 = now();
		s = pass1(&t);
		t_pass1 += now() - t0;
		t0 = now();
		if (hx_threshold_sweep(&r, s, &g, 0.9) != 0) {
			fprintf(stderr, "threshold_bench: %s\n", hx_error_last());
			return 1;
		}
		t_pass2 += now() - t0;
		hx_scores_free(s);
	}
	tau = malloc(r.nrows * sizeof(*tau));
	tp = malloc(r.nrows * sizeof(*tp));
	fp = malloc(r.nrows * sizeof(*fp));
	for (k = 0; k < r.nrows; k++)
		tau[k] = r.rows[k].tau;
	for (run = 0; run < runs; run++) {
		t0 = now();
		naive(&t, tau, r.nrows, tp, fp);
		t_naive += now() - t0;
	}
	for (k = 0; k < r.nrows; k++)
		if (tp[k] != r.rows[k].tp || fp[k] != r.rows[k].fp) {
			fprintf(stderr, "threshold_bench: tau %.17g: naive %zu/%zu, two-pass %zu/%zu\n",
				tau[k], tp[k], fp[k], r.rows[k].tp, r.rows[k].fp);
			return 1;
		}
	printf("samples=%zu\ntaus=%zu\ncounts_agree=yes\n", t.n, r.nrows);
	printf("auroc=%.17g\nap=%.17g\n", r.auroc, r.ap);
	printf("pass1_seconds=%.6f\npass2_seconds=%.6f\n", t_pass1 / runs, t_pass2 / runs);
	printf("two_pass_seconds=%.6f\nnaive_seconds=%.6f\n", (t_pass1 + t_pass2) / runs,
	       t_naive / runs);
	if (argc > 3) {
		t0 = now();
		if (write_scores(&t, argv[3]) != 0) {
			fprintf(stderr, "threshold_bench: cannot write '%s'\n", argv[3]);
			return 2;
		}
		printf("write_scores_seconds=%.6f\n", now() - t0);
	}
	hx_threshold_result_release(&r);
	free(tau);
	free(tp);
	free(fp);
	free(t.label);
	free(t.ntok);
	free(t.value);
	return 0;
}
