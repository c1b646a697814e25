/*
 * case.c - load and validate case.json (docs/formats/case.md).
 *
 * Validation is strict (unknown keys are errors: a misspelt "timezone" would
 * otherwise silently turn every DHCP lease time into UTC) and every error names the
 * file, the line and the key path. Checks mirror docs/formats/schemas/case.schema.json;
 * tests validate the same examples with both. Work is O(n log n) in the size of the
 * case (overlapping subnets are found by one sweep over sorted prefixes, names are
 * looked up in maps), and every limit reached names the file. Source globs must stay
 * inside the case folder: refused lexically at load time, and by realpath comparison
 * when they are expanded into files (sk_case_source_expand).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/arena.h>
#include <sakimori/case.h>
#include <sakimori/cfg.h>
#include <sakimori/digest.h>
#include <sakimori/file.h>
#include <sakimori/json.h>
#include <sakimori/map.h>

#define CASE_MAX_BYTES ((size_t)16 << 20)

typedef struct tolerance {
    const char *name;
    double seconds;
} tolerance;

/* Documented defaults, docs/formats/time.md "Join tolerances". */
static const tolerance default_tolerances[] = {
    {"endpoint_network", 2.0},  /* Sysmon 3 / 4688 vs Zeek conn, firewall: same flow */
    {"endpoint_dns", 5.0},      /* Sysmon 22 vs DNS server / Zeek dns */
    {"proxy_endpoint", 5.0},    /* proxy access.log vs the endpoint's connection */
    {"dhcp_lease", 60.0},       /* a lease is extended by this at both ends */
    {"cross_host", 120.0},      /* host A's logon event vs host B's outbound connection */
};
#define N_TOL (sizeof default_tolerances / sizeof default_tolerances[0])

struct sk_case {
    sk_arena *arena;
    const char *name;
    sk_time start, end;
    sk_tz *default_tz;
    char **region_names;
    size_t n_regions;
    sk_case_site *sites;
    size_t n_sites;
    size_t **subnet_lines; /* per site, the input line of each subnet (for warnings) */
    sk_case_source *sources;
    size_t n_sources;
    sk_tz **zones; /* every zone loaded, owned */
    size_t n_zones;
    double tol[N_TOL];
    sk_map *known[4]; /* sha256, domain, host, signer */
    sk_map *site_names, *region_names_seen; /* for "defined twice" and sources[].site */
    sk_case_warning *warnings;
    size_t n_warnings, cap_warnings;
};

static const char *known_kinds[4] = {"sha256", "domain", "host", "signer"};
static const char *known_keys[4] = {"sha256", "domains", "hosts", "signers"};

typedef struct ctx {
    sk_cfg cfg; /* file, arena and key path */
    sk_case *c;
} ctx;

static int no_memory(ctx *x, const sk_json_value *v);

static int warn(ctx *x, size_t line, const char *text)
{
    sk_case *c = x->c;
    if (c->n_warnings == c->cap_warnings) {
        size_t nc = c->cap_warnings ? c->cap_warnings * 2 : 8;
        sk_case_warning *w = sk_arena_alloc(c->arena, nc * sizeof *w);
        if (!w) return SK_ENOMEM;
        if (c->n_warnings) memcpy(w, c->warnings, c->n_warnings * sizeof *w);
        c->warnings = w;
        c->cap_warnings = nc;
    }
    char *t = sk_arena_strndup(c->arena, text, strlen(text));
    if (!t) return SK_ENOMEM;
    c->warnings[c->n_warnings++] = (sk_case_warning){line, t};
    return 0;
}

static int zone_member(ctx *x, const sk_json_value *obj, const char *key, const char **name,
                       const sk_tz **tz)
{
    int rc = sk_cfg_string(&x->cfg, obj, key, 0, 100, name);
    if (rc || !*name) return rc;
    sk_case *c = x->c;
    for (size_t i = 0; i < c->n_zones; i++)
        if (!strcmp(sk_tz_name(c->zones[i]), *name)) {
            *tz = c->zones[i];
            return 0;
        }
    sk_tz *z;
    if (sk_tz_load(&z, *name)) {
        size_t o = sk_cfg_push_key(&x->cfg, key);
        rc = sk_cfg_error(&x->cfg, sk_json_object_get(obj, key), "unknown time zone '%.80s' (an IANA name such as Asia/Tokyo, UTC, or +09:00)", *name);
        sk_cfg_pop(&x->cfg, o);
        return rc;
    }
    sk_tz **nz = realloc(c->zones, (c->n_zones + 1) * sizeof *nz);
    if (!nz) {
        sk_tz_free(z);
        sk_error_set(SK_ENOMEM, "out of memory");
        return no_memory(x, obj);
    }
    c->zones = nz;
    c->zones[c->n_zones++] = z;
    *tz = z;
    return 0;
}

