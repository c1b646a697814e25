/*
 * event_view.c - the typed event view built from an EVTX record's element tree
 * (sakimori/event.h, docs/formats/event.md): System fields typed, EventData and UserData
 * fields by name with their kinds, classic PowerShell's Key=Value text split into
 * fields (localized keys mapped to their English names), and the lookups engines use.
 *
 * This file is where a field's meaning is decided: unnamed <Data> collected into
 * "Data", the first of a name wins, UserData kept as a tree and its leaves findable by
 * name. Shippers' JSON records are turned into the same element tree first
 * (event_json.c), so every input gets these rules from this one place.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sakimori/event.h>

#include "event_int.h"

/* ---- names ---- */

uint32_t sk_event_name_hash(const char *name, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)name[i]) * 16777619u;
    return h;
}

static int name_eq(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && !memcmp(a, b, an);
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

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
    if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return 0;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 1;
}

int sk_event_record_id(const sk_xnode *ev, uint64_t *out)
{
    const sk_xnode *e = sk_xnode_child(sk_xnode_child(ev, "System"), "EventRecordID");
    return e && e->vkind == SK_XV_TEXT && parse_uint(e->text, e->len, out);
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

/* ---- building ---- */


static sk_event_str str_of(const char *s, size_t n)
{
    sk_event_str r = {s, n};
    return r;
}

static sk_event_str attr_str(const sk_xnode *n, const char *name)
{
    const sk_xattr *a = n ? sk_xnode_attr(n, name) : NULL;
    return a ? str_of(a->value, a->len) : str_of(NULL, 0);
}

static sk_event_str text_str(const sk_xnode *e)
{
    return e && e->vkind == SK_XV_TEXT ? str_of(e->text, e->len) : str_of(NULL, 0);
}

/* A value's kind from its Binary XML type (base type, without the array flag). */
static void scalar_kind(sk_event_value *v, uint8_t type)
{
    uint64_t u;
    v->kind = SK_EVK_STRING;
    if ((type >= SK_EVTX_VT_I8 && type <= SK_EVTX_VT_U64)) {
        int neg = v->n > 1 && v->s[0] == '-';
        if (parse_uint(v->s + neg, v->n - (size_t)neg, &u)) {
            v->kind = SK_EVK_INTEGER;
            v->u = u;
            v->neg = (uint8_t)neg;
        }
    } else if (type == SK_EVTX_VT_HEX32 || type == SK_EVTX_VT_HEX64 || type == SK_EVTX_VT_SIZET) {
        if (parse_hex(v->s, v->n, &u)) {
            v->kind = SK_EVK_INTEGER;
            v->u = u;
        }
    } else if (type == SK_EVTX_VT_BINARY) {
        v->kind = SK_EVK_BINARY;
    }
}

/* The value of an element's content. */
static void node_value(evb *b, const sk_xnode *e, sk_event_value *v)
{
    memset(v, 0, sizeof *v);
    switch (e->vkind) {
    case SK_XV_TEXT:
        v->s = e->text;
        v->n = e->len;
        scalar_kind(v, e->vtype);
        return;
    case SK_XV_NULL: v->kind = SK_EVK_NULL; return;
    case SK_XV_ARRAY: {
        sk_event_value *items = e->n_items ? sk_arena_calloc(b->a, e->n_items, sizeof *items) : NULL;
        if (e->n_items && !items) {
            b->oom = 1;
            v->kind = SK_EVK_NULL;
            return;
        }
        uint8_t base = (uint8_t)(e->vtype & ~SK_EVTX_VT_ARRAY);
        for (size_t i = 0; i < e->n_items; i++) {
            items[i].s = e->items[i];
            items[i].n = e->item_lens[i];
            scalar_kind(&items[i], base);
        }
        v->kind = SK_EVK_ARRAY;
        v->items = items;
        v->n_items = e->n_items;
        return;
    }
    default: v->kind = SK_EVK_STRING; v->s = ""; v->n = 0; return;
    }
}

/* The index of field `name`, or SIZE_MAX. */
size_t evb_field_index(const evb *b, const char *name, size_t n, uint32_t h)
{
    const sk_event *ev = b->ev;
    if (!b->tcap) {
        for (size_t i = 0; i < ev->n_fields; i++)
            if (ev->fields[i].hash == h && name_eq(ev->fields[i].name, ev->fields[i].name_len, name, n)) return i;
        return SIZE_MAX;
    }
    for (size_t k = h & (b->tcap - 1);; k = (k + 1) & (b->tcap - 1)) {
        uint32_t x = b->table[k];
        if (!x) return SIZE_MAX;
        const sk_event_field *f = &ev->fields[x - 1];
        if (f->hash == h && name_eq(f->name, f->name_len, name, n)) return x - 1;
    }
}

static int grow(evb *b)
{
    sk_event *ev = b->ev;
    size_t ncap = b->cap ? b->cap * 2 : 16;
    sk_event_field *nf = sk_arena_alloc(b->a, ncap * sizeof *nf);
    if (!nf) return b->oom = 1, -1;
    uint32_t *t = NULL;
    size_t tcap = 0;
    if (ncap > 32) { /* past a few dozen fields a linear search per field costs too much */
        tcap = 64;
        while (tcap < ncap * 2) tcap *= 2;
        t = sk_arena_calloc(b->a, tcap, sizeof *t);
        if (!t) return b->oom = 1, -1; /* nothing committed: the old array and table stand */
        for (size_t i = 0; i < ev->n_fields; i++) {
            size_t k = ev->fields[i].hash & (tcap - 1);
            while (t[k]) k = (k + 1) & (tcap - 1);
            t[k] = (uint32_t)(i + 1);
        }
    }
    if (ev->n_fields) memcpy(nf, ev->fields, ev->n_fields * sizeof *nf);
    ev->fields = nf;
    b->cap = ncap;
    if (t) {
        b->table = t;
        b->tcap = tcap;
    }
    return 0;
}

/* Add a field unless one of that name exists (the first wins): the new field, or NULL. */
sk_event_field *evb_add_field(evb *b, const char *name, size_t n, uint8_t where)
{
    if (b->oom) return NULL; /* the arena is full: the event is refused as too large */
    uint32_t h = sk_event_name_hash(name, n);
    if (evb_field_index(b, name, n, h) != SIZE_MAX) return NULL;
    if (b->ev->n_fields >= UINT32_MAX - 1) return NULL;
    if (b->ev->n_fields == b->cap && grow(b)) return NULL;
    sk_event *ev = b->ev;
    sk_event_field *f = &ev->fields[ev->n_fields++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->name_len = n;
    f->hash = h;
    f->where = where;
    if (b->tcap) {
        size_t k = h & (b->tcap - 1);
        while (b->table[k]) k = (k + 1) & (b->tcap - 1);
        b->table[k] = (uint32_t)ev->n_fields;
    }
    return f;
}

/* ---- classic PowerShell: Key=Value lines ---- */

/* The keys PowerShell writes in English, and those a localized Windows writes instead
 * (docs/formats/event.md lists them; the localized ones are assumed, from Japanese
 * Windows' resource strings, and every field mapped from one says so). Compared after
 * removing spaces (ASCII and U+3000), ASCII case-insensitively. */
static const char *const ps_keys[] = {
    "NewEngineState", "PreviousEngineState", "NewProviderState", "SequenceNumber", "HostName", "HostVersion", "HostId",
    "HostApplication", "EngineVersion", "RunspaceId", "PipelineId", "CommandName", "CommandType", "ScriptName",
    "CommandPath", "CommandLine", "ProviderName", "DetailSequence", "DetailTotal", "UserId", "Severity", "User",
    "ConnectedUser", "ShellId"};

static const struct {
    const char *local, *english;
} ps_localized[] = {
    {"新しいエンジンの状態", "NewEngineState"},     {"以前のエンジンの状態", "PreviousEngineState"},
    {"新しいプロバイダーの状態", "NewProviderState"}, {"シーケンス番号", "SequenceNumber"},
    {"ホスト名", "HostName"},                        {"ホストのバージョン", "HostVersion"},
    {"ホストID", "HostId"},                          {"ホストアプリケーション", "HostApplication"},
    {"エンジンのバージョン", "EngineVersion"},       {"実行空間ID", "RunspaceId"},
    {"パイプラインID", "PipelineId"},                {"コマンド名", "CommandName"},
    {"コマンドの種類", "CommandType"},               {"スクリプト名", "ScriptName"},
    {"コマンドパス", "CommandPath"},                 {"コマンドライン", "CommandLine"},
    {"プロバイダー名", "ProviderName"},              {"詳細シーケンス", "DetailSequence"},
    {"詳細合計", "DetailTotal"},                     {"ユーザーID", "UserId"},
    {"重大度", "Severity"},                          {"ユーザー", "User"},
    {"接続されたユーザー", "ConnectedUser"},         {"シェルID", "ShellId"},
};

/* The key without spaces, in dst (cap bytes): its length, or 0 when it does not fit. */
static size_t squeeze(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t') continue;
        if (i + 2 < n && (uint8_t)s[i] == 0xE3 && (uint8_t)s[i + 1] == 0x80 && (uint8_t)s[i + 2] == 0x80) { /* U+3000 */
            i += 2;
            continue;
        }
        if (o + 1 >= cap) return 0;
        dst[o++] = s[i];
    }
    return o;
}

static int ascii_ieq(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n != m) return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return 0;
    }
    return 1;
}

