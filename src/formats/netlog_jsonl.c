/*
 * netlog_jsonl.c - generic JSON lines: one object a line, read through the field map
 * (netlog_map.c): for each record field the user's member path, else the built-in ECS
 * and common names (source.ip, destination.port, url.full, http.request.method,
 * @timestamp, event.action, ...). A path is dotted: "source.ip" is the member
 * "source.ip" of the object, or "ip" of its member "source" (flattened and nested
 * shippers both). Strings and numbers are read; other types count as absent. A time is
 * ISO 8601 (a zone in it applied, else the options' zone) or epoch seconds (or ms, us,
 * ns by its digits). The kind is the map's, else "json". Zeek's JSON is its own format.
 */
#define _GNU_SOURCE
#include <string.h>

#include <sakimori/json.h>

#include "netlog_int.h"

int nl_jsonl_detect(const char *l, size_t n)
{
    /* a member the built-in map reads */
    static const char *const keys[] = {"\"source\"",    "\"destination\"", "\"source.ip\"", "\"destination.ip\"", "\"src_ip\"",
                                       "\"dst_ip\"",    "\"client\"",      "\"server\"",    "\"url\"",            "\"url.full\"",
                                       "\"srcip\"",     "\"dstip\"",       NULL};
    for (size_t i = 0; keys[i]; i++)
        if (memmem(l, n, keys[i], strlen(keys[i]))) return 1;
    return 0;
}

/* the member at a dotted path: the whole rest as one key first, then split at each dot */
static const sk_json_value *at_path(const sk_json_value *o, const char *p, size_t pn, int depth)
{
    if (sk_json_type_of(o) != SK_JSON_OBJECT || depth > 16) return NULL;
    size_t m = sk_json_length(o);
    for (size_t i = 0; i < m; i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(o, i, &kl);
        if (kl == pn && !memcmp(k, p, pn)) return sk_json_object_value_at(o, i);
    }
    for (size_t d = 0; d < pn; d++) {
        if (p[d] != '.') continue;
        for (size_t i = 0; i < m; i++) {
            size_t kl;
            const char *k = sk_json_object_key_at(o, i, &kl);
            if (kl == d && !memcmp(k, p, d)) {
                const sk_json_value *v = at_path(sk_json_object_value_at(o, i), p + d + 1, pn - d - 1, depth + 1);
                if (v) return v;
            }
        }
    }
    return NULL;
}

/* every scalar member as a column, nested objects' under dotted names (arrays' scalars
 * joined by commas) */
static int json_cols(sk_netlog_reader *r, const sk_json_value *o, char *path, size_t pn, int depth)
{
    size_t m = sk_json_length(o);
    for (size_t i = 0; i < m; i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(o, i, &kl);
        const sk_json_value *v = sk_json_object_value_at(o, i);
        size_t np = pn + (pn ? 1 : 0) + kl;
        if (np >= 256) continue;
        if (pn) path[pn] = '.';
        memcpy(path + pn + (pn ? 1 : 0), k, kl);
        sk_json_type t = sk_json_type_of(v);
        size_t vl = 0;
        const char *vs = NULL;
        if (t == SK_JSON_STRING) vs = sk_json_string(v, &vl);
        else if (t == SK_JSON_NUMBER) vs = sk_json_number_text(v, &vl);
        else if (t == SK_JSON_TRUE) vs = "true", vl = 4;
        else if (t == SK_JSON_FALSE) vs = "false", vl = 5;
        if (vs) {
            if (nl_col_add(r, path, np, vs, vl)) return SK_ENOMEM;
        } else if (t == SK_JSON_OBJECT && depth < 8) {
            if (json_cols(r, v, path, np, depth + 1)) return SK_ENOMEM;
        } else if (t == SK_JSON_ARRAY) {
            size_t before = r->cols.n, w = 0;
            if (nl_col_add(r, path, np, NULL, 0)) return SK_ENOMEM;
            for (size_t a = 0; a < sk_json_length(v) && r->cols.n > before; a++) {
                const sk_json_value *it = sk_json_array_at(v, a);
                size_t il = 0;
                const char *is = sk_json_type_of(it) == SK_JSON_STRING ? sk_json_string(it, &il)
                                 : sk_json_type_of(it) == SK_JSON_NUMBER ? sk_json_number_text(it, &il) : NULL;
                if (!is) continue;
                if ((w++ && nl_col_append(r, ",", 1)) || nl_col_append(r, is, il)) return SK_ENOMEM;
            }
        }
    }
    return 0;
}

int nl_jsonl_line(sk_netlog_reader *r, char *s, size_t n)
{
    sk_json_doc *doc;
    const sk_json_value *o;
    if (!nl_json_object_line(r, s, n, "where an object was expected", &doc, &o)) return 0;
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, r->map.kind[0] ? r->map.kind : "json");
    sk_buf_reset(&r->scratch);
    if (sk_buf_reserve(&r->scratch, n + 64)) {
        sk_json_doc_free(doc);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    char path[256];
    if (nl_want_cols(r) && json_cols(r, o, path, 0, 0)) {
        sk_json_doc_free(doc);
        return SK_ENOMEM;
    }
    char mac[18];
    const char *tsv = NULL;
    size_t tsn = 0;
    int rc = 0;
    for (int f = 0; f < NL_F_COUNT && !rc; f++) {
        if (f == NL_F_DATE || f == NL_F_TIME) continue; /* JSON times are one member */
        const char *p;
        const sk_json_value *v = NULL;
        for (size_t i = 0; !v && (p = nl_map_json_path(&r->map, f, i)) != NULL; i++) {
            const sk_json_value *c = at_path(o, p, strlen(p), 0);
            if (c && (sk_json_type_of(c) == SK_JSON_STRING || sk_json_type_of(c) == SK_JSON_NUMBER)) v = c;
        }
        if (!v) continue;
        size_t vl;
        const char *vs = sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &vl) : sk_json_number_text(v, &vl);
        if (!vs || !vl) continue;
        /* a copy the setters may change (host in lower case): strings live until the callback returns */
        size_t off = r->scratch.len;
        if (off + vl + 1 > r->scratch.cap) continue; /* the same member for several fields: past the room kept */
        if (sk_buf_append(&r->scratch, vs, vl) || sk_buf_putc(&r->scratch, 0)) { rc = SK_ENOMEM; break; }
        char *cv = r->scratch.data + off;
        if (memchr(cv, 0, vl)) continue; /* "\u0000" inside: not a value this reader takes */
        if (f == NL_F_TS) {
            tsv = cv, tsn = vl;
            continue;
        }
        if (nl_map_set(&rec, f, cv, vl, mac)) {
            nl_error(r, r->lineno, "%s '%.*s' does not read", p ? p : nl_fld_name(f), (int)(vl > 60 ? 60 : vl), cv);
            sk_json_doc_free(doc);
            return 0;
        }
    }
    sk_json_doc_free(doc);
    if (rc) return sk_error_set(SK_ENOMEM, "out of memory");
    if (!tsv) {
        nl_error(r, r->lineno, "no time (@timestamp, or the member the map names for ts)");
        return 0;
    }
    if (nl_datetime(r, tsv, tsn, &rec.ts, &rec.ts_quality)) {
        nl_error(r, r->lineno, "the time '%.*s' does not read", (int)(tsn > 60 ? 60 : tsn), tsv);
        return 0;
    }
    nl_map_outcome(&rec);
    return nl_emit(r, &rec);
}
