/*
 * attrib.h - internal addresses to hosts (docs/network.md "Attribution"): the DHCP
 * history (leases from dhcpd.leases, grants from dhcpd's ACK lines) and static
 * assignments, asked "who held this address at time t". A grant whose end the log does
 * not give lasts until the next grant of the address or the default lease time,
 * whichever comes first, and the answer says which bound it used. A time between two
 * grants to the same holder, with none to another between them, is that holder's (a
 * renewal the logs missed or came late), said as such. Two holders within
 * the tolerance, or none, is "unknown": never guessed.
 */
#ifndef SAKIMORI_ATTRIB_H
#define SAKIMORI_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "netlog.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_attrib sk_attrib;

/** How an answer was bounded. */
enum sk_attrib_how {
    SK_ATTRIB_NONE = 0,      /**< no holder known */
    SK_ATTRIB_LEASE,         /**< a lease with its end (dhcpd.leases) */
    SK_ATTRIB_NEXT_GRANT,    /**< a grant, ended by the address's next grant */
    SK_ATTRIB_DEFAULT_LEASE, /**< a grant, ended by the default lease time */
    SK_ATTRIB_STATIC,        /**< a static assignment */
    SK_ATTRIB_GAP,           /**< between two grants to the same holder, none to another (at most twice the default lease) */
    SK_ATTRIB_AMBIGUOUS      /**< several holders within the tolerance */
};

/** default_lease: the lease time assumed for a grant without an end (0: 24 hours). */
int sk_attrib_new(sk_attrib **out, sk_time default_lease);
void sk_attrib_free(sk_attrib *a);
/** A DHCP record (ACK and lease records count; the rest is ignored). */
int sk_attrib_add_dhcp(sk_attrib *a, const sk_netrec *r);
/** A static assignment of an address to a host name. */
int sk_attrib_add_static(sk_attrib *a, const sk_ip *ip, const char *host);
/** An asset inventory as CSV (RFC 4180, a header naming the columns; one record a
 * line): a row with a host (column host, hostname or name) and addresses (column ip,
 * ip_address, address or addresses; several separated by ';' or blanks) is a static
 * assignment of each; a role column gives the host's role. Rows that do not read go to
 * diag ("NAME:LINE: why"). Returns 0
 * or ENOMEM; *added the assignments. */
int sk_attrib_add_assets_csv(sk_attrib *a, const char *name, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                             void *ctx, size_t *added);
/** The role an asset inventory gives a host (column role, asset_role or function;
 * matched on the name's first label, any case), or NULL. */
const char *sk_attrib_role(const sk_attrib *a, const char *host);
/** After the last add. */
int sk_attrib_finish(sk_attrib *a);
/** The host that held ip at t (within tolerance), or NULL; *how says why. */
const char *sk_attrib_lookup(const sk_attrib *a, const sk_ip *ip, sk_time t, sk_time tolerance, int *how);
/** Grants and leases known, addresses with a history. */
size_t sk_attrib_grants(const sk_attrib *a);

#ifdef __cplusplus
}
#endif

#endif
