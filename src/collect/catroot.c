/*
 * catroot.c - the security catalogues of a Windows root, read before the walk
 * (collect_int.h, docs/collect.md).
 *
 * Windows\System32\CatRoot\{GUID}\*.cat is found through the root's handle, each name
 * matched without regard to ASCII case (an image mounted on a case-sensitive file
 * system keeps Windows' spelling, whatever it is) and never through a symlink; each
 * catalogue is opened as the walk opens files (read-only, O_NOATIME where permitted),
 * read up to the size statted and at most SK_CATALOG_MAX_BYTES, and parsed
 * (sakimori/catalog.h). Its members' digests go into one sorted array per digest
 * algorithm - a digest and the index of its catalogue - searched by the hashing workers
 * without a lock once loading is done. A digest listed by several catalogues is kept
 * once: the first catalogue (in path order) whose signature verifies, else the first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/buf.h>
#include <sakimori/catalog.h>
#include <sakimori/digest.h>

#include "collect_int.h"
#include "os/os.h"

#define MEMBERS_MAX ((uint64_t)8 << 20) /* digests held from all catalogues together */
#define FAILURES_MAX 4096               /* catalogues reported as unreadable; the rest are counted */

typedef struct cat_rec {
    char *path;
    size_t path_len;
    char *signer_subject, *signer_issuer;
    int verified;
} cat_rec;

typedef struct failure {
    char *path, *msg;
    size_t path_len;
    const char *op;
} failure;

struct collect_catalogs {
    cat_rec *cats;
    size_t n_cats, cap_cats;
    /* per algorithm: n records of (digest, 4 bytes: not-verified bit and catalogue index, big-endian) */
    uint8_t *recs[SK_CATALOG_ALGS];
    size_t n_recs[SK_CATALOG_ALGS], cap_recs[SK_CATALOG_ALGS];
    uint64_t members, failed;
    failure *fails;
    size_t n_fails;
    sk_md *id;        /* over every catalogue read: its path, a NUL, its bytes' SHA-256 */
    char id_hex[65];
};

static size_t rec_size(unsigned alg)
{
    return sk_catalog_alg_size((sk_catalog_alg)alg) + 4;
}

/* Comparators per record size: qsort and bsearch take no context. */
#define CMP(N)                                                                                                         \
    static int cmp_rec##N(const void *a, const void *b) { return memcmp(a, b, (N) + 4); }                              \
    static int cmp_key##N(const void *k, const void *r) { return memcmp(k, r, (N)); }
CMP(16)
CMP(20)
CMP(32)
CMP(48)
CMP(64)

static int (*rec_cmp(size_t n))(const void *, const void *)
{
    return n == 16 ? cmp_rec16 : n == 20 ? cmp_rec20 : n == 32 ? cmp_rec32 : n == 48 ? cmp_rec48 : cmp_rec64;
}

