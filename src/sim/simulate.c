/*
 * simulate.c - sk_sim_run(): build the world, write the case folder and the truth.
 *
 * Output layout (docs/simulate.md):
 *   DIR/case.json         the case configuration an investigator would write
 *   DIR/truth/truth.json  the ground truth, from the story alone
 *   DIR/snapshots/        inventories: bases/, catalog.jsonl, listings/<site>/<HOST>.jsonl
 *   (logs are written by the emitters as they are added)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/json.h>
#include <sakimori/simulate.h>
#include <sakimori/version.h>

#include "avlog.h"
#include "events.h"
#include "firewall.h"
#include "inventory.h"
#include "netlogs.h"
#include "out.h"
#include "world.h"

const char *sk_sim_default_scenario(void)
{
    return sim_default_scenario_json;
}

int sk_sim_check_scenario(const char *path)
{
    sim_scenario *sc;
    int rc = sim_scenario_load(&sc, path);
    sim_scenario_free(sc);
    return rc;
}

/* The output directory must be new or empty; it is created when missing. */
static int prepare_out_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return sk_error_set(SK_EEXISTS, "%s: exists and is not a directory; refusing to write there", dir);
        DIR *d = opendir(dir);
        if (!d) return sk_error_set(SK_EIO, "%s: cannot read: %s", dir, strerror(errno));
        struct dirent *e;
        int empty = 1;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
        closedir(d);
        if (!empty)
            return sk_error_set(SK_EEXISTS, "%s: directory is not empty; refusing to overwrite anything there", dir);
        if (access(dir, W_OK | X_OK))
            return sk_error_set(SK_EIO, "%s: not writable: %s", dir, strerror(errno));
        return 0;
    }
    if (errno != ENOENT) return sk_error_set(SK_EIO, "%s: %s", dir, strerror(errno));
    if (mkdir(dir, 0755))
        return sk_error_set(SK_EIO, "%s: cannot create: %s", dir, strerror(errno));
    return 0;
}

static void kv_time(sk_jw *w, const char *key, sk_time t)
{
    char buf[SK_TIME_ISO_MAX];
    sk_time_format(buf, t, 3);
    sk_jw_kv_string(w, key, buf);
}

static void kv_ip(sk_jw *w, const char *key, uint32_t ip)
{
    char buf[16];
    sim_ip_str(ip, buf);
    sk_jw_kv_string(w, key, buf);
}

static const char *how_name(sim_how h)
{
    switch (h) {
    case SIM_HOW_ZERO_DAY: return "zero_day";
    case SIM_HOW_AV_PUSH: return "av_update_push";
    case SIM_HOW_REMOTE_EXECUTION: return "remote_execution";
    }
    return "unknown";
}

static const char *role_name(sim_role r)
{
    switch (r) {
    case SIM_ENDPOINT: return "endpoint";
    case SIM_AV_SERVER: return "av_management";
    case SIM_DC: return "domain_controller";
    case SIM_FILE_SERVER: return "file_server";
    case SIM_PROXY: return "proxy";
    case SIM_DHCP_SERVER: return "dhcp_server";
    case SIM_APP_SERVER: return "server";
    }
    return "unknown";
}

static void evidence_list(sk_jw *w, unsigned ev)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{SIM_EV_SYSMON, "sysmon"}, {SIM_EV_SECURITY_4688, "security_4688"},
                 {SIM_EV_POWERSHELL, "powershell"}, {SIM_EV_PROXY, "proxy"}, {SIM_EV_ZEEK, "zeek"},
                 {SIM_EV_FIREWALL, "firewall"}, {SIM_EV_INVENTORY, "inventory"},
                 {SIM_EV_AV_WEBLOG, "av_web_log"}};
    sk_jw_key(w, "evidence");
    sk_jw_array_begin(w);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ev & names[i].bit) sk_jw_string(w, names[i].name);
    sk_jw_array_end(w);
}

/* The honest best verdict from the evidence emitted: endpoint traces prove execution. */
static const char *detectable_as(unsigned ev)
{
    if (ev & (SIM_EV_SYSMON | SIM_EV_SECURITY_4688 | SIM_EV_POWERSHELL)) return "compromised";
    if (ev & SIM_EV_INVENTORY) return "suspected";
    if (ev & (SIM_EV_PROXY | SIM_EV_ZEEK | SIM_EV_FIREWALL)) return "contacted";
    return "undetectable";
}

