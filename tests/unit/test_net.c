/* Unit tests: IP address and prefix parsing, matching and formatting. */
#include <sakimori/digest.h>
#include <sakimori/net.h>

#include <unistd.h>

#include "sk_test.h"

static int parses(const char *s)
{
    sk_ip ip;
    return sk_ip_parse(s, strlen(s), &ip) == 0;
}

static const char *fmt_ip(const char *s)
{
    static char out[64];
    sk_ip ip;
    if (sk_ip_parse(s, strlen(s), &ip)) return "(invalid)";
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_ip_format(&b, &ip);
    snprintf(out, sizeof out, "%s", b.data);
    sk_buf_free(&b);
    return out;
}

static void ip_parse(void)
{
    CHECK(parses("10.1.2.3"));
    CHECK(parses("255.255.255.255"));
    CHECK(!parses("256.1.1.1"));
    CHECK(!parses("010.1.1.1")); /* leading zero: octal in some parsers */
    CHECK(!parses("1.2.3"));
    CHECK(!parses("1.2.3.4.5"));
    CHECK(!parses("1.2.3.4 "));
    CHECK(!parses(""));
    CHECK(parses("::"));
    CHECK(parses("::1"));
    CHECK(parses("fe80::1:2"));
    CHECK(parses("2001:db8::ffff:10.1.2.3"));
    CHECK(!parses("2001:db8:::1"));
    CHECK(!parses("1::2::3"));
    CHECK(!parses("1:2:3:4:5:6:7:8:9"));
    CHECK(!parses("12345::"));
    CHECK(!parses(":1"));
    CHECK(!parses("1:"));
    CHECK_STR(fmt_ip("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    CHECK_STR(fmt_ip("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
    CHECK_STR(fmt_ip("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
    CHECK_STR(fmt_ip("::"), "::");
    CHECK_STR(fmt_ip("::ffff:192.168.1.1"), "192.168.1.1");
    CHECK_STR(fmt_ip("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
}

static void prefixes(void)
{
    sk_prefix p, q;
    sk_ip ip;
    CHECK_INT(sk_prefix_parse("10.20.0.0/16", 12, 0, &p), 0);
    CHECK_INT(sk_ip_parse("10.20.255.1", 11, &ip), 0);
    CHECK(sk_prefix_contains(&p, &ip));
    CHECK_INT(sk_ip_parse("10.21.0.1", 9, &ip), 0);
    CHECK(!sk_prefix_contains(&p, &ip));
    CHECK_INT(sk_prefix_parse("10.20.1.0/16", 12, 0, &q), SK_EFORMAT); /* host bits */
    CHECK_INT(sk_prefix_parse("10.20.1.0/16", 12, 1, &q), 0);
    CHECK(sk_prefix_overlaps(&p, &q));
    CHECK_INT(sk_prefix_parse("10.20.0.0/33", 12, 0, &q), SK_EFORMAT);
    /* an IPv4-mapped network in IPv6 notation: the length counts over 128 bits */
    CHECK_INT(sk_prefix_parse("::ffff:10.20.0.0/112", 20, 0, &q), 0);
    CHECK_INT(q.bits, 112);
    CHECK(sk_prefix_contains(&q, &ip) == sk_prefix_contains(&p, &ip));
    CHECK_INT(sk_prefix_parse("::ffff:10.20.0.0/16", 19, 0, &q), SK_EFORMAT); /* host bits over 128 */
    CHECK_INT(sk_prefix_parse("10.20.0.0/", 10, 0, &q), SK_EFORMAT);
    CHECK_INT(sk_prefix_parse("0.0.0.0/0", 9, 0, &q), 0);
    CHECK(sk_prefix_contains(&q, &ip));
    CHECK_INT(sk_ip_parse("::1", 3, &ip), 0);
    CHECK(!sk_prefix_contains(&q, &ip)); /* IPv4 /0 holds no IPv6 address */
    CHECK_INT(sk_prefix_parse("2001:db8::/32", 13, 0, &q), 0);
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_prefix_format(&b, &p);
    sk_buf_putc(&b, ' ');
    sk_prefix_format(&b, &q);
    CHECK_STR(b.data, "10.20.0.0/16 2001:db8::/32");
    sk_buf_free(&b);
}

static void digests(void)
{
    sk_digests d;
    CHECK_INT(sk_digest_buffer("abc", 3, SK_DIGEST_ALL, &d), 0);
    char hex[65];
    sk_hex(hex, d.md5, 16);
    CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");
    sk_hex(hex, d.sha1, 20);
    CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sk_hex(hex, d.sha256, 32);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    uint8_t back[32];
    CHECK_INT(sk_unhex(back, 32, hex, 64), 0);
    CHECK(memcmp(back, d.sha256, 32) == 0);
    CHECK_INT(sk_unhex(back, 32, hex, 63), SK_EFORMAT);
    CHECK_INT(sk_unhex(back, 1, "g0", 2), SK_EFORMAT);

    char dir[] = "/tmp/sk-digest-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char f[128], l[128];
    snprintf(f, sizeof f, "%s/file", dir);
    snprintf(l, sizeof l, "%s/link", dir);
    FILE *fp = fopen(f, "wb");
    for (int i = 0; i < 3000000; i++) fputc('a' + i % 26, fp); /* spans several reads */
    fclose(fp);
    sk_digests fd, bd;
    CHECK_INT(sk_digest_file(f, SK_DIGEST_SHA256, &fd), 0);
    CHECK_INT(fd.size, 3000000);
    char *mem = malloc(3000000);
    for (int i = 0; i < 3000000; i++) mem[i] = (char)('a' + i % 26);
    sk_digest_buffer(mem, 3000000, SK_DIGEST_SHA256, &bd);
    CHECK(memcmp(fd.sha256, bd.sha256, 32) == 0);
    free(mem);
    CHECK_INT(symlink(f, l), 0);
    CHECK_INT(sk_digest_file(l, SK_DIGEST_SHA256, &fd), SK_EIO); /* symlinks are not followed */
    CHECK(strstr(sk_error_last(), "symbolic link") != NULL);
    unlink(l);
    unlink(f);
    rmdir(dir);
}

/* The streaming interfaces the collector hashes with: pieces give the one-shot answer;
 * a hasher is reusable; a named digest is what a signature names. */
static void streaming(void)
{
    sk_hasher *h = NULL;
    CHECK_INT(sk_hasher_new(&h), 0);
    sk_digests whole, parts;
    sk_digest_buffer("abcdefghij", 10, SK_DIGEST_ALL, &whole);
    for (int round = 0; round < 2; round++) {
        memset(&parts, 0, sizeof parts);
        CHECK_INT(sk_hasher_begin(h, SK_DIGEST_ALL), 0);
        CHECK_INT(sk_hasher_update(h, "abc", 3), 0);
        CHECK_INT(sk_hasher_update(h, "", 0), 0);
        CHECK_INT(sk_hasher_update(h, "defghij", 7), 0);
        CHECK_INT(sk_hasher_end(h, &parts), 0);
        CHECK(memcmp(whole.md5, parts.md5, 16) == 0);
        CHECK(memcmp(whole.sha1, parts.sha1, 20) == 0);
        CHECK(memcmp(whole.sha256, parts.sha256, 32) == 0);
    }
    /* only what was begun is written */
    memset(&parts, 0x55, sizeof parts);
    CHECK_INT(sk_hasher_begin(h, SK_DIGEST_SHA1), 0);
    CHECK_INT(sk_hasher_update(h, "abcdefghij", 10), 0);
    CHECK_INT(sk_hasher_end(h, &parts), 0);
    CHECK(memcmp(whole.sha1, parts.sha1, 20) == 0);
    CHECK_INT(parts.md5[0], 0x55);
    CHECK_INT(parts.sha256[31], 0x55);
    sk_hasher_free(h);

    sk_md *m = NULL;
    uint8_t out[SK_MD_MAX];
    unsigned n = 0;
    CHECK_INT(sk_md_begin(&m, "sha256"), 0);
    CHECK_INT(sk_md_update(m, "abcde", 5), 0);
    CHECK_INT(sk_md_update(m, "fghij", 5), 0);
    CHECK_INT(sk_md_end(m, out, &n), 0);
    CHECK_INT(n, 32);
    CHECK(memcmp(out, whole.sha256, 32) == 0);
    sk_md_free(m);
    CHECK_INT(sk_md_begin(&m, "sha384"), 0);
    CHECK_INT(sk_md_end(m, out, &n), 0);
    CHECK_INT(n, 48);
    char hex[97];
    sk_hex(hex, out, 48);
    CHECK_STR(hex, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
    sk_md_free(m);
    m = NULL;
    CHECK_INT(sk_md_begin(&m, "no-such-digest"), SK_EFORMAT);
    CHECK(m == NULL);
}

SK_TEST_MAIN(T(ip_parse), T(prefixes), T(digests), T(streaming))
