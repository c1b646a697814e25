/*
 * collect.c - the inventory collector (sakimori/collect.h, docs/collect.md).
 *
 * A walker (this thread), helpers that read directories ahead of it, and a pool of
 * hashing workers. Directories are read through handles (never by path, never
 * following a symlink), their entries sorted and stat'ed by a helper or the walker;
 * the walker opens regular files itself, so a worker only reads from a descriptor it
 * was handed: nothing can redirect it out of the root. Hard-linked inodes are read
 * once. Every output line has a sequence number in walk order; workers finish out of
 * order into a bounded ring and whoever completes the line at its head writes the
 * ready run, so the snapshot is in walk order and memory is bounded by the ring and
 * the read-ahead window whatever the tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include <sakimori/bytes.h>
#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/catalog.h>
#include <sakimori/collect.h>
#include <sakimori/digest.h>
#include <sakimori/elf.h>
#include <sakimori/inventory.h>
#include <sakimori/ordered.h>
#include <sakimori/json.h>
#include <sakimori/map.h>
#include <sakimori/pe.h>
#include <sakimori/pool.h>
#include <sakimori/sid.h>
#include <sakimori/version.h>

#include "collect_int.h"
#include "os/os.h"

#define RING 4096                      /* lines in flight, walk order */
#define HOLD_MAX ((size_t)32 << 20)    /* executables kept whole up to this for parsing */
#define EXEC_HASH_MAX ((uint64_t)4 << 30) /* executables hashed whatever --hash-limit up to this (a PE cannot be larger) */
#define CHUNK ((size_t)64 << 10)       /* reads while hashing: small copies into a cache-hot buffer (measured: 64K beats 256K by 25% on /usr) */
#define MAX_DEPTH 65536              /* directory levels descended (memory: a node per level on the walker's path) */
#define PATH_ENTRIES_MAX ((uint64_t)1 << 20) /* entries held by the directories on a path, by default (~330 B each) */
#define FD_KEEP 32                   /* levels above the walker whose handles stay open; deeper ones reopen through ".." */
#define PATH_CAP ((size_t)1 << 20)    /* longest display path */
#define SK_STR_(x) #x
#define SK_STR(x) SK_STR_(x)
#define SLOT_KEEP ((size_t)32 << 10)   /* a slot's buffer kept for the next line up to this */
#define LINE_MAX_BYTES ((size_t)8 << 20)

/* ---- per-thread working state --------------------------------------------------- */

typedef struct ctx {
    uint8_t *hold;      /* HOLD_MAX: the start of an executable, for the parsers */
    uint8_t *chunk;     /* CHUNK: streaming reads */
    sk_hasher *hasher;
    sk_arena *arena;
    struct ctx *next;
} ctx;

struct collector {
    const sk_collect_options *opt;
    FILE *out;
    sk_collect_summary *sum;
    pthread_mutex_t mu;
    sk_ordered *ord;        /* lines in walk order */
    int write_error;
    ctx *free_ctx;
    pthread_mutex_t ctx_mu;
    uint64_t files, bytes_hashed, errors, hole_bytes; /* under mu */
    uint64_t bytes_seen;                  /* sizes of the files done, for the ETA (under mu) */
    uint64_t bytes_estimate;              /* the file system's used bytes when the root is its top, else 0 */
    collect_yara *yara;
    collect_cache *cache;
    struct uid_name *users;   /* the root's own /etc/passwd, sorted by uid */
    size_t n_users;
    collect_catalogs *cats;   /* the security catalogues of a Windows root; NULL when none was parsed */
};

static ctx *ctx_get(collector *c)
{
    pthread_mutex_lock(&c->ctx_mu);
    ctx *x = c->free_ctx;
    if (x) c->free_ctx = x->next;
    pthread_mutex_unlock(&c->ctx_mu);
    if (x) return x;
    x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->hold = malloc(HOLD_MAX);
    x->chunk = malloc(CHUNK);
    if (!x->hold || !x->chunk || sk_hasher_new(&x->hasher) || sk_arena_new(&x->arena, 0, (size_t)256 << 20)) {
        free(x->hold);
        free(x->chunk);
        sk_hasher_free(x->hasher);
        free(x);
        return NULL;
    }
    return x;
}

static void ctx_put(collector *c, ctx *x)
{
    pthread_mutex_lock(&c->ctx_mu);
    x->next = c->free_ctx;
    c->free_ctx = x;
    pthread_mutex_unlock(&c->ctx_mu);
}

static void ctx_free_all(collector *c)
{
    for (ctx *x = c->free_ctx, *n; x; x = n) {
        n = x->next;
        free(x->hold);
        free(x->chunk);
        sk_hasher_free(x->hasher);
        sk_arena_free(x->arena);
        free(x);
    }
    c->free_ctx = NULL;
}

/* ---- the ordered output (sakimori/ordered.h) --------------------------------------- */

static int emit_line(void *arg, uint64_t seq, sk_buf *line, void *item)
{
    (void)seq, (void)item;
    collector *c = arg; /* called in order, one at a time: write_error is the emitter's */
    if (c->write_error || !line->len) return 0;
    if (fwrite(line->data, 1, line->len, c->out) != line->len) c->write_error = errno ? errno : EIO;
    return 0;
}

static uint64_t reserve(collector *c)
{
    return sk_ordered_reserve(c->ord);
}

/* The line for `seq` is complete: every ready line at the head is written. */
static void publish(collector *c, uint64_t seq)
{
    sk_ordered_publish(c->ord, seq, NULL);
}

static sk_buf *line_of(collector *c, uint64_t seq)
{
    return sk_ordered_buf(c->ord, seq);
}

/* One more file in the snapshot, of `size` bytes. */
static void count_file(collector *c, uint64_t size, uint64_t hashed, uint64_t holes)
{
    pthread_mutex_lock(&c->mu);
    c->files++;
    c->bytes_seen += size;
    c->bytes_hashed += hashed;
    c->hole_bytes += holes;
    pthread_mutex_unlock(&c->mu);
}

/* ---- pieces of a line -------------------------------------------------------------- */

/* Append an error line to b (a slot's buffer: errors follow their file's line). */
static void append_error(collector *c, sk_buf *b, const char *path, size_t plen, const char *op, const char *msg)
{
    sk_snapshot_error_write(b, path, plen, op, msg);
    pthread_mutex_lock(&c->mu);
    c->errors++;
    pthread_mutex_unlock(&c->mu);
}

static void error_line(collector *c, const char *path, size_t plen, const char *op, const char *msg)
{
    uint64_t seq = reserve(c);
    sk_buf *b = line_of(c, seq);
    append_error(c, b, path, plen, op, msg);
    publish(c, seq);
}

/* A file's metadata as the snapshot writer (sakimori/inventory.h) takes it. */
static sk_snapshot_file snap_file(const char *path, size_t plen, const os_stat *st)
{
    return (sk_snapshot_file){.path = path, .path_len = plen, .size = st->size, .inode = st->ino, .nlink = st->nlink,
                              .mtime = st->mtime, .ctime = st->ctime, .crtime = st->crtime, .mode = st->mode,
                              .uid = st->uid, .gid = st->gid, .owner = st->owner};
}

/* The members every file line starts with, written straight into b. */
static int file_members(sk_buf *b, const char *path, size_t plen, const os_stat *st)
{
    sk_snapshot_file f = snap_file(path, plen, st);
    return sk_snapshot_file_members(b, &f) ? -1 : 0;
}

static void file_common(sk_jw *w, const char *path, size_t plen, const os_stat *st)
{
    sk_snapshot_file f = snap_file(path, plen, st);
    sk_snapshot_file_write(w, &f);
}

typedef struct uid_name {
    uint32_t uid, line;
    char name[64];
} uid_name;

static int by_uid_line(const void *a, const void *b)
{
    const uid_name *x = a, *y = b;
    if (x->uid != y->uid) return x->uid < y->uid ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int by_uid(const void *a, const void *b)
{
    const uid_name *x = a, *y = b;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* The user names of the collected system itself: <root>/etc/passwd, read through the
 * root's handle without following a symlink (an image's users, not this machine's). */
static void load_users(collector *c, int root_fd)
{
    int etc, fd;
    if (c->opt->windows_root || os_open_dir_at(root_fd, "etc", &etc)) return;
    int rc = os_open_file_at(etc, "passwd", &fd);
    os_close(etc);
    if (rc) return;
    os_stat st;
    char *text = NULL;
    size_t len = 0;
    if (!os_fstat(fd, &st) && st.type == OS_REG && st.size <= ((size_t)4 << 20) && (text = malloc(st.size + 1))) {
        ssize_t n;
        while (len < st.size && (n = os_read(fd, text + len, st.size - len)) > 0) len += (size_t)n;
        text[len] = '\0';
    }
    os_close(fd);
    if (!text) return;
    size_t cap = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        /* name:password:uid:gid:... */
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c1 == line || (size_t)(c1 - line) >= sizeof ((uid_name *)0)->name || line[0] == '#') continue;
        char *end;
        unsigned long uid = strtoul(c2 + 1, &end, 10);
        if (end == c2 + 1 || *end != ':' || uid > UINT32_MAX) continue;
        if (c->n_users == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            uid_name *nu = ncap <= 100000 ? realloc(c->users, ncap * sizeof *nu) : NULL;
            if (!nu) break;
            c->users = nu;
            cap = ncap;
        }
        uid_name *u = &c->users[c->n_users];
        u->line = (uint32_t)c->n_users++;
        u->uid = (uint32_t)uid;
        memcpy(u->name, line, (size_t)(c1 - line));
        u->name[c1 - line] = '\0';
    }
    free(text);
    /* by uid, then line: the first line for a uid wins, as getpwuid does */
    if (c->n_users > 1) qsort(c->users, c->n_users, sizeof *c->users, by_uid_line);
}

