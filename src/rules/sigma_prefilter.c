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

#define PF_MIN_LIT 2          /* one byte is too common to spare anything */
#define PF_SHORT 4            /* literals shorter than this need a rare byte (below) */

/* A short literal is worth scanning for only when it holds a byte that Windows paths and
 * command lines rarely do (^ ; , % ` ( and the like, or non-ASCII): '^^' spares almost
 * every event, '-e ' almost none, and every short literal slows the scan of all. */
static int worth_scanning(const char *s, size_t n)
{
    if (n >= PF_SHORT) return 1;
    if (n < PF_MIN_LIT) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int common = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '\\' || c == '/' ||
                     c == ':' || c == '-' || c == '_' || c == '"' || c == '\'' || c == '=';
        if (!common) return 1;
    }
    return 0;
}
#define PF_MAX_SET 4096       /* a set larger than this is treated as "needs nothing" */

/* The entries an event of one channel and event id can belong to (provider and event
 * data aside): one database over all their literals, so that an event is scanned once. */
typedef struct pf_combo {
    hs_database_t *db;
    size_t *srcs;
    size_t n;
} pf_combo;

typedef struct pf_chan {      /* per channel: event id -> combination */
    uint16_t *eids;
    size_t *combo;            /* SIZE_MAX: no database */
    size_t n;
    size_t other;             /* an event id no entry names, or none */
} pf_chan;

typedef struct pf_db {
    pf_combo *combos;
    size_t n_combos;
    sk_map *chans;            /* folded channel -> pf_chan */
    pf_chan nochan;           /* a channel no entry names */
    hs_scratch_t *proto;      /* large enough for every database; cloned per matcher */
    size_t n_lits;
    size_t **bindings;        /* per literal: the bindings that need it, SIZE_MAX-terminated */
} pf_db;

typedef struct lset {         /* any: needs nothing; never: cannot be true; else one of lit[] */
    int any, never;
    const char **lit;
    size_t *len;
    size_t n;
} lset;

static const lset ANY = {.any = 1};
static const lset NEVER = {.never = 1};

static int set_add(sk_arena *a, lset *s, const char *lit, size_t n)
{
    if (s->any) return 0;
    s->never = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] == n && !memcmp(s->lit[i], lit, n)) return 0;
    if (s->n >= PF_MAX_SET) {
        *s = ANY;
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

/* OR: the union (never contributes nothing) */
static int set_union(sk_arena *a, lset *into, const lset *from)
{
    if (into->any || from->never) return 0;
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
    if (s->never) return 1e18;
    if (s->any || !s->n) return -1;
    size_t mn = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++)
        if (s->len[i] < mn) mn = s->len[i];
    return (double)mn * 4.0 - (double)s->n * 0.01;
}

/*
 * The longest literal every match of a regular expression contains, or 0: the top level
 * of the pattern only (an alternation there, or a group, a class, an escape other than
 * an escaped punctuation character, a '.', or a quantifier that may repeat zero times
 * ends a run; a run that a quantifier follows loses its last character). Sound, not
 * complete: a pattern it cannot read needs nothing.
 */
