/*
 * inputs.c - event-log inputs as responders have them (sakimori/evtxdump.h,
 * docs/evtx.md "Inputs"): files, folders searched recursively, globs the shell did not
 * expand, "-" for standard input, and gzip or zstd files.
 *
 * A folder is walked through directory handles, entries sorted by name, never
 * following a symbolic link (a link or a loop inside evidence is not followed out of
 * it, and is said), FIFOs and devices skipped with a line each, files whose first
 * bytes are no event log (EVTX, JSON, gzip, zstd) counted and left. A compressed input
 * or standard input is copied, decompressed, into an unlinked temporary file (TMPDIR)
 * while its stored bytes are hashed, and read from there: every event still names the
 * input by the SHA-256 of what was stored, its locators are positions in the
 * decompressed bytes and say so ("decoded"). Decompression stops at a bound (a
 * compression bomb): 1 GiB or 1000 times the stored size, whichever is larger, at most
 * 64 GiB; what came before is still read and the input is marked incomplete.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/evtxdump.h>
#include <sakimori/file.h>

#include "evtx_int.h"

#define BOMB_MIN ((uint64_t)1 << 30)
#define BOMB_MAX ((uint64_t)64 << 30)
#define BOMB_RATIO 1000

/* ---- expanding arguments ---- */

/* "<path>: <what>[: <detail>]" to the caller's diagnostics. */
static void say(const sk_event_inputs_options *o, const char *path, const char *what, const char *detail)
{
    if (!o || !o->diag) return;
    char m[4600];
    snprintf(m, sizeof m, "%s: %s%s%s", path, what, detail ? ": " : "", detail ? detail : "");
    o->diag(o->diag_ctx, m);
}

static int push(sk_event_inputs *l, const char *path, int in_folder)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        char **np = realloc(l->paths, nc * sizeof *np);
        unsigned char *nf = realloc(l->in_folder, nc);
        if (np) l->paths = np;
        if (nf) l->in_folder = nf;
        if (!np || !nf) return sk_error_set(SK_ENOMEM, "out of memory");
        l->cap = nc;
    }
    char *c = strdup(path);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    l->paths[l->n] = c;
    l->in_folder[l->n++] = (unsigned char)in_folder;
    return 0;
}

