/* Unit tests: indicator sets (sakimori/ioc.h) and address attribution (sakimori/attrib.h):
 * every indicator type and its normalisation, CIDR edges, duplicates, comments, bad
 * lines; DHCP history at lease edges (renewal, expiry, an address passing from one host
 * to another within minutes, a gap between grants to the same host). */
#include <sakimori/attrib.h>
#include <sakimori/ioc.h>
#include <sakimori/netlog.h>

#include "sk_test.h"

static int hits[64];
static size_t n_hits;

static int collect(void *ctx, size_t ioc)
{
    (void)ctx;
    if (n_hits < 64) hits[n_hits++] = (int)ioc;
    return 0;
}

static char diags[4096];

static void diag(void *ctx, const char *line)
{
    (void)ctx;
    size_t have = strlen(diags), n = strlen(line);
    if (have + n + 2 > sizeof diags) return;
    memcpy(diags + have, line, n);
    diags[have + n] = '\n';
    diags[have + n + 1] = 0;
}

static sk_ioc_set *load(const char *text)
{
    sk_ioc_set *s = NULL;
    diags[0] = 0;
    CHECK_INT(sk_ioc_set_new(&s), 0);
    CHECK_INT(sk_ioc_set_add_list(s, "t.txt", text, strlen(text), diag, NULL), 0);
    return s;
}

static size_t domain(const sk_ioc_set *s, const char *h)
{
    n_hits = 0;
    sk_ioc_match_domain(s, h, strlen(h), collect, NULL);
    return n_hits;
}

static size_t ip(const sk_ioc_set *s, const char *a)
{
    sk_ip x;
    n_hits = 0;
    if (sk_ip_parse(a, strlen(a), &x)) return 999;
    sk_ioc_match_ip(s, &x, collect, NULL);
    return n_hits;
}

static void types(void)
{
    sk_ioc_set *s = load("# C2\n"
                         "Evil.Example.COM.\n"
                         "*.cdn.example.net\n"
                         "198.51.100.23\n"
                         "2001:db8::/32\n"
                         "10.0.0.0/8   # internal sweep\n"
                         "hxxp://Files.Example.org:80/a/b?x=1\n"
                         "d41d8cd98f00b204e9800998ecf8427e\n"
                         "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709\n"
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                         "bad[.]example[.]io\n"
                         "\n"
                         "not an indicator\n"
                         "localhost\n"
                         "10.0.0.1/8\n");
    CHECK_INT(sk_ioc_set_count(s), 10);
    CHECK_STR(sk_ioc_get(s, 0)->norm, "evil.example.com");
    CHECK_STR(sk_ioc_get(s, 0)->comment, "C2");
    CHECK_STR(sk_ioc_get(s, 4)->comment, "internal sweep");
    CHECK_STR(sk_ioc_get(s, 5)->norm, "http://files.example.org/a/b?x=1");
    CHECK_INT(sk_ioc_get(s, 5)->line, 7);
    CHECK_STR(sk_ioc_get(s, 9)->norm, "bad.example.io");
    CHECK(strstr(diags, "t.txt:13:") != NULL);   /* blanks inside */
    CHECK(strstr(diags, "t.txt:14:") != NULL);   /* one label */
    CHECK(strstr(diags, "t.txt:15:") != NULL);   /* host bits set */
    /* domains: itself and subdomains, case and trailing dot ignored */
    CHECK_INT(domain(s, "evil.example.com"), 1);
    CHECK_INT(domain(s, "A.B.EVIL.example.com."), 1);
    CHECK_INT(domain(s, "example.com"), 0);
    CHECK_INT(domain(s, "notevil.example.com"), 0);
    CHECK_INT(domain(s, "cdn.example.net"), 0); /* subdomains only */
    CHECK_INT(domain(s, "x.cdn.example.net"), 1);
    CHECK_INT(domain(s, "bad.example.io"), 1);
    /* addresses and networks */
    CHECK_INT(ip(s, "198.51.100.23"), 1);
    CHECK_INT(ip(s, "198.51.100.24"), 0);
    CHECK_INT(ip(s, "10.255.255.255"), 1);
    CHECK_INT(ip(s, "11.0.0.0"), 0);
    CHECK_INT(ip(s, "2001:db8:ffff::1"), 1);
    CHECK_INT(ip(s, "2001:db9::1"), 0);
    CHECK_INT(ip(s, "::ffff:10.1.2.3"), 1); /* IPv4-mapped: the same address */
    /* URLs: scheme and host case, the default port */
    n_hits = 0;
    const char *u = "HTTP://files.example.org/a/b?x=1";
    sk_ioc_match_url(s, u, strlen(u), collect, NULL);
    CHECK_INT(n_hits, 1);
    n_hits = 0;
    u = "http://files.example.org/a/B?x=1";
    sk_ioc_match_url(s, u, strlen(u), collect, NULL);
    CHECK_INT(n_hits, 0);
    /* hashes, any case */
    n_hits = 0;
    sk_ioc_match_hash(s, "D41D8CD98F00B204E9800998ECF8427E", 32, collect, NULL);
    sk_ioc_match_hash(s, "da39a3ee5e6b4b0d3255bfef95601890afd80709", 40, collect, NULL);
    CHECK_INT(n_hits, 2);
    sk_ioc_set_free(s);
}

