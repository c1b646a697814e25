/*
 * fuzz_evtx - the EVTX reader on arbitrary bytes: the first byte picks how they are
 * seen (a chunk, a chunk with carving into its slack, a raw block, a file header), the
 * rest is the 64 KiB chunk (zero-padded). Every record read becomes a typed event
 * view, rendered as JSON (which must be valid JSON and read back to the same line,
 * event_roundtrip.h) and as XML. No crash, no hang, no unbounded allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/buf.h>
#include <sakimori/event.h>
#include <sakimori/evtx.h>

#include "event_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0];
    data++, size--;
    sk_evtx_header h;
    sk_evtx_header_parse(data, size, &h);
    static uint8_t *chunk;
    if (!chunk && !(chunk = malloc(SK_EVTX_CHUNK_SIZE))) return 0;
    size_t n = size < SK_EVTX_CHUNK_SIZE ? size : SK_EVTX_CHUNK_SIZE;
    memcpy(chunk, data, n);
    memset(chunk + n, 0, SK_EVTX_CHUNK_SIZE - n);
    sk_evtx_chunk *c;
    if (sk_evtx_chunk_new(&c)) return 0;
    sk_evtx_chunk_set_carve(c, mode & 1);
    sk_evtx_chunk_info info;
    if ((mode & 2) || sk_evtx_chunk_begin(c, chunk, 4096, &info)) sk_evtx_chunk_begin_raw(c, chunk, 4096);
    sk_buf b;
    sk_buf_init(&b, (size_t)64 << 20);
    static sk_arena *a, *a2;
    if ((!a && sk_arena_new(&a, 0, (size_t)256 << 20)) || (!a2 && sk_arena_new(&a2, 0, (size_t)256 << 20))) return 0;
    for (int i = 0; i < 100000; i++) {
        sk_evtx_record rec;
        int rc = sk_evtx_chunk_next(c, &rec);
        if (rc == 0) break;
        if (rc < 0) continue;
        sk_event_src src = {.sha256 = FUZZ_SHA, .record_id = rec.record_id, .has_record_id = 1, .offset = rec.offset, .has_offset = 1, .format = "evtx",
                            .recovered = rec.recovered, .fallback_time = rec.written};
        sk_event ev;
        sk_arena_reset(a);
        if (!sk_event_from_xml(&ev, rec.root, &src, a)) fuzz_event_roundtrip(&ev, a2);
        sk_buf_reset(&b);
        sk_xnode_write_xml(&b, rec.root);
    }
    sk_buf_free(&b);
    sk_evtx_chunk_free(c);
    return 0;
}
