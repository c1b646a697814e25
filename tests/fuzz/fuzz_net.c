/*
 * fuzz_net: IP and prefix parsing. Property: what parses formats canonically and the
 * canonical form parses back to the same value.
 */
#include <stdint.h>
#include <string.h>

#include <sakimori/net.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_prefix p, q;
    if (sk_prefix_parse((const char *)data, size, size & 1, &p) == 0) {
        sk_buf b;
        sk_buf_init(&b, 1024);
        if (sk_prefix_format(&b, &p)) __builtin_trap();
        if (sk_prefix_parse(b.data, b.len, 0, &q)) __builtin_trap();
        if (q.bits != p.bits || memcmp(&q.ip, &p.ip, sizeof p.ip)) __builtin_trap();
        sk_buf_free(&b);
    }
    return 0;
}
