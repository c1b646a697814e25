/* Unit tests: the fleet hunt's engine - each rule on a small synthetic fleet fed the way
 * `hunt files` feeds it (contents, the base, listings twice, or pass 1 from content
 * index records): which files are found with which rule and severity, and that nothing
 * else is; base hosts counted into prevalence, less the hosts that removed a base file;
 * the index gives the same findings as the listings; known_good suppression counted; a
 * tool list that does not read refused with its line. */
#include <sakimori/case.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/fleet.h>
#include <sakimori/ioc.h>

#include "sk_test.h"

static char got[64][200];
static int n_got;
static char raw[64][2048];

static int sink(void *ctx, const char *json, size_t n)
{
    (void)ctx;
    sk_json_doc *d = NULL;
    if (sk_json_parse(&d, json, n, NULL, NULL)) return SK_EFORMAT;
    const sk_json_value *o = sk_json_doc_root(d);
    const char *host = sk_json_string(sk_json_object_get(o, "host"), NULL);
    const char *sev = sk_json_string(sk_json_object_get(o, "severity"), NULL);
    const char *rule = sk_json_string(sk_json_object_get(sk_json_object_get(o, "rule"), "id"), NULL);
    const char *path = sk_json_string(sk_json_object_get(sk_json_object_get(o, "attributes"), "path"), NULL);
    if (n_got < 64) {
        snprintf(raw[n_got], sizeof raw[0], "%.*s", (int)n, json);
        snprintf(got[n_got++], sizeof got[0], "%s %s %s %s", host, rule, sev, path);
    }
    sk_json_doc_free(d);
    return 0;
}

static int has(const char *want)
{
    for (int i = 0; i < n_got; i++)
        if (!strcmp(got[i], want)) return 1;
    return 0;
}

static void md5_of(const char *s, uint8_t d[16])
{
    sk_digests g;
    sk_digest_buffer(s, strlen(s), SK_DIGEST_MD5, &g);
    memcpy(d, g.md5, 16);
}

static void sha_of(const char *s, uint8_t d[32])
{
    sk_sha256(s, strlen(s), d);
}

static sk_inv_content content(const char *name, sk_file_kind kind, const char *orig)
{
    sk_inv_content c;
    memset(&c, 0, sizeof c);
    sha_of(name, c.sha256);
    c.have_sha256 = 1;
    md5_of(name, c.md5);
    c.have_md5 = 1;
    c.kind = kind;
    c.pe = kind == SK_KIND_PE;
    c.original_filename = orig;
    return c;
}

static sk_inv_entry entry(const char *path, const char *content_name, sk_listing_op op)
{
    sk_inv_entry e;
    memset(&e, 0, sizeof e);
    e.op = op;
    e.path = path;
    e.path_len = strlen(path);
    if (content_name) sha_of(content_name, e.sha256), e.have_sha256 = 1;
    e.mtime = e.ctime = e.crtime = SK_TIME_NONE;
    return e;
}

static const char *TOOLS =
    "# test tools\n"
    "powershell.exe | powershell.exe;powershell | C:\\Windows\\System32\\WindowsPowerShell\\ | PowerShell |\n"
    "psexec.exe | psexec.exe;psexec | | PsExec | low\n";

/* 25 hosts on base img: host H01 holds PowerShell's content as chrome.exe, H02 removed
 * the base's PowerShell, H03 has a rare tool in AppData, H04 a file on the IOC list,
 * H05 PsExec renamed, H06 PsExec as itself, H07 a tampered signed file, H08 a PE named
 * .jpg, H09 a YARA-matched script; the rest hold only the base */
