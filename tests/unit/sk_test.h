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

/*
 * Path of a directory under ../shared/data (the public test data beside the project;
 * SK_SHARED_DATA overrides the location). When it is missing the test is skipped
 * (exit 77, which ctest reports as skipped) with a message - unless CI=true, where a
 * missing data set is a failure.
 */
#include <sys/stat.h>
static inline const char *sk_test_shared_data(const char *sub)
{
    static char path[4096];
    const char *base = getenv("SK_SHARED_DATA");
    if (!base || !*base) base = SK_SHARED_DATA_DEFAULT;
    snprintf(path, sizeof path, "%s/%s", base, sub);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return path;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true")) {
        printf("FAIL: test data %s is missing (CI=true: missing data is a failure)\n", path);
        printf("0 passed, 1 failed\n");
        exit(1);
    }
    printf("skipped: test data %s is missing (set SK_SHARED_DATA or provide ../shared/data)\n", path);
    exit(77);
}

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
