/*
 * avlog.c - the antivirus management servers' web access logs (IIS W3C extended
 * format, UTC, one file per server and day) over the whole timeline: every client
 * fetches the day's pattern file once; the attacker's exploit requests hit the server
 * at the zero-day (from spoofed external addresses, or from the overseas pivot for the
 * domestic server); push victims fetch the attacker's payload through the update
 * channel at the moment of their compromise. Roaming agents fetch theirs over the internet. Decisions are the story's (campaign.c,
 * org.c); this file only writes them down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avlog.h"

#define SEC SK_NS_PER_SEC
#define DAY_NS (INT64_C(86400) * SEC)

typedef struct req {
    sk_time t;
    uint32_t client;
    const char *method, *uri, *agent;
    int status;
    uint64_t bytes;
    uint32_t seq;
} req;

/* time-taken in ms: from the request itself, so no line stands out by its order */
static unsigned taken(const sim_world *w, const req *q)
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "iis-taken", (uint64_t)q->t ^ ((uint64_t)q->client << 20));
    return (unsigned)(15 + sim_rng_below(&r, q->bytes > 1000000 ? 4000 : 400));
}

static int cmp_req(const void *a, const void *b)
{
    const req *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The attacker's payload as the update channel served it (same name for every push of a server). */
static void payload_uri(const sim_world *w, size_t av, char *out, size_t n)
{
    snprintf(out, n, "/avupdate/hotfix/hf_%.8s_%zu.dat", w->attacker.payload_sha256, av);
}

static int write_server(const sim_world *w, sim_out *o, size_t av, uint64_t *lines)
{
    const sim_scenario *sc = w->sc;
    const sim_host *srv = &w->hosts[av];
    req *rq = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
#define PUSH(...)                                                                 \
    do {                                                                          \
        if (n == cap) {                                                           \
            cap = cap ? cap * 2 : 4096;                                           \
            req *p_ = realloc(rq, cap * sizeof *p_);                              \
            if (!p_) {                                                            \
                free(rq);                                                         \
                return sk_error_set(SK_ENOMEM, "out of memory");                  \
            }                                                                     \
            rq = p_;                                                              \
        }                                                                         \
        rq[n] = (req){__VA_ARGS__};                                               \
        rq[n].seq = (uint32_t)n;                                                  \
        n++;                                                                      \
    } while (0)
    int64_t d0 = sc->start / DAY_NS, d1 = (sc->end + DAY_NS - 1) / DAY_NS;
    char uris[3][96];
    for (int64_t day = d0; day < d1 && !rc; day++) {
        n = 0;
        /* daily pattern downloads by the server's clients */
        snprintf(uris[0], sizeof uris[0], "/avupdate/pattern/ptn_%u.zip", (unsigned)(15000 + (day - d0)));
        uint64_t psize = 31457280 + (uint64_t)((day * 7919) % 2000000);
        for (size_t hi = 0; hi < w->n_hosts; hi++) {
            const sim_host *h = &w->hosts[hi];
            if (hi == av || w->sites[h->site].av_server != av) continue;
            sim_rng r;
            sim_rng_init(&r, w->seed, "pattern-poll", (uint64_t)hi * 100003u + (uint64_t)day);
            if (!sim_rng_chance(&r, sc->benign_density * 4 > 1 ? 1 : sc->benign_density * 4)) continue;
            sk_time t = day * DAY_NS + (sk_time)sim_rng_below(&r, 86400) * SEC;
            uint32_t ip;
            if (!sim_host_online(w, hi, t, &ip)) continue;
            PUSH(.t = t, .client = ip, .method = "GET", .uri = uris[0], .agent = "ExampleAV-Agent/12.0", .status = 200, .bytes = psize);
        }
        /* roaming agents of the server's region, over the internet (through the firewall) */
        if (w->sites[srv->site].av_server == av) {
            size_t region = w->sites[srv->site].region, na = sim_roaming_agents(w, region);
            for (size_t k = 0; k < na; k++) {
                sk_time t;
                uint32_t ip;
                if (sim_roaming_fetch(w, region, k, day, &t, &ip))
                    PUSH(.t = t, .client = ip, .method = "GET", .uri = uris[0], .agent = "ExampleAV-Agent/12.0", .status = 200, .bytes = psize);
            }
        }
        /* the campaign on this server */
        for (size_t vi = 0; vi < w->n_victims; vi++) {
            const sim_victim *v = &w->victims[vi];
            if (v->first / DAY_NS < day - 1 || v->first / DAY_NS > day + 1) continue;
            if (v->host == av && v->how == SIM_HOW_ZERO_DAY) {
                /* the exploit: a burst against the management console, then the implant's check-in */
                static const char *const steps[SIM_EXPLOIT_STEPS] = {"/avmgmt/login.aspx", "/avmgmt/cgi/upload.cgi", "/avmgmt/cgi/upload.cgi",
                                                                     "/avmgmt/cgi/cfg_import.cgi", "/avmgmt/cgi/cfg_import.cgi", "/avmgmt/index.aspx"};
                static const int status[SIM_EXPLOIT_STEPS] = {200, 500, 200, 302, 200, 200};
                for (int k = 0; k < SIM_EXPLOIT_STEPS; k++) {
                    sk_time t;
                    uint32_t src;
                    uint64_t bytes;
                    sim_exploit_request(w, vi, k, &t, &src, &bytes);
                    if (t / DAY_NS != day) continue; /* each request in the file of its own day */
                    PUSH(.t = t, .client = src, .method = k ? "POST" : "GET",
                         .uri = steps[k], .agent = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
                         .status = status[k], .bytes = bytes);
                }
            } else if (v->how == SIM_HOW_AV_PUSH && v->parent == (int64_t)av && (v->first - 60 * SEC) / DAY_NS == day &&
                       sim_av_push_logged(w, vi)) {
                uint32_t ip;
                sim_host_online(w, v->host, v->first - 60 * SEC, &ip);
                payload_uri(w, av, uris[1], sizeof uris[1]);
                PUSH(.t = v->first - 60 * SEC, .client = ip, .method = "GET", .uri = uris[1], .agent = "ExampleAV-Agent/12.0",
                     .status = 200, .bytes = 184320);
            }
        }
        if (!n) continue;
        sim_sort(rq, n, sizeof *rq, cmp_req);
        sk_civil c;
        sk_time_to_civil(day * DAY_NS, &c);
        char rel[256];
        snprintf(rel, sizeof rel, "logs/av/%s/W3SVC1/u_ex%02lld%02d%02d.log", srv->name, (long long)(c.year % 100), c.month, c.day);
        FILE *f = sim_out_open(o, rel);
        if (!f) {
            rc = sk_error_last_code();
            break;
        }
        char sip[16];
        sim_ip_str(srv->ip, sip);
        fprintf(f, "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
                   "#Date: %04lld-%02d-%02d 00:00:00\r\n"
                   "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
                   "cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken\r\n",
                (long long)c.year, c.month, c.day);
        for (size_t i = 0; i < n; i++) {
            sk_civil t;
            sk_time_to_civil(rq[i].t, &t);
            char cip[16], agent[160];
            sim_ip_str(rq[i].client, cip);
            size_t k = 0; /* W3C: spaces in a field become '+' */
            for (const char *p = rq[i].agent; *p && k + 1 < sizeof agent; p++) agent[k++] = *p == ' ' ? '+' : *p;
            agent[k] = '\0';
            fprintf(f, "%04lld-%02d-%02d %02d:%02d:%02d %s %s %s - 443 - %s %s - %d 0 0 %llu %u\r\n", (long long)t.year,
                    t.month, t.day, t.hour, t.minute, t.second, sip, rq[i].method, rq[i].uri, cip, agent, rq[i].status,
                    (unsigned long long)rq[i].bytes, taken(w, &rq[i]));
        }
        *lines += n;
        rc = sim_out_close(o, f, rel);
    }
#undef PUSH
    free(rq);
    return rc;
}

int sim_avlog_write(const sim_world *w, sim_out *o, uint64_t *lines)
{
    *lines = 0;
    int rc = 0;
    for (size_t i = 0; i < w->n_hosts && !rc; i++)
        if (w->hosts[i].role == SIM_AV_SERVER) rc = write_server(w, o, i, lines);
    return rc;
}
