/*
 * fuzz_pe - the PE reader, the Authenticode check, the ELF reader and the security
 * descriptor (owner SID) reader on arbitrary bytes: no crash, no hang, no unbounded
 * allocation, every identity writable as JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/elf.h>
#include <sakimori/json.h>
#include <sakimori/pe.h>
#include <sakimori/sid.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_arena *a;
    if (sk_arena_new(&a, 0, (size_t)64 << 20)) return 0;
    sk_buf b;
    sk_buf_init(&b, (size_t)64 << 20);
    sk_pe_identity id;
    if (!sk_pe_parse(data, size, size, a, &id)) {
        sk_jw w;
        sk_jw_init(&w, &b);
        sk_pe_identity_write(&w, &id);
        sk_signature sig;
        if (!sk_pe_authenticode(data, size, a, &sig)) {
            sk_jw_init(&w, &b);
            sk_signature_write(&w, &sig);
        }
        /* the same file seen through a short prefix, as the collector sees large ones */
        if (size > 64) sk_pe_parse(data, size / 2, size, a, &id);
    }
    sk_elf_identity e;
    if (!sk_elf_parse(data, size, &e)) {
        sk_jw w;
        sk_jw_init(&w, &b);
        sk_elf_identity_write(&w, &e);
    }
    char sid[SK_SID_MAX];
    if (!sk_sd_owner(data, size, sid) && strlen(sid) >= SK_SID_MAX) __builtin_trap();
    sk_buf_free(&b);
    sk_arena_free(a);
    return 0;
}
