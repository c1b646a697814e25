/*
 * exfil.c - outbound volume against baselines (sakimori/exfil.h). Per (host, UTC day,
 * sensor): bytes, records, the 16 destinations that took the most (the rest summed
 * apart), the 4 records that sent the most, first and last time. Ranking takes each
 * (host, day) at its best sensor, then per host the median of its other days (own) and
 * per peer group the median of the other hosts' medians (peer). A day is a candidate
 * when it sent at least min_bytes and at least ratio x the baseline: the larger of own
 * and peer when the host has three days or more of its own, the peer median otherwise
 * (a host seen one day has no habit of its own to compare with). ratio = bytes /
 * max(baseline, 1 MiB); candidates ranked by it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/exfil.h>
#include <sakimori/map.h>
#include <sakimori/strtab.h>

#define DAY_NS ((int64_t)86400 * SK_NS_PER_SEC)
#define KEEP_DESTS 16

typedef struct dayrec {
    uint32_t host, dest_id[KEEP_DESTS];
    int64_t day;
    int sensor;
    uint64_t bytes, records, dest_bytes[KEEP_DESTS], other_bytes;
    size_t n_dests;
    sk_exfil_ref refs[SK_EXFIL_REFS];
    size_t n_refs;
    sk_time first, last;
} dayrec;

struct sk_exfil {
    sk_exfil_options o;
    sk_strtab *hosts, *dests, *groups;
    sk_map *days;
    uint32_t *host_group;       /* per host: group id + 1, 0 none */
    size_t cap_hg;
    dayrec **all;
    size_t n_all, cap_all;
    sk_exfil_cand *cands;
    size_t n_cands;
};

int sk_exfil_new(sk_exfil **out, const sk_exfil_options *o)
{
    sk_exfil *x = calloc(1, sizeof *x);
    if (!x) return ENOMEM;
    if (o) x->o = *o;
    if (!x->o.min_bytes) x->o.min_bytes = UINT64_C(100) * 1000 * 1000;
    if (!(x->o.ratio > 0)) x->o.ratio = 5;
    if (sk_strtab_new(&x->hosts) || sk_strtab_new(&x->dests) || sk_strtab_new(&x->groups) || sk_map_new(&x->days, 0)) {
        sk_exfil_free(x);
        return ENOMEM;
    }
    *out = x;
    return 0;
}

void sk_exfil_free(sk_exfil *x)
{
    if (!x) return;
    for (size_t i = 0; i < x->n_all; i++) free(x->all[i]);
    free(x->all);
    free(x->host_group);
    sk_strtab_free(x->hosts);
    sk_strtab_free(x->dests);
    sk_strtab_free(x->groups);
    sk_map_free(x->days);
    free(x->cands);
    free(x);
}

