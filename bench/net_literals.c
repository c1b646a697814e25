/*
 * net_literals.c - a limit for bench/net.sh: how fast the fastest multi-literal matcher
 * in the project's dependencies (Vectorscan, the Hyperscan fork Debian ships) finds an
 * indicator list's literal forms anywhere in a log, without cutting a field, hashing the
 * input or attributing a host. Each indicator becomes one case-insensitive literal: a
 * name as it is, a URL's host, a dotted network's prefix ("198.18.5." for 198.18.5.0/24).
 * The log is scanned in 1 MiB blocks (a literal split across two blocks is missed: this
 * is a speed figure, not an answer). Prints the compile time, the database size and
 * MB/s per core (user+sys CPU seconds of the scan alone).
 *
 *   net_literals IOC_LIST LOG
 *
 * Built by bench/net.sh with the system compiler when libhs is installed; not part of
 * sakimori.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           (double)u.ru_stime.tv_usec / 1e6;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    ++*(unsigned long *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: net_literals IOC_LIST LOG\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    size_t cap = 1024, n = 0;
    char **lit = malloc(cap * sizeof *lit);
    size_t *len = malloc(cap * sizeof *len);
    unsigned *flags = malloc(cap * sizeof *flags), *ids = malloc(cap * sizeof *ids);
    char line[8192];
    while (lit && len && flags && ids && fgets(line, sizeof line, f)) {
        size_t l = strcspn(line, "\r\n");
        line[l] = 0;
        char *p = line;
        if (!*p || *p == '#') continue;
        char *sep = strstr(p, "://");
        if (sep) { /* a URL: its host */
            p = sep + 3;
            p[strcspn(p, "/?#:")] = 0;
        } else if (strchr(p, '/')) { /* a network: its dotted prefix */
            char *dot = strrchr(p, '.');
            if (dot) dot[1] = 0;
        }
        if (!*p) continue;
        if (n == cap) {
            cap *= 2;
            lit = realloc(lit, cap * sizeof *lit), len = realloc(len, cap * sizeof *len);
            flags = realloc(flags, cap * sizeof *flags), ids = realloc(ids, cap * sizeof *ids);
            if (!lit || !len || !flags || !ids) break;
        }
        lit[n] = strdup(p), len[n] = strlen(p), flags[n] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
        ids[n] = (unsigned)n;
        if (!lit[n]) break;
        n++;
    }
    fclose(f);
    if (!lit || !len || !flags || !ids) {
        fprintf(stderr, "net_literals: out of memory\n");
        return 2;
    }
    double c0 = cpu_seconds();
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile_lit_multi((const char *const *)lit, flags, ids, len, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err) !=
        HS_SUCCESS) {
        fprintf(stderr, "net_literals: %s\n", err ? err->message : "compile failed");
        return 2;
    }
    double compile_s = cpu_seconds() - c0;
    size_t db_size = 0;
    hs_database_size(db, &db_size);
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return 2;
    FILE *g = fopen(argv[2], "r");
    if (!g) {
        perror(argv[2]);
        return 2;
    }
    size_t bs = 1u << 20, got, total = 0;
    char *buf = malloc(bs);
    unsigned long hits = 0;
    c0 = cpu_seconds();
    while (buf && (got = fread(buf, 1, bs, g)) > 0) {
        total += got;
        hs_scan(db, buf, (unsigned)got, 0, scratch, on_match, &hits);
    }
    double scan_s = cpu_seconds() - c0;
    fclose(g);
    printf("%zu literals compiled in %.2f s (%.1f MiB); %.1f MB scanned in %.2f s cpu: %.0f MB/s per core, %lu hits\n",
           n, compile_s, (double)db_size / 1048576.0, (double)total / 1e6, scan_s,
           scan_s > 0 ? (double)total / 1e6 / scan_s : 0.0, hits);
    return 0;
}
