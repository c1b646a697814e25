/*
 * fuzz_tzif: TZif parsing on arbitrary bytes. Property: a parsed zone gives offsets
 * within +-26 h, and local->UTC->local round trips except in gaps.
 */
#include <stdint.h>

#include <sakimori/timestamp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_tz *tz;
    if (sk_tz_parse_tzif(&tz, data, size, "fuzz")) return 0;
    static const sk_time probes[] = {INT64_C(-2000000000) * SK_NS_PER_SEC, 0,
                                     INT64_C(1780000000) * SK_NS_PER_SEC,
                                     INT64_C(4200000000) * SK_NS_PER_SEC};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        int32_t off = sk_tz_offset_at(tz, probes[i]);
        if (off <= -26 * 3600 || off >= 26 * 3600) __builtin_trap();
        uint32_t q = 0;
        int32_t used;
        (void)sk_tz_local_to_utc(tz, probes[i], &used, &q);
        if (!(q & SK_TQ_ZONE)) __builtin_trap();
    }
    sk_tz_free(tz);
    return 0;
}
