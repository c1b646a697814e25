/*
 * inventory_read.c - one line of a snapshot, a listing or the catalogue into the flat
 * structs of inventory_read.h. The line is parsed into a JSON tree (bounded by the
 * line's size), its `type` tells what it is (none: a catalogue record), and each member
 * the hunt uses is checked for its type and form: digests must be hex of their length,
 * times ISO 8601 with a zone, modes octal. Members this reader does not use are left
 * alone, so a newer collector's additions do not break an older reader; a wrong
 * schema version does. The strings returned live in the tree until the next line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/inventory_read.h>
#include <sakimori/json.h>
#include <sakimori/utf.h>

#define INV_MAX_LINE ((size_t)64 << 20)

struct sk_inv_parser {
    sk_json_doc *doc;
    uint64_t lineno;
    int slow_only;          /* tests: every line through the tree */
    sk_buf fast;            /* the fast path's decoded strings */
    uint64_t fast_lines;
};

int sk_inv_parser_new(sk_inv_parser **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : sk_error_set(SK_ENOMEM, "out of memory");
}

void sk_inv_parser_free(sk_inv_parser *p)
{
    if (!p) return;
    sk_json_doc_free(p->doc);
    sk_buf_free(&p->fast);
    free(p);
}

void sk_inv_parser_slow_only(sk_inv_parser *p, int on)
{
    p->slow_only = on;
}

uint64_t sk_inv_parser_fast_lines(const sk_inv_parser *p)
{
    return p->fast_lines;
}

const struct sk_json_value *sk_inv_parser_json(const sk_inv_parser *p)
{
    return p->doc ? sk_json_doc_root(p->doc) : NULL;
}

int sk_inv_kind_parse(const char *s)
{
    static const char *const k[] = {"pe", "elf", "macho", "script", "document", "other"};
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, k[i])) return i;
    return -1;
}

const char *sk_inv_sig_name(sk_inv_sig s)
{
    static const char *const n[] = {NULL, "no_embedded_signature", "digest_matches", "digest_mismatch", "malformed", "catalog", "unsigned"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : NULL;
}

/* a member's problem, with the line and the key */
static int bad(const sk_inv_parser *p, const char *key, const char *what)
{
    return sk_error_set(SK_EFORMAT, "line %llu: key '%s': %s", (unsigned long long)p->lineno, key, what);
}

/* a string member: 0 and *s (NULL when absent); an error when not a string */
static int get_str(const sk_inv_parser *p, const sk_json_value *o, const char *key, const char **s)
{
    *s = NULL;
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) == SK_JSON_NULL) return 0;
    if (sk_json_type_of(v) != SK_JSON_STRING) return bad(p, key, "not a string");
    *s = sk_json_string(v, NULL);
    return 0;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* a digest member of n bytes (2n hex digits); *have 0 when absent */
static int get_hex(const sk_inv_parser *p, const sk_json_value *o, const char *key, uint8_t *out, size_t n, int *have)
{
    *have = 0;
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) == SK_JSON_NULL) return 0;
    size_t len;
    const char *s = sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &len) : NULL;
    if (!s || len != 2 * n) {
        char what[48];
        snprintf(what, sizeof what, "not %zu hex digits", 2 * n);
        return bad(p, key, what);
    }
    for (size_t i = 0; i < n; i++) {
        int a = hexval((unsigned char)s[2 * i]), b = hexval((unsigned char)s[2 * i + 1]);
        if (a < 0 || b < 0) {
            char what[48];
            snprintf(what, sizeof what, "not %zu hex digits", 2 * n);
            return bad(p, key, what);
        }
        out[i] = (uint8_t)(a << 4 | b);
    }
    *have = 1;
    return 0;
}

static int get_u64(const sk_inv_parser *p, const sk_json_value *o, const char *key, uint64_t *out, int *have)
{
    if (have) *have = 0;
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) == SK_JSON_NULL) return 0;
    int64_t x;
    if (sk_json_type_of(v) != SK_JSON_NUMBER || sk_json_int64(v, &x) || x < 0) return bad(p, key, "not a non-negative integer");
    *out = (uint64_t)x;
    if (have) *have = 1;
    return 0;
}

