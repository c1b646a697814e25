/*
 * empty.c - keeps a static library that has no sources yet (format writers, the
 * simulator) a valid CMake target; holds no code.
 */
typedef int sk_empty_translation_unit;
