/*
 * netlog.c - the network-log reader's core (sakimori/netlog.h): bytes pushed in any
 * chunking are cut into lines (a line longer than SK_NETLOG_MAX_LINE is reported and
 * skipped to its end, so memory stays bounded), a line with a NUL or invalid UTF-8 is
 * reported, the format is recognised from the first lines when not given, and each
 * line goes to its format's reader. The value helpers every format uses (numbers,
 * addresses, MACs, local times) live here.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/utf.h>

#include "netlog_int.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t nl_cut_fields(char *s, size_t n, char sep, char **f, size_t *fl, size_t max, int *backslash)
{
    size_t nf = 0, start = 0, k = 0;
    int bs = 0;
#define NL_CUT_AT(pos)                                                        \
    do {                                                                     \
        size_t p_ = (pos);                                                   \
        if (nf < max) f[nf] = s + start, fl[nf] = p_ - start;                \
        nf++;                                                                \
        start = p_ + 1;                                                      \
    } while (0)
#if defined(__SSE2__)
    const __m128i vs = _mm_set1_epi8(sep), vb = _mm_set1_epi8('\\');
    for (; k + 16 <= n; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vs));
        bs |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, vb));
        while (m) {
            NL_CUT_AT(k + (size_t)__builtin_ctz(m));
            m &= m - 1;
        }
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        uint64_t x = w ^ (ones * (uint8_t)sep), y = w ^ (ones * (uint8_t)'\\');
        /* exact per byte: no borrow crosses into a flagged byte's neighbour */
        uint64_t m = ~(((x & ~highs) + ~highs) | x) & highs;
        bs |= (~(((y & ~highs) + ~highs) | y) & highs) != 0;
        while (m) {
            NL_CUT_AT(k + ((size_t)__builtin_ctzll(m) >> 3));
            m &= m - 1;
        }
    }
#endif
    for (; k < n; k++) {
        if (s[k] == sep) NL_CUT_AT(k);
        else if (s[k] == '\\') bs = 1;
    }
#undef NL_CUT_AT
    if (nf < max) f[nf] = s + start, fl[nf] = n - start;
    nf++;
    *backslash = bs != 0;
    return nf;
}

static const char *const fmt_names[SK_NL_FORMATS] = {"auto",    "squid", "zeek",    "zeek-json", "dhcpd-syslog", "dhcpd-leases",
                                                     "w3c",     "fwcsv", "windhcp", "windns", "json"};

const char *sk_netlog_format_name(sk_netlog_format f)
{
    return f >= 0 && f < SK_NL_FORMATS ? fmt_names[f] : "?";
}

int sk_netlog_format_from_name(const char *s)
{
    for (int i = 0; i < SK_NL_FORMATS; i++)
        if (!strcmp(s, fmt_names[i])) return i;
    return -1;
}

void nl_error(sk_netlog_reader *r, uint64_t line, const char *fmt, ...)
{
    r->errors++;
    if (!r->o.diag) return;
    char msg[400];
    int k = snprintf(msg, sizeof msg, "line %llu: ", (unsigned long long)line);
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < sizeof msg) vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    va_end(ap);
    r->o.diag(r->o.diag_ctx, msg);
}

void nl_rec_init(sk_netrec *rec, uint64_t line, const char *kind)
{
    /* the arrays are read only up to their counts: the 2 KB of them are not cleared */
    memset(rec, 0, offsetof(sk_netrec, answers));
    rec->n_answers = rec->n_cname = rec->n_extra = 0;
    rec->line = line;
    rec->kind = kind;
    rec->ts = SK_TIME_NONE;
    rec->lease_start = rec->lease_end = SK_TIME_NONE;
}

int nl_col_add(sk_netlog_reader *r, const char *k, size_t kn, const char *v, size_t vn)
{
    nl_cols *c = &r->cols;
    if (c->n == NL_MAX_COLS) return 0; /* past the limit: not kept */
    size_t ko = c->text.len;
    if (sk_buf_append(&c->text, k, kn)) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t vo = c->text.len;
    if (vn && sk_buf_append(&c->text, v, vn)) return sk_error_set(SK_ENOMEM, "out of memory");
    c->koff[c->n] = ko, c->kn[c->n] = kn, c->voff[c->n] = vo, c->vn[c->n] = vn;
    c->n++;
    return 0;
}

