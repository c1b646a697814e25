/*
 * sakimori/elf.h - the ELF reader: type, machine and GNU build-id of an ELF file,
 * from the System V gABI. Bounded by the bytes given; hostile headers are reported,
 * never trusted.
 */
#ifndef SAKIMORI_ELF_H
#define SAKIMORI_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 1 when the bytes start with the ELF magic. */
int sk_elf_is_elf(const uint8_t *d, size_t len);

/** Parse d[0, len). Returns 0 (problems in id->errors) or SK_EFORMAT when not ELF. */
int sk_elf_parse(const uint8_t *d, size_t len, sk_elf_identity *id);

#ifdef __cplusplus
}
#endif

#endif
