/*
 * arena.c - bump allocator with a hard cap (see sakimori/arena.h).
 *
 * Blocks form a singly linked list; an allocation larger than the block size gets
 * a block of its own. Reset keeps the first block so per-record parsers reuse it
 * without touching malloc.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>

typedef struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} block;

struct sk_arena {
    block *head;      /* current block (most recent) */
    size_t block_size;
    size_t max_bytes;
    size_t held;      /* bytes in all blocks */
    size_t used;
};

#define ALIGN (alignof(max_align_t))

static block *block_new(sk_arena *a, size_t size)
{
    if (size > a->max_bytes || a->held > a->max_bytes - size) {
        sk_error_set(SK_ELIMIT, "memory limit of %zu bytes reached", a->max_bytes);
        return NULL;
    }
    block *b = malloc(sizeof *b + size);
    if (!b) {
        sk_error_set(SK_ENOMEM, "out of memory allocating %zu bytes", size);
        return NULL;
    }
    b->size = size;
    b->used = 0;
    a->held += size;
    return b;
}

int sk_arena_new(sk_arena **out, size_t block_size, size_t max_bytes)
{
    *out = NULL;
    sk_arena *a = calloc(1, sizeof *a);
    if (!a) return sk_error_set(SK_ENOMEM, "out of memory");
    a->block_size = block_size ? block_size : (size_t)64 << 10;
    a->max_bytes = max_bytes ? max_bytes : (size_t)1 << 30;
    *out = a;
    return 0;
}

void sk_arena_free(sk_arena *a)
{
    if (!a) return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *sk_arena_alloc(sk_arena *a, size_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX - ALIGN) {
        sk_error_set(SK_ELIMIT, "allocation of %zu bytes too large", n);
        return NULL;
    }
    size_t rn = (n + ALIGN - 1) & ~(ALIGN - 1);
    block *b = a->head;
    if (!b || b->size - b->used < rn) {
        if (rn > a->block_size / 4 && b) {
            /* big allocation: its own block, slotted behind the current one */
            block *nb = block_new(a, rn);
            if (!nb) return NULL;
            nb->used = rn;
            nb->next = b->next;
            b->next = nb;
            a->used += rn;
            return nb->data;
        }
        block *nb = block_new(a, rn > a->block_size ? rn : a->block_size);
        if (!nb) return NULL;
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += rn;
    a->used += rn;
    return p;
}

void *sk_arena_calloc(sk_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        sk_error_set(SK_ELIMIT, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    void *p = sk_arena_alloc(a, count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

char *sk_arena_strndup(sk_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        sk_error_set(SK_ELIMIT, "string too long");
        return NULL;
    }
    char *p = sk_arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void sk_arena_reset(sk_arena *a)
{
    block *b = a->head;
    if (!b) return;
    /* keep the oldest block (last in the list): usually the first, standard-size one */
    block *keep = b;
    while (keep->next) keep = keep->next;
    while (b != keep) {
        block *n = b->next;
        a->held -= b->size;
        free(b);
        b = n;
    }
    keep->used = 0;
    keep->next = NULL;
    a->head = keep;
    a->used = 0;
}

size_t sk_arena_used(const sk_arena *a)
{
    return a->used;
}
