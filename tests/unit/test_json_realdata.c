/*
 * The JSON reader on real-world JSON: the .json files beside the SigmaHQ regression
 * EVTX files (../shared/data/sigma/regression_data) are another parser's rendering of
 * those events, some holding several events back to back. Every event must parse,
 * hold Event.System with an integer EventID, and serialise back to a fixpoint.
 */
#include <dirent.h>

#include <sakimori/json.h>

#include "sk_test.h"

static int files, files_ok, events, with_eventid, fixpoints;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sk_buf b;
    sk_buf_init(&b, 64 << 20);
    char tmp[65536];
    size_t r;
    while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (sk_buf_append(&b, tmp, r)) break;
    fclose(f);
    return sk_buf_detach(&b, len);
}

static void check_event(const sk_json_doc *d)
{
    events++;
    const sk_json_value *sys = sk_json_object_get(sk_json_object_get(sk_json_doc_root(d), "Event"), "System");
    int64_t id;
    if (sk_json_int64(sk_json_object_get(sys, "EventID"), &id) == 0 && id >= 0 && id <= 65535)
        with_eventid++;
    sk_buf a, b;
    sk_buf_init(&a, 0);
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_jw_init(&w, &a);
    sk_jw_value(&w, sk_json_doc_root(d));
    sk_json_doc *d2;
    if (sk_json_parse(&d2, a.data, a.len, "re", NULL) == 0) {
        sk_jw_init(&w, &b);
        sk_jw_value(&w, sk_json_doc_root(d2));
        if (a.len == b.len && memcmp(a.data, b.data, a.len) == 0) fixpoints++;
        sk_json_doc_free(d2);
    }
    sk_buf_free(&a);
    sk_buf_free(&b);
}

/* A file holds one or more pretty-printed events back to back. */
static void check_file(const char *path)
{
    size_t len, off = 0, used;
    char *data = slurp(path, &len);
    if (!data) return;
    files++;
    sk_json_pos pos = {0, 1};
    int rc, n = 0;
    sk_json_doc *d;
    while ((rc = sk_json_parse_next(&d, data + off, len - off, path, NULL, &pos, &used)) == 0) {
        check_event(d);
        sk_json_doc_free(d);
        off += used;
        n++;
    }
    if (rc == SK_ENOTFOUND && off == len && n > 0)
        files_ok++;
    else
        fprintf(stderr, "  %s\n", rc == SK_ENOTFOUND ? "empty file" : sk_error_last());
    free(data);
}

static void walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st)) continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            walk(p);
        else if (S_ISREG(st.st_mode) && n > 5 && !strcmp(e->d_name + n - 5, ".json"))
            check_file(p);
    }
    closedir(d);
}

static void regression_json_files(void)
{
    const char *dir = sk_test_shared_data("sigma/regression_data");
    walk(dir);
    printf("  %d files, %d read to the end, %d events, %d with EventID, %d fixpoints\n", files,
           files_ok, events, with_eventid, fixpoints);
    CHECK(files >= 100); /* the data README promises a subset of upstream's 203 cases */
    CHECK_INT(files_ok, files);
    CHECK(events > files); /* some files hold several events */
    CHECK_INT(with_eventid, events);
    CHECK_INT(fixpoints, events);
}

SK_TEST_MAIN(T(regression_json_files))
