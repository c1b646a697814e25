/*
 * net.c - IPv4/IPv6 addresses and prefixes, parsed without inet_pton's locale and
 * length assumptions: the input is a (pointer, length) slice from a log line.
 */
#include <string.h>

#include <sakimori/net.h>

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int sk_ip_is_v4(const sk_ip *ip)
{
    return memcmp(ip->a, v4mapped, 12) == 0;
}

/* Dotted quad, strict: four decimal parts 0-255, no leading zeros (which some
 * parsers read as octal, a classic IOC-evasion trick). */
/* dotted quad: four decimal octets of one to three digits, no leading zero, <= 255 */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
    if (n < 7 || n > 15) return SK_EFORMAT;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.') return SK_EFORMAT;
            i++;
        }
        unsigned v, c;
        if (i >= n || (v = (unsigned)(unsigned char)s[i] - '0') > 9) return SK_EFORMAT;
        i++;
        if (i < n && (c = (unsigned)(unsigned char)s[i] - '0') <= 9) {
            if (!v) return SK_EFORMAT; /* a leading zero */
            v = v * 10 + c, i++;
            if (i < n && (c = (unsigned)(unsigned char)s[i] - '0') <= 9) {
                v = v * 10 + c, i++;
                if (v > 255) return SK_EFORMAT;
            }
        }
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : SK_EFORMAT;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t words[8];
    int nw = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == n) goto done;
    } else if (n && s[0] == ':') {
        return SK_EFORMAT;
    }
    while (i < n) {
        if (nw >= 8) return SK_EFORMAT;
        /* an embedded IPv4 tail */
        size_t j = i;
        while (j < n && s[j] != ':') j++;
        if (memchr(s + i, '.', j - i)) {
            if (j != n || nw > 6) return SK_EFORMAT;
            uint8_t q[4];
            if (parse_v4(s + i, j - i, q)) return SK_EFORMAT;
            words[nw++] = (uint16_t)(q[0] << 8 | q[1]);
            words[nw++] = (uint16_t)(q[2] << 8 | q[3]);
            i = j;
            break;
        }
        unsigned v = 0;
        size_t start = i;
        while (i < n && i - start < 4 && hexval(s[i]) >= 0) v = v * 16 + (unsigned)hexval(s[i++]);
        if (i == start) return SK_EFORMAT;
        words[nw++] = (uint16_t)v;
        if (i == n) break;
        if (s[i] != ':') return SK_EFORMAT;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0) return SK_EFORMAT;
            gap = nw;
            i++;
            if (i == n) break;
        } else if (i == n) {
            return SK_EFORMAT; /* trailing single colon */
        }
    }
done:
    if (gap < 0 && nw != 8) return SK_EFORMAT;
    if (gap >= 0 && nw > 7) return SK_EFORMAT;
    memset(out, 0, 16);
    int tail = gap >= 0 ? nw - gap : 0;
    int head = gap >= 0 ? gap : nw;
    for (int k = 0; k < head; k++) {
        out[2 * k] = (uint8_t)(words[k] >> 8);
        out[2 * k + 1] = (uint8_t)words[k];
    }
    for (int k = 0; k < tail; k++) {
        int pos = 8 - tail + k;
        out[2 * pos] = (uint8_t)(words[head + k] >> 8);
        out[2 * pos + 1] = (uint8_t)words[head + k];
    }
    return 0;
}

int sk_ip_parse(const char *s, size_t n, sk_ip *out)
{
    if (n == 0 || n > 45) return SK_EFORMAT;
    if (memchr(s, ':', n)) return parse_v6(s, n, out->a);
    memcpy(out->a, v4mapped, 12);
    return parse_v4(s, n, out->a + 12);
}

int sk_prefix_parse(const char *s, size_t n, int allow_host_bits, sk_prefix *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (sk_ip_parse(s, alen, &out->ip)) return SK_EFORMAT;
    /* the length counts over the notation's family: "::ffff:10.0.0.0/104" is 10.0.0.0/8 */
    int v4 = sk_ip_is_v4(&out->ip) && !memchr(s, ':', alen);
    unsigned bits = v4 ? 32 : 128;
    if (slash) {
        size_t i = alen + 1;
        if (i == n || n - i > 3) return SK_EFORMAT;
        unsigned b = 0;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') return SK_EFORMAT;
            b = b * 10 + (unsigned)(s[i] - '0');
        }
        if (b > bits) return SK_EFORMAT;
        bits = b;
    }
    out->bits = (uint8_t)(v4 ? bits + 96 : bits);
    for (unsigned k = out->bits; k < 128; k++) {
        uint8_t mask = (uint8_t)(0x80 >> (k % 8));
        if (out->ip.a[k / 8] & mask) {
            if (!allow_host_bits) return SK_EFORMAT;
            out->ip.a[k / 8] &= (uint8_t)~mask;
        }
    }
    return 0;
}

static int match_bits(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned full = bits / 8, rem = bits % 8;
    if (memcmp(a, b, full)) return 0;
    if (rem) {
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        if ((a[full] & mask) != (b[full] & mask)) return 0;
    }
    return 1;
}

int sk_prefix_contains(const sk_prefix *p, const sk_ip *ip)
{
    return match_bits(p->ip.a, ip->a, p->bits);
}

int sk_prefix_overlaps(const sk_prefix *a, const sk_prefix *b)
{
    return match_bits(a->ip.a, b->ip.a, a->bits < b->bits ? a->bits : b->bits);
}

int sk_ip_format(sk_buf *out, const sk_ip *ip)
{
    const uint8_t *a = ip->a;
    if (sk_ip_is_v4(ip)) return sk_buf_printf(out, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
    /* RFC 5952: longest run (>= 2) of zero words becomes "::", first one on ties */
    int best = -1, bestlen = 0;
    for (int i = 0; i < 8;) {
        if (a[2 * i] || a[2 * i + 1]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !a[2 * j] && !a[2 * j + 1]) j++;
        if (j - i > bestlen && j - i >= 2) {
            best = i;
            bestlen = j - i;
        }
        i = j;
    }
    int rc = 0;
    for (int i = 0; i < 8 && !rc; i++) {
        if (i == best) {
            rc = sk_buf_puts(out, "::");
            i += bestlen - 1;
            continue;
        }
        if (i && i != best + bestlen) rc = sk_buf_putc(out, ':');
        if (!rc) rc = sk_buf_printf(out, "%x", (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
    }
    return rc;
}

int sk_prefix_format(sk_buf *out, const sk_prefix *p)
{
    int rc = sk_ip_format(out, &p->ip);
    if (rc) return rc;
    return sk_buf_printf(out, "/%u", sk_ip_is_v4(&p->ip) ? p->bits - 96u : p->bits);
}
