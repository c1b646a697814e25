/*
 * jsonlog.c - JSON-lines event logs (Winlogbeat, NXLog, sakimori's own) into the event
 * model (sakimori/evtxdump.h, docs/evtx.md). Streaming: one line at a time through a
 * bounded buffer, whatever the file's size, read in 1 MiB blocks up to the size that
 * was hashed. Every line that is no event, or an event with a problem, is a diagnostic
 * naming the file and line (at most the file's cap, input.c); repeated keys are said
 * once per file, a file that shrank while being read once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/file.h>
#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/event.h>
#include <sakimori/evtxdump.h>
#include <sakimori/json.h>
#include <sakimori/map.h>

#include "evtx_int.h"

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define READ_BLOCK ((size_t)1 << 20)

/* One file's reading state. */
typedef struct jl {
    sk_event_scanner *sc;
    sk_event_input *in;
    const sk_evtx_dump_options *o;
    const char *path;
    evtx_diags dg;
    sk_evtx_file_stats *st;
    uint64_t dup_lines, dup_first_line;
    char dup_key[160];
    sk_arena *arena; /* the view of one record */
    evs_acc acc;     /* the file's streams, as read (folded and finished at the end) */
    evs_acc all;     /* every record as one sequence */
} jl;

static void diag(jl *j, int kind, uint64_t line, const char *msg)
{
    char m[700];
    snprintf(m, sizeof m, "%s:%llu: %s", j->path, (unsigned long long)line, msg);
    evtx_diag(&j->dg, kind, m);
}

/* The first repeated key of the record, as a path ("winlog.event_data.CommandLine"):
 * 1 when there is one. Only objects the reader flagged are searched. */
static int find_dup(const sk_json_value *v, char *path, size_t cap, size_t len, int depth)
{
    if (depth > 32) return 0;
    if (sk_json_type_of(v) == SK_JSON_ARRAY) {
        for (size_t i = 0; i < sk_json_length(v); i++)
            if (find_dup(sk_json_array_at(v, i), path, cap, len, depth + 1)) return 1;
        return 0;
    }
    if (sk_json_type_of(v) != SK_JSON_OBJECT) return 0;
    size_t n = sk_json_length(v);
    if (sk_json_object_has_duplicates(v)) {
        /* the first key seen again, through a map: a line may hold a million keys */
        sk_map *seen = NULL;
        if (n > 16 && sk_map_new(&seen, 0)) seen = NULL;
        for (size_t i = 0; i < n; i++) {
            size_t ki;
            const char *k = sk_json_object_key_at(v, i, &ki);
            int again = 0;
            if (seen) {
                again = sk_map_has(seen, k, ki);
                if (!again && sk_map_put(seen, k, ki, NULL, NULL)) break; /* out of memory: key unnamed */
            } else if (n <= 16) {
                for (size_t e = 0; e < i && !again; e++) {
                    size_t ke;
                    const char *k2 = sk_json_object_key_at(v, e, &ke);
                    again = ke == ki && !memcmp(k, k2, ki);
                }
            }
            if (again) {
                snprintf(path + len, cap - len, "%s%.*s", len ? "." : "", (int)(ki < 100 ? ki : 100), k);
                sk_map_free(seen);
                return 1;
            }
        }
        sk_map_free(seen);
    }
    for (size_t i = 0; i < n; i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(v, i, &kl);
        size_t l2 = len + (size_t)snprintf(path + len, cap - len, "%s%.*s", len ? "." : "", (int)(kl < 100 ? kl : 100), k);
        if (l2 >= cap) l2 = cap - 1;
        if (find_dup(sk_json_object_value_at(v, i), path, cap, l2, depth + 1)) return 1;
        path[len] = '\0';
    }
    return 0;
}

static void one_doc(jl *j, const char *sha, uint64_t line, const sk_json_value *root, sk_buf *ob);

/* What the coverage needs from one event: its stream's ids and times, a log clear. */
static void note_event(jl *j, const sk_event *ev, uint64_t line)
{
    if (ev->format.s && (ev->format.n == 10 && !memcmp(ev->format.s, "winlogbeat", 10))) j->st->from_shipper = 1;
    if (ev->format.s && (ev->format.n == 5 && !memcmp(ev->format.s, "nxlog", 5))) j->st->from_shipper = 1;
    long stream = evs_note(&j->acc, ev->channel.s, ev->channel.n, ev->computer.s, ev->computer.n, (ev->has & SK_EVH_RECORD_ID) != 0,
                           ev->record_id, ev->time);
    evs_note(&j->all, "", 0, "", 0, (ev->has & SK_EVH_RECORD_ID) != 0, ev->record_id, ev->time);
    /* the part's stream index is the file's: a JSON file is one part */
    sk_evtx_clear *cl = evtx_note_clear(&j->st->clears, &j->st->n_clears, ev, stream, ev->time, ev->record_id);
    if (cl) cl->line = line;
}

