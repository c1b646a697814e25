/*
 * sigma_set.c - the loaded rules made into an immutable rule set: correlations' and
 * filters' references resolved, filters folded into the rules they name (`rule and not
 * filter`), each detection bound to the mapping entries that serve its log source with
 * its field names renamed per entry and the fields an entry cannot supply marked, the
 * support of every rule decided with its reason, and the dispatch built: channel ->
 * entries, entry -> event id -> bindings, so that an event meets only the rules that
 * could match it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <sakimori/common.h>

#include "sigma_int.h"

typedef struct sg_eidlist {
    uint16_t eid;
    size_t *b;       /* SIZE_MAX-terminated */
} sg_eidlist;

struct sg_disp_full {
    sg_eidlist *eids;
    size_t n_eids;
    size_t *any;
};

/* ---- small growable lists (malloc'ed while building, copied into the arena) ---- */
typedef struct zlist {
    size_t *v;
    size_t n, cap;
} zlist;

static int zpush(zlist *l, size_t x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        size_t *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return sk_error_set(SK_ENOMEM, "out of memory");
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 0;
}

static size_t *zfreeze(sk_arena *a, zlist *l)
{
    size_t *r = sk_arena_alloc(a, (l->n + 1) * sizeof *r);
    if (r) {
        if (l->n) memcpy(r, l->v, l->n * sizeof *r);
        r[l->n] = SIZE_MAX;
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
    return r;
}

/* ---- lookups ---- */

static long find_rule(const sk_sigma_set *s, const char *ref)
{
    for (size_t i = 0; i < s->n_rules; i++)
        if (s->rules[i].id && !strcmp(s->rules[i].id, ref)) return (long)i;
    for (size_t i = 0; i < s->n_rules; i++)
        if (s->rules[i].name && !strcmp(s->rules[i].name, ref)) return (long)i;
    return -1;
}

static void set_reason(sk_sigma_set *s, sg_rule *r, int support, const char *fmt, ...) SK_PRINTF(4, 5);
static void set_reason(sk_sigma_set *s, sg_rule *r, int support, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->support = support;
    r->reason = sk_arena_strndup(s->arena, msg, strlen(msg));
}

/* ---- filters ---- */

static int rule_field(sk_sigma_set *s, sg_rule *r, const sg_fname *f)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].n == f->n && !memcmp(r->fields[i].name, f->name, f->n)) return (int)i;
    sg_fname *nf = sk_arena_calloc(s->arena, r->n_fields + 1, sizeof *nf);
    if (!nf) return sk_error_set(SK_ENOMEM, "out of memory");
    if (r->n_fields) memcpy(nf, r->fields, r->n_fields * sizeof *nf);
    nf[r->n_fields] = *f;
    r->fields = nf;
    return (int)r->n_fields++;
}

/* A filter's expression copied with its field indexes moved into rule r's table. */
static int remap(sk_sigma_set *s, sg_rule *r, const sg_fname *ff, const sg_expr *e, sg_expr **out)
{
    sg_expr *c = sk_arena_alloc(s->arena, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    *c = *e;
    if (e->type == SG_E_FIELD) {
        int fi = rule_field(s, r, &ff[e->field]);
        if (fi < 0) return fi;
        c->field = fi;
    }
    if (e->n_groups) {
        c->groups = sk_arena_calloc(s->arena, e->n_groups, sizeof *c->groups);
        if (!c->groups) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t g = 0; g < e->n_groups; g++) {
            c->groups[g].n = e->groups[g].n;
            c->groups[g].alt = sk_arena_calloc(s->arena, e->groups[g].n ? e->groups[g].n : 1, sizeof(sg_val));
            if (!c->groups[g].alt) return sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t k = 0; k < e->groups[g].n; k++) {
                c->groups[g].alt[k] = e->groups[g].alt[k];
                if (e->groups[g].alt[k].type == SG_V_FIELDREF) {
                    int fi = rule_field(s, r, &ff[e->groups[g].alt[k].fref]);
                    if (fi < 0) return fi;
                    c->groups[g].alt[k].fref = fi;
                }
            }
        }
    }
    if (e->n_kids) {
        c->kids = sk_arena_calloc(s->arena, e->n_kids, sizeof *c->kids);
        if (!c->kids) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t k = 0; k < e->n_kids; k++) {
            int rc = remap(s, r, ff, e->kids[k], &c->kids[k]);
            if (rc) return rc;
        }
    }
    *out = c;
    return 0;
}

