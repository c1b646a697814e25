/*
 * domain.c - host-name normalisation, punycode and the public suffix list
 * (sakimori/domain.h). ASCII names, nearly all of them, never reach libidn2: they are
 * lower-cased and checked here. A name with other bytes goes through
 * idn2_to_ascii_8z with non-transitional processing (IDNA2008 + UTS #46, so "faß.de" is
 * "xn--fa-hia.de", not "fass.de") and the result is checked the same way. The public
 * suffix list is libpsl's built-in copy: fixed at build time, so results do not change
 * with the machine's /usr/share/publicsuffix, and nothing is loaded or freed.
 */
#include <string.h>

#include <idn2.h>
#include <libpsl.h>

#include <sakimori/common.h>
#include <sakimori/domain.h>
#include <sakimori/net.h>

/* lower-case an ASCII name into out and check its labels; 0 or SK_EFORMAT */
static int check_ascii(const char *s, size_t n, char *out, size_t *on)
{
    if (!n || n > SK_DOMAIN_MAX) return SK_EFORMAT;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (!label) return SK_EFORMAT;
            label = 0;
            out[i] = c;
            continue;
        }
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') || ++label > 63) return SK_EFORMAT;
        out[i] = c;
    }
    if (!label) return SK_EFORMAT;
    out[n] = 0;
    *on = n;
    return 0;
}

int sk_domain_normalize(const char *s, size_t n, char out[SK_DOMAIN_MAX + 1], size_t *out_len)
{
    if (n && s[n - 1] == '.') n--;
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++) ascii = (unsigned char)s[i] < 0x80 && s[i] != 0;
    if (ascii) return check_ascii(s, n, out, out_len);
    /* punycode: four times the name's length is more than any label may grow */
    if (n > 4 * SK_DOMAIN_MAX || memchr(s, 0, n)) return SK_EFORMAT;
    char in[4 * SK_DOMAIN_MAX + 1];
    memcpy(in, s, n);
    in[n] = 0;
    char *a = NULL;
    if (idn2_to_ascii_8z(in, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK || !a) {
        idn2_free(a);
        return SK_EFORMAT;
    }
    size_t an = strlen(a);
    if (an && a[an - 1] == '.') an--;
    int rc = check_ascii(a, an, out, out_len);
    idn2_free(a);
    return rc;
}

static const psl_ctx_t *list(void)
{
    return psl_builtin();
}

int sk_domain_is_public_suffix(const char *name, size_t n)
{
    char z[SK_DOMAIN_MAX + 1];
    if (!n || n > SK_DOMAIN_MAX || !list()) return 0;
    memcpy(z, name, n);
    z[n] = 0;
    return psl_is_public_suffix(list(), z) ? 1 : 0;
}

int sk_domain_registrable(const char *host, size_t n, char out[SK_DOMAIN_MAX + 1], size_t *out_len)
{
    char z[SK_DOMAIN_MAX + 1];
    size_t zn;
    sk_ip ip;
    const char *h = host;
    size_t hn = n;
    if (hn && h[0] == '[' && h[hn - 1] == ']') return SK_EFORMAT; /* [v6] */
    if (!sk_ip_parse(h, hn, &ip)) return SK_EFORMAT;
    if (sk_domain_normalize(h, hn, z, &zn)) return SK_EFORMAT;
    if (!list()) return SK_ENOTFOUND;
    const char *r = psl_registrable_domain(list(), z);
    if (!r) return SK_ENOTFOUND;
    size_t rn = strlen(r);
    memcpy(out, r, rn + 1);
    *out_len = rn;
    return 0;
}
