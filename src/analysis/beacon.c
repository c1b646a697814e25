/*
 * beacon.c - beacon candidates (sakimori/beacon.h, docs/network.md "Beacons").
 * Observations are kept per (host, sensor, destination) series as millisecond times and
 * sizes, within per-series and total bounds. Ranking sorts each series, collapses
 * contacts closer than the collapse time, and scores it:
 *   interval regularity T = (1 - |Bowley skew| + max(0, 1 - MADM/median)) / 2 of the
 *     gaps between contacts (RITA's measures, robust to the gaps of a host switched off;
 *     the skew's quartile spread floored at a tenth of the median);
 *   size regularity S, the same over the sizes (where the log has them);
 *   persistence P = hours with a contact / hours the host was active over the series'
 *     span, times min(1, ln(1 + hours seen) / ln 25) (a series of an afternoon is not
 *     persistent whatever its regularity);
 *   unusualness U = 1 - ln(1 + peers) / ln(1 + hosts), peers being the other hosts of
 *     its peer group (the role an asset inventory gives it; all hosts are one group
 *     without one) whose series to the same destination has a median gap within 20% (the same
 *     software deployed on many machines polls with the same period; an implant on a few
 *     does not, and a sync client mixed with an implant on one host has another period);
 *     U is left out when fewer than 10 hosts were seen.
 *   score = 100 (0.30 T + 0.10 S + 0.25 P + 0.35 U) / (the weights used); a destination
 *     known by address and port whose port is no common service's (odd_port below:
 *     remote-access trojans listen on 1177, 1337, 4444, ...) closes a third of the gap
 *     to 100; halved when an allowlist entry covers most of the series' contacts.
 * A host's series from several sensors is one candidate, the sensor whose series scores
 * best before U.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/beacon.h>
#include <sakimori/common.h>
#include <sakimori/map.h>
#include <sakimori/strtab.h>

#define MS_PER_HOUR INT64_C(3600000)

/* ---- the allowlist ------------------------------------------------------------------ */

typedef struct allow_entry {
    char *domain, *ua, *uri, *process;
    const char *source;
    uint64_t line;
    size_t next;                /* the next entry of the same domain, +1 (0: none) */
} allow_entry;

struct sk_beacon_allow {
    allow_entry *e;
    size_t n, cap;
    sk_map *by_domain;          /* domain -> first entry index + 1 */
    char **sources;
    size_t n_sources;
};

int sk_beacon_allow_new(sk_beacon_allow **out)
{
    sk_beacon_allow *a = calloc(1, sizeof *a);
    if (!a || sk_map_new(&a->by_domain, 0)) {
        free(a);
        return ENOMEM;
    }
    *out = a;
    return 0;
}

void sk_beacon_allow_free(sk_beacon_allow *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n; i++) free(a->e[i].domain), free(a->e[i].ua), free(a->e[i].uri), free(a->e[i].process);
    free(a->e);
    for (size_t i = 0; i < a->n_sources; i++) free(a->sources[i]);
    free(a->sources);
    sk_map_free(a->by_domain);
    free(a);
}

size_t sk_beacon_allow_count(const sk_beacon_allow *a)
{
    return a ? a->n : 0;
}

static void allow_diag(void (*diag)(void *, const char *), void *ctx, const char *source, uint64_t line, const char *why)
{
    if (!diag) return;
    char m[512];
    snprintf(m, sizeof m, "%.200s:%llu: %s", source, (unsigned long long)line, why);
    diag(ctx, m);
}

