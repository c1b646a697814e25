/*
 * ioc_misp.c - indicator sets from MISP JSON exports: an event ({"Event": {...}}), a
 * list of them, or a REST answer ({"response": [...]} of events, or {"response":
 * {"Attribute": [...]}}). Every attribute of an event and of its objects whose type is
 * a network or file indicator is loaded: ip-src, ip-dst (an address or a network),
 * ip-src|port and ip-dst|port (the address; the port is not matched), domain, hostname,
 * domain|ip (both), url, uri (when it is a whole URL), md5, sha1, sha256,
 * filename|md5/sha1/sha256 (the digest; the file name becomes the comment when there
 * is none), user-agent, ja3-fingerprint-md5. An attribute with to_ids false is not
 * loaded (MISP's "not for detection"), nor a deleted one; both are counted, as are the
 * attributes of other types, and each source ends with one summary line. first_seen /
 * last_seen (the attribute's, else its object's) are the validity window, last_seen
 * inclusive; the comment is the attribute's, else the event's info; the id its uuid.
 */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "ioc_int.h"

#define MISP_TYPES_SAID 16     /* distinct other types named in the summary */

typedef struct tally {
    size_t events, loaded, not_ids, deleted, other;
    struct { char name[40]; size_t n; } types[MISP_TYPES_SAID];
    size_t n_types;
} tally;

typedef struct ev_ctx {
    const char *info, *feed;    /* in the arena, or NULL */
} ev_ctx;

static int has_key(const sk_json_value *o, const char *k)
{
    return sk_json_type_of(o) == SK_JSON_OBJECT && sk_json_object_get(o, k) != NULL;
}

int ioc_misp_is(const sk_json_value *root)
{
    if (sk_json_type_of(root) == SK_JSON_OBJECT) {
        const sk_json_value *r = sk_json_object_get(root, "response");
        if (has_key(root, "Event")) return 1;
        if (!r) return 0;
        if (sk_json_type_of(r) == SK_JSON_ARRAY) return !sk_json_length(r) || has_key(sk_json_array_at(r, 0), "Event");
        return has_key(r, "Attribute") || has_key(r, "Event");
    }
    return sk_json_type_of(root) == SK_JSON_ARRAY && sk_json_length(root) && has_key(sk_json_array_at(root, 0), "Event");
}

static int eq(const char *s, size_t n, const char *w)
{
    return n == strlen(w) && !memcmp(s, w, n);
}

static void other_type(tally *t, const char *type, size_t n)
{
    t->other++;
    for (size_t i = 0; i < t->n_types; i++)
        if (strlen(t->types[i].name) == (n > 39 ? 39 : n) && !memcmp(t->types[i].name, type, n > 39 ? 39 : n)) {
            t->types[i].n++;
            return;
        }
    if (t->n_types == MISP_TYPES_SAID) return;
    snprintf(t->types[t->n_types].name, sizeof t->types[0].name, "%.*s", (int)(n > 39 ? 39 : n), type);
    t->types[t->n_types++].n = 1;
}

/* a JSON boolean as MISP writes it: true/false, "1"/"0", 1/0; `dflt` when absent */
static int flag(const sk_json_value *v, int dflt)
{
    if (!v) return dflt;
    switch (sk_json_type_of(v)) {
    case SK_JSON_TRUE: return 1;
    case SK_JSON_FALSE: return 0;
    case SK_JSON_NUMBER: return sk_json_number(v) != 0;
    case SK_JSON_STRING: {
        size_t n;
        const char *s = sk_json_string(v, &n);
        return !(eq(s, n, "0") || eq(s, n, "false") || eq(s, n, ""));
    }
    default: return dflt;
    }
}