static int get_time(const sk_inv_parser *p, const sk_json_value *o, const char *key, sk_time *out)
{
    *out = SK_TIME_NONE;
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) == SK_JSON_NULL) return 0;
    size_t len;
    const char *s = sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &len) : NULL;
    sk_stamp st;
    if (!s || sk_time_parse_iso8601(s, len, NULL, &st) || !(st.quality & (SK_TQ_UTC | SK_TQ_OFFSET))) return bad(p, key, "not an ISO 8601 time with a zone");
    *out = st.utc;
    return 0;
}

static int get_bool(const sk_inv_parser *p, const sk_json_value *o, const char *key, int *out)
{
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v) return 0;
    sk_json_type t = sk_json_type_of(v);
    if (t != SK_JSON_TRUE && t != SK_JSON_FALSE) return bad(p, key, "not true or false");
    *out = t == SK_JSON_TRUE;
    return 0;
}

/* an array of strings, the first SK_INV_MAX_LIST kept */
static int get_strs(const sk_inv_parser *p, const sk_json_value *o, const char *key, const char **out, size_t *n, int *have)
{
    *n = 0;
    if (have) *have = 0;
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) == SK_JSON_NULL) return 0;
    if (sk_json_type_of(v) != SK_JSON_ARRAY) return bad(p, key, "not an array");
    if (have) *have = 1;
    for (size_t i = 0; i < sk_json_length(v); i++) {
        const sk_json_value *e = sk_json_array_at(v, i);
        if (sk_json_type_of(e) != SK_JSON_STRING) return bad(p, key, "an element is not a string");
        if (*n < SK_INV_MAX_LIST) out[(*n)++] = sk_json_string(e, NULL);
    }
    return 0;
}

static int get_mode(const sk_inv_parser *p, const sk_json_value *o, uint32_t *mode, int *have)
{
    *have = 0;
    const char *s;
    if (get_str(p, o, "mode", &s)) return SK_EFORMAT;
    if (!s) return 0;
    size_t n = strlen(s);
    if (!n || n > 6) return bad(p, "mode", "not an octal mode");
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '7') return bad(p, "mode", "not an octal mode");
        m = m * 8 + (uint32_t)(s[i] - '0');
    }
    *mode = m & 07777;
    *have = 1;
    return 0;
}

