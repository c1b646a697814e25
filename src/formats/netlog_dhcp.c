/*
 * netlog_dhcp.c - ISC dhcpd's view of who held an address: its messages as syslog
 * writes them (RFC 3164 "Mmm dd hh:mm:ss host dhcpd[pid]: DHCPACK on IP to MAC (name)
 * via IF", whose year and zone come from the options, or RFC 3339 stamps with their
 * offset; other programs' lines in a shared file are passed over silently) and
 * dhcpd.leases (dhcpd.leases(5): one record per `lease IP { ... }` block, dates in UTC
 * or as `epoch N`, `ends never`). ISC documents no message grammar: the address is the
 * one after on/for/of/to/from/lease, the MAC the hardware address, the name the
 * parenthesised text after the MAC unless it is itself an address.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netlog_int.h"

static int is_mac(const char *s, size_t n, char out[18])
{
    if (n != 17) return 0;
    for (size_t i = 0; i < 17; i++) {
        char c = s[i];
        if (i % 3 == 2) {
            if (c != ':' && c != '-') return 0;
            out[i] = ':';
        } else {
            int hx = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hx) return 0;
            out[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
        }
    }
    out[17] = 0;
    return 1;
}

static int month_of(const char *s)
{
    static const char *const mon = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (!memcmp(s, mon + 3 * m, 3)) return m + 1;
    return 0;
}

/* the stamp at the start of a syslog line; *used: its length */
static int syslog_time(sk_netlog_reader *r, const char *s, size_t n, sk_time *t, uint32_t *q, size_t *used)
{
    if (n >= 15 && month_of(s) && s[3] == ' ' && s[6] == ' ' && s[9] == ':' && s[12] == ':') {
        sk_civil c = {0};
        c.month = month_of(s);
        c.day = (s[4] == ' ' ? 0 : (s[4] - '0') * 10) + (s[5] - '0');
        c.hour = (s[7] - '0') * 10 + (s[8] - '0');
        c.minute = (s[10] - '0') * 10 + (s[11] - '0');
        c.second = (s[13] - '0') * 10 + (s[14] - '0');
        for (int k = 4; k < 15; k++)
            if (k != 6 && k != 9 && k != 12 && !(k == 4 && s[4] == ' ') && (s[k] < '0' || s[k] > '9')) return -1;
        if (c.day < 1 || c.day > 31 || c.hour > 23 || c.minute > 59 || c.second > 60) return -1;
        int year = r->o.year;
        if (!year) {
            time_t now = time(NULL);
            struct tm tmv;
            gmtime_r(&now, &tmv);
            year = tmv.tm_year + 1900;
        }
        if (r->sys_last_month && c.month < r->sys_last_month - 6) r->sys_year_add++;
        r->sys_last_month = c.month;
        c.year = year + r->sys_year_add;
        sk_time local;
        if (sk_time_from_civil(&c, &local)) return -1;
        *q = SK_TQ_YEAR_INFERRED | SK_TQ_SECONDS;
        if (r->o.local) {
            *t = sk_tz_local_to_utc(r->o.local, local, NULL, q);
        } else {
            *t = local;
            *q |= SK_TQ_ZONE_ASSUMED;
        }
        *used = 15;
        return 0;
    }
    /* RFC 3339: up to the first blank */
    size_t e = 0;
    while (e < n && s[e] != ' ') e++;
    if (e < 20 || s[4] != '-' || s[10] != 'T') return -1;
    sk_stamp st;
    if (sk_time_parse_iso8601(s, e, NULL, &st)) return -1;
    *t = st.utc;
    *q = st.quality;
    *used = e;
    return 0;
}

