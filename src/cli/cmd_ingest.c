/*
 * cmd_ingest.c - `sakimori ingest CASE [SNAPSHOT|DIR...]`: the case store. First the
 * inventory already in the case folder (CASE/snapshots: base manifests, catalogue
 * files, host listings, as the simulator writes them or an earlier ingest did) is
 * indexed in CASE/case.db, each file hashed once (a file whose path, size and
 * modification time are unchanged since it was recorded is not read again); its
 * listings' hosts enter the registry. Then each collector snapshot given (plain or
 * zstd/gzip, or the *.jsonl[.zst] files of a folder) is read: its host resolved by the
 * registry's merge rules, its contents not yet catalogued added to a new catalogue file,
 * its files written as a listing (a delta against the base manifest that gives the
 * smallest one, full when no delta is smaller than half the full listing). With
 * --learn-bases, a snapshot that no base serves is held back: when at least LEARN_MIN_HOSTS snapshots of one OS
 * build are, a base is learnt from a sample of them (base_learn.h) and they are read
 * again and written as deltas against it. A snapshot whose SHA-256 was ingested before
 * changes nothing. Everything is one transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/sakimori.h>

#include "base_learn.h"
#include "cli.h"
#include "lines.h"

#define CMD "ingest"
#define MAX_MESSAGES_PER_FILE 10

void cmd_ingest_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori ingest CASE [SNAPSHOT|DIR...] [--assets FILE] [--learn-bases] [-q]\n"
            "\n"
            "Build or update the case store, CASE/case.db (docs/formats/case-db.md):\n"
            "  - the inventory in CASE/snapshots (base manifests in bases/, the catalogue in\n"
            "    catalog.jsonl and catalog/, host listings in listings/) is indexed, each file\n"
            "    hashed once, and each listing's host registered;\n"
            "  - each collector snapshot given (sakimori collect's output, plain or zstd; a\n"
            "    folder's *.jsonl and *.jsonl.zst) is added: the host resolved by the registry's\n"
            "    rules (docs/formats/host.md), its new contents catalogued once per SHA-256, its\n"
            "    files written as a listing under CASE/snapshots/listings/, a delta against the\n"
            "    best base manifest when that is less than half the full listing;\n"
            "  - the asset inventory (CASE/assets.csv, or --assets: CSV with a header naming\n"
            "    host and any of role, site, os, mac, ip, addressing) registers its hosts too.\n"
            "Ingesting the same snapshot twice changes nothing; a newer snapshot of a host\n"
            "supersedes its older listing, which stays recorded; an incomplete snapshot (no end\n"
            "line, or \"complete\": false) is marked so. CASE/hosts.jsonl is written from the\n"
            "registry afterwards.\n"
            "\n"
            "Options:\n"
            "  --assets FILE   the asset inventory (default CASE/assets.csv when present)\n"
            "  --learn-bases   when no base serves at least 8 snapshots of one OS build, learn\n"
            "                  one from them (the files at least half of a sample of 64 hold\n"
            "                  alike) and write them as deltas; hunt files does not yet judge\n"
            "                  the files of a base, so a learnt base can hide findings\n"
            "  -q, --quiet     no summary on stderr\n"
            "\n"
            "Exit codes: 0 done, 2 usage error, 3 an input (or a line of one) could not be read\n"
            "(the rest is ingested), 4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori simulate --hosts 2000 --out /tmp/fleet && sakimori ingest /tmp/fleet\n"
            "  sakimori ingest case/ snapshots/WS-TKY-0042.jsonl.zst\n"
            "  sakimori ingest case/ /mnt/share/collected/\n"
            "  sqlite3 case/case.db 'SELECT name, site, role FROM hosts ORDER BY name'\n");
}

/* ---- the run's state -------------------------------------------------------------- */

typedef struct base_entry {
    const char *path;
    uint8_t sha256[32];
    uint64_t size;
    sk_time mtime;
    uint32_t mode;
    int have_mode;
    const char *owner;
    int seen; /* matched by the snapshot being delta'd (cleared per snapshot) */
} base_entry;

typedef struct base {
    char *name, *rel, *sha256;
    int windows;          /* a windows_root: paths compare case-insensitively */
    base_entry *e;
    size_t n;
    sk_map *by_path;      /* the folded path -> entry */
} base;

/* snapshots of one OS build that no base served, held back to learn one */
typedef struct group {
    char *key;            /* os family, name, version; a Windows root or not */
    char *os, *windows_root;
    base_learner *l;
    char **pending;
    char (*sha)[65];      /* each one's digest when it was read first */
    int *in_folder;
    size_t n, cap;
} group;

typedef struct ing {
    char *case_dir;
    sk_casedb *db;
    sk_inv_parser *p;
    sk_invindex *ix;      /* the content index, written as host listings are read */
    sk_case *cs;          /* case.json, when there is one */
    sk_arena *arena;      /* strings of the run (bases, snapshots' headers) */
    int bad;              /* an input error: exit 3 */
    int quiet;
    unsigned long indexed, unchanged, snapshots, known, new_contents, hosts_new, listings_delta, listings_full, incomplete;
    unsigned long assets;
    sk_map *catalog;      /* the SHA-256 of every catalogued content */
    int catalog_loaded;
    base *bases;
    size_t n_bases;
    int bases_loaded;
    sk_buf cat;           /* catalogue records this run adds */
    uint64_t cat_records;
    int learn;            /* learn bases from the fleet (not --no-learn) */
    int round;            /* 1: snapshots as given; 2: the held-back ones again */
    group *groups;
    size_t n_groups;
    unsigned long bases_learnt;
} ing;

static void say(ing *g, const char *fmt, ...) SK_PRINTF(2, 3);
static void say(ing *g, const char *fmt, ...)
{
    (void)g;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sk_cli_error(CMD, "%s", msg);
}

/* ---- indexing the case's own inventory ------------------------------------------ */

typedef struct idx {
    ing *g;
    const char *rel;
    int kind;             /* -1 unknown yet, else SK_INV_LISTING (host or base) / SK_INV_CATALOG */
    sk_inv_listing hdr;
    char *host_id, *host, *base, *name, *mode;
    sk_time collected;
    uint64_t entries, errors;
    unsigned said;
} idx;

static void line_error(ing *g, const char *rel, unsigned *said, uint64_t *errors)
{
    ++*errors;
    g->bad = 1;
    if (++*said <= MAX_MESSAGES_PER_FILE) say(g, "%s: %s", rel, sk_error_last());
    else if (*said == MAX_MESSAGES_PER_FILE + 1) say(g, "%s: more lines that do not read (counted, not shown)", rel);
}

static char *adup(ing *g, const char *s)
{
    return s ? sk_arena_strndup(g->arena, s, strlen(s)) : NULL;
}