static void edges(void)
{
    sk_ioc_set *s = load("0.0.0.0/0\n");
    CHECK_INT(ip(s, "1.2.3.4"), 1);
    sk_ioc_set_free(s);
    s = load("192.0.2.1/32\n::/0\n2001:db8::1/128\n");
    CHECK_INT(ip(s, "192.0.2.1"), 2); /* /32 and ::/0 (IPv4 is mapped into IPv6) */
    CHECK_INT(ip(s, "2001:db8::1"), 2);
    CHECK_INT(ip(s, "2001:db8::2"), 1);
    sk_ioc_set_free(s);
    /* the same indicator from two lists: one target, reported once, both entries kept */
    s = load("evil.example\n");
    CHECK_INT(sk_ioc_set_add_list(s, "other.txt", "EVIL.example\n# x\n", 16, diag, NULL), 0);
    CHECK_INT(domain(s, "www.evil.example"), 1);
    CHECK_INT(hits[0], 0);
    CHECK_INT(sk_ioc_set_next_entry(s, 0), 1);
    CHECK_STR(sk_ioc_get(s, 1)->source, "other.txt");
    CHECK_STR(sk_ioc_get(s, 1)->text, "EVIL.example");
    CHECK_INT(sk_ioc_get(s, 1)->target, 0);
    CHECK(sk_ioc_set_next_entry(s, 1) == SIZE_MAX);
    sk_ioc_set_free(s);
    /* "*.x" and "x" are two targets */
    s = load("*.evil.example\nevil.example\n");
    CHECK_INT(domain(s, "evil.example"), 1);
    CHECK_INT(hits[0], 1);
    CHECK_INT(domain(s, "a.evil.example"), 2);
    sk_ioc_set_free(s);
    /* nested networks: each reported */
    s = load("10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n");
    CHECK_INT(ip(s, "10.1.2.3"), 3);
    CHECK_INT(ip(s, "10.1.3.3"), 2);
    sk_ioc_set_free(s);
}

/* the URL-host filter: a URL indicator's host always may match (any case, trailing dot),
 * other hosts almost never (a Bloom filter's false positives), and nothing may without
 * URL indicators */