int nl_dhcpd_syslog_line(sk_netlog_reader *r, char *s, size_t n)
{
    size_t z = 0;
    while (z < n && (s[z] == ' ' || s[z] == '\t')) z++;
    if (z == n) return 0;
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, "dhcp");
    size_t used;
    if (syslog_time(r, s, n, &rec.ts, &rec.ts_quality, &used)) {
        nl_error(r, r->lineno, "no syslog time (RFC 3164 or RFC 3339) at the start");
        return 0;
    }
    size_t i = used;
    const char *host, *tag;
    size_t hn, tn;
    if (!nl_token(s, n, &i, &host, &hn) || !nl_token(s, n, &i, &tag, &tn) || tag[tn - 1] != ':') {
        nl_error(r, r->lineno, "no host, tag and message after the time");
        return 0;
    }
    (void)host;
    (void)hn;
    /* the program: "dhcpd[pid]:" or "dhcpd:" */
    size_t pn = 0;
    while (pn < tn && tag[pn] != '[' && tag[pn] != ':') pn++;
    if (!(pn == 5 && !memcmp(tag, "dhcpd", 5))) return 0; /* another program's line */
    const char *w;
    size_t wn;
    static const struct { const char *w; int v; } types[] = {
        {"DHCPACK", SK_NR_DHCP_ACK},         {"DHCPREQUEST", SK_NR_DHCP_REQUEST}, {"DHCPOFFER", SK_NR_DHCP_OFFER},
        {"DHCPDISCOVER", SK_NR_DHCP_DISCOVER}, {"DHCPRELEASE", SK_NR_DHCP_RELEASE}, {"DHCPINFORM", SK_NR_DHCP_INFORM},
        {"DHCPNAK", SK_NR_DHCP_NAK},         {"DHCPEXPIRE", SK_NR_DHCP_EXPIRE}};
    int first = 1, after_ip_word = 0, after_mac = 0, words = 0, inform_reply = 0;
    char mac[18];
    while (nl_token(s, n, &i, &w, &wn)) {
        if (first) {
            for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
                if (strlen(types[k].w) == wn && !memcmp(types[k].w, w, wn)) rec.dhcp = types[k].v;
            first = 0;
        }
        /* "DHCPACK to IP (mac)": the reply to a DHCPINFORM, which grants nothing (and any
         * client can send one naming any address) */
        if (++words == 2 && rec.dhcp == SK_NR_DHCP_ACK && wn == 2 && !memcmp(w, "to", 2)) inform_reply = 1;
        size_t cn = wn;
        while (cn && (w[cn - 1] == ':' || w[cn - 1] == ',' || w[cn - 1] == ';')) cn--;
        if (w[0] == '(') {
            /* a parenthesised part: the name (to the closing parenthesis), or a MAC, or an
             * address (the server identifier) */
            const char *close = memchr(w, ')', n - (size_t)(w - s));
            if (!close) break;
            const char *in = w + 1;
            size_t inn = (size_t)(close - in);
            char m2[18];
            sk_ip ip;
            if (is_mac(in, inn, m2)) {
                if (!rec.mac.s) {
                    size_t off = r->scratch.len;
                    if (sk_buf_append(&r->scratch, m2, 17)) return sk_error_set(SK_ENOMEM, "out of memory");
                    rec.mac = (sk_nstr){r->scratch.data + off, 17};
                }
            } else if (sk_ip_parse(in, inn, &ip)) {
                if (after_mac && !rec.client_name.s && inn) rec.client_name = (sk_nstr){in, inn};
            }
            i = (size_t)(close - s) + 1;
            after_mac = 0;
            after_ip_word = 0;
            continue;
        }
        if (is_mac(w, cn, mac)) {
            if (!rec.mac.s) {
                size_t off = r->scratch.len;
                if (sk_buf_append(&r->scratch, mac, 17)) return sk_error_set(SK_ENOMEM, "out of memory");
                rec.mac = (sk_nstr){r->scratch.data + off, 17};
            }
            after_mac = 1;
            after_ip_word = 0;
            continue;
        }
        after_mac = 0;
        if (after_ip_word && !(rec.has & SK_NR_SRC_IP) && !sk_ip_parse(w, cn, &rec.src_ip)) rec.has |= SK_NR_SRC_IP;
        after_ip_word = (wn == 2 && (!memcmp(w, "on", 2) || !memcmp(w, "of", 2) || !memcmp(w, "to", 2))) ||
                        (wn == 3 && !memcmp(w, "for", 3)) || (wn == 4 && !memcmp(w, "from", 4)) || (wn == 5 && !memcmp(w, "lease", 5));
    }
    if (inform_reply) rec.flags |= SK_NRF_INFORM_REPLY;
    int rc = nl_emit(r, &rec);
    sk_buf_reset(&r->scratch);
    return rc;
}