static int write_truth(sim_out *o, const sim_world *w, const sk_sim_options *opt, sk_sim_summary *sum)
{
    const sim_scenario *sc = w->sc;
    const sim_attacker *a = &w->attacker;
    sk_buf b, pretty;
    sk_buf_init(&b, (size_t)1 << 30);
    sk_buf_init(&pretty, (size_t)2 << 30);
    sk_jw j;
    sk_jw_init(&j, &b);
    sk_jw_object_begin(&j);
    sk_jw_kv_string(&j, "schema", "sakimori/truth/1");
    sk_jw_kv_string(&j, "generator", "sakimori simulate");
    sk_jw_kv_string(&j, "version", sk_version());
    sk_jw_kv_u64(&j, "seed", opt->seed);
    sk_jw_kv_u64(&j, "hosts", w->n_hosts);
    sk_jw_kv_string(&j, "scenario", sc->name);
    sk_jw_key(&j, "timeline");
    sk_jw_object_begin(&j);
    kv_time(&j, "start", sc->start);
    kv_time(&j, "overseas_entry", sc->overseas_entry);
    kv_time(&j, "domestic_entry", sc->domestic_entry);
    kv_time(&j, "detection", sc->detection);
    kv_time(&j, "containment", sc->containment);
    kv_time(&j, "end", sc->end);
    sk_jw_object_end(&j);
    sk_jw_key(&j, "attacker");
    sk_jw_object_begin(&j);
    sk_jw_kv_string(&j, "powershell_renamed_to", a->browser_name);
    sk_jw_key(&j, "cloud_services");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < a->n_services; i++) sk_jw_string(&j, a->services[i]);
    sk_jw_array_end(&j);
    sk_jw_key(&j, "attacker_domains");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < a->n_domains; i++) sk_jw_string(&j, a->domains[i]);
    sk_jw_array_end(&j);
    sk_jw_key(&j, "spoofed_sources");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < a->n_spoofed; i++) {
        char ip[16];
        sim_ip_str(a->spoofed_sources[i], ip);
        sk_jw_string(&j, ip);
    }
    sk_jw_array_end(&j);
    sk_jw_kv_string(&j, "pushed_payload_sha256", a->payload_sha256);
    sk_jw_object_end(&j);
    /* victims */
    size_t dom = 0, sens = 0;
    sk_jw_key(&j, "compromised_hosts");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < w->n_victims; i++) {
        const sim_victim *v = &w->victims[i];
        const sim_host *h = &w->hosts[v->host];
        const sim_site *s = &w->sites[h->site];
        int domestic = sc->regions[s->region].domestic;
        dom += domestic;
        sens += v->sensitive;
        sk_jw_object_begin(&j);
        sk_jw_kv_string(&j, "host", h->name);
        sk_jw_kv_string(&j, "role", role_name(h->role));
        sk_jw_kv_string(&j, "site", s->spec->name);
        sk_jw_kv_string(&j, "region", sc->regions[s->region].name);
        sk_jw_kv_bool(&j, "domestic", domestic);
        if (h->laptop) { /* a new DHCP address every day: see the DHCP logs */
            sk_jw_key(&j, "ip");
            sk_jw_null(&j);
        } else {
            kv_ip(&j, "ip", h->ip);
        }
        kv_time(&j, "first_compromise", v->first);
        kv_time(&j, "last_activity", v->last);
        sk_jw_kv_string(&j, "how", how_name(v->how));
        sk_jw_key(&j, "infected_by");
        if (v->parent >= 0)
            sk_jw_string(&j, w->hosts[v->parent].name);
        else
            sk_jw_null(&j);
        sk_jw_key(&j, "renamed_powershell");
        if (v->renamed_path[0])
            sk_jw_string(&j, v->renamed_path);
        else
            sk_jw_null(&j);
        sk_jw_key(&j, "pushed_payload");
        char pp[160];
        if (sim_payload_path(w, v, pp, sizeof pp))
            sk_jw_string(&j, pp);
        else
            sk_jw_null(&j);
        sk_jw_key(&j, "c2");
        sk_jw_array_begin(&j);
        for (size_t k = 0; k < v->n_c2; k++) {
            const sim_c2 *c = &v->c2[k];
            sk_jw_object_begin(&j);
            sk_jw_key(&j, "service");
            if (c->service)
                sk_jw_string(&j, c->service);
            else
                sk_jw_null(&j);
            sk_jw_kv_string(&j, "destination", c->host);
            kv_time(&j, "first", c->first);
            kv_time(&j, "last", c->last);
            sk_jw_key(&j, "interval_s");
            sk_jw_double(&j, (double)(int64_t)(c->interval_s * 10) / 10);
            sk_jw_key(&j, "jitter");
            sk_jw_double(&j, (double)(int64_t)(c->jitter * 1000) / 1000);
            sk_jw_kv_u64(&j, "connections", c->connections);
            sk_jw_kv_u64(&j, "connections_logged", c->logged);
            sk_jw_kv_u64(&j, "bytes_out", c->bytes_out);
            sk_jw_object_end(&j);
        }
        sk_jw_array_end(&j);
        sk_jw_kv_u64(&j, "exfiltrated_bytes", v->exfil_bytes);
        sk_time cleared;
        sk_jw_key(&j, "security_log_cleared");
        if (!(h->coverage & SIM_COV_NO_LOGS) && sim_victim_clears_log(w, i, &cleared)) {
            char cb[SK_TIME_ISO_MAX];
            sk_time_format(cb, cleared, 3);
            sk_jw_string(&j, cb);
        } else {
            sk_jw_null(&j);
        }
        sk_jw_kv_bool(&j, "sensitive", v->sensitive);
        evidence_list(&j, v->evidence);
        sk_jw_kv_string(&j, "detectable_as", detectable_as(v->evidence));
        sk_jw_object_end(&j);
    }
    sk_jw_array_end(&j);
    /* hosts whose honest verdict is unknown: no endpoint logs, not compromised */
    size_t unknown = 0;
    sk_jw_key(&j, "unknown_hosts");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < w->n_hosts; i++)
        if ((w->hosts[i].coverage & SIM_COV_NO_LOGS) && w->hosts[i].campaign < 0) {
            sk_jw_string(&j, w->hosts[i].name);
            unknown++;
        }
    sk_jw_array_end(&j);
    /* noise a detector should not call compromise: administrators clearing a log */
    size_t benign_clears = 0;
    sk_jw_key(&j, "benign_log_clears");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < w->n_hosts; i++) {
        sk_time when;
        size_t by;
        int benign;
        if (!sim_host_clears_log(w, i, &when, &by, &benign) || !benign) continue;
        sk_jw_object_begin(&j);
        sk_jw_kv_string(&j, "host", w->hosts[i].name);
        kv_time(&j, "time", when);
        sk_jw_kv_string(&j, "by", w->users[by].sam);
        sk_jw_object_end(&j);
        benign_clears++;
    }
    sk_jw_array_end(&j);
    sk_jw_key(&j, "counts");
    sk_jw_object_begin(&j);
    sk_jw_kv_u64(&j, "hosts", w->n_hosts);
    sk_jw_kv_u64(&j, "sites", w->n_sites);
    sk_jw_kv_u64(&j, "compromised", w->n_victims);
    sk_jw_kv_u64(&j, "compromised_domestic", dom);
    sk_jw_kv_u64(&j, "sensitive", sens);
    sk_jw_kv_u64(&j, "unknown", unknown);
    sk_jw_kv_u64(&j, "benign_log_clears", benign_clears);
    sk_jw_object_end(&j);
    sk_jw_object_end(&j);
    int rc = sk_jw_error(&j);
    if (!rc) rc = sk_json_indent(&pretty, b.data, b.len, 2);
    if (!rc) rc = sim_out_write(o, "truth/truth.json", &pretty);
    sk_buf_free(&b);
    sk_buf_free(&pretty);
    sum->compromised = w->n_victims;
    sum->compromised_domestic = dom;
    sum->sensitive = sens;
    sum->unknown = unknown;
    return rc;
}

