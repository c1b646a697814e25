/*
 * dump.c - whole EVTX files (sakimori/evtxdump.h, docs/evtx.md).
 *
 * The file is read with pread, one 64 KiB chunk at a time, never whole: memory does
 * not grow with the file. Chunks are independent, so each is a job on the scanner's
 * pool, parsed into its place of the scanner's ordered window (sakimori/ordered.h):
 * every record becomes a typed view handed to the sink, and what the sink appends is
 * written in file order, so the output is the same whatever the number of threads. Each chunk also yields a summary (first
 * and last record id and time, gaps inside it, log clears) from which the file's
 * coverage is put together at the end, in memory proportional to the number of
 * chunks, not records.
 *
 * The size is taken once, when the file is hashed, and never trusted again: a chunk
 * that reads short because the file shrank in the meantime is not a read error but the
 * new end, said once for the file ("file shrank from X to Y bytes while being read")
 * with the chunks lost counted; a file that grows is read up to the size hashed.
 * Diagnostics are kept per chunk up to the file's cap and counted beyond it (input.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/file.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/event.h>
#include <sakimori/arena.h>
#include <sakimori/json.h>
#include <sakimori/evtxdump.h>
#include <sakimori/pool.h>

#include "evtx_int.h"

#define CHUNK_GAPS_MAX 64
#define CHUNK_SPANS_MAX 64
#define CHUNK_STREAMS_MAX 64
#define FILE_STREAMS_MAX 4096
#define FILE_GAPS_MAX 100000
#define FILE_SPANS_MAX 100000

typedef struct cgap {
    uint64_t after, before;
    sk_time from, to;
} cgap;

typedef struct cres {
    uint64_t index;
    sk_buf diag;        /* lines as <kind byte><text>\0, at most diag_max of them */
    uint64_t diag_lines, diag_max, dropped[DK_N];
    int lost;           /* nothing of the chunk could be read: the file ends before it */
    uint64_t records, recovered, carved, carve_failed, errors;
    int bad;   /* not a chunk */
    evs_acc acc;      /* per (Channel, Computer): ids, gaps, times with records */
    evs_acc all;      /* every record as one sequence */
    sk_evtx_clear *clears;
    size_t n_clears;
} cres;

typedef struct dump {
    sk_event_scanner *sc;
    const sk_evtx_dump_options *o;
    sk_event_input *in;
    int fd;
    uint64_t size, n_chunks;
    unsigned header_chunks; /* the file header's count, 0 without a header */
    int dirty;              /* the file header says the log was not closed cleanly */
    uint64_t last_chunk;    /* ... and which chunk it was writing */
    const char *path;
    char sha256[65];
    pthread_mutex_t mu;
    uint64_t end;           /* the file's end as the reads found it (under mu): < size when it shrank */
    /* folded in order by the emitter */
    sk_evtx_file_stats *s;
    evtx_diags *dg;
    int werr;
} dump;

/* A diagnostic of the chunk: kept while under the cap (the file's cap: no chunk can
 * need more), else counted. */
static void diag_line(cres *r, int kind, const char *path, const char *msg)
{
    size_t mark = r->diag.len;
    if (r->diag_lines >= r->diag_max || sk_buf_putc(&r->diag, (char)('A' + kind)) || sk_buf_puts(&r->diag, path) ||
        sk_buf_puts(&r->diag, ": ") || sk_buf_puts(&r->diag, msg) || sk_buf_putc(&r->diag, '\0')) {
        sk_buf_truncate(&r->diag, mark);
        r->dropped[kind]++;
        return;
    }
    r->diag_lines++;
}

/* Read [off, off + want) into buf: 0 with *got (short only at the file's end), or an
 * errno value with *got what was read before the error. */
