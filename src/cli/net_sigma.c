/*
 * net_sigma.c - Sigma rules over network logs (net_sigma.h). A reading thread turns each
 * record into the event view in its chunk's arena, matches it with the chunk's own
 * matcher, and keeps each detection with what the finding will need (the rule, the
 * time, the line, the address to attribute, the matched fields as JSON and as summary
 * text); the calling thread applies a chunk's detections in input order. A finding is
 * one host and one rule: the host is the client (the record's source address) for
 * proxy, DNS, firewall and Zeek logs, and the server for web-server logs (the
 * s-computername the log names, else its address), attributed through DHCP and the
 * asset inventory like the contacts; an address nothing attributes stays the address.
 * Correlation rules are not run here (hunt events runs them over Windows logs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/attrib.h>
#include <sakimori/common.h>
#include <sakimori/escape.h>
#include <sakimori/finding.h>
#include <sakimori/json.h>
#include <sakimori/map.h>

#include "net_sample.h"
#include "net_sigma.h"
#include "sigma_cli.h"

/* one detection of a reading thread; its strings at offsets of the chunk's text */
typedef struct sghit {
    uint32_t rule;
    uint32_t tq;
    sk_time ts;
    uint64_t line;
    sk_ip ip;                  /* the side the finding is about */
    int has_ip, server;        /* server: a web server's log (the finding is the server's) */
    size_t name, name_n;       /* the computer the log names (web servers), n 0: none */
    size_t matched, matched_n; /* the matched fields, a JSON object */
    size_t sum, sum_n;         /* the same as "name=value; ..." text */
    const char *source;        /* the mapping entry (the set's string) */
    char client[48];           /* the other side's address, as text ("" none) */
} sghit;

struct net_sigma_chunk {
    net_sigma *s;
    sk_sigma_matcher *m;
    sk_arena *arena;
    sghit *hits;
    size_t n, cap;
    sk_buf text;
    const sk_netrec *cur;
    int reader, oom;
};

/* a finding: one host, one rule */
typedef struct sgf {
    char *host;
    uint32_t rule;
    char addr[48];             /* the address attributed (the first seen) */
    int how;
    uint64_t count;
    net_sample smp;
    char *matched, *summary;   /* the first detection's (by reading order) */
    const char *sources[8];    /* the mapping entries its lines matched through (the set's strings) */
    size_t n_sources;
    char client[48];           /* web servers: the first client */
    uint64_t clients;          /* detections with a client address */
    uint32_t tq;
} sgf;

struct net_sigma {
    const sk_sigma_set *set;
    net_sigma_attrib attrib;
    void *attrib_ctx;
    sk_map *by_key;            /* host\0rule -> sgf */
    sgf **all;
    size_t n_all, cap_all;
    int sorted;
    uint64_t events, hits, undecided;
    uint64_t *source_events;   /* per mapping entry, over every chunk */
};

