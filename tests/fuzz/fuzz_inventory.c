/*
 * fuzz_inventory.c - the inventory line reader (snapshots, listings, the catalogue) on
 * hostile lines: each line of the input is read; a line that reads has the members its
 * type promises (an entry has a non-empty path without NUL, a digest wherever it is not
 * a removal, a catalogue record its SHA-256, counts within their arrays); one that does
 * not has a message naming its line. The fast path for listing entries and the JSON
 * tree give the same answer on every line. No crash, no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/inventory_read.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_inv_parser *p = NULL, *slow = NULL;
    if (sk_inv_parser_new(&p)) return 0;
    if (sk_inv_parser_new(&slow)) {
        sk_inv_parser_free(p);
        return 0;
    }
    sk_inv_parser_slow_only(slow, 1);
    static sk_inv_line l, m;
    const char *s = (const char *)data;
    uint64_t line = 0;
    while (size) {
        const char *e = memchr(s, '\n', size);
        size_t n = e ? (size_t)(e - s) : size;
        line++;
        int rc = sk_inv_parse_line(p, s, n, line, &l);
        int rs = sk_inv_parse_line(slow, s, n, line, &m);
        if (rc != rs && rc != SK_ENOMEM && rs != SK_ENOMEM) __builtin_trap();
        if (rc == 0 && rs == 0 && l.type == SK_INV_ENTRY) {
            const sk_inv_entry *a = &l.entry, *b = &m.entry;
            if (m.type != SK_INV_ENTRY || a->op != b->op || a->path_len != b->path_len || memcmp(a->path, b->path, a->path_len) ||
                a->have_sha256 != b->have_sha256 || (a->have_sha256 && memcmp(a->sha256, b->sha256, 32)) || a->size != b->size ||
                a->have_size != b->have_size || a->mtime != b->mtime || a->ctime != b->ctime || a->crtime != b->crtime ||
                a->have_mode != b->have_mode || a->mode != b->mode || !a->owner != !b->owner ||
                (a->owner && strcmp(a->owner, b->owner)) || a->reasons != b->reasons)
                __builtin_trap();
        }
        if (rc == 0) {
            if (l.type == SK_INV_ENTRY || l.type == SK_INV_FILE) {
                if (!l.entry.path || !l.entry.path_len || memchr(l.entry.path, 0, l.entry.path_len)) __builtin_trap();
                if (l.type == SK_INV_ENTRY && l.entry.op != SK_OP_REMOVE && !l.entry.have_sha256) __builtin_trap();
            }
            if (l.type == SK_INV_CATALOG && !l.content.have_sha256) __builtin_trap();
            if (l.content.n_yara > SK_INV_MAX_LIST || l.snapshot.n_anchors > SK_INV_MAX_LIST ||
                l.snapshot.n_addresses > SK_INV_MAX_LIST || l.snapshot.n_macs > SK_INV_MAX_LIST)
                __builtin_trap();
            if (l.content.imphash[0] && strlen(l.content.imphash) != 32) __builtin_trap();
            if (l.type == SK_INV_LISTING && l.listing.delta && (l.listing.base_manifest || !l.listing.base)) __builtin_trap();
        } else if (rc == SK_EFORMAT) {
            if (strncmp(sk_error_last(), "line ", 5)) __builtin_trap();
        } else if (rc != SK_ENOTFOUND && rc != SK_ENOMEM) {
            __builtin_trap();
        }
        if (!e) break;
        size -= n + 1;
        s = e + 1;
    }
    sk_inv_parser_free(p);
    sk_inv_parser_free(slow);
    return 0;
}
