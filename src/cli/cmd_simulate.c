/*
 * cmd_simulate.c - `sakimori simulate`: a synthetic fleet and the report's campaign.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sakimori/sakimori.h>
#include <sakimori/simulate.h>

#include "cli.h"

void cmd_simulate_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori simulate --hosts N --out DIR [--seed S] [--scenario FILE] [--threads N]\n"
            "       sakimori simulate --print-scenario\n"
            "       sakimori simulate --check-scenario FILE\n"
            "\n"
            "Build a synthetic enterprise of N hosts (servers included) across regions and sites,\n"
            "and the attack campaign of the breach report: a zero-day on an overseas antivirus\n"
            "management server, malware pushed as a pattern-file update, PowerShell renamed to a\n"
            "browser's name, C2 over cloud services, the domestic AV server attacked from overseas.\n"
            "DIR becomes a case folder (case.json, inventories, logs); the ground truth is written\n"
            "apart, to DIR/truth/. The same seed gives byte-identical output. See docs/simulate.md.\n"
            "\n"
            "Options:\n"
            "  --hosts N             fleet size, servers included (at least 6 per region)\n"
            "  --out DIR             output directory: created, or an existing empty directory\n"
            "  --seed S              random seed, a non-negative integer (default 1)\n"
            "  --scenario FILE       scenario file applied over the default (any part of it)\n"
            "  --threads N           worker threads (default: all cores)\n"
            "  --print-scenario      print the default scenario, to copy and edit\n"
            "  --check-scenario FILE validate a scenario file and exit\n"
            "\n"
            "Exit codes: 0 done, 2 usage error, 3 invalid scenario or unusable output directory.\n"
            "\n"
            "Examples:\n"
            "  sakimori simulate --hosts 2000 --seed 7 --out /tmp/fleet\n"
            "  sakimori simulate --print-scenario > my-scenario.json\n"
            "  sakimori simulate --hosts 245000 --scenario my-scenario.json --out /data/fleet\n");
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s) return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int cmd_simulate_run(int argc, char **argv)
{
    sk_sim_options opt = {.seed = 1, .progress = isatty(2)};
    uint64_t hosts = 0, seed = 1, threads = 0;
    const char *check = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            cmd_simulate_help(stdout);
            return SK_EXIT_OK;
        }
        if (!strcmp(a, "--print-scenario")) {
            fputs(sk_sim_default_scenario(), stdout);
            return SK_EXIT_OK;
        }
        int takes = !strcmp(a, "--hosts") || !strcmp(a, "--out") || !strcmp(a, "--seed") ||
                    !strcmp(a, "--scenario") || !strcmp(a, "--threads") || !strcmp(a, "--check-scenario");
        if (!takes) {
            sk_cli_error("simulate", "unknown option '%s' (see 'sakimori simulate --help')", a);
            return SK_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            sk_cli_error("simulate", "option '%s' needs a value", a);
            return SK_EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--hosts")) {
            if (parse_u64(v, 100000000, &hosts) || hosts == 0) {
                sk_cli_error("simulate", "--hosts '%s' is not a number between 1 and 100000000", v);
                return SK_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--seed")) {
            if (parse_u64(v, UINT64_MAX, &seed)) {
                sk_cli_error("simulate", "--seed '%s' is not a non-negative integer", v);
                return SK_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--threads")) {
            if (parse_u64(v, 1024, &threads)) {
                sk_cli_error("simulate", "--threads '%s' is not a number between 0 and 1024", v);
                return SK_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--out")) {
            opt.out_dir = v;
        } else if (!strcmp(a, "--scenario")) {
            opt.scenario = v;
        } else {
            check = v;
        }
    }
    if (check) {
        if (sk_sim_check_scenario(check)) {
            sk_cli_error("simulate", "%s", sk_error_last());
            return SK_EXIT_INPUT;
        }
        printf("%s: valid scenario\n", check);
        return SK_EXIT_OK;
    }
    if (!hosts || !opt.out_dir) {
        sk_cli_error("simulate", "--hosts and --out are required (see 'sakimori simulate --help')");
        return SK_EXIT_USAGE;
    }
    opt.hosts = (size_t)hosts;
    opt.seed = seed;
    opt.threads = (unsigned)threads;
    sk_sim_summary s;
    int rc = sk_sim_run(&opt, &s);
    if (rc) {
        sk_cli_error("simulate", "%s", sk_error_last());
        return rc == SK_EINVAL ? SK_EXIT_USAGE : sk_exit_from_error(rc);
    }
    printf("simulated %zu hosts in %zu sites and %zu regions: %zu compromised (%zu domestic, %zu holding "
           "sensitive data), %zu without event logs\n",
           s.hosts, s.sites, s.regions, s.compromised, s.compromised_domestic, s.sensitive, s.unknown);
    printf("wrote %llu files, %llu bytes, to %s (ground truth in %s/truth/)\n", (unsigned long long)s.files,
           (unsigned long long)s.bytes, opt.out_dir, opt.out_dir);
    return SK_EXIT_OK;
}
