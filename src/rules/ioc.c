/*
 * ioc.c - indicator sets (sakimori/ioc.h): the set, the one door every value goes
 * through, plain lists, and matching. A value's type is told by its form unless its
 * format names it: an address (IPv4, IPv6), a network (CIDR; host bits must be clear), a
 * URL (scheme://...), a hex digest of 32, 40 or 64 digits, else a domain (LDH labels;
 * "*.x" for subdomains only); user agents and JA3 fingerprints only when named ("ua:",
 * "ja3:" in a plain list, or the format's type). Each value is normalised into a key (type byte + bytes);
 * entries with the same key are one match target, chained, so matching costs a hash
 * lookup per value (domains: one per parent; networks: one per prefix length in the
 * set), whatever the number of indicators, and reports each target once. In a plain
 * list everything after " #" is the line's comment; a comment line applies to the
 * indicators under it until a blank line. The other formats have their own files
 * (ioc_csv.c, ioc_stix.c, ioc_misp.c, ioc_warn.c); sk_ioc_set_add tells them apart.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/buf.h>
#include <sakimori/domain.h>
#include <sakimori/net.h>

#include "ioc_int.h"

static const char *const type_names[SK_IOC_TYPES] = {"ip", "cidr", "domain", "url", "md5", "sha1", "sha256", "user_agent", "ja3"};

const char *sk_ioc_type_name(sk_ioc_type t)
{
    return t >= 0 && t < SK_IOC_TYPES ? type_names[t] : "?";
}

int sk_ioc_set_new(sk_ioc_set **out)
{
    sk_ioc_set *s = calloc(1, sizeof *s);
    if (!s || sk_arena_new(&s->arena, 0, 0) || sk_map_new(&s->by_key, 0)) {
        if (s) sk_arena_free(s->arena);
        free(s);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

void sk_ioc_set_free(sk_ioc_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_wl; i++) ioc_warn_free(s->wl[i]);
    free(s->wl);
    sk_map_free(s->by_key);
    sk_arena_free(s->arena);
    free(s->v);
    free(s->next);
    free(s->bloom);
    free(s);
}

/* ---- the Bloom filter in front of the map ------------------------------------------
 * One 512-bit block per key (one cache line), four bits in it, 16 bits per key: about
 * 0.3% of the values in no list go on to the map. The hash is keyed with a random seed;
 * a value crafted to pass the filter only costs the map look-up it would have cost. A
 * key is its type and its value: the type goes into the seed (no copy to hash), and a
 * domain's exact and subdomains-only entries share their bits (one test a suffix). */

static uint64_t fast_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = seed ^ ((uint64_t)n * UINT64_C(0x9E3779B97F4A7C15));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
        b += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, b, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 29;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 32;
    return h;
}

static void bloom_set(uint64_t *bl, size_t blocks, uint64_t h)
{
    uint64_t *blk = bl + (size_t)(((h >> 32) * (uint64_t)blocks) >> 32) * 8;
    uint64_t g = h * UINT64_C(0x9E3779B97F4A7C15);
    for (int i = 0; i < 4; i++, g >>= 9) blk[(g & 511) >> 6] |= UINT64_C(1) << (g & 63);
}

static uint64_t bloom_hash(uint64_t seed, int type, const void *v, size_t n)
{
    return fast_hash(v, n, seed ^ ((uint64_t)(type & 0x7f) * UINT64_C(0xd6e8feb86659fd93)));
}

static const uint64_t *bloom_block(const sk_ioc_set *s, uint64_t h)
{
    return s->bloom + (size_t)(((h >> 32) * (uint64_t)s->bloom_blocks) >> 32) * 8;
}

static int bloom_bits(const uint64_t *blk, uint64_t h)
{
    uint64_t g = h * UINT64_C(0x9E3779B97F4A7C15);
    for (int i = 0; i < 4; i++, g >>= 9)
        if (!(blk[(g & 511) >> 6] & (UINT64_C(1) << (g & 63)))) return 0;
    return 1;
}

static int bloom_test(const sk_ioc_set *s, int type, const void *v, size_t n)
{
    if (!s->bloom) return 1;
    uint64_t h = bloom_hash(s->seed, type, v, n);
    return bloom_bits(bloom_block(s, h), h);
}

/* The filter also holds the host of every URL indicator (type URL_HOST): a URL whose host
 * no URL indicator has is not normalised to be looked up. */
#define URL_HOST 0x7e

/* the host of a normalised URL key (type byte, scheme://host[:port]/...) */
static int url_key_host(const void *key, size_t kl, const char **h, size_t *hn)
{
    const char *k = key;
    if (kl < 2 || (uint8_t)k[0] != SK_IOC_URL) return 0;
    const char *e = k + kl, *sep = memmem(k + 1, kl - 1 < 24 ? kl - 1 : 24, "://", 3);
    if (!sep) return 0;
    const char *a = sep + 3, *p = a;
    if (p < e && *p == '[') { /* [v6] */
        while (p < e && *p != ']') p++;
        if (p < e) p++;
    } else {
        while (p < e && *p != ':' && *p != '/') p++;
    }
    *h = a, *hn = (size_t)(p - a);
    return *hn > 0;
}

static void bloom_put(uint64_t *bl, size_t blocks, uint64_t seed, const void *key, size_t kl)
{
    if (!kl) return;
    bloom_set(bl, blocks, bloom_hash(seed, ((const uint8_t *)key)[0], (const char *)key + 1, kl - 1));
    const char *h;
    size_t hn;
    if (url_key_host(key, kl, &h, &hn)) bloom_set(bl, blocks, bloom_hash(seed, URL_HOST, h, hn));
}

