/*
 * sakimori/finding.h - findings (docs/formats/finding.md), the common currency of every
 * engine: one detection on one host with references to the evidence that supports it,
 * written as one JSON line (findings.jsonl) with its deterministic finding_id.
 */
#ifndef SAKIMORI_FINDING_H
#define SAKIMORI_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An evidence reference (docs/formats/evidence.md). */
enum { SK_FEV_RECORD_ID = 1, SK_FEV_OFFSET = 2, SK_FEV_LINE = 4 };
typedef struct sk_finding_ev {
    const char *sha256;      /**< the input's SHA-256 (hex) */
    const char *path;        /**< the input's path as given, or NULL */
    uint64_t record_id, offset, line;
    uint8_t has;             /**< SK_FEV_* */
} sk_finding_ev;

/** Severities, Sigma's levels in order. */
enum { SK_SEV_INFORMATIONAL = 0, SK_SEV_LOW, SK_SEV_MEDIUM, SK_SEV_HIGH, SK_SEV_CRITICAL };
const char *sk_severity_name(int sev);

typedef struct sk_finding {
    const char *host_id;     /**< NULL when unresolved */
    const char *host;        /**< as the evidence names it */
    const char *engine;      /**< sigma, ioc, ... */
    const char *rule_id, *rule_title, *rule_source, *rule_source_sha256;
    int severity;            /**< SK_SEV_* */
    const char *summary;
    sk_time time, time_last; /**< time_last SK_TIME_NONE: not written */
    uint32_t time_quality;
    int32_t time_offset_s;
    uint64_t count;          /**< 0 is written as 1 */
    const char *const *attack; /**< technique ids (T1059.001) */
    size_t n_attack;
    const char *attributes;  /**< a JSON object, already rendered (NULL: none) */
    size_t attributes_len;
    const sk_finding_ev *evidence;
    size_t n_evidence;       /**< at least 1, at most 100 written */
    uint64_t evidence_omitted;
} sk_finding;

/** The finding id: "f-" and 16 hex digits of SHA-256 over engine, rule id, host and the
 * sorted evidence references. */
int sk_finding_id(const sk_finding *f, char out[19]);

/** Append the finding as one JSON line (with its newline). */
int sk_finding_write_json(sk_buf *out, const sk_finding *f);

#ifdef __cplusplus
}
#endif
#endif
