/*
 * buf.c - growable byte buffer with a hard cap (see sakimori/buf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/buf.h>

static size_t buf_max(const sk_buf *b)
{
    return b->max ? b->max : SK_BUF_DEFAULT_MAX;
}

void sk_buf_init(sk_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->fails = 0;
}

void sk_buf_free(sk_buf *b)
{
    if (!b) return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sk_buf_reset(sk_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int sk_buf_reserve(sk_buf *b, size_t extra)
{
    size_t max = buf_max(b);
    if (extra > max || b->len > max - extra) {
        b->fails++;
        return sk_error_set(SK_ELIMIT, "buffer limit of %zu bytes reached", max);
    }
    size_t need = b->len + extra + 1; /* + terminator */
    if (need <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    if (ncap > max + 1) ncap = max + 1;
    char *p = realloc(b->data, ncap);
    if (!p) {
        b->fails++;
        return sk_error_set(SK_ENOMEM, "out of memory growing a buffer to %zu bytes", ncap);
    }
    b->data = p;
    b->cap = ncap;
    return 0;
}

int sk_buf_append_grow(sk_buf *b, const void *p, size_t n)
{
    int rc = sk_buf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sk_buf_puts(sk_buf *b, const char *s)
{
    return sk_buf_append(b, s, strlen(s));
}

int sk_buf_vprintf(sk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) return sk_error_set(SK_EINVAL, "bad format string");
    if ((size_t)n < sizeof small) return sk_buf_append(b, small, (size_t)n);
    int rc = sk_buf_reserve(b, (size_t)n);
    if (rc) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int sk_buf_printf(sk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *sk_dec_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(out, tmp + i, sizeof tmp - i);
    return out + (sizeof tmp - i);
}

int sk_buf_put_u64(sk_buf *b, uint64_t v)
{
    char tmp[20];
    return sk_buf_append(b, tmp, (size_t)(sk_dec_u64(tmp, v) - tmp));
}

int sk_buf_put_i64(sk_buf *b, int64_t v)
{
    if (v < 0) {
        int rc = sk_buf_putc(b, '-');
        if (rc) return rc;
        return sk_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    }
    return sk_buf_put_u64(b, (uint64_t)v);
}

int sk_buf_put_hex(sk_buf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    if (n > SIZE_MAX / 2) return sk_error_set(SK_ELIMIT, "hex string too long");
    int rc = sk_buf_reserve(b, n * 2);
    if (rc) return rc;
    char *o = b->data + b->len;
    for (size_t i = 0; i < n; i++) {
        *o++ = hx[p[i] >> 4];
        *o++ = hx[p[i] & 15];
    }
    b->len += n * 2;
    b->data[b->len] = '\0';
    return 0;
}

void sk_buf_truncate(sk_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

char *sk_buf_detach(sk_buf *b, size_t *len)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (!p) {
            sk_error_set(SK_ENOMEM, "out of memory");
            return NULL;
        }
        p[0] = '\0';
    }
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
