/*
 * evtx.c - the EVTX reader (sakimori/evtx.h, docs/evtx.md).
 *
 * A chunk's records are Binary XML. Most are a template instance: a template
 * definition (an element tree with numbered substitution slots, stored once in the
 * chunk and referred to by offset afterwards) and the values of this record. Each
 * definition is compiled once per chunk into a tree of tnodes (the template cache);
 * names are converted from UTF-16 once per chunk (the name cache). A record is then
 * the template's tree instantiated with its values into an sk_xnode tree, every value
 * rendered as Windows renders it in XML. A value may itself be Binary XML (type 0x21)
 * holding another template instance: it is parsed and instantiated in place.
 *
 * Every read is bounds-checked against the chunk; nesting is bounded by MAX_DEPTH and
 * the work of one record by MAX_NODES, so a template that refers to itself or a value
 * used a thousand times cannot run away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <sakimori/bytes.h>
#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/evtx.h>
#include <sakimori/sid.h>
#include <sakimori/utf.h>

#define CHUNK SK_EVTX_CHUNK_SIZE
#define MAX_DEPTH 48              /* elements, templates and nested Binary XML together */
#define MAX_NODES 100000          /* elements, attributes and values made for one record */
#define MAX_VALUES 4096           /* substitution values of one template instance */
#define NAME_SLOTS 4096           /* power of two */
#define TPL_SLOTS 1024            /* power of two */
#define RECORD_ARENA_MAX ((size_t)64 << 20)
#define CHUNK_ARENA_MAX ((size_t)64 << 20)

enum { TK_EOF = 0x00, TK_OPEN = 0x01, TK_CLOSE_START = 0x02, TK_CLOSE_EMPTY = 0x03, TK_END = 0x04, TK_VALUE = 0x05,
       TK_ATTR = 0x06, TK_CDATA = 0x07, TK_CHARREF = 0x08, TK_ENTREF = 0x09, TK_PI_TARGET = 0x0a, TK_PI_DATA = 0x0b,
       TK_TEMPLATE = 0x0c, TK_SUBST = 0x0d, TK_OPT_SUBST = 0x0e, TK_FRAGMENT = 0x0f };

enum { VT_NULL = 0x00, VT_STRING = 0x01, VT_ANSI = 0x02, VT_I8, VT_U8, VT_I16, VT_U16, VT_I32, VT_U32, VT_I64, VT_U64,
       VT_F32 = 0x0b, VT_F64 = 0x0c, VT_BOOL = 0x0d, VT_BINARY = 0x0e, VT_GUID = 0x0f, VT_SIZET = 0x10,
       VT_FILETIME = 0x11, VT_SYSTIME = 0x12, VT_SID = 0x13, VT_HEX32 = 0x14, VT_HEX64 = 0x15, VT_BINXML = 0x21,
       VT_ARRAY = 0x80 };

/* ---- compiled templates ---- */

enum { T_ELEM = 1, T_TEXT, T_SUBST };

typedef struct tnode {
    uint8_t kind;
    uint8_t optional; /* T_SUBST: an optional substitution */
    uint8_t vtype;    /* T_SUBST: the type the template declares */
    uint16_t id;      /* T_SUBST: the value's index */
    const char *name; /* T_ELEM */
    struct tattr *attrs;
    struct tnode *child, *child_tail, *next;
    const char *text; /* T_TEXT */
    size_t len;
} tnode;

typedef struct tattr {
    const char *name;
    tnode *val, *val_tail; /* T_TEXT and T_SUBST pieces */
    struct tattr *next;
} tattr;

typedef struct tval {
    uint8_t type;
    uint32_t off;  /* in the chunk */
    uint32_t size;
} tval;

typedef struct name_slot {
    uint32_t off;
    const char *s;
} name_slot;

typedef struct tpl_slot {
    uint32_t off;
    tnode *tree;
    int bad; /* compiled once and found broken: fail fast */
} tpl_slot;

struct sk_evtx_chunk {
    const uint8_t *d;
    uint64_t file_off;
    sk_arena *ca;     /* per chunk: names, templates */
    sk_arena *ra;     /* per record: the element tree, rendered values */
    name_slot names[NAME_SLOTS];
    tpl_slot tpls[TPL_SLOTS];
    uint32_t pos, limit, free_off;
    uint32_t rec_off; /* the record being parsed */
    int recovered, carve, carving, raw;
    size_t nodes;     /* made for the current record */
    char err[256];
    char note[256];   /* a record read despite damage: what was wrong */
    sk_buf scratch;
};

/* a cursor over the chunk */
typedef struct cur {
    sk_evtx_chunk *c;
    uint32_t pos, end;
} cur;

#define rd16 sk_le16
#define rd32 sk_le32
#define rd64 sk_le64

/* Record the first error of the record being parsed; returns -1. */
static int fail(sk_evtx_chunk *c, uint32_t at, const char *msg)
{
    if (!c->err[0])
        snprintf(c->err, sizeof c->err, "offset %llu: %s", (unsigned long long)(c->file_off + (at ? at : c->rec_off)), msg);
    return -1;
}

static int need(cur *k, uint32_t n)
{
    if (k->pos > k->end || k->end - k->pos < n) return fail(k->c, k->pos, "Binary XML truncated");
    return 0;
}

/* ---- header ---- */

