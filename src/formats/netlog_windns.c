/*
 * netlog_windns.c - the Windows DNS server debug log: one record per PACKET line,
 * "date time thread PACKET id UDP|TCP Rcv|Snd remote-ip xid [R] opcode [flags chars
 * rcode] qtype (N)label(M)label(0)". The date is the server's locale (M/D/YYYY h:mm:ss
 * AM|PM, YYYY/MM/DD H:mm:ss, or YYYY-MM-DD) in its local time, read with the options'
 * zone. The client is the remote side of a query received or a response sent (src_ip);
 * for a query sent or a response received (the server forwarding) the remote side is
 * the destination. The rcode is the response's only (a query's NOERROR is header bits).
 * The question name is decoded from its length-prefixed labels, each length checked.
 * The preamble, notes and other lines that are not PACKET lines give nothing.
 */
#include <string.h>

#include "netlog_int.h"

static int has_prefix(const char *l, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && !memcmp(l, p, k);
}

/* the date and time at the start of a line: *used is what they took */
static int read_stamp(const sk_netlog_reader *r, const char *s, size_t n, sk_time *t, uint32_t *q, size_t *used)
{
    size_t i = 0;
    const char *d, *c;
    size_t dn, cn;
    if (!nl_token(s, n, &i, &d, &dn) || !nl_token(s, n, &i, &c, &cn)) return -1;
    sk_civil cv = {0};
    /* the date: Y/M/D or Y-M-D with a 4-digit year first, else M/D/Y (en-US) */
    size_t p1 = 0;
    while (p1 < dn && d[p1] >= '0' && d[p1] <= '9') p1++;
    if (p1 == dn || (d[p1] != '/' && d[p1] != '-') || p1 > 4 || !p1) return -1;
    char sep = d[p1];
    size_t p2 = p1 + 1;
    while (p2 < dn && d[p2] >= '0' && d[p2] <= '9') p2++;
    if (p2 == dn || d[p2] != sep || p2 == p1 + 1 || p2 - p1 - 1 > 2 || p2 + 1 >= dn) return -1;
    int a, b, y;
    if (!nl_digits(d, p1, &a) || !nl_digits(d + p1 + 1, p2 - p1 - 1, &b) || dn - p2 - 1 > 4 || !nl_digits(d + p2 + 1, dn - p2 - 1, &y))
        return -1;
    if (p1 == 4) cv.year = a, cv.month = b, cv.day = y;
    else if (dn - p2 - 1 == 4 && sep == '/') cv.year = y, cv.month = a, cv.day = b;
    else return -1;
    /* the time: H:MM:SS, then AM/PM in the en-US form */
    size_t h = 0;
    while (h < cn && c[h] >= '0' && c[h] <= '9') h++;
    if (!h || h > 2 || cn != h + 6 || c[h] != ':' || c[h + 3] != ':' || !nl_digits(c, h, &cv.hour) || !nl_digits(c + h + 1, 2, &cv.minute) ||
        !nl_digits(c + h + 4, 2, &cv.second))
        return -1;
    size_t j = i;
    const char *ap;
    size_t apn;
    if (nl_token(s, n, &j, &ap, &apn) && apn == 2 && (ap[0] == 'A' || ap[0] == 'P') && ap[1] == 'M') {
        if (cv.hour < 1 || cv.hour > 12) return -1;
        if (cv.hour == 12) cv.hour = 0;
        if (ap[0] == 'P') cv.hour += 12;
        i = j;
    }
    *q = SK_TQ_SECONDS;
    if (nl_local_time(r, &cv, t, q)) return -1;
    *used = i;
    return 0;
}

int nl_windns_detect(const char *l, size_t n)
{
    if (has_prefix(l, n, "DNS Server log file")) return 1;
    /* a PACKET line: a stamp, a thread id, PACKET */
    static const sk_netlog_reader r0; /* no zone: the stamp's form is all that is tested */
    sk_time t;
    uint32_t q;
    size_t i;
    if (read_stamp(&r0, l, n, &t, &q, &i)) return 0;
    const char *a, *b;
    size_t an, bn;
    return nl_token(l, n, &i, &a, &an) && nl_token(l, n, &i, &b, &bn) && bn == 6 && !memcmp(b, "PACKET", 6);
}

/* "(3)www(7)example(3)com(0)" into out (lower case, dots); its length, -1 when a label
 * length does not fit the text */
