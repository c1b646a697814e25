/*
 * sakimori/evtxdump.h - reading whole EVTX files: every chunk (in parallel), every
 * record in file order, as event-model JSON lines or XML, with what is missing.
 */
#ifndef SAKIMORI_EVTXDUMP_H
#define SAKIMORI_EVTXDUMP_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "event.h"
#include "evtx.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_evtx_dump_options {
    int xml;                 /**< XML instead of event-model JSON lines */
    int carve;               /**< also records in chunk slack and in blocks that are no chunk */
    unsigned threads;        /**< 0: all cores */
    volatile int *stop;      /**< set (by a signal) to stop early */
    sk_time quiet_gap;       /**< a silence longer than this splits the coverage (0: SK_EVTX_QUIET_GAP) */
    const sk_tz *local;      /**< JSON logs: the zone of NXLog's local EventTime (NULL: UTC) */
    /** Diagnostics (one line each, no newline): file offsets of what could not be read. */
    void (*diag)(void *ctx, const char *line);
    void *diag_ctx;
    /** At most this many diagnostics a file (0: SK_EVTX_DIAG_MAX); the rest are counted
     * by kind in one closing line "PATH: N more diagnostics of this file not shown (...)". */
    unsigned max_diags;
    /** gzip/zstd inputs: decompress at most this many bytes (0: 1 GiB or 1000 times the
     * stored size, whichever is larger, at most 64 GiB): a compression bomb stops there. */
    uint64_t max_decoded;
    /** Called as an input is read, in order, with the bytes just done (a chunk, a
     * block of lines): for a progress display. */
    void (*progress)(void *ctx, uint64_t bytes);
    void *progress_ctx;
} sk_evtx_dump_options;

/** The default cap on one file's diagnostic lines: a hostile file (64 MiB of fake record
 * signatures) would otherwise print millions. */
#define SK_EVTX_DIAG_MAX 100

/** The default silence that splits a file's time coverage: 6 hours (a domain-joined
 * host's Security log is seldom quieter). */
#define SK_EVTX_QUIET_GAP ((sk_time)6 * 3600 * SK_NS_PER_SEC)

/** A span of time with records, [from, to] (to: the last record's time). */
typedef struct sk_evtx_span {
    sk_time from, to;
} sk_evtx_span;

/** A record-id jump: ids after+1 .. before-1 are missing. */
typedef struct sk_evtx_gap {
    uint64_t after, before;
    sk_time from, to;        /**< the times of the records around it */
} sk_evtx_gap;

/** A log clear (Security 1102, System 104). */
typedef struct sk_evtx_clear {
    sk_time time;
    size_t stream;          /**< the file's stream (sk_evtx_file_stats.streams) it was recorded in; SIZE_MAX: none */
    unsigned event_id;
    uint64_t record_id, offset, line;  /**< offset (EVTX, has_offset) or line (JSON logs) */
    int has_offset;
    char channel[128], user[256], user_sid[96];
} sk_evtx_clear;

/** One id run of a stream (a chunk's records), for the gaps between runs. */
typedef struct sk_evtx_run {
    uint64_t first, last;
    sk_time t_first, t_last;
} sk_evtx_run;

/** One stream of an input: the records of one Channel and Computer. Record ids count
 * per stream, so gaps are per stream; a file that merges channels or hosts has many. */
typedef struct sk_evtx_stream {
    char channel[128], computer[256];
    uint64_t records;
    int any_id;                  /**< records had ids: id_first..id_last (lowest, highest) */
    uint64_t id_first, id_last, id_prev;
    sk_time t_first, t_last, t_min, t_max;
    int unordered;               /**< ids that went backwards (a shipper's order, not the log's) */
    sk_evtx_gap *gaps;           /**< in id order once finished */
    size_t n_gaps, cap_gaps;
    uint64_t gaps_dropped;       /**< past the cap: counted, not listed */
    sk_evtx_span *spans;         /**< sorted, merged once finished */
    size_t n_spans, cap_spans;
    sk_evtx_run *runs;           /**< the reader's own: id runs of the parts folded in */
    size_t n_runs, cap_runs;
} sk_evtx_stream;

