/*
 * campaign.c - the attack's story (see world.h): attacker choices drawn per seed,
 * the victims, how and when each was reached, what it talked to.
 *
 * The sequence follows the report: a zero-day on the entry region's AV management
 * server from spoofed external addresses; malware pushed to clients as a pattern-file
 * update; spread to the region's other sites by remote execution; the domestic AV
 * management server attacked the same way from an overseas victim; domestic servers,
 * then endpoints. Every victim beacons to cloud services (and sometimes an attacker
 * domain) until containment.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>

#include "world.h"

#define HOUR (INT64_C(3600) * SK_NS_PER_SEC)
#define DAY (24 * HOUR)

static const char *domain_words[] = {"cdn", "update", "sync", "cloud", "office", "secure", "static",
                                     "api", "mirror", "assets", "edge", "metrics", "portal", "data",
                                     "service", "live", "storage", "docs", "mail", "login"};
static const char *domain_tlds[] = {"com", "net", "org", "info", "top", "xyz", "online", "site"};

uint32_t sim_public_ip(sim_rng *r)
{
    for (;;) {
        uint32_t ip = (uint32_t)sim_rng_next(r);
        uint8_t a = (uint8_t)(ip >> 24), b = (uint8_t)(ip >> 16);
        if (a == 0 || a == 10 || a == 127 || a >= 224 || (a == 172 && b >= 16 && b < 32) ||
            (a == 192 && b == 168) || (a == 169 && b == 254) || (a == 100 && b >= 64 && b < 128))
            continue;
        return ip;
    }
}

static const char *browser_dir(const char *browser)
{
    if (!strcmp(browser, "chrome.exe")) return "Google\\Chrome\\Application";
    if (!strcmp(browser, "firefox.exe")) return "Mozilla Firefox";
    if (!strcmp(browser, "msedge.exe")) return "Microsoft\\Edge\\Application";
    if (!strcmp(browser, "iexplore.exe")) return "Internet Explorer";
    if (!strcmp(browser, "opera.exe")) return "Programs\\Opera";
    if (!strcmp(browser, "brave.exe")) return "BraveSoftware\\Brave-Browser\\Application";
    if (!strcmp(browser, "vivaldi.exe")) return "Vivaldi\\Application";
    return "Browser";
}

static void pick_attacker(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_attacker *a = &w->attacker;
    sim_rng r;
    sim_rng_init(&r, w->seed, "attacker", 0);
    a->browser_name = sc->browser_names[sim_rng_below(&r, sc->n_browser_names)];
    size_t order[64];
    size_t n = sc->n_cloud_services < 64 ? sc->n_cloud_services : 64;
    for (size_t i = 0; i < n; i++) order[i] = i;
    sim_rng_shuffle(&r, order, n, sizeof order[0]);
    size_t used = (size_t)sim_rng_range(&r, (int64_t)sc->cloud_services_used.lo, (int64_t)sc->cloud_services_used.hi);
    if (used > n) used = n;
    if (used > 8) used = 8;
    for (size_t i = 0; i < used; i++) a->services[i] = sc->cloud_services[order[i]];
    a->n_services = used;
    a->n_domains = (size_t)sim_rng_range(&r, (int64_t)sc->attacker_domains.lo, (int64_t)sc->attacker_domains.hi);
    if (a->n_domains > 4) a->n_domains = 4;
    for (size_t i = 0; i < a->n_domains; i++) {
        const char *w1 = domain_words[sim_rng_below(&r, 20)], *w2 = domain_words[sim_rng_below(&r, 20)];
        snprintf(a->domains[i], sizeof a->domains[i], "%s-%s%u.%s", w1, w2,
                 (unsigned)sim_rng_below(&r, 100), domain_tlds[sim_rng_below(&r, 8)]);
    }
    a->n_spoofed = (size_t)sim_rng_range(&r, 3, 6);
    for (size_t i = 0; i < a->n_spoofed; i++) a->spoofed_sources[i] = sim_public_ip(&r);
    char seedtext[64];
    snprintf(seedtext, sizeof seedtext, "payload/%llu", (unsigned long long)w->seed);
    uint8_t d[32];
    sk_sha256(seedtext, strlen(seedtext), d);
    sk_hex(a->payload_sha256, d, 32);
}

/* Candidate hosts of one kind in a set of regions; returns the count. */
static size_t candidates(const sim_world *w, int domestic, int entry_region_only, size_t entry_region,
                         sim_role role, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n_hosts; i++) {
        const sim_host *h = &w->hosts[i];
        const sim_site *s = &w->sites[h->site];
        int dom = w->sc->regions[s->region].domestic;
        if (h->role != role || h->campaign >= 0) continue;
        if (entry_region_only ? s->region != entry_region : dom != domestic) continue;
        out[n++] = i;
    }
    return n;
}

