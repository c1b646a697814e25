/*
 * scenario.h - what the simulator builds: the organisation, the campaign's timeline
 * and choices, log and inventory settings. The embedded default
 * (src/sim/default-scenario.json) models the report; a scenario file overrides any
 * part of it (members present replace the default's; `organisation.regions`, when
 * present, replaces the whole list).
 */
#ifndef SK_SIM_SCENARIO_H
#define SK_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include <sakimori/arena.h>
#include <sakimori/timestamp.h>

typedef struct sim_site_spec {
    const char *name;
    const char *kind; /* head_office, office, plant, lab, datacenter */
    const char *country;
    const char *timezone;
    double weight;
} sim_site_spec;

typedef struct sim_region_spec {
    const char *name;
    int domestic;
    const char *country;
    const char *timezone;
    double weight;
    sim_site_spec *sites;
    size_t n_sites;
} sim_region_spec;

typedef struct sim_range {
    double lo, hi;
} sim_range;

typedef struct sim_scenario {
    sk_arena *arena;
    const char *name;
    const char *netbios_domain, *fqdn_domain;
    sim_region_spec *regions;
    size_t n_regions;
    /* timeline */
    sk_time start, end, overseas_entry, domestic_entry, detection, containment;
    /* campaign */
    const char *entry_region;
    const char **browser_names;
    size_t n_browser_names;
    const char **cloud_services;
    size_t n_cloud_services;
    sim_range cloud_services_used, attacker_domains, beacon_interval_s, beacon_jitter, exfil_mb;
    double compromised_per_100k, sensitive_share, domestic_share;
    int64_t min_compromised, min_sensitive;
    /* logs */
    int64_t log_days;
    double benign_density, sysmon_share, cmdline_share, no_logs_share, wrapped_share,
        clock_skew_share, winlogbeat_share, module_logging_share;
    /* inventory */
    int64_t base_image_files;
    sim_range host_extra_files;
    double missing_share; /* endpoints without an inventory (offline at collection) */
} sim_scenario;

/** The embedded default scenario's JSON text. */
extern const char sim_default_scenario_json[];

/**
 * Load the default and apply `path` (may be NULL) over it. Errors name the file, the
 * line and the key. Free with sim_scenario_free().
 */
int sim_scenario_load(sim_scenario **out, const char *path);
void sim_scenario_free(sim_scenario *s);

/** The same, with the scenario document in memory (`name` prefixes messages); fuzzed. */
int sim_scenario_parse(sim_scenario **out, const char *data, size_t len, const char *name);

/** Cloud services the simulator knows, with the host names their clients contact. */
typedef struct sim_cloud_service {
    const char *name;
    const char *hosts[4]; /* NULL-terminated */
} sim_cloud_service;
const sim_cloud_service *sim_cloud_service_find(const char *name);

#endif
