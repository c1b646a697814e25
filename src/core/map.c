/*
 * map.c - open-addressing hash table with SipHash-1-3 keyed per map.
 *
 * Slots hold the full 64-bit hash, so probing compares keys only on a hash match.
 * Deletion uses backward-shift (no tombstones), keeping probe sequences short
 * under the insert/delete churn of streaming aggregation.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <sakimori/map.h>

typedef struct slot {
    uint64_t hash; /* 0 marks an empty slot; real hashes are forced non-zero */
    char *key;
    size_t klen;
    void *value;
} slot;

struct sk_map {
    slot *slots;
    size_t cap; /* power of two */
    size_t count;
    size_t max_entries;
    uint8_t key[16];
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                              \
    do {                                                                                      \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                             \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                             \
    } while (0)

static uint64_t load64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* SipHash with 1 compression and 3 finalisation rounds (Aumasson & Bernstein). */
uint64_t sk_siphash13(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t k0 = load64le(key), k1 = load64le(key + 8);
    uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k0;
    uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
    uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ k0;
    uint64_t v3 = UINT64_C(0x7465646279746573) ^ k1;
    size_t end = len - (len % 8);
    for (size_t i = 0; i < end; i += 8) {
        uint64_t m = load64le(in + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++) b |= (uint64_t)in[end + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

int sk_map_new(sk_map **out, size_t max_entries)
{
    *out = NULL;
    sk_map *m = calloc(1, sizeof *m);
    if (!m) return sk_error_set(SK_ENOMEM, "out of memory");
    m->cap = 16;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    m->max_entries = max_entries;
    if (getrandom(m->key, sizeof m->key, GRND_NONBLOCK) != (ssize_t)sizeof m->key) {
        /* no entropy yet (early boot): fall back to address bits; still per-map */
        uintptr_t a = (uintptr_t)m ^ (uintptr_t)&m;
        memcpy(m->key, &a, sizeof a < 16 ? sizeof a : 16);
    }
    *out = m;
    return 0;
}

void sk_map_free(sk_map *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static uint64_t map_hash(const sk_map *m, const void *key, size_t klen)
{
    uint64_t h = sk_siphash13(m->key, key, klen);
    return h ? h : 1;
}

static slot *find(const sk_map *m, uint64_t h, const void *key, size_t klen)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *s = &m->slots[i];
        if (!s->hash) return NULL;
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) return s;
    }
}

static int grow(sk_map *m)
{
    size_t ncap = m->cap * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return sk_error_set(SK_ENOMEM, "out of memory growing a map to %zu slots", ncap);
    for (size_t i = 0; i < m->cap; i++) {
        slot *s = &m->slots[i];
        if (!s->hash) continue;
        size_t j = s->hash & (ncap - 1);
        while (ns[j].hash) j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int sk_map_put(sk_map *m, const void *key, size_t klen, void *value, void **old)
{
    uint64_t h = map_hash(m, key, klen);
    slot *s = find(m, h, key, klen);
    if (old) *old = NULL;
    if (s) {
        if (old) *old = s->value;
        s->value = value;
        return 0;
    }
    if (m->max_entries && m->count >= m->max_entries)
        return sk_error_set(SK_ELIMIT, "map limit of %zu entries reached", m->max_entries);
    if ((m->count + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc) return rc;
    }
    char *k = malloc(klen ? klen : 1);
    if (!k) return sk_error_set(SK_ENOMEM, "out of memory");
    if (klen) memcpy(k, key, klen);
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].hash) i = (i + 1) & mask;
    m->slots[i] = (slot){h, k, klen, value};
    m->count++;
    return 0;
}

void *sk_map_get(const sk_map *m, const void *key, size_t klen)
{
    slot *s = find(m, map_hash(m, key, klen), key, klen);
    return s ? s->value : NULL;
}

int sk_map_has(const sk_map *m, const void *key, size_t klen)
{
    return find(m, map_hash(m, key, klen), key, klen) != NULL;
}

void *sk_map_remove(sk_map *m, const void *key, size_t klen)
{
    slot *s = find(m, map_hash(m, key, klen), key, klen);
    if (!s) return NULL;
    void *v = s->value;
    free(s->key);
    size_t mask = m->cap - 1, i = (size_t)(s - m->slots);
    /* backward-shift deletion */
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        slot *t = &m->slots[j];
        if (!t->hash) break;
        size_t home = t->hash & mask;
        /* move t into the hole at i when its home is not in (i, j] cyclically */
        int in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            m->slots[i] = *t;
            i = j;
        }
    }
    m->slots[i] = (slot){0, NULL, 0, NULL};
    m->count--;
    return v;
}

size_t sk_map_count(const sk_map *m)
{
    return m->count;
}

int sk_map_next(const sk_map *m, size_t *pos, const void **key, size_t *klen, void **value)
{
    while (*pos < m->cap) {
        slot *s = &m->slots[(*pos)++];
        if (!s->hash) continue;
        if (key) *key = s->key;
        if (klen) *klen = s->klen;
        if (value) *value = s->value;
        return 1;
    }
    return 0;
}
