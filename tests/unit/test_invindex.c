/* Unit tests: the content index in the case store - a listing's entries written as
 * records and read back exactly (ops, contents, names, front-coded folders across
 * runs of the same folder and back), numbers kept across writers (a second ingest
 * reuses them), a listing without records found as missing, superseded listings not
 * read, and record bytes that do not decode refused with their offset. */
#include <stdlib.h>
#include <unistd.h>

#include <sakimori/casedb.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/invindex.h>

#include "sk_test.h"

static char dir[256];

static sk_inv_entry entry(const char *path, const char *content, sk_listing_op op)
{
    sk_inv_entry e;
    memset(&e, 0, sizeof e);
    e.op = op;
    e.path = path;
    e.path_len = strlen(path);
    if (content) sk_sha256(content, strlen(content), e.sha256), e.have_sha256 = 1;
    return e;
}

typedef struct seen {
    char paths[16][128];
    uint32_t contents[16];
    int ops[16];
    int n, windows;
    uint64_t records;
    char names[16][64]; /* number -> name */
    uint8_t shas[16][32];
    int n_listings;
    const char *want_path;
} seen;

static int on_name(void *ctx, uint32_t id, const char *s, size_t n)
{
    seen *x = ctx;
    if (id < 16) snprintf(x->names[id], sizeof x->names[0], "%.*s", (int)n, s);
    return 0;
}

static int on_content(void *ctx, uint32_t id, const uint8_t sha[32])
{
    seen *x = ctx;
    if (id < 16) memcpy(x->shas[id], sha, 32);
    return 0;
}

static int on_listing(void *ctx, const sk_invindex_listing *l)
{
    seen *x = ctx;
    x->n_listings++;
    if (strcmp(l->path, x->want_path)) return 0;
    x->windows = l->windows;
    x->records = l->records;
    sk_invindex_cursor c;
    sk_invindex_cursor_init(&c, l->recs, l->recs_len);
    sk_invindex_rec r;
    int k;
    while ((k = sk_invindex_next(&c, &r)) == 1 && x->n < 16) {
        snprintf(x->paths[x->n], sizeof x->paths[0], "%.*s%s", (int)r.dir_len, r.dir, r.name < 16 ? x->names[r.name] : "?");
        x->contents[x->n] = r.content;
        x->ops[x->n++] = (int)r.op;
    }
    sk_invindex_cursor_free(&c);
    return k < 0 ? k : 0;
}

static void put_listing(sk_casedb *db, const char *path, const char *collected)
{
    sk_stamp st;
    sk_time_parse_iso8601(collected, strlen(collected), NULL, &st);
    sk_casedb_listing l = {.kind = "listing", .path = path, .sha256 = "00", .mode = "full", .collected = st.utc, .complete = 1};
    CHECK_INT(sk_casedb_listing_put(db, &l, NULL), 0);
}