/* a host name as entries and observations compare it: lower case, no trailing dot */
static size_t norm_host(char *dst, size_t cap, const char *s, size_t n)
{
    if (n && s[n - 1] == '.') n--;
    if (n >= cap) return 0;
    for (size_t i = 0; i < n; i++) dst[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    dst[n] = 0;
    return n;
}

int sk_beacon_allow_add(sk_beacon_allow *a, const char *source, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                        void *ctx)
{
    char **ns = realloc(a->sources, (a->n_sources + 1) * sizeof *ns);
    if (!ns) return ENOMEM;
    a->sources = ns;
    if (!(ns[a->n_sources] = strdup(source ? source : "-"))) return ENOMEM;
    const char *src = ns[a->n_sources++];
    uint64_t lineno = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - data) : n, len = e - i;
        const char *s = data + i;
        i = e + 1;
        lineno++;
        if (len && s[len - 1] == '\r') len--;
        if (memchr(s, 0, len)) { allow_diag(diag, ctx, src, lineno, "a NUL byte: line skipped"); continue; }
        /* drop a comment; a '#' inside a glob would need a blank before it to start one */
        for (size_t k = 0; k < len; k++)
            if (s[k] == '#' && (k == 0 || s[k - 1] == ' ' || s[k - 1] == '\t')) { len = k; break; }
        char *tok[8];
        size_t nt = 0;
        char buf[4096];
        if (len >= sizeof buf) { allow_diag(diag, ctx, src, lineno, "longer than 4095 bytes: skipped"); continue; }
        memcpy(buf, s, len);
        buf[len] = 0;
        int bad = 0;
        for (char *p = buf; *p && !bad;) {
            while (*p == ' ' || *p == '\t') *p++ = 0;
            if (!*p) break;
            if (nt == 8) { bad = 1; break; }
            tok[nt++] = p;
            while (*p && *p != ' ' && *p != '\t') p++;
        }
        if (bad) { allow_diag(diag, ctx, src, lineno, "more than a domain and 7 qualifiers: skipped"); continue; }
        if (!nt) continue;
        allow_entry en = {.source = src, .line = lineno};
        char dom[256];
        const char *d = tok[0];
        if (d[0] == '*' && d[1] == '.') d += 2;
        size_t dl = strlen(d);
        if (!dl || !norm_host(dom, sizeof dom, d, dl) || strchr(dom, '=') || strchr(dom, '/')) {
            allow_diag(diag, ctx, src, lineno, "the first word is no domain: skipped");
            continue;
        }
        for (size_t k = 1; k < nt && !bad; k++) {
            char *eq = strchr(tok[k], '=');
            char **slot = NULL;
            if (eq && eq - tok[k] == 2 && !strncmp(tok[k], "ua", 2)) slot = &en.ua;
            else if (eq && eq - tok[k] == 3 && !strncmp(tok[k], "uri", 3)) slot = &en.uri;
            else if (eq && eq - tok[k] == 7 && !strncmp(tok[k], "process", 7)) slot = &en.process;
            if (!slot || !eq[1] || *slot) { bad = 1; break; }
            /* '+' stands for a blank, as W3C logs write user agents */
            for (char *q = eq + 1; *q; q++)
                if (*q == '+') *q = ' ';
            if (!(*slot = strdup(eq + 1))) { free(en.ua), free(en.uri), free(en.process); return ENOMEM; }
        }
        if (bad) {
            free(en.ua), free(en.uri), free(en.process);
            allow_diag(diag, ctx, src, lineno, "a qualifier is not ua=GLOB, uri=GLOB or process=GLOB (each once): skipped");
            continue;
        }
        if (!(en.domain = strdup(dom))) { free(en.ua), free(en.uri), free(en.process); return ENOMEM; }
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 16;
            allow_entry *ne = realloc(a->e, cap * sizeof *ne);
            if (!ne) { free(en.domain), free(en.ua), free(en.uri), free(en.process); return ENOMEM; }
            a->e = ne;
            a->cap = cap;
        }
        void *old = NULL;
        size_t dn = strlen(dom);
        void *prev = sk_map_get(a->by_domain, dom, dn);
        en.next = (size_t)(uintptr_t)prev;
        a->e[a->n++] = en;
        if (sk_map_put(a->by_domain, dom, dn, (void *)(uintptr_t)a->n, &old)) return ENOMEM;
    }
    return 0;
}

static int glob_ok(const char *pat, const char *s, size_t n)
{
    if (!pat) return 1;
    if (!s) return 0;
    char buf[2048];
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return fnmatch(pat, buf, FNM_CASEFOLD) == 0;
}

