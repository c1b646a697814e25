/*
 * sakimori/file.h - reading a whole (small) file with a hard size limit: configuration
 * files, scenario files. Evidence is never read this way; readers stream it.
 */
#ifndef SAKIMORI_FILE_H
#define SAKIMORI_FILE_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Read the regular file `path` (at most `max` bytes) into a new NUL-terminated buffer
 * the caller frees. Errors name the path: SK_EIO (cannot open, not a regular file, read
 * error), SK_ELIMIT (larger than max), SK_ENOMEM.
 */
int sk_file_read_all(const char *path, size_t max, char **out, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
