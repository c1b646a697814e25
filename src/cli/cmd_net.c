/*
 * cmd_net.c - `sakimori net records`: network logs (Squid, Zeek, W3C/IIS, firewall CSV
 * and JSON lines through a field map, the Windows DNS debug and DHCP audit logs, ISC
 * dhcpd syslog and leases; files, folders, '-', gzip, zstd) read into the normalized record shape and
 * printed as JSON lines, one per record: what the network hunt sees of each line.
 * Bad lines are one message each on stderr, naming the input and line; the rest is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/escape.h>
#include <sakimori/evtxdump.h>
#include <sakimori/netlog.h>

#include "cli.h"
#include "net_read.h"

static const char *cmd_name = "net";

/* "squid, zeek, ...": every format's name, for messages */
static const char *format_list(int with_auto)
{
    static char list[256];
    size_t k = 0;
    list[0] = 0;
    for (int f = with_auto ? 0 : 1; f < SK_NL_FORMATS; f++) {
        int w = snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", sk_netlog_format_name((sk_netlog_format)f));
        if (w < 0 || (size_t)w >= sizeof list - k) break;
        k += (size_t)w;
    }
    return list;
}

void cmd_net_help(FILE *out)
{
    fputs("Usage: sakimori net records [OPTIONS] LOG...\n"
          "       sakimori net events [OPTIONS] LOG...\n"
          "\n"
          "Read network logs and print each record as one JSON object a line, in the\n"
          "normalized shape the network hunt uses (keys a log does not carry are left out).\n"
          "`events` prints each record as the event Sigma rules see instead (the model of\n"
          "docs/formats/event.md): its log source in channel (squid, w3c, windns, fwcsv,\n"
          "json; for Zeek the log's path), its columns under the log's own names and the\n"
          "Sigma taxonomy's names (c-uri, cs-host, query, src_ip, ...) as event data.\n"
          "LOG: files, folders (searched recursively, links not followed), '-' for standard\n"
          "input; gzip and zstd files are decompressed. The format is recognised by content.\n"
          "\n"
          "Formats: squid (native access.log), zeek (ASCII with #fields), zeek-json,\n"
          "dhcpd-syslog (ISC dhcpd messages, RFC 3164 or RFC 3339 stamps), dhcpd-leases,\n"
          "w3c (W3C extended / IIS, #Fields; times UTC), fwcsv (firewall CSV with a header\n"
          "row: FortiGate, Palo Alto and generic column names known, others by --map),\n"
          "windhcp (Windows DHCP server audit log, DhcpSrvLog-*.log), windns (Windows DNS\n"
          "server debug log: PACKET lines), json (JSON lines through a field map; ECS names\n"
          "such as source.ip, url.full, @timestamp by default; Zeek JSON stays zeek-json).\n"
          "\n"
          "Options:\n"
          "  --format NAME     read every input as this format instead of recognising it\n"
          "  --year YEAR       the year of syslog lines that carry none (default: this year)\n"
          "  --timezone ZONE   the zone of local times: syslog lines without one, firewall\n"
          "                    CSV, the Windows DHCP and DNS logs, JSON times without a zone\n"
          "                    (default: UTC)\n"
          "  --map SPEC|@FILE  fwcsv, json: which column (or dotted member) is which record\n"
          "                    field, \"src_ip=Source address,dst_ip=Destination address\"\n"
          "                    (@FILE: one entry a line, '#' comments; docs/network.md)\n"
          "  -q, --quiet       no per-line messages, only the summary\n"
          "  -h, --help        this help\n"
          "\n"
          "Exit: 0 read, 3 some input or line could not be read, 2 usage.\n"
          "\n"
          "Examples:\n"
          "  sakimori net records /var/log/squid/access.log | jq -c 'select(.outcome==\"attempted\")'\n"
          "  sakimori net records --year 2019 --timezone Asia/Tokyo case/logs/dhcp\n"
          "  sakimori net records --timezone Asia/Tokyo --map @fw.map logs/firewall\n"
          "  sakimori net events logs/iis/u_ex190710.log | jq -c .event_data\n",
          out);
}

typedef struct net_ctx {
    sk_buf out;
    const char *path;
    int quiet;
    uint64_t shown, not_logs;
    int events;                 /* net events: the Sigma event view */
    sk_netlog_reader *r;
    sk_arena *arena;
} net_ctx;

static void diag(void *ctx, const char *line)
{
    net_ctx *c = ctx;
    if (c->quiet) return;
    if (++c->shown > 100) {
        if (c->shown == 101) sk_cli_error(cmd_name, "%s: more problems not shown", c->path);
        return;
    }
    sk_cli_error(cmd_name, "%s: %s", c->path, line);
}

static void inputs_diag(void *ctx, const char *line)
{
    (void)ctx;
    sk_cli_error(cmd_name, "%s", line);
}

static int on_rec(void *ctx, const sk_netrec *r)
{
    net_ctx *c = ctx;
    if (c->events) {
        sk_event ev;
        sk_event_src src = {.path = c->path};
        sk_arena_reset(c->arena);
        int rc = sk_netrec_to_event(&ev, r, sk_netlog_reader_format(c->r), &src, c->arena);
        if (rc == 1) return 0; /* DHCP: no Sigma log source */
        if (rc) return rc;
        if (sk_event_write_json(&c->out, &ev)) return SK_ENOMEM;
    } else if (sk_netrec_write_json(&c->out, r) || sk_buf_putc(&c->out, '\n')) {
        return SK_ENOMEM;
    }
    if (c->out.len >= (1u << 16)) {
        if (fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len) return SK_EIO;
        sk_buf_reset(&c->out);
    }
    return 0;
}

