/*
 * sakimori/sid.h - Windows security identifiers in security descriptors, as an NTFS
 * volume mounted with ntfs-3g exposes them (the system.ntfs_acl extended attribute:
 * a self-relative SECURITY_DESCRIPTOR, [MS-DTYP] 2.4.6). Hostile bytes: every offset
 * and count is checked.
 */
#ifndef SAKIMORI_SID_H
#define SAKIMORI_SID_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest SID text, with NUL: "S-1-" + 48-bit authority + 15 sub-authorities. */
#define SK_SID_MAX 192

/** The SID at sid[0, n) as text ("S-1-5-32-544"). Returns 0 or SK_EFORMAT. */
int sk_sid_format(const uint8_t *sid, size_t n, char out[SK_SID_MAX]);

/** The owner SID of a self-relative security descriptor. Returns 0, or SK_EFORMAT
 * (malformed, or no owner). */
int sk_sd_owner(const uint8_t *sd, size_t n, char out[SK_SID_MAX]);

#ifdef __cplusplus
}
#endif

#endif
