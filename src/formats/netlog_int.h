/*
 * netlog_int.h - what the network-log reader's files share (netlog.c: lines, detection,
 * values; netlog_squid.c, netlog_zeek.c, netlog_dhcp.c: one format each).
 */
#ifndef SAKIMORI_NETLOG_INT_H
#define SAKIMORI_NETLOG_INT_H

#include <sakimori/buf.h>
#include <sakimori/netlog.h>

#define NL_MAX_FIELDS 128

/* Zeek ASCII header state */
typedef struct nl_zeek {
    char sep, set_sep;
    char empty[32], unset[32];
    char path[32];
    int have_fields;
    size_t n_fields;
    char *names[NL_MAX_FIELDS];   /* owned */
    int is_time[NL_MAX_FIELDS];
} nl_zeek;

/* dhcpd.leases: the block being read */
typedef struct nl_lease {
    int open;
    uint64_t line;                /* its `lease` line */
    int bad;                      /* a statement in it did not parse */
    sk_ip ip;
    int has_ip;
    sk_time starts, ends, cltt;
    int never;
    size_t mac_off, mac_len, name_off, name_len;
    int has_mac, has_name;
    sk_buf text;                  /* the block's strings (name, mac); last: the rest is reset per block */
} nl_lease;

struct sk_netlog_reader {
    sk_netlog_options o;
    sk_netrec_cb cb;
    void *ctx;
    sk_netlog_format fmt;
    sk_buf line;                  /* the line being assembled */
    int overlong;                 /* the current line passed the limit: skip to its end */
    int rejected;                 /* the input is no network log this reader knows: the rest is not read */
    uint64_t lineno, records, errors;
    nl_zeek z;
    nl_lease lease;
    sk_buf scratch;               /* decoded values of the current record */
    char kind_hint[32];
    int sys_last_month, sys_year_add;  /* syslog without a year: a month going back past half a year is the next year */           /* from the input's name ("conn" of conn.log), or "" */
};

/* report a problem with the current line (or `line`) and count it */
void nl_error(sk_netlog_reader *r, uint64_t line, const char *fmt, ...) SK_PRINTF(3, 4);
/* a record: hand it to the callback */
int nl_emit(sk_netlog_reader *r, sk_netrec *rec);
void nl_rec_init(sk_netrec *rec, uint64_t line, const char *kind);

/* values */
int nl_u64(const char *s, size_t n, uint64_t *out);
int nl_port(const char *s, size_t n, uint16_t *out);
/* epoch seconds with an optional fraction (digits past nanoseconds dropped) */
int nl_epoch(const char *s, size_t n, sk_time *out);
/* lower-case a host name in place, drop one trailing dot and a :port; IPv6 literals
 * lose their brackets; *port set when one was there (else left) */
void nl_host(char *s, size_t *n, uint16_t *port, int *has_port);
/* the next blank-separated token of s[*i..n) */
int nl_token(const char *s, size_t n, size_t *i, const char **t, size_t *tn);

/* per format: one line (NUL-terminated copy, no newline) */
int nl_squid_line(sk_netlog_reader *r, char *s, size_t n);
int nl_zeek_tsv_line(sk_netlog_reader *r, char *s, size_t n);
int nl_zeek_json_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_syslog_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_leases_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_leases_end(sk_netlog_reader *r);
void nl_zeek_free(nl_zeek *z);

#endif