/* one attribute; parent: its object's first_seen/last_seen, or NULL */
static int attribute(ioc_load *ld, const sk_json_value *a, const ev_ctx *ev, const sk_json_value *parent, tally *t)
{
    size_t tn, vn;
    const char *type = ioc_json_str(a, "type", &tn), *value = ioc_json_str(a, "value", &vn);
    if (!type || !value) {
        if (sk_json_type_of(a) == SK_JSON_OBJECT) {
            ioc_say(ld, sk_json_line(a), "a MISP attribute without a type or value");
            ld->s->st.refused++;
        }
        return 0;
    }
    if (flag(sk_json_object_get(a, "deleted"), 0)) {
        t->deleted++;
        return 0;
    }
    /* the kinds of indicator this set matches; the part of a composite value to take */
    int t1 = -1, t2 = -1, part = 0; /* part: 0 whole, 1 left of '|', 2 right of the last '|', 3 both */
    if (eq(type, tn, "ip-src") || eq(type, tn, "ip-dst")) t1 = SK_IOC_IP;
    else if (eq(type, tn, "ip-src|port") || eq(type, tn, "ip-dst|port")) t1 = SK_IOC_IP, part = 1;
    else if (eq(type, tn, "domain") || eq(type, tn, "hostname")) t1 = SK_IOC_DOMAIN;
    else if (eq(type, tn, "domain|ip") || eq(type, tn, "hostname|ip")) t1 = SK_IOC_DOMAIN, t2 = SK_IOC_IP, part = 3;
    else if (eq(type, tn, "url")) t1 = SK_IOC_URL;
    else if (eq(type, tn, "uri") && memmem(value, vn, "://", 3)) t1 = SK_IOC_URL;
    else if (eq(type, tn, "md5")) t1 = SK_IOC_MD5;
    else if (eq(type, tn, "sha1")) t1 = SK_IOC_SHA1;
    else if (eq(type, tn, "sha256")) t1 = SK_IOC_SHA256;
    else if (eq(type, tn, "filename|md5")) t1 = SK_IOC_MD5, part = 2;
    else if (eq(type, tn, "filename|sha1")) t1 = SK_IOC_SHA1, part = 2;
    else if (eq(type, tn, "filename|sha256")) t1 = SK_IOC_SHA256, part = 2;
    else if (eq(type, tn, "user-agent")) t1 = SK_IOC_USER_AGENT;
    else if (eq(type, tn, "ja3-fingerprint-md5")) t1 = SK_IOC_JA3;
    if (t1 < 0) {
        other_type(t, type, tn);
        return 0;
    }
    if (!flag(sk_json_object_get(a, "to_ids"), 1)) {
        t->not_ids++;
        return 0;
    }
    ioc_meta m = {.line = sk_json_line(a), .valid_from = SK_TIME_NONE, .valid_until = SK_TIME_NONE, .feed = ev->feed};
    size_t un;
    const char *uuid = ioc_json_str(a, "uuid", &un);
    if (uuid && !(m.id = ioc_strdup(ld, uuid, un > 100 ? 100 : un))) return SK_ENOMEM;
    const char *keys[2] = {"first_seen", "last_seen"};
    for (int k = 0; k < 2; k++) {
        size_t sn;
        const char *s = ioc_json_str(a, keys[k], &sn);
        if (!s && parent) s = ioc_json_str(parent, keys[k], &sn);
        if (s && ioc_time_parse(s, sn, k ? 2 : 0, k ? &m.valid_until : &m.valid_from)) {
            ioc_say(ld, m.line, "%s: %s '%.*s' is no time: not loaded", m.id ? m.id : "a MISP attribute", keys[k], (int)(sn > 60 ? 60 : sn), s);
            ld->s->st.refused++;
            return 0;
        }
    }
    size_t cn;
    const char *c = ioc_json_str(a, "comment", &cn);
    const char *bar = part ? memchr(value, '|', vn) : NULL;
    if (part == 2 && (!c || !cn) && bar) c = value, cn = (size_t)(bar - value); /* the file name */
    if (c && cn) {
        if (!(m.comment = ioc_strdup(ld, c, cn > 500 ? 500 : cn))) return SK_ENOMEM;
    } else {
        m.comment = ev->info;
    }
    m.what = m.id;
    const char *v1 = value, *v2 = NULL;
    size_t n1 = vn, n2 = 0;
    if (part) {
        const char *last = NULL;
        for (size_t i = vn; i > 0 && !last; i--)
            if (value[i - 1] == '|') last = value + i - 1;
        if (!last) {
            ioc_say(ld, m.line, "%s%s'%.*s' is no %.*s value (no '|')", m.id ? m.id : "", m.id ? ": " : "", (int)(vn > 80 ? 80 : vn), value, (int)(tn > 40 ? 40 : tn), type);
            ld->s->st.refused++;
            return 0;
        }
        if (part == 1) n1 = (size_t)(last - value);
        else if (part == 2) v1 = last + 1, n1 = vn - (size_t)(last + 1 - value);
        else n1 = (size_t)(last - value), v2 = last + 1, n2 = vn - (size_t)(last + 1 - value);
    }
    int rc = ioc_add_value(ld, t1, v1, n1, &m);
    if (rc < 0) return rc;
    t->loaded += rc == 0;
    if (v2) {
        rc = ioc_add_value(ld, t2, v2, n2, &m);
        if (rc < 0) return rc;
        t->loaded += rc == 0;
    }
    return 0;
}