/* The owner: on a Windows volume mounted with ntfs-3g, the SID from the file's security
 * descriptor (the system.ntfs_acl attribute); elsewhere the user name the collected
 * system's /etc/passwd gives the uid, when it has one. */
static void set_owner(const collector *c, int dirfd, const char *name, os_stat *st)
{
    st->owner[0] = '\0';
    if (!c->opt->windows_root) {
        uid_name key = {.uid = (uint32_t)st->uid};
        const uid_name *u = c->n_users && st->uid <= UINT32_MAX ? bsearch(&key, c->users, c->n_users, sizeof key, by_uid) : NULL;
        while (u && u > c->users && u[-1].uid == key.uid) u--; /* the first line for it */
        if (u) snprintf(st->owner, sizeof st->owner, "%s", u->name);
        return;
    }
    if (st->type != OS_REG) return;
    uint8_t sd[16384];
    ssize_t n = os_xattr_at(dirfd, name, "system.ntfs_acl", sd, sizeof sd);
    char sid[SK_SID_MAX];
    if (n > 0 && !sk_sd_owner(sd, (size_t)n, sid)) snprintf(st->owner, sizeof st->owner, "%s", sid);
}

/* One of our own files (the snapshot, the cache) met by a live walk: not evidence. */
static int is_ours(const sk_collect_options *o, const os_stat *st)
{
    for (int k = 0; k < o->n_exclude; k++)
        if (st->dev == o->exclude_dev[k] && st->ino == o->exclude_ino[k]) return 1;
    return 0;
}

/* ---- what a file is ---------------------------------------------------------------- */