int nl_col_append(sk_netlog_reader *r, const char *v, size_t vn)
{
    nl_cols *c = &r->cols;
    if (!c->n || c->voff[c->n - 1] + c->vn[c->n - 1] != c->text.len) return 0;
    if (sk_buf_append(&c->text, v, vn)) return sk_error_set(SK_ENOMEM, "out of memory");
    c->vn[c->n - 1] += vn;
    return 0;
}

int nl_emit(sk_netlog_reader *r, sk_netrec *rec)
{
    r->records++;
    if (r->o.columns) {
        nl_cols *c = &r->cols;
        for (size_t i = 0; i < c->n; i++) {
            c->key[i] = (sk_nstr){c->text.data + c->koff[i], c->kn[i]};
            c->val[i] = (sk_nstr){c->text.data + c->voff[i], c->vn[i]};
        }
        rec->col_key = c->key, rec->col_val = c->val, rec->n_cols = c->n;
    }
    return r->cb ? r->cb(r->ctx, rec) : 0;
}

int nl_json_object_line(sk_netlog_reader *r, const char *s, size_t n, const char *where, sk_json_doc **doc, const sk_json_value **o)
{
    *doc = NULL;
    *o = NULL;
    size_t z = 0;
    while (z < n && (s[z] == ' ' || s[z] == '\t')) z++;
    if (z == n) return 0;
    sk_json_limits lim = {.max_bytes = (size_t)16 << 20};
    if (sk_json_parse(doc, s, n, "line", &lim)) {
        *doc = NULL;
        nl_error(r, r->lineno, "not a JSON object");
        return 0;
    }
    const sk_json_value *root = sk_json_doc_root(*doc);
    if (sk_json_type_of(root) != SK_JSON_OBJECT) {
        int arr = sk_json_type_of(root) == SK_JSON_ARRAY;
        sk_json_doc_free(*doc);
        *doc = NULL;
        nl_error(r, r->lineno, "a JSON %s %s", arr ? "array" : "value", where);
        return 0;
    }
    *o = root;
    return 1;
}

int nl_u64(const char *s, size_t n, uint64_t *out)
{
    if (!n || n > 20) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return -1;
        if (i >= 19 && v > (UINT64_MAX - d) / 10) return -1; /* 19 digits cannot overflow */
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int nl_port(const char *s, size_t n, uint16_t *out)
{
    uint64_t v;
    if (nl_u64(s, n, &v) || v > 65535) return -1;
    *out = (uint16_t)v;
    return 0;
}

int nl_epoch(const char *s, size_t n, sk_time *out)
{
    size_t i = 0;
    uint64_t sec = 0;
    unsigned d;
    while (i < n && (d = (unsigned)(unsigned char)s[i] - '0') <= 9) {
        /* past sk_time's range (year 2262): only a tenth digit can take it there */
        if (i >= 9 && sec > (uint64_t)(INT64_MAX / SK_NS_PER_SEC) - 1) return -1;
        sec = sec * 10 + d;
        i++;
    }
    if (!i) return -1;
    int64_t ns = 0;
    if (i < n && s[i] == '.') {
        i++;
        int64_t scale = 100000000;
        size_t d0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale) ns += (s[i] - '0') * scale, scale /= 10;
            i++;
        }
        if (i == d0) return -1;
    }
    if (i != n) return -1;
    *out = (sk_time)sec * SK_NS_PER_SEC + ns;
    return 0;
}

