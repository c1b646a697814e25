/* Unit tests: the inventory writers (catalogue, listings, PE identity) - exact output. */
#include <sakimori/digest.h>
#include <sakimori/inventory.h>

#include "sk_test.h"

static const sk_pe_string strings_en[] = {
    {"CompanyName", "Microsoft Corporation"}, {"FileDescription", "Windows PowerShell"},
    {"FileVersion", "10.0.17763.1 (WinBuild.160101.0800)"}, {"InternalName", "POWERSHELL"},
    {"OriginalFilename", "PowerShell.EXE.MUI"}, {"ProductName", "Microsoft\xc2\xae Windows\xc2\xae Operating System"}};
static const sk_pe_string strings_ja[] = {{"OriginalFilename", "PowerShell.EXE.MUI"}, {"FileDescription", "Windows PowerShell (\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e)"}};

static void catalog_record(void)
{
    sk_pe_section secs[2] = {{".text", 61184, 61440, 0x60000020, 6.1234}, {".rsrc", 4096, 4096, 0x40000040, -1}};
    sk_pe_string_table tables[2] = {{"041104b0", 2, strings_ja}, {"040904b0", 6, strings_en}};
    sk_pe_identity id = {.machine = 0x8664, .subsystem = 3, .characteristics = 0x22, .timestamp = 2952373911u,
                         .sections = secs, .n_sections = 2, .sections_total = 2, .imports = 113,
                         .tables = tables, .n_tables = 2, .fixed_file_version = "10.0.17763.1"};
    memcpy(id.imphash, "7c40a6e4bbbfb8e7bc2e1dd2a1a1a1f1", 33);
    CHECK_STR(sk_pe_primary_table(&id)->lang, "040904b0"); /* English wins over file order */
    sk_signature sig = {SK_SIG_NONE, NULL, NULL, NULL, NULL};
    sk_content c = {.size = 450560, .kind = SK_KIND_PE, .pe = &id, .signature = &sig};
    sk_sha256("x", 1, c.sha256);
    sk_buf b;
    sk_buf_init(&b, 0);
    CHECK_INT(sk_catalog_record_write(&b, &c), 0);
    CHECK_STR(b.data,
              "{\"sha256\":\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\",\"size\":450560,"
              "\"kind\":\"pe\",\"pe\":{\"machine\":\"AMD64\",\"subsystem\":\"WINDOWS_CUI\",\"characteristics\":34,"
              "\"dll\":false,\"timestamp\":2952373911,\"sections\":[{\"name\":\".text\",\"virtual_size\":61184,"
              "\"raw_size\":61440,\"entropy\":6.123,\"characteristics\":1610612768},{\"name\":\".rsrc\","
              "\"virtual_size\":4096,\"raw_size\":4096,\"characteristics\":1073741888}],\"imphash\":"
              "\"7c40a6e4bbbfb8e7bc2e1dd2a1a1a1f1\",\"imports\":113,\"version_info\":[{\"lang\":\"041104b0\","
              "\"strings\":{\"OriginalFilename\":\"PowerShell.EXE.MUI\",\"FileDescription\":\"Windows PowerShell "
              "(\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e)\"}},{\"lang\":\"040904b0\",\"strings\":{\"CompanyName\":"
              "\"Microsoft Corporation\",\"FileDescription\":\"Windows PowerShell\",\"FileVersion\":\"10.0.17763.1 "
              "(WinBuild.160101.0800)\",\"InternalName\":\"POWERSHELL\",\"OriginalFilename\":\"PowerShell.EXE.MUI\","
              "\"ProductName\":\"Microsoft\xc2\xae Windows\xc2\xae Operating System\"}}],\"fixed_file_version\":"
              "\"10.0.17763.1\"},\"signature\":{\"status\":\"no_embedded_signature\"}}\n");
    /* the top-level strings come from the English table, in a fixed order */
    sk_buf_reset(&b);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_object_begin(&w);
    sk_pe_top_strings_write(&w, &id);
    sk_jw_object_end(&w);
    CHECK_STR(b.data, "{\"OriginalFilename\":\"PowerShell.EXE.MUI\",\"InternalName\":\"POWERSHELL\","
                      "\"FileDescription\":\"Windows PowerShell\",\"ProductName\":\"Microsoft\xc2\xae Windows\xc2\xae "
                      "Operating System\",\"CompanyName\":\"Microsoft Corporation\",\"FileVersion\":\"10.0.17763.1 "
                      "(WinBuild.160101.0800)\"}");
    sk_buf_free(&b);
}

