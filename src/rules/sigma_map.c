/*
 * sigma_map.c - the log-source mapping (docs/sigma-logsources.md): which concrete events
 * serve each abstract Sigma log source (product, category, service), under which field
 * names, and which fields each source can supply at all. Parsed from the built-in
 * config/sigma-logsources.yml or a file the user gives; a bad entry is an error naming
 * its line (the mapping is configuration, not evidence: it must be right).
 *
 * Also the System members of the event model that rules name directly (EventID,
 * Channel, Provider_Name, the Execution_/Security_ spellings of the Sigma convention).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sakimori/common.h>

#include "sigma_int.h"

/* 1: a System member only; 2: an event-data field of that name first, else the System
 * member (Level, Version, Keywords... are also EventData names in some providers). */
static const struct sysname {
    const char *name, *canon;
    int how;
} sysnames[] = {
    {"EventID", "EventID", 1},
    {"Channel", "Channel", 1},
    {"Computer", "Computer", 1},
    {"Provider_Name", "Provider_Name", 1},
    {"Provider_Guid", "Provider_Guid", 1},
    {"Provider_EventSourceName", "EventSourceName", 1},
    {"EventRecordID", "EventRecordID", 1},
    {"Execution_ProcessID", "ProcessID", 1},
    {"Execution_ThreadID", "ThreadID", 1},
    {"Security_UserID", "UserID", 1},
    {"TimeCreated_SystemTime", "TimeCreated", 1},
    {"Correlation_ActivityID", "ActivityID", 1},
    {"Correlation_RelatedActivityID", "RelatedActivityID", 1},
    {"Level", "Level", 2},
    {"Task", "Task", 2},
    {"Opcode", "Opcode", 2},
    {"Version", "Version", 2},
    {"Qualifiers", "Qualifiers", 2},
    {"Keywords", "Keywords", 2},
    {"EventSourceName", "EventSourceName", 2},
};

int sg_is_system_field(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof sysnames / sizeof sysnames[0]; i++)
        if (strlen(sysnames[i].name) == n && !memcmp(sysnames[i].name, name, n)) return sysnames[i].how;
    return 0;
}

const char *sg_system_canon(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof sysnames / sizeof sysnames[0]; i++)
        if (strlen(sysnames[i].name) == n && !memcmp(sysnames[i].name, name, n)) return sysnames[i].canon;
    return NULL;
}