static int read_one(const char *path, int in_folder, const sk_netlog_options *base, net_ctx *c, int *bad)
{
    sk_input_file in;
    if (sk_input_open(path, in_folder, &in)) {
        sk_cli_error(cmd_name, "%s", sk_error_last());
        *bad = 1;
        return 0;
    }
    if (in.why[0]) sk_cli_error(cmd_name, "%s: %s", path, in.why);
    if (in.bomb) *bad = 1;
    sk_netlog_options o = *base;
    o.diag = diag;
    o.diag_ctx = c;
    o.name = path;
    c->path = path;
    c->shown = 0;
    sk_netlog_reader *r = NULL;
    o.columns = c->events;
    int rc = sk_netlog_reader_new(&r, &o, on_rec, c);
    c->r = r;
    uint64_t left = net_input_bound(in.fd);
    if (!rc) rc = net_read_fd(cmd_name, path, in.fd, r, NULL, bad, &left);
    if (!rc) {
        if (sk_netlog_reader_rejected(r) || (sk_netlog_reader_format(r) == SK_NL_AUTO && !sk_netlog_reader_records(r))) {
            if (in_folder) {
                c->not_logs++; /* found in a folder: counted, said once at the end */
            } else {
                sk_cli_error(cmd_name, "%s: not a network log this reader knows (%s)", path, format_list(0));
                *bad = 1;
            }
        }
        if (sk_netlog_reader_errors(r)) {
            if (c->quiet || c->shown > 100)
                sk_cli_error(cmd_name, "%s: %llu lines could not be read", path, (unsigned long long)sk_netlog_reader_errors(r));
            *bad = 1;
        }
    }
    sk_netlog_reader_free(r);
    sk_input_close(&in);
    return rc;
}

int cmd_net_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_net_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : SK_EXIT_OK;
    }
    if (strcmp(argv[1], "records") && strcmp(argv[1], "events")) {
        sk_cli_error(cmd_name, "unknown subcommand '%s' (sakimori net --help)", argv[1]);
        return SK_EXIT_USAGE;
    }
    sk_netlog_options o = {0};
    const char *zone = NULL;
    char *map = NULL;
    net_ctx c = {.events = !strcmp(argv[1], "events")};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nf = 0;
    if (!files) return SK_EXIT_INTERNAL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            cmd_net_help(stdout);
            free(files);
            free(map);
            return SK_EXIT_OK;
        } else if (!strcmp(a, "--format") || !strcmp(a, "--year") || !strcmp(a, "--timezone") || !strcmp(a, "--map")) {
            if (i + 1 >= argc) {
                sk_cli_error(cmd_name, "%s needs a value", a);
                free(files);
                free(map);
                return SK_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--map")) {
                free(map);
                if (net_map_load(cmd_name, v, &map)) {
                    free(files);
                    return SK_EXIT_USAGE;
                }
            } else if (!strcmp(a, "--format")) {
                int f = sk_netlog_format_from_name(v);
                if (f < 0) {
                    sk_cli_error(cmd_name, "--format: '%s' is none of %s", v, format_list(1));
                    free(files);
                    free(map);
                    return SK_EXIT_USAGE;
                }
                o.format = (sk_netlog_format)f;
            } else if (!strcmp(a, "--year")) {
                char *e;
                long y = strtol(v, &e, 10);
                if (*e || y < 1970 || y > 2200) {
                    sk_cli_error(cmd_name, "--year: '%s' is not a year", v);
                    free(files);
                    free(map);
                    return SK_EXIT_USAGE;
                }
                o.year = (int)y;
            } else {
                zone = v;
            }
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            c.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            sk_cli_error(cmd_name, "unknown option '%s' (sakimori net --help)", a);
            free(files);
            free(map);
            return SK_EXIT_USAGE;
        } else {
            files[nf++] = argv[i];
        }
    }
    if (!nf) {
        sk_cli_error(cmd_name, "%s: no log given (sakimori net --help)", argv[1]);
        free(files);
        free(map);
        return SK_EXIT_USAGE;
    }
    sk_tz *tz = NULL;
    if (zone && sk_tz_load(&tz, zone)) {
        sk_cli_error(cmd_name, "--timezone: %s", sk_error_last());
        free(files);
        free(map);
        return SK_EXIT_USAGE;
    }
    o.local = tz;
    o.field_map = map;
    if (c.events && sk_arena_new(&c.arena, 1 << 16, (size_t)64 << 20)) {
        sk_tz_free(tz);
        free(files);
        free(map);
        return SK_EXIT_INTERNAL;
    }
    sk_event_inputs ins = {0};
    sk_event_inputs_options io = {.diag = inputs_diag, .any_file = 1};
    int rc = sk_event_inputs_expand(files, nf, &io, &ins);
    int bad = 0;
    sk_buf_init(&c.out, (size_t)1 << 24);
    for (size_t i = 0; !rc && i < ins.n; i++) rc = read_one(ins.paths[i], ins.in_folder[i], &o, &c, &bad);
    if (!rc && c.out.len && fwrite(c.out.data, 1, c.out.len, stdout) != c.out.len) rc = SK_EIO;
    if (fflush(stdout)) rc = rc ? rc : SK_EIO;
    if (rc) sk_cli_error(cmd_name, "%s", sk_error_last()[0] ? sk_error_last() : "write error");
    if (c.not_logs) sk_cli_error(cmd_name, "%llu files in the folders given are no network log: not read", (unsigned long long)c.not_logs);
    if (!ins.n) bad = 1;
    sk_buf_free(&c.out);
    sk_event_inputs_free(&ins);
    sk_arena_free(c.arena);
    sk_tz_free(tz);
    free(files);
    free(map);
    if (rc) return sk_exit_from_error(rc);
    return bad ? SK_EXIT_INPUT : SK_EXIT_OK;
}
