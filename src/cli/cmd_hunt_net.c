/*
 * cmd_hunt_net.c - `sakimori hunt net`: which of our machines talked to the attacker.
 * The IOC lists are compiled once; DHCP logs (dhcpd syslog lines, dhcpd.leases, the
 * Windows DHCP audit log) become the address history; every record of the network logs
 * (Squid, Zeek, W3C, firewall CSV; any format the network-log reader knows) is matched by
 * its host, SNI, URL, destination address, user agent and file hashes (each inside the
 * indicator's validity window when the record has a time), and each match is attributed
 * to the host that held the record's internal (source) address then, or left as the
 * address when no single holder is known. One finding per (host, indicator): first and
 * last seen, count, bytes where the log has them, established and attempted contacts,
 * and evidence references (input, SHA-256, line) to the first, the last and a spread.
 * With --beacons every contact from one of our addresses to an outside destination is
 * also a beacon observation (analysis/beacon.c), and the ranked candidates follow.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/attrib.h>
#include <sakimori/beacon.h>
#include <sakimori/case.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/escape.h>
#include <sakimori/evtxdump.h>
#include <sakimori/exfil.h>
#include <sakimori/file.h>
#include <sakimori/finding.h>
#include <sakimori/ioc.h>
#include <sakimori/json.h>
#include <sakimori/map.h>
#include <sakimori/netlog.h>
#include <sakimori/pdns.h>

#include "cli.h"
#include "net_par.h"
#include "net_read.h"
#include "net_events.h"
#include "net_sample.h"
#include "net_sigma.h"
#include "sigma_cli.h"

static const char *cmd = "hunt net";

void hunt_net_help(FILE *out);
int hunt_net_main(int argc, char **argv);

void hunt_net_help(FILE *out)
{
    fputs("usage: sakimori hunt net --ioc FILE... [--dhcp LOG...] [options] LOG...\n"
          "       sakimori hunt net --beacons [--ioc FILE...] [--allow FILE] [options] LOG...\n"
          "       sakimori hunt net --sigma RULES [options] LOG...\n"
          "\n"
          "Find contacts with indicators in network logs (Squid native, Zeek ASCII or JSON,\n"
          "W3C/IIS, firewall CSV, Windows DNS debug logs, JSON lines; files, folders, '-',\n"
          "gzip, zstd) and name the host behind each internal address through the DHCP\n"
          "history (--dhcp: ISC dhcpd syslog lines, dhcpd.leases or Windows DHCP audit\n"
          "logs, recognised by content). One finding per (host, indicator) on stdout\n"
          "(docs/formats/finding.md, engine \"ioc\"); where no single host held the\n"
          "address then, the finding names the address.\n"

          "\n"
          "Indicators (--ioc; the format told by content): plain lists (one a line, '#'\n"
          "comments), CSV with named columns (value, type, comment, source, valid_from /\n"
          "first_seen, valid_until, last_seen), STIX 2.1 bundles (indicator patterns),\n"
          "MISP event exports (to_ids false not loaded) and MISP warninglists (a filter:\n"
          "an indicator on one is never matched). Types: IPv4/IPv6 addresses, CIDR\n"
          "networks, domains (matching their subdomains; '*.example.com' subdomains only;\n"
          "IDN as punycode; a public suffix is refused), URLs, MD5/SHA-1/SHA-256, user\n"
          "agents and JA3 (in plain lists 'ua:' and 'ja3:' before them). Defanged forms\n"
          "(hxxp, [.]) are read. A match outside an indicator's validity window is no\n"
          "contact. docs/network.md \"Indicators\" says what is read and refused.\n"
          "\n"
          "Beacons (--beacons): each (host, destination name, else address:port) series is\n"
          "scored 0-100 by interval and size regularity, persistence over the host's active\n"
          "hours and how few peers (hosts of the same --assets role) poll it with the same\n"
          "period; docs/network.md gives the formula.\n"
          "\n"
          "Sigma (--sigma): rules of the network log sources (category proxy, webserver, dns,\n"
          "firewall; product zeek) run over the same records, one finding per (host, rule)\n"
          "with engine \"sigma\"; the host is the client, for web-server logs the server.\n"
          "Rules for Windows logs are hunt events' (sakimori hunt events --help).\n"
          "\n"
          "Options:\n"
          "  --ioc FILE          an indicator file: list, CSV, STIX, MISP, warninglist (repeatable)\n"
          "  --dhcp LOG          DHCP logs or folders (repeatable): dhcpd syslog, dhcpd.leases,\n"
          "                      Windows DHCP audit logs (DhcpSrvLog-*.log)\n"
          "  --case DIR          a case folder: its case.json sources (kind, glob, zone) are read as\n"
          "                      network and DHCP logs, its window gives syslog years, its\n"
          "                      assets.csv the fixed addresses (LOG arguments are then optional)\n"
          "  --assets FILE       an asset inventory (CSV with host and ip columns): fixed addresses\n"
          "  --year YEAR         the year of syslog lines without one (default: this year)\n"
          "  --timezone ZONE     the zone of local times: syslog lines without one, firewall\n"
          "                      CSV (default UTC)\n"
          "  --map SPEC|@FILE    firewall CSV, JSON lines: which column or member is which field\n"
          "                      (sakimori net --help, docs/network.md)\n"
          "  --lease HOURS       the lease time assumed for a grant whose end no log gives (24)\n"
          "  --tolerance SECONDS how far around a grant an address still counts as held (60)\n"
          "  --beacons           also rank (host, destination) series as beacon candidates\n"
          "                      (findings with engine \"beacon\"; --ioc is then optional)\n"
          "  --allow FILE        beacon allowlist: DOMAIN [ua=GLOB] [uri=GLOB] [process=GLOB] a line;\n"
          "                      a series it covers is down-ranked (score halved), never dropped\n"
          "  --top N             beacon candidates written (default 100)\n"
          "  --exfil             also days a host sent far more out than its own and its peers' days\n"
          "                      (logs with bytes out: Zeek conn/http, firewalls, W3C cs-bytes)\n"
          "  --exfil-min MB      a day below this is never one (100)\n"
          "  --exfil-ratio R     times the baseline (5)\n"
          "  --min-contacts N    fewer distinct contacts make no candidate (default 10)\n"
          "  --internal CIDR     our networks (repeatable; default: the private ranges): beacons are\n"
          "                      series from these to destinations outside them\n"
          "  --pdns-age HOURS    how long after its last DNS answer a name still names an address\n"
          "                      (24); DNS logs (named dns*) are read first for passive DNS\n"
          "  --events PATH       Windows event logs (EVTX, JSON; repeatable): the answers of Sysmon's\n"
          "                      DNS queries (event 22) join passive DNS (with --case: its event logs)\n"
          "  --sigma PATH        a Sigma rule file or folder (repeatable)\n"
          "  --min-level LEVEL   Sigma rules below this level are not run\n"
          "  --mapping FILE      the Sigma log-source mapping (default: built in)\n"
          "  --threads N         readers of one log at once (default: the cores)\n"
          "  --format jsonl|csv|table  output (default jsonl; csv: one row a contact or candidate,\n"
          "                      formulas defused)\n"
          "  -q, --quiet         no per-line messages\n"
          "\n"
          "Exit: 1 contacts or detections found, 0 none, 3 some input could not be read, 2 usage.\n"
          "\n"
          "Examples:\n"
          "  sakimori hunt net --ioc iocs.txt --dhcp logs/dhcp logs/proxy logs/zeek\n"
          "  sakimori hunt net --beacons --allow sync-clients.txt --assets assets.csv --dhcp logs/dhcp logs/proxy\n"
          "  sakimori hunt net --sigma sigma/rules/web --sigma sigma/rules/network --case cases/av\n"
          "  sakimori hunt net --ioc c2.txt --format table --year 2019 --timezone Asia/Tokyo \\\n"
          "      --dhcp dhcpd.log access.log.gz\n",
          out);
}

typedef struct contact {
    char *host;                 /* attributed host, or the address */
    size_t ioc;
    char addr[64];              /* the internal address (the first seen) */
    int how;                    /* attribution */
    uint64_t count, established, attempted, bytes_out, bytes_in;
    int has_out, has_in;
    net_sample s;               /* first and last time, the lines cited */
    uint64_t via_pdns;          /* records matched through a name passive DNS gave their address */
    uint64_t inbound;           /* records where the indicator was the outside source, our host the destination */
    const char *behind;         /* the host is a proxy, NAT or gateway (its --assets role): the client is behind it */
    char *pdns_name;            /* the first such name */
    net_ref pdns_ref;           /* the DNS answer that gave it */
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
    int quiet;
    uint64_t shown;
    const char *path;
    int oom;
    size_t threads;             /* readers of one input at once */
    char **ioc_sha;             /* per --ioc file, by source name */
    char **ioc_src;
    size_t n_ioc_files;
    sk_beacons *beacons;        /* --beacons: every contact is an observation */
    sk_exfil *exfil;            /* --exfil: every outbound byte count */
    const sk_beacon_allow *beacon_allow; /* its allowlist, when one was given */
    sk_pdns *pdns;              /* answers of the DNS logs, read first */
    int pdns_frozen;            /* the DNS logs are read: look-ups only from now on */
    sk_netlog_format cur_fmt;   /* the format of the input being read (its chunks' records) */
    sk_prefix *internal;        /* --internal: our networks (none given: the private ranges) */
    uint64_t no_year, no_zone;  /* records whose year or zone the options had to supply */
    size_t n_internal;
    net_sigma *sigma;           /* --sigma: the rules over every record */
} hn;

/* A match found by a reading thread, applied in input order by the main one. */
typedef struct hit {
    size_t ioc;
    sk_time ts;
    uint64_t line;
    sk_ip src;
    int has_src, outcome, has_out, has_in;
    uint64_t bytes_out, bytes_in;
    int via_pdns;               /* the destination address matched by a name passive DNS gave it */
    int inbound;                /* the indicator was the source (src holds our side, the destination) */
    size_t name, name_n;        /* that name, at an offset of the chunk's text */
    uint32_t dns_input;
    uint64_t dns_line;
} hit;

