/*
 * catalog.c - Windows security catalogues (sakimori/catalog.h).
 *
 * Two readers look at the same bytes. A small bounded DER walker, written here from
 * RFC 2315 (ContentInfo, SignedData) and the CTL structure of [MS-CAESO], finds the
 * Certificate Trust List inside the file and lists the digests of its trusted
 * subjects, each element checked to lie inside its parent, so that every error names
 * the byte where it happened. OpenSSL decodes the PKCS#7 envelope (d2i_PKCS7) for the
 * signer and checks the signature over the CTL's content octets - the very bytes the
 * walker listed the members from (RFC 2315 9.3: the digest covers the content's
 * contents octets, without its tag and length), so what is verified is what is listed.
 *
 * The walker follows the structure, not the data: it never recurses on what the input
 * nests, reads definite lengths only (an indefinite length is BER and is refused, as
 * is a tag in the multi-byte form or a length of more than four bytes), and reads the
 * trusted subjects in one loop whose member count is capped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include <sakimori/catalog.h>
#include <sakimori/common.h>

#include "pkcs7_int.h"

struct sk_catalog {
    sk_catalog_member *members;
    size_t n, cap;
    size_t subjects;
    unsigned algs;
    char *signer_subject, *signer_issuer;
    int verified;
};

/* ---- OIDs, as their DER content octets ---- */

static const uint8_t OID_SIGNED_DATA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}; /* 1.2.840.113549.1.7.2 */
static const uint8_t OID_CTL[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x01};          /* 1.3.6.1.4.1.311.10.1 */
static const uint8_t OID_CATALOG_LIST[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0c, 0x01, 0x01}; /* 1.3.6.1.4.1.311.12.1.1 */
static const uint8_t OID_INDIRECT_DATA[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04}; /* 1.3.6.1.4.1.311.2.1.4 */
static const uint8_t OID_PE_IMAGE_DATA[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f}; /* 1.3.6.1.4.1.311.2.1.15 */

static const struct {
    uint8_t oid[9];
    uint8_t oid_len, size;
    const char *name;
} ALGS[SK_CATALOG_ALGS] = {
    [SK_CATALOG_MD5] = {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05}, 8, 16, "MD5"},          /* 1.2.840.113549.2.5 */
    [SK_CATALOG_SHA1] = {{0x2b, 0x0e, 0x03, 0x02, 0x1a}, 5, 20, "SHA1"},                           /* 1.3.14.3.2.26 */
    [SK_CATALOG_SHA256] = {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}, 9, 32, "SHA256"}, /* 2.16.840.1.101.3.4.2.1 */
    [SK_CATALOG_SHA384] = {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}, 9, 48, "SHA384"},
    [SK_CATALOG_SHA512] = {{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}, 9, 64, "SHA512"},
};

const char *sk_catalog_alg_name(sk_catalog_alg alg)
{
    return (unsigned)alg < SK_CATALOG_ALGS ? ALGS[alg].name : NULL;
}

size_t sk_catalog_alg_size(sk_catalog_alg alg)
{
    return (unsigned)alg < SK_CATALOG_ALGS ? ALGS[alg].size : 0;
}

/* ---- the DER walker ---- */

enum {
    T_INTEGER = 0x02,
    T_OCTETS = 0x04,
    T_OID = 0x06,
    T_UTCTIME = 0x17,
    T_GENTIME = 0x18,
    T_SEQ = 0x30,
    T_SET = 0x31,
    T_CTX0 = 0xa0
};

/* An element's content, [pos, end) of the file: a cursor over its children. */
typedef struct der {
    const uint8_t *d;
    size_t pos, end, file_len;
} der;

/* One element: its tag, where it starts, its content [start, start + len). */
typedef struct tlv {
    unsigned tag;
    size_t off, start, len;
} tlv;

static int bad(size_t off, const char *what, const char *why)
{
    return sk_error_set(SK_EFORMAT, "byte %zu: %s: %s", off, what, why);
}

