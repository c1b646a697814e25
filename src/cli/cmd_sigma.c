/*
 * cmd_sigma.c - `sakimori sigma check RULES...`: what the engine makes of each Sigma
 * rule - it runs, runs partly (a field no source of its log source supplies), waits for
 * a reader, has no mapped log source, or is refused (YAML, a modifier, the condition) -
 * and why, with totals by reason and the runnable share per product. Nothing is skipped
 * silently: `hunt events` prints the same totals on stderr.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/sakimori.h>

#include "cli.h"
#include "sigma_cli.h"

void cmd_sigma_help(FILE *out)
{
    fprintf(out,
            "usage: sakimori sigma check [options] RULES...\n"
            "\n"
            "Load Sigma rules (files or folders of *.yml) as `hunt events` would, and tell for\n"
            "each whether it runs and why not: a YAML or modifier error, a condition that does\n"
            "not parse, a log source no reader serves yet, a field no source supplies.\n"
            "\n"
            "options:\n"
            "  --format text|jsonl  text (default): the rules that do not run fully, then totals;\n"
            "                       jsonl: one object per rule\n"
            "  --all                text: list every rule, also those that run\n"
            "  --mapping FILE       the log-source mapping (default: the built-in\n"
            "                       config/sigma-logsources.yml, docs/sigma-logsources.md)\n"
            "  --placeholders FILE  values of %%placeholders%% for the expand modifier (YAML map)\n"
            "\n"
            "examples:\n"
            "  sakimori sigma check rules/\n"
            "  sakimori sigma check --format jsonl rules/windows > support.jsonl\n"
            "\n"
            "Exit codes: 0 every rule loaded, 1 some rule was refused, 2 usage error,\n"
            "3 a rule file could not be read\n");
}

static void reason_key(const char *reason, char *out, size_t n)
{
    const char *r = reason ? reason : "";
    /* drop "path:line: " */
    const char *p = strstr(r, ": ");
    if (p && p > r && p[-1] >= '0' && p[-1] <= '9') r = p + 2;
    size_t i = 0;
    for (; r[i] && i + 1 < n; i++) {
        if (r[i] == '\'' || r[i] == '(' || r[i] == '%' || (r[i] == ':' && i > 8) || (r[i] >= '0' && r[i] <= '9' && i > 0 && r[i - 1] == ' ')) break;
        out[i] = r[i];
    }
    while (i && out[i - 1] == ' ') i--;
    out[i] = 0;
}

typedef struct tally {
    char key[200];
    size_t n;
} tally;

static void count(tally *t, size_t *nt, size_t cap, const char *key)
{
    for (size_t i = 0; i < *nt; i++)
        if (!strcmp(t[i].key, key)) { t[i].n++; return; }
    if (*nt < cap) {
        snprintf(t[*nt].key, sizeof t[*nt].key, "%s", key);
        t[(*nt)++].n = 1;
    }
}

static int cmp_tally(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->key, y->key);
}

static void esc_print(FILE *out, const char *s)
{
    sk_buf b;
    sk_buf_init(&b, 1 << 20);
    if (!sk_escape_terminal_ex(&b, s ? s : "", s ? strlen(s) : 0, SK_ESC_KEEP_BACKSLASH) && b.data) fputs(b.data, out);
    sk_buf_free(&b);
}

