/*
 * sakimori/invindex.h - the inventory's content index in the case store
 * (docs/formats/case-db.md, tables index_contents, index_strings, listing_index): each
 * host listing's entries as compact records (what the entry does, its content's
 * case-wide number, its file name's case-wide number, its folder), written by `ingest`
 * while it reads the listing and checks its SHA-256, read by `hunt files` to count how
 * many hosts hold each content without parsing 50 million JSON lines again. The
 * listing file stays the evidence; the index says nothing the listing does not.
 *
 * A record is unsigned LEB128 numbers: op | (has content << 2), the content's number
 * (only when it has one), the name's number (the path after its last separator), then
 * the folder (the path up to and including that separator) front-coded against the
 * previous record's: how many leading bytes it shares, how many follow, those bytes.
 * Names repeat across a fleet; folders (update caches, profiles) often do not, so they
 * stay in the listing's records rather than in a case-wide table.
 */
#ifndef SAKIMORI_INVINDEX_H
#define SAKIMORI_INVINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "casedb.h"
#include "inventory_read.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writing, at ingest ------------------------------------------------------------ */

typedef struct sk_invindex sk_invindex;

/** A writer for db: the contents and strings the store already numbers are loaded. */
int sk_invindex_new(sk_invindex **out, sk_casedb *db);
void sk_invindex_free(sk_invindex *x);
/** Start a listing's records (the previous ones dropped). */
void sk_invindex_begin(sk_invindex *x);
/** One listing entry (numbering a new content or string: stored in the open transaction). */
int sk_invindex_add(sk_invindex *x, const sk_inv_entry *e);
/** Store the records for the listing recorded at `listing_path` (sk_casedb_listing_put
 * first), replacing any earlier; windows: its paths are a Windows root's. */
int sk_invindex_put(sk_invindex *x, const char *listing_path, int windows);
/** 1 when `listing_path` is a recorded host listing without records (a store written
 * before the index existed), 0 otherwise; <0 on error. */
int sk_invindex_missing(sk_invindex *x, const char *listing_path);

/* ---- reading, at the hunt ---------------------------------------------------------- */

/** Every numbered content: cb(ctx, number, SHA-256). Non-zero from cb stops. */
int sk_invindex_contents(sk_casedb *db, int (*cb)(void *ctx, uint32_t id, const uint8_t sha256[32]), void *ctx);
/** Every numbered file name, its bytes valid for the call. */
int sk_invindex_names(sk_casedb *db, int (*cb)(void *ctx, uint32_t id, const char *s, size_t n), void *ctx);

/** A current host listing's records (the store's sk_casedb_listings("listing") set, in
 * path order); those without records are not given. */
typedef struct sk_invindex_listing {
    const char *path;           /**< the listing, relative to the case folder */
    int windows;
    uint64_t records;
    const uint8_t *recs;        /**< the records' bytes, valid for the call */
    size_t recs_len;
} sk_invindex_listing;
int sk_invindex_listings(sk_casedb *db, int (*cb)(void *ctx, const sk_invindex_listing *l), void *ctx);

/** One record. */
typedef struct sk_invindex_rec {
    sk_listing_op op;
    uint32_t content;           /**< 0: the entry had no SHA-256 (a removal, an unhashed file) */
    uint32_t name;
    const char *dir;            /**< the folder, with its separator; valid until the next record */
    size_t dir_len;
} sk_invindex_rec;

/** Reading one listing's records. */
typedef struct sk_invindex_cursor {
    const uint8_t *p, *start, *end;
    sk_buf dir;
} sk_invindex_cursor;
void sk_invindex_cursor_init(sk_invindex_cursor *c, const uint8_t *recs, size_t len);
void sk_invindex_cursor_free(sk_invindex_cursor *c);
/** The next record: 1 a record, 0 at the end, SK_EFORMAT ("byte N: ...") for bytes that
 * are no record, SK_ENOMEM. */
int sk_invindex_next(sk_invindex_cursor *c, sk_invindex_rec *r);

#ifdef __cplusplus
}
#endif
#endif