/* a DNS answer of a reading thread, for passive DNS */
typedef struct answer {
    sk_ip ip;
    size_t name, name_n;
    sk_time t;
    uint64_t line;
} answer;

/* A beacon observation of a reading thread; its strings at offsets of the chunk's text. */
typedef struct bobs {
    size_t host, host_n, dest, dest_n, ua, ua_n, uri, uri_n;
    const char *group;
    int has_ua, has_uri, sensor, has_bytes, has_out;
    sk_time t;
    uint64_t bytes, bytes_out, line;
} bobs;

/* What one chunk of an input gave (net_par.h): its matches and observations. */
typedef struct hchunk {
    hn *h;
    hit *hits;
    size_t n_hits, cap_hits;
    size_t rec_first;           /* the current record's first hit: an indicator counts once a record */
    const sk_netrec *cur;
    bobs *obs;
    size_t n_obs, cap_obs;
    answer *ans;
    size_t n_ans, cap_ans;
    const sk_pdns_name *via;    /* while matching a name passive DNS gave: that name */
    net_sigma_chunk *sg;        /* --sigma: this chunk's matcher and detections */
    sk_netlog_format fmt;       /* the format its records are read as */
    int inbound;                /* while matching an outside source against our destination */
    sk_buf text;
    int oom;
} hchunk;

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

/* a reading thread's match: kept for the main thread, once per record and indicator */
static int on_hit(void *ctx, size_t ioc)
{
    hchunk *k = ctx;
    if (!sk_ioc_set_valid_at(k->h->iocs, ioc, k->cur->ts)) return 0; /* outside its validity: no contact */
    for (size_t i = k->rec_first; i < k->n_hits; i++)
        if (k->hits[i].ioc == ioc) return 0;
    if (k->n_hits == k->cap_hits) {
        size_t cap = k->cap_hits ? k->cap_hits * 2 : 64;
        hit *nh = realloc(k->hits, cap * sizeof *nh);
        if (!nh) { k->oom = 1; return 1; }
        k->hits = nh;
        k->cap_hits = cap;
    }
    const sk_netrec *r = k->cur;
    hit *x = &k->hits[k->n_hits++];
    memset(x, 0, sizeof *x);
    x->ioc = ioc;
    x->ts = r->ts;
    x->line = r->line;
    if (k->inbound) x->src = r->dst_ip, x->has_src = 1, x->inbound = 1; /* our side: the destination */
    else if (r->has & SK_NR_SRC_IP) x->src = r->src_ip, x->has_src = 1;
    x->outcome = r->outcome;
    if (r->has & SK_NR_BYTES_OUT) x->bytes_out = r->bytes_out, x->has_out = 1;
    if (r->has & SK_NR_BYTES_IN) x->bytes_in = r->bytes_in, x->has_in = 1;
    if (k->via) {
        x->via_pdns = 1;
        x->name = k->text.len, x->name_n = k->via->n;
        x->dns_input = k->via->input, x->dns_line = k->via->line;
        if (sk_buf_append(&k->text, k->via->name, k->via->n)) { k->oom = 1; return 1; }
    }
    return 0;
}

/* a match applied (main thread, input order): the contact of its host and indicator */
static int apply_hit(hn *h, const hit *r, const char *text)
{
    size_t ioc = r->ioc;
    /* the internal side: the record's source */
    char addr[64] = "";
    const char *host = NULL;
    int how = SK_ATTRIB_NONE;
    if (r->has_src) {
        sk_buf b;
        sk_buf_init(&b, 64);
        if (!sk_ip_format(&b, &r->src) && b.len < sizeof addr) memcpy(addr, b.data, b.len), addr[b.len] = 0;
        sk_buf_free(&b);
        host = sk_attrib_lookup(h->attrib, &r->src, r->ts, h->tolerance, &how);
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
        net_sample_init(&c->s);
    }
    c->count++;
    net_ref rf = {.input = h->cur_input, .line = r->line, .t = r->ts};
    net_sample_add(&c->s, &rf);
    if (firmness(how) < firmness(c->how)) c->how = how;
    if (!c->behind && how != SK_ATTRIB_NONE && how != SK_ATTRIB_AMBIGUOUS) {
        /* an address that stands for others: the contact's client is in that device's logs */
        const char *role = sk_attrib_role(h->attrib, host);
        if (role && (strstr(role, "proxy") || strstr(role, "nat") || strstr(role, "gateway") || strstr(role, "firewall")))
            c->behind = role;
    }
    if (r->outcome == SK_NR_ESTABLISHED) c->established++;
    else if (r->outcome == SK_NR_ATTEMPTED) c->attempted++;
    if (r->has_out) c->bytes_out += r->bytes_out, c->has_out = 1;
    if (r->has_in) c->bytes_in += r->bytes_in, c->has_in = 1;
    if (r->inbound) c->inbound++;
    if (r->via_pdns && !c->via_pdns++) {
        if (!(c->pdns_name = strndup(text + r->name, r->name_n))) { h->oom = 1; return 1; }
        c->pdns_ref = (net_ref){.input = r->dns_input, .line = r->dns_line, .t = SK_TIME_NONE};
    }
    return 0;
}

/* an address that is no destination a beacon goes to: private, loopback, link-local,
 * multicast, unspecified (internal series are lateral movement, not C2) */
static int internal_addr(const sk_ip *ip)
{
    const uint8_t *a = ip->a;
    if (sk_ip_is_v4(ip)) {
        const uint8_t *b = a + 12;
        return b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 224;
    }
    static const uint8_t zero[15] = {0};
    return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] & 0xfe) == 0xfc || (!memcmp(a, zero, 15) && a[15] <= 1);
}

/* one of our addresses: in a --internal network, or private when none was given */
static int ours(const hn *h, const sk_ip *ip)
{
    if (!h->n_internal) return internal_addr(ip);
    for (size_t i = 0; i < h->n_internal; i++)
        if (sk_prefix_contains(&h->internal[i], ip)) return 1;
    return 0;
}

static int sensor_of(const char *kind)
{
    if (!strcmp(kind, "proxy")) return SK_BEACON_PROXY;
    if (!strcmp(kind, "http")) return SK_BEACON_HTTP;
    if (!strcmp(kind, "ssl")) return SK_BEACON_SSL;
    if (!strcmp(kind, "conn")) return SK_BEACON_CONN;
    if (!strcmp(kind, "fw")) return SK_BEACON_FW;
    if (!strcmp(kind, "dns")) return SK_BEACON_DNS;
    if (!strcmp(kind, "files")) return -1;
    return SK_BEACON_OTHER;
}

/* one contact from our side outwards, for the beacons and the outbound volume: the
 * internal side named as attribution names it, the destination by its name where the
 * record has one, else address:port */
static int beacon_obs(hchunk *k, const sk_netrec *r)
{
    const hn *h = k->h;
    if (r->ts == SK_TIME_NONE || !(r->has & SK_NR_SRC_IP) || !ours(h, &r->src_ip)) return 0;
    int sensor = sensor_of(r->kind);
    if (sensor < 0) return 0;
    char dest[300];
    size_t dn = 0;
    const sk_nstr *name = r->host.s && r->host.n ? &r->host : r->sni.s && r->sni.n ? &r->sni : NULL;
    if (name && name->n < 256) {
        sk_ip ip;
        if (!sk_ip_parse(name->s, name->n, &ip) && (internal_addr(&ip) || ours(h, &ip))) return 0;
        memcpy(dest, name->s, name->n);
        dn = name->n;
    } else if (r->has & SK_NR_DST_IP) {
        if (internal_addr(&r->dst_ip) || ours(h, &r->dst_ip)) return 0;
        sk_buf b;
        sk_buf_init(&b, 64);
        int ok = !sk_ip_format(&b, &r->dst_ip) && b.len < 200;
        if (ok) {
            int v6 = !sk_ip_is_v4(&r->dst_ip);
            int w = snprintf(dest, sizeof dest, "%s%.*s%s:%u", v6 ? "[" : "", (int)b.len, b.data, v6 ? "]" : "",
                             (r->has & SK_NR_DST_PORT) ? (unsigned)r->dst_port : 0u);
            dn = w > 0 && (size_t)w < sizeof dest ? (size_t)w : 0;
        }
        sk_buf_free(&b);
    }
    if (!dn) return 0;
    char addr[64] = "";
    sk_buf b;
    sk_buf_init(&b, 64);
    if (!sk_ip_format(&b, &r->src_ip) && b.len < sizeof addr) memcpy(addr, b.data, b.len), addr[b.len] = 0;
    sk_buf_free(&b);
    int how = 0;
    const char *host = sk_attrib_lookup(h->attrib, &r->src_ip, r->ts, h->tolerance, &how);
    if (!host) host = addr;
    if (!host[0]) return 0;
    if (k->n_obs == k->cap_obs) {
        size_t cap = k->cap_obs ? k->cap_obs * 2 : 256;
        bobs *no = realloc(k->obs, cap * sizeof *no);
        if (!no) return SK_ENOMEM;
        k->obs = no;
        k->cap_obs = cap;
    }
    bobs *o = &k->obs[k->n_obs];
    memset(o, 0, sizeof *o);
    size_t hl = strlen(host);
    o->host = k->text.len, o->host_n = hl;
    if (sk_buf_append(&k->text, host, hl)) return SK_ENOMEM;
    o->dest = k->text.len, o->dest_n = dn;
    if (sk_buf_append(&k->text, dest, dn)) return SK_ENOMEM;
    /* the allowlist's fields, only when there is an allowlist to match them */
    if (r->user_agent.s && h->beacon_allow) {
        o->ua = k->text.len, o->ua_n = r->user_agent.n, o->has_ua = 1;
        if (sk_buf_append(&k->text, r->user_agent.s, r->user_agent.n)) return SK_ENOMEM;
    }
    if (r->url.s && h->beacon_allow) {
        o->uri = k->text.len, o->uri_n = r->url.n, o->has_uri = 1;
        if (sk_buf_append(&k->text, r->url.s, r->url.n)) return SK_ENOMEM;
    }
    o->group = sk_attrib_role(h->attrib, host);
    o->sensor = sensor;
    o->t = r->ts;
    o->line = r->line;
    if (r->has & SK_NR_BYTES_OUT) o->bytes = r->bytes_out, o->has_bytes = 1, o->bytes_out = r->bytes_out, o->has_out = 1;
    else if (r->has & SK_NR_BYTES_IN) o->bytes = r->bytes_in, o->has_bytes = 1;
    k->n_obs++;
    return 0;
}

