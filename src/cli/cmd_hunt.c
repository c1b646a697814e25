/*
 * cmd_hunt.c - `sakimori hunt events --sigma RULES... INPUT...`: Sigma rules over event
 * logs of any shape the event pipeline reads. The rules are compiled once into one set
 * shared by the scanner's worker threads (a matcher per thread); each detection is
 * rendered as a finding on the worker and comes back in input order; records for
 * correlation rules go to the correlation engine, which sorts and sweeps them at the
 * end. The totals of what runs (as `sigma check` prints them) and a summary by rule and
 * by computer go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sakimori/sakimori.h>
#include <sakimori/evtxdump.h>

#include "cli.h"
#include "sigma_cli.h"

static volatile int stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void hunt_net_help(FILE *out);
int hunt_net_main(int argc, char **argv);
int hunt_files_main(int argc, char **argv);

void cmd_hunt_help(FILE *out)
{
    fprintf(out,
            "usage: sakimori hunt events --sigma RULES [options] INPUT...\n"
            "       sakimori hunt net [--ioc FILE...] [--beacons] [--exfil] [--case DIR] [options] LOG...  (sakimori hunt net --help)\n"
            "       sakimori hunt files [--ioc FILE...] CASE  (sakimori hunt files --help)\n"
            "\n"
            "Run Sigma rules (files or folders of *.yml, as published) over Windows event logs:\n"
            "EVTX files, Winlogbeat/NXLog/evtx JSON lines, folders, gzip/zstd files, - for\n"
            "standard input, a case folder (its case.json's event-log sources, or its\n"
            "logs/events folder). Each detection is a finding (docs/formats/finding.md) with the\n"
            "rule, the event's time and computer, the matched fields and the evidence: the\n"
            "input's SHA-256 and the record id. What the rules need and the logs cannot give\n"
            "is said on stderr (`sakimori sigma check` lists it rule by rule).\n"
            "\n"
            "options:\n"
            "  --sigma PATH         a rule file or folder (repeatable; required)\n"
            "  --format jsonl|csv|table  findings as JSON lines (default), CSV, or a table\n"
            "  --count              print only the number of detections (nothing rendered)\n"
            "  --stats              also the rule engine's own CPU time, from one event in 64 (benchmarks)\n"
            "  --min-level LEVEL    informational, low, medium, high or critical\n"
            "  --status LIST        only rules of these statuses (stable,test,experimental)\n"
            "  --tags LIST          only rules with one of these tags (attack.t1059, attack.execution)\n"
            "  --include ID|PATH    only these rules: id, name or part of the path (repeatable)\n"
            "  --exclude ID|PATH    not these rules (repeatable)\n"
            "  --mapping FILE       the log-source mapping (default: built in; docs/sigma-logsources.md)\n"
            "  --placeholders FILE  values of %%placeholders%% for the expand modifier\n"
            "  --threads N          worker threads (default: all cores)\n"
            "  --quiet              no summary, no per-input lines on stderr\n"
            "\n"
            "examples:\n"
            "  sakimori hunt events --sigma rules/windows logs/ > findings.jsonl\n"
            "  sakimori hunt events --sigma rules/ --min-level high --format table Security.evtx\n"
            "  zcat fleet.jsonl.gz | sakimori hunt events --sigma rules/windows -\n"
            "  sakimori hunt events --sigma rules/windows cases/av-intrusion/\n"
            "\n"
            "Exit codes: 0 nothing detected, 1 something detected, 2 usage error,\n"
            "3 an input could not be read, 4 internal error\n");
}

enum { FMT_JSONL, FMT_CSV, FMT_TABLE, FMT_COUNT };

/* ---- per-thread matchers ---- */

typedef struct tmatch {
    sk_sigma_matcher *m;
    uint64_t ns;          /* thread CPU time spent in the rule engine (--stats: estimated) */
    uint64_t n;
    uint64_t clock_cost;  /* what reading the thread clock itself costs, subtracted */
} tmatch;

static int stats_on;      /* --stats: one event in 64 timed (the thread clock is a system call) */

typedef struct matchers {
    pthread_mutex_t mu;
    tmatch **v;
    size_t n, cap;
    const sk_sigma_set *set;
    pthread_key_t key;
} matchers;

static matchers M;

static tmatch *my_matcher(void)
{
    tmatch *t = pthread_getspecific(M.key);
    if (t) return t;
    t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (sk_sigma_matcher_new(&t->m, M.set)) { free(t); return NULL; }
    pthread_mutex_lock(&M.mu);
    if (M.n == M.cap) {
        size_t cap = M.cap ? M.cap * 2 : 16;
        tmatch **nv = realloc(M.v, cap * sizeof *nv);
        if (!nv) {
            pthread_mutex_unlock(&M.mu);
            sk_sigma_matcher_free(t->m);
            free(t);
            return NULL;
        }
        M.v = nv;
        M.cap = cap;
    }
    M.v[M.n++] = t;
    pthread_mutex_unlock(&M.mu);
    pthread_setspecific(M.key, t);
    return t;
}

static uint64_t thread_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- rendering a detection (worker thread) ---- */

