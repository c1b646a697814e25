/*
 * finding_write.c - a finding as one line of findings.jsonl (docs/formats/finding.md,
 * schemas/finding.schema.json) and its deterministic id: SHA-256 over the engine, the
 * rule id, the host and the evidence references sorted, so that the same inputs and
 * rules give the same ids and two runs can be diffed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/digest.h>
#include <sakimori/finding.h>
#include <sakimori/json.h>

static const char *const sev_names[] = {"informational", "low", "medium", "high", "critical"};

const char *sk_severity_name(int sev)
{
    return sev >= 0 && sev <= 4 ? sev_names[sev] : "informational";
}

static int ev_text(sk_buf *b, const sk_finding_ev *e)
{
    int rc = sk_buf_puts(b, e->sha256 ? e->sha256 : "");
    if (!rc && (e->has & SK_FEV_RECORD_ID)) rc = sk_buf_puts(b, ":r") || sk_buf_put_u64(b, e->record_id);
    if (!rc && (e->has & SK_FEV_OFFSET)) rc = sk_buf_puts(b, ":o") || sk_buf_put_u64(b, e->offset);
    if (!rc && (e->has & SK_FEV_LINE)) rc = sk_buf_puts(b, ":l") || sk_buf_put_u64(b, e->line);
    if (!rc) rc = sk_buf_putc(b, '\n');
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sk_finding_id(const sk_finding *f, char out[19])
{
    sk_buf b, evs;
    sk_buf_init(&b, (size_t)16 << 20);
    sk_buf_init(&evs, (size_t)16 << 20);
    size_t n = f->n_evidence > 100 ? 100 : f->n_evidence;
    size_t *offs = calloc(n + 1, sizeof *offs);
    const char **lines = calloc(n + 1, sizeof *lines);
    int rc = offs && lines ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++) {
        offs[i] = evs.len;
        rc = ev_text(&evs, &f->evidence[i]);
    }
    for (size_t i = 0; i < n && !rc; i++) lines[i] = evs.data + offs[i];
    /* each line ends with '\n': turn them into strings */
    for (size_t i = 0; i < evs.len && !rc; i++)
        if (evs.data[i] == '\n') evs.data[i] = 0;
    if (!rc) qsort(lines, n, sizeof *lines, cmp_str);
    const char *head[3] = {f->engine ? f->engine : "", f->rule_id ? f->rule_id : "", f->host ? f->host : ""};
    for (int i = 0; i < 3 && !rc; i++) rc = sk_buf_puts(&b, head[i]) || sk_buf_putc(&b, '\n');
    for (size_t i = 0; i < n && !rc; i++) rc = sk_buf_puts(&b, lines[i]) || sk_buf_putc(&b, '\n');
    uint8_t d[32] = {0};
    if (!rc) rc = sk_sha256(b.data, b.len, d);
    static const char hx[] = "0123456789abcdef";
    out[0] = 'f';
    out[1] = '-';
    for (int i = 0; i < 8; i++) out[2 + 2 * i] = hx[d[i] >> 4], out[3 + 2 * i] = hx[d[i] & 15];
    out[18] = 0;
    free(offs);
    free(lines);
    sk_buf_free(&b);
    sk_buf_free(&evs);
    return rc ? -1 : 0;
}

int sk_finding_write_json(sk_buf *out, const sk_finding *f)
{
    char id[19];
    if (sk_finding_id(f, id)) return -1;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "finding_id", id);
    if (f->host_id) sk_jw_kv_string(&w, "host_id", f->host_id);
    if (f->host) sk_jw_kv_string(&w, "host", f->host);
    sk_jw_kv_string(&w, "engine", f->engine ? f->engine : "");
    sk_jw_key(&w, "rule");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "id", f->rule_id && *f->rule_id ? f->rule_id : "-");
    sk_jw_kv_string(&w, "title", f->rule_title ? f->rule_title : "");
    if (f->rule_source) sk_jw_kv_string(&w, "source", f->rule_source);
    if (f->rule_source_sha256) sk_jw_kv_string(&w, "source_sha256", f->rule_source_sha256);
    sk_jw_object_end(&w);
    sk_jw_kv_string(&w, "severity", sk_severity_name(f->severity));
    sk_jw_kv_string(&w, "summary", f->summary ? f->summary : "");
    sk_jw_kv_time(&w, "time", f->time);
    if (f->time_last != SK_TIME_NONE && f->time_last != f->time) sk_jw_kv_time(&w, "time_last", f->time_last);
    if (f->time_quality) sk_jw_kv_time_quality(&w, "time_quality", f->time_quality);
    if (f->time_offset_s) sk_jw_kv_i64(&w, "time_offset_s", f->time_offset_s);
    sk_jw_kv_u64(&w, "count", f->count ? f->count : 1);
    if (f->n_attack) {
        sk_jw_key(&w, "attack");
        sk_jw_array_begin(&w);
        for (size_t i = 0; i < f->n_attack; i++) sk_jw_string(&w, f->attack[i]);
        sk_jw_array_end(&w);
    }
    if (f->attributes && f->attributes_len) {
        sk_jw_key(&w, "attributes");
        sk_jw_raw(&w, f->attributes, f->attributes_len);
    }
    sk_jw_key(&w, "evidence");
    sk_jw_array_begin(&w);
    size_t n = f->n_evidence > 100 ? 100 : f->n_evidence;
    for (size_t i = 0; i < n; i++) {
        const sk_finding_ev *e = &f->evidence[i];
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "sha256", e->sha256 ? e->sha256 : "");
        if (e->has & SK_FEV_RECORD_ID) sk_jw_kv_u64(&w, "record_id", e->record_id);
        if (e->has & SK_FEV_OFFSET) sk_jw_kv_u64(&w, "offset", e->offset);
        if (e->has & SK_FEV_LINE) sk_jw_kv_u64(&w, "line", e->line);
        if (e->path) sk_jw_kv_string(&w, "path", e->path);
        sk_jw_object_end(&w);
    }
    sk_jw_array_end(&w);
    uint64_t omitted = f->evidence_omitted + (f->n_evidence > 100 ? f->n_evidence - 100 : 0);
    if (omitted) sk_jw_kv_u64(&w, "evidence_omitted", omitted);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w)) return sk_jw_error(&w);
    return sk_buf_putc(out, '\n');
}
