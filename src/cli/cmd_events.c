/*
 * cmd_events.c - `sakimori events` (and `sakimori evtx dump`, the same reader): Windows
 * event logs of any input and shape into events, selected (time, ids, channel,
 * provider, computer, a keyword), as JSON lines, XML or a CSV timeline, in input order
 * or sorted by time across every input with bounded memory.
 *
 * One scanner reads every input (folders expanded first); the selection and the
 * rendering run on its worker threads (the output sink here), and what they render
 * comes back in input order - or, with --sort time, goes through an external sort
 * first. Progress goes to stderr when it is a terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sakimori/sakimori.h>
#include <sakimori/evtxdump.h>

#include "cli.h"

static volatile int stop_requested;
static const char *cmd_name = "events";

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- progress: files, bytes, rate, on a terminal ---- */

typedef struct progress {
    int on, shown;
    size_t files, done;
    uint64_t bytes;
    struct timespec start, last;
} progress;

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_show(progress *p, int force)
{
    if (!p->on) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!force && since(&p->last, &now) < 0.25) return;
    p->last = now;
    double el = since(&p->start, &now);
    double mib = (double)p->bytes / 1048576.0;
    fprintf(stderr, "\r\033[K%s: %zu/%zu inputs, %.1f MiB, %.1f MiB/s", cmd_name, p->done, p->files, mib, el > 0 ? mib / el : 0.0);
    fflush(stderr);
    p->shown = 1;
}

static void progress_bytes(void *ctx, uint64_t n)
{
    progress *p = ctx;
    p->bytes += n;
    progress_show(p, 0);
}

static void progress_clear(progress *p)
{
    if (p->shown) fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

static progress prog;

static void diag(void *ctx, const char *line)
{
    (void)ctx;
    progress_clear(&prog);
    sk_cli_error(cmd_name, "%s", line);
}

/* "<cmd>: <line>" on stderr, escaped for the terminal (paths come from the evidence). */
static void say(const char *line)
{
    progress_clear(&prog);
    sk_buf e;
    sk_buf_init(&e, 8192);
    if (!sk_escape_terminal_ex(&e, line, strlen(line), SK_ESC_KEEP_BACKSLASH) && e.data) fprintf(stderr, "%s: %s\n", cmd_name, e.data);
    sk_buf_free(&e);
}

static void summary(const char *path, const sk_evtx_file_stats *s)
{
    char a[SK_TIME_ISO_MAX] = "-", b[SK_TIME_ISO_MAX] = "-";
    if (s->time_min != SK_TIME_NONE) sk_time_format(a, s->time_min, 0);
    if (s->time_max != SK_TIME_NONE) sk_time_format(b, s->time_max, 0);
    uint64_t missing = 0;
    for (size_t i = 0; i < s->n_gaps; i++) missing += s->gaps[i].before - s->gaps[i].after - 1;
    char carve[64] = "";
    if (s->carve_failed) snprintf(carve, sizeof carve, ", %llu carved fragments unreadable", (unsigned long long)s->carve_failed);
    char line[1200];
    snprintf(line, sizeof line,
             "%s: %llu records (%llu recovered, %llu carved%s), %llu errors; chunks %llu (%llu unreadable); record ids "
             "%llu-%llu, %zu gaps (%llu missing); %s to %s; %zu log clears%s%s",
             path, (unsigned long long)s->records, (unsigned long long)s->records_recovered, (unsigned long long)s->records_carved,
             carve, (unsigned long long)s->errors, (unsigned long long)s->chunks, (unsigned long long)s->chunks_bad,
             (unsigned long long)s->id_min, (unsigned long long)s->id_max, s->n_gaps, (unsigned long long)missing, a, b,
             s->n_clears, s->header_ok && (s->header.flags & SK_EVTX_DIRTY) ? "; dirty" : "",
             s->header_ok && (s->header.flags & SK_EVTX_FULL) ? "; full (wrapping)" : "");
    if (s->streams.n > 1) { /* a merged log: ids and gaps are per channel and host */
        size_t len = strlen(line);
        snprintf(line + len, sizeof line - len, "; %zu streams (channel and host)%s", s->streams.n,
                 s->ids_shared ? ", numbered as one sequence" : "");
    }
    if (s->shrank) {
        size_t len = strlen(line);
        snprintf(line + len, sizeof line - len, "; shrank to %llu bytes while read (%llu chunks not read)",
                 (unsigned long long)s->shrank_to, (unsigned long long)s->chunks_lost);
    }
    say(line);
}

/* ---- the output sink: selection, rendering, order ---- */

enum { FMT_JSONL, FMT_XML, FMT_CSV, FMT_COUNT };

typedef struct out_sink {
    int format;
    uint64_t counted, value_bytes, value_sum; /* --count: events, and every value's bytes read */
    const sk_event_filter *filter;
    FILE *out;
    sk_extsort *sorter; /* --sort time */
    int err;            /* writing or sorting failed (errno, or an sk code for the sorter) */
    uint64_t kept;
} out_sink;

#define SORT_HEAD (sizeof(int64_t) + sizeof(uint32_t))

/* Every byte of a value, into c[1] (bytes) and c[2] (a sum no compiler can drop). */
static void touch(const char *s, size_t n, uint64_t *c)
{
    uint64_t h = c[2];
    for (size_t i = 0; i < n; i++) h = h * 31 + (unsigned char)s[i];
    c[1] += n;
    c[2] = h;
}

static void touch_value(const sk_event_value *v, uint64_t *c, int depth)
{
    if (v->kind == SK_EVK_ARRAY) {
        for (size_t i = 0; i < v->n_items && depth < 8; i++) touch_value(&v->items[i], c, depth + 1);
    } else if (v->s) {
        touch(v->s, v->n, c);
        if (v->kind == SK_EVK_INTEGER) c[2] += v->u;
    }
}

static void touch_event(const sk_event *ev, uint64_t *c)
{
    const sk_event_str s[] = {ev->time_text, ev->provider_name, ev->provider_guid, ev->channel, ev->computer, ev->user_id,
                              ev->keywords_text, ev->activity_id, ev->sha256};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i].s) touch(s[i].s, s[i].n, c);
    c[2] += (uint64_t)ev->time + ev->event_id + ev->record_id + ev->level + ev->task + ev->process_id;
    for (size_t i = 0; i < ev->n_fields; i++) {
        touch(ev->fields[i].name, ev->fields[i].name_len, c);
        touch_value(&ev->fields[i].v, c, 0);
    }
}

