/*
 * event_json.c - Windows events shipped as JSON lines, into the event model
 * (sakimori/event.h, docs/formats/event.md "JSON log shippers").
 *
 * Winlogbeat/ECS-nested records (winlog.*) and NXLog-style flat records (OTRF
 * Security-Datasets) are rebuilt as the element tree an EVTX record gives
 * (Event/System/EventData/UserData), so the one renderer writes every event the same
 * way; sakimori's own dump lines are already events and pass through unchanged.
 *
 * Nothing bad passes in silence: a record without a usable event id (absent, null, a
 * fraction, out of 0-65535, not a number) is no event and is refused with a message
 * saying what it held; a record whose time is missing or unreadable is still written,
 * with a stand-in time and a time_quality ("missing", "unparsed") that says so, and a
 * warning for the caller to report; the time quality of local and offset times
 * (NXLog's EventTime, "+09:00") travels with the event (docs/formats/time.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/arena.h>
#include <sakimori/event.h>
#include <sakimori/json.h>

/* ---- building an element tree ---- */

typedef struct bld {
    sk_arena *a;
    int oom;
    sk_event_json_info *info;
} bld;

static sk_xnode *xn(bld *b, sk_xnode *parent, const char *name)
{
    sk_xnode *x = sk_arena_calloc(b->a, 1, sizeof *x);
    char *n = x ? sk_arena_strndup(b->a, name, strlen(name)) : NULL;
    if (!n) {
        b->oom = 1;
        return NULL;
    }
    x->name = n;
    if (parent) {
        if (parent->child_tail) parent->child_tail->next = x;
        else parent->child = x;
        parent->child_tail = x;
    }
    return x;
}

static void xtext(bld *b, sk_xnode *x, const char *s, size_t n)
{
    if (!x) return;
    char *t = sk_arena_strndup(b->a, s, n);
    if (!t) {
        b->oom = 1;
        return;
    }
    x->vkind = SK_XV_TEXT;
    x->text = t;
    x->len = n;
}

static void xattr(bld *b, sk_xnode *x, const char *name, const char *s, size_t n)
{
    if (!x || !s) return;
    sk_xattr *at = sk_arena_calloc(b->a, 1, sizeof *at);
    char *v = at ? sk_arena_strndup(b->a, s, n) : NULL;
    char *k = v ? sk_arena_strndup(b->a, name, strlen(name)) : NULL;
    if (!k) {
        b->oom = 1;
        return;
    }
    at->name = k;
    at->value = v;
    at->len = n;
    if (x->attrs_tail) x->attrs_tail->next = at;
    else x->attrs = at;
    x->attrs_tail = at;
}

/* A scalar as text: strings as they are, numbers as written, booleans as true/false.
 * Returns NULL for null, arrays and objects. */
static const char *scalar(const sk_json_value *v, size_t *n)
{
    switch (sk_json_type_of(v)) {
    case SK_JSON_STRING: return sk_json_string(v, n);
    case SK_JSON_NUMBER: return sk_json_number_text(v, n);
    case SK_JSON_TRUE: *n = 4; return "true";
    case SK_JSON_FALSE: *n = 5; return "false";
    default: return NULL;
    }
}

/* The value of an EventData field: text, an array of texts, null; objects as JSON text. */
static void field_value(bld *b, sk_xnode *x, const sk_json_value *v)
{
    size_t n;
    const char *s = scalar(v, &n);
    if (s) {
        xtext(b, x, s, n);
        return;
    }
    sk_json_type t = sk_json_type_of(v);
    if (t == SK_JSON_NULL) {
        x->vkind = SK_XV_NULL;
        return;
    }
    if (t == SK_JSON_ARRAY) {
        size_t m = sk_json_length(v);
        const char **items = sk_arena_calloc(b->a, m ? m : 1, sizeof *items);
        size_t *lens = sk_arena_calloc(b->a, m ? m : 1, sizeof *lens);
        if (!items || !lens) {
            b->oom = 1;
            return;
        }
        size_t k = 0;
        for (size_t i = 0; i < m; i++) {
            const char *it = scalar(sk_json_array_at(v, i), &n);
            if (!it) continue;
            items[k] = it;
            lens[k++] = n;
        }
        x->vkind = SK_XV_ARRAY;
        x->items = items;
        x->item_lens = lens;
        x->n_items = k;
        return;
    }
    sk_buf j; /* an object: kept as compact JSON text */
    sk_buf_init(&j, (size_t)16 << 20);
    sk_jw w;
    sk_jw_init(&w, &j);
    if (!sk_jw_value(&w, v) && j.data) xtext(b, x, j.data, j.len);
    sk_buf_free(&j);
}

