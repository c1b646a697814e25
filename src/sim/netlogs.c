/*
 * netlogs.c - the network logs a proxy and a DHCP server would have written over the
 * log window: Squid native access logs (one file per proxy and day, time-sorted,
 * generated an hour at a time so memory stays bounded) and ISC dhcpd logs
 * (dhcpd.leases in UTC, syslog lines in the server's local time without a year).
 *
 * Who is online and with which address comes from the story (org.c); the victims'
 * beacons from the campaign's schedule (campaign.c). Nothing here decides a fact the
 * truth states.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/digest.h>

#include "jobs.h"
#include "netlogs.h"

#define HOUR_NS (INT64_C(3600) * SK_NS_PER_SEC)
#define DAY_NS (24 * HOUR_NS)

/* Everyday destinations, most popular first (Zipf over this order). Hosts of cloud
 * services the attacker may use are here too: benign users reach them every day. */
static const char *const benign[] = {
    "www.google.com", "outlook.office365.com", "login.microsoftonline.com", "teams.microsoft.com",
    "www.bing.com", "fonts.gstatic.com", "ajax.googleapis.com", "update.googleapis.com",
    "www.youtube.com", "i.ytimg.com", "graph.microsoft.com", "www.yahoo.co.jp", "news.yahoo.co.jp",
    "clients4.google.com", "docs.microsoft.com", "support.microsoft.com", "www.linkedin.com",
    "cdn.jsdelivr.net", "www.amazon.co.jp", "drive.google.com", "docs.google.com",
    "www.googleapis.com", "onedrive.live.com", "zoom.us", "slack.com", "github.com",
    "stackoverflow.com", "www.adobe.com", "acroipm2.adobe.com", "www.nikkei.com", "twitter.com",
    "www.dropbox.com", "api.github.com", "raw.githubusercontent.com", "app.box.com",
    "www.baidu.com", "www.qq.com", "www.sap.com", "weather.com", "www.evernote.com",
    "files.slack.com", "api.box.com", "pastebin.com", "api.onedrive.com", "www.office.com"};
#define N_BENIGN (sizeof benign / sizeof benign[0])

/* plain-HTTP downloads a fleet makes (updates, revocation checks) */
static const char *const http_gets[] = {
    "http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
    "http://ocsp.digicert.com/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ50otx",
    "http://crl.microsoft.com/pki/crl/products/MicRooCerAut2011_2011_03_22.crl",
    "http://update.example-av.co.jp/pattern/latest/version.txt"};

/* periodic sync clients: the benign look-alike of beaconing */
static const struct {
    const char *host;
    double share, interval_s;
} sync_clients[] = {{"content.dropboxapi.com", 0.06, 1800}, {"api.dropboxapi.com", 0.06, 3600},
                    {"graph.microsoft.com", 0.15, 1800}, {"hooks.slack.com", 0.04, 3600},
                    {"www.googleapis.com", 0.08, 1800}, {"api.box.com", 0.03, 3600}};
#define N_SYNC (sizeof sync_clients / sizeof sync_clients[0])

/* a public address for a domain: stable, from a handful of real-looking ranges */
static uint32_t dest_ip(const char *domain)
{
    uint8_t d[32];
    sk_sha256(domain, strlen(domain), d);
    static const uint32_t bases[] = {0x0D400000u, 0x14000000u, 0x28000000u, 0x34000000u, 0x68100000u,
                                     0x8EFA0000u, 0xA27D0000u, 0x97650000u, 0xB9C70000u, 0x17000000u};
    uint32_t base = bases[d[0] % 10];
    return base | ((uint32_t)d[1] << 8 | d[2]) | 1u;
}

typedef struct line {
    sk_time t;
    uint32_t off, len;
} line;

typedef struct hour_buf {
    sk_buf text;
    line *lines;
    size_t n, cap;
} hour_buf;

