/*
 * jobs.h - run a generator over items in chunks on the thread pool. Each chunk writes
 * its own files and counts into its own sim_out, so the output does not depend on the
 * number of threads; the counters are summed and the first error returned afterwards.
 */
#ifndef SK_SIM_JOBS_H
#define SK_SIM_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "out.h"

/** Generate items [from, to); add what was written to *out and *count; 0 or an SK_E* code. */
typedef int (*sim_chunk_fn)(void *ctx, size_t from, size_t to, sim_out *out, uint64_t *count);

/** Run fn over [0, n) in chunks of per_job items on `threads` workers (0: all cores). */
int sim_run_chunks(size_t n, size_t per_job, unsigned threads, sim_chunk_fn fn, void *ctx, sim_out *o,
                   uint64_t *count);

#endif
