/* Unit tests: the formats of indicator sets (sakimori/ioc.h) beyond plain lists - CSV
 * with named columns, validity windows at their exact edges, STIX 2.1 patterns
 * supported and unsupported, MISP events (to_ids, composite types) and warninglists -
 * and the normalisations they share: CIDR edges, IDN, the public suffix list,
 * percent-encoding, user agents and JA3. */
#include <sakimori/ioc.h>

#include "sk_test.h"

static size_t hits[64];
static size_t n_hits;

static int collect(void *ctx, size_t ioc)
{
    (void)ctx;
    if (n_hits < 64) hits[n_hits++] = ioc;
    return 0;
}

static char diags[16384];

static void diag(void *ctx, const char *line)
{
    (void)ctx;
    size_t have = strlen(diags), n = strlen(line);
    if (have + n + 2 > sizeof diags) return;
    memcpy(diags + have, line, n);
    diags[have + n] = '\n';
    diags[have + n + 1] = 0;
}

static sk_ioc_set *load_as(const char *name, const char *text, int want_rc)
{
    sk_ioc_set *s = NULL;
    diags[0] = 0;
    CHECK_INT(sk_ioc_set_new(&s), 0);
    CHECK_INT(sk_ioc_set_add(s, name, text, strlen(text), diag, NULL), want_rc);
    return s;
}

static sk_ioc_set *load(const char *text)
{
    return load_as("t", text, 0);
}

static size_t domain(const sk_ioc_set *s, const char *h)
{
    n_hits = 0;
    sk_ioc_match_domain(s, h, strlen(h), collect, NULL);
    return n_hits;
}

static size_t url(const sk_ioc_set *s, const char *u)
{
    n_hits = 0;
    sk_ioc_match_url(s, u, strlen(u), collect, NULL);
    return n_hits;
}

static size_t hash(const sk_ioc_set *s, const char *h)
{
    n_hits = 0;
    sk_ioc_match_hash(s, h, strlen(h), collect, NULL);
    return n_hits;
}

static size_t ip(const sk_ioc_set *s, const char *a)
{
    sk_ip x;
    n_hits = 0;
    if (sk_ip_parse(a, strlen(a), &x)) return 999;
    sk_ioc_match_ip(s, &x, collect, NULL);
    return n_hits;
}

static sk_time at(const char *iso)
{
    sk_stamp st;
    if (sk_time_parse_iso8601(iso, strlen(iso), NULL, &st)) return SK_TIME_NONE;
    return st.utc;
}

/* the entry whose text is `text` */
static const sk_ioc *find(const sk_ioc_set *s, const char *text)
{
    for (size_t i = 0; i < sk_ioc_set_count(s); i++)
        if (!strcmp(sk_ioc_get(s, i)->text, text)) return sk_ioc_get(s, i);
    return NULL;
}

static char *slurp(const char *path, size_t *n)
{
    char full[512];
    snprintf(full, sizeof full, "%s/../tests/fixtures/ioc/%s", SK_DOCS_DIR, path);
    FILE *f = fopen(full, "rb");
    if (!f) return NULL;
    char *b = malloc(1 << 20);
    *n = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
    if (b) b[*n] = 0;
    fclose(f);
    return b;
}

