/*
 * sigma_corr.c - Sigma correlation rules (event_count, value_count, temporal,
 * temporal_ordered, value_sum, value_avg, value_percentile) over the matches of their
 * base rules, in time order, with bounded memory.
 *
 * A match that a correlation needs becomes a small record on the worker thread (time,
 * the values of the group-by fields and of the condition's field as the correlation's
 * aliases name them for that rule, the evidence reference). Records go through an
 * external sort by time, so inputs may come in any order and need not fit in memory;
 * then each correlation sweeps them group by group with a window of `timespan`:
 *
 *  - a condition with a lower bound (gt, gte, with or without an upper bound) on a count
 *    or a sum is tested
 *    on a sliding window each time an event arrives; when it holds, one result is
 *    emitted and the group's window starts afresh (a burst gives one result, not one per
 *    event past the threshold);
 *  - any other condition, and every average (which a later event can lower again), is
 *    tested when a window anchored at
 *    the group's first event closes (an event past it, or the end of the stream);
 *  - temporal needs every referenced rule (or the condition's number of them) in the
 *    window, temporal_ordered them in the order given;
 *  - value_percentile tests, at the window's close, each value's share of the group's
 *    events in percent (docs/sigma.md: "lte: 1" - values seen in at most 1% of them).
 *
 * Chained correlations run in passes by depth: a correlation over correlations reads the
 * results of the pass before, sorted by time again, with the base records it needs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/extsort.h>

#include "sigma_int.h"

#define EV_KEEP 100           /* evidence references kept per window: the first 50 and the last 50 */

/* ---- records ---- */

typedef struct rec_field {
    const char *name;
    size_t nl;
    int present;
    const char *v;
    size_t vl;
} rec_field;

typedef struct rec {
    uint32_t rule;
    int64_t time;
    uint8_t has;
    uint64_t rid, off, line;
    const char *sha;
    size_t shal;
    const char *host;
    size_t hostl;
    rec_field f[24];
    size_t nf;
} rec;

static int put_str(sk_buf *o, const char *s, size_t n, int wide)
{
    if (wide) {
        uint32_t l = (uint32_t)n;
        if (sk_buf_append(o, &l, 4)) return -1;
    } else {
        uint16_t l = (uint16_t)(n > 65535 ? 65535 : n);
        n = l;
        if (sk_buf_append(o, &l, 2)) return -1;
    }
    return n ? sk_buf_append(o, s, n) : 0;
}

static int rec_write(sk_buf *o, const rec *r)
{
    int rc = sk_buf_append(o, &r->rule, 4);
    if (!rc) rc = sk_buf_append(o, &r->time, 8);
    if (!rc) rc = sk_buf_putc(o, (char)r->has);
    if (!rc) rc = sk_buf_append(o, &r->rid, 8);
    if (!rc) rc = sk_buf_append(o, &r->off, 8);
    if (!rc) rc = sk_buf_append(o, &r->line, 8);
    if (!rc) rc = put_str(o, r->sha, r->shal, 0);
    if (!rc) rc = put_str(o, r->host, r->hostl, 0);
    uint16_t nf = (uint16_t)r->nf;
    if (!rc) rc = sk_buf_append(o, &nf, 2);
    for (size_t i = 0; i < r->nf && !rc; i++) {
        rc = put_str(o, r->f[i].name, r->f[i].nl, 0);
        if (!rc) rc = sk_buf_putc(o, (char)r->f[i].present);
        if (!rc) rc = put_str(o, r->f[i].v, r->f[i].present ? r->f[i].vl : 0, 1);
    }
    return rc;
}

static int get_str(const char **p, const char *end, const char **s, size_t *n, int wide)
{
    size_t l;
    if (wide) {
        uint32_t x;
        if (end - *p < 4) return -1;
        memcpy(&x, *p, 4);
        *p += 4;
        l = x;
    } else {
        uint16_t x;
        if (end - *p < 2) return -1;
        memcpy(&x, *p, 2);
        *p += 2;
        l = x;
    }
    if ((size_t)(end - *p) < l) return -1;
    *s = *p;
    *n = l;
    *p += l;
    return 0;
}

