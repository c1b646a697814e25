/* Unit tests: the case store - creation and refusal of what is not ours, inputs, the
 * registry's tables, listings superseding each other, hunts replacing their findings,
 * and a writer killed mid-transaction leaving the database as it was. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sakimori/casedb.h>
#include <sakimori/common.h>
#include <sakimori/timestamp.h>

#include "sk_test.h"

static char dir[256];

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void opening(void)
{
    sk_t_current = "opening";
    sk_casedb *db = NULL;
    CHECK_INT(sk_casedb_open(&db, dir, 0), SK_ENOTFOUND);
    CHECK(strstr(sk_error_last(), "no case store") != NULL);
    CHECK_INT(sk_casedb_open(&db, dir, 1), 0);
    sk_casedb_close(db);
    CHECK_INT(sk_casedb_open(&db, dir, 0), 0); /* reopened: the schema is ours */
    sk_casedb_close(db);
    /* a text file where the database should be */
    char other[300], p[400];
    snprintf(other, sizeof other, "%s/other", dir);
    CHECK_INT(mkdir(other, 0700), 0);
    path_of(p, sizeof p, "other/case.db");
    FILE *f = fopen(p, "w");
    fputs("not a database, just text that is long enough to be read as a header............\n", f);
    fclose(f);
    CHECK_INT(sk_casedb_open(&db, other, 1), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "not a sakimori case store") != NULL);
    unlink(p);
    /* a symbolic link */
    char target[400];
    path_of(target, sizeof target, "case.db");
    CHECK_INT(symlink(target, p), 0);
    CHECK_INT(sk_casedb_open(&db, other, 1), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "symbolic link") != NULL);
    unlink(p);
    /* another schema version */
    CHECK_INT(sk_casedb_open(&db, other, 1), 0);
    sk_casedb_close(db);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE meta SET value = 'sakimori/case-db/9' WHERE key = 'schema'\"", p);
    if (system(cmd) == 0) {
        CHECK_INT(sk_casedb_open(&db, other, 0), SK_EFORMAT);
        CHECK(strstr(sk_error_last(), "schema 'sakimori/case-db/9', but this sakimori reads sakimori/case-db/1") != NULL);
    }
    /* somebody else's SQLite database */
    unlink(p);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'CREATE TABLE t(x)'", p);
    if (system(cmd) == 0) {
        CHECK_INT(sk_casedb_open(&db, other, 1), SK_EFORMAT);
        CHECK(strstr(sk_error_last(), "not a sakimori case store") != NULL);
    }
}

static void inputs(sk_casedb *db)
{
    sk_t_current = "inputs";
    const char *sha = "2df4d263fb696e2371a18d94fc02ad2bf43ca8eb394df376e73fcc2fb9f0ff76";
    sk_casedb_input in = {.sha256 = sha, .path = "snapshots/a.jsonl", .kind = "snapshot", .size = 10, .mtime = SK_TIME_NONE};
    int64_t id1 = 0, id2 = 0;
    int existed = -1;
    CHECK_INT(sk_casedb_input_known(db, sha), 0);
    CHECK_INT(sk_casedb_input_put(db, &in, &id1, &existed), 0);
    CHECK_INT(existed, 0);
    in.records = 5;
    CHECK_INT(sk_casedb_input_put(db, &in, &id2, &existed), 0);
    CHECK_INT(existed, 1);
    CHECK_INT(id1, id2);
    CHECK_INT(sk_casedb_input_known(db, sha), 1);
    in.path = "elsewhere/a.jsonl"; /* the same bytes under another name: a second row */
    CHECK_INT(sk_casedb_input_put(db, &in, &id2, &existed), 0);
    CHECK_INT(existed, 0);
    CHECK(id2 != id1);
}

