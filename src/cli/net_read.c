/*
 * net_read.c - one input pushed through a network-log reader (net_read.h), in 1 MiB
 * reads; an input the reader rejects on its first line is not read further. And the
 * --map argument both commands take, as text or from a file.
 */
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/common.h>
#include <sakimori/file.h>

#include "cli.h"
#include "net_read.h"

uint64_t net_input_bound(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
}

ssize_t net_read_bounded(int fd, void *buf, size_t n, uint64_t *left)
{
    if ((uint64_t)n > *left) n = (size_t)*left;
    if (!n) return 0;
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k < 0 && errno == EINTR) continue;
        if (k > 0) *left -= (uint64_t)k;
        return k;
    }
}

int net_read_fd(const char *cmd, const char *path, int fd, sk_netlog_reader *r, sk_hasher *hs, int *bad, uint64_t *left)
{
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    if (!buf) return sk_error_set(SK_ENOMEM, "out of memory");
    int rc = 0;
    while (!rc && !sk_netlog_reader_rejected(r)) {
        ssize_t n = net_read_bounded(fd, buf, cap, left);
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

int net_map_load(const char *cmd, const char *arg, char **out)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    if (arg[0] == '@') {
        int rc = sk_file_read_all(arg + 1, (size_t)64 << 10, &text, &len);
        if (rc) {
            sk_cli_error(cmd, "--map: %s", sk_error_last());
            return rc;
        }
        if (memchr(text, 0, len)) {
            sk_cli_error(cmd, "--map: %s: not text", arg + 1);
            free(text);
            return SK_EINVAL;
        }
    } else {
        text = strdup(arg);
        if (!text) return sk_error_set(SK_ENOMEM, "out of memory");
    }
    int rc = sk_netlog_field_map_check(text);
    if (rc) {
        sk_cli_error(cmd, "--map: %s", sk_error_last());
        free(text);
        return rc;
    }
    *out = text;
    return 0;
}
