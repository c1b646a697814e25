/*
 * ioc.h - indicator sets (docs/network.md "Indicators"): lists of addresses, networks,
 * domains, URLs and file hashes, parsed from text the caller read (engines never open
 * files), normalised, compiled once into an immutable set, and matched against the
 * values of network records. Every indicator keeps its source, line and comment; a
 * line that is no indicator is one diagnostic and the rest loads.
 */
#ifndef SAKIMORI_IOC_H
#define SAKIMORI_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sk_ioc_type {
    SK_IOC_IP = 0, SK_IOC_CIDR, SK_IOC_DOMAIN, SK_IOC_URL, SK_IOC_MD5, SK_IOC_SHA1, SK_IOC_SHA256, SK_IOC_TYPES
} sk_ioc_type;

/** The type's name as findings write it ("ipv4-addr" style is not used: "ip", "cidr", ...). */
const char *sk_ioc_type_name(sk_ioc_type t);

typedef struct sk_ioc {
    sk_ioc_type type;
    const char *text;        /**< as written in its source */
    const char *norm;        /**< normalised (lower case, no trailing dot, default port dropped) */
    const char *source;      /**< the source's name as given */
    uint64_t line;
    const char *comment;     /**< the comment on its line or the line before, or NULL */
    int subdomains_only;     /**< domains: written "*.example.com" */
} sk_ioc;

typedef struct sk_ioc_set sk_ioc_set;

int sk_ioc_set_new(sk_ioc_set **out);
void sk_ioc_set_free(sk_ioc_set *s);
/** Add a plain list (one indicator a line, its type told by its form; '#' comments).
 * Lines that are no indicator go to diag ("SOURCE:LINE: why"); returns 0 or ENOMEM. */
int sk_ioc_set_add_list(sk_ioc_set *s, const char *source, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                        void *ctx);
size_t sk_ioc_set_count(const sk_ioc_set *s);
const sk_ioc *sk_ioc_get(const sk_ioc_set *s, size_t i);

/** Called for each indicator a value matches (its index); non-zero stops. */
typedef int (*sk_ioc_hit_cb)(void *ctx, size_t ioc);
/** An address: indicators equal to it and networks that contain it. */
int sk_ioc_match_ip(const sk_ioc_set *s, const sk_ip *ip, sk_ioc_hit_cb cb, void *ctx);
/** A host name (any case, trailing dot allowed): the domain itself and every parent. */
int sk_ioc_match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** A URL (scheme://host[:port]/path?query), normalised as the indicators are. */
int sk_ioc_match_url(const sk_ioc_set *s, const char *url, size_t n, sk_ioc_hit_cb cb, void *ctx);
/** A hex digest (any case) of 32, 40 or 64 digits. */
int sk_ioc_match_hash(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