static int load_sites(ctx *x, const sk_json_value *sites, const char *region, int domestic,
                      const char *rtz_name, const sk_tz *rtz)
{
    static const char *const keys[] = {"name", "country", "timezone", "subnets", "description", NULL};
    sk_case *c = x->c;
    for (size_t i = 0; i < sk_json_length(sites); i++) {
        const sk_json_value *s = sk_json_array_at(sites, i);
        size_t o = sk_cfg_push_index(&x->cfg, i);
        int rc = sk_cfg_check_keys(&x->cfg, s, keys);
        sk_case_site site = {0};
        site.region = region;
        site.domestic = domestic;
        site.timezone = rtz_name;
        site.tz = rtz;
        const char *desc;
        if (!rc) rc = sk_cfg_id(&x->cfg, s, "name", 1, &site.name);
        if (!rc) rc = sk_cfg_string(&x->cfg, s, "description", 0, 1000, &desc);
        if (!rc) rc = sk_cfg_string(&x->cfg, s, "country", 0, 2, &site.country);
        if (!rc && site.country &&
            (strlen(site.country) != 2 || !isupper((unsigned char)site.country[0]) ||
             !isupper((unsigned char)site.country[1]))) {
            size_t o2 = sk_cfg_push_key(&x->cfg, "country");
            rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "country"), "'%.80s' is not an ISO 3166-1 alpha-2 code (e.g. JP, CN)", site.country);
            sk_cfg_pop(&x->cfg, o2);
        }
        const char *zn = NULL;
        const sk_tz *zt = NULL;
        if (!rc) rc = zone_member(x, s, "timezone", &zn, &zt);
        if (zn) {
            site.timezone = zn;
            site.tz = zt;
        }
        const sk_json_value *subs;
        if (!rc) rc = sk_cfg_member(&x->cfg, s, "subnets", SK_JSON_ARRAY, 1, &subs);
        if (!rc) {
            size_t ns = sk_json_length(subs);
            sk_prefix *pf = sk_arena_calloc(c->arena, ns ? ns : 1, sizeof *pf);
            size_t *lines = sk_arena_calloc(c->arena, ns ? ns : 1, sizeof *lines);
            if (!pf || !lines) rc = no_memory(x, subs);
            else c->subnet_lines[c->n_sites] = lines;
            size_t o2 = rc ? 0 : sk_cfg_push_key(&x->cfg, "subnets");
            for (size_t k = 0; k < ns && !rc; k++) {
                const sk_json_value *sv = sk_json_array_at(subs, k);
                lines[k] = sk_json_line(sv);
                size_t o3 = sk_cfg_push_index(&x->cfg, k);
                size_t sl;
                const char *st = sk_json_string(sv, &sl);
                if (!st)
                    rc = sk_cfg_error(&x->cfg, sv, "must be a string");
                else if (!memchr(st, '/', sl) || sk_prefix_parse(st, sl, 0, &pf[k]))
                    rc = sk_cfg_error(&x->cfg, sv, "'%.80s' is not an address prefix with its host bits clear (e.g. 10.20.0.0/16)", st);
                sk_cfg_pop(&x->cfg, o3);
            }
            if (!rc) sk_cfg_pop(&x->cfg, o2);
            site.subnets = pf;
            site.n_subnets = ns;
        }
        if (!rc && sk_map_has(c->site_names, site.name, strlen(site.name))) {
            size_t o2 = sk_cfg_push_key(&x->cfg, "name");
            rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "name"), "site '%.80s' is defined twice", site.name);
            sk_cfg_pop(&x->cfg, o2);
        }
        if (!rc && sk_map_put(c->site_names, site.name, strlen(site.name), NULL, NULL)) rc = no_memory(x, s);
        if (rc) return rc;
        c->sites[c->n_sites++] = site;
        sk_cfg_pop(&x->cfg, o);
    }
    return 0;
}

/* An allocation failed or a cap was reached while loading `v`: say where, as every
 * other message does, and keep the allocator's reason (its code decides the exit). */
static int no_memory(ctx *x, const sk_json_value *v)
{
    int code = sk_error_last_code() == SK_ELIMIT ? SK_ELIMIT : SK_ENOMEM;
    char why[SK_ERROR_MAX];
    snprintf(why, sizeof why, "%s", sk_error_last()[0] ? sk_error_last() : "out of memory");
    size_t line = v ? sk_json_line(v) : 1;
    if (x->cfg.path[0])
        return sk_error_set(code, "%s:%zu: key '%s': %s", x->cfg.file, line, x->cfg.path, why);
    return sk_error_set(code, "%s:%zu: %s", x->cfg.file, line, why);
}

/* One subnet in the sweep, and one pair of overlapping subnets (a < b are sites, i
 * and j their subnets' indices) as the warnings list them. */
typedef struct span {
    sk_prefix p;
    uint32_t site, sub;
} span;

typedef struct overlap {
    uint32_t a, i, b, j;
} overlap;

/* Address ascending, then the wider prefix first: a prefix then precedes every prefix
 * it contains, so the ones containing the current prefix form a stack. */
