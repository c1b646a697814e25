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
#include <stdio.h>
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
    int dead;             /* superseded by a later block of the lease file for the same lease */
    int release;          /* a RELEASE or EXPIRE line: ends the holder's grant (no grant itself) */
    uint64_t seq;         /* input order: the last sort key (the same inputs give the same answers) */
    const char *holder;   /* client name, else MAC */
    const char *mac;
} grant;

typedef struct addr_hist {
    grant *g;
    size_t n, cap;
    sk_time max_len;      /* the longest grant: how far back a lookup must look */
    int never;            /* a lease that never ends: a lookup looks all the way back */
    const char *static_host;
} addr_hist;

struct sk_attrib {
    sk_arena *arena;
    sk_map *by_ip;        /* 16-byte address -> addr_hist */
    addr_hist **all;
    size_t n_all, cap_all;
    sk_time default_lease;
    size_t grants;
    uint64_t seq;
    sk_map *roles;        /* lower-case first label of a host name -> its role (asset inventory) */
};

int sk_attrib_new(sk_attrib **out, sk_time default_lease)
{
    sk_attrib *a = calloc(1, sizeof *a);
    if (!a || sk_arena_new(&a->arena, 0, 0) || sk_map_new(&a->by_ip, 0)) {
        if (a) sk_arena_free(a->arena);
        free(a);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    if (sk_map_new(&a->roles, 0)) {
        sk_map_free(a->by_ip);
        sk_arena_free(a->arena);
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
    sk_map_free(a->roles);
    sk_arena_free(a->arena);
    free(a);
}

static addr_hist *hist_of(sk_attrib *a, const sk_ip *ip)
{
    addr_hist *h = sk_map_get(a->by_ip, ip->a, 16);
    if (h) return h;
    if (a->n_all == a->cap_all) { /* room first: a history in the map is always in the list */
        size_t cap = a->cap_all ? a->cap_all * 2 : 256;
        addr_hist **nv = realloc(a->all, cap * sizeof *nv);
        if (!nv) return NULL;
        a->all = nv;
        a->cap_all = cap;
    }
    h = sk_arena_calloc(a->arena, 1, sizeof *h);
    if (!h || sk_map_put(a->by_ip, ip->a, 16, h, NULL)) return NULL;
    a->all[a->n_all++] = h;
    return h;
}

int sk_attrib_add_dhcp(sk_attrib *a, const sk_netrec *r)
{
    int release = r->dhcp == SK_NR_DHCP_RELEASE || r->dhcp == SK_NR_DHCP_EXPIRE;
    if (!(r->has & SK_NR_SRC_IP) || (r->dhcp != SK_NR_DHCP_ACK && r->dhcp != SK_NR_DHCP_LEASE && !release)) return 0;
    if (r->flags & SK_NRF_INFORM_REPLY) return 0; /* the reply to an INFORM grants nothing */
    if (!r->mac.s && !r->client_name.s) return 0;
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
    g->seq = a->seq++;
    g->release = release;
    if (r->dhcp == SK_NR_DHCP_LEASE) {
        if (r->has & SK_NR_LEASE_NEVER) g->end = INT64_MAX, g->has_end = 1;
        else if (r->has & SK_NR_LEASE_END) g->end = r->lease_end, g->has_end = 1;
        g->how = SK_ATTRIB_LEASE;
    }
    g->mac = r->mac.s ? sk_arena_strndup(a->arena, r->mac.s, r->mac.n) : NULL;
    g->holder = r->client_name.s ? sk_arena_strndup(a->arena, r->client_name.s, r->client_name.n) : g->mac;
    if ((r->mac.s && !g->mac) || !g->holder) return sk_error_set(SK_ENOMEM, "out of memory");
    if (!release) a->grants++;
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
    return (a->seq > b->seq) - (a->seq < b->seq);
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
        /* the lease file is a journal: a later block for the same lease (same start and
         * holder: a release, an expiry) supersedes the earlier one */
        for (size_t k = 0; k < h->n; k++) {
            grant *g = &h->g[k];
            if (!g->has_end || g->release) continue;
            for (size_t j = k + 1; j < h->n && h->g[j].start == g->start; j++)
                if (h->g[j].has_end && !h->g[j].release && same_holder(&h->g[j], g)) { g->dead = 1; break; }
        }
        /* a name known for a MAC names it everywhere at this address */
        for (size_t k = 0; k < h->n; k++)
            if (h->g[k].mac && h->g[k].holder == h->g[k].mac)
                for (size_t j = 0; j < h->n; j++)
                    if (h->g[j].mac && h->g[j].holder != h->g[j].mac && !strcmp(h->g[j].mac, h->g[k].mac)) { h->g[k].holder = h->g[j].holder; break; }
        /* the next grant to another holder, and the next release by the same, from the end */
        size_t *next_other = malloc((h->n + 1) * sizeof *next_other);
        if (!next_other) return sk_error_set(SK_ENOMEM, "out of memory");
        next_other[h->n] = SIZE_MAX;
        for (size_t k = h->n; k-- > 0;) {
            next_other[k] = SIZE_MAX;
            size_t j = k + 1;
            while (j < h->n && (h->g[j].release || h->g[j].dead)) j++;
            if (j < h->n) next_other[k] = same_holder(&h->g[j], &h->g[k]) ? next_other[j] : j;
        }
        for (size_t k = 0; k < h->n; k++) {
            grant *g = &h->g[k];
            if (g->release || g->dead) continue;
            if (!g->has_end) {
                /* an ACK and the lease block written for it: the lease's end bounds the ACK */
                for (size_t j = k; j-- > 0 && h->g[j].start >= g->start - 5 * SK_NS_PER_SEC;)
                    if (h->g[j].has_end && !h->g[j].dead && same_holder(&h->g[j], g) && h->g[j].end > g->start) { g->end = h->g[j].end; g->how = SK_ATTRIB_LEASE; break; }
                for (size_t j = k + 1; g->end == SK_TIME_NONE && j < h->n && h->g[j].start <= g->start + 5 * SK_NS_PER_SEC; j++)
                    if (h->g[j].has_end && !h->g[j].dead && same_holder(&h->g[j], g) && h->g[j].end > g->start) { g->end = h->g[j].end; g->how = SK_ATTRIB_LEASE; }
                if (g->end == SK_TIME_NONE) {
                    sk_time end = g->start + a->default_lease;
                    g->how = SK_ATTRIB_DEFAULT_LEASE;
                    size_t j = next_other[k];
                    if (j != SIZE_MAX && h->g[j].start < end) end = h->g[j].start, g->how = SK_ATTRIB_NEXT_GRANT;
                    g->end = end;
                }
            }
            /* a release or expiry by the same holder ends it */
            for (size_t j = k + 1; j < h->n && h->g[j].start < g->end; j++)
                if (h->g[j].release && same_holder(&h->g[j], g)) { g->end = h->g[j].start; break; }
            if (g->end == INT64_MAX) h->never = 1;
            else if (g->end - g->start > h->max_len) h->max_len = g->end - g->start;
        }
        free(next_other);
    }
    return 0;
}

const char *sk_attrib_lookup(const sk_attrib *a, const sk_ip *ip, sk_time t, sk_time tolerance, int *how)
{
    *how = SK_ATTRIB_NONE;
    const addr_hist *h = sk_map_get(a->by_ip, ip->a, 16);
    if (!h) return NULL;
    /* the grants starting at or before t + tolerance: binary search, then back as far as
     * the longest grant reaches (a "never" lease reaches all the way) */
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->g[mid].start - tolerance <= t) lo = mid + 1;
        else hi = mid;
    }
    size_t upto = lo; /* grants [0, upto) start early enough */
    const grant *found = NULL;
    int ambiguous = 0, never = h->never;
    for (size_t k = upto; k-- > 0;) {
        const grant *g = &h->g[k];
        if (!never && g->start + h->max_len + tolerance < t) break;
        if (g->release || g->dead) continue;
        if (g->end != SK_TIME_NONE && g->end != INT64_MAX && g->end + tolerance < t) continue;
        if (found && !same_holder(found, g)) ambiguous = 1;
        if (!found) found = g; /* the latest start */
    }
    if (ambiguous) {
        *how = SK_ATTRIB_AMBIGUOUS;
        return NULL;
    }
    if (found) {
        *how = found->how;
        return found->holder;
    }
    /* between two grants to the same holder, none to another between them: still that
     * holder's */
    const grant *prev = NULL, *next = NULL;
    size_t prev_k = 0;
    for (size_t k = upto; k-- > 0;)
        if (!h->g[k].release && !h->g[k].dead) { prev = &h->g[k]; prev_k = k; break; }
    for (size_t k = upto; k < h->n; k++)
        if (!h->g[k].release && !h->g[k].dead) { next = &h->g[k]; break; }
    if (prev && next && same_holder(prev, next) && prev->end != SK_TIME_NONE && prev->end != INT64_MAX &&
        next->start - prev->end <= 2 * a->default_lease) {
        int other = 0; /* a grant to another holder that started earlier but reaches past prev */
        for (size_t k = prev_k; k-- > 0 && !other;) {
            const grant *g = &h->g[k];
            if (!never && g->start + h->max_len < prev->start) break;
            if (!g->release && !g->dead && !same_holder(g, prev) && g->end > prev->start) other = 1;
        }
        if (!other) {
            *how = SK_ATTRIB_GAP;
            return prev->holder;
        }
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

/* the fields of one CSV line (quotes, "" inside them); 0: too many or unterminated */
static size_t csv_fields(const char *l, size_t n, const char **f, size_t *fl, size_t max, char *buf)
{
    size_t nf = 0, i = 0, o = 0;
    for (;;) {
        if (nf == max) return 0;
        f[nf] = buf + o;
        size_t st = o;
        if (i < n && l[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) return 0;
                if (l[i] == '"') {
                    if (i + 1 < n && l[i + 1] == '"') { buf[o++] = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                buf[o++] = l[i++];
            }
            while (i < n && l[i] != ',') i++; /* text after the closing quote: dropped */
        } else {
            while (i < n && l[i] != ',') buf[o++] = l[i++];
        }
        fl[nf++] = o - st;
        if (i >= n) break;
        i++; /* the comma */
    }
    return nf;
}

static int col_is(const char *s, size_t n, const char *const *names)
{
    for (size_t k = 0; names[k]; k++) {
        size_t m = strlen(names[k]);
        if (m != n) continue;
        size_t j = 0;
        while (j < n && (s[j] | 0x20) == names[k][j]) j++;
        if (j == n) return 1;
    }
    return 0;
}

/* a host name's key in the role map: its first label, lower case */
static size_t role_key(char *k, size_t cap, const char *h, size_t n)
{
    size_t m = 0;
    while (m < n && m + 1 < cap && h[m] != '.') {
        k[m] = (h[m] >= 'A' && h[m] <= 'Z') ? (char)(h[m] + 32) : h[m];
        m++;
    }
    return m;
}

static int set_role(sk_attrib *a, const char *h, size_t hn, const char *r, size_t rn)
{
    char k[256];
    size_t kn = role_key(k, sizeof k, h, hn);
    if (!kn) return 0;
    if (rn > 64) rn = 64;
    char *v = sk_arena_strndup(a->arena, r, rn);
    if (!v) return sk_error_set(SK_ENOMEM, "out of memory");
    return sk_map_put(a->roles, k, kn, v, NULL) ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
}

const char *sk_attrib_role(const sk_attrib *a, const char *host)
{
    char k[256];
    size_t kn = role_key(k, sizeof k, host, strlen(host));
    return kn ? sk_map_get(a->roles, k, kn) : NULL;
}

int sk_attrib_add_assets_csv(sk_attrib *a, const char *name, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                             void *ctx, size_t *added)
{
    static const char *const host_cols[] = {"host", "hostname", "name", "computer", NULL};
    static const char *const ip_cols[] = {"ip", "ip_address", "address", "addresses", "ips", NULL};
    static const char *const role_cols[] = {"role", "asset_role", "function", NULL};
    enum { MAXF = 64 };
    const char *f[MAXF];
    size_t fl[MAXF];
    long hc = -1, ic = -1, rc_col = -1;
    uint64_t line = 0;
    size_t i = 0;
    *added = 0;
    char *buf = malloc(4096 + 1);
    if (!buf) return sk_error_set(SK_ENOMEM, "out of memory");
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF) i = 3;
    char msg[300];
    while (i < n) {
        const char *l = data + i;
        const char *e = memchr(l, '\n', n - i);
        size_t len = e ? (size_t)(e - l) : n - i;
        i += len + 1;
        line++;
        if (len && l[len - 1] == '\r') len--;
        if (!len) continue;
        size_t nf = len <= 4096 ? csv_fields(l, len, f, fl, MAXF, buf) : 0;
        if (!nf) {
            if (diag) snprintf(msg, sizeof msg, "%s:%llu: not a CSV record (longer than 4096 bytes, unbalanced quotes or over %d fields)", name, (unsigned long long)line, MAXF), diag(ctx, msg);
            continue;
        }
        if (hc < 0 || ic < 0) { /* the header */
            for (size_t k = 0; k < nf; k++) {
                if (hc < 0 && col_is(f[k], fl[k], host_cols)) hc = (long)k;
                else if (ic < 0 && col_is(f[k], fl[k], ip_cols)) ic = (long)k;
                else if (rc_col < 0 && col_is(f[k], fl[k], role_cols)) rc_col = (long)k;
            }
            if (hc < 0 || ic < 0) {
                if (diag) snprintf(msg, sizeof msg, "%s:%llu: no host and address columns in the header (host, ip)", name, (unsigned long long)line), diag(ctx, msg);
                break;
            }
            continue;
        }
        if ((size_t)hc >= nf || (size_t)ic >= nf) {
            if (diag) snprintf(msg, sizeof msg, "%s:%llu: %zu fields, fewer than the header names", name, (unsigned long long)line, nf), diag(ctx, msg);
            continue;
        }
        if (rc_col >= 0 && (size_t)rc_col < nf && fl[hc] && fl[rc_col]) {
            int rc = set_role(a, f[hc], fl[hc], f[rc_col], fl[rc_col]);
            if (rc) { free(buf); return rc; }
        }
        if (!fl[hc] || !fl[ic]) continue; /* a host without a fixed address */
        char host[256];
        size_t hn = fl[hc] < sizeof host - 1 ? fl[hc] : sizeof host - 1;
        memcpy(host, f[hc], hn);
        host[hn] = 0;
        const char *v = f[ic];
        size_t vn = fl[ic], k = 0;
        while (k < vn) {
            while (k < vn && (v[k] == ';' || v[k] == ' ' || v[k] == '|')) k++;
            size_t st = k;
            while (k < vn && v[k] != ';' && v[k] != ' ' && v[k] != '|') k++;
            if (k == st) break;
            sk_ip ip;
            if (sk_ip_parse(v + st, k - st, &ip)) {
                if (diag) snprintf(msg, sizeof msg, "%s:%llu: '%.*s' is not an address", name, (unsigned long long)line, (int)(k - st > 60 ? 60 : k - st), v + st), diag(ctx, msg);
                continue;
            }
            int rc = sk_attrib_add_static(a, &ip, host);
            if (rc) { free(buf); return rc; }
            (*added)++;
        }
    }
    free(buf);
    return 0;
}