int net_sigma_new(net_sigma **out, const sk_sigma_set *set, net_sigma_attrib attrib, void *attrib_ctx)
{
    *out = NULL;
    net_sigma *s = calloc(1, sizeof *s);
    if (!s || sk_map_new(&s->by_key, 0)) {
        free(s);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    if (!(s->source_events = calloc(sk_sigma_set_sources(set) + 1, sizeof *s->source_events))) {
        sk_map_free(s->by_key);
        free(s);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    s->set = set;
    s->attrib = attrib;
    s->attrib_ctx = attrib_ctx;
    *out = s;
    return 0;
}

void net_sigma_free(net_sigma *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_all; i++) {
        free(s->all[i]->host);
        free(s->all[i]->matched);
        free(s->all[i]->summary);
        free(s->all[i]);
    }
    free(s->all);
    free(s->source_events);
    sk_map_free(s->by_key);
    free(s);
}

net_sigma_chunk *net_sigma_chunk_new(net_sigma *s)
{
    net_sigma_chunk *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->s = s;
    sk_buf_init(&k->text, (size_t)1 << 30);
    if (sk_sigma_matcher_new(&k->m, s->set) || sk_arena_new(&k->arena, 1 << 16, (size_t)64 << 20)) {
        sk_sigma_matcher_free(k->m);
        sk_buf_free(&k->text);
        free(k);
        return NULL;
    }
    return k;
}

size_t net_sigma_chunk_pending(const net_sigma_chunk *k)
{
    return k->n;
}

static void chunk_free(net_sigma_chunk *k)
{
    if (!k) return;
    sk_sigma_matcher_free(k->m);
    sk_arena_free(k->arena);
    sk_buf_free(&k->text);
    free(k->hits);
    free(k);
}

static int on_hit(void *ctx, const sk_event *ev, const sk_sigma_hit *hit)
{
    net_sigma_chunk *k = ctx;
    if (!hit->emit) return 0; /* a correlation's base rule: correlations are not run here */
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        sghit *nh = realloc(k->hits, cap * sizeof *nh);
        if (!nh) { k->oom = 1; return 1; }
        k->hits = nh;
        k->cap = cap;
    }
    const sk_netrec *r = k->cur;
    sghit *x = &k->hits[k->n];
    memset(x, 0, sizeof *x);
    x->rule = (uint32_t)hit->rule;
    x->ts = r->ts;
    x->tq = r->ts_quality;
    x->line = r->line;
    x->source = hit->source;
    x->server = k->reader == SK_EVR_WEBSERVER;
    const sk_ip *self = x->server ? ((r->has & SK_NR_DST_IP) ? &r->dst_ip : NULL) : ((r->has & SK_NR_SRC_IP) ? &r->src_ip : NULL);
    const sk_ip *other = x->server ? ((r->has & SK_NR_SRC_IP) ? &r->src_ip : NULL) : NULL;
    if (self) x->ip = *self, x->has_ip = 1;
    if (other) {
        sk_buf b;
        sk_buf_init(&b, 64);
        if (!sk_ip_format(&b, other) && b.len < sizeof x->client) memcpy(x->client, b.data, b.len), x->client[b.len] = 0;
        sk_buf_free(&b);
    }
    if (x->server && ev->computer.s && ev->computer.n && ev->computer.n < 256) {
        x->name = k->text.len, x->name_n = ev->computer.n;
        if (sk_buf_append(&k->text, ev->computer.s, ev->computer.n)) { k->oom = 1; return 1; }
    }
    /* the matched fields: JSON for the attributes, text for the summary */
    x->matched = k->text.len;
    sk_jw w;
    sk_jw_init(&w, &k->text);
    sk_jw_object_begin(&w);
    for (size_t i = 0; i < hit->n_fields; i++) {
        sk_jw_keyn(&w, hit->fields[i].name, hit->fields[i].name_len);
        size_t vl = hit->fields[i].value_len > 4096 ? 4096 : hit->fields[i].value_len;
        sk_jw_stringn(&w, hit->fields[i].value, vl);
    }
    sk_jw_object_end(&w);
    if (sk_jw_error(&w)) { k->oom = 1; return 1; }
    x->matched_n = k->text.len - x->matched;
    x->sum = k->text.len;
    for (size_t i = 0; i < hit->n_fields && k->text.len - x->sum < 600; i++) {
        sk_buf_printf(&k->text, "%s%.*s=", i ? "; " : "", (int)hit->fields[i].name_len, hit->fields[i].name);
        size_t vl = hit->fields[i].value_len > 200 ? 200 : hit->fields[i].value_len;
        for (size_t c = 0; c < vl; c++) { /* a NUL would end the summary: written visibly */
            if (hit->fields[i].value[c]) sk_buf_putc(&k->text, hit->fields[i].value[c]);
            else sk_buf_puts(&k->text, "\\x00");
        }
        if (vl < hit->fields[i].value_len) sk_buf_puts(&k->text, "...");
    }
    x->sum_n = k->text.len - x->sum;
    k->n++;
    return 0;
}

