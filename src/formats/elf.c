/*
 * elf.c - the ELF reader (see sakimori/elf.h): e_type, e_machine, and the
 * NT_GNU_BUILD_ID note found through the program headers (PT_NOTE) or, for files
 * without them (relocatable objects), the section headers (SHT_NOTE). 32- and 64-bit,
 * either byte order; every offset checked against the bytes present.
 */
#include <stdio.h>
#include <string.h>

#include <sakimori/bytes.h>
#include <sakimori/elf.h>

typedef struct elf {
    const uint8_t *d;
    size_t len;
    int is64, be;
} elf;

static int rd(const elf *e, uint64_t off, unsigned n, uint64_t *v)
{
    if (off > e->len || e->len - off < n) return -1;
    const uint8_t *p = e->d + off;
    *v = n == 8 ? (e->be ? sk_be64(p) : sk_le64(p)) : n == 4 ? (e->be ? sk_be32(p) : sk_le32(p))
       : n == 2 ? (e->be ? sk_be16(p) : sk_le16(p)) : p[0];
    return 0;
}

/* a word: 4 bytes in ELF32, 8 in ELF64 (addresses, offsets, sizes) */
static int word(const elf *e, uint64_t off, uint64_t *v)
{
    return rd(e, off, e->is64 ? 8 : 4, v);
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case 2: return "SPARC";
    case 3: return "I386";
    case 8: return "MIPS";
    case 20: return "PPC";
    case 21: return "PPC64";
    case 22: return "S390";
    case 40: return "ARM";
    case 43: return "SPARCV9";
    case 50: return "IA_64";
    case 62: return "X86_64";
    case 183: return "AARCH64";
    case 243: return "RISCV";
    case 258: return "LOONGARCH";
    default: return NULL;
    }
}

/* Look through one note area for NT_GNU_BUILD_ID. 1 when found. */
static int notes(const elf *e, uint64_t off, uint64_t size, sk_elf_identity *id)
{
    if (off > e->len) return 0;
    if (size > e->len - off) size = e->len - off;
    uint64_t p = off, end = off + size;
    while (end - p >= 12) {
        uint64_t namesz = 0, descsz = 0, type = 0;
        rd(e, p, 4, &namesz);
        rd(e, p + 4, 4, &descsz);
        rd(e, p + 8, 4, &type);
        uint64_t name = p + 12, desc = name + ((namesz + 3) & ~(uint64_t)3);
        if (namesz > end - name || desc > end || descsz > end - desc) return 0;
        if (type == 3 && namesz == 4 && !memcmp(e->d + name, "GNU", 4) && descsz > 0 && descsz <= 64) {
            for (uint64_t i = 0; i < descsz; i++) snprintf(id->build_id + 2 * i, 3, "%02x", e->d[desc + i]);
            return 1;
        }
        uint64_t next = desc + ((descsz + 3) & ~(uint64_t)3);
        if (next <= p || next > end) return 0;
        p = next;
    }
    return 0;
}

int sk_elf_is_elf(const uint8_t *d, size_t len)
{
    return len >= 4 && !memcmp(d, "\x7f" "ELF", 4);
}

int sk_elf_parse(const uint8_t *d, size_t len, sk_elf_identity *id)
{
    memset(id, 0, sizeof *id);
    if (!sk_elf_is_elf(d, len)) return SK_EFORMAT;
    elf e = {d, len, 0, 0};
    if (len < 20 || (d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2)) {
        id->errors[id->n_errors++] = "ELF header: unknown class or byte order";
        return 0;
    }
    e.is64 = d[4] == 2;
    e.be = d[5] == 2;
    uint64_t type = 0, mach = 0;
    rd(&e, 16, 2, &type);
    rd(&e, 18, 2, &mach);
    static const char *const types[] = {"OTHER", "REL", "EXEC", "DYN", "CORE"};
    id->type = type <= 4 ? types[type] : "OTHER";
    const char *mn = machine_name((unsigned)mach);
    if (mn)
        snprintf(id->machine, sizeof id->machine, "%s", mn);
    else
        snprintf(id->machine, sizeof id->machine, "0x%x", (unsigned)mach);
    uint64_t phoff, shoff, phentsize, phnum, shentsize, shnum;
    if (word(&e, e.is64 ? 32 : 28, &phoff) || word(&e, e.is64 ? 40 : 32, &shoff) ||
        rd(&e, e.is64 ? 54 : 42, 2, &phentsize) || rd(&e, e.is64 ? 56 : 44, 2, &phnum) ||
        rd(&e, e.is64 ? 58 : 46, 2, &shentsize) || rd(&e, e.is64 ? 60 : 48, 2, &shnum)) {
        id->errors[id->n_errors++] = "ELF header truncated";
        return 0;
    }
    int found = 0;
    if (phoff && phnum && phentsize >= (e.is64 ? 56u : 32u)) {
        for (uint64_t i = 0; i < phnum && !found; i++) {
            uint64_t ph = phoff + i * phentsize, pt, off, sz;
            if (rd(&e, ph, 4, &pt)) {
                id->errors[id->n_errors++] = "program headers run past the end of the file";
                break;
            }
            if (pt != 4) continue; /* PT_NOTE */
            if (word(&e, ph + (e.is64 ? 8 : 4), &off) || word(&e, ph + (e.is64 ? 32 : 16), &sz)) break;
            found = notes(&e, off, sz, id);
        }
    }
    if (!found && shoff && shnum && shentsize >= (e.is64 ? 64u : 40u)) {
        for (uint64_t i = 0; i < shnum && !found; i++) {
            uint64_t sh = shoff + i * shentsize, st, off, sz;
            if (rd(&e, sh + 4, 4, &st)) {
                if (id->n_errors < 4) id->errors[id->n_errors++] = "section headers run past the end of the file";
                break;
            }
            if (st != 7) continue; /* SHT_NOTE */
            if (word(&e, sh + (e.is64 ? 24 : 16), &off) || word(&e, sh + (e.is64 ? 32 : 20), &sz)) break;
            found = notes(&e, off, sz, id);
        }
    }
    return 0;
}