void nl_host(char *s, size_t *n, uint16_t *port, int *has_port)
{
    size_t len = *n;
    if (len && s[0] == '[') { /* [v6]:port */
        char *e = memchr(s, ']', len);
        if (e) {
            size_t inner = (size_t)(e - s) - 1;
            size_t rest = len - (size_t)(e - s) - 1;
            uint16_t p;
            if (rest > 1 && e[1] == ':' && !nl_port(e + 2, rest - 1, &p)) *port = p, *has_port = 1;
            memmove(s, s + 1, inner);
            len = inner;
        }
    } else {
        char *c = memchr(s, ':', len);
        if (c && !memchr(c + 1, ':', len - (size_t)(c - s) - 1)) { /* host:port, not a bare IPv6 */
            uint16_t p;
            if (!nl_port(c + 1, len - (size_t)(c - s) - 1, &p)) *port = p, *has_port = 1;
            len = (size_t)(c - s);
        }
    }
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
    if (len && s[len - 1] == '.') len--;
    *n = len;
}

int nl_digits(const char *s, size_t d, int *out)
{
    int v = 0;
    for (size_t i = 0; i < d; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int nl_ieq(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != w[i]) return 0;
    }
    return i == n && !w[i];
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int nl_mac(const char *s, size_t n, char out[18])
{
    char hx[12];
    size_t k = 0;
    if (n == 17) { /* aa:bb:cc:dd:ee:ff, aa-bb-... */
        for (size_t i = 0; i < 17; i++) {
            if (i % 3 == 2) {
                if ((s[i] != ':' && s[i] != '-') || s[i] != s[2]) return -1;
            } else {
                hx[k++] = s[i];
            }
        }
    } else if (n == 14) { /* aabb.ccdd.eeff */
        for (size_t i = 0; i < 14; i++) {
            if (i % 5 == 4) {
                if (s[i] != '.') return -1;
            } else {
                hx[k++] = s[i];
            }
        }
    } else if (n == 12) {
        memcpy(hx, s, 12);
        k = 12;
    } else {
        return -1;
    }
    for (size_t i = 0; i < 12; i++) {
        if (hexval(hx[i]) < 0) return -1;
        out[i / 2 * 3 + i % 2] = (char)(hx[i] >= 'A' && hx[i] <= 'F' ? hx[i] + 32 : hx[i]);
    }
    for (size_t i = 2; i < 17; i += 3) out[i] = ':';
    out[17] = 0;
    return 0;
}

int nl_local_time(const sk_netlog_reader *r, const sk_civil *c, sk_time *t, uint32_t *q)
{
    sk_time local;
    if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > 31 || c->hour > 23 || c->minute > 59 || c->second > 60 ||
        sk_time_from_civil(c, &local))
        return -1;
    /* a day past the month's end (30 February) does not read */
    sk_civil back;
    sk_time_to_civil(local, &back);
    if (back.day != c->day && c->second < 60) return -1;
    if (r->o.local) {
        *t = sk_tz_local_to_utc(r->o.local, local, NULL, q);
    } else {
        *t = local;
        *q |= SK_TQ_ZONE_ASSUMED;
    }
    return 0;
}

int nl_datetime(const sk_netlog_reader *r, const char *s, size_t n, sk_time *t, uint32_t *q)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9') d++;
    if (d && (d == n || s[d] == '.')) { /* epoch */
        if (d > 19) return -1;
        sk_time v;
        if (d <= 11) {
            if (nl_epoch(s, n, &v)) return -1;
            *t = v;
        } else {
            uint64_t u;
            if (nl_u64(s, d, &u)) return -1;
            uint64_t mul = d <= 14 ? 1000000 : d <= 17 ? 1000 : 1;
            if (u > (uint64_t)INT64_MAX / mul) return -1;
            *t = (sk_time)(u * mul);
        }
        *q = SK_TQ_UTC;
        return 0;
    }
    if (n < 16 || n > 64) return -1;
    char b[65];
    memcpy(b, s, n);
    if (b[4] == '/' && b[7] == '/') b[4] = b[7] = '-';
    sk_stamp st;
    if (sk_time_parse_iso8601(b, n, r->o.local, &st)) return -1;
    *t = st.utc;
    *q = st.quality;
    return 0;
}