static void registry(sk_casedb *db)
{
    sk_t_current = "registry";
    sk_casedb_host h = {.name = "WS-1", .domain = "CORP", .site = "tokyo", .role = "endpoint", .first_seen = 100 * SK_NS_PER_SEC,
                        .last_seen = 200 * SK_NS_PER_SEC};
    snprintf(h.host_id, sizeof h.host_id, "h-0000000000000001");
    CHECK_INT(sk_casedb_host_put(db, &h), 0);
    sk_casedb_host u = {.first_seen = 50 * SK_NS_PER_SEC, .last_seen = 150 * SK_NS_PER_SEC, .os_family = "windows"};
    snprintf(u.host_id, sizeof u.host_id, "h-0000000000000001");
    CHECK_INT(sk_casedb_host_put(db, &u), 0); /* NULL members keep theirs, times widen */
    sk_casedb_host g;
    CHECK_INT(sk_casedb_host_get(db, "h-0000000000000001", &g), 0);
    CHECK_STR(g.name, "WS-1");
    CHECK_STR(g.os_family, "windows");
    CHECK_STR(g.site, "tokyo");
    CHECK_INT(g.first_seen, 50 * SK_NS_PER_SEC);
    CHECK_INT(g.last_seen, 200 * SK_NS_PER_SEC);
    CHECK_INT(sk_casedb_host_get(db, "h-ffffffffffffffff", &g), SK_ENOTFOUND);
    sk_casedb_host nameless = {0};
    snprintf(nameless.host_id, sizeof nameless.host_id, "h-0000000000000009");
    CHECK_INT(sk_casedb_host_put(db, &nameless), SK_EINVAL);
    sk_casedb_host h2 = {.name = "WS-2", .role = "endpoint", .first_seen = SK_TIME_NONE, .last_seen = SK_TIME_NONE};
    snprintf(h2.host_id, sizeof h2.host_id, "h-0000000000000002");
    CHECK_INT(sk_casedb_host_put(db, &h2), 0);
    CHECK_INT(sk_casedb_anchor_add(db, "h-0000000000000001", "machine_guid", "g-1", "snapshot"), 0);
    CHECK_INT(sk_casedb_anchor_add(db, "h-0000000000000001", "machine_guid", "g-1", "snapshot"), 0); /* once */
    CHECK_INT(sk_casedb_anchor_add(db, "h-0000000000000002", "machine_guid", "g-1", "snapshot"), 0); /* a clone */
    char ids[4][20];
    size_t n = 0;
    CHECK_INT(sk_casedb_hosts_by_anchor(db, "machine_guid", "g-1", ids, 4, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(ids[0], "h-0000000000000001");
    CHECK_INT(sk_casedb_hosts_by_anchor(db, "machine_sid", "g-1", ids, 4, &n), 0);
    CHECK_INT(n, 0);
    /* aliases: scope and time, any case */
    CHECK_INT(sk_casedb_alias_add(db, "h-0000000000000001", "netbios", "WS-1", "CORP", "authoritative", 100 * SK_NS_PER_SEC,
                                  200 * SK_NS_PER_SEC, "snapshot"),
              0);
    CHECK_INT(sk_casedb_alias_add(db, "h-0000000000000001", "netbios", "WS-1", "CORP", "authoritative", 150 * SK_NS_PER_SEC,
                                  300 * SK_NS_PER_SEC, "snapshot"),
              0); /* widened to 100..300 */
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "ws-1", "corp", 250 * SK_NS_PER_SEC, ids, 4, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "WS-1", "CORP", 400 * SK_NS_PER_SEC, ids, 4, &n), 0);
    CHECK_INT(n, 0); /* outside its validity */
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "WS-1", "OTHER", SK_TIME_NONE, ids, 4, &n), 0);
    CHECK_INT(n, 0); /* another domain's WS-1 */
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "WS-1", NULL, SK_TIME_NONE, ids, 4, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sk_casedb_link_add(db, "h-0000000000000002", "h-0000000000000001", "cloned_image", "snapshot"), 0);
    CHECK_INT(sk_casedb_link_add(db, "h-0000000000000002", "h-0000000000000001", "cloned_image", "snapshot"), 0);
    uint64_t count;
    CHECK_INT(sk_casedb_host_count(db, &count), 0);
    CHECK_INT(count, 2);
    sk_buf b;
    sk_buf_init(&b, 0);
    CHECK_INT(sk_casedb_hosts_export(db, &b), 0);
    CHECK(b.data && strstr(b.data, "{\"host_id\":\"h-0000000000000001\",\"name\":\"WS-1\",\"domain\":\"CORP\",\"site\":\"tokyo\","
                                   "\"role\":\"endpoint\",\"os\":{\"family\":\"windows\"},\"anchors\":[{\"kind\":\"machine_guid\","
                                   "\"value\":\"g-1\",\"source\":\"snapshot\"}],\"aliases\":[{\"kind\":\"netbios\",\"value\":\"WS-1\","
                                   "\"scope\":\"CORP\",\"from\":\"1970-01-01T00:01:40Z\",\"to\":\"1970-01-01T00:05:00Z\","
                                   "\"source\":\"snapshot\",\"trust\":\"authoritative\"}],\"first_seen\":\"1970-01-01T00:00:50Z\","
                                   "\"last_seen\":\"1970-01-01T00:03:20Z\"}\n") != NULL);
    CHECK(b.data && strstr(b.data, "\"links\":[{\"host_id\":\"h-0000000000000001\",\"reason\":\"cloned_image\"}]") != NULL);
    sk_buf_free(&b);
}

