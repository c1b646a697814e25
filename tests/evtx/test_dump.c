/*
 * test_dump.c - unit tests of whole-file reading (sakimori/evtxdump.h) that need a
 * hand on the file while it is read: an input truncated between the hashing pass and
 * the reading pass, deterministically (the output stream's first write truncates it:
 * by then the file is hashed, and the reader cannot have read more than its ring of
 * chunks ahead), for EVTX and for JSON lines; NULL-safe frees; the terminal escape of
 * C1 controls and U+2028/U+2029; a list of inputs scanned with the next one hashed
 * ahead (sk_event_scan_inputs) giving what the one-file reader gives.
 *
 *     test_dump LOG.EVTX TMPDIR     (LOG.EVTX from tests/fixtures/evtx/make_evtx.py)
 *
 * Prints "N passed, N failed" like tests/unit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/escape.h>
#include <sakimori/event.h>
#include <sakimori/evtxdump.h>

static int passed, failed;

#define CHECK(c)                                                                                                                 \
    do {                                                                                                                         \
        if (c) passed++;                                                                                                         \
        else {                                                                                                                   \
            failed++;                                                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                                         \
        }                                                                                                                        \
    } while (0)

/* ---- an output stream that truncates the input on its first write ---- */

typedef struct trunc_out {
    const char *path;
    off_t to;
    int done;
    size_t bytes;
} trunc_out;

static ssize_t trunc_write(void *c, const char *buf, size_t n)
{
    trunc_out *t = c;
    (void)buf;
    if (!t->done) {
        t->done = 1;
        if (truncate(t->path, t->to)) perror("truncate");
    }
    t->bytes += n;
    return (ssize_t)n;
}

static FILE *trunc_stream(trunc_out *t)
{
    cookie_io_functions_t io = {.write = trunc_write};
    FILE *f = fopencookie(t, "w", io);
    if (f) setvbuf(f, NULL, _IONBF, 0); /* every fwrite reaches trunc_write */
    return f;
}

/* diagnostics collected */
typedef struct diags {
    char lines[64][700];
    int n, total;
} diags;

static void on_diag(void *ctx, const char *line)
{
    diags *d = ctx;
    if (d->n < 64) snprintf(d->lines[d->n++], sizeof d->lines[0], "%s", line);
    d->total++;
}

static int count_with(const diags *d, const char *needle)
{
    int k = 0;
    for (int i = 0; i < d->n; i++) k += strstr(d->lines[i], needle) != NULL;
    return k;
}

static int copy_range(FILE *dst, const char *src, long off, long len)
{
    FILE *f = fopen(src, "rb");
    if (!f) return -1;
    char *b = malloc((size_t)len);
    int rc = !b || fseek(f, off, SEEK_SET) || fread(b, 1, (size_t)len, f) != (size_t)len || fwrite(b, 1, (size_t)len, dst) != (size_t)len;
    free(b);
    fclose(f);
    return rc ? -1 : 0;
}

/* An EVTX file of 12 chunks (log.evtx's first chunk, 12 times) cut at chunk 6 while the
 * dump runs: one line says so, no read errors, the 6 chunks after the cut counted. */
static void evtx_shrinks(const char *log, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/shrinking.evtx", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f && !copy_range(f, log, 0, 4096));
    for (int i = 0; f && i < 12; i++) CHECK(!copy_range(f, log, 4096, 65536));
    if (f) fclose(f);
    const long full = 4096 + 12L * 65536, cut = 4096 + 6L * 65536;
    trunc_out t = {.path = path, .to = cut};
    FILE *out = trunc_stream(&t);
    diags d = {.n = 0};
    sk_evtx_dump_options o = {.threads = 1, .diag = on_diag, .diag_ctx = &d};
    sk_evtx_file_stats s;
    int kind = 0;
    CHECK(out && sk_events_dump(path, &o, out, &s, &kind) == 0);
    if (out) fclose(out);
    CHECK(kind == 1);
    char want[5000];
    snprintf(want, sizeof want, "%s: file shrank from %ld to %ld bytes while being read; records after offset %ld not read", path, full,
             cut, cut);
    CHECK(d.total == 1 && d.n == 1 && !strcmp(d.lines[0], want));
    if (d.n != 1 || strcmp(d.lines[0], want))
        for (int i = 0; i < d.n; i++) fprintf(stderr, "  diag: %s\n", d.lines[i]);
    CHECK(count_with(&d, "read error") == 0);
    CHECK(s.shrank && s.shrank_to == (uint64_t)cut && s.size == (uint64_t)full);
    CHECK(s.chunks == 6 && s.chunks_bad == 6 && s.chunks_lost == 6);
    CHECK(s.errors == 1);
    CHECK(s.records > 0 && s.records % 6 == 0); /* six whole chunks' records */
    /* the coverage record says the tail was not read (not that the log fell silent) */
    sk_buf cov;
    sk_buf_init(&cov, 1 << 20);
    CHECK(sk_evtx_coverage_write(&cov, &s) == 0);
    char inc[200];
    snprintf(inc, sizeof inc, "\"incomplete\":{\"reason\":\"shrank_while_read\",\"size\":%ld,\"read_to\":%ld,\"chunks_lost\":6}",
             full, cut);
    CHECK(cov.data && strstr(cov.data, inc) != NULL);
    sk_buf_free(&cov);
    sk_evtx_file_stats_free(&s);
}

