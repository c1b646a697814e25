/*
 * sakimori/common.h - error codes, the thread-local last-error message and the
 * limits every module shares.
 *
 * Convention (libgit2-style): functions return int, 0 is success and a negative
 * SK_E* code is failure. On failure a one-line, human-readable message is left in
 * thread-local state and can be read with sk_error_last(). Input errors name the
 * input and the byte offset or line (e.g. "case.json:12: key 'sites[0].subnets[1]':
 * not a CIDR prefix"). The library never exits and never aborts on bad input or OOM.
 */
#ifndef SAKIMORI_COMMON_H
#define SAKIMORI_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes. Keep in sync with sk_error_name(). */
typedef enum sk_error_code {
    SK_OK = 0,
    SK_ENOMEM = -1,    /**< allocation failed */
    SK_EINVAL = -2,    /**< caller passed an invalid argument (a bug in the caller) */
    SK_EIO = -3,       /**< the operating system refused a read or write */
    SK_EFORMAT = -4,   /**< the input is malformed; message names file and offset/line */
    SK_ELIMIT = -5,    /**< a hard limit was reached (size, depth, count) */
    SK_ENOTFOUND = -6, /**< a looked-up item does not exist */
    SK_EEXISTS = -7,   /**< the target already exists and will not be clobbered */
    SK_EINTERNAL = -8  /**< an invariant broke: a bug in sakimori */
} sk_error_code;

/** printf-style format checking where the compiler supports it. */
#if defined(__GNUC__) || defined(__clang__)
#define SK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SK_PRINTF(fmt, args)
#endif

/** Longest error message kept; longer ones are cut with "...". */
#define SK_ERROR_MAX 512

/**
 * Set the calling thread's last error and return `code`, so a failing path can
 * say `return sk_error_set(SK_EFORMAT, "%s:%zu: ...", path, line);`.
 * The message stays one line and safe for a terminal even when it quotes hostile
 * input: C0 controls and DEL are written as \xNN, C1 controls and U+2028/U+2029 as
 * \uNNNN, bytes that are not UTF-8 as \xNN; a message longer than SK_ERROR_MAX is
 * cut with "...". The arguments may include sk_error_last() itself.
 */
int sk_error_set(int code, const char *fmt, ...) SK_PRINTF(2, 3);

/** Prefix the current message with "prefix: " (e.g. a file name added by a caller). */
int sk_error_prefix(int code, const char *prefix);

/** The calling thread's last error message; "" when none. Valid until the next set. */
const char *sk_error_last(void);

/** The code stored with the last message (SK_OK when none). */
int sk_error_last_code(void);

/** Forget the last error. */
void sk_error_clear(void);

/** Static name of a code: "SK_EFORMAT" etc. */
const char *sk_error_name(int code);

#ifdef __cplusplus
}
#endif
#endif
