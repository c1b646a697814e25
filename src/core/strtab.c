/*
 * strtab.c - interned strings (sakimori/strtab.h): a map from the bytes to id + 1 and an
 * array of the copies, in id order.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/map.h>
#include <sakimori/strtab.h>

struct sk_strtab {
    sk_map *ids;
    char **s;
    size_t n, cap;
};

int sk_strtab_new(sk_strtab **out)
{
    sk_strtab *t = calloc(1, sizeof *t);
    if (!t || sk_map_new(&t->ids, 0)) {
        free(t);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    *out = t;
    return 0;
}

void sk_strtab_free(sk_strtab *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
    sk_map_free(t->ids);
    free(t);
}

int sk_strtab_intern(sk_strtab *t, const char *s, size_t n, uint32_t *id)
{
    void *v = sk_map_get(t->ids, s, n);
    if (v) {
        *id = (uint32_t)((uintptr_t)v - 1);
        return 0;
    }
    if (t->n >= UINT32_MAX - 1) return sk_error_set(SK_ENOMEM, "more than 2^32 - 2 strings");
    if (t->n == t->cap) {
        size_t c = t->cap ? t->cap * 2 : 256;
        char **ns = realloc(t->s, c * sizeof *ns);
        if (!ns) return sk_error_set(SK_ENOMEM, "out of memory");
        t->s = ns;
        t->cap = c;
    }
    char *copy = malloc(n + 1);
    if (!copy) return sk_error_set(SK_ENOMEM, "out of memory");
    if (n) memcpy(copy, s, n);
    copy[n] = 0;
    if (sk_map_put(t->ids, s, n, (void *)(uintptr_t)(t->n + 1), NULL)) {
        free(copy);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    t->s[t->n] = copy;
    *id = (uint32_t)t->n++;
    return 0;
}

const char *sk_strtab_get(const sk_strtab *t, uint32_t id)
{
    return id < t->n ? t->s[id] : NULL;
}

size_t sk_strtab_count(const sk_strtab *t)
{
    return t->n;
}