static int (*key_cmp(size_t n))(const void *, const void *)
{
    return n == 16 ? cmp_key16 : n == 20 ? cmp_key20 : n == 32 ? cmp_key32 : n == 48 ? cmp_key48 : cmp_key64;
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a, y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

static int ends_cat(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && ascii_ieq(name + n - 4, ".cat");
}

/* Path of an entry below `dir`: dir, the separator, name. */
static int join(sk_buf *b, const char *dir, size_t dlen, char sep, const char *name)
{
    sk_buf_reset(b);
    if (sk_buf_append(b, dir, dlen)) return -1;
    if (!(dlen && dir[dlen - 1] == sep) && sk_buf_putc(b, sep)) return -1;
    return sk_buf_puts(b, name) ? -1 : 0;
}

static int fail(collect_catalogs *k, const char *path, size_t plen, const char *op, const char *msg)
{
    k->failed++;
    if (k->n_fails == FAILURES_MAX) return 0;
    failure *nf = realloc(k->fails, (k->n_fails + 1) * sizeof *nf);
    if (!nf) return sk_error_set(SK_ENOMEM, "out of memory");
    k->fails = nf;
    failure *f = &k->fails[k->n_fails];
    f->path = malloc(plen + 1);
    f->msg = strdup(msg);
    if (!f->path || !f->msg) {
        free(f->path);
        free(f->msg);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    memcpy(f->path, path, plen);
    f->path[plen] = '\0';
    f->path_len = plen;
    f->op = op;
    k->n_fails++;
    return 0;
}

/* The members of a parsed catalogue into the arrays; 0, SK_ELIMIT (said as a failure) or SK_ENOMEM. */
static int add_catalog(collect_catalogs *k, const sk_catalog *cat, const char *path, size_t plen)
{
    const sk_catalog_member *m;
    size_t n = sk_catalog_members(cat, &m);
    if (k->members + n > MEMBERS_MAX) {
        char msg[160];
        snprintf(msg, sizeof msg, "security catalogue not read: its %zu members and those read before exceed %llu", n,
                 (unsigned long long)MEMBERS_MAX);
        return fail(k, path, plen, "parse", msg);
    }
    if (k->n_cats == k->cap_cats) {
        size_t nc = k->cap_cats ? k->cap_cats * 2 : 64;
        cat_rec *r = realloc(k->cats, nc * sizeof *r);
        if (!r) return sk_error_set(SK_ENOMEM, "out of memory");
        k->cats = r;
        k->cap_cats = nc;
    }
    if (k->n_cats >= 0x7fffffff) return sk_error_set(SK_ELIMIT, "too many security catalogues");
    uint32_t idx = (uint32_t)k->n_cats;
    cat_rec *c = &k->cats[idx];
    memset(c, 0, sizeof *c);
    c->path = malloc(plen + 1);
    const char *s = sk_catalog_signer_subject(cat), *i = sk_catalog_signer_issuer(cat);
    c->signer_subject = s ? strdup(s) : NULL;
    c->signer_issuer = i ? strdup(i) : NULL;
    if (!c->path || (s && !c->signer_subject) || (i && !c->signer_issuer)) {
        free(c->path);
        free(c->signer_subject);
        free(c->signer_issuer);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    memcpy(c->path, path, plen);
    c->path[plen] = '\0';
    c->path_len = plen;
    c->verified = sk_catalog_verified(cat);
    k->n_cats++;
    uint32_t tail = idx | (c->verified ? 0u : 0x80000000u); /* verified sorts first */
    for (size_t j = 0; j < n; j++) {
        unsigned a = m[j].alg;
        size_t rs = rec_size(a), ds = rs - 4;
        if (k->n_recs[a] == k->cap_recs[a]) {
            size_t nc = k->cap_recs[a] ? k->cap_recs[a] * 2 : 1024;
            uint8_t *nr = realloc(k->recs[a], nc * rs);
            if (!nr) return sk_error_set(SK_ENOMEM, "out of memory");
            k->recs[a] = nr;
            k->cap_recs[a] = nc;
        }
        uint8_t *r = k->recs[a] + k->n_recs[a]++ * rs;
        memcpy(r, m[j].digest, ds);
        r[ds] = (uint8_t)(tail >> 24), r[ds + 1] = (uint8_t)(tail >> 16), r[ds + 2] = (uint8_t)(tail >> 8), r[ds + 3] = (uint8_t)tail;
    }
    k->members += n;
    return 0;
}

/* Read and parse one catalogue, `name` in directory dirfd, shown as `path`. Failures
 * of the file itself are recorded; the return is an error that stops loading (memory). */
static int load_one(collect_catalogs *k, int dirfd, const char *name, const char *path, size_t plen)
{
    int fd;
    if (os_open_file_at(dirfd, name, &fd)) return fail(k, path, plen, "open", sk_error_last());
    os_stat st;
    int rc = 0;
    uint8_t *d = NULL;
    char msg[SK_ERROR_MAX + 64];
    if (os_fstat(fd, &st)) {
        rc = fail(k, path, plen, "stat", sk_error_last());
        goto out;
    }
    if (st.type != OS_REG) {
        rc = fail(k, path, plen, "open", "not a regular file");
        goto out;
    }
    if (st.size > SK_CATALOG_MAX_BYTES) {
        snprintf(msg, sizeof msg, "security catalogue not read: %llu bytes, larger than a catalogue is read (%zu)",
                 (unsigned long long)st.size, SK_CATALOG_MAX_BYTES);
        rc = fail(k, path, plen, "parse", msg);
        goto out;
    }
    d = malloc(st.size ? (size_t)st.size : 1);
    if (!d) {
        rc = sk_error_set(SK_ENOMEM, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < st.size) { /* bounded by the size statted, as every read of the walk */
        ssize_t r = os_pread(fd, d + got, (size_t)st.size - got, got);
        if (r < 0) {
            rc = fail(k, path, plen, "read", strerror(errno));
            goto out;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    uint8_t sha[32];
    if (sk_sha256(d, got, sha)) {
        rc = sk_error_set(SK_ENOMEM, "out of memory");
        goto out;
    }
    if (sk_md_update(k->id, path, plen) || sk_md_update(k->id, "", 1) || sk_md_update(k->id, sha, sizeof sha)) {
        rc = sk_error_set(SK_ENOMEM, "out of memory");
        goto out;
    }
    sk_catalog *cat = NULL;
    int prc = sk_catalog_parse(&cat, d, got);
    if (prc == SK_ENOMEM) {
        rc = prc;
        goto out;
    }
    if (prc) {
        snprintf(msg, sizeof msg, "security catalogue not read: %s", sk_error_last());
        rc = fail(k, path, plen, "parse", msg);
        goto out;
    }
    rc = add_catalog(k, cat, path, plen);
    sk_catalog_free(cat);
out:
    free(d);
    os_close(fd);
    return rc;
}

/* Every entry of dirfd whose name equals `want` without regard to ASCII case (any name
 * when NULL) and is a directory (never a symlink to one): opened in turn, its path
 * appended to `path` while fn reads it. */
typedef int (*dir_fn)(collect_catalogs *k, int fd, sk_buf *path, char sep);

static int each_dir(collect_catalogs *k, int dirfd, const char *want, sk_buf *path, char sep, dir_fn fn)
{
    os_names names;
    if (os_read_names(dirfd, &names)) {
        os_names_free(&names);
        return 0; /* the walk says so when it lists this directory */
    }
    int rc = 0;
    size_t mark = path->len;
    for (size_t i = 0; i < names.n && !rc; i++) {
        const char *name = names.names[i];
        os_stat st;
        int fd;
        if ((want && !ascii_ieq(name, want)) || os_stat_at(dirfd, name, &st) || st.type != OS_DIR) continue;
        sk_buf_truncate(path, mark);
        if ((!(mark && path->data[mark - 1] == sep) && sk_buf_putc(path, sep)) || sk_buf_puts(path, name)) continue;
        if (os_open_dir_at(dirfd, name, &fd)) continue; /* the walk reports it */
        rc = fn(k, fd, path, sep);
        os_close(fd);
    }
    sk_buf_truncate(path, mark);
    os_names_free(&names);
    return rc;
}

/* A CatRoot\{GUID} directory: its *.cat files. */
static int guid_dir(collect_catalogs *k, int fd, sk_buf *path, char sep)
{
    os_names names;
    if (os_read_names(fd, &names)) {
        os_names_free(&names);
        return 0;
    }
    int rc = 0;
    sk_buf p;
    sk_buf_init(&p, (size_t)1 << 20);
    for (size_t i = 0; i < names.n && !rc; i++) {
        const char *name = names.names[i];
        os_stat st;
        if (!ends_cat(name) || os_stat_at(fd, name, &st) || st.type != OS_REG) continue; /* symlinks are not followed */
        if (join(&p, path->data, path->len, sep, name)) continue;
        rc = load_one(k, fd, name, p.data, p.len);
    }
    sk_buf_free(&p);
    os_names_free(&names);
    return rc;
}

static int catroot_dir(collect_catalogs *k, int fd, sk_buf *path, char sep)
{
    return each_dir(k, fd, NULL, path, sep, guid_dir);
}

static int system32_dir(collect_catalogs *k, int fd, sk_buf *path, char sep)
{
    return each_dir(k, fd, "CatRoot", path, sep, catroot_dir);
}

static int windows_dir(collect_catalogs *k, int fd, sk_buf *path, char sep)
{
    return each_dir(k, fd, "System32", path, sep, system32_dir);
}

int catalogs_load(collect_catalogs **out, int root_fd, const char *root, size_t root_len, char sep)
{
    *out = NULL;
    collect_catalogs *k = calloc(1, sizeof *k);
    if (!k) return sk_error_set(SK_ENOMEM, "out of memory");
    sk_buf path;
    sk_buf_init(&path, (size_t)1 << 20);
    int rc = sk_md_begin(&k->id, "sha256");
    if (!rc && sk_buf_append(&path, root, root_len)) rc = sk_error_set(SK_ENOMEM, "out of memory");
    if (!rc) rc = each_dir(k, root_fd, "Windows", &path, sep, windows_dir);
    sk_buf_free(&path);
    if (!rc) {
        uint8_t id[SK_MD_MAX];
        unsigned n = 0;
        rc = sk_md_end(k->id, id, &n);
        if (!rc) sk_hex(k->id_hex, id, n < 32 ? n : 32);
    }
    /* sorted, one record per digest: the verified catalogue first, then path order */
    for (unsigned a = 0; !rc && a < SK_CATALOG_ALGS; a++) {
        size_t rs = rec_size(a), ds = rs - 4, n = k->n_recs[a], w = 0;
        if (!n) continue;
        qsort(k->recs[a], n, rs, rec_cmp(ds));
        for (size_t i = 0; i < n; i++) {
            uint8_t *r = k->recs[a] + i * rs;
            if (w && !memcmp(k->recs[a] + (w - 1) * rs, r, ds)) continue;
            if (w != i) memmove(k->recs[a] + w * rs, r, rs);
            w++;
        }
        k->n_recs[a] = w;
    }
    if (rc) {
        catalogs_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

uint64_t catalogs_read(const collect_catalogs *k)
{
    return k ? k->n_cats : 0;
}

uint64_t catalogs_failed(const collect_catalogs *k)
{
    return k ? k->failed : 0;
}

uint64_t catalogs_members(const collect_catalogs *k)
{
    return k ? k->members : 0;
}

unsigned catalogs_algorithms(const collect_catalogs *k)
{
    unsigned m = 0;
    for (unsigned a = 0; k && a < SK_CATALOG_ALGS; a++)
        if (k->n_recs[a]) m |= 1u << a;
    return m;
}

const char *catalogs_id(const collect_catalogs *k)
{
    return k && k->n_cats ? k->id_hex : NULL;
}

size_t catalogs_failures(const collect_catalogs *k)
{
    return k ? k->n_fails : 0;
}

void catalogs_failure(const collect_catalogs *k, size_t i, const char **path, size_t *plen, const char **op, const char **msg)
{
    const failure *f = &k->fails[i];
    *path = f->path, *plen = f->path_len, *op = f->op, *msg = f->msg;
}

int catalogs_find(const collect_catalogs *k, unsigned alg, const uint8_t *digest, catalog_hit *hit)
{
    if (!k || alg >= SK_CATALOG_ALGS || !k->n_recs[alg]) return 0;
    size_t rs = rec_size(alg), ds = rs - 4;
    const uint8_t *r = bsearch(digest, k->recs[alg], k->n_recs[alg], rs, key_cmp(ds));
    if (!r) return 0;
    uint32_t tail = (uint32_t)r[ds] << 24 | (uint32_t)r[ds + 1] << 16 | (uint32_t)r[ds + 2] << 8 | r[ds + 3];
    const cat_rec *c = &k->cats[tail & 0x7fffffffu];
    *hit = (catalog_hit){c->path, c->path_len, c->signer_subject, c->signer_issuer, c->verified};
    return 1;
}

void catalogs_free(collect_catalogs *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n_cats; i++) {
        free(k->cats[i].path);
        free(k->cats[i].signer_subject);
        free(k->cats[i].signer_issuer);
    }
    free(k->cats);
    for (unsigned a = 0; a < SK_CATALOG_ALGS; a++) free(k->recs[a]);
    for (size_t i = 0; i < k->n_fails; i++) {
        free(k->fails[i].path);
        free(k->fails[i].msg);
    }
    free(k->fails);
    sk_md_free(k->id);
    free(k);
}
