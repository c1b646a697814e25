/*
 * attrib.c - who held an internal address when (sakimori/attrib.h). Per address, the
 * grants sorted by start: a lease from dhcpd.leases keeps its start and end; an ACK
 * line starts a grant that ends at the lease file's end for it when one matches, else
 * at the address's next grant to another holder or after the default lease time,
 * whichever is first (a renewal by the same holder extends it). A lookup collects the
 * holders whose grant covers t widened by the tolerance: one holder is the answer,
 * several are ambiguous; between two grants to the same holder with no other holder
 * between, that holder (said as a gap); else unknown. Static assignments answer when
 * no grant does.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/attrib.h>
#include <sakimori/common.h>
#include <sakimori/map.h>

typedef struct grant {
    sk_time start, end;
    int has_end;          /* end given by the log (a lease) */
    int how;
    const char *holder;   /* client name, else MAC */
    const char *mac;
} grant;

typedef struct addr_hist {
    grant *g;
    size_t n, cap;
    const char *static_host;
} addr_hist;

struct sk_attrib {
    sk_arena *arena;
    sk_map *by_ip;        /* 16-byte address -> addr_hist */
    addr_hist **all;
    size_t n_all, cap_all;
    sk_time default_lease;
    size_t grants;
};

int sk_attrib_new(sk_attrib **out, sk_time default_lease)
{
    sk_attrib *a = calloc(1, sizeof *a);
    if (!a || sk_arena_new(&a->arena, 0, 0) || sk_map_new(&a->by_ip, 0)) {
        if (a) sk_arena_free(a->arena);
        free(a);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    a->default_lease = default_lease > 0 ? default_lease : (sk_time)24 * 3600 * SK_NS_PER_SEC;
    *out = a;
    return 0;
}

void sk_attrib_free(sk_attrib *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n_all; i++) free(a->all[i]->g);
    free(a->all);
    sk_map_free(a->by_ip);
    sk_arena_free(a->arena);
    free(a);
}

static addr_hist *hist_of(sk_attrib *a, const sk_ip *ip)
{
    addr_hist *h = sk_map_get(a->by_ip, ip->a, 16);
    if (h) return h;
    h = sk_arena_calloc(a->arena, 1, sizeof *h);
    if (!h || sk_map_put(a->by_ip, ip->a, 16, h, NULL)) return NULL;
    if (a->n_all == a->cap_all) {
        size_t cap = a->cap_all ? a->cap_all * 2 : 256;
        addr_hist **nv = realloc(a->all, cap * sizeof *nv);
        if (!nv) return NULL;
        a->all = nv;
        a->cap_all = cap;
    }
    a->all[a->n_all++] = h;
    return h;
}

int sk_attrib_add_dhcp(sk_attrib *a, const sk_netrec *r)
{
    if (!(r->has & SK_NR_SRC_IP) || (r->dhcp != SK_NR_DHCP_ACK && r->dhcp != SK_NR_DHCP_LEASE)) return 0;
    if (!r->mac.s && !r->client_name.s) return 0; /* an INFORM's ACK names no holder */
    sk_time start = r->dhcp == SK_NR_DHCP_LEASE ? r->lease_start : r->ts;
    if (start == SK_TIME_NONE) return 0;
    addr_hist *h = hist_of(a, &r->src_ip);
    if (!h) return sk_error_set(SK_ENOMEM, "out of memory");
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        grant *ng = realloc(h->g, cap * sizeof *ng);
        if (!ng) return sk_error_set(SK_ENOMEM, "out of memory");
        h->g = ng;
        h->cap = cap;
    }
    grant *g = &h->g[h->n++];
    memset(g, 0, sizeof *g);
    g->start = start;
    g->end = SK_TIME_NONE;
    if (r->dhcp == SK_NR_DHCP_LEASE) {
        if (r->has & SK_NR_LEASE_NEVER) g->end = INT64_MAX, g->has_end = 1;
        else if (r->has & SK_NR_LEASE_END) g->end = r->lease_end, g->has_end = 1;
        g->how = SK_ATTRIB_LEASE;
    }
    g->mac = r->mac.s ? sk_arena_strndup(a->arena, r->mac.s, r->mac.n) : NULL;
    g->holder = r->client_name.s ? sk_arena_strndup(a->arena, r->client_name.s, r->client_name.n) : g->mac;
    if ((r->mac.s && !g->mac) || !g->holder) return sk_error_set(SK_ENOMEM, "out of memory");
    a->grants++;
    return 0;
}

