/*
 * sakimori/escape.h - escaping attacker-controlled text for each output.
 *
 * Everything sakimori prints may quote strings the attacker wrote: file names,
 * command lines, user agents. Each output has its own escaper; there is no
 * "print raw" path for input text.
 */
#ifndef SAKIMORI_ESCAPE_H
#define SAKIMORI_ESCAPE_H

#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Terminal: C0/C1 controls, DEL, ESC sequences, and the Unicode bidi controls
 * (U+202A..U+202E, U+2066..U+2069, which can make "exe.txt" display as "txt.exe")
 * are written as visible escapes (\x1b, \u202e); backslash is doubled; invalid UTF-8
 * bytes become \xNN. The result is safe to print on any terminal.
 */
int sk_escape_terminal(sk_buf *out, const char *s, size_t n);

/** Flags for sk_escape_terminal_ex(). */
enum {
    /** Leave backslashes as they are: for messages, which quote Windows paths and need
     * not round-trip; every other escape still applies. */
    SK_ESC_KEEP_BACKSLASH = 1
};

/** sk_escape_terminal() with flags. */
int sk_escape_terminal_ex(sk_buf *out, const char *s, size_t n, unsigned flags);

/**
 * CSV (RFC 4180): the field is quoted when it contains a comma, quote, CR or LF, or
 * starts with a space; quotes are doubled. A field starting with = + - @ TAB or CR is
 * prefixed with a single quote so spreadsheet programs do not run it as a formula
 * (CSV injection). Control characters other than TAB/CR/LF become \xNN.
 */
int sk_escape_csv(sk_buf *out, const char *s, size_t n);

/** HTML text and attribute values: & < > " ' are replaced by entities. */
int sk_escape_html(sk_buf *out, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
