/*
 * net_events.h - Windows event logs in the network hunt (net_events.c): Sysmon's DNS
 * query events (event 22, QueryName and QueryResults) read for passive DNS, so that the
 * names an endpoint resolved name the addresses of logs that have only addresses
 * (firewalls, Zeek conn). The event readers do the reading (EVTX and shipped JSON, all
 * cores); each answer is handed over in input order, located by its line or, with
 * NET_LOC_RECORD, its EVTX record id.
 */
#ifndef SK_NET_EVENTS_H
#define SK_NET_EVENTS_H

#include <sakimori/evtxdump.h>
#include <sakimori/net.h>

#include "net_sample.h"


typedef struct net_events_ops {
    /* an input is about to give its first answer, or is done (sha set): the hunt's index
     * for it (inputs are announced in order) */
    uint32_t (*input)(void *ctx, size_t i, const char *path);
    void (*input_done)(void *ctx, uint32_t input, const char *sha256);
    /* one answer: ip stood for name (lower case, no trailing dot) at t */
    int (*answer)(void *ctx, const sk_ip *ip, const char *name, size_t n, sk_time t, uint32_t input, uint64_t locator);
} net_events_ops;

/* Read the inputs' Sysmon 22 events (local: NXLog's local times; threads: 0 all cores).
 * *bad is set when an input could not be read; *answers counts the (address, name)
 * pairs given. 0 or an error. */
int net_events_pdns(const char *cmd, const sk_event_inputs *ins, const sk_tz *local, unsigned threads, const net_events_ops *ops,
                    void *ctx, int *bad, uint64_t *answers);

#endif