static int read_at(int fd, uint8_t *buf, size_t want, uint64_t off, size_t *got)
{
    *got = 0;
    while (*got < want) {
        ssize_t n = pread(fd, buf + *got, want - *got, (off_t)(off + *got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno ? errno : EIO;
        if (n == 0) break;
        *got += (size_t)n;
    }
    return 0;
}

/* A read found the file's end at `at`: remember the lowest such end. */
static void file_ended(dump *d, uint64_t at)
{
    pthread_mutex_lock(&d->mu);
    if (at < d->end) d->end = at;
    pthread_mutex_unlock(&d->mu);
}

/* System/EventRecordID (what the log numbered the event; a re-exported file's record
 * headers count from 1 again), else the record header's id. */
static uint64_t event_record_id(const sk_xnode *ev, uint64_t header_id)
{
    uint64_t v;
    return sk_event_record_id(ev, &v) ? v : header_id;
}

/* What the file's coverage needs from one record. */
/* What the file's coverage needs from one record, from its view: its stream's id and
 * time, a log clear. */
static void note_record(cres *r, const sk_evtx_record *rec, uint64_t rid, const sk_event *ev)
{
    sk_time t = ev->time != SK_TIME_NONE ? ev->time : rec->written;
    long stream = evs_note(&r->acc, ev->channel.s, ev->channel.n, ev->computer.s, ev->computer.n, 1, rid, t);
    evs_note(&r->all, "", 0, "", 0, 1, rid, t);
    /* log clears: Security 1102, System 104 (both from the Eventlog provider) */
    sk_evtx_clear *cl = evtx_note_clear(&r->clears, &r->n_clears, ev, stream, t, rid);
    if (cl) {
        cl->offset = rec->offset;
        cl->has_offset = 1;
    }
}

/* Parse chunk r->index into r. */
static void parse_chunk(dump *d, sk_evtx_chunk *ck, uint8_t *buf, sk_arena *va, cres *r, sk_buf *out)
{
    const sk_evtx_dump_options *o = d->o;
    uint64_t off = SK_EVTX_HEADER_SIZE + r->index * SK_EVTX_CHUNK_SIZE;
    size_t want = d->size - off < SK_EVTX_CHUNK_SIZE ? (size_t)(d->size - off) : SK_EVTX_CHUNK_SIZE;
    size_t got;
    int err = read_at(d->fd, buf, want, off, &got);
    char m[400];
    if (got < SK_EVTX_CHUNK_SIZE) {
        memset(buf + got, 0, SK_EVTX_CHUNK_SIZE - got);
        if (err) {
            snprintf(m, sizeof m, "offset %llu: read error: %s", (unsigned long long)(off + got), strerror(err));
            diag_line(r, DK_READ, d->path, m);
            r->errors++;
        } else if (got < want) { /* the file is shorter than when it was hashed */
            file_ended(d, off + got);
            if (!got) {
                r->lost = 1;
                return;
            }
        } else {
            snprintf(m, sizeof m, "offset %llu: the file ends inside this chunk (%zu of 65536 bytes): truncated",
                     (unsigned long long)off, got);
            diag_line(r, DK_TRUNCATED, d->path, m);
            r->errors++;
        }
    }
    int zero = 1;
    for (size_t i = 0; i < got && zero; i++) zero = !buf[i];
    if (zero) { /* never used - unless the header counts it: then it was wiped */
        if (d->header_chunks > r->index) {
            snprintf(m, sizeof m, "offset %llu: chunk %llu is all zeroes although the file header counts %u chunks: its records are gone",
                     (unsigned long long)off, (unsigned long long)r->index, d->header_chunks);
            diag_line(r, DK_WIPED, d->path, m);
            r->errors++;
        }
        return;
    }
    sk_evtx_chunk_set_carve(ck, o->carve);
    sk_evtx_chunk_info info;
    if (sk_evtx_chunk_begin(ck, buf, off, &info)) {
        r->bad = 1;
        snprintf(m, sizeof m, "%s; records recovered by their signatures", sk_error_last());
        diag_line(r, DK_CHUNK, d->path, m);
        r->errors++;
        sk_evtx_chunk_begin_raw(ck, buf, off);
    } else if (!info.header_checksum_ok || !info.records_checksum_ok) {
        /* damage, possibly records altered (an error: exit 3) - unless the log is dirty and
         * this is the chunk it was writing: a copy of a live log has that, by design */
        int live = d->dirty && r->index == d->last_chunk;
        snprintf(m, sizeof m, "offset %llu: chunk %s checksum does not match: its records are marked recovered%s",
                 (unsigned long long)off, !info.header_checksum_ok ? "header" : "records",
                 live ? " (the log is dirty and this is the chunk it was writing: expected of a copy of a live log)" : "");
        diag_line(r, DK_CHECKSUM, d->path, m);
        if (!live) r->errors++;
    }
    for (;;) {
        sk_evtx_record rec;
        int rc = sk_evtx_chunk_next(ck, &rec);
        if (rc == 0) break;
        if (rc < 0) {
            if (sk_evtx_chunk_carved(ck)) { /* slack holds what is left of older records: expected */
                r->carve_failed++;
                continue;
            }
            diag_line(r, DK_RECORD, d->path, sk_error_last());
            r->errors++;
            continue;
        }
        if (sk_evtx_chunk_note(ck)) {
            diag_line(r, DK_DAMAGED, d->path, sk_evtx_chunk_note(ck));
            r->errors++;
        }
        int carved = sk_evtx_chunk_carved(ck);
        uint64_t rid = event_record_id(rec.root, rec.record_id);
        sk_event_src src = {.path = d->path, .sha256 = d->sha256, .decoded = d->in->decoded, .record_id = rid, .has_record_id = 1, .offset = rec.offset,
                            .has_offset = 1, .format = carved ? "evtx-carved" : "evtx", .recovered = rec.recovered,
                            .fallback_time = rec.written};
        sk_event ev;
        sk_arena_reset(va);
        const sk_event_sink *sink = d->sc->sink;
        int wr = sk_event_from_xml(&ev, rec.root, &src, va);
        if (wr) {
            snprintf(m, sizeof m, "offset %llu: record %llu: too large to write", (unsigned long long)rec.offset,
                     (unsigned long long)rec.record_id);
            diag_line(r, DK_TOO_LARGE, d->path, m);
            r->errors++;
            continue;
        }
        if (sink->event && sink->event(sink->ctx, d->in, &ev, out)) {
            snprintf(m, sizeof m, "offset %llu: record %llu: %s", (unsigned long long)rec.offset, (unsigned long long)rec.record_id,
                     sk_error_last());
            diag_line(r, DK_TOO_LARGE, d->path, m);
            r->errors++;
            continue;
        }
        r->records++;
        r->recovered += rec.recovered != 0;
        r->carved += carved != 0;
        if (!carved) note_record(r, &rec, rid, &ev);
    }
}

/* One chunk's job: parsed on a pool worker into its place of the ordered window. */
typedef struct cjob {
    dump *d;
    uint64_t seq;
    cres r;
} cjob;

evtx_wstate *evtx_wstate_get(sk_event_scanner *sc)
{
    pthread_mutex_lock(&sc->mu);
    evtx_wstate *w = sc->free_states;
    if (w) sc->free_states = w->next;
    pthread_mutex_unlock(&sc->mu);
    if (w) return w;
    w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->buf = malloc(SK_EVTX_CHUNK_SIZE);
    if (!w->buf || sk_evtx_chunk_new(&w->ck) || sk_arena_new(&w->va, 64 << 10, (size_t)256 << 20)) {
        free(w->buf);
        sk_evtx_chunk_free(w->ck);
        sk_arena_free(w->va);
        free(w);
        return NULL;
    }
    return w;
}

void evtx_wstate_put(sk_event_scanner *sc, evtx_wstate *w)
{
    pthread_mutex_lock(&sc->mu);
    w->next = sc->free_states;
    sc->free_states = w;
    pthread_mutex_unlock(&sc->mu);
}

static void chunk_job(void *arg)
{
    cjob *j = arg;
    dump *d = j->d;
    sk_buf *out = sk_ordered_buf(d->sc->ord, j->seq);
    evtx_wstate *w = evtx_wstate_get(d->sc);
    if (!w) {
        diag_line(&j->r, DK_READ, d->path, "out of memory");
        j->r.errors++;
    } else {
        parse_chunk(d, w->ck, w->buf, w->va, &j->r, out);
        evtx_wstate_put(d->sc, w);
    }
    sk_ordered_publish(d->sc->ord, j->seq, j);
}

static void cres_free(cres *r)
{
    sk_buf_free(&r->diag);
    free(r->clears);
    evs_free(&r->acc);
    evs_free(&r->all);
}

/* Once for the file: it shrank while it was read. */
static void say_shrank(evtx_diags *dg, sk_evtx_file_stats *s, const char *path, uint64_t from, uint64_t to, const char *what)
{
    s->shrank = 1;
    s->shrank_to = to;
    s->errors++;
    if (!dg->o->diag) return;
    char m[600];
    snprintf(m, sizeof m, "%s: file shrank from %llu to %llu bytes while being read; %s after offset %llu not read", path,
             (unsigned long long)from, (unsigned long long)to, what, (unsigned long long)to);
    dg->o->diag(dg->o->diag_ctx, m); /* always shown, whatever the cap */
}

/* The emitter of the scanner's ordered window: a chunk's output to the sink, then its
 * diagnostics and summary folded into the file's stats - in file order, one at a time. */
int evtx_emit(void *arg, uint64_t seq, sk_buf *data, void *item)
{
    (void)seq;
    sk_event_scanner *sc = arg;
    cjob *j = item;
    if (!j) return 0; /* a place given up (out of memory) */
    dump *d = j->d;
    cres *r = &j->r;
    sk_evtx_file_stats *s = d->s;
    evtx_diags *dg = d->dg;
    if (d->o->progress) d->o->progress(d->o->progress_ctx, SK_EVTX_CHUNK_SIZE);
    if (data->len && !d->werr && sc->sink->write && sc->sink->write(sc->sink->ctx, data->data, data->len)) d->werr = errno ? errno : EIO;
    for (size_t p = 0; p < r->diag.len; p += strlen(r->diag.data + p) + 1) evtx_diag(dg, r->diag.data[p] - 'A', r->diag.data + p + 1);
    for (int k = 0; k < DK_N; k++) evtx_diag_hidden(dg, k, r->dropped[k]);
    s->chunks += !r->bad && !r->lost;
    s->chunks_bad += r->bad || r->lost;
    s->chunks_lost += r->lost;
    s->records += r->records;
    s->records_recovered += r->recovered;
    s->records_carved += r->carved;
    s->carve_failed += r->carve_failed;
    s->errors += r->errors;
    size_t map[CHUNK_STREAMS_MAX];
    evs_fold(&s->streams, &r->acc, map);
    evs_fold(&s->all, &r->all, NULL);
    if (r->n_clears) {
        sk_evtx_clear *nc = realloc(s->clears, (s->n_clears + r->n_clears) * sizeof *nc);
        if (nc) {
            for (size_t k = 0; k < r->n_clears; k++) /* the chunk's stream numbers: the file's */
                if (r->clears[k].stream < r->acc.n) r->clears[k].stream = map[r->clears[k].stream];
            memcpy(nc + s->n_clears, r->clears, r->n_clears * sizeof *nc);
            s->clears = nc;
            s->n_clears += r->n_clears;
        }
    }
    cres_free(r);
    free(j);
    return 0;
}

#define NOT_EVTX "%s: offset 0: not an EVTX file (no \"ElfFile\" header); --carve looks for records anyway"

int evtx_dump_fd(sk_event_scanner *sc, sk_event_input *in, int fd, sk_evtx_file_stats *s)
{
    evtx_stats_clear(s);
    const sk_evtx_dump_options *o = sc->o;
    const char *path = in->path;
    struct stat st;
    if (fstat(fd, &st)) return sk_error_set(SK_EIO, "%s: cannot stat: %s", path, strerror(errno));
    dump d = {.sc = sc, .o = o, .in = in, .fd = fd, .size = (uint64_t)st.st_size, .path = path};
    if (!o->carve) { /* refused before it is hashed: a 10 GB file that is no EVTX file costs nothing */
        uint8_t probe[SK_EVTX_HEADER_SIZE];
        size_t pn;
        sk_evtx_header h;
        if (!read_at(fd, probe, d.size < sizeof probe ? (size_t)d.size : sizeof probe, 0, &pn) &&
            (pn < 128 || sk_evtx_header_parse(probe, pn, &h)))
            return sk_error_set(SK_EFORMAT, NOT_EVTX, path);
    }
    uint64_t hashed = d.size;
    const char *preset = in->sha256; /* standard input or a compressed file: the stored bytes' digest */
    if (preset) memcpy(d.sha256, preset, 65);
    else if (evtx_hash_fd(fd, d.size, d.sha256, &hashed)) return sk_error_set(SK_EIO, "%s: read error while hashing", path);
    evtx_diags dg;
    evtx_diags_init(&dg, o);
    uint64_t size0 = d.size;
    if (preset && in->limit) { /* hashed ahead: read what the hash covers, and see a shrink since */
        size0 = in->limit;
        hashed = d.size < in->limit ? d.size : in->limit;
    }
    d.size = d.end = hashed; /* what the hash covers; less when the file shrank meanwhile */
    s->size = preset ? in->size : hashed;
    memcpy(s->sha256, d.sha256, 65);
    in->sha256 = s->sha256;
    in->size = s->size;
    uint8_t head[SK_EVTX_HEADER_SIZE];
    size_t hn;
    int herr = read_at(fd, head, d.size < sizeof head ? (size_t)d.size : sizeof head, 0, &hn);
    if (herr) return sk_error_set(SK_EIO, "%s: offset 0: read error: %s", path, strerror(herr));
    if (hn < sizeof head && hn < d.size)
        return sk_error_set(SK_EIO, "%s: file shrank from %llu to %llu bytes while being read", path, (unsigned long long)size0,
                            (unsigned long long)hn);
    if (hn < 128 || sk_evtx_header_parse(head, hn, &s->header)) {
        if (!o->carve)
            return sk_error_set(SK_EFORMAT, NOT_EVTX, path);
        char m[300];
        snprintf(m, sizeof m, "%s: offset 0: no EVTX file header; carving records from every 64 KiB block", path);
        evtx_diag(&dg, DK_HEADER, m);
    } else {
        s->header_ok = 1;
        d.header_chunks = s->header.chunks;
        d.dirty = (s->header.flags & SK_EVTX_DIRTY) != 0;
        d.last_chunk = s->header.last_chunk;
        if (!s->header.checksum_ok) { /* its counts may be wrong: every block is read anyway */
            char m[300];
            snprintf(m, sizeof m, "%s: offset 124: file header checksum does not match", path);
            evtx_diag(&dg, DK_HEADER, m);
            s->errors++;
        }
    }
    /* every 64 KiB block after the header, whatever the header's count says (a dirty
     * file's count lags; a partial last block is read as far as it goes) */
    d.n_chunks = d.size > SK_EVTX_HEADER_SIZE ? (d.size - SK_EVTX_HEADER_SIZE + SK_EVTX_CHUNK_SIZE - 1) / SK_EVTX_CHUNK_SIZE : 0;
    evs_init(&s->streams, o->quiet_gap, FILE_STREAMS_MAX, FILE_GAPS_MAX, FILE_SPANS_MAX);
    evs_init(&s->all, o->quiet_gap, 1, FILE_GAPS_MAX, 1);
    pthread_mutex_init(&d.mu, NULL);
    d.s = s;
    d.dg = &dg;
    int rc = 0;
    /* every chunk a job, in file order; the emitter (evtx_emit) folds them in order */
    for (uint64_t i = 0; i < d.n_chunks; i++) {
        if (o->stop && *o->stop) {
            rc = sk_error_set(SK_EIO, "%s: interrupted", path);
            break;
        }
        cjob *j = calloc(1, sizeof *j);
        uint64_t seq = sk_ordered_reserve(sc->ord);
        if (!j) {
            sk_ordered_publish(sc->ord, seq, NULL);
            rc = sk_error_set(SK_ENOMEM, "%s: out of memory", path);
            break;
        }
        j->d = &d;
        j->seq = seq;
        j->r.index = i;
        evs_init(&j->r.acc, o->quiet_gap, CHUNK_STREAMS_MAX, CHUNK_GAPS_MAX, CHUNK_SPANS_MAX);
        evs_init(&j->r.all, o->quiet_gap, 1, CHUNK_GAPS_MAX, 1);
        j->r.diag_max = evtx_diag_max(o);
        sk_buf_init(&j->r.diag, (size_t)1 << 20);
        if (sk_pool_submit(sc->pool, chunk_job, j)) {
            cres_free(&j->r);
            free(j);
            sk_ordered_publish(sc->ord, seq, NULL);
            rc = sk_error_set(SK_EINTERNAL, "%s: the thread pool refused work", path);
            break;
        }
    }
    sk_ordered_drain(sc->ord);
    int werr = d.werr;
    evtx_diags_end(&dg, path);
    if (d.end < size0) say_shrank(&dg, s, path, size0, d.end, "records");
    evtx_streams_finish(s);
    pthread_mutex_destroy(&d.mu);
    if (!rc && werr) rc = sk_error_set(SK_EIO, "writing the output: %s", strerror(werr));
    return rc;
}

/* One stream's coverage record. */
static int coverage_stream(sk_buf *out, const sk_evtx_file_stats *s, size_t si)
{
    const sk_evtx_stream *x = &s->streams.s[si];
    if (!x->records || !x->channel[0]) return 0;
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    if (x->computer[0]) sk_jw_kv_string(&w, "host", x->computer);
    char src[160];
    snprintf(src, sizeof src, "evtx:%s", x->channel);
    sk_jw_kv_string(&w, "source", src);
    sk_jw_key(&w, "intervals");
    sk_jw_array_begin(&w);
    for (size_t i = 0; i < x->n_spans; i++) { /* half-open: just past the last record */
        sk_jw_object_begin(&w);
        sk_jw_kv_time(&w, "from", x->spans[i].from);
        sk_jw_kv_time(&w, "to", x->spans[i].to + 1);
        sk_jw_object_end(&w);
    }
    sk_jw_array_end(&w);
    sk_jw_kv_u64(&w, "records", x->records);
    if (x->any_id) {
        sk_jw_kv_u64(&w, "record_id_min", x->id_first);
        sk_jw_kv_u64(&w, "record_id_max", x->id_last);
    }
    if (x->n_gaps) {
        sk_jw_key(&w, "record_id_gaps");
        sk_jw_array_begin(&w);
        for (size_t i = 0; i < x->n_gaps; i++) {
            const sk_evtx_gap *g = &x->gaps[i];
            sk_jw_object_begin(&w);
            sk_jw_kv_u64(&w, "after", g->after);
            sk_jw_kv_u64(&w, "before", g->before);
            sk_jw_kv_u64(&w, "missing", g->before - g->after - 1);
            if (g->from != SK_TIME_NONE) sk_jw_kv_time(&w, "from", g->from);
            if (g->to != SK_TIME_NONE) sk_jw_kv_time(&w, "to", g->to);
            /* a shipper forwards what its filter lets through: a jump is not tampering */
            if (s->from_shipper) sk_jw_kv_string(&w, "reason", "shipper_filtered");
            sk_jw_object_end(&w);
        }
        sk_jw_array_end(&w);
    }
    if (x->gaps_dropped) sk_jw_kv_u64(&w, "record_id_gaps_not_listed", x->gaps_dropped);
    if (x->unordered) sk_jw_kv_bool(&w, "record_ids_unordered", 1);
    if (s->ids_shared) sk_jw_kv_bool(&w, "record_ids_shared", 1);
    size_t nclears = 0;
    for (size_t i = 0; i < s->n_clears; i++) nclears += s->clears[i].stream == si;
    if (nclears) {
        sk_jw_key(&w, "clears");
        sk_jw_array_begin(&w);
        for (size_t i = 0; i < s->n_clears; i++) {
            const sk_evtx_clear *c = &s->clears[i];
            if (c->stream != si) continue;
            sk_jw_object_begin(&w);
            sk_jw_kv_time(&w, "time", c->time);
            sk_jw_kv_u64(&w, "event_id", c->event_id);
            if (c->channel[0]) sk_jw_kv_string(&w, "channel", c->channel);
            if (c->user[0]) sk_jw_kv_string(&w, "user", c->user);
            if (!strncmp(c->user_sid, "S-1-", 4)) sk_jw_kv_string(&w, "user_sid", c->user_sid);
            sk_jw_key(&w, "evidence");
            sk_jw_object_begin(&w);
            sk_jw_kv_string(&w, "sha256", s->sha256);
            sk_jw_kv_u64(&w, "record_id", c->record_id);
            if (c->has_offset) sk_jw_kv_u64(&w, "offset", c->offset);
            if (c->line) sk_jw_kv_u64(&w, "line", c->line);
            sk_jw_object_end(&w);
            sk_jw_object_end(&w);
        }
        sk_jw_array_end(&w);
    }
    if (s->header_ok) sk_jw_kv_bool(&w, "wrapped", (s->header.flags & SK_EVTX_FULL) && x->any_id && x->id_first > 1);
    if (s->changed) sk_jw_kv_bool(&w, "changed_while_read", 1);
    if (s->shrank || s->decode_incomplete) { /* the tail is unread, not silent: say so where verdicts look */
        sk_jw_key(&w, "incomplete");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "reason", s->shrank ? "shrank_while_read" : "decompression_stopped");
        sk_jw_kv_u64(&w, "size", s->size);
        if (s->shrank) sk_jw_kv_u64(&w, "read_to", s->shrank_to);
        if (s->chunks_lost) sk_jw_kv_u64(&w, "chunks_lost", s->chunks_lost);
        sk_jw_object_end(&w);
    }
    sk_jw_key(&w, "inputs");
    sk_jw_array_begin(&w);
    sk_jw_string(&w, s->sha256);
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(out, '\n')) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}

int sk_evtx_coverage_write(sk_buf *out, const sk_evtx_file_stats *s)
{
    for (size_t i = 0; i < s->streams.n; i++) {
        int rc = coverage_stream(out, s, i);
        if (rc) return rc;
    }
    return 0;
}
