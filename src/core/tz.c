/*
 * tz.c - time zones from TZif files (RFC 8536) and POSIX TZ rules, without the C
 * library's global TZ state, so any thread can convert in any zone.
 *
 * A zone is its transition table (UTC second -> offset) plus the footer's POSIX
 * rule, which governs instants after the last transition (and zones that only
 * have a rule). TZif input is treated as untrusted: counts are checked against the
 * data length before anything is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/file.h>
#include <sakimori/timestamp.h>

typedef struct rule_date {
    char kind;   /* 'J' Julian 1-365 no leap, 'N' zero-based day 0-365, 'M' month.week.day */
    int a, b, c; /* J/N: day in a; M: month a, week b, weekday c */
    int32_t time; /* seconds after local midnight (may be negative or > 24h) */
} rule_date;

typedef struct posix_rule {
    int valid;
    int32_t std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    rule_date start, end;
} posix_rule;

struct sk_tz {
    char name[128];
    size_t n;
    int64_t *trans;  /* UTC seconds, ascending */
    int32_t *offs;   /* offset in force from trans[i] */
    int32_t off_before;
    posix_rule rule;
};

#define TZIF_MAX_BYTES (1u << 20)
#define SECS_PER_DAY 86400

/* ---- POSIX rules -------------------------------------------------------------- */

static int parse_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') s++;
        if (*s != '>') return -1;
        *p = s + 1;
        return 0;
    }
    const char *st = s;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) s++;
    if (s - st < 3) return -1;
    *p = s;
    return 0;
}

/* [+-]hh[:mm[:ss]] with hours up to max_h (POSIX: 24 for offsets; RFC 8536 allows
 * 167 for the time of a transition); returns seconds */
static int parse_hms(const char **p, int32_t *out, int allow_sign, int max_h)
{
    const char *s = *p;
    int sign = 1;
    if (allow_sign && (*s == '+' || *s == '-')) {
        if (*s == '-') sign = -1;
        s++;
    }
    int v[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (k) {
            if (*s != ':') break;
            s++;
        }
        if (*s < '0' || *s > '9') return -1;
        int x = 0, nd = 0;
        while (*s >= '0' && *s <= '9' && nd < 3) {
            x = x * 10 + (*s++ - '0');
            nd++;
        }
        v[k] = x;
    }
    if (v[0] > max_h || v[1] > 59 || v[2] > 59) return -1;
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    *p = s;
    return 0;
}

static int parse_int(const char **p, int *out, int lo, int hi)
{
    const char *s = *p;
    if (*s < '0' || *s > '9') return -1;
    int x = 0;
    while (*s >= '0' && *s <= '9' && x <= hi) x = x * 10 + (*s++ - '0');
    if (x < lo || x > hi) return -1;
    *out = x;
    *p = s;
    return 0;
}

static int parse_date(const char **p, rule_date *d)
{
    const char *s = *p;
    if (*s == 'J') {
        s++;
        d->kind = 'J';
        if (parse_int(&s, &d->a, 1, 365)) return -1;
    } else if (*s == 'M') {
        s++;
        d->kind = 'M';
        if (parse_int(&s, &d->a, 1, 12) || *s++ != '.' || parse_int(&s, &d->b, 1, 5) ||
            *s++ != '.' || parse_int(&s, &d->c, 0, 6))
            return -1;
    } else {
        d->kind = 'N';
        if (parse_int(&s, &d->a, 0, 365)) return -1;
    }
    d->time = 7200;
    if (*s == '/') {
        s++;
        if (parse_hms(&s, &d->time, 1, 167)) return -1;
    }
    *p = s;
    return 0;
}