static int span_cmp(const void *pa, const void *pb)
{
    const span *a = pa, *b = pb;
    int d = memcmp(a->p.ip.a, b->p.ip.a, sizeof a->p.ip.a);
    if (d) return d;
    if (a->p.bits != b->p.bits) return a->p.bits < b->p.bits ? -1 : 1;
    if (a->site != b->site) return a->site < b->site ? -1 : 1;
    return (a->sub > b->sub) - (a->sub < b->sub);
}

/* The order the warnings have always come in: by site, then by subnet. */
static int overlap_cmp(const void *pa, const void *pb)
{
    const overlap *a = pa, *b = pb;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/*
 * Overlapping subnets across sites are legal (overseas sites reuse private ranges)
 * but make address-to-site mapping depend on the source: warn about each pair.
 *
 * Two prefixes overlap only when one contains the other, so one sweep over the
 * prefixes sorted by address finds every pair: the prefixes that contain the current
 * one are exactly those left on a stack of open prefixes. Counting the pairs costs
 * O(1) per prefix (the stack's depth less the current site's own entries on it);
 * listing them stops at SK_CASE_OVERLAP_WARNINGS_MAX, after which one line gives the
 * count. Sorting plus the sweep is O(n log n) for n subnets, with O(n) memory, where
 * comparing every pair of sites was quadratic in both.
 */
static int overlap_warnings(ctx *x, const sk_json_value *regions)
{
    sk_case *c = x->c;
    size_t n = 0;
    for (size_t s = 0; s < c->n_sites; s++) n += c->sites[s].n_subnets;
    if (n < 2) return 0;
    int rc = 0;
    span *v = NULL;
    size_t *stack = NULL;
    uint32_t *on_stack = NULL;
    overlap *shown = NULL;
    if (n > UINT32_MAX || c->n_sites > UINT32_MAX) {
        rc = sk_error_set(SK_ELIMIT, "more than %u subnets", (unsigned)UINT32_MAX);
        goto fail;
    }
    v = malloc(n * sizeof *v);
    stack = malloc(n * sizeof *stack);
    on_stack = calloc(c->n_sites, sizeof *on_stack);
    shown = malloc(SK_CASE_OVERLAP_WARNINGS_MAX * sizeof *shown);
    if (!v || !stack || !on_stack || !shown) {
        rc = sk_error_set(SK_ENOMEM, "out of memory sorting %zu subnets", n);
        goto fail;
    }
    size_t k = 0;
    for (size_t s = 0; s < c->n_sites; s++)
        for (size_t i = 0; i < c->sites[s].n_subnets; i++)
            v[k++] = (span){c->sites[s].subnets[i], (uint32_t)s, (uint32_t)i};
    qsort(v, n, sizeof *v, span_cmp);
    size_t depth = 0, n_shown = 0;
    uint64_t total = 0;
    for (k = 0; k < n; k++) {
        const span *cur = &v[k];
        while (depth && !sk_prefix_overlaps(&v[stack[depth - 1]].p, &cur->p))
            on_stack[v[stack[--depth]].site]--;
        /* every prefix left on the stack contains cur; those of other sites pair with it */
        size_t others = depth - on_stack[cur->site];
        total += others;
        /* each walk lists at least one pair, so listing costs at most MAX walks */
        for (size_t d = depth; others && n_shown < SK_CASE_OVERLAP_WARNINGS_MAX && d > 0;) {
            const span *e = &v[stack[--d]];
            if (e->site == cur->site) continue;
            shown[n_shown++] = e->site < cur->site ? (overlap){e->site, e->sub, cur->site, cur->sub}
                                                   : (overlap){cur->site, cur->sub, e->site, e->sub};
            others--;
        }
        stack[depth++] = k;
        on_stack[cur->site]++;
    }
    qsort(shown, n_shown, sizeof *shown, overlap_cmp);
    for (size_t w = 0; w < n_shown && !rc; w++) {
        const overlap *o = &shown[w];
        const sk_case_site *a = &c->sites[o->a], *b = &c->sites[o->b];
        sk_buf m;
        sk_buf_init(&m, 1024);
        sk_buf_printf(&m, "sites '%.80s' and '%.80s' share addresses (", a->name, b->name);
        sk_prefix_format(&m, &a->subnets[o->i]);
        sk_buf_puts(&m, " and ");
        sk_prefix_format(&m, &b->subnets[o->j]);
        sk_buf_puts(&m, "): addresses there are attributed to a site by the source that logged them");
        rc = m.data ? warn(x, c->subnet_lines[o->b][o->j], m.data) : sk_error_set(SK_ENOMEM, "out of memory");
        sk_buf_free(&m);
    }
    if (!rc && total > n_shown) {
        char m[256];
        snprintf(m, sizeof m,
                 "%" PRIu64 " more pairs of subnets in different sites share addresses (%" PRIu64
                 " pairs in all; the first %zu in address order are listed)",
                 total - n_shown, total, n_shown);
        rc = warn(x, sk_json_line(regions), m);
    }
fail:
    free(v);
    free(stack);
    free(on_stack);
    free(shown);
    return rc ? no_memory(x, regions) : 0;
}

static int load_regions(ctx *x, const sk_json_value *regions, const char *ctz_name, const sk_tz *ctz)
{
    static const char *const keys[] = {"name", "domestic", "timezone", "sites", "description", NULL};
    sk_case *c = x->c;
    size_t nr = sk_json_length(regions), total = 0;
    if (nr == 0) return sk_cfg_error(&x->cfg, regions, "must list at least one region");
    for (size_t i = 0; i < nr; i++)
        total += sk_json_length(sk_json_object_get(sk_json_array_at(regions, i), "sites"));
    c->sites = sk_arena_calloc(c->arena, total ? total : 1, sizeof *c->sites);
    c->region_names = sk_arena_calloc(c->arena, nr, sizeof *c->region_names);
    c->subnet_lines = sk_arena_calloc(c->arena, total ? total : 1, sizeof *c->subnet_lines);
    if (!c->sites || !c->region_names || !c->subnet_lines) return no_memory(x, regions);
    for (size_t i = 0; i < nr; i++) {
        const sk_json_value *r = sk_json_array_at(regions, i);
        size_t o = sk_cfg_push_index(&x->cfg, i);
        const char *name = NULL, *desc = NULL, *zn = NULL;
        const sk_tz *zt = NULL;
        const sk_json_value *dom, *sites;
        int rc = sk_cfg_check_keys(&x->cfg, r, keys);
        if (!rc) rc = sk_cfg_id(&x->cfg, r, "name", 1, &name);
        if (!rc) rc = sk_cfg_string(&x->cfg, r, "description", 0, 1000, &desc);
        if (!rc) rc = sk_cfg_member(&x->cfg, r, "domestic", SK_JSON_TRUE, 1, &dom);
        if (!rc) rc = zone_member(x, r, "timezone", &zn, &zt);
        if (!rc) rc = sk_cfg_member(&x->cfg, r, "sites", SK_JSON_ARRAY, 1, &sites);
        if (!rc && sk_json_length(sites) == 0) {
            size_t o2 = sk_cfg_push_key(&x->cfg, "sites");
            rc = sk_cfg_error(&x->cfg, sites, "must list at least one site");
            sk_cfg_pop(&x->cfg, o2);
        }
        if (!rc && sk_map_has(c->region_names_seen, name, strlen(name))) {
            size_t o2 = sk_cfg_push_key(&x->cfg, "name");
            rc = sk_cfg_error(&x->cfg, sk_json_object_get(r, "name"), "region '%.80s' is defined twice", name);
            sk_cfg_pop(&x->cfg, o2);
        }
        if (!rc && sk_map_put(c->region_names_seen, name, strlen(name), NULL, NULL)) rc = no_memory(x, r);
        if (!rc) {
            c->region_names[c->n_regions++] = (char *)name;
            size_t o2 = sk_cfg_push_key(&x->cfg, "sites");
            rc = load_sites(x, sites, name, sk_json_type_of(dom) == SK_JSON_TRUE,
                            zn ? zn : ctz_name, zn ? zt : ctz);
            if (!rc) sk_cfg_pop(&x->cfg, o2);
        }
        if (rc) return rc;
        sk_cfg_pop(&x->cfg, o);
    }
    return overlap_warnings(x, regions);
}

/*
 * 1 when a component of the glob `p` is "..", or is a pattern that glob(3) would let
 * match ".." ("\\.\\.", ".?", ".*", ".[.]"): fnmatch with FNM_PERIOD is the rule
 * glob applies to each component. The component (cut to fit) goes to `comp`.
 */
static int climbs(const char *p, char *comp, size_t cap)
{
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n) {
            char one[4097]; /* sk_cfg_string caps the path at 4096 bytes */
            size_t k = n < sizeof one ? n : sizeof one - 1;
            memcpy(one, p, k);
            one[k] = '\0';
            if (fnmatch(one, "..", FNM_PERIOD) == 0) {
                size_t m = k < cap - 1 ? k : cap - 1; /* cut to fit */
                memcpy(comp, one, m);
                comp[m] = '\0';
                return 1;
            }
        }
        p += n;
        while (*p == '/') p++;
    }
    return 0;
}

