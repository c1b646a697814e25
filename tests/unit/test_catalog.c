/*
 * test_catalog: the security-catalogue reader on catalogues built here, at test time,
 * from the specifications (RFC 2315 SignedData, the CTL of [MS-CAESO], Windows'
 * catalogue members: a tag, SPC_INDIRECT_DATA with a DigestInfo, CAT_MEMBERINFO) by a
 * small DER writer of its own, and signed with a throw-away RSA key and self-signed
 * certificate made by OpenSSL for the run. Checked: the members (digests, algorithms,
 * PE or flat), subjects without a digest, the signer, the signature verified or not
 * (content changed after signing, no certificate), and that truncated, corrupted,
 * indefinite-length, non-catalogue and oversized inputs fail with the expected text.
 */
#include <stdarg.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <sakimori/catalog.h>
#include <sakimori/common.h>

#include "sk_test.h"

/* ---- a DER writer: blobs are consumed by the function they are passed to ---- */

typedef struct blob {
    uint8_t *p;
    size_t n;
} blob;

static blob raw(const void *p, size_t n)
{
    blob b = {malloc(n ? n : 1), n};
    if (!b.p) abort();
    memcpy(b.p, p, n);
    return b;
}

static blob join(int k, ...)
{
    va_list ap;
    blob parts[16];
    size_t n = 0;
    va_start(ap, k);
    for (int i = 0; i < k; i++) {
        parts[i] = va_arg(ap, blob);
        n += parts[i].n;
    }
    va_end(ap);
    blob b = {malloc(n ? n : 1), 0};
    if (!b.p) abort();
    for (int i = 0; i < k; i++) {
        memcpy(b.p + b.n, parts[i].p, parts[i].n);
        b.n += parts[i].n;
        free(parts[i].p);
    }
    return b;
}

static blob tlv(unsigned tag, blob c)
{
    uint8_t h[6];
    size_t hn = 0;
    h[hn++] = (uint8_t)tag;
    if (c.n < 0x80) {
        h[hn++] = (uint8_t)c.n;
    } else {
        int k = c.n > 0xffffff ? 4 : c.n > 0xffff ? 3 : c.n > 0xff ? 2 : 1;
        h[hn++] = (uint8_t)(0x80 | k);
        for (int i = k - 1; i >= 0; i--) h[hn++] = (uint8_t)(c.n >> (8 * i));
    }
    return join(2, raw(h, hn), c);
}

static blob oid(const char *dotted)
{
    unsigned long v[32] = {0};
    int n = 0;
    for (const char *s = dotted; *s && n < 32;) {
        char *e;
        v[n++] = strtoul(s, &e, 10);
        s = *e == '.' ? e + 1 : e;
    }
    uint8_t o[64];
    size_t k = 0;
    o[k++] = (uint8_t)(40 * v[0] + v[1]);
    for (int i = 2; i < n; i++) {
        uint8_t t[8];
        int m = 0;
        unsigned long x = v[i];
        do {
            t[m++] = (uint8_t)(x & 0x7f);
            x >>= 7;
        } while (x);
        while (m--) o[k++] = (uint8_t)(t[m] | (m ? 0x80 : 0));
    }
    return tlv(0x06, raw(o, k));
}

static blob octets(const void *p, size_t n) { return tlv(0x04, raw(p, n)); }
static blob seq1(blob a) { return tlv(0x30, a); }
static blob nul(void) { return raw("\x05\x00", 2); }

/* A SET OF two elements, in the order of their encodings (DER). */
static blob set2(blob a, blob b)
{
    size_t m = a.n < b.n ? a.n : b.n;
    int c = memcmp(a.p, b.p, m);
    if (c > 0 || (c == 0 && a.n > b.n)) return tlv(0x31, join(2, b, a));
    return tlv(0x31, join(2, a, b));
}

#define OID_SHA1 "1.3.14.3.2.26"
#define OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define OID_PE "1.3.6.1.4.1.311.2.1.15"
#define OID_CAB "1.3.6.1.4.1.311.2.1.25"

