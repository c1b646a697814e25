/*
 * time.c - instants: FILETIME, civil dates, ISO 8601 formatting and parsing.
 *
 * Civil conversions use the era-based day counting for the proleptic Gregorian
 * calendar, so they are exact for any year an attacker can write into a log.
 */
#include <string.h>
#include <time.h>

#include <sakimori/timestamp.h>

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d);
static char *put_num(char *o, int64_t v, int width);

/* 1601-01-01 to 1970-01-01 in 100 ns ticks */
#define FT_EPOCH_DIFF UINT64_C(116444736000000000)

sk_time sk_time_from_filetime(uint64_t ft)
{
    if (ft == 0) return SK_TIME_NONE; /* Windows' "not set" */
    if (ft >= FT_EPOCH_DIFF) {
        uint64_t ticks = ft - FT_EPOCH_DIFF;
        if (ticks > (uint64_t)(INT64_MAX / 100)) return INT64_MAX;
        return (sk_time)ticks * 100;
    }
    uint64_t back = FT_EPOCH_DIFF - ft; /* ticks before 1970 */
    if (back > (uint64_t)(INT64_MAX / 100)) return INT64_MIN + 1;
    return -(sk_time)back * 100;
}

size_t sk_filetime_format(char out[SK_TIME_ISO_MAX], uint64_t ft)
{
    uint64_t secs = ft / 10000000u, frac = ft % 10000000u;
    int64_t days = (int64_t)(secs / 86400u) + sk_days_from_civil(1601, 1, 1);
    uint64_t rem = secs % 86400u;
    sk_time t = ((sk_time)rem * SK_NS_PER_SEC) + (sk_time)frac * 100;
    /* format the day separately so years far outside sk_time's range still print */
    sk_civil c;
    sk_time_to_civil(t, &c);
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char *o = out;
    o = put_num(o, y, 4);
    *o++ = '-';
    o = put_num(o, m, 2);
    *o++ = '-';
    o = put_num(o, d, 2);
    size_t n = sk_time_format(o, t, 7); /* "1970-01-01T..Z": keep the part from 'T' */
    memmove(o, o + 10, n - 10 + 1);
    return (size_t)(o - out) + n - 10;
}

uint64_t sk_time_to_filetime(sk_time t)
{
    if (t == SK_TIME_NONE) return 0;
    int64_t ticks = t / 100;
    if (t < 0 && t % 100) ticks--;
    if (ticks < -(int64_t)FT_EPOCH_DIFF) return 0;
    return (uint64_t)(ticks + (int64_t)FT_EPOCH_DIFF);
}

int64_t sk_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* Years sk_time can hold: about 1678-2261. */
int sk_time_from_civil(const sk_civil *c, sk_time *out)
{
    if (c->year < 1678 || c->year > 2261 || c->month < 1 || c->month > 12 || c->day < 1 ||
        c->day > days_in_month(c->year, c->month) || c->hour < 0 || c->hour > 23 ||
        c->minute < 0 || c->minute > 59 || c->second < 0 || c->second > 60 ||
        c->nanosecond < 0 || c->nanosecond > 999999999)
        return SK_EINVAL;
    int64_t days = sk_days_from_civil(c->year, c->month, c->day);
    int64_t secs = days * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
    /* range check against the int64 nanosecond span */
    if (secs > INT64_MAX / SK_NS_PER_SEC - 1 || secs < INT64_MIN / SK_NS_PER_SEC + 1) return SK_EINVAL;
    *out = secs * SK_NS_PER_SEC + c->nanosecond;
    return 0;
}

void sk_time_to_civil(sk_time t, sk_civil *out)
{
    int64_t secs = t / SK_NS_PER_SEC, ns = t % SK_NS_PER_SEC;
    if (ns < 0) {
        ns += SK_NS_PER_SEC;
        secs--;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(rem / 3600);
    out->minute = (int)(rem % 3600 / 60);
    out->second = (int)(rem % 60);
    out->nanosecond = (int32_t)ns;
    out->weekday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
}

sk_time sk_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (sk_time)ts.tv_sec * SK_NS_PER_SEC + ts.tv_nsec;
}

static char *put_num(char *o, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *o++ = '-';
    for (int i = n; i < width; i++) *o++ = '0';
    while (n) *o++ = tmp[--n];
    return o;
}

size_t sk_time_format(char out[SK_TIME_ISO_MAX], sk_time t, int digits)
{
    if (t == SK_TIME_NONE) {
        out[0] = '\0';
        return 0;
    }
    if (digits < 0) digits = 0;
    if (digits > 9) digits = 9;
    sk_civil c;
    sk_time_to_civil(t, &c);
    char *o = out;
    o = put_num(o, c.year, 4);
    *o++ = '-';
    o = put_num(o, c.month, 2);
    *o++ = '-';
    o = put_num(o, c.day, 2);
    *o++ = 'T';
    o = put_num(o, c.hour, 2);
    *o++ = ':';
    o = put_num(o, c.minute, 2);
    *o++ = ':';
    o = put_num(o, c.second, 2);
    if (digits) {
        *o++ = '.';
        int32_t ns = c.nanosecond;
        int32_t div = 100000000;
        for (int i = 0; i < digits; i++, div /= 10) *o++ = (char)('0' + (ns / div) % 10);
    }
    *o++ = 'Z';
    *o = '\0';
    return (size_t)(o - out);
}

