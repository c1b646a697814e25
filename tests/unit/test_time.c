/*
 * Unit tests: instants, ISO 8601, and time zones. Expected transition instants come
 * from Python's zoneinfo (an independent implementation) - see the comments.
 */
#include <sakimori/timestamp.h>

#include "sk_test.h"

static sk_time T_(int y, int mo, int d, int h, int mi, int s)
{
    sk_civil c = {y, mo, d, h, mi, s, 0, 0};
    sk_time t = 0;
    CHECK_INT(sk_time_from_civil(&c, &t), 0);
    return t;
}

static const char *fmt(sk_time t, int digits)
{
    static char out[SK_TIME_ISO_MAX];
    sk_time_format(out, t, digits);
    return out;
}

static void filetime(void)
{
    /* python: datetime(1601,1,1) + timedelta(microseconds=132000000000000000//10) */
    sk_time t = sk_time_from_filetime(UINT64_C(132000000000000000));
    CHECK_STR(fmt(t, 7), "2019-04-17T18:40:00.0000000Z");
    CHECK(sk_time_to_filetime(t) == UINT64_C(132000000000000000));
    CHECK_STR(fmt(sk_time_from_filetime(UINT64_C(132000000000000001)), 7),
              "2019-04-17T18:40:00.0000001Z");
    CHECK(sk_time_from_filetime(0) == SK_TIME_NONE);        /* "not set" */
    CHECK(sk_time_from_filetime(UINT64_MAX) == INT64_MAX);  /* saturates, no overflow */
    CHECK(sk_time_from_filetime(1) == INT64_MIN + 1);       /* 1601: below the range */
    char out[SK_TIME_ISO_MAX];
    sk_filetime_format(out, 0);
    CHECK_STR(out, "1601-01-01T00:00:00.0000000Z");
    sk_filetime_format(out, UINT64_C(132000000000000001));
    CHECK_STR(out, "2019-04-17T18:40:00.0000001Z");
    sk_filetime_format(out, UINT64_MAX); /* GNU date -u -d @1833029933770: 60056-05-28T05:36:10 */
    CHECK_STR(out, "60056-05-28T05:36:10.9551615Z");
}

static void civil_roundtrip(void)
{
    int bad = 0;
    for (sk_time t = -INT64_C(9000000000) * SK_NS_PER_SEC; t < INT64_C(9000000000) * SK_NS_PER_SEC;
         t += INT64_C(86399) * SK_NS_PER_SEC + 123456789) {
        sk_civil c;
        sk_time_to_civil(t, &c);
        sk_time back;
        if (sk_time_from_civil(&c, &back) || back != t) bad++;
    }
    CHECK_INT(bad, 0);
    sk_civil c;
    sk_time_to_civil(T_(2026, 11, 25, 0, 0, 0), &c);
    CHECK_INT(c.weekday, 3); /* a Wednesday */
    sk_civil badc = {2026, 2, 29, 0, 0, 0, 0, 0};
    sk_time t;
    CHECK_INT(sk_time_from_civil(&badc, &t), SK_EINVAL);
    badc = (sk_civil){2024, 2, 29, 23, 59, 59, 999999999, 0};
    CHECK_INT(sk_time_from_civil(&badc, &t), 0);
    CHECK_STR(fmt(t, 9), "2024-02-29T23:59:59.999999999Z");
    CHECK_STR(fmt(t, 3), "2024-02-29T23:59:59.999Z");
    CHECK_STR(fmt(-1, 9), "1969-12-31T23:59:59.999999999Z");
    CHECK_STR(fmt(SK_TIME_NONE, 3), "");
}