/* not X, or every branch of an and/or a not */
static int negative_top(const sg_expr *e)
{
    if (e->type == SG_E_NOT) return 1;
    if ((e->type == SG_E_AND || e->type == SG_E_OR) && e->n_kids) {
        for (size_t i = 0; i < e->n_kids; i++)
            if (e->kids[i]->type != SG_E_NOT) return 0;
        return 1;
    }
    return 0;
}

static int compatible(const char *a, const char *b)
{
    if (!a || !b) return 1;
    return !strcasecmp(a, b);
}

/* ---- event-id analysis: the ids an expression can be true for (NULL: any) ---- */

typedef struct idset {
    int any;
    uint16_t *v;
    size_t n;
} idset;

static int is_eid_field(const sg_rule *r, const sg_expr *e)
{
    return e->type == SG_E_FIELD && !e->neg && !e->all && r->fields[e->field].n == 7 && !memcmp(r->fields[e->field].name, "EventID", 7);
}

static int eids_of(sk_sigma_set *s, const sg_rule *r, const sg_expr *e, idset *out, int depth)
{
    out->any = 1;
    out->v = NULL;
    out->n = 0;
    if (depth > SG_MAX_DEPTH) return 0;
    if (is_eid_field(r, e)) {
        size_t cnt = 0;
        for (size_t g = 0; g < e->n_groups; g++) cnt += e->groups[g].n;
        uint16_t *v = sk_arena_calloc(s->arena, cnt + 1, sizeof *v);
        if (!v) return SK_ENOMEM;
        size_t k = 0;
        for (size_t g = 0; g < e->n_groups; g++)
            for (size_t a = 0; a < e->groups[g].n; a++) {
                const sg_val *val = &e->groups[g].alt[a];
                if (val->type != SG_V_STR || val->op != SG_EQ || !val->simple || val->inum < 0 || val->inum > 65535) return 0;
                v[k++] = (uint16_t)val->inum;
            }
        out->any = 0;
        out->v = v;
        out->n = k;
        return 0;
    }
    if (e->type == SG_E_FALSE) {
        out->any = 0;
        return 0;
    }
    if (e->type == SG_E_AND) {
        for (size_t i = 0; i < e->n_kids; i++) {
            idset k;
            int rc = eids_of(s, r, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if (k.any) continue;
            if (out->any) { *out = k; continue; }
            size_t m = 0; /* intersect */
            for (size_t a = 0; a < out->n; a++)
                for (size_t b = 0; b < k.n; b++)
                    if (out->v[a] == k.v[b]) { out->v[m++] = out->v[a]; break; }
            out->n = m;
        }
        return 0;
    }
    if (e->type == SG_E_OR) {
        idset acc = {.any = 0};
        size_t cap = 0;
        for (size_t i = 0; i < e->n_kids; i++) {
            idset k;
            int rc = eids_of(s, r, e->kids[i], &k, depth + 1);
            if (rc) return rc;
            if (k.any) return 0;
            if (acc.n + k.n > cap) {
                cap = (acc.n + k.n) * 2 + 4;
                uint16_t *nv = sk_arena_calloc(s->arena, cap, sizeof *nv);
                if (!nv) return SK_ENOMEM;
                if (acc.n) memcpy(nv, acc.v, acc.n * sizeof *nv);
                acc.v = nv;
            }
            memcpy(acc.v + acc.n, k.v, k.n * sizeof *k.v);
            acc.n += k.n;
        }
        *out = acc;
        return 0;
    }
    return 0;
}

/* ---- binding ---- */

static int bind_rule(sk_sigma_set *s, size_t ri, unsigned readers, zlist *bind_src, zlist *bind_rule_l)
{
    sg_rule *r = &s->rules[ri];
    size_t served = 0, readable = 0, full = 0;
    const char *missing_reader = NULL;
    sk_buf srcs, lacks;
    sk_buf_init(&srcs, 1 << 16);
    sk_buf_init(&lacks, 1 << 16);
    int rc = 0;
    for (size_t si = 0; si < s->map.n && !rc; si++) {
        const sg_source *src = &s->map.src[si];
        if (!sg_source_serves(src, r->product, r->category, r->service)) continue;
        served++;
        if (!(src->reader & readers)) { missing_reader = src->reader_name; continue; }
        readable++;
        /* resolve the fields for this source */
        int partial = 0;
        size_t mark = lacks.len;
        for (size_t f = 0; f < r->n_fields; f++) {
            const sg_fname *fn = &r->fields[f];
            if (fn->system == 1) continue;
            const char *to = sg_source_rename(src, fn->name);
            if (!sg_source_supplies(src, to)) {
                if (!partial) rc = sk_buf_printf(&lacks, "%s%s lacks ", lacks.len ? "; " : "", src->id);
                else rc = sk_buf_puts(&lacks, ", ");
                if (!rc) rc = sk_buf_puts(&lacks, fn->name);
                partial = 1;
            }
        }
        (void)mark;
        if (!partial) full++;
        if (!rc) rc = sk_buf_printf(&srcs, "%s%s", srcs.len ? "," : "", src->id);
        if (!rc) rc = zpush(bind_src, si);
        if (!rc) rc = zpush(bind_rule_l, ri);
    }
    if (!rc) {
        r->sources_text = sk_arena_strndup(s->arena, srcs.data ? srcs.data : "", srcs.len);
        if (!served) {
            char ls[300];
            snprintf(ls, sizeof ls, "%s%s%s%s%s%s", r->product ? "product " : "", r->product ? r->product : "",
                     r->category ? (r->product ? ", category " : "category ") : "", r->category ? r->category : "",
                     r->service ? (r->product || r->category ? ", service " : "service ") : "", r->service ? r->service : "");
            set_reason(s, r, SK_SIGMA_NO_SOURCE, "no mapping entry serves its log source (%s)", ls);
        } else if (!readable) {
            set_reason(s, r, SK_SIGMA_NO_READER, "its log source is read by the %s reader, which this command does not run (%s)",
                       missing_reader, strcmp(missing_reader, "evtx") ? "sakimori hunt net reads network logs"
                                                                      : "sakimori hunt events reads Windows event logs");
        } else if (!full) {
            char msg[600];
            snprintf(msg, sizeof msg, "fields not supplied: %.*s", (int)(lacks.len > 500 ? 500 : lacks.len), lacks.data ? lacks.data : "");
            set_reason(s, r, SK_SIGMA_RUNS_PARTLY, "%s", msg);
        } else {
            r->support = SK_SIGMA_RUNS;
            if (lacks.len) {
                char msg[600];
                snprintf(msg, sizeof msg, "runs fully on some sources; not supplied: %.*s", (int)(lacks.len > 500 ? 500 : lacks.len), lacks.data);
                r->reason = sk_arena_strndup(s->arena, msg, strlen(msg));
            }
        }
    }
    sk_buf_free(&srcs);
    sk_buf_free(&lacks);
    return rc;
}

static int make_binding(sk_sigma_set *s, sg_binding *b, size_t ri, size_t si)
{
    sg_rule *r = &s->rules[ri];
    const sg_source *src = &s->map.src[si];
    b->rule = ri;
    b->source = si;
    b->fields = sk_arena_calloc(s->arena, r->n_fields + 1, sizeof *b->fields);
    b->unknown = sk_arena_calloc(s->arena, r->n_fields + 1, 1);
    if (!b->fields || !b->unknown) return sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t f = 0; f < r->n_fields; f++) {
        b->fields[f] = r->fields[f];
        if (r->fields[f].system == 1) continue;
        const char *to = sg_source_rename(src, r->fields[f].name);
        if (to != r->fields[f].name) {
            b->fields[f].name = to;
            b->fields[f].n = strlen(to);
            b->fields[f].hash = sk_event_name_hash(to, b->fields[f].n);
            b->fields[f].system = (uint8_t)sg_is_system_field(to, b->fields[f].n);
            b->fields[f].sys = sg_system_canon(to, b->fields[f].n);
            b->fields[f].sys_n = b->fields[f].sys ? strlen(b->fields[f].sys) : 0;
        }
        if (!sg_source_supplies(src, b->fields[f].name) && b->fields[f].system != 1) {
            b->unknown[f] = 1;
            b->partial = 1;
        }
    }
    return 0;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int cmp_eid(const void *a, const void *b)
{
    const sg_eidlist *x = a, *y = b;
    return (int)x->eid - (int)y->eid;
}

/* Depth-first over correlation references: 1 on the path, 2 done; a rule met again on
 * the path closes a cycle. Returns 1 when rule i is (or leads into) a cycle. */
static int refuse_cycles(sk_sigma_set *s, size_t i, uint8_t *state, int depth)
{
    sg_rule *r = &s->rules[i];
    /* a correlation refused already (an unresolved reference) has no references to follow */
    if (r->kind != SK_SIGMA_CORRELATION || !r->corr->rules || (r->support == SK_SIGMA_REFUSED && state[i] != 1)) return 0;
    if (state[i] == 1) return 1;
    if (state[i] == 2) return r->support == SK_SIGMA_REFUSED && r->reason && strstr(r->reason, "cycle") != NULL;
    if (depth > 64) return 1;
    state[i] = 1;
    int cyc = 0;
    for (size_t k = 0; k < r->corr->n_refs && !cyc; k++) cyc = refuse_cycles(s, r->corr->rules[k], state, depth + 1);
    state[i] = 2;
    if (cyc) set_reason(s, r, SK_SIGMA_REFUSED, "%s:%zu: its rules refer back to it (a cycle of correlations)", r->path, r->line);
    return cyc;
}

/* The fields a binding's condition tests (FIELD nodes; keywords: kw). */
static int fields_of(const sg_binding *b, const sg_expr *e, zlist *hashes, int *all, int *kw, int depth)
{
    if (depth > SG_MAX_DEPTH) { *all = 1; return 0; }
    if (e->type == SG_E_KEYWORD) { *kw = 1; return 0; }
    if (e->type == SG_E_FIELD && !b->fields[e->field].system) {
        int rc = zpush(hashes, b->fields[e->field].hash);
        if (rc) return rc;
    }
    for (size_t i = 0; i < e->n_kids; i++) {
        int rc = fields_of(b, e->kids[i], hashes, all, kw, depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Per source, the fields the prefilter must scan: those its prefiltered rules test. */
static int scan_fields(sk_sigma_set *s)
{
    s->scan_hash = sk_arena_calloc(s->arena, s->map.n + 1, sizeof *s->scan_hash);
    s->n_scan_hash = sk_arena_calloc(s->arena, s->map.n + 1, sizeof *s->n_scan_hash);
    s->scan_all = sk_arena_calloc(s->arena, s->map.n + 1, 1);
    s->scan_kw = sk_arena_calloc(s->arena, s->map.n + 1, 1);
    if (!s->scan_hash || !s->n_scan_hash || !s->scan_all || !s->scan_kw) return sk_error_set(SK_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t si = 0; si < s->map.n && !rc; si++) {
        zlist h = {0};
        int all = 0, kw = 0;
        for (size_t b = 0; b < s->n_bindings && !rc && !all; b++) {
            const sg_binding *bb = &s->bindings[b];
            if (bb->source != si || !bb->n_need) continue;
            rc = fields_of(bb, s->rules[bb->rule].cond, &h, &all, &kw, 0);
        }
        if (!rc && h.n) qsort(h.v, h.n, sizeof *h.v, cmp_size);
        size_t m = 0;
        for (size_t i = 0; i < h.n; i++)
            if (!m || h.v[i] != h.v[m - 1]) h.v[m++] = h.v[i];
        uint32_t *arr = rc ? NULL : sk_arena_alloc(s->arena, (m + 1) * sizeof *arr);
        if (!rc && !arr) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; !rc && i < m; i++) arr[i] = (uint32_t)h.v[i];
        free(h.v);
        s->scan_hash[si] = arr;
        s->n_scan_hash[si] = m;
        s->scan_all[si] = (uint8_t)all;
        s->scan_kw[si] = (uint8_t)kw;
    }
    return rc;
}

/* ---- finish ---- */

int sk_sigma_loader_finish(sk_sigma_loader *l, sk_sigma_set **out)
{
    *out = NULL;
    sk_sigma_set *s = l->set;
    int rc = 0;
    /* filters */
    for (size_t i = 0; i < l->n_filters && !rc; i++) {
        struct pending_filter *pf = &l->filters[i];
        sg_rule *fr = &s->rules[pf->rule];
        if (fr->support == SK_SIGMA_REFUSED) continue;
        size_t applied = 0;
        for (size_t k = 0; k < pf->n_refs && !rc; k++) {
            long t = find_rule(s, pf->refs[k]);
            if (t < 0 || s->rules[t].kind != SK_SIGMA_DETECTION || s->rules[t].support == SK_SIGMA_REFUSED) continue;
            sg_rule *r = &s->rules[t];
            if (!compatible(fr->product, r->product) || !compatible(fr->category, r->category) || !compatible(fr->service, r->service))
                continue;
            sg_expr *fe;
            if ((rc = remap(s, r, pf->fields, pf->cond, &fe))) break;
            /* the specification's filter names what to suppress (condition: selection);
             * pySigma's names what to keep (condition: not selection): a condition that
             * is negative at its top is read the second way (docs/sigma.md) */
            sg_expr *and = sk_arena_calloc(s->arena, 1, sizeof *and), *keep = fe;
            if (!and || !(and->kids = sk_arena_calloc(s->arena, 2, sizeof *and->kids))) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            if (!negative_top(pf->cond)) {
                sg_expr *not = sk_arena_calloc(s->arena, 1, sizeof *not);
                if (!not || !(not->kids = sk_arena_calloc(s->arena, 1, sizeof *not->kids))) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                not->type = SG_E_NOT;
                not->kids[0] = fe;
                not->n_kids = 1;
                keep = not;
            }
            and->type = SG_E_AND;
            and->kids[0] = r->cond;
            and->kids[1] = keep;
            and->n_kids = 2;
            r->cond = and;
            applied++;
        }
        fr->support = applied ? SK_SIGMA_RUNS : SK_SIGMA_NO_SOURCE;
        if (!applied) set_reason(s, fr, SK_SIGMA_NO_SOURCE, "a filter whose rules are not loaded (or have another log source)");
        else {
            char msg[200];
            snprintf(msg, sizeof msg, "applied to %zu rule%s: %s", applied, applied == 1 ? "" : "s",
                     negative_top(pf->cond) ? "keeps only the events its condition holds for (written with not: pySigma's reading)"
                                            : "suppresses the events its condition holds for (the specification's reading)");
            fr->reason = sk_arena_strndup(s->arena, msg, strlen(msg));
        }
        fr->generate = 0;
    }
    /* bindings */
    zlist bsrc = {0}, brule = {0};
    for (size_t i = 0; i < s->n_rules && !rc; i++) {
        sg_rule *r = &s->rules[i];
        if (r->kind != SK_SIGMA_DETECTION || r->support == SK_SIGMA_REFUSED) continue;
        rc = bind_rule(s, i, l->readers, &bsrc, &brule);
    }
    if (!rc && bsrc.n) {
        s->bindings = sk_arena_calloc(s->arena, bsrc.n, sizeof *s->bindings);
        if (!s->bindings) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; i < bsrc.n && !rc; i++) rc = make_binding(s, &s->bindings[i], brule.v[i], bsrc.v[i]);
        s->n_bindings = bsrc.n;
    }
    free(bsrc.v);
    free(brule.v);
    /* correlations: resolve, decide support, silence their base rules */
    for (int pass = 0; pass < 8 && !rc; pass++) { /* chains: a correlation's support depends on its rules' */
        for (size_t i = 0; i < s->n_rules; i++) {
            sg_rule *r = &s->rules[i];
            if (r->kind != SK_SIGMA_CORRELATION || r->load_failed) continue;
            sg_corr *c = r->corr;
            if (!c->rules) {
                c->rules = sk_arena_calloc(s->arena, c->n_refs, sizeof *c->rules);
                if (!c->rules) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            }
            int worst = SK_SIGMA_RUNS, why = 0;
            const char *who = NULL;
            for (size_t k = 0; k < c->n_refs; k++) {
                long t = find_rule(s, c->refs[k]);
                if (t < 0 || (size_t)t == i) {
                    worst = SK_SIGMA_REFUSED;
                    why = 1;
                    who = c->refs[k];
                    break;
                }
                c->rules[k] = (size_t)t;
                int sup = s->rules[t].support;
                if (s->rules[t].kind == SK_SIGMA_FILTER) sup = SK_SIGMA_REFUSED;
                if (sup == 0) sup = SK_SIGMA_RUNS; /* a correlation not decided yet */
                if (sup > worst) {
                    worst = sup;
                    why = sup == SK_SIGMA_RUNS_PARTLY ? 2 : 3;
                    who = c->refs[k];
                }
            }
            if (worst == SK_SIGMA_RUNS) { r->support = SK_SIGMA_RUNS; r->reason = NULL; }
            else if (why == 1) set_reason(s, r, worst, "%s:%zu: refers to rule '%s', which is not loaded", r->path, r->line, who);
            else if (why == 2) set_reason(s, r, worst, "its rule '%s' runs only partly", who);
            else set_reason(s, r, worst, "its rule '%s' does not run", who);
        }
    }
    /* a correlation that reaches itself through its rules is refused (and so is every
     * correlation above it) */
    if (!rc) {
        uint8_t *state = calloc(s->n_rules + 1, 1);
        if (!state) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; i < s->n_rules && !rc; i++)
            if (s->rules[i].kind == SK_SIGMA_CORRELATION && !s->rules[i].load_failed) refuse_cycles(s, i, state, 0);
        free(state);
    }
    for (size_t i = 0; i < s->n_rules && !rc; i++) {
        sg_rule *r = &s->rules[i];
        if (r->kind != SK_SIGMA_CORRELATION || !r->corr->rules || r->support == SK_SIGMA_REFUSED) continue;
        for (size_t k = 0; k < r->corr->n_refs; k++) {
            sg_rule *b = &s->rules[r->corr->rules[k]];
            if (!r->corr->generate) b->generate = 0;
        }
    }
    /* event ids per rule */
    for (size_t i = 0; i < s->n_rules && !rc; i++) {
        sg_rule *r = &s->rules[i];
        if (r->kind != SK_SIGMA_DETECTION || !r->cond) continue;
        idset ids;
        rc = eids_of(s, r, r->cond, &ids, 0);
        if (!rc && !ids.any) {
            r->eids = ids.v;
            r->n_eids = ids.n;
            if (!r->eids) r->eids = sk_arena_calloc(s->arena, 1, sizeof *r->eids); /* can never match */
            qsort(r->eids, r->n_eids, sizeof *r->eids, cmp_u16);
        }
    }
    /* a field some source renames to a System member is not in the prefilter's text:
     * mark it so (the bindings have their own copies of the names) */
    for (size_t b = 0; b < s->n_bindings && !rc; b++) {
        sg_rule *r = &s->rules[s->bindings[b].rule];
        for (size_t f = 0; f < r->n_fields; f++)
            if (s->bindings[b].fields[f].system && !r->fields[f].system) r->fields[f].system = 2;
    }
    if (!rc) rc = sg_prefilter_build(s);
    if (!rc) rc = scan_fields(s);
    if (!rc) rc = sg_prefilter_fields(s);
    /* dispatch: channels -> sources */
    if (!rc) rc = sk_map_new(&s->by_channel, 0);
    if (!rc) {
        zlist any = {0};
        sk_map *tmp = NULL;
        rc = sk_map_new(&tmp, 0);
        zlist *lists = calloc(s->map.n + 1, sizeof *lists);
        size_t n_lists = 0;
        if (!lists) rc = sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t si = 0; si < s->map.n && !rc; si++) {
            const sg_source *src = &s->map.src[si];
            if (!src->n_channels) { rc = zpush(&any, si); continue; }
            for (size_t c = 0; c < src->n_channels && !rc; c++) {
                const char *ch = src->channels[c];
                zlist *zl = sk_map_get(tmp, ch, strlen(ch));
                if (!zl) {
                    /* at most one list per distinct channel; sources <= map.n, channels may be more */
                    zlist *nz = calloc(1, sizeof *nz);
                    if (!nz) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                    if ((rc = sk_map_put(tmp, ch, strlen(ch), nz, NULL))) { free(nz); break; }
                    zl = nz;
                }
                int dup = 0;
                for (size_t k = 0; k < zl->n; k++) dup |= zl->v[k] == si;
                if (!dup) rc = zpush(zl, si);
            }
        }
        (void)n_lists;
        size_t pos = 0;
        const void *key;
        size_t klen;
        void *val;
        while (tmp && sk_map_next(tmp, &pos, &key, &klen, &val)) {
            zlist *zl = val;
            size_t *fz = rc ? NULL : zfreeze(s->arena, zl);
            if (!rc && !fz) rc = sk_error_set(SK_ENOMEM, "out of memory");
            if (!rc) rc = sk_map_put(s->by_channel, key, klen, fz, NULL);
            free(zl->v);
            free(zl);
        }
        sk_map_free(tmp);
        free(lists);
        if (!rc && !(s->any_channel = zfreeze(s->arena, &any))) rc = sk_error_set(SK_ENOMEM, "out of memory");
        free(any.v);
    }
    /* dispatch: source -> event id -> bindings */
    if (!rc) {
        s->disp = sk_arena_calloc(s->arena, s->map.n + 1, sizeof *s->disp);
        s->src_has_need = sk_arena_calloc(s->arena, s->map.n + 1, 1);
        if (!s->disp || !s->src_has_need) rc = sk_error_set(SK_ENOMEM, "out of memory");
    }
    for (size_t si = 0; si < s->map.n && !rc; si++) {
        zlist any = {0};
        /* collect (eid, binding) pairs */
        size_t n_pairs = 0, cap_pairs = 0;
        struct pair { uint16_t eid; size_t b; } *pairs = NULL;
        for (size_t b = 0; b < s->n_bindings && !rc; b++) {
            if (s->bindings[b].source != si) continue;
            /* reached through the prefilter's literals, or never true here */
            if (s->bindings[b].n_need) { s->src_has_need[si] = 1; continue; }
            if (s->bindings[b].never) continue;
            const sg_rule *r = &s->rules[s->bindings[b].rule];
            if (!r->eids) { rc = zpush(&any, b); continue; }
            for (size_t k = 0; k < r->n_eids; k++) {
                if (n_pairs == cap_pairs) {
                    cap_pairs = cap_pairs ? cap_pairs * 2 : 64;
                    void *np = realloc(pairs, cap_pairs * sizeof *pairs);
                    if (!np) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                    pairs = np;
                }
                pairs[n_pairs].eid = r->eids[k];
                pairs[n_pairs++].b = b;
            }
        }
        struct sg_disp_full *df = sk_arena_calloc(s->arena, 1, sizeof *df);
        if (!df) rc = sk_error_set(SK_ENOMEM, "out of memory");
        if (!rc) {
            /* group by event id */
            size_t distinct = 0;
            sg_eidlist *el = sk_arena_calloc(s->arena, n_pairs + 1, sizeof *el);
            if (!el) rc = sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t p = 0; p < n_pairs && !rc; p++) {
                size_t k = 0;
                while (k < distinct && el[k].eid != pairs[p].eid) k++;
                if (k == distinct) { el[k].eid = pairs[p].eid; distinct++; }
            }
            for (size_t k = 0; k < distinct && !rc; k++) {
                zlist z = {0};
                for (size_t p = 0; p < n_pairs && !rc; p++) {
                    if (pairs[p].eid != el[k].eid) continue;
                    int dup = z.n && z.v[z.n - 1] == pairs[p].b;
                    if (!dup) rc = zpush(&z, pairs[p].b);
                }
                if (!rc && !(el[k].b = zfreeze(s->arena, &z))) rc = sk_error_set(SK_ENOMEM, "out of memory");
                free(z.v);
            }
            if (!rc) {
                qsort(el, distinct, sizeof *el, cmp_eid);
                df->eids = el;
                df->n_eids = distinct;
                if (!(df->any = zfreeze(s->arena, &any))) rc = sk_error_set(SK_ENOMEM, "out of memory");
                s->disp[si].by_eid = (sk_map *)(void *)df; /* the full dispatch (see sg_dispatch) */
            }
        }
        free(pairs);
        free(any.v);
    }
    if (!rc) sk_sigma_set_select(s, NULL);
    if (rc) return rc; /* the caller frees the loader, and the set with it */
    l->set = NULL;
    sk_sigma_loader_free(l);
    *out = s;
    return 0;
}

