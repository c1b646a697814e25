/*
 * fleet.c - the fleet hunt's engine (sakimori/fleet.h). Pass 1 counts, per content
 * (SHA-256), the hosts holding it and the names it is held under, and learns which
 * contents sit at a known tool's home under the tool's own name; base manifests add
 * their entries once per host on that base (minus the paths each host's delta changed
 * or removed). Pass 2 judges every entry of every listing with that knowledge: the tool
 * identity rules (masquerade), the case's indicators (hash), YARA, and the stacking
 * rules (rare contents, one content under many names, PE files with another extension,
 * broken signatures, creation times off the image's). docs/hunt-files.md is the
 * rule book; each finding says which rule and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/finding.h>
#include <sakimori/fleet.h>
#include <sakimori/json.h>
#include <sakimori/map.h>
#include <sakimori/strtab.h>

#define NONE UINT32_MAX
#define MAX_NAMES 4

typedef struct tool {
    char *name, *what;
    char **ids, **names, **homes;
    size_t n_ids, n_names, n_homes;
    int presence;           /* severity of its presence, -1: none */
} tool;

typedef struct fbase {
    uint32_t hosts;         /* hosts of pass 1 on it */
    int windows;
    uint32_t *contents;     /* distinct contents (indices) */
    size_t n_contents, cap_contents;
    uint32_t *ent;          /* (content index, folded path) pairs: names and homes, after pass 1 */
    size_t n_ent, cap_ent;
} fbase;

typedef struct content {
    uint64_t in_bases;      /* bit b: base b (< 64) holds it; later bases through base_has */
    uint8_t sha[32];
    uint8_t kind, pe, dll, sig, catalogued, ioc_what, n_names, names_more;
    int16_t tool, home_tool;
    uint32_t orig, signer, yara, ioc, hosts, minus, last_host, home_path;
    uint32_t names[MAX_NAMES];
} content;

struct sk_fleet {
    sk_fleet_options o;
    tool *tools;
    size_t n_tools;
    sk_map *tool_by_id, *tool_by_name; /* identity / file name -> tool index + 1 */
    sk_strtab *str;
    content *c;
    size_t n_c, cap_c;
    sk_map *by_sha;         /* sha -> content index + 1 */
    /* base manifests, fed before pass 1: name -> index + 1; (base, folded path) -> content
     * index + 1; (base, content index) -> how many of the base's paths hold it */
    sk_map *base_idx, *base_path, *base_has;
    fbase *bases;
    size_t n_bases;
    int cur_base;           /* the base being fed */
    int host_base;          /* pass 1: the current host's base, -1 for none */
    uint32_t *gone;         /* pass 1: contents at base paths the current host changed or removed */
    size_t n_gone, cap_gone;
    /* pass 1 from the content index: its numbers -> content index + 1 / interned string;
     * per string and case folding, the folded name (+1) and the tool named so (+2) */
    uint32_t *ix_content, *ix_str, *ix_lname[2];
    int16_t *ix_tool[2];
    size_t n_ix_content, n_ix_str;
    /* the host of the current pass (its strings copied) */
    sk_fleet_host h;
    char h_id[20], h_name[256], h_site[256], h_base[256], h_hdr_sha[65], h_hdr_path[1024];
    uint32_t host_no;       /* 1-based, per pass */
    int host_windows;
    int host_good;          /* known-good host */
    uint64_t host_findings[4]; /* pass 2: the current host's, by engine */
    unsigned rare;
    sk_fleet_stats st;
};

const char *const sk_fleet_engines[4] = {"masquerade", "stack", "hash", "yara"};

/* ---- strings ------------------------------------------------------------------------ */

static uint32_t intern(sk_fleet *f, const char *s, size_t n)
{
    uint32_t id;
    if (sk_strtab_intern(f->str, s, n, &id)) return NONE;
    return id;
}

static const char *str(const sk_fleet *f, uint32_t id)
{
    return id == NONE ? NULL : sk_strtab_get(f->str, id);
}

static void lower(char *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    d[n] = 0;
}

/* a PE identity's name as compared: lower case, a ".mui" ending dropped */
static size_t identity_name(char *d, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) n = cap - 1;
    lower(d, s, n);
    if (n > 4 && !strcmp(d + n - 4, ".mui")) d[n -= 4] = 0;
    while (n && d[n - 1] == ' ') d[--n] = 0;
    return n;
}