static int rec_read(rec *r, const void *data, size_t n)
{
    const char *p = data, *end = p + n;
    if (n < 4 + 8 + 1 + 24) return -1;
    memcpy(&r->rule, p, 4);
    memcpy(&r->time, p + 4, 8);
    r->has = (uint8_t)p[12];
    memcpy(&r->rid, p + 13, 8);
    memcpy(&r->off, p + 21, 8);
    memcpy(&r->line, p + 29, 8);
    p += 37;
    if (get_str(&p, end, &r->sha, &r->shal, 0) || get_str(&p, end, &r->host, &r->hostl, 0)) return -1;
    uint16_t nf;
    if (end - p < 2) return -1;
    memcpy(&nf, p, 2);
    p += 2;
    r->nf = 0;
    for (size_t i = 0; i < nf; i++) {
        rec_field f;
        if (get_str(&p, end, &f.name, &f.nl, 0) || p >= end) return -1;
        f.present = *p++;
        if (get_str(&p, end, &f.v, &f.vl, 1)) return -1;
        if (r->nf < sizeof r->f / sizeof r->f[0]) r->f[r->nf++] = f;
    }
    return 0;
}

static const rec_field *rec_get(const rec *r, const char *name)
{
    size_t l = strlen(name);
    for (size_t i = 0; i < r->nf; i++)
        if (r->f[i].nl == l && !memcmp(r->f[i].name, name, l)) return &r->f[i];
    return NULL;
}

/* the field that correlation c groups (or aggregates) by, for matches of rule `from` */
static const char *alias_for(const sk_sigma_set *s, const sg_corr *c, const char *g, size_t from)
{
    const sg_rule *fr = &s->rules[from];
    for (size_t a = 0; a < c->n_aliases; a++) {
        if (strcmp(c->aliases[a].name, g)) continue;
        for (size_t k = 0; k < c->aliases[a].n; k++) {
            const char *ref = c->aliases[a].rule_refs[k];
            if ((fr->name && !strcmp(fr->name, ref)) || (fr->id && !strcmp(fr->id, ref))) return c->aliases[a].fields[k];
        }
    }
    return g;
}

static int refs_rule(const sg_corr *c, size_t rule)
{
    for (size_t k = 0; k < c->n_refs; k++)
        if (c->rules && c->rules[k] == rule) return 1;
    return 0;
}

static int active(const sg_rule *r)
{
    return r->kind == SK_SIGMA_CORRELATION && (r->selected || r->fed) && r->corr->rules && r->support <= SK_SIGMA_RUNS_PARTLY;
}

/* ---- the record of a match (worker thread) ---- */

static int add_field(rec *r, const sk_event *ev, const sg_source *src, const char *name, char scratch[][32], size_t *ns)
{
    for (size_t i = 0; i < r->nf; i++)
        if (r->f[i].nl == strlen(name) && !memcmp(r->f[i].name, name, r->f[i].nl)) return 0;
    if (r->nf == sizeof r->f / sizeof r->f[0]) return 0;
    rec_field *f = &r->f[r->nf++];
    f->name = name;
    f->nl = strlen(name);
    f->present = 0;
    f->v = NULL;
    f->vl = 0;
    const char *look = src ? sg_source_rename(src, name) : name;
    size_t ll = strlen(look);
    int how = sg_is_system_field(look, ll);
    if (how != 1) {
        const sk_event_field *ef = sk_event_field_find(ev, look, ll, sk_event_name_hash(look, ll));
        if (ef && ef->v.kind != SK_EVK_ARRAY && ef->v.kind != SK_EVK_NULL) {
            f->present = 1;
            f->v = ef->v.s ? ef->v.s : "";
            f->vl = ef->v.s ? ef->v.n : 0;
            return 0;
        }
        if (ef) return 0;
    }
    const char *canon = sg_system_canon(look, ll);
    if (!canon && !strcmp(look, "ComputerName")) canon = "Computer";
    sk_event_value v;
    if (canon && *ns < 8 && sk_event_system(ev, canon, strlen(canon), &v, scratch[*ns])) {
        (*ns)++;
        f->present = 1;
        f->v = v.s ? v.s : "";
        f->vl = v.s ? v.n : 0;
    }
    return 0;
}

