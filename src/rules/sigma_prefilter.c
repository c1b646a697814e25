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
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include <sakimori/common.h>

#include "sigma_int.h"

#define PF_SHORT 3            /* literals shorter than this need a rare byte (below) */

/* A short literal is worth scanning for only when it holds a byte that Windows paths and
 * command lines rarely do (^ ; , % ` ( and the like, or non-ASCII): '^^' spares almost
 * every event, '-e ' almost none, and every short literal slows the scan of all. A
 * single byte must be rarer still: a backtick, a caret or a control character. */
static int worth_scanning(const char *s, size_t n)
{
    if (n >= PF_SHORT) return 1;
    if (n == 0) return 0;
    if (n == 1) {
        unsigned char c = (unsigned char)s[0];
        return c == '`' || c == '^' || (c > 0 && c < 0x20);
    }
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
    hs_database_t *db;        /* every literal of the entries, for the fields their rules test */
    hs_database_t *kwdb;      /* their keyword literals, for the other fields; or none */
    uint32_t *fkeys;          /* the fields their rules test (name hashes, open addressing) */
    uint8_t *fused;
    size_t fmask;
    int fall, fkw;            /* every field (rules too deep to enumerate); keywords */
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

/* How much a literal of a regular expression's runs spares: 0 when not worth scanning,
 * else its length (letters compared as the folded scan text has them). */
static size_t run_rank(const char *s, size_t n)
{
    char low[256];
    if (n > sizeof low) n = sizeof low;
    for (size_t i = 0; i < n; i++) low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    return worth_scanning(low, n) ? n : 0;
}

/* keep run[0..cur) as the best so far when it spares more (whole UTF-8 characters only:
 * folding works on characters) */
static void run_keep(const char *run, size_t cur, char *best, size_t *bestn, size_t *bestrank)
{
    size_t st = 0;
    while (st < cur && ((unsigned char)run[st] & 0xC0) == 0x80) st++;
    size_t en = cur;
    if (en > st) {
        size_t k = en;
        while (k > st && ((unsigned char)run[k - 1] & 0xC0) == 0x80) k--;
        if (k > st) {
            unsigned char lead = (unsigned char)run[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (en - (k - 1) < need) en = k - 1;
        }
    }
    if (en <= st) return;
    size_t rank = run_rank(run + st, en - st);
    if (rank > *bestrank) {
        memcpy(best, run + st, en - st);
        *bestn = en - st;
        *bestrank = rank;
    }
}

typedef struct re_st {       /* the run of literal characters being read, and the best so far */
    char run[256];
    size_t cur;
    char best[256];
    size_t bestn, bestrank;
} re_st;

static void re_flush(re_st *st)
{
    run_keep(st->run, st->cur, st->best, &st->bestn, &st->bestrank);
    st->cur = 0;
}

/* The index of the ')' closing the group that opens at p[i], or SIZE_MAX; *alt: the
 * group has an alternation at its own level. Escapes and classes are stepped over. */
static size_t group_end(const char *p, size_t i, size_t n, int *alt)
{
    int depth = 0;
    *alt = 0;
    for (size_t k = i; k < n; k++) {
        char c = p[k];
        if (c == '\\') { k++; continue; }
        if (c == '[') {
            k++;
            if (k < n && p[k] == '^') k++;
            if (k < n && p[k] == ']') k++;
            while (k < n && p[k] != ']') { if (p[k] == '\\') k++; k++; }
            continue;
        }
        if (c == '(') depth++;
        else if (c == ')') { if (--depth == 0) return k; }
        else if (c == '|' && depth == 1) *alt = 1;
    }
    return SIZE_MAX;
}

/* Read p[i..n) as a sequence (no alternation at its level): every run of literal
 * characters in it is in each match. A group without an alternation of its own that
 * must occur is read as part of the sequence; one that may be absent, a lookaround or
 * a class ends the run. -1: a construct not read (the pattern gives no literal). */
static int re_seq(const char *p, size_t i, size_t n, re_st *st, int level)
{
    if (level > 16) return -1;
    for (; i < n; i++) {
        char c = p[i];
        int literal = -1;
        if (c == '|') return -1; /* an alternation: no single literal */
        if (c == '\\' && i + 1 < n) {
            char e = p[i + 1];
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                const char *ctl = strchr("tnrfea", e);
                if (ctl && e) {
                    static const char val[] = {'\t', '\n', '\r', '\f', 0x1b, 0x07};
                    literal = (unsigned char)val[ctl - "tnrfea"];
                    i++;
                } else if (e == 'x' && i + 3 < n && isxdigit((unsigned char)p[i + 2]) && isxdigit((unsigned char)p[i + 3])) {
                    unsigned v = (unsigned)strtoul((char[]){p[i + 2], p[i + 3], 0}, NULL, 16);
                    if (v >= 0x80 || v == 0) return -1; /* a byte of a character, or NUL: not read */
                    literal = (int)v;
                    i += 3;
                } else if (!strchr("dDsSwWbBvhHRNAzZG", e)) {
                    /* anything longer (\x{..}, \143, \1, \k<n>, \cJ, \p{..}) is not read */
                    return -1;
                } else {
                    /* a one-character class or an assertion ends the run */
                    literal = -1;
                    i++;
                }
            } else {
                literal = (unsigned char)e;
                i++;
            }
        } else if (c == '(') {
            size_t content = i + 1;
            int skip = 0;
            if (i + 1 < n && p[i + 1] == '*') return -1; /* (*VERB): not read */
            if (i + 1 < n && p[i + 1] == '?') {
                char d = i + 2 < n ? p[i + 2] : 0;
                if (d == ':') content = i + 3;
                else if (d == '=' || d == '!' || (d == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!'))) skip = 1;
                else return -1; /* inline options (x: spaces ignored), named groups: not read */
            }
            int alt;
            size_t e = group_end(p, i, n, &alt);
            if (e == SIZE_MAX) return -1;
            char q = e + 1 < n ? p[e + 1] : 0;
            int optional = q == '?' || q == '*' || (q == '{' && e + 2 < n && (p[e + 2] == '0' || p[e + 2] == ','));
            if (skip || alt || optional) {
                re_flush(st);
            } else {
                int rc = re_seq(p, content, e, st, level + 1);
                if (rc) return rc;
            }
            i = e;
            if (q == '+' || q == '?' || q == '*' || q == '{') { /* repeated or optional: the run ends */
                re_flush(st);
                i = e + 1;
                if (q == '{') while (i < n && p[i] != '}') i++;
            }
            continue;
        } else if (c == '[') { /* a class: skip it (POSIX classes inside: not read) */
            if (i + 1 < n && p[i + 1] == '[') return -1;
            for (size_t q = i; q + 1 < n && p[q] != ']'; q++)
                if (p[q] == '[' && q > i && p[q + 1] == ':') return -1;
            i++;
            if (i < n && p[i] == '^') i++;
            if (i < n && p[i] == ']') i++;
            while (i < n && p[i] != ']') { if (p[i] == '\\') i++; i++; }
        } else if (c == '.' || c == '^' || c == '$') {
            literal = -1;
        } else if (c == '*' || c == '?' || c == '+' || c == '{') {
            /* the quantifier applies to the character before: one of it stays for '+'
             * (the run ends after it), none otherwise */
            if (c != '+' && st->cur) st->cur--;
            re_flush(st);
            if (c == '{') while (i < n && p[i] != '}') i++;
            continue;
        } else {
            literal = (unsigned char)c;
        }
        if (literal >= 0 && st->cur < sizeof st->run) {
            st->run[st->cur++] = (char)literal;
            continue;
        }
        re_flush(st);
    }
    return 0;
}

/*
 * The most selective literal every match of a regular expression contains, or 0: every
 * run of literal characters of its top-level sequence (groups that must occur read in
 * line) is in each match, and the one that spares most is kept (an alternation at the
 * top level gives none; a class, an escape other than an escaped punctuation character
 * or a control character (\t \n \r \f \e \a \xhh), a '.', an optional group or a
 * quantifier that may repeat zero times ends a run; a run that a quantifier follows
 * loses its last character). Sound, not complete: a pattern it cannot read needs nothing.
 */
static int re_literal(const char *p, size_t n, char *out, size_t cap, size_t *outn)
{
    size_t i = 0;
    /* leading inline options that do not change how literals read (not x: spaces) */
    if (n >= 3 && p[0] == '(' && p[1] == '?') {
        size_t q = 2;
        while (q < n && p[q] && strchr("imsnU", p[q])) q++;
        if (q > 2 && q < n && p[q] == ')') i = q + 1;
    }
    for (size_t q = 0; q + 1 < n; q++)
        if (p[q] == '\\' && p[q + 1] == 'Q') return 0;
    re_st st;
    st.cur = st.bestn = st.bestrank = 0;
    if (re_seq(p, i, n, &st, 0)) return 0;
    re_flush(&st);
    if (!st.bestrank || st.bestn > cap) return 0;
    memcpy(out, st.best, st.bestn);
    *outn = st.bestn;
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
    if (!len) return 0;
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

/* the literal ids of every test of an expression (lit1; kw_only: of its keywords), into
 * a per-entry list */
static int collect_lit1(const sg_expr *e, uint32_t *stamp, uint32_t mark, uint32_t **v, size_t *n, size_t *cap, int kw_only, int depth)
{
    if (depth > SG_MAX_DEPTH) return 0;
    for (size_t g = 0; g < e->n_groups && (!kw_only || e->type == SG_E_KEYWORD); g++)
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
        int rc = collect_lit1(e->kids[i], stamp, mark, v, n, cap, kw_only, depth + 1);
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
#define PF_CONJ 4

typedef struct cnf {
    int never;
    lset c[PF_CONJ];
    size_t n;                 /* 0 and not never: needs nothing */
} cnf;

/* every literal of x is in y (y is implied by x): 1; not, or too large to say: 0 */
static int subset(const lset *x, const lset *y)
{
    if (x->n > y->n || x->n * y->n > 65536) return 0;
    for (size_t i = 0; i < x->n; i++) {
        int in = 0;
        for (size_t j = 0; j < y->n && !in; j++) in = x->len[i] == y->len[j] && !memcmp(x->lit[i], y->lit[j], x->len[i]);
        if (!in) return 0;
    }
    return 1;
}

static void cnf_add(cnf *x, const lset *s)
{
    if (s->any) return;
    if (s->never) { x->never = 1; return; }
    /* a conjunct that one already kept implies adds nothing; one that implies a kept
     * conjunct replaces it */
    for (size_t i = 0; i < x->n; i++)
        if (subset(&x->c[i], s)) return;
    for (size_t i = 0; i < x->n; i++)
        if (subset(s, &x->c[i])) { x->c[i] = *s; return; }
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
        /* (a1 and a2) or b holds only where (a1 or b) and (a2 or b) do: each conjunct of
         * each alternative, joined with the best conjunct of every other alternative */
        cnf *k = sk_arena_calloc(a, e->n_kids ? e->n_kids : 1, sizeof *k);
        if (!k) return SK_ENOMEM;
        size_t live = 0;
        for (size_t i = 0; i < e->n_kids; i++) {
            int rc = need_cnf(a, b, e->kids[i], &k[i], depth + 1);
            if (rc) return rc;
            if (k[i].never) continue;
            if (!k[i].n) return 0; /* an alternative that needs nothing: so does the whole */
            live++;
        }
        if (!live) { out->never = 1; return 0; }
        for (size_t i = 0; i < e->n_kids; i++) {
            if (k[i].never) continue;
            for (size_t c = 0; c < k[i].n; c++) {
                lset u = NEVER;
                int rc = set_union(a, &u, &k[i].c[c]);
                for (size_t j = 0; !rc && j < e->n_kids && !u.any; j++)
                    if (j != i && !k[j].never) rc = set_union(a, &u, cnf_best(&k[j]));
                if (rc) return rc;
                cnf_add(out, &u);
            }
        }
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
        uint32_t **kv = calloc(s->map.n + 1, sizeof *kv); /* the keyword literals alone */
        size_t *kvn = calloc(s->map.n + 1, sizeof *kvn);
        uint32_t *kstamp = calloc(n_lits, sizeof *kstamp);
        if (!p || !flags || !hids || !sl || !sn || !stamp || !sv || !svn || !kv || !kvn || !kstamp) rc = sk_error_set(SK_ENOMEM, "out of memory");
        /* per mapping entry: the literals its bindings need, and those of every test of
         * their rules (a test whose literal its entry's scan did not find is false) */
        for (size_t si = 0; !rc && si < s->map.n; si++) {
            size_t cv = 0, ck = 0;
            uint32_t mark = (uint32_t)si + 1;
            for (size_t b = 0; !rc && b < s->n_bindings; b++) {
                const sg_binding *bb = &s->bindings[b];
                if (bb->source != si || bb->never) continue;
                for (size_t k = 0; !rc && k < bb->n_need; k++) rc = add_id(bb->need_id[k], stamp, mark, &sv[si], &svn[si], &cv);
                for (size_t x = 0; !rc && x < bb->n_also; x++)
                    for (size_t k = 0; !rc && k < bb->n_also_ids[x]; k++) rc = add_id(bb->also[x][k], stamp, mark, &sv[si], &svn[si], &cv);
                if (!rc && s->rules[bb->rule].cond) rc = collect_lit1(s->rules[bb->rule].cond, stamp, mark, &sv[si], &svn[si], &cv, 0, 0);
                if (!rc && s->rules[bb->rule].cond)
                    rc = collect_lit1(s->rules[bb->rule].cond, kstamp, mark, &kv[si], &kvn[si], &ck, 1, 0);
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
                        /* the keyword literals, for the fields no rule of these entries tests */
                        nv = 0;
                        mark++;
                        for (size_t q = 0; !rc && q < n_set; q++)
                            for (size_t k = 0; k < kvn[set[q]]; k++) {
                                uint32_t id = kv[set[q]][k];
                                if (stamp[id] == mark) continue;
                                stamp[id] = mark;
                                sl[nv] = lits[id], sn[nv] = lens[id], flags[nv] = HS_FLAG_SINGLEMATCH, hids[nv++] = id;
                            }
                        if (!rc && nv) {
                            if (hs_compile_lit_multi(sl, flags, hids, sn, (unsigned)nv, HS_MODE_BLOCK, NULL, &co->kwdb, &err) != HS_SUCCESS) {
                                rc = sk_error_set(SK_EINTERNAL, "prefilter: the keyword database does not compile: %s", err && err->message ? err->message : "?");
                                hs_free_compile_error(err);
                            } else if (hs_alloc_scratch(co->kwdb, &p->proto) != HS_SUCCESS) {
                                rc = sk_error_set(SK_ENOMEM, "prefilter: no scratch");
                            }
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
        for (size_t si = 0; kv && si < s->map.n; si++) free(kv[si]);
        free(sv);
        free(svn);
        free(kv);
        free(kvn);
        free(kstamp);
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
            for (size_t i = 0; p && i < p->n_combos; i++)
                if (p->combos[i].kwdb) hs_free_database(p->combos[i].kwdb);
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
    for (size_t i = 0; i < p->n_combos; i++)
        if (p->combos[i].kwdb) hs_free_database(p->combos[i].kwdb);
    free(p->combos);
    sk_map_free(p->chans);
    free(p);
    s->prefilter = NULL;
}

/* A fleet's events repeat their values (the same image paths, parents, users, labels
 * on every host): the literals found in a value are remembered per database, so that a
 * value seen before costs a lookup instead of a scan. Direct-mapped, exact (the value
 * is kept and compared), bounded per matcher; a value too long or with too many literals
 * is scanned every time. */
#define PF_MEMO_SLOTS 1024
#define PF_MEMO_LEN 192
#define PF_MEMO_HITS 14

typedef struct pf_memo {
    uint32_t combo;           /* database index + 1; 0: empty */
    uint16_t len;
    uint16_t n_hits;
    uint32_t hits[PF_MEMO_HITS];
    char val[PF_MEMO_LEN];
} pf_memo;

typedef struct pf_scratch {
    hs_scratch_t *scratch;
    uint32_t *touched;
    size_t n_touched;
    pf_memo *memo;
    uint64_t *memo_tag;       /* per slot: the hash of its value (small, so that a miss stays in cache) */
    uint32_t seg_hits[PF_MEMO_HITS];
    size_t n_seg;             /* literals found in the value being scanned; > PF_MEMO_HITS: too many */
} pf_scratch;

int sg_prefilter_scratch(const struct sk_sigma_set *s, sk_sigma_matcher *m)
{
    const pf_db *p = s->prefilter;
    if (!p) return 0;
    pf_scratch *ps = calloc(1, sizeof *ps);
    m->pf_hit = calloc(p->n_lits + 1, 1);
    if (ps) ps->touched = calloc(p->n_lits + 1, sizeof *ps->touched);
    if (ps) ps->memo = calloc(PF_MEMO_SLOTS, sizeof *ps->memo), ps->memo_tag = calloc(PF_MEMO_SLOTS, sizeof *ps->memo_tag);
    if (!ps || !m->pf_hit || !ps->touched || !ps->memo || !ps->memo_tag || hs_clone_scratch(p->proto, &ps->scratch) != HS_SUCCESS) {
        if (ps) free(ps->touched), free(ps->memo), free(ps->memo_tag);
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
        free(ps->memo);
        free(ps->memo_tag);
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
    if (ps->n_seg < PF_MEMO_HITS) ps->seg_hits[ps->n_seg] = id;
    ps->n_seg++;
    return 0;
}

static uint64_t memo_hash(const char *s, size_t n, uint32_t combo)
{
    uint64_t h = 0x243F6A8885A308D3ull ^ ((uint64_t)combo << 32) ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    for (size_t k = 0; i + k < n; k++) w |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 32);
}

/* The literals of database db (memo key ci) in one value: remembered, or scanned (and
 * remembered). */
static int scan_value(sk_sigma_matcher *m, pf_scratch *ps, const hs_database_t *db, uint32_t ci, const char *v, size_t n)
{
    uint64_t h = 0;
    pf_memo *slot = NULL;
    if (n <= PF_MEMO_LEN) {
        h = memo_hash(v, n, ci);
        size_t at = h & (PF_MEMO_SLOTS - 1);
        slot = &ps->memo[at];
        if (ps->memo_tag[at] == h && slot->combo == ci + 1 && slot->len == n && !memcmp(slot->val, v, n)) {
            for (size_t k = 0; k < slot->n_hits; k++) {
                uint32_t id = slot->hits[k];
                if (!m->pf_hit[id]) {
                    m->pf_hit[id] = 1;
                    ps->touched[ps->n_touched++] = id;
                }
            }
            return 0;
        }
    }
    ps->n_seg = 0;
    if (hs_scan(db, v, (unsigned)n, 0, ps->scratch, on_lit, m) != HS_SUCCESS) return -1;
    if (slot && ps->n_seg <= PF_MEMO_HITS) {
        slot->combo = ci + 1;
        ps->memo_tag[h & (PF_MEMO_SLOTS - 1)] = h;
        slot->len = (uint16_t)n;
        slot->n_hits = (uint16_t)ps->n_seg;
        memcpy(slot->hits, ps->seg_hits, ps->n_seg * sizeof *slot->hits);
        memcpy(slot->val, v, n);
    }
    return 0;
}

void sg_prefilter_hits(const sk_sigma_matcher *m, const uint32_t **ids, size_t *n)
{
    const pf_scratch *ps = m->pf;
    *ids = ps ? ps->touched : NULL;
    *n = ps ? ps->n_touched : 0;
}

size_t sg_prefilter_combo(const sk_sigma_matcher *m, const char *chkey, size_t chlen, const sk_event *ev)
{
    const pf_db *p = m->set->prefilter;
    if (!p || !m->pf) return SIZE_MAX;
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
    return ci;
}

void sg_prefilter_mode(const struct sk_sigma_set *s, size_t ci, int *all, int *kw)
{
    const pf_combo *co = &((const pf_db *)s->prefilter)->combos[ci];
    *all = co->fall;
    *kw = co->fkw && !co->fall && co->kwdb;
}

int sg_prefilter_wants(const struct sk_sigma_set *s, size_t ci, uint32_t hash)
{
    const pf_combo *co = &((const pf_db *)s->prefilter)->combos[ci];
    if (co->fall) return 1;
    if (!co->fkeys) return 0;
    for (size_t h = (hash * 0x9E3779B1u) & co->fmask;; h = (h + 1) & co->fmask) {
        if (!co->fused[h]) return 0;
        if (co->fkeys[h] == hash) return 1;
    }
}

/* Per database, the fields its entries' rules test, merged (after scan_fields). */
int sg_prefilter_fields(struct sk_sigma_set *s)
{
    pf_db *p = s->prefilter;
    for (size_t ci = 0; p && ci < p->n_combos; ci++) {
        pf_combo *co = &p->combos[ci];
        size_t n = 0;
        for (size_t k = 0; k < co->n; k++) {
            n += s->n_scan_hash[co->srcs[k]];
            co->fall |= s->scan_all[co->srcs[k]];
            co->fkw |= s->scan_kw[co->srcs[k]];
        }
        if (co->fall || !n) continue;
        size_t cap = 16;
        while (cap < n * 2) cap *= 2;
        co->fkeys = sk_arena_calloc(s->arena, cap, sizeof *co->fkeys);
        co->fused = sk_arena_calloc(s->arena, cap, 1);
        if (!co->fkeys || !co->fused) return sk_error_set(SK_ENOMEM, "out of memory");
        co->fmask = cap - 1;
        for (size_t k = 0; k < co->n; k++)
            for (size_t j = 0; j < s->n_scan_hash[co->srcs[k]]; j++) {
                uint32_t hash = s->scan_hash[co->srcs[k]][j];
                size_t h = (hash * 0x9E3779B1u) & co->fmask;
                while (co->fused[h] && co->fkeys[h] != hash) h = (h + 1) & co->fmask;
                co->fused[h] = 1;
                co->fkeys[h] = hash;
            }
    }
    return 0;
}

int sg_prefilter_scan(sk_sigma_matcher *m, size_t ci)
{
    const pf_db *p = m->set->prefilter;
    pf_scratch *ps = m->pf;
    if (!p || !ps) return -1;
    for (size_t i = 0; i < ps->n_touched; i++) m->pf_hit[ps->touched[i]] = 0;
    ps->n_touched = 0;
    if (m->kwtext.len > UINT32_MAX) return -1;
    if (ci == SIZE_MAX) return 0;
    const pf_combo *co = &p->combos[ci];
    /* value by value (no literal holds the NUL between them): the fields the rules test
     * with every literal, the others with the keyword literals */
    size_t nseg = co->kwdb ? m->n_seg : m->ref_seg;
    for (size_t k = 0; k < nseg; k++) {
        uint32_t off = m->seg[2 * k], n = m->seg[2 * k + 1];
        if (!n) continue;
        int ref = k < m->ref_seg;
        if (scan_value(m, ps, ref ? co->db : co->kwdb, ref ? (uint32_t)ci : (uint32_t)ci | 0x80000000u, m->kwtext.data + off, n)) return -1;
    }
    for (size_t k = 0; k < co->n; k++) m->src_scanned[co->srcs[k]] = m->gen;
    return 0;
}