/* A member as makecat writes it: tag (hex in UTF-16LE), CAT_MEMBERINFO, SPC_INDIRECT_DATA. */
static blob member(const char *alg_oid, const uint8_t *digest, size_t n, const char *type_oid)
{
    uint8_t tag[2 * 129];
    size_t tn = 0;
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        tag[tn++] = (uint8_t)hx[digest[i] >> 4], tag[tn++] = 0;
        tag[tn++] = (uint8_t)hx[digest[i] & 15], tag[tn++] = 0;
    }
    tag[tn++] = 0, tag[tn++] = 0;
    blob data = seq1(join(2, oid(type_oid), seq1(tlv(0x03, raw("\x00", 1)))));
    blob indirect = seq1(join(2, data, seq1(join(2, seq1(join(2, oid(alg_oid), nul())), octets(digest, n)))));
    static const char guid[] = "{C689AAB8-8E78-11D0-8C47-00C04FC295EE}";
    uint8_t bmp[2 * sizeof guid];
    for (size_t i = 0; i + 1 < sizeof guid; i++) bmp[2 * i] = 0, bmp[2 * i + 1] = (uint8_t)guid[i];
    blob info = seq1(join(2, tlv(0x1e, raw(bmp, 2 * (sizeof guid - 1))), tlv(0x02, raw("\x02\x00", 2))));
    blob a1 = seq1(join(2, oid("1.3.6.1.4.1.311.12.2.2"), tlv(0x31, info)));
    blob a2 = seq1(join(2, oid("1.3.6.1.4.1.311.2.1.4"), tlv(0x31, indirect)));
    return seq1(join(2, octets(tag, tn), set2(a1, a2)));
}

/* A subject with no SPC_INDIRECT_DATA: its tag only. */
static blob bare_subject(void)
{
    return seq1(octets("\x01\x02\x03", 3));
}

typedef struct ctl_opts {
    int v1;            /* SHA-1 catalogue with the optional version, sequenceNumber and nextUpdate */
    int not_catalog;   /* subjectUsage without szOID_CATALOG_LIST */
    const char *list_id;
} ctl_opts;

static blob ctl(const ctl_opts *o, blob subjects)
{
    blob usage = seq1(oid(o->not_catalog ? "1.3.6.1.4.1.311.10.3.9" : "1.3.6.1.4.1.311.12.1.1"));
    blob id = octets(o->list_id, strlen(o->list_id));
    blob alg = seq1(join(2, oid(o->v1 ? "1.3.6.1.4.1.311.12.1.2" : "1.3.6.1.4.1.311.12.1.3"), nul()));
    if (o->v1)
        return seq1(join(8, tlv(0x02, raw("\x00", 1)), usage, id, tlv(0x02, raw("\x05", 1)),
                         tlv(0x17, raw("240101000000Z", 13)), tlv(0x18, raw("20340101000000Z", 15)), alg,
                         seq1(subjects)));
    blob ext = tlv(0xa0, seq1(seq1(join(2, oid("1.3.6.1.4.1.311.12.2.1"), octets("x", 1)))));
    return seq1(join(6, usage, id, tlv(0x17, raw("240101000000Z", 13)), alg, seq1(subjects), ext));
}

/* The contents octets of one DER element. */
static const uint8_t *contents(const blob *b, size_t *n)
{
    size_t h = 2;
    if (b->p[1] & 0x80) h += b->p[1] & 0x7f;
    *n = b->n - h;
    return b->p + h;
}

static EVP_PKEY *key;
static X509 *cert;

static void make_signer(void)
{
    if (key) return;
    key = EVP_RSA_gen(2048);
    cert = X509_new();
    if (!key || !cert) abort();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 0x5a4b);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test catalogue signer", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"sakimori tests", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    if (!X509_sign(cert, key, EVP_sha256())) abort();
}

static blob i2d_blob(int (*f)(const void *, unsigned char **), const void *x)
{
    unsigned char *p = NULL;
    int n = f(x, &p);
    if (n <= 0) abort();
    blob b = raw(p, (size_t)n);
    OPENSSL_free(p);
    return b;
}

