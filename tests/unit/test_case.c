/* Unit tests: case.json loading, lookups, and the exact text of validation errors. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/case.h>

#include "sk_test.h"

static void example_loads(void)
{
    sk_case *c = NULL;
    int rc = sk_case_load(&c, SK_DOCS_DIR "/formats/examples/case.json");
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", sk_error_last());
        return;
    }
    CHECK_STR(sk_case_name(c), "AV management server intrusion");
    char t[SK_TIME_ISO_MAX];
    sk_time_format(t, sk_case_window_start(c), 0);
    CHECK_STR(t, "2026-04-30T15:00:00Z");
    CHECK_INT(sk_case_region_count(c), 3);
    CHECK_INT(sk_case_site_count(c), 4);
    const sk_case_site *s = sk_case_site_at(c, 2);
    CHECK_STR(s->name, "shanghai");
    CHECK_STR(s->region, "china");
    CHECK_STR(s->timezone, "Asia/Shanghai"); /* inherited from the region */
    CHECK_INT(s->domestic, 0);
    CHECK_STR(sk_case_site_at(c, 0)->timezone, "Asia/Tokyo"); /* from the case */
    sk_ip ip;
    sk_ip_parse("10.10.3.4", 9, &ip);
    CHECK_STR(sk_case_site_for_ip(c, &ip, NULL)->name, "nagoya-plant");
    int amb = 0;
    sk_ip_parse("192.168.10.7", 12, &ip); /* shanghai /16 vs munich /24: the /24 wins */
    CHECK_STR(sk_case_site_for_ip(c, &ip, &amb)->name, "munich");
    CHECK_INT(amb, 0);
    sk_ip_parse("8.8.8.8", 7, &ip);
    CHECK(sk_case_site_for_ip(c, &ip, NULL) == NULL);
    CHECK_INT(sk_case_warning_count(c), 1);
    CHECK_INT(sk_case_warning_at(c, 0)->line, 29); /* munich's 192.168.10.0/24 */
    CHECK_STR(sk_case_warning_at(c, 0)->text,
              "sites 'shanghai' and 'munich' share addresses (192.168.0.0/16 and 192.168.10.0/24): "
              "addresses there are attributed to a site by the source that logged them");
    CHECK(sk_case_join_tolerance(c, "endpoint_network") == 2.0);
    CHECK(sk_case_join_tolerance(c, "dhcp_lease") == 120.0);
    CHECK(sk_case_join_tolerance(c, "endpoint_dns") == 5.0); /* default */
    CHECK(sk_case_join_tolerance(c, "nonsense") < 0);
    CHECK(sk_case_known_good(c, "sha256", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"));
    CHECK(sk_case_known_good(c, "host", "sccm01"));
    CHECK(!sk_case_known_good(c, "host", "sccm02"));
    CHECK_INT(sk_case_source_count(c), 4);
    CHECK_STR(sk_case_source_at(c, 1)->timezone, "Asia/Shanghai");
    CHECK(sk_case_source_at(c, 2)->timezone == NULL);
    sk_case_free(c);
}

static void same_prefix_is_ambiguous(void)
{
    const char *j = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\","
                    "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},"
                    "\"regions\":[{\"name\":\"r\",\"domestic\":false,\"sites\":["
                    "{\"name\":\"a\",\"subnets\":[\"192.168.1.0/24\"]},"
                    "{\"name\":\"b\",\"subnets\":[\"192.168.1.0/24\"]}]}]}";
    sk_case *c;
    CHECK_INT(sk_case_parse(&c, j, strlen(j), "x.json"), 0);
    sk_ip ip;
    sk_ip_parse("192.168.1.9", 11, &ip);
    int amb = 0;
    CHECK(sk_case_site_for_ip(c, &ip, &amb) == NULL);
    CHECK_INT(amb, 1);
    CHECK_STR(sk_tz_name(sk_case_default_tz(c)), "UTC");
    sk_case_free(c);
}

static void errors_name_file_line_key(void)
{
    const char *head = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\n"
                       "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},\n";
    struct {
        const char *tail, *msg;
    } cases[] = {
        {"\"regions\":[]}", "c.json:3: key 'regions': must list at least one region"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[\n{\"name\":\"a\",\"subnets\":[\"10.0.0.0/33\"]}]}]}",
         "c.json:4: key 'regions[0].sites[0].subnets[0]': '10.0.0.0/33' is not an address prefix with its host bits clear (e.g. 10.20.0.0/16)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[\n{\"name\":\"a\",\"subnets\":[\"10.1.2.3\"]}]}]}",
         "c.json:4: key 'regions[0].sites[0].subnets[0]': '10.1.2.3' is not an address prefix with its host bits clear (e.g. 10.20.0.0/16)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[],\"timezone\":\"Asia/Tokio\"}]}]}",
         "c.json:3: key 'regions[0].sites[0].timezone': unknown time zone 'Asia/Tokio' (an IANA name such as Asia/Tokyo, UTC, or +09:00)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":\"yes\",\"sites\":[]}]}",
         "c.json:3: key 'regions[0].domestic': must be a boolean"},
        {"\"regions\":[{\"name\":\"r\",\"sites\":[]}]}",
         "c.json:3: key 'regions[0]': missing required key 'domestic'"},
        {"\"tmezone\":\"UTC\",\"regions\":[]}", "c.json:3: key 'tmezone': unknown key"},
        {"\"regions\":[{\"name\":\"bad name\",\"domestic\":true,\"sites\":[]}]}",
         "c.json:3: key 'regions[0].name': 'bad name' is not a name (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric)"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]},{\"name\":\"a\",\"subnets\":[]}]}]}",
         "c.json:3: key 'regions[0].sites[1].name': site 'a' is defined twice"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"sources\":[{\"name\":\"d\",\"kind\":\"dhcpd-syslog\",\"path\":\"x\",\"site\":\"b\"}]}",
         "c.json:4: key 'sources[0].site': no site named 'b' in regions[].sites[]"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"known_good\":{\"sha256\":[\"abc\"]}}",
         "c.json:4: key 'known_good.sha256[0]': 'abc' is not a SHA-256 in hex"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"join_tolerance_s\":{\"dhcp_lease\":-1}}",
         "c.json:4: key 'join_tolerance_s.dhcp_lease': must be between 0 and 86400 seconds"},
        {"\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
         "\"sources\":[{\"name\":\"d\",\"kind\":\"squid\",\"path\":\"/var/log/x\"}]}",
         "c.json:4: key 'sources[0].path': '/var/log/x' must be relative to the case folder"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[2048];
        snprintf(doc, sizeof doc, "%s%s", head, cases[i].tail);
        sk_case *c = NULL;
        CHECK_INT(sk_case_parse(&c, doc, strlen(doc), "c.json"), SK_EFORMAT);
        CHECK(c == NULL);
        CHECK_STR(sk_error_last(), cases[i].msg);
    }
    /* window problems and schema identifier */
    const char *w = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\"window\":{\"start\":\"2026-02-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:00\"},\"regions\":[]}";
    sk_case *c;
    CHECK_INT(sk_case_parse(&c, w, strlen(w), "w.json"), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "w.json:1: key 'window.end': '2026-01-01T00:00:00' is not an ISO 8601 time with a zone (e.g. 2026-05-01T00:00:00Z or 2026-05-01T09:00:00+09:00)");
    const char *s = "{\"schema\":\"sakimori/case/2\"}";
    CHECK_INT(sk_case_parse(&c, s, strlen(s), "s.json"), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:1: key 'schema': 'sakimori/case/2' is not sakimori/case/1");
    CHECK_INT(sk_case_load(&c, "/nonexistent/case.json"), SK_EIO);
    CHECK_STR(sk_error_last(), "/nonexistent/case.json: cannot open: No such file or directory");
}

/* The sweep lists the same warnings, in the same order and with the same lines, as
 * comparing every pair of sites did: random small cases with nested, equal and
 * disjoint prefixes (IPv4 and IPv6), checked against that brute force. */
static void overlaps_match_brute_force(void)
{
    uint64_t seed = 88172645463325252ull;
    for (int round = 0; round < 200; round++) {
        sk_buf j;
        sk_buf_init(&j, 1 << 20);
        sk_buf_puts(&j, "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\n"
                        "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},\n"
                        "\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[\n");
        int nsites = 1 + round % 7;
        for (int si = 0; si < nsites; si++) {
            sk_buf_printf(&j, "%s{\"name\":\"s%d\",\"subnets\":[", si ? ",\n" : "", si);
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            int nsub = (int)(seed % 5);
            for (int k = 0; k < nsub; k++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                static const char *const pool[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.2.0.0/16",
                                                   "192.168.0.0/16", "192.168.1.0/24", "0.0.0.0/0", "::/0",
                                                   "fd00::/8", "fd00:1::/32", "10.1.2.128/25", "172.16.0.0/12"};
                sk_buf_printf(&j, "%s\"%s\"", k ? "," : "", pool[seed % 12]);
            }
            sk_buf_puts(&j, "]}");
        }
        sk_buf_puts(&j, "]}]}\n");
        sk_case *c = NULL;
        CHECK_INT(sk_case_parse(&c, j.data, j.len, "o.json"), 0);
        sk_buf_free(&j);
        if (!c) continue;
        size_t w = 0, n = sk_case_site_count(c), all = 0;
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                for (size_t i = 0; i < sk_case_site_at(c, a)->n_subnets; i++)
                    for (size_t k = 0; k < sk_case_site_at(c, b)->n_subnets; k++)
                        all += (size_t)sk_prefix_overlaps(&sk_case_site_at(c, a)->subnets[i], &sk_case_site_at(c, b)->subnets[k]);
        if (all > SK_CASE_OVERLAP_WARNINGS_MAX) { /* listed in part, then counted */
            CHECK_INT(sk_case_warning_count(c), SK_CASE_OVERLAP_WARNINGS_MAX + 1);
            CHECK_INT(sk_case_warning_at(c, SK_CASE_OVERLAP_WARNINGS_MAX)->line, 3);
            sk_case_free(c);
            continue;
        }
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                const sk_case_site *sa = sk_case_site_at(c, a), *sb = sk_case_site_at(c, b);
                for (size_t i = 0; i < sa->n_subnets; i++)
                    for (size_t k = 0; k < sb->n_subnets; k++) {
                        if (!sk_prefix_overlaps(&sa->subnets[i], &sb->subnets[k])) continue;
                        sk_buf m;
                        sk_buf_init(&m, 1024);
                        sk_buf_printf(&m, "sites '%s' and '%s' share addresses (", sa->name, sb->name);
                        sk_prefix_format(&m, &sa->subnets[i]);
                        sk_buf_puts(&m, " and ");
                        sk_prefix_format(&m, &sb->subnets[k]);
                        sk_buf_puts(&m, "): addresses there are attributed to a site by the source that logged them");
                        const sk_case_warning *wn = sk_case_warning_at(c, w++);
                        CHECK(wn != NULL);
                        if (wn) {
                            CHECK_STR(wn->text, m.data);
                            CHECK_INT(wn->line, 4 + b); /* site b's line */
                        }
                        sk_buf_free(&m);
                    }
            }
        CHECK_INT(sk_case_warning_count(c), w);
        sk_case_free(c);
    }
}

/* A source path is a glob below the case folder: absolute paths and '..' (or a
 * pattern glob would let match it) are refused at load time, naming file, line, key. */
static void source_paths_stay_inside(void)
{
    const char *head = "{\"schema\":\"sakimori/case/1\",\"name\":\"x\",\n"
                       "\"window\":{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-02-01T00:00:00Z\"},\n"
                       "\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"a\",\"subnets\":[]}]}],\n"
                       "\"sources\":[{\"name\":\"s\",\"kind\":\"squid\",\n\"path\":";
    struct {
        const char *path, *msg;
    } bad[] = {
        {"\"../../../etc/*\"", "'../../../etc/*' must stay inside the case folder (no '..' component)"},
        {"\"logs/../../x\"", "'logs/../../x' must stay inside the case folder (no '..' component)"},
        {"\"logs/..\"", "'logs/..' must stay inside the case folder (no '..' component)"},
        {"\"logs//..//x\"", "'logs//..//x' must stay inside the case folder (no '..' component)"},
        {"\"\\\\.\\\\./x\"", "'\\.\\./x' must stay inside the case folder (component '\\.\\.' matches '..')"},
        {"\"logs/.?/x\"", "'logs/.?/x' must stay inside the case folder (component '.?' matches '..')"},
        {"\"logs/.*\"", "'logs/.*' must stay inside the case folder (component '.*' matches '..')"},
        {"\"/etc/passwd\"", "'/etc/passwd' must be relative to the case folder"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[2048], want[512];
        snprintf(doc, sizeof doc, "%s%s}]}", head, bad[i].path);
        snprintf(want, sizeof want, "c.json:5: key 'sources[0].path': %s", bad[i].msg);
        sk_case *c = NULL;
        CHECK_INT(sk_case_parse(&c, doc, strlen(doc), "c.json"), SK_EFORMAT);
        CHECK(c == NULL);
        CHECK_STR(sk_error_last(), want);
    }
    const char *good[] = {"\"logs/*.log\"", "\"./logs/..x/a..b\"", "\"logs/*/access.log*\"", "\"...\""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char doc[2048];
        snprintf(doc, sizeof doc, "%s%s}]}", head, good[i]);
        sk_case *c = NULL;
        CHECK_INT(sk_case_parse(&c, doc, strlen(doc), "c.json"), 0);
        sk_case_free(c);
    }
}

/* Expansion: matches inside the folder resolve (symlinks inside it too); a symlink
 * out of it fails the expansion, naming source and match. */
static void expansion_refuses_symlinks_out(void)
{
    char dir[] = "/tmp/sk-case-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char p[4096], q[4096];
    snprintf(p, sizeof p, "%s/logs", dir);
    CHECK_INT(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/logs/a.log", dir);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    snprintf(p, sizeof p, "%s/logs/b.log", dir); /* a symlink that stays inside */
    CHECK_INT(symlink("a.log", p), 0);
    sk_case_source src = {.name = "s", .kind = "squid", .path = "logs/*.log"};
    char **paths = NULL;
    size_t n = 0;
    CHECK_INT(sk_case_source_expand(dir, &src, &paths, &n), 0);
    CHECK_INT(n, 2);
    char *real = realpath(dir, NULL);
    snprintf(q, sizeof q, "%s/logs/a.log", real ? real : dir);
    if (n == 2) {
        CHECK_STR(paths[0], q);
        CHECK_STR(paths[1], q); /* b.log is a.log */
    }
    sk_case_paths_free(paths, n);
    src.path = "nothing/*";
    CHECK_INT(sk_case_source_expand(dir, &src, &paths, &n), 0);
    CHECK_INT(n, 0);
    sk_case_paths_free(paths, n);
    snprintf(p, sizeof p, "%s/logs/c.log", dir); /* and one that leads out */
    CHECK_INT(symlink("/etc/passwd", p), 0);
    src.path = "logs/*.log";
    CHECK_INT(sk_case_source_expand(dir, &src, &paths, &n), SK_EFORMAT);
    CHECK(paths == NULL && n == 0);
    CHECK_STR(sk_error_last(), "source 's': logs/c.log: leads outside the case folder (to /etc/passwd): "
                               "evidence kept elsewhere is registered, not named in sources[]");
    snprintf(p, sizeof p, "%s/up", dir); /* a directory symlink out, then below it */
    CHECK_INT(symlink("/etc", p), 0);
    char *out = NULL;
    CHECK_INT(sk_case_path_resolve(dir, "up/passwd", &out), SK_EFORMAT);
    CHECK(out == NULL);
    CHECK_INT(sk_case_path_resolve(dir, "../x", &out), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "../x: must stay inside the case folder (component '..' matches '..')");
    CHECK_INT(sk_case_path_resolve(dir, "/etc/passwd", &out), SK_EFORMAT);
    CHECK_INT(sk_case_path_resolve(dir, "logs/a.log", &out), 0);
    CHECK_STR(out, q);
    free(out);
    CHECK_INT(sk_case_path_resolve(dir, "logs/none", &out), SK_EIO);
    sk_case_paths_free(NULL, 0);
    free(real);
    const char *rm[] = {"logs/a.log", "logs/b.log", "logs/c.log", "up", "logs"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, rm[i]);
        if (i < 4) unlink(p);
        else rmdir(p);
    }
    rmdir(dir);
}

/* The loader rejects every negative example that the schema rejects (the schema is
 * checked by tests/schema/validate.py): the two stay in step. */
static void invalid_examples_rejected(void)
{
    DIR *d = opendir(SK_DOCS_DIR "/formats/examples/invalid");
    CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "case-", 5) || !strstr(e->d_name, ".json")) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", SK_DOCS_DIR "/formats/examples/invalid", e->d_name);
        sk_case *c = NULL;
        int rc = sk_case_load(&c, p);
        if (rc != SK_EFORMAT) fprintf(stderr, "  %s: accepted or refused otherwise (%d)\n", e->d_name, rc);
        CHECK_INT(rc, SK_EFORMAT);
        CHECK(strstr(sk_error_last(), e->d_name) != NULL); /* the message names the file */
        sk_case_free(c);
        seen++;
    }
    closedir(d);
    CHECK(seen >= 8);
}

SK_TEST_MAIN(T(example_loads), T(same_prefix_is_ambiguous), T(errors_name_file_line_key),
             T(overlaps_match_brute_force), T(source_paths_stay_inside), T(expansion_refuses_symlinks_out),
             T(invalid_examples_rejected))