/* One log source of case.json: named prefix + the device's lower-case name, its files
 * logs/DIR/DEVICE + files; the time zone of local-time logs, the site. */
static void source(sk_jw *j, const char *prefix, const char *device, const char *kind, const char *dir,
                   const char *files, const char *timezone, const char *site)
{
    char name[64], path[160];
    int n = snprintf(name, sizeof name, "%s", prefix);
    for (const char *p = device; *p && n + 1 < (int)sizeof name; p++) name[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    name[n] = '\0';
    snprintf(path, sizeof path, "logs/%s/%s%s", dir, device, files);
    sk_jw_object_begin(j);
    sk_jw_kv_string(j, "name", name);
    sk_jw_kv_string(j, "kind", kind);
    sk_jw_kv_string(j, "path", path);
    if (timezone) sk_jw_kv_string(j, "timezone", timezone);
    if (site) sk_jw_kv_string(j, "site", site);
    sk_jw_object_end(j);
}

/* The asset inventory a CMDB would export (CSV, RFC 4180): every server with its fixed
 * address, every endpoint with its MAC (desktops with their usual address; laptops get
 * theirs from DHCP each day, so none is listed). What an investigator knows without logs. */
static int write_assets(sim_out *o, const sim_world *w)
{
    const char *rel = "assets.csv";
    FILE *f = sim_out_open(o, rel);
    if (!f) return SK_EIO;
    fputs("host,role,site,os,mac,ip,addressing\r\n", f);
    for (size_t i = 0; i < w->n_hosts; i++) {
        const sim_host *h = &w->hosts[i];
        char ip[16] = "";
        const char *addressing = h->role != SIM_ENDPOINT ? "static" : h->laptop ? "dhcp" : "dhcp-reserved";
        if (!h->laptop) sim_ip_str(h->ip, ip);
        fprintf(f, "%s,%s,%s,%s,%02x:%02x:%02x:%02x:%02x:%02x,%s,%s\r\n", h->name, role_name(h->role), w->sites[h->site].spec->name,
                h->role == SIM_ENDPOINT ? "Windows 10" : "Windows Server 2016", h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4],
                h->mac[5], ip, addressing);
    }
    return sim_out_close(o, f, rel);
}