static int idx_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    idx *x = ctx;
    ing *g = x->g;
    if (!s) {
        line_error(g, x->rel, &x->said, &x->errors);
        return x->kind < 0 ? SK_ENOTFOUND : 0; /* no header first: not inventory, not read on */
    }
    sk_inv_line l;
    int rc = sk_inv_parse_line(g->p, s, n, line, &l);
    if (rc == SK_ENOTFOUND) return 0;
    if (rc == SK_ENOMEM) return rc;
    if (rc) {
        line_error(g, x->rel, &x->said, &x->errors);
        return 0;
    }
    if (x->kind < 0) { /* the first line tells the file's kind */
        if (l.type == SK_INV_LISTING) {
            x->kind = SK_INV_LISTING;
            x->hdr = l.listing;
            x->host_id = adup(g, l.listing.host_id), x->host = adup(g, l.listing.host), x->base = adup(g, l.listing.base);
            x->name = adup(g, l.listing.name);
            x->mode = l.listing.delta ? "delta" : "full";
            x->collected = l.listing.collected;
            sk_invindex_begin(g->ix);
            return 0;
        }
        if (l.type == SK_INV_CATALOG) {
            x->kind = SK_INV_CATALOG;
        } else {
            sk_error_set(SK_EFORMAT, "line %llu: neither a listing's header nor a catalogue record: not inventory", (unsigned long long)line);
            line_error(g, x->rel, &x->said, &x->errors);
            return SK_ENOTFOUND; /* stop reading it */
        }
    }
    if (x->kind == SK_INV_LISTING && l.type != SK_INV_ENTRY) {
        sk_error_set(SK_EFORMAT, "line %llu: not a listing entry", (unsigned long long)line);
        line_error(g, x->rel, &x->said, &x->errors);
        return 0;
    }
    if (x->kind == SK_INV_CATALOG && l.type != SK_INV_CATALOG) {
        sk_error_set(SK_EFORMAT, "line %llu: not a catalogue record", (unsigned long long)line);
        line_error(g, x->rel, &x->said, &x->errors);
        return 0;
    }
    x->entries++;
    if (x->kind == SK_INV_LISTING && !x->hdr.base_manifest) return sk_invindex_add(g->ix, &l.entry);
    return 0;
}

static int index_file(ing *g, const char *rel)
{
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", g->case_dir, rel);
    int fd;
    sk_file_info info;
    if (sk_file_open(SK_FILE_CWD, full, SK_FILE_NOFOLLOW, &fd, &info)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    char sha[65];
    uint64_t size;
    sk_time mtime;
    int rc = sk_casedb_input_at(g->db, rel, sha, &size, &mtime);
    if (rc && rc != SK_ENOTFOUND) {
        close(fd);
        return rc;
    }
    if (!rc && size == info.size && mtime == info.mtime) { /* recorded, and unchanged since */
        int missing = sk_invindex_missing(g->ix, rel); /* but for a store made before the content index */
        if (missing < 0) {
            close(fd);
            return missing;
        }
        if (!missing) {
            close(fd);
            g->unchanged++;
            return 0;
        }
    }
    idx x = {.g = g, .rel = rel, .kind = -1, .collected = SK_TIME_NONE};
    uint64_t lines = 0;
    rc = cli_read_lines(full, fd, idx_line, &x, sha, &lines);
    close(fd);
    if (rc == SK_ENOTFOUND) return 0; /* not inventory: said */
    if (rc) return rc;
    if (x.kind < 0) return 0; /* empty */
    sk_casedb_input in = {.sha256 = sha, .path = rel, .kind = x.kind == SK_INV_CATALOG ? "catalog" : x.hdr.base_manifest ? "base" : "listing",
                          .size = info.size, .mtime = info.mtime, .records = x.entries, .errors = x.errors};
    int64_t input_id;
    if ((rc = sk_casedb_input_put(g->db, &in, &input_id, NULL))) return rc;
    sk_casedb_listing l = {.kind = in.kind, .path = rel, .sha256 = sha, .collected = x.collected, .complete = 1, .entries = x.entries};
    if (x.kind == SK_INV_LISTING) {
        l.mode = x.mode;
        l.base = x.hdr.base_manifest ? x.name : x.base;
        if (x.hdr.have_entries && x.hdr.entries != x.entries) {
            say(g, "%s: %llu entries where its header says %llu: marked incomplete", rel, (unsigned long long)x.entries,
                (unsigned long long)x.hdr.entries);
            l.complete = 0;
            g->incomplete++;
        }
        if (!x.hdr.base_manifest) {
            if (!x.host) {
                say(g, "%s: a host listing without the host's name: not registered", rel);
                g->bad = 1;
                return 0;
            }
            sk_host_obs o = {.host_id = x.host_id, .name = x.host, .seen = x.collected, .source = "listing"};
            sk_registry_result r;
            if ((rc = sk_registry_resolve(g->db, &o, &r))) return rc;
            g->hosts_new += (unsigned long)r.created;
            l.host_id = r.host_id;
            if ((rc = sk_casedb_listing_put(g->db, &l, NULL))) return rc;
            if ((rc = sk_invindex_put(g->ix, rel, x.hdr.windows_root != NULL))) return rc;
            g->indexed++;
            return 0;
        }
    }
    if ((rc = sk_casedb_listing_put(g->db, &l, NULL))) return rc;
    g->indexed++;
    return 0;
}

/* every *.jsonl below CASE/rel (sorted, no symbolic link followed) */
static int index_tree(ing *g, const char *rel, int depth)
{
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", g->case_dir, rel);
    int dfd;
    if (access(full, F_OK)) return 0; /* no such folder: nothing to index */
    if (sk_file_open(SK_FILE_CWD, full, SK_FILE_DIR | SK_FILE_NOFOLLOW, &dfd, NULL)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = sk_dir_names(dfd, &names, &n);
    close(dfd);
    if (rc == SK_EIO) {
        say(g, "%s: cannot read the folder: %s", rel, sk_error_last());
        g->bad = 1;
        return 0;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        if (names[i][0] == '.') continue; /* hidden: ingest's own temporary files among them */
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", rel, names[i]);
        char subfull[8200];
        snprintf(subfull, sizeof subfull, "%s/%s", g->case_dir, sub);
        struct stat st;
        if (lstat(subfull, &st)) continue;
        if (S_ISLNK(st.st_mode)) {
            say(g, "%s: a symbolic link: not followed", sub);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth < 8) rc = index_tree(g, sub, depth + 1);
            continue;
        }
        size_t ln = strlen(names[i]);
        if (S_ISREG(st.st_mode) && ln > 6 && !strcmp(names[i] + ln - 6, ".jsonl")) rc = index_file(g, sub);
    }
    sk_dir_names_free(names, n);
    return rc;
}

/* ---- the catalogue and the base manifests, for new snapshots --------------------- */

typedef struct catload {
    ing *g;
    const char *rel;
    unsigned said;
    uint64_t errors;
} catload;

static int cat_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    catload *c = ctx;
    uint8_t d[32];
    /* the writer's own form starts with the digest: no tree needed */
    static const char pre[] = "{\"sha256\":\"";
    int ok = 0;
    if (s && n > sizeof pre - 1 + 64 && !memcmp(s, pre, sizeof pre - 1) && s[sizeof pre - 1 + 64] == '"') {
        ok = 1;
        for (int i = 0; i < 32 && ok; i++) {
            int a = s[11 + 2 * i], b = s[12 + 2 * i];
            int ha = a >= '0' && a <= '9' ? a - '0' : a >= 'a' && a <= 'f' ? a - 'a' + 10 : -1;
            int hb = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
            if (ha < 0 || hb < 0) ok = 0;
            else d[i] = (uint8_t)(ha << 4 | hb);
        }
    }
    if (!ok && s) {
        sk_inv_line l;
        int rc = sk_inv_parse_line(c->g->p, s, n, line, &l);
        if (rc == SK_ENOTFOUND) return 0;
        if (rc == SK_ENOMEM) return rc;
        if (rc || l.type != SK_INV_CATALOG) return 0; /* said when it was indexed */
        memcpy(d, l.content.sha256, 32);
    }
    if (!s) return 0;
    return sk_map_put(c->g->catalog, d, 32, (void *)1, NULL);
}

