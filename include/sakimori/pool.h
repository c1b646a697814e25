/*
 * sakimori/pool.h - a fixed-size thread pool with a bounded job queue.
 *
 * Producers that submit faster than the workers run block in sk_pool_submit()
 * once the queue is full, so a reader that feeds a pool cannot buffer a whole
 * input in memory. Jobs must not call sk_pool_wait() on their own pool.
 */
#ifndef SAKIMORI_POOL_H
#define SAKIMORI_POOL_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_pool sk_pool;
typedef void (*sk_pool_fn)(void *arg);

/** Number of online CPUs (at least 1). */
unsigned sk_cpu_count(void);

/**
 * Start `threads` workers (0: sk_cpu_count()) with room for `queue_max` pending jobs
 * (0: 4 per worker).
 */
int sk_pool_new(sk_pool **out, unsigned threads, size_t queue_max);

/** Queue fn(arg); blocks while the queue is full. SK_EINVAL after shutdown began. */
int sk_pool_submit(sk_pool *p, sk_pool_fn fn, void *arg);

/** Block until every job submitted so far has finished. */
void sk_pool_wait(sk_pool *p);

/** Number of worker threads. */
unsigned sk_pool_threads(const sk_pool *p);

/** Finish queued jobs, stop the workers and free the pool. NULL-safe. */
void sk_pool_free(sk_pool *p);

#ifdef __cplusplus
}
#endif
#endif