/* the content members (catalogue record, or a file line's) */
static int read_content(const sk_inv_parser *p, const sk_json_value *o, sk_inv_content *c)
{
    if (get_hex(p, o, "sha256", c->sha256, 32, &c->have_sha256) || get_hex(p, o, "sha1", c->sha1, 20, &c->have_sha1) ||
        get_hex(p, o, "md5", c->md5, 16, &c->have_md5) || get_u64(p, o, "size", &c->size, &c->have_size))
        return SK_EFORMAT;
    const char *kind;
    if (get_str(p, o, "kind", &kind)) return SK_EFORMAT;
    c->kind = SK_KIND_OTHER;
    if (kind) {
        int k = sk_inv_kind_parse(kind);
        if (k < 0) return bad(p, "kind", "not pe, elf, macho, script, document or other");
        c->kind = (sk_file_kind)k;
    }
    /* the top-level VERSIONINFO strings (the primary table, as the collector writes) */
    if (get_str(p, o, "OriginalFilename", &c->original_filename) || get_str(p, o, "InternalName", &c->internal_name) ||
        get_str(p, o, "FileDescription", &c->file_description) || get_str(p, o, "ProductName", &c->product_name) ||
        get_str(p, o, "CompanyName", &c->company_name) || get_str(p, o, "FileVersion", &c->file_version))
        return SK_EFORMAT;
    const sk_json_value *pe = sk_json_object_get(o, "pe");
    if (pe && sk_json_type_of(pe) != SK_JSON_NULL) {
        if (sk_json_type_of(pe) != SK_JSON_OBJECT) return bad(p, "pe", "not an object");
        c->pe = 1;
        if (get_bool(p, pe, "dll", &c->dll) || get_str(p, pe, "subsystem", &c->subsystem)) return SK_EFORMAT;
        const char *imp;
        if (get_str(p, pe, "imphash", &imp)) return SK_EFORMAT;
        if (imp) {
            size_t n = strlen(imp);
            int ok = n == 32;
            for (size_t i = 0; ok && i < n; i++) ok = hexval((unsigned char)imp[i]) >= 0;
            if (!ok) return bad(p, "pe.imphash", "not 32 hex digits");
            for (size_t i = 0; i < n; i++) c->imphash[i] = (char)(imp[i] >= 'A' && imp[i] <= 'F' ? imp[i] + 32 : imp[i]);
            c->imphash[n] = 0;
        }
        /* a catalogue record has no top-level strings: the primary table of version_info
         * as the collector chooses it (US English or language-neutral, else the first) */
        const sk_json_value *vi = sk_json_object_get(pe, "version_info");
        if (vi && sk_json_type_of(vi) == SK_JSON_ARRAY && sk_json_length(vi)) {
            const sk_json_value *t = NULL;
            for (int pass = 0; pass < 2 && !t; pass++)
                for (size_t i = 0; i < sk_json_length(vi) && !t; i++) {
                    const sk_json_value *ti = sk_json_array_at(vi, i), *lv = NULL;
                    if (sk_json_type_of(ti) == SK_JSON_OBJECT) lv = sk_json_object_get(ti, "lang");
                    const char *lang = lv && sk_json_type_of(lv) == SK_JSON_STRING ? sk_json_string(lv, NULL) : "";
                    if (!strncmp(lang, pass ? "0000" : "0409", 4)) t = ti;
                }
            if (!t) t = sk_json_array_at(vi, 0);
            const sk_json_value *st = sk_json_type_of(t) == SK_JSON_OBJECT ? sk_json_object_get(t, "strings") : NULL;
            if (st && sk_json_type_of(st) == SK_JSON_OBJECT) {
                static const char *const names[] = {"OriginalFilename", "InternalName", "FileDescription", "ProductName", "CompanyName", "FileVersion"};
                const char **dst[] = {&c->original_filename, &c->internal_name, &c->file_description, &c->product_name, &c->company_name, &c->file_version};
                for (size_t i = 0; i < 6; i++) {
                    if (*dst[i]) continue; /* the top-level member wins */
                    const sk_json_value *sv = sk_json_object_get(st, names[i]);
                    if (sv && sk_json_type_of(sv) == SK_JSON_STRING) *dst[i] = sk_json_string(sv, NULL);
                }
            }
        }
    }
    const sk_json_value *sig = sk_json_object_get(o, "signature");
    if (sig && sk_json_type_of(sig) != SK_JSON_NULL) {
        if (sk_json_type_of(sig) != SK_JSON_OBJECT) return bad(p, "signature", "not an object");
        const char *st;
        if (get_str(p, sig, "status", &st)) return SK_EFORMAT;
        if (!st) return bad(p, "signature.status", "missing");
        c->signature = SK_INV_SIG_NONE;
        for (int i = SK_INV_SIG_NO_EMBEDDED; i <= SK_INV_SIG_UNSIGNED; i++)
            if (!strcmp(st, sk_inv_sig_name((sk_inv_sig)i))) c->signature = (sk_inv_sig)i;
        if (c->signature == SK_INV_SIG_NONE) return bad(p, "signature.status", "not a status this reader knows");
        if (get_str(p, sig, "signer_subject", &c->signer_subject) || get_str(p, sig, "signer_issuer", &c->signer_issuer)) return SK_EFORMAT;
    }
    if (get_strs(p, o, "yara", c->yara, &c->n_yara, &c->have_yara) ||
        get_hex(p, o, "yara_rules_sha256", c->yara_rules_sha256, 32, &c->have_yara_rules))
        return SK_EFORMAT;
    return 0;
}

