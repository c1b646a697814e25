/*
 * file.c - bounded whole-file reads (see sakimori/file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/file.h>

int sk_file_read_all(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sk_error_set(SK_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return sk_error_set(SK_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return sk_error_set(SK_ELIMIT, "%s: larger than %zu bytes", path, max);
    }
    sk_buf b;
    sk_buf_init(&b, max);
    int rc = 0;
    /* read in place into a buffer sized by fstat; a file that grows is followed up to max */
    size_t want = (size_t)st.st_size < 65536 ? 65536 : (size_t)st.st_size;
    if (want > max) want = max;
    if (want && !(rc = sk_buf_reserve(&b, want))) b.data[0] = '\0';
    while (!rc) {
        if (b.cap - b.len < 2) { /* full: at the end, or has it grown? */
            char t;
            ssize_t r = read(fd, &t, 1);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                rc = sk_error_set(SK_EIO, "%s: read error: %s", path, strerror(errno));
                break;
            }
            if (r == 0) break;
            if ((rc = sk_buf_append(&b, &t, 1))) {
                sk_error_set(SK_ELIMIT, "%s: larger than %zu bytes", path, max);
                break;
            }
            size_t grow = b.len < 65536 ? 65536 : b.len;
            if (grow > max - b.len) grow = max - b.len;
            if (grow && (rc = sk_buf_reserve(&b, grow))) break;
            continue;
        }
        ssize_t r = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = sk_error_set(SK_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (r == 0) break;
        b.len += (size_t)r;
        b.data[b.len] = '\0';
    }
    close(fd);
    if (rc) {
        sk_buf_free(&b);
        return rc;
    }
    *out = sk_buf_detach(&b, len);
    return *out ? 0 : SK_ENOMEM;
}
