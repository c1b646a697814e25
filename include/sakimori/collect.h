/*
 * sakimori/collect.h - the inventory collector: walk a live host or a mounted image,
 * read-only, and write its snapshot (docs/formats/snapshot.md, docs/collect.md).
 */
#ifndef SAKIMORI_COLLECT_H
#define SAKIMORI_COLLECT_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_collect_options {
    const char *root;          /**< directory to walk ("/" for a live host) */
    const char *windows_root;  /**< "C:": paths written as Windows paths of that volume, and its security catalogues
                                    (Windows\System32\CatRoot) read for the PEs' signature status; NULL otherwise */
    int live;                  /**< identity from this system (else from the fields below) */
    const char *host, *domain, *site, *region; /**< identity given on the command line */
    unsigned digests;          /**< SK_DIGEST_* for hashed files (default all three) */
    uint64_t hash_limit;       /**< other files are hashed up to this size; executables always */
    int cross_fs;              /**< descend into other file systems under the root */
    unsigned threads;          /**< hashing threads (0: every core) */
    uint64_t max_path_entries; /**< a directory is not descended when those above it hold more entries in all (0: 1,048,576) */
    int progress;              /**< progress lines on stderr */
    const char *yara_rules;    /**< YARA rules file, or NULL */
    const char *cache;         /**< incremental cache file, or NULL */
    uint64_t exclude_dev[2], exclude_ino[2]; /**< files of ours left out of the walk (the snapshot, the cache) */
    int n_exclude;
    void (*warn)(void *ctx, const char *msg); /**< told what was ignored and repaired (a damaged cache), one line; may be NULL */
    void *warn_ctx;
    const volatile int *stop;  /**< set (by a signal handler) to end the walk early: the end line says complete: false */
    int argc;                  /**< the command line, for the header's collector.options */
    char *const *argv;
} sk_collect_options;

typedef struct sk_collect_summary {
    uint64_t files, dirs, bytes_hashed, errors, symlinks, special, hardlinks, cached, other_fs;
    uint64_t hole_bytes; /**< of bytes_hashed: holes of sparse files, hashed as zeros without being read */
    uint64_t catalogs_read, catalogs_failed, catalog_members; /**< a Windows root's security catalogues */
} sk_collect_summary;

/**
 * Create the snapshot file at `path`, never overwriting one: zstd-compressed (level 3,
 * with a checksum) when the name ends in ".zst". *dev and *ino identify the file (a
 * live collection leaves it out of its walk). Returns 0 or SK_EIO/SK_ENOMEM.
 */
int sk_collect_create_output(const char *path, FILE **out, uint64_t *dev, uint64_t *ino);

/**
 * Walk opt->root and write the snapshot to `out`. Returns 0 when the walk finished
 * (unreadable files are error lines, counted in sum->errors), or the error that
 * stopped it (then the end line says "complete": false when it could be written).
 */
int sk_collect_run(const sk_collect_options *opt, FILE *out, sk_collect_summary *sum);

#ifdef __cplusplus
}
#endif

#endif
