/*
 * fuzz_eventjson - the JSON event readers (Winlogbeat, NXLog, evtx JSON, sakimori's
 * own) on arbitrary bytes: parsed as one JSON document, built into a typed event view
 * whose JSON line must be valid JSON and read back to the same line
 * (event_roundtrip.h), and whose XML is written; no crash, no hang, no unbounded
 * allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include <sakimori/buf.h>
#include <sakimori/event.h>
#include <sakimori/json.h>

#include "event_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = (size_t)16 << 20, .keep_invalid_utf8 = 1};
    if (sk_json_parse(&doc, (const char *)data, size, NULL, &lim)) return 0;
    static sk_arena *a, *a2;
    if ((!a && sk_arena_new(&a, 0, (size_t)256 << 20)) || (!a2 && sk_arena_new(&a2, 0, (size_t)256 << 20))) {
        sk_json_doc_free(doc);
        return 0;
    }
    sk_event_src src = {.sha256 = FUZZ_SHA, .line = 1, .has_line = 1, .fallback_time = SK_TIME_NONE};
    sk_event_json_info info;
    sk_event ev;
    sk_arena_reset(a);
    if (!sk_event_from_json_record(&ev, sk_json_doc_root(doc), &src, NULL, a, &info)) {
        fuzz_event_roundtrip(&ev, a2);
        sk_buf b;
        sk_buf_init(&b, (size_t)64 << 20);
        sk_event_write_xml(&b, &ev);
        sk_buf_free(&b);
    }
    sk_json_doc_free(doc);
    return 0;
}