/* The bindings of source si for event id eid: two SIZE_MAX-terminated lists. */
void sg_dispatch(const sk_sigma_set *s, size_t si, uint16_t eid, const size_t **by_eid, const size_t **any)
{
    const struct sg_disp_full *df = (const struct sg_disp_full *)(const void *)s->disp[si].by_eid;
    *any = df->any;
    *by_eid = NULL;
    size_t lo = 0, hi = df->n_eids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (df->eids[mid].eid < eid) lo = mid + 1;
        else hi = mid;
    }
    if (lo < df->n_eids && df->eids[lo].eid == eid) *by_eid = df->eids[lo].b;
}

void sk_sigma_set_free(sk_sigma_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_codes; i++) pcre2_code_free(s->codes[i]);
    free(s->codes);
    sg_prefilter_free(s);
    sk_map_free(s->by_channel);
    free(s->rules);
    sk_arena_free(s->arena);
    free(s);
}

size_t sk_sigma_set_count(const sk_sigma_set *s)
{
    return s->n_rules;
}

size_t sk_sigma_set_sources(const sk_sigma_set *s)
{
    return s->map.n;
}

void sk_sigma_rule_info_get(const sk_sigma_set *s, size_t i, sk_sigma_rule_info *o)
{
    const sg_rule *r = &s->rules[i];
    memset(o, 0, sizeof *o);
    o->kind = r->kind;
    o->id = r->id;
    o->title = r->title;
    o->name = r->name;
    o->path = r->path;
    o->sha256 = r->sha256;
    o->line = r->line;
    o->level = r->level;
    o->status = r->status;
    o->product = r->product;
    o->category = r->category;
    o->service = r->service;
    o->support = r->support;
    o->reason = r->reason;
    o->sources = r->sources_text ? r->sources_text : "";
    o->generate = r->generate;
    o->tags = r->tags;
    o->n_tags = r->n_tags;
}

