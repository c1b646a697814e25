/*
 * netlogs.h - the simulated fleet's network logs (netlogs.c): Squid access logs per
 * proxy and day, ISC dhcpd leases and syslog per DHCP server.
 */
#ifndef SK_SIM_NETLOGS_H
#define SK_SIM_NETLOGS_H

#include <stdint.h>

#include "out.h"
#include "world.h"

/** Write logs/proxy/<PROXY>/access.log-YYYYMMDD and logs/dhcp/<SERVER>/{dhcpd.leases,dhcpd.log}. */
int sim_netlogs_write(const sim_world *w, sim_out *o, unsigned threads, uint64_t *lines);

#endif
