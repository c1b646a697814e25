/*
 * pkcs7_int.h - what the readers of PKCS#7 SignedData share (authenticode.c: embedded
 * Authenticode signatures; catalog.c: security catalogues), so that both name signers
 * the same way.
 */
#ifndef SAKIMORI_PKCS7_INT_H
#define SAKIMORI_PKCS7_INT_H

#include <openssl/pkcs7.h>

/**
 * The first signer's certificate subject and issuer in RFC 2253 form (multi-byte
 * characters kept as UTF-8), malloc'd into *subject and *issuer; both NULL when the
 * SignedData does not hold the signer's certificate. OpenSSL's error queue is left
 * empty. Returns 0, or -1 when out of memory.
 */
int pkcs7_signer_names(PKCS7 *p7, char **subject, char **issuer);

/**
 * Whether every signer's signature over content[0, len) verifies (PKCS7_verify with
 * PKCS7_NOVERIFY | PKCS7_BINARY: the message digest and the signature, no chain).
 * Returns 1 (verified), 0 (not), or -1 when out of memory; OpenSSL's error queue is
 * left empty.
 */
int pkcs7_verify_content(PKCS7 *p7, const unsigned char *content, size_t len);

#endif
