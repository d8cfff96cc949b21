/* stats.h - statistics (the only user of GSL). */
#ifndef HX_STATS_H
#define HX_STATS_H

/* Two-sided standard normal quantile for a confidence level, e.g. 0.95 ->
 * 1.959963984540054. */
double hx_stats_z(double confidence);

/* Wilson score interval for k successes in n trials at the given confidence
 * (R's prop.test(k, n, correct = FALSE)). n == 0 gives [0, 1]. */
void hx_stats_wilson(unsigned long k, unsigned long n, double confidence, double *lo,
		     double *hi);

#endif