typedef struct hunt {
    const sk_sigma_set *set;
    int format;
    FILE *out;
    int err;
    uint64_t detections;
    sk_map *by_rule, *by_host;   /* summary: key -> uint64_t* counts */
    uint64_t *rule_counts;
    sk_sigma_corr *corr;
    int failed;
} hunt;

typedef struct hctx {
    hunt *h;
    sk_buf *out;
} hctx;

/* frames in the ordered output: 'F' rule(u32) host_len(u16) host finding_len(u32) finding; 'C' len(u32) record */
static int frame_head(sk_buf *out, char type, uint32_t rule, const char *host, size_t hl, size_t *len_at)
{
    uint16_t h16 = (uint16_t)(hl > 1000 ? 1000 : hl);
    uint32_t zero = 0;
    int rc = sk_buf_putc(out, type);
    if (!rc) rc = sk_buf_append(out, &rule, sizeof rule);
    if (!rc) rc = sk_buf_append(out, &h16, sizeof h16);
    if (!rc && h16) rc = sk_buf_append(out, host, h16);
    *len_at = out->len;
    if (!rc) rc = sk_buf_append(out, &zero, sizeof zero);
    return rc;
}

static void frame_close(sk_buf *out, size_t len_at)
{
    uint32_t l = (uint32_t)(out->len - len_at - sizeof(uint32_t));
    memcpy(out->data + len_at, &l, sizeof l);
}


static int render_finding(hunt *h, const sk_event *ev, const sk_sigma_hit *hit, sk_buf *out)
{
    if (h->format == FMT_COUNT) { /* counted, not rendered */
        size_t len_at;
        int rc = frame_head(out, 'F', (uint32_t)hit->rule, ev->computer.s ? ev->computer.s : "", ev->computer.s ? ev->computer.n : 0, &len_at);
        if (!rc) frame_close(out, len_at);
        return rc;
    }
    sk_sigma_rule_info ri;
    sk_sigma_rule_info_get(h->set, hit->rule, &ri);
    char *host = NULL;
    if (ev->computer.s) host = strndup(ev->computer.s, ev->computer.n);
    char *sha = ev->sha256.s ? strndup(ev->sha256.s, ev->sha256.n) : NULL;
    char *path = ev->path.s ? strndup(ev->path.s, ev->path.n) : NULL;
    sk_finding_ev fe = {.sha256 = sha, .path = path};
    if (ev->src_has_record_id) fe.record_id = ev->src_record_id, fe.has |= SK_FEV_RECORD_ID;
    if (ev->src_has_offset) fe.offset = ev->src_offset, fe.has |= SK_FEV_OFFSET;
    if (ev->src_has_line) fe.line = ev->src_line, fe.has |= SK_FEV_LINE;
    /* summary and attributes */
    sk_buf sum, attr;
    sk_buf_init(&sum, 1 << 16);
    sk_buf_init(&attr, 1 << 20);
    sk_buf_puts(&sum, ri.title ? ri.title : "");
    for (size_t i = 0; i < hit->n_fields && sum.len < 600; i++) {
        sk_buf_printf(&sum, "%s%.*s=", i ? "; " : ": ", (int)hit->fields[i].name_len, hit->fields[i].name);
        size_t vl = hit->fields[i].value_len > 200 ? 200 : hit->fields[i].value_len;
        for (size_t k = 0; k < vl; k++) { /* a NUL would end the summary: written visibly */
            if (hit->fields[i].value[k]) sk_buf_putc(&sum, hit->fields[i].value[k]);
            else sk_buf_puts(&sum, "\\x00");
        }
        if (vl < hit->fields[i].value_len) sk_buf_puts(&sum, "...");
    }
    sk_buf_putc(&sum, 0);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    sigma_cli_rule_attrs(&w, &ri);
    sk_jw_kv_string(&w, "logsource", hit->source ? hit->source : "");
    sk_jw_key(&w, "event");
    sk_jw_object_begin(&w);
    if (ev->has & SK_EVH_EVENT_ID) sk_jw_kv_u64(&w, "event_id", ev->event_id);
    if (ev->channel.s) { sk_jw_key(&w, "channel"); sk_jw_stringn(&w, ev->channel.s, ev->channel.n); }
    if (ev->provider_name.s) { sk_jw_key(&w, "provider"); sk_jw_stringn(&w, ev->provider_name.s, ev->provider_name.n); }
    sk_jw_object_end(&w);
    sk_jw_key(&w, "matched");
    sk_jw_object_begin(&w);
    for (size_t i = 0; i < hit->n_fields; i++) {
        sk_jw_keyn(&w, hit->fields[i].name, hit->fields[i].name_len);
        sk_jw_stringn(&w, hit->fields[i].value, hit->fields[i].value_len);
    }
    sk_jw_object_end(&w);
    sk_jw_object_end(&w);
    char ids[16][16];
    const char *aptr[16];
    size_t n_attack;
    sigma_cli_attack(&ri, ids, aptr, &n_attack);
    sk_finding f = {.host = host, .engine = "sigma", .rule_id = ri.id ? ri.id : (ri.name ? ri.name : ri.title), .rule_title = ri.title,
                    .rule_source = ri.path, .rule_source_sha256 = ri.sha256, .severity = ri.level >= 0 ? ri.level : SK_SEV_INFORMATIONAL,
                    .summary = sum.data, .time = ev->time == SK_TIME_NONE ? 0 : ev->time, .time_last = SK_TIME_NONE,
                    .time_quality = ev->time_quality, .time_offset_s = ev->time_offset_s, .count = 1, .attack = aptr,
                    .n_attack = n_attack, .attributes = attr.data, .attributes_len = sk_jw_error(&w) ? 0 : attr.len,
                    .evidence = &fe, .n_evidence = 1};
    size_t len_at;
    int rc = frame_head(out, 'F', (uint32_t)hit->rule, host ? host : "", host ? strlen(host) : 0, &len_at);
    if (!rc) {
        if (h->format == FMT_JSONL) {
            rc = sk_finding_write_json(out, &f);
        } else if (h->format == FMT_CSV) {
            char t[SK_TIME_ISO_MAX];
            sk_time_format(t, f.time, 3);
            if (ev->time_quality & (SK_TQ_MISSING | SK_TQ_UNPARSED)) snprintf(t, sizeof t, "-"); /* no time of its own */
            sk_buf_puts(out, t);
            sk_buf_putc(out, ',');
            sk_escape_csv(out, host ? host : "", host ? strlen(host) : 0);
            sk_buf_printf(out, ",%s,", sk_severity_name(f.severity));
            sk_escape_csv(out, ri.title ? ri.title : "", ri.title ? strlen(ri.title) : 0);
            sk_buf_putc(out, ',');
            sk_escape_csv(out, f.rule_id, strlen(f.rule_id));
            sk_buf_printf(out, ",%u,", ev->event_id);
            if (ev->channel.s) sk_escape_csv(out, ev->channel.s, ev->channel.n);
            sk_buf_putc(out, ',');
            sk_escape_csv(out, sum.data, strlen(sum.data));
            sk_buf_printf(out, ",%s,", sha ? sha : "");
            if (fe.has & SK_FEV_RECORD_ID) sk_buf_put_u64(out, fe.record_id);
            rc = sk_buf_putc(out, '\n');
        } else {
            char t[SK_TIME_ISO_MAX];
            sk_time_format(t, f.time, 0);
            if (ev->time_quality & (SK_TQ_MISSING | SK_TQ_UNPARSED)) snprintf(t, sizeof t, "%-20s", "(no time)");
            sk_buf_printf(out, "%s  %-8.8s  ", t, sk_severity_name(f.severity));
            sk_escape_terminal(out, host ? host : "-", host ? strlen(host) : 1);
            sk_buf_puts(out, "  ");
            sk_escape_terminal(out, sum.data, strlen(sum.data));
            if (fe.has & SK_FEV_RECORD_ID) sk_buf_printf(out, "  [record %llu]", (unsigned long long)fe.record_id);
            rc = sk_buf_putc(out, '\n');
        }
        frame_close(out, len_at);
    }
    sk_buf_free(&sum);
    sk_buf_free(&attr);
    free(host);
    free(sha);
    free(path);
    return rc;
}

