/*
 * pdns.c - passive DNS (sakimori/pdns.h): a map from the 16-byte address to its names,
 * each (interned name, first and last answer, where last seen). A repeated answer only
 * moves its name's bounds; an address with 32 names drops the one answered longest ago.
 * Look-ups are read-only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/map.h>
#include <sakimori/pdns.h>

#define MAX_NAMES 32

typedef struct entry {
    const char *name;
    size_t n;
    sk_time first, last;
    uint32_t input;
    uint64_t line;
} entry;

typedef struct addr_names {
    entry e[MAX_NAMES];
    size_t n;
} addr_names;

struct sk_pdns {
    sk_arena *arena;
    sk_map *by_ip, *names;
    addr_names **all;
    size_t n_all, cap_all, pairs;
    sk_time max_age;
};

int sk_pdns_new(sk_pdns **out, sk_time max_age)
{
    sk_pdns *p = calloc(1, sizeof *p);
    if (!p || sk_arena_new(&p->arena, 0, 0) || sk_map_new(&p->by_ip, 0) || sk_map_new(&p->names, 0)) {
        sk_pdns_free(p);
        return ENOMEM;
    }
    p->max_age = max_age > 0 ? max_age : (sk_time)24 * 3600 * SK_NS_PER_SEC;
    *out = p;
    return 0;
}

void sk_pdns_free(sk_pdns *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_all; i++) free(p->all[i]);
    free(p->all);
    sk_map_free(p->by_ip);
    sk_map_free(p->names);
    sk_arena_free(p->arena);
    free(p);
}

size_t sk_pdns_addresses(const sk_pdns *p)
{
    return p->n_all;
}

size_t sk_pdns_pairs(const sk_pdns *p)
{
    return p->pairs;
}

int sk_pdns_add(sk_pdns *p, const sk_ip *ip, const char *name, size_t n, sk_time t, uint32_t input, uint64_t line)
{
    if (t == SK_TIME_NONE) return 0;
    if (n && name[n - 1] == '.') n--;
    if (!n || n > 253) return 0;
    char low[256];
    for (size_t i = 0; i < n; i++) low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    const char *nm = sk_map_get(p->names, low, n);
    if (!nm) {
        char *c = sk_arena_strndup(p->arena, low, n);
        if (!c || sk_map_put(p->names, c, n, c, NULL)) return ENOMEM;
        nm = c;
    }
    addr_names *a = sk_map_get(p->by_ip, ip->a, 16);
    if (!a) {
        if (p->n_all == p->cap_all) {
            size_t cap = p->cap_all ? p->cap_all * 2 : 256;
            addr_names **na = realloc(p->all, cap * sizeof *na);
            if (!na) return ENOMEM;
            p->all = na;
            p->cap_all = cap;
        }
        if (!(a = calloc(1, sizeof *a))) return ENOMEM;
        if (sk_map_put(p->by_ip, ip->a, 16, a, NULL)) { free(a); return ENOMEM; }
        p->all[p->n_all++] = a;
    }
    for (size_t i = 0; i < a->n; i++) {
        entry *e = &a->e[i];
        if (e->name == nm) { /* interned: the same pointer is the same name */
            if (t < e->first) e->first = t;
            if (t >= e->last) e->last = t, e->input = input, e->line = line;
            return 0;
        }
    }
    entry ne = {.name = nm, .n = n, .first = t, .last = t, .input = input, .line = line};
    if (a->n < MAX_NAMES) {
        a->e[a->n++] = ne;
        p->pairs++;
        return 0;
    }
    size_t old = 0;
    for (size_t i = 1; i < a->n; i++)
        if (a->e[i].last < a->e[old].last) old = i;
    if (a->e[old].last < t) a->e[old] = ne;
    return 0;
}

size_t sk_pdns_lookup(const sk_pdns *p, const sk_ip *ip, sk_time t, sk_time tolerance, sk_pdns_name *out, size_t max)
{
    if (!p || !p->n_all || t == SK_TIME_NONE) return 0;
    const addr_names *a = sk_map_get(p->by_ip, ip->a, 16);
    if (!a) return 0;
    size_t k = 0;
    for (size_t i = 0; i < a->n && k < max; i++) {
        const entry *e = &a->e[i];
        if (t < e->first - tolerance || t > e->last + p->max_age) continue;
        out[k++] = (sk_pdns_name){.name = e->name, .n = e->n, .first = e->first, .last = e->last, .input = e->input, .line = e->line};
    }
    return k;
}

/* a name as passive DNS keeps it (Sysmon's, attacker text): lower case, no trailing dot; 0 when it is none */
static size_t clean_name(const char *s, size_t n, char *out, size_t cap)
{
    while (n && (s[0] == ' ' || s[0] == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    while (n && s[n - 1] == '.') n--; /* every trailing dot */
    if (!n || n >= cap || n > 253) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((unsigned char)c <= ' ' || c == ';') return 0;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return n;
}


int sk_pdns_sysmon_pairs(const char *query, size_t qn, const char *results, size_t rn, sk_pdns_pair_cb cb, void *ctx)
{
    char names[9][256];
    size_t nl[9], nn = 0;
    if (!(nl[0] = clean_name(query, qn, names[0], sizeof names[0]))) return 0;
    nn = 1;
    /* the entries: names of other record types first (they join the query name) */
    const char *e = results + rn;
    for (const char *p = results; p < e;) {
        const char *semi = memchr(p, ';', (size_t)(e - p));
        const char *end = semi ? semi : e;
        if (end - p > 5 && !strncmp(p, "type:", 5) && nn < 9) {
            const char *c = p + 5;
            while (c < end && *c == ' ') c++;
            while (c < end && *c >= '0' && *c <= '9') c++;
            size_t k = clean_name(c, (size_t)(end - c), names[nn], sizeof names[nn]);
            if (k) nl[nn++] = k;
        }
        p = end + 1;
    }
    for (const char *p = results; p < e;) {
        const char *semi = memchr(p, ';', (size_t)(e - p));
        const char *end = semi ? semi : e;
        while (p < end && *p == ' ') p++;
        sk_ip ip;
        if (end > p && (size_t)(end - p) < 64 && !sk_ip_parse(p, (size_t)(end - p), &ip))
            for (size_t k = 0; k < nn; k++) {
                int rc = cb(ctx, &ip, names[k], nl[k]);
                if (rc) return rc;
            }
        p = end + 1;
    }
    return 0;
}
