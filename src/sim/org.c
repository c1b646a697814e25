/*
 * org.c - build the simulated organisation (see world.h).
 *
 * Servers: every region has an AV management server, a domain controller, a file
 * server, a proxy and a DHCP server at its first site; a site with at least
 * SITE_OWN_SERVERS endpoints gets its own DC, file server, proxy and DHCP server.
 * Endpoints are spread over sites by weight (largest remainder), each with one
 * primary user named after the site's country. Address plan: each site gets an
 * aligned block (at least a /16) - domestic ones from 10.0.0.0/8, overseas ones from
 * 172.16.0.0/12 - servers in its first /24, endpoints after it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>

#include "names.h"
#include "world.h"

#define SITE_OWN_SERVERS 500

void sim_ip_str(uint32_t ip, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void site_code(sim_world *w, size_t i)
{
    const char *n = w->sites[i].spec->name;
    char code[8] = {0};
    size_t k = 0;
    for (const char *p = n; *p && k < 3; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) code[k++] = (char)(*p & ~0x20);
    const char *dash = strchr(n, '-');
    if (dash && dash[1] && k < 4) code[k++] = (char)(dash[1] & ~0x20);
    while (k < 3) code[k++] = 'X';
    /* unique among earlier sites */
    for (int attempt = 0; attempt < 10; attempt++) {
        int clash = 0;
        for (size_t j = 0; j < i; j++) clash |= !strcmp(w->sites[j].code, code);
        if (!clash) break;
        code[k - 1] = (char)('0' + attempt);
    }
    memcpy(w->sites[i].code, code, sizeof code);
}

static uint32_t endpoint_ip(const sim_site *s, size_t k)
{
    /* skip .0 and .255 in every /24 after the servers' first one */
    return s->net + 256 + (uint32_t)(k / 254) * 256 + 1 + (uint32_t)(k % 254);
}

static int add_server(sim_world *w, size_t site, sim_role role, const char *tag, int num, size_t *out)
{
    sim_host *h = &w->hosts[w->n_hosts];
    memset(h, 0, sizeof *h);
    h->role = role;
    h->site = (uint32_t)site;
    h->campaign = -1;
    h->user = UINT32_MAX;
    snprintf(h->name, sizeof h->name, "%.4s-%.4s%02d", w->sites[site].code, tag, num % 100);
    h->ip = w->sites[site].net + 10 + (uint32_t)(w->n_hosts % 240);
    *out = w->n_hosts++;
    return 0;
}

static void make_user(sim_world *w, size_t idx, size_t site, sim_rng *r, int admin)
{
    sim_user *u = &w->users[idx];
    const sim_site_spec *sp = w->sites[site].spec;
    const sim_name_set *ns = sim_names_for(sp->country);
    const sim_name *f = &ns->family[sim_rng_below(r, ns->n_family)];
    const sim_name *g = &ns->given[sim_rng_below(r, ns->n_given)];
    u->site = (uint32_t)site;
    u->rid = 1100 + (uint32_t)idx;
    u->admin = (uint8_t)admin;
    u->dept = (uint16_t)sim_rng_below(r, 24);
    if (admin)
        snprintf(u->sam, sizeof u->sam, "adm-%.8s%u", f->latin, (unsigned)(idx % 1000));
    else
        snprintf(u->sam, sizeof u->sam, "%c.%.12s%u", g->latin[0], f->latin, (unsigned)(idx % 100000));
    if (ns->family_first)
        snprintf(u->display, sizeof u->display, "%s %s", f->native, g->native);
    else
        snprintf(u->display, sizeof u->display, "%s %s", g->native, f->native);
}