/* ---- the tool list -------------------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

static int split(char *s, char ***out, size_t *n, int lower_case)
{
    *out = NULL, *n = 0;
    size_t cap = 0;
    for (char *p = s; p && *p;) {
        char *e = strchr(p, ';');
        if (e) *e = 0;
        char *t = trim(p);
        if (*t) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 4;
                char **nn = realloc(*out, cap * sizeof *nn);
                if (!nn) return SK_ENOMEM;
                *out = nn;
            }
            char *c = strdup(t);
            if (!c) return SK_ENOMEM;
            if (lower_case) lower(c, c, strlen(c));
            (*out)[(*n)++] = c;
        }
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static int severity_of(const char *s)
{
    static const char *const n[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, n[i])) return i;
    return -2;
}

static int add_tools(sk_fleet *f, const char *text, size_t len, const char *what)
{
    char *buf = malloc(len + 1);
    if (!buf) return sk_error_set(SK_ENOMEM, "out of memory");
    memcpy(buf, text, len);
    buf[len] = 0;
    int rc = 0;
    size_t line = 0;
    for (char *p = buf; p && *p && !rc;) {
        char *e = strchr(p, '\n');
        if (e) *e = 0;
        line++;
        char *l = trim(p);
        p = e ? e + 1 : NULL;
        if (!*l || *l == '#') continue;
        char *col[5] = {0};
        int nc = 0;
        for (char *q = l; q && nc < 5;) {
            char *bar = strchr(q, '|');
            if (bar) *bar = 0;
            col[nc++] = trim(q);
            q = bar ? bar + 1 : NULL;
        }
        if (nc >= 3 && !strcmp(col[0], "*")) { /* folders every in-box tool may also be in */
            char **h;
            size_t nh;
            if ((rc = split(col[2], &h, &nh, 1))) {
                rc = sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
            for (size_t i = 0; i < f->n_tools && !rc; i++) {
                tool *t = &f->tools[i];
                int inbox = 0;
                for (size_t k = 0; k < t->n_homes; k++) inbox |= !strncmp(t->homes[k], "c:\\windows\\", 11);
                if (!inbox) continue;
                char **nhm = realloc(t->homes, (t->n_homes + nh) * sizeof *nhm);
                if (!nhm) {
                    rc = sk_error_set(SK_ENOMEM, "out of memory");
                    break;
                }
                t->homes = nhm;
                for (size_t k = 0; k < nh && !rc; k++)
                    if (!(t->homes[t->n_homes++] = strdup(h[k]))) rc = sk_error_set(SK_ENOMEM, "out of memory");
            }
            for (size_t k = 0; k < nh; k++) free(h[k]);
            free(h);
            continue;
        }
        if (nc < 3 || !*col[0] || !*col[1]) {
            rc = sk_error_set(SK_EFORMAT, "%s line %zu: want 'name | identities | home folders | what | presence'", what, line);
            break;
        }
        tool *nt = realloc(f->tools, (f->n_tools + 1) * sizeof *nt);
        if (!nt) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
        f->tools = nt;
        tool *t = &f->tools[f->n_tools];
        memset(t, 0, sizeof *t);
        t->presence = -1;
        t->name = strdup(col[0]);
        t->what = strdup(nc > 3 && *col[3] ? col[3] : col[0]);
        if (!t->name || !t->what) rc = SK_ENOMEM;
        if (t->name) lower(t->name, t->name, strlen(t->name));
        if (!rc) rc = split(col[1], &t->ids, &t->n_ids, 1);
        if (!rc) rc = split(col[2], &t->homes, &t->n_homes, 1);
        if (!rc && nc > 4 && *col[4]) {
            t->presence = severity_of(col[4]);
            if (t->presence < 0) rc = sk_error_set(SK_EFORMAT, "%s line %zu: presence '%s' is not a severity", what, line, col[4]);
        }
        f->n_tools++;
        if (rc == SK_ENOMEM) rc = sk_error_set(SK_ENOMEM, "out of memory");
        if (rc) break;
        /* the names a copy may bear: its name and the identities ending in .exe */
        t->names = calloc(t->n_ids + 1, sizeof *t->names);
        if (!t->names) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
        t->names[t->n_names++] = t->name;
        for (size_t i = 0; i < t->n_ids; i++) {
            size_t n = strlen(t->ids[i]);
            if (n > 4 && !strcmp(t->ids[i] + n - 4, ".exe") && strcmp(t->ids[i], t->name)) t->names[t->n_names++] = t->ids[i];
        }
        uintptr_t v = f->n_tools; /* index + 1 */
        for (size_t i = 0; i < t->n_ids && !rc; i++)
            if (!sk_map_has(f->tool_by_id, t->ids[i], strlen(t->ids[i]))) rc = sk_map_put(f->tool_by_id, t->ids[i], strlen(t->ids[i]), (void *)v, NULL);
        for (size_t i = 0; i < t->n_names && !rc; i++)
            if (!sk_map_has(f->tool_by_name, t->names[i], strlen(t->names[i]))) rc = sk_map_put(f->tool_by_name, t->names[i], strlen(t->names[i]), (void *)v, NULL);
    }
    free(buf);
    return rc;
}

