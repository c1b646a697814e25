/*
 * sakimori/inventory.h - what an executable says about itself (PE identity, signature),
 * and the writers for the inventory formats of docs/formats/snapshot.md: snapshot
 * lines (header, file, error, end), catalogue records (one per SHA-256), listing
 * headers and entries (full or delta). The collector, ingestion and the simulator all
 * write through these functions, so the three cannot drift apart.
 */
#ifndef SAKIMORI_INVENTORY_H
#define SAKIMORI_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One section header. */
typedef struct sk_pe_section {
    char name[9];
    uint32_t virtual_size, raw_size, characteristics;
    double entropy; /**< bits per byte, 0-8; negative when not computed */
} sk_pe_section;

/** One VERSIONINFO string. */
typedef struct sk_pe_string {
    const char *key;
    const char *value;
} sk_pe_string;

/** One StringFileInfo table (a language and code page). */
typedef struct sk_pe_string_table {
    char lang[9]; /**< e.g. "040904b0" */
    size_t n;
    const sk_pe_string *strings;
} sk_pe_string_table;

/** The PE identity object of common#/$defs/pe_identity. Unset strings are NULL. */
typedef struct sk_pe_identity {
    uint16_t machine;         /**< IMAGE_FILE_MACHINE_* */
    uint16_t subsystem;       /**< IMAGE_SUBSYSTEM_* */
    uint16_t characteristics; /**< COFF characteristics */
    uint32_t timestamp;       /**< COFF TimeDateStamp */
    const sk_pe_section *sections;
    size_t n_sections, sections_total;
    char imphash[33];         /**< "" when there are no imports */
    uint32_t imports;
    const char *export_name;
    int has_overlay;
    uint64_t overlay_offset, overlay_size;
    const sk_pe_string_table *tables;
    size_t n_tables;
    const char *fixed_file_version; /**< "10.0.17763.1" or NULL */
    const char *const *errors;
    size_t n_errors;
} sk_pe_identity;

/** Authenticode status (common#/$defs/signature). */
typedef enum sk_sig_status {
    SK_SIG_NONE,       /**< no embedded signature - not "unsigned" (catalog signing) */
    SK_SIG_MATCHES,    /**< embedded, and the signed digest matches the file */
    SK_SIG_MISMATCH,   /**< embedded, but the file changed after signing */
    SK_SIG_MALFORMED,
    SK_SIG_CATALOG,    /**< the image digest is a member of a security catalogue read at collection */
    SK_SIG_UNSIGNED    /**< no embedded signature, and no catalogue read at collection (one at least) holds it */
} sk_sig_status;

/**
 * A signature. For SK_SIG_CATALOG, signer_subject, signer_issuer and digest_algorithm
 * are the catalogue's signer and the member's algorithm, and `error` says what was
 * wrong with an embedded signature that did not verify (sk_signature_catalog).
 */
typedef struct sk_signature {
    sk_sig_status status;
    const char *signer_subject, *signer_issuer, *digest_algorithm, *error;
} sk_signature;

/** Where an SK_SIG_CATALOG signature comes from. */
typedef struct sk_signature_catalog {
    const char *path;     /**< the .cat file, as the snapshot lists paths (bytes, escaped losslessly) */
    size_t path_len;
    int verified;         /**< the catalogue's own PKCS#7 signature verifies (no chain) */
    sk_sig_status embedded; /**< SK_SIG_MISMATCH or SK_SIG_MALFORMED: the file's embedded signature, found broken; else SK_SIG_NONE */
} sk_signature_catalog;

/** "AMD64", "I386", ... or NULL for a value without a name. */
const char *sk_pe_machine_name(uint16_t machine);
/** "WINDOWS_GUI", "WINDOWS_CUI", ... or NULL. */
const char *sk_pe_subsystem_name(uint16_t subsystem);

/**
 * The table whose strings go to the top level of a file record: US English
 * (0409) first, then language-neutral (0000), then the first table. NULL when none.
 */
