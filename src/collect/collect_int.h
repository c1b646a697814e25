/*
 * collect_int.h - the collector's parts (collect.c, yara.c, cache.c), private.
 */
#ifndef COLLECT_INT_H
#define COLLECT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sakimori/arena.h>
#include <sakimori/inventory.h>
#include <sakimori/json.h>

#include "os/os.h"

typedef struct collector collector;

typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

/* ---- collect.c ---- */

/** What a file is, from its first bytes and its name (docs/collect.md). */
sk_file_kind collect_kind(const uint8_t *d, size_t n, const char *name, size_t name_len);

/* ---- zout.c ---- */

/** A stream that zstd-compresses into `under` (which it closes on fclose), or NULL. */
FILE *zstd_writer(FILE *under, int level);

/* ---- yara.c: rules compiled once with libyara, shared by every thread ---- */

typedef struct collect_yara collect_yara;

/** Compile a rules file; errors name the file and line. */
int yara_load(collect_yara **out, const char *path);

/**
 * Scan a file: from buf[0, len) when the caller holds it whole (buf non-NULL), else
 * through fd. Names of matching rules go to *out (allocated from a). Returns 0, or -1
 * with a message in err (timeouts, scan errors).
 */
int yara_scan(collect_yara *y, int fd, const uint8_t *buf, size_t len, sk_arena *a, strlist *out, char *err, size_t errn);

/** The SHA-256 of the rules' source: what a cached match list depends on. */
const char *yara_rules_id(const collect_yara *y);

void yara_free(collect_yara *y);

/* ---- catroot.c: the security catalogues of a Windows root ---- */

typedef struct collect_catalogs collect_catalogs;

/** A catalogue holding a digest: valid until catalogs_free. */
typedef struct catalog_hit {
    const char *path;      /**< as the snapshot lists it */
    size_t path_len;
    const char *signer_subject, *signer_issuer; /**< NULL when the catalogue does not hold its signer's certificate */
    int verified;          /**< its PKCS#7 signature verifies */
} catalog_hit;

/**
 * Read every Windows/System32/CatRoot/<dir>/<name>.cat under root_fd (each name matched
 * without regard to ASCII case, no symlink followed, read-only), paths shown as
 * root[0, root_len), sep, the names. A catalogue that cannot be opened, read or parsed
 * is a failure (catalogs_failure), the others still read. Returns 0 with *out set
 * (also when there is no CatRoot: then nothing is read), or SK_ENOMEM.
 */
int catalogs_load(collect_catalogs **out, int root_fd, const char *root, size_t root_len, char sep);

/** Catalogues parsed, catalogues that failed, members of the catalogues parsed. */
uint64_t catalogs_read(const collect_catalogs *k);
uint64_t catalogs_failed(const collect_catalogs *k);
uint64_t catalogs_members(const collect_catalogs *k);

/** Bit (1u << sk_catalog_alg) for each digest algorithm the members use. */
unsigned catalogs_algorithms(const collect_catalogs *k);

/** What the signature statuses depend on (the catalogues' paths and contents), as hex,
 * for the cache's identity; NULL when no catalogue was parsed. */
const char *catalogs_id(const collect_catalogs *k);

/** The failures recorded (at most 4096 are kept; catalogs_failed counts them all). */
size_t catalogs_failures(const collect_catalogs *k);
void catalogs_failure(const collect_catalogs *k, size_t i, const char **path, size_t *plen, const char **op, const char **msg);

/** Look a digest of algorithm `alg` up (any thread): 1 with *hit set, or 0. */
int catalogs_find(const collect_catalogs *k, unsigned alg, const uint8_t *digest, catalog_hit *hit);

void catalogs_free(collect_catalogs *k);

/* ---- cache.c: the incremental cache ---- */

typedef struct collect_cache collect_cache;

/**
 * Open (or start) the cache at path. Entries written by a collector with other
 * digests, other YARA rules or other security catalogues (catalogs_id, NULL when
 * none was read: a signature status depends on them) are not used. A damaged file (not a cache, a malformed
 * or torn line) is not used at all: warn() gets one line naming the file and the line
 * and byte, and the cache is rewritten at the end of the run. Errors (the file cannot
 * be read, or is not a regular file) name the file.
 */
int cache_open(collect_cache **out, const char *path, unsigned digests, const char *rules_id, const char *catalogs_id,
               void (*warn)(void *ctx, const char *msg), void *warn_ctx);

#define CACHE_KEY_MAX 192

/** The key of a file: file system identity, inode, size, modification and change
 * times. Returns its length. */
size_t cache_make_key(char out[CACHE_KEY_MAX], const char *fsid, const os_stat *st);

/** The stored content members for a key, or NULL; a hit is kept by the next save.
 * Valid until cache_close. Any thread, while no other thread looks up the same key. */
const char *cache_get(collect_cache *c, const char *key, size_t klen, size_t *n);

/** cache_get of k keys at once (faster: the lookups' memory is fetched ahead). */
void cache_get_many(collect_cache *c, size_t k, const char *const *keys, const size_t *klens, const char **out, size_t *outn);

/** Record the content members of a file read in this run (thread-safe). */
void cache_put(collect_cache *c, const char *key, const char *content, size_t n);

/** Write this run's entries (when `save`) and free. Returns 0 or the write error. */
int cache_close(collect_cache *c, int save);

#endif
