/* Unit tests: UTF-8/UTF-16 and output escaping. */
#include <sakimori/escape.h>
#include <sakimori/utf.h>

#include "sk_test.h"

static void utf8_decode_cases(void)
{
    uint32_t cp;
    CHECK_INT(sk_utf8_decode((const uint8_t *)"A", 1, &cp, 0), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xe6\x97\xa5", 3, &cp, 0), 3); /* 日 */
    CHECK_INT(cp, 0x65E5);
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp, 0), 4);
    CHECK_INT(cp, 0x1F600);
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xc0\xaf", 2, &cp, 0), 0);     /* overlong '/' */
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xe0\x80\xaf", 3, &cp, 0), 0); /* overlong */
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xe6\x97", 2, &cp, 0), 0);     /* truncated */
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xf4\x90\x80\x80", 4, &cp, 0), 0); /* > 10FFFF */
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xed\xa0\x80", 3, &cp, 0), 0); /* surrogate */
    CHECK_INT(sk_utf8_decode((const uint8_t *)"\xed\xa0\x80", 3, &cp, 1), 3); /* WTF-8 ok */
    CHECK_INT(cp, 0xD800);
    CHECK(sk_utf8_valid((const uint8_t *)"plain \xe6\x97\xa5", 9));
    CHECK(!sk_utf8_valid((const uint8_t *)"bad \xff", 5));
}

static void utf16_conversion(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    /* "A", U+65E5, U+1F600 as a pair, a lone high surrogate, "B", NUL, "C" */
    const uint8_t in[] = {'A', 0, 0xE5, 0x65, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 'B', 0, 0, 0, 'C', 0};
    CHECK_INT(sk_utf16le_to_utf8(&b, in, 8, 1), 0);
    CHECK_STR(b.data, "A\xe6\x97\xa5\xf0\x9f\x98\x80\xed\xa0\x80" "B");
    sk_buf_reset(&b);
    CHECK_INT(sk_utf16le_to_utf8(&b, in, 8, 0), 0);
    CHECK_INT(b.len, 1 + 3 + 4 + 3 + 1 + 1 + 1);
    /* a high surrogate as the very last unit stays lone */
    sk_buf_reset(&b);
    const uint8_t tail[] = {0x3D, 0xD8};
    CHECK_INT(sk_utf16le_to_utf8(&b, tail, 1, 0), 0);
    CHECK_STR(b.data, "\xed\xa0\xbd");
    sk_buf_free(&b);
}

static void fold_case(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char *in = "C:\\Windows\\System32\\PowerShell.EXE \xc3\x89\xd0\x96\xef\xbc\xa1";
    CHECK_INT(sk_utf8_fold_case(&b, in, strlen(in)), 0);
    CHECK_STR(b.data, "c:\\windows\\system32\\powershell.exe \xc3\xa9\xd0\xb6\xef\xbd\x81");
    sk_buf_free(&b);
}

static void escape_terminal(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char *in = "a\x1b[31mred\\ \xe2\x80\xae" "exe.txt \xff\n";
    CHECK_INT(sk_escape_terminal(&b, in, strlen(in)), 0);
    CHECK_STR(b.data, "a\\x1b[31mred\\\\ \\u202eexe.txt \\xff\\x0a");
    sk_buf_reset(&b);
    CHECK_INT(sk_escape_terminal(&b, "\xe6\x97\xa5\xe6\x9c\xac", 6), 0); /* Japanese passes */
    CHECK_STR(b.data, "\xe6\x97\xa5\xe6\x9c\xac");
    sk_buf_reset(&b);
    const char *msg = "C:\\Windows \x1b \xe2\x80\xae";
    CHECK_INT(sk_escape_terminal_ex(&b, msg, strlen(msg), SK_ESC_KEEP_BACKSLASH), 0);
    CHECK_STR(b.data, "C:\\Windows \\x1b \\u202e");
    sk_buf_free(&b);
}

static void escape_csv(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
        {"-2+3", "'-2+3"},
        {"@SUM(1)", "'@SUM(1)"},
        {"line1\nline2", "\"line1\nline2\""},
        {"bell\a", "bell\\x07"},
        {" lead", "\" lead\""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_buf_reset(&b);
        CHECK_INT(sk_escape_csv(&b, cases[i].in, strlen(cases[i].in)), 0);
        CHECK_STR(b.data ? b.data : "", cases[i].out);
    }
    sk_buf_free(&b);
}

static void escape_html(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char in[] = "<script>alert('x&y')</script>\"\0z";
    CHECK_INT(sk_escape_html(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.data, "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;&#xFFFD;z");
    sk_buf_free(&b);
}

SK_TEST_MAIN(T(utf8_decode_cases), T(utf16_conversion), T(fold_case), T(escape_terminal),
             T(escape_csv), T(escape_html))
