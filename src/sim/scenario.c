/*
 * scenario.c - load the embedded default scenario and apply a scenario file over it
 * (see scenario.h). Validation uses sk_cfg, so every error names file, line and key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/cfg.h>
#include <sakimori/file.h>
#include <sakimori/json.h>

#include "scenario.h"

#define SCENARIO_MAX_BYTES ((size_t)4 << 20)

static const sim_cloud_service services[] = {
    {"dropbox", {"api.dropboxapi.com", "content.dropboxapi.com", "www.dropbox.com", NULL}},
    {"google-drive", {"www.googleapis.com", "drive.google.com", "docs.google.com", NULL}},
    {"onedrive", {"graph.microsoft.com", "onedrive.live.com", "api.onedrive.com", NULL}},
    {"box", {"api.box.com", "upload.box.com", "app.box.com", NULL}},
    {"github", {"api.github.com", "raw.githubusercontent.com", "github.com", NULL}},
    {"slack", {"slack.com", "files.slack.com", "hooks.slack.com", NULL}},
    {"evernote", {"www.evernote.com", "api.evernote.com", NULL, NULL}},
    {"pastebin", {"pastebin.com", NULL, NULL, NULL}},
};

const sim_cloud_service *sim_cloud_service_find(const char *name)
{
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (!strcmp(services[i].name, name)) return &services[i];
    return NULL;
}

/* [lo, hi] pair within [min, max] */
static int range_member(sk_cfg *x, const sk_json_value *obj, const char *key, double min,
                        double max, sim_range *out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_ARRAY, 0, &v);
    if (rc || !v) return rc;
    size_t o = sk_cfg_push_key(x, key);
    if (sk_json_length(v) != 2 || sk_json_type_of(sk_json_array_at(v, 0)) != SK_JSON_NUMBER ||
        sk_json_type_of(sk_json_array_at(v, 1)) != SK_JSON_NUMBER) {
        rc = sk_cfg_error(x, v, "must be [low, high]");
    } else {
        double lo = sk_json_number(sk_json_array_at(v, 0)), hi = sk_json_number(sk_json_array_at(v, 1));
        if (!(lo >= min && hi <= max && lo <= hi))
            rc = sk_cfg_error(x, v, "must be [low, high] with %g <= low <= high <= %g", min, max);
        else
            *out = (sim_range){lo, hi};
    }
    sk_cfg_pop(x, o);
    return rc;
}

/* A list of strings; `check` (may be NULL) validates each one. */
static int strings_member(sk_cfg *x, const sk_json_value *obj, const char *key, size_t min_items,
                          int (*check)(const char *), const char *what, const char ***out, size_t *n)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_ARRAY, 0, &v);
    if (rc || !v) return rc;
    size_t o = sk_cfg_push_key(x, key);
    size_t len = sk_json_length(v);
    if (len < min_items) {
        rc = sk_cfg_error(x, v, "must list at least %zu item(s)", min_items);
        sk_cfg_pop(x, o);
        return rc;
    }
    const char **arr = sk_arena_calloc(x->arena, len ? len : 1, sizeof *arr);
    if (!arr) return SK_ENOMEM;
    for (size_t i = 0; i < len && !rc; i++) {
        const sk_json_value *e = sk_json_array_at(v, i);
        size_t sl;
        const char *s = sk_json_string(e, &sl);
        size_t o2 = sk_cfg_push_index(x, i);
        if (!s || !sl || sl > 64 || memchr(s, '\0', sl))
            rc = sk_cfg_error(x, e, "must be a non-empty string of at most 64 bytes");
        else if (!(arr[i] = sk_arena_strndup(x->arena, s, sl)))
            rc = SK_ENOMEM;
        else if (check && !check(arr[i]))
            rc = sk_cfg_error(x, e, "'%.64s' is not %s", s, what);
        sk_cfg_pop(x, o2);
    }
    if (rc) return rc;
    sk_cfg_pop(x, o);
    *out = arr;
    *n = len;
    return 0;
}

