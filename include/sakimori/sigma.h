/*
 * sakimori/sigma.h - the Sigma rule engine (docs/sigma.md): SigmaHQ rules as published,
 * compiled once into an immutable rule set that every thread shares, matched against
 * the typed event view (sakimori/event.h), with correlation rules evaluated over the
 * stream of base-rule matches and filter rules applied to the rules they name.
 *
 * The engine never opens files: the caller hands it each rule file's bytes (and the
 * mapping file's, or none for the built-in default), so that the CLI decides what is
 * evidence and what is configuration. Every rule the loader sees is either compiled or
 * kept with the reason it was refused (a YAML error with its line, an unknown modifier,
 * a condition that does not parse, a log source no reader serves, a placeholder nobody
 * configured): nothing is skipped silently, and sk_sigma_rule_info() tells each one.
 *
 * Matching is three-valued: a field that the event's log source cannot supply (4688
 * has no OriginalFileName) is unknown rather than missing, and a rule only fires when
 * its condition is true whatever the unknown fields hold; such events are counted as
 * undecided per rule and source.
 */
#ifndef SAKIMORI_SIGMA_H
#define SAKIMORI_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_sigma_loader sk_sigma_loader;
typedef struct sk_sigma_set sk_sigma_set;
typedef struct sk_sigma_matcher sk_sigma_matcher;

/** Options of the loader. */
typedef struct sk_sigma_options {
    /** The log-source mapping (docs/sigma-logsources.md): NULL for the built-in default. */
    const char *mapping;
    size_t mapping_len;
    const char *mapping_name;     /**< for messages */
    /** Placeholders for the expand modifier: a YAML map name -> list of values (NULL: none). */
    const char *placeholders;
    size_t placeholders_len;
    const char *placeholders_name;
    /** Readers the command runs (bit per SK_SIGMA_READER_*, = 1 << sk_event_reader): 0 means evtx only. */
    unsigned readers;
} sk_sigma_options;

enum {
    SK_SIGMA_READER_EVTX = 1u << 0,      /**< EVTX and shipped Windows JSON */
    SK_SIGMA_READER_PROXY = 1u << 1,
    SK_SIGMA_READER_WEBSERVER = 1u << 2,
    SK_SIGMA_READER_DNS = 1u << 3,
    SK_SIGMA_READER_FIREWALL = 1u << 4,
    SK_SIGMA_READER_ZEEK = 1u << 5
};

/** What a rule document is. */
enum sk_sigma_kind { SK_SIGMA_DETECTION = 1, SK_SIGMA_CORRELATION, SK_SIGMA_FILTER };

/** Whether a rule runs, and if not, why (sk_sigma_rule_info.support). */
enum sk_sigma_support {
    SK_SIGMA_RUNS = 1,            /**< runs on at least one source that supplies every field it names */
    SK_SIGMA_RUNS_PARTLY,         /**< runs, but every source it runs on lacks a field it names (undecided events) */
    SK_SIGMA_NO_READER,           /**< its log source is mapped only to readers the command does not run (options.readers) */
    SK_SIGMA_NO_SOURCE,           /**< its log source is in no mapping entry */
    SK_SIGMA_REFUSED              /**< it could not be loaded or compiled: reason says why */
};

/** Severity levels (Sigma's), in order. */
enum sk_sigma_level { SK_SIGMA_INFORMATIONAL = 0, SK_SIGMA_LOW, SK_SIGMA_MEDIUM, SK_SIGMA_HIGH, SK_SIGMA_CRITICAL };

const char *sk_sigma_level_name(int level);
/** -1 when the name is no level. */
int sk_sigma_level_from_name(const char *s, size_t n);
const char *sk_sigma_support_name(int support);

/** New loader (mapping and placeholders parsed now: their errors come from here). */
int sk_sigma_loader_new(sk_sigma_loader **out, const sk_sigma_options *o);
void sk_sigma_loader_free(sk_sigma_loader *l);