static int n_seen;
static char seen[4][128];
static int on_listing(void *ctx, const sk_casedb_listing *l)
{
    (void)ctx;
    if (n_seen < 4) snprintf(seen[n_seen], sizeof seen[0], "%s %s %s", l->path, l->host_id ? l->host_id : "-", l->mode ? l->mode : "-");
    n_seen++;
    return 0;
}

static void listings(sk_casedb *db)
{
    sk_t_current = "listings";
    const char *sha = "0000000000000000000000000000000000000000000000000000000000000000";
    sk_casedb_listing l = {.kind = "listing", .host_id = "h-0000000000000001", .path = "snapshots/listings/s/WS-1.2.jsonl",
                           .sha256 = sha, .mode = "delta", .base = "img", .collected = 2000 * SK_NS_PER_SEC, .complete = 1};
    int64_t id;
    CHECK_INT(sk_casedb_listing_put(db, &l, &id), 0);
    /* an older snapshot ingested later: kept, superseded */
    l.path = "snapshots/listings/s/WS-1.1.jsonl";
    l.collected = 1000 * SK_NS_PER_SEC;
    l.mode = "full";
    CHECK_INT(sk_casedb_listing_put(db, &l, &id), 0);
    n_seen = 0;
    CHECK_INT(sk_casedb_listings(db, "listing", on_listing, NULL), 0);
    CHECK_INT(n_seen, 1);
    CHECK_STR(seen[0], "snapshots/listings/s/WS-1.2.jsonl h-0000000000000001 delta");
    /* a newer one supersedes */
    l.path = "snapshots/listings/s/WS-1.3.jsonl";
    l.collected = 3000 * SK_NS_PER_SEC;
    CHECK_INT(sk_casedb_listing_put(db, &l, &id), 0);
    n_seen = 0;
    CHECK_INT(sk_casedb_listings(db, "listing", on_listing, NULL), 0);
    CHECK_INT(n_seen, 1);
    CHECK_STR(seen[0], "snapshots/listings/s/WS-1.3.jsonl h-0000000000000001 full");
    sk_casedb_listing b = {.kind = "base", .path = "snapshots/bases/img.jsonl", .sha256 = sha, .mode = "full", .base = "img",
                           .collected = SK_TIME_NONE, .complete = 1};
    CHECK_INT(sk_casedb_listing_put(db, &b, &id), 0);
    n_seen = 0;
    CHECK_INT(sk_casedb_listings(db, "base", on_listing, NULL), 0);
    CHECK_INT(n_seen, 1);
    CHECK_STR(seen[0], "snapshots/bases/img.jsonl - full");
}

static const char *F1 = "{\"finding_id\":\"f-1\",\"host_id\":\"h-0000000000000001\",\"host\":\"WS-1\",\"engine\":\"masquerade\","
                        "\"rule\":{\"id\":\"masquerade/x\"},\"severity\":\"high\",\"evidence\":[{\"sha256\":\"aa\",\"line\":3}]}";
