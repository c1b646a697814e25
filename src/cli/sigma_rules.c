/*
 * sigma_rules.c - the CLI's side of loading Sigma rules: rule files and folders walked
 * (*.yml and *.yaml, sorted, symbolic links inside folders not followed), each file read
 * as evidence is read and handed to the engine's loader with its path; the mapping and
 * placeholder files read the same way. The engine itself never opens a file.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sakimori/sakimori.h>

#include "cli.h"
#include "sigma_cli.h"

static int is_rule_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && !strcmp(n + l - 4, ".yml")) || (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(sk_sigma_loader *l, const char *path, size_t *files, const char *cmd)
{
    char *data = NULL;
    size_t len = 0;
    int rc = sk_file_read_all(path, (size_t)64 << 20, &data, &len);
    if (rc) {
        sk_cli_error(cmd, "%s", sk_error_last());
        return SK_EXIT_INPUT;
    }
    rc = sk_sigma_loader_add(l, path, data, len, NULL);
    free(data);
    (*files)++;
    if (rc) {
        sk_cli_error(cmd, "%s", sk_error_last());
        return SK_EXIT_INTERNAL;
    }
    return 0;
}

static int walk(sk_sigma_loader *l, const char *dir, int depth, size_t *files, const char *cmd)
{
    if (depth > 32) {
        sk_cli_error(cmd, "%s: folders nested deeper than 32 levels: not searched", dir);
        return SK_EXIT_INPUT;
    }
    DIR *d = opendir(dir);
    if (!d) {
        sk_cli_error(cmd, "%s: cannot open the folder", dir);
        return SK_EXIT_INPUT;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int ex = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { ex = SK_EXIT_INTERNAL; break; }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) { ex = SK_EXIT_INTERNAL; break; }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (ex != SK_EXIT_INTERNAL) {
            char *p = NULL;
            if (asprintf(&p, "%s/%s", dir, names[i]) < 0) { ex = SK_EXIT_INTERNAL; free(names[i]); continue; }
            struct stat st;
            if (lstat(p, &st) == 0) {
                if (S_ISDIR(st.st_mode)) ex = sk_exit_merge(ex, walk(l, p, depth + 1, files, cmd));
                else if (S_ISREG(st.st_mode) && is_rule_name(names[i])) ex = sk_exit_merge(ex, add_file(l, p, files, cmd));
            }
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return ex;
}

int sigma_cli_load(const sigma_cli_opts *o, const char *cmd, sk_sigma_set **out, size_t *files)
{
    *out = NULL;
    *files = 0;
    sk_sigma_options so = {.readers = o->readers};
    char *map = NULL, *ph = NULL;
    size_t map_len = 0, ph_len = 0;
    int ex = 0;
    if (o->mapping) {
        if (sk_file_read_all(o->mapping, (size_t)16 << 20, &map, &map_len)) {
            sk_cli_error(cmd, "--mapping: %s", sk_error_last());
            return SK_EXIT_USAGE;
        }
        so.mapping = map, so.mapping_len = map_len, so.mapping_name = o->mapping;
    }
    if (o->placeholders) {
        if (sk_file_read_all(o->placeholders, (size_t)16 << 20, &ph, &ph_len)) {
            sk_cli_error(cmd, "--placeholders: %s", sk_error_last());
            free(map);
            return SK_EXIT_USAGE;
        }
        so.placeholders = ph, so.placeholders_len = ph_len, so.placeholders_name = o->placeholders;
    }
    sk_sigma_loader *l = NULL;
    if (sk_sigma_loader_new(&l, &so)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        free(map);
        free(ph);
        return SK_EXIT_USAGE;
    }
    for (size_t i = 0; i < o->n_rules && ex != SK_EXIT_INTERNAL; i++) {
        struct stat st;
        if (stat(o->rules[i], &st)) {
            sk_cli_error(cmd, "%s: no such rule file or folder", o->rules[i]);
            ex = sk_exit_merge(ex, SK_EXIT_USAGE);
            continue;
        }
        if (S_ISDIR(st.st_mode)) ex = sk_exit_merge(ex, walk(l, o->rules[i], 0, files, cmd));
        else ex = sk_exit_merge(ex, add_file(l, o->rules[i], files, cmd));
    }
    free(map);
    free(ph);
    if (!*files && ex == 0) { /* a folder without a single rule file is a mistake, not "nothing found" */
        sk_cli_error(cmd, "no rule file (*.yml, *.yaml) in the rules given");
        ex = SK_EXIT_USAGE;
    }
    if (ex == SK_EXIT_INTERNAL || ex == SK_EXIT_USAGE) {
        sk_sigma_loader_free(l);
        return ex;
    }
    if (sk_sigma_loader_finish(l, out)) {
        sk_cli_error(cmd, "%s", sk_error_last());
        return SK_EXIT_INTERNAL;
    }
    return ex;
}

void sigma_cli_totals(const sk_sigma_set *s, FILE *out, const char *prefix)
{
    size_t by[6] = {0}, kinds[4] = {0};
    for (size_t i = 0; i < sk_sigma_set_count(s); i++) {
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(s, i, &ri);
        if (ri.support >= 1 && ri.support <= 5) by[ri.support]++;
        if (ri.kind >= 0 && ri.kind <= 3) kinds[ri.kind]++;
    }
    fprintf(out, "%s%zu rules (%zu detections, %zu correlations, %zu filters): %zu run, %zu run partly (fields not supplied), "
                 "%zu are for logs another command reads, %zu have no mapped log source, %zu refused\n",
            prefix, sk_sigma_set_count(s), kinds[1], kinds[2], kinds[3], by[SK_SIGMA_RUNS], by[SK_SIGMA_RUNS_PARTLY],
            by[SK_SIGMA_NO_READER], by[SK_SIGMA_NO_SOURCE], by[SK_SIGMA_REFUSED] + kinds[0] * 0);
}

/* the ATT&CK technique ids of a rule's tags (attack.t1059.001 -> T1059.001), at most 16 */
void sigma_cli_attack(const sk_sigma_rule_info *ri, char ids[][16], const char **ptrs, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < ri->n_tags && *n < 16; i++) {
        const char *t = ri->tags[i];
        if (strncasecmp(t, "attack.t", 8)) continue;
        const char *d = t + 8;
        size_t l = strlen(d);
        int ok = l == 4 || (l == 8 && d[4] == '.');
        for (size_t k = 0; ok && k < l; k++) ok = k == 4 ? d[k] == '.' : (d[k] >= '0' && d[k] <= '9');
        if (!ok) continue;
        snprintf(ids[*n], 16, "T%s", d);
        ptrs[*n] = ids[*n];
        (*n)++;
    }
}

void sigma_cli_rule_attrs(sk_jw *w, const sk_sigma_rule_info *ri)
{
    if (ri->level >= 0) sk_jw_kv_string(w, "level", sk_sigma_level_name(ri->level));
    if (ri->status) sk_jw_kv_string(w, "status", ri->status);
    if (ri->n_tags) {
        sk_jw_key(w, "tags");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < ri->n_tags; i++) sk_jw_string(w, ri->tags[i]);
        sk_jw_array_end(w);
    }
}
