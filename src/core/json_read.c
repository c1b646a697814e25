/*
 * json_read.c - strict JSON parser into an arena-backed tree (see sakimori/json.h).
 *
 * Recursive descent bounded by max_depth; children are gathered on a scratch
 * stack and copied into the arena as one contiguous array when their container
 * closes, so lookups walk flat arrays. All memory comes from one capped arena.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/json.h>
#include <sakimori/map.h>
#include <sakimori/utf.h>

typedef struct member member;

struct sk_json_value {
    uint8_t type;
    uint8_t has_dup;
    size_t offset;
    size_t line;
    size_t len; /* string bytes, array items, object members */
    union {
        const char *str;
        const sk_json_value *items;
        const member *members;
        const char *numtext;
    } u;
    double num;
};

struct member {
    const char *key;
    size_t klen;
    sk_json_value value;
};

struct sk_json_doc {
    sk_arena *arena;
    sk_json_value root;
};

typedef struct parser {
    const uint8_t *p, *start, *end;
    size_t base; /* file offset of start */
    size_t line;
    unsigned depth, max_depth;
    int keep_invalid;
    const char *name;
    sk_arena *arena;
    sk_buf scratch; /* stack of pending children (values or members) */
    sk_buf str;     /* string decoding */
    int rc;
} parser;

static int fail(parser *ps, const char *what)
{
    if (ps->rc) return ps->rc;
    size_t off = ps->base + (size_t)(ps->p - ps->start);
    ps->rc = sk_error_set(SK_EFORMAT, "%s:%zu: %s (offset %zu)", ps->name ? ps->name : "<json>",
                          ps->line, what, off);
    return ps->rc;
}

static int oom(parser *ps)
{
    if (!ps->rc) {
        ps->rc = sk_error_last_code() ? sk_error_last_code() : SK_ENOMEM;
        sk_error_prefix(ps->rc, ps->name ? ps->name : "<json>");
    }
    return ps->rc;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end) {
        uint8_t c = *ps->p;
        if (c == '\n')
            ps->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
        ps->p++;
    }
}

static int parse_value(parser *ps, sk_json_value *out);

static int hex4(const uint8_t *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10u;
        else return -1;
    }
    *out = v;
    return 0;
}

/* Parse a string at ps->p (on the opening quote) into the arena. */
static int parse_string(parser *ps, const char **s, size_t *len)
{
    ps->p++; /* opening quote */
    sk_buf_reset(&ps->str);
    for (;;) {
        const uint8_t *q = ps->p;
        while (q < ps->end && *q != '"' && *q != '\\' && *q >= 0x20 && *q < 0x80) q++;
        if (q > ps->p && sk_buf_append(&ps->str, ps->p, (size_t)(q - ps->p))) return oom(ps);
        ps->p = q;
        if (q >= ps->end) return fail(ps, "unterminated string");
        uint8_t c = *q;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) return fail(ps, "control character in string");
        if (c >= 0x80) {
            uint32_t cp;
            size_t l = sk_utf8_decode(q, (size_t)(ps->end - q), &cp, 0);
            if (!l) {
                if (!ps->keep_invalid) return fail(ps, "invalid UTF-8 in string");
                l = 1;
            }
            if (sk_buf_append(&ps->str, q, l)) return oom(ps);
            ps->p += l;
            continue;
        }
        /* backslash escape */
        if (ps->end - q < 2) return fail(ps, "unterminated string");
        char e = (char)q[1];
        char outc = 0;
        switch (e) {
        case '"': outc = '"'; break;
        case '\\': outc = '\\'; break;
        case '/': outc = '/'; break;
        case 'b': outc = '\b'; break;
        case 'f': outc = '\f'; break;
        case 'n': outc = '\n'; break;
        case 'r': outc = '\r'; break;
        case 't': outc = '\t'; break;
        case 'u': break;
        default: ps->p = q; return fail(ps, "invalid escape in string");
        }
        if (e != 'u') {
            if (sk_buf_putc(&ps->str, outc)) return oom(ps);
            ps->p = q + 2;
            continue;
        }
        unsigned u;
        if (ps->end - q < 6 || hex4(q + 2, &u)) {
            ps->p = q;
            return fail(ps, "invalid \\u escape in string");
        }
        ps->p = q + 6;
        uint32_t cp = u;
        if (u >= 0xD800 && u <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
            ps->p[1] == 'u') {
            unsigned lo;
            if (!hex4(ps->p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            }
        }
        if (cp >= 0xDC80 && cp <= 0xDCFF) { /* surrogateescape: the byte it stands for (as the writer writes it) */
            if (sk_buf_putc(&ps->str, (char)(cp - 0xDC00))) return oom(ps);
            continue;
        }
        uint8_t enc[4];
        size_t el = sk_utf8_encode(cp, enc); /* other lone surrogates stay as WTF-8 */
        if (sk_buf_append(&ps->str, enc, el)) return oom(ps);
    }
    char *d = sk_arena_strndup(ps->arena, ps->str.data ? ps->str.data : "", ps->str.len);
    if (!d) return oom(ps);
    *s = d;
    *len = ps->str.len;
    return 0;
}

