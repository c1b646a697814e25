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

#include "event_int.h"

/* ---- building an element tree ---- */

typedef struct bld {
    sk_arena *a;
    int oom;
    sk_event_json_info *info;
    sk_event_str message; /* the shipper's rendered message */
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
    if (!x) return;
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
    if (!x || b->oom) return; /* the arena is full: the event is refused as too large */
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
            for (size_t j = 0; j < sk_json_length(m) && !b->oom; j++) tree_from(b, xn(b, x, k), sk_json_array_at(m, j), depth + 1);
            continue;
        }
        sk_xnode *c = xn(b, x, k);
        if (c) tree_from(b, c, m, depth + 1);
        if (b->oom) return;
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
    if (v && (sk_json_type_of(v) == SK_JSON_NUMBER || sk_json_type_of(v) == SK_JSON_STRING)) {
        /* digits only, as written (a number's text keeps 64-bit record ids whole); the
         * view checks each member's range */
        size_t n;
        const char *s = sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &n) : sk_json_number_text(v, &n);
        int digits = n > 0 && n <= 20;
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

/* One candidate for the event's time: a member's name and value. */
typedef struct tcand {
    const char *name;
    const sk_json_value *v;
    int activity; /* Sysmon's UtcTime: UTC although it says no zone; the activity's time, not the log's */
} tcand;

static int cand_parse(const tcand *c, const sk_tz *local, sk_stamp *st)
{
    size_t n;
    const char *s = c->v && sk_json_type_of(c->v) == SK_JSON_STRING ? sk_json_string(c->v, &n) : NULL;
    if (!s || sk_time_parse_iso8601(s, n, c->activity ? NULL : local, st)) return 0;
    if (c->activity && (st->quality & SK_TQ_ZONE_ASSUMED)) st->quality = (st->quality & ~SK_TQ_ZONE_ASSUMED) | SK_TQ_UTC;
    return 1;
}

#define AGREE_NS ((sk_time)2 * SK_NS_PER_SEC)
/* Sysmon's UtcTime is when the activity happened; Sysmon may log it a minute later
 * (57 s seen in real logs), so only a larger difference says @timestamp is not the
 * event's time (an ingest time) */
#define AGREE_ACTIVITY_NS ((sk_time)300 * SK_NS_PER_SEC)

