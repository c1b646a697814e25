/*
 * firewall.c - the regional firewalls' traffic logs (CSV, the appliance's local time),
 * over the whole timeline.
 *
 * Each region has one firewall at its first site, between the region, the internet and
 * the inter-region WAN. Its policies log what crosses those edges, except web traffic,
 * which leaves through the proxies and is logged there: inbound sessions from the
 * internet (roaming AV agents fetching pattern files from the region's AV management
 * server, scanners denied, the zero-day's requests from spoofed addresses) and
 * inter-region sessions (domain-controller replication with head office, administrators
 * opening other regions' AV consoles, the attacker's pivot into the domestic AV server).
 * A session between two regions is logged by both firewalls, each in its own local time:
 * the same session with two clocks, and across a DST change for the regions that have
 * one. Decisions are the story's (campaign.c, org.c); this file only writes them down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"

#define SEC SK_NS_PER_SEC
#define MIN_NS (60 * SEC)
#define DAY_NS (INT64_C(86400) * SEC)

enum { INTERNET = -1 };

typedef struct sess {
    sk_time t;         /* session start, UTC */
    uint32_t src, dst;
    uint16_t sport, dport;
    int16_t src_region, dst_region; /* INTERNET for outside */
    uint8_t deny;
    uint8_t policy;
    uint32_t dur_s;
    uint64_t sent, rcvd;
    uint32_t seq;
} sess;

typedef struct sess_vec {
    sess *v;
    size_t n, cap;
} sess_vec;

static int push(sess_vec *sv, sess s)
{
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 4096;
        sess *p = realloc(sv->v, cap * sizeof *p);
        if (!p) return sk_error_set(SK_ENOMEM, "out of memory");
        sv->v = p, sv->cap = cap;
    }
    s.seq = (uint32_t)sv->n;
    sv->v[sv->n++] = s;
    return 0;
}

