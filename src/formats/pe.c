/*
 * pe.c - the PE/COFF reader (see sakimori/pe.h), from Microsoft's PE Format
 * specification: DOS stub's e_lfanew, COFF file header, optional header (PE32 and
 * PE32+), section table, import directory (imphash), export directory (DLL name),
 * resource tree down to RT_VERSION and its VS_VERSIONINFO, overlay.
 *
 * Every read goes through get()/u16()/u32() against the bytes present. Work is bounded:
 * sections beyond 65,535 do not exist (the header's count is 16 bits), imports stop at
 * SK_PE_MAX_IMPORTS, resource directories at a fixed node budget with every directory
 * visited once (loops are cut), strings at a fixed length.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <sakimori/bytes.h>
#include <sakimori/buf.h>
#include <sakimori/pe.h>
#include <sakimori/utf.h>

#include "pe_ordinals.h"

#define MAX_ERRORS 16
#define MAX_DLLS 4096
#define MAX_RES_NODES 4096
#define MAX_NAME 512

typedef struct sec {
    uint32_t va, vsize, raw_ptr, raw_size;
    uint32_t va_adj, raw_adj, span; /* as rva_off maps them */
    uint32_t idx;        /* table order: ties in address keep it */
} sec;

typedef struct pe {
    const uint8_t *d;
    size_t len;          /* bytes present */
    uint64_t file_size;  /* the whole file */
    sk_arena *a;
    sk_pe_identity *id;
    const char *errors[MAX_ERRORS];
    size_t n_errors;
    int pe32plus;
    uint32_t size_of_headers, file_align, sect_align;
    sec *secs;           /* sorted by address for rva lookups */
    size_t n_secs;
    int64_t lookup_budget; /* section entries rva_off may still visit */
    int oom;
} pe;

static int u16(const pe *p, uint64_t off, uint16_t *v)
{
    *v = 0; /* a read outside the file gives 0 and -1 */
    if (off > p->len || p->len - off < 2) return -1;
    *v = sk_le16(p->d + off);
    return 0;
}

static int u32(const pe *p, uint64_t off, uint32_t *v)
{
    *v = 0;
    if (off > p->len || p->len - off < 4) return -1;
    *v = sk_le32(p->d + off);
    return 0;
}

static int u64(const pe *p, uint64_t off, uint64_t *v)
{
    uint32_t lo, hi;
    *v = 0;
    if (u32(p, off, &lo) || u32(p, off + 4, &hi)) return -1;
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

static void err(pe *p, const char *fmt, ...) SK_PRINTF(2, 3);
static void err(pe *p, const char *fmt, ...)
{
    if (p->n_errors >= MAX_ERRORS) return;
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < p->n_errors; i++)
        if (!strcmp(p->errors[i], buf)) return; /* once each */
    char *s = sk_arena_strndup(p->a, buf, strlen(buf));
    if (!s) {
        p->oom = 1;
        return;
    }
    p->errors[p->n_errors++] = s;
}

/*
 * The file offset of an RVA, and how many bytes from there can be read as its data.
 * The mapping follows the loader as the reference implementation (pefile) models it,
 * so that imphash agrees: section addresses rounded down to the section alignment (the
 * file alignment in low-alignment images), raw pointers rounded down to 512 when the
 * file alignment is at least that, a section spanning the larger of its virtual and
 * raw sizes (the virtual size when the raw size runs past the file) up to the next
 * section, the first section in address order that holds the RVA; an RVA in no
 * section is taken as a file offset (flat-mapped and tiny images). Section data ends
 * at the section's raw end. -1 when nothing is there.
 */
static int rva_off(pe *p, uint32_t rva, uint64_t *off, uint64_t *avail)
{
    for (size_t k = 0; k < p->n_secs; k++) {
        if (p->lookup_budget-- <= 0) {
            err(p, "sections: too many address lookups (overlapping section tables)");
            return -1;
        }
        const sec *s = &p->secs[k];
        if (rva < s->va_adj) break; /* sorted by address */
        if (rva - s->va_adj >= s->span) continue;
        *off = s->raw_adj + (rva - s->va_adj);
        uint64_t end = (uint64_t)s->raw_ptr + s->raw_size;
        if (end > p->len) end = p->len;
        if (*off >= end) return -1;
        *avail = end - *off;
        return 0;
    }
    if (rva >= p->len) return -1;
    *off = rva;
    *avail = p->len - rva;
    return 0;
}

