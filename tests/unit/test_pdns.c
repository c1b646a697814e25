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

SK_TEST_MAIN(T(bounds), T(many_names))