sk_netlog_format sk_netlog_detect(const char *data, size_t n)
{
    /* the first line that is not blank and not an ordinary comment */
    size_t i = 0;
    while (i < n) {
        const char *l = data + i;
        const char *e = memchr(l, '\n', n - i);
        size_t len = e ? (size_t)(e - l) : n - i;
        i += len + 1;
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' ')) len--;
        if (!len) continue;
        if (len >= 3 && (unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB && (unsigned char)l[2] == 0xBF) l += 3, len -= 3;
        if (!len) continue;
        if (l[0] == '#') {
            if ((len >= 10 && !memcmp(l, "#separator", 10)) || (len >= 7 && !memcmp(l, "#fields", 7))) return SK_NL_ZEEK_TSV;
            if (nl_w3c_detect(l, len)) return SK_NL_W3C;
        if (nl_fwcsv_detect(NULL, l, len)) return SK_NL_FWCSV;
            continue;
        }
        if (l[0] == '{') {
            /* Zeek writes "ts" (and never "@timestamp"); other objects are generic JSON
             * when they carry a member the built-in map reads */
            if (memmem(l, len, "\"ts\"", 4) && !memmem(l, len, "\"@timestamp\"", 12)) return SK_NL_ZEEK_JSON;
            return nl_jsonl_detect(l, len) ? SK_NL_JSON : SK_NL_AUTO;
        }

        if (nl_windhcp_detect(l, len)) return SK_NL_WINDHCP;
        if (nl_windns_detect(l, len)) return SK_NL_WINDNS;
        if ((len >= 6 && !memcmp(l, "lease ", 6)) || (len >= 20 && !memcmp(l, "authoring-byte-order", 20)) ||
            (len >= 11 && !memcmp(l, "server-duid", 11)) || (len >= 14 && !memcmp(l, "db-time-format", 14)) ||
            (len >= 8 && !memcmp(l, "failover", 8)))
            return SK_NL_DHCPD_LEASES;
        /* Squid: epoch.millis, blanks, elapsed, client, code/status */
        size_t k = 0;
        while (k < len && l[k] >= '0' && l[k] <= '9') k++;
        if (k >= 9 && k < len && l[k] == '.') {
            size_t q = 0;
            const char *t;
            size_t tn;
            int ntok = 0, slash = 0;
            while (ntok < 4 && nl_token(l, len, &q, &t, &tn)) {
                ntok++;
                if (ntok == 4) slash = memchr(t, '/', tn) != NULL;
            }
            if (ntok == 4 && slash) return SK_NL_SQUID;
        }
        if (nl_w3c_detect(l, len)) return SK_NL_W3C;

        /* syslog: "Mmm dd hh:mm:ss host tag" or RFC 3339 */
        static const char *const mon = "JanFebMarAprMayJunJulAugSepOctNovDec";
        if (len >= 16) {
            for (int m = 0; m < 12; m++)
                if (!memcmp(l, mon + 3 * m, 3) && l[3] == ' ' && l[9] == ':' && l[12] == ':') return SK_NL_DHCPD_SYSLOG;
            if (l[4] == '-' && l[7] == '-' && l[10] == 'T' && l[0] >= '0' && l[0] <= '9') return SK_NL_DHCPD_SYSLOG;
        }
        return SK_NL_AUTO;
    }
    return SK_NL_AUTO;
}

int sk_netlog_field_map_check(const char *spec)
{
    nl_map m;
    memset(&m, 0, sizeof m);
    int rc = nl_map_parse(&m, spec);
    nl_map_free(&m);
    return rc;
}

