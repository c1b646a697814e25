/*
 * cfg.c - strict JSON configuration validation with file:line:key messages
 * (see sakimori/cfg.h). Shared by case.json and the simulator's scenario files.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sakimori/cfg.h>

void sk_cfg_init(sk_cfg *x, const char *file, sk_arena *arena)
{
    x->file = file ? file : "<config>";
    x->arena = arena;
    x->path[0] = '\0';
}

int sk_cfg_error(sk_cfg *x, const sk_json_value *v, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = v ? sk_json_line(v) : 1;
    if (x->path[0])
        return sk_error_set(SK_EFORMAT, "%s:%zu: key '%s': %s", x->file, line, x->path, msg);
    return sk_error_set(SK_EFORMAT, "%s:%zu: %s", x->file, line, msg);
}

size_t sk_cfg_push_key(sk_cfg *x, const char *key)
{
    size_t old = strlen(x->path);
    snprintf(x->path + old, sizeof x->path - old, "%s%s", old ? "." : "", key);
    return old;
}

size_t sk_cfg_push_index(sk_cfg *x, size_t i)
{
    size_t old = strlen(x->path);
    snprintf(x->path + old, sizeof x->path - old, "[%zu]", i);
    return old;
}

void sk_cfg_pop(sk_cfg *x, size_t mark)
{
    if (mark < sizeof x->path) x->path[mark] = '\0';
}

int sk_cfg_check_keys(sk_cfg *x, const sk_json_value *obj, const char *const *allowed)
{
    if (sk_json_type_of(obj) != SK_JSON_OBJECT) return sk_cfg_error(x, obj, "must be an object");
    if (sk_json_object_has_duplicates(obj)) return sk_cfg_error(x, obj, "object has a repeated key");
    for (size_t i = 0; i < sk_json_length(obj); i++) {
        const char *k = sk_json_object_key_at(obj, i, NULL);
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, k)) ok = 1;
        if (!ok) {
            size_t o = sk_cfg_push_key(x, k);
            int rc = sk_cfg_error(x, sk_json_object_value_at(obj, i), "unknown key");
            sk_cfg_pop(x, o);
            return rc;
        }
    }
    return 0;
}

int sk_cfg_member(sk_cfg *x, const sk_json_value *obj, const char *key, sk_json_type type,
                  int required, const sk_json_value **out)
{
    const sk_json_value *v = sk_json_object_get(obj, key);
    *out = v;
    if (!v) return required ? sk_cfg_error(x, obj, "missing required key '%.80s'", key) : 0;
    sk_json_type t = sk_json_type_of(v);
    if (t == type || (type == SK_JSON_TRUE && t == SK_JSON_FALSE)) return 0;
    static const char *names[] = {"null",     "a boolean", "a boolean", "a number",
                                  "a string", "an array",  "an object"};
    size_t o = sk_cfg_push_key(x, key);
    int rc = sk_cfg_error(x, v, "must be %s", names[type]);
    sk_cfg_pop(x, o);
    return rc;
}

int sk_cfg_valid_id(const char *s, size_t n)
{
    if (n == 0 || n > 64 || !isalnum((unsigned char)s[0])) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-') return 0;
    }
    return 1;
}

int sk_cfg_id(sk_cfg *x, const sk_json_value *obj, const char *key, int required, const char **out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_STRING, required, &v);
    *out = NULL;
    if (rc || !v) return rc;
    size_t n;
    const char *s = sk_json_string(v, &n);
    if (!sk_cfg_valid_id(s, n)) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, v, "'%.80s' is not a name (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric)", s);
        sk_cfg_pop(x, o);
        return rc;
    }
    *out = sk_arena_strndup(x->arena, s, n);
    return *out ? 0 : SK_ENOMEM;
}

int sk_cfg_string(sk_cfg *x, const sk_json_value *obj, const char *key, int required,
                  size_t maxlen, const char **out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_STRING, required, &v);
    *out = NULL;
    if (rc || !v) return rc;
    size_t n;
    const char *s = sk_json_string(v, &n);
    if (n == 0 || n > maxlen || memchr(s, '\0', n)) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, v, "must be a non-empty string of at most %zu bytes", maxlen);
        sk_cfg_pop(x, o);
        return rc;
    }
    *out = sk_arena_strndup(x->arena, s, n);
    return *out ? 0 : SK_ENOMEM;
}

int sk_cfg_time(sk_cfg *x, const sk_json_value *obj, const char *key, int required, sk_time *out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_STRING, required, &v);
    if (rc || !v) return rc;
    size_t n;
    const char *s = sk_json_string(v, &n);
    sk_stamp st;
    if (sk_time_parse_iso8601(s, n, NULL, &st) || (st.quality & SK_TQ_ZONE_ASSUMED)) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, v, "'%.80s' is not an ISO 8601 time with a zone (e.g. 2026-05-01T00:00:00Z or 2026-05-01T09:00:00+09:00)", s);
        sk_cfg_pop(x, o);
        return rc;
    }
    *out = st.utc;
    return 0;
}

int sk_cfg_number(sk_cfg *x, const sk_json_value *obj, const char *key, int required, double min,
                  double max, double *out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_NUMBER, required, &v);
    if (rc || !v) return rc;
    double d = sk_json_number(v);
    if (!(d >= min && d <= max)) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, v, "must be between %g and %g", min, max);
        sk_cfg_pop(x, o);
        return rc;
    }
    *out = d;
    return 0;
}

int sk_cfg_int(sk_cfg *x, const sk_json_value *obj, const char *key, int required, int64_t min,
               int64_t max, int64_t *out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_NUMBER, required, &v);
    if (rc || !v) return rc;
    int64_t i;
    if (sk_json_int64(v, &i) || i < min || i > max) {
        size_t o = sk_cfg_push_key(x, key);
        rc = sk_cfg_error(x, v, "must be an integer between %lld and %lld", (long long)min,
                          (long long)max);
        sk_cfg_pop(x, o);
        return rc;
    }
    *out = i;
    return 0;
}

int sk_cfg_bool(sk_cfg *x, const sk_json_value *obj, const char *key, int required, int *out)
{
    const sk_json_value *v;
    int rc = sk_cfg_member(x, obj, key, SK_JSON_TRUE, required, &v);
    if (rc || !v) return rc;
    *out = sk_json_type_of(v) == SK_JSON_TRUE;
    return 0;
}
