/*
 * sakimori/domain.h - host names the way indicator sets and groupings need them: lower
 * case, no trailing dot, internationalised labels as punycode (IDNA2008 with UTS #46
 * non-transitional processing, libidn2), and the registrable domain ("eTLD+1") by the
 * public suffix list (the copy built into Debian's libpsl, ICANN and private sections).
 * Pure functions, safe from any thread; no allocation survives a call.
 */
#ifndef SAKIMORI_DOMAIN_H
#define SAKIMORI_DOMAIN_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest name DNS allows, without the trailing dot. */
#define SK_DOMAIN_MAX 253

/**
 * Normalise a host name s[0..n) into out (NUL-terminated): one trailing dot dropped,
 * ASCII lower-cased, a name with bytes above 0x7f converted to punycode ("Bücher.example"
 * -> "xn--bcher-kva.example"). Labels are letters, digits, '-' and '_' (real names have
 * underscores), 1-63 bytes, the name at most SK_DOMAIN_MAX. A single label is a name.
 * Returns 0, or SK_EFORMAT (no message set) when it is no host name or IDNA refuses it.
 */
int sk_domain_normalize(const char *s, size_t n, char out[SK_DOMAIN_MAX + 1], size_t *out_len);

/**
 * 1 when the normalised name is itself a public suffix ("com", "co.uk", "blogspot.com",
 * "foo.kawasaki.jp" under a wildcard rule; a single unknown label too, by the list's
 * implicit "*" rule), else 0. Such a name as an indicator would match the world.
 */
int sk_domain_is_public_suffix(const char *name, size_t n);

/**
 * The registrable domain of a host name (any case, trailing dot, IDN): the public suffix
 * and one label more, normalised, into out ("a.b.evil.co.uk" -> "evil.co.uk",
 * "x.evil-c2.example" -> "evil-c2.example"). SK_ENOTFOUND when the name is a public suffix
 * itself; SK_EFORMAT when it is no host name or an address literal. No message is set.
 */
int sk_domain_registrable(const char *host, size_t n, char out[SK_DOMAIN_MAX + 1], size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