static void sys_time(bld *b, sk_xnode *sys, const tcand *own, const tcand *ship, const sk_tz *local, const char *names)
{
    sk_stamp so, ss;
    int ho = own && own->v && cand_parse(own, local, &so), hs = ship && ship->v && cand_parse(ship, NULL, &ss);
    sk_stamp use;
    if (ho && hs) {
        sk_time d = ss.utc - so.utc;
        int agree;
        if (so.quality & SK_TQ_ZONE_ASSUMED) {
            sk_time q = (sk_time)900 * SK_NS_PER_SEC;
            sk_time off = (d >= 0 ? d + q / 2 : d - q / 2) / q * q;
            sk_time resid = d - off;
            agree = off <= (sk_time)14 * 3600 * SK_NS_PER_SEC && off >= -(sk_time)14 * 3600 * SK_NS_PER_SEC && resid <= AGREE_NS &&
                    resid >= -AGREE_NS;
        } else {
            sk_time tol = own->activity ? AGREE_ACTIVITY_NS : AGREE_NS;
            agree = d <= tol && d >= -tol;
        }
        use = agree ? ss : so;
        if (!agree) use.quality |= SK_TQ_SHIPPER_DIFFERS;
    } else if (ho) {
        use = so;
    } else if (hs) {
        use = ss;
    } else {
        const tcand *bad = own && own->v ? own : ship && ship->v ? ship : NULL;
        if (!bad) {
            b->info->time_quality = SK_TQ_MISSING;
            snprintf(b->info->warning, sizeof b->info->warning, "no time (%s): written with time_quality missing", names);
            return;
        }
        char q[80];
        quote_value(q, sizeof q, bad->v);
        b->info->time_quality = SK_TQ_UNPARSED;
        snprintf(b->info->warning, sizeof b->info->warning, "%s %s is not a time: written with time_quality unparsed", bad->name, q);
        return;
    }
    b->info->time_quality = use.quality;
    b->info->time_offset_s = use.offset_s;
    char t[SK_TIME_ISO_MAX];
    size_t m = sk_time_format(t, use.utc, 7);
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
    if ((s = scalar(at(r, "message"), &n))) b->message = (sk_event_str){s, n};
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
    /* the event's own time: winlog.time_created, else Sysmon's UtcTime; the shipper's: @timestamp */
    tcand own = {"winlog.time_created", at(w, "time_created"), 0}, ship = {"@timestamp", at(r, "@timestamp"), 0};
    if (!own.v && (s = scalar(at(w, "provider_name"), &n)) && strstr(s, "Sysmon")) own = (tcand){"winlog.event_data.UtcTime", at(w, "event_data.UtcTime"), 1};
    sys_time(b, sys, &own, &ship, NULL, "@timestamp, winlog.time_created");
    sys_int(b, sys, "EventRecordID", at(w, "record_id"));
    if (at(w, "process.pid") || at(w, "process.thread.id")) {
        sk_xnode *x = xn(b, sys, "Execution");
        if ((s = scalar(at(w, "process.pid"), &n))) xattr(b, x, "ProcessID", s, n);
        if ((s = scalar(at(w, "process.thread.id"), &n))) xattr(b, x, "ThreadID", s, n);
    }
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
    "@timestamp", "@version", "AccountName", "AccountType", "ActivityID", "Category", "Channel", "Domain", "EventID",
    "EventReceivedTime", "EventTime", "EventType", "ExecutionProcessID", "ExecutionThreadID", "Hostname", "Keywords",
    "KeywordsDisplayNames", "Level", "LevelDisplayName", "Message", "Opcode", "OpcodeDisplayName", "OpcodeValue",
    "ProviderGuid", "ProviderName", "RecordNumber", "RelatedActivityID", "Severity", "SeverityValue", "SourceModuleName",
    "SourceModuleType", "SourceName", "Task", "TaskDisplayName", "TimeCreated", "UserID", "Version", "agent", "beat",
    "ecs", "host", "input", "log_name", "port", "tags", "type"};

static int cmp_name(const void *k, const void *e)
{
    return strcmp(k, *(const char *const *)e);
}

static int nxlog_meta(const char *k)
{
    return bsearch(k, nxlog_meta_names, sizeof nxlog_meta_names / sizeof nxlog_meta_names[0], sizeof nxlog_meta_names[0],
                   cmp_name) != NULL;
}

/* Level: Windows' number when the record has it (Level), else from NXLog's
 * SeverityValue, which counts the other way (1 DEBUG .. 5 CRITICAL: Windows' 5 Verbose ..
 * 1 Critical). */
static void nxlog_level(bld *b, sk_xnode *sys, const sk_json_value *r)
{
    const sk_json_value *lv = at(r, "Level");
    int64_t i;
    if (lv && ((sk_json_type_of(lv) == SK_JSON_NUMBER && !sk_json_int64(lv, &i) && i >= 0 && i <= 255) || sk_json_type_of(lv) == SK_JSON_STRING)) {
        sys_int(b, sys, "Level", lv);
        return;
    }
    const sk_json_value *sv = at(r, "SeverityValue");
    if (sv && sk_json_type_of(sv) == SK_JSON_NUMBER && !sk_json_int64(sv, &i) && i >= 1 && i <= 5) {
        char t[2] = {(char)('0' + (6 - i)), 0};
        xtext(b, xn(b, sys, "Level"), t, 1);
    }
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
    nxlog_level(b, sys, r);
    sys_int(b, sys, "Task", at(r, "Task"));
    sys_int(b, sys, "Opcode", at(r, "OpcodeValue"));
    sys_keywords(b, sys, at(r, "Keywords"));
    /* the event's own time: EventTime (local), or TimeCreated; the shipper's: @timestamp */
    tcand own = {"EventTime", at(r, "EventTime"), 0}, ship = {"@timestamp", at(r, "@timestamp"), 0};
    if (!own.v) own = (tcand){"TimeCreated", at(r, "TimeCreated"), 0};
    sys_time(b, sys, &own, &ship, local, "@timestamp, EventTime, TimeCreated");
    sys_int(b, sys, "EventRecordID", at(r, "RecordNumber"));
    if ((s = scalar(at(r, "ActivityID"), &n))) {
        sk_xnode *c = xn(b, sys, "Correlation");
        xattr(b, c, "ActivityID", s, n);
        if ((s = scalar(at(r, "RelatedActivityID"), &n))) xattr(b, c, "RelatedActivityID", s, n);
    }
    if (at(r, "ExecutionProcessID") || at(r, "ExecutionThreadID")) {
        sk_xnode *x = xn(b, sys, "Execution");
        if ((s = scalar(at(r, "ExecutionProcessID"), &n))) xattr(b, x, "ProcessID", s, n);
        if ((s = scalar(at(r, "ExecutionThreadID"), &n))) xattr(b, x, "ThreadID", s, n);
    }
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
    if ((s = scalar(at(r, "Message"), &n))) b->message = (sk_event_str){s, n};
    return rc;
}

