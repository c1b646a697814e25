/*
 * jobs.c - chunked parallel generation (see jobs.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <sakimori/pool.h>

#include "jobs.h"

typedef struct job {
    sim_chunk_fn fn;
    void *ctx;
    size_t from, to;
    sim_out out;
    uint64_t count;
    int rc;
    char err[SK_ERROR_MAX];
} job;

static void run(void *arg)
{
    job *j = arg;
    j->rc = j->fn(j->ctx, j->from, j->to, &j->out, &j->count);
    if (j->rc) snprintf(j->err, sizeof j->err, "%s", sk_error_last());
}

int sim_run_chunks(size_t n, size_t per_job, unsigned threads, sim_chunk_fn fn, void *ctx, sim_out *o,
                   uint64_t *count)
{
    if (!per_job) per_job = 1;
    size_t njobs = (n + per_job - 1) / per_job;
    job *jobs = calloc(njobs ? njobs : 1, sizeof *jobs);
    if (!jobs) return sk_error_set(SK_ENOMEM, "out of memory");
    sk_pool *pool = NULL;
    int rc = sk_pool_new(&pool, threads, 0);
    for (size_t k = 0; k < njobs && !rc; k++) {
        jobs[k] = (job){fn, ctx, k * per_job, (k + 1) * per_job < n ? (k + 1) * per_job : n, {o->dir, 0, 0}, 0, 0, {0}};
        rc = sk_pool_submit(pool, run, &jobs[k]);
    }
    if (pool) {
        sk_pool_wait(pool);
        sk_pool_free(pool);
    }
    for (size_t k = 0; k < njobs; k++) {
        o->files += jobs[k].out.files;
        o->bytes += jobs[k].out.bytes;
        if (count) *count += jobs[k].count;
        if (!rc && jobs[k].rc) rc = sk_error_set(jobs[k].rc, "%s", jobs[k].err);
    }
    free(jobs);
    return rc;
}