int sim_org_build(sim_world *w, const sim_scenario *sc, uint64_t seed, size_t n_hosts)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->seed = seed;
    size_t ns = 0;
    for (size_t r = 0; r < sc->n_regions; r++) ns += sc->regions[r].n_sites;
    size_t regional = 5 * sc->n_regions; /* AV, DC, FS, proxy, DHCP per region */
    if (n_hosts < regional + sc->n_regions)
        return sk_error_set(SK_EINVAL, "--hosts %zu is too few for this scenario's organisation: "
                            "it needs at least %zu (5 servers and 1 endpoint per region)",
                            n_hosts, regional + sc->n_regions);
    w->sites = calloc(ns, sizeof *w->sites);
    w->hosts = calloc(n_hosts, sizeof *w->hosts);
    if (!w->sites || !w->hosts) return sk_error_set(SK_ENOMEM, "out of memory");
    w->n_sites = ns; /* now, so that sim_world_free frees the zones loaded before a failure */
    /* sites and weights */
    double *weight = calloc(ns, sizeof *weight);
    if (!weight) return sk_error_set(SK_ENOMEM, "out of memory");
    double rtotal = 0;
    for (size_t r = 0; r < sc->n_regions; r++) rtotal += sc->regions[r].weight;
    for (size_t r = 0, i = 0; r < sc->n_regions; r++) {
        double stotal = 0;
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) stotal += sc->regions[r].sites[k].weight;
        for (size_t k = 0; k < sc->regions[r].n_sites; k++, i++) {
            w->sites[i].spec = &sc->regions[r].sites[k];
            w->sites[i].region = r;
            weight[i] = (rtotal > 0 && stotal > 0)
                            ? sc->regions[r].weight / rtotal * sc->regions[r].sites[k].weight / stotal
                            : 1.0 / (double)ns;
            site_code(w, i);
            if (sk_tz_load(&w->sites[i].tz, w->sites[i].spec->timezone)) {
                free(weight);
                return sk_error_set(SK_EINVAL, "site %s: unknown time zone %s", w->sites[i].spec->name,
                                    w->sites[i].spec->timezone);
            }
        }
    }
    /* endpoint counts: largest remainder over what the servers leave, regional first sites
     * host the regional servers; sites that reach SITE_OWN_SERVERS get 4 more */
    size_t *count = calloc(ns, sizeof *count);
    double *rem = calloc(ns, sizeof *rem);
    unsigned char *big = calloc(ns, 1); /* decided once, so totals always equal n_hosts */
    if (!count || !rem || !big) {
        free(weight);
        free(count);
        free(rem);
        free(big);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    size_t servers = regional;
    for (int pass = 0; pass < 2; pass++) {
        size_t avail = n_hosts - servers, given = 0;
        for (size_t i = 0; i < ns; i++) {
            double exact = weight[i] * (double)avail;
            count[i] = (size_t)floor(exact);
            rem[i] = exact - floor(exact);
            given += count[i];
        }
        while (given < avail) {
            size_t best = 0;
            for (size_t i = 1; i < ns; i++)
                if (rem[i] > rem[best]) best = i;
            count[best]++;
            rem[best] = -1;
            given++;
        }
        if (pass == 0) {
            size_t extra = 0;
            for (size_t i = 0; i < ns; i++)
                if (count[i] >= SITE_OWN_SERVERS + 4) {
                    big[i] = 1;
                    extra += 4;
                }
            servers = regional + extra;
        }
    }
    free(rem);
    free(weight);
    /* address plan */
    uint32_t dom_cursor = 0x0A000000u + 0x10000u, ovs_cursor = 0xAC100000u; /* 10.1/16, 172.16/16 */
    for (size_t i = 0; i < ns; i++) {
        sim_site *s = &w->sites[i];
        size_t need = count[i] + count[i] / 2 + 1024; /* endpoints, the laptop pool, servers */
        uint8_t prefix = 16;
        while (prefix > 8 && ((size_t)1 << (32 - prefix)) < need) prefix--;
        uint32_t size = (uint32_t)1 << (32 - prefix);
        uint32_t *cur = sc->regions[s->region].domestic ? &dom_cursor : &ovs_cursor;
        *cur = (*cur + size - 1) & ~(size - 1);
        s->net = *cur;
        s->prefix = prefix;
        *cur += size;
    }
    /* regional servers at each region's first site */
    size_t first_site = 0;
    for (size_t r = 0; r < sc->n_regions; r++) {
        size_t fs = first_site, idx;
        add_server(w, fs, SIM_AV_SERVER, "AVM", 1, &idx);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) w->sites[fs + k].av_server = idx;
        add_server(w, fs, SIM_DC, "DC", 1, &idx);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) w->sites[fs + k].dc = idx;
        add_server(w, fs, SIM_FILE_SERVER, "FS", 1, &idx);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) w->sites[fs + k].file_server = idx;
        add_server(w, fs, SIM_PROXY, "PRX", 1, &idx);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) w->sites[fs + k].proxy = idx;
        add_server(w, fs, SIM_DHCP_SERVER, "DHCP", 1, &idx);
        for (size_t k = 0; k < sc->regions[r].n_sites; k++) w->sites[fs + k].dhcp = idx;
        first_site += sc->regions[r].n_sites;
    }
    for (size_t i = 0; i < ns; i++) {
        if (!big[i]) continue;
        size_t idx;
        int num = (w->hosts[w->sites[i].dc].site == i) ? 2 : 1;
        add_server(w, i, SIM_DC, "DC", num, &idx);
        w->sites[i].dc = idx;
        add_server(w, i, SIM_FILE_SERVER, "FS", num, &idx);
        w->sites[i].file_server = idx;
        add_server(w, i, SIM_PROXY, "PRX", num, &idx);
        w->sites[i].proxy = idx;
        add_server(w, i, SIM_DHCP_SERVER, "DHCP", num, &idx);
        w->sites[i].dhcp = idx;
    }
    free(big);
    /* endpoints and their users */
    size_t n_endpoints = n_hosts - w->n_hosts, n_admins = sc->n_regions * 2;
    w->users = calloc(n_endpoints + n_admins, sizeof *w->users);
    if (!w->users) {
        free(count);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ns; i++) {
        sim_site *s = &w->sites[i];
        s->first_host = w->n_hosts;
        s->n_hosts = count[i];
        int shipper_wlb = 0;
        sim_rng rs;
        sim_rng_init(&rs, seed, "site", i);
        shipper_wlb = sim_rng_chance(&rs, sc->winlogbeat_share);
        int module_logging = sim_rng_chance(&rs, sc->module_logging_share);
        for (size_t k = 0; k < count[i]; k++) {
            sim_host *h = &w->hosts[w->n_hosts];
            sim_rng r;
            sim_rng_init(&r, seed, "host", w->n_hosts);
            h->role = SIM_ENDPOINT;
            h->site = (uint32_t)i;
            h->campaign = -1;
            h->laptop = (uint8_t)sim_rng_chance(&r, 0.35);
            if (h->laptop) h->laptop_rank = (uint32_t)s->n_laptops++;
            char nm[40]; /* CODE-PC000001: at most 15 characters up to 99,999,999 per site */
            snprintf(nm, sizeof nm, "%.4s-%s%06zu", s->code, h->laptop ? "NB" : "PC", k + 1);
            snprintf(h->name, sizeof h->name, "%.15s", nm);
            h->ip = endpoint_ip(s, k);
            h->user = (uint32_t)w->n_users;
            make_user(w, w->n_users++, i, &r, 0);
            h->dept = w->users[h->user].dept;
            uint8_t cov = 0;
            if (sim_rng_chance(&r, sc->sysmon_share)) cov |= SIM_COV_SYSMON;
            if (sim_rng_chance(&r, sc->cmdline_share)) cov |= SIM_COV_CMDLINE;
            if (sim_rng_chance(&r, sc->no_logs_share)) cov |= SIM_COV_NO_LOGS;
            if (sim_rng_chance(&r, sc->wrapped_share)) cov |= SIM_COV_WRAPPED;
            if (shipper_wlb) cov |= SIM_COV_WINLOGBEAT;
            if (module_logging) cov |= SIM_COV_PS_MODULE;
            if (sim_rng_chance(&r, sc->missing_share)) cov |= SIM_COV_NO_SNAPSHOT;
            h->coverage = cov;
            if (sim_rng_chance(&r, sc->clock_skew_share))
                h->clock_skew_ms = (int32_t)sim_rng_range(&r, -180000, 180000);
            w->n_hosts++;
        }
    }
    free(count);
    /* laptop pools: after the desktops' addresses, a tenth more than the laptops */
    for (size_t i = 0; i < ns; i++) {
        sim_site *s = &w->sites[i];
        s->pool_base = endpoint_ip(s, s->n_hosts + 254); /* a fresh /24 after the last desktop */
        s->pool_base &= ~0xffu;
    }
    /* server details: MACs, coverage (servers log everything, shipped like their site) */
    for (size_t i = 0; i < w->n_hosts; i++) {
        sim_host *h = &w->hosts[i];
        sim_rng r;
        sim_rng_init(&r, seed, "mac", i);
        static const uint8_t ouis[][3] = {{0x00, 0x15, 0x5d}, {0xd4, 0xbe, 0xd9}, {0x3c, 0x52, 0x82},
                                           {0x00, 0x50, 0x56}, {0x98, 0xe7, 0x43}, {0xf8, 0xb1, 0x56}};
        const uint8_t *o = ouis[sim_rng_below(&r, 6)];
        uint64_t v = sim_rng_next(&r);
        h->mac[0] = o[0], h->mac[1] = o[1], h->mac[2] = o[2];
        h->mac[3] = (uint8_t)v, h->mac[4] = (uint8_t)(v >> 8), h->mac[5] = (uint8_t)(v >> 16);
        if (h->role != SIM_ENDPOINT) h->coverage = SIM_COV_SYSMON | SIM_COV_CMDLINE | SIM_COV_PS_MODULE;
    }
    /* administrators: two per region, at the region's first site */
    first_site = 0;
    for (size_t r = 0; r < sc->n_regions; r++) {
        for (int a = 0; a < 2; a++) {
            sim_rng rr;
            sim_rng_init(&rr, seed, "admin", w->n_users);
            make_user(w, w->n_users++, first_site, &rr, 1);
        }
        first_site += sc->regions[r].n_sites;
    }
    return 0;
}

