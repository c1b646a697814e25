/*
 * casedb.c - the case store (sakimori/casedb.h) over SQLite: opening and creating
 * CASE/case.db with its schema (docs/formats/case-db.md), transactions, inputs, the host
 * registry's tables, the inventory's index and the hunts' findings. Statements are
 * prepared once per database and reset after each use. Times are stored as ISO 8601
 * UTC text (sortable, readable in the sqlite3 shell); digests as lower-case hex.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <sakimori/casedb.h>
#include <sakimori/common.h>
#include <sakimori/json.h>
#include <sakimori/version.h>

#include "casedb_int.h"

/* the content index (invindex.c), also added to a store made before it existed */
#define INDEX_SQL                                                                                                          \
    "CREATE TABLE IF NOT EXISTS index_contents(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE);"                       \
    "CREATE TABLE IF NOT EXISTS index_names(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"                                   \
    "CREATE TABLE IF NOT EXISTS listing_index(inventory_id INTEGER PRIMARY KEY REFERENCES inventory(id), windows INTEGER NOT NULL," \
    " records INTEGER NOT NULL, recs BLOB NOT NULL);"

static const char *const SCHEMA_SQL =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE inputs(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,"
    " source TEXT, size INTEGER NOT NULL, mtime TEXT, added TEXT NOT NULL, records INTEGER, errors INTEGER,"
    " UNIQUE(sha256, path));"
    "CREATE INDEX inputs_by_path ON inputs(path);"
    "CREATE TABLE hosts(host_id TEXT PRIMARY KEY, name TEXT NOT NULL, domain TEXT, site TEXT, region TEXT,"
    " role TEXT NOT NULL DEFAULT 'unknown', os_family TEXT, os_name TEXT, os_version TEXT, first_seen TEXT, last_seen TEXT);"
    "CREATE TABLE anchors(host_id TEXT NOT NULL REFERENCES hosts(host_id), kind TEXT NOT NULL, value TEXT NOT NULL,"
    " source TEXT, PRIMARY KEY(host_id, kind, value));"
    "CREATE INDEX anchors_by_value ON anchors(kind, value);"
    "CREATE TABLE aliases(host_id TEXT NOT NULL REFERENCES hosts(host_id), kind TEXT NOT NULL, value TEXT NOT NULL COLLATE NOCASE,"
    " scope TEXT NOT NULL DEFAULT '' COLLATE NOCASE, trust TEXT NOT NULL, valid_from TEXT, valid_to TEXT, source TEXT,"
    " UNIQUE(host_id, kind, value, scope));"
    "CREATE INDEX aliases_by_value ON aliases(kind, value);"
    "CREATE TABLE links(host_id TEXT NOT NULL REFERENCES hosts(host_id), other TEXT NOT NULL REFERENCES hosts(host_id),"
    " reason TEXT NOT NULL, source TEXT, UNIQUE(host_id, other, reason));"
    "CREATE TABLE inventory(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, host_id TEXT REFERENCES hosts(host_id),"
    " path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL, mode TEXT, base TEXT, collected TEXT, complete INTEGER NOT NULL DEFAULT 1,"
    " snapshot_input INTEGER REFERENCES inputs(id), entries INTEGER, superseded_by INTEGER REFERENCES inventory(id));"
    "CREATE INDEX inventory_by_host ON inventory(host_id);"
    "CREATE TABLE hunts(hunt TEXT PRIMARY KEY, run TEXT NOT NULL, sakimori_version TEXT NOT NULL, options TEXT,"
    " findings INTEGER NOT NULL);"
    "CREATE TABLE findings(finding_id TEXT NOT NULL, hunt TEXT NOT NULL REFERENCES hunts(hunt), engine TEXT NOT NULL,"
    " host_id TEXT, host TEXT, severity TEXT, rule_id TEXT, time TEXT, time_last TEXT, json TEXT NOT NULL,"
    " PRIMARY KEY(hunt, finding_id));"
    "CREATE INDEX findings_by_host ON findings(host_id, host);"
    "CREATE TABLE evidence(hunt TEXT NOT NULL, finding_id TEXT NOT NULL, input_sha256 TEXT NOT NULL, path TEXT,"
    " line INTEGER, offset INTEGER, record_id INTEGER);"
    "CREATE INDEX evidence_by_finding ON evidence(hunt, finding_id);"
    "CREATE INDEX evidence_by_input ON evidence(input_sha256);"
    INDEX_SQL;

enum {
    ST_INPUT_GET, ST_INPUT_INS, ST_INPUT_UPD, ST_INPUT_KNOWN, ST_INPUT_AT,
    ST_HOST_GET, ST_HOST_INS, ST_HOST_UPD, ST_ANCHOR_ADD, ST_BY_ANCHOR, ST_HAS_KIND, ST_ALIAS_GET, ST_ALIAS_INS, ST_ALIAS_UPD, ST_BY_ALIAS,
    ST_LINK_ADD, ST_INV_GET, ST_INV_INS, ST_INV_UPD, ST_INV_CURRENT, ST_INV_SUPERSEDE,
    ST_HUNT_DEL_F, ST_HUNT_DEL_E, ST_HUNT_PUT, ST_FIND_INS, ST_EVID_INS,
    ST_COUNT
};

static const char *const ST_SQL[ST_COUNT] = {
    [ST_INPUT_GET] = "SELECT id FROM inputs WHERE sha256 = ?1 AND path = ?2",
    [ST_INPUT_INS] = "INSERT INTO inputs(sha256, path, kind, source, size, mtime, added, records, errors) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_INPUT_UPD] = "UPDATE inputs SET kind = ?3, source = ?4, size = ?5, mtime = ?6, records = ?8, errors = ?9 WHERE sha256 = ?1 AND path = ?2",
    [ST_INPUT_AT] = "SELECT sha256, size, mtime FROM inputs WHERE path = ?1 ORDER BY id DESC LIMIT 1",
    [ST_INPUT_KNOWN] = "SELECT 1 FROM inputs WHERE sha256 = ?1 LIMIT 1",
    [ST_HOST_GET] = "SELECT host_id, name, domain, site, region, role, os_family, os_name, os_version, first_seen, last_seen FROM hosts WHERE host_id = ?1",
    [ST_HOST_INS] = "INSERT INTO hosts(host_id, name, domain, site, region, role, os_family, os_name, os_version, first_seen, last_seen)"
                    " VALUES(?1,?2,?3,?4,?5,coalesce(?6,'unknown'),?7,?8,?9,?10,?11)",
    [ST_HOST_UPD] = "UPDATE hosts SET name = coalesce(?2, name), domain = coalesce(?3, domain), site = coalesce(?4, site),"
                    " region = coalesce(?5, region), role = coalesce(?6, role), os_family = coalesce(?7, os_family),"
                    " os_name = coalesce(?8, os_name), os_version = coalesce(?9, os_version),"
                    " first_seen = CASE WHEN ?10 IS NULL THEN first_seen WHEN first_seen IS NULL OR ?10 < first_seen THEN ?10 ELSE first_seen END,"
                    " last_seen = CASE WHEN ?11 IS NULL THEN last_seen WHEN last_seen IS NULL OR ?11 > last_seen THEN ?11 ELSE last_seen END"
                    " WHERE host_id = ?1",
    [ST_ANCHOR_ADD] = "INSERT OR IGNORE INTO anchors(host_id, kind, value, source) VALUES(?1,?2,?3,?4)",
    [ST_HAS_KIND] = "SELECT 1 FROM anchors WHERE host_id = ?1 AND kind = ?2 LIMIT 1",
    [ST_BY_ANCHOR] = "SELECT DISTINCT host_id FROM anchors WHERE kind = ?1 AND value = ?2 ORDER BY host_id",
    [ST_ALIAS_GET] = "SELECT valid_from, valid_to FROM aliases WHERE host_id = ?1 AND kind = ?2 AND value = ?3 AND scope = ?4",
    [ST_ALIAS_INS] = "INSERT INTO aliases(host_id, kind, value, scope, trust, valid_from, valid_to, source) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_ALIAS_UPD] = "UPDATE aliases SET valid_from = ?5, valid_to = ?6 WHERE host_id = ?1 AND kind = ?2 AND value = ?3 AND scope = ?4",
    [ST_BY_ALIAS] = "SELECT DISTINCT host_id FROM aliases WHERE kind = ?1 AND value = ?2 AND (?3 IS NULL OR scope = ?3)"
                    " AND (?4 IS NULL OR ((valid_from IS NULL OR valid_from <= ?4) AND (valid_to IS NULL OR valid_to >= ?4)))"
                    " ORDER BY host_id",
    [ST_LINK_ADD] = "INSERT OR IGNORE INTO links(host_id, other, reason, source) VALUES(?1,?2,?3,?4)",
    [ST_INV_GET] = "SELECT id FROM inventory WHERE path = ?1",
    [ST_INV_INS] = "INSERT INTO inventory(kind, host_id, path, sha256, mode, base, collected, complete, snapshot_input, entries)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [ST_INV_UPD] = "UPDATE inventory SET kind = ?1, host_id = ?2, sha256 = ?4, mode = ?5, base = ?6, collected = ?7, complete = ?8,"
                   " snapshot_input = ?9, entries = ?10 WHERE path = ?3",
    [ST_INV_CURRENT] = "SELECT id, path, sha256, mode, base, collected, complete, snapshot_input, entries, host_id, kind FROM inventory"
                       " WHERE kind = ?1 AND superseded_by IS NULL ORDER BY path",
    /* a host's listings: all but the newest (collected, then id) point at the newest */
    [ST_INV_SUPERSEDE] = "WITH newest(nid) AS (SELECT id FROM inventory WHERE kind = 'listing' AND host_id = ?1"
                         " ORDER BY coalesce(collected, '') DESC, id DESC LIMIT 1)"
                         " UPDATE inventory SET superseded_by = CASE WHEN id = (SELECT nid FROM newest) THEN NULL ELSE (SELECT nid FROM newest) END"
                         " WHERE kind = 'listing' AND host_id = ?1",
    [ST_HUNT_DEL_F] = "DELETE FROM findings WHERE hunt = ?1",
    [ST_HUNT_DEL_E] = "DELETE FROM evidence WHERE hunt = ?1",
    [ST_HUNT_PUT] = "INSERT INTO hunts(hunt, run, sakimori_version, options, findings) VALUES(?1,?2,?3,?4,?5)"
                    " ON CONFLICT(hunt) DO UPDATE SET run = ?2, sakimori_version = ?3, options = ?4, findings = ?5",
    [ST_FIND_INS] = "INSERT OR REPLACE INTO findings(finding_id, hunt, engine, host_id, host, severity, rule_id, time, time_last, json)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [ST_EVID_INS] = "INSERT INTO evidence(hunt, finding_id, input_sha256, path, line, offset, record_id) VALUES(?1,?2,?3,?4,?5,?6,?7)",
};

struct sk_casedb {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[ST_COUNT];
    int in_tx;
    /* strings of the last sk_casedb_host_get */
    char *hs[10];
};

static int db_error(sk_casedb *db, const char *what)
{
    int code = sqlite3_errcode(db->db);
    return sk_error_set(code == SQLITE_NOMEM ? SK_ENOMEM : code == SQLITE_FULL ? SK_EIO : SK_EIO, "%s: %s: %s", db->path, what,
                        sqlite3_errmsg(db->db));
}

static sqlite3_stmt *stmt(sk_casedb *db, int i)
{
    if (!db->st[i] && sqlite3_prepare_v3(db->db, ST_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
        db_error(db, "preparing a statement");
        return NULL;
    }
    sqlite3_reset(db->st[i]);
    sqlite3_clear_bindings(db->st[i]);
    return db->st[i];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(s, i);
}

static void bind_time(sqlite3_stmt *s, int i, sk_time t)
{
    if (t == SK_TIME_NONE) {
        sqlite3_bind_null(s, i);
        return;
    }
    char b[SK_TIME_ISO_MAX];
    sk_time_format_trim(b, t);
    sqlite3_bind_text(s, i, b, -1, SQLITE_TRANSIENT);
}

static sk_time col_time(sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    sk_stamp st;
    if (!v || sk_time_parse_iso8601(v, strlen(v), NULL, &st)) return SK_TIME_NONE;
    return st.utc;
}

/* run a statement to its end */
static int run(sk_casedb *db, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    while (rc == SQLITE_ROW) rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return db_error(db, what);
    return 0;
}

static int exec(sk_casedb *db, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sk_error_set(SK_EIO, "%s: %s: %s", db->path, what, msg ? msg : sqlite3_errmsg(db->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int create_schema(sk_casedb *db)
{
    if (exec(db, "BEGIN IMMEDIATE", "starting the schema")) return SK_EIO;
    int rc = exec(db, SCHEMA_SQL, "creating the schema");
    if (!rc) {
        char now[SK_TIME_ISO_MAX], sql[512];
        sk_time_format_trim(now, sk_time_now());
        snprintf(sql, sizeof sql, "INSERT INTO meta VALUES('schema','%s'),('created','%s'),('sakimori_version','%s')", SK_CASEDB_SCHEMA,
                 now, sk_version());
        rc = exec(db, sql, "creating the schema");
    }
    if (!rc) rc = exec(db, "COMMIT", "creating the schema");
    if (rc) exec(db, "ROLLBACK", "rolling back");
    return rc;
}

int sk_casedb_open(sk_casedb **out, const char *case_dir, int create)
{
    *out = NULL;
    sk_casedb *db = calloc(1, sizeof *db);
    if (!db) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t n = strlen(case_dir) + 16;
    db->path = malloc(n);
    if (!db->path) {
        free(db);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    snprintf(db->path, n, "%s/case.db", case_dir);
    struct stat sb;
    int exists = lstat(db->path, &sb) == 0;
    int rc = 0;
    if (exists && S_ISLNK(sb.st_mode)) rc = sk_error_set(SK_EFORMAT, "%s: a symbolic link: the case store must be a file in the case folder", db->path);
    else if (exists && !S_ISREG(sb.st_mode)) rc = sk_error_set(SK_EFORMAT, "%s: not a regular file", db->path);
    else if (!exists && !create) rc = sk_error_set(SK_ENOTFOUND, "%s: no case store (run 'sakimori ingest' on the case first)", db->path);
    if (rc) {
        free(db->path);
        free(db);
        return rc;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(db->path, &db->db, flags, NULL) != SQLITE_OK) {
        rc = sk_error_set(SK_EIO, "%s: %s", db->path, db->db ? sqlite3_errmsg(db->db) : "cannot open");
        sk_casedb_close(db);
        return rc;
    }
    sqlite3_extended_result_codes(db->db, 0);
    sqlite3_busy_timeout(db->db, 10000);
    /* a file that is not a database fails here */
    char *msg = NULL;
    if (sqlite3_exec(db->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, NULL, &msg) != SQLITE_OK) {
        rc = sk_error_set(SK_EFORMAT, "%s: not a sakimori case store (%s)", db->path, msg ? msg : sqlite3_errmsg(db->db));
        sqlite3_free(msg);
        sk_casedb_close(db);
        return rc;
    }
    sqlite3_stmt *s = NULL;
    int have_meta = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        have_meta = sqlite3_column_int(s, 0);
    else rc = sk_error_set(SK_EFORMAT, "%s: not a sakimori case store (%s)", db->path, sqlite3_errmsg(db->db));
    sqlite3_finalize(s);
    if (!rc && !have_meta) {
        /* a new database is empty; anything else without our meta table is not ours */
        int tables = -1;
        if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            tables = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        if (tables != 0) rc = sk_error_set(SK_EFORMAT, "%s: a SQLite database, but not a sakimori case store", db->path);
        else rc = create_schema(db);
    } else if (!rc) {
        char version[128] = "";
        if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            snprintf(version, sizeof version, "%s", v ? v : "");
        }
        sqlite3_finalize(s);
        if (strcmp(version, SK_CASEDB_SCHEMA))
            rc = sk_error_set(SK_EFORMAT, "%s: schema '%s', but this sakimori reads %s", db->path, version, SK_CASEDB_SCHEMA);
    }
    if (!rc) rc = exec(db, "CREATE INDEX IF NOT EXISTS inputs_by_path ON inputs(path);" INDEX_SQL, "indexing the inputs");
    if (rc) {
        sk_casedb_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void sk_casedb_close(sk_casedb *db)
{
    if (!db) return;
    if (db->in_tx) sk_casedb_rollback(db);
    for (int i = 0; i < ST_COUNT; i++) sqlite3_finalize(db->st[i]);
    for (int i = 0; i < 10; i++) free(db->hs[i]);
    sqlite3_close(db->db);
    free(db->path);
    free(db);
}

sqlite3 *sk_casedb_sqlite(sk_casedb *db)
{
    return db->db;
}

int sk_casedb_error(sk_casedb *db, const char *what)
{
    return db_error(db, what);
}

const char *sk_casedb_path(const sk_casedb *db)
{
    return db->path;
}

int sk_casedb_begin(sk_casedb *db)
{
    if (db->in_tx) return sk_error_set(SK_EINVAL, "%s: a transaction is already open", db->path);
    if (exec(db, "BEGIN IMMEDIATE", "starting a transaction")) return SK_EIO;
    db->in_tx = 1;
    return 0;
}

int sk_casedb_commit(sk_casedb *db)
{
    if (!db->in_tx) return 0;
    if (exec(db, "COMMIT", "committing")) return SK_EIO;
    db->in_tx = 0;
    return 0;
}

void sk_casedb_rollback(sk_casedb *db)
{
    if (!db->in_tx) return;
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
}

/* ---- inputs ---------------------------------------------------------------------- */

int sk_casedb_input_put(sk_casedb *db, const sk_casedb_input *in, int64_t *id, int *existed)
{
    sqlite3_stmt *s = stmt(db, ST_INPUT_GET);
    if (!s) return SK_EIO;
    bind_text(s, 1, in->sha256);
    bind_text(s, 2, in->path);
    int rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW;
    int64_t got = found ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "reading the inputs");
    if (existed) *existed = found;
    s = stmt(db, found ? ST_INPUT_UPD : ST_INPUT_INS);
    if (!s) return SK_EIO;
    bind_text(s, 1, in->sha256);
    bind_text(s, 2, in->path);
    bind_text(s, 3, in->kind);
    bind_text(s, 4, in->source);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)in->size);
    bind_time(s, 6, in->mtime);
    bind_time(s, 7, sk_time_now());
    sqlite3_bind_int64(s, 8, (sqlite3_int64)in->records);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)in->errors);
    if (run(db, s, "recording an input")) return SK_EIO;
    if (id) *id = found ? got : sqlite3_last_insert_rowid(db->db);
    return 0;
}

int sk_casedb_input_id(sk_casedb *db, const char *sha256, const char *path, int64_t *id)
{
    sqlite3_stmt *s = stmt(db, ST_INPUT_GET);
    if (!s) return SK_EIO;
    bind_text(s, 1, sha256);
    bind_text(s, 2, path);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        return 0;
    }
    if (r == SQLITE_DONE) return sk_error_set(SK_ENOTFOUND, "%s: no input %s recorded as %s", db->path, path, sha256);
    return db_error(db, "reading the inputs");
}

int sk_casedb_input_at(sk_casedb *db, const char *path, char sha256[65], uint64_t *size, sk_time *mtime)
{
    sqlite3_stmt *s = stmt(db, ST_INPUT_AT);
    if (!s) return SK_EIO;
    bind_text(s, 1, path);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return SK_ENOTFOUND;
    if (rc != SQLITE_ROW) return db_error(db, "reading the inputs");
    snprintf(sha256, 65, "%s", sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    *size = (uint64_t)sqlite3_column_int64(s, 1);
    *mtime = col_time(s, 2);
    return 0;
}

int sk_casedb_input_known(sk_casedb *db, const char *sha256)
{
    sqlite3_stmt *s = stmt(db, ST_INPUT_KNOWN);
    if (!s) return SK_EIO;
    bind_text(s, 1, sha256);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return db_error(db, "reading the inputs");
}

/* ---- hosts ------------------------------------------------------------------------ */

int sk_casedb_host_put(sk_casedb *db, const sk_casedb_host *h)
{
    sk_casedb_host old;
    int rc = sk_casedb_host_get(db, h->host_id, &old);
    if (rc && rc != SK_ENOTFOUND) return rc;
    if (rc == SK_ENOTFOUND && !h->name) return sk_error_set(SK_EINVAL, "a new host needs a name");
    sqlite3_stmt *s = stmt(db, rc == SK_ENOTFOUND ? ST_HOST_INS : ST_HOST_UPD);
    if (!s) return SK_EIO;
    bind_text(s, 1, h->host_id);
    bind_text(s, 2, h->name);
    bind_text(s, 3, h->domain);
    bind_text(s, 4, h->site);
    bind_text(s, 5, h->region);
    bind_text(s, 6, h->role);
    bind_text(s, 7, h->os_family);
    bind_text(s, 8, h->os_name);
    bind_text(s, 9, h->os_version);
    bind_time(s, 10, h->first_seen);
    bind_time(s, 11, h->last_seen);
    return run(db, s, "recording a host");
}

int sk_casedb_host_get(sk_casedb *db, const char *host_id, sk_casedb_host *out)
{
    sqlite3_stmt *s = stmt(db, ST_HOST_GET);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return SK_ENOTFOUND;
    if (rc != SQLITE_ROW) return db_error(db, "reading a host");
    memset(out, 0, sizeof *out);
    snprintf(out->host_id, sizeof out->host_id, "%s", (const char *)sqlite3_column_text(s, 0));
    const char **dst[] = {&out->name, &out->domain, &out->site, &out->region, &out->role, &out->os_family, &out->os_name, &out->os_version};
    for (int i = 0; i < 8; i++) {
        free(db->hs[i]);
        const char *v = (const char *)sqlite3_column_text(s, i + 1);
        db->hs[i] = v ? strdup(v) : NULL;
        if (v && !db->hs[i]) return sk_error_set(SK_ENOMEM, "out of memory");
        *dst[i] = db->hs[i];
    }
    out->first_seen = col_time(s, 9);
    out->last_seen = col_time(s, 10);
    return 0;
}

static int collect_ids(sk_casedb *db, sqlite3_stmt *s, char (*ids)[20], size_t max, size_t *n)
{
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n < max) snprintf(ids[*n], 20, "%s", (const char *)sqlite3_column_text(s, 0));
        ++*n;
    }
    return rc == SQLITE_DONE ? 0 : db_error(db, "reading the registry");
}

