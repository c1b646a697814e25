/*
 * sakimori/fleet.h - the fleet hunt over inventories (docs/hunt-files.md): every host's
 * files at once, judged by what each file says it is (its PE identity), what its content
 * is elsewhere in the fleet (the same SHA-256 at a system tool's home under the tool's
 * name), how rare it is, where it lies, what it is signed with, and what the case's
 * indicator lists and YARA say of it. The engine never opens a file: the caller feeds it
 * the catalogue's records, the base manifests, then each host listing twice (pass 1
 * learns prevalence and the system tools' contents, pass 2 judges); pass 1 may come
 * from the case store's content index (sakimori/invindex.h) instead. Findings
 * (docs/formats/finding.md) are written as JSON lines to the sink, one per (host, rule,
 * file), with the listing line (or the base manifest's line) as evidence.
 */
#ifndef SAKIMORI_FLEET_H
#define SAKIMORI_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "inventory_read.h"
#include "ioc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_fleet sk_fleet;

typedef struct sk_fleet_options {
    const sk_ioc_set *iocs;     /**< known-bad digests (MD5, SHA-1, SHA-256, imphash), or NULL */
    const sk_case *cs;          /**< known_good (sha256, hosts, signers), or NULL */
    const char *tools;          /**< the tool list's text (config/known-tools.txt format); NULL: the built-in one */
    size_t tools_len;
    const char *extra_tools;    /**< more tools (--tools FILE), or NULL */
    size_t extra_tools_len;
    unsigned rare_hosts;        /**< a content on at most this many hosts is rare; 0: max(2, hosts / 1000) */
    /** where findings go: one JSON line each (with its newline); non-zero stops */
    int (*sink)(void *ctx, const char *json, size_t n);
    void *sink_ctx;
} sk_fleet_options;

/** Create; SK_EFORMAT with "tools line N: ..." for a tool list that does not read. */
int sk_fleet_new(sk_fleet **out, const sk_fleet_options *o);
void sk_fleet_free(sk_fleet *f);

/** A catalogue record. */
int sk_fleet_content(sk_fleet *f, const sk_inv_content *c);

/** Where an entry was read: the listing's (or base manifest's) SHA-256, path, line. */
typedef struct sk_fleet_where {
    const char *sha256, *path;
    uint64_t line;
} sk_fleet_where;

/** A host listing's header. `base` is the delta's base manifest (NULL: a full listing). */
typedef struct sk_fleet_host {
    const char *host_id, *name, *site;
    const char *base;
    int windows;                /**< a windows_root: paths compare case-insensitively */
    sk_fleet_where header;      /**< the header line (evidence for base files) */
} sk_fleet_host;

/** Pass 1 or 2 (each current listing once a pass; pass 2 in any order). A host's
 * content is counted once, with its base's when its base holds it; a base content is
 * not the host's when every base path holding it was changed or removed and the host
 * holds it at no path of its own. */
int sk_fleet_host_begin(sk_fleet *f, int pass, const sk_fleet_host *h);
int sk_fleet_entry(sk_fleet *f, int pass, const sk_inv_entry *e, const sk_fleet_where *w);
int sk_fleet_host_end(sk_fleet *f, int pass);
/** Pass 2: the current host's findings were dropped by the caller (its listing's bytes
 * turned out not to be the store's): take them out of the counts. */
void sk_fleet_host_discard(sk_fleet *f);

/** Before pass 1: a base manifest (every host of pass 1 naming it holds its entries, but
 * for the paths its delta changed or removed; a delta whose base was not fed counts
 * only its own entries). */
int sk_fleet_base_begin(sk_fleet *f, const char *name, int windows);
int sk_fleet_base_entry(sk_fleet *f, const sk_inv_entry *e, const sk_fleet_where *w);

/** Pass 1 from the content index: first every numbered content and file name of the
 * index, then each listing's records between sk_fleet_host_begin(f, 1, ...) and
 * sk_fleet_host_end (content 0: none; dir: the folder with its separator). SK_EFORMAT
 * for a record naming a number the index does not hold. */
int sk_fleet_index_content(sk_fleet *f, uint32_t id, const uint8_t sha256[32]);
int sk_fleet_index_name(sk_fleet *f, uint32_t id, const char *s, size_t n);
int sk_fleet_index_entry(sk_fleet *f, sk_listing_op op, uint32_t content, uint32_t name, const char *dir, size_t dir_len);

/** Between the passes: prevalence and the tools' contents settled. */
int sk_fleet_pass1_done(sk_fleet *f);

/** What the hunt saw. */
typedef struct sk_fleet_stats {
    uint64_t hosts, entries, contents, contents_missing; /**< entries whose content is not catalogued */
    uint64_t findings, by_engine[4];                     /**< masquerade, stack, hash, yara */
    uint64_t suppressed_sha256, suppressed_host, suppressed_signer;
    unsigned rare_hosts;                                 /**< the threshold used */
} sk_fleet_stats;
void sk_fleet_stats_get(const sk_fleet *f, sk_fleet_stats *out);

/** The built-in tool list (config/known-tools.txt). */
extern const char sk_fleet_default_tools[];

#ifdef __cplusplus
}
#endif
#endif
