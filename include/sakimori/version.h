/*
 * sakimori/version.h - the library's version.
 */
#ifndef SAKIMORI_VERSION_H
#define SAKIMORI_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define SK_VERSION_MAJOR 0
#define SK_VERSION_MINOR 1
#define SK_VERSION_PATCH 0

/** "0.1.0" - the version the library was built as. */
const char *sk_version(void);

#ifdef __cplusplus
}
#endif
#endif
