/*
 * out.h - writing the simulator's output files: exclusive creation (never clobber),
 * directories created as needed, byte counts for the summary.
 */
#ifndef SK_SIM_OUT_H
#define SK_SIM_OUT_H

#include <stdint.h>
#include <stdio.h>

#include <sakimori/buf.h>

typedef struct sim_out {
    const char *dir;
    uint64_t files, bytes;
} sim_out;

/** Create dir/rel's parent directories and the file itself (fails if it exists). */
FILE *sim_out_open(sim_out *o, const char *rel);

/** Write a buffer as dir/rel in one go. */
int sim_out_write(sim_out *o, const char *rel, const sk_buf *b);

/** Close a file from sim_out_open, counting its bytes; reports write errors. */
int sim_out_close(sim_out *o, FILE *f, const char *rel);

#endif
