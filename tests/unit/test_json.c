/* Unit tests: JSON writer and reader, including lossless escaping and exact error text. */
#include <math.h>

#include <sakimori/json.h>

#include "sk_test.h"

static void writer_basics(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "s", "a\"b\\c\n\t\x01");
    sk_jw_kv_i64(&w, "i", -42);
    sk_jw_kv_u64(&w, "u", UINT64_MAX);
    sk_jw_kv_bool(&w, "t", 1);
    sk_jw_key(&w, "d");
    sk_jw_double(&w, 0.1);
    sk_jw_key(&w, "nan");
    sk_jw_double(&w, NAN);
    sk_jw_key(&w, "a");
    sk_jw_array_begin(&w);
    sk_jw_null(&w);
    sk_jw_array_begin(&w);
    sk_jw_array_end(&w);
    const uint8_t h[2] = {0xde, 0xad};
    sk_jw_hex(&w, h, 2);
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    CHECK_INT(sk_jw_error(&w), 0);
    CHECK_STR(b.data, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\",\"i\":-42,\"u\":18446744073709551615,"
                      "\"t\":true,\"d\":0.1,\"nan\":null,\"a\":[null,[],\"dead\"]}");
    sk_buf_free(&b);
}

static void writer_lossless_strings(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    /* valid UTF-8 passes; a WTF-8 lone surrogate's three bytes and a raw 0xff byte are
     * written as their surrogateescapes (issue #11: Debian's jq stops at "\ud800 ") */
    const char in[] = "\xe6\x97\xa5 \xed\xa0\x80 \xff \x7f";
    CHECK_INT(sk_json_escape(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.data, "\"\xe6\x97\xa5 \\udced\\udca0\\udc80 \\udcff \x7f\"");
    /* ...and the reader brings every byte back */
    sk_json_doc *d;
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "t", NULL), 0);
    size_t n;
    const char *s = sk_json_string(sk_json_doc_root(d), &n);
    CHECK(n == sizeof in - 1 && memcmp(s, in, n) == 0);
    sk_json_doc_free(d);
    sk_buf_free(&b);
}

/* issue #10: C1 controls (NEL among them) and U+2028/U+2029 are escaped - they end a
 * JavaScript string literal and drive terminals - and read back as the same characters;
 * U+00A0 just after the C1 block passes */
static void writer_c1_and_separators(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char in[] = "a\xc2\x85" "b\xc2\x80\xc2\x9b[31m\xc2\x9f\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\xc2\xa0";
    CHECK_INT(sk_json_escape(&b, in, sizeof in - 1), 0);
    CHECK_STR(b.data, "\"a\\u0085b\\u0080\\u009b[31m\\u009f\\u2028\\u2029\xe2\x80\xa7\xc2\xa0\"");
    sk_json_doc *d;
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "t", NULL), 0);
    size_t n;
    const char *s = sk_json_string(sk_json_doc_root(d), &n);
    CHECK(n == sizeof in - 1 && memcmp(s, in, n) == 0);
    sk_json_doc_free(d);
    /* keys go through the same escaper */
    sk_buf_reset(&b);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "k\xe2\x80\xa8", "v");
    sk_jw_object_end(&w);
    CHECK_STR(b.data, "{\"k\\u2028\":\"v\"}");
    sk_buf_free(&b);
}

/* the time quality as records write it: names in bit order, nothing for plain UTC */
static void writer_time_quality(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_object_begin(&w);
    sk_jw_kv_time_quality(&w, "a", 0);
    sk_jw_kv_time_quality(&w, "b", SK_TQ_UTC);
    sk_jw_kv_time_quality(&w, "c", SK_TQ_ZONE | SK_TQ_SECONDS);
    sk_jw_kv_time_quality(&w, "d", SK_TQ_MISSING | SK_TQ_RECORD_WRITTEN);
    sk_jw_kv_time_quality(&w, "e", SK_TQ_UTC | SK_TQ_UNPARSED);
    sk_jw_object_end(&w);
    CHECK_INT(sk_jw_error(&w), 0);
    CHECK_STR(b.data, "{\"c\":[\"zone\",\"seconds\"],\"d\":[\"missing\",\"record_written\"],\"e\":[\"utc\",\"unparsed\"]}");
    sk_buf_free(&b);
}

