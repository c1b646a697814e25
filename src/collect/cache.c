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
 *
 * A stored content goes into the snapshot as it is, so it is trusted only once parsed:
 * the lines are checked for their shape when the file is opened, and each content is
 * parsed as JSON the first time its key is looked up (a rescan touches each entry once;
 * ~300 bytes each, cheap beside the stat that found the key). It must be one object
 * holding only the members this collector writes, with the digests of the header as
 * lowercase hex of their length; anything else is damage: one warning, the entry not
 * used (the file is read again) and the cache rewritten at the end of the run.
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
#include <sakimori/digest.h>
#include <sakimori/json.h>
#include <sakimori/map.h>

#include "collect_int.h"

#define CACHE_MAX ((size_t)2 << 30)

typedef struct old_entry {
    const char *key;
    size_t klen;
    const char *content; /* NUL-terminated, inside old_text */
    size_t clen;
    uint64_t hash;
    uint32_t line;       /* in the file, for a warning */
    uint8_t seen;        /* found again in this run: kept */
    uint8_t checked;     /* 0 not yet parsed, 1 a content this collector writes, 2 damaged */
} old_entry;

struct collect_cache {
    char *path;
    char header[256];
    char *old_text;     /* the file read at open; old entries point into it */
    uint32_t *table;    /* open addressing: 1 + index into entries, 0 empty; keys stay in old_text */
    size_t mask;
    uint8_t seed[16];
    struct old_entry *entries;
    size_t n_entries;
    size_t n_lines;     /* entry lines in the file, well-formed or not */
    sk_map *fresh;      /* key -> malloc'd "content" of this run */
    int rebuild;        /* the file was damaged: rewritten whatever this run finds */
    unsigned digests;   /* SK_DIGEST_* every content holds */
    int have_rules;     /* every content holds "yara" */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    int warned;         /* a damaged content was reported (under mu) */
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

/* s[0, n) is lowercase hex of exactly `want` characters. */
static int is_hex(const char *s, size_t n, size_t want)
{
    static const char ok[256] = {['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
                                 ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};
    if (n != want) return 0;
    unsigned all = 1; /* no early exit: a digest is almost always good, and branchless is faster */
    for (size_t i = 0; i < n; i++) all &= (unsigned)ok[(unsigned char)s[i]];
    return (int)all;
}

/* Why a stored content is not one this collector writes (sk_snapshot_content_write
 * with the header's digests and rules), or NULL. `why` holds the parser's message. */
static const char *bad_content(const collect_cache *c, const char *p, size_t n, char *why, size_t whyn)
{
    static const char *const strings[] = {"OriginalFilename", "InternalName", "FileDescription", "ProductName",
                                          "CompanyName", "FileVersion", NULL};
    static const char *const objects[] = {"pe", "elf", "signature", NULL};
    static const char *const kinds[] = {"pe", "elf", "macho", "script", "document", "other", NULL};
    static const struct { const char *key; unsigned bit; size_t hex; } digests[] = {
        {"md5", SK_DIGEST_MD5, 32}, {"sha1", SK_DIGEST_SHA1, 40}, {"sha256", SK_DIGEST_SHA256, 64}};
    sk_json_doc *doc = NULL;
    sk_json_limits lim = {.max_bytes = (size_t)1 << 24, .max_depth = 32};
    if (sk_json_parse(&doc, p, n, "the content", &lim)) {
        snprintf(why, whyn, "not JSON: %s", sk_error_last());
        return why;
    }
    const char *bad = NULL;
    const sk_json_value *o = sk_json_doc_root(doc);
    if (sk_json_type_of(o) != SK_JSON_OBJECT) bad = "not a JSON object";
    else if (sk_json_object_has_duplicates(o)) bad = "a member appears twice";
    size_t len;
    const char *kind = bad ? NULL : sk_json_string(sk_json_object_get(o, "kind"), &len);
    if (!bad && !kind) bad = "no kind";
    for (size_t k = 0; !bad && kinds[k]; k++)
        if (strlen(kinds[k]) == len && !memcmp(kinds[k], kind, len)) break;
        else if (!kinds[k + 1]) bad = "an unknown kind";
    for (size_t k = 0; !bad && k < 3; k++) {
        const sk_json_value *v = sk_json_object_get(o, digests[k].key);
        const char *hex = sk_json_string(v, &len);
        if (!(c->digests & digests[k].bit) != !v) bad = "not the digests of this cache's header";
        else if (v && (!hex || !is_hex(hex, len, digests[k].hex))) bad = "a digest that is not lowercase hex of its length";
    }
    const sk_json_value *y = bad ? NULL : sk_json_object_get(o, "yara");
    if (!bad && !c->have_rules != !y) bad = "YARA matches where the header has no rules, or none where it has";
    for (size_t i = 0; !bad && y && i < (sk_json_type_of(y) == SK_JSON_ARRAY ? sk_json_length(y) : 1); i++)
        if (sk_json_type_of(y) != SK_JSON_ARRAY || sk_json_type_of(sk_json_array_at(y, i)) != SK_JSON_STRING)
            bad = "yara is not an array of rule names";
    /* every member is one the writer makes, of its type: nothing else reaches the line */
    for (size_t i = 0, m = bad ? 0 : sk_json_length(o); i < m && !bad; i++) {
        size_t kl;
        const char *key = sk_json_object_key_at(o, i, &kl);
        sk_json_type t = sk_json_type_of(sk_json_object_value_at(o, i));
        int known = 0;
        if ((kl == 4 && !memcmp(key, "kind", 4)) || (kl == 4 && !memcmp(key, "yara", 4))) known = 1;
        for (size_t k = 0; !known && k < 3; k++) known = strlen(digests[k].key) == kl && !memcmp(key, digests[k].key, kl);
        for (size_t k = 0; !known && strings[k]; k++)
            if (strlen(strings[k]) == kl && !memcmp(key, strings[k], kl)) {
                known = 1;
                if (t != SK_JSON_STRING) bad = "a version string that is not a string";
            }
        for (size_t k = 0; !known && objects[k]; k++)
            if (strlen(objects[k]) == kl && !memcmp(key, objects[k], kl)) {
                known = 1;
                if (t != SK_JSON_OBJECT) bad = "pe, elf or signature is not an object";
            }
        if (!known) bad = "a member this collector does not write";
    }
    sk_json_doc_free(doc);
    return bad;
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
            *oe = (old_entry){p, kl, tab + 1, (size_t)(e - tab - 1), h, line > UINT32_MAX ? UINT32_MAX : (uint32_t)line, 0, 0};
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

int cache_open(collect_cache **out, const char *path, unsigned digests, const char *rules_id, const char *catalogs_id,
               void (*warn)(void *ctx, const char *msg), void *warn_ctx)
{
    *out = NULL;
    collect_cache *c = calloc(1, sizeof *c);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->path = strdup(path);
    c->digests = digests;
    c->have_rules = rules_id && *rules_id;
    c->warn = warn;
    c->warn_ctx = warn_ctx;
    /* the catalogues' identity only when some were read, so that other caches keep their header */
    snprintf(c->header, sizeof c->header, "sakimori-collect-cache/1 %u %s%s%s", digests, rules_id && *rules_id ? rules_id : "-",
             catalogs_id ? " catalogs:" : "", catalogs_id ? catalogs_id : "");
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
        if (!e->checked) { /* parsed on its first look-up (each key is one file: one thread) */
            char why[300];
            const char *bad = bad_content(c, e->content, e->clen, why, sizeof why);
            e->checked = bad ? 2 : 1;
            if (bad) {
                pthread_mutex_lock(&c->mu);
                c->rebuild = 1;
                int first = !c->warned;
                c->warned = 1;
                pthread_mutex_unlock(&c->mu);
                if (first && c->warn) {
                    char msg[900];
                    snprintf(msg, sizeof msg, "--cache %s: line %u (byte %zu): the entry's content is damaged (%s): "
                             "not used, the file is read again and the cache rebuilt from this run",
                             c->path, (unsigned)e->line, (size_t)(e->key - c->old_text), bad);
                    c->warn(c->warn_ctx, msg);
                }
            }
        }
        if (e->checked != 1) return NULL;
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