static int ci_eq(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

int sg_source_serves(const sg_source *s, const char *product, const char *category, const char *service)
{
    if (!product && !category && !service) return 0;
    if (product && !ci_eq(product, s->product)) return 0;
    if (category && !ci_eq(category, s->category)) return 0;
    if (service && !ci_eq(service, s->service)) return 0;
    return 1;
}

const char *sg_source_rename(const sg_source *s, const char *field)
{
    for (size_t i = 0; i < s->n_renames; i++)
        if (!strcmp(s->renames[i].from, field)) return s->renames[i].to;
    return field;
}

int sg_source_supplies(const sg_source *s, const char *field)
{
    if (!s->has_supplies) return 1;
    for (size_t i = 0; i < s->n_supplies; i++)
        if (!strcmp(s->supplies[i], field)) return 1;
    return 0;
}

/* ---- loading ---- */

typedef struct ml {
    sg_doc *d;
    sk_arena *a;
    const char *name;
} ml;

static int bad(ml *m, yaml_node_t *n, const char *what)
{
    return sk_error_set(SK_EFORMAT, "%s:%zu: %s", m->name, sg_y_line(n), what);
}

static char *dup_scalar(ml *m, yaml_node_t *n, int fold)
{
    size_t len;
    const char *s = sg_y_str(n, &len);
    if (!s) return NULL;
    char *r = sk_arena_strndup(m->a, s, len);
    if (r && fold)
        for (char *p = r; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    return r;
}

static int str_list(ml *m, yaml_node_t *n, int fold, const char ***out, size_t *count)
{
    yaml_node_t *badn;
    int rc = sg_y_str_list(m->d, n, m->a, fold, out, count, &badn);
    if (rc == SK_ENOMEM) return sk_error_set(SK_ENOMEM, "out of memory");
    if (rc) return bad(m, badn, rc == SK_ELIMIT ? "a list of more than 100000 strings" : "a list of strings expected");
    return 0;
}

static int load_source(ml *m, yaml_node_t *e, sg_source *s)
{
    if (!e || e->type != YAML_MAPPING_NODE) return bad(m, e, "a source must be a map");
    static const char *const known[] = {"id", "logsource", "reader", "events", "fields", "supplies", "note", NULL};
    for (yaml_node_pair_t *p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top; p++) {
        yaml_node_t *k = sg_y_node(m->d, p->key);
        size_t kl;
        const char *ks = sg_y_str(k, &kl);
        int ok = 0;
        for (size_t i = 0; ks && known[i]; i++)
            if (strlen(known[i]) == kl && !memcmp(known[i], ks, kl)) ok = 1;
        if (!ok) return bad(m, k ? k : e, "unknown member of a source");
    }
    yaml_node_t *id = sg_y_get(m->d, e, "id");
    if (!(s->id = dup_scalar(m, id, 0))) return bad(m, e, "a source needs an id");
    yaml_node_t *ls = sg_y_get(m->d, e, "logsource");
    if (!ls || ls->type != YAML_MAPPING_NODE) return bad(m, e, "a source needs a logsource map");
    s->product = dup_scalar(m, sg_y_get(m->d, ls, "product"), 0);
    s->category = dup_scalar(m, sg_y_get(m->d, ls, "category"), 0);
    s->service = dup_scalar(m, sg_y_get(m->d, ls, "service"), 0);
    if (!s->product && !s->category && !s->service) return bad(m, ls, "a logsource needs product, category or service");
    yaml_node_t *rd = sg_y_get(m->d, e, "reader");
    const char *r = rd ? sg_y_str(rd, NULL) : "evtx";
    if (!r) return bad(m, rd, "reader must be a string");
    static const struct { const char *n; unsigned bit; } readers[] = {
        {"evtx", SK_SIGMA_READER_EVTX}, {"proxy", SK_SIGMA_READER_PROXY}, {"webserver", SK_SIGMA_READER_WEBSERVER},
        {"dns", SK_SIGMA_READER_DNS}, {"firewall", SK_SIGMA_READER_FIREWALL}, {"zeek", SK_SIGMA_READER_ZEEK}};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (!strcmp(readers[i].n, r)) { s->reader = readers[i].bit; s->reader_name = readers[i].n; }
    if (!s->reader) return bad(m, rd, "unknown reader (evtx, proxy, webserver, dns, firewall, zeek)");
    yaml_node_t *ev = sg_y_get(m->d, e, "events");
    if (ev) {
        if (ev->type != YAML_MAPPING_NODE) return bad(m, ev, "events must be a map");
        int rc;
        if ((rc = str_list(m, sg_y_get(m->d, ev, "channel"), 1, &s->channels, &s->n_channels))) return rc;
        if ((rc = str_list(m, sg_y_get(m->d, ev, "provider"), 1, &s->providers, &s->n_providers))) return rc;
        yaml_node_t *dc = sg_y_get(m->d, ev, "data");
        if (dc) {
            if (dc->type != YAML_MAPPING_NODE) return bad(m, dc, "events: data must be a map of field -> values");
            size_t k = (size_t)(dc->data.mapping.pairs.top - dc->data.mapping.pairs.start);
            s->data = sk_arena_calloc(m->a, k + 1, sizeof *s->data);
            if (!s->data) return sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t i = 0; i < k; i++) {
                yaml_node_pair_t *p = &dc->data.mapping.pairs.start[i];
                yaml_node_t *kn = sg_y_node(m->d, p->key);
                sg_datacond *d = &s->data[i];
                if (!(d->field = dup_scalar(m, kn, 0))) return bad(m, kn ? kn : dc, "events: data: a field name expected");
                d->n = strlen(d->field);
                d->hash = sk_event_name_hash(d->field, d->n);
                rc = str_list(m, sg_y_node(m->d, p->value), 1, &d->values, &d->n_values);
                if (rc) return rc;
                if (!d->n_values) return bad(m, kn, "events: data: a list of values expected");
            }
            s->n_data = k;
        }
        static const char *const evkeys[] = {"channel", "provider", "event_id", "data", NULL};
        for (yaml_node_pair_t *p = ev->data.mapping.pairs.start; p < ev->data.mapping.pairs.top; p++) {
            size_t kl;
            const char *ks = sg_y_str(sg_y_node(m->d, p->key), &kl);
            int ok = 0;
            for (size_t i = 0; ks && evkeys[i]; i++) ok |= strlen(evkeys[i]) == kl && !memcmp(evkeys[i], ks, kl);
            if (!ok) return bad(m, sg_y_node(m->d, p->key), "events: unknown member (channel, provider, event_id, data)");
        }
        yaml_node_t *ids = sg_y_get(m->d, ev, "event_id");
        if (ids) {
            yaml_node_t *one[1] = {ids};
            yaml_node_t **items = one;
            size_t k = 1;
            if (ids->type == YAML_SEQUENCE_NODE) {
                k = (size_t)(ids->data.sequence.items.top - ids->data.sequence.items.start);
                items = NULL;
            }
            s->eids = sk_arena_calloc(m->a, k + 1, sizeof *s->eids);
            if (!s->eids) return sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t i = 0; i < k; i++) {
                yaml_node_t *it = items ? items[i] : sg_y_node(m->d, ids->data.sequence.items.start[i]);
                int64_t v;
                if (sg_y_kind(it, &v, NULL) != SG_Y_INT || v < 0 || v > 65535) return bad(m, it ? it : ids, "an event id is an integer 0-65535");
                s->eids[i] = (uint16_t)v;
            }
            s->n_eids = k;
        }
    }
    yaml_node_t *f = sg_y_get(m->d, e, "fields");
    if (f) {
        if (f->type != YAML_MAPPING_NODE) return bad(m, f, "fields must be a map of renames");
        size_t k = (size_t)(f->data.mapping.pairs.top - f->data.mapping.pairs.start);
        s->renames = sk_arena_calloc(m->a, k + 1, sizeof *s->renames);
        if (!s->renames) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; i < k; i++) {
            yaml_node_pair_t *p = &f->data.mapping.pairs.start[i];
            yaml_node_t *kn = sg_y_node(m->d, p->key), *vn = sg_y_node(m->d, p->value);
            s->renames[i].from = dup_scalar(m, kn, 0);
            s->renames[i].to = dup_scalar(m, vn, 0);
            if (!s->renames[i].from || !s->renames[i].to) return bad(m, kn ? kn : f, "a rename maps a field name to a field name");
        }
        s->n_renames = k;
    }
    yaml_node_t *sup = sg_y_get(m->d, e, "supplies");
    if (sup) {
        int rc = str_list(m, sup, 0, &s->supplies, &s->n_supplies);
        if (rc) return rc;
        s->has_supplies = 1;
    }
    return 0;
}