static int cmp_sess(const void *a, const void *b)
{
    const sess *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const char *service(uint16_t port)
{
    switch (port) {
    case 22: return "SSH";
    case 23: return "TELNET";
    case 135: return "DCE-RPC";
    case 443: return "HTTPS";
    case 445: return "SMB";
    case 1433: return "MS-SQL";
    case 3389: return "RDP";
    case 5900: return "VNC";
    case 8080: return "HTTP-8080";
    default: return NULL;
    }
}

typedef struct region_info {
    size_t first_site; /* the firewall's site */
    size_t dc, av;
    size_t admin_ws;   /* the administrators' workstation: see regions() */
    uint32_t public_ip;
    char name[24];     /* e.g. TOKH-FW01 */
} region_info;

static uint16_t eph(sim_rng *r)
{
    return (uint16_t)(49152 + sim_rng_below(r, 16383));
}

/* Everything the firewalls log over the timeline, once; each firewall keeps its part. */
static int story(const sim_world *w, const region_info *ri, size_t hq, sess_vec *sv)
{
    const sim_scenario *sc = w->sc;
    double thin = sc->benign_density * 4 > 1 ? 1 : sc->benign_density * 4;
    int rc = 0;
    for (int64_t day = sc->start / DAY_NS; day * DAY_NS < sc->end && !rc; day++) {
        for (size_t r = 0; r < sc->n_regions && !rc; r++) {
            sim_rng g;
            sim_rng_init(&g, w->seed, "firewall-day", (uint64_t)day * 64u + r);
            /* domain-controller replication with head office, every 15 minutes */
            if (r != hq)
                for (int k = 0; k < 96 && !rc; k++) {
                    sk_time t = day * DAY_NS + (sk_time)k * 15 * MIN_NS + (sk_time)sim_rng_below(&g, 60000) * (SEC / 1000);
                    rc = push(sv, (sess){.t = t, .src = w->hosts[ri[r].dc].ip, .dst = w->hosts[ri[hq].dc].ip,
                                         .sport = eph(&g), .dport = 135, .src_region = (int16_t)r, .dst_region = (int16_t)hq,
                                         .policy = 12, .dur_s = (uint32_t)sim_rng_range(&g, 0, 2),
                                         .sent = 1200 + sim_rng_below(&g, 800), .rcvd = 900 + sim_rng_below(&g, 600)});
                    if (!rc)
                        rc = push(sv, (sess){.t = t + SEC, .src = w->hosts[ri[r].dc].ip, .dst = w->hosts[ri[hq].dc].ip,
                                             .sport = eph(&g), .dport = 49668, .src_region = (int16_t)r,
                                             .dst_region = (int16_t)hq, .policy = 12, .dur_s = (uint32_t)sim_rng_range(&g, 1, 20),
                                             .sent = 2000 + sim_rng_below(&g, 60000), .rcvd = 2000 + sim_rng_below(&g, 200000)});
                }
            /* administrators open another region's AV console (the pivot's benign look-alike) */
            if (sim_rng_chance(&g, 0.3)) {
                size_t other = r == hq ? (size_t)sim_rng_below(&g, sc->n_regions) : hq;
                if (other != r) {
                    sk_time t0 = day * DAY_NS + (sk_time)sim_rng_range(&g, 0, 86399) * SEC;
                    int n = (int)sim_rng_range(&g, 2, 8);
                    for (int k = 0; k < n && !rc; k++)
                        rc = push(sv, (sess){.t = t0 + (sk_time)k * (sk_time)sim_rng_range(&g, 5, 90) * SEC,
                                             .src = w->hosts[ri[r].admin_ws].ip, .dst = w->hosts[ri[other].av].ip,
                                             .sport = eph(&g), .dport = 443, .src_region = (int16_t)r,
                                             .dst_region = (int16_t)other, .policy = 14,
                                             .dur_s = (uint32_t)sim_rng_range(&g, 1, 300), .sent = 800 + sim_rng_below(&g, 20000),
                                             .rcvd = 4000 + sim_rng_below(&g, 400000)});
                }
            }
            /* roaming agents fetch the day's pattern file from the region's AV server */
            size_t na = sim_roaming_agents(w, r);
            uint64_t psize = 31457280 + (uint64_t)((day * 7919) % 2000000); /* as the AV server's log has it */
            for (size_t k = 0; k < na && !rc; k++) {
                sk_time t;
                uint32_t ip;
                if (!sim_roaming_fetch(w, r, k, day, &t, &ip)) continue;
                rc = push(sv, (sess){.t = t, .src = ip, .dst = w->hosts[ri[r].av].ip, .sport = eph(&g), .dport = 443,
                                     .src_region = INTERNET, .dst_region = (int16_t)r, .policy = 7,
                                     .dur_s = (uint32_t)sim_rng_range(&g, 3, 120), .sent = 1500 + sim_rng_below(&g, 3000),
                                     .rcvd = psize + 4000 + sim_rng_below(&g, 2000)});
            }
            /* the internet's background: scans of the firewall's own address, denied */
            unsigned ns = (unsigned)(sim_rng_range(&g, 60, 180) * thin + 0.5);
            static const uint16_t ports[] = {22, 23, 445, 3389, 1433, 5900, 8080, 443, 23, 22};
            for (unsigned k = 0; k < ns && !rc; k++) {
                sk_time t = day * DAY_NS + (sk_time)sim_rng_below(&g, 86400) * SEC;
                rc = push(sv, (sess){.t = t, .src = sim_public_ip(&g), .dst = ri[r].public_ip, .sport = eph(&g),
                                     .dport = ports[sim_rng_below(&g, sizeof ports / sizeof ports[0])],
                                     .src_region = INTERNET, .dst_region = (int16_t)r, .deny = 1, .policy = 0});
            }
        }
    }
    /* the campaign: the zero-days' requests, and any compromise across regions */
    for (size_t vi = 0; vi < w->n_victims && !rc; vi++) {
        const sim_victim *v = &w->victims[vi];
        int16_t vr = (int16_t)w->sites[w->hosts[v->host].site].region;
        int16_t pr = v->parent >= 0 ? (int16_t)w->sites[w->hosts[v->parent].site].region : INTERNET;
        if (pr == vr) continue;
        sim_rng g;
        sim_rng_init(&g, w->seed, "firewall-campaign", vi);
        if (v->how == SIM_HOW_ZERO_DAY) {
            for (int k = 0; k < SIM_EXPLOIT_STEPS && !rc; k++) {
                sk_time t;
                uint32_t src;
                uint64_t bytes;
                sim_exploit_request(w, vi, k, &t, &src, &bytes);
                if (t < sc->start || t >= sc->end) continue;
                rc = push(sv, (sess){.t = t, .src = src, .dst = w->hosts[v->host].ip, .sport = eph(&g), .dport = 443,
                                     .src_region = pr, .dst_region = vr, .policy = pr == INTERNET ? 7 : 14,
                                     .dur_s = (uint32_t)sim_rng_range(&g, 0, 3), .sent = bytes + 600,
                                     .rcvd = 700 + sim_rng_below(&g, 9000)});
            }
        } else if (v->parent >= 0 && v->first >= sc->start && v->first < sc->end) {
            uint32_t src, dst;
            if (!sim_host_online(w, (size_t)v->parent, v->first - 30 * SEC, &src)) src = w->hosts[v->parent].ip;
            if (!sim_host_online(w, v->host, v->first - 30 * SEC, &dst)) dst = w->hosts[v->host].ip;
            rc = push(sv, (sess){.t = v->first - 30 * SEC, .src = src, .dst = dst, .sport = eph(&g), .dport = 445,
                                 .src_region = pr, .dst_region = vr, .policy = 14, .dur_s = (uint32_t)sim_rng_range(&g, 2, 40),
                                 .sent = 200000 + sim_rng_below(&g, 400000), .rcvd = 4000 + sim_rng_below(&g, 20000)});
        }
    }
    return rc;
}

static const char *intf(int16_t region, size_t fw_region, const sim_world *w)
{
    if (region == INTERNET) return "wan1";
    if ((size_t)region == fw_region) return "internal";
    return w->sc->regions[region].name;
}

static int write_fw(const sim_world *w, sim_out *o, const region_info *ri, size_t r, const sess_vec *sv, uint64_t *lines)
{
    const sk_tz *tz = w->sites[ri[r].first_site].tz;
    FILE *f = NULL;
    char rel[256];
    int64_t cur = INT64_MIN;
    int rc = 0;
    for (size_t i = 0; i < sv->n && !rc; i++) {
        const sess *s = &sv->v[i];
        if (s->src_region == s->dst_region) continue;
        if (s->src_region != (int16_t)r && s->dst_region != (int16_t)r) continue;
        if (s->t < w->sc->start || s->t >= w->sc->end) continue;
        sk_civil c;
        sk_time_to_civil(s->t + (sk_time)sk_tz_offset_at(tz, s->t) * SEC, &c);
        int64_t lday = c.year * 10000 + c.month * 100 + c.day;
        if (lday != cur) { /* the appliance rotates at local midnight */
            if (f) rc = sim_out_close(o, f, rel);
            f = NULL;
            if (rc) break;
            snprintf(rel, sizeof rel, "logs/firewall/%s/traffic-%04lld-%02d-%02d.csv", ri[r].name, (long long)c.year, c.month,
                     c.day);
            f = sim_out_open(o, rel);
            if (!f) return sk_error_last_code();
            fputs("date,time,devname,logid,type,subtype,level,action,policyid,proto,srcip,srcport,srcintf,dstip,dstport,"
                  "dstintf,service,duration,sentbyte,rcvdbyte\n",
                  f);
            cur = lday;
        }
        char src[16], dst[16], svc[16];
        sim_ip_str(s->src, src);
        sim_ip_str(s->dst, dst);
        const char *sn = service(s->dport);
        if (!sn) snprintf(svc, sizeof svc, "tcp/%u", s->dport), sn = svc;
        fprintf(f, "%04lld-%02d-%02d,%02d:%02d:%02d,%s,%s,traffic,forward,%s,%s,%u,6,%s,%u,%s,%s,%u,%s,%s,%u,%llu,%llu\n",
                (long long)c.year, c.month, c.day, c.hour, c.minute, c.second, ri[r].name,
                "0000000013", s->deny ? "warning" : "notice", s->deny ? "deny" : "accept",
                (unsigned)s->policy, src, (unsigned)s->sport, intf(s->src_region, r, w), dst, (unsigned)s->dport,
                intf(s->dst_region, r, w), sn, (unsigned)s->dur_s, (unsigned long long)s->sent,
                (unsigned long long)s->rcvd);
        (*lines)++;
    }
    if (f && !rc) rc = sim_out_close(o, f, rel);
    else if (f) fclose(f);
    return rc;
}

static void regions(const sim_world *w, region_info *ri, size_t *hq)
{
    const sim_scenario *sc = w->sc;
    *hq = SIZE_MAX;
    for (size_t r = 0, site = 0; r < sc->n_regions; site += sc->regions[r].n_sites, r++) {
        const sim_site *s = &w->sites[site];
        ri[r].first_site = site;
        ri[r].dc = s->dc;
        ri[r].av = s->av_server;
        /* the first desktop of the region's first site with endpoints, else its first
         * laptop; a small fleet can leave a site, even a region, without endpoints
         * (its first_host is then the next site's, or one past the last host) */
        ri[r].admin_ws = SIZE_MAX;
        for (size_t k = 0; k < sc->regions[r].n_sites && ri[r].admin_ws == SIZE_MAX; k++) {
            const sim_site *sk = &w->sites[site + k];
            for (size_t h = sk->first_host; h < sk->first_host + sk->n_hosts; h++)
                if (w->hosts[h].role == SIM_ENDPOINT && !w->hosts[h].laptop) {
                    ri[r].admin_ws = h;
                    break;
                }
            if (ri[r].admin_ws == SIZE_MAX && sk->n_hosts) ri[r].admin_ws = sk->first_host;
        }
        if (ri[r].admin_ws == SIZE_MAX) ri[r].admin_ws = s->dc; /* servers only: their DC */
        sim_rng g;
        sim_rng_init(&g, w->seed, "firewall-public", r);
        ri[r].public_ip = sim_public_ip(&g);
        sim_firewall_name(w, r, ri[r].name);
        if (*hq == SIZE_MAX && sc->regions[r].domestic) *hq = r;
    }
    if (*hq == SIZE_MAX) *hq = 0;
}

void sim_firewall_name(const sim_world *w, size_t region, char out[24])
{
    size_t site = 0;
    for (size_t r = 0; r < region; r++) site += w->sc->regions[r].n_sites;
    snprintf(out, 24, "%.8s-FW01", w->sites[site].code);
}

int sim_firewall_write(const sim_world *w, sim_out *o, uint64_t *lines)
{
    *lines = 0;
    size_t nr = w->sc->n_regions;
    region_info *ri = calloc(nr ? nr : 1, sizeof *ri);
    if (!ri) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t hq;
    regions(w, ri, &hq);
    sess_vec sv = {0};
    int rc = story(w, ri, hq, &sv);
    if (!rc) sim_sort(sv.v, sv.n, sizeof *sv.v, cmp_sess);
    for (size_t r = 0; r < nr && !rc; r++) rc = write_fw(w, o, ri, r, &sv, lines);
    free(sv.v);
    free(ri);
    return rc;
}
