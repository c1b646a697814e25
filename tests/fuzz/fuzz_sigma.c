/*
 * fuzz_sigma - the Sigma rule compiler end to end through the public API
 * (sakimori/sigma.h) on arbitrary bytes: the input is one rule file (every YAML document
 * in it), loaded with the built-in log-source mapping, finished into a rule set whose
 * rule infos are read string by string; then a matcher runs a few fixed events (Sysmon 1
 * and 3, Security 4624, 4625 and 4688, and one whose values are a long run of 'a' ending
 * in '!', the bait of catastrophic regexes) and the correlation engine sweeps the hits of
 * every rule that feeds a correlation, so correlation and filter rules in the input run
 * too. A line "#@file" splits the input into several rule files (fuzz.yml, fuzz-1.yml,
 * ...), so that references across files are exercised as well. Everything is freed: no
 * crash, no hang, no leak, no unbounded allocation, and sk_sigma_loader_add() fails only
 * with SK_ENOMEM or SK_ELIMIT (anything else is a refusal kept in the rule info).
 * FUZZ_SIGMA_VERBOSE=1 in the environment prints the rules, hits and correlation results
 * on stderr, to read what a reproducer does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/buf.h>
#include <sakimori/common.h>
#include <sakimori/event.h>
#include <sakimori/json.h>
#include <sakimori/sigma.h>

#define FUZZ_SHA "0000000000000000000000000000000000000000000000000000000000000000"
#define MAX_FILES 8
#define LONG_A 4000

/* The fixed events, as JSON records the Rust evtx crate writes (the example shape). */
static const char *const EVENT_JSON[] = {
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}}"
    ",\"EventID\":1,"
    "\"EventRecordID\":1,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:00:00Z\"}"
    "},"
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Computer\":\"H\"},\"EventData\":{\"Image\":"
    "\"C:\\\\x\\\\powershell.exe\",\"CommandLine\":\"powershell -enc "
    "AAAA\",\"User\":\"bob\",\"ParentImage\":"
    "\"C:\\\\Windows\\\\explorer.exe\",\"OriginalFileName\":\"PowerShell.EXE\",\"ProcessId\":4242,"
    "\"Hashes\":"
    "\"MD5=0123456789ABCDEF0123456789ABCDEF,IMPHASH=00000000000000000000000000000000\","
    "\"IntegrityLevel\":\"High\"}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}}"
    ",\"EventID\":1,"
    "\"EventRecordID\":2,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:01:30Z\"}"
    "},"
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Computer\":\"H\"},\"EventData\":{\"Image\":"
    "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd.exe /c whoami "
    "-all\",\"User\":\"alice\","
    "\"ParentImage\":\"C:\\\\x\\\\powershell.exe\",\"ParentCommandLine\":\"powershell -enc "
    "AAAA\",\"ProcessId\":17}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}}"
    ",\"EventID\":3,"
    "\"EventRecordID\":3,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:02:00Z\"}"
    "},"
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Computer\":\"H\"},\"EventData\":{\"Image\":"
    "\"C:\\\\x\\\\powershell.exe\",\"DestinationIp\":\"10.1.2.3\",\"DestinationPort\":443,"
    "\"SourceIp\":"
    "\"fe80::1\",\"DestinationHostname\":\"evil.example.com\",\"Initiated\":\"true\",\"User\":"
    "\"bob\"}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Security-"
    "Auditing\"}},"
    "\"EventID\":4624,\"EventRecordID\":4,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-"
    "01-01T00:03:00Z\"}},"
    "\"Channel\":\"Security\",\"Computer\":\"H\"},\"EventData\":{\"TargetUserName\":\"bob\","
    "\"TargetDomainName\":"
    "\"CORP\",\"LogonType\":3,\"IpAddress\":\"10.0.0.1\",\"WorkstationName\":\"W1\","
    "\"AuthenticationPackageName\":"
    "\"NTLM\",\"SubjectUserSid\":\"S-1-0-0\",\"ElevatedToken\":\"%%1842\"}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Security-"
    "Auditing\"}},"
    "\"EventID\":4625,\"EventRecordID\":5,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-"
    "01-01T00:03:10Z\"}},"
    "\"Channel\":\"Security\",\"Computer\":\"H2\"},\"EventData\":{\"TargetUserName\":\"admin\","
    "\"LogonType\":3,"
    "\"IpAddress\":\"10.0.0.1\",\"Status\":\"0xc000006d\",\"SubStatus\":\"0xc000006a\","
    "\"WorkstationName\":\"\"}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Security-"
    "Auditing\"}},"
    "\"EventID\":4688,\"EventRecordID\":6,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-"
    "01-01T00:04:00Z\"}},"
    "\"Channel\":\"Security\",\"Computer\":\"H\"},\"EventData\":{\"NewProcessName\":\"C:"
    "\\\\Windows\\\\System32\\\\"
    "WindowsPowerShell\\\\v1.0\\\\powershell.exe\",\"CommandLine\":\"powershell.exe "
    "-EncodedCommand "
    "JABzAD0AJwBoAGkAJwA=\",\"ParentProcessName\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
    "\"SubjectUserName\":"
    "\"bob\",\"TokenElevationType\":\"%%1936\",\"MandatoryLabel\":\"S-1-16-12288\"}}}",
    NULL, /* the long 'aaaa...!' event, built at start-up */
};
#define N_EVENTS (sizeof EVENT_JSON / sizeof EVENT_JSON[0])

