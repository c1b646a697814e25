/*
 * ioc.c - indicator sets (sakimori/ioc.h). A plain list gives one indicator a line, its
 * type told by its form: an address (IPv4, IPv6), a network (CIDR; host bits must be
 * clear), a URL (scheme://...), a hex digest of 32, 40 or 64 digits, else a domain (LDH
 * labels; "*.x" for subdomains only). Everything after " #" is the line's comment; a
 * comment line applies to the indicators under it until a blank line. Matching costs a
 * hash lookup per value (domains: one per parent; networks: one per prefix length in
 * the set), whatever the number of indicators. Duplicates (the same value from several
 * sources) are all kept and all reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/common.h>
#include <sakimori/ioc.h>
#include <sakimori/map.h>

struct sk_ioc_set {
    sk_arena *arena;
    sk_ioc *v;
    size_t n, cap;
    size_t *next;               /* per indicator: the next with the same key, or SIZE_MAX */
    sk_map *by_key;             /* type byte + normalised key -> first index + 1 */
    uint8_t lens[129];          /* prefix lengths present among the networks */
    int finished;
};

static const char *const type_names[SK_IOC_TYPES] = {"ip", "cidr", "domain", "url", "md5", "sha1", "sha256"};

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
    sk_map_free(s->by_key);
    sk_arena_free(s->arena);
    free(s->v);
    free(s->next);
    free(s);
}

size_t sk_ioc_set_count(const sk_ioc_set *s)
{
    return s->n;
}

const sk_ioc *sk_ioc_get(const sk_ioc_set *s, size_t i)
{
    return i < s->n ? &s->v[i] : NULL;
}

/* key: one type byte, then the bytes */
static int key_of(char *k, size_t cap, int type, const void *b, size_t n, size_t *kn)
{
    if (n + 1 > cap) return -1;
    k[0] = (char)type;
    memcpy(k + 1, b, n);
    *kn = n + 1;
    return 0;
}

static int add(sk_ioc_set *s, sk_ioc *ioc, const void *keyb, size_t keyn)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        sk_ioc *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv) return sk_error_set(SK_ENOMEM, "out of memory");
        s->v = nv;
        size_t *nn = realloc(s->next, cap * sizeof *nn);
        if (!nn) return sk_error_set(SK_ENOMEM, "out of memory");
        s->next = nn;
        s->cap = cap;
    }
    char k[4400];
    size_t kn;
    if (key_of(k, sizeof k, (int)ioc->type, keyb, keyn, &kn)) return 0;
    size_t idx = s->n;
    s->v[idx] = *ioc;
    s->next[idx] = SIZE_MAX;
    void *first = sk_map_get(s->by_key, k, kn);
    if (first) { /* append to the chain of that key */
        size_t j = (size_t)(uintptr_t)first - 1;
        while (s->next[j] != SIZE_MAX) j = s->next[j];
        s->next[j] = idx;
    } else if (sk_map_put(s->by_key, k, kn, (void *)(uintptr_t)(idx + 1), NULL)) {
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    s->n++;
    return 0;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}

/* lower case, no trailing dot, LDH labels of 1-63 (underscores tolerated: real names
 * have them); 0 when it is no domain */
static int norm_domain(const char *s, size_t n, char *out, size_t *on)
{
    if (n && s[n - 1] == '.') n--;
    if (!n || n > 253) return 0;
    size_t label = 0, labels = 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (!label) return 0;
            label = 0;
            labels++;
            out[i] = c;
            continue;
        }
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || (unsigned char)c >= 0x80;
        if (!ok || ++label > 63) return 0;
        out[i] = c;
    }
    if (!label || labels < 2) return 0; /* "localhost", "exe": no indicator */
    *on = n;
    return 1;
}

/* scheme://host[:port]/path: scheme and host lower case, the default port dropped, an
 * empty path "/"; the rest as written */
