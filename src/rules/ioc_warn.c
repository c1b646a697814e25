/*
 * ioc_warn.c - MISP warninglists as a false-positive filter on an indicator set:
 * {"name": ..., "type": "string|cidr|hostname|substring|regex", "list": [...]}. An
 * indicator on a list is kept (its source and line still reported) but never matched,
 * and a diagnostic names it and the list, whichever was loaded first. string: the
 * normalised value equals an entry normalised the same way (or the text equals it, any
 * case); cidr: an address or network inside an entry; hostname: a domain, or a URL's
 * host, equal to an entry or below it; substring: an entry inside the normalised value,
 * any case. regex lists are not applied: said once, counted unsupported. The list's
 * "matching_attributes" is not read: a list applies to every indicator type.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/net.h>

#include "ioc_int.h"

enum { WL_STRING, WL_CIDR, WL_HOSTNAME, WL_SUBSTRING };

struct ioc_wl {
    const char *name;
    int type;
    sk_map *m;                  /* string, hostname, cidr entries */
    uint8_t lens[129];          /* cidr: the prefix lengths present */
    const char **subs;          /* substring entries, lower case */
    size_t *subn, n_subs;
};

void ioc_warn_free(ioc_wl *w)
{
    if (!w) return;
    sk_map_free(w->m);
    free(w->subs);
    free(w->subn);
    free(w);
}

int ioc_warn_is(const sk_json_value *root)
{
    const sk_json_value *l = sk_json_object_get(root, "list");
    return sk_json_type_of(root) == SK_JSON_OBJECT && ioc_json_str(root, "name", NULL) && l && sk_json_type_of(l) == SK_JSON_ARRAY;
}

static void lower(char *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
}

/* a host name as hostname entries and lookups are compared: lower case, no leading
 * "*." or ".", no trailing dot */
static size_t host_key(const char *s, size_t n, char *out)
{
    if (n >= 2 && s[0] == '*' && s[1] == '.') s += 2, n -= 2;
    while (n && s[0] == '.') s++, n--;
    while (n && s[n - 1] == '.') n--;
    if (n > 255) return 0;
    lower(out, s, n);
    return n;
}