static int cmp_sec(const void *a, const void *b)
{
    const sec *x = a, *y = b;
    if (x->va != y->va) return x->va < y->va ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx; /* qsort is not stable */
}

static uint32_t align_down(uint32_t v, uint32_t a)
{
    return a && v % a ? a * (v / a) : v;
}

/* Address order, the spans and adjusted addresses rva_off uses. */
static void map_sections(pe *p)
{
    uint32_t sa = p->sect_align < 0x1000 ? p->file_align : p->sect_align;
    for (size_t k = 0; k < p->n_secs; k++) {
        sec *s = &p->secs[k];
        s->va_adj = align_down(s->va, sa);
        s->raw_adj = p->file_align >= 0x200 ? (s->raw_ptr & ~(uint32_t)0x1ff) : s->raw_ptr;
        if (p->len < s->raw_adj || p->len - s->raw_adj < s->raw_size)
            s->span = s->vsize;
        else
            s->span = s->vsize > s->raw_size ? s->vsize : s->raw_size;
    }
    if (p->n_secs > 1) qsort(p->secs, p->n_secs, sizeof *p->secs, cmp_sec);
    for (size_t k = 0; k + 1 < p->n_secs; k++) {
        sec *s = &p->secs[k];
        uint32_t next = p->secs[k + 1].va;
        if (next > s->va && (uint64_t)s->va_adj + s->span > next) s->span = next - s->va_adj;
    }
    p->lookup_budget = 64 * 1024 * 1024;
}

/* A string at an RVA: up to its NUL, at most `max` bytes (then cut there); NULL when
 * nothing can be read there. */
static const char *name_at(pe *p, uint32_t rva, size_t max)
{
    uint64_t off, avail;
    if (rva_off(p, rva, &off, &avail)) return NULL;
    size_t n = avail < max ? (size_t)avail : max;
    const uint8_t *s = p->d + off;
    const uint8_t *z = memchr(s, 0, n);
    char *r = sk_arena_strndup(p->a, (const char *)s, z ? (size_t)(z - s) : n);
    if (!r) p->oom = 1;
    return r;
}

static int valid_chars(const char *s, const char *extra)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c))) return 0;
    }
    return 1;
}

static double entropy(const uint8_t *d, size_t n)
{
    if (!n) return 0;
    /* four histograms: consecutive equal bytes do not wait on each other's increment.
     * A section's raw size is 32-bit, so no count overflows. */
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        h[0][d[i]]++;
        h[1][d[i + 1]]++;
        h[2][d[i + 2]]++;
        h[3][d[i + 3]]++;
    }
    for (; i < n; i++) h[0][d[i]]++;
    uint64_t c[256];
    for (int k = 0; k < 256; k++) c[k] = (uint64_t)h[0][k] + h[1][k] + h[2][k] + h[3][k];
    double e = 0;
    for (int k = 0; k < 256; k++)
        if (c[k]) {
            double q = (double)c[k] / (double)n;
            e -= q * log2(q);
        }
    return e;
}


/* ---- imports ------------------------------------------------------------------- */

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
}

/* One thunk table (import lookup or address table) from `rva`, at most `max_len` bytes:
 * the entries before the null one. Returns the count (0: empty or unusable), -1 when
 * unreadable. Entries are appended to *out (capacity cap). */
