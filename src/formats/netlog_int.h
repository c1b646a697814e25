/*
 * netlog_int.h - what the network-log reader's files share (netlog.c: lines, detection,
 * values; netlog_map.c: field maps; netlog_squid.c, netlog_zeek.c, netlog_dhcp.c,
 * netlog_w3c.c, netlog_fwcsv.c, netlog_windhcp.c, netlog_windns.c, netlog_jsonl.c: one
 * format each).
 */
#ifndef SAKIMORI_NETLOG_INT_H
#define SAKIMORI_NETLOG_INT_H

#include <stdint.h>
#include <string.h>

#include <sakimori/buf.h>
#include <sakimori/json.h>
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
    unsigned char fid[NL_MAX_FIELDS]; /* the field the record takes from a column (0: none; not decoded) */
    uint16_t name_len[NL_MAX_FIELDS];
    const char *kind;             /* the records' kind, told at the first record after #path */
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

/* record fields a field map can name (netlog_map.c) */
enum nl_fld {
    NL_F_TS, NL_F_DATE, NL_F_TIME, NL_F_SRC_IP, NL_F_SRC_PORT, NL_F_DST_IP, NL_F_DST_PORT, NL_F_PROTO,
    NL_F_ACTION, NL_F_BYTES_OUT, NL_F_BYTES_IN, NL_F_USER, NL_F_HOST, NL_F_URL, NL_F_METHOD, NL_F_STATUS,
    NL_F_USER_AGENT, NL_F_MAC, NL_F_CLIENT_NAME, NL_F_SNI, NL_F_QTYPE, NL_F_RCODE, NL_F_MD5, NL_F_SHA1,
    NL_F_SHA256, NL_F_UID, NL_F_COUNT
};

/* a parsed field map: per field the user's name (NULL: the built-in names; "": off) */
typedef struct nl_map {
    char *name[NL_F_COUNT];       /* owned */
    char kind[32];                /* "" : the format's own */
} nl_map;

#define NL_W3C_MAX_FIELDS 1024
/* W3C extended: the #Fields in force */
typedef struct nl_w3c {
    int have_fields;
    size_t n;
    unsigned char id[NL_W3C_MAX_FIELDS];
    char names[8192];             /* the #Fields names, NUL-separated (columns): name_off[] into it */
    uint16_t name_off[NL_W3C_MAX_FIELDS], name_len[NL_W3C_MAX_FIELDS];
    int proxy;                    /* the fields are a proxy's (SK_NRF_PROXY_LOG) */
    int have_date;                /* #Date: the date of lines that have a time only */
    int year, month, day;
} nl_w3c;

#define NL_CSV_MAX_COLS 512
/* firewall CSV: the header and a record spanning lines (a quoted line break) */
typedef struct nl_csv {
    int have_header, header_bad;
    size_t n_cols;
    short field[NL_CSV_MAX_COLS]; /* nl_fld of each column, -1: kept in fields_extra */
    size_t name_off[NL_CSV_MAX_COLS], name_len[NL_CSV_MAX_COLS];
    sk_buf names;                 /* the header's names (decoded) */
    sk_buf rec;                   /* the record being assembled */
    uint64_t rec_line;            /* its first line */
    unsigned rec_lines;           /* lines in it */
    int open;                     /* a quoted field is open at the end of rec */
    int last_cr;                  /* rec's last line ended in CR LF (the break inside the quotes) */
} nl_csv;

/* Windows DHCP audit log: the column line */
typedef struct nl_windhcp {
    int have_header;
    size_t n_cols;
    int col_id, col_date, col_time, col_ip, col_name, col_mac, col_user;
} nl_windhcp;

#define NL_MAX_COLS 512
/* the current record's columns (sk_netlog_options.columns): copies in text, at offsets
 * until nl_emit turns them into the record's pointers (text may move while it grows) */
typedef struct nl_cols {
    sk_buf text;
    size_t n;
    size_t koff[NL_MAX_COLS], kn[NL_MAX_COLS], voff[NL_MAX_COLS], vn[NL_MAX_COLS];
    sk_nstr key[NL_MAX_COLS], val[NL_MAX_COLS];
} nl_cols;

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
    int sys_last_month, sys_year_add;  /* syslog without a year: a month going back past half a year is the next year */
    int cr;                       /* the current line ended in CR LF */
    nl_map map;
    nl_w3c w3c;
    nl_csv csv;
    nl_windhcp wdhcp;
    nl_cols cols;
};

/* columns (sk_netlog_options.columns; nothing is kept when it is off): one column's
 * name and value copied; a value may be NULL with vn 0 (an empty one). 0 or SK_ENOMEM */
int nl_col_add(sk_netlog_reader *r, const char *k, size_t kn, const char *v, size_t vn);
/* more of the last column's value (right after nl_col_add) */
int nl_col_append(sk_netlog_reader *r, const char *v, size_t vn);
/* 1 when records carry their columns */
static inline int nl_want_cols(const sk_netlog_reader *r)
{
    return r->o.columns;
}

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
/* a word with a high bit set in each byte where w has a blank or a tab */
static inline uint64_t nl_blank_bytes(uint64_t w)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t a = w ^ (ones * ' '), b = w ^ (ones * '\t');
    return ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
}

/* the first byte c in s[0..n), eight bytes at a time (memchr without the call, for the
 * short distances between separators); NULL when there is none */