int sk_fleet_new(sk_fleet **out, const sk_fleet_options *o)
{
    *out = NULL;
    sk_fleet *f = calloc(1, sizeof *f);
    if (!f) return sk_error_set(SK_ENOMEM, "out of memory");
    f->o = *o;
    f->cur_base = f->host_base = -1;
    int rc = sk_strtab_new(&f->str);
    if (!rc) rc = sk_map_new(&f->by_sha, 0);
    if (!rc) rc = sk_map_new(&f->tool_by_id, 0);
    if (!rc) rc = sk_map_new(&f->tool_by_name, 0);
    if (!rc) rc = sk_map_new(&f->base_idx, 0);
    if (!rc) rc = sk_map_new(&f->base_path, 0);
    if (!rc) rc = sk_map_new(&f->base_has, 0);
    if (!rc) {
        const char *t = o->tools ? o->tools : sk_fleet_default_tools;
        rc = add_tools(f, t, o->tools ? o->tools_len : strlen(t), "tools");
    }
    if (!rc && o->extra_tools) rc = add_tools(f, o->extra_tools, o->extra_tools_len, "--tools");
    if (rc) {
        sk_fleet_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

void sk_fleet_free(sk_fleet *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n_tools; i++) {
        tool *t = &f->tools[i];
        for (size_t k = 0; k < t->n_ids; k++) free(t->ids[k]);
        for (size_t k = 0; k < t->n_homes; k++) free(t->homes[k]);
        free(t->ids), free(t->homes), free(t->names), free(t->name), free(t->what);
    }
    free(f->tools);
    sk_map_free(f->tool_by_id), sk_map_free(f->tool_by_name), sk_map_free(f->by_sha);
    sk_map_free(f->base_idx), sk_map_free(f->base_path), sk_map_free(f->base_has);
    for (size_t i = 0; i < f->n_bases; i++) free(f->bases[i].contents), free(f->bases[i].ent);
    free(f->bases);
    free(f->gone);
    free(f->ix_content), free(f->ix_str);
    for (int i = 0; i < 2; i++) free(f->ix_lname[i]), free(f->ix_tool[i]);
    free(f->c);
    sk_strtab_free(f->str);
    free(f);
}

void sk_fleet_stats_get(const sk_fleet *f, sk_fleet_stats *out)
{
    *out = f->st;
    out->rare_hosts = f->rare;
}

/* ---- contents ------------------------------------------------------------------------ */

static content *content_of(sk_fleet *f, const uint8_t sha[32], int make)
{
    void *v = sk_map_get(f->by_sha, sha, 32);
    if (v) return &f->c[(uintptr_t)v - 1];
    if (!make) return NULL;
    if (f->n_c == f->cap_c) {
        size_t cap = f->cap_c ? f->cap_c * 2 : 4096;
        content *nc = realloc(f->c, cap * sizeof *nc);
        if (!nc) return NULL;
        f->c = nc, f->cap_c = cap;
    }
    content *c = &f->c[f->n_c];
    memset(c, 0, sizeof *c);
    memcpy(c->sha, sha, 32);
    c->tool = c->home_tool = -1;
    c->orig = c->signer = c->yara = c->home_path = NONE;
    c->kind = SK_KIND_OTHER;
    if (sk_map_put(f->by_sha, sha, 32, (void *)(uintptr_t)(f->n_c + 1), NULL)) return NULL;
    f->n_c++;
    return c;
}

typedef struct ioc_hit {
    size_t ioc;
    int hit;
} ioc_hit;

static int on_ioc(void *ctx, size_t i)
{
    ioc_hit *h = ctx;
    if (!h->hit) h->ioc = i, h->hit = 1;
    return 1;
}

int sk_fleet_content(sk_fleet *f, const sk_inv_content *ic)
{
    if (!ic->have_sha256) return 0;
    content *c = content_of(f, ic->sha256, 1);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    if (c->catalogued) return 0; /* one record per SHA-256: the first wins */
    c->catalogued = 1;
    c->kind = (uint8_t)ic->kind;
    c->pe = (uint8_t)ic->pe;
    c->dll = (uint8_t)ic->dll;
    c->sig = (uint8_t)ic->signature;
    f->st.contents++;
    char nm[512];
    const char *id = ic->original_filename && *ic->original_filename ? ic->original_filename : NULL;
    if (id) {
        size_t n = identity_name(nm, sizeof nm, id);
        if (n) c->orig = intern(f, nm, n);
        void *t = n ? sk_map_get(f->tool_by_id, nm, n) : NULL;
        if (t) c->tool = (int16_t)((uintptr_t)t - 1);
    }
    if (c->tool < 0 && ic->internal_name && *ic->internal_name) {
        size_t n = identity_name(nm, sizeof nm, ic->internal_name);
        void *t = n ? sk_map_get(f->tool_by_id, nm, n) : NULL;
        if (t) c->tool = (int16_t)((uintptr_t)t - 1);
    }
    if (ic->signer_subject) c->signer = intern(f, ic->signer_subject, strlen(ic->signer_subject));
    if (ic->n_yara) {
        sk_buf b;
        sk_buf_init(&b, 0);
        for (size_t i = 0; i < ic->n_yara; i++)
            if ((i && sk_buf_append(&b, ", ", 2)) || sk_buf_append(&b, ic->yara[i], strlen(ic->yara[i]))) {
                sk_buf_free(&b);
                return sk_error_set(SK_ENOMEM, "out of memory");
            }
        c->yara = intern(f, b.data, b.len);
        sk_buf_free(&b);
    }
    if (f->o.iocs) {
        char hex[65];
        ioc_hit h = {0, 0};
        struct {
            const uint8_t *d;
            size_t n;
            int what;
        } digests[] = {{ic->sha256, 32, 3}, {ic->sha1, 20, 2}, {ic->md5, 16, 1}};
        int have[] = {1, ic->have_sha1, ic->have_md5};
        for (int i = 0; i < 3 && !h.hit; i++) {
            if (!have[i]) continue;
            sk_hex(hex, digests[i].d, digests[i].n);
            sk_ioc_match_hash(f->o.iocs, hex, 2 * digests[i].n, on_ioc, &h);
            if (h.hit) c->ioc_what = (uint8_t)digests[i].what;
        }
        if (!h.hit && ic->imphash[0]) {
            sk_ioc_match_hash(f->o.iocs, ic->imphash, 32, on_ioc, &h);
            if (h.hit) c->ioc_what = 4;
        }
        if (h.hit) c->ioc = (uint32_t)h.ioc + 1;
    }
    return 0;
}

/* ---- paths ---------------------------------------------------------------------------- */

static const char *base_name(const char *p, size_t n, size_t *bn)
{
    size_t i = n;
    while (i && p[i - 1] != '\\' && p[i - 1] != '/') i--;
    *bn = n - i;
    return p + i;
}

static int in_home(const tool *t, const char *lpath)
{
    for (size_t i = 0; i < t->n_homes; i++)
        if (!strncmp(lpath, t->homes[i], strlen(t->homes[i]))) return 1;
    return 0;
}

/* folders anybody may write to, where software rarely installs itself */
static int user_writable(const char *lpath)
{
    static const char *const w[] = {"\\appdata\\", "\\programdata\\", "\\temp\\", "\\tmp\\", "\\users\\public\\", "\\$recycle.bin\\",
                                    "\\downloads\\", "/tmp/", "/var/tmp/", "/dev/shm/"};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strstr(lpath, w[i])) return 1;
    return 0;
}

static int executable_ext(const char *lname, size_t n)
{
    static const char *const e[] = {".exe", ".dll", ".sys", ".drv", ".ocx", ".cpl", ".scr", ".com", ".efi", ".mui", ".winmd",
                                    ".tlb", ".ax", ".acm", ".ime", ".tsp", ".node", ".pyd", ".xll", ".wll", ".mun", ".rll",
                                    ".bpl", ".so", ".fon", ".iec"};
    const char *dot = NULL;
    for (size_t i = n; i && !dot; i--)
        if (lname[i - 1] == '.') dot = lname + i - 1;
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        if (!strcmp(dot, e[i])) return 1;
    return 0;
}

