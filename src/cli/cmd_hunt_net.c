/*
 * cmd_hunt_net.c - `sakimori hunt net`: which of our machines talked to the attacker.
 * The IOC lists are compiled once; DHCP logs (dhcpd syslog lines, dhcpd.leases, the
 * Windows DHCP audit log) become
 * the address history; every record of the network logs (Squid, Zeek, W3C, firewall
 * CSV; any format the network-log reader knows) is matched by its
 * host, SNI, URL, destination address and file hashes, and each match is attributed
 * to the host that held the record's internal (source) address then, or left as the
 * address when no single holder is known. One finding per (host, indicator): first and
 * last seen, count, bytes where the log has them, established and attempted contacts,
 * and evidence references (input, SHA-256, line) to the first, the last and a spread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/attrib.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/escape.h>
#include <sakimori/evtxdump.h>
#include <sakimori/file.h>
#include <sakimori/finding.h>
#include <sakimori/ioc.h>
#include <sakimori/json.h>
#include <sakimori/map.h>
#include <sakimori/netlog.h>

#include "cli.h"
#include "net_read.h"

#define MAX_REFS 16             /* evidence references kept per contact */

static const char *cmd = "hunt net";

void hunt_net_help(FILE *out);
int hunt_net_main(int argc, char **argv);

void hunt_net_help(FILE *out)
{
    fputs("usage: sakimori hunt net --ioc FILE... [--dhcp LOG...] [options] LOG...\n"
          "\n"
          "Find contacts with indicators in network logs (Squid native, Zeek ASCII or JSON,\n"
          "W3C/IIS, firewall CSV, Windows DNS debug logs, JSON lines; files, folders, '-',\n"
          "gzip, zstd) and name the host behind each internal address through the DHCP\n"
          "history (--dhcp: ISC dhcpd syslog lines, dhcpd.leases or Windows DHCP audit\n"
          "logs, recognised by content). One finding per (host, indicator) on stdout\n"
          "(docs/formats/finding.md, engine \"ioc\"); where no single host held the\n"
          "address then, the finding names the address.\n"

          "\n"
          "Indicators (--ioc, plain lists, one a line, '#' comments): IPv4/IPv6 addresses,\n"
          "CIDR networks, domains (matching their subdomains; '*.example.com' subdomains\n"
          "only), URLs, MD5/SHA-1/SHA-256. Defanged forms (hxxp, [.]) are read.\n"
          "\n"
          "Options:\n"
          "  --ioc FILE          an indicator list (repeatable)\n"
          "  --dhcp LOG          DHCP logs or folders (repeatable): dhcpd syslog, dhcpd.leases,\n"
          "                      Windows DHCP audit logs (DhcpSrvLog-*.log)\n"
          "  --assets FILE       an asset inventory (CSV with host and ip columns): fixed addresses\n"
          "  --year YEAR         the year of syslog lines without one (default: this year)\n"
          "  --timezone ZONE     the zone of local times: syslog lines without one, firewall\n"
          "                      CSV (default UTC)\n"
          "  --map SPEC|@FILE    firewall CSV, JSON lines: which column or member is which field\n"
          "                      (sakimori net --help, docs/network.md)\n"
          "  --lease HOURS       the lease time assumed for a grant whose end no log gives (24)\n"
          "  --tolerance SECONDS how far around a grant an address still counts as held (60)\n"
          "  --format jsonl|table  output (default jsonl)\n"
          "  -q, --quiet         no per-line messages\n"
          "\n"
          "Exit: 1 contacts found, 0 none, 3 some input could not be read, 2 usage.\n"
          "\n"
          "Examples:\n"
          "  sakimori hunt net --ioc iocs.txt --dhcp logs/dhcp logs/proxy logs/zeek\n"
          "  sakimori hunt net --ioc c2.txt --format table --year 2019 --timezone Asia/Tokyo \\\n"
          "      --dhcp dhcpd.log access.log.gz\n",
          out);
}

