/*
 * sakimori/registry.h - the host registry's merge rules (docs/formats/host.md) over the
 * case store: an observation of a host (a snapshot's or listing's header, an asset
 * inventory's row) is resolved to one host id, created when nothing matches, with links
 * (never merges) where only weak identifiers agree. Call inside a transaction.
 */
#ifndef SAKIMORI_REGISTRY_H
#define SAKIMORI_REGISTRY_H

#include <stddef.h>

#include "casedb.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_HOST_OBS_MAX 32

/** One identifier a machine holds. */
typedef struct sk_host_anchor {
    const char *kind, *value;
} sk_host_anchor;

/** What one source says of a host. Strings NULL when the source does not say. */
typedef struct sk_host_obs {
    const char *host_id;       /**< a listing header's own id: that host (made when new) */
    const char *name;          /**< the NetBIOS name in upper case (required) */
    const char *domain, *fqdn, *site, *region, *role;
    const char *os_family, *os_name, *os_version;
    sk_host_anchor anchors[SK_HOST_OBS_MAX];
    size_t n_anchors;
    const char *macs[SK_HOST_OBS_MAX];
    size_t n_macs;
    const char *static_ips[SK_HOST_OBS_MAX]; /**< fixed addresses (not DHCP leases) */
    size_t n_static_ips;
    sk_time seen;              /**< when the source saw it (a snapshot's start), or SK_TIME_NONE */
    const char *source;        /**< "snapshot", "listing", "assets" */
    const char *trust;         /**< of its aliases: "authoritative" (default), "observed" */
} sk_host_obs;

typedef struct sk_registry_result {
    char host_id[20];
    int created;               /**< a new host */
    const char *rule;          /**< which rule decided (static text) */
    unsigned links;            /**< links recorded to hosts it may be */
} sk_registry_result;

/** Resolve (and record) an observation. */
int sk_registry_resolve(sk_casedb *db, const sk_host_obs *o, sk_registry_result *res);

/** The id host.md defines: "h-" and 16 hex digits of SHA-256 over "sakimori-host\0"
 * kind "\0" value (value_len bytes), "\0" and the counter's digits when counter > 0. */
int sk_registry_host_id(const char *kind, const char *value, size_t value_len, unsigned counter, char out[20]);

#ifdef __cplusplus
}
#endif
#endif