static int load_catalog_file(void *ctx, const sk_casedb_listing *l)
{
    ing *g = ctx;
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", g->case_dir, l->path);
    int fd;
    if (sk_file_open(SK_FILE_CWD, full, SK_FILE_NOFOLLOW, &fd, NULL)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    catload c = {.g = g, .rel = l->path};
    char sha[65];
    uint64_t lines;
    int rc = cli_read_lines(full, fd, cat_line, &c, sha, &lines);
    close(fd);
    return rc;
}

typedef struct baseload {
    ing *g;
    base *b;
    size_t cap;
} baseload;

static void fold_path(char *dst, const char *src, size_t n, int windows)
{
    for (size_t i = 0; i < n; i++) dst[i] = windows && src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] + 32) : src[i];
}

static int base_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    baseload *bl = ctx;
    base *b = bl->b;
    if (!s) return 0;
    sk_inv_line l;
    int rc = sk_inv_parse_line(bl->g->p, s, n, line, &l);
    if (rc == SK_ENOMEM) return rc;
    if (rc) return 0; /* said when it was indexed */
    if (l.type == SK_INV_LISTING) {
        b->windows = l.listing.windows_root != NULL;
        return 0;
    }
    if (l.type != SK_INV_ENTRY || !l.entry.have_sha256) return 0;
    if (b->n == bl->cap) {
        bl->cap = bl->cap ? bl->cap * 2 : 4096;
        base_entry *ne = realloc(b->e, bl->cap * sizeof *ne);
        if (!ne) return sk_error_set(SK_ENOMEM, "out of memory");
        b->e = ne;
    }
    base_entry *e = &b->e[b->n++];
    memset(e, 0, sizeof *e);
    e->path = sk_arena_strndup(bl->g->arena, l.entry.path, l.entry.path_len);
    if (!e->path) return sk_error_set(SK_ENOMEM, "out of memory");
    memcpy(e->sha256, l.entry.sha256, 32);
    e->size = l.entry.size, e->mtime = l.entry.mtime, e->mode = l.entry.mode, e->have_mode = l.entry.have_mode;
    e->owner = adup(bl->g, l.entry.owner);
    return 0;
}

static int load_base_file(void *ctx, const sk_casedb_listing *l)
{
    ing *g = ctx;
    base *nb = realloc(g->bases, (g->n_bases + 1) * sizeof *nb);
    if (!nb) return sk_error_set(SK_ENOMEM, "out of memory");
    g->bases = nb;
    base *b = &g->bases[g->n_bases];
    memset(b, 0, sizeof *b);
    b->name = adup(g, l->base ? l->base : l->path);
    b->rel = adup(g, l->path);
    b->sha256 = adup(g, l->sha256);
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", g->case_dir, l->path);
    int fd;
    if (sk_file_open(SK_FILE_CWD, full, SK_FILE_NOFOLLOW, &fd, NULL)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    baseload bl = {.g = g, .b = b};
    char sha[65];
    uint64_t lines;
    int rc = cli_read_lines(full, fd, base_line, &bl, sha, &lines);
    close(fd);
    if (rc) return rc;
    if (strcmp(sha, b->sha256)) { /* changed since it was indexed: a delta would name the wrong base */
        say(g, "%s: changed since it was indexed: not used as a base", l->path);
        free(b->e);
        return 0;
    }
    if ((rc = sk_map_new(&b->by_path, 0))) return rc;
    for (size_t i = 0; i < b->n; i++) {
        size_t pn = strlen(b->e[i].path);
        char *k = malloc(pn ? pn : 1);
        if (!k) return sk_error_set(SK_ENOMEM, "out of memory");
        fold_path(k, b->e[i].path, pn, b->windows);
        rc = sk_map_put(b->by_path, k, pn, &b->e[i], NULL);
        free(k);
        if (rc) return rc;
    }
    g->n_bases++;
    return 0;
}

static int load_for_snapshots(ing *g)
{
    int rc = 0;
    if (!g->catalog_loaded) {
        g->catalog_loaded = 1;
        if ((rc = sk_map_new(&g->catalog, 0))) return rc;
        if ((rc = sk_casedb_listings(g->db, "catalog", load_catalog_file, g))) return rc;
    }
    if (!g->bases_loaded) {
        g->bases_loaded = 1;
        rc = sk_casedb_listings(g->db, "base", load_base_file, g);
    }
    return rc;
}

/* ---- one collector snapshot ------------------------------------------------------- */

typedef struct snap_file {
    const char *path;
    size_t path_len;
    uint8_t sha256[32];
    int have_sha256;
    uint64_t size;
    sk_time mtime, ctime, crtime;
    uint32_t mode;
    int have_mode;
    const char *owner;
} snap_file;

typedef struct snap {
    ing *g;
    const char *name;     /* as given */
    int in_folder, from_stdin;
    char sha[65];         /* the input's digest */
    unsigned said;
    uint64_t errors, err_lines;
    int have_header, have_end, complete;
    sk_host_obs obs;
    char *windows_root, *site;
    sk_time started, finished;
    snap_file *f;
    size_t n, cap;
    sk_map *paths;        /* folded path -> 1: a path listed twice is said and dropped */
    sk_map *new_shas;     /* contents this snapshot adds to the catalogue */
    sk_buf cat;           /* their records */
    uint64_t cat_records;
} snap;

/* a catalogue record from a file line's tree: the content members only */
static int catalog_record(sk_buf *out, const sk_json_value *o)
{
    static const char *const keep[] = {"sha256", "md5", "sha1", "size", "kind", "pe", "elf", "signature", "yara", "yara_rules_sha256"};
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const sk_json_value *v = sk_json_object_get(o, keep[i]);
        if (!v) continue;
        sk_jw_key(&w, keep[i]);
        sk_jw_value(&w, v);
    }
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_append(out, "\n", 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    return 0;
}

static int snap_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    snap *x = ctx;
    ing *g = x->g;
    if (!s) {
        x->err_lines++;
        line_error(g, x->name, &x->said, &x->errors);
        return x->have_header ? 0 : SK_ENOTFOUND; /* no header first: not a snapshot, not read on */
    }
    sk_inv_line l;
    int rc = sk_inv_parse_line(g->p, s, n, line, &l);
    if (rc == SK_ENOTFOUND) return 0;
    if (rc == SK_ENOMEM) return rc;
    if (rc) {
        x->err_lines++;
        line_error(g, x->name, &x->said, &x->errors);
        if (!x->have_header && line == 1) return SK_ENOTFOUND; /* not a snapshot at all */
        return 0;
    }
    if (!x->have_header) {
        if (l.type != SK_INV_SNAPSHOT) {
            sk_error_set(SK_EFORMAT, "line %llu: not a snapshot's header (a snapshot starts with one)", (unsigned long long)line);
            line_error(g, x->name, &x->said, &x->errors);
            return SK_ENOTFOUND;
        }
        x->have_header = 1;
        sk_inv_snapshot *h = &l.snapshot;
        sk_host_obs *o = &x->obs;
        o->name = adup(g, h->host), o->domain = adup(g, h->domain), o->fqdn = adup(g, h->fqdn);
        o->site = adup(g, h->site), o->region = adup(g, h->region);
        o->os_family = adup(g, h->os_family), o->os_name = adup(g, h->os_name), o->os_version = adup(g, h->os_version);
        for (size_t i = 0; i < h->n_anchors && o->n_anchors < SK_HOST_OBS_MAX; i++)
            o->anchors[o->n_anchors++] = (sk_host_anchor){adup(g, h->anchors[i].kind), adup(g, h->anchors[i].value)};
        for (size_t i = 0; i < h->n_macs && o->n_macs < SK_HOST_OBS_MAX; i++) o->macs[o->n_macs++] = adup(g, h->macs[i]);
        o->seen = h->started;
        o->source = "snapshot";
        o->trust = h->identity_source && !strcmp(h->identity_source, "flags") ? "observed" : "authoritative";
        x->windows_root = adup(g, h->windows_root);
        x->started = h->started;
        /* the site: the snapshot's, else the case's for its first address */
        if (!o->site && g->cs) {
            for (size_t i = 0; i < h->n_addresses && !o->site; i++) {
                sk_ip ip;
                int amb = 0;
                if (sk_ip_parse(h->addresses[i], strlen(h->addresses[i]), &ip)) continue;
                const sk_case_site *cs = sk_case_site_for_ip(g->cs, &ip, &amb);
                if (cs && !amb) o->site = adup(g, cs->name), o->region = o->region ? o->region : adup(g, cs->region);
            }
        }
        return 0;
    }
    if (l.type == SK_INV_END) {
        x->have_end = 1;
        x->complete = l.end.complete;
        x->finished = l.end.finished;
        return 0;
    }
    if (l.type == SK_INV_ERROR) {
        x->errors++;
        return 0;
    }
    if (l.type != SK_INV_FILE) {
        sk_error_set(SK_EFORMAT, "line %llu: not a snapshot line (a %s)", (unsigned long long)line,
                     l.type == SK_INV_SNAPSHOT ? "second header" : "listing or catalogue line");
        x->err_lines++;
        line_error(g, x->name, &x->said, &x->errors);
        return 0;
    }
    if (x->have_end) {
        sk_error_set(SK_EFORMAT, "line %llu: a file line after the end line", (unsigned long long)line);
        x->err_lines++;
        line_error(g, x->name, &x->said, &x->errors);
        return 0;
    }
    int win = x->windows_root != NULL;
    char *k = malloc(l.entry.path_len);
    if (!k) return sk_error_set(SK_ENOMEM, "out of memory");
    fold_path(k, l.entry.path, l.entry.path_len, win);
    int dup = sk_map_has(x->paths, k, l.entry.path_len);
    rc = dup ? 0 : sk_map_put(x->paths, k, l.entry.path_len, (void *)1, NULL);
    free(k);
    if (rc) return rc;
    if (dup) {
        sk_error_set(SK_EFORMAT, "line %llu: key 'path': listed before (the first line kept)", (unsigned long long)line);
        x->err_lines++;
        line_error(g, x->name, &x->said, &x->errors);
        return 0;
    }
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 1024;
        snap_file *nf = realloc(x->f, x->cap * sizeof *nf);
        if (!nf) return sk_error_set(SK_ENOMEM, "out of memory");
        x->f = nf;
    }
    snap_file *f = &x->f[x->n++];
    memset(f, 0, sizeof *f);
    f->path = sk_arena_strndup(g->arena, l.entry.path, l.entry.path_len);
    f->path_len = l.entry.path_len;
    if (!f->path) return sk_error_set(SK_ENOMEM, "out of memory");
    f->have_sha256 = l.entry.have_sha256;
    memcpy(f->sha256, l.entry.sha256, 32);
    f->size = l.entry.size, f->mtime = l.entry.mtime, f->ctime = l.entry.ctime, f->crtime = l.entry.crtime;
    f->mode = l.entry.mode, f->have_mode = l.entry.have_mode, f->owner = adup(g, l.entry.owner);
    /* a content not yet catalogued */
    if (l.content.have_sha256 && !sk_map_has(g->catalog, l.content.sha256, 32) && !sk_map_has(x->new_shas, l.content.sha256, 32)) {
        if ((rc = sk_map_put(x->new_shas, l.content.sha256, 32, (void *)1, NULL))) return rc;
        if ((rc = catalog_record(&x->cat, sk_inv_parser_json(g->p)))) return rc;
        x->cat_records++;
    }
    return 0;
}

