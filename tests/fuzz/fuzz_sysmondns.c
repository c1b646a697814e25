/*
 * fuzz_sysmondns - Sysmon 22's QueryName and QueryResults (sk_pdns_sysmon_pairs) over
 * arbitrary bytes: the first line is the query name, the rest the results. Asserted:
 * every name given is a host name as passive DNS keeps it (1-253 bytes, no blank, no
 * ';', no upper case, no trailing dot), at most 9 names an address; no crash, no hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/pdns.h>

static int on_pair(void *ctx, const sk_ip *ip, const char *name, size_t n)
{
    (void)ip;
    size_t *count = ctx;
    if (!n || n > 253 || name[n - 1] == '.') __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= ' ' || name[i] == ';' || (name[i] >= 'A' && name[i] <= 'Z')) __builtin_trap();
    (*count)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t qn = nl ? (size_t)(nl - s) : size;
    const char *r = nl ? nl + 1 : s + size;
    size_t rn = size - qn - (nl ? 1 : 0);
    size_t count = 0, addresses = 0;
    sk_pdns_sysmon_pairs(s, qn, r, rn, on_pair, &count);
    for (size_t i = 0; i < rn; i++) addresses += r[i] == ';';
    if (count > 9 * (addresses + 1)) __builtin_trap();
    return 0;
}
