/* Unit tests: interned strings (sakimori/strtab.h): dense ids in first-seen order, the
 * same bytes the same id, lengths explicit (a NUL inside counts, a prefix is another
 * string), the empty string, many strings. */
#include <sakimori/strtab.h>

#include "sk_test.h"

static void ids(void)
{
    sk_strtab *t = NULL;
    CHECK_INT(sk_strtab_new(&t), 0);
    uint32_t a = 9, b = 9, c = 9, d = 9, e = 9, f = 9;
    CHECK_INT(sk_strtab_intern(t, "host-a", 6, &a), 0);
    CHECK_INT(sk_strtab_intern(t, "host-b", 6, &b), 0);
    CHECK_INT(sk_strtab_intern(t, "host-a", 6, &c), 0);
    CHECK_INT(sk_strtab_intern(t, "host", 4, &d), 0);      /* a prefix: another string */
    CHECK_INT(sk_strtab_intern(t, "ho\0st", 5, &e), 0);    /* a NUL inside: all five bytes */
    CHECK_INT(sk_strtab_intern(t, "", 0, &f), 0);
    CHECK_INT(a, 0);
    CHECK_INT(b, 1);
    CHECK_INT(c, 0);
    CHECK_INT(d, 2);
    CHECK_INT(e, 3);
    CHECK_INT(f, 4);
    CHECK_INT(sk_strtab_count(t), 5);
    CHECK_STR(sk_strtab_get(t, 1), "host-b");
    CHECK_STR(sk_strtab_get(t, 4), "");
    CHECK(sk_strtab_get(t, 5) == NULL);
    char buf[32];
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(buf, sizeof buf, "name-%d", i % 5000);
        uint32_t id;
        CHECK_INT(sk_strtab_intern(t, buf, (size_t)n, &id), 0);
        if (i >= 5000 && id != (uint32_t)(5 + i % 5000)) CHECK(0);
    }
    CHECK_INT(sk_strtab_count(t), 5005);
    sk_strtab_free(t);
}

SK_TEST_MAIN(T(ids))