/* a key added; the filter rebuilt twice as large when it holds more than it was sized for */
static int bloom_add(sk_ioc_set *s, const void *k, size_t n)
{
    if (!s->seed) {
        uint64_t r = 0;
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(&r, sizeof r, 1, f) != 1) r = (uint64_t)(uintptr_t)s ^ UINT64_C(0x5bd1e9955bd1e995);
        if (f) fclose(f);
        s->seed = r | 1;
    }
    if (s->bloom_keys + 2 > s->bloom_cap) {
        size_t cap = s->bloom_cap ? s->bloom_cap * 2 : 1024;
        size_t blocks = cap * 16 / 512;
        uint64_t *nb = calloc(blocks * 8, sizeof *nb);
        if (!nb) return SK_ENOMEM;
        size_t pos = 0, kl;
        const void *key;
        void *val;
        while (sk_map_next(s->by_key, &pos, &key, &kl, &val)) bloom_put(nb, blocks, s->seed, key, kl);
        free(s->bloom);
        s->bloom = nb;
        s->bloom_blocks = blocks;
        s->bloom_cap = cap;
    }
    bloom_put(s->bloom, s->bloom_blocks, s->seed, k, n);
    s->bloom_keys += 2;
    return 0;
}

static int labels_of(const char *d, size_t n)
{
    int k = 1;
    for (size_t i = 0; i < n; i++) k += d[i] == '.';
    return k > 64 ? 64 : k;
}

size_t sk_ioc_set_count(const sk_ioc_set *s)
{
    return s->n;
}

const sk_ioc *sk_ioc_get(const sk_ioc_set *s, size_t i)
{
    return i < s->n ? &s->v[i] : NULL;
}

void sk_ioc_set_stats(const sk_ioc_set *s, sk_ioc_stats *out)
{
    *out = s->st;
    out->entries = s->n;
}

size_t sk_ioc_set_next_entry(const sk_ioc_set *s, size_t i)
{
    return i < s->n ? s->next[i] : SIZE_MAX;
}

int sk_ioc_valid_at(const sk_ioc *ioc, sk_time t)
{
    if (t == SK_TIME_NONE) return 1;
    if (ioc->valid_from != SK_TIME_NONE && t < ioc->valid_from) return 0;
    if (ioc->valid_until != SK_TIME_NONE && t >= ioc->valid_until) return 0;
    return 1;
}

int sk_ioc_set_valid_at(const sk_ioc_set *s, size_t target, sk_time t)
{
    for (size_t j = target; j < s->n; j = s->next[j])
        if (sk_ioc_valid_at(&s->v[j], t)) return 1;
    return 0;
}

void ioc_say(const ioc_load *ld, uint64_t line, const char *fmt, ...)
{
    if (!ld->diag) return;
    char msg[600];
    int k = line ? snprintf(msg, sizeof msg, "%s:%llu: ", ld->source, (unsigned long long)line) : snprintf(msg, sizeof msg, "%s: ", ld->source);
    if (k < 0 || (size_t)k >= sizeof msg) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
    va_end(ap);
    ld->diag(ld->ctx, msg);
}

char *ioc_strdup(const ioc_load *ld, const char *s, size_t n)
{
    return sk_arena_strndup(ld->s->arena, s, n);
}

/* a value as diagnostics quote it: at most 80 bytes */
#define QV(v, n) (int)((n) > 80 ? 80 : (n)), (v)

static void refuse(ioc_load *ld, const ioc_meta *m, const char *why, const char *v, size_t n)
{
    ld->s->st.refused++;
    ioc_say(ld, m->line, "%s%s%s: '%.*s'", m->what ? m->what : "", m->what ? ": " : "", why, QV(v, n));
}

/* ---- normalisation ------------------------------------------------------------ */

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}

/* a domain indicator: normalised by sk_domain_normalize (lower case, no trailing dot,
 * punycode), two labels at least; 0 when it is no domain */
static int norm_domain(const char *s, size_t n, char *out, size_t *on)
{
    char d[SK_DOMAIN_MAX + 1];
    size_t dn;
    if (sk_domain_normalize(s, n, d, &dn) || !memchr(d, '.', dn)) return 0; /* "localhost", "exe": no indicator */
    memcpy(out, d, dn);
    *on = dn;
    return 1;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* RFC 3986 6.2.2.2: a percent-encoded unreserved character decoded, the hex digits of
 * the others upper case; a '%' not followed by two hex digits stays as it is */
static size_t pct_norm(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (in[i] == '%' && i + 2 < n && (hi = hexval(in[i + 1])) >= 0 && (lo = hexval(in[i + 2])) >= 0) {
            char c = (char)(hi * 16 + lo);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out[o++] = c;
            } else {
                out[o++] = '%';
                out[o++] = "0123456789ABCDEF"[hi];
                out[o++] = "0123456789ABCDEF"[lo];
            }
            i += 2;
            continue;
        }
        out[o++] = in[i];
    }
    return o;
}

/* scheme://host[:port]/path: scheme and host lower case, the default port dropped, an
 * empty path "/", the fragment dropped (no log holds one); the rest as written */