/* An object as elements (UserData): members become children, arrays repeat them. */
static void tree_from(bld *b, sk_xnode *x, const sk_json_value *v, int depth)
{
    if (depth > 32 || sk_json_type_of(v) != SK_JSON_OBJECT) {
        field_value(b, x, v);
        return;
    }
    for (size_t i = 0; i < sk_json_length(v); i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(v, i, &kl);
        const sk_json_value *m = sk_json_object_value_at(v, i);
        if (!strcmp(k, "xml_name")) continue;
        if (k[0] == '@') {
            size_t n;
            const char *s = scalar(m, &n);
            if (s) xattr(b, x, k + 1, s, n);
            continue;
        }
        if (sk_json_type_of(m) == SK_JSON_ARRAY && sk_json_length(m) && sk_json_type_of(sk_json_array_at(m, 0)) == SK_JSON_OBJECT) {
            for (size_t j = 0; j < sk_json_length(m); j++) tree_from(b, xn(b, x, k), sk_json_array_at(m, j), depth + 1);
            continue;
        }
        sk_xnode *c = xn(b, x, k);
        if (c) tree_from(b, c, m, depth + 1);
    }
}

/* A path of member names ("winlog.process.pid"). */
static const sk_json_value *at(const sk_json_value *v, const char *path)
{
    char key[64];
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = sk_json_object_get(v, key);
        path += n + (dot ? 1 : 0);
    }
    return v;
}

/* A System element with the text of a JSON scalar, if there is one. */
static sk_xnode *sys_elem(bld *b, sk_xnode *sys, const char *name, const sk_json_value *v)
{
    size_t n;
    const char *s = v ? scalar(v, &n) : NULL;
    if (!s) return NULL;
    sk_xnode *x = xn(b, sys, name);
    xtext(b, x, s, n);
    return x;
}

/* An integer-valued System field: only when the JSON holds a number (Winlogbeat gives
 * the names of levels, tasks and opcodes as text: they are not the numbers). */
static void sys_int(bld *b, sk_xnode *sys, const char *name, const sk_json_value *v)
{
    int64_t i;
    if (v && sk_json_type_of(v) == SK_JSON_NUMBER && !sk_json_int64(v, &i) && i >= 0) sys_elem(b, sys, name, v);
    else if (v && sk_json_type_of(v) == SK_JSON_STRING) {
        size_t n;
        const char *s = sk_json_string(v, &n);
        int digits = n > 0 && n < 20;
        for (size_t k = 0; k < n && digits; k++) digits = s[k] >= '0' && s[k] <= '9';
        if (digits) sys_elem(b, sys, name, v);
    }
}

/* Keywords as Windows writes them: 0x and hex; NXLog gives a signed 64-bit number. */
static void sys_keywords(bld *b, sk_xnode *sys, const sk_json_value *v)
{
    if (!v) return;
    char t[24];
    int64_t i;
    if (sk_json_type_of(v) == SK_JSON_NUMBER && !sk_json_int64(v, &i)) {
        int m = snprintf(t, sizeof t, "0x%llx", (unsigned long long)(uint64_t)i);
        xtext(b, xn(b, sys, "Keywords"), t, (size_t)m);
    } else if (sk_json_type_of(v) == SK_JSON_STRING) {
        size_t n;
        const char *s = sk_json_string(v, &n);
        if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) xtext(b, xn(b, sys, "Keywords"), s, n);
    }
}

