/*
 * test_event_net - network-log records as the Sigma event view (sk_netrec_to_event):
 * lines of each reader turned into events with their columns kept, checked field by
 * field (the log's own names, the taxonomy's names, the URL's parts, W3C's cs(Name)
 * aliases, the reader and channel), and Sigma rules matched on them: a rule fires on the
 * log source its mapping entry serves and on no other reader's events, Zeek's columns
 * serve the generic categories through the mapping's renames, and a field the Squid
 * log lacks leaves its rule unable to fire there.
 */
#include <sakimori/arena.h>
#include <sakimori/common.h>
#include <sakimori/event.h>
#include <sakimori/netlog.h>
#include <sakimori/sigma.h>

#include "sk_test.h"

typedef struct got {
    sk_arena *a;
    sk_event ev[8];
    int rc[8];
    size_t n;
    sk_netlog_reader *r;
} got;

static int on_rec(void *ctx, const sk_netrec *rec)
{
    got *g = ctx;
    if (g->n == 8) return 0;
    g->rc[g->n] = sk_netrec_to_event(&g->ev[g->n], rec, sk_netlog_reader_format(g->r), NULL, g->a);
    g->n++;
    return 0;
}

static got G;

/* read text with the reader (columns on); the events live until the next read */
static got *read_named(const char *text, const char *map, const char *name);

static got *read_log(const char *text, const char *map)
{
    return read_named(text, map, NULL);
}

static got *read_named(const char *text, const char *map, const char *name)
{
    if (!G.a && sk_arena_new(&G.a, 1 << 16, (size_t)16 << 20)) return NULL;
    if (G.r) sk_netlog_reader_free(G.r);
    /* the events point into the readers' buffers: a fresh arena each read */
    sk_arena_reset(G.a);
    G.n = 0;
    sk_netlog_options o = {.columns = 1, .year = 2019, .field_map = map, .name = name};
    if (sk_netlog_reader_new(&G.r, &o, on_rec, &G)) return NULL;
    if (sk_netlog_feed(G.r, text, strlen(text)) || sk_netlog_end(G.r)) return NULL;
    return &G;
}

static const char *field(const sk_event *ev, const char *name)
{
    static char buf[4096];
    const sk_event_field *f = sk_event_field_find(ev, name, strlen(name), sk_event_name_hash(name, strlen(name)));
    if (!f) return NULL;
    if (f->v.kind == SK_EVK_ARRAY) { /* the items joined by '|' */
        size_t w = 0;
        for (size_t i = 0; i < f->v.n_items; i++) {
            const sk_event_value *it = &f->v.items[i];
            if (i && w + 1 < sizeof buf) buf[w++] = '|';
            size_t n = it->n < sizeof buf - 1 - w ? it->n : sizeof buf - 1 - w;
            memcpy(buf + w, it->s, n);
            w += n;
        }
        buf[w] = 0;
        return buf;
    }
    size_t n = f->v.n < sizeof buf - 1 ? f->v.n : sizeof buf - 1;
    memcpy(buf, f->v.s, n);
    buf[n] = 0;
    return buf;
}

static int channel_is(const sk_event *ev, const char *c)
{
    return ev->channel.s && ev->channel.n == strlen(c) && !memcmp(ev->channel.s, c, ev->channel.n);
}

