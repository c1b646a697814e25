/* Unit tests: beacon candidates (sakimori/beacon.h): a jittered periodic series ranks
 * above a random one; sizes, persistence over the host's active hours, peers within the
 * period's measurement error, peer groups, the allowlist (down-ranks, never removes,
 * qualifiers checked only where the log has the field), collapsing of duplicate
 * sightings, the bounds, and bad allowlist lines. */
#include <math.h>

#include <sakimori/beacon.h>

#include "sk_test.h"

#define SEC SK_NS_PER_SEC
#define T0 ((sk_time)1562000000 * SEC)

static uint64_t rng = 88172645463325252ull;
static double unit(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static sk_beacons *fresh(const sk_beacon_options *o)
{
    sk_beacons *b = NULL;
    CHECK_INT(sk_beacons_new(&b, o), 0);
    return b;
}

static uint64_t line_no;

static void add(sk_beacons *b, const char *host, const char *group, const char *dest, sk_time t, uint64_t bytes, const char *ua)
{
    line_no++;
    sk_beacon_obs o = {.host = host, .host_n = strlen(host), .group = group, .dest = dest, .dest_n = strlen(dest), .t = t,
                       .bytes = bytes, .has_bytes = 1, .ua = ua, .ua_n = ua ? strlen(ua) : 0, .line = line_no};
    CHECK_INT(sk_beacons_add(b, &o), 0);
}

static const sk_beacon_cand *find(const sk_beacon_cand *c, size_t n, const char *host, const char *dest, size_t *rank)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].host, host) && !strcmp(c[i].dest, dest)) {
            if (rank) *rank = i + 1;
            return &c[i];
        }
    return NULL;
}

/* every 300 s +-20% for a day against random contacts at the same mean rate */
static void periodic_beats_random(void)
{
    sk_beacons *b = fresh(NULL);
    sk_time t = T0;
    while (t < T0 + 86400 * SEC) {
        add(b, "pc1", NULL, "C2.Example.NET.", t, 500 + (uint64_t)(unit() * 20), NULL);
        t += (sk_time)(300 * (0.8 + 0.4 * unit()) * 1e9);
    }
    t = T0;
    while (t < T0 + 86400 * SEC) {
        add(b, "pc1", NULL, "news.example.org", t, (uint64_t)(unit() * 90000), NULL);
        t += (sk_time)(-log(1 - unit()) * 300 * 1e9);
    }
    /* too few contacts: no candidate */
    for (int i = 0; i < 5; i++) add(b, "pc1", NULL, "rare.example.org", T0 + i * 60 * SEC, 10, NULL);
    const sk_beacon_cand *c;
    size_t n;
    CHECK_INT(sk_beacons_rank(b, &c, &n), 0);
    CHECK_INT(n, 2);
    size_t r1 = 0, r2 = 0;
    const sk_beacon_cand *p = find(c, n, "pc1", "c2.example.net", &r1), *q = find(c, n, "pc1", "news.example.org", &r2);
    CHECK(p && q);
    if (p && q) {
        CHECK_INT(r1, 1);
        CHECK(p->interval_score > 0.85);
        CHECK(q->interval_score < 0.7);
        CHECK(p->size_score > 0.9);
        CHECK(p->size_score > q->size_score + 0.2);
        CHECK(fabs(p->median_interval_s - 300) < 15);
        CHECK(p->persistence > 0.95);
        CHECK_INT(p->hours_active, p->hours_seen);
        CHECK(p->hours_seen >= 24 && p->hours_seen <= 25);
        CHECK(p->unusual < 0); /* fewer than 10 hosts: unusualness not used */
        CHECK(p->n_refs >= 4 && p->refs[0].t == T0 && p->refs[0].line == 1);
        /* the sample between the earliest and the latest is spread, not the first contacts */
        CHECK(p->n_refs >= 3 && p->refs[p->n_refs - 2].line > 100);
    }
    sk_beacons_free(b);
}

/* the same timing to an address on a port no common service uses, on 443 and by name:
 * the odd port is raised a third of the way to 100, the others are not */
