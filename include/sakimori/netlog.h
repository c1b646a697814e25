/*
 * netlog.h - network logs read into one record shape (docs/network.md): proxy (Squid
 * native), Zeek (TSV and JSON: conn, dns, http, ssl, files), web servers (W3C extended,
 * IIS), the Windows DNS server debug log, firewall CSV and generic JSON lines (columns
 * or members named by a field map), DHCP (ISC dhcpd syslog lines,
 * dhcpd.leases, the Windows DHCP server audit log). The reader is pushed bytes (any chunking; it never opens a
 * file: the caller does, and hashes what it read) and calls back once per record, in
 * input order, with a view whose strings live only during the call.
 *
 * Hostile input: a line longer than SK_NETLOG_MAX_LINE, with a NUL or invalid UTF-8,
 * with the wrong number of fields or a value that does not parse is one diagnostic
 * naming the line, and the next line is read. Memory is bounded by the longest line.
 */
#ifndef SAKIMORI_NETLOG_H
#define SAKIMORI_NETLOG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "event.h"
#include "net.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_NETLOG_MAX_LINE 65536

/** Formats; SK_NL_AUTO: recognised by content (the first lines). */
typedef enum sk_netlog_format {
    SK_NL_AUTO = 0,
    SK_NL_SQUID,          /**< Squid native access.log */
    SK_NL_ZEEK_TSV,       /**< Zeek ASCII logs with #fields headers */
    SK_NL_ZEEK_JSON,      /**< Zeek JSON logs, one object a line */
    SK_NL_DHCPD_SYSLOG,   /**< ISC dhcpd messages as syslog writes them */
    SK_NL_DHCPD_LEASES,   /**< ISC dhcpd.leases */
    SK_NL_W3C,            /**< W3C extended log (IIS, proxies): #Fields directives */
    SK_NL_FWCSV,          /**< firewall CSV (RFC 4180) with a header row, read through a field map */
    SK_NL_WINDHCP,        /**< Windows DHCP server audit log (DhcpSrvLog-*.log) */
    SK_NL_WINDNS,         /**< Windows DNS server debug log (PACKET lines) */
    SK_NL_JSON,           /**< generic JSON lines read through a field map (ECS names by default) */
    SK_NL_FORMATS
} sk_netlog_format;

/** The format's name as options and messages write it ("squid", "zeek", ...). */
const char *sk_netlog_format_name(sk_netlog_format f);
/** A name (or "auto") to a format; -1 when it is none. */
int sk_netlog_format_from_name(const char *s);

typedef struct sk_nstr {
    const char *s;        /**< NULL: absent */
    size_t n;
} sk_nstr;

enum sk_netrec_has {
    SK_NR_SRC_IP = 1u << 0, SK_NR_SRC_PORT = 1u << 1, SK_NR_DST_IP = 1u << 2, SK_NR_DST_PORT = 1u << 3,
    SK_NR_STATUS = 1u << 4, SK_NR_BYTES_OUT = 1u << 5, SK_NR_BYTES_IN = 1u << 6,
    SK_NR_LEASE_START = 1u << 7, SK_NR_LEASE_END = 1u << 8, SK_NR_LEASE_NEVER = 1u << 9
};

/** Whether a contact was made. */
enum sk_netrec_outcome { SK_NR_OUTCOME_NONE = 0, SK_NR_ESTABLISHED, SK_NR_ATTEMPTED, SK_NR_UNKNOWN };
enum sk_netrec_action { SK_NR_ACTION_NONE = 0, SK_NR_ALLOW, SK_NR_DENY };
enum sk_netrec_dhcp {
    SK_NR_DHCP_NONE = 0, SK_NR_DHCP_ACK, SK_NR_DHCP_REQUEST, SK_NR_DHCP_OFFER, SK_NR_DHCP_DISCOVER,
    SK_NR_DHCP_RELEASE, SK_NR_DHCP_INFORM, SK_NR_DHCP_NAK, SK_NR_DHCP_EXPIRE, SK_NR_DHCP_LEASE
};

/** Record flags. */
enum sk_netrec_flags {
    SK_NRF_INFORM_REPLY = 1u << 0, /**< dhcpd's "DHCPACK to IP (mac)": the reply to an INFORM, no grant */
    SK_NRF_PROXY_LOG = 1u << 1     /**< W3C: a proxy's log (its #Fields name what it fetched: r-*, rs-*, s-action, ...), not a web server's */
};

#define SK_NETREC_MAX_ANSWERS 32
#define SK_NETREC_MAX_EXTRA 32

