/*
 * fuzz_netlog - the network-log reader (sakimori/netlog.h) over arbitrary bytes. The
 * first byte picks the format (auto or any one forced: every format is reached), the
 * chunk size the bytes are pushed in, and whether a field map is given (fwcsv and json
 * read through it; the others ignore it); every record is written as JSON, which must
 * parse back, and (with its columns kept) as the Sigma event view (sk_netrec_to_event),
 * whose JSON must parse back too. Asserted: feeding
 * and ending return 0 (bad lines are diagnostics, not failures), the same bytes pushed
 * whole and in chunks give the same records and the same count of errors. No crash,
 * no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/event.h>
#include <sakimori/json.h>
#include <sakimori/netlog.h>

typedef struct fctx {
    sk_buf out;
    sk_netlog_reader *r;
    sk_arena *a;
} fctx;

static int on_rec(void *ctx, const sk_netrec *r)
{
    fctx *c = ctx;
    size_t at = c->out.len;
    if (sk_netrec_write_json(&c->out, r)) __builtin_trap();
    sk_json_doc *d = NULL;
    if (sk_json_parse(&d, c->out.data + at, c->out.len - at, "rec", NULL)) __builtin_trap();
    sk_json_doc_free(d);
    if (sk_buf_putc(&c->out, '\n')) __builtin_trap();
    /* the event view of the record */
    sk_event ev;
    sk_event_src src = {.path = "fuzz", .sha256 = "00"};
    sk_arena_reset(c->a);
    int rc = sk_netrec_to_event(&ev, r, sk_netlog_reader_format(c->r), &src, c->a);
    if (rc == 0) {
        at = c->out.len;
        if (sk_event_write_json(&c->out, &ev)) __builtin_trap();
        if (sk_json_parse(&d, c->out.data + at, c->out.len - at, "event", NULL)) __builtin_trap();
        sk_json_doc_free(d);
    } else if (rc != 1 && rc != SK_ELIMIT) {
        __builtin_trap();
    }
    return 0;
}

static uint64_t run(const uint8_t *data, size_t size, sk_netlog_format f, size_t chunk, const char *map, sk_buf *out)
{
    fctx c;
    sk_buf_init(&c.out, (size_t)64 << 20);
    sk_netlog_options o = {.format = f, .year = 2019, .field_map = map, .columns = 1};
    sk_netlog_reader *r = NULL;
    if (sk_netlog_reader_new(&r, &o, on_rec, &c) || sk_arena_new(&c.a, 1 << 16, (size_t)64 << 20)) __builtin_trap();
    c.r = r;
    for (size_t i = 0; i < size; i += chunk) {
        size_t n = size - i < chunk ? size - i : chunk;
        if (sk_netlog_feed(r, data + i, n)) __builtin_trap();
    }
    if (sk_netlog_end(r)) __builtin_trap();
    uint64_t errors = sk_netlog_reader_errors(r);
    sk_netlog_reader_free(r);
    sk_arena_free(c.a);
    *out = c.out;
    return errors;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    sk_netlog_format f = (sk_netlog_format)(data[0] % SK_NL_FORMATS);
    size_t chunk = 1 + ((data[0] >> 4) & 7);
    /* a map naming columns and members the seeds use, nested and flattened */
    const char *map = data[0] & 0x80 ? "ts=when,src_ip=client.addr,dst_ip=server.addr,dst_port=server.port,host=req.host,"
                                       "action=verdict,bytes_in=rx,user=,kind=fz"
                                     : NULL;
    data++, size--;
    sk_buf a, b;
    uint64_t ea = run(data, size, f, size ? size : 1, map, &a);
    uint64_t eb = run(data, size, f, chunk, map, &b);
    if (ea != eb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len))) __builtin_trap();
    sk_buf_free(&a);
    sk_buf_free(&b);
    return 0;
}