static const char *tag_name(unsigned tag)
{
    switch (tag) {
    case T_INTEGER: return "an INTEGER";
    case T_OCTETS: return "an OCTET STRING";
    case T_OID: return "an OBJECT IDENTIFIER";
    case T_UTCTIME: return "a UTCTime";
    case T_GENTIME: return "a GeneralizedTime";
    case T_SEQ: return "a SEQUENCE";
    case T_SET: return "a SET";
    case T_CTX0: return "a [0]";
    default: return NULL;
    }
}

/* 1 when the cursor has no child left. */
static int der_done(const der *c)
{
    return c->pos >= c->end;
}

/* The tag of the next child (der_done must be false). */
static unsigned der_peek(const der *c)
{
    return c->d[c->pos];
}

/* Read the next child into *t, its extent checked against the parent's. */
static int der_next(der *c, tlv *t, const char *what)
{
    size_t o = c->pos;
    const char *past = c->end == c->file_len ? "the end of the file" : "the end of the element that holds it";
    char why[160];
    if (o >= c->end) {
        snprintf(why, sizeof why, "missing (%s comes first)", past);
        return bad(o, what, why);
    }
    size_t left = c->end - o;
    if (left < 2) {
        snprintf(why, sizeof why, "cut short by %s", past);
        return bad(o, what, why);
    }
    unsigned tag = c->d[o];
    if ((tag & 0x1f) == 0x1f) return bad(o, what, "a tag in the multi-byte form (not in this structure)");
    size_t hdr = 2, len = c->d[o + 1];
    if (len == 0x80) return bad(o, what, "an indefinite length (BER, not DER)");
    if (len > 0x80) {
        size_t nb = len & 0x7f;
        if (nb > 4) return bad(o, what, "a length of more than 4 bytes");
        if (left - 2 < nb) {
            snprintf(why, sizeof why, "its length is cut short by %s", past);
            return bad(o, what, why);
        }
        len = 0;
        for (size_t i = 0; i < nb; i++) len = len << 8 | c->d[o + 2 + i];
        hdr += nb;
    }
    if (len > left - hdr) {
        snprintf(why, sizeof why, "%zu bytes long, past %s (%zu bytes left)", len, past, left - hdr);
        return bad(o, what, why);
    }
    t->tag = tag;
    t->off = o;
    t->start = o + hdr;
    t->len = len;
    c->pos = t->start + len;
    return 0;
}

/* Read the next child, which must have tag `tag`. */
static int der_expect(der *c, unsigned tag, tlv *t, const char *what)
{
    if (c->pos < c->end && c->d[c->pos] != tag) { /* the tag first: it says more than a length */
        char why[96];
        const char *want = tag_name(tag);
        snprintf(why, sizeof why, "tag 0x%02x where %s (0x%02x) belongs", c->d[c->pos], want ? want : "another", tag);
        return bad(c->pos, what, why);
    }
    return der_next(c, t, what);
}

/* A cursor over t's children. */
static der der_in(const der *parent, const tlv *t)
{
    return (der){parent->d, t->start, t->start + t->len, parent->file_len};
}

static int oid_is(const der *c, const tlv *t, const uint8_t *oid, size_t n)
{
    return t->len == n && !memcmp(c->d + t->start, oid, n);
}

/* The element must have nothing after its last child read. */
static int der_end(const der *c, const char *what)
{
    if (!der_done(c)) return bad(c->pos, what, "bytes after its last element");
    return 0;
}

/* ---- the CTL ---- */

static int add_member(sk_catalog *cat, const uint8_t *digest, unsigned alg, int pe)
{
    if (cat->n == SK_CATALOG_MAX_MEMBERS)
        return sk_error_set(SK_ELIMIT, "more than %d members: not read", SK_CATALOG_MAX_MEMBERS);
    if (cat->n == cat->cap) {
        size_t ncap = cat->cap ? cat->cap * 2 : 64;
        if (ncap > SK_CATALOG_MAX_MEMBERS) ncap = SK_CATALOG_MAX_MEMBERS;
        sk_catalog_member *m = realloc(cat->members, ncap * sizeof *m);
        if (!m) return sk_error_set(SK_ENOMEM, "out of memory");
        cat->members = m;
        cat->cap = ncap;
    }
    cat->members[cat->n++] = (sk_catalog_member){digest, (uint8_t)alg, (uint8_t)(pe != 0)};
    cat->algs |= 1u << alg;
    return 0;
}