/* What the first bytes of an open file say: 1 an event log or a compressed file, 0 not. */
static int looks_like_log(int fd)
{
    unsigned char b[64];
    ssize_t n;
    do n = pread(fd, b, sizeof b, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 8 && !memcmp(b, "ElfFile", 8)) return 1;
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return 1;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return 1;
    for (ssize_t i = 0; i < n; i++) {
        if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') continue;
        if (b[i] == 0xEF && i + 2 < n && b[i + 1] == 0xBB && b[i + 2] == 0xBF) {
            i += 2;
            continue;
        }
        return b[i] == '{' || b[i] == '[';
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder, recursively: event logs found by content, in name order. */
static int walk(sk_event_inputs *l, int dfd, const char *path, int depth, const sk_event_inputs_options *o)
{
    if (depth > 256) {
        say(o, path, "folders nested deeper than 256: not searched further", NULL);
        close(dfd);
        return 0;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        say(o, path, "cannot read the folder", strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = sk_dir_names(dirfd(d), &names, &n);
    if (rc == SK_EIO) {
        say(o, path, "cannot read the folder", sk_error_last());
        closedir(d);
        return 0;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char *child = NULL;
        size_t pl = strlen(path);
        while (pl > 1 && path[pl - 1] == '/') pl--; /* "logs/" names its files logs/x, not logs//x */
        if (asprintf(&child, "%.*s/%s", (int)pl, path, names[i]) < 0) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW)) {
            say(o, child, "cannot stat", strerror(errno));
            l->unreadable++;
        } else if (S_ISLNK(st.st_mode)) {
            say(o, child, "a symbolic link inside the folder: not followed", NULL);
            l->links++;
        } else if (S_ISDIR(st.st_mode)) {
            int cfd = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cfd < 0) {
                say(o, child, "cannot open the folder", strerror(errno));
                l->unreadable++;
            } else {
                rc = walk(l, cfd, child, depth + 1, o);
            }
        } else if (!S_ISREG(st.st_mode)) {
            say(o, child, "not a regular file (a FIFO, socket or device): skipped", NULL);
            l->special++;
        } else {
            int fd;
            sk_file_info fi;
            if (sk_file_open(dirfd(d), names[i], SK_FILE_NOFOLLOW, &fd, &fi)) {
                say(o, child, sk_error_last(), NULL);
                l->unreadable++;
            } else {
                if ((o && o->any_file) || looks_like_log(fd)) rc = push(l, child, 1);
                else l->not_logs++;
                close(fd);
            }
        }
        free(child);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

static int has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

int sk_event_inputs_expand(char *const *args, size_t n, const sk_event_inputs_options *o, sk_event_inputs *out)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *a = args[i];
        struct stat st;
        if (!strcmp(a, "-")) {
            rc = push(out, a, 0);
        } else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
            int dfd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
            if (dfd < 0) {
                say(o, a, "cannot open the folder", strerror(errno));
                out->unreadable++;
                continue;
            }
            size_t before = out->n;
            rc = walk(out, dfd, a, 0, o);
            if (!rc && out->n == before) { /* asked for, and nothing there: an input not read */
                say(o, a, "no event log in this folder", NULL);
                out->unreadable++;
            }
        } else if (has_glob(a) && lstat(a, &st) != 0) { /* a pattern the shell left alone */
            glob_t g;
            int gr = glob(a, GLOB_NOSORT, NULL, &g);
            if (gr == GLOB_NOMATCH || (gr == 0 && !g.gl_pathc)) {
                say(o, a, "no file matches", NULL);
                out->unreadable++;
            } else if (gr) {
                say(o, a, "cannot expand the pattern", NULL);
                out->unreadable++;
            } else {
                qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, by_name);
                for (size_t k = 0; k < g.gl_pathc && !rc; k++) {
                    struct stat gs;
                    if (stat(g.gl_pathv[k], &gs) == 0 && S_ISDIR(gs.st_mode)) {
                        int dfd = open(g.gl_pathv[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
                        if (dfd >= 0) rc = walk(out, dfd, g.gl_pathv[k], 0, o);
                    } else {
                        rc = push(out, g.gl_pathv[k], 0);
                    }
                }
            }
            globfree(&g);
        } else {
            rc = push(out, a, 0); /* opened (and refused if need be) when it is read */
        }
    }
    if (!rc && out->not_logs && o && o->diag) {
        char m[200];
        snprintf(m, sizeof m, "%llu file%s in the folders given %s no event log (not EVTX, JSON, gzip or zstd): skipped",
                 (unsigned long long)out->not_logs, out->not_logs == 1 ? "" : "s", out->not_logs == 1 ? "is" : "are");
        o->diag(o->diag_ctx, m);
    }
    if (rc) sk_event_inputs_free(out);
    return rc;
}

void sk_event_inputs_free(sk_event_inputs *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) free(l->paths[i]);
    free(l->paths);
    free(l->in_folder);
    memset(l, 0, sizeof *l);
}

/* ---- standard input and compressed inputs, into a temporary file ---- */

static int tmp_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    char *t = NULL;
    if (asprintf(&t, "%s/sakimori-XXXXXX", dir) < 0) return -1;
    fd = mkstemp(t);
    if (fd >= 0) unlink(t);
    free(t);
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copy fd (from its start with pread when seekable, else read) into a temporary file,
 * hashing what was read: the temporary descriptor, or -1 with a message. */
static int spool(const char *path, int fd, int seekable, char sha[65], uint64_t *stored)
{
    int t = tmp_file();
    if (t < 0) return sk_error_set(SK_EIO, "%s: cannot make a temporary file (TMPDIR): %s", path, strerror(errno)), -1;
    sk_hasher *h = NULL;
    uint8_t *buf = malloc((size_t)1 << 20);
    int rc = buf ? sk_hasher_new(&h) : SK_ENOMEM;
    if (!rc) rc = sk_hasher_begin(h, SK_DIGEST_SHA256);
    uint64_t off = 0;
    while (!rc) {
        ssize_t n = seekable ? pread(fd, buf, (size_t)1 << 20, (off_t)off) : read(fd, buf, (size_t)1 << 20);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = sk_error_set(SK_EIO, "%s: offset %llu: read error: %s", path, (unsigned long long)off, strerror(errno));
            break;
        }
        if (n == 0) break;
        rc = sk_hasher_update(h, buf, (size_t)n);
        if (!rc && write_all(t, buf, (size_t)n)) rc = sk_error_set(SK_EIO, "%s: writing the temporary copy: %s", path, strerror(errno));
        off += (uint64_t)n;
    }
    sk_digests dg;
    if (!rc) rc = sk_hasher_end(h, &dg);
    if (!rc) sk_hex(sha, dg.sha256, 32);
    sk_hasher_free(h);
    free(buf);
    *stored = off;
    if (rc) {
        close(t);
        return -1;
    }
    return t;
}