/* one record of a chunk (a reading thread): its matches and its beacon observation */
static int on_rec(void *ctx, const sk_netrec *r)
{
    hchunk *k = ctx;
    const hn *h = k->h;
    if (r->dhcp) return 0;
    k->cur = r;
    k->rec_first = k->n_hits;
    if (k->sg) {
        int src = net_sigma_rec(k->sg, r, k->fmt);
        if (src) return src;
    }
    if ((h->beacons || (h->exfil && (r->has & SK_NR_BYTES_OUT) && r->bytes_out)) && beacon_obs(k, r)) return SK_ENOMEM;
    /* a DNS answer: every address it gives stood for the query name and its CNAMEs */
    if (h->pdns && !h->pdns_frozen && r->n_answers && r->host.s && r->ts != SK_TIME_NONE) {
        for (size_t i = 0; i < r->n_answers; i++) {
            sk_ip ip;
            if (sk_ip_parse(r->answers[i].s, r->answers[i].n, &ip)) continue;
            for (size_t q = 0; q <= r->n_cname; q++) {
                const sk_nstr *nm = q ? &r->cname[q - 1] : &r->host;
                if (!nm->s || !nm->n || nm->n > 253) continue;
                if (k->n_ans == k->cap_ans) {
                    size_t cap = k->cap_ans ? k->cap_ans * 2 : 256;
                    answer *na = realloc(k->ans, cap * sizeof *na);
                    if (!na) return SK_ENOMEM;
                    k->ans = na;
                    k->cap_ans = cap;
                }
                answer *a = &k->ans[k->n_ans++];
                a->ip = ip, a->t = r->ts, a->line = r->line;
                a->name = k->text.len, a->name_n = nm->n;
                if (sk_buf_append(&k->text, nm->s, nm->n)) return SK_ENOMEM;
            }
        }
    }
    if (!h->iocs || !sk_ioc_set_count(h->iocs)) return 0;
    /* a contact made to us: an outside source (an IIS server's client, a firewall's inbound
     * session) against address indicators, our destination the host */
    if ((r->has & SK_NR_SRC_IP) && (r->has & SK_NR_DST_IP) && !ours(h, &r->src_ip) && ours(h, &r->dst_ip)) {
        k->inbound = 1;
        sk_ioc_match_ip(h->iocs, &r->src_ip, on_hit, k);
        k->inbound = 0;
    }
    /* an address without a name: the names passive DNS gave it then */
    if (h->pdns_frozen && (r->has & SK_NR_DST_IP) && !(r->host.s && r->host.n) && !(r->sni.s && r->sni.n)) {
        sk_pdns_name nm[8];
        size_t nn = sk_pdns_lookup(h->pdns, &r->dst_ip, r->ts, h->tolerance, nm, 8);
        for (size_t i = 0; i < nn; i++) {
            k->via = &nm[i];
            sk_ioc_match_domain(h->iocs, nm[i].name, nm[i].n, on_hit, k);
        }
        k->via = NULL;
    }
    hchunk *o = k;
    const sk_ioc_set *s = h->iocs;
    /* a URL with its scheme and host, or (Zeek http) a URI apart from the host */
    const char *sep = r->url.s && r->url.n > 3 ? memchr(r->url.s, ':', r->url.n > 16 ? 16 : r->url.n) : NULL;
    int whole_url = sep && (size_t)(sep - r->url.s) + 3 <= r->url.n && sep[1] == '/' && sep[2] == '/';
    int url_may = 1;
    if (r->host.s) {
        /* the host asked whether a URL indicator has it only when the URL is to be built */
        if (r->url.s && !whole_url) sk_ioc_match_host(s, r->host.s, r->host.n, on_hit, o, &url_may);
        else sk_ioc_match_domain(s, r->host.s, r->host.n, on_hit, o);
    }
    if (r->sni.s) sk_ioc_match_domain(s, r->sni.s, r->sni.n, on_hit, o);
    if (r->url.s) {
        if (whole_url) {
            sk_ioc_match_url(s, r->url.s, r->url.n, on_hit, o);
        } else if (r->host.s && r->url.n < 4000 && r->host.n < 256 && url_may) {
            /* Zeek http: host and URI apart (put together only when a URL indicator may have the host) */
            /* http://host[:port]/uri, put together without printf (every Zeek http record) */
            char u[4400];
            size_t w = 0;
            memcpy(u, "http://", 7), w = 7;
            memcpy(u + w, r->host.s, r->host.n), w += r->host.n;
            if ((r->has & SK_NR_DST_PORT) && r->dst_port != 80) {
                char port[8];
                size_t pn = 0;
                unsigned v = r->dst_port;
                do port[pn++] = (char)('0' + v % 10), v /= 10;
                while (v);
                u[w++] = ':';
                while (pn) u[w++] = port[--pn];
            }
            if (!(r->url.n && r->url.s[0] == '/')) u[w++] = '/';
            memcpy(u + w, r->url.s, r->url.n), w += r->url.n;
            sk_ioc_match_url(s, u, w, on_hit, o);
        }
    }
    if (r->has & SK_NR_DST_IP) sk_ioc_match_ip(s, &r->dst_ip, on_hit, o);
    if (r->user_agent.s) sk_ioc_match_user_agent(s, r->user_agent.s, r->user_agent.n, on_hit, o);
    if (r->md5.s) sk_ioc_match_hash(s, r->md5.s, r->md5.n, on_hit, o);
    if (r->sha1.s) sk_ioc_match_hash(s, r->sha1.s, r->sha1.n, on_hit, o);
    if (r->sha256.s) sk_ioc_match_hash(s, r->sha256.s, r->sha256.n, on_hit, o);
    for (size_t i = 0; i < r->n_answers; i++) {
        sk_ip ip;
        if (!sk_ip_parse(r->answers[i].s, r->answers[i].n, &ip)) sk_ioc_match_ip(s, &ip, on_hit, o);
        else sk_ioc_match_domain(s, r->answers[i].s, r->answers[i].n, on_hit, o);
    }
    return k->oom ? SK_ENOMEM : 0;
}

static void *chunk_new(void *ctx)
{
    hchunk *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->h = ctx;
    k->fmt = k->h->cur_fmt;
    sk_buf_init(&k->text, (size_t)1 << 30);
    if (k->h->sigma && !(k->sg = net_sigma_chunk_new(k->h->sigma))) {
        free(k);
        return NULL;
    }
    return k;
}

/* a chunk's results applied (main thread, input order), then freed */
static int chunk_done(void *ctx, void *chunk)
{
    hn *h = ctx;
    hchunk *k = chunk;
    int rc = k->oom ? SK_ENOMEM : 0;
    if (k->sg) {
        int r2 = net_sigma_chunk_done(h->sigma, k->sg, h->cur_input);
        if (!rc) rc = r2;
    }
    for (size_t i = 0; !rc && i < k->n_hits; i++)
        if (apply_hit(h, &k->hits[i], k->text.data) || h->oom) rc = SK_ENOMEM;
    /* DNS answers: passive DNS, while the DNS logs are read */
    for (size_t i = 0; !rc && i < k->n_ans; i++) {
        const answer *a = &k->ans[i];
        if (sk_pdns_add(h->pdns, &a->ip, k->text.data + a->name, a->name_n, a->t, h->cur_input, a->line)) rc = SK_ENOMEM;
    }
    for (size_t i = 0; !rc && i < k->n_obs; i++) {
        const bobs *b = &k->obs[i];
        const char *t = k->text.data;
        sk_beacon_obs o = {.host = t + b->host, .host_n = b->host_n, .group = b->group, .dest = t + b->dest, .dest_n = b->dest_n,
                           .sensor = b->sensor, .t = b->t, .bytes = b->bytes, .has_bytes = b->has_bytes, .input = h->cur_input,
                           .line = b->line};
        if (b->has_ua) o.ua = t + b->ua, o.ua_n = b->ua_n;
        if (b->has_uri) o.uri = t + b->uri, o.uri_n = b->uri_n;
        if (h->beacons && sk_beacons_add(h->beacons, &o)) rc = SK_ENOMEM;
        if (!rc && h->exfil && b->has_out) {
            sk_exfil_obs x = {.host = o.host, .host_n = o.host_n, .group = b->group, .dest = o.dest, .dest_n = o.dest_n, .sensor = b->sensor,
                              .t = b->t, .bytes_out = b->bytes_out, .input = h->cur_input, .line = b->line};
            if (sk_exfil_add(h->exfil, &x)) rc = SK_ENOMEM;
        }
    }
    free(k->hits);
    free(k->obs);
    free(k->ans);
    sk_buf_free(&k->text);
    free(k);
    return rc;
}

/* one reader feeding one chunk context, flushed when it grows (inputs read serially) */
typedef struct serial {
    hn *h;
    hchunk *k;
    sk_netlog_reader *r;        /* its format, once the first lines told it */
    int rc;
} serial;

static int serial_rec(void *ctx, const sk_netrec *r)
{
    serial *sr = ctx;
    if (!sr->k && !(sr->k = chunk_new(sr->h))) return SK_ENOMEM;
    if (sr->r) sr->k->fmt = sk_netlog_reader_format(sr->r);
    int rc = on_rec(sr->k, r);
    if (!rc && (sr->k->n_hits > 65536 || sr->k->n_obs > 65536 || (sr->k->sg && net_sigma_chunk_pending(sr->k->sg) > 65536))) {
        rc = chunk_done(sr->h, sr->k);
        sr->k = NULL;
    }
    return rc;
}