static int on_hit(void *ctx, const sk_event *ev, const sk_sigma_hit *hit)
{
    hctx *c = ctx;
    int rc = 0;
    if (hit->emit) rc = render_finding(c->h, ev, hit, c->out);
    if (!rc && sk_sigma_feeds_correlation(c->h->set, hit->rule)) {
        size_t len_at;
        rc = frame_head(c->out, 'C', (uint32_t)hit->rule, "", 0, &len_at);
        if (!rc) rc = sk_sigma_corr_record(c->h->set, ev, hit, c->out);
        if (!rc) frame_close(c->out, len_at);
    }
    return rc;
}

static int hunt_event(void *ctx, const sk_event_input *in, const sk_event *ev, sk_buf *out)
{
    (void)in;
    hunt *h = ctx;
    tmatch *t = my_matcher();
    if (!t) return sk_error_set(SK_ENOMEM, "out of memory");
    hctx c = {.h = h, .out = out};
    if (!stats_on || (++t->n & 63)) return sk_sigma_match(t->m, ev, on_hit, &c);
    if (!t->clock_cost) { /* the cheapest of 16 empty intervals: the clock's own cost */
        uint64_t best = UINT64_MAX;
        for (int i = 0; i < 16; i++) {
            uint64_t a = thread_ns(), b = thread_ns();
            if (b - a < best) best = b - a;
        }
        t->clock_cost = best ? best : 1;
    }
    uint64_t t0 = thread_ns();
    int rc = sk_sigma_match(t->m, ev, on_hit, &c);
    uint64_t d = thread_ns() - t0;
    t->ns += (d > t->clock_cost ? d - t->clock_cost : 0) * 64; /* a sample of one event in 64 */
    return rc;
}

static void bump(sk_map *m, const char *k, size_t n)
{
    uint64_t *c = sk_map_get(m, k, n);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c || sk_map_put(m, k, n, c, NULL)) { free(c); return; }
    }
    (*c)++;
}