static sim_victim *add_victim(sim_world *w, size_t host, sim_how how, int64_t parent, sk_time first)
{
    sim_victim *v = &w->victims[w->n_victims];
    memset(v, 0, sizeof *v);
    v->host = host;
    v->how = how;
    v->parent = parent;
    v->first = first;
    v->last = w->sc->containment;
    w->hosts[host].campaign = (int32_t)w->n_victims++;
    return v;
}

/* Story facts the log writers also need (declared in world.h; they stay here so the
 * story never calls into a writer: avlog.c and firewall.c use world.h only). */
int sim_av_push_logged(const sim_world *w, size_t victim)
{
    const sim_victim *v = &w->victims[victim];
    uint32_t ip;
    return v->how == SIM_HOW_AV_PUSH && sim_host_online(w, v->host, v->first - 60 * SK_NS_PER_SEC, &ip);
}

int sim_firewall_logged(const sim_world *w, size_t victim)
{
    const sim_victim *v = &w->victims[victim];
    size_t vr = w->sites[w->hosts[v->host].site].region;
    if (v->parent >= 0 && w->sites[w->hosts[v->parent].site].region == vr) return 0;
    if (v->how == SIM_HOW_ZERO_DAY) {
        sk_time t;
        uint32_t src;
        uint64_t bytes;
        sim_exploit_request(w, victim, SIM_EXPLOIT_STEPS - 1, &t, &src, &bytes);
        return t >= w->sc->start && t < w->sc->end;
    }
    return v->parent >= 0 && v->first >= w->sc->start && v->first < w->sc->end;
}