int net_sigma_rec(net_sigma_chunk *k, const sk_netrec *r, sk_netlog_format fmt)
{
    if (r->dhcp) return 0;
    sk_arena_reset(k->arena);
    sk_event ev;
    int rc = sk_netrec_to_event(&ev, r, fmt, NULL, k->arena);
    if (rc == 1) return 0; /* no Sigma log source */
    if (rc) return 0;      /* too large for the view: not matched (the arena is generous) */
    k->cur = r;
    k->reader = ev.reader;
    rc = sk_sigma_match(k->m, &ev, on_hit, k);
    return k->oom ? SK_ENOMEM : rc;
}

static sgf *finding_of(net_sigma *s, const char *host, size_t hl, uint32_t rule)
{
    char key[1100];
    if (hl > 1024) hl = 1024;
    memcpy(key, host, hl);
    key[hl] = 0;
    memcpy(key + hl + 1, &rule, sizeof rule);
    size_t kn = hl + 1 + sizeof rule;
    sgf *f = sk_map_get(s->by_key, key, kn);
    if (f) return f;
    if (s->n_all == s->cap_all) {
        size_t cap = s->cap_all ? s->cap_all * 2 : 64;
        sgf **nv = realloc(s->all, cap * sizeof *nv);
        if (!nv) return NULL;
        s->all = nv;
        s->cap_all = cap;
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->host = strndup(host, hl)) || sk_map_put(s->by_key, key, kn, f, NULL)) {
        if (f) free(f->host);
        free(f);
        return NULL;
    }
    f->rule = rule;
    net_sample_init(&f->smp);
    s->all[s->n_all++] = f;
    s->sorted = 0;
    return f;
}

int net_sigma_chunk_done(net_sigma *s, net_sigma_chunk *k, uint32_t input)
{
    int rc = k->oom ? SK_ENOMEM : 0;
    const char *t = k->text.data;
    for (size_t i = 0; !rc && i < k->n; i++) {
        const sghit *x = &k->hits[i];
        char addr[48] = "";
        int how = SK_ATTRIB_NONE;
        const char *host = NULL;
        if (x->has_ip) {
            sk_buf b;
            sk_buf_init(&b, 64);
            if (!sk_ip_format(&b, &x->ip) && b.len < sizeof addr) memcpy(addr, b.data, b.len), addr[b.len] = 0;
            sk_buf_free(&b);
            host = s->attrib ? s->attrib(s->attrib_ctx, &x->ip, x->ts, &how) : NULL;
        }
        char name[257];
        if (!host && x->name_n) { /* the server the web log names */
            memcpy(name, t + x->name, x->name_n);
            name[x->name_n] = 0;
            host = name;
        }
        if (!host) host = addr[0] ? addr : "-";
        sgf *f = finding_of(s, host, strlen(host), x->rule);
        if (!f) { rc = SK_ENOMEM; break; }
        if (!f->count) {
            memcpy(f->addr, addr, sizeof addr);
            f->how = how;
            f->tq = x->tq;
            if (!(f->matched = strndup(t + x->matched, x->matched_n)) || !(f->summary = strndup(t + x->sum, x->sum_n))) {
                rc = SK_ENOMEM;
                break;
            }
        }
        int known = 0;
        for (size_t j = 0; j < f->n_sources && !known; j++) known = f->sources[j] == x->source;
        if (!known && x->source && f->n_sources < 8) f->sources[f->n_sources++] = x->source;
        if (x->client[0]) {
            if (!f->clients++) memcpy(f->client, x->client, sizeof f->client);
        }
        f->count++;
        net_ref ref = {.input = input, .line = x->line, .t = x->ts};
        net_sample_add(&f->smp, &ref);
    }
    sk_sigma_stats st;
    sk_sigma_matcher_stats(k->m, &st);
    s->events += st.events_sourced;
    s->hits += st.hits;
    s->undecided += st.undecided;
    const uint64_t *se = sk_sigma_matcher_source_events(k->m);
    for (size_t i = 0; se && i < sk_sigma_set_sources(s->set); i++) s->source_events[i] += se[i];
    chunk_free(k);
    return rc ? sk_error_set(SK_ENOMEM, "out of memory") : 0;
}