int sg_mapping_load(sg_mapping *map, const char *data, size_t n, const char *name, sk_arena *a)
{
    memset(map, 0, sizeof *map);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return sk_error_set(SK_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
    sg_doc d = {.path = name};
    int rc = 0;
    if (!yaml_parser_load(&parser, &d.doc)) {
        rc = sk_error_set(SK_EFORMAT, "%s:%zu: %s", name, parser.problem_mark.line + 1, parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return rc;
    }
    ml m = {.d = &d, .a = a, .name = name};
    yaml_node_t *root = yaml_document_get_root_node(&d.doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        rc = sk_error_set(SK_EFORMAT, "%s:1: the mapping must be a YAML map with version and sources", name);
        goto out;
    }
    int64_t ver = 0;
    yaml_node_t *vn = sg_y_get(&d, root, "version");
    if (sg_y_kind(vn, &ver, NULL) != SG_Y_INT || ver != 1) {
        rc = bad(&m, vn ? vn : root, "version: 1 expected");
        goto out;
    }
    yaml_node_t *srcs = sg_y_get(&d, root, "sources");
    if (!srcs || srcs->type != YAML_SEQUENCE_NODE) {
        rc = bad(&m, srcs ? srcs : root, "sources: a list expected");
        goto out;
    }
    size_t k = (size_t)(srcs->data.sequence.items.top - srcs->data.sequence.items.start);
    map->src = sk_arena_calloc(a, k + 1, sizeof *map->src);
    if (!map->src) { rc = sk_error_set(SK_ENOMEM, "out of memory"); goto out; }
    for (size_t i = 0; i < k && !rc; i++) {
        yaml_node_t *e = sg_y_node(&d, srcs->data.sequence.items.start[i]);
        rc = load_source(&m, e, &map->src[i]);
        for (size_t j = 0; !rc && j < i; j++)
            if (!strcmp(map->src[j].id, map->src[i].id)) rc = bad(&m, e, "a source id is used twice");
    }
    map->n = rc ? 0 : k;
out:
    yaml_document_delete(&d.doc);
    yaml_parser_delete(&parser);
    return rc;
}