/* One SpcIndirectDataContent (the value of an SPC_INDIRECT_DATA attribute):
 *   SEQUENCE { data SEQUENCE { type OID, value ANY OPTIONAL },
 *              messageDigest SEQUENCE { SEQUENCE { algorithm OID, parameters ANY OPTIONAL }, digest OCTET STRING } } */
static int indirect_data(sk_catalog *cat, der *values)
{
    tlv t, data, type, dinfo, alg, oid, digest;
    if (der_expect(values, T_SEQ, &t, "SpcIndirectDataContent")) return SK_EFORMAT;
    der in = der_in(values, &t);
    if (der_expect(&in, T_SEQ, &data, "SpcIndirectDataContent.data")) return SK_EFORMAT;
    der d = der_in(&in, &data);
    if (der_expect(&d, T_OID, &type, "SpcIndirectDataContent.data.type")) return SK_EFORMAT;
    int pe = oid_is(&d, &type, OID_PE_IMAGE_DATA, sizeof OID_PE_IMAGE_DATA);
    if (der_expect(&in, T_SEQ, &dinfo, "SpcIndirectDataContent.messageDigest")) return SK_EFORMAT;
    der di = der_in(&in, &dinfo);
    if (der_expect(&di, T_SEQ, &alg, "DigestInfo.digestAlgorithm")) return SK_EFORMAT;
    der a = der_in(&di, &alg);
    if (der_expect(&a, T_OID, &oid, "DigestInfo.digestAlgorithm.algorithm")) return SK_EFORMAT;
    if (der_expect(&di, T_OCTETS, &digest, "DigestInfo.digest")) return SK_EFORMAT;
    if (der_end(&di, "DigestInfo")) return SK_EFORMAT;
    for (unsigned k = 0; k < SK_CATALOG_ALGS; k++)
        if (oid_is(&a, &oid, ALGS[k].oid, ALGS[k].oid_len)) /* an algorithm of another size is no digest of it */
            return digest.len == ALGS[k].size ? add_member(cat, values->d + digest.start, k, pe) : 0;
    return 0; /* an algorithm this reader does not know: no member */
}

/* One TrustedSubject: SEQUENCE { subjectIdentifier OCTET STRING, subjectAttributes SET OF Attribute OPTIONAL },
 * Attribute ::= SEQUENCE { type OID, values SET OF ANY }. */
static int subject(sk_catalog *cat, der *subjects)
{
    tlv t, id, attrs;
    if (der_expect(subjects, T_SEQ, &t, "TrustedSubject")) return SK_EFORMAT;
    der s = der_in(subjects, &t);
    if (der_expect(&s, T_OCTETS, &id, "TrustedSubject.subjectIdentifier")) return SK_EFORMAT;
    cat->subjects++;
    if (der_done(&s)) return 0;
    if (der_expect(&s, T_SET, &attrs, "TrustedSubject.subjectAttributes")) return SK_EFORMAT;
    if (der_end(&s, "TrustedSubject")) return SK_EFORMAT;
    der as = der_in(&s, &attrs);
    while (!der_done(&as)) {
        tlv at, type, vals;
        if (der_expect(&as, T_SEQ, &at, "Attribute")) return SK_EFORMAT;
        der a = der_in(&as, &at);
        if (der_expect(&a, T_OID, &type, "Attribute.type") || der_expect(&a, T_SET, &vals, "Attribute.values") ||
            der_end(&a, "Attribute"))
            return SK_EFORMAT;
        if (!oid_is(&a, &type, OID_INDIRECT_DATA, sizeof OID_INDIRECT_DATA)) continue; /* name-value, member info, ... */
        der v = der_in(&a, &vals);
        while (!der_done(&v)) {
            int rc = indirect_data(cat, &v);
            if (rc) return rc;
        }
    }
    return 0;
}