/* the entry that covers an observation, or NULL */
static const allow_entry *allow_match(const sk_beacon_allow *a, const char *host, size_t hn, const sk_beacon_obs *o)
{
    if (!a || !a->n) return NULL;
    for (size_t i = 0;;) {
        size_t idx = (size_t)(uintptr_t)sk_map_get(a->by_domain, host + i, hn - i);
        while (idx) {
            const allow_entry *e = &a->e[idx - 1];
            if (glob_ok(e->ua, o->ua, o->ua_n) && glob_ok(e->uri, o->uri, o->uri_n) && glob_ok(e->process, o->process, o->process_n))
                return e;
            idx = e->next;
        }
        const char *dot = memchr(host + i, '.', hn - i);
        if (!dot) return NULL;
        i = (size_t)(dot - host) + 1;
    }
}

/* ---- series --------------------------------------------------------------------------- */

typedef struct series {
    uint32_t host, dest;
    int sensor;
    uint32_t n, cap;
    int64_t *t;                 /* ms */
    uint32_t *bytes;            /* UINT32_MAX: not known */
    uint64_t obs, allow_hits, bytes_total;
    const allow_entry *allow;
    int truncated;
    sk_beacon_ref earliest, latest, sample[SK_BEACON_REFS - 2];
    size_t n_sample;
} series;

struct sk_beacons {
    sk_beacon_options o;
    sk_strtab *hosts, *dests, *groups;
    sk_map *series;
    uint32_t *host_group;       /* per host: its group's id + 1 (0: none) */
    size_t cap_group;
    series **all;
    size_t n_all, cap_all;
    uint64_t points, dropped;
    sk_beacon_cand *cands;
    size_t n_cands;
};

int sk_beacons_new(sk_beacons **out, const sk_beacon_options *o)
{
    sk_beacons *b = calloc(1, sizeof *b);
    if (!b) return ENOMEM;
    if (o) b->o = *o;
    if (!b->o.min_contacts) b->o.min_contacts = 10;
    if (!(b->o.collapse_s > 0)) b->o.collapse_s = 1.0;
    if (!b->o.max_points) b->o.max_points = 16384;
    if (!b->o.max_total_points) b->o.max_total_points = UINT64_C(32) << 20;
    if (sk_strtab_new(&b->hosts) || sk_strtab_new(&b->dests) || sk_map_new(&b->series, 0) || sk_strtab_new(&b->groups)) {
        sk_beacons_free(b);
        return ENOMEM;
    }
    *out = b;
    return 0;
}

void sk_beacons_free(sk_beacons *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n_all; i++) free(b->all[i]->t), free(b->all[i]->bytes), free(b->all[i]);
    free(b->all);
    free(b->host_group);
    sk_strtab_free(b->groups);
    sk_strtab_free(b->hosts);
    sk_strtab_free(b->dests);
    sk_map_free(b->series);
    free(b->cands);
    free(b);
}

uint64_t sk_beacons_dropped(const sk_beacons *b)
{
    return b->dropped;
}

const char *sk_beacon_sensor_name(int s)
{
    static const char *const n[SK_BEACON_SENSORS] = {"proxy", "http", "ssl", "conn", "firewall", "dns", "other"};
    return s >= 0 && s < SK_BEACON_SENSORS ? n[s] : "other";
}