/* The compression of an open file's first bytes: 1 gzip, 2 zstd, 0 none. */
static int compression(int fd)
{
    unsigned char b[4];
    ssize_t n;
    do n = pread(fd, b, sizeof b, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return 1;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return 2;
    return 0;
}

/* Decompress fd (whose stored bytes hash to sha) into a temporary file: its descriptor,
 * or -1 with a message. *bomb is set when decompression stopped at the bound. */
static int decompress(const char *path, int fd, int kind, uint64_t stored, uint64_t max, int *bomb, char *why, size_t whylen)
{
    *bomb = 0;
    why[0] = '\0';
    uint64_t bound = stored > BOMB_MAX / BOMB_RATIO ? BOMB_MAX : stored * BOMB_RATIO;
    if (bound < BOMB_MIN) bound = BOMB_MIN;
    if (bound > BOMB_MAX) bound = BOMB_MAX;
    if (max) bound = max;
    int t = tmp_file();
    if (t < 0) return sk_error_set(SK_EIO, "%s: cannot make a temporary file (TMPDIR): %s", path, strerror(errno)), -1;
    size_t inn = (size_t)1 << 20, outn = (size_t)1 << 20;
    uint8_t *ib = malloc(inn), *ob = malloc(outn);
    int rc = ib && ob ? 0 : sk_error_set(SK_ENOMEM, "out of memory");
    uint64_t in_off = 0, out_total = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    ZSTD_DCtx *zd = NULL;
    if (!rc && kind == 1 && inflateInit2(&z, 15 + 32) != Z_OK) rc = sk_error_set(SK_ENOMEM, "out of memory");
    if (!rc && kind == 2 && !(zd = ZSTD_createDCtx())) rc = sk_error_set(SK_ENOMEM, "out of memory");
    int done = 0, zpending = 0; /* zstd: the last call said a frame is not finished */
    while (!rc && !done) {
        ssize_t n = pread(fd, ib, inn, (off_t)in_off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = sk_error_set(SK_EIO, "%s: offset %llu: read error: %s", path, (unsigned long long)in_off, strerror(errno));
            break;
        }
        if (n == 0) { /* the stored bytes end: a stream that did not end with them is cut */
            if (kind == 1 && out_total == 0) snprintf(why, whylen, "the gzip stream ends before any data");
            else if (kind == 1) snprintf(why, whylen, "the gzip stream is truncated (no end)");
            else if (zpending && out_total == 0) snprintf(why, whylen, "the zstd stream ends before any data");
            else if (zpending) snprintf(why, whylen, "the zstd stream is truncated (no end of frame)");
            break;
        }
        in_off += (uint64_t)n;
        if (kind == 1) {
            z.next_in = ib;
            z.avail_in = (uInt)n;
            while (z.avail_in && !rc && !done) {
                z.next_out = ob;
                z.avail_out = (uInt)outn;
                int zr = inflate(&z, Z_NO_FLUSH);
                size_t got = outn - z.avail_out;
                if (got) {
                    if (out_total + got > bound) {
                        got = (size_t)(bound - out_total);
                        *bomb = 1;
                    }
                    if (write_all(t, ob, got)) rc = sk_error_set(SK_EIO, "%s: writing the temporary copy: %s", path, strerror(errno));
                    out_total += got;
                    if (*bomb) done = 1;
                }
                if (zr == Z_STREAM_END) {
                    if (z.avail_in) { /* a concatenated member: gzip allows many */
                        if (inflateReset(&z) != Z_OK) done = 1;
                        continue;
                    }
                    if (in_off >= stored) done = 1;
                    else inflateReset(&z);
                } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                    snprintf(why, whylen, "corrupt gzip data near stored offset %llu (%s)",
                             (unsigned long long)(in_off - z.avail_in), z.msg ? z.msg : "inflate error");
                    done = 1;
                } else if (zr == Z_BUF_ERROR && !got) {
                    break;
                }
            }
        } else {
            ZSTD_inBuffer zi = {ib, (size_t)n, 0};
            while (zi.pos < zi.size && !rc && !done) {
                ZSTD_outBuffer zo = {ob, outn, 0};
                size_t zr = ZSTD_decompressStream(zd, &zo, &zi);
                if (ZSTD_isError(zr)) {
                    snprintf(why, whylen, "corrupt zstd data near stored offset %llu (%s)",
                             (unsigned long long)(in_off - (zi.size - zi.pos)), ZSTD_getErrorName(zr));
                    done = 1;
                    break;
                }
                zpending = zr != 0;
                size_t got = zo.pos;
                if (got) {
                    if (out_total + got > bound) {
                        got = (size_t)(bound - out_total);
                        *bomb = 1;
                    }
                    if (write_all(t, ob, got)) rc = sk_error_set(SK_EIO, "%s: writing the temporary copy: %s", path, strerror(errno));
                    out_total += got;
                    if (*bomb) done = 1;
                }
            }
        }
    }
    if (*bomb)
        snprintf(why, whylen, "decompressed past %llu bytes (%llu stored): a compression bomb? the rest was not read",
                 (unsigned long long)bound, (unsigned long long)stored);
    if (kind == 1) inflateEnd(&z);
    ZSTD_freeDCtx(zd);
    free(ib);
    free(ob);
    if (rc) {
        close(t);
        return -1;
    }
    return t;
}