/* the location members of an entry or a file line */
static int read_entry(const sk_inv_parser *p, const sk_json_value *o, sk_inv_entry *e, int listing)
{
    const sk_json_value *pv = sk_json_object_get(o, "path");
    if (!pv || sk_json_type_of(pv) != SK_JSON_STRING) return bad(p, "path", pv ? "not a string" : "missing");
    e->path = sk_json_string(pv, &e->path_len);
    if (!e->path_len) return bad(p, "path", "empty");
    if (memchr(e->path, 0, e->path_len)) return bad(p, "path", "holds a NUL");
    if (get_hex(p, o, "sha256", e->sha256, 32, &e->have_sha256) || get_u64(p, o, "size", &e->size, &e->have_size) ||
        get_time(p, o, "mtime", &e->mtime) || get_time(p, o, "ctime", &e->ctime) || get_time(p, o, "crtime", &e->crtime) ||
        get_mode(p, o, &e->mode, &e->have_mode) || get_str(p, o, "owner", &e->owner))
        return SK_EFORMAT;
    if (!listing) {
        if (get_str(p, o, "hardlink_of", &e->hardlink_of) || get_str(p, o, "not_hashed", &e->not_hashed) ||
            get_bool(p, o, "changed_while_read", &e->changed_while_read))
            return SK_EFORMAT;
        return 0;
    }
    const char *op;
    if (get_str(p, o, "op", &op)) return SK_EFORMAT;
    e->op = SK_OP_NONE;
    if (op) {
        if (!strcmp(op, "add")) e->op = SK_OP_ADD;
        else if (!strcmp(op, "change")) e->op = SK_OP_CHANGE;
        else if (!strcmp(op, "remove")) e->op = SK_OP_REMOVE;
        else return bad(p, "op", "not add, change or remove");
    }
    if (e->op != SK_OP_REMOVE && !e->have_sha256) return bad(p, "sha256", "missing (only a removal has no digest)");
    const char *reasons[8];
    size_t nr;
    if (get_strs(p, o, "reason", reasons, &nr, NULL)) return SK_EFORMAT;
    for (size_t i = 0; i < nr; i++) {
        if (!strcmp(reasons[i], "content")) e->reasons |= SK_REASON_CONTENT;
        else if (!strcmp(reasons[i], "times")) e->reasons |= SK_REASON_TIMES;
        else if (!strcmp(reasons[i], "mode")) e->reasons |= SK_REASON_MODE;
        else if (!strcmp(reasons[i], "owner")) e->reasons |= SK_REASON_OWNER;
        else return bad(p, "reason", "not content, times, mode or owner");
    }
    return 0;
}

static int read_listing(const sk_inv_parser *p, const sk_json_value *o, sk_inv_listing *l)
{
    const char *schema, *kind, *mode;
    if (get_str(p, o, "schema", &schema) || get_str(p, o, "kind", &kind) || get_str(p, o, "mode", &mode)) return SK_EFORMAT;
    if (!schema) return bad(p, "schema", "missing");
    if (strcmp(schema, "sakimori/listing/1")) {
        return sk_error_set(SK_EFORMAT, "line %llu: key 'schema': '%.60s' is not a version this sakimori reads (sakimori/listing/1)",
                            (unsigned long long)p->lineno, schema);
    }
    if (!kind || (strcmp(kind, "host") && strcmp(kind, "base"))) return bad(p, "kind", "not host or base");
    if (!mode || (strcmp(mode, "full") && strcmp(mode, "delta"))) return bad(p, "mode", "not full or delta");
    l->base_manifest = !strcmp(kind, "base");
    l->delta = !strcmp(mode, "delta");
    if (l->base_manifest && l->delta) return bad(p, "mode", "a base manifest is always full");
    if (get_str(p, o, "name", &l->name) || get_str(p, o, "host_id", &l->host_id) || get_str(p, o, "host", &l->host) ||
        get_str(p, o, "base", &l->base) || get_str(p, o, "windows_root", &l->windows_root) ||
        get_hex(p, o, "base_sha256", l->base_sha256, 32, &l->have_base_sha256) ||
        get_time(p, o, "base_install_time", &l->base_install_time) || get_time(p, o, "collected", &l->collected) ||
        get_u64(p, o, "entries", &l->entries, &l->have_entries))
        return SK_EFORMAT;
    if (l->base_manifest && !l->name) return bad(p, "name", "missing (a base manifest is named)");
    if (!l->base_manifest && !l->host_id) return bad(p, "host_id", "missing (a host listing names its host)");
    if (l->delta && (!l->base || !l->have_base_sha256)) return bad(p, l->base ? "base_sha256" : "base", "missing (a delta names its base)");
    const sk_json_value *sn = sk_json_object_get(o, "snapshot");
    if (sn && sk_json_type_of(sn) == SK_JSON_OBJECT) {
        if (get_hex(p, sn, "sha256", l->snapshot_sha256, 32, &l->have_snapshot) || get_u64(p, sn, "line", &l->snapshot_line, NULL))
            return SK_EFORMAT;
    }
    return 0;
}

