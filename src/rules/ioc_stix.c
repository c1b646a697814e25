/*
 * ioc_stix.c - indicator sets from STIX 2.1 (a bundle, one indicator object, or a JSON
 * array of them): each object of type "indicator" whose pattern_type is "stix" (or
 * absent, as in STIX 2.0) has its pattern parsed by the STIX patterning grammar and
 * reduced to values this set can match. Matchable comparisons: "=" (and IN, a list of
 * "=") over ipv4-addr:value, ipv6-addr:value (ISSUBSET too: a network),
 * domain-name:value, url:value, file:hashes.MD5/'SHA-1'/'SHA-256', and the user agent
 * network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'. OR, at either level,
 * is the union of its sides; an AND within one observation reduces when its sides are
 * single values of one file's hashes (any of them names the file) or the same value;
 * any other AND, an AND or FOLLOWEDBY across observations, a qualifier (WITHIN, REPEATS,
 * START/STOP), NOT, other operators (LIKE, MATCHES, !=, ...) and other object paths are
 * unsupported. An unsupported part of an OR is listed and the rest loads; an indicator
 * left with nothing is listed whole. Every diagnostic names the indicator id. The
 * indicator keeps its id, valid_from/valid_until (exclusive, as STIX defines it), and
 * its name and description as the comment; a revoked one is not loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc_int.h"

#define STIX_MAX_PATTERN (64u << 10)
#define STIX_MAX_DEPTH 32
#define STIX_MAX_ATOMS 4096

typedef struct atom {
    int type;                   /* sk_ioc_type */
    size_t off, len;            /* the decoded literal in the parser's buffer */
} atom;

typedef struct set {
    atom *v;
    size_t n;
    int bad;                    /* something under it is unsupported */
} set;

typedef struct parser {
    const char *p, *end, *start;
    char *lit;                  /* decoded literals, one after the other */
    size_t lit_len;
    int depth;
    int syntax;                 /* a syntax error: the whole pattern is unreadable */
    char why[300];              /* what was found unsupported */
    size_t n_why, n_kept;
} parser;

/* the reasons, the first three distinct ones kept */
static void why(parser *ps, const char *msg, const char *what, size_t wn)
{
    char one[120];
    snprintf(one, sizeof one, "%s%s%.*s", msg, wn ? " " : "", (int)(wn > 80 ? 80 : wn), what);
    ps->n_why++;
    if (strstr(ps->why, one) || ps->n_kept >= 3) return;
    size_t have = strlen(ps->why);
    snprintf(ps->why + have, sizeof ps->why - have, "%s%s", have ? "; " : "", one);
    ps->n_kept++;
}

static void syntax(parser *ps, const char *msg)
{
    if (!ps->syntax) {
        ps->syntax = 1;
        snprintf(ps->why, sizeof ps->why, "not a STIX pattern: %s at offset %zu", msg, (size_t)(ps->p - ps->start));
        ps->n_why = 1;
    }
}

static void blank(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* the keyword kw next (a whole word, case as the grammar writes it) */
static int keyword(parser *ps, const char *kw)
{
    blank(ps);
    size_t n = strlen(kw);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, kw, n) || (ps->p + n < ps->end && is_word(ps->p[n]))) return 0;
    ps->p += n;
    return 1;
}

static int punct(parser *ps, char c)
{
    blank(ps);
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        return 1;
    }
    return 0;
}

static void set_free(set *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static int set_join(set *a, set *b)
{
    a->bad |= b->bad;
    if (!b->n) return 0;
    if (a->n + b->n > STIX_MAX_ATOMS) {
        set_free(b);
        return 1;
    }
    atom *nv = realloc(a->v, (a->n + b->n) * sizeof *nv);
    if (!nv) {
        set_free(b);
        return SK_ENOMEM;
    }
    memcpy(nv + a->n, b->v, b->n * sizeof *nv);
    a->v = nv;
    a->n += b->n;
    set_free(b);
    return 0;
}

/* a quoted literal: \' and \\ are its only escapes; decoded into ps->lit; -1 when none */
static int literal(parser *ps, size_t *off, size_t *len)
{
    blank(ps);
    if (ps->p >= ps->end || *ps->p != '\'') return -1;
    ps->p++;
    *off = ps->lit_len;
    while (ps->p < ps->end && *ps->p != '\'') {
        char c = *ps->p++;
        if (c == '\\') {
            if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '\\')) return -1;
            c = *ps->p++;
        }
        ps->lit[ps->lit_len++] = c;
    }
    if (ps->p >= ps->end) return -1;
    ps->p++;
    *len = ps->lit_len - *off;
    ps->lit[ps->lit_len++] = 0;
    return 0;
}