static int check_main(int argc, char **argv)
{
    sigma_cli_opts o = {.readers = SK_SIGMA_READER_EVTX | SK_SIGMA_READER_PROXY | SK_SIGMA_READER_WEBSERVER | SK_SIGMA_READER_DNS |
                                   SK_SIGMA_READER_FIREWALL | SK_SIGMA_READER_ZEEK};
    int jsonl = 0, all = 0;
    o.rules = calloc((size_t)argc + 1, sizeof *o.rules);
    if (!o.rules) return SK_EXIT_INTERNAL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) { cmd_sigma_help(stdout); free(o.rules); return 0; }
        if (!strcmp(a, "--all")) { all = 1; continue; }
        if (!strcmp(a, "--format") || !strcmp(a, "--mapping") || !strcmp(a, "--placeholders")) {
            if (i + 1 >= argc) { sk_cli_error("sigma", "option '%s' needs a value", a); free(o.rules); return SK_EXIT_USAGE; }
            const char *v = argv[++i];
            if (!strcmp(a, "--format")) {
                if (!strcmp(v, "jsonl")) jsonl = 1;
                else if (strcmp(v, "text")) { sk_cli_error("sigma", "--format '%s': give text or jsonl", v); free(o.rules); return SK_EXIT_USAGE; }
            } else if (!strcmp(a, "--mapping")) o.mapping = v;
            else o.placeholders = v;
            continue;
        }
        if (a[0] == '-' && a[1]) { sk_cli_error("sigma", "unknown option '%s' (see 'sakimori sigma --help')", a); free(o.rules); return SK_EXIT_USAGE; }
        o.rules[o.n_rules++] = a;
    }
    if (!o.n_rules) { sk_cli_error("sigma", "check: give one or more rule files or folders"); free(o.rules); return SK_EXIT_USAGE; }
    sk_sigma_set *s = NULL;
    size_t files = 0;
    int ex = sigma_cli_load(&o, "sigma", &s, &files);
    free(o.rules);
    if (!s) return ex;
    size_t n = sk_sigma_set_count(s), refused = 0;
    tally reasons[256], products[128];
    size_t n_reasons = 0, n_products = 0;
    struct { char p[64]; size_t total, runs, partly; } prod[128];
    size_t np = 0;
    sk_buf line;
    sk_buf_init(&line, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(s, i, &ri);
        if (ri.support == SK_SIGMA_REFUSED) refused++;
        if (jsonl) {
            sk_buf_reset(&line);
            sk_jw w;
            sk_jw_init(&w, &line);
            sk_jw_object_begin(&w);
            sk_jw_kv_string(&w, "path", ri.path ? ri.path : "");
            sk_jw_kv_u64(&w, "line", ri.line);
            if (ri.id) sk_jw_kv_string(&w, "id", ri.id);
            if (ri.title) sk_jw_kv_string(&w, "title", ri.title);
            sk_jw_kv_string(&w, "kind", ri.kind == SK_SIGMA_DETECTION ? "detection" : ri.kind == SK_SIGMA_CORRELATION ? "correlation" : ri.kind == SK_SIGMA_FILTER ? "filter" : "unknown");
            if (ri.product) sk_jw_kv_string(&w, "product", ri.product);
            if (ri.category) sk_jw_kv_string(&w, "category", ri.category);
            if (ri.service) sk_jw_kv_string(&w, "service", ri.service);
            if (ri.level >= 0) sk_jw_kv_string(&w, "level", sk_sigma_level_name(ri.level));
            if (ri.status) sk_jw_kv_string(&w, "status", ri.status);
            sk_jw_kv_string(&w, "support", sk_sigma_support_name(ri.support));
            if (ri.reason) sk_jw_kv_string(&w, "reason", ri.reason);
            if (ri.sources && *ri.sources) sk_jw_kv_string(&w, "sources", ri.sources);
            if (ri.kind == SK_SIGMA_DETECTION) sk_jw_kv_bool(&w, "generate", ri.generate);
            sk_jw_object_end(&w);
            sk_buf_putc(&line, '\n');
            fwrite(line.data, 1, line.len, stdout);
        } else if (all || ri.support != SK_SIGMA_RUNS) {
            esc_print(stdout, ri.path);
            printf(":%zu: %s: ", ri.line, sk_sigma_support_name(ri.support));
            esc_print(stdout, ri.title ? ri.title : "(no title)");
            if (ri.reason) { fputs(": ", stdout); esc_print(stdout, ri.reason); }
            fputc('\n', stdout);
        }
        if (ri.support != SK_SIGMA_RUNS) {
            char key[128];
            if (ri.support == SK_SIGMA_REFUSED) reason_key(ri.reason, key, sizeof key);
            else snprintf(key, sizeof key, "%s", sk_sigma_support_name(ri.support));
            char full[160];
            snprintf(full, sizeof full, "%s: %s", sk_sigma_support_name(ri.support), key);
            count(reasons, &n_reasons, 256, ri.support == SK_SIGMA_REFUSED ? full : key);
        }
        const char *p = ri.product ? ri.product : ri.kind == SK_SIGMA_DETECTION ? "(no product)" : ri.kind == SK_SIGMA_CORRELATION ? "(correlation)" : ri.kind == SK_SIGMA_FILTER ? "(filter)" : "(not loaded)";
        size_t k = 0;
        while (k < np && strcmp(prod[k].p, p)) k++;
        if (k == np && np < 128) { snprintf(prod[np].p, sizeof prod[np].p, "%s", p); prod[np].total = prod[np].runs = prod[np].partly = 0; np++; }
        if (k < np) {
            prod[k].total++;
            if (ri.support == SK_SIGMA_RUNS) prod[k].runs++;
            if (ri.support == SK_SIGMA_RUNS_PARTLY) prod[k].partly++;
        }
    }
    (void)products;
    (void)n_products;
    sk_buf_free(&line);
    FILE *tot = jsonl ? stderr : stdout;
    char pre[64];
    snprintf(pre, sizeof pre, "%s%zu files, ", jsonl ? "sakimori sigma: " : "", files);
    sigma_cli_totals(s, tot, pre);
    qsort(reasons, n_reasons, sizeof *reasons, cmp_tally);
    for (size_t i = 0; i < n_reasons; i++) {
        fprintf(tot, "%s  %6zu  ", jsonl ? "sakimori sigma: " : "", reasons[i].n);
        esc_print(tot, reasons[i].key);
        fputc('\n', tot);
    }
    for (size_t k = 0; k < np; k++)
        fprintf(tot, "%sproduct %-16s %5zu rules, %5zu run (%.1f%%), %5zu run partly\n", jsonl ? "sakimori sigma: " : "", prod[k].p,
                prod[k].total, prod[k].runs, prod[k].total ? 100.0 * (double)prod[k].runs / (double)prod[k].total : 0.0, prod[k].partly);
    sk_sigma_set_free(s);
    if (fflush(stdout)) return SK_EXIT_INPUT;
    if (refused) ex = sk_exit_merge(ex, SK_EXIT_FINDINGS);
    return ex;
}

int cmd_sigma_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_sigma_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "check")) return check_main(argc, argv);
    sk_cli_error("sigma", "unknown subcommand '%s' (check)", argv[1]);
    return SK_EXIT_USAGE;
}