static int parse_rule(const char *s, posix_rule *r)
{
    memset(r, 0, sizeof *r);
    if (parse_name(&s)) return -1;
    int32_t off;
    if (parse_hms(&s, &off, 1, 24)) return -1;
    r->std_off = -off; /* POSIX offsets are west-positive */
    r->dst_off = r->std_off;
    if (*s) {
        if (parse_name(&s)) return -1;
        r->has_dst = 1;
        r->dst_off = r->std_off + 3600;
        if (*s && *s != ',') {
            if (parse_hms(&s, &off, 1, 24)) return -1;
            r->dst_off = -off;
        }
        if (*s != ',') {
            /* no rule given: POSIX leaves it implementation-defined; use the US rules */
            r->start = (rule_date){'M', 3, 2, 0, 7200};
            r->end = (rule_date){'M', 11, 1, 0, 7200};
        } else {
            s++;
            if (parse_date(&s, &r->start) || *s++ != ',' || parse_date(&s, &r->end)) return -1;
        }
    }
    if (*s) return -1;
    r->valid = 1;
    return 0;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local seconds since the epoch at which rule date d falls in year y. */
static int64_t rule_local(int64_t y, const rule_date *d)
{
    int64_t day;
    if (d->kind == 'J') {
        day = sk_days_from_civil(y, 1, 1) + d->a - 1;
        if (is_leap(y) && d->a >= 60) day++;
    } else if (d->kind == 'N') {
        day = sk_days_from_civil(y, 1, 1) + d->a;
    } else {
        int64_t first = sk_days_from_civil(y, d->a, 1);
        int wd_first = (int)(((first % 7) + 11) % 7); /* 0 = Sunday */
        int64_t dd = first + ((d->c - wd_first + 7) % 7) + (int64_t)(d->b - 1) * 7;
        static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int mdays = dm[d->a - 1] + (d->a == 2 && is_leap(y));
        while (dd >= first + mdays) dd -= 7; /* week 5 means "last" */
        day = dd;
    }
    return day * SECS_PER_DAY + d->time;
}

static int32_t rule_offset(const posix_rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_off;
    sk_civil c;
    sk_time_to_civil((sk_time)(t + r->std_off) * SK_NS_PER_SEC, &c);
    int64_t start = rule_local(c.year, &r->start) - r->std_off;
    int64_t end = rule_local(c.year, &r->end) - r->dst_off;
    if (start < end) return (t >= start && t < end) ? r->dst_off : r->std_off;
    return (t >= end && t < start) ? r->std_off : r->dst_off;
}

/* ---- zones -------------------------------------------------------------------- */

int32_t sk_tz_offset_at(const sk_tz *tz, sk_time utc)
{
    int64_t t = utc / SK_NS_PER_SEC;
    if (utc < 0 && utc % SK_NS_PER_SEC) t--;
    if (tz->n == 0) return tz->rule.valid ? rule_offset(&tz->rule, t) : tz->off_before;
    if (t < tz->trans[0]) return tz->off_before;
    if (t >= tz->trans[tz->n - 1] && tz->rule.valid) return rule_offset(&tz->rule, t);
    size_t lo = 0, hi = tz->n; /* last index with trans <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t) lo = mid;
        else hi = mid;
    }
    return tz->offs[lo];
}

sk_time sk_tz_local_to_utc(const sk_tz *tz, sk_time local, int32_t *offset_s, uint32_t *quality)
{
    const sk_time day = (sk_time)SECS_PER_DAY * SK_NS_PER_SEC;
    int32_t o1 = sk_tz_offset_at(tz, local - day); /* offset in force well before */
    int32_t o2 = sk_tz_offset_at(tz, local + day); /* ... and well after */
    sk_time u1 = local - (sk_time)o1 * SK_NS_PER_SEC, u2 = local - (sk_time)o2 * SK_NS_PER_SEC;
    int ok1 = sk_tz_offset_at(tz, u1) == o1, ok2 = sk_tz_offset_at(tz, u2) == o2;
    uint32_t q = SK_TQ_ZONE;
    sk_time u;
    int32_t o;
    if (ok1 && ok2 && o1 != o2) { /* fold: the wall-clock time happened twice */
        q |= SK_TQ_AMBIGUOUS;
        if (u1 < u2) { u = u1; o = o1; } else { u = u2; o = o2; }
    } else if (ok1) {
        u = u1; o = o1;
    } else if (ok2) {
        u = u2; o = o2;
    } else { /* gap: the wall-clock time never happened; move forward by the gap */
        q |= SK_TQ_NONEXISTENT;
        u = u1;
        o = sk_tz_offset_at(tz, u1);
    }
    if (offset_s) *offset_s = o;
    if (quality) *quality |= q;
    return u;
}

const char *sk_tz_name(const sk_tz *tz)
{
    return tz->name;
}

void sk_tz_free(sk_tz *tz)
{
    if (!tz) return;
    free(tz->trans);
    free(tz->offs);
    free(tz);
}

static sk_tz *tz_alloc(const char *name)
{
    sk_tz *tz = calloc(1, sizeof *tz);
    if (tz) snprintf(tz->name, sizeof tz->name, "%s", name ? name : "");
    return tz;
}

int sk_tz_parse_posix(sk_tz **out, const char *rule, const char *name)
{
    *out = NULL;
    sk_tz *tz = tz_alloc(name ? name : rule);
    if (!tz) return sk_error_set(SK_ENOMEM, "out of memory");
    if (parse_rule(rule, &tz->rule)) {
        sk_tz_free(tz);
        return sk_error_set(SK_EFORMAT, "invalid POSIX TZ rule '%.64s'", rule);
    }
    tz->off_before = tz->rule.std_off;
    *out = tz;
    return 0;
}

static int64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    if (n == 4) return (int64_t)(int32_t)(uint32_t)v;
    return (int64_t)v;
}