/* A JSON value quoted for a message: its compact JSON text, cut at 60 bytes. */
static void quote_value(char *dst, size_t cap, const sk_json_value *v)
{
    sk_buf j;
    sk_buf_init(&j, 4096);
    sk_jw w;
    sk_jw_init(&w, &j);
    sk_jw_value(&w, v);
    if (j.len > 60) snprintf(dst, cap, "%.*s...", 60, j.data);
    else snprintf(dst, cap, "%s", j.data ? j.data : "?");
    sk_buf_free(&j);
}

/* TimeCreated from a time text (ISO 8601 with a zone, or local time in `local`); the
 * time's quality, or missing/unparsed with a warning naming the member(s) `names`. */
static void sys_time(bld *b, sk_xnode *sys, const char *name, const sk_json_value *v, const sk_tz *local, const char *names)
{
    size_t n;
    const char *s = v && sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &n) : NULL;
    sk_stamp st;
    if (!v) {
        b->info->time_quality = SK_TQ_MISSING;
        snprintf(b->info->warning, sizeof b->info->warning, "no time (%s): written with time_quality missing", names);
        return;
    }
    if (!s || sk_time_parse_iso8601(s, n, local, &st)) {
        char q[80];
        quote_value(q, sizeof q, v);
        b->info->time_quality = SK_TQ_UNPARSED;
        snprintf(b->info->warning, sizeof b->info->warning, "%s %s is not a time: written with time_quality unparsed", name, q);
        return;
    }
    b->info->time_quality = st.quality;
    b->info->time_offset_s = st.offset_s;
    char t[SK_TIME_ISO_MAX];
    size_t m = sk_time_format(t, st.utc, 7);
    xattr(b, xn(b, sys, "TimeCreated"), "SystemTime", t, m);
}

/* The event id: an integer 0-65535 (a number, or a string of digits as Winlogbeat
 * writes it). 0, or SK_EFORMAT with a message quoting what the record holds. */
static int event_id(bld *b, sk_xnode *sys, const char *name, const sk_json_value *v)
{
    if (!v) return sk_error_set(SK_EFORMAT, "no event id (%s)", name);
    int64_t i = -1;
    if (sk_json_type_of(v) == SK_JSON_NUMBER) {
        if (sk_json_int64(v, &i)) i = -1;
    } else if (sk_json_type_of(v) == SK_JSON_STRING) {
        size_t n;
        const char *s = sk_json_string(v, &n);
        if (n > 0 && n <= 5) {
            i = 0;
            for (size_t k = 0; k < n && i >= 0; k++) i = s[k] >= '0' && s[k] <= '9' ? i * 10 + (s[k] - '0') : -1;
        }
    }
    if (i < 0 || i > 65535) {
        char q[80];
        quote_value(q, sizeof q, v);
        b->info->no_event_id = 1;
        return sk_error_set(SK_EFORMAT, "%s %s is not an event id (an integer 0-65535): line skipped", name, q);
    }
    char t[8];
    int m = snprintf(t, sizeof t, "%d", (int)i);
    xtext(b, xn(b, sys, "EventID"), t, (size_t)m);
    return 0;
}