static int load_sources(ctx *x, const sk_json_value *srcs)
{
    static const char *const keys[] = {"name", "kind", "path", "timezone", "site", "description", NULL};
    sk_case *c = x->c;
    size_t n = sk_json_length(srcs);
    c->sources = sk_arena_calloc(c->arena, n ? n : 1, sizeof *c->sources);
    if (!c->sources) return no_memory(x, srcs);
    for (size_t i = 0; i < n; i++) {
        const sk_json_value *s = sk_json_array_at(srcs, i);
        size_t o = sk_cfg_push_index(&x->cfg, i);
        sk_case_source src = {0};
        const char *desc;
        int rc = sk_cfg_check_keys(&x->cfg, s, keys);
        if (!rc) rc = sk_cfg_id(&x->cfg, s, "name", 1, &src.name);
        if (!rc) rc = sk_cfg_id(&x->cfg, s, "kind", 1, &src.kind);
        if (!rc) rc = sk_cfg_string(&x->cfg, s, "path", 1, 4096, &src.path);
        if (!rc) rc = sk_cfg_string(&x->cfg, s, "description", 0, 1000, &desc);
        if (!rc) rc = zone_member(x, s, "timezone", &src.timezone, &src.tz);
        if (!rc) rc = sk_cfg_id(&x->cfg, s, "site", 0, &src.site);
        if (!rc && src.site) {
            if (!sk_map_has(c->site_names, src.site, strlen(src.site))) {
                size_t o2 = sk_cfg_push_key(&x->cfg, "site");
                rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "site"), "no site named '%.80s' in regions[].sites[]", src.site);
                sk_cfg_pop(&x->cfg, o2);
            }
        }
        if (!rc && src.path[0] == '/') {
            size_t o2 = sk_cfg_push_key(&x->cfg, "path");
            rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "path"), "'%.80s' must be relative to the case folder", src.path);
            sk_cfg_pop(&x->cfg, o2);
        }
        char up[64];
        if (!rc && climbs(src.path, up, sizeof up)) {
            size_t o2 = sk_cfg_push_key(&x->cfg, "path");
            if (!strcmp(up, ".."))
                rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "path"),
                                  "'%.80s' must stay inside the case folder (no '..' component)", src.path);
            else
                rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "path"),
                                  "'%.80s' must stay inside the case folder (component '%s' matches '..')", src.path, up);
            sk_cfg_pop(&x->cfg, o2);
        }
        for (size_t k = 0; !rc && k < c->n_sources; k++)
            if (!strcmp(c->sources[k].name, src.name)) {
                size_t o2 = sk_cfg_push_key(&x->cfg, "name");
                rc = sk_cfg_error(&x->cfg, sk_json_object_get(s, "name"), "source '%.80s' is defined twice", src.name);
                sk_cfg_pop(&x->cfg, o2);
            }
        if (rc) return rc;
        c->sources[c->n_sources++] = src;
        sk_cfg_pop(&x->cfg, o);
    }
    return 0;
}