static const char *F2 = "{\"finding_id\":\"f-2\",\"host\":\"10.0.0.1\",\"engine\":\"stack\",\"evidence\":[{\"sha256\":\"bb\",\"line\":4}]}";
static const char *F3 = "{\"finding_id\":\"f-3\",\"host\":\"WS-2\",\"engine\":\"ioc\",\"evidence\":[{\"sha256\":\"cc\",\"line\":9}]}";

static int put_hunt(sk_casedb *db, const char *hunt, const char *const *lines, size_t n)
{
    size_t lens[8];
    for (size_t i = 0; i < n; i++) lens[i] = strlen(lines[i]);
    int rc = sk_casedb_begin(db);
    if (!rc) rc = sk_casedb_hunt_replace(db, hunt, lines, lens, n, "--test");
    if (!rc) rc = sk_casedb_commit(db);
    else sk_casedb_rollback(db);
    return rc;
}

static void hunts(sk_casedb *db)
{
    sk_t_current = "hunts";
    const char *two[] = {F1, F2}, *one[] = {F3}, *bad[] = {F3, "{\"no\":\"id\"}"};
    uint64_t n;
    CHECK_INT(put_hunt(db, "files", two, 2), 0);
    CHECK_INT(put_hunt(db, "net", one, 1), 0);
    CHECK_INT(sk_casedb_finding_count(db, NULL, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(put_hunt(db, "files", two, 2), 0); /* rerun: replaced, not duplicated */
    CHECK_INT(sk_casedb_finding_count(db, "files", &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(put_hunt(db, "files", two + 1, 1), 0);
    CHECK_INT(sk_casedb_finding_count(db, "files", &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sk_casedb_finding_count(db, "net", &n), 0);
    CHECK_INT(n, 1);
    /* a line that is not a finding: the hunt is left as it was */
    CHECK_INT(put_hunt(db, "files", bad, 2), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "finding 2 of hunt 'files': no finding_id or engine") != NULL);
    CHECK_INT(sk_casedb_finding_count(db, "files", &n), 0);
    CHECK_INT(n, 1);
    size_t len = strlen(F3);
    const char *l3 = F3;
    CHECK_INT(sk_casedb_hunt_replace(db, "x", &l3, &len, 1, NULL), SK_EINVAL); /* outside a transaction */
    sk_buf b;
    sk_buf_init(&b, 0);
    CHECK_INT(sk_casedb_findings_export(db, &b), 0);
    char want[1024];
    snprintf(want, sizeof want, "%s\n%s\n", F2, F3);
    CHECK_STR(b.data, want);
    sk_buf_free(&b);
}

/* a writer that dies inside its transaction changes nothing */
static void crash(void)
{
    sk_t_current = "crash";
    for (int how = 0; how < 2; how++) {
        pid_t pid = fork();
        if (pid == 0) {
            sk_casedb *db;
            if (sk_casedb_open(&db, dir, 0)) _exit(3);
            const char *lines[] = {F1, F3};
            size_t lens[] = {strlen(F1), strlen(F3)};
            if (sk_casedb_begin(db) || sk_casedb_hunt_replace(db, "files", lines, lens, 2, NULL)) _exit(4);
            if (how) raise(SIGKILL);
            _exit(0); /* no commit, no close */
        }
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(how ? WIFSIGNALED(st) : (WIFEXITED(st) && WEXITSTATUS(st) == 0));
        sk_casedb *db;
        CHECK_INT(sk_casedb_open(&db, dir, 0), 0);
        uint64_t n = 0;
        CHECK_INT(sk_casedb_finding_count(db, "files", &n), 0);
        CHECK_INT(n, 1); /* as before the child's hunt */
        sk_casedb_close(db);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/sk-test-casedb.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    opening();
    sk_casedb *db = NULL;
    if (sk_casedb_open(&db, dir, 1)) {
        fprintf(stderr, "%s\n", sk_error_last());
        return 1;
    }
    inputs(db);
    registry(db);
    listings(db);
    hunts(db);
    sk_casedb_close(db);
    crash();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail != 0;
}
