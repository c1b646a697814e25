/*
 * error.c - the thread-local last-error message.
 *
 * Messages are kept to one line: a message quoting hostile input (a file name with
 * a newline, a log line with ANSI escapes) must not be able to forge extra lines
 * in a terminal or a log, so control bytes are rewritten as visible \xNN.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sakimori/common.h>

static _Thread_local char tl_msg[SK_ERROR_MAX];
static _Thread_local int tl_code;

/* Rewrite control bytes as visible \xNN so the message stays one line and shows
 * what the input held; the result is cut at the buffer's end. */
static void flatten(char *s, size_t cap)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[SK_ERROR_MAX];
    size_t o = 0;
    for (const char *p = s; *p && o + 5 < sizeof tmp; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            tmp[o++] = '\\';
            tmp[o++] = 'x';
            tmp[o++] = hx[c >> 4];
            tmp[o++] = hx[c & 15];
        } else {
            tmp[o++] = (char)c;
        }
    }
    tmp[o] = '\0';
    memcpy(s, tmp, o + 1 < cap ? o + 1 : cap);
    s[cap - 1] = '\0';
}

int sk_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tl_msg, sizeof tl_msg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        tl_msg[0] = '\0';
    } else if ((size_t)n >= sizeof tl_msg) {
        memcpy(tl_msg + sizeof tl_msg - 4, "...", 4);
    }
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