int sk_casedb_hosts_by_anchor(sk_casedb *db, const char *kind, const char *value, char (*ids)[20], size_t max, size_t *n)
{
    sqlite3_stmt *s = stmt(db, ST_BY_ANCHOR);
    if (!s) return SK_EIO;
    bind_text(s, 1, kind);
    bind_text(s, 2, value);
    return collect_ids(db, s, ids, max, n);
}

int sk_casedb_hosts_by_alias(sk_casedb *db, const char *kind, const char *value, const char *scope, sk_time t,
                             char (*ids)[20], size_t max, size_t *n)
{
    sqlite3_stmt *s = stmt(db, ST_BY_ALIAS);
    if (!s) return SK_EIO;
    bind_text(s, 1, kind);
    bind_text(s, 2, value);
    bind_text(s, 3, scope);
    bind_time(s, 4, t);
    return collect_ids(db, s, ids, max, n);
}

int sk_casedb_host_has_anchor_kind(sk_casedb *db, const char *host_id, const char *kind, int *holds)
{
    sqlite3_stmt *s = stmt(db, ST_HAS_KIND);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    bind_text(s, 2, kind);
    int rc = sqlite3_step(s);
    *holds = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(db, "reading the anchors");
}

int sk_casedb_anchor_add(sk_casedb *db, const char *host_id, const char *kind, const char *value, const char *source)
{
    sqlite3_stmt *s = stmt(db, ST_ANCHOR_ADD);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    bind_text(s, 2, kind);
    bind_text(s, 3, value);
    bind_text(s, 4, source);
    return run(db, s, "recording an anchor");
}