/* ---- pass 1 ------------------------------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *n = realloc(*p, c * size);
    if (!n) return SK_ENOMEM;
    *p = n, *cap = c;
    return 0;
}

static void add_name(sk_fleet *f, content *c, uint32_t id)
{
    if (id == NONE) return;
    for (unsigned i = 0; i < c->n_names; i++)
        if (c->names[i] == id) return;
    if (c->n_names < MAX_NAMES) c->names[c->n_names++] = id;
    else c->names_more = 1;
}

/* the content at tool t's home under the tool's name: that tool's content */
static void learn_home(sk_fleet *f, content *c, int t, const char *lpath)
{
    if (t < 0 || c->home_tool >= 0) return;
    const tool *tl = &f->tools[t];
    if (!tl->n_homes || !in_home(tl, lpath)) return;
    c->home_tool = (int16_t)t;
    c->home_path = intern(f, lpath, strlen(lpath));
}

static int tool_named(const sk_fleet *f, const char *lname, size_t n)
{
    void *t = sk_map_get(f->tool_by_name, lname, n);
    return t ? (int)((uintptr_t)t - 1) : -1;
}

static int base_index(sk_fleet *f, const char *name, int make)
{
    void *v = sk_map_get(f->base_idx, name, strlen(name));
    if (v) return (int)((uintptr_t)v - 1);
    if (!make) return -1;
    fbase *nb = realloc(f->bases, (f->n_bases + 1) * sizeof *nb);
    if (!nb) return -1;
    f->bases = nb;
    memset(&nb[f->n_bases], 0, sizeof *nb);
    if (sk_map_put(f->base_idx, name, strlen(name), (void *)(uintptr_t)(f->n_bases + 1), NULL)) return -1;
    return (int)f->n_bases++;
}

/* whether base b holds content ci */
static int in_base(const sk_fleet *f, int b, uint32_t ci)
{
    if (b < 64) return (f->c[ci].in_bases >> b) & 1;
    uint32_t k[2] = {(uint32_t)b, ci};
    return sk_map_has(f->base_has, k, sizeof k);
}

/* how many of base b's paths hold content ci */
static uint32_t base_paths_of(const sk_fleet *f, int b, uint32_t ci)
{
    uint32_t k[2] = {(uint32_t)b, ci};
    return (uint32_t)(uintptr_t)sk_map_get(f->base_has, k, sizeof k);
}

/* a path folded as the host's file system compares it, into d (NUL-terminated); 0 if too long */
static size_t fold(char *d, size_t cap, const char *s, size_t n, int windows)
{
    if (n >= cap) return 0;
    if (windows) lower(d, s, n);
    else memcpy(d, s, n), d[n] = 0;
    return n ? n : 1;
}

