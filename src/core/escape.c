/*
 * escape.c - escapers for terminal, CSV and HTML output (see sakimori/escape.h).
 */
#include <sakimori/escape.h>
#include <sakimori/utf.h>

static int is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

int sk_escape_terminal(sk_buf *out, const char *s, size_t n)
{
    return sk_escape_terminal_ex(out, s, n, 0);
}

int sk_escape_terminal_ex(sk_buf *out, const char *s, size_t n, unsigned flags)
{
    const uint8_t bs = (flags & SK_ESC_KEEP_BACKSLASH) ? 0 : '\\';
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    int rc = 0;
    while (i < n && !rc) {
        uint8_t c = u[i];
        if (c >= 0x20 && c < 0x7F) {
            size_t j = i;
            while (j < n && u[j] >= 0x20 && u[j] < 0x7F && u[j] != bs) j++;
            if (j > i) {
                rc = sk_buf_append(out, s + i, j - i);
                i = j;
                continue;
            }
            rc = sk_buf_puts(out, "\\\\");
            i++;
            continue;
        }
        if (c < 0x80) {
            rc = sk_buf_printf(out, "\\x%02x", c);
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = sk_utf8_decode(u + i, n - i, &cp, 0);
        if (!l) {
            rc = sk_buf_printf(out, "\\x%02x", c);
            i++;
        } else if ((cp >= 0x80 && cp < 0xA0) || is_bidi_control(cp) || cp == 0xFEFF ||
                   (cp >= 0x2028 && cp <= 0x2029)) {
            rc = sk_buf_printf(out, "\\u%04x", (unsigned)cp);
            i += l;
        } else {
            rc = sk_buf_append(out, s + i, l);
            i += l;
        }
    }
    return rc;
}

int sk_escape_csv(sk_buf *out, const char *s, size_t n)
{
    int quote = 0, rc;
    if (n && s[0] == ' ') quote = 1;
    for (size_t i = 0; i < n && !quote; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') quote = 1;
    int formula = n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                        s[0] == '\t' || s[0] == '\r');
    if (quote && (rc = sk_buf_putc(out, '"'))) return rc;
    if (formula && (rc = sk_buf_putc(out, '\''))) return rc;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '"' && ((unsigned char)s[j] >= 0x20 || s[j] == '\t' ||
                                        s[j] == '\r' || s[j] == '\n') && s[j] != 0x7f)
            j++;
        if (j > i && (rc = sk_buf_append(out, s + i, j - i))) return rc;
        if (j >= n) break;
        if (s[j] == '"')
            rc = sk_buf_puts(out, "\"\"");
        else
            rc = sk_buf_printf(out, "\\x%02x", (unsigned char)s[j]);
        if (rc) return rc;
        i = j + 1;
    }
    if (quote && (rc = sk_buf_putc(out, '"'))) return rc;
    return 0;
}

int sk_escape_html(sk_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    int rc;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&' && s[j] != '<' && s[j] != '>' && s[j] != '"' &&
               s[j] != '\'' && s[j] != '\0')
            j++;
        if (j > i && (rc = sk_buf_append(out, s + i, j - i))) return rc;
        if (j >= n) break;
        const char *e = "";
        switch (s[j]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        case '\0': e = "&#xFFFD;"; break;
        }
        if ((rc = sk_buf_puts(out, e))) return rc;
        i = j + 1;
    }
    return 0;
}