static int known_service(const char *s)
{
    return sim_cloud_service_find(s) != NULL;
}

static int exe_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || strcmp(s + n - 4, ".exe")) return 0;
    for (const char *p = s; *p; p++)
        if (*p == '\\' || *p == '/' || *p == ':' || (unsigned char)*p < 0x20) return 0;
    return 1;
}

static int zone_ok(sk_cfg *x, const sk_json_value *obj, const char *key, const char **out)
{
    int rc = sk_cfg_string(x, obj, key, 0, 100, out);
    if (rc || !*out) return rc;
    sk_tz *tz;
    if (sk_tz_load(&tz, *out)) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, sk_json_object_get(obj, key), "unknown time zone '%.80s'", *out);
        sk_cfg_pop(x, o);
        return rc;
    }
    sk_tz_free(tz);
    return 0;
}

static int load_regions(sk_cfg *x, sim_scenario *s, const sk_json_value *arr)
{
    static const char *const rkeys[] = {"name", "domestic", "country", "timezone", "weight", "sites", NULL};
    static const char *const skeys[] = {"name", "kind", "country", "timezone", "weight", NULL};
    static const char *const kinds[] = {"head_office", "office", "plant", "lab", "datacenter", NULL};
    size_t nr = sk_json_length(arr);
    if (nr == 0) return sk_cfg_error(x, arr, "must list at least one region");
    sim_region_spec *regs = sk_arena_calloc(s->arena, nr, sizeof *regs);
    if (!regs) return SK_ENOMEM;
    int domestic_seen = 0;
    for (size_t i = 0; i < nr; i++) {
        const sk_json_value *r = sk_json_array_at(arr, i), *sites;
        sim_region_spec *rg = &regs[i];
        size_t o = sk_cfg_push_index(x, i);
        int rc = sk_cfg_check_keys(x, r, rkeys);
        if (!rc) rc = sk_cfg_id(x, r, "name", 1, &rg->name);
        if (!rc) rc = sk_cfg_bool(x, r, "domestic", 1, &rg->domestic);
        if (!rc) rc = sk_cfg_string(x, r, "country", 1, 2, &rg->country);
        if (!rc) rc = zone_ok(x, r, "timezone", &rg->timezone);
        if (!rc && !rg->timezone) rc = sk_cfg_error(x, r, "missing required key 'timezone'");
        rg->weight = 1;
        if (!rc) rc = sk_cfg_number(x, r, "weight", 0, 0, 1e6, &rg->weight);
        if (!rc) rc = sk_cfg_member(x, r, "sites", SK_JSON_ARRAY, 1, &sites);
        if (!rc && sk_json_length(sites) == 0) rc = sk_cfg_error(x, sites, "must list at least one site");
        if (rc) return rc;
        domestic_seen |= rg->domestic;
        rg->n_sites = sk_json_length(sites);
        rg->sites = sk_arena_calloc(s->arena, rg->n_sites, sizeof *rg->sites);
        if (!rg->sites) return SK_ENOMEM;
        size_t o2 = sk_cfg_push_key(x, "sites");
        for (size_t k = 0; k < rg->n_sites; k++) {
            const sk_json_value *st = sk_json_array_at(sites, k);
            sim_site_spec *sp = &rg->sites[k];
            size_t o3 = sk_cfg_push_index(x, k);
            rc = sk_cfg_check_keys(x, st, skeys);
            if (!rc) rc = sk_cfg_id(x, st, "name", 1, &sp->name);
            if (!rc) rc = sk_cfg_id(x, st, "kind", 1, &sp->kind);
            if (!rc) {
                int ok = 0;
                for (const char *const *kk = kinds; *kk; kk++) ok |= !strcmp(*kk, sp->kind);
                if (!ok) {
                    size_t o4 = sk_cfg_push_key(x, "kind");
                    rc = sk_cfg_error(x, sk_json_object_get(st, "kind"),
                                      "'%.64s' is not one of head_office, office, plant, lab, datacenter", sp->kind);
                    sk_cfg_pop(x, o4);
                }
            }
            if (!rc) rc = sk_cfg_string(x, st, "country", 0, 2, &sp->country);
            if (!rc) rc = zone_ok(x, st, "timezone", &sp->timezone);
            sp->weight = 1;
            if (!rc) rc = sk_cfg_number(x, st, "weight", 0, 0, 1e6, &sp->weight);
            if (rc) return rc;
            if (!sp->country) sp->country = rg->country;
            if (!sp->timezone) sp->timezone = rg->timezone;
            for (size_t a = 0; a <= i; a++)
                for (size_t b = 0; b < (a == i ? k : regs[a].n_sites); b++)
                    if (!strcmp(regs[a].sites[b].name, sp->name)) {
                        size_t o4 = sk_cfg_push_key(x, "name");
                        rc = sk_cfg_error(x, sk_json_object_get(st, "name"), "site '%.64s' is defined twice", sp->name);
                        sk_cfg_pop(x, o4);
                        return rc;
                    }
            sk_cfg_pop(x, o3);
        }
        sk_cfg_pop(x, o2);
        sk_cfg_pop(x, o);
    }
    if (!domestic_seen) return sk_cfg_error(x, arr, "at least one region must be domestic");
    s->regions = regs;
    s->n_regions = nr;
    return 0;
}