static int lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) return -1;
    for (size_t i = 0; i < n; i++) dst[i] = (char)tolower((unsigned char)s[i]);
    dst[n] = '\0';
    return 0;
}

static int load_known_good(ctx *x, const sk_json_value *kg)
{
    static const char *const keys[] = {"sha256", "domains", "hosts", "signers", NULL};
    int rc = sk_cfg_check_keys(&x->cfg, kg, keys);
    for (int k = 0; k < 4 && !rc; k++) {
        const sk_json_value *arr;
        rc = sk_cfg_member(&x->cfg, kg, known_keys[k], SK_JSON_ARRAY, 0, &arr);
        if (rc || !arr) continue;
        size_t o = sk_cfg_push_key(&x->cfg, known_keys[k]);
        for (size_t i = 0; i < sk_json_length(arr) && !rc; i++) {
            const sk_json_value *v = sk_json_array_at(arr, i);
            size_t o2 = sk_cfg_push_index(&x->cfg, i);
            size_t n;
            const char *s = sk_json_string(v, &n);
            char low[512];
            if (!s || n == 0 || memchr(s, '\0', n)) {
                rc = sk_cfg_error(&x->cfg, v, "must be a non-empty string");
            } else if (lower_copy(low, sizeof low, s, n)) {
                rc = sk_cfg_error(&x->cfg, v, "longer than 511 bytes");
            } else if (k == 0) {
                uint8_t tmp[32];
                if (sk_unhex(tmp, 32, s, n)) rc = sk_cfg_error(&x->cfg, v, "'%.80s' is not a SHA-256 in hex", s);
            }
            /* signers keep their case; the rest compare case-insensitively */
            if (!rc && sk_map_put(x->c->known[k], k != 3 ? low : s, n, NULL, NULL)) rc = no_memory(x, v);
            sk_cfg_pop(&x->cfg, o2);
        }
        if (!rc) sk_cfg_pop(&x->cfg, o);
    }
    return rc;
}

static int load_tolerances(ctx *x, const sk_json_value *t)
{
    const char *keys[N_TOL + 1];
    for (size_t i = 0; i < N_TOL; i++) keys[i] = default_tolerances[i].name;
    keys[N_TOL] = NULL;
    int rc = sk_cfg_check_keys(&x->cfg, t, keys);
    for (size_t i = 0; i < N_TOL && !rc; i++) {
        const sk_json_value *v;
        rc = sk_cfg_member(&x->cfg, t, default_tolerances[i].name, SK_JSON_NUMBER, 0, &v);
        if (rc || !v) continue;
        double d = sk_json_number(v);
        if (!(d >= 0 && d <= 86400)) {
            size_t o = sk_cfg_push_key(&x->cfg, default_tolerances[i].name);
            rc = sk_cfg_error(&x->cfg, v, "must be between 0 and 86400 seconds");
            sk_cfg_pop(&x->cfg, o);
        } else {
            x->c->tol[i] = d;
        }
    }
    return rc;
}

