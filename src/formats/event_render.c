/*
 * event_render.c - an EVTX record's element tree as the event model (JSON) or as XML
 * (sakimori/event.h, docs/formats/event.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/event.h>
#include <sakimori/json.h>
#include <sakimori/utf.h>

/* ---- small helpers over the tree ---- */

static const char *attr(const sk_xnode *n, const char *name, size_t *len)
{
    const sk_xattr *a = sk_xnode_attr(n, name);
    if (!a) return NULL;
    if (len) *len = a->len;
    return a->value;
}

static const sk_xnode *child(const sk_xnode *n, const char *name)
{
    return sk_xnode_child(n, name);
}

/* A decimal number (as Windows renders integers); 0 when s is not one. */
static int parse_uint(const char *s, size_t n, uint64_t *out)
{
    if (!s || !n || n > 20) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int sk_event_record_id(const sk_xnode *ev, uint64_t *out)
{
    const sk_xnode *e = sk_xnode_child(sk_xnode_child(ev, "System"), "EventRecordID");
    return e && e->vkind == SK_XV_TEXT && parse_uint(e->text, e->len, out);
}

static void kv_uint_text(sk_jw *w, const char *key, const char *s, size_t n, uint64_t max)
{
    uint64_t v;
    if (parse_uint(s, n, &v) && v <= max) sk_jw_kv_u64(w, key, v);
}

static void kv_attr_string(sk_jw *w, const char *key, const sk_xnode *e, const char *name)
{
    size_t n;
    const char *v = attr(e, name, &n);
    if (v) {
        sk_jw_key(w, key);
        sk_jw_stringn(w, v, n);
    }
}

int sk_event_time_valid(const char *s, size_t n)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    if (n < 20 || s[n - 1] != 'Z') return 0;
    for (size_t i = 0; i < 19; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i]) return 0;
    if (n == 20) return 1;
    if (s[19] != '.' || n - 21 < 1 || n - 21 > 9) return 0;
    for (size_t i = 20; i < n - 1; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* ---- EventData ---- */

typedef struct keyset {
    const char *k[256];
    size_t n[256];
    size_t count;
} keyset;

/* 1 when key was not seen yet (then it is now); past 256 keys every key is new. */
static int fresh(keyset *s, const char *k, size_t n)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->n[i] == n && !memcmp(s->k[i], k, n)) return 0;
    if (s->count < 256) {
        s->k[s->count] = k;
        s->n[s->count++] = n;
    }
    return 1;
}

static void value(sk_jw *w, const sk_xnode *e)
{
    switch (e->vkind) {
    case SK_XV_TEXT: sk_jw_stringn(w, e->text, e->len); break;
    case SK_XV_NULL: sk_jw_null(w); break;
    case SK_XV_ARRAY:
        sk_jw_array_begin(w);
        for (size_t i = 0; i < e->n_items; i++) sk_jw_stringn(w, e->items[i], e->item_lens[i]);
        sk_jw_array_end(w);
        break;
    default: sk_jw_stringn(w, "", 0); break;
    }
}

static int classic_powershell(const sk_xnode *sys)
{
    const sk_xnode *ch = child(sys, "Channel"), *id = child(sys, "EventID");
    if (!ch || ch->vkind != SK_XV_TEXT || strcmp(ch->text, "Windows PowerShell") || !id || id->vkind != SK_XV_TEXT) return 0;
    uint64_t v;
    if (!parse_uint(id->text, id->len, &v)) return 0;
    return v == 400 || v == 403 || v == 500 || v == 501 || v == 600 || v == 800;
}

