/*
 * cmd_evtx.c - `sakimori evtx`: Windows event logs read natively.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/sakimori.h>
#include <sakimori/evtxdump.h>

#include "cli.h"

void cmd_evtx_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori evtx dump [--format jsonl|xml] [--carve] [--threads N] [--timezone ZONE]\n"
            "                          [--coverage FILE [--quiet-gap HOURS]] [--max-decompressed MIB] INPUT...\n"
            "\n"
            "Read EVTX files natively (no Windows API): every record of every chunk, in file order,\n"
            "on stdout - one event-model JSON object per line (docs/formats/event.md: System fields\n"
            "and EventData under the names SigmaHQ rules use) or one XML <Event> per line. Damaged\n"
            "files are read as far as they go: bad checksums mark records \"recovered\", a broken\n"
            "record or chunk is one diagnostic line on stderr naming the file and offset, and the\n"
            "rest is still read. Each file's summary (records, record-id range and gaps, time span,\n"
            "log clears) follows on stderr. JSON-lines logs of the same events (Winlogbeat, NXLog,\n"
            "or this command's own output) are read into the same model. See docs/evtx.md.\n"
            "\n"
            "An INPUT is a file, a folder (searched recursively; event logs are recognised by their\n"
            "content, symbolic links inside it are not followed), a quoted glob, or - for standard\n"
            "input. gzip and zstd files are decompressed: their events name the stored file's SHA-256\n"
            "and their offsets and lines, marked \"decoded\", are positions in the decompressed bytes.\n"
            "\n"
            "Options:\n"
            "  --format jsonl|xml   output (default jsonl)\n"
            "  --carve              also recover records from chunk slack and from blocks that are no\n"
            "                       valid chunk (format \"evtx-carved\")\n"
            "  --threads N          chunks parsed in parallel (default: all cores)\n"
            "  --timezone ZONE      zone of NXLog's local EventTime when a record has no @timestamp\n"
            "                       (an IANA name such as Asia/Tokyo, or +09:00; default UTC)\n"
            "  --coverage FILE      write each EVTX file's coverage record there (docs/formats/coverage.md:\n"
            "                       time intervals, record-id gaps, log clears, wrapping), one line each\n"
            "  --quiet-gap HOURS    a silence longer than this splits the coverage intervals (default 6)\n"
            "  --max-decompressed MIB  stop decompressing an input there (default: 1 GiB or 1000 times\n"
            "                       its stored size, at most 64 GiB): a compression bomb is cut off, said\n"
            "  --quiet              no per-file summary\n"
            "\n"
            "At most 100 diagnostics are shown per file; one closing line counts the rest by kind.\n"
            "\n"
            "Exit codes: 0 every record read, 2 usage error, 3 a file could not be read or held\n"
            "damage (see stderr), 4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori evtx dump Security.evtx | jq -c 'select(.System.EventID == 4688)'\n"
            "  sakimori evtx dump --format xml System.evtx | grep -c '<EventID>104<'\n"
            "  sakimori evtx dump --carve --threads 2 damaged/*.evtx > events.jsonl 2> damage.txt\n"
            "  sakimori evtx dump --timezone Asia/Tokyo nxlog-security.json > events.jsonl\n"
            "  sakimori evtx dump collected/ winlogbeat-2026-06-03.json.gz > events.jsonl\n"
            "  zstdcat Security.evtx.zst | sakimori evtx dump - | jq -c 'select(.System.EventID == 1102)'\n");
}

static volatile int stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void diag(void *ctx, const char *line)
{
    (void)ctx;
    sk_cli_error("evtx", "%s", line);
}

/* "evtx: <line>" on stderr, escaped for the terminal (paths come from the evidence). */
static void say(const char *line)
{
    sk_buf e;
    sk_buf_init(&e, 8192);
    if (!sk_escape_terminal_ex(&e, line, strlen(line), SK_ESC_KEEP_BACKSLASH) && e.data) fprintf(stderr, "evtx: %s\n", e.data);
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

int cmd_evtx_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_evtx_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : SK_EXIT_OK;
    }
    if (strcmp(argv[1], "dump")) {
        sk_cli_error("evtx", "unknown subcommand '%s' (see 'sakimori evtx --help')", argv[1]);
        return SK_EXIT_USAGE;
    }
    sk_evtx_dump_options o = {.diag = diag};
    int quiet = 0, nfiles = 0;
    sk_tz *tz = NULL;
    const char *coverage = NULL;
    char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return SK_EXIT_INTERNAL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            cmd_evtx_help(stdout);
            free(files);
            return SK_EXIT_OK;
        }
        if (!strcmp(a, "--carve")) {
            o.carve = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--format") || !strcmp(a, "--threads") || !strcmp(a, "--timezone") || !strcmp(a, "--coverage") ||
                   !strcmp(a, "--quiet-gap") || !strcmp(a, "--max-decompressed")) {
            if (i + 1 >= argc) {
                sk_cli_error("evtx", "option '%s' needs a value", a);
                free(files);
                return SK_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--coverage")) {
                coverage = v;
            } else if (!strcmp(a, "--max-decompressed")) {
                char *end;
                unsigned long long mb = strtoull(v, &end, 10);
                if (*end || end == v || !mb || mb > (1ull << 24)) {
                    sk_cli_error("evtx", "--max-decompressed '%s' is not a number of MiB (1-16777216)", v);
                    free(files);
                    return SK_EXIT_USAGE;
                }
                o.max_decoded = (uint64_t)mb << 20;
            } else if (!strcmp(a, "--quiet-gap")) {
                char *end;
                double h = strtod(v, &end);
                if (*end || end == v || !(h > 0 && h <= 24 * 365)) {
                    sk_cli_error("evtx", "--quiet-gap '%s' is not a number of hours", v);
                    free(files);
                    return SK_EXIT_USAGE;
                }
                o.quiet_gap = (sk_time)(h * 3600.0 * (double)SK_NS_PER_SEC);
            } else if (!strcmp(a, "--timezone")) {
                sk_tz_free(tz);
                tz = NULL;
                if (sk_tz_load(&tz, v)) {
                    sk_cli_error("evtx", "--timezone '%s': %s", v, sk_error_last());
                    free(files);
                    return SK_EXIT_USAGE;
                }
                o.local = tz;
            } else if (!strcmp(a, "--format")) {
                if (strcmp(v, "jsonl") && strcmp(v, "xml")) {
                    sk_cli_error("evtx", "--format '%s': give jsonl or xml", v);
                    free(files);
                    return SK_EXIT_USAGE;
                }
                o.xml = !strcmp(v, "xml");
            } else {
                char *end;
                long t = strtol(v, &end, 10);
                if (*end || end == v || t < 0 || t > 64) {
                    sk_cli_error("evtx", "--threads '%s' is not a number between 0 and 64", v);
                    free(files);
                    return SK_EXIT_USAGE;
                }
                o.threads = (unsigned)t;
            }
        } else if (a[0] == '-' && a[1]) {
            sk_cli_error("evtx", "unknown option '%s' (see 'sakimori evtx --help')", a);
            free(files);
            return SK_EXIT_USAGE;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) {
        sk_cli_error("evtx", "dump: give one or more event logs (files, folders, or - for standard input)");
        free(files);
        return SK_EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.stop = &stop_requested;
    FILE *cov = NULL;
    if (coverage && !(cov = fopen(coverage, "wx"))) {
        sk_cli_error("evtx", "--coverage %s: %s", coverage, errno == EEXIST ? "exists (never overwritten)" : strerror(errno));
        free(files);
        sk_tz_free(tz);
        return SK_EXIT_USAGE;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int ex = SK_EXIT_OK;
    /* folders searched, globs expanded, "-" kept: one scanner (one pool) for them all */
    sk_event_inputs ins;
    sk_event_inputs_options io = {.diag = diag};
    if (sk_event_inputs_expand(files, (size_t)nfiles, &io, &ins)) {
        sk_cli_error("evtx", "%s", sk_error_last());
        free(files);
        sk_tz_free(tz);
        if (cov) fclose(cov);
        return SK_EXIT_INTERNAL;
    }
    if (ins.unreadable || ins.special) ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    sk_event_dump_ctx dctx = {&o, stdout};
    sk_event_sink sink;
    sk_event_dump_sink(&sink, &dctx);
    sk_event_scanner *sc = NULL;
    if (sk_event_scanner_new(&sc, &o, &sink)) {
        sk_cli_error("evtx", "%s", sk_error_last());
        sk_event_inputs_free(&ins);
        free(files);
        sk_tz_free(tz);
        if (cov) fclose(cov);
        return SK_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < ins.n && !stop_requested; i++) {
        sk_evtx_file_stats s;
        int kind;
        const char *path = ins.paths[i];
        int rc = sk_event_scan_input(sc, path, ins.in_folder[i], &s, &kind); /* opened once, never blocking */
        if (rc) {
            sk_cli_error("evtx", "%s", sk_error_last());
            ex = sk_exit_merge(ex, sk_exit_from_error(rc));
        } else {
            if (!quiet && kind == 2) {
                char line[1200];
                snprintf(line, sizeof line, "%s: %llu events (JSON lines), %llu errors%s", path, (unsigned long long)s.records,
                         (unsigned long long)s.errors, s.shrank ? "; shrank while read" : "");
                say(line);
            } else if (!quiet) {
                summary(path, &s);
            }
            if (s.errors) ex = sk_exit_merge(ex, SK_EXIT_INPUT);
            if (cov) {
                sk_buf cb;
                sk_buf_init(&cb, (size_t)64 << 20);
                if (!sk_evtx_coverage_write(&cb, &s) && cb.len && fwrite(cb.data, 1, cb.len, cov) != cb.len)
                    ex = sk_exit_merge(ex, SK_EXIT_INPUT);
                sk_buf_free(&cb);
            }
        }
        sk_evtx_file_stats_free(&s);
    }
    sk_event_scanner_free(sc);
    sk_event_inputs_free(&ins);
    if (fflush(stdout)) {
        sk_cli_error("evtx", "writing the output: %s", strerror(errno));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
    if (cov && fclose(cov)) {
        sk_cli_error("evtx", "writing %s: %s", coverage, strerror(errno));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
    free(files);
    sk_tz_free(tz);
    return ex;
}