static void test_squid(void)
{
    sk_t_current = "squid";
    got *g = read_log("1562754651.123    245 10.2.0.15 TCP_MISS/200 5123 GET http://Files.Example.COM:8080/a/b/setup.EXE?x=1&y=2#frag - "
                      "HIER_DIRECT/203.0.113.7 application/octet-stream\n",
                      NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    const sk_event *e = &g->ev[0];
    CHECK_INT(g->rc[0], 0);
    CHECK_INT(e->reader, SK_EVR_PROXY);
    CHECK(channel_is(e, "squid"));
    CHECK_STR(field(e, "c-uri"), "http://Files.Example.COM:8080/a/b/setup.EXE?x=1&y=2#frag");
    CHECK_STR(field(e, "c-uri-stem"), "/a/b/setup.EXE");
    CHECK_STR(field(e, "c-uri-query"), "x=1&y=2#frag");
    CHECK_STR(field(e, "c-uri-extension"), "EXE");
    CHECK_STR(field(e, "cs-method"), "GET");
    CHECK_STR(field(e, "sc-status"), "200");
    CHECK_STR(field(e, "sc-bytes"), "5123");
    CHECK_STR(field(e, "src_ip"), "10.2.0.15");
    CHECK_STR(field(e, "dst_ip"), "203.0.113.7");
    CHECK(field(e, "c-useragent") == NULL); /* Squid's native log has none */
    CHECK(field(e, "cs-host") != NULL);
    CHECK_INT(e->src_line, 1);
    /* CONNECT: host:port, no path, no extension */
    g = read_log("1562754652.000    100 10.2.0.16 TCP_TUNNEL/200 900 CONNECT login.example.net:443 alice HIER_DIRECT/198.51.100.9 -\n", NULL);
    CHECK(g && g->n == 1);
    if (!g || g->n != 1) return;
    e = &g->ev[0];
    CHECK_STR(field(e, "c-uri"), "login.example.net:443");
    CHECK(field(e, "c-uri-stem") == NULL);
    CHECK(field(e, "c-uri-query") == NULL);
    CHECK(field(e, "c-uri-extension") == NULL);
    CHECK_STR(field(e, "cs-method"), "CONNECT");
    CHECK_STR(field(e, "cs-username"), "alice");
}

static void test_iis(void)
{
    sk_t_current = "iis";
    got *g = read_log("#Software: Microsoft Internet Information Services 10.0\n"
                      "#Version: 1.0\n"
                      "#Date: 2019-07-10 10:30:40\n"
                      "#Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
                      "cs(User-Agent) cs(Referer) sc-status sc-bytes cs-bytes\n"
                      "2019-07-10 10:30:51 W3SVC1 AVM01 10.1.0.20 POST /upload.aspx cmd=whoami&x=%27 443 - 203.0.113.50 "
                      "python-requests/2.22.0+(x) http://evil.example/ 200 1293 412\n",
                      NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    const sk_event *e = &g->ev[0];
    CHECK_INT(e->reader, SK_EVR_WEBSERVER);
    CHECK(channel_is(e, "w3c"));
    CHECK_STR(field(e, "cs-uri-query"), "cmd=whoami&x=%27");
    CHECK_STR(field(e, "cs-uri-stem"), "/upload.aspx");
    /* '+' as logged and as the space IIS wrote it for: both forms */
    CHECK_STR(field(e, "cs(User-Agent)"), "python-requests/2.22.0+(x)|python-requests/2.22.0 (x)");
    CHECK_STR(field(e, "cs-user-agent"), "python-requests/2.22.0+(x)|python-requests/2.22.0 (x)");
    CHECK_STR(field(e, "cs-referer"), "http://evil.example/");
    CHECK(field(e, "cs-username") == NULL); /* '-' is absent */
    CHECK_STR(field(e, "src_ip"), "203.0.113.50");
    CHECK_STR(field(e, "dst_ip"), "10.1.0.20");
    CHECK(e->computer.s && e->computer.n == 5 && !memcmp(e->computer.s, "AVM01", 5));
    CHECK(field(e, "c-uri") == NULL); /* a web server's log: no proxy names */
}

static void test_w3c_proxy(void)
{
    sk_t_current = "w3c proxy";
    got *g = read_log("#Fields: date time c-ip cs-method cs-uri s-action r-ip sc-status cs(User-Agent) cs-host\n"
                      "2019-07-10 10:30:51 10.2.0.15 GET http://x.example/p.ps1 TCP_MISS 203.0.113.7 200 curl/7.64 x.example\n",
                      NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    const sk_event *e = &g->ev[0];
    CHECK_INT(e->reader, SK_EVR_PROXY);
    CHECK(channel_is(e, "w3c"));
    CHECK_STR(field(e, "c-uri"), "http://x.example/p.ps1");
    CHECK_STR(field(e, "c-uri-extension"), "ps1");
    CHECK_STR(field(e, "c-useragent"), "curl/7.64");
    CHECK_STR(field(e, "cs-host"), "x.example");
}

static void test_zeek(void)
{
    sk_t_current = "zeek";
#define ZHEAD                                                                                                           \
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"                                     \
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tqtype_name\trcode_name\tanswers\tTTLs\n"                \
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring\tstring\tvector[string]\tvector[interval]\n"
    got *g = read_log(ZHEAD "1562754651.1\tC1\t10.2.0.15\t5353\t10.0.0.53\t53\tudp\tWWW.Example.COM\tA\tNOERROR\t203.0.113.7,cdn.example.net\t60.0,60.0\n",
                      NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    const sk_event *e = &g->ev[0];
    CHECK_INT(e->reader, SK_EVR_ZEEK);
    CHECK(channel_is(e, "dns"));
    CHECK_STR(field(e, "query"), "WWW.Example.COM"); /* as logged, not the record's lower-cased name */
    CHECK_STR(field(e, "id.orig_h"), "10.2.0.15");
    CHECK_STR(field(e, "answers"), "203.0.113.7,cdn.example.net");
    CHECK_STR(field(e, "qtype_name"), "A");
    CHECK(field(e, "src_ip") == NULL); /* Zeek's own names only: the mapping renames */
    g = read_log(ZHEAD "1562754652.1\tC2\t10.2.0.16\t5353\t10.0.0.53\t53\tudp\tx\\x41y.example\t-\t-\t(empty)\t-\n", NULL);
    CHECK(g && g->n == 1);
    if (!g || g->n != 1) return;
    e = &g->ev[0];
    CHECK_STR(field(e, "query"), "xAy.example"); /* \xNN decoded */
    CHECK(field(e, "qtype_name") == NULL);       /* unset */
    CHECK_STR(field(e, "answers"), "");          /* empty set */
    /* Zeek's writer doubles a backslash: one again in the value */
    g = read_log("#separator \\x09\n#path\tsmb_files\n#fields\tts\tuid\tid.orig_h\tpath\tname\n"
                 "1562754652.1\tC3\t10.2.0.16\t\\\\\\\\10.0.0.12\\\\IPC$\t\\\\x41\n",
                 NULL);
    CHECK(g && g->n == 1);
    if (!g || g->n != 1) return;
    e = &g->ev[0];
    CHECK(channel_is(e, "smb_files"));
    CHECK_STR(field(e, "path"), "\\\\10.0.0.12\\IPC$");
    CHECK_STR(field(e, "name"), "\\x41"); /* an escaped backslash, then the text x41 */
    /* a Zeek JSON log named as one of Zeek's logs is of that kind, whatever its members */
    g = read_named("{\"ts\":1562754652.1,\"uid\":\"C4\",\"id.orig_h\":\"10.2.0.16\",\"request_type\":\"TGS\",\"cipher\":\"rc4-hmac\"}\n",
                   NULL, "logs/kerberos.00:00:00-01:00:00.log");
    CHECK(g && g->n == 1);
    if (!g || g->n != 1) return;
    CHECK(channel_is(&g->ev[0], "kerberos"));
    g = read_named("{\"ts\":1562754652.1,\"uid\":\"C4\",\"id.orig_h\":\"10.2.0.16\",\"cipher\":\"rc4-hmac\"}\n", NULL, "capture.log");
    CHECK(g && g->n == 1);
    if (!g || g->n != 1) return;
    CHECK(channel_is(&g->ev[0], "ssl")); /* an unknown name: told by the members */
}

static void test_fw_json(void)
{
    sk_t_current = "firewall, json";
    got *g = read_log("time,src,dst,dport,act\n2019-07-10 10:30:51,10.2.0.15,203.0.113.9,4444,deny\n",
                      "ts=time,src_ip=src,dst_ip=dst,dst_port=dport,action=act");
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    const sk_event *e = &g->ev[0];
    CHECK_INT(e->reader, SK_EVR_FIREWALL);
    CHECK(channel_is(e, "fwcsv"));
    CHECK_STR(field(e, "dport"), "4444");
    CHECK_STR(field(e, "dst_port"), "4444");
    CHECK_STR(field(e, "src_ip"), "10.2.0.15");
    CHECK_STR(field(e, "action"), "deny");
    g = read_log("{\"@timestamp\":\"2019-07-10T10:30:51Z\",\"source\":{\"ip\":\"10.2.0.15\"},\"url\":{\"full\":\"http://a.example/x.hta\"},"
                 "\"user_agent\":{\"original\":\"UA\"},\"tags\":[\"a\",1]}\n",
                 NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    e = &g->ev[0];
    CHECK_INT(e->reader, SK_EVR_PROXY); /* no kind: a URL makes it a proxy's */
    CHECK(channel_is(e, "json"));
    CHECK_STR(field(e, "source.ip"), "10.2.0.15");
    CHECK_STR(field(e, "tags"), "a,1");
    CHECK_STR(field(e, "c-uri-extension"), "hta");
}

static void test_dhcp(void)
{
    sk_t_current = "dhcp";
    got *g = read_log("Jul 10 10:30:51 dhcp1 dhcpd[1]: DHCPACK on 10.2.0.15 to 00:11:22:33:44:55 (pc1) via eth0\n", NULL);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(g->n, 1);
    CHECK_INT(g->rc[0], 1); /* no Sigma log source */
}

/* ---- Sigma on the views ---- */

static const char rules[] = "title: proxy exe\n"
                            "id: r-proxy\n"
                            "logsource: {category: proxy}\n"
                            "detection:\n  sel: {c-uri|endswith: '.exe', cs-method: GET}\n  condition: sel\n"
                            "level: high\n"
                            "---\n"
                            "title: proxy ua\n"
                            "id: r-ua\n"
                            "logsource: {category: proxy}\n"
                            "detection:\n  sel: {c-useragent|contains: 'curl'}\n  condition: sel\n"
                            "level: medium\n"
                            "---\n"
                            "title: dns query\n"
                            "id: r-dns\n"
                            "logsource: {category: dns}\n"
                            "detection:\n  sel: {query|endswith: 'example.com', record_type: A}\n  condition: sel\n"
                            "level: low\n"
                            "---\n"
                            "title: web query\n"
                            "id: r-web\n"
                            "logsource: {category: webserver}\n"
                            "detection:\n  sel: {cs-uri-query|contains: 'whoami', cs-user-agent|startswith: 'python-requests'}\n  condition: sel\n"
                            "level: high\n"
                            "---\n"
                            "title: windows proc\n"
                            "id: r-win\n"
                            "logsource: {category: process_creation, product: windows}\n"
                            "detection:\n  sel: {c-uri|endswith: '.exe'}\n  condition: sel\n"
                            "level: high\n";

typedef struct fired {
    char ids[8][16];
    size_t n;
    const sk_sigma_set *s;
} fired;

static int on_hit(void *ctx, const sk_event *ev, const sk_sigma_hit *hit)
{
    (void)ev;
    fired *f = ctx;
    sk_sigma_rule_info ri;
    sk_sigma_rule_info_get(f->s, hit->rule, &ri);
    if (f->n < 8) snprintf(f->ids[f->n++], 16, "%s", ri.id ? ri.id : "?");
    return 0;
}

static int fired_has(const fired *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->ids[i], id)) return 1;
    return 0;
}

static void match_all(sk_sigma_matcher *m, const sk_sigma_set *s, const got *g, fired *out)
{
    memset(out, 0, sizeof *out);
    out->s = s;
    for (size_t i = 0; i < g->n; i++)
        if (!g->rc[i]) sk_sigma_match(m, &g->ev[i], on_hit, out);
}

static void test_sigma(void)
{
    sk_t_current = "sigma on network events";
    sk_sigma_options o = {.readers = SK_SIGMA_READER_PROXY | SK_SIGMA_READER_WEBSERVER | SK_SIGMA_READER_DNS | SK_SIGMA_READER_FIREWALL |
                                     SK_SIGMA_READER_ZEEK};
    sk_sigma_loader *l = NULL;
    sk_sigma_set *s = NULL;
    CHECK_INT(sk_sigma_loader_new(&l, &o), 0);
    CHECK_INT(sk_sigma_loader_add(l, "t.yml", rules, strlen(rules), NULL), 0);
    CHECK_INT(sk_sigma_loader_finish(l, &s), 0);
    if (!s) return;
    for (size_t i = 0; i < sk_sigma_set_count(s); i++) {
        sk_sigma_rule_info ri;
        sk_sigma_rule_info_get(s, i, &ri);
        if (!strcmp(ri.id, "r-win")) CHECK_INT(ri.support, SK_SIGMA_NO_READER); /* evtx is not among the readers */
        else CHECK(ri.support == SK_SIGMA_RUNS || ri.support == SK_SIGMA_RUNS_PARTLY);
    }
    sk_sigma_matcher *m = NULL;
    CHECK_INT(sk_sigma_matcher_new(&m, s), 0);
    fired f;
    /* Squid: the URL rule fires; the UA rule cannot (no user agent in the log) */
    got *g = read_log("1562754651.123 245 10.2.0.15 TCP_MISS/200 5123 GET http://files.example.com/setup.exe - HIER_DIRECT/203.0.113.7 -\n", NULL);
    match_all(m, s, g, &f);
    CHECK(fired_has(&f, "r-proxy"));
    CHECK(!fired_has(&f, "r-ua"));
    CHECK(!fired_has(&f, "r-win"));
    CHECK_INT(f.n, 1);
    /* Zeek http serves the proxy category: uri and user_agent renamed */
    g = read_log("#separator \\x09\n#path\thttp\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tmethod\thost\turi\tuser_agent\tstatus_code\n"
                 "1562754651.1\tC1\t10.2.0.15\t5353\t203.0.113.7\t80\tGET\tfiles.example.com\t/setup.exe\tcurl/7.64\t200\n",
                 NULL);
    match_all(m, s, g, &f);
    CHECK(fired_has(&f, "r-proxy"));
    CHECK(fired_has(&f, "r-ua"));
    CHECK_INT(f.n, 2);
    /* Zeek dns serves the dns category: record_type is qtype_name */
    g = read_log("#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\tqtype_name\n"
                 "1562754651.1\tC1\t10.2.0.15\t5353\t10.0.0.53\t53\twww.EXAMPLE.com\tA\n"
                 "1562754651.2\tC2\t10.2.0.15\t5353\t10.0.0.53\t53\twww.example.com\tAAAA\n",
                 NULL);
    match_all(m, s, g, &f);
    CHECK_INT(f.n, 1);
    CHECK(fired_has(&f, "r-dns"));
    /* IIS: the web rule through the cs-user-agent alias; no proxy rule on a web server's log */
    g = read_log("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status\n"
                 "2019-07-10 10:30:51 10.1.0.20 GET /setup.exe cmd=whoami 203.0.113.50 python-requests/2.22 200\n",
                 NULL);
    match_all(m, s, g, &f);
    CHECK_INT(f.n, 1);
    CHECK(fired_has(&f, "r-web"));
    /* a Windows event with the same field: none of the network rules */
    sk_event win;
    memset(&win, 0, sizeof win);
    sk_event_field wf = {.name = "c-uri", .name_len = 5, .hash = sk_event_name_hash("c-uri", 5), .where = SK_EVW_EVENTDATA,
                         .v = {.kind = SK_EVK_STRING, .s = "http://a/setup.exe", .n = 18}};
    win.fields = &wf;
    win.n_fields = 1;
    win.channel = (sk_event_str){"squid", 5};
    memset(&f, 0, sizeof f);
    f.s = s;
    sk_sigma_match(m, &win, on_hit, &f);
    CHECK_INT(f.n, 0);
    sk_sigma_matcher_free(m);
    sk_sigma_set_free(s);
}

int main(void)
{
    test_squid();
    test_iis();
    test_w3c_proxy();
    test_zeek();
    test_fw_json();
    test_dhcp();
    test_sigma();
    sk_netlog_reader_free(G.r);
    sk_arena_free(G.a);
    printf("%d passed, %d failed\n", sk_t_pass, sk_t_fail);
    return sk_t_fail ? 1 : 0;
}
