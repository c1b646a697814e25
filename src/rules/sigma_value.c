/*
 * sigma_value.c - a detection's field tests compiled from `Field|mod|mod: values`
 * (the modifiers appendix of the Sigma specification): wildcards and escapes parsed
 * once, the transformations (windash, base64, base64offset, utf16le/be, utf16, wide,
 * expand) applied in the order written, and the type modifiers (contains, startswith,
 * endswith, re with i/m/s, cidr, lt/lte/gt/gte, neq, exists, fieldref, cased, the time
 * parts) deciding what test each resulting value becomes.
 *
 * A value that expands into several (windash permutations, base64offset's three shifts,
 * a placeholder's list) becomes one group of alternatives, so that `all` still means
 * "every value written", as pySigma reads it. Literals are folded here, once, unless
 * `cased`; the matcher folds event text the same way (sg_fold).
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/utf.h>

#include "sigma_int.h"

/* ---- folding ---- */

/* Folds beyond the file-name table sk_utf8_fold_case() applies, so that a rule's
 * case-insensitive text and PCRE2's caseless regular expressions agree with the scan:
 * Greek final sigma and the accented capitals, the Kelvin and Angstrom signs, long s. */
static uint32_t fold_extra(uint32_t c)
{
    switch (c) {
    case 0x3C2: return 0x3C3;              /* final sigma */
    case 0x386: return 0x3AC;
    case 0x388: case 0x389: case 0x38A: return c + 37;
    case 0x38C: return 0x3CC;
    case 0x38E: case 0x38F: return c + 63;
    case 0x212A: return 'k';               /* Kelvin sign */
    case 0x212B: return 0xE5;              /* Angstrom sign */
    case 0x17F: return 's';                /* long s */
    case 0x1E9E: return 0xDF;              /* capital sharp s */
    }
    return 0;
}

int sg_fold(sk_buf *out, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    int rc = sk_buf_reserve(out, n);
    if (rc) return rc;
    size_t i = 0;
    char *dst = out->data + out->len;
    /* ASCII eight bytes at a time: a byte in A..Z gains 0x20 */
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, u + i, 8);
        if (w & 0x8080808080808080ull) break;
        uint64_t ge_a = w + 0x3F3F3F3F3F3F3F3Full; /* high bit: byte >= 'A' (0x41) */
        uint64_t gt_z = w + 0x2525252525252525ull; /* high bit: byte > 'Z' (0x5A) */
        w |= (ge_a & ~gt_z & 0x8080808080808080ull) >> 2;
        memcpy(dst + i, &w, 8);
    }
    while (i < n && u[i] < 0x80) {
        uint8_t c = u[i];
        dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        i++;
    }
    out->len += i;
    while (i < n) {
        if (u[i] < 0x80) {
            if ((rc = sk_buf_putc(out, (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32 : u[i])))) return rc;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = sk_utf8_decode(u + i, n - i, &cp, 1);
        if (!l) { /* not UTF-8: kept as it is */
            if ((rc = sk_buf_putc(out, (char)u[i]))) return rc;
            i++;
            continue;
        }
        uint32_t x = fold_extra(cp);
        if (x) {
            uint8_t enc[4];
            if ((rc = sk_buf_append(out, enc, sk_utf8_encode(x, enc)))) return rc;
        } else if ((rc = sk_utf8_fold_case(out, (const char *)u + i, l))) {
            return rc;
        }
        i += l;
    }
    return 0;
}

/* Glob with SG_GLOB_STAR / SG_GLOB_ONE markers; '?' takes one UTF-8 character. The
 * classic two-pointer match: linear but for backtracking to the last star. */
int sg_glob(const uint8_t *p, size_t pn, const uint8_t *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == SG_GLOB_STAR) {
            star_p = pi++;
            star_s = si;
            continue;
        }
        if (pi < pn && p[pi] == SG_GLOB_ONE) {
            size_t l = 1;
            if (s[si] >= 0xC0) {
                while (si + l < sn && l < 4 && (s[si + l] & 0xC0) == 0x80) l++;
            }
            pi++;
            si += l;
            continue;
        }
        if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_p != (size_t)-1) {
            pi = star_p + 1;
            si = ++star_s;
            continue;
        }
        return 0;
    }
    while (pi < pn && p[pi] == SG_GLOB_STAR) pi++;
    return pi == pn;
}

/* ---- the rule's field table ---- */