static int cmp_time(const void *a, const void *b)
{
    sk_time x = *(const sk_time *)a, y = *(const sk_time *)b;
    return x < y ? -1 : x > y;
}

/* the most common creation time (to the second) among the files that match the base:
 * when the image was deployed */
static sk_time install_time(const snap *x, const base *b)
{
    sk_time *t = malloc((x->n ? x->n : 1) * sizeof *t);
    if (!t) return SK_TIME_NONE;
    size_t n = 0;
    char k[4096];
    for (size_t i = 0; i < x->n; i++) {
        const snap_file *f = &x->f[i];
        if (f->crtime == SK_TIME_NONE || !f->have_sha256 || f->path_len > sizeof k) continue;
        fold_path(k, f->path, f->path_len, b->windows);
        const base_entry *e = sk_map_get(b->by_path, k, f->path_len);
        if (e && !memcmp(e->sha256, f->sha256, 32)) t[n++] = f->crtime / SK_NS_PER_SEC * SK_NS_PER_SEC;
    }
    qsort(t, n, sizeof *t, cmp_time);
    sk_time best = SK_TIME_NONE;
    size_t best_n = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j] == t[i]) j++;
        if (j - i > best_n) best_n = j - i, best = t[i];
        i = j;
    }
    free(t);
    return best;
}

#define DAY_NS ((sk_time)86400 * SK_NS_PER_SEC)

/* how the host's file differs from the base's: SK_REASON_* (0: omitted from a delta) */
static unsigned differs(const snap_file *f, const base_entry *e, sk_time installed)
{
    unsigned r = 0;
    if (!f->have_sha256 || memcmp(f->sha256, e->sha256, 32) || f->size != e->size) r |= SK_REASON_CONTENT;
    if (f->mtime != e->mtime) r |= SK_REASON_TIMES;
    if (installed != SK_TIME_NONE && f->crtime != SK_TIME_NONE && (f->crtime > installed + DAY_NS || f->crtime < installed - DAY_NS))
        r |= SK_REASON_TIMES;
    if (e->have_mode && f->have_mode && e->mode != f->mode) r |= SK_REASON_MODE;
    if (e->owner && f->owner && strcmp(e->owner, f->owner)) r |= SK_REASON_OWNER;
    return r;
}

/* the size of the snapshot's delta against b (entries) */
static size_t delta_size(snap *x, base *b, sk_time installed)
{
    size_t d = 0, matched = 0;
    char k[4096];
    for (size_t i = 0; i < b->n; i++) b->e[i].seen = 0;
    for (size_t i = 0; i < x->n; i++) {
        const snap_file *f = &x->f[i];
        base_entry *e = NULL;
        if (f->path_len <= sizeof k) {
            fold_path(k, f->path, f->path_len, b->windows);
            e = sk_map_get(b->by_path, k, f->path_len);
        }
        if (!e) {
            d++;
            continue;
        }
        e->seen = 1;
        matched++;
        if (differs(f, e, installed)) d++;
    }
    return d + (b->n - matched); /* the base's paths the host lacks */
}

