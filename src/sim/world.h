/*
 * world.h - the simulated enterprise and the campaign's story.
 *
 * The world is built in two steps from the scenario and the seed: the organisation
 * (org.c: regions, sites, subnets, servers by role, endpoints, users, and each host's
 * logging coverage) and then the story (campaign.c: which hosts the attacker reached,
 * when, how, what they talked to). Emitters write logs and inventories from the
 * world; the ground truth is written from the story alone, never from reading what
 * the emitters wrote.
 */
#ifndef SK_SIM_WORLD_H
#define SK_SIM_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sakimori/timestamp.h>

#include "rng.h"
#include "scenario.h"

/*
 * qsort for the emitters' buffers, which are NULL while empty (a small fleet or a
 * tiny region weight leaves many so): qsort's arguments must not be NULL even for
 * zero items (C11 7.22.5), and UBSan stops the run on it.
 */
static inline void sim_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1) qsort(base, n, size, cmp);
}

typedef enum sim_role {
    SIM_ENDPOINT,
    SIM_AV_SERVER,
    SIM_DC,
    SIM_FILE_SERVER,
    SIM_PROXY,
    SIM_DHCP_SERVER,
    SIM_APP_SERVER
} sim_role;

typedef struct sim_site {
    const sim_site_spec *spec;
    size_t n_laptops;    /* laptops draw daily addresses from a pool after the desktops */
    uint32_t pool_base;
    size_t region;       /* index into scenario->regions */
    char code[8];        /* host-name prefix, e.g. TOKH */
    sk_tz *tz;
    uint32_t net;        /* IPv4 network, host order */
    uint8_t prefix;      /* prefix length */
    size_t first_host, n_hosts;
    size_t av_server;    /* the region's AV management server serving this site */
    size_t dc, file_server, proxy, dhcp;
} sim_site;

/* Per-host logging coverage, decided with the organisation. */
enum {
    SIM_COV_SYSMON = 1,   /* Sysmon installed */
    SIM_COV_CMDLINE = 2,  /* 4688 includes the command line */
    SIM_COV_NO_LOGS = 4,  /* no event logs collected at all */
    SIM_COV_WRAPPED = 8,  /* Security log too small: wrapped */
    SIM_COV_WINLOGBEAT = 16, /* shipped by Winlogbeat (else NXLog) */
    SIM_COV_NO_SNAPSHOT = 32, /* offline when inventories were collected */
    SIM_COV_PS_MODULE = 64   /* PowerShell module logging on (4103, 800): a site policy */
};

typedef struct sim_host {
    char name[16];       /* NetBIOS name, upper case */
    sim_role role;
    uint32_t site;
    uint32_t user;       /* primary user (endpoints) */
    uint32_t ip;         /* static address (servers) or the usual DHCP lease (endpoints) */
    uint8_t mac[6];
    uint8_t coverage;    /* SIM_COV_* */
    uint8_t laptop;
    int32_t clock_skew_ms;
    int32_t campaign;    /* index into world->victims, or -1 */
    uint16_t dept;
    uint32_t laptop_rank; /* index among its site's laptops */
} sim_host;

typedef struct sim_user {
    char sam[24];        /* sAMAccountName */
    char display[64];    /* UTF-8 display name */
    uint32_t rid;
    uint32_t site;
    uint16_t dept;
    uint8_t admin;
} sim_user;

typedef enum sim_how {
    SIM_HOW_ZERO_DAY,          /* the AV management server itself, from outside */
    SIM_HOW_AV_PUSH,           /* malware pushed as a pattern-file update */
    SIM_HOW_REMOTE_EXECUTION   /* from another compromised host inside */
} sim_how;

typedef struct sim_c2 {
    const char *service;  /* cloud service name, or NULL for an attacker domain */
    char host[96];        /* the host name contacted */
    sk_time first, last;
    double interval_s, jitter;
    uint64_t connections; /* computed by the story, emitted by the logs */
    uint64_t bytes_out;
    uint64_t logged;      /* connections inside the log window, host online, proxy day kept */
} sim_c2;

typedef struct sim_victim {
    size_t host;
    sim_how how;
    int64_t parent;        /* host index that infected it, -1 for external */
    sk_time first;         /* first attacker code execution */
    sk_time last;          /* last activity (containment or re-image) */
    char renamed_path[160];/* renamed powershell on disk, "" when none */
    sim_c2 c2[4];
    size_t n_c2;
    uint64_t exfil_bytes;
    int sensitive;         /* holds or reaches personal/important data */
    unsigned evidence;     /* SIM_EV_* emitted for this host */
} sim_victim;

enum {
    SIM_EV_SYSMON = 1,
    SIM_EV_SECURITY_4688 = 2,
    SIM_EV_POWERSHELL = 4,
    SIM_EV_PROXY = 8,
    SIM_EV_ZEEK = 16,
    SIM_EV_INVENTORY = 32,
    SIM_EV_AV_WEBLOG = 64,
    SIM_EV_FIREWALL = 128
};

/* The sources the simulator writes today. The truth's `evidence` lists only these:
 * a source joins the mask when its emitter does. */
#define SIM_EV_EMITTED (SIM_EV_FIREWALL | SIM_EV_PROXY | SIM_EV_INVENTORY | SIM_EV_SYSMON | SIM_EV_SECURITY_4688 | SIM_EV_POWERSHELL | SIM_EV_AV_WEBLOG | SIM_EV_ZEEK)