static int out_event(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out)
{
    (void)in;
    out_sink *o = ctx;
    if (!sk_event_filter_match(o->filter, ev)) return 0;
    if (o->format == FMT_COUNT) { /* every value read, so that the count costs what a consumer pays */
        uint64_t c[3] = {1, 0, 0};
        touch_event(ev, c);
        return sk_buf_append(out, c, sizeof c);
    }
    size_t mark = out->len;
    if (o->sorter) { /* the sort key and the length come first: write() splits the run */
        char head[SORT_HEAD] = {0};
        if (sk_buf_append(out, head, sizeof head)) return sk_error_set(SK_ELIMIT, "too large to write");
    }
    int rc = o->format == FMT_XML ? sk_event_write_xml(out, ev) : o->format == FMT_CSV ? sk_event_write_csv(out, ev) : sk_event_write_json(out, ev);
    if (rc) {
        sk_buf_truncate(out, mark);
        return o->format == FMT_XML && !ev->xml ? rc : sk_error_set(SK_ELIMIT, "too large to write");
    }
    if (o->sorter) {
        int64_t key = ev->time;
        uint32_t len = (uint32_t)(out->len - mark - SORT_HEAD);
        memcpy(out->data + mark, &key, sizeof key);
        memcpy(out->data + mark + sizeof key, &len, sizeof len);
    }
    return 0;
}