/* A JSON-lines log of 6000 equal lines (over 1 MiB, the reader's block) cut at line
 * 5000's end while it is read: 5000 events, one line, no error per line. */
static void jsonl_shrinks(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/shrinking.jsonl", dir);
    FILE *f = fopen(path, "wb");
    const char *ev = "{\"@timestamp\":\"2026-06-03T11:02:19.441Z\",\"winlog\":{\"channel\":\"Security\",\"computer_name\":\"h\","
                     "\"event_id\":4688,\"event_data\":{\"CommandLine\":\"cmd.exe /c echo padding padding padding padding padding "
                     "padding padding padding padding padding padding padding padding padding padding padding padding\"}}}\n";
    size_t len = strlen(ev);
    for (int i = 0; f && i < 6000; i++) fputs(ev, f);
    if (f) fclose(f);
    CHECK(6000 * len > ((size_t)1 << 20) && 5000 * len > ((size_t)1 << 20)); /* the cut lies after the first block */
    trunc_out t = {.path = path, .to = (off_t)(5000 * len)};
    FILE *out = trunc_stream(&t);
    diags d = {.n = 0};
    sk_evtx_dump_options o = {.diag = on_diag, .diag_ctx = &d};
    sk_evtx_file_stats s;
    int kind = 0;
    CHECK(out && sk_events_dump(path, &o, out, &s, &kind) == 0);
    if (out) fclose(out);
    CHECK(kind == 2);
    char want[5000];
    snprintf(want, sizeof want, "%s: file shrank from %zu to %zu bytes while being read; lines after offset %zu not read", path,
             6000 * len, 5000 * len, 5000 * len);
    CHECK(d.total == 1 && d.n == 1 && !strcmp(d.lines[0], want));
    if (d.n != 1 || strcmp(d.lines[0], want))
        for (int i = 0; i < d.n; i++) fprintf(stderr, "  diag: %s\n", d.lines[i]);
    CHECK(s.records == 5000 && s.errors == 1 && s.shrank && s.shrank_to == 5000 * len && s.size == 6000 * len);
    sk_evtx_file_stats_free(&s);
}

/* A JSON-lines log that grows while it is read: only the bytes hashed are read. */
typedef struct grow_out {
    const char *path;
    int done;
} grow_out;

static ssize_t grow_write(void *c, const char *buf, size_t n)
{
    grow_out *g = c;
    (void)buf;
    if (!g->done) {
        g->done = 1;
        FILE *f = fopen(g->path, "ab");
        if (f) {
            fputs("{\"EventID\": 1, \"EventTime\": \"2026-06-03 20:02:19\"}\n", f);
            fclose(f);
        }
    }
    return (ssize_t)n;
}

static ssize_t rewrite_write(void *c, const char *buf, size_t n)
{
    grow_out *g = c;
    (void)buf;
    if (!g->done) {
        g->done = 1;
        FILE *f = fopen(g->path, "r+b");
        if (f) {
            fputs("{\"EventID\": 2", f); /* the first event is another one now */
            fclose(f);
        }
    }
    return (ssize_t)n;
}

/* Dump `path` (one thread) to an unbuffered stream whose first write calls `hook` -
 * another process writing the input while it is read. Returns what sk_events_dump does. */
static int dump_with_hook(const char *path, ssize_t (*hook)(void *, const char *, size_t), diags *d,
                          sk_evtx_file_stats *s, int *kind)
{
    grow_out g = {.path = path};
    cookie_io_functions_t io = {.write = hook};
    FILE *out = fopencookie(&g, "w", io);
    if (!out) return -1;
    setvbuf(out, NULL, _IONBF, 0);
    sk_evtx_dump_options o = {.threads = 1, .diag = on_diag, .diag_ctx = d};
    int rc = sk_events_dump(path, &o, out, s, kind);
    fclose(out);
    return rc;
}