static void mask(uint8_t kb[17], const sk_ip *ip, int bits)
{
    memcpy(kb, ip->a, 16);
    for (int b = bits; b < 128; b++) kb[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
    kb[16] = (uint8_t)bits;
}

static int on_list(const ioc_wl *w, const sk_ioc *ioc)
{
    const char *v = ioc->norm;
    size_t n = strlen(v);
    char k[IOC_NORM_MAX + 16];
    switch (w->type) {
    case WL_STRING:
        if (n + 1 > sizeof k) return 0;
        k[0] = (char)ioc->type;
        memcpy(k + 1, v, n);
        if (sk_map_has(w->m, k, n + 1)) return 1;
        n = strlen(ioc->text);
        if (n + 1 > sizeof k) return 0;
        k[0] = (char)0xFE;
        lower(k + 1, ioc->text, n);
        return sk_map_has(w->m, k, n + 1);
    case WL_CIDR: {
        sk_ip ip;
        sk_prefix p;
        int max;
        if (ioc->type == SK_IOC_IP && !sk_ip_parse(v, n, &ip)) max = 128;
        else if (ioc->type == SK_IOC_CIDR && !sk_prefix_parse(v, n, 0, &p)) ip = p.ip, max = p.bits;
        else return 0;
        for (int bits = max; bits >= 0; bits--) {
            if (!w->lens[bits]) continue;
            uint8_t kb[17];
            mask(kb, &ip, bits);
            if (sk_map_has(w->m, kb, 17)) return 1;
        }
        return 0;
    }
    case WL_HOSTNAME: {
        const char *h = v;
        size_t hn = n;
        if (ioc->type == SK_IOC_URL) {
            const char *sep = strstr(v, "://");
            if (!sep) return 0;
            h = sep + 3;
            hn = strcspn(h, ":/?");
        } else if (ioc->type != SK_IOC_DOMAIN) {
            return 0;
        }
        hn = host_key(h, hn, k);
        for (size_t at = 0; at < hn;) {
            if (sk_map_has(w->m, k + at, hn - at)) return 1;
            const char *dot = memchr(k + at, '.', hn - at);
            if (!dot) break;
            at = (size_t)(dot - k) + 1;
        }
        return 0;
    }
    case WL_SUBSTRING:
        if (n > sizeof k) return 0;
        lower(k, v, n);
        for (size_t i = 0; i < w->n_subs; i++)
            if (w->subn[i] <= n && memmem(k, n, w->subs[i], w->subn[i])) return 1;
        return 0;
    default: return 0;
    }
}

const char *ioc_warn_check(const sk_ioc_set *s, const sk_ioc *ioc)
{
    for (size_t i = 0; i < s->n_wl; i++)
        if (on_list(s->wl[i], ioc)) return s->wl[i]->name;
    return NULL;
}

static int add_entry(ioc_load *ld, ioc_wl *w, const char *e, size_t n)
{
    while (n && (e[n - 1] == ' ' || e[n - 1] == '\t')) n--;
    while (n && (e[0] == ' ' || e[0] == '\t')) e++, n--;
    if (!n || n > IOC_MAX_VALUE) return 1;
    char k[IOC_NORM_MAX + 16];
    switch (w->type) {
    case WL_STRING: {
        char norm[IOC_NORM_MAX];
        size_t nn;
        int sub;
        int t = ioc_normalize(IOC_AUTO, e, n, norm, sizeof norm, &nn, &sub);
        if (t >= 0) {
            k[0] = (char)t;
            memcpy(k + 1, norm, nn);
            if (sk_map_put(w->m, k, nn + 1, NULL, NULL)) return SK_ENOMEM;
        }
        k[0] = (char)0xFE;
        lower(k + 1, e, n);
        return sk_map_put(w->m, k, n + 1, NULL, NULL) ? SK_ENOMEM : 0;
    }
    case WL_CIDR: {
        sk_ip ip;
        sk_prefix p;
        if (!sk_ip_parse(e, n, &ip)) p.ip = ip, p.bits = 128;
        else if (sk_prefix_parse(e, n, 1, &p)) return 1;
        uint8_t kb[17];
        mask(kb, &p.ip, p.bits);
        w->lens[p.bits] = 1;
        return sk_map_put(w->m, kb, 17, NULL, NULL) ? SK_ENOMEM : 0;
    }
    case WL_HOSTNAME: {
        size_t kn = host_key(e, n, k);
        if (!kn) return 1;
        return sk_map_put(w->m, k, kn, NULL, NULL) ? SK_ENOMEM : 0;
    }
    default: {
        char *c = ioc_strdup(ld, e, n);
        if (!c) return SK_ENOMEM;
        lower(c, e, n);
        w->subs[w->n_subs] = c;
        w->subn[w->n_subs++] = n;
        return 0;
    }
    }
}

int ioc_add_warninglist(ioc_load *ld, const sk_json_value *root)
{
    sk_ioc_set *s = ld->s;
    size_t nl;
    const char *name = ioc_json_str(root, "name", &nl);
    size_t tn = 6;
    const char *type = ioc_json_str(root, "type", &tn);
    if (!type) type = "string", tn = 6;
    const sk_json_value *list = sk_json_object_get(root, "list");
    size_t line = sk_json_line(root);
    int t;
    if (tn == 6 && !memcmp(type, "string", 6)) t = WL_STRING;
    else if (tn == 4 && !memcmp(type, "cidr", 4)) t = WL_CIDR;
    else if (tn == 8 && !memcmp(type, "hostname", 8)) t = WL_HOSTNAME;
    else if (tn == 9 && !memcmp(type, "substring", 9)) t = WL_SUBSTRING;
    else {
        ioc_say(ld, line, "warninglist '%.*s' of type '%.*s' is not applied (only string, cidr, hostname, substring)", (int)(nl > 100 ? 100 : nl), name,
                (int)(tn > 20 ? 20 : tn), type);
        s->st.unsupported++;
        return 0;
    }
    ioc_wl *w = calloc(1, sizeof *w);
    size_t n = sk_json_length(list);
    ioc_wl **nw = w ? realloc(s->wl, (s->n_wl + 1) * sizeof *nw) : NULL;
    if (nw) s->wl = nw;
    if (!w || !nw || sk_map_new(&w->m, 0) || !(w->name = ioc_strdup(ld, name, nl)) ||
        (t == WL_SUBSTRING && (!(w->subs = calloc(n + 1, sizeof *w->subs)) || !(w->subn = calloc(n + 1, sizeof *w->subn))))) {
        ioc_warn_free(w);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    w->type = t;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const sk_json_value *e = sk_json_array_at(list, i);
        size_t en;
        const char *es = sk_json_type_of(e) == SK_JSON_STRING ? sk_json_string(e, &en) : NULL;
        int rc = es ? add_entry(ld, w, es, en) : 1;
        if (rc < 0) {
            ioc_warn_free(w);
            return sk_error_set(SK_ENOMEM, "out of memory");
        }
        bad += rc > 0;
    }
    if (bad) ioc_say(ld, line, "warninglist '%s': %zu entries that are no %.*s ignored", w->name, bad, (int)tn, type);
    s->wl[s->n_wl++] = w;
    s->st.warninglists++;
    /* the indicators already loaded */
    size_t hit = 0;
    for (size_t i = 0; i < s->n; i++) {
        sk_ioc *c = &s->v[i];
        if (c->target != i || c->warninglist || !on_list(w, c)) continue;
        for (size_t j = i; j != SIZE_MAX; j = s->next[j]) {
            s->v[j].warninglist = w->name;
            s->st.filtered++;
            hit++;
            if (ld->diag) {
                char msg[600];
                snprintf(msg, sizeof msg, "%s:%llu: %s%s'%.*s' is on the warninglist '%s': not matched", s->v[j].source, (unsigned long long)s->v[j].line,
                         s->v[j].id ? s->v[j].id : "", s->v[j].id ? ": " : "", (int)(strlen(s->v[j].text) > 80 ? 80 : strlen(s->v[j].text)), s->v[j].text, w->name);
                ld->diag(ld->ctx, msg);
            }
        }
    }
    ioc_say(ld, line, "warninglist '%s' (%.*s, %zu entr%s): %zu indicator%s loaded before it filtered out", w->name, (int)tn, type, n - bad,
            n - bad == 1 ? "y" : "ies", hit, hit == 1 ? "" : "s");
    return 0;
}