const sk_pe_string_table *sk_pe_primary_table(const sk_pe_identity *id);

/** Write the `pe` object (the caller wrote the key). */
int sk_pe_identity_write(sk_jw *w, const sk_pe_identity *id);

/** Write the `signature` object (the caller wrote the key). */
int sk_signature_write(sk_jw *w, const sk_signature *sig);

/**
 * The same with the catalogue of an SK_SIG_CATALOG signature (NULL for other statuses):
 * status, catalog, digest_algorithm, signer_subject, signer_issuer, catalog_signature
 * ("verified" or "not_verified"), embedded_status and error (docs/formats/snapshot.md).
 */
int sk_signature_write_catalog(sk_jw *w, const sk_signature *sig, const sk_signature_catalog *cat);

/**
 * Write the VERSIONINFO strings of the primary table as top-level members under their
 * own names (OriginalFilename, InternalName, FileDescription, ProductName,
 * CompanyName, FileVersion), inside an object the caller has open.
 */
int sk_pe_top_strings_write(sk_jw *w, const sk_pe_identity *id);

/** The ELF identity object (common#/$defs/elf_identity). */
typedef struct sk_elf_identity {
    const char *type;     /**< "EXEC", "DYN", "REL", "CORE", "OTHER" */
    char machine[16];     /**< "X86_64", "AARCH64", ... or "0x" hex */
    char build_id[129];   /**< lower-case hex, "" when none */
    const char *errors[4];
    size_t n_errors;
} sk_elf_identity;

/** Write the `elf` object (the caller wrote the key). */
int sk_elf_identity_write(sk_jw *w, const sk_elf_identity *id);

/** File kinds of the inventory formats. */
typedef enum sk_file_kind { SK_KIND_PE, SK_KIND_ELF, SK_KIND_MACHO, SK_KIND_SCRIPT, SK_KIND_DOCUMENT, SK_KIND_OTHER } sk_file_kind;
const char *sk_file_kind_name(sk_file_kind k);

/** A catalogue record: one content. Digests as raw bytes; `have_*` say which are set. */
typedef struct sk_content {
    uint8_t sha256[32], sha1[20], md5[16];
    int have_sha1, have_md5;
    uint64_t size;
    sk_file_kind kind;
    const sk_pe_identity *pe;      /**< NULL unless a PE */
    const sk_signature *signature; /**< NULL when not examined */
} sk_content;

/** Append one catalogue line (JSON and "\n") for `c` to `out`. */
int sk_catalog_record_write(sk_buf *out, const sk_content *c);

/** A listing entry (docs/formats/snapshot.md); times SK_TIME_NONE when unknown. */
typedef enum sk_listing_op { SK_OP_NONE, SK_OP_ADD, SK_OP_CHANGE, SK_OP_REMOVE } sk_listing_op;
enum { SK_REASON_CONTENT = 1, SK_REASON_TIMES = 2, SK_REASON_MODE = 4, SK_REASON_OWNER = 8 };

typedef struct sk_listing_entry {
    sk_listing_op op;
    const char *path;
    const uint8_t *sha256; /**< NULL for removals */
    uint64_t size;
    sk_time mtime, ctime, crtime;
    const char *owner;     /**< NULL when unknown */
    unsigned reasons;      /**< SK_REASON_* for changes */
} sk_listing_entry;

/** Append one listing entry line. */
int sk_listing_entry_write(sk_buf *out, const sk_listing_entry *e);

/** A listing header. Strings NULL when absent; `base_sha256` NULL unless a delta. */
typedef struct sk_listing_header {
    int base_manifest;       /**< 1: kind "base" (then `name`), 0: kind "host" */
    int delta;               /**< mode "delta" */
    const char *name;        /**< base manifests */
    const char *host_id, *host;
    const char *base;
    const uint8_t *base_sha256;
    sk_time base_install_time, collected;
    const char *windows_root;
    uint64_t entries;
} sk_listing_header;