/* ---- the Rust evtx crate's and xmltodict's JSON: {"Event":{"System":...}} ---- */

/* An element from its JSON form: "#attributes" (evtx crate) and "@name" (xmltodict)
 * members are attributes, "#text" the content, other members child elements (an array
 * of them repeats the element), a scalar the text. */
static void elem_from(bld *b, sk_xnode *x, const sk_json_value *v, int depth)
{
    if (!x || b->oom) return;
    if (depth > 32 || sk_json_type_of(v) != SK_JSON_OBJECT) {
        field_value(b, x, v);
        return;
    }
    for (size_t i = 0; i < sk_json_length(v); i++) {
        size_t kl, n;
        const char *k = sk_json_object_key_at(v, i, &kl);
        const sk_json_value *m = sk_json_object_value_at(v, i);
        const char *t;
        if (!strcmp(k, "#attributes") && sk_json_type_of(m) == SK_JSON_OBJECT) {
            for (size_t j = 0; j < sk_json_length(m); j++)
                if ((t = scalar(sk_json_object_value_at(m, j), &n))) xattr(b, x, sk_json_object_key_at(m, j, NULL), t, n);
        } else if (k[0] == '@') {
            if ((t = scalar(m, &n))) xattr(b, x, k + 1, t, n);
        } else if (!strcmp(k, "#text")) {
            field_value(b, x, m);
        } else if (sk_json_type_of(m) == SK_JSON_ARRAY) {
            for (size_t j = 0; j < sk_json_length(m) && !b->oom; j++) elem_from(b, xn(b, x, k), sk_json_array_at(m, j), depth + 1);
        } else {
            elem_from(b, xn(b, x, k), m, depth + 1);
        }
    }
}

/* EventData: "Data" members are <Data> elements (named by their own attributes, or
 * unnamed), "Binary" the <Binary> element, every other member a <Data Name=...>. */
static void event_data_from(bld *b, sk_xnode *ed, const sk_json_value *v)
{
    if (sk_json_type_of(v) != SK_JSON_OBJECT) {
        if (sk_json_type_of(v) != SK_JSON_NULL) elem_from(b, xn(b, ed, "Data"), v, 1);
        return;
    }
    for (size_t i = 0; i < sk_json_length(v); i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(v, i, &kl);
        const sk_json_value *m = sk_json_object_value_at(v, i);
        if (!strcmp(k, "#attributes") || k[0] == '@') continue;
        if (!strcmp(k, "Data") || !strcmp(k, "#text")) {
            if (sk_json_type_of(m) == SK_JSON_ARRAY)
                for (size_t j = 0; j < sk_json_length(m); j++) elem_from(b, xn(b, ed, "Data"), sk_json_array_at(m, j), 1);
            else
                elem_from(b, xn(b, ed, "Data"), m, 1);
            continue;
        }
        if (!strcmp(k, "Binary")) {
            elem_from(b, xn(b, ed, "Binary"), m, 1);
            continue;
        }
        sk_xnode *d = xn(b, ed, "Data");
        xattr(b, d, "Name", k, kl);
        elem_from(b, d, m, 1);
    }
}

