/*
 * fuzz_escape: the output escapers on arbitrary bytes. Properties: terminal output
 * holds no control byte; JSON output parses back to the input (WTF-8 kept, other
 * invalid bytes come back as their surrogate escapes); HTML output holds no < > " '.
 */
#include <stdint.h>
#include <string.h>

#include <sakimori/escape.h>
#include <sakimori/json.h>
#include <sakimori/utf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_buf b;
    sk_buf_init(&b, 64 << 20);
    const char *s = (const char *)data;
    if (sk_escape_terminal(&b, s, size)) __builtin_trap();
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if (c < 0x20 || c == 0x7f) __builtin_trap();
    }
    if (b.len && !sk_utf8_valid((const uint8_t *)b.data, b.len)) __builtin_trap();
    sk_buf_reset(&b);
    if (sk_escape_html(&b, s, size)) __builtin_trap();
    if (b.len && strpbrk(b.data, "<>\"'")) __builtin_trap();
    sk_buf_reset(&b);
    if (sk_escape_csv(&b, s, size)) __builtin_trap();
    sk_buf_reset(&b);
    if (sk_json_escape(&b, s, size)) __builtin_trap();
    sk_json_doc *d;
    if (sk_json_parse(&d, b.data, b.len, "esc", NULL)) __builtin_trap();
    size_t n;
    const char *back = sk_json_string(sk_json_doc_root(d), &n);
    if (sk_utf8_valid(data, size) && (n != size || memcmp(back, s, size))) __builtin_trap();
    sk_json_doc_free(d);
    sk_buf_free(&b);
    return 0;
}