int sk_evtx_header_parse(const uint8_t *d, size_t n, sk_evtx_header *h)
{
    memset(h, 0, sizeof *h);
    if (n < 128 || memcmp(d, "ElfFile", 8)) return sk_error_set(SK_EFORMAT, "no EVTX file header (signature \"ElfFile\" missing at offset 0)");
    h->first_chunk = rd64(d + 8);
    h->last_chunk = rd64(d + 16);
    h->next_record_id = rd64(d + 24);
    h->header_size = rd32(d + 32);
    h->minor = rd16(d + 36);
    h->major = rd16(d + 38);
    h->header_block_size = rd16(d + 40);
    h->chunks = rd16(d + 42);
    h->flags = rd32(d + 120);
    h->checksum_ok = (uint32_t)crc32(0, d, 120) == rd32(d + 124);
    return 0;
}

/* ---- the element tree ---- */

const sk_xattr *sk_xnode_attr(const sk_xnode *n, const char *name)
{
    for (const sk_xattr *a = n ? n->attrs : NULL; a; a = a->next)
        if (!strcmp(a->name, name)) return a;
    return NULL;
}

const sk_xnode *sk_xnode_child(const sk_xnode *n, const char *name)
{
    for (const sk_xnode *x = n ? n->child : NULL; x; x = x->next)
        if (!strcmp(x->name, name)) return x;
    return NULL;
}

/* ---- names ---- */

/* The name structure at chunk offset off (next offset, hash, count, UTF-16, NUL), as
 * UTF-8 from the chunk's name cache. *size gets the structure's size. */
static const char *name_at(sk_evtx_chunk *c, uint32_t off, uint32_t *size)
{
    if (off > CHUNK - 8) return NULL;
    uint32_t units = rd16(c->d + off + 6);
    if ((uint64_t)off + 8 + 2 * (uint64_t)units + 2 > CHUNK) return NULL;
    *size = 8 + 2 * units + 2;
    uint32_t h = (off * 2654435761u) & (NAME_SLOTS - 1);
    for (uint32_t i = 0; i < 16; i++) {
        name_slot *s = &c->names[(h + i) & (NAME_SLOTS - 1)];
        if (s->s && s->off == off) return s->s;
        if (!s->s) {
            char *n = sk_arena_alloc(c->ca, 3 * (size_t)units + 1);
            if (!n) return NULL;
            size_t len = sk_utf16le_to_utf8_raw(n, c->d + off + 8, units, 1);
            n[len] = '\0';
            s->off = off;
            s->s = n;
            return n;
        }
    }
    /* the cache is full (a hostile chunk): convert without keeping */
    char *n = sk_arena_alloc(c->ca, 3 * (size_t)units + 1);
    if (!n) return NULL;
    n[sk_utf16le_to_utf8_raw(n, c->d + off + 8, units, 1)] = '\0';
    return n;
}

/* A name reference at the cursor: its offset, and the name itself when it follows. */
static const char *name_ref(cur *k)
{
    if (need(k, 4)) return NULL;
    uint32_t off = rd32(k->c->d + k->pos);
    k->pos += 4;
    uint32_t size = 0;
    const char *n = name_at(k->c, off, &size);
    if (!n) {
        fail(k->c, k->pos - 4, "name offset out of the chunk");
        return NULL;
    }
    if (off == k->pos) { /* stored here: step over it */
        if (need(k, size)) return NULL;
        k->pos += size;
    }
    return n;
}

/* ---- compiling Binary XML into tnodes ---- */

static void *tnew(sk_evtx_chunk *c, sk_arena *a, size_t n)
{
    if (++c->nodes > MAX_NODES) return NULL;
    return sk_arena_calloc(a, 1, n);
}

static tnode *text_node(cur *k, sk_arena *a, const uint8_t *p, size_t units)
{
    tnode *t = tnew(k->c, a, sizeof *t);
    char *s = t ? sk_arena_alloc(a, 3 * units + 1) : NULL;
    if (!s) {
        fail(k->c, k->pos, "record too large");
        return NULL;
    }
    t->kind = T_TEXT;
    t->len = sk_utf16le_to_utf8_raw(s, p, units, 0);
    s[t->len] = '\0';
    t->text = s;
    return t;
}

static tnode *utf8_node(cur *k, sk_arena *a, const char *s, size_t n)
{
    tnode *t = tnew(k->c, a, sizeof *t);
    char *d = t ? sk_arena_strndup(a, s, n) : NULL;
    if (!d) {
        fail(k->c, k->pos, "record too large");
        return NULL;
    }
    t->kind = T_TEXT;
    t->text = d;
    t->len = n;
    return t;
}

/* One piece of text content or attribute value at the cursor (value text, CDATA,
 * character or entity reference, substitution); NULL with an error otherwise. */