static int read_snapshot(const sk_inv_parser *p, const sk_json_value *o, sk_inv_snapshot *h)
{
    const char *schema;
    if (get_str(p, o, "schema", &schema)) return SK_EFORMAT;
    if (!schema) return bad(p, "schema", "missing");
    if (strcmp(schema, "sakimori/snapshot/1")) {
        return sk_error_set(SK_EFORMAT, "line %llu: key 'schema': '%.60s' is not a version this sakimori reads (sakimori/snapshot/1)",
                            (unsigned long long)p->lineno, schema);
    }
    const sk_json_value *host = sk_json_object_get(o, "host");
    if (!host || sk_json_type_of(host) != SK_JSON_OBJECT) return bad(p, "host", host ? "not an object" : "missing");
    if (get_str(p, host, "name", &h->host) || get_str(p, host, "domain", &h->domain) || get_str(p, host, "fqdn", &h->fqdn) ||
        get_str(p, host, "site", &h->site) || get_str(p, host, "region", &h->region) ||
        get_str(p, host, "identity_source", &h->identity_source) ||
        get_strs(p, host, "addresses", h->addresses, &h->n_addresses, NULL) || get_strs(p, host, "macs", h->macs, &h->n_macs, NULL))
        return SK_EFORMAT;
    if (!h->host || !*h->host) return bad(p, "host.name", "missing");
    const sk_json_value *os = sk_json_object_get(host, "os");
    if (os && sk_json_type_of(os) == SK_JSON_OBJECT &&
        (get_str(p, os, "family", &h->os_family) || get_str(p, os, "name", &h->os_name) || get_str(p, os, "version", &h->os_version)))
        return SK_EFORMAT;
    const sk_json_value *an = sk_json_object_get(host, "anchors");
    if (an && sk_json_type_of(an) == SK_JSON_ARRAY) {
        for (size_t i = 0; i < sk_json_length(an) && h->n_anchors < SK_INV_MAX_LIST; i++) {
            const sk_json_value *a = sk_json_array_at(an, i);
            if (sk_json_type_of(a) != SK_JSON_OBJECT) return bad(p, "host.anchors", "an element is not an object");
            sk_inv_anchor *x = &h->anchors[h->n_anchors];
            if (get_str(p, a, "kind", &x->kind) || get_str(p, a, "value", &x->value)) return SK_EFORMAT;
            if (!x->kind || !x->value || !*x->value) return bad(p, "host.anchors", "an anchor without its kind or value");
            h->n_anchors++;
        }
    }
    const sk_json_value *col = sk_json_object_get(o, "collector");
    if (col && sk_json_type_of(col) == SK_JSON_OBJECT &&
        (get_str(p, col, "name", &h->collector_name) || get_str(p, col, "version", &h->collector_version)))
        return SK_EFORMAT;
    if (get_time(p, o, "started", &h->started) || get_str(p, o, "root", &h->root) || get_str(p, o, "windows_root", &h->windows_root))
        return SK_EFORMAT;
    return 0;
}

/*
 * The fast path for listing entries as the writer writes them (one flat object, strings
 * with at most the escapes \\ \" \/, integer sizes): the members read straight from the
 * text, the same checks as the tree's. Anything else (another escape, a nested value,
 * an unknown or repeated member, a string that is not UTF-8) returns 1: the tree
 * decides, so both paths give the same answer (fuzz_inventory compares them).
 */
enum { FE_TYPE = 1, FE_OP = 2, FE_PATH = 4, FE_SHA = 8, FE_SIZE = 16, FE_MTIME = 32, FE_CTIME = 64, FE_CRTIME = 128,
       FE_MODE = 256, FE_OWNER = 512, FE_REASON = 1024 };

/* a string at s[*i] (the opening quote) as a view: into the line when it has no escape,
 * else decoded into p->fast. 0, 1 (the tree decides), -1 (out of memory). Eight bytes at
 * a time to the closing quote while no escape, control byte or non-ASCII byte shows. */
typedef struct fe_view {
    const char *s;
    size_t n;
    int in_fast;            /* s points into p->fast: held as an offset while it grows */
    size_t off;
} fe_view;

