/*
 * sakimori/simulate.h - the scenario simulator: a synthetic enterprise and the attack
 * campaign of the report, written as a case folder (logs and inventories in the
 * formats real tools produce) with the ground truth kept apart in DIR/truth/.
 * See docs/simulate.md.
 */
#ifndef SAKIMORI_SIMULATE_H
#define SAKIMORI_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_sim_options {
    size_t hosts;         /**< fleet size, servers included */
    uint64_t seed;        /**< same seed, same bytes */
    const char *out_dir;  /**< must not exist, or be an empty directory */
    const char *scenario; /**< scenario file applied over the default; NULL for the default */
    unsigned threads;     /**< 0: all cores */
    int progress;         /**< report progress on stderr */
} sk_sim_options;

typedef struct sk_sim_summary {
    size_t hosts, sites, regions;
    size_t compromised, compromised_domestic, sensitive, unknown;
    uint64_t files, bytes;
} sk_sim_summary;

/**
 * Build the world and write it under opt->out_dir. Refuses (SK_EEXISTS) an output
 * directory that is not empty, and never overwrites a file. Scenario errors name the
 * file, the line and the key (SK_EFORMAT).
 */
int sk_sim_run(const sk_sim_options *opt, sk_sim_summary *summary);

/** The embedded default scenario (JSON text, NUL-terminated, static). */
const char *sk_sim_default_scenario(void);

/** Validate a scenario file against the default without simulating anything. */
int sk_sim_check_scenario(const char *path);

#ifdef __cplusplus
}
#endif
#endif