static tnode *piece(cur *k, sk_arena *a)
{
    sk_evtx_chunk *c = k->c;
    uint8_t tok = c->d[k->pos] & 0x1f;
    k->pos++;
    switch (tok) {
    case TK_VALUE: {
        if (need(k, 3)) return NULL;
        uint8_t type = c->d[k->pos];
        uint32_t units = rd16(c->d + k->pos + 1);
        k->pos += 3;
        if (type != VT_STRING) {
            fail(c, k->pos - 3, "value text of a type other than string");
            return NULL;
        }
        if (need(k, 2 * units)) return NULL;
        tnode *t = text_node(k, a, c->d + k->pos, units);
        k->pos += 2 * units;
        return t;
    }
    case TK_CDATA:
    case TK_PI_DATA: {
        if (need(k, 2)) return NULL;
        uint32_t units = rd16(c->d + k->pos);
        k->pos += 2;
        if (need(k, 2 * units)) return NULL;
        tnode *t = text_node(k, a, c->d + k->pos, units);
        k->pos += 2 * units;
        return t;
    }
    case TK_CHARREF: {
        if (need(k, 2)) return NULL;
        uint8_t u[4];
        size_t n = sk_utf8_encode(rd16(c->d + k->pos), u);
        k->pos += 2;
        return utf8_node(k, a, (const char *)u, n);
    }
    case TK_ENTREF: {
        const char *n = name_ref(k);
        if (!n) return NULL;
        static const char *const ent[][2] = {{"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
        for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
            if (!strcmp(n, ent[i][0])) return utf8_node(k, a, ent[i][1], 1);
        char buf[300];
        int m = snprintf(buf, sizeof buf, "&%s;", n);
        return utf8_node(k, a, buf, m < 0 ? 0 : (size_t)m < sizeof buf ? (size_t)m : sizeof buf - 1);
    }
    case TK_SUBST:
    case TK_OPT_SUBST: {
        if (need(k, 3)) return NULL;
        tnode *t = tnew(c, a, sizeof *t);
        if (!t) {
            fail(c, k->pos, "record too large");
            return NULL;
        }
        t->kind = T_SUBST;
        t->id = rd16(c->d + k->pos);
        t->vtype = c->d[k->pos + 2];
        t->optional = tok == TK_OPT_SUBST;
        k->pos += 3;
        return t;
    }
    default:
        fail(c, k->pos - 1, "unexpected token in text");
        return NULL;
    }
}

static int is_piece(uint8_t tok)
{
    tok &= 0x1f;
    return tok == TK_VALUE || tok == TK_CDATA || tok == TK_CHARREF || tok == TK_ENTREF || tok == TK_SUBST || tok == TK_OPT_SUBST;
}

/* Does the element start at the cursor carry the 2-byte dependency identifier? It is
 * absent in Binary XML substitution values; tell by where the name offset is valid. */
static int has_dependency_id(cur *k)
{
    const uint8_t *d = k->c->d;
    uint32_t p = k->pos;
    for (int with = 1; with >= 0; with--) {
        uint32_t field = p + 1 + (with ? 2 : 0) + 4;
        if (field + 4 > k->end) continue;
        uint32_t off = rd32(d + field), size;
        if (off == field + 4 || (off < field && off >= 24)) {
            if (name_at(k->c, off, &size) && (off != field + 4 || field + 4 + size <= k->end)) return with;
        }
    }
    return 1;
}

static tnode *element(cur *k, sk_arena *a, int depth);

/* Content up to and including the end-element token, into parent. */
static int content(cur *k, sk_arena *a, tnode *parent, int depth)
{
    sk_evtx_chunk *c = k->c;
    for (;;) {
        if (need(k, 1)) return -1;
        uint8_t tok = c->d[k->pos];
        tnode *t = NULL;
        switch (tok & 0x1f) {
        case TK_END:
            k->pos++;
            return 0;
        case TK_OPEN:
            t = element(k, a, depth + 1);
            break;
        case TK_PI_TARGET:
            k->pos++;
            if (!name_ref(k)) return -1;
            continue;
        case TK_PI_DATA: /* a processing instruction's text: not content */
            if (!piece(k, a)) return -1;
            continue;
        default:
            if (!is_piece(tok)) return fail(c, k->pos, "unexpected token in element content");
            t = piece(k, a);
        }
        if (!t) return -1;
        if (parent->child_tail)
            parent->child_tail->next = t;
        else
            parent->child = t;
        parent->child_tail = t;
    }
}

static tnode *element(cur *k, sk_arena *a, int depth)
{
    sk_evtx_chunk *c = k->c;
    if (depth > MAX_DEPTH) {
        fail(c, k->pos, "elements nested too deeply");
        return NULL;
    }
    uint8_t tok = c->d[k->pos];
    int dep = has_dependency_id(k);
    k->pos++;
    if (need(k, (dep ? 2u : 0u) + 4)) return NULL;
    k->pos += (dep ? 2 : 0) + 4; /* dependency identifier, data size */
    tnode *e = tnew(c, a, sizeof *e);
    if (!e) {
        fail(c, k->pos, "record too large");
        return NULL;
    }
    e->kind = T_ELEM;
    if (!(e->name = name_ref(k))) return NULL;
    if (tok & 0x40) { /* an attribute list */
        if (need(k, 4)) return NULL;
        k->pos += 4;
        tattr *tail = NULL;
        while (k->pos < k->end && (c->d[k->pos] & 0x1f) == TK_ATTR) {
            k->pos++;
            tattr *at = tnew(c, a, sizeof *at);
            if (!at) {
                fail(c, k->pos, "record too large");
                return NULL;
            }
            if (!(at->name = name_ref(k))) return NULL;
            while (k->pos < k->end && is_piece(c->d[k->pos])) {
                tnode *v = piece(k, a);
                if (!v) return NULL;
                if (at->val_tail)
                    at->val_tail->next = v;
                else
                    at->val = v;
                at->val_tail = v;
            }
            if (tail)
                tail->next = at;
            else
                e->attrs = at;
            tail = at;
        }
    }
    if (need(k, 1)) return NULL;
    uint8_t close = c->d[k->pos++];
    if (close == TK_CLOSE_EMPTY) return e;
    if (close != TK_CLOSE_START) {
        fail(c, k->pos - 1, "element start not closed");
        return NULL;
    }
    return content(k, a, e, depth) ? NULL : e;
}

/* The compiled tree of the template definition at chunk offset def (cached). */
static tnode *template_at(sk_evtx_chunk *c, uint32_t def, uint32_t *data_size)
{
    if (def > CHUNK - 24) {
        fail(c, def, "template definition out of the chunk");
        return NULL;
    }
    *data_size = rd32(c->d + def + 20);
    uint32_t h = (def * 2654435761u) & (TPL_SLOTS - 1);
    tpl_slot *slot = NULL;
    for (uint32_t i = 0; i < 16; i++) {
        tpl_slot *s = &c->tpls[(h + i) & (TPL_SLOTS - 1)];
        if (s->off == def && (s->tree || s->bad)) {
            if (s->bad) fail(c, def, "broken template definition");
            return s->tree;
        }
        if (!s->tree && !s->bad) {
            slot = s;
            break;
        }
    }
    if ((uint64_t)def + 24 + *data_size > CHUNK) {
        fail(c, def, "template definition larger than the chunk");
        return NULL;
    }
    cur k = {c, def + 24, def + 24 + *data_size};
    tnode *tree = NULL;
    size_t nodes = c->nodes;
    c->nodes = 0; /* a definition's own budget, kept across the chunk */
    while (k.pos < k.end && !tree) {
        uint8_t tok = c->d[k.pos] & 0x1f;
        if (tok == TK_FRAGMENT) {
            k.pos += 4;
        } else if (tok == TK_OPEN) {
            tree = element(&k, c->ca, 1);
            if (!tree) break;
        } else {
            fail(c, k.pos, "template definition holds no element");
            break;
        }
    }
    c->nodes = nodes;
    if (!tree && !c->err[0]) fail(c, def, "empty template definition");
    if (slot) {
        slot->off = def;
        slot->tree = tree;
        slot->bad = !tree;
    }
    return tree;
}

/* ---- rendering values ---- */

static void put_hex(sk_buf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    if (sk_buf_reserve(b, 2 * n)) return;
    for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = hx[p[i] >> 4];
        b->data[b->len++] = hx[p[i] & 15];
    }
    b->data[b->len] = '\0';
}

/* "0x" and lower-case hex, at least `digits` of them */
static void put_x(sk_buf *b, uint64_t v, int digits)
{
    static const char hx[] = "0123456789abcdef";
    char t[20];
    int n = 0;
    do t[19 - n++] = hx[v & 15]; while ((v >>= 4) || n < digits);
    sk_buf_append(b, "0x", 2);
    sk_buf_append(b, t + 20 - n, (size_t)n);
}

/* A floating-point value in the shortest form that reads back the same (digits: 9 for
 * single, 17 for double precision). */
static void put_real(sk_buf *b, double v, int digits)
{
    char t[48];
    int m = snprintf(t, sizeof t, "%.*g", digits, v);
    if (m > 0) sk_buf_append(b, t, (size_t)m);
}

/* Size of one element of an array of `type`, 0 for variable-size ones. */
static uint32_t elem_size(uint8_t type)
{
    switch (type) {
    case VT_I8: case VT_U8: return 1;
    case VT_I16: case VT_U16: return 2;
    case VT_I32: case VT_U32: case VT_F32: case VT_BOOL: case VT_HEX32: return 4;
    case VT_I64: case VT_U64: case VT_F64: case VT_FILETIME: case VT_HEX64: return 8;
    case VT_GUID: case VT_SYSTIME: return 16;
    default: return 0;
    }
}

/* One scalar value as Windows renders it in XML, appended to b. */
static void render_scalar(sk_buf *b, uint8_t type, const uint8_t *p, uint32_t n)
{
    switch (type) {
    case VT_STRING: {
        size_t units = n / 2;
        while (units && !p[2 * units - 2] && !p[2 * units - 1]) units--; /* trailing NULs */
        sk_utf16le_to_utf8(b, p, units, 0);
        return;
    }
    case VT_ANSI: {
        size_t m = n;
        while (m && !p[m - 1]) m--;
        if (sk_utf8_valid(p, m)) {
            sk_buf_append(b, p, m);
        } else { /* the code page is unknown: Latin-1 keeps every byte */
            for (size_t i = 0; i < m; i++) {
                uint8_t u[4];
                sk_buf_append(b, u, sk_utf8_encode(p[i], u));
            }
        }
        return;
    }
    case VT_I8: if (n >= 1) sk_buf_put_i64(b, (int8_t)p[0]); return;
    case VT_U8: if (n >= 1) sk_buf_put_u64(b, p[0]); return;
    case VT_I16: if (n >= 2) sk_buf_put_i64(b, (int16_t)rd16(p)); return;
    case VT_U16: if (n >= 2) sk_buf_put_u64(b, rd16(p)); return;
    case VT_I32: if (n >= 4) sk_buf_put_i64(b, (int32_t)rd32(p)); return;
    case VT_U32: if (n >= 4) sk_buf_put_u64(b, rd32(p)); return;
    case VT_I64: if (n >= 8) sk_buf_put_i64(b, (int64_t)rd64(p)); return;
    case VT_U64: if (n >= 8) sk_buf_put_u64(b, rd64(p)); return;
    case VT_HEX32: if (n >= 4) put_x(b, rd32(p), 1); return;
    case VT_HEX64: if (n >= 8) put_x(b, rd64(p), 1); return;
    case VT_SIZET:
        if (n >= 8) put_x(b, rd64(p), 16);
        else if (n >= 4) put_x(b, rd32(p), 8);
        return;
    case VT_F32:
        if (n >= 4) {
            uint32_t u = rd32(p);
            float f;
            memcpy(&f, &u, 4);
            put_real(b, (double)f, 9);
        }
        return;
    case VT_F64:
        if (n >= 8) {
            uint64_t u = rd64(p);
            double f;
            memcpy(&f, &u, 8);
            put_real(b, f, 17);
        }
        return;
    case VT_BOOL: {
        int v = 0;
        for (uint32_t i = 0; i < n; i++) v |= p[i] != 0;
        sk_buf_puts(b, v ? "true" : "false");
        return;
    }
    case VT_GUID:
        if (n >= 16) {
            static const char hx[] = "0123456789ABCDEF";
            char t[38];
            uint8_t g[16] = {p[3], p[2], p[1], p[0], p[5], p[4], p[7], p[6]};
            memcpy(g + 8, p + 8, 8);
            size_t o = 0;
            t[o++] = '{';
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10) t[o++] = '-';
                t[o++] = hx[g[i] >> 4];
                t[o++] = hx[g[i] & 15];
            }
            t[o++] = '}';
            sk_buf_append(b, t, o);
        }
        return;
    case VT_FILETIME:
        if (n >= 8) {
            char t[SK_TIME_ISO_MAX];
            sk_buf_append(b, t, sk_filetime_format(t, rd64(p)));
        }
        return;
    case VT_SYSTIME:
        if (n >= 16) {
            char t[64];
            snprintf(t, sizeof t, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", rd16(p), rd16(p + 2), rd16(p + 6), rd16(p + 8), rd16(p + 10),
                     rd16(p + 12), rd16(p + 14));
            sk_buf_puts(b, t);
        }
        return;
    case VT_SID: {
        char t[SK_SID_MAX];
        if (!sk_sid_format(p, n, t))
            sk_buf_puts(b, t);
        else
            put_hex(b, p, n);
        return;
    }
    default: /* binary, handles, unknown types */
        put_hex(b, p, n);
        return;
    }
}

