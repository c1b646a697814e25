/*
 * utf.c - UTF-8 decoding/encoding, UTF-16LE to WTF-8, and Windows-style case folding.
 */
#include <string.h>

#include <sakimori/utf.h>

size_t sk_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp, int allow_surrogates)
{
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    uint8_t c = s[0];
    *cp = c;
    if (c < 0x80) return 1;
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF) return 0;
    if (!allow_surrogates && v >= 0xD800 && v <= 0xDFFF) return 0;
    *cp = v;
    return len;
}

size_t sk_utf8_encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x10000) return sk_utf8_encode(cp, out);
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

int sk_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time: most log text is */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080)) break;
            i += 8;
        }
        if (i >= n) break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = sk_utf8_decode(s + i, n - i, &cp, 0);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

size_t sk_utf16le_to_utf8_raw(char *out, const uint8_t *p, size_t units, int stop_at_nul)
{
    uint8_t *o = (uint8_t *)out;
    for (size_t i = 0; i < units; i++) {
        uint32_t u = (uint32_t)p[2 * i] | ((uint32_t)p[2 * i + 1] << 8);
        if (u == 0 && stop_at_nul) break;
        if (u < 0x80) {
            *o++ = (uint8_t)u;
            continue;
        }
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            uint32_t u2 = (uint32_t)p[2 * i + 2] | ((uint32_t)p[2 * i + 3] << 8);
            if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
                i++;
            }
        }
        /* a 4-byte sequence replaces two units (6 reserved bytes): room is guaranteed */
        o += sk_utf8_encode(u, o);
    }
    return (size_t)((char *)o - out);
}

int sk_utf16le_to_utf8(sk_buf *out, const uint8_t *p, size_t units, int stop_at_nul)
{
    if (units > (SIZE_MAX - 1) / 3) return sk_error_set(SK_ELIMIT, "UTF-16 string too long");
    int rc = sk_buf_reserve(out, units * 3);
    if (rc) return rc;
    out->len += sk_utf16le_to_utf8_raw(out->data + out->len, p, units, stop_at_nul);
    out->data[out->len] = '\0';
    return 0;
}

/*
 * Simple case folding for the ranges NTFS's upcase table covers in practice for
 * file names: ASCII, Latin-1 Supplement, Latin Extended-A (pairs), Greek and
 * Cyrillic basic letters, and fullwidth Latin (common in Japanese file names).
 * Folding goes to lower case, as the Windows path keys in sakimori are lower case.
 */
static uint32_t fold_cp(uint32_t c)
{
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if ((c >= 0xC0 && c <= 0xDE) && c != 0xD7) return c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
        if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
        if (c == 0x178) return 0xFF;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
    return c;
}

int sk_utf8_fold_case(sk_buf *out, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    if (n > (SIZE_MAX - 1) / 2) return sk_error_set(SK_ELIMIT, "string too long");
    int rc = sk_buf_reserve(out, n);
    if (rc) return rc;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = sk_utf8_decode(u + i, n - i, &cp, 1);
        if (!l) { /* keep bytes that are not UTF-8 as they are */
            if ((rc = sk_buf_putc(out, (char)u[i]))) return rc;
            i++;
            continue;
        }
        uint8_t enc[4];
        size_t el = sk_utf8_encode(fold_cp(cp), enc);
        if ((rc = sk_buf_append(out, enc, el))) return rc;
        i += l;
    }
    return 0;
}
