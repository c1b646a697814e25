/*
 * sakimori/map.h - a hash table from byte-string keys to pointers.
 *
 * Open addressing with linear probing and a keyed hash (SipHash-1-3) whose key is
 * drawn from the operating system's random source per map, so an attacker who
 * controls the keys (host names, hashes, paths in logs) cannot force collisions.
 * Keys are copied into the map; values are borrowed pointers the caller owns.
 * Not thread-safe for writers; concurrent readers of a map nobody writes are fine.
 */
#ifndef SAKIMORI_MAP_H
#define SAKIMORI_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_map sk_map;

/** Create a map. `max_entries` (0: unlimited) bounds growth: inserts past it fail with SK_ELIMIT. */
int sk_map_new(sk_map **out, size_t max_entries);

/** Free the map and its key copies (not the values). NULL-safe. */
void sk_map_free(sk_map *m);

/**
 * Insert or replace. When the key existed and `old` is non-NULL, the previous value
 * is stored there (NULL otherwise). Returns 0, SK_ENOMEM or SK_ELIMIT.
 */
int sk_map_put(sk_map *m, const void *key, size_t klen, void *value, void **old);

/** Look up; returns the value or NULL (a stored NULL is indistinguishable: use sk_map_has). */
void *sk_map_get(const sk_map *m, const void *key, size_t klen);

/** 1 when the key is present. */
int sk_map_has(const sk_map *m, const void *key, size_t klen);

/** Remove; returns the removed value or NULL. */
void *sk_map_remove(sk_map *m, const void *key, size_t klen);

/** Number of entries. */
size_t sk_map_count(const sk_map *m);

/**
 * Iterate: start with *pos = 0; each call stores the next entry and returns 1, or
 * returns 0 at the end. Order is unspecified. The map must not change meanwhile.
 */
int sk_map_next(const sk_map *m, size_t *pos, const void **key, size_t *klen, void **value);

/** SipHash-1-3 of data under a 128-bit key: the map's hash, exposed for tests and sharding. */
uint64_t sk_siphash13(const uint8_t key[16], const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
