/*
 * collect.c - the inventory collector (sakimori/collect.h, docs/collect.md).
 *
 * One walker (this thread) and a pool of hashing workers. The walker reads each
 * directory through a handle (never by path, never following a symlink), sorts its
 * entries, stats them and opens regular files itself, so a worker only reads from a
 * descriptor it was handed: nothing can redirect it out of the root. Hard-linked
 * inodes are read once. Every output line has a sequence number in walk order;
 * workers finish out of order into a bounded ring and whoever completes the line at
 * its head writes the ready run, so the snapshot is in walk order and memory is
 * bounded by the ring whatever the tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/collect.h>
#include <sakimori/digest.h>
#include <sakimori/elf.h>
#include <sakimori/inventory.h>
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
#define CHUNK ((size_t)64 << 10)       /* reads while hashing: small copies into a cache-hot buffer (measured: 64K beats 256K by 25% on /usr) */
#define MAX_DEPTH 384
#define LINE_MAX_BYTES ((size_t)8 << 20)

/* ---- per-thread working state --------------------------------------------------- */

typedef struct ctx {
    uint8_t *hold;      /* HOLD_MAX: the start of an executable, for the parsers */
    uint8_t *chunk;     /* CHUNK: streaming reads */
    EVP_MD_CTX *md[3];
    sk_arena *arena;
    struct ctx *next;
} ctx;

typedef struct slot {
    sk_buf line;
    int state; /* 0 free, 1 reserved, 2 ready */
} slot;

struct sk_collector {
    const sk_collect_options *opt;
    FILE *out;
    sk_collect_summary *sum;
    pthread_mutex_t mu;
    pthread_cond_t space;
    slot *ring;
    uint64_t next_seq, next_out;
    int write_error;
    ctx *free_ctx;
    pthread_mutex_t ctx_mu;
    const EVP_MD *md_md5, *md_sha1, *md_sha256;
    uint64_t files, bytes_hashed, errors; /* under mu */
    uint64_t bytes_seen;                  /* sizes of the files done, for the ETA (under mu) */
    uint64_t bytes_estimate;              /* the file system's used bytes when the root is its top, else 0 */
    sk_yara *yara;
    sk_cache *cache;
};

static ctx *ctx_get(sk_collector *c)
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
    for (int i = 0; i < 3; i++) x->md[i] = EVP_MD_CTX_new();
    if (!x->hold || !x->chunk || !x->md[0] || !x->md[1] || !x->md[2] || sk_arena_new(&x->arena, 0, (size_t)256 << 20)) {
        free(x->hold);
        free(x->chunk);
        for (int i = 0; i < 3; i++) EVP_MD_CTX_free(x->md[i]);
        free(x);
        return NULL;
    }
    return x;
}

static void ctx_put(sk_collector *c, ctx *x)
{
    pthread_mutex_lock(&c->ctx_mu);
    x->next = c->free_ctx;
    c->free_ctx = x;
    pthread_mutex_unlock(&c->ctx_mu);
}

static void ctx_free_all(sk_collector *c)
{
    for (ctx *x = c->free_ctx, *n; x; x = n) {
        n = x->next;
        free(x->hold);
        free(x->chunk);
        for (int i = 0; i < 3; i++) EVP_MD_CTX_free(x->md[i]);
        sk_arena_free(x->arena);
        free(x);
    }
    c->free_ctx = NULL;
}

/* ---- the ordered output ------------------------------------------------------------ */

static uint64_t reserve(sk_collector *c)
{
    pthread_mutex_lock(&c->mu);
    while (c->next_seq - c->next_out >= RING) pthread_cond_wait(&c->space, &c->mu);
    uint64_t seq = c->next_seq++;
    c->ring[seq % RING].state = 1;
    pthread_mutex_unlock(&c->mu);
    return seq;
}

/* The line for `seq` is in its slot: mark it ready and write every ready line at the head. */
static void publish(sk_collector *c, uint64_t seq)
{
    pthread_mutex_lock(&c->mu);
    c->ring[seq % RING].state = 2;
    int moved = 0;
    for (;;) {
        slot *s = &c->ring[c->next_out % RING];
        if (c->next_out == c->next_seq || s->state != 2) break;
        if (!c->write_error && s->line.len && fwrite(s->line.data, 1, s->line.len, c->out) != s->line.len)
            c->write_error = errno ? errno : EIO;
        sk_buf_reset(&s->line);
        s->state = 0;
        c->next_out++;
        moved = 1;
    }
    if (moved) pthread_cond_broadcast(&c->space);
    pthread_mutex_unlock(&c->mu);
}

static sk_buf *line_of(sk_collector *c, uint64_t seq)
{
    return &c->ring[seq % RING].line;
}

/* One more file in the snapshot, of `size` bytes. */
static void count_file(sk_collector *c, uint64_t size, uint64_t hashed)
{
    pthread_mutex_lock(&c->mu);
    c->files++;
    c->bytes_seen += size;
    c->bytes_hashed += hashed;
    pthread_mutex_unlock(&c->mu);
}