static int winlogbeat(bld *b, sk_xnode *ev, const sk_json_value *r)
{
    const sk_json_value *w = sk_json_object_get(r, "winlog");
    sk_xnode *sys = xn(b, ev, "System");
    sk_xnode *p = xn(b, sys, "Provider");
    size_t n;
    const char *s;
    if ((s = scalar(at(w, "provider_name"), &n)) || (s = scalar(at(r, "event.provider"), &n))) xattr(b, p, "Name", s, n);
    if ((s = scalar(at(w, "provider_guid"), &n))) xattr(b, p, "Guid", s, n);
    const sk_json_value *id = at(w, "event_id");
    const char *idname = "winlog.event_id";
    if (!id && (id = at(r, "event.code"))) idname = "event.code";
    if (!id) idname = "winlog.event_id, event.code";
    int rc = event_id(b, sys, idname, id);
    sys_int(b, sys, "Version", at(w, "version"));
    sys_int(b, sys, "Level", at(w, "level"));
    sys_int(b, sys, "Task", at(w, "task"));
    sys_int(b, sys, "Opcode", at(w, "opcode"));
    sys_keywords(b, sys, at(w, "keywords"));
    const sk_json_value *t = at(r, "@timestamp");
    const char *tname = "@timestamp";
    if (!t && (t = at(w, "time_created"))) tname = "winlog.time_created";
    sys_time(b, sys, tname, t, NULL, "@timestamp, winlog.time_created");
    sys_int(b, sys, "EventRecordID", at(w, "record_id"));
    sk_xnode *x = xn(b, sys, "Execution");
    if ((s = scalar(at(w, "process.pid"), &n))) xattr(b, x, "ProcessID", s, n);
    if ((s = scalar(at(w, "process.thread.id"), &n))) xattr(b, x, "ThreadID", s, n);
    sys_elem(b, sys, "Channel", at(w, "channel"));
    const sk_json_value *comp = at(w, "computer_name");
    if (!comp) comp = at(r, "host.name");
    sys_elem(b, sys, "Computer", comp);
    if ((s = scalar(at(w, "user.identifier"), &n))) xattr(b, xn(b, sys, "Security"), "UserID", s, n);
    const sk_json_value *ed = at(w, "event_data");
    if (ed && sk_json_type_of(ed) == SK_JSON_OBJECT) {
        sk_xnode *e = xn(b, ev, "EventData");
        for (size_t i = 0; i < sk_json_length(ed); i++) {
            size_t kl;
            const char *k = sk_json_object_key_at(ed, i, &kl);
            sk_xnode *d = xn(b, e, "Data");
            /* Winlogbeat names unnamed <Data> param1, param2, ...: unnamed again */
            int param = kl > 5 && !memcmp(k, "param", 5);
            for (size_t j = 5; j < kl && param; j++) param = k[j] >= '0' && k[j] <= '9';
            if (!param) xattr(b, d, "Name", k, kl);
            if (d) field_value(b, d, sk_json_object_value_at(ed, i));
        }
    }
    const sk_json_value *ud = at(w, "user_data");
    if (ud && sk_json_type_of(ud) == SK_JSON_OBJECT) {
        /* Winlogbeat keeps the inner element's name as xml_name (LogFileCleared) */
        const char *name = scalar(at(ud, "xml_name"), &n);
        char nm[128];
        snprintf(nm, sizeof nm, "%.*s", name ? (int)(n < 127 ? n : 127) : 8, name ? name : "UserData");
        sk_xnode *c = xn(b, xn(b, ev, "UserData"), nm);
        if (c) tree_from(b, c, ud, 0);
    }
    return rc;
}

/* NXLog's own metadata and the System fields: not EventData. Sorted (strcmp order)
 * for bsearch: every top-level key of every record is looked up. */
static const char *const nxlog_meta_names[] = {
    "@timestamp", "@version", "AccountName", "AccountType", "Category", "Channel", "Domain", "EventID",
    "EventReceivedTime", "EventTime", "EventType", "ExecutionProcessID", "ExecutionThreadID", "Hostname", "Keywords",
    "Message", "Opcode", "OpcodeValue", "ProviderGuid", "ProviderName", "RecordNumber", "Severity", "SeverityValue",
    "SourceModuleName", "SourceModuleType", "SourceName", "Task", "UserID", "Version", "agent", "beat", "ecs",
    "host", "input", "log_name", "port", "tags", "type"};

static int cmp_name(const void *k, const void *e)
{
    return strcmp(k, *(const char *const *)e);
}

static int nxlog_meta(const char *k)
{
    return bsearch(k, nxlog_meta_names, sizeof nxlog_meta_names / sizeof nxlog_meta_names[0], sizeof nxlog_meta_names[0],
                   cmp_name) != NULL;
}

