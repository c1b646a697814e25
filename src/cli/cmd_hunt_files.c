/*
 * cmd_hunt_files.c - `sakimori hunt files CASE`: the fleet hunt over the case store's
 * inventory (docs/hunt-files.md). The catalogue's records, then every host's current
 * listing twice (pass 1: prevalence and the system tools' contents, with the base
 * manifests after it; pass 2: the rules), fed to the engine (sakimori/fleet.h); each
 * listing's bytes are checked against the SHA-256 the store recorded, so that every
 * evidence reference points at the bytes it names. Findings go to stdout and into the
 * store (replacing this hunt's earlier ones), and CASE/findings.jsonl is rewritten from
 * the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sakimori/sakimori.h>

#include "cli.h"
#include "lines.h"

#define CMD "hunt files"

static void help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori hunt files CASE [--ioc FILE...] [--tools FILE] [--rare N] [--format jsonl|table] [-q]\n"
            "                          [--timings]\n"
            "\n"
            "Hunt across every host's inventory at once, from the case store (run 'sakimori\n"
            "ingest CASE' first): one finding (docs/formats/finding.md) per host, rule and file,\n"
            "the listing line as evidence. The rules (docs/hunt-files.md):\n"
            "  masquerade  a system or admin tool (config/known-tools.txt: PowerShell, cmd,\n"
            "              mshta, certutil, PsExec, rclone, ...) under another name, known by its\n"
            "              PE identity or by its content at the tool's home elsewhere in the\n"
            "              fleet (critical); outside its home folders; a file named otherwise\n"
            "              than its identity (low)\n"
            "  hash        MD5, SHA-1, SHA-256 or imphash on an --ioc list\n"
            "  yara        YARA matches recorded at collection\n"
            "  stack       executables on few hosts (--rare; default max(2, hosts/1000)), more\n"
            "              so in folders users write to; one content under many names; PE files\n"
            "              with another extension; signatures broken after signing; system\n"
            "              files whose times differ from their image's\n"
            "case.json's known_good (sha256, hosts, signers) suppresses findings, counted in\n"
            "the summary. How many hosts hold each content comes from the store's content\n"
            "index (written by ingest), not from the listings; the rules read every listing.\n"
            "\n"
            "Options:\n"
            "  --ioc FILE       an indicator file (list, CSV, STIX 2.1, MISP; repeatable)\n"
            "  --tools FILE     more tools, in config/known-tools.txt's format\n"
            "  --rare N         a content on at most N hosts is rare\n"
            "  --format F       jsonl (default) or table\n"
            "  -q, --quiet      no summary on stderr\n"
            "  --timings        the seconds each step took, on stderr\n"
            "\n"
            "Exit codes: 0 nothing found, 1 findings, 2 usage error, 3 an input could not be\n"
            "read (or changed since it was ingested), 4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori ingest case/ && sakimori hunt files case/ > findings.jsonl\n"
            "  sakimori hunt files --format table case/ | grep critical\n"
            "  sakimori hunt files --ioc iocs/hashes.txt case/\n"
            "  sqlite3 case/case.db \"SELECT host, rule_id FROM findings WHERE engine = 'masquerade'\"\n");
}

typedef struct listing {
    char *path, *sha256, *host_id, *base;
    int changed;            /* its bytes are not the store's: no findings from it */
    int indexed;            /* pass 1 came from the content index: bytes checked in pass 2 */
} listing;

typedef struct hf {
    const char *case_dir;
    sk_casedb *db;
    sk_inv_parser *p;
    sk_fleet *fleet;
    int bad, table, pass;
    listing *l;
    size_t n_l;
    listing **bases;
    size_t n_bases;
    /* findings */
    char **lines;
    size_t *lens, n_lines, cap_lines;
    /* the listing being read */
    listing *cur;
    unsigned said;
    int in_host, skip;
} hf;

