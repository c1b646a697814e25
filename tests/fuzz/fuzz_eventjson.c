/*
 * fuzz_eventjson - the JSON event readers (Winlogbeat, NXLog, sakimori's own) on
 * arbitrary bytes: parsed as one JSON document, converted to an event; no crash, no
 * hang, no unbounded allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include <sakimori/buf.h>
#include <sakimori/event.h>
#include <sakimori/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = (size_t)16 << 20, .keep_invalid_utf8 = 1};
    if (sk_json_parse(&doc, (const char *)data, size, NULL, &lim)) return 0;
    sk_buf b;
    sk_buf_init(&b, (size_t)64 << 20);
    sk_event_src src = {.sha256 = "0", .line = 1, .has_line = 1, .fallback_time = SK_TIME_NONE};
    sk_event_json_info info;
    sk_event_from_json(&b, sk_json_doc_root(doc), &src, NULL, &info);
    sk_buf_free(&b);
    sk_json_doc_free(doc);
    return 0;
}