size_t sk_time_format_trim(char out[SK_TIME_ISO_MAX], sk_time t)
{
    size_t n = sk_time_format(out, t, 9);
    char *dot = n > 2 && out[n - 1] == 'Z' ? memchr(out, '.', n) : NULL;
    if (!dot) return n;
    size_t e = n - 1, d = (size_t)(dot - out);
    while (e > d + 1 && out[e - 1] == '0') e--;
    if (e == d + 1) e--; /* no fraction left: no point either */
    out[e] = 'Z';
    out[e + 1] = '\0';
    return e + 1;
}

int sk_buf_put_time(sk_buf *b, sk_time t, int digits)
{
    char tmp[SK_TIME_ISO_MAX];
    size_t n = sk_time_format(tmp, t, digits);
    return sk_buf_append(b, tmp, n);
}

static int digits_at(const char *s, size_t n, size_t i, int count, int *out)
{
    if (i + (size_t)count > n) return -1;
    int v = 0;
    for (int k = 0; k < count; k++) {
        char c = s[i + (size_t)k];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

int sk_time_parse_iso8601(const char *s, size_t n, const sk_tz *local, sk_stamp *out)
{
    sk_civil c = {0};
    int y, v;
    size_t i = 0;
    if (digits_at(s, n, 0, 4, &y) || n < 16 || s[4] != '-') return SK_EFORMAT;
    c.year = y;
    if (digits_at(s, n, 5, 2, &c.month) || s[7] != '-' || digits_at(s, n, 8, 2, &c.day))
        return SK_EFORMAT;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return SK_EFORMAT;
    if (digits_at(s, n, 11, 2, &c.hour) || s[13] != ':' || digits_at(s, n, 14, 2, &c.minute))
        return SK_EFORMAT;
    i = 16;
    uint32_t q = SK_TQ_SECONDS;
    if (i < n && s[i] == ':') {
        if (digits_at(s, n, i + 1, 2, &c.second)) return SK_EFORMAT;
        i += 3;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t start = i;
            int32_t ns = 0, scale = 100000000;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (scale) {
                    ns += (s[i] - '0') * scale;
                    scale /= 10;
                }
                i++;
            }
            if (i == start || i - start > 18) return SK_EFORMAT;
            c.nanosecond = ns;
            q = 0;
        }
    }
    if (c.second == 60) c.second = 59; /* leap second: clamp, UTC has no :60 in sk_time */
    sk_time t;
    if (sk_time_from_civil(&c, &t)) return SK_EFORMAT;
    if (i == n) {
        if (local) {
            uint32_t lq = 0;
            int32_t off = 0;
            out->utc = sk_tz_local_to_utc(local, t, &off, &lq);
            out->offset_s = off;
            out->quality = q | lq;
        } else {
            out->utc = t;
            out->offset_s = 0;
            out->quality = q | SK_TQ_ZONE_ASSUMED;
        }
        return 0;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
        out->utc = t;
        out->offset_s = 0;
        out->quality = q | SK_TQ_UTC;
        return 0;
    }
    if (s[i] != '+' && s[i] != '-') return SK_EFORMAT;
    int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
    i++;
    if (digits_at(s, n, i, 2, &oh)) return SK_EFORMAT;
    i += 2;
    if (i < n) {
        if (s[i] == ':') i++;
        if (digits_at(s, n, i, 2, &om)) return SK_EFORMAT;
        i += 2;
    }
    if (i != n || oh > 23 || om > 59) return SK_EFORMAT;
    v = sign * (oh * 3600 + om * 60);
    out->utc = t - (sk_time)v * SK_NS_PER_SEC;
    out->offset_s = v;
    out->quality = q | SK_TQ_OFFSET;
    return 0;
}

static const char *const quality_names[SK_TQ_COUNT] = {
    "utc",      "offset",   "zone",           "zone_assumed",    "ambiguous",      "nonexistent",    "year_inferred",
    "skew_corrected", "seconds", "missing", "unparsed", "record_written", "shipper_differs"};

const char *sk_time_quality_name(unsigned bit)
{
    return bit < SK_TQ_COUNT ? quality_names[bit] : NULL;
}

uint32_t sk_time_quality_from_name(const char *s, size_t n)
{
    for (unsigned i = 0; i < SK_TQ_COUNT; i++)
        if (strlen(quality_names[i]) == n && !memcmp(quality_names[i], s, n)) return 1u << i;
    return 0;
}