static void victim_details(sim_world *w, size_t vi)
{
    sim_victim *v = &w->victims[vi];
    sim_host *h = &w->hosts[v->host];
    const sim_attacker *a = &w->attacker;
    const sim_scenario *sc = w->sc;
    sim_rng r;
    sim_rng_init(&r, w->seed, "victim", vi);
    /* renamed powershell on disk: most endpoints, some servers */
    if (sim_rng_chance(&r, h->role == SIM_ENDPOINT ? 0.85 : 0.5)) {
        if (h->role == SIM_ENDPOINT && h->user != UINT32_MAX && sim_rng_chance(&r, 0.7))
            snprintf(v->renamed_path, sizeof v->renamed_path, "C:\\Users\\%s\\AppData\\Local\\%s\\%s",
                     w->users[h->user].sam, browser_dir(a->browser_name), a->browser_name);
        else
            snprintf(v->renamed_path, sizeof v->renamed_path, "C:\\ProgramData\\%s\\%s",
                     browser_dir(a->browser_name), a->browser_name);
    }
    /* C2 channels */
    size_t nc = a->n_services ? 1 + (size_t)sim_rng_below(&r, a->n_services < 3 ? a->n_services : 3) : 0;
    for (size_t k = 0; k < nc && v->n_c2 < 4; k++) {
        sim_c2 *c = &v->c2[v->n_c2++];
        const char *svc = a->services[(k + (size_t)sim_rng_below(&r, a->n_services)) % a->n_services];
        const sim_cloud_service *cs = sim_cloud_service_find(svc);
        size_t nh = 0;
        while (nh < 4 && cs->hosts[nh]) nh++;
        c->service = cs->name;
        snprintf(c->host, sizeof c->host, "%s", cs->hosts[sim_rng_below(&r, nh)]);
    }
    if (a->n_domains && v->n_c2 < 4 && sim_rng_chance(&r, 0.3)) {
        sim_c2 *c = &v->c2[v->n_c2++];
        c->service = NULL;
        snprintf(c->host, sizeof c->host, "%s", a->domains[sim_rng_below(&r, a->n_domains)]);
    }
    for (size_t k = 0; k < v->n_c2; k++) {
        sim_c2 *c = &v->c2[k];
        c->interval_s = sc->beacon_interval_s.lo + sim_rng_unit(&r) * (sc->beacon_interval_s.hi - sc->beacon_interval_s.lo);
        c->jitter = sc->beacon_jitter.lo + sim_rng_unit(&r) * (sc->beacon_jitter.hi - sc->beacon_jitter.lo);
        c->first = v->first + (sk_time)sim_rng_range(&r, 20, 600) * SK_NS_PER_SEC;
        c->last = v->last;
    }
    if (v->sensitive || sim_rng_chance(&r, 0.3))
        v->exfil_bytes = (uint64_t)((sc->exfil_mb.lo + sim_rng_unit(&r) * (sc->exfil_mb.hi - sc->exfil_mb.lo)) * 1048576.0);
    /* which evidence the emitters will write for this host */
    unsigned ev = 0;
    if (!(h->coverage & SIM_COV_NO_LOGS)) {
        /* launches inside the window leave 4688, 4104/400 and (with Sysmon) 1/22/3;
         * a Security clear erases the 4688s before it */
        sk_time lw0, lw1, clear = SK_TIME_NONE, t;
        sim_log_window(w, &lw0, &lw1);
        int cleared = sim_victim_clears_log(w, vi, &clear);
        for (int64_t day = lw0 / (INT64_C(86400) * SK_NS_PER_SEC) - 1; day * INT64_C(86400) * SK_NS_PER_SEC < lw1; day++) {
            if (!sim_victim_launch(w, vi, day, &t)) continue;
            ev |= SIM_EV_POWERSHELL;
            if (h->coverage & SIM_COV_SYSMON) ev |= SIM_EV_SYSMON;
            sk_time kept = sim_security_kept_from(w, v->host);
            if ((!cleared || t >= clear) && (kept == SK_TIME_NONE || t >= kept)) ev |= SIM_EV_SECURITY_4688;
        }
    }

    if (v->renamed_path[0] && !(h->coverage & SIM_COV_NO_SNAPSHOT)) ev |= SIM_EV_INVENTORY;
    if (v->how == SIM_HOW_ZERO_DAY || (v->how == SIM_HOW_AV_PUSH && sim_av_push_logged(w, vi))) ev |= SIM_EV_AV_WEBLOG;
    if (sim_firewall_logged(w, vi)) ev |= SIM_EV_FIREWALL;
    /* count the beacons the schedule will produce, and those the proxy will log: inside
     * the log window, the host online, the proxy's day not lost */
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    size_t proxy = w->sites[h->site].proxy;
    /* a Zeek sensor sits in front of each domestic region's proxies; it keeps its own logs */
    int zeek = w->sc->regions[w->sites[w->hosts[proxy].site].region].domestic;
    for (size_t k = 0; k < v->n_c2; k++) {
        sim_beacon_iter it;
        sim_beacon_start(&it, w, vi, k);
        sk_time t;
        uint64_t n = 0, bytes = 0, logged = 0;
        while (sim_beacon_next(&it, &t)) {
            n++;
            bytes += it.bytes_out;
            uint32_t ip;
            if (t >= ws && t < we && sim_host_online(w, v->host, t, &ip)) {
                if (zeek) ev |= SIM_EV_ZEEK;
                if (!sim_proxy_day_missing(w, proxy, t / (INT64_C(86400) * SK_NS_PER_SEC))) logged++;
            }
        }
        v->c2[k].connections = n;
        v->c2[k].bytes_out = bytes;
        v->c2[k].logged = logged;
        if (logged) ev |= SIM_EV_PROXY;
    }
    v->evidence = ev & SIM_EV_EMITTED;
}

void sim_beacon_start(sim_beacon_iter *it, const sim_world *w, size_t victim, size_t c2)
{
    const sim_c2 *c = &w->victims[victim].c2[c2];
    sim_rng_init(&it->r, w->seed, "beacon", victim * 8 + c2);
    it->t = c->first;
    it->end = c->last;
    it->interval = c->interval_s;
    it->jitter = c->jitter;
    it->bytes_out = 0;
    it->exfil_left = c2 == 0 ? w->victims[victim].exfil_bytes : 0;
}