static int parse_number(parser *ps, sk_json_value *out)
{
    const uint8_t *q = ps->p, *e = ps->end;
    if (q < e && *q == '-') q++;
    if (q >= e) return fail(ps, "invalid number");
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (q < e && *q >= '0' && *q <= '9') q++;
    } else {
        return fail(ps, "invalid number");
    }
    if (q < e && *q == '.') {
        q++;
        if (q >= e || *q < '0' || *q > '9') return fail(ps, "invalid number: digit expected after '.'");
        while (q < e && *q >= '0' && *q <= '9') q++;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-')) q++;
        if (q >= e || *q < '0' || *q > '9') return fail(ps, "invalid number: digit expected in exponent");
        while (q < e && *q >= '0' && *q <= '9') q++;
    }
    size_t n = (size_t)(q - ps->p);
    if (n > 512) return fail(ps, "number too long");
    char *t = sk_arena_strndup(ps->arena, (const char *)ps->p, n);
    if (!t) return oom(ps);
    out->type = SK_JSON_NUMBER;
    out->u.numtext = t;
    out->len = n;
    out->num = strtod(t, NULL);
    ps->p = q;
    return 0;
}

static int literal(parser *ps, const char *word, uint8_t type, sk_json_value *out)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "invalid literal");
    ps->p += n;
    out->type = type;
    return 0;
}

static int detect_dups(parser *ps, const member *m, size_t n)
{
    if (n < 2) return 0;
    if (n <= 32) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (m[i].klen == m[j].klen && memcmp(m[i].key, m[j].key, m[i].klen) == 0) return 1;
        return 0;
    }
    sk_map *seen;
    if (sk_map_new(&seen, 0)) return oom(ps), 0;
    int dup = 0;
    for (size_t i = 0; i < n && !dup; i++) {
        if (sk_map_has(seen, m[i].key, m[i].klen)) dup = 1;
        else if (sk_map_put(seen, m[i].key, m[i].klen, NULL, NULL)) {
            oom(ps);
            break;
        }
    }
    sk_map_free(seen);
    return dup;
}

static int parse_container(parser *ps, sk_json_value *out, int is_obj)
{
    if (++ps->depth > ps->max_depth) return fail(ps, "nesting too deep");
    ps->p++;
    size_t base = ps->scratch.len, esz = is_obj ? sizeof(member) : sizeof(sk_json_value);
    size_t count = 0;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == (is_obj ? '}' : ']')) {
        ps->p++;
        goto done;
    }
    for (;;) {
        member m;
        memset(&m, 0, sizeof m);
        skip_ws(ps);
        if (is_obj) {
            if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a string as object key");
            if (parse_string(ps, &m.key, &m.klen)) return ps->rc;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "expected ':' after object key");
            ps->p++;
            skip_ws(ps);
        }
        if (parse_value(ps, &m.value)) return ps->rc;
        if (sk_buf_append(&ps->scratch, is_obj ? (void *)&m : (void *)&m.value, esz)) return oom(ps);
        count++;
        skip_ws(ps);
        if (ps->p >= ps->end) return fail(ps, is_obj ? "unterminated object" : "unterminated array");
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == (is_obj ? '}' : ']')) {
            ps->p++;
            break;
        }
        return fail(ps, is_obj ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    }
