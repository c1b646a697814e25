/*
 * fuzz_json: the JSON reader on arbitrary bytes. Property: whatever parses serialises
 * back to JSON that parses again and serialises to the same bytes (a fixpoint).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_json_limits lim = {.max_bytes = 4 << 20, .keep_invalid_utf8 = size && (data[0] & 1)};
    sk_json_doc *d;
    if (sk_json_parse(&d, (const char *)data, size, "fuzz", &lim)) return 0;
    sk_buf a, b;
    sk_buf_init(&a, 64 << 20);
    sk_buf_init(&b, 64 << 20);
    sk_jw w;
    sk_jw_init(&w, &a);
    if (sk_jw_value(&w, sk_json_doc_root(d)) == 0 && sk_jw_error(&w) == 0) {
        sk_json_doc *d2;
        if (sk_json_parse(&d2, a.data, a.len, "fuzz2", &lim) != 0) __builtin_trap();
        sk_jw_init(&w, &b);
        if (sk_jw_value(&w, sk_json_doc_root(d2))) __builtin_trap();
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) __builtin_trap();
        sk_json_doc_free(d2);
    }
    sk_buf_free(&a);
    sk_buf_free(&b);
    sk_json_doc_free(d);
    return 0;
}