static int nxlog(bld *b, sk_xnode *ev, const sk_json_value *r, const sk_tz *local)
{
    sk_xnode *sys = xn(b, ev, "System");
    sk_xnode *p = xn(b, sys, "Provider");
    size_t n;
    const char *s;
    if ((s = scalar(at(r, "SourceName"), &n)) || (s = scalar(at(r, "ProviderName"), &n))) xattr(b, p, "Name", s, n);
    if ((s = scalar(at(r, "ProviderGuid"), &n))) xattr(b, p, "Guid", s, n);
    int rc = event_id(b, sys, "EventID", at(r, "EventID"));
    sys_int(b, sys, "Version", at(r, "Version"));
    sys_int(b, sys, "Level", at(r, "SeverityValue"));
    sys_int(b, sys, "Task", at(r, "Task"));
    sys_int(b, sys, "Opcode", at(r, "OpcodeValue"));
    sys_keywords(b, sys, at(r, "Keywords"));
    if (at(r, "@timestamp")) sys_time(b, sys, "@timestamp", at(r, "@timestamp"), NULL, "@timestamp, EventTime");
    else sys_time(b, sys, "EventTime", at(r, "EventTime"), local, "@timestamp, EventTime");
    sys_int(b, sys, "EventRecordID", at(r, "RecordNumber"));
    sk_xnode *x = xn(b, sys, "Execution");
    if ((s = scalar(at(r, "ExecutionProcessID"), &n))) xattr(b, x, "ProcessID", s, n);
    if ((s = scalar(at(r, "ExecutionThreadID"), &n))) xattr(b, x, "ThreadID", s, n);
    sys_elem(b, sys, "Channel", at(r, "Channel"));
    sys_elem(b, sys, "Computer", at(r, "Hostname"));
    if ((s = scalar(at(r, "UserID"), &n))) xattr(b, xn(b, sys, "Security"), "UserID", s, n);
    sk_xnode *e = NULL;
    for (size_t i = 0; i < sk_json_length(r); i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(r, i, &kl);
        if (nxlog_meta(k)) continue;
        if (!e) e = xn(b, ev, "EventData");
        sk_xnode *d = xn(b, e, "Data");
        /* NXLog names unnamed <Data> Data1, Data2, ...: unnamed again */
        int unnamed = kl > 4 && !memcmp(k, "Data", 4);
        for (size_t j = 4; j < kl && unnamed; j++) unnamed = k[j] >= '0' && k[j] <= '9';
        if (!unnamed) xattr(b, d, "Name", k, kl);
        if (d) field_value(b, d, sk_json_object_value_at(r, i));
    }
    const sk_json_value *msg = at(r, "Message");
    if (!e && msg && (s = scalar(msg, &n))) { /* the message, when nothing else says what happened */
        sk_xnode *d = xn(b, xn(b, ev, "EventData"), "Data");
        xattr(b, d, "Name", "Message", 7);
        xtext(b, d, s, n);
    }
    return rc;
}

/* A claimed evidence reference: an object with a SHA-256 of 64 hex digits and one
 * locator (offset, line or record_id) that is a non-negative integer. */
