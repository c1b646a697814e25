/*
 * fuzz_ioc - indicator sets (sakimori/ioc.h) from arbitrary bytes, read by
 * sk_ioc_set_add in whatever format the bytes look like (plain list, CSV, STIX, MISP,
 * warninglist; the corpus has a seed of each), and the same bytes again as a plain list
 * into the same set. Then every line of the input is matched as a host, a URL, an
 * address, a hash, a user agent and a JA3. Asserted: loading returns 0 (a bad entry is
 * a diagnostic) or SK_EFORMAT for JSON it cannot read, unless out of memory; every
 * entry has a type, a text and a normalised form and points at a target that is its
 * own; an entry's own normalised text, matched as its type, finds its target unless a
 * warninglist filters it; validity windows are never empty. No crash, no hang, no leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sakimori/ioc.h>

static int found;
static size_t want;

static int hit(void *ctx, size_t i)
{
    (void)ctx;
    if (i == want) found = 1;
    return 0;
}

static int any(void *ctx, size_t i)
{
    (void)ctx;
    (void)i;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sk_ioc_set *s = NULL;
    if (sk_ioc_set_new(&s)) return 0;
    int rc = sk_ioc_set_add(s, "fuzz", (const char *)data, size, NULL, NULL);
    if (rc && rc != SK_EFORMAT) __builtin_trap();
    if (sk_ioc_set_add_list(s, "fuzz", (const char *)data, size, NULL, NULL)) __builtin_trap();
    for (size_t i = 0; i < sk_ioc_set_count(s); i++) {
        const sk_ioc *c = sk_ioc_get(s, i);
        if (!c || !c->text || !c->norm || c->type >= SK_IOC_TYPES) __builtin_trap();
        if (c->valid_from != SK_TIME_NONE && c->valid_until != SK_TIME_NONE && c->valid_until <= c->valid_from) __builtin_trap();
        found = c->warninglist != NULL; /* filtered out: never matched */
        want = c->target;
        if (want > i || sk_ioc_get(s, want)->target != want) __builtin_trap();
        sk_ip ip;
        switch (c->type) {
        case SK_IOC_DOMAIN:
            sk_ioc_match_domain(s, c->norm, strlen(c->norm), hit, NULL);
            if (c->subdomains_only) found = 1; /* the name itself does not match */
            break;
        case SK_IOC_URL: sk_ioc_match_url(s, c->norm, strlen(c->norm), hit, NULL); break;
        case SK_IOC_IP:
            if (!sk_ip_parse(c->norm, strlen(c->norm), &ip)) sk_ioc_match_ip(s, &ip, hit, NULL);
            else found = 1; /* defanged text: the address itself was parsed */
            break;
        case SK_IOC_MD5: case SK_IOC_SHA1: case SK_IOC_SHA256: sk_ioc_match_hash(s, c->norm, strlen(c->norm), hit, NULL); break;
        case SK_IOC_USER_AGENT: sk_ioc_match_user_agent(s, c->norm, strlen(c->norm), hit, NULL); break;
        case SK_IOC_JA3: sk_ioc_match_ja3(s, c->norm, strlen(c->norm), hit, NULL); break;
        default: found = 1;
        }
        if (!found) __builtin_trap();
    }
    /* every line as a value of each kind */
    const char *p = (const char *)data;
    size_t left = size;
    while (left) {
        const char *e = memchr(p, '\n', left);
        size_t n = e ? (size_t)(e - p) : left;
        sk_ioc_match_domain(s, p, n, any, NULL);
        /* the fused host question never says "no URL indicator has it" where the
         * reference one says "may" */
        int may = 0;
        sk_ioc_match_host(s, p, n, any, NULL, &may);
        if (!may && sk_ioc_url_host_may_match(s, p, n)) __builtin_trap();
        sk_ioc_match_url(s, p, n, any, NULL);
        sk_ioc_match_hash(s, p, n, any, NULL);
        sk_ioc_match_user_agent(s, p, n, any, NULL);
        sk_ioc_match_ja3(s, p, n, any, NULL);
        sk_ip ip;
        if (!sk_ip_parse(p, n, &ip)) sk_ioc_match_ip(s, &ip, any, NULL);
        if (!e) break;
        left -= n + 1;
        p = e + 1;
    }
    sk_ioc_set_free(s);
    return 0;
}