static int ext_is(const char *name, size_t n, const char *const *exts)
{
    const char *dot = NULL;
    for (size_t i = n; i-- > 0;)
        if (name[i] == '.') {
            dot = name + i;
            break;
        } else if (name[i] == '/' || name[i] == '\\')
            break;
    if (!dot) return 0;
    size_t el = n - (size_t)(dot - name);
    for (size_t k = 0; exts[k]; k++) {
        if (strlen(exts[k]) != el) continue;
        size_t i = 0;
        for (; i < el; i++) {
            char ch = dot[i];
            if (ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
            if (ch != exts[k][i]) break;
        }
        if (i == el) return 1;
    }
    return 0;
}

static const char *const script_exts[] = {".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".js", ".jse", ".wsf", ".hta", ".lnk", NULL};
static const char *const doc_exts[] = {".doc", ".docx", ".docm", ".xls", ".xlsx", ".xlsm", ".xlsb", ".ppt", ".pptx",
                                       ".pptm", ".pdf", ".rtf", ".odt", ".ods", ".odp", ".txt", ".csv", ".msg",
                                       ".eml", ".pst", ".ost", ".vsd", ".vsdx", ".dwg", ".dxf", ".one", NULL};

sk_file_kind collect_kind(const uint8_t *d, size_t n, const char *name, size_t name_len)
{
    if (sk_pe_is_pe(d, n)) return SK_KIND_PE;
    if (sk_elf_is_elf(d, n)) return SK_KIND_ELF;
    if (n >= 4) {
        uint32_t be = sk_be32(d);
        if (be == 0xFEEDFACE || be == 0xFEEDFACF || be == 0xCEFAEDFE || be == 0xCFFAEDFE) return SK_KIND_MACHO;
        /* universal binaries share 0xCAFEBABE with Java classes: a Mach-O has few architectures */
        if (be == 0xCAFEBABE && n >= 8) {
            uint32_t narch = sk_be32(d + 4);
            if (narch > 0 && narch < 20) return SK_KIND_MACHO;
        }
    }
    if (ext_is(name, name_len, script_exts)) return SK_KIND_SCRIPT;
    if (ext_is(name, name_len, doc_exts)) return SK_KIND_DOCUMENT;
    return SK_KIND_OTHER;
}

/* ---- a file, in a worker ----------------------------------------------------------- */

/* A signal asked the collector to stop: checked between blocks, so that a huge file
 * does not hold it up. */
static int stopped(const sk_collect_options *o)
{
    return o->stop && *o->stop;
}

static uint8_t zeros[CHUNK]; /* a hole's bytes, never written */

typedef struct job {
    collector *c;
    uint64_t seq;
    int fd;
    os_stat st;
    size_t plen;
    char *cache_key; /* NULL without a cache */
    char path[];
} job;

typedef struct pread_image {
    int fd;
    uint8_t *buf;
    size_t cap;
} pread_image;

/* Authenticode digests of a file too large to hold, in one pass: pread the ranges
 * (the file without [checksum_off, +4), [certdir_off, +8) and from cert_off on). */
static int pread_digests(pread_image *im, const sk_pe_layout *lay, unsigned pad, const char *const *md_names, size_t n,
                         uint8_t (*out)[SK_MD_MAX], unsigned *out_len)
{
    static const uint8_t eight[8];
    sk_md *m[SK_CATALOG_ALGS] = {0};
    int ok = n <= SK_CATALOG_ALGS;
    for (size_t i = 0; i < n && ok; i++) ok = !sk_md_begin(&m[i], md_names[i]);
    uint64_t ranges[3][2] = {{0, lay->checksum_off},
                             {lay->checksum_off + 4, lay->certdir_off},
                             {lay->certdir_off + 8, lay->cert_off}};
    for (int r = 0; r < 3 && ok; r++)
        for (uint64_t o = ranges[r][0]; o < ranges[r][1] && ok;) {
            size_t want = ranges[r][1] - o < im->cap ? (size_t)(ranges[r][1] - o) : im->cap;
            ssize_t got = os_pread(im->fd, im->buf, want, o);
            if (got <= 0) ok = 0;
            else {
                for (size_t i = 0; i < n && ok; i++) ok = !sk_md_update(m[i], im->buf, (size_t)got);
                o += (uint64_t)got;
            }
        }
    for (size_t i = 0; i < n && ok && pad; i++) ok = pad <= sizeof eight && !sk_md_update(m[i], eight, pad);
    for (size_t i = 0; i < n && ok; i++) ok = !sk_md_end(m[i], out[i], &out_len[i]);
    for (size_t i = 0; i < n; i++) sk_md_free(m[i]);
    return ok ? 0 : -1;
}

/* Authenticode digest of a file too large to hold (sk_pe_digest_fn). */
static int pread_digest(void *vctx, const sk_pe_layout *lay, const char *md_name, uint8_t *out, unsigned *outlen)
{
    return pread_digests(vctx, lay, 0, &md_name, 1, (uint8_t (*)[SK_MD_MAX])out, outlen);
}

/* A PE without a valid embedded signature, looked up in the security catalogues read
 * before the walk: its Authenticode digest in each algorithm their members use (held
 * whole in d[0, held), else read again through fd). Found, *sig becomes SK_SIG_CATALOG
 * (a catalogue whose signature verifies first, then the stronger algorithm) and *cat
 * says which; else a file with no embedded signature is SK_SIG_UNSIGNED. A digest that
 * cannot be computed (no ranges to hash, a read error) leaves *sig as it was. Returns 1
 * when *cat was filled. */
static int catalog_lookup(const collect_catalogs *k, int fd, const uint8_t *d, size_t held, int whole, uint64_t size,
                          uint8_t *chunk, sk_signature *sig, sk_signature_catalog *cat)
{
    const char *names[SK_CATALOG_ALGS];
    unsigned algs[SK_CATALOG_ALGS], mask = catalogs_algorithms(k);
    size_t n = 0;
    for (unsigned a = SK_CATALOG_ALGS; a-- > 0;) /* strongest first */
        if (mask & (1u << a)) {
            algs[n] = a;
            names[n++] = sk_catalog_alg_name((sk_catalog_alg)a);
        }
    if (!n) return 0;
    uint8_t dig[SK_CATALOG_ALGS][SK_MD_MAX];
    unsigned lens[SK_CATALOG_ALGS];
    if (whole) {
        if (sk_pe_authenticode_digests(d, held, names, n, dig, lens)) return 0;
    } else {
        sk_pe_layout lay, r;
        unsigned pad;
        pread_image im = {fd, chunk, CHUNK};
        if (sk_pe_layout_get(d, held, &lay) || sk_pe_layout_digest_ranges(&lay, size, &r, &pad) ||
            pread_digests(&im, &r, pad, names, n, dig, lens))
            return 0;
    }
    catalog_hit best = {0}, h;
    size_t best_i = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (lens[i] == sk_catalog_alg_size((sk_catalog_alg)algs[i]) && catalogs_find(k, algs[i], dig[i], &h) &&
            (!found || (h.verified && !best.verified))) {
            best = h;
            best_i = i;
            found = 1;
        }
    if (!found) {
        if (sig->status == SK_SIG_NONE) sig->status = SK_SIG_UNSIGNED;
        return 0;
    }
    *cat = (sk_signature_catalog){.path = best.path, .path_len = best.path_len, .verified = best.verified,
                                  .embedded = sig->status};
    /* the embedded signature's error, if any, stays: it says what was wrong with it */
    *sig = (sk_signature){SK_SIG_CATALOG, best.signer_subject, best.signer_issuer, names[best_i], sig->error};
    return 1;
}

static void file_job(void *arg)
{
    job *j = arg;
    collector *c = j->c;
    const sk_collect_options *o = c->opt;
    ctx *x = ctx_get(c);
    const char *base = j->path + j->plen;
    while (base > j->path && base[-1] != '/' && base[-1] != '\\') base--;
    size_t base_len = (size_t)(j->path + j->plen - base);
    char errbuf[256] = "";
    const char *errop = NULL;
    if (!x) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "out of memory");
        goto fail;
    }
    sk_arena_reset(x->arena);
    os_stat st;
    if (os_fstat(j->fd, &st)) {
        errop = "stat";
        snprintf(errbuf, sizeof errbuf, "%s", sk_error_last());
        goto fail;
    }
    memcpy(st.owner, j->st.owner, sizeof st.owner); /* read by the walk */
    if (st.ino != j->st.ino || st.dev != j->st.dev || st.type != OS_REG) {
        errop = "open";
        snprintf(errbuf, sizeof errbuf, "the file changed between the walk and the read");
        goto fail;
    }
    if (stopped(o)) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "interrupted: not read");
        goto fail;
    }
    if (st.size > (1u << 20)) os_advise_sequential(j->fd);
    /* Every read is bounded by the size statted on the open descriptor: a file that
     * grows while it is read is read to that size, never "until the end". The read
     * that reaches that size asks for one byte more, so a file longer than it says is
     * noticed without another call. */
    const uint64_t size = st.size;
    size_t first = size < CHUNK ? (size_t)size + 1 : CHUNK;
    ssize_t r = os_pread(j->fd, x->hold, first, 0);
    if (r < 0) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
        goto fail;
    }
    int longer = (uint64_t)r > size, shorter = 0, probed = size < CHUNK;
    size_t held = longer ? (size_t)size : (size_t)r;
    uint64_t pos = held, holes = 0;
    /* a short first read need not be the end (network and FUSE file systems): the loop
     * below goes on from there, and a read of 0 bytes before `size` is the end */
    /* the first chunk says what the file is */
    sk_file_kind kind = collect_kind(x->hold, held, base, base_len);
    int exec = kind == SK_KIND_PE || kind == SK_KIND_ELF || kind == SK_KIND_MACHO || kind == SK_KIND_SCRIPT;
    /* a PE is kept whole (up to HOLD_MAX) for its parser and signature; an ELF's
     * identity lies in its first chunk; everything else streams through a small buffer
     * that stays in the cache */
    int parse = kind == SK_KIND_PE;
    /* what is hashed: every file up to --hash-limit, executables up to EXEC_HASH_MAX
     * whatever the limit; never a file whose unallocated bytes (holes, from the size
     * and the blocks statted) exceed --hash-limit, however small its data: hashing a
     * 1 TiB hole is 45 minutes of zeros. --hash-limit none hashes everything. */
    uint64_t unalloc = st.alloc < size ? size - st.alloc : 0;
    const char *not_hashed = NULL;
    if (o->hash_limit != UINT64_MAX && unalloc > o->hash_limit)
        not_hashed = "sparse";
    else if (!(size <= o->hash_limit || (exec && size <= EXEC_HASH_MAX)))
        not_hashed = "size";
    unsigned which = not_hashed ? 0 : o->digests;
    int ok = !which || (!sk_hasher_begin(x->hasher, which) && (!held || !sk_hasher_update(x->hasher, x->hold, held)));
    /* holes (st.alloc below the size) are found with SEEK_DATA/SEEK_HOLE and fed to the
     * digests as zeros without being read: the bytes every reader of the file sees */
    uint64_t data_end = st.alloc < size ? pos : UINT64_MAX, zeros_to = 0;
    while (which && ok && !longer && !shorter && pos < size) {
        if (stopped(o)) {
            errop = "read";
            snprintf(errbuf, sizeof errbuf, "interrupted after %llu of %llu bytes", (unsigned long long)pos,
                     (unsigned long long)size);
            goto fail;
        }
        if (pos < zeros_to) { /* in a hole: zeros, a chunk per turn (after the stop check) */
            size_t n = zeros_to - pos < CHUNK ? (size_t)(zeros_to - pos) : CHUNK;
            const uint8_t *src = zeros;
            if (parse && held == pos && held + n <= HOLD_MAX) {
                memset(x->hold + held, 0, n);
                src = x->hold + held;
                held += n;
            }
            ok = !sk_hasher_update(x->hasher, src, n);
            holes += n;
            pos += n;
            continue;
        }
        if (pos >= data_end) {
            uint64_t d, h;
            if (os_next_data(j->fd, pos, &d, &h)) {
                data_end = UINT64_MAX; /* the file system cannot say: read it all */
                continue;
            }
            if (d > size) d = size;
            if (h > size || h <= d) h = size;
            zeros_to = d;
            data_end = h;
            continue;
        }
        uint64_t lim = (data_end < size ? data_end : size) - pos;
        size_t want = lim < CHUNK ? (size_t)lim : CHUNK;
        int probe = pos + want == size && want < CHUNK;
        uint8_t *dst = parse && held == pos && held + CHUNK <= HOLD_MAX ? x->hold + held : x->chunk;
        ssize_t n = os_pread(j->fd, dst, want + (size_t)probe, pos);
        if (n < 0) {
            errop = "read";
            snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
            goto fail;
        }
        if (n == 0) {
            shorter = 1;
            break;
        }
        probed |= probe;
        if ((uint64_t)n > size - pos) {
            longer = 1;
            n = (ssize_t)(size - pos);
        }
        if (dst == x->hold + held) held += (size_t)n;
        ok = !sk_hasher_update(x->hasher, dst, (size_t)n);
        pos += (uint64_t)n;
    }
    if (which && ok && !longer && !shorter && pos == size && !probed) {
        uint8_t one;
        if (os_pread(j->fd, &one, 1, size) > 0) longer = 1;
    }
    uint64_t total = which ? pos : 0;
    int whole = held == size; /* the file fits in hold */
    if (!ok) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "digest failed");
        goto fail;
    }
    sk_digests dg;
    if (which && sk_hasher_end(x->hasher, &dg)) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "digest failed");
        goto fail;
    }
    /* identity */
    sk_pe_identity pe;
    int have_pe = 0, have_elf = 0;
    sk_signature sig;
    sk_elf_identity elf;
    if (kind == SK_KIND_PE) {
        int prc = sk_pe_parse(x->hold, held, whole ? held : st.size, x->arena, &pe);
        have_pe = !prc;
        if (have_pe) {
            if (whole) {
                sk_pe_authenticode(x->hold, held, x->arena, &sig);
            } else {
                sk_pe_layout lay;
                memset(&sig, 0, sizeof sig);
                if (!sk_pe_layout_get(x->hold, held, &lay) && lay.cert_off && lay.cert_size &&
                    lay.cert_size <= (16u << 20) && lay.cert_off + lay.cert_size <= st.size) {
                    uint8_t *cert = sk_arena_alloc(x->arena, (size_t)lay.cert_size);
                    pread_image im = {j->fd, x->chunk, CHUNK};
                    if (cert && os_pread(j->fd, cert, (size_t)lay.cert_size, lay.cert_off) == (ssize_t)lay.cert_size)
                        sk_pe_authenticode_check(&lay, cert, (size_t)lay.cert_size, pread_digest, &im, x->arena, &sig);
                    else {
                        sig.status = SK_SIG_MALFORMED;
                        sig.error = "the certificate table could not be read";
                    }
                } else if (lay.cert_off && lay.cert_size) {
                    sig.status = SK_SIG_MALFORMED;
                    sig.error = "certificate table outside the file or larger than 16 MiB";
                }
            }
        }
    } else if (kind == SK_KIND_ELF) {
        have_elf = !sk_elf_parse(x->hold, held, &elf);
    }
    sk_signature_catalog catsig;
    int have_catsig = 0;
    if (have_pe && c->cats && !not_hashed &&
        (sig.status == SK_SIG_NONE || sig.status == SK_SIG_MISMATCH || sig.status == SK_SIG_MALFORMED))
        have_catsig = catalog_lookup(c->cats, j->fd, x->hold, held, whole, st.size, x->chunk, &sig, &catsig);
    strlist yara = {0};
    char yerr[160] = "";
    int yara_failed = 0;
    int sparse = not_hashed && !strcmp(not_hashed, "sparse");
    if (c->yara && !sparse) /* a scan of the holes would be the hashing's wasted work again */
        yara_failed = yara_scan(c->yara, j->fd, whole ? x->hold : NULL, whole ? held : 0, x->arena, &yara, yerr, sizeof yerr);
    /* changed while read: its size, modification or change time moved, or its bytes
     * ended before or went on past the size it had. Statted again after the YARA scan
     * (which reads the file again when it is not held whole): the matches and the
     * digests are then both of the bytes between the two fstats. */
    char changed[200] = "";
    {
        os_stat after;
        int moved = !os_fstat(j->fd, &after) &&
                    (after.size != st.size || after.mtime != st.mtime || after.ctime != st.ctime);
        if (moved || longer || (shorter && which)) {
            size_t k = (size_t)snprintf(changed, sizeof changed, "the file changed while it was read (");
            if (shorter) k += (size_t)snprintf(changed + k, sizeof changed - k, "it ended at byte %llu, ", (unsigned long long)pos);
            if (longer) k += (size_t)snprintf(changed + k, sizeof changed - k, "it went on past byte %llu, ", (unsigned long long)size);
            if (moved && after.size != st.size && k < sizeof changed)
                k += (size_t)snprintf(changed + k, sizeof changed - k, "size %llu then %llu, ", (unsigned long long)st.size,
                                      (unsigned long long)after.size);
            if (moved && after.mtime != st.mtime && k < sizeof changed)
                k += (size_t)snprintf(changed + k, sizeof changed - k, "modified, ");
            if (moved && after.ctime != st.ctime && k < sizeof changed)
                k += (size_t)snprintf(changed + k, sizeof changed - k, "status changed, ");
            if (k >= 2 && k < sizeof changed) snprintf(changed + k - 2, sizeof changed - (k - 2), "): the digests and YARA matches are of the bytes read");
        }
    }
    /* the line */
    sk_buf *b = line_of(c, j->seq);
    sk_buf content;
    sk_buf_init(&content, LINE_MAX_BYTES);
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    file_common(&w, j->path, j->plen, &st);
    /* the content-dependent part, kept apart for the cache */
    sk_jw cw;
    sk_jw_init(&cw, &content);
    sk_jw_object_begin(&cw);
    sk_snapshot_content yc = {.kind = kind,
                              .md5 = which & SK_DIGEST_MD5 ? dg.md5 : NULL,
                              .sha1 = which & SK_DIGEST_SHA1 ? dg.sha1 : NULL,
                              .sha256 = which & SK_DIGEST_SHA256 ? dg.sha256 : NULL,
                              .pe = have_pe ? &pe : NULL,
                              .signature = have_pe ? &sig : NULL,
                              .catalog = have_pe && have_catsig ? &catsig : NULL,
                              .elf = have_elf ? &elf : NULL,
                              .have_yara = c->yara != NULL && !sparse,
                              .yara = yara.v,
                              .n_yara = yara.n};
    sk_snapshot_content_write(&cw, &yc);
    sk_jw_object_end(&cw);
    /* splice the content members (without their braces) into the line: sk_jw_raw
     * writes the separating comma as for any member */
    if (!sk_jw_error(&cw) && content.len > 2) sk_jw_raw(&w, content.data + 1, content.len - 2);
    if (not_hashed) sk_jw_kv_string(&w, "not_hashed", not_hashed);
    if (sparse) sk_jw_kv_u64(&w, "allocated_bytes", st.alloc);
    if (changed[0]) sk_jw_kv_bool(&w, "changed_while_read", 1);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_jw_error(&cw)) {
        sk_buf_reset(b);
        sk_buf_free(&content);
        errop = "parse";
        snprintf(errbuf, sizeof errbuf, "the record does not fit in %zu bytes", LINE_MAX_BYTES);
        goto fail;
    }
    sk_buf_putc(b, '\n');
    if (changed[0]) append_error(c, b, j->path, j->plen, "read", changed);
    if (yara_failed) append_error(c, b, j->path, j->plen, "yara", yerr);
    /* cached only when the content read is the content the key (the walk's metadata) names */
    int same = st.size == j->st.size && st.mtime == j->st.mtime && st.ctime == j->st.ctime;
    if (c->cache && j->cache_key && which && !yara_failed && !changed[0] && same)
        cache_put(c->cache, j->cache_key, content.data, content.len);
    sk_buf_free(&content);
    count_file(c, st.size, which ? total : 0, which ? holes : 0);
    publish(c, j->seq);
    goto done;
