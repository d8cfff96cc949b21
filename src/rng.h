/* rng.h - the per-task random number generator.
 *
 * xoshiro256** (Blackman & Vigna) seeded through splitmix64 from a 64-bit
 * task seed. Each task owns one generator, so a draw never depends on which
 * worker ran the task or in what order.
 */
#ifndef HX_RNG_H
#define HX_RNG_H

#include <stdint.h>

typedef struct {
	uint64_t s[4];
} hx_rng;

void hx_rng_init(hx_rng *r, uint64_t seed);
uint64_t hx_rng_next(hx_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double hx_rng_uniform(hx_rng *r);
/* Uniform double in (0, 1): safe to take the log of. */
double hx_rng_open01(hx_rng *r);
/* Standard normal (Box-Muller; one draw consumes two uniforms). */
double hx_rng_normal(hx_rng *r);
double hx_rng_exponential(hx_rng *r, double mean);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t hx_rng_below(hx_rng *r, uint64_t n);

/* splitmix64 step: also a good 64-bit mixer for deriving sub-seeds. */
uint64_t hx_splitmix64(uint64_t *state);

#endif
