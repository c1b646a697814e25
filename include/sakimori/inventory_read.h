/*
 * sakimori/inventory_read.h - reading the inventory formats of docs/formats/snapshot.md
 * line by line: a collector snapshot (header, file, error and end lines), a listing or
 * base manifest (header and entry lines) and the content catalogue (one record per
 * SHA-256). Each line is told by its `type` member (a catalogue record has none) and
 * read into a flat struct holding what ingestion and the fleet hunt use; strings point
 * into the parser and stay valid until its next line. Hostile input is the normal case:
 * a line that does not read gives SK_EFORMAT and a message naming the line and the key
 * ("line 12: key 'sha256': not 64 hex digits"), and the caller goes on with the next.
 */
#ifndef SAKIMORI_INVENTORY_READ_H
#define SAKIMORI_INVENTORY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a line is. */
typedef enum sk_inv_type {
    SK_INV_SNAPSHOT, /**< a snapshot's header */
    SK_INV_FILE,     /**< a snapshot's file line */
    SK_INV_ERROR,    /**< a snapshot's error line */
    SK_INV_END,      /**< a snapshot's end line */
    SK_INV_LISTING,  /**< a listing's or base manifest's header */
    SK_INV_ENTRY,    /**< a listing entry */
    SK_INV_CATALOG   /**< a catalogue record */
} sk_inv_type;

/** Authenticode status as the collector records it; NONE: not examined. */
typedef enum sk_inv_sig {
    SK_INV_SIG_NONE,
    SK_INV_SIG_NO_EMBEDDED,   /**< no embedded signature: never "unsigned" by itself */
    SK_INV_SIG_MATCHES,       /**< embedded, digest matches */
    SK_INV_SIG_MISMATCH,      /**< embedded, the file changed after signing */
    SK_INV_SIG_MALFORMED,     /**< a certificate table that does not parse */
    SK_INV_SIG_CATALOG,       /**< signed through a security catalogue read at collection */
    SK_INV_SIG_UNSIGNED       /**< no embedded signature, and no catalogue read at collection holds it */
} sk_inv_sig;

/** At most this many YARA rule names, addresses, MACs and anchors are kept a line. */
#define SK_INV_MAX_LIST 32

/** What a content is (a catalogue record, or the content members of a file line). */
typedef struct sk_inv_content {
    uint8_t sha256[32], sha1[20], md5[16];
    int have_sha256, have_sha1, have_md5;
    uint64_t size;
    int have_size;
    sk_file_kind kind;
    /* the PE identity: the primary VERSIONINFO table's strings (NULL when absent) */
    int pe;                      /**< a PE identity was recorded */
    int dll;                     /**< characteristics say DLL */
    const char *subsystem;       /**< "WINDOWS_GUI", ...; NULL when absent */
    const char *original_filename, *internal_name, *file_description, *product_name, *company_name, *file_version;
    char imphash[33];            /**< lower-case hex; "" when none */
    sk_inv_sig signature;
    const char *signer_subject, *signer_issuer;
    const char *yara[SK_INV_MAX_LIST];
    size_t n_yara;
    int have_yara;               /**< YARA ran (the member is there, maybe empty) */
    uint8_t yara_rules_sha256[32];
    int have_yara_rules;
} sk_inv_content;

/** Where a content lies: a listing entry, or a file line's location members. */
typedef struct sk_inv_entry {
    sk_listing_op op;            /**< SK_OP_NONE in full listings and snapshots */
    const char *path;            /**< as listed (WTF-8 for bytes that were not UTF-8) */
    size_t path_len;
    uint8_t sha256[32];
    int have_sha256;
    uint64_t size;
    int have_size;
    sk_time mtime, ctime, crtime; /**< SK_TIME_NONE when absent */
    uint32_t mode;               /**< permission bits; have_mode says whether given */
    int have_mode;
    const char *owner;           /**< NULL when absent */
    unsigned reasons;            /**< SK_REASON_* of a change */
    const char *hardlink_of;     /**< a file line: the first path of its inode */
    const char *not_hashed;      /**< a file line: why it has no digests */
    int changed_while_read;
} sk_inv_entry;

/** A listing's or base manifest's header. */
typedef struct sk_inv_listing {
    int base_manifest;           /**< kind "base" */
    int delta;                   /**< mode "delta" */
    const char *name, *host_id, *host, *base, *windows_root;
    uint8_t base_sha256[32];
    int have_base_sha256;
    sk_time base_install_time, collected;
    uint8_t snapshot_sha256[32]; /**< the snapshot this listing was ingested from */
    int have_snapshot;
    uint64_t snapshot_line;
    uint64_t entries;
    int have_entries;
} sk_inv_listing;

/** An identifier a machine holds (docs/formats/host.md). */
typedef struct sk_inv_anchor {
    const char *kind, *value;
} sk_inv_anchor;

/** A snapshot's header. */
typedef struct sk_inv_snapshot {
    const char *host, *domain, *fqdn, *site, *region;
    const char *os_family, *os_name, *os_version;
    const char *identity_source;
    const char *addresses[SK_INV_MAX_LIST];
    size_t n_addresses;
    const char *macs[SK_INV_MAX_LIST];
    size_t n_macs;
    sk_inv_anchor anchors[SK_INV_MAX_LIST];
    size_t n_anchors;
    const char *collector_name, *collector_version;
    sk_time started;
    const char *root, *windows_root;
} sk_inv_snapshot;

/** A snapshot's error line. */
typedef struct sk_inv_error {
    const char *path, *op, *error;
} sk_inv_error;

/** A snapshot's end line. */
typedef struct sk_inv_end {
    sk_time finished;
    uint64_t files, errors;
    int complete;
} sk_inv_end;

/** One line read. Which members are set depends on `type`: a file line sets both
 * `entry` (where) and `content` (what). */
typedef struct sk_inv_line {
    sk_inv_type type;
    sk_inv_snapshot snapshot;
    sk_inv_entry entry;
    sk_inv_content content;
    sk_inv_listing listing;
    sk_inv_error error;
    sk_inv_end end;
} sk_inv_line;

typedef struct sk_inv_parser sk_inv_parser;

int sk_inv_parser_new(sk_inv_parser **out);
void sk_inv_parser_free(sk_inv_parser *p);

/**
 * Read one line (without its newline; a trailing '\r' is allowed) numbered `lineno` for
 * messages. 0 and *out filled; SK_EFORMAT with the message in sk_error_last() ("line N:
 * ..."); SK_ENOTFOUND for a blank line; SK_ENOMEM. Lines longer than 64 MiB are refused.
 * The schema versions this reader knows are sakimori/snapshot/1 and sakimori/listing/1;
 * any other is an error naming it.
 */
int sk_inv_parse_line(sk_inv_parser *p, const char *s, size_t n, uint64_t lineno, sk_inv_line *out);

/** Tests: with on, every line through the JSON tree (no fast path for the writer's own
 * listing entries); both must give the same answers. */
void sk_inv_parser_slow_only(sk_inv_parser *p, int on);
/** Lines the fast path read. */
uint64_t sk_inv_parser_fast_lines(const sk_inv_parser *p);

/** The last line read, as its JSON tree (valid until the next line), or NULL. */
const struct sk_json_value *sk_inv_parser_json(const sk_inv_parser *p);

/** "pe", "elf", ... to a kind; -1 when unknown. */
int sk_inv_kind_parse(const char *s);

/** The status name as written ("no_embedded_signature", ...); NULL for NONE. */
const char *sk_inv_sig_name(sk_inv_sig s);

#ifdef __cplusplus
}
#endif
#endif
