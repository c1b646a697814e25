/*
 * streams.c - coverage per stream: what one (Channel, Computer) of an input holds, for
 * files that merge several channels or hosts (exported or forwarded logs) as much as
 * for a host's own log (sakimori/evtxdump.h, docs/formats/coverage.md).
 *
 * Record ids count per channel and host: a jump between two streams' records is no gap.
 * Records are noted into a small accumulator (one per EVTX chunk, parsed in parallel;
 * one per JSON file), which keeps each stream's id runs, gaps, silences and log clears
 * up to fixed caps; accumulators are folded into the file's streams in file order, and
 * the file's streams are finished at its end: id runs sorted (a wrapped log holds its
 * newest chunks first) for the gaps between them, time spans merged.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/evtxdump.h>

#include "evtx_int.h"

static int same_key(const char *a, const char *b, size_t n)
{
    return strlen(a) == n && !memcmp(a, b, n);
}

/* The stream of (channel, computer) in acc, added when new; NULL past the cap. */
static evs_stream *stream_of(evs_acc *acc, const char *ch, size_t chn, const char *co, size_t con)
{
    if (chn >= sizeof acc->s[0].channel) chn = sizeof acc->s[0].channel - 1;
    if (con >= sizeof acc->s[0].computer) con = sizeof acc->s[0].computer - 1;
    if (acc->last < acc->n && same_key(acc->s[acc->last].channel, ch, chn) && same_key(acc->s[acc->last].computer, co, con))
        return &acc->s[acc->last];
    for (size_t i = 0; i < acc->n; i++)
        if (same_key(acc->s[i].channel, ch, chn) && same_key(acc->s[i].computer, co, con)) {
            acc->last = i;
            return &acc->s[i];
        }
    if (acc->n >= acc->max_streams) {
        acc->streams_dropped++;
        return NULL;
    }
    if (acc->n == acc->cap) {
        size_t nc = acc->cap ? acc->cap * 2 : 4;
        evs_stream *ns = realloc(acc->s, nc * sizeof *ns);
        if (!ns) return NULL;
        acc->s = ns;
        acc->cap = nc;
    }
    evs_stream *x = &acc->s[acc->n];
    memset(x, 0, sizeof *x);
    memcpy(x->channel, ch, chn);
    memcpy(x->computer, co, con);
    x->t_first = x->t_last = x->t_min = x->t_max = SK_TIME_NONE;
    acc->last = acc->n++;
    return x;
}

