/*
 * authenticode.c - the embedded Authenticode signature of a PE image (sakimori/pe.h).
 *
 * The certificate table (a file offset in data directory 4) holds WIN_CERTIFICATE
 * structures; the first of type PKCS_SIGNED_DATA carries a PKCS#7 SignedData whose
 * content is an SpcIndirectDataContent holding the image's digest. The image digest
 * is the file hashed without the optional header's CheckSum, without the certificate
 * table's directory entry and without the table itself (and, as signing tools do,
 * without anything after the table). The signer's signature over that content is
 * checked with OpenSSL (PKCS7_verify, no chain: trust is a separate question).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <sakimori/bytes.h>
#include <sakimori/digest.h>
#include <sakimori/pe.h>

#include "pkcs7_int.h"

#define SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"

static const char *dup(sk_arena *a, const char *s)
{
    return sk_arena_strndup(a, s, strlen(s));
}

/* One TLV header: tag and the content's extent; -1 when malformed. */
static int tlv(const unsigned char **p, long max, int want_tag, long *len)
{
    int tag, cls;
    const unsigned char *q = *p;
    int r = ASN1_get_object(&q, len, &tag, &cls, max);
    if (r & 0x80 || tag != want_tag || cls != V_ASN1_UNIVERSAL || *len > max - (q - *p)) return -1;
    *p = q;
    return 0;
}

/* The digest algorithm and value of an SpcIndirectDataContent (DER in s, n bytes). */
static int indirect_digest(const unsigned char *s, long n, const EVP_MD **md, const unsigned char **dig, long *dlen)
{
    const unsigned char *p = s;
    long len, end;
    if (tlv(&p, n, V_ASN1_SEQUENCE, &len)) return -1; /* SpcIndirectDataContent */
    end = (long)(p - s) + len;
    long inner;
    if (tlv(&p, end - (p - s), V_ASN1_SEQUENCE, &inner)) return -1; /* SpcAttributeTypeAndOptionalValue */
    p += inner;
    if (tlv(&p, end - (p - s), V_ASN1_SEQUENCE, &inner)) return -1; /* DigestInfo */
    const unsigned char *di = p;
    long alg;
    if (tlv(&p, inner, V_ASN1_SEQUENCE, &alg)) return -1; /* AlgorithmIdentifier */
    const unsigned char *a = p;
    ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &a, alg);
    if (!oid) return -1;
    *md = EVP_get_digestbynid(OBJ_obj2nid(oid));
    ASN1_OBJECT_free(oid);
    p += alg;
    long olen;
    if (tlv(&p, inner - (p - di), V_ASN1_OCTET_STRING, &olen)) return -1;
    *dig = p;
    *dlen = olen;
    return 0;
}

typedef struct mem_image {
    const uint8_t *d;
} mem_image;

static int mem_digest(void *ctx, const sk_pe_layout *lay, const char *md_name, uint8_t *out, unsigned *outlen)
{
    const uint8_t *d = ((const mem_image *)ctx)->d;
    sk_md *m = NULL;
    if (sk_md_begin(&m, md_name)) return -1;
    int rc = sk_md_update(m, d, lay->checksum_off);
    if (!rc) rc = sk_md_update(m, d + lay->checksum_off + 4, lay->certdir_off - lay->checksum_off - 4);
    if (!rc) rc = sk_md_update(m, d + lay->certdir_off + 8, lay->cert_off - lay->certdir_off - 8);
    if (!rc) rc = sk_md_end(m, out, outlen);
    sk_md_free(m);
    return rc ? -1 : 0;
}

int sk_pe_layout_digest_ranges(const sk_pe_layout *lay, uint64_t size, sk_pe_layout *out, unsigned *pad)
{
    *out = *lay;
    int table = lay->cert_off && lay->cert_size;
    uint64_t end = table ? lay->cert_off : size;
    *pad = 0;
    if (!lay->certdir_off || lay->certdir_off < lay->checksum_off + 4 || lay->certdir_off > UINT64_MAX - 8 ||
        end < lay->certdir_off + 8 || end > size)
        return -1;
    out->cert_off = end;
    /* wintrust pads an unsigned image with zeros to 8 bytes; signing tools pad the file
     * itself before they append the table, so a signed image needs none */
    if (!table) *pad = (unsigned)(-size & 7);
    return 0;
}

int sk_pe_authenticode_digests(const uint8_t *d, size_t len, const char *const *md_names, size_t n,
                               uint8_t (*out)[SK_MD_MAX], unsigned *out_len)
{
    sk_pe_layout lay, r;
    unsigned pad;
    static const uint8_t zeros[8];
    if (n > 8) return sk_error_set(SK_EINVAL, "Authenticode: more than 8 digests at once");
    if (sk_pe_layout_get(d, len, &lay) || sk_pe_layout_digest_ranges(&lay, len, &r, &pad)) return -1;
    sk_md *m[8] = {0};
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) rc = sk_md_begin(&m[i], md_names[i]);
    const uint64_t ranges[3][2] = {{0, r.checksum_off}, {r.checksum_off + 4, r.certdir_off}, {r.certdir_off + 8, r.cert_off}};
    for (int k = 0; k < 3 && !rc; k++)
        for (size_t i = 0; i < n && !rc; i++) rc = sk_md_update(m[i], d + ranges[k][0], (size_t)(ranges[k][1] - ranges[k][0]));
    for (size_t i = 0; i < n && !rc && pad; i++) rc = sk_md_update(m[i], zeros, pad);
    for (size_t i = 0; i < n && !rc; i++) rc = sk_md_end(m[i], out[i], &out_len[i]);
    for (size_t i = 0; i < n; i++) sk_md_free(m[i]);
    return rc;
}