static void put_entry(sk_buf *out, sk_listing_op op, const snap_file *f, const base_entry *e, unsigned reasons)
{
    sk_listing_entry le = {.op = op, .path = f ? f->path : e->path, .mtime = SK_TIME_NONE, .ctime = SK_TIME_NONE, .crtime = SK_TIME_NONE};
    if (f) {
        le.sha256 = f->have_sha256 ? f->sha256 : NULL;
        le.size = f->size, le.mtime = f->mtime, le.ctime = f->ctime, le.crtime = f->crtime, le.owner = f->owner;
        le.reasons = reasons;
    }
    sk_listing_entry_write(out, &le);
}

/* a name for a file made of attacker-chosen text: [A-Za-z0-9._-], at most 64 bytes */
static void safe_name(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; s && *s && o + 1 < cap && o < 64; s++) {
        char c = *s;
        out[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_';
    }
    if (!o || out[0] == '.') out[o ? 0 : o++] = '_';
    out[o] = 0;
}

/* write data to CASE/rel_dir/stem.jsonl (stem-2, -3 ... when taken), atomically: a
 * temporary file renamed into place; *rel the path chosen (malloc'd) */
static int write_new_file(ing *g, const char *rel_dir, const char *stem, const sk_buf *data, char **rel)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", g->case_dir, rel_dir);
    /* make the folders, one component at a time */
    for (char *p = dir + strlen(g->case_dir) + 1; ; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(dir, 0755) && errno != EEXIST) return sk_error_set(SK_EIO, "%s: cannot make the folder: %s", dir, strerror(errno));
            struct stat st;
            if (lstat(dir, &st) || !S_ISDIR(st.st_mode)) return sk_error_set(SK_EIO, "%s: not a folder (a symbolic link is not followed)", dir);
            *p = c;
            if (!c) break;
        }
    }
    char tmp[4200], dst[4200];
    snprintf(tmp, sizeof tmp, "%s/.ingest-%ld.tmp", dir, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return sk_error_set(SK_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < data->len) {
        ssize_t w = write(fd, data->data + off, data->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return sk_error_set(SK_EIO, "%s: write error: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd)) {
        unlink(tmp);
        return sk_error_set(SK_EIO, "%s: write error: %s", tmp, strerror(errno));
    }
    for (int i = 1; i < 10000; i++) {
        if (i == 1) snprintf(dst, sizeof dst, "%s/%s.jsonl", dir, stem);
        else snprintf(dst, sizeof dst, "%s/%s-%d.jsonl", dir, stem, i);
        /* never over an existing file: link, then remove the temporary name */
        if (!link(tmp, dst)) {
            unlink(tmp);
            size_t n = strlen(dst) - strlen(g->case_dir) - 1;
            *rel = malloc(n + 1);
            if (!*rel) return sk_error_set(SK_ENOMEM, "out of memory");
            memcpy(*rel, dst + strlen(g->case_dir) + 1, n + 1);
            return 0;
        }
        if (errno != EEXIST) break;
    }
    int e = errno;
    unlink(tmp);
    return sk_error_set(SK_EIO, "%s: cannot place the file: %s", dst, strerror(e));
}

static int index_written(ing *g, const char *rel)
{
    return index_file(g, rel);
}

/* a snapshot no base serves: held back with its build's, a sample of them learnt from;
 * returns HELD */
#define HELD 1
static int hold_back(ing *g, snap *x)
{
    const sk_host_obs *o = &x->obs;
    char key[1024];
    snprintf(key, sizeof key, "%s|%s|%s|%s", o->os_family ? o->os_family : "", o->os_name ? o->os_name : "",
             o->os_version ? o->os_version : "", x->windows_root ? x->windows_root : "");
    group *gr = NULL;
    for (size_t i = 0; i < g->n_groups && !gr; i++)
        if (!strcmp(g->groups[i].key, key)) gr = &g->groups[i];
    if (!gr) {
        group *ng = realloc(g->groups, (g->n_groups + 1) * sizeof *ng);
        if (!ng) return sk_error_set(SK_ENOMEM, "out of memory");
        g->groups = ng;
        gr = &g->groups[g->n_groups];
        memset(gr, 0, sizeof *gr);
        char os[512];
        snprintf(os, sizeof os, "%s-%s", o->os_name ? o->os_name : o->os_family ? o->os_family : "unknown", o->os_version ? o->os_version : "");
        gr->key = strdup(key), gr->os = strdup(os), gr->windows_root = x->windows_root ? strdup(x->windows_root) : NULL;
        if (!gr->key || !gr->os || (x->windows_root && !gr->windows_root)) return sk_error_set(SK_ENOMEM, "out of memory");
        g->n_groups++;
        int rc = base_learner_new(&gr->l, x->windows_root != NULL);
        if (rc) return rc;
    }
    if (gr->n == gr->cap) {
        size_t cap = gr->cap ? gr->cap * 2 : 16;
        char **np = realloc(gr->pending, cap * sizeof *np);
        if (np) gr->pending = np;
        int *nf = realloc(gr->in_folder, cap * sizeof *nf);
        if (nf) gr->in_folder = nf;
        char(*ns)[65] = realloc(gr->sha, cap * sizeof *ns);
        if (ns) gr->sha = ns;
        if (!np || !nf || !ns) return sk_error_set(SK_ENOMEM, "out of memory");
        gr->cap = cap;
    }
    if (!(gr->pending[gr->n] = strdup(x->name))) return sk_error_set(SK_ENOMEM, "out of memory");
    memcpy(gr->sha[gr->n], x->sha, 65);
    gr->in_folder[gr->n++] = x->in_folder;
    if (base_learner_host(gr->l))
        for (size_t i = 0; i < x->n; i++) {
            const snap_file *f = &x->f[i];
            if (!f->have_sha256) continue;
            int rc = base_learner_file(gr->l, f->path, f->path_len, f->sha256, f->size, f->mtime);
            if (rc) return rc;
        }
    return HELD;
}

/* the listing of an accepted snapshot, written and recorded */
static int write_listing(ing *g, snap *x, const char *host_id, int64_t input_id, const char *input_sha)
{
    /* the base giving the smallest delta (ties: the later one, the newest name order) */
    base *best = NULL;
    size_t best_d = 0;
    sk_time best_inst = SK_TIME_NONE;
    for (size_t i = 0; i < g->n_bases; i++) {
        base *b = &g->bases[i];
        if (b->windows != (x->windows_root != NULL)) continue;
        sk_time inst = install_time(x, b);
        size_t d = delta_size(x, b, inst);
        if (!best || d <= best_d) best = b, best_d = d, best_inst = inst;
    }
    int delta = best && 2 * best_d < x->n;
    if (!delta && g->learn && g->round == 1 && x->n && !x->from_stdin) return hold_back(g, x); /* standard input is read once */
    sk_buf out;
    sk_buf_init(&out, 0);
    uint8_t base_sha[32];
    if (delta && sk_unhex(base_sha, 32, best->sha256, strlen(best->sha256))) delta = 0;
    (void)input_sha;
    sk_listing_header h = {.delta = delta, .host_id = host_id, .host = x->obs.name, .base = delta ? best->name : NULL,
                           .base_sha256 = delta ? base_sha : NULL, .base_install_time = delta ? best_inst : SK_TIME_NONE,
                           .collected = x->started, .windows_root = x->windows_root,
                           .entries = delta ? best_d : x->n};
    int rc = sk_listing_header_write(&out, &h);
    char k[4096];
    if (delta) {
        delta_size(x, best, best_inst); /* marks the base's entries the host has */
        for (size_t i = 0; i < x->n && !rc; i++) {
            const snap_file *f = &x->f[i];
            base_entry *e = NULL;
            if (f->path_len <= sizeof k) {
                fold_path(k, f->path, f->path_len, best->windows);
                e = sk_map_get(best->by_path, k, f->path_len);
            }
            unsigned r = e ? differs(f, e, best_inst) : 0;
            if (!e) put_entry(&out, SK_OP_ADD, f, NULL, 0);
            else if (r) put_entry(&out, SK_OP_CHANGE, f, e, r);
        }
        for (size_t i = 0; i < best->n; i++)
            if (!best->e[i].seen) put_entry(&out, SK_OP_REMOVE, NULL, &best->e[i], 0);
    } else {
        for (size_t i = 0; i < x->n && !rc; i++) put_entry(&out, SK_OP_NONE, &x->f[i], NULL, 0);
    }
    char site[80], host[80], stem[200], t[SK_TIME_ISO_MAX] = "";
    safe_name(site, sizeof site, x->obs.site ? x->obs.site : "unsited");
    safe_name(host, sizeof host, x->obs.name);
    if (x->started != SK_TIME_NONE) sk_time_format(t, x->started, 0);
    char ts[32];
    size_t o = 0;
    for (const char *p = t; *p && o + 1 < sizeof ts; p++)
        if (*p != '-' && *p != ':') ts[o++] = *p;
    ts[o] = 0;
    snprintf(stem, sizeof stem, "%s%s%s", host, ts[0] ? "-" : "", ts);
    char dir[200];
    snprintf(dir, sizeof dir, "snapshots/listings/%s", site);
    char *rel = NULL;
    if (!rc) rc = write_new_file(g, dir, stem, &out, &rel);
    sk_buf_free(&out);
    if (rc) return rc;
    /* recorded as the host's listing from this snapshot */
    char sha[65];
    uint64_t lines;
    char full[4200];
    snprintf(full, sizeof full, "%s/%s", g->case_dir, rel);
    int fd;
    sk_file_info info;
    if ((rc = sk_file_open(SK_FILE_CWD, full, SK_FILE_NOFOLLOW, &fd, &info))) {
        free(rel);
        return rc;
    }
    idx xi = {.g = g, .rel = rel, .kind = -1, .collected = SK_TIME_NONE};
    rc = cli_read_lines(full, fd, idx_line, &xi, sha, &lines);
    close(fd);
    if (!rc) {
        sk_casedb_input in = {.sha256 = sha, .path = rel, .kind = "listing", .size = info.size, .mtime = info.mtime, .records = xi.entries};
        rc = sk_casedb_input_put(g->db, &in, NULL, NULL);
    }
    if (!rc) {
        sk_casedb_listing l = {.kind = "listing", .host_id = host_id, .path = rel, .sha256 = sha, .mode = delta ? "delta" : "full",
                               .base = delta ? best->name : NULL, .collected = x->started,
                               .complete = x->have_end && x->complete && !x->err_lines, .snapshot_input = input_id,
                               .entries = xi.entries};
        rc = sk_casedb_listing_put(g->db, &l, NULL);
        if (!rc) rc = sk_invindex_put(g->ix, rel, x->windows_root != NULL);
        if (delta) g->listings_delta++;
        else g->listings_full++;
        if (!l.complete) g->incomplete++;
    }
    free(rel);
    return rc;
}

/* again: a held-back snapshot read the second time, with the digest of its first read */
static int ingest_snapshot(ing *g, const char *path, int in_folder, const char *again)
{
    sk_input_file f;
    if (sk_input_open(path, in_folder, &f)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    int rc = load_for_snapshots(g);
    snap x = {.g = g, .name = path, .in_folder = in_folder, .started = SK_TIME_NONE, .finished = SK_TIME_NONE};
    if (again) x.said = MAX_MESSAGES_PER_FILE + 2; /* said when it was read first */
    x.obs.seen = SK_TIME_NONE;
    sk_buf_init(&x.cat, 0);
    if (!rc) rc = sk_map_new(&x.paths, 0);
    if (!rc) rc = sk_map_new(&x.new_shas, 0);
    char sha[65] = "";
    uint64_t lines = 0;
    if (!rc) rc = cli_read_lines(path, f.fd, snap_line, &x, sha, &lines);
    if (f.have_sha256) memcpy(sha, f.sha256, 65); /* a compressed input: the stored bytes' digest */
    memcpy(x.sha, sha, 65);
    x.from_stdin = f.decoded && !strcmp(f.decoded, "stdin");
    if (f.why[0]) say(g, "%s: %s", path, f.why), g->bad = 1;
    sk_input_close(&f);
    int not_snapshot = rc == SK_ENOTFOUND;
    if (not_snapshot) rc = 0;
    if (!rc && !not_snapshot && x.have_header) {
        int known = again ? 0 : sk_casedb_input_known(g->db, sha); /* held back: read again, as it was */
        if (known < 0) rc = known;
        else if (known) {
            g->known++;
        } else if (!again) {
            if (!x.have_end) say(g, "%s: no end line: the walk was interrupted (ingested, marked incomplete)", path);
            else if (!x.complete) say(g, "%s: \"complete\": false: the walk was interrupted (ingested, marked incomplete)", path);
            sk_registry_result r;
            rc = sk_registry_resolve(g->db, &x.obs, &r);
            if (!rc) {
                g->hosts_new += (unsigned long)r.created;
                struct stat st;
                sk_casedb_input in = {.sha256 = sha, .path = path, .kind = "snapshot", .mtime = SK_TIME_NONE, .records = lines,
                                      .errors = x.err_lines};
                if (!stat(path, &st)) in.size = (uint64_t)st.st_size, in.mtime = (sk_time)st.st_mtime * SK_NS_PER_SEC;
                int64_t input_id = 0;
                rc = sk_casedb_input_put(g->db, &in, &input_id, NULL);
                if (!rc) rc = write_listing(g, &x, r.host_id, input_id, sha);
                if (rc == HELD) rc = 0;
            }
            /* its new contents join the run's catalogue */
            size_t pos = 0;
            const void *key;
            size_t kl;
            void *v;
            while (!rc && sk_map_next(x.new_shas, &pos, &key, &kl, &v)) rc = sk_map_put(g->catalog, key, kl, (void *)1, NULL);
            if (!rc && x.cat.len && sk_buf_append(&g->cat, x.cat.data, x.cat.len)) rc = sk_error_set(SK_ENOMEM, "out of memory");
            g->cat_records += x.cat_records;
            g->new_contents += x.cat_records;
            g->snapshots++;
        } else if (strcmp(sha, again)) {
            say(g, "%s: changed between its two reads (held back to learn a base): not listed; ingest it again", path);
            g->bad = 1;
        } else { /* held back: its host and input recorded in round 1, its listing now */
            sk_registry_result r;
            rc = sk_registry_resolve(g->db, &x.obs, &r);
            int64_t input_id = 0;
            if (!rc) rc = sk_casedb_input_id(g->db, sha, path, &input_id);
            if (!rc) rc = write_listing(g, &x, r.host_id, input_id, sha);
        }
    } else if (!rc && !x.have_header && !not_snapshot) {
        say(g, "%s: empty: no snapshot's header", path);
        g->bad = 1;
    }
    sk_map_free(x.paths);
    sk_map_free(x.new_shas);
    sk_buf_free(&x.cat);
    free(x.f);
    return rc;
}

/* a folder's snapshots: *.jsonl, *.jsonl.zst, *.jsonl.gz, *.zst, sorted */
static int ingest_arg(ing *g, const char *path)
{
    struct stat st;
    if (stat(path, &st)) {
        say(g, "%s: %s", path, strerror(errno));
        g->bad = 1;
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) return ingest_snapshot(g, path, 0, NULL);
    int dfd;
    if (sk_file_open(SK_FILE_CWD, path, SK_FILE_DIR, &dfd, NULL)) {
        say(g, "%s", sk_error_last());
        g->bad = 1;
        return 0;
    }
    char **all = NULL, **names = NULL;
    size_t n_all = 0, n = 0;
    int rc = sk_dir_names(dfd, &all, &n_all);
    close(dfd);
    if (rc == SK_EIO) {
        say(g, "%s: cannot read the folder: %s", path, sk_error_last());
        g->bad = 1;
        return 0;
    }
    if (!rc && n_all && !(names = malloc(n_all * sizeof *names))) rc = sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_all && !rc; i++) { /* a folder's snapshots: by their names */
        const char *nm = all[i];
        size_t ln = strlen(nm);
        int want = (ln > 6 && !strcmp(nm + ln - 6, ".jsonl")) || (ln > 4 && !strcmp(nm + ln - 4, ".zst")) ||
                   (ln > 9 && !strcmp(nm + ln - 9, ".jsonl.gz"));
        if (want && nm[0] != '.') names[n++] = all[i];
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        rc = ingest_snapshot(g, full, 1, NULL);
    }
    free(names);
    sk_dir_names_free(all, n_all);
    return rc;
}

/* ---- bases learnt from the fleet ----------------------------------------------------- */

/* each build's held-back snapshots: a base learnt when there are enough, then every one
 * written (a delta against it when that is less than half, else full) */
static int learn_bases(ing *g)
{
    int rc = 0;
    g->round = 2;
    for (size_t i = 0; i < g->n_groups && !rc; i++) {
        group *gr = &g->groups[i];
        if (gr->n >= LEARN_MIN_HOSTS) {
            sk_buf body, out;
            sk_buf_init(&body, 0);
            sk_buf_init(&out, 0);
            uint64_t n = 0;
            rc = base_learner_entries(gr->l, &body, &n);
            if (!rc && n) {
                /* named by its build and its entries' digest: the same sample, the same name */
                uint8_t d[32];
                char hex[65], safe[80], name[200];
                sk_sha256(body.data, body.len, d);
                sk_hex(hex, d, 8);
                safe_name(safe, sizeof safe, gr->os);
                snprintf(name, sizeof name, "learnt-%s-%s", safe, hex);
                sk_listing_header h = {.base_manifest = 1, .name = name, .windows_root = gr->windows_root, .entries = n,
                                       .base_install_time = SK_TIME_NONE, .collected = SK_TIME_NONE};
                rc = sk_listing_header_write(&out, &h);
                if (!rc && sk_buf_append(&out, body.data, body.len)) rc = sk_error_set(SK_ENOMEM, "out of memory");
                char *rel = NULL;
                if (!rc) rc = write_new_file(g, "snapshots/bases", name, &out, &rel);
                if (!rc) rc = index_written(g, rel);
                if (!rc) {
                    sk_sha256(out.data, out.len, d);
                    sk_hex(hex, d, 32);
                    sk_casedb_listing l = {.kind = "base", .path = rel, .sha256 = hex, .base = name};
                    rc = load_base_file(g, &l);
                    g->bases_learnt++;
                    say(g, "learnt base %s: %llu files that at least half of %u sampled %s snapshots (of %zu) hold", rel,
                        (unsigned long long)n, base_learner_hosts(gr->l), gr->os, gr->n);
                }
                free(rel);
            }
            sk_buf_free(&body);
            sk_buf_free(&out);
        }
        for (size_t k = 0; k < gr->n && !rc; k++) rc = ingest_snapshot(g, gr->pending[k], gr->in_folder[k], gr->sha[k]);
    }
    return rc;
}

static void groups_free(ing *g)
{
    for (size_t i = 0; i < g->n_groups; i++) {
        group *gr = &g->groups[i];
        for (size_t k = 0; k < gr->n; k++) free(gr->pending[k]);
        free(gr->pending), free(gr->sha), free(gr->in_folder), free(gr->key), free(gr->os), free(gr->windows_root);
        base_learner_free(gr->l);
    }
    free(g->groups);
}

/* ---- the asset inventory ---------------------------------------------------------- */

/* one CSV field (RFC 4180 quotes) from *p to the end e; NUL-terminated copy into out */
static int csv_field(const char **p, const char *e, char *out, size_t cap)
{
    const char *s = *p;
    size_t o = 0;
    if (s < e && *s == '"') {
        s++;
        while (s < e) {
            if (*s == '"' && s + 1 < e && s[1] == '"') s += 2, out[o < cap - 1 ? o++ : o] = '"';
            else if (*s == '"') {
                s++;
                break;
            } else out[o < cap - 1 ? o++ : o] = *s++;
        }
    }
    while (s < e && *s != ',') out[o < cap - 1 ? o++ : o] = *s++;
    out[o] = 0;
    while (o && (out[o - 1] == '\r' || out[o - 1] == ' ')) out[--o] = 0;
    int more = s < e && *s == ',';
    *p = more ? s + 1 : s;
    return more;
}

static int ingest_assets(ing *g, const char *path, int given)
{
    char *data = NULL;
    size_t len = 0;
    if (sk_file_read_all(path, (size_t)256 << 20, &data, &len)) {
        if (given) say(g, "%s", sk_error_last()), g->bad = 1;
        return 0;
    }
    enum { C_HOST, C_ROLE, C_SITE, C_OS, C_MAC, C_IP, C_ADDR, C_N };
    static const char *const cols[C_N] = {"host", "role", "site", "os", "mac", "ip", "addressing"};
    int at[C_N];
    for (int i = 0; i < C_N; i++) at[i] = -1;
    const char *p = data, *end = data + len;
    uint64_t line = 0;
    int rc = 0;
    char f[16][512];
    unsigned said = 0;
    uint64_t errors = 0;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        int nf = 0;
        const char *q = p;
        for (;;) {
            int more = csv_field(&q, e, nf < 16 ? f[nf] : f[15], sizeof f[0]);
            if (nf < 16) nf++;
            if (!more) break;
        }
        p = nl ? nl + 1 : end;
        if (nf == 1 && !f[0][0]) continue;
        if (line == 1) {
            for (int i = 0; i < nf; i++)
                for (int c = 0; c < C_N; c++)
                    if (!strcasecmp(f[i], cols[c])) at[c] = i;
            if (at[C_HOST] < 0) {
                say(g, "%s:1: no 'host' column: not an asset inventory", path);
                g->bad = 1;
                break;
            }
            continue;
        }
        const char *v[C_N];
        for (int c = 0; c < C_N; c++) v[c] = at[c] >= 0 && at[c] < nf && f[at[c]][0] ? f[at[c]] : NULL;
        if (!v[C_HOST]) {
            sk_error_set(SK_EFORMAT, "line %llu: no host", (unsigned long long)line);
            line_error(g, path, &said, &errors);
            continue;
        }
        char name[256];
        size_t k = 0;
        for (const char *s = v[C_HOST]; *s && k + 1 < sizeof name; s++) name[k++] = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
        name[k] = 0;
        sk_host_obs o = {.name = name, .site = v[C_SITE], .role = v[C_ROLE], .os_name = v[C_OS], .seen = SK_TIME_NONE,
                         .source = "assets", .trust = "authoritative"};
        if (v[C_MAC]) o.macs[o.n_macs++] = v[C_MAC];
        if (v[C_IP] && (!v[C_ADDR] || !strcasecmp(v[C_ADDR], "static"))) {
            /* several addresses separated by ';' */
            static char ips[8][64];
            const char *s = v[C_IP];
            while (*s && o.n_static_ips < 8) {
                size_t n = strcspn(s, ";");
                if (n && n < 64) {
                    memcpy(ips[o.n_static_ips], s, n);
                    ips[o.n_static_ips][n] = 0;
                    o.static_ips[o.n_static_ips] = ips[o.n_static_ips];
                    o.n_static_ips++;
                }
                s += n;
                if (*s) s++;
            }
        }
        /* a row names a host by name alone: the registry's host of that name when exactly
         * one holds it, else a new one */
        sk_registry_result r;
        rc = sk_registry_resolve(g->db, &o, &r);
        if (!rc) g->hosts_new += (unsigned long)r.created, g->assets++;
    }
    free(data);
    return rc;
}

/* ---- the command ------------------------------------------------------------------ */

static int write_hosts(ing *g)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    int rc = sk_casedb_hosts_export(g->db, &b);
    if (!rc) {
        char tmp[4200], dst[4200];
        snprintf(tmp, sizeof tmp, "%s/.hosts.jsonl.%ld.tmp", g->case_dir, (long)getpid());
        snprintf(dst, sizeof dst, "%s/hosts.jsonl", g->case_dir);
        FILE *f = fopen(tmp, "w");
        if (!f || (b.len && fwrite(b.data, 1, b.len, f) != b.len) || fclose(f)) {
            rc = sk_error_set(SK_EIO, "%s: cannot write: %s", tmp, strerror(errno));
            unlink(tmp);
        } else if (rename(tmp, dst)) {
            rc = sk_error_set(SK_EIO, "%s: cannot write: %s", dst, strerror(errno));
            unlink(tmp);
        }
    }
    sk_buf_free(&b);
    return rc;
}

