/*
 * net_par.c - one network log read by several readers at once (net_par.h). The calling
 * thread reads 4 MiB at a time, hashes it, cuts it at its last line end, counts its lines
 * (each chunk's readers start at the right line number) and keeps the header lines seen
 * so far (Zeek's #fields and the like: the last of each directive, in the order last
 * seen), which a chunk's reader is fed, silently, before the chunk. Workers parse
 * chunks; the calling thread hands the chunks' results back in input order, with their
 * diagnostics, so that output and messages are those of one reader. A line longer than
 * a chunk is cut: the chunk holding its start reports it, the next ones skip to its end.
 * At most 2 x workers + 2 chunks are in memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/common.h>

#include "cli.h"
#include "net_par.h"
#include "net_read.h"

#define CHUNK ((size_t)4 << 20)
#define STD_CAP (CHUNK + SK_NETLOG_MAX_LINE + 64) /* a chunk and the carried end of a line */
#define MAX_DIRECTIVES 32
#define MAX_DIAGS 128               /* kept per chunk; the caller shows at most 100 per input */

int net_par_format_ok(sk_netlog_format f)
{
    /* no state across lines but the header's (DHCP syslog's year, lease blocks: serial) */
    return f == SK_NL_SQUID || f == SK_NL_ZEEK_TSV || f == SK_NL_ZEEK_JSON || f == SK_NL_W3C || f == SK_NL_WINDNS || f == SK_NL_JSON;
}

typedef struct chunk {
    char *data;
    size_t n, cap;
    char *hdr;                      /* header lines to replay, each with its newline */
    size_t hdr_n;
    uint64_t line0;                 /* lines before the chunk */
    int skip_first;                 /* starts inside a line longer than a chunk */
    void *res;
    sk_buf diags;                   /* "line N: what\n" ... */
    size_t n_diags;
    int muted;
    uint64_t records, errors;
    int rc;
    int state;                      /* 0 free, 1 queued, 2 taken, 3 done */
} chunk;

typedef struct par {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    chunk *slots;
    size_t n_slots;
    size_t next_take;               /* the next slot a worker takes (input order) */
    int quit;
    const sk_netlog_options *o;
    const net_par_ops *ops;
    char *pool[130];                /* chunk buffers of STD_CAP bytes to use again (their pages touched once) */
    size_t n_pool;
} par;

static void chunk_diag(void *ctx, const char *line)
{
    chunk *c = ctx;
    if (c->muted) return;
    if (c->n_diags++ >= MAX_DIAGS) return;
    sk_buf_puts(&c->diags, line);
    sk_buf_putc(&c->diags, '\n');
}

static void parse_chunk(par *p, chunk *c)
{
    sk_netlog_options o = *p->o;
    o.diag = chunk_diag;
    o.diag_ctx = c;
    sk_netlog_reader *r = NULL;
    int rc = sk_netlog_reader_new(&r, &o, p->ops->on_rec, c->res);
    if (!rc && c->hdr_n) {
        c->muted = 1;
        rc = sk_netlog_feed(r, c->hdr, c->hdr_n);
        c->muted = 0;
    }
    const char *s = c->data;
    size_t n = c->n;
    if (c->skip_first) {
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        s += k;
        n -= k;
    }
    if (!rc) {
        uint64_t before_err = sk_netlog_reader_errors(r), before_rec = sk_netlog_reader_records(r);
        sk_netlog_reader_set_line(r, c->line0);
        rc = sk_netlog_feed(r, s, n);
        if (!rc) rc = sk_netlog_end(r);
        c->records = sk_netlog_reader_records(r) - before_rec;
        c->errors = sk_netlog_reader_errors(r) - before_err;
    }
    sk_netlog_reader_free(r);
    c->rc = rc;
}

static void *worker(void *arg)
{
    par *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        chunk *c = &p->slots[p->next_take];
        while (!p->quit && c->state != 1) {
            pthread_cond_wait(&p->work, &p->mu);
            c = &p->slots[p->next_take];
        }
        if (c->state != 1) break;
        c->state = 2;
        p->next_take = (p->next_take + 1) % p->n_slots;
        pthread_mutex_unlock(&p->mu);
        parse_chunk(p, c);
        pthread_mutex_lock(&p->mu);
        c->state = 3;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* the header directives seen so far: the last line of each, in the order last seen */
typedef struct hdr_state {
    char *line[MAX_DIRECTIVES];
    size_t len[MAX_DIRECTIVES], n;
} hdr_state;

static size_t directive_len(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != ':') k++;
    return k;
}

