/*
 * input.c - event-log inputs opened, told apart and hashed, and the limit on one file's
 * diagnostics (sakimori/evtxdump.h, docs/evtx.md).
 *
 * Every input is opened exactly once, through sk_file_open (never blocking on a FIFO or
 * a device, O_NOATIME where permitted, a regular file only): the kind is told from the
 * descriptor's first bytes and the reader gets the same descriptor, so no second open
 * can see another file, wait on a FIFO swapped in, or change the access time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/evtxdump.h>
#include <sakimori/file.h>
#include <sakimori/ordered.h>
#include <sakimori/pool.h>

#include "evtx_int.h"

void evtx_stats_clear(sk_evtx_file_stats *s)
{
    memset(s, 0, sizeof *s);
    s->time_min = s->time_max = SK_TIME_NONE;
}

int evtx_hash_fd(int fd, uint64_t size, char out[65], uint64_t *hashed)
{
    sk_hasher *h = NULL;
    uint8_t *buf = malloc((size_t)1 << 20);
    int rc = buf ? sk_hasher_new(&h) : SK_ENOMEM;
    if (!rc) rc = sk_hasher_begin(h, SK_DIGEST_SHA256);
    uint64_t off = 0;
    while (!rc && off < size) {
        size_t want = size - off < ((uint64_t)1 << 20) ? (size_t)(size - off) : (size_t)1 << 20;
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = SK_EIO;
        if (n <= 0) break; /* 0: the file is shorter now */
        rc = sk_hasher_update(h, buf, (size_t)n);
        off += (uint64_t)n;
    }
    sk_digests dg;
    if (!rc) rc = sk_hasher_end(h, &dg);
    if (!rc) sk_hex(out, dg.sha256, 32);
    *hashed = off;
    sk_hasher_free(h);
    free(buf);
    return rc;
}

int evtx_kind_fd(int fd)
{
    char b[512];
    ssize_t n;
    do n = pread(fd, b, sizeof b, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 8 && !memcmp(b, "ElfFile", 8)) return 1;
    for (ssize_t i = 0; i < n; i++) {
        if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') continue;
        if ((unsigned char)b[i] == 0xEF && i + 2 < n && (unsigned char)b[i + 1] == 0xBB && (unsigned char)b[i + 2] == 0xBF) {
            i += 2; /* a UTF-8 byte-order mark */
            continue;
        }
        return b[i] == '{' || b[i] == '[' ? 2 : 0;
    }
    return 0;
}

/* What to read an input as: its first bytes' kind; an empty (or blank) file not named
 * *.evtx is a JSON log with no event yet (a shipper's file opened and not written), one
 * named *.evtx stays an EVTX file that is not one (a log emptied is worth saying). */
