/*
 * sigma_prefilter.c - the literal prefilter: for each rule, a set of literals of which
 * at least one must occur in an event (its values folded, NUL-separated) for the rule's
 * condition to be true; all rules' literals compiled once into one Vectorscan/Hyperscan
 * literal database, scanned once per event, so that the cost per event barely grows
 * with the number of rules.
 *
 * The set is derived per binding (a rule on one mapping entry) from the condition soundly, for the three-valued logic the matcher
 * uses (only a true condition fires): a string test (equals, prefix, suffix, contains,
 * or a wildcard pattern's longest literal piece) needs its literal; alternatives and
 * `or` take the union, `and` and `all` the most selective member, `not` and every test
 * the scan cannot see (System members, numbers, regular expressions, CIDR, null, exists,
 * field references, integers that may match a hexadecimal field, and fields the entry
 * cannot supply, whose tests must reach the matcher to be counted undecided) need nothing. A rule
 * whose condition needs nothing is always evaluated.
 */
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include <sakimori/common.h>

#include "sigma_int.h"

#define PF_MIN_LIT 3          /* shorter literals are too common to spare anything */
#define PF_MAX_SET 4096       /* a set larger than this is treated as "needs nothing" */

typedef struct pf_db {
    hs_database_t *db;
    hs_scratch_t *proto;      /* cloned per matcher */
    size_t n_lits;
} pf_db;

typedef struct lset {         /* NULL items + any = 1: needs nothing */
    int any;
    const char **lit;
    size_t *len;
    size_t n;
} lset;

static const lset ANY = {.any = 1};

static int set_add(sk_arena *a, lset *s, const char *lit, size_t n)
{
    if (s->any) return 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] == n && !memcmp(s->lit[i], lit, n)) return 0;
    if (s->n >= PF_MAX_SET) {
        s->any = 1;
        return 0;
    }
    if ((s->n & (s->n - 1)) == 0) { /* grow at powers of two */
        size_t cap = s->n ? s->n * 2 : 4;
        const char **nl = sk_arena_alloc(a, cap * sizeof *nl);
        size_t *nn = sk_arena_alloc(a, cap * sizeof *nn);
        if (!nl || !nn) return SK_ENOMEM;
        if (s->n) {
            memcpy(nl, s->lit, s->n * sizeof *nl);
            memcpy(nn, s->len, s->n * sizeof *nn);
        }
        s->lit = nl;
        s->len = nn;
    }
    s->lit[s->n] = lit;
    s->len[s->n++] = n;
    return 0;
}

static int set_union(sk_arena *a, lset *into, const lset *from)
{
    if (into->any) return 0;
    if (from->any) {
        *into = ANY;
        return 0;
    }
    for (size_t i = 0; i < from->n; i++) {
        int rc = set_add(a, into, from->lit[i], from->len[i]);
        if (rc) return rc;
    }
    return 0;
}

/* How selective a set is: the shortest literal's length, fewer literals better. */
static double score(const lset *s)
{
    if (s->any || !s->n) return -1;
    size_t mn = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] < mn) mn = s->len[i];
    return (double)mn * 4.0 - (double)s->n * 0.01;
}

/* The literal a value test needs, or 0 when it needs nothing the scan can see. */
static int val_literal(sk_arena *a, const sg_val *v, const char **lit, size_t *n)
{
    if (v->type != SG_V_STR || v->simple) return 0;
    const char *s = v->lit;
    size_t len = v->n;
    if (v->op == SG_GLOB) { /* the longest run between wildcards */
        size_t best = 0, bs = 0, i = 0;
        while (i < len) {
            size_t j = i;
            while (j < len && (uint8_t)s[j] != SG_GLOB_STAR && (uint8_t)s[j] != SG_GLOB_ONE) j++;
            if (j - i > best) best = j - i, bs = i;
            i = j + 1;
        }
        s += bs;
        len = best;
    }
    if (len < PF_MIN_LIT) return 0;
    if (v->cased) { /* the scan text is folded: fold the literal for it */
        sk_buf f;
        sk_buf_init(&f, (size_t)16 << 20);
        if (sg_fold(&f, s, len)) { sk_buf_free(&f); return 0; }
        char *d = sk_arena_strndup(a, f.data ? f.data : "", f.len);
        len = f.len;
        sk_buf_free(&f);
        if (!d) return 0;
        s = d;
    }
    *lit = s;
    *n = len;
    return 1;
}