static int hdr_update(hdr_state *h, const char *s, size_t n)
{
    if (n > SK_NETLOG_MAX_LINE) return 0; /* the reader reports it; nothing to carry */
    size_t dn = directive_len(s, n);
    size_t i = 0;
    while (i < h->n && !(directive_len(h->line[i], h->len[i]) == dn && !memcmp(h->line[i], s, dn))) i++;
    char *copy = malloc(n + 1);
    if (!copy) return SK_ENOMEM;
    memcpy(copy, s, n);
    copy[n] = '\n';
    if (i < h->n) {
        free(h->line[i]);
        memmove(&h->line[i], &h->line[i + 1], (h->n - i - 1) * sizeof *h->line);
        memmove(&h->len[i], &h->len[i + 1], (h->n - i - 1) * sizeof *h->len);
        h->n--;
    } else if (h->n == MAX_DIRECTIVES) { /* the oldest goes */
        free(h->line[0]);
        memmove(&h->line[0], &h->line[1], (h->n - 1) * sizeof *h->line);
        memmove(&h->len[0], &h->len[1], (h->n - 1) * sizeof *h->len);
        h->n--;
    }
    h->line[h->n] = copy;
    h->len[h->n++] = n + 1;
    return 0;
}

static int hdr_render(const hdr_state *h, char **out, size_t *n)
{
    size_t t = 0;
    for (size_t i = 0; i < h->n; i++) t += h->len[i];
    *out = NULL;
    *n = 0;
    if (!t) return 0;
    char *b = malloc(t);
    if (!b) return SK_ENOMEM;
    for (size_t i = 0, o = 0; i < h->n; o += h->len[i], i++) memcpy(b + o, h->line[i], h->len[i]);
    *out = b;
    *n = t;
    return 0;
}

/* lines of s[0..n) (every one ends with a newline but perhaps the last), header lines
 * noted; at_line_start: s begins a line */
static int scan_chunk(hdr_state *h, const char *s, size_t n, int at_line_start, uint64_t *lines)
{
    size_t i = 0;
    if (!at_line_start) { /* the end of a line counted before */
        const char *nl = memchr(s, '\n', n);
        if (!nl) return 0;
        i = (size_t)(nl - s) + 1;
    }
    /* the line ends, eight bytes at a time (an exact count of the bytes equal to '\n') */
    const uint64_t ones = UINT64_C(0x0101010101010101), low7 = ones * 0x7f;
    uint64_t k = 0;
    size_t j = i;
    for (; j + 8 <= n; j += 8) {
        uint64_t w;
        memcpy(&w, s + j, 8);
        uint64_t x = w ^ (ones * '\n');
        uint64_t z = ~(((x & low7) + low7) | x | low7); /* a high bit a newline */
        k += ((z >> 7) * ones) >> 56;
    }
    for (; j < n; j++) k += s[j] == '\n';
    /* header lines: a '#' that begins a line (rare: looked for, not every line visited) */
    for (size_t p = i; p < n;) {
        const char *hs = memchr(s + p, '#', n - p);
        if (!hs) break;
        size_t at = (size_t)(hs - s);
        p = at + 1;
        if (at != i && s[at - 1] != '\n') continue;
        const char *nl = memchr(s + at, '\n', n - at);
        size_t len = (nl ? (size_t)(nl - s) : n) - at;
        if (len && s[at + len - 1] == '\r') len--;
        int rc = hdr_update(h, s + at, len);
        if (rc) return rc;
    }
    *lines += k;
    return 0;
}

static void chunk_clear(par *p, chunk *c)
{
    if (c->data && c->cap == STD_CAP && p->n_pool < sizeof p->pool / sizeof p->pool[0]) p->pool[p->n_pool++] = c->data;
    else free(c->data);
    free(c->hdr);
    sk_buf_free(&c->diags);
    memset(c, 0, sizeof *c);
}