typedef struct ref {
    uint32_t input;
    uint64_t line;
    sk_time t;
} ref;

typedef struct contact {
    char *host;                 /* attributed host, or the address */
    size_t ioc;
    char addr[64];              /* the internal address (the first seen) */
    int how;                    /* attribution */
    sk_time first, last;
    uint64_t count, established, attempted, bytes_out, bytes_in;
    int has_out, has_in;
    ref refs[MAX_REFS];
    size_t n_refs;
    uint64_t omitted;
    ref earliest, latest;       /* the records at the first and last time, kept whatever the reading order */
} contact;

/* how firm an attribution is: a contact says the weakest of its records' */
static int firmness(int how)
{
    switch (how) {
    case SK_ATTRIB_LEASE: return 5;
    case SK_ATTRIB_STATIC: return 4;
    case SK_ATTRIB_NEXT_GRANT: return 3;
    case SK_ATTRIB_DEFAULT_LEASE: return 2;
    case SK_ATTRIB_GAP: return 1;
    default: return 0;
    }
}

typedef struct hn {
    sk_ioc_set *iocs;
    sk_attrib *attrib;
    sk_time tolerance;
    sk_map *contacts;           /* host\0index -> contact */
    contact **all;
    size_t n_all, cap_all;
    char **in_paths;            /* per input: path, SHA-256 */
    char (*in_sha)[65];
    size_t n_in;
    uint32_t cur_input;
    const sk_netrec *cur;
    int quiet;
    uint64_t shown;
    const char *path;
    int oom;
    uint64_t *last_rec;         /* per indicator: the serial of the last record it matched */
    uint64_t rec_serial;
    char **ioc_sha;             /* per --ioc file, by source name */
    char **ioc_src;
    size_t n_ioc_files;
} hn;

static void diag(void *ctx, const char *line)
{
    hn *h = ctx;
    if (h->quiet) return;
    if (++h->shown > 100) {
        if (h->shown == 101) sk_cli_error(cmd, "%s: more problems not shown", h->path);
        return;
    }
    sk_cli_error(cmd, "%s: %s", h->path, line);
}

static void plain_diag(void *ctx, const char *line)
{
    (void)ctx;
    sk_cli_error(cmd, "%s", line);
}

/* the reference kept in a bounded sample: the first, the last, and a spread between */
static void keep_ref(contact *c, const ref *r)
{
    if (c->n_refs < MAX_REFS) {
        c->refs[c->n_refs++] = *r;
        return;
    }
    c->omitted++;
    /* keep the first; the last slot is always the newest; the middle thins out evenly */
    uint64_t seen = c->count;
    if ((seen & (seen - 1)) == 0) { /* at powers of two, halve the middle's density */
        size_t o = 1;
        for (size_t i = 1; i + 1 < MAX_REFS; i += 2) c->refs[o++] = c->refs[i];
        c->omitted += MAX_REFS - 1 - o;
        c->n_refs = o;
        c->refs[c->n_refs++] = *r;
        return;
    }
    c->refs[MAX_REFS - 1] = *r;
}