int sg_field_index(sg_cctx *c, const char *name, size_t n)
{
    for (size_t i = 0; i < c->n_fields; i++)
        if (c->fields[i].n == n && !memcmp(c->fields[i].name, name, n)) return (int)i;
    if (c->n_fields == c->cap_fields) {
        size_t cap = c->cap_fields ? c->cap_fields * 2 : 8;
        sg_fname *f = sk_arena_calloc(c->a, cap, sizeof *f);
        if (!f) return sk_error_set(SK_ENOMEM, "out of memory");
        if (c->n_fields) memcpy(f, c->fields, c->n_fields * sizeof *f);
        c->fields = f;
        c->cap_fields = cap;
    }
    sg_fname *f = &c->fields[c->n_fields];
    f->name = sk_arena_strndup(c->a, name, n);
    if (!f->name) return sk_error_set(SK_ENOMEM, "out of memory");
    f->n = n;
    f->hash = sk_event_name_hash(name, n);
    f->system = (uint8_t)sg_is_system_field(name, n);
    f->sys = sg_system_canon(name, n);
    f->sys_n = f->sys ? strlen(f->sys) : 0;
    return (int)c->n_fields++;
}

int sg_own_code(sg_cctx *c, pcre2_code *re)
{
    sk_sigma_set *s = c->set;
    if (!s) return 0;
    if (s->n_codes == s->cap_codes) {
        size_t cap = s->cap_codes ? s->cap_codes * 2 : 64;
        pcre2_code **nc = realloc(s->codes, cap * sizeof *nc);
        if (!nc) return sk_error_set(SK_ENOMEM, "out of memory");
        s->codes = nc;
        s->cap_codes = cap;
    }
    s->codes[s->n_codes++] = re;
    return 0;
}

/* ---- modifiers ---- */

enum {
    M_ALL = 1u << 0, M_CASED = 1u << 1, M_CONTAINS = 1u << 2, M_STARTS = 1u << 3, M_ENDS = 1u << 4,
    M_EXISTS = 1u << 5, M_RE = 1u << 6, M_CIDR = 1u << 7, M_NEQ = 1u << 8, M_FIELDREF = 1u << 9,
    M_EXPAND = 1u << 10, M_CMP = 1u << 11, M_TIME = 1u << 12
};
enum { T_WINDASH = 1, T_BASE64, T_BASE64OFF, T_UTF16LE, T_UTF16BE, T_UTF16 };

typedef struct mods {
    unsigned flags;
    int cmp;              /* SG_LT.. */
    int tpart;
    uint32_t re_flags;
    int tr[16];           /* transformations in order */
    size_t n_tr;
} mods;

static int parse_mods(sg_cctx *c, const char *key, size_t keylen, size_t name_len, mods *m, size_t line)
{
    memset(m, 0, sizeof *m);
    size_t i = name_len;
    int after_re = 0;
    while (i < keylen) {
        i++; /* '|' */
        size_t j = i;
        while (j < keylen && key[j] != '|') j++;
        const char *s = key + i;
        size_t n = j - i;
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(s, lit, n))
        int tr = 0;
        if (IS("all")) m->flags |= M_ALL;
        else if (IS("cased")) m->flags |= M_CASED;
        else if (IS("contains")) m->flags |= M_CONTAINS;
        else if (IS("startswith")) m->flags |= M_STARTS;
        else if (IS("endswith")) m->flags |= M_ENDS;
        else if (IS("exists")) m->flags |= M_EXISTS;
        else if (IS("re")) { m->flags |= M_RE; after_re = 1; }
        else if (after_re && IS("i")) m->re_flags |= PCRE2_CASELESS;
        else if (after_re && IS("m")) m->re_flags |= PCRE2_MULTILINE;
        else if (after_re && IS("s")) m->re_flags |= PCRE2_DOTALL;
        else if (IS("cidr")) m->flags |= M_CIDR;
        else if (IS("neq")) m->flags |= M_NEQ;
        else if (IS("fieldref")) m->flags |= M_FIELDREF;
        else if (IS("expand")) m->flags |= M_EXPAND;
        else if (IS("lt")) { m->flags |= M_CMP; m->cmp = SG_LT; }
        else if (IS("lte")) { m->flags |= M_CMP; m->cmp = SG_LTE; }
        else if (IS("gt")) { m->flags |= M_CMP; m->cmp = SG_GT; }
        else if (IS("gte")) { m->flags |= M_CMP; m->cmp = SG_GTE; }
        else if (IS("minute")) { m->flags |= M_TIME; m->tpart = SG_T_MINUTE; }
        else if (IS("hour")) { m->flags |= M_TIME; m->tpart = SG_T_HOUR; }
        else if (IS("day")) { m->flags |= M_TIME; m->tpart = SG_T_DAY; }
        else if (IS("week")) { m->flags |= M_TIME; m->tpart = SG_T_WEEK; }
        else if (IS("month")) { m->flags |= M_TIME; m->tpart = SG_T_MONTH; }
        else if (IS("year")) { m->flags |= M_TIME; m->tpart = SG_T_YEAR; }
        else if (IS("windash")) tr = T_WINDASH;
        else if (IS("base64")) tr = T_BASE64;
        else if (IS("base64offset")) tr = T_BASE64OFF;
        else if (IS("utf16le") || IS("wide")) tr = T_UTF16LE;
        else if (IS("utf16be")) tr = T_UTF16BE;
        else if (IS("utf16")) tr = T_UTF16;
        else {
            snprintf(c->err, sizeof c->err, "%s:%zu: unknown modifier '%.*s' in '%.*s'", c->path, line, (int)(n > 64 ? 64 : n),
                     s, (int)(keylen > 128 ? 128 : keylen), key);
            return SK_EFORMAT;
        }
#undef IS
        if (tr) {
            if (m->n_tr == sizeof m->tr / sizeof m->tr[0]) {
                snprintf(c->err, sizeof c->err, "%s:%zu: too many modifiers", c->path, line);
                return SK_EFORMAT;
            }
            m->tr[m->n_tr++] = tr;
        }
        i = j;
    }
    int pos = !!(m->flags & M_CONTAINS) + !!(m->flags & M_STARTS) + !!(m->flags & M_ENDS);
    const char *clash = NULL;
    if (pos > 1) clash = "contains, startswith and endswith exclude each other";
    else if ((m->flags & M_RE) && (pos || (m->flags & (M_CIDR | M_CMP | M_FIELDREF)) || m->n_tr))
        clash = "re takes no other type or transformation modifier";
    else if ((m->flags & M_CIDR) && (pos || (m->flags & (M_CMP | M_FIELDREF)) || m->n_tr))
        clash = "cidr takes no other type or transformation modifier";
    else if ((m->flags & M_EXISTS) && (m->flags & ~(M_EXISTS)))
        clash = "exists takes no other modifier";
    else if ((m->flags & M_CMP) && (pos || m->n_tr || (m->flags & M_FIELDREF)))
        clash = "lt/lte/gt/gte compare numbers: no string modifier";
    else if ((m->flags & M_FIELDREF) && m->n_tr)
        clash = "fieldref takes no transformation";
    if (clash) {
        snprintf(c->err, sizeof c->err, "%s:%zu: '%.*s': %s", c->path, line, (int)(keylen > 128 ? 128 : keylen), key, clash);
        return SK_EFORMAT;
    }
    return 0;
}

