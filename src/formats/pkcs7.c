/*
 * pkcs7.c - signer names of a PKCS#7 SignedData, shared by the embedded Authenticode
 * reader and the catalogue reader (pkcs7_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "pkcs7_int.h"

/* An X.509 name as RFC 2253 text (UTF-8 kept), malloc'd; NULL when empty or out of memory. */
static char *name_text(const X509_NAME *n, int *oom)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) {
        *oom = 1;
        return NULL;
    }
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *p;
    long len = BIO_get_mem_data(b, &p);
    char *r = NULL;
    if (len > 0) {
        r = malloc((size_t)len + 1);
        if (r) {
            memcpy(r, p, (size_t)len);
            r[len] = '\0';
        } else {
            *oom = 1;
        }
    }
    BIO_free(b);
    return r;
}

int pkcs7_signer_names(PKCS7 *p7, char **subject, char **issuer)
{
    *subject = *issuer = NULL;
    int oom = 0;
    STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
    if (signers && sk_X509_num(signers) > 0) {
        X509 *s = sk_X509_value(signers, 0);
        *subject = name_text(X509_get_subject_name(s), &oom);
        *issuer = name_text(X509_get_issuer_name(s), &oom);
    }
    sk_X509_free(signers);
    ERR_clear_error();
    if (oom) {
        free(*subject);
        free(*issuer);
        *subject = *issuer = NULL;
        return -1;
    }
    return 0;
}

int pkcs7_verify_content(PKCS7 *p7, const unsigned char *content, size_t len)
{
    if (len > 0x7fffffff) return 0;
    /* The content goes in through a null filter over the memory BIO: PKCS7_verify copies
     * a memory BIO it is given into one of its own and, in OpenSSL 3.0, leaks that copy
     * when the SignedData names a digest it cannot set up (found by fuzz_catalog). */
    BIO *mem = BIO_new_mem_buf(content, (int)len), *in = mem ? BIO_new(BIO_f_null()) : NULL;
    if (!in) {
        BIO_free(mem);
        ERR_clear_error();
        return -1;
    }
    BIO_push(in, mem);
    int ok = PKCS7_verify(p7, NULL, NULL, in, NULL, PKCS7_NOVERIFY | PKCS7_BINARY) == 1;
    BIO_free_all(in);
    ERR_clear_error();
    return ok;
}
