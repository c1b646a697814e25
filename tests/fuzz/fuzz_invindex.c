/*
 * fuzz_invindex.c - a listing's content index records (sakimori/invindex.h), as the
 * case store holds them, decoded from hostile bytes and fed to the fleet engine's pass
 * 1 on a host of a base: records that decode are counted, bytes that do not are refused
 * with their offset, numbers the index never gave are refused by the engine. No crash,
 * no hang, no read past the record bytes, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/fleet.h>
#include <sakimori/invindex.h>

static int sink(void *ctx, const char *json, size_t n)
{
    (void)ctx;
    if (!n || json[0] != '{' || json[n - 1] != '\n') __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_fleet_options o = {.sink = sink, .rare_hosts = 1};
    sk_fleet *f = NULL;
    if (sk_fleet_new(&f, &o)) return 0;
    static const char *const names[] = {"powershell.exe", "chrome.exe", "a.dll", ""};
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t d[32];
        sk_sha256(names[i], strlen(names[i]), d);
        sk_fleet_index_content(f, 2 * i + 1, d);
        sk_fleet_index_name(f, i + 1, names[i], strlen(names[i]));
    }
    sk_fleet_base_begin(f, "img", 1);
    sk_inv_entry b;
    memset(&b, 0, sizeof b);
    b.path = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
    b.path_len = strlen(b.path);
    sk_sha256(names[0], strlen(names[0]), b.sha256);
    b.have_sha256 = 1;
    b.mtime = b.ctime = b.crtime = SK_TIME_NONE;
    sk_fleet_where w = {"00", "base", 2};
    sk_fleet_base_entry(f, &b, &w);
    sk_fleet_host h = {.name = "H", .base = "img", .windows = 1, .header = {"00", "l", 1}};
    sk_fleet_host_begin(f, 1, &h);
    sk_invindex_cursor c;
    sk_invindex_cursor_init(&c, data, size);
    sk_invindex_rec r;
    int k;
    size_t n = 0;
    while ((k = sk_invindex_next(&c, &r)) == 1) {
        if (r.dir_len > size || r.op > SK_OP_REMOVE) __builtin_trap();
        int rc = sk_fleet_index_entry(f, r.op, r.content, r.name, r.dir, r.dir_len);
        if (rc && rc != SK_EFORMAT && rc != SK_ENOMEM) __builtin_trap();
        n++;
    }
    if (k < 0 && k != SK_ENOMEM && (k != SK_EFORMAT || !strstr(sk_error_last(), "byte "))) __builtin_trap();
    if (n > size) __builtin_trap(); /* every record takes bytes */
    sk_invindex_cursor_free(&c);
    sk_fleet_host_end(f, 1);
    sk_fleet_pass1_done(f);
    sk_fleet_free(f);
    return 0;
}
