/*
 * event_roundtrip.h - what the event-view fuzz targets assert of every event they
 * build: its JSON line is valid JSON, reads back as sakimori's own event, and renders
 * again to the same line (plus the "via" member the reading adds). abort() otherwise,
 * so the fuzzer reports the input.
 */
#ifndef SK_FUZZ_EVENT_ROUNDTRIP_H
#define SK_FUZZ_EVENT_ROUNDTRIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/event.h>
#include <sakimori/json.h>

#define FUZZ_SHA "0000000000000000000000000000000000000000000000000000000000000000"

/* The line's length without its via member (the last one, if any) and closing brace. */
static size_t fuzz_strip_via(const sk_buf *b)
{
    size_t n = b->len >= 2 ? b->len - 2 : 0; /* "}\n" */
    static const char via[] = ",\"via\":{";
    for (size_t i = n; i-- > 0;)
        if (b->data[i] == ',' && n - i >= sizeof via - 1 && !memcmp(b->data + i, via, sizeof via - 1)) {
            /* via holds no braces of its own: it is the last member only when the rest is "...}" */
            if (!memchr(b->data + i + sizeof via - 1, '{', n - i - (sizeof via - 1))) return i;
            break;
        }
    return n;
}

static void fuzz_event_roundtrip(const sk_event *ev, sk_arena *a2)
{
    sk_buf one, two;
    sk_buf_init(&one, (size_t)64 << 20);
    sk_buf_init(&two, (size_t)64 << 20);
    if (sk_event_write_json(&one, ev)) goto done; /* too large: refused, fine */
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = (size_t)256 << 20, .keep_invalid_utf8 = 1};
    if (sk_json_parse(&doc, one.data, one.len, NULL, &lim)) {
        fprintf(stderr, "event line is not JSON: %s\n%.*s\n", sk_error_last(), (int)one.len, one.data);
        abort();
    }
    sk_event back;
    sk_event_json_info info;
    sk_event_src src = {.sha256 = FUZZ_SHA, .line = 1, .has_line = 1, .fallback_time = SK_TIME_NONE};
    sk_arena_reset(a2);
    int rc = sk_event_from_json_record(&back, sk_json_doc_root(doc), &src, NULL, a2, &info);
    /* an event without an id, or whose time is a stand-in of no calendar, is refused when read back */
    if (!rc) {
        if (sk_event_write_json(&two, &back)) abort();
        /* the same line, but for the via member the reading adds (or replaces) */
        size_t n1 = fuzz_strip_via(&one), n2 = fuzz_strip_via(&two);
        if (n1 != n2 || memcmp(one.data, two.data, n1) || !(back.has & SK_EVH_VIA)) {
            fprintf(stderr, "read back differs:\n%.*s%.*s", (int)one.len, one.data, (int)two.len, two.data);
            abort();
        }
    } else if ((ev->has & SK_EVH_EVENT_ID) && ev->sha256.n == 64 && ev->time != SK_TIME_NONE &&
               rc != SK_ELIMIT) {
        fprintf(stderr, "own line refused: %s\n%.*s", sk_error_last(), (int)one.len, one.data);
        abort();
    }
    sk_json_doc_free(doc);
done:
    sk_buf_free(&one);
    sk_buf_free(&two);
}

#endif