static void csv(void)
{
    size_t n;
    char *text = slurp("indicators.csv", &n);
    CHECK(text != NULL);
    if (!text) return;
    sk_ioc_set *s = load(text);
    free(text);
    CHECK_INT(sk_ioc_set_count(s), 5);
    const sk_ioc *c = find(s, "evil-c2.example");
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->type, SK_IOC_DOMAIN);
        CHECK_STR(c->comment, "C2, second stage");
        CHECK_STR(c->feed, "partner-cert");
        CHECK_INT(c->line, 3);
        CHECK(c->valid_from == at("2019-07-01T00:00:00Z"));
        CHECK(c->valid_until == at("2019-08-01T00:00:00Z")); /* last_seen a date: its whole day */
    }
    c = find(s, "198.51.100.23");
    CHECK(c && c->type == SK_IOC_IP && c->valid_until == SK_TIME_NONE);
    c = find(s, "hxxp://ads[.]example[.]net/banner.js");
    CHECK(c && c->type == SK_IOC_URL && !strcmp(c->norm, "http://ads.example.net/banner.js"));
    CHECK(c && !strcmp(c->comment, "malvertising \"banner\" script"));
    CHECK_INT(url(s, "HTTP://ads.example.net:80/banner.js#x"), 1);
    CHECK_INT(hash(s, "44D88612FEA8A8F36DE82E1278ABB02F"), 1);
    c = find(s, "203.0.113.0/24");
    CHECK(c && c->type == SK_IOC_CIDR);
    CHECK(strstr(diags, "t:8: no sha256: 'not-a-hash'") != NULL);
    CHECK(strstr(diags, "t:9: type 'email' is none this set matches") != NULL);
    sk_ioc_stats st;
    sk_ioc_set_stats(s, &st);
    CHECK_INT(st.refused, 1);
    CHECK_INT(st.unsupported, 1);
    sk_ioc_set_free(s);
    /* RFC 4180: a quoted field across lines, "" inside, LF ends, columns in any order,
     * the line of a record is where it starts */
    s = load("Comment,Value,Valid-Until,ID\n\"two\nlines\",evil.example,2020-01-01T00:00:00Z,x-1\n,\"a,b.example\",,\nok,good.example,,\n");
    CHECK_INT(sk_ioc_set_count(s), 2);
    c = find(s, "evil.example");
    CHECK(c && !strcmp(c->comment, "two\nlines") && c->line == 2 && !strcmp(c->id, "x-1"));
    CHECK(c && c->valid_until == at("2020-01-01T00:00:00Z"));
    CHECK(strstr(diags, "t:4: no indicator") != NULL);
    c = find(s, "good.example");
    CHECK(c && c->line == 5);
    sk_ioc_set_free(s);
    /* a bad time is said, the rest loads; an unterminated quote ends the file */
    s = load("value,valid_from\nevil.example,yesterday\ngood.example,1562716800\n\"open.example,\n");
    CHECK_INT(sk_ioc_set_count(s), 1);
    CHECK(strstr(diags, "t:2: 'yesterday' is no time") != NULL);
    CHECK(strstr(diags, "t:4: an unterminated quote") != NULL);
    c = find(s, "good.example");
    CHECK(c && c->valid_from == at("2019-07-10T00:00:00Z"));
    sk_ioc_set_free(s);
    /* not CSV: a plain list whose first line has a comma in a URL */
    s = load("http://evil.example/a,value\nevil.example\n");
    CHECK_INT(sk_ioc_set_count(s), 2);
    CHECK_INT(sk_ioc_get(s, 0)->type, SK_IOC_URL);
    sk_ioc_set_free(s);
}

static void validity(void)
{
    sk_ioc_set *s = load("value,valid_from,valid_until,last_seen\n"
                         "a.example,2019-07-10T10:00:00Z,2019-07-10T11:00:00Z,\n"
                         "b.example,,,2019-07-10T11:00:00Z\n"
                         "c.example,2019-07-10T12:00:00Z,2019-07-10T12:00:00Z,\n"
                         "d.example,,,\n");
    const sk_ioc *a = find(s, "a.example"), *b = find(s, "b.example"), *d = find(s, "d.example");
    CHECK(a && b && d);
    CHECK(find(s, "c.example") == NULL); /* ends when it begins: never valid, said */
    CHECK(strstr(diags, "t:4: its validity ends before it begins") != NULL);
    if (!a || !b || !d) return;
    sk_time ten = at("2019-07-10T10:00:00Z"), eleven = at("2019-07-10T11:00:00Z");
    CHECK_INT(sk_ioc_valid_at(a, ten - 1), 0);
    CHECK_INT(sk_ioc_valid_at(a, ten), 1);         /* valid_from inclusive */
    CHECK_INT(sk_ioc_valid_at(a, eleven - 1), 1);
    CHECK_INT(sk_ioc_valid_at(a, eleven), 0);      /* valid_until exclusive */
    CHECK_INT(sk_ioc_valid_at(b, eleven), 1);      /* last_seen inclusive */
    CHECK_INT(sk_ioc_valid_at(b, eleven + 1), 0);
    CHECK_INT(sk_ioc_valid_at(a, SK_TIME_NONE), 1);  /* a record without a time matches */
    CHECK_INT(sk_ioc_valid_at(d, INT64_MAX), 1);
    CHECK_INT(sk_ioc_valid_at(d, INT64_MIN + 1), 1);
    sk_ioc_set_free(s);
    /* one target from two entries: valid when either is */
    s = load("value,valid_from,valid_until\n"
             "x.example,2019-01-01T00:00:00Z,2019-02-01T00:00:00Z\n"
             "X.example.,2019-03-01T00:00:00Z,2019-04-01T00:00:00Z\n");
    CHECK_INT(sk_ioc_set_count(s), 2);
    CHECK_INT(domain(s, "x.example"), 1);
    size_t t = hits[0];
    CHECK_INT(sk_ioc_set_valid_at(s, t, at("2019-01-15T00:00:00Z")), 1);
    CHECK_INT(sk_ioc_set_valid_at(s, t, at("2019-02-15T00:00:00Z")), 0);
    CHECK_INT(sk_ioc_set_valid_at(s, t, at("2019-03-15T00:00:00Z")), 1);
    CHECK_INT(sk_ioc_set_valid_at(s, t, at("2019-04-01T00:00:00Z")), 0);
    sk_ioc_set_free(s);
}