int sk_beacons_add(sk_beacons *b, const sk_beacon_obs *o)
{
    if (o->t == SK_TIME_NONE || !o->host_n || !o->dest_n) return 0;
    char dest[300];
    size_t dn = norm_host(dest, sizeof dest, o->dest, o->dest_n);
    if (!dn) return 0;
    size_t hn = o->host_n > 1024 ? 1024 : o->host_n;
    uint32_t hid, did;
    if (sk_strtab_intern(b->hosts, o->host, hn, &hid) || sk_strtab_intern(b->dests, dest, dn, &did)) return ENOMEM;
    if (hid >= b->cap_group) {
        size_t c = b->cap_group ? b->cap_group * 2 : 1024;
        while (c <= hid) c *= 2;
        uint32_t *ng = realloc(b->host_group, c * sizeof *ng);
        if (!ng) return ENOMEM;
        memset(ng + b->cap_group, 0, (c - b->cap_group) * sizeof *ng);
        b->host_group = ng;
        b->cap_group = c;
    }
    if (!b->host_group[hid] && o->group && o->group[0]) {
        uint32_t gid;
        size_t gl = strlen(o->group);
        if (sk_strtab_intern(b->groups, o->group, gl > 64 ? 64 : gl, &gid)) return ENOMEM;
        b->host_group[hid] = gid + 1;
    }
    int sensor = o->sensor >= 0 && o->sensor < SK_BEACON_SENSORS ? o->sensor : SK_BEACON_OTHER;
    uint8_t key[9];
    memcpy(key, &hid, 4);
    memcpy(key + 4, &did, 4);
    key[8] = (uint8_t)sensor;
    series *s = sk_map_get(b->series, key, sizeof key);
    if (!s) {
        if (b->n_all == b->cap_all) {
            size_t c = b->cap_all ? b->cap_all * 2 : 1024;
            series **na = realloc(b->all, c * sizeof *na);
            if (!na) return ENOMEM;
            b->all = na;
            b->cap_all = c;
        }
        if (!(s = calloc(1, sizeof *s))) return ENOMEM;
        if (sk_map_put(b->series, key, sizeof key, s, NULL)) {
            free(s);
            return ENOMEM;
        }
        b->all[b->n_all++] = s;
        s->host = hid;
        s->dest = did;
        s->sensor = sensor;
    }
    s->obs++;
    sk_beacon_ref r = {.input = o->input, .line = o->line, .t = o->t};
    if (s->obs == 1) s->earliest = s->latest = r;
    if (o->t < s->earliest.t) s->earliest = r;
    if (o->t > s->latest.t) s->latest = r;
    /* a sample spread over the series (in reading order): full, it keeps every other
     * one each time the count doubles, and the newest in the last place */
    if (s->n_sample < SK_BEACON_REFS - 2) {
        s->sample[s->n_sample++] = r;
    } else if ((s->obs & (s->obs - 1)) == 0) {
        size_t kept = 0;
        for (size_t i = 0; i < s->n_sample; i += 2) s->sample[kept++] = s->sample[i];
        s->n_sample = kept;
        s->sample[s->n_sample++] = r;
    } else {
        s->sample[s->n_sample - 1] = r;
    }
    if (o->has_bytes) s->bytes_total += o->bytes;
    const allow_entry *ae = allow_match(b->o.allow, dest, dn, o);
    if (ae) {
        s->allow_hits++;
        if (!s->allow) s->allow = ae;
    }
    if (s->n >= b->o.max_points || b->points >= b->o.max_total_points) {
        s->truncated = 1;
        b->dropped++;
        return 0;
    }
    if (s->n == s->cap) {
        uint32_t c = s->cap ? s->cap * 2 : 16;
        if (c > b->o.max_points) c = (uint32_t)b->o.max_points;
        int64_t *nt = realloc(s->t, c * sizeof *nt);
        if (!nt) return ENOMEM;
        s->t = nt;
        uint32_t *nb = realloc(s->bytes, c * sizeof *nb);
        if (!nb) return ENOMEM;
        s->bytes = nb;
        s->cap = c;
    }
    s->t[s->n] = o->t / 1000000;
    s->bytes[s->n] = o->has_bytes ? (o->bytes >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)o->bytes) : UINT32_MAX;
    s->n++;
    b->points++;
    return 0;
}

/* ---- statistics ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* the q-quantile of sorted v[n] (linear between ranks) */
static double quantile(const double *v, size_t n, double q)
{
    if (!n) return 0;
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? v[i] + f * (v[i + 1] - v[i]) : v[i];
}

