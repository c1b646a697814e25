/*
 * sid.c - SIDs and the owner of a self-relative security descriptor (sakimori/sid.h).
 * SID: Revision (1), SubAuthorityCount (1, at most 15), IdentifierAuthority (6, big
 * endian), SubAuthority[count] (4 each, little endian). Security descriptor: Revision
 * (1), Sbz1 (1), Control (2, SE_SELF_RELATIVE 0x8000), OffsetOwner (4), OffsetGroup,
 * OffsetSacl, OffsetDacl.
 */
#include <stdio.h>
#include <string.h>

#include <sakimori/bytes.h>
#include <sakimori/buf.h>
#include <sakimori/sid.h>

int sk_sid_format(const uint8_t *sid, size_t n, char out[SK_SID_MAX])
{
    out[0] = '\0';
    if (n < 8 || sid[0] != 1 || sid[1] > 15 || n < 8 + 4 * (size_t)sid[1]) return SK_EFORMAT;
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++) auth = auth << 8 | sid[i];
    /* at most "S-1-" + 15 digits + 15 x ("-" + 10 digits) = 184 < SK_SID_MAX */
    char *o = out;
    memcpy(o, "S-1-", 4);
    o = sk_dec_u64(o + 4, auth);
    for (unsigned k = 0; k < sid[1]; k++) {
        const uint8_t *p = sid + 8 + 4 * k;
        *o++ = '-';
        o = sk_dec_u64(o, sk_le32(p));
    }
    *o = '\0';
    return 0;
}

int sk_sd_owner(const uint8_t *sd, size_t n, char out[SK_SID_MAX])
{
    out[0] = '\0';
    if (n < 20 || sd[0] != 1 || !(sd[3] & 0x80)) return SK_EFORMAT; /* revision 1, self-relative */
    uint32_t off = sk_le32(sd + 4);
    if (!off || off >= n) return SK_EFORMAT;
    return sk_sid_format(sd + off, n - off, out);
}