static void iso_parse(void)
{
    sk_stamp s;
    CHECK_INT(sk_time_parse_iso8601("2026-05-01T09:00:00+09:00", 25, NULL, &s), 0);
    CHECK(s.utc == T_(2026, 5, 1, 0, 0, 0));
    CHECK_INT(s.offset_s, 9 * 3600);
    CHECK(s.quality == (SK_TQ_OFFSET | SK_TQ_SECONDS));
    CHECK_INT(sk_time_parse_iso8601("2026-05-01 00:00:00.1234567Z", 28, NULL, &s), 0);
    CHECK(s.utc == T_(2026, 5, 1, 0, 0, 0) + 123456700);
    CHECK(s.quality == SK_TQ_UTC);
    CHECK_INT(sk_time_parse_iso8601("2026-05-01T00:00-0330", 21, NULL, &s), 0);
    CHECK(s.utc == T_(2026, 5, 1, 3, 30, 0));
    CHECK_INT(sk_time_parse_iso8601("2026-05-01T00:00:00", 19, NULL, &s), 0);
    CHECK(s.quality & SK_TQ_ZONE_ASSUMED);
    const char *bad[] = {"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-05-01",
                         "2026-05-01T25:00:00Z", "2026-05-01T00:00:00+2400",
                         "2026-05-01T00:00:00Zjunk", "2026-05-01T00:00:00.Z", "x026-05-01T00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(sk_time_parse_iso8601(bad[i], strlen(bad[i]), NULL, &s), SK_EFORMAT);
}

static sk_tz *load(const char *name)
{
    sk_tz *tz = NULL;
    int rc = sk_tz_load(&tz, name);
    CHECK_INT(rc, 0);
    if (rc) fprintf(stderr, "  %s\n", sk_error_last());
    return tz;
}

/* python zoneinfo: Europe/Berlin 2026 changes at 03-29 01:00Z (+2) and 10-25 01:00Z (+1) */
static void zone_berlin(void)
{
    sk_tz *tz = load("Europe/Berlin");
    if (!tz) return;
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 3, 29, 0, 59, 59)), 3600);
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 3, 29, 1, 0, 0)), 7200);
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 10, 25, 0, 59, 59)), 7200);
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 10, 25, 1, 0, 0)), 3600);
    /* 2100 lies past the table: the footer rule (python: 2100-03-28 01:00Z, 10-31 01:00Z) */
    CHECK_INT(sk_tz_offset_at(tz, T_(2100, 3, 28, 0, 59, 59)), 3600);
    CHECK_INT(sk_tz_offset_at(tz, T_(2100, 3, 28, 1, 0, 0)), 7200);
    CHECK_INT(sk_tz_offset_at(tz, T_(2100, 10, 31, 1, 0, 0)), 3600);
    /* local 02:30 on 2026-03-29 never happened; 02:30 on 10-25 happened twice */
    uint32_t q = 0;
    int32_t off;
    sk_time u = sk_tz_local_to_utc(tz, T_(2026, 3, 29, 2, 30, 0), &off, &q);
    CHECK(q & SK_TQ_NONEXISTENT);
    CHECK(u == T_(2026, 3, 29, 1, 30, 0));
    q = 0;
    u = sk_tz_local_to_utc(tz, T_(2026, 10, 25, 2, 30, 0), &off, &q);
    CHECK(q & SK_TQ_AMBIGUOUS);
    CHECK(u == T_(2026, 10, 25, 0, 30, 0)); /* the earlier instant */
    CHECK_INT(off, 7200);
    q = 0;
    u = sk_tz_local_to_utc(tz, T_(2026, 7, 1, 12, 0, 0), &off, &q);
    CHECK(q == SK_TQ_ZONE);
    CHECK(u == T_(2026, 7, 1, 10, 0, 0));
    /* parse a local time in that zone */
    sk_stamp s;
    CHECK_INT(sk_time_parse_iso8601("2026-10-25 02:30:00", 19, tz, &s), 0);
    CHECK(s.quality & SK_TQ_AMBIGUOUS);
    CHECK(s.quality & SK_TQ_ZONE);
    sk_tz_free(tz);
}

/* python zoneinfo: America/New_York 2026-03-08 07:00Z (-4), 11-01 06:00Z (-5);
 * Australia/Sydney 2026-04-04 16:00Z (+10), 10-03 16:00Z (+11): southern DST */