static int out_write(void *ctx, const void *data, size_t n)
{
    out_sink *o = ctx;
    if (o->err) return 0;
    if (o->format == FMT_COUNT) {
        for (size_t i = 0; i + 3 * sizeof(uint64_t) <= n; i += 3 * sizeof(uint64_t)) {
            uint64_t c[3];
            memcpy(c, (const char *)data + i, sizeof c);
            o->counted += c[0], o->value_bytes += c[1], o->value_sum += c[2];
        }
        return 0;
    }
    if (!o->sorter) {
        if (fwrite(data, 1, n, o->out) != n) o->err = errno ? errno : EIO;
        return 0;
    }
    const char *p = data, *end = p + n;
    while (p + SORT_HEAD <= end) {
        int64_t key;
        uint32_t len;
        memcpy(&key, p, sizeof key);
        memcpy(&len, p + sizeof key, sizeof len);
        p += SORT_HEAD;
        if ((size_t)(end - p) < len) break;
        int rc = sk_extsort_add(o->sorter, key, p, len);
        if (rc) {
            o->err = -rc;
            say(sk_error_last());
            return 0;
        }
        p += len;
        o->kept++;
    }
    return 0;
}

static int sorted_out(void *ctx, int64_t key, const void *data, size_t n)
{
    (void)key;
    out_sink *o = ctx;
    return fwrite(data, 1, n, o->out) == n ? 0 : sk_error_set(SK_EIO, "writing the output: %s", strerror(errno));
}

/* ---- after each input: its summary, its coverage, the exit code ---- */

typedef struct run_ctx {
    int quiet, ex;
    FILE *cov;
} run_ctx;

static void input_done(void *ctx, size_t i, const char *path, int rc, const sk_evtx_file_stats *s, int kind)
{
    (void)i;
    run_ctx *r = ctx;
    prog.done++;
    progress_show(&prog, 0);
    if (rc) {
        progress_clear(&prog);
        sk_cli_error(cmd_name, "%s", sk_error_last());
        r->ex = sk_exit_merge(r->ex, sk_exit_from_error(rc));
        return;
    }
    if (!r->quiet && kind == 2) {
        char line[1200];
        snprintf(line, sizeof line, "%s: %llu events (JSON lines), %llu errors%s", path, (unsigned long long)s->records,
                 (unsigned long long)s->errors, s->shrank ? "; shrank while read" : "");
        say(line);
    } else if (!r->quiet) {
        summary(path, s);
    }
    if (s->errors) r->ex = sk_exit_merge(r->ex, SK_EXIT_INPUT);
    if (r->cov) {
        sk_buf cb;
        sk_buf_init(&cb, (size_t)64 << 20);
        if (!sk_evtx_coverage_write(&cb, s) && cb.len && fwrite(cb.data, 1, cb.len, r->cov) != cb.len)
            r->ex = sk_exit_merge(r->ex, SK_EXIT_INPUT);
        sk_buf_free(&cb);
    }
}

/* ---- options ---- */

/* An instant for --since/--until: ISO 8601 (UTC when it gives no zone), or a date. */
static int parse_when(const char *v, sk_time *out)
{
    char b[64];
    size_t n = strlen(v);
    if (n == 10 && v[4] == '-' && v[7] == '-') { /* a date: its midnight, UTC */
        snprintf(b, sizeof b, "%sT00:00:00Z", v);
        v = b;
        n = strlen(b);
    }
    sk_stamp st;
    if (sk_time_parse_iso8601(v, n, NULL, &st)) return -1;
    *out = st.utc;
    return 0;
}

typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

static int push(strlist *l, const char *s, size_t cap)
{
    if (!l->v && !(l->v = calloc(cap, sizeof *l->v))) return -1;
    l->v[l->n++] = s;
    return 0;
}