static int write_case(sim_out *o, const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sk_buf b, pretty;
    sk_buf_init(&b, (size_t)64 << 20);
    sk_buf_init(&pretty, (size_t)128 << 20);
    sk_jw j;
    sk_jw_init(&j, &b);
    sk_jw_object_begin(&j);
    sk_jw_kv_string(&j, "schema", "sakimori/case/1");
    sk_jw_kv_string(&j, "name", sc->name);
    sk_jw_kv_string(&j, "description", "written by sakimori simulate");
    sk_jw_key(&j, "window");
    sk_jw_object_begin(&j);
    char t[SK_TIME_ISO_MAX];
    sk_time_format(t, sc->start, 0);
    sk_jw_kv_string(&j, "start", t);
    sk_time_format(t, sc->end, 0);
    sk_jw_kv_string(&j, "end", t);
    sk_jw_object_end(&j);
    sk_jw_kv_string(&j, "timezone", sc->regions[0].timezone);
    sk_jw_key(&j, "regions");
    sk_jw_array_begin(&j);
    size_t site = 0;
    for (size_t r = 0; r < sc->n_regions; r++) {
        sk_jw_object_begin(&j);
        sk_jw_kv_string(&j, "name", sc->regions[r].name);
        sk_jw_kv_bool(&j, "domestic", sc->regions[r].domestic);
        sk_jw_kv_string(&j, "timezone", sc->regions[r].timezone);
        sk_jw_key(&j, "sites");
        sk_jw_array_begin(&j);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++, site++) {
            const sim_site *s = &w->sites[site];
            sk_jw_object_begin(&j);
            sk_jw_kv_string(&j, "name", s->spec->name);
            sk_jw_kv_string(&j, "country", s->spec->country);
            sk_jw_kv_string(&j, "timezone", s->spec->timezone);
            sk_jw_key(&j, "subnets");
            sk_jw_array_begin(&j);
            char ip[16], pfx[24];
            sim_ip_str(s->net, ip);
            snprintf(pfx, sizeof pfx, "%s/%u", ip, s->prefix);
            sk_jw_string(&j, pfx);
            sk_jw_array_end(&j);
            sk_jw_object_end(&j);
        }
        sk_jw_array_end(&j);
        sk_jw_object_end(&j);
    }
    sk_jw_array_end(&j);
    sk_jw_key(&j, "sources");
    sk_jw_array_begin(&j);
    for (size_t i = 0; i < w->n_hosts; i++) {
        const sim_host *h = &w->hosts[i];
        const sim_site *hs = &w->sites[h->site];
        if (h->role == SIM_AV_SERVER) {
            source(&j, "avweb-", h->name, "iis-w3c", "av", "/W3SVC1/u_ex*.log", NULL, NULL);
        } else if (h->role == SIM_PROXY) {
            source(&j, "proxy-", h->name, "squid", "proxy", "/access.log-*", NULL, NULL);
            if (sc->regions[hs->region].domestic) /* the sensor in front of it */
                source(&j, "zeek-", h->name, "zeek", "zeek", "/*/*.log", NULL, hs->spec->name);
        } else if (h->role == SIM_DHCP_SERVER) {
            source(&j, "dhcp-", h->name, "dhcpd-syslog", "dhcp", "/dhcpd.log", hs->spec->timezone, NULL);
            source(&j, "leases-", h->name, "dhcpd-leases", "dhcp", "/dhcpd.leases", NULL, NULL);
        }
    }
    /* the endpoints' event logs, one folder per site (events.c writes a host's file when
     * it has logs; proxies and DHCP servers have none): Winlogbeat states UTC, NXLog
     * writes the host's local time without a zone, so the site's zone is given */
    for (size_t si = 0; si < w->n_sites; si++) {
        int any = 0;
        for (size_t i = 0; i < w->n_hosts && !any; i++) {
            const sim_host *h = &w->hosts[i];
            any = h->site == si && !(h->coverage & SIM_COV_NO_LOGS) && h->role != SIM_PROXY && h->role != SIM_DHCP_SERVER;
        }
        if (!any) continue;
        char name[64], path[160];
        snprintf(name, sizeof name, "events-%s", w->sites[si].spec->name);
        snprintf(path, sizeof path, "logs/events/%s/*.json", w->sites[si].spec->name);
        sk_jw_object_begin(&j);
        sk_jw_kv_string(&j, "name", name);
        sk_jw_kv_string(&j, "kind", "events-json");
        sk_jw_kv_string(&j, "path", path);
        sk_jw_kv_string(&j, "timezone", w->sites[si].spec->timezone);
        sk_jw_kv_string(&j, "site", w->sites[si].spec->name);
        sk_jw_object_end(&j);
    }
    for (size_t r = 0, fsite = 0; r < sc->n_regions; fsite += sc->regions[r].n_sites, r++) {
        char fw[24]; /* the regional firewalls, in their local time */
        sim_firewall_name(w, r, fw);
        source(&j, "fw-", fw, "firewall-csv", "firewall", "/traffic-*.csv", w->sites[fsite].spec->timezone,
               w->sites[fsite].spec->name);
    }
    sk_jw_array_end(&j);
    sk_jw_key(&j, "domains");
    sk_jw_array_begin(&j);
    sk_jw_object_begin(&j);
    sk_jw_kv_string(&j, "netbios", sc->netbios_domain);
    sk_jw_kv_string(&j, "fqdn", sc->fqdn_domain);
    sk_jw_object_end(&j);
    sk_jw_array_end(&j);
    sk_jw_object_end(&j);
    int rc = sk_jw_error(&j);
    if (!rc) rc = sk_json_indent(&pretty, b.data, b.len, 2);
    if (!rc) rc = sim_out_write(o, "case.json", &pretty);
    sk_buf_free(&b);
    sk_buf_free(&pretty);
    return rc;
}

