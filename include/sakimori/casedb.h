/*
 * sakimori/casedb.h - the case store: one SQLite database per case, CASE/case.db
 * (docs/formats/case-db.md gives the schema, version sakimori/case-db/1). It holds the
 * host registry (hosts, anchors, aliases, links), the inputs read with their SHA-256,
 * the inventory's index (base manifests, catalogue files, host listings and which one
 * is current), the hunts run and their findings with evidence references. The
 * inventory's own lines stay in their documented files under CASE/snapshots/ (the
 * catalogue, bases, listings: streamed at full speed by the fleet hunt); the database
 * says which of them count.
 *
 * WAL mode; every change a command makes is one transaction (sk_casedb_begin/commit),
 * so a crash mid-write leaves the database as it was before. A hunt's findings replace
 * that hunt's earlier findings in the same transaction, never duplicating them.
 * The database file is opened without following a symbolic link and must lie in the
 * case folder.
 */
#ifndef SAKIMORI_CASEDB_H
#define SAKIMORI_CASEDB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The schema version this sakimori writes and reads. */
#define SK_CASEDB_SCHEMA "sakimori/case-db/1"

typedef struct sk_casedb sk_casedb;

/**
 * Open CASE/case.db; with `create`, make it (and its schema) when it is missing.
 * Refuses a database of another schema version, a symbolic link, and a file that is
 * not a SQLite database, with one line naming the file.
 */
int sk_casedb_open(sk_casedb **out, const char *case_dir, int create);
void sk_casedb_close(sk_casedb *db);
/** The database file's path. */
const char *sk_casedb_path(const sk_casedb *db);

/** One transaction for a command's changes (IMMEDIATE: a second writer waits, then
 * fails with a message). rollback is safe to call when nothing is open. */
int sk_casedb_begin(sk_casedb *db);
int sk_casedb_commit(sk_casedb *db);
void sk_casedb_rollback(sk_casedb *db);

/* ---- inputs ---------------------------------------------------------------------- */

/** An input read (docs/formats/evidence.md). Strings may be NULL where optional. */
typedef struct sk_casedb_input {
    const char *sha256;   /**< 64 lower-case hex digits */
    const char *path;     /**< as given, or relative to the case folder */
    const char *kind;     /**< the reader that consumed it */
    const char *source;   /**< the case.json source it matched, or NULL */
    uint64_t size;
    sk_time mtime;
    uint64_t records, errors;
} sk_casedb_input;

/** Record an input (the same SHA-256 and path: the row is updated, *existed set). */
int sk_casedb_input_put(sk_casedb *db, const sk_casedb_input *in, int64_t *id, int *existed);
/** The newest input recorded at `path`: its SHA-256, size and modification time;
 * SK_ENOTFOUND when none. */
int sk_casedb_input_at(sk_casedb *db, const char *path, char sha256[65], uint64_t *size, sk_time *mtime);
/** 1 when an input of this SHA-256 was recorded (any path), 0 when not, or an error. */
/** The id of the input recorded with this SHA-256 and path (SK_ENOTFOUND: none). */
int sk_casedb_input_id(sk_casedb *db, const char *sha256, const char *path, int64_t *id);
int sk_casedb_input_known(sk_casedb *db, const char *sha256);

/* ---- the host registry ------------------------------------------------------------ */

/** A host's row. Strings NULL when unknown. */
typedef struct sk_casedb_host {
    char host_id[20];     /**< "h-" and 16 hex digits */
    const char *name, *domain, *site, *region, *role;
    const char *os_family, *os_name, *os_version;
    sk_time first_seen, last_seen;
} sk_casedb_host;

/** Insert or update the host (a NULL member keeps the stored value; times widen the
 * span). */