static int attributes(ioc_load *ld, const sk_json_value *list, const ev_ctx *ev, const sk_json_value *parent, tally *t)
{
    if (!list || sk_json_type_of(list) != SK_JSON_ARRAY) return 0;
    for (size_t i = 0; i < sk_json_length(list); i++) {
        int rc = attribute(ld, sk_json_array_at(list, i), ev, parent, t);
        if (rc) return rc;
    }
    return 0;
}

static int event(ioc_load *ld, const sk_json_value *wrapper, tally *t)
{
    const sk_json_value *e = sk_json_object_get(wrapper, "Event");
    if (!e || sk_json_type_of(e) != SK_JSON_OBJECT) return 0;
    t->events++;
    ev_ctx ev = {0};
    size_t n;
    const char *info = ioc_json_str(e, "info", &n);
    if (info && n && !(ev.info = ioc_strdup(ld, info, n > 300 ? 300 : n))) return SK_ENOMEM;
    const sk_json_value *org = sk_json_object_get(e, "Orgc");
    const char *feed = org ? ioc_json_str(org, "name", &n) : NULL;
    if (feed && n && !(ev.feed = ioc_strdup(ld, feed, n > 100 ? 100 : n))) return SK_ENOMEM;
    int rc = attributes(ld, sk_json_object_get(e, "Attribute"), &ev, NULL, t);
    const sk_json_value *objs = sk_json_object_get(e, "Object");
    for (size_t i = 0; !rc && objs && sk_json_type_of(objs) == SK_JSON_ARRAY && i < sk_json_length(objs); i++) {
        const sk_json_value *o = sk_json_array_at(objs, i);
        rc = attributes(ld, sk_json_object_get(o, "Attribute"), &ev, o, t);
    }
    return rc;
}

int ioc_add_misp(ioc_load *ld, const sk_json_value *root)
{
    tally t = {0};
    int rc = 0;
    const sk_json_value *list = root;
    if (sk_json_type_of(root) == SK_JSON_OBJECT) {
        const sk_json_value *r = sk_json_object_get(root, "response");
        if (!r) {
            rc = event(ld, root, &t);
            list = NULL;
        } else if (sk_json_type_of(r) == SK_JSON_OBJECT) {
            ev_ctx none = {0};
            if (has_key(r, "Event")) rc = event(ld, r, &t);
            else rc = attributes(ld, sk_json_object_get(r, "Attribute"), &none, NULL, &t);
            list = NULL;
        } else {
            list = r;
        }
    }
    for (size_t i = 0; !rc && list && i < sk_json_length(list); i++) rc = event(ld, sk_json_array_at(list, i), &t);
    if (rc) return rc;
    ld->s->st.not_to_ids += t.not_ids;
    ld->s->st.unsupported += t.other;
    char others[400] = "";
    size_t o = 0;
    for (size_t i = 0; i < t.n_types && o < sizeof others; i++) {
        int k = snprintf(others + o, sizeof others - o, "%s%s %zu", i ? ", " : "", t.types[i].name, t.types[i].n);
        if (k < 0) break;
        o += (size_t)k;
    }
    if (o >= sizeof others) o = sizeof others - 1;
    ioc_say(ld, 0, "MISP: %zu event%s, %zu indicator%s loaded; %zu attribute%s with to_ids false not loaded; %zu deleted; %zu of types not matched%s%s%s",
            t.events, t.events == 1 ? "" : "s", t.loaded, t.loaded == 1 ? "" : "s", t.not_ids, t.not_ids == 1 ? "" : "s", t.deleted, t.other,
            t.other ? " (" : "", others, t.other ? (t.n_types == MISP_TYPES_SAID ? ", ...)" : ")") : "");
    return 0;
}