static int norm_url(const char *s, size_t n, char *out, size_t cap, size_t *on)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && i < 16; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') { sep = s + i; break; }
    if (!sep || sep == s || n + SK_DOMAIN_MAX + 8 > cap || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0; /* a scheme starts with a letter */
    size_t o = 0, sl = (size_t)(sep - s);
    for (size_t i = 0; i < sl; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return 0;
        out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    memcpy(out + o, "://", 3);
    o += 3;
    const char *a = sep + 3;
    size_t rest = n - sl - 3, an = 0;
    while (an < rest && a[an] != '/' && a[an] != '?' && a[an] != '#') an++;
    const char *at = NULL; /* the userinfo ends at the last '@' of the authority */
    for (size_t k = an; k > 0; k--)
        if (a[k - 1] == '@') { at = a + k - 1; break; }
    if (at) an -= (size_t)(at + 1 - a), rest -= (size_t)(at + 1 - a), a = at + 1;
    size_t hn = an;
    const char *colon = NULL;
    if (an && a[0] == '[') {
        const char *rb = memchr(a, ']', an);
        if (rb && (size_t)(rb - a) + 1 < an && rb[1] == ':') colon = rb + 1;
    } else {
        colon = memchr(a, ':', an);
    }
    if (colon) hn = (size_t)(colon - a);
    if (!hn) return 0;
    int ascii = 1;
    for (size_t i = 0; i < hn && ascii; i++) ascii = (unsigned char)a[i] < 0x80;
    char idn[SK_DOMAIN_MAX + 1];
    size_t idn_n;
    if (!ascii && !sk_domain_normalize(a, hn, idn, &idn_n)) { /* an internationalised host: punycode */
        memcpy(out + o, idn, idn_n);
        o += idn_n;
    } else {
        for (size_t i = 0; i < hn; i++) out[o++] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
    }
    while (o > sl + 3 && out[o - 1] == '.') o--; /* every trailing dot: normalising twice changes nothing */
    if (o == sl + 3) return 0;
    if (colon) {
        size_t pn = an - hn - 1;
        int dflt = (pn == 2 && !memcmp(colon + 1, "80", 2) && sl == 4 && !memcmp(out, "http", 4)) ||
                   (pn == 3 && !memcmp(colon + 1, "443", 3) && sl == 5 && !memcmp(out, "https", 5));
        if (!dflt) {
            out[o++] = ':';
            memcpy(out + o, colon + 1, pn);
            o += pn;
        }
    }
    const char *path = a + an;
    size_t pl = rest - an;
    const char *frag = memchr(path, '#', pl);
    if (frag) pl = (size_t)(frag - path);
    if (!pl || path[0] != '/') out[o++] = '/';
    o += pct_norm(path, pl, out + o); /* never longer than its input */
    *on = o;
    return 1;
}

int ioc_normalize(int type, const char *v, size_t n, char *out, size_t cap, size_t *on, int *sub)
{
    sk_ip ip;
    sk_prefix pfx;
    *sub = 0;
    *on = 0;
    if (n > IOC_MAX_VALUE || cap < IOC_NORM_MAX) return -1;
    int auto_type = type == IOC_AUTO;
    if (auto_type || type == SK_IOC_IP || type == SK_IOC_CIDR) {
        int v6b = n > 2 && v[0] == '[' && v[n - 1] == ']'; /* [2001:db8::1] */
        if (!sk_ip_parse(v + v6b, n - 2 * (size_t)v6b, &ip)) {
            sk_buf b;
            sk_buf_init(&b, 64);
            int rc = sk_ip_format(&b, &ip);
            if (!rc && b.len < cap) memcpy(out, b.data, b.len), *on = b.len;
            sk_buf_free(&b);
            return rc || !*on ? -1 : SK_IOC_IP;
        }
        if (memchr(v, '/', n) && !memmem(v, n, "://", 3) && !sk_prefix_parse(v, n, 0, &pfx)) {
            if (pfx.bits == 128) return ioc_normalize(SK_IOC_IP, v, (size_t)((const char *)memchr(v, '/', n) - v), out, cap, on, sub); /* /32, /128 */
            sk_buf b;
            sk_buf_init(&b, 80);
            int rc = sk_prefix_format(&b, &pfx);
            if (!rc && b.len < cap) memcpy(out, b.data, b.len), *on = b.len;
            sk_buf_free(&b);
            return rc ? -1 : SK_IOC_CIDR;
        }
        if (!auto_type) return -1;
    }
    if (auto_type || type == SK_IOC_URL) {
        if (norm_url(v, n, out, cap, on)) return SK_IOC_URL;
        if (!auto_type) {
            /* a URL written without its scheme ("evil.example/gate.php"): http */
            char tmp[IOC_MAX_VALUE + 16];
            if (memmem(v, n, "://", 3) || n + 7 > sizeof tmp) return -1;
            memcpy(tmp, "http://", 7);
            memcpy(tmp + 7, v, n);
            return norm_url(tmp, n + 7, out, cap, on) ? SK_IOC_URL : -1;
        }
    }
    if (type == SK_IOC_USER_AGENT) { /* byte for byte; no line ends or control bytes but the tab */
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)v[k] < 0x20 && v[k] != '\t') return -1;
        memcpy(out, v, n);
        *on = n;
        return n ? SK_IOC_USER_AGENT : -1;
    }
    if (type == SK_IOC_JA3) {
        if (n != 32 || !is_hex(v, n)) return -1;
        for (size_t k = 0; k < n; k++) out[k] = (char)(v[k] >= 'A' && v[k] <= 'F' ? v[k] + 32 : v[k]);
        *on = n;
        return SK_IOC_JA3;
    }
    if (auto_type || type == SK_IOC_MD5 || type == SK_IOC_SHA1 || type == SK_IOC_SHA256) {
        size_t want = type == SK_IOC_MD5 ? 32 : type == SK_IOC_SHA1 ? 40 : type == SK_IOC_SHA256 ? 64 : 0;
        if ((want ? n == want : (n == 32 || n == 40 || n == 64)) && is_hex(v, n)) {
            for (size_t k = 0; k < n; k++) out[k] = (char)(v[k] >= 'A' && v[k] <= 'F' ? v[k] + 32 : v[k]);
            *on = n;
            return n == 32 ? SK_IOC_MD5 : n == 40 ? SK_IOC_SHA1 : SK_IOC_SHA256;
        }
        if (!auto_type) return -1;
    }
    if (auto_type || type == SK_IOC_DOMAIN) {
        if (n > 2 && v[0] == '*' && v[1] == '.') v += 2, n -= 2, *sub = 1;
        if (norm_domain(v, n, out, on)) return sk_domain_is_public_suffix(out, *on) ? IOC_PUBLIC_SUFFIX : SK_IOC_DOMAIN;
    }
    return -1;
}

