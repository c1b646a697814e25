/*
 * test_pe: the PE and ELF readers on images built here byte by byte: the imphash of
 * named and by-ordinal imports (ws2_32's ordinal 23 is socket), lower-casing and the
 * dropped extension; not-a-PE; truncation reported as parse errors, never a crash; the
 * overlay; an ELF build-id through PT_NOTE.
 */
#include <sakimori/arena.h>
#include <sakimori/digest.h>
#include <sakimori/elf.h>
#include <sakimori/pe.h>

#include <openssl/evp.h>

#include "sk_test.h"

static void w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
    w16(p, (uint16_t)v), w16(p + 2, (uint16_t)(v >> 16));
}

/* PE32, one section .idata at RVA 0x1000 / file 0x200, imports from KERNEL32.dll
 * (ExitProcess by name) and WS2_32.dll (ordinal 23), then `overlay` bytes. */
static size_t build_pe(uint8_t *f, size_t overlay)
{
    memset(f, 0, 0x400 + overlay);
    f[0] = 'M', f[1] = 'Z';
    w32(f + 0x3c, 0x40);
    memcpy(f + 0x40, "PE\0\0", 4);
    uint8_t *coff = f + 0x44;
    w16(coff, 0x14c);
    w16(coff + 2, 1);
    w16(coff + 16, 0xe0);
    w16(coff + 18, 0x102);
    uint8_t *opt = coff + 20;
    w16(opt, 0x10b);
    w32(opt + 32, 0x1000);
    w32(opt + 36, 0x200);
    w32(opt + 56, 0x2000);
    w32(opt + 60, 0x200);
    w16(opt + 68, 3);
    w32(opt + 92, 16);
    w32(opt + 96 + 8, 0x1000); /* import directory */
    w32(opt + 96 + 12, 60);
    uint8_t *sec = opt + 0xe0;
    memcpy(sec, ".idata\0\0", 8);
    w32(sec + 8, 0x200);
    w32(sec + 12, 0x1000);
    w32(sec + 16, 0x200);
    w32(sec + 20, 0x200);
    w32(sec + 36, 0xC0000040);
    uint8_t *s = f + 0x200; /* RVA 0x1000 */
    w32(s + 0, 0x1100), w32(s + 12, 0x1180), w32(s + 16, 0x1140);
    w32(s + 20, 0x1120), w32(s + 32, 0x1190), w32(s + 36, 0x1150);
    w32(s + 0x100, 0x11a0), w32(s + 0x140, 0x11a0);
    w32(s + 0x120, 0x80000017), w32(s + 0x150, 0x80000017);
    memcpy(s + 0x180, "KERNEL32.dll", 12);
    memcpy(s + 0x190, "WS2_32.dll", 10);
    memcpy(s + 0x1a2, "ExitProcess", 11);
    for (size_t i = 0; i < overlay; i++) f[0x400 + i] = (uint8_t)i;
    return 0x400 + overlay;
}

static void md5_hex(const char *s, char out[33])
{
    uint8_t d[16];
    unsigned n;
    EVP_Digest(s, strlen(s), d, &n, EVP_md5(), NULL);
    sk_hex(out, d, 16);
}

static void imphash_and_overlay(void)
{
    static uint8_t f[0x400 + 100];
    size_t n = build_pe(f, 100);
    sk_arena *a;
    CHECK(!sk_arena_new(&a, 0, 1 << 20));
    sk_pe_identity id;
    CHECK_INT(sk_pe_parse(f, n, n, a, &id), 0);
    char want[33];
    md5_hex("kernel32.exitprocess,ws2_32.socket", want);
    CHECK_STR(id.imphash, want);
    CHECK_INT(id.imports, 2);
    CHECK_INT(id.machine, 0x14c);
    CHECK_INT(id.subsystem, 3);
    CHECK_INT(id.n_sections, 1);
    CHECK_STR(id.sections[0].name, ".idata");
    CHECK(id.has_overlay);
    CHECK_INT(id.overlay_offset, 0x400);
    CHECK_INT(id.overlay_size, 100);
    CHECK_INT(id.n_errors, 0);
    sk_signature sig;
    CHECK_INT(sk_pe_authenticode(f, n, a, &sig), 0);
    CHECK_INT(sig.status, SK_SIG_NONE);
    sk_arena_free(a);
}

static void not_pe_and_truncated(void)
{
    static uint8_t f[0x400];
    size_t n = build_pe(f, 0);
    sk_arena *a;
    CHECK(!sk_arena_new(&a, 0, 1 << 20));
    sk_pe_identity id;
    CHECK_INT(sk_pe_parse((const uint8_t *)"MZ", 2, 2, a, &id), SK_EFORMAT);
    CHECK_INT(sk_pe_parse((const uint8_t *)"hello world, not a PE at all......................................", 64, 64, a, &id),
              SK_EFORMAT);
    /* every prefix: an identity or "not a PE", with the trouble named, never a crash */
    size_t with_errors = 0;
    for (size_t len = 0; len <= n; len += 7) {
        int rc = sk_pe_parse(f, len, n, a, &id);
        CHECK(rc == 0 || rc == SK_EFORMAT);
        if (!rc && id.n_errors) with_errors++;
    }
    CHECK(with_errors > 0);
    /* an import name table pointing outside the file */
    w32(f + 0x200 + 0x100, 0x7ffff000);
    w32(f + 0x200 + 0x140, 0x7ffff000);
    CHECK_INT(sk_pe_parse(f, n, n, a, &id), 0);
    CHECK(id.n_errors > 0);
    sk_arena_free(a);
}

static void elf_build_id(void)
{
    uint8_t e[256];
    memset(e, 0, sizeof e);
    memcpy(e, "\x7f" "ELF", 4);
    e[4] = 2, e[5] = 1, e[6] = 1;
    w16(e + 16, 3);     /* DYN */
    w16(e + 18, 62);    /* x86-64 */
    w32(e + 32, 64);    /* e_phoff */
    w16(e + 54, 56);    /* e_phentsize */
    w16(e + 56, 1);     /* e_phnum */
    uint8_t *ph = e + 64;
    w32(ph, 4);          /* PT_NOTE */
    w32(ph + 8, 128);    /* p_offset */
    w32(ph + 32, 36);    /* p_filesz */
    uint8_t *note = e + 128;
    w32(note, 4), w32(note + 4, 20), w32(note + 8, 3);
    memcpy(note + 12, "GNU", 4);
    for (int i = 0; i < 20; i++) note[16 + i] = (uint8_t)(0xa0 + i);
    sk_elf_identity id;
    CHECK_INT(sk_elf_parse(e, sizeof e, &id), 0);
    CHECK_STR(id.type, "DYN");
    CHECK_STR(id.machine, "X86_64");
    CHECK_STR(id.build_id, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
    CHECK_INT(sk_elf_parse((const uint8_t *)"MZ..", 4, &id), SK_EFORMAT);
    CHECK_INT(sk_elf_parse(e, 40, &id), 0); /* truncated: reported, not trusted */
    CHECK(id.n_errors > 0);
}

SK_TEST_MAIN(T(imphash_and_overlay), T(not_pe_and_truncated), T(elf_build_id))
