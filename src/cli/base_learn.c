/*
 * base_learn.c - learning a base-image manifest from one OS build's snapshots
 * (base_learn.h). Each sampled file is counted under its folded path (lower case on a
 * Windows root) together with its content, size and modification time, so that two
 * hosts count as holding the same base file only when all four agree; the first
 * spelling of the path seen is the one written. Memory: one record per distinct
 * (path, content, size, mtime) of at most LEARN_SAMPLE snapshots.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/common.h>
#include <sakimori/inventory.h>
#include <sakimori/map.h>

#include "base_learn.h"

typedef struct variant {
    const char *path;  /* as first seen */
    const char *fold;  /* folded: how paths compare */
    size_t path_len;
    uint8_t sha256[32];
    uint64_t size;
    sk_time mtime;
    unsigned hosts;
} variant;

struct base_learner {
    int windows;
    unsigned hosts;
    sk_map *by_key;    /* folded path, sha, size, mtime -> variant */
    sk_arena *arena;
    variant **v;
    size_t n, cap;
    char *key;
    size_t key_cap;
};

int base_learner_new(base_learner **out, int windows)
{
    *out = NULL;
    base_learner *l = calloc(1, sizeof *l);
    if (!l) return sk_error_set(SK_ENOMEM, "out of memory");
    l->windows = windows;
    if (sk_map_new(&l->by_key, 0) || sk_arena_new(&l->arena, 1 << 20, 0)) {
        base_learner_free(l);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    *out = l;
    return 0;
}

void base_learner_free(base_learner *l)
{
    if (!l) return;
    sk_map_free(l->by_key);
    sk_arena_free(l->arena);
    free(l->v);
    free(l->key);
    free(l);
}

int base_learner_host(base_learner *l)
{
    if (l->hosts >= LEARN_SAMPLE) return 0;
    l->hosts++;
    return 1;
}

unsigned base_learner_hosts(const base_learner *l)
{
    return l->hosts;
}

int base_learner_file(base_learner *l, const char *path, size_t path_len, const uint8_t sha256[32], uint64_t size, sk_time mtime)
{
    size_t kl = path_len + 1 + 32 + 8 + 8;
    if (kl > l->key_cap) {
        char *nk = realloc(l->key, kl);
        if (!nk) return sk_error_set(SK_ENOMEM, "out of memory");
        l->key = nk, l->key_cap = kl;
    }
    char *k = l->key;
    for (size_t i = 0; i < path_len; i++) k[i] = l->windows && path[i] >= 'A' && path[i] <= 'Z' ? (char)(path[i] + 32) : path[i];
    k[path_len] = 0;
    memcpy(k + path_len + 1, sha256, 32);
    memcpy(k + path_len + 33, &size, 8);
    memcpy(k + path_len + 41, &mtime, 8);
    variant *v = sk_map_get(l->by_key, k, kl);
    if (v) {
        v->hosts++;
        return 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        variant **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return sk_error_set(SK_ENOMEM, "out of memory");
        l->v = nv, l->cap = cap;
    }
    v = sk_arena_alloc(l->arena, sizeof *v);
    char *p = v ? sk_arena_strndup(l->arena, path, path_len) : NULL;
    char *fp = p ? sk_arena_strndup(l->arena, k, path_len) : NULL;
    if (!fp) return sk_error_set(SK_ENOMEM, "out of memory");
    v->path = p, v->fold = fp, v->path_len = path_len, v->size = size, v->mtime = mtime, v->hosts = 1;
    memcpy(v->sha256, sha256, 32);
    if (sk_map_put(l->by_key, k, kl, v, NULL)) return sk_error_set(SK_ENOMEM, "out of memory");
    l->v[l->n++] = v;
    return 0;
}

static int cmp_path(const void *a, const void *b)
{
    const variant *x = *(variant *const *)a, *y = *(variant *const *)b;
    size_t n = x->path_len < y->path_len ? x->path_len : y->path_len;
    int c = memcmp(x->fold, y->fold, n);
    return c ? c : x->path_len < y->path_len ? -1 : x->path_len > y->path_len;
}

int base_learner_entries(base_learner *l, sk_buf *out, uint64_t *n)
{
    *n = 0;
    unsigned need = (l->hosts + 1) / 2;
    if (need < 2) need = 2;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i]->hosts >= need) l->v[k++] = l->v[i];
    l->n = k;
    /* at most one variant of a path can be held by more than half; at exactly half, two
     * could: the first in path (then content) order is kept */
    qsort(l->v, l->n, sizeof *l->v, cmp_path);
    for (size_t i = 0; i < l->n; i++) {
        const variant *v = l->v[i];
        if (i && !cmp_path(&l->v[i - 1], &l->v[i])) continue;
        char *path = sk_arena_strndup(l->arena, v->path, v->path_len);
        if (!path) return sk_error_set(SK_ENOMEM, "out of memory");
        sk_listing_entry e = {.op = SK_OP_NONE, .path = path, .sha256 = v->sha256, .size = v->size, .mtime = v->mtime,
                              .ctime = SK_TIME_NONE, .crtime = SK_TIME_NONE};
        if (sk_listing_entry_write(out, &e)) return sk_error_set(SK_ENOMEM, "out of memory");
        ++*n;
    }
    return 0;
}
