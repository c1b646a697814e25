/*
 * pool.c - fixed-size pthread pool with a bounded ring-buffer queue.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <sakimori/pool.h>

typedef struct job {
    sk_pool_fn fn;
    void *arg;
} job;

struct sk_pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full, idle;
    job *ring;
    size_t cap, head, count;
    size_t running;   /* jobs being executed */
    int stopping;
    unsigned nthreads;
    pthread_t *threads;
};

unsigned sk_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

static void *worker(void *p_)
{
    sk_pool *p = p_;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->count && !p->stopping) pthread_cond_wait(&p->not_empty, &p->mu);
        if (!p->count && p->stopping) break;
        job j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        p->running++;
        pthread_cond_signal(&p->not_full);
        pthread_mutex_unlock(&p->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&p->mu);
        p->running--;
        if (!p->count && !p->running) pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int sk_pool_new(sk_pool **out, unsigned threads, size_t queue_max)
{
    *out = NULL;
    if (!threads) threads = sk_cpu_count();
    if (threads > 1024) threads = 1024;
    if (!queue_max) queue_max = (size_t)threads * 4;
    sk_pool *p = calloc(1, sizeof *p);
    if (!p) return sk_error_set(SK_ENOMEM, "out of memory");
    p->ring = calloc(queue_max, sizeof *p->ring);
    p->threads = calloc(threads, sizeof *p->threads);
    if (!p->ring || !p->threads) {
        free(p->ring);
        free(p->threads);
        free(p);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    p->cap = queue_max;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->not_empty, NULL);
    pthread_cond_init(&p->not_full, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            p->nthreads = i;
            sk_pool_free(p);
            return sk_error_set(SK_EIO, "cannot start worker thread %u", i);
        }
        p->nthreads = i + 1;
    }
    *out = p;
    return 0;
}

int sk_pool_submit(sk_pool *p, sk_pool_fn fn, void *arg)
{
    pthread_mutex_lock(&p->mu);
    while (p->count == p->cap && !p->stopping) pthread_cond_wait(&p->not_full, &p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return sk_error_set(SK_EINVAL, "thread pool is shutting down");
    }
    p->ring[(p->head + p->count) % p->cap] = (job){fn, arg};
    p->count++;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void sk_pool_wait(sk_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->count || p->running) pthread_cond_wait(&p->idle, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

unsigned sk_pool_threads(const sk_pool *p)
{
    return p->nthreads;
}

void sk_pool_free(sk_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->not_empty);
    pthread_cond_broadcast(&p->not_full);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->not_empty);
    pthread_cond_destroy(&p->not_full);
    pthread_cond_destroy(&p->idle);
    free(p->ring);
    free(p->threads);
    free(p);
}
