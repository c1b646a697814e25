/*
 * netlog_windhcp.c - the Windows DHCP server audit log (DhcpSrvLog-Day.log): a header
 * block (the event ID legend, the QResult legend) ends at the column line
 * "ID,Date,Time,Description,IP Address,Host Name,MAC Address,User Name,..."; every
 * line after it is a comma-separated record (Windows does not quote) with exactly the
 * column line's count of fields. Event IDs as Microsoft documents them: 10 (new lease),
 * 11 (renewal), 20 and 21 (BOOTP leases) grant (ack); 12 (release) releases; 15 (a
 * lease denied) is a NAK; 16 (deleted), 17 and 18 (expired) and 23 (BOOTP address
 * deleted) end a lease (expire); the rest (log start and stop, 13 address in use,
 * cleanup, DNS updates, ...) carry no DHCP value. Date MM/DD/YY[YY] and time are the
 * server's local time (the options' zone); the MAC is written without separators.
 */
#include <string.h>

#include "netlog_int.h"

#define WD_MAX_COLS 64

static int has_prefix(const char *l, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && !memcmp(l, p, k);
}

/* "NN,MM/DD/YY,HH:MM:SS," */
static int data_shape(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && i < 4 && l[i] >= '0' && l[i] <= '9') i++;
    if (!i || i >= n || l[i] != ',') return 0;
    const char *d = l + i + 1;
    size_t dn = n - i - 1;
    return dn >= 18 && d[2] == '/' && d[5] == '/' && (d[8] == ',' || d[10] == ',');
}

int nl_windhcp_detect(const char *l, size_t n)
{
    while (n && (*l == ' ' || *l == '\t')) l++, n--;
    return has_prefix(l, n, "Microsoft DHCP Service") || has_prefix(l, n, "ID,Date,Time,Description,") || data_shape(l, n);
}

/* the fields of a line, cut at commas: their count (past max: counted, not kept) */
static size_t split(char *s, size_t n, char **f, size_t *fl, size_t max)
{
    size_t nf = 0, i = 0;
    for (;;) {
        char *e = memchr(s + i, ',', n - i);
        size_t len = e ? (size_t)(e - (s + i)) : n - i;
        if (nf < max) f[nf] = s + i, fl[nf] = len;
        nf++;
        if (!e) break;
        i += len + 1;
    }
    return nf;
}

static void trim(char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '.')) (*n)--;
}

static void column_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_windhcp *w = &r->wdhcp;
    char *f[WD_MAX_COLS];
    size_t fl[WD_MAX_COLS];
    size_t nf = split(s, n, f, fl, WD_MAX_COLS);
    w->have_header = 1;
    w->n_cols = nf;
    w->col_id = w->col_date = w->col_time = w->col_ip = w->col_name = w->col_mac = w->col_user = -1;
    for (size_t k = 0; k < nf && k < WD_MAX_COLS; k++) {
        char *c = f[k];
        size_t cn = fl[k];
        trim(&c, &cn);
        int *slot = nl_ieq(c, cn, "id")            ? &w->col_id
                    : nl_ieq(c, cn, "date")        ? &w->col_date
                    : nl_ieq(c, cn, "time")        ? &w->col_time
                    : nl_ieq(c, cn, "ip address")  ? &w->col_ip
                    : nl_ieq(c, cn, "host name")   ? &w->col_name
                    : nl_ieq(c, cn, "mac address") ? &w->col_mac
                    : nl_ieq(c, cn, "user name")   ? &w->col_user
                                                   : NULL;
        if (slot && *slot < 0) *slot = (int)k;
    }
}

static int event_dhcp(int id)
{
    switch (id) {
    case 10: case 11: case 20: case 21: return SK_NR_DHCP_ACK;
    case 12: return SK_NR_DHCP_RELEASE;
    case 15: return SK_NR_DHCP_NAK;
    case 16: case 17: case 18: case 23: return SK_NR_DHCP_EXPIRE;
    default: return SK_NR_DHCP_NONE;
    }
}