static int i2d_cert(const void *x, unsigned char **p) { return i2d_X509((X509 *)x, p); }
static int i2d_name(const void *x, unsigned char **p) { return i2d_X509_NAME((X509_NAME *)x, p); }
static int i2d_int(const void *x, unsigned char **p) { return i2d_ASN1_INTEGER((ASN1_INTEGER *)x, p); }

typedef struct sign_opts {
    int tamper;   /* the CTL put in the SignedData differs from the one signed */
    int no_cert;  /* the signer's certificate left out */
    const char *content_type; /* default szOID_CTL */
} sign_opts;

/* ContentInfo(SignedData) around `content` (consumed), signed as RFC 2315 says. */
static blob sign_ctl(blob content, blob other, const sign_opts *s)
{
    make_signer();
    size_t cn;
    const uint8_t *co = contents(&content, &cn);
    uint8_t md[32];
    unsigned mdn = 0;
    EVP_Digest(co, cn, md, &mdn, EVP_sha256(), NULL);
    const char *ct = s->content_type ? s->content_type : "1.3.6.1.4.1.311.10.1";
    blob a_ct = seq1(join(2, oid("1.2.840.113549.1.9.3"), tlv(0x31, oid(ct))));
    blob a_md = seq1(join(2, oid("1.2.840.113549.1.9.4"), tlv(0x31, octets(md, mdn))));
    blob attrs = set2(a_ct, a_md); /* signed as a SET OF; carried as [0] IMPLICIT */
    uint8_t sig[512];
    size_t sn = sizeof sig;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (!m || EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, key) != 1 || EVP_DigestSign(m, sig, &sn, attrs.p, attrs.n) != 1)
        abort();
    EVP_MD_CTX_free(m);
    attrs.p[0] = 0xa0;
    blob sha256 = seq1(join(2, oid(OID_SHA256), nul()));
    blob signer = seq1(join(6, tlv(0x02, raw("\x01", 1)),
                            seq1(join(2, i2d_blob(i2d_name, X509_get_issuer_name(cert)), i2d_blob(i2d_int, X509_get_serialNumber(cert)))),
                            seq1(join(2, oid(OID_SHA256), nul())), attrs,
                            seq1(join(2, oid("1.2.840.113549.1.1.1"), nul())), octets(sig, sn)));
    if (s->tamper) {
        free(content.p);
        content = other;
    } else {
        free(other.p);
    }
    blob ci = seq1(join(2, oid(ct), tlv(0xa0, content)));
    blob certs = s->no_cert ? raw("", 0) : tlv(0xa0, i2d_blob(i2d_cert, cert));
    blob sd = seq1(join(5, tlv(0x02, raw("\x01", 1)), tlv(0x31, sha256), ci, certs, tlv(0x31, signer)));
    return seq1(join(2, oid("1.2.840.113549.1.7.2"), tlv(0xa0, sd)));
}

static uint8_t d1[20], d2[32], d3[32];

static blob subjects_three(void)
{
    for (int i = 0; i < 32; i++) d2[i] = (uint8_t)(0xa0 + i), d3[i] = (uint8_t)(0x10 + i);
    for (int i = 0; i < 20; i++) d1[i] = (uint8_t)(0x40 + i);
    uint8_t odd[20] = {1}; /* SHA-256 named, 20 bytes: no member */
    return join(5, member(OID_SHA256, d2, 32, OID_PE), bare_subject(), member(OID_SHA256, d3, 32, OID_CAB),
                member(OID_SHA1, d1, 20, OID_PE), member(OID_SHA256, odd, 20, OID_PE));
}

static blob good(void)
{
    ctl_opts o = {.list_id = "list-1"};
    sign_opts s = {0};
    return sign_ctl(ctl(&o, subjects_three()), raw("", 0), &s);
}