static long thunk_table(pe *p, uint32_t rva, uint64_t max_len, uint64_t *out, size_t cap, uint32_t *total)
{
    unsigned width = p->pe32plus ? 8 : 4;
    long n = 0;
    uint32_t start = rva;
    for (; rva; rva += width) {
        if ((uint64_t)rva - start >= max_len) {
            err(p, "imports: a thunk table runs past its bounds");
            break;
        }
        if (*total > SK_PE_MAX_IMPORTS) {
            err(p, "imports: more than %d entries, the rest not read", SK_PE_MAX_IMPORTS);
            break;
        }
        ++*total;
        uint64_t off, avail, v = 0;
        if (rva_off(p, rva, &off, &avail) || avail < width) return -1;
        if (p->pe32plus)
            u64(p, off, &v);
        else {
            uint32_t v32 = 0;
            u32(p, off, &v32);
            v = v32;
        }
        if (!v) break;
        if (v >= start && v <= rva) { /* points into the table itself */
            err(p, "imports: a thunk points into its own table");
            break;
        }
        int by_ord = p->pe32plus ? (v >> 63) != 0 : (v >> 31) != 0;
        if (by_ord && (v & 0x7fffffff) > 0xffff) return 0; /* not an ordinal: the table is garbage */
        if ((size_t)n >= cap) {
            err(p, "imports: more than %zu functions from one DLL", cap);
            break;
        }
        out[n++] = v;
    }
    return n;
}

/*
 * The import directory and imphash (Mandiant's: MD5 of "dll.function,..." lower-cased,
 * the DLL's .dll/.ocx/.sys extension dropped, ordinals named for ws2_32, wsock32 and
 * oleaut32). A DLL whose thunk tables are both unusable contributes nothing; function
 * names outside [A-Za-z0-9._?@$()<>] and DLL names outside DOS file-name characters are
 * not names (as the reference implementation treats them).
 */