static void cidr_edges(void)
{
    sk_ioc_set *s = load("::ffff:0:0/96\n2001:db8::/32\n2001:db8:1::/48\n2001:db8:1:2::1/128\n0.0.0.0/0\n");
    CHECK_INT(ip(s, "10.1.2.3"), 1);       /* the IPv4-mapped network written as IPv6 is 0.0.0.0/0: one target */
    CHECK_INT(sk_ioc_get(s, 4)->target, 0);
    CHECK_INT(ip(s, "2001:db8:1:2::1"), 3); /* nested: /32, /48, /128 */
    CHECK_INT(ip(s, "2001:db8:1:2::2"), 2);
    CHECK_INT(ip(s, "2001:db9::1"), 0);     /* 0.0.0.0/0 is IPv4 space only */
    sk_ioc_set_free(s);
    /* the same network written two ways: one target */
    s = load("10.0.0.0/8\n::ffff:10.0.0.0/104\n10.0.0.1/8\n");
    CHECK_INT(sk_ioc_set_count(s), 2);
    CHECK_INT(ip(s, "10.9.9.9"), 1);
    CHECK_STR(sk_ioc_get(s, 1)->norm, "10.0.0.0/8");
    CHECK(strstr(diags, "t:3:") != NULL); /* host bits set */
    sk_ioc_set_free(s);
    s = load("::/0\n1.2.3.4\n[2001:db8::1]\n");
    CHECK_INT(ip(s, "::1"), 1);
    CHECK_INT(ip(s, "::ffff:1.2.3.4"), 2);
    CHECK_INT(ip(s, "2001:db8::1"), 2);
    sk_ioc_set_free(s);
}

/* one STIX indicator with this pattern; the number of entries it loaded */
static sk_ioc_set *stix_set;
static size_t stix(const char *pattern)
{
    char json[4096];
    size_t o = 0;
    o += (size_t)snprintf(json, sizeof json, "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--t\",\"pattern_type\":\"stix\",\"valid_from\":\"2019-01-01T00:00:00Z\",\"pattern\":\"");
    for (const char *p = pattern; *p && o + 8 < sizeof json; p++) {
        if (*p == '"' || *p == '\\') json[o++] = '\\';
        json[o++] = *p;
    }
    snprintf(json + o, sizeof json - o, "\"}");
    sk_ioc_set_free(stix_set);
    stix_set = load_as("s.json", json, 0);
    return sk_ioc_set_count(stix_set);
}

