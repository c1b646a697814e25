/*
 * cli.h - what every subcommand shares: the command table entry, option parsing
 * helpers and the exit codes.
 *
 * Exit codes (docs/cli.md), in precedence order when several apply:
 *   4 internal error  >  3 input error  >  2 usage  >  1 findings reported  >  0 ok
 * An input error wins over findings: a hunt that found something but could not read
 * part of its input must not look complete.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdio.h>

enum {
    SK_EXIT_OK = 0,
    SK_EXIT_FINDINGS = 1,
    SK_EXIT_USAGE = 2,
    SK_EXIT_INPUT = 3,
    SK_EXIT_INTERNAL = 4
};

typedef struct sk_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    void (*help)(FILE *out);
} sk_cmd;

/** Combine two exit codes by the documented precedence. */
int sk_exit_merge(int a, int b);

/** Map a library error code to an exit code. */
int sk_exit_from_error(int rc);

/** Print "sakimori <cmd>: <message>" on stderr, escaped for the terminal. */
void sk_cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** 1 when argv[i] is -h or --help. */
int sk_cli_is_help(const char *arg);

/* the subcommands */
int cmd_case_run(int argc, char **argv);
void cmd_case_help(FILE *out);
int cmd_collect_run(int argc, char **argv);
void cmd_collect_help(FILE *out);
int cmd_simulate_run(int argc, char **argv);
void cmd_simulate_help(FILE *out);
int cmd_version_run(int argc, char **argv);
void cmd_version_help(FILE *out);
int cmd_evtx_run(int argc, char **argv);
void cmd_evtx_help(FILE *out);
int cmd_events_run(int argc, char **argv);
void cmd_events_help(FILE *out);
/** The event reader behind `events` and `evtx dump`: options from argv[first]. */
int events_main(const char *cmd, int argc, char **argv, int first);
int cmd_ingest_run(int argc, char **argv);
void cmd_ingest_help(FILE *out);
int cmd_hunt_run(int argc, char **argv);
void cmd_hunt_help(FILE *out);
int cmd_net_run(int argc, char **argv);
void cmd_net_help(FILE *out);
int cmd_sigma_run(int argc, char **argv);
void cmd_sigma_help(FILE *out);
int cmd_help_run(int argc, char **argv);
void cmd_help_help(FILE *out);

/** The table, NULL-name terminated. */
extern const sk_cmd sk_commands[];

#endif