static int hunt_write(void *ctx, const void *data, size_t n)
{
    hunt *h = ctx;
    const char *p = data, *end = p + n;
    while (p < end) {
        char type = *p++;
        uint32_t rule, len;
        uint16_t hl;
        if ((size_t)(end - p) < 6) break;
        memcpy(&rule, p, 4);
        memcpy(&hl, p + 4, 2);
        p += 6;
        const char *host = p;
        p += hl;
        if ((size_t)(end - p) < 4) break;
        memcpy(&len, p, 4);
        p += 4;
        if ((size_t)(end - p) < len) break;
        if (type == 'F') {
            h->detections++;
            if (rule < sk_sigma_set_count(h->set)) h->rule_counts[rule]++;
            bump(h->by_host, hl ? host : "-", hl ? hl : 1);
            if (!h->err && fwrite(p, 1, len, h->out) != len) h->err = errno ? errno : EIO;
        } else if (type == 'C' && h->corr) {
            if (sk_sigma_corr_add(h->corr, p, len)) h->failed = 1;
        }
        p += len;
    }
    return 0;
}

static const char *const corr_types[] = {"", "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"};

/* A correlation result as a finding (after every input: the sweep runs at the end). */
static int corr_out(void *ctx, const sk_sigma_corr_result *r)
{
    hunt *h = ctx;
    sk_sigma_rule_info ri;
    sk_sigma_rule_info_get(h->set, r->rule, &ri);
    int type = sk_sigma_corr_type(h->set, r->rule);
    sk_buf sum, attr, out;
    sk_buf_init(&sum, 1 << 16);
    sk_buf_init(&attr, 1 << 20);
    sk_buf_init(&out, 1 << 24);
    sk_buf_printf(&sum, "%s: %s %g", ri.title ? ri.title : "", corr_types[type > 0 && type < 8 ? type : 0], r->value);
    if (r->value_text) sk_buf_printf(&sum, " (%s)", r->value_text);
    sk_buf_printf(&sum, " over %llu events", (unsigned long long)r->count);
    for (size_t i = 0; i < r->n_group; i++) sk_buf_printf(&sum, "%s%s=%s", i ? ", " : " for ", r->group_names[i], r->group_values[i] ? r->group_values[i] : "(absent)");
    sk_buf_putc(&sum, 0);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    if (ri.level >= 0) sk_jw_kv_string(&w, "level", sk_sigma_level_name(ri.level));
    if (ri.status) sk_jw_kv_string(&w, "status", ri.status);
    sk_jw_key(&w, "correlation");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", corr_types[type > 0 && type < 8 ? type : 0]);
    sk_jw_key(&w, "group");
    sk_jw_object_begin(&w);
    for (size_t i = 0; i < r->n_group; i++) {
        sk_jw_key(&w, r->group_names[i]);
        if (r->group_values[i]) sk_jw_string(&w, r->group_values[i]);
        else sk_jw_null(&w);
    }
    sk_jw_object_end(&w);
    sk_jw_key(&w, "value");
    sk_jw_double(&w, r->value);
    if (r->value_text) sk_jw_kv_string(&w, "field_value", r->value_text);
    sk_jw_kv_u64(&w, "events", r->count);
    sk_jw_key(&w, "rules");
    sk_jw_array_begin(&w);
    for (size_t i = 0; i < sk_sigma_corr_n_refs(h->set, r->rule); i++) sk_jw_string(&w, sk_sigma_corr_ref(h->set, r->rule, i));
    sk_jw_array_end(&w);
    sk_jw_object_end(&w);
    sk_jw_object_end(&w);
    sk_finding_ev *fe = calloc(r->n_evidence + 1, sizeof *fe);
    if (!fe) return sk_error_set(SK_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n_evidence; i++) {
        fe[i].sha256 = r->ev_sha256[i];
        fe[i].record_id = r->ev_record_id[i], fe[i].offset = r->ev_offset[i], fe[i].line = r->ev_line[i];
        fe[i].has = (uint8_t)((r->ev_has[i] & 1 ? SK_FEV_RECORD_ID : 0) | (r->ev_has[i] & 2 ? SK_FEV_OFFSET : 0) | (r->ev_has[i] & 4 ? SK_FEV_LINE : 0));
    }
    char ids[16][16];
    const char *aptr[16];
    size_t n_attack;
    sigma_cli_attack(&ri, ids, aptr, &n_attack);
    sk_finding f = {.host = r->host && *r->host ? r->host : NULL, .engine = "sigma", .rule_id = ri.id ? ri.id : (ri.name ? ri.name : ri.title),
                    .rule_title = ri.title, .rule_source = ri.path, .rule_source_sha256 = ri.sha256,
                    .severity = ri.level >= 0 ? ri.level : SK_SEV_MEDIUM, .summary = sum.data, .time = r->first, .time_last = r->last,
                    .count = r->count, .attack = aptr, .n_attack = n_attack, .attributes = attr.data,
                    .attributes_len = sk_jw_error(&w) ? 0 : attr.len, .evidence = fe, .n_evidence = r->n_evidence,
                    .evidence_omitted = r->evidence_omitted};
    int rc = 0;
    if (h->format == FMT_COUNT) {
        ;
    } else if (h->format == FMT_JSONL) {
        rc = sk_finding_write_json(&out, &f);
    } else {
        char t[SK_TIME_ISO_MAX];
        sk_time_format(t, f.time, h->format == FMT_CSV ? 3 : 0);
        if (h->format == FMT_CSV) {
            sk_buf_printf(&out, "%s,", t);
            sk_escape_csv(&out, f.host ? f.host : "", f.host ? strlen(f.host) : 0);
            sk_buf_printf(&out, ",%s,", sk_severity_name(f.severity));
            sk_escape_csv(&out, ri.title ? ri.title : "", ri.title ? strlen(ri.title) : 0);
            sk_buf_putc(&out, ',');
            sk_escape_csv(&out, f.rule_id, strlen(f.rule_id));
            sk_buf_puts(&out, ",,,");
            sk_escape_csv(&out, sum.data, strlen(sum.data));
            sk_buf_printf(&out, ",%s,\n", r->n_evidence ? r->ev_sha256[0] : "");
        } else {
            sk_buf_printf(&out, "%s  %-8.8s  ", t, sk_severity_name(f.severity));
            sk_escape_terminal(&out, f.host ? f.host : "-", f.host ? strlen(f.host) : 1);
            sk_buf_puts(&out, "  ");
            sk_escape_terminal(&out, sum.data, strlen(sum.data));
            sk_buf_putc(&out, '\n');
        }
    }
    if (!rc && fwrite(out.data, 1, out.len, h->out) != out.len) h->err = errno ? errno : EIO;
    h->detections++;
    if (r->rule < sk_sigma_set_count(h->set)) h->rule_counts[r->rule]++;
    if (f.host) bump(h->by_host, f.host, strlen(f.host));
    free(fe);
    sk_buf_free(&sum);
    sk_buf_free(&attr);
    sk_buf_free(&out);
    return rc;
}