static sk_json_doc *docs[N_EVENTS];
static sk_event events[N_EVENTS];
static size_t n_events;
static sk_arena *ev_arena;
static volatile size_t sink;
static int verbose; /* FUZZ_SIGMA_VERBOSE=1: print rules, hits and results on stderr */

static void touch(const char *s)
{
    if (!s) return;
    size_t h = 0;
    for (const char *p = s; *p; p++)
        h = h * 31 + (unsigned char)*p;
    sink += h;
}

static void touch_n(const char *s, size_t n)
{
    size_t h = 0;
    for (size_t i = 0; s && i < n; i++)
        h = h * 31 + (unsigned char)s[i];
    sink += h;
}

static char *long_event(void)
{
    sk_buf b;
    sk_buf_init(&b, (size_t)1 << 20);
    sk_buf_printf(
        &b, "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-"
            "Sysmon\"}},"
            "\"EventID\":1,\"EventRecordID\":7,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":"
            "\"2024-01-01T00:05:00Z\"}},\"Channel\":\"Microsoft-Windows-Sysmon/"
            "Operational\",\"Computer\":\"H\"},"
            "\"EventData\":{");
    static const char *const fields[] = {"Image", "CommandLine", "User", "ParentImage"};
    for (size_t f = 0; f < 4; f++) {
        sk_buf_printf(&b, "%s\"%s\":\"", f ? "," : "", fields[f]);
        for (int i = 0; i < LONG_A; i++)
            sk_buf_putc(&b, 'a');
        sk_buf_printf(&b, "!\"");
    }
    sk_buf_printf(&b, "}}}");
    char *s = b.data ? strdup(b.data) : NULL;
    sk_buf_free(&b);
    return s;
}

static void init_events(void)
{
    static int done;
    if (done) return;
    done = 1;
    verbose = getenv("FUZZ_SIGMA_VERBOSE") != NULL;
    if (sk_arena_new(&ev_arena, 0, (size_t)16 << 20)) abort();
    static char *longev;
    longev = long_event();
    if (!longev) abort();
    for (size_t i = 0; i < N_EVENTS; i++) {
        const char *j = EVENT_JSON[i] ? EVENT_JSON[i] : longev;
        sk_json_limits lim = {0};
        if (sk_json_parse(&docs[i], j, strlen(j), "event", &lim)) {
            fprintf(stderr, "fuzz_sigma: fixed event %zu: %s\n", i, sk_error_last());
            abort();
        }
        sk_event_src src = {
            .sha256 = FUZZ_SHA, .line = i + 1, .has_line = 1, .fallback_time = SK_TIME_NONE};
        sk_event_json_info info;
        if (sk_event_from_json_record(&events[n_events], sk_json_doc_root(docs[i]), &src, NULL,
                                      ev_arena, &info)) {
            fprintf(stderr, "fuzz_sigma: fixed event %zu: %s\n", i, sk_error_last());
            abort();
        }
        n_events++;
    }
}

typedef struct run {
    const sk_sigma_set *set;
    sk_sigma_corr *corr;
    sk_buf rec;
    int failed;
} run;

static int on_hit(void *ctx, const sk_event *ev, const sk_sigma_hit *hit)
{
    run *r = ctx;
    if (verbose)
        fprintf(stderr, "hit: rule %zu emit %d source %s, %zu fields\n", hit->rule, hit->emit,
                hit->source, hit->n_fields);
    sink += hit->rule + (size_t)hit->emit;
    touch(hit->source);
    for (size_t i = 0; i < hit->n_fields; i++) {
        touch_n(hit->fields[i].name, hit->fields[i].name_len);
        touch_n(hit->fields[i].value, hit->fields[i].value_len);
    }
    if (r->corr && sk_sigma_feeds_correlation(r->set, hit->rule)) {
        sk_buf_reset(&r->rec);
        if (!sk_sigma_corr_record(r->set, ev, hit, &r->rec) &&
            sk_sigma_corr_add(r->corr, r->rec.data, r->rec.len))
            r->failed = 1;
    }
    return 0;
}

