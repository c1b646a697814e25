/* Unit tests: sk_map (against a brute-force model) and sk_pool. */
#include <stdatomic.h>

#include <sakimori/map.h>
#include <sakimori/pool.h>

#include "sk_test.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void map_against_model(void)
{
    enum { KEYS = 2000, OPS = 60000 };
    static int present[KEYS];
    static uintptr_t val[KEYS];
    sk_map *m;
    CHECK_INT(sk_map_new(&m, 0), 0);
    int bad = 0;
    size_t count = 0;
    for (int op = 0; op < OPS; op++) {
        unsigned k = (unsigned)(next_rand() % KEYS);
        char key[32];
        int kl = snprintf(key, sizeof key, "host-%u", k);
        int what = (int)(next_rand() % 3);
        if (what == 0) {
            void *old;
            uintptr_t v = (uintptr_t)op + 1;
            if (sk_map_put(m, key, (size_t)kl, (void *)v, &old)) bad++;
            if (present[k] && (uintptr_t)old != val[k]) bad++;
            if (!present[k]) count++;
            present[k] = 1;
            val[k] = v;
        } else if (what == 1) {
            void *r = sk_map_remove(m, key, (size_t)kl);
            if (present[k] ? (uintptr_t)r != val[k] : r != NULL) bad++;
            if (present[k]) count--;
            present[k] = 0;
        } else {
            void *g = sk_map_get(m, key, (size_t)kl);
            if (present[k] ? (uintptr_t)g != val[k] : g != NULL) bad++;
            if (sk_map_has(m, key, (size_t)kl) != present[k]) bad++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(sk_map_count(m), count);
    size_t pos = 0, seen = 0;
    const void *k;
    size_t kl;
    void *v;
    while (sk_map_next(m, &pos, &k, &kl, &v)) seen++;
    CHECK_INT(seen, count);
    sk_map_free(m);
}

static void map_limit_and_binary_keys(void)
{
    sk_map *m;
    CHECK_INT(sk_map_new(&m, 2), 0);
    CHECK_INT(sk_map_put(m, "a\0b", 3, (void *)1, NULL), 0);
    CHECK_INT(sk_map_put(m, "a\0c", 3, (void *)2, NULL), 0);
    CHECK((uintptr_t)sk_map_get(m, "a\0b", 3) == 1);
    CHECK((uintptr_t)sk_map_get(m, "a\0c", 3) == 2);
    CHECK(sk_map_get(m, "a", 1) == NULL);
    CHECK_INT(sk_map_put(m, "x", 1, NULL, NULL), SK_ELIMIT);
    CHECK_INT(sk_map_put(m, "a\0b", 3, (void *)3, NULL), 0); /* replace is not growth */
    CHECK_INT(sk_map_put(m, "", 0, NULL, NULL), SK_ELIMIT);
    sk_map_free(m);
}

static void siphash_keyed(void)
{
    uint8_t k1[16] = {0}, k2[16] = {1};
    uint64_t a = sk_siphash13(k1, "powershell.exe", 14);
    CHECK(a == sk_siphash13(k1, "powershell.exe", 14));
    CHECK(a != sk_siphash13(k2, "powershell.exe", 14));
    CHECK(a != sk_siphash13(k1, "powershell.exf", 14));
    /* every input length through the tail handling */
    uint8_t data[40] = {0};
    uint64_t prev = 0;
    int distinct = 1;
    for (size_t n = 0; n < sizeof data; n++) {
        uint64_t h = sk_siphash13(k1, data, n);
        if (n && h == prev) distinct = 0;
        prev = h;
    }
    CHECK(distinct);
}

static atomic_long counter;
static void add_job(void *arg)
{
    atomic_fetch_add(&counter, (long)(intptr_t)arg);
}

static void pool_runs_everything(void)
{
    sk_pool *p;
    CHECK_INT(sk_pool_new(&p, 4, 3), 0); /* tiny queue: submit must block, not fail */
    CHECK_INT(sk_pool_threads(p), 4);
    for (int i = 1; i <= 10000; i++) CHECK_INT(sk_pool_submit(p, add_job, (void *)(intptr_t)i), 0);
    sk_pool_wait(p);
    CHECK_INT(atomic_load(&counter), 10000L * 10001 / 2);
    for (int i = 0; i < 100; i++) sk_pool_submit(p, add_job, (void *)(intptr_t)1);
    sk_pool_free(p); /* drains the queue before stopping */
    CHECK_INT(atomic_load(&counter), 10000L * 10001 / 2 + 100);
    CHECK(sk_cpu_count() >= 1);
}

SK_TEST_MAIN(T(map_against_model), T(map_limit_and_binary_keys), T(siphash_keyed),
             T(pool_runs_everything))
