/*
 * pe_ordinals.h - export names of functions programs import by ordinal (ws2_32,
 * wsock32, oleaut32), as imphash names them. The table is generated at build time by
 * scripts/gen-pe-ordinals.py from the python3-pefile package.
 */
#ifndef SK_PE_ORDINALS_H
#define SK_PE_ORDINALS_H

#include <stdint.h>

/** The export name of `ord` in the DLL (lower-case file name, "ws2_32.dll"), or NULL. */
const char *pe_ordinal_name(const char *dll_lower, uint16_t ord);

#endif