static void imports(pe *p, uint32_t dir_rva, uint32_t dir_size)
{
    (void)dir_size; /* the table ends with a null descriptor, whatever the size says */
    sk_buf list;
    sk_buf_init(&list, (size_t)64 << 20);
    uint64_t *ilt = malloc((SK_PE_MAX_IMPORTS + 1) * sizeof *ilt), *iat = malloc((SK_PE_MAX_IMPORTS + 1) * sizeof *iat);
    if (!ilt || !iat) {
        p->oom = 1;
        goto done;
    }
    uint32_t n_funcs = 0, total = 0;
    int first = 1, bad = 0;
    uint32_t rva = dir_rva;
    for (uint32_t k = 0; k < MAX_DLLS; k++) {
        uint64_t off, avail;
        if (rva_off(p, rva, &off, &avail) || avail < 20) {
            err(p, "import directory: descriptor %u outside the file", k);
            break;
        }
        uint32_t oft, name_rva, ft, tds, fwd;
        u32(p, off, &oft);
        u32(p, off + 4, &tds);
        u32(p, off + 8, &fwd);
        u32(p, off + 12, &name_rva);
        u32(p, off + 16, &ft);
        if (!oft && !tds && !fwd && !name_rva && !ft) break;
        rva += 20;
        uint64_t max_len = p->len - off;
        if (rva > oft || rva > ft) {
            int64_t a = (int64_t)rva - oft, b = (int64_t)rva - ft;
            max_len = (uint64_t)(a > b ? a : b);
        }
        long ni = oft ? thunk_table(p, oft, max_len, ilt, SK_PE_MAX_IMPORTS + 1, &total) : 0;
        long na = ft ? thunk_table(p, ft, max_len, iat, SK_PE_MAX_IMPORTS + 1, &total) : 0;
        const uint64_t *tab = ni > 0 ? ilt : iat;
        long nt = ni > 0 ? ni : na;
        if (nt <= 0) {
            err(p, "import directory: descriptor %u has no usable thunk table", k);
            if (++bad > 5) break;
            continue;
        }
        const char *dll = name_at(p, name_rva, MAX_NAME);
        if (!dll) {
            err(p, "import directory: descriptor %u has no readable DLL name", k);
            if (++bad > 5) break;
            continue;
        }
        if (!*dll) continue;
        if (!valid_chars(dll, "!#$%&'()-@^_`{}~+,.;=[]\\/")) dll = "*invalid*";
        char lib[MAX_NAME + 1], full[MAX_NAME + 1];
        snprintf(full, sizeof full, "%s", dll);
        lower(full);
        memcpy(lib, full, sizeof lib);
        char *dot = strrchr(lib, '.');
        if (dot && (!strcmp(dot, ".dll") || !strcmp(dot, ".ocx") || !strcmp(dot, ".sys"))) *dot = '\0';
        /* names first: an unreadable entry drops the whole DLL, as an aborted parse does */
        size_t mark = list.len;
        int mark_first = first;
        uint32_t mark_n = n_funcs;
        int aborted = 0;
        for (long i = 0; i < nt; i++) {
            uint64_t v = tab[i];
            int by_ord = p->pe32plus ? (v >> 63) != 0 : (v >> 31) != 0;
            char fn[MAX_NAME + 16];
            if (by_ord) {
                uint16_t ord = (uint16_t)(v & 0xffff);
                if (!ord) continue; /* ordinal 0 names nothing */
                const char *known = pe_ordinal_name(full, ord);
                if (known)
                    snprintf(fn, sizeof fn, "%s", known);
                else
                    snprintf(fn, sizeof fn, "ord%u", ord);
            } else {
                uint64_t hoff, hav;
                uint32_t hn = (uint32_t)(v & 0x7fffffff);
                const char *nm = rva_off(p, hn, &hoff, &hav) || hav < 2 ? NULL : name_at(p, hn + 2, MAX_NAME);
                if (!nm) {
                    aborted = 1;
                    break;
                }
                if (!*nm || !valid_chars(nm, "._?@$()<>")) continue; /* empty or not a name: skipped */
                snprintf(fn, sizeof fn, "%s", nm);
            }
            lower(fn);
            n_funcs++;
            if (!first) sk_buf_putc(&list, ',');
            first = 0;
            sk_buf_puts(&list, lib);
            sk_buf_putc(&list, '.');
            if (sk_buf_puts(&list, fn)) {
                p->oom = 1;
                goto done;
            }
        }
        if (aborted) {
            err(p, "imports of %.64s: an unreadable function name", dll);
            sk_buf_truncate(&list, mark);
            first = mark_first;
            n_funcs = mark_n;
            if (++bad > 5) break;
        }
    }
    p->id->imports = n_funcs;
    if (n_funcs) {
        uint8_t md[16];
        unsigned mdlen = 0;
        if (EVP_Digest(list.data, list.len, md, &mdlen, EVP_md5(), NULL) && mdlen == 16)
            for (int i = 0; i < 16; i++) snprintf(p->id->imphash + 2 * i, 3, "%02x", md[i]);
    }
done:
    free(ilt);
    free(iat);
    sk_buf_free(&list);
}

/* ---- version information --------------------------------------------------------- */

typedef struct vnode {
    uint64_t off;       /* start of the structure */
    uint16_t length, value_length, type;
    uint64_t key_off;   /* the UTF-16 key */
    size_t key_units;
    uint64_t value_off; /* after the key, 32-bit aligned */
    uint64_t end;       /* off + length, clipped */
} vnode;

/* Read a VERSIONINFO node header at off (bounded by limit). */
static int vnode_at(const pe *p, uint64_t off, uint64_t limit, uint64_t base, vnode *n)
{
    if (u16(p, off, &n->length) || u16(p, off + 2, &n->value_length) || u16(p, off + 4, &n->type)) return -1;
    if (n->length < 6) return -1;
    n->off = off;
    n->end = off + n->length;
    if (n->end > limit) n->end = limit;
    n->key_off = off + 6;
    size_t units = 0;
    for (uint64_t q = n->key_off; q + 1 < n->end; q += 2, units++) {
        if (!p->d[q] && !p->d[q + 1]) break;
        if (units > 256) return -1;
    }
    n->key_units = units;
    uint64_t after = n->key_off + (units + 1) * 2;
    n->value_off = base + ((after - base + 3) & ~(uint64_t)3);
    return 0;
}

static int key_is(const pe *p, const vnode *n, const char *ascii)
{
    size_t len = strlen(ascii);
    if (n->key_units != len) return 0;
    for (size_t i = 0; i < len; i++)
        if (p->d[n->key_off + 2 * i] != (uint8_t)ascii[i] || p->d[n->key_off + 2 * i + 1]) return 0;
    return 1;
}