/* skip a constant that is no plain string (t'..', h'..', b'..', numbers, booleans) */
static int other_constant(parser *ps)
{
    blank(ps);
    if (ps->p + 1 < ps->end && (*ps->p == 't' || *ps->p == 'h' || *ps->p == 'b') && ps->p[1] == '\'') {
        ps->p++;
        size_t o, l;
        return literal(ps, &o, &l);
    }
    const char *s = ps->p;
    while (ps->p < ps->end && (is_word(*ps->p) || *ps->p == '.' || *ps->p == '+')) ps->p++;
    return ps->p > s ? 0 : -1;
}

/* the object path's type of value, -1 when this set cannot match it */
static int path_type(const char *p, size_t n)
{
    static const struct { const char *path; int type; } paths[] = {
        {"ipv4-addr:value", SK_IOC_IP}, {"ipv6-addr:value", SK_IOC_IP}, {"domain-name:value", SK_IOC_DOMAIN}, {"url:value", SK_IOC_URL},
        {"file:hashes.MD5", SK_IOC_MD5}, {"file:hashes.'MD5'", SK_IOC_MD5}, {"file:hashes.md5", SK_IOC_MD5},
        {"file:hashes.'SHA-1'", SK_IOC_SHA1}, {"file:hashes.SHA1", SK_IOC_SHA1}, {"file:hashes.'SHA1'", SK_IOC_SHA1}, {"file:hashes.sha1", SK_IOC_SHA1},
        {"file:hashes.'SHA-256'", SK_IOC_SHA256}, {"file:hashes.SHA256", SK_IOC_SHA256}, {"file:hashes.'SHA256'", SK_IOC_SHA256},
        {"file:hashes.sha256", SK_IOC_SHA256},
        {"network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'", SK_IOC_USER_AGENT},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strlen(paths[i].path) == n && !memcmp(paths[i].path, p, n)) return paths[i].type;
    return -1;
}

/* an object path: type ':' property ('.' property | '[' index ']')* with quoted parts */
static int object_path(parser *ps, const char **s, size_t *n)
{
    blank(ps);
    *s = ps->p;
    while (ps->p < ps->end && is_word(*ps->p)) ps->p++;
    if (ps->p == *s || ps->p >= ps->end || *ps->p != ':') return -1;
    ps->p++;
    int any = 0;
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (is_word(c) || c == '.' || c == '*') {
            ps->p++;
        } else if (c == '[') {
            ps->p++;
            while (ps->p < ps->end && *ps->p != ']') ps->p++;
            if (ps->p >= ps->end) return -1;
            ps->p++;
        } else if (c == '\'') {
            ps->p++;
            while (ps->p < ps->end && *ps->p != '\'') ps->p++;
            if (ps->p >= ps->end) return -1;
            ps->p++;
        } else {
            break;
        }
        any = 1;
    }
    *n = (size_t)(ps->p - *s);
    return any ? 0 : -1;
}

static int cmp_or(parser *ps, set *out);