void sim_world_free(sim_world *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n_sites; i++) sk_tz_free(w->sites[i].tz);
    free(w->sites);
    free(w->hosts);
    free(w->users);
    free(w->victims);
    memset(w, 0, sizeof *w);
}

/* ---- the story's clock -------------------------------------------------------- */

#define DAY_NS (INT64_C(86400) * SK_NS_PER_SEC)

void sim_log_window(const sim_world *w, sk_time *start, sk_time *end)
{
    *end = w->sc->containment;
    *start = *end - (sk_time)w->sc->log_days * DAY_NS;
}

static int64_t day_of(sk_time t)
{
    return t >= 0 ? t / DAY_NS : -((-t + DAY_NS - 1) / DAY_NS);
}

int sim_laptop_lease(const sim_world *w, size_t host, int64_t day, sk_time *from, sk_time *to, uint32_t *ip)
{
    const sim_host *h = &w->hosts[host];
    const sim_site *s = &w->sites[h->site];
    sim_rng r;
    sim_rng_init(&r, w->seed, "laptop-day", (uint64_t)host * 100003u + (uint64_t)day);
    /* local midnight of `day` (days counted in UTC; the offset moves it by hours) */
    sk_time midnight_utc = day * DAY_NS;
    int32_t off = sk_tz_offset_at(s->tz, midnight_utc + DAY_NS / 2);
    sk_civil c;
    sk_time_to_civil(midnight_utc, &c);
    int weekend = c.weekday == 0 || c.weekday == 6;
    if (!sim_rng_chance(&r, weekend ? 0.1 : 0.93)) return 0;
    sk_time arrive = midnight_utc - (sk_time)off * SK_NS_PER_SEC + (sk_time)sim_rng_range(&r, 8 * 3600, 10 * 3600) * SK_NS_PER_SEC;
    *from = arrive;
    *to = arrive + (sk_time)sim_rng_range(&r, 8 * 3600, 11 * 3600) * SK_NS_PER_SEC;
    /* the day's address: the site's laptops rotate through a pool a tenth larger */
    uint32_t pool = (uint32_t)(s->n_laptops + s->n_laptops / 10 + 1);
    sim_rng sr;
    sim_rng_init(&sr, w->seed, "pool-shift", (uint64_t)h->site * 100003u + (uint64_t)day);
    uint32_t slot = (uint32_t)((h->laptop_rank + sim_rng_below(&sr, pool)) % pool);
    *ip = s->pool_base + (slot / 254) * 256 + 1 + slot % 254;
    return 1;
}

