/*
 * sigma_prefilter.c - the literal prefilter (placeholder until the Vectorscan build).
 */
#include "sigma_int.h"

int sg_prefilter_build(struct sk_sigma_set *s)
{
    (void)s;
    return 0;
}

void sg_prefilter_free(struct sk_sigma_set *s)
{
    (void)s;
}

int sg_prefilter_scratch(const struct sk_sigma_set *s, sk_sigma_matcher *m)
{
    (void)s;
    (void)m;
    return 0;
}

void sg_prefilter_scratch_free(sk_sigma_matcher *m)
{
    (void)m;
}

int sg_prefilter_scan(sk_sigma_matcher *m)
{
    (void)m;
    return -1;
}