int sk_sigma_corr_record(const sk_sigma_set *s, const sk_event *ev, const sk_sigma_hit *hit, sk_buf *out)
{
    rec r;
    memset(&r, 0, sizeof r);
    r.rule = (uint32_t)hit->rule;
    r.time = ev->time == SK_TIME_NONE ? 0 : ev->time;
    if (ev->src_has_record_id) r.has |= 1, r.rid = ev->src_record_id;
    if (ev->src_has_offset) r.has |= 2, r.off = ev->src_offset;
    if (ev->src_has_line) r.has |= 4, r.line = ev->src_line;
    r.sha = ev->sha256.s ? ev->sha256.s : "";
    r.shal = ev->sha256.s ? ev->sha256.n : 0;
    r.host = ev->computer.s ? ev->computer.s : "";
    r.hostl = ev->computer.s ? ev->computer.n : 0;
    const sg_source *src = NULL;
    for (size_t i = 0; hit->source && i < s->map.n; i++)
        if (!strcmp(s->map.src[i].id, hit->source)) src = &s->map.src[i];
    char scratch[8][32];
    size_t ns = 0;
    for (size_t i = 0; i < s->n_rules; i++) {
        const sg_rule *cr = &s->rules[i];
        if (!active(cr) || !refs_rule(cr->corr, hit->rule)) continue;
        for (size_t g = 0; g < cr->corr->n_group; g++) add_field(&r, ev, src, alias_for(s, cr->corr, cr->corr->group_by[g], hit->rule), scratch, &ns);
        if (cr->corr->field) add_field(&r, ev, src, alias_for(s, cr->corr, cr->corr->field, hit->rule), scratch, &ns);
    }
    return rec_write(out, &r);
}

/* ---- groups ---- */

typedef struct wev {        /* one event in a window */
    int64_t time;
    int pos;                /* which referenced rule (temporal) */
    double num;
    int has_num;
    char *val;              /* value_count / value_percentile */
    char *sha, *host;
    uint8_t has;
    uint64_t rid, off, line;
} wev;

typedef struct group {
    char **gvals;           /* the group's values (NULL: absent) */
    wev *w;                 /* window, oldest first (head at w_head) */
    size_t w_head, w_n, w_cap;
    int64_t start;          /* tumbling: the window's anchor (INT64_MIN: none) */
    int64_t *chain;         /* temporal_ordered: latest start of a chain through stage i (INT64_MIN: none) */
    size_t *chain_from;     /* where that chain's first event is in the window */
} group;

typedef struct corr_state {
    size_t rule;            /* the correlation rule */
    int depth;
    sk_map *groups;         /* key -> group* */
    int sliding;
} corr_state;

struct sk_sigma_corr {
    const sk_sigma_set *s;
    size_t budget;
    sk_extsort *in;         /* this pass's records */
    corr_state *cs;
    size_t n_cs;
    int max_depth;
    sk_extsort *next;       /* the next pass's records */
    int pass;
    sk_sigma_corr_cb cb;
    void *ctx;
    int err;
};

/* A correlation's depth: 1 over detections, one more per correlation level beneath (the
 * set refused cycles; memo holds each rule's depth, 0 unknown). */
