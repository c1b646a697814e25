/*
 * fuzz_catalog - the security-catalogue reader on arbitrary bytes: no crash, no hang,
 * no unbounded allocation; a success lists members whose digests lie inside the input
 * and are their algorithm's size, the algorithm set is the members' own, and a second
 * parse gives the same; a failure leaves no catalogue and a one-line message that names
 * a byte (or a limit).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/catalog.h>
#include <sakimori/common.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_catalog *c = NULL;
    int rc = sk_catalog_parse(&c, data, size);
    if (rc) {
        const char *m = sk_error_last();
        if (c || !*m || strchr(m, '\n')) __builtin_trap();
        if (rc == SK_EFORMAT && strncmp(m, "byte ", 5)) __builtin_trap();
        if (rc != SK_EFORMAT && rc != SK_ELIMIT && rc != SK_ENOMEM) __builtin_trap();
        return 0;
    }
    const sk_catalog_member *m;
    size_t n = sk_catalog_members(c, &m);
    unsigned algs = 0;
    if (n > SK_CATALOG_MAX_MEMBERS) __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        size_t ds = sk_catalog_alg_size((sk_catalog_alg)m[i].alg);
        if (!ds || m[i].digest < data || m[i].digest + ds > data + size || m[i].pe > 1) __builtin_trap();
        algs |= 1u << m[i].alg;
    }
    if (algs != sk_catalog_algorithms(c) || (unsigned)sk_catalog_verified(c) > 1) __builtin_trap();
    if (!sk_catalog_signer_subject(c) != !sk_catalog_signer_issuer(c) && sk_catalog_verified(c)) __builtin_trap();
    sk_catalog *again = NULL;
    if (sk_catalog_parse(&again, data, size)) __builtin_trap();
    const sk_catalog_member *m2;
    if (sk_catalog_members(again, &m2) != n || sk_catalog_verified(again) != sk_catalog_verified(c)) __builtin_trap();
    for (size_t i = 0; i < n; i++) /* field by field: the structs have padding */
        if (m2[i].digest != m[i].digest || m2[i].alg != m[i].alg || m2[i].pe != m[i].pe) __builtin_trap();
    sk_catalog_free(again);
    sk_catalog_free(c);
    return 0;
}