void cmd_events_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori events [OPTIONS] INPUT...\n"
            "\n"
            "Windows events from every input a responder has - EVTX files (read natively, damaged ones\n"
            "as far as they go), JSON logs of Winlogbeat, NXLog, the evtx crate or python-evtx, and\n"
            "this command's own output - as one event model (docs/formats/event.md), selected, on\n"
            "stdout. An INPUT is a file, a folder (searched recursively, logs recognised by content,\n"
            "symbolic links inside it not followed), a quoted glob, or - for standard input; gzip\n"
            "and zstd files are decompressed (their events name the stored file's SHA-256; offsets and\n"
            "lines, marked \"decoded\", are into the decompressed bytes). Each input's summary follows\n"
            "on stderr; damage is one line naming the file and offset or line. See docs/evtx.md.\n"
            "\n"
            "Selecting (every option given must hold):\n"
            "  --since TIME, --until TIME  the window [since, until): ISO 8601 (UTC without a zone) or\n"
            "                       a date (2026-06-03 is its midnight UTC)\n"
            "  --event-id LIST      ids and ranges: 4624,4625,4688-4689\n"
            "  --channel NAME, --provider NAME, --computer NAME\n"
            "                       equal, ignoring case (a computer also by its name before the first\n"
            "                       dot); repeat an option for several\n"
            "  --search TEXT        a keyword, ignoring case, in any value (System, EventData, UserData)\n"
            "\n"
            "Output:\n"
            "  --format jsonl|xml|csv  event-model JSON lines (default), Windows XML, or a CSV timeline\n"
            "                       (time, computer, channel, event_id, level, record_id, provider, details,\n"
            "                       sha256, locator; line breaks escaped, spreadsheet formulas defused)\n"
            "  --sort time          sorted by time across every input (stable: input order for equal\n"
            "                       times; events without a time first), in bounded memory: batches go to\n"
            "                       temporary files in TMPDIR and are merged\n"
            "  --sort-memory MIB    the memory --sort keeps events in before a batch is written (default 64)\n"
            "  --coverage FILE      each input's coverage records (docs/formats/coverage.md): per channel\n"
            "                       and computer, time intervals, record-id gaps, log clears\n"
            "  --quiet-gap HOURS    a silence longer than this splits the coverage intervals (default 6)\n"
            "  --count              only the number of events selected (every value of each is still\n"
            "                       read: what the typed event view costs, without rendering)\n"
            "  --quiet              no per-input summary, no progress\n"
            "\n"
            "Reading:\n"
            "  --carve              also records from chunk slack and from blocks that are no valid chunk\n"
            "  --threads N          chunks parsed in parallel (default: all cores)\n"
            "  --timezone ZONE      zone of local times without one (NXLog's EventTime): Asia/Tokyo, +09:00\n"
            "  --max-decompressed MIB  stop decompressing an input there (default: 1 GiB or 1000 times its\n"
            "                       stored size, at most 64 GiB): a compression bomb is cut off, said\n"
            "\n"
            "At most 100 diagnostics are shown per input; one closing line counts the rest by kind.\n"
            "Progress (inputs, bytes, rate) is shown on stderr when it is a terminal.\n"
            "\n"
            "Exit codes: 0 every record read, 2 usage error, 3 an input could not be read or held\n"
            "damage (see stderr), 4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori events --event-id 4688 --search chrome.exe logs/ | jq -r .EventData.CommandLine\n"
            "  sakimori events --sort time --format csv --since 2026-06-01 hosts/*/ > timeline.csv\n"
            "  sakimori events --channel 'Windows PowerShell' --computer ws-tky-0042 Security.evtx.zst\n"
            "  zcat winlogbeat.json.gz | sakimori events --provider Microsoft-Windows-Sysmon -\n");
}

