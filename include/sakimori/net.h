/*
 * sakimori/net.h - IP addresses and prefixes as logs, configurations and IOC sets
 * write them. IPv4 is stored as an IPv4-mapped IPv6 address so one comparison
 * covers both families.
 */
#ifndef SAKIMORI_NET_H
#define SAKIMORI_NET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_ip {
    uint8_t a[16]; /**< network order; IPv4 as ::ffff:a.b.c.d */
} sk_ip;

typedef struct sk_prefix {
    sk_ip ip;      /**< network address (host bits cleared) */
    uint8_t bits;  /**< prefix length over the 128-bit form (IPv4 /24 is 120) */
} sk_prefix;

/** 1 when the address is IPv4(-mapped). */
int sk_ip_is_v4(const sk_ip *ip);

/** Parse a textual IPv4 or IPv6 address (no zone index, no brackets). SK_EFORMAT. */
int sk_ip_parse(const char *s, size_t n, sk_ip *out);

/**
 * Parse "a.b.c.d/nn", "v6::/nn" or a bare address (a host prefix). Host bits that are
 * set are refused with SK_EFORMAT unless `allow_host_bits` is non-zero.
 */
int sk_prefix_parse(const char *s, size_t n, int allow_host_bits, sk_prefix *out);

/** 1 when `ip` lies in `p`. */
int sk_prefix_contains(const sk_prefix *p, const sk_ip *ip);

/** 1 when the two prefixes share any address. */
int sk_prefix_overlaps(const sk_prefix *a, const sk_prefix *b);

/** Append the canonical text form (IPv4 dotted quad, IPv6 RFC 5952). */
int sk_ip_format(sk_buf *out, const sk_ip *ip);
int sk_prefix_format(sk_buf *out, const sk_prefix *p);

#ifdef __cplusplus
}
#endif
#endif
