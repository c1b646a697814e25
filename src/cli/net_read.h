/*
 * net_read.h - what `net records` and `hunt net` share: one opened input pushed through
 * a network-log reader, hashed on the way when the opening did not hash it; the field
 * map given with --map.
 */
#ifndef SK_NET_READ_H
#define SK_NET_READ_H

#include <sakimori/digest.h>
#include <sakimori/netlog.h>

#include <stdint.h>
#include <sys/types.h>

/* An opened input's bound: the size a regular file has now (a log still being written is
 * read to that size, never followed), else unbounded (UINT64_MAX). */
uint64_t net_input_bound(int fd);

/* One read of at most n bytes, EINTR retried, never past *left (decremented): 0 at the
 * end or the bound, -1 with errno on an error. */
ssize_t net_read_bounded(int fd, void *buf, size_t n, uint64_t *left);

/* Read fd into r to its end, its bound *left (net_input_bound) or until r rejects the
 * input; hs (may be NULL) gets every byte read. A read error is said as "CMD: PATH: read
 * error: ..." and sets *bad. Returns the reader's or the hasher's error, else 0. */
int net_read_fd(const char *cmd, const char *path, int fd, sk_netlog_reader *r, sk_hasher *hs, int *bad, uint64_t *left);

/* The text of a --map argument: SPEC as given, or the contents of FILE for "@FILE" (at
 * most 64 KiB); checked (sk_netlog_field_map_check). *out is malloc'd. On an error the
 * message is said as "CMD: --map: ..." and SK_EINVAL (or the read error) returned. */
int net_map_load(const char *cmd, const char *arg, char **out);

#endif
