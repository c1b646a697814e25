/* Unit tests: passive DNS (sakimori/pdns.h): an answer names its address from its first
 * sighting (less the tolerance) to max_age after its last; repeated answers move the
 * bounds; names are lower-cased without the trailing dot; an address keeps its 32 most
 * recent names; unknown addresses and times give nothing. */
#include <sakimori/pdns.h>

#include "sk_test.h"

#define H ((sk_time)3600 * SK_NS_PER_SEC)
#define T0 ((sk_time)1562716800 * SK_NS_PER_SEC)

static sk_ip ip_of(const char *s)
{
    sk_ip ip;
    memset(&ip, 0, sizeof ip);
    CHECK_INT(sk_ip_parse(s, strlen(s), &ip), 0);
    return ip;
}

static void bounds(void)
{
    sk_pdns *p = NULL;
    CHECK_INT(sk_pdns_new(&p, 2 * H), 0);
    sk_ip a = ip_of("93.184.216.34"), b = ip_of("2a00:1450:4001:82b::2004");
    CHECK_INT(sk_pdns_add(p, &a, "WWW.Example.COM.", 16, T0, 3, 17), 0);
    CHECK_INT(sk_pdns_add(p, &a, "www.example.com", 15, T0 + H, 4, 9), 0); /* the same name later */
    CHECK_INT(sk_pdns_add(p, &b, "www.google.com", 14, T0, 3, 18), 0);
    CHECK_INT(sk_pdns_addresses(p), 2);
    CHECK_INT(sk_pdns_pairs(p), 2);
    sk_pdns_name nm[4];
    CHECK_INT(sk_pdns_lookup(p, &a, T0 - 30 * SK_NS_PER_SEC, 60 * SK_NS_PER_SEC, nm, 4), 1); /* within the tolerance before */
    CHECK_INT(sk_pdns_lookup(p, &a, T0 - 120 * SK_NS_PER_SEC, 60 * SK_NS_PER_SEC, nm, 4), 0);
    CHECK_INT(sk_pdns_lookup(p, &a, T0 + 3 * H, 0, nm, 4), 1);  /* last answer + max_age */
    CHECK_INT(sk_pdns_lookup(p, &a, T0 + 3 * H + 1, 0, nm, 4), 0);
    CHECK_INT(sk_pdns_lookup(p, &a, T0 + H / 2, 0, nm, 4), 1);
    CHECK(nm[0].n == 15 && !memcmp(nm[0].name, "www.example.com", 15));
    CHECK_INT(nm[0].input, 4);
    CHECK_INT(nm[0].line, 9);
    sk_ip c = ip_of("10.0.0.1");
    CHECK_INT(sk_pdns_lookup(p, &c, T0, H, nm, 4), 0);
    CHECK_INT(sk_pdns_lookup(p, &a, SK_TIME_NONE, H, nm, 4), 0);
    sk_pdns_free(p);
}

static void many_names(void)
{
    sk_pdns *p = NULL;
    CHECK_INT(sk_pdns_new(&p, 0), 0);
    sk_ip a = ip_of("203.0.113.9");
    char name[32];
    for (int i = 0; i < 40; i++) {
        int n = snprintf(name, sizeof name, "cdn%d.example.net", i);
        CHECK_INT(sk_pdns_add(p, &a, name, (size_t)n, T0 + i * SK_NS_PER_SEC, 0, (uint64_t)i + 1), 0);
    }
    sk_pdns_name nm[64];
    size_t k = sk_pdns_lookup(p, &a, T0 + 60 * SK_NS_PER_SEC, 0, nm, 64);
    CHECK_INT(k, 32);
    int oldest_kept = 1;
    for (size_t i = 0; i < k; i++) oldest_kept &= nm[i].line > 8; /* the first 8 answered gave way */
    CHECK(oldest_kept);
    CHECK_INT(sk_pdns_lookup(p, &a, T0 + 60 * SK_NS_PER_SEC, 0, nm, 5), 5);
    /* no name, an over-long name, no time: nothing kept */
    CHECK_INT(sk_pdns_add(p, &a, "", 0, T0, 0, 1), 0);
    CHECK_INT(sk_pdns_add(p, &a, "x.example", 9, SK_TIME_NONE, 0, 1), 0);
    CHECK_INT(sk_pdns_pairs(p), 32);
    sk_pdns_free(p);
}

typedef struct pairs {
    char text[4096];
    size_t len, n;
    int stop_at;
} pairs;

static int on_pair(void *ctx, const sk_ip *ip, const char *name, size_t n)
{
    pairs *p = ctx;
    sk_buf b;
    sk_buf_init(&b, 64);
    sk_ip_format(&b, ip);
    int w = snprintf(p->text + p->len, sizeof p->text - p->len, "%.*s=%.*s;", (int)b.len, b.data ? b.data : "", (int)n, name);
    sk_buf_free(&b);
    if (w > 0 && (size_t)w < sizeof p->text - p->len) p->len += (size_t)w;
    return ++p->n == (size_t)p->stop_at;
}

static const char *run(const char *q, const char *r, int stop_at)
{
    static pairs p;
    memset(&p, 0, sizeof p);
    p.stop_at = stop_at;
    sk_pdns_sysmon_pairs(q, strlen(q), r, strlen(r), on_pair, &p);
    return p.text;
}

/* Sysmon 22's QueryResults: mapped IPv4 and IPv6 addresses for the query name and the
 * CNAME chain; hostile and odd text gives nothing rather than a wrong name */
static void sysmon_results(void)
{
    CHECK_STR(run("Update.Evil.example.", "type:  5 Edge.CDN.example;::ffff:198.51.100.23;2001:db8::23;", 0),
              "198.51.100.23=update.evil.example;198.51.100.23=edge.cdn.example;2001:db8::23=update.evil.example;"
              "2001:db8::23=edge.cdn.example;");
    CHECK_STR(run("wpad", "-", 0), "");                    /* a failed query */
    CHECK_STR(run("X.Example..", "::ffff:192.0.2.1", 0), "192.0.2.1=x.example;"); /* every trailing dot (fuzz_sysmondns) */
    CHECK_STR(run("", "::ffff:192.0.2.1;", 0), "");        /* no name */
    CHECK_STR(run("a b.example", "::ffff:192.0.2.1;", 0), ""); /* a blank inside: no host name */
    CHECK_STR(run("x.example", "garbage;;;;999.1.1.1;::ffff:192.0.2.1", 0), "192.0.2.1=x.example;"); /* no ';' at the end */
    CHECK_STR(run("x.example", "type:;type:  5 ;type:  5 a;b.example;", 0), "");  /* CNAME entries without an address */
    CHECK_STR(run("x.example", "::ffff:192.0.2.1;::ffff:192.0.2.2;", 1), "192.0.2.1=x.example;"); /* cb stops */
    /* a name longer than DNS allows, and more than 8 CNAMEs (the rest dropped, not overrun) */
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_STR(run(longname, "::ffff:192.0.2.1;", 0), "");
    char many[2048] = "";
    for (int i = 0; i < 20; i++) snprintf(many + strlen(many), sizeof many - strlen(many), "type:  5 c%d.example;", i);
    snprintf(many + strlen(many), sizeof many - strlen(many), "::ffff:192.0.2.9;");
    const char *t = run("q.example", many, 0);
    CHECK(strstr(t, "=c7.example;") != NULL);
    CHECK(strstr(t, "=c8.example;") == NULL);
}

SK_TEST_MAIN(T(bounds), T(many_names), T(sysmon_results))