static int depth_of(const sk_sigma_set *s, size_t r, int *memo, int guard)
{
    const sg_rule *rr = &s->rules[r];
    if (rr->kind != SK_SIGMA_CORRELATION || !rr->corr->rules) return 0;
    if (memo[r]) return memo[r];
    if (guard > 16) return 16;
    int d = 0;
    for (size_t k = 0; k < rr->corr->n_refs; k++) {
        int x = depth_of(s, rr->corr->rules[k], memo, guard + 1);
        if (x > d) d = x;
    }
    memo[r] = d + 1;
    return d + 1;
}

int sk_sigma_corr_new(sk_sigma_corr **out, const sk_sigma_set *s, size_t budget)
{
    *out = NULL;
    sk_sigma_corr *c = calloc(1, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    c->s = s;
    c->budget = budget;
    c->cs = calloc(s->n_rules + 1, sizeof *c->cs);
    int *memo = calloc(s->n_rules + 1, sizeof *memo);
    int rc = c->cs && memo ? sk_extsort_new(&c->in, budget) : sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->n_rules && !rc; i++) {
        if (!active(&s->rules[i])) continue;
        corr_state *st = &c->cs[c->n_cs++];
        st->rule = i;
        st->depth = depth_of(s, i, memo, 0);
        if (st->depth > c->max_depth) c->max_depth = st->depth;
        const sg_corr *k = s->rules[i].corr;
        int lower = 0, other = 0;
        for (int j = 0; j < k->n_cmp; j++) {
            if (k->cmp_op[j] == SG_GT || k->cmp_op[j] == SG_GTE) lower = 1;
            else if (k->cmp_op[j] == SG_LT || k->cmp_op[j] == SG_LTE) ;
            else other = 1;
        }
        st->sliding = (k->type == SG_CORR_TEMPORAL || k->type == SG_CORR_TEMPORAL_ORDERED) ? 1
                      : (k->type == SG_CORR_VALUE_PERCENTILE || k->type == SG_CORR_VALUE_AVG) ? 0 : (lower && !other);
        if (k->type == SG_CORR_TEMPORAL && k->n_cmp && !lower) st->sliding = 0;
        rc = sk_map_new(&st->groups, 0);
    }
    free(memo);
    if (rc) {
        sk_sigma_corr_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sk_sigma_corr_add(sk_sigma_corr *c, const void *record, size_t n)
{
    if (n < 12) return sk_error_set(SK_EINTERNAL, "a correlation record too short");
    int64_t t;
    memcpy(&t, (const char *)record + 4, 8);
    return sk_extsort_add(c->in, t, record, n);
}

static void wev_free(wev *e)
{
    free(e->val);
    free(e->sha);
    free(e->host);
}

static void group_free(group *g, size_t n_group)
{
    if (!g) return;
    for (size_t i = 0; i < n_group; i++) free(g->gvals[i]);
    free(g->gvals);
    for (size_t i = 0; i < g->w_n; i++) wev_free(&g->w[(g->w_head + i) % g->w_cap]);
    free(g->w);
    free(g->chain);
    free(g->chain_from);
    free(g);
}

static wev *win_at(group *g, size_t i)
{
    return &g->w[(g->w_head + i) % g->w_cap];
}

static int win_push(group *g, const wev *e)
{
    if (g->w_n == g->w_cap) {
        size_t cap = g->w_cap ? g->w_cap * 2 : 16;
        wev *nw = malloc(cap * sizeof *nw);
        if (!nw) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; i < g->w_n; i++) nw[i] = *win_at(g, i);
        free(g->w);
        g->w = nw;
        g->w_cap = cap;
        g->w_head = 0;
    }
    g->w[(g->w_head + g->w_n) % g->w_cap] = *e;
    g->w_n++;
    return 0;
}

static void win_pop(group *g)
{
    wev_free(win_at(g, 0));
    g->w_head = (g->w_head + 1) % g->w_cap;
    g->w_n--;
}

static void win_clear(group *g)
{
    while (g->w_n) win_pop(g);
}

static int holds(const sg_corr *k, double v)
{
    for (int j = 0; j < k->n_cmp; j++) {
        double t = k->cmp_val[j];
        int ok = 0;
        switch (k->cmp_op[j]) {
        case SG_GT: ok = v > t; break;
        case SG_GTE: ok = v >= t; break;
        case SG_LT: ok = v < t; break;
        case SG_LTE: ok = v <= t; break;
        case 100: ok = v == t; break;
        case 101: ok = v != t; break;
        }
        if (!ok) return 0;
    }
    return 1;
}

static int cmp_cstr(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x ? x : "", y ? y : "");
}