/* found by fuzz_json: a lone high surrogate followed by a low-surrogate escape must
 * not turn into a pair when read back */
static void writer_no_accidental_pairs(void)
{
    const char *cases[] = {"\xed\xa0\x80\x9a", "\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xff x",
                           /* a run of two highs before an invalid byte (second fuzz find) */
                           "\xed\xa8\x80\xed\xab\xbf\xb4"};
    const char *want[] = {"\"\\udced\\udca0\\udc80\\udc9a\"", "\"\\udced\\udca0\\udc80\\udced\\udcb0\\udc80\"",
                          "\"\\udced\\udca0\\udc80\\udcff x\"",
                          "\"\\udced\\udca8\\udc80\\udced\\udcab\\udcbf\\udcb4\""};
    for (int k = 0; k < 4; k++) {
        sk_buf a, b;
        sk_buf_init(&a, 0);
        sk_buf_init(&b, 0);
        CHECK_INT(sk_json_escape(&a, cases[k], strlen(cases[k])), 0);
        CHECK_STR(a.data, want[k]);
        sk_json_doc *d;
        CHECK_INT(sk_json_parse(&d, a.data, a.len, "t", NULL), 0);
        size_t n;
        const char *s = sk_json_string(sk_json_doc_root(d), &n);
        CHECK_INT(sk_json_escape(&b, s, n), 0);
        CHECK_STR(b.data, a.data); /* a fixpoint */
        sk_json_doc_free(d);
        sk_buf_free(&a);
        sk_buf_free(&b);
    }
    /* a long run of high surrogates: linear, three escapes each */
    sk_buf r;
    sk_buf_init(&r, 0);
    for (int k = 0; k < 200000; k++) sk_buf_append(&r, "\xed\xa0\x80", 3);
    sk_buf_putc(&r, 'x');
    sk_buf o;
    sk_buf_init(&o, 0);
    CHECK_INT(sk_json_escape(&o, r.data, r.len), 0);
    CHECK_INT(o.len, 200000 * 18 + 3);
    sk_buf_free(&o);
    sk_buf_free(&r);
    /* a UTF-16 lone high surrogate before plain text: never "\ud800" (jq 1.6 stops there) */
    sk_buf c;
    sk_buf_init(&c, 0);
    CHECK_INT(sk_json_escape(&c, "\xed\xa0\x80z", 4), 0);
    CHECK_STR(c.data, "\"\\udced\\udca0\\udc80z\"");
    sk_buf_free(&c);
}

static void writer_indent(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    const char *in = "{\"a\":[1,{\"b\":\"x,{}:\\\"y\"}],\"e\":{},\"f\":[]}";
    CHECK_INT(sk_json_indent(&b, in, strlen(in), 2), 0);
    CHECK_STR(b.data, "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,{}:\\\"y\"\n    }\n  ],\n"
                      "  \"e\": {},\n  \"f\": []\n}\n");
    sk_json_doc *d; /* still the same JSON */
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "i", NULL), 0);
    sk_json_doc_free(d);
    sk_buf_free(&b);
}

static void writer_misuse(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_array_begin(&w);
    CHECK(sk_jw_error(&w) == SK_EINTERNAL); /* left open */
    sk_jw_object_end(&w);                  /* wrong closer: still closes depth 1 */
    sk_jw_object_end(&w);                  /* unbalanced */
    CHECK_INT(sk_jw_error(&w), SK_EINTERNAL);
    sk_buf_reset(&b);
    sk_jw_init(&w, &b);
    for (int i = 0; i < SK_JSON_MAX_DEPTH + 5; i++) sk_jw_array_begin(&w);
    CHECK_INT(sk_jw_error(&w), SK_ELIMIT);
    sk_buf_free(&b);
}

static const sk_json_value *parse_ok(sk_json_doc **d, const char *s)
{
    int rc = sk_json_parse(d, s, strlen(s), "t.json", NULL);
    CHECK_INT(rc, 0);
    if (rc) fprintf(stderr, "  %s\n", sk_error_last());
    return rc ? NULL : sk_json_doc_root(*d);
}

