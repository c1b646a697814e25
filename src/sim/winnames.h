/*
 * winnames.h - Windows component names for the simulated base image (winnames.c).
 */
#ifndef SK_SIM_WINNAMES_H
#define SK_SIM_WINNAMES_H

#include <stddef.h>

typedef struct sim_win_name {
    const char *file;
    const char *description;
} sim_win_name;

extern const sim_win_name sim_win_system32[];
extern const size_t sim_win_system32_count;
extern const char *const sim_win_areas[];
extern const size_t sim_win_areas_count;
extern const char *const sim_win_parts[];
extern const size_t sim_win_parts_count;
extern const char *const sim_win_stems[];
extern const size_t sim_win_stems_count;
extern const char *const sim_win_suffixes[];
extern const size_t sim_win_suffixes_count;
extern const char *const sim_driver_vendors[];
extern const size_t sim_driver_vendors_count;
extern const char *const sim_net_assemblies[];
extern const size_t sim_net_assemblies_count;

#endif