int sk_sigma_feeds_correlation(const sk_sigma_set *s, size_t rule)
{
    return s->rules[rule].fed;
}

static int in_list(const char *v, const char *const *l, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (!strcmp(v, l[i])) return 1;
    return 0;
}

static int matches_ref(const sg_rule *r, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((r->id && !strcmp(r->id, l[i])) || (r->name && !strcmp(r->name, l[i]))) return 1;
        if (r->path && strstr(r->path, l[i])) return 1;
    }
    return 0;
}

static int tagged(const sg_rule *r, const char *const *l, size_t n)
{
    for (size_t t = 0; t < r->n_tags; t++)
        for (size_t i = 0; i < n; i++) {
            size_t k = strlen(l[i]);
            if (!strncasecmp(r->tags[t], l[i], k) && (r->tags[t][k] == 0 || r->tags[t][k] == '.')) return 1;
        }
    return 0;
}

size_t sk_sigma_set_select(sk_sigma_set *s, const sk_sigma_select *sel)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_rules; i++) {
        sg_rule *r = &s->rules[i];
        int ok = 1;
        if (sel) {
            if (sel->min_level >= 0 && r->level < sel->min_level && r->kind != SK_SIGMA_FILTER) ok = 0;
            if (sel->status && !in_list(r->status, sel->status, sel->n_status)) ok = 0;
            if (sel->tags && !tagged(r, sel->tags, sel->n_tags)) ok = 0;
            if (sel->include && !matches_ref(r, sel->include, sel->n_include)) ok = 0;
            if (sel->exclude && matches_ref(r, sel->exclude, sel->n_exclude)) ok = 0;
        }
        r->selected = ok;
        r->fed = 0;
    }
    /* a selected correlation keeps its base rules running (without findings of their own) */
    for (int pass = 0; pass < 8; pass++)
        for (size_t i = 0; i < s->n_rules; i++) {
            sg_rule *r = &s->rules[i];
            if (r->kind != SK_SIGMA_CORRELATION || !(r->selected || r->fed) || !r->corr->rules || r->support > SK_SIGMA_RUNS_PARTLY) continue;
            for (size_t k = 0; k < r->corr->n_refs; k++) s->rules[r->corr->rules[k]].fed = 1;
        }
    for (size_t i = 0; i < s->n_rules; i++) {
        sg_rule *r = &s->rules[i];
        if (r->selected && (r->kind == SK_SIGMA_DETECTION || r->kind == SK_SIGMA_CORRELATION) && r->support <= SK_SIGMA_RUNS_PARTLY) n++;
    }
    return n;
}