/* the aggregate over the window [from, w_n) */
static double aggregate(const sg_corr *k, group *g, size_t from)
{
    size_t n = g->w_n - from;
    switch (k->type) {
    case SG_CORR_EVENT_COUNT: return (double)n;
    case SG_CORR_VALUE_COUNT: {
        const char **v = malloc((n + 1) * sizeof *v);
        if (!v) return 0;
        size_t m = 0;
        for (size_t i = from; i < g->w_n; i++)
            if (win_at(g, i)->val) v[m++] = win_at(g, i)->val;
        qsort(v, m, sizeof *v, cmp_cstr);
        size_t d = 0;
        for (size_t i = 0; i < m; i++)
            if (!i || strcmp(v[i], v[i - 1])) d++;
        free(v);
        return (double)d;
    }
    case SG_CORR_VALUE_SUM:
    case SG_CORR_VALUE_AVG: {
        double sum = 0;
        size_t cnt = 0;
        for (size_t i = from; i < g->w_n; i++)
            if (win_at(g, i)->has_num) sum += win_at(g, i)->num, cnt++;
        if (k->type == SG_CORR_VALUE_SUM) return sum;
        return cnt ? sum / (double)cnt : NAN;
    }
    case SG_CORR_TEMPORAL:
    case SG_CORR_TEMPORAL_ORDERED: {
        uint64_t seen[4] = {0};
        size_t d = 0;
        for (size_t i = from; i < g->w_n; i++) {
            int p = win_at(g, i)->pos;
            if (p < 256 && !(seen[p / 64] & (1ull << (p % 64)))) {
                seen[p / 64] |= 1ull << (p % 64);
                d++;
            }
        }
        return (double)d;
    }
    }
    return 0;
}

static int emit(sk_sigma_corr *c, corr_state *st, group *g, size_t from, size_t to, double value, const char *value_text)
{
    const sk_sigma_set *s = c->s;
    const sg_rule *r = &s->rules[st->rule];
    const sg_corr *k = r->corr;
    size_t n = to - from;
    if (!n) return 0;
    /* to the next pass, when an outer correlation reads this one */
    int feeds_outer = 0;
    for (size_t i = 0; i < c->n_cs; i++)
        if (refs_rule(s->rules[c->cs[i].rule].corr, st->rule)) feeds_outer = 1;
    wev *last = win_at(g, to - 1);
    if (feeds_outer && c->next) {
        rec rr;
        memset(&rr, 0, sizeof rr);
        rr.rule = (uint32_t)st->rule;
        rr.time = last->time;
        rr.has = last->has, rr.rid = last->rid, rr.off = last->off, rr.line = last->line;
        rr.sha = last->sha ? last->sha : "";
        rr.shal = strlen(rr.sha);
        rr.host = last->host ? last->host : "";
        rr.hostl = strlen(rr.host);
        for (size_t i = 0; i < k->n_group && rr.nf < 24; i++) {
            rec_field *f = &rr.f[rr.nf++];
            f->name = k->group_by[i];
            f->nl = strlen(f->name);
            f->present = g->gvals[i] != NULL;
            f->v = g->gvals[i] ? g->gvals[i] : "";
            f->vl = strlen(f->v);
        }
        sk_buf b;
        sk_buf_init(&b, (size_t)16 << 20);
        int rc = rec_write(&b, &rr);
        if (!rc) rc = sk_extsort_add(c->next, rr.time, b.data, b.len);
        sk_buf_free(&b);
        if (rc) return rc;
    }
    if (!r->selected || !r->generate) return 0;
    /* evidence: the first 50 and the last 50 */
    size_t ne = n > EV_KEEP ? EV_KEEP : n;
    const char **sha = calloc(ne + 1, sizeof *sha);
    uint64_t *rid = calloc(ne + 1, sizeof *rid), *off = calloc(ne + 1, sizeof *off), *line = calloc(ne + 1, sizeof *line);
    uint8_t *has = calloc(ne + 1, 1);
    if (!sha || !rid || !off || !line || !has) {
        free(sha), free(rid), free(off), free(line), free(has);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ne; i++) {
        size_t idx = n > EV_KEEP && i >= EV_KEEP / 2 ? to - (ne - i) : from + i;
        wev *e = win_at(g, idx);
        sha[i] = e->sha ? e->sha : "";
        rid[i] = e->rid, off[i] = e->off, line[i] = e->line, has[i] = e->has;
    }
    sk_sigma_corr_result res = {.rule = st->rule, .first = win_at(g, from)->time, .last = last->time, .count = n, .value = value,
                                .group_names = k->group_by, .group_values = (const char *const *)g->gvals, .n_group = k->n_group,
                                .host = last->host, .ev_sha256 = sha, .ev_record_id = rid, .ev_offset = off, .ev_line = line,
                                .ev_has = has, .n_evidence = ne, .evidence_omitted = n - ne, .value_text = value_text};
    int rc = c->cb(c->ctx, &res);
    free(sha), free(rid), free(off), free(line), free(has);
    return rc;
}