/* The Key=Value lines of a classic PowerShell event's unnamed <Data>, as fields. */
static void powershell_lines(sk_jw *w, keyset *seen, const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && t[e] != '\r' && t[e] != '\n') e++;
        size_t s = i;
        while (s < e && (t[s] == '\t' || t[s] == ' ')) s++;
        size_t eq = s;
        while (eq < e && t[eq] != '=') eq++;
        int ident = eq > s && eq < e;
        for (size_t k = s; k < eq && ident; k++)
            ident = (t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z') || (t[k] >= '0' && t[k] <= '9') || t[k] == '_';
        if (ident && fresh(seen, t + s, eq - s)) {
            sk_jw_keyn(w, t + s, eq - s);
            sk_jw_stringn(w, t + eq + 1, e - eq - 1);
        }
        i = e;
        while (i < n && (t[i] == '\r' || t[i] == '\n')) i++;
    }
}

static void event_data(sk_jw *w, const sk_xnode *ed, const sk_xnode *sys)
{
    keyset seen;
    seen.count = 0;
    sk_jw_key(w, "EventData");
    sk_jw_object_begin(w);
    int unnamed = 0;
    for (const sk_xnode *d = ed->child; d; d = d->next) {
        size_t nl;
        const char *name = !strcmp(d->name, "Data") ? attr(d, "Name", &nl) : NULL;
        if (!strcmp(d->name, "Data") && !name) {
            unnamed++;
            continue;
        }
        if (!name) name = d->name, nl = strlen(d->name);
        if (!strcmp(d->name, "Data") && nl == 4 && !memcmp(name, "Data", 4)) {
            unnamed++; /* a field named "Data" joins the unnamed ones */
            continue;
        }
        if (!fresh(&seen, name, nl)) continue;
        sk_jw_keyn(w, name, nl);
        value(w, d);
    }
    if (unnamed) {
        fresh(&seen, "Data", 4);
        sk_jw_key(w, "Data");
        sk_jw_array_begin(w);
        for (const sk_xnode *d = ed->child; d; d = d->next) {
            size_t nl;
            const char *name = attr(d, "Name", &nl);
            if (strcmp(d->name, "Data") || (name && !(nl == 4 && !memcmp(name, "Data", 4)))) continue;
            if (d->vkind == SK_XV_ARRAY) {
                for (size_t i = 0; i < d->n_items; i++) sk_jw_stringn(w, d->items[i], d->item_lens[i]);
            } else if (d->vkind == SK_XV_NULL) {
                sk_jw_null(w);
            } else {
                sk_jw_stringn(w, d->vkind == SK_XV_TEXT ? d->text : "", d->vkind == SK_XV_TEXT ? d->len : 0);
            }
        }
        sk_jw_array_end(w);
        if (classic_powershell(sys))
            for (const sk_xnode *d = ed->child; d; d = d->next)
                if (!strcmp(d->name, "Data") && !sk_xnode_attr(d, "Name") && d->vkind == SK_XV_TEXT && memchr(d->text, '=', d->len))
                    powershell_lines(w, &seen, d->text, d->len);
    }
    sk_jw_object_end(w);
}

/* ---- UserData: elements as a tree ---- */

static void tree(sk_jw *w, const sk_xnode *e, int depth)
{
    if (!e->child && !e->attrs) {
        value(w, e);
        return;
    }
    sk_jw_object_begin(w);
    for (const sk_xattr *a = e->attrs; a; a = a->next) {
        char k[300];
        snprintf(k, sizeof k, "@%s", a->name);
        sk_jw_key(w, k);
        sk_jw_stringn(w, a->value, a->len);
    }
    if (e->vkind == SK_XV_TEXT && e->len) {
        sk_jw_key(w, "#text");
        sk_jw_stringn(w, e->text, e->len);
    }
    size_t kids = 0;
    for (const sk_xnode *c = e->child; c && kids <= 256; c = c->next) kids++;
    for (const sk_xnode *c = e->child; c; c = c->next) {
        if (kids > 256) { /* too many to group by name: each on its own */
            sk_jw_key(w, c->name);
            if (depth < 32) tree(w, c, depth + 1);
            else sk_jw_null(w);
            continue;
        }
        int earlier = 0, count = 0;
        for (const sk_xnode *o = e->child; o; o = o->next) {
            if (strcmp(o->name, c->name)) continue;
            if (o == c) {
                if (count) earlier = 1;
            }
            count++;
        }
        if (earlier) continue; /* written with the first of its name */
        sk_jw_key(w, c->name);
        if (count == 1) {
            if (depth < 32) tree(w, c, depth + 1);
            else sk_jw_null(w);
            continue;
        }
        sk_jw_array_begin(w);
        for (const sk_xnode *o = c; o; o = o->next)
            if (!strcmp(o->name, c->name)) {
                if (depth < 32) tree(w, o, depth + 1);
                else sk_jw_null(w);
            }
        sk_jw_array_end(w);
    }
    sk_jw_object_end(w);
}