/* The size, modification and change times of what fd reads. */
static void fd_info(int fd, sk_file_info *fi)
{
    struct stat ts;
    if (fstat(fd, &ts)) return;
    fi->size = (uint64_t)ts.st_size;
    fi->mtime = (sk_time)ts.st_mtim.tv_sec * SK_NS_PER_SEC + ts.st_mtim.tv_nsec;
    fi->ctime = (sk_time)ts.st_ctim.tv_sec * SK_NS_PER_SEC + ts.st_ctim.tv_nsec;
}

int evtx_open_input(const char *path, int in_folder, uint64_t max_decoded, int prehash, evtx_opened *op)
{
    memset(op, 0, sizeof *op);
    op->fd = -1;
    int fd;
    sk_file_info fi;
    int seekable = 1;
    if (!strcmp(path, "-")) {
        fd = STDIN_FILENO;
        struct stat st;
        seekable = 0;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) seekable = 1;
        int t = spool("-", fd, seekable, op->sha256, &op->stored);
        if (t < 0) return SK_EIO;
        op->preset = 1;
        op->decoded = "stdin";
        fd = t;
        op->own_fd = 1;
        fd_info(fd, &op->info);
    } else {
        int rc = sk_file_open(SK_FILE_CWD, path, in_folder ? SK_FILE_NOFOLLOW : 0, &fd, &fi);
        if (rc) return rc;
        op->info = fi;
        op->own_fd = 1;
    }
    int c = compression(fd);
    if (c) {
        /* decompressed first: a stream that yields nothing (corrupt at its start) is
         * refused before its stored bytes are hashed - a 10 GB sparse file that only
         * begins like gzip costs nothing */
        uint64_t stored = op->preset ? op->stored : op->info.size;
        int t = decompress(path, fd, c, stored, max_decoded, &op->bomb, op->why, sizeof op->why);
        if (t < 0) {
            close(fd);
            return SK_EIO;
        }
        fd_info(t, &op->info);
        if (!op->info.size && op->why[0]) {
            close(t);
            close(fd);
            return sk_error_set(SK_EFORMAT, "%s: %s: nothing decompressed", path, op->why);
        }
        if (!op->preset) { /* the stored bytes' SHA-256: what the events name */
            uint64_t hashed;
            struct stat ss;
            if (fstat(fd, &ss) || evtx_hash_fd(fd, (uint64_t)ss.st_size, op->sha256, &hashed)) {
                close(t);
                close(fd);
                return sk_error_set(SK_EIO, "%s: read error while hashing", path);
            }
            op->stored = hashed;
            op->preset = 1;
        }
        close(fd);
        fd = t;
        op->decoded = c == 1 ? "gzip" : "zstd";
    }
    else if (prehash) {
        /* the reader's hash taken now, on the prefetching thread, while the input before
         * is parsed - but not for what the reader will refuse at once (no EVTX header,
         * no JSON): its first bytes are told first */
        int k = evtx_kind_fd(fd);
        if (k == 2 || k == 1) {
            uint64_t hashed;
            if (evtx_hash_fd(fd, op->info.size, op->sha256, &hashed)) {
                close(fd);
                return sk_error_set(SK_EIO, "%s: read error while hashing", path);
            }
            op->stored = hashed;
            op->preset = 1;
            op->limit = hashed;
        }
    }
    op->fd = fd;
    return 0;
}

int sk_input_open(const char *path, int in_folder, sk_input_file *out)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    evtx_opened op;
    int rc = evtx_open_input(path, in_folder, 0, 0, &op);
    if (rc) return rc;
    /* a decompressed or spooled copy was written through the descriptor: read it from
     * its start (the readers of this interface read, they do not pread) */
    if (op.decoded && lseek(op.fd, 0, SEEK_SET) < 0) {
        if (op.fd >= 0) close(op.fd);
        return sk_error_set(SK_EIO, "%s: cannot rewind the decompressed copy: %s", path, strerror(errno));
    }
    out->fd = op.fd;
    out->decoded = op.decoded;
    out->have_sha256 = op.preset;
    memcpy(out->sha256, op.sha256, sizeof out->sha256);
    out->bomb = op.bomb;
    memcpy(out->why, op.why, sizeof out->why);
    return 0;
}

void sk_input_close(sk_input_file *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
}