static void listings(void)
{
    uint8_t h[32];
    sk_sha256("x", 1, h);
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_civil cv = {2019, 4, 3, 5, 6, 7, 0, 0};
    sk_time t;
    sk_time_from_civil(&cv, &t);
    sk_listing_header hd = {.delta = 1, .host_id = "h-0123456789abcdef", .host = "TOKH-PC000042",
                            .base = "win10-1809", .base_sha256 = h, .base_install_time = t,
                            .collected = t + 1500000000, .windows_root = "C:", .entries = 2};
    CHECK_INT(sk_listing_header_write(&b, &hd), 0);
    sk_listing_entry add = {SK_OP_ADD, "C:\\Users\\a\\chrome.exe", h, 450560, t, t, SK_TIME_NONE, NULL, 0};
    CHECK_INT(sk_listing_entry_write(&b, &add), 0);
    sk_listing_entry ch = {SK_OP_CHANGE, "C:\\Windows\\notepad.exe", h, 1, t, SK_TIME_NONE, t, "S-1-5-18",
                           SK_REASON_TIMES | SK_REASON_OWNER};
    CHECK_INT(sk_listing_entry_write(&b, &ch), 0);
    sk_listing_entry rm = {SK_OP_REMOVE, "C:\\Windows\\calc.exe", NULL, 0, SK_TIME_NONE, SK_TIME_NONE, SK_TIME_NONE, NULL, 0};
    CHECK_INT(sk_listing_entry_write(&b, &rm), 0);
    CHECK_STR(b.data,
              "{\"type\":\"listing\",\"schema\":\"sakimori/listing/1\",\"kind\":\"host\",\"mode\":\"delta\",\"host_id\":"
              "\"h-0123456789abcdef\",\"host\":\"TOKH-PC000042\",\"base\":\"win10-1809\",\"base_sha256\":"
              "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\",\"base_install_time\":"
              "\"2019-04-03T05:06:07Z\",\"collected\":\"2019-04-03T05:06:08.5Z\",\"windows_root\":\"C:\",\"entries\":2}\n"
              "{\"type\":\"entry\",\"op\":\"add\",\"path\":\"C:\\\\Users\\\\a\\\\chrome.exe\",\"sha256\":"
              "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\",\"size\":450560,\"mtime\":"
              "\"2019-04-03T05:06:07Z\",\"ctime\":\"2019-04-03T05:06:07Z\"}\n"
              "{\"type\":\"entry\",\"op\":\"change\",\"path\":\"C:\\\\Windows\\\\notepad.exe\",\"sha256\":"
              "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\",\"size\":1,\"mtime\":"
              "\"2019-04-03T05:06:07Z\",\"crtime\":\"2019-04-03T05:06:07Z\",\"owner\":\"S-1-5-18\",\"reason\":[\"times\",\"owner\"]}\n"
              "{\"type\":\"entry\",\"op\":\"remove\",\"path\":\"C:\\\\Windows\\\\calc.exe\"}\n");
    /* an entry without a digest is refused and leaves nothing behind */
    size_t len = b.len;
    sk_listing_entry bad = {SK_OP_ADD, "C:\\x", NULL, 0, SK_TIME_NONE, SK_TIME_NONE, SK_TIME_NONE, NULL, 0};
    CHECK_INT(sk_listing_entry_write(&b, &bad), SK_EINVAL);
    CHECK_INT(b.len, len);
    sk_buf_free(&b);
}

/* the signature object of each status; a catalogue status without its catalogue is
 * never written as one */
static void signatures(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_signature cat = {SK_SIG_CATALOG, "CN=Microsoft Windows", "CN=Microsoft Windows Production PCA 2011", "SHA256", NULL};
    static const char path[] = "C:\\Windows\\System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\a\xff.cat";
    sk_signature_catalog where = {path, sizeof path - 1, 1, SK_SIG_NONE};
    sk_jw_init(&w, &b);
    CHECK_INT(sk_signature_write_catalog(&w, &cat, &where), 0);
    CHECK_STR(b.data, "{\"status\":\"catalog\",\"catalog\":\"C:\\\\Windows\\\\System32\\\\CatRoot\\\\"
                      "{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\\\a\\udcff.cat\",\"digest_algorithm\":\"SHA256\","
                      "\"signer_subject\":\"CN=Microsoft Windows\",\"signer_issuer\":\"CN=Microsoft Windows Production PCA 2011\","
                      "\"catalog_signature\":\"verified\"}");
    sk_buf_reset(&b);
    where.verified = 0;
    where.embedded = SK_SIG_MISMATCH;
    cat.error = "changed after signing";
    sk_jw_init(&w, &b);
    CHECK_INT(sk_signature_write_catalog(&w, &cat, &where), 0);
    CHECK(strstr(b.data, "\"catalog_signature\":\"not_verified\",\"embedded_status\":\"digest_mismatch\","
                         "\"error\":\"changed after signing\"}") != NULL);
    sk_buf_reset(&b);
    sk_signature un = {SK_SIG_UNSIGNED, NULL, NULL, NULL, NULL};
    sk_jw_init(&w, &b);
    CHECK_INT(sk_signature_write(&w, &un), 0);
    CHECK_STR(b.data, "{\"status\":\"unsigned\"}");
    sk_buf_reset(&b);
    sk_jw_init(&w, &b);
    CHECK_INT(sk_signature_write(&w, &cat), 0); /* no catalogue given */
    CHECK(!strncmp(b.data, "{\"status\":\"malformed\",", 22));
    sk_buf_free(&b);
}

SK_TEST_MAIN(T(catalog_record), T(listings), T(signatures))