fail: {
        /* the file line still goes out (what the walk saw), then the error */
        sk_buf *fb = line_of(c, j->seq);
        sk_buf_reset(fb);
        sk_jw fw;
        sk_jw_init(&fw, fb);
        sk_jw_object_begin(&fw);
        file_common(&fw, j->path, j->plen, &j->st);
        sk_jw_object_end(&fw);
        if (!sk_jw_error(&fw)) sk_buf_putc(fb, '\n');
        append_error(c, fb, j->path, j->plen, errop, errbuf);
        count_file(c, j->st.size, 0, 0);
        publish(c, j->seq);
    }
done:
    if (x) ctx_put(c, x);
    os_close(j->fd);
    free(j->cache_key);
    free(j);
}

/* This host's addresses and MACs (a MAC shared by several addresses once), as arrays
 * of strings in one pool: the header's host.addresses and host.macs. */
typedef struct iflist {
    char pool[16384];
    size_t used;
    const char *v[2][128];
    size_t n[2];
} iflist;

static void on_if(void *arg, int mac, const char *text)
{
    iflist *l = arg;
    size_t len = strlen(text) + 1;
    if (l->n[mac] == 128 || l->used + len > sizeof l->pool) return;
    for (size_t i = 0; mac && i < l->n[1]; i++)
        if (!strcmp(l->v[1][i], text)) return;
    memcpy(l->pool + l->used, text, len);
    l->v[mac][l->n[mac]++] = l->pool + l->used;
    l->used += len;
}

/* ---- the walk ----------------------------------------------------------------------
 *
 * Directories are read ahead in parallel: a directory node is "prepared" (opened
 * through its parent's handle, its names read and sorted, every entry stat'ed, the
 * whole line of every file the cache knows made, its subdirectories made child nodes)
 * by a helper thread or by the walker itself, whichever comes first. Helpers take the
 * node nearest to the walker's path (a stack: children pushed first-on-top, so they
 * work depth-first just ahead of it), and stop when AHEAD_NODES prepared nodes or
 * AHEAD_BYTES wait for the walker. The walker alone emits lines, in walk order: it
 * copies prepared runs of lines, resolves hard links and hands the files to read to
 * the hashing pool. A parent's handle stays open until the walker has left it, so a
 * child is always opened relative to it. */

#define AHEAD_NODES 128
#define AHEAD_BYTES ((size_t)32 << 20)
#define RUN_BYTES ((size_t)16 << 10) /* prepared lines copied into one slot at most */

enum { NODE_NEW, NODE_BUSY, NODE_READY };

typedef struct dnode {
    struct dnode *parent;
    struct dnode *up, *down; /* in the helpers' stack while NEW and queued */
    int queued, ahead;       /* in the stack; prepared by a helper, counted in the window */
    int state;
    int fd;                  /* -1 until opened */
    size_t depth;            /* 1 for the root */
    uint64_t path_entries;   /* entries of this directory and of its ancestors (what the walker holds here) */
    char *name;              /* in the parent's names */
    size_t path_len;         /* of its display path: the parent's, a separator, name */
    int path_ends_sep;       /* the display path ends in the separator (a root such as "/") */
    uint64_t dev, ino;       /* its identity, to check a reopened handle against */
    int lost;                /* its handle could not be reopened: its remaining entries are error lines */
    size_t free_next;        /* tree_free's cursor */
    char *open_err, *read_err;
    os_names names;
    os_stat *st;
    char **err;              /* per entry: why its metadata could not be read */
    struct dnode **child;    /* per entry: the node of a subdirectory to descend */
    uint32_t *line_off, *line_len; /* per entry: its line in `lines` (cache hits) */
    sk_buf lines;
    size_t bytes;            /* what it holds, for the read-ahead window */
    size_t next;             /* the walker's cursor */
} dnode;