/* ---- instantiating ---- */

typedef struct inst {
    tnode *tree;
    tval *vals;
    uint32_t n;
} inst;

static int fragment(cur *k, int depth, sk_xnode *parent);

static char *scratch_copy(sk_evtx_chunk *c, size_t *len)
{
    *len = c->scratch.len;
    char *s = sk_arena_strndup(c->ra, c->scratch.len ? c->scratch.data : "", c->scratch.len);
    if (!s) fail(c, 0, "record too large");
    return s;
}

/* Render value v into an element's content or an attribute's text (c->scratch). */
static void value_text(sk_evtx_chunk *c, const tval *v)
{
    render_scalar(&c->scratch, v->type, c->d + v->off, v->size);
}

/* Set or extend an element's text. */
static int add_text(sk_evtx_chunk *c, sk_xnode *x, const char *s, size_t n)
{
    x->vtype = 0; /* literal or joined text: no one value type */
    if (x->vkind == SK_XV_TEXT) {
        char *t = sk_arena_alloc(c->ra, x->len + n + 1);
        if (!t) return fail(c, 0, "record too large");
        memcpy(t, x->text, x->len);
        memcpy(t + x->len, s, n);
        t[x->len + n] = '\0';
        x->text = t;
        x->len += n;
    } else {
        x->vkind = SK_XV_TEXT;
        x->text = s;
        x->len = n;
    }
    return 0;
}