/* ---- pieces of a line -------------------------------------------------------------- */

void sk_collect_kv_time(sk_jw *w, const char *key, sk_time t)
{
    if (t == SK_TIME_NONE) return;
    char b[SK_TIME_ISO_MAX];
    size_t n = sk_time_format(b, t, 9);
    /* drop trailing zeros of the fraction, and the point when nothing is left */
    if (n > 2 && b[n - 1] == 'Z') {
        size_t e = n - 1;
        char *dot = memchr(b, '.', n);
        if (dot) {
            while (e > (size_t)(dot - b) + 1 && b[e - 1] == '0') e--;
            if (e == (size_t)(dot - b) + 1) e--;
            b[e] = 'Z';
            b[e + 1] = '\0';
        }
    }
    sk_jw_kv_string(w, key, b);
}

/* Append an error line to b (a slot's buffer: errors follow their file's line). */
static void append_error(sk_collector *c, sk_buf *b, const char *path, size_t plen, const char *op, const char *msg)
{
    size_t mark = b->len;
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "error");
    sk_jw_key(&w, "path");
    sk_jw_stringn(&w, path, plen);
    sk_jw_kv_string(&w, "op", op);
    sk_jw_kv_string(&w, "error", msg);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(b, '\n')) sk_buf_truncate(b, mark);
    pthread_mutex_lock(&c->mu);
    c->errors++;
    pthread_mutex_unlock(&c->mu);
}

static void error_line(sk_collector *c, const char *path, size_t plen, const char *op, const char *msg)
{
    uint64_t seq = reserve(c);
    sk_buf *b = line_of(c, seq);
    append_error(c, b, path, plen, op, msg);
    publish(c, seq);
}

static void file_common(sk_jw *w, const char *path, size_t plen, const sk_os_stat *st)
{
    sk_jw_kv_string(w, "type", "file");
    sk_jw_key(w, "path");
    sk_jw_stringn(w, path, plen);
    sk_jw_kv_u64(w, "size", st->size);
    sk_collect_kv_time(w, "mtime", st->mtime);
    sk_collect_kv_time(w, "ctime", st->ctime);
    sk_collect_kv_time(w, "crtime", st->crtime);
    char mode[12];
    snprintf(mode, sizeof mode, "0%03o", st->mode);
    sk_jw_kv_string(w, "mode", mode);
    sk_jw_kv_u64(w, "uid", st->uid);
    sk_jw_kv_u64(w, "gid", st->gid);
    if (st->owner[0]) sk_jw_kv_string(w, "owner", st->owner);
    sk_jw_kv_u64(w, "inode", st->ino);
    sk_jw_kv_u64(w, "nlink", st->nlink);
}

/* On a Windows volume mounted with ntfs-3g, the owner SID from the file's security
 * descriptor (the system.ntfs_acl attribute); nothing elsewhere. */
static void ntfs_owner(const sk_collect_options *o, int dirfd, const char *name, sk_os_stat *st)
{
    st->owner[0] = '\0';
    if (!o->windows_root || st->type != SK_OS_REG) return;
    uint8_t sd[16384];
    ssize_t n = sk_os_xattr_at(dirfd, name, "system.ntfs_acl", sd, sizeof sd);
    char sid[SK_SID_MAX];
    if (n > 0 && !sk_sd_owner(sd, (size_t)n, sid)) snprintf(st->owner, sizeof st->owner, "%s", sid);
}

/* One of our own files (the snapshot, the cache) met by a live walk: not evidence. */
static int is_ours(const sk_collect_options *o, const sk_os_stat *st)
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

sk_file_kind sk_collect_kind(const uint8_t *d, size_t n, const char *name, size_t name_len)
{
    if (sk_pe_is_pe(d, n)) return SK_KIND_PE;
    if (sk_elf_is_elf(d, n)) return SK_KIND_ELF;
    if (n >= 4) {
        uint32_t be = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
        if (be == 0xFEEDFACE || be == 0xFEEDFACF || be == 0xCEFAEDFE || be == 0xCFFAEDFE) return SK_KIND_MACHO;
        /* universal binaries share 0xCAFEBABE with Java classes: a Mach-O has few architectures */
        if (be == 0xCAFEBABE && n >= 8) {
            uint32_t narch = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
            if (narch > 0 && narch < 20) return SK_KIND_MACHO;
        }
    }
    if (ext_is(name, name_len, script_exts)) return SK_KIND_SCRIPT;
    if (ext_is(name, name_len, doc_exts)) return SK_KIND_DOCUMENT;
    return SK_KIND_OTHER;
}

/* ---- a file, in a worker ----------------------------------------------------------- */

typedef struct job {
    sk_collector *c;
    uint64_t seq;
    int fd;
    sk_os_stat st;
    size_t plen;
    char *cache_key; /* NULL without a cache */
    char path[];
} job;

typedef struct pread_image {
    int fd;
    uint8_t *buf;
    size_t cap;
} pread_image;

