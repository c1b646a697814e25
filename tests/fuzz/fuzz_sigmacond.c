/*
 * fuzz_sigmacond - the Sigma condition parser through the public API (sakimori/sigma.h):
 * the input is a condition's text, written as a YAML double-quoted scalar (every byte
 * escaped so that the document stays well-formed whatever the input: '"', '\\', control
 * and other non-printable characters as \x, \u or \U escapes, bytes that are not UTF-8 as
 * \xNN) into a fixed rule whose detection has the search identifiers sel, sel_a, sel2,
 * filter_x, _hidden and keywords. The rule is loaded with the built-in mapping and
 * matched against two fixed Sysmon events. Asserted: sk_sigma_loader_add() returns 0 (a
 * condition that does not parse is a refusal recorded in the rule info, never a failure
 * of the loader) unless out of memory; the set holds exactly that one rule, a detection,
 * and a refused rule says why. No crash, no hang, no leak, no stack overflow.
 * FUZZ_SIGMA_VERBOSE=1 prints the rule's support, its reason and the hits on stderr.
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

static const char RULE_HEAD[] = "title: condition fuzz\n"
                                "id: 6a0c3c1e-1111-4222-8333-444455556666\n"
                                "status: test\n"
                                "level: high\n"
                                "logsource:\n"
                                "  product: windows\n"
                                "  category: process_creation\n"
                                "detection:\n"
                                "  sel:\n"
                                "    Image|endswith: '\\powershell.exe'\n"
                                "  sel_a:\n"
                                "    CommandLine|contains: '-enc'\n"
                                "  sel2:\n"
                                "    User: alice\n"
                                "  filter_x:\n"
                                "    ParentImage|startswith: 'C:\\Windows\\'\n"
                                "  _hidden:\n"
                                "    IntegrityLevel: High\n"
                                "  keywords:\n"
                                "    - whoami\n"
                                "    - AAAA\n"
                                "  condition: \"";

static const char *const EVENT_JSON[] = {
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}}"
    ",\"EventID\":1,"
    "\"EventRecordID\":1,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:00:00Z\"}"
    "},"
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Computer\":\"H\"},\"EventData\":{\"Image\":"
    "\"C:\\\\x\\\\powershell.exe\",\"CommandLine\":\"powershell -enc "
    "AAAA\",\"User\":\"bob\",\"ParentImage\":"
    "\"C:\\\\Windows\\\\explorer.exe\",\"IntegrityLevel\":\"High\"}}}",
    "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}}"
    ",\"EventID\":1,"
    "\"EventRecordID\":2,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:01:00Z\"}"
    "},"
    "\"Channel\":\"Microsoft-Windows-Sysmon/"
    "Operational\",\"Computer\":\"H\"},\"EventData\":{\"Image\":"
    "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd /c "
    "whoami\",\"User\":\"alice\"}}}",
};
#define N_EVENTS (sizeof EVENT_JSON / sizeof EVENT_JSON[0])

static sk_json_doc *docs[N_EVENTS];
static sk_event events[N_EVENTS];
static sk_arena *ev_arena;
static volatile size_t sink;

static void init_events(void)
{
    static int done;
    if (done) return;
    done = 1;
    if (sk_arena_new(&ev_arena, 0, (size_t)1 << 20)) abort();
    for (size_t i = 0; i < N_EVENTS; i++) {
        sk_json_limits lim = {0};
        sk_event_src src = {
            .sha256 = FUZZ_SHA, .line = i + 1, .has_line = 1, .fallback_time = SK_TIME_NONE};
        sk_event_json_info info;
        if (sk_json_parse(&docs[i], EVENT_JSON[i], strlen(EVENT_JSON[i]), "event", &lim) ||
            sk_event_from_json_record(&events[i], sk_json_doc_root(docs[i]), &src, NULL, ev_arena,
                                      &info)) {
            fprintf(stderr, "fuzz_sigmacond: fixed event %zu: %s\n", i, sk_error_last());
            abort();
        }
    }
}

/* YAML 1.1's printable set (what libyaml accepts unescaped), minus '"' and '\\'. */
static int yaml_printable(uint32_t c)
{
    if (c == '"' || c == '\\') return 0;
    if (c == 0x2028 || c == 0x2029) return 0; /* line breaks to libyaml: they would fold */
    return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* One UTF-8 sequence at s[0..n): its length and code point, 0 when not well-formed. */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t b = s[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF)
        len = 2, c = b & 0x1F, min = 0x80;
    else if (b >= 0xE0 && b <= 0xEF)
        len = 3, c = b & 0x0F, min = 0x800;
    else if (b >= 0xF0 && b <= 0xF4)
        len = 4, c = b & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static int quote(sk_buf *b, const uint8_t *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        uint32_t c;
        size_t len = utf8_next(s + i, n - i, &c);
        if (!len) {
            rc = sk_buf_printf(b, "\\x%02X", s[i]);
            i++;
            continue;
        }
        if (yaml_printable(c))
            rc = sk_buf_append(b, (const char *)s + i, len);
        else if (c == '"' || c == '\\')
            rc = sk_buf_printf(b, "\\%c", (char)c);
        else if (c < 0x100)
            rc = sk_buf_printf(b, "\\x%02X", (unsigned)c);
        else if (c < 0x10000)
            rc = sk_buf_printf(b, "\\u%04X", (unsigned)c);
        else
            rc = sk_buf_printf(b, "\\U%08X", (unsigned)c);
        i += len;
    }
    return rc;
}