static void jsonl_grows(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/growing.jsonl", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("{\"EventID\": 1, \"EventTime\": \"2026-06-03 20:02:19\"}\n", f);
        fclose(f);
    }
    diags d = {.n = 0};
    sk_evtx_file_stats s;
    int kind = 0;
    CHECK(dump_with_hook(path, grow_write, &d, &s, &kind) == 0);
    CHECK(s.records == 1 && !s.shrank && !s.changed && s.errors == 0);
    const size_t ll = strlen("{\"EventID\": 1, \"EventTime\": \"2026-06-03 20:02:19\"}\n");
    char want[5000];
    snprintf(want, sizeof want, "%s: grew from %zu to %zu bytes while being read: the first %zu (hashed) were read, the rest not",
             path, ll, 2 * ll, ll);
    CHECK(d.total == 1 && !strcmp(d.lines[0], want));
    sk_evtx_file_stats_free(&s);
}

/* ... and one rewritten in place (same size, other bytes) while it is read: said once,
 * an error, changed in the stats and in the coverage record. */
static void jsonl_rewritten(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rewritten.jsonl", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("{\"EventID\": 1, \"EventTime\": \"2026-06-03 20:02:19\", \"Channel\": \"Security\", \"Hostname\": \"h\"}\n", f);
        fclose(f);
    }
    diags d = {.n = 0};
    sk_evtx_file_stats s;
    int kind = 0;
    CHECK(dump_with_hook(path, rewrite_write, &d, &s, &kind) == 0);
    CHECK(s.records == 1 && s.changed && s.errors == 1);
    const size_t ll = strlen("{\"EventID\": 1, \"EventTime\": \"2026-06-03 20:02:19\", \"Channel\": \"Security\", \"Hostname\": \"h\"}\n");
    char want[5000];
    snprintf(want, sizeof want, "%s: changed while being read (size %zu then %zu, modified, status changed): the events are of the"
             " first %zu bytes as they were read, which need not be the bytes the SHA-256 is of", path, ll, ll, ll);
    CHECK(d.total == 1 && !strcmp(d.lines[0], want));
    if (d.total != 1 || strcmp(d.lines[0], want))
        for (int i = 0; i < d.n; i++) fprintf(stderr, "  diag: %s\n", d.lines[i]);
    sk_evtx_file_stats_free(&s);
}

/* An EVTX file whose last chunk is overwritten in place while it is read: its coverage
 * record says changed_while_read. */
static void evtx_rewritten(const char *log, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rewritten.evtx", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f && !copy_range(f, log, 0, 4096));
    for (int i = 0; f && i < 4; i++) CHECK(!copy_range(f, log, 4096, 65536));
    if (f) fclose(f);
    diags d = {.n = 0};
    sk_evtx_file_stats s;
    int kind = 0;
    CHECK(dump_with_hook(path, rewrite_write, &d, &s, &kind) == 0);
    CHECK(kind == 1 && s.changed && count_with(&d, "changed while being read") == 1);
    sk_buf cov;
    sk_buf_init(&cov, 1 << 20);
    CHECK(sk_evtx_coverage_write(&cov, &s) == 0 && cov.data && strstr(cov.data, "\"changed_while_read\":true"));
    sk_buf_free(&cov);
    sk_evtx_file_stats_free(&s);
}

/* Frees accept NULL and leave the stats empty and usable. */
static void frees(void)
{
    sk_evtx_file_stats_free(NULL);
    sk_evtx_file_stats s;
    memset(&s, 0, sizeof s);
    s.gaps = malloc(sizeof *s.gaps);
    s.n_gaps = 1;
    sk_evtx_file_stats_free(&s);
    CHECK(!s.gaps && !s.n_gaps);
    sk_evtx_file_stats_free(&s); /* twice is fine */
    /* stats are initialised even when the file cannot be opened */
    memset(&s, 0x5a, sizeof s);
    int kind = 9;
    sk_evtx_dump_options o = {0};
    CHECK(sk_events_dump("/nonexistent/x.evtx", &o, stdout, &s, &kind) != 0);
    CHECK(kind == 0 && !s.gaps && !s.clears && !s.spans && !s.records);
    sk_evtx_file_stats_free(&s);
}

/* The terminal escape the CLI prints diagnostics through: C1 controls (a CSI, NEL) and
 * the Unicode line and paragraph separators are made visible. */
/* ---- sk_event_scan_inputs: the next input hashed ahead ---- */