static int push_list(const char ***v, size_t *n, const char *s)
{
    /* comma-separated */
    const char *p = s;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        if (l) {
            const char **nv = realloc(*v, (*n + 1) * sizeof *nv);
            if (!nv) return -1;
            *v = nv;
            if (!((*v)[(*n)++] = strndup(p, l))) return -1;
        }
        p += l + (q ? 1 : 0);
    }
    return 0;
}

static void free_list(const char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free((char *)v[i]);
    free(v);
}

static void input_done(void *ctx, size_t i, const char *path, int rc, const sk_evtx_file_stats *s, int kind)
{
    (void)i;
    (void)kind;
    int *ex = ctx;
    if (rc) {
        sk_cli_error("hunt", "%s", sk_error_last());
        *ex = sk_exit_merge(*ex, sk_exit_from_error(rc));
        return;
    }
    if (s->errors) {
        sk_cli_error("hunt", "%s: %llu records could not be read", path, (unsigned long long)s->errors);
        *ex = sk_exit_merge(*ex, SK_EXIT_INPUT);
    }
}

/* Event-log kinds a case.json source may name for the hunt (docs/sigma.md). */
/* A case folder (a directory holding case.json) as inputs: the files its event-log
 * sources' globs match, or, when it lists none, its logs/events folder. Other inputs
 * pass as they are. Returns a new array (its strings owned by `owned`). */
static int case_inputs(const char **in, size_t n, char ***out, size_t *nout, char ***owned, size_t *nowned, int quiet)
{
    size_t cap = n + 16, k = 0, ko = 0, capo = 16;
    char **v = calloc(cap, sizeof *v), **o = calloc(capo, sizeof *o);
    if (!v || !o) { free(v); free(o); return SK_EXIT_INTERNAL; }
    int ex = 0;
#define PUSH(p, own)                                                               \
    do {                                                                           \
        if (k + 1 >= cap) {                                                        \
            char **nv = realloc(v, (cap *= 2) * sizeof *nv);                       \
            if (!nv) { ex = SK_EXIT_INTERNAL; break; }                             \
            v = nv;                                                                \
        }                                                                          \
        v[k++] = (char *)(p);                                                      \
        if (own) {                                                                 \
            if (ko + 1 >= capo) {                                                  \
                char **no = realloc(o, (capo *= 2) * sizeof *no);                  \
                if (!no) { ex = SK_EXIT_INTERNAL; break; }                         \
                o = no;                                                            \
            }                                                                      \
            o[ko++] = (char *)(p);                                                 \
        }                                                                          \
    } while (0)
    for (size_t i = 0; i < n && ex != SK_EXIT_INTERNAL; i++) {
        struct stat st;
        char *cj = NULL;
        if (strcmp(in[i], "-") && stat(in[i], &st) == 0 && S_ISDIR(st.st_mode) && asprintf(&cj, "%s/case.json", in[i]) >= 0 &&
            access(cj, F_OK) == 0) {
            sk_case *c = NULL;
            if (sk_case_load(&c, cj)) {
                sk_cli_error("hunt", "%s", sk_error_last());
                ex = sk_exit_merge(ex, SK_EXIT_INPUT);
                free(cj);
                continue;
            }
            size_t found = 0;
            for (size_t j = 0; j < sk_case_source_count(c); j++) {
                const sk_case_source *src = sk_case_source_at(c, j);
                if (!sk_case_kind_is_events(src->kind)) continue;
                char **m = NULL;
                size_t nm = 0;
                if (sk_case_source_expand(in[i], src, &m, &nm)) {
                    sk_cli_error("hunt", "%s", sk_error_last());
                    ex = sk_exit_merge(ex, SK_EXIT_INPUT);
                    continue;
                }
                for (size_t q = 0; q < nm; q++) {
                    char *d = strdup(m[q]);
                    if (!d) { ex = SK_EXIT_INTERNAL; break; }
                    PUSH(d, 1);
                    found++;
                }
                sk_case_paths_free(m, nm);
            }
            if (!found) {
                char *ev = NULL;
                if (asprintf(&ev, "%s/logs/events", in[i]) >= 0 && stat(ev, &st) == 0 && S_ISDIR(st.st_mode)) {
                    if (!quiet) fprintf(stderr, "hunt: %s: case.json names no event-log source: reading its logs/events folder\n", in[i]);
                    PUSH(ev, 1);
                } else {
                    free(ev);
                    sk_cli_error("hunt", "%s: case.json names no event-log source (kind evtx, winlogbeat, nxlog, evtx-json) and it has no logs/events folder", in[i]);
                    ex = sk_exit_merge(ex, SK_EXIT_INPUT);
                }
            } else if (!quiet) {
                fprintf(stderr, "hunt: %s: %zu event-log files from case.json's sources\n", in[i], found);
            }
            sk_case_free(c);
            free(cj);
            continue;
        }
        free(cj);
        PUSH(in[i], 0);
    }
#undef PUSH
    *out = v;
    *nout = k;
    *owned = o;
    *nowned = ko;
    return ex;
}

