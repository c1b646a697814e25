/*
 * ordered.c - reserve in order, complete in any order, emit in order
 * (sakimori/ordered.h). A ring of `slots` places under one mutex; the thread that
 * publishes the place at the head emits every ready place after it.
 */
#include <pthread.h>
#include <stdlib.h>

#include <sakimori/ordered.h>

typedef struct place {
    sk_buf buf;
    void *item;
    int state; /* 0 free, 1 reserved, 2 ready */
} place;

struct sk_ordered {
    pthread_mutex_t mu;
    pthread_cond_t space, drained;
    place *ring;
    size_t n, keep, buf_max;
    uint64_t next_seq, next_out;
    sk_ordered_emit_fn emit;
    void *ctx;
    int err;
};

int sk_ordered_new(sk_ordered **out, size_t slots, size_t buf_max, size_t keep, sk_ordered_emit_fn emit, void *ctx)
{
    *out = NULL;
    sk_ordered *o = calloc(1, sizeof *o);
    if (!o) return sk_error_set(SK_ENOMEM, "out of memory");
    o->n = slots ? slots : 4096;
    o->buf_max = buf_max ? buf_max : (size_t)256 << 20;
    o->keep = keep ? keep : (size_t)32 << 10;
    o->emit = emit;
    o->ctx = ctx;
    o->ring = calloc(o->n, sizeof *o->ring);
    if (!o->ring) {
        free(o);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < o->n; i++) sk_buf_init(&o->ring[i].buf, o->buf_max);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->space, NULL);
    pthread_cond_init(&o->drained, NULL);
    *out = o;
    return 0;
}

uint64_t sk_ordered_reserve(sk_ordered *o)
{
    pthread_mutex_lock(&o->mu);
    while (o->next_seq - o->next_out >= o->n) pthread_cond_wait(&o->space, &o->mu);
    uint64_t seq = o->next_seq++;
    o->ring[seq % o->n].state = 1;
    o->ring[seq % o->n].item = NULL;
    pthread_mutex_unlock(&o->mu);
    return seq;
}

sk_buf *sk_ordered_buf(sk_ordered *o, uint64_t seq)
{
    return &o->ring[seq % o->n].buf;
}

void sk_ordered_publish(sk_ordered *o, uint64_t seq, void *item)
{
    pthread_mutex_lock(&o->mu);
    place *p = &o->ring[seq % o->n];
    p->item = item;
    p->state = 2;
    int moved = 0;
    for (;;) {
        place *h = &o->ring[o->next_out % o->n];
        if (o->next_out == o->next_seq || h->state != 2) break;
        int rc = o->emit ? o->emit(o->ctx, o->next_out, &h->buf, h->item) : 0;
        if (rc && !o->err) o->err = rc;
        if (h->buf.cap > o->keep) sk_buf_free(&h->buf); /* a large run: not kept by every place */
        else sk_buf_reset(&h->buf);
        h->state = 0;
        h->item = NULL;
        o->next_out++;
        moved = 1;
    }
    if (moved) {
        pthread_cond_broadcast(&o->space);
        if (o->next_out == o->next_seq) pthread_cond_broadcast(&o->drained);
    }
    pthread_mutex_unlock(&o->mu);
}

void sk_ordered_drain(sk_ordered *o)
{
    pthread_mutex_lock(&o->mu);
    while (o->next_out != o->next_seq) pthread_cond_wait(&o->drained, &o->mu);
    pthread_mutex_unlock(&o->mu);
}

int sk_ordered_error(const sk_ordered *o)
{
    sk_ordered *m = (sk_ordered *)o;
    pthread_mutex_lock(&m->mu);
    int e = m->err;
    pthread_mutex_unlock(&m->mu);
    return e;
}

uint64_t sk_ordered_emitted(const sk_ordered *o)
{
    sk_ordered *m = (sk_ordered *)o; /* the lock, not the state, changes */
    pthread_mutex_lock(&m->mu);
    uint64_t n = m->next_out;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void sk_ordered_free(sk_ordered *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n; i++) sk_buf_free(&o->ring[i].buf);
    free(o->ring);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->space);
    pthread_cond_destroy(&o->drained);
    free(o);
}
