/*
 * evtx_int.h - what dump.c and jsonlog.c share, private.
 */
#ifndef SK_EVTX_INT_H
#define SK_EVTX_INT_H

#include <stdint.h>

/** The SHA-256 of fd's first `size` bytes (pread: the position is left alone), as
 * lower-case hex. 0, or an error code. */
int sk_evtx_hash_fd(int fd, uint64_t size, char out[65]);

struct sk_evtx_file_stats;

/** Clear the stats and open an input read-only (without touching its access time where
 * permitted), checking it is a regular file: 0 with *fd, or SK_EIO naming the path. */
int sk_evtx_open(const char *path, int *fd, struct sk_evtx_file_stats *stats);

#endif
