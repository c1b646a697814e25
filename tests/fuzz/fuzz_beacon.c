/*
 * fuzz_beacon: the beacon allowlist parser and the scoring over hostile observations.
 * The input's first half is an allowlist; the rest is cut into observations (host,
 * destination, user agent, URI, a time and a size from the bytes). Properties: nothing
 * crashes or leaks; every candidate's score lies in [0, 100] and the ranks are in score
 * order; an allowlisted candidate is covered by a loaded entry.
 */
#include <stdint.h>
#include <string.h>

#include <sakimori/beacon.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t half = size / 2;
    sk_beacon_allow *a = NULL;
    if (sk_beacon_allow_new(&a)) return 0;
    if (sk_beacon_allow_add(a, "fuzz", (const char *)data, half, NULL, NULL)) {
        sk_beacon_allow_free(a);
        return 0;
    }
    sk_beacon_options o = {.allow = a, .min_contacts = 3, .max_points = 64, .max_total_points = 512};
    sk_beacons *b = NULL;
    if (sk_beacons_new(&b, &o)) {
        sk_beacon_allow_free(a);
        return 0;
    }
    const uint8_t *p = data + half, *end = data + size;
    sk_time t = (sk_time)1562716800 * SK_NS_PER_SEC;
    while (p + 4 <= end) {
        size_t hn = p[0] % 4 + 1, dn = p[1] % 24 + 1;
        t += (sk_time)(p[2] * 7 + 1) * SK_NS_PER_SEC;
        uint64_t bytes = p[3];
        p += 4;
        if (p + hn + dn > end) break;
        sk_beacon_obs ob = {.host = (const char *)p, .host_n = hn, .dest = (const char *)p + hn, .dest_n = dn, .sensor = bytes % 8,
                            .t = t, .bytes = bytes * 100, .has_bytes = bytes & 1, .ua = (const char *)p + hn, .ua_n = dn,
                            .uri = (const char *)p, .uri_n = hn, .line = (uint64_t)(p - data)};
        if (sk_beacons_add(b, &ob)) break;
        p += hn + dn;
    }
    const sk_beacon_cand *c;
    size_t n;
    if (!sk_beacons_rank(b, &c, &n)) {
        for (size_t i = 0; i < n; i++) {
            if (!(c[i].score >= 0 && c[i].score <= 100)) __builtin_trap();
            if (i && c[i].score > c[i - 1].score) __builtin_trap();
            if (c[i].allowlisted && !sk_beacon_allow_count(a)) __builtin_trap();
        }
    }
    sk_beacons_free(b);
    sk_beacon_allow_free(a);
    return 0;
}
