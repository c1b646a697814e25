/*
 * fuzz_time: ISO 8601 and POSIX TZ rule parsing. Properties: a parsed UTC instant
 * formats and re-parses to itself; a parsed rule gives sane offsets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/timestamp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_stamp s;
    if (sk_time_parse_iso8601((const char *)data, size, NULL, &s) == 0) {
        char out[SK_TIME_ISO_MAX];
        size_t n = sk_time_format(out, s.utc, 9);
        sk_stamp back;
        if (sk_time_parse_iso8601(out, n, NULL, &back) || back.utc != s.utc) __builtin_trap();
    }
    if (size < 200) {
        char rule[201];
        memcpy(rule, data, size);
        rule[size] = '\0';
        sk_tz *tz;
        if (sk_tz_parse_posix(&tz, rule, NULL) == 0) {
            for (int64_t t = 0; t < INT64_C(3) * 366 * 86400; t += 86400 * 7) {
                int32_t off = sk_tz_offset_at(tz, t * SK_NS_PER_SEC);
                if (off < -25 * 3600 || off > 25 * 3600) __builtin_trap();
            }
            sk_tz_free(tz);
        }
    }
    return 0;
}