/* Authenticode digest of a file too large to hold: pread the ranges. */
static int pread_digest(void *vctx, const sk_pe_layout *lay, const char *md_name, uint8_t *out, unsigned *outlen)
{
    pread_image *im = vctx;
    const EVP_MD *md = EVP_get_digestbyname(md_name);
    EVP_MD_CTX *m = md ? EVP_MD_CTX_new() : NULL;
    if (!m) return -1;
    uint64_t ranges[3][2] = {{0, lay->checksum_off},
                             {lay->checksum_off + 4, lay->certdir_off},
                             {lay->certdir_off + 8, lay->cert_off}};
    int ok = EVP_DigestInit_ex(m, md, NULL);
    for (int r = 0; r < 3 && ok; r++)
        for (uint64_t o = ranges[r][0]; o < ranges[r][1] && ok;) {
            size_t want = ranges[r][1] - o < im->cap ? (size_t)(ranges[r][1] - o) : im->cap;
            ssize_t got = sk_os_pread(im->fd, im->buf, want, o);
            if (got <= 0) ok = 0;
            else {
                ok = EVP_DigestUpdate(m, im->buf, (size_t)got);
                o += (uint64_t)got;
            }
        }
    ok = ok && EVP_DigestFinal_ex(m, out, outlen);
    EVP_MD_CTX_free(m);
    return ok ? 0 : -1;
}

static void file_job(void *arg)
{
    job *j = arg;
    sk_collector *c = j->c;
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
    sk_os_stat st;
    if (sk_os_fstat(j->fd, &st)) {
        errop = "stat";
        snprintf(errbuf, sizeof errbuf, "%s", sk_error_last());
        goto fail;
    }
    memcpy(st.owner, j->st.owner, sizeof st.owner); /* read by the walk */
    if (st.ino != j->st.ino || st.dev != j->st.dev || st.type != SK_OS_REG) {
        errop = "open";
        snprintf(errbuf, sizeof errbuf, "the file changed between the walk and the read");
        goto fail;
    }
    if (st.size > (1u << 20)) sk_os_advise_sequential(j->fd);
    /* the first chunk says what the file is */
    size_t held = 0;
    ssize_t r = sk_os_read(j->fd, x->hold, CHUNK < HOLD_MAX ? CHUNK : HOLD_MAX);
    if (r < 0) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
        goto fail;
    }
    held = (size_t)r;
    sk_file_kind kind = sk_collect_kind(x->hold, held, base, base_len);
    int exec = kind == SK_KIND_PE || kind == SK_KIND_ELF || kind == SK_KIND_MACHO || kind == SK_KIND_SCRIPT;
    /* a PE is kept whole (up to HOLD_MAX) for its parser and signature; an ELF's
     * identity lies in its first chunk; everything else streams through a small buffer
     * that stays in the cache */
    int parse = kind == SK_KIND_PE;
    unsigned which = (exec || st.size <= o->hash_limit) ? o->digests : 0;
    const EVP_MD *mds[3] = {c->md_md5, c->md_sha1, c->md_sha256};
    unsigned bits[3] = {SK_DIGEST_MD5, SK_DIGEST_SHA1, SK_DIGEST_SHA256};
    int ok = 1;
    for (int i = 0; i < 3 && ok; i++)
        if (which & bits[i]) ok = EVP_DigestInit_ex(x->md[i], mds[i], NULL) && (!held || EVP_DigestUpdate(x->md[i], x->hold, held));
    uint64_t total = held;
    int whole = 1; /* the file fits in hold */
    /* a regular file's read comes back short only at its end: no second read for the
     * many files smaller than one chunk */
    if (which && (size_t)r == CHUNK) {
        for (;;) {
            uint8_t *dst;
            size_t cap;
            if (parse && held + CHUNK <= HOLD_MAX) {
                dst = x->hold + held, cap = CHUNK;
            } else {
                dst = x->chunk, cap = CHUNK;
            }
            ssize_t n = sk_os_read(j->fd, dst, cap);
            if (n < 0) {
                errop = "read";
                snprintf(errbuf, sizeof errbuf, "%s", strerror(errno));
                goto fail;
            }
            if (n == 0) break;
            if (dst == x->hold + held)
                held += (size_t)n;
            else
                whole = 0;
            total += (uint64_t)n;
            for (int i = 0; i < 3 && ok; i++)
                if (which & bits[i]) ok = EVP_DigestUpdate(x->md[i], dst, (size_t)n);
        }
    } else if ((size_t)r == CHUNK && (uint64_t)held < st.size) {
        whole = 0;
    }
    if (!ok) {
        errop = "read";
        snprintf(errbuf, sizeof errbuf, "digest failed");
        goto fail;
    }
    uint8_t dg[3][32];
    unsigned dlen[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++)
        if (which & bits[i]) EVP_DigestFinal_ex(x->md[i], dg[i], &dlen[i]);
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
                    if (cert && sk_os_pread(j->fd, cert, (size_t)lay.cert_size, lay.cert_off) == (ssize_t)lay.cert_size)
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
    sk_strlist yara = {0};
    char yerr[160] = "";
    int yara_failed = 0;
    if (c->yara)
        yara_failed = sk_yara_scan(c->yara, j->fd, whole ? x->hold : NULL, whole ? held : 0, x->arena, &yara, yerr, sizeof yerr);
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
    sk_collect_content_write(&cw, kind, which & SK_DIGEST_MD5 ? dg[0] : NULL, which & SK_DIGEST_SHA1 ? dg[1] : NULL,
                             which & SK_DIGEST_SHA256 ? dg[2] : NULL, have_pe ? &pe : NULL, have_pe ? &sig : NULL,
                             have_elf ? &elf : NULL, c->yara ? &yara : NULL);
    sk_jw_object_end(&cw);
    /* splice the content members (without their braces) into the line: sk_jw_raw
     * writes the separating comma as for any member */
    if (!sk_jw_error(&cw) && content.len > 2) sk_jw_raw(&w, content.data + 1, content.len - 2);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_jw_error(&cw)) {
        sk_buf_reset(b);
        sk_buf_free(&content);
        errop = "parse";
        snprintf(errbuf, sizeof errbuf, "the record does not fit in %zu bytes", LINE_MAX_BYTES);
        goto fail;
    }
    sk_buf_putc(b, '\n');
    if (yara_failed) append_error(c, b, j->path, j->plen, "yara", yerr);
    if (c->cache && j->cache_key && which && !yara_failed) sk_cache_put(c->cache, j->cache_key, content.data, content.len);
    sk_buf_free(&content);
    count_file(c, st.size, which ? total : 0);
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
        count_file(c, j->st.size, 0);
        publish(c, j->seq);
    }