/* NOT? path op constant, or a parenthesised comparison expression */
static int cmp_atom(parser *ps, set *out)
{
    memset(out, 0, sizeof *out);
    if (punct(ps, '(')) {
        if (++ps->depth > STIX_MAX_DEPTH) return syntax(ps, "nested too deep"), 1;
        int rc = cmp_or(ps, out);
        ps->depth--;
        if (rc) return rc;
        if (!punct(ps, ')')) return set_free(out), syntax(ps, "')' expected"), 1;
        return 0;
    }
    int neg = keyword(ps, "NOT");
    const char *path;
    size_t pn;
    if (object_path(ps, &path, &pn)) return syntax(ps, "an object path expected"), 1;
    blank(ps);
    static const char *const ops[] = {"!=", "<=", ">=", "=", "<", ">", "ISSUBSET", "ISSUPERSET", "IN", "LIKE", "MATCHES", "EXISTS"};
    const char *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !op; i++)
        if ((ops[i][0] >= 'A' ? keyword(ps, ops[i]) : (size_t)(ps->end - ps->p) >= strlen(ops[i]) && !memcmp(ps->p, ops[i], strlen(ops[i]))))
            op = ops[i], ps->p += ops[i][0] >= 'A' ? 0 : strlen(ops[i]);
    if (!op) return syntax(ps, "a comparison operator expected"), 1;
    int type = path_type(path, pn);
    int in = !strcmp(op, "IN");
    /* the constant (a list for IN) */
    size_t offs[256], lens[256], nv = 0;
    int strings = 1;
    if (in) {
        if (!punct(ps, '(')) return syntax(ps, "'(' expected after IN"), 1;
        do {
            size_t o, l;
            blank(ps);
            if (ps->p < ps->end && *ps->p == '\'') {
                if (literal(ps, &o, &l)) return syntax(ps, "a string literal expected"), 1;
                if (nv < 256) offs[nv] = o, lens[nv++] = l;
            } else if (other_constant(ps)) {
                return syntax(ps, "a constant expected"), 1;
            } else {
                strings = 0;
            }
        } while (punct(ps, ','));
        if (!punct(ps, ')')) return syntax(ps, "')' expected after the IN list"), 1;
    } else if (strcmp(op, "EXISTS")) {
        blank(ps);
        if (ps->p < ps->end && *ps->p == '\'') {
            if (literal(ps, &offs[0], &lens[0])) return syntax(ps, "a string literal expected"), 1;
            nv = 1;
        } else if (other_constant(ps)) {
            return syntax(ps, "a constant expected"), 1;
        } else {
            strings = 0;
        }
    }
    /* what this set can match */
    int sub = !strcmp(op, "ISSUBSET");
    if (neg) {
        why(ps, "NOT", "", 0);
        out->bad = 1;
        return 0;
    }
    if (type < 0) {
        why(ps, "object path", path, pn);
        out->bad = 1;
        return 0;
    }
    if (!strings && (in || !strcmp(op, "=") || sub)) {
        why(ps, "a constant that is no string", "", 0);
        out->bad = 1;
        return 0;
    }
    if (!(in || !strcmp(op, "=") || (sub && type == SK_IOC_IP)) || !nv) {
        why(ps, "operator", op, strlen(op));
        out->bad = 1;
        return 0;
    }
    out->v = calloc(nv, sizeof *out->v);
    if (!out->v) return SK_ENOMEM;
    for (size_t i = 0; i < nv; i++) out->v[i] = (atom){sub ? SK_IOC_CIDR : type, offs[i], lens[i]};
    out->n = nv;
    return 0;
}

static int is_hash(int t)
{
    return t == SK_IOC_MD5 || t == SK_IOC_SHA1 || t == SK_IOC_SHA256;
}

/* comparisons joined by AND: reducible when each side is one value and they are all the
 * same value or all hashes (of the one file the observation is about); else unsupported */
static int cmp_and(parser *ps, set *out)
{
    int rc = cmp_atom(ps, out);
    if (rc) return rc;
    int conj = 0, reducible = !out->bad && out->n == 1, all_same = 1, all_hash = reducible && is_hash(out->v[0].type);
    while (keyword(ps, "AND")) {
        set b;
        if ((rc = cmp_atom(ps, &b))) return set_free(out), rc;
        conj = 1;
        if (b.bad || b.n != 1 || !reducible) {
            out->bad |= b.bad;
            reducible = 0;
            set_free(&b);
            continue;
        }
        const atom *x = &out->v[0], *y = &b.v[0];
        if (!(x->type == y->type && x->len == y->len && !memcmp(ps->lit + x->off, ps->lit + y->off, x->len))) all_same = 0;
        if (!is_hash(y->type)) all_hash = 0;
        int dup = 0;
        for (size_t i = 0; i < out->n && !dup; i++)
            dup = out->v[i].type == y->type && out->v[i].len == y->len && !memcmp(ps->lit + out->v[i].off, ps->lit + y->off, y->len);
        if (dup) {
            set_free(&b);
            continue;
        }
        if ((rc = set_join(out, &b))) return set_free(out), rc == 1 ? (syntax(ps, "too many values"), 1) : rc;
    }
    if (conj && !(reducible && (all_same || all_hash))) {
        if (!out->bad) why(ps, "AND of comparisons that reduces to no one value", "", 0);
        set_free(out);
        out->bad = 1;
    }
    return 0;
}

static int cmp_or(parser *ps, set *out)
{
    int rc = cmp_and(ps, out);
    if (rc) return rc;
    while (keyword(ps, "OR")) {
        set b;
        if ((rc = cmp_and(ps, &b))) return set_free(out), rc;
        if ((rc = set_join(out, &b))) return set_free(out), rc == SK_ENOMEM ? rc : (syntax(ps, "too many values"), -1);
    }
    return 0;
}