done:;
    void *arr = NULL;
    if (count) {
        arr = sk_arena_alloc(ps->arena, count * esz);
        if (!arr) return oom(ps);
        memcpy(arr, ps->scratch.data + base, count * esz);
    }
    sk_buf_truncate(&ps->scratch, base);
    out->type = is_obj ? SK_JSON_OBJECT : SK_JSON_ARRAY;
    out->len = count;
    if (is_obj) {
        out->u.members = arr;
        out->has_dup = (uint8_t)detect_dups(ps, arr, count);
        if (ps->rc) return ps->rc;
    } else {
        out->u.items = arr;
    }
    ps->depth--;
    return 0;
}

static int parse_value(parser *ps, sk_json_value *out)
{
    skip_ws(ps);
    out->offset = ps->base + (size_t)(ps->p - ps->start);
    out->line = ps->line;
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input, value expected");
    switch (*ps->p) {
    case '{': return parse_container(ps, out, 1);
    case '[': return parse_container(ps, out, 0);
    case '"':
        out->type = SK_JSON_STRING;
        return parse_string(ps, &out->u.str, &out->len);
    case 't': return literal(ps, "true", SK_JSON_TRUE, out);
    case 'f': return literal(ps, "false", SK_JSON_FALSE, out);
    case 'n': return literal(ps, "null", SK_JSON_NULL, out);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return parse_number(ps, out);
        return fail(ps, "unexpected character, value expected");
    }
}

/* The shared body of sk_json_parse and sk_json_parse_next. `whole`: the value must be
 * all there is (trailing data is an error). */
static int parse_doc(sk_json_doc **out, const char *data, size_t len, const char *name,
                     const sk_json_limits *limits, sk_json_pos *pos, size_t *consumed, int whole)
{
    *out = NULL;
    size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : (size_t)64 << 20;
    unsigned depth = limits && limits->max_depth ? limits->max_depth : SK_JSON_MAX_DEPTH;
    if (depth > SK_JSON_MAX_DEPTH) depth = SK_JSON_MAX_DEPTH;
    parser ps = {0};
    ps.p = ps.start = (const uint8_t *)data;
    ps.end = ps.p + len;
    ps.base = pos->offset;
    ps.line = pos->line;
    ps.max_depth = depth;
    ps.keep_invalid = limits ? limits->keep_invalid_utf8 : 0;
    ps.name = name;
    if (pos->offset == 0 && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        ps.p += 3; /* tolerate a BOM at the start of a file */
    skip_ws(&ps);
    if (!whole && ps.p == ps.end) return SK_ENOTFOUND;
    sk_json_doc *doc = calloc(1, sizeof *doc);
    if (!doc) return sk_error_set(SK_ENOMEM, "out of memory");
    /* the first block sized by the input: a 300-byte line must not cost a 64 KiB block
     * (the tree is about four times the text at most for small documents) */
    size_t rest = (size_t)(ps.end - ps.p);
    int rc = sk_arena_new(&doc->arena, rest < ((size_t)16 << 10) ? rest * 4 + 512 : 0, max_bytes);
    if (rc) {
        free(doc);
        return rc;
    }
    ps.arena = doc->arena;
    sk_buf_init(&ps.scratch, max_bytes);
    sk_buf_init(&ps.str, max_bytes);
    rc = parse_value(&ps, &doc->root);
    if (!rc) {
        skip_ws(&ps);
        if (whole && ps.p != ps.end) rc = fail(&ps, "trailing data after the JSON value");
    }
    sk_buf_free(&ps.scratch);
    sk_buf_free(&ps.str);
    if (rc) {
        sk_json_doc_free(doc);
        return rc;
    }
    size_t used = (size_t)(ps.p - ps.start);
    if (consumed) *consumed = used;
    pos->offset += used;
    pos->line = ps.line;
    *out = doc;
    return 0;
}

int sk_json_parse(sk_json_doc **out, const char *data, size_t len, const char *name,
                  const sk_json_limits *limits)
{
    sk_json_pos pos = {0, 1};
    return parse_doc(out, data, len, name, limits, &pos, NULL, 1);
}

int sk_json_parse_next(sk_json_doc **out, const char *data, size_t len, const char *name,
                       const sk_json_limits *limits, sk_json_pos *pos, size_t *consumed)
{
    if (consumed) *consumed = 0;
    sk_json_pos p = *pos;
    int rc = parse_doc(out, data, len, name, limits, &p, consumed, 0);
    if (rc == 0) *pos = p;
    return rc;
}

void sk_json_doc_free(sk_json_doc *doc)
{
    if (!doc) return;
    sk_arena_free(doc->arena);
    free(doc);
}

const sk_json_value *sk_json_doc_root(const sk_json_doc *doc)
{
    return &doc->root;
}

sk_json_type sk_json_type_of(const sk_json_value *v)
{
    return v ? (sk_json_type)v->type : SK_JSON_NULL;
}

size_t sk_json_offset(const sk_json_value *v)
{
    return v->offset;
}

size_t sk_json_line(const sk_json_value *v)
{
    return v->line;
}

const char *sk_json_string(const sk_json_value *v, size_t *len)
{
    if (!v || v->type != SK_JSON_STRING) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = v->len;
    return v->u.str;
}

double sk_json_number(const sk_json_value *v)
{
    return v && v->type == SK_JSON_NUMBER ? v->num : NAN;
}

int sk_json_int64(const sk_json_value *v, int64_t *out)
{
    if (!v || v->type != SK_JSON_NUMBER) return SK_EFORMAT;
    const char *t = v->u.numtext;
    size_t i = 0, n = v->len;
    int neg = 0;
    if (t[0] == '-') {
        neg = 1;
        i = 1;
    }
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (t[i] < '0' || t[i] > '9') return SK_EFORMAT; /* fraction or exponent */
        unsigned d = (unsigned)(t[i] - '0');
        if (acc > (lim - d) / 10) return SK_EFORMAT;
        acc = acc * 10 + d;
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 0;
}

const char *sk_json_number_text(const sk_json_value *v, size_t *len)
{
    if (!v || v->type != SK_JSON_NUMBER) return NULL;
    if (len) *len = v->len;
    return v->u.numtext;
}

size_t sk_json_length(const sk_json_value *v)
{
    return v && (v->type == SK_JSON_ARRAY || v->type == SK_JSON_OBJECT) ? v->len : 0;
}

const sk_json_value *sk_json_array_at(const sk_json_value *v, size_t i)
{
    if (!v || v->type != SK_JSON_ARRAY || i >= v->len) return NULL;
    return &v->u.items[i];
}

const char *sk_json_object_key_at(const sk_json_value *v, size_t i, size_t *klen)
{
    if (!v || v->type != SK_JSON_OBJECT || i >= v->len) return NULL;
    if (klen) *klen = v->u.members[i].klen;
    return v->u.members[i].key;
}

const sk_json_value *sk_json_object_value_at(const sk_json_value *v, size_t i)
{
    if (!v || v->type != SK_JSON_OBJECT || i >= v->len) return NULL;
    return &v->u.members[i].value;
}

const sk_json_value *sk_json_object_get(const sk_json_value *v, const char *key)
{
    if (!v || v->type != SK_JSON_OBJECT) return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < v->len; i++)
        if (v->u.members[i].klen == kl && memcmp(v->u.members[i].key, key, kl) == 0)
            return &v->u.members[i].value;
    return NULL;
}

