/*
 * sakimori/extsort.h - sorting more records than memory holds: records (a 64-bit key
 * and bytes) are gathered up to a memory budget, each full batch sorted and written to
 * an unlinked temporary file, and the batches merged at the end, many at a time, in
 * key order; records of equal keys keep the order they were added in (stable). Memory
 * stays within the budget plus one read buffer per batch merged at once, whatever the
 * input's size; temporary files live in TMPDIR and vanish with the process.
 */
#ifndef SAKIMORI_EXTSORT_H
#define SAKIMORI_EXTSORT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_extsort sk_extsort;

/** A sorter holding at most `budget` bytes of records in memory (0: 64 MiB; at least
 * 1 MiB); a record is at most 64 MiB. */
int sk_extsort_new(sk_extsort **out, size_t budget);

/** Add one record. SK_EIO when a batch cannot be written (TMPDIR full), SK_EINVAL for
 * a record over 64 MiB, SK_ENOMEM. */
int sk_extsort_add(sk_extsort *s, int64_t key, const void *data, size_t n);

/** Emit every record in key order (stable), through emit (non-zero stops, returned).
 * Call once, after the last add. */
int sk_extsort_finish(sk_extsort *s, int (*emit)(void *ctx, int64_t key, const void *data, size_t n), void *ctx);

/** Batches written to temporary files so far (0: everything fitted in memory). */
size_t sk_extsort_runs(const sk_extsort *s);

void sk_extsort_free(sk_extsort *s);

#ifdef __cplusplus
}
#endif
#endif
