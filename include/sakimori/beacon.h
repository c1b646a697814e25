/*
 * beacon.h - beacon candidates (docs/network.md "Beacons"): every contact of an internal
 * host with a destination (a host name where the log has one, else address:port) is an
 * observation; each (host, destination) series is scored by how regular its intervals
 * and sizes are, how persistent it is over the hours the host was active, and how
 * unusual it is in the fleet (how many other hosts of its peer group talk to that
 * destination with the same period), and the series are ranked. An allowlist entry (a domain together with
 * the user agent, URI or process that makes its traffic benign) down-ranks a series
 * whose contacts it covers; it never removes one. Memory is bounded: a series keeps at
 * most max_points contacts, the whole at most max_total_points, and the summary says
 * when a bound was reached.
 */
#ifndef SAKIMORI_BEACON_H
#define SAKIMORI_BEACON_H

#include <stddef.h>
#include <stdint.h>

#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where an observation came from: a series is scored per sensor, its best sensor kept
 * (a proxy and a Zeek sensor in front of it see the same contacts at other times). */
enum sk_beacon_sensor { SK_BEACON_PROXY = 0, SK_BEACON_HTTP, SK_BEACON_SSL, SK_BEACON_CONN, SK_BEACON_FW, SK_BEACON_DNS, SK_BEACON_OTHER,
                        SK_BEACON_SENSORS };

typedef struct sk_beacon_allow sk_beacon_allow;

/** An allowlist: one entry a line, `DOMAIN [ua=GLOB] [uri=GLOB] [process=GLOB]`
 * (docs/network.md); '#' comments. The domain matches itself and its subdomains. */
int sk_beacon_allow_new(sk_beacon_allow **out);
void sk_beacon_allow_free(sk_beacon_allow *a);
/** Lines that do not read go to diag ("SOURCE:LINE: why"); returns 0 or ENOMEM. */
int sk_beacon_allow_add(sk_beacon_allow *a, const char *source, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                        void *ctx);
size_t sk_beacon_allow_count(const sk_beacon_allow *a);

typedef struct sk_beacon_obs {
    const char *host;           /**< the internal side: the attributed host, or its address */
    size_t host_n;
    const char *group;          /**< the host's peer group (its role in an asset inventory), or NULL */
    const char *dest;           /**< a host name (any case) or "address:port" */
    size_t dest_n;
    int sensor;                 /**< sk_beacon_sensor */
    sk_time t;
    uint64_t bytes;             /**< bytes out where the log has them, else in */
    int has_bytes;
    const char *ua, *uri, *process; /**< for the allowlist (NULL: the log does not say) */
    size_t ua_n, uri_n, process_n;
    uint32_t input;             /**< evidence: the caller's input index and line */
    uint64_t line;
} sk_beacon_obs;

typedef struct sk_beacon_options {
    size_t min_contacts;        /**< fewer distinct contacts: no candidate (0: 10) */
    double collapse_s;          /**< contacts closer than this count once (0: 1 s) */
    size_t max_points;          /**< kept per series (0: 16384) */
    uint64_t max_total_points;  /**< kept in all (0: 32 M) */
    const sk_beacon_allow *allow;
} sk_beacon_options;

#define SK_BEACON_REFS 8

typedef struct sk_beacon_ref {
    uint32_t input;
    uint64_t line;
    sk_time t;
} sk_beacon_ref;

/** A ranked candidate (docs/network.md gives the formula). */
typedef struct sk_beacon_cand {
    const char *host, *dest;
    const char *group;          /**< the host's peer group, or NULL */
    int sensor;
    double score;               /**< 0..100 */
    double interval_score, size_score, persistence, unusual;  /**< each 0..1; size_score < 0: no sizes */
    double median_interval_s, madm_interval_s, bowley_interval;
    double median_bytes, madm_bytes;
    uint64_t contacts;          /**< distinct contacts (after collapsing) scored */
    uint64_t observations;      /**< all observations of the series, kept or not */
    uint64_t hours_seen, hours_active;
    size_t peers;               /**< other hosts of its group whose series to dest has a period within 20% */
    size_t dest_hosts;          /**< hosts that contacted dest at all */
    size_t hosts;               /**< hosts seen in all */
    int odd_port;               /**< the destination is an address and a port no common service uses: raised */
    int allowlisted;            /**< an allowlist entry covers most contacts: score halved */
    const char *allow_source;
    uint64_t allow_line;
    int truncated;              /**< the series reached a bound: scored on the contacts kept */
    sk_time first, last;
    uint64_t bytes_total;
    sk_beacon_ref refs[SK_BEACON_REFS]; /**< the earliest, a spread, the latest */
    size_t n_refs;
} sk_beacon_cand;

typedef struct sk_beacons sk_beacons;

/** `o` is copied (its allowlist must outlive the set). */
int sk_beacons_new(sk_beacons **out, const sk_beacon_options *o);
void sk_beacons_free(sk_beacons *b);
/** One observation (ENOMEM is the only error; a bound reached is not one). */
int sk_beacons_add(sk_beacons *b, const sk_beacon_obs *o);
/** Score and rank every series; *out (owned by the set, valid until it is freed) in
 * rank order, best first. */
int sk_beacons_rank(sk_beacons *b, const sk_beacon_cand **out, size_t *n);
/** Observations dropped because a bound was reached. */
uint64_t sk_beacons_dropped(const sk_beacons *b);
const char *sk_beacon_sensor_name(int s);

#ifdef __cplusplus
}
#endif

#endif