typedef struct walk {
    collector *c;
    sk_pool *pool;
    sk_buf path;     /* display path of the current entry */
    sk_buf dir;      /* display path of the walker's directory */
    const char *root_path;
    size_t root_len;
    char sep;
    uint64_t root_dev;
    sk_map *links;   /* "dev:ino" -> first path, for hard-linked files */
    char fsid[80];
    sk_collect_summary *sum;
    /* read-ahead */
    pthread_mutex_t mu;
    pthread_cond_t work, done; /* helpers wait for work; the walker for a busy node */
    dnode *top;                /* the stack of NEW nodes */
    size_t ahead_nodes, ahead_bytes;
    int stopping;
    pthread_t helper[16];
    unsigned n_helpers;
} walk;

/* The most entries the directories on the walker's path may hold. */
static uint64_t path_entries_max(const walk *wk)
{
    return wk->c->opt->max_path_entries ? wk->c->opt->max_path_entries : PATH_ENTRIES_MAX;
}

/* 0: descend into subdirectory st of d; 1: another file system; 2: too deep; 3: d and
 * its ancestors hold too many entries already. Every ancestor keeps its arrays until
 * the walker leaves it, so a deep chain of wide directories would hold them all; the
 * count is the tree's, not the timing's, so helpers and walker agree. */
static int descend(const walk *wk, const dnode *d, const os_stat *st)
{
    if (st->dev != wk->root_dev && !wk->c->opt->cross_fs) return 1;
    if (d->depth >= MAX_DEPTH) return 2;
    if (d->path_entries > path_entries_max(wk)) return 3;
    return 0;
}

/* d's path, the separator, name: the display path of an entry (bounded like wk->path). */
static int entry_path(sk_buf *b, const char *dir, size_t dlen, char sep, const char *name)
{
    sk_buf_reset(b);
    if (sk_buf_append(b, dir, dlen)) return -1;
    if (!(dlen && dir[dlen - 1] == sep) && sk_buf_putc(b, sep)) return -1;
    return sk_buf_puts(b, name) ? -1 : 0;
}

/* The length of the display path of entry `name` of d (entry_path's arithmetic). */
static size_t child_path_len(const walk *wk, const dnode *d, const char *name)
{
    return d->path_len + (d->path_ends_sep ? 0 : 1) + strlen(name);
}

/* d's display path into b, from the names of its ancestors (which live while d does):
 * nodes keep no copy of their path, so that a deep chain costs memory linear in its
 * depth. Any thread. */
static int node_path(const walk *wk, const dnode *d, sk_buf *b)
{
    sk_buf_reset(b);
    if (sk_buf_reserve(b, d->path_len + 1)) return -1;
    char *o = b->data;
    size_t at = d->path_len;
    for (const dnode *n = d; n->parent; n = n->parent) {
        size_t nl = strlen(n->name);
        if (nl > at) return -1;
        at -= nl;
        memcpy(o + at, n->name, nl);
        if (!n->parent->path_ends_sep) {
            if (!at) return -1;
            o[--at] = wk->sep;
        }
    }
    if (at != wk->root_len) return -1;
    memcpy(o, wk->root_path, at);
    b->len = d->path_len;
    o[b->len] = '\0';
    return 0;
}

/* Free one node (its children are freed, or were handed on, already). */
static void node_free_one(dnode *d)
{
    if (d->err)
        for (size_t i = 0; i < d->names.n; i++) free(d->err[i]);
    if (d->fd >= 0 && d->parent) os_close(d->fd); /* the root's handle is the caller's */
    free(d->err);
    free(d->child);
    free(d->st);
    free(d->line_off);
    free(d->line_len);
    sk_buf_free(&d->lines);
    os_names_free(&d->names);
    free(d->open_err);
    free(d->read_err);
    free(d);
}

/* Free d and every node under it, without recursion (a chain may be MAX_DEPTH deep). */
static void tree_free(dnode *d)
{
    if (!d) return;
    dnode *stop = d->parent;
    while (d) {
        dnode *ch = NULL;
        while (d->child && d->free_next < d->names.n && !(ch = d->child[d->free_next++])) {}
        if (ch) {
            d->child[d->free_next - 1] = NULL;
            d = ch;
            continue;
        }
        dnode *p = d->parent;
        node_free_one(d);
        d = p == stop ? NULL : p;
    }
}

static dnode *node_new(dnode *parent, char *name, size_t plen, const os_stat *st)
{
    dnode *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->fd = -1;
    d->parent = parent;
    d->depth = parent ? parent->depth + 1 : 1;
    d->name = name;
    d->path_len = plen;
    d->dev = st->dev;
    d->ino = st->ino;
    sk_buf_init(&d->lines, (size_t)1 << 34);
    return d;
}

static void format_cached(sk_buf *b, const char *path, size_t plen, const os_stat *st, const char *content, size_t n);

/* Prepare a node (any thread; its parent's handle is open while it is not done). */
static void prepare(walk *wk, dnode *d)
{
    const sk_collect_options *o = wk->c->opt;
    if (d->fd < 0 && (d->parent->fd < 0 || os_open_dir_at(d->parent->fd, d->name, &d->fd))) {
        d->fd = -1;
        d->open_err = strdup(d->parent->fd < 0 ? "its parent directory moved during the walk: not listed" : sk_error_last());
        d->bytes = 256;
        return;
    }
    if (os_read_names(d->fd, &d->names)) d->read_err = strdup(sk_error_last());
    size_t n = d->names.n;
    d->path_entries = (d->parent ? d->parent->path_entries : 0) + n;
    d->bytes = 256 + n * (sizeof *d->st + 3 * sizeof(void *) + 8 + 24);
    if (!n) return;
    d->st = malloc(n * sizeof *d->st);
    d->err = calloc(n, sizeof *d->err);
    d->child = calloc(n, sizeof *d->child);
    d->line_off = calloc(n, sizeof *d->line_off);
    d->line_len = calloc(n, sizeof *d->line_len);
    if (!d->st || !d->err || !d->child || !d->line_off || !d->line_len) {
        /* the walker reports every entry as unreadable rather than guess */
        free(d->st);
        d->st = NULL;
        return;
    }
    sk_buf path, dpath; /* an entry's path; d's own, made when a cached line needs it */
    sk_buf_init(&path, PATH_CAP + 16);
    sk_buf_init(&dpath, PATH_CAP + 16);
    int dpath_ok = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = d->names.names[i];
        os_stat *st = &d->st[i];
        if (os_stat_at(d->fd, name, st)) {
            d->err[i] = strdup(sk_error_last());
            if (!d->err[i]) d->err[i] = strdup("out of memory");
            continue;
        }
        set_owner(wk->c, d->fd, name, st);
        /* a path too long is left to the walker, which says so */
        size_t cl = child_path_len(wk, d, name);
        if (st->type == OS_DIR && !descend(wk, d, st) && cl < PATH_CAP) d->child[i] = node_new(d, d->names.names[i], cl, st);
    }
    /* the files the cache may know, 64 at a time: their lines */
    enum { B = 64 };
    char keybuf[B][CACHE_KEY_MAX];
    const char *keys[B], *hits[B];
    size_t klens[B], hlens[B], which[B];
    for (size_t i = 0; wk->c->cache && i < n;) {
        size_t m = 0;
        for (; i < n && m < B; i++) {
            const os_stat *st = &d->st[i];
            if (d->err[i] || st->type != OS_REG || st->nlink != 1 || is_ours(o, st)) continue;
            klens[m] = cache_make_key(keybuf[m], wk->fsid, st);
            keys[m] = keybuf[m];
            which[m++] = i;
        }
        cache_get_many(wk->c->cache, m, keys, klens, hits, hlens);
        for (size_t k = 0; k < m; k++) {
            if (!hits[k]) continue;
            size_t e = which[k];
            if (!dpath_ok) dpath_ok = node_path(wk, d, &dpath) ? -1 : 1;
            if (dpath_ok < 0 || entry_path(&path, dpath.data, dpath.len, wk->sep, d->names.names[e])) continue;
            size_t mark = d->lines.len;
            format_cached(&d->lines, path.data, path.len, &d->st[e], hits[k], hlens[k]);
            if (d->lines.len > mark && mark <= UINT32_MAX && d->lines.len - mark <= UINT32_MAX) {
                d->line_off[e] = (uint32_t)mark;
                d->line_len[e] = (uint32_t)(d->lines.len - mark);
            } else {
                sk_buf_truncate(&d->lines, mark);
            }
        }
    }
    sk_buf_free(&path);
    sk_buf_free(&dpath);
    d->bytes += d->lines.len;
}

