/*
 * sakimori/utf.h - UTF-8 and UTF-16 handling for hostile text.
 *
 * Windows hands us UTF-16LE (EVTX, PE resources, registry) that may contain unpaired
 * surrogates; Linux hands us byte strings (paths) that may not be UTF-8 at all.
 * sakimori keeps such text losslessly:
 *  - UTF-16 is converted to WTF-8: an unpaired surrogate becomes its 3-byte
 *    generalised UTF-8 form (ED A0..BF xx) instead of being replaced.
 *  - The JSON writer prints WTF-8 surrogates as "\udXXX" escapes and bytes that
 *    are not UTF-8 at all as "\udcXX" (the PEP 383 "surrogateescape" mapping), so
 *    every byte string round-trips through sakimori's JSON reader.
 */
#ifndef SAKIMORI_UTF_H
#define SAKIMORI_UTF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Decode one code point at s[0..n). Returns the sequence length (1..4) and stores
 * the code point in *cp. Invalid or truncated sequences return 0 and set *cp to
 * the single offending byte value; callers then consume one byte.
 * With `allow_surrogates` non-zero, 3-byte encodings of U+D800..U+DFFF (WTF-8) are
 * accepted; otherwise they are invalid as strict UTF-8 requires.
 */
size_t sk_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp, int allow_surrogates);

/** Encode a code point (<= 0x10FFFF, surrogates allowed) into out[0..4); returns length. */
size_t sk_utf8_encode(uint32_t cp, uint8_t out[4]);

/** 1 when s[0..n) is valid strict UTF-8. */
int sk_utf8_valid(const uint8_t *s, size_t n);

/**
 * Append the WTF-8 form of `units` UTF-16LE code units read from `p` (byte pointer,
 * any alignment). Stops early at a NUL unit when `stop_at_nul` is set. Unpaired
 * surrogates are kept (see above). Returns 0 or SK_ELIMIT/SK_ENOMEM from the buffer.
 */
int sk_utf16le_to_utf8(sk_buf *out, const uint8_t *p, size_t units, int stop_at_nul);

/** The same into out, which has room for 3 * units bytes; returns the bytes written (no NUL). */
size_t sk_utf16le_to_utf8_raw(char *out, const uint8_t *p, size_t units, int stop_at_nul);

/**
 * Case-fold ASCII and the Latin-1/Greek/Cyrillic ranges Windows folds for file names,
 * appending the folded UTF-8 form. Used for case-insensitive Windows path keys.
 */
int sk_utf8_fold_case(sk_buf *out, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