static int collect_listing(void *ctx, const sk_casedb_listing *l)
{
    hf *h = ctx;
    listing *nl = realloc(h->l, (h->n_l + 1) * sizeof *nl);
    if (!nl) return sk_error_set(SK_ENOMEM, "out of memory");
    h->l = nl;
    listing *x = &h->l[h->n_l++];
    x->path = strdup(l->path);
    x->sha256 = strdup(l->sha256);
    x->host_id = l->host_id ? strdup(l->host_id) : NULL;
    x->base = l->base ? strdup(l->base) : NULL;
    x->changed = x->indexed = 0;
    return x->path && x->sha256 ? 0 : sk_error_set(SK_ENOMEM, "out of memory");
}

static void line_bad(hf *h, const char *what)
{
    h->bad = 1;
    if (++h->said <= 10) sk_cli_error(CMD, "%s: %s", h->cur->path, what);
}

static int catalog_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    hf *h = ctx;
    if (!s) return 0;
    sk_inv_line l;
    int rc = sk_inv_parse_line(h->p, s, n, line, &l);
    if (rc == SK_ENOMEM) return rc;
    if (rc || l.type != SK_INV_CATALOG) return 0; /* said at ingest */
    return sk_fleet_content(h->fleet, &l.content);
}

static int listing_line(void *ctx, const char *s, size_t n, uint64_t line)
{
    hf *h = ctx;
    if (!s || h->skip) return 0;
    sk_inv_line l;
    int rc = sk_inv_parse_line(h->p, s, n, line, &l);
    if (rc == SK_ENOTFOUND) return 0;
    if (rc == SK_ENOMEM) return rc;
    if (rc) return 0; /* said at ingest */
    sk_fleet_where w = {.sha256 = h->cur->sha256, .path = h->cur->path, .line = line};
    if (l.type == SK_INV_LISTING) {
        if (h->in_host) return 0;
        if (l.listing.base_manifest) return sk_fleet_base_begin(h->fleet, l.listing.name, l.listing.windows_root != NULL);
        sk_casedb_host host;
        const char *name = l.listing.host, *site = NULL;
        char hid[20];
        snprintf(hid, sizeof hid, "%s", h->cur->host_id ? h->cur->host_id : "");
        char *nm = NULL, *st = NULL;
        if (h->cur->host_id && !sk_casedb_host_get(h->db, h->cur->host_id, &host)) {
            nm = host.name ? strdup(host.name) : NULL;
            st = host.site ? strdup(host.site) : NULL;
            if (nm) name = nm;
            site = st;
        }
        sk_fleet_host fh = {.host_id = hid[0] ? hid : NULL, .name = name, .site = site, .base = l.listing.delta ? l.listing.base : NULL,
                            .windows = l.listing.windows_root != NULL, .header = w};
        rc = sk_fleet_host_begin(h->fleet, h->pass, &fh);
        free(nm);
        free(st);
        h->in_host = 1;
        return rc;
    }
    if (l.type != SK_INV_ENTRY) return 0;
    if (h->pass == 0) return sk_fleet_base_entry(h->fleet, &l.entry, &w);
    return h->in_host ? sk_fleet_entry(h->fleet, h->pass, &l.entry, &w) : 0;
}

/* read one inventory file through cb, its bytes checked against the store's digest */
static int read_file(hf *h, listing *x, cli_line_cb cb)
{
    if (x->changed) return 0; /* said when it was read first */
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", h->case_dir, x->path);
    int fd;
    h->cur = x;
    h->said = 0;
    h->in_host = 0;
    h->skip = 0;
    if (sk_file_open(SK_FILE_CWD, full, SK_FILE_NOFOLLOW, &fd, NULL)) {
        sk_cli_error(CMD, "%s", sk_error_last());
        h->bad = 1;
        return 0;
    }
    char sha[65];
    uint64_t lines;
    /* a listing's bytes checked against the store's digest when first read (pass 1, or
     * pass 2 when pass 1 came from the content index: its findings then dropped) */
    int check = h->pass != 2 || x->indexed;
    size_t kept = h->n_lines;
    int rc = cli_read_lines(full, fd, cb, h, check ? sha : NULL, &lines);
    close(fd);
    if (!rc && check && strcmp(sha, x->sha256)) {
        line_bad(h, "changed since it was ingested (its SHA-256 is not the store's): not hunted, its findings would not point at these bytes; run 'sakimori ingest' again");
        x->changed = 1;
        if (h->pass == 2) {
            while (h->n_lines > kept) free(h->lines[--h->n_lines]);
            sk_fleet_host_discard(h->fleet);
        }
        return 0;
    }
    if (!rc && h->in_host) rc = sk_fleet_host_end(h->fleet, h->pass);
    return rc;
}

