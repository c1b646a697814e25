/*
 * inventory.c - the simulated fleet's inventories, in the ingested form of
 * docs/formats/snapshot.md: base-image manifests, a content catalogue (each SHA-256
 * once) and a delta listing per host.
 *
 * The base images follow how Windows 10 lays out its ~20,000+ PE files: System32
 * files hard-linked into WinSxS (same content), superseded versions kept beside them,
 * SysWOW64's 32-bit copies, DriverStore packages, .NET assemblies and native images,
 * in-box applications. Digests are synthetic (there are no file bytes) but consistent:
 * the same content has the same SHA-256 on every host, as in a real fleet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sakimori/arena.h>
#include <sakimori/digest.h>
#include <sakimori/inventory.h>
#include <sakimori/map.h>

#include "inventory.h"
#include "jobs.h"
#include "out.h"
#include "software.h"
#include "winnames.h"

#define DAY (INT64_C(86400) * SK_NS_PER_SEC)
#define N_PKG_VERSIONS 3

typedef struct content {
    uint8_t sha256[32];
    uint64_t size;
    const char *orig, *internal, *desc, *company, *product;
    const char *version;     /* dotted four-part */
    const char *fileversion; /* the FileVersion string */
    const char *signer;
    uint16_t machine, subsystem, characteristics;
    uint8_t sig, kind, lang_ja;
} content;

typedef struct entry {
    const char *path;
    uint32_t content;
    sk_time mtime;
} entry;

typedef struct image {
    const char *name;
    unsigned build;
    int server;
    sk_time built;
    entry *e;
    size_t n, cap;
    uint32_t powershell;     /* content of System32's powershell.exe */
    uint32_t *patches;       /* updated versions of some components */
    size_t *patch_entry;     /* the base entry each patch replaces */
    size_t n_patches;
    uint8_t manifest_sha256[32];
} image;

struct sim_inv {
    const sim_world *w;
    sk_arena *arena;
    content *c;
    size_t n, cap;
    image img[3];
    uint32_t pkg[64][N_PKG_VERSIONS][16];
    uint32_t portable[32];
    uint32_t payload;        /* the attacker's loader as the AV channel pushed it */
    uint32_t *rare;          /* per host: its in-house binary's content, or UINT32_MAX */
    const char **rare_name;
    int oom;                 /* a string could not be copied: the build fails at its end */
};

/*
 * The arena's copy of `s`. On failure it returns "" and marks the inventory, so that
 * the many strings a content holds need no check each: sim_inv_new and make_rare, the
 * only callers' callers, turn the mark into SK_ENOMEM before anything is written.
 */
static const char *dup(sim_inv *v, const char *s)
{
    const char *d = sk_arena_strndup(v->arena, s, strlen(s));
    if (d) return d;
    v->oom = 1;
    return "";
}

static const char *fmt(sim_inv *v, const char *f, ...) SK_PRINTF(2, 3);
static const char *fmt(sim_inv *v, const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return dup(v, buf);
}

/* A new content whose digest derives from the seed and `key`. */
static uint32_t content_new(sim_inv *v, const char *key, uint64_t size_mean)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4096;
        content *p = realloc(v->c, nc * sizeof *p);
        if (!p) return UINT32_MAX;
        v->c = p;
        v->cap = nc;
    }
    content *c = &v->c[v->n];
    memset(c, 0, sizeof *c);
    char buf[600];
    int n = snprintf(buf, sizeof buf, "sakimori-sim/%llu/%s", (unsigned long long)v->w->seed, key);
    if (sk_sha256(buf, (size_t)n, c->sha256)) return UINT32_MAX; /* the digest allocates: it can fail */
    sim_rng r;
    sim_rng_init(&r, v->w->seed, key, 0);
    double f = 0.25 + sim_rng_exp(&r, 0.75);
    c->size = (uint64_t)((double)size_mean * f) / 512 * 512 + 1024;
    c->kind = SK_KIND_PE;
    c->machine = 0x8664;
    c->subsystem = 2;
    c->characteristics = 0x22;
    return (uint32_t)v->n++;
}

static int add_entry(image *im, const char *path, uint32_t cidx, sk_time mtime)
{
    if (im->n == im->cap) {
        size_t nc = im->cap ? im->cap * 2 : 32768;
        entry *p = realloc(im->e, nc * sizeof *p);
        if (!p) return SK_ENOMEM;
        im->e = p;
        im->cap = nc;
    }
    im->e[im->n++] = (entry){path, cidx, mtime};
    return 0;
}

static const char *ext_of(const char *name)
{
    const char *d = strrchr(name, '.');
    return d ? d : "";
}

/* Windows identity of a system component. */
static void win_identity(sim_inv *v, content *c, const image *im, const char *name, const char *desc,
                         unsigned rev, int x86)
{
    const char *ext = ext_of(name);
    int exe = !strcasecmp(ext, ".exe"), sys = !strcasecmp(ext, ".sys");
    c->machine = x86 ? 0x014c : 0x8664;
    c->subsystem = sys ? 1 : (exe && (strstr(name, "cmd") || strstr(name, "util") || strstr(name, ".com")) ? 3 : 2);
    c->characteristics = (uint16_t)(x86 ? 0x0102 : 0x0022) | (exe || sys ? 0 : 0x2000);
    /* in-box files are catalog-signed; drivers carry an embedded signature */
    c->sig = sys ? SK_SIG_MATCHES : SK_SIG_NONE;
    c->signer = sys ? "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US" : NULL;
    /* many in-box binaries name their MUI resource file as the original file name */
    unsigned h = 0;
    for (const char *p = name; *p; p++) h = h * 31 + (unsigned char)*p;
    c->orig = (h % 5 < 2 && !sys) ? fmt(v, "%s.MUI", name) : dup(v, name);
    char internal[96];
    snprintf(internal, sizeof internal, "%s", name);
    char *dot = strrchr(internal, '.');
    if (dot && !sys) *dot = '\0';
    c->internal = dup(v, internal);
    c->desc = desc;
    c->company = "Microsoft Corporation";
    c->product = "Microsoft\xc2\xae Windows\xc2\xae Operating System";
    c->version = fmt(v, "10.0.%u.%u", im->build, rev);
    c->fileversion = fmt(v, "10.0.%u.%u (WinBuild.160101.0800)", im->build, rev);
    c->lang_ja = (uint8_t)(h % 7 == 0);
}