int sk_fleet_host_begin(sk_fleet *f, int pass, const sk_fleet_host *h)
{
    f->h = *h;
#define KEEP(dst, src) ((src) ? (snprintf(dst, sizeof dst, "%s", (src)), (const char *)(dst)) : NULL)
    f->h.host_id = KEEP(f->h_id, h->host_id);
    f->h.name = KEEP(f->h_name, h->name);
    f->h.site = KEEP(f->h_site, h->site);
    f->h.base = KEEP(f->h_base, h->base);
    f->h.header.sha256 = KEEP(f->h_hdr_sha, h->header.sha256);
    f->h.header.path = KEEP(f->h_hdr_path, h->header.path);
#undef KEEP
    f->host_no++;
    f->host_windows = h->windows;
    f->host_good = f->o.cs && ((h->name && sk_case_known_good(f->o.cs, "host", h->name)) || (h->host_id && sk_case_known_good(f->o.cs, "host", h->host_id)));
    f->host_base = -1;
    f->n_gone = 0;
    memset(f->host_findings, 0, sizeof f->host_findings);
    if (pass == 1) {
        f->st.hosts++;
        if (h->base) {
            /* a base no manifest was fed for counts as none: its files are unknown */
            f->host_base = base_index(f, h->base, 0);
            if (f->host_base >= 0) f->bases[f->host_base].hosts++;
        }
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void sk_fleet_host_discard(sk_fleet *f)
{
    for (int i = 0; i < 4; i++) f->st.findings -= f->host_findings[i], f->st.by_engine[i] -= f->host_findings[i];
    memset(f->host_findings, 0, sizeof f->host_findings);
}

int sk_fleet_host_end(sk_fleet *f, int pass)
{
    if (pass != 1 || f->host_base < 0 || !f->n_gone) return 0;
    /* a base content the host no longer holds: every base path of it changed or removed,
     * and not held by the host at a path of its own */
    qsort(f->gone, f->n_gone, sizeof *f->gone, cmp_u32);
    for (size_t i = 0; i < f->n_gone;) {
        size_t k = i;
        while (k < f->n_gone && f->gone[k] == f->gone[i]) k++;
        content *c = &f->c[f->gone[i]];
        if (c->last_host != f->host_no && k - i >= base_paths_of(f, f->host_base, f->gone[i])) c->minus++;
        i = k;
    }
    f->n_gone = 0;
    return 0;
}

/* pass 1, one entry: op, its content (NULL: none), its folded path (computed only when
 * needed, by the caller's fold callback), its folded name's string and the tool so named */
typedef struct p1 {
    sk_listing_op op;
    content *c;
    uint32_t lname;
    int tool;
    size_t (*path)(void *ctx, char *d, size_t cap);
    void *ctx;
} p1;

static int count_entry(sk_fleet *f, const p1 *e)
{
    char lpath[4096];
    if ((e->op == SK_OP_CHANGE || e->op == SK_OP_REMOVE) && f->host_base >= 0) { /* a base path this host does not hold as the base has it */
        size_t n = e->path(e->ctx, lpath + 4, sizeof lpath - 4);
        uint32_t b = (uint32_t)f->host_base;
        memcpy(lpath, &b, 4);
        void *v = n ? sk_map_get(f->base_path, lpath, 4 + n) : NULL;
        if (v) {
            if (grow((void **)&f->gone, &f->cap_gone, f->n_gone + 1, sizeof *f->gone)) return sk_error_set(SK_ENOMEM, "out of memory");
            f->gone[f->n_gone++] = (uint32_t)((uintptr_t)v - 1);
        }
    }
    if (e->op == SK_OP_REMOVE || !e->c) return 0;
    content *c = e->c;
    f->st.entries++;
    if (c->last_host != f->host_no) {
        c->last_host = f->host_no;
        /* the host's own copy of a content its base holds is counted with the base */
        if (f->host_base < 0 || !in_base(f, f->host_base, (uint32_t)(c - f->c))) c->hosts++;
    }
    add_name(f, c, e->lname);
    if (e->tool >= 0 && c->home_tool < 0 && e->path(e->ctx, lpath, sizeof lpath)) learn_home(f, c, e->tool, lpath);
    return 0;
}

typedef struct entry_ctx {
    const sk_inv_entry *e;
    int windows;
} entry_ctx;

static size_t entry_path(void *ctx, char *d, size_t cap)
{
    entry_ctx *x = ctx;
    return fold(d, cap, x->e->path, x->e->path_len, x->windows);
}

static int entry_pass1(sk_fleet *f, const sk_inv_entry *e)
{
    entry_ctx x = {e, f->host_windows};
    p1 q = {.op = e->op, .lname = NONE, .tool = -1, .path = entry_path, .ctx = &x};
    if (e->op != SK_OP_REMOVE && e->have_sha256) {
        q.c = content_of(f, e->sha256, 1);
        if (!q.c) return sk_error_set(SK_ENOMEM, "out of memory");
        size_t bn;
        const char *b = base_name(e->path, e->path_len, &bn);
        char lname[512];
        if (bn < sizeof lname) {
            if (f->host_windows) lower(lname, b, bn);
            else memcpy(lname, b, bn), lname[bn] = 0;
            q.lname = intern(f, lname, bn);
            q.tool = tool_named(f, lname, bn);
        }
    }
    return count_entry(f, &q);
}

/* ---- pass 1 from the content index ---------------------------------------------------- */

int sk_fleet_index_content(sk_fleet *f, uint32_t id, const uint8_t sha256[32])
{
    if (id >= f->n_ix_content) {
        size_t cap = f->n_ix_content;
        if (grow((void **)&f->ix_content, &cap, (size_t)id + 1, sizeof *f->ix_content)) return sk_error_set(SK_ENOMEM, "out of memory");
        memset(f->ix_content + f->n_ix_content, 0, (cap - f->n_ix_content) * sizeof *f->ix_content);
        f->n_ix_content = cap;
    }
    content *c = content_of(f, sha256, 1);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    f->ix_content[id] = (uint32_t)(c - f->c) + 1;
    return 0;
}

int sk_fleet_index_name(sk_fleet *f, uint32_t id, const char *s, size_t n)
{
    if (id >= f->n_ix_str) {
        size_t cap = f->n_ix_str;
        if (grow((void **)&f->ix_str, &cap, (size_t)id + 1, sizeof *f->ix_str)) return sk_error_set(SK_ENOMEM, "out of memory");
        for (size_t i = f->n_ix_str; i < cap; i++) f->ix_str[i] = NONE;
        for (int w = 0; w < 2; w++) {
            uint32_t *nl = realloc(f->ix_lname[w], cap * sizeof *nl);
            if (nl) f->ix_lname[w] = nl;
            int16_t *nt = realloc(f->ix_tool[w], cap * sizeof *nt);
            if (nt) f->ix_tool[w] = nt;
            if (!nl || !nt) return sk_error_set(SK_ENOMEM, "out of memory");
            memset(nl + f->n_ix_str, 0, (cap - f->n_ix_str) * sizeof *nl);
            memset(nt + f->n_ix_str, 0, (cap - f->n_ix_str) * sizeof *nt);
        }
        f->n_ix_str = cap;
    }
    uint32_t sid = intern(f, n ? s : "", n);
    if (sid == NONE) return sk_error_set(SK_ENOMEM, "out of memory");
    f->ix_str[id] = sid;
    return 0;
}

typedef struct ix_ctx {
    const sk_fleet *f;
    const char *dir;
    size_t dir_len;
    uint32_t name;
} ix_ctx;

static size_t ix_path(void *ctx, char *d, size_t cap)
{
    ix_ctx *x = ctx;
    const char *a = x->dir, *b = str(x->f, x->f->ix_str[x->name]);
    size_t na = x->dir_len, nb = strlen(b);
    if (na + nb >= cap) return 0;
    memcpy(d, a, na);
    memcpy(d + na, b, nb);
    return fold(d, cap, d, na + nb, x->f->host_windows);
}

int sk_fleet_index_entry(sk_fleet *f, sk_listing_op op, uint32_t cid, uint32_t name, const char *dir, size_t dir_len)
{
    if (name >= f->n_ix_str || f->ix_str[name] == NONE || (cid && (cid >= f->n_ix_content || !f->ix_content[cid])))
        return sk_error_set(SK_EFORMAT, "a content index record names a content or file name the index does not hold");
    ix_ctx x = {f, dir, dir_len, name};
    p1 q = {.op = op, .lname = NONE, .tool = -1, .path = ix_path, .ctx = &x};
    if (op != SK_OP_REMOVE && cid) {
        q.c = &f->c[f->ix_content[cid] - 1];
        int w = f->host_windows ? 1 : 0;
        if (!f->ix_lname[w][name]) { /* the name folded once per string */
            const char *nm = str(f, f->ix_str[name]);
            size_t bn = strlen(nm);
            char lname[512];
            uint32_t id = NONE;
            int t = -1;
            if (bn < sizeof lname) {
                if (w) lower(lname, nm, bn);
                else memcpy(lname, nm, bn), lname[bn] = 0;
                id = intern(f, lname, bn);
                t = tool_named(f, lname, bn);
            }
            f->ix_lname[w][name] = id == NONE ? NONE : id + 1;
            f->ix_tool[w][name] = (int16_t)(t + 2);
        }
        uint32_t l = f->ix_lname[w][name];
        q.lname = l == NONE ? NONE : l - 1;
        q.tool = f->ix_tool[w][name] - 2;
    }
    return count_entry(f, &q);
}

/* ---- base manifests, before pass 1 ------------------------------------------------------ */

int sk_fleet_base_begin(sk_fleet *f, const char *name, int windows)
{
    f->cur_base = base_index(f, name, 1);
    if (f->cur_base < 0) return sk_error_set(SK_ENOMEM, "out of memory");
    f->bases[f->cur_base].windows = windows;
    return 0;
}

int sk_fleet_base_entry(sk_fleet *f, const sk_inv_entry *e, const sk_fleet_where *w)
{
    (void)w;
    if (f->cur_base < 0 || !e->have_sha256 || e->op == SK_OP_REMOVE) return 0;
    fbase *b = &f->bases[f->cur_base];
    char key[4 + 4096];
    uint32_t bi = (uint32_t)f->cur_base;
    memcpy(key, &bi, 4);
    size_t n = fold(key + 4, sizeof key - 4, e->path, e->path_len, b->windows);
    if (!n) return 0;
    content *c = content_of(f, e->sha256, 1);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    uint32_t ci = (uint32_t)(c - f->c);
    if (sk_map_has(f->base_path, key, 4 + n)) return 0; /* a path listed twice: the first holds */
    uint32_t pid = intern(f, key + 4, n);
    if (pid == NONE || sk_map_put(f->base_path, key, 4 + n, (void *)(uintptr_t)(ci + 1), NULL)) return sk_error_set(SK_ENOMEM, "out of memory");
    uint32_t hk[2] = {bi, ci};
    uintptr_t paths = (uintptr_t)sk_map_get(f->base_has, hk, sizeof hk);
    if (sk_map_put(f->base_has, hk, sizeof hk, (void *)(paths + 1), NULL)) return sk_error_set(SK_ENOMEM, "out of memory");
    if (!paths) {
        if (bi < 64) c->in_bases |= (uint64_t)1 << bi;
        if (grow((void **)&b->contents, &b->cap_contents, b->n_contents + 1, sizeof *b->contents)) return sk_error_set(SK_ENOMEM, "out of memory");
        b->contents[b->n_contents++] = ci;
    }
    if (grow((void **)&b->ent, &b->cap_ent, b->n_ent + 2, sizeof *b->ent)) return sk_error_set(SK_ENOMEM, "out of memory");
    b->ent[b->n_ent++] = ci;
    b->ent[b->n_ent++] = pid;
    return 0;
}

int sk_fleet_pass1_done(sk_fleet *f)
{
    /* each base's contents on each of its hosts; its names and homes, when any host is on it */
    for (size_t i = 0; i < f->n_bases; i++) {
        fbase *b = &f->bases[i];
        if (!b->hosts) continue;
        for (size_t k = 0; k < b->n_contents; k++) f->c[b->contents[k]].hosts += b->hosts;
        for (size_t k = 0; k + 1 < b->n_ent; k += 2) {
            content *c = &f->c[b->ent[k]];
            const char *lpath = str(f, b->ent[k + 1]);
            size_t bn;
            const char *nm = base_name(lpath, strlen(lpath), &bn);
            add_name(f, c, intern(f, nm, bn));
            learn_home(f, c, tool_named(f, nm, bn), lpath);
        }
    }
    for (size_t i = 0; i < f->n_c; i++) {
        content *c = &f->c[i];
        c->hosts = c->hosts > c->minus ? c->hosts - c->minus : 0;
    }
    f->rare = f->o.rare_hosts ? f->o.rare_hosts : (unsigned)(f->st.hosts / 1000 > 2 ? f->st.hosts / 1000 : 2);
    f->host_no = 0;
    return 0;
}

/* ---- pass 2: the rules ------------------------------------------------------------------- */

typedef struct verdict {
    int engine;             /* index into sk_fleet_engines */
    const char *rule, *title;
    int severity;
    char summary[1400];
    sk_buf attrs;           /* the attributes object's members */
    const char *attack;
} verdict;

static void attr_str(verdict *v, const char *k, const char *s)
{
    if (!s) return;
    sk_jw w;
    sk_jw_init(&w, &v->attrs);
    if (v->attrs.len) sk_buf_append(&v->attrs, ",", 1);
    sk_jw_key(&w, k);
    sk_jw_string(&w, s);
}

static void attr_u64(verdict *v, const char *k, uint64_t x)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", (unsigned long long)x);
    sk_jw w;
    sk_jw_init(&w, &v->attrs);
    if (v->attrs.len) sk_buf_append(&v->attrs, ",", 1);
    sk_jw_key(&w, k);
    sk_jw_raw(&w, b, strlen(b));
}

static int emit(sk_fleet *f, verdict *v, const sk_inv_entry *e, const content *c, const sk_fleet_where *w)
{
    char hex[65];
    sk_hex(hex, c->sha, 32);
    /* known good: suppressed, and counted by what */
    if (f->host_good) {
        f->st.suppressed_host++;
        return 0;
    }
    if (f->o.cs && sk_case_known_good(f->o.cs, "sha256", hex)) {
        f->st.suppressed_sha256++;
        return 0;
    }
    if (f->o.cs && c->signer != NONE && v->engine == 1 && sk_case_known_good(f->o.cs, "signer", str(f, c->signer))) {
        f->st.suppressed_signer++;
        return 0;
    }
    sk_buf a;
    sk_buf_init(&a, 0);
    sk_jw jw;
    sk_jw_init(&jw, &a);
    sk_jw_object_begin(&jw);
    sk_jw_key(&jw, "path");
    sk_jw_stringn(&jw, e->path, e->path_len);
    sk_jw_kv_string(&jw, "sha256", hex);
    if (v->attrs.len) {
        sk_buf_append(&a, ",", 1);
        sk_buf_append(&a, v->attrs.data, v->attrs.len);
    }
    sk_jw_object_end(&jw);
    sk_finding_ev ev = {.sha256 = w->sha256, .path = w->path, .line = w->line, .has = SK_FEV_LINE};
    const char *attack[1] = {v->attack};
    sk_finding fd = {.host_id = f->h.host_id, .host = f->h.name, .engine = sk_fleet_engines[v->engine], .rule_id = v->rule,
                     .rule_title = v->title, .severity = v->severity, .summary = v->summary,
                     .time = e->crtime != SK_TIME_NONE ? e->crtime : e->mtime, .time_last = SK_TIME_NONE, .count = 1,
                     .attack = v->attack ? attack : NULL, .n_attack = v->attack ? 1 : 0, .attributes = a.data,
                     .attributes_len = a.len, .evidence = &ev, .n_evidence = 1};
    sk_buf out;
    sk_buf_init(&out, 0);
    int rc = sk_jw_error(&jw) ? sk_error_set(SK_ENOMEM, "out of memory") : sk_finding_write_json(&out, &fd);
    if (!rc && f->o.sink) rc = f->o.sink(f->o.sink_ctx, out.data, out.len);
    if (!rc) f->st.findings++, f->st.by_engine[v->engine]++, f->host_findings[v->engine]++;
    sk_buf_free(&out);
    sk_buf_free(&a);
    return rc;
}

static void vinit(verdict *v, int engine, const char *rule, const char *title, int sev, const char *attack)
{
    memset(v, 0, sizeof *v);
    v->engine = engine, v->rule = rule, v->title = title, v->severity = sev, v->attack = attack;
    sk_buf_init(&v->attrs, 0);
}

static int judge(sk_fleet *f, const sk_inv_entry *e, const sk_fleet_where *w)
{
    if (e->op == SK_OP_REMOVE || !e->have_sha256) return 0;
    content *c = content_of(f, e->sha256, 0);
    if (!c) return 0;
    if (!c->catalogued && e->op != SK_OP_CHANGE) f->st.contents_missing++;
    char lpath[4096];
    if (e->path_len >= sizeof lpath) return 0;
    if (f->host_windows) lower(lpath, e->path, e->path_len);
    else memcpy(lpath, e->path, e->path_len), lpath[e->path_len] = 0;
    size_t bn;
    const char *bname = base_name(lpath, e->path_len, &bn);
    char lname[512];
    if (bn >= sizeof lname) return 0;
    memcpy(lname, bname, bn), lname[bn] = 0;
    int rc = 0;
    verdict v;
    int is_exec = c->kind == SK_KIND_PE || c->kind == SK_KIND_ELF || c->kind == SK_KIND_MACHO || c->kind == SK_KIND_SCRIPT;
    /* the tool identity rules */
    const tool *t = c->tool >= 0 ? &f->tools[c->tool] : NULL;
    int named_as_tool = 0;
    if (t)
        for (size_t i = 0; i < t->n_names; i++) named_as_tool |= !strcmp(lname, t->names[i]);
    const char *orig = str(f, c->orig);
    if (t && !named_as_tool) {
        int home = c->home_tool == c->tool;
        vinit(&v, 0, home ? "masquerade/system-binary-renamed" : "masquerade/tool-renamed",
              "A system or admin tool under another name", home ? SK_SEV_CRITICAL : SK_SEV_HIGH, "T1036.003");
        snprintf(v.summary, sizeof v.summary, "%.*s is %s (%s, its own identity: %s) under the name %s%s%s", (int)e->path_len, e->path,
                 t->name, t->what, orig ? orig : "its InternalName", lname, home ? "; the same content is at " : "",
                 home ? str(f, c->home_path) : "");
        attr_str(&v, "name", lname);
        attr_str(&v, "identity", t->name);
        if (orig) attr_str(&v, "original_filename", orig);
        if (home) attr_str(&v, "home", str(f, c->home_path));
        attr_u64(&v, "content_hosts", c->hosts);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    } else if (t && named_as_tool && t->n_homes && !in_home(t, lpath)) {
        vinit(&v, 0, "masquerade/outside-home", "A system tool outside its home folders", SK_SEV_MEDIUM, "T1036.005");
        snprintf(v.summary, sizeof v.summary, "%.*s: %s (%s) outside its home folders", (int)e->path_len, e->path, t->name, t->what);
        attr_str(&v, "name", lname);
        attr_str(&v, "identity", t->name);
        attr_str(&v, "home", t->homes[0]);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    } else if (!t && c->home_tool >= 0) {
        const tool *ht = &f->tools[c->home_tool];
        int ok = 0;
        for (size_t i = 0; i < ht->n_names; i++) ok |= !strcmp(lname, ht->names[i]);
        if (ok && !in_home(ht, lpath)) { /* its own name and content, away from home */
            vinit(&v, 0, "masquerade/outside-home", "A system tool outside its home folders", SK_SEV_MEDIUM, "T1036.005");
            snprintf(v.summary, sizeof v.summary, "%.*s: %s (%s, the content at %s) outside its home folders", (int)e->path_len, e->path,
                     ht->name, ht->what, str(f, c->home_path));
            attr_str(&v, "name", lname);
            attr_str(&v, "identity", ht->name);
            attr_str(&v, "home", str(f, c->home_path));
            rc = emit(f, &v, e, c, w);
            sk_buf_free(&v.attrs);
        } else if (!ok) {
            vinit(&v, 0, "masquerade/system-content-renamed", "A system tool's content under another name", SK_SEV_CRITICAL, "T1036.003");
            snprintf(v.summary, sizeof v.summary, "%.*s has the content of %s (%s) at %s, under the name %s", (int)e->path_len, e->path,
                     ht->name, ht->what, str(f, c->home_path), lname);
            attr_str(&v, "name", lname);
            attr_str(&v, "identity", ht->name);
            attr_str(&v, "home", str(f, c->home_path));
            attr_u64(&v, "content_hosts", c->hosts);
            rc = emit(f, &v, e, c, w);
            sk_buf_free(&v.attrs);
        }
    } else if (!t && c->pe && !c->dll && orig && strcmp(orig, lname) && strncmp(lpath, "c:\\windows\\", 11)) {
        /* a file renamed from what it says it is, but nothing the tool list knows: low
         * (outside C:\Windows, where in-box files often carry their build names) */
        vinit(&v, 0, "masquerade/renamed", "A file named otherwise than its own identity", SK_SEV_LOW, "T1036");
        snprintf(v.summary, sizeof v.summary, "%.*s says it is %s", (int)e->path_len, e->path, orig);
        attr_str(&v, "name", lname);
        attr_str(&v, "original_filename", orig);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    if (!rc && t && named_as_tool && t->presence >= 0) {
        vinit(&v, 0, "masquerade/admin-tool", "An admin or attack tool is present", t->presence, NULL);
        snprintf(v.summary, sizeof v.summary, "%.*s: %s (%s)", (int)e->path_len, e->path, t->name, t->what);
        attr_str(&v, "identity", t->name);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    /* the case's indicators */
    if (!rc && c->ioc && f->o.iocs) {
        const sk_ioc *io = sk_ioc_get(f->o.iocs, c->ioc - 1);
        static const char *const what[] = {"", "MD5", "SHA-1", "SHA-256", "imphash"};
        vinit(&v, 2, "hash/known-bad", "A content on the case's indicator lists", SK_SEV_HIGH, NULL);
        snprintf(v.summary, sizeof v.summary, "%.*s: its %s is on %s (line %llu)", (int)e->path_len, e->path, what[c->ioc_what],
                 io && io->source ? io->source : "an indicator list", io ? (unsigned long long)io->line : 0ULL);
        if (io) attr_str(&v, "indicator", io->text), attr_str(&v, "indicator_source", io->source);
        attr_str(&v, "indicator_type", what[c->ioc_what]);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    /* YARA at collection */
    if (!rc && c->yara != NONE) {
        vinit(&v, 3, "yara/match", "YARA rules matched at collection", SK_SEV_HIGH, NULL);
        snprintf(v.summary, sizeof v.summary, "%.*s matches %s", (int)e->path_len, e->path, str(f, c->yara));
        attr_str(&v, "rules", str(f, c->yara));
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    /* stacking: the host's own files (not the base's), executables */
    if (rc || !is_exec) return rc;
    /* rarity means something in a fleet of at least ten times the threshold */
    if (c->hosts <= f->rare && f->st.hosts >= 10 * (uint64_t)f->rare) {
        int writable = user_writable(lpath);
        vinit(&v, 1, "stack/rare-content", "An executable content on few hosts", writable ? SK_SEV_MEDIUM : SK_SEV_LOW, NULL);
        snprintf(v.summary, sizeof v.summary, "%.*s: a content on %u of %llu hosts%s", (int)e->path_len, e->path, c->hosts,
                 (unsigned long long)f->st.hosts, writable ? ", in a folder users can write to" : "");
        attr_u64(&v, "content_hosts", c->hosts);
        attr_u64(&v, "fleet_hosts", f->st.hosts);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    if (!rc && (c->n_names >= 3 || c->names_more) && c->kind == SK_KIND_PE && !c->dll) {
        vinit(&v, 1, "stack/many-names", "One content under many names", SK_SEV_MEDIUM, "T1036");
        char names[600] = "";
        size_t o = 0;
        for (unsigned i = 0; i < c->n_names && o + 2 < sizeof names; i++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", str(f, c->names[i]));
        snprintf(v.summary, sizeof v.summary, "%.*s: its content is held under %s%s", (int)e->path_len, e->path, names, c->names_more ? " and more" : "");
        attr_str(&v, "names", names);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    if (!rc && c->kind == SK_KIND_PE && !executable_ext(lname, bn)) {
        vinit(&v, 1, "stack/pe-extension", "A PE file with an extension that is not an executable's", SK_SEV_MEDIUM, "T1036.008");
        snprintf(v.summary, sizeof v.summary, "%.*s is a PE file", (int)e->path_len, e->path);
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    if (!rc && (c->sig == SK_INV_SIG_MISMATCH || c->sig == SK_INV_SIG_MALFORMED)) {
        int mm = c->sig == SK_INV_SIG_MISMATCH;
        vinit(&v, 1, mm ? "stack/signature-mismatch" : "stack/signature-malformed",
              mm ? "Changed after it was signed" : "A signature that does not parse", mm ? SK_SEV_HIGH : SK_SEV_MEDIUM, NULL);
        snprintf(v.summary, sizeof v.summary, "%.*s: %s", (int)e->path_len, e->path,
                 mm ? "its embedded signature's digest is not the file's (changed after signing)" : "its certificate table does not parse");
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    if (!rc && e->op == SK_OP_CHANGE && e->reasons == SK_REASON_TIMES) {
        vinit(&v, 1, "stack/creation-time", "A system file's times differ from its image's", SK_SEV_MEDIUM, "T1070.006");
        char t1[SK_TIME_ISO_MAX] = "";
        if (e->crtime != SK_TIME_NONE) sk_time_format_trim(t1, e->crtime);
        snprintf(v.summary, sizeof v.summary, "%.*s: the image's content, but its times differ from the image's (created %s)",
                 (int)e->path_len, e->path, t1[0] ? t1 : "at an unknown time");
        rc = emit(f, &v, e, c, w);
        sk_buf_free(&v.attrs);
    }
    return rc;
}

int sk_fleet_entry(sk_fleet *f, int pass, const sk_inv_entry *e, const sk_fleet_where *w)
{
    return pass == 1 ? entry_pass1(f, e) : judge(f, e, w);
}
