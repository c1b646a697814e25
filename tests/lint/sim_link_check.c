/*
 * sim_link_check: linked with the simulator, the format writers and core ONLY (see
 * tests/CMakeLists.txt). If the simulator ever calls a reader, a rule engine or an
 * analysis function, this program fails to link and the build breaks: its ground
 * truth cannot come from the code it is used to measure.
 */
#include <stdio.h>

#include <sakimori/simulate.h>

int main(void)
{
    /* referencing the entry points pulls the whole simulator into the link */
    int (*run)(const sk_sim_options *, sk_sim_summary *) = sk_sim_run;
    const char *def = sk_sim_default_scenario();
    if (!run || !def || def[0] != '{') {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    printf("ok   the simulator links against core and format writers alone\n1 passed, 0 failed\n");
    return 0;
}
