/*
 * main.c - the sakimori command: global options, the subcommand table, dispatch.
 *
 * Subcommands live in cmd_<name>.c and use only the library's public headers.
 * This is the only place that exits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/sakimori.h>

#include "cli.h"

const sk_cmd sk_commands[] = {
    {"case", "create and check a case configuration (case.json)", cmd_case_run, cmd_case_help},
    {"collect", "inventory a live host or a mounted image, read-only", cmd_collect_run, cmd_collect_help},
    {"events", "Windows events from EVTX and JSON logs: selected, sorted, as JSON lines, XML or a CSV timeline",
     cmd_events_run, cmd_events_help},
    {"ingest", "build the case store (CASE/case.db): the case's inventory, collector snapshots, assets", cmd_ingest_run,
     cmd_ingest_help},
    {"hunt", "hunt with Sigma rules over event logs, or indicators over network logs: findings with evidence", cmd_hunt_run, cmd_hunt_help},
    {"net", "network logs (proxy, Zeek, W3C, firewall, DNS, DHCP) read into one record shape, as JSON lines", cmd_net_run, cmd_net_help},
    {"sigma", "check Sigma rules: which run, and why the others do not", cmd_sigma_run, cmd_sigma_help},
    {"evtx", "read Windows EVTX event logs natively: records as events or XML", cmd_evtx_run, cmd_evtx_help},
    {"help", "show help for sakimori or one of its commands", cmd_help_run, cmd_help_help},
    {"simulate", "build a synthetic fleet with the report's campaign, and its truth", cmd_simulate_run,
     cmd_simulate_help},
    {"version", "print the version", cmd_version_run, cmd_version_help},
    {NULL, NULL, NULL, NULL},
};

int sk_exit_merge(int a, int b)
{
    static const int rank[] = {0, 1, 2, 3, 4}; /* index: exit code; higher wins */
    if (a < 0 || a > 4) a = SK_EXIT_INTERNAL;
    if (b < 0 || b > 4) b = SK_EXIT_INTERNAL;
    return rank[a] >= rank[b] ? a : b;
}

int sk_exit_from_error(int rc)
{
    switch (rc) {
    case SK_OK: return SK_EXIT_OK;
    case SK_EFORMAT:
    case SK_EIO:
    case SK_ELIMIT:
    case SK_ENOTFOUND:
    case SK_EEXISTS: return SK_EXIT_INPUT;
    case SK_EINVAL: return SK_EXIT_USAGE;
    default: return SK_EXIT_INTERNAL;
    }
}

void sk_cli_error(const char *cmd, const char *fmt, ...)
{
    char raw[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    sk_buf b;
    sk_buf_init(&b, 4096);
    if (sk_escape_terminal_ex(&b, raw, strlen(raw), SK_ESC_KEEP_BACKSLASH) || !b.data)
        fprintf(stderr, "sakimori%s%s: (message could not be escaped)\n", cmd ? " " : "", cmd ? cmd : "");
    else
        fprintf(stderr, "sakimori%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", b.data);
    sk_buf_free(&b);
}

int sk_cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static void usage(FILE *out)
{
    fprintf(out,
            "sakimori - fleet-scale compromise assessment and containment\n"
            "\n"
            "Usage: sakimori [--help] [--version] <command> [<args>]\n"
            "\n"
            "Commands:\n");
    for (const sk_cmd *c = sk_commands; c->name; c++) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out,
            "\n"
            "Run 'sakimori <command> --help' for a command's options and examples.\n"
            "\n"
            "Exit codes: 0 ok, 1 findings reported, 2 usage error, 3 input error (wins over 1),\n"
            "4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori case init --name 'AV server intrusion' > case.json\n"
            "  sakimori case check case.json\n");
}

static const sk_cmd *find_cmd(const char *name)
{
    for (const sk_cmd *c = sk_commands; c->name; c++)
        if (!strcmp(c->name, name)) return c;
    return NULL;
}

/* Levenshtein distance, small strings only: for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32) return 99;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

int cmd_help_run(int argc, char **argv)
{
    if (argc > 2) {
        sk_cli_error("help", "expected at most one command name");
        return SK_EXIT_USAGE;
    }
    if (argc == 2) {
        if (sk_cli_is_help(argv[1])) {
            cmd_help_help(stdout);
            return SK_EXIT_OK;
        }
        const sk_cmd *c = find_cmd(argv[1]);
        if (!c) {
            sk_cli_error("help", "no command named '%s'", argv[1]);
            return SK_EXIT_USAGE;
        }
        c->help(stdout);
        return SK_EXIT_OK;
    }
    usage(stdout);
    return SK_EXIT_OK;
}

void cmd_help_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori help [<command>]\n"
            "\n"
            "Show the list of commands, or one command's help (same as 'sakimori <command> --help').\n"
            "\n"
            "Examples:\n"
            "  sakimori help\n"
            "  sakimori help case\n");
}

int cmd_version_run(int argc, char **argv)
{
    if (argc > 1) {
        if (sk_cli_is_help(argv[1])) {
            cmd_version_help(stdout);
            return SK_EXIT_OK;
        }
        sk_cli_error("version", "unexpected argument '%s'", argv[1]);
        return SK_EXIT_USAGE;
    }
    printf("sakimori %s\n", sk_version());
    return SK_EXIT_OK;
}

void cmd_version_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori version\n"
            "\n"
            "Print the version of sakimori (same as 'sakimori --version').\n"
            "\n"
            "Example:\n"
            "  sakimori version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SK_EXIT_USAGE;
    }
    const char *a = argv[1];
    if (sk_cli_is_help(a)) {
        usage(stdout);
        return SK_EXIT_OK;
    }
    if (!strcmp(a, "--version") || !strcmp(a, "-V")) return cmd_version_run(1, argv + 1);
    if (a[0] == '-') {
        sk_cli_error(NULL, "unknown option '%s' (see 'sakimori --help')", a);
        return SK_EXIT_USAGE;
    }
    const sk_cmd *c = find_cmd(a);
    if (!c) {
        const sk_cmd *best = NULL;
        size_t bd = 3;
        for (const sk_cmd *k = sk_commands; k->name; k++) {
            size_t d = edit_distance(a, k->name);
            if (d < bd) {
                bd = d;
                best = k;
            }
        }
        if (best)
            sk_cli_error(NULL, "unknown command '%s'; did you mean '%s'?", a, best->name);
        else
            sk_cli_error(NULL, "unknown command '%s' (see 'sakimori --help')", a);
        return SK_EXIT_USAGE;
    }
    int rc = c->run(argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        sk_cli_error(c->name, "error writing standard output");
        rc = sk_exit_merge(rc, SK_EXIT_INPUT);
    }
    return rc;
}
