/*
 * oom_inventory: the simulator's inventory builder (src/sim/inventory.c) under failing
 * allocations, in the manner of curl's torture tests. Linked with --wrap for malloc,
 * calloc, realloc and strdup, so every allocation of the builder and of the core code
 * it calls passes through here. A first run records each allocation's call site (the
 * innermost frames of its stack, so that an arena block wanted by one line of the
 * builder is another site than one wanted by the next); then, for every site and for its first, middle and last call, a
 * child process builds the inventory with exactly that one allocation failing. Each
 * child must return SK_ENOMEM (or succeed, where the failure was absorbed), never
 * crash, and - in the ASan build, where LeakSanitizer runs as the child exits - leak
 * nothing. Before the hardening fixes, build_image returned from five places without
 * freeing its name tables, eight indexed the content table with UINT32_MAX, and a
 * failed sk_sha256 (OpenSSL allocates for every digest) left a content with no digest
 * while the build went on.
 */
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sakimori/common.h>

#include "sim/inventory.h"
#include "sim/scenario.h"
#include "sim/world.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

#define MAX_SITES 4096
static struct site {
    void *ra0, *ra; /* the immediate caller (cheap to compare), the stack's hash */
    unsigned long calls;
} sites[MAX_SITES];
static void *fail_ra0;
static void *fail_stack[8];
static int fail_depth;
static size_t n_sites;
static int recording;                 /* first run: count calls per site */
static void *fail_ra;                 /* a child: fail the fail_nth call from this site */
static unsigned long fail_nth, seen;
static int failed;

/* The call site: a hash of the innermost return addresses (backtrace() allocates
 * nothing once it has been called; main calls it first). */
static int in_site;
static void *site_of(void)
{
    void *f[8];
    int n = backtrace(f, 8);
    uintptr_t h = 1469598103934665603u;
    for (int i = 2; i < n; i++) h = (h ^ (uintptr_t)f[i]) * 1099511628211u; /* past us and the wrapper */
    return (void *)h;
}

/* 1 when this allocation must fail. */
static int should_fail(void *ra0)
{
    if (in_site || failed || (!recording && !fail_ra)) return 0; /* backtrace's own, or nothing to do */
    if (!recording && ra0 != fail_ra0) return 0;
    in_site = 1;
    void *ra = site_of();
    in_site = 0;
    if (recording) {
        for (size_t i = 0; i < n_sites; i++)
            if (sites[i].ra == ra) {
                sites[i].calls++;
                return 0;
            }
        if (n_sites < MAX_SITES) sites[n_sites++] = (struct site){ra0, ra, 1};
        return 0;
    }
    if (ra == fail_ra && ++seen == fail_nth) {
        failed = 1;
        in_site = 1;
        fail_depth = backtrace(fail_stack, 8);
        in_site = 0;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return should_fail(__builtin_return_address(0)) ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return should_fail(__builtin_return_address(0)) ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return should_fail(__builtin_return_address(0)) ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return should_fail(__builtin_return_address(0)) ? NULL : __real_strdup(s); }

int main(int argc, char **argv)
{
    unsigned hosts = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 30;
    void *warm[2];
    backtrace(warm, 2); /* loads the unwinder now, not inside an allocation */
    sim_scenario *sc = NULL;
    sim_world w;
    if (sim_scenario_load(&sc, NULL) || sim_org_build(&w, sc, 7, hosts) || sim_campaign_build(&w)) {
        printf("FAIL cannot build the world: %s\n0 passed, 1 failed\n", sk_error_last());
        return 1;
    }
    /* the record run: every call site of the builder, with its call count */
    recording = 1;
    sim_inv *inv = NULL;
    int rc = sim_inv_new(&inv, &w);
    recording = 0;
    sim_inv_free(inv);
    if (rc) {
        printf("FAIL the inventory does not build: %s\n0 passed, 1 failed\n", sk_error_last());
        return 1;
    }
    size_t snap = n_sites;
    unsigned pass = 0, fail = 0, absorbed = 0;
    for (size_t i = 0; i < snap; i++) {
        unsigned long nth[3] = {1, (sites[i].calls + 1) / 2, sites[i].calls};
        for (int k = 0; k < 3; k++) {
            if (k && nth[k] == nth[k - 1]) continue;
            fflush(stdout);
            pid_t pid = fork();
            if (pid < 0) {
                perror("fork");
                return 1;
            }
            if (pid == 0) {
                fail_ra = sites[i].ra;
                fail_ra0 = sites[i].ra0;
                fail_nth = nth[k];
                inv = NULL;
                int r = sim_inv_new(&inv, &w);
                sim_inv_free(inv);
                if (r == 0 && failed && getenv("SK_OOM_VERBOSE")) { /* where a failure was absorbed */
                    printf("absorbed: site %zu call %lu\n", i, fail_nth);
                    fflush(stdout);
                    backtrace_symbols_fd(fail_stack, fail_depth, 1);
                }
                sim_world_free(&w);
                sim_scenario_free(sc);
                /* 0: done; 10: the failure was absorbed (rc 0); 11: a wrong code */
                exit(r == SK_ENOMEM ? 0 : r == 0 ? (failed ? 10 : 0) : 11);
            }
            int st = 0;
            waitpid(pid, &st, 0);
            if (WIFEXITED(st) && WEXITSTATUS(st) == 10) { /* succeeded although it could not allocate */
                fail++;
                absorbed++;
                printf("FAIL site %zu, call %lu of %lu: the build succeeded without the allocation it needed"
                       " (SK_OOM_VERBOSE=1 prints the stack)\n", i, nth[k], sites[i].calls);
            } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
                pass++;
            } else {
                fail++;
                printf("FAIL site %zu (stack %p), call %lu of %lu: %s %d\n", i, sites[i].ra, nth[k], sites[i].calls,
                       WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            }
        }
    }
    sim_world_free(&w);
    sim_scenario_free(sc);
    if (!fail) printf("ok   %zu allocation sites, %u failures injected, each an SK_ENOMEM, none crashed or leaked\n", snap, pass);
    else printf("FAIL %u of %u injected failures (%u of them silently absorbed)\n", fail, pass + fail, absorbed);
    printf("%u passed, %u failed\n", fail ? 0 : 1, fail ? 1 : 0);
    return fail ? 1 : 0;
}