int sk_casedb_alias_add(sk_casedb *db, const char *host_id, const char *kind, const char *value, const char *scope,
                        const char *trust, sk_time from, sk_time to, const char *source)
{
    const char *sc = scope ? scope : "";
    sqlite3_stmt *s = stmt(db, ST_ALIAS_GET);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    bind_text(s, 2, kind);
    bind_text(s, 3, value);
    bind_text(s, 4, sc);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        /* widened: an open end stays open */
        int open_from = sqlite3_column_type(s, 0) == SQLITE_NULL, open_to = sqlite3_column_type(s, 1) == SQLITE_NULL;
        sk_time of = col_time(s, 0), ot = col_time(s, 1);
        sk_time nf = open_from || from == SK_TIME_NONE ? SK_TIME_NONE : (from < of ? from : of);
        sk_time nt = open_to || to == SK_TIME_NONE ? SK_TIME_NONE : (to > ot ? to : ot);
        s = stmt(db, ST_ALIAS_UPD);
        if (!s) return SK_EIO;
        bind_text(s, 1, host_id);
        bind_text(s, 2, kind);
        bind_text(s, 3, value);
        bind_text(s, 4, sc);
        bind_time(s, 5, nf);
        bind_time(s, 6, nt);
        return run(db, s, "recording an alias");
    }
    if (rc != SQLITE_DONE) return db_error(db, "reading the aliases");
    s = stmt(db, ST_ALIAS_INS);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    bind_text(s, 2, kind);
    bind_text(s, 3, value);
    bind_text(s, 4, sc);
    bind_text(s, 5, trust);
    bind_time(s, 6, from);
    bind_time(s, 7, to);
    bind_text(s, 8, source);
    return run(db, s, "recording an alias");
}