/* regularity of v[n] (sorted in place): (1 - |Bowley| + max(0, 1 - MADM/median)) / 2 */
static double regularity(double *v, size_t n, double *tmp, double *median, double *madm, double *bowley)
{
    qsort(v, n, sizeof *v, cmp_double);
    double q1 = quantile(v, n, 0.25), q2 = quantile(v, n, 0.5), q3 = quantile(v, n, 0.75);
    /* the spread is floored at a tenth of the median: a very regular series is not
     * called skewed for a few seconds' asymmetry between its quartiles */
    double spread = q3 - q1 > 0.1 * fabs(q2) ? q3 - q1 : 0.1 * fabs(q2);
    double bw = spread > 0 ? (q1 + q3 - 2 * q2) / spread : 0;
    for (size_t i = 0; i < n; i++) tmp[i] = fabs(v[i] - q2);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    double md = quantile(tmp, n, 0.5);
    *median = q2;
    *madm = md;
    *bowley = bw;
    double m = q2 > 0 ? 1 - md / q2 : 0;
    if (m < 0) m = 0;
    return (1 - fabs(bw) + m) / 2;
}

typedef struct pt {
    int64_t t;
    uint32_t bytes;
} pt;

static int cmp_pt(const void *a, const void *b)
{
    const pt *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* per series, before the fleet is looked at */
typedef struct stat {
    series *s;
    int ok;                     /* enough contacts to score */
    double T, S, P;
    double med, madm, bowley, med_b, madm_b;
    uint64_t contacts, hours_seen, hours_active;
    int64_t first, last;
    double pre;                 /* the score without U: picks a host's best sensor */
    uint32_t group;             /* the host's peer group */
    size_t peers;
    double U, score;
} stat;

static int cmp_stat_host_dest(const void *a, const void *b)
{
    const stat *x = *(const stat *const *)a, *y = *(const stat *const *)b;
    if (x->s->dest != y->s->dest) return x->s->dest < y->s->dest ? -1 : 1;
    if (x->s->host != y->s->host) return x->s->host < y->s->host ? -1 : 1;
    return (x->pre < y->pre) - (x->pre > y->pre); /* best first */
}

static int cmp_stat_med(const void *a, const void *b)
{
    const stat *x = *(const stat *const *)a, *y = *(const stat *const *)b;
    if (x->s->dest != y->s->dest) return x->s->dest < y->s->dest ? -1 : 1;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    return (x->med > y->med) - (x->med < y->med);
}

/* how far apart two medians of gaps may be and still be one period: 2.5 standard errors
 * of the difference (each median's error taken as this one's: 1.2533 x 1.4826 MADM /
 * sqrt(gaps), the MADM as a robust deviation) plus 0.2% for timer granularity */
static double period_tolerance(const stat *x)
{
    double n = x->contacts > 1 ? (double)(x->contacts - 1) : 1;
    double se = 1.2533 * 1.4826 * x->madm / sqrt(n);
    return 2.5 * sqrt(2.0) * se + 0.002 * x->med;
}

/* The port of a destination written as address:port ([v6]:port), 0 when it is a name. */
static unsigned dest_port(const char *d)
{
    const char *c = strrchr(d, ':');
    if (!c || !c[1]) return 0;
    if (d[0] != '[') { /* a.b.c.d:port: digits and dots before the colon */
        for (const char *p = d; p < c; p++)
            if (!((*p >= '0' && *p <= '9') || *p == '.')) return 0;
    } else if (c[-1] != ']') {
        return 0;
    }
    unsigned v = 0;
    for (const char *p = c + 1; *p; p++) {
        if (*p < '0' || *p > '9' || v > 65535) return 0;
        v = v * 10 + (unsigned)(*p - '0');
    }
    return v <= 65535 ? v : 0;
}

/* 1 when outbound traffic to this port is a common service's: web and its alternates,
 * DNS (and over TLS), NTP, mail submission and retrieval, SSH and FTP, STUN/TURN, SIP,
 * XMPP and the push services of mobile platforms, MQTT (agents' push channels: ESET's
 * on 8883), IPsec and OpenVPN */
static int common_port(unsigned p)
{
    static const unsigned ports[] = {20,   21,   22,   25,   53,   80,   110,  123,  143,  443,  465,  500,  587,  853,  993,  995,
                                     1194, 1883, 3478, 3479, 4500, 5060, 5061, 5222, 5223, 5228, 5349, 8080, 8443, 8883};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (ports[i] == p) return 1;
    return 0;
}

static int cmp_score(const void *a, const void *b)
{
    const sk_beacon_cand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    int c = strcmp(x->host, y->host);
    return c ? c : strcmp(x->dest, y->dest);
}

/* a series' hours (distinct, sorted) appended to *h */
static int add_hours(const series *s, int64_t **h, size_t *n, size_t *cap)
{
    for (uint32_t i = 0; i < s->n; i++) {
        int64_t hr = s->t[i] / MS_PER_HOUR - (s->t[i] < 0 && s->t[i] % MS_PER_HOUR);
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 1024;
            int64_t *nh = realloc(*h, c * sizeof *nh);
            if (!nh) return ENOMEM;
            *h = nh;
            *cap = c;
        }
        (*h)[(*n)++] = hr;
    }
    return 0;
}

