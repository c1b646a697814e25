/*
 * test_extsort - sk_extsort against a model: records with random keys (many equal) go
 * in, come out in key order with equal keys in the order added, byte for byte, whether
 * they fit in memory, need a few runs, or more runs than one merge takes (two passes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/extsort.h>

#include "sk_test.h"

typedef struct check {
    int64_t last_key;
    uint64_t last_id, n;
    int ok;
} check;

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* A record: its id (the order added), then filler derived from it. */
static size_t make(uint64_t id, size_t len, char *buf)
{
    memcpy(buf, &id, 8);
    for (size_t i = 8; i < len; i++) buf[i] = (char)(id * 31 + i);
    return len;
}

static int emit(void *ctx, int64_t key, const void *data, size_t n)
{
    check *c = ctx;
    uint64_t id;
    memcpy(&id, data, 8);
    char want[2048];
    if (n > sizeof want || make(id, n, want) != n || memcmp(want, data, n)) c->ok = 0;
    if (c->n && (key < c->last_key || (key == c->last_key && id <= c->last_id))) c->ok = 0;
    c->last_key = key;
    c->last_id = id;
    c->n++;
    return 0;
}

static void sort_case(size_t records, size_t len, size_t budget, size_t min_runs)
{
    sk_extsort *s;
    CHECK_INT(sk_extsort_new(&s, budget), 0);
    char buf[2048];
    for (uint64_t i = 0; i < records; i++) {
        int64_t key = (int64_t)(rnd() % 1000) - 500; /* many equal keys: stability shows */
        CHECK_INT(sk_extsort_add(s, key, buf, make(i, len, buf)), 0);
    }
    CHECK(sk_extsort_runs(s) >= min_runs);
    check c = {0, 0, 0, 1};
    CHECK_INT(sk_extsort_finish(s, emit, &c), 0);
    CHECK(c.ok);
    CHECK(c.n == records);
    sk_extsort_free(s);
}

static void extsort_in_memory(void)
{
    sort_case(10000, 40, 0, 0);
}

static void extsort_few_runs(void)
{
    sort_case(20000, 500, 1 << 20, 5);
}

static void extsort_two_passes(void)
{
    sort_case(90000, 1024, 1 << 20, 65); /* over 64 runs: merged in passes */
}

static void extsort_limits(void)
{
    sk_extsort *s;
    CHECK_INT(sk_extsort_new(&s, 0), 0);
    CHECK(sk_extsort_add(s, 1, "x", (size_t)65 << 20) == SK_EINVAL);
    check c = {0, 0, 0, 1};
    CHECK_INT(sk_extsort_finish(s, emit, &c), 0);
    CHECK(c.n == 0);
    CHECK(sk_extsort_add(s, 1, "12345678", 8) == SK_EINVAL);
    sk_extsort_free(s);
    sk_extsort_free(NULL);
}

SK_TEST_MAIN(T(extsort_in_memory), T(extsort_few_runs), T(extsort_two_passes), T(extsort_limits))
