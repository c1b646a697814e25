/*
 * cmd_case.c - `sakimori case`: write a case.json template, check a case file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/sakimori.h>

#include "cli.h"

void cmd_case_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori case init [--name NAME] [--start TIME] [--end TIME] [--timezone ZONE]\n"
            "       sakimori case check [--json] FILE|-\n"
            "\n"
            "A case (case.json, docs/formats/case.md) names the investigation, its time window,\n"
            "the organisation's regions and sites with subnets and time zones, the log sources\n"
            "that write local time, known-good lists and the join tolerances.\n"
            "\n"
            "  init     print a case.json template on stdout, to edit\n"
            "  check    validate a case file and summarise it; errors name file, line and key\n"
            "\n"
            "Options:\n"
            "  --name NAME       the case's name (init; default \"new case\")\n"
            "  --start TIME      window start, ISO 8601 with zone (init; default 30 days ago)\n"
            "  --end TIME        window end (init; default now)\n"
            "  --timezone ZONE   the case's default zone for local-time logs (init; default UTC)\n"
            "  --json            print the summary as one JSON object (check)\n"
            "\n"
            "Every source's path is expanded in the case folder (the case file's directory): a match\n"
            "that leads outside it, through '..' or a symlink, is an error.\n"
            "\n"
            "Exit codes: 0 valid, 2 usage error, 3 the case file is unreadable or invalid.\n"
            "\n"
            "Examples:\n"
            "  sakimori case init --name 'AV server intrusion' --timezone Asia/Tokyo > case.json\n"
            "  sakimori case check case.json\n"
            "  sakimori case check --json case.json | jq .sites\n");
}

#define CASE_TEMPLATE \
    "{\n" \
    "  \"schema\": \"sakimori/case/1\",\n" \
    "  \"name\": %s,\n" \
    "  \"window\": {\"start\": \"%s\", \"end\": \"%s\"},\n" \
    "  \"timezone\": %s,\n" \
    "  \"regions\": [\n" \
    "    {\n" \
    "      \"name\": \"domestic\",\n" \
    "      \"domestic\": true,\n" \
    "      \"sites\": [\n" \
    "        {\"name\": \"head-office\", \"subnets\": [\"10.0.0.0/16\"]}\n" \
    "      ]\n" \
    "    }\n" \
    "  ],\n" \
    "  \"sources\": [],\n" \
    "  \"known_good\": {\"sha256\": [], \"domains\": [], \"hosts\": [], \"signers\": []}\n" \
    "}\n"

static int need_value(int i, int argc, char **argv)
{
    if (i + 1 >= argc) {
        sk_cli_error("case init", "option '%s' needs a value", argv[i]);
        return 0;
    }
    return 1;
}

static int case_init(int argc, char **argv)
{
    const char *name = "new case", *start = NULL, *end = NULL, *zone = "UTC";
    for (int i = 1; i < argc; i++) {
        if (sk_cli_is_help(argv[i])) {
            cmd_case_help(stdout);
            return SK_EXIT_OK;
        }
        const char **dst = !strcmp(argv[i], "--name")       ? &name
                           : !strcmp(argv[i], "--start")    ? &start
                           : !strcmp(argv[i], "--end")      ? &end
                           : !strcmp(argv[i], "--timezone") ? &zone
                                                            : NULL;
        if (!dst) {
            sk_cli_error("case init", "unknown option '%s'", argv[i]);
            return SK_EXIT_USAGE;
        }
        if (!need_value(i, argc, argv)) return SK_EXIT_USAGE;
        *dst = argv[++i];
    }
    char s_buf[SK_TIME_ISO_MAX], e_buf[SK_TIME_ISO_MAX];
    sk_time now = sk_time_now() / SK_NS_PER_SEC * SK_NS_PER_SEC;
    sk_time ts = now - 30 * 86400 * SK_NS_PER_SEC, te = now;
    sk_stamp st;
    if (start) {
        if (sk_time_parse_iso8601(start, strlen(start), NULL, &st) || (st.quality & SK_TQ_ZONE_ASSUMED)) {
            sk_cli_error("case init", "--start '%s' is not an ISO 8601 time with a zone", start);
            return SK_EXIT_USAGE;
        }
        ts = st.utc;
    }
    if (end) {
        if (sk_time_parse_iso8601(end, strlen(end), NULL, &st) || (st.quality & SK_TQ_ZONE_ASSUMED)) {
            sk_cli_error("case init", "--end '%s' is not an ISO 8601 time with a zone", end);
            return SK_EXIT_USAGE;
        }
        te = st.utc;
    }
    if (te <= ts) {
        sk_cli_error("case init", "the window's end must be after its start");
        return SK_EXIT_USAGE;
    }
    sk_tz *tz;
    if (sk_tz_load(&tz, zone)) {
        sk_cli_error("case init", "%s", sk_error_last());
        return SK_EXIT_USAGE;
    }
    sk_tz_free(tz);
    sk_time_format(s_buf, ts, 0);
    sk_time_format(e_buf, te, 0);
    sk_buf qn, qz;
    sk_buf_init(&qn, 4096);
    sk_buf_init(&qz, 4096);
    int rc = sk_json_escape(&qn, name, strlen(name));
    if (!rc) rc = sk_json_escape(&qz, zone, strlen(zone));
    if (!rc) printf(CASE_TEMPLATE, qn.data, s_buf, e_buf, qz.data);
    sk_buf_free(&qn);
    sk_buf_free(&qz);
    if (rc) {
        sk_cli_error("case init", "%s", sk_error_last());
        return SK_EXIT_USAGE;
    }
    return SK_EXIT_OK;
}

/* Read all of stdin, bounded. */
static int read_stdin(char **out, size_t *len)
{
    sk_buf b;
    sk_buf_init(&b, (size_t)16 << 20);
    char tmp[65536];
    for (;;) {
        ssize_t r = read(0, tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno; /* free() may change errno */
            sk_buf_free(&b);
            return sk_error_set(SK_EIO, "<stdin>: read error: %s", strerror(e));
        }
        if (r == 0) break;
        int rc = sk_buf_append(&b, tmp, (size_t)r);
        if (rc) {
            sk_buf_free(&b);
            return sk_error_prefix(rc, "<stdin>");
        }
    }
    *out = sk_buf_detach(&b, len);
    return *out ? 0 : SK_ENOMEM;
}

