/*
 * names.h - name lists for simulated people, by country: family and given names in
 * their own script and romanised. Common names only; no real person is meant.
 */
#ifndef SK_SIM_NAMES_H
#define SK_SIM_NAMES_H

#include <stddef.h>

typedef struct sim_name {
    const char *native;
    const char *latin;
} sim_name;

typedef struct sim_name_set {
    const sim_name *family;
    size_t n_family;
    const sim_name *given;
    size_t n_given;
    int family_first; /* display as "family given" (JP, CN) */
} sim_name_set;

/** The set for an ISO country code (falls back to a Western set). */
const sim_name_set *sim_names_for(const char *country);

#endif