/* The CertificateTrustList (sakimori/catalog.h), c over its contents octets. */
static int ctl(sk_catalog *cat, der *c)
{
    tlv t;
    if (!der_done(c) && der_peek(c) == T_INTEGER && der_next(c, &t, "CTL.version")) return SK_EFORMAT;
    if (der_expect(c, T_SEQ, &t, "CTL.subjectUsage")) return SK_EFORMAT;
    der u = der_in(c, &t);
    int catalog = 0;
    while (!der_done(&u)) {
        tlv o;
        if (der_expect(&u, T_OID, &o, "CTL.subjectUsage")) return SK_EFORMAT;
        catalog |= oid_is(&u, &o, OID_CATALOG_LIST, sizeof OID_CATALOG_LIST);
    }
    if (!catalog)
        return bad(t.off, "CTL.subjectUsage", "a certificate trust list, not a catalogue (no 1.3.6.1.4.1.311.12.1.1)");
    if (!der_done(c) && der_peek(c) == T_OCTETS && der_next(c, &t, "CTL.listIdentifier")) return SK_EFORMAT;
    if (!der_done(c) && der_peek(c) == T_INTEGER && der_next(c, &t, "CTL.sequenceNumber")) return SK_EFORMAT;
    if (der_next(c, &t, "CTL.thisUpdate")) return SK_EFORMAT;
    if (t.tag != T_UTCTIME && t.tag != T_GENTIME) return bad(t.off, "CTL.thisUpdate", "not a UTCTime or GeneralizedTime");
    if (!der_done(c) && (der_peek(c) == T_UTCTIME || der_peek(c) == T_GENTIME) && der_next(c, &t, "CTL.nextUpdate"))
        return SK_EFORMAT;
    if (der_expect(c, T_SEQ, &t, "CTL.subjectAlgorithm")) return SK_EFORMAT;
    if (!der_done(c) && der_peek(c) == T_SEQ) {
        if (der_next(c, &t, "CTL.trustedSubjects")) return SK_EFORMAT;
        der s = der_in(c, &t);
        while (!der_done(&s)) {
            int rc = subject(cat, &s);
            if (rc) return rc;
        }
    }
    if (!der_done(c) && der_peek(c) == T_CTX0 && der_next(c, &t, "CTL.ctlExtensions")) return SK_EFORMAT;
    return der_end(c, "CTL");
}

/* ContentInfo { contentType signedData, [0] EXPLICIT SignedData { version, digestAlgorithms,
 * contentInfo { contentType szOID_CTL, [0] EXPLICIT CTL }, ... } }: the ContentInfo's
 * extent in *outer and the CTL element in *content. */
static int envelope(const uint8_t *d, size_t len, tlv *outer, tlv *content)
{
    der f = {d, 0, len, len};
    tlv t, sd, ci, type;
    if (der_expect(&f, T_SEQ, outer, "ContentInfo")) return SK_EFORMAT;
    der o = der_in(&f, outer);
    if (der_expect(&o, T_OID, &type, "ContentInfo.contentType")) return SK_EFORMAT;
    if (!oid_is(&o, &type, OID_SIGNED_DATA, sizeof OID_SIGNED_DATA))
        return bad(type.off, "ContentInfo.contentType", "not PKCS#7 signedData (1.2.840.113549.1.7.2)");
    if (der_expect(&o, T_CTX0, &t, "ContentInfo.content")) return SK_EFORMAT;
    der e = der_in(&o, &t);
    if (der_expect(&e, T_SEQ, &sd, "SignedData")) return SK_EFORMAT;
    der s = der_in(&e, &sd);
    if (der_expect(&s, T_INTEGER, &t, "SignedData.version") || der_expect(&s, T_SET, &t, "SignedData.digestAlgorithms") ||
        der_expect(&s, T_SEQ, &ci, "SignedData.contentInfo"))
        return SK_EFORMAT;
    der c = der_in(&s, &ci);
    if (der_expect(&c, T_OID, &type, "SignedData.contentInfo.contentType")) return SK_EFORMAT;
    if (!oid_is(&c, &type, OID_CTL, sizeof OID_CTL))
        return bad(type.off, "SignedData.contentInfo.contentType", "not a certificate trust list (szOID_CTL, 1.3.6.1.4.1.311.10.1)");
    if (der_expect(&c, T_CTX0, &t, "SignedData.contentInfo.content")) return SK_EFORMAT;
    der x = der_in(&c, &t);
    if (der_expect(&x, T_SEQ, content, "CTL") || der_end(&x, "SignedData.contentInfo.content")) return SK_EFORMAT;
    return 0;
}