/* key: one type byte (high bit: subdomains only), then the bytes */
static int make_key(int type, int sub, const char *norm, size_t nn, char *k, size_t cap, size_t *kn)
{
    k[0] = (char)(type | (sub ? 0x80 : 0));
    if (type == SK_IOC_IP) {
        sk_ip ip;
        if (sk_ip_parse(norm, nn, &ip)) return -1;
        memcpy(k + 1, ip.a, 16);
        *kn = 17;
    } else if (type == SK_IOC_CIDR) {
        sk_prefix p;
        if (sk_prefix_parse(norm, nn, 0, &p)) return -1;
        memcpy(k + 1, p.ip.a, 16);
        k[17] = (char)p.bits;
        *kn = 18;
    } else {
        if (nn + 1 > cap) return -1;
        memcpy(k + 1, norm, nn);
        *kn = nn + 1;
    }
    return 0;
}

/* defanged forms responders paste: hxxp:// and hxxps:// as a scheme, [.] and [:] */
static size_t refang(const char *l, size_t vn, char *buf, size_t cap)
{
    size_t bn = 0;
    for (size_t k = 0; k < vn && bn + 8 < cap; k++) {
        if (k + 3 <= vn && (!memcmp(l + k, "[.]", 3) || !memcmp(l + k, "[:]", 3))) { buf[bn++] = l[k + 1]; k += 2; continue; }
        if (k == 0 && vn >= 7 && (!memcmp(l, "hxxp", 4) || !memcmp(l, "hXXp", 4)) && (!memcmp(l + 4, "://", 3) || (vn >= 8 && !memcmp(l + 4, "s://", 4)))) {
            memcpy(buf, "http", 4);
            bn = 4;
            k = 3;
            continue;
        }
        buf[bn++] = l[k];
    }
    buf[bn] = 0;
    return bn;
}

static int grow(sk_ioc_set *s)
{
    if (s->n < s->cap) return 0;
    size_t cap = s->cap ? s->cap * 2 : 256;
    sk_ioc *nv = realloc(s->v, cap * sizeof *nv);
    if (!nv) return SK_ENOMEM;
    s->v = nv;
    size_t *nn = realloc(s->next, cap * sizeof *nn);
    if (!nn) return SK_ENOMEM;
    s->next = nn;
    s->cap = cap;
    return 0;
}