int sk_casedb_link_add(sk_casedb *db, const char *host_id, const char *other, const char *reason, const char *source)
{
    sqlite3_stmt *s = stmt(db, ST_LINK_ADD);
    if (!s) return SK_EIO;
    bind_text(s, 1, host_id);
    bind_text(s, 2, other);
    bind_text(s, 3, reason);
    bind_text(s, 4, source);
    return run(db, s, "recording a link");
}

int sk_casedb_host_count(sk_casedb *db, uint64_t *n)
{
    sqlite3_stmt *s = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM hosts", -1, &s, NULL) != SQLITE_OK) return db_error(db, "counting hosts");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *n = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : db_error(db, "counting hosts");
}

/* a row's text column as a JSON member (absent when NULL) */
static void kv_col(sk_jw *w, const char *key, sqlite3_stmt *s, int i)
{
    const char *v = (const char *)sqlite3_column_text(s, i);
    if (v) sk_jw_kv_string(w, key, v);
}

int sk_casedb_hosts_export(sk_casedb *db, sk_buf *out)
{
    sqlite3_stmt *h = NULL, *a = NULL, *al = NULL, *l = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT host_id, name, domain, site, region, role, os_family, os_name, os_version, first_seen, last_seen FROM hosts ORDER BY host_id", -1, &h, NULL) ||
        sqlite3_prepare_v2(db->db, "SELECT kind, value, source FROM anchors WHERE host_id = ?1 ORDER BY kind, value", -1, &a, NULL) ||
        sqlite3_prepare_v2(db->db, "SELECT kind, value, nullif(scope, ''), valid_from, valid_to, source, trust FROM aliases WHERE host_id = ?1 ORDER BY kind, value, scope", -1, &al, NULL) ||
        sqlite3_prepare_v2(db->db, "SELECT other, reason FROM links WHERE host_id = ?1 ORDER BY other, reason", -1, &l, NULL)) {
        rc = db_error(db, "exporting the hosts");
        goto done;
    }
    int step;
    while ((step = sqlite3_step(h)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(h, 0);
        sk_jw w;
        sk_jw_init(&w, out);
        sk_jw_object_begin(&w);
        kv_col(&w, "host_id", h, 0);
        kv_col(&w, "name", h, 1);
        kv_col(&w, "domain", h, 2);
        kv_col(&w, "site", h, 3);
        kv_col(&w, "region", h, 4);
        kv_col(&w, "role", h, 5);
        if (sqlite3_column_type(h, 6) != SQLITE_NULL || sqlite3_column_type(h, 7) != SQLITE_NULL || sqlite3_column_type(h, 8) != SQLITE_NULL) {
            sk_jw_key(&w, "os");
            sk_jw_object_begin(&w);
            kv_col(&w, "family", h, 6);
            kv_col(&w, "name", h, 7);
            kv_col(&w, "version", h, 8);
            sk_jw_object_end(&w);
        }
        sqlite3_reset(a);
        sqlite3_bind_text(a, 1, id, -1, SQLITE_TRANSIENT);
        sk_jw_key(&w, "anchors");
        sk_jw_array_begin(&w);
        while (sqlite3_step(a) == SQLITE_ROW) {
            sk_jw_object_begin(&w);
            kv_col(&w, "kind", a, 0);
            kv_col(&w, "value", a, 1);
            kv_col(&w, "source", a, 2);
            sk_jw_object_end(&w);
        }
        sk_jw_array_end(&w);
        sqlite3_reset(al);
        sqlite3_bind_text(al, 1, id, -1, SQLITE_TRANSIENT);
        sk_jw_key(&w, "aliases");
        sk_jw_array_begin(&w);
        while (sqlite3_step(al) == SQLITE_ROW) {
            sk_jw_object_begin(&w);
            kv_col(&w, "kind", al, 0);
            kv_col(&w, "value", al, 1);
            kv_col(&w, "scope", al, 2);
            kv_col(&w, "from", al, 3);
            kv_col(&w, "to", al, 4);
            kv_col(&w, "source", al, 5);
            kv_col(&w, "trust", al, 6);
            sk_jw_object_end(&w);
        }
        sk_jw_array_end(&w);
        sqlite3_reset(l);
        sqlite3_bind_text(l, 1, id, -1, SQLITE_TRANSIENT);
        int any = 0;
        while (sqlite3_step(l) == SQLITE_ROW) {
            if (!any) sk_jw_key(&w, "links"), sk_jw_array_begin(&w), any = 1;
            sk_jw_object_begin(&w);
            kv_col(&w, "host_id", l, 0);
            kv_col(&w, "reason", l, 1);
            sk_jw_object_end(&w);
        }
        if (any) sk_jw_array_end(&w);
        kv_col(&w, "first_seen", h, 9);
        kv_col(&w, "last_seen", h, 10);
        sk_jw_object_end(&w);
        if (sk_jw_error(&w) || sk_buf_append(out, "\n", 1)) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (step != SQLITE_DONE) rc = db_error(db, "exporting the hosts");
done:
    sqlite3_finalize(h);
    sqlite3_finalize(a);
    sqlite3_finalize(al);
    sqlite3_finalize(l);
    return rc;
}

/* ---- the inventory's index -------------------------------------------------------- */

int sk_casedb_listing_put(sk_casedb *db, const sk_casedb_listing *l, int64_t *id)
{
    sqlite3_stmt *s = stmt(db, ST_INV_GET);
    if (!s) return SK_EIO;
    bind_text(s, 1, l->path);
    int rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW;
    int64_t got = found ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db, "reading the inventory");
    s = stmt(db, found ? ST_INV_UPD : ST_INV_INS);
    if (!s) return SK_EIO;
    bind_text(s, 1, l->kind);
    bind_text(s, 2, l->host_id);
    bind_text(s, 3, l->path);
    bind_text(s, 4, l->sha256);
    bind_text(s, 5, l->mode);
    bind_text(s, 6, l->base);
    bind_time(s, 7, l->collected);
    sqlite3_bind_int(s, 8, l->complete);
    if (l->snapshot_input) sqlite3_bind_int64(s, 9, l->snapshot_input);
    else sqlite3_bind_null(s, 9);
    sqlite3_bind_int64(s, 10, (sqlite3_int64)l->entries);
    if (run(db, s, "recording an inventory file")) return SK_EIO;
    if (id) *id = found ? got : sqlite3_last_insert_rowid(db->db);
    if (l->host_id && !strcmp(l->kind, "listing")) {
        s = stmt(db, ST_INV_SUPERSEDE);
        if (!s) return SK_EIO;
        bind_text(s, 1, l->host_id);
        if (run(db, s, "superseding older listings")) return SK_EIO;
    }
    return 0;
}