/* tumbling window closes: evaluate it */
static int close_window(sk_sigma_corr *c, corr_state *st, group *g)
{
    const sg_corr *k = c->s->rules[st->rule].corr;
    int rc = 0;
    if (!g->w_n) return 0;
    if (k->type == SG_CORR_VALUE_PERCENTILE) {
        /* each distinct value's share of the window's events, in percent */
        size_t n = g->w_n;
        const char **v = malloc((n + 1) * sizeof *v);
        if (!v) return sk_error_set(SK_ENOMEM, "out of memory");
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (win_at(g, i)->val) v[m++] = win_at(g, i)->val;
        qsort(v, m, sizeof *v, cmp_cstr);
        for (size_t i = 0; i < m && !rc;) {
            size_t j = i;
            while (j < m && !strcmp(v[j], v[i])) j++;
            double share = 100.0 * (double)(j - i) / (double)n;
            if (holds(k, share)) rc = emit(c, st, g, 0, g->w_n, share, v[i]);
            i = j;
        }
        free(v);
    } else {
        double val = aggregate(k, g, 0);
        if (!isnan(val) && holds(k, val)) rc = emit(c, st, g, 0, g->w_n, val, NULL);
    }
    win_clear(g);
    g->start = INT64_MIN;
    return rc;
}