int events_main(const char *cmd, int argc, char **argv, int first)
{
    cmd_name = cmd;
    sk_evtx_dump_options o = {.diag = diag};
    sk_event_filter filter;
    sk_event_filter_init(&filter);
    int quiet = 0, nfiles = 0, format = FMT_JSONL, sort = 0, ex = SK_EXIT_OK;
    size_t sort_mib = 64;
    uint32_t *ids = NULL;
    size_t n_ids = 0;
    sk_tz *tz = NULL;
    const char *coverage = NULL;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    strlist channels = {0}, providers = {0}, computers = {0};
    if (!files) return SK_EXIT_INTERNAL;
    int rc_usage = 0;
#define USAGE(...)                              \
    do {                                        \
        sk_cli_error(cmd, __VA_ARGS__);         \
        rc_usage = 1;                           \
        goto done;                              \
    } while (0)
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            if (!strcmp(cmd, "events")) cmd_events_help(stdout);
            else cmd_evtx_help(stdout);
            goto done;
        }
        if (!strcmp(a, "--carve")) {
            o.carve = 1;
            continue;
        }
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--count")) {
            format = FMT_COUNT;
            continue;
        }
        static const char *const valued[] = {"--format", "--threads", "--timezone", "--coverage", "--quiet-gap",
                                             "--max-decompressed", "--since", "--until", "--event-id", "--channel",
                                             "--provider", "--computer", "--search", "--sort", "--sort-memory"};
        int known = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !known; k++) known = !strcmp(a, valued[k]);
        if (!known) {
            if (a[0] == '-' && a[1]) USAGE("unknown option '%s' (see 'sakimori %s --help')", a, cmd);
            files[nfiles++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) USAGE("option '%s' needs a value", a);
        const char *v = argv[++i];
        char *end;
        if (!strcmp(a, "--coverage")) {
            coverage = v;
        } else if (!strcmp(a, "--max-decompressed")) {
            unsigned long long mb = strtoull(v, &end, 10);
            if (*end || end == v || !mb || mb > (1ull << 24)) USAGE("--max-decompressed '%s' is not a number of MiB (1-16777216)", v);
            o.max_decoded = (uint64_t)mb << 20;
        } else if (!strcmp(a, "--quiet-gap")) {
            double h = strtod(v, &end);
            if (*end || end == v || !(h > 0 && h <= 24 * 365)) USAGE("--quiet-gap '%s' is not a number of hours", v);
            o.quiet_gap = (sk_time)(h * 3600.0 * (double)SK_NS_PER_SEC);
        } else if (!strcmp(a, "--timezone")) {
            sk_tz_free(tz);
            tz = NULL;
            if (sk_tz_load(&tz, v)) USAGE("--timezone '%s': %s", v, sk_error_last());
            o.local = tz;
        } else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "jsonl")) format = FMT_JSONL;
            else if (!strcmp(v, "xml")) format = FMT_XML;
            else if (!strcmp(v, "csv")) format = FMT_CSV;
            else USAGE("--format '%s': give jsonl, xml or csv", v);
        } else if (!strcmp(a, "--threads")) {
            long t = strtol(v, &end, 10);
            if (*end || end == v || t < 0 || t > 64) USAGE("--threads '%s' is not a number between 0 and 64", v);
            o.threads = (unsigned)t;
        } else if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
            sk_time t;
            if (parse_when(v, &t)) USAGE("%s '%s' is not a time (2026-06-03, 2026-06-03T11:00:00Z, 2026-06-03T20:00+09:00)", a, v);
            if (!strcmp(a, "--since")) filter.since = t;
            else filter.until = t;
        } else if (!strcmp(a, "--event-id")) {
            free(ids);
            if (sk_event_id_ranges_parse(v, &ids, &n_ids)) USAGE("--event-id: %s", sk_error_last());
            filter.id_ranges = ids;
            filter.n_id_ranges = n_ids;
        } else if (!strcmp(a, "--channel")) {
            if (push(&channels, v, (size_t)argc)) goto done;
        } else if (!strcmp(a, "--provider")) {
            if (push(&providers, v, (size_t)argc)) goto done;
        } else if (!strcmp(a, "--computer")) {
            if (push(&computers, v, (size_t)argc)) goto done;
        } else if (!strcmp(a, "--search")) {
            filter.search = v;
        } else if (!strcmp(a, "--sort")) {
            if (strcmp(v, "time")) USAGE("--sort '%s': only 'time' is known", v);
            sort = 1;
        } else if (!strcmp(a, "--sort-memory")) {
            unsigned long long mb = strtoull(v, &end, 10);
            if (*end || end == v || mb < 1 || mb > 65536) USAGE("--sort-memory '%s' is not a number of MiB (1-65536)", v);
            sort_mib = (size_t)mb;
        }
    }
    filter.channels = channels.v, filter.n_channels = channels.n;
    filter.providers = providers.v, filter.n_providers = providers.n;
    filter.computers = computers.v, filter.n_computers = computers.n;
    o.xml = format == FMT_XML;
    if (!nfiles) USAGE("%sgive one or more event logs (files, folders, or - for standard input)", strcmp(cmd, "events") ? "dump: " : "");
    if (filter.since != SK_TIME_NONE && filter.until != SK_TIME_NONE && filter.until <= filter.since)
        USAGE("--until must be after --since");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.stop = &stop_requested;
    FILE *cov = NULL;
    if (coverage && !(cov = fopen(coverage, "wx"))) USAGE("--coverage %s: %s", coverage, errno == EEXIST ? "exists (never overwritten)" : strerror(errno));
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    /* folders searched, globs expanded, "-" kept: one scanner (one pool) for them all */
    sk_event_inputs ins;
    sk_event_inputs_options io = {.diag = diag};
    if (sk_event_inputs_expand(files, (size_t)nfiles, &io, &ins)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        if (cov) fclose(cov);
        ex = SK_EXIT_INTERNAL;
        goto done;
    }
    if (ins.unreadable || ins.special) ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    memset(&prog, 0, sizeof prog);
    prog.on = !quiet && isatty(STDERR_FILENO);
    prog.files = ins.n;
    clock_gettime(CLOCK_MONOTONIC, &prog.start);
    prog.last = prog.start;
    prog.last.tv_sec -= 1; /* the first line at once, then four a second at most */
    if (prog.on) {
        o.progress = progress_bytes;
        o.progress_ctx = &prog;
    }
    out_sink os = {.format = format, .filter = &filter, .out = stdout};
    if (sort && format == FMT_COUNT) sort = 0; /* a count has no order */
    if (sort && sk_extsort_new(&os.sorter, sort_mib << 20)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        sk_event_inputs_free(&ins);
        if (cov) fclose(cov);
        ex = SK_EXIT_INTERNAL;
        goto done;
    }
    if (format == FMT_CSV) {
        sk_buf hb;
        sk_buf_init(&hb, 4096);
        sk_event_csv_header(&hb);
        if (fwrite(hb.data, 1, hb.len, stdout) != hb.len) os.err = errno ? errno : EIO;
        sk_buf_free(&hb);
    }
    sk_event_sink sink = {.ctx = &os, .event = out_event, .write = out_write};
    sk_event_scanner *sc = NULL;
    if (sk_event_scanner_new(&sc, &o, &sink)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        sk_event_inputs_free(&ins);
        sk_extsort_free(os.sorter);
        if (cov) fclose(cov);
        ex = SK_EXIT_INTERNAL;
        goto done;
    }
    run_ctx rc_ctx = {.quiet = quiet, .cov = cov, .ex = ex};
    if (sk_event_scan_inputs(sc, &ins, input_done, &rc_ctx)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        rc_ctx.ex = sk_exit_merge(rc_ctx.ex, SK_EXIT_INTERNAL);
    }
    ex = rc_ctx.ex;
    sk_event_scanner_free(sc);
    sk_event_inputs_free(&ins);
    progress_clear(&prog);
    if (os.sorter) {
        if (!os.err && sk_extsort_finish(os.sorter, sorted_out, &os)) {
            sk_cli_error(cmd, "%s", sk_error_last());
            ex = sk_exit_merge(ex, SK_EXIT_INPUT);
        }
        if (!quiet && sk_extsort_runs(os.sorter)) {
            char line[200];
            snprintf(line, sizeof line, "sorted %llu events in %zu batches on disk (--sort-memory %zu MiB)", (unsigned long long)os.kept,
                     sk_extsort_runs(os.sorter), sort_mib);
            say(line);
        }
        sk_extsort_free(os.sorter);
    }
    if (format == FMT_COUNT) {
        printf("%llu\n", (unsigned long long)os.counted);
        if (!quiet) {
            char line[200];
            snprintf(line, sizeof line, "%llu events selected; %llu bytes of their values read (checksum %016llx)",
                     (unsigned long long)os.counted, (unsigned long long)os.value_bytes, (unsigned long long)os.value_sum);
            say(line);
        }
    }
    if (os.err > 0) {
        sk_cli_error(cmd, "writing the output: %s", strerror(os.err));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    } else if (os.err < 0) {
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
    if (fflush(stdout)) {
        sk_cli_error(cmd, "writing the output: %s", strerror(errno));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
    if (cov && fclose(cov)) {
        sk_cli_error(cmd, "writing %s: %s", coverage, strerror(errno));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
done:
#undef USAGE
    free(files);
    free(ids);
    free(channels.v);
    free(providers.v);
    free(computers.v);
    sk_tz_free(tz);
    return rc_usage ? SK_EXIT_USAGE : ex;
}

int cmd_events_run(int argc, char **argv)
{
    if (argc < 2) {
        cmd_events_help(stderr);
        return SK_EXIT_USAGE;
    }
    return events_main("events", argc, argv, 1);
}
