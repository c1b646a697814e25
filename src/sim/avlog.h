/*
 * avlog.h - the AV management servers' web access logs (avlog.c).
 */
#ifndef SK_SIM_AVLOG_H
#define SK_SIM_AVLOG_H

#include <stdint.h>

#include "out.h"
#include "world.h"

/** Write logs/av/<SERVER>/W3SVC1/u_exYYMMDD.log for every AV management server. */
int sim_avlog_write(const sim_world *w, sim_out *o, uint64_t *lines);


#endif