static int load_domains(ctx *x, const sk_json_value *doms)
{
    static const char *const keys[] = {"netbios", "fqdn", NULL};
    for (size_t i = 0; i < sk_json_length(doms); i++) {
        const sk_json_value *d = sk_json_array_at(doms, i);
        size_t o = sk_cfg_push_index(&x->cfg, i);
        const char *nb, *fq;
        int rc = sk_cfg_check_keys(&x->cfg, d, keys);
        if (!rc) rc = sk_cfg_string(&x->cfg, d, "netbios", 1, 15, &nb);
        if (!rc) rc = sk_cfg_string(&x->cfg, d, "fqdn", 1, 253, &fq);
        if (rc) return rc;
        sk_cfg_pop(&x->cfg, o);
    }
    return 0;
}

int sk_case_parse(sk_case **out, const char *data, size_t len, const char *name)
{
    static const char *const keys[] = {"schema", "name", "description", "window", "timezone",
                                       "regions", "domains", "sources", "known_good",
                                       "join_tolerance_s", NULL};
    static const char *const wkeys[] = {"start", "end", NULL};
    *out = NULL;
    sk_json_doc *doc;
    int rc = sk_json_parse(&doc, data, len, name, NULL);
    if (rc) return rc;
    sk_case *c = calloc(1, sizeof *c);
    if (!c || sk_arena_new(&c->arena, 0, 0)) {
        free(c);
        sk_json_doc_free(doc);
        return sk_error_set(SK_ENOMEM, "%s: out of memory", name ? name : "<case>");
    }
    for (size_t i = 0; i < N_TOL; i++) c->tol[i] = default_tolerances[i].seconds;
    for (int k = 0; k < 4; k++)
        if (!rc) rc = sk_map_new(&c->known[k], 10000000);
    if (!rc) rc = sk_map_new(&c->site_names, 0);
    if (!rc) rc = sk_map_new(&c->region_names_seen, 0);
    ctx x = {.c = c};
    sk_cfg_init(&x.cfg, name ? name : "<case>", c->arena);
    const sk_json_value *root = sk_json_doc_root(doc), *v;
    if (!rc) rc = sk_cfg_check_keys(&x.cfg, root, keys);
    const char *schema = NULL, *desc;
    if (!rc) rc = sk_cfg_string(&x.cfg, root, "schema", 1, 64, &schema);
    if (!rc && strcmp(schema, SK_CASE_SCHEMA)) {
        size_t o = sk_cfg_push_key(&x.cfg, "schema");
        rc = sk_cfg_error(&x.cfg, sk_json_object_get(root, "schema"), "'%.80s' is not " SK_CASE_SCHEMA, schema);
        sk_cfg_pop(&x.cfg, o);
    }
    if (!rc) rc = sk_cfg_string(&x.cfg, root, "name", 1, 200, &c->name);
    if (!rc) rc = sk_cfg_string(&x.cfg, root, "description", 0, 10000, &desc);
    if (!rc) rc = sk_cfg_member(&x.cfg, root, "window", SK_JSON_OBJECT, 1, &v);
    if (!rc) {
        size_t o = sk_cfg_push_key(&x.cfg, "window");
        rc = sk_cfg_check_keys(&x.cfg, v, wkeys);
        if (!rc) rc = sk_cfg_time(&x.cfg, v, "start", 1, &c->start);
        if (!rc) rc = sk_cfg_time(&x.cfg, v, "end", 1, &c->end);
        if (!rc && c->end <= c->start) rc = sk_cfg_error(&x.cfg, v, "end must be after start");
        if (!rc) sk_cfg_pop(&x.cfg, o);
    }
    const char *zn = NULL;
    const sk_tz *zt = NULL;
    if (!rc) rc = zone_member(&x, root, "timezone", &zn, &zt);
    if (!rc && !zt) { /* default: UTC */
        sk_tz *u;
        rc = sk_tz_load(&u, "UTC");
        if (!rc) {
            c->zones = malloc(sizeof *c->zones);
            if (!c->zones) {
                sk_tz_free(u);
                rc = sk_error_set(SK_ENOMEM, "out of memory");
            } else {
                c->zones[c->n_zones++] = u;
                zt = u;
                zn = "UTC";
            }
        }
    }
    c->default_tz = (sk_tz *)zt;
    if (!rc) rc = sk_cfg_member(&x.cfg, root, "regions", SK_JSON_ARRAY, 1, &v);
    if (!rc) {
        size_t o = sk_cfg_push_key(&x.cfg, "regions");
        rc = load_regions(&x, v, zn, zt);
        if (!rc) sk_cfg_pop(&x.cfg, o);
    }
    struct {
        const char *key;
        sk_json_type type;
        int (*fn)(ctx *, const sk_json_value *);
    } opt[] = {{"domains", SK_JSON_ARRAY, load_domains},
               {"sources", SK_JSON_ARRAY, load_sources},
               {"known_good", SK_JSON_OBJECT, load_known_good},
               {"join_tolerance_s", SK_JSON_OBJECT, load_tolerances}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0] && !rc; i++) {
        rc = sk_cfg_member(&x.cfg, root, opt[i].key, opt[i].type, 0, &v);
        if (rc || !v) continue;
        size_t o = sk_cfg_push_key(&x.cfg, opt[i].key);
        rc = opt[i].fn(&x, v);
        if (!rc) sk_cfg_pop(&x.cfg, o);
    }
    sk_json_doc_free(doc);
    if (rc) {
        /* every message names the file, those of a limit or an allocation too */
        const char *file = x.cfg.file;
        if (rc == SK_ENOMEM && !sk_error_last()[0]) sk_error_set(rc, "out of memory");
        if ((rc == SK_ENOMEM || rc == SK_ELIMIT) && strncmp(sk_error_last(), file, strlen(file)))
            sk_error_prefix(rc, file);
        sk_case_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int sk_case_load(sk_case **out, const char *path)
{
    *out = NULL;
    char *buf;
    size_t len;
    int rc = sk_file_read_all(path, CASE_MAX_BYTES, &buf, &len);
    if (rc) return rc;
    rc = sk_case_parse(out, buf, len, path);
    free(buf);
    return rc;
}

void sk_case_free(sk_case *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_zones; i++) sk_tz_free(c->zones[i]);
    free(c->zones);
    for (int k = 0; k < 4; k++) sk_map_free(c->known[k]);
    sk_map_free(c->site_names);
    sk_map_free(c->region_names_seen);
    sk_arena_free(c->arena);
    free(c);
}

