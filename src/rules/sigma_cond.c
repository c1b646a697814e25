/*
 * sigma_cond.c - the condition of a Sigma detection parsed into an expression over its
 * search identifiers: or, and, not (least to most binding), `1 of` / `any of` / `all of`
 * a pattern with * wildcards or `them` (identifiers beginning with `_` excluded), and
 * parentheses; a recursive descent with a depth bound, so that an absurdly nested
 * condition gets an error instead of a stack overflow.
 *
 * The deprecated aggregation syntax (`| count() by ... > n`, `near`) is refused with a
 * message pointing to correlation rules: it is not silently dropped.
 */
#include <string.h>

#include <sakimori/common.h>

#include "sigma_int.h"

typedef struct cp {
    const char *s;
    size_t n, i;
    const sg_ident *ids;
    size_t n_ids;
    sk_arena *a;
    int depth;
    char *err;
    size_t errsz;
    /* current token */
    const char *tok;
    size_t tl;
    int tt;
} cp;

enum { TK_END = 0, TK_WORD, TK_LP, TK_RP, TK_PIPE, TK_BAD };

static void next(cp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
    p->tok = p->s + p->i;
    p->tl = 0;
    if (p->i >= p->n) { p->tt = TK_END; return; }
    char ch = p->s[p->i];
    if (ch == '(') { p->tt = TK_LP; p->tl = 1; p->i++; return; }
    if (ch == ')') { p->tt = TK_RP; p->tl = 1; p->i++; return; }
    if (ch == '|') { p->tt = TK_PIPE; p->tl = 1; p->i++; return; }
    size_t j = p->i;
    while (j < p->n) {
        char c = p->s[j];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '*' || c == '-' ||
            c == '.' || c == '?' || (unsigned char)c >= 0x80)
            j++;
        else
            break;
    }
    if (j == p->i) { p->tt = TK_BAD; p->tl = 1; p->i++; return; }
    p->tt = TK_WORD;
    p->tl = j - p->i;
    p->i = j;
}

static int is_kw(const cp *p, const char *kw)
{
    size_t l = strlen(kw);
    if (p->tt != TK_WORD || p->tl != l) return 0;
    for (size_t i = 0; i < l; i++) {
        char c = p->tok[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != kw[i]) return 0;
    }
    return 1;
}

static int fail(cp *p, const char *what)
{
    size_t at = (size_t)(p->tok - p->s);
    if (p->tt == TK_END)
        snprintf(p->err, p->errsz, "condition: %s at its end", what);
    else
        snprintf(p->err, p->errsz, "condition: %s at column %zu ('%.*s')", what, at + 1, (int)(p->tl > 40 ? 40 : p->tl), p->tok);
    return SK_EFORMAT;
}

static sg_expr *node(cp *p, int type, size_t n_kids)
{
    sg_expr *e = sk_arena_calloc(p->a, 1, sizeof *e);
    if (!e) return NULL;
    e->type = (uint8_t)type;
    if (n_kids) {
        e->kids = sk_arena_calloc(p->a, n_kids, sizeof *e->kids);
        if (!e->kids) return NULL;
    }
    return e;
}

static int wild_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, sp = (size_t)-1, ss = 0;
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') { sp = pi++; ss = si; continue; }
        if (pi < pn && (pat[pi] == s[si] || pat[pi] == '?')) { pi++; si++; continue; }
        if (sp != (size_t)-1) { pi = sp + 1; si = ++ss; continue; }
        return 0;
    }
    while (pi < pn && pat[pi] == '*') pi++;
    return pi == pn;
}

static int parse_or(cp *p, sg_expr **out);