static inline char *nl_find_byte(char *s, size_t n, char c)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t k = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; k + 8 <= n; k += 8) {
        uint64_t w;
        memcpy(&w, s + k, 8);
        uint64_t x = w ^ (ones * (uint8_t)c);
        uint64_t m = (x - ones) & ~x & highs; /* the lowest flagged byte is a true one */
        if (m) return s + k + ((size_t)__builtin_ctzll(m) >> 3);
    }
#endif
    for (; k < n; k++)
        if (s[k] == c) return s + k;
    return NULL;
}

/*
 * Cut s[0..n) at every byte `sep`: the fields' starts and lengths into f[] and fl[] (the
 * first `max`), their count returned (one more than the separators). *backslash is set
 * when the line holds a '\\' (escapes to decode). Sixteen bytes at a time where SSE2
 * is there, eight elsewhere: one pass over the line, however many fields it has.
 */
size_t nl_cut_fields(char *s, size_t n, char sep, char **f, size_t *fl, size_t max, int *backslash);

/* the next blank-separated token of s[*i..n) (inline: every reader cuts every line) */
static inline int nl_token(const char *s, size_t n, size_t *i, const char **t, size_t *tn)
{
    size_t k = *i;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k >= n) {
        *i = k;
        return 0;
    }
    size_t st = k;
    while (k + 8 <= n) { /* eight bytes at a time to the next blank or tab */
        uint64_t w;
        memcpy(&w, s + k, 8);
        uint64_t m = nl_blank_bytes(w);
        if (m) { /* the lowest flagged byte is a true one: the first blank (bytes in memory order) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            k += (size_t)__builtin_ctzll(m) >> 3;
            *t = s + st;
            *tn = k - st;
            *i = k;
            return 1;
#else
            break;
#endif
        }
        k += 8;
    }
    while (k < n && s[k] != ' ' && s[k] != '\t') k++;
    *t = s + st;
    *tn = k - st;
    *i = k;
    return 1;
}
/* a MAC address (aa:bb:.., aa-bb-.., aabbccddeeff, aabb.ccdd.eeff) as lower-case aa:bb:..; 0 ok */
int nl_mac(const char *s, size_t n, char out[18]);
/* a local wall-clock time to UTC with the options' zone (none: taken as UTC, said in *q) */
int nl_local_time(const sk_netlog_reader *r, const sk_civil *c, sk_time *t, uint32_t *q);
/* "YYYY-MM-DD[ T]HH:MM[:SS[.f]][zone]" (also '/' in the date), or epoch seconds (up to 11
 * digits; 12-14: milliseconds, 15-17: microseconds, 18-19: nanoseconds); local times
 * read with the options' zone. 0 ok */
int nl_datetime(const sk_netlog_reader *r, const char *s, size_t n, sk_time *t, uint32_t *q);
/* the number of d digits at s (0 when any is not a digit) */
int nl_digits(const char *s, size_t d, int *out);
/* case-insensitive equality of s[0..n) and the NUL-terminated lower-case w */
int nl_ieq(const char *s, size_t n, const char *w);

/* field maps (netlog_map.c) */
int nl_map_parse(nl_map *m, const char *spec);
void nl_map_free(nl_map *m);
const char *nl_fld_name(int f);
/* the column of a CSV header name: the user's map first, else the built-in names; -1 none */
int nl_map_csv_field(const nl_map *m, const char *name, size_t n);
/* the member paths tried for a field in JSON (the user's one, or the built-in ones): the
 * i-th, or NULL past the last */
const char *nl_map_json_path(const nl_map *m, int f, size_t i);
/* one mapped value (text, NUL not required; may be changed in place) into rec: 0, or -1
 * when it does not parse (for the message); a MAC is written to mac, which must live as
 * long as the record */
int nl_map_set(sk_netrec *rec, int f, char *v, size_t n, char mac[18]);
/* outcome from action and bytes (firewall rule): deny attempted; allow with bytes in
 * established, else unknown */
void nl_map_outcome(sk_netrec *rec);

/* A JSON-lines record: 1 with the parsed line (*doc to free, *o its object); 0 for a
 * blank line, or after reporting a line that is no JSON or no object ("a JSON array
 * WHERE"). */
int nl_json_object_line(sk_netlog_reader *r, const char *s, size_t n, const char *where, sk_json_doc **doc, const sk_json_value **o);

/* per format: one line (NUL-terminated copy, no newline) */
int nl_squid_line(sk_netlog_reader *r, char *s, size_t n);
int nl_zeek_tsv_line(sk_netlog_reader *r, char *s, size_t n);
int nl_zeek_json_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_syslog_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_leases_line(sk_netlog_reader *r, char *s, size_t n);
int nl_dhcpd_leases_end(sk_netlog_reader *r);
void nl_zeek_free(nl_zeek *z);
int nl_w3c_line(sk_netlog_reader *r, char *s, size_t n);
int nl_fwcsv_line(sk_netlog_reader *r, char *s, size_t n);
int nl_fwcsv_end(sk_netlog_reader *r);
void nl_fwcsv_broken(sk_netlog_reader *r);   /* a line the core rejected: an open record does not read */
int nl_windhcp_line(sk_netlog_reader *r, char *s, size_t n);
int nl_windns_line(sk_netlog_reader *r, char *s, size_t n);
int nl_jsonl_line(sk_netlog_reader *r, char *s, size_t n);
/* content tests for detection (one line, no newline) */
int nl_w3c_detect(const char *l, size_t n);
int nl_fwcsv_detect(const nl_map *m, const char *l, size_t n); /* m NULL: the built-in names */
int nl_windhcp_detect(const char *l, size_t n);
int nl_windns_detect(const char *l, size_t n);
int nl_jsonl_detect(const char *l, size_t n);

#endif