static sk_inv_entry host_entry(int i)
{
    sk_inv_entry e;
    switch (i) {
    case 1: e = entry("C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe", "powershell", SK_OP_ADD); break;
    case 2: e = entry("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", NULL, SK_OP_REMOVE); break;
    case 3: e = entry("C:\\Users\\u\\AppData\\Roaming\\x\\tool.exe", "rare", SK_OP_ADD); break;
    case 4: e = entry("C:\\Program Files\\App\\evil.exe", "listed", SK_OP_ADD); break;
    case 5: e = entry("C:\\Users\\u\\svchost.exe", "psexec", SK_OP_ADD); break;
    case 6: e = entry("C:\\Tools\\PsExec.exe", "psexec", SK_OP_ADD); break;
    case 7: e = entry("C:\\Program Files\\App\\signed.exe", "tampered", SK_OP_ADD); break;
    case 8: e = entry("C:\\Program Files\\App\\photo.jpg", "hidden", SK_OP_ADD); break;
    case 9: e = entry("C:\\Scripts\\run.ps1", "script", SK_OP_ADD); break;
        default: e = entry("C:\\Program Files\\App\\app.exe", "common", SK_OP_ADD); break;
    }
    return e;
}

/* the test's own content index: contents and strings numbered as met */
static const char *ix_names[] = {"powershell", "psexec", "rare", "listed", "tampered", "hidden", "script", "common"};
static char ix_strs[64][128];
static int n_ix_strs;

static uint32_t ix_string(sk_fleet *f, const char *s, size_t n)
{
    for (int i = 0; i < n_ix_strs; i++)
        if (strlen(ix_strs[i]) == n && !memcmp(ix_strs[i], s, n)) return (uint32_t)i + 1;
    snprintf(ix_strs[n_ix_strs], sizeof ix_strs[0], "%.*s", (int)n, s);
    CHECK_INT(sk_fleet_index_name(f, (uint32_t)n_ix_strs + 1, s, n), 0);
    return (uint32_t)++n_ix_strs;
}

static void feed_index(sk_fleet *f, const sk_inv_entry *e)
{
    uint32_t cid = 0;
    for (uint32_t k = 0; k < 8; k++) {
        uint8_t d[32];
        sha_of(ix_names[k], d);
        if (e->have_sha256 && !memcmp(d, e->sha256, 32)) cid = 7 * k + 3; /* numbers need not be dense */
    }
    size_t cut = e->path_len;
    while (cut && e->path[cut - 1] != '\\') cut--;
    uint32_t name = ix_string(f, e->path + cut, e->path_len - cut);
    CHECK_INT(sk_fleet_index_entry(f, e->op, cid, name, e->path, cut), 0);
}

static int use_index;

static void feed(sk_fleet *f, int pass)
{
    char host[8];
    if (pass == 1 && use_index) {
        n_ix_strs = 0;
        for (uint32_t k = 0; k < 8; k++) {
            uint8_t d[32];
            sha_of(ix_names[k], d);
            CHECK_INT(sk_fleet_index_content(f, 7 * k + 3, d), 0);
        }
    }
    for (int i = 1; i <= 25; i++) {
        snprintf(host, sizeof host, "H%02d", i);
        sk_fleet_host h = {.host_id = NULL, .name = host, .base = "img", .windows = 1, .header = {"aa", "l.jsonl", 1}};
        CHECK_INT(sk_fleet_host_begin(f, pass, &h), 0);
        sk_fleet_where w = {"aa", "l.jsonl", 2};
        sk_inv_entry e = host_entry(i);
        if (pass == 1 && use_index) feed_index(f, &e);
        else CHECK_INT(sk_fleet_entry(f, pass, &e, &w), 0);
        CHECK_INT(sk_fleet_host_end(f, pass), 0);
    }
}