/* An array value: its items as texts. */
static int array_value(sk_evtx_chunk *c, sk_xnode *x, const tval *v)
{
    uint8_t base = v->type & 0x7f;
    const uint8_t *p = c->d + v->off;
    uint32_t n = v->size;
    size_t cap = 0, count = 0;
    uint32_t es = elem_size(base);
    if (base == VT_SIZET) es = (n % 8 == 0 && n) ? 8 : 4;
    /* count first */
    if (base == VT_STRING) {
        for (uint32_t i = 0; i + 1 < n; i += 2) cap += !p[i] && !p[i + 1];
        cap += 1;
    } else if (base == VT_ANSI) {
        for (uint32_t i = 0; i < n; i++) cap += !p[i];
        cap += 1;
    } else if (base == VT_SID) {
        cap = n / 8 + 1;
    } else if (es) {
        cap = n / es;
    } else {
        cap = 1;
    }
    if (c->nodes + cap > MAX_NODES) return fail(c, v->off, "record too large");
    c->nodes += cap;
    const char **items = sk_arena_calloc(c->ra, cap ? cap : 1, sizeof *items);
    size_t *lens = sk_arena_calloc(c->ra, cap ? cap : 1, sizeof *lens);
    if (!items || !lens) return fail(c, v->off, "record too large");
    uint32_t i = 0;
    while (i < n && count < cap) {
        uint32_t len;
        if (base == VT_STRING) {
            uint32_t j = i;
            while (j + 1 < n && (p[j] || p[j + 1])) j += 2;
            len = j - i;
            sk_buf_reset(&c->scratch);
            render_scalar(&c->scratch, VT_STRING, p + i, len);
            i = j + 2;
        } else if (base == VT_ANSI) {
            uint32_t j = i;
            while (j < n && p[j]) j++;
            len = j - i;
            sk_buf_reset(&c->scratch);
            render_scalar(&c->scratch, VT_ANSI, p + i, len);
            i = j + 1;
        } else if (base == VT_SID) {
            if (n - i < 8) break;
            len = 8 + 4 * (uint32_t)p[i + 1];
            if (len > n - i) len = n - i;
            sk_buf_reset(&c->scratch);
            render_scalar(&c->scratch, VT_SID, p + i, len);
            i += len;
        } else if (es) {
            if (n - i < es) break;
            sk_buf_reset(&c->scratch);
            render_scalar(&c->scratch, base, p + i, es);
            i += es;
        } else {
            sk_buf_reset(&c->scratch);
            render_scalar(&c->scratch, base, p, n);
            i = n;
        }
        if (!(items[count] = scratch_copy(c, &lens[count]))) return -1;
        count++;
    }
    x->vkind = SK_XV_ARRAY;
    x->items = items;
    x->item_lens = lens;
    x->n_items = count;
    return 0;
}