static void diag(void *ctx, const char *line)
{
    (void)ctx;
    sk_cli_error("hunt", "%s", line);
}

typedef struct rc_pair {
    uint64_t n;
    size_t rule;
} rc_pair;

static int cmp_pair(const void *a, const void *b)
{
    const rc_pair *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : (x->rule > y->rule) - (x->rule < y->rule);
}

static int cmp_host(const void *a, const void *b)
{
    const struct hc { const char *name; size_t len; uint64_t n; } *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    size_t l = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, l);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void print_summary(hunt *h, const sk_sigma_stats *st)
{
    size_t n = sk_sigma_set_count(h->set), fired = 0;
    rc_pair *pairs = calloc(n + 1, sizeof *pairs);
    if (!pairs) return;
    for (size_t i = 0; i < n; i++)
        if (h->rule_counts[i]) pairs[fired].n = h->rule_counts[i], pairs[fired++].rule = i;
    qsort(pairs, fired, sizeof *pairs, cmp_pair);
    fprintf(stderr, "hunt: %llu events, %llu in a mapped log source, %llu rule evaluations, "
                    "%llu detections by %zu rules on %zu computers",
            (unsigned long long)st->events, (unsigned long long)st->events_sourced, (unsigned long long)st->evaluations,
            (unsigned long long)h->detections, fired, sk_map_count(h->by_host));
    if (st->regex_limit) fprintf(stderr, "; %llu regular-expression matches stopped at the match limit", (unsigned long long)st->regex_limit);
    fputc('\n', stderr);
    sk_buf b;
    sk_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < fired && i < 20; i++) {
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(h->set, pairs[i].rule, &ri);
        sk_buf_reset(&b);
        sk_escape_terminal(&b, ri.title ? ri.title : "", ri.title ? strlen(ri.title) : 0);
        fprintf(stderr, "hunt:   %8llu  %-13s %s\n", (unsigned long long)pairs[i].n, sk_sigma_level_name(ri.level), b.data ? b.data : "");
    }
    if (fired > 20) fprintf(stderr, "hunt:   ... and %zu more rules\n", fired - 20);
    /* computers by detections, then name (a map's order is random: sorted for output) */
    size_t nh = sk_map_count(h->by_host), k = 0, pos = 0;
    struct hc { const char *name; size_t len; uint64_t n; } *hcs = calloc(nh + 1, sizeof *hcs);
    const void *key;
    size_t klen;
    void *val;
    while (hcs && sk_map_next(h->by_host, &pos, &key, &klen, &val) && k < nh) {
        hcs[k].name = key;
        hcs[k].len = klen;
        hcs[k++].n = *(uint64_t *)val;
    }
    if (hcs) qsort(hcs, k, sizeof *hcs, cmp_host);
    for (size_t i = 0; hcs && i < k && i < 20; i++) {
        sk_buf_reset(&b);
        sk_escape_terminal(&b, hcs[i].name, hcs[i].len);
        fprintf(stderr, "hunt:   computer %s: %llu detections\n", b.data ? b.data : "", (unsigned long long)hcs[i].n);
    }
    if (k > 20) fprintf(stderr, "hunt:   ... and %zu more computers\n", k - 20);
    free(hcs);
    sk_buf_free(&b);
    free(pairs);
}

