/*
 * sigma_corr.c - correlation rules (interim: records accepted, no results yet).
 */
#include <stdlib.h>
#include <sakimori/common.h>
#include "sigma_int.h"

struct sk_sigma_corr { const sk_sigma_set *s; };

int sk_sigma_corr_record(const sk_sigma_set *s, const sk_event *ev, const sk_sigma_hit *hit, sk_buf *out)
{
    (void)s; (void)ev; (void)hit; (void)out;
    return 0;
}

int sk_sigma_corr_new(sk_sigma_corr **out, const sk_sigma_set *s, size_t budget)
{
    (void)budget;
    *out = calloc(1, sizeof **out);
    if (!*out) return sk_error_set(SK_ENOMEM, "out of memory");
    (*out)->s = s;
    return 0;
}

int sk_sigma_corr_add(sk_sigma_corr *c, const void *record, size_t n)
{
    (void)c; (void)record; (void)n;
    return 0;
}

int sk_sigma_corr_finish(sk_sigma_corr *c, sk_sigma_corr_cb cb, void *ctx)
{
    (void)c; (void)cb; (void)ctx;
    return 0;
}

void sk_sigma_corr_free(sk_sigma_corr *c)
{
    free(c);
}