static int ident(const char *s, size_t n)
{
    if (!n) return 0;
    for (size_t k = 0; k < n; k++)
        if (!((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') || s[k] == '_')) return 0;
    return 1;
}

/* The field name for a key as written: an identifier as it is; a known key written
 * with spaces or another case by its English name; a localized key by its English
 * name (*localized set). NULL when the key is none of them. */
static const char *ps_name(const char *k, size_t n, size_t *out_n, int *localized)
{
    *localized = 0;
    char sq[96];
    size_t m = squeeze(sq, sizeof sq, k, n);
    if (!m) return NULL;
    for (size_t i = 0; i < sizeof ps_keys / sizeof ps_keys[0]; i++)
        if (ascii_ieq(sq, m, ps_keys[i])) {
            if (ident(k, n)) break; /* written as an identifier: kept as written */
            *out_n = strlen(ps_keys[i]);
            return ps_keys[i];
        }
    if (ident(k, n)) {
        *out_n = n;
        return k;
    }
    for (size_t i = 0; i < sizeof ps_localized / sizeof ps_localized[0]; i++) {
        char lq[96];
        size_t lm = squeeze(lq, sizeof lq, ps_localized[i].local, strlen(ps_localized[i].local));
        if (lm == m && !memcmp(lq, sq, m)) {
            *localized = 1;
            *out_n = strlen(ps_localized[i].english);
            return ps_localized[i].english;
        }
    }
    return NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The Key=Value lines of one text, as fields. CommandLine is the last key PowerShell
 * writes: its value runs to the end of the text (a command line may hold line breaks;
 * the lines after it are not keys, whatever they look like). */
static void ps_lines(evb *b, const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && t[e] != '\r' && t[e] != '\n') e++;
        size_t s = i;
        while (s < e && is_space(t[s])) s++;
        size_t eq = s;
        while (eq < e && t[eq] != '=') eq++;
        if (eq > s && eq < e) {
            size_t ke = eq;
            while (ke > s && is_space(t[ke - 1])) ke--;
            size_t vs = eq + 1;
            if (ke < eq) /* "Key = Value" (4103's ContextInfo): the spaces around '=' are layout */
                while (vs < e && t[vs] == ' ') vs++;
            size_t nn;
            int loc;
            const char *name = ps_name(t + s, ke - s, &nn, &loc);
            if (name) {
                int last = name_eq(name, nn, "CommandLine", 11);
                size_t ve = e;
                if (last) {
                    ve = n;
                    while (ve > vs && (t[ve - 1] == '\r' || t[ve - 1] == '\n')) ve--;
                }
                sk_event_field *f = evb_add_field(b, name, nn, SK_EVW_POWERSHELL);
                if (f) {
                    f->v.kind = SK_EVK_STRING;
                    f->v.s = t + vs;
                    f->v.n = ve - vs;
                    if (loc) { /* said in the event's localized_keys */
                        f->flags |= SK_EVF_LOCALIZED;
                        f->key_written = str_of(t + s, ke - s);
                        b->ev->localized++;
                    }
                }
                if (last) return;
            }
        }
        i = e;
        while (i < n && (t[i] == '\r' || t[i] == '\n')) i++;
    }
}

static int classic_powershell(const sk_event *ev)
{
    if (!name_eq(ev->channel.s, ev->channel.n, "Windows PowerShell", 18) || !(ev->has & SK_EVH_EVENT_ID)) return 0;
    unsigned v = ev->event_id;
    return v == 400 || v == 403 || v == 500 || v == 501 || v == 600 || v == 800;
}

/* ---- UserData ---- */

sk_event_node *evb_node(evb *b, const char *key, size_t kn)
{
    sk_event_node *x = sk_arena_calloc(b->a, 1, sizeof *x);
    if (!x) {
        b->oom = 1;
        return NULL;
    }
    x->key = str_of(key, kn);
    return x;
}

void evb_append(sk_event_node **head, sk_event_node **tail, sk_event_node *x)
{
    if (!x) return;
    if (*tail) (*tail)->next = x;
    else *head = x;
    *tail = x;
}

/* An element as a node: text-only elements a value; others an object of their
 * attributes (@name), text (#text) and children, repeated children as arrays. */
static sk_event_node *ud_node(evb *b, const char *key, size_t kn, const sk_xnode *e, int depth)
{
    sk_event_node *x = evb_node(b, key, kn);
    if (!x) return NULL;
    if (depth > 32) {
        x->v.kind = SK_EVK_NULL;
        return x;
    }
    if (!e->child && !e->attrs) {
        node_value(b, e, &x->v);
        return x;
    }
    x->is_object = 1;
    sk_event_node *tail = NULL;
    for (const sk_xattr *a = e->attrs; a; a = a->next) {
        size_t an = strlen(a->name);
        char *k = sk_arena_alloc(b->a, an + 2);
        sk_event_node *c = k ? evb_node(b, k, an + 1) : NULL;
        if (!c) return b->oom = 1, x;
        k[0] = '@';
        memcpy(k + 1, a->name, an + 1);
        c->v.kind = SK_EVK_STRING;
        c->v.s = a->value;
        c->v.n = a->len;
        evb_append(&x->child, &tail, c);
    }
    if (e->vkind == SK_XV_TEXT && e->len) {
        sk_event_node *c = evb_node(b, "#text", 5);
        if (!c) return x;
        node_value(b, e, &c->v);
        evb_append(&x->child, &tail, c);
    }
    size_t kids = 0;
    for (const sk_xnode *c = e->child; c && kids <= 256; c = c->next) kids++;
    for (const sk_xnode *c = e->child; c; c = c->next) {
        size_t cn = strlen(c->name);
        if (kids > 256) { /* too many to group by name: each on its own */
            evb_append(&x->child, &tail, ud_node(b, c->name, cn, c, depth + 1));
            continue;
        }
        int earlier = 0, count = 0;
        for (const sk_xnode *o = e->child; o; o = o->next) {
            if (strcmp(o->name, c->name)) continue;
            if (o == c && count) earlier = 1;
            count++;
        }
        if (earlier) continue; /* with the first of its name */
        if (count == 1) {
            evb_append(&x->child, &tail, ud_node(b, c->name, cn, c, depth + 1));
            continue;
        }
        sk_event_node *arr = evb_node(b, c->name, cn), *atail = NULL;
        if (!arr) return x;
        arr->is_array = 1;
        for (const sk_xnode *o = c; o; o = o->next)
            if (!strcmp(o->name, c->name)) evb_append(&arr->child, &atail, ud_node(b, NULL, 0, o, depth + 1));
        evb_append(&x->child, &tail, arr);
    }
    return x;
}

/* UserData's leaves as fields (after EventData's: the first of a name wins). */
void evb_userdata_fields(evb *b, const sk_event_node *n, int depth)
{
    for (; n && depth <= 32; n = n->next) {
        if (n->is_object) {
            evb_userdata_fields(b, n->child, depth + 1);
            continue;
        }
        if (!n->key.s || !n->key.n) continue;
        const char *k = n->key.s;
        size_t kn = n->key.n;
        if (k[0] == '@') k++, kn--;
        else if (name_eq(k, kn, "#text", 5)) continue;
        if (!kn) continue;
        sk_event_field *f = NULL;
        if (n->is_array) {
            size_t m = 0;
            for (const sk_event_node *c = n->child; c; c = c->next) m += !c->is_object && !c->is_array;
            sk_event_value *items = m ? sk_arena_calloc(b->a, m, sizeof *items) : NULL;
            if (m && !items) return (void)(b->oom = 1);
            size_t i = 0;
            for (const sk_event_node *c = n->child; c; c = c->next)
                if (!c->is_object && !c->is_array) items[i++] = c->v;
            if ((f = evb_add_field(b, k, kn, SK_EVW_USERDATA))) {
                f->v.kind = SK_EVK_ARRAY;
                f->v.items = items;
                f->v.n_items = m;
            }
            for (const sk_event_node *c = n->child; c; c = c->next)
                if (c->is_object) evb_userdata_fields(b, c->child, depth + 1);
            continue;
        }
        if ((f = evb_add_field(b, k, kn, SK_EVW_USERDATA))) f->v = n->v;
    }
}

/* ---- System ---- */

/* System's children, found in one pass (the first of each name). */
typedef struct sysf {
    const sk_xnode *prov, *id, *ver, *lvl, *task, *op, *kw, *tc, *rid, *corr, *exec, *chan, *comp, *sec;
} sysf;

static void sys_fields(const sk_xnode *sys, sysf *f)
{
    memset(f, 0, sizeof *f);
    static const struct {
        const char *name;
        size_t off;
    } map[] = {{"Provider", offsetof(sysf, prov)},    {"EventID", offsetof(sysf, id)},     {"Version", offsetof(sysf, ver)},
               {"Level", offsetof(sysf, lvl)},        {"Task", offsetof(sysf, task)},      {"Opcode", offsetof(sysf, op)},
               {"Keywords", offsetof(sysf, kw)},      {"TimeCreated", offsetof(sysf, tc)}, {"EventRecordID", offsetof(sysf, rid)},
               {"Correlation", offsetof(sysf, corr)}, {"Execution", offsetof(sysf, exec)}, {"Channel", offsetof(sysf, chan)},
               {"Computer", offsetof(sysf, comp)},    {"Security", offsetof(sysf, sec)}};
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

/* An integer System member from text: set when it is a decimal number <= max. */
static int sys_uint(sk_event_str s, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!s.s || !parse_uint(s.s, s.n, &v) || v > max) return 0;
    *out = v;
    return 1;
}

static void system(sk_event *ev, const sk_xnode *sys)
{
    sysf f;
    sys_fields(sys, &f);
    uint64_t v;
    ev->provider_name = attr_str(f.prov, "Name");
    ev->provider_guid = attr_str(f.prov, "Guid");
    ev->event_source_name = attr_str(f.prov, "EventSourceName");
    if (sys_uint(text_str(f.id), 65535, &v)) ev->event_id = (uint16_t)v, ev->has |= SK_EVH_EVENT_ID;
    if (sys_uint(attr_str(f.id, "Qualifiers"), 65535, &v)) ev->qualifiers = (uint16_t)v, ev->has |= SK_EVH_QUALIFIERS;
    if (sys_uint(text_str(f.ver), 255, &v)) ev->version = (uint8_t)v, ev->has |= SK_EVH_VERSION;
    if (sys_uint(text_str(f.lvl), 255, &v)) ev->level = (uint8_t)v, ev->has |= SK_EVH_LEVEL;
    if (sys_uint(text_str(f.task), 65535, &v)) ev->task = (uint16_t)v, ev->has |= SK_EVH_TASK;
    if (sys_uint(text_str(f.op), 255, &v)) ev->opcode = (uint8_t)v, ev->has |= SK_EVH_OPCODE;
    sk_event_str kw = text_str(f.kw);
    if (kw.s && kw.n > 2) {
        ev->keywords_text = kw;
        ev->has |= SK_EVH_KEYWORDS;
        if (!parse_hex(kw.s, kw.n, &ev->keywords)) ev->keywords = 0;
    }
    if (sys_uint(text_str(f.rid), UINT64_MAX, &v)) ev->record_id = v, ev->has |= SK_EVH_RECORD_ID;
    ev->activity_id = attr_str(f.corr, "ActivityID");
    ev->related_activity_id = attr_str(f.corr, "RelatedActivityID");
    if (sys_uint(attr_str(f.exec, "ProcessID"), UINT64_MAX, &v)) ev->process_id = v, ev->has |= SK_EVH_PROCESS_ID;
    if (sys_uint(attr_str(f.exec, "ThreadID"), UINT64_MAX, &v)) ev->thread_id = v, ev->has |= SK_EVH_THREAD_ID;
    ev->channel = text_str(f.chan);
    ev->computer = text_str(f.comp);
    ev->user_id = attr_str(f.sec, "UserID");
    ev->time_text = attr_str(f.tc, "SystemTime");
}

/* time: TimeCreated/@SystemTime (Windows' 7 fraction digits, as written), else the
 * record's written time, else a stand-in; time_quality says which. */
static void event_time(evb *b, const sk_event_src *src)
{
    sk_event *ev = b->ev;
    sk_event_str t = ev->time_text;
    uint32_t tq = src->time_quality;
    ev->time = SK_TIME_NONE;
    if (t.s && sk_event_time_valid(t.s, t.n)) {
        sk_stamp st;
        if (!sk_time_parse_iso8601(t.s, t.n, NULL, &st)) ev->time = st.utc;
        else tq |= SK_TQ_UNPARSED; /* the shape of a time, not a day of the calendar (or out of range): kept as written */
        ev->time_quality = tq;
        ev->time_offset_s = src->time_offset_s;
        return;
    }
    tq = t.s || (tq & SK_TQ_UNPARSED) ? SK_TQ_UNPARSED : SK_TQ_MISSING;
    char buf[SK_TIME_ISO_MAX];
    size_t n = src->fallback_time != SK_TIME_NONE ? sk_time_format(buf, src->fallback_time, 7) : 0;
    if (n) {
        tq |= SK_TQ_RECORD_WRITTEN;
        char *c = sk_arena_strndup(b->a, buf, n);
        if (!c) b->oom = 1;
        ev->time_text = str_of(c, n);
    } else {
        ev->time_text = str_of(SK_EVENT_TIME_NONE, sizeof SK_EVENT_TIME_NONE - 1);
    }
    ev->time_quality = tq;
    ev->time_offset_s = src->time_offset_s;
}

static void evidence(sk_event *ev, const sk_event_src *src)
{
    if (src->path) ev->path = str_of(src->path, strlen(src->path));
    if (src->sha256) ev->sha256 = str_of(src->sha256, strlen(src->sha256));
    ev->src_record_id = src->record_id;
    ev->src_has_record_id = (uint8_t)(src->has_record_id != 0);
    ev->src_offset = src->offset;
    ev->src_has_offset = (uint8_t)(src->has_offset != 0);
    ev->src_line = src->line;
    ev->src_has_line = (uint8_t)(src->has_line != 0);
    ev->recovered = (uint8_t)(src->recovered != 0);
    if (src->format) ev->format = str_of(src->format, strlen(src->format));
    if (src->decoded) ev->decoded = str_of(src->decoded, strlen(src->decoded));
}

/* EventData: named fields in order (the first of a name wins), then the unnamed
 * <Data> (and those named "Data") as one "Data" array, then classic PowerShell's lines. */
static void event_data(evb *b, const sk_xnode *ed)
{
    size_t unnamed = 0;
    int any_unnamed = 0;
    for (const sk_xnode *d = ed->child; d; d = d->next) {
        int data = d->name[0] == 'D' && !strcmp(d->name, "Data");
        const sk_xattr *na = data ? sk_xnode_attr(d, "Name") : NULL;
        if (data && (!na || name_eq(na->value, na->len, "Data", 4))) {
            unnamed += d->vkind == SK_XV_ARRAY ? d->n_items : 1;
            any_unnamed = 1;
            continue;
        }
        const char *name = na ? na->value : d->name;
        size_t nl = na ? na->len : strlen(d->name);
        sk_event_field *f = evb_add_field(b, name, nl, SK_EVW_EVENTDATA);
        if (f) node_value(b, d, &f->v);
    }
    if (!any_unnamed) return;
    sk_event_value *items = unnamed ? sk_arena_calloc(b->a, unnamed, sizeof *items) : NULL;
    if (unnamed && !items) return (void)(b->oom = 1);
    size_t k = 0;
    for (const sk_xnode *d = ed->child; d; d = d->next) {
        if (strcmp(d->name, "Data")) continue;
        const sk_xattr *na = sk_xnode_attr(d, "Name");
        if (na && !name_eq(na->value, na->len, "Data", 4)) continue;
        if (d->vkind == SK_XV_ARRAY) {
            sk_event_value av;
            node_value(b, d, &av);
            for (size_t i = 0; i < av.n_items && k < unnamed; i++) items[k++] = av.items[i];
        } else if (k < unnamed) {
            node_value(b, d, &items[k++]);
        }
    }
    /* "Data" is the unnamed ones' even when a field before had that name */
    uint32_t h = sk_event_name_hash("Data", 4);
    size_t at = evb_field_index(b, "Data", 4, h);
    sk_event_field *f = at != SIZE_MAX ? &b->ev->fields[at] : evb_add_field(b, "Data", 4, SK_EVW_EVENTDATA);
    if (f) {
        memset(&f->v, 0, sizeof f->v);
        f->v.kind = SK_EVK_ARRAY;
        f->v.items = items;
        f->v.n_items = k;
    }
    if (!classic_powershell(b->ev)) return;
    for (size_t i = 0; i < k; i++)
        if (items[i].kind != SK_EVK_NULL && items[i].n && memchr(items[i].s, '=', items[i].n)) ps_lines(b, items[i].s, items[i].n);
}

int sk_event_from_xml(sk_event *ev, const sk_xnode *root, const sk_event_src *src, sk_arena *a)
{
    memset(ev, 0, sizeof *ev);
    evb b = {.ev = ev, .a = a};
    const sk_xnode *sys = NULL, *ed = NULL, *ud = NULL;
    for (const sk_xnode *c = root->child; c; c = c->next) {
        if (!sys && !strcmp(c->name, "System")) sys = c;
        else if (!ed && !strcmp(c->name, "EventData")) ed = c;
        else if (!ud && !strcmp(c->name, "UserData")) ud = c;
    }
    system(ev, sys);
    event_time(&b, src);
    evidence(ev, src);
    ev->xml = root;
    if (ed) {
        ev->has |= SK_EVH_EVENTDATA;
        event_data(&b, ed);
    }
    /* 4103/4100's ContextInfo holds the same keys as "Key = Value" lines */
    uint32_t ch = sk_event_name_hash("ContextInfo", 11);
    size_t ci = ed ? evb_field_index(&b, "ContextInfo", 11, ch) : SIZE_MAX;
    if (ci != SIZE_MAX && ev->channel.s && ev->channel.n >= 10 && memmem(ev->channel.s, ev->channel.n, "PowerShell", 10)) {
        sk_event_value v = ev->fields[ci].v;
        if (v.kind == SK_EVK_STRING && v.n) ps_lines(&b, v.s, v.n);
    }
    if (ud) {
        ev->has |= SK_EVH_USERDATA;
        sk_event_node *tail = NULL;
        for (const sk_xnode *c = ud->child; c; c = c->next) evb_append(&ev->userdata, &tail, ud_node(&b, c->name, strlen(c->name), c, 0));
        evb_userdata_fields(&b, ev->userdata, 0);
    }
    if (b.oom) return sk_error_set(SK_ELIMIT, "event too large");
    return 0;
}

/* ---- lookups ---- */

const sk_event_field *sk_event_field_find(const sk_event *ev, const char *name, size_t n, uint32_t hash)
{
    for (size_t i = 0; i < ev->n_fields; i++) {
        const sk_event_field *f = &ev->fields[i];
        if (f->hash == hash && name_eq(f->name, f->name_len, name, n)) return f;
    }
    return NULL;
}

static int sys_int(sk_event_value *out, char scratch[32], uint64_t v)
{
    memset(out, 0, sizeof *out);
    out->kind = SK_EVK_INTEGER;
    out->u = v;
    out->n = (size_t)snprintf(scratch, 32, "%llu", (unsigned long long)v);
    out->s = scratch;
    return 1;
}

static int sys_str(sk_event_value *out, sk_event_str s)
{
    if (!s.s) return 0;
    memset(out, 0, sizeof *out);
    out->kind = SK_EVK_STRING;
    out->s = s.s;
    out->n = s.n;
    return 1;
}

int sk_event_system(const sk_event *ev, const char *name, size_t n, sk_event_value *out, char scratch[32])
{
#define IS(lit) name_eq(name, n, lit, sizeof lit - 1)
    if (IS("EventID")) return (ev->has & SK_EVH_EVENT_ID) && sys_int(out, scratch, ev->event_id);
    if (IS("Channel")) return sys_str(out, ev->channel.s ? ev->channel : str_of("", 0));
    if (IS("Computer")) return sys_str(out, ev->computer.s ? ev->computer : str_of("", 0));
    if (IS("Provider_Name")) return sys_str(out, ev->provider_name);
    if (IS("Provider_Guid")) return sys_str(out, ev->provider_guid);
    if (IS("EventSourceName")) return sys_str(out, ev->event_source_name);
    if (IS("EventRecordID")) return (ev->has & SK_EVH_RECORD_ID) && sys_int(out, scratch, ev->record_id);
    if (IS("Level")) return (ev->has & SK_EVH_LEVEL) && sys_int(out, scratch, ev->level);
    if (IS("Task")) return (ev->has & SK_EVH_TASK) && sys_int(out, scratch, ev->task);
    if (IS("Opcode")) return (ev->has & SK_EVH_OPCODE) && sys_int(out, scratch, ev->opcode);
    if (IS("Version")) return (ev->has & SK_EVH_VERSION) && sys_int(out, scratch, ev->version);
    if (IS("Qualifiers")) return (ev->has & SK_EVH_QUALIFIERS) && sys_int(out, scratch, ev->qualifiers);
    if (IS("Keywords")) return sys_str(out, ev->keywords_text);
    if (IS("ProcessID")) return (ev->has & SK_EVH_PROCESS_ID) && sys_int(out, scratch, ev->process_id);
    if (IS("ThreadID")) return (ev->has & SK_EVH_THREAD_ID) && sys_int(out, scratch, ev->thread_id);
    if (IS("UserID")) return sys_str(out, ev->user_id);
    if (IS("ActivityID")) return sys_str(out, ev->activity_id);
    if (IS("RelatedActivityID")) return sys_str(out, ev->related_activity_id);
    if (IS("TimeCreated") || IS("SystemTime")) return sys_str(out, ev->time_text);
#undef IS
    return 0;
}