static int fe_string(sk_inv_parser *p, const char *s, size_t n, size_t *i, fe_view *v)
{
    size_t k = *i + 1, st = k;
    int ascii = 1, esc = 0;
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    for (;;) {
        while (k + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + k, 8);
            uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
            uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
            if (hit & highs) break;
            k += 8;
        }
        if (k >= n) return 1;
        unsigned char c = (unsigned char)s[k];
        if (c == '"') break;
        if (c < 0x20) return 1;
        if (c >= 0x80) ascii = 0, k++;
        else if (c == '\\') {
            if (k + 1 >= n) return 1;
            char e = s[k + 1];
            if (e != '\\' && e != '"' && e != '/') return 1;
            esc = 1;
            k += 2;
        } else {
            k++;
        }
    }
    v->in_fast = 0;
    if (!esc) {
        v->s = s + st, v->n = k - st;
    } else {
        size_t off = p->fast.len;
        if (sk_buf_reserve(&p->fast, k - st + 1)) return -1;
        char *d = p->fast.data + off;
        size_t o = 0;
        for (size_t q = st; q < k;) { /* runs between escapes copied whole */
            const char *bs = memchr(s + q, '\\', k - q);
            size_t run = bs ? (size_t)(bs - (s + q)) : k - q;
            memcpy(d + o, s + q, run);
            o += run, q += run;
            if (bs) d[o++] = s[q + 1], q += 2;
        }
        p->fast.len += o;
        v->in_fast = 1, v->off = off, v->n = p->fast.len - off;
        v->s = p->fast.data + off;
    }
    if (!ascii && !sk_utf8_valid((const uint8_t *)v->s, v->n)) return 1;
    *i = k + 1;
    return 0;
}

static const char *fe_ptr(const sk_inv_parser *p, const fe_view *v)
{
    return v->in_fast ? p->fast.data + v->off : v->s;
}

/* a view as a NUL-terminated copy in p->fast: its offset, or (size_t)-1 */
static size_t fe_keep(sk_inv_parser *p, const fe_view *v)
{
    const char *src = fe_ptr(p, v);
    size_t off = p->fast.len;
    if (v->in_fast) { /* copy from the buffer itself: through a temporary offset */
        if (sk_buf_reserve(&p->fast, v->n + 1)) return (size_t)-1;
        src = p->fast.data + v->off;
    }
    if (sk_buf_append(&p->fast, src, v->n) || sk_buf_append(&p->fast, "", 1)) return (size_t)-1;
    return off;
}

static int fast_entry(sk_inv_parser *p, const char *s, size_t n, sk_inv_line *out)
{
    sk_buf_reset(&p->fast);
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i >= n || s[i] != '{') return 1;
    i++;
    unsigned seen = 0;
    fe_view val[11];
    uint64_t size = 0;
    fe_view rv[4];
    size_t n_reasons = 0;
    int first = 1;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i < n && s[i] == '}' && first) return 1; /* an empty object: the tree says why */
        if (i >= n || s[i] != '"') return 1;
        fe_view kv;
        int rc = fe_string(p, s, n, &i, &kv);
        if (rc) return rc < 0 ? -1 : 1;
        const char *key = fe_ptr(p, &kv);
        static const char *const names[] = {"type", "op", "path", "sha256", "size", "mtime", "ctime", "crtime", "mode", "owner", "reason"};
        static const unsigned char lens[] = {4, 2, 4, 6, 4, 5, 5, 6, 4, 5, 6};
        int f = -1;
        for (int q = 0; q < 11 && f < 0; q++)
            if (kv.n == lens[q] && !memcmp(key, names[q], kv.n)) f = q;
        if (f < 0 || (seen & (1u << f))) return 1;
        seen |= 1u << f;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n || s[i] != ':') return 1;
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n) return 1;
        if (f == 4) { /* size: an integer */
            size_t st = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (i - st >= 19) return 1;
                size = size * 10 + (uint64_t)(s[i] - '0');
                i++;
            }
            if (i == st || (i - st > 1 && s[st] == '0')) return 1;
            if (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) return 1;
        } else if (f == 10) { /* reason: strings */
            if (s[i] != '[') return 1;
            i++;
            for (int firstr = 1;; firstr = 0) {
                while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
                if (i < n && s[i] == ']' && firstr) break;
                if (i >= n || s[i] != '"' || n_reasons == 4) return 1;
                rc = fe_string(p, s, n, &i, &rv[n_reasons]);
                if (rc) return rc < 0 ? -1 : 1;
                n_reasons++;
                while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
                if (i < n && s[i] == ',') {
                    i++;
                    continue;
                }
                if (i < n && s[i] == ']') break;
                return 1;
            }
            i++;
        } else {
            if (s[i] != '"') return 1;
            rc = fe_string(p, s, n, &i, &val[f]);
            if (rc) return rc < 0 ? -1 : 1;
        }
        first = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        if (i < n && s[i] == '}') {
            i++;
            break;
        }
        return 1;
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
    if (i != n) return 1;