/* One line: parse, convert, write. */
static void one(jl *j, const char *sha, uint64_t line, const char *s, size_t n, sk_buf *ob)
{
    sk_evtx_file_stats *st = j->st;
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
        diag(j, DK_NOT_JSON, line, msg);
        st->errors++;
        return;
    }
    one_doc(j, sha, line, sk_json_doc_root(doc), ob);
    sk_json_doc_free(doc);
}

/* One record: convert, hand to the sink, write what it made. */
static void one_doc(jl *j, const char *sha, uint64_t line, const sk_json_value *root, sk_buf *ob)
{
    sk_evtx_file_stats *st = j->st;
    char dk[sizeof j->dup_key];
    dk[0] = '\0';
    if (find_dup(root, dk, sizeof dk, 0, 0)) {
        if (!j->dup_lines++) {
            j->dup_first_line = line;
            memcpy(j->dup_key, dk, sizeof dk);
        }
    }
    sk_event_src src = {.path = j->path, .sha256 = sha, .decoded = j->in->decoded, .line = line, .has_line = 1, .fallback_time = SK_TIME_NONE};
    sk_event_json_info info;
    sk_event_json_options eo = {.local = j->o->local};
    sk_event ev;
    sk_buf_reset(ob);
    sk_arena_reset(j->arena);
    int rc = sk_event_from_json_record(&ev, root, &src, &eo, j->arena, &info);
    const sk_event_sink *sink = j->sc->sink;
    if (!rc && sink->event && sink->event(sink->ctx, j->in, &ev, ob)) rc = SK_EINVAL;
    if (rc) {
        diag(j, info.no_event_id ? DK_EVENT_ID : DK_NOT_EVENT, line, sk_error_last());
        st->errors++;
    } else {
        if (info.warning[0]) {
            diag(j, DK_TIME, line, info.warning);
            st->errors++;
        }
        if (ob->len && sink->write && sink->write(sink->ctx, ob->data, ob->len)) st->errors++;
        st->records++;
        note_event(j, &ev, line);
    }
}


/* 1 when the file holds pretty-printed JSON (a record over many lines, or an array of
 * records) rather than one record a line: its first byte (after a byte-order mark and
 * blanks) is '[', or its first line is an object's start that does not end there. */
static int is_stream(int fd)
{
    char b[65536];
    ssize_t n;
    do n = pread(fd, b, sizeof b, 0);
    while (n < 0 && errno == EINTR);
    ssize_t i = 0;
    if (n >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB && (unsigned char)b[2] == 0xBF) i = 3;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    if (i >= n) return 0;
    if (b[i] == '[') return 1;
    if (b[i] != '{') return 0;
    const char *nl = memchr(b + i, '\n', (size_t)(n - i));
    if (!nl) return 0; /* one long line: JSON lines */
    const char *e = nl;
    while (e > b + i && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) e--;
    return e > b + i && e[-1] != '}';
}

/* The unread bytes moved to the buffer's start and more read after them (at most
 * what was hashed): 0 (*eof set at the end), or an error with a message. */
static int refill(jl *j, int fd, char *buf, size_t cap, size_t *have, size_t *start, uint64_t *pos, int *eof)
{
    memmove(buf, buf + *start, *have - *start);
    *have -= *start;
    *start = 0;
    size_t room = cap - *have;
    if (room > j->st->size - *pos) room = (size_t)(j->st->size - *pos);
    ssize_t n;
    do n = room ? pread(fd, buf + *have, room, (off_t)*pos) : 0;
    while (n < 0 && errno == EINTR);
    if (n < 0) return sk_error_set(SK_EIO, "%s: offset %llu: read error: %s", j->path, (unsigned long long)*pos, strerror(errno));
    if (n == 0) *eof = 1;
    if (n > 0 && j->o->progress) j->o->progress(j->o->progress_ctx, (uint64_t)n);
    *have += (size_t)n;
    *pos += (uint64_t)n;
    return 0;
}

/* Records of a JSON stream: concatenated values and arrays of records, each record any
 * number of lines (at most 16 MiB), located by the line it starts on. A syntax error is
 * said with its line and the reading goes on at the next line that starts a record. */