static int on_hit(void *ctx, size_t ioc)
{
    hn *h = ctx;
    const sk_netrec *r = h->cur;
    /* the internal side: the record's source */
    char addr[64] = "";
    const char *host = NULL;
    int how = SK_ATTRIB_NONE;
    if (r->has & SK_NR_SRC_IP) {
        sk_buf b;
        sk_buf_init(&b, 64);
        if (!sk_ip_format(&b, &r->src_ip) && b.len < sizeof addr) memcpy(addr, b.data, b.len), addr[b.len] = 0;
        sk_buf_free(&b);
        host = sk_attrib_lookup(h->attrib, &r->src_ip, r->ts, h->tolerance, &how);
    }
    if (!host) host = addr[0] ? addr : "-";
    size_t hl = strlen(host);
    char key[1200];
    if (hl > 1024) hl = 1024; /* names are at most a line long; beyond this they merge */
    memcpy(key, host, hl);
    key[hl] = 0;
    memcpy(key + hl + 1, &ioc, sizeof ioc);
    size_t kn = hl + 1 + sizeof ioc;
    contact *c = sk_map_get(h->contacts, key, kn);
    if (!c) {
        if (h->n_all == h->cap_all) {
            size_t cap = h->cap_all ? h->cap_all * 2 : 64;
            contact **nv = realloc(h->all, cap * sizeof *nv);
            if (!nv) { h->oom = 1; return 1; }
            h->all = nv;
            h->cap_all = cap;
        }
        c = calloc(1, sizeof *c);
        if (!c || !(c->host = strndup(host, hl)) || sk_map_put(h->contacts, key, kn, c, NULL)) {
            if (c) free(c->host);
            free(c);
            h->oom = 1;
            return 1;
        }
        h->all[h->n_all++] = c;
        c->ioc = ioc;
        memcpy(c->addr, addr, sizeof addr);
        c->how = how;
        c->first = c->last = r->ts;
    }
    c->count++;
    ref rf = {.input = h->cur_input, .line = r->line, .t = r->ts};
    if (c->count == 1) c->earliest = c->latest = rf;
    if (r->ts != SK_TIME_NONE) {
        if (c->first == SK_TIME_NONE || r->ts < c->first) c->first = r->ts, c->earliest = rf;
        if (c->last == SK_TIME_NONE || r->ts > c->last) c->last = r->ts, c->latest = rf;
    }
    if (firmness(how) < firmness(c->how)) c->how = how;
    if (r->outcome == SK_NR_ESTABLISHED) c->established++;
    else if (r->outcome == SK_NR_ATTEMPTED) c->attempted++;
    if (r->has & SK_NR_BYTES_OUT) c->bytes_out += r->bytes_out, c->has_out = 1;
    if (r->has & SK_NR_BYTES_IN) c->bytes_in += r->bytes_in, c->has_in = 1;
    keep_ref(c, &rf);
    return 0;
}

/* one indicator reported once per record, whichever of its values matched: the serial
 * of the last record each indicator matched */
typedef struct once {
    hn *h;
} once;

static int once_hit(void *ctx, size_t ioc)
{
    once *o = ctx;
    if (o->h->last_rec[ioc] == o->h->rec_serial) return 0;
    o->h->last_rec[ioc] = o->h->rec_serial;
    return on_hit(o->h, ioc);
}

static int on_rec(void *ctx, const sk_netrec *r)
{
    hn *h = ctx;
    if (r->dhcp) return 0;
    h->cur = r;
    h->rec_serial++;
    once o = {.h = h};
    const sk_ioc_set *s = h->iocs;
    if (r->host.s) sk_ioc_match_domain(s, r->host.s, r->host.n, once_hit, &o);
    if (r->sni.s) sk_ioc_match_domain(s, r->sni.s, r->sni.n, once_hit, &o);
    if (r->url.s) {
        const char *sep = r->url.n > 3 ? memchr(r->url.s, ':', r->url.n > 16 ? 16 : r->url.n) : NULL;
        if (sep && (size_t)(sep - r->url.s) + 3 <= r->url.n && sep[1] == '/' && sep[2] == '/') {
            sk_ioc_match_url(s, r->url.s, r->url.n, once_hit, &o);
        } else if (r->host.s && r->url.n < 4000 && r->host.n < 256) { /* Zeek http: host and URI apart */
            char u[4400], port[8] = "";
            if ((r->has & SK_NR_DST_PORT) && r->dst_port != 80) snprintf(port, sizeof port, ":%u", (unsigned)r->dst_port);
            int k = snprintf(u, sizeof u, "http://%.*s%s%s%.*s", (int)r->host.n, r->host.s, port, r->url.n && r->url.s[0] == '/' ? "" : "/",
                             (int)r->url.n, r->url.s);
            if (k > 0 && (size_t)k < sizeof u) sk_ioc_match_url(s, u, (size_t)k, once_hit, &o);
        }
    }
    if (r->has & SK_NR_DST_IP) sk_ioc_match_ip(s, &r->dst_ip, once_hit, &o);
    if (r->md5.s) sk_ioc_match_hash(s, r->md5.s, r->md5.n, once_hit, &o);
    if (r->sha1.s) sk_ioc_match_hash(s, r->sha1.s, r->sha1.n, once_hit, &o);
    if (r->sha256.s) sk_ioc_match_hash(s, r->sha256.s, r->sha256.n, once_hit, &o);
    for (size_t i = 0; i < r->n_answers; i++) {
        sk_ip ip;
        if (!sk_ip_parse(r->answers[i].s, r->answers[i].n, &ip)) sk_ioc_match_ip(s, &ip, once_hit, &o);
        else sk_ioc_match_domain(s, r->answers[i].s, r->answers[i].n, once_hit, &o);
    }
    return h->oom ? SK_ENOMEM : 0;
}

