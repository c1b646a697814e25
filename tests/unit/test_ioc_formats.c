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

SK_TEST_MAIN(T(csv), T(validity), T(cidr_edges))
