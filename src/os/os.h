/*
 * os.h - the operating-system layer under the collector: directory handles, file
 * metadata, reads that leave no trace, the file system's identity.
 *
 * The walk, the hashing and the PE reader above it use only these calls, so that a
 * Windows build needs a second implementation of this file (posix.c today) and
 * nothing else. Handles are plain ints on POSIX; every call is relative to a directory
 * handle and never follows a symbolic link in the last component, so a walk that
 * starts at a root cannot be led out of it.
 */
#ifndef SK_OS_H
#define SK_OS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sakimori/timestamp.h>

typedef enum sk_os_type { SK_OS_REG, SK_OS_DIR, SK_OS_LNK, SK_OS_OTHER } sk_os_type;

typedef struct sk_os_stat {
    sk_os_type type;
    uint64_t dev, ino, size, nlink;
    uint32_t mode, uid, gid;        /* mode: permission bits (07777) */
    sk_time mtime, ctime, crtime;   /* crtime SK_TIME_NONE where the file system has none */
    char owner[192];                /* left "" here: the caller fills it where it knows (an NTFS owner SID) */
} sk_os_stat;

/** An extended attribute of a directory entry, not following a symlink: its length, or -1. */
ssize_t sk_os_xattr_at(int dirfd, const char *name, const char *attr, void *buf, size_t cap);

/** Open the root of a walk (a directory; a symlink given here is followed, as the user named it). */
int sk_os_open_root(const char *path, int *fd);

/** Open a subdirectory without following a symlink. */
int sk_os_open_dir_at(int dirfd, const char *name, int *fd);

/** Open a regular file for reading: no symlink, no atime update where permitted, no blocking on FIFOs. */
int sk_os_open_file_at(int dirfd, const char *name, int *fd);

/** Metadata of a directory entry, not following a symlink. */
int sk_os_stat_at(int dirfd, const char *name, sk_os_stat *st);

/** Metadata of an open handle, with the creation time where the file system records it. */
int sk_os_fstat(int fd, sk_os_stat *st);

/** Read up to n bytes at the current position; 0 at the end. Retries on EINTR. */
ssize_t sk_os_read(int fd, void *buf, size_t n);

/** Read up to n bytes at off; 0 at the end. */
ssize_t sk_os_pread(int fd, void *buf, size_t n, uint64_t off);

/** Hint a sequential read of the whole file. */
void sk_os_advise_sequential(int fd);

void sk_os_close(int fd);

/** A directory's entries: names (bytes, no "." or ".."), sorted bytewise. */
typedef struct sk_os_names {
    char **names;
    size_t n;
    char *pool;
} sk_os_names;

/** Read every entry of an open directory (which it consumes and closes the stream of,
 * not the handle). Returns 0 or the error, with the entries read so far. */
int sk_os_read_names(int dirfd, sk_os_names *out);
void sk_os_names_free(sk_os_names *n);

/**
 * The identity of the file system holding fd, stable across remounts: its UUID
 * ("uuid:..." from the block device's by-uuid link or the FS_IOC_GETFSUUID ioctl),
 * else "fsid:..." from statfs (stable for one mount only). Always fills out.
 */
void sk_os_fs_id(int fd, char out[80]);

/** Bytes in use on the file system when `path` (open as fd) is its top directory
 * (a mount point or /), else 0: the size of a whole-volume walk, for an ETA. */
uint64_t sk_os_fs_used(int fd, const char *path);

/** This host's network interfaces: cb(ctx, 0, "10.1.2.3") per address (not loopback),
 * cb(ctx, 1, "00:1a:2b:3c:4d:5e") per hardware address. */
void sk_os_interfaces(void (*cb)(void *ctx, int mac, const char *text), void *ctx);

/** This host's name, OS name and version (uname), best effort. */
void sk_os_host(char *name, size_t nn, char *os, size_t on, char *version, size_t vn);

#endif