/** Streams being put together (the reader's own; sk_evtx_file_stats.acc). */
typedef struct sk_evtx_streams {
    sk_evtx_stream *s;
    size_t n, cap, last;
    size_t max_streams, max_gaps, max_spans;
    uint64_t streams_dropped;    /**< records of streams past the cap */
    sk_time quiet_gap;
} sk_evtx_streams;

/** What one file held. */
typedef struct sk_evtx_file_stats {
    char sha256[65];
    uint64_t size;          /**< the bytes the SHA-256 covers: the file's size when it was hashed */
    uint64_t chunks, chunks_bad, records, records_recovered, records_carved, errors;
    int shrank;             /**< the file shrank while being read: bytes from shrank_to on were not read */
    uint64_t shrank_to;
    uint64_t chunks_lost;   /**< EVTX chunks not read because the file shrank (also in chunks_bad) */
    int decode_incomplete;  /**< a compressed input whose decompression stopped early (damage, a bomb's bound) */
    int changed;            /**< size, modification or change time moved while the file was read: another
                                 process wrote it, so its events need not be of the bytes its SHA-256 is of */
    uint64_t carve_failed;  /**< --carve: record signatures found whose rest could not be read */
    uint64_t id_min, id_max;
    sk_time time_min, time_max;
    sk_evtx_header header;
    int header_ok;
    char channel[128], computer[256];  /**< from the first record */
    sk_evtx_gap *gaps;
    size_t n_gaps;
    sk_evtx_clear *clears;
    size_t n_clears;
    sk_evtx_span *spans;               /**< sorted, merged */
    size_t n_spans;
    /** Per (Channel, Computer): what the coverage records are written from. The
     * file-wide gaps and spans above are these streams' together. */
    sk_evtx_streams streams;
    /** Every record as one sequence, whatever its stream: when it explains the ids with
     * fewer missing records than the streams do, the file numbers its records across
     * its channels (ids_shared) and its gaps are this sequence's, on the first stream. */
    sk_evtx_streams all;
    int ids_shared;
    int from_shipper;                  /**< a JSON log: record-id gaps are a shipper's filtering */
} sk_evtx_file_stats;

/* ---- sources and sinks ---- */

/** An input as the scanner reads it. */
typedef struct sk_event_input {
    const char *path;     /**< as given, or as found in a folder */
    const char *sha256;   /**< of the stored bytes (lower-case hex) */
    uint64_t size;        /**< the bytes the SHA-256 covers */
    int kind;             /**< 1 EVTX, 2 JSON lines */
    uint64_t index;       /**< 0-based, in scan order */
    const char *decoded;  /**< "gzip", "zstd", "stdin" (spooled), or NULL: locators are into the stored bytes */
    uint64_t limit;       /**< hashed ahead: the bytes the SHA-256 covers, read no further (0: none) */
} sk_event_input;

/** Inputs as given on a command line, expanded: folders searched recursively (event
 * logs recognised by content), globs the shell left alone, "-" kept. */
typedef struct sk_event_inputs {
    char **paths;
    unsigned char *in_folder; /**< 1: found in a folder (opened without following a link) */
    size_t n, cap;
    uint64_t not_logs, links, special, unreadable; /**< what the folders held besides event logs */
} sk_event_inputs;

typedef struct sk_event_inputs_options {
    void (*diag)(void *ctx, const char *line); /**< one line each: what was skipped and why */
    void *diag_ctx;
    int any_file;         /**< folders: every regular file (text logs of other kinds), not only event logs */
} sk_event_inputs_options;

/** One input opened to be read as stored or, for gzip, zstd and standard input,
 * decompressed into an unlinked temporary file (the same bounds as the event reader). */