static int stream_read(jl *j, int fd, char *buf, size_t cap, sk_buf *ob, uint64_t *read_to)
{
    sk_evtx_file_stats *st = j->st;
    const sk_evtx_dump_options *o = j->o;
    size_t have = 0, start = 0;
    uint64_t pos = 0; /* file offset of buf[have] */
    sk_json_pos jp = {0, 1};
    int eof = 0, depth = 0, rc = 0; /* depth: inside how many top-level arrays */
    sk_json_limits lim = {.max_bytes = (size_t)64 << 20, .keep_invalid_utf8 = 1};
    for (;;) {
        if (o->stop && *o->stop) {
            rc = sk_error_set(SK_EIO, "%s: interrupted", j->path);
            break;
        }
        if (!eof && have - start < READ_BLOCK && (rc = refill(j, fd, buf, cap, &have, &start, &pos, &eof))) break; /* a block ahead */
        /* between records: blanks, and an array's brackets and commas */
        while (start < have) {
            char c = buf[start];
            if (c == '\n') jp.line++;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (depth && c == ',')) {
                start++, jp.offset++;
            } else if (c == '[' && depth < 1) {
                depth++, start++, jp.offset++;
            } else if (c == ']' && depth) {
                depth--, start++, jp.offset++;
            } else if (jp.offset == 0 && have - start >= 3 && !memcmp(buf + start, "\xEF\xBB\xBF", 3)) {
                start += 3, jp.offset += 3;
            } else {
                break;
            }
        }
        if (start == have) {
            if (eof) break;
            continue;
        }
        sk_json_doc *doc = NULL;
        size_t used = 0;
        sk_json_pos p = jp;
        int pr = sk_json_parse_next(&doc, buf + start, have - start, NULL, &lim, &p, &used);
        if (pr && !eof && have - start < cap - READ_BLOCK) { /* maybe only cut by the buffer: read on */
            if (refill(j, fd, buf, cap, &have, &start, &pos, &eof)) eof = 1; /* a read error ends the stream here */
            continue;
        }
        if (pr) {
            if (have - start >= cap - READ_BLOCK) {
                diag(j, DK_LONG_LINE, jp.line, "a record longer than 16 MiB: skipped");
            } else {
                const char *m = sk_error_last(), *c = strstr(m, ": ");
                char msg[400];
                snprintf(msg, sizeof msg, "not JSON: %s", !strncmp(m, "<json>:", 7) && c ? c + 2 : m);
                diag(j, DK_NOT_JSON, jp.line, msg);
            }
            st->errors++;
            /* on at the next line that starts with '{' (after blanks) */
            size_t k = start + 1;
            for (;;) {
                while (k < have && buf[k] != '\n') k++;
                if (k >= have) break;
                size_t b2 = k + 1;
                while (b2 < have && (buf[b2] == ' ' || buf[b2] == '\t')) b2++;
                if (b2 < have && buf[b2] == '{') break;
                k++;
            }
            for (size_t x = start; x < k && x < have; x++) jp.line += buf[x] == '\n';
            jp.offset += (k < have ? k : have) - start;
            start = k < have ? k : have;
            if (start == have && eof) break;
            continue;
        }
        const sk_json_value *root = sk_json_doc_root(doc);
        one_doc(j, st->sha256, sk_json_line(root), root, ob);
        sk_json_doc_free(doc);
        start += used;
        jp = p;
    }
    *read_to = pos;
    return rc;
}

