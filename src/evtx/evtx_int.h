/*
 * evtx_int.h - what dump.c, jsonlog.c and input.c share, private (no sk_ prefix: none
 * of this is public API).
 *
 * An input is opened once (input.c), its kind told from the descriptor, hashed, then
 * read by dump.c (EVTX) or jsonlog.c (JSON lines) from that same descriptor: no second
 * open that could block on a swapped-in FIFO or touch the access time. Diagnostics of
 * one file go through one limiter, so a hostile file cannot print millions of lines.
 */
#ifndef SK_EVTX_INT_H
#define SK_EVTX_INT_H

#include <stdint.h>
#include <stdio.h>

#include <pthread.h>

#include <sakimori/evtxdump.h>
#include <sakimori/file.h>
#include <sakimori/ordered.h>
#include <sakimori/pool.h>

/** The SHA-256 of fd's first `size` bytes (pread: the position is left alone), as
 * lower-case hex; *hashed gets the bytes hashed, fewer than `size` when the file ended
 * early (it shrank). 0, or an error code (no message). */
int evtx_hash_fd(int fd, uint64_t size, char out[65], uint64_t *hashed);

/** Zero the stats, times unknown. */
void evtx_stats_clear(sk_evtx_file_stats *s);

/** What the descriptor's first bytes hold (pread at 0): 1 EVTX, 2 JSON lines, 0 neither. */
int evtx_kind_fd(int fd);

/** What a worker parses a chunk with (kept on a free list, one per worker at most). */
typedef struct evtx_wstate {
    sk_evtx_chunk *ck;
    sk_arena *va;   /* the view of one record */
    uint8_t *buf;   /* one chunk */
    struct evtx_wstate *next;
} evtx_wstate;

/** The scanner (sakimori/evtxdump.h): options, sink, the pool and the ordered window. */
struct sk_event_scanner {
    const sk_evtx_dump_options *o;
    const sk_event_sink *sink;
    sk_pool *pool;
    sk_ordered *ord;
    pthread_mutex_t mu;      /* the free list */
    evtx_wstate *free_states;
    uint64_t inputs;         /* scanned so far: the next input's index */
};

/** The ordered window's emitter (dump.c): chunk outputs to the sink, stats folded. */
int evtx_emit(void *arg, uint64_t seq, sk_buf *data, void *item);

evtx_wstate *evtx_wstate_get(sk_event_scanner *sc);
void evtx_wstate_put(sk_event_scanner *sc, evtx_wstate *w);

/** The readers on an open descriptor (regular file, checked); the stats cleared first.
 * The descriptor is not closed. `in` is filled (path, sha256, size, kind, index). */
int evtx_dump_fd(sk_event_scanner *sc, sk_event_input *in, int fd, sk_evtx_file_stats *s);
int jsonl_dump_fd(sk_event_scanner *sc, sk_event_input *in, int fd, sk_evtx_file_stats *s);

/** An input opened for reading (inputs.c): a regular file as it is, or standard input
 * and compressed files copied, decompressed, into an unlinked temporary file. */
typedef struct evtx_opened {
    int fd, own_fd;
    sk_file_info info;   /* of what fd reads */
    int preset;          /* sha256 is of the stored bytes (not of what fd reads) */
    char sha256[65];
    uint64_t stored;     /* the stored bytes hashed */
    uint64_t limit;      /* a plain file hashed ahead: read no more than this (0: what fd holds) */
    const char *decoded; /* "gzip", "zstd", "stdin" or NULL */
    int bomb;            /* decompression stopped at its bound */
    char why[300];       /* a decompression problem, or "" */
} evtx_opened;

/** Open an input (prehash: hash a plain file too, for sk_event_scan_inputs). */
int evtx_open_input(const char *path, int in_folder, uint64_t max_decoded, int prehash, evtx_opened *op);

/* ---- streams (streams.c): coverage per (Channel, Computer) ---- */

typedef sk_evtx_stream evs_stream;
typedef sk_evtx_streams evs_acc;
typedef sk_evtx_run evs_run;

void evs_init(evs_acc *acc, sk_time quiet_gap, size_t max_streams, size_t max_gaps, size_t max_spans);
void evs_free(evs_acc *acc);

/** Note one record: its stream's index, or -1 when past the cap on streams. */
long evs_note(evs_acc *acc, const char *ch, size_t chn, const char *co, size_t con, int has_id, uint64_t rid, sk_time t);

/** Fold a part (a chunk) into the file's streams, in file order; map[i] gets the
 * file's index of the part's stream i (SIZE_MAX: dropped). */
int evs_fold(evs_acc *file, const evs_acc *part, size_t *map);

/** At the file's end: gaps between parts, spans merged, gaps in id order. */
void evs_finish(evs_acc *file);

/** evs_finish() on the file's streams, then the file-wide gaps, spans, id range,
 * times, channel and computer (of the first stream) put together from them. */
void evtx_streams_finish(sk_evtx_file_stats *st);

/** At most this many log clears an input keeps. */
#define EVTX_CLEARS_MAX 4096

/** A log clear (Security 1102, System 104 from the Eventlog provider) noted from an
 * event's view into *clears: the entry (its locator for the caller to set), or NULL
 * when the event is none or the list is full. */
sk_evtx_clear *evtx_note_clear(sk_evtx_clear **clears, size_t *n, const sk_event *ev, long stream, sk_time t, uint64_t rid);

/** Kinds of diagnostics, for the count of those not shown. */
enum evtx_diag_kind {
    DK_READ,       /* read errors */
    DK_TRUNCATED,  /* the file ends inside a chunk */
    DK_HEADER,     /* file header: missing, checksum */
    DK_WIPED,      /* a zeroed chunk the header counts */
    DK_CHUNK,      /* no chunk signature */
    DK_CHECKSUM,   /* chunk checksums */
    DK_RECORD,     /* unreadable records */
    DK_DAMAGED,    /* records read despite damage */
    DK_TOO_LARGE,  /* records too large to write */
    DK_NOT_JSON,   /* lines that are no JSON */
    DK_NOT_EVENT,  /* JSON that is no event */
    DK_EVENT_ID,   /* events without a usable event id */
    DK_TIME,       /* events without a usable time */
    DK_LONG_LINE,  /* lines over 16 MiB */
    DK_N
};

/** One file's diagnostics: the first `max` are passed to o->diag, the rest counted. */
typedef struct evtx_diags {
    const sk_evtx_dump_options *o;
    uint64_t max, shown, hidden[DK_N];
} evtx_diags;

void evtx_diags_init(evtx_diags *d, const sk_evtx_dump_options *o);

/** Show one line (no newline), or count it when `max` lines were shown. */
void evtx_diag(evtx_diags *d, int kind, const char *line);

/** Count `n` lines of a kind as not shown (they were dropped before reaching here). */
void evtx_diag_hidden(evtx_diags *d, int kind, uint64_t n);

/** At the end of a file: "PATH: N more diagnostics of this file not shown (K kind,
 * ...)" when any were held back. */
void evtx_diags_end(evtx_diags *d, const char *path);

/** The cap in effect: o->max_diags, or SK_EVTX_DIAG_MAX. */
uint64_t evtx_diag_max(const sk_evtx_dump_options *o);

#endif
