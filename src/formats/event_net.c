/*
 * event_net.c - a network-log record as the typed event view (sakimori/event.h), so that
 * the Sigma engine reads proxy, web-server, DNS, firewall and Zeek logs as it reads
 * Windows events (docs/sigma-logsources.md, "network logs").
 *
 * The record's reader decides its log source: Squid and W3C proxy logs are proxy, IIS
 * and other W3C web-server logs webserver, the Windows DNS debug log dns, firewall CSV
 * firewall, Zeek logs zeek (the channel is the Zeek log's path: conn, dns, http, ...),
 * JSON lines by their field map's kind or, without one, by what they hold. The fields
 * are the record's columns under the names the log gives them (Zeek's and W3C's own,
 * which published rules use), then the Sigma taxonomy's names for what the reader
 * understood (c-uri, cs-host, c-useragent, sc-status, query, src_ip, dst_port, ...)
 * where no column of that name exists; W3C's cs(User-Agent)-style names also appear as
 * cs-user-agent. Values are as logged; ports, status codes and byte counts are integers.
 * A W3C header field (cs(User-Agent), cs(Referer), ...) with a '+' is an array of two
 * values, as logged and with '+' read as the space IIS wrote it for: published rules
 * use both forms ("Googlebot/2.1+(+http://...)" and "Microsoft WinRM Client"), and a
 * value matches when either does.
 */
#include <stdio.h>
#include <string.h>

#include <sakimori/netlog.h>

typedef struct nb {
    sk_event *ev;
    sk_arena *a;
    sk_event_field *f;
    size_t n, cap;
} nb;

static int has_field(const nb *b, const char *name, size_t n)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->f[i].name_len == n && !memcmp(b->f[i].name, name, n)) return 1;
    return 0;
}

