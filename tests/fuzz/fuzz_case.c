/*
 * fuzz_case: case.json validation on arbitrary bytes. Property: a loaded case answers
 * every query without crashing.
 */
#include <stdint.h>
#include <string.h>

#include <sakimori/case.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_case *c;
    if (sk_case_parse(&c, (const char *)data, size, "fuzz.json")) return 0;
    sk_ip ip;
    sk_ip_parse("10.1.2.3", 8, &ip);
    int amb;
    (void)sk_case_site_for_ip(c, &ip, &amb);
    for (size_t i = 0; i < sk_case_site_count(c); i++)
        if (!sk_case_site_at(c, i)->name || !sk_case_site_at(c, i)->tz) __builtin_trap();
    (void)sk_case_known_good(c, "host", "WS1");
    (void)sk_case_join_tolerance(c, "dhcp_lease");
    sk_case_free(c);
    return 0;
}