int ioc_add_value(ioc_load *ld, int type, const char *v, size_t n, const ioc_meta *m)
{
    sk_ioc_set *s = ld->s;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n')) n--;
    while (n && (v[0] == ' ' || v[0] == '\t' || v[0] == '\r' || v[0] == '\n')) v++, n--;
    if (!n) {
        refuse(ld, m, "an empty value", v, n);
        return 1;
    }
    if (n > IOC_MAX_VALUE) {
        refuse(ld, m, "longer than 4096 bytes: no indicator", v, 40);
        return 1;
    }
    if (memchr(v, 0, n)) {
        refuse(ld, m, "a NUL: no indicator", "", 0);
        return 1;
    }
    char buf[IOC_NORM_MAX];
    size_t bn;
    if (type == SK_IOC_USER_AGENT) { /* blanks are part of it; nothing defanged */
        memcpy(buf, v, n);
        bn = n;
    } else {
        bn = refang(v, n, buf, sizeof buf);
    }
    if (type != SK_IOC_USER_AGENT && (memchr(buf, ' ', bn) || memchr(buf, '\t', bn) || memchr(buf, '\n', bn) || memchr(buf, '\r', bn))) {
        refuse(ld, m, "not one indicator (blanks inside)", v, n);
        return 1;
    }
    char norm[IOC_NORM_MAX];
    size_t nn = 0;
    int sub = 0;
    int t = ioc_normalize(type, buf, bn, norm, sizeof norm, &nn, &sub);
    if (t == IOC_PUBLIC_SUFFIX) {
        refuse(ld, m, "a public suffix, it would match every name under it: refused", v, n);
        return 1;
    }
    if (t < 0) {
        char why[96];
        if (type == IOC_AUTO) snprintf(why, sizeof why, "no indicator (address, network, domain, URL or hash)");
        else snprintf(why, sizeof why, "no %s", sk_ioc_type_name((sk_ioc_type)type));
        refuse(ld, m, why, v, n);
        return 1;
    }
    if (m->valid_from != SK_TIME_NONE && m->valid_until != SK_TIME_NONE && m->valid_until <= m->valid_from) {
        refuse(ld, m, "its validity ends before it begins: never valid", v, n);
        return 1;
    }
    char k[IOC_NORM_MAX + 16];
    size_t kn;
    if (make_key(t, sub, norm, nn, k, sizeof k, &kn)) {
        refuse(ld, m, "no indicator", v, n);
        return 1;
    }
    if (grow(s)) return sk_error_set(SK_ENOMEM, "out of memory");
    sk_ioc ioc = {.type = (sk_ioc_type)t, .source = ld->source, .line = m->line, .comment = m->comment, .id = m->id, .feed = m->feed,
                  .valid_from = m->valid_from, .valid_until = m->valid_until, .subdomains_only = sub};
    ioc.text = m->text ? ioc_strdup(ld, m->text, m->text_n) : ioc_strdup(ld, v, n);
    ioc.norm = ioc_strdup(ld, norm, nn);
    if (!ioc.text || !ioc.norm) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t idx = s->n;
    void *first = sk_map_get(s->by_key, k, kn);
    if (first) { /* another entry of that target: chained after the last */
        size_t j = (size_t)(uintptr_t)first - 1;
        ioc.target = j;
        ioc.warninglist = s->v[j].warninglist;
        while (s->next[j] != SIZE_MAX) j = s->next[j];
        s->next[j] = idx;
    } else {
        if (sk_map_put(s->by_key, k, kn, (void *)(uintptr_t)(idx + 1), NULL) || bloom_add(s, k, kn))
            return sk_error_set(SK_ENOMEM, "out of memory");
        ioc.target = idx;
        s->per_type[t & 15]++;
        if (t == SK_IOC_DOMAIN) {
            uint64_t bit = UINT64_C(1) << (labels_of(norm, nn) - 1);
            if (sub) s->sub_labels |= bit;
            else s->dom_labels |= bit;
        }
        s->st.targets++;
        if (t == SK_IOC_CIDR && !s->lens[(uint8_t)k[17]]) {
            uint8_t bits = (uint8_t)k[17];
            s->lens[bits] = 1;
            size_t at = 0;
            while (at < s->n_lens && s->len_list[at] > bits) at++;
            memmove(s->len_list + at + 1, s->len_list + at, s->n_lens - at);
            s->len_list[at] = bits;
            s->n_lens++;
        }
        if (s->n_wl) ioc.warninglist = ioc_warn_check(s, &ioc);
    }
    s->v[idx] = ioc;
    s->next[idx] = SIZE_MAX;
    s->n++;
    if (ioc.warninglist) {
        s->st.filtered++;
        ioc_say(ld, m->line, "%s%s'%.*s' is on the warninglist '%s': not matched", m->what ? m->what : "", m->what ? ": " : "", QV(v, n),
                ioc.warninglist);
    }
    return 0;
}

/* ---- names and times ---------------------------------------------------------- */

static int eq_ci(const char *s, size_t n, const char *w)
{
    size_t wn = strlen(w);
    if (n != wn) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != w[i]) return 0;
    }
    return 1;
}

int ioc_type_from_name(const char *s, size_t n)
{
    static const struct { const char *name; int type; } names[] = {
        {"ip", SK_IOC_IP}, {"ipv4", SK_IOC_IP}, {"ipv6", SK_IOC_IP}, {"ip-addr", SK_IOC_IP}, {"ipv4-addr", SK_IOC_IP},
        {"ipv6-addr", SK_IOC_IP}, {"ip-src", SK_IOC_IP}, {"ip-dst", SK_IOC_IP}, {"address", SK_IOC_IP}, {"ip_address", SK_IOC_IP},
        {"cidr", SK_IOC_CIDR}, {"network", SK_IOC_CIDR}, {"subnet", SK_IOC_CIDR}, {"ip-range", SK_IOC_CIDR},
        {"domain", SK_IOC_DOMAIN}, {"hostname", SK_IOC_DOMAIN}, {"host", SK_IOC_DOMAIN}, {"fqdn", SK_IOC_DOMAIN},
        {"domain-name", SK_IOC_DOMAIN}, {"domain_name", SK_IOC_DOMAIN},
        {"url", SK_IOC_URL}, {"uri", SK_IOC_URL}, {"link", SK_IOC_URL},
        {"md5", SK_IOC_MD5}, {"sha1", SK_IOC_SHA1}, {"sha-1", SK_IOC_SHA1}, {"sha256", SK_IOC_SHA256}, {"sha-256", SK_IOC_SHA256},
        {"user_agent", SK_IOC_USER_AGENT}, {"user-agent", SK_IOC_USER_AGENT}, {"useragent", SK_IOC_USER_AGENT}, {"ua", SK_IOC_USER_AGENT},
        {"http_user_agent", SK_IOC_USER_AGENT},
        {"ja3", SK_IOC_JA3}, {"ja3-fingerprint-md5", SK_IOC_JA3}, {"ja3_fingerprint", SK_IOC_JA3}, {"ja3_md5", SK_IOC_JA3},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (eq_ci(s, n, names[i].name)) return names[i].type;
    return -1;
}

int ioc_time_parse(const char *s, size_t n, int kind, sk_time *out)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    while (n && (s[0] == ' ' || s[0] == '\t')) s++, n--;
    if (!n || n > 64) return -1;
    sk_stamp st;
    if (!sk_time_parse_iso8601(s, n, NULL, &st)) {
        *out = st.utc;
        if (kind == 2) {
            if (*out == INT64_MAX) return -1;
            *out += 1; /* the last instant seen is still inside */
        }
        return 0;
    }
    if (n == 10 && s[4] == '-' && s[7] == '-') { /* a date alone */
        int64_t y = 0;
        int mo = 0, d = 0;
        for (int i = 0; i < 4; i++) {
            if (s[i] < '0' || s[i] > '9') return -1;
            y = y * 10 + (s[i] - '0');
        }
        if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9' || s[8] < '0' || s[8] > '9' || s[9] < '0' || s[9] > '9') return -1;
        mo = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        sk_civil c = {.year = y, .month = mo, .day = d};
        sk_time t;
        if (sk_time_from_civil(&c, &t)) return -1;
        if (kind == 2) t += 86400 * SK_NS_PER_SEC; /* the whole day */
        *out = t;
        return 0;
    }
    /* epoch seconds */
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 11) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v * SK_NS_PER_SEC + (kind == 2 ? SK_NS_PER_SEC : 0);
    return 0;
}