static void zone_others(void)
{
    sk_tz *ny = load("America/New_York"), *syd = load("Australia/Sydney"), *tk = load("Asia/Tokyo");
    if (ny) {
        CHECK_INT(sk_tz_offset_at(ny, T_(2026, 3, 8, 6, 59, 59)), -5 * 3600);
        CHECK_INT(sk_tz_offset_at(ny, T_(2026, 3, 8, 7, 0, 0)), -4 * 3600);
        CHECK_INT(sk_tz_offset_at(ny, T_(2026, 11, 1, 6, 0, 0)), -5 * 3600);
    }
    if (syd) {
        CHECK_INT(sk_tz_offset_at(syd, T_(2026, 4, 4, 15, 59, 59)), 11 * 3600);
        CHECK_INT(sk_tz_offset_at(syd, T_(2026, 4, 4, 16, 0, 0)), 10 * 3600);
        CHECK_INT(sk_tz_offset_at(syd, T_(2026, 10, 3, 16, 0, 0)), 11 * 3600);
    }
    if (tk) CHECK_INT(sk_tz_offset_at(tk, T_(2026, 7, 1, 0, 0, 0)), 9 * 3600);
    sk_tz_free(ny);
    sk_tz_free(syd);
    sk_tz_free(tk);
}

static void zone_posix_and_fixed(void)
{
    sk_tz *tz;
    /* the same rule Berlin's footer holds, parsed directly */
    CHECK_INT(sk_tz_parse_posix(&tz, "CET-1CEST,M3.5.0,M10.5.0/3", "cet"), 0);
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 3, 29, 1, 0, 0)), 7200);
    CHECK_INT(sk_tz_offset_at(tz, T_(2026, 10, 25, 1, 0, 0)), 3600);
    sk_tz_free(tz);
    CHECK_INT(sk_tz_parse_posix(&tz, "EST5EDT,M3.2.0/-1,M11.1.0/167", NULL), 0);
    sk_tz_free(tz);
    CHECK_INT(sk_tz_parse_posix(&tz, "<+0545>-5:45", NULL), 0);
    CHECK_INT(sk_tz_offset_at(tz, 0), 5 * 3600 + 45 * 60);
    sk_tz_free(tz);
    /* found by fuzz_tzif: offsets are limited to 24 h; transition times may reach 167 h */
    const char *bad[] = {"", "X-1", "CET-1CEST,M13.5.0,M10.5.0", "CET-200", "CET-1CEST,J0,J10",
                         "<+1030>-10:30<+11>-51,M10.1.0,M4.1.0", "XXX-25"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(sk_tz_parse_posix(&tz, bad[i], NULL), SK_EFORMAT);
    CHECK_INT(sk_tz_load(&tz, "+09:00"), 0);
    CHECK_INT(sk_tz_offset_at(tz, 0), 9 * 3600);
    sk_tz_free(tz);
    CHECK_INT(sk_tz_load(&tz, "-0330"), 0);
    CHECK_INT(sk_tz_offset_at(tz, 0), -(3 * 3600 + 30 * 60));
    sk_tz_free(tz);
    CHECK_INT(sk_tz_load(&tz, "UTC"), 0);
    CHECK_INT(sk_tz_offset_at(tz, 0), 0);
    sk_tz_free(tz);
    CHECK_INT(sk_tz_load(&tz, "../etc/passwd"), SK_EINVAL);
    CHECK_INT(sk_tz_load(&tz, "/etc/passwd"), SK_EINVAL);
    CHECK_INT(sk_tz_load(&tz, "Mars/Olympus_Mons"), SK_ENOTFOUND);
    CHECK_INT(sk_tz_load(&tz, "+25:00"), SK_EFORMAT);
}

static void tzif_hostile(void)
{
    sk_tz *tz;
    uint8_t hdr[44] = {'T', 'Z', 'i', 'f', '2'};
    CHECK_INT(sk_tz_parse_tzif(&tz, hdr, 10, "x"), SK_EFORMAT);
    CHECK_INT(sk_tz_parse_tzif(&tz, hdr, sizeof hdr, "x"), SK_EFORMAT); /* typecnt 0 */
    hdr[39] = 1;                                                        /* typecnt 1 */
    hdr[35] = 0xff;                                                     /* timecnt 255, no data */
    CHECK_INT(sk_tz_parse_tzif(&tz, hdr, sizeof hdr, "x"), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "truncated") != NULL);
}

SK_TEST_MAIN(T(filetime), T(civil_roundtrip), T(iso_parse), T(zone_berlin), T(zone_others),
             T(zone_posix_and_fixed), T(tzif_hostile))
