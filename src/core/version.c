/*
 * version.c - the library version, from the CMake project version.
 */
#include <sakimori/version.h>

#include "sk_version_gen.h"

const char *sk_version(void)
{
    return SK_VERSION_STRING_GEN;
}
