/*
 * json_write.c - streaming JSON writer (see sakimori/json.h).
 *
 * String escaping is the hot path of every JSON-lines output, so runs of plain
 * ASCII are copied in one append. Non-ASCII is validated as it goes: valid UTF-8
 * passes through, and bytes that are not UTF-8 - the three bytes of a lone WTF-8
 * surrogate among them - become \udc80-\udcff (PEP 383's surrogateescape), so no input
 * byte is lost, no line is invalid JSON, and no reader meets a lone surrogate escape.
 * The C1 controls (U+0080-U+009F, NEL among them) and the line and paragraph
 * separators U+2028/U+2029 are valid JSON but break JavaScript consumers (before
 * ES2019 they end a string literal) and terminals (C1 CSI is ESC [): they are written
 * as \u0085, \u2028, ..., which every reader decodes back to the same characters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/json.h>
#include <sakimori/utf.h>

/* 1 for bytes that can be copied without escaping */
static const uint8_t plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),                               /* 0x00-0x1f controls */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f: '"' */
    R16(1), R16(1),                               /* 0x30-0x4f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5f: '\\' */
    R16(1),                                       /* 0x60-0x6f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70-0x7f (DEL is valid JSON) */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

int sk_json_escape(sk_buf *out, const char *s, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    const uint8_t *u = (const uint8_t *)s;
    int rc = sk_buf_reserve(out, n + 2);
    if (rc) return rc;
    out->data[out->len++] = '"';
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        /* eight plain bytes at a time: none below 0x20, none '"' or '\\', none above 0x7F */
        for (; j + 8 <= n; j += 8) {
            uint64_t x;
            memcpy(&x, u + j, 8);
            const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
            uint64_t q = x ^ (lo * '"'), b = x ^ (lo * '\\');
            uint64_t bad = (x & hi) | ((x - lo * 0x20) & ~x & hi) | ((q - lo) & ~q & hi) | ((b - lo) & ~b & hi);
            if (bad) break;
        }
        while (j < n && plain[u[j]]) j++;
        if (j > i && (rc = sk_buf_append(out, s + i, j - i))) return rc;
        if (j >= n) break;
        i = j;
        uint8_t c = u[i];
        char esc[12];
        size_t elen = 0;
        if (c < 0x80) {
            esc[0] = '\\';
            elen = 2;
            switch (c) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hx[c >> 4];
                esc[5] = hx[c & 15];
                elen = 6;
            }
            i++;
            if ((rc = sk_buf_append(out, esc, elen))) return rc;
            continue;
        }
        uint32_t cp;
        size_t l = sk_utf8_decode(u + i, n - i, &cp, 1);
        if (l && ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)) {
            memcpy(esc, "\\u", 2);
            esc[2] = hx[(cp >> 12) & 15];
            esc[3] = hx[(cp >> 8) & 15];
            esc[4] = hx[(cp >> 4) & 15];
            esc[5] = hx[cp & 15];
            if ((rc = sk_buf_append(out, esc, 6))) return rc;
            i += l;
            continue;
        }
        if (l && !(cp >= 0xD800 && cp <= 0xDFFF)) {
            if ((rc = sk_buf_append(out, s + i, l))) return rc;
            i += l;
            continue;
        }
        /* A byte that is not UTF-8, and each of the three bytes of a lone surrogate
         * (WTF-8), as its surrogateescape \udc80-\udcff: a lone surrogate escape would
         * stop some readers (Debian's jq fails on "\ud800x") and a high one before a low
         * one would be read back as a pair; this way every reader takes the line and
         * s.encode("utf-8", "surrogateescape") gives the original bytes back. */
        size_t nb = l ? l : 1;
        for (size_t b = 0; b < nb; b++) {
            unsigned v = 0xDC00u + u[i + b];
            memcpy(esc, "\\udc", 4);
            esc[4] = hx[(v >> 4) & 15];
            esc[5] = hx[v & 15];
            if ((rc = sk_buf_append(out, esc, 6))) return rc;
        }
        i += nb;
    }
    return sk_buf_putc(out, '"');
}

void sk_jw_init(sk_jw *w, sk_buf *out)
{
    w->out = out;
    w->depth = 0;
    w->err = 0;
    w->first[0] = 1;
    w->after_key = 0;
}

/* Comma handling before a value or a key. */
static int pre_value(sk_jw *w)
{
    if (w->err) return w->err;
    if (w->after_key) {
        w->after_key = 0;
        return 0;
    }
    if (w->first[w->depth]) {
        w->first[w->depth] = 0;
        return 0;
    }
    int rc = sk_buf_putc(w->out, ',');
    if (rc) w->err = rc;
    return rc;
}

static int finish(sk_jw *w, int rc)
{
    if (rc && !w->err) w->err = rc;
    return rc;
}

static int open_container(sk_jw *w, char c)
{
    int rc = pre_value(w);
    if (rc) return rc;
    if (w->depth >= SK_JSON_MAX_DEPTH)
        return finish(w, sk_error_set(SK_ELIMIT, "JSON nesting deeper than %d", SK_JSON_MAX_DEPTH));
    w->first[++w->depth] = 1;
    return finish(w, sk_buf_putc(w->out, c));
}

static int close_container(sk_jw *w, char c)
{
    if (w->err) return w->err;
    if (w->depth == 0 || w->after_key)
        return finish(w, sk_error_set(SK_EINTERNAL, "JSON writer: unbalanced '%c'", c));
    w->depth--;
    return finish(w, sk_buf_putc(w->out, c));
}

int sk_jw_object_begin(sk_jw *w) { return open_container(w, '{'); }
int sk_jw_object_end(sk_jw *w) { return close_container(w, '}'); }
int sk_jw_array_begin(sk_jw *w) { return open_container(w, '['); }
int sk_jw_array_end(sk_jw *w) { return close_container(w, ']'); }