static void round_trip(void)
{
    sk_t_current = "round_trip";
    sk_casedb *db = NULL;
    CHECK_INT(sk_casedb_open(&db, dir, 1), 0);
    if (!db) return;
    CHECK_INT(sk_casedb_begin(db), 0);
    put_listing(db, "snapshots/listings/a.jsonl", "2019-07-01T00:00:00Z");
    sk_invindex *x = NULL;
    CHECK_INT(sk_invindex_new(&x, db), 0);
    if (!x) return;
    CHECK_INT(sk_invindex_missing(x, "snapshots/listings/a.jsonl"), 1);
    CHECK_INT(sk_invindex_missing(x, "snapshots/listings/none.jsonl"), 0);
    sk_invindex_begin(x);
    sk_inv_entry es[] = {
        entry("C:\\Windows\\System32\\cmd.exe", "cmd", SK_OP_ADD),
        entry("C:\\Windows\\System32\\calc.exe", "calc", SK_OP_CHANGE),
        entry("C:\\Windows\\System32\\drivers\\x.sys", "x", SK_OP_ADD),
        entry("C:\\Windows\\notepad.exe", NULL, SK_OP_REMOVE),
        entry("C:\\Users\\u\\cmd.exe", "cmd", SK_OP_ADD),
        entry("top.exe", "top", SK_OP_NONE),
        entry("/usr/bin/", NULL, SK_OP_NONE),
    };
    for (size_t i = 0; i < 7; i++) CHECK_INT(sk_invindex_add(x, &es[i]), 0);
    CHECK_INT(sk_invindex_put(x, "snapshots/listings/a.jsonl", 1), 0);
    CHECK_INT(sk_invindex_missing(x, "snapshots/listings/a.jsonl"), 0);
    sk_invindex_free(x);
    CHECK_INT(sk_casedb_commit(db), 0);

    seen s;
    memset(&s, 0, sizeof s);
    s.want_path = "snapshots/listings/a.jsonl";
    CHECK_INT(sk_invindex_names(db, on_name, &s), 0);
    CHECK_INT(sk_invindex_contents(db, on_content, &s), 0);
    CHECK_INT(sk_invindex_listings(db, on_listing, &s), 0);
    CHECK_INT(s.n, 7);
    CHECK_INT((int)s.records, 7);
    CHECK_INT(s.windows, 1);
    for (int i = 0; i < 7 && i < s.n; i++) {
        CHECK_STR(s.paths[i], es[i].path);
        CHECK_INT(s.ops[i], (int)es[i].op);
        CHECK_INT(s.contents[i] != 0, es[i].have_sha256);
        if (s.contents[i] && s.contents[i] < 16) CHECK(!memcmp(s.shas[s.contents[i]], es[i].sha256, 32));
    }
    CHECK_INT((int)s.contents[0], (int)s.contents[4]); /* one content, one number */
    CHECK_STR(s.names[1], "cmd.exe");

    /* a second writer (a later ingest) keeps the numbers; a newer listing of the same
     * host supersedes the first, which is then not read */
    CHECK_INT(sk_casedb_begin(db), 0);
    put_listing(db, "snapshots/listings/b.jsonl", "2019-07-02T00:00:00Z");
    CHECK_INT(sk_invindex_new(&x, db), 0);
    sk_invindex_begin(x);
    sk_inv_entry e2 = entry("D:\\cmd.exe", "cmd", SK_OP_NONE), e3 = entry("D:\\new.exe", "new", SK_OP_NONE);
    CHECK_INT(sk_invindex_add(x, &e2), 0);
    CHECK_INT(sk_invindex_add(x, &e3), 0);
    CHECK_INT(sk_invindex_put(x, "snapshots/listings/b.jsonl", 0), 0);
    sk_invindex_free(x);
    CHECK_INT(sk_casedb_commit(db), 0);
    seen t;
    memset(&t, 0, sizeof t);
    t.want_path = "snapshots/listings/b.jsonl";
    CHECK_INT(sk_invindex_names(db, on_name, &t), 0);
    CHECK_INT(sk_invindex_listings(db, on_listing, &t), 0);
    CHECK_INT(t.n, 2);
    CHECK_INT(t.windows, 0);
    CHECK_INT((int)t.contents[0], (int)s.contents[0]);
    CHECK(t.contents[1] > s.contents[5]); /* a new content: a new number */
    CHECK_STR(t.paths[0], "D:\\cmd.exe");
    CHECK_INT(t.n_listings, 2); /* both are current: no host ties them */
    sk_casedb_close(db);
}

static void bad_records(void)
{
    sk_t_current = "bad_records";
    static const struct {
        const char *bytes;
        size_t n;
        int ok;
        const char *err;
    } cases[] = {
        {"\x04\x01\x01\x00\x03" "C:\\", 8, 1, NULL},
        {"\x08\x01\x00\x00", 4, 0, "byte 0: not a content index record"},      /* kind past 7 */
        {"\x04\x00\x01\x00\x00", 5, 0, "byte 0"},                              /* content number 0 */
        {"\x00\x00\x00\x00", 4, 0, "byte 0"},                                  /* name number 0 */
        {"\x00\x01\x05\x00", 4, 0, "byte 0"},                                  /* shares more than the previous folder */
        {"\x00\x01\x00\x09" "ab", 6, 0, "byte 0"},                             /* more bytes than there are */
        {"\x00\x01\x00\x00" "\x00\x01\x00", 7, 0, "byte 4"},                   /* the second record cut short */
        {"\x04\xff\xff\xff\xff\x7f\x01\x00\x00", 9, 0, "byte 0"},              /* a number past 32 bits */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_invindex_cursor c;
        sk_invindex_cursor_init(&c, (const uint8_t *)cases[i].bytes, cases[i].n);
        sk_invindex_rec r;
        int k, n = 0;
        while ((k = sk_invindex_next(&c, &r)) == 1) n++;
        if (cases[i].ok) {
            CHECK_INT(k, 0);
            CHECK_INT(n, 1);
            CHECK_INT((int)r.dir_len, 3);
        } else {
            CHECK_INT(k, SK_EFORMAT);
            CHECK(strstr(sk_error_last(), cases[i].err) != NULL);
        }
        sk_invindex_cursor_free(&c);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/sk-test-invindex.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    round_trip();
    bad_records();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail != 0;
}
