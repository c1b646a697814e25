/*
 * netlog_w3c.c - the W3C extended log format (IIS, proxies): directives name the
 * columns (#Fields, which may change mid-file: a new one applies to the lines after
 * it), #Date gives the date of lines with a time only; fields are blank-separated, '-'
 * is absent. Times are UTC (the format says so, and IIS writes them so). The client
 * (c-ip) is the source; the server (s-ip, s-port) the destination, or the remote server
 * a proxy fetched from (r-ip, r-port) when the log has one. url is cs-uri-stem, with
 * '?' and cs-uri-query when there is a query (or cs-uri as logged); cs-bytes is
 * bytes_out, sc-bytes bytes_in; '+' in cs(User-Agent), and only there, is a space.
 * A record is kind "web"; the server logs what it handled, so there is no outcome.
 */
#include <string.h>

#include "netlog_int.h"

enum {
    W_OTHER = 0, W_DATE, W_TIME, W_CIP, W_CPORT, W_SIP, W_SPORT, W_RIP, W_RPORT, W_METHOD, W_STEM, W_QUERY, W_URI,
    W_HOST, W_USER, W_UA, W_STATUS, W_SCBYTES, W_CSBYTES, W_COUNT
};

static const char *const w_names[W_COUNT] = {
    NULL, "date", "time", "c-ip", "c-port", "s-ip", "s-port", "r-ip", "r-port", "cs-method", "cs-uri-stem", "cs-uri-query",
    "cs-uri", "cs-host", "cs-username", "cs(user-agent)", "sc-status", "sc-bytes", "cs-bytes"};

static int field_id(const char *s, size_t n)
{
    for (int k = 1; k < W_COUNT; k++)
        if (nl_ieq(s, n, w_names[k])) return k;
    if (nl_ieq(s, n, "cs-uri-path")) return W_STEM; /* proxies' name for the stem */
    return W_OTHER;
}

static int directive(const char *l, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n >= k && !memcmp(l, name, k);
}

int nl_w3c_detect(const char *l, size_t n)
{
    if (l[0] == '#')
        return directive(l, n, "#Fields:") || directive(l, n, "#Software:") || directive(l, n, "#Version:") ||
               directive(l, n, "#Start-Date:") || directive(l, n, "#Date:");
    /* a data line before any directive: "YYYY-MM-DD HH:MM:SS ..." with an address and an
     * HTTP method among the blank-separated fields */
    int d;
    if (n < 30 || !nl_digits(l, 4, &d) || l[4] != '-' || l[7] != '-' || l[10] != ' ' || l[13] != ':' || l[16] != ':' ||
        memchr(l, ',', n))
        return 0;
    static const char *const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PROPFIND", "PATCH", NULL};
    size_t i = 0;
    const char *t;
    size_t tn;
    int ip = 0, method = 0, k = 0;
    while (k < 40 && nl_token(l, n, &i, &t, &tn)) {
        sk_ip a;
        k++;
        if (!ip && !sk_ip_parse(t, tn, &a)) ip = 1;
        for (size_t m = 0; !method && methods[m]; m++)
            if (strlen(methods[m]) == tn && !memcmp(methods[m], t, tn)) method = 1;
    }
    return ip && method;
}

static int fields_line(sk_netlog_reader *r, const char *v, size_t n)
{
    nl_w3c *w = &r->w3c;
    w->have_fields = 0;
    w->n = 0;
    w->proxy = 0;
    size_t i = 0, used = 0;
    const char *t;
    size_t tn;
    while (nl_token(v, n, &i, &t, &tn)) {
        if (w->n == NL_W3C_MAX_FIELDS) {
            nl_error(r, r->lineno, "#Fields names more than %d fields", NL_W3C_MAX_FIELDS);
            w->n = 0;
            return 0;
        }
        /* the name as written, for the columns (names past the room have none) */
        size_t keep = used + tn + 1 <= sizeof w->names ? tn : 0;
        memcpy(w->names + used, t, keep);
        w->name_off[w->n] = (uint16_t)used, w->name_len[w->n] = (uint16_t)keep;
        used += keep;
        /* what a proxy logs and a web server does not: the server it fetched from, its action */
        if ((tn > 2 && (!memcmp(t, "r-", 2) || !memcmp(t, "rs", 2) || !memcmp(t, "sr", 2))) || nl_ieq(t, tn, "s-action") ||
            nl_ieq(t, tn, "s-hierarchy") || (tn > 11 && nl_ieq(t, 11, "s-supplier-")))
            w->proxy = 1;
        w->id[w->n++] = (unsigned char)field_id(t, tn);
    }
    if (!w->n) {
        nl_error(r, r->lineno, "#Fields names no field");
        return 0;
    }
    w->have_fields = 1;
    return 0;
}

