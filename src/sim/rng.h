/*
 * rng.h - the simulator's deterministic random numbers.
 *
 * Every random choice is drawn from a substream named by what it is for
 * ("host/1234/inventory", "campaign/browser"), derived from the seed by hashing the
 * name. A host's output therefore depends only on the seed and the host, not on how
 * many threads ran or in which order, which is what makes the simulator's output
 * byte-identical for the same seed.
 */
#ifndef SK_SIM_RNG_H
#define SK_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

/** Seed a stream from the scenario seed, a label and an index. */
void sim_rng_init(sim_rng *r, uint64_t seed, const char *label, uint64_t index);

/** Next 64 random bits (xoshiro256**). */
uint64_t sim_rng_next(sim_rng *r);

/** Uniform integer in [0, n) without modulo bias; 0 when n is 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);

/** Uniform integer in [lo, hi]. */
int64_t sim_rng_range(sim_rng *r, int64_t lo, int64_t hi);

/** Uniform double in [0, 1). */
double sim_rng_unit(sim_rng *r);

/** 1 with probability p. */
int sim_rng_chance(sim_rng *r, double p);

/** Exponentially distributed with the given mean. */
double sim_rng_exp(sim_rng *r, double mean);

/** Normally distributed (Box-Muller). */
double sim_rng_normal(sim_rng *r, double mean, double sd);

/** Index drawn with the given weights (n > 0, weights >= 0, not all 0). */
size_t sim_rng_weighted(sim_rng *r, const double *weights, size_t n);

/** Zipf-like rank in [0, n): rank k has weight 1/(k+1)^s. O(log n) per draw after a table. */
typedef struct sim_zipf {
    double *cdf;
    size_t n;
} sim_zipf;
int sim_zipf_init(sim_zipf *z, size_t n, double s);
size_t sim_zipf_draw(const sim_zipf *z, sim_rng *r);
/** Free the table (the struct is the caller's); NULL-safe, and safe twice. */
void sim_zipf_free(sim_zipf *z);

/** Fisher-Yates shuffle of n items of `size` bytes. */
void sim_rng_shuffle(sim_rng *r, void *items, size_t n, size_t size);

#endif