static size_t uniq_i64(int64_t *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    size_t o = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[o - 1]) v[o++] = v[i];
    return o;
}

static size_t lower_bound(const int64_t *v, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (v[m] < x) lo = m + 1;
        else hi = m;
    }
    return lo;
}

static int cmp_series_host(const void *a, const void *b)
{
    const series *x = *(const series *const *)a, *y = *(const series *const *)b;
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    if (x->dest != y->dest) return x->dest < y->dest ? -1 : 1;
    return x->sensor - y->sensor;
}

int sk_beacons_rank(sk_beacons *b, const sk_beacon_cand **out, size_t *nout)
{
    free(b->cands);
    b->cands = NULL;
    b->n_cands = 0;
    *out = NULL;
    *nout = 0;
    if (!b->n_all) return 0;
    /* series by host: a host's active hours are the union of its series' hours */
    qsort(b->all, b->n_all, sizeof *b->all, cmp_series_host);
    stat *st = calloc(b->n_all, sizeof *st);
    stat **sp = calloc(b->n_all, sizeof *sp);
    size_t maxn = 0;
    for (size_t i = 0; i < b->n_all; i++) maxn = b->all[i]->n > maxn ? b->all[i]->n : maxn;
    pt *pts = malloc((maxn + 1) * sizeof *pts);
    double *v = malloc((maxn + 1) * sizeof *v), *tmp = malloc((maxn + 1) * sizeof *tmp);
    int64_t *hours = NULL, *sh = NULL;
    size_t n_hours = 0, cap_hours = 0, n_sh = 0, cap_sh = 0;
    size_t *dest_hosts = calloc(sk_strtab_count(b->dests) + 1, sizeof *dest_hosts);
    uint32_t *dest_last = malloc((sk_strtab_count(b->dests) + 1) * sizeof *dest_last);
    int rc = 0;
    if (!st || !sp || !pts || !v || !tmp || !dest_hosts || !dest_last) rc = ENOMEM;
    if (!rc) memset(dest_last, 0xff, (sk_strtab_count(b->dests) + 1) * sizeof *dest_last);
    for (size_t i = 0; !rc && i < b->n_all;) {
        size_t j = i;
        n_hours = 0;
        while (j < b->n_all && b->all[j]->host == b->all[i]->host) {
            series *s = b->all[j];
            if (dest_last[s->dest] != s->host) dest_last[s->dest] = s->host, dest_hosts[s->dest]++;
            if ((rc = add_hours(s, &hours, &n_hours, &cap_hours))) break;
            j++;
        }
        if (rc) break;
        n_hours = uniq_i64(hours, n_hours);
        for (size_t k = i; k < j; k++) {
            series *s = b->all[k];
            stat *x = &st[k];
            x->s = s;
            sp[k] = x;
            /* sorted, collapsed */
            for (uint32_t q = 0; q < s->n; q++) pts[q].t = s->t[q], pts[q].bytes = s->bytes[q];
            qsort(pts, s->n, sizeof *pts, cmp_pt);
            int64_t collapse = (int64_t)(b->o.collapse_s * 1000);
            size_t m = 0;
            for (uint32_t q = 0; q < s->n; q++) {
                if (m && pts[q].t - pts[m - 1].t < collapse) {
                    if (pts[q].bytes != UINT32_MAX && (pts[m - 1].bytes == UINT32_MAX || pts[q].bytes > pts[m - 1].bytes))
                        pts[m - 1].bytes = pts[q].bytes;
                    continue;
                }
                pts[m++] = pts[q];
            }
            x->contacts = m;
            if (m) x->first = pts[0].t, x->last = pts[m - 1].t;
            if (m < b->o.min_contacts || m < 3) continue;
            x->ok = 1;
            for (size_t q = 1; q < m; q++) v[q - 1] = (double)(pts[q].t - pts[q - 1].t) / 1000.0;
            x->T = regularity(v, m - 1, tmp, &x->med, &x->madm, &x->bowley);
            size_t nb = 0;
            for (size_t q = 0; q < m; q++)
                if (pts[q].bytes != UINT32_MAX) v[nb++] = (double)pts[q].bytes;
            double bw;
            x->S = nb * 2 >= m && nb >= 3 ? regularity(v, nb, tmp, &x->med_b, &x->madm_b, &bw) : -1;
            if (x->S >= 0 && !(x->med_b > 0)) x->S = -1; /* sizes all but nil (a tunnel's request body): nothing to judge */
            /* persistence over the hours the host was active in the series' span */
            n_sh = 0;
            if ((rc = add_hours(s, &sh, &n_sh, &cap_sh))) break;
            n_sh = uniq_i64(sh, n_sh);
            int64_t h0 = sh[0], h1 = sh[n_sh - 1];
            size_t a0 = lower_bound(hours, n_hours, h0), a1 = lower_bound(hours, n_hours, h1 + 1);
            x->hours_seen = n_sh;
            x->hours_active = a1 > a0 ? a1 - a0 : n_sh;
            double p = x->hours_active ? (double)n_sh / (double)x->hours_active : 0;
            double d = log(1.0 + (double)n_sh) / log(25.0);
            x->P = (p > 1 ? 1 : p) * (d > 1 ? 1 : d);
            double w = 0.30 + 0.25 + (x->S >= 0 ? 0.10 : 0);
            x->pre = (0.30 * x->T + 0.25 * x->P + (x->S >= 0 ? 0.10 * x->S : 0)) / w;
        }
        i = j;
    }
    /* one candidate per (host, destination): its best sensor */
    size_t n_ok = 0;
    for (size_t i = 0; !rc && i < b->n_all; i++)
        if (st[i].ok) sp[n_ok++] = &st[i];
    if (!rc && n_ok) {
        qsort(sp, n_ok, sizeof *sp, cmp_stat_host_dest);
        size_t o = 0;
        for (size_t i = 0; i < n_ok; i++)
            if (!o || sp[i]->s->host != sp[o - 1]->s->host || sp[i]->s->dest != sp[o - 1]->s->dest) sp[o++] = sp[i];
        n_ok = o;
        /* peers: other hosts of the same group whose series to the same destination has
         * the same period within what the medians can tell apart (see the top) */
        for (size_t i = 0; i < n_ok; i++) sp[i]->group = sp[i]->s->host < b->cap_group ? b->host_group[sp[i]->s->host] : 0;
        qsort(sp, n_ok, sizeof *sp, cmp_stat_med);
        for (size_t i = 0, g0 = 0; i < n_ok; i++) {
            uint32_t d = sp[i]->s->dest, g = sp[i]->group;
            if (i == 0 || sp[i - 1]->s->dest != d || sp[i - 1]->group != g) g0 = i;
            size_t g1 = i + 1;
            while (g1 < n_ok && sp[g1]->s->dest == d && sp[g1]->group == g) g1++;
            double tol = period_tolerance(sp[i]);
            /* the first at or above med - tol, the last at or below med + tol (sorted by med) */
            size_t lo = g0, hi = i;
            for (size_t l = g0, r = i; l < r;) {
                size_t m = l + (r - l) / 2;
                if (sp[m]->med < sp[i]->med - tol) l = m + 1;
                else r = m;
                lo = l;
            }
            for (size_t l = i, r = g1; l < r;) {
                size_t m = l + (r - l) / 2;
                if (sp[m]->med <= sp[i]->med + tol) l = m + 1, hi = m;
                else r = m;
            }
            sp[i]->peers = hi - lo;
        }
        size_t H = sk_strtab_count(b->hosts);
        b->cands = calloc(n_ok, sizeof *b->cands);
        if (!b->cands) rc = ENOMEM;
        for (size_t i = 0; !rc && i < n_ok; i++) {
            stat *x = sp[i];
            series *s = x->s;
            double wt = 0.30 + 0.25, sum = 0.30 * x->T + 0.25 * x->P;
            if (x->S >= 0) wt += 0.10, sum += 0.10 * x->S;
            x->U = -1;
            if (H >= 10) {
                x->U = 1 - log(1.0 + (double)x->peers) / log(1.0 + (double)H);
                if (x->U < 0) x->U = 0;
                wt += 0.35, sum += 0.35 * x->U;
            }
            int allowed = s->allow && s->allow_hits * 2 > s->obs;
            x->score = 100 * sum / wt;
            unsigned port = dest_port(sk_strtab_get(b->dests, s->dest));
            int odd = port && !common_port(port);
            if (odd) x->score += (100 - x->score) / 3;
            if (allowed) x->score *= 0.5;
            sk_beacon_cand *c = &b->cands[b->n_cands++];
            c->host = sk_strtab_get(b->hosts, s->host);
            c->dest = sk_strtab_get(b->dests, s->dest);
            c->group = x->group ? sk_strtab_get(b->groups, x->group - 1) : NULL;
            c->sensor = s->sensor;
            c->score = round(x->score * 1000) / 1000;
            c->interval_score = x->T;
            c->size_score = x->S;
            c->persistence = x->P;
            c->unusual = x->U;
            c->odd_port = odd;
            c->median_interval_s = x->med;
            c->madm_interval_s = x->madm;
            c->bowley_interval = x->bowley;
            c->median_bytes = x->S >= 0 ? x->med_b : 0;
            c->madm_bytes = x->S >= 0 ? x->madm_b : 0;
            c->contacts = x->contacts;
            c->observations = s->obs;
            c->hours_seen = x->hours_seen;
            c->hours_active = x->hours_active;
            c->peers = x->peers;
            c->dest_hosts = dest_hosts[s->dest];
            c->hosts = H;
            c->allowlisted = allowed;
            if (allowed) c->allow_source = s->allow->source, c->allow_line = s->allow->line;
            c->truncated = s->truncated;
            c->first = s->earliest.t;
            c->last = s->latest.t;
            c->bytes_total = s->bytes_total;
            c->refs[c->n_refs++] = s->earliest;
            for (size_t q = 0; q < s->n_sample && c->n_refs < SK_BEACON_REFS - 1; q++) {
                int dup = (s->sample[q].input == s->earliest.input && s->sample[q].line == s->earliest.line) ||
                          (s->sample[q].input == s->latest.input && s->sample[q].line == s->latest.line);
                if (!dup) c->refs[c->n_refs++] = s->sample[q];
            }
            if (s->latest.input != s->earliest.input || s->latest.line != s->earliest.line) c->refs[c->n_refs++] = s->latest;
        }
        if (!rc) qsort(b->cands, b->n_cands, sizeof *b->cands, cmp_score);
    }
    free(st);
    free(sp);
    free(pts);
    free(v);
    free(tmp);
    free(hours);
    free(sh);
    free(dest_hosts);
    free(dest_last);
    if (rc) return rc;
    *out = b->cands;
    *nout = b->n_cands;
    return 0;
}