const char *ioc_json_str(const sk_json_value *o, const char *key, size_t *len)
{
    const sk_json_value *v = sk_json_object_get(o, key);
    if (!v || sk_json_type_of(v) != SK_JSON_STRING) return NULL;
    size_t l;
    const char *s = sk_json_string(v, &l);
    if (len) *len = l;
    return s;
}

/* ---- plain lists ---------------------------------------------------------------- */

static int add_plain(ioc_load *ld, const char *data, size_t n)
{
    sk_ioc_set *s = ld->s;
    const char *block_comment = NULL;
    uint64_t line = 0;
    size_t i = 0;
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF) i = 3;
    while (i < n) {
        const char *l = data + i;
        const char *e = memchr(l, '\n', n - i);
        size_t len = e ? (size_t)(e - l) : n - i;
        i += len + 1;
        line++;
        ioc_meta m = {.line = line, .valid_from = SK_TIME_NONE, .valid_until = SK_TIME_NONE};
        if (len > IOC_MAX_VALUE) {
            refuse(ld, &m, "longer than 4096 bytes: no indicator", l, 40);
            continue;
        }
        if (memchr(l, 0, len)) {
            refuse(ld, &m, "a NUL: no indicator", "", 0);
            continue;
        }
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t')) len--;
        size_t b = 0;
        while (b < len && (l[b] == ' ' || l[b] == '\t')) b++;
        l += b, len -= b;
        if (!len) { block_comment = NULL; continue; }
        if (l[0] == '#') {
            size_t c = 1;
            while (c < len && (l[c] == ' ' || l[c] == '#')) c++;
            block_comment = c < len ? sk_arena_strndup(s->arena, l + c, len - c) : NULL;
            continue;
        }
        m.comment = block_comment;
        size_t vn = len;
        for (size_t k = 0; k + 1 < len; k++)
            if ((l[k] == ' ' || l[k] == '\t') && l[k + 1] == '#') {
                vn = k;
                size_t c = k + 2;
                while (c < len && l[c] == ' ') c++;
                m.comment = sk_arena_strndup(s->arena, l + c, len - c);
                if (!m.comment) return sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
        while (vn && (l[vn - 1] == ' ' || l[vn - 1] == '\t')) vn--;
        /* "ua:" and "ja3:" name what the form cannot tell (a JA3 looks like an MD5) */
        int t = IOC_AUTO;
        size_t skip = 0;
        if (vn >= 3 && eq_ci(l, 3, "ua:")) t = SK_IOC_USER_AGENT, skip = 3;
        else if (vn >= 4 && eq_ci(l, 4, "ja3:")) t = SK_IOC_JA3, skip = 4;
        if (skip) {
            m.text = l;
            m.text_n = vn;
            while (skip < vn && (l[skip] == ' ' || l[skip] == '\t')) skip++;
        }
        int rc = ioc_add_value(ld, t, l + skip, vn - skip, &m);
        if (rc < 0) return rc;
    }
    return 0;
}

static int begin(ioc_load *ld, sk_ioc_set *s, const char *source, sk_ioc_diag_cb diag, void *ctx)
{
    const char *name = source ? source : "-";
    ld->s = s;
    ld->diag = diag;
    ld->ctx = ctx;
    ld->source = sk_arena_strndup(s->arena, name, strlen(name));
    return ld->source ? 0 : sk_error_set(SK_ENOMEM, "out of memory");
}

int sk_ioc_set_add_list(sk_ioc_set *s, const char *source, const char *data, size_t n, sk_ioc_diag_cb diag, void *ctx)
{
    ioc_load ld;
    int rc = begin(&ld, s, source, diag, ctx);
    return rc ? rc : add_plain(&ld, data, n);
}

/* ---- telling the formats apart ------------------------------------------------ */

/* the first line that is not blank or a comment */
static const char *first_line(const char *data, size_t n, size_t *len)
{
    size_t i = 0;
    while (i < n) {
        const char *l = data + i;
        const char *e = memchr(l, '\n', n - i);
        size_t ln = e ? (size_t)(e - l) : n - i;
        i += ln + 1;
        size_t b = 0;
        while (b < ln && (l[b] == ' ' || l[b] == '\t' || l[b] == '\r')) b++;
        if (b == ln || l[b] == '#') continue;
        *len = ln;
        return l;
    }
    return NULL;
}

