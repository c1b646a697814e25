/*
 * software.h - the simulated fleet's software (software.c).
 */
#ifndef SK_SIM_SOFTWARE_H
#define SK_SIM_SOFTWARE_H

#include <stddef.h>

typedef struct sim_pkg_file {
    const char *name;
    const char *description;
} sim_pkg_file;

enum { SIM_PKG_ALL, SIM_PKG_ENDPOINT, SIM_PKG_AV_SERVER, SIM_PKG_ENGINEERING };

typedef struct sim_package {
    const char *name;
    const char *company, *product;
    const char *signer;      /* Authenticode subject; NULL: not signed */
    const char *dir;         /* install directory; %u is the user's profile name */
    const sim_pkg_file *files;
    size_t n_files;
    const char *version0;    /* first version; later ones count up */
    double share;            /* share of eligible hosts with it installed */
    int scope;               /* SIM_PKG_* */
} sim_package;

extern const sim_package sim_packages[];
extern const size_t sim_packages_count;

typedef struct sim_portable {
    const char *name;         /* file name as shipped */
    const char *product, *company, *description;
    const char *renamed;      /* the name some users give it */
} sim_portable;

extern const sim_portable sim_portables[];
extern const size_t sim_portables_count;

#endif