static int on_dhcp(void *ctx, const sk_netrec *r)
{
    hn *h = ctx;
    return sk_attrib_add_dhcp(h->attrib, r);
}

/* read one input into a reader; the SHA-256 of what was stored is kept */
static int read_input(hn *h, const char *path, int in_folder, const sk_netlog_options *base, sk_netrec_cb cb, int *bad, char sha[65])
{
    sk_input_file in;
    if (sk_input_open(path, in_folder, &in)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        *bad = 1;
        return 0;
    }
    if (in.why[0]) sk_cli_error(cmd, "%s: %s", path, in.why);
    if (in.bomb) *bad = 1;
    sk_netlog_options o = *base;
    o.diag = diag;
    o.diag_ctx = h;
    o.name = path;
    h->path = path;
    h->shown = 0;
    sk_netlog_reader *r = NULL;
    sk_hasher *hs = NULL;
    int rc = sk_netlog_reader_new(&r, &o, cb, h);
    if (!rc && !in.have_sha256) rc = sk_hasher_new(&hs) || sk_hasher_begin(hs, SK_DIGEST_SHA256);
    if (!rc) rc = net_read_fd(cmd, path, in.fd, r, hs, bad);
    if (in.have_sha256) {
        memcpy(sha, in.sha256, 65);
    } else if (hs) {
        sk_digests d;
        if (!sk_hasher_end(hs, &d))
            for (int k = 0; k < 32; k++) snprintf(sha + 2 * k, 3, "%02x", d.sha256[k]);
    }
    if (!rc) {
        if (sk_netlog_reader_rejected(r) || (sk_netlog_reader_format(r) == SK_NL_AUTO && !sk_netlog_reader_records(r))) {
            if (!in_folder) {
                sk_cli_error(cmd, "%s: not a network log this reader knows", path);
                *bad = 1;
            }
        } else if (sk_netlog_reader_errors(r)) {
            if (h->quiet) sk_cli_error(cmd, "%s: %llu lines could not be read", path, (unsigned long long)sk_netlog_reader_errors(r));
            *bad = 1;
        }
    }
    sk_hasher_free(hs);
    sk_netlog_reader_free(r);
    sk_input_close(&in);
    return rc;
}

static int by_host(const void *a, const void *b)
{
    const contact *x = *(const contact *const *)a, *y = *(const contact *const *)b;
    int c = strcmp(x->host, y->host);
    if (c) return c;
    return (x->ioc > y->ioc) - (x->ioc < y->ioc);
}

static const char *how_name(int how)
{
    switch (how) {
    case SK_ATTRIB_LEASE: return "dhcp_lease";
    case SK_ATTRIB_NEXT_GRANT: return "dhcp_grant_until_next";
    case SK_ATTRIB_DEFAULT_LEASE: return "dhcp_grant_default_lease";
    case SK_ATTRIB_STATIC: return "static";
    case SK_ATTRIB_GAP: return "dhcp_gap_same_holder";
    case SK_ATTRIB_AMBIGUOUS: return "ambiguous";
    default: return "unresolved";
    }
}

