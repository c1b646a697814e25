/* Unit tests: outbound volume (sakimori/exfil.h): a day far over the host's own median
 * and its peers' is a candidate, one under min_bytes or under the ratio is not; a day is
 * counted at its best sensor (two sensors seeing the same bytes do not add up); a host
 * with fewer than three days is judged against its peers only; peer groups apart. */
#include <sakimori/exfil.h>

#include "sk_test.h"

#define DAY ((sk_time)86400 * SK_NS_PER_SEC)
#define T0 ((sk_time)1562716800 * SK_NS_PER_SEC) /* 2019-07-10 */
#define MB UINT64_C(1000000)

static void add(sk_exfil *x, const char *host, const char *group, int sensor, sk_time t, uint64_t bytes)
{
    static uint64_t line;
    sk_exfil_obs o = {.host = host, .host_n = strlen(host), .group = group, .dest = "203.0.113.5:443", .dest_n = 15, .sensor = sensor,
                      .t = t, .bytes_out = bytes, .line = ++line};
    CHECK_INT(sk_exfil_add(x, &o), 0);
}

static void baselines(void)
{
    sk_exfil *x = NULL;
    sk_exfil_options o = {.min_bytes = 50 * MB, .ratio = 5};
    CHECK_INT(sk_exfil_new(&x, &o), 0);
    char h[16];
    for (int i = 0; i < 8; i++) {
        snprintf(h, sizeof h, "pc%d", i);
        for (int d = 0; d < 7; d++) add(x, h, "endpoint", 0, T0 + d * DAY + 3600 * SK_NS_PER_SEC, 10 * MB);
    }
    add(x, "pc3", "endpoint", 0, T0 + 4 * DAY + 7200 * SK_NS_PER_SEC, 400 * MB);  /* 410 MB: 41x */
    add(x, "pc3", "endpoint", 1, T0 + 4 * DAY + 7300 * SK_NS_PER_SEC, 405 * MB);  /* another sensor, the same bytes */
    add(x, "pc5", "endpoint", 0, T0 + 2 * DAY + 7200 * SK_NS_PER_SEC, 30 * MB);   /* 40 MB: 4x, under the ratio and min */
    /* a backup server that sends 1 GB every day: its own habit, no candidate */
    for (int d = 0; d < 7; d++) add(x, "backup1", "backup", 0, T0 + d * DAY, 1000 * MB);
    /* a host seen one day, judged against its peers */
    add(x, "lap9", "endpoint", 0, T0 + DAY, 200 * MB);
    const sk_exfil_cand *c;
    size_t n;
    CHECK_INT(sk_exfil_rank(x, &c, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(c[0].host, "pc3");
        CHECK_INT(c[0].bytes, 410 * MB);
        CHECK_INT(c[0].days_seen, 7);
        CHECK(c[0].own_median == 10.0 * MB && c[0].peer_median == 10.0 * MB);
        CHECK(c[0].ratio > 40 && c[0].ratio < 42);
        CHECK_INT(c[0].day, T0 / DAY + 4);
        CHECK_STR(c[0].group, "endpoint");
        CHECK(c[0].n_refs == 2 && c[0].refs[0].bytes == 400 * MB);
        CHECK_STR(c[1].host, "lap9");
        CHECK_INT(c[1].days_seen, 1);
        CHECK(c[1].own_median == 0 && c[1].peer_median == 10.0 * MB);
    }
    sk_exfil_free(x);
}

static void nothing(void)
{
    sk_exfil *x = NULL;
    CHECK_INT(sk_exfil_new(&x, NULL), 0);
    sk_exfil_obs o = {.host = "a", .host_n = 1, .t = SK_TIME_NONE, .bytes_out = 5};
    CHECK_INT(sk_exfil_add(x, &o), 0);
    o.t = T0, o.bytes_out = 0;
    CHECK_INT(sk_exfil_add(x, &o), 0);
    const sk_exfil_cand *c;
    size_t n = 9;
    CHECK_INT(sk_exfil_rank(x, &c, &n), 0);
    CHECK_INT(n, 0);
    sk_exfil_free(x);
}

SK_TEST_MAIN(T(baselines), T(nothing))