static int by_host_rule(const void *a, const void *b)
{
    const sgf *x = *(const sgf *const *)a, *y = *(const sgf *const *)b;
    int c = strcmp(x->host, y->host);
    if (c) return c;
    return (x->rule > y->rule) - (x->rule < y->rule);
}

size_t net_sigma_count(const net_sigma *s)
{
    return s->n_all;
}

static void sort_findings(net_sigma *s)
{
    if (!s->sorted) {
        if (s->n_all > 1) qsort(s->all, s->n_all, sizeof *s->all, by_host_rule);
        s->sorted = 1;
    }
}

size_t net_sigma_hosts(net_sigma *s)
{
    sort_findings(s); /* a host's findings side by side: counted in one pass */
    size_t n = 0;
    for (size_t i = 0; i < s->n_all; i++) n += !i || strcmp(s->all[i]->host, s->all[i - 1]->host);
    return n;
}

void net_sigma_totals(const net_sigma *s, uint64_t *events, uint64_t *hits, uint64_t *undecided)
{
    *events = s->events;
    *hits = s->hits;
    *undecided = s->undecided;
}

int net_sigma_write(net_sigma *s, size_t i, int format, char *const *paths, char (*sha)[65], const char *(*how_name)(int),
                    sk_buf *out)
{
    sort_findings(s);
    const sgf *f = s->all[i];
    sk_sigma_rule_info ri;
    sk_sigma_rule_info_get(s->set, f->rule, &ri);
    const char *rid = ri.id ? ri.id : ri.name ? ri.name : ri.title ? ri.title : "";
    char t1[SK_TIME_ISO_MAX], t2[SK_TIME_ISO_MAX];
    sk_time_format(t1, f->smp.first, 0);
    sk_time_format(t2, f->smp.last, 0);
    if (format == NET_SIGMA_TABLE) {
        size_t at = out->len;
        sk_escape_terminal(out, f->host, strlen(f->host));
        for (size_t w = out->len - at; w < 28; w++) sk_buf_putc(out, ' ');
        sk_buf_putc(out, ' ');
        at = out->len;
        const char *title = ri.title ? ri.title : rid;
        sk_escape_terminal(out, title, strlen(title) > 60 ? 60 : strlen(title));
        for (size_t w = out->len - at; w < 60; w++) sk_buf_putc(out, ' ');
        return sk_buf_printf(out, " %7llu  %s  %s  %s\n", (unsigned long long)f->count, t1, t2, how_name(f->how));
    }
    if (format == NET_SIGMA_CSV) {
        char n[24], line[24];
        snprintf(n, sizeof n, "%llu", (unsigned long long)f->count);
        snprintf(line, sizeof line, "%llu", (unsigned long long)f->smp.earliest.line);
        const char *v[] = {"sigma", f->host, rid, "sigma", ri.path, t1, t2, n, NULL, NULL, NULL, NULL, f->addr[0] ? f->addr : NULL,
                           how_name(f->how), NULL, NULL, paths[f->smp.earliest.input], line};
        for (size_t c = 0; c < sizeof v / sizeof v[0]; c++) {
            if (c) sk_buf_putc(out, ',');
            if (v[c]) sk_escape_csv(out, v[c], strlen(v[c]));
        }
        return sk_buf_putc(out, '\n');
    }
    sk_buf attr, sum;
    sk_buf_init(&attr, 1 << 20);
    sk_buf_init(&sum, 1 << 14);
    sk_jw w;
    sk_jw_init(&w, &attr);
    sk_jw_object_begin(&w);
    sigma_cli_rule_attrs(&w, &ri);
    sk_jw_key(&w, "logsources"); /* the mapping entries, in the order first seen */
    sk_jw_array_begin(&w);
    for (size_t k = 0; k < f->n_sources; k++) sk_jw_string(&w, f->sources[k]);
    sk_jw_array_end(&w);
    sk_jw_key(&w, "matched");
    sk_jw_raw(&w, f->matched, strlen(f->matched));
    if (f->addr[0]) sk_jw_kv_string(&w, f->client[0] ? "server_ip" : "internal_ip", f->addr);
    sk_jw_kv_string(&w, "attribution", how_name(f->how));
    if (f->client[0]) {
        sk_jw_kv_string(&w, "client_ip", f->client);
        if (f->clients < f->count) sk_jw_kv_u64(&w, "with_client", f->clients);
    }
    sk_jw_object_end(&w);
    sk_buf_printf(&sum, "%s: %s", ri.title ? ri.title : rid, f->summary);
    if (f->count > 1) sk_buf_printf(&sum, " (%llu lines, %s to %s)", (unsigned long long)f->count, t1, t2);
    sk_buf_putc(&sum, 0);
    sk_finding_ev ev[NET_SAMPLE_MAX + 3];
    uint64_t omitted;
    size_t ne = net_sample_evidence(&f->smp, NULL, paths, sha, ev, &omitted);
    char ids[16][16];
    const char *aptr[16];
    size_t n_attack;
    sigma_cli_attack(&ri, ids, aptr, &n_attack);
    sk_finding fd = {.host = f->host, .engine = "sigma", .rule_id = rid, .rule_title = ri.title, .rule_source = ri.path,
                     .rule_source_sha256 = ri.sha256, .severity = ri.level >= 0 ? ri.level : SK_SEV_INFORMATIONAL, .summary = sum.data,
                     .time = f->smp.first == SK_TIME_NONE ? 0 : f->smp.first, .time_last = f->count > 1 ? f->smp.last : SK_TIME_NONE,
                     .time_quality = f->tq, .count = f->count, .attack = aptr, .n_attack = n_attack, .attributes = attr.data,
                     .attributes_len = sk_jw_error(&w) ? 0 : attr.len, .evidence = ev, .n_evidence = ne, .evidence_omitted = omitted};
    int rc = sk_finding_write_json(out, &fd);
    sk_buf_free(&attr);
    sk_buf_free(&sum);
    return rc;
}

