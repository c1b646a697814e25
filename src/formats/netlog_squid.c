/*
 * netlog_squid.c - Squid's native access.log: "time elapsed client code/status bytes
 * method URL user hierarchy/peer type", blank-separated (the elapsed column is padded).
 * Squid records the bytes sent to the client only: bytes_in, never bytes_out. A CONNECT
 * names host:port, not a URL: no url then, and nothing is substituted. The peer is the
 * destination address only for a direct fetch (HIER_DIRECT/DIRECT); a denial
 * (TCP_DENIED), status 000 or an error the proxy made itself (>= 400 with HIER_NONE)
 * is an attempt, the rest a completed contact.
 */
#include <string.h>

#include "netlog_int.h"

int nl_squid_line(sk_netlog_reader *r, char *s, size_t n)
{
    const char *t[12];
    size_t tn[12];
    size_t i = 0, k = 0;
    const char *x;
    size_t xn;
    while (nl_token(s, n, &i, &x, &xn)) {
        if (k < 12) t[k] = x, tn[k] = xn;
        k++;
    }
    if (!k) return 0; /* blank */
    if (k != 10) {
        nl_error(r, r->lineno, "%zu fields where Squid's native format has 10", k);
        return 0;
    }
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, "proxy");
    if (nl_epoch(t[0], tn[0], &rec.ts)) {
        nl_error(r, r->lineno, "the time '%.*s' is not epoch seconds", (int)(tn[0] > 40 ? 40 : tn[0]), t[0]);
        return 0;
    }
    rec.ts_quality = SK_TQ_UTC;
    uint64_t u;
    if (nl_u64(t[1], tn[1], &u)) {
        nl_error(r, r->lineno, "the elapsed time is not a number");
        return 0;
    }
    if (sk_ip_parse(t[2], tn[2], &rec.src_ip)) {
        nl_error(r, r->lineno, "the client '%.*s' is not an address", (int)(tn[2] > 60 ? 60 : tn[2]), t[2]);
        return 0;
    }
    rec.has |= SK_NR_SRC_IP;
    const char *slash = memchr(t[3], '/', tn[3]);
    uint64_t status;
    if (!slash || nl_u64(slash + 1, tn[3] - (size_t)(slash - t[3]) - 1, &status) || status > 999) {
        nl_error(r, r->lineno, "the result '%.*s' is not code/status", (int)(tn[3] > 60 ? 60 : tn[3]), t[3]);
        return 0;
    }
    size_t code_n = (size_t)(slash - t[3]);
    if (status) rec.status = (int)status, rec.has |= SK_NR_STATUS;
    if (nl_u64(t[4], tn[4], &rec.bytes_in)) {
        nl_error(r, r->lineno, "the byte count is not a number");
        return 0;
    }
    rec.has |= SK_NR_BYTES_IN;
    rec.method = (sk_nstr){t[5], tn[5]};
    int connect = tn[5] == 7 && !memcmp(t[5], "CONNECT", 7);
    char *url = (char *)t[6];
    size_t url_n = tn[6];
    if (connect) {
        char *h = url;
        size_t hn = url_n;
        int hp = 0;
        uint16_t port = 0;
        nl_host(h, &hn, &port, &hp);
        if (hp) rec.dst_port = port, rec.has |= SK_NR_DST_PORT;
        rec.host = (sk_nstr){h, hn};
    } else {
        rec.url = (sk_nstr){url, url_n};
        /* the authority of scheme://[user@]host[:port]/... */
        const char *sep = NULL; /* "://" after a scheme of at most 16 characters */
        for (size_t q = 0; q + 3 <= url_n && q < 17 && !sep; q++)
            if (url[q] == ':' && url[q + 1] == '/' && url[q + 2] == '/') sep = url + q;
        if (sep && (size_t)(sep - url) < url_n) {
            const char *a = sep + 3;
            size_t rest = url_n - (size_t)(a - url);
            size_t an = 0;
            while (an < rest && a[an] != '/' && a[an] != '?' && a[an] != '#') an++;
            const char *at = memchr(a, '@', an);
            if (at) an -= (size_t)(at + 1 - a), a = at + 1;
            /* a copy: the URL is kept as logged */
            size_t off = r->scratch.len;
            if (sk_buf_append(&r->scratch, a, an)) return sk_error_set(SK_ENOMEM, "out of memory");
            char *h = r->scratch.data + off;
            size_t hn = an;
            int hp = 0;
            uint16_t port = 0;
            nl_host(h, &hn, &port, &hp);
            if (hp) rec.dst_port = port, rec.has |= SK_NR_DST_PORT;
            if (hn) rec.host = (sk_nstr){h, hn};
        }
    }
    if (!(tn[7] == 1 && t[7][0] == '-')) rec.user = (sk_nstr){t[7], tn[7]};
    const char *ps = memchr(t[8], '/', tn[8]);
    int direct = 0, hier_none = 0;
    if (ps) {
        size_t hn = (size_t)(ps - t[8]);
        direct = (hn == 11 && !memcmp(t[8], "HIER_DIRECT", 11)) || (hn == 6 && !memcmp(t[8], "DIRECT", 6));
        hier_none = (hn == 9 && !memcmp(t[8], "HIER_NONE", 9)) || (hn == 4 && !memcmp(t[8], "NONE", 4));
        size_t pn = tn[8] - hn - 1;
        if (direct && pn && !sk_ip_parse(ps + 1, pn, &rec.dst_ip)) rec.has |= SK_NR_DST_IP;
    }
    int denied = code_n >= 10 && !memcmp(t[3], "TCP_DENIED", 10);
    if (denied) rec.action = SK_NR_DENY;
    if (denied || status == 0 || (status >= 400 && hier_none)) rec.outcome = SK_NR_ATTEMPTED;
    else rec.outcome = SK_NR_ESTABLISHED;
    int rc = nl_emit(r, &rec);
    sk_buf_reset(&r->scratch);
    return rc;
}
