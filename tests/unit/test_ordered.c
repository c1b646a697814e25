/*
 * test_ordered - sk_ordered: places reserved in order, filled and published by many
 * threads in any order (delays chosen at random), emitted in order, exactly once
 * each, with the window never exceeded; an emit error is kept.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sakimori/ordered.h>
#include <sakimori/pool.h>

#include "sk_test.h"

#define N 20000
#define WINDOW 16

static uint64_t next_expected;
static int order_ok = 1, content_ok = 1;
static atomic_int in_flight, max_in_flight;
static sk_ordered *ord;

static int emit(void *ctx, uint64_t seq, sk_buf *data, void *item)
{
    (void)ctx;
    if (seq != next_expected++) order_ok = 0;
    char want[32];
    snprintf(want, sizeof want, "line %llu\n", (unsigned long long)seq);
    if (data->len != strlen(want) || memcmp(data->data, want, data->len) || (uintptr_t)item != seq + 1) content_ok = 0;
    atomic_fetch_sub(&in_flight, 1);
    return seq == N - 1 ? 42 : 0;
}

static void job(void *arg)
{
    uint64_t seq = (uint64_t)(uintptr_t)arg;
    struct timespec ts = {0, (long)((seq * 2654435761u) % 50000)}; /* up to 50 us, out of order */
    nanosleep(&ts, NULL);
    sk_buf *b = sk_ordered_buf(ord, seq);
    char line[32];
    snprintf(line, sizeof line, "line %llu\n", (unsigned long long)seq);
    sk_buf_puts(b, line);
    sk_ordered_publish(ord, seq, (void *)(uintptr_t)(seq + 1));
}

static void ordered_in_order_from_many_threads(void)
{
    CHECK_INT(sk_ordered_new(&ord, WINDOW, 0, 0, emit, NULL), 0);
    sk_pool *p;
    CHECK_INT(sk_pool_new(&p, 4, 64), 0);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t seq = sk_ordered_reserve(ord);
        CHECK(seq == i);
        int f = atomic_fetch_add(&in_flight, 1) + 1;
        if (f > atomic_load(&max_in_flight)) atomic_store(&max_in_flight, f);
        sk_pool_submit(p, job, (void *)(uintptr_t)seq);
    }
    sk_ordered_drain(ord);
    CHECK(sk_ordered_emitted(ord) == N);
    CHECK(order_ok);
    CHECK(content_ok);
    CHECK(atomic_load(&max_in_flight) <= WINDOW);
    CHECK_INT(sk_ordered_error(ord), 42);
    sk_pool_free(p);
    sk_ordered_free(ord);
    sk_ordered_free(NULL);
}

SK_TEST_MAIN(T(ordered_in_order_from_many_threads))
