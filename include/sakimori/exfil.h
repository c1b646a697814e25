/*
 * exfil.h - outbound volume against baselines (docs/network.md "Exfiltration"): every
 * record that says how many bytes one of our hosts sent outside is added to the host's
 * day (UTC) for that sensor; a day stands out when it sent at least min_bytes and at
 * least `ratio` times the larger of the host's own median day and its peer group's
 * median day. Each candidate keeps its largest destinations and the records that sent
 * the most, for the evidence. A day's volume is its best sensor's (a proxy and a Zeek
 * sensor before it count the same bytes once).
 */
#ifndef SAKIMORI_EXFIL_H
#define SAKIMORI_EXFIL_H

#include <stddef.h>
#include <stdint.h>

#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_EXFIL_DESTS 5
#define SK_EXFIL_REFS 4

typedef struct sk_exfil_options {
    uint64_t min_bytes;         /**< a day below this is never a candidate (0: 100 MB) */
    double ratio;               /**< times the baseline (0: 5) */
} sk_exfil_options;

typedef struct sk_exfil_obs {
    const char *host;           /**< attributed host, or the address */
    size_t host_n;
    const char *group;          /**< peer group (asset role), or NULL */
    const char *dest;           /**< destination name or address:port */
    size_t dest_n;
    int sensor;                 /**< any small integer naming the log kind */
    sk_time t;
    uint64_t bytes_out;
    uint32_t input;
    uint64_t line;
} sk_exfil_obs;

typedef struct sk_exfil_dest {
    const char *dest;
    uint64_t bytes;
} sk_exfil_dest;

typedef struct sk_exfil_ref {
    uint32_t input;
    uint64_t line, bytes;
    sk_time t;
} sk_exfil_ref;

typedef struct sk_exfil_cand {
    const char *host, *group;
    int64_t day;                /**< days since 1970-01-01 (UTC) */
    uint64_t bytes, records;
    double own_median, peer_median, ratio;
    size_t days_seen;           /**< days the host sent anything */
    sk_exfil_dest dests[SK_EXFIL_DESTS];
    size_t n_dests;
    sk_exfil_ref refs[SK_EXFIL_REFS]; /**< the records that sent the most */
    size_t n_refs;
    sk_time first, last;
} sk_exfil_cand;

typedef struct sk_exfil sk_exfil;

int sk_exfil_new(sk_exfil **out, const sk_exfil_options *o);
void sk_exfil_free(sk_exfil *x);
/** ENOMEM is the only error. */
int sk_exfil_add(sk_exfil *x, const sk_exfil_obs *o);
/** The candidates, largest ratio first (owned by x until it is freed). */
int sk_exfil_rank(sk_exfil *x, const sk_exfil_cand **out, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
