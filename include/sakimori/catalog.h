/*
 * sakimori/catalog.h - Windows security catalogues (.cat files): the file digests a
 * catalogue vouches for, who signed it, and whether its signature verifies.
 *
 * Most in-box Windows binaries carry no embedded Authenticode signature: they are
 * signed through catalogues under Windows\System32\CatRoot. A catalogue is a DER
 * PKCS#7 SignedData (RFC 2315) whose content, of type szOID_CTL
 * (1.3.6.1.4.1.311.10.1), is a Certificate Trust List:
 *
 *   CertificateTrustList ::= SEQUENCE {
 *     version INTEGER DEFAULT v1, subjectUsage SEQUENCE OF OID,
 *     listIdentifier OCTET STRING OPTIONAL, sequenceNumber INTEGER OPTIONAL,
 *     thisUpdate Time, nextUpdate Time OPTIONAL, subjectAlgorithm AlgorithmIdentifier,
 *     trustedSubjects SEQUENCE OF SEQUENCE {
 *       subjectIdentifier OCTET STRING, subjectAttributes SET OF Attribute OPTIONAL }
 *       OPTIONAL,
 *     ctlExtensions [0] EXPLICIT Extensions OPTIONAL }
 *
 * In a catalogue (subjectUsage holds szOID_CATALOG_LIST, 1.3.6.1.4.1.311.12.1.1) the
 * subjectIdentifier is a tag - often the digest's hex in UTF-16, but any bytes - and
 * the digest itself is in the subject's SPC_INDIRECT_DATA attribute
 * (1.3.6.1.4.1.311.2.1.4): an SpcIndirectDataContent whose DigestInfo names the
 * algorithm (SHA-1 in older catalogues, SHA-256 in newer ones) and holds the file's
 * Authenticode digest (for a PE: data type SpcPeImageData, 1.3.6.1.4.1.311.2.1.15) or
 * a flat file's hash. That is what Windows compares, and what this reader lists.
 *
 * The input is hostile: the CTL is walked by a bounded DER reader (definite lengths
 * only, each inside its parent, a fixed structure so no recursion), the input is at
 * most SK_CATALOG_MAX_BYTES and lists at most SK_CATALOG_MAX_MEMBERS digests; an error
 * names the byte offset. The PKCS#7 envelope is decoded by OpenSSL, which checks the
 * signer's signature over the CTL bytes listed here (no chain: trust is a separate
 * question, as for embedded signatures).
 */
#ifndef SAKIMORI_CATALOG_H
#define SAKIMORI_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest catalogue read (bytes); larger is SK_ELIMIT. */
#define SK_CATALOG_MAX_BYTES ((size_t)64 << 20)
/** Most digests one catalogue may list; more is SK_ELIMIT. */
#define SK_CATALOG_MAX_MEMBERS 1000000

/** The digest algorithms a member may use. */
typedef enum sk_catalog_alg {
    SK_CATALOG_MD5,
    SK_CATALOG_SHA1,
    SK_CATALOG_SHA256,
    SK_CATALOG_SHA384,
    SK_CATALOG_SHA512,
    SK_CATALOG_ALGS /**< how many there are */
} sk_catalog_alg;

/** The algorithm's name as authenticode.c and sk_md_begin name it ("SHA1", "SHA256", ...). */
const char *sk_catalog_alg_name(sk_catalog_alg alg);
/** The algorithm's digest size in bytes (16, 20, 32, 48, 64); 0 for a value out of range. */
size_t sk_catalog_alg_size(sk_catalog_alg alg);

/** One digest a catalogue vouches for. */
typedef struct sk_catalog_member {
    const uint8_t *digest; /**< sk_catalog_alg_size(alg) bytes, inside the parsed input */
    uint8_t alg;           /**< sk_catalog_alg */
    uint8_t pe;            /**< 1: SpcPeImageData, a PE's Authenticode digest; 0: another kind (a flat file's hash) */
} sk_catalog_member;

typedef struct sk_catalog sk_catalog;

/**
 * Parse the catalogue in d[0, len). The members' digests point into d, which must
 * outlive *out. A subject without an SPC_INDIRECT_DATA attribute, or whose digest
 * algorithm is not one of sk_catalog_alg (or whose digest is not that algorithm's
 * size), lists no member but is counted in sk_catalog_subjects. Returns 0; SK_EFORMAT
 * ("byte N: what") for input that is not a catalogue; SK_ELIMIT for too large an
 * input or too many members; SK_ENOMEM. A signature that does not verify is not an
 * error (sk_catalog_verified says so).
 */
int sk_catalog_parse(sk_catalog **out, const uint8_t *d, size_t len);

/** The members in catalogue order; *members borrowed until sk_catalog_free. */
size_t sk_catalog_members(const sk_catalog *c, const sk_catalog_member **members);

/** The trusted subjects listed, with a digest this reader knows or not. */
size_t sk_catalog_subjects(const sk_catalog *c);

/** Bit (1u << alg) for each algorithm among the members. */
unsigned sk_catalog_algorithms(const sk_catalog *c);

/** The first signer's certificate subject and issuer (RFC 2253, as authenticode.c
 * writes signers), or NULL when the SignedData does not hold the signer's certificate. */
const char *sk_catalog_signer_subject(const sk_catalog *c);
const char *sk_catalog_signer_issuer(const sk_catalog *c);

/** 1 when every signer's signature over the CTL verifies (the message digest and the
 * signature; the certificate chain is not checked), else 0. */
int sk_catalog_verified(const sk_catalog *c);

/** Free a catalogue (NULL is fine). */
void sk_catalog_free(sk_catalog *c);

#ifdef __cplusplus
}
#endif

#endif
