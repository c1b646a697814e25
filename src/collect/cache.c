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
#include <sys/random.h>
#include <unistd.h>

#include <sakimori/buf.h>
#include <sakimori/file.h>
#include <sakimori/map.h>

#include "collect_int.h"

#define CACHE_MAX ((size_t)2 << 30)

typedef struct old_entry {
    const char *key;
    size_t klen;
    const char *content; /* NUL-terminated, inside old_text */
    size_t clen;
    uint64_t hash;
    int seen;            /* found again in this run: kept */
} old_entry;

struct collect_cache {
    char *path;
    char header[160];
    char *old_text;     /* the file read at open; old entries point into it */
    uint32_t *table;    /* open addressing: 1 + index into entries, 0 empty; keys stay in old_text */
    size_t mask;
    uint8_t seed[16];
    struct old_entry *entries;
    size_t n_entries;
    size_t n_lines;     /* entry lines in the file, well-formed or not */
    sk_map *fresh;      /* key -> malloc'd "content" of this run */
    int rebuild;        /* the file was damaged: rewritten whatever this run finds */
    pthread_mutex_t mu;
};

/* Why an entry line [p, e) is not one this file writes, or NULL: KEY (fsid:ino:size:
 * mtime:ctime), a tab, a JSON object with no control bytes (our writer escapes them). */
static const char *bad_entry(const char *p, const char *e)
{
    const char *tab = memchr(p, '\t', (size_t)(e - p));
    if (!tab) return "no tab between key and content";
    size_t colons = 0;
    for (const char *q = p; q < tab; q++) colons += *q == ':';
    if (colons < 4) return "the key is not FS:INODE:SIZE:MTIME:CTIME";
    if (e - tab < 3 || tab[1] != '{' || e[-1] != '}') return "the content is not a JSON object";
    for (const char *q = tab + 1; q < e; q++)
        if ((unsigned char)*q < 0x20) return "a control byte in the content";
    return NULL;
}

/* Index the entry lines in [p, end) (at most `lines`); keys and contents stay in place.
 * Returns 0, or -1 at the first line that is not well formed (described in why). */
static int index_entries(collect_cache *c, char *p, char *end, size_t lines, char *why, size_t whyn)
{
    const char *start = c->old_text;
    size_t line = 2;
    while (p < end && c->n_entries < lines) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) break;
        const char *bad = bad_entry(p, e);
        if (bad) {
            snprintf(why, whyn, "line %zu (byte %zu): %s", line, (size_t)(p - start), bad);
            return -1;
        }
        char *tab = memchr(p, '\t', (size_t)(e - p));
        *e = '\0';
        size_t kl = (size_t)(tab - p);
        uint64_t h = sk_siphash13(c->seed, p, kl);
        size_t i = h & c->mask;
        for (; c->table[i]; i = (i + 1) & c->mask) {
            old_entry *o = &c->entries[c->table[i] - 1];
            if (o->hash == h && o->klen == kl && !memcmp(o->key, p, kl)) break;
        }
        if (!c->table[i]) { /* a repeated key: the first stays */
            old_entry *oe = &c->entries[c->n_entries++];
            *oe = (old_entry){p, kl, tab + 1, (size_t)(e - tab - 1), h, 0};
            c->table[i] = (uint32_t)c->n_entries;
        }
        p = e + 1;
        line++;
    }
    if (p < end) {
        snprintf(why, whyn, "line %zu (byte %zu): cut short (no newline at the end of the file)", line, (size_t)(p - start));
        return -1;
    }
    return 0;
}