int jsonl_dump_fd(sk_event_scanner *sc, sk_event_input *in, int fd, sk_evtx_file_stats *st)
{
    evtx_stats_clear(st);
    const sk_evtx_dump_options *o = sc->o;
    const char *path = in->path;
    jl j = {.sc = sc, .in = in, .o = o, .path = path, .st = st};
    evs_init(&j.acc, o->quiet_gap, 4096, 100000, 100000);
    evs_init(&st->streams, o->quiet_gap, 4096, 100000, 100000);
    evs_init(&j.all, o->quiet_gap, 1, 100000, 1);
    evs_init(&st->all, o->quiet_gap, 1, 100000, 1);
    evtx_diags_init(&j.dg, o);
    /* the SHA-256 first: every event names its input; then no more than was hashed is
     * read (a log that grows is not followed; one that shrinks is read to its new end) */
    struct stat sb;
    uint64_t size0 = 0;
    char *buf = malloc(LINE_MAX_BYTES + READ_BLOCK);
    int rc = !buf || sk_arena_new(&j.arena, 64 << 10, (size_t)256 << 20) ? sk_error_set(SK_ENOMEM, "out of memory")
             : fstat(fd, &sb) ? sk_error_set(SK_EIO, "%s: %s", path, strerror(errno))
                              : 0;
    if (!rc) {
        size0 = (uint64_t)sb.st_size;
        if (in->sha256) { /* hashed ahead, standard input or a compressed file: the stored bytes' digest */
            memcpy(st->sha256, in->sha256, 65);
            st->size = size0;
            if (in->limit) { /* a plain file hashed ahead: no further than the hash; a shrink since is seen */
                st->size = size0 < in->limit ? size0 : in->limit;
                size0 = in->limit;
            }
        } else if (evtx_hash_fd(fd, size0, st->sha256, &st->size)) {
            rc = sk_error_set(SK_EIO, "%s: read error while hashing", path);
        }
        in->sha256 = st->sha256;
    }
    sk_buf ob;
    sk_buf_init(&ob, (size_t)64 << 20);
    /* lines: buf holds [0, have); a line longer than LINE_MAX_BYTES is skipped */
    size_t have = 0;
    uint64_t line = 1, pos = 0;
    int skipping = 0, eof = 0;
    if (!rc && is_stream(fd)) { /* pretty-printed records, arrays of them */
        rc = stream_read(&j, fd, buf, LINE_MAX_BYTES + READ_BLOCK, &ob, &pos);
        eof = 1;
    }
    while (!rc && !eof) {
        if (o->stop && *o->stop) {
            rc = sk_error_set(SK_EIO, "%s: interrupted", path);
            break;
        }
        size_t room = LINE_MAX_BYTES + READ_BLOCK - have;
        if (room > READ_BLOCK) room = READ_BLOCK;
        if (room > st->size - pos) room = (size_t)(st->size - pos);
        ssize_t n = room ? pread(fd, buf + have, room, (off_t)pos) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = sk_error_set(SK_EIO, "%s: offset %llu: read error: %s", path, (unsigned long long)pos, strerror(errno));
            break;
        }
        if (n == 0) eof = 1;
        if (n > 0 && o->progress) o->progress(o->progress_ctx, (uint64_t)n);
        size_t scan = have; /* [0, have) holds no newline: search only what was read */
        have += (size_t)n;
        pos += (uint64_t)n;
        size_t startpos = 0;
        for (;;) {
            size_t from = startpos > scan ? startpos : scan;
            char *nl = memchr(buf + from, '\n', have - from);
            if (!nl) break;
            size_t len = (size_t)(nl - (buf + startpos));
            if (skipping) skipping = 0;
            else one(&j, st->sha256, line, buf + startpos, len, &ob);
            line++;
            startpos += len + 1;
        }
        if (eof && startpos < have && !skipping) { /* a last line without a newline */
            one(&j, st->sha256, line, buf + startpos, have - startpos, &ob);
            startpos = have;
        }
        memmove(buf, buf + startpos, have - startpos);
        have -= startpos;
        if (have >= LINE_MAX_BYTES) { /* no newline in 16 MiB: skip to the next one */
            if (!skipping) {
                diag(&j, DK_LONG_LINE, line, "line longer than 16 MiB: skipped");
                st->errors++;
            }
            skipping = 1;
            have = 0;
        }
    }
    evtx_diags_end(&j.dg, path);
    if (j.dup_lines && o->diag) { /* once a file: always shown */
        char m[700];
        snprintf(m, sizeof m, "%s:%llu: key '%s' appears twice in one record: the first is read; %llu line%s of this file repeat%s keys",
                 path, (unsigned long long)j.dup_first_line, j.dup_key, (unsigned long long)j.dup_lines,
                 j.dup_lines == 1 ? "" : "s", j.dup_lines == 1 ? "s" : "");
        o->diag(o->diag_ctx, m);
    }
    if (j.dup_lines) st->errors++;
    if (!rc && pos < size0) { /* shorter than when it was hashed (or while hashing) */
        st->shrank = 1;
        st->shrank_to = pos;
        st->errors++;
        if (o->diag) {
            char m[600];
            snprintf(m, sizeof m, "%s: file shrank from %llu to %llu bytes while being read; lines after offset %llu not read", path,
                     (unsigned long long)size0, (unsigned long long)pos, (unsigned long long)pos);
            o->diag(o->diag_ctx, m);
        }
    }
    /* the file's streams: one part (the whole file), folded and finished */
    size_t *map = j.acc.n ? calloc(j.acc.n, sizeof *map) : NULL;
    evs_fold(&st->streams, &j.acc, map);
    for (size_t k = 0; k < st->n_clears && map; k++)
        if (st->clears[k].stream < j.acc.n) st->clears[k].stream = map[st->clears[k].stream];
    free(map);
    evs_fold(&st->all, &j.all, NULL);
    evs_free(&j.acc);
    evs_free(&j.all);
    evtx_streams_finish(st);
    sk_buf_free(&ob);
    free(buf);
    sk_arena_free(j.arena);
    return rc;
}