int nl_windhcp_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_windhcp *w = &r->wdhcp;
    size_t z = 0;
    while (z < n && (s[z] == ' ' || s[z] == '\t')) z++;
    if (z == n) return 0;
    if (has_prefix(s + z, n - z, "ID,Date,Time,")) {
        column_line(r, s + z, n - z);
        return 0;
    }
    if (!w->have_header) {
        /* the header block (the legends); a record before any column line is read with
         * the documented layout */
        if (!data_shape(s, n)) return 0;
        w->n_cols = 0;
        w->col_id = 0, w->col_date = 1, w->col_time = 2, w->col_ip = 4, w->col_name = 5, w->col_mac = 6, w->col_user = 7;
    }
    char *f[WD_MAX_COLS];
    size_t fl[WD_MAX_COLS];
    size_t nf = split(s, n, f, fl, WD_MAX_COLS);
    if (w->n_cols ? nf != w->n_cols : nf < 7) {
        if (w->n_cols) nl_error(r, r->lineno, "%zu fields where the column line names %zu", nf, w->n_cols);
        else nl_error(r, r->lineno, "%zu fields where a record has at least 7", nf);
        return 0;
    }
    if (w->col_id < 0 || w->col_date < 0 || w->col_time < 0 || (size_t)w->col_date >= nf || (size_t)w->col_time >= nf ||
        (size_t)w->col_id >= nf) {
        nl_error(r, r->lineno, "the column line names no ID, Date and Time");
        return 0;
    }
    sk_netrec rec;
    nl_rec_init(&rec, r->lineno, "dhcp");
    char *v = f[w->col_id];
    size_t vn = fl[w->col_id];
    int id;
    if (!vn || vn > 4 || !nl_digits(v, vn, &id)) {
        nl_error(r, r->lineno, "the event ID '%.*s' is not a number", (int)(vn > 40 ? 40 : vn), v);
        return 0;
    }
    rec.dhcp = event_dhcp(id);
    /* MM/DD/YY or MM/DD/YYYY, HH:MM:SS */
    const char *d = f[w->col_date], *t = f[w->col_time];
    size_t dn = fl[w->col_date], tn = fl[w->col_time];
    sk_civil c = {0};
    int yy;
    if (!((dn == 8 || dn == 10) && d[2] == '/' && d[5] == '/' && nl_digits(d, 2, &c.month) && nl_digits(d + 3, 2, &c.day) &&
          nl_digits(d + 6, dn - 6, &yy) && tn == 8 && t[2] == ':' && t[5] == ':' && nl_digits(t, 2, &c.hour) &&
          nl_digits(t + 3, 2, &c.minute) && nl_digits(t + 6, 2, &c.second))) {
        nl_error(r, r->lineno, "the date and time '%.*s,%.*s' do not read", (int)(dn > 20 ? 20 : dn), d, (int)(tn > 20 ? 20 : tn), t);
        return 0;
    }
    c.year = dn == 8 ? 2000 + yy : yy;
    rec.ts_quality = SK_TQ_SECONDS;
    if (nl_local_time(r, &c, &rec.ts, &rec.ts_quality)) {
        nl_error(r, r->lineno, "the date and time '%.*s,%.*s' do not read", (int)dn, d, (int)tn, t);
        return 0;
    }
    if (w->col_ip >= 0 && (size_t)w->col_ip < nf && fl[w->col_ip]) {
        char *ip = f[w->col_ip];
        size_t ipn = fl[w->col_ip];
        trim(&ip, &ipn);
        if (sk_ip_parse(ip, ipn, &rec.src_ip)) {
            nl_error(r, r->lineno, "the IP address '%.*s' does not read", (int)(ipn > 60 ? 60 : ipn), ip);
            return 0;
        }
        rec.has |= SK_NR_SRC_IP;
    }
    if (w->col_name >= 0 && (size_t)w->col_name < nf && fl[w->col_name]) rec.client_name = (sk_nstr){f[w->col_name], fl[w->col_name]};
    if (w->col_user >= 0 && (size_t)w->col_user < nf && fl[w->col_user]) rec.user = (sk_nstr){f[w->col_user], fl[w->col_user]};
    char mac[18];
    if (w->col_mac >= 0 && (size_t)w->col_mac < nf && fl[w->col_mac]) {
        char *m = f[w->col_mac];
        size_t mn = fl[w->col_mac];
        if (!nl_mac(m, mn, mac)) {
            rec.mac = (sk_nstr){mac, 17};
        } else { /* another hardware type's address: as logged, in lower case */
            for (size_t q = 0; q < mn; q++)
                if (m[q] >= 'A' && m[q] <= 'Z') m[q] = (char)(m[q] + 32);
            rec.mac = (sk_nstr){m, mn};
        }
    }
    return nl_emit(r, &rec);
}
