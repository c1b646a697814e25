/*
 * net_sigma.h - Sigma rules over network logs, for `sakimori hunt net --sigma`
 * (net_sigma.c): each record the readers give is turned into the event view
 * (sk_netrec_to_event) and matched on the reading thread; the detections a chunk gave
 * are applied on the calling thread in input order, where they become one finding per
 * host and rule (the host attributed as the contacts' are), with the first and last
 * time, the count and a bounded sample of the lines as evidence.
 */
#ifndef SK_NET_SIGMA_H
#define SK_NET_SIGMA_H

#include <stdio.h>

#include <sakimori/buf.h>
#include <sakimori/net.h>
#include <sakimori/netlog.h>
#include <sakimori/sigma.h>

typedef struct net_sigma net_sigma;
typedef struct net_sigma_chunk net_sigma_chunk;

/* how a finding's host is told: the host that held an address at a time (NULL: none;
 * *how the attribution, as sk_attrib_lookup says it) */
typedef const char *(*net_sigma_attrib)(void *ctx, const sk_ip *ip, sk_time t, int *how);

/* The hunt's state over a rule set (borrowed: it must outlive the state). */
int net_sigma_new(net_sigma **out, const sk_sigma_set *set, net_sigma_attrib attrib, void *attrib_ctx);
void net_sigma_free(net_sigma *s);

/* A chunk's state (calling thread); NULL when out of memory. */
net_sigma_chunk *net_sigma_chunk_new(net_sigma *s);
/* One record of the chunk, read as format fmt (a reading thread). 0 or an error. */
int net_sigma_rec(net_sigma_chunk *k, const sk_netrec *r, sk_netlog_format fmt);
/* Detections the chunk holds (a serial reader hands its chunk over when it grows). */
size_t net_sigma_chunk_pending(const net_sigma_chunk *k);
/* The chunk's detections applied (calling thread, input order), for input `input`;
 * the chunk is freed. 0 or SK_ENOMEM. */
int net_sigma_chunk_done(net_sigma *s, net_sigma_chunk *k, uint32_t input);

/* How many findings there are (after the last chunk). */
size_t net_sigma_count(const net_sigma *s);
/* Write finding i (in host, rule order) as a JSON line, a CSV row (the hunt's columns)
 * or a table line; paths and sha are the inputs' by index. how_name names an
 * attribution. */
enum { NET_SIGMA_JSONL, NET_SIGMA_CSV, NET_SIGMA_TABLE };
int net_sigma_write(net_sigma *s, size_t i, int format, char *const *paths, char (*sha)[65], const char *(*how_name)(int),
                    sk_buf *out);
/* Totals for the summary: records matched, detections (lines), undecided evaluations. */
void net_sigma_totals(const net_sigma *s, uint64_t *events, uint64_t *hits, uint64_t *undecided);
/* On stderr, the rules that saw records of a source lacking a field they need (each
 * line begins with prefix). */
void net_sigma_report_lacking(const net_sigma *s, const char *prefix);
/* How many hosts (or addresses) the findings name. */
size_t net_sigma_hosts(net_sigma *s);

#endif
