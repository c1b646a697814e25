/*
 * sigma_cli.h - what `sakimori sigma`, `sakimori hunt events` and `sakimori hunt net` share: the rule options
 * and loading the rule set from files and folders (sigma_rules.c).
 */
#ifndef SK_SIGMA_CLI_H
#define SK_SIGMA_CLI_H

#include <stdio.h>

#include <sakimori/json.h>
#include <sakimori/sigma.h>

typedef struct sigma_cli_opts {
    const char **rules;
    size_t n_rules;
    const char *mapping;
    const char *placeholders;
    unsigned readers;           /* SK_SIGMA_READER_* the command runs (0: EVTX only) */
} sigma_cli_opts;

/** Load every rule file of o->rules (files and folders): an exit code (0 when all
 * loaded or were refused by the engine with a reason; SK_EXIT_INPUT when a file could
 * not be read; SK_EXIT_USAGE/INTERNAL when nothing could be built). */
int sigma_cli_load(const sigma_cli_opts *o, const char *cmd, sk_sigma_set **out, size_t *files);

/** The ATT&CK technique ids of a rule's tags (attack.t1059.001 -> T1059.001), at most 16,
 * into ids, with ptrs pointing at them. */
void sigma_cli_attack(const sk_sigma_rule_info *ri, char ids[][16], const char **ptrs, size_t *n);

/** A finding's rule attributes: level, status, tags (into an open JSON object). */
void sigma_cli_rule_attrs(sk_jw *w, const sk_sigma_rule_info *ri);

/** One line of totals by support. */
void sigma_cli_totals(const sk_sigma_set *s, FILE *out, const char *prefix);

#endif