int sk_ioc_set_add(sk_ioc_set *s, const char *source, const char *data, size_t n, sk_ioc_diag_cb diag, void *ctx)
{
    ioc_load ld;
    int rc = begin(&ld, s, source, diag, ctx);
    if (rc) return rc;
    size_t i = 0;
    if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF) i = 3;
    size_t j = i;
    while (j < n && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n')) j++;
    if (j < n && (data[j] == '{' || data[j] == '[')) {
        /* the tree costs a few times the text: bounded by the input's size */
        size_t len = n - i, cap = (size_t)64 << 20;
        if (len >= ((size_t)1 << 30) / 16) cap = (size_t)1 << 30;
        else if (16 * len > cap) cap = 16 * len;
        sk_json_limits lim = {.max_bytes = cap, .max_depth = 64, .keep_invalid_utf8 = 1};
        sk_json_doc *doc = NULL;
        if (sk_json_parse(&doc, data + i, len, ld.source, &lim)) {
            if (sk_error_last_code() == SK_ENOMEM) return SK_ENOMEM;
            return sk_error_set(SK_EFORMAT, "%s", sk_error_last());
        }
        const sk_json_value *root = sk_json_doc_root(doc);
        if (ioc_stix_is(root)) rc = ioc_add_stix(&ld, root);
        else if (ioc_misp_is(root)) rc = ioc_add_misp(&ld, root);
        else if (ioc_warn_is(root)) rc = ioc_add_warninglist(&ld, root);
        else rc = sk_error_set(SK_EFORMAT, "%s: JSON, but no STIX 2.1 bundle or indicator, MISP event export or MISP warninglist", ld.source);
        sk_json_doc_free(doc);
        return rc;
    }
    size_t fl;
    const char *l = first_line(data + i, n - i, &fl);
    if (l && ioc_csv_is_header(l, fl)) return ioc_add_csv(&ld, data + i, n - i);
    return add_plain(&ld, data, n);
}

/* ---- matching --------------------------------------------------------------------- */

/* the entry of (type, value) past the filter: the map */
static int chain_map(const sk_ioc_set *s, int type, const void *b, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    char k[IOC_NORM_MAX + 16];
    if (n + 1 > sizeof k) return 0;
    k[0] = (char)type;
    memcpy(k + 1, b, n);
    void *first = sk_map_get(s->by_key, k, n + 1);
    if (!first) return 0;
    size_t j = (size_t)(uintptr_t)first - 1;
    if (s->v[j].warninglist) return 0;
    return cb(ctx, j);
}

static int chain(const sk_ioc_set *s, int type, const void *b, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    if (n + 1 > IOC_NORM_MAX + 16 || !bloom_test(s, type, b, n)) return 0;
    return chain_map(s, type, b, n, cb, ctx);
}

int sk_ioc_match_ip(const sk_ioc_set *s, const sk_ip *ip, sk_ioc_hit_cb cb, void *ctx)
{
    int rc = s->per_type[SK_IOC_IP] ? chain(s, SK_IOC_IP, ip->a, 16, cb, ctx) : 0;
    if (!s->per_type[SK_IOC_CIDR]) return rc;
    for (size_t li = 0; !rc && li < s->n_lens; li++) {
        int bits = s->len_list[li];
        uint8_t kb[17];
        memcpy(kb, ip->a, 16);
        /* the host bits cleared: the partial byte, then whole bytes */
        int full = bits / 8;
        if (full < 16) {
            if (bits % 8) kb[full] &= (uint8_t)(0xffu << (8 - bits % 8)), full++;
            memset(kb + full, 0, (size_t)(16 - full));
        }
        kb[16] = (uint8_t)bits;
        rc = chain(s, SK_IOC_CIDR, kb, 17, cb, ctx);
    }
    return rc;
}

/* the characters of a plain host (after lower-casing): a URL indicator's host is looked
 * up in the filter only when every character is one */
static const uint8_t plain_host_char[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static int match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx, int *url_may);

int sk_ioc_match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    return match_domain(s, host, n, cb, ctx, NULL);
}

int sk_ioc_match_host(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx, int *url_may)
{
    *url_may = s->per_type[SK_IOC_URL] != 0; /* until the filter says otherwise */
    return match_domain(s, host, n, cb, ctx, s->per_type[SK_IOC_URL] && s->bloom ? url_may : NULL);
}

/* url_may: NULL, or set to 0 when no URL indicator has this host (the filter's answer;
 * left as it is when the name is not plain) */
