/*
 * invindex.c - the inventory's content index (sakimori/invindex.h): numbering each
 * content (SHA-256) and each file name once for the whole case, and storing a host
 * listing's entries as LEB128 records with front-coded folders in listing_index, in
 * the ingest's transaction; reading them back for the fleet hunt. The writer keeps the
 * numbers it knows in two maps (loaded from the store when it opens), so numbering an
 * entry is two look-ups, and a new number one INSERT.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/invindex.h>
#include <sakimori/map.h>

#include "casedb_int.h"

/* a record's numbers fit 32 bits; the op its 2 bits */
#define MAX_ID 0xfffffff0u

struct sk_invindex {
    sk_casedb *db;
    sqlite3 *q;
    sqlite3_stmt *ins_content, *ins_string, *put, *missing;
    sk_map *contents, *strings; /* SHA-256 / file name -> number */
    uint32_t next_content, next_string;
    sk_buf recs, prev_dir;
    uint64_t n_recs;
};

static int prep(sk_invindex *x, const char *sql, sqlite3_stmt **s)
{
    if (sqlite3_prepare_v3(x->q, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
        return sk_casedb_error(x->db, "preparing the content index");
    return 0;
}

static int load_content(void *ctx, uint32_t id, const uint8_t sha[32])
{
    sk_invindex *x = ctx;
    if (id >= x->next_content) x->next_content = id + 1;
    return sk_map_put(x->contents, sha, 32, (void *)(uintptr_t)id, NULL);
}

static int load_string(void *ctx, uint32_t id, const char *s, size_t n)
{
    sk_invindex *x = ctx;
    if (id >= x->next_string) x->next_string = id + 1;
    return sk_map_put(x->strings, s, n, (void *)(uintptr_t)id, NULL);
}

int sk_invindex_new(sk_invindex **out, sk_casedb *db)
{
    *out = NULL;
    sk_invindex *x = calloc(1, sizeof *x);
    if (!x) return sk_error_set(SK_ENOMEM, "out of memory");
    x->db = db;
    x->q = sk_casedb_sqlite(db);
    x->next_content = x->next_string = 1;
    sk_buf_init(&x->recs, 0);
    sk_buf_init(&x->prev_dir, 0);
    int rc = sk_map_new(&x->contents, 0);
    if (!rc) rc = sk_map_new(&x->strings, 0);
    if (rc) rc = sk_error_set(SK_ENOMEM, "out of memory");
    if (!rc) rc = sk_invindex_contents(db, load_content, x);
    if (!rc) rc = sk_invindex_names(db, load_string, x);
    if (!rc) rc = prep(x, "INSERT INTO index_contents(id, sha256) VALUES(?1, ?2)", &x->ins_content);
    if (!rc) rc = prep(x, "INSERT INTO index_names(id, name) VALUES(?1, ?2)", &x->ins_string);
    if (!rc)
        rc = prep(x,
                  "INSERT OR REPLACE INTO listing_index(inventory_id, windows, records, recs)"
                  " SELECT id, ?2, ?3, ?4 FROM inventory WHERE path = ?1",
                  &x->put);
    if (!rc)
        rc = prep(x,
                  "SELECT 1 FROM inventory WHERE path = ?1 AND kind = 'listing'"
                  " AND NOT EXISTS (SELECT 1 FROM listing_index WHERE inventory_id = inventory.id)",
                  &x->missing);
    if (rc) {
        sk_invindex_free(x);
        return rc == SK_ENOMEM ? sk_error_set(SK_ENOMEM, "out of memory") : rc;
    }
    *out = x;
    return 0;
}

void sk_invindex_free(sk_invindex *x)
{
    if (!x) return;
    sqlite3_finalize(x->ins_content);
    sqlite3_finalize(x->ins_string);
    sqlite3_finalize(x->put);
    sqlite3_finalize(x->missing);
    sk_map_free(x->contents);
    sk_map_free(x->strings);
    sk_buf_free(&x->recs);
    sk_buf_free(&x->prev_dir);
    free(x);
}

void sk_invindex_begin(sk_invindex *x)
{
    x->recs.len = 0;
    x->prev_dir.len = 0;
    x->n_recs = 0;
}

static int leb(sk_buf *b, uint32_t v)
{
    uint8_t o[5];
    size_t n = 0;
    do {
        o[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) o[n] |= 0x80;
        n++;
    } while (v);
    return sk_buf_append(b, o, n);
}

static int number(sk_invindex *x, sk_map *m, const void *key, size_t klen, uint32_t *next, sqlite3_stmt *ins, int content,
                  uint32_t *id)
{
    void *v = sk_map_get(m, key, klen);
    if (v) {
        *id = (uint32_t)(uintptr_t)v;
        return 0;
    }
    if (*next >= MAX_ID) return sk_error_set(SK_ELIMIT, "%s: the content index is full (%u numbers)", sk_casedb_path(x->db), MAX_ID);
    *id = (*next)++;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, *id);
    if (content) {
        char hex[65];
        sk_hex(hex, key, 32);
        sqlite3_bind_text(ins, 2, hex, 64, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(ins, 2, klen ? key : "", (int)klen, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(ins) != SQLITE_DONE) return sk_casedb_error(x->db, "numbering a content or name");
    if (sk_map_put(m, key, klen, (void *)(uintptr_t)*id, NULL)) return sk_error_set(SK_ENOMEM, "out of memory");
    return 0;
}

int sk_invindex_add(sk_invindex *x, const sk_inv_entry *e)
{
    size_t cut = e->path_len;
    while (cut && e->path[cut - 1] != '\\' && e->path[cut - 1] != '/') cut--;
    if (cut > UINT32_MAX / 2) return sk_error_set(SK_ELIMIT, "a path of %zu bytes", e->path_len);
    uint32_t c = 0, n;
    int rc = 0;
    if (e->have_sha256) rc = number(x, x->contents, e->sha256, 32, &x->next_content, x->ins_content, 1, &c);
    if (!rc) rc = number(x, x->strings, e->path + cut, e->path_len - cut, &x->next_string, x->ins_string, 0, &n);
    if (rc) return rc;
    size_t shared = 0, lim = cut < x->prev_dir.len ? cut : x->prev_dir.len;
    while (shared < lim && x->prev_dir.data[shared] == e->path[shared]) shared++;
    unsigned op = (unsigned)e->op & 3u;
    if (leb(&x->recs, op | (c ? 4u : 0u)) || (c && leb(&x->recs, c)) || leb(&x->recs, n) || leb(&x->recs, (uint32_t)shared) ||
        leb(&x->recs, (uint32_t)(cut - shared)) || sk_buf_append(&x->recs, e->path + shared, cut - shared))
        return sk_error_set(SK_ENOMEM, "out of memory");
    x->prev_dir.len = shared;
    if (sk_buf_append(&x->prev_dir, e->path + shared, cut - shared)) return sk_error_set(SK_ENOMEM, "out of memory");
    x->n_recs++;
    return 0;
}

int sk_invindex_put(sk_invindex *x, const char *listing_path, int windows)
{
    sqlite3_reset(x->put);
    sqlite3_bind_text(x->put, 1, listing_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(x->put, 2, windows ? 1 : 0);
    sqlite3_bind_int64(x->put, 3, (sqlite3_int64)x->n_recs);
    sqlite3_bind_blob(x->put, 4, x->recs.len ? (const void *)x->recs.data : "", (int)x->recs.len, SQLITE_STATIC);
    int rc = sqlite3_step(x->put) == SQLITE_DONE ? 0 : sk_casedb_error(x->db, "storing a listing's content index");
    sqlite3_reset(x->put);
    return rc;
}

int sk_invindex_missing(sk_invindex *x, const char *listing_path)
{
    sqlite3_stmt *s = x->missing;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, listing_path, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(s);
    int rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : sk_casedb_error(x->db, "reading the content index");
    sqlite3_reset(s);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------ */

static int each_row(sk_casedb *db, const char *sql, int (*row)(void *ctx, sqlite3_stmt *s), void *ctx)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(sk_casedb_sqlite(db), sql, -1, &s, NULL) != SQLITE_OK) return sk_casedb_error(db, "reading the content index");
    int rc = 0, r;
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) rc = row(ctx, s);
    if (!rc && r != SQLITE_DONE) rc = sk_casedb_error(db, "reading the content index");
    sqlite3_finalize(s);
    return rc;
}

typedef struct row_cb {
    sk_casedb *db;
    int (*content)(void *ctx, uint32_t id, const uint8_t sha256[32]);
    int (*string)(void *ctx, uint32_t id, const char *s, size_t n);
    int (*listing)(void *ctx, const sk_invindex_listing *l);
    void *ctx;
} row_cb;

static int content_row(void *ctx, sqlite3_stmt *s)
{
    row_cb *r = ctx;
    sqlite3_int64 id = sqlite3_column_int64(s, 0);
    const char *hex = (const char *)sqlite3_column_text(s, 1);
    uint8_t sha[32];
    if (id <= 0 || id >= MAX_ID || !hex || sk_unhex(sha, 32, hex, strlen(hex)))
        return sk_error_set(SK_EFORMAT, "%s: index_contents: row %lld is not a number and a SHA-256", sk_casedb_path(r->db), (long long)id);
    return r->content(r->ctx, (uint32_t)id, sha);
}

int sk_invindex_contents(sk_casedb *db, int (*cb)(void *ctx, uint32_t id, const uint8_t sha256[32]), void *ctx)
{
    row_cb r = {.db = db, .content = cb, .ctx = ctx};
    return each_row(db, "SELECT id, sha256 FROM index_contents", content_row, &r);
}

static int string_row(void *ctx, sqlite3_stmt *s)
{
    row_cb *r = ctx;
    sqlite3_int64 id = sqlite3_column_int64(s, 0);
    const char *t = (const char *)sqlite3_column_text(s, 1);
    size_t n = (size_t)sqlite3_column_bytes(s, 1);
    if (id <= 0 || id >= MAX_ID) return sk_error_set(SK_EFORMAT, "%s: index_strings: row %lld has no valid number", sk_casedb_path(r->db), (long long)id);
    return r->string(r->ctx, (uint32_t)id, t ? t : "", t ? n : 0);
}

int sk_invindex_names(sk_casedb *db, int (*cb)(void *ctx, uint32_t id, const char *s, size_t n), void *ctx)
{
    row_cb r = {.db = db, .string = cb, .ctx = ctx};
    return each_row(db, "SELECT id, name FROM index_names", string_row, &r);
}

static int listing_row(void *ctx, sqlite3_stmt *s)
{
    row_cb *r = ctx;
    sk_invindex_listing l = {.path = (const char *)sqlite3_column_text(s, 0), .windows = sqlite3_column_int(s, 1),
                             .records = (uint64_t)sqlite3_column_int64(s, 2), .recs = sqlite3_column_blob(s, 3),
                             .recs_len = (size_t)sqlite3_column_bytes(s, 3)};
    if (!l.path) return 0;
    if (!l.recs) l.recs = (const uint8_t *)"", l.recs_len = 0;
    return r->listing(r->ctx, &l);
}

int sk_invindex_listings(sk_casedb *db, int (*cb)(void *ctx, const sk_invindex_listing *l), void *ctx)
{
    row_cb r = {.db = db, .listing = cb, .ctx = ctx};
    return each_row(db,
                    "SELECT inventory.path, listing_index.windows, listing_index.records, listing_index.recs FROM inventory"
                    " JOIN listing_index ON listing_index.inventory_id = inventory.id"
                    " WHERE inventory.kind = 'listing' AND inventory.superseded_by IS NULL ORDER BY inventory.path",
                    listing_row, &r);
}

static int unleb(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*p >= end) return SK_EFORMAT;
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (x >= MAX_ID) return SK_EFORMAT;
            *v = (uint32_t)x;
            return 0;
        }
    }
    return SK_EFORMAT;
}

