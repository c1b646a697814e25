/*
 * sakimori/timestamp.h - instants, their provenance, and time zones.
 *
 * Every instant sakimori stores is UTC nanoseconds since the Unix epoch (sk_time).
 * Where it came from travels with it (sk_stamp): the offset the source wrote or
 * implied, and quality flags saying how much to trust it - a DHCP syslog line in
 * local time without a year is not as good as an EVTX FILETIME. See
 * docs/formats/time.md for the model and the join tolerances built on it.
 *
 * Time zones are read from the system's TZif files (/usr/share/zoneinfo, or $TZDIR)
 * by sakimori's own parser, so conversions are thread-safe and never touch the
 * process's TZ; the POSIX rule in a TZif footer covers instants past the table.
 */
#ifndef SAKIMORI_TIMESTAMP_H
#define SAKIMORI_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Nanoseconds since 1970-01-01T00:00:00Z. */
typedef int64_t sk_time;

/** "No time": sorts before every real instant. */
#define SK_TIME_NONE INT64_MIN
#define SK_NS_PER_SEC INT64_C(1000000000)

/** Quality flags (a set) describing how an instant was obtained. */
enum sk_time_quality {
    SK_TQ_UTC = 1u << 0,          /**< the source states UTC (FILETIME, epoch seconds, "Z") */
    SK_TQ_OFFSET = 1u << 1,       /**< the source states an explicit UTC offset */
    SK_TQ_ZONE = 1u << 2,         /**< local time converted with the configured zone */
    SK_TQ_ZONE_ASSUMED = 1u << 3, /**< local time, no zone configured: taken as UTC */
    SK_TQ_AMBIGUOUS = 1u << 4,    /**< local time in a DST fold: the earlier instant was chosen */
    SK_TQ_NONEXISTENT = 1u << 5,  /**< local time in a DST gap: shifted by the gap */
    SK_TQ_YEAR_INFERRED = 1u << 6,/**< the source has no year (RFC 3164): inferred */
    SK_TQ_SKEW_CORRECTED = 1u << 7,/**< shifted by the host's estimated clock skew */
    SK_TQ_SECONDS = 1u << 8,      /**< the source has whole seconds only */
    /* issue #10 (EVTX and JSON events, h-evtx): a record without a usable time of its
     * own. The instant written is a stand-in (docs/formats/time.md, event.md). */
    SK_TQ_MISSING = 1u << 9,      /**< the record gives no time */
    SK_TQ_UNPARSED = 1u << 10,    /**< the record's time could not be read */
    SK_TQ_RECORD_WRITTEN = 1u << 11,/**< EVTX: the stand-in is the record header's written time */
    /* issue #11: shippers' times */
    SK_TQ_SHIPPER_DIFFERS = 1u << 12  /**< the shipper's @timestamp is not the event's own time (that one is used) */
};

/** The number of sk_time_quality flags. */
#define SK_TQ_COUNT 13

/** The name of flag bit `bit` (0..SK_TQ_COUNT-1) as records write it ("utc", "offset",
 * ...), or NULL. */
const char *sk_time_quality_name(unsigned bit);

/** The flag of a name as records write it, or 0 when it is none. */
uint32_t sk_time_quality_from_name(const char *s, size_t n);

/** An instant with its provenance. */
typedef struct sk_stamp {
    sk_time utc;       /**< the instant */
    int32_t offset_s;  /**< offset east of UTC that the source used, in seconds */
    uint32_t quality;  /**< sk_time_quality flags */
} sk_stamp;

/** Broken-down UTC (or local) time. */
typedef struct sk_civil {
    int64_t year;
    int month, day, hour, minute, second; /* 1-12, 1-31, 0-23, 0-59, 0-60 */
    int32_t nanosecond;
    int weekday; /* 0 = Sunday; filled by sk_time_to_civil */
} sk_civil;

/**
 * Windows FILETIME (100 ns ticks since 1601-01-01Z) to sk_time. 0 (Windows' "not set")
 * gives SK_TIME_NONE; values outside sk_time's range (about 1678-2262) saturate. Use
 * sk_filetime_format() to render a raw FILETIME exactly, whatever its value.
 */
sk_time sk_time_from_filetime(uint64_t ft);
/** sk_time to FILETIME; 0 for instants before 1601. */
uint64_t sk_time_to_filetime(sk_time t);

/** Validate and convert a civil date-time (taken as UTC). SK_EINVAL when out of range. */
int sk_time_from_civil(const sk_civil *c, sk_time *out);
void sk_time_to_civil(sk_time t, sk_civil *out);

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t sk_days_from_civil(int64_t y, int m, int d);

/** The current time. */
sk_time sk_time_now(void);

/** Longest string sk_time_format writes, with NUL. */
#define SK_TIME_ISO_MAX 40

/**
 * Format as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SS[.f{digits}]Z"; digits 0-9 (7 keeps
 * FILETIME's 100 ns). Returns the length. SK_TIME_NONE formats as "".
 */
size_t sk_time_format(char out[SK_TIME_ISO_MAX], sk_time t, int digits);
/** Like sk_time_format with 9 digits, the fraction's trailing zeros (and an empty
 * fraction's point) dropped: "2026-06-03T00:10:00Z", "...:19.441662Z". */
size_t sk_time_format_trim(char out[SK_TIME_ISO_MAX], sk_time t);
int sk_buf_put_time(sk_buf *b, sk_time t, int digits);

/** Format any FILETIME as "YYYY-MM-DDTHH:MM:SS.fffffffZ" (0 is 1601-01-01T00:00:00.0000000Z). */
size_t sk_filetime_format(char out[SK_TIME_ISO_MAX], uint64_t ft);

typedef struct sk_tz sk_tz;

/**
 * Parse ISO 8601 / RFC 3339 "YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|+HH:MM|+HHMM|+HH]".
 * Without a zone the time is local to `local` (quality SK_TQ_ZONE), or UTC with
 * SK_TQ_ZONE_ASSUMED when `local` is NULL. SK_EFORMAT on anything else (no message).
 */
int sk_time_parse_iso8601(const char *s, size_t n, const sk_tz *local, sk_stamp *out);

/**
 * Load a zone: an IANA name ("Asia/Tokyo") from $TZDIR or /usr/share/zoneinfo,
 * "UTC", or a fixed offset "+09:00" / "-0330". Names with ".." or a leading "/"
 * are refused.
 */
int sk_tz_load(sk_tz **out, const char *name);

/** Build a zone from TZif bytes (versions 1-4) - what sk_tz_load uses; fuzzed. */
int sk_tz_parse_tzif(sk_tz **out, const uint8_t *data, size_t len, const char *name);

/** Build a zone from a POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3". */
int sk_tz_parse_posix(sk_tz **out, const char *rule, const char *name);

void sk_tz_free(sk_tz *tz);
const char *sk_tz_name(const sk_tz *tz);

/** Offset east of UTC, in seconds, in force at the instant `utc`. */
int32_t sk_tz_offset_at(const sk_tz *tz, sk_time utc);

/**
 * Convert a local wall-clock time (expressed as if it were UTC) to UTC. In a DST fold
 * the earlier instant is chosen and SK_TQ_AMBIGUOUS added to *quality; in a gap the
 * time is moved forward by the gap and SK_TQ_NONEXISTENT added. *quality always gets
 * SK_TQ_ZONE. `offset_s` (may be NULL) receives the offset used.
 */
sk_time sk_tz_local_to_utc(const sk_tz *tz, sk_time local, int32_t *offset_s,
                           uint32_t *quality);

#ifdef __cplusplus
}
#endif
#endif
