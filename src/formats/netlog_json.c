/*
 * netlog_json.c - a network record as one JSON object, in the normalized schema of
 * tests/fixtures/net/README.md (keys the log did not carry are left out): what
 * `sakimori net records` prints and the readers' goldens compare.
 */
#include <sakimori/json.h>
#include <sakimori/netlog.h>

static void kv_str(sk_jw *w, const char *k, sk_nstr v)
{
    if (!v.s) return;
    sk_jw_key(w, k);
    sk_jw_stringn(w, v.s, v.n);
}

static void kv_ip(sk_jw *w, sk_buf *tmp, const char *k, const sk_ip *ip)
{
    sk_buf_reset(tmp);
    if (sk_ip_format(tmp, ip)) return;
    sk_jw_key(w, k);
    sk_jw_stringn(w, tmp->data, tmp->len);
}

static void kv_time(sk_jw *w, const char *k, sk_time t)
{
    char b[SK_TIME_ISO_MAX];
    size_t n = sk_time_format(b, t, 3);
    sk_jw_key(w, k);
    sk_jw_stringn(w, b, n);
}

static void kv_list(sk_jw *w, const char *k, const sk_nstr *v, size_t n)
{
    if (!n) return;
    sk_jw_key(w, k);
    sk_jw_array_begin(w);
    for (size_t i = 0; i < n; i++) sk_jw_stringn(w, v[i].s, v[i].n);
    sk_jw_array_end(w);
}

int sk_netrec_write_json(sk_buf *out, const sk_netrec *r)
{
    static const char *const outcomes[] = {NULL, "established", "attempted", "unknown"};
    static const char *const actions[] = {NULL, "allow", "deny"};
    static const char *const dhcps[] = {NULL, "ack", "request", "offer", "discover", "release", "inform", "nak", "expire", "lease"};
    sk_buf tmp;
    sk_buf_init(&tmp, 256);
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_u64(&w, "line", r->line);
    sk_jw_kv_string(&w, "kind", r->kind ? r->kind : "");
    if (r->ts != SK_TIME_NONE) kv_time(&w, "ts", r->ts);
    kv_str(&w, "uid", r->uid);
    if (r->has & SK_NR_SRC_IP) kv_ip(&w, &tmp, "src_ip", &r->src_ip);
    if (r->has & SK_NR_SRC_PORT) sk_jw_kv_u64(&w, "src_port", r->src_port);
    if (r->has & SK_NR_DST_IP) kv_ip(&w, &tmp, "dst_ip", &r->dst_ip);
    if (r->has & SK_NR_DST_PORT) sk_jw_kv_u64(&w, "dst_port", r->dst_port);
    kv_str(&w, "proto", r->proto);
    kv_str(&w, "host", r->host);
    kv_str(&w, "url", r->url);
    kv_str(&w, "method", r->method);
    if (r->has & SK_NR_STATUS) sk_jw_kv_u64(&w, "status", (uint64_t)r->status);
    kv_str(&w, "user_agent", r->user_agent);
    kv_str(&w, "user", r->user);
    if (r->has & SK_NR_BYTES_OUT) sk_jw_kv_u64(&w, "bytes_out", r->bytes_out);
    if (r->has & SK_NR_BYTES_IN) sk_jw_kv_u64(&w, "bytes_in", r->bytes_in);
    if (r->outcome > 0 && r->outcome <= 3) sk_jw_kv_string(&w, "outcome", outcomes[r->outcome]);
    if (r->action > 0 && r->action <= 2) sk_jw_kv_string(&w, "action", actions[r->action]);
    kv_str(&w, "sni", r->sni);
    kv_str(&w, "qtype", r->qtype);
    kv_str(&w, "rcode", r->rcode);
    kv_list(&w, "answers", r->answers, r->n_answers);
    kv_list(&w, "cname", r->cname, r->n_cname);
    kv_str(&w, "mac", r->mac);
    kv_str(&w, "client_name", r->client_name);
    if (r->dhcp > 0 && r->dhcp <= 9) sk_jw_kv_string(&w, "dhcp", dhcps[r->dhcp]);
    if (r->has & SK_NR_LEASE_START) kv_time(&w, "lease_start", r->lease_start);
    if (r->has & SK_NR_LEASE_END) kv_time(&w, "lease_end", r->lease_end);
    if (r->has & SK_NR_LEASE_NEVER) sk_jw_kv_bool(&w, "lease_never", 1);
    kv_str(&w, "md5", r->md5);
    kv_str(&w, "sha1", r->sha1);
    kv_str(&w, "sha256", r->sha256);
    if (r->n_extra) {
        sk_jw_key(&w, "fields_extra");
        sk_jw_object_begin(&w);
        for (size_t i = 0; i < r->n_extra && i < SK_NETREC_MAX_EXTRA; i++) {
            sk_jw_keyn(&w, r->extra_key[i].s, r->extra_key[i].n);
            sk_jw_stringn(&w, r->extra_val[i].s, r->extra_val[i].n);
        }
        sk_jw_object_end(&w);
    }
    sk_jw_object_end(&w);
    sk_buf_free(&tmp);
    return sk_jw_error(&w);
}
