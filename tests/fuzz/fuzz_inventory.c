/*
 * fuzz_inventory.c - the inventory line reader (snapshots, listings, the catalogue) on
 * hostile lines: each line of the input is read; a line that reads has the members its
 * type promises (an entry has a non-empty path without NUL, a digest wherever it is not
 * a removal, a catalogue record its SHA-256, counts within their arrays); one that does
 * not has a message naming its line. No crash, no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/inventory_read.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_inv_parser *p = NULL;
    if (sk_inv_parser_new(&p)) return 0;
    static sk_inv_line l;
    const char *s = (const char *)data;
    uint64_t line = 0;
    while (size) {
        const char *e = memchr(s, '\n', size);
        size_t n = e ? (size_t)(e - s) : size;
        line++;
        int rc = sk_inv_parse_line(p, s, n, line, &l);
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
    return 0;
}