int sk_casedb_listings(sk_casedb *db, const char *kind, int (*cb)(void *ctx, const sk_casedb_listing *l), void *ctx)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->db, ST_SQL[ST_INV_CURRENT], -1, &s, NULL) != SQLITE_OK) return db_error(db, "reading the inventory");
    sqlite3_bind_text(s, 1, kind, -1, SQLITE_TRANSIENT);
    int rc = 0, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sk_casedb_listing l = {0};
        l.id = sqlite3_column_int64(s, 0);
        l.path = (const char *)sqlite3_column_text(s, 1);
        l.sha256 = (const char *)sqlite3_column_text(s, 2);
        l.mode = (const char *)sqlite3_column_text(s, 3);
        l.base = (const char *)sqlite3_column_text(s, 4);
        l.collected = col_time(s, 5);
        l.complete = sqlite3_column_int(s, 6);
        l.snapshot_input = sqlite3_column_int64(s, 7);
        l.entries = (uint64_t)sqlite3_column_int64(s, 8);
        l.host_id = (const char *)sqlite3_column_text(s, 9);
        l.kind = (const char *)sqlite3_column_text(s, 10);
        l.current = 1;
        rc = cb(ctx, &l);
        if (rc) break;
    }
    if (!rc && step != SQLITE_DONE) rc = db_error(db, "reading the inventory");
    sqlite3_finalize(s);
    return rc;
}

