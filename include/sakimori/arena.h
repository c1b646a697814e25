/*
 * sakimori/arena.h - a bump allocator for data that dies together.
 *
 * Parsers allocate every node of one document, chunk or batch from one arena and
 * free it in one call. An arena has a hard cap on the bytes it will hand out, so
 * a hostile input cannot make a parser allocate without bound.
 */
#ifndef SAKIMORI_ARENA_H
#define SAKIMORI_ARENA_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_arena sk_arena;

/**
 * Create an arena that allocates blocks of at least `block_size` bytes (0: 64 KiB)
 * and refuses to hold more than `max_bytes` in total (0: 1 GiB).
 */
int sk_arena_new(sk_arena **out, size_t block_size, size_t max_bytes);

/** Free the arena and everything allocated from it. NULL-safe. */
void sk_arena_free(sk_arena *a);

/**
 * Allocate `n` bytes aligned for any type. Returns NULL when the cap is reached or
 * memory is exhausted (and sets the last error). Memory is not zeroed.
 */
void *sk_arena_alloc(sk_arena *a, size_t n);

/** Allocate zeroed memory for `count` items of `size` bytes, overflow-checked. */
void *sk_arena_calloc(sk_arena *a, size_t count, size_t size);

/** Copy `n` bytes and add a NUL terminator. */
char *sk_arena_strndup(sk_arena *a, const char *s, size_t n);

/** Forget every allocation but keep the first block for reuse. */
void sk_arena_reset(sk_arena *a);

/** Bytes handed out since creation or the last reset. */
size_t sk_arena_used(const sk_arena *a);

#ifdef __cplusplus
}
#endif
#endif
