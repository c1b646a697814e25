/*
 * extsort.c - external merge sort of (key, bytes) records (sakimori/extsort.h).
 *
 * Records are appended to one arena-like block with an index of (key, seq, offset);
 * when the block reaches the budget the index is sorted and the batch written as a
 * run: [key i64][seq u64][len u32][bytes] each. At the end, the last batch stays in
 * memory as one more run, and runs are merged through a binary heap, MERGE_WAYS at a
 * time (more runs are first merged into fewer, in passes), each read through a 256 KiB
 * buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/extsort.h>

#define RECORD_MAX ((size_t)64 << 20)
#define MERGE_WAYS 64
#define READ_BUF ((size_t)256 << 10)

typedef struct ent {
    int64_t key;
    uint64_t seq;
    size_t off, len;
} ent;

typedef struct run {
    FILE *f;
} run;

struct sk_extsort {
    size_t budget;
    char *data;
    size_t used, cap;
    ent *idx;
    size_t n, icap;
    uint64_t seq;
    run *runs;
    size_t n_runs, cap_runs;
    int finished;
};

int sk_extsort_new(sk_extsort **out, size_t budget)
{
    *out = NULL;
    sk_extsort *s = calloc(1, sizeof *s);
    if (!s) return sk_error_set(SK_ENOMEM, "out of memory");
    s->budget = budget ? budget : (size_t)64 << 20;
    if (s->budget < ((size_t)1 << 20)) s->budget = (size_t)1 << 20;
    *out = s;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const ent *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static FILE *tmp_stream(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char t[4096];
        snprintf(t, sizeof t, "%s/sakimori-sort-XXXXXX", dir);
        fd = mkstemp(t);
        if (fd >= 0) unlink(t);
    }
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w+b");
    if (!f) close(fd);
    return f;
}

static int put_record(FILE *f, int64_t key, uint64_t seq, const void *d, size_t n)
{
    uint32_t len = (uint32_t)n;
    return fwrite(&key, sizeof key, 1, f) == 1 && fwrite(&seq, sizeof seq, 1, f) == 1 && fwrite(&len, sizeof len, 1, f) == 1 &&
                   (!n || fwrite(d, 1, n, f) == n)
               ? 0
               : -1;
}

static int add_run(sk_extsort *s, FILE *f)
{
    if (s->n_runs == s->cap_runs) {
        size_t nc = s->cap_runs ? s->cap_runs * 2 : 16;
        run *nr = realloc(s->runs, nc * sizeof *nr);
        if (!nr) return sk_error_set(SK_ENOMEM, "out of memory");
        s->runs = nr;
        s->cap_runs = nc;
    }
    s->runs[s->n_runs++].f = f;
    return 0;
}

/* The batch in memory, sorted, to a new run. */
static int spill(sk_extsort *s)
{
    if (!s->n) return 0;
    qsort(s->idx, s->n, sizeof *s->idx, by_key);
    FILE *f = tmp_stream();
    if (!f) return sk_error_set(SK_EIO, "sorting: cannot make a temporary file (TMPDIR): %s", strerror(errno));
    setvbuf(f, NULL, _IOFBF, READ_BUF);
    for (size_t i = 0; i < s->n; i++)
        if (put_record(f, s->idx[i].key, s->idx[i].seq, s->data + s->idx[i].off, s->idx[i].len)) {
            fclose(f);
            return sk_error_set(SK_EIO, "sorting: writing a temporary file: %s", strerror(errno));
        }
    if (fflush(f) || fseeko(f, 0, SEEK_SET)) {
        fclose(f);
        return sk_error_set(SK_EIO, "sorting: writing a temporary file: %s", strerror(errno));
    }
    int rc = add_run(s, f);
    if (rc) {
        fclose(f);
        return rc;
    }
    s->n = 0;
    s->used = 0;
    return 0;
}

int sk_extsort_add(sk_extsort *s, int64_t key, const void *data, size_t n)
{
    if (s->finished) return sk_error_set(SK_EINVAL, "sorting: records added after the end");
    if (n > RECORD_MAX) return sk_error_set(SK_EINVAL, "sorting: a record of %zu bytes (at most 64 MiB)", n);
    size_t need = s->used + n + (s->n + 1) * sizeof(ent);
    if (need > s->budget && s->n) {
        int rc = spill(s);
        if (rc) return rc;
    }
    if (s->used + n > s->cap) {
        size_t nc = s->cap ? s->cap : (size_t)1 << 20;
        while (nc < s->used + n) nc *= 2;
        char *nd = realloc(s->data, nc);
        if (!nd) return sk_error_set(SK_ENOMEM, "out of memory");
        s->data = nd;
        s->cap = nc;
    }
    if (s->n == s->icap) {
        size_t nc = s->icap ? s->icap * 2 : 4096;
        ent *ni = realloc(s->idx, nc * sizeof *ni);
        if (!ni) return sk_error_set(SK_ENOMEM, "out of memory");
        s->idx = ni;
        s->icap = nc;
    }
    if (n) memcpy(s->data + s->used, data, n);
    s->idx[s->n++] = (ent){key, s->seq++, s->used, n};
    s->used += n;
    return 0;
}

