/*
 * sakimori/json.h - JSON writing (streaming, into an sk_buf) and reading (a whole
 * document into an arena-backed tree, with hard limits).
 *
 * Writer: output is compact JSON, one value per call sequence; strings are escaped
 * per RFC 8259 with the lossless rules of utf.h (WTF-8 surrogates and non-UTF-8
 * bytes become \uDXXX escapes). Commas and nesting are tracked for the caller.
 *
 * Reader: strict RFC 8259 (no comments, no trailing commas, no NaN), UTF-8 input;
 * escapes are decoded into WTF-8 so "\udc80" survives. Every value remembers its
 * byte offset so callers can report "file:line: key 'a.b[2]': ..." errors.
 * Limits: nesting depth, document size (via the arena cap), string length.
 */
#ifndef SAKIMORI_JSON_H
#define SAKIMORI_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writer ------------------------------------------------------------------ */

/** Deepest nesting the writer and the reader accept. */
#define SK_JSON_MAX_DEPTH 128

/**
 * Writer state; a plain struct so a writer costs nothing to set up per record.
 * Errors are sticky: after the first failure every call returns it and writes
 * nothing, so a caller can check once at the end with sk_jw_error().
 */
typedef struct sk_jw {
    sk_buf *out;
    int depth;
    int err;
    uint8_t first[SK_JSON_MAX_DEPTH + 1]; /* 1 while the container at depth d is empty */
    uint8_t after_key;
} sk_jw;

/** Start writing into `out` (appended to; nothing is cleared). */
void sk_jw_init(sk_jw *w, sk_buf *out);

int sk_jw_object_begin(sk_jw *w);
int sk_jw_object_end(sk_jw *w);
int sk_jw_array_begin(sk_jw *w);
int sk_jw_array_end(sk_jw *w);

/** Write an object key; the next call writes its value. */
int sk_jw_key(sk_jw *w, const char *key);
int sk_jw_keyn(sk_jw *w, const char *key, size_t n);

int sk_jw_string(sk_jw *w, const char *s);
int sk_jw_stringn(sk_jw *w, const char *s, size_t n);
int sk_jw_i64(sk_jw *w, int64_t v);
int sk_jw_u64(sk_jw *w, uint64_t v);
/** Non-finite doubles are written as null (JSON has no NaN/Infinity). */
int sk_jw_double(sk_jw *w, double v);
int sk_jw_bool(sk_jw *w, int v);
int sk_jw_null(sk_jw *w);
/** Lower-case hex string of n bytes (digests). */
int sk_jw_hex(sk_jw *w, const uint8_t *p, size_t n);
/** Append already-serialised JSON as one value. The caller vouches for its validity. */
int sk_jw_raw(sk_jw *w, const char *json, size_t n);

/** Convenience: key + value in one call. */
int sk_jw_kv_string(sk_jw *w, const char *key, const char *s);
int sk_jw_kv_i64(sk_jw *w, const char *key, int64_t v);
int sk_jw_kv_u64(sk_jw *w, const char *key, uint64_t v);
int sk_jw_kv_bool(sk_jw *w, const char *key, int v);
/**
 * An instant as every sakimori record writes it: ISO 8601 UTC with the fraction's
 * trailing zeros dropped ("2026-06-03T00:10:00Z", "...:19.4416625Z", nanoseconds at
 * most; sk_time_format_trim). sk_jw_time writes the value; sk_jw_kv_time writes
 * nothing at all (no key) for SK_TIME_NONE, so an unknown time is an absent member.
 */
int sk_jw_time(sk_jw *w, sk_time t);
int sk_jw_kv_time(sk_jw *w, const char *key, sk_time t);

/**
 * A time quality as every sakimori record writes it (docs/formats/time.md): the array
 * of the flags' names in bit order ("zone", "seconds", "missing", ...). sk_jw_kv_time_
 * quality writes nothing (no key) for 0 or SK_TQ_UTC alone: absent means "utc".
 */
int sk_jw_time_quality(sk_jw *w, uint32_t quality);
int sk_jw_kv_time_quality(sk_jw *w, const char *key, uint32_t quality);

/** 0, or the first error; also checks that every container was closed. */
int sk_jw_error(const sk_jw *w);

/**
 * Append `json` (valid JSON, as sk_jw writes it) re-indented for people: one member or
 * element per line, `indent` spaces per level, "key": value. Empty containers stay {}.
 */
int sk_json_indent(sk_buf *out, const char *json, size_t n, int indent);