static int on_corr(void *ctx, const sk_sigma_corr_result *res)
{
    (void)ctx;
    if (verbose)
        fprintf(stderr, "correlation: rule %zu, %llu events, value %g\n", res->rule,
                (unsigned long long)res->count, res->value);
    sink += res->rule + (size_t)res->count + (size_t)res->first + (size_t)res->last +
            (size_t)res->value;
    for (size_t i = 0; i < res->n_group; i++) {
        touch(res->group_names[i]);
        touch(res->group_values[i]);
    }
    touch(res->host);
    touch(res->value_text);
    for (size_t i = 0; i < res->n_evidence; i++) {
        touch(res->ev_sha256[i]);
        sink += (size_t)res->ev_record_id[i] + (size_t)res->ev_offset[i] + (size_t)res->ev_line[i] +
                res->ev_has[i];
    }
    return 0;
}

static void walk_infos(const sk_sigma_set *set)
{
    size_t n = sk_sigma_set_count(set);
    for (size_t i = 0; i < n; i++) {
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(set, i, &ri);
        if (verbose)
            fprintf(stderr, "rule %zu: kind %d line %zu id %s: %s (%s) on [%s]\n", i, ri.kind,
                    ri.line, ri.id ? ri.id : "-", sk_sigma_support_name(ri.support),
                    ri.reason ? ri.reason : "", ri.sources ? ri.sources : "");
        touch(ri.id), touch(ri.title), touch(ri.name), touch(ri.path), touch(ri.sha256),
            touch(ri.status);
        touch(ri.product), touch(ri.category), touch(ri.service), touch(ri.reason),
            touch(ri.sources);
        touch(sk_sigma_level_name(ri.level));
        touch(sk_sigma_support_name(ri.support));
        sink += (size_t)ri.kind + ri.line + (size_t)ri.generate;
        for (size_t t = 0; t < ri.n_tags; t++)
            touch(ri.tags[t]);
        if (ri.support == SK_SIGMA_REFUSED && !ri.reason) {
            fprintf(stderr, "fuzz_sigma: rule %zu refused without a reason\n", i);
            abort();
        }
        sink += (size_t)sk_sigma_corr_type(set, i);
        size_t nr = sk_sigma_corr_n_refs(set, i);
        for (size_t k = 0; k < nr; k++)
            touch(sk_sigma_corr_ref(set, i, k));
    }
    sink += sk_sigma_set_sources(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_events();
    sk_sigma_loader *l = NULL;
    if (sk_sigma_loader_new(&l, NULL)) {
        fprintf(stderr, "fuzz_sigma: the built-in mapping: %s\n", sk_error_last());
        abort();
    }
    /* split at "\n#@file\n" into rule files */
    static const char sep[] = "\n#@file\n";
    const char *p = (const char *)data, *end = p + size;
    for (int f = 0; f < MAX_FILES; f++) {
        const char *q = NULL;
        if (f + 1 < MAX_FILES)
            for (const char *s = p; s + sizeof sep - 1 <= end; s++)
                if (!memcmp(s, sep, sizeof sep - 1)) {
                    q = s;
                    break;
                }
        size_t n = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
        char name[32];
        if (f)
            snprintf(name, sizeof name, "fuzz-%d.yml", f);
        else
            snprintf(name, sizeof name, "fuzz.yml");
        int rc = sk_sigma_loader_add(l, name, p, n, NULL);
        if (rc && rc != SK_ENOMEM && rc != SK_ELIMIT) {
            fprintf(stderr, "fuzz_sigma: sk_sigma_loader_add returned %d: %s\n", rc,
                    sk_error_last());
            abort();
        }
        if (rc) {
            sk_sigma_loader_free(l);
            return 0;
        }
        if (!q) break;
        p = q + sizeof sep - 1;
    }
    sk_sigma_set *set = NULL;
    if (sk_sigma_loader_finish(l, &set)) return 0;
    walk_infos(set);
    sk_sigma_matcher *m = NULL;
    run r = {.set = set};
    sk_buf_init(&r.rec, (size_t)1 << 20);
    if (sk_sigma_matcher_new(&m, set)) goto out;
    if (sk_sigma_corr_new(&r.corr, set, (size_t)8 << 20)) r.corr = NULL;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n_events; i++)
            sk_sigma_match(m, &events[i], on_hit, &r);
    sk_sigma_stats st;
    sk_sigma_matcher_stats(m, &st);
    sink += (size_t)(st.events + st.hits + st.undecided + st.regex_limit);
    const uint64_t *und = sk_sigma_matcher_undecided(m);
    for (size_t i = 0; und && i < sk_sigma_set_count(set); i++)
        sink += (size_t)und[i];
    if (r.corr) sk_sigma_corr_finish(r.corr, on_corr, NULL);
out:
    sk_sigma_corr_free(r.corr);
    sk_buf_free(&r.rec);
    sk_sigma_matcher_free(m);
    sk_sigma_set_free(set);
    return 0;
}