/* ---- pass 1 from the content index ---------------------------------------------------- */

typedef struct ixw {
    hf *h;
    size_t next, end;       /* the walk through h->l (both in path order) */
    uint64_t listings, records;
} ixw;

static int ix_content(void *ctx, uint32_t id, const uint8_t sha256[32])
{
    return sk_fleet_index_content(((ixw *)ctx)->h->fleet, id, sha256);
}

static int ix_name(void *ctx, uint32_t id, const char *s, size_t n)
{
    return sk_fleet_index_name(((ixw *)ctx)->h->fleet, id, s, n);
}

static int ix_listing(void *ctx, const sk_invindex_listing *il)
{
    ixw *w = ctx;
    hf *h = w->h;
    int c = 1;
    while (w->next < w->end && (c = strcmp(h->l[w->next].path, il->path)) < 0) w->next++;
    if (w->next >= w->end || c) return 0; /* not a listing this hunt reads */
    listing *x = &h->l[w->next++];
    sk_fleet_host fh = {.host_id = x->host_id, .base = x->base, .windows = il->windows,
                        .header = {.sha256 = x->sha256, .path = x->path, .line = 1}};
    int rc = sk_fleet_host_begin(h->fleet, 1, &fh);
    sk_invindex_cursor cur;
    sk_invindex_cursor_init(&cur, il->recs, il->recs_len);
    sk_invindex_rec r;
    int k = 0;
    while (!rc && (k = sk_invindex_next(&cur, &r)) == 1) rc = sk_fleet_index_entry(h->fleet, r.op, r.content, r.name, r.dir, r.dir_len), w->records++;
    if (!rc && k < 0) rc = k;
    sk_invindex_cursor_free(&cur);
    if (rc == SK_EFORMAT) rc = sk_error_set(SK_EFORMAT, "%s: the content index of %s: %s (run 'sakimori ingest' again)", sk_casedb_path(h->db), x->path, sk_error_last());
    if (!rc) rc = sk_fleet_host_end(h->fleet, 1);
    x->indexed = 1;
    w->listings++;
    return rc;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int sink(void *ctx, const char *json, size_t n)
{
    hf *h = ctx;
    if (h->n_lines == h->cap_lines) {
        size_t cap = h->cap_lines ? h->cap_lines * 2 : 256;
        char **nl = realloc(h->lines, cap * sizeof *nl);
        size_t *nn = realloc(h->lens, cap * sizeof *nn);
        if (nl) h->lines = nl;
        if (nn) h->lens = nn;
        if (!nl || !nn) return sk_error_set(SK_ENOMEM, "out of memory");
        h->cap_lines = cap;
    }
    size_t k = n && json[n - 1] == '\n' ? n - 1 : n;
    char *c = malloc(k + 1);
    if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
    memcpy(c, json, k);
    c[k] = 0;
    h->lines[h->n_lines] = c;
    h->lens[h->n_lines++] = k;
    return 0;
}

static const char *jget(const sk_json_value *o, const char *k)
{
    const sk_json_value *v = sk_json_object_get(o, k);
    return v && sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, NULL) : "";
}