static int on_hit(void *ctx, const sk_event *ev, const sk_sigma_hit *hit)
{
    (void)ev;
    if (ctx) fprintf(stderr, "hit: rule %zu\n", hit->rule);
    sink += hit->rule + hit->n_fields;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_events();
    sk_buf doc;
    sk_buf_init(&doc, (size_t)64 << 20);
    if (sk_buf_append(&doc, RULE_HEAD, sizeof RULE_HEAD - 1) || quote(&doc, data, size) ||
        sk_buf_append(&doc, "\"\n", 2)) {
        sk_buf_free(&doc);
        return 0;
    }
    sk_sigma_loader *l = NULL;
    if (sk_sigma_loader_new(&l, NULL)) {
        fprintf(stderr, "fuzz_sigmacond: the built-in mapping: %s\n", sk_error_last());
        abort();
    }
    int rc = sk_sigma_loader_add(l, "cond.yml", doc.data, doc.len, NULL);
    if (rc && rc != SK_ENOMEM) {
        fprintf(stderr, "fuzz_sigmacond: sk_sigma_loader_add returned %d: %s\n", rc,
                sk_error_last());
        abort();
    }
    sk_buf_free(&doc);
    if (rc) {
        sk_sigma_loader_free(l);
        return 0;
    }
    sk_sigma_set *set = NULL;
    if (sk_sigma_loader_finish(l, &set)) return 0;
    if (sk_sigma_set_count(set) != 1) {
        fprintf(stderr, "fuzz_sigmacond: %zu rules in the set, not 1\n", sk_sigma_set_count(set));
        abort();
    }
    sk_sigma_rule_info ri;
    sk_sigma_rule_info_get(set, 0, &ri);
    if (ri.kind != SK_SIGMA_DETECTION ||
        (ri.support == SK_SIGMA_REFUSED && (!ri.reason || !ri.reason[0]))) {
        fprintf(stderr, "fuzz_sigmacond: kind %d, support %d, reason '%s'\n", ri.kind, ri.support,
                ri.reason ? ri.reason : "(null)");
        abort();
    }
    int verbose =
        getenv("FUZZ_SIGMA_VERBOSE") != NULL; /* print the rule's support and hits on stderr */
    if (verbose)
        fprintf(stderr, "%s: %s\n", sk_sigma_support_name(ri.support), ri.reason ? ri.reason : "");
    sk_sigma_matcher *m = NULL;
    if (!sk_sigma_matcher_new(&m, set)) {
        for (size_t i = 0; i < N_EVENTS; i++)
            sk_sigma_match(m, &events[i], on_hit, verbose ? &verbose : NULL);
        sk_sigma_matcher_free(m);
    }
    sk_sigma_set_free(set);
    return 0;
}