int cmd_ingest_run(int argc, char **argv)
{
    const char *case_dir = NULL, *assets = NULL;
    int quiet = 0, learn = 0;
    char **snaps = calloc((size_t)argc, sizeof *snaps);
    size_t n_snaps = 0;
    if (!snaps) return SK_EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            cmd_ingest_help(stdout);
            free(snaps);
            return SK_EXIT_OK;
        }
        if (!strcmp(a, "--assets") && i + 1 < argc) assets = argv[++i];
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--learn-bases")) learn = 1;
        else if (a[0] == '-' && a[1]) {
            sk_cli_error(CMD, "unknown option '%s' (sakimori ingest --help)", a);
            free(snaps);
            return SK_EXIT_USAGE;
        } else if (!case_dir) case_dir = a;
        else snaps[n_snaps++] = argv[i];
    }
    if (!case_dir) {
        sk_cli_error(CMD, "which case? (sakimori ingest CASE [SNAPSHOT...])");
        free(snaps);
        return SK_EXIT_USAGE;
    }
    struct stat st;
    if (stat(case_dir, &st) || !S_ISDIR(st.st_mode)) {
        sk_cli_error(CMD, "%s: not a folder (a case is a folder)", case_dir);
        free(snaps);
        return SK_EXIT_INPUT;
    }
    ing g = {.quiet = quiet, .learn = learn};
    g.case_dir = strdup(case_dir);
    sk_buf_init(&g.cat, 0);
    int rc = g.case_dir ? 0 : SK_ENOMEM;
    size_t cl = g.case_dir ? strlen(g.case_dir) : 0;
    while (cl > 1 && g.case_dir[cl - 1] == '/') g.case_dir[--cl] = 0;
    char cj[4096];
    snprintf(cj, sizeof cj, "%s/case.json", case_dir);
    if (!rc && !access(cj, F_OK) && sk_case_load(&g.cs, cj)) {
        sk_cli_error(CMD, "%s", sk_error_last());
        g.bad = 1;
        g.cs = NULL;
    }
    if (!rc) rc = sk_arena_new(&g.arena, 1 << 20, 0);
    if (!rc) rc = sk_inv_parser_new(&g.p);
    if (!rc) rc = sk_casedb_open(&g.db, g.case_dir, 1);
    if (!rc) rc = sk_casedb_begin(g.db);
    if (!rc) rc = sk_invindex_new(&g.ix, g.db);
    if (!rc) rc = index_tree(&g, "snapshots", 0);
    g.round = 1;
    for (size_t i = 0; i < n_snaps && !rc; i++) rc = ingest_arg(&g, snaps[i]);
    if (!rc) rc = learn_bases(&g);
    if (!rc && g.cat.len) { /* the contents this run catalogued: one new file */
        /* named by its records' digest: the same snapshots give the same name */
        char stem[96], hex[65];
        uint8_t d[32];
        sk_sha256(g.cat.data, g.cat.len, d);
        sk_hex(hex, d, 8);
        snprintf(stem, sizeof stem, "ingest-%s", hex);
        char *rel = NULL;
        rc = write_new_file(&g, "snapshots/catalog", stem, &g.cat, &rel);
        if (!rc) rc = index_written(&g, rel);
        free(rel);
    }
    if (!rc) {
        char ap[4096];
        snprintf(ap, sizeof ap, "%s/assets.csv", case_dir);
        rc = ingest_assets(&g, assets ? assets : ap, assets != NULL);
    }
    if (!rc) rc = sk_casedb_commit(g.db);
    else if (g.db) sk_casedb_rollback(g.db);
    if (!rc) rc = write_hosts(&g);
    uint64_t hosts = 0;
    if (!rc) rc = sk_casedb_host_count(g.db, &hosts);
    int code = SK_EXIT_OK;
    if (rc) {
        sk_cli_error(CMD, "%s", sk_error_last());
        code = sk_exit_from_error(rc);
        if (code == SK_EXIT_OK) code = SK_EXIT_INTERNAL;
    } else if (!quiet) {
        fprintf(stderr,
                "ingest: %s: %lu inventory files indexed, %lu unchanged; %lu snapshots ingested (%lu full, %lu delta listings), "
                "%lu already; %lu contents catalogued; %lu bases learnt; %lu asset rows; %llu hosts (%lu new)%s\n",
                case_dir, g.indexed, g.unchanged, g.snapshots, g.listings_full, g.listings_delta, g.known, g.new_contents, g.bases_learnt, g.assets,
                (unsigned long long)hosts, g.hosts_new, g.incomplete ? "; some incomplete (see above)" : "");
    }
    if (!rc && g.bad) code = SK_EXIT_INPUT;
    for (size_t i = 0; i < g.n_bases; i++) {
        free(g.bases[i].e);
        sk_map_free(g.bases[i].by_path);
    }
    free(g.bases);
    sk_map_free(g.catalog);
    sk_buf_free(&g.cat);
    groups_free(&g);
    sk_invindex_free(g.ix);
    sk_casedb_close(g.db);
    sk_inv_parser_free(g.p);
    sk_arena_free(g.arena);
    sk_case_free(g.cs);
    free(g.case_dir);
    free(snaps);
    return code;
}