void sk_invindex_cursor_init(sk_invindex_cursor *c, const uint8_t *recs, size_t len)
{
    c->p = c->start = recs;
    c->end = recs + len;
    sk_buf_init(&c->dir, 0);
}

void sk_invindex_cursor_free(sk_invindex_cursor *c)
{
    if (c) sk_buf_free(&c->dir);
}

int sk_invindex_next(sk_invindex_cursor *c, sk_invindex_rec *r)
{
    if (c->p >= c->end) return 0;
    const uint8_t *at = c->p;
    uint32_t k, shared, more;
    if (unleb(&c->p, c->end, &k) || k > 7) goto bad;
    r->op = (sk_listing_op)(k & 3);
    r->content = 0;
    if ((k & 4) && (unleb(&c->p, c->end, &r->content) || !r->content)) goto bad;
    if (unleb(&c->p, c->end, &r->name) || !r->name || unleb(&c->p, c->end, &shared) || unleb(&c->p, c->end, &more)) goto bad;
    if (shared > c->dir.len || more > (size_t)(c->end - c->p)) goto bad;
    c->dir.len = shared;
    if (sk_buf_append(&c->dir, c->p, more)) return sk_error_set(SK_ENOMEM, "out of memory");
    c->p += more;
    r->dir = c->dir.len ? c->dir.data : "";
    r->dir_len = c->dir.len;
    return 1;
bad:
    return sk_error_set(SK_EFORMAT, "byte %zu: not a content index record", (size_t)(at - c->start));
}