/* Under wk->mu: a prepared node's subdirectories go on the helpers' stack, the first on top. */
static void queue_children(walk *wk, dnode *d)
{
    if (!d->child || !wk->n_helpers) return;
    int any = 0;
    for (size_t i = d->names.n; i-- > 0;) {
        dnode *ch = d->child[i];
        if (!ch) continue;
        ch->down = wk->top;
        ch->up = NULL;
        if (wk->top) wk->top->up = ch;
        wk->top = ch;
        ch->queued = 1;
        any = 1;
    }
    if (any) pthread_cond_broadcast(&wk->work);
}

static void unqueue(walk *wk, dnode *d)
{
    if (!d->queued) return;
    if (d->up) d->up->down = d->down;
    else wk->top = d->down;
    if (d->down) d->down->up = d->up;
    d->up = d->down = NULL;
    d->queued = 0;
}

/* Under wk->mu: prepare NEW node d (the lock is let go meanwhile); `ahead` when the
 * walker is not yet there (it counts in the read-ahead window until taken). */
static void prepare_node(walk *wk, dnode *d, int ahead)
{
    unqueue(wk, d);
    d->state = NODE_BUSY;
    pthread_mutex_unlock(&wk->mu);
    prepare(wk, d);
    pthread_mutex_lock(&wk->mu);
    d->state = NODE_READY;
    if (ahead) {
        d->ahead = 1;
        wk->ahead_nodes++;
        wk->ahead_bytes += d->bytes;
    }
    queue_children(wk, d);
    pthread_cond_broadcast(&wk->done);
}

static void prepare_ahead(walk *wk)
{
    prepare_node(wk, wk->top, 1);
}

static int room_ahead(const walk *wk)
{
    return wk->top && wk->ahead_nodes < AHEAD_NODES && wk->ahead_bytes < AHEAD_BYTES;
}

static void *helper_main(void *arg)
{
    walk *wk = arg;
    pthread_mutex_lock(&wk->mu);
    for (;;) {
        while (!wk->stopping && !room_ahead(wk)) pthread_cond_wait(&wk->work, &wk->mu);
        if (wk->stopping) break;
        prepare_ahead(wk);
    }
    pthread_mutex_unlock(&wk->mu);
    return NULL;
}

/* The walker's turn at a node: prepared already, being prepared (wait), or not yet
 * (prepare it here). */
static void take(walk *wk, dnode *d)
{
    pthread_mutex_lock(&wk->mu);
    if (d->state == NODE_NEW) prepare_node(wk, d, 0);
    while (d->state != NODE_READY) { /* a helper has it: prepare the next one meanwhile */
        if (room_ahead(wk))
            prepare_ahead(wk);
        else
            pthread_cond_wait(&wk->done, &wk->mu);
    }
    if (d->ahead) {
        d->ahead = 0;
        wk->ahead_nodes--;
        wk->ahead_bytes -= d->bytes;
        pthread_cond_broadcast(&wk->work);
    }
    pthread_mutex_unlock(&wk->mu);
}

static void link_key(char out[48], const os_stat *st)
{
    snprintf(out, 48, "%llx:%llx", (unsigned long long)st->dev, (unsigned long long)st->ino);
}

/* The line of a later path of an inode already read. */
static void hardlink_line(collector *c, const char *path, size_t plen, const os_stat *st, const char *first)
{
    uint64_t seq = reserve(c);
    sk_buf *b = line_of(c, seq);
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    file_common(&w, path, plen, st);
    sk_jw_kv_string(&w, "hardlink_of", first);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w))
        sk_buf_reset(b);
    else
        sk_buf_putc(b, '\n');
    count_file(c, st->size, 0, 0);
    publish(c, seq);
}

/* A file the cache knows: the stored content members, no read. */
static void format_cached(sk_buf *b, const char *path, size_t plen, const os_stat *st, const char *content, size_t n)
{
    size_t mark = b->len;
    if (sk_buf_putc(b, '{') || file_members(b, path, plen, st) || (n > 2 && (sk_buf_putc(b, ',') || sk_buf_append(b, content + 1, n - 2))) ||
        sk_buf_append(b, ",\"cached\":true}\n", 16))
        sk_buf_truncate(b, mark);
}

static void cached_line(collector *c, const char *path, size_t plen, const os_stat *st, const char *content, size_t n)
{
    uint64_t seq = reserve(c);
    format_cached(line_of(c, seq), path, plen, st, content, n);
    count_file(c, st->size, 0, 0);
    publish(c, seq);
}

/* Entries [i, j) of d have prepared lines: one slot for the run. */
static void emit_run(walk *wk, dnode *d, size_t i, size_t j)
{
    collector *c = wk->c;
    uint64_t seq = reserve(c);
    sk_buf *b = line_of(c, seq);
    uint64_t bytes = 0;
    for (size_t k = i; k < j; k++) {
        sk_buf_append(b, d->lines.data + d->line_off[k], d->line_len[k]);
        bytes += d->st[k].size;
    }
    wk->sum->cached += j - i;
    pthread_mutex_lock(&c->mu);
    c->files += j - i;
    c->bytes_seen += bytes;
    pthread_mutex_unlock(&c->mu);
    publish(c, seq);
}

/* Enter a prepared node: its readdir error, if any, comes before its entries. */
static void enter(walk *wk, dnode *d)
{
    wk->sum->dirs++;
    if (d->read_err) error_line(wk->c, wk->dir.data, wk->dir.len, "readdir", d->read_err);
}

/* A regular file the walker handles: hard links, cache lookups of hard-linked files,
 * open, and a job for the pool. Returns 0 or an error that stops the walk. */