/* a Sigma finding's host: who held the address then */
static const char *sigma_attrib(void *ctx, const sk_ip *ip, sk_time t, int *how)
{
    const hn *h = ctx;
    return sk_attrib_lookup(h->attrib, ip, t, h->tolerance, how);
}

static int on_dhcp(void *ctx, const sk_netrec *r)
{
    hn *h = ctx;
    if (r->ts_quality & SK_TQ_YEAR_INFERRED) h->no_year++;
    if (r->ts_quality & SK_TQ_ZONE_ASSUMED) h->no_zone++;
    return sk_attrib_add_dhcp(h->attrib, r);
}

/* Read one input; the SHA-256 of what was stored is kept. DHCP logs (dhcp set) go to
 * on_dhcp on this thread; network logs go through on_rec in chunks, read by h->threads
 * readers at once when their format allows it (net_par.h), one reader otherwise. */
static int read_input(hn *h, const char *path, int in_folder, const sk_netlog_options *base, int dhcp, int *bad, char sha[65])
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
    int rc = 0;
    if (!in.have_sha256) rc = sk_hasher_new(&hs) || sk_hasher_begin(hs, SK_DIGEST_SHA256);
    /* the first bytes tell the format */
    enum { HEAD = 65536 };
    char *head = malloc(HEAD);
    size_t n_head = 0;
    int eof = 0;
    uint64_t left = net_input_bound(in.fd); /* a log still being written: read as it was opened */
    if (!head) rc = SK_ENOMEM;
    while (!rc && n_head < HEAD) {
        ssize_t k = net_read_bounded(in.fd, head + n_head, HEAD - n_head, &left);
        if (k < 0) {
            sk_cli_error(cmd, "%s: read error: %s", path, strerror(errno));
            *bad = 1;
            eof = 1;
            break;
        }
        if (!k) { eof = 1; break; }
        n_head += (size_t)k;
    }
    sk_netlog_format fmt = base->format != SK_NL_AUTO ? base->format : sk_netlog_detect(head ? head : "", n_head);
    h->cur_fmt = fmt;
    uint64_t records = 0, errors = 0;
    int rejected = 0;
    if (!rc && !dhcp && h->threads > 1 && net_par_format_ok(fmt) && !eof && memchr(head, '\n', n_head)) {
        o.format = fmt;
        net_par_ops ops = {.chunk_new = chunk_new, .on_rec = on_rec, .chunk_done = chunk_done};
        rc = net_read_parallel(cmd, path, in.fd, head, n_head, &o, h->threads, &ops, h, hs, bad, &records, &errors, &left);
    } else if (!rc) {
        serial sr = {.h = h};
        rc = sk_netlog_reader_new(&r, &o, dhcp ? on_dhcp : serial_rec, dhcp ? (void *)h : (void *)&sr);
        sr.r = r;
        if (!rc && hs && n_head) rc = sk_hasher_update(hs, head, n_head);
        if (!rc && n_head) rc = sk_netlog_feed(r, head, n_head);
        if (!rc && !eof) rc = net_read_fd(cmd, path, in.fd, r, hs, bad, &left);
        else if (!rc) rc = sk_netlog_end(r);
        if (sr.k) {
            int r2 = chunk_done(h, sr.k);
            if (!rc) rc = r2;
        }
        if (!rc) {
            records = sk_netlog_reader_records(r);
            errors = sk_netlog_reader_errors(r);
            rejected = sk_netlog_reader_rejected(r) || (sk_netlog_reader_format(r) == SK_NL_AUTO && !records);
        }
    }
    free(head);
    if (in.have_sha256) {
        memcpy(sha, in.sha256, 65);
    } else if (hs) {
        sk_digests d;
        if (!sk_hasher_end(hs, &d))
            for (int k = 0; k < 32; k++) snprintf(sha + 2 * k, 3, "%02x", d.sha256[k]);
    }
    if (!rc) {
        if (rejected) {
            if (!in_folder) {
                sk_cli_error(cmd, "%s: not a network log this reader knows", path);
                *bad = 1;
            }
        } else if (errors) {
            if (h->quiet) sk_cli_error(cmd, "%s: %llu lines could not be read", path, (unsigned long long)errors);
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

/* an evidence reference to a line of an input read */
static sk_finding_ev line_ev(const hn *h, uint32_t input, uint64_t line)
{
    sk_finding_ev e;
    memset(&e, 0, sizeof e);
    e.path = h->in_paths[input];
    e.sha256 = h->in_sha[input];
    e.line = line;
    e.has = SK_FEV_LINE;
    return e;
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
    if (ioc->id) sk_jw_kv_string(&w, "indicator_id", ioc->id);
    if (ioc->feed) sk_jw_kv_string(&w, "indicator_feed", ioc->feed);
    if (ioc->valid_from != SK_TIME_NONE) sk_jw_kv_time(&w, "indicator_valid_from", ioc->valid_from);
    if (ioc->valid_until != SK_TIME_NONE) sk_jw_kv_time(&w, "indicator_valid_until", ioc->valid_until);
    if (sk_ioc_set_next_entry(h->iocs, c->ioc) != SIZE_MAX) { /* the same value in other entries or lists */
        sk_jw_key(&w, "indicator_entries");
        sk_jw_array_begin(&w);
        size_t k = 0;
        for (size_t j = c->ioc; j != SIZE_MAX && k < 64; j = sk_ioc_set_next_entry(h->iocs, j), k++) {
            const sk_ioc *e = sk_ioc_get(h->iocs, j);
            sk_jw_object_begin(&w);
            sk_jw_kv_string(&w, "source", e->source);
            sk_jw_kv_u64(&w, "line", e->line);
            sk_jw_kv_string(&w, "indicator", e->text);
            if (e->id) sk_jw_kv_string(&w, "id", e->id);
            sk_jw_object_end(&w);
        }
        sk_jw_array_end(&w);
    }
    sk_jw_kv_string(&w, "direction", !c->inbound ? "outbound" : c->inbound == c->count ? "inbound" : "both");
    if (c->inbound && c->inbound < c->count) sk_jw_kv_u64(&w, "inbound", c->inbound);
    if (c->addr[0]) sk_jw_kv_string(&w, "internal_ip", c->addr);
    sk_jw_kv_string(&w, "attribution", how_name(c->how));
    if (c->behind) {
        sk_jw_kv_string(&w, "address_of", c->behind);
        sk_jw_kv_string(&w, "note", "the address is a proxy's, NAT's or gateway's: the client behind it is in that device's own logs");
    }
    if (c->via_pdns) {
        sk_jw_kv_u64(&w, "via_passive_dns", c->via_pdns);
        sk_jw_kv_string(&w, "passive_dns_name", c->pdns_name);
    }
    sk_jw_kv_u64(&w, "established", c->established);
    sk_jw_kv_u64(&w, "attempted", c->attempted);
    if (c->has_out) sk_jw_kv_u64(&w, "bytes_out", c->bytes_out);
    if (c->has_in) sk_jw_kv_u64(&w, "bytes_in", c->bytes_in);
    sk_jw_object_end(&w);
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
    sk_time_format(t1, c->s.first, 0);
    sk_time_format(t2, c->s.last, 0);
    const char *verb = !c->inbound ? "contacted" : c->inbound == c->count ? "was contacted by" : "exchanged with";
    sk_buf_printf(&sum, "%s %s %s (%s from %s) %llu time%s, %s to %s", c->host, verb, ioc->text, sk_ioc_type_name(ioc->type), ioc->source,
                  (unsigned long long)c->count, c->count == 1 ? "" : "s", t1, t2);
    sk_buf_putc(&sum, 0);
    sk_finding_ev ev[NET_SAMPLE_MAX + 3];
    uint64_t omitted;
    size_t ne = net_sample_evidence(&c->s, c->via_pdns ? &c->pdns_ref : NULL, h->in_paths, h->in_sha, ev, &omitted);
    char title[300];
    snprintf(title, sizeof title, "Contact with indicator %.250s", ioc->text);
    sk_finding f = {.host = c->host, .engine = "ioc", .rule_id = ioc->text, .rule_title = title, .rule_source = ioc->source,
                    .rule_source_sha256 = src_sha, .severity = SK_SEV_HIGH, .summary = sum.data, .time = c->s.first,
                    .time_last = c->s.last, .count = c->count, .attributes = attr.data, .attributes_len = sk_jw_error(&w) ? 0 : attr.len,
                    .evidence = ev, .n_evidence = ne, .evidence_omitted = omitted};
    int rc = sk_finding_write_json(out, &f);
    sk_buf_free(&attr);
    sk_buf_free(&sum);
    return rc;
}

/* A case's log source kind (case.json sources[].kind) as a reader's format: *dhcp set
 * for the address history; -1 for kinds that are no network log (event logs). */
static int case_kind(const char *kind, int *dhcp)
{
    static const struct {
        const char *kind;
        int fmt, dhcp;
    } k[] = {{"squid", SK_NL_SQUID, 0},        {"zeek", SK_NL_AUTO, 0},          {"zeek-json", SK_NL_ZEEK_JSON, 0},
             {"iis-w3c", SK_NL_W3C, 0},        {"w3c", SK_NL_W3C, 0},            {"firewall-csv", SK_NL_FWCSV, 0},
             {"fwcsv", SK_NL_FWCSV, 0},        {"windns", SK_NL_WINDNS, 0},      {"dns-debug", SK_NL_WINDNS, 0},
             {"json", SK_NL_JSON, 0},          {"dhcpd-syslog", SK_NL_DHCPD_SYSLOG, 1}, {"dhcpd-leases", SK_NL_DHCPD_LEASES, 1},
             {"windhcp", SK_NL_WINDHCP, 1},    {"windows-dhcp", SK_NL_WINDHCP, 1}, {"netlog", SK_NL_AUTO, 0}};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strcmp(kind, k[i].kind)) {
            *dhcp = k[i].dhcp;
            return k[i].fmt;
        }
    return -1;
}

/* an input's reading: its format and zone (a case's source gives its own) */
typedef struct in_spec {
    sk_netlog_format fmt;
    const sk_tz *tz;
} in_spec;

static int push_input(sk_event_inputs *l, in_spec **sp, const char *path, sk_netlog_format fmt, const sk_tz *tz)
{
    char **np = realloc(l->paths, (l->n + 1) * sizeof *np);
    if (!np) return SK_ENOMEM;
    l->paths = np;
    unsigned char *nf = realloc(l->in_folder, l->n + 1);
    if (!nf) return SK_ENOMEM;
    l->in_folder = nf;
    in_spec *ns = realloc(*sp, (l->n + 1) * sizeof *ns);
    if (!ns) return SK_ENOMEM;
    *sp = ns;
    if (!(l->paths[l->n] = strdup(path))) return SK_ENOMEM;
    l->in_folder[l->n] = 1; /* reached through the case's glob: opened without following a link */
    ns[l->n] = (in_spec){fmt, tz};
    l->n++;
    l->cap = l->n;
    return 0;
}

/* CSV (--format csv): one row a contact or beacon candidate, fields escaped and
 * formulas defused (sk_escape_csv) */
static const char *const csv_cols[] = {"engine", "host", "indicator", "indicator_type", "indicator_source", "first", "last", "count",
                                       "established", "attempted", "bytes_out", "bytes_in", "internal_ip", "attribution", "score", "rank",
                                       "evidence_path", "evidence_line", NULL};

static void csv_row(sk_buf *out, const char *const *v)
{
    for (size_t i = 0; csv_cols[i]; i++) {
        if (i) sk_buf_putc(out, ',');
        if (v[i]) sk_escape_csv(out, v[i], strlen(v[i]));
    }
    sk_buf_putc(out, '\n');
}

static void csv_contact(const hn *h, const contact *c, sk_buf *out)
{
    const sk_ioc *ioc = sk_ioc_get(h->iocs, c->ioc);
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX], n[24], est[24], att[24], bo[24] = "", bi[24] = "", line[24];
    sk_time_format(t1, c->s.first, 0);
    sk_time_format(t2, c->s.last, 0);
    snprintf(n, sizeof n, "%llu", (unsigned long long)c->count);
    snprintf(est, sizeof est, "%llu", (unsigned long long)c->established);
    snprintf(att, sizeof att, "%llu", (unsigned long long)c->attempted);
    if (c->has_out) snprintf(bo, sizeof bo, "%llu", (unsigned long long)c->bytes_out);
    if (c->has_in) snprintf(bi, sizeof bi, "%llu", (unsigned long long)c->bytes_in);
    snprintf(line, sizeof line, "%llu", (unsigned long long)c->s.earliest.line);
    const char *v[] = {"ioc", c->host, ioc->text, sk_ioc_type_name(ioc->type), ioc->source, t1, t2, n, est, att, bo, bi, c->addr,
                       how_name(c->how), NULL, NULL, h->in_paths[c->s.earliest.input], line};
    csv_row(out, v);
}