/**
 * Add one rule file's bytes (every YAML document in it; `path` names it in messages and
 * findings, `sha256` is its digest as lower-case hex or NULL to compute it). Documents
 * that cannot be loaded are recorded as refused with a one-line reason naming the file
 * and line; the rest load. Returns 0, or SK_ENOMEM/SK_ELIMIT when the loader itself
 * cannot go on.
 */
int sk_sigma_loader_add(sk_sigma_loader *l, const char *path, const char *data, size_t n, const char *sha256);

/** Resolve correlations and filters, bind rules to log sources, compile the dispatch:
 * the loader is consumed (freed) either way. */
int sk_sigma_loader_finish(sk_sigma_loader *l, sk_sigma_set **out);
void sk_sigma_set_free(sk_sigma_set *s);

/** One rule as loaded (strings owned by the set). */
typedef struct sk_sigma_rule_info {
    int kind;                 /**< sk_sigma_kind; 0 when not even that could be told */
    const char *id, *title, *name;
    const char *path, *sha256;
    size_t line;              /**< where its document begins */
    int level;                /**< sk_sigma_level, -1 none */
    const char *status;
    const char *product, *category, *service;
    int support;              /**< sk_sigma_support */
    const char *reason;       /**< why not SK_SIGMA_RUNS; for a rule that runs, NULL or a note (the
                                   sources it runs on only partly, how a filter is read) */
    const char *sources;      /**< the mapping entries it runs on, comma-separated ("" none) */
    int generate;             /**< detection: emits findings of its own (0 for a correlation's base rule) */
    const char *const *tags;
    size_t n_tags;
} sk_sigma_rule_info;

size_t sk_sigma_set_count(const sk_sigma_set *s);
void sk_sigma_rule_info_get(const sk_sigma_set *s, size_t i, sk_sigma_rule_info *out);
/** How many mapping entries the set knows. */
size_t sk_sigma_set_sources(const sk_sigma_set *s);

/** Options of matching. */
typedef struct sk_sigma_select {
    int min_level;                     /**< rules below are not run (-1: all) */
    const char *const *status;         /**< run only these statuses (NULL: all) */
    size_t n_status;
    const char *const *tags;           /**< run only rules with one of these tags (prefix match on "attack.t1059" style; NULL: all) */
    size_t n_tags;
    const char *const *include;        /**< ids or path substrings (NULL: all) */
    size_t n_include;
    const char *const *exclude;
    size_t n_exclude;
} sk_sigma_select;

/** Restrict the set to a selection (before matching starts; not thread-safe). Returns
 * how many detection and correlation rules remain selected. */
size_t sk_sigma_set_select(sk_sigma_set *s, const sk_sigma_select *sel);

/** A detection: the rule index, the matched field/value pairs (into the event and the
 * matcher's scratch, valid during the callback). */
typedef struct sk_sigma_field_hit {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} sk_sigma_field_hit;

typedef struct sk_sigma_hit {
    size_t rule;                       /**< index for sk_sigma_rule_info_get() */
    int emit;                          /**< 1: a finding of its own (generate); 0: only feeds correlations */
    const char *source;                /**< the mapping entry the event matched through */
    const sk_sigma_field_hit *fields;
    size_t n_fields;
} sk_sigma_hit;

typedef int (*sk_sigma_hit_cb)(void *ctx, const sk_event *ev, const sk_sigma_hit *hit);

/** Per-thread matcher state over a set (the set must outlive it). */
int sk_sigma_matcher_new(sk_sigma_matcher **out, const sk_sigma_set *s);
void sk_sigma_matcher_free(sk_sigma_matcher *m);

/** Match one event against every selected rule of its log sources; cb for each rule
 * that fires (after filters). Returns 0 or cb's non-zero value. */
int sk_sigma_match(sk_sigma_matcher *m, const sk_event *ev, sk_sigma_hit_cb cb, void *ctx);