/* ---- hunts and findings ------------------------------------------------------------ */

static const char *jstr(const sk_json_value *o, const char *key)
{
    const sk_json_value *v = o ? sk_json_object_get(o, key) : NULL;
    return v && sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, NULL) : NULL;
}

static int finding_index(sk_casedb *db, const char *hunt, const char *line, size_t n, size_t k)
{
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = 16 * n + 4096, .max_depth = 64, .keep_invalid_utf8 = 1};
    if (sk_json_parse(&doc, line, n, NULL, &lim))
        return sk_error_set(SK_EFORMAT, "finding %zu of hunt '%s': not JSON (%s)", k + 1, hunt, sk_error_last());
    const sk_json_value *o = sk_json_doc_root(doc);
    const char *id = jstr(o, "finding_id"), *engine = jstr(o, "engine");
    int rc = 0;
    if (sk_json_type_of(o) != SK_JSON_OBJECT || !id || !engine) {
        rc = sk_error_set(SK_EFORMAT, "finding %zu of hunt '%s': no finding_id or engine", k + 1, hunt);
        goto done;
    }
    sqlite3_stmt *s = stmt(db, ST_FIND_INS);
    if (!s) {
        rc = SK_EIO;
        goto done;
    }
    const sk_json_value *rule = sk_json_object_get(o, "rule");
    bind_text(s, 1, id);
    bind_text(s, 2, hunt);
    bind_text(s, 3, engine);
    bind_text(s, 4, jstr(o, "host_id"));
    bind_text(s, 5, jstr(o, "host"));
    bind_text(s, 6, jstr(o, "severity"));
    bind_text(s, 7, rule && sk_json_type_of(rule) == SK_JSON_OBJECT ? jstr(rule, "id") : NULL);
    bind_text(s, 8, jstr(o, "time"));
    bind_text(s, 9, jstr(o, "time_last"));
    sqlite3_bind_text(s, 10, line, (int)n, SQLITE_TRANSIENT);
    if ((rc = run(db, s, "recording a finding"))) goto done;
    const sk_json_value *ev = sk_json_object_get(o, "evidence");
    for (size_t i = 0; ev && sk_json_type_of(ev) == SK_JSON_ARRAY && i < sk_json_length(ev); i++) {
        const sk_json_value *e = sk_json_array_at(ev, i);
        const char *sha = jstr(e, "sha256");
        if (!sha) continue;
        s = stmt(db, ST_EVID_INS);
        if (!s) {
            rc = SK_EIO;
            goto done;
        }
        bind_text(s, 1, hunt);
        bind_text(s, 2, id);
        bind_text(s, 3, sha);
        bind_text(s, 4, jstr(e, "path"));
        static const char *const loc[] = {"line", "offset", "record_id"};
        for (int q = 0; q < 3; q++) {
            const sk_json_value *v = sk_json_object_get(e, loc[q]);
            int64_t x;
            if (v && sk_json_type_of(v) == SK_JSON_NUMBER && !sk_json_int64(v, &x)) sqlite3_bind_int64(s, 5 + q, x);
        }
        if ((rc = run(db, s, "recording evidence"))) goto done;
    }
