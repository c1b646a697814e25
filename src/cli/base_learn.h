/*
 * base_learn.h - base-image manifests learnt from the fleet (docs/formats/snapshot.md,
 * "Learnt bases"): the files that at least half of a sample of one OS build's
 * snapshots hold with the same content, size and modification time. Used by `ingest`
 * when no base in the case gives a snapshot a delta smaller than half its files.
 */
#ifndef SK_CLI_BASE_LEARN_H
#define SK_CLI_BASE_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include <sakimori/buf.h>
#include <sakimori/timestamp.h>

/** A build's snapshots are sampled up to this many; fewer than LEARN_MIN_HOSTS learn nothing. */
#define LEARN_SAMPLE 64
#define LEARN_MIN_HOSTS 8

typedef struct base_learner base_learner;

int base_learner_new(base_learner **out, int windows);
void base_learner_free(base_learner *l);
/** A sampled snapshot begins (its entries follow); 0 when the sample is full. */
int base_learner_host(base_learner *l);
/** One of its files (a path at most once per snapshot). */
int base_learner_file(base_learner *l, const char *path, size_t path_len, const uint8_t sha256[32], uint64_t size, sk_time mtime);
/** Snapshots sampled. */
unsigned base_learner_hosts(const base_learner *l);
/**
 * The manifest's entry lines, in path order, into out: every (path, content, size,
 * mtime) that at least half of the sampled snapshots (and at least two) hold. *n set
 * to their number.
 */
int base_learner_entries(base_learner *l, sk_buf *out, uint64_t *n);

#endif