typedef struct sk_input_file {
    int fd;               /**< reads the (decompressed) bytes from offset 0 */
    const char *decoded;  /**< "gzip", "zstd", "stdin", or NULL */
    int have_sha256;      /**< sha256 is set (decoded inputs: the stored bytes'); else hash what fd reads */
    char sha256[65];
    int bomb;             /**< decompression stopped at its bound: the input is incomplete */
    char why[300];        /**< a decompression problem, or "" */
} sk_input_file;

/** Open an input (in_folder: found in a folder, opened without following a link). */
int sk_input_open(const char *path, int in_folder, sk_input_file *out);
void sk_input_close(sk_input_file *f);

/** Expand args into *out (sk_event_inputs_free()); 0, or an error (out of memory). */
int sk_event_inputs_expand(char *const *args, size_t n, const sk_event_inputs_options *o, sk_event_inputs *out);
void sk_event_inputs_free(sk_event_inputs *l);

/**
 * Where events go. `event` is called on the worker thread that built the view (chunks
 * of an EVTX file are parsed in parallel): the view and its strings live only during
 * the call; whatever the sink appends to `out` is passed to `write` in input order
 * (the events of a file in file order, files in the order scanned), one call at a
 * time. A non-zero return from `event` makes the event an error (counted, with the
 * message of sk_error_last() as a diagnostic). `input_end` follows an input's last
 * write, with its stats. Any member may be NULL.
 */
typedef struct sk_event_sink {
    void *ctx;
    int (*event)(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out);
    int (*write)(void *ctx, const void *data, size_t n);
    void (*input_end)(void *ctx, const sk_event_input *in, const sk_evtx_file_stats *st);
} sk_event_sink;

typedef struct sk_event_scanner sk_event_scanner;

/** A scanner for many inputs: one pool of o->threads workers and one window of
 * ordered output, shared by every input scanned with it. `o` and `sink` must outlive it. */
int sk_event_scanner_new(sk_event_scanner **out, const sk_evtx_dump_options *o, const sk_event_sink *sink);

/**
 * Scan one input, EVTX or JSON lines (told by its first bytes) into the sink: the
 * file is opened once, as sk_file_open() opens evidence, hashed, and read from that
 * descriptor. *kind gets 1 for EVTX, 2 for JSON lines, 0 when the file could not be
 * opened. Errors as sk_events_dump(). *stats is always initialised.
 */
int sk_event_scan(sk_event_scanner *sc, const char *path, sk_evtx_file_stats *stats, int *kind);

/** sk_event_scan() for an input found in a folder (in_folder 1: a symbolic link is
 * refused), "-" (standard input) or a gzip/zstd file (decompressed first). */
int sk_event_scan_input(sk_event_scanner *sc, const char *path, int in_folder, sk_evtx_file_stats *stats, int *kind);

/** The same for an input the caller opened (a regular file: the descriptor is read
 * with pread and left open), `want` 0 (told from the bytes), 1 EVTX or 2 JSON lines. */
int sk_event_scan_fd(sk_event_scanner *sc, const char *path, int fd, int want, sk_evtx_file_stats *stats, int *kind);

/** Called after each input of sk_event_scan_inputs(), in order: rc 0 with its stats,
 * or the error (its message in sk_error_last()). */
typedef void (*sk_event_input_done)(void *ctx, size_t i, const char *path, int rc, const sk_evtx_file_stats *stats, int kind);

/**
 * Scan every input of the list, in order, as sk_event_scan_input() would, but with
 * the next input opened, hashed (and decompressed) by a second thread while the one
 * before is parsed: no serial hashing pass. Stops early when o->stop is set. 0, or an
 * error of the scan itself (out of memory, a thread that cannot start).
 */
int sk_event_scan_inputs(sk_event_scanner *sc, const sk_event_inputs *ins, sk_event_input_done done, void *ctx);

void sk_event_scanner_free(sk_event_scanner *sc);