/* Apply one scenario document. `full`: the default, where every member is required. */
static int apply(sim_scenario *s, const char *data, size_t len, const char *name, int full)
{
    static const char *const top[] = {"schema", "name", "organisation", "timeline", "campaign", "logs", "inventory", NULL};
    static const char *const okeys[] = {"domain", "regions", NULL};
    static const char *const dkeys[] = {"netbios", "fqdn", NULL};
    static const char *const tkeys[] = {"start", "end", "overseas_entry", "domestic_entry", "detection", "containment", NULL};
    static const char *const ckeys[] = {"entry_region", "browser_names", "cloud_services", "cloud_services_used",
                                        "attacker_domains", "beacon_interval_s", "beacon_jitter",
                                        "compromised_per_100k", "min_compromised", "sensitive_share",
                                        "min_sensitive", "domestic_share", "exfil_mb", NULL};
    static const char *const lkeys[] = {"days", "benign_density", "sysmon_share", "cmdline_share", "no_logs_share",
                                        "wrapped_share", "clock_skew_share", "winlogbeat_share",
                                        "module_logging_share", NULL};
    static const char *const ikeys[] = {"base_image_files", "host_extra_files", "missing_share", NULL};
    sk_json_doc *doc;
    int rc = sk_json_parse(&doc, data, len, name, NULL);
    if (rc) return rc;
    sk_cfg x;
    sk_cfg_init(&x, name, s->arena);
    const sk_json_value *root = sk_json_doc_root(doc), *v, *w;
    const char *schema;
    rc = sk_cfg_check_keys(&x, root, top);
    if (!rc) rc = sk_cfg_string(&x, root, "schema", 1, 64, &schema);
    if (!rc && strcmp(schema, "sakimori/scenario/1")) {
        size_t o = sk_cfg_push_key(&x, "schema");
        rc = sk_cfg_error(&x, sk_json_object_get(root, "schema"), "'%.64s' is not sakimori/scenario/1", schema);
        sk_cfg_pop(&x, o);
    }
    const char *nm = NULL;
    if (!rc) rc = sk_cfg_string(&x, root, "name", full, 200, &nm);
    if (nm) s->name = nm;
    /* organisation */
    if (!rc) rc = sk_cfg_member(&x, root, "organisation", SK_JSON_OBJECT, full, &v);
    if (!rc && v) {
        size_t o = sk_cfg_push_key(&x, "organisation");
        rc = sk_cfg_check_keys(&x, v, okeys);
        if (!rc) rc = sk_cfg_member(&x, v, "domain", SK_JSON_OBJECT, full, &w);
        if (!rc && w) {
            size_t o2 = sk_cfg_push_key(&x, "domain");
            const char *nb = NULL, *fq = NULL;
            rc = sk_cfg_check_keys(&x, w, dkeys);
            if (!rc) rc = sk_cfg_string(&x, w, "netbios", 1, 15, &nb);
            if (!rc) rc = sk_cfg_string(&x, w, "fqdn", 1, 200, &fq);
            if (!rc) {
                s->netbios_domain = nb;
                s->fqdn_domain = fq;
                sk_cfg_pop(&x, o2);
            }
        }
        if (!rc) rc = sk_cfg_member(&x, v, "regions", SK_JSON_ARRAY, full, &w);
        if (!rc && w) {
            size_t o2 = sk_cfg_push_key(&x, "regions");
            rc = load_regions(&x, s, w);
            if (!rc) sk_cfg_pop(&x, o2);
        }
        if (!rc) sk_cfg_pop(&x, o);
    }
    /* timeline */
    if (!rc) rc = sk_cfg_member(&x, root, "timeline", SK_JSON_OBJECT, full, &v);
    if (!rc && v) {
        size_t o = sk_cfg_push_key(&x, "timeline");
        rc = sk_cfg_check_keys(&x, v, tkeys);
        sk_time *dst[] = {&s->start, &s->end, &s->overseas_entry, &s->domestic_entry, &s->detection, &s->containment};
        for (int i = 0; i < 6 && !rc; i++) rc = sk_cfg_time(&x, v, tkeys[i], full, dst[i]);
        if (!rc) sk_cfg_pop(&x, o);
    }
    /* campaign */
    if (!rc) rc = sk_cfg_member(&x, root, "campaign", SK_JSON_OBJECT, full, &v);
    if (!rc && v) {
        size_t o = sk_cfg_push_key(&x, "campaign");
        const char *er = NULL;
        rc = sk_cfg_check_keys(&x, v, ckeys);
        if (!rc) rc = sk_cfg_id(&x, v, "entry_region", full, &er);
        if (er) s->entry_region = er;
        if (!rc) rc = strings_member(&x, v, "browser_names", 1, exe_name, "a file name ending in .exe", &s->browser_names, &s->n_browser_names);
        if (!rc) rc = strings_member(&x, v, "cloud_services", 1, known_service,
                                     "a known cloud service (dropbox, google-drive, onedrive, box, github, slack, evernote, pastebin)",
                                     &s->cloud_services, &s->n_cloud_services);
        if (!rc) rc = range_member(&x, v, "cloud_services_used", 1, 8, &s->cloud_services_used);
        if (!rc) rc = range_member(&x, v, "attacker_domains", 0, 20, &s->attacker_domains);
        if (!rc) rc = range_member(&x, v, "beacon_interval_s", 5, 86400, &s->beacon_interval_s);
        if (!rc) rc = range_member(&x, v, "beacon_jitter", 0, 0.9, &s->beacon_jitter);
        if (!rc) rc = range_member(&x, v, "exfil_mb", 0, 100000, &s->exfil_mb);
        if (!rc) rc = sk_cfg_number(&x, v, "compromised_per_100k", full, 0, 100000, &s->compromised_per_100k);
        if (!rc) rc = sk_cfg_int(&x, v, "min_compromised", full, 0, 100000, &s->min_compromised);
        if (!rc) rc = sk_cfg_number(&x, v, "sensitive_share", full, 0, 1, &s->sensitive_share);
        if (!rc) rc = sk_cfg_int(&x, v, "min_sensitive", full, 0, 100000, &s->min_sensitive);
        if (!rc) rc = sk_cfg_number(&x, v, "domestic_share", full, 0, 1, &s->domestic_share);
        if (!rc) sk_cfg_pop(&x, o);
    }
    /* logs */
    if (!rc) rc = sk_cfg_member(&x, root, "logs", SK_JSON_OBJECT, full, &v);
    if (!rc && v) {
        size_t o = sk_cfg_push_key(&x, "logs");
        rc = sk_cfg_check_keys(&x, v, lkeys);
        if (!rc) rc = sk_cfg_int(&x, v, "days", full, 1, 3660, &s->log_days);
        double *dst[] = {&s->benign_density, &s->sysmon_share, &s->cmdline_share, &s->no_logs_share,
                         &s->wrapped_share, &s->clock_skew_share, &s->winlogbeat_share,
                         &s->module_logging_share};
        for (int i = 0; i < 8 && !rc; i++) rc = sk_cfg_number(&x, v, lkeys[i + 1], full, 0, 1, dst[i]);
        if (!rc) sk_cfg_pop(&x, o);
    }
    /* inventory */
    if (!rc) rc = sk_cfg_member(&x, root, "inventory", SK_JSON_OBJECT, full, &v);
    if (!rc && v) {
        size_t o = sk_cfg_push_key(&x, "inventory");
        rc = sk_cfg_check_keys(&x, v, ikeys);
        if (!rc) rc = sk_cfg_int(&x, v, "base_image_files", full, 100, 200000, &s->base_image_files);
        if (!rc) rc = range_member(&x, v, "host_extra_files", 0, 100000, &s->host_extra_files);
        if (!rc) rc = sk_cfg_number(&x, v, "missing_share", full, 0, 1, &s->missing_share);
        if (!rc) sk_cfg_pop(&x, o);
    }
    /* cross-member rules, reported at the document root */
    if (!rc) {
        int found = 0;
        for (size_t i = 0; i < s->n_regions; i++)
            if (!strcmp(s->regions[i].name, s->entry_region)) found = !s->regions[i].domestic ? 1 : 2;
        if (found != 1)
            rc = sk_cfg_error(&x, root, "campaign.entry_region '%.64s' must name an overseas region",
                              s->entry_region);
    }
    if (!rc && !(s->start < s->overseas_entry && s->overseas_entry <= s->domestic_entry &&
                 s->domestic_entry < s->detection && s->detection <= s->containment &&
                 s->containment <= s->end))
        rc = sk_cfg_error(&x, root, "timeline must satisfy start < overseas_entry <= domestic_entry < detection <= containment <= end");
    if (!rc && s->cloud_services_used.lo > (double)s->n_cloud_services)
        rc = sk_cfg_error(&x, root, "campaign.cloud_services_used asks for more services than cloud_services lists");
    sk_json_doc_free(doc);
    return rc;
}