static long qname(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    for (;;) {
        if (i >= n || s[i] != '(') return -1;
        size_t k = i + 1;
        int len = 0;
        while (k < n && s[k] >= '0' && s[k] <= '9' && k - i <= 3) len = len * 10 + (s[k++] - '0');
        if (k == i + 1 || k >= n || s[k] != ')') return -1;
        k++;
        if (!len) {
            if (k != n) return -1; /* text after the root label */
            return (long)o;
        }
        if (len > 63 || k + (size_t)len > n) return -1;
        if (o + (size_t)len + 1 > cap || o + (size_t)len > 255) return -1;
        if (o) out[o++] = '.';
        for (int m = 0; m < len; m++) {
            char c = s[k + (size_t)m];
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        i = k + (size_t)len;
    }
}

int nl_windns_line(sk_netlog_reader *r, char *s, size_t n)
{
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, "dns");
    size_t i;
    if (read_stamp(r, s, n, &rec.ts, &rec.ts_quality, &i)) return 0; /* preamble, a wrapped line */
    const char *t;
    size_t tn;
    size_t j = i;
    const char *ctx;
    size_t ctxn;
    if (!nl_token(s, n, &j, &t, &tn) || !nl_token(s, n, &j, &ctx, &ctxn) || !(ctxn == 6 && !memcmp(ctx, "PACKET", 6)))
        return 0; /* a note, an event: no packet */
    const char *id, *proto, *dir, *remote, *xid, *op;
    size_t idn, proton, dirn, remoten, xidn, opn;
    if (!nl_token(s, n, &j, &id, &idn) || !nl_token(s, n, &j, &proto, &proton) || !nl_token(s, n, &j, &dir, &dirn) ||
        !nl_token(s, n, &j, &remote, &remoten) || !nl_token(s, n, &j, &xid, &xidn) || !nl_token(s, n, &j, &op, &opn)) {
        nl_error(r, r->lineno, "a PACKET line cut short");
        return 0;
    }
    int response = 0;
    if (opn == 1 && op[0] == 'R') {
        response = 1;
        if (!nl_token(s, n, &j, &op, &opn)) {
            nl_error(r, r->lineno, "a PACKET line cut short");
            return 0;
        }
    }
    int udp = nl_ieq(proto, proton, "udp"), tcp = nl_ieq(proto, proton, "tcp");
    int rcv = dirn == 3 && !memcmp(dir, "Rcv", 3), snd = dirn == 3 && !memcmp(dir, "Snd", 3);
    if ((!udp && !tcp) || (!rcv && !snd)) {
        nl_error(r, r->lineno, "'%.*s %.*s' is not UDP/TCP and Rcv/Snd", (int)(proton > 10 ? 10 : proton), proto, (int)(dirn > 10 ? 10 : dirn), dir);
        return 0;
    }
    sk_ip ip;
    if (sk_ip_parse(remote, remoten, &ip)) {
        nl_error(r, r->lineno, "the remote address '%.*s' does not read", (int)(remoten > 60 ? 60 : remoten), remote);
        return 0;
    }
    /* [flags chars rcode] */
    while (j < n && s[j] == ' ') j++;
    const char *close = j < n && s[j] == '[' ? memchr(s + j, ']', n - j) : NULL;
    if (!close) {
        nl_error(r, r->lineno, "no [flags rcode] after the opcode");
        return 0;
    }
    const char *in = s + j + 1;
    size_t inn = (size_t)(close - in), k = 0;
    const char *w, *last = NULL;
    size_t wn, lastn = 0, words = 0;
    while (nl_token(in, inn, &k, &w, &wn)) last = w, lastn = wn, words++;
    if (words < 2) {
        nl_error(r, r->lineno, "no response code in the brackets");
        return 0;
    }
    j = (size_t)(close - s) + 1;
    const char *qt, *name;
    size_t qtn, namen;
    if (!nl_token(s, n, &j, &qt, &qtn) || !nl_token(s, n, &j, &name, &namen)) {
        nl_error(r, r->lineno, "no question type and name");
        return 0;
    }
    sk_buf_reset(&r->scratch);
    if (sk_buf_reserve(&r->scratch, namen + 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    long hn = qname(name, namen, r->scratch.data, namen + 1);
    if (hn < 0) {
        nl_error(r, r->lineno, "the question name '%.*s' does not read (label lengths)", (int)(namen > 60 ? 60 : namen), name);
        return 0;
    }
    if (hn) rec.host = (sk_nstr){r->scratch.data, (size_t)hn};
    rec.proto = (sk_nstr){udp ? "udp" : "tcp", 3};
    rec.qtype = (sk_nstr){qt, qtn};
    if (response) rec.rcode = (sk_nstr){last, lastn};
    /* the client is the remote side of a query received or a response sent */
    if (rcv != response) rec.src_ip = ip, rec.has |= SK_NR_SRC_IP;
    else rec.dst_ip = ip, rec.has |= SK_NR_DST_IP;
    return nl_emit(r, &rec);
}
