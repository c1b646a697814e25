/*
 * sakimori/case.h - the case configuration (case.json, docs/formats/case.md).
 *
 * A case names the investigation, its time window, the organisation's regions and
 * sites with their subnets and time zones, the log sources whose timestamps are
 * local time, the known-good lists, and the tolerances used when joining sources.
 * Loading validates everything and fails with one line naming the file, the line
 * and the key ("case.json:14: key 'regions[1].sites[0].subnets[2]': ...").
 */
#ifndef SAKIMORI_CASE_H
#define SAKIMORI_CASE_H

#include <stddef.h>

#include "net.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The schema identifier a case file must carry in its "schema" member. */
#define SK_CASE_SCHEMA "sakimori/case/1"

/**
 * At most this many "sites ... share addresses" warnings are listed; past it one more
 * warning gives the number of overlapping pairs in all (5,000 sites that each hold
 * 10.0.0.0/8 make 12.5 million pairs).
 */
#define SK_CASE_OVERLAP_WARNINGS_MAX 100

typedef struct sk_case sk_case;

/** A site, as loaded; strings live as long as the case. */
typedef struct sk_case_site {
    const char *name;
    const char *region;
    const char *country;   /**< ISO 3166-1 alpha-2, or NULL */
    const char *timezone;  /**< the site's zone (inherited from region or case) */
    const sk_tz *tz;
    int domestic;          /**< 1 domestic, 0 overseas (inherited from the region) */
    size_t n_subnets;
    const sk_prefix *subnets;
} sk_case_site;

/** A log source whose timestamps need a zone or a site. */
typedef struct sk_case_source {
    const char *name;
    const char *kind;     /**< e.g. "dhcpd-syslog", "squid", "zeek", "evtx" */
    const char *path;     /**< glob relative to the case folder */
    const char *timezone; /**< NULL when the source writes UTC or offsets itself */
    const sk_tz *tz;
    const char *site;     /**< NULL when not tied to one site */
} sk_case_source;

/** A warning found while loading (the case is still usable). */
typedef struct sk_case_warning {
    size_t line;
    const char *text;
} sk_case_warning;

/** A source's glob may match at most this many files (sk_case_source_expand). */
#define SK_CASE_SOURCE_MATCHES_MAX 1000000

/** Load and validate a case file. */
int sk_case_load(sk_case **out, const char *path);

/** Parse and validate case JSON from memory; `name` prefixes messages. */
int sk_case_parse(sk_case **out, const char *data, size_t len, const char *name);

void sk_case_free(sk_case *c);

const char *sk_case_name(const sk_case *c);
sk_time sk_case_window_start(const sk_case *c);
sk_time sk_case_window_end(const sk_case *c);
/** The case's default zone for local-time sources without their own. */
const sk_tz *sk_case_default_tz(const sk_case *c);

size_t sk_case_site_count(const sk_case *c);
const sk_case_site *sk_case_site_at(const sk_case *c, size_t i);
size_t sk_case_region_count(const sk_case *c);
const char *sk_case_region_at(const sk_case *c, size_t i);
size_t sk_case_source_count(const sk_case *c);
const sk_case_source *sk_case_source_at(const sk_case *c, size_t i);

/**
 * The site whose subnet holds `ip`, by longest prefix; NULL when none. When sites
 * overlap with equal prefixes (overseas sites often reuse private ranges), returns
 * NULL and sets *ambiguous (when non-NULL): the caller must decide by the source.
 */
const sk_case_site *sk_case_site_for_ip(const sk_case *c, const sk_ip *ip, int *ambiguous);

/** Join tolerance in seconds for a named join (see docs/formats/time.md); -1 if unknown. */
double sk_case_join_tolerance(const sk_case *c, const char *join);

/** 1 when the known-good list of `kind` ("sha256", "domain", "host", "signer") holds value. */
int sk_case_known_good(const sk_case *c, const char *kind, const char *value);

/**
 * Resolve `rel`, a path below the case folder `case_dir` (one match of a source's
 * glob; later `case add` registers evidence through the same rule), to its canonical
 * absolute path in *out (the caller frees it). Refused with SK_EFORMAT and one line
 * naming `rel` when it is absolute, when a component is (or as a glob matches) "..",
 * or when it leads - through any symlink - outside the folder: containment is judged
 * by comparing realpath(3) results, so symlinks that stay inside are followed. SK_EIO
 * when it does not exist or cannot be resolved. Open the result with SK_FILE_NOFOLLOW.
 */
int sk_case_path_resolve(const char *case_dir, const char *rel, char **out);

/**
 * Expand the glob of source `s` in the case folder `case_dir`: every match, in glob(3)'s
 * sorted order, each resolved by sk_case_path_resolve() into *out (*n paths; free with
 * sk_case_paths_free). A match that leads outside the folder fails the whole expansion
 * (SK_EFORMAT, naming the source and the match): evidence kept elsewhere is registered
 * by `case add`, never reached through sources[]. No match gives *n == 0. More than
 * SK_CASE_SOURCE_MATCHES_MAX matches: SK_ELIMIT. An unreadable directory: SK_EIO.
 */
int sk_case_source_expand(const char *case_dir, const sk_case_source *s, char ***out, size_t *n);

/** Free what sk_case_source_expand() returned. NULL-safe. */
void sk_case_paths_free(char **paths, size_t n);

/** 1 when a source's kind is a Windows event log the event readers take (evtx,
 * winlogbeat, nxlog, evtx-json, events-json, windows-events). */
int sk_case_kind_is_events(const char *kind);

size_t sk_case_warning_count(const sk_case *c);
const sk_case_warning *sk_case_warning_at(const sk_case *c, size_t i);

#ifdef __cplusplus
}
#endif
#endif