done:
    if (x) ctx_put(c, x);
    sk_os_close(j->fd);
    free(j->cache_key);
    free(j);
}

void sk_collect_content_write(sk_jw *w, sk_file_kind kind, const uint8_t *md5, const uint8_t *sha1, const uint8_t *sha256,
                              const sk_pe_identity *pe, const sk_signature *sig, const sk_elf_identity *elf,
                              const sk_strlist *yara)
{
    char hex[65];
    sk_jw_kv_string(w, "kind", sk_file_kind_name(kind));
    if (md5) {
        sk_hex(hex, md5, 16);
        sk_jw_kv_string(w, "md5", hex);
    }
    if (sha1) {
        sk_hex(hex, sha1, 20);
        sk_jw_kv_string(w, "sha1", hex);
    }
    if (sha256) {
        sk_hex(hex, sha256, 32);
        sk_jw_kv_string(w, "sha256", hex);
    }
    if (pe) {
        sk_pe_top_strings_write(w, pe);
        sk_jw_key(w, "pe");
        sk_pe_identity_write(w, pe);
    }
    if (elf) {
        sk_jw_key(w, "elf");
        sk_elf_identity_write(w, elf);
    }
    if (sig) {
        sk_jw_key(w, "signature");
        sk_signature_write(w, sig);
    }
    if (yara) {
        sk_jw_key(w, "yara");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < yara->n; i++) sk_jw_string(w, yara->v[i]);
        sk_jw_array_end(w);
    }
}

typedef struct iflist {
    sk_buf addrs, macs;
    int na, nm;
} iflist;

static void on_if(void *arg, int mac, const char *text)
{
    iflist *l = arg;
    sk_buf *b = mac ? &l->macs : &l->addrs;
    int *n = mac ? &l->nm : &l->na;
    /* a MAC shared by several addresses is listed once */
    if (mac && l->macs.len && strstr(l->macs.data, text)) return;
    if (*n) sk_buf_putc(b, ',');
    sk_json_escape(b, text, strlen(text));
    (*n)++;
    sk_buf_putc(b, '\0');
    b->len--;
}

void sk_collect_write_addresses(sk_jw *w)
{
    iflist l = {.na = 0, .nm = 0};
    sk_buf_init(&l.addrs, 1 << 16);
    sk_buf_init(&l.macs, 1 << 16);
    sk_os_interfaces(on_if, &l);
    sk_jw_key(w, "addresses");
    sk_jw_array_begin(w);
    if (l.na) sk_jw_raw(w, l.addrs.data, l.addrs.len);
    sk_jw_array_end(w);
    sk_jw_key(w, "macs");
    sk_jw_array_begin(w);
    if (l.nm) sk_jw_raw(w, l.macs.data, l.macs.len);
    sk_jw_array_end(w);
    sk_buf_free(&l.addrs);
    sk_buf_free(&l.macs);
}

/* ---- the walk ---------------------------------------------------------------------- */

typedef struct frame {
    int fd;
    sk_os_names names;
    size_t next;
    size_t path_len; /* the display path's length at this directory */
    sk_os_stat *st;  /* the entries' metadata, read ahead in parallel (NULL: read one by one) */
    char **err;      /* per entry: why its metadata could not be read, or NULL */
    char **line;     /* per entry: its whole line when the cache knew it (read ahead), or NULL */
    size_t *line_len;
} frame;