/* ---- pieces of a value: bytes with wildcard markers ---- */

typedef struct piece {
    uint8_t *b;
    size_t n;
    int wild;   /* b holds SG_GLOB_* markers; otherwise every byte is literal (encoded data may hold 0xFE/0xFF) */
} piece;

static int piece_dup(sg_cctx *c, piece *out, const uint8_t *b, size_t n)
{
    out->b = sk_arena_alloc(c->a, n + 1);
    if (!out->b) return sk_error_set(SK_ENOMEM, "out of memory");
    if (n) memcpy(out->b, b, n);
    out->b[n] = 0;
    out->n = n;
    return 0;
}

/* Sigma's escapes: a backslash escapes *, ? and itself; any other backslash is literal. */
static int parse_wildcards(sg_cctx *c, const char *s, size_t n, piece *out, int *has_wild)
{
    uint8_t *b = sk_arena_alloc(c->a, n + 1);
    if (!b) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t o = 0;
    *has_wild = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = (uint8_t)s[i];
        if (ch == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
            b[o++] = (uint8_t)s[++i];
        } else if (ch == '*') {
            if (!(o && b[o - 1] == SG_GLOB_STAR)) b[o++] = SG_GLOB_STAR;
            *has_wild = 1;
        } else if (ch == '?') {
            b[o++] = SG_GLOB_ONE;
            *has_wild = 1;
        } else {
            b[o++] = ch;
        }
    }
    b[o] = 0;
    out->b = b;
    out->n = o;
    out->wild = *has_wild;
    return 0;
}

/* windash: every -, /, en dash, em dash and horizontal bar takes each of the five. */
static const char *const dashes[5] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
static size_t dash_at(const uint8_t *b, size_t n, size_t i)
{
    if (b[i] == '-' || b[i] == '/') return 1;
    if (i + 2 < n && b[i] == 0xE2 && b[i + 1] == 0x80 && (b[i + 2] == 0x93 || b[i + 2] == 0x94 || b[i + 2] == 0x95)) return 3;
    return 0;
}