/** Append the JSON string form (with quotes) of s[0..n) to a buffer. */
int sk_json_escape(sk_buf *out, const char *s, size_t n);

/* ---- reader ------------------------------------------------------------------ */

typedef enum sk_json_type {
    SK_JSON_NULL,
    SK_JSON_FALSE,
    SK_JSON_TRUE,
    SK_JSON_NUMBER,
    SK_JSON_STRING,
    SK_JSON_ARRAY,
    SK_JSON_OBJECT
} sk_json_type;

typedef struct sk_json_doc sk_json_doc;
typedef struct sk_json_value sk_json_value;

/** Reader limits; zero fields take the defaults shown. */
typedef struct sk_json_limits {
    size_t max_bytes;   /**< memory for the tree (default 64 MiB) */
    unsigned max_depth; /**< nesting (default and maximum SK_JSON_MAX_DEPTH) */
    int keep_invalid_utf8; /**< keep bytes that are not UTF-8 in strings instead of failing */
} sk_json_limits;

/**
 * Parse data[0..len) as one JSON document (surrounding whitespace allowed).
 * `name` (a file name, may be NULL) prefixes error messages, which give the line
 * and byte offset: "case.json:3: offset 41: expected ':' after object key".
 * On success *out owns the tree; free with sk_json_doc_free().
 */
int sk_json_parse(sk_json_doc **out, const char *data, size_t len, const char *name,
                  const sk_json_limits *limits);

/** A position in an input: byte offset and 1-based line. */
typedef struct sk_json_pos {
    size_t offset;
    size_t line;
} sk_json_pos;

/**
 * Parse the next JSON value of a stream of values (concatenated, or one per line, as
 * JSON-lines logs and pretty-printed dumps hold them). `data[0..len)` starts at file
 * position *pos (set {0, 1} for the start of a file); offsets and lines in messages and
 * in sk_json_offset()/sk_json_line() are file positions. On success *consumed is the
 * number of bytes read, including the whitespace after the value, and *pos has moved
 * past them. At the end of the data (only whitespace left) returns SK_ENOTFOUND with
 * *out NULL and no message. On a syntax error nothing is consumed.
 */
int sk_json_parse_next(sk_json_doc **out, const char *data, size_t len, const char *name,
                       const sk_json_limits *limits, sk_json_pos *pos, size_t *consumed);

void sk_json_doc_free(sk_json_doc *doc);

/** The root value (never NULL for a parsed document). */
const sk_json_value *sk_json_doc_root(const sk_json_doc *doc);


sk_json_type sk_json_type_of(const sk_json_value *v);

/** Byte offset in the input where the value starts. */
size_t sk_json_offset(const sk_json_value *v);

/** 1-based line in the input where the value starts (for error messages). */
size_t sk_json_line(const sk_json_value *v);

/** Strings: the decoded bytes (NUL-terminated, may contain NUL) and their length. */
const char *sk_json_string(const sk_json_value *v, size_t *len);

/** Numbers: the value as a double; NaN for values that are not numbers. */
double sk_json_number(const sk_json_value *v);

/**
 * Numbers that are integers written without fraction or exponent and fit in int64:
 * stores the value and returns 0; otherwise SK_EFORMAT (no message set).
 */
int sk_json_int64(const sk_json_value *v, int64_t *out);

/** The number exactly as written in the input (for lossless round-trips). */
const char *sk_json_number_text(const sk_json_value *v, size_t *len);

/** Arrays and objects: number of elements or members; 0 for other types. */
size_t sk_json_length(const sk_json_value *v);

/** Array element i, or NULL. */
const sk_json_value *sk_json_array_at(const sk_json_value *v, size_t i);

/** Object member i: its key (NUL-terminated; length in *klen when non-NULL) and value. */
const char *sk_json_object_key_at(const sk_json_value *v, size_t i, size_t *klen);
const sk_json_value *sk_json_object_value_at(const sk_json_value *v, size_t i);

/**
 * Member by key (the first one when a key repeats; sk_json_parse reports duplicates
 * only through sk_json_object_has_duplicates()). NULL when absent or not an object.
 */
const sk_json_value *sk_json_object_get(const sk_json_value *v, const char *key);

/** 1 when the object has a repeated key (a frequent sign of tampered input). */
int sk_json_object_has_duplicates(const sk_json_value *v);

/** Serialise a parsed value back into a writer (compact form). */
int sk_jw_value(sk_jw *w, const sk_json_value *v);

#ifdef __cplusplus
}
#endif
#endif
