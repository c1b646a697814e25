/*
 * sakimori/ordered.h - ordered output from parallel work: reserve a place in order,
 * fill it on any thread, publish it in any order; whatever is ready at the head is
 * emitted in order, by the thread that completed it.
 *
 * The collector (lines of a snapshot in walk order) and the event readers (the events
 * of chunks in file order, files in argument order) share this one facility. Memory is
 * bounded by the window: sk_ordered_reserve() blocks while `slots` places are in
 * flight, so a producer that runs ahead of its workers waits instead of buffering the
 * input. Emission runs under the facility's lock (one emitter at a time, in order);
 * the emit callback must not reserve or publish.
 */
#ifndef SAKIMORI_ORDERED_H
#define SAKIMORI_ORDERED_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_ordered sk_ordered;

/** Called for each place in order: its buffer (what the worker appended) and the item
 * it was published with. Non-zero stops nothing but is kept: sk_ordered_error(). */
typedef int (*sk_ordered_emit_fn)(void *ctx, uint64_t seq, sk_buf *data, void *item);

/**
 * A window of `slots` places (0: 4096). Each place's buffer is capped at `buf_max`
 * bytes (0: 256 MiB) and keeps up to `keep` bytes of capacity for the next use (0:
 * 32 KiB; larger buffers are freed after emission).
 */
int sk_ordered_new(sk_ordered **out, size_t slots, size_t buf_max, size_t keep, sk_ordered_emit_fn emit, void *ctx);

/** The next place in order; blocks while the window is full. */
uint64_t sk_ordered_reserve(sk_ordered *o);

/** The buffer of a reserved place (only its reserver writes it until it is published). */
sk_buf *sk_ordered_buf(sk_ordered *o, uint64_t seq);

/** The place is complete: every ready place at the head is emitted, in order. */
void sk_ordered_publish(sk_ordered *o, uint64_t seq, void *item);

/** Block until every reserved place has been emitted. */
void sk_ordered_drain(sk_ordered *o);

/** The first non-zero value an emit returned, or 0. */
int sk_ordered_error(const sk_ordered *o);

/** Places emitted so far. */
uint64_t sk_ordered_emitted(const sk_ordered *o);

/** Free (NULL is fine). Places not yet emitted are dropped. */
void sk_ordered_free(sk_ordered *o);

#ifdef __cplusplus
}
#endif
#endif
