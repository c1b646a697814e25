/*
 * cache.c - the collector's incremental cache (collect_int.h, docs/collect.md).
 *
 * A text file: a header line "sakimori-collect-cache/1 DIGESTS RULES" and one line per
 * file, "KEY\tCONTENT", KEY = file system identity (its UUID, stable across remounts),
 * inode, size, modification and change times in nanoseconds, CONTENT = the file's
 * content members as JSON (kind, digests, PE/ELF identity, signature, YARA matches).
 * A file whose key is unchanged is not read again: its change time moves on any write
 * or metadata change and cannot be set back by a user. The cache is the collector's
 * own state, not evidence: it is replaced atomically (temporary file and rename) at
 * the end of a complete run, holding exactly the files seen in that run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/file.h>
#include <sakimori/map.h>

#include "collect_int.h"

#define CACHE_MAX ((size_t)2 << 30)

typedef struct old_entry {
    const char *key;
    size_t klen;
    const char *content; /* NUL-terminated, inside old_text */
    size_t clen;
    int seen;            /* found again in this run: kept */
} old_entry;

struct sk_cache {
    char *path;
    char header[160];
    char *old_text;     /* the file read at open; old entries point into it */
    sk_map *old;        /* key -> old_entry */
    struct old_entry *entries;
    size_t n_entries;
    sk_map *fresh;      /* key -> malloc'd "content" of this run */
    pthread_mutex_t mu;
};

int sk_cache_open(sk_cache **out, const char *path, unsigned digests, const char *rules_id)
{
    *out = NULL;
    sk_cache *c = calloc(1, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->path = strdup(path);
    snprintf(c->header, sizeof c->header, "sakimori-collect-cache/1 %u %s", digests, rules_id && *rules_id ? rules_id : "-");
    int rc = !c->path ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
    if (!rc) rc = sk_map_new(&c->old, 0);
    if (!rc) rc = sk_map_new(&c->fresh, 0);
    size_t len = 0;
    if (!rc && access(path, F_OK) == 0) {
        rc = sk_file_read_all(path, CACHE_MAX, &c->old_text, &len);
        if (rc) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s", sk_error_last());
            rc = sk_error_set(rc, "cache %s: %s", path, msg);
        } else {
            char *p = c->old_text, *end = p + len;
            char *nl = memchr(p, '\n', len);
            /* another format, other digests or other rules: start afresh */
            if (nl && (size_t)(nl - p) == strlen(c->header) && !memcmp(p, c->header, (size_t)(nl - p))) {
                size_t lines = 0;
                for (char *q = nl + 1; q < end && (q = memchr(q, '\n', (size_t)(end - q))); q++) lines++;
                c->entries = calloc(lines ? lines : 1, sizeof *c->entries);
                if (!c->entries) rc = sk_error_set(SK_ENOMEM, "out of memory");
                p = nl + 1;
                while (p < end && !rc && c->n_entries < lines) {
                    char *e = memchr(p, '\n', (size_t)(end - p));
                    if (!e) break; /* a torn last line is ignored */
                    char *tab = memchr(p, '\t', (size_t)(e - p));
                    if (tab && e - tab > 2) {
                        *e = '\0';
                        old_entry *oe = &c->entries[c->n_entries++];
                        *oe = (old_entry){p, (size_t)(tab - p), tab + 1, (size_t)(e - tab - 1), 0};
                        rc = sk_map_put(c->old, p, (size_t)(tab - p), oe, NULL);
                    }
                    p = e + 1;
                }
            }
        }
    }
    if (rc) {
        sk_cache_close(c, 0);
        return rc;
    }
    *out = c;
    return 0;
}

static char *put_dec(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do t[n++] = (char)('0' + v % 10); while ((v /= 10));
    while (n) *p++ = t[--n];
    return p;
}

char *sk_cache_key(const char *fsid, const sk_os_stat *st)
{
    size_t fl = strlen(fsid);
    char *k = malloc(fl + 4 * 22 + 8);
    if (!k) return NULL;
    char *p = k;
    memcpy(p, fsid, fl);
    p += fl;
    *p++ = ':';
    p = put_dec(p, st->ino);
    *p++ = ':';
    p = put_dec(p, st->size);
    *p++ = ':';
    if (st->mtime < 0) *p++ = '-';
    p = put_dec(p, st->mtime < 0 ? (uint64_t)-(st->mtime + 1) + 1 : (uint64_t)st->mtime);
    *p++ = ':';
    if (st->ctime < 0) *p++ = '-';
    p = put_dec(p, st->ctime < 0 ? (uint64_t)-(st->ctime + 1) + 1 : (uint64_t)st->ctime);
    *p = '\0';
    return k;
}

const char *sk_cache_get(sk_cache *c, const char *key, size_t *n)
{
    old_entry *e = sk_map_get(c->old, key, strlen(key));
    if (!e) return NULL;
    e->seen = 1; /* kept by the next save; the walker alone calls this */
    *n = e->clen;
    return e->content;
}

void sk_cache_put(sk_cache *c, const char *key, const char *content, size_t n)
{
    if (memchr(content, '\n', n)) return; /* never: JSON from our writer has no raw newline */
    char *v = strndup(content, n);
    if (!v) return;
    void *old = NULL;
    pthread_mutex_lock(&c->mu);
    if (sk_map_put(c->fresh, key, strlen(key), v, &old)) old = v;
    pthread_mutex_unlock(&c->mu);
    free(old);
}

int sk_cache_close(sk_cache *c, int save)
{
    if (!c) return 0;
    int rc = 0;
    if (save && c->fresh) {
        char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp.%ld", c->path, (long)getpid()) < 0) return sk_error_set(SK_ENOMEM, "out of memory");
        FILE *f = fopen(tmp, "wx");
        if (!f) {
            rc = sk_error_set(SK_EIO, "cache %s: %s", tmp, strerror(errno));
        } else {
            fprintf(f, "%s\n", c->header);
            size_t pos = 0, kl;
            const void *k;
            void *v;
            while (sk_map_next(c->fresh, &pos, &k, &kl, &v)) {
                fwrite(k, 1, kl, f);
                fputc('\t', f);
                fputs(v, f);
                fputc('\n', f);
            }
            for (size_t i = 0; i < c->n_entries; i++) {
                const old_entry *e = &c->entries[i];
                if (!e->seen || sk_map_has(c->fresh, e->key, e->klen)) continue;
                fwrite(e->key, 1, e->klen, f);
                fputc('\t', f);
                fputs(e->content, f);
                fputc('\n', f);
            }
            if (fflush(f) || ferror(f) || fsync(fileno(f))) rc = sk_error_set(SK_EIO, "cache %s: %s", tmp, strerror(errno));
            if (fclose(f) && !rc) rc = sk_error_set(SK_EIO, "cache %s: %s", tmp, strerror(errno));
            if (!rc && rename(tmp, c->path)) rc = sk_error_set(SK_EIO, "cache %s: %s", c->path, strerror(errno));
            if (rc) unlink(tmp);
        }
        free(tmp);
    }
    if (c->fresh) {
        size_t pos = 0, kl;
        const void *k;
        void *v;
        while (sk_map_next(c->fresh, &pos, &k, &kl, &v)) free(v);
        sk_map_free(c->fresh);
    }
    sk_map_free(c->old);
    free(c->entries);
    free(c->old_text);
    free(c->path);
    pthread_mutex_destroy(&c->mu);
    free(c);
    return rc;
}