/* ---- the event ---- */

/* System's children, found in one pass (the first of each name, as sk_xnode_child). */
typedef struct sysf {
    const sk_xnode *prov, *id, *ver, *lvl, *task, *op, *kw, *tc, *rid, *corr, *exec, *chan, *comp, *sec;
} sysf;

static void sys_fields(const sk_xnode *sys, sysf *f)
{
    memset(f, 0, sizeof *f);
    static const struct {
        const char *name;
        size_t off;
    } map[] = {{"Provider", offsetof(sysf, prov)},      {"EventID", offsetof(sysf, id)},        {"Version", offsetof(sysf, ver)},
               {"Level", offsetof(sysf, lvl)},          {"Task", offsetof(sysf, task)},         {"Opcode", offsetof(sysf, op)},
               {"Keywords", offsetof(sysf, kw)},        {"TimeCreated", offsetof(sysf, tc)},    {"EventRecordID", offsetof(sysf, rid)},
               {"Correlation", offsetof(sysf, corr)},   {"Execution", offsetof(sysf, exec)},    {"Channel", offsetof(sysf, chan)},
               {"Computer", offsetof(sysf, comp)},      {"Security", offsetof(sysf, sec)}};
    size_t next = 0; /* Windows writes them in this order: try the expected one first */
    for (const sk_xnode *c = sys ? sys->child : NULL; c; c = c->next) {
        size_t k = next < sizeof map / sizeof map[0] && !strcmp(c->name, map[next].name) ? next : SIZE_MAX;
        for (size_t i = 0; k == SIZE_MAX && i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(c->name, map[i].name)) k = i;
        if (k == SIZE_MAX) continue;
        const sk_xnode **slot = (const sk_xnode **)((char *)f + map[k].off);
        if (!*slot) *slot = c;
        next = k + 1;
    }
}

static void kv_elem_uint(sk_jw *w, const char *key, const sk_xnode *e, uint64_t max)
{
    if (e && e->vkind == SK_XV_TEXT) kv_uint_text(w, key, e->text, e->len, max);
}