static void test_members_and_signer(void)
{
    blob b = good();
    sk_catalog *c = NULL;
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), 0);
    if (!c) {
        free(b.p);
        return;
    }
    const sk_catalog_member *m;
    CHECK_INT(sk_catalog_members(c, &m), 3);
    CHECK_INT(sk_catalog_subjects(c), 5);
    CHECK_INT(m[0].alg, SK_CATALOG_SHA256);
    CHECK(!memcmp(m[0].digest, d2, 32));
    CHECK_INT(m[0].pe, 1);
    CHECK_INT(m[1].alg, SK_CATALOG_SHA256);
    CHECK(!memcmp(m[1].digest, d3, 32));
    CHECK_INT(m[1].pe, 0); /* a flat file's hash */
    CHECK_INT(m[2].alg, SK_CATALOG_SHA1);
    CHECK(!memcmp(m[2].digest, d1, 20));
    CHECK_INT(sk_catalog_algorithms(c), (1u << SK_CATALOG_SHA1) | (1u << SK_CATALOG_SHA256));
    CHECK_STR(sk_catalog_signer_subject(c), "O=sakimori tests,CN=test catalogue signer");
    CHECK_STR(sk_catalog_signer_issuer(c), "O=sakimori tests,CN=test catalogue signer");
    CHECK_INT(sk_catalog_verified(c), 1);
    sk_catalog_free(c);
    free(b.p);
    CHECK_STR(sk_catalog_alg_name(SK_CATALOG_SHA256), "SHA256");
    CHECK_INT(sk_catalog_alg_size(SK_CATALOG_SHA1), 20);
    CHECK(sk_catalog_alg_name(SK_CATALOG_ALGS) == NULL);
}

static void test_v1_optional_fields(void)
{
    ctl_opts o = {.v1 = 1, .list_id = "v1"};
    sign_opts s = {0};
    for (int i = 0; i < 20; i++) d1[i] = (uint8_t)(0x40 + i);
    blob b = sign_ctl(ctl(&o, member(OID_SHA1, d1, 20, OID_PE)), raw("", 0), &s);
    sk_catalog *c = NULL;
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), 0);
    const sk_catalog_member *m;
    CHECK_INT(c ? sk_catalog_members(c, &m) : 0, 1);
    CHECK_INT(c ? sk_catalog_verified(c) : 0, 1);
    sk_catalog_free(c);
    free(b.p);
}

static void test_not_verified(void)
{
    ctl_opts o = {.list_id = "signed"}, o2 = {.list_id = "changed"};
    sign_opts s = {.tamper = 1};
    blob b = sign_ctl(ctl(&o, subjects_three()), ctl(&o2, subjects_three()), &s);
    sk_catalog *c = NULL;
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), 0);
    const sk_catalog_member *m;
    CHECK_INT(c ? sk_catalog_members(c, &m) : 0, 3); /* still listed: the status says not_verified */
    CHECK_INT(c ? sk_catalog_verified(c) : 1, 0);
    CHECK_STR(c ? sk_catalog_signer_subject(c) : NULL, "O=sakimori tests,CN=test catalogue signer");
    sk_catalog_free(c);
    free(b.p);
    sign_opts nc = {.no_cert = 1};
    b = sign_ctl(ctl(&o, subjects_three()), raw("", 0), &nc);
    c = NULL;
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), 0);
    CHECK(c && !sk_catalog_signer_subject(c) && !sk_catalog_signer_issuer(c));
    CHECK_INT(c ? sk_catalog_verified(c) : 1, 0);
    sk_catalog_free(c);
    free(b.p);
}

/* parse must fail with SK_EFORMAT and exactly this message */
static void expect_error(const uint8_t *p, size_t n, int code, const char *msg)
{
    sk_catalog *c = (sk_catalog *)1;
    CHECK_INT(sk_catalog_parse(&c, p, n), code);
    CHECK(c == NULL);
    CHECK_STR(sk_error_last(), msg);
}