static void comp_name(char *out, size_t n, const char *file)
{
    size_t k = 0;
    for (const char *p = file; *p && k + 1 < n; p++) {
        if (*p == '.' && !strchr(p + 1, '.')) break; /* drop the extension */
        out[k++] = (*p == '.' || *p == '_') ? '-' : (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    }
    out[k] = '\0';
}

static const char *sxs_dir(sim_inv *v, const char *arch, const char *file, unsigned build, unsigned rev)
{
    char comp[96];
    comp_name(comp, sizeof comp, file);
    char key[256];
    snprintf(key, sizeof key, "%s/%s/%u/%u", arch, comp, build, rev);
    uint8_t d[32];
    if (sk_sha256(key, strlen(key), d)) v->oom = 1;
    char hex[17];
    sk_hex(hex, d, 8);
    return fmt(v, "C:\\Windows\\WinSxS\\%s_microsoft-windows-%s_31bf3856ad364e35_10.0.%u.%u_none_%s", arch, comp,
               build, rev, hex);
}

/* Every failure in build_image() and package_contents() leaves through `done`. */
#define FAIL()            \
    do {                  \
        rc = SK_ENOMEM;   \
        goto done;        \
    } while (0)
#define NEW(ci_, key_, mean_)                                              \
    do {                                                                   \
        if (((ci_) = content_new(v, (key_), (mean_))) == UINT32_MAX) FAIL(); \
    } while (0)

static int build_image(sim_inv *v, image *im)
{
    const sim_scenario *sc = v->w->sc;
    size_t B = (size_t)sc->base_image_files;
    size_t s32_target = B * 16 / 100, wow_target = B * 10 / 100, drv_target = B * 10 / 100,
           net_target = B * 8 / 100, pf_target = B * 7 / 100;
    char key[256];
    sim_rng r;
    sim_rng_init(&r, v->w->seed, im->name, 0);
    int rc = 0;
    sk_map *seen = NULL;
    /* the System32 component list: real names, then Windows.<Area>.<Part>.dll, then stems */
    const char **names = calloc(s32_target + 16, sizeof *names), **descs = calloc(s32_target + 16, sizeof *descs);
    if (!names || !descs || sk_map_new(&seen, 0)) FAIL();
    size_t ns = 0;
    for (size_t i = 0; i < sim_win_system32_count && ns < s32_target; i++) {
        const char *nm = sim_win_system32[i].file;
        if (sk_map_has(seen, nm, strlen(nm))) continue;
        if (sk_map_put(seen, nm, strlen(nm), NULL, NULL)) FAIL();
        names[ns] = nm;
        descs[ns++] = sim_win_system32[i].description;
    }
    for (size_t a = 0; a < sim_win_areas_count && ns < s32_target; a++)
        for (size_t p = 0; p < sim_win_parts_count && ns < s32_target; p++) {
            if ((a * 7 + p * 3) % 4) continue; /* a realistic subset */
            const char *nm = fmt(v, "Windows.%s.%s.dll", sim_win_areas[a], sim_win_parts[p]);
            names[ns] = nm;
            descs[ns++] = fmt(v, "Windows %s %s API", sim_win_areas[a], sim_win_parts[p]);
        }
    for (size_t a = 0; a < sim_win_stems_count && ns < s32_target; a++)
        for (size_t p = 0; p < sim_win_suffixes_count && ns < s32_target; p++) {
            const char *nm = fmt(v, "%s%s", sim_win_stems[a], sim_win_suffixes[p]);
            if (sk_map_has(seen, nm, strlen(nm))) continue;
            if (sk_map_put(seen, nm, strlen(nm), NULL, NULL)) FAIL();
            names[ns] = nm;
            descs[ns++] = fmt(v, "%s%s", sim_win_stems[a], strstr(sim_win_suffixes[p], "svc") ? " Service" : " Component");
        }
    /* System32 (drivers under drivers\), hard-linked into WinSxS */
    for (size_t j = 0; j < ns && !rc; j++) {
        snprintf(key, sizeof key, "win/%u/%s/amd64", im->build, names[j]);
        uint32_t ci;
        NEW(ci, key, strstr(names[j], ".sys") ? 120000 : 260000);
        unsigned rev = (unsigned)(sim_rng_chance(&r, 0.8) ? 1 : sim_rng_range(&r, 2, 615));
        win_identity(v, &v->c[ci], im, names[j], descs[j], rev, 0);
        sk_time mt = im->built - (sk_time)sim_rng_range(&r, 1, 200) * DAY;
        int sys = !strcasecmp(ext_of(names[j]), ".sys");
        rc = add_entry(im, fmt(v, "C:\\Windows\\System32\\%s%s", sys ? "drivers\\" : "", names[j]), ci, mt);
        if (!rc) rc = add_entry(im, fmt(v, "%s\\%s", sxs_dir(v, "amd64", names[j], im->build, rev), names[j]), ci, mt);
    }
    /* Windows PowerShell, as the report's attacker used it */
    const char *psdesc = "Windows PowerShell";
    snprintf(key, sizeof key, "win/%u/powershell.exe/amd64", im->build);
    uint32_t ps, ise, ps32;
    if (rc) goto done;
    NEW(ps, key, 450000);
    win_identity(v, &v->c[ps], im, "powershell.exe", psdesc, 1, 0);
    v->c[ps].orig = "PowerShell.EXE.MUI";
    v->c[ps].internal = "POWERSHELL";
    v->c[ps].subsystem = 3;
    im->powershell = ps;
    sk_time psm = im->built - 30 * DAY;
    if (!rc) rc = add_entry(im, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", ps, psm);
    if (!rc) rc = add_entry(im, fmt(v, "%s\\powershell.exe", sxs_dir(v, "amd64", "powershell-exe", im->build, 1)), ps, psm);
    snprintf(key, sizeof key, "win/%u/powershell_ise.exe/amd64", im->build);
    NEW(ise, key, 250000);
    win_identity(v, &v->c[ise], im, "powershell_ise.exe", "Windows PowerShell ISE", 1, 0);
    v->c[ise].orig = "powershell_ise.EXE.MUI";
    if (!rc) rc = add_entry(im, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell_ise.exe", ise, psm);
    snprintf(key, sizeof key, "win/%u/powershell.exe/x86", im->build);
    NEW(ps32, key, 430000);
    win_identity(v, &v->c[ps32], im, "powershell.exe", psdesc, 1, 1);
    v->c[ps32].orig = "PowerShell.EXE.MUI";
    v->c[ps32].internal = "POWERSHELL";
    v->c[ps32].subsystem = 3;
    if (!rc) rc = add_entry(im, "C:\\Windows\\SysWOW64\\WindowsPowerShell\\v1.0\\powershell.exe", ps32, psm);
    /* SysWOW64: 32-bit builds of the user-mode components */
    size_t wow = 0;
    for (size_t j = 0; j < ns && wow < wow_target && !rc; j++) {
        if (!strcasecmp(ext_of(names[j]), ".sys")) continue;
        snprintf(key, sizeof key, "win/%u/%s/x86", im->build, names[j]);
        uint32_t ci;
        NEW(ci, key, 200000);
        win_identity(v, &v->c[ci], im, names[j], descs[j], 1, 1);
        sk_time mt = im->built - (sk_time)sim_rng_range(&r, 1, 200) * DAY;
        rc = add_entry(im, fmt(v, "C:\\Windows\\SysWOW64\\%s", names[j]), ci, mt);
        if (!rc) rc = add_entry(im, fmt(v, "%s\\%s", sxs_dir(v, "x86", names[j], im->build, 1), names[j]), ci, mt);
        wow++;
    }
    /* DriverStore packages */
    size_t drv = 0;
    for (size_t d = 0; drv < drv_target && !rc; d++) {
        const char *vend = sim_driver_vendors[d % sim_driver_vendors_count];
        unsigned num = (unsigned)(d / sim_driver_vendors_count) + 1;
        snprintf(key, sizeof key, "drv/%s%u", vend, num);
        uint8_t hd[32];
        if (sk_sha256(key, strlen(key), hd)) v->oom = 1;
        char hex[17];
        sk_hex(hex, hd, 8);
        const char *dir = fmt(v, "C:\\Windows\\System32\\DriverStore\\FileRepository\\%s%u.inf_amd64_%s", vend, num, hex);
        unsigned files = (unsigned)sim_rng_range(&r, 1, 6);
        for (unsigned k = 0; k < files && drv < drv_target && !rc; k++, drv++) {
            static const char *const mid[] = {"", "co", "svc", "ui", "inst", "cpl"};
            static const char *const tail[] = {"x64.sys", ".dll", ".exe", ".dll", ".dll", ".exe"};
            char nm[64];
            snprintf(nm, sizeof nm, "%s%s%u%s", vend, mid[k], num, tail[k]);
            snprintf(key, sizeof key, "drv/%u/%s", im->server, nm);
            uint32_t ci;
            NEW(ci, key, 300000);
            content *c = &v->c[ci];
            c->orig = dup(v, nm);
            c->internal = c->orig;
            c->desc = fmt(v, "%s device driver component", vend);
            c->company = "Device Vendor";
            c->product = fmt(v, "%s Driver", vend);
            c->version = fmt(v, "%u.%u.%u.%u", 10 + num, (unsigned)sim_rng_below(&r, 40), (unsigned)sim_rng_below(&r, 9000), (unsigned)sim_rng_below(&r, 100));
            c->fileversion = c->version;
            c->sig = SK_SIG_MATCHES;
            c->signer = "CN=Microsoft Windows Hardware Compatibility Publisher, O=Microsoft Corporation, L=Redmond, S=Washington, C=US";
            c->subsystem = strstr(nm, ".sys") ? 1 : 2;
            c->characteristics = strstr(nm, ".dll") ? 0x2022 : 0x22;
            rc = add_entry(im, fmt(v, "%s\\%s", dir, nm), ci, im->built - (sk_time)sim_rng_range(&r, 30, 900) * DAY);
        }
    }
    /* .NET: GAC assemblies and their native images */
    size_t net = 0;
    for (size_t k = 0; net < net_target && !rc; k++) {
        const char *asmname = sim_net_assemblies[k % sim_net_assemblies_count];
        unsigned variant = (unsigned)(k / sim_net_assemblies_count);
        snprintf(key, sizeof key, "net/%u/%s/%u", im->build, asmname, variant);
        uint32_t ci;
        NEW(ci, key, 400000);
        content *c = &v->c[ci];
        c->orig = fmt(v, "%s.dll", asmname);
        c->internal = c->orig;
        c->desc = asmname;
        c->company = "Microsoft Corporation";
        c->product = "Microsoft\xc2\xae .NET Framework";
        c->version = "4.7.3190.0";
        c->fileversion = "4.7.3190.0 built by: NET472REL1LAST_C";
        c->characteristics = 0x2022;
        c->subsystem = 3;
        c->sig = SK_SIG_MATCHES;
        c->signer = "CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US";
        uint8_t hd[32];
        if (sk_sha256(key, strlen(key), hd)) v->oom = 1;
        char hex[33];
        sk_hex(hex, hd, 16);
        const char *path = variant == 0
                               ? fmt(v, "C:\\Windows\\Microsoft.NET\\assembly\\GAC_MSIL\\%s\\v4.0_4.0.0.0__b77a5c561934e089\\%s.dll", asmname, asmname)
                               : fmt(v, "C:\\Windows\\assembly\\NativeImages_v4.0.30319_%s\\%s\\%s\\%s.ni.dll",
                                     variant % 2 ? "64" : "32", asmname, hex, asmname);
        rc = add_entry(im, path, ci, im->built - (sk_time)sim_rng_range(&r, 1, 100) * DAY);
        net++;
    }
    /* in-box applications under Program Files, Internet Explorer's iexplore.exe among them */
    static const struct {
        const char *dir, *file, *desc;
    } inbox[] = {{"C:\\Program Files\\Internet Explorer", "iexplore.exe", "Internet Explorer"},
                 {"C:\\Program Files\\Internet Explorer", "ieproxy.dll", "IE ActiveX Interface Marshaling Library"},
                 {"C:\\Program Files\\Windows Defender", "MsMpEng.exe", "Antimalware Service Executable"},
                 {"C:\\Program Files\\Windows Defender", "MpCmdRun.exe", "Microsoft Malware Protection Command Line Utility"},
                 {"C:\\Program Files\\Windows Defender", "MpClient.dll", "Client Interface"},
                 {"C:\\Program Files\\Windows Media Player", "wmplayer.exe", "Windows Media Player"},
                 {"C:\\Program Files\\Windows NT\\Accessories", "wordpad.exe", "Windows Wordpad Application"},
                 {"C:\\Program Files\\Windows Mail", "wab.exe", "Windows Contacts"},
                 {"C:\\Program Files\\Windows Photo Viewer", "PhotoViewer.dll", "Windows Photo Viewer"}};
    size_t pf = 0;
    for (size_t k = 0; k < sizeof inbox / sizeof inbox[0] && !rc; k++, pf++) {
        snprintf(key, sizeof key, "pf/%u/%s", im->build, inbox[k].file);
        uint32_t ci;
        NEW(ci, key, 500000);
        win_identity(v, &v->c[ci], im, inbox[k].file, inbox[k].desc, 1, 0);
        rc = add_entry(im, fmt(v, "%s\\%s", inbox[k].dir, inbox[k].file), ci, im->built - 10 * DAY);
    }
    for (size_t k = 0; pf < pf_target && !rc; k++, pf++) { /* provisioned store apps */
        const char *area = sim_win_areas[k % sim_win_areas_count], *part = sim_win_parts[(k / sim_win_areas_count) % sim_win_parts_count];
        snprintf(key, sizeof key, "appx/%u/%s/%s/%zu", im->build, area, part, k);
        uint32_t ci;
        NEW(ci, key, 350000);
        win_identity(v, &v->c[ci], im, fmt(v, "%s%s.dll", area, part), fmt(v, "%s %s", area, part), 1, 0);
        rc = add_entry(im, fmt(v, "C:\\Program Files\\WindowsApps\\Microsoft.%s_10.%u.%zu.0_x64__8wekyb3d8bbwe\\%s%s.dll",
                               area, im->build % 100, k / 97, area, part), ci, im->built - 20 * DAY);
    }
    /* WinSxS superseded versions fill the rest */
    for (size_t k = 0; im->n < B && ns && !rc; k++) {
        size_t j = (k * 7919) % ns;
        unsigned rev = (unsigned)(2 + k / ns) * 97 + (unsigned)(k % 89);
        snprintf(key, sizeof key, "win/%u/%s/amd64/rev%u", im->build, names[j], rev);
        uint32_t ci;
        NEW(ci, key, 260000);
        win_identity(v, &v->c[ci], im, names[j], descs[j], rev, 0);
        rc = add_entry(im, fmt(v, "%s\\%s", sxs_dir(v, "amd64", names[j], im->build, rev), names[j]), ci,
                       im->built - (sk_time)sim_rng_range(&r, 100, 700) * DAY);
    }
    /* cumulative updates: new versions of some System32 components, shared by the hosts that took them */
    if (rc) goto done;
    im->n_patches = ns < 60 ? ns : 60;
    im->patches = calloc(im->n_patches ? im->n_patches : 1, sizeof *im->patches);
    im->patch_entry = calloc(im->n_patches ? im->n_patches : 1, sizeof *im->patch_entry);
    if (!im->patches || !im->patch_entry) FAIL(); /* sim_inv_free frees them */
    for (size_t k = 0; k < im->n_patches; k++) {
        size_t j = (k * 37) % ns;
        snprintf(key, sizeof key, "win/%u/%s/amd64/update", im->build, names[j]);
        uint32_t ci;
        NEW(ci, key, 260000);
        win_identity(v, &v->c[ci], im, names[j], descs[j], 900 + (unsigned)k, 0);
        im->patches[k] = ci;
        im->patch_entry[k] = 2 * j; /* System32 entries come first, two per component */
    }
done:
    sk_map_free(seen);
    free(names);
    free(descs);
    if (!rc && v->oom) rc = SK_ENOMEM;
    return rc;
}

static int package_contents(sim_inv *v)
{
    int rc = 0;
    for (size_t p = 0; p < sim_packages_count && p < 64; p++) {
        const sim_package *pk = &sim_packages[p];
        for (int ver = 0; ver < N_PKG_VERSIONS; ver++) {
            const char *version = fmt(v, "%s.%d.%d", pk->version0, ver * 3 + 1, 100 + ver * 17);
            for (size_t f = 0; f < pk->n_files && f < 16; f++) {
                char key[256];
                snprintf(key, sizeof key, "pkg/%s/%d/%s", pk->name, ver, pk->files[f].name);
                uint32_t ci;
                NEW(ci, key, 900000);
                content *c = &v->c[ci];
                c->orig = pk->files[f].name;
                c->internal = pk->files[f].name;
                c->desc = pk->files[f].description;
                c->company = pk->company;
                c->product = pk->product;
                c->version = version;
                c->fileversion = version;
                c->sig = pk->signer ? SK_SIG_MATCHES : SK_SIG_NONE;
                c->signer = pk->signer;
                c->machine = strstr(pk->dir, "(x86)") ? 0x014c : 0x8664;
                c->characteristics = strstr(pk->files[f].name, ".dll") ? 0x2022 : 0x22;
                v->pkg[p][ver][f] = ci;
            }
        }
    }
    for (size_t p = 0; p < sim_portables_count && p < 32; p++) {
        const sim_portable *pt = &sim_portables[p];
        char key[256];
        snprintf(key, sizeof key, "portable/%s", pt->name);
        uint32_t ci;
        NEW(ci, key, 1500000);
        content *c = &v->c[ci];
        c->orig = pt->name;
        c->internal = pt->product;
        c->desc = pt->description;
        c->company = pt->company;
        c->product = pt->product;
        c->version = "1.0.0.0";
        c->fileversion = "1.0.0.0";
        c->machine = 0x014c;
        c->characteristics = 0x0102;
        v->portable[p] = ci;
    }
    {
        /* the attacker's loader, the "pattern file" the AV server pushed: a PE without
         * VERSIONINFO or signature, its digest the truth's pushed_payload_sha256 */
        uint32_t ci;
        NEW(ci, "attacker/payload", 300000);
        content *c = &v->c[ci];
        if (sk_unhex(c->sha256, 32, v->w->attacker.payload_sha256, 64)) FAIL();
        c->machine = 0x8664;
        c->characteristics = 0x2022; /* a DLL, loaded by the agent's updater */
        v->payload = ci;
    }
done:
    if (!rc && v->oom) rc = SK_ENOMEM;
    return rc;
}
#undef NEW
#undef FAIL

int sim_inv_new(sim_inv **out, const sim_world *w)
{
    *out = NULL;
    sim_inv *v = calloc(1, sizeof *v);
    if (!v) return sk_error_set(SK_ENOMEM, "out of memory");
    v->w = w;
    int rc = sk_arena_new(&v->arena, 1 << 20, (size_t)8 << 30);
    static const struct {
        const char *name;
        unsigned build;
        int server, y, m, d;
    } imgs[3] = {{"win10-1809-2019-01", 17763, 0, 2019, 1, 15},
                 {"win10-1803-2018-07", 17134, 0, 2018, 7, 10},
                 {"ws2016-2018-11", 14393, 1, 2018, 11, 13}};
    for (int i = 0; i < 3 && !rc; i++) {
        image *im = &v->img[i];
        im->name = imgs[i].name;
        im->build = imgs[i].build;
        im->server = imgs[i].server;
        sk_civil cv = {imgs[i].y, imgs[i].m, imgs[i].d, 0, 0, 0, 0, 0};
        sk_time_from_civil(&cv, &im->built);
        rc = build_image(v, im);
    }
    if (!rc) rc = package_contents(v);
    if (rc) {
        sim_inv_free(v);
        return rc == SK_ENOMEM ? sk_error_set(SK_ENOMEM, "out of memory building base images") : rc;
    }
    *out = v;
    return 0;
}

void sim_inv_free(sim_inv *v)
{
    if (!v) return;
    for (int i = 0; i < 3; i++) {
        free(v->img[i].e);
        free(v->img[i].patches);
        free(v->img[i].patch_entry);
    }
    free(v->c);
    free(v->rare);
    free(v->rare_name);
    sk_arena_free(v->arena);
    free(v);
}

/* The image a host was installed from: the same draw host_listing makes first. */
static int host_image(const sim_world *w, size_t hi)
{
    if (w->hosts[hi].role != SIM_ENDPOINT) return 2;
    sim_rng r;
    sim_rng_init(&r, w->seed, "inventory", hi);
    return sim_rng_chance(&r, 0.7) ? 0 : 1;
}

void sim_powershell_sha256(const sim_world *w, size_t host, uint8_t out[32])
{
    static const unsigned builds[3] = {17763, 17134, 14393};
    char buf[128];
    int n = snprintf(buf, sizeof buf, "sakimori-sim/%llu/win/%u/powershell.exe/amd64", (unsigned long long)w->seed,
                     builds[host_image(w, host)]);
    sk_sha256(buf, (size_t)n, out);
}

/* ---- writing ------------------------------------------------------------------ */

static int write_content(sk_buf *b, const content *c)
{
    sk_pe_section secs[6];
    size_t nsec = 0;
    sk_pe_string strs[8], ja[2];
    sk_pe_string_table tables[2];
    size_t nt = 0;
    sk_pe_identity id;
    memset(&id, 0, sizeof id);
    sk_signature sig = {(sk_sig_status)c->sig, c->signer, c->signer ? "sha256" : NULL, NULL, NULL};
    sk_content out;
    memset(&out, 0, sizeof out);
    memcpy(out.sha256, c->sha256, 32);
    /* md5 and sha1 derive from the synthetic sha256 (there are no file bytes) */
    uint8_t d[32];
    uint8_t tmp[33];
    memcpy(tmp, c->sha256, 32);
    tmp[32] = 1;
    if (sk_sha256(tmp, 33, d)) return SK_ENOMEM;
    memcpy(out.md5, d, 16);
    tmp[32] = 2;
    if (sk_sha256(tmp, 33, d)) return SK_ENOMEM;
    memcpy(out.sha1, d, 20);
    out.have_md5 = out.have_sha1 = 1;
    out.size = c->size;
    out.kind = (sk_file_kind)c->kind;
    if (c->kind == SK_KIND_PE) {
        static const char *const sn[] = {".text", ".rdata", ".data", ".pdata", ".rsrc", ".reloc"};
        static const double frac[] = {0.55, 0.2, 0.04, 0.03, 0.15, 0.03};
        static const double ent[] = {6.2, 4.8, 2.1, 5.4, 3.9, 5.1};
        static const uint32_t ch[] = {0x60000020, 0x40000040, 0xC0000040, 0x40000040, 0x40000040, 0x42000040};
        for (size_t i = 0; i < 6; i++) {
            memset(&secs[i], 0, sizeof secs[i]);
            memcpy(secs[i].name, sn[i], strlen(sn[i]));
            uint32_t raw = (uint32_t)((double)c->size * frac[i]) / 512 * 512;
            secs[i].raw_size = raw;
            secs[i].virtual_size = raw ? raw - (c->sha256[i] % 200) : 64;
            secs[i].characteristics = ch[i];
            secs[i].entropy = ent[i] + (double)(c->sha256[6 + i] % 100) / 250.0;
            nsec++;
        }
        id.machine = c->machine;
        id.subsystem = c->subsystem;
        id.characteristics = c->characteristics;
        id.timestamp = (uint32_t)c->sha256[8] << 24 | (uint32_t)c->sha256[9] << 16 | (uint32_t)c->sha256[10] << 8 | c->sha256[11];
        id.sections = secs;
        id.n_sections = id.sections_total = nsec;
        uint8_t ih[16];
        memcpy(tmp, c->sha256, 32);
        tmp[32] = 3;
        if (sk_sha256(tmp, 33, d)) return SK_ENOMEM;
        memcpy(ih, d, 16);
        sk_hex(id.imphash, ih, 16);
        id.imports = 20 + c->sha256[12] % 200u;
        if (c->orig) {
            size_t k = 0;
            strs[k++] = (sk_pe_string){"CompanyName", c->company};
            strs[k++] = (sk_pe_string){"FileDescription", c->desc};
            strs[k++] = (sk_pe_string){"FileVersion", c->fileversion};
            strs[k++] = (sk_pe_string){"InternalName", c->internal};
            strs[k++] = (sk_pe_string){"LegalCopyright", c->company};
            strs[k++] = (sk_pe_string){"OriginalFilename", c->orig};
            strs[k++] = (sk_pe_string){"ProductName", c->product};
            strs[k++] = (sk_pe_string){"ProductVersion", c->version};
            if (c->lang_ja) {
                ja[0] = (sk_pe_string){"FileDescription", c->desc};
                ja[1] = (sk_pe_string){"OriginalFilename", c->orig};
                memcpy(tables[nt].lang, "041104b0", 9);
                tables[nt].n = 2;
                tables[nt++].strings = ja;
            }
            memcpy(tables[nt].lang, "040904b0", 9);
            tables[nt].n = k;
            tables[nt++].strings = strs;
            id.tables = tables;
            id.n_tables = nt;
            id.fixed_file_version = c->version;
        }
        out.pe = &id;
        out.signature = &sig;
    }
    return sk_catalog_record_write(b, &out);
}

static int write_base(sim_inv *v, sim_out *o, image *im)
{
    sk_buf b;
    sk_buf_init(&b, (size_t)1 << 30);
    sk_listing_header h = {.base_manifest = 1, .name = im->name, .base_install_time = SK_TIME_NONE,
                           .collected = SK_TIME_NONE, .windows_root = "C:", .entries = im->n};
    int rc = sk_listing_header_write(&b, &h);
    for (size_t i = 0; i < im->n && !rc; i++) {
        const content *c = &v->c[im->e[i].content];
        sk_listing_entry e = {SK_OP_NONE, im->e[i].path, c->sha256, c->size, im->e[i].mtime,
                              SK_TIME_NONE, SK_TIME_NONE, NULL, 0};
        rc = sk_listing_entry_write(&b, &e);
    }
    if (!rc) rc = sk_sha256(b.data, b.len, im->manifest_sha256);
    char rel[256];
    snprintf(rel, sizeof rel, "snapshots/bases/%s.jsonl", im->name);
    if (!rc) rc = sim_out_write(o, rel, &b);
    sk_buf_free(&b);
    return rc;
}

/* host_id as docs/formats/host.md defines it, from the host's MachineGuid anchor */
static int host_id(const sim_world *w, size_t host, char out[19], char guid[37])
{
    sim_rng r;
    sim_rng_init(&r, w->seed, "machine_guid", host);
    uint64_t a = sim_rng_next(&r), b = sim_rng_next(&r);
    snprintf(guid, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (unsigned long long)(b & 0xffffffffffffull));
    char buf[80];
    int n = snprintf(buf, sizeof buf, "sakimori-host%cmachine_guid%c%s", 0, 0, guid);
    uint8_t d[32];
    int rc = sk_sha256(buf, (size_t)n, d);
    out[0] = 'h';
    out[1] = '-';
    sk_hex(out + 2, d, 8);
    return rc;
}

static int host_listing(sim_inv *v, sim_out *o, size_t hi, sk_buf *b, uint64_t *entries_total)
{
    const sim_world *w = v->w;
    const sim_host *h = &w->hosts[hi];
    const sim_scenario *sc = w->sc;
    sim_rng r;
    sim_rng_init(&r, w->seed, "inventory", hi);
    image *im = &v->img[host_image(w, hi)];
    if (h->role == SIM_ENDPOINT) (void)sim_rng_chance(&r, 0.7); /* the draw host_image made */
    sk_time install = im->built + (sk_time)sim_rng_range(&r, 3, 90) * DAY + (sk_time)sim_rng_below(&r, 86400) * SK_NS_PER_SEC;
    sk_time collected = sc->detection + 12 * DAY + (sk_time)sim_rng_below(&r, 86400 * 3) * SK_NS_PER_SEC;
    const char *user = h->user != UINT32_MAX ? w->users[h->user].sam : "Administrator";
    sk_buf_reset(b);
    /* entries first, header after (it holds the count); assembled at the end */
    sk_buf body;
    sk_buf_init(&body, (size_t)64 << 20);
    uint64_t n = 0;
    int rc = 0;
    char path[512];
#define ADD(op_, path_, ci_, mt_, cr_)                                                                  \
    do {                                                                                               \
        const content *c_ = &v->c[ci_];                                                                \
        sk_listing_entry e_ = {op_, path_, c_->sha256, c_->size, mt_, cr_, cr_, NULL, 0};               \
        if (!rc) rc = sk_listing_entry_write(&body, &e_);                                              \
        n++;                                                                                           \
    } while (0)
    /* cumulative updates taken since the image was built */
    unsigned patches = (unsigned)sim_rng_range(&r, 0, 6);
    for (unsigned k = 0; k < patches && im->n_patches && !rc; k++) {
        size_t p = (size_t)sim_rng_below(&r, im->n_patches);
        const entry *be = &im->e[im->patch_entry[p]];
        sk_time mt = install + (sk_time)sim_rng_range(&r, 10, 120) * DAY;
        const content *c = &v->c[im->patches[p]];
        sk_listing_entry e = {SK_OP_CHANGE, be->path, c->sha256, c->size, mt, mt, mt, NULL, SK_REASON_CONTENT | SK_REASON_TIMES};
        rc = sk_listing_entry_write(&body, &e);
        n++;
    }
    /* software */
    size_t target = (size_t)sim_rng_range(&r, (int64_t)sc->host_extra_files.lo, (int64_t)sc->host_extra_files.hi);
    int plant = strcmp(w->sites[h->site].spec->kind, "plant") == 0 || strcmp(w->sites[h->site].spec->kind, "lab") == 0;
    for (size_t p = 0; p < sim_packages_count && p < 64 && !rc; p++) {
        const sim_package *pk = &sim_packages[p];
        int eligible = pk->scope == SIM_PKG_ALL || (pk->scope == SIM_PKG_ENDPOINT && h->role == SIM_ENDPOINT) ||
                       (pk->scope == SIM_PKG_AV_SERVER && h->role == SIM_AV_SERVER) ||
                       (pk->scope == SIM_PKG_ENGINEERING && h->role == SIM_ENDPOINT && plant);
        double share = pk->scope == SIM_PKG_ENGINEERING ? 0.5 : pk->share;
        if (!eligible || !sim_rng_chance(&r, share)) continue;
        int ver = (int)sim_rng_weighted(&r, (const double[]){0.2, 0.3, 0.5}, 3);
        sk_time inst = install + (sk_time)sim_rng_range(&r, 0, 200) * DAY;
        for (size_t f = 0; f < pk->n_files && f < 16; f++) {
            const char *dir = pk->dir;
            char d[300];
            const char *pu = strstr(dir, "%u");
            if (pu) {
                snprintf(d, sizeof d, "%.*s%s%s", (int)(pu - dir), dir, user, pu + 2);
                dir = d;
            }
            snprintf(path, sizeof path, "%s\\%s", dir, pk->files[f].name);
            ADD(SK_OP_ADD, path, v->pkg[p][ver][f], inst - 40 * DAY, inst);
        }
    }
    if (h->role == SIM_ENDPOINT) {
        /* portable tools, some renamed by their user: the benign look-alike of masquerading */
        unsigned np = (unsigned)sim_rng_range(&r, 0, 3);
        for (unsigned k = 0; k < np && !rc; k++) {
            size_t p = (size_t)sim_rng_below(&r, sim_portables_count);
            int renamed = sim_rng_chance(&r, 0.25);
            static const char *const where[] = {"Downloads", "Desktop", "Documents\\tools"};
            snprintf(path, sizeof path, "C:\\Users\\%s\\%s\\%s", user, where[sim_rng_below(&r, 3)],
                     renamed ? sim_portables[p].renamed : sim_portables[p].name);
            sk_time t = install + (sk_time)sim_rng_range(&r, 10, 300) * DAY;
            ADD(SK_OP_ADD, path, v->portable[p], t - 100 * DAY, t);
        }
        /* rare in-house binaries: one content per host, made in sim_inv_write's pre-pass */
        if (v->rare[hi] != UINT32_MAX) {
            sim_rng rr;
            sim_rng_init(&rr, w->seed, "rare-path", hi);
            snprintf(path, sizeof path, "C:\\Users\\%s\\Documents\\tools\\%s", user, v->rare_name[hi]);
            sk_time t = install + (sk_time)sim_rng_range(&rr, 30, 300) * DAY;
            ADD(SK_OP_ADD, path, v->rare[hi], t, t);
        }
    }
    /* the renamed PowerShell: byte-identical to this image's own powershell.exe */
    if (h->campaign >= 0) {
        const sim_victim *vi = &w->victims[h->campaign];
        if (vi->renamed_path[0]) {
            sk_time cr = vi->first - 30 * SK_NS_PER_SEC;
            const entry *ps = NULL;
            for (size_t i = 0; i < im->n && !ps; i++)
                if (im->e[i].content == im->powershell) ps = &im->e[i];
            ADD(SK_OP_ADD, vi->renamed_path, im->powershell, ps ? ps->mtime : cr, cr);
        }
    }
    /* the pushed loader, where the AV agent keeps its updates */
    if (h->campaign >= 0) {
        const sim_victim *vi = &w->victims[h->campaign];
        char pp[160];
        if (sim_payload_path(w, vi, pp, sizeof pp)) {
            sk_time t = vi->first - 60 * SK_NS_PER_SEC;
            ADD(SK_OP_ADD, pp, v->payload, t, t);
        }
    }
    /* the update cache tops the count up to the host's target with shared contents */
    for (size_t k = 0; n < target && im->n_patches && !rc; k++) {
        size_t p = (size_t)sim_rng_below(&r, im->n_patches);
        const entry *be = &im->e[im->patch_entry[p]];
        const char *base = strrchr(be->path, '\\');
        snprintf(path, sizeof path, "C:\\Windows\\SoftwareDistribution\\Download\\%08x%08x\\%s",
                 (unsigned)sim_rng_next(&r), (unsigned)k, base ? base + 1 : be->path);
        sk_time t = install + (sk_time)sim_rng_range(&r, 10, 150) * DAY;
        ADD(SK_OP_ADD, path, im->patches[p], t, t);
    }
#undef ADD
    char hid[19], guid[37];
    if (host_id(w, hi, hid, guid) && !rc) rc = sk_error_set(SK_ENOMEM, "out of memory");
    sk_listing_header hd = {.delta = 1, .host_id = hid, .host = h->name, .base = im->name,
                            .base_sha256 = im->manifest_sha256, .base_install_time = install,
                            .collected = collected, .windows_root = "C:", .entries = n};
    if (!rc) rc = sk_listing_header_write(b, &hd);
    if (!rc) rc = sk_buf_append(b, body.data ? body.data : "", body.len);
    sk_buf_free(&body);
    char rel[256];
    snprintf(rel, sizeof rel, "snapshots/listings/%s/%s.jsonl", w->sites[h->site].spec->name, h->name);
    if (!rc) rc = sim_out_write(o, rel, b);
    *entries_total += n;
    return rc;
}

/* The per-host in-house binaries, decided on their own substream so that the host
 * listings can then be written in any order, by any number of threads. */
static int make_rare(sim_inv *v)
{
    const sim_world *w = v->w;
    v->rare = malloc((w->n_hosts ? w->n_hosts : 1) * sizeof *v->rare);
    v->rare_name = calloc(w->n_hosts ? w->n_hosts : 1, sizeof *v->rare_name);
    if (!v->rare || !v->rare_name) return sk_error_set(SK_ENOMEM, "out of memory");
    static const char *const stems[] = {"report_gen", "csvtool", "labeler", "dbexport", "plc_sync", "macro_run"};
    for (size_t hi = 0; hi < w->n_hosts; hi++) {
        v->rare[hi] = UINT32_MAX;
        if (w->hosts[hi].role != SIM_ENDPOINT || (w->hosts[hi].coverage & SIM_COV_NO_SNAPSHOT)) continue;
        sim_rng r;
        sim_rng_init(&r, w->seed, "rare", hi);
        if (!sim_rng_chance(&r, 0.4)) continue;
        char key[64];
        snprintf(key, sizeof key, "rare/%zu", hi);
        uint32_t ci = content_new(v, key, 80000);
        if (ci == UINT32_MAX) return sk_error_set(SK_ENOMEM, "out of memory");
        v->rare_name[hi] = fmt(v, "%s%u.exe", stems[sim_rng_below(&r, 6)], (unsigned)sim_rng_below(&r, 100));
        content *c = &v->c[ci];
        if (sim_rng_chance(&r, 0.5)) { /* built in house with a version resource */
            c->orig = v->rare_name[hi];
            c->internal = c->orig;
            c->desc = "In-house tool";
            c->company = "CORP IT";
            c->product = "CORP Tools";
            c->version = "1.0.0.1";
            c->fileversion = "1.0.0.1";
        }
        v->rare[hi] = ci;
    }
    return v->oom ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
}

static int run_listings(void *ctx, size_t from, size_t to, sim_out *o, uint64_t *entries)
{
    sim_inv *v = ctx;
    sk_buf b;
    sk_buf_init(&b, (size_t)1 << 30);
    int rc = 0;
    for (size_t hi = from; hi < to && !rc; hi++)
        if (!(v->w->hosts[hi].coverage & SIM_COV_NO_SNAPSHOT)) rc = host_listing(v, o, hi, &b, entries);
    sk_buf_free(&b);
    return rc;
}

int sim_inv_write(sim_inv *v, sim_out *o, unsigned threads, uint64_t *listing_entries)
{
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) rc = write_base(v, o, &v->img[i]);
    if (!rc) rc = make_rare(v);
    *listing_entries = 0;
    if (!rc) rc = sim_run_chunks(v->w->n_hosts, 512, threads, run_listings, v, o, listing_entries);
    /* the catalogue last: in content order, so the same seed gives the same file */
    sk_buf b;
    sk_buf_init(&b, (size_t)1 << 30);
    FILE *f = rc ? NULL : sim_out_open(o, "snapshots/catalog.jsonl");
    if (!rc && !f) rc = sk_error_last_code();
    for (size_t i = 0; i < v->n && !rc; i++) {
        sk_buf_reset(&b);
        rc = write_content(&b, &v->c[i]);
        if (!rc && fwrite(b.data, 1, b.len, f) != b.len) rc = sk_error_set(SK_EIO, "snapshots/catalog.jsonl: write error");
    }
    if (f) {
        int rc2 = sim_out_close(o, f, "snapshots/catalog.jsonl");
        if (!rc) rc = rc2;
    }
    sk_buf_free(&b);
    return rc;
}

size_t sim_inv_contents(const sim_inv *v)
{
    return v->n;
}