static int write_finding(hn *h, const contact *c, sk_buf *out)
{
    const sk_ioc *ioc = sk_ioc_get(h->iocs, c->ioc);
    const char *src_sha = NULL;
    for (size_t i = 0; i < h->n_ioc_files; i++)
        if (!strcmp(h->ioc_src[i], ioc->source)) src_sha = h->ioc_sha[i];
    sk_buf attr, sum;
    sk_buf_init(&attr, 1 << 16);
    sk_buf_init(&sum, 1 << 12);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "indicator", ioc->text);
    sk_jw_kv_string(&w, "indicator_type", sk_ioc_type_name(ioc->type));
    sk_jw_kv_u64(&w, "indicator_line", ioc->line);
    if (ioc->comment) sk_jw_kv_string(&w, "indicator_comment", ioc->comment);
    sk_jw_kv_string(&w, "direction", "outbound");
    if (c->addr[0]) sk_jw_kv_string(&w, "internal_ip", c->addr);
    sk_jw_kv_string(&w, "attribution", how_name(c->how));
    sk_jw_kv_u64(&w, "established", c->established);
    sk_jw_kv_u64(&w, "attempted", c->attempted);
    if (c->has_out) sk_jw_kv_u64(&w, "bytes_out", c->bytes_out);
    if (c->has_in) sk_jw_kv_u64(&w, "bytes_in", c->bytes_in);
    sk_jw_object_end(&w);
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
    sk_time_format(t1, c->first, 0);
    sk_time_format(t2, c->last, 0);
    sk_buf_printf(&sum, "%s contacted %s (%s from %s) %llu time%s, %s to %s", c->host, ioc->text, sk_ioc_type_name(ioc->type), ioc->source,
                  (unsigned long long)c->count, c->count == 1 ? "" : "s", t1, t2);
    sk_buf_putc(&sum, 0);
    /* the earliest record, the sample, the latest (each once) */
    ref all[MAX_REFS + 2];
    size_t na = 0;
    all[na++] = c->earliest;
    for (size_t i = 0; i < c->n_refs; i++) all[na++] = c->refs[i];
    all[na++] = c->latest;
    sk_finding_ev ev[MAX_REFS + 2];
    size_t ne = 0;
    uint64_t dup = 0;
    for (size_t i = 0; i < na; i++) {
        int seen = 0;
        for (size_t k = 0; k < ne && !seen; k++) seen = ev[k].line == all[i].line && ev[k].path == h->in_paths[all[i].input];
        if (seen) { dup++; continue; }
        memset(&ev[ne], 0, sizeof ev[ne]);
        ev[ne].path = h->in_paths[all[i].input];
        ev[ne].sha256 = h->in_sha[all[i].input];
        ev[ne].line = all[i].line;
        ev[ne].has = SK_FEV_LINE;
        ne++;
    }
    /* the earliest and latest, when not in the sample, were counted as omitted */
    uint64_t omitted = c->omitted;
    uint64_t extra = ne > c->n_refs ? ne - c->n_refs : 0;
    omitted = omitted > extra ? omitted - extra : 0;
    char title[300];
    snprintf(title, sizeof title, "Contact with indicator %.250s", ioc->text);
    sk_finding f = {.host = c->host, .engine = "ioc", .rule_id = ioc->text, .rule_title = title, .rule_source = ioc->source,
                    .rule_source_sha256 = src_sha, .severity = SK_SEV_HIGH, .summary = sum.data, .time = c->first,
                    .time_last = c->last, .count = c->count, .attributes = attr.data, .attributes_len = sk_jw_error(&w) ? 0 : attr.len,
                    .evidence = ev, .n_evidence = ne, .evidence_omitted = omitted};
    int rc = sk_finding_write_json(out, &f);
    sk_buf_free(&attr);
    sk_buf_free(&sum);
    return rc;
}