static int grow(void **p, size_t *cap, size_t n, size_t size, size_t max)
{
    if (n < *cap) return 0;
    if (n >= max) return -1;
    size_t nc = *cap ? *cap * 2 : 8;
    if (nc > max) nc = max;
    void *q = realloc(*p, nc * size);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

long evs_note(evs_acc *acc, const char *ch, size_t chn, const char *co, size_t con, int has_id, uint64_t rid, sk_time t)
{
    evs_stream *x = stream_of(acc, ch ? ch : "", ch ? chn : 0, co ? co : "", co ? con : 0);
    if (!x) return -1;
    x->records++;
    if (has_id) {
        if (!x->any_id) {
            x->any_id = 1;
            x->id_first = x->id_last = rid;
        } else {
            if (x->id_prev < UINT64_MAX && rid > x->id_prev + 1) { /* an id of 2^64-1 is followed by no gap */
                if (!grow((void **)&x->gaps, &x->cap_gaps, x->n_gaps, sizeof *x->gaps, acc->max_gaps))
                    x->gaps[x->n_gaps++] = (sk_evtx_gap){x->id_prev, rid, x->t_last, t};
                else
                    x->gaps_dropped++;
            } else if (rid <= x->id_prev) {
                x->unordered = 1;
            }
            if (rid < x->id_first) x->id_first = rid;
            if (rid > x->id_last) x->id_last = rid;
        }
        x->id_prev = rid;
    }
    if (t != SK_TIME_NONE) {
        if (x->t_first == SK_TIME_NONE) x->t_first = t;
        if (x->t_min == SK_TIME_NONE || t < x->t_min) x->t_min = t;
        if (x->t_max == SK_TIME_NONE || t > x->t_max) x->t_max = t;
        x->t_last = t;
        /* spans of time with records: a silence longer than the quiet gap starts a new one */
        sk_evtx_span *cur = x->n_spans ? &x->spans[x->n_spans - 1] : NULL;
        if (cur && t <= cur->to + acc->quiet_gap && t >= cur->from - acc->quiet_gap) {
            if (t < cur->from) cur->from = t;
            if (t > cur->to) cur->to = t;
        } else if (!grow((void **)&x->spans, &x->cap_spans, x->n_spans, sizeof *x->spans, acc->max_spans)) {
            x->spans[x->n_spans++] = (sk_evtx_span){t, t};
        } else if (cur) { /* too many silences: the last span stretches */
            if (t < cur->from) cur->from = t;
            if (t > cur->to) cur->to = t;
        }
    }
    return (long)(x - acc->s);
}

void evs_init(evs_acc *acc, sk_time quiet_gap, size_t max_streams, size_t max_gaps, size_t max_spans)
{
    memset(acc, 0, sizeof *acc);
    acc->quiet_gap = quiet_gap > 0 ? quiet_gap : SK_EVTX_QUIET_GAP;
    acc->max_streams = max_streams;
    acc->max_gaps = max_gaps;
    acc->max_spans = max_spans;
}

void evs_free(evs_acc *acc)
{
    for (size_t i = 0; i < acc->n; i++) {
        free(acc->s[i].gaps);
        free(acc->s[i].spans);
        free(acc->s[i].runs);
    }
    free(acc->s);
    memset(acc, 0, sizeof *acc);
}

int evs_fold(evs_acc *file, const evs_acc *part, size_t *map)
{
    file->streams_dropped += part->streams_dropped;
    for (size_t i = 0; i < part->n; i++) {
        const evs_stream *p = &part->s[i];
        evs_stream *f = stream_of(file, p->channel, strlen(p->channel), p->computer, strlen(p->computer));
        if (map) map[i] = f ? (size_t)(f - file->s) : SIZE_MAX;
        if (!f) continue;
        f->records += p->records;
        f->unordered |= p->unordered;
        f->gaps_dropped += p->gaps_dropped;
        if (p->any_id) { /* the part's id run, for the gaps between parts */
            if (!grow((void **)&f->runs, &f->cap_runs, f->n_runs, sizeof *f->runs, SIZE_MAX / sizeof *f->runs))
                f->runs[f->n_runs++] = (evs_run){p->id_first, p->id_last, p->t_first, p->t_last};
        }
        for (size_t g = 0; g < p->n_gaps; g++) {
            if (grow((void **)&f->gaps, &f->cap_gaps, f->n_gaps, sizeof *f->gaps, file->max_gaps)) {
                f->gaps_dropped += p->n_gaps - g;
                break;
            }
            f->gaps[f->n_gaps++] = p->gaps[g];
        }
        for (size_t k = 0; k < p->n_spans; k++) {
            if (grow((void **)&f->spans, &f->cap_spans, f->n_spans, sizeof *f->spans, file->max_spans)) break;
            f->spans[f->n_spans++] = p->spans[k];
        }
        if (p->t_min != SK_TIME_NONE && (f->t_min == SK_TIME_NONE || p->t_min < f->t_min)) f->t_min = p->t_min;
        if (p->t_max != SK_TIME_NONE && (f->t_max == SK_TIME_NONE || p->t_max > f->t_max)) f->t_max = p->t_max;
    }
    return 0;
}

static int by_first(const void *a, const void *b)
{
    const evs_run *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

static int span_order(const void *a, const void *b)
{
    const sk_evtx_span *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* Spans sorted, and merged where less than `gap` apart. */
static void merge_spans(sk_evtx_span *sp, size_t *n, sk_time gap)
{
    if (*n < 2) return;
    qsort(sp, *n, sizeof *sp, span_order);
    size_t m = 0;
    for (size_t k = 1; k < *n; k++) {
        if (sp[k].from <= sp[m].to + gap) {
            if (sp[k].to > sp[m].to) sp[m].to = sp[k].to;
        } else {
            sp[++m] = sp[k];
        }
    }
    *n = m + 1;
}

static int gap_order(const void *a, const void *b)
{
    const sk_evtx_gap *x = a, *y = b;
    return x->after < y->after ? -1 : x->after > y->after;
}

void evs_finish(evs_acc *file)
{
    for (size_t i = 0; i < file->n; i++) {
        evs_stream *f = &file->s[i];
        /* ids across parts: sorted by first id (a wrapped file holds its newest chunks first) */
        if (f->n_runs > 1) qsort(f->runs, f->n_runs, sizeof *f->runs, by_first);
        for (size_t k = 0; k < f->n_runs; k++) {
            if (!k || f->runs[k].first < f->id_first) f->id_first = f->runs[k].first;
            if (!k || f->runs[k].last > f->id_last) f->id_last = f->runs[k].last;
            if (k && f->runs[k - 1].last < UINT64_MAX && f->runs[k].first > f->runs[k - 1].last + 1) {
                if (!grow((void **)&f->gaps, &f->cap_gaps, f->n_gaps, sizeof *f->gaps, file->max_gaps))
                    f->gaps[f->n_gaps++] = (sk_evtx_gap){f->runs[k - 1].last, f->runs[k].first, f->runs[k - 1].t_last, f->runs[k].t_first};
                else
                    f->gaps_dropped++;
            }
        }
        f->any_id = f->n_runs > 0;
        merge_spans(f->spans, &f->n_spans, file->quiet_gap);
        if (f->n_gaps > 1) qsort(f->gaps, f->n_gaps, sizeof *f->gaps, gap_order);
    }
}

static uint64_t missing(const evs_stream *x)
{
    uint64_t m = 0;
    for (size_t i = 0; i < x->n_gaps; i++) m += x->gaps[i].before - x->gaps[i].after - 1;
    return m;
}

void evtx_streams_finish(sk_evtx_file_stats *st)
{
    evs_acc *acc = &st->streams;
    evs_finish(acc);
    evs_finish(&st->all);
    /* several streams and one id sequence across them (a log whose writer numbered every
     * record it held): the sequence's gaps, not the streams' */
    if (acc->n > 1 && st->all.n == 1) {
        uint64_t per = 0, one = missing(&st->all.s[0]);
        for (size_t i = 0; i < acc->n; i++) per += missing(&acc->s[i]);
        if (one < per) {
            st->ids_shared = 1;
            for (size_t i = 0; i < acc->n; i++) acc->s[i].n_gaps = 0, acc->s[i].gaps_dropped = 0;
            evs_stream *f = &acc->s[0], *a = &st->all.s[0];
            sk_evtx_gap *tg = f->gaps;
            size_t tcap = f->cap_gaps;
            f->gaps = a->gaps, f->n_gaps = a->n_gaps, f->cap_gaps = a->cap_gaps, f->gaps_dropped = a->gaps_dropped;
            a->gaps = tg, a->n_gaps = 0, a->cap_gaps = tcap;
        }
    }
    /* the file-wide view, for its summary: every stream's gaps, the union of their spans */
    size_t ng = 0, ns = 0;
    int any_id = 0;
    for (size_t i = 0; i < acc->n; i++) ng += acc->s[i].n_gaps, ns += acc->s[i].n_spans;
    free(st->gaps);
    free(st->spans);
    st->gaps = ng ? malloc(ng * sizeof *st->gaps) : NULL;
    st->spans = ns ? malloc(ns * sizeof *st->spans) : NULL;
    st->n_gaps = st->n_spans = 0;
    st->time_min = st->time_max = SK_TIME_NONE;
    for (size_t i = 0; i < acc->n; i++) {
        const evs_stream *x = &acc->s[i];
        if (st->gaps && x->n_gaps) memcpy(st->gaps + st->n_gaps, x->gaps, x->n_gaps * sizeof *x->gaps), st->n_gaps += x->n_gaps;
        if (st->spans && x->n_spans) memcpy(st->spans + st->n_spans, x->spans, x->n_spans * sizeof *x->spans), st->n_spans += x->n_spans;
        if (x->any_id) { /* over the streams that have ids */
            if (!any_id || x->id_first < st->id_min) st->id_min = x->id_first;
            if (!any_id || x->id_last > st->id_max) st->id_max = x->id_last;
            any_id = 1;
        }
        if (x->t_min != SK_TIME_NONE && (st->time_min == SK_TIME_NONE || x->t_min < st->time_min)) st->time_min = x->t_min;
        if (x->t_max != SK_TIME_NONE && (st->time_max == SK_TIME_NONE || x->t_max > st->time_max)) st->time_max = x->t_max;
    }
    merge_spans(st->spans, &st->n_spans, acc->quiet_gap);
    if (acc->n) {
        snprintf(st->channel, sizeof st->channel, "%s", acc->s[0].channel);
        snprintf(st->computer, sizeof st->computer, "%s", acc->s[0].computer);
    }
}

/* The text of a field of the view, cut to cap. */
static void field_text(const sk_event *ev, const char *name, char *dst, size_t cap)
{
    dst[0] = '\0';
    size_t n = strlen(name);
    const sk_event_field *f = sk_event_field_find(ev, name, n, sk_event_name_hash(name, n));
    if (f && f->v.kind != SK_EVK_ARRAY && f->v.kind != SK_EVK_NULL && f->v.s)
        snprintf(dst, cap, "%.*s", (int)(f->v.n < cap ? f->v.n : cap - 1), f->v.s);
}

sk_evtx_clear *evtx_note_clear(sk_evtx_clear **clears, size_t *n, const sk_event *ev, long stream, sk_time t, uint64_t rid)
{
    unsigned eid = ev->has & SK_EVH_EVENT_ID ? ev->event_id : 0;
    if (eid != 1102 && eid != 104) return NULL;
    if (!ev->provider_name.s || !memmem(ev->provider_name.s, ev->provider_name.n, "Eventlog", 8)) return NULL;
    if (*n >= EVTX_CLEARS_MAX) return NULL;
    sk_evtx_clear *nc = realloc(*clears, (*n + 1) * sizeof *nc);
    if (!nc) return NULL;
    *clears = nc;
    sk_evtx_clear *cl = &nc[(*n)++];
    memset(cl, 0, sizeof *cl);
    cl->time = t;
    cl->stream = stream < 0 ? SIZE_MAX : (size_t)stream;
    cl->event_id = eid;
    cl->record_id = rid;
    char name[96], dom[96];
    field_text(ev, "SubjectUserName", name, sizeof name);
    field_text(ev, "SubjectDomainName", dom, sizeof dom);
    if (*dom && *name) snprintf(cl->user, sizeof cl->user, "%s\\%s", dom, name);
    else snprintf(cl->user, sizeof cl->user, "%s", name);
    field_text(ev, "SubjectUserSid", cl->user_sid, sizeof cl->user_sid);
    if (eid == 104) field_text(ev, "Channel", cl->channel, sizeof cl->channel);
    else snprintf(cl->channel, sizeof cl->channel, "Security");
    return cl;
}
