/*
 * pdns.h - passive DNS (docs/network.md "Passive DNS"): the answers DNS logs show
 * (Zeek dns, a DNS server's log) kept as address -> the names that resolved to it and
 * when, so that a log with only addresses (a firewall, Zeek conn) can be asked which
 * names an address stood for at a time. A name counts for an address from its first
 * answer to `max_age` after its last one (TTLs are not in every log; the bound is the
 * caller's). An address keeps its 32 most recent names.
 */
#ifndef SAKIMORI_PDNS_H
#define SAKIMORI_PDNS_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_pdns sk_pdns;

/** max_age: how long after its last answer a name still counts (0: 24 hours). */
int sk_pdns_new(sk_pdns **out, sk_time max_age);
void sk_pdns_free(sk_pdns *p);
/** An answer: `name` (any case, trailing dot allowed) resolved to `ip` at t; (input,
 * line) is where the answer was read. ENOMEM is the only error. */
int sk_pdns_add(sk_pdns *p, const sk_ip *ip, const char *name, size_t n, sk_time t, uint32_t input, uint64_t line);

/** One (address, name) pair of a DNS answer; a non-zero return stops. */
typedef int (*sk_pdns_pair_cb)(void *ctx, const sk_ip *ip, const char *name, size_t n);

/**
 * Sysmon's DNS query event (22): QueryName and QueryResults as Sysmon writes them
 * ("type:  5 edge.example.net;::ffff:192.0.2.1;2001:db8::1;"): every address (an IPv4
 * one in Sysmon's mapped form is the IPv4 address) for the query name and for the name
 * of every "type: N name" entry (the CNAME chain, at most 8), each name lower case with
 * no trailing dot. Attacker text: names that are no host name (blanks, ';', longer than
 * 253) are left out, entries that are no address are skipped. 0, or cb's value.
 */
int sk_pdns_sysmon_pairs(const char *query, size_t qn, const char *results, size_t rn, sk_pdns_pair_cb cb, void *ctx);

/** A name an address stood for, with where it was last seen. */
typedef struct sk_pdns_name {
    const char *name;           /**< lower case, no trailing dot */
    size_t n;
    sk_time first, last;
    uint32_t input;
    uint64_t line;
} sk_pdns_name;

/** The names ip stood for at t (first - tolerance <= t <= last + max_age); at most
 * `max` into out; returns how many. Read-only: safe from several threads at once. */
size_t sk_pdns_lookup(const sk_pdns *p, const sk_ip *ip, sk_time t, sk_time tolerance, sk_pdns_name *out, size_t max);
/** Addresses and (address, name) pairs known. */
size_t sk_pdns_addresses(const sk_pdns *p);
size_t sk_pdns_pairs(const sk_pdns *p);

#ifdef __cplusplus
}
#endif

#endif
