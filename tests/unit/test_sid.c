/*
 * test_sid: SIDs and the owner of a self-relative security descriptor, as ntfs-3g
 * exposes them, built here byte by byte; malformed ones refused, never over-read.
 */
#include <sakimori/sid.h>

#include "sk_test.h"

static size_t put_sid(uint8_t *p, uint64_t auth, const uint32_t *sub, unsigned n)
{
    p[0] = 1, p[1] = (uint8_t)n;
    for (int i = 0; i < 6; i++) p[2 + i] = (uint8_t)(auth >> (8 * (5 - i)));
    for (unsigned k = 0; k < n; k++)
        for (int b = 0; b < 4; b++) p[8 + 4 * k + b] = (uint8_t)(sub[k] >> (8 * b));
    return 8 + 4 * n;
}

static void owner_of_descriptor(void)
{
    uint8_t sd[128] = {1, 0, 0x04, 0x80}; /* revision 1, SE_DACL_PRESENT | SE_SELF_RELATIVE */
    uint32_t owner[] = {21, 1004336348, 1177238915, 682003330, 500}, group[] = {32, 544};
    size_t o = 20;
    sd[4] = (uint8_t)o;
    o += put_sid(sd + o, 5, owner, 5);
    sd[8] = (uint8_t)o;
    o += put_sid(sd + o, 5, group, 2);
    char s[SK_SID_MAX];
    CHECK_INT(sk_sd_owner(sd, o, s), 0);
    CHECK_STR(s, "S-1-5-21-1004336348-1177238915-682003330-500");
    CHECK_INT(sk_sid_format(sd + 20 + 28, 16, s), 0);
    CHECK_STR(s, "S-1-5-32-544");
    /* the largest: authority 2^48-1, 15 sub-authorities of 2^32-1 */
    uint32_t big[15];
    for (int i = 0; i < 15; i++) big[i] = 0xffffffffu;
    uint8_t b[8 + 60];
    put_sid(b, 0xffffffffffffull, big, 15);
    CHECK_INT(sk_sid_format(b, sizeof b, s), 0);
    CHECK(strlen(s) < SK_SID_MAX && !strncmp(s, "S-1-281474976710655-4294967295", 30));
}

static void malformed(void)
{
    char s[SK_SID_MAX];
    uint8_t sd[40] = {1, 0, 0x04, 0x80, 20, 0, 0, 0};
    uint32_t sub[] = {18};
    put_sid(sd + 20, 5, sub, 1);
    CHECK_INT(sk_sd_owner(sd, 32, s), 0);
    CHECK_STR(s, "S-1-5-18");
    CHECK_INT(sk_sd_owner(sd, 31, s), SK_EFORMAT); /* the SID runs past the end */
    CHECK_INT(sk_sd_owner(sd, 19, s), SK_EFORMAT);
    sd[3] = 0; /* not self-relative: offsets mean pointers */
    CHECK_INT(sk_sd_owner(sd, 32, s), SK_EFORMAT);
    sd[3] = 0x80;
    sd[4] = 200; /* owner past the end */
    CHECK_INT(sk_sd_owner(sd, 32, s), SK_EFORMAT);
    sd[4] = 0; /* no owner */
    CHECK_INT(sk_sd_owner(sd, 32, s), SK_EFORMAT);
    sd[4] = 20;
    sd[21] = 16; /* 16 sub-authorities: more than a SID has */
    CHECK_INT(sk_sd_owner(sd, 40, s), SK_EFORMAT);
    CHECK_STR(s, "");
}

SK_TEST_MAIN(T(owner_of_descriptor), T(malformed))