static void csv_beacon(const hn *h, const sk_beacon_cand *c, size_t rank, sk_buf *out)
{
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX], n[24], sc[32], rk[24], bt[24] = "", line[24];
    sk_time_format(t1, c->first, 0);
    sk_time_format(t2, c->last, 0);
    snprintf(n, sizeof n, "%llu", (unsigned long long)c->observations);
    snprintf(sc, sizeof sc, "%.3f", c->score);
    snprintf(rk, sizeof rk, "%zu", rank);
    if (c->size_score >= 0) snprintf(bt, sizeof bt, "%llu", (unsigned long long)c->bytes_total);
    snprintf(line, sizeof line, "%llu", (unsigned long long)(c->n_refs ? c->refs[0].line : 0));
    const char *v[] = {"beacon", c->host, c->dest, "beacon", c->allowlisted ? c->allow_source : NULL, t1, t2, n, NULL, NULL, NULL, NULL,
                       NULL, NULL, sc, rk, c->n_refs ? h->in_paths[c->refs[0].input] : NULL, c->n_refs ? line : NULL};
    (void)bt;
    csv_row(out, v);
}

/* one day of outbound volume over its baselines as a finding (engine "exfil") */
static int write_exfil(hn *h, const sk_exfil_cand *c, sk_buf *out)
{
    sk_buf attr, sum;
    sk_buf_init(&attr, 1 << 12);
    sk_buf_init(&sum, 1 << 10);
    sk_civil cv;
    sk_time_to_civil((sk_time)c->day * 86400 * SK_NS_PER_SEC, &cv);
    char day[16];
    snprintf(day, sizeof day, "%04lld-%02d-%02d", (long long)cv.year, cv.month, cv.day);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "day", day);
    sk_jw_kv_u64(&w, "bytes_out", c->bytes);
    sk_jw_kv_u64(&w, "records", c->records);
    sk_jw_key(&w, "own_median_bytes");
    sk_jw_double(&w, c->own_median);
    sk_jw_key(&w, "peer_median_bytes");
    sk_jw_double(&w, c->peer_median);
    sk_jw_key(&w, "ratio");
    sk_jw_double(&w, round(c->ratio * 100) / 100);
    sk_jw_kv_u64(&w, "days_seen", c->days_seen);
    if (c->group) sk_jw_kv_string(&w, "peer_group", c->group);
    sk_jw_key(&w, "destinations");
    sk_jw_array_begin(&w);
    for (size_t i = 0; i < c->n_dests; i++) {
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "destination", c->dests[i].dest);
        sk_jw_kv_u64(&w, "bytes_out", c->dests[i].bytes);
        sk_jw_object_end(&w);
    }
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    sk_buf_printf(&sum, "%s sent %.1f MB out on %s, %.1f times its baseline (own median %.1f MB, peers %.1f MB)%s%s", c->host,
                  (double)c->bytes / 1e6, day, c->ratio, c->own_median / 1e6, c->peer_median / 1e6, c->n_dests ? "; most to " : "",
                  c->n_dests ? c->dests[0].dest : "");
    sk_buf_putc(&sum, 0);
    sk_finding_ev ev[SK_EXFIL_REFS];
    for (size_t i = 0; i < c->n_refs; i++) ev[i] = line_ev(h, c->refs[i].input, c->refs[i].line);
    char title[64];
    snprintf(title, sizeof title, "Outbound volume over baseline on %s", day);
    sk_finding f = {.host = c->host, .engine = "exfil", .rule_id = "exfil-volume", .rule_title = title,
                    .severity = c->ratio >= 20 ? SK_SEV_HIGH : SK_SEV_MEDIUM, .summary = sum.data, .time = c->first, .time_last = c->last,
                    .count = c->records, .attributes = attr.data, .attributes_len = sk_jw_error(&w) ? 0 : attr.len, .evidence = ev,
                    .n_evidence = c->n_refs, .evidence_omitted = c->records > c->n_refs ? c->records - c->n_refs : 0};
    int rc = sk_finding_write_json(out, &f);
    sk_buf_free(&attr);
    sk_buf_free(&sum);
    return rc;
}

/* one beacon candidate as a finding (engine "beacon") */
static int write_beacon(hn *h, const sk_beacon_cand *c, size_t rank, const char *allow_sha, sk_buf *out)
{
    sk_buf attr, sum;
    sk_buf_init(&attr, 1 << 12);
    sk_buf_init(&sum, 1 << 10);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "destination", c->dest);
    sk_jw_kv_u64(&w, "rank", rank);
    sk_jw_key(&w, "score");
    sk_jw_double(&w, c->score);
    sk_jw_kv_string(&w, "sensor", sk_beacon_sensor_name(c->sensor));
    sk_jw_key(&w, "interval_score");
    sk_jw_double(&w, round(c->interval_score * 1000) / 1000);
    if (c->size_score >= 0) {
        sk_jw_key(&w, "size_score");
        sk_jw_double(&w, round(c->size_score * 1000) / 1000);
    }
    sk_jw_key(&w, "persistence");
    sk_jw_double(&w, round(c->persistence * 1000) / 1000);
    if (c->unusual >= 0) {
        sk_jw_key(&w, "unusual");
        sk_jw_double(&w, round(c->unusual * 1000) / 1000);
    }
    if (c->odd_port) sk_jw_kv_bool(&w, "odd_port", 1);
    sk_jw_key(&w, "median_interval_s");
    sk_jw_double(&w, round(c->median_interval_s * 1000) / 1000);
    sk_jw_key(&w, "madm_interval_s");
    sk_jw_double(&w, round(c->madm_interval_s * 1000) / 1000);
    sk_jw_key(&w, "bowley_skew");
    sk_jw_double(&w, round(c->bowley_interval * 1000) / 1000);
    if (c->size_score >= 0) {
        sk_jw_key(&w, "median_bytes");
        sk_jw_double(&w, c->median_bytes);
        sk_jw_key(&w, "madm_bytes");
        sk_jw_double(&w, c->madm_bytes);
        sk_jw_kv_u64(&w, "bytes_total", c->bytes_total);
    }
    sk_jw_kv_u64(&w, "contacts", c->contacts);
    sk_jw_kv_u64(&w, "hours_seen", c->hours_seen);
    sk_jw_kv_u64(&w, "hours_active", c->hours_active);
    sk_jw_kv_u64(&w, "peers", c->peers);
    if (c->group) sk_jw_kv_string(&w, "peer_group", c->group);
    sk_jw_kv_u64(&w, "destination_hosts", c->dest_hosts);
    sk_jw_kv_u64(&w, "hosts", c->hosts);
    if (c->allowlisted) {
        sk_jw_kv_bool(&w, "allowlisted", 1);
        sk_jw_kv_string(&w, "allowlist", c->allow_source);
        sk_jw_kv_u64(&w, "allowlist_line", c->allow_line);
    }
    if (c->truncated) sk_jw_kv_bool(&w, "truncated", 1);
    sk_jw_object_end(&w);
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
    sk_time_format(t1, c->first, 0);
    sk_time_format(t2, c->last, 0);
    sk_buf_printf(&sum, "%s -> %s: beacon score %.1f (rank %zu), %llu contacts every %.0f s (median), %s to %s", c->host, c->dest, c->score, rank,
                  (unsigned long long)c->contacts, c->median_interval_s, t1, t2);
    sk_buf_putc(&sum, 0);
    sk_finding_ev ev[SK_BEACON_REFS];
    for (size_t i = 0; i < c->n_refs; i++) ev[i] = line_ev(h, c->refs[i].input, c->refs[i].line);
    char title[400];
    snprintf(title, sizeof title, "Beacon candidate to %.300s", c->dest);
    sk_finding f = {.host = c->host, .engine = "beacon", .rule_id = "beacon", .rule_title = title,
                    .rule_source = c->allowlisted ? c->allow_source : NULL, .rule_source_sha256 = c->allowlisted ? allow_sha : NULL,
                    .severity = c->score >= 75 ? SK_SEV_MEDIUM : SK_SEV_LOW, .summary = sum.data, .time = c->first, .time_last = c->last,
                    .count = c->observations, .attributes = attr.data, .attributes_len = sk_jw_error(&w) ? 0 : attr.len, .evidence = ev,
                    .n_evidence = c->n_refs, .evidence_omitted = c->observations > c->n_refs ? c->observations - c->n_refs : 0};
    int rc = sk_finding_write_json(out, &f);
    sk_buf_free(&attr);
    sk_buf_free(&sum);
    return rc;
}

