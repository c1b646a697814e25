/*
 * fuzz_tools.c - the fleet hunt's tool list (config/known-tools.txt format) compiled from
 * hostile text, then a few files judged against it: a list that reads gives an engine
 * that runs; one that does not names its line. No crash, no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/fleet.h>

static int sink(void *ctx, const char *json, size_t n)
{
    (void)ctx;
    if (!n || json[0] != '{' || json[n - 1] != '\n') __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_fleet_options o = {.tools = (const char *)data, .tools_len = size, .sink = sink, .rare_hosts = 1};
    sk_fleet *f = NULL;
    int rc = sk_fleet_new(&f, &o);
    if (rc) {
        if (rc != SK_EFORMAT && rc != SK_ENOMEM) __builtin_trap();
        if (rc == SK_EFORMAT && !strstr(sk_error_last(), "line ")) __builtin_trap();
        return 0;
    }
    /* the input's first line as a file's identity and name, at home and elsewhere */
    const char *nl = memchr(data, '\n', size);
    size_t n = nl ? (size_t)(nl - (const char *)data) : size;
    char name[128];
    if (n > sizeof name - 1) n = sizeof name - 1;
    memcpy(name, data, n);
    name[n] = 0;
    sk_inv_content c;
    memset(&c, 0, sizeof c);
    sk_sha256(data, size, c.sha256);
    c.have_sha256 = 1, c.kind = SK_KIND_PE, c.pe = 1, c.original_filename = name, c.internal_name = name;
    sk_fleet_content(f, &c);
    for (int pass = 1; pass <= 2; pass++) {
        sk_fleet_host h = {.name = "H", .windows = 1, .base = NULL, .header = {"00", "l", 1}};
        sk_fleet_host_begin(f, pass, &h);
        char path[300];
        const char *dirs[] = {"C:\\Windows\\System32\\", "C:\\Users\\u\\AppData\\"};
        for (int d = 0; d < 2; d++) {
            int pn = snprintf(path, sizeof path, "%s%s", dirs[d], d ? "x.exe" : name);
            sk_inv_entry e;
            memset(&e, 0, sizeof e);
            e.op = SK_OP_ADD, e.path = path, e.path_len = (size_t)pn, e.have_sha256 = 1;
            memcpy(e.sha256, c.sha256, 32);
            e.mtime = e.ctime = e.crtime = SK_TIME_NONE;
            sk_fleet_where w = {"00", "l", (uint64_t)d + 2};
            if (e.path_len) sk_fleet_entry(f, pass, &e, &w);
        }
        sk_fleet_host_end(f, pass);
        if (pass == 1) sk_fleet_pass1_done(f);
    }
    sk_fleet_free(f);
    return 0;
}