static int parse_atom(cp *p, sg_expr **out)
{
    if (p->tt == TK_LP) {
        next(p);
        int rc = parse_or(p, out);
        if (rc) return rc;
        if (p->tt != TK_RP) return fail(p, "')' expected");
        next(p);
        return 0;
    }
    if (p->tt == TK_PIPE) return fail(p, "the aggregation syntax ('| count() ...') is deprecated and not supported: use a correlation rule");
    if (p->tt != TK_WORD) return fail(p, p->tt == TK_END ? "an identifier expected" : "unexpected character");
    if (is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "of") || is_kw(p, "them")) return fail(p, "an identifier expected");
    if (is_kw(p, "near")) return fail(p, "'near' is deprecated and not supported: use a temporal correlation rule");
    int quant = 0; /* 1: one of, 2: all of */
    if (is_kw(p, "1") || is_kw(p, "any")) quant = 1;
    else if (is_kw(p, "all")) quant = 2;
    if (quant) {
        const char *save_tok = p->tok;
        size_t save_i = p->i, save_tl = p->tl;
        next(p);
        if (!is_kw(p, "of")) {
            /* an identifier that happens to be called "all" or "1" */
            p->tok = save_tok;
            p->tl = save_tl;
            p->i = save_i;
            p->tt = TK_WORD;
            quant = 0;
        } else {
            next(p);
            if (p->tt != TK_WORD) return fail(p, "an identifier pattern or 'them' expected after 'of'");
            int them = is_kw(p, "them");
            size_t cnt = 0;
            for (size_t i = 0; i < p->n_ids; i++) {
                size_t l = strlen(p->ids[i].name);
                if (them ? p->ids[i].name[0] != '_' : wild_match(p->tok, p->tl, p->ids[i].name, l)) cnt++;
            }
            if (!cnt) return fail(p, them ? "no search identifier for 'them'" : "no search identifier matches the pattern");
            sg_expr *e = node(p, quant == 1 ? SG_E_OR : SG_E_AND, cnt);
            if (!e) return sk_error_set(SK_ENOMEM, "out of memory");
            for (size_t i = 0; i < p->n_ids; i++) {
                size_t l = strlen(p->ids[i].name);
                if (them ? p->ids[i].name[0] != '_' : wild_match(p->tok, p->tl, p->ids[i].name, l))
                    e->kids[e->n_kids++] = p->ids[i].expr;
            }
            next(p);
            *out = e;
            return 0;
        }
    }
    for (size_t i = 0; i < p->n_ids; i++) {
        if (strlen(p->ids[i].name) == p->tl && !memcmp(p->ids[i].name, p->tok, p->tl)) {
            *out = p->ids[i].expr;
            next(p);
            return 0;
        }
    }
    for (size_t i = 0; i < p->tl; i++)
        if (p->tok[i] == '*') return fail(p, "a pattern needs '1 of' or 'all of'");
    return fail(p, "undefined search identifier");
}

static int parse_not(cp *p, sg_expr **out)
{
    if (++p->depth > SG_MAX_DEPTH) return fail(p, "nested too deeply");
    int rc;
    if (is_kw(p, "not")) {
        next(p);
        sg_expr *k;
        if ((rc = parse_not(p, &k))) return rc;
        sg_expr *e = node(p, SG_E_NOT, 1);
        if (!e) return sk_error_set(SK_ENOMEM, "out of memory");
        e->kids[0] = k;
        e->n_kids = 1;
        *out = e;
    } else {
        rc = parse_atom(p, out);
        if (rc) return rc;
    }
    p->depth--;
    return 0;
}

static int parse_seq(cp *p, sg_expr **out, int is_or)
{
    if (++p->depth > SG_MAX_DEPTH) return fail(p, "nested too deeply");
    sg_expr *first;
    int rc = is_or ? parse_seq(p, &first, 0) : parse_not(p, &first);
    if (rc) return rc;
    const char *kw = is_or ? "or" : "and";
    if (!is_kw(p, kw)) {
        p->depth--;
        *out = first;
        return 0;
    }
    size_t cap = 4, n = 1;
    sg_expr **kids = sk_arena_calloc(p->a, cap, sizeof *kids);
    if (!kids) return sk_error_set(SK_ENOMEM, "out of memory");
    kids[0] = first;
    while (is_kw(p, kw)) {
        next(p);
        sg_expr *k;
        if ((rc = is_or ? parse_seq(p, &k, 0) : parse_not(p, &k))) return rc;
        if (n == cap) {
            sg_expr **nk = sk_arena_calloc(p->a, cap * 2, sizeof *nk);
            if (!nk) return sk_error_set(SK_ENOMEM, "out of memory");
            memcpy(nk, kids, n * sizeof *nk);
            kids = nk;
            cap *= 2;
        }
        kids[n++] = k;
    }
    sg_expr *e = node(p, is_or ? SG_E_OR : SG_E_AND, 0);
    if (!e) return sk_error_set(SK_ENOMEM, "out of memory");
    e->kids = kids;
    e->n_kids = n;
    p->depth--;
    *out = e;
    return 0;
}

static int parse_or(cp *p, sg_expr **out)
{
    return parse_seq(p, out, 1);
}

int sg_condition_parse(const char *text, size_t n, const sg_ident *ids, size_t n_ids, sk_arena *a, sg_expr **out, char *err,
                       size_t errsz)
{
    cp p = {.s = text, .n = n, .ids = ids, .n_ids = n_ids, .a = a, .err = err, .errsz = errsz};
    err[0] = 0;
    next(&p);
    if (p.tt == TK_END) {
        snprintf(err, errsz, "condition: empty");
        return SK_EFORMAT;
    }
    int rc = parse_or(&p, out);
    if (rc) {
        if (!err[0]) snprintf(err, errsz, "%s", sk_error_last());
        return rc;
    }
    if (p.tt == TK_PIPE) return fail(&p, "the aggregation syntax ('| count() ...') is deprecated and not supported: use a correlation rule");
    if (p.tt != TK_END) return fail(&p, "'and', 'or' or the end expected");
    return 0;
}