/* An attribute holding a bare GUID (8-4-4-4-12 hex digits) gets Windows' braces. */
static void brace_guid(bld *b, sk_xnode *x, const char *name)
{
    sk_xattr *a = x ? (sk_xattr *)sk_xnode_attr(x, name) : NULL;
    if (!a || a->len != 36) return;
    for (size_t i = 0; i < 36; i++) {
        char c = a->value[i];
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return;
    }
    char *v = sk_arena_alloc(b->a, 39);
    if (!v) {
        b->oom = 1;
        return;
    }
    v[0] = '{';
    memcpy(v + 1, a->value, 36);
    v[37] = '}';
    v[38] = '\0';
    a->value = v;
    a->len = 38;
}

static int evtx_json(bld *b, sk_xnode *ev, const sk_json_value *e)
{
    for (size_t i = 0; i < sk_json_length(e); i++) {
        const char *k = sk_json_object_key_at(e, i, NULL);
        const sk_json_value *m = sk_json_object_value_at(e, i);
        if (!strcmp(k, "EventData")) event_data_from(b, xn(b, ev, "EventData"), m);
        else if (!strcmp(k, "System") || !strcmp(k, "UserData") || !strcmp(k, "RenderingInfo")) elem_from(b, xn(b, ev, k), m, 0);
        else if (!strcmp(k, "#attributes") || k[0] == '@') continue;
        else elem_from(b, xn(b, ev, k), m, 0);
    }
    const sk_xnode *sys = sk_xnode_child(ev, "System"), *id = sk_xnode_child(sys, "EventID");
    if (!sys) return sk_error_set(SK_EFORMAT, "Event has no System member");
    if (!id) return sk_error_set(SK_EFORMAT, "no event id (Event.System.EventID)");
    uint64_t v = 0;
    int ok = id->vkind == SK_XV_TEXT && id->len && id->len <= 5;
    for (size_t i = 0; ok && i < id->len; i++) ok = id->text[i] >= '0' && id->text[i] <= '9', v = v * 10 + (uint64_t)(id->text[i] - '0');
    if (!ok || v > 65535) {
        b->info->no_event_id = 1;
        return sk_error_set(SK_EFORMAT, "Event.System.EventID \"%.*s\" is not an event id (an integer 0-65535): record skipped",
                            id->vkind == SK_XV_TEXT ? (int)(id->len < 40 ? id->len : 40) : 0, id->vkind == SK_XV_TEXT ? id->text : "");
    }
    /* the evtx crate writes GUIDs without Windows' braces: put back where the model has them */
    brace_guid(b, (sk_xnode *)sk_xnode_child(sys, "Provider"), "Guid");
    brace_guid(b, (sk_xnode *)sk_xnode_child(sys, "Correlation"), "ActivityID");
    brace_guid(b, (sk_xnode *)sk_xnode_child(sys, "Correlation"), "RelatedActivityID");
    const sk_xnode *tc = sk_xnode_child(sys, "TimeCreated");
    const sk_xattr *st = sk_xnode_attr(tc, "SystemTime");
    sk_stamp stamp;
    if (!st) {
        b->info->time_quality = SK_TQ_MISSING;
        snprintf(b->info->warning, sizeof b->info->warning, "no time (Event.System.TimeCreated.SystemTime): written with time_quality missing");
    } else if (!sk_event_time_valid(st->value, st->len) || sk_time_parse_iso8601(st->value, st->len, NULL, &stamp)) {
        b->info->time_quality = SK_TQ_UNPARSED;
        snprintf(b->info->warning, sizeof b->info->warning, "Event.System.TimeCreated.SystemTime \"%.*s\" is not a time: written with time_quality unparsed",
                 (int)(st->len < 60 ? st->len : 60), st->value);
    }
    return 0;
}

/* ---- sakimori's own event line (an earlier dump read back) ---- */

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

static sk_event_str jstr(const sk_json_value *v)
{
    size_t n = 0;
    const char *s = v && sk_json_type_of(v) == SK_JSON_STRING ? sk_json_string(v, &n) : NULL;
    return (sk_event_str){s, n};
}

