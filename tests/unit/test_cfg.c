/* Unit tests: sk_cfg, the strict configuration validator (messages pinned). */
#include <sakimori/cfg.h>

#include "sk_test.h"

static sk_json_doc *doc;
static sk_arena *arena;

static const sk_json_value *load(const char *s)
{
    sk_json_doc_free(doc);
    doc = NULL;
    CHECK_INT(sk_json_parse(&doc, s, strlen(s), "t", NULL), 0);
    return doc ? sk_json_doc_root(doc) : NULL;
}

static void typed_members(void)
{
    sk_cfg x;
    sk_arena_new(&arena, 0, 0);
    sk_cfg_init(&x, "s.json", arena);
    const sk_json_value *r = load("{\"n\": 2.5,\n \"i\": 7, \"f\": 1.5, \"b\": true, \"big\": 99,\n \"id\": \"ok-1\", \"bad\": \"no way\"}");
    double d = 0;
    int64_t i = 0;
    int b = 0;
    const char *s;
    CHECK_INT(sk_cfg_number(&x, r, "n", 1, 0, 10, &d), 0);
    CHECK(d == 2.5);
    CHECK_INT(sk_cfg_int(&x, r, "i", 1, 0, 10, &i), 0);
    CHECK_INT(i, 7);
    CHECK_INT(sk_cfg_int(&x, r, "f", 1, 0, 10, &i), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:2: key 'f': must be an integer between 0 and 10");
    CHECK_INT(sk_cfg_int(&x, r, "big", 1, 0, 10, &i), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:2: key 'big': must be an integer between 0 and 10");
    CHECK_INT(sk_cfg_bool(&x, r, "b", 1, &b), 0);
    CHECK_INT(b, 1);
    CHECK_INT(sk_cfg_bool(&x, r, "n", 1, &b), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:1: key 'n': must be a boolean");
    CHECK_INT(sk_cfg_number(&x, r, "missing", 0, 0, 1, &d), 0); /* optional, absent */
    CHECK_INT(sk_cfg_number(&x, r, "missing", 1, 0, 1, &d), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:1: missing required key 'missing'");
    CHECK_INT(sk_cfg_id(&x, r, "id", 1, &s), 0);
    CHECK_STR(s, "ok-1");
    size_t m = sk_cfg_push_key(&x, "outer");
    size_t m2 = sk_cfg_push_index(&x, 3);
    CHECK_INT(sk_cfg_id(&x, r, "bad", 1, &s), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:3: key 'outer[3].bad': 'no way' is not a name (1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric)");
    sk_cfg_pop(&x, m2);
    sk_cfg_pop(&x, m);
    CHECK_STR(x.path, "");
    static const char *const allowed[] = {"n", "i", NULL};
    CHECK_INT(sk_cfg_check_keys(&x, r, allowed), SK_EFORMAT);
    CHECK_STR(sk_error_last(), "s.json:2: key 'f': unknown key");
    sk_json_doc_free(doc);
    doc = NULL;
    sk_arena_free(arena);
}

SK_TEST_MAIN(T(typed_members))