done:
    sk_json_doc_free(doc);
    return rc;
}

int sk_casedb_hunt_replace(sk_casedb *db, const char *hunt, const char *const *lines, const size_t *lens, size_t n,
                           const char *options)
{
    if (!db->in_tx) return sk_error_set(SK_EINVAL, "%s: a hunt's findings are replaced inside a transaction", db->path);
    sqlite3_stmt *s = stmt(db, ST_HUNT_DEL_E);
    if (!s) return SK_EIO;
    bind_text(s, 1, hunt);
    if (run(db, s, "removing a hunt's evidence")) return SK_EIO;
    s = stmt(db, ST_HUNT_DEL_F);
    if (!s) return SK_EIO;
    bind_text(s, 1, hunt);
    if (run(db, s, "removing a hunt's findings")) return SK_EIO;
    s = stmt(db, ST_HUNT_PUT);
    if (!s) return SK_EIO;
    bind_text(s, 1, hunt);
    bind_time(s, 2, sk_time_now());
    bind_text(s, 3, sk_version());
    bind_text(s, 4, options);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)n);
    if (run(db, s, "recording a hunt")) return SK_EIO;
    for (size_t i = 0; i < n; i++) {
        int rc = finding_index(db, hunt, lines[i], lens[i], i);
        if (rc) return rc;
    }
    return 0;
}

int sk_casedb_findings_export(sk_casedb *db, sk_buf *out)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->db, "SELECT json FROM findings ORDER BY hunt, finding_id", -1, &s, NULL) != SQLITE_OK)
        return db_error(db, "exporting the findings");
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const void *j = sqlite3_column_blob(s, 0);
        int n = sqlite3_column_bytes(s, 0);
        if ((n && sk_buf_append(out, j, (size_t)n)) || sk_buf_append(out, "\n", 1)) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && step != SQLITE_DONE) rc = db_error(db, "exporting the findings");
    sqlite3_finalize(s);
    return rc;
}

int sk_casedb_finding_count(sk_casedb *db, const char *hunt, uint64_t *n)
{
    sqlite3_stmt *s = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM findings WHERE ?1 IS NULL OR hunt = ?1", -1, &s, NULL) != SQLITE_OK)
        return db_error(db, "counting findings");
    bind_text(s, 1, hunt);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *n = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : db_error(db, "counting findings");
}