static int windash(sg_cctx *c, const piece *in, size_t n_in, piece **out, size_t *n_out, size_t line)
{
    size_t cap = 0, cnt = 0;
    piece *res = NULL;
    for (size_t v = 0; v < n_in; v++) {
        const piece *p = &in[v];
        size_t pos[16], len[16], k = 0;
        for (size_t i = 0; i < p->n;) {
            size_t l = dash_at(p->b, p->n, i);
            if (l) {
                if (k == 16) goto too_many;
                pos[k] = i;
                len[k++] = l;
                i += l;
            } else {
                i++;
            }
        }
        size_t variants = 1;
        for (size_t i = 0; i < k; i++) {
            variants *= 5;
            if (variants > SG_MAX_WINDASH) goto too_many;
        }
        if (cnt + variants > cap) {
            size_t nc = (cnt + variants) * 2;
            piece *np = sk_arena_calloc(c->a, nc, sizeof *np);
            if (!np) return sk_error_set(SK_ENOMEM, "out of memory");
            if (cnt) memcpy(np, res, cnt * sizeof *np);
            res = np;
            cap = nc;
        }
        for (size_t vi = 0; vi < variants; vi++) {
            uint8_t *b = sk_arena_alloc(c->a, p->n * 3 + 1);
            if (!b) return sk_error_set(SK_ENOMEM, "out of memory");
            size_t o = 0, last = 0, code = vi;
            for (size_t d = 0; d < k; d++) {
                memcpy(b + o, p->b + last, pos[d] - last);
                o += pos[d] - last;
                const char *rep = dashes[code % 5];
                code /= 5;
                size_t rl = strlen(rep);
                memcpy(b + o, rep, rl);
                o += rl;
                last = pos[d] + len[d];
            }
            memcpy(b + o, p->b + last, p->n - last);
            o += p->n - last;
            b[o] = 0;
            res[cnt].b = b;
            res[cnt].wild = p->wild;
            res[cnt++].n = o;
        }
    }
    *out = res;
    *n_out = cnt;
    return 0;
too_many:
    snprintf(c->err, sizeof c->err, "%s:%zu: windash: more than %d permutations of one value", c->path, line, SG_MAX_WINDASH);
    return SK_ELIMIT;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64(uint8_t *out, const uint8_t *in, size_t n)
{
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = (uint8_t)b64chars[v >> 18];
        out[o++] = (uint8_t)b64chars[(v >> 12) & 63];
        out[o++] = (uint8_t)b64chars[(v >> 6) & 63];
        out[o++] = (uint8_t)b64chars[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = (uint8_t)b64chars[v >> 18];
        out[o++] = (uint8_t)b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < n ? (uint8_t)b64chars[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

static int encode(sg_cctx *c, int tr, const piece *in, size_t n_in, piece **out, size_t *n_out, size_t line)
{
    size_t per = tr == T_BASE64OFF ? 3 : 1;
    piece *res = sk_arena_calloc(c->a, n_in * per + 1, sizeof *res);
    if (!res) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t cnt = 0;
    for (size_t v = 0; v < n_in; v++) {
        const piece *p = &in[v];
        if (p->wild) {
            snprintf(c->err, sizeof c->err, "%s:%zu: a value with wildcards cannot be encoded (base64/utf16)", c->path, line);
            return SK_EFORMAT;
        }
        if (tr == T_UTF16LE || tr == T_UTF16BE || tr == T_UTF16) {
            uint8_t *b = sk_arena_alloc(c->a, p->n * 4 + 3);
            if (!b) return sk_error_set(SK_ENOMEM, "out of memory");
            size_t o = 0;
            if (tr == T_UTF16) { b[o++] = 0xFF; b[o++] = 0xFE; }
            for (size_t i = 0; i < p->n;) {
                uint32_t cp;
                size_t l = sk_utf8_decode(p->b + i, p->n - i, &cp, 1);
                if (!l) { cp = p->b[i]; l = 1; }
                i += l;
                uint16_t u[2];
                int nu = 1;
                if (cp >= 0x10000) {
                    cp -= 0x10000;
                    u[0] = (uint16_t)(0xD800 + (cp >> 10));
                    u[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
                    nu = 2;
                } else {
                    u[0] = (uint16_t)cp;
                }
                for (int k = 0; k < nu; k++) {
                    if (tr == T_UTF16BE) { b[o++] = (uint8_t)(u[k] >> 8); b[o++] = (uint8_t)u[k]; }
                    else { b[o++] = (uint8_t)u[k]; b[o++] = (uint8_t)(u[k] >> 8); }
                }
            }
            res[cnt].b = b;
            res[cnt++].n = o;
        } else if (tr == T_BASE64) {
            uint8_t *b = sk_arena_alloc(c->a, (p->n + 2) / 3 * 4 + 1);
            if (!b) return sk_error_set(SK_ENOMEM, "out of memory");
            res[cnt].b = b;
            res[cnt++].n = b64(b, p->b, p->n);
        } else {
            /* the value at byte offsets 0, 1 and 2 of a longer encoded string: encode
             * it behind i filler bytes and keep the characters the shift leaves fixed */
            static const size_t start[3] = {0, 2, 3};
            static const size_t end_trim[3] = {0, 3, 2};
            for (size_t i = 0; i < 3; i++) {
                uint8_t *tmp = sk_arena_alloc(c->a, p->n + 3);
                uint8_t *b = sk_arena_alloc(c->a, (p->n + 5) / 3 * 4 + 1);
                if (!tmp || !b) return sk_error_set(SK_ENOMEM, "out of memory");
                memset(tmp, ' ', i);
                memcpy(tmp + i, p->b, p->n);
                size_t l = b64(b, tmp, p->n + i);
                size_t trim = end_trim[(p->n + i) % 3];
                size_t s0 = start[i];
                if (l < s0 + trim || l - trim <= s0) continue; /* too short to leave anything fixed */
                res[cnt].b = b + s0;
                res[cnt++].n = l - trim - s0;
            }
        }
    }
    *out = res;
    *n_out = cnt;
    return 0;
}

/* Replace %name% placeholders (expand) with each configured value; \% is a plain %. */
static int expand(sg_cctx *c, const char *s, size_t n, piece **out, size_t *n_out, size_t line)
{
    /* find the placeholders */
    const char *names[8];
    size_t nlen[8], starts[8], ends[8], k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '%') { i++; continue; }
        if (s[i] != '%') continue;
        size_t j = i + 1;
        while (j < n && s[j] != '%') j++;
        if (j >= n) break;
        if (k == 8) {
            snprintf(c->err, sizeof c->err, "%s:%zu: expand: more than 8 placeholders in one value", c->path, line);
            return SK_ELIMIT;
        }
        names[k] = s + i + 1;
        nlen[k] = j - i - 1;
        starts[k] = i;
        ends[k++] = j + 1;
        i = j;
    }
    const char *const *lists[8];
    size_t counts[8], total = 1;
    for (size_t p = 0; p < k; p++) {
        const char *const *l = c->placeholders ? sk_map_get(c->placeholders, names[p], nlen[p]) : NULL;
        if (!l) {
            snprintf(c->err, sizeof c->err, "%s:%zu: placeholder %%%.*s%% is not configured (--placeholders)", c->path, line,
                     (int)(nlen[p] > 64 ? 64 : nlen[p]), names[p]);
            return SK_ENOTFOUND;
        }
        lists[p] = l;
        counts[p] = 0;
        while (l[counts[p]]) counts[p]++;
        if (!counts[p]) {
            snprintf(c->err, sizeof c->err, "%s:%zu: placeholder %%%.*s%% has no values", c->path, line,
                     (int)(nlen[p] > 64 ? 64 : nlen[p]), names[p]);
            return SK_ENOTFOUND;
        }
        total *= counts[p];
        if (total > 10000) {
            snprintf(c->err, sizeof c->err, "%s:%zu: expand: more than 10000 values", c->path, line);
            return SK_ELIMIT;
        }
    }
    piece *res = sk_arena_calloc(c->a, total, sizeof *res);
    if (!res) return sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t vi = 0; vi < total; vi++) {
        sk_buf b;
        sk_buf_init(&b, SG_MAX_RULE_BYTES);
        size_t last = 0, code = vi;
        int rc = 0;
        for (size_t p = 0; p < k && !rc; p++) {
            /* the text before the placeholder, with \% turned into % (the later
             * wildcard parse keeps other escapes) */
            for (size_t i = last; i < starts[p] && !rc; i++) {
                if (s[i] == '\\' && i + 1 < starts[p] && s[i + 1] == '%') i++;
                rc = sk_buf_putc(&b, s[i]);
            }
            const char *v = lists[p][code % counts[p]];
            code /= counts[p];
            if (!rc) rc = sk_buf_puts(&b, v);
            last = ends[p];
        }
        for (size_t i = last; i < n && !rc; i++) {
            if (s[i] == '\\' && i + 1 < n && s[i + 1] == '%') i++;
            rc = sk_buf_putc(&b, s[i]);
        }
        if (!rc) {
            res[vi].b = (uint8_t *)sk_arena_strndup(c->a, b.data ? b.data : "", b.len);
            res[vi].n = b.len;
            if (!res[vi].b) rc = sk_error_set(SK_ENOMEM, "out of memory");
        }
        sk_buf_free(&b);
        if (rc) return rc;
    }
    *out = res;
    *n_out = total;
    return 0;
}

/* A string piece (wildcards marked) into a test. */
static int finish_str(sg_cctx *c, const mods *m, piece *p, sg_val *v)
{
    if (!p->wild) {
        /* every byte literal: the position modifiers choose the test */
        v->type = SG_V_STR;
        v->cased = (m->flags & M_CASED) != 0;
        v->op = (m->flags & M_CONTAINS) ? SG_CONTAINS : (m->flags & M_STARTS) ? SG_PREFIX : (m->flags & M_ENDS) ? SG_SUFFIX : SG_EQ;
        const char *lit = (const char *)p->b;
        size_t n = p->n;
        if (!v->cased) {
            sk_buf f;
            sk_buf_init(&f, SG_MAX_RULE_BYTES);
            int rc = sg_fold(&f, lit, n);
            char *nb = rc ? NULL : sk_arena_strndup(c->a, f.data ? f.data : "", f.len);
            n = f.len;
            sk_buf_free(&f);
            if (rc) return rc;
            if (!nb) return sk_error_set(SK_ENOMEM, "out of memory");
            lit = nb;
        }
        v->lit = lit;
        v->n = n;
        if (v->op == SG_EQ && n == 0) v->type = SG_V_EMPTY;
        return 0;
    }
    /* the position modifiers add stars around the value */
    int lead = (m->flags & (M_CONTAINS | M_ENDS)) != 0, trail = (m->flags & (M_CONTAINS | M_STARTS)) != 0;
    size_t n = p->n;
    uint8_t *b = sk_arena_alloc(c->a, n + 3);
    if (!b) return sk_error_set(SK_ENOMEM, "out of memory");
    size_t o = 0;
    if (lead && !(n && p->b[0] == SG_GLOB_STAR)) b[o++] = SG_GLOB_STAR;
    memcpy(b + o, p->b, n);
    o += n;
    if (trail && !(o && b[o - 1] == SG_GLOB_STAR)) b[o++] = SG_GLOB_STAR;
    b[o] = 0;
    /* fold */
    v->cased = (m->flags & M_CASED) != 0;
    if (!v->cased) {
        sk_buf f;
        sk_buf_init(&f, SG_MAX_RULE_BYTES);
        size_t i = 0;
        int rc = 0;
        while (i < o && !rc) {
            size_t j = i;
            while (j < o && b[j] != SG_GLOB_STAR && b[j] != SG_GLOB_ONE) j++;
            rc = sg_fold(&f, (const char *)b + i, j - i);
            if (!rc && j < o) rc = sk_buf_putc(&f, (char)b[j++]);
            i = j;
        }
        if (rc) { sk_buf_free(&f); return rc; }
        uint8_t *nb = (uint8_t *)sk_arena_strndup(c->a, f.data ? f.data : "", f.len);
        o = f.len;
        sk_buf_free(&f);
        if (!nb) return sk_error_set(SK_ENOMEM, "out of memory");
        b = nb;
    }
    /* simplify */
    size_t inner_stars = 0, ones = 0;
    for (size_t i = 0; i < o; i++) {
        if (b[i] == SG_GLOB_ONE) ones++;
        if (b[i] == SG_GLOB_STAR && i != 0 && i != o - 1) inner_stars++;
    }
    int ls = o && b[0] == SG_GLOB_STAR, ts = o > (size_t)ls && b[o - 1] == SG_GLOB_STAR;
    v->type = SG_V_STR;
    if (ones || inner_stars) {
        v->op = SG_GLOB;
        v->lit = (const char *)b;
        v->n = o;
    } else if (ls && ts) {
        v->op = SG_CONTAINS;
        v->lit = (const char *)b + 1;
        v->n = o - 2;
    } else if (ls) {
        v->op = SG_SUFFIX;
        v->lit = (const char *)b + 1;
        v->n = o - 1;
    } else if (ts) {
        v->op = SG_PREFIX;
        v->lit = (const char *)b;
        v->n = o - 1;
    } else if (o == 0) {
        v->type = SG_V_EMPTY;
    } else {
        v->op = SG_EQ;
        v->lit = (const char *)b;
        v->n = o;
    }
    return 0;
}

static int parse_number(const char *s, size_t n, double *out)
{
    if (!n || n > 64) return 0;
    char tmp[72];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    double d = strtod(tmp, &end);
    if (end != tmp + n) return 0;
    *out = d;
    return 1;
}

/* One scalar value of a field test into a group of alternatives. */
static int compile_scalar(sg_cctx *c, const mods *m, yaml_node_t *node, sg_group *g)
{
    size_t line = sg_y_line(node);
    int64_t ival = 0;
    int bval = 0;
    int kind = sg_y_kind(node, &ival, &bval);
    size_t n = 0;
    const char *s = sg_y_str(node, &n);
    if (!kind) {
        snprintf(c->err, sizeof c->err, "%s:%zu: a value must be a scalar, not a %s", c->path, line,
                 node->type == YAML_MAPPING_NODE ? "map" : "list");
        return SK_EFORMAT;
    }
    sg_val *v;
#define ONE()                                                                              \
    do {                                                                                   \
        v = sk_arena_calloc(c->a, 1, sizeof *v);                                           \
        if (!v) return sk_error_set(SK_ENOMEM, "out of memory");                           \
        g->alt = v;                                                                        \
        g->n = 1;                                                                          \
        if (++c->n_values > SG_MAX_VALUES) goto too_many;                                  \
    } while (0)
    if (m->flags & M_EXISTS) {
        if (kind != SG_Y_BOOL) {
            snprintf(c->err, sizeof c->err, "%s:%zu: exists takes true or false", c->path, line);
            return SK_EFORMAT;
        }
        ONE();
        v->type = SG_V_EXISTS;
        v->want = (uint8_t)bval;
        return 0;
    }
    if (kind == SG_Y_NULL) {
        if (m->flags & ~(M_ALL)) {
            snprintf(c->err, sizeof c->err, "%s:%zu: null takes no modifier", c->path, line);
            return SK_EFORMAT;
        }
        ONE();
        v->type = SG_V_NULL;
        return 0;
    }
    if (m->flags & M_CMP || m->flags & M_TIME) {
        double d;
        if (kind == SG_Y_INT) d = (double)ival;
        else if (!s || !parse_number(s, n, &d)) {
            snprintf(c->err, sizeof c->err, "%s:%zu: '%.*s' is no number", c->path, line, (int)(n > 64 ? 64 : n), s ? s : "");
            return SK_EFORMAT;
        }
        ONE();
        v->type = SG_V_NUM;
        v->op = (uint8_t)(m->cmp ? m->cmp : SG_EQ);
        v->num = d;
        v->tpart = (uint8_t)m->tpart;
        return 0;
    }
    if (m->flags & M_RE) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, n, m->re_flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
        if (!re) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(err, msg, sizeof msg);
            snprintf(c->err, sizeof c->err, "%s:%zu: invalid regular expression at offset %zu: %s", c->path, line, (size_t)off,
                     (const char *)msg);
            return SK_EFORMAT;
        }
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter is the fallback */
        if (c->set) {
            int rc = sg_own_code(c, re);
            if (rc) { pcre2_code_free(re); return rc; }
        }
        ONE();
        v->type = SG_V_RE;
        v->re = re;
        v->lit = sk_arena_strndup(c->a, s, n); /* the pattern, for the prefilter's literal */
        v->n = v->lit ? n : 0;
        if (!c->set) pcre2_code_free(re), v->re = NULL;
        return 0;
    }
    if (m->flags & M_CIDR) {
        ONE();
        if (!s || sk_prefix_parse(s, n, 1, &v->cidr)) {
            snprintf(c->err, sizeof c->err, "%s:%zu: '%.*s' is no CIDR range", c->path, line, (int)(n > 64 ? 64 : n), s ? s : "");
            return SK_EFORMAT;
        }
        v->type = SG_V_CIDR;
        return 0;
    }
    if (kind == SG_Y_BOOL && !(m->flags & (M_CONTAINS | M_STARTS | M_ENDS)) && !m->n_tr) {
        ONE();
        v->type = SG_V_BOOL;
        v->want = (uint8_t)bval;
        return 0;
    }
    if (m->flags & M_FIELDREF) {
        ONE();
        int fi = sg_field_index(c, s, n);
        if (fi < 0) return fi;
        v->type = SG_V_FIELDREF;
        v->fref = fi;
        v->cased = (m->flags & M_CASED) != 0;
        v->op = (m->flags & M_CONTAINS) ? SG_CONTAINS : (m->flags & M_STARTS) ? SG_PREFIX : (m->flags & M_ENDS) ? SG_SUFFIX : SG_EQ;
        return 0;
    }
    /* strings (an integer with string modifiers is its decimal text) */
    piece *ps = NULL;
    size_t nps = 0;
    if (m->flags & M_EXPAND) {
        int rc = expand(c, s, n, &ps, &nps, line);
        if (rc) return rc;
    } else {
        ps = sk_arena_calloc(c->a, 1, sizeof *ps);
        if (!ps) return sk_error_set(SK_ENOMEM, "out of memory");
        if (piece_dup(c, ps, (const uint8_t *)s, n)) return SK_ENOMEM;
        nps = 1;
    }
    /* wildcards and escapes */
    for (size_t i = 0; i < nps; i++) {
        int wild;
        piece raw = ps[i];
        if (parse_wildcards(c, (const char *)raw.b, raw.n, &ps[i], &wild)) return SK_ENOMEM;
    }
    for (size_t t = 0; t < m->n_tr; t++) {
        piece *np = NULL;
        size_t nn = 0;
        int rc = m->tr[t] == T_WINDASH ? windash(c, ps, nps, &np, &nn, line) : encode(c, m->tr[t], ps, nps, &np, &nn, line);
        if (rc) return rc;
        ps = np;
        nps = nn;
    }
    if (c->n_values + nps > SG_MAX_VALUES) goto too_many;
    c->n_values += nps;
    g->alt = sk_arena_calloc(c->a, nps ? nps : 1, sizeof *g->alt);
    if (!g->alt) return sk_error_set(SK_ENOMEM, "out of memory");
    g->n = nps;
    for (size_t i = 0; i < nps; i++) {
        int rc = finish_str(c, m, &ps[i], &g->alt[i]);
        if (rc) return rc;
        if (kind == SG_Y_INT && !m->n_tr && !(m->flags & (M_CONTAINS | M_STARTS | M_ENDS)) && g->alt[i].type == SG_V_STR &&
            g->alt[i].op == SG_EQ) {
            g->alt[i].simple = 1;
            g->alt[i].num = (double)ival;
            g->alt[i].inum = ival;
        }
    }
    return 0;
#undef ONE
too_many:
    snprintf(c->err, sizeof c->err, "%s:%zu: more than %d values in one rule", c->path, line, SG_MAX_VALUES);
    return SK_ELIMIT;
}