/* "YYYY-MM-DD" */
static int read_date(const char *s, size_t n, sk_civil *c)
{
    int y, m, d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || !nl_digits(s, 4, &y) || !nl_digits(s + 5, 2, &m) || !nl_digits(s + 8, 2, &d)) return -1;
    c->year = y, c->month = m, c->day = d;
    return 0;
}

/* "HH:MM:SS[.fff]" */
static int read_clock(const char *s, size_t n, sk_civil *c)
{
    if (n < 8 || s[2] != ':' || s[5] != ':' || !nl_digits(s, 2, &c->hour) || !nl_digits(s + 3, 2, &c->minute) ||
        !nl_digits(s + 6, 2, &c->second))
        return -1;
    c->nanosecond = 0;
    if (n > 8) {
        if (s[8] != '.' || n == 9) return -1;
        int32_t scale = 100000000;
        for (size_t i = 9; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return -1;
            c->nanosecond += (s[i] - '0') * scale;
            scale /= 10;
        }
    }
    return 0;
}

int nl_w3c_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_w3c *w = &r->w3c;
    size_t z = 0;
    while (z < n && (s[z] == ' ' || s[z] == '\t')) z++;
    if (z == n) return 0;
    if (s[0] == '#') {
        if (directive(s, n, "#Fields:")) return fields_line(r, s + 8, n - 8);
        if (directive(s, n, "#Date:")) { /* "#Date: 2019-07-10 10:30:40" */
            size_t i = 6;
            const char *t;
            size_t tn;
            sk_civil c = {0};
            if (nl_token(s, n, &i, &t, &tn) && !read_date(t, tn, &c)) {
                w->have_date = 1;
                w->year = (int)c.year, w->month = c.month, w->day = c.day;
            }
        }
        return 0; /* #Software, #Version, #Remark, ... */
    }
    if (!w->have_fields) {
        nl_error(r, r->lineno, "a record before any #Fields directive");
        return 0;
    }
    /* the values of the columns this reader knows */
    const char *v[W_COUNT] = {0};
    size_t vn[W_COUNT] = {0};
    size_t i = 0, k = 0;
    const char *t;
    size_t tn;
    int cols = nl_want_cols(r);
    while (nl_token(s, n, &i, &t, &tn)) {
        if (k < w->n && w->id[k] && !v[w->id[k]] && !(tn == 1 && t[0] == '-')) v[w->id[k]] = t, vn[w->id[k]] = tn;
        /* the columns as logged ('+' in a header field stays: the event view gives both forms) */
        if (cols && k < w->n && w->name_len[k] && !(tn == 1 && t[0] == '-') && nl_col_add(r, w->names + w->name_off[k], w->name_len[k], t, tn))
            return SK_ENOMEM;
        k++;
    }
    if (k != w->n) {
        nl_error(r, r->lineno, "%zu fields where #Fields names %zu", k, w->n);
        return 0;
    }
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, "web");
    if (w->proxy) rec.flags |= SK_NRF_PROXY_LOG;
    const char *bad = NULL;
    int bad_id = 0;
