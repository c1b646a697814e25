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

typedef struct sk_rng {
    uint64_t s[4];
} sk_rng;

/** Seed a stream from the scenario seed, a label and an index. */
void sk_rng_init(sk_rng *r, uint64_t seed, const char *label, uint64_t index);

/** Next 64 random bits (xoshiro256**). */
uint64_t sk_rng_next(sk_rng *r);

/** Uniform integer in [0, n) without modulo bias; 0 when n is 0. */
uint64_t sk_rng_below(sk_rng *r, uint64_t n);

/** Uniform integer in [lo, hi]. */
int64_t sk_rng_range(sk_rng *r, int64_t lo, int64_t hi);

/** Uniform double in [0, 1). */
double sk_rng_unit(sk_rng *r);

/** 1 with probability p. */
int sk_rng_chance(sk_rng *r, double p);

/** Exponentially distributed with the given mean. */
double sk_rng_exp(sk_rng *r, double mean);

/** Normally distributed (Box-Muller). */
double sk_rng_normal(sk_rng *r, double mean, double sd);

/** Index drawn with the given weights (n > 0, weights >= 0, not all 0). */
size_t sk_rng_weighted(sk_rng *r, const double *weights, size_t n);

/** Zipf-like rank in [0, n): rank k has weight 1/(k+1)^s. O(log n) per draw after a table. */
typedef struct sk_zipf {
    double *cdf;
    size_t n;
} sk_zipf;
int sk_zipf_init(sk_zipf *z, size_t n, double s);
size_t sk_zipf_draw(const sk_zipf *z, sk_rng *r);
void sk_zipf_free(sk_zipf *z);

/** Fisher-Yates shuffle of n items of `size` bytes. */
void sk_rng_shuffle(sk_rng *r, void *items, size_t n, size_t size);

#endif
