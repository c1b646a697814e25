/*
 * net_sample.h - the evidence a network finding cites (net_sample.c): of the many log
 * lines behind one finding (a contact, a Sigma detection on a host), the earliest and
 * the latest by time whatever the reading order, and a bounded sample between them
 * that thins out evenly as lines keep coming, so that a finding over a million lines
 * still cites a spread of them and says how many it left out.
 */
#ifndef SK_NET_SAMPLE_H
#define SK_NET_SAMPLE_H

#include <stdint.h>

#include <sakimori/finding.h>
#include <sakimori/timestamp.h>

#define NET_SAMPLE_MAX 16 /* references kept per finding */

/* A line locator with this bit is an EVTX record id (an event log's), else a 1-based line. */
#define NET_LOC_RECORD (UINT64_C(1) << 63)

/* one line of one input read (the input by its index in the hunt's list) */
typedef struct net_ref {
    uint32_t input;
    uint64_t line;
    sk_time t;
} net_ref;

typedef struct net_sample {
    net_ref refs[NET_SAMPLE_MAX];
    size_t n;
    uint64_t seen, omitted;
    net_ref earliest, latest;   /* at the first and last time (t SK_TIME_NONE: the first line seen) */
    sk_time first, last;        /* SK_TIME_NONE: no line had a time */
} net_sample;

void net_sample_init(net_sample *s);
void net_sample_add(net_sample *s, const net_ref *r);

/* The evidence to cite: the earliest, the sample, the latest and `extra` (NULL: none),
 * each line once, as references into paths[input] and sha[input] (ev must have room for
 * NET_SAMPLE_MAX + 3); the count, and in *omitted the lines seen and not cited. */
size_t net_sample_evidence(const net_sample *s, const net_ref *extra, char *const *paths, char (*sha)[65], sk_finding_ev *ev,
                           uint64_t *omitted);

#endif