int sk_json_object_has_duplicates(const sk_json_value *v)
{
    return v && v->type == SK_JSON_OBJECT && v->has_dup;
}

int sk_jw_value(sk_jw *w, const sk_json_value *v)
{
    int rc = 0;
    switch (v->type) {
    case SK_JSON_NULL: return sk_jw_null(w);
    case SK_JSON_TRUE: return sk_jw_bool(w, 1);
    case SK_JSON_FALSE: return sk_jw_bool(w, 0);
    case SK_JSON_NUMBER: return sk_jw_raw(w, v->u.numtext, v->len);
    case SK_JSON_STRING: return sk_jw_stringn(w, v->u.str, v->len);
    case SK_JSON_ARRAY:
        rc = sk_jw_array_begin(w);
        for (size_t i = 0; i < v->len && !rc; i++) rc = sk_jw_value(w, &v->u.items[i]);
        return rc ? rc : sk_jw_array_end(w);
    case SK_JSON_OBJECT:
        rc = sk_jw_object_begin(w);
        for (size_t i = 0; i < v->len && !rc; i++) {
            rc = sk_jw_keyn(w, v->u.members[i].key, v->u.members[i].klen);
            if (!rc) rc = sk_jw_value(w, &v->u.members[i].value);
        }
        return rc ? rc : sk_jw_object_end(w);
    }
    return sk_error_set(SK_EINTERNAL, "bad JSON value type");
}
