/*
 * file.c - the one way files are opened (never blocking, no access-time change, no
 * symlink followed where asked) and bounded whole-file reads (see sakimori/file.h).
 */
#define _GNU_SOURCE /* O_NOATIME */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/file.h>

#ifndef O_NOATIME
#define O_NOATIME 0
#endif

const char *sk_file_type_name(int type)
{
    switch (type) {
    case SK_FILE_REG: return "a regular file";
    case SK_FILE_TYPE_DIR: return "a directory";
    case SK_FILE_FIFO: return "a FIFO";
    default: return "a special file";
    }
}

int sk_file_open(int dirfd, const char *path, unsigned flags, int *fd, sk_file_info *info)
{
    *fd = -1;
    int of = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    if (flags & SK_FILE_NOFOLLOW) of |= O_NOFOLLOW;
    if (flags & SK_FILE_DIR) of |= O_DIRECTORY;
    if (dirfd == SK_FILE_CWD) dirfd = AT_FDCWD;
    int f = openat(dirfd, path, of | O_NOATIME);
    if (f < 0 && errno == EPERM && (of | O_NOATIME) != of) f = openat(dirfd, path, of); /* not ours: O_NOATIME refused */
    if (f < 0) {
        int e = errno;
        if (e == ELOOP && (flags & SK_FILE_NOFOLLOW))
            return sk_error_set(SK_EIO, "%s: is a symbolic link (not followed)", path);
        if (e == ENOTDIR && (flags & SK_FILE_DIR)) return sk_error_set(SK_EIO, "%s: not a directory", path);
        return sk_error_set(e == ENOMEM ? SK_ENOMEM : SK_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(f, &st)) {
        int e = errno;
        close(f);
        return sk_error_set(SK_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    int type = S_ISREG(st.st_mode) ? SK_FILE_REG : S_ISDIR(st.st_mode) ? SK_FILE_TYPE_DIR
             : S_ISFIFO(st.st_mode) ? SK_FILE_FIFO : SK_FILE_OTHER;
    int want = (flags & SK_FILE_DIR) ? SK_FILE_TYPE_DIR : SK_FILE_REG;
    if (!(flags & SK_FILE_ANY) && type != want) {
        close(f);
        return sk_error_set(SK_EIO, "%s: not %s (%s)", path, want == SK_FILE_REG ? "a regular file" : "a directory",
                            sk_file_type_name(type));
    }
    if (info) {
        info->type = type;
        info->size = (uint64_t)st.st_size;
        info->dev = (uint64_t)st.st_dev;
        info->ino = (uint64_t)st.st_ino;
        info->mtime = (sk_time)st.st_mtim.tv_sec * SK_NS_PER_SEC + st.st_mtim.tv_nsec;
        info->ctime = (sk_time)st.st_ctim.tv_sec * SK_NS_PER_SEC + st.st_ctim.tv_nsec;
    }
    *fd = f;
    return 0;
}

int sk_file_read_all(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    int fd;
    sk_file_info st;
    int orc = sk_file_open(SK_FILE_CWD, path, 0, &fd, &st);
    if (orc) return orc;
    if (st.size > max) {
        close(fd);
        return sk_error_set(SK_ELIMIT, "%s: larger than %zu bytes", path, max);
    }
    sk_buf b;
    sk_buf_init(&b, max);
    int rc = 0;
    /* read in place into a buffer sized by fstat; a file that grows is followed up to max */
    size_t want = st.size < 65536 ? 65536 : (size_t)st.size;
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

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void sk_dir_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

int sk_dir_names(int dfd, char ***out, size_t *out_n)
{
    *out = NULL, *out_n = 0;
    int fd = dup(dfd);
    if (fd < 0) return sk_error_set(SK_EIO, "%s", strerror(errno));
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return sk_error_set(SK_EIO, "%s", strerror(e));
    }
    rewinddir(d);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = sk_error_set(SK_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = sk_error_set(SK_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc) {
        sk_dir_names_free(names, n);
        return rc;
    }
    if (n) qsort(names, n, sizeof *names, by_name);
    *out = names, *out_n = n;
    return 0;
}