int sim_beacon_next(sim_beacon_iter *it, sk_time *t)
{
    if (it->t >= it->end) return 0;
    *t = it->t;
    it->bytes_out = 300 + sim_rng_below(&it->r, 900);
    if (it->exfil_left && sim_rng_chance(&it->r, 0.02)) { /* an exfiltration burst rides a beacon */
        uint64_t chunk = it->exfil_left < (8u << 20) ? it->exfil_left : (uint64_t)sim_rng_range(&it->r, 1 << 20, 8 << 20);
        it->bytes_out += chunk;
        it->exfil_left -= chunk;
    }
    double f = 1.0 + it->jitter * (2.0 * sim_rng_unit(&it->r) - 1.0);
    it->t += (sk_time)(it->interval * f * 1e9);
    return 1;
}

int sim_campaign_build(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    pick_attacker(w);
    size_t entry = 0;
    for (size_t i = 0; i < sc->n_regions; i++)
        if (!strcmp(sc->regions[i].name, sc->entry_region)) entry = i;
    size_t n = w->n_hosts;
    size_t total = (size_t)llround((double)n * sc->compromised_per_100k / 1e5);
    size_t floor_c = n >= 100 ? (size_t)sc->min_compromised : (size_t)(n / 8 ? n / 8 : 1);
    if (total < floor_c) total = floor_c;
    w->victims = calloc(total + 8, sizeof *w->victims);
    size_t *cand = malloc(n * sizeof *cand);
    if (!w->victims || !cand) {
        free(cand);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    sim_rng r;
    sim_rng_init(&r, w->seed, "campaign", 0);
    size_t dom_target = (size_t)llround((double)total * sc->domestic_share);
    size_t ovs_target = total - dom_target;
    /* 1. the entry region's AV management server, from outside */
    size_t entry_site = 0;
    for (size_t i = 0; i < w->n_sites; i++)
        if (w->sites[i].region == entry) {
            entry_site = i;
            break;
        }
    size_t av_ovs = w->sites[entry_site].av_server;
    add_victim(w, av_ovs, SIM_HOW_ZERO_DAY, -1, sc->overseas_entry);
    /* 2. entry-region endpoints: the pattern-file push reaches the AV server's own site;
     *    the region's other sites are reached from there by remote execution */
    size_t nc = candidates(w, 0, 1, entry, SIM_ENDPOINT, cand);
    size_t *local = malloc((nc ? nc : 1) * sizeof *local), *remote = malloc((nc ? nc : 1) * sizeof *remote);
    if (!local || !remote) {
        free(local);
        free(remote);
        free(cand);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    size_t nl = 0, nr = 0;
    for (size_t k = 0; k < nc; k++) {
        if (w->hosts[cand[k]].site == entry_site)
            local[nl++] = cand[k];
        else
            remote[nr++] = cand[k];
    }
    sim_rng_shuffle(&r, local, nl, sizeof *local);
    sim_rng_shuffle(&r, remote, nr, sizeof *remote);
    size_t want = ovs_target > 1 ? ovs_target - 1 : 0;
    size_t want_remote = nr ? want * 2 / 5 : 0, want_local = want - want_remote;
    if (want_local > nl) want_local = nl;
    if (want_remote > nr) want_remote = nr;
    size_t first_ovs = w->n_victims;
    for (size_t k = 0; k < want_local; k++) {
        sk_time t = sc->overseas_entry + (sk_time)(sim_rng_exp(&r, 6.0) * (double)HOUR) + 300 * SK_NS_PER_SEC;
        add_victim(w, local[k], SIM_HOW_AV_PUSH, (int64_t)av_ovs, t);
    }
    for (size_t k = 0; k < want_remote; k++) {
        size_t p = first_ovs + (size_t)sim_rng_below(&r, w->n_victims - first_ovs);
        sk_time t = w->victims[p].first + (sk_time)(sim_rng_exp(&r, 2.0) * (double)DAY) + HOUR;
        if (t >= sc->domestic_entry) t = w->victims[p].first + HOUR;
        add_victim(w, remote[k], SIM_HOW_REMOTE_EXECUTION, (int64_t)w->victims[p].host, t);
    }
    free(local);
    free(remote);
    /* 3. the domestic AV management server, attacked from an overseas victim */
    size_t dom_site = 0;
    for (size_t i = 0; i < w->n_sites; i++)
        if (sc->regions[w->sites[i].region].domestic) {
            dom_site = i;
            break;
        }
    size_t av_dom = w->sites[dom_site].av_server;
    int64_t pivot = w->n_victims > 1 ? (int64_t)w->victims[1 + sim_rng_below(&r, w->n_victims - 1)].host
                                     : (int64_t)av_ovs;
    add_victim(w, av_dom, SIM_HOW_ZERO_DAY, pivot, sc->domestic_entry);
    /* 4. some domestic servers through the AV server, then endpoints */
    size_t dom_left = dom_target > 1 ? dom_target - 1 : 0;
    size_t ns = candidates(w, 1, 0, 0, SIM_FILE_SERVER, cand);
    size_t n_srv = dom_left >= 6 ? 2 : (dom_left >= 3 ? 1 : 0);
    if (n_srv > ns) n_srv = ns;
    sim_rng_shuffle(&r, cand, ns, sizeof *cand);
    size_t first_dom = w->n_victims;
    for (size_t k = 0; k < n_srv; k++) {
        sk_time t = sc->domestic_entry + (sk_time)(sim_rng_exp(&r, 8.0) * (double)HOUR) + HOUR;
        add_victim(w, cand[k], SIM_HOW_AV_PUSH, (int64_t)av_dom, t);
    }
    nc = candidates(w, 1, 0, 0, SIM_ENDPOINT, cand);
    sim_rng_shuffle(&r, cand, nc, sizeof *cand);
    want = dom_left - n_srv;
    if (want > nc) want = nc;
    size_t first_dom_ep = w->n_victims;
    for (size_t k = 0; k < want; k++) {
        if (w->n_victims > first_dom && sim_rng_chance(&r, 0.35)) {
            size_t p = first_dom + (size_t)sim_rng_below(&r, w->n_victims - first_dom);
            sk_time t = w->victims[p].first + (sk_time)(sim_rng_exp(&r, 3.0) * (double)DAY) + HOUR;
            if (t >= sc->detection) t = w->victims[p].first + 2 * HOUR;
            add_victim(w, cand[k], SIM_HOW_REMOTE_EXECUTION, (int64_t)w->victims[p].host, t);
        } else {
            sk_time t = sc->domestic_entry + (sk_time)(sim_rng_exp(&r, 24.0) * (double)HOUR) + 2 * HOUR;
            if (t >= sc->detection) t = sc->domestic_entry + 3 * HOUR;
            add_victim(w, cand[k], SIM_HOW_AV_PUSH, (int64_t)av_dom, t);
        }
    }
    /* 5. sensitive data: domestic endpoint victims, at least min_sensitive when the
     *    fleet has 100 hosts or more */
    size_t n_dom_ep = w->n_victims - first_dom_ep;
    size_t sens = (size_t)llround((double)w->n_victims * sc->sensitive_share);
    size_t floor_s = n >= 100 ? (size_t)sc->min_sensitive : 1;
    if (sens < floor_s) sens = floor_s;
    if (sens > n_dom_ep) sens = n_dom_ep;
    for (size_t k = 0; k < sens; k++) w->victims[first_dom_ep + k].sensitive = 1;
    free(cand);
    for (size_t i = 0; i < w->n_victims; i++) victim_details(w, i);
    return 0;
}

int sim_victim_launch(const sim_world *w, size_t victim, int64_t day, sk_time *t)
{
    const sim_victim *v = &w->victims[victim];
    sim_rng r;
    sim_rng_init(&r, w->seed, "launch", victim * 100003u + (uint64_t)day);
    const sk_time dns = INT64_C(86400) * SK_NS_PER_SEC;
    *t = day * dns + (sk_time)sim_rng_range(&r, 3600, 20000) * SK_NS_PER_SEC;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    uint32_t ip;
    return *t >= ws && *t < we && *t >= v->first && sim_host_online(w, v->host, *t, &ip);
}

int sim_victim_clears_log(const sim_world *w, size_t victim, sk_time *when)
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "clear-log", victim);
    if (!sim_rng_chance(&r, 0.25)) return 0;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    *when = ws + (sk_time)(sim_rng_unit(&r) * (double)(we - ws));
    return 1;
}

