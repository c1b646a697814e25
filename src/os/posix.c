/*
 * posix.c - the OS layer on Linux (see os.h): openat/fstatat/statx, O_NOFOLLOW,
 * O_NOATIME where the caller owns the file or has CAP_FOWNER (else without it),
 * ntfs-3g's system.ntfs_crtime for creation times on NTFS.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netpacket/packet.h>
#include <net/if.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sakimori/bytes.h>
#include <sakimori/common.h>
#include <sakimori/file.h>

#include "os.h"

static int os_err(int e, const char *what, const char *name)
{
    return sk_error_set(e == ENOMEM ? SK_ENOMEM : SK_EIO, "%s %s: %s", what, name, strerror(e));
}

/* Every open goes through sk_file_open (sakimori/file.h): O_NOATIME where permitted,
 * never blocking. The root is the one place a symlink is followed, as the user named it. */
int os_open_root(const char *path, int *fd)
{
    return sk_file_open(SK_FILE_CWD, path, SK_FILE_DIR, fd, NULL);
}

int os_open_dir_at(int dirfd, const char *name, int *fd)
{
    return sk_file_open(dirfd, name, SK_FILE_DIR | SK_FILE_NOFOLLOW, fd, NULL);
}

int os_open_file_at(int dirfd, const char *name, int *fd)
{
    return sk_file_open(dirfd, name, SK_FILE_NOFOLLOW, fd, NULL);
}

/* The creation time of an NTFS file through ntfs-3g: a FILETIME in an xattr. */
static sk_time ntfs_crtime(ssize_t got, const uint8_t ft[8])
{
    if (got != 8) return SK_TIME_NONE;
    return sk_time_from_filetime(sk_le64(ft));
}

static void from_statx(const struct statx *x, os_stat *st)
{
    unsigned m = x->stx_mode;
    st->type = S_ISREG(m) ? OS_REG : S_ISDIR(m) ? OS_DIR : S_ISLNK(m) ? OS_LNK : OS_OTHER;
    st->dev = makedev(x->stx_dev_major, x->stx_dev_minor);
    st->ino = x->stx_ino;
    st->size = x->stx_size;
    st->nlink = x->stx_nlink;
    st->alloc = x->stx_blocks * 512;
    st->mode = m & 07777;
    st->uid = x->stx_uid;
    st->gid = x->stx_gid;
    st->mtime = (sk_time)x->stx_mtime.tv_sec * SK_NS_PER_SEC + x->stx_mtime.tv_nsec;
    st->ctime = (sk_time)x->stx_ctime.tv_sec * SK_NS_PER_SEC + x->stx_ctime.tv_nsec;
    st->owner[0] = '\0';
    st->crtime = (x->stx_mask & STATX_BTIME) ? (sk_time)x->stx_btime.tv_sec * SK_NS_PER_SEC + x->stx_btime.tv_nsec
                                             : SK_TIME_NONE;
}

/* One statx call gives what fstatat gives and the birth time; NTFS through ntfs-3g
 * keeps its creation time in an xattr instead. */
int os_stat_at(int dirfd, const char *name, os_stat *st)
{
    struct statx x;
    if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME, &x))
        return os_err(errno, "stat", name);
    from_statx(&x, st);
    if (st->type == OS_REG && st->crtime == SK_TIME_NONE) {
        char p[64 + 4096];
        uint8_t ft[8];
        if ((size_t)snprintf(p, sizeof p, "/proc/self/fd/%d/%s", dirfd, name) < sizeof p)
            st->crtime = ntfs_crtime(lgetxattr(p, "system.ntfs_crtime", ft, sizeof ft), ft);
    }
    return 0;
}

int os_fstat(int fd, os_stat *st)
{
    struct statx x;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &x)) return os_err(errno, "stat", "(open file)");
    from_statx(&x, st);
    if (st->crtime == SK_TIME_NONE && st->type == OS_REG) {
        uint8_t ft[8];
        st->crtime = ntfs_crtime(fgetxattr(fd, "system.ntfs_crtime", ft, sizeof ft), ft);
    }
    return 0;
}

ssize_t os_read(int fd, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0 || errno != EINTR) return r;
    }
}

ssize_t os_pread(int fd, void *buf, size_t n, uint64_t off)
{
    for (;;) {
        ssize_t r = pread(fd, buf, n, (off_t)off);
        if (r >= 0 || errno != EINTR) return r;
    }
}

int os_next_data(int fd, uint64_t off, uint64_t *data, uint64_t *hole)
{
    if (off > (uint64_t)INT64_MAX) return -1;
    off_t d = lseek(fd, (off_t)off, SEEK_DATA);
    if (d < 0) {
        if (errno != ENXIO) return -1;
        struct stat s; /* no data past off: a hole to the end */
        if (fstat(fd, &s)) return -1;
        *data = *hole = (uint64_t)s.st_size > off ? (uint64_t)s.st_size : off;
        return 0;
    }
    off_t h = lseek(fd, d, SEEK_HOLE);
    if (h < 0) return -1;
    *data = (uint64_t)d;
    *hole = (uint64_t)h;
    return 0;
}

int os_open_parent(int dirfd, int *fd)
{
    /* ".." is never a symbolic link; the caller checks it is the directory it left */
    return sk_file_open(dirfd, "..", SK_FILE_DIR | SK_FILE_NOFOLLOW, fd, NULL);
}

