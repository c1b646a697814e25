/*
 * digest.c - MD5/SHA-1/SHA-256 through OpenSSL's EVP interface, which picks the
 * CPU's SHA extensions when present. Files are read read-only with O_NOFOLLOW and,
 * where permitted, O_NOATIME (evidence times must not change).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

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

int sk_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
    if (hexlen != 2 * n) return SK_EFORMAT;
    for (size_t i = 0; i < hexlen; i++) {
        char c = hex[i];
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0) return SK_EFORMAT;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 0;
}

typedef struct ctxs {
    EVP_MD_CTX *c[3];
} ctxs;

static const EVP_MD *md_for(int i)
{
    return i == 0 ? EVP_md5() : i == 1 ? EVP_sha1() : EVP_sha256();
}

static void ctxs_free(ctxs *x)
{
    for (int i = 0; i < 3; i++) {
        EVP_MD_CTX_free(x->c[i]);
        x->c[i] = NULL;
    }
}

static int ctxs_init(ctxs *x, unsigned which)
{
    memset(x, 0, sizeof *x);
    for (int i = 0; i < 3; i++) {
        if (!(which & (1u << i))) continue;
        x->c[i] = EVP_MD_CTX_new();
        if (!x->c[i] || EVP_DigestInit_ex(x->c[i], md_for(i), NULL) != 1) {
            ctxs_free(x);
            return sk_error_set(SK_EINTERNAL, "OpenSSL digest initialisation failed");
        }
    }
    return 0;
}

static int ctxs_update(ctxs *x, const void *p, size_t n)
{
    for (int i = 0; i < 3; i++)
        if (x->c[i] && EVP_DigestUpdate(x->c[i], p, n) != 1)
            return sk_error_set(SK_EINTERNAL, "OpenSSL digest update failed");
    return 0;
}

static int ctxs_final(ctxs *x, sk_digests *out)
{
    uint8_t *dst[3] = {out->md5, out->sha1, out->sha256};
    for (int i = 0; i < 3; i++)
        if (x->c[i] && EVP_DigestFinal_ex(x->c[i], dst[i], NULL) != 1)
            return sk_error_set(SK_EINTERNAL, "OpenSSL digest final failed");
    return 0;
}

int sk_digest_buffer(const void *data, size_t len, unsigned which, sk_digests *out)
{
    ctxs x;
    memset(out, 0, sizeof *out);
    int rc = ctxs_init(&x, which);
    if (!rc) rc = ctxs_update(&x, data, len);
    if (!rc) rc = ctxs_final(&x, out);
    out->size = len;
    ctxs_free(&x);
    return rc;
}

int sk_sha256(const void *data, size_t len, uint8_t out[32])
{
    sk_digests d;
    int rc = sk_digest_buffer(data, len, SK_DIGEST_SHA256, &d);
    if (!rc) memcpy(out, d.sha256, 32);
    return rc;
}

int sk_digest_file(const char *path, unsigned which, sk_digests *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME needs ownership or CAP_FOWNER */
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sk_error_set(SK_EIO, "%s: cannot open: %s", path,
                            errno == ELOOP ? "is a symbolic link (not followed)" : strerror(errno));
    ctxs x;
    int rc = ctxs_init(&x, which);
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
        rc = ctxs_update(&x, buf, (size_t)r);
        out->size += (uint64_t)r;
    }
    if (!rc) rc = ctxs_final(&x, out);
    free(buf);
    ctxs_free(&x);
    close(fd);
    return rc;
}