static char *utf16_at(pe *p, uint64_t off, size_t units)
{
    sk_buf b;
    sk_buf_init(&b, 1 << 20);
    if (sk_utf16le_to_utf8(&b, p->d + off, units, 1) || sk_buf_putc(&b, '\0')) {
        sk_buf_free(&b);
        p->oom = 1;
        return NULL;
    }
    char *s = sk_arena_strndup(p->a, b.data, b.len - 1);
    sk_buf_free(&b);
    if (!s) p->oom = 1;
    return s;
}

typedef struct tables {
    sk_pe_string_table *t;
    size_t n, cap;
} tables;

static void string_table(pe *p, const vnode *st, uint64_t base, tables *tb)
{
    if (tb->n >= 64) {
        err(p, "version info: more than 64 string tables");
        return;
    }
    char lang[9] = "";
    for (size_t i = 0; i < 8 && i < st->key_units; i++) {
        uint8_t c = p->d[st->key_off + 2 * i];
        lang[i] = (char)(c >= '0' && c <= '9' ? c : (c >= 'a' && c <= 'f') ? c : (c >= 'A' && c <= 'F') ? c + 32 : '?');
    }
    sk_pe_string *strs = NULL;
    size_t n = 0, cap = 0;
    uint64_t q = st->value_off;
    while (q + 6 <= st->end) {
        vnode s;
        if (vnode_at(p, q, st->end, base, &s)) break;
        char *key = utf16_at(p, s.key_off, s.key_units);
        uint64_t vend = s.end;
        size_t units = 0;
        if (s.value_off < vend) {
            size_t want = s.value_length; /* in UTF-16 units for string values */
            size_t have = (size_t)((vend - s.value_off) / 2);
            units = want < have ? want : have;
        }
        char *val = units ? utf16_at(p, s.value_off, units) : sk_arena_strndup(p->a, "", 0);
        if (!key || !val) return;
        /* trailing NULs are not part of the value */
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            if (nc > 256) {
                err(p, "version info: more than 256 strings in table %s", lang);
                break;
            }
            sk_pe_string *ns = sk_arena_alloc(p->a, nc * sizeof *ns);
            if (!ns) {
                p->oom = 1;
                return;
            }
            if (n) memcpy(ns, strs, n * sizeof *ns);
            strs = ns, cap = nc;
        }
        int dup = 0; /* a key given twice: the first wins */
        for (size_t i = 0; i < n; i++)
            if (!strcmp(strs[i].key, key)) dup = 1;
        if (!dup) strs[n++] = (sk_pe_string){key, val};
        uint64_t next = base + ((s.off + s.length - base + 3) & ~(uint64_t)3);
        if (next <= q) break;
        q = next;
    }
    if (tb->n == tb->cap) {
        size_t nc = tb->cap ? tb->cap * 2 : 4;
        sk_pe_string_table *nt = sk_arena_alloc(p->a, nc * sizeof *nt);
        if (!nt) {
            p->oom = 1;
            return;
        }
        if (tb->n) memcpy(nt, tb->t, tb->n * sizeof *nt);
        tb->t = nt, tb->cap = nc;
    }
    sk_pe_string_table *t = &tb->t[tb->n++];
    memset(t, 0, sizeof *t);
    memcpy(t->lang, lang, sizeof lang);
    t->n = n;
    t->strings = strs;
}