const char *sk_case_name(const sk_case *c) { return c->name; }
sk_time sk_case_window_start(const sk_case *c) { return c->start; }
sk_time sk_case_window_end(const sk_case *c) { return c->end; }
const sk_tz *sk_case_default_tz(const sk_case *c) { return c->default_tz; }
size_t sk_case_site_count(const sk_case *c) { return c->n_sites; }
size_t sk_case_region_count(const sk_case *c) { return c->n_regions; }
size_t sk_case_source_count(const sk_case *c) { return c->n_sources; }
size_t sk_case_warning_count(const sk_case *c) { return c->n_warnings; }

const sk_case_site *sk_case_site_at(const sk_case *c, size_t i)
{
    return i < c->n_sites ? &c->sites[i] : NULL;
}

const char *sk_case_region_at(const sk_case *c, size_t i)
{
    return i < c->n_regions ? c->region_names[i] : NULL;
}

const sk_case_source *sk_case_source_at(const sk_case *c, size_t i)
{
    return i < c->n_sources ? &c->sources[i] : NULL;
}

const sk_case_warning *sk_case_warning_at(const sk_case *c, size_t i)
{
    return i < c->n_warnings ? &c->warnings[i] : NULL;
}

const sk_case_site *sk_case_site_for_ip(const sk_case *c, const sk_ip *ip, int *ambiguous)
{
    const sk_case_site *best = NULL;
    int best_bits = -1, tie = 0;
    for (size_t i = 0; i < c->n_sites; i++)
        for (size_t k = 0; k < c->sites[i].n_subnets; k++) {
            const sk_prefix *p = &c->sites[i].subnets[k];
            if (!sk_prefix_contains(p, ip)) continue;
            if (p->bits > best_bits) {
                best = &c->sites[i];
                best_bits = p->bits;
                tie = 0;
            } else if (p->bits == best_bits && best != &c->sites[i]) {
                tie = 1;
            }
        }
    if (ambiguous) *ambiguous = tie;
    return tie ? NULL : best;
}

double sk_case_join_tolerance(const sk_case *c, const char *join)
{
    for (size_t i = 0; i < N_TOL; i++)
        if (!strcmp(default_tolerances[i].name, join)) return c->tol[i];
    return -1;
}

int sk_case_known_good(const sk_case *c, const char *kind, const char *value)
{
    for (int k = 0; k < 4; k++) {
        if (strcmp(kind, known_kinds[k])) continue;
        size_t n = strlen(value);
        if (k == 3) return sk_map_has(c->known[k], value, n);
        char low[512];
        if (lower_copy(low, sizeof low, value, n)) return 0;
        return sk_map_has(c->known[k], low, n);
    }
    return 0;
}

/*
 * Containment is judged by comparing realpath(3) results: the case folder's canonical
 * path must be a prefix (up to a '/') of the canonical path of what `rel` names, so a
 * symlink inside the folder may lead elsewhere inside it but not out. The canonical
 * path has no symlink left in it; the reader opens it with SK_FILE_NOFOLLOW, so only
 * a directory swapped for a symlink between this check and that open (by someone who
 * can write to the case folder) could still lead out.
 */