/* Write out what `b` holds and empty it: summaries go out a site at a time, so no
 * buffer cap can cut a large case's summary short. */
static void flush(sk_buf *b)
{
    if (b->data && b->len) fwrite(b->data, 1, b->len, stdout);
    sk_buf_truncate(b, 0);
}

static void print_summary_text(const char *file, const sk_case *c)
{
    char s[SK_TIME_ISO_MAX], e[SK_TIME_ISO_MAX];
    sk_time_format(s, sk_case_window_start(c), 0);
    sk_time_format(e, sk_case_window_end(c), 0);
    sk_buf b;
    sk_buf_init(&b, 1 << 20); /* a site line: at most 16 MiB / 10 subnets of 44 bytes */
    size_t nsub = 0;
    for (size_t i = 0; i < sk_case_site_count(c); i++) nsub += sk_case_site_at(c, i)->n_subnets;
    sk_buf_puts(&b, "case '");
    sk_escape_terminal(&b, sk_case_name(c), strlen(sk_case_name(c)));
    sk_buf_printf(&b, "': %s .. %s, default zone %s\n", s, e, sk_tz_name(sk_case_default_tz(c)));
    sk_buf_printf(&b, "%zu region(s), %zu site(s), %zu subnet(s), %zu source(s)\n",
                  sk_case_region_count(c), sk_case_site_count(c), nsub, sk_case_source_count(c));
    for (size_t i = 0; i < sk_case_site_count(c); i++) {
        const sk_case_site *st = sk_case_site_at(c, i);
        sk_buf_printf(&b, "  site %s (region %s, %s, %s, zone %s):", st->name, st->region,
                      st->country ? st->country : "--", st->domestic ? "domestic" : "overseas",
                      st->timezone);
        for (size_t k = 0; k < st->n_subnets; k++) {
            sk_buf_putc(&b, ' ');
            sk_prefix_format(&b, &st->subnets[k]);
            if (b.len > (1 << 19)) flush(&b);
        }
        sk_buf_putc(&b, '\n');
        flush(&b);
    }
    for (size_t i = 0; i < sk_case_source_count(c); i++) {
        const sk_case_source *src = sk_case_source_at(c, i);
        sk_buf_printf(&b, "  source %s (%s): ", src->name, src->kind);
        sk_escape_terminal(&b, src->path, strlen(src->path));
        sk_buf_printf(&b, ", zone %s%s%s\n", src->timezone ? src->timezone : "as written",
                      src->site ? ", site " : "", src->site ? src->site : "");
        flush(&b);
    }
    flush(&b);
    sk_buf_free(&b);
    for (size_t i = 0; i < sk_case_warning_count(c); i++) {
        const sk_case_warning *w = sk_case_warning_at(c, i);
        sk_cli_error("case check", "warning: %s:%zu: %s", file, w->line, w->text);
    }
}

