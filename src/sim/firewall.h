/*
 * firewall.h - the regional firewalls' traffic logs (firewall.c).
 */
#ifndef SK_SIM_FIREWALL_H
#define SK_SIM_FIREWALL_H

#include <stdint.h>

#include "out.h"
#include "world.h"

/** Write logs/firewall/<FW>/traffic-YYYY-MM-DD.csv for every region's firewall (local time, local days). */
int sim_firewall_write(const sim_world *w, sim_out *o, uint64_t *lines);

/** The region's firewall name (its first site's code and FW01). */
void sim_firewall_name(const sim_world *w, size_t region, char out[24]);


#endif