static int obs_or(parser *ps, set *out);

/* '[' comparisons ']' or '(' observations ')', then qualifiers */
static int obs_atom(parser *ps, set *out)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (punct(ps, '[')) {
        if ((rc = cmp_or(ps, out))) return rc;
        if (!punct(ps, ']')) return set_free(out), syntax(ps, "']' expected"), 1;
    } else if (punct(ps, '(')) {
        if (++ps->depth > STIX_MAX_DEPTH) return syntax(ps, "nested too deep"), 1;
        rc = obs_or(ps, out);
        ps->depth--;
        if (rc) return rc;
        if (!punct(ps, ')')) return set_free(out), syntax(ps, "')' expected"), 1;
    } else {
        return syntax(ps, "'[' expected"), 1;
    }
    for (;;) { /* qualifiers: the observation is not matchable alone */
        const char *q = NULL;
        if (keyword(ps, "WITHIN")) {
            q = "WITHIN";
            if (other_constant(ps) || !keyword(ps, "SECONDS")) return set_free(out), syntax(ps, "WITHIN n SECONDS expected"), 1;
        } else if (keyword(ps, "REPEATS")) {
            q = "REPEATS";
            if (other_constant(ps) || !keyword(ps, "TIMES")) return set_free(out), syntax(ps, "REPEATS n TIMES expected"), 1;
        } else if (keyword(ps, "START")) {
            q = "START/STOP";
            if (other_constant(ps) || !keyword(ps, "STOP") || other_constant(ps)) return set_free(out), syntax(ps, "START t'..' STOP t'..' expected"), 1;
        }
        if (!q) break;
        why(ps, "qualifier", q, strlen(q));
        set_free(out);
        out->bad = 1;
    }
    return 0;
}

/* observations joined by AND or FOLLOWEDBY: never one value */
static int obs_and(parser *ps, set *out)
{
    int rc = obs_atom(ps, out);
    if (rc) return rc;
    for (;;) {
        const char *kw = keyword(ps, "AND") ? "AND" : keyword(ps, "FOLLOWEDBY") ? "FOLLOWEDBY" : NULL;
        if (!kw) break;
        set b;
        if ((rc = obs_atom(ps, &b))) return set_free(out), rc;
        set_free(&b);
        if (!out->bad || out->n) why(ps, kw, "across observations", 19);
        set_free(out);
        out->bad = 1;
    }
    return 0;
}

static int obs_or(parser *ps, set *out)
{
    int rc = obs_and(ps, out);
    if (rc) return rc;
    while (keyword(ps, "OR")) {
        set b;
        if ((rc = obs_and(ps, &b))) return set_free(out), rc;
        if ((rc = set_join(out, &b))) return set_free(out), rc == SK_ENOMEM ? rc : (syntax(ps, "too many values"), -1);
    }
    return 0;
}

static int is_type(const sk_json_value *o, const char *t)
{
    size_t n;
    const char *s = ioc_json_str(o, "type", &n);
    return s && n == strlen(t) && !memcmp(s, t, n);
}

int ioc_stix_is(const sk_json_value *root)
{
    if (sk_json_type_of(root) == SK_JSON_OBJECT) return is_type(root, "bundle") || is_type(root, "indicator");
    if (sk_json_type_of(root) != SK_JSON_ARRAY) return 0;
    for (size_t i = 0; i < sk_json_length(root) && i < 16; i++)
        if (is_type(sk_json_array_at(root, i), "indicator")) return 1;
    return 0;
}