int sk_case_path_resolve(const char *case_dir, const char *rel, char **out)
{
    *out = NULL;
    char up[64];
    if (rel[0] == '/') return sk_error_set(SK_EFORMAT, "%.200s: must be relative to the case folder", rel);
    if (climbs(rel, up, sizeof up))
        return sk_error_set(SK_EFORMAT, "%.200s: must stay inside the case folder (component '%s' matches '..')", rel, up);
    char *root = realpath(case_dir, NULL);
    if (!root) return sk_error_set(SK_EIO, "%.200s: cannot resolve the case folder: %s", case_dir, strerror(errno));
    size_t rl = strlen(root), ql = strlen(rel);
    char *joined = malloc(rl + 1 + ql + 1);
    if (!joined) {
        free(root);
        return sk_error_set(SK_ENOMEM, "%.200s: out of memory", rel);
    }
    memcpy(joined, root, rl);
    joined[rl] = '/';
    memcpy(joined + rl + 1, rel, ql + 1);
    int rc = 0;
    char *real = realpath(joined, NULL);
    if (!real) {
        rc = sk_error_set(SK_EIO, "%.200s: cannot resolve in the case folder: %s", rel, strerror(errno));
    } else if (strcmp(root, "/") &&
               (strncmp(real, root, rl) || (real[rl] != '/' && real[rl] != '\0'))) {
        rc = sk_error_set(SK_EFORMAT, "%.200s: leads outside the case folder (to %.200s): evidence kept elsewhere is registered, not named in sources[]", rel, real);
        free(real);
        real = NULL;
    }
    free(joined);
    free(root);
    *out = real;
    return rc;
}

/* Escape glob(3)'s metacharacters in a literal path (the case folder's own name). */
static int glob_quote(sk_buf *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (strchr("*?[]\\", s[i])) rc = sk_buf_putc(b, '\\');
        if (!rc) rc = sk_buf_putc(b, s[i]);
    }
    return rc;
}

/* glob(3)'s error callback: a missing directory is no match; any other error (a
 * directory that cannot be read) stops the expansion, and its path is kept to say so. */
static _Thread_local char glob_failed[256];
static _Thread_local int glob_errno;

static int glob_error(const char *path, int e)
{
    if (e == ENOENT || e == ENOTDIR) return 0;
    snprintf(glob_failed, sizeof glob_failed, "%s", path);
    glob_errno = e;
    return 1;
}

void sk_case_paths_free(char **paths, size_t n)
{
    if (!paths) return;
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
}

int sk_case_source_expand(const char *case_dir, const sk_case_source *s, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char up[64];
    if (s->path[0] == '/' || climbs(s->path, up, sizeof up))
        return sk_error_set(SK_EFORMAT, "source '%.80s': '%.200s' must stay inside the case folder", s->name, s->path);
    if (!case_dir[0]) case_dir = ".";
    char who[128];
    snprintf(who, sizeof who, "source '%.80s'", s->name);
    size_t dl = strlen(case_dir);
    while (dl > 1 && case_dir[dl - 1] == '/') dl--; /* "case/" and "case" alike */
    int at_root = dl == 1 && case_dir[0] == '/';
    sk_buf pat;
    sk_buf_init(&pat, 16384);
    int rc = glob_quote(&pat, case_dir, dl);
    if (!rc && !at_root) rc = sk_buf_putc(&pat, '/');
    if (!rc) rc = sk_buf_puts(&pat, s->path);
    if (rc) {
        sk_buf_free(&pat);
        return sk_error_prefix(rc, who);
    }
    glob_t g;
    memset(&g, 0, sizeof g);
    glob_failed[0] = '\0';
    glob_errno = 0;
    int gr = glob(pat.data, 0, glob_error, &g);
    sk_buf_free(&pat);
    char **paths = NULL;
    size_t k = 0;
    if (gr == GLOB_NOMATCH) goto done;
    if (gr) {
        if (gr == GLOB_NOSPACE)
            rc = sk_error_set(SK_ENOMEM, "source '%.80s': '%.200s': out of memory expanding it", s->name, s->path);
        else
            rc = sk_error_set(SK_EIO, "source '%.80s': '%.200s': cannot expand: %.200s: %s", s->name, s->path,
                              glob_failed, glob_errno ? strerror(glob_errno) : "read error");
        goto done;
    }
    if (g.gl_pathc > SK_CASE_SOURCE_MATCHES_MAX) {
        rc = sk_error_set(SK_ELIMIT, "source '%.80s': '%.200s' matches %zu files, more than %d", s->name, s->path,
                          (size_t)g.gl_pathc, SK_CASE_SOURCE_MATCHES_MAX);
        goto done;
    }
    paths = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof *paths);
    if (!paths) {
        rc = sk_error_set(SK_ENOMEM, "source '%.80s': out of memory", s->name);
        goto done;
    }
    size_t skip = at_root ? 1 : dl + 1; /* each match starts with the folder and a '/' */
    for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
        rc = sk_case_path_resolve(case_dir, g.gl_pathv[i] + skip, &paths[k]);
        if (rc) sk_error_prefix(rc, who);
        else k++;
    }
done:
    globfree(&g);
    if (rc) {
        sk_case_paths_free(paths, k);
        return rc;
    }
    *out = paths;
    *n = k;
    return 0;
}

int sk_case_kind_is_events(const char *kind)
{
    static const char *const kinds[] = {"evtx", "winlogbeat", "nxlog", "evtx-json", "events-json", "windows-events", NULL};
    for (size_t i = 0; kind && kinds[i]; i++)
        if (!strcmp(kind, kinds[i])) return 1;
    return 0;
}