#define BAD(id) do { bad = w_names[id]; bad_id = id; goto fail; } while (0)
    sk_civil c = {0};
    if (!v[W_TIME]) {
        nl_error(r, r->lineno, "no time");
        return 0;
    }
    if (v[W_DATE]) {
        if (read_date(v[W_DATE], vn[W_DATE], &c)) BAD(W_DATE);
    } else if (w->have_date) {
        c.year = w->year, c.month = w->month, c.day = w->day;
    } else {
        nl_error(r, r->lineno, "a time without a date (no date field, no #Date)");
        return 0;
    }
    if (read_clock(v[W_TIME], vn[W_TIME], &c)) BAD(W_TIME);
    sk_time base;
    if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.hour > 23 || c.minute > 59 || c.second > 60 ||
        sk_time_from_civil(&c, &base))
        BAD(v[W_DATE] ? W_DATE : W_TIME);
    rec.ts = base;
    rec.ts_quality = SK_TQ_UTC | (c.nanosecond ? 0 : SK_TQ_SECONDS);
    if (v[W_CIP]) {
        if (sk_ip_parse(v[W_CIP], vn[W_CIP], &rec.src_ip)) BAD(W_CIP);
        rec.has |= SK_NR_SRC_IP;
    }
    if (v[W_CPORT]) {
        if (nl_port(v[W_CPORT], vn[W_CPORT], &rec.src_port)) BAD(W_CPORT);
        rec.has |= SK_NR_SRC_PORT;
    }
    int dip = v[W_RIP] ? W_RIP : W_SIP, dport = v[W_RPORT] ? W_RPORT : W_SPORT;
    if (v[dip]) {
        if (sk_ip_parse(v[dip], vn[dip], &rec.dst_ip)) BAD(dip);
        rec.has |= SK_NR_DST_IP;
    }
    if (v[dport]) {
        if (nl_port(v[dport], vn[dport], &rec.dst_port)) BAD(dport);
        rec.has |= SK_NR_DST_PORT;
    }
    if (v[W_STATUS]) {
        uint64_t st;
        if (nl_u64(v[W_STATUS], vn[W_STATUS], &st) || st > 999) BAD(W_STATUS);
        rec.status = (int)st;
        rec.has |= SK_NR_STATUS;
    }
    if (v[W_CSBYTES]) {
        if (nl_u64(v[W_CSBYTES], vn[W_CSBYTES], &rec.bytes_out)) BAD(W_CSBYTES);
        rec.has |= SK_NR_BYTES_OUT;
    }
    if (v[W_SCBYTES]) {
        if (nl_u64(v[W_SCBYTES], vn[W_SCBYTES], &rec.bytes_in)) BAD(W_SCBYTES);
        rec.has |= SK_NR_BYTES_IN;
    }
#undef BAD
    if (v[W_METHOD]) rec.method = (sk_nstr){v[W_METHOD], vn[W_METHOD]};
    if (v[W_USER]) rec.user = (sk_nstr){v[W_USER], vn[W_USER]};
    if (v[W_UA]) {
        char *ua = (char *)v[W_UA];
        for (size_t q = 0; q < vn[W_UA]; q++)
            if (ua[q] == '+') ua[q] = ' ';
        rec.user_agent = (sk_nstr){ua, vn[W_UA]};
    }
    if (v[W_HOST]) {
        char *h = (char *)v[W_HOST];
        size_t hn = vn[W_HOST];
        uint16_t p;
        int hp = 0;
        nl_host(h, &hn, &p, &hp);
        if (hn) rec.host = (sk_nstr){h, hn};
    }
    sk_buf_reset(&r->scratch);
    if (v[W_URI]) {
        rec.url = (sk_nstr){v[W_URI], vn[W_URI]};
    } else if (v[W_STEM]) {
        if (sk_buf_append(&r->scratch, v[W_STEM], vn[W_STEM]) ||
            (v[W_QUERY] && (sk_buf_putc(&r->scratch, '?') || sk_buf_append(&r->scratch, v[W_QUERY], vn[W_QUERY]))))
            return sk_error_set(SK_ENOMEM, "out of memory");
        rec.url = (sk_nstr){r->scratch.data, r->scratch.len};
    }
    return nl_emit(r, &rec);
fail:
    nl_error(r, r->lineno, "%s '%.*s' does not read", bad, (int)(vn[bad_id] > 60 ? 60 : vn[bad_id]), v[bad_id]);
    return 0;
}
