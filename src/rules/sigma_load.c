/*
 * sigma_load.c - Sigma rule documents into the rule set: the metadata (id, title, name,
 * level, status, tags, logsource), the detection (search identifiers compiled by
 * sigma_value.c, the condition by sigma_cond.c), correlation rules and filter rules;
 * then, at finish, the references resolved (a correlation's rules by id or name, a
 * filter's rules by id), filters folded into the conditions of the rules they name,
 * every detection bound to the log-source entries that serve it, and the dispatch built
 * (by channel, then by event id).
 *
 * A document that cannot be loaded keeps a place in the set with its reason: the set
 * is also the report `sakimori sigma check` prints.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>

#include "sigma_int.h"


static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

const char *sk_sigma_level_name(int level)
{
    return level >= 0 && level <= 4 ? level_names[level] : "";
}

int sk_sigma_level_from_name(const char *s, size_t n)
{
    for (int i = 0; i < 5; i++)
        if (strlen(level_names[i]) == n && !memcmp(level_names[i], s, n)) return i;
    return -1;
}

const char *sk_sigma_support_name(int support)
{
    switch (support) {
    case SK_SIGMA_RUNS: return "runs";
    case SK_SIGMA_RUNS_PARTLY: return "runs_partly";
    case SK_SIGMA_NO_READER: return "no_reader";
    case SK_SIGMA_NO_SOURCE: return "no_source";
    case SK_SIGMA_REFUSED: return "refused";
    }
    return "";
}

/* ---- placeholders ---- */

