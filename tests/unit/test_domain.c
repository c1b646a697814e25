/* Unit tests: host names (sakimori/domain.h) - normalisation, IDN to punycode with
 * non-transitional processing, the public suffix list, the registrable domain. */
#include <sakimori/domain.h>

#include "sk_test.h"

static const char *norm(const char *s)
{
    static char out[SK_DOMAIN_MAX + 1];
    size_t n;
    if (sk_domain_normalize(s, strlen(s), out, &n)) return "(none)";
    return out;
}

static const char *reg(const char *s)
{
    static char out[SK_DOMAIN_MAX + 1];
    size_t n;
    int rc = sk_domain_registrable(s, strlen(s), out, &n);
    return rc == SK_ENOTFOUND ? "(suffix)" : rc ? "(none)" : out;
}

static void normalize(void)
{
    CHECK_STR(norm("Evil.Example.COM."), "evil.example.com");
    CHECK_STR(norm("localhost"), "localhost");
    CHECK_STR(norm("_dmarc.Example.com"), "_dmarc.example.com");
    CHECK_STR(norm("B\xc3\xbc" "cher.Example"), "xn--bcher-kva.example");   /* Bücher */
    CHECK_STR(norm("fa\xc3\x9f.de"), "xn--fa-hia.de");                       /* faß: non-transitional, not fass.de */
    CHECK_STR(norm("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
    CHECK_STR(norm("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"), "xn--r8jz45g.xn--zckzah"); /* 例え.テスト */
    CHECK_STR(norm("a..b"), "(none)");
    CHECK_STR(norm("."), "(none)");
    CHECK_STR(norm(""), "(none)");
    CHECK_STR(norm("a b.example"), "(none)");
    CHECK_STR(norm("\xff\xfe.example"), "(none)");                           /* not UTF-8 */
    char label[80];
    memset(label, 'a', 64);
    memcpy(label + 64, ".example", 9);
    CHECK_STR(norm(label), "(none)");                                        /* a label of 64 */
}

static void suffixes(void)
{
    CHECK_INT(sk_domain_is_public_suffix("com", 3), 1);
    CHECK_INT(sk_domain_is_public_suffix("co.uk", 5), 1);
    CHECK_INT(sk_domain_is_public_suffix("blogspot.com", 12), 1);            /* the private section */
    CHECK_INT(sk_domain_is_public_suffix("foo.kawasaki.jp", 15), 1);         /* a wildcard rule */
    CHECK_INT(sk_domain_is_public_suffix("city.kawasaki.jp", 16), 0);        /* its exception */
    CHECK_INT(sk_domain_is_public_suffix("example.co.uk", 13), 0);
    CHECK_INT(sk_domain_is_public_suffix("evil-c2.example", 15), 0);
    CHECK_STR(reg("a.b.Evil.CO.uk."), "evil.co.uk");
    CHECK_STR(reg("x.evil-c2.example"), "evil-c2.example");
    CHECK_STR(reg("me.blogspot.com"), "me.blogspot.com");
    CHECK_STR(reg("www.b\xc3\xbc" "cher.de"), "xn--bcher-kva.de");
    CHECK_STR(reg("co.uk"), "(suffix)");
    CHECK_STR(reg("198.51.100.1"), "(none)");
    CHECK_STR(reg("2001:db8::1"), "(none)");
    CHECK_STR(reg("[2001:db8::1]"), "(none)");
}

SK_TEST_MAIN(T(normalize), T(suffixes))