static void odd_port_raised(void)
{
    sk_beacons *b = fresh(NULL);
    const char *dests[] = {"203.0.113.5:1337", "203.0.113.6:443", "[2001:db8::7]:4444", "c2.example.net", "198.51.100.9:8883"};
    for (size_t d = 0; d < 5; d++) {
        uint64_t seed_state = 7;
        sk_time t = T0;
        for (int i = 0; i < 60; i++) {
            add(b, "pc1", NULL, dests[d], t, 400, NULL);
            seed_state = seed_state * 6364136223846793005ULL + 1442695040888963407ULL;
            t += (sk_time)((240 + (double)(seed_state >> 40) / (double)(1ULL << 24) * 120) * 1e9); /* the same gaps for each */
        }
    }
    const sk_beacon_cand *c;
    size_t n;
    CHECK_INT(sk_beacons_rank(b, &c, &n), 0);
    CHECK_INT(n, 5);
    const sk_beacon_cand *odd4 = find(c, n, "pc1", "203.0.113.5:1337", NULL), *web = find(c, n, "pc1", "203.0.113.6:443", NULL),
                         *odd6 = find(c, n, "pc1", "[2001:db8::7]:4444", NULL), *name = find(c, n, "pc1", "c2.example.net", NULL),
                         *mqtt = find(c, n, "pc1", "198.51.100.9:8883", NULL);
    CHECK(odd4 && web && odd6 && name && mqtt);
    if (odd4 && web && odd6 && name && mqtt) {
        CHECK(odd4->odd_port && odd6->odd_port);
        CHECK(!web->odd_port && !name->odd_port && !mqtt->odd_port);
        CHECK(fabs(web->score - name->score) < 1e-6 && fabs(web->score - mqtt->score) < 1e-6);
        CHECK(fabs(odd4->score - (web->score + (100 - web->score) / 3)) < 0.01);
        CHECK(fabs(odd4->score - odd6->score) < 1e-6);
    }
    sk_beacons_free(b);
}

/* 30 hosts poll the same service every 1800 s; one host polls it every 1500 s and one
 * is the same software: peers say who is unusual; a peer group apart has no peers */
static void peers_and_groups(void)
{
    sk_beacons *b = fresh(NULL);
    char host[32];
    for (int h = 0; h < 32; h++) {
        snprintf(host, sizeof host, "pc%02d", h);
        double iv = h == 0 ? 1500 : 1800;
        const char *group = h == 31 ? "server" : "endpoint";
        for (sk_time t = T0 + (sk_time)(unit() * 600 * 1e9); t < T0 + 2 * 86400 * SEC; t += (sk_time)(iv * (0.95 + 0.1 * unit()) * 1e9))
            add(b, host, group, "sync.example.com", t, 800, NULL);
    }
    const sk_beacon_cand *c;
    size_t n;
    CHECK_INT(sk_beacons_rank(b, &c, &n), 0);
    CHECK_INT(n, 32);
    size_t r0 = 0, r1 = 0, r31 = 0;
    const sk_beacon_cand *odd = find(c, n, "pc00", "sync.example.com", &r0), *same = find(c, n, "pc01", "sync.example.com", &r1),
                         *srv = find(c, n, "pc31", "sync.example.com", &r31);
    CHECK(odd && same && srv);
    if (odd && same && srv) {
        CHECK_INT(odd->peers, 0);
        CHECK_INT(same->peers, 29);
        CHECK_INT(srv->peers, 0);
        CHECK(odd->unusual > 0.99 && same->unusual < 0.05);
        CHECK(r0 <= 2 && r31 <= 2);
        CHECK(!strcmp(srv->group, "server"));
        CHECK_INT(same->dest_hosts, 32);
        CHECK_INT(same->hosts, 32);
    }
    sk_beacons_free(b);
}

static char diags[2048];
static void diag(void *ctx, const char *line)
{
    (void)ctx;
    size_t have = strlen(diags), n = strlen(line);
    if (have + n + 2 > sizeof diags) return;
    memcpy(diags + have, line, n);
    diags[have + n] = '\n';
    diags[have + n + 1] = 0;
}

/* an allowlist entry with a user agent halves the series it covers; a series from a log
 * without user agents is not covered; bad lines are reported with their line */
