/* Unit tests: sk_buf and sk_arena. */
#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <stdalign.h>

#include "sk_test.h"

static void buf_append_and_cap(void)
{
    sk_buf b;
    sk_buf_init(&b, 10);
    CHECK_INT(sk_buf_puts(&b, "hello"), 0);
    CHECK_INT(sk_buf_puts(&b, "world"), 0);
    CHECK_STR(b.data, "helloworld");
    CHECK_INT(sk_buf_putc(&b, '!'), SK_ELIMIT); /* cap of 10 */
    CHECK_STR(b.data, "helloworld");           /* unchanged by the failed call */
    CHECK_INT(b.len, 10);
    sk_buf_truncate(&b, 5);
    CHECK_STR(b.data, "hello");
    sk_buf_free(&b);
    CHECK(b.data == NULL);
}

static void buf_numbers(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_buf_put_i64(&b, INT64_MIN);
    sk_buf_putc(&b, ' ');
    sk_buf_put_u64(&b, UINT64_MAX);
    sk_buf_putc(&b, ' ');
    sk_buf_put_i64(&b, 0);
    sk_buf_putc(&b, ' ');
    const uint8_t h[3] = {0x00, 0xab, 0xff};
    sk_buf_put_hex(&b, h, 3);
    CHECK_STR(b.data, "-9223372036854775808 18446744073709551615 0 00abff");
    sk_buf_free(&b);
}

static void buf_printf_long(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(sk_buf_printf(&b, "<%s|%d>", big, 42), 0);
    CHECK_INT(b.len, 999 + 5);
    CHECK(b.data[0] == '<' && b.data[b.len - 1] == '>');
    size_t n;
    char *d = sk_buf_detach(&b, &n);
    CHECK_INT(n, 1004);
    CHECK(b.data == NULL && b.len == 0);
    free(d);
    d = sk_buf_detach(&b, &n); /* empty buffer detaches as "" */
    CHECK(d && d[0] == '\0' && n == 0);
    free(d);
}

static void arena_basics(void)
{
    sk_arena *a;
    CHECK_INT(sk_arena_new(&a, 1024, 8192), 0);
    void *p1 = sk_arena_alloc(a, 3), *p2 = sk_arena_alloc(a, 5);
    CHECK(p1 && p2 && p1 != p2);
    CHECK(((uintptr_t)p2 % alignof(max_align_t)) == 0);
    char *s = sk_arena_strndup(a, "abcdef", 3);
    CHECK_STR(s, "abc");
    int *z = sk_arena_calloc(a, 10, sizeof(int));
    CHECK(z && z[0] == 0 && z[9] == 0);
    CHECK(sk_arena_calloc(a, SIZE_MAX / 2, 4) == NULL); /* overflow refused */
    void *big = sk_arena_alloc(a, 4000); /* bigger than a block: own block */
    CHECK(big != NULL);
    CHECK(sk_arena_alloc(a, 8000) == NULL); /* cap of 8192 */
    CHECK_INT(sk_error_last_code(), SK_ELIMIT);
    sk_arena_reset(a);
    CHECK_INT(sk_arena_used(a), 0);
    CHECK(sk_arena_alloc(a, 100) != NULL);
    sk_arena_free(a);
    sk_arena_free(NULL);
}

static void error_messages_one_line(void)
{
    CHECK_INT(sk_error_set(SK_EFORMAT, "bad name '%s' at %d", "a\nb\x1b[2Jc", 7), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "bad name 'a\\x0ab\\x1b[2Jc' at 7");
    CHECK_INT(sk_error_last_code(), SK_EFORMAT);
    sk_error_prefix(SK_EIO, "file.evtx");
    CHECK_STR(sk_error_last(), "file.evtx: bad name 'a\\x0ab\\x1b[2Jc' at 7");
    char big[2000];
    memset(big, '\x01', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sk_error_set(SK_EFORMAT, "%s", big); /* expansion is cut, never overflows */
    CHECK(strlen(sk_error_last()) < SK_ERROR_MAX);
    CHECK(strncmp(sk_error_last(), "\\x01\\x01", 8) == 0);
    sk_error_clear();
    CHECK_STR(sk_error_last(), "");
    CHECK_STR(sk_error_name(SK_ELIMIT), "SK_ELIMIT");
}

SK_TEST_MAIN(T(error_messages_one_line), T(buf_append_and_cap), T(buf_numbers), T(buf_printf_long), T(arena_basics))
