/*
 * inventory.h - the simulated fleet's inventories (inventory.c).
 */
#ifndef SK_SIM_INVENTORY_H
#define SK_SIM_INVENTORY_H

#include <stdint.h>

#include "out.h"
#include "world.h"

typedef struct sim_inv sim_inv;

/** Build the base images and the software catalogue for the world. */
int sim_inv_new(sim_inv **out, const sim_world *w);

/**
 * Write bases, per-host delta listings (on `threads` workers, 0: all cores) and the
 * catalogue under snapshots/. The output does not depend on the thread count.
 */
int sim_inv_write(sim_inv *v, sim_out *o, unsigned threads, uint64_t *listing_entries);

/** Distinct contents (catalogue records). */
size_t sim_inv_contents(const sim_inv *v);

void sim_inv_free(sim_inv *v);

/** SHA-256 of the powershell.exe in the image `host` was installed from (as the catalogue has it). */
void sim_powershell_sha256(const sim_world *w, size_t host, uint8_t out[32]);

#endif