static void url_host_filter(void)
{
    sk_ioc_set *s = load("http://Evil.Example:8080/x?y=1\nhttps://files.example.net/a\n");
    if (!s) return;
    CHECK_INT(sk_ioc_url_host_may_match(s, "evil.example", 12), 1);
    CHECK_INT(sk_ioc_url_host_may_match(s, "EVIL.example.", 13), 1);
    CHECK_INT(sk_ioc_url_host_may_match(s, "files.example.net", 17), 1);
    CHECK_INT(sk_ioc_url_host_may_match(s, "[2001:db8::1]", 13), 1); /* not a plain host: may */
    int no = 0;
    for (int i = 0; i < 100; i++) {
        char h[32];
        int n = snprintf(h, sizeof h, "host%d.example.org", i);
        no += !sk_ioc_url_host_may_match(s, h, (size_t)n);
    }
    CHECK(no >= 95);
    /* the same answers from the fused question (sk_ioc_match_host), which also matches
     * the name as a domain */
    static const char *const hosts[] = {"evil.example", "EVIL.example.", "files.example.net", "[2001:db8::1]", "xn--bcher-kva.example", "b\303\274cher.example"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        int may = -1;
        sk_ioc_match_host(s, hosts[i], strlen(hosts[i]), collect, NULL, &may);
        CHECK(may == 0 || may == 1);
        CHECK(may >= sk_ioc_url_host_may_match(s, hosts[i], strlen(hosts[i])));
        if (i < 3) CHECK_INT(may, 1);
    }
    int fused_no = 0;
    for (int i = 0; i < 100; i++) {
        char h[32];
        int n = snprintf(h, sizeof h, "host%d.example.org", i), may = -1;
        sk_ioc_match_host(s, h, (size_t)n, collect, NULL, &may);
        CHECK_INT(may, sk_ioc_url_host_may_match(s, h, (size_t)n));
        fused_no += !may;
    }
    CHECK(fused_no >= 95);
    /* the URL itself still matches through the full normalisation */
    n_hits = 0;
    sk_ioc_match_url(s, "HTTP://evil.example:8080/x?y=1", 30, collect, NULL);
    CHECK_INT(n_hits, 1);
    sk_ioc_set_free(s);
    s = load("evil.example\n");
    if (!s) return;
    CHECK_INT(sk_ioc_url_host_may_match(s, "evil.example", 12), 0); /* no URL indicators */
    n_hits = 0;
    int may = -1;
    sk_ioc_match_host(s, "Evil.Example.", 13, collect, NULL, &may);
    CHECK_INT(may, 0);
    CHECK_INT(n_hits, 1); /* and the domain found */
    sk_ioc_set_free(s);
}

static sk_time T0 = (sk_time)1562716800 * SK_NS_PER_SEC; /* 2019-07-10 00:00Z */
#define MIN ((sk_time)60 * SK_NS_PER_SEC)

static void grant(sk_attrib *a, const char *addr, const char *mac, const char *name, sk_time t, int lease, sk_time end)
{
    sk_netrec r;
    memset(&r, 0, sizeof r);
    sk_ip_parse(addr, strlen(addr), &r.src_ip);
    r.has = SK_NR_SRC_IP;
    r.ts = t;
    r.mac = (sk_nstr){mac, strlen(mac)};
    if (name) r.client_name = (sk_nstr){name, strlen(name)};
    if (lease) {
        r.dhcp = SK_NR_DHCP_LEASE;
        r.lease_start = t;
        r.has |= SK_NR_LEASE_START;
        if (end == INT64_MAX) r.has |= SK_NR_LEASE_NEVER;
        else r.lease_end = end, r.has |= SK_NR_LEASE_END;
    } else {
        r.dhcp = SK_NR_DHCP_ACK;
    }
    CHECK_INT(sk_attrib_add_dhcp(a, &r), 0);
}

static const char *who(const sk_attrib *a, const char *addr, sk_time t, int *how)
{
    sk_ip x;
    sk_ip_parse(addr, strlen(addr), &x);
    const char *h = sk_attrib_lookup(a, &x, t, MIN, how);
    return h ? h : "(none)";
}