int sk_event_write_json(sk_buf *out, const sk_xnode *ev, const sk_event_src *src)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    const sk_xnode *sys = NULL, *ed = NULL, *ud = NULL;
    for (const sk_xnode *c = ev->child; c; c = c->next) {
        if (!sys && !strcmp(c->name, "System")) sys = c;
        else if (!ed && !strcmp(c->name, "EventData")) ed = c;
        else if (!ud && !strcmp(c->name, "UserData")) ud = c;
    }
    sysf f;
    sys_fields(sys, &f);
    sk_jw_object_begin(&w);
    /* time: TimeCreated/@SystemTime (Windows' 7 fraction digits, as written), else the
     * record's written time, else a stand-in; time_quality says which */
    size_t tl;
    const char *t = attr(f.tc, "SystemTime", &tl);
    uint32_t tq = src->time_quality;
    sk_jw_key(&w, "time");
    if (t && sk_event_time_valid(t, tl)) {
        sk_jw_stringn(&w, t, tl);
    } else {
        tq = t || (tq & SK_TQ_UNPARSED) ? SK_TQ_UNPARSED : SK_TQ_MISSING;
        char b[SK_TIME_ISO_MAX];
        size_t n = src->fallback_time != SK_TIME_NONE ? sk_time_format(b, src->fallback_time, 7) : 0;
        if (n) tq |= SK_TQ_RECORD_WRITTEN;
        sk_jw_stringn(&w, n ? b : SK_EVENT_TIME_NONE, n ? n : strlen(SK_EVENT_TIME_NONE));
    }
    sk_jw_kv_time_quality(&w, "time_quality", tq);
    if (tq & (SK_TQ_OFFSET | SK_TQ_ZONE)) sk_jw_kv_i64(&w, "time_offset_s", src->time_offset_s);
    sk_jw_key(&w, "System");
    sk_jw_object_begin(&w);
    kv_attr_string(&w, "Provider_Name", f.prov, "Name");
    kv_attr_string(&w, "Provider_Guid", f.prov, "Guid");
    kv_attr_string(&w, "EventSourceName", f.prov, "EventSourceName");
    kv_elem_uint(&w, "EventID", f.id, 65535);
    size_t ql;
    const char *q = attr(f.id, "Qualifiers", &ql);
    if (q) kv_uint_text(&w, "Qualifiers", q, ql, 65535);
    kv_elem_uint(&w, "Version", f.ver, 255);
    kv_elem_uint(&w, "Level", f.lvl, 255);
    kv_elem_uint(&w, "Task", f.task, 65535);
    kv_elem_uint(&w, "Opcode", f.op, 255);
    if (f.kw && f.kw->vkind == SK_XV_TEXT && f.kw->len > 2) {
        sk_jw_key(&w, "Keywords");
        sk_jw_stringn(&w, f.kw->text, f.kw->len);
    }
    kv_elem_uint(&w, "EventRecordID", f.rid, UINT64_MAX);
    kv_attr_string(&w, "ActivityID", f.corr, "ActivityID");
    kv_attr_string(&w, "RelatedActivityID", f.corr, "RelatedActivityID");
    size_t pl;
    const char *pv = attr(f.exec, "ProcessID", &pl);
    if (pv) kv_uint_text(&w, "ProcessID", pv, pl, UINT64_MAX);
    pv = attr(f.exec, "ThreadID", &pl);
    if (pv) kv_uint_text(&w, "ThreadID", pv, pl, UINT64_MAX);
    const sk_xnode *e = f.chan;
    sk_jw_key(&w, "Channel");
    sk_jw_stringn(&w, e && e->vkind == SK_XV_TEXT ? e->text : "", e && e->vkind == SK_XV_TEXT ? e->len : 0);
    e = f.comp;
    sk_jw_key(&w, "Computer");
    sk_jw_stringn(&w, e && e->vkind == SK_XV_TEXT ? e->text : "", e && e->vkind == SK_XV_TEXT ? e->len : 0);
    kv_attr_string(&w, "UserID", f.sec, "UserID");
    sk_jw_object_end(&w);
    if (ed) event_data(&w, ed, sys);
    if (ud) {
        sk_jw_key(&w, "UserData");
        sk_jw_object_begin(&w);
        for (const sk_xnode *c = ud->child; c; c = c->next) {
            sk_jw_key(&w, c->name);
            tree(&w, c, 0);
        }
        sk_jw_object_end(&w);
    }
    sk_jw_key(&w, "src");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "sha256", src->sha256);
    if (src->has_record_id) sk_jw_kv_u64(&w, "record_id", src->record_id);
    if (src->has_offset) sk_jw_kv_u64(&w, "offset", src->offset);
    if (src->has_line) sk_jw_kv_u64(&w, "line", src->line);
    sk_jw_object_end(&w);
    sk_jw_kv_string(&w, "format", src->format);
    if (src->recovered) sk_jw_kv_bool(&w, "recovered", 1);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(out, '\n')) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}