/** Append the header line. */
int sk_listing_header_write(sk_buf *out, const sk_listing_header *h);

/* ---- the snapshot (collector output): one writer for each kind of line ---- */

/** The metadata members of a file line; times SK_TIME_NONE when unknown. */
typedef struct sk_snapshot_file {
    const char *path;      /**< bytes: not UTF-8 is escaped losslessly */
    size_t path_len;
    uint64_t size, inode, nlink;
    sk_time mtime, ctime, crtime;
    uint32_t mode, uid, gid; /**< mode: permission bits (07777) */
    const char *owner;     /**< NULL or "" when unknown */
} sk_snapshot_file;

/**
 * Append the members a file line starts with, without braces:
 * "type":"file","path":...,"size":N,"mtime",... "inode":N,"nlink":N - the same bytes
 * as the JSON writer's, written straight (a rescan writes little else). Then the
 * caller adds content members (sk_snapshot_content_write) or hardlink_of / cached /
 * changed_while_read. 0, or SK_ELIMIT when `out` is full (then `out` is as it was).
 */
int sk_snapshot_file_members(sk_buf *out, const sk_snapshot_file *f);

/** sk_snapshot_file_members as a member list of an object open in w. */
int sk_snapshot_file_write(sk_jw *w, const sk_snapshot_file *f);

/** The members of a file line that depend on its content alone (what a cache keeps). */
typedef struct sk_snapshot_content {
    sk_file_kind kind;
    const uint8_t *md5, *sha1, *sha256; /**< raw digests, NULL when not computed */
    const sk_pe_identity *pe;           /**< NULL unless a PE was parsed */
    const sk_signature *signature;      /**< NULL when not examined */
    const sk_signature_catalog *catalog; /**< with signature->status SK_SIG_CATALOG: the catalogue; else NULL */
    const sk_elf_identity *elf;         /**< NULL unless an ELF was parsed */
    int have_yara;                      /**< rules were run: yara[] is written, maybe empty */
    const char *const *yara;
    size_t n_yara;
} sk_snapshot_content;

/** Write kind, md5, sha1, sha256, the VERSIONINFO top strings, pe, elf, signature and
 * yara, in that order, into an object open in w. Returns w's error state. */
int sk_snapshot_content_write(sk_jw *w, const sk_snapshot_content *c);

/** The header line's host and collector (docs/formats/snapshot.md). */
typedef struct sk_snapshot_header {
    const char *host, *domain, *site, *region; /**< NULL when absent */
    int live;                         /**< identity from the system: os and addresses follow */
    const char *os_family, *os_name, *os_version;
    const char *const *addresses;
    size_t n_addresses;
    const char *const *macs;
    size_t n_macs;
    const char *version;              /**< the collector's */
    const char *const *options;       /**< the command line */
    size_t n_options;
    sk_time started;
    const char *root, *windows_root;  /**< windows_root NULL unless given */
    int catalogs;                     /**< security catalogues were looked for: the `catalogs` member follows */
    uint64_t catalogs_read, catalogs_failed, catalog_members;
    const char *const *catalog_algorithms; /**< the members' digest algorithms ("SHA1", "SHA256") */
    size_t n_catalog_algorithms;
} sk_snapshot_header;

/** Append the header line (JSON and "\n"); nothing on error. */
int sk_snapshot_header_write(sk_buf *out, const sk_snapshot_header *h);

/** Append an error line: path (bytes), op ("open", "stat", "read", "readdir", "parse",
 * "yara"), the message; nothing on error. */
int sk_snapshot_error_write(sk_buf *out, const char *path, size_t path_len, const char *op, const char *msg);

/** The end line. */
typedef struct sk_snapshot_end {
    sk_time finished;
    uint64_t files, bytes_hashed, hole_bytes, errors;
    int complete;
} sk_snapshot_end;

/** Append the end line; nothing on error. */
int sk_snapshot_end_write(sk_buf *out, const sk_snapshot_end *e);

#ifdef __cplusplus
}
#endif
#endif