static int instantiate(sk_evtx_chunk *c, const tnode *t, const tval *vals, uint32_t nv, sk_xnode *parent, int depth);

/* A substitution in an element's content. */
static int subst_content(sk_evtx_chunk *c, const tnode *t, const tval *vals, uint32_t nv, sk_xnode *x, int depth)
{
    if (t->id >= nv || vals[t->id].type == VT_NULL) {
        if (x->vkind == SK_XV_NONE) x->vkind = SK_XV_NULL;
        return 0;
    }
    const tval *v = &vals[t->id];
    if (v->type == VT_BINXML) { /* nested Binary XML: its elements become children */
        cur k = {c, v->off, v->off + v->size};
        return fragment(&k, depth + 1, x);
    }
    if (v->type & VT_ARRAY) {
        if (x->vkind == SK_XV_NONE || x->vkind == SK_XV_NULL) {
            int rc = array_value(c, x, v);
            x->vtype = v->type;
            return rc;
        }
        /* an array after other text: appended, comma-separated */
        sk_xnode tmp = {0};
        if (array_value(c, &tmp, v)) return -1;
        for (size_t i = 0; i < tmp.n_items; i++)
            if ((i && add_text(c, x, ",", 1)) || add_text(c, x, tmp.items[i], tmp.item_lens[i])) return -1;
        return 0;
    }
    sk_buf_reset(&c->scratch);
    value_text(c, v);
    size_t n;
    char *s = scratch_copy(c, &n);
    if (!s) return -1;
    if (x->vkind == SK_XV_NULL) x->vkind = SK_XV_NONE;
    if (x->vkind == SK_XV_ARRAY) { /* text after an array: joined */
        const char **items = x->items;
        size_t *lens = x->item_lens, m = x->n_items;
        x->vkind = SK_XV_NONE;
        for (size_t i = 0; i < m; i++)
            if ((i && add_text(c, x, ",", 1)) || add_text(c, x, items[i], lens[i])) return -1;
    }
    int first = x->vkind == SK_XV_NONE;
    if (add_text(c, x, s, n)) return -1;
    if (first) x->vtype = v->type; /* the element's whole content is this one value */
    return 0;
}

static int instantiate(sk_evtx_chunk *c, const tnode *t, const tval *vals, uint32_t nv, sk_xnode *parent, int depth)
{
    if (depth > MAX_DEPTH) return fail(c, 0, "elements nested too deeply");
    if (++c->nodes > MAX_NODES) return fail(c, 0, "record too large");
    sk_xnode *x = sk_arena_calloc(c->ra, 1, sizeof *x);
    if (!x) return fail(c, 0, "record too large");
    x->name = t->name;
    for (const tattr *a = t->attrs; a; a = a->next) {
        sk_buf_reset(&c->scratch);
        int null = 0, pieces = 0;
        for (const tnode *p = a->val; p; p = p->next, pieces++) {
            if (p->kind == T_TEXT) {
                sk_buf_append(&c->scratch, p->text, p->len);
            } else if (p->id >= nv || vals[p->id].type == VT_NULL) {
                null = 1; /* an absent value: the attribute is left out */
            } else if (vals[p->id].type == VT_BINXML) {
                null = 1; /* no markup in an attribute */
            } else if (vals[p->id].type & VT_ARRAY) {
                sk_xnode tmp = {0};
                size_t mark = c->scratch.len;
                char *keep = sk_arena_strndup(c->ra, c->scratch.data ? c->scratch.data : "", mark);
                if (!keep || array_value(c, &tmp, &vals[p->id])) return -1;
                sk_buf_reset(&c->scratch);
                sk_buf_append(&c->scratch, keep, mark);
                for (size_t i = 0; i < tmp.n_items; i++) {
                    if (i) sk_buf_putc(&c->scratch, ',');
                    sk_buf_append(&c->scratch, tmp.items[i], tmp.item_lens[i]);
                }
            } else {
                value_text(c, &vals[p->id]);
            }
        }
        if (null && pieces == 1) continue;
        if (++c->nodes > MAX_NODES) return fail(c, 0, "record too large");
        sk_xattr *xa = sk_arena_calloc(c->ra, 1, sizeof *xa);
        if (!xa || !(xa->value = scratch_copy(c, &xa->len))) return fail(c, 0, "record too large");
        xa->name = a->name;
        if (x->attrs_tail)
            x->attrs_tail->next = xa;
        else
            x->attrs = xa;
        x->attrs_tail = xa;
    }
    for (const tnode *ch = t->child; ch; ch = ch->next) {
        int rc = 0;
        if (ch->kind == T_ELEM)
            rc = instantiate(c, ch, vals, nv, x, depth + 1);
        else if (ch->kind == T_TEXT)
            rc = add_text(c, x, ch->text, ch->len);
        else
            rc = subst_content(c, ch, vals, nv, x, depth);
        if (rc) return -1;
    }
    if (parent->child_tail)
        parent->child_tail->next = x;
    else
        parent->child = x;
    parent->child_tail = x;
    return 0;
}

