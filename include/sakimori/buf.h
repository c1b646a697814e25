/*
 * sakimori/buf.h - a growable byte buffer with a hard size cap.
 *
 * Every output path (JSON lines, CSV, messages) writes into an sk_buf. The cap
 * makes "memory stays bounded" checkable: appending past it fails with SK_ELIMIT
 * and leaves the buffer as it was before the failing call. The contents are
 * always NUL-terminated (the terminator is not counted in len).
 */
#ifndef SAKIMORI_BUF_H
#define SAKIMORI_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Plain struct so buffers can live on the stack; treat fields as read-only. */
typedef struct sk_buf {
    char *data;  /**< NUL-terminated contents, or NULL before the first append */
    size_t len;  /**< bytes used, not counting the terminator */
    size_t cap;  /**< bytes allocated */
    size_t max;  /**< hard limit on len; 0 means SK_BUF_DEFAULT_MAX */
    size_t fails; /**< appends and reserves refused so far (cap, memory): a writer of many
                       pieces compares it before and after, so one refused piece cannot
                       leave a complete-looking line with a value missing */
} sk_buf;

/** Default cap: 256 MiB. Pick a smaller one for anything built from input. */
#define SK_BUF_DEFAULT_MAX ((size_t)256 << 20)

/** Initialise an empty buffer that may grow to `max` bytes (0: default). */
void sk_buf_init(sk_buf *b, size_t max);

/** Release the memory; the buffer is empty and reusable afterwards. NULL-safe. */
void sk_buf_free(sk_buf *b);

/** Set len to 0 without releasing memory. */
void sk_buf_reset(sk_buf *b);

/** Make room for `extra` more bytes. SK_ENOMEM or SK_ELIMIT on failure. */
int sk_buf_reserve(sk_buf *b, size_t extra);

/** sk_buf_append() when the bytes do not fit the capacity (grows, or fails). */
int sk_buf_append_grow(sk_buf *b, const void *p, size_t n);

/** Append `n` bytes. Inline when they fit (renderers append millions of short
 * pieces): the capacity never exceeds the cap plus the terminator, so fitting in it
 * is within the cap. */
static inline int sk_buf_append(sk_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && b->data) { /* len < cap always once allocated */
        if (n) memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return sk_buf_append_grow(b, p, n);
}

/** Append a NUL-terminated string. */
int sk_buf_puts(sk_buf *b, const char *s);

/** Append one byte. */
static inline int sk_buf_putc(sk_buf *b, char c)
{
    return sk_buf_append(b, &c, 1);
}

/** Append printf-formatted text. */
int sk_buf_printf(sk_buf *b, const char *fmt, ...) SK_PRINTF(2, 3);
int sk_buf_vprintf(sk_buf *b, const char *fmt, va_list ap) SK_PRINTF(2, 0);

/** Append the decimal form of an integer (faster than printf). */
int sk_buf_put_i64(sk_buf *b, int64_t v);
int sk_buf_put_u64(sk_buf *b, uint64_t v);

/** The decimal digits of v at out (room for 20; no NUL); returns the end. */
char *sk_dec_u64(char *out, uint64_t v);

/** Append lower-case hex of `n` bytes. */
int sk_buf_put_hex(sk_buf *b, const uint8_t *p, size_t n);

/** Drop the last `n` bytes (clamped to len). */
void sk_buf_truncate(sk_buf *b, size_t len);

/**
 * Take ownership of the contents: returns the NUL-terminated data (never NULL on
 * success: an empty buffer gives an allocated ""), stores the length in *len when
 * len is non-NULL, and leaves the buffer empty. NULL on OOM.
 */
char *sk_buf_detach(sk_buf *b, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