static void allowlist(void)
{
    sk_beacon_allow *a = NULL;
    const char *text = "# sanctioned sync clients\n"
                       "*.dropboxapi.com ua=DropboxDesktopClient/*\n"
                       "updates.example.com\n"
                       "bad.example.com colour=blue\n"
                       "uri=/x\n"
                       "box.com ua=Box* ua=Other\n";
    diags[0] = 0;
    CHECK_INT(sk_beacon_allow_new(&a), 0);
    CHECK_INT(sk_beacon_allow_add(a, "allow.txt", text, strlen(text), diag, NULL), 0);
    CHECK_INT(sk_beacon_allow_count(a), 2);
    CHECK(strstr(diags, "allow.txt:4: a qualifier") != NULL);
    CHECK(strstr(diags, "allow.txt:5: the first word is no domain") != NULL);
    CHECK(strstr(diags, "allow.txt:6: a qualifier") != NULL);
    /* an oversized line, a NUL, a truncated last line without its newline */
    char big[6000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    diags[0] = 0;
    CHECK_INT(sk_beacon_allow_add(a, "big.txt", big, strlen(big), diag, NULL), 0);
    CHECK(strstr(diags, "big.txt:1: longer than 4095 bytes: skipped") != NULL);
    diags[0] = 0;
    static const char nul[] = "ok.example\nx\0y.example\nlast.example ua=Go*";
    CHECK_INT(sk_beacon_allow_add(a, "nul.txt", nul, sizeof nul - 1, diag, NULL), 0);
    CHECK(strstr(diags, "nul.txt:2: a NUL byte: line skipped") != NULL);
    CHECK_INT(sk_beacon_allow_count(a), 4); /* ok.example and the unterminated last line */
    sk_beacon_options o = {.allow = a};
    sk_beacons *b = fresh(&o);
    for (int i = 0; i < 48; i++) {
        sk_time t = T0 + (sk_time)i * 1800 * SEC;
        add(b, "pc1", NULL, "content.dropboxapi.com", t, 900, "DropboxDesktopClient/180.4");
        add(b, "pc2", NULL, "content.dropboxapi.com", t + 7 * SEC, 900, "Mozilla/5.0 WindowsPowerShell/5.1");
        add(b, "pc3", NULL, "content.dropboxapi.com", t + 9 * SEC, 900, NULL);
        add(b, "pc4", NULL, "updates.example.com", t + 11 * SEC, 900, NULL);
    }
    const sk_beacon_cand *c;
    size_t n;
    CHECK_INT(sk_beacons_rank(b, &c, &n), 0);
    CHECK_INT(n, 4);
    const sk_beacon_cand *p1 = find(c, n, "pc1", "content.dropboxapi.com", NULL), *p2 = find(c, n, "pc2", "content.dropboxapi.com", NULL),
                         *p3 = find(c, n, "pc3", "content.dropboxapi.com", NULL), *p4 = find(c, n, "pc4", "updates.example.com", NULL);
    CHECK(p1 && p2 && p3 && p4);
    if (p1 && p2 && p3 && p4) {
        CHECK(p1->allowlisted && !p2->allowlisted && !p3->allowlisted && p4->allowlisted);
        CHECK(fabs(p1->score * 2 - p2->score) < 0.01);
        CHECK_INT(p1->allow_line, 2);
        CHECK_INT(p4->allow_line, 3);
        CHECK(!strcmp(c[n - 1].host, "pc1") || !strcmp(c[n - 1].host, "pc4"));
    }
    sk_beacons_free(b);
    sk_beacon_allow_free(a);
}

/* sightings closer than the collapse time count once; bounds keep memory in check */
static void collapse_and_bounds(void)
{
    sk_beacon_options o = {.max_points = 20, .min_contacts = 5};
    sk_beacons *b = fresh(&o);
    for (int i = 0; i < 30; i++) {
        add(b, "pc1", NULL, "a.example.com", T0 + (sk_time)i * 60 * SEC, 100, NULL);
        add(b, "pc1", NULL, "a.example.com", T0 + (sk_time)i * 60 * SEC + SEC / 2, 100, NULL); /* the same contact, seen twice */
    }
    const sk_beacon_cand *c;
    size_t n;
    CHECK_INT(sk_beacons_rank(b, &c, &n), 0);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(c[0].contacts, 10); /* 20 sightings kept, 10 contacts */
        CHECK_INT(c[0].observations, 60);
        CHECK(c[0].truncated);
        CHECK(fabs(c[0].median_interval_s - 60) < 0.01);
    }
    CHECK_INT(sk_beacons_dropped(b), 40);
    /* nothing without a time, a host or a destination */
    sk_beacon_obs none = {.host = "x", .host_n = 1, .dest = "", .dest_n = 0, .t = T0};
    CHECK_INT(sk_beacons_add(b, &none), 0);
    none.dest = "d", none.dest_n = 1, none.t = SK_TIME_NONE;
    CHECK_INT(sk_beacons_add(b, &none), 0);
    sk_beacons_free(b);
}

SK_TEST_MAIN(T(periodic_beats_random), T(odd_port_raised), T(peers_and_groups), T(allowlist), T(collapse_and_bounds))