#define V(k) fe_ptr(p, &val[k])
    if (!(seen & FE_TYPE) || val[0].n != 5 || memcmp(V(0), "entry", 5)) return 1;
    /* the members, checked as the tree's reader checks them (on a problem: the tree
     * gives the message) */
    memset(out, 0, sizeof *out);
    sk_inv_entry *e = &out->entry;
    out->type = SK_INV_ENTRY;
    e->mtime = e->ctime = e->crtime = SK_TIME_NONE;
    out->listing.base_install_time = out->listing.collected = SK_TIME_NONE;
    out->snapshot.started = out->end.finished = SK_TIME_NONE;
    if (!(seen & FE_PATH) || !val[2].n || memchr(V(2), 0, val[2].n)) return 1;
    if (seen & FE_SHA) {
        if (val[3].n != 64 || sk_unhex(e->sha256, 32, V(3), 64)) return 1;
        e->have_sha256 = 1;
    }
    if (seen & FE_SIZE) e->size = size, e->have_size = 1;
    sk_time *times[3] = {&e->mtime, &e->ctime, &e->crtime};
    for (int q = 0; q < 3; q++) {
        if (!(seen & (FE_MTIME << q))) continue;
        sk_stamp st;
        if (sk_time_parse_iso8601(V(5 + q), val[5 + q].n, NULL, &st) || !(st.quality & (SK_TQ_UTC | SK_TQ_OFFSET))) return 1;
        *times[q] = st.utc;
    }
    if (seen & FE_MODE) {
        const char *m = V(8);
        size_t ml = val[8].n;
        if (!ml || ml > 6) return 1;
        uint32_t mv = 0;
        for (size_t q = 0; q < ml; q++) {
            if (m[q] < '0' || m[q] > '7') return 1;
            mv = mv * 8 + (uint32_t)(m[q] - '0');
        }
        e->mode = mv & 07777, e->have_mode = 1;
    }
    if (seen & FE_OP) {
        const char *op = V(1);
        size_t on = val[1].n;
        if (on == 3 && !memcmp(op, "add", 3)) e->op = SK_OP_ADD;
        else if (on == 6 && !memcmp(op, "change", 6)) e->op = SK_OP_CHANGE;
        else if (on == 6 && !memcmp(op, "remove", 6)) e->op = SK_OP_REMOVE;
        else return 1;
    }
    if (e->op != SK_OP_REMOVE && !e->have_sha256) return 1;
    for (size_t q = 0; q < n_reasons; q++) {
        const char *r = fe_ptr(p, &rv[q]);
        size_t rn = rv[q].n;
        if (rn == 7 && !memcmp(r, "content", 7)) e->reasons |= SK_REASON_CONTENT;
        else if (rn == 5 && !memcmp(r, "times", 5)) e->reasons |= SK_REASON_TIMES;
        else if (rn == 4 && !memcmp(r, "mode", 4)) e->reasons |= SK_REASON_MODE;
        else if (rn == 5 && !memcmp(r, "owner", 5)) e->reasons |= SK_REASON_OWNER;
        else return 1;
    }
    /* the strings a caller keeps: NUL-terminated copies */
    size_t po = fe_keep(p, &val[2]), oo = (seen & FE_OWNER) ? fe_keep(p, &val[9]) : 0;
    if (po == (size_t)-1 || oo == (size_t)-1) return -1;
    e->path = p->fast.data + po;
    e->path_len = val[2].n;
    if (seen & FE_OWNER) e->owner = p->fast.data + oo;
#undef V
    p->fast_lines++;
    return 0;
}

