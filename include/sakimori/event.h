/*
 * sakimori/event.h - the event model (docs/formats/event.md): one JSON object per
 * Windows event, System fields and EventData under the names SigmaHQ rules use; and
 * Windows-style XML of the same record.
 */
#ifndef SAKIMORI_EVENT_H
#define SAKIMORI_EVENT_H

#include <stdint.h>

#include "buf.h"
#include "evtx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where an event came from, for its "src", "format" and "recovered" members. */
typedef struct sk_event_src {
    const char *sha256;     /**< the input's SHA-256, lower-case hex */
    uint64_t record_id;     /**< EventRecordID */
    int has_record_id;
    uint64_t offset;        /**< EVTX: the record's offset in the file */
    int has_offset;
    uint64_t line;          /**< JSON logs: the 1-based line */
    int has_line;
    const char *format;     /**< "evtx", "evtx-carved", ... */
    int recovered;
    /** EVTX: the record header's written time, the stand-in when TimeCreated is missing
     * or unreadable (time_quality then adds record_written); SK_TIME_NONE when there is
     * none - but 0 is 1970-01-01, so a zeroed src must set it. */
    sk_time fallback_time;
    /** How the reader obtained TimeCreated (sk_time_quality flags; 0 or SK_TQ_UTC:
     * stated in UTC, nothing written); SK_TQ_UNPARSED when the record's time could not be
     * read. time_offset_s: the offset used, written with SK_TQ_OFFSET or SK_TQ_ZONE. */
    uint32_t time_quality;
    int32_t time_offset_s;
} sk_event_src;

/** The stand-in `time` of an event that has none of its own (FILETIME 0, Windows' "not
 * set"); its time_quality says missing or unparsed. */
#define SK_EVENT_TIME_NONE "1601-01-01T00:00:00.0000000Z"

/** 1 when s[0..n) is an instant as the event model writes `time`:
 * YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z (the pattern only: any year). */
int sk_event_time_valid(const char *s, size_t n);

/** System/EventRecordID of an Event element as a number: 1 with *out set, 0 when it is
 * absent or not a decimal number. */
int sk_event_record_id(const sk_xnode *ev, uint64_t *out);

/** Append one event-model JSON line (with its newline) for the Event element `ev`. */
int sk_event_write_json(sk_buf *out, const sk_xnode *ev, const sk_event_src *src);

typedef struct sk_json_value sk_json_value;
typedef struct sk_tz sk_tz;

/** What sk_event_from_json() found besides the event. */
typedef struct sk_event_json_info {
    const char *format;     /**< "winlogbeat", "nxlog", "sakimori" (static), or NULL: no event */
    uint32_t time_quality;  /**< the time's sk_time_quality flags (SK_TQ_MISSING, SK_TQ_UNPARSED: none) */
    int32_t time_offset_s;
    int no_event_id;        /**< refused for its event id (absent ids: the message says so) */
    /** Non-empty when the event was written despite a problem (a missing or unreadable
     * time): one line for the caller to report with the record's position. */
    char warning[256];
} sk_event_json_info;

/**
 * Append the event-model line of one JSON record shipped from Windows: Winlogbeat /
 * ECS-nested (winlog.*), NXLog-style flat (EventID, SourceName, ... at the top), or
 * sakimori's own event line (passed through unchanged once its EventID and time are
 * checked). `local` is the zone of NXLog's EventTime when the record has no @timestamp
 * (NULL: UTC, with time_quality zone_assumed). SK_EFORMAT with a message when the record
 * is no event, including one without a usable event id (an integer 0-65535: null, 1e400,
 * -1, 65536, "x" are refused and info->no_event_id set). A record without a usable time
 * is written with SK_EVENT_TIME_NONE and time_quality missing or unparsed, and
 * info->warning says so. src->fallback_time is not used (JSON has no record header).
 */
int sk_event_from_json(sk_buf *out, const sk_json_value *record, const sk_event_src *src, const sk_tz *local,
                       sk_event_json_info *info);

/** Append the Event element as XML on one line (Windows' rendering: escaped text,
 * empty elements as <X/>), with a newline. */
int sk_event_write_xml(sk_buf *out, const sk_xnode *ev);

#ifdef __cplusplus
}
#endif
#endif
