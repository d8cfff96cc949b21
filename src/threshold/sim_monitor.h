/* threshold/sim_monitor.h - the built-in sim-monitor engine: what a
 * hallucination monitor gives one sample, simulated from the sample's own
 * seed, so a threshold calibration runs out of the box.
 *
 * Per sample (spec.h's hx_spec_monitor): the label, positive with
 * probability positive_rate (one uniform draw); then max_tokens per-token
 * values from the positive or the negative distribution (normal, or
 * lognormal: exp of a normal); the score is the mean of the top_k largest,
 * summed largest first. Draws come from the sample's generator in that
 * order (rng.h), so a sample's score depends on its seed alone.
 */
#ifndef HX_SIM_MONITOR_H
#define HX_SIM_MONITOR_H

#include <stdint.h>

#include "spec.h"

/* The score of the sample with that seed; *positive its label. */
double hx_sim_monitor_sample(const hx_spec_monitor *m, uint64_t seed, int *positive);

/* The engine's version string, recorded where a binary's would be. */
#define HX_SIM_MONITOR_VERSION "sim-monitor 1"

#endif