static int juint(const sk_json_value *v, uint64_t max, uint64_t *out)
{
    size_t n;
    const char *t = v && sk_json_type_of(v) == SK_JSON_NUMBER ? sk_json_number_text(v, &n) : NULL;
    if (!t || !n || n > 20) return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9') return 0;
        uint64_t d = (uint64_t)(t[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
    }
    if (x > max) return 0;
    *out = x;
    return 1;
}

/* A value of the model read back: strings, null, arrays of those; anything else as its
 * text (numbers as written, objects as compact JSON). */
static void own_value(evb *e, bld *b, sk_event_value *out, const sk_json_value *v, int depth)
{
    memset(out, 0, sizeof *out);
    size_t n;
    const char *s;
    switch (sk_json_type_of(v)) {
    case SK_JSON_NULL: out->kind = SK_EVK_NULL; return;
    case SK_JSON_ARRAY: {
        size_t m = sk_json_length(v);
        sk_event_value *items = m ? sk_arena_calloc(e->a, m, sizeof *items) : NULL;
        if (m && !items) {
            e->oom = 1;
            out->kind = SK_EVK_NULL;
            return;
        }
        for (size_t i = 0; i < m; i++) {
            if (depth < 8) own_value(e, b, &items[i], sk_json_array_at(v, i), depth + 1);
            else items[i].kind = SK_EVK_NULL;
        }
        out->kind = SK_EVK_ARRAY;
        out->items = items;
        out->n_items = m;
        return;
    }
    case SK_JSON_OBJECT: {
        sk_xnode tmp = {0};
        field_value(b, &tmp, v);
        out->kind = SK_EVK_STRING;
        out->s = tmp.vkind == SK_XV_TEXT ? tmp.text : "";
        out->n = tmp.vkind == SK_XV_TEXT ? tmp.len : 0;
        return;
    }
    default:
        s = scalar(v, &n);
        out->kind = SK_EVK_STRING;
        out->s = s ? s : "";
        out->n = s ? n : 0;
        return;
    }
}

static sk_event_node *own_node(evb *e, bld *b, const char *k, size_t kn, const sk_json_value *v, int depth)
{
    sk_event_node *x = evb_node(e, k, kn);
    if (!x) return NULL;
    sk_json_type t = sk_json_type_of(v);
    if (depth > 64 || (t != SK_JSON_OBJECT && t != SK_JSON_ARRAY)) {
        if (depth > 64) x->v.kind = SK_EVK_NULL;
        else own_value(e, b, &x->v, v, 0);
        return x;
    }
    sk_event_node *tail = NULL;
    if (t == SK_JSON_OBJECT) {
        x->is_object = 1;
        for (size_t i = 0; i < sk_json_length(v); i++) {
            size_t cl;
            const char *ck = sk_json_object_key_at(v, i, &cl);
            evb_append(&x->child, &tail, own_node(e, b, ck, cl, sk_json_object_value_at(v, i), depth + 1));
        }
    } else {
        x->is_array = 1;
        for (size_t i = 0; i < sk_json_length(v); i++) evb_append(&x->child, &tail, own_node(e, b, NULL, 0, sk_json_array_at(v, i), depth + 1));
    }
    return x;
}

/* sakimori's own event line: checked (anything may claim to be ours: its event id, time
 * and evidence reference must hold), then read into the same view it was written from,
 * with via naming the input and line it was read from now - its src is what the line
 * claims, via is what sakimori saw. Members the model does not have are not kept. */
static int own_event(sk_event *ev, bld *b, const sk_json_value *r, const sk_json_value *sys, const sk_event_src *in)
{
    sk_event_json_info *info = b->info;
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
    const sk_json_value *src = sk_json_object_get(r, "src");
    if (!evidence_ref_ok(src))
        return sk_error_set(SK_EFORMAT, "src is not an evidence reference (sha256 and offset, line or record_id): line skipped");
    memset(ev, 0, sizeof *ev);
    evb e = {.ev = ev, .a = b->a};
    ev->time_text = (sk_event_str){s, n};
    const sk_json_value *tq = sk_json_object_get(r, "time_quality");
    for (size_t k = 0; k < sk_json_length(tq); k++) {
        sk_event_str q = jstr(sk_json_array_at(tq, k));
        if (q.s) ev->time_quality |= sk_time_quality_from_name(q.s, q.n);
    }
    int64_t off;
    const sk_json_value *to = sk_json_object_get(r, "time_offset_s");
    if (to && !sk_json_int64(to, &off) && off >= -93600 && off <= 93600) ev->time_offset_s = (int32_t)off;
    ev->time = (ev->time_quality & (SK_TQ_MISSING | SK_TQ_UNPARSED)) ? SK_TIME_NONE : stamp.utc;
    uint64_t v;
    ev->provider_name = jstr(sk_json_object_get(sys, "Provider_Name"));
    ev->provider_guid = jstr(sk_json_object_get(sys, "Provider_Guid"));
    ev->event_source_name = jstr(sk_json_object_get(sys, "EventSourceName"));
    ev->event_id = (uint16_t)i;
    ev->has |= SK_EVH_EVENT_ID;
#define OWN_INT(key, max, member, flag) \
    if (juint(sk_json_object_get(sys, key), max, &v)) ev->member = (__typeof__(ev->member))v, ev->has |= flag
    OWN_INT("Qualifiers", 65535, qualifiers, SK_EVH_QUALIFIERS);
    OWN_INT("Version", 255, version, SK_EVH_VERSION);
    OWN_INT("Level", 255, level, SK_EVH_LEVEL);
    OWN_INT("Task", 65535, task, SK_EVH_TASK);
    OWN_INT("Opcode", 255, opcode, SK_EVH_OPCODE);
    OWN_INT("EventRecordID", UINT64_MAX, record_id, SK_EVH_RECORD_ID);
    OWN_INT("ProcessID", UINT64_MAX, process_id, SK_EVH_PROCESS_ID);
    OWN_INT("ThreadID", UINT64_MAX, thread_id, SK_EVH_THREAD_ID);
#undef OWN_INT
    ev->keywords_text = jstr(sk_json_object_get(sys, "Keywords"));
    if (ev->keywords_text.s) {
        ev->has |= SK_EVH_KEYWORDS;
        uint64_t kw = 0;
        const char *kt = ev->keywords_text.s;
        size_t kn = ev->keywords_text.n;
        int ok = kn > 2 && kn <= 18 && kt[0] == '0' && (kt[1] == 'x' || kt[1] == 'X');
        for (size_t k = 2; ok && k < kn; k++) {
            char c = kt[k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            ok = d >= 0;
            kw = kw << 4 | (uint64_t)(d & 15);
        }
        ev->keywords = ok ? kw : 0;
    }
    ev->activity_id = jstr(sk_json_object_get(sys, "ActivityID"));
    ev->related_activity_id = jstr(sk_json_object_get(sys, "RelatedActivityID"));
    ev->channel = jstr(sk_json_object_get(sys, "Channel"));
    ev->computer = jstr(sk_json_object_get(sys, "Computer"));
    ev->user_id = jstr(sk_json_object_get(sys, "UserID"));
    const sk_json_value *ed = sk_json_object_get(r, "EventData");
    if (ed && sk_json_type_of(ed) == SK_JSON_OBJECT) {
        ev->has |= SK_EVH_EVENTDATA;
        for (size_t k = 0; k < sk_json_length(ed); k++) {
            size_t kl;
            const char *key = sk_json_object_key_at(ed, k, &kl);
            sk_event_field *f = evb_add_field(&e, key, kl, SK_EVW_EVENTDATA);
            if (f) own_value(&e, b, &f->v, sk_json_object_value_at(ed, k), 0);
        }
    }
    const sk_json_value *ud = sk_json_object_get(r, "UserData");
    if (ud && sk_json_type_of(ud) == SK_JSON_OBJECT) {
        ev->has |= SK_EVH_USERDATA;
        sk_event_node *tail = NULL;
        for (size_t k = 0; k < sk_json_length(ud); k++) {
            size_t kl;
            const char *key = sk_json_object_key_at(ud, k, &kl);
            evb_append(&ev->userdata, &tail, own_node(&e, b, key, kl, sk_json_object_value_at(ud, k), 0));
        }
        evb_userdata_fields(&e, ev->userdata, 0);
    }
    const sk_json_value *lk = sk_json_object_get(r, "localized_keys");
    for (size_t k = 0; k < sk_json_length(lk) && sk_json_type_of(lk) == SK_JSON_OBJECT; k++) {
        size_t kl;
        const char *key = sk_json_object_key_at(lk, k, &kl);
        size_t at = evb_field_index(&e, key, kl, sk_event_name_hash(key, kl));
        sk_event_str w = jstr(sk_json_object_value_at(lk, k));
        if (at == SIZE_MAX || !w.s || (ev->fields[at].flags & SK_EVF_LOCALIZED)) continue;
        ev->fields[at].flags |= SK_EVF_LOCALIZED;
        ev->fields[at].key_written = w;
        ev->localized++;
    }
    ev->message = jstr(sk_json_object_get(r, "message"));
    ev->sha256 = jstr(sk_json_object_get(src, "sha256"));
    ev->src_has_record_id = (uint8_t)juint(sk_json_object_get(src, "record_id"), UINT64_MAX, &ev->src_record_id);
    ev->src_has_offset = (uint8_t)juint(sk_json_object_get(src, "offset"), UINT64_MAX, &ev->src_offset);
    ev->src_has_line = (uint8_t)juint(sk_json_object_get(src, "line"), UINT64_MAX, &ev->src_line);
    ev->decoded = jstr(sk_json_object_get(src, "decoded"));
    ev->format = jstr(sk_json_object_get(r, "format"));
    ev->recovered = (uint8_t)(sk_json_type_of(sk_json_object_get(r, "recovered")) == SK_JSON_TRUE);
    ev->path = jstr(sk_json_object_get(src, "path"));
    if (in->path) ev->via_path = (sk_event_str){in->path, strlen(in->path)};
    if (in->sha256) ev->via_sha256 = (sk_event_str){in->sha256, strlen(in->sha256)};
    ev->via_line = in->line;
    ev->has |= SK_EVH_VIA;
    if (e.oom || b->oom) return sk_error_set(SK_ELIMIT, "event too large");
    return 0;
}

int sk_event_from_json_record(sk_event *ev, const sk_json_value *r, const sk_event_src *src, const sk_event_json_options *o,
                              sk_arena *a, sk_event_json_info *info)
{
    memset(info, 0, sizeof *info);
    memset(ev, 0, sizeof *ev);
    if (sk_json_type_of(r) != SK_JSON_OBJECT) return sk_error_set(SK_EFORMAT, "not a JSON object");
    bld b = {a, 0, info, {NULL, 0}};
    const sk_json_value *sys = sk_json_object_get(r, "System");
    if (sys && sk_json_type_of(sys) == SK_JSON_OBJECT && sk_json_object_get(r, "time")) {
        info->format = "sakimori";
        return own_event(ev, &b, r, sys, src);
    }
    const sk_tz *local = o ? o->local : NULL;
    sk_xnode *x = xn(&b, NULL, "Event");
    if (!x) return sk_error_set(SK_ELIMIT, "event too large");
    int rc;
    const sk_json_value *wl = sk_json_object_get(r, "winlog"), *evj = sk_json_object_get(r, "Event");
    if (wl && sk_json_type_of(wl) == SK_JSON_OBJECT) {
        info->format = "winlogbeat";
        rc = winlogbeat(&b, x, r);
    } else if (evj && sk_json_type_of(evj) == SK_JSON_OBJECT) {
        info->format = "evtx-json";
        rc = evtx_json(&b, x, evj);
    } else if (sk_json_object_get(r, "EventID")) {
        info->format = "nxlog";
        rc = nxlog(&b, x, r, local);
    } else {
        return sk_error_set(SK_EFORMAT, "not a Windows event: none of the members winlog (Winlogbeat), Event (evtx JSON), "
                                        "EventID (NXLog), or System with time (sakimori) is there");
    }
    if (b.oom) rc = sk_error_set(SK_ELIMIT, "event too large");
    if (rc) return rc;
    sk_event_src s = *src;
    s.format = info->format;
    s.has_record_id = sk_event_record_id(x, &s.record_id); /* when the shipper kept it */
    s.fallback_time = SK_TIME_NONE; /* no record header here: a missing time stays missing */
    s.time_quality = info->time_quality;
    s.time_offset_s = info->time_offset_s;
    rc = sk_event_from_xml(ev, x, &s, a);
    if (rc) return rc;
    ev->message = b.message;
    return 0;
}