static int match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx, int *url_may)
{
    char d[256];
    size_t whole = n;
    while (whole && host[whole - 1] == '.') whole--;
    if (n && host[n - 1] == '.') n--;
    /* a name longer than DNS allows: its parents still match (the leading labels are
     * the attacker's to pad) */
    while (n >= sizeof d) {
        const char *dot = memchr(host, '.', n);
        if (!dot) return 0;
        n -= (size_t)(dot - host) + 1;
        host = dot + 1;
    }
    if (!n) return 0;
    /* lower case and the labels counted, eight bytes at a time while the name is ASCII */
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080), low7 = ones * 0x7f;
    size_t labels = 1; /* uncapped: a name of more than 64 labels counts down from its own */
    int ascii = 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, host + i, 8);
        if (w & highs) {
            ascii = 0;
            break;
        }
        uint64_t ge_a = (w + ones * (0x80 - 'A')) & highs, gt_z = (w + ones * (0x80 - 'Z' - 1)) & highs;
        w |= (ge_a & ~gt_z) >> 2;                    /* 'A'..'Z' + 32 */
        uint64_t x = w ^ (ones * '.');               /* a zero byte where there is a dot */
        uint64_t dots = ~(((x & low7) + low7) | x | low7); /* a high bit a dot */
        labels += (size_t)(((dots >> 7) * ones) >> 56);   /* summed into the top byte */
        memcpy(d + i, &w, 8);
    }
    for (; ascii && i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        if (c >= 0x80) ascii = 0;
        d[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        labels += c == '.';
    }
    size_t dn;
    if (!ascii) {
        if (!sk_domain_normalize(host, n, d, &dn)) n = dn; /* an internationalised name: as punycode */
        else
            for (size_t k = 0; k < n; k++) d[k] = (char)(host[k] >= 'A' && host[k] <= 'Z' ? host[k] + 32 : host[k]);
        labels = 1;
        for (size_t k = 0; k < n; k++) labels += d[k] == '.';
    }
    /* the name, then each parent (a parent also by its subdomains-only indicators); only
     * suffixes with as many labels as some indicator has are looked up: first every
     * suffix's filter block asked for (the cache misses overlap), then tested */
    enum { MAXS = 16 };
    size_t sat[MAXS];
    uint8_t sflags[MAXS];
    uint64_t sh[MAXS];
    size_t ns = 0;
    for (size_t at = 0; at < n && labels; labels--) {
        uint64_t bit = UINT64_C(1) << ((labels > 64 ? 64 : labels) - 1);
        int exact = (s->dom_labels & bit) != 0, sub = at > 0 && (s->sub_labels & bit);
        if (exact || sub) {
            if (ns == MAXS) { /* a name of many labels: the filter asked suffix by suffix from here */
                if (bloom_test(s, SK_IOC_DOMAIN, d + at, n - at)) {
                    int rc = exact ? chain_map(s, SK_IOC_DOMAIN, d + at, n - at, cb, ctx) : 0;
                    if (!rc && sub) rc = chain_map(s, SK_IOC_DOMAIN | 0x80, d + at, n - at, cb, ctx);
                    if (rc) return rc;
                }
            } else {
                sat[ns] = at, sflags[ns] = (uint8_t)(exact | sub << 1);
                if (s->bloom) {
                    sh[ns] = bloom_hash(s->seed, SK_IOC_DOMAIN, d + at, n - at);
                    __builtin_prefetch(bloom_block(s, sh[ns]));
                }
                ns++;
            }
        }
        const char *dot = memchr(d + at, '.', n - at);
        if (!dot) break;
        at = (size_t)(dot - d) + 1;
    }
    /* the whole name as a URL indicator's host: a plain ASCII name, whole (not cut to
     * its parents), its trailing dots dropped as plain_host_may_match drops them */
    if (url_may && ascii && whole && whole == n && n < sizeof d) {
        size_t k = 0;
        while (k < n && plain_host_char[(unsigned char)d[k]]) k++;
        if (k == n) {
            uint64_t uh = bloom_hash(s->seed, URL_HOST, d, n);
            *url_may = bloom_bits(bloom_block(s, uh), uh);
        }
    }
    for (size_t k = 0; k < ns; k++) {
        if (s->bloom && !bloom_bits(bloom_block(s, sh[k]), sh[k])) continue;
        size_t at = sat[k];
        int rc = (sflags[k] & 1) ? chain_map(s, SK_IOC_DOMAIN, d + at, n - at, cb, ctx) : 0;
        if (!rc && (sflags[k] & 2)) rc = chain_map(s, SK_IOC_DOMAIN | 0x80, d + at, n - at, cb, ctx);
        if (rc) return rc;
    }
    return 0;
}

/* 1 when a plain host (ASCII letters, digits, '-', '.', '_'; up to `end` or the first
 * '/', '?', '#' or ':') may be some URL indicator's, lower-cased and tested in the filter;
 * anything else (userinfo, IPv6, percent-encoding, an internationalised name) may */
static int plain_host_may_match(const sk_ioc_set *s, const char *p, const char *e)
{
    if (!s->bloom) return 1;
    char h[256];
    size_t hn = 0;
    for (; p < e && *p != '/' && *p != '?' && *p != '#' && *p != ':'; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) return 1;
        if (hn == sizeof h) return 1;
        h[hn++] = c;
    }
    while (hn && h[hn - 1] == '.') hn--;
    return !hn || bloom_test(s, URL_HOST, h, hn);
}

/* 1 when a URL's host may be some URL indicator's */
static int url_host_may_match(const sk_ioc_set *s, const char *url, size_t n)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && i < 16; i++)
        if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/') { sep = url + i; break; }
    return !sep || plain_host_may_match(s, sep + 3, url + n);
}

int sk_ioc_url_host_may_match(const sk_ioc_set *s, const char *host, size_t n)
{
    return s->per_type[SK_IOC_URL] && plain_host_may_match(s, host, host + n);
}

int sk_ioc_match_url(const sk_ioc_set *s, const char *url, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    char norm[IOC_NORM_MAX];
    size_t nn;
    if (!s->per_type[SK_IOC_URL] || n > IOC_MAX_VALUE || !url_host_may_match(s, url, n) || !norm_url(url, n, norm, sizeof norm, &nn))
        return 0;
    return chain(s, SK_IOC_URL, norm, nn, cb, ctx);
}

int sk_ioc_match_hash(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    if ((n != 32 && n != 40 && n != 64) || !is_hex(hex, n)) return 0;
    char h[64];
    for (size_t i = 0; i < n; i++) h[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] + 32 : hex[i]);
    return chain(s, n == 32 ? SK_IOC_MD5 : n == 40 ? SK_IOC_SHA1 : SK_IOC_SHA256, h, n, cb, ctx);
}

int sk_ioc_match_user_agent(const sk_ioc_set *s, const char *ua, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    return n && n <= IOC_MAX_VALUE ? chain(s, SK_IOC_USER_AGENT, ua, n, cb, ctx) : 0;
}

int sk_ioc_match_ja3(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    if (n != 32 || !is_hex(hex, n)) return 0;
    char h[32];
    for (size_t i = 0; i < n; i++) h[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] + 32 : hex[i]);
    return chain(s, SK_IOC_JA3, h, n, cb, ctx);
}