/* Sysmon 22 answers (net_events.h): the event logs are inputs the evidence can cite */
static uint32_t ev_input(void *ctx, size_t i, const char *path)
{
    (void)i;
    hn *h = ctx;
    size_t k = h->n_in++;
    h->in_paths[k] = (char *)path;
    return (uint32_t)k;
}

static void ev_input_done(void *ctx, uint32_t input, const char *sha256)
{
    hn *h = ctx;
    snprintf(h->in_sha[input], sizeof h->in_sha[input], "%s", sha256);
}

static int ev_answer(void *ctx, const sk_ip *ip, const char *name, size_t n, sk_time t, uint32_t input, uint64_t locator)
{
    hn *h = ctx;
    return sk_pdns_add(h->pdns, ip, name, n, t, input, locator) ? SK_ENOMEM : 0;
}

int hunt_net_main(int argc, char **argv)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    hn h = {.tolerance = 60 * SK_NS_PER_SEC, .threads = ncpu > 0 ? (size_t)ncpu : 1};
    sk_netlog_options o = {0};
    const char *zone = NULL, *format = "jsonl";
    char *map = NULL;
    double lease_h = 24;
    char **iocs = calloc((size_t)argc + 1, sizeof *iocs), **dhcp = calloc((size_t)argc + 1, sizeof *dhcp),
         **logs = calloc((size_t)argc + 1, sizeof *logs), **assets = calloc((size_t)argc + 1, sizeof *assets),
         **evlogs = calloc((size_t)argc + 1, sizeof *evlogs);
    size_t ni = 0, nd = 0, nl = 0, na = 0, ne = 0, top = 100, min_contacts = 10;
    char **case_ev = NULL;      /* a case's event-log sources, expanded */
    size_t n_case_ev = 0;
    double pdns_age_h = 24;
    int want_beacons = 0, want_exfil = 0;
    const char *case_dir = NULL;
    sk_case *cs = NULL;
    sigma_cli_opts so = {.readers = SK_SIGMA_READER_PROXY | SK_SIGMA_READER_WEBSERVER | SK_SIGMA_READER_DNS | SK_SIGMA_READER_FIREWALL |
                                    SK_SIGMA_READER_ZEEK};
    const char **sigma_paths = calloc((size_t)argc + 1, sizeof *sigma_paths);
    size_t n_sigma = 0;
    int min_level = -1;
    sk_sigma_set *sset = NULL;
    in_spec *dspec = NULL, *lspec = NULL;
    double exfil_mb = 100, exfil_ratio = 5;
    const sk_exfil_cand *xc = NULL;
    size_t n_xc = 0;
    const char *allow_path = NULL;
    char allow_sha[65] = "";
    sk_beacon_allow *allow = NULL;
    const sk_beacon_cand *cands = NULL;
    size_t n_cands = 0;
    int rc = 0, bad = 0, exit_code = SK_EXIT_OK;
    if (!iocs || !dhcp || !logs || !assets || !sigma_paths || !evlogs) {
        free(iocs), free(dhcp), free(logs), free(assets), free(sigma_paths), free(evlogs);
        return SK_EXIT_INTERNAL;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int val = !strcmp(a, "--ioc") || !strcmp(a, "--dhcp") || !strcmp(a, "--assets") || !strcmp(a, "--year") || !strcmp(a, "--timezone") ||
                  !strcmp(a, "--lease") || !strcmp(a, "--tolerance") || !strcmp(a, "--format") || !strcmp(a, "--allow") ||
                  !strcmp(a, "--internal") || !strcmp(a, "--threads") || !strcmp(a, "--top") || !strcmp(a, "--min-contacts") ||
                  !strcmp(a, "--map") || !strcmp(a, "--pdns-age") || !strcmp(a, "--exfil-min") || !strcmp(a, "--exfil-ratio") ||
                  !strcmp(a, "--case") || !strcmp(a, "--sigma") || !strcmp(a, "--min-level") || !strcmp(a, "--mapping") ||
                  !strcmp(a, "--events");
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
            else if (!strcmp(a, "--allow")) allow_path = v;
            else if (!strcmp(a, "--internal")) {
                sk_prefix *np = realloc(h.internal, (h.n_internal + 1) * sizeof *np);
                if (!np) { exit_code = SK_EXIT_INTERNAL; goto done; }
                h.internal = np;
                if (sk_prefix_parse(v, strlen(v), 0, &h.internal[h.n_internal])) {
                    sk_cli_error(cmd, "--internal: '%s' is not a network (CIDR, host bits clear)", v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
                h.n_internal++;
            }
            else if (!strcmp(a, "--threads")) {
                unsigned long long x = strtoull(v, &e, 10);
                if (*e || !*v || v[0] == '-' || x < 1 || x > 64) {
                    sk_cli_error(cmd, "--threads: '%s' is not a count from 1 to 64", v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
                h.threads = (size_t)x;
            } else if (!strcmp(a, "--top") || !strcmp(a, "--min-contacts")) {
                unsigned long long x = strtoull(v, &e, 10);
                if (*e || !*v || v[0] == '-' || x > 10000000) {
                    sk_cli_error(cmd, "%s: '%s' is not a count", a, v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
                if (!strcmp(a, "--top")) top = (size_t)x;
                else min_contacts = x < 3 ? 3 : (size_t)x;
            }
            else if (!strcmp(a, "--case")) case_dir = v;
            else if (!strcmp(a, "--sigma")) sigma_paths[n_sigma++] = v;
            else if (!strcmp(a, "--events")) evlogs[ne++] = (char *)v;
            else if (!strcmp(a, "--mapping")) so.mapping = v;
            else if (!strcmp(a, "--min-level")) {
                min_level = sk_sigma_level_from_name(v, strlen(v));
                if (min_level < 0) {
                    sk_cli_error(cmd, "--min-level: '%s' is none of informational, low, medium, high, critical", v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
            }
            else if (!strcmp(a, "--exfil-min") || !strcmp(a, "--exfil-ratio")) {
                double x = strtod(v, &e);
                if (*e || !(x > 0 && x < 1e9)) {
                    sk_cli_error(cmd, "%s: '%s' is not a positive number", a, v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
                if (!strcmp(a, "--exfil-min")) exfil_mb = x;
                else exfil_ratio = x;
            } else if (!strcmp(a, "--pdns-age")) {
                pdns_age_h = strtod(v, &e);
                if (*e || !(pdns_age_h > 0 && pdns_age_h < 24 * 365)) {
                    sk_cli_error(cmd, "--pdns-age: '%s' is not a number of hours", v);
                    exit_code = SK_EXIT_USAGE;
                    goto done;
                }
            } else if (!strcmp(a, "--map")) {
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
        } else if (!strcmp(a, "--beacons")) {
            want_beacons = 1;
        } else if (!strcmp(a, "--exfil")) {
            want_exfil = 1;
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
    if (strcmp(format, "jsonl") && strcmp(format, "table") && strcmp(format, "csv")) {
        sk_cli_error(cmd, "--format: '%s' is not jsonl, csv or table", format);
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    if (!ni && !want_beacons && !want_exfil && !n_sigma) {
        sk_cli_error(cmd, "%s", "no --ioc list, --sigma rules, --beacons or --exfil given (sakimori hunt net --help)");
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    if ((so.mapping || min_level >= 0) && !n_sigma) {
        sk_cli_error(cmd, "%s", "--mapping and --min-level are for --sigma");
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    if (allow_path && !want_beacons) { sk_cli_error(cmd, "%s", "--allow is for --beacons"); exit_code = SK_EXIT_USAGE; goto done; }
    if (!nl && !case_dir) { sk_cli_error(cmd, "%s", "no network log and no --case given (sakimori hunt net --help)"); exit_code = SK_EXIT_USAGE; goto done; }
    if (case_dir) {
        char cj[4096];
        snprintf(cj, sizeof cj, "%s/case.json", case_dir);
        if (sk_case_load(&cs, cj)) {
            sk_cli_error(cmd, "--case: %s", sk_error_last());
            exit_code = SK_EXIT_INPUT;
            goto done;
        }
        /* syslog lines without a year: the case window's */
        if (!o.year) {
            sk_civil cv;
            sk_time_to_civil(sk_case_window_start(cs), &cv);
            o.year = (int)cv.year;
        }
        /* the case's asset inventory, unless one is given */
        if (!na) {
            static char ap[4096];
            snprintf(ap, sizeof ap, "%s/assets.csv", case_dir);
            if (!access(ap, R_OK)) assets[na++] = ap;
        }
    }
    sk_tz *tz = NULL;
    if (zone && sk_tz_load(&tz, zone)) {
        sk_cli_error(cmd, "--timezone: %s", sk_error_last());
        exit_code = SK_EXIT_USAGE;
        goto done;
    }
    o.local = tz;
    /* the Sigma rules: those of the network log sources run; the others are counted */
    if (n_sigma) {
        so.rules = sigma_paths;
        so.n_rules = n_sigma;
        size_t files = 0;
        int ex = sigma_cli_load(&so, cmd, &sset, &files);
        if (!sset) {
            exit_code = ex ? ex : SK_EXIT_INPUT;
            goto cleanup;
        }
        if (ex == SK_EXIT_INPUT) bad = 1;
        sk_sigma_select sel = {.min_level = min_level};
        size_t selected = sk_sigma_set_select(sset, &sel);
        size_t runs = 0, other = 0, corr = 0, refused = 0;
        for (size_t i = 0; i < sk_sigma_set_count(sset); i++) {
            sk_sigma_rule_info ri;
            sk_sigma_rule_info_get(sset, i, &ri);
            if (ri.kind == SK_SIGMA_CORRELATION) corr++;
            else if (ri.support == SK_SIGMA_RUNS || ri.support == SK_SIGMA_RUNS_PARTLY) runs += ri.kind == SK_SIGMA_DETECTION;
            else if (ri.support == SK_SIGMA_NO_READER) other++;
            else refused++;
        }
        if (!h.quiet)
            fprintf(stderr, "hunt net: %zu Sigma rule files: %zu rules for network logs%s, %zu for other logs (not run here)%s, %zu refused or unmapped%s%s\n",
                    files, runs, min_level >= 0 ? " (before --min-level)" : "", other, corr ? ", correlations not run here" : "", refused,
                    refused ? " (sakimori sigma check says why)" : "", selected ? "" : "; none selected");
        o.columns = 1;
        if (net_sigma_new(&h.sigma, sset, sigma_attrib, &h)) rc = SK_ENOMEM;
    }
    if (!rc) rc = sk_ioc_set_new(&h.iocs);
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
        sk_ioc_stats before, after;
        sk_ioc_set_stats(h.iocs, &before);
        if (!rc) rc = sk_ioc_set_add(h.iocs, iocs[i], data, len, plain_diag, NULL);
        sk_ioc_set_stats(h.iocs, &after);
        free(data);
        if (rc == SK_EFORMAT) { /* the file as a whole unreadable: said, the others load */
            sk_cli_error(cmd, "--ioc %s", sk_error_last());
            bad = 1;
            rc = 0;
            continue;
        }
        if (!rc && after.entries == before.entries && after.warninglists == before.warninglists) sk_cli_error(cmd, "--ioc %s: no indicator in it", iocs[i]);
    }
    if (!rc && ni && !sk_ioc_set_count(h.iocs)) {
        sk_cli_error(cmd, "no indicator in the --ioc lists given");
        exit_code = SK_EXIT_INPUT;
        goto cleanup;
    }
    /* the beacon allowlist */
    if (!rc && want_beacons) {
        rc = sk_beacon_allow_new(&allow);
        if (!rc && allow_path) {
            char *data = NULL;
            size_t len = 0;
            if (sk_file_read_all(allow_path, (size_t)1 << 28, &data, &len)) {
                sk_cli_error(cmd, "--allow %s: %s", allow_path, sk_error_last());
                exit_code = SK_EXIT_INPUT;
                goto cleanup;
            }
            uint8_t d[32];
            if (!sk_sha256(data, len, d))
                for (int k = 0; k < 32; k++) snprintf(allow_sha + 2 * k, 3, "%02x", d[k]);
            rc = sk_beacon_allow_add(allow, allow_path, data, len, plain_diag, NULL);
            free(data);
            if (!rc && !sk_beacon_allow_count(allow)) sk_cli_error(cmd, "--allow %s: no entry in it", allow_path);
        }
        sk_beacon_options bo = {.min_contacts = min_contacts, .allow = allow};
        if (sk_beacon_allow_count(allow)) h.beacon_allow = allow;
        if (!rc) rc = sk_beacons_new(&h.beacons, &bo);
    }
    if (!rc && want_exfil) {
        sk_exfil_options xo = {.min_bytes = (uint64_t)(exfil_mb * 1e6), .ratio = exfil_ratio};
        if (sk_exfil_new(&h.exfil, &xo)) rc = SK_ENOMEM;
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
    if (!rc && nl) rc = sk_event_inputs_expand(logs, nl, &io, &lin);
    /* the inputs given read as the options say; a case's sources with their kind and zone */
    if (!rc && ((din.n && !(dspec = calloc(din.n, sizeof *dspec))) || (lin.n && !(lspec = calloc(lin.n, sizeof *lspec))))) rc = SK_ENOMEM;
    for (size_t i = 0; !rc && i < din.n; i++) dspec[i] = (in_spec){o.format, o.local};
    for (size_t i = 0; !rc && i < lin.n; i++) lspec[i] = (in_spec){o.format, o.local};
    for (size_t i = 0; !rc && cs && i < sk_case_source_count(cs); i++) {
        const sk_case_source *src = sk_case_source_at(cs, i);
        int is_dhcp = 0, fmt = case_kind(src->kind, &is_dhcp);
        int events = fmt < 0 && sk_case_kind_is_events(src->kind) && ni; /* Sysmon 22 for passive DNS */
        if (fmt < 0 && !events) continue;                                /* other kinds: not network logs */
        char **paths = NULL;
        size_t n = 0;
        if (sk_case_source_expand(case_dir, src, &paths, &n)) {
            sk_cli_error(cmd, "--case: %s", sk_error_last());
            bad = 1;
            continue;
        }
        if (events) {
            char **nv = realloc(case_ev, (n_case_ev + n + 1) * sizeof *nv);
            if (!nv) {
                sk_case_paths_free(paths, n);
                rc = SK_ENOMEM;
                break;
            }
            case_ev = nv;
            for (size_t k = 0; k < n; k++) case_ev[n_case_ev++] = paths[k];
            free(paths); /* the strings now case_ev's */
            continue;
        }
        const sk_tz *stz = src->tz ? src->tz : sk_case_default_tz(cs);
        for (size_t k = 0; !rc && k < n; k++) rc = push_input(is_dhcp ? &din : &lin, is_dhcp ? &dspec : &lspec, paths[k], (sk_netlog_format)fmt, stz);
        sk_case_paths_free(paths, n);
    }
    for (size_t i = 0; !rc && i < din.n; i++) {
        char sha[65] = "";
        sk_netlog_options oi = o;
        oi.format = dspec[i].fmt, oi.local = dspec[i].tz;
        rc = read_input(&h, din.paths[i], din.in_folder[i], &oi, 1, &bad, sha);
    }
    if (!rc) rc = sk_attrib_finish(h.attrib);
    /* times the logs do not state are said, not silently assumed */
    if (!rc && h.no_year && !o.year) {
        sk_civil now;
        sk_time_to_civil(sk_time_now(), &now);
        sk_cli_error(cmd, "--dhcp: %llu lines carry no year: read in %lld, this year (give --year)", (unsigned long long)h.no_year,
                     (long long)now.year);
    }
    if (!rc && h.no_zone && !zone)
        sk_cli_error(cmd, "--dhcp: %llu lines carry no time zone: read as UTC (give --timezone)", (unsigned long long)h.no_zone);
    if (!rc && nd && !sk_attrib_grants(h.attrib)) sk_cli_error(cmd, "--dhcp: no lease or grant in the DHCP logs given: addresses stay unattributed");
    if (!rc && !lin.n) bad = 1;
    /* event logs (--events, the case's): Sysmon 22 answers for passive DNS, with --ioc */
    sk_event_inputs ein = {0};
    if (!rc && (ne || n_case_ev) && !ni) sk_cli_error(cmd, "%s", "--events: Sysmon's DNS answers serve passive DNS, which serves --ioc: not read");
    if (!rc && ni && (ne || n_case_ev)) {
        char **all_ev = calloc(ne + n_case_ev + 1, sizeof *all_ev);
        if (!all_ev) rc = SK_ENOMEM;
        for (size_t i = 0; all_ev && i < ne; i++) all_ev[i] = evlogs[i];
        for (size_t i = 0; all_ev && i < n_case_ev; i++) all_ev[ne + i] = case_ev[i];
        sk_event_inputs_options eo = {.diag = plain_diag};
        if (!rc) rc = sk_event_inputs_expand(all_ev, ne + n_case_ev, &eo, &ein);
        free(all_ev);
        if (!rc && (ein.unreadable || ein.special)) bad = 1;
    }
    h.in_paths = calloc(lin.n + ein.n + 1, sizeof *h.in_paths);
    h.in_sha = calloc(lin.n + ein.n + 1, sizeof *h.in_sha);
    if (!rc && (!h.in_paths || !h.in_sha)) rc = SK_ENOMEM;
    if (!rc && ni && (rc = sk_pdns_new(&h.pdns, (sk_time)(pdns_age_h * 3600 * 1e9)))) rc = SK_ENOMEM;
    uint64_t ev_answers = 0;
    if (!rc && ein.n) {
        net_events_ops eops = {.input = ev_input, .input_done = ev_input_done, .answer = ev_answer};
        rc = net_events_pdns(cmd, &ein, o.local ? o.local : cs ? sk_case_default_tz(cs) : NULL, (unsigned)h.threads, &eops, &h, &bad,
                             &ev_answers);
    }
    /* DNS logs first (by their names: dns.log, dns.*.log.gz, ...): their answers are
     * the passive DNS that names the addresses of the logs read after them */
    size_t *order = calloc(lin.n + 1, sizeof *order);
    if (!rc && !order) rc = SK_ENOMEM;
    size_t n_dns = 0;
    if (!rc) {
        size_t k = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < lin.n; i++) {
                const char *b = strrchr(lin.paths[i], '/');
                b = b ? b + 1 : lin.paths[i];
                int dnsname = (b[0] | 0x20) == 'd' && (b[1] | 0x20) == 'n' && (b[2] | 0x20) == 's';
                if (dnsname == !pass) order[k++] = i, n_dns += !pass;
            }
    }
    size_t base = h.n_in; /* the network logs' inputs follow the event logs' */
    for (size_t j = 0; !rc && j < lin.n; j++) {
        size_t i = order[j];
        if (j == n_dns) h.pdns_frozen = 1;
        h.in_paths[base + j] = lin.paths[i];
        h.cur_input = (uint32_t)(base + j);
        h.n_in = base + j + 1;
        sk_netlog_options oi = o;
        oi.format = lspec[i].fmt, oi.local = lspec[i].tz;
        rc = read_input(&h, lin.paths[i], lin.in_folder[i], &oi, 0, &bad, h.in_sha[base + j]);
    }
    free(order);
    if (!rc && h.beacons) rc = sk_beacons_rank(h.beacons, &cands, &n_cands);
    if (!rc && h.exfil && sk_exfil_rank(h.exfil, &xc, &n_xc)) rc = SK_ENOMEM;
    if (!rc) {
        if (h.n_all > 1) qsort(h.all, h.n_all, sizeof *h.all, by_host);
        sk_buf out;
        sk_buf_init(&out, (size_t)1 << 26);
        int csv = !strcmp(format, "csv");
        if (csv) csv_row(&out, csv_cols);
        for (size_t i = 0; !rc && i < h.n_all; i++) {
            const contact *c = h.all[i];
            if (csv) {
                csv_contact(&h, c, &out);
            } else if (!strcmp(format, "table")) {
                char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
                sk_time_format(t1, c->s.first, 0);
                sk_time_format(t2, c->s.last, 0);
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
        size_t n_sg = h.sigma ? net_sigma_count(h.sigma) : 0;
        int sgfmt = csv ? NET_SIGMA_CSV : !strcmp(format, "table") ? NET_SIGMA_TABLE : NET_SIGMA_JSONL;
        if (!rc && n_sg && sgfmt == NET_SIGMA_TABLE)
            sk_buf_printf(&out, "%s%-28s %-60s %7s  %-20s  %-20s  %s\n", h.n_all ? "\n" : "", "host", "sigma rule", "lines", "first", "last",
                          "attribution");
        for (size_t i = 0; !rc && i < n_sg; i++) {
            rc = net_sigma_write(h.sigma, i, sgfmt, h.in_paths, h.in_sha, how_name, &out);
            if (!rc && out.len > (1u << 20)) {
                if (fwrite(out.data, 1, out.len, stdout) != out.len) rc = SK_EIO;
                sk_buf_reset(&out);
            }
        }
        size_t shown_cands = n_cands < top ? n_cands : top;
        if (!rc && shown_cands && !strcmp(format, "table"))
            sk_buf_printf(&out, "%s%-5s %-28s %-34s %7s %8s %9s %6s %6s %6s\n", h.n_all ? "\n" : "", "rank", "host", "destination", "score",
                          "contacts", "median_s", "T", "P", "U");
        for (size_t i = 0; !rc && i < shown_cands; i++) {
            const sk_beacon_cand *c = &cands[i];
            if (csv) {
                csv_beacon(&h, c, i + 1, &out);
            } else if (!strcmp(format, "table")) {
                sk_buf_printf(&out, "%-5zu ", i + 1);
                size_t at = out.len;
                sk_escape_terminal(&out, c->host, strlen(c->host));
                for (size_t w = out.len - at; w < 28; w++) sk_buf_putc(&out, ' ');
                sk_buf_putc(&out, ' ');
                at = out.len;
                sk_escape_terminal(&out, c->dest, strlen(c->dest));
                for (size_t w = out.len - at; w < 34; w++) sk_buf_putc(&out, ' ');
                char u[16] = "     -";
                if (c->unusual >= 0) snprintf(u, sizeof u, "%6.2f", c->unusual);
                sk_buf_printf(&out, " %7.1f %8llu %9.0f %6.2f %6.2f %6s%s\n", c->score, (unsigned long long)c->contacts, c->median_interval_s,
                              c->interval_score, c->persistence, u, c->allowlisted ? "  allowlisted" : c->odd_port ? "  odd port" : "");
            } else {
                rc = write_beacon(&h, c, i + 1, allow_sha[0] ? allow_sha : NULL, &out);
            }
            if (!rc && out.len > (1u << 20)) {
                if (fwrite(out.data, 1, out.len, stdout) != out.len) rc = SK_EIO;
                sk_buf_reset(&out);
            }
        }
        if (!rc && n_xc && !strcmp(format, "table"))
            sk_buf_printf(&out, "%s%-28s %-10s %12s %8s %12s %12s  %s\n", h.n_all || shown_cands ? "\n" : "", "host", "day", "bytes_out", "ratio",
                          "own_median", "peer_median", "most to");
        for (size_t i = 0; !rc && i < n_xc; i++) {
            const sk_exfil_cand *c = &xc[i];
            if (csv) {
                char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX], n[24], bo[24], sc[32], line[24];
                sk_time_format(t1, c->first, 0);
                sk_time_format(t2, c->last, 0);
                snprintf(n, sizeof n, "%llu", (unsigned long long)c->records);
                snprintf(bo, sizeof bo, "%llu", (unsigned long long)c->bytes);
                snprintf(sc, sizeof sc, "%.2f", c->ratio);
                snprintf(line, sizeof line, "%llu", (unsigned long long)(c->n_refs ? c->refs[0].line : 0));
                const char *v[] = {"exfil", c->host, c->n_dests ? c->dests[0].dest : NULL, "volume", NULL, t1, t2, n, NULL, NULL, bo, NULL, NULL,
                                   NULL, sc, NULL, c->n_refs ? h.in_paths[c->refs[0].input] : NULL, c->n_refs ? line : NULL};
                csv_row(&out, v);
            } else if (!strcmp(format, "table")) {
                sk_civil cv;
                sk_time_to_civil((sk_time)c->day * 86400 * SK_NS_PER_SEC, &cv);
                size_t at = out.len;
                sk_escape_terminal(&out, c->host, strlen(c->host));
                for (size_t w = out.len - at; w < 28; w++) sk_buf_putc(&out, ' ');
                sk_buf_printf(&out, " %04lld-%02d-%02d %12llu %8.1f %12.0f %12.0f  ", (long long)cv.year, cv.month, cv.day,
                              (unsigned long long)c->bytes, c->ratio, c->own_median, c->peer_median);
                if (c->n_dests) sk_escape_terminal(&out, c->dests[0].dest, strlen(c->dests[0].dest));
                sk_buf_putc(&out, '\n');
            } else {
                rc = write_exfil(&h, c, &out);
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
            if (ein.n)
                fprintf(stderr, "hunt net: passive DNS: %llu answers from Sysmon DNS queries (event 22) in %zu event logs\n",
                        (unsigned long long)ev_answers, ein.n);
            if (h.sigma) {
                uint64_t ev, hits, und;
                net_sigma_totals(h.sigma, &ev, &hits, &und);
                fprintf(stderr, "hunt net: Sigma: %llu records of network log sources, %llu detections: %zu findings on %zu hosts or addresses%s\n",
                        (unsigned long long)ev, (unsigned long long)hits, n_sg, net_sigma_hosts(h.sigma),
                        und ? "; some rules could not judge records that lack their fields (sakimori sigma check)" : "");
                net_sigma_report_lacking(h.sigma, cmd);
            }
            if (h.beacons)
                fprintf(stderr, "hunt net: %zu beacon candidates (series of %zu or more contacts), %zu written%s\n", n_cands, min_contacts,
                        n_cands < top ? n_cands : top, sk_beacons_dropped(h.beacons) ? "; some series reached their bound and were scored on the contacts kept" : "");
        }
    }
    if (rc) sk_cli_error(cmd, "%s", sk_error_last()[0] ? sk_error_last() : "out of memory or write error");
    exit_code = rc ? sk_exit_from_error(rc) : bad ? SK_EXIT_INPUT : h.n_all || (n_cands && top) || n_xc || (h.sigma && net_sigma_count(h.sigma)) ? SK_EXIT_FINDINGS : SK_EXIT_OK;
    sk_event_inputs_free(&din);
    sk_event_inputs_free(&lin);
    sk_event_inputs_free(&ein);
cleanup:
    for (size_t i = 0; i < h.n_all; i++) free(h.all[i]->host), free(h.all[i]->pdns_name), free(h.all[i]);
    sk_pdns_free(h.pdns);
    free(h.all);
    for (size_t i = 0; i < h.n_ioc_files; i++) free(h.ioc_sha[i]);
    free(h.ioc_sha);
    free(h.ioc_src);
    free(h.in_paths);
    free(h.in_sha);
    sk_map_free(h.contacts);
    sk_beacons_free(h.beacons);
    sk_exfil_free(h.exfil);
    sk_beacon_allow_free(allow);
    sk_attrib_free(h.attrib);
    sk_ioc_set_free(h.iocs);
    net_sigma_free(h.sigma);
    sk_sigma_set_free(sset);
    sk_tz_free(tz);
done:
    free(dspec);
    free(lspec);
    sk_case_free(cs);
    free(h.internal);
    free(map);
    free(sigma_paths);
    free(evlogs);
    for (size_t i = 0; i < n_case_ev; i++) free(case_ev[i]);
    free(case_ev);
    free(assets);
    free(iocs);
    free(dhcp);
    free(logs);
    return exit_code;
}