static void test_hostile(void)
{
    blob b = good();
    /* every truncation fails cleanly and names a byte */
    int all = 1;
    for (size_t n = 0; n < b.n; n++) {
        sk_catalog *c = NULL;
        int rc = sk_catalog_parse(&c, b.p, n);
        if (rc != SK_EFORMAT || c || strncmp(sk_error_last(), "byte ", 5)) {
            all = 0;
            fprintf(stderr, "truncated to %zu: rc %d, %s\n", n, rc, sk_error_last());
        }
        sk_catalog_free(c);
    }
    CHECK(all);
    char want[200];
    snprintf(want, sizeof want, "byte 0: ContentInfo: %zu bytes long, past the end of the file (%zu bytes left)", b.n - 4, b.n - 5);
    expect_error(b.p, b.n - 1, SK_EFORMAT, want);
    expect_error(b.p, 1, SK_EFORMAT, "byte 0: ContentInfo: cut short by the end of the file");
    expect_error(b.p, 0, SK_EFORMAT, "byte 0: ContentInfo: missing (the end of the file comes first)");
    /* indefinite length (BER) */
    uint8_t *x = malloc(b.n);
    memcpy(x, b.p, b.n);
    x[1] = 0x80;
    expect_error(x, b.n, SK_EFORMAT, "byte 0: ContentInfo: an indefinite length (BER, not DER)");
    /* a length of 5 bytes */
    memcpy(x, b.p, b.n);
    x[1] = 0x85;
    expect_error(x, b.n, SK_EFORMAT, "byte 0: ContentInfo: a length of more than 4 bytes");
    /* another content type than signedData */
    memcpy(x, b.p, b.n);
    x[4 + 2 + 8] = 0x01; /* 1.2.840.113549.1.7.1, data */
    expect_error(x, b.n, SK_EFORMAT, "byte 4: ContentInfo.contentType: not PKCS#7 signedData (1.2.840.113549.1.7.2)");
    /* a member's digest OCTET STRING longer than its DigestInfo: find d2 and grow the length before it */
    memcpy(x, b.p, b.n);
    size_t at = 0;
    for (size_t i = 2; i + 32 <= b.n; i++)
        if (!memcmp(x + i, d2, 32) && x[i - 2] == 0x04 && x[i - 1] == 32) at = i - 2;
    CHECK(at > 0);
    x[at + 1] = 33;
    snprintf(want, sizeof want, "byte %zu: DigestInfo.digest: 33 bytes long, past the end of the element that holds it (32 bytes left)", at);
    expect_error(x, b.n, SK_EFORMAT, want);
    /* a multi-byte tag where the CTL's subjectUsage is */
    memcpy(x, b.p, b.n);
    size_t u = 0;
    for (size_t i = 0; i + 12 <= b.n && !u; i++)
        if (!memcmp(x + i, "\x30\x0c\x06\x0a\x2b\x06\x01\x04\x01\x82\x37\x0c", 12)) u = i;
    CHECK(u > 0);
    x[u] = 0x3f;
    snprintf(want, sizeof want, "byte %zu: CTL.subjectUsage: tag 0x3f where a SEQUENCE (0x30) belongs", u);
    expect_error(x, b.n, SK_EFORMAT, want);
    free(x);
    free(b.p);
    /* a CTL that is not a catalogue (an auto-update trust list) */
    ctl_opts o = {.not_catalog = 1, .list_id = "stl"};
    sign_opts s = {0};
    b = sign_ctl(ctl(&o, subjects_three()), raw("", 0), &s);
    sk_catalog *c = NULL;
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "CTL.subjectUsage: a certificate trust list, not a catalogue (no 1.3.6.1.4.1.311.12.1.1)") != NULL);
    free(b.p);
    /* a SignedData of plain data */
    ctl_opts o2 = {.list_id = "data"};
    sign_opts s2 = {.content_type = "1.2.840.113549.1.7.1"};
    b = sign_ctl(ctl(&o2, subjects_three()), raw("", 0), &s2);
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "SignedData.contentInfo.contentType: not a certificate trust list (szOID_CTL, 1.3.6.1.4.1.311.10.1)") != NULL);
    free(b.p);
}