static void attribution(void)
{
    sk_attrib *a = NULL;
    int how;
    CHECK_INT(sk_attrib_new(&a, 60 * MIN), 0);
    /* a lease 00:00-12:00 to PC1, renewed at 06:00 (ACK, same holder) */
    grant(a, "10.2.0.15", "00:11:22:33:44:55", "PC1", T0, 1, T0 + 720 * MIN);
    grant(a, "10.2.0.15", "00:11:22:33:44:55", "PC1", T0 + 360 * MIN, 0, 0);
    /* the address passes to PC2 at 12:05 (ACK only: ends at the next grant or 1 h) */
    grant(a, "10.2.0.15", "00:11:22:33:44:66", "PC2", T0 + 725 * MIN, 0, 0);
    /* an address with two ACKs to different hosts a few minutes apart */
    grant(a, "10.2.0.16", "00:11:22:33:44:77", "PC3", T0, 0, 0);
    grant(a, "10.2.0.16", "00:11:22:33:44:88", "PC4", T0 + 3 * MIN, 0, 0);
    /* a gap between two leases to the same holder */
    grant(a, "10.2.0.17", "00:11:22:33:44:99", "PC5", T0, 1, T0 + 60 * MIN);
    grant(a, "10.2.0.17", "00:11:22:33:44:99", "PC5", T0 + 90 * MIN, 1, T0 + 150 * MIN);
    /* a name-less ACK: the MAC answers */
    grant(a, "10.2.0.18", "00:11:22:33:44:aa", NULL, T0, 0, 0);
    CHECK_INT(sk_attrib_finish(a), 0);
    CHECK_STR(who(a, "10.2.0.15", T0 + 100 * MIN, &how), "PC1");
    CHECK_INT(how, SK_ATTRIB_LEASE);
    CHECK_STR(who(a, "10.2.0.15", T0 + 500 * MIN, &how), "PC1");
    CHECK_STR(who(a, "10.2.0.15", T0 + 730 * MIN, &how), "PC2");
    CHECK_INT(how, SK_ATTRIB_DEFAULT_LEASE);
    CHECK_STR(who(a, "10.2.0.15", T0 + 723 * MIN, &how), "(none)"); /* between two holders: never guessed */
    CHECK_INT(how, SK_ATTRIB_NONE);
    CHECK_STR(who(a, "10.2.0.15", T0 + 900 * MIN, &how), "(none)"); /* PC2's grant expired */
    CHECK_STR(who(a, "10.2.0.16", T0 + MIN / 2, &how), "PC3");
    CHECK_INT(how, SK_ATTRIB_NEXT_GRANT);
    CHECK_STR(who(a, "10.2.0.16", T0 + 5 * MIN / 2, &how), "(none)"); /* both within the tolerance */
    CHECK_INT(how, SK_ATTRIB_AMBIGUOUS);
    CHECK_STR(who(a, "10.2.0.16", T0 + 10 * MIN, &how), "PC4");
    CHECK_STR(who(a, "10.2.0.17", T0 + 75 * MIN, &how), "PC5");
    CHECK_INT(how, SK_ATTRIB_GAP);
    CHECK_STR(who(a, "10.2.0.18", T0 + 5 * MIN, &how), "00:11:22:33:44:aa");
    CHECK_STR(who(a, "10.9.9.9", T0, &how), "(none)");
    CHECK_INT(how, SK_ATTRIB_NONE);
    sk_ip st;
    sk_ip_parse("10.9.9.9", 8, &st);
    sk_attrib_add_static(a, &st, "FS01");
    CHECK_STR(who(a, "10.9.9.9", T0, &how), "FS01");
    CHECK_INT(how, SK_ATTRIB_STATIC);
    sk_attrib_free(a);
}

static void ended(sk_attrib *a, const char *addr, const char *mac, const char *name, sk_time t, int type, unsigned flags)
{
    sk_netrec r;
    memset(&r, 0, sizeof r);
    sk_ip_parse(addr, strlen(addr), &r.src_ip);
    r.has = SK_NR_SRC_IP;
    r.ts = t;
    r.mac = (sk_nstr){mac, strlen(mac)};
    if (name) r.client_name = (sk_nstr){name, strlen(name)};
    r.dhcp = type;
    r.flags = flags;
    CHECK_INT(sk_attrib_add_dhcp(a, &r), 0);
}

/* cases a review found: a release ends the grant, an INFORM's reply grants nothing, a
 * later block of the lease file supersedes the earlier one, a gap is bridged only when
 * no other holder's grant lies in it */