static int evidence_ref_ok(const sk_json_value *v)
{
    if (!v || sk_json_type_of(v) != SK_JSON_OBJECT) return 0;
    const sk_json_value *h = sk_json_object_get(v, "sha256");
    size_t n;
    const char *s = h && sk_json_type_of(h) == SK_JSON_STRING ? sk_json_string(h, &n) : NULL;
    if (!s || n != 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    static const char *const loc[] = {"offset", "line", "record_id"};
    for (int i = 0; i < 3; i++) {
        const sk_json_value *l = sk_json_object_get(v, loc[i]);
        int64_t x;
        if (l && sk_json_type_of(l) == SK_JSON_NUMBER && !sk_json_int64(l, &x) && x >= 0) return 1;
    }
    return 0;
}

/* sakimori's own event line (an earlier dump read back): passed through once its event
 * id, time and evidence reference are checked (anything may claim to be ours), with
 * "via" naming the input and line it was read from now - its "src" is what the line
 * claims, "via" is what sakimori saw. */
static int own_event(sk_buf *out, const sk_json_value *r, const sk_json_value *sys, const sk_event_src *in,
                     sk_event_json_info *info)
{
    const sk_json_value *id = sk_json_object_get(sys, "EventID"), *t = sk_json_object_get(r, "time");
    int64_t i = -1;
    if (!id || sk_json_type_of(id) != SK_JSON_NUMBER || sk_json_int64(id, &i) || i < 0 || i > 65535) {
        char q[80];
        if (id) quote_value(q, sizeof q, id);
        info->no_event_id = 1;
        return id ? sk_error_set(SK_EFORMAT, "System.EventID %s is not an event id (an integer 0-65535): line skipped", q)
                  : sk_error_set(SK_EFORMAT, "no event id (System.EventID)");
    }
    size_t n;
    const char *s = sk_json_type_of(t) == SK_JSON_STRING ? sk_json_string(t, &n) : NULL;
    sk_stamp stamp;
    if (!s || !sk_event_time_valid(s, n) || sk_time_parse_iso8601(s, n, NULL, &stamp)) { /* shape, then calendar */
        char q[80];
        quote_value(q, sizeof q, t);
        return sk_error_set(SK_EFORMAT, "time %s is not an instant (YYYY-MM-DDTHH:MM:SS[.f]Z): line skipped", q);
    }
    if (!evidence_ref_ok(sk_json_object_get(r, "src")))
        return sk_error_set(SK_EFORMAT, "src is not an evidence reference (sha256 and offset, line or record_id): line skipped");
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    for (size_t k = 0; k < sk_json_length(r); k++) {
        size_t kl;
        const char *key = sk_json_object_key_at(r, k, &kl);
        if (kl == 3 && !memcmp(key, "via", 3)) continue; /* ours to say */
        sk_jw_keyn(&w, key, kl);
        sk_jw_value(&w, sk_json_object_value_at(r, k));
    }
    sk_jw_key(&w, "via");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "sha256", in->sha256);
    if (in->has_line) sk_jw_kv_u64(&w, "line", in->line);
    if (in->has_offset) sk_jw_kv_u64(&w, "offset", in->offset);
    sk_jw_object_end(&w);
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(out, '\n')) {
        sk_buf_truncate(out, mark);
        return sk_error_set(SK_ELIMIT, "event too large");
    }
    return 0;
}

int sk_event_from_json(sk_buf *out, const sk_json_value *r, const sk_event_src *src, const sk_tz *local, sk_event_json_info *info)
{
    memset(info, 0, sizeof *info);
    if (sk_json_type_of(r) != SK_JSON_OBJECT) return sk_error_set(SK_EFORMAT, "not a JSON object");
    const sk_json_value *sys = sk_json_object_get(r, "System");
    if (sys && sk_json_type_of(sys) == SK_JSON_OBJECT && sk_json_object_get(r, "time")) {
        info->format = "sakimori";
        return own_event(out, r, sys, src, info);
    }
    sk_arena *a;
    if (sk_arena_new(&a, 16 << 10, (size_t)64 << 20)) return sk_error_set(SK_ENOMEM, "out of memory");
    bld b = {a, 0, info};
    sk_xnode *ev = xn(&b, NULL, "Event");
    int rc;
    const sk_json_value *wl = sk_json_object_get(r, "winlog");
    if (wl && sk_json_type_of(wl) == SK_JSON_OBJECT) {
        info->format = "winlogbeat";
        rc = winlogbeat(&b, ev, r);
    } else if (sk_json_object_get(r, "EventID")) {
        info->format = "nxlog";
        rc = nxlog(&b, ev, r, local);
    } else {
        sk_arena_free(a);
        return sk_error_set(SK_EFORMAT, "not a Windows event (no winlog, System or EventID member)");
    }
    if (b.oom) rc = sk_error_set(SK_ELIMIT, "event too large");
    if (!rc) {
        sk_event_src s = *src;
        s.format = info->format;
        s.has_record_id = sk_event_record_id(ev, &s.record_id); /* when the shipper kept it */
        s.fallback_time = SK_TIME_NONE; /* no record header here: a missing time stays missing */
        s.time_quality = info->time_quality;
        s.time_offset_s = info->time_offset_s;
        rc = sk_event_write_json(out, ev, &s);
        if (rc) rc = sk_error_set(SK_ELIMIT, "event too large");
    }
    sk_arena_free(a);
    return rc;
}
