/*
 * fuzz_scenario: the simulator's scenario files on arbitrary bytes. Property: a scenario
 * that loads satisfies the rules the loader promises (ordered timeline, an overseas
 * entry region, at least one domestic region, ranges low <= high).
 */
#include <stdint.h>
#include <string.h>

#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_scenario *s;
    if (sim_scenario_parse(&s, (const char *)data, size, "fuzz.json")) return 0;
    if (!(s->start < s->overseas_entry && s->overseas_entry <= s->domestic_entry &&
          s->domestic_entry < s->detection && s->detection <= s->containment && s->containment <= s->end))
        __builtin_trap();
    int domestic = 0, entry_ok = 0;
    for (size_t i = 0; i < s->n_regions; i++) {
        domestic |= s->regions[i].domestic;
        if (!strcmp(s->regions[i].name, s->entry_region) && !s->regions[i].domestic) entry_ok = 1;
        if (!s->regions[i].n_sites) __builtin_trap();
    }
    if (!domestic || !entry_ok) __builtin_trap();
    if (s->beacon_interval_s.lo > s->beacon_interval_s.hi || s->host_extra_files.lo > s->host_extra_files.hi)
        __builtin_trap();
    sim_scenario_free(s);
    return 0;
}