static int kind_of(const char *path, int fd)
{
    int k = evtx_kind_fd(fd);
    if (k) return k;
    char b[512];
    ssize_t n;
    do n = pread(fd, b, sizeof b, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return 1;
    for (ssize_t i = 0; i < n; i++)
        if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') return 1;
    if (n == (ssize_t)sizeof b) return 1; /* 512 blanks and more: not judged empty */
    size_t pl = path ? strlen(path) : 0;
    return pl >= 5 && !strcasecmp(path + pl - 5, ".evtx") ? 1 : 2;
}

/* Dump one open input (kind 1 EVTX, 2 JSON lines), then compare the file's size,
 * modification and change times with those it had when it was opened: a file another
 * process wrote meanwhile is said once, counted as an error, and its coverage says so
 * (changed_while_read). A file that only shrank has already been said (by the reader,
 * at the new end); one that only grew, with the part read hashing as before, is a
 * live log: said, not an error. */
static int dump_checked(sk_event_scanner *sc, const char *path, int fd, const sk_file_info *before, int kind,
                        const evtx_opened *op, sk_evtx_file_stats *s)
{
    const sk_evtx_dump_options *o = sc->o;
    sk_event_input in = {.path = path, .kind = kind, .index = sc->inputs++};
    if (op && op->preset) { /* the stored bytes' digest, known already: not the temporary copy's */
        in.sha256 = op->sha256;
        in.size = op->stored;
        in.decoded = op->decoded;
        in.limit = op->limit;
    }
    int rc = kind == 2 ? jsonl_dump_fd(sc, &in, fd, s) : evtx_dump_fd(sc, &in, fd, s);
    if (sc->sink->input_end && in.sha256) sc->sink->input_end(sc->sink->ctx, &in, s);
    struct stat after;
    if (fstat(fd, &after)) return rc;
    uint64_t size = (uint64_t)after.st_size;
    sk_time mt = (sk_time)after.st_mtim.tv_sec * SK_NS_PER_SEC + after.st_mtim.tv_nsec;
    sk_time ct = (sk_time)after.st_ctim.tv_sec * SK_NS_PER_SEC + after.st_ctim.tv_nsec;
    if (size == before->size && mt == before->mtime && ct == before->ctime) return rc;
    if (s->shrank) { /* said and counted once, at the new end */
        s->changed = 1;
        return rc;
    }
    /* a live log that only grew: the part read is still the part hashed (checked by
     * hashing it again), so its events hold; what was appended is for the next read */
    char again[65];
    uint64_t hashed = 0;
    if (size > s->size && !evtx_hash_fd(fd, s->size, again, &hashed) && hashed == s->size && !strcmp(again, s->sha256)) {
        if (o->diag) {
            char m[700];
            snprintf(m, sizeof m, "%s: grew from %llu to %llu bytes while being read: the first %llu (hashed) were read, the rest not",
                     path, (unsigned long long)s->size, (unsigned long long)size, (unsigned long long)s->size);
            o->diag(o->diag_ctx, m);
        }
        return rc;
    }
    s->changed = 1;
    s->errors++;
    if (o->diag) {
        char m[900];
        snprintf(m, sizeof m,
                 "%s: changed while being read (size %llu then %llu%s%s): the events are of the first %llu bytes as they"
                 " were read, which need not be the bytes the SHA-256 is of",
                 path, (unsigned long long)before->size, (unsigned long long)size, mt != before->mtime ? ", modified" : "",
                 ct != before->ctime ? ", status changed" : "", (unsigned long long)s->size);
        o->diag(o->diag_ctx, m);
    }
    return rc;
}

/* ---- the scanner ---- */

int sk_event_scanner_new(sk_event_scanner **out, const sk_evtx_dump_options *o, const sk_event_sink *sink)
{
    *out = NULL;
    sk_event_scanner *sc = calloc(1, sizeof *sc);
    if (!sc) return sk_error_set(SK_ENOMEM, "out of memory");
    sc->o = o;
    sc->sink = sink;
    unsigned threads = o->threads ? o->threads : sk_cpu_count();
    if (threads > 64) threads = 64;
    pthread_mutex_init(&sc->mu, NULL);
    /* 4 chunks in flight a worker: about 1 MiB of rendered events each */
    int rc = sk_pool_new(&sc->pool, threads, (size_t)threads * 4);
    if (!rc) rc = sk_ordered_new(&sc->ord, (size_t)threads * 4, (size_t)256 << 20, (size_t)4 << 20, evtx_emit, sc);
    if (rc) {
        sk_event_scanner_free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

void sk_event_scanner_free(sk_event_scanner *sc)
{
    if (!sc) return;
    sk_pool_free(sc->pool);
    sk_ordered_free(sc->ord);
    for (evtx_wstate *w = sc->free_states, *n; w; w = n) {
        n = w->next;
        free(w->buf);
        sk_evtx_chunk_free(w->ck);
        sk_arena_free(w->va);
        free(w);
    }
    pthread_mutex_destroy(&sc->mu);
    free(sc);
}

int sk_event_scan_fd(sk_event_scanner *sc, const char *path, int fd, int want, sk_evtx_file_stats *s, int *kind)
{
    evtx_stats_clear(s);
    struct stat st;
    if (fstat(fd, &st)) return sk_error_set(SK_EIO, "%s: cannot stat: %s", path, strerror(errno));
    sk_file_info fi = {.size = (uint64_t)st.st_size,
                       .mtime = (sk_time)st.st_mtim.tv_sec * SK_NS_PER_SEC + st.st_mtim.tv_nsec,
                       .ctime = (sk_time)st.st_ctim.tv_sec * SK_NS_PER_SEC + st.st_ctim.tv_nsec};
    *kind = want ? want : kind_of(path, fd);
    return dump_checked(sc, path, fd, &fi, *kind, NULL, s);
}

/* A decompression that stopped early: the part decompressed was read, the rest is lost:
 * said, counted, and in the coverage (incomplete). */
static void say_decoding(sk_event_scanner *sc, const char *path, const evtx_opened *op, sk_evtx_file_stats *s)
{
    if (!op->why[0]) return;
    if (sc->o->diag) {
        char m[900];
        snprintf(m, sizeof m, "%s: %s", path, op->why);
        sc->o->diag(sc->o->diag_ctx, m);
    }
    s->errors++;
    s->decode_incomplete = 1;
}

/* Open one input and scan it as `want` says (0: told from its first bytes, 1 EVTX,
 * 2 JSON lines); *kind says what it was read as. */
static int open_and_scan(sk_event_scanner *sc, const char *path, int in_folder, int want, sk_evtx_file_stats *s, int *kind)
{
    evtx_stats_clear(s);
    *kind = 0;
    evtx_opened op;
    int rc = evtx_open_input(path, in_folder, sc->o->max_decoded, 0, &op);
    if (rc) return rc;
    *kind = want ? want : kind_of(path, op.fd);
    rc = dump_checked(sc, path, op.fd, &op.info, *kind, &op, s);
    say_decoding(sc, path, &op, s);
    if (op.own_fd) close(op.fd);
    return rc;
}

int sk_event_scan(sk_event_scanner *sc, const char *path, sk_evtx_file_stats *s, int *kind)
{
    return open_and_scan(sc, path, 0, 0, s, kind);
}

int sk_event_scan_input(sk_event_scanner *sc, const char *path, int in_folder, sk_evtx_file_stats *s, int *kind)
{
    return open_and_scan(sc, path, in_folder, 0, s, kind);
}

/* ---- a list of inputs, the next one opened and hashed ahead ---- */

typedef struct pf_slot {
    int state; /* 0 free, 1 ready */
    int rc;
    evtx_opened op;
    char msg[1024];
} pf_slot;

typedef struct prefetch {
    sk_event_scanner *sc;
    const sk_event_inputs *ins;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pf_slot slot[2];
    int quit;
    int done; /* the prefetching thread has stopped: no slot will be filled any more */
} prefetch;

static void *prefetch_main(void *arg)
{
    prefetch *p = arg;
    for (size_t i = 0; i < p->ins->n; i++) {
        pf_slot *s = &p->slot[i % 2];
        pthread_mutex_lock(&p->mu);
        while (s->state && !p->quit) pthread_cond_wait(&p->cv, &p->mu);
        int quit = p->quit;
        pthread_mutex_unlock(&p->mu);
        if (quit || (p->sc->o->stop && *p->sc->o->stop)) break;
        s->rc = evtx_open_input(p->ins->paths[i], p->ins->in_folder[i], p->sc->o->max_decoded, 1, &s->op);
        s->msg[0] = '\0';
        if (s->rc) snprintf(s->msg, sizeof s->msg, "%s", sk_error_last());
        pthread_mutex_lock(&p->mu);
        s->state = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu); /* stopped (the end, a stop request): said, so no one waits */
    p->done = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int sk_event_scan_inputs(sk_event_scanner *sc, const sk_event_inputs *ins, sk_event_input_done done, void *ctx)
{
    prefetch p = {.sc = sc, .ins = ins};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, prefetch_main, &p)) {
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
        return sk_error_set(SK_EINTERNAL, "cannot start a thread");
    }
    for (size_t i = 0; i < ins->n; i++) {
        if (sc->o->stop && *sc->o->stop) break;
        pf_slot *s = &p.slot[i % 2];
        pthread_mutex_lock(&p.mu);
        while (!s->state && !p.done) pthread_cond_wait(&p.cv, &p.mu);
        int have = s->state;
        pthread_mutex_unlock(&p.mu);
        if (!have) break; /* the prefetching thread stopped (a stop request) before this input */
        sk_evtx_file_stats st;
        evtx_stats_clear(&st);
        int kind = 0, rc = s->rc;
        const char *path = ins->paths[i];
        if (rc) {
            sk_error_set(rc, "%s", s->msg);
        } else {
            kind = kind_of(path, s->op.fd);
            rc = dump_checked(sc, path, s->op.fd, &s->op.info, kind, &s->op, &st);
            say_decoding(sc, path, &s->op, &st);
            if (s->op.own_fd) close(s->op.fd);
        }
        if (done) done(ctx, i, path, rc, &st, kind);
        sk_evtx_file_stats_free(&st);
        pthread_mutex_lock(&p.mu);
        s->state = 0;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }
    pthread_mutex_lock(&p.mu);
    p.quit = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    pthread_join(th, NULL);
    for (int k = 0; k < 2; k++) /* an input opened ahead but not read (a stop) */
        if (p.slot[k].state && !p.slot[k].rc && p.slot[k].op.own_fd) close(p.slot[k].op.fd);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    return 0;
}

/* ---- the dump sink ---- */

static int dump_event(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out)
{
    (void)in;
    const sk_event_dump_ctx *d = ctx;
    if (d->o->xml) return sk_event_write_xml(out, ev);
    return sk_event_write_json(out, ev) ? sk_error_set(SK_ELIMIT, "too large to write") : 0;
}

static int dump_write(void *ctx, const void *data, size_t n)
{
    const sk_event_dump_ctx *d = ctx;
    return fwrite(data, 1, n, d->out) == n ? 0 : -1;
}

void sk_event_dump_sink(sk_event_sink *sink, sk_event_dump_ctx *ctx)
{
    memset(sink, 0, sizeof *sink);
    sink->ctx = ctx;
    sink->event = dump_event;
    sink->write = dump_write;
}

static int dump_one(const char *path, int want, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *s, int *kind)
{
    evtx_stats_clear(s);
    *kind = 0;
    sk_event_dump_ctx ds = {o, out};
    sk_event_sink sink;
    sk_event_dump_sink(&sink, &ds);
    sk_event_scanner *sc;
    int rc = sk_event_scanner_new(&sc, o, &sink);
    if (rc) return rc;
    rc = open_and_scan(sc, path, 0, want, s, kind);
    sk_event_scanner_free(sc);
    return rc;
}

int sk_events_dump(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *s, int *kind)
{
    return dump_one(path, 0, o, out, s, kind);
}

int sk_evtx_dump_file(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *s)
{
    int kind;
    return dump_one(path, 1, o, out, s, &kind);
}

int sk_events_dump_jsonl(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *s)
{
    int kind;
    return dump_one(path, 2, o, out, s, &kind);
}

void sk_evtx_file_stats_free(sk_evtx_file_stats *s)
{
    if (!s) return;
    free(s->gaps);
    free(s->clears);
    free(s->spans);
    evs_free(&s->streams);
    evs_free(&s->all);
    s->gaps = NULL;
    s->clears = NULL;
    s->spans = NULL;
    s->n_gaps = s->n_clears = s->n_spans = 0;
}

/* ---- diagnostics: at most max lines a file, the rest counted by kind ---- */

static const char *const kind_names[DK_N] = {
    [DK_READ] = "read errors",
    [DK_TRUNCATED] = "truncated chunks",
    [DK_HEADER] = "file header problems",
    [DK_WIPED] = "wiped chunks",
    [DK_CHUNK] = "damaged chunks",
    [DK_CHECKSUM] = "checksum mismatches",
    [DK_RECORD] = "unreadable records",
    [DK_DAMAGED] = "damaged records read",
    [DK_TOO_LARGE] = "records too large",
    [DK_NOT_JSON] = "lines not JSON",
    [DK_NOT_EVENT] = "lines not events",
    [DK_EVENT_ID] = "events without an event id",
    [DK_TIME] = "events without a usable time",
    [DK_LONG_LINE] = "lines over 16 MiB",
};

uint64_t evtx_diag_max(const sk_evtx_dump_options *o)
{
    return o->max_diags ? o->max_diags : SK_EVTX_DIAG_MAX;
}

void evtx_diags_init(evtx_diags *d, const sk_evtx_dump_options *o)
{
    memset(d, 0, sizeof *d);
    d->o = o;
    d->max = evtx_diag_max(o);
}

void evtx_diag(evtx_diags *d, int kind, const char *line)
{
    if (d->shown >= d->max) {
        d->hidden[kind]++;
        return;
    }
    d->shown++;
    if (d->o->diag) d->o->diag(d->o->diag_ctx, line);
}

void evtx_diag_hidden(evtx_diags *d, int kind, uint64_t n)
{
    d->hidden[kind] += n;
}

void evtx_diags_end(evtx_diags *d, const char *path)
{
    uint64_t total = 0;
    for (int k = 0; k < DK_N; k++) total += d->hidden[k];
    if (!total || !d->o->diag) return;
    char m[1200];
    size_t len = (size_t)snprintf(m, sizeof m, "%s: %llu more diagnostics of this file not shown (", path, (unsigned long long)total);
    int first = 1;
    for (int k = 0; k < DK_N && len < sizeof m; k++) {
        if (!d->hidden[k]) continue;
        len += (size_t)snprintf(m + len, sizeof m - len, "%s%llu %s", first ? "" : ", ", (unsigned long long)d->hidden[k], kind_names[k]);
        first = 0;
    }
    if (len < sizeof m) snprintf(m + len, sizeof m - len, ")");
    d->o->diag(d->o->diag_ctx, m);
}
