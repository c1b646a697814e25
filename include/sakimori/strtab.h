/*
 * sakimori/strtab.h - interned strings: each distinct byte string gets a small dense id
 * (0, 1, 2, ... in the order first seen) and one NUL-terminated copy, so that records
 * can hold ids and compare them instead of strings. Lengths are explicit: a NUL inside
 * a string (an attacker's) is part of it. Look-ups go through sk_map's keyed hash.
 */
#ifndef SAKIMORI_STRTAB_H
#define SAKIMORI_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_strtab sk_strtab;

int sk_strtab_new(sk_strtab **out);
void sk_strtab_free(sk_strtab *t);
/** The id of s[0..n), added when new. SK_ENOMEM (also past 2^32 - 2 strings). */
int sk_strtab_intern(sk_strtab *t, const char *s, size_t n, uint32_t *id);
/** The string of an id (NUL-terminated; its length is what was interned). */
const char *sk_strtab_get(const sk_strtab *t, uint32_t id);
size_t sk_strtab_count(const sk_strtab *t);

#ifdef __cplusplus
}
#endif
#endif