/* A template instance at the cursor (on its token): the compiled definition and the
 * values, which follow it. */
static int template_instance(cur *k, inst *out)
{
    sk_evtx_chunk *c = k->c;
    if (need(k, 10)) return -1;
    uint32_t def = rd32(c->d + k->pos + 6);
    k->pos += 10;
    uint32_t data_size = 0;
    tnode *tree = template_at(c, def, &data_size);
    if (!tree) return -1;
    if (def == k->pos) { /* the definition is stored here: step over it */
        if (need(k, 24) || need(k, 24 + data_size)) return -1;
        k->pos += 24 + data_size;
    }
    if (need(k, 4)) return -1;
    uint32_t n = rd32(c->d + k->pos);
    k->pos += 4;
    if (n > MAX_VALUES) return fail(c, k->pos - 4, "too many template values");
    /* values count in the record's budget: a Binary XML value used many times is parsed
     * each time it is used */
    if ((c->nodes += n + 1) > MAX_NODES) return fail(c, k->pos - 4, "record too large");
    if (need(k, 4 * n)) return -1;
    tval *v = n ? sk_arena_alloc(c->ra, n * sizeof *v) : NULL;
    if (n && !v) return fail(c, k->pos, "record too large");
    uint32_t data = k->pos + 4 * n;
    for (uint32_t i = 0; i < n; i++) {
        v[i].size = rd16(c->d + k->pos + 4 * i);
        v[i].type = c->d[k->pos + 4 * i + 2];
        v[i].off = data;
        if (data > k->end || k->end - data < v[i].size) return fail(c, k->pos + 4 * i, "template value past the record");
        data += v[i].size;
    }
    k->pos = data;
    out->tree = tree;
    out->vals = v;
    out->n = n;
    return 0;
}

/* A Binary XML fragment (or document) in [k->pos, k->end): its elements, instantiated
 * as children of parent. */
static int fragment(cur *k, int depth, sk_xnode *parent)
{
    sk_evtx_chunk *c = k->c;
    if (depth > MAX_DEPTH) return fail(c, k->pos, "Binary XML nested too deeply");
    while (k->pos < k->end) {
        uint8_t tok = c->d[k->pos] & 0x1f;
        if (tok == TK_EOF) {
            k->pos++;
            break;
        }
        if (tok == TK_FRAGMENT) {
            if (need(k, 4)) return -1;
            k->pos += 4;
        } else if (tok == TK_TEMPLATE) {
            inst in;
            if (template_instance(k, &in) || instantiate(c, in.tree, in.vals, in.n, parent, depth + 1)) return -1;
        } else if (tok == TK_OPEN) {
            tnode *e = element(k, c->ra, depth + 1);
            if (!e || instantiate(c, e, NULL, 0, parent, depth + 1)) return -1;
        } else if (tok == TK_PI_TARGET) {
            k->pos++;
            if (!name_ref(k)) return -1;
        } else if (tok == TK_PI_DATA) {
            if (!piece(k, c->ra)) return -1;
        } else {
            return fail(c, k->pos, "unexpected token at the top of a fragment");
        }
    }
    return 0;
}

/* ---- chunks and records ---- */