size_t sk_extsort_runs(const sk_extsort *s)
{
    return s->n_runs;
}

/* ---- merging ---- */

typedef struct head {
    int64_t key;
    uint64_t seq;
    char *buf;
    size_t len, cap;
    FILE *f;
} head;

static int read_head(head *h)
{
    uint32_t len;
    if (fread(&h->key, sizeof h->key, 1, h->f) != 1) return 1; /* the run is done */
    if (fread(&h->seq, sizeof h->seq, 1, h->f) != 1 || fread(&len, sizeof len, 1, h->f) != 1) return -1;
    if (len > h->cap) {
        char *nb = realloc(h->buf, len);
        if (!nb) return -1;
        h->buf = nb;
        h->cap = len;
    }
    if (len && fread(h->buf, 1, len, h->f) != len) return -1;
    h->len = len;
    return 0;
}

static int less(const head *a, const head *b)
{
    return a->key != b->key ? a->key < b->key : a->seq < b->seq;
}

static void sift(head **heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && less(heap[l], heap[m])) m = l;
        if (r < n && less(heap[r], heap[m])) m = r;
        if (m == i) return;
        head *t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* Merge runs [from, from + k) into out (a file, or the emitter when out is NULL). */
static int merge(run *runs, size_t k, FILE *out, int (*emit)(void *, int64_t, const void *, size_t), void *ctx)
{
    head *hs = calloc(k, sizeof *hs);
    head **heap = calloc(k, sizeof *heap);
    int rc = hs && heap ? 0 : sk_error_set(SK_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < k && !rc; i++) {
        hs[i].f = runs[i].f;
        setvbuf(hs[i].f, NULL, _IOFBF, READ_BUF);
        int r = read_head(&hs[i]);
        if (r < 0) rc = sk_error_set(SK_EIO, "sorting: reading a temporary file");
        else if (r == 0) heap[n++] = &hs[i];
    }
    for (size_t i = n / 2; i-- > 0;) sift(heap, n, i);
    while (!rc && n) {
        head *h = heap[0];
        if (out) {
            if (put_record(out, h->key, h->seq, h->buf, h->len)) rc = sk_error_set(SK_EIO, "sorting: writing a temporary file");
        } else {
            rc = emit(ctx, h->key, h->buf, h->len);
        }
        if (rc) break;
        int r = read_head(h);
        if (r < 0) {
            rc = sk_error_set(SK_EIO, "sorting: reading a temporary file");
            break;
        }
        if (r == 1) heap[0] = heap[--n];
        sift(heap, n, 0);
    }
    for (size_t i = 0; hs && i < k; i++) free(hs[i].buf);
    free(hs);
    free(heap);
    return rc;
}

int sk_extsort_finish(sk_extsort *s, int (*emit)(void *ctx, int64_t key, const void *data, size_t n), void *ctx)
{
    s->finished = 1;
    if (!s->n_runs) { /* everything fitted: sorted in memory */
        if (s->n) qsort(s->idx, s->n, sizeof *s->idx, by_key);
        for (size_t i = 0; i < s->n; i++) {
            int rc = emit(ctx, s->idx[i].key, s->data + s->idx[i].off, s->idx[i].len);
            if (rc) return rc;
        }
        return 0;
    }
    int rc = spill(s);
    free(s->data), s->data = NULL, s->cap = s->used = 0; /* the merge's buffers take its place */
    free(s->idx), s->idx = NULL, s->icap = 0;
    /* passes: MERGE_WAYS runs into one, until one pass can finish */
    while (!rc && s->n_runs > MERGE_WAYS) {
        FILE *f = tmp_stream();
        if (!f) return sk_error_set(SK_EIO, "sorting: cannot make a temporary file (TMPDIR): %s", strerror(errno));
        setvbuf(f, NULL, _IOFBF, READ_BUF);
        rc = merge(s->runs, MERGE_WAYS, f, NULL, NULL);
        for (size_t i = 0; i < MERGE_WAYS; i++) fclose(s->runs[i].f);
        memmove(s->runs, s->runs + MERGE_WAYS, (s->n_runs - MERGE_WAYS) * sizeof *s->runs);
        s->n_runs -= MERGE_WAYS;
        if (!rc && (fflush(f) || fseeko(f, 0, SEEK_SET))) rc = sk_error_set(SK_EIO, "sorting: writing a temporary file");
        if (rc) {
            fclose(f);
            break;
        }
        s->runs[s->n_runs++].f = f; /* room: one fewer than before */
    }
    if (!rc) rc = merge(s->runs, s->n_runs, NULL, emit, ctx);
    return rc;
}

void sk_extsort_free(sk_extsort *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_runs; i++) fclose(s->runs[i].f);
    free(s->runs);
    free(s->data);
    free(s->idx);
    free(s);
}
