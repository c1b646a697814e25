/*
 * sakimori/cfg.h - strict validation of JSON configuration files (case.json, scenario
 * files): every error is one line naming the file, the line and the key path
 * ("case.json:14: key 'regions[1].sites[0].subnets[2]': ..."), unknown keys are
 * errors, and validated strings are copied into an arena the caller owns.
 */
#ifndef SAKIMORI_CFG_H
#define SAKIMORI_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "json.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Validation state: the file name, where strings go, and the current key path. */
typedef struct sk_cfg {
    const char *file;
    sk_arena *arena;
    char path[256];
} sk_cfg;

/** Start validating `file` (used in messages); strings are copied into `arena`. */
void sk_cfg_init(sk_cfg *x, const char *file, sk_arena *arena);

/** Set the last error "<file>:<line of v>: key '<path>': <message>" and return SK_EFORMAT. */
int sk_cfg_error(sk_cfg *x, const sk_json_value *v, const char *fmt, ...) SK_PRINTF(3, 4);

/** Push ".key" or "[i]" onto the key path; each returns the length to give sk_cfg_pop(). */
size_t sk_cfg_push_key(sk_cfg *x, const char *key);
size_t sk_cfg_push_index(sk_cfg *x, size_t i);
void sk_cfg_pop(sk_cfg *x, size_t mark);

/** `obj` must be an object without repeated keys whose keys are all in `allowed` (NULL-ended). */
int sk_cfg_check_keys(sk_cfg *x, const sk_json_value *obj, const char *const *allowed);

/**
 * Member `key` of `obj` with JSON type `type` (SK_JSON_TRUE accepts either boolean).
 * Missing: an error when `required`, else *out = NULL and 0.
 */
int sk_cfg_member(sk_cfg *x, const sk_json_value *obj, const char *key, sk_json_type type,
                  int required, const sk_json_value **out);

/** An identifier (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric); *out NULL when absent. */
int sk_cfg_id(sk_cfg *x, const sk_json_value *obj, const char *key, int required, const char **out);

/** A non-empty string without NUL of at most maxlen bytes; *out NULL when absent. */
int sk_cfg_string(sk_cfg *x, const sk_json_value *obj, const char *key, int required,
                  size_t maxlen, const char **out);

/** An ISO 8601 time with a zone; *out untouched when absent and optional. */
int sk_cfg_time(sk_cfg *x, const sk_json_value *obj, const char *key, int required, sk_time *out);

/** A number in [min, max]; *out untouched when absent and optional. */
int sk_cfg_number(sk_cfg *x, const sk_json_value *obj, const char *key, int required, double min,
                  double max, double *out);

/** An integer in [min, max]; *out untouched when absent and optional. */
int sk_cfg_int(sk_cfg *x, const sk_json_value *obj, const char *key, int required, int64_t min,
               int64_t max, int64_t *out);

/** A boolean; *out untouched when absent and optional. */
int sk_cfg_bool(sk_cfg *x, const sk_json_value *obj, const char *key, int required, int *out);

/** 1 when s[0..n) is a valid identifier as sk_cfg_id() requires. */
int sk_cfg_valid_id(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
