#include "rng.h"

#include <math.h>

uint64_t hx_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void hx_rng_init(hx_rng *r, uint64_t seed)
{
	uint64_t sm = seed;
	int i;
	for (i = 0; i < 4; i++)
		r->s[i] = hx_splitmix64(&sm);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t hx_rng_next(hx_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double hx_rng_uniform(hx_rng *r)
{
	return (double)(hx_rng_next(r) >> 11) * 0x1.0p-53;
}

double hx_rng_open01(hx_rng *r)
{
	return ((double)(hx_rng_next(r) >> 12) + 0.5) * 0x1.0p-52;
}

double hx_rng_normal(hx_rng *r)
{
	double u1 = hx_rng_open01(r), u2 = hx_rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double hx_rng_exponential(hx_rng *r, double mean)
{
	return -mean * log(hx_rng_open01(r));
}

uint64_t hx_rng_below(hx_rng *r, uint64_t n)
{
	/* Lemire's nearly-divisionless method would do; rejection is simpler
	 * and the rejected range is tiny for the sizes used here. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
	do
		x = hx_rng_next(r);
	while (x >= limit);
	return x % n;
}
