/* Unit tests: the thread-local last error - one line, safe for a terminal, whatever it quotes. */
#include <string.h>

#include <sakimori/common.h>

#include "sk_test.h"

static void one_line_and_safe(void)
{
    CHECK_INT(sk_error_set(SK_EFORMAT, "x.log:3: name '%s'", "a\nb\x1b[2Jc\x7f"), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "x.log:3: name 'a\\x0ab\\x1b[2Jc\\x7f'");
    CHECK_INT(sk_error_last_code(), SK_EFORMAT);
    /* C1 controls (NEL U+0085, CSI U+009B) and the Unicode line/paragraph separators */
    sk_error_set(SK_EFORMAT, "%s", "a\xc2\x85" "b\xc2\x9b" "c\xe2\x80\xa8" "d\xe2\x80\xa9" "e");
    CHECK_STR(sk_error_last(), "a\\u0085b\\u009bc\\u2028d\\u2029e");
    /* ordinary non-ASCII stays as it is; bytes that are not UTF-8 are shown, not passed */
    sk_error_set(SK_EIO, "%s", "\xe6\x97\xa5\xe6\x9c\xac \xff\xc3(");
    CHECK_STR(sk_error_last(), "\xe6\x97\xa5\xe6\x9c\xac \\xff\\xc3(");
}

static void aliasing_and_prefix(void)
{
    sk_error_set(SK_EIO, "inner: %s", "why");
    sk_error_set(SK_ENOTFOUND, "outer (%s)", sk_error_last()); /* its own message as an argument */
    CHECK_STR(sk_error_last(), "outer (inner: why)");
    sk_error_prefix(SK_EIO, "file.json");
    CHECK_STR(sk_error_last(), "file.json: outer (inner: why)");
    CHECK_INT(sk_error_last_code(), SK_EIO);
    sk_error_clear();
    CHECK_STR(sk_error_last(), "");
    CHECK_INT(sk_error_last_code(), SK_OK);
}

static void long_messages_cut(void)
{
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sk_error_set(SK_ELIMIT, "%s", big);
    size_t n = strlen(sk_error_last());
    CHECK(n < SK_ERROR_MAX && n > SK_ERROR_MAX - 8);
    CHECK(!strcmp(sk_error_last() + n - 3, "..."));
    /* escaping that would overflow is cut at a whole escape, with "..." */
    char ctl[400];
    memset(ctl, '\n', sizeof ctl - 1);
    ctl[sizeof ctl - 1] = '\0';
    sk_error_set(SK_EFORMAT, "%s", ctl);
    n = strlen(sk_error_last());
    CHECK(n < SK_ERROR_MAX && !strcmp(sk_error_last() + n - 3, "..."));
    CHECK(!strncmp(sk_error_last() + n - 7, "\\x0a...", 7));
}

SK_TEST_MAIN(T(one_line_and_safe), T(aliasing_and_prefix), T(long_messages_cut))