int sk_netlog_reader_new(sk_netlog_reader **out, const sk_netlog_options *o, sk_netrec_cb cb, void *ctx)
{
    sk_netlog_reader *r = calloc(1, sizeof *r);
    if (!r) return sk_error_set(SK_ENOMEM, "out of memory");
    if (o) r->o = *o;
    int mrc = nl_map_parse(&r->map, r->o.field_map);
    r->o.field_map = NULL; /* not kept: parsed */
    if (mrc) {
        nl_map_free(&r->map);
        free(r);
        return mrc;
    }

    r->fmt = r->o.format;
    r->cb = cb;
    r->ctx = ctx;
    if (r->o.name) { /* "dir/conn.04:00:00-05:00:00.log.gz" -> "conn" */
        const char *b = strrchr(r->o.name, '/');
        b = b ? b + 1 : r->o.name;
        size_t k = 0;
        while (b[k] && b[k] != '.' && k + 1 < sizeof r->kind_hint) {
            char c = b[k];
            r->kind_hint[k] = (char)((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : c >= 'A' && c <= 'Z' ? c + 32 : '_');
            k++;
        }
        r->kind_hint[k] = 0;
    }
    r->o.name = NULL; /* not kept: the caller's string */
    sk_buf_init(&r->line, SK_NETLOG_MAX_LINE + 2);
    sk_buf_init(&r->scratch, (size_t)4 << 20);
    sk_buf_init(&r->lease.text, (size_t)1 << 20);
    sk_buf_init(&r->csv.names, SK_NETLOG_MAX_LINE + 16);
    sk_buf_init(&r->csv.rec, SK_NETLOG_MAX_LINE + 16);
    sk_buf_init(&r->cols.text, (size_t)4 * SK_NETLOG_MAX_LINE + 4096);
    r->z.sep = '\t';
    r->z.set_sep = ',';
    memcpy(r->z.empty, "(empty)", 8);
    memcpy(r->z.unset, "-", 2);
    *out = r;
    return 0;
}

void sk_netlog_reader_free(sk_netlog_reader *r)
{
    if (!r) return;
    sk_buf_free(&r->line);
    sk_buf_free(&r->scratch);
    sk_buf_free(&r->lease.text);
    sk_buf_free(&r->csv.names);
    sk_buf_free(&r->csv.rec);
    sk_buf_free(&r->cols.text);
    nl_zeek_free(&r->z);
    nl_map_free(&r->map);

    free(r);
}

sk_netlog_format sk_netlog_reader_format(const sk_netlog_reader *r)
{
    return r->fmt;
}

uint64_t sk_netlog_reader_records(const sk_netlog_reader *r)
{
    return r->records;
}

uint64_t sk_netlog_reader_errors(const sk_netlog_reader *r)
{
    return r->errors;
}

/* 1 when s[0..n) is UTF-8 without a NUL: one pass over ASCII eight bytes at a time (a
 * word with a zero byte or a high bit goes to the byte-wise checks) */
static int text_ok(const char *s, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w | ((w - ones) & ~w)) & highs) break; /* a high bit, or a zero byte */
    }
    if (i + 8 > n) { /* the tail */
        int plain = 1;
        for (size_t k = i; k < n && plain; k++) plain = s[k] && (unsigned char)s[k] < 0x80;
        if (plain) return 1;
    }
    return !memchr(s + i, 0, n - i) && sk_utf8_valid((const uint8_t *)s + i, n - i);
}