static void ends_and_journal(void)
{
    sk_attrib *a = NULL;
    int how;
    CHECK_INT(sk_attrib_new(&a, 0), 0);
    grant(a, "10.3.0.1", "00:00:00:00:00:01", "X", T0, 0, 0);
    ended(a, "10.3.0.1", "de:ad:be:ef:00:01", NULL, T0 + 5 * MIN, SK_NR_DHCP_ACK, SK_NRF_INFORM_REPLY);
    ended(a, "10.3.0.1", "00:00:00:00:00:01", "X", T0 + 45 * MIN, SK_NR_DHCP_RELEASE, 0);
    /* the journal: active 10:30-22:30, then the same lease freed at 10:45 */
    grant(a, "10.3.0.2", "00:00:00:00:00:02", "Y", T0 + 630 * MIN, 1, T0 + 1350 * MIN);
    grant(a, "10.3.0.2", "00:00:00:00:00:02", "Y", T0 + 630 * MIN, 1, T0 + 645 * MIN);
    /* X 08-09, then Z 12-13, then X 22-23: 21:00 is no gap of X's */
    grant(a, "10.3.0.3", "00:00:00:00:00:03", "X", T0 + 480 * MIN, 1, T0 + 540 * MIN);
    grant(a, "10.3.0.3", "00:00:00:00:00:04", "Z", T0 + 720 * MIN, 1, T0 + 780 * MIN);
    grant(a, "10.3.0.3", "00:00:00:00:00:03", "X", T0 + 1320 * MIN, 1, T0 + 1380 * MIN);
    CHECK_INT(sk_attrib_finish(a), 0);
    CHECK_STR(who(a, "10.3.0.1", T0 + 10 * MIN, &how), "X");
    CHECK_STR(who(a, "10.3.0.1", T0 + 120 * MIN, &how), "(none)"); /* released at 00:45 */
    CHECK_STR(who(a, "10.3.0.2", T0 + 640 * MIN, &how), "Y");
    CHECK_STR(who(a, "10.3.0.2", T0 + 720 * MIN, &how), "(none)"); /* freed at 10:45 */
    CHECK_STR(who(a, "10.3.0.3", T0 + 1260 * MIN, &how), "(none)");
    CHECK_STR(who(a, "10.3.0.3", T0 + 1350 * MIN, &how), "X");
    sk_attrib_free(a);
    /* indicators: a padded host still matches its parent; "hxxp" rewritten only as a scheme */
    sk_ioc_set *s = load("evil-c2.example\nhxxpool.example\n");
    char host[400];
    memset(host, 'a', 300);
    memcpy(host + 300, ".evil-c2.example", 17);
    CHECK_INT(domain(s, host), 1);
    CHECK_INT(domain(s, "httpool.example"), 0);
    CHECK_INT(domain(s, "hxxpool.example"), 1);
    sk_ioc_set_free(s);
}

static int year_of_rec(void *ctx, const sk_netrec *r)
{
    sk_civil c;
    sk_time_to_civil(r->ts, &c);
    ((int64_t *)ctx)[r->line - 1] = c.year;
    return 0;
}

/* syslog lines without a year: a month going back past half a year is the next year */
static void syslog_new_year(void)
{
    const char *log = "Dec 31 23:00:00 d dhcpd[1]: DHCPACK on 10.2.0.15 to 00:11:22:33:44:55 (X) via eth0\n"
                      "Jan  1 01:00:00 d dhcpd[1]: DHCPACK on 10.2.0.15 to 00:11:22:33:44:66 (Y) via eth0\n";
    int64_t years[2] = {0, 0};
    sk_netlog_options o = {.format = SK_NL_DHCPD_SYSLOG, .year = 2019};
    sk_netlog_reader *r = NULL;
    CHECK_INT(sk_netlog_reader_new(&r, &o, year_of_rec, years), 0);
    CHECK_INT(sk_netlog_feed(r, log, strlen(log)), 0);
    CHECK_INT(sk_netlog_end(r), 0);
    CHECK_INT(years[0], 2019);
    CHECK_INT(years[1], 2020);
    sk_netlog_reader_free(r);
}

SK_TEST_MAIN(T(types), T(edges), T(url_host_filter), T(attribution), T(ends_and_journal), T(syslog_new_year))