static void version_info(pe *p, uint64_t off, uint64_t size, tables *tb)
{
    uint64_t limit = off + size;
    if (limit > p->len) {
        err(p, "version info: resource runs past the end of the file");
        limit = p->len;
    }
    vnode root;
    if (vnode_at(p, off, limit, off, &root) || !key_is(p, &root, "VS_VERSION_INFO")) {
        err(p, "version info: no VS_VERSION_INFO at the resource");
        return;
    }
    if (root.value_length >= 52 && root.value_off + 52 <= root.end && !p->id->fixed_file_version) {
        uint32_t sig = 0, ms = 0, ls = 0;
        u32(p, root.value_off, &sig);
        u32(p, root.value_off + 8, &ms);
        u32(p, root.value_off + 12, &ls);
        if (sig == 0xFEEF04BD) {
            char v[48];
            snprintf(v, sizeof v, "%u.%u.%u.%u", ms >> 16, ms & 0xffff, ls >> 16, ls & 0xffff);
            p->id->fixed_file_version = sk_arena_strndup(p->a, v, strlen(v));
        }
    }
    uint64_t q = off + ((root.value_off + root.value_length - off + 3) & ~(uint64_t)3);
    for (int guard = 0; q + 6 <= root.end && guard < 64; guard++) {
        vnode c;
        if (vnode_at(p, q, root.end, off, &c)) break;
        if (key_is(p, &c, "StringFileInfo")) {
            uint64_t r = c.value_off;
            for (int g2 = 0; r + 6 <= c.end && g2 < 64; g2++) {
                vnode st;
                if (vnode_at(p, r, c.end, off, &st)) break;
                string_table(p, &st, off, tb);
                uint64_t next = off + ((st.off + st.length - off + 3) & ~(uint64_t)3);
                if (next <= r) break;
                r = next;
            }
        }
        uint64_t next = off + ((c.off + c.length - off + 3) & ~(uint64_t)3);
        if (next <= q) break;
        q = next;
    }
}

/* ---- resources ------------------------------------------------------------------- */

typedef struct res_walk {
    uint64_t base;  /* file offset of the resource directory's root */
    uint64_t limit; /* end of the resource section as present */
    uint32_t base_rva;
    uint32_t visited[MAX_RES_NODES];
    size_t n_visited;
    int budget;
} res_walk;

static int seen_dir(res_walk *w, uint32_t rel)
{
    for (size_t i = 0; i < w->n_visited; i++)
        if (w->visited[i] == rel) return 1;
    if (w->n_visited < MAX_RES_NODES) w->visited[w->n_visited++] = rel;
    return 0;
}

/* depth 0: types (only RT_VERSION = 16 is followed); 1: names; 2: languages -> data */
static void res_dir(pe *p, res_walk *w, uint32_t rel, int depth, tables *tb)
{
    if (depth > 2) return;
    if (seen_dir(w, rel)) {
        err(p, "resources: a directory is reached twice (loop cut)");
        return;
    }
    uint64_t off = w->base + rel;
    uint16_t n_named, n_id;
    if (off + 16 > w->limit || u16(p, off + 12, &n_named) || u16(p, off + 14, &n_id)) {
        err(p, "resources: directory outside the section");
        return;
    }
    uint32_t n = (uint32_t)n_named + n_id;
    for (uint32_t i = 0; i < n; i++) {
        if (--w->budget < 0) {
            err(p, "resources: more than %d entries, the rest not read", MAX_RES_NODES);
            return;
        }
        uint64_t e = off + 16 + (uint64_t)i * 8;
        uint32_t name, target;
        if (e + 8 > w->limit || u32(p, e, &name) || u32(p, e + 4, &target)) {
            err(p, "resources: entries run out of the section");
            return;
        }
        if (depth == 0 && ((name & 0x80000000u) || name != 16)) continue;
        if (target & 0x80000000u) {
            res_dir(p, w, target & 0x7fffffffu, depth + 1, tb);
            continue;
        }
        if (depth < 1) continue;
        /* a data entry: RVA, size */
        uint32_t rva, size;
        uint64_t de = w->base + target;
        if (de + 16 > w->limit || u32(p, de, &rva) || u32(p, de + 4, &size)) {
            err(p, "resources: data entry outside the section");
            continue;
        }
        uint64_t doff, avail;
        if (rva_off(p, rva, &doff, &avail)) {
            err(p, "version info: data outside the file");
            continue;
        }
        version_info(p, doff, size < avail ? size : avail, tb);
    }
}

/* ---- the whole --------------------------------------------------------------------- */