typedef struct sim_attacker {
    const char *browser_name;
    const char *services[8];
    size_t n_services;
    char domains[4][64];
    size_t n_domains;
    uint32_t spoofed_sources[6];
    size_t n_spoofed;
    char payload_sha256[65]; /* the "pattern file" the AV server pushed */
} sim_attacker;

typedef struct sim_world {
    const sim_scenario *sc;
    uint64_t seed;
    sim_site *sites;
    size_t n_sites;
    sim_host *hosts;
    size_t n_hosts;
    sim_user *users;
    size_t n_users;
    sim_attacker attacker;
    sim_victim *victims;
    size_t n_victims;
} sim_world;

/**
 * A victim's beacons on one C2 channel, in time order: deterministic from the seed,
 * the victim and the channel, so the truth and the log emitters see the same ones.
 */
typedef struct sim_beacon_iter {
    sim_rng r;
    sk_time t, end;
    double interval, jitter;
    uint64_t bytes_out;   /* of the beacon just returned */
    uint64_t exfil_left;
} sim_beacon_iter;
void sim_beacon_start(sim_beacon_iter *it, const sim_world *w, size_t victim, size_t c2);
int sim_beacon_next(sim_beacon_iter *it, sk_time *t);

/* ---- the story's clock: the log window, who is online, with which address ---- */

/** Network logs cover [start, end): `logs.days` days ending at containment. */
void sim_log_window(const sim_world *w, sk_time *start, sk_time *end);

/**
 * Is the host on the network at t? Servers and desktops always are; laptops arrive
 * each (mostly working) day between 08:00 and 10:00 local time and stay 8-11 hours.
 * When online, *ip receives its address: desktops keep theirs, laptops get a new one
 * from their site's pool every day (so addresses are reused across hosts).
 */
int sim_host_online(const sim_world *w, size_t host, sk_time t, uint32_t *ip);

/** The laptop's lease of the day containing t: [*from, *to) and the address. 0: none that day. */
int sim_laptop_lease(const sim_world *w, size_t host, int64_t day, sk_time *from, sk_time *to, uint32_t *ip);

/**
 * The victim's persistence launches the renamed PowerShell once on `day` (UTC day
 * number) when it returns 1, at *t: inside the log window, after the compromise, the
 * host online.
 */
int sim_victim_launch(const sim_world *w, size_t victim, int64_t day, sk_time *t);

/** 1 when the attacker clears the victim's Security log inside the window, at *when. */
int sim_victim_clears_log(const sim_world *w, size_t victim, sk_time *when);

/**
 * 1 when the host's Security log is cleared inside the window, at *when, by user index
 * *by (SIZE_MAX: the built-in Administrator): the attacker on some victims, an
 * administrator troubleshooting on a few benign hosts (*benign set). Never without logs.
 */
int sim_host_clears_log(const sim_world *w, size_t host, sk_time *when, size_t *by, int *benign);

/**
 * The oldest Security record a host still holds: a wrapped log (too small for the
 * traffic) keeps only its last 2-4 days of the window; SK_TIME_NONE when nothing was lost.
 */
sk_time sim_security_kept_from(const sim_world *w, size_t host);

/** A proxy's daily log that was lost (rotation gone wrong): nothing of that day survives. */
int sim_proxy_day_missing(const sim_world *w, size_t proxy, int64_t day);

/** A public (routable, non-private) IPv4 address drawn from r. */
uint32_t sim_public_ip(sim_rng *r);

/**
 * The zero-day's requests against an AV management server: step k (0..SIM_EXPLOIT_STEPS-1)
 * at *t from *src (a spoofed external address, or the pivot's address when the victim
 * was attacked from inside), *bytes sent. The AV server's web log and the firewalls
 * both write these.
 */
#define SIM_EXPLOIT_STEPS 6
void sim_exploit_request(const sim_world *w, size_t victim, int k, sk_time *t, uint32_t *src, uint64_t *bytes);

/**
 * Roaming AV agents (laptops at home, partners) fetch their pattern file over the
 * internet from their region's AV management server: how many the region has, and
 * whether agent k fetched on `day` (UTC day number), when and from which address.
 */
size_t sim_roaming_agents(const sim_world *w, size_t region);
int sim_roaming_fetch(const sim_world *w, size_t region, size_t k, int64_t day, sk_time *t, uint32_t *ip);

/** Build the organisation for `n_hosts` hosts (servers included). */
int sim_org_build(sim_world *w, const sim_scenario *sc, uint64_t seed, size_t n_hosts);

/** Decide the campaign: attacker choices and victims. Needs the organisation. */
int sim_campaign_build(sim_world *w);

/** The path where a push victim's AV agent keeps the pushed payload (the attacker's
 * loader as a pattern file); 0 and "" for a victim the push did not reach. */
int sim_payload_path(const sim_world *w, const sim_victim *v, char *out, size_t n);

/** 1 when a push victim's fetch of the payload is in its AV server's log (host online then). */
int sim_av_push_logged(const sim_world *w, size_t victim);

/** 1 when a victim's compromise crossed a firewall inside the timeline (and so is in its log). */
int sim_firewall_logged(const sim_world *w, size_t victim);

void sim_world_free(sim_world *w);

/** Format an IPv4 address (host order) into buf (16 bytes). */
void sim_ip_str(uint32_t ip, char buf[16]);

#endif