int sk_pe_authenticode(const uint8_t *d, size_t len, sk_arena *a, sk_signature *sig)
{
    memset(sig, 0, sizeof *sig);
    sig->status = SK_SIG_NONE;
    sk_pe_layout lay;
    if (sk_pe_layout_get(d, len, &lay) || !lay.certdir_off || !lay.cert_off || !lay.cert_size) return 0;
    if (lay.cert_off > len || len - lay.cert_off < lay.cert_size) {
        sig->status = SK_SIG_MALFORMED;
        sig->error = dup(a, "certificate table outside the file");
        return 0;
    }
    mem_image m = {d};
    return sk_pe_authenticode_check(&lay, d + lay.cert_off, (size_t)lay.cert_size, mem_digest, &m, a, sig);
}

int sk_pe_authenticode_check(const sk_pe_layout *lay, const uint8_t *cert, size_t cert_len, sk_pe_digest_fn digest,
                             void *ctx, sk_arena *a, sk_signature *sig)
{
    memset(sig, 0, sizeof *sig);
    sig->status = SK_SIG_NONE;
    if (!lay->certdir_off || !lay->cert_off || !lay->cert_size) return 0;
    sig->status = SK_SIG_MALFORMED;
    if (cert_len < 8 || cert_len < lay->cert_size || lay->cert_off < lay->certdir_off + 8 ||
        lay->certdir_off < lay->checksum_off + 4) {
        sig->error = dup(a, "certificate table outside the file or overlapping the headers");
        return 0;
    }
    const uint8_t *wc = cert;
    uint32_t wlen = sk_le32(wc);
    uint16_t rev = sk_le16(wc + 4), type = sk_le16(wc + 6);
    if (wlen < 8 || wlen > lay->cert_size || type != 2) {
        char e[96];
        snprintf(e, sizeof e, "WIN_CERTIFICATE: length %u, revision 0x%x, type %u (want PKCS_SIGNED_DATA)", wlen, rev, type);
        sig->error = dup(a, e);
        return 0;
    }
    const unsigned char *p = wc + 8;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)wlen - 8);
    if (!p7) {
        ERR_clear_error();
        sig->error = dup(a, "the PKCS#7 SignedData does not decode");
        return 0;
    }
    int rc = 0;
    char oid[64] = "";
    if (!PKCS7_type_is_signed(p7) || !p7->d.sign || !p7->d.sign->contents ||
        (OBJ_obj2txt(oid, sizeof oid, p7->d.sign->contents->type, 1), strcmp(oid, SPC_INDIRECT_DATA)) ||
        !p7->d.sign->contents->d.other || p7->d.sign->contents->d.other->type != V_ASN1_SEQUENCE) {
        sig->error = dup(a, "the SignedData does not hold an SpcIndirectDataContent");
        goto out;
    }
    const ASN1_STRING *seq = p7->d.sign->contents->d.other->value.sequence;
    const EVP_MD *md = NULL;
    const unsigned char *want;
    long want_len;
    if (indirect_digest(seq->data, seq->length, &md, &want, &want_len)) {
        sig->error = dup(a, "the SpcIndirectDataContent does not decode");
        goto out;
    }
    if (!md) {
        sig->error = dup(a, "unknown digest algorithm");
        goto out;
    }
    sig->digest_algorithm = dup(a, OBJ_nid2sn(EVP_MD_get_type(md)));
    char *subject, *issuer;
    if (pkcs7_signer_names(p7, &subject, &issuer)) {
        rc = sk_error_set(SK_ENOMEM, "Authenticode: out of memory");
        goto out;
    }
    if (subject) sig->signer_subject = dup(a, subject);
    if (issuer) sig->signer_issuer = dup(a, issuer);
    free(subject);
    free(issuer);
    uint8_t got[SK_MD_MAX];
    unsigned got_len = 0;
    if (digest(ctx, lay, OBJ_nid2sn(EVP_MD_get_type(md)), got, &got_len)) {
        sig->error = dup(a, "the file could not be read to compute its digest");
        goto out;
    }
    if ((long)got_len != want_len || memcmp(got, want, got_len)) {
        sig->status = SK_SIG_MISMATCH;
        sig->error = dup(a, "the file's digest differs from the signed one: changed after signing");
        goto out;
    }
    /* the signer's signature over the content (without its SEQUENCE header) */
    const unsigned char *q = seq->data;
    long clen;
    int tag, cls;
    if (ASN1_get_object(&q, &clen, &tag, &cls, seq->length) & 0x80) {
        sig->error = dup(a, "the SpcIndirectDataContent does not decode");
        goto out;
    }
    int v = pkcs7_verify_content(p7, q, (size_t)clen);
    if (v < 0) {
        rc = sk_error_set(SK_ENOMEM, "Authenticode: out of memory");
    } else if (v) {
        sig->status = SK_SIG_MATCHES;
    } else {
        sig->status = SK_SIG_MISMATCH;
        sig->error = dup(a, "the digest matches but the signer's signature over it does not verify");
    }
out:
    PKCS7_free(p7);
    return rc;
}