static void print_table(hf *h)
{
    printf("%-10s  %-16s  %-34s  %s\n", "SEVERITY", "HOST", "RULE", "PATH");
    for (size_t i = 0; i < h->n_lines; i++) {
        sk_json_doc *d = NULL;
        if (sk_json_parse(&d, h->lines[i], h->lens[i], NULL, NULL)) continue;
        const sk_json_value *o = sk_json_doc_root(d), *r = sk_json_object_get(o, "rule"), *a = sk_json_object_get(o, "attributes");
        sk_buf b;
        sk_buf_init(&b, 0);
        const char *path = a ? jget(a, "path") : "";
        sk_escape_terminal(&b, path, strlen(path));
        sk_buf hb;
        sk_buf_init(&hb, 0);
        const char *host = jget(o, "host");
        sk_escape_terminal(&hb, host, strlen(host));
        printf("%-10s  %-16s  %-34s  %s\n", jget(o, "severity"), hb.data ? hb.data : "", r ? jget(r, "id") : "", b.data ? b.data : "");
        sk_buf_free(&b);
        sk_buf_free(&hb);
        sk_json_doc_free(d);
    }
}

static int write_findings_file(hf *h)
{
    sk_buf b;
    sk_buf_init(&b, 0);
    int rc = sk_casedb_findings_export(h->db, &b);
    if (!rc) {
        char tmp[4200], dst[4200];
        snprintf(tmp, sizeof tmp, "%s/.findings.jsonl.%ld.tmp", h->case_dir, (long)getpid());
        snprintf(dst, sizeof dst, "%s/findings.jsonl", h->case_dir);
        FILE *f = fopen(tmp, "w");
        if (!f || (b.len && fwrite(b.data, 1, b.len, f) != b.len) || fclose(f) || rename(tmp, dst)) {
            rc = sk_error_set(SK_EIO, "%s: cannot write: %s", dst, strerror(errno));
            unlink(tmp);
        }
    }
    sk_buf_free(&b);
    return rc;
}