static int need(sk_arena *a, const sg_binding *b, const sg_expr *e, lset *out, int depth)
{
    *out = ANY;
    if (depth > SG_MAX_DEPTH) return 0;
    switch (e->type) {
    case SG_E_FIELD:
    case SG_E_KEYWORD: {
        if (e->neg) return 0;
        /* a System member is not in the scanned text; a field some source lacks must
         * reach the matcher, which says "undecided" for it */
        if (e->type == SG_E_FIELD && (b->fields[e->field].system || b->unknown[e->field])) return 0;
        lset best = ANY;
        lset all = {0};
        for (size_t g = 0; g < e->n_groups; g++) {
            lset gs = {0};
            for (size_t k = 0; k < e->groups[g].n && !gs.any; k++) {
                const char *lit;
                size_t n;
                if (!val_literal(a, &e->groups[g].alt[k], &lit, &n)) gs = ANY;
                else if (set_add(a, &gs, lit, n)) return SK_ENOMEM;
            }
            if (e->all) {
                if (score(&gs) > score(&best)) best = gs;
            } else if (set_union(a, &all, &gs)) {
                return SK_ENOMEM;
            }
        }
        *out = e->all ? best : all;
        return 0;
    }
    case SG_E_AND: {
        lset best = ANY;
        for (size_t i = 0; i < e->n_kids; i++) {
            lset k;
            int rc = need(a, b, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if (score(&k) > score(&best)) best = k;
        }
        *out = best;
        return 0;
    }
    case SG_E_OR: {
        lset u = {0};
        for (size_t i = 0; i < e->n_kids && !u.any; i++) {
            lset k;
            int rc = need(a, b, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if ((rc = set_union(a, &u, &k))) return rc;
        }
        *out = u;
        return 0;
    }
    default: return 0;
    }
}

int sg_prefilter_build(struct sk_sigma_set *s)
{
    sk_map *ids = NULL;
    int rc = sk_map_new(&ids, 0);
    if (rc) return rc;
    const char **lits = NULL;
    size_t *lens = NULL, n_lits = 0, cap = 0;
    for (size_t i = 0; i < s->n_bindings && !rc; i++) {
        sg_binding *r = &s->bindings[i];
        const sg_rule *rule = &s->rules[r->rule];
        if (!rule->cond) continue;
        lset ls;
        rc = need(s->arena, r, rule->cond, &ls, 0);
        if (rc || ls.any || !ls.n) continue;
        r->need_id = sk_arena_alloc(s->arena, ls.n * sizeof *r->need_id);
        if (!r->need_id) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
        for (size_t k = 0; k < ls.n && !rc; k++) {
            void *v = sk_map_get(ids, ls.lit[k], ls.len[k]);
            size_t id;
            if (v) {
                id = (size_t)(uintptr_t)v - 1;
            } else {
                if (n_lits == cap) {
                    cap = cap ? cap * 2 : 1024;
                    const char **nl = realloc(lits, cap * sizeof *nl);
                    size_t *nn = nl ? realloc(lens, cap * sizeof *nn) : NULL;
                    if (nl) lits = nl;
                    if (!nl || !nn) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                    lens = nn;
                }
                id = n_lits;
                lits[n_lits] = ls.lit[k];
                lens[n_lits++] = ls.len[k];
                rc = sk_map_put(ids, ls.lit[k], ls.len[k], (void *)(uintptr_t)(id + 1), NULL);
            }
            r->need_id[k] = (uint32_t)id;
        }
        r->n_need = ls.n;
    }
    sk_map_free(ids);
    if (!rc && n_lits) {
        pf_db *p = calloc(1, sizeof *p);
        unsigned *flags = calloc(n_lits, sizeof *flags), *hids = calloc(n_lits, sizeof *hids);
        if (!p || !flags || !hids) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < n_lits; i++) flags[i] = HS_FLAG_SINGLEMATCH, hids[i] = (unsigned)i;
        hs_compile_error_t *err = NULL;
        if (!rc && hs_compile_lit_multi(lits, flags, hids, lens, (unsigned)n_lits, HS_MODE_BLOCK, NULL, &p->db, &err) != HS_SUCCESS) {
            rc = sk_error_set(SK_EINTERNAL, "prefilter: the literal database does not compile: %s", err && err->message ? err->message : "?");
            hs_free_compile_error(err);
        }
        if (!rc && hs_alloc_scratch(p->db, &p->proto) != HS_SUCCESS) rc = sk_error_set(SK_ENOMEM, "prefilter: no scratch");
        p->n_lits = n_lits;
        free(flags);
        free(hids);
        if (rc) {
            if (p && p->db) hs_free_database(p->db);
            free(p);
            /* without the prefilter every rule is evaluated: correct, only slower */
            for (size_t i = 0; i < s->n_bindings; i++) s->bindings[i].n_need = 0;
        } else {
            s->prefilter = p;
        }
    }
    free(lits);
    free(lens);
    return rc == SK_ENOMEM ? rc : 0;
}

void sg_prefilter_free(struct sk_sigma_set *s)
{
    pf_db *p = s->prefilter;
    if (!p) return;
    hs_free_scratch(p->proto);
    hs_free_database(p->db);
    free(p);
    s->prefilter = NULL;
}

typedef struct pf_scratch {
    hs_scratch_t *scratch;
    uint32_t *touched;
    size_t n_touched;
} pf_scratch;

int sg_prefilter_scratch(const struct sk_sigma_set *s, sk_sigma_matcher *m)
{
    const pf_db *p = s->prefilter;
    if (!p) return 0;
    pf_scratch *ps = calloc(1, sizeof *ps);
    m->pf_hit = calloc(p->n_lits + 1, 1);
    if (ps) ps->touched = calloc(p->n_lits + 1, sizeof *ps->touched);
    if (!ps || !m->pf_hit || !ps->touched || hs_clone_scratch(p->proto, &ps->scratch) != HS_SUCCESS) {
        if (ps) free(ps->touched);
        free(ps);
        free(m->pf_hit);
        m->pf_hit = NULL;
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    m->pf = ps;
    return 0;
}

void sg_prefilter_scratch_free(sk_sigma_matcher *m)
{
    pf_scratch *ps = m->pf;
    if (ps) {
        hs_free_scratch(ps->scratch);
        free(ps->touched);
        free(ps);
    }
    free(m->pf_hit);
    m->pf = NULL;
    m->pf_hit = NULL;
}

static int on_lit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    sk_sigma_matcher *m = ctx;
    pf_scratch *ps = m->pf;
    if (!m->pf_hit[id]) {
        m->pf_hit[id] = 1;
        ps->touched[ps->n_touched++] = id;
    }
    return 0;
}

int sg_prefilter_scan(sk_sigma_matcher *m)
{
    const pf_db *p = m->set->prefilter;
    pf_scratch *ps = m->pf;
    if (!p || !ps) return -1;
    for (size_t i = 0; i < ps->n_touched; i++) m->pf_hit[ps->touched[i]] = 0;
    ps->n_touched = 0;
    if (m->kwtext.len > UINT32_MAX) return -1;
    if (hs_scan(p->db, m->kwtext.data ? m->kwtext.data : "", (unsigned)m->kwtext.len, 0, ps->scratch, on_lit, m) != HS_SUCCESS) return -1;
    return 0;
}