static sk_fleet *run(const sk_case *cs, const sk_ioc_set *iocs)
{
    sk_fleet_options o = {.iocs = iocs, .cs = cs, .tools = TOOLS, .tools_len = strlen(TOOLS), .sink = sink};
    sk_fleet *f = NULL;
    CHECK_INT(sk_fleet_new(&f, &o), 0);
    if (!f) return NULL;
    sk_inv_content c = content("powershell", SK_KIND_PE, "PowerShell.EXE.MUI");
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("psexec", SK_KIND_PE, "psexec.c");
    c.internal_name = "PsExec";
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("rare", SK_KIND_PE, NULL);
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("listed", SK_KIND_PE, NULL);
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("tampered", SK_KIND_PE, NULL);
    c.signature = SK_INV_SIG_MISMATCH;
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("hidden", SK_KIND_PE, NULL);
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("script", SK_KIND_SCRIPT, NULL);
    c.yara[0] = "SUSP_Encoded";
    c.n_yara = 1;
    CHECK_INT(sk_fleet_content(f, &c), 0);
    c = content("common", SK_KIND_PE, NULL);
    CHECK_INT(sk_fleet_content(f, &c), 0);
    n_got = 0;
    CHECK_INT(sk_fleet_base_begin(f, "img", 1), 0);
    sk_fleet_where bw = {"bb", "base.jsonl", 2};
    sk_inv_entry b = entry("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell", SK_OP_NONE);
    CHECK_INT(sk_fleet_base_entry(f, &b, &bw), 0);
    feed(f, 1);
    CHECK_INT(sk_fleet_pass1_done(f), 0);
    feed(f, 2);
    return f;
}

static void rules(void)
{
    sk_t_current = "rules";
    sk_ioc_set *iocs = NULL;
    CHECK_INT(sk_ioc_set_new(&iocs), 0);
    uint8_t md5[16];
    md5_of("listed", md5);
    char line[64];
    sk_hex(line, md5, 16);
    line[32] = '\n', line[33] = 0;
    CHECK_INT(sk_ioc_set_add(iocs, "bad.txt", line, strlen(line), NULL, NULL), 0);
    sk_fleet *f = run(NULL, iocs);
    if (!f) return;
    CHECK(has("H01 masquerade/system-binary-renamed critical C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe"));
    /* PowerShell on the 25 hosts of the base but H02, which removed it (H01's own copy
     * counted with the base's) */
    CHECK(n_got > 0 && strstr(raw[0], "\"content_hosts\":24"));
    CHECK(has("H03 stack/rare-content medium C:\\Users\\u\\AppData\\Roaming\\x\\tool.exe"));
    CHECK(has("H04 hash/known-bad high C:\\Program Files\\App\\evil.exe"));
    CHECK(has("H04 stack/rare-content low C:\\Program Files\\App\\evil.exe"));
    CHECK(has("H05 masquerade/tool-renamed high C:\\Users\\u\\svchost.exe"));
    CHECK(has("H06 masquerade/admin-tool low C:\\Tools\\PsExec.exe"));
    CHECK(has("H07 stack/signature-mismatch high C:\\Program Files\\App\\signed.exe"));
    CHECK(has("H07 stack/rare-content low C:\\Program Files\\App\\signed.exe"));
    CHECK(has("H08 stack/pe-extension medium C:\\Program Files\\App\\photo.jpg"));
    CHECK(has("H08 stack/rare-content low C:\\Program Files\\App\\photo.jpg"));
    CHECK(has("H09 yara/match high C:\\Scripts\\run.ps1"));
    CHECK(has("H09 stack/rare-content low C:\\Scripts\\run.ps1"));
    /* psexec on two hosts (H05, H06): rare at the threshold of 2 */
    CHECK(has("H05 stack/rare-content low C:\\Users\\u\\svchost.exe"));
    CHECK(has("H06 stack/rare-content low C:\\Tools\\PsExec.exe"));
    for (int i = 0; i < n_got; i++)
        if (strstr(got[i], "app.exe")) CHECK(!"a common file was reported");
    CHECK_INT(n_got, 14);

    sk_fleet_stats st;
    sk_fleet_stats_get(f, &st);
    CHECK_INT(st.hosts, 25);
    CHECK_INT(st.rare_hosts, 2);
    CHECK_INT(st.findings, 14);
    CHECK_INT(st.by_engine[0], 3);
    sk_fleet_free(f);
    /* known good: by SHA-256 and by host, counted */
    uint8_t d[32];
    sha_of("rare", d);
    char hex[65];
    sk_hex(hex, d, 32);
    char cj[2048];
    snprintf(cj, sizeof cj,
             "{\"schema\":\"sakimori/case/1\",\"name\":\"t\",\"window\":{\"start\":\"2019-01-01T00:00:00Z\",\"end\":\"2019-12-01T00:00:00Z\"},"
             "\"regions\":[{\"name\":\"r\",\"domestic\":true,\"sites\":[{\"name\":\"s\",\"subnets\":[]}]}],"
             "\"known_good\":{\"sha256\":[\"%s\"],\"hosts\":[\"H09\"]}}",
             hex);
    sk_case *cs = NULL;
    CHECK_INT(sk_case_parse(&cs, cj, strlen(cj), "case.json"), 0);
    f = run(cs, iocs);
    if (f) {
        CHECK(!has("H03 stack/rare-content medium C:\\Users\\u\\AppData\\Roaming\\x\\tool.exe"));
        CHECK(!has("H09 yara/match high C:\\Scripts\\run.ps1"));
        sk_fleet_stats_get(f, &st);
        CHECK_INT(st.suppressed_sha256, 1);
        CHECK_INT(st.suppressed_host, 2);
        CHECK_INT(st.findings, 11);
        sk_fleet_free(f);
    }
    sk_case_free(cs);
    sk_ioc_set_free(iocs);
}