static int cmp_finding(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int hunt_files_main(int argc, char **argv);
int hunt_files_main(int argc, char **argv)
{
    const char *case_dir = NULL, *tools = NULL, *iocs[64];
    size_t n_iocs = 0;
    unsigned rare = 0;
    int quiet = 0, table = 0, timings = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            help(stdout);
            return SK_EXIT_OK;
        }
        if (!strcmp(a, "--ioc") && i + 1 < argc && n_iocs < 64) iocs[n_iocs++] = argv[++i];
        else if (!strcmp(a, "--tools") && i + 1 < argc) tools = argv[++i];
        else if (!strcmp(a, "--rare") && i + 1 < argc) {
            char *e;
            long v = strtol(argv[++i], &e, 10);
            if (*e || v < 1 || v > 1000000) {
                sk_cli_error(CMD, "--rare wants a number of hosts from 1 to 1000000");
                return SK_EXIT_USAGE;
            }
            rare = (unsigned)v;
        } else if (!strcmp(a, "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "table")) table = 1;
            else if (strcmp(f, "jsonl")) {
                sk_cli_error(CMD, "--format jsonl or table");
                return SK_EXIT_USAGE;
            }
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--timings")) timings = 1;
        else if (a[0] == '-' && a[1]) {
            sk_cli_error(CMD, "unknown option '%s' (sakimori hunt files --help)", a);
            return SK_EXIT_USAGE;
        } else if (!case_dir) case_dir = a;
        else {
            sk_cli_error(CMD, "one case at a time ('%s' and '%s')", case_dir, a);
            return SK_EXIT_USAGE;
        }
    }
    if (!case_dir) {
        sk_cli_error(CMD, "which case? (sakimori hunt files CASE)");
        return SK_EXIT_USAGE;
    }
    hf h = {.case_dir = case_dir, .table = table};
    sk_case *cs = NULL;
    sk_ioc_set *set = NULL;
    char *tools_text = NULL;
    size_t tools_len = 0;
    int rc = 0;
    char cj[4096];
    snprintf(cj, sizeof cj, "%s/case.json", case_dir);
    if (!access(cj, F_OK) && sk_case_load(&cs, cj)) {
        sk_cli_error(CMD, "%s", sk_error_last());
        h.bad = 1;
        cs = NULL;
    }
    if (n_iocs) {
        rc = sk_ioc_set_new(&set);
        for (size_t i = 0; i < n_iocs && !rc; i++) {
            char *data = NULL;
            size_t len = 0;
            if (sk_file_read_all(iocs[i], (size_t)1 << 30, &data, &len)) {
                sk_cli_error(CMD, "%s", sk_error_last());
                h.bad = 1;
                continue;
            }
            rc = sk_ioc_set_add(set, iocs[i], data, len, NULL, NULL);
            if (rc == SK_EFORMAT) {
                sk_cli_error(CMD, "%s", sk_error_last());
                h.bad = 1;
                rc = 0;
            }
            free(data);
        }
    }
    if (!rc && tools && sk_file_read_all(tools, (size_t)16 << 20, &tools_text, &tools_len)) {
        sk_cli_error(CMD, "%s", sk_error_last());
        sk_ioc_set_free(set);
        sk_case_free(cs);
        return SK_EXIT_INPUT;
    }
    sk_fleet_options fo = {.iocs = set, .cs = cs, .extra_tools = tools_text, .extra_tools_len = tools_len, .rare_hosts = rare,
                           .sink = sink, .sink_ctx = &h};
    if (!rc) rc = sk_fleet_new(&h.fleet, &fo);
    if (rc == SK_EFORMAT) {
        sk_cli_error(CMD, "%s: %s", tools, sk_error_last());
        sk_ioc_set_free(set);
        sk_case_free(cs);
        free(tools_text);
        return SK_EXIT_USAGE;
    }
    if (!rc) rc = sk_inv_parser_new(&h.p);
    if (!rc) {
        rc = sk_casedb_open(&h.db, case_dir, 0);
        if (rc == SK_ENOTFOUND || rc == SK_EFORMAT) {
            sk_cli_error(CMD, "%s", sk_error_last());
            sk_fleet_free(h.fleet);
            sk_inv_parser_free(h.p);
            sk_ioc_set_free(set);
            sk_case_free(cs);
            free(tools_text);
            return SK_EXIT_INPUT;
        }
    }
    /* the catalogue; the bases; pass 1 from the content index, or from the listings the
     * index lacks; pass 2 */
    double t0 = now_s();
    if (!rc) rc = sk_casedb_listings(h.db, "catalog", collect_listing, &h);
    size_t n_cat = h.n_l;
    for (size_t i = 0; i < n_cat && !rc; i++) rc = read_file(&h, &h.l[i], catalog_line);
    double t_cat = now_s() - t0;
    if (!rc) rc = sk_casedb_listings(h.db, "listing", collect_listing, &h);
    size_t first = n_cat, end = h.n_l;
    if (!rc) rc = sk_casedb_listings(h.db, "base", collect_listing, &h);
    t0 = now_s();
    h.pass = 0;
    for (size_t i = end; i < h.n_l && !rc; i++) rc = read_file(&h, &h.l[i], listing_line);
    double t_bases = now_s() - t0;
    t0 = now_s();
    ixw iw = {.h = &h, .next = first, .end = end};
    if (!rc) rc = sk_invindex_contents(h.db, ix_content, &iw);
    if (!rc) rc = sk_invindex_names(h.db, ix_name, &iw);
    if (!rc) rc = sk_invindex_listings(h.db, ix_listing, &iw);
    h.pass = 1;
    size_t unindexed = 0;
    for (size_t i = first; i < end && !rc; i++)
        if (!h.l[i].indexed) unindexed++, rc = read_file(&h, &h.l[i], listing_line);
    if (!rc) rc = sk_fleet_pass1_done(h.fleet);
    double t_prev = now_s() - t0;
    t0 = now_s();
    h.pass = 2;
    for (size_t i = first; i < end && !rc; i++) rc = read_file(&h, &h.l[i], listing_line);
    double t_rules = now_s() - t0;
    /* the findings: in id order (stable across runs), to stdout and the store */
    if (!rc && h.n_lines) {
        /* sort lines and lens together through an index */
        char **sorted = malloc(h.n_lines * sizeof *sorted);
        if (!sorted) rc = sk_error_set(SK_ENOMEM, "out of memory");
        else {
            memcpy(sorted, h.lines, h.n_lines * sizeof *sorted);
            qsort(sorted, h.n_lines, sizeof *sorted, cmp_finding);
            memcpy(h.lines, sorted, h.n_lines * sizeof *sorted);
            for (size_t i = 0; i < h.n_lines; i++) h.lens[i] = strlen(h.lines[i]);
            free(sorted);
        }
    }
    if (!rc) {
        if (table) print_table(&h);
        else
            for (size_t i = 0; i < h.n_lines; i++) fwrite(h.lines[i], 1, h.lens[i], stdout), fputc('\n', stdout);
        fflush(stdout);
    }
    if (!rc) rc = sk_casedb_begin(h.db);
    if (!rc) rc = sk_casedb_hunt_replace(h.db, "files", (const char *const *)h.lines, h.lens, h.n_lines, NULL);
    if (!rc) rc = sk_casedb_commit(h.db);
    else if (h.db) sk_casedb_rollback(h.db);
    if (!rc) rc = write_findings_file(&h);
    int code = h.n_lines ? SK_EXIT_FINDINGS : SK_EXIT_OK;
    if (rc) {
        sk_cli_error(CMD, "%s", sk_error_last());
        code = sk_exit_from_error(rc);
        if (code == SK_EXIT_OK) code = SK_EXIT_INTERNAL;
    } else {
        if (h.bad) code = SK_EXIT_INPUT;
        sk_fleet_stats st;
        sk_fleet_stats_get(h.fleet, &st);
        if (timings)
            fprintf(stderr, "hunt files: seconds: catalogue %.3f, bases %.3f, prevalence %.3f, rules %.3f\n", t_cat, t_bases, t_prev, t_rules);
        if (!quiet) {
            fprintf(stderr,
                    "hunt files: %llu hosts, %llu files of their own, %llu contents catalogued (%llu listed without a record); "
                    "rare: on at most %u hosts\n",
                    (unsigned long long)st.hosts, (unsigned long long)st.entries, (unsigned long long)st.contents,
                    (unsigned long long)st.contents_missing, st.rare_hosts);
            fprintf(stderr,
                    "hunt files: prevalence from the content index (%llu listings, %llu records)\n",
                    (unsigned long long)iw.listings, (unsigned long long)iw.records);
            if (unindexed)
                fprintf(stderr, "hunt files: %zu listings without a content index were read whole ('sakimori ingest %s' indexes them)\n",
                        unindexed, case_dir);
            fprintf(stderr, "hunt files: %llu findings: %llu masquerade, %llu stack, %llu hash, %llu yara; suppressed by known_good: %llu by sha256, %llu by host, %llu by signer\n",
                    (unsigned long long)st.findings, (unsigned long long)st.by_engine[0], (unsigned long long)st.by_engine[1],
                    (unsigned long long)st.by_engine[2], (unsigned long long)st.by_engine[3], (unsigned long long)st.suppressed_sha256,
                    (unsigned long long)st.suppressed_host, (unsigned long long)st.suppressed_signer);
        }
    }
    for (size_t i = 0; i < h.n_l; i++) free(h.l[i].path), free(h.l[i].sha256), free(h.l[i].host_id), free(h.l[i].base);
    free(h.l);
    for (size_t i = 0; i < h.n_lines; i++) free(h.lines[i]);
    free(h.lines);
    free(h.lens);
    sk_fleet_free(h.fleet);
    sk_inv_parser_free(h.p);
    sk_casedb_close(h.db);
    sk_ioc_set_free(set);
    sk_case_free(cs);
    free(tools_text);
    return code;
}