int sk_evtx_chunk_new(sk_evtx_chunk **out)
{
    *out = NULL;
    sk_evtx_chunk *c = calloc(1, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    if (sk_arena_new(&c->ca, 64 << 10, CHUNK_ARENA_MAX) || sk_arena_new(&c->ra, 64 << 10, RECORD_ARENA_MAX)) {
        sk_evtx_chunk_free(c);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    sk_buf_init(&c->scratch, (size_t)1 << 20);
    *out = c;
    return 0;
}

void sk_evtx_chunk_free(sk_evtx_chunk *c)
{
    if (!c) return;
    sk_arena_free(c->ca);
    sk_arena_free(c->ra);
    sk_buf_free(&c->scratch);
    free(c);
}

void sk_evtx_chunk_set_carve(sk_evtx_chunk *c, int carve)
{
    c->carve = carve;
}

int sk_evtx_chunk_carved(const sk_evtx_chunk *c)
{
    return c->carving;
}

static void reset(sk_evtx_chunk *c, const uint8_t *data, uint64_t file_offset)
{
    c->d = data;
    c->file_off = file_offset;
    sk_arena_reset(c->ca);
    sk_arena_reset(c->ra);
    memset(c->names, 0, sizeof c->names);
    memset(c->tpls, 0, sizeof c->tpls);
    c->pos = 512;
    c->recovered = 0;
    c->carving = 0;
    c->raw = 0;
    c->err[0] = '\0';
}

int sk_evtx_chunk_begin(sk_evtx_chunk *c, const uint8_t *data, uint64_t file_offset, sk_evtx_chunk_info *info)
{
    reset(c, data, file_offset);
    memset(info, 0, sizeof *info);
    if (memcmp(data, "ElfChnk", 8)) {
        c->limit = c->free_off = 512;
        return sk_error_set(SK_EFORMAT, "offset %llu: no chunk signature (\"ElfChnk\")", (unsigned long long)file_offset);
    }
    info->first_record_number = rd64(data + 8);
    info->last_record_number = rd64(data + 16);
    info->first_record_id = rd64(data + 24);
    info->last_record_id = rd64(data + 32);
    info->last_record_offset = rd32(data + 44);
    info->free_space_offset = rd32(data + 48);
    uint32_t hc = (uint32_t)crc32(0, data, 120);
    hc = (uint32_t)crc32(hc, data + 128, 512 - 128);
    info->header_checksum_ok = hc == rd32(data + 124);
    uint32_t fo = info->free_space_offset;
    if (fo < 512 || fo > CHUNK) { /* not to be trusted: records are found by their signatures */
        fo = CHUNK;
        info->records_checksum_ok = 0;
    } else {
        info->records_checksum_ok = (uint32_t)crc32(0, data + 512, fo - 512) == rd32(data + 52);
    }
    c->free_off = fo;
    c->limit = fo;
    c->recovered = !info->header_checksum_ok || !info->records_checksum_ok;
    return 0;
}

static uint32_t next_signature(const sk_evtx_chunk *c, uint32_t from);

int sk_evtx_chunk_begin_raw(sk_evtx_chunk *c, const uint8_t *data, uint64_t file_offset)
{
    reset(c, data, file_offset);
    c->raw = 1;
    c->free_off = CHUNK;
    c->limit = CHUNK;
    c->recovered = 1;
    c->pos = next_signature(c, 512);
    return 0;
}

/* The next offset at or after `from` (8-byte steps) holding a record signature with a
 * plausible size, or CHUNK. */
static uint32_t next_signature(const sk_evtx_chunk *c, uint32_t from)
{
    from = (from + 7) & ~7u;
    for (uint32_t p = from; p + 28 <= CHUNK; p += 8) {
        if (c->d[p] != 0x2a || c->d[p + 1] != 0x2a || c->d[p + 2] || c->d[p + 3]) continue;
        uint32_t size = rd32(c->d + p + 4);
        if (size >= 28 && size <= CHUNK - p && rd32(c->d + p + size - 4) == size) return p;
    }
    return CHUNK;
}

/* A record at p whose size or size copy is damaged: its size when the rest agrees -
 * the declared size ends where the next record (or zeroes, or the chunk) begins, or
 * the next record signature q is preceded by a copy of q - p. 0 otherwise. */
static uint32_t recover_size(const sk_evtx_chunk *c, uint32_t p, uint32_t q)
{
    uint32_t size = rd32(c->d + p + 4);
    if (size >= 28 && size <= CHUNK - p) {
        uint32_t e = p + size;
        if (e == q || e == c->limit || e == CHUNK) return size;
        if (CHUNK - e >= 8 && !rd32(c->d + e) && !rd32(c->d + e + 4)) return size;
    }
    if (q < CHUNK && q - p >= 28 && rd32(c->d + q - 4) == q - p) return q - p;
    return 0;
}

const char *sk_evtx_chunk_note(const sk_evtx_chunk *c)
{
    return c->note[0] ? c->note : NULL;
}

int sk_evtx_chunk_next(sk_evtx_chunk *c, sk_evtx_record *rec)
{
    for (;;) {
        if (c->pos >= c->limit || CHUNK - c->pos < 28) {
            /* carving goes on into the slack after the free-space offset */
            if (c->carve && !c->carving && c->limit < CHUNK) {
                c->carving = 1;
                c->pos = next_signature(c, c->limit);
                c->limit = CHUNK;
                continue;
            }
            return 0;
        }
        uint32_t p = c->pos;
        const uint8_t *d = c->d + p;
        uint32_t size = rd32(d + 4);
        int sig = d[0] == 0x2a && d[1] == 0x2a && !d[2] && !d[3];
        int damaged = 0;
        if (!sig || size < 28 || size > CHUNK - p || rd32(d + size - 4) != size) {
            /* all zeroes from here to the free-space offset: unused space, not damage */
            int zero = 1;
            for (uint32_t i = p; i < c->limit && zero; i++) zero = !c->d[i];
            uint32_t q = next_signature(c, p + 1);
            uint32_t fixed = sig ? recover_size(c, p, q) : 0;
            if (!fixed) {
                c->pos = q;
                if (zero || c->carving || c->raw) continue;
                return sk_error_set(SK_EFORMAT, "offset %llu: %s; resuming at the next record signature",
                                    (unsigned long long)(c->file_off + p),
                                    !sig ? "no record signature" : size < 28 ? "record size too small" : "record size does not match its copy");
            }
            damaged = fixed != size ? 2 : 1;
            size = fixed;
        }
        c->pos = p + size;
        c->rec_off = p;
        c->note[0] = '\0';
        sk_arena_reset(c->ra);
        c->err[0] = '\0';
        c->nodes = 0;
        memset(rec, 0, sizeof *rec);
        rec->record_id = rd64(d + 8);
        rec->written = sk_time_from_filetime(rd64(d + 16));
        rec->offset = c->file_off + p;
        rec->size = size;
        rec->recovered = c->recovered || c->carving || damaged;
        sk_xnode *doc = sk_arena_calloc(c->ra, 1, sizeof *doc);
        if (!doc) return sk_error_set(SK_ENOMEM, "out of memory");
        cur k = {c, p + 24, p + size - 4};
        if (fragment(&k, 0, doc) || !doc->child) {
            if (!c->err[0]) fail(c, p, "record holds no element");
            return sk_error_set(SK_EFORMAT, "record %llu at offset %llu: %s", (unsigned long long)rec->record_id,
                                (unsigned long long)rec->offset, c->err);
        }
        rec->root = doc->child;
        if (damaged) {
            snprintf(c->note, sizeof c->note, "offset %llu: record %llu: %s; read as recovered", (unsigned long long)rec->offset,
                     (unsigned long long)rec->record_id,
                     damaged == 2 ? "record size field damaged, size taken from the next record" : "record size copy damaged");
        }
        return 1;
    }
}
