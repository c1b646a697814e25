/*
 * net_par.h - one input read by several network-log readers at once (net_par.c): the
 * calling thread reads, hashes and cuts the input into chunks at line ends; worker
 * threads parse the chunks, each with its own reader started at the chunk's first line
 * (header lines seen before it replayed first), and call the caller's record function
 * with that chunk's own context; the calling thread then hands each chunk's context
 * back, in input order, so results are applied as a single reader would have.
 */
#ifndef SK_NET_PAR_H
#define SK_NET_PAR_H

#include <sakimori/digest.h>
#include <sakimori/netlog.h>

typedef struct net_par_ops {
    /* a chunk's context (calling thread, in input order); NULL: out of memory */
    void *(*chunk_new)(void *ctx);
    /* every record of the chunk (a worker thread; only the chunk's context is its own) */
    sk_netrec_cb on_rec;
    /* the chunk parsed (calling thread, input order): apply and free; non-zero stops */
    int (*chunk_done)(void *ctx, void *chunk);
} net_par_ops;

/* 1 when inputs of this format may be cut at line ends and read in parallel. */
int net_par_format_ok(sk_netlog_format f);

/* Read fd (whose first bytes are `head`, already read: n_head of them) to its end with
 * `workers` threads. `o` gives the format (detected by the caller, never AUTO), the
 * zone, the year and the diagnostics sink (called from the calling thread only, in line
 * order). hs (may be NULL) gets every byte. *records and *errors count what the readers
 * read; *left bounds what is read (net_input_bound). A read error is said and sets *bad.
 * Returns an error of the readers, the hasher or chunk_done, else 0. */
int net_read_parallel(const char *cmd, const char *path, int fd, const char *head, size_t n_head, const sk_netlog_options *o,
                      size_t workers, const net_par_ops *ops, void *ctx, sk_hasher *hs, int *bad, uint64_t *records, uint64_t *errors,
                      uint64_t *left);

#endif