int sk_exfil_add(sk_exfil *x, const sk_exfil_obs *o)
{
    if (o->t == SK_TIME_NONE || !o->host_n || !o->bytes_out) return 0;
    uint32_t hid, did;
    size_t hn = o->host_n > 1024 ? 1024 : o->host_n, dn = o->dest_n > 300 ? 300 : o->dest_n;
    if (sk_strtab_intern(x->hosts, o->host, hn, &hid) || sk_strtab_intern(x->dests, o->dest ? o->dest : "-", o->dest ? dn : 1, &did))
        return ENOMEM;
    if (hid >= x->cap_hg) {
        size_t c = x->cap_hg ? x->cap_hg * 2 : 1024;
        while (c <= hid) c *= 2;
        uint32_t *ng = realloc(x->host_group, c * sizeof *ng);
        if (!ng) return ENOMEM;
        memset(ng + x->cap_hg, 0, (c - x->cap_hg) * sizeof *ng);
        x->host_group = ng;
        x->cap_hg = c;
    }
    if (!x->host_group[hid] && o->group && o->group[0]) {
        uint32_t gid;
        size_t gl = strlen(o->group);
        if (sk_strtab_intern(x->groups, o->group, gl > 64 ? 64 : gl, &gid)) return ENOMEM;
        x->host_group[hid] = gid + 1;
    }
    int64_t day = o->t / DAY_NS - (o->t < 0 && o->t % DAY_NS);
    uint8_t key[13];
    memcpy(key, &hid, 4);
    memcpy(key + 4, &day, 8);
    key[12] = (uint8_t)o->sensor;
    dayrec *d = sk_map_get(x->days, key, sizeof key);
    if (!d) {
        if (x->n_all == x->cap_all) {
            size_t c = x->cap_all ? x->cap_all * 2 : 1024;
            dayrec **na = realloc(x->all, c * sizeof *na);
            if (!na) return ENOMEM;
            x->all = na;
            x->cap_all = c;
        }
        if (!(d = calloc(1, sizeof *d))) return ENOMEM;
        if (sk_map_put(x->days, key, sizeof key, d, NULL)) {
            free(d);
            return ENOMEM;
        }
        x->all[x->n_all++] = d;
        d->host = hid, d->day = day, d->sensor = (uint8_t)o->sensor;
        d->first = d->last = o->t;
    }
    d->bytes += o->bytes_out;
    d->records++;
    if (o->t < d->first) d->first = o->t;
    if (o->t > d->last) d->last = o->t;
    size_t i = 0;
    while (i < d->n_dests && d->dest_id[i] != did) i++;
    if (i < d->n_dests) d->dest_bytes[i] += o->bytes_out;
    else if (d->n_dests < KEEP_DESTS) d->dest_id[d->n_dests] = did, d->dest_bytes[d->n_dests++] = o->bytes_out;
    else d->other_bytes += o->bytes_out;
    /* the records that sent the most */
    sk_exfil_ref r = {.input = o->input, .line = o->line, .bytes = o->bytes_out, .t = o->t};
    if (d->n_refs < SK_EXFIL_REFS) d->refs[d->n_refs++] = r;
    else {
        size_t lo = 0;
        for (size_t k = 1; k < d->n_refs; k++)
            if (d->refs[k].bytes < d->refs[lo].bytes) lo = k;
        if (d->refs[lo].bytes < r.bytes) d->refs[lo] = r;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double median_u64(uint64_t *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

static int cmp_day(const void *a, const void *b)
{
    const dayrec *x = *(const dayrec *const *)a, *y = *(const dayrec *const *)b;
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return (x->bytes < y->bytes) - (x->bytes > y->bytes); /* the best sensor first */
}

static int cmp_cand(const void *a, const void *b)
{
    const sk_exfil_cand *x = a, *y = b;
    if (x->ratio != y->ratio) return x->ratio < y->ratio ? 1 : -1;
    int c = strcmp(x->host, y->host);
    return c ? c : (x->day > y->day) - (x->day < y->day);
}

static int cmp_ref(const void *a, const void *b)
{
    const sk_exfil_ref *x = a, *y = b;
    return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

int sk_exfil_rank(sk_exfil *x, const sk_exfil_cand **out, size_t *nout)
{
    free(x->cands);
    x->cands = NULL;
    x->n_cands = 0;
    *out = NULL;
    *nout = 0;
    if (!x->n_all) return 0;
    qsort(x->all, x->n_all, sizeof *x->all, cmp_day);
    /* one day a host: its best sensor */
    dayrec **best = malloc(x->n_all * sizeof *best);
    size_t nb = 0;
    uint64_t *tmp = malloc(x->n_all * sizeof *tmp);
    double *host_med = calloc(sk_strtab_count(x->hosts) + 1, sizeof *host_med);
    size_t *host_days = calloc(sk_strtab_count(x->hosts) + 1, sizeof *host_days), *host_at = calloc(sk_strtab_count(x->hosts) + 1, sizeof *host_at);
    double *peer_med = calloc(sk_strtab_count(x->hosts) + 1, sizeof *peer_med);
    int rc = 0;
    if (!best || !tmp || !host_med || !host_days || !host_at || !peer_med) rc = ENOMEM;
    for (size_t i = 0; !rc && i < x->n_all; i++)
        if (!nb || best[nb - 1]->host != x->all[i]->host || best[nb - 1]->day != x->all[i]->day) best[nb++] = x->all[i];
    /* per host: its days, the median of them */
    for (size_t i = 0; !rc && i < nb;) {
        size_t j = i;
        while (j < nb && best[j]->host == best[i]->host) tmp[j - i] = best[j]->bytes, j++;
        host_days[best[i]->host] = j - i;
        host_at[best[i]->host] = i;
        host_med[best[i]->host] = median_u64(tmp, j - i);
        i = j;
    }
    /* per host: the median of the other hosts' medians in its group (the groups' members
     * sorted by median once, each host's own left out) */
    if (!rc) {
        uint32_t *hs = malloc((sk_strtab_count(x->hosts) + 1) * sizeof *hs);
        double *vals = malloc((sk_strtab_count(x->hosts) + 1) * sizeof *vals);
        if (!hs || !vals) rc = ENOMEM;
        for (size_t g = 0; !rc && g <= sk_strtab_count(x->groups); g++) {
            size_t m = 0;
            for (uint32_t h = 0; h < sk_strtab_count(x->hosts); h++)
                if (host_days[h] && (h < x->cap_hg ? x->host_group[h] : 0) == g) hs[m] = h, vals[m++] = host_med[h];
            if (!m) continue;
            /* sort the medians (insertion of doubles through the u64 sort: medians are >= 0) */
            uint64_t *mv = malloc(m * sizeof *mv);
            if (!mv) { rc = ENOMEM; break; }
            for (size_t k = 0; k < m; k++) mv[k] = (uint64_t)vals[k];
            qsort(mv, m, sizeof *mv, cmp_u64);
            for (size_t k = 0; k < m; k++) {
                uint64_t own = (uint64_t)vals[k];
                if (m == 1) { peer_med[hs[k]] = 0; continue; }
                /* the median of the m - 1 others: remove one copy of own */
                size_t pos = 0;
                while (pos < m && mv[pos] != own) pos++;
                size_t n1 = m - 1;
                #define OTHER(i) ((i) < pos ? mv[(i)] : mv[(i) + 1])
                peer_med[hs[k]] = n1 % 2 ? (double)OTHER(n1 / 2) : ((double)OTHER(n1 / 2 - 1) + (double)OTHER(n1 / 2)) / 2;
                #undef OTHER
            }
            free(mv);
        }
        free(hs);
        free(vals);
    }
    /* candidates */
    if (!rc && !(x->cands = calloc(nb, sizeof *x->cands))) rc = ENOMEM;
    for (size_t i = 0; !rc && i < nb; i++) {
        const dayrec *d = best[i];
        if (d->bytes < x->o.min_bytes) continue;
        size_t days = host_days[d->host];
        /* the host's own median over its other days */
        double own = 0;
        if (days > 1) {
            size_t at = host_at[d->host], m = 0;
            for (size_t k = 0; k < days; k++)
                if (at + k != i) tmp[m++] = best[at + k]->bytes;
            own = median_u64(tmp, m);
        }
        double peer = peer_med[d->host];
        double base = days >= 3 ? (own > peer ? own : peer) : peer;
        double floor = 1048576.0;
        double ratio = (double)d->bytes / (base > floor ? base : floor);
        if (ratio < x->o.ratio) continue;
        sk_exfil_cand *c = &x->cands[x->n_cands++];
        c->host = sk_strtab_get(x->hosts, d->host);
        c->group = d->host < x->cap_hg && x->host_group[d->host] ? sk_strtab_get(x->groups, x->host_group[d->host] - 1) : NULL;
        c->day = d->day;
        c->bytes = d->bytes;
        c->records = d->records;
        c->own_median = own;
        c->peer_median = peer;
        c->ratio = ratio;
        c->days_seen = days;
        c->first = d->first;
        c->last = d->last;
        /* the largest destinations */
        size_t idx[KEEP_DESTS];
        for (size_t k = 0; k < d->n_dests; k++) idx[k] = k;
        for (size_t a = 0; a < d->n_dests; a++)
            for (size_t b = a + 1; b < d->n_dests; b++)
                if (d->dest_bytes[idx[b]] > d->dest_bytes[idx[a]]) {
                    size_t t = idx[a];
                    idx[a] = idx[b], idx[b] = t;
                }
        for (size_t k = 0; k < d->n_dests && c->n_dests < SK_EXFIL_DESTS; k++)
            c->dests[c->n_dests++] = (sk_exfil_dest){sk_strtab_get(x->dests, d->dest_id[idx[k]]), d->dest_bytes[idx[k]]};
        memcpy(c->refs, d->refs, d->n_refs * sizeof *d->refs);
        c->n_refs = d->n_refs;
        qsort(c->refs, c->n_refs, sizeof *c->refs, cmp_ref);
    }
    if (!rc) qsort(x->cands, x->n_cands, sizeof *x->cands, cmp_cand);
    free(best);
    free(tmp);
    free(host_med);
    free(host_days);
    free(host_at);
    free(peer_med);
    if (rc) return rc;
    *out = x->cands;
    *nout = x->n_cands;
    return 0;
}