int hunt_net_main(int argc, char **argv)
{
    hn h = {.tolerance = 60 * SK_NS_PER_SEC};
    sk_netlog_options o = {0};
    const char *zone = NULL, *format = "jsonl";
    char *map = NULL;
    double lease_h = 24;
    char **iocs = calloc((size_t)argc + 1, sizeof *iocs), **dhcp = calloc((size_t)argc + 1, sizeof *dhcp),
         **logs = calloc((size_t)argc + 1, sizeof *logs), **assets = calloc((size_t)argc + 1, sizeof *assets);
    size_t ni = 0, nd = 0, nl = 0, na = 0;
    int rc = 0, bad = 0, exit_code = SK_EXIT_OK;
    if (!iocs || !dhcp || !logs || !assets) {
        free(iocs), free(dhcp), free(logs), free(assets);
        return SK_EXIT_INTERNAL;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int val = !strcmp(a, "--ioc") || !strcmp(a, "--dhcp") || !strcmp(a, "--assets") || !strcmp(a, "--year") || !strcmp(a, "--timezone") ||
                  !strcmp(a, "--lease") || !strcmp(a, "--tolerance") || !strcmp(a, "--format") || !strcmp(a, "--map");
        if (sk_cli_is_help(a)) {
            hunt_net_help(stdout);
            goto done;
        } else if (val) {
            if (i + 1 >= argc) {
                sk_cli_error(cmd, "%s needs a value", a);
                exit_code = SK_EXIT_USAGE;
                goto done;
            }
            const char *v = argv[++i];
            char *e = NULL;
            if (!strcmp(a, "--ioc")) iocs[ni++] = (char *)v;
            else if (!strcmp(a, "--dhcp")) dhcp[nd++] = (char *)v;
            else if (!strcmp(a, "--assets")) assets[na++] = (char *)v;
            else if (!strcmp(a, "--timezone")) zone = v;
            else if (!strcmp(a, "--format")) format = v;
            else if (!strcmp(a, "--map")) {
                free(map);
                if (net_map_load(cmd, v, &map)) { exit_code = SK_EXIT_USAGE; goto done; }
                o.field_map = map;
            } else if (!strcmp(a, "--year")) {
                long y = strtol(v, &e, 10);
                if (*e || y < 1970 || y > 2200) { sk_cli_error(cmd, "--year: '%s' is not a year", v); exit_code = SK_EXIT_USAGE; goto done; }
                o.year = (int)y;
            } else if (!strcmp(a, "--lease")) {
                lease_h = strtod(v, &e);
                if (*e || !(lease_h > 0 && lease_h < 24 * 365)) { sk_cli_error(cmd, "--lease: '%s' is not a number of hours", v); exit_code = SK_EXIT_USAGE; goto done; }
            } else {
                double t = strtod(v, &e);
                if (*e || !(t >= 0 && t < 86400)) { sk_cli_error(cmd, "--tolerance: '%s' is not a number of seconds", v); exit_code = SK_EXIT_USAGE; goto done; }
                h.tolerance = (sk_time)(t * 1e9);
            }
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            h.quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            sk_cli_error(cmd, "unknown option '%s' (sakimori hunt net --help)", a);
            exit_code = SK_EXIT_USAGE;
            goto done;
        } else {
            logs[nl++] = argv[i];
        }
    }
    if (strcmp(format, "jsonl") && strcmp(format, "table")) {
        sk_cli_error(cmd, "--format: '%s' is neither jsonl nor table", format);
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    if (!ni) { sk_cli_error(cmd, "%s", "no --ioc list given (sakimori hunt net --help)"); exit_code = SK_EXIT_USAGE; goto done; }
    if (!nl) { sk_cli_error(cmd, "%s", "no network log given (sakimori hunt net --help)"); exit_code = SK_EXIT_USAGE; goto done; }
    sk_tz *tz = NULL;
    if (zone && sk_tz_load(&tz, zone)) {
        sk_cli_error(cmd, "--timezone: %s", sk_error_last());
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    o.local = tz;
    rc = sk_ioc_set_new(&h.iocs);
    if (!rc) rc = sk_attrib_new(&h.attrib, (sk_time)(lease_h * 3600 * 1e9));
    if (!rc) rc = sk_map_new(&h.contacts, 0);
    h.ioc_sha = calloc(ni, sizeof *h.ioc_sha);
    h.ioc_src = calloc(ni, sizeof *h.ioc_src);
    if (!rc && (!h.ioc_sha || !h.ioc_src)) rc = SK_ENOMEM;
    /* the indicators */
    for (size_t i = 0; !rc && i < ni; i++) {
        char *data = NULL;
        size_t len = 0;
        if (sk_file_read_all(iocs[i], (size_t)1 << 30, &data, &len)) {
            sk_cli_error(cmd, "--ioc %s: %s", iocs[i], sk_error_last());
            exit_code = SK_EXIT_INPUT;
            goto cleanup;
        }
        uint8_t d[32];
        char *hex = malloc(65);
        if (!hex || sk_sha256(data, len, d)) rc = SK_ENOMEM;
        for (int k = 0; hex && k < 32; k++) snprintf(hex + 2 * k, 3, "%02x", d[k]);
        h.ioc_sha[h.n_ioc_files] = hex;
        h.ioc_src[h.n_ioc_files++] = iocs[i];
        size_t before = sk_ioc_set_count(h.iocs);
        if (!rc) rc = sk_ioc_set_add_list(h.iocs, iocs[i], data, len, plain_diag, NULL);
        free(data);
        if (!rc && sk_ioc_set_count(h.iocs) == before) sk_cli_error(cmd, "--ioc %s: no indicator in it", iocs[i]);
    }
    if (!rc && sk_ioc_set_count(h.iocs) && !(h.last_rec = calloc(sk_ioc_set_count(h.iocs), sizeof *h.last_rec))) rc = SK_ENOMEM;
    if (!rc && !sk_ioc_set_count(h.iocs)) {
        sk_cli_error(cmd, "no indicator in the --ioc lists given");
        exit_code = SK_EXIT_INPUT;
        goto cleanup;
    }
    /* fixed addresses from the asset inventories */
    for (size_t i = 0; !rc && i < na; i++) {
        char *data = NULL;
        size_t len = 0, added = 0;
        if (sk_file_read_all(assets[i], (size_t)1 << 30, &data, &len)) {
            sk_cli_error(cmd, "--assets %s: %s", assets[i], sk_error_last());
            exit_code = SK_EXIT_INPUT;
            goto cleanup;
        }
        rc = sk_attrib_add_assets_csv(h.attrib, assets[i], data, len, plain_diag, NULL, &added);
        free(data);
        if (!rc && !added) sk_cli_error(cmd, "--assets %s: no host with a fixed address in it", assets[i]);
    }
    /* the DHCP history, then the logs */
    sk_event_inputs din = {0}, lin = {0};
    sk_event_inputs_options io = {.diag = plain_diag, .any_file = 1};
    if (!rc && nd) rc = sk_event_inputs_expand(dhcp, nd, &io, &din);
    for (size_t i = 0; !rc && i < din.n; i++) {
        char sha[65] = "";
        rc = read_input(&h, din.paths[i], din.in_folder[i], &o, on_dhcp, &bad, sha);
    }
    if (!rc) rc = sk_attrib_finish(h.attrib);
    if (!rc && nd && !sk_attrib_grants(h.attrib)) sk_cli_error(cmd, "--dhcp: no lease or grant in the DHCP logs given: addresses stay unattributed");
    if (!rc) rc = sk_event_inputs_expand(logs, nl, &io, &lin);
    if (!rc && !lin.n) bad = 1;
    h.in_paths = calloc(lin.n + 1, sizeof *h.in_paths);
    h.in_sha = calloc(lin.n + 1, sizeof *h.in_sha);
    if (!rc && (!h.in_paths || !h.in_sha)) rc = SK_ENOMEM;
    for (size_t i = 0; !rc && i < lin.n; i++) {
        h.in_paths[i] = lin.paths[i];
        h.cur_input = (uint32_t)i;
        h.n_in = i + 1;
        rc = read_input(&h, lin.paths[i], lin.in_folder[i], &o, on_rec, &bad, h.in_sha[i]);
    }
    if (!rc) {
        if (h.n_all > 1) qsort(h.all, h.n_all, sizeof *h.all, by_host);
        sk_buf out;
        sk_buf_init(&out, (size_t)1 << 26);
        for (size_t i = 0; !rc && i < h.n_all; i++) {
            const contact *c = h.all[i];
            if (!strcmp(format, "table")) {
                char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
                sk_time_format(t1, c->first, 0);
                sk_time_format(t2, c->last, 0);
                const sk_ioc *ioc = sk_ioc_get(h.iocs, c->ioc);
                /* attacker strings (client names, indicators) escaped for the terminal */
                size_t at = out.len;
                sk_escape_terminal(&out, c->host, strlen(c->host));
                for (size_t w = out.len - at; w < 28; w++) sk_buf_putc(&out, ' ');
                sk_buf_putc(&out, ' ');
                at = out.len;
                sk_escape_terminal(&out, ioc->text, strlen(ioc->text));
                for (size_t w = out.len - at; w < 30; w++) sk_buf_putc(&out, ' ');
                sk_buf_printf(&out, " %7llu  %s  %s  %s\n", (unsigned long long)c->count, t1, t2, how_name(c->how));
            } else {
                rc = write_finding(&h, c, &out);
            }
            if (!rc && out.len > (1u << 20)) {
                if (fwrite(out.data, 1, out.len, stdout) != out.len) rc = SK_EIO;
                sk_buf_reset(&out);
            }
        }
        if (!rc && out.len && fwrite(out.data, 1, out.len, stdout) != out.len) rc = SK_EIO;
        sk_buf_free(&out);
        if (fflush(stdout)) rc = rc ? rc : SK_EIO;
        if (!h.quiet) {
            size_t hosts = 0;
            for (size_t i = 0; i < h.n_all; i++) hosts += !i || strcmp(h.all[i]->host, h.all[i - 1]->host);
            fprintf(stderr, "hunt net: %zu indicators, %zu DHCP grants, %zu inputs: %zu contacts on %zu hosts or addresses\n",
                    sk_ioc_set_count(h.iocs), sk_attrib_grants(h.attrib), lin.n, h.n_all, hosts);
        }
    }
    if (rc) sk_cli_error(cmd, "%s", sk_error_last()[0] ? sk_error_last() : "out of memory or write error");
    exit_code = rc ? sk_exit_from_error(rc) : bad ? SK_EXIT_INPUT : h.n_all ? SK_EXIT_FINDINGS : SK_EXIT_OK;
    sk_event_inputs_free(&din);
    sk_event_inputs_free(&lin);
cleanup:
    for (size_t i = 0; i < h.n_all; i++) free(h.all[i]->host), free(h.all[i]);
    free(h.all);
    for (size_t i = 0; i < h.n_ioc_files; i++) free(h.ioc_sha[i]);
    free(h.ioc_sha);
    free(h.last_rec);
    free(h.ioc_src);
    free(h.in_paths);
    free(h.in_sha);
    sk_map_free(h.contacts);
    sk_attrib_free(h.attrib);
    sk_ioc_set_free(h.iocs);
    sk_tz_free(tz);
done:
    free(map);
    free(assets);
    free(iocs);
    free(dhcp);
    free(logs);
    return exit_code;
}
