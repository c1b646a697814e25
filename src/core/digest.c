/*
 * digest.c - MD5/SHA-1/SHA-256 through OpenSSL's EVP interface, which picks the
 * CPU's SHA extensions when present. The only file that hashes: a build for another
 * platform (Windows CNG) replaces this file, not its callers. Files are read read-only with O_NOFOLLOW and,
 * where permitted, O_NOATIME (evidence times must not change).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <sakimori/file.h>
#include <sakimori/digest.h>

#ifndef O_NOATIME
#define O_NOATIME 0
#endif

void sk_hex(char *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* a hex digit's value plus one, 0 for anything else (one table load a digit: digests
 * are decoded for every listing entry of a fleet) */
static const uint8_t hexval1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int sk_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
    if (hexlen != 2 * n) return SK_EFORMAT;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned hi = hexval1[(unsigned char)hex[2 * i]], lo = hexval1[(unsigned char)hex[2 * i + 1]];
        bad |= !hi | !lo;
        out[i] = (uint8_t)((hi - 1) << 4 | ((lo - 1) & 15));
    }
    return bad ? SK_EFORMAT : 0;
}

struct sk_hasher {
    EVP_MD_CTX *c[3];
    int on[3];
};

static const EVP_MD *md_for(int i)
{
    return i == 0 ? EVP_md5() : i == 1 ? EVP_sha1() : EVP_sha256();
}

int sk_hasher_new(sk_hasher **out)
{
    sk_hasher *h = calloc(1, sizeof *h);
    if (!h) return sk_error_set(SK_ENOMEM, "out of memory");
    for (int i = 0; i < 3; i++)
        if (!(h->c[i] = EVP_MD_CTX_new())) {
            sk_hasher_free(h);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
    *out = h;
    return 0;
}

void sk_hasher_free(sk_hasher *h)
{
    if (!h) return;
    for (int i = 0; i < 3; i++) EVP_MD_CTX_free(h->c[i]);
    free(h);
}

int sk_hasher_begin(sk_hasher *h, unsigned which)
{
    for (int i = 0; i < 3; i++) {
        h->on[i] = (which & (1u << i)) != 0;
        if (h->on[i] && EVP_DigestInit_ex(h->c[i], md_for(i), NULL) != 1)
            return sk_error_set(SK_EINTERNAL, "OpenSSL digest initialisation failed");
    }
    return 0;
}

int sk_hasher_update(sk_hasher *h, const void *p, size_t n)
{
    for (int i = 0; i < 3; i++)
        if (h->on[i] && EVP_DigestUpdate(h->c[i], p, n) != 1) return sk_error_set(SK_EINTERNAL, "OpenSSL digest update failed");
    return 0;
}

int sk_hasher_end(sk_hasher *h, sk_digests *out)
{
    uint8_t *dst[3] = {out->md5, out->sha1, out->sha256};
    for (int i = 0; i < 3; i++) {
        if (h->on[i] && EVP_DigestFinal_ex(h->c[i], dst[i], NULL) != 1)
            return sk_error_set(SK_EINTERNAL, "OpenSSL digest final failed");
        h->on[i] = 0;
    }
    return 0;
}

struct sk_md {
    EVP_MD_CTX *c;
};

int sk_md_begin(sk_md **out, const char *name)
{
    *out = NULL;
    const EVP_MD *md = EVP_get_digestbyname(name);
    if (!md) return sk_error_set(SK_EFORMAT, "unknown digest %s", name);
    sk_md *m = calloc(1, sizeof *m);
    if (!m || !(m->c = EVP_MD_CTX_new()) || EVP_DigestInit_ex(m->c, md, NULL) != 1) {
        sk_md_free(m);
        return sk_error_set(SK_EINTERNAL, "OpenSSL digest initialisation failed");
    }
    *out = m;
    return 0;
}

int sk_md_update(sk_md *m, const void *p, size_t n)
{
    return EVP_DigestUpdate(m->c, p, n) == 1 ? 0 : sk_error_set(SK_EINTERNAL, "OpenSSL digest update failed");
}

int sk_md_end(sk_md *m, uint8_t out[SK_MD_MAX], unsigned *outlen)
{
    return EVP_DigestFinal_ex(m->c, out, outlen) == 1 ? 0 : sk_error_set(SK_EINTERNAL, "OpenSSL digest final failed");
}

void sk_md_free(sk_md *m)
{
    if (!m) return;
    EVP_MD_CTX_free(m->c);
    free(m);
}

int sk_digest_buffer(const void *data, size_t len, unsigned which, sk_digests *out)
{
    sk_hasher *h = NULL;
    memset(out, 0, sizeof *out);
    int rc = sk_hasher_new(&h);
    if (!rc) rc = sk_hasher_begin(h, which);
    if (!rc) rc = sk_hasher_update(h, data, len);
    if (!rc) rc = sk_hasher_end(h, out);
    out->size = len;
    sk_hasher_free(h);
    return rc;
}

/* SHA-256 of small buffers is asked for per finding: the algorithm is fetched once
 * (an implicit fetch on every use costs more than hashing a few hundred bytes). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int sk_sha256(const void *data, size_t len, uint8_t out[32])
{
    pthread_once(&sha256_once, sha256_fetch);
    if (sha256_md) {
        unsigned int n = 0;
        if (EVP_Digest(data, len, out, &n, sha256_md, NULL) == 1 && n == 32) return 0;
    }
    sk_digests d;
    int rc = sk_digest_buffer(data, len, SK_DIGEST_SHA256, &d);
    if (!rc) memcpy(out, d.sha256, 32);
    return rc;
}

int sk_digest_file(const char *path, unsigned which, sk_digests *out)
{
    memset(out, 0, sizeof *out);
    int fd;
    int orc = sk_file_open(SK_FILE_CWD, path, SK_FILE_NOFOLLOW, &fd, NULL);
    if (orc) return orc;
    sk_hasher *h = NULL;
    int rc = sk_hasher_new(&h);
    if (!rc) rc = sk_hasher_begin(h, which);
    size_t bufsz = (size_t)1 << 20;
    uint8_t *buf = rc ? NULL : malloc(bufsz);
    if (!rc && !buf) rc = sk_error_set(SK_ENOMEM, "out of memory");
    while (!rc) {
        ssize_t r = read(fd, buf, bufsz);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = sk_error_set(SK_EIO, "%s: read error at offset %llu: %s", path,
                              (unsigned long long)out->size, strerror(errno));
            break;
        }
        if (r == 0) break;
        rc = sk_hasher_update(h, buf, (size_t)r);
        out->size += (uint64_t)r;
    }
    if (!rc) rc = sk_hasher_end(h, out);
    free(buf);
    sk_hasher_free(h);
    close(fd);
    return rc;
}