int sk_pe_is_pe(const uint8_t *d, size_t len)
{
    if (len < 64 || d[0] != 'M' || d[1] != 'Z') return 0;
    uint32_t lfanew = sk_le32(d + 60);
    return lfanew <= len - 4 && !memcmp(d + lfanew, "PE\0\0", 4);
}

int sk_pe_layout_get(const uint8_t *d, size_t len, sk_pe_layout *lay)
{
    memset(lay, 0, sizeof *lay);
    if (!sk_pe_is_pe(d, len)) return SK_EFORMAT;
    pe p = {.d = d, .len = len};
    uint32_t lfanew;
    u32(&p, 60, &lfanew);
    uint64_t opt = (uint64_t)lfanew + 24;
    uint16_t magic;
    if (u16(&p, opt, &magic) || (magic != 0x10b && magic != 0x20b)) return SK_EFORMAT;
    uint64_t dirs = opt + (magic == 0x20b ? 112 : 96);
    uint32_t ndirs;
    if (u32(&p, opt + (magic == 0x20b ? 108 : 92), &ndirs)) return SK_EFORMAT;
    lay->checksum_off = opt + 64;
    if (ndirs > 4) {
        uint32_t off, size;
        lay->certdir_off = dirs + 4 * 8;
        if (!u32(&p, lay->certdir_off, &off) && !u32(&p, lay->certdir_off + 4, &size)) {
            lay->cert_off = off;
            lay->cert_size = size;
        }
    }
    return 0;
}