void sim_exploit_request(const sim_world *w, size_t victim, int k, sk_time *t, uint32_t *src, uint64_t *bytes)
{
    const sim_victim *v = &w->victims[victim];
    sim_rng r;
    sim_rng_init(&r, w->seed, "exploit", (uint64_t)victim * 8u + (uint64_t)k);
    *t = v->first - (sk_time)(SIM_EXPLOIT_STEPS - k) * 7 * SK_NS_PER_SEC;
    if (v->parent >= 0) {
        if (!sim_host_online(w, (size_t)v->parent, *t, src)) *src = w->hosts[v->parent].ip;
    } else {
        *src = w->attacker.spoofed_sources[sim_rng_below(&r, w->attacker.n_spoofed)];
    }
    *bytes = 512 + sim_rng_below(&r, 4096);
}

size_t sim_roaming_agents(const sim_world *w, size_t region)
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "roaming", region);
    return (size_t)sim_rng_range(&r, 20, 60);
}

int sim_roaming_fetch(const sim_world *w, size_t region, size_t k, int64_t day, sk_time *t, uint32_t *ip)
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "roaming-ip", region * 1000u + k);
    *ip = sim_public_ip(&r);
    sim_rng_init(&r, w->seed, "roaming-fetch", ((uint64_t)region * 1000u + k) * 100003u + (uint64_t)day);
    double p = 0.5 * (w->sc->benign_density * 4 > 1 ? 1 : w->sc->benign_density * 4);
    if (!sim_rng_chance(&r, p)) return 0;
    *t = day * INT64_C(86400) * SK_NS_PER_SEC + (sk_time)sim_rng_below(&r, 86400) * SK_NS_PER_SEC;
    return 1;
}