/* ---- XML ---- */

/* Text as XML 1.0 can carry it: markup escaped; tab (in attributes), line feed and
 * carriage return as character references (one event per line); the other C0 control
 * characters, which XML 1.0 cannot hold even as references, and bytes that are not
 * UTF-8 (unpaired surrogates) as U+FFFD. The C1 controls (U+0080-U+009F: NEL is a line
 * break, CSI starts a terminal sequence) and U+2028/U+2029 (line and paragraph
 * separators) are legal XML 1.0 characters: they are written as character references
 * (&#x85;, &#x2028;), lossless and harmless. The JSON output keeps them all. */
static void xml_escape(sk_buf *b, const char *s, size_t n, int attr_value)
{
    size_t run = 0;
    char ref[12];
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t len = 1;
        if (c == '&') rep = "&amp;";
        else if (c == '<') rep = "&lt;";
        else if (c == '>') rep = "&gt;";
        else if (c == '"' && attr_value) rep = "&quot;";
        else if (c == '\n') rep = "&#xA;";
        else if (c == '\r') rep = "&#xD;";
        else if (c == '\t') rep = attr_value ? "&#x9;" : NULL;
        else if (c < 0x20 || c == 0x7f) rep = "\xef\xbf\xbd";
        else if (c >= 0x80) {
            uint32_t cp;
            size_t k = sk_utf8_decode((const uint8_t *)s + i, n - i, &cp, 0);
            if (k) len = k;
            else rep = "\xef\xbf\xbd";
            if (k && ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)) {
                snprintf(ref, sizeof ref, "&#x%X;", (unsigned)cp);
                rep = ref;
            }
        }
        if (!rep) {
            i += len;
            continue;
        }
        sk_buf_append(b, s + run, i - run);
        sk_buf_puts(b, rep);
        i += len;
        run = i;
    }
    sk_buf_append(b, s + run, n - run);
}

/* An element or attribute name from the file: XML has no escape for names, so anything
 * that is not a name character becomes '_' (an attacker's name cannot break the XML). */
static void xml_name(sk_buf *b, const char *n)
{
    size_t len = strlen(n);
    if (!len) {
        sk_buf_putc(b, '_');
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)n[i];
        int ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                 (i > 0 && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
        sk_buf_putc(b, ok ? (char)c : '_');
    }
}

static void xml_elem(sk_buf *b, const sk_xnode *e, int depth)
{
    sk_buf_putc(b, '<');
    xml_name(b, e->name);
    for (const sk_xattr *a = e->attrs; a; a = a->next) {
        sk_buf_putc(b, ' ');
        xml_name(b, a->name);
        sk_buf_puts(b, "=\"");
        xml_escape(b, a->value, a->len, 1);
        sk_buf_putc(b, '"');
    }
    int text = e->vkind == SK_XV_TEXT ? e->len > 0 : e->vkind == SK_XV_ARRAY ? e->n_items > 0 : 0;
    if (!text && !e->child) {
        sk_buf_puts(b, "/>");
        return;
    }
    sk_buf_putc(b, '>');
    if (e->vkind == SK_XV_TEXT) xml_escape(b, e->text, e->len, 0);
    else if (e->vkind == SK_XV_ARRAY)
        for (size_t i = 0; i < e->n_items; i++) {
            if (i) sk_buf_putc(b, ',');
            xml_escape(b, e->items[i], e->item_lens[i], 0);
        }
    for (const sk_xnode *c = e->child; c; c = c->next) {
        if (depth < 64) xml_elem(b, c, depth + 1);
    }
    sk_buf_puts(b, "</");
    xml_name(b, e->name);
    sk_buf_putc(b, '>');
}

int sk_event_write_xml(sk_buf *out, const sk_xnode *ev)
{
    size_t mark = out->len;
    xml_elem(out, ev, 0);
    if (sk_buf_putc(out, '\n')) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}