int sk_sim_run(const sk_sim_options *opt, sk_sim_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!opt->out_dir || !opt->hosts) return sk_error_set(SK_EINVAL, "an output directory and a host count are required");
    sim_scenario *sc;
    int rc = sim_scenario_load(&sc, opt->scenario);
    if (rc) return rc;
    sim_world w;
    rc = sim_org_build(&w, sc, opt->seed, opt->hosts);
    if (!rc) rc = sim_campaign_build(&w);
    if (!rc) rc = prepare_out_dir(opt->out_dir); /* only once the inputs are known good */
    sim_out o = {opt->out_dir, 0, 0};
    if (!rc) rc = write_case(&o, &w);
    if (!rc) rc = write_assets(&o, &w);
    if (!rc) rc = write_truth(&o, &w, opt, sum);
    sim_inv *inv = NULL;
    uint64_t entries = 0;
    if (!rc) rc = sim_inv_new(&inv, &w);
    if (!rc) rc = sim_inv_write(inv, &o, opt->threads, &entries);
    sim_inv_free(inv);
    uint64_t log_lines = 0;
    if (!rc) rc = sim_netlogs_write(&w, &o, opt->threads, &log_lines);
    uint64_t event_records = 0, av_lines = 0;
    if (!rc) rc = sim_events_write(&w, &o, opt->threads, &event_records);
    if (!rc) rc = sim_avlog_write(&w, &o, &av_lines);
    uint64_t fw_lines = 0;
    if (!rc) rc = sim_firewall_write(&w, &o, &fw_lines);
    sum->hosts = w.n_hosts;
    sum->sites = w.n_sites;
    sum->regions = sc->n_regions;
    sum->files = o.files;
    sum->bytes = o.bytes;
    sim_world_free(&w);
    sim_scenario_free(sc);
    return rc;
}
