/*
 * rng.c - SplitMix64-seeded xoshiro256** substreams (see rng.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>

#include "rng.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* FNV-1a over the label: names the substream */
static uint64_t label_hash(const char *label)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void sim_rng_init(sim_rng *r, uint64_t seed, const char *label, uint64_t index)
{
    uint64_t x = seed ^ label_hash(label);
    x = splitmix(&x) ^ (index * UINT64_C(0xd1342543de82ef95));
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *r)
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

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    if (n == 0) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do v = sim_rng_next(r);
    while (v >= limit);
    return v % n;
}

int64_t sim_rng_range(sim_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)sim_rng_below(r, (uint64_t)(hi - lo) + 1);
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int sim_rng_chance(sim_rng *r, double p)
{
    return sim_rng_unit(r) < p;
}

double sim_rng_exp(sim_rng *r, double mean)
{
    double u = sim_rng_unit(r);
    return -mean * log(1.0 - u);
}

double sim_rng_normal(sim_rng *r, double mean, double sd)
{
    double u1 = sim_rng_unit(r), u2 = sim_rng_unit(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return mean + sd * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

size_t sim_rng_weighted(sim_rng *r, const double *w, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++) total += w[i];
    double x = sim_rng_unit(r) * total;
    for (size_t i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n ? n - 1 : 0;
}

int sim_zipf_init(sim_zipf *z, size_t n, double s)
{
    z->n = n;
    z->cdf = malloc((n ? n : 1) * sizeof *z->cdf);
    if (!z->cdf) return sk_error_set(SK_ENOMEM, "out of memory");
    double acc = 0;
    for (size_t k = 0; k < n; k++) {
        acc += 1.0 / pow((double)(k + 1), s);
        z->cdf[k] = acc;
    }
    for (size_t k = 0; k < n; k++) z->cdf[k] /= acc;
    return 0;
}

size_t sim_zipf_draw(const sim_zipf *z, sim_rng *r)
{
    double x = sim_rng_unit(r);
    size_t lo = 0, hi = z->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo < z->n ? lo : z->n - 1;
}

void sim_zipf_free(sim_zipf *z)
{
    if (!z) return;
    free(z->cdf);
    z->cdf = NULL;
}

void sim_rng_shuffle(sim_rng *r, void *items, size_t n, size_t size)
{
    unsigned char *a = items, tmp[256];
    if (size > sizeof tmp) return;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)sim_rng_below(r, i);
        memcpy(tmp, a + (i - 1) * size, size);
        memcpy(a + (i - 1) * size, a + j * size, size);
        memcpy(a + j * size, tmp, size);
    }
}