int sim_host_online(const sim_world *w, size_t host, sk_time t, uint32_t *ip)
{
    const sim_host *h = &w->hosts[host];
    if (!h->laptop) {
        *ip = h->ip;
        return 1;
    }
    /* a lease starts on its own UTC day or the previous one (time zones east of UTC) */
    for (int64_t d = day_of(t) - 1; d <= day_of(t); d++) {
        sk_time from, to;
        uint32_t a;
        if (sim_laptop_lease(w, host, d, &from, &to, &a) && t >= from && t < to) {
            *ip = a;
            return 1;
        }
    }
    return 0;
}

int sim_proxy_day_missing(const sim_world *w, size_t proxy, int64_t day)
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "proxy-day-missing", (uint64_t)proxy * 100003u + (uint64_t)day);
    return sim_rng_chance(&r, 0.03);
}

sk_time sim_security_kept_from(const sim_world *w, size_t host)
{
    if (!(w->hosts[host].coverage & SIM_COV_WRAPPED)) return SK_TIME_NONE;
    sk_time ws, we;
    sim_log_window(w, &ws, &we);
    sim_rng r;
    sim_rng_init(&r, w->seed, "security-wrap", host);
    return we - (sk_time)sim_rng_range(&r, 2 * 86400, 4 * 86400) * SK_NS_PER_SEC;
}