static void reader_values(void)
{
    sk_json_doc *d;
    const sk_json_value *r = parse_ok(&d, "\xef\xbb\xbf {\"a\": [1, -0, 2.5e3, true, false, null],\n"
                                          " \"b\": {\"c\": \"\\u65e5\\ud83d\\ude00\\/\"},"
                                          " \"big\": 9223372036854775807, \"neg\": -9223372036854775808,"
                                          " \"over\": 9223372036854775808, \"e\": 1e2}");
    if (!r) return;
    CHECK_INT(sk_json_type_of(r), SK_JSON_OBJECT);
    CHECK_INT(sk_json_length(r), 6);
    const sk_json_value *a = sk_json_object_get(r, "a");
    CHECK_INT(sk_json_length(a), 6);
    int64_t i;
    CHECK_INT(sk_json_int64(sk_json_array_at(a, 0), &i), 0);
    CHECK_INT(i, 1);
    CHECK(sk_json_number(sk_json_array_at(a, 2)) == 2500.0);
    CHECK_INT(sk_json_int64(sk_json_array_at(a, 2), &i), SK_EFORMAT);
    CHECK_INT(sk_json_type_of(sk_json_array_at(a, 3)), SK_JSON_TRUE);
    CHECK_INT(sk_json_type_of(sk_json_array_at(a, 5)), SK_JSON_NULL);
    CHECK(sk_json_array_at(a, 6) == NULL);
    CHECK_STR(sk_json_string(sk_json_object_get(sk_json_object_get(r, "b"), "c"), NULL),
              "\xe6\x97\xa5\xf0\x9f\x98\x80/");
    CHECK_INT(sk_json_int64(sk_json_object_get(r, "big"), &i), 0);
    CHECK(i == INT64_MAX);
    CHECK_INT(sk_json_int64(sk_json_object_get(r, "neg"), &i), 0);
    CHECK(i == INT64_MIN);
    CHECK_INT(sk_json_int64(sk_json_object_get(r, "over"), &i), SK_EFORMAT);
    CHECK_INT(sk_json_line(sk_json_object_get(r, "b")), 2);
    CHECK(sk_json_object_get(r, "zz") == NULL);
    CHECK(!sk_json_object_has_duplicates(r));
    /* round trip through the writer keeps number text */
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_jw w;
    sk_jw_init(&w, &b);
    sk_jw_value(&w, sk_json_object_get(r, "a"));
    CHECK_STR(b.data, "[1,-0,2.5e3,true,false,null]");
    sk_buf_free(&b);
    sk_json_doc_free(d);
}

static void reader_duplicates(void)
{
    sk_json_doc *d;
    const sk_json_value *r = parse_ok(&d, "{\"k\":1,\"k\":2}");
    CHECK(r && sk_json_object_has_duplicates(r));
    sk_json_doc_free(d);
    /* many members: the hashed path */
    sk_buf b;
    sk_buf_init(&b, 0);
    sk_buf_putc(&b, '{');
    for (int i = 0; i < 100; i++) sk_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i % 99, i);
    sk_buf_putc(&b, '}');
    r = parse_ok(&d, b.data);
    CHECK(r && sk_json_object_has_duplicates(r));
    sk_json_doc_free(d);
    sk_buf_free(&b);
}