static int load_placeholders(sk_sigma_loader *l, const char *data, size_t n, const char *name)
{
    int rc = sk_map_new(&l->placeholders, 100000);
    if (rc) return rc;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return sk_error_set(SK_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
    sg_doc d = {.path = name};
    if (!yaml_parser_load(&parser, &d.doc)) {
        rc = sk_error_set(SK_EFORMAT, "%s:%zu: %s", name, parser.problem_mark.line + 1, parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&d.doc);
    if (root && root->type != YAML_MAPPING_NODE) rc = sk_error_set(SK_EFORMAT, "%s:1: placeholders: a map name -> list of values expected", name);
    for (yaml_node_pair_t *p = root && !rc ? root->data.mapping.pairs.start : NULL; p && p < root->data.mapping.pairs.top && !rc; p++) {
        yaml_node_t *k = sg_y_node(&d, p->key), *v = sg_y_node(&d, p->value);
        size_t kl;
        const char *ks = sg_y_str(k, &kl);
        if (!ks) { rc = sk_error_set(SK_EFORMAT, "%s:%zu: a placeholder name must be a string", name, sg_y_line(k)); break; }
        size_t cnt = v && v->type == YAML_SEQUENCE_NODE ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;
        const char **vals = sk_arena_calloc(l->set->arena, cnt + 1, sizeof *vals);
        if (!vals) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
        for (size_t i = 0; i < cnt && !rc; i++) {
            yaml_node_t *it = v && v->type == YAML_SEQUENCE_NODE ? sg_y_node(&d, v->data.sequence.items.start[i]) : v;
            size_t vl;
            const char *vs = sg_y_str(it, &vl);
            if (!vs) rc = sk_error_set(SK_EFORMAT, "%s:%zu: placeholder values must be strings", name, sg_y_line(it ? it : k));
            else if (!(vals[i] = sk_arena_strndup(l->set->arena, vs, vl))) rc = sk_error_set(SK_ENOMEM, "out of memory");
        }
        if (!rc) rc = sk_map_put(l->placeholders, ks, kl, (void *)vals, NULL);
    }
    yaml_document_delete(&d.doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- the loader ---- */

int sk_sigma_loader_new(sk_sigma_loader **out, const sk_sigma_options *o)
{
    *out = NULL;
    sk_sigma_loader *l = calloc(1, sizeof *l);
    if (!l) return sk_error_set(SK_ENOMEM, "out of memory");
    l->set = calloc(1, sizeof *l->set);
    int rc = l->set ? sk_arena_new(&l->set->arena, 1 << 20, (size_t)4 << 30) : sk_error_set(SK_ENOMEM, "out of memory");
    if (rc) { sk_sigma_loader_free(l); return rc; }
    l->readers = o && o->readers ? o->readers : SK_SIGMA_READER_EVTX;
    const char *map = o && o->mapping ? o->mapping : sk_sigma_default_mapping;
    size_t map_len = o && o->mapping ? o->mapping_len : strlen(sk_sigma_default_mapping);
    const char *map_name = o && o->mapping ? (o->mapping_name ? o->mapping_name : "mapping") : "config/sigma-logsources.yml (built in)";
    rc = sg_mapping_load(&l->set->map, map, map_len, map_name, l->set->arena);
    if (!rc && o && o->placeholders)
        rc = load_placeholders(l, o->placeholders, o->placeholders_len, o->placeholders_name ? o->placeholders_name : "placeholders");
    if (rc) { sk_sigma_loader_free(l); return rc; }
    *out = l;
    return 0;
}

void sk_sigma_loader_free(sk_sigma_loader *l)
{
    if (!l) return;
    sk_sigma_set_free(l->set);
    sk_map_free(l->placeholders);
    free(l->filters);
    free(l);
}

static sg_rule *new_rule(sk_sigma_loader *l)
{
    sk_sigma_set *s = l->set;
    if (s->n_rules == l->cap_rules) {
        size_t cap = l->cap_rules ? l->cap_rules * 2 : 256;
        sg_rule *nr = realloc(s->rules, cap * sizeof *nr);
        if (!nr) return NULL;
        s->rules = nr;
        l->cap_rules = cap;
    }
    sg_rule *r = &s->rules[s->n_rules++];
    memset(r, 0, sizeof *r);
    r->level = -1;
    r->generate = 1;
    r->selected = 1;
    return r;
}

static char *adup(sk_sigma_set *s, const char *p, size_t n)
{
    return sk_arena_strndup(s->arena, p ? p : "", p ? n : 0);
}

static const char *scalar_dup(sk_sigma_set *s, yaml_node_t *n)
{
    size_t len;
    const char *v = sg_y_str(n, &len);
    return v ? adup(s, v, len) : NULL;
}

static void refuse(sg_rule *r, sk_sigma_set *s, const char *msg)
{
    r->support = SK_SIGMA_REFUSED;
    r->load_failed = 1;
    r->reason = adup(s, msg, strlen(msg));
}

/* A search identifier: a map (AND of its fields), a list of maps (OR), a list of
 * plain values or one value (keywords). */
static int compile_ident(sg_cctx *c, sg_doc *d, yaml_node_t *v, sg_expr **out, int depth)
{
    int rc = sg_y_visit(d, v);
    if (rc) { snprintf(c->err, sizeof c->err, "%s", sk_error_last()); return rc; }
    if (depth > 8) {
        snprintf(c->err, sizeof c->err, "%s:%zu: a search identifier nested too deeply", c->path, sg_y_line(v));
        return SK_ELIMIT;
    }
    if (!v) {
        snprintf(c->err, sizeof c->err, "%s: a search identifier without a value", c->path);
        return SK_EFORMAT;
    }
    if (v->type == YAML_MAPPING_NODE) {
        /* the pairs, with YAML merge keys (<<: *anchor, or a list of them) expanded as
         * PyYAML expands them: the map's own keys first, merged ones after */
        yaml_node_pair_t *pairs[1024];
        size_t k = 0;
        yaml_node_t *maps[33];
        size_t n_maps = 1;
        maps[0] = v;
        for (size_t mi = 0; mi < n_maps; mi++) {
            yaml_node_t *mv = maps[mi];
            for (yaml_node_pair_t *p = mv->data.mapping.pairs.start; p < mv->data.mapping.pairs.top; p++) {
                yaml_node_t *kn = sg_y_node(d, p->key), *vn = sg_y_node(d, p->value);
                size_t kl;
                const char *ks = sg_y_str(kn, &kl);
                if (ks && kl == 2 && !memcmp(ks, "<<", 2) && kn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                    yaml_node_t *one[1] = {vn};
                    size_t cnt = vn && vn->type == YAML_SEQUENCE_NODE ? (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start) : 1;
                    for (size_t j = 0; j < cnt; j++) {
                        yaml_node_t *m = vn && vn->type == YAML_SEQUENCE_NODE ? sg_y_node(d, vn->data.sequence.items.start[j]) : one[0];
                        if (!m || m->type != YAML_MAPPING_NODE || n_maps == 33) {
                            snprintf(c->err, sizeof c->err, "%s:%zu: a merge key (<<) takes a map or a list of at most 32 maps", c->path, sg_y_line(kn));
                            return SK_EFORMAT;
                        }
                        if ((rc = sg_y_visit(d, m))) { snprintf(c->err, sizeof c->err, "%s", sk_error_last()); return rc; }
                        maps[n_maps++] = m;
                    }
                    continue;
                }
                if (k == 1024) {
                    snprintf(c->err, sizeof c->err, "%s:%zu: more than 1024 fields in one search identifier", c->path, sg_y_line(v));
                    return SK_ELIMIT;
                }
                /* a key already given (by the map or an earlier merge) wins */
                int dup = 0;
                for (size_t q = 0; q < k && ks; q++) {
                    size_t ql;
                    const char *qs = sg_y_str(sg_y_node(d, pairs[q]->key), &ql);
                    if (qs && ql == kl && !memcmp(qs, ks, kl)) dup = 1;
                }
                if (!dup || mi == 0) pairs[k++] = p;
            }
        }
        sg_expr *e = sk_arena_calloc(c->a, 1, sizeof *e);
        if (!e || !(e->kids = sk_arena_calloc(c->a, k ? k : 1, sizeof *e->kids))) return sk_error_set(SK_ENOMEM, "out of memory");
        e->type = k ? SG_E_AND : SG_E_FALSE;
        for (size_t i = 0; i < k; i++) {
            yaml_node_pair_t *p = pairs[i];
            yaml_node_t *kn = sg_y_node(d, p->key), *vn = sg_y_node(d, p->value);
            size_t kl;
            const char *ks = sg_y_str(kn, &kl);
            if (!ks) {
                snprintf(c->err, sizeof c->err, "%s:%zu: a field name must be a string", c->path, sg_y_line(kn));
                return SK_EFORMAT;
            }
            if ((rc = sg_y_visit(d, vn))) { snprintf(c->err, sizeof c->err, "%s", sk_error_last()); return rc; }
            if ((rc = sg_compile_field(c, d, ks, kl, vn, &e->kids[e->n_kids]))) return rc;
            e->n_kids++;
        }
        *out = e;
        return 0;
    }
    if (v->type == YAML_SEQUENCE_NODE) {
        size_t k = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        int maps = 0, scalars = 0;
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *it = sg_y_node(d, v->data.sequence.items.start[i]);
            if (it && it->type == YAML_MAPPING_NODE) maps++;
            else if (it && it->type == YAML_SCALAR_NODE) scalars++;
            else {
                snprintf(c->err, sizeof c->err, "%s:%zu: a list in a detection holds maps or values, not lists", c->path, sg_y_line(it ? it : v));
                return SK_EFORMAT;
            }
        }
        if (maps && scalars) {
            snprintf(c->err, sizeof c->err, "%s:%zu: a list mixes maps and plain values", c->path, sg_y_line(v));
            return SK_EFORMAT;
        }
        if (!maps) return sg_compile_keywords(c, d, NULL, v, out);
        sg_expr *e = sk_arena_calloc(c->a, 1, sizeof *e);
        if (!e || !(e->kids = sk_arena_calloc(c->a, k, sizeof *e->kids))) return sk_error_set(SK_ENOMEM, "out of memory");
        e->type = SG_E_OR;
        for (size_t i = 0; i < k; i++) {
            yaml_node_t *it = sg_y_node(d, v->data.sequence.items.start[i]);
            if ((rc = compile_ident(c, d, it, &e->kids[e->n_kids], depth + 1))) return rc;
            e->n_kids++;
        }
        *out = e;
        return 0;
    }
    return sg_compile_keywords(c, d, NULL, v, out);
}

/* The detection (or a filter's section): identifiers and the condition. `skip` names
 * members that are not identifiers (filter: rules). */
static int compile_detection(sg_cctx *c, sg_doc *d, yaml_node_t *det, const char *skip, sg_expr **out)
{
    if (!det || det->type != YAML_MAPPING_NODE) {
        snprintf(c->err, sizeof c->err, "%s:%zu: the detection must be a map", c->path, sg_y_line(det));
        return SK_EFORMAT;
    }
    size_t k = (size_t)(det->data.mapping.pairs.top - det->data.mapping.pairs.start);
    sg_ident *ids = sk_arena_calloc(c->a, k + 1, sizeof *ids);
    if (!ids) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t n_ids = 0;
    yaml_node_t *cond = NULL;
    for (size_t i = 0; i < k; i++) {
        yaml_node_pair_t *p = &det->data.mapping.pairs.start[i];
        yaml_node_t *kn = sg_y_node(d, p->key), *vn = sg_y_node(d, p->value);
        size_t kl;
        const char *ks = sg_y_str(kn, &kl);
        if (!ks) {
            snprintf(c->err, sizeof c->err, "%s:%zu: a search identifier must be a string", c->path, sg_y_line(kn));
            return SK_EFORMAT;
        }
        if (kl == 9 && !memcmp(ks, "condition", 9)) { cond = vn; continue; }
        if (kl == 9 && !memcmp(ks, "timeframe", 9)) continue; /* the deprecated aggregation's window: refused with it */
        if (skip && strlen(skip) == kl && !memcmp(ks, skip, kl)) continue;
        for (size_t j = 0; j < n_ids; j++)
            if (strlen(ids[j].name) == kl && !memcmp(ids[j].name, ks, kl)) {
                snprintf(c->err, sizeof c->err, "%s:%zu: search identifier '%.*s' defined twice", c->path, sg_y_line(kn),
                         (int)(kl > 64 ? 64 : kl), ks);
                return SK_EFORMAT;
            }
        ids[n_ids].name = sk_arena_strndup(c->a, ks, kl);
        if (!ids[n_ids].name) return sk_error_set(SK_ENOMEM, "out of memory");
        int rc = compile_ident(c, d, vn, &ids[n_ids].expr, 0);
        if (rc) return rc;
        n_ids++;
    }
    if (!cond) {
        snprintf(c->err, sizeof c->err, "%s:%zu: the detection has no condition", c->path, sg_y_line(det));
        return SK_EFORMAT;
    }
    size_t nc = cond->type == YAML_SEQUENCE_NODE ? (size_t)(cond->data.sequence.items.top - cond->data.sequence.items.start) : 1;
    sg_expr *top = sk_arena_calloc(c->a, 1, sizeof *top);
    if (!top || !(top->kids = sk_arena_calloc(c->a, nc ? nc : 1, sizeof *top->kids))) return sk_error_set(SK_ENOMEM, "out of memory");
    top->type = SG_E_OR;
    for (size_t i = 0; i < nc; i++) {
        yaml_node_t *cn = cond->type == YAML_SEQUENCE_NODE ? sg_y_node(d, cond->data.sequence.items.start[i]) : cond;
        size_t cl;
        const char *cs = sg_y_str(cn, &cl);
        if (!cs) {
            snprintf(c->err, sizeof c->err, "%s:%zu: a condition must be a string", c->path, sg_y_line(cn ? cn : cond));
            return SK_EFORMAT;
        }
        char err[300];
        int rc = sg_condition_parse(cs, cl, ids, n_ids, c->a, &top->kids[i], err, sizeof err);
        if (rc) {
            snprintf(c->err, sizeof c->err, "%s:%zu: %s", c->path, sg_y_line(cn), err);
            return rc;
        }
        top->n_kids++;
    }
    *out = top->n_kids == 1 ? top->kids[0] : top;
    return 0;
}

static int str_list(sk_sigma_set *s, sg_doc *d, yaml_node_t *n, const char ***out, size_t *cnt)
{
    return sg_y_str_list(d, n, s->arena, 0, out, cnt, NULL);
}

static int64_t parse_timespan(const char *s)
{
    if (!s || !*s) return -1;
    int64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > 100000000) return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (!i || !s[i] || s[i + 1]) return -1;
    int64_t unit;
    switch (s[i]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    case 'M': unit = 30 * 86400; break;
    case 'y': unit = 365 * 86400; break;
    default: return -1;
    }
    return v * unit * 1000000000LL;
}

static int load_correlation(sk_sigma_loader *l, sg_rule *r, sg_doc *d, yaml_node_t *root, yaml_node_t *cn, char *err, size_t errsz)
{
#define VISIT(node)                                                       \
    do {                                                                  \
        if (sg_y_visit(d, (node))) {                                      \
            snprintf(err, errsz, "%s", sk_error_last());                  \
            return SK_ELIMIT;                                             \
        }                                                                 \
    } while (0)
    sk_sigma_set *s = l->set;
    sg_corr *c = sk_arena_calloc(s->arena, 1, sizeof *c);
    if (!c) return SK_ENOMEM;
    r->corr = c;
    if (cn->type != YAML_MAPPING_NODE) { snprintf(err, errsz, "%s:%zu: correlation must be a map", r->path, sg_y_line(cn)); return SK_EFORMAT; }
    const char *type = sg_y_str(sg_y_get(d, cn, "type"), NULL);
    static const char *const types[] = {"", "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"};
    for (int i = 1; i < 8 && type; i++)
        if (!strcmp(type, types[i])) c->type = i;
    if (!c->type) {
        snprintf(err, errsz, "%s:%zu: correlation type '%.40s' unknown (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile)",
                 r->path, sg_y_line(cn), type ? type : "");
        return SK_EFORMAT;
    }
    if (str_list(s, d, sg_y_get(d, cn, "rules"), &c->refs, &c->n_refs) || !c->n_refs) {
        snprintf(err, errsz, "%s:%zu: correlation needs rules: a list of rule ids or names", r->path, sg_y_line(cn));
        return SK_EFORMAT;
    }
    if (str_list(s, d, sg_y_get(d, cn, "group-by"), &c->group_by, &c->n_group)) {
        snprintf(err, errsz, "%s:%zu: group-by must be a list of field names", r->path, sg_y_line(cn));
        return SK_EFORMAT;
    }
    if (c->n_group > 8) { snprintf(err, errsz, "%s:%zu: group-by: at most 8 fields", r->path, sg_y_line(cn)); return SK_ELIMIT; }
    const char *ts = sg_y_str(sg_y_get(d, cn, "timespan"), NULL);
    if (!ts) ts = sg_y_str(sg_y_get(d, cn, "timeframe"), NULL);
    c->timespan_ns = parse_timespan(ts);
    if (c->timespan_ns <= 0) {
        snprintf(err, errsz, "%s:%zu: timespan '%.20s' is not a number and a unit (s, m, h, d)", r->path, sg_y_line(cn), ts ? ts : "");
        return SK_EFORMAT;
    }
    yaml_node_t *al = sg_y_get(d, cn, "aliases");
    if (al) {
        if (al->type != YAML_MAPPING_NODE) { snprintf(err, errsz, "%s:%zu: aliases must be a map", r->path, sg_y_line(al)); return SK_EFORMAT; }
        size_t k = (size_t)(al->data.mapping.pairs.top - al->data.mapping.pairs.start);
        c->aliases = sk_arena_calloc(s->arena, k + 1, sizeof *c->aliases);
        if (!c->aliases) return SK_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            yaml_node_pair_t *p = &al->data.mapping.pairs.start[i];
            yaml_node_t *an = sg_y_node(d, p->key), *am = sg_y_node(d, p->value);
            VISIT(am);
            sg_alias *a = &c->aliases[c->n_aliases++];
            a->name = scalar_dup(s, an);
            if (!a->name || !am || am->type != YAML_MAPPING_NODE) {
                snprintf(err, errsz, "%s:%zu: an alias maps rule names to field names", r->path, sg_y_line(an));
                return SK_EFORMAT;
            }
            size_t m = (size_t)(am->data.mapping.pairs.top - am->data.mapping.pairs.start);
            a->rule_refs = sk_arena_calloc(s->arena, m + 1, sizeof *a->rule_refs);
            a->fields = sk_arena_calloc(s->arena, m + 1, sizeof *a->fields);
            if (!a->rule_refs || !a->fields) return SK_ENOMEM;
            for (size_t j = 0; j < m; j++) {
                yaml_node_pair_t *q = &am->data.mapping.pairs.start[j];
                VISIT(sg_y_node(d, q->value));
                a->rule_refs[j] = scalar_dup(s, sg_y_node(d, q->key));
                a->fields[j] = scalar_dup(s, sg_y_node(d, q->value));
                if (!a->rule_refs[j] || !a->fields[j]) {
                    snprintf(err, errsz, "%s:%zu: an alias maps rule names to field names", r->path, sg_y_line(am));
                    return SK_EFORMAT;
                }
            }
            a->n = m;
        }
    }
    yaml_node_t *cond = sg_y_get(d, cn, "condition");
    int needs_cond = c->type != SG_CORR_TEMPORAL && c->type != SG_CORR_TEMPORAL_ORDERED;
    if (cond) {
        if (cond->type != YAML_MAPPING_NODE) { snprintf(err, errsz, "%s:%zu: condition must be a map (gte: 10)", r->path, sg_y_line(cond)); return SK_EFORMAT; }
        for (yaml_node_pair_t *p = cond->data.mapping.pairs.start; p < cond->data.mapping.pairs.top; p++) {
            const char *k = sg_y_str(sg_y_node(d, p->key), NULL);
            yaml_node_t *vn = sg_y_node(d, p->value);
            if (k && !strcmp(k, "field")) {
                if (vn && vn->type == YAML_SEQUENCE_NODE) {
                    size_t cnt;
                    const char **fl;
                    if (str_list(s, d, vn, &fl, &cnt) || cnt != 1) {
                        snprintf(err, errsz, "%s:%zu: condition field: several fields are not supported (chain correlations)", r->path, sg_y_line(vn));
                        return SK_EFORMAT;
                    }
                    c->field = fl[0];
                } else {
                    c->field = scalar_dup(s, vn);
                }
                continue;
            }
            int op = 0;
            if (k && !strcmp(k, "gt")) op = SG_GT;
            else if (k && !strcmp(k, "gte")) op = SG_GTE;
            else if (k && !strcmp(k, "lt")) op = SG_LT;
            else if (k && !strcmp(k, "lte")) op = SG_LTE;
            else if (k && !strcmp(k, "eq")) op = 100;
            else if (k && !strcmp(k, "neq")) op = 101;
            size_t vl;
            const char *vs = sg_y_str(vn, &vl);
            char tmp[64];
            char *end = NULL;
            double v = 0;
            if (vs && vl && vl < sizeof tmp) {
                memcpy(tmp, vs, vl);
                tmp[vl] = 0;
                v = strtod(tmp, &end);
            }
            if (!op || !end || *end || c->n_cmp == 2) {
                snprintf(err, errsz, "%s:%zu: correlation condition: '%.20s' is not gt, gte, lt, lte, eq, neq with a number, or field", r->path,
                         sg_y_line(vn), k ? k : "");
                return SK_EFORMAT;
            }
            c->cmp_op[c->n_cmp] = op;
            c->cmp_val[c->n_cmp++] = v;
        }
    }
    if (needs_cond && !c->n_cmp) { snprintf(err, errsz, "%s:%zu: a %s correlation needs a condition", r->path, sg_y_line(cn), types[c->type]); return SK_EFORMAT; }
    if (c->type >= SG_CORR_VALUE_SUM || c->type == SG_CORR_VALUE_COUNT) {
        if (!c->field) { snprintf(err, errsz, "%s:%zu: a %s correlation needs condition: field", r->path, sg_y_line(cn), types[c->type]); return SK_EFORMAT; }
    }
#undef VISIT
    yaml_node_t *gen = sg_y_get(d, root, "generate");
    if (!gen) gen = sg_y_get(d, cn, "generate");
    int b = 0;
    if (gen && sg_y_kind(gen, NULL, &b) == SG_Y_BOOL) c->generate = b;
    return 0;
}

static void load_meta(sk_sigma_set *s, sg_rule *r, sg_doc *d, yaml_node_t *root)
{
    r->id = scalar_dup(s, sg_y_get(d, root, "id"));
    r->title = scalar_dup(s, sg_y_get(d, root, "title"));
    r->name = scalar_dup(s, sg_y_get(d, root, "name"));
    r->status = scalar_dup(s, sg_y_get(d, root, "status"));
    size_t ll;
    const char *lv = sg_y_str(sg_y_get(d, root, "level"), &ll);
    if (lv) r->level = sk_sigma_level_from_name(lv, ll);
    str_list(s, d, sg_y_get(d, root, "tags"), &r->tags, &r->n_tags);
    yaml_node_t *ls = sg_y_get(d, root, "logsource");
    if (ls && ls->type == YAML_MAPPING_NODE) {
        r->product = scalar_dup(s, sg_y_get(d, ls, "product"));
        r->category = scalar_dup(s, sg_y_get(d, ls, "category"));
        r->service = scalar_dup(s, sg_y_get(d, ls, "service"));
    }
}

static int load_doc(sk_sigma_loader *l, sg_rule *r, sg_doc *d)
{
    sk_sigma_set *s = l->set;
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    r->line = sg_y_line(root);
    if (!root || root->type != YAML_MAPPING_NODE) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s:%zu: a rule must be a YAML map", r->path, r->line);
        refuse(r, s, msg);
        return 0;
    }
    load_meta(s, r, d, root);
    yaml_node_t *det = sg_y_get(d, root, "detection"), *corr = sg_y_get(d, root, "correlation"), *filt = sg_y_get(d, root, "filter");
    sg_cctx c = {.a = s->arena, .set = s, .path = r->path, .placeholders = l->placeholders};
    int rc = 0;
    if (!r->title) {
        snprintf(c.err, sizeof c.err, "%s:%zu: a rule needs a title", r->path, r->line);
        rc = SK_EFORMAT;
    } else if (!!det + !!corr + !!filt != 1) {
        snprintf(c.err, sizeof c.err, "%s:%zu: a rule has exactly one of detection, correlation or filter", r->path, r->line);
        rc = SK_EFORMAT;
    } else if (corr) {
        r->kind = SK_SIGMA_CORRELATION;
        rc = load_correlation(l, r, d, root, corr, c.err, sizeof c.err);
    } else {
        r->kind = det ? SK_SIGMA_DETECTION : SK_SIGMA_FILTER;
        if (!r->product && !r->category && !r->service) {
            snprintf(c.err, sizeof c.err, "%s:%zu: a rule needs a logsource with product, category or service", r->path, r->line);
            rc = SK_EFORMAT;
        } else {
            rc = compile_detection(&c, d, det ? det : filt, det ? NULL : "rules", &r->cond);
        }
        if (!rc) {
            r->fields = c.fields;
            r->n_fields = c.n_fields;
        }
        if (!rc && filt) {
            const char **refs;
            size_t n_refs;
            if (str_list(s, d, sg_y_get(d, filt, "rules"), &refs, &n_refs) || !n_refs) {
                snprintf(c.err, sizeof c.err, "%s:%zu: a filter needs rules: the ids of the rules it applies to", r->path, sg_y_line(filt));
                rc = SK_EFORMAT;
            } else {
                if (l->n_filters == l->cap_filters) {
                    size_t cap = l->cap_filters ? l->cap_filters * 2 : 16;
                    void *nf = realloc(l->filters, cap * sizeof *l->filters);
                    if (!nf) return sk_error_set(SK_ENOMEM, "out of memory");
                    l->filters = nf;
                    l->cap_filters = cap;
                }
                struct pending_filter *pf = &l->filters[l->n_filters++];
                pf->rule = (size_t)(r - s->rules);
                pf->cond = r->cond;
                pf->fields = r->fields;
                pf->n_fields = r->n_fields;
                pf->refs = refs;
                pf->n_refs = n_refs;
            }
        }
    }
    if (rc == SK_ENOMEM) return rc;
    if (rc) refuse(r, s, c.err[0] ? c.err : sk_error_last());
    return 0;
}