/** Counters of a matcher (add them up over threads). */
typedef struct sk_sigma_stats {
    uint64_t events;             /**< events seen */
    uint64_t events_sourced;     /**< events that belonged to at least one mapped source */
    uint64_t evaluations;        /**< rule evaluations */
    uint64_t prefiltered;        /**< events whose text the literal prefilter scanned */
    uint64_t hits;
    uint64_t filtered;           /**< hits suppressed by filter rules */
    uint64_t undecided;          /**< evaluations left unknown for lack of a field */
    uint64_t regex_limit;        /**< regex matches stopped by the match limit */
} sk_sigma_stats;
void sk_sigma_matcher_stats(const sk_sigma_matcher *m, sk_sigma_stats *out);
/** Undecided evaluations per rule (array of sk_sigma_set_count() counters). */
const uint64_t *sk_sigma_matcher_undecided(const sk_sigma_matcher *m);
/** Events seen per mapping entry (array of sk_sigma_set_sources() counters). */
const uint64_t *sk_sigma_matcher_source_events(const sk_sigma_matcher *m);
/** Of the events counted per entry, how many belonged to an entry that lacks a field
 * rule i needs: the events the rule could not judge fully (it only fires where its
 * condition holds whatever the lacking fields hold). */
uint64_t sk_sigma_rule_events_lacking(const sk_sigma_set *s, size_t rule, const uint64_t *source_events);
/** The same for every rule at once, into per_rule (sk_sigma_set_count() counters). */
void sk_sigma_events_lacking(const sk_sigma_set *s, const uint64_t *source_events, uint64_t *per_rule);

/* ---- correlations ---- */

/** Does any selected correlation use rule i's matches? (1: the hit must be recorded) */
int sk_sigma_feeds_correlation(const sk_sigma_set *s, size_t rule);

/** The record of one base-rule match a correlation needs, serialised by
 * sk_sigma_corr_record() on the worker thread and fed back in time order. */
int sk_sigma_corr_record(const sk_sigma_set *s, const sk_event *ev, const sk_sigma_hit *hit, sk_buf *out);

typedef struct sk_sigma_corr sk_sigma_corr;

/** A correlation rule's type (1 event_count .. 7 value_percentile, as the rules write
 * them in that order: event_count, value_count, temporal, temporal_ordered, value_sum,
 * value_avg, value_percentile), 0 for another kind of rule; its references as written. */
int sk_sigma_corr_type(const sk_sigma_set *s, size_t rule);
size_t sk_sigma_corr_n_refs(const sk_sigma_set *s, size_t rule);
const char *sk_sigma_corr_ref(const sk_sigma_set *s, size_t rule, size_t i);

/** A correlation result for the caller to render as a finding. */
typedef struct sk_sigma_corr_result {
    size_t rule;                 /**< the correlation rule */
    sk_time first, last;         /**< the window's first and last event */
    uint64_t count;              /**< events in the window */
    double value;                /**< the aggregate compared (count, distinct values, sum, average, share) */
    const char *const *group_names;
    const char *const *group_values;  /**< NULL entries: the field was absent */
    size_t n_group;
    const char *host;            /**< the computer of the last event */
    /** evidence: up to 100 references, first, last and a spread between */
    const char *const *ev_sha256;
    const uint64_t *ev_record_id, *ev_offset, *ev_line;
    const uint8_t *ev_has;       /**< bit 1 record id, 2 offset, 4 line */
    size_t n_evidence;
    uint64_t evidence_omitted;
    const char *value_text;      /**< value_percentile: the value whose share matched */
} sk_sigma_corr_result;

typedef int (*sk_sigma_corr_cb)(void *ctx, const sk_sigma_corr_result *r);

/** A correlation engine; records are given in any order (memory bounded by `budget`
 * bytes: the rest is sorted on disk). */
int sk_sigma_corr_new(sk_sigma_corr **out, const sk_sigma_set *s, size_t budget);
int sk_sigma_corr_add(sk_sigma_corr *c, const void *record, size_t n);
/** Sort, sweep every correlation in time order and call cb for each result. */
int sk_sigma_corr_finish(sk_sigma_corr *c, sk_sigma_corr_cb cb, void *ctx);
void sk_sigma_corr_free(sk_sigma_corr *c);

/** The built-in log-source mapping (NUL-terminated YAML). */
extern const char sk_sigma_default_mapping[];

#ifdef __cplusplus
}
#endif
#endif