static int norm_url(const char *s, size_t n, char *out, size_t cap, size_t *on)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < n && i < 16; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') { sep = s + i; break; }
    if (!sep || sep == s || n + 2 > cap || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0; /* a scheme starts with a letter */
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
    for (size_t i = 0; i < hn; i++) out[o++] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
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
    if (!pl || path[0] != '/') out[o++] = '/';
    memcpy(out + o, path, pl);
    o += pl;
    *on = o;
    return 1;
}

static void say(void (*diag)(void *, const char *), void *ctx, const char *source, uint64_t line, const char *why, const char *v, size_t n)
{
    if (!diag) return;
    char msg[400];
    snprintf(msg, sizeof msg, "%s:%llu: %s: '%.*s'", source, (unsigned long long)line, why, (int)(n > 80 ? 80 : n), v);
    diag(ctx, msg);
}

int sk_ioc_set_add_list(sk_ioc_set *s, const char *source, const char *data, size_t n, void (*diag)(void *ctx, const char *line),
                        void *ctx)
{
    const char *src = sk_arena_strndup(s->arena, source ? source : "-", strlen(source ? source : "-"));
    if (!src) return sk_error_set(SK_ENOMEM, "out of memory");
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
        if (len > 4096) {
            say(diag, ctx, src, line, "longer than 4096 bytes: no indicator", l, 40);
            continue;
        }
        if (memchr(l, 0, len)) {
            say(diag, ctx, src, line, "a NUL: no indicator", "", 0);
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
        const char *comment = block_comment;
        size_t vn = len;
        for (size_t k = 0; k + 1 < len; k++)
            if ((l[k] == ' ' || l[k] == '\t') && l[k + 1] == '#') {
                vn = k;
                size_t c = k + 2;
                while (c < len && l[c] == ' ') c++;
                comment = sk_arena_strndup(s->arena, l + c, len - c);
                break;
            }
        while (vn && (l[vn - 1] == ' ' || l[vn - 1] == '\t')) vn--;
        /* defanged forms responders paste: hxxp, [.] */
        char buf[4200];
        size_t bn = 0;
        for (size_t k = 0; k < vn && bn < sizeof buf - 8; k++) {
            if (k + 3 <= vn && !memcmp(l + k, "[.]", 3)) { buf[bn++] = '.'; k += 2; continue; }
            if (k == 0 && vn >= 7 && (!memcmp(l, "hxxp", 4) || !memcmp(l, "hXXp", 4)) && (!memcmp(l + 4, "://", 3) || (vn >= 8 && !memcmp(l + 4, "s://", 4)))) {
                memcpy(buf, "http", 4); /* hxxp:// and hxxps:// only */
                bn = 4;
                k = 3;
                continue;
            }
            buf[bn++] = l[k];
        }
        buf[bn] = 0;
        if (memchr(buf, ' ', bn) || memchr(buf, '\t', bn)) {
            say(diag, ctx, src, line, "not one indicator (blanks inside)", l, vn);
            continue;
        }
        sk_ioc ioc = {.text = sk_arena_strndup(s->arena, l, vn), .source = src, .line = line, .comment = comment};
        if (!ioc.text) return sk_error_set(SK_ENOMEM, "out of memory");
        char norm[4200];
        size_t nn = 0;
        sk_ip ip;
        sk_prefix pfx;
        int rc = 0;
        if (!sk_ip_parse(buf, bn, &ip)) {
            ioc.type = SK_IOC_IP;
            ioc.norm = ioc.text;
            rc = add(s, &ioc, ip.a, 16);
        } else if (memchr(buf, '/', bn) && !strstr(buf, "://") && !sk_prefix_parse(buf, bn, 0, &pfx)) {
            ioc.type = SK_IOC_CIDR;
            ioc.norm = ioc.text;
            uint8_t kb[17];
            memcpy(kb, pfx.ip.a, 16);
            kb[16] = pfx.bits;
            s->lens[pfx.bits] = 1;
            rc = add(s, &ioc, kb, 17);
        } else if (norm_url(buf, bn, norm, sizeof norm, &nn)) {
            ioc.type = SK_IOC_URL;
            ioc.norm = sk_arena_strndup(s->arena, norm, nn);
            rc = ioc.norm ? add(s, &ioc, norm, nn) : SK_ENOMEM;
        } else if ((bn == 32 || bn == 40 || bn == 64) && is_hex(buf, bn)) {
            ioc.type = bn == 32 ? SK_IOC_MD5 : bn == 40 ? SK_IOC_SHA1 : SK_IOC_SHA256;
            for (size_t k = 0; k < bn; k++) norm[k] = (char)(buf[k] >= 'A' && buf[k] <= 'F' ? buf[k] + 32 : buf[k]);
            ioc.norm = sk_arena_strndup(s->arena, norm, bn);
            rc = ioc.norm ? add(s, &ioc, norm, bn) : SK_ENOMEM;
        } else {
            const char *d = buf;
            size_t dn = bn;
            if (dn > 2 && d[0] == '*' && d[1] == '.') d += 2, dn -= 2, ioc.subdomains_only = 1;
            if (!norm_domain(d, dn, norm, &nn)) {
                say(diag, ctx, src, line, "no indicator (address, network, domain, URL or hash)", l, vn);
                continue;
            }
            ioc.type = SK_IOC_DOMAIN;
            ioc.norm = sk_arena_strndup(s->arena, norm, nn);
            rc = ioc.norm ? add(s, &ioc, norm, nn) : SK_ENOMEM;
        }
        if (rc) return rc == SK_ENOMEM ? sk_error_set(SK_ENOMEM, "out of memory") : rc;
    }
    return 0;
}

