/*
 * sigma_match.c - one event against the rule set: the mapping entries the event belongs
 * to (by channel, provider and event id), the bindings those entries dispatch for its
 * event id, the literal prefilter, then each rule's condition evaluated in three
 * values (true, false, unknown: a field the entry cannot supply), and the fields that
 * made it true collected for the finding.
 *
 * Semantics (docs/sigma.md): a field absent from the event fails every value test
 * (so `not filter` holds), `null` holds for an absent or null field, '' for an empty or
 * null one, `exists` for any present one; strings compare case-insensitively (folded
 * once per field and event) unless cased; an integer in a rule also matches the number
 * of an integer-typed field (0x10 is 16); regular expressions run on the raw text with
 * PCRE2's JIT under match and depth limits; array values match when an item does.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/timestamp.h>

#include "sigma_int.h"

enum { F = 0, T = 1, U = 2 };

struct sg_fcache {
    uint32_t gen;
    uint32_t off, len;
    uint8_t in_kw;          /* the text is in kwtext (the prefilter's), else in fold */
};

int sk_sigma_matcher_new(sk_sigma_matcher **out, const sk_sigma_set *s)
{
    *out = NULL;
    sk_sigma_matcher *m = calloc(1, sizeof *m);
    if (!m) return sk_error_set(SK_ENOMEM, "out of memory");
    m->set = s;
    sk_buf_init(&m->fold, (size_t)64 << 20);
    sk_buf_init(&m->kwtext, (size_t)64 << 20);
    m->stamp = calloc(s->n_rules + 1, sizeof *m->stamp);
    m->bstamp = calloc(s->n_bindings + 1, sizeof *m->bstamp);
    m->undecided = calloc(s->n_rules + 1, sizeof *m->undecided);
    m->srcs = calloc(s->map.n + 1, sizeof *m->srcs);
    m->src_on = calloc(s->map.n + 1, sizeof *m->src_on);
    m->src_scanned = calloc(s->map.n + 1, sizeof *m->src_scanned);
    m->src_events = calloc(s->map.n + 1, sizeof *m->src_events);
    m->md = pcre2_match_data_create(32, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    m->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (!m->stamp || !m->bstamp || !m->undecided || !m->srcs || !m->src_on || !m->src_scanned || !m->src_events || !m->md || !m->mctx || !m->jit) {
        sk_sigma_matcher_free(m);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    pcre2_set_match_limit(m->mctx, SG_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx, SG_RE_DEPTH_LIMIT);
    pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
    int rc = sg_prefilter_scratch(s, m);
    if (rc) {
        sk_sigma_matcher_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void sk_sigma_matcher_free(sk_sigma_matcher *m)
{
    if (!m) return;
    sg_prefilter_scratch_free(m);
    sk_buf_free(&m->fold);
    sk_buf_free(&m->kwtext);
    free(m->stamp);
    free(m->bstamp);
    free(m->undecided);
    free(m->srcs);
    free(m->src_on);
    free(m->src_scanned);
    free(m->src_events);
    free(m->cache);
    free(m->scanned);
    free(m->trues);
    free(m->seg);
    if (m->md) pcre2_match_data_free(m->md);
    if (m->mctx) pcre2_match_context_free(m->mctx);
    if (m->jit) pcre2_jit_stack_free(m->jit);
    free(m);
}

void sk_sigma_matcher_stats(const sk_sigma_matcher *m, sk_sigma_stats *out)
{
    *out = m->st;
}

const uint64_t *sk_sigma_matcher_undecided(const sk_sigma_matcher *m)
{
    return m->undecided;
}

const uint64_t *sk_sigma_matcher_source_events(const sk_sigma_matcher *m)
{
    return m->src_events;
}

uint64_t sk_sigma_rule_events_lacking(const sk_sigma_set *s, size_t rule, const uint64_t *source_events)
{
    uint64_t n = 0;
    for (size_t b = 0; b < s->n_bindings; b++)
        if (s->bindings[b].rule == rule && s->bindings[b].partial) n += source_events[s->bindings[b].source];
    return n;
}

void sk_sigma_events_lacking(const sk_sigma_set *s, const uint64_t *source_events, uint64_t *per_rule)
{
    memset(per_rule, 0, s->n_rules * sizeof *per_rule);
    for (size_t b = 0; b < s->n_bindings; b++)
        if (s->bindings[b].partial) per_rule[s->bindings[b].rule] += source_events[s->bindings[b].source];
}

/* ---- values ---- */

typedef struct fval {
    const sk_event_value *v;    /* the value (items for arrays) */
    const sk_event_field *f;    /* the event's field, NULL for System members */
    sk_event_value sysv;
    char scratch[32];
} fval;

/* 1 when present (fv filled), 0 when absent */
static int get_value(const sk_event *ev, const sg_fname *fn, fval *fv)
{
    fv->f = NULL;
    if (fn->system != 1) {
        const sk_event_field *f = sk_event_field_find(ev, fn->name, fn->n, fn->hash);
        if (f) {
            fv->f = f;
            fv->v = &f->v;
            return 1;
        }
    }
    if (fn->system && sk_event_system(ev, fn->sys, fn->sys_n, &fv->sysv, fv->scratch)) {
        fv->v = &fv->sysv;
        return 1;
    }
    return 0;
}

/* The folded text of a scalar value; cached per event field. */
static int folded(sk_sigma_matcher *m, const sk_event *ev, const sk_event_field *f, const sk_event_value *v, const char **s, size_t *n)
{
    size_t idx = f && v == &f->v ? (size_t)(f - ev->fields) : SIZE_MAX;
    if (idx != SIZE_MAX && idx < m->cap_cache && m->cache[idx].gen == m->gen) {
        *s = (m->cache[idx].in_kw ? m->kwtext.data : m->fold.data) + m->cache[idx].off;
        *n = m->cache[idx].len;
        return 0;
    }
    size_t off = m->fold.len;
    if (sg_fold(&m->fold, v->s ? v->s : "", v->s ? v->n : 0)) return -1;
    *s = m->fold.data + off;
    *n = m->fold.len - off;
    if (idx != SIZE_MAX && idx < m->cap_cache) {
        m->cache[idx].gen = m->gen;
        m->cache[idx].off = (uint32_t)off;
        m->cache[idx].len = (uint32_t)*n;
        m->cache[idx].in_kw = 0;
    }
    return 0;
}

static int parse_num(const char *s, size_t n, double *out)
{
    if (!s || !n || n > 40) return 0;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    /* a decimal integer, optionally signed (docs/sigma.md): not 0x10, not 5.5 */
    size_t i = 0;
    if (tmp[0] == '-' || tmp[0] == '+') i++;
    if (!tmp[i]) return 0;
    for (size_t k = i; tmp[k]; k++)
        if (tmp[k] < '0' || tmp[k] > '9') return 0;
    char *end;
    double d = strtod(tmp, &end);
    if (*end) return 0;
    *out = d;
    return 1;
}

static int time_part(const char *s, size_t n, int part, double *out)
{
    /* YYYY-MM-DD[T ]HH:MM[:SS] */
    if (!s || n < 10) return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mo = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return 0;
    int h = -1, mi = -1;
    if (n >= 16 && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[11] >= '0' && s[11] <= '9' && s[12] >= '0' && s[12] <= '9' &&
        s[14] >= '0' && s[14] <= '9' && s[15] >= '0' && s[15] <= '9') {
        h = (s[11] - '0') * 10 + (s[12] - '0');
        mi = (s[14] - '0') * 10 + (s[15] - '0');
    }
    switch (part) {
    case SG_T_YEAR: *out = y; return 1;
    case SG_T_MONTH: *out = mo; return 1;
    case SG_T_DAY: *out = d; return 1;
    case SG_T_HOUR: if (h < 0) return 0; *out = h; return 1;
    case SG_T_MINUTE: if (mi < 0) return 0; *out = mi; return 1;
    case SG_T_WEEK: {
        /* ISO 8601 week number */
        int64_t days = sk_days_from_civil(y, mo, d);
        int wd = (int)(((days % 7) + 7 + 3) % 7); /* 0 = Monday (1970-01-01 was a Thursday) */
        int64_t thursday = days - wd + 3;
        /* the year of that Thursday */
        int64_t jan1 = sk_days_from_civil(y, 1, 1);
        int ty = y;
        if (thursday < jan1) ty = y - 1;
        else if (thursday >= sk_days_from_civil(y + 1, 1, 1)) ty = y + 1;
        int64_t tj = sk_days_from_civil(ty, 1, 1);
        *out = (double)((thursday - tj) / 7 + 1);
        return 1;
    }
    }
    return 0;
}

static int cmp_num(int op, double a, double b)
{
    switch (op) {
    case SG_EQ: return a == b;
    case SG_LT: return a < b;
    case SG_LTE: return a <= b;
    case SG_GT: return a > b;
    case SG_GTE: return a >= b;
    }
    return 0;
}

static int str_op(int op, const char *lit, size_t ln, const char *s, size_t n)
{
    switch (op) {
    case SG_EQ: return n == ln && !memcmp(s, lit, n);
    case SG_PREFIX: return n >= ln && !memcmp(s, lit, ln);
    case SG_SUFFIX: return n >= ln && !memcmp(s + n - ln, lit, ln);
    case SG_CONTAINS: return ln == 0 || (n >= ln && memmem(s, n, lit, ln) != NULL);
    case SG_GLOB: return sg_glob((const uint8_t *)lit, ln, (const uint8_t *)s, n);
    }
    return 0;
}

static int test_fieldref(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_val *v, const sk_event_field *f,
                         const sk_event_value *x)
{
    if (b->unknown[v->fref]) return U;
    fval o;
    if (!get_value(ev, &b->fields[v->fref], &o)) return F;
    if (o.v->kind == SK_EVK_ARRAY || x->kind == SK_EVK_ARRAY) return F;
    const char *a, *c;
    size_t an, cn;
    if (v->cased) {
        a = x->s ? x->s : "";
        an = x->s ? x->n : 0;
        c = o.v->s ? o.v->s : "";
        cn = o.v->s ? o.v->n : 0;
    } else {
        if (folded(m, ev, f, x, &a, &an)) return F;
        size_t aoff = (size_t)(a - m->fold.data);
        if (folded(m, ev, o.f, o.v, &c, &cn)) return F;
        a = m->fold.data + aoff; /* the buffer may have moved */
    }
    return str_op(v->op, c, cn, a, an);
}

/* One value test on one scalar. */
static int test_val(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_val *v, const sk_event_field *f,
                    const sk_event_value *x)
{
    switch (v->type) {
    case SG_V_STR: {
        if (x->kind == SK_EVK_NULL) return F;
        if (v->lit1 && m->in_text && m->cur_scanned && !m->pf_hit[v->lit1 - 1]) return F; /* not in the event at all */
        if (v->simple && x->kind == SK_EVK_INTEGER) {
            double num = x->neg ? -(double)x->u : (double)x->u;
            if (num == v->num) return T;
        }
        const char *s;
        size_t n;
        if (v->cased) {
            s = x->s ? x->s : "";
            n = x->s ? x->n : 0;
        } else if (folded(m, ev, f, x, &s, &n)) {
            return F;
        }
        return str_op(v->op, v->lit, v->n, s, n);
    }
    case SG_V_EMPTY: return x->kind == SK_EVK_NULL || !x->s || x->n == 0;
    case SG_V_NULL: return x->kind == SK_EVK_NULL;
    case SG_V_EXISTS: return v->want;
    case SG_V_BOOL: {
        if (x->kind == SK_EVK_INTEGER) return (x->u != 0) == v->want;
        if (!x->s) return F;
        const char *w = v->want ? "true" : "false";
        size_t wl = strlen(w);
        return x->n == wl && !strncasecmp(x->s, w, wl);
    }
    case SG_V_NUM: {
        double d;
        if (v->tpart) {
            if (!time_part(x->s, x->s ? x->n : 0, v->tpart, &d)) return F;
        } else if (x->kind == SK_EVK_INTEGER) {
            d = x->neg ? -(double)x->u : (double)x->u;
        } else if (!parse_num(x->s, x->s ? x->n : 0, &d)) {
            return F;
        }
        return cmp_num(v->op, d, v->num);
    }
    case SG_V_CIDR: {
        sk_ip ip;
        if (!x->s || sk_ip_parse(x->s, x->n, &ip)) return F;
        return sk_prefix_contains(&v->cidr, &ip);
    }
    case SG_V_RE: {
        if (!v->re || !x->s) return F;
        int rc = pcre2_match(v->re, (PCRE2_SPTR)x->s, x->n, 0, 0, m->md, m->mctx);
        if (rc >= 0) return T;
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) m->st.regex_limit++;
        return F;
    }
    case SG_V_FIELDREF: return test_fieldref(m, ev, b, v, f, x);
    }
    return F;
}

/* A group (alternatives) on a value that may be an array: true when an item matches. */
static int test_group(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_group *g, const sk_event_field *f,
                      const sk_event_value *x, const sk_event_value **which)
{
    int res = F;
    if (x->kind == SK_EVK_ARRAY) {
        for (size_t i = 0; i < x->n_items; i++) {
            int r = test_group(m, ev, b, g, NULL, &x->items[i], which);
            if (r == T) return T;
            if (r == U) res = U;
        }
        return res;
    }
    for (size_t a = 0; a < g->n; a++) {
        int r = test_val(m, ev, b, &g->alt[a], f, x);
        if (r == T) {
            if (which) *which = x;
            return T;
        }
        if (r == U) res = U;
    }
    return res;
}

static int combine(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_expr *e, const sk_event_field *f,
                   const sk_event_value *x, const sk_event_value **which)
{
    int res = e->all ? T : F;
    for (size_t g = 0; g < e->n_groups; g++) {
        int r = test_group(m, ev, b, &e->groups[g], f, x, which);
        if (e->all) {
            if (r == F) return F;
            if (r == U) res = U;
        } else {
            if (r == T) return T;
            if (r == U) res = U;
        }
    }
    return res;
}

static int eval_field(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_expr *e, const sk_event_value **which,
                      const char **fname, size_t *fname_len)
{
    if (b->unknown[e->field]) return U;
    fval fv;
    const sg_fname *fn = &b->fields[e->field];
    if (fname) { *fname = fn->name; *fname_len = fn->n; }
    if (!get_value(ev, fn, &fv)) {
        /* absent: only null and exists:false hold */
        if (e->neg) return F;
        for (size_t g = 0; g < e->n_groups; g++)
            for (size_t a = 0; a < e->groups[g].n; a++) {
                const sg_val *v = &e->groups[g].alt[a];
                if (v->type == SG_V_NULL || (v->type == SG_V_EXISTS && !v->want)) return T;
            }
        return F;
    }
    int r;
    /* exists:false on a present field */
    if (e->n_groups == 1 && e->groups[0].n == 1 && e->groups[0].alt[0].type == SG_V_EXISTS) return e->groups[0].alt[0].want ? T : F;
    m->in_text = fv.f != NULL && m->pf_gen == m->gen && (size_t)(fv.f - ev->fields) < m->cap_cache &&
                 m->scanned[fv.f - ev->fields] == m->gen;
    r = combine(m, ev, b, e, fv.f, fv.v, which);
    m->in_text = 0;
    if (e->neg) {
        if (r == U) return U;
        /* neq: different from every value */
        return r == T ? F : T;
    }
    if (r == T && which && *which == &fv.sysv) {
        /* a System value lives in fv: copy its text where the hit can keep it */
        size_t k = m->n_hits < SG_MAX_HITS ? m->n_hits : SG_MAX_HITS - 1;
        memcpy(m->scratch[k], fv.sysv.s, fv.sysv.n < 31 ? fv.sysv.n : 31);
        m->sysv_tmp.s = m->scratch[k];
        m->sysv_tmp.n = fv.sysv.n < 31 ? fv.sysv.n : 31;
        m->sysv_tmp.kind = SK_EVK_STRING;
        *which = &m->sysv_tmp;
    }
    return r;
}

static int eval_keyword(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_expr *e, const sk_event_value **which,
                        const char **fname, size_t *fname_len)
{
    /* every group must be found (all) or one of them, each in any value */
    int res = e->all ? T : F;
    m->in_text = m->scanned_all;
    for (size_t g = 0; g < e->n_groups; g++) {
        int found = F;
        for (size_t i = 0; i < ev->n_fields && found != T; i++) {
            const sk_event_field *f = &ev->fields[i];
            found = test_group(m, ev, b, &e->groups[g], f, &f->v, which) == T ? T : F;
            if (found == T && fname) { *fname = f->name; *fname_len = f->name_len; }
        }
        if (found != T && ev->message.s) {
            sk_event_value mv = {.kind = SK_EVK_STRING, .s = ev->message.s, .n = ev->message.n};
            found = test_group(m, ev, b, &e->groups[g], NULL, &mv, NULL) == T ? T : F;
            if (found == T) {
                if (fname) { *fname = "message"; *fname_len = 7; }
                if (which) {
                    m->sysv_tmp = mv;
                    *which = &m->sysv_tmp;
                }
            }
        }
        if (e->all && found != T) { m->in_text = 0; return F; }
        if (!e->all && found == T) { m->in_text = 0; return T; }
    }
    m->in_text = 0;
    return res;
}

static int eval(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_expr *e)
{
    switch (e->type) {
    case SG_E_TRUE: return T;
    case SG_E_FALSE: return F;
    case SG_E_AND: {
        int res = T;
        for (size_t i = 0; i < e->n_kids; i++) {
            int r = eval(m, ev, b, e->kids[i]);
            if (r == F) return F;
            if (r == U) res = U;
        }
        return res;
    }
    case SG_E_OR: {
        int res = F;
        for (size_t i = 0; i < e->n_kids; i++) {
            int r = eval(m, ev, b, e->kids[i]);
            if (r == T) return T;
            if (r == U) res = U;
        }
        return res;
    }
    case SG_E_NOT: {
        int r = eval(m, ev, b, e->kids[0]);
        return r == U ? U : !r;
    }
    case SG_E_FIELD: return eval_field(m, ev, b, e, NULL, NULL, NULL);
    case SG_E_KEYWORD: return eval_keyword(m, ev, b, e, NULL, NULL, NULL);
    }
    return F;
}

/* The field tests that hold in positive position, for the finding. */
static void collect(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b, const sg_expr *e, int depth)
{
    if (depth > SG_MAX_DEPTH || m->n_hits >= SG_MAX_HITS) return;
    switch (e->type) {
    case SG_E_AND:
    case SG_E_OR:
        for (size_t i = 0; i < e->n_kids; i++)
            if (e->type == SG_E_AND || eval(m, ev, b, e->kids[i]) == T) collect(m, ev, b, e->kids[i], depth + 1);
        return;
    case SG_E_FIELD:
    case SG_E_KEYWORD: {
        if (e->neg) return;
        const sk_event_value *which = NULL;
        const char *fname = NULL;
        size_t fl = 0;
        int r = e->type == SG_E_FIELD ? eval_field(m, ev, b, e, &which, &fname, &fl) : eval_keyword(m, ev, b, e, &which, &fname, &fl);
        if (r != T || !which || !fname) return;
        for (size_t i = 0; i < m->n_hits; i++)
            if (m->hits[i].name_len == fl && !memcmp(m->hits[i].name, fname, fl)) return;
        sk_sigma_field_hit *h = &m->hits[m->n_hits++];
        h->name = fname;
        h->name_len = fl;
        h->value = which->s ? which->s : "";
        h->value_len = which->s ? which->n : 0;
        return;
    }
    default: return;
    }
}

/* ---- sources of an event ---- */

static int eid_in(const sg_source *s, uint16_t eid, int has)
{
    if (!s->n_eids) return 1;
    if (!has) return 0;
    for (size_t i = 0; i < s->n_eids; i++)
        if (s->eids[i] == eid) return 1;
    return 0;
}

static int ci_eq_str(const char *folded_lit, const char *s, size_t n)
{
    size_t l = strlen(folded_lit);
    if (l != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != folded_lit[i]) return 0;
    }
    return 1;
}

static int provider_ok(const sg_source *s, const sk_event *ev)
{
    if (!s->n_providers) return 1;
    if (!ev->provider_name.s) return 0;
    for (size_t i = 0; i < s->n_providers; i++)
        if (ci_eq_str(s->providers[i], ev->provider_name.s, ev->provider_name.n)) return 1;
    return 0;
}

/* events.data: each named event-data field equals one of its values (ASCII case folded) */
static int data_ok(const sg_source *s, const sk_event *ev)
{
    for (size_t i = 0; i < s->n_data; i++) {
        const sg_datacond *d = &s->data[i];
        const sk_event_field *f = sk_event_field_find(ev, d->field, d->n, d->hash);
        if (!f || !f->v.s) return 0;
        int ok = 0;
        for (size_t k = 0; k < d->n_values && !ok; k++) ok = ci_eq_str(d->values[k], f->v.s, f->v.n);
        if (!ok) return 0;
    }
    return 1;
}

/* the reader bits of the mapping and the event model's readers are one numbering */
_Static_assert(SK_SIGMA_READER_EVTX == 1u << SK_EVR_WINDOWS && SK_SIGMA_READER_PROXY == 1u << SK_EVR_PROXY &&
                   SK_SIGMA_READER_WEBSERVER == 1u << SK_EVR_WEBSERVER && SK_SIGMA_READER_DNS == 1u << SK_EVR_DNS &&
                   SK_SIGMA_READER_FIREWALL == 1u << SK_EVR_FIREWALL && SK_SIGMA_READER_ZEEK == 1u << SK_EVR_ZEEK,
               "reader numbering");

static void classify(sk_sigma_matcher *m, const sk_event *ev)
{
    const sk_sigma_set *s = m->set;
    m->n_srcs = 0;
    unsigned rd = 1u << (ev->reader & 31); /* an entry serves the events of its own reader only */
    int has_eid = (ev->has & SK_EVH_EVENT_ID) != 0;
    m->chnone = 1;
    if (ev->channel.s && ev->channel.n < 256) {
        char *key = m->chkey;
        for (size_t i = 0; i < ev->channel.n; i++) {
            char c = ev->channel.s[i];
            key[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        m->chlen = ev->channel.n;
        m->chnone = 0;
        const size_t *l = sk_map_get(s->by_channel, key, ev->channel.n);
        for (; l && *l != SIZE_MAX; l++) {
            const sg_source *src = &s->map.src[*l];
            if ((src->reader & rd) && eid_in(src, ev->event_id, has_eid) && provider_ok(src, ev) && m->src_on[*l] != m->gen && data_ok(src, ev)) {
                m->src_on[*l] = m->gen;
                m->srcs[m->n_srcs++] = *l;
            }
        }
    }
    for (const size_t *l = s->any_channel; l && *l != SIZE_MAX; l++) {
        const sg_source *src = &s->map.src[*l];
        if ((src->reader & rd) && eid_in(src, ev->event_id, has_eid) && provider_ok(src, ev) && m->src_on[*l] != m->gen && data_ok(src, ev)) {
            m->src_on[*l] = m->gen;
            m->srcs[m->n_srcs++] = *l;
        }
    }
}

/* Fold one value into the scanned text, NUL-terminated, and note where it is. */
static int text_seg(sk_sigma_matcher *m, const char *v, size_t n)
{
    size_t off = m->kwtext.len;
    if (sg_fold(&m->kwtext, v ? v : "", v ? n : 0) || sk_buf_putc(&m->kwtext, 0)) return -1;
    if (m->n_seg == m->cap_seg) {
        size_t cap = m->cap_seg ? m->cap_seg * 2 : 64;
        uint32_t *nv = realloc(m->seg, cap * 2 * sizeof *nv);
        if (!nv) return -1;
        m->seg = nv;
        m->cap_seg = cap;
    }
    if (off > UINT32_MAX || m->kwtext.len > UINT32_MAX) return -1;
    m->seg[2 * m->n_seg] = (uint32_t)off;
    m->seg[2 * m->n_seg + 1] = (uint32_t)(m->kwtext.len - off - 1);
    m->n_seg++;
    return 0;
}

/* Fold value v of field i into the scanned text; its folded text doubles as the
 * matcher's cache of the field, and `scanned` marks it covered by the entry's database. */
static int text_add(sk_sigma_matcher *m, size_t i, const sk_event_value *v, int scanned)
{
    if (v->kind == SK_EVK_ARRAY) {
        for (size_t k = 0; k < v->n_items; k++)
            if (v->items[k].s && text_seg(m, v->items[k].s, v->items[k].n)) return -1;
        if (i < m->cap_cache) { /* items are scanned, but the field has no single text */
            m->cache[i].gen = 0;
            if (scanned) m->scanned[i] = m->gen;
        }
        return 0;
    }
    size_t off = m->kwtext.len;
    if (text_seg(m, v->s, v->n)) return -1;
    if (i < m->cap_cache && m->kwtext.len - off - 1 <= UINT32_MAX) {
        m->cache[i].gen = m->gen;
        m->cache[i].off = (uint32_t)off;
        m->cache[i].len = (uint32_t)(m->kwtext.len - off - 1);
        m->cache[i].in_kw = 1;
        if (scanned) m->scanned[i] = m->gen;
    }
    return 0;
}

/* The text the prefilter scans: the values of the event's fields that the prefiltered
 * rules of its sources test, folded and NUL-separated, then the shipper's message and
 * the System texts (ref_len bytes in all, for the entries' databases); when one of those
 * rules has keywords, the values of every other field after them (for the keyword
 * literals alone). */
static int build_text(sk_sigma_matcher *m, const sk_event *ev, size_t ci)
{
    const sk_sigma_set *s = m->set;
    sk_buf_reset(&m->kwtext);
    m->n_seg = 0;
    int all, kw;
    sg_prefilter_mode(s, ci, &all, &kw);
    m->scanned_all = all || kw;
    for (size_t i = 0; i < ev->n_fields; i++) {
        const sk_event_field *f = &ev->fields[i];
        if ((all || sg_prefilter_wants(s, ci, f->hash)) && text_add(m, i, &f->v, 1)) return -1;
    }
    if (ev->message.s && text_seg(m, ev->message.s, ev->message.n)) return -1;
    const sk_event_str sys[] = {ev->computer, ev->provider_name, ev->channel, ev->user_id};
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        if (sys[i].s && text_seg(m, sys[i].s, sys[i].n)) return -1;
    m->ref_len = m->kwtext.len;
    m->ref_seg = m->n_seg;
    if (kw)
        for (size_t i = 0; i < ev->n_fields; i++)
            if (!(i < m->cap_cache && m->scanned[i] == m->gen) && text_add(m, i, &ev->fields[i].v, 0)) return -1;
    return 0;
}

static int rule_eid_ok(const sg_rule *r, const sk_event *ev)
{
    if (!r->eids) return 1;
    if (!(ev->has & SK_EVH_EVENT_ID)) return 0;
    size_t lo = 0, hi = r->n_eids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->eids[mid] < ev->event_id) lo = mid + 1;
        else hi = mid;
    }
    return lo < r->n_eids && r->eids[lo] == ev->event_id;
}

/* Evaluate binding b on the event (once per rule and event); a true one is kept for
 * the callbacks, which run in rule order (the same whichever way a rule was reached). */
static int run_binding(sk_sigma_matcher *m, const sk_event *ev, const sg_binding *b)
{
    const sk_sigma_set *s = m->set;
    const sg_rule *r = &s->rules[b->rule];
    /* every binding of a rule the event meets is evaluated once; the rule holds when one
     * of them is true (an entry lacking a field, or renaming it, must not hide another) */
    size_t bi = (size_t)(b - s->bindings);
    if (!(r->selected || r->fed) || m->stamp[b->rule] == m->gen || m->bstamp[bi] == m->gen || b->never) return 0;
    m->bstamp[bi] = m->gen;
    m->st.evaluations++;
    m->cur_scanned = m->src_scanned[b->source] == m->gen;
    int res = eval(m, ev, b, r->cond);
    m->cur_scanned = 0;
    if (res == U) {
        m->st.undecided++;
        m->undecided[b->rule]++;
        return 0;
    }
    if (res != T) return 0;
    m->stamp[b->rule] = m->gen;
    if (m->n_true == m->cap_true) {
        size_t cap = m->cap_true ? m->cap_true * 2 : 16;
        const sg_binding **nt = realloc(m->trues, cap * sizeof *nt);
        if (!nt) return sk_error_set(SK_ENOMEM, "out of memory");
        m->trues = nt;
        m->cap_true = cap;
    }
    m->trues[m->n_true++] = b;
    return 0;
}

static int by_rule(const void *a, const void *b)
{
    const sg_binding *x = *(const sg_binding *const *)a, *y = *(const sg_binding *const *)b;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

static int report(sk_sigma_matcher *m, const sk_event *ev, sk_sigma_hit_cb cb, void *ctx)
{
    const sk_sigma_set *s = m->set;
    if (m->n_true > 1) qsort(m->trues, m->n_true, sizeof *m->trues, by_rule);
    for (size_t i = 0; i < m->n_true; i++) {
        const sg_binding *b = m->trues[i];
        const sg_rule *r = &s->rules[b->rule];
        m->st.hits++;
        m->n_hits = 0;
        collect(m, ev, b, r->cond, 0);
        sk_sigma_hit hit = {.rule = b->rule, .emit = r->selected && r->generate, .source = s->map.src[b->source].id,
                            .fields = m->hits, .n_fields = m->n_hits};
        int rc = cb(ctx, ev, &hit);
        if (rc) return rc;
    }
    return 0;
}

int sk_sigma_match(sk_sigma_matcher *m, const sk_event *ev, sk_sigma_hit_cb cb, void *ctx)
{
    const sk_sigma_set *s = m->set;
    m->st.events++;
    if (++m->gen == 0) {
        memset(m->stamp, 0, (s->n_rules + 1) * sizeof *m->stamp);
        memset(m->bstamp, 0, (s->n_bindings + 1) * sizeof *m->bstamp);
        memset(m->src_on, 0, (s->map.n + 1) * sizeof *m->src_on);
        memset(m->src_scanned, 0, (s->map.n + 1) * sizeof *m->src_scanned);
        m->pf_gen = 0;
        if (m->cache) memset(m->cache, 0, m->cap_cache * sizeof *m->cache);
        if (m->scanned) memset(m->scanned, 0, m->cap_cache * sizeof *m->scanned);
        m->gen = 1;
    }
    classify(m, ev);
    if (!m->n_srcs) return 0;
    m->st.events_sourced++;
    sk_buf_reset(&m->fold);
    if (ev->n_fields > m->cap_cache) {
        size_t cap = ev->n_fields * 2;
        struct sg_fcache *nc = calloc(cap, sizeof *nc);
        uint32_t *ns = calloc(cap, sizeof *ns);
        if (nc && ns) {
            free(m->cache);
            free(m->scanned);
            m->cache = nc;
            m->scanned = ns;
            m->cap_cache = cap;
        } else {
            free(nc);
            free(ns);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
    }
    m->n_true = 0;
    int need_scan = 0;
    for (size_t k = 0; k < m->n_srcs; k++) {
        m->src_events[m->srcs[k]]++;
        need_scan |= s->src_has_need[m->srcs[k]];
    }
    if (need_scan) {
        m->st.prefiltered++;
        size_t ci = sg_prefilter_combo(m, m->chnone ? NULL : m->chkey, m->chlen, ev);
        m->scanned_all = 0;
        if ((ci != SIZE_MAX && build_text(m, ev, ci)) || sg_prefilter_scan(m, ci)) return sk_error_set(SK_ENOMEM, "prefilter: the scan failed");
        m->pf_gen = m->gen;
    }
    for (size_t k = 0; k < m->n_srcs; k++) {
        const size_t *lists[2];
        sg_dispatch(s, m->srcs[k], ev->event_id, &lists[0], &lists[1]);
        if (!(ev->has & SK_EVH_EVENT_ID)) lists[0] = NULL;
        for (int li = 0; li < 2; li++)
            for (const size_t *bp = lists[li]; bp && *bp != SIZE_MAX; bp++) {
                int rc = run_binding(m, ev, &s->bindings[*bp]);
                if (rc) return rc;
            }
    }
    if (!need_scan) return report(m, ev, cb, ctx);
    /* the rules that need a literal: those whose literal the scan found */
    const uint32_t *ids;
    size_t n_ids;
    sg_prefilter_hits(m, &ids, &n_ids);
    for (size_t i = 0; i < n_ids; i++) {
        for (const size_t *bp = sg_prefilter_bindings(s, ids[i]); bp && *bp != SIZE_MAX; bp++) {
            const sg_binding *b = &s->bindings[*bp];
            if (m->src_on[b->source] != m->gen || m->stamp[b->rule] == m->gen || m->bstamp[*bp] == m->gen ||
                !rule_eid_ok(&s->rules[b->rule], ev))
                continue;
            int ok = 1;
            for (size_t x = 0; x < b->n_also && ok; x++) {
                ok = 0;
                for (size_t k = 0; k < b->n_also_ids[x] && !ok; k++) ok = m->pf_hit[b->also[x][k]];
            }
            if (!ok) continue;
            int rc = run_binding(m, ev, b);
            if (rc) return rc;
        }
    }
    return report(m, ev, cb, ctx);
}