int sk_attrib_add_static(sk_attrib *a, const sk_ip *ip, const char *host)
{
    addr_hist *h = hist_of(a, ip);
    if (!h || !(h->static_host = sk_arena_strndup(a->arena, host, strlen(host)))) return sk_error_set(SK_ENOMEM, "out of memory");
    return 0;
}

static int by_start(const void *x, const void *y)
{
    const grant *a = x, *b = y;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return b->has_end - a->has_end; /* a lease before the ACK of the same instant */
}

static int same_holder(const grant *a, const grant *b)
{
    if (a->mac && b->mac) return !strcmp(a->mac, b->mac);
    return !strcmp(a->holder, b->holder);
}

int sk_attrib_finish(sk_attrib *a)
{
    for (size_t i = 0; i < a->n_all; i++) {
        addr_hist *h = a->all[i];
        if (h->n > 1) qsort(h->g, h->n, sizeof *h->g, by_start);
        /* an ACK and the lease block written for it: the lease's end bounds the ACK */
        for (size_t k = 0; k < h->n; k++) {
            grant *g = &h->g[k];
            if (g->has_end) continue;
            for (size_t j = 0; j < h->n; j++) {
                grant *l = &h->g[j];
                if (l->has_end && same_holder(l, g) && l->start <= g->start + 5 * SK_NS_PER_SEC && l->end > g->start) {
                    g->end = l->end;
                    g->how = SK_ATTRIB_LEASE;
                    break;
                }
            }
            if (g->end != SK_TIME_NONE) continue;
            sk_time end = g->start + a->default_lease;
            g->how = SK_ATTRIB_DEFAULT_LEASE;
            for (size_t j = k + 1; j < h->n; j++)
                if (!same_holder(&h->g[j], g)) {
                    if (h->g[j].start < end) end = h->g[j].start, g->how = SK_ATTRIB_NEXT_GRANT;
                    break;
                }
            g->end = end;
        }
    }
    return 0;
}

const char *sk_attrib_lookup(const sk_attrib *a, const sk_ip *ip, sk_time t, sk_time tolerance, int *how)
{
    *how = SK_ATTRIB_NONE;
    const addr_hist *h = sk_map_get(a->by_ip, ip->a, 16);
    if (!h) return NULL;
    const grant *found = NULL;
    int ambiguous = 0;
    for (size_t k = 0; k < h->n; k++) {
        const grant *g = &h->g[k];
        if (g->start - tolerance > t) break;
        if (g->end != SK_TIME_NONE && g->end != INT64_MAX && g->end + tolerance < t) continue;
        if (found && !same_holder(found, g)) ambiguous = 1;
        if (!found || g->start > found->start) found = found && !same_holder(found, g) ? found : g;
    }
    if (ambiguous) {
        *how = SK_ATTRIB_AMBIGUOUS;
        return NULL;
    }
    if (found) {
        *how = found->how;
        return found->holder;
    }
    /* between two grants to the same holder, none to another: still that holder's */
    const grant *prev = NULL, *next = NULL;
    for (size_t k = 0; k < h->n; k++) {
        const grant *g = &h->g[k];
        if (g->start > t) { next = g; break; }
        if (!prev || g->end > prev->end) prev = g;
    }
    if (prev && next && same_holder(prev, next) && prev->end != SK_TIME_NONE && next->start - prev->end <= 2 * a->default_lease) {
        *how = SK_ATTRIB_GAP;
        return prev->holder;
    }
    if (h->static_host) {
        *how = SK_ATTRIB_STATIC;
        return h->static_host;
    }
    return NULL;
}

size_t sk_attrib_grants(const sk_attrib *a)
{
    return a->grants;
}