int sk_tz_parse_tzif(sk_tz **out, const uint8_t *d, size_t len, const char *name)
{
    *out = NULL;
    const char *nm = name ? name : "<tzif>";
#define BAD(msg) do { sk_tz_free(tz); return sk_error_set(SK_EFORMAT, "%s: TZif: %s", nm, msg); } while (0)
    sk_tz *tz = tz_alloc(nm);
    if (!tz) return sk_error_set(SK_ENOMEM, "out of memory");
    if (len < 44 || memcmp(d, "TZif", 4) != 0) BAD("bad magic or truncated header");
    int version = d[4] ? d[4] - '0' : 1;
    size_t pos = 0;
    int tsz = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (len - pos < 44 || memcmp(d + pos, "TZif", 4) != 0) BAD("bad header");
        uint64_t isutcnt = (uint64_t)be(d + pos + 20, 4) & 0xffffffffu;
        uint64_t isstdcnt = (uint64_t)be(d + pos + 24, 4) & 0xffffffffu;
        uint64_t leapcnt = (uint64_t)be(d + pos + 28, 4) & 0xffffffffu;
        uint64_t timecnt = (uint64_t)be(d + pos + 32, 4) & 0xffffffffu;
        uint64_t typecnt = (uint64_t)be(d + pos + 36, 4) & 0xffffffffu;
        uint64_t charcnt = (uint64_t)be(d + pos + 40, 4) & 0xffffffffu;
        if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || leapcnt > 10000 ||
            charcnt > 10000 || (isutcnt && isutcnt != typecnt) || (isstdcnt && isstdcnt != typecnt))
            BAD("counts out of range");
        uint64_t body = timecnt * (uint64_t)tsz + timecnt + typecnt * 6 + charcnt +
                        leapcnt * (uint64_t)(tsz + 4) + isstdcnt + isutcnt;
        pos += 44;
        if (body > len - pos) BAD("truncated data block");
        if (pass == 0 && version >= 2) { /* skip the 32-bit block, read the 64-bit one */
            pos += body;
            tsz = 8;
            continue;
        }
        const uint8_t *tp = d + pos, *ix = tp + timecnt * (uint64_t)tsz,
                      *ti = ix + timecnt;
        tz->trans = malloc((timecnt ? timecnt : 1) * sizeof *tz->trans);
        tz->offs = malloc((timecnt ? timecnt : 1) * sizeof *tz->offs);
        if (!tz->trans || !tz->offs) {
            sk_tz_free(tz);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
        for (uint64_t i = 0; i < typecnt; i++) {
            int64_t off = be(ti + 6 * i, 4);
            if (off <= -25 * 3600 || off >= 26 * 3600) BAD("UT offset out of range");
        }
        for (uint64_t i = 0; i < timecnt; i++) {
            tz->trans[i] = be(tp + i * (uint64_t)tsz, tsz);
            if (i && tz->trans[i] <= tz->trans[i - 1]) BAD("transition times not ascending");
            if (ix[i] >= typecnt) BAD("transition type index out of range");
            tz->offs[i] = (int32_t)be(ti + 6 * ix[i], 4);
        }
        tz->n = (size_t)timecnt;
        tz->off_before = (int32_t)be(ti, 4); /* local time type 0 */
        pos += body;
        if (version >= 2) { /* footer: "\n" POSIX-TZ "\n" */
            if (pos < len && d[pos] == '\n') {
                const uint8_t *nl = memchr(d + pos + 1, '\n', len - pos - 1);
                if (!nl) BAD("unterminated footer");
                size_t flen = (size_t)(nl - (d + pos + 1));
                if (flen > 0) {
                    char rule[256];
                    if (flen >= sizeof rule) BAD("footer too long");
                    memcpy(rule, d + pos + 1, flen);
                    rule[flen] = '\0';
                    if (parse_rule(rule, &tz->rule)) BAD("invalid POSIX rule in footer");
                }
            }
        }
        break;
    }