typedef struct seen {
    size_t n;
    size_t idx[8];
    int rc[8];
    char sha[8][65];
    uint64_t records[8];
} seen;

static void on_done(void *ctx, size_t i, const char *path, int rc, const sk_evtx_file_stats *st, int kind)
{
    (void)path, (void)kind;
    seen *s = ctx;
    if (s->n >= 8) return;
    s->idx[s->n] = i;
    s->rc[s->n] = rc;
    memcpy(s->sha[s->n], st->sha256, 65);
    s->records[s->n] = st->records;
    s->n++;
}

static int cat_sink(void *ctx, const void *data, size_t n)
{
    return sk_buf_append(ctx, data, n);
}

static int json_event(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out)
{
    (void)ctx, (void)in;
    return sk_event_write_json(out, ev);
}

/* Four inputs (an EVTX log, a JSON log, a missing file, the log again): done in order,
 * each with the SHA-256 the one-file reader gives, the same events in the same order. */
static void scan_inputs_prefetched(const char *log, const char *dir)
{
    char json[4096], missing[4096];
    snprintf(json, sizeof json, "%s/prefetch.jsonl", dir);
    snprintf(missing, sizeof missing, "%s/no-such.evtx", dir);
    FILE *f = fopen(json, "w");
    for (int i = 0; f && i < 50; i++)
        fprintf(f, "{\"@timestamp\":\"2026-06-03T11:02:%02d.000Z\",\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,"
                   "\"computer_name\":\"h\",\"record_id\":%d}}\n", i, 100 + i);
    if (f) fclose(f);
    char *paths[4] = {(char *)log, json, missing, (char *)log};
    unsigned char folder[4] = {0};
    sk_event_inputs ins = {.paths = paths, .in_folder = folder, .n = 4, .cap = 4};
    sk_buf got, want;
    sk_buf_init(&got, 0);
    sk_buf_init(&want, 0);
    diags d = {.n = 0};
    sk_evtx_dump_options o = {.threads = 2, .diag = on_diag, .diag_ctx = &d};
    sk_event_sink sink = {.ctx = &got, .event = json_event, .write = cat_sink};
    sk_event_scanner *sc = NULL;
    CHECK(sk_event_scanner_new(&sc, &o, &sink) == 0);
    seen s = {0};
    CHECK(sc && sk_event_scan_inputs(sc, &ins, on_done, &s) == 0);
    sk_event_scanner_free(sc);
    CHECK(s.n == 4);
    for (size_t i = 0; i < s.n; i++) CHECK(s.idx[i] == i);
    CHECK(s.rc[0] == 0 && s.rc[1] == 0 && s.rc[2] != 0 && s.rc[3] == 0);
    CHECK(s.records[1] == 50 && s.records[0] > 0 && s.records[0] == s.records[3]);
    /* the one-file reader, input by input */
    sk_event_sink one = {.ctx = &want, .event = json_event, .write = cat_sink};
    for (int i = 0; i < 4; i++) {
        if (i == 2) continue;
        sk_event_scanner *sc1 = NULL;
        sk_evtx_file_stats st;
        int kind;
        CHECK(sk_event_scanner_new(&sc1, &o, &one) == 0);
        CHECK(sc1 && sk_event_scan(sc1, paths[i], &st, &kind) == 0);
        CHECK(!strcmp(st.sha256, s.sha[i]));
        sk_evtx_file_stats_free(&st);
        sk_event_scanner_free(sc1);
    }
    CHECK(got.len == want.len && got.len && !memcmp(got.data, want.data, got.len));
    sk_buf_free(&got);
    sk_buf_free(&want);
}

static void terminal_c1(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char *in = "a\xc2\x9b[31mb\xc2\x85" "c\xe2\x80\xa8" "d\xe2\x80\xa9" "e\xc2\xa0";
    CHECK(sk_escape_terminal_ex(&b, in, strlen(in), SK_ESC_KEEP_BACKSLASH) == 0);
    CHECK(b.data && !strcmp(b.data, "a\\u009b[31mb\\u0085c\\u2028d\\u2029e\xc2\xa0"));
    sk_buf_free(&b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_dump LOG.EVTX TMPDIR\n");
        return 2;
    }
    evtx_shrinks(argv[1], argv[2]);
    jsonl_shrinks(argv[2]);
    jsonl_grows(argv[2]);
    jsonl_rewritten(argv[2]);
    evtx_rewritten(argv[1], argv[2]);
    frees();
    scan_inputs_prefetched(argv[1], argv[2]);
    terminal_c1();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
