/*
 * net_read.c - one input pushed through a network-log reader (net_read.h), in 1 MiB
 * reads; an input the reader rejects on its first line is not read further.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/common.h>

#include "cli.h"
#include "net_read.h"

int net_read_fd(const char *cmd, const char *path, int fd, sk_netlog_reader *r, sk_hasher *hs, int *bad)
{
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    if (!buf) return sk_error_set(SK_ENOMEM, "out of memory");
    int rc = 0;
    while (!rc && !sk_netlog_reader_rejected(r)) {
        ssize_t n = read(fd, buf, cap);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            sk_cli_error(cmd, "%s: read error: %s", path, strerror(errno));
            *bad = 1;
            break;
        }
        if (!n) break;
        if (hs) rc = sk_hasher_update(hs, buf, (size_t)n);
        if (!rc) rc = sk_netlog_feed(r, buf, (size_t)n);
    }
    if (!rc) rc = sk_netlog_end(r);
    free(buf);
    return rc;
}