static int chain(const sk_ioc_set *s, int type, const void *b, size_t n, int sub, sk_ioc_hit_cb cb, void *ctx)
{
    char k[4400];
    size_t kn;
    if (key_of(k, sizeof k, type, b, n, &kn)) return 0;
    void *first = sk_map_get(s->by_key, k, kn);
    for (size_t j = first ? (size_t)(uintptr_t)first - 1 : SIZE_MAX; j != SIZE_MAX; j = s->next[j]) {
        if (type == SK_IOC_DOMAIN && s->v[j].subdomains_only && !sub) continue;
        int rc = cb(ctx, j);
        if (rc) return rc;
    }
    return 0;
}

int sk_ioc_match_ip(const sk_ioc_set *s, const sk_ip *ip, sk_ioc_hit_cb cb, void *ctx)
{
    int rc = chain(s, SK_IOC_IP, ip->a, 16, 0, cb, ctx);
    for (int bits = 128; !rc && bits >= 0; bits--) {
        if (!s->lens[bits]) continue;
        uint8_t kb[17];
        memcpy(kb, ip->a, 16);
        for (int b = bits; b < 128; b++) kb[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
        kb[16] = (uint8_t)bits;
        rc = chain(s, SK_IOC_CIDR, kb, 17, 0, cb, ctx);
    }
    return rc;
}

int sk_ioc_match_domain(const sk_ioc_set *s, const char *host, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    char d[256];
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
    for (size_t i = 0; i < n; i++) d[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    /* the name, then each parent */
    for (size_t at = 0; at < n;) {
        int rc = chain(s, SK_IOC_DOMAIN, d + at, n - at, at > 0, cb, ctx);
        if (rc) return rc;
        const char *dot = memchr(d + at, '.', n - at);
        if (!dot) break;
        at = (size_t)(dot - d) + 1;
    }
    return 0;
}

int sk_ioc_match_url(const sk_ioc_set *s, const char *url, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    char norm[4200];
    size_t nn;
    if (n > 4096 || !norm_url(url, n, norm, sizeof norm, &nn)) return 0;
    return chain(s, SK_IOC_URL, norm, nn, 0, cb, ctx);
}

int sk_ioc_match_hash(const sk_ioc_set *s, const char *hex, size_t n, sk_ioc_hit_cb cb, void *ctx)
{
    if ((n != 32 && n != 40 && n != 64) || !is_hex(hex, n)) return 0;
    char h[64];
    for (size_t i = 0; i < n; i++) h[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] + 32 : hex[i]);
    return chain(s, n == 32 ? SK_IOC_MD5 : n == 40 ? SK_IOC_SHA1 : SK_IOC_SHA256, h, n, 0, cb, ctx);
}
