/* Unit tests: the host registry's merge rules (docs/formats/host.md) - a rename keeps
 * the host, clones and re-images are linked and never merged, a name reused by another
 * machine is a new host, names resolve within their domain; ids as host.md defines them
 * (expected values computed with Python's hashlib). */
#include <stdlib.h>

#include <sakimori/casedb.h>
#include <sakimori/common.h>
#include <sakimori/registry.h>

#include "sk_test.h"

static sk_casedb *db;

static sk_registry_result obs(const char *name, const char *domain, const char *k1, const char *v1, const char *k2, const char *v2)
{
    sk_host_obs o = {.name = name, .domain = domain, .seen = SK_TIME_NONE, .source = "snapshot"};
    if (k1) o.anchors[o.n_anchors++] = (sk_host_anchor){k1, v1};
    if (k2) o.anchors[o.n_anchors++] = (sk_host_anchor){k2, v2};
    sk_registry_result r;
    memset(&r, 0, sizeof r);
    if (sk_registry_resolve(db, &o, &r)) {
        fprintf(stderr, "resolve: %s\n", sk_error_last());
        r.host_id[0] = 0;
    }
    return r;
}

static int n_links(const char *host_id, const char *reason)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    if (sk_casedb_hosts_export(db, &b)) return -1;
    /* the host's line */
    char key[64];
    snprintf(key, sizeof key, "{\"host_id\":\"%s\"", host_id);
    const char *l = b.data ? strstr(b.data, key) : NULL;
    int n = 0;
    if (l) {
        const char *e = strchr(l, '\n');
        for (const char *p = l; (p = strstr(p, reason)) && p < e; p++) n++;
    }
    sk_buf_free(&b);
    return n;
}

static void ids(void)
{
    sk_t_current = "ids";
    char id[20];
    CHECK_INT(sk_registry_host_id("machine_sid", "S-1-5-21-1-2-3", 14, 0, id), 0);
    CHECK_STR(id, "h-f590121f30de5b01");
    CHECK_INT(sk_registry_host_id("machine_sid", "S-1-5-21-1-2-3", 14, 1, id), 0);
    CHECK_STR(id, "h-0f9cf687347bc2cc");
    sk_registry_result r = obs("WS-1", "CORP", "machine_sid", "S-1-5-21-1-2-3", NULL, NULL);
    CHECK_STR(r.host_id, "h-f590121f30de5b01");
    CHECK_INT(r.created, 1);
    r = obs("FS01", "CORP", NULL, NULL, NULL, NULL); /* no anchor: domain, name, first-seen time */
    CHECK_STR(r.host_id, "h-15bc478aff86ad21");
}

static void rules(void)
{
    sk_t_current = "rules";
    /* a rename: the strong anchor keeps the host, both names are aliases */
    sk_registry_result a = obs("WS-1-NEW", "CORP", "machine_sid", "S-1-5-21-1-2-3", NULL, NULL);
    CHECK_STR(a.host_id, "h-f590121f30de5b01");
    CHECK_INT(a.created, 0);
    char found[4][20];
    size_t n;
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "WS-1", "CORP", SK_TIME_NONE, found, 4, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(sk_casedb_hosts_by_alias(db, "netbios", "WS-1-NEW", "CORP", SK_TIME_NONE, found, 4, &n), 0);
    CHECK_INT(n, 1);
    /* the old name given to a new machine (another SID): a new host, linked */
    sk_registry_result b = obs("WS-1", "CORP", "machine_sid", "S-1-5-21-9-9-9", NULL, NULL);
    CHECK_INT(b.created, 1);
    CHECK(strcmp(b.host_id, a.host_id) != 0);
    CHECK_INT(n_links(b.host_id, "name_reused"), 1);
    /* machine_guid with bios_uuid: the same host */
    sk_registry_result c = obs("WS-2", "CORP", "machine_guid", "G-1", "bios_uuid", "B-1");
    CHECK_INT(c.created, 1);
    sk_registry_result c2 = obs("WS-2", "CORP", "machine_guid", "G-1", "bios_uuid", "B-1");
    CHECK_STR(c2.host_id, c.host_id);
    CHECK_INT(c2.created, 0);
    /* machine_guid with the (domain, name): the same host */
    sk_registry_result c3 = obs("WS-2", "CORP", "machine_guid", "G-1", NULL, NULL);
    CHECK_STR(c3.host_id, c.host_id);
    /* machine_guid alone under another name: a clone, linked, not merged */
    sk_registry_result d = obs("WS-3", "CORP", "machine_guid", "G-1", NULL, NULL);
    CHECK_INT(d.created, 1);
    CHECK(strcmp(d.host_id, c.host_id) != 0);
    CHECK_INT(n_links(d.host_id, "cloned_image"), 1);
    /* bios_uuid alone: a possible re-image */
    sk_registry_result e = obs("WS-4", "CORP", "bios_uuid", "B-1", NULL, NULL);
    CHECK_INT(e.created, 1);
    CHECK_INT(n_links(e.host_id, "possible_reimage"), 1);
    /* names without anchors: the same name in the same domain is the same host, in
     * another domain another host */
    sk_registry_result f = obs("FS01", "CORP", NULL, NULL, NULL, NULL);
    CHECK_STR(f.host_id, "h-15bc478aff86ad21");
    CHECK_INT(f.created, 0);
    sk_registry_result g = obs("FS01", "LAB", NULL, NULL, NULL, NULL);
    CHECK_INT(g.created, 1);
    CHECK(strcmp(g.host_id, f.host_id) != 0);
    /* a name two hosts hold: unresolved, a new host with collision links */
    sk_registry_result w1 = obs("WS-1", "CORP", NULL, NULL, NULL, NULL);
    CHECK_INT(w1.created, 1);
    CHECK_INT(n_links(w1.host_id, "name_collision"), 2);
    /* a listing's own id: that host, made when new */
    sk_host_obs o = {.host_id = "h-00000000000000aa", .name = "SRV-9", .seen = SK_TIME_NONE, .source = "listing"};
    sk_registry_result r;
    CHECK_INT(sk_registry_resolve(db, &o, &r), 0);
    CHECK_STR(r.host_id, "h-00000000000000aa");
    CHECK_INT(r.created, 1);
    CHECK_INT(sk_registry_resolve(db, &o, &r), 0);
    CHECK_INT(r.created, 0);
    sk_host_obs nameless = {.seen = SK_TIME_NONE};
    CHECK_INT(sk_registry_resolve(db, &nameless, &r), SK_EINVAL);
}

int main(void)
{
    char dir[] = "/tmp/sk-test-registry.XXXXXX";
    if (!mkdtemp(dir) || sk_casedb_open(&db, dir, 1) || sk_casedb_begin(db)) return 1;
    ids();
    rules();
    CHECK_INT(sk_casedb_commit(db), 0);
    sk_casedb_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail != 0;
}
