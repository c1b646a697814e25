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
    sk_time fallback_time;  /**< used when TimeCreated is missing or unreadable */
} sk_event_src;

/** System/EventRecordID of an Event element as a number: 1 with *out set, 0 when it is
 * absent or not a decimal number. */
int sk_event_record_id(const sk_xnode *ev, uint64_t *out);

/** Append one event-model JSON line (with its newline) for the Event element `ev`. */
int sk_event_write_json(sk_buf *out, const sk_xnode *ev, const sk_event_src *src);

typedef struct sk_json_value sk_json_value;
typedef struct sk_tz sk_tz;

/**
 * Append the event-model line of one JSON record shipped from Windows: Winlogbeat /
 * ECS-nested (winlog.*), NXLog-style flat (EventID, SourceName, ... at the top), or
 * sakimori's own event line (passed through unchanged). `local` is the zone of NXLog's
 * EventTime when the record has no @timestamp (NULL: UTC). *format gets "winlogbeat",
 * "nxlog" or "sakimori". SK_EFORMAT with a message when the record is no event.
 */
int sk_event_from_json(sk_buf *out, const sk_json_value *record, const sk_event_src *src, const sk_tz *local,
                       const char **format);

/** Append the Event element as XML on one line (Windows' rendering: escaped text,
 * empty elements as <X/>), with a newline. */
int sk_event_write_xml(sk_buf *out, const sk_xnode *ev);

#ifdef __cplusplus
}
#endif
#endif
