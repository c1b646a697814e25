/*
 * ioc_int.h - what the indicator set (ioc.c) shares with the readers of its formats
 * (ioc_csv.c, ioc_stix.c, ioc_misp.c) and the warninglist filter (ioc_warn.c): the set's
 * layout, one loading session, and the one door every value goes through
 * (ioc_add_value: defanging, type by form or by name, normalisation, the key, the
 * warninglists). Private to src/rules.
 */
#ifndef SK_IOC_INT_H
#define SK_IOC_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sakimori/arena.h>
#include <sakimori/common.h>
#include <sakimori/ioc.h>
#include <sakimori/json.h>
#include <sakimori/map.h>

#define IOC_MAX_VALUE 4096      /* longest value read (a longer one is a diagnostic) */
#define IOC_NORM_MAX (IOC_MAX_VALUE + 512) /* a normalised value: a URL's host may grow into punycode */
#define IOC_AUTO SK_IOC_TYPES   /* "tell the type by the value's form" */
#define IOC_PUBLIC_SUFFIX (-2)  /* ioc_normalize: a domain that is a public suffix */

typedef struct ioc_wl ioc_wl;   /* one warninglist (ioc_warn.c) */

struct sk_ioc_set {
    sk_arena *arena;
    sk_ioc *v;
    size_t n, cap;
    size_t *next;               /* per entry: the next with the same key, or SIZE_MAX */
    sk_map *by_key;             /* key (type byte + normalised value) -> first index + 1 */
    uint8_t lens[129];          /* prefix lengths present among the networks */
    uint8_t len_list[129];      /* the same, longest first */
    size_t n_lens;
    uint64_t *bloom;            /* a blocked Bloom filter over the keys: most values are in no list */
    size_t bloom_blocks, bloom_cap; /* 512-bit blocks; keys it was sized for */
    size_t bloom_keys;
    uint64_t seed;
    uint64_t dom_labels, sub_labels; /* label counts (bit n-1; 64: longer) of the domain indicators */
    size_t per_type[16];        /* targets per type */
    sk_ioc_stats st;
    ioc_wl **wl;                /* the warninglists, in loading order */
    size_t n_wl;
};

/* what an entry says of itself besides its value; strings live in the set's arena */
typedef struct ioc_meta {
    uint64_t line;
    const char *comment, *id, *feed;
    sk_time valid_from, valid_until;
    const char *what;           /* how diagnostics name the entry ("indicator--..."), or NULL */
    const char *text;           /* the entry as written when it is more than the value ("ua:..."), or NULL */
    size_t text_n;
} ioc_meta;

/* one source being added */
typedef struct ioc_load {
    sk_ioc_set *s;
    const char *source;         /* in the arena */
    sk_ioc_diag_cb diag;
    void *ctx;
} ioc_load;

/* "SOURCE:LINE: message" to the diagnostic sink */
void ioc_say(const ioc_load *ld, uint64_t line, const char *fmt, ...) SK_PRINTF(3, 4);
/* a copy in the set's arena (NUL-terminated), NULL when out of memory */
char *ioc_strdup(const ioc_load *ld, const char *s, size_t n);

/* Add one value of type `type` (IOC_AUTO: by its form). Returns 0 when added, 1 when it
 * is no indicator of that type (one diagnostic said, counted as refused), SK_ENOMEM. */
int ioc_add_value(ioc_load *ld, int type, const char *v, size_t n, const ioc_meta *m);

/* A type named by a CSV type column or a MISP/STIX vocabulary word ("ip", "ipv4",
 * "domain", "hostname", "url", "sha-256", ...); -1 when none. */
int ioc_type_from_name(const char *s, size_t n);

/* Normalise a value of a known type into out (cap >= IOC_NORM_MAX): the key's
 * bytes. Returns the type it is (an address given as a network is an address), -1 when
 * it is none, IOC_PUBLIC_SUFFIX for a domain that is a public suffix. */
int ioc_normalize(int type, const char *v, size_t n, char *out, size_t cap, size_t *on, int *sub);

/* An instant as indicator files write it: ISO 8601 / RFC 3339 (no zone: UTC), a date
 * alone, or epoch seconds. kind 0: a start; 1: an exclusive end (valid_until); 2: an
 * inclusive end (last_seen: the window ends after it; a date alone covers its day).
 * 0, or -1 when it is none of these. */
int ioc_time_parse(const char *s, size_t n, int kind, sk_time *out);

/* The formats' readers. Each returns 0 or SK_ENOMEM; what they cannot read is said. */
int ioc_csv_is_header(const char *line, size_t n);
int ioc_add_csv(ioc_load *ld, const char *data, size_t n);
int ioc_stix_is(const sk_json_value *root);
int ioc_add_stix(ioc_load *ld, const sk_json_value *root);
int ioc_misp_is(const sk_json_value *root);
int ioc_add_misp(ioc_load *ld, const sk_json_value *root);
int ioc_warn_is(const sk_json_value *root);
int ioc_add_warninglist(ioc_load *ld, const sk_json_value *root);

/* The warninglist (its name) that filters out an indicator, or NULL. */
const char *ioc_warn_check(const sk_ioc_set *s, const sk_ioc *ioc);
void ioc_warn_free(ioc_wl *w);

/* JSON helpers: a member's string (NULL when absent or no string) */
const char *ioc_json_str(const sk_json_value *o, const char *key, size_t *len);

#endif