static void format_cached(sk_buf *b, const char *path, size_t plen, const sk_os_stat *st, const char *content, size_t n);

/* ---- metadata read ahead: a directory's entries stat'ed by the walker and a helper
 * thread at once (an incremental rescan does little else) */

typedef struct stat_batch {
    int dirfd;
    frame *f;
    size_t from, to;
    /* for cache hits: the directory's display path, the separator, the cache */
    const char *prefix;
    size_t prefix_len;
    char sep;
    sk_cache *cache;
    const char *fsid;
    const sk_collect_options *opt;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *pending;
} stat_batch;

/* Metadata of entries [from, to), and for the files the cache knows (one name, not
 * ours) their whole line: what a rescan does, on two threads. */
static void stat_range(const stat_batch *b)
{
    frame *f = b->f;
    sk_buf path, line;
    sk_buf_init(&path, 1 << 20);
    sk_buf_init(&line, LINE_MAX_BYTES);
    for (size_t i = b->from; i < b->to; i++) {
        if (sk_os_stat_at(b->dirfd, f->names.names[i], &f->st[i])) {
            f->err[i] = strdup(sk_error_last());
            continue;
        }
        ntfs_owner(b->opt, b->dirfd, f->names.names[i], &f->st[i]);
        const sk_os_stat *st = &f->st[i];
        if (!b->cache || st->type != SK_OS_REG || st->nlink != 1) continue;
        if (is_ours(b->opt, st)) continue;
        char *key = sk_cache_key(b->fsid, st);
        size_t n;
        const char *hit = key ? sk_cache_get(b->cache, key, &n) : NULL;
        free(key);
        if (!hit) continue;
        sk_buf_reset(&path);
        sk_buf_append(&path, b->prefix, b->prefix_len);
        if (!(b->prefix_len && b->prefix[b->prefix_len - 1] == b->sep)) sk_buf_putc(&path, b->sep);
        if (sk_buf_puts(&path, f->names.names[i])) continue;
        sk_buf_reset(&line);
        format_cached(&line, path.data, path.len, st, hit, n);
        if (line.len && (f->line[i] = malloc(line.len))) {
            memcpy(f->line[i], line.data, line.len);
            f->line_len[i] = line.len;
        }
    }
    sk_buf_free(&path);
    sk_buf_free(&line);
}

static void stat_job(void *arg)
{
    stat_batch *b = arg;
    stat_range(b);
    pthread_mutex_lock(b->mu);
    if (--*b->pending == 0) pthread_cond_signal(b->cv);
    pthread_mutex_unlock(b->mu);
}

static void frame_free_ahead(frame *f)
{
    for (size_t i = 0; i < f->names.n; i++) {
        if (f->err) free(f->err[i]);
        if (f->line) free(f->line[i]);
    }
    free(f->err);
    free(f->st);
    free(f->line);
    free(f->line_len);
    f->err = NULL;
    f->st = NULL;
    f->line = NULL;
    f->line_len = NULL;
}

typedef struct walk {
    sk_collector *c;
    sk_pool *pool;
    sk_pool *helpers;  /* metadata read-ahead */
    pthread_mutex_t ahead_mu;
    pthread_cond_t ahead_cv;
    sk_buf path;     /* display path of the current entry */
    char sep;
    uint64_t root_dev;
    sk_map *links;   /* "dev:ino" -> first path, for hard-linked files */
    char fsid[80];
    sk_collect_summary *sum;
} walk;

static void link_key(char out[48], const sk_os_stat *st)
{
    snprintf(out, 48, "%llx:%llx", (unsigned long long)st->dev, (unsigned long long)st->ino);
}

/* The line of a later path of an inode already read. */
static void hardlink_line(sk_collector *c, const char *path, size_t plen, const sk_os_stat *st, const char *first)
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
    count_file(c, st->size, 0);
    publish(c, seq);
}

/* A file the cache knows: the stored content members, no read. */
static void format_cached(sk_buf *b, const char *path, size_t plen, const sk_os_stat *st, const char *content, size_t n)
{
    size_t mark = b->len;
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    file_common(&w, path, plen, st);
    if (n > 2) sk_jw_raw(&w, content + 1, n - 2);
    sk_jw_kv_bool(&w, "cached", 1);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(b, '\n')) sk_buf_truncate(b, mark);
}

static void cached_line(sk_collector *c, const char *path, size_t plen, const sk_os_stat *st, const char *content, size_t n)
{
    uint64_t seq = reserve(c);
    format_cached(line_of(c, seq), path, plen, st, content, n);
    count_file(c, st->size, 0);
    publish(c, seq);
}