static void stix_patterns(void)
{
    /* supported */
    CHECK_INT(stix("[ipv4-addr:value = '198.51.100.1']"), 1);
    CHECK_INT(sk_ioc_get(stix_set, 0)->type, SK_IOC_IP);
    CHECK_STR(sk_ioc_get(stix_set, 0)->id, "indicator--t");
    CHECK(sk_ioc_get(stix_set, 0)->valid_from == at("2019-01-01T00:00:00Z"));
    CHECK_INT(diags[0], 0);
    CHECK_INT(stix("[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']"), 3);
    CHECK_INT(ip(stix_set, "2001:db8:dead:beef:dead:beef:dead:1"), 1);
    CHECK_INT(stix("[ipv4-addr:value ISSUBSET '198.51.100.0/24']"), 1);
    CHECK_INT(ip(stix_set, "198.51.100.77"), 1);
    CHECK_INT(stix("[url:value = 'http://example.com/foo'] OR [url:value = 'http://example.com/bar']"), 2);
    CHECK_INT(stix("[domain-name:value IN ('a.example', 'b.example', 'c.example')]"), 3);
    CHECK_INT(domain(stix_set, "x.b.example"), 1);
    CHECK_INT(stix("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4' AND file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"), 3);
    CHECK_INT(hash(stix_set, "79054025255FB1A26E4BC422AEF54EB4"), 1);
    CHECK_INT(stix("[domain-name:value = 'evil.example' AND domain-name:value = 'evil.example']"), 1);
    CHECK_INT(stix("(([domain-name:value = 'a.example'] OR ([domain-name:value = 'b.example'])))"), 2);
    CHECK_INT(stix("[ (domain-name:value = 'a.example' OR domain-name:value = 'b.example') ]"), 2);
    CHECK_INT(stix("[url:value = 'http://example.com/it\\'s']"), 1);
    CHECK_STR(sk_ioc_get(stix_set, 0)->text, "http://example.com/it's");
    /* partly supported: the rest loads, the part is said */
    CHECK_INT(stix("[domain-name:value = 'www.5z8.info' OR domain-name:resolves_to_refs[*].value = '198.51.100.1/32']"), 1);
    CHECK(strstr(diags, "s.json:1: indicator--t: part of the pattern is unsupported (object path domain-name:resolves_to_refs[*].value)") != NULL);
    /* unsupported: each said with the indicator id, nothing loaded */
    static const char *const bad[] = {
        "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
        "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$']",
        "[domain-name:value LIKE '%.example']",
        "[domain-name:value != 'good.example']",
        "[NOT domain-name:value = 'good.example']",
        "[ipv4-addr:value = '198.51.100.1' AND domain-name:value = 'evil.example']",
        "[ipv4-addr:value = '198.51.100.1' AND ipv4-addr:value = '198.51.100.2']",
        "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4' AND file:name = 'a.exe']",
        "[ipv4-addr:value = '198.51.100.1'] AND [domain-name:value = 'evil.example']",
        "[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [domain-name:value = 'evil.example']",
        "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
        "[ipv4-addr:value = '198.51.100.1'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
        "[file:size = 25536]",
        "[ipv4-addr:value = '198.51.100.1'",
        "[ipv4-addr:value = 198.51.100.1]",
        "ipv4-addr:value = '198.51.100.1'",
        "[ipv4-addr:value = '198.51.100.1'] OR",
        "[url:value = 'http://example.com/\\x']",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = stix(bad[i]);
        if (n) fprintf(stderr, "loaded from %s\n", bad[i]);
        CHECK_INT(n, 0);
        CHECK(strstr(diags, "s.json:1: indicator--t: unsupported pattern (") != NULL);
    }
    /* a value of the wrong form for its path: the value's diagnostic */
    CHECK_INT(stix("[ipv4-addr:value = 'evil.example']"), 0);
    CHECK(strstr(diags, "indicator--t: no ip: 'evil.example'") != NULL);
    sk_ioc_set_free(stix_set);
    stix_set = NULL;
}

