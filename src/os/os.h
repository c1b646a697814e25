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
#ifndef OS_H
#define OS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sakimori/timestamp.h>

typedef enum os_type { OS_REG, OS_DIR, OS_LNK, OS_OTHER } os_type;

typedef struct os_stat {
    os_type type;
    uint64_t dev, ino, size, nlink;
    uint64_t alloc;                 /* bytes allocated on disk: less than size when the file may have holes */
    uint32_t mode, uid, gid;        /* mode: permission bits (07777) */
    sk_time mtime, ctime, crtime;   /* crtime SK_TIME_NONE where the file system has none */
    char owner[192];                /* left "" here: the caller fills it where it knows (an NTFS owner SID) */
} os_stat;

/** An extended attribute of a directory entry, not following a symlink: its length, or -1. */
ssize_t os_xattr_at(int dirfd, const char *name, const char *attr, void *buf, size_t cap);

/** Open the root of a walk (a directory; a symlink given here is followed, as the user named it). */
int os_open_root(const char *path, int *fd);

/** Open a subdirectory without following a symlink. */
int os_open_dir_at(int dirfd, const char *name, int *fd);

/** Open a regular file for reading: no symlink, no atime update where permitted, no blocking on FIFOs. */
int os_open_file_at(int dirfd, const char *name, int *fd);

/** Metadata of a directory entry, not following a symlink. */
int os_stat_at(int dirfd, const char *name, os_stat *st);

/** Metadata of an open handle, with the creation time where the file system records it. */
int os_fstat(int fd, os_stat *st);

/** Read up to n bytes at the current position; 0 at the end. Retries on EINTR. */
ssize_t os_read(int fd, void *buf, size_t n);

/** Read up to n bytes at off; 0 at the end. */
ssize_t os_pread(int fd, void *buf, size_t n, uint64_t off);

/**
 * The data extent at or after `off` of an open regular file: *data is where the next
 * data begins (the bytes in [off, *data) are a hole, read as zeros), *hole where that
 * data ends (the next hole, or the end of the file). *data is the file's end when only
 * a hole follows. Returns 0, or -1 when the file system cannot say (then read it all).
 */
int os_next_data(int fd, uint64_t off, uint64_t *data, uint64_t *hole);

/** Open the parent of an open directory (its ".."), as os_open_dir_at opens. */
int os_open_parent(int dirfd, int *fd);

/** Hint a sequential read of the whole file. */
void os_advise_sequential(int fd);

void os_close(int fd);

/** A directory's entries: names (bytes, no "." or ".."), sorted bytewise. */
typedef struct os_names {
    char **names;
    size_t n;
    char *pool;
} os_names;

/** Read every entry of an open directory (which it consumes and closes the stream of,
 * not the handle). Returns 0 or the error, with the entries read so far. */
int os_read_names(int dirfd, os_names *out);
void os_names_free(os_names *n);

/**
 * The identity of the file system holding fd, stable across remounts: its UUID
 * ("uuid:..." from the block device's by-uuid link or the FS_IOC_GETFSUUID ioctl),
 * else "fsid:..." from statfs (stable for one mount only). Always fills out.
 */
void os_fs_id(int fd, char out[80]);

/** Bytes in use on the file system when `path` (open as fd) is its top directory
 * (a mount point or /), else 0: the size of a whole-volume walk, for an ETA. */
uint64_t os_fs_used(int fd, const char *path);

/** This host's network interfaces: cb(ctx, 0, "10.1.2.3") per address (not loopback),
 * cb(ctx, 1, "00:1a:2b:3c:4d:5e") per hardware address. */
void os_interfaces(void (*cb)(void *ctx, int mac, const char *text), void *ctx);

/** This host's name, OS name and version (uname), best effort. */
void os_host(char *name, size_t nn, char *os, size_t on, char *version, size_t vn);

#endif