static int push_dir(walk *wk, frame *stack, size_t *depth, int fd)
{
    frame *f = &stack[*depth];
    memset(f, 0, sizeof *f);
    f->fd = fd;
    f->path_len = wk->path.len;
    int rc = sk_os_read_names(fd, &f->names);
    if (rc) error_line(wk->c, wk->path.data, wk->path.len, "readdir", sk_error_last());
    (*depth)++;
    wk->sum->dirs++;
    size_t n = f->names.n;
    if (n >= 32 && wk->helpers) {
        f->st = malloc(n * sizeof *f->st);
        f->err = calloc(n, sizeof *f->err);
        f->line = calloc(n, sizeof *f->line);
        f->line_len = calloc(n, sizeof *f->line_len);
        if (!f->st || !f->err || !f->line || !f->line_len) {
            frame_free_ahead(f);
            return 0; /* read one by one */
        }
        unsigned h = sk_pool_threads(wk->helpers);
        size_t share = n / (h + 1), from = share; /* the walker keeps the first share */
        stat_batch b[17];
        int pending = 0;
        stat_batch proto = {.dirfd = fd, .f = f, .prefix = wk->path.data, .prefix_len = wk->path.len, .sep = wk->sep,
                            .cache = wk->c->cache, .fsid = wk->fsid, .opt = wk->c->opt, .mu = &wk->ahead_mu,
                            .cv = &wk->ahead_cv, .pending = &pending};
        for (unsigned k = 0; k < h && k < 16; k++) {
            size_t to = k + 1 == h || k + 1 == 16 ? n : from + share;
            b[k] = proto;
            b[k].from = from, b[k].to = to;
            pthread_mutex_lock(&wk->ahead_mu);
            pending++;
            pthread_mutex_unlock(&wk->ahead_mu);
            if (sk_pool_submit(wk->helpers, stat_job, &b[k])) {
                pthread_mutex_lock(&wk->ahead_mu);
                pending--;
                pthread_mutex_unlock(&wk->ahead_mu);
                stat_range(&b[k]);
            }
            from = to;
        }
        b[16] = proto;
        b[16].from = 0, b[16].to = share;
        stat_range(&b[16]);
        pthread_mutex_lock(&wk->ahead_mu);
        while (pending) pthread_cond_wait(&wk->ahead_cv, &wk->ahead_mu);
        pthread_mutex_unlock(&wk->ahead_mu);
    }
    return 0;
}

