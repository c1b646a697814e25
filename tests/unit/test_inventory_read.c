/* Unit tests: the inventory readers - the documented examples read back, the writers'
 * lines read back field for field, and each kind of bad line refused with its key. */
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/file.h>
#include <sakimori/inventory_read.h>
#include <sakimori/timestamp.h>

#include "sk_test.h"

static sk_inv_parser *P;
static sk_inv_line L;

static int parse(const char *s)
{
    return sk_inv_parse_line(P, s, strlen(s), 7, &L);
}

static char *slurp(const char *name, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/formats/examples/%s", SK_DOCS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 20];
    *n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*n] = 0;
    return buf;
}

/* every line of a documented example reads, and is of the wanted types */
static int read_example(const char *name, int want_types, int *count)
{
    size_t n;
    char *s = slurp(name, &n);
    if (!s) return -1;
    *count = 0;
    uint64_t line = 0;
    for (char *p = s; *p;) {
        char *e = strchr(p, '\n');
        size_t ln = e ? (size_t)(e - p) : strlen(p);
        line++;
        int rc = sk_inv_parse_line(P, p, ln, line, &L);
        if (rc == SK_ENOTFOUND) {
        } else if (rc) {
            fprintf(stderr, "%s: %s\n", name, sk_error_last());
            return -1;
        } else {
            if (!(want_types & (1 << L.type))) return -1;
            ++*count;
        }
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static void examples(void)
{
    sk_t_current = "examples";
    int n;
    CHECK_INT(read_example("snapshot.jsonl", 1 << SK_INV_SNAPSHOT | 1 << SK_INV_FILE | 1 << SK_INV_ERROR | 1 << SK_INV_END, &n), 0);
    CHECK(n >= 3);
    CHECK_INT(read_example("catalog.jsonl", 1 << SK_INV_CATALOG, &n), 0);
    CHECK_INT(n, 2);
    CHECK_INT(read_example("listing-base.jsonl", 1 << SK_INV_LISTING | 1 << SK_INV_ENTRY, &n), 0);
    CHECK_INT(n, 3);
    CHECK_INT(read_example("listing-delta.jsonl", 1 << SK_INV_LISTING | 1 << SK_INV_ENTRY, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(read_example("listing-full.jsonl", 1 << SK_INV_LISTING | 1 << SK_INV_ENTRY, &n), 0);
    /* the catalogue's first record: the identity from its version_info table */
    size_t len;
    char *s = slurp("catalog.jsonl", &len);
    CHECK(s != NULL);
    if (!s) return;
    char *e = strchr(s, '\n');
    CHECK_INT(sk_inv_parse_line(P, s, (size_t)(e - s), 1, &L), 0);
    CHECK_INT(L.type, SK_INV_CATALOG);
    CHECK_INT(L.content.kind, SK_KIND_PE);
    CHECK_STR(L.content.original_filename, "PowerShell.EXE.MUI");
    CHECK_STR(L.content.internal_name, "POWERSHELL");
    CHECK_STR(L.content.imphash, "7c40a6e4bbbfb8e7bc2e1dd2a1a1a1f1");
    CHECK_INT(L.content.signature, SK_INV_SIG_NO_EMBEDDED);
    CHECK_INT(L.content.size, 450560);
    CHECK_INT(L.content.have_md5 && L.content.have_sha1 && L.content.have_sha256, 1);
    char hex[65];
    sk_hex(hex, L.content.sha256, 32);
    CHECK_STR(hex, "f307e73a3447b10444e67233700c1aa5ca8e3673dd2f292084bf485583caad6f");
    /* the second: a script with YARA matches */
    CHECK_INT(sk_inv_parse_line(P, e + 1, strcspn(e + 1, "\n"), 2, &L), 0);
    CHECK_INT(L.content.kind, SK_KIND_SCRIPT);
    CHECK_INT(L.content.n_yara, 1);
    CHECK_STR(L.content.yara[0], "SUSP_PS_EncodedCommand");
    CHECK_INT(L.content.have_yara_rules, 1);
}

/* the writers' lines, read back */
static void round_trip(void)
{
    sk_t_current = "round_trip";
    uint8_t d[32];
    sk_sha256("abc", 3, d);
    sk_listing_entry e = {.op = SK_OP_CHANGE, .path = "C:\\Windows\\System32\\notepad.exe", .sha256 = d, .size = 201216,
                          .mtime = 1000 * SK_NS_PER_SEC, .ctime = SK_TIME_NONE, .crtime = 2000 * SK_NS_PER_SEC,
                          .owner = "S-1-5-18", .reasons = SK_REASON_TIMES | SK_REASON_CONTENT};
    sk_buf b;
    sk_buf_init(&b, 0);
    CHECK_INT(sk_listing_entry_write(&b, &e), 0);
    CHECK_INT(sk_inv_parse_line(P, b.data, b.len - 1, 3, &L), 0);
    CHECK_INT(L.type, SK_INV_ENTRY);
    CHECK_INT(L.entry.op, SK_OP_CHANGE);
    CHECK_STR(L.entry.path, e.path);
    CHECK_INT(L.entry.path_len, strlen(e.path));
    CHECK_INT(memcmp(L.entry.sha256, d, 32), 0);
    CHECK_INT(L.entry.size, 201216);
    CHECK_INT(L.entry.mtime, 1000 * SK_NS_PER_SEC);
    CHECK_INT(L.entry.ctime, SK_TIME_NONE);
    CHECK_INT(L.entry.crtime, 2000 * SK_NS_PER_SEC);
    CHECK_INT(L.entry.reasons, SK_REASON_TIMES | SK_REASON_CONTENT);
    CHECK_STR(L.entry.owner, "S-1-5-18");
    CHECK(sk_inv_parser_fast_lines(P) > 0); /* the writer's own form: the fast path read it */
    {
        /* the same through the tree */
        sk_inv_parser *slow;
        static sk_inv_line M;
        CHECK_INT(sk_inv_parser_new(&slow), 0);
        sk_inv_parser_slow_only(slow, 1);
        CHECK_INT(sk_inv_parse_line(slow, b.data, b.len - 1, 3, &M), 0);
        CHECK_INT(sk_inv_parser_fast_lines(slow), 0);
        CHECK_INT(M.entry.op, L.entry.op);
        CHECK_INT(M.entry.path_len, L.entry.path_len);
        CHECK_INT(memcmp(M.entry.path, L.entry.path, L.entry.path_len), 0);
        CHECK_INT(memcmp(M.entry.sha256, L.entry.sha256, 32), 0);
        CHECK_INT(M.entry.crtime, L.entry.crtime);
        CHECK_INT(M.entry.reasons, L.entry.reasons);
        sk_inv_parser_free(slow);
    }
    sk_buf_reset(&b);
    sk_listing_entry rm = {.op = SK_OP_REMOVE, .path = "C:\\Windows\\System32\\calc.exe", .mtime = SK_TIME_NONE,
                           .ctime = SK_TIME_NONE, .crtime = SK_TIME_NONE};
    CHECK_INT(sk_listing_entry_write(&b, &rm), 0);
    CHECK_INT(sk_inv_parse_line(P, b.data, b.len - 1, 4, &L), 0);
    CHECK_INT(L.entry.op, SK_OP_REMOVE);
    CHECK_INT(L.entry.have_sha256, 0);
    sk_buf_reset(&b);
    sk_listing_header h = {.delta = 1, .host_id = "h-0123456789abcdef", .host = "WS-1", .base = "img", .base_sha256 = d,
                           .base_install_time = 5 * SK_NS_PER_SEC, .collected = 9 * SK_NS_PER_SEC, .windows_root = "C:",
                           .entries = 3};
    CHECK_INT(sk_listing_header_write(&b, &h), 0);
    CHECK_INT(sk_inv_parse_line(P, b.data, b.len - 1, 1, &L), 0);
    CHECK_INT(L.type, SK_INV_LISTING);
    CHECK_INT(L.listing.delta, 1);
    CHECK_INT(L.listing.base_manifest, 0);
    CHECK_STR(L.listing.host_id, "h-0123456789abcdef");
    CHECK_STR(L.listing.base, "img");
    CHECK_INT(L.listing.have_base_sha256, 1);
    CHECK_INT(L.listing.base_install_time, 5 * SK_NS_PER_SEC);
    CHECK_INT(L.listing.collected, 9 * SK_NS_PER_SEC);
    CHECK_INT(L.listing.entries, 3);
    sk_buf_free(&b);
}

/* a bad line: SK_EFORMAT and a message naming the line and the key */
static void refused(const char *line, const char *want)
{
    int rc = parse(line);
    CHECK_INT(rc, SK_EFORMAT);
    if (rc == SK_EFORMAT && !strstr(sk_error_last(), want)) {
        sk_t_fail++;
        fprintf(stderr, "%s: '%s' gave '%s', expected '%s'\n", sk_t_current, line, sk_error_last(), want);
    }
}

static void bad_lines(void)
{
    sk_t_current = "bad_lines";
    CHECK_INT(parse("   "), SK_ENOTFOUND);
    refused("{\"type\":\"entry\"", "line 7: not a JSON object");
    refused("[1,2]", "line 7: not a JSON object");
    refused("{\"type\":\"entry\",\"path\":\"a\",\"path\":\"b\",\"sha256\":\"00\"}", "line 7: a key is repeated");
    refused("{\"type\":\"listing\",\"schema\":\"sakimori/listing/2\",\"kind\":\"host\",\"mode\":\"full\",\"host_id\":\"h-1\"}",
            "line 7: key 'schema': 'sakimori/listing/2' is not a version this sakimori reads (sakimori/listing/1)");
    refused("{\"type\":\"snapshot\",\"schema\":\"sakimori/snapshot/0\",\"host\":{\"name\":\"A\"}}", "is not a version this sakimori reads");
    refused("{\"type\":\"snapshot\",\"schema\":\"sakimori/snapshot/1\",\"host\":{}}", "key 'host.name': missing");
    refused("{\"type\":\"entry\",\"path\":\"C:\\\\x\",\"sha256\":\"abc\"}", "key 'sha256': not 64 hex digits");
    refused("{\"type\":\"entry\",\"path\":\"C:\\\\x\",\"sha256\":\"zz" "00000000000000000000000000000000000000000000000000000000000000\"}",
            "key 'sha256': not 64 hex digits");
    refused("{\"type\":\"entry\",\"path\":\"C:\\\\x\"}", "key 'sha256': missing");
    refused("{\"type\":\"entry\",\"op\":\"remove\"}", "key 'path': missing");
    refused("{\"type\":\"entry\",\"op\":\"move\",\"path\":\"x\"}", "key 'op': not add, change or remove");
    refused("{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"x\",\"mtime\":\"2026-01-01T00:00:00\"}", "key 'mtime': not an ISO 8601 time with a zone");
    refused("{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"x\",\"size\":-1}", "key 'size': not a non-negative integer");
    refused("{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"x\",\"mode\":\"0958\"}", "key 'mode': not an octal mode");
    refused("{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"a\\u0000b\"}", "key 'path': holds a NUL");
    refused("{\"type\":\"sideways\"}", "key 'type': not snapshot, file");
    refused("{\"size\":1,\"kind\":\"pe\"}", "key 'sha256': missing (a catalogue record");
    refused("{\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"kind\":\"exe\"}", "key 'kind'");
    refused("{\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"signature\":{\"status\":\"ok\"}}",
            "key 'signature.status'");
    refused("{\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"pe\":{\"imphash\":\"xyz\"}}",
            "key 'pe.imphash'");
    refused("{\"type\":\"listing\",\"schema\":\"sakimori/listing/1\",\"kind\":\"base\",\"mode\":\"delta\",\"name\":\"b\"}",
            "a base manifest is always full");
    refused("{\"type\":\"listing\",\"schema\":\"sakimori/listing/1\",\"kind\":\"host\",\"mode\":\"delta\",\"host_id\":\"h-1\",\"base\":\"b\"}",
            "key 'base_sha256': missing");
    refused("{\"type\":\"listing\",\"schema\":\"sakimori/listing/1\",\"kind\":\"host\",\"mode\":\"full\"}", "key 'host_id': missing");
    /* unknown members are left alone: a newer writer's additions */
    CHECK_INT(parse("{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"x\",\"new_member\":[1,{\"a\":2}]}"), 0);
    /* a file line: location and content together */
    CHECK_INT(parse("{\"type\":\"file\",\"path\":\"/usr/bin/x\",\"size\":5,\"mode\":\"0755\",\"kind\":\"elf\",\"sha256\":\""
                    "1111111111111111111111111111111111111111111111111111111111111111\",\"yara\":[]}"),
              0);
    CHECK_INT(L.type, SK_INV_FILE);
    CHECK_INT(L.entry.have_sha256, 1);
    CHECK_INT(L.entry.sha256[0], 0x11);
    CHECK_INT(L.entry.mode, 0755);
    CHECK_INT(L.content.kind, SK_KIND_ELF);
    CHECK_INT(L.content.have_yara, 1);
    CHECK_INT(L.content.n_yara, 0);
}

/* the signature statuses the collector writes, catalogue ones included */
static void signatures(void)
{
    sk_t_current = "signatures";
    static const char *const st[] = {"no_embedded_signature", "digest_matches", "digest_mismatch", "malformed", "catalog", "unsigned"};
    static const sk_inv_sig want[] = {SK_INV_SIG_NO_EMBEDDED, SK_INV_SIG_MATCHES, SK_INV_SIG_MISMATCH, SK_INV_SIG_MALFORMED,
                                      SK_INV_SIG_CATALOG, SK_INV_SIG_UNSIGNED};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, "{\"sha256\":\"%064d\",\"kind\":\"pe\",\"signature\":{\"status\":\"%s\"%s}}", 0, st[i],
                 i == 4 ? ",\"catalog\":\"C:\\\\Windows\\\\System32\\\\CatRoot\\\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\\\a.cat\","
                          "\"digest_algorithm\":\"SHA256\",\"signer_subject\":\"CN=Microsoft Windows\",\"catalog_signature\":\"verified\""
                        : "");
        CHECK_INT(parse(line), 0);
        CHECK_INT(L.content.signature, want[i]);
        CHECK_STR(sk_inv_sig_name(want[i]), st[i]);
    }
    CHECK_STR(L.content.signer_subject ? "" : "(none)", "(none)"); /* the last, unsigned, names no signer */
    CHECK_INT(parse("{\"sha256\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"signature\":"
                    "{\"status\":\"catalog\",\"signer_subject\":\"CN=Microsoft Windows\"}}"),
              0);
    CHECK_STR(L.content.signer_subject, "CN=Microsoft Windows");
}

int main(void)
{
    if (sk_inv_parser_new(&P)) return 1;
    examples();
    round_trip();
    bad_lines();
    signatures();
    sk_inv_parser_free(P);
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail != 0;
}