/* records naming numbers the index never gave are refused, not guessed at */
static void index_records(void)
{
    sk_t_current = "index_records";
    sk_fleet_options o = {.tools = TOOLS, .tools_len = strlen(TOOLS), .sink = sink};
    sk_fleet *f = NULL;
    CHECK_INT(sk_fleet_new(&f, &o), 0);
    if (!f) return;
    uint8_t d[32];
    sha_of("x", d);
    CHECK_INT(sk_fleet_index_content(f, 5, d), 0);
    CHECK_INT(sk_fleet_index_name(f, 2, "a.exe", 5), 0);
    sk_fleet_host h = {.name = "H", .windows = 1};
    CHECK_INT(sk_fleet_host_begin(f, 1, &h), 0);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_NONE, 5, 2, "C:\\", 3), 0);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_NONE, 4, 2, "C:\\", 3), SK_EFORMAT);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_NONE, 6, 2, "C:\\", 3), SK_EFORMAT);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_NONE, 5, 1, "C:\\", 3), SK_EFORMAT);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_NONE, 5, 3, "C:\\", 3), SK_EFORMAT);
    CHECK_INT(sk_fleet_index_entry(f, SK_OP_REMOVE, 0, 2, "C:\\", 3), 0);
    CHECK_INT(sk_fleet_host_end(f, 1), 0);
    sk_fleet_stats st;
    sk_fleet_stats_get(f, &st);
    CHECK_INT(st.entries, 1);
    sk_fleet_free(f);
}

static void bad_tools(void)
{
    sk_t_current = "bad_tools";
    const char *t = "powershell.exe | powershell.exe | C:\\Windows\\ | PS |\nonly-a-name\n";
    sk_fleet_options o = {.tools = t, .tools_len = strlen(t)};
    sk_fleet *f = NULL;
    CHECK_INT(sk_fleet_new(&f, &o), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "tools line 2: want 'name | identities | home folders | what | presence'") != NULL);
    const char *t2 = "x.exe | x | | X | loud\n";
    o.tools = t2, o.tools_len = strlen(t2);
    CHECK_INT(sk_fleet_new(&f, &o), SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "presence 'loud' is not a severity") != NULL);
    /* the built-in list reads */
    sk_fleet_options d = {0};
    CHECK_INT(sk_fleet_new(&f, &d), 0);
    sk_fleet_free(f);
}

int main(void)
{
    rules();
    use_index = 1; /* the same fleet, pass 1 from content index records */
    rules();
    use_index = 0;
    index_records();
    bad_tools();
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail != 0;
}