static int compile_values(sg_cctx *c, sg_doc *d, const mods *m, yaml_node_t *val, sg_expr *e, const char *key, size_t keylen)
{
    size_t line = sg_y_line(val);
    yaml_node_t *one[1];
    yaml_node_t **items = one;
    size_t n_items = 1;
    one[0] = val;
    if (val && val->type == YAML_SEQUENCE_NODE) {
        n_items = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
        items = sk_arena_calloc(c->a, n_items ? n_items : 1, sizeof *items);
        if (!items) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = 0; i < n_items; i++) {
            items[i] = sg_y_node(d, val->data.sequence.items.start[i]);
            int rc = sg_y_visit(d, items[i]);
            if (rc) {
                snprintf(c->err, sizeof c->err, "%s", sk_error_last());
                return rc;
            }
        }
        if (!n_items) {
            snprintf(c->err, sizeof c->err, "%s:%zu: '%.*s' has an empty list of values", c->path, line,
                     (int)(keylen > 128 ? 128 : keylen), key);
            return SK_EFORMAT;
        }
    }
    if ((m->flags & M_ALL) && n_items < 2) {
        snprintf(c->err, sizeof c->err, "%s:%zu: '%.*s': all needs a list of two or more values (the specification forbids it on one)",
                 c->path, line, (int)(keylen > 128 ? 128 : keylen), key);
        return SK_EFORMAT;
    }
    e->groups = sk_arena_calloc(c->a, n_items, sizeof *e->groups);
    if (!e->groups) return sk_error_set(SK_ENOMEM, "out of memory");
    e->n_groups = n_items;
    e->all = (m->flags & M_ALL) != 0;
    e->neg = (m->flags & M_NEQ) != 0;
    for (size_t i = 0; i < n_items; i++) {
        if (n_items > 1 && items[i] && sg_y_kind(items[i], NULL, NULL) == SG_Y_NULL) {
            snprintf(c->err, sizeof c->err, "%s:%zu: null cannot be one of a list of values (the specification: its own selection)",
                     c->path, sg_y_line(items[i]));
            return SK_EFORMAT;
        }
        int rc = compile_scalar(c, m, items[i], &e->groups[i]);
        if (rc) {
            if (!c->err[0]) snprintf(c->err, sizeof c->err, "%s", sk_error_last());
            return rc;
        }
    }
    return 0;
}