void net_sigma_report_lacking(const net_sigma *s, const char *prefix)
{
    size_t n = sk_sigma_set_count(s->set), shown = 0, more = 0;
    uint64_t *und = calloc(n + 1, sizeof *und);
    if (!und) return;
    sk_sigma_events_lacking(s->set, s->source_events, und);
    for (size_t r = 0; r < n; r++) {
        if (!und[r]) continue;
        if (shown++ >= 20) { more++; continue; }
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(s->set, r, &ri);
        sk_buf b, e;
        sk_buf_init(&b, 1 << 16);
        sk_buf_init(&e, 1 << 17);
        sk_buf_printf(&b, "not fully judged: %s: %llu records of a source that lacks a field it needs (%s)", ri.title ? ri.title : "",
                      (unsigned long long)und[r], ri.reason ? ri.reason : "");
        sk_buf_putc(&b, 0);
        sk_escape_terminal(&e, b.data, strlen(b.data));
        fprintf(stderr, "%s:   %s\n", prefix, e.data ? e.data : "");
        sk_buf_free(&b);
        sk_buf_free(&e);
    }
    if (more) fprintf(stderr, "%s:   ... and %zu more rules not fully judged ('sakimori sigma check --all' lists what each lacks)\n", prefix, more);
    free(und);
}