static int re_literal(const char *p, size_t n, char *out, size_t cap, size_t *outn)
{
    size_t i = 0, best = 0, cur = 0;
    char run[256];
    char bestrun[256];
    if (n >= 4 && !memcmp(p, "(?i)", 4)) i = 4;
    for (size_t q = 0; q + 1 < n; q++)
        if (p[q] == '\\' && p[q + 1] == 'Q') return 0;
    int depth = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (depth) { /* inside a group: skip to its end */
            if (c == '\\') { i++; continue; }
            if (c == '(') depth++;
            else if (c == ')') depth--;
            continue;
        }
        int literal = -1;
        if (c == '|') return 0; /* a top-level alternation: no single literal */
        if (c == '\\' && i + 1 < n) {
            char e = p[i + 1];
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                /* a one-character class or assertion ends the run; anything longer (\x63,
                 * \143, \k<n>, \cJ, \Q..\E, \p{..}) is not read: no literal */
                if (!strchr("dDsSwWbBtnrfvehHRNAzZG", e)) return 0;
                literal = -1;
                i++;
            } else {
                literal = (unsigned char)e;
                i++;
            }
        } else if (c == '(') {
            /* inline options other than a leading (?i) change how the rest reads (x:
             * spaces ignored): no literal */
            if (i + 1 < n && p[i + 1] == '?' && i + 2 < n && p[i + 2] != ':' && p[i + 2] != '=' && p[i + 2] != '!' &&
                !(p[i + 2] == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!')))
                return 0;
            depth = 1;
        }
        else if (c == '[' ) { /* a class: skip it (POSIX classes inside: not read) */
            if (i + 1 < n && p[i + 1] == '[') return 0;
            for (size_t q = i; q + 1 < n && p[q] != ']'; q++)
                if (p[q] == '[' && q > i && p[q + 1] == ':') return 0;
            i++;
            if (i < n && p[i] == '^') i++;
            if (i < n && p[i] == ']') i++;
            while (i < n && p[i] != ']') { if (p[i] == '\\') i++; i++; }
        }
        else if (c == '.' || c == '^' || c == '$') { literal = -1; }
        else if (c == '*' || c == '?' || c == '+' || c == '{') {
            /* the quantifier applies to the character before: drop it from the run */
            if (c == '+' && cur) { /* one of it stays: the run ends after it */
                if (cur > best) { best = cur; memcpy(bestrun, run, cur); }
                cur = 0;
                if (c == '{') while (i < n && p[i] != '}') i++;
                continue;
            }
            if (cur) cur--;
            if (cur > best) { best = cur; memcpy(bestrun, run, cur); }
            cur = 0;
            if (c == '{') while (i < n && p[i] != '}') i++;
            continue;
        } else { literal = (unsigned char)c; }
        if (literal >= 0 && cur < sizeof run) {
            /* a quantifier right after it makes it optional: handled above */
            run[cur++] = (char)literal;
            continue;
        }
        if (cur > best) { best = cur; memcpy(bestrun, run, cur); }
        cur = 0;
    }
    if (depth) return 0;
    if (cur > best) { best = cur; memcpy(bestrun, run, cur); }
    /* whole UTF-8 characters only (folding works on characters) */
    size_t st = 0;
    while (st < best && ((unsigned char)bestrun[st] & 0xC0) == 0x80) st++;
    size_t en = best;
    if (en > st) {
        size_t k = en;
        while (k > st && ((unsigned char)bestrun[k - 1] & 0xC0) == 0x80) k--;
        if (k > st) {
            unsigned char lead = (unsigned char)bestrun[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (en - (k - 1) < need) en = k - 1;
        }
    }
    if (en <= st) return 0;
    best = en - st;
    if (best < PF_MIN_LIT || best > cap) return 0;
    memcpy(out, bestrun + st, best);
    *outn = best;
    return 1;
}

/* The literal a value test needs, or 0 when it needs nothing the scan can see. */
static int val_literal(sk_arena *a, const sg_val *v, const char **lit, size_t *n)
{
    if (v->type == SG_V_RE && v->lit) {
        char buf[256];
        size_t bn;
        if (!re_literal(v->lit, v->n, buf, sizeof buf, &bn)) return 0;
        /* multi-line or a case-sensitive regex: the scan text is folded either way */
        sk_buf f;
        sk_buf_init(&f, 1 << 16);
        if (sg_fold(&f, buf, bn)) { sk_buf_free(&f); return 0; }
        char *d = sk_arena_strndup(a, f.data ? f.data : "", f.len);
        *n = f.len;
        sk_buf_free(&f);
        if (!d || !worth_scanning(d, *n)) return 0;
        *lit = d;
        return 1;
    }
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
    if (!worth_scanning(s, len)) return 0;
    *lit = s;
    *n = len;
    return 1;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int need(sk_arena *a, const sg_binding *b, const sg_expr *e, lset *out, int depth)
{
    *out = ANY;
    if (depth > SG_MAX_DEPTH) return 0;
    switch (e->type) {
    case SG_E_FALSE: *out = NEVER; return 0;
    case SG_E_FIELD:
    case SG_E_KEYWORD: {
        /* a field the entry lacks is unknown: never true (the hunt reports the events of
         * such entries per rule); a System member is not in the scanned text */
        if (e->type == SG_E_FIELD && b->unknown[e->field]) { *out = NEVER; return 0; }
        if (e->neg) return 0;
        if (e->type == SG_E_FIELD && b->fields[e->field].system) return 0;
        lset best = ANY;
        lset all = NEVER;
        for (size_t g = 0; g < e->n_groups; g++) {
            lset gs = NEVER;
            for (size_t k = 0; k < e->groups[g].n && !gs.any; k++) {
                const sg_val *v = &e->groups[g].alt[k];
                const char *lit;
                size_t n;
                if (v->type == SG_V_FIELDREF && b->unknown[v->fref]) continue; /* never true */
                if (!val_literal(a, v, &lit, &n)) gs = ANY;
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
        lset u = NEVER;
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

/* the literal ids of every test of an expression (lit1), into a per-entry list */
static int collect_lit1(const sg_expr *e, uint32_t *stamp, uint32_t mark, uint32_t **v, size_t *n, size_t *cap, int depth)
{
    if (depth > SG_MAX_DEPTH) return 0;
    for (size_t g = 0; g < e->n_groups; g++)
        for (size_t k = 0; k < e->groups[g].n; k++) {
            uint32_t l = e->groups[g].alt[k].lit1;
            if (!l || stamp[l - 1] == mark) continue;
            stamp[l - 1] = mark;
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 256;
                uint32_t *nv = realloc(*v, nc * sizeof *nv);
                if (!nv) return sk_error_set(SK_ENOMEM, "out of memory");
                *v = nv;
                *cap = nc;
            }
            (*v)[(*n)++] = l - 1;
        }
    for (size_t i = 0; i < e->n_kids; i++) {
        int rc = collect_lit1(e->kids[i], stamp, mark, v, n, cap, depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static int add_id(uint32_t id, uint32_t *stamp, uint32_t mark, uint32_t **v, size_t *n, size_t *cap)
{
    if (stamp[id] == mark) return 0;
    stamp[id] = mark;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        uint32_t *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) return sk_error_set(SK_ENOMEM, "out of memory");
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = id;
    return 0;
}

static void mark_literals(sk_arena *a, sk_map *ids, sg_expr *e, int depth)
{
    if (depth > SG_MAX_DEPTH) return;
    for (size_t g = 0; g < e->n_groups; g++)
        for (size_t k = 0; k < e->groups[g].n; k++) {
            sg_val *v = &e->groups[g].alt[k];
            const char *lit;
            size_t n;
            if (v->lit1 || !val_literal(a, v, &lit, &n)) continue;
            void *id = sk_map_get(ids, lit, n);
            if (id) v->lit1 = (uint32_t)(uintptr_t)id;
        }
    for (size_t i = 0; i < e->n_kids; i++) mark_literals(a, ids, e->kids[i], depth + 1);
}

/* ---- conjunctions: up to PF_CONJ sets that must each have a literal in the event ---- */
#define PF_CONJ 3

typedef struct cnf {
    int never;
    lset c[PF_CONJ];
    size_t n;                 /* 0 and not never: needs nothing */
} cnf;

static void cnf_add(cnf *x, const lset *s)
{
    if (s->any) return;
    if (s->never) { x->never = 1; return; }
    if (x->n < PF_CONJ) { x->c[x->n++] = *s; return; }
    size_t worst = 0; /* replace the least selective */
    for (size_t i = 1; i < x->n; i++)
        if (score(&x->c[i]) < score(&x->c[worst])) worst = i;
    if (score(s) > score(&x->c[worst])) x->c[worst] = *s;
}

static const lset *cnf_best(const cnf *x)
{
    const lset *b = NULL;
    for (size_t i = 0; i < x->n; i++)
        if (!b || score(&x->c[i]) > score(b)) b = &x->c[i];
    return b;
}

static int need_cnf(sk_arena *a, const sg_binding *b, const sg_expr *e, cnf *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (depth > SG_MAX_DEPTH) return 0;
    if (e->type == SG_E_AND) {
        for (size_t i = 0; i < e->n_kids && !out->never; i++) {
            cnf k;
            int rc = need_cnf(a, b, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if (k.never) { out->never = 1; break; }
            for (size_t j = 0; j < k.n; j++) cnf_add(out, &k.c[j]);
        }
        return 0;
    }
    if (e->type == SG_E_FIELD && e->all && !e->neg && !b->unknown[e->field] && !b->fields[e->field].system) {
        /* every group must hold: each is a conjunct */
        for (size_t g = 0; g < e->n_groups && !out->never; g++) {
            sg_expr one = *e;
            one.groups = &e->groups[g];
            one.n_groups = 1;
            one.all = 0;
            lset gs;
            int rc = need(a, b, &one, &gs, depth + 1);
            if (rc) return rc;
            cnf_add(out, &gs);
        }
        return 0;
    }
    if (e->type == SG_E_OR) {
        lset u = NEVER;
        for (size_t i = 0; i < e->n_kids && !u.any; i++) {
            cnf k;
            int rc = need_cnf(a, b, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if (k.never) continue;
            const lset *best = cnf_best(&k);
            if (!best) { u = ANY; break; }
            if ((rc = set_union(a, &u, best))) return rc;
        }
        cnf_add(out, &u);
        return 0;
    }
    lset one;
    int rc = need(a, b, e, &one, depth);
    if (rc) return rc;
    cnf_add(out, &one);
    return 0;
}

static int lit_id(sk_map *ids, const char ***lits, size_t **lens, size_t *n_lits, size_t *cap, const char *lit, size_t len, uint32_t *out)
{
    void *v = sk_map_get(ids, lit, len);
    if (v) {
        *out = (uint32_t)((uintptr_t)v - 1);
        return 0;
    }
    if (*n_lits == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        const char **nl = realloc(*lits, nc * sizeof *nl);
        if (!nl) return sk_error_set(SK_ENOMEM, "out of memory");
        *lits = nl;
        size_t *nn = realloc(*lens, nc * sizeof *nn);
        if (!nn) return sk_error_set(SK_ENOMEM, "out of memory");
        *lens = nn;
        *cap = nc;
    }
    (*lits)[*n_lits] = lit;
    (*lens)[*n_lits] = len;
    *out = (uint32_t)*n_lits;
    (*n_lits)++;
    return sk_map_put(ids, lit, len, (void *)(uintptr_t)*n_lits, NULL);
}

int sg_prefilter_build(struct sk_sigma_set *s)
{
    /* SAKIMORI_SIGMA_NO_PREFILTER=1 evaluates every rule on every event of its sources:
     * the differential test (tests/sigma/prefilter.sh) compares both */
    const char *off = getenv("SAKIMORI_SIGMA_NO_PREFILTER");
    if (off && *off && strcmp(off, "0")) return 0;
    sk_map *ids = NULL;
    int rc = sk_map_new(&ids, 0);
    if (rc) return rc;
    const char **lits = NULL;
    size_t *lens = NULL, n_lits = 0, cap = 0;
    for (size_t i = 0; i < s->n_bindings && !rc; i++) {
        sg_binding *r = &s->bindings[i];
        const sg_rule *rule = &s->rules[r->rule];
        if (!rule->cond) continue;
        cnf cn;
        rc = need_cnf(s->arena, r, rule->cond, &cn, 0);
        if (!rc && cn.never) r->never = 1;
        if (rc || cn.never || !cn.n) continue;
        /* the most selective set triggers the rule; the others are checked then */
        const lset *prim = cnf_best(&cn);
        r->need_id = sk_arena_alloc(s->arena, prim->n * sizeof *r->need_id);
        if (!r->need_id) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
        for (size_t k = 0; k < prim->n && !rc; k++)
            rc = lit_id(ids, &lits, &lens, &n_lits, &cap, prim->lit[k], prim->len[k], &r->need_id[k]);
        r->n_need = prim->n;
        for (size_t j = 0; j < cn.n && !rc; j++) {
            const lset *x = &cn.c[j];
            if (x == prim || r->n_also == SG_MAX_ALSO) continue;
            uint32_t *v = sk_arena_alloc(s->arena, x->n * sizeof *v);
            if (!v) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            for (size_t k = 0; k < x->n && !rc; k++) rc = lit_id(ids, &lits, &lens, &n_lits, &cap, x->lit[k], x->len[k], &v[k]);
            r->also[r->n_also] = v;
            r->n_also_ids[r->n_also++] = x->n;
        }
    }
    /* every test whose literal is in the database learns its id: a literal the scan did
     * not find makes the test false without looking at the value */
    for (size_t i = 0; i < s->n_rules && !rc; i++)
        if (s->rules[i].kind == SK_SIGMA_DETECTION && s->rules[i].cond) mark_literals(s->arena, ids, s->rules[i].cond, 0);
    sk_map_free(ids);
    if (!rc && n_lits) {
        pf_db *p = calloc(1, sizeof *p);
        unsigned *flags = calloc(n_lits, sizeof *flags), *hids = calloc(n_lits, sizeof *hids);
        const char **sl = calloc(n_lits, sizeof *sl);
        size_t *sn = calloc(n_lits, sizeof *sn);
        uint32_t *stamp = calloc(n_lits, sizeof *stamp);
        uint32_t **sv = calloc(s->map.n + 1, sizeof *sv);
        size_t *svn = calloc(s->map.n + 1, sizeof *svn);
        if (!p || !flags || !hids || !sl || !sn || !stamp || !sv || !svn) rc = sk_error_set(SK_ENOMEM, "out of memory");
        /* per mapping entry: the literals its bindings need, and those of every test of
         * their rules (a test whose literal its entry's scan did not find is false) */
        for (size_t si = 0; !rc && si < s->map.n; si++) {
            size_t cv = 0;
            uint32_t mark = (uint32_t)si + 1;
            for (size_t b = 0; !rc && b < s->n_bindings; b++) {
                const sg_binding *bb = &s->bindings[b];
                if (bb->source != si || bb->never) continue;
                for (size_t k = 0; !rc && k < bb->n_need; k++) rc = add_id(bb->need_id[k], stamp, mark, &sv[si], &svn[si], &cv);
                for (size_t x = 0; !rc && x < bb->n_also; x++)
                    for (size_t k = 0; !rc && k < bb->n_also_ids[x]; k++) rc = add_id(bb->also[x][k], stamp, mark, &sv[si], &svn[si], &cv);
                if (!rc && s->rules[bb->rule].cond) rc = collect_lit1(s->rules[bb->rule].cond, stamp, mark, &sv[si], &svn[si], &cv, 0);
            }
        }
        /* the combinations of entries an event of one channel and event id meets: one
         * database each, so that an event is scanned once */
        if (!rc) rc = sk_map_new(&p->chans, 0);
        memset(stamp, 0, n_lits * sizeof *stamp);
        uint32_t mark = 0;
        for (size_t ci = 0; !rc && ci <= s->map.n; ci++) {
            /* each distinct channel once (ci == map.n: channels no entry names) */
            const char *const *chl = ci < s->map.n ? s->map.src[ci].channels : NULL;
            size_t nch = ci < s->map.n ? s->map.src[ci].n_channels : 1;
            for (size_t c = 0; !rc && c < nch; c++) {
                const char *ch = chl ? chl[c] : NULL;
                if (ch && sk_map_has(p->chans, ch, strlen(ch))) continue;
                /* candidates: the entries on this channel and those on every channel */
                size_t *cand = calloc(s->map.n + 1, sizeof *cand), nc = 0;
                uint16_t *eids = NULL;
                size_t ne = 0;
                if (!cand) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                for (size_t si = 0; si < s->map.n; si++) {
                    const sg_source *src = &s->map.src[si];
                    int on = src->n_channels == 0;
                    for (size_t k = 0; ch && !on && k < src->n_channels; k++) on = !strcmp(src->channels[k], ch);
                    if (on) cand[nc++] = si;
                }
                for (size_t k = 0; k < nc; k++) ne += s->map.src[cand[k]].n_eids;
                eids = calloc(ne + 1, sizeof *eids);
                pf_chan *pc = sk_arena_calloc(s->arena, 1, sizeof *pc);
                if (!eids || !pc) { free(cand); free(eids); rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                ne = 0;
                for (size_t k = 0; k < nc; k++)
                    for (size_t e = 0; e < s->map.src[cand[k]].n_eids; e++) {
                        uint16_t id = s->map.src[cand[k]].eids[e];
                        int dup = 0;
                        for (size_t q = 0; q < ne && !dup; q++) dup = eids[q] == id;
                        if (!dup) eids[ne++] = id;
                    }
                qsort(eids, ne, sizeof *eids, cmp_u16);
                pc->eids = sk_arena_alloc(s->arena, (ne + 1) * sizeof *pc->eids);
                pc->combo = sk_arena_alloc(s->arena, (ne + 1) * sizeof *pc->combo);
                if (!pc->eids || !pc->combo) rc = sk_error_set(SK_ENOMEM, "out of memory");
                pc->n = ne;
                for (size_t e = 0; !rc && e <= ne; e++) {
                    /* e == ne: an event id no candidate names */
                    size_t set[512], n_set = 0;
                    for (size_t k = 0; k < nc && n_set < 512; k++) {
                        const sg_source *src = &s->map.src[cand[k]];
                        if (!svn[cand[k]]) continue;
                        int ok = src->n_eids == 0;
                        for (size_t q = 0; e < ne && !ok && q < src->n_eids; q++) ok = src->eids[q] == eids[e];
                        if (ok) set[n_set++] = cand[k];
                    }
                    size_t idx = SIZE_MAX;
                    for (size_t q = 0; n_set && q < p->n_combos && idx == SIZE_MAX; q++)
                        if (p->combos[q].n == n_set && !memcmp(p->combos[q].srcs, set, n_set * sizeof *set)) idx = q;
                    if (n_set && idx == SIZE_MAX) {
                        pf_combo *nco = realloc(p->combos, (p->n_combos + 1) * sizeof *nco);
                        if (!nco) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                        p->combos = nco;
                        pf_combo *co = &p->combos[p->n_combos];
                        memset(co, 0, sizeof *co);
                        co->srcs = sk_arena_alloc(s->arena, n_set * sizeof *co->srcs);
                        if (!co->srcs) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                        memcpy(co->srcs, set, n_set * sizeof *set);
                        co->n = n_set;
                        size_t nv = 0;
                        mark++;
                        for (size_t q = 0; q < n_set; q++)
                            for (size_t k = 0; k < svn[set[q]]; k++) {
                                uint32_t id = sv[set[q]][k];
                                if (stamp[id] == mark) continue;
                                stamp[id] = mark;
                                sl[nv] = lits[id], sn[nv] = lens[id], flags[nv] = HS_FLAG_SINGLEMATCH, hids[nv++] = id;
                            }
                        hs_compile_error_t *err = NULL;
                        if (hs_compile_lit_multi(sl, flags, hids, sn, (unsigned)nv, HS_MODE_BLOCK, NULL, &co->db, &err) != HS_SUCCESS) {
                            rc = sk_error_set(SK_EINTERNAL, "prefilter: the literal database does not compile: %s", err && err->message ? err->message : "?");
                            hs_free_compile_error(err);
                        } else if (hs_alloc_scratch(co->db, &p->proto) != HS_SUCCESS) {
                            rc = sk_error_set(SK_ENOMEM, "prefilter: no scratch");
                        }
                        idx = p->n_combos++;
                    }
                    if (e < ne) pc->eids[e] = eids[e], pc->combo[e] = idx;
                    else pc->other = idx;
                }
                free(cand);
                free(eids);
                if (!rc) {
                    if (ch) rc = sk_map_put(p->chans, ch, strlen(ch), pc, NULL);
                    else p->nochan = *pc;
                }
            }
        }
        for (size_t si = 0; sv && si < s->map.n; si++) free(sv[si]);
        free(sv);
        free(svn);
        free(sl);
        free(sn);
        free(stamp);
        p->n_lits = n_lits;
        /* literal -> bindings */
        size_t *cnt = rc ? NULL : calloc(n_lits + 1, sizeof *cnt);
        if (!rc && !cnt) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t b = 0; !rc && b < s->n_bindings; b++)
            for (size_t k = 0; k < s->bindings[b].n_need; k++) cnt[s->bindings[b].need_id[k]]++;
        if (!rc && !(p->bindings = sk_arena_calloc(s->arena, n_lits + 1, sizeof *p->bindings))) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < n_lits; i++) {
            if (!(p->bindings[i] = sk_arena_alloc(s->arena, (cnt[i] + 1) * sizeof **p->bindings))) rc = sk_error_set(SK_ENOMEM, "out of memory");
            else p->bindings[i][cnt[i]] = SIZE_MAX, cnt[i] = 0;
        }
        for (size_t b = 0; !rc && b < s->n_bindings; b++)
            for (size_t k = 0; k < s->bindings[b].n_need; k++) {
                uint32_t id = s->bindings[b].need_id[k];
                p->bindings[id][cnt[id]++] = b;
            }
        free(cnt);
        free(flags);
        free(hids);
        if (rc) {
            for (size_t i = 0; p && i < p->n_combos; i++)
                if (p->combos[i].db) hs_free_database(p->combos[i].db);
            if (p && p->proto) hs_free_scratch(p->proto);
            if (p) { free(p->combos); sk_map_free(p->chans); }
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

const size_t *sg_prefilter_bindings(const struct sk_sigma_set *s, uint32_t id)
{
    const pf_db *p = s->prefilter;
    return p && id < p->n_lits ? p->bindings[id] : NULL;
}

void sg_prefilter_free(struct sk_sigma_set *s)
{
    pf_db *p = s->prefilter;
    if (!p) return;
    if (p->proto) hs_free_scratch(p->proto);
    for (size_t i = 0; i < p->n_combos; i++)
        if (p->combos[i].db) hs_free_database(p->combos[i].db);
    free(p->combos);
    sk_map_free(p->chans);
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

void sg_prefilter_hits(const sk_sigma_matcher *m, const uint32_t **ids, size_t *n)
{
    const pf_scratch *ps = m->pf;
    *ids = ps ? ps->touched : NULL;
    *n = ps ? ps->n_touched : 0;
}

int sg_prefilter_scan(sk_sigma_matcher *m, const char *chkey, size_t chlen, const sk_event *ev)
{
    const pf_db *p = m->set->prefilter;
    pf_scratch *ps = m->pf;
    if (!p || !ps) return -1;
    for (size_t i = 0; i < ps->n_touched; i++) m->pf_hit[ps->touched[i]] = 0;
    ps->n_touched = 0;
    if (m->kwtext.len > UINT32_MAX) return -1;
    const pf_chan *pc = chkey ? sk_map_get(p->chans, chkey, chlen) : NULL;
    if (!pc) pc = &p->nochan;
    size_t ci = pc->other;
    if (ev->has & SK_EVH_EVENT_ID) {
        size_t lo = 0, hi = pc->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (pc->eids[mid] < ev->event_id) lo = mid + 1;
            else hi = mid;
        }
        if (lo < pc->n && pc->eids[lo] == ev->event_id) ci = pc->combo[lo];
    }
    if (ci == SIZE_MAX) return 0;
    const pf_combo *co = &p->combos[ci];
    if (hs_scan(co->db, m->kwtext.data ? m->kwtext.data : "", (unsigned)m->kwtext.len, 0, ps->scratch, on_lit, m) != HS_SUCCESS)
        return -1;
    for (size_t k = 0; k < co->n; k++) m->src_scanned[co->srcs[k]] = m->gen;
    return 0;
}