int sg_compile_field(sg_cctx *c, sg_doc *d, const char *key, size_t keylen, yaml_node_t *val, sg_expr **out)
{
    size_t name_len = 0;
    while (name_len < keylen && key[name_len] != '|') name_len++;
    size_t line = sg_y_line(val);
    mods m;
    int rc = parse_mods(c, key, keylen, name_len, &m, line);
    if (rc) return rc;
    sg_expr *e = sk_arena_calloc(c->a, 1, sizeof *e);
    if (!e) return sk_error_set(SK_ENOMEM, "out of memory");
    if (name_len == 0) {
        e->type = SG_E_KEYWORD;
        e->field = -1;
        if (!(m.flags & (M_CONTAINS | M_STARTS | M_ENDS | M_RE | M_CIDR | M_CMP | M_EXISTS | M_FIELDREF))) m.flags |= M_CONTAINS;
    } else {
        e->type = SG_E_FIELD;
        int fi = sg_field_index(c, key, name_len);
        if (fi < 0) return fi;
        e->field = fi;
    }
    if ((rc = compile_values(c, d, &m, val, e, key, keylen))) return rc;
    *out = e;
    return 0;
}

int sg_compile_keywords(sg_cctx *c, sg_doc *d, const char *mods_text, yaml_node_t *val, sg_expr **out)
{
    (void)mods_text;
    mods m;
    memset(&m, 0, sizeof m);
    m.flags = M_CONTAINS;
    sg_expr *e = sk_arena_calloc(c->a, 1, sizeof *e);
    if (!e) return sk_error_set(SK_ENOMEM, "out of memory");
    e->type = SG_E_KEYWORD;
    e->field = -1;
    int rc = compile_values(c, d, &m, val, e, "keywords", 8);
    if (rc) return rc;
    *out = e;
    return 0;
}