int sim_scenario_load(sim_scenario **out, const char *path)
{
    *out = NULL;
    sim_scenario *s = calloc(1, sizeof *s);
    if (!s) return sk_error_set(SK_ENOMEM, "out of memory");
    int rc = sk_arena_new(&s->arena, 0, 0);
    if (!rc) rc = apply(s, sim_default_scenario_json, strlen(sim_default_scenario_json), "<default scenario>", 1);
    if (!rc && path) {
        char *data;
        size_t len;
        rc = sk_file_read_all(path, SCENARIO_MAX_BYTES, &data, &len);
        if (!rc) {
            rc = apply(s, data, len, path, 0);
            free(data);
        }
    }
    if (rc) {
        sim_scenario_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sim_scenario_parse(sim_scenario **out, const char *data, size_t len, const char *name)
{
    *out = NULL;
    sim_scenario *s = calloc(1, sizeof *s);
    if (!s) return sk_error_set(SK_ENOMEM, "out of memory");
    int rc = sk_arena_new(&s->arena, 0, 0);
    if (!rc) rc = apply(s, sim_default_scenario_json, strlen(sim_default_scenario_json), "<default scenario>", 1);
    if (!rc) rc = apply(s, data, len, name ? name : "<scenario>", 0);
    if (rc) {
        sim_scenario_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void sim_scenario_free(sim_scenario *s)
{
    if (!s) return;
    sk_arena_free(s->arena);
    free(s);
}