static int walk_tree(walk *wk, int root_fd)
{
    sk_collector *c = wk->c;
    frame *stack = calloc(MAX_DEPTH, sizeof *stack);
    if (!stack) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t depth = 0;
    push_dir(wk, stack, &depth, root_fd);
    int rc = 0;
    while (depth && !rc) {
        if (c->opt->stop && *c->opt->stop) {
            rc = sk_error_set(SK_EIO, "interrupted: the snapshot is incomplete");
            break;
        }
        frame *f = &stack[depth - 1];
        if (f->next == f->names.n) {
            if (depth > 1) sk_os_close(f->fd);
            frame_free_ahead(f);
            sk_os_names_free(&f->names);
            depth--;
            continue;
        }
        size_t idx = f->next++;
        const char *name = f->names.names[idx];
        sk_buf_truncate(&wk->path, f->path_len);
        if (!(f->path_len && wk->path.data[f->path_len - 1] == wk->sep)) sk_buf_putc(&wk->path, wk->sep);
        if ((rc = sk_buf_puts(&wk->path, name))) {
            error_line(c, wk->path.data, f->path_len, "stat", "path too long");
            rc = 0;
            continue;
        }
        sk_os_stat st;
        if (f->st) {
            if (f->err[idx]) {
                error_line(c, wk->path.data, wk->path.len, "stat", f->err[idx]);
                continue;
            }
            st = f->st[idx];
            if (f->line[idx]) { /* a cache hit, its line made on the read-ahead */
                uint64_t seq = reserve(c);
                sk_buf_append(line_of(c, seq), f->line[idx], f->line_len[idx]);
                wk->sum->cached++;
                count_file(c, st.size, 0);
                publish(c, seq);
                continue;
            }
        } else if (sk_os_stat_at(f->fd, name, &st)) {
            error_line(c, wk->path.data, wk->path.len, "stat", sk_error_last());
            continue;
        } else {
            ntfs_owner(c->opt, f->fd, name, &st);
        }
        if (st.type == SK_OS_LNK) { /* never followed */
            wk->sum->symlinks++;
            continue;
        }
        if (st.type == SK_OS_OTHER) { /* devices, FIFOs, sockets: not files to read */
            wk->sum->special++;
            continue;
        }
        if (st.type == SK_OS_DIR) {
            if (st.dev != wk->root_dev && !c->opt->cross_fs) {
                wk->sum->other_fs++;
                continue;
            }
            if (depth >= MAX_DEPTH) {
                error_line(c, wk->path.data, wk->path.len, "readdir", "directory nesting deeper than 384: not descended");
                continue;
            }
            int fd;
            if (sk_os_open_dir_at(f->fd, name, &fd)) {
                error_line(c, wk->path.data, wk->path.len, "open", sk_error_last());
                continue;
            }
            push_dir(wk, stack, &depth, fd);
            continue;
        }
        /* a regular file; our own output is not evidence */
        if (is_ours(c->opt, &st)) continue;
        if (st.nlink > 1) {
            char key[48];
            link_key(key, &st);
            const char *first = sk_map_get(wk->links, key, strlen(key));
            if (first) {
                wk->sum->hardlinks++;
                hardlink_line(c, wk->path.data, wk->path.len, &st, first);
                continue;
            }
            char *copy = strndup(wk->path.data, wk->path.len);
            if (!copy || sk_map_put(wk->links, key, strlen(key), copy, NULL)) {
                free(copy);
                rc = sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
        }
        char *cache_key = NULL;
        if (c->cache) {
            cache_key = sk_cache_key(wk->fsid, &st);
            size_t n;
            const char *hit = cache_key ? sk_cache_get(c->cache, cache_key, &n) : NULL;
            if (hit) {
                wk->sum->cached++;
                cached_line(c, wk->path.data, wk->path.len, &st, hit, n); /* the get kept it */
                free(cache_key);
                continue;
            }
        }
        int fd;
        if (sk_os_open_file_at(f->fd, name, &fd)) {
            uint64_t seq = reserve(c);
            sk_buf *b = line_of(c, seq);
            sk_jw w;
            sk_jw_init(&w, b);
            sk_jw_object_begin(&w);
            file_common(&w, wk->path.data, wk->path.len, &st);
            sk_jw_object_end(&w);
            if (!sk_jw_error(&w)) sk_buf_putc(b, '\n');
            append_error(c, b, wk->path.data, wk->path.len, "open", sk_error_last());
            count_file(c, st.size, 0);
            publish(c, seq);
            free(cache_key);
            continue;
        }
        job *j = malloc(sizeof *j + wk->path.len + 1);
        if (!j) {
            sk_os_close(fd);
            free(cache_key);
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
        j->c = c;
        j->fd = fd;
        j->st = st;
        j->plen = wk->path.len;
        j->cache_key = cache_key;
        memcpy(j->path, wk->path.data, wk->path.len);
        j->path[wk->path.len] = '\0';
        j->seq = reserve(c);
        if ((rc = sk_pool_submit(wk->pool, file_job, j))) {
            sk_os_close(fd);
            free(cache_key);
            free(j);
            break;
        }
    }
    while (depth) { /* after an error: close what is open */
        frame *f = &stack[--depth];
        if (depth > 0) sk_os_close(f->fd);
        frame_free_ahead(f);
        sk_os_names_free(&f->names);
    }
    free(stack);
    return rc;
}

/* ---- header, end, progress ---------------------------------------------------------- */

static void write_header(sk_collector *c, sk_buf *b, sk_time started)
{
    const sk_collect_options *o = c->opt;
    sk_jw w;
    sk_jw_init(&w, b);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "snapshot");
    sk_jw_kv_string(&w, "schema", "sakimori/snapshot/1");
    sk_jw_key(&w, "host");
    sk_jw_object_begin(&w);
    if (o->live) {
        char name[256], os[128], ver[128];
        sk_os_host(name, sizeof name, os, sizeof os, ver, sizeof ver);
        sk_jw_kv_string(&w, "name", name);
        if (o->site) sk_jw_kv_string(&w, "site", o->site);
        if (o->region) sk_jw_kv_string(&w, "region", o->region);
        sk_jw_key(&w, "os");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "family", !strcmp(os, "Linux") ? "linux" : os);
        sk_jw_kv_string(&w, "name", os);
        sk_jw_kv_string(&w, "version", ver);
        sk_jw_object_end(&w);
        sk_collect_write_addresses(&w);
        sk_jw_kv_string(&w, "identity_source", "system");
    } else {
        sk_jw_kv_string(&w, "name", o->host);
        if (o->domain) sk_jw_kv_string(&w, "domain", o->domain);
        if (o->site) sk_jw_kv_string(&w, "site", o->site);
        if (o->region) sk_jw_kv_string(&w, "region", o->region);
        sk_jw_kv_string(&w, "identity_source", "flags");
    }
    sk_jw_object_end(&w);
    sk_jw_key(&w, "collector");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "name", "sakimori");
    sk_jw_kv_string(&w, "version", sk_version());
    sk_jw_key(&w, "options");
    sk_jw_array_begin(&w);
    for (int i = 1; i < o->argc; i++) sk_jw_string(&w, o->argv[i]);
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    sk_collect_kv_time(&w, "started", started);
    sk_jw_kv_string(&w, "root", o->root);
    if (o->windows_root) sk_jw_kv_string(&w, "windows_root", o->windows_root);
    sk_jw_object_end(&w);
    sk_buf_putc(b, '\n');
}

static sk_time now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (sk_time)t.tv_sec * SK_NS_PER_SEC + t.tv_nsec;
}