/* ---- dhcpd.leases ---- */

/* "N yyyy/mm/dd hh:mm:ss" (weekday ignored), "epoch N" or "never" */
static int lease_date(const char *s, size_t n, sk_time *t, int *never)
{
    *never = 0;
    size_t i = 0;
    const char *a, *b, *c;
    size_t an, bn, cn;
    if (!nl_token(s, n, &i, &a, &an)) return -1;
    if (an == 5 && !memcmp(a, "never", 5)) { *never = 1; return nl_token(s, n, &i, &b, &bn) ? -1 : 0; }
    if (!nl_token(s, n, &i, &b, &bn)) return -1;
    if (an == 5 && !memcmp(a, "epoch", 5)) {
        uint64_t v;
        if (nl_u64(b, bn, &v) || v > (uint64_t)(INT64_MAX / SK_NS_PER_SEC) - 1) return -1;
        *t = (sk_time)v * SK_NS_PER_SEC;
        return 0;
    }
    if (!nl_token(s, n, &i, &c, &cn) || nl_token(s, n, &i, &a, &an)) return -1;
    if (bn != 10 || cn != 8 || b[4] != '/' || b[7] != '/' || c[2] != ':' || c[5] != ':') return -1;
    for (size_t k = 0; k < 10; k++)
        if (k != 4 && k != 7 && (b[k] < '0' || b[k] > '9')) return -1;
    for (size_t k = 0; k < 8; k++)
        if (k != 2 && k != 5 && (c[k] < '0' || c[k] > '9')) return -1;
    sk_civil cv = {0};
    cv.year = (b[0] - '0') * 1000 + (b[1] - '0') * 100 + (b[2] - '0') * 10 + (b[3] - '0');
    cv.month = (b[5] - '0') * 10 + (b[6] - '0');
    cv.day = (b[8] - '0') * 10 + (b[9] - '0');
    cv.hour = (c[0] - '0') * 10 + (c[1] - '0');
    cv.minute = (c[3] - '0') * 10 + (c[4] - '0');
    cv.second = (c[6] - '0') * 10 + (c[7] - '0');
    if (cv.month < 1 || cv.month > 12 || cv.day < 1 || cv.day > 31 || cv.hour > 23 || cv.minute > 59 || cv.second > 60) return -1;
    return sk_time_from_civil(&cv, t) ? -1 : 0;
}

static int lease_close(sk_netlog_reader *r)
{
    nl_lease *L = &r->lease;
    L->open = 0;
    if (L->bad || !L->has_ip) {
        nl_error(r, L->line, "a lease block that does not read (skipped whole)");
        return 0;
    }
    sk_netrec rec;
    nl_rec_init(&rec, L->line, "dhcp");
    rec.dhcp = SK_NR_DHCP_LEASE;
    rec.src_ip = L->ip;
    rec.has |= SK_NR_SRC_IP;
    if (L->starts != SK_TIME_NONE) rec.lease_start = L->starts, rec.has |= SK_NR_LEASE_START;
    if (L->never) rec.has |= SK_NR_LEASE_NEVER;
    else if (L->ends != SK_TIME_NONE) rec.lease_end = L->ends, rec.has |= SK_NR_LEASE_END;
    rec.ts = L->cltt != SK_TIME_NONE ? L->cltt : L->starts;
    rec.ts_quality = SK_TQ_UTC | SK_TQ_SECONDS;
    if (L->has_mac) rec.mac = (sk_nstr){L->text.data + L->mac_off, L->mac_len};
    if (L->has_name) rec.client_name = (sk_nstr){L->text.data + L->name_off, L->name_len};
    return nl_emit(r, &rec);
}

int nl_dhcpd_leases_end(sk_netlog_reader *r)
{
    if (r->lease.open) {
        r->lease.open = 0;
        nl_error(r, r->lease.line, "a lease block the input ends inside (skipped)");
    }
    return 0;
}