/* The signer's names and whether the signature over the CTL's contents octets verifies. */
static int signature(sk_catalog *cat, const uint8_t *d, const tlv *outer, const tlv *content)
{
    const unsigned char *p = d + outer->off;
    size_t n = outer->start + outer->len - outer->off;
    if (n > 0x7fffffff) return sk_error_set(SK_ELIMIT, "larger than 2 GiB");
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)n);
    if (!p7) {
        ERR_clear_error();
        return bad(outer->off, "ContentInfo", "the PKCS#7 SignedData does not decode (OpenSSL)");
    }
    int rc = 0;
    char oid[64] = "";
    if (PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->contents && p7->d.sign->contents->type)
        OBJ_obj2txt(oid, sizeof oid, p7->d.sign->contents->type, 1);
    if (strcmp(oid, "1.3.6.1.4.1.311.10.1")) {
        rc = bad(outer->off, "ContentInfo", "OpenSSL reads no certificate trust list in this SignedData");
        goto out;
    }
    if (pkcs7_signer_names(p7, &cat->signer_subject, &cat->signer_issuer)) {
        rc = sk_error_set(SK_ENOMEM, "out of memory");
        goto out;
    }
    int v = pkcs7_verify_content(p7, d + content->start, content->len);
    if (v < 0) rc = sk_error_set(SK_ENOMEM, "out of memory");
    cat->verified = v == 1;
out:
    ERR_clear_error();
    PKCS7_free(p7);
    return rc;
}

int sk_catalog_parse(sk_catalog **out, const uint8_t *d, size_t len)
{
    *out = NULL;
    if (len > SK_CATALOG_MAX_BYTES)
        return sk_error_set(SK_ELIMIT, "%zu bytes, larger than a catalogue is read (%zu)", len, SK_CATALOG_MAX_BYTES);
    tlv outer, content;
    if (envelope(d, len, &outer, &content)) return SK_EFORMAT;
    sk_catalog *cat = calloc(1, sizeof *cat);
    if (!cat) return sk_error_set(SK_ENOMEM, "out of memory");
    der f = {d, 0, len, len};
    der c = der_in(&f, &content);
    int rc = ctl(cat, &c);
    if (!rc) rc = signature(cat, d, &outer, &content);
    if (rc) {
        sk_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return 0;
}

size_t sk_catalog_members(const sk_catalog *c, const sk_catalog_member **members)
{
    *members = c->members;
    return c->n;
}

size_t sk_catalog_subjects(const sk_catalog *c)
{
    return c->subjects;
}

unsigned sk_catalog_algorithms(const sk_catalog *c)
{
    return c->algs;
}

const char *sk_catalog_signer_subject(const sk_catalog *c)
{
    return c->signer_subject;
}

const char *sk_catalog_signer_issuer(const sk_catalog *c)
{
    return c->signer_issuer;
}

int sk_catalog_verified(const sk_catalog *c)
{
    return c->verified;
}

void sk_catalog_free(sk_catalog *c)
{
    if (!c) return;
    free(c->members);
    free(c->signer_subject);
    free(c->signer_issuer);
    free(c);
}