static int on_record(sk_sigma_corr *c, corr_state *st, const rec *r, int pos)
{
    const sk_sigma_set *s = c->s;
    const sg_corr *k = s->rules[st->rule].corr;
    /* the group key */
    sk_buf key;
    sk_buf_init(&key, (size_t)1 << 20);
    int rc = 0;
    const rec_field *gf[8] = {0};
    for (size_t i = 0; i < k->n_group && !rc; i++) {
        gf[i] = rec_get(r, alias_for(s, k, k->group_by[i], r->rule));
        if (gf[i] && gf[i]->present) {
            rc = sk_buf_putc(&key, 1);
            if (!rc) rc = sk_buf_append(&key, gf[i]->v, gf[i]->vl);
        } else {
            rc = sk_buf_putc(&key, 0);
        }
        if (!rc) rc = sk_buf_putc(&key, 0x1f);
    }
    if (rc) { sk_buf_free(&key); return rc; }
    group *g = sk_map_get(st->groups, key.data ? key.data : "", key.len);
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g || !(g->gvals = calloc(k->n_group + 1, sizeof *g->gvals))) {
            free(g);
            sk_buf_free(&key);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
        g->start = INT64_MIN;
        for (size_t i = 0; i < k->n_group; i++)
            if (gf[i] && gf[i]->present) g->gvals[i] = strndup(gf[i]->v, gf[i]->vl);
        if (k->type == SG_CORR_TEMPORAL_ORDERED) {
            g->chain = malloc((k->n_refs + 1) * sizeof *g->chain);
            g->chain_from = calloc(k->n_refs + 1, sizeof *g->chain_from);
            if (!g->chain || !g->chain_from) rc = sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t i = 0; g->chain && i < k->n_refs; i++) g->chain[i] = INT64_MIN;
        }
        if (!rc) rc = sk_map_put(st->groups, key.data ? key.data : "", key.len, g, NULL);
        if (rc) {
            group_free(g, k->n_group);
            sk_buf_free(&key);
            return rc;
        }
    }
    sk_buf_free(&key);
    /* the event */
    wev e;
    memset(&e, 0, sizeof e);
    e.time = r->time;
    e.pos = pos;
    e.has = r->has, e.rid = r->rid, e.off = r->off, e.line = r->line;
    e.sha = strndup(r->sha, r->shal);
    e.host = strndup(r->host, r->hostl);
    if (k->field) {
        const rec_field *vf = rec_get(r, alias_for(s, k, k->field, r->rule));
        if (vf && vf->present) {
            e.val = strndup(vf->v, vf->vl);
            char tmp[64];
            if (vf->vl && vf->vl < sizeof tmp) {
                memcpy(tmp, vf->v, vf->vl);
                tmp[vf->vl] = 0;
                char *end;
                double d = strtod(tmp, &end);
                if (!*end && isfinite(d)) e.num = d, e.has_num = 1;
            }
        }
        if (!e.val && k->type != SG_CORR_VALUE_SUM && k->type != SG_CORR_VALUE_AVG) {
            wev_free(&e);
            return 0; /* no value to count */
        }
    }
    if (!e.sha || !e.host) { wev_free(&e); return sk_error_set(SK_ENOMEM, "out of memory"); }
    if (!st->sliding) {
        if (g->start != INT64_MIN && r->time - g->start > k->timespan_ns) rc = close_window(c, st, g);
        if (rc) { wev_free(&e); return rc; }
        if (g->start == INT64_MIN) g->start = r->time;
        return win_push(g, &e);
    }
    /* sliding: drop what fell out of the window, add, test */
    while (g->w_n && r->time - win_at(g, 0)->time > k->timespan_ns) {
        win_pop(g);
        if (g->chain)
            for (size_t i = 0; i < k->n_refs; i++)
                if (g->chain_from[i]) g->chain_from[i]--;
    }
    if ((rc = win_push(g, &e))) return rc;
    if (k->type == SG_CORR_TEMPORAL_ORDERED) {
        /* chain[i]: the latest start of events of rules 0..i in order within the window */
        for (size_t i = 0; i < k->n_refs; i++)
            if (g->chain[i] != INT64_MIN && r->time - g->chain[i] > k->timespan_ns) g->chain[i] = INT64_MIN;
        size_t p = (size_t)pos;
        if (p == 0) {
            g->chain[0] = r->time;
            g->chain_from[0] = g->w_n - 1;
        } else if (g->chain[p - 1] != INT64_MIN && (g->chain[p] == INT64_MIN || g->chain[p - 1] >= g->chain[p])) {
            g->chain[p] = g->chain[p - 1];
            g->chain_from[p] = g->chain_from[p - 1];
        }
        size_t last = k->n_refs - 1;
        if (g->chain[last] != INT64_MIN && p == last) {
            size_t from = g->chain_from[last];
            rc = emit(c, st, g, from < g->w_n ? from : 0, g->w_n, (double)k->n_refs, NULL);
            win_clear(g);
            for (size_t i = 0; i < k->n_refs; i++) g->chain[i] = INT64_MIN;
        }
        return rc;
    }
    double val = aggregate(k, g, 0);
    int ok;
    if (k->type == SG_CORR_TEMPORAL && !k->n_cmp) ok = val >= (double)k->n_refs;
    else ok = !isnan(val) && holds(k, val);
    if (ok) {
        rc = emit(c, st, g, 0, g->w_n, val, NULL);
        win_clear(g);
    }
    return rc;
}