void os_advise_sequential(int fd)
{
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

void os_close(int fd)
{
    if (fd >= 0) close(fd);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int os_read_names(int dirfd, os_names *out)
{
    memset(out, 0, sizeof *out);
    int dup_fd = dup(dirfd); /* the stream owns its descriptor; the caller keeps theirs */
    if (dup_fd < 0) return os_err(errno, "readdir", "(directory)");
    DIR *d = fdopendir(dup_fd);
    if (!d) {
        close(dup_fd);
        return os_err(errno, "readdir", "(directory)");
    }
    rewinddir(d);
    size_t pool_len = 0, pool_cap = 0, cap = 0;
    size_t *offs = NULL;
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno) rc = os_err(errno, "readdir", "(directory)");
            break;
        }
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t len = strlen(e->d_name) + 1;
        if (pool_len + len > pool_cap) {
            size_t nc = pool_cap ? pool_cap * 2 : 4096;
            while (nc < pool_len + len) nc *= 2;
            char *np = realloc(out->pool, nc);
            if (!np) {
                rc = sk_error_set(SK_ENOMEM, "readdir: out of memory");
                break;
            }
            out->pool = np, pool_cap = nc;
        }
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            size_t *no = realloc(offs, nc * sizeof *no);
            if (!no) {
                rc = sk_error_set(SK_ENOMEM, "readdir: out of memory");
                break;
            }
            offs = no, cap = nc;
        }
        memcpy(out->pool + pool_len, e->d_name, len);
        offs[out->n++] = pool_len;
        pool_len += len;
    }
    closedir(d);
    if (out->n) {
        out->names = malloc(out->n * sizeof *out->names);
        if (!out->names) {
            free(offs);
            os_names_free(out);
            return sk_error_set(SK_ENOMEM, "readdir: out of memory");
        }
        for (size_t i = 0; i < out->n; i++) out->names[i] = out->pool + offs[i];
        qsort(out->names, out->n, sizeof *out->names, cmp_names);
    }
    free(offs);
    return rc;
}

void os_names_free(os_names *n)
{
    if (!n) return;
    free(n->names);
    free(n->pool);
    memset(n, 0, sizeof *n);
}

void os_fs_id(int fd, char out[80])
{
    struct stat s;
    if (!fstat(fd, &s)) {
        /* the block device's UUID, through udev's by-uuid links */
        DIR *d = opendir("/dev/disk/by-uuid");
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                struct stat b;
                if (!fstatat(dirfd(d), e->d_name, &b, 0) && S_ISBLK(b.st_mode) && b.st_rdev == s.st_dev) {
                    snprintf(out, 80, "uuid:%.70s", e->d_name);
                    closedir(d);
                    return;
                }
            }
            closedir(d);
        }
    }
#ifdef FS_IOC_GETFSUUID
    struct fsuuid2 u;
    if (!ioctl(fd, FS_IOC_GETFSUUID, &u) && u.len > 0 && u.len <= 16) {
        char *p = out + snprintf(out, 80, "uuid:");
        for (unsigned i = 0; i < u.len; i++) p += snprintf(p, 3, "%02x", u.uuid[i]);
        return;
    }
#endif
    struct statfs f;
    if (!fstatfs(fd, &f)) {
        unsigned v[2];
        memcpy(v, &f.f_fsid, sizeof v);
        snprintf(out, 80, "fsid:%08x%08x:%lx", v[0], v[1], (unsigned long)f.f_type);
        return;
    }
    snprintf(out, 80, "unknown");
}

void os_host(char *name, size_t nn, char *os, size_t on, char *version, size_t vn)
{
    struct utsname u;
    if (uname(&u)) {
        snprintf(name, nn, "unknown");
        snprintf(os, on, "unknown");
        snprintf(version, vn, "unknown");
        return;
    }
    snprintf(name, nn, "%s", u.nodename);
    snprintf(os, on, "%s", u.sysname);
    snprintf(version, vn, "%s", u.release);
}

void os_interfaces(void (*cb)(void *ctx, int mac, const char *text), void *ctx)
{
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa)) return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK)) continue;
        char buf[INET6_ADDRSTRLEN + 8];
        int fam = i->ifa_addr->sa_family;
        if (fam == AF_INET) {
            if (inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, buf, sizeof buf)) cb(ctx, 0, buf);
        } else if (fam == AF_INET6) {
            if (inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, buf, sizeof buf)) cb(ctx, 0, buf);
        } else if (fam == AF_PACKET) {
            const struct sockaddr_ll *l = (const struct sockaddr_ll *)(void *)i->ifa_addr;
            if (l->sll_halen != 6) continue;
            const unsigned char *m = l->sll_addr;
            if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) continue;
            snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
            cb(ctx, 1, buf);
        }
    }
    freeifaddrs(ifa);
}

uint64_t os_fs_used(int fd, const char *path)
{
    struct stat self, parent;
    int top = !strcmp(path, "/");
    if (!top) {
        if (fstat(fd, &self) || fstatat(fd, "..", &parent, 0)) return 0;
        top = self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
    }
    struct statvfs v;
    if (!top || fstatvfs(fd, &v)) return 0;
    return (uint64_t)(v.f_blocks - v.f_bfree) * v.f_frsize;
}

ssize_t os_xattr_at(int dirfd, const char *name, const char *attr, void *buf, size_t cap)
{
    char p[64 + 4096];
    if ((size_t)snprintf(p, sizeof p, "/proc/self/fd/%d/%s", dirfd, name) >= sizeof p) return -1;
    return lgetxattr(p, attr, buf, cap);
}
