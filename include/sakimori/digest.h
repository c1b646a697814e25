/*
 * sakimori/digest.h - MD5, SHA-1 and SHA-256 of buffers, streams and files (OpenSSL
 * libcrypto behind this interface).
 *
 * Evidence is read-only: files are opened O_RDONLY | O_NOFOLLOW (and O_NOATIME where
 * the kernel permits it), never written, and their times are never touched.
 */
#ifndef SAKIMORI_DIGEST_H
#define SAKIMORI_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_digests {
    uint8_t md5[16];
    uint8_t sha1[20];
    uint8_t sha256[32];
    uint64_t size; /**< bytes hashed */
} sk_digests;

/** Which digests to compute. */
enum { SK_DIGEST_MD5 = 1, SK_DIGEST_SHA1 = 2, SK_DIGEST_SHA256 = 4, SK_DIGEST_ALL = 7 };

/** SHA-256 of a buffer. */
int sk_sha256(const void *data, size_t len, uint8_t out[32]);

/** Digests of a buffer. */
int sk_digest_buffer(const void *data, size_t len, unsigned which, sk_digests *out);

/**
 * Digests of a file, read in streaming fashion. Does not follow a final symlink
 * (SK_EIO with a message naming the path when it is one, or on any read error).
 */
int sk_digest_file(const char *path, unsigned which, sk_digests *out);

/**
 * A reusable multi-digest: the chosen ones of MD5, SHA-1 and SHA-256 in one pass over
 * the data (one per thread). begin, update..., end; then begin again.
 */
typedef struct sk_hasher sk_hasher;
int sk_hasher_new(sk_hasher **out);
int sk_hasher_begin(sk_hasher *h, unsigned which);
int sk_hasher_update(sk_hasher *h, const void *p, size_t n);
/** The digests begun go to out (the others are left as they are). */
int sk_hasher_end(sk_hasher *h, sk_digests *out);
void sk_hasher_free(sk_hasher *h);

/** One digest named as a signature names it ("sha1", "sha256", "sha384", ...). */
typedef struct sk_md sk_md;
#define SK_MD_MAX 64
/** SK_EFORMAT for a name the library does not know. */
int sk_md_begin(sk_md **out, const char *name);
int sk_md_update(sk_md *m, const void *p, size_t n);
int sk_md_end(sk_md *m, uint8_t out[SK_MD_MAX], unsigned *outlen);
void sk_md_free(sk_md *m);

/** Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void sk_hex(char *out, const uint8_t *p, size_t n);

/** Parse exactly 2n hex digits (either case) into out[0..n). SK_EFORMAT otherwise. */
int sk_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen);

#ifdef __cplusplus
}
#endif
#endif