int sk_casedb_host_put(sk_casedb *db, const sk_casedb_host *h);
/** The host of this id; SK_ENOTFOUND when none. Strings live until the next call. */
int sk_casedb_host_get(sk_casedb *db, const char *host_id, sk_casedb_host *out);
/** Hosts holding the anchor (kind, value): up to `max` ids into ids[], their count. */
int sk_casedb_hosts_by_anchor(sk_casedb *db, const char *kind, const char *value, char (*ids)[20], size_t max, size_t *n);
/** Hosts with an alias of this kind and value (case-insensitive) valid at `t`
 * (SK_TIME_NONE: at any time) in `scope` (NULL: any). */
int sk_casedb_hosts_by_alias(sk_casedb *db, const char *kind, const char *value, const char *scope, sk_time t,
                             char (*ids)[20], size_t max, size_t *n);
/** *holds = 1 when the host has an anchor of this kind. */
int sk_casedb_host_has_anchor_kind(sk_casedb *db, const char *host_id, const char *kind, int *holds);
int sk_casedb_anchor_add(sk_casedb *db, const char *host_id, const char *kind, const char *value, const char *source);
/** An alias; an existing one of the same (kind, value, scope) is kept (its validity
 * widened to cover from..to). */
int sk_casedb_alias_add(sk_casedb *db, const char *host_id, const char *kind, const char *value, const char *scope,
                        const char *trust, sk_time from, sk_time to, const char *source);
/** A possible identity between two hosts (never a merge): reason "possible_reimage",
 * "cloned_image", "name_reused", "name_collision". Recorded once per pair and reason. */
int sk_casedb_link_add(sk_casedb *db, const char *host_id, const char *other, const char *reason, const char *source);
/** Number of hosts. */
int sk_casedb_host_count(sk_casedb *db, uint64_t *n);
/** Every host as a docs/formats/host.md line (JSON and "\n") into out, ordered by id. */
int sk_casedb_hosts_export(sk_casedb *db, sk_buf *out);

/* ---- the inventory's index -------------------------------------------------------- */

/** A base manifest, a catalogue file or a listing: a file under the case folder. */
typedef struct sk_casedb_listing {
    int64_t id;
    const char *host_id;  /**< listings; NULL for bases and catalogue files */
    const char *kind;     /**< "listing", "base", "catalog" */
    const char *path;     /**< relative to the case folder */
    const char *sha256;   /**< of the file */
    const char *mode;     /**< "full", "delta" (listings) */
    const char *base;     /**< a delta's base (name), a base's name */
    sk_time collected;
    int complete;         /**< 0: the snapshot was incomplete (interrupted walk) */
    int64_t snapshot_input; /**< the input it came from, 0 for none */
    uint64_t entries;
    int current;          /**< the host's newest listing (read back only) */
} sk_casedb_listing;

/** Record an inventory file (the same path: updated). A host listing newer than the
 * host's current one supersedes it (the older stays recorded); an older one is kept
 * as superseded. *id set. */
int sk_casedb_listing_put(sk_casedb *db, const sk_casedb_listing *l, int64_t *id);
/** Each current file of a kind ("listing": each host's newest; "base"; "catalog") in
 * path order; the struct's strings live for the call. Non-zero from cb stops. */
int sk_casedb_listings(sk_casedb *db, const char *kind, int (*cb)(void *ctx, const sk_casedb_listing *l), void *ctx);

/* ---- hunts and findings ------------------------------------------------------------ */

/**
 * Replace a hunt's findings: delete what `hunt` (e.g. "files", "net", "events") wrote
 * before and insert `n` finding lines (docs/formats/finding.md, JSON without the
 * newline), indexing their id, host, engine, severity, time and evidence. Call inside
 * a transaction. A line that is not a finding is an error (nothing is half-written
 * once the transaction is rolled back).
 */
int sk_casedb_hunt_replace(sk_casedb *db, const char *hunt, const char *const *lines, const size_t *lens, size_t n,
                           const char *options);
/** Every finding of every hunt, one JSON line each, into out (hunt, then id order). */
int sk_casedb_findings_export(sk_casedb *db, sk_buf *out);
/** Findings stored for `hunt` (NULL: all). */
int sk_casedb_finding_count(sk_casedb *db, const char *hunt, uint64_t *n);

#ifdef __cplusplus
}
#endif
#endif
