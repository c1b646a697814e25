/*
 * yara.c - YARA rules in the collector (collect_int.h): compiled once with libyara,
 * scanned from every worker thread (libyara allows concurrent scans of one compiled
 * rule set), with a per-file timeout so a pathological rule cannot stall the walk.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <yara.h>

#include <sakimori/digest.h>
#include <sakimori/file.h>

#include "collect_int.h"

#define SCAN_TIMEOUT_S 30

struct collect_yara {
    YR_RULES *rules;
    char id[65];
};

typedef struct compile_err {
    char msg[512];
    int set;
} compile_err;

static void on_compile(int level, const char *file, int line, const YR_RULE *rule, const char *message, void *ud)
{
    (void)rule;
    compile_err *e = ud;
    if (level != YARA_ERROR_LEVEL_ERROR || e->set) return;
    snprintf(e->msg, sizeof e->msg, "%s:%d: %s", file ? file : "(rules)", line, message);
    e->set = 1;
}

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static int init_count;

int yara_load(collect_yara **out, const char *path)
{
    *out = NULL;
    char *text;
    size_t len;
    int rc = sk_file_read_all(path, (size_t)64 << 20, &text, &len);
    if (rc) return rc;
    uint8_t d[32];
    sk_sha256(text, len, d);
    pthread_mutex_lock(&init_mu);
    if (init_count++ == 0 && yr_initialize() != ERROR_SUCCESS) {
        init_count--;
        pthread_mutex_unlock(&init_mu);
        free(text);
        return sk_error_set(SK_EINTERNAL, "libyara does not initialise");
    }
    pthread_mutex_unlock(&init_mu);
    YR_COMPILER *comp = NULL;
    compile_err e = {{0}, 0};
    if (yr_compiler_create(&comp) != ERROR_SUCCESS) {
        free(text);
        pthread_mutex_lock(&init_mu);
        if (--init_count == 0) yr_finalize();
        pthread_mutex_unlock(&init_mu);
        return sk_error_set(SK_ENOMEM, "libyara: out of memory");
    }
    yr_compiler_set_callback(comp, on_compile, &e);
    /* rules from memory: the file is read once, its digest is the rules' identity */
    int errors = yr_compiler_add_string(comp, text, NULL);
    free(text);
    if (errors) {
        yr_compiler_destroy(comp);
        pthread_mutex_lock(&init_mu);
        if (--init_count == 0) yr_finalize();
        pthread_mutex_unlock(&init_mu);
        /* libyara names no file for rules from memory: put ours in front of the line */
        const char *m = e.msg;
        if (!strncmp(m, "(rules):", 8)) m += 8;
        return sk_error_set(SK_EFORMAT, "%s:%s", path, m);
    }
    collect_yara *y = calloc(1, sizeof *y);
    if (!y || yr_compiler_get_rules(comp, &y->rules) != ERROR_SUCCESS) {
        free(y);
        yr_compiler_destroy(comp);
        return sk_error_set(SK_ENOMEM, "libyara: out of memory");
    }
    yr_compiler_destroy(comp);
    sk_hex(y->id, d, 32);
    *out = y;
    return 0;
}

typedef struct scan_ud {
    sk_arena *a;
    strlist *out;
    size_t cap;
} scan_ud;

static int on_scan(YR_SCAN_CONTEXT *ctx, int message, void *data, void *ud)
{
    (void)ctx;
    if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
    scan_ud *u = ud;
    const YR_RULE *rule = data;
    if (u->out->n == u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 8;
        const char **nv = sk_arena_alloc(u->a, nc * sizeof *nv);
        if (!nv) return CALLBACK_ABORT;
        if (u->out->n) memcpy(nv, u->out->v, u->out->n * sizeof *nv);
        u->out->v = nv;
        u->cap = nc;
    }
    const char *name = sk_arena_strndup(u->a, rule->identifier, strlen(rule->identifier));
    if (!name) return CALLBACK_ABORT;
    u->out->v[u->out->n++] = name;
    return CALLBACK_CONTINUE;
}

int yara_scan(collect_yara *y, int fd, const uint8_t *buf, size_t len, sk_arena *a, strlist *out, char *err, size_t errn)
{
    out->v = NULL;
    out->n = 0;
    scan_ud u = {a, out, 0};
    int r = buf ? yr_rules_scan_mem(y->rules, buf, len, SCAN_FLAGS_FAST_MODE, on_scan, &u, SCAN_TIMEOUT_S)
                : yr_rules_scan_fd(y->rules, fd, SCAN_FLAGS_FAST_MODE, on_scan, &u, SCAN_TIMEOUT_S);
    if (r == ERROR_SUCCESS) return 0;
    if (r == ERROR_SCAN_TIMEOUT)
        snprintf(err, errn, "scan timed out after %d s", SCAN_TIMEOUT_S);
    else if (r == ERROR_INSUFFICIENT_MEMORY)
        snprintf(err, errn, "scan ran out of memory");
    else if (r == ERROR_TOO_MANY_SCAN_THREADS)
        snprintf(err, errn, "more than %d scanning threads", YR_MAX_THREADS);
    else
        snprintf(err, errn, "scan failed (libyara error %d)", r);
    return -1;
}

const char *yara_rules_id(const collect_yara *y)
{
    return y ? y->id : "";
}

void yara_free(collect_yara *y)
{
    if (!y) return;
    if (y->rules) yr_rules_destroy(y->rules);
    free(y);
    pthread_mutex_lock(&init_mu);
    if (init_count > 0 && --init_count == 0) yr_finalize();
    pthread_mutex_unlock(&init_mu);
}