/* one whole line (without its newline) in r->line */
static int do_line(sk_netlog_reader *r)
{
    r->lineno++;
    char *s = r->line.data ? r->line.data : (char *)"";
    size_t n = r->line.len;
    if (r->overlong) {
        r->overlong = 0;
        sk_buf_reset(&r->line);
        nl_error(r, r->lineno, "longer than %d bytes: skipped", SK_NETLOG_MAX_LINE);
        if (r->fmt == SK_NL_DHCPD_LEASES && r->lease.open == 1) r->lease.bad = 1; /* the block it is in does not read whole */
        if (r->fmt == SK_NL_FWCSV) nl_fwcsv_broken(r);
        return 0;
    }
    r->cr = n && s[n - 1] == '\r';
    if (r->cr) n--;
    if (r->lineno == 1 && n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {
        memmove(s, s + 3, n - 3);
        n -= 3;
    }
    int rc = 0;
    if (!text_ok(s, n)) {
        nl_error(r, r->lineno, "not text (a NUL or a byte that is not UTF-8)");
        /* a lease block stays open, judged at its end: it does not read whole */
        if (r->fmt == SK_NL_DHCPD_LEASES && r->lease.open == 1) r->lease.bad = 1;
        if (r->fmt == SK_NL_FWCSV) nl_fwcsv_broken(r);
        sk_buf_reset(&r->line);
        return 0;
    }
    if (r->fmt == SK_NL_AUTO) {
        size_t z = n;
        while (z && (s[z - 1] == ' ' || s[z - 1] == '\t')) z--;
        if (z) {
            r->fmt = sk_netlog_detect(s, n);
            /* a header the user's field map names columns of */
            if (r->fmt == SK_NL_AUTO && nl_fwcsv_detect(&r->map, s, n)) r->fmt = SK_NL_FWCSV;
            /* an object, and a field map given: the generic JSON reader's */
            if (r->fmt == SK_NL_AUTO && s[0] == '{') {
                if (r->map.kind[0]) r->fmt = SK_NL_JSON;
                for (int f = 0; f < NL_F_COUNT; f++)
                    if (r->map.name[f] && r->map.name[f][0]) r->fmt = SK_NL_JSON;
            }
            if (r->fmt == SK_NL_AUTO && s[0] != '#') {
                r->rejected = 1;
                sk_buf_reset(&r->line);
                return 0;
            }
        }
    }
    /* a NUL-terminated working copy: the readers cut it in place */
    if (sk_buf_reserve(&r->line, 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    s = r->line.data;
    s[n] = 0;
    r->cols.n = 0;
    sk_buf_reset(&r->cols.text);
    switch (r->fmt) {
    case SK_NL_SQUID: rc = nl_squid_line(r, s, n); break;
    case SK_NL_ZEEK_TSV: rc = nl_zeek_tsv_line(r, s, n); break;
    case SK_NL_ZEEK_JSON: rc = nl_zeek_json_line(r, s, n); break;
    case SK_NL_DHCPD_SYSLOG: rc = nl_dhcpd_syslog_line(r, s, n); break;
    case SK_NL_DHCPD_LEASES: rc = nl_dhcpd_leases_line(r, s, n); break;
    case SK_NL_W3C: rc = nl_w3c_line(r, s, n); break;
    case SK_NL_FWCSV: rc = nl_fwcsv_line(r, s, n); break;
    case SK_NL_WINDHCP: rc = nl_windhcp_line(r, s, n); break;
    case SK_NL_WINDNS: rc = nl_windns_line(r, s, n); break;
    case SK_NL_JSON: rc = nl_jsonl_line(r, s, n); break;
    default: break;
    }
    sk_buf_reset(&r->line);
    return rc;
}

int sk_netlog_reader_rejected(const sk_netlog_reader *r)
{
    return r->rejected;
}

void sk_netlog_reader_set_line(sk_netlog_reader *r, uint64_t lines_before)
{
    r->lineno = lines_before;
}

int sk_netlog_feed(sk_netlog_reader *r, const void *data, size_t n)
{
    const char *p = data;
    while (n && !r->rejected) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (!r->overlong) {
            if (r->line.len + take > SK_NETLOG_MAX_LINE) {
                /* no line end in the first 64 KiB and no format known: no log this
                 * reader knows (a sparse or binary file is not read to its end) */
                if (r->fmt == SK_NL_AUTO && !r->lineno) {
                    r->rejected = 1;
                    sk_buf_reset(&r->line);
                    return 0;
                }
                r->overlong = 1;
                sk_buf_reset(&r->line);
            } else if (take && sk_buf_append(&r->line, p, take)) {
                return sk_error_set(SK_ENOMEM, "out of memory");
            }
        }
        if (!nl) break;
        int rc = do_line(r);
        if (rc) return rc;
        p = nl + 1;
        n -= take + 1;
    }
    return 0;
}

int sk_netlog_end(sk_netlog_reader *r)
{
    int rc = 0;
    /* a last line without its newline is read as it is: one cut short is malformed */
    if (r->rejected) return 0;
    if (r->line.len || r->overlong) rc = do_line(r);
    if (!rc && r->fmt == SK_NL_DHCPD_LEASES) rc = nl_dhcpd_leases_end(r);
    if (!rc && r->fmt == SK_NL_FWCSV) rc = nl_fwcsv_end(r);

    return rc;
}
