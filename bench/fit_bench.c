/* fit_bench.c - time hx_fit_all (four families, right-censored at T) on N
 * simulated durations; bench/fit.sh runs it next to scipy.
 *
 * usage: fit_bench [N [T [DUMP]]]   defaults: 1000000, 4.0, no dump
 * Draws Weibull(shape 1.3, scale 2.0) durations from a fixed seed; runs
 * above T are censored. DUMP (optional) receives the completed durations as
 * native float64, for the reference tool to fit the same data.
 * Prints one line per family and "harness_seconds=<s>" last.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>

#include "error.h"
#include "fit.h"

static uint64_t sm = 42;

static double unif(void)
{
	uint64_t z = (sm += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, i, d = 0, nc = 0;
	double T = argc > 2 ? strtod(argv[2], NULL) : 4.0, t0, t1;
	double *x = malloc((n ? n : 1) * sizeof(*x));
	hx_fit_result r[HX_FIT_NFAMILIES];
	hx_fit_family best;
	int f, rc;

	if (!x) {
		fprintf(stderr, "fit_bench: out of memory\n");
		return 3;
	}
	for (i = 0; i < n; i++) {
		double t = 2.0 * pow(-log(unif()), 1.0 / 1.3);
		if (t > T)
			nc++;
		else
			x[d++] = t;
	}
	if (argc > 3) {
		FILE *fp = fopen(argv[3], "wb");
		if (!fp || fwrite(x, sizeof(*x), d, fp) != d || fclose(fp) != 0) {
			fprintf(stderr, "fit_bench: cannot write '%s'\n", argv[3]);
			return 3;
		}
	}
	t0 = now();
	rc = hx_fit_all(r, x, d, nc, T, &best);
	t1 = now();
	if (rc < 0) {
		fprintf(stderr, "fit_bench: %s\n", hx_error_last());
		return 2;
	}
	printf("harness: %zu durations, %zu censored at %g\n", d, nc, T);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		if (!r[f].ok) {
			printf("  %-11s no fit: %s\n", hx_fit_family_name((hx_fit_family)f), r[f].msg);
			continue;
		}
		printf("  %-11s %s=%.6g", hx_fit_family_name((hx_fit_family)f),
		       hx_fit_param_name((hx_fit_family)f, 0), r[f].p[0]);
		if (r[f].k == 2)
			printf(" %s=%.6g", hx_fit_param_name((hx_fit_family)f, 1), r[f].p[1]);
		printf(" aic=%.6f ks_d=%.5f%s\n", r[f].aic, r[f].ks_d, f == (int)best ? " (best)" : "");
	}
	printf("harness_seconds=%.6f\n", t1 - t0);
	free(x);
	return 0;
}
