/*
 * sk_test.h - the unit-test harness: CHECK macros, one executable per module,
 * a closing "N passed, N failed" line, exit status 1 when anything failed.
 */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sk_t_pass, sk_t_fail;
static const char *sk_t_current;

#define CHECK(cond)                                                                           \
    do {                                                                                      \
        if (cond) {                                                                           \
            sk_t_pass++;                                                                      \
        } else {                                                                              \
            sk_t_fail++;                                                                      \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,              \
                    sk_t_current, #cond);                                                     \
        }                                                                                     \
    } while (0)

#define CHECK_INT(a, b)                                                                       \
    do {                                                                                      \
        long long sk_a_ = (long long)(a), sk_b_ = (long long)(b);                             \
        if (sk_a_ == sk_b_) {                                                                 \
            sk_t_pass++;                                                                      \
        } else {                                                                              \
            sk_t_fail++;                                                                      \
            fprintf(stderr, "%s:%d: %s: %s == %lld, expected %lld\n", __FILE__, __LINE__,     \
                    sk_t_current, #a, sk_a_, sk_b_);                                          \
        }                                                                                     \
    } while (0)

#define CHECK_STR(a, b)                                                                       \
    do {                                                                                      \
        const char *sk_a_ = (a), *sk_b_ = (b);                                                \
        if (sk_a_ && sk_b_ && strcmp(sk_a_, sk_b_) == 0) {                                    \
            sk_t_pass++;                                                                      \
        } else {                                                                              \
            sk_t_fail++;                                                                      \
            fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    sk_t_current, #a, sk_a_ ? sk_a_ : "(null)", sk_b_ ? sk_b_ : "(null)");    \
        }                                                                                     \
    } while (0)

typedef struct sk_test_case {
    const char *name;
    void (*fn)(void);
} sk_test_case;

#define SK_TEST_MAIN(...)                                                                     \
    int main(void)                                                                            \
    {                                                                                         \
        static const sk_test_case cases[] = {__VA_ARGS__};                                    \
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {                         \
            sk_t_current = cases[i].name;                                                     \
            int before = sk_t_fail;                                                           \
            cases[i].fn();                                                                    \
            printf("%s %s\n", sk_t_fail == before ? "ok  " : "FAIL", cases[i].name);          \
        }                                                                                     \
        printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);                               \
        return sk_t_fail ? 1 : 0;                                                             \
    }

#define T(fn) {#fn, fn}

#endif
