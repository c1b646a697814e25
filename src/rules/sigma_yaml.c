/*
 * sigma_yaml.c - access to the YAML documents of rule and mapping files (libyaml's
 * document API): nodes by id, map lookups, scalars typed as PyYAML types them (which
 * is what SigmaHQ's tools read rules with), lines for messages, and a visit budget.
 *
 * libyaml composes an alias as a reference to its anchor's node, so a "billion laughs"
 * document costs only its own size to load; what it would cost to expand is bounded
 * here instead: every walk counts the nodes it visits against SG_MAX_NODES per
 * document, so a bomb gets a one-line error rather than all the memory.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>

#include "sigma_int.h"

yaml_node_t *sg_y_node(sg_doc *d, int id)
{
    return yaml_document_get_node(&d->doc, id);
}

int sg_y_visit(sg_doc *d, yaml_node_t *n)
{
    if (++d->visits > SG_MAX_NODES)
        return sk_error_set(SK_ELIMIT, "%s:%zu: more than %d YAML nodes to visit (aliases expanding without bound?)",
                            d->path, n ? sg_y_line(n) : 0, SG_MAX_NODES);
    return 0;
}

size_t sg_y_line(yaml_node_t *n)
{
    return n ? n->start_mark.line + 1 : 0;
}

const char *sg_y_str(yaml_node_t *n, size_t *len)
{
    if (!n || n->type != YAML_SCALAR_NODE) return NULL;
    if (len) *len = n->data.scalar.length;
    return (const char *)n->data.scalar.value;
}

yaml_node_t *sg_y_get(sg_doc *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE) return NULL;
    size_t kl = strlen(key);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = sg_y_node(d, p->key);
        size_t n;
        const char *s = sg_y_str(k, &n);
        if (s && n == kl && !memcmp(s, key, kl)) return sg_y_node(d, p->value);
    }
    return NULL;
}

static int eq_any(const char *s, size_t n, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == n && !memcmp(s, *names, n)) return 1;
    return 0;
}

/* YAML 1.1 as PyYAML's SafeLoader resolves plain scalars. Integers: decimal (with
 * sign and '_' separators) only; 0x.. and 0o.. stay strings so that they compare with
 * the text Windows writes (docs/sigma.md). */
int sg_y_kind(yaml_node_t *n, int64_t *ival, int *bval)
{
    if (!n) return SG_Y_NULL;
    if (n->type != YAML_SCALAR_NODE) return 0;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return SG_Y_STRING;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
    if (eq_any(s, len, nulls)) return SG_Y_NULL;
    if (eq_any(s, len, trues)) { if (bval) *bval = 1; return SG_Y_BOOL; }
    if (eq_any(s, len, falses)) { if (bval) *bval = 0; return SG_Y_BOOL; }
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i < len && s[i] >= '0' && s[i] <= '9' && !(s[i] == '0' && i + 1 < len)) {
        uint64_t v = 0;
        int digits = 0, ok = 1;
        for (; i < len; i++) {
            if (s[i] == '_') continue;
            if (s[i] < '0' || s[i] > '9') { ok = 0; break; }
            if (v > (UINT64_MAX - 9) / 10) { ok = 0; break; }
            v = v * 10 + (uint64_t)(s[i] - '0');
            digits++;
        }
        if (ok && digits && v <= (uint64_t)INT64_MAX) {
            if (ival) *ival = neg ? -(int64_t)v : (int64_t)v;
            return SG_Y_INT;
        }
    }
    if (len == 1 && s[0] == '0') { if (ival) *ival = 0; return SG_Y_INT; }
    return SG_Y_STRING;
}

int sg_y_str_list(sg_doc *d, yaml_node_t *n, sk_arena *a, int fold, const char ***out, size_t *count, yaml_node_t **bad)
{
    *out = NULL;
    *count = 0;
    if (bad) *bad = n;
    if (!n) return 0;
    yaml_node_t *one[1] = {n};
    size_t k = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (k > 100000) return SK_ELIMIT;
    } else if (n->type != YAML_SCALAR_NODE) {
        return SK_EFORMAT;
    }
    const char **l = sk_arena_calloc(a, k + 1, sizeof *l);
    if (!l) return SK_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *it = n->type == YAML_SEQUENCE_NODE ? sg_y_node(d, n->data.sequence.items.start[i]) : one[0];
        size_t len;
        const char *v = sg_y_str(it, &len);
        if (!v) {
            if (bad) *bad = it ? it : n;
            return SK_EFORMAT;
        }
        char *c = sk_arena_strndup(a, v, len);
        if (!c) return SK_ENOMEM;
        for (char *q = c; fold && *q; q++)
            if (*q >= 'A' && *q <= 'Z') *q = (char)(*q + 32);
        l[i] = c;
    }
    *out = l;
    *count = k;
    return 0;
}