int nl_dhcpd_leases_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_lease *L = &r->lease;
    /* drop a comment and surrounding blanks */
    int in_q = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '"' && (k == 0 || s[k - 1] != '\\')) in_q = !in_q;
        if (s[k] == '#' && !in_q) { n = k; break; }
    }
    size_t b = 0;
    while (b < n && (s[b] == ' ' || s[b] == '\t')) b++;
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    s += b;
    n -= b;
    if (!n) return 0;
    if (!L->open) {
        if (n >= 6 && !memcmp(s, "lease ", 6) && s[n - 1] == '{') {
            memset(L, 0, offsetof(nl_lease, text));
            sk_buf_reset(&L->text);
            L->open = 1;
            L->line = r->lineno;
            L->starts = L->ends = L->cltt = SK_TIME_NONE;
            size_t an = n - 7;
            while (an && s[6 + an - 1] == ' ') an--;
            if (!sk_ip_parse(s + 6, an, &L->ip)) L->has_ip = 1;
            else L->bad = 1;
            return 0;
        }
        if (s[n - 1] == ';') return 0; /* authoring-byte-order, server-duid, db-time-format ... */
        if (s[n - 1] == '{') { /* another block kind (failover peer, host): read to its end */
            memset(L, 0, offsetof(nl_lease, text));
            L->open = 2;
            L->line = r->lineno;
            return 0;
        }
        nl_error(r, r->lineno, "not a dhcpd.leases statement");
        return 0;
    }
    if (n == 1 && s[0] == '}') {
        if (L->open == 2) { L->open = 0; return 0; }
        return lease_close(r);
    }
    if (n >= 6 && !memcmp(s, "lease ", 6) && s[n - 1] == '{') {
        /* a block begins inside another: the open one lacks its end */
        if (L->open == 1) nl_error(r, L->line, "a lease block without its closing brace (skipped)");
        L->open = 0;
        return nl_dhcpd_leases_line(r, s, n);
    }
    if (L->open == 2) return 0;
    if (s[n - 1] != ';') { L->bad = 1; return 0; }
    n--;
    const char *kw;
    size_t kn, i = 0;
    if (!nl_token(s, n, &i, &kw, &kn)) { L->bad = 1; return 0; } /* a lone ';': no statement */
    const char *rest = s + i;
    size_t rn = n - i;
    int never;
    if ((kn == 6 && !memcmp(kw, "starts", 6)) || (kn == 4 && !memcmp(kw, "ends", 4)) || (kn == 4 && !memcmp(kw, "cltt", 4))) {
        sk_time t = SK_TIME_NONE;
        if (lease_date(rest, rn, &t, &never)) { L->bad = 1; return 0; }
        if (kw[0] == 's') L->starts = t;
        else if (kw[0] == 'e') L->ends = t, L->never = never;
        else L->cltt = t;
        return 0;
    }
    if (kn == 8 && !memcmp(kw, "hardware", 8)) {
        const char *ty, *mv;
        size_t tyn, mvn;
        char mac[18];
        if (!nl_token(s, n, &i, &ty, &tyn) || !nl_token(s, n, &i, &mv, &mvn) || !is_mac(mv, mvn, mac)) { L->bad = 1; return 0; }
        if (L->text.len > (size_t)1 << 19) { L->bad = 1; return 0; } /* statements repeated past reason */
        L->mac_off = L->text.len;
        if (sk_buf_append(&L->text, mac, 17)) return sk_error_set(SK_ENOMEM, "out of memory");
        L->mac_len = 17;
        L->has_mac = 1;
        return 0;
    }
    if (kn == 15 && !memcmp(kw, "client-hostname", 15)) {
        while (rn && *rest == ' ') rest++, rn--;
        if (rn < 2 || rest[0] != '"' || rest[rn - 1] != '"') { L->bad = 1; return 0; }
        if (L->text.len + rn > (size_t)1 << 19) { L->bad = 1; return 0; } /* statements repeated past reason */
        L->name_off = L->text.len;
        for (size_t k = 1; k + 1 < rn; k++) {
            char c = rest[k];
            if (c == '\\' && k + 2 < rn) c = rest[++k];
            if (sk_buf_putc(&L->text, c)) return sk_error_set(SK_ENOMEM, "out of memory");
        }
        L->name_len = L->text.len - L->name_off;
        L->has_name = 1;
        return 0;
    }
    return 0; /* binding state, uid, set, option, tstp, ...: read, not kept */
}
