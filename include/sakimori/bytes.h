/*
 * sakimori/bytes.h - fixed-width integers from byte buffers, little- and big-endian.
 *
 * The one place the binary readers (EVTX, PE, ELF, SIDs and security descriptors,
 * Authenticode, NTFS times) turn bytes into integers: byte by byte, so alignment and
 * the host's byte order never matter. These read exactly the bytes named; the caller
 * has checked that they are inside its buffer (a cursor and an end, never a length
 * field it was given).
 */
#ifndef SAKIMORI_BYTES_H
#define SAKIMORI_BYTES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline uint16_t sk_le16(const uint8_t *p) { return (uint16_t)(p[0] | (unsigned)p[1] << 8); }
static inline uint32_t sk_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t sk_le64(const uint8_t *p) { return (uint64_t)sk_le32(p) | (uint64_t)sk_le32(p + 4) << 32; }
static inline uint16_t sk_be16(const uint8_t *p) { return (uint16_t)((unsigned)p[0] << 8 | p[1]); }
static inline uint32_t sk_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t sk_be64(const uint8_t *p) { return (uint64_t)sk_be32(p) << 32 | sk_be32(p + 4); }

#ifdef __cplusplus
}
#endif
#endif
