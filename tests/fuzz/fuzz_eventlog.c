/*
 * fuzz_eventlog - the whole input reader on arbitrary bytes as one file: kind told from
 * the first bytes, gzip/zstd decompressed (bounded to 4 MiB here), JSON lines or
 * pretty-printed records and arrays split into records, EVTX chunks parsed, every event
 * rendered, coverage written. No crash, no hang, no unbounded allocation.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/evtxdump.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("eventlog", 0);
    if (fd < 0) return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        close(fd);
        return 0;
    }
    sk_evtx_dump_options o = {.threads = 1, .max_decoded = (uint64_t)4 << 20};
    sk_evtx_file_stats s;
    int kind;
    sk_events_dump(path, &o, devnull, &s, &kind);
    sk_buf cov;
    sk_buf_init(&cov, (size_t)64 << 20);
    sk_evtx_coverage_write(&cov, &s);
    sk_buf_free(&cov);
    sk_evtx_file_stats_free(&s);
    close(fd);
    return 0;
}