#undef BAD
    *out = tz;
    return 0;
}

static int valid_zone_name(const char *n)
{
    size_t len = strlen(n);
    if (!len || len > 100 || n[0] == '/' || strstr(n, "..")) return 0;
    for (const char *p = n; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return 0;
    }
    return 1;
}

int sk_tz_load(sk_tz **out, const char *name)
{
    *out = NULL;
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "Etc/UTC"))
        return sk_tz_parse_posix(out, "UTC0", name);
    if (name[0] == '+' || name[0] == '-') { /* fixed offset */
        const char *p = name;
        int32_t off;
        char hm[16];
        size_t k = 0;
        /* accept +09:00, +0900, +09 */
        for (const char *q = name + 1; *q && k < sizeof hm - 1; q++) {
            if (*q == ':') continue;
            hm[k++] = *q;
        }
        hm[k] = '\0';
        char norm[24];
        if (k == 4)
            snprintf(norm, sizeof norm, "%c%c%c:%c%c", name[0], hm[0], hm[1], hm[2], hm[3]);
        else
            snprintf(norm, sizeof norm, "%c%s", name[0], hm);
        p = norm;
        if (parse_hms(&p, &off, 1, 24) || *p || off < -14 * 3600 || off > 14 * 3600)
            return sk_error_set(SK_EFORMAT, "invalid UTC offset '%.32s'", name);
        sk_tz *tz = tz_alloc(name);
        if (!tz) return sk_error_set(SK_ENOMEM, "out of memory");
        tz->rule.valid = 1;
        tz->rule.std_off = tz->rule.dst_off = off;
        tz->off_before = off;
        *out = tz;
        return 0;
    }
    if (!valid_zone_name(name))
        return sk_error_set(SK_EINVAL, "invalid time zone name '%.64s'", name);
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = "/usr/share/zoneinfo";
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd;
    if (sk_file_open(SK_FILE_CWD, path, 0, &fd, NULL)) {
        char why[SK_ERROR_MAX];
        snprintf(why, sizeof why, "%s", sk_error_last());
        return sk_error_set(SK_ENOTFOUND, "unknown time zone '%s' (%s)", name, why);
    }
    uint8_t *buf = malloc(TZIF_MAX_BYTES);
    if (!buf) {
        close(fd);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    size_t len = 0;
    while (len < TZIF_MAX_BYTES) {
        ssize_t r = read(fd, buf + len, TZIF_MAX_BYTES - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    int rc = sk_tz_parse_tzif(out, buf, len, name);
    free(buf);
    return rc;
}