int sk_pe_parse(const uint8_t *d, size_t len, uint64_t file_size, sk_arena *a, sk_pe_identity *id)
{
    memset(id, 0, sizeof *id);
    if (!sk_pe_is_pe(d, len)) return SK_EFORMAT;
    if (file_size < len) file_size = len;
    pe p = {.d = d, .len = len, .file_size = file_size, .a = a, .id = id};
    uint32_t lfanew;
    u32(&p, 60, &lfanew);
    uint64_t coff = (uint64_t)lfanew + 4;
    uint16_t nsec = 0, optsize = 0;
    if (u16(&p, coff, &id->machine) || u16(&p, coff + 2, &nsec) || u32(&p, coff + 4, &id->timestamp) ||
        u16(&p, coff + 16, &optsize) || u16(&p, coff + 18, &id->characteristics)) {
        err(&p, "COFF header truncated");
        goto out;
    }
    uint64_t opt = coff + 20;
    uint16_t magic = 0;
    uint32_t ndirs = 0;
    uint64_t dirs = 0;
    /* the loader reads the optional header whatever SizeOfOptionalHeader says; that
     * size only places the section table */
    if (!u16(&p, opt, &magic) && (magic == 0x10b || magic == 0x20b)) {
        p.pe32plus = magic == 0x20b;
        u16(&p, opt + 68, &id->subsystem);
        u32(&p, opt + 32, &p.sect_align);
        u32(&p, opt + 36, &p.file_align);
        u32(&p, opt + 60, &p.size_of_headers);
        if (u32(&p, opt + (p.pe32plus ? 108 : 92), &ndirs)) ndirs = 0;
        if (ndirs > 16) ndirs = 16;
        dirs = opt + (p.pe32plus ? 112 : 96);
    } else {
        err(&p, "optional header: unknown magic 0x%x", magic);
    }
    /* sections */
    uint64_t st = opt + optsize;
    id->sections_total = nsec;
    size_t listed = nsec < SK_PE_MAX_LISTED_SECTIONS ? nsec : SK_PE_MAX_LISTED_SECTIONS;
    sk_pe_section *ls = listed ? sk_arena_calloc(a, listed, sizeof *ls) : NULL;
    p.secs = nsec ? calloc(nsec, sizeof *p.secs) : NULL;
    if ((listed && !ls) || (nsec && !p.secs)) {
        p.oom = 1;
        goto out;
    }
    uint64_t end_of_raw = 0;
    for (uint32_t i = 0; i < nsec; i++) {
        uint64_t so = st + (uint64_t)i * 40;
        if (so > p.len || p.len - so < 40) {
            err(&p, "section table: %u of %u sections present", i, nsec);
            break;
        }
        sec s;
        u32(&p, so + 8, &s.vsize);
        u32(&p, so + 12, &s.va);
        u32(&p, so + 16, &s.raw_size);
        u32(&p, so + 20, &s.raw_ptr);
        s.idx = i;
        p.secs[p.n_secs++] = s;
        uint64_t raw = p.file_align >= 0x200 ? (s.raw_ptr & ~(uint32_t)0x1ff) : s.raw_ptr;
        if (s.raw_size && raw + s.raw_size > end_of_raw) end_of_raw = raw + s.raw_size;
        if (i < listed) {
            sk_pe_section *o = &ls[i];
            memcpy(o->name, p.d + so, 8);
            o->name[8] = '\0';
            o->virtual_size = s.vsize;
            o->raw_size = s.raw_size;
            u32(&p, so + 36, &o->characteristics);
            if (raw < p.len) {
                uint64_t n = s.raw_size;
                if (n > p.len - raw) n = p.len - raw;
                o->entropy = raw + s.raw_size <= p.len ? entropy(p.d + raw, (size_t)n) : -1;
                if (raw + s.raw_size > file_size) err(&p, "section %u: raw data past the end of the file", i);
            } else {
                o->entropy = s.raw_size ? -1 : 0;
                if (raw >= file_size && s.raw_size) err(&p, "section %u: raw data past the end of the file", i);
            }
            id->n_sections = i + 1;
        }
    }
    id->sections = ls;
    map_sections(&p);
    /* data directories */
    uint32_t drva[16] = {0}, dsize[16] = {0};
    for (uint32_t i = 0; i < ndirs; i++)
        if (u32(&p, dirs + i * 8, &drva[i]) || u32(&p, dirs + i * 8 + 4, &dsize[i])) {
            err(&p, "data directories truncated");
            break;
        }
    if (drva[1]) imports(&p, drva[1], dsize[1]);
    if (drva[0]) {
        uint64_t eo, av;
        uint32_t nrva;
        if (!rva_off(&p, drva[0], &eo, &av) && av >= 16 && !u32(&p, eo + 12, &nrva)) {
            id->export_name = name_at(&p, nrva, MAX_NAME);
            if (!id->export_name) err(&p, "export directory: unreadable DLL name");
        } else {
            err(&p, "export directory outside the file");
        }
    }
    if (drva[2]) {
        uint64_t ro, av;
        if (!rva_off(&p, drva[2], &ro, &av)) {
            res_walk *w = calloc(1, sizeof *w);
            if (!w) {
                p.oom = 1;
                goto out;
            }
            w->base = ro;
            w->limit = ro + av;
            w->base_rva = drva[2];
            w->budget = MAX_RES_NODES;
            tables tb = {0};
            res_dir(&p, w, 0, 0, &tb);
            free(w);
            id->tables = tb.t;
            id->n_tables = tb.n;
        } else {
            err(&p, "resource directory outside the file");
        }
    }
    /* overlay: past the last section's raw data, not counting the certificate table */
    {
        uint64_t start = end_of_raw > p.size_of_headers ? end_of_raw : p.size_of_headers;
        uint64_t stop = file_size;
        if (ndirs > 4 && drva[4] && dsize[4] && drva[4] >= start && (uint64_t)drva[4] + dsize[4] >= file_size - 8 &&
            drva[4] < file_size)
            stop = drva[4];
        if (start < stop) {
            id->has_overlay = 1;
            id->overlay_offset = start;
            id->overlay_size = stop - start;
        }
    }
out:
    free(p.secs);
    p.secs = NULL;
    if (p.oom) return sk_error_set(SK_ENOMEM, "PE: out of memory for the identity");
    if (p.n_errors) {
        const char **e = sk_arena_alloc(a, p.n_errors * sizeof *e);
        if (!e) return sk_error_set(SK_ENOMEM, "PE: out of memory for the identity");
        memcpy(e, p.errors, p.n_errors * sizeof *e);
        id->errors = e;
        id->n_errors = p.n_errors;
    }
    return 0;
}