/* 0, or the JSON writer's error (the output is then cut short: say so). */
static int print_summary_json(const sk_case *c)
{
    sk_buf b;
    sk_buf_init(&b, 16 << 20);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "name", sk_case_name(c));
    char t[SK_TIME_ISO_MAX];
    sk_time_format(t, sk_case_window_start(c), 0);
    sk_jw_kv_string(&w, "start", t);
    sk_time_format(t, sk_case_window_end(c), 0);
    sk_jw_kv_string(&w, "end", t);
    sk_jw_kv_string(&w, "timezone", sk_tz_name(sk_case_default_tz(c)));
    sk_jw_key(&w, "sites");
    sk_jw_array_begin(&w);
    for (size_t i = 0; i < sk_case_site_count(c); i++) {
        const sk_case_site *st = sk_case_site_at(c, i);
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "name", st->name);
        sk_jw_kv_string(&w, "region", st->region);
        sk_jw_key(&w, "country");
        sk_jw_string(&w, st->country);
        sk_jw_kv_bool(&w, "domestic", st->domestic);
        sk_jw_kv_string(&w, "timezone", st->timezone);
        sk_jw_key(&w, "subnets");
        sk_jw_array_begin(&w);
        for (size_t k = 0; k < st->n_subnets; k++) {
            sk_buf p;
            sk_buf_init(&p, 128);
            sk_prefix_format(&p, &st->subnets[k]);
            sk_jw_string(&w, p.data);
            sk_buf_free(&p);
            if (b.len > (1 << 20)) flush(&b);
        }
        sk_jw_array_end(&w);
        sk_jw_object_end(&w);
        flush(&b);
    }
    sk_jw_array_end(&w);
    sk_jw_key(&w, "warnings");
    sk_jw_array_begin(&w);
    for (size_t i = 0; i < sk_case_warning_count(c); i++) {
        const sk_case_warning *wn = sk_case_warning_at(c, i);
        sk_jw_object_begin(&w);
        sk_jw_kv_u64(&w, "line", wn->line);
        sk_jw_kv_string(&w, "text", wn->text);
        sk_jw_object_end(&w);
    }
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    sk_buf_putc(&b, '\n');
    flush(&b);
    sk_buf_free(&b);
    return sk_jw_error(&w);
}

/* Every source's glob expanded in the case folder (the case file's directory): a match
 * that leads outside it through a symlink, an unreadable directory or too many matches
 * is an error naming the file and the source; matching nothing is fine (logs may come
 * later). */
static int check_source_matches(const char *file, const sk_case *c)
{
    char dir[4096];
    const char *slash = strrchr(file, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == file) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    int exit = SK_EXIT_OK;
    for (size_t i = 0; i < sk_case_source_count(c); i++) {
        const sk_case_source *src = sk_case_source_at(c, i);
        char **paths = NULL;
        size_t n = 0;
        int rc = sk_case_source_expand(dir, src, &paths, &n);
        sk_case_paths_free(paths, n);
        if (rc) {
            sk_cli_error("case check", "%s: %s", file, sk_error_last());
            exit = sk_exit_from_error(rc) == SK_EXIT_USAGE ? SK_EXIT_INPUT : sk_exit_from_error(rc);
        }
    }
    return exit;
}

static int case_check(int argc, char **argv)
{
    int json = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (sk_cli_is_help(argv[i])) {
            cmd_case_help(stdout);
            return SK_EXIT_OK;
        }
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            sk_cli_error("case check", "unknown option '%s'", argv[i]);
            return SK_EXIT_USAGE;
        } else if (file) {
            sk_cli_error("case check", "expected one case file, got '%s' and '%s'", file, argv[i]);
            return SK_EXIT_USAGE;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        sk_cli_error("case check", "expected a case file (or - for standard input)");
        return SK_EXIT_USAGE;
    }
    sk_case *c = NULL;
    int rc;
    if (!strcmp(file, "-")) {
        char *data;
        size_t len;
        rc = read_stdin(&data, &len);
        if (!rc) {
            rc = sk_case_parse(&c, data, len, "<stdin>");
            free(data);
        }
        file = "<stdin>";
    } else {
        rc = sk_case_load(&c, file);
    }
    if (rc) {
        sk_cli_error("case check", "%s", sk_error_last());
        return sk_exit_from_error(rc) == SK_EXIT_USAGE ? SK_EXIT_INPUT : sk_exit_from_error(rc);
    }
    if (json && (rc = print_summary_json(c))) {
        sk_case_free(c);
        sk_cli_error("case check", "%s: the JSON summary could not be written (out of memory or over a value's cap)", file);
        return SK_EXIT_INTERNAL;
    }
    if (!json) print_summary_text(file, c);
    int exit = strcmp(file, "<stdin>") ? check_source_matches(file, c) : SK_EXIT_OK;
    sk_case_free(c);
    return exit;
}

int cmd_case_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_case_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : SK_EXIT_OK;
    }
    if (!strcmp(argv[1], "init")) return case_init(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check")) return case_check(argc - 1, argv + 1);
    sk_cli_error("case", "unknown subcommand '%s' (expected init or check)", argv[1]);
    return SK_EXIT_USAGE;
}
