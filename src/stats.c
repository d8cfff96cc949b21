#include "stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

double hx_stats_z(double confidence)
{
	gsl_set_error_handler_off();
	return gsl_cdf_ugaussian_Pinv(0.5 + confidence / 2.0);
}

void hx_stats_wilson(unsigned long k, unsigned long n, double confidence, double *lo,
		     double *hi)
{
	double z, z2, p, nn, denom, center, half;

	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	z = hx_stats_z(confidence);
	z2 = z * z;
	nn = (double)n;
	p = (double)k / nn;
	denom = 1.0 + z2 / nn;
	center = (p + z2 / (2.0 * nn)) / denom;
	half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, center - half);
	*hi = k == n ? 1.0 : fmin(1.0, center + half);
}