int sim_host_clears_log(const sim_world *w, size_t host, sk_time *when, size_t *by, int *benign)
{
    const sim_host *h = &w->hosts[host];
    if ((h->coverage & SIM_COV_NO_LOGS) || h->role == SIM_PROXY || h->role == SIM_DHCP_SERVER) return 0; /* no Windows logs */
    if (h->campaign >= 0) {
        *benign = 0;
        *by = h->user != UINT32_MAX ? h->user : SIZE_MAX;
        return sim_victim_clears_log(w, (size_t)h->campaign, when);
    }
    /* an administrator clearing a log while troubleshooting: the benign look-alike */
    sim_rng r;
    sim_rng_init(&r, w->seed, "benign-clear", host);
    if (!sim_rng_chance(&r, h->role == SIM_ENDPOINT ? 0.004 : 0.05)) return 0;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    const int64_t day_ns = INT64_C(86400) * SK_NS_PER_SEC;
    int64_t days = (we - ws) / day_ns;
    if (days < 1) return 0;
    sk_time local_noon = (ws / day_ns + (int64_t)sim_rng_below(&r, (uint64_t)days)) * day_ns + 12 * 3600 * SK_NS_PER_SEC;
    sk_time t = local_noon - (sk_time)sk_tz_offset_at(w->sites[h->site].tz, local_noon) * SK_NS_PER_SEC +
                (sk_time)sim_rng_range(&r, -7200, 18000) * SK_NS_PER_SEC;
    if (t < ws || t >= we) return 0;
    size_t region = w->sites[h->site].region;
    size_t admin = w->n_users - 2 * w->sc->n_regions + 2 * region + (size_t)sim_rng_below(&r, 2);
    *when = t;
    *by = admin;
    *benign = 1;
    return 1;
}

int sim_payload_path(const sim_world *w, const sim_victim *v, char *out, size_t n)
{
    if (!n) return 0;
    out[0] = 0;
    if (v->how != SIM_HOW_AV_PUSH) return 0;
    /* the agent keeps what its server pushes beside its other updates, under the name the
     * update channel served it with (avlog.c: /avupdate/hotfix/hf_<8 hex>_<server>.dat) */
    snprintf(out, n, "C:\\ProgramData\\ExampleAV\\Agent\\Update\\hf_%.8s.dat", w->attacker.payload_sha256);
    return 1;
}