int sk_jw_keyn(sk_jw *w, const char *key, size_t n)
{
    int rc = pre_value(w);
    if (rc) return rc;
    if ((rc = sk_json_escape(w->out, key, n)) || (rc = sk_buf_putc(w->out, ':')))
        return finish(w, rc);
    w->after_key = 1;
    return 0;
}

int sk_jw_key(sk_jw *w, const char *key)
{
    return sk_jw_keyn(w, key, strlen(key));
}

int sk_jw_stringn(sk_jw *w, const char *s, size_t n)
{
    int rc = pre_value(w);
    if (rc) return rc;
    return finish(w, sk_json_escape(w->out, s, n));
}

int sk_jw_string(sk_jw *w, const char *s)
{
    if (!s) return sk_jw_null(w);
    return sk_jw_stringn(w, s, strlen(s));
}

int sk_jw_i64(sk_jw *w, int64_t v)
{
    int rc = pre_value(w);
    return rc ? rc : finish(w, sk_buf_put_i64(w->out, v));
}

int sk_jw_u64(sk_jw *w, uint64_t v)
{
    int rc = pre_value(w);
    return rc ? rc : finish(w, sk_buf_put_u64(w->out, v));
}

int sk_jw_double(sk_jw *w, double v)
{
    if (!isfinite(v)) return sk_jw_null(w);
    int rc = pre_value(w);
    if (rc) return rc;
    char tmp[32];
    /* shortest representation that round-trips */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    return finish(w, sk_buf_puts(w->out, tmp));
}

int sk_jw_bool(sk_jw *w, int v)
{
    int rc = pre_value(w);
    return rc ? rc : finish(w, sk_buf_puts(w->out, v ? "true" : "false"));
}

int sk_jw_null(sk_jw *w)
{
    int rc = pre_value(w);
    return rc ? rc : finish(w, sk_buf_puts(w->out, "null"));
}

int sk_jw_hex(sk_jw *w, const uint8_t *p, size_t n)
{
    int rc = pre_value(w);
    if (rc) return rc;
    if ((rc = sk_buf_putc(w->out, '"')) || (rc = sk_buf_put_hex(w->out, p, n)))
        return finish(w, rc);
    return finish(w, sk_buf_putc(w->out, '"'));
}

int sk_jw_raw(sk_jw *w, const char *json, size_t n)
{
    int rc = pre_value(w);
    return rc ? rc : finish(w, sk_buf_append(w->out, json, n));
}

int sk_jw_kv_string(sk_jw *w, const char *key, const char *s)
{
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_string(w, s);
}

int sk_jw_kv_i64(sk_jw *w, const char *key, int64_t v)
{
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_i64(w, v);
}

int sk_jw_kv_u64(sk_jw *w, const char *key, uint64_t v)
{
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_u64(w, v);
}

int sk_jw_kv_bool(sk_jw *w, const char *key, int v)
{
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_bool(w, v);
}

int sk_jw_time(sk_jw *w, sk_time t)
{
    char b[SK_TIME_ISO_MAX];
    return sk_jw_stringn(w, b, sk_time_format_trim(b, t));
}

int sk_jw_kv_time(sk_jw *w, const char *key, sk_time t)
{
    if (t == SK_TIME_NONE) return 0;
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_time(w, t);
}

int sk_jw_time_quality(sk_jw *w, uint32_t quality)
{
    int rc = sk_jw_array_begin(w);
    for (unsigned i = 0; !rc && i < SK_TQ_COUNT; i++)
        if (quality & (1u << i)) rc = sk_jw_string(w, sk_time_quality_name(i));
    return rc ? rc : sk_jw_array_end(w);
}

int sk_jw_kv_time_quality(sk_jw *w, const char *key, uint32_t quality)
{
    if (!quality || quality == SK_TQ_UTC) return 0;
    int rc = sk_jw_key(w, key);
    return rc ? rc : sk_jw_time_quality(w, quality);
}

int sk_jw_error(const sk_jw *w)
{
    if (w->err) return w->err;
    if (w->depth || w->after_key)
        return sk_error_set(SK_EINTERNAL, "JSON writer: %d container(s) left open", w->depth);
    return 0;
}

static int newline(sk_buf *out, int depth, int indent)
{
    int rc = sk_buf_putc(out, '\n');
    for (int i = 0; i < depth * indent && !rc; i++) rc = sk_buf_putc(out, ' ');
    return rc;
}

int sk_json_indent(sk_buf *out, const char *json, size_t n, int indent)
{
    int depth = 0, rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char c = json[i];
        if (c == '"') { /* copy the string through, escapes included */
            size_t j = i + 1;
            while (j < n && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
            if (j >= n) j = n - 1;
            rc = sk_buf_append(out, json + i, j - i + 1);
            i = j;
        } else if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            if (i + 1 < n && json[i + 1] == close) {
                rc = sk_buf_putc(out, c);
                if (!rc) rc = sk_buf_putc(out, close);
                i++;
            } else {
                rc = sk_buf_putc(out, c);
                if (!rc) rc = newline(out, ++depth, indent);
            }
        } else if (c == '}' || c == ']') {
            rc = newline(out, --depth, indent);
            if (!rc) rc = sk_buf_putc(out, c);
        } else if (c == ',') {
            rc = sk_buf_putc(out, ',');
            if (!rc) rc = newline(out, depth, indent);
        } else if (c == ':') {
            rc = sk_buf_puts(out, ": ");
        } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            rc = sk_buf_putc(out, c);
        }
    }
    if (!rc) rc = sk_buf_putc(out, '\n');
    return rc;
}