typedef struct progress {
    sk_collector *c;
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
    int rc = sk_os_open_root(opt->root, &root_fd);
    if (rc) return rc;
    sk_os_stat rst;
    if ((rc = sk_os_fstat(root_fd, &rst))) {
        sk_os_close(root_fd);
        return rc;
    }
    sk_collector *c = calloc(1, sizeof *c);
    if (!c) {
        sk_os_close(root_fd);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    c->opt = opt;
    c->out = out;
    c->sum = sum;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->space, NULL);
    pthread_mutex_init(&c->ctx_mu, NULL);
    c->md_md5 = EVP_md5();
    c->md_sha1 = EVP_sha1();
    c->md_sha256 = EVP_sha256();
    c->ring = calloc(RING, sizeof *c->ring);
    walk wk = {.c = c, .sum = sum, .sep = opt->windows_root ? '\\' : '/', .root_dev = rst.dev};
    sk_buf_init(&wk.path, 1 << 20);
    if (!c->ring) rc = sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t i = 0; i < RING && !rc; i++) sk_buf_init(&c->ring[i].line, LINE_MAX_BYTES * 2);
    if (!rc) rc = sk_map_new(&wk.links, 0);
    sk_os_fs_id(root_fd, wk.fsid);
    if (!rc && opt->yara_rules) rc = sk_yara_load(&c->yara, opt->yara_rules);
    if (!rc && opt->cache) rc = sk_cache_open(&c->cache, opt->cache, opt->digests, c->yara ? sk_yara_rules_id(c->yara) : "");
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
    }
    sk_time started = now();
    sk_buf head;
    sk_buf_init(&head, 1 << 20);
    if (!rc) {
        write_header(c, &head, started);
        if (fwrite(head.data, 1, head.len, out) != head.len) rc = sk_error_set(SK_EIO, "writing the snapshot: %s", strerror(errno));
    }
    sk_buf_free(&head);
    if (!rc) rc = sk_pool_new(&wk.pool, opt->threads, 64);
    unsigned cores = opt->threads ? opt->threads : sk_cpu_count();
    pthread_mutex_init(&wk.ahead_mu, NULL);
    pthread_cond_init(&wk.ahead_cv, NULL);
    if (!rc && cores > 1 && sk_pool_new(&wk.helpers, cores - 1 < 16 ? cores - 1 : 15, 16)) wk.helpers = NULL;
    if (opt->progress) c->bytes_estimate = sk_os_fs_used(root_fd, opt->root);
    progress pg = {.c = c};
    int pg_on = 0;
    if (!rc && opt->progress) {
        pthread_mutex_init(&pg.mu, NULL);
        pthread_cond_init(&pg.cv, NULL);
        pg_on = !pthread_create(&pg.th, NULL, progress_main, &pg);
    }
    int walk_rc = rc ? rc : walk_tree(&wk, root_fd);
    if (wk.pool) sk_pool_wait(wk.pool);
    sk_pool_free(wk.pool);
    sk_pool_free(wk.helpers);
    pthread_mutex_destroy(&wk.ahead_mu);
    pthread_cond_destroy(&wk.ahead_cv);
    if (pg_on) {
        pthread_mutex_lock(&pg.mu);
        pg.stop = 1;
        pthread_cond_signal(&pg.cv);
        pthread_mutex_unlock(&pg.mu);
        pthread_join(pg.th, NULL);
    }
    sum->files = c->files;
    sum->bytes_hashed = c->bytes_hashed;
    sum->errors = c->errors;
    if (!rc) {
        rc = walk_rc;
        sk_buf end;
        sk_buf_init(&end, 4096);
        sk_jw w;
        sk_jw_init(&w, &end);
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "type", "end");
        sk_collect_kv_time(&w, "finished", now());
        sk_jw_kv_u64(&w, "files", c->files);
        sk_jw_kv_u64(&w, "bytes_hashed", c->bytes_hashed);
        sk_jw_kv_u64(&w, "errors", c->errors);
        sk_jw_kv_bool(&w, "complete", walk_rc == 0);
        sk_jw_object_end(&w);
        sk_buf_putc(&end, '\n');
        if (!c->write_error && fwrite(end.data, 1, end.len, out) != end.len) c->write_error = errno ? errno : EIO;
        sk_buf_free(&end);
        if (fflush(out) && !c->write_error) c->write_error = errno ? errno : EIO;
        if (c->write_error && !rc) rc = sk_error_set(SK_EIO, "writing the snapshot: %s", strerror(c->write_error));
    }
    if (c->cache) {
        int crc = sk_cache_close(c->cache, rc == 0);
        if (!rc) rc = crc;
    }
    sk_yara_free(c->yara);
    if (wk.links) {
        size_t pos = 0, kl;
        const void *k;
        void *v;
        while (sk_map_next(wk.links, &pos, &k, &kl, &v)) free(v);
        sk_map_free(wk.links);
    }
    sk_buf_free(&wk.path);
    if (c->ring)
        for (size_t i = 0; i < RING; i++) sk_buf_free(&c->ring[i].line);
    free(c->ring);
    ctx_free_all(c);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->space);
    pthread_mutex_destroy(&c->ctx_mu);
    free(c);
    sk_os_close(root_fd);
    return rc;
}
