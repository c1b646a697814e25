/*
 * select.c - which events to keep (sakimori/evtxdump.h): a time window, event ids,
 * channels, providers, computers and a keyword over every value, tested on the typed
 * view, on the worker thread that built it, before anything is rendered.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/evtxdump.h>

void sk_event_filter_init(sk_event_filter *f)
{
    memset(f, 0, sizeof *f);
    f->since = f->until = SK_TIME_NONE;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int ieq(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n != m) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

/* 1 when needle (lower case, nl bytes) is in s[0..n) ignoring ASCII case. */
static int icontains(const char *s, size_t n, const char *needle, size_t nl)
{
    if (!nl) return 1;
    if (n < nl) return 0;
    int c0 = (unsigned char)needle[0], c1 = c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0;
    for (size_t i = 0; i + nl <= n; i++) {
        int c = (unsigned char)s[i];
        if (c != c0 && c != c1) continue;
        size_t k = 1;
        while (k < nl && lower((unsigned char)s[i + k]) == (unsigned char)needle[k]) k++;
        if (k == nl) return 1;
    }
    return 0;
}

static int in_list(sk_event_str v, const char *const *list, size_t n, int short_name)
{
    if (!n) return 1;
    if (!v.s) return 0;
    for (size_t i = 0; i < n; i++) {
        if (ieq(v.s, v.n, list[i])) return 1;
        if (short_name) {
            const char *dot = memchr(v.s, '.', v.n);
            if (dot && ieq(v.s, (size_t)(dot - v.s), list[i])) return 1;
        }
    }
    return 0;
}

static int value_has(const sk_event_value *v, const char *needle, size_t nl, int depth)
{
    if (v->kind == SK_EVK_ARRAY) {
        for (size_t i = 0; i < v->n_items && depth < 8; i++)
            if (value_has(&v->items[i], needle, nl, depth + 1)) return 1;
        return 0;
    }
    return v->kind != SK_EVK_NULL && v->s && icontains(v->s, v->n, needle, nl);
}

static int str_has(sk_event_str s, const char *needle, size_t nl)
{
    return s.s && icontains(s.s, s.n, needle, nl);
}

static int search(const sk_event *ev, const char *q)
{
    char needle[1024];
    size_t nl = strlen(q);
    if (nl >= sizeof needle) nl = sizeof needle - 1;
    for (size_t i = 0; i < nl; i++) needle[i] = (char)lower((unsigned char)q[i]);
    needle[nl] = '\0';
    if (str_has(ev->provider_name, needle, nl) || str_has(ev->channel, needle, nl) || str_has(ev->computer, needle, nl) ||
        str_has(ev->user_id, needle, nl) || str_has(ev->message, needle, nl))
        return 1;
    for (size_t i = 0; i < ev->n_fields; i++)
        if (value_has(&ev->fields[i].v, needle, nl, 0)) return 1;
    return 0;
}

int sk_event_filter_match(const sk_event_filter *f, const sk_event *ev)
{
    if (f->since != SK_TIME_NONE && (ev->time == SK_TIME_NONE || ev->time < f->since)) return 0;
    if (f->until != SK_TIME_NONE && (ev->time == SK_TIME_NONE || ev->time >= f->until)) return 0;
    if (f->n_id_ranges) {
        if (!(ev->has & SK_EVH_EVENT_ID)) return 0;
        int hit = 0;
        for (size_t i = 0; i < f->n_id_ranges && !hit; i++) hit = ev->event_id >= f->id_ranges[2 * i] && ev->event_id <= f->id_ranges[2 * i + 1];
        if (!hit) return 0;
    }
    if (!in_list(ev->channel, f->channels, f->n_channels, 0)) return 0;
    if (!in_list(ev->provider_name, f->providers, f->n_providers, 0)) return 0;
    if (!in_list(ev->computer, f->computers, f->n_computers, 1)) return 0;
    if (f->search && *f->search && !search(ev, f->search)) return 0;
    return 1;
}

static int num(const char **p, uint32_t *out)
{
    const char *s = *p;
    uint32_t v = 0;
    if (*s < '0' || *s > '9') return -1;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint32_t)(*s - '0');
        if (v > 65535) return -1;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

int sk_event_id_ranges_parse(const char *s, uint32_t **out, size_t *n_pairs)
{
    *out = NULL;
    *n_pairs = 0;
    size_t cap = 1;
    for (const char *c = s; *c; c++) cap += *c == ',';
    uint32_t *r = calloc(cap * 2, sizeof *r);
    if (!r) return sk_error_set(SK_ENOMEM, "out of memory");
    const char *p = s;
    size_t n = 0;
    for (;;) {
        uint32_t lo, hi;
        if (num(&p, &lo)) break;
        hi = lo;
        if (*p == '-') {
            p++;
            if (num(&p, &hi) || hi < lo) break;
        }
        r[2 * n] = lo;
        r[2 * n + 1] = hi;
        n++;
        if (!*p) {
            *out = r;
            *n_pairs = n;
            return 0;
        }
        if (*p != ',') break;
        p++;
    }
    free(r);
    return sk_error_set(SK_EINVAL, "'%s' is not a list of event ids (0-65535) and ranges, such as 4624,4625,4688-4689", s);
}