int net_read_parallel(const char *cmd, const char *path, int fd, const char *head, size_t n_head, const sk_netlog_options *o,
                      size_t workers, const net_par_ops *ops, void *ctx, sk_hasher *hs, int *bad, uint64_t *records, uint64_t *errors,
                      uint64_t *left)
{
    if (workers < 1) workers = 1;
    if (workers > 64) workers = 64;
    par p = {.o = o, .ops = ops, .n_slots = 2 * workers + 2};
    hdr_state hs_state = {0};
    pthread_t th[64];
    size_t started = 0;
    int rc = 0, eof = 0, in_long = 0; /* in_long: the data read so far ends inside a line longer than a chunk */
    uint64_t lines = 0;
    char *carry = NULL;               /* bytes after the last line end, for the next chunk */
    size_t carry_n = 0;
    *records = *errors = 0;
    if (!(p.slots = calloc(p.n_slots, sizeof *p.slots))) return sk_error_set(SK_ENOMEM, "out of memory");
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    for (; started < workers; started++)
        if (pthread_create(&th[started], NULL, worker, &p)) break;
    if (!started) rc = sk_error_set(SK_EINTERNAL, "cannot start a reading thread");
    if (!rc && n_head) {
        if (!(carry = malloc(n_head))) rc = sk_error_set(SK_ENOMEM, "out of memory");
        else memcpy(carry, head, n_head), carry_n = n_head;
        if (!rc && hs) rc = sk_hasher_update(hs, head, n_head);
    }
    size_t put = 0, get = 0, inflight = 0;
    while (!rc && (!eof || carry_n || inflight)) {
        if ((!eof || carry_n) && inflight < p.n_slots) {
            /* fill the next chunk: the carried bytes, then reads, up to CHUNK */
            size_t bcap = CHUNK + carry_n <= STD_CAP ? STD_CAP : CHUNK + carry_n;
            char *buf = bcap == STD_CAP && p.n_pool ? p.pool[--p.n_pool] : malloc(bcap);
            if (!buf) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            size_t n = carry_n;
            if (carry_n) memcpy(buf, carry, carry_n);
            free(carry);
            carry = NULL;
            carry_n = 0;
            size_t cap = CHUNK + n;
            while (!eof && n < CHUNK) { /* reads end at CHUNK + the carried bytes: within bcap */
                ssize_t k = net_read_bounded(fd, buf + n, cap - n, left);
                if (k < 0) {
                    sk_cli_error(cmd, "%s: read error: %s", path, strerror(errno));
                    *bad = 1;
                    eof = 1;
                    break;
                }
                if (!k) { eof = 1; break; }
                if (hs && (rc = sk_hasher_update(hs, buf + n, (size_t)k))) break;
                n += (size_t)k;
                if (n >= CHUNK) break;
            }
            if (rc) { chunk tmp = {.data = buf, .cap = bcap}; chunk_clear(&p, &tmp); break; }
            /* cut at the last line end; a chunk without one (a line longer than a chunk)
             * goes whole: its reader reports the line, the next chunks skip to its end */
            size_t cut = n;
            if (!eof) {
                const char *nl = memrchr(buf, '\n', n);
                if (nl) cut = (size_t)(nl - buf) + 1;
            }
            if (cut < n) {
                if (!(carry = malloc(n - cut))) { chunk tmp = {.data = buf, .cap = bcap}; chunk_clear(&p, &tmp); rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
                memcpy(carry, buf + cut, n - cut);
                carry_n = n - cut;
            }
            if (!cut) { chunk tmp = {.data = buf, .cap = bcap}; chunk_clear(&p, &tmp); continue; }
            chunk *c = &p.slots[put];
            chunk_clear(&p, c);
            c->data = buf;
            c->cap = bcap;
            c->n = cut;
            c->line0 = lines;
            c->skip_first = in_long;
            sk_buf_init(&c->diags, (size_t)1 << 20);
            if ((rc = hdr_render(&hs_state, &c->hdr, &c->hdr_n))) break;
            int ends_line = buf[cut - 1] == '\n';
            rc = scan_chunk(&hs_state, buf, cut, !in_long, &lines);
            if (rc) break;
            /* a chunk without a line end begins a line longer than a chunk (its reader
             * reports it, as its last) or continues one (counted already) */
            if (!ends_line && !in_long) lines++;
            in_long = !ends_line;
            if (!(c->res = ops->chunk_new(ctx))) { rc = sk_error_set(SK_ENOMEM, "out of memory"); break; }
            pthread_mutex_lock(&p.mu);
            c->state = 1;
            pthread_cond_broadcast(&p.work);
            pthread_mutex_unlock(&p.mu);
            put = (put + 1) % p.n_slots;
            inflight++;
            continue;
        }
        /* the oldest chunk, when parsed: its results and messages, in order */
        chunk *c = &p.slots[get];
        pthread_mutex_lock(&p.mu);
        while (c->state != 3) pthread_cond_wait(&p.done, &p.mu);
        pthread_mutex_unlock(&p.mu);
        if (o->diag && c->diags.len) {
            char *s = c->diags.data, *e = s + c->diags.len;
            while (s < e) {
                char *nl = memchr(s, '\n', (size_t)(e - s));
                if (!nl) break;
                *nl = 0;
                o->diag(o->diag_ctx, s);
                s = nl + 1;
            }
        }
        *records += c->records;
        *errors += c->errors;
        if (!rc) rc = c->rc;
        int r2 = ops->chunk_done(ctx, c->res);
        c->res = NULL;
        if (!rc) rc = r2;
        chunk_clear(&p, c);
        get = (get + 1) % p.n_slots;
        inflight--;
    }
    /* stop: chunks still queued or being parsed are waited for and dropped */
    pthread_mutex_lock(&p.mu);
    for (size_t i = 0; i < p.n_slots; i++)
        while (p.slots[i].state == 2) pthread_cond_wait(&p.done, &p.mu);
    p.quit = 1;
    for (size_t i = 0; i < p.n_slots; i++)
        if (p.slots[i].state == 1) p.slots[i].state = 0;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    for (size_t i = 0; i < p.n_slots; i++) {
        if (p.slots[i].res) ops->chunk_done(ctx, p.slots[i].res);
        chunk_clear(&p, &p.slots[i]);
    }
    for (size_t i = 0; i < p.n_pool; i++) free(p.pool[i]);
    free(p.slots);
    free(carry);
    for (size_t i = 0; i < hs_state.n; i++) free(hs_state.line[i]);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.work);
    pthread_cond_destroy(&p.done);
    return rc;
}