/* one indicator object */
static int indicator(ioc_load *ld, const sk_json_value *o)
{
    sk_ioc_set *s = ld->s;
    ioc_meta m = {.line = sk_json_line(o), .valid_from = SK_TIME_NONE, .valid_until = SK_TIME_NONE};
    size_t n;
    const char *id = ioc_json_str(o, "id", &n);
    m.id = id ? ioc_strdup(ld, id, n > 200 ? 200 : n) : "(an indicator without an id)";
    if (!m.id) return SK_ENOMEM;
    m.what = m.id;
    const sk_json_value *rv = sk_json_object_get(o, "revoked");
    if (rv && sk_json_type_of(rv) == SK_JSON_TRUE) {
        ioc_say(ld, m.line, "%s: revoked: not loaded", m.id);
        s->st.unsupported++;
        return 0;
    }
    size_t ptn;
    const char *pt = ioc_json_str(o, "pattern_type", &ptn);
    if (pt && !(ptn == 4 && !memcmp(pt, "stix", 4))) {
        ioc_say(ld, m.line, "%s: pattern_type '%.*s' is not read (only stix): not loaded", m.id, (int)(ptn > 40 ? 40 : ptn), pt);
        s->st.unsupported++;
        return 0;
    }
    size_t pn;
    const char *pat = ioc_json_str(o, "pattern", &pn);
    if (!pat) {
        ioc_say(ld, m.line, "%s: no pattern: not loaded", m.id);
        s->st.refused++;
        return 0;
    }
    const char *keys[2] = {"valid_from", "valid_until"};
    for (int k = 0; k < 2; k++) {
        size_t tn;
        const char *t = ioc_json_str(o, keys[k], &tn);
        if (t && ioc_time_parse(t, tn, k, k ? &m.valid_until : &m.valid_from)) {
            ioc_say(ld, m.line, "%s: %s '%.*s' is no time: not loaded", m.id, keys[k], (int)(tn > 60 ? 60 : tn), t);
            s->st.refused++;
            return 0;
        }
    }
    size_t nn = 0, dn = 0;
    const char *name = ioc_json_str(o, "name", &nn), *desc = ioc_json_str(o, "description", &dn);
    if (name || desc) {
        char c[600];
        int k = name && desc ? snprintf(c, sizeof c, "%.*s: %.*s", (int)(nn > 200 ? 200 : nn), name, (int)(dn > 300 ? 300 : dn), desc)
                             : snprintf(c, sizeof c, "%.*s", (int)(name ? (nn > 500 ? 500 : nn) : (dn > 500 ? 500 : dn)), name ? name : desc);
        if (k > 0 && !(m.comment = ioc_strdup(ld, c, strlen(c)))) return SK_ENOMEM;
    }
    if (pn > STIX_MAX_PATTERN) {
        ioc_say(ld, m.line, "%s: a pattern longer than 64 KiB: not loaded", m.id);
        s->st.unsupported++;
        return 0;
    }
    parser ps = {.p = pat, .end = pat + pn, .start = pat};
    ps.lit = malloc(pn + 1);
    if (!ps.lit) return SK_ENOMEM;
    set r = {0};
    int rc = obs_or(&ps, &r);
    if (!rc) {
        blank(&ps);
        if (ps.p != ps.end) set_free(&r), syntax(&ps, "unexpected text"), rc = 1;
    }
    if (rc == SK_ENOMEM) {
        free(ps.lit);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    if (rc || !r.n) {
        ioc_say(ld, m.line, "%s: unsupported pattern (%s): '%.*s'", m.id, ps.why[0] ? ps.why : "nothing to match", (int)(pn > 120 ? 120 : pn), pat);
        s->st.unsupported++;
        set_free(&r);
        free(ps.lit);
        return 0;
    }
    if (r.bad) {
        ioc_say(ld, m.line, "%s: part of the pattern is unsupported (%s), the rest loads: '%.*s'", m.id, ps.why, (int)(pn > 120 ? 120 : pn), pat);
        s->st.unsupported++;
    }
    for (size_t i = 0; i < r.n && rc >= 0; i++) {
        rc = ioc_add_value(ld, r.v[i].type, ps.lit + r.v[i].off, r.v[i].len, &m);
        if (rc > 0) rc = 0;
    }
    set_free(&r);
    free(ps.lit);
    return rc;
}

int ioc_add_stix(ioc_load *ld, const sk_json_value *root)
{
    const sk_json_value *list = root;
    if (sk_json_type_of(root) == SK_JSON_OBJECT) {
        if (is_type(root, "indicator")) return indicator(ld, root);
        list = sk_json_object_get(root, "objects");
        if (!list) return 0; /* an empty bundle */
        if (sk_json_type_of(list) != SK_JSON_ARRAY) {
            ioc_say(ld, sk_json_line(root), "a bundle whose objects are no array");
            ld->s->st.refused++;
            return 0;
        }
    }
    for (size_t i = 0; i < sk_json_length(list); i++) {
        const sk_json_value *o = sk_json_array_at(list, i);
        if (!is_type(o, "indicator")) continue; /* malware, relationships, identities: not indicators */
        int rc = indicator(ld, o);
        if (rc) return rc;
    }
    return 0;
}
