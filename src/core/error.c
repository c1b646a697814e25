/*
 * error.c - the thread-local last-error message.
 *
 * Messages are kept to one line and safe to print: a message quoting hostile input (a
 * file name with a newline, a log line with ANSI escapes, a Unicode line separator)
 * must not be able to forge extra lines or move the cursor in a terminal or a log.
 * C0 controls and DEL become \xNN, C1 controls and U+2028/U+2029 become \uNNNN, and
 * bytes that are not UTF-8 become \xNN, so the message shows what the input held.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/utf.h>

static _Thread_local char tl_msg[SK_ERROR_MAX];
static _Thread_local int tl_code;

/* Rewrite what could break the line (see the top of the file); the result is cut at
 * the buffer's end with "..." when the rewriting made it longer than a message may be. */
static void flatten(char *s, size_t cap)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[SK_ERROR_MAX];
    size_t o = 0, n = strlen(s);
    int cut = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        size_t k = c < 0x80 ? 1 : sk_utf8_decode((const uint8_t *)s + i, n - i, &cp, 0);
        char esc[8];
        size_t el = 0;
        if (!k) { /* not UTF-8: the byte itself */
            esc[0] = '\\', esc[1] = 'x', esc[2] = hx[c >> 4], esc[3] = hx[c & 15], el = 4;
            k = 1;
        } else if (cp < 0x20 || cp == 0x7f) {
            esc[0] = '\\', esc[1] = 'x', esc[2] = hx[cp >> 4], esc[3] = hx[cp & 15], el = 4;
        } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
            esc[0] = '\\', esc[1] = 'u';
            for (int d = 0; d < 4; d++) esc[2 + d] = hx[(cp >> (12 - 4 * d)) & 15];
            el = 6;
        }
        const char *src = el ? esc : s + i;
        size_t sl = el ? el : k;
        if (o + sl + 4 > sizeof tmp) {
            cut = 1;
            break;
        }
        memcpy(tmp + o, src, sl);
        o += sl;
        i += k;
    }
    if (cut) memcpy(tmp + o, "...", 3), o += 3;
    tmp[o] = '\0';
    memcpy(s, tmp, o + 1 < cap ? o + 1 : cap);
    s[cap - 1] = '\0';
}

int sk_error_set(int code, const char *fmt, ...)
{
    /* formatted apart first: an argument may be sk_error_last() itself */
    char m[SK_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    if (n < 0) {
        m[0] = '\0';
    } else if ((size_t)n >= sizeof m) {
        memcpy(m + sizeof m - 4, "...", 4);
    }
    memcpy(tl_msg, m, sizeof m);
    flatten(tl_msg, sizeof tl_msg);
    tl_code = code;
    return code;
}

int sk_error_prefix(int code, const char *prefix)
{
    char old[SK_ERROR_MAX];
    memcpy(old, tl_msg, sizeof old);
    return sk_error_set(code, "%s: %s", prefix, old);
}

const char *sk_error_last(void)
{
    return tl_msg;
}

int sk_error_last_code(void)
{
    return tl_code;
}

void sk_error_clear(void)
{
    tl_msg[0] = '\0';
    tl_code = SK_OK;
}

const char *sk_error_name(int code)
{
    switch (code) {
    case SK_OK: return "SK_OK";
    case SK_ENOMEM: return "SK_ENOMEM";
    case SK_EINVAL: return "SK_EINVAL";
    case SK_EIO: return "SK_EIO";
    case SK_EFORMAT: return "SK_EFORMAT";
    case SK_ELIMIT: return "SK_ELIMIT";
    case SK_ENOTFOUND: return "SK_ENOTFOUND";
    case SK_EEXISTS: return "SK_EEXISTS";
    case SK_EINTERNAL: return "SK_EINTERNAL";
    default: return "SK_E?";
    }
}