static int sweep(void *ctx, int64_t key, const void *data, size_t n)
{
    (void)key;
    sk_sigma_corr *c = ctx;
    rec r;
    if (rec_read(&r, data, n)) return sk_error_set(SK_EINTERNAL, "a correlation record does not parse");
    const sk_sigma_set *s = c->s;
    int deeper = 0;
    for (size_t i = 0; i < c->n_cs; i++) {
        corr_state *st = &c->cs[i];
        const sg_corr *k = s->rules[st->rule].corr;
        if (!refs_rule(k, r.rule)) continue;
        if (st->depth != c->pass + 1) {
            if (st->depth > c->pass + 1) deeper = 1;
            continue;
        }
        /* a rule listed twice feeds each position, latest first */
        for (size_t p = k->n_refs; p-- > 0;) {
            if (k->rules[p] != r.rule) continue;
            int rc = on_record(c, st, &r, (int)p);
            if (rc) return rc;
        }
    }
    if (deeper && c->next) return sk_extsort_add(c->next, r.time, data, n);
    return 0;
}

int sk_sigma_corr_finish(sk_sigma_corr *c, sk_sigma_corr_cb cb, void *ctx)
{
    c->cb = cb;
    c->ctx = ctx;
    int rc = 0;
    for (c->pass = 0; c->pass < c->max_depth && !rc; c->pass++) {
        c->next = NULL;
        if (c->pass + 1 < c->max_depth) rc = sk_extsort_new(&c->next, c->budget);
        if (!rc) rc = sk_extsort_finish(c->in, sweep, c);
        /* the end of the stream closes every window still open */
        for (size_t i = 0; i < c->n_cs && !rc; i++) {
            corr_state *st = &c->cs[i];
            if (st->depth != c->pass + 1) continue;
            size_t pos = 0;
            const void *key;
            size_t klen;
            void *val;
            while (!rc && sk_map_next(st->groups, &pos, &key, &klen, &val))
                if (!st->sliding) rc = close_window(c, st, val);
        }
        sk_extsort_free(c->in);
        c->in = c->next;
        c->next = NULL;
    }
    return rc;
}

void sk_sigma_corr_free(sk_sigma_corr *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_cs; i++) {
        corr_state *st = &c->cs[i];
        size_t pos = 0;
        const void *key;
        size_t klen;
        void *val;
        size_t ng = c->s->rules[st->rule].corr->n_group;
        while (st->groups && sk_map_next(st->groups, &pos, &key, &klen, &val)) group_free(val, ng);
        sk_map_free(st->groups);
    }
    free(c->cs);
    sk_extsort_free(c->in);
    sk_extsort_free(c->next);
    free(c);
}

int sk_sigma_corr_type(const sk_sigma_set *s, size_t rule)
{
    const sg_rule *r = &s->rules[rule];
    return r->kind == SK_SIGMA_CORRELATION && r->corr ? r->corr->type : 0;
}

size_t sk_sigma_corr_n_refs(const sk_sigma_set *s, size_t rule)
{
    const sg_rule *r = &s->rules[rule];
    return r->kind == SK_SIGMA_CORRELATION && r->corr ? r->corr->n_refs : 0;
}

const char *sk_sigma_corr_ref(const sk_sigma_set *s, size_t rule, size_t i)
{
    const sg_rule *r = &s->rules[rule];
    return r->kind == SK_SIGMA_CORRELATION && r->corr && i < r->corr->n_refs ? r->corr->refs[i] : NULL;
}
