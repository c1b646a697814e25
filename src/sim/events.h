/*
 * events.h - the simulated endpoints' Windows event logs (events.c), as log shippers
 * deliver them: Winlogbeat (ECS-nested JSON, UTC) or NXLog (flat JSON, local time).
 */
#ifndef SK_SIM_EVENTS_H
#define SK_SIM_EVENTS_H

#include <stdint.h>

#include "out.h"
#include "world.h"

/** Write logs/events/<site>/<HOST>.json for every host with event logs. */
int sim_events_write(const sim_world *w, sim_out *o, unsigned threads, uint64_t *records);

#endif