int cache_open(collect_cache **out, const char *path, unsigned digests, const char *rules_id,
               void (*warn)(void *ctx, const char *msg), void *warn_ctx)
{
    *out = NULL;
    collect_cache *c = calloc(1, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->path = strdup(path);
    snprintf(c->header, sizeof c->header, "sakimori-collect-cache/1 %u %s", digests, rules_id && *rules_id ? rules_id : "-");
    int rc = !c->path ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
    if (getrandom(c->seed, sizeof c->seed, GRND_NONBLOCK) != (ssize_t)sizeof c->seed) {
        uintptr_t a = (uintptr_t)c ^ (uintptr_t)&c;
        memcpy(c->seed, &a, sizeof a);
    }
    if (!rc) rc = sk_map_new(&c->fresh, 0);
    size_t len = 0;
    if (!rc && access(path, F_OK) == 0) {
        rc = sk_file_read_all(path, CACHE_MAX, &c->old_text, &len);
        if (rc) { /* the message names the file already */
            char msg[600];
            snprintf(msg, sizeof msg, "%s", sk_error_last());
            rc = sk_error_set(rc, "--cache %s", msg);
        } else {
            char *p = c->old_text, *end = p + len;
            char *nl = memchr(p, '\n', len);
            static const char magic[] = "sakimori-collect-cache/1 ";
            char why[200] = "";
            if (len && (!nl || (size_t)(nl - p) < sizeof magic - 1 || memcmp(p, magic, sizeof magic - 1)))
                snprintf(why, sizeof why, "line 1 (byte 0): not a sakimori collect cache");
            /* other digests or other rules: start afresh, silently (the options changed) */
            if (nl && (size_t)(nl - p) == strlen(c->header) && !memcmp(p, c->header, (size_t)(nl - p))) {
                size_t lines = 0;
                for (char *q = nl + 1; q < end && (q = memchr(q, '\n', (size_t)(end - q))); q++) lines++;
                c->n_lines = end[-1] == '\n' ? lines : lines + 1; /* a torn last line: rewrite */
                size_t cap = 16;
                while (cap < 2 * lines && cap < ((size_t)1 << 31)) cap <<= 1;
                c->entries = calloc(lines ? lines : 1, sizeof *c->entries);
                c->table = calloc(cap, sizeof *c->table);
                c->mask = cap - 1;
                if (!c->entries || !c->table || lines >= UINT32_MAX) rc = sk_error_set(SK_ENOMEM, "out of memory");
                if (!rc && index_entries(c, nl + 1, end, lines, why, sizeof why)) {
                    /* damaged: none of it is trusted (a digest from it would go into the
                     * snapshot unread); every file is read again and the cache rewritten */
                    memset(c->table, 0, cap * sizeof *c->table);
                    c->n_entries = 0;
                }
            }
            if (why[0]) {
                c->rebuild = 1;
                if (warn) {
                    char msg[700];
                    snprintf(msg, sizeof msg, "--cache %s: %s: ignored, rebuilt from this run", path, why);
                    warn(warn_ctx, msg);
                }
            }
        }
    }
    if (rc) {
        cache_close(c, 0);
        return rc;
    }
    *out = c;
    return 0;
}

size_t cache_make_key(char out[CACHE_KEY_MAX], const char *fsid, const os_stat *st)
{
    size_t fl = strnlen(fsid, CACHE_KEY_MAX - 5 * 24);
    char *p = out;
    memcpy(p, fsid, fl);
    p += fl;
    *p++ = ':';
    p = sk_dec_u64(p, st->ino);
    *p++ = ':';
    p = sk_dec_u64(p, st->size);
    *p++ = ':';
    if (st->mtime < 0) *p++ = '-';
    p = sk_dec_u64(p, st->mtime < 0 ? (uint64_t)-(st->mtime + 1) + 1 : (uint64_t)st->mtime);
    *p++ = ':';
    if (st->ctime < 0) *p++ = '-';
    p = sk_dec_u64(p, st->ctime < 0 ? (uint64_t)-(st->ctime + 1) + 1 : (uint64_t)st->ctime);
    *p = '\0';
    return (size_t)(p - out);
}

const char *cache_get(collect_cache *c, const char *key, size_t klen, size_t *n)
{
    if (!c->table) return NULL;
    uint64_t h = sk_siphash13(c->seed, key, klen);
    for (size_t i = h & c->mask; c->table[i]; i = (i + 1) & c->mask) {
        old_entry *e = &c->entries[c->table[i] - 1];
        if (e->hash != h || e->klen != klen || memcmp(e->key, key, klen)) continue;
        e->seen = 1; /* kept by the next save (each key is one file: one thread sets it) */
        *n = e->clen;
        return e->content;
    }
    return NULL;
}

void cache_get_many(collect_cache *c, size_t k, const char *const *keys, const size_t *klens, const char **out, size_t *outn)
{
    uint64_t h[64];
    while (k) {
        size_t m = k < 64 ? k : 64;
        /* each probe's memory is fetched ahead: a rescan's lookups all miss the CPU's cache */
        if (c->table) {
            for (size_t i = 0; i < m; i++) {
                h[i] = sk_siphash13(c->seed, keys[i], klens[i]);
                __builtin_prefetch(&c->table[h[i] & c->mask]);
            }
            for (size_t i = 0; i < m; i++) {
                uint32_t t = c->table[h[i] & c->mask];
                if (t) __builtin_prefetch(&c->entries[t - 1]);
            }
            for (size_t i = 0; i < m; i++) {
                uint32_t t = c->table[h[i] & c->mask];
                if (t) __builtin_prefetch(c->entries[t - 1].key);
            }
        }
        for (size_t i = 0; i < m; i++) out[i] = cache_get(c, keys[i], klens[i], &outn[i]);
        keys += m, klens += m, out += m, outn += m, k -= m;
    }
}

void cache_put(collect_cache *c, const char *key, const char *content, size_t n)
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

int cache_close(collect_cache *c, int save)
{
    if (!c) return 0;
    int rc = 0;
    /* nothing new and every entry seen again: the file on disk is already this run's */
    if (save && c->fresh && c->old_text && !c->rebuild && sk_map_count(c->fresh) == 0) {
        size_t seen = 0;
        for (size_t i = 0; i < c->n_entries; i++) seen += c->entries[i].seen != 0;
        if (seen == c->n_entries && c->n_entries == c->n_lines) save = 0;
    }
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
    free(c->table);
    free(c->entries);
    free(c->old_text);
    free(c->path);
    pthread_mutex_destroy(&c->mu);
    free(c);
    return rc;
}