/* 100,000 nested SEQUENCEs inside the CTL's extensions: skipped by the walker, decoded
 * by OpenSSL (its nesting limit), never a stack overflow. */
static void test_deep_nesting(void)
{
    size_t depth = 100000, n = depth * 6;
    /* written from the outside in, 4-byte lengths: level i holds the (depth - 1 - i) below it */
    uint8_t *p = malloc(n);
    if (!p) abort();
    for (size_t i = 0; i < depth; i++) {
        size_t len = (depth - 1 - i) * 6;
        uint8_t *q = p + i * 6;
        q[0] = 0x30, q[1] = 0x84;
        q[2] = (uint8_t)(len >> 24), q[3] = (uint8_t)(len >> 16), q[4] = (uint8_t)(len >> 8), q[5] = (uint8_t)len;
    }
    blob deep = {p, n};
    blob usage = seq1(oid("1.3.6.1.4.1.311.12.1.1"));
    blob body = seq1(join(6, usage, octets("d", 1), tlv(0x17, raw("240101000000Z", 13)),
                          seq1(join(2, oid("1.3.6.1.4.1.311.12.1.3"), nul())), seq1(member(OID_SHA256, d2, 32, OID_PE)),
                          tlv(0xa0, deep)));
    sign_opts s = {0};
    blob b = sign_ctl(body, raw("", 0), &s);
    sk_catalog *c = NULL;
    int rc = sk_catalog_parse(&c, b.p, b.n);
    CHECK(rc == 0 || rc == SK_EFORMAT);
    sk_catalog_free(c);
    free(b.p);
}

/* More members than SK_CATALOG_MAX_MEMBERS, in one SPC_INDIRECT_DATA attribute's values
 * (short: MD5 digests, a 1-byte data type): SK_ELIMIT. And an input past the size limit. */
static void test_limits(void)
{
    size_t count = SK_CATALOG_MAX_MEMBERS + 1;
    /* one value: 30 25 { 30 03 06 01 00 } { 30 1e { 30 0a 06 08 <md5> } 04 10 <16> } */
    static const uint8_t head[] = {0x30, 0x25, 0x30, 0x03, 0x06, 0x01, 0x00, 0x30, 0x1e, 0x30, 0x0a, 0x06, 0x08,
                                   0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x04, 0x10};
    size_t one = sizeof head + 16;
    blob vals = {malloc(count * one), count * one};
    if (!vals.p) abort();
    for (size_t i = 0; i < count; i++) {
        memcpy(vals.p + i * one, head, sizeof head);
        memset(vals.p + i * one + sizeof head, (int)(i & 0xff), 16);
    }
    blob attr = seq1(join(2, oid("1.3.6.1.4.1.311.2.1.4"), tlv(0x31, vals)));
    blob subject = seq1(join(2, octets("t", 1), tlv(0x31, attr)));
    ctl_opts o = {.list_id = "big"};
    blob body = ctl(&o, subject);
    sign_opts s = {0};
    blob b = sign_ctl(body, raw("", 0), &s);
    sk_catalog *c = NULL;
    CHECK(b.n < SK_CATALOG_MAX_BYTES);
    CHECK_INT(sk_catalog_parse(&c, b.p, b.n), SK_ELIMIT);
    CHECK_STR(sk_error_last(), "more than 1000000 members: not read");
    CHECK(c == NULL);
    free(b.p);
    size_t big = SK_CATALOG_MAX_BYTES + 1;
    uint8_t *z = calloc(1, big);
    if (!z) abort();
    CHECK_INT(sk_catalog_parse(&c, z, big), SK_ELIMIT);
    CHECK_STR(sk_error_last(), "67108865 bytes, larger than a catalogue is read (67108864)");
    free(z);
}

static void cleanup(void)
{
    EVP_PKEY_free(key);
    X509_free(cert);
    key = NULL;
    cert = NULL;
}

SK_TEST_MAIN(T(test_members_and_signer), T(test_v1_optional_fields), T(test_not_verified), T(test_hostile),
             T(test_deep_nesting), T(test_limits), T(cleanup))
