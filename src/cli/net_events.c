/*
 * net_events.c - Sysmon 22 answers for passive DNS (net_events.h). On the readers'
 * worker threads each event of the Sysmon channel with id 22 is taken apart by
 * sk_pdns_sysmon_pairs (QueryName and QueryResults: the addresses for the query name
 * and its CNAME chain); the time is the event's UtcTime (Sysmon's own clock, UTC), else
 * the event's time. The
 * pairs are framed into the ordered output and handed to the caller in input order.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sakimori/common.h>
#include <sakimori/event.h>
#include <sakimori/pdns.h>
#include <sakimori/timestamp.h>

#include "cli.h"
#include "net_events.h"

typedef struct nev {
    const sk_event_inputs *ins;
    const net_events_ops *ops;
    void *ctx;
    const char *cmd;
    uint32_t *map;              /* scanner input -> the hunt's input (UINT32_MAX: not yet) */
    int *bad;
    uint64_t answers;
    int rc;
} nev;

/* a frame: scanner input, locator, time, address, name length, name */
typedef struct frame {
    uint64_t input, loc;
    int64_t t;
    uint8_t ip[16];
    uint32_t n;
} frame;

static const sk_event_field *fld(const sk_event *ev, const char *name)
{
    size_t n = strlen(name);
    return sk_event_field_find(ev, name, n, sk_event_name_hash(name, n));
}

static int put(sk_buf *out, const sk_event_input *in, uint64_t loc, sk_time t, const sk_ip *ip, const char *name, size_t n)
{
    frame f = {.input = in->index, .loc = loc, .t = t, .n = (uint32_t)n};
    memcpy(f.ip, ip->a, 16);
    if (sk_buf_append(out, &f, sizeof f) || sk_buf_append(out, name, n)) return SK_ENOMEM;
    return 0;
}

typedef struct pair_ctx {
    sk_buf *out;
    const sk_event_input *in;
    uint64_t loc;
    sk_time t;
} pair_ctx;

static int on_pair(void *ctx, const sk_ip *ip, const char *name, size_t n)
{
    pair_ctx *pc = ctx;
    return put(pc->out, pc->in, pc->loc, pc->t, ip, name, n);
}

static int on_event(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out)
{
    (void)ctx;
    if (!(ev->has & SK_EVH_EVENT_ID) || ev->event_id != 22 || !ev->channel.s || ev->channel.n != 36 ||
        strncasecmp(ev->channel.s, "Microsoft-Windows-Sysmon/Operational", 36))
        return 0;
    const sk_event_field *q = fld(ev, "QueryName"), *res = fld(ev, "QueryResults");
    if (!q || !q->v.s || !res || !res->v.s) return 0;
    sk_time t = ev->time;
    const sk_event_field *ut = fld(ev, "UtcTime");
    sk_stamp st;
    if (ut && ut->v.s && !sk_time_parse_iso8601(ut->v.s, ut->v.n, NULL, &st)) t = st.utc;
    if (t == SK_TIME_NONE) return 0;
    /* a JSON log's line (a place in its bytes), else the EVTX record id */
    uint64_t loc = ev->src_has_line ? ev->src_line : ev->src_has_record_id ? (ev->src_record_id | NET_LOC_RECORD) : 0;
    pair_ctx pc = {.out = out, .in = in, .loc = loc, .t = t};
    return sk_pdns_sysmon_pairs(q->v.s, q->v.n, res->v.s, res->v.n, on_pair, &pc);
}

static int on_write(void *ctx, const void *data, size_t n)
{
    nev *v = ctx;
    const char *p = data, *e = p + n;
    while (!v->rc && (size_t)(e - p) >= sizeof(frame)) {
        frame f;
        memcpy(&f, p, sizeof f);
        p += sizeof f;
        if (f.n > (size_t)(e - p) || f.input >= v->ins->n) break; /* our own frames: cannot happen */
        if (v->map[f.input] == UINT32_MAX) v->map[f.input] = v->ops->input(v->ctx, (size_t)f.input, v->ins->paths[f.input]);
        sk_ip ip;
        memcpy(ip.a, f.ip, 16);
        v->answers++;
        v->rc = v->ops->answer(v->ctx, &ip, p, f.n, f.t, v->map[f.input], f.loc);
        p += f.n;
    }
    return v->rc;
}

static void on_end(void *ctx, const sk_event_input *in, const sk_evtx_file_stats *st)
{
    nev *v = ctx;
    if (in->index < v->ins->n && v->map[in->index] != UINT32_MAX) v->ops->input_done(v->ctx, v->map[in->index], st->sha256);
}

static void diag(void *ctx, const char *line)
{
    nev *v = ctx;
    sk_cli_error(v->cmd, "%s", line);
}

static void done(void *ctx, size_t i, const char *path, int rc, const sk_evtx_file_stats *st, int kind)
{
    nev *v = ctx;
    (void)i;
    (void)st;
    if (rc || !kind) {
        /* the reader's message names the input already */
        if (sk_error_last()[0]) sk_cli_error(v->cmd, "%s", sk_error_last());
        else sk_cli_error(v->cmd, "%s: not read", path);
        *v->bad = 1;
    }
}

int net_events_pdns(const char *cmd, const sk_event_inputs *ins, const sk_tz *local, unsigned threads, const net_events_ops *ops,
                    void *ctx, int *bad, uint64_t *answers)
{
    *answers = 0;
    if (!ins->n) return 0;
    nev v = {.ins = ins, .ops = ops, .ctx = ctx, .cmd = cmd, .bad = bad};
    if (!(v.map = malloc(ins->n * sizeof *v.map))) return sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t i = 0; i < ins->n; i++) v.map[i] = UINT32_MAX;
    sk_evtx_dump_options o = {.threads = threads, .local = local, .diag = diag, .diag_ctx = &v};
    sk_event_sink sink = {.ctx = &v, .event = on_event, .write = on_write, .input_end = on_end};
    sk_event_scanner *sc = NULL;
    int rc = sk_event_scanner_new(&sc, &o, &sink);
    if (!rc) rc = sk_event_scan_inputs(sc, ins, done, &v);
    sk_event_scanner_free(sc);
    free(v.map);
    if (!rc) rc = v.rc;
    *answers = v.answers;
    return rc;
}