int cmd_hunt_run(int argc, char **argv)
{
    if (argc < 2 || sk_cli_is_help(argv[1])) {
        cmd_hunt_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? SK_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "net")) return hunt_net_main(argc, argv);
    if (!strcmp(argv[1], "files")) return hunt_files_main(argc, argv);
    if (strcmp(argv[1], "events")) {
        sk_cli_error("hunt", "unknown subcommand '%s' (events, net, files)", argv[1]);
        return SK_EXIT_USAGE;
    }
    sigma_cli_opts so = {0};
    sk_sigma_select sel = {.min_level = -1};
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **rules = calloc((size_t)argc + 1, sizeof *rules);
    const char **inc = NULL, **exc = NULL, **status = NULL, **tags = NULL;
    size_t n_inc = 0, n_exc = 0, n_status = 0, n_tags = 0, nfiles = 0;
    int format = FMT_JSONL, quiet = 0, ex = 0, usage = 0, stats = 0;
    sk_evtx_dump_options o = {.diag = diag};
    if (!files || !rules) return SK_EXIT_INTERNAL;
    so.rules = rules;
#define USAGE(...) do { sk_cli_error("hunt", __VA_ARGS__); usage = 1; goto done; } while (0)
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) { cmd_hunt_help(stdout); goto done; }
        if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        if (!strcmp(a, "--count")) { format = FMT_COUNT; continue; }
        if (!strcmp(a, "--stats")) { stats = 1; continue; }
        static const char *const valued[] = {"--sigma", "--format", "--min-level", "--status", "--tags", "--include",
                                             "--exclude", "--mapping", "--placeholders", "--threads"};
        int known = 0;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !known; k++) known = !strcmp(a, valued[k]);
        if (!known) {
            if (a[0] == '-' && a[1]) USAGE("unknown option '%s' (see 'sakimori hunt --help')", a);
            files[nfiles++] = a;
            continue;
        }
        if (i + 1 >= argc) USAGE("option '%s' needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--sigma")) rules[so.n_rules++] = v;
        else if (!strcmp(a, "--mapping")) so.mapping = v;
        else if (!strcmp(a, "--placeholders")) so.placeholders = v;
        else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "jsonl")) format = FMT_JSONL;
            else if (!strcmp(v, "csv")) format = FMT_CSV;
            else if (!strcmp(v, "table")) format = FMT_TABLE;
            else USAGE("--format '%s': give jsonl, csv or table", v);
        } else if (!strcmp(a, "--min-level")) {
            sel.min_level = sk_sigma_level_from_name(v, strlen(v));
            if (sel.min_level < 0) USAGE("--min-level '%s': give informational, low, medium, high or critical", v);
        } else if (!strcmp(a, "--status")) {
            if (push_list(&status, &n_status, v)) goto done;
        } else if (!strcmp(a, "--tags")) {
            if (push_list(&tags, &n_tags, v)) goto done;
        } else if (!strcmp(a, "--include")) {
            if (push_list(&inc, &n_inc, v)) goto done;
        } else if (!strcmp(a, "--exclude")) {
            if (push_list(&exc, &n_exc, v)) goto done;
        } else if (!strcmp(a, "--threads")) {
            char *end;
            long t = strtol(v, &end, 10);
            if (*end || end == v || t < 0 || t > 64) USAGE("--threads '%s' is not a number between 0 and 64", v);
            o.threads = (unsigned)t;
        }
    }
    if (!so.n_rules) USAGE("give the rules with --sigma RULES (a file or a folder)");
    if (!nfiles) USAGE("give one or more event logs (files, folders, or - for standard input)");
    sel.status = status, sel.n_status = n_status;
    sel.tags = tags, sel.n_tags = n_tags;
    sel.include = inc, sel.n_include = n_inc;
    sel.exclude = exc, sel.n_exclude = n_exc;
    sk_sigma_set *set = NULL;
    size_t nrf = 0;
    ex = sigma_cli_load(&so, "hunt", &set, &nrf);
    if (!set) goto done;
    size_t selected = sk_sigma_set_select(set, &sel);
    for (size_t i = 0; i < sk_sigma_set_count(set); i++) { /* a refused rule is always said (the exit code is about the logs) */
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(set, i, &ri);
        if (ri.support == SK_SIGMA_REFUSED) {
            sk_cli_error("hunt", "%s", ri.reason ? ri.reason : "refused");
        }
    }
    if (!quiet) {
        sigma_cli_totals(set, stderr, "hunt: ");
        fprintf(stderr, "hunt: %zu rules selected to run ('sakimori sigma check' says why the others do not)\n", selected);
    }
    hunt h = {.set = set, .format = format, .out = stdout};
    h.rule_counts = calloc(sk_sigma_set_count(set) + 1, sizeof *h.rule_counts);
    if (!h.rule_counts || sk_map_new(&h.by_host, 0) || sk_sigma_corr_new(&h.corr, set, (size_t)256 << 20)) {
        sk_cli_error("hunt", "%s", sk_error_last());
        ex = SK_EXIT_INTERNAL;
        goto out;
    }
    memset(&M, 0, sizeof M);
    stats_on = stats;
    pthread_mutex_init(&M.mu, NULL);
    pthread_key_create(&M.key, NULL);
    M.set = set;
    if (format == FMT_CSV) fputs("time,computer,level,rule,rule_id,event_id,channel,details,sha256,record_id\n", stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    o.stop = &stop_requested;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    char **cin = NULL, **cown = NULL;
    size_t ncin = 0, ncown = 0;
    ex = sk_exit_merge(ex, case_inputs(files, nfiles, &cin, &ncin, &cown, &ncown, quiet));
    sk_event_inputs ins;
    sk_event_inputs_options io = {.diag = diag};
    int exp_rc = cin ? sk_event_inputs_expand(cin, ncin, &io, &ins) : SK_ENOMEM;
    for (size_t i = 0; i < ncown; i++) free(cown[i]);
    free(cown);
    free(cin);
    if (exp_rc) {
        sk_cli_error("hunt", "%s", sk_error_last());
        ex = SK_EXIT_INTERNAL;
        goto out;
    }
    if (ins.unreadable || ins.special) ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    sk_event_sink sink = {.ctx = &h, .event = hunt_event, .write = hunt_write};
    sk_event_scanner *sc = NULL;
    if (sk_event_scanner_new(&sc, &o, &sink)) {
        sk_cli_error("hunt", "%s", sk_error_last());
        sk_event_inputs_free(&ins);
        ex = SK_EXIT_INTERNAL;
        goto out;
    }
    if (sk_event_scan_inputs(sc, &ins, input_done, &ex)) {
        sk_cli_error("hunt", "%s", sk_error_last());
        ex = sk_exit_merge(ex, SK_EXIT_INTERNAL);
    }
    sk_event_scanner_free(sc);
    sk_event_inputs_free(&ins);
    if (sk_sigma_corr_finish(h.corr, corr_out, &h)) {
        sk_cli_error("hunt", "correlations: %s", sk_error_last());
        ex = sk_exit_merge(ex, SK_EXIT_INTERNAL);
    }
    sk_sigma_stats tot = {0};
    uint64_t match_ns = 0;
    uint64_t *und = calloc(sk_sigma_set_count(set) + 1, sizeof *und);
    uint64_t *sev = calloc(sk_sigma_set_sources(set) + 1, sizeof *sev);
    for (size_t i = 0; i < M.n; i++) {
        sk_sigma_stats st;
        sk_sigma_matcher_stats(M.v[i]->m, &st);
        match_ns += M.v[i]->ns;
        const uint64_t *u = sk_sigma_matcher_source_events(M.v[i]->m);
        for (size_t r = 0; sev && r < sk_sigma_set_sources(set); r++) sev[r] += u[r];
        tot.events += st.events, tot.events_sourced += st.events_sourced, tot.evaluations += st.evaluations;
        tot.prefiltered += st.prefiltered, tot.hits += st.hits, tot.undecided += st.undecided, tot.regex_limit += st.regex_limit;
        sk_sigma_matcher_free(M.v[i]->m);
        free(M.v[i]);
    }
    free(M.v);
    pthread_key_delete(M.key);
    pthread_mutex_destroy(&M.mu);
    if (format == FMT_COUNT) printf("%llu\n", (unsigned long long)h.detections);
    if (fflush(stdout) || h.err) {
        sk_cli_error("hunt", "writing the output: %s", strerror(h.err ? h.err : errno));
        ex = sk_exit_merge(ex, SK_EXIT_INPUT);
    }
    if (!quiet) print_summary(&h, &tot);
    if (stats) {
        double sec = (double)match_ns / 1e9;
        fprintf(stderr, "hunt: the rule engine: %.2f s of CPU for %llu events (%.0f events/s per core; one event in 64 timed)%s\n", sec,
                (unsigned long long)tot.events, sec > 0 ? (double)tot.events / sec : 0.0,
                format == FMT_COUNT ? "" : ", rendering the findings included");
    }
    if (und && sev) sk_sigma_events_lacking(set, sev, und);
    size_t shown_und = 0, more_und = 0;
    for (size_t r = 0; !quiet && und && r < sk_sigma_set_count(set); r++) {
        if (!und[r]) continue;
        if (shown_und++ >= 20) { more_und++; continue; }
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(set, r, &ri);
        sk_buf b;
        sk_buf_init(&b, 1 << 16);
        sk_buf_printf(&b, "not fully judged: %s: %llu events of a source that lacks a field it needs (%s)", ri.title ? ri.title : "",
                      (unsigned long long)und[r], ri.reason ? ri.reason : "");
        sk_buf_putc(&b, 0);
        sk_buf e;
        sk_buf_init(&e, 1 << 17);
        sk_escape_terminal(&e, b.data, strlen(b.data));
        fprintf(stderr, "hunt:   %s\n", e.data ? e.data : "");
        sk_buf_free(&b);
        sk_buf_free(&e);
    }
    if (more_und) fprintf(stderr, "hunt:   ... and %zu more rules not fully judged ('sakimori sigma check --all' lists what each lacks)\n", more_und);
    free(und);
    free(sev);
    if (h.detections) ex = sk_exit_merge(ex, SK_EXIT_FINDINGS);
out:
    if (h.by_host) {
        size_t pos = 0;
        const void *key;
        size_t klen;
        void *val;
        while (sk_map_next(h.by_host, &pos, &key, &klen, &val)) free(val);
        sk_map_free(h.by_host);
    }
    sk_sigma_corr_free(h.corr);
    free(h.rule_counts);
    sk_sigma_set_free(set);
done:
#undef USAGE
    free(files);
    free(rules);
    free_list(inc, n_inc);
    free_list(exc, n_exc);
    free_list(status, n_status);
    free_list(tags, n_tags);
    return usage ? SK_EXIT_USAGE : ex;
}