static void stix_objects(void)
{
    size_t n;
    char *text = slurp("stix-bundle.json", &n);
    CHECK(text != NULL);
    if (!text) return;
    sk_ioc_set *s = load(text);
    free(text);
    CHECK_INT(sk_ioc_set_count(s), 8);
    const sk_ioc *c = find(s, "evil-c2.example");
    CHECK(c && !strcmp(c->id, "indicator--d81f86b9-975b-4c0b-875e-810c5ad45a4f") && !strcmp(c->comment, "the campaign's C2"));
    CHECK(c && c->valid_from == at("2019-07-10T10:31:00Z") && c->valid_until == at("2019-07-10T10:35:00Z"));
    c = find(s, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    CHECK(c && !strcmp(c->comment, "Poison Ivy Malware: This file is part of Poison Ivy") && c->line == 14);
    CHECK(strstr(diags, "indicator--6a7d3d31-5fbd-4c7e-87ea-6cbf6f8d8166: pattern_type 'snort' is not read") != NULL);
    CHECK(strstr(diags, "indicator--3d4a0a0e-2c8a-4f4b-94b7-3f8c3c5a5e33: unsupported pattern (") != NULL);
    CHECK(strstr(diags, "indicator--4e5b1b1f-3d9b-4a5c-a5c8-4a9d4d6b6f44: unsupported pattern (") != NULL);
    CHECK(strstr(diags, "indicator--5f6c2c20-4eac-4b6d-b6d9-5bae5e7c7055: unsupported pattern (") != NULL);
    sk_ioc_stats st;
    sk_ioc_set_stats(s, &st);
    CHECK_INT(st.unsupported, 5);
    sk_ioc_set_free(s);
    /* an array of indicators; revoked, bad times, no pattern */
    s = load("[{\"type\":\"indicator\",\"id\":\"indicator--a\",\"pattern\":\"[domain-name:value = 'a.example']\",\"valid_from\":\"2019-01-01T00:00:00Z\"},\n"
             " {\"type\":\"indicator\",\"id\":\"indicator--b\",\"revoked\":true,\"pattern\":\"[domain-name:value = 'b.example']\"},\n"
             " {\"type\":\"indicator\",\"id\":\"indicator--c\",\"pattern\":\"[domain-name:value = 'c.example']\",\"valid_from\":\"soon\"},\n"
             " {\"type\":\"indicator\",\"id\":\"indicator--d\"},\n"
             " {\"type\":\"malware\",\"id\":\"malware--e\"}]");
    CHECK_INT(sk_ioc_set_count(s), 1);
    CHECK(strstr(diags, "t:2: indicator--b: revoked: not loaded") != NULL);
    CHECK(strstr(diags, "t:3: indicator--c: valid_from 'soon' is no time") != NULL);
    CHECK(strstr(diags, "t:4: indicator--d: no pattern") != NULL);
    sk_ioc_set_free(s);
    /* broken JSON, JSON of no known shape: the file as a whole is refused */
    s = load_as("b.json", "{\"type\": \"bundle\", \"objects\": [", SK_EFORMAT);
    CHECK_INT(sk_ioc_set_count(s), 0);
    sk_ioc_set_free(s);
    s = load_as("b.json", "{\"hello\": 1}", SK_EFORMAT);
    CHECK(strstr(sk_error_last(), "b.json: JSON, but no STIX 2.1 bundle or indicator, MISP event export or MISP warninglist") != NULL);
    sk_ioc_set_free(s);
    /* hostile nesting is bounded */
    char deep[3000];
    memset(deep, '[', 2000);
    deep[2000] = 0;
    s = load_as("d.json", deep, SK_EFORMAT);
    sk_ioc_set_free(s);
    char pat[600] = "{\"type\":\"indicator\",\"id\":\"indicator--p\",\"pattern\":\"";
    size_t o = strlen(pat);
    for (int i = 0; i < 200; i++) pat[o++] = '(';
    snprintf(pat + o, sizeof pat - o, "[domain-name:value = 'a.example']\"}");
    s = load(pat);
    CHECK_INT(sk_ioc_set_count(s), 0);
    CHECK(strstr(diags, "nested too deep") != NULL);
    sk_ioc_set_free(s);
}

static void misp(void)
{
    size_t n;
    char *text = slurp("misp-event.json", &n);
    CHECK(text != NULL);
    if (!text) return;
    sk_ioc_set *s = load(text);
    free(text);
    CHECK_INT(sk_ioc_set_count(s), 8);
    CHECK(strstr(diags, "t: MISP: 1 event, 8 indicators loaded; 1 attribute with to_ids false not loaded; 1 deleted; 3 of types not matched (regkey 1, text 1, uri 1)") != NULL);
    sk_ioc_stats st;
    sk_ioc_set_stats(s, &st);
    CHECK_INT(st.not_to_ids, 1);
    CHECK_INT(hash(s, "84238dfc8092e5d9c0dac8ef93371a07"), 0); /* to_ids false */
    CHECK_INT(domain(s, "www.google.com"), 0);                  /* deleted */
    const sk_ioc *c = find(s, "evil-c2.example");
    CHECK(c && !strcmp(c->comment, "C2 domain") && !strcmp(c->id, "5d25a4e4-0001-4c3b-9a5e-4b2f0a0b0c01") && !strcmp(c->feed, "CIRCL"));
    CHECK(c && c->valid_from == at("2019-07-10T10:31:00Z") && c->valid_until == SK_TIME_NONE);
    c = find(s, "198.51.100.23");                                /* ip-dst|port: the address */
    CHECK(c && !strcmp(c->comment, "OSINT - the campaign's infrastructure (fixture for hunt net)"));
    c = find(s, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    CHECK(c && !strcmp(c->comment, "report.pdf"));              /* filename|sha256 */
    CHECK(c && c->valid_from == at("2019-07-10T00:00:00Z") && c->valid_until == at("2019-07-10T23:59:59Z") + 1); /* the object's window */
    CHECK_INT(domain(s, "slow.example.net"), 1);                /* domain|ip: both */
    CHECK_INT(ip(s, "203.0.113.50"), 1);
    sk_ioc_set_free(s);
    /* a REST answer, to_ids as strings, a bad composite value, a bad time */
    s = load("{\"response\": [{\"Event\": {\"info\": \"e1\", \"Attribute\": ["
             "{\"type\": \"ip-src\", \"value\": \"192.0.2.0/24\", \"to_ids\": \"1\"},\n"
             "{\"type\": \"hostname\", \"value\": \"a.example\", \"to_ids\": \"0\"},\n"
             "{\"type\": \"domain|ip\", \"value\": \"b.example\", \"to_ids\": true, \"uuid\": \"u-3\"},\n"
             "{\"type\": \"md5\", \"value\": \"d41d8cd98f00b204e9800998ecf8427e\", \"first_seen\": \"later\"}]}},"
             "{\"Event\": {\"Attribute\": [{\"type\": \"url\", \"value\": \"evil.example/gate.php\"}]}}]}");
    CHECK_INT(sk_ioc_set_count(s), 2);
    CHECK_INT(ip(s, "192.0.2.9"), 1);
    CHECK(strstr(diags, "t:2: u-3: 'b.example' is no domain|ip value") == NULL);
    CHECK(strstr(diags, "t:3: u-3: 'b.example' is no domain|ip value (no '|')") != NULL);
    CHECK(strstr(diags, "t:4: a MISP attribute: first_seen 'later' is no time") != NULL);
    CHECK(strstr(diags, "t: MISP: 2 events, 2 indicators loaded; 1 attribute with to_ids false") != NULL);
    CHECK_INT(url(s, "http://evil.example/gate.php"), 1); /* a URL without its scheme: http */
    sk_ioc_set_free(s);
    s = load("{\"response\": {\"Attribute\": [{\"type\": \"sha1\", \"value\": \"da39a3ee5e6b4b0d3255bfef95601890afd80709\"}]}}");
    CHECK_INT(sk_ioc_set_count(s), 1);
    sk_ioc_set_free(s);
    s = load("[{\"Event\": {\"Attribute\": [{\"type\": \"domain\", \"value\": \"c.example\"}]}}]");
    CHECK_INT(sk_ioc_set_count(s), 1);
    sk_ioc_set_free(s);
}

static sk_ioc_set *with_list(const char *iocs, const char *list)
{
    sk_ioc_set *s = load(iocs);
    CHECK_INT(sk_ioc_set_add(s, "wl.json", list, strlen(list), diag, NULL), 0);
    return s;
}

static void warninglists(void)
{
    size_t n;
    char *text = slurp("warninglist.json", &n);
    CHECK(text != NULL);
    if (!text) return;
    /* hostname: the entry and below it, for domains and URL hosts; loaded after the indicators */
    sk_ioc_set *s = with_list("www.example.com\nexample.com.evil.example\nhttp://cdn.example.org/x.js\nevil.example\n", text);
    CHECK_INT(domain(s, "www.example.com"), 0);
    CHECK_INT(url(s, "http://cdn.example.org/x.js"), 0);
    CHECK_INT(domain(s, "example.com.evil.example"), 2); /* itself and evil.example */
    CHECK(strstr(diags, "t:1: 'www.example.com' is on the warninglist 'List of RFC 2606 documentation domains': not matched") != NULL);
    CHECK(strstr(diags, "t:3: 'http://cdn.example.org/x.js' is on the warninglist") != NULL);
    sk_ioc_stats st;
    sk_ioc_set_stats(s, &st);
    CHECK_INT(st.filtered, 2);
    CHECK_INT(st.warninglists, 1);
    /* an indicator loaded after the list: filtered too, and so is the same value again */
    CHECK_INT(sk_ioc_set_add(s, "late.txt", "A.example.ORG\nwww.example.com\n", 30, diag, NULL), 0);
    CHECK(strstr(diags, "late.txt:1: 'A.example.ORG' is on the warninglist") != NULL);
    CHECK_INT(domain(s, "a.example.org"), 0);
    CHECK(sk_ioc_get(s, 5)->warninglist != NULL);
    sk_ioc_set_free(s);
    free(text);
    /* cidr, string, substring */
    s = with_list("8.8.8.8\n8.8.4.0/24\n9.9.9.9\n", "{\"name\": \"resolvers\", \"type\": \"cidr\", \"list\": [\"8.8.8.8\", \"8.8.4.0/22\", 7]}");
    CHECK_INT(ip(s, "8.8.8.8"), 0);
    CHECK_INT(ip(s, "8.8.4.4"), 0);
    CHECK_INT(ip(s, "9.9.9.9"), 1);
    CHECK(strstr(diags, "warninglist 'resolvers': 1 entries that are no cidr ignored") != NULL);
    sk_ioc_set_free(s);
    s = with_list("d41d8cd98f00b204e9800998ecf8427e\nEvil.Example\nhttp://x.example/A\n",
                  "{\"name\": \"empty\", \"type\": \"string\", \"list\": [\"D41D8CD98F00B204E9800998ECF8427E\", \"evil.example.\", \"http://X.example:80/A\"]}");
    CHECK_INT(hash(s, "d41d8cd98f00b204e9800998ecf8427e"), 0);
    CHECK_INT(domain(s, "evil.example"), 0);
    CHECK_INT(url(s, "http://x.example/A"), 0);
    sk_ioc_set_free(s);
    s = with_list("tracker.ads.example\nevil.example\n", "{\"name\": \"ads\", \"type\": \"substring\", \"list\": [\"ADS.\"]}");
    CHECK_INT(domain(s, "tracker.ads.example"), 0);
    CHECK_INT(domain(s, "evil.example"), 1);
    sk_ioc_set_free(s);
    s = with_list("evil.example\n", "{\"name\": \"re\", \"type\": \"regex\", \"list\": [\".*\"]}");
    CHECK_INT(domain(s, "evil.example"), 1);
    CHECK(strstr(diags, "wl.json:1: warninglist 're' of type 'regex' is not applied") != NULL);
    sk_ioc_set_free(s);
}

static void domains_and_urls(void)
{
    /* IDN: the indicator and the matched name both as punycode */
    sk_ioc_set *s = load("B\xc3\xbc" "cher.example\nfa\xc3\x9f.de\nhttp://B\xc3\xbc" "cher.example/a\n");
    CHECK_STR(sk_ioc_get(s, 0)->norm, "xn--bcher-kva.example");
    CHECK_STR(sk_ioc_get(s, 1)->norm, "xn--fa-hia.de");
    CHECK_STR(sk_ioc_get(s, 2)->norm, "http://xn--bcher-kva.example/a");
    CHECK_INT(domain(s, "www.xn--bcher-kva.example"), 1);
    CHECK_INT(domain(s, "www.b\xc3\xbc" "cher.example"), 1);
    CHECK_INT(domain(s, "fass.de"), 0);
    CHECK_INT(url(s, "http://xn--bcher-kva.example/a"), 1);
    sk_ioc_set_free(s);
    /* a public suffix would match the world: refused, said */
    s = load("com\nco.uk\n*.co.uk\nblogspot.com\nevil.blogspot.com\nexample.co.uk\nCO.UK.\n");
    CHECK_INT(sk_ioc_set_count(s), 2);
    CHECK(strstr(diags, "t:1: no indicator") != NULL); /* one label */
    CHECK(strstr(diags, "t:2: a public suffix, it would match every name under it: refused: 'co.uk'") != NULL);
    CHECK(strstr(diags, "t:3: a public suffix") != NULL);
    CHECK(strstr(diags, "t:4: a public suffix") != NULL);
    CHECK(strstr(diags, "t:7: a public suffix") != NULL);
    CHECK_INT(domain(s, "www.evil.blogspot.com"), 1);
    CHECK_INT(domain(s, "other.blogspot.com"), 0);
    sk_ioc_set_free(s);
    s = load("value,type\nco.uk,domain\n");
    CHECK_INT(sk_ioc_set_count(s), 0);
    CHECK(strstr(diags, "t:2: a public suffix") != NULL);
    sk_ioc_set_free(s);
    /* URLs: percent-encoding (RFC 3986 6.2.2.2), scheme and host case, the default port */
    s = load("http://Evil.Example:80/%7Euser/a%2fb?q=%e2%82%ac&x=%41%2D\nhttps://evil.example:443/%zz%4\nhttp://evil.example:8080/\n");
    CHECK_STR(sk_ioc_get(s, 0)->norm, "http://evil.example/~user/a%2Fb?q=%E2%82%AC&x=A-");
    CHECK_STR(sk_ioc_get(s, 1)->norm, "https://evil.example/%zz%4");
    CHECK_STR(sk_ioc_get(s, 2)->norm, "http://evil.example:8080/");
    CHECK_INT(url(s, "HTTP://EVIL.example/~user/a%2Fb?q=%E2%82%AC&x=A-"), 1);
    CHECK_INT(url(s, "http://evil.example/%7euser/a%2Fb?q=%E2%82%ac&x=%41-"), 1);
    CHECK_INT(url(s, "http://evil.example/~user/a/b?q=%E2%82%AC&x=A-"), 0); /* %2F is a reserved '/': not decoded */
    CHECK_INT(url(s, "https://evil.example/%zz%4"), 1);
    CHECK_INT(url(s, "http://evil.example:8080"), 1);
    CHECK_INT(url(s, "http://evil.example/"), 0);
    sk_ioc_set_free(s);
}

static size_t ua(const sk_ioc_set *s, const char *v)
{
    n_hits = 0;
    sk_ioc_match_user_agent(s, v, strlen(v), collect, NULL);
    return n_hits;
}

static size_t ja3(const sk_ioc_set *s, const char *v)
{
    n_hits = 0;
    sk_ioc_match_ja3(s, v, strlen(v), collect, NULL);
    return n_hits;
}

static void agents_and_ja3(void)
{
    sk_ioc_set *s = load("ua:Mozilla/4.0\t(compatible; MSIE 6.0; Windows NT 5.1)   # the implant\n"
                         "UA: curl/7.64.1\n"
                         "ja3:E7D705A3286E19EA42F587B344EE6865\n"
                         "e7d705a3286e19ea42f587b344ee6865\n"
                         "ja3:e7d705a3286e19ea42f587b344ee686\n"
                         "ua:\n");
    CHECK_INT(sk_ioc_set_count(s), 4);
    const sk_ioc *c = sk_ioc_get(s, 0);
    CHECK_INT(c->type, SK_IOC_USER_AGENT);
    CHECK_STR(c->norm, "Mozilla/4.0\t(compatible; MSIE 6.0; Windows NT 5.1)");
    CHECK_STR(c->text, "ua:Mozilla/4.0\t(compatible; MSIE 6.0; Windows NT 5.1)"); /* as written */
    CHECK_STR(c->comment, "the implant");
    CHECK_STR(sk_ioc_type_name(c->type), "user_agent");
    CHECK_INT(sk_ioc_get(s, 2)->type, SK_IOC_JA3);
    CHECK_INT(sk_ioc_get(s, 3)->type, SK_IOC_MD5); /* without its prefix a JA3 is an MD5 */
    CHECK_INT(ua(s, "Mozilla/4.0\t(compatible; MSIE 6.0; Windows NT 5.1)"), 1);
    CHECK_INT(ua(s, "mozilla/4.0\t(compatible; msie 6.0; windows nt 5.1)"), 0); /* exact */
    CHECK_INT(ua(s, "curl/7.64.1"), 1);
    CHECK_INT(ua(s, "curl/7.64.1 "), 0);
    CHECK_INT(ja3(s, "e7d705a3286e19ea42f587b344ee6865"), 1);
    CHECK_INT(hash(s, "e7d705a3286e19ea42f587b344ee6865"), 1); /* the MD5 only */
    CHECK_INT(hits[0], 3);
    CHECK(strstr(diags, "t:5: no ja3") != NULL);
    CHECK(strstr(diags, "t:6: an empty value") != NULL);
    sk_ioc_set_free(s);
    /* named by the formats */
    s = load("value,type\n\"Evil Agent/1.0 (x, y)\",user-agent\ne7d705a3286e19ea42f587b344ee6865,ja3\n");
    CHECK_INT(ua(s, "Evil Agent/1.0 (x, y)"), 1);
    CHECK_INT(ja3(s, "E7D705A3286E19EA42F587B344EE6865"), 1);
    CHECK_INT(hash(s, "e7d705a3286e19ea42f587b344ee6865"), 0);
    sk_ioc_set_free(s);
    s = load("{\"Event\": {\"Attribute\": [{\"type\": \"user-agent\", \"value\": \"Evil Agent/1.0\"},"
             "{\"type\": \"ja3-fingerprint-md5\", \"value\": \"e7d705a3286e19ea42f587b344ee6865\"}]}}");
    CHECK_INT(ua(s, "Evil Agent/1.0"), 1);
    CHECK_INT(ja3(s, "e7d705a3286e19ea42f587b344ee6865"), 1);
    sk_ioc_set_free(s);
    CHECK_INT(stix("[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Evil Agent/1.0']"), 1);
    CHECK_INT(ua(stix_set, "Evil Agent/1.0"), 1);
    sk_ioc_set_free(stix_set);
    stix_set = NULL;
    s = load("value,type\n\"bad\x01agent\",ua\n");
    CHECK_INT(sk_ioc_set_count(s), 0);
    CHECK(strstr(diags, "t:2: no user_agent") != NULL);
    sk_ioc_set_free(s);
}

SK_TEST_MAIN(T(csv), T(validity), T(cidr_edges), T(stix_patterns), T(stix_objects), T(misp), T(warninglists), T(domains_and_urls), T(agents_and_ja3))