int sk_inv_parse_line(sk_inv_parser *p, const char *s, size_t n, uint64_t lineno, sk_inv_line *out)
{
    if (!p->slow_only && n > 15 && n <= INV_MAX_LINE && !memcmp(s, "{\"type\":\"entry\"", 15)) {
        sk_json_doc_free(p->doc);
        p->doc = NULL;
        p->lineno = lineno;
        size_t m = n && s[n - 1] == '\r' ? n - 1 : n;
        int rc = fast_entry(p, s, m, out);
        if (rc < 0) return sk_error_set(SK_ENOMEM, "out of memory");
        if (rc == 0) return 0;
    }
    p->lineno = lineno;
    sk_json_doc_free(p->doc);
    p->doc = NULL;
    if (n && s[n - 1] == '\r') n--;
    size_t b = 0;
    while (b < n && (s[b] == ' ' || s[b] == '\t')) b++;
    if (b == n) return SK_ENOTFOUND;
    if (n > INV_MAX_LINE) return sk_error_set(SK_EFORMAT, "line %llu: longer than 64 MiB", (unsigned long long)lineno);
    /* the tree costs a few times the text */
    sk_json_limits lim = {.max_bytes = 8 * n + 4096, .max_depth = 32, .keep_invalid_utf8 = 0};
    if (sk_json_parse(&p->doc, s, n, NULL, &lim)) {
        if (sk_error_last_code() == SK_ENOMEM && n < 1024) return SK_ENOMEM;
        return sk_error_set(SK_EFORMAT, "line %llu: not a JSON object (%s)", (unsigned long long)lineno, sk_error_last());
    }
    const sk_json_value *o = sk_json_doc_root(p->doc);
    if (sk_json_type_of(o) != SK_JSON_OBJECT) return sk_error_set(SK_EFORMAT, "line %llu: not a JSON object", (unsigned long long)lineno);
    if (sk_json_object_has_duplicates(o)) return sk_error_set(SK_EFORMAT, "line %llu: a key is repeated", (unsigned long long)lineno);
    memset(out, 0, sizeof *out);
    out->entry.mtime = out->entry.ctime = out->entry.crtime = SK_TIME_NONE;
    out->listing.base_install_time = out->listing.collected = SK_TIME_NONE;
    out->snapshot.started = out->end.finished = SK_TIME_NONE;
    const char *type;
    if (get_str(p, o, "type", &type)) return SK_EFORMAT;
    if (!type) {
        out->type = SK_INV_CATALOG;
        if (read_content(p, o, &out->content)) return SK_EFORMAT;
        if (!out->content.have_sha256) return bad(p, "sha256", "missing (a catalogue record is named by its SHA-256)");
        return 0;
    }
    if (!strcmp(type, "entry")) {
        out->type = SK_INV_ENTRY;
        return read_entry(p, o, &out->entry, 1) ? SK_EFORMAT : 0;
    }
    if (!strcmp(type, "file")) {
        out->type = SK_INV_FILE;
        if (read_entry(p, o, &out->entry, 0) || read_content(p, o, &out->content)) return SK_EFORMAT;
        out->entry.have_sha256 = out->content.have_sha256;
        memcpy(out->entry.sha256, out->content.sha256, 32);
        if (!out->entry.have_size && out->content.have_size) out->entry.size = out->content.size, out->entry.have_size = 1;
        return 0;
    }
    if (!strcmp(type, "listing")) {
        out->type = SK_INV_LISTING;
        return read_listing(p, o, &out->listing) ? SK_EFORMAT : 0;
    }
    if (!strcmp(type, "snapshot")) {
        out->type = SK_INV_SNAPSHOT;
        return read_snapshot(p, o, &out->snapshot) ? SK_EFORMAT : 0;
    }
    if (!strcmp(type, "error")) {
        out->type = SK_INV_ERROR;
        if (get_str(p, o, "path", &out->error.path) || get_str(p, o, "op", &out->error.op) || get_str(p, o, "error", &out->error.error))
            return SK_EFORMAT;
        return 0;
    }
    if (!strcmp(type, "end")) {
        out->type = SK_INV_END;
        if (get_time(p, o, "finished", &out->end.finished) || get_u64(p, o, "files", &out->end.files, NULL) ||
            get_u64(p, o, "errors", &out->end.errors, NULL) || get_bool(p, o, "complete", &out->end.complete))
            return SK_EFORMAT;
        return 0;
    }
    return bad(p, "type", "not snapshot, file, error, end, listing or entry");
}