static int push_line(hour_buf *hb, sk_time t, const char *s, size_t n)
{
    if (hb->n == hb->cap) {
        size_t nc = hb->cap ? hb->cap * 2 : 4096;
        line *p = realloc(hb->lines, nc * sizeof *p);
        if (!p) return sk_error_set(SK_ENOMEM, "out of memory");
        hb->lines = p;
        hb->cap = nc;
    }
    hb->lines[hb->n++] = (line){t, (uint32_t)hb->text.len, (uint32_t)n};
    return sk_buf_append(&hb->text, s, n);
}

static int cmp_line(const void *a, const void *b)
{
    const line *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

typedef struct zeek_bufs {
    hour_buf conn, http;
    uint32_t proxy_ip;
} zeek_bufs;

static void zeek_uid(char out[19], sim_rng *r)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    out[0] = 'C';
    for (int i = 1; i < 18; i++) out[i] = b62[sim_rng_below(r, 62)];
    out[18] = '\0';
}

static int squid_line(hour_buf *hb, zeek_bufs *z, sim_rng *r, sk_time t, uint32_t client, const char *method,
                      const char *url, const char *dest_host, uint64_t bytes, int upload)
{
    char cip[16], dip[16], buf[1024];
    sim_ip_str(client, cip);
    sim_ip_str(dest_ip(dest_host), dip);
    int connect = !strcmp(method, "CONNECT");
    unsigned elapsed = (unsigned)(connect ? sim_rng_range(r, 200, 120000) : sim_rng_range(r, 15, 900));
    int n = snprintf(buf, sizeof buf, "%lld.%03d %6u %s %s %llu %s %s - HIER_DIRECT/%s %s\n",
                     (long long)(t / SK_NS_PER_SEC), (int)(t % SK_NS_PER_SEC / 1000000), elapsed, cip,
                     connect ? "TCP_TUNNEL/200" : "TCP_MISS/200", (unsigned long long)bytes, method, url,
                     dip, connect ? "-" : "application/octet-stream");
    int rc = push_line(hb, t, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
    if (rc || !z) return rc;
    /* the same flow as the sensor in front of the proxy sees it */
    char uid[19], pip[16];
    zeek_uid(uid, r);
    sim_ip_str(z->proxy_ip, pip);
    unsigned sport = (unsigned)(49152 + sim_rng_below(r, 16000));
    uint64_t ob = upload ? bytes : 300 + bytes / 20, rb = upload ? 200 + bytes / 50 : bytes;
    uint64_t op = ob / 1200 + 3, rp = rb / 1200 + 3;
    long long sec = (long long)(t / SK_NS_PER_SEC);
    int us = (int)(t % SK_NS_PER_SEC / 1000);
    n = snprintf(buf, sizeof buf, "%lld.%06d\t%s\t%s\t%u\t%s\t8080\ttcp\thttp\t%u.%03u000\t%llu\t%llu\tSF\tT\tT\t0\tShADadFf\t%llu\t%llu\t%llu\t%llu\t-\n",
                 sec, us, uid, cip, sport, pip, elapsed / 1000, elapsed % 1000, (unsigned long long)ob,
                 (unsigned long long)rb, (unsigned long long)op, (unsigned long long)(ob + op * 40),
                 (unsigned long long)rp, (unsigned long long)(rb + rp * 40));
    rc = push_line(&z->conn, t, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
    if (rc) return rc;
    if (connect)
        n = snprintf(buf, sizeof buf, "%lld.%06d\t%s\t%s\t%u\t%s\t8080\t1\tCONNECT\t%s\t%s\t-\t1.1\t-\t0\t0\t200\tConnection established\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\t-\t-\t-\n",
                     sec, us, uid, cip, sport, pip, dest_host, url);
    else
        n = snprintf(buf, sizeof buf, "%lld.%06d\t%s\t%s\t%u\t%s\t8080\t1\tGET\t%s\t%s\t-\t1.1\tMicrosoft-CryptoAPI/10.0\t0\t%llu\t200\tOK\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\t-\t-\t-\n",
                     sec, us, uid, cip, sport, pip, dest_host, url, (unsigned long long)bytes);
    return push_line(&z->http, t, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
}

/* Working-hours weight of a local hour (sums to about 1 over a day). */
static double hour_weight(int local_hour)
{
    static const double w[24] = {0.004, 0.003, 0.003, 0.003, 0.003, 0.005, 0.01, 0.02, 0.06, 0.09, 0.09, 0.08,
                                 0.06, 0.08, 0.09, 0.09, 0.08, 0.06, 0.04, 0.025, 0.015, 0.01, 0.007, 0.005};
    return w[local_hour % 24];
}

static uint64_t poisson(sim_rng *r, double mean)
{
    if (mean <= 0) return 0;
    if (mean > 50) { /* normal approximation */
        double x = sim_rng_normal(r, mean, sqrt(mean));
        return x < 0 ? 0 : (uint64_t)(x + 0.5);
    }
    double l = exp(-mean), p = 1;
    uint64_t k = 0;
    do {
        k++;
        p *= sim_rng_unit(r);
    } while (p > l);
    return k - 1;
}

typedef struct proxy_job {
    const sim_world *w;
    size_t proxy;          /* host index of the proxy */
    sim_out out;
    uint64_t lines;
    int rc;
} proxy_job;

static int run_one_proxy(proxy_job *j);

typedef struct proxies_ctx {
    const sim_world *w;
    const size_t *proxies;
} proxies_ctx;

static int run_proxies(void *ctx, size_t from, size_t to, sim_out *o, uint64_t *lines)
{
    const proxies_ctx *pc = ctx;
    int rc = 0;
    for (size_t k = from; k < to && !rc; k++) {
        proxy_job j = {pc->w, pc->proxies[k], *o, 0, 0};
        rc = run_one_proxy(&j);
        *o = j.out;
        *lines += j.lines;
    }
    return rc;
}

static int run_one_proxy(proxy_job *j)
{
    const sim_world *w = j->w;
    const sim_scenario *sc = w->sc;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    /* the hosts behind this proxy, and the victims among them */
    size_t *hosts = malloc((w->n_hosts ? w->n_hosts : 1) * sizeof *hosts), nh = 0;
    size_t nv = 0;
    sim_beacon_iter *its = calloc(w->n_victims * 4 + 1, sizeof *its);
    size_t *it_victim = calloc(w->n_victims * 4 + 1, sizeof *it_victim), *it_c2 = calloc(w->n_victims * 4 + 1, sizeof *it_c2);
    sk_time *it_next = calloc(w->n_victims * 4 + 1, sizeof *it_next);
    int *it_live = calloc(w->n_victims * 4 + 1, sizeof *it_live);
    hour_buf hb = {0};
    sk_buf_init(&hb.text, (size_t)2 << 30);
    zeek_bufs zbuf;
    memset(&zbuf, 0, sizeof zbuf);
    zbuf.proxy_ip = w->hosts[j->proxy].ip;
    sk_buf_init(&zbuf.conn.text, (size_t)2 << 30);
    sk_buf_init(&zbuf.http.text, (size_t)2 << 30);
    zeek_bufs *zb = sc->regions[w->sites[w->hosts[j->proxy].site].region].domestic ? &zbuf : NULL;
    if (!hosts || !its || !it_victim || !it_c2 || !it_next || !it_live) {
        j->rc = sk_error_set(SK_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < w->n_hosts; i++)
        if (w->sites[w->hosts[i].site].proxy == j->proxy && w->hosts[i].role != SIM_PROXY) hosts[nh++] = i;
    for (size_t vi = 0; vi < w->n_victims; vi++) {
        const sim_victim *v = &w->victims[vi];
        if (w->sites[w->hosts[v->host].site].proxy != j->proxy) continue;
        for (size_t k = 0; k < v->n_c2; k++) {
            sim_beacon_start(&its[nv], w, vi, k);
            it_victim[nv] = vi;
            it_c2[nv] = k;
            it_live[nv] = sim_beacon_next(&its[nv], &it_next[nv]);
            nv++;
        }
    }
    const sim_host *px = &w->hosts[j->proxy];
    double rate_day = 40.0 * sc->benign_density;
    for (int64_t day = ws / DAY_NS; day * DAY_NS < we && !j->rc; day++) {
        int missing = sim_proxy_day_missing(w, j->proxy, day);
        FILE *f = NULL, *zc = NULL, *zh = NULL;
        char rel[256], zrel[2][256];
        if (zb) {
            sk_civil c;
            sk_time_to_civil(day * DAY_NS, &c);
            static const char *const zpath[2] = {"conn", "http"};
            static const char *const zfields[2] = {
                "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
                "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n",
                "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\tuser_agent\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tinfo_code\tinfo_msg\ttags\tusername\tpassword\tproxied\torig_fuids\torig_filenames\torig_mime_types\tresp_fuids\tresp_filenames\tresp_mime_types\n"
                "#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tstring\tcount\tcount\tcount\tstring\tcount\tstring\tset[enum]\tstring\tstring\tset[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\n"};
            for (int q = 0; q < 2 && !j->rc; q++) {
                snprintf(zrel[q], sizeof zrel[q], "logs/zeek/%s/%04lld-%02d-%02d/%s.log", w->hosts[j->proxy].name,
                         (long long)c.year, c.month, c.day, zpath[q]);
                FILE *zf = sim_out_open(&j->out, zrel[q]);
                if (!zf) {
                    j->rc = sk_error_last_code();
                    break;
                }
                fprintf(zf, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n"
                            "#open\t%04lld-%02d-%02d-00-00-00\n%s", zpath[q], (long long)c.year, c.month, c.day, zfields[q]);
                if (q == 0) zc = zf;
                else zh = zf;
            }
            if (j->rc) break;
        }
        if (!missing) {
            sk_civil c;
            sk_time_to_civil(day * DAY_NS, &c);
            snprintf(rel, sizeof rel, "logs/proxy/%s/access.log-%04lld%02d%02d", px->name, (long long)c.year, c.month, c.day);
            f = sim_out_open(&j->out, rel);
            if (!f) {
                j->rc = sk_error_last_code();
                break;
            }
        }
        for (int hour = 0; hour < 24 && !j->rc; hour++) {
            sk_time t0 = day * DAY_NS + hour * HOUR_NS, t1 = t0 + HOUR_NS;
            if (t1 <= ws || t0 >= we) {
                /* keep the beacon iterators moving through hours outside the window */
                for (size_t b = 0; b < nv; b++)
                    while (it_live[b] && it_next[b] < t1) it_live[b] = sim_beacon_next(&its[b], &it_next[b]);
                continue;
            }
            hb.n = 0;
            sk_buf_reset(&hb.text);
            zbuf.conn.n = zbuf.http.n = 0;
            sk_buf_reset(&zbuf.conn.text);
            sk_buf_reset(&zbuf.http.text);
            for (size_t k = 0; k < nh && !j->rc; k++) {
                size_t hi = hosts[k];
                const sim_host *h = &w->hosts[hi];
                sim_rng r;
                sim_rng_init(&r, w->seed, "proxy-hour", (uint64_t)hi * 1000003u + (uint64_t)(t0 / HOUR_NS));
                int32_t off = sk_tz_offset_at(w->sites[h->site].tz, t0);
                int lh = (int)((((t0 / SK_NS_PER_SEC + off) % 86400) + 86400) % 86400 / 3600);
                double mean = (h->role == SIM_ENDPOINT ? rate_day : rate_day / 10) * hour_weight(lh);
                uint64_t n = poisson(&r, mean);
                for (uint64_t e = 0; e < n && !j->rc; e++) {
                    sk_time t = t0 + (sk_time)(sim_rng_unit(&r) * (double)HOUR_NS);
                    uint32_t ip;
                    if (t < ws || t >= we || !sim_host_online(w, hi, t, &ip)) continue;
                    if (sim_rng_chance(&r, 0.08)) {
                        const char *url = http_gets[sim_rng_below(&r, sizeof http_gets / sizeof http_gets[0])];
                        char host[128];
                        snprintf(host, sizeof host, "%.*s", (int)strcspn(url + 7, "/"), url + 7);
                        j->rc = squid_line(&hb, zb, &r, t, ip, "GET", url, host, 400 + sim_rng_below(&r, 200000), 0);
                    } else {
                        /* Zipf-like choice: a random rank, squared towards the popular end */
                        double u = sim_rng_unit(&r);
                        const char *d = benign[(size_t)(u * u * (double)N_BENIGN)];
                        char url[160];
                        snprintf(url, sizeof url, "%s:443", d);
                        j->rc = squid_line(&hb, zb, &r, t, ip, "CONNECT", url, d, 2000 + (uint64_t)sim_rng_exp(&r, 60000), 0);
                    }
                }
                /* sync clients poll on a period, like a beacon does */
                sim_rng hr;
                sim_rng_init(&hr, w->seed, "sync-clients", hi);
                for (size_t s = 0; s < N_SYNC && !j->rc; s++) {
                    if (!sim_rng_chance(&hr, sync_clients[s].share) || h->role != SIM_ENDPOINT) continue;
                    double iv = sync_clients[s].interval_s;
                    for (double x = sim_rng_unit(&r) * iv; x < 3600 && !j->rc; x += iv * (0.9 + 0.2 * sim_rng_unit(&r))) {
                        sk_time t = t0 + (sk_time)(x * 1e9);
                        uint32_t ip;
                        if (t < ws || t >= we || !sim_host_online(w, hi, t, &ip)) continue;
                        char url[160];
                        snprintf(url, sizeof url, "%s:443", sync_clients[s].host);
                        j->rc = squid_line(&hb, zb, &r, t, ip, "CONNECT", url, sync_clients[s].host, 600 + sim_rng_below(&r, 3000), 0);
                    }
                }
            }
            /* the victims' beacons in this hour */
            for (size_t b = 0; b < nv && !j->rc; b++) {
                while (it_live[b] && it_next[b] < t1) {
                    sk_time t = it_next[b];
                    uint64_t bytes = its[b].bytes_out;
                    it_live[b] = sim_beacon_next(&its[b], &it_next[b]);
                    uint32_t ip;
                    if (t < ws || t >= we || t < t0 || !sim_host_online(w, w->victims[it_victim[b]].host, t, &ip)) continue;
                    const sim_c2 *c = &w->victims[it_victim[b]].c2[it_c2[b]];
                    char url[160];
                    snprintf(url, sizeof url, "%s:443", c->host);
                    sim_rng r;
                    sim_rng_init(&r, w->seed, "beacon-line", (uint64_t)(t / 1000));
                    j->rc = squid_line(&hb, zb, &r, t, ip, "CONNECT", url, c->host, bytes, 1);
                }
            }
            if (j->rc) continue;
            if (zb) {
                hour_buf *zbs[2] = {&zbuf.conn, &zbuf.http};
                FILE *zfs[2] = {zc, zh};
                for (int q = 0; q < 2; q++) {
                    sim_sort(zbs[q]->lines, zbs[q]->n, sizeof *zbs[q]->lines, cmp_line);
                    for (size_t k = 0; k < zbs[q]->n; k++) fwrite(zbs[q]->text.data + zbs[q]->lines[k].off, 1, zbs[q]->lines[k].len, zfs[q]);
                    j->lines += zbs[q]->n;
                }
            }
            if (missing) continue;
            sim_sort(hb.lines, hb.n, sizeof *hb.lines, cmp_line);
            for (size_t k = 0; k < hb.n; k++) fwrite(hb.text.data + hb.lines[k].off, 1, hb.lines[k].len, f);
            j->lines += hb.n;
        }
        if (f) {
            int rc = sim_out_close(&j->out, f, rel);
            if (!j->rc) j->rc = rc;
        }
        if (zc || zh) {
            sk_civil c;
            sk_time_to_civil((day + 1) * DAY_NS, &c);
            FILE *zfs[2] = {zc, zh};
            for (int q = 0; q < 2; q++) {
                if (!zfs[q]) continue;
                fprintf(zfs[q], "#close\t%04lld-%02d-%02d-00-00-00\n", (long long)c.year, c.month, c.day);
                int rc = sim_out_close(&j->out, zfs[q], zrel[q]);
                if (!j->rc) j->rc = rc;
            }
        }
    }
done:
    free(hosts);
    free(its);
    free(it_victim);
    free(it_c2);
    free(it_next);
    free(it_live);
    free(hb.lines);
    sk_buf_free(&hb.text);
    free(zbuf.conn.lines);
    free(zbuf.http.lines);
    sk_buf_free(&zbuf.conn.text);
    sk_buf_free(&zbuf.http.text);
    return j->rc;
}

/* ---- DHCP ------------------------------------------------------------------------ */

static void fmt_leasetime(char *out, size_t n, sk_time t)
{
    sk_civil c;
    sk_time_to_civil(t, &c);
    snprintf(out, n, "%d %04lld/%02d/%02d %02d:%02d:%02d", c.weekday, (long long)c.year, c.month, c.day, c.hour,
             c.minute, c.second);
}

static int syslog_stamp(char *out, size_t n, sk_time utc, const sk_tz *tz)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    sk_civil c;
    sk_time_to_civil(utc + (sk_time)sk_tz_offset_at(tz, utc) * SK_NS_PER_SEC, &c);
    return snprintf(out, n, "%s %2d %02d:%02d:%02d", mon[c.month - 1], c.day, c.hour, c.minute, c.second);
}

typedef struct lease {
    sk_time from, to;
    size_t host;
    uint32_t ip;
} lease;

static int cmp_lease(const void *a, const void *b)
{
    const lease *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return x->host < y->host ? -1 : x->host > y->host;
}

static int write_dhcp(const sim_world *w, sim_out *o, size_t server, uint64_t *lines)
{
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    const sim_host *srv = &w->hosts[server];
    const sk_tz *tz = w->sites[srv->site].tz;
    lease *ls = NULL;
    size_t n = 0, cap = 0;
    for (size_t hi = 0; hi < w->n_hosts; hi++) {
        const sim_host *h = &w->hosts[hi];
        if (h->role != SIM_ENDPOINT || w->sites[h->site].dhcp != server) continue;
        /* desktops keep their address: a 24 h lease renewed at half its time (T1, RFC
         * 2131), every 12 h from a time of day of their own, a few minutes late at most */
        sim_rng off;
        sim_rng_init(&off, w->seed, "desktop-renew-offset", (uint64_t)hi);
        sk_time offset = (sk_time)sim_rng_below(&off, 43200) * SK_NS_PER_SEC;
        for (int64_t day = ws / DAY_NS - 1; day * DAY_NS < we; day++) {
            for (int k = 0; k < (h->laptop ? 1 : 2); k++) {
                lease l = {0, 0, hi, 0};
                if (h->laptop) {
                    if (!sim_laptop_lease(w, hi, day, &l.from, &l.to, &l.ip)) continue;
                } else {
                    sim_rng r;
                    sim_rng_init(&r, w->seed, "desktop-renew", (uint64_t)hi * 100003u + (uint64_t)day * 2u + (uint64_t)k);
                    l.from = day * DAY_NS + offset + (sk_time)k * (DAY_NS / 2) + (sk_time)sim_rng_below(&r, 600) * SK_NS_PER_SEC;
                    l.to = l.from + DAY_NS;
                    l.ip = h->ip;
                }
                if (l.to <= ws || l.from >= we) continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 4096;
                    lease *p = realloc(ls, cap * sizeof *p);
                    if (!p) {
                        free(ls);
                        return sk_error_set(SK_ENOMEM, "out of memory");
                    }
                    ls = p;
                }
                ls[n++] = l;
            }
        }
    }
    sim_sort(ls, n, sizeof *ls, cmp_lease);
    char rel[256], relsys[256];
    snprintf(rel, sizeof rel, "logs/dhcp/%s/dhcpd.leases", srv->name);
    snprintf(relsys, sizeof relsys, "logs/dhcp/%s/dhcpd.log", srv->name);
    FILE *f = sim_out_open(o, rel), *g = f ? sim_out_open(o, relsys) : NULL;
    if (!f || !g) {
        if (f) fclose(f);
        free(ls);
        return sk_error_last_code();
    }
    fputs("# The format of this file is documented in the dhcpd.leases(5) manual page.\n"
          "# This lease file was written by isc-dhcp-4.4.1\n\nauthoring-byte-order little-endian;\n\n", f);
    char srvip[16];
    sim_ip_str(srv->ip, srvip);
    unsigned pid = 1000 + (unsigned)(server % 30000);
    for (size_t i = 0; i < n; i++) {
        const sim_host *h = &w->hosts[ls[i].host];
        char ip[16], a[40], b[40], mac[18], st[32];
        sim_ip_str(ls[i].ip, ip);
        fmt_leasetime(a, sizeof a, ls[i].from);
        fmt_leasetime(b, sizeof b, ls[i].to);
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4], h->mac[5]);
        fprintf(f, "lease %s {\n  starts %s;\n  ends %s;\n  cltt %s;\n  binding state active;\n  next binding state free;\n"
                   "  rewind binding state free;\n  hardware ethernet %s;\n  client-hostname \"%s\";\n}\n",
                ip, a, b, a, mac, h->name);
        sk_time t = ls[i].from;
        if (h->laptop) {
            syslog_stamp(st, sizeof st, t - 2 * SK_NS_PER_SEC, tz);
            fprintf(g, "%s %s dhcpd[%u]: DHCPDISCOVER from %s (%s) via eth0\n", st, srv->name, pid, mac, h->name);
            syslog_stamp(st, sizeof st, t - 1 * SK_NS_PER_SEC, tz);
            fprintf(g, "%s %s dhcpd[%u]: DHCPOFFER on %s to %s (%s) via eth0\n", st, srv->name, pid, ip, mac, h->name);
        }
        syslog_stamp(st, sizeof st, t, tz);
        fprintf(g, "%s %s dhcpd[%u]: DHCPREQUEST for %s (%s) from %s (%s) via eth0\n", st, srv->name, pid, ip, srvip, mac, h->name);
        fprintf(g, "%s %s dhcpd[%u]: DHCPACK on %s to %s (%s) via eth0\n", st, srv->name, pid, ip, mac, h->name);
        *lines += h->laptop ? 4 : 2;
    }
    free(ls);
    int rc = sim_out_close(o, f, rel);
    int rc2 = sim_out_close(o, g, relsys);
    return rc ? rc : rc2;
}

int sim_netlogs_write(const sim_world *w, sim_out *o, unsigned threads, uint64_t *lines)
{
    *lines = 0;
    /* proxies and DHCP servers in use */
    size_t *proxies = calloc(w->n_sites + 1, sizeof *proxies), np = 0;
    size_t *dhcps = calloc(w->n_sites + 1, sizeof *dhcps), nd = 0;
    if (!proxies || !dhcps) {
        free(proxies);
        free(dhcps);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    for (size_t s = 0; s < w->n_sites; s++) {
        int seen = 0;
        for (size_t k = 0; k < np; k++) seen |= proxies[k] == w->sites[s].proxy;
        if (!seen) proxies[np++] = w->sites[s].proxy;
        seen = 0;
        for (size_t k = 0; k < nd; k++) seen |= dhcps[k] == w->sites[s].dhcp;
        if (!seen) dhcps[nd++] = w->sites[s].dhcp;
    }
    proxies_ctx pc = {w, proxies};
    int rc = sim_run_chunks(np, 1, threads, run_proxies, &pc, o, lines);
    for (size_t k = 0; k < nd && !rc; k++) rc = write_dhcp(w, o, dhcps[k], lines);
    free(proxies);
    free(dhcps);
    return rc;
}
