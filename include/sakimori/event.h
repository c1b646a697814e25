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
    uint64_t record_id;     /**< EVTX: the record header's id */
    uint64_t offset;        /**< EVTX: the record's offset in the file */
    int has_offset;
    const char *format;     /**< "evtx", "evtx-carved", ... */
    int recovered;
    sk_time fallback_time;  /**< used when TimeCreated is missing or unreadable */
} sk_event_src;

/** Append one event-model JSON line (with its newline) for the Event element `ev`. */
int sk_event_write_json(sk_buf *out, const sk_xnode *ev, const sk_event_src *src);

/** Append the Event element as XML on one line (Windows' rendering: escaped text,
 * empty elements as <X/>), with a newline. */
int sk_event_write_xml(sk_buf *out, const sk_xnode *ev);

#ifdef __cplusplus
}
#endif
#endif
