/*
 * sakimori/file.h - opening files the way evidence must be opened, and reading a whole
 * (small) file with a hard size limit.
 *
 * Everything sakimori reads may have been written by an attacker and is evidence, so
 * every file is opened through sk_file_open(): read-only, without changing its access
 * time where the system lets us (O_NOATIME needs the file's owner or CAP_FOWNER),
 * without ever blocking (a FIFO or a device named as an input is refused, not waited
 * on), and, inside a walked tree, without following a symbolic link. Configuration
 * files and scenario files are read whole with sk_file_read_all(); evidence is
 * streamed by its readers from a descriptor this function gave them.
 *
 * This file and src/core/digest.c are the only core files a Windows build replaces.
 */
#ifndef SAKIMORI_FILE_H
#define SAKIMORI_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** sk_file_open() relative to the current directory (AT_FDCWD on POSIX). */
#define SK_FILE_CWD (-100)

/** sk_file_open() flags. */
enum sk_file_open_flags {
    SK_FILE_NOFOLLOW = 1u << 0, /**< refuse a symbolic link in the last component */
    SK_FILE_DIR = 1u << 1,      /**< open a directory (and only a directory) */
    SK_FILE_ANY = 1u << 2       /**< any type (the caller checks it): the open still never blocks */
};

/** What sk_file_open() learnt of the file from the descriptor it opened. */
typedef struct sk_file_info {
    enum { SK_FILE_REG, SK_FILE_TYPE_DIR, SK_FILE_FIFO, SK_FILE_OTHER } type;
    uint64_t size, dev, ino;
    sk_time mtime, ctime; /* modification and status-change times */
} sk_file_info;

/**
 * Open `path` (relative to the directory handle `dirfd`, or SK_FILE_CWD) read-only:
 * O_NONBLOCK, so that opening a FIFO or a device cannot hang (the flag has no effect on
 * reads of regular files and directories); O_NOATIME where permitted, else without it;
 * O_NOCTTY and O_CLOEXEC. Then the type is checked on the descriptor itself (no race with
 * a rename): a regular file is required unless SK_FILE_DIR (a directory) or SK_FILE_ANY.
 * On success *fd is the descriptor (the caller closes it) and *info, when not NULL,
 * its metadata. Errors name the path: SK_EIO "PATH: cannot open: ...", "PATH: is a
 * symbolic link (not followed)", "PATH: not a regular file (a FIFO)"; *fd is -1.
 */
int sk_file_open(int dirfd, const char *path, unsigned flags, int *fd, sk_file_info *info);

/** Static name of a type for messages: "a regular file", "a directory", "a FIFO", "a special file". */
const char *sk_file_type_name(int type);

/**
 * Read the regular file `path` (at most `max` bytes) into a new NUL-terminated buffer
 * the caller frees, opened as sk_file_open() opens it (a FIFO is refused, never waited
 * on). Errors name the path: SK_EIO (cannot open, not a regular file, read error),
 * SK_ELIMIT (larger than max), SK_ENOMEM.
 */
int sk_file_read_all(const char *path, size_t max, char **out, size_t *len);

/**
 * The names in the folder open as `dfd` (the descriptor stays the caller's), "." and ".."
 * left out, sorted bytewise: a folder's files in the same order on every run. *names is a
 * new array of new strings (sk_dir_names_free). SK_EIO naming nothing (the caller names
 * the folder) when it cannot be read, SK_ENOMEM.
 */
int sk_dir_names(int dfd, char ***names, size_t *n);
void sk_dir_names_free(char **names, size_t n);

#ifdef __cplusplus
}
#endif
#endif