static int regular(walk *wk, dnode *d, const char *name, const os_stat *st)
{
    collector *c = wk->c;
    if (is_ours(c->opt, st)) return 0; /* our own output is not evidence */
    if (st->nlink > 1) {
        char key[48];
        link_key(key, st);
        const char *first = sk_map_get(wk->links, key, strlen(key));
        if (first) {
            wk->sum->hardlinks++;
            hardlink_line(c, wk->path.data, wk->path.len, st, first);
            return 0;
        }
        char *copy = strndup(wk->path.data, wk->path.len);
        if (!copy || sk_map_put(wk->links, key, strlen(key), copy, NULL)) {
            free(copy);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
    }
    char *cache_key = NULL;
    if (c->cache) {
        char key[CACHE_KEY_MAX];
        size_t kl = cache_make_key(key, wk->fsid, st), n;
        const char *hit = cache_get(c->cache, key, kl, &n);
        if (hit) {
            wk->sum->cached++;
            cached_line(c, wk->path.data, wk->path.len, st, hit, n); /* the get kept it */
            return 0;
        }
        if (!(cache_key = strndup(key, kl))) return sk_error_set(SK_ENOMEM, "out of memory");
    }
    int fd;
    if (d->fd < 0 ? sk_error_set(SK_EIO, "its directory moved during the walk: not read") : os_open_file_at(d->fd, name, &fd)) {
        uint64_t seq = reserve(c);
        sk_buf *b = line_of(c, seq);
        sk_jw w;
        sk_jw_init(&w, b);
        sk_jw_object_begin(&w);
        file_common(&w, wk->path.data, wk->path.len, st);
        sk_jw_object_end(&w);
        if (!sk_jw_error(&w)) sk_buf_putc(b, '\n');
        append_error(c, b, wk->path.data, wk->path.len, "open", sk_error_last());
        count_file(c, st->size, 0, 0);
        publish(c, seq);
        free(cache_key);
        return 0;
    }
    job *j = malloc(sizeof *j + wk->path.len + 1);
    if (!j) {
        os_close(fd);
        free(cache_key);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    j->c = c;
    j->fd = fd;
    j->st = *st;
    j->plen = wk->path.len;
    j->cache_key = cache_key;
    memcpy(j->path, wk->path.data, wk->path.len);
    j->path[wk->path.len] = '\0';
    j->seq = reserve(c);
    int rc = sk_pool_submit(wk->pool, file_job, j);
    if (rc) {
        os_close(fd);
        free(cache_key);
        free(j);
    }
    return rc;
}

/* The walker's directory path: down into ch (an entry of the current one), or back up
 * to d. */
static int dir_down(walk *wk, const dnode *ch)
{
    if (!ch->parent->path_ends_sep && sk_buf_putc(&wk->dir, wk->sep)) return -1;
    return sk_buf_puts(&wk->dir, ch->name) ? -1 : 0;
}

static void dir_up(walk *wk, const dnode *d)
{
    sk_buf_truncate(&wk->dir, d->path_len);
}

/* The walker has entered d: the handle of its ancestor FD_KEEP levels up is closed, so
 * that a chain of any depth holds a bounded number of descriptors. Not while a helper
 * is opening one of that ancestor's subdirectories; those still waiting for a helper
 * are left to the walker, which reopens the ancestor before it gets there. */
static void release_far(walk *wk, dnode *d)
{
    dnode *a = d;
    for (int k = 0; k < FD_KEEP && a; k++) a = a->parent;
    if (!a || !a->parent || a->fd < 0) return; /* the root's handle stays */
    pthread_mutex_lock(&wk->mu);
    int busy = 0;
    for (size_t i = a->next; a->child && i < a->names.n && !busy; i++)
        busy = a->child[i] && a->child[i]->state == NODE_BUSY;
    if (!busy) {
        for (size_t i = a->next; a->child && i < a->names.n; i++)
            if (a->child[i] && a->child[i]->state == NODE_NEW) unqueue(wk, a->child[i]);
        os_close(a->fd);
        a->fd = -1;
    }
    pthread_mutex_unlock(&wk->mu);
}

/* Reopen p, whose handle was released, downward from its nearest ancestor that still
 * has one (the root always does), by the names stored on the way down, checking at
 * every level that the directory opened is the one walked. 0 with p->fd set, or -1
 * when a level is gone or is another directory now (p's path moved). */
static int reopen_down(dnode *p)
{
    size_t n = 0;
    dnode *a = p;
    for (; a && a->fd < 0; a = a->parent) n++;
    if (!a || !n) return -1;
    dnode **chain = malloc(n * sizeof *chain); /* chain[0] the level below a, chain[n-1] p */
    if (!chain) return -1;
    size_t k = n;
    for (dnode *q = p; q != a; q = q->parent) chain[--k] = q;
    int fd = a->fd, ok = 1;
    for (k = 0; k < n && ok; k++) {
        int next = -1;
        os_stat st;
        ok = !os_open_dir_at(fd, chain[k]->name, &next) && !os_fstat(next, &st) && st.dev == chain[k]->dev &&
             st.ino == chain[k]->ino;
        if (fd != a->fd) os_close(fd);
        fd = next;
        if (!ok) os_close(next);
    }
    free(chain);
    if (!ok) return -1;
    p->fd = fd;
    return 0;
}

/* Back from d to its parent p, whose handle was released: reopen it as d's "..", and
 * check it is the directory it was. If not (d was moved meanwhile, or d has no handle
 * itself), reopen p downward from the nearest ancestor still open: a child that moved
 * says nothing about its parent. p is lost only when that fails too (p or one of its
 * ancestors moved): its remaining entries become error lines rather than being looked
 * for elsewhere, and its own parent is then reopened downward in turn, so a loss never
 * spreads above the directory that moved. */
static void reacquire(walk *wk, dnode *d, dnode *p)
{
    if (p->fd >= 0 || p->lost) return;
    int fd = -1;
    os_stat st;
    if (d->fd >= 0 && !os_open_parent(d->fd, &fd) && !os_fstat(fd, &st) && st.dev == p->dev && st.ino == p->ino) {
        p->fd = fd;
        return;
    }
    os_close(fd);
    if (!reopen_down(p)) return;
    p->lost = 1;
    error_line(wk->c, wk->dir.data, wk->dir.len, "open", "the directory moved during the walk: its remaining entries are not listed");
}

static int walk_tree(walk *wk, int root_fd, const os_stat *rst)
{
    collector *c = wk->c;
    dnode *root = node_new(NULL, NULL, wk->root_len, rst);
    if (!root) return sk_error_set(SK_ENOMEM, "out of memory");
    root->fd = root_fd;
    root->path_ends_sep = wk->root_len && wk->root_path[wk->root_len - 1] == wk->sep;
    int rc = sk_buf_append(&wk->dir, wk->root_path, wk->root_len) ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
    unsigned cores = c->opt->threads ? c->opt->threads : sk_cpu_count();
    unsigned want = cores > 1 ? (cores - 1 < 16 ? cores - 1 : 16) : 0;
    for (unsigned i = 0; i < want; i++)
        if (!pthread_create(&wk->helper[wk->n_helpers], NULL, helper_main, wk)) wk->n_helpers++;
    take(wk, root);
    enter(wk, root);
    dnode *d = root;
    while (d && !rc) {
        if (stopped(c->opt)) {
            rc = sk_error_set(SK_EIO, "interrupted: the snapshot is incomplete");
            break;
        }
        if (!d->st || d->next == d->names.n) {
            if (!d->st && d->names.n) { /* out of memory preparing it */
                for (size_t i = d->next; i < d->names.n; i++) {
                    entry_path(&wk->path, wk->dir.data, wk->dir.len, wk->sep, d->names.names[i]);
                    error_line(c, wk->path.data, wk->path.len, "stat", "out of memory");
                }
            }
            dnode *p = d->parent;
            if (p) { /* leave it: its slot in the parent is cleared */
                dir_up(wk, p);
                reacquire(wk, d, p);
                p->child[p->next - 1] = NULL;
                tree_free(d);
            }
            d = p;
            continue;
        }
        size_t idx = d->next;
        if (d->line_len[idx]) {
            size_t j = idx + 1, run = d->line_len[idx];
            while (j < d->names.n && d->line_len[j] && run + d->line_len[j] <= RUN_BYTES) run += d->line_len[j++];
            emit_run(wk, d, idx, j);
            d->next = j;
            continue;
        }
        d->next++;
        const char *name = d->names.names[idx];
        if (child_path_len(wk, d, name) >= PATH_CAP || entry_path(&wk->path, wk->dir.data, wk->dir.len, wk->sep, name)) {
            error_line(c, wk->dir.data, wk->dir.len, "stat", "path too long");
            continue;
        }
        if (d->err[idx]) {
            error_line(c, wk->path.data, wk->path.len, "stat", d->err[idx]);
            continue;
        }
        const os_stat *st = &d->st[idx];
        if (st->type == OS_LNK) { /* never followed */
            wk->sum->symlinks++;
            continue;
        }
        if (st->type == OS_OTHER) { /* devices, FIFOs, sockets: not files to read */
            wk->sum->special++;
            continue;
        }
        if (st->type == OS_DIR) {
            int why = descend(wk, d, st);
            if (why == 1) {
                wk->sum->other_fs++;
                continue;
            }
            if (why == 2) {
                error_line(c, wk->path.data, wk->path.len, "readdir", "directory nesting deeper than " SK_STR(MAX_DEPTH) ": not descended");
                continue;
            }
            if (why == 3) {
                char msg[200];
                snprintf(msg, sizeof msg, "not descended: the directories above it hold %llu entries, more than %llu (--max-path-entries)",
                         (unsigned long long)d->path_entries, (unsigned long long)path_entries_max(wk));
                error_line(c, wk->path.data, wk->path.len, "readdir", msg);
                continue;
            }
            dnode *ch = d->child[idx];
            if (!ch) {
                rc = sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
            take(wk, ch);
            if (ch->open_err) {
                error_line(c, wk->path.data, wk->path.len, "open", ch->open_err);
                d->child[idx] = NULL;
                tree_free(ch);
                continue;
            }
            if (dir_down(wk, ch)) {
                rc = sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
            enter(wk, ch);
            d = ch;
            release_far(wk, d);
            continue;
        }
        rc = regular(wk, d, name, st);
    }
    /* stop the helpers, then free what is left (every node is reachable from the root) */
    pthread_mutex_lock(&wk->mu);
    wk->stopping = 1;
    pthread_cond_broadcast(&wk->work);
    pthread_mutex_unlock(&wk->mu);
    for (unsigned i = 0; i < wk->n_helpers; i++) pthread_join(wk->helper[i], NULL);
    tree_free(root);
    return rc;
}

/* ---- header, end, progress ---------------------------------------------------------- */

static void write_header(collector *c, sk_buf *b, sk_time started)
{
    const sk_collect_options *o = c->opt;
    char name[256], os[128], ver[128];
    iflist *l = o->live ? calloc(1, sizeof *l) : NULL;
    sk_snapshot_header h = {.host = o->host, .domain = o->domain, .site = o->site, .region = o->region, .live = o->live,
                            .version = sk_version(), .options = (const char *const *)(o->argc > 1 ? o->argv + 1 : NULL),
                            .n_options = o->argc > 1 ? (size_t)(o->argc - 1) : 0, .started = started, .root = o->root,
                            .windows_root = o->windows_root, .catalogs = o->windows_root != NULL};
    const char *algs[SK_CATALOG_ALGS];
    unsigned mask = catalogs_algorithms(c->cats);
    for (unsigned a = 0; a < SK_CATALOG_ALGS; a++)
        if (mask & (1u << a)) algs[h.n_catalog_algorithms++] = sk_catalog_alg_name((sk_catalog_alg)a);
    h.catalog_algorithms = algs;
    h.catalogs_read = catalogs_read(c->cats);
    h.catalogs_failed = catalogs_failed(c->cats);
    h.catalog_members = catalogs_members(c->cats);
    if (o->live) {
        os_host(name, sizeof name, os, sizeof os, ver, sizeof ver);
        h.host = name;
        h.os_family = !strcmp(os, "Linux") ? "linux" : os;
        h.os_name = os;
        h.os_version = ver;
        if (l) {
            os_interfaces(on_if, l);
            h.addresses = l->v[0], h.n_addresses = l->n[0];
            h.macs = l->v[1], h.n_macs = l->n[1];
        }
    }
    sk_snapshot_header_write(b, &h);
    free(l);
}

typedef struct progress {
    collector *c;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
} progress;

static void *progress_main(void *arg)
{
    progress *p = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 1;
        pthread_cond_timedwait(&p->cv, &p->mu, &dl);
        if (p->stop) break;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        double el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
        pthread_mutex_lock(&p->c->mu);
        uint64_t files = p->c->files, bytes = p->c->bytes_hashed, errors = p->c->errors, seen = p->c->bytes_seen;
        pthread_mutex_unlock(&p->c->mu);
        char eta[48] = "";
        uint64_t est = p->c->bytes_estimate;
        if (est > seen && seen > 0 && el > 2) /* the file system's used space: an upper bound */
            snprintf(eta, sizeof eta, ", ETA ~%.0f s", (double)(est - seen) / ((double)seen / el));
        fprintf(stderr, "\rcollect: %llu files, %.2f GB hashed, %.0f MB/s, %llu errors, %.0f s%s   ",
                (unsigned long long)files, (double)bytes / 1e9, el > 0 ? (double)seen / 1e6 / el : 0.0,
                (unsigned long long)errors, el, eta);
    }
    pthread_mutex_unlock(&p->mu);
    fputc('\n', stderr);
    return NULL;
}

/* ---- the run ----------------------------------------------------------------------- */

int sk_collect_run(const sk_collect_options *opt, FILE *out, sk_collect_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!opt->root) return sk_error_set(SK_EINVAL, "no root directory given");
    if (!opt->live && (!opt->host || !*opt->host))
        return sk_error_set(SK_EINVAL, "collecting %s: give --host NAME (only a live collection of / takes the identity from this system)",
                            opt->root);
    int root_fd;
    int rc = os_open_root(opt->root, &root_fd);
    if (rc) return rc;
    os_stat rst;
    if ((rc = os_fstat(root_fd, &rst))) {
        os_close(root_fd);
        return rc;
    }
    collector *c = calloc(1, sizeof *c);
    if (!c) {
        os_close(root_fd);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    c->opt = opt;
    c->out = out;
    c->sum = sum;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->ctx_mu, NULL);
    walk wk = {.c = c, .sum = sum, .sep = opt->windows_root ? '\\' : '/', .root_dev = rst.dev};
    sk_buf_init(&wk.path, PATH_CAP + 16);
    sk_buf_init(&wk.dir, PATH_CAP + 16);
    char *root_path = NULL;
    rc = sk_ordered_new(&c->ord, RING, LINE_MAX_BYTES * 2, SLOT_KEEP, emit_line, c);
    if (!rc) rc = sk_map_new(&wk.links, 0);
    os_fs_id(root_fd, wk.fsid);
    if (!rc && opt->yara_rules) rc = yara_load(&c->yara, opt->yara_rules);
    if (!rc) load_users(c, root_fd);
    /* the display form of the root: Windows "C:" or the absolute path */
    if (!rc) {
        if (opt->windows_root) {
            rc = sk_buf_puts(&wk.path, opt->windows_root);
        } else {
            char *abs = realpath(opt->root, NULL);
            rc = sk_buf_puts(&wk.path, abs ? abs : opt->root);
            free(abs);
            if (!rc && wk.path.len > 1 && wk.path.data[wk.path.len - 1] == '/') sk_buf_truncate(&wk.path, wk.path.len - 1);
        }
        if (!rc && !(root_path = strndup(wk.path.data, wk.path.len))) rc = sk_error_set(SK_ENOMEM, "out of memory");
        wk.root_path = root_path;
        wk.root_len = wk.path.len;
    }
    /* a Windows root's security catalogues, before the walk: the signature statuses of
     * its PEs depend on them, and so does what the cache holds */
    if (!rc && opt->windows_root) rc = catalogs_load(&c->cats, root_fd, wk.root_path, wk.root_len, wk.sep);
    if (!rc && opt->cache)
        rc = cache_open(&c->cache, opt->cache, opt->digests, c->yara ? yara_rules_id(c->yara) : "", catalogs_id(c->cats),
                        opt->warn, opt->warn_ctx);
    sk_time started = sk_time_now();
    sk_buf head;
    sk_buf_init(&head, 1 << 20);
    if (!rc) {
        write_header(c, &head, started);
        if (fwrite(head.data, 1, head.len, out) != head.len) rc = sk_error_set(SK_EIO, "writing the snapshot: %s", strerror(errno));
    }
    sk_buf_free(&head);
    /* the catalogues that could not be read: error lines, first */
    for (size_t i = 0; !rc && i < catalogs_failures(c->cats); i++) {
        const char *p, *op, *msg;
        size_t plen;
        catalogs_failure(c->cats, i, &p, &plen, &op, &msg);
        error_line(c, p, plen, op, msg);
    }
    sum->catalogs_read = catalogs_read(c->cats);
    sum->catalogs_failed = catalogs_failed(c->cats);
    sum->catalog_members = catalogs_members(c->cats);
    if (!catalogs_read(c->cats)) { /* none parsed: nothing to look up, and no file is said to be unsigned */
        catalogs_free(c->cats);
        c->cats = NULL;
    }
    if (!rc) rc = sk_pool_new(&wk.pool, opt->threads, 64);
    pthread_mutex_init(&wk.mu, NULL);
    pthread_cond_init(&wk.work, NULL);
    pthread_cond_init(&wk.done, NULL);
    if (opt->progress) c->bytes_estimate = os_fs_used(root_fd, opt->root);
    progress pg = {.c = c};
    int pg_on = 0;
    if (!rc && opt->progress) {
        pthread_mutex_init(&pg.mu, NULL);
        pthread_cond_init(&pg.cv, NULL);
        pg_on = !pthread_create(&pg.th, NULL, progress_main, &pg);
    }
    int walk_rc = rc ? rc : walk_tree(&wk, root_fd, &rst);
    if (wk.pool) sk_pool_wait(wk.pool);
    sk_pool_free(wk.pool);
    pthread_mutex_destroy(&wk.mu);
    pthread_cond_destroy(&wk.work);
    pthread_cond_destroy(&wk.done);
    if (pg_on) {
        pthread_mutex_lock(&pg.mu);
        pg.stop = 1;
        pthread_cond_signal(&pg.cv);
        pthread_mutex_unlock(&pg.mu);
        pthread_join(pg.th, NULL);
    }
    sum->files = c->files;
    sum->bytes_hashed = c->bytes_hashed;
    sum->hole_bytes = c->hole_bytes;
    sum->errors = c->errors;
    /* a stop during the last files (the walk itself done) leaves them unread too */
    if (!walk_rc && stopped(opt)) walk_rc = sk_error_set(SK_EIO, "interrupted: the snapshot is incomplete");
    if (!rc) {
        rc = walk_rc;
        sk_buf end;
        sk_buf_init(&end, 4096);
        sk_snapshot_end e = {.finished = sk_time_now(), .files = c->files, .bytes_hashed = c->bytes_hashed,
                             .hole_bytes = c->hole_bytes, .errors = c->errors, .complete = walk_rc == 0};
        sk_snapshot_end_write(&end, &e);
        if (!c->write_error && fwrite(end.data, 1, end.len, out) != end.len) c->write_error = errno ? errno : EIO;
        sk_buf_free(&end);
        if (fflush(out) && !c->write_error) c->write_error = errno ? errno : EIO;
        if (c->write_error && !rc) rc = sk_error_set(SK_EIO, "writing the snapshot: %s", strerror(c->write_error));
    }
    if (c->cache) {
        int crc = cache_close(c->cache, rc == 0);
        if (!rc) rc = crc;
    }
    yara_free(c->yara);
    catalogs_free(c->cats);
    free(c->users);
    if (wk.links) {
        size_t pos = 0, kl;
        const void *k;
        void *v;
        while (sk_map_next(wk.links, &pos, &k, &kl, &v)) free(v);
        sk_map_free(wk.links);
    }
    sk_buf_free(&wk.path);
    sk_buf_free(&wk.dir);
    free(root_path);
    sk_ordered_free(c->ord);
    ctx_free_all(c);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->ctx_mu);
    free(c);
    os_close(root_fd);
    return rc;
}
