/*
 * link_check: one executable per library, linked with that library's every object
 * (--whole-archive) and only the libraries its layer may use (tests/CMakeLists.txt).
 * A call into a higher layer - core calling a reader, a reader calling the collector,
 * the simulator calling a reader - leaves an undefined symbol and the build breaks.
 * The program itself only says which library it checked.
 */
#include <stdio.h>

#ifndef SK_LINK_CHECK_LIB
#define SK_LINK_CHECK_LIB "?"
#endif

int main(void)
{
    printf("ok   %s links with its own layer's libraries alone\n1 passed, 0 failed\n", SK_LINK_CHECK_LIB);
    return 0;
}
