/*
 * lines.c - reading an input line by line for the commands that read the case's
 * JSON-lines files (ingest, hunt files): every byte hashed (SHA-256) on the way, a line
 * of more than 64 MiB said and skipped instead of held, the last line without its
 * newline read as it is.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/sakimori.h>

#include "lines.h"


/* Every line of fd to cb, the bytes hashed into sha (hex); 64 MiB per line at most
 * (a longer one is said and skipped). *lines counts them. */
int cli_read_lines(const char *path, int fd, cli_line_cb cb, void *ctx, char sha_hex[65], uint64_t *lines)
{
    sk_hasher *h = NULL;
    if (sha_hex && (sk_hasher_new(&h) || sk_hasher_begin(h, SK_DIGEST_SHA256))) {
        sk_hasher_free(h);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    sk_buf line;
    sk_buf_init(&line, 0);
    char *buf = malloc(1 << 20);
    int rc = buf ? 0 : sk_error_set(SK_ENOMEM, "out of memory"), overlong = 0;
    uint64_t ln = 0;
    for (;;) {
        if (rc) break;
        ssize_t got = read(fd, buf, 1 << 20);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = sk_error_set(SK_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (got == 0) break;
        if (h) sk_hasher_update(h, buf, (size_t)got);
        const char *s = buf;
        size_t left = (size_t)got;
        while (left && !rc) {
            const char *nl = memchr(s, '\n', left);
            size_t take = nl ? (size_t)(nl - s) : left;
            if (!overlong) {
                if (line.len + take > ((size_t)64 << 20)) {
                    /* said at once, so that a caller may stop reading a file that is no
                     * text of its own (a 10 GB sparse file has no line end to wait for) */
                    overlong = 1;
                    sk_buf_reset(&line);
                    sk_error_set(SK_EFORMAT, "line %llu: longer than 64 MiB: skipped", (unsigned long long)ln + 1);
                    rc = cb(ctx, NULL, 0, ln + 1);
                    if (rc) break;
                } else if (take && sk_buf_append(&line, s, take)) rc = sk_error_set(SK_ENOMEM, "out of memory");
            }
            if (!nl) break;
            ln++;
            if (overlong) overlong = 0; /* its end: said when it grew too long */
            else rc = cb(ctx, line.data ? line.data : "", line.len, ln);
            sk_buf_reset(&line);
            s = nl + 1;
            left -= take + 1;
        }
    }
    if (!rc && (line.len || overlong)) { /* a last line without its newline */
        ln++;
        if (!overlong) rc = cb(ctx, line.data, line.len, ln);
    }
    if (h) {
        sk_digests d;
        sk_hasher_end(h, &d);
        sk_hex(sha_hex, d.sha256, 32);
        sk_hasher_free(h);
    }
    sk_buf_free(&line);
    free(buf);
    *lines = ln;
    return rc;
}

