/*
 * ioc.h - indicator sets (docs/network.md "Indicators"): addresses, networks, domains,
 * URLs, file hashes, user agents and JA3 fingerprints, read from text the caller read (engines never open files): plain
 * lists, CSV with named columns, STIX 2.1 bundles, MISP JSON exports, and MISP
 * warninglists that filter false positives out. Values are normalised and compiled
 * once into an immutable set matched by hash lookups. Every indicator keeps its source,
 * line, comment, id and validity window; an entry that is no indicator is one
 * diagnostic and the rest loads. The same value from several entries or sources is one
 * match target, every entry of it kept.
 */
#ifndef SAKIMORI_IOC_H
#define SAKIMORI_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sk_ioc_type {
    SK_IOC_IP = 0, SK_IOC_CIDR, SK_IOC_DOMAIN, SK_IOC_URL, SK_IOC_MD5, SK_IOC_SHA1, SK_IOC_SHA256,
    SK_IOC_USER_AGENT,          /**< an HTTP User-Agent, matched exactly (plain lists: "ua:" before it) */
    SK_IOC_JA3,                 /**< a JA3 TLS client fingerprint, 32 hex digits (plain lists: "ja3:" before it) */
    SK_IOC_TYPES
} sk_ioc_type;

/** The type's name as findings write it ("ip", "cidr", "domain", "url", "md5", ..., "user_agent", "ja3"). */
const char *sk_ioc_type_name(sk_ioc_type t);

typedef struct sk_ioc {
    sk_ioc_type type;
    const char *text;        /**< the value as written in its source (STIX: the pattern's literal) */
    const char *norm;        /**< normalised (docs/network.md: lower case, punycode, default port dropped, ...) */
    const char *source;      /**< the source's name as given */
    uint64_t line;           /**< its line; JSON: the line where its object (STIX indicator, MISP attribute) starts */
    const char *comment;     /**< plain: the comment on its line or the block's; CSV comment column; STIX name and
                                  description; MISP comment or the event's info; or NULL */
    const char *id;          /**< STIX indicator id, MISP attribute uuid, CSV id column, or NULL */
    const char *feed;        /**< the origin the entry names itself (CSV source column, MISP creator org), or NULL */
    sk_time valid_from;      /**< the first instant it is valid, SK_TIME_NONE when open */
    sk_time valid_until;     /**< the first instant it is no longer valid (exclusive), SK_TIME_NONE when open */
    size_t target;           /**< the first entry with the same type and normalised value: what matches report */
    const char *warninglist; /**< the warninglist that filters it out (it is never matched), or NULL */
    int subdomains_only;     /**< domains: written "*.example.com" */
} sk_ioc;

/** What loading saw, summed over every source added. */
typedef struct sk_ioc_stats {
    size_t entries;          /**< indicators loaded (sk_ioc_set_count) */
    size_t targets;          /**< distinct match targets among them */
    size_t refused;          /**< values or lines that are no indicator (each one diagnostic) */
    size_t unsupported;      /**< STIX patterns, MISP attributes and warninglists that cannot be matched */
    size_t not_to_ids;       /**< MISP attributes with to_ids false: not loaded */
    size_t filtered;         /**< entries on a warninglist: never matched */
    size_t warninglists;     /**< warninglists loaded */
} sk_ioc_stats;

typedef struct sk_ioc_set sk_ioc_set;

int sk_ioc_set_new(sk_ioc_set **out);
void sk_ioc_set_free(sk_ioc_set *s);

/** The diagnostic sink: one line, "SOURCE:LINE: why" (no newline). */
typedef void (*sk_ioc_diag_cb)(void *ctx, const char *line);

/**
 * Add indicators from data[0..n) (a file's bytes) named `source`, its format told by
 * content (docs/network.md): JSON ('{' or '[' first) is a STIX 2.1 bundle, indicator or
 * array of indicators, a MISP event export (an event, a list of events, {"response":
 * [...]}) or a MISP warninglist; text whose first line is a header naming a value column
 * is CSV; anything else is a plain list. Entries that are no indicator, unsupported STIX
 * patterns, warninglisted indicators and MISP summaries go to diag. Returns 0; SK_EFORMAT
 * (message set, nothing added) when the input as a whole cannot be read (broken JSON, or
 * JSON of no known shape); SK_ENOMEM.
 */
int sk_ioc_set_add(sk_ioc_set *s, const char *source, const char *data, size_t n, sk_ioc_diag_cb diag, void *ctx);

/** Add a plain list (one indicator a line, its type told by its form; '#' comments).
 * Lines that are no indicator go to diag ("SOURCE:LINE: why"); returns 0 or ENOMEM. */
int sk_ioc_set_add_list(sk_ioc_set *s, const char *source, const char *data, size_t n, sk_ioc_diag_cb diag, void *ctx);

size_t sk_ioc_set_count(const sk_ioc_set *s);
const sk_ioc *sk_ioc_get(const sk_ioc_set *s, size_t i);
void sk_ioc_set_stats(const sk_ioc_set *s, sk_ioc_stats *out);

/** The next entry of the same match target as entry i (another source or line that
 * gave the same value), or SIZE_MAX. Start from a target's index. */
size_t sk_ioc_set_next_entry(const sk_ioc_set *s, size_t i);

/** 1 when the indicator is valid at t (valid_from <= t < valid_until, open ends
 * unbounded; t == SK_TIME_NONE, an unknown time, is valid), else 0. */
int sk_ioc_valid_at(const sk_ioc *ioc, sk_time t);
/** 1 when any entry of the match target `target` is valid at t. */
int sk_ioc_set_valid_at(const sk_ioc_set *s, size_t target, sk_time t);

/** Called for each match target a value matches (its index, an entry's `target`);
 * non-zero stops. Warninglisted targets are never reported. */
typedef int (*sk_ioc_hit_cb)(void *ctx, size_t ioc);
/** An address: indicators equal to it and networks that contain it. */
int sk_ioc_match_ip(const sk_ioc_set *s, const sk_ip *ip, sk_ioc_hit_cb cb, void *ctx);
/** A host name (any case, trailing dot allowed): the domain itself and every parent. */
int sk_ioc_match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** sk_ioc_match_domain, and *url_may as sk_ioc_url_host_may_match(host) would say (one
 * pass over the name for both: a Zeek http record's host is asked both questions). */
int sk_ioc_match_host(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx, int *url_may);
/** A URL (scheme://host[:port]/path?query), normalised as the indicators are. */
int sk_ioc_match_url(const sk_ioc_set *s, const char *url, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** 0 when no URL indicator can have this host (a host name as a record gives it), so a
 * URL built from it need not be matched; 1 when one may (the filter's answer: false
 * positives, never false negatives). */
int sk_ioc_url_host_may_match(const sk_ioc_set *s, const char *host, size_t n);
/** A hex digest (any case) of 32, 40 or 64 digits. */
int sk_ioc_match_hash(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** A User-Agent header's value, byte for byte. */
int sk_ioc_match_user_agent(const sk_ioc_set *s, const char *ua, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** A JA3 fingerprint: 32 hex digits, any case. */
int sk_ioc_match_ja3(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
