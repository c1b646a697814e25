/*
 * jsonlog.c - JSON-lines event logs (Winlogbeat, NXLog, sakimori's own) into the event
 * model (sakimori/evtxdump.h, docs/evtx.md). Streaming: one line at a time through a
 * bounded buffer, whatever the file's size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/file.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/event.h>
#include <sakimori/evtxdump.h>
#include <sakimori/json.h>

#include "evtx_int.h"

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define READ_BLOCK ((size_t)1 << 20)

int sk_events_file_kind(const char *path)
{
    int fd;
    if (sk_file_open(SK_FILE_CWD, path, 0, &fd, NULL)) return 0;
    char b[512];
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    if (n >= 8 && !memcmp(b, "ElfFile", 8)) return 1;
    for (ssize_t i = 0; i < n; i++) {
        if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') continue;
        if ((unsigned char)b[i] == 0xEF && i + 2 < n && (unsigned char)b[i + 1] == 0xBB && (unsigned char)b[i + 2] == 0xBF) {
            i += 2; /* a UTF-8 byte-order mark */
            continue;
        }
        return b[i] == '{' ? 2 : 0;
    }
    return 0;
}

static void diag(const sk_evtx_dump_options *o, const char *path, uint64_t line, const char *msg)
{
    if (!o->diag) return;
    char m[600];
    snprintf(m, sizeof m, "%s:%llu: %s", path, (unsigned long long)line, msg);
    o->diag(o->diag_ctx, m);
}

/* One line: parse, convert, write. */
static void one(const sk_evtx_dump_options *o, const char *path, const char *sha, uint64_t line, const char *s, size_t n,
                sk_buf *ob, FILE *out, sk_evtx_file_stats *st)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
    if (i == n) return; /* blank */
    if (line == 1 && n - i >= 3 && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBB && (unsigned char)s[i + 2] == 0xBF) i += 3;
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = (size_t)64 << 20, .keep_invalid_utf8 = 1};
    if (sk_json_parse(&doc, s + i, n - i, NULL, &lim)) {
        /* "<json>:1: what (offset N)": the line is ours to give */
        const char *m = sk_error_last(), *c = strstr(m, ": ");
        char msg[400];
        snprintf(msg, sizeof msg, "not JSON: %s", !strncmp(m, "<json>:", 7) && c ? c + 2 : m);
        diag(o, path, line, msg);
        st->errors++;
        return;
    }
    sk_event_src src = {.sha256 = sha, .line = line, .has_line = 1};
    const char *format;
    sk_buf_reset(ob);
    if (sk_event_from_json(ob, sk_json_doc_root(doc), &src, o->local, &format)) {
        diag(o, path, line, sk_error_last());
        st->errors++;
    } else {
        if (ob->len && fwrite(ob->data, 1, ob->len, out) != ob->len) st->errors++;
        st->records++;
    }
    sk_json_doc_free(doc);
}

int sk_events_dump_jsonl(const char *path, const sk_evtx_dump_options *o, FILE *out, sk_evtx_file_stats *st)
{
    int fd;
    int rc = sk_evtx_open(path, &fd, st);
    if (rc) return rc;
    /* the SHA-256 first: every event names its input */
    struct stat sb;
    char *buf = malloc(LINE_MAX_BYTES + READ_BLOCK);
    rc = !buf ? sk_error_set(SK_ENOMEM, "out of memory")
             : fstat(fd, &sb) ? sk_error_set(SK_EIO, "%s: %s", path, strerror(errno))
                              : 0;
    if (!rc) {
        st->size = (uint64_t)sb.st_size;
        if (sk_evtx_hash_fd(fd, st->size, st->sha256)) rc = sk_error_set(SK_EIO, "%s: read error while hashing", path);
    }
    sk_buf ob;
    sk_buf_init(&ob, (size_t)64 << 20);
    /* lines: buf holds [0, have); a line longer than LINE_MAX_BYTES is skipped */
    size_t have = 0;
    uint64_t line = 1;
    int skipping = 0, eof = 0;
    while (!rc && !eof) {
        if (o->stop && *o->stop) {
            rc = sk_error_set(SK_EIO, "%s: interrupted", path);
            break;
        }
        ssize_t n = read(fd, buf + have, LINE_MAX_BYTES + READ_BLOCK - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = sk_error_set(SK_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
        if (n == 0) eof = 1;
        have += (size_t)n;
        size_t startpos = 0;
        for (;;) {
            char *nl = memchr(buf + startpos, '\n', have - startpos);
            if (!nl) break;
            size_t len = (size_t)(nl - (buf + startpos));
            if (skipping) skipping = 0;
            else one(o, path, st->sha256, line, buf + startpos, len, &ob, out, st);
            line++;
            startpos += len + 1;
        }
        if (eof && startpos < have && !skipping) { /* a last line without a newline */
            one(o, path, st->sha256, line, buf + startpos, have - startpos, &ob, out, st);
            startpos = have;
        }
        memmove(buf, buf + startpos, have - startpos);
        have -= startpos;
        if (have >= LINE_MAX_BYTES) { /* no newline in 16 MiB: skip to the next one */
            if (!skipping) {
                diag(o, path, line, "line longer than 16 MiB: skipped");
                st->errors++;
            }
            skipping = 1;
            have = 0;
        }
    }
    sk_buf_free(&ob);
    free(buf);
    close(fd);
    return rc;
}
