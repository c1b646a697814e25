/*
 * sakimori/evtx.h - the EVTX reader: Windows XML event logs, read natively.
 *
 * Written from the format's documentation (libyal's "Windows XML Event Log (EVTX)"
 * and [MS-EVEN6] for Binary XML). A file is a 4 KiB header and 64 KiB chunks; each
 * chunk is self-contained (its names and templates are referenced by chunk-relative
 * offsets), so chunks are parsed independently and in any order. A record's Binary XML
 * becomes a small element tree (sk_xnode) with every value already rendered as text
 * the way Windows renders it in XML; sakimori/event.h turns that tree into the event
 * model or XML.
 *
 * The input is hostile: every offset is checked against the chunk, recursion and the
 * work a record may cause are bounded (templates that refer to themselves, values
 * reused many times), and a record that cannot be parsed is an error naming its
 * offset while the rest of the chunk is still read.
 */
#ifndef SAKIMORI_EVTX_H
#define SAKIMORI_EVTX_H

#include <stddef.h>
#include <stdint.h>

#include "timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SK_EVTX_HEADER_SIZE 4096
#define SK_EVTX_CHUNK_SIZE 65536

/** The file header. */
typedef struct sk_evtx_header {
    uint64_t first_chunk, last_chunk, next_record_id;
    uint32_t header_size;
    uint16_t minor, major, header_block_size, chunks;
    uint32_t flags;   /**< 1 dirty, 2 full (wrapping) */
    int checksum_ok;  /**< CRC-32 of the first 120 bytes matches */
} sk_evtx_header;

enum { SK_EVTX_DIRTY = 1, SK_EVTX_FULL = 2 };

/** Parse the first 4 KiB (n >= 128). SK_EFORMAT with a message when it is no EVTX header. */
int sk_evtx_header_parse(const uint8_t *d, size_t n, sk_evtx_header *h);

/* ---- the element tree of one record ---- */

/** A rendered value: text, an array of texts (array-typed substitutions), or NULL. */
enum { SK_XV_NONE = 0, SK_XV_TEXT, SK_XV_ARRAY, SK_XV_NULL };

typedef struct sk_xattr {
    const char *name;
    const char *value; /**< UTF-8 (WTF-8: unpaired surrogates kept), NUL-terminated */
    size_t len;
    struct sk_xattr *next;
} sk_xattr;

typedef struct sk_xnode {
    const char *name;           /**< the element's name */
    sk_xattr *attrs, *attrs_tail;
    struct sk_xnode *child, *child_tail, *next;
    int vkind;                  /**< SK_XV_*: the element's text content */
    const char *text;           /**< SK_XV_TEXT */
    size_t len;
    const char **items;         /**< SK_XV_ARRAY */
    size_t *item_lens, n_items;
    /** The Binary XML value type (SK_EVTX_VT_*) when the content is exactly one
     * substitution, with SK_EVTX_VT_ARRAY for an array; 0 for literal or joined text. */
    uint8_t vtype;
} sk_xnode;

/** Binary XML value types ([MS-EVEN6] 2.2.18) that the event view tells apart. */
enum {
    SK_EVTX_VT_STRING = 0x01, SK_EVTX_VT_I8 = 0x03, SK_EVTX_VT_U64 = 0x0a, /* 0x03-0x0a: the integers */
    SK_EVTX_VT_BINARY = 0x0e, SK_EVTX_VT_SIZET = 0x10, SK_EVTX_VT_HEX32 = 0x14, SK_EVTX_VT_HEX64 = 0x15,
    SK_EVTX_VT_ARRAY = 0x80
};

/** The value of attribute `name` of n, or NULL. */
const sk_xattr *sk_xnode_attr(const sk_xnode *n, const char *name);
/** The first child element named `name`, or NULL. */
const sk_xnode *sk_xnode_child(const sk_xnode *n, const char *name);

/* ---- chunks and records ---- */

typedef struct sk_evtx_chunk_info {
    uint64_t first_record_number, last_record_number, first_record_id, last_record_id;
    uint32_t last_record_offset, free_space_offset;
    int header_checksum_ok, records_checksum_ok;
} sk_evtx_chunk_info;

typedef struct sk_evtx_record {
    uint64_t record_id;
    sk_time written;        /**< the record header's written time */
    uint64_t offset;        /**< in the file (chunk offset + offset in the chunk) */
    uint32_t size;
    sk_xnode *root;         /**< the Event element (valid until the next record) */
    int recovered;          /**< from a chunk whose checksums do not match */
} sk_evtx_record;

/** Parse state for one chunk at a time: name and template caches, the record arena. */
typedef struct sk_evtx_chunk sk_evtx_chunk;

int sk_evtx_chunk_new(sk_evtx_chunk **out);
void sk_evtx_chunk_free(sk_evtx_chunk *c);

/**
 * Start on a chunk: data[0, SK_EVTX_CHUNK_SIZE) (the caller keeps it until done),
 * file_offset for the records' offsets. Checks the signature and both checksums (a
 * mismatch marks the records recovered; it does not stop the parse). SK_EFORMAT when
 * the chunk has no "ElfChnk" signature; the message names the offset.
 */
int sk_evtx_chunk_begin(sk_evtx_chunk *c, const uint8_t *data, uint64_t file_offset, sk_evtx_chunk_info *info);

/**
 * The next record of the chunk: 1 with *rec filled, 0 at the end, or an error code
 * (SK_EFORMAT) with a message naming the file offset when a record could not be read;
 * the next call goes on after it (to the next record signature when its size cannot
 * be trusted).
 */
int sk_evtx_chunk_next(sk_evtx_chunk *c, sk_evtx_record *rec);

/**
 * Carving: with carve set, sk_evtx_chunk_next goes on past the free-space offset into
 * the chunk's slack, where older records may remain (their templates may have been
 * overwritten: those that cannot be read are skipped quietly). sk_evtx_chunk_begin_raw
 * starts on a 64 KiB block without a valid chunk header (a damaged chunk): its records
 * are found by their signatures and marked recovered.
 */
void sk_evtx_chunk_set_carve(sk_evtx_chunk *c, int carve);
int sk_evtx_chunk_begin_raw(sk_evtx_chunk *c, const uint8_t *data, uint64_t file_offset);

/** After sk_evtx_chunk_next returned a record read despite damage (a size field or its
 * copy that does not agree): what was wrong, naming the offset; else NULL. */
const char *sk_evtx_chunk_note(const sk_evtx_chunk *c);

/** 1 when the record came from slack or unallocated space (carved). */
int sk_evtx_chunk_carved(const sk_evtx_chunk *c);

#ifdef __cplusplus
}
#endif
#endif