static sk_event_field *slot(nb *b, const char *name, size_t n)
{
    if (b->n == b->cap) return NULL;
    sk_event_field *f = &b->f[b->n++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->name_len = n;
    f->hash = sk_event_name_hash(name, n);
    f->where = SK_EVW_EVENTDATA;
    return f;
}

/* a text field (the column of that name wins) */
static void put_str(nb *b, const char *name, const char *v, size_t vn)
{
    size_t n = strlen(name);
    if (!v || has_field(b, name, n)) return;
    sk_event_field *f = slot(b, name, n);
    if (!f) return;
    f->v.kind = SK_EVK_STRING;
    f->v.s = v;
    f->v.n = vn;
}

static void put_nstr(nb *b, const char *name, sk_nstr s)
{
    if (s.s) put_str(b, name, s.s, s.n);
}

static void put_u64(nb *b, const char *name, uint64_t v)
{
    size_t n = strlen(name);
    if (has_field(b, name, n)) return;
    char t[24];
    int w = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    char *s = sk_arena_strndup(b->a, t, (size_t)w);
    sk_event_field *f = s ? slot(b, name, n) : NULL;
    if (!f) return;
    f->v.kind = SK_EVK_INTEGER;
    f->v.u = v;
    f->v.s = s;
    f->v.n = (size_t)w;
}

static void put_ip(nb *b, const char *name, const sk_ip *ip)
{
    sk_buf t;
    sk_buf_init(&t, 64);
    if (!sk_ip_format(&t, ip)) {
        char *s = sk_arena_strndup(b->a, t.data, t.len);
        if (s) put_str(b, name, s, t.len);
    }
    sk_buf_free(&t);
}

/* the record's reader -> its log source */
static int reader_of(const sk_netrec *r, sk_netlog_format fmt)
{
    switch (fmt) {
    case SK_NL_SQUID: return SK_EVR_PROXY;
    case SK_NL_W3C: return (r->flags & SK_NRF_PROXY_LOG) ? SK_EVR_PROXY : SK_EVR_WEBSERVER;
    case SK_NL_ZEEK_TSV:
    case SK_NL_ZEEK_JSON: return SK_EVR_ZEEK;
    case SK_NL_WINDNS: return SK_EVR_DNS;
    case SK_NL_FWCSV:
    case SK_NL_JSON: {
        const char *k = r->kind ? r->kind : "";
        if (!strcmp(k, "proxy")) return SK_EVR_PROXY;
        if (!strcmp(k, "web") || !strcmp(k, "webserver")) return SK_EVR_WEBSERVER;
        if (!strcmp(k, "dns")) return SK_EVR_DNS;
        if (!strcmp(k, "fw") || !strcmp(k, "firewall") || fmt == SK_NL_FWCSV) return SK_EVR_FIREWALL;
        /* JSON lines without a kind: what they hold */
        if (r->qtype.s || (r->host.s && !r->url.s && !r->method.s && !(r->has & SK_NR_DST_PORT))) return SK_EVR_DNS;
        if (r->url.s || r->method.s || r->user_agent.s) return SK_EVR_PROXY;
        return SK_EVR_FIREWALL;
    }
    default: return -1; /* DHCP: no Sigma log source */
    }
}

static const char *channel_of(int reader, const sk_netrec *r, sk_netlog_format fmt)
{
    if (reader == SK_EVR_ZEEK) return r->kind ? r->kind : "zeek";
    return sk_netlog_format_name(fmt);
}

/* The parts of a URL: the stem (path), the query (after '?', without it), the extension
 * of the path's last segment. A full URL's path starts after scheme://authority. */
static void url_parts(sk_nstr u, sk_nstr *stem, sk_nstr *query, sk_nstr *ext)
{
    const char *s = u.s, *e = u.s + u.n;
    const char *p = s;
    const char *sch = u.n > 3 ? memchr(s, ':', u.n > 16 ? 16 : u.n) : NULL;
    if (sch && sch + 2 < e && sch[1] == '/' && sch[2] == '/') {
        p = memchr(sch + 3, '/', (size_t)(e - sch - 3));
        if (!p) p = e;
    } else if (u.n && s[0] != '/') { /* host:port (CONNECT) or a bare name: no path */
        p = e;
    }
    const char *q = memchr(p, '?', (size_t)(e - p));
    const char *pe = q ? q : e;
    const char *frag = memchr(p, '#', (size_t)(pe - p));
    if (frag) pe = frag;
    *stem = (sk_nstr){p, (size_t)(pe - p)};
    *query = q ? (sk_nstr){q + 1, (size_t)(e - q - 1)} : (sk_nstr){NULL, 0};
    *ext = (sk_nstr){NULL, 0};
    for (const char *c = pe; c > p; c--) {
        if (c[-1] == '/') break;
        if (c[-1] == '.') {
            if (c < pe) *ext = (sk_nstr){c, (size_t)(pe - c)};
            break;
        }
    }
}

/* a W3C header field's value: with a '+', both forms (as logged, and '+' as a space) */
static void w3c_header_value(nb *b, sk_event_field *f, const char *v, size_t vn)
{
    f->v.kind = SK_EVK_STRING;
    f->v.s = v;
    f->v.n = vn;
    if (!memchr(v, '+', vn)) return;
    sk_event_value *it = sk_arena_calloc(b->a, 2, sizeof *it);
    char *sp = sk_arena_alloc(b->a, vn + 1);
    if (!it || !sp) return;
    for (size_t i = 0; i < vn; i++) sp[i] = v[i] == '+' ? ' ' : v[i];
    sp[vn] = 0;
    it[0] = (sk_event_value){.kind = SK_EVK_STRING, .s = v, .n = vn};
    it[1] = (sk_event_value){.kind = SK_EVK_STRING, .s = sp, .n = vn};
    f->v = (sk_event_value){.kind = SK_EVK_ARRAY, .items = it, .n_items = 2};
}

static int is_w3c_header(const char *k, size_t n)
{
    return n > 4 && k[2] == '(' && k[n - 1] == ')' && (!memcmp(k, "cs", 2) || !memcmp(k, "sc", 2) || !memcmp(k, "rs", 2) || !memcmp(k, "sr", 2));
}

/* W3C's cs(Name) and sc(Name) as cs-name and sc-name (lower case), as the taxonomy
 * writes the web server's headers (cs-user-agent, cs-referer, cs-cookie) */
static void w3c_aliases(nb *b, const sk_netrec *r)
{
    for (size_t i = 0; i < r->n_cols; i++) {
        const sk_nstr *k = &r->col_key[i];
        if (k->n > 64 || !is_w3c_header(k->s, k->n)) continue;
        char *nm = sk_arena_alloc(b->a, k->n);
        if (!nm) return;
        memcpy(nm, k->s, 2);
        nm[2] = '-';
        size_t w = 3;
        for (size_t c = 3; c + 1 < k->n; c++) {
            char ch = k->s[c];
            nm[w++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        nm[w] = 0;
        if (has_field(b, nm, w)) continue;
        sk_event_field *f = slot(b, nm, w);
        if (f) w3c_header_value(b, f, r->col_val[i].s ? r->col_val[i].s : "", r->col_val[i].n);
    }
}

int sk_netrec_to_event(sk_event *ev, const sk_netrec *r, sk_netlog_format fmt, const sk_event_src *src, sk_arena *a)
{
    memset(ev, 0, sizeof *ev);
    int reader = reader_of(r, fmt);
    if (reader < 0) return 1;
    ev->reader = (uint8_t)reader;
    ev->time = r->ts;
    ev->time_quality = r->ts_quality;
    if (r->ts != SK_TIME_NONE) {
        char t[SK_TIME_ISO_MAX];
        size_t tn = sk_time_format(t, r->ts, 7);
        ev->time_text.s = sk_arena_strndup(a, t, tn);
        ev->time_text.n = ev->time_text.s ? tn : 0;
    } else {
        ev->time_text = (sk_event_str){SK_EVENT_TIME_NONE, strlen(SK_EVENT_TIME_NONE)};
    }
    const char *ch = channel_of(reader, r, fmt);
    ev->channel = (sk_event_str){ch, strlen(ch)};
    const char *fn = sk_netlog_format_name(fmt);
    ev->format = (sk_event_str){fn, strlen(fn)};
    if (src) {
        if (src->path) ev->path = (sk_event_str){src->path, strlen(src->path)};
        if (src->sha256) ev->sha256 = (sk_event_str){src->sha256, strlen(src->sha256)};
        if (src->decoded) ev->decoded = (sk_event_str){src->decoded, strlen(src->decoded)};
    }
    ev->src_line = r->line;
    ev->src_has_line = 1;
    nb b = {.ev = ev, .a = a, .cap = 2 * r->n_cols + 40}; /* columns, their aliases, the taxonomy's names */
    b.f = sk_arena_calloc(a, b.cap, sizeof *b.f);
    if (!b.f) return sk_error_set(SK_ELIMIT, "a network record too large for the event view");
    /* the columns as logged: the first of a name wins */
    for (size_t i = 0; i < r->n_cols; i++) {
        const sk_nstr *k = &r->col_key[i];
        if (!k->n || has_field(&b, k->s, k->n)) continue;
        sk_event_field *f = slot(&b, k->s, k->n);
        if (!f) break;
        if (fmt == SK_NL_W3C && is_w3c_header(k->s, k->n)) {
            w3c_header_value(&b, f, r->col_val[i].s ? r->col_val[i].s : "", r->col_val[i].n);
            continue;
        }
        f->v.kind = SK_EVK_STRING;
        f->v.s = r->col_val[i].s ? r->col_val[i].s : "";
        f->v.n = r->col_val[i].n;
    }
    /* the computer a web server's log names */
    for (size_t i = 0; i < r->n_cols; i++)
        if (r->col_key[i].n == 14 && !memcmp(r->col_key[i].s, "s-computername", 14))
            ev->computer = (sk_event_str){r->col_val[i].s, r->col_val[i].n};
    if (fmt == SK_NL_W3C) w3c_aliases(&b, r);
    if (reader != SK_EVR_ZEEK) {
        /* the taxonomy's names for what the reader understood */
        if (r->has & SK_NR_SRC_IP) put_ip(&b, "src_ip", &r->src_ip);
        if (r->has & SK_NR_DST_IP) put_ip(&b, "dst_ip", &r->dst_ip);
        if (r->has & SK_NR_SRC_PORT) put_u64(&b, "src_port", r->src_port);
        if (r->has & SK_NR_DST_PORT) put_u64(&b, "dst_port", r->dst_port);
    }
    if (reader == SK_EVR_PROXY || reader == SK_EVR_WEBSERVER) {
        int proxy = reader == SK_EVR_PROXY;
        if (r->url.s) {
            sk_nstr stem, query, ext;
            url_parts(r->url, &stem, &query, &ext);
            if (proxy) {
                put_nstr(&b, "c-uri", r->url);
                put_nstr(&b, "cs-uri", r->url);
                put_nstr(&b, "c-uri-stem", stem);
                put_nstr(&b, "c-uri-query", query);
                put_nstr(&b, "c-uri-extension", ext);
            }
            put_nstr(&b, "cs-uri-stem", stem);
            put_nstr(&b, "cs-uri-query", query);
        }
        if (!r->url.s && proxy && r->host.s && r->method.s && r->method.n == 7 && !memcmp(r->method.s, "CONNECT", 7)) {
            /* a tunnel names host:port, as the log wrote it: that is its URI */
            char t[300];
            int w = snprintf(t, sizeof t, "%.*s:%u", (int)(r->host.n > 256 ? 256 : r->host.n), r->host.s,
                             (r->has & SK_NR_DST_PORT) ? (unsigned)r->dst_port : 443u);
            char *u = w > 0 ? sk_arena_strndup(a, t, (size_t)w) : NULL;
            if (u) put_str(&b, "c-uri", u, (size_t)w), put_str(&b, "cs-uri", u, (size_t)w);
        }
        put_nstr(&b, "cs-method", r->method);
        put_nstr(&b, "cs-host", r->host);
        if (proxy) {
            put_nstr(&b, "r-dns", r->host);
            put_nstr(&b, "c-useragent", r->user_agent);
        } else {
            put_nstr(&b, "cs-user-agent", r->user_agent);
        }
        put_nstr(&b, "cs-username", r->user);
        if (r->has & SK_NR_STATUS) put_u64(&b, "sc-status", (uint64_t)r->status);
        if (r->has & SK_NR_BYTES_OUT) put_u64(&b, "cs-bytes", r->bytes_out);
        if (r->has & SK_NR_BYTES_IN) put_u64(&b, "sc-bytes", r->bytes_in);
    } else if (reader == SK_EVR_DNS) {
        put_nstr(&b, "query", r->host);
        put_nstr(&b, "record_type", r->qtype);
        put_nstr(&b, "response_code", r->rcode);
        if (r->n_answers) { /* the answers joined by commas, as Zeek writes its set */
            size_t tot = 0;
            for (size_t i = 0; i < r->n_answers; i++) tot += r->answers[i].n + 1;
            char *t = sk_arena_alloc(a, tot);
            if (t) {
                size_t w = 0;
                for (size_t i = 0; i < r->n_answers; i++) {
                    if (i) t[w++] = ',';
                    memcpy(t + w, r->answers[i].s, r->answers[i].n);
                    w += r->answers[i].n;
                }
                put_str(&b, "answer", t, w);
            }
        }
    } else if (reader == SK_EVR_FIREWALL) {
        if (r->action) put_str(&b, "action", r->action == SK_NR_ALLOW ? "allow" : "deny", r->action == SK_NR_ALLOW ? 5 : 4);
        put_nstr(&b, "username", r->user);
        put_nstr(&b, "protocol", r->proto);
        if (r->has & SK_NR_BYTES_OUT) put_u64(&b, "bytes_out", r->bytes_out);
        if (r->has & SK_NR_BYTES_IN) put_u64(&b, "bytes_in", r->bytes_in);
    }
    ev->fields = b.f;
    ev->n_fields = b.n;
    ev->has = SK_EVH_EVENTDATA;
    return 0;
}
