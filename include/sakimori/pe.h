/*
 * sakimori/pe.h - the PE/COFF reader: what a Windows executable says about itself.
 *
 * Written from Microsoft's PE/COFF specification. The input is hostile: every offset
 * and count is checked against the bytes present, loops (resource directories that
 * point back at themselves) are cut, and work is bounded by the input's size and by
 * fixed limits (sections mapped, imports, resource entries). What cannot be parsed is
 * recorded in the identity's `errors` and the rest is still returned.
 */
#ifndef SAKIMORI_PE_H
#define SAKIMORI_PE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "digest.h"
#include "inventory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sections listed in an identity at most; `sections_total` gives the declared count. */
#define SK_PE_MAX_LISTED_SECTIONS 96
/**
 * Import thunks read at most, counting the lookup and the address tables alike: past
 * it the rest is an error and imphash covers what was read. The reference imphash
 * implementation (pefile) stops at the same count, so the two agree on huge tables.
 */
#define SK_PE_MAX_IMPORTS 0x2000

/** 1 when the bytes start like a PE image (MZ header whose e_lfanew points at "PE\0\0"). */
int sk_pe_is_pe(const uint8_t *d, size_t len);

/**
 * Parse the PE image in d[0, len). `file_size` is the whole file's size when d holds
 * only its first `len` bytes (structures past `len` are then reported as not read);
 * pass len otherwise. Everything in *id is allocated from `a`. Returns 0 (with parse
 * errors, if any, in id->errors), SK_EFORMAT when this is not a PE image, SK_ENOMEM or
 * SK_ELIMIT when the arena is exhausted.
 */
int sk_pe_parse(const uint8_t *d, size_t len, uint64_t file_size, sk_arena *a, sk_pe_identity *id);

/** Where the Authenticode structures lie, from the optional header (all 0 when absent). */
typedef struct sk_pe_layout {
    uint64_t checksum_off;   /**< file offset of OptionalHeader.CheckSum */
    uint64_t certdir_off;    /**< file offset of the Certificate Table data-directory entry */
    uint64_t cert_off, cert_size; /**< the certificate table (a file offset, not an RVA) */
} sk_pe_layout;

/** Fill *lay from the headers in d[0, len). Returns 0, or SK_EFORMAT when not a PE. */
int sk_pe_layout_get(const uint8_t *d, size_t len, sk_pe_layout *lay);

/**
 * Computes the image's Authenticode digest with the named algorithm (an OpenSSL
 * digest name such as "SHA256") into out (at most 64 bytes), *outlen its length:
 * the file without [checksum_off, +4), [certdir_off, +8) and from cert_off on.
 * Returns 0, or -1 when the file cannot be read.
 */
typedef int (*sk_pe_digest_fn)(void *ctx, const sk_pe_layout *lay, const char *md_name, uint8_t *out, unsigned *outlen);

/**
 * The Authenticode status of a PE image whose layout is `lay` and whose certificate
 * table's bytes are cert[0, cert_len) (read by the caller from lay->cert_off): the
 * PKCS#7 SignedData is decoded with OpenSSL, the SpcIndirectDataContent's digest is
 * compared with the image digest `digest` computes, the signer's signature over that
 * content is verified (no chain: trust is a separate question) and the signer named.
 * Strings are allocated from `a`. Returns 0 (status in *sig) or SK_ENOMEM.
 */
int sk_pe_authenticode_check(const sk_pe_layout *lay, const uint8_t *cert, size_t cert_len, sk_pe_digest_fn digest,
                             void *ctx, sk_arena *a, sk_signature *sig);

/**
 * The ranges an Authenticode digest covers in a file of `size` bytes: *out is *lay with
 * cert_off set to where the hashed bytes end (the certificate table, or `size` when the
 * image has none; the digest is the file without [checksum_off, +4), without
 * [certdir_off, +8) and from cert_off on), then *pad zero bytes: an image without a
 * certificate table is padded to a multiple of 8 bytes, as Windows' catalogue hash
 * (CryptCATAdminCalcHashFromFileHandle) pads it. Returns 0, or -1 when the ranges are
 * not in the file in that order (no data-directory entry for the table, a table past
 * the end): such an image has no Authenticode digest, so no catalogue can list it.
 */
int sk_pe_layout_digest_ranges(const sk_pe_layout *lay, uint64_t size, sk_pe_layout *out, unsigned *pad);

/**
 * The Authenticode digests of the image held whole in d[0, len), signed or not, in one
 * pass: md_names[i] (an OpenSSL digest name, "SHA1", "SHA256", ...) into out[i], its
 * length in out_len[i], for i < n (n at most 8). This is what a security catalogue
 * lists for a PE (sakimori/catalog.h). Returns 0; -1 when the image has no digest
 * (sk_pe_layout_digest_ranges); SK_EFORMAT for a digest name OpenSSL does not know.
 */
int sk_pe_authenticode_digests(const uint8_t *d, size_t len, const char *const *md_names, size_t n,
                               uint8_t (*out)[SK_MD_MAX], unsigned *out_len);

/** The same for an image held whole in d[0, len). */
int sk_pe_authenticode(const uint8_t *d, size_t len, sk_arena *a, sk_signature *sig);

#ifdef __cplusplus
}
#endif

#endif