/** The dump sink's state: what it writes, where. */
typedef struct sk_event_dump_ctx {
    const sk_evtx_dump_options *o; /**< o->xml: XML instead of JSON lines */
    FILE *out;
} sk_event_dump_ctx;

/** The dump sink: each event as its event-model JSON line, or as XML with o->xml,
 * written to ctx->out. Fills *sink (ctx must outlive its use). */
void sk_event_dump_sink(sk_event_sink *sink, sk_event_dump_ctx *ctx);

/* ---- selecting events ---- */

/** Which events to keep: every condition given must hold (lists: any of their items). */
typedef struct sk_event_filter {
    sk_time since, until;          /**< [since, until): SK_TIME_NONE for no bound; events without a time never match a bound */
    const uint32_t *id_ranges;     /**< pairs lo, hi of event ids (inclusive) */
    size_t n_id_ranges;
    const char *const *channels;   /**< equal, ignoring ASCII case */
    size_t n_channels;
    const char *const *providers;  /**< equal, ignoring ASCII case */
    size_t n_providers;
    const char *const *computers;  /**< equal ignoring ASCII case, or equal to the name before the first dot */
    size_t n_computers;
    const char *search;            /**< a substring, ignoring ASCII case, of any value (System, EventData, UserData, message) */
} sk_event_filter;

/** An empty filter (everything matches). */
void sk_event_filter_init(sk_event_filter *f);

/** 1 when the event is kept. */
int sk_event_filter_match(const sk_event_filter *f, const sk_event *ev);

/** Parse "4688", "4624,4625", "4600-4699" (comma-separated) into pairs: 0, or SK_EINVAL
 * with a message. *out is allocated (free it). */
int sk_event_id_ranges_parse(const char *s, uint32_t **out, size_t *n_pairs);

/**
 * Dump one input, EVTX or JSON lines (told by its first bytes), to out: the file is
 * opened once, as sk_file_open() opens evidence (a FIFO, a directory or a device is
 * refused at once, the access time is left alone where permitted), and read from that
 * descriptor. *kind gets 1 for EVTX (or anything that is not JSON lines), 2 for JSON
 * lines, 0 when the file could not be opened. Errors as sk_evtx_dump_file() and
 * sk_events_dump_jsonl(); with o->xml a JSON-lines log is written as XML too (sakimori's
 * own lines read back as XML rebuilt from the view). *stats is always
 * initialised (free it with sk_evtx_file_stats_free()).
 */
int sk_events_dump(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *stats, int *kind);

/**
 * Dump one file to out. Returns 0 when the file could be read (damage inside is
 * reported through diag and counted in stats->errors; a file that shrinks while it is
 * read is read up to its new end, said once and counted), or SK_EIO/SK_EFORMAT when it
 * could not be opened or is no EVTX file at all. *stats is always initialised.
 */
int sk_evtx_dump_file(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *stats);

/**
 * Dump a JSON-lines event log (Winlogbeat, NXLog, or sakimori's own events) to out in
 * the event model, one line per record; a line that is no event is a diagnostic
 * ("file:line: ...") and the rest is read. Lines longer than 16 MiB are skipped. An
 * event whose time is missing or unreadable is written with a time_quality that says
 * so, and a diagnostic; repeated keys in a record (the first is used) are said once per
 * file. Only the bytes hashed are read (a growing log is not followed). *stats is always
 * initialised.
 */
int sk_events_dump_jsonl(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *stats);

/** Free what the stats hold (they stay usable, empty); NULL is fine. */
void sk_evtx_file_stats_free(sk_evtx_file_stats *s);

/** Append the file's coverage records (docs/formats/coverage.md), one JSON line per
 * stream (Channel and Computer) it holds: source evtx:<Channel>, host as written,
 * intervals, record ids and their gaps (a JSON log's with reason shipper_filtered), log
 * clears, wrapping. Nothing for a file without records. */
int sk_evtx_coverage_write(sk_buf *out, const sk_evtx_file_stats *s);

#ifdef __cplusplus
}
#endif
#endif