static void reader_errors(void)
{
    struct {
        const char *in, *msg;
    } cases[] = {
        {"", "t.json:1: unexpected end of input, value expected (offset 0)"},
        {"{\"a\" 1}", "t.json:1: expected ':' after object key (offset 5)"},
        {"{\n\"a\": 1,\n}", "t.json:3: expected a string as object key (offset 10)"},
        {"[1,]", "t.json:1: unexpected character, value expected (offset 3)"},
        {"[1 2]", "t.json:1: expected ',' or ']' in array (offset 3)"},
        {"\"abc", "t.json:1: unterminated string (offset 4)"},
        {"\"a\x01\"", "t.json:1: control character in string (offset 2)"},
        {"\"\\x\"", "t.json:1: invalid escape in string (offset 1)"},
        {"\"\\u12g4\"", "t.json:1: invalid \\u escape in string (offset 1)"},
        {"\"\xff\"", "t.json:1: invalid UTF-8 in string (offset 1)"},
        {"01", "t.json:1: trailing data after the JSON value (offset 1)"},
        {"1.", "t.json:1: invalid number: digit expected after '.' (offset 0)"},
        {"-", "t.json:1: invalid number (offset 0)"},
        {"tru", "t.json:1: invalid literal (offset 0)"},
        {"NaN", "t.json:1: unexpected character, value expected (offset 0)"},
        {"{} {}", "t.json:1: trailing data after the JSON value (offset 3)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sk_json_doc *d = NULL;
        int rc = sk_json_parse(&d, cases[i].in, strlen(cases[i].in), "t.json", NULL);
        CHECK_INT(rc, SK_EFORMAT);
        CHECK(d == NULL);
        CHECK_STR(sk_error_last(), cases[i].msg);
    }
}

static void reader_stream(void)
{
    const char *in = "{\"a\":1}\n{\"b\":\n [2]}  \n\n 3 {\"c\" 1}";
    size_t len = strlen(in), off = 0, used;
    sk_json_pos pos = {0, 1};
    sk_json_doc *d;
    CHECK_INT(sk_json_parse_next(&d, in, len, "s", NULL, &pos, &used), 0);
    CHECK_INT(used, 8);
    CHECK_INT(pos.line, 2);
    sk_json_doc_free(d);
    off += used;
    CHECK_INT(sk_json_parse_next(&d, in + off, len - off, "s", NULL, &pos, &used), 0);
    const sk_json_value *b = sk_json_object_get(sk_json_doc_root(d), "b");
    CHECK_INT(sk_json_line(b), 3);
    CHECK_INT(sk_json_offset(b), 15); /* a file offset, not one into the slice */
    sk_json_doc_free(d);
    off += used;
    CHECK_INT(sk_json_parse_next(&d, in + off, len - off, "s", NULL, &pos, &used), 0);
    CHECK_INT(sk_json_line(sk_json_doc_root(d)), 5);
    sk_json_doc_free(d);
    off += used;
    sk_json_pos before = pos;
    CHECK_INT(sk_json_parse_next(&d, in + off, len - off, "s", NULL, &pos, &used), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s:5: expected ':' after object key (offset 31)");
    CHECK(pos.offset == before.offset && used == 0); /* nothing consumed on error */
    CHECK_INT(sk_json_parse_next(&d, "  \n ", 4, "s", NULL, &pos, &used), SK_ENOTFOUND);
    CHECK(d == NULL);
}

static void reader_limits(void)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    for (int i = 0; i < 200; i++) sk_buf_putc(&b, '[');
    sk_json_doc *d;
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "deep", NULL), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "deep:1: nesting too deep (offset 128)");
    sk_json_limits lim = {.max_depth = 3};
    CHECK_INT(sk_json_parse(&d, "[[[1]]]", 7, "x", &lim), 0);
    sk_json_doc_free(d);
    CHECK_INT(sk_json_parse(&d, "[[[[1]]]]", 9, "x", &lim), SK_EFORMAT);
    /* memory cap */
    sk_buf_reset(&b);
    sk_buf_putc(&b, '[');
    for (int i = 0; i < 100000; i++) sk_buf_puts(&b, i ? ",\"abcdefgh\"" : "\"abcdefgh\"");
    sk_buf_putc(&b, ']');
    lim = (sk_json_limits){.max_bytes = 1 << 20};
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "big", &lim), SK_ELIMIT);
    CHECK(strncmp(sk_error_last(), "big: ", 5) == 0);
    lim.max_bytes = 64 << 20;
    CHECK_INT(sk_json_parse(&d, b.data, b.len, "big", &lim), 0);
    CHECK_INT(sk_json_length(sk_json_doc_root(d)), 100000);
    sk_json_doc_free(d);
    /* keep_invalid_utf8 keeps the byte */
    lim = (sk_json_limits){.keep_invalid_utf8 = 1};
    CHECK_INT(sk_json_parse(&d, "\"a\xff\"", 4, "x", &lim), 0);
    CHECK_STR(sk_json_string(sk_json_doc_root(d), NULL), "a\xff");
    sk_json_doc_free(d);
    sk_buf_free(&b);
}

SK_TEST_MAIN(T(writer_basics), T(writer_lossless_strings), T(writer_c1_and_separators), T(writer_time_quality), T(writer_no_accidental_pairs), T(writer_indent), T(writer_misuse), T(reader_values),
             T(reader_duplicates), T(reader_errors), T(reader_stream), T(reader_limits))