/** One record (tests/fixtures/net/README.md gives the normalized schema it prints as). */
typedef struct sk_netrec {
    uint64_t line;          /**< 1-based line of the record (a lease block: its `lease` line) */
    const char *kind;       /**< "conn", "dns", "http", "ssl", "files", "proxy", "dhcp", "web", "fw", "json"; other Zeek logs: their path; fwcsv/json: the map's kind if it sets one */
    sk_time ts;             /**< SK_TIME_NONE: none */
    uint32_t ts_quality;    /**< sk_time_quality flags */
    unsigned has;           /**< sk_netrec_has */
    sk_ip src_ip, dst_ip;
    uint16_t src_port, dst_port;
    int status;
    uint64_t bytes_out, bytes_in;
    int outcome, action, dhcp;
    unsigned flags;         /**< SK_NRF_* */
    sk_time lease_start, lease_end;
    sk_nstr proto, host, url, method, user_agent, user, sni, mac, client_name, uid, qtype, rcode;
    sk_nstr md5, sha1, sha256;
    /** sk_netlog_options.columns: every column (or member) of the line under its name
     * as the log writes it, values as logged (decoded, unset ones left out): Zeek,
     * W3C, firewall CSV and JSON lines; Squid and the DNS and DHCP logs have none */
    const sk_nstr *col_key, *col_val;
    size_t n_cols;
    sk_nstr answers[SK_NETREC_MAX_ANSWERS], cname[SK_NETREC_MAX_ANSWERS];
    size_t n_answers, n_cname;
    /** fwcsv: the columns no record field takes, by header name (non-empty values, the
     * first SK_NETREC_MAX_EXTRA); printed as "fields_extra" */
    sk_nstr extra_key[SK_NETREC_MAX_EXTRA], extra_val[SK_NETREC_MAX_EXTRA];
    size_t n_extra;
} sk_netrec;

typedef int (*sk_netrec_cb)(void *ctx, const sk_netrec *rec);

typedef struct sk_netlog_options {
    sk_netlog_format format;    /**< SK_NL_AUTO: by content */
    int year;                   /**< syslog lines without a year (0: the current year) */
    const sk_tz *local;         /**< local times without a zone (NULL: UTC, said in ts_quality) */
    const char *name;           /**< the input's file name: a Zeek log without a path is of the kind its name says (conn.log) */
    /** fwcsv and json: which column (header name) or member (dotted path) is which
     * record field, "field=Name,field=Name" (or one entry a line, when the text has a
     * newline: names may then hold commas; '#' lines are comments); "kind=NAME" sets the
     * records' kind. An entry replaces the built-in names for its field, an empty name
     * ("user=") turns the field off. NULL: the built-in names only (docs/network.md).
     * Parsed by sk_netlog_reader_new (not kept). */
    const char *field_map;
    /** 1: records carry their columns as logged (sk_netrec.col_key/col_val), for the
     * engines that name fields as the log does (Sigma); 0: not built (faster). */
    int columns;
    /** One line per problem, "line N: what" (the caller adds the input's name). */
    void (*diag)(void *ctx, const char *line);
    void *diag_ctx;
} sk_netlog_options;

typedef struct sk_netlog_reader sk_netlog_reader;

/** Check a field map (sk_netlog_options.field_map): 0, or SK_EINVAL with a one-line
 * message naming the entry that is no record field or no valid name. */
int sk_netlog_field_map_check(const char *spec);

/** A reader; `o` is copied (its zone must outlive the reader). SK_EINVAL when the field
 * map does not read (the message says why). */
int sk_netlog_reader_new(sk_netlog_reader **out, const sk_netlog_options *o, sk_netrec_cb cb, void *ctx);
void sk_netlog_reader_free(sk_netlog_reader *r);
/** Push bytes (any chunking). A non-zero return of the callback stops and is returned. */
int sk_netlog_feed(sk_netlog_reader *r, const void *data, size_t n);
/** The end of the input (a last line without a newline is read). */
int sk_netlog_end(sk_netlog_reader *r);
/** The format read (after the first records), records and lines in error so far. */
sk_netlog_format sk_netlog_reader_format(const sk_netlog_reader *r);
uint64_t sk_netlog_reader_records(const sk_netlog_reader *r);
uint64_t sk_netlog_reader_errors(const sk_netlog_reader *r);
/** 1 when the input's first line is no format this reader knows (nothing more is read). */
int sk_netlog_reader_rejected(const sk_netlog_reader *r);
/** The number of lines before the next byte fed: a reader given a part of an input
 * that starts at a line numbers its lines as the whole input does. */
void sk_netlog_reader_set_line(sk_netlog_reader *r, uint64_t lines_before);

/** Guess the format from the first bytes of an input; SK_NL_AUTO when none fits. */
sk_netlog_format sk_netlog_detect(const char *data, size_t n);

/**
 * The record as the typed event view the Sigma engine reads (docs/sigma-logsources.md):
 * its log source from the reader (`fmt`, the format read) and the record (reader and
 * channel), its columns (read with sk_netlog_options.columns) and the taxonomy's names
 * for what the reader understood as fields, the evidence from `src` (path, SHA-256) and
 * the record's line. Strings point into the record and into `a`: the view lives while
 * both do. 1 when the record is of no Sigma log source (DHCP); SK_ELIMIT when the arena
 * is full.
 */
int sk_netrec_to_event(sk_event *ev, const sk_netrec *r, sk_netlog_format fmt, const sk_event_src *src, sk_arena *a);

/** The record as one JSON object (the fixtures' schema), without a newline. */
int sk_netrec_write_json(sk_buf *out, const sk_netrec *r);

#ifdef __cplusplus
}
#endif

#endif