int sk_sigma_loader_add(sk_sigma_loader *l, const char *path, const char *data, size_t n, const char *sha256)
{
    sk_sigma_set *s = l->set;
    char hex[65];
    if (!sha256) {
        uint8_t dg[32];
        sk_sha256(data, n, dg);
        for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", dg[i]);
        sha256 = hex;
    }
    const char *p = adup(s, path, strlen(path));
    const char *h = adup(s, sha256, strlen(sha256));
    if (!p || !h) return sk_error_set(SK_ENOMEM, "out of memory");
    if (n > SG_MAX_RULE_BYTES) {
        sg_rule *r = new_rule(l);
        if (!r) return sk_error_set(SK_ENOMEM, "out of memory");
        r->path = p;
        r->sha256 = h;
        r->line = 1;
        char msg[300];
        snprintf(msg, sizeof msg, "%s: larger than %zu bytes: not a rule file", path, SG_MAX_RULE_BYTES);
        refuse(r, s, msg);
        return 0;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return sk_error_set(SK_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
    int rc = 0;
    for (int docs = 0;; docs++) {
        sg_doc d = {.path = p};
        if (!yaml_parser_load(&parser, &d.doc)) {
            sg_rule *r = new_rule(l);
            if (!r) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            r->path = p;
            r->sha256 = h;
            r->line = parser.problem_mark.line + 1;
            char msg[400];
            snprintf(msg, sizeof msg, "%s:%zu: YAML: %s%s%s", path, parser.problem_mark.line + 1, parser.problem ? parser.problem : "error",
                     parser.context ? " " : "", parser.context ? parser.context : "");
            refuse(r, s, msg);
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&d.doc);
        if (!root) { yaml_document_delete(&d.doc); break; } /* the end of the stream */
        if (docs >= 10000) {
            yaml_document_delete(&d.doc);
            sg_rule *r = new_rule(l);
            if (!r) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            r->path = p;
            r->sha256 = h;
            r->line = parser.mark.line + 1;
            char msg[300];
            snprintf(msg, sizeof msg, "%s:%zu: more than 10000 YAML documents in one file: the rest is not loaded", path, r->line);
            refuse(r, s, msg);
            break;
        }
        sg_rule *r = new_rule(l);
        if (!r) { yaml_document_delete(&d.doc); rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
        r->path = p;
        r->sha256 = h;
        rc = load_doc(l, r, &d);
        yaml_document_delete(&d.doc);
        if (rc) break;
    }
    yaml_parser_delete(&parser);
    return rc;
}
