/*
 * event_render.c - the typed event view written as the event model's JSON line, and an
 * element tree as Windows-style XML (sakimori/event.h, docs/formats/event.md). What a
 * field is was decided when the view was built (event_view.c); here it is only written.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sakimori/escape.h>
#include <sakimori/event.h>
#include <sakimori/json.h>
#include <sakimori/utf.h>

/* ---- the view as the event model's JSON ---- */

static void kv_str(sk_jw *w, const char *key, sk_event_str s)
{
    if (!s.s) return;
    sk_jw_key(w, key);
    sk_jw_stringn(w, s.s, s.n);
}

/* A value as the model writes it: every scalar as its text, NULL as null, arrays as
 * arrays of those. */
static void value(sk_jw *w, const sk_event_value *v)
{
    switch (v->kind) {
    case SK_EVK_NULL: sk_jw_null(w); break;
    case SK_EVK_ARRAY:
        sk_jw_array_begin(w);
        for (size_t i = 0; i < v->n_items; i++) value(w, &v->items[i]);
        sk_jw_array_end(w);
        break;
    default: sk_jw_stringn(w, v->s ? v->s : "", v->s ? v->n : 0); break;
    }
}

static void node(sk_jw *w, const sk_event_node *n, int depth)
{
    if (depth > 64) {
        sk_jw_null(w);
        return;
    }
    if (n->is_object || n->is_array) {
        if (n->is_object) sk_jw_object_begin(w);
        else sk_jw_array_begin(w);
        for (const sk_event_node *c = n->child; c; c = c->next) {
            if (n->is_object) sk_jw_keyn(w, c->key.s ? c->key.s : "", c->key.s ? c->key.n : 0);
            node(w, c, depth + 1);
        }
        if (n->is_object) sk_jw_object_end(w);
        else sk_jw_array_end(w);
        return;
    }
    value(w, &n->v);
}

int sk_event_write_json(sk_buf *out, const sk_event *ev)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_key(&w, "time");
    sk_jw_stringn(&w, ev->time_text.s ? ev->time_text.s : SK_EVENT_TIME_NONE,
                  ev->time_text.s ? ev->time_text.n : sizeof SK_EVENT_TIME_NONE - 1);
    sk_jw_kv_time_quality(&w, "time_quality", ev->time_quality);
    if (ev->time_quality & (SK_TQ_OFFSET | SK_TQ_ZONE)) sk_jw_kv_i64(&w, "time_offset_s", ev->time_offset_s);
    sk_jw_key(&w, "System");
    sk_jw_object_begin(&w);
    kv_str(&w, "Provider_Name", ev->provider_name);
    kv_str(&w, "Provider_Guid", ev->provider_guid);
    kv_str(&w, "EventSourceName", ev->event_source_name);
    uint32_t h = ev->has;
    if (h & SK_EVH_EVENT_ID) sk_jw_kv_u64(&w, "EventID", ev->event_id);
    if (h & SK_EVH_QUALIFIERS) sk_jw_kv_u64(&w, "Qualifiers", ev->qualifiers);
    if (h & SK_EVH_VERSION) sk_jw_kv_u64(&w, "Version", ev->version);
    if (h & SK_EVH_LEVEL) sk_jw_kv_u64(&w, "Level", ev->level);
    if (h & SK_EVH_TASK) sk_jw_kv_u64(&w, "Task", ev->task);
    if (h & SK_EVH_OPCODE) sk_jw_kv_u64(&w, "Opcode", ev->opcode);
    if (h & SK_EVH_KEYWORDS) kv_str(&w, "Keywords", ev->keywords_text);
    if (h & SK_EVH_RECORD_ID) sk_jw_kv_u64(&w, "EventRecordID", ev->record_id);
    kv_str(&w, "ActivityID", ev->activity_id);
    kv_str(&w, "RelatedActivityID", ev->related_activity_id);
    if (h & SK_EVH_PROCESS_ID) sk_jw_kv_u64(&w, "ProcessID", ev->process_id);
    if (h & SK_EVH_THREAD_ID) sk_jw_kv_u64(&w, "ThreadID", ev->thread_id);
    sk_jw_key(&w, "Channel");
    sk_jw_stringn(&w, ev->channel.s ? ev->channel.s : "", ev->channel.s ? ev->channel.n : 0);
    sk_jw_key(&w, "Computer");
    sk_jw_stringn(&w, ev->computer.s ? ev->computer.s : "", ev->computer.s ? ev->computer.n : 0);
    kv_str(&w, "UserID", ev->user_id);
    sk_jw_object_end(&w);
    if (h & SK_EVH_EVENTDATA) {
        sk_jw_key(&w, "EventData");
        sk_jw_object_begin(&w);
        for (size_t i = 0; i < ev->n_fields; i++) {
            const sk_event_field *f = &ev->fields[i];
            if (f->where == SK_EVW_USERDATA) continue;
            sk_jw_keyn(&w, f->name, f->name_len);
            value(&w, &f->v);
        }
        sk_jw_object_end(&w);
    }
    if (h & SK_EVH_USERDATA) {
        sk_jw_key(&w, "UserData");
        sk_jw_object_begin(&w);
        for (const sk_event_node *c = ev->userdata; c; c = c->next) {
            sk_jw_keyn(&w, c->key.s ? c->key.s : "", c->key.s ? c->key.n : 0);
            node(&w, c, 0);
        }
        sk_jw_object_end(&w);
    }
    if (ev->localized) { /* which field names were taken from the table of localized keys */
        sk_jw_key(&w, "localized_keys");
        sk_jw_object_begin(&w);
        for (size_t i = 0; i < ev->n_fields; i++) {
            const sk_event_field *f = &ev->fields[i];
            if (!(f->flags & SK_EVF_LOCALIZED)) continue;
            sk_jw_keyn(&w, f->name, f->name_len);
            sk_jw_stringn(&w, f->key_written.s ? f->key_written.s : "", f->key_written.n);
        }
        sk_jw_object_end(&w);
    }
    kv_str(&w, "message", ev->message);
    sk_jw_key(&w, "src");
    sk_jw_object_begin(&w);
    sk_jw_key(&w, "sha256");
    sk_jw_stringn(&w, ev->sha256.s ? ev->sha256.s : "", ev->sha256.s ? ev->sha256.n : 0);
    kv_str(&w, "path", ev->path); /* informational: the SHA-256 names the input */
    if (ev->src_has_record_id) sk_jw_kv_u64(&w, "record_id", ev->src_record_id);
    if (ev->src_has_offset) sk_jw_kv_u64(&w, "offset", ev->src_offset);
    if (ev->src_has_line) sk_jw_kv_u64(&w, "line", ev->src_line);
    kv_str(&w, "decoded", ev->decoded);
    sk_jw_object_end(&w);
    kv_str(&w, "format", ev->format);
    if (ev->recovered) sk_jw_kv_bool(&w, "recovered", 1);
    if (h & SK_EVH_VIA) {
        sk_jw_key(&w, "via");
        sk_jw_object_begin(&w);
        kv_str(&w, "sha256", ev->via_sha256);
        kv_str(&w, "path", ev->via_path);
        sk_jw_kv_u64(&w, "line", ev->via_line);
        sk_jw_object_end(&w);
    }
    sk_jw_object_end(&w);
    if (sk_jw_error(&w) || sk_buf_putc(out, '\n')) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}

/* ---- the CSV timeline ---- */

int sk_event_csv_header(sk_buf *out)
{
    return sk_buf_puts(out, "time,computer,channel,event_id,level,record_id,provider,details,sha256,locator\n");
}

/* A value's text on one line: CR, LF and TAB as \r, \n, \t (a backslash stays). */
static void one_line(sk_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '\n' ? "\\n" : s[i] == '\r' ? "\\r" : s[i] == '\t' ? "\\t" : NULL;
        if (!rep) continue;
        sk_buf_append(b, s + run, i - run);
        sk_buf_puts(b, rep);
        run = i + 1;
    }
    sk_buf_append(b, s + run, n - run);
}

static void details_value(sk_buf *b, const sk_event_value *v, int depth)
{
    if (v->kind == SK_EVK_NULL) {
        sk_buf_puts(b, "(null)");
    } else if (v->kind == SK_EVK_ARRAY) {
        for (size_t i = 0; i < v->n_items && depth < 8; i++) {
            if (i) sk_buf_puts(b, " | ");
            details_value(b, &v->items[i], depth + 1);
        }
    } else if (v->s) {
        one_line(b, v->s, v->n);
    }
}

static void csv_cell(sk_buf *out, const char *s, size_t n)
{
    sk_escape_csv(out, s ? s : "", s ? n : 0);
}

int sk_event_write_csv(sk_buf *out, const sk_event *ev)
{
    size_t mark = out->len, fails = out->fails;
    sk_buf d;
    sk_buf_init(&d, (size_t)64 << 20);
    char num[64];
    csv_cell(out, ev->time_text.s, ev->time_text.n);
    sk_buf_putc(out, ',');
    csv_cell(out, ev->computer.s, ev->computer.n);
    sk_buf_putc(out, ',');
    csv_cell(out, ev->channel.s, ev->channel.n);
    sk_buf_putc(out, ',');
    if (ev->has & SK_EVH_EVENT_ID) sk_buf_put_u64(out, ev->event_id);
    sk_buf_putc(out, ',');
    if (ev->has & SK_EVH_LEVEL) sk_buf_put_u64(out, ev->level);
    sk_buf_putc(out, ',');
    if (ev->has & SK_EVH_RECORD_ID) sk_buf_put_u64(out, ev->record_id);
    sk_buf_putc(out, ',');
    csv_cell(out, ev->provider_name.s, ev->provider_name.n);
    sk_buf_putc(out, ',');
    for (size_t i = 0; i < ev->n_fields; i++) {
        const sk_event_field *f = &ev->fields[i];
        if (d.len) sk_buf_puts(&d, " \xc2\xa6 "); /* ¦, as Hayabusa separates them */
        one_line(&d, f->name, f->name_len);
        sk_buf_puts(&d, ": ");
        details_value(&d, &f->v, 0);
    }
    if (!ev->n_fields && ev->message.s) one_line(&d, ev->message.s, ev->message.n);
    csv_cell(out, d.data, d.len);
    sk_buf_putc(out, ',');
    csv_cell(out, ev->sha256.s, ev->sha256.n);
    sk_buf_putc(out, ',');
    int m = 0;
    if (ev->src_has_offset) m = snprintf(num, sizeof num, "offset %llu", (unsigned long long)ev->src_offset);
    else if (ev->src_has_line) m = snprintf(num, sizeof num, "line %llu", (unsigned long long)ev->src_line);
    if (m > 0 && ev->decoded.s) m += snprintf(num + m, sizeof num - (size_t)m, " (%.*s)", (int)(ev->decoded.n < 8 ? ev->decoded.n : 8), ev->decoded.s);
    if (m > 0) csv_cell(out, num, strlen(num));
    int rc = sk_buf_putc(out, '\n');
    int lost = d.fails != 0; /* a value that did not fit the details: not a shorter row */
    sk_buf_free(&d);
    if (rc || lost || out->fails != fails) {
        sk_buf_truncate(out, mark);
        return sk_error_set(SK_ELIMIT, "too large to write");
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

/* ---- XML rebuilt from the view (an event read back from a dump has no tree) ---- */

static void xml_namen(sk_buf *b, const char *n, size_t len)
{
    char tmp[512];
    size_t m = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
    memcpy(tmp, n, m);
    tmp[m] = '\0';
    xml_name(b, tmp);
}

static void xml_attr(sk_buf *b, const char *name, sk_event_str v)
{
    if (!v.s) return;
    sk_buf_putc(b, ' ');
    sk_buf_puts(b, name);
    sk_buf_puts(b, "=\"");
    xml_escape(b, v.s, v.n, 1);
    sk_buf_putc(b, '"');
}

static void xml_text_value(sk_buf *b, const sk_event_value *v)
{
    if (v->kind == SK_EVK_ARRAY) {
        for (size_t i = 0; i < v->n_items; i++) {
            if (i) sk_buf_putc(b, ',');
            if (v->items[i].kind != SK_EVK_NULL && v->items[i].s) xml_escape(b, v->items[i].s, v->items[i].n, 0);
        }
    } else if (v->kind != SK_EVK_NULL && v->s) {
        xml_escape(b, v->s, v->n, 0);
    }
}

/* <tag attrs>text</tag>, or <tag attrs/> when empty. */
static void xml_leaf(sk_buf *b, const char *tag, const char *an, sk_event_str av, const sk_event_value *v)
{
    sk_buf_putc(b, '<');
    sk_buf_puts(b, tag);
    if (an) xml_attr(b, an, av);
    size_t mark = b->len;
    sk_buf_putc(b, '>');
    size_t body = b->len;
    if (v) xml_text_value(b, v);
    if (b->len == body) {
        sk_buf_truncate(b, mark);
        sk_buf_puts(b, "/>");
        return;
    }
    sk_buf_puts(b, "</");
    sk_buf_puts(b, tag);
    sk_buf_putc(b, '>');
}

static void xml_num(sk_buf *b, const char *tag, int has, uint64_t v)
{
    if (!has) return;
    sk_buf_putc(b, '<');
    sk_buf_puts(b, tag);
    sk_buf_putc(b, '>');
    sk_buf_put_u64(b, v);
    sk_buf_puts(b, "</");
    sk_buf_puts(b, tag);
    sk_buf_putc(b, '>');
}

/* A UserData node: an object is an element of its @attributes, #text and children (an
 * array child repeats the element); a value is an element's text. */
static void xml_node(sk_buf *b, const sk_event_node *n, const char *key, size_t kn, int depth)
{
    if (depth > 32) return;
    if (n->is_array) {
        for (const sk_event_node *c = n->child; c; c = c->next) xml_node(b, c, key, kn, depth + 1);
        return;
    }
    sk_buf_putc(b, '<');
    xml_namen(b, key, kn);
    const sk_event_node *text = NULL;
    for (const sk_event_node *c = n->is_object ? n->child : NULL; c; c = c->next) {
        if (c->key.s && c->key.n > 1 && c->key.s[0] == '@' && !c->is_object && !c->is_array) {
            sk_buf_putc(b, ' ');
            xml_namen(b, c->key.s + 1, c->key.n - 1);
            sk_buf_puts(b, "=\"");
            if (c->v.s) xml_escape(b, c->v.s, c->v.n, 1);
            sk_buf_putc(b, '"');
        } else if (c->key.s && c->key.n == 5 && !memcmp(c->key.s, "#text", 5)) {
            text = c;
        }
    }
    size_t mark = b->len;
    sk_buf_putc(b, '>');
    size_t body = b->len;
    if (!n->is_object) xml_text_value(b, &n->v);
    else if (text) xml_text_value(b, &text->v);
    for (const sk_event_node *c = n->is_object ? n->child : NULL; c; c = c->next) {
        if (!c->key.s || (c->key.n && c->key.s[0] == '@') || (c->key.n == 5 && !memcmp(c->key.s, "#text", 5))) continue;
        xml_node(b, c, c->key.s, c->key.n, depth + 1);
    }
    if (b->len == body) {
        sk_buf_truncate(b, mark);
        sk_buf_puts(b, "/>");
        return;
    }
    sk_buf_puts(b, "</");
    xml_namen(b, key, kn);
    sk_buf_putc(b, '>');
}

static void xml_from_view(sk_buf *b, const sk_event *ev)
{
    uint32_t h = ev->has;
    sk_buf_puts(b, "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System><Provider");
    xml_attr(b, "Name", ev->provider_name);
    xml_attr(b, "Guid", ev->provider_guid);
    xml_attr(b, "EventSourceName", ev->event_source_name);
    sk_buf_puts(b, "/>");
    if (h & SK_EVH_EVENT_ID) {
        sk_buf_puts(b, "<EventID");
        if (h & SK_EVH_QUALIFIERS) {
            sk_buf_puts(b, " Qualifiers=\"");
            sk_buf_put_u64(b, ev->qualifiers);
            sk_buf_putc(b, '"');
        }
        sk_buf_putc(b, '>');
        sk_buf_put_u64(b, ev->event_id);
        sk_buf_puts(b, "</EventID>");
    }
    xml_num(b, "Version", (h & SK_EVH_VERSION) != 0, ev->version);
    xml_num(b, "Level", (h & SK_EVH_LEVEL) != 0, ev->level);
    xml_num(b, "Task", (h & SK_EVH_TASK) != 0, ev->task);
    xml_num(b, "Opcode", (h & SK_EVH_OPCODE) != 0, ev->opcode);
    if (h & SK_EVH_KEYWORDS) {
        sk_event_value kw = {.kind = SK_EVK_STRING, .s = ev->keywords_text.s, .n = ev->keywords_text.n};
        xml_leaf(b, "Keywords", NULL, ev->keywords_text, &kw);
    }
    xml_leaf(b, "TimeCreated", "SystemTime", ev->time_text, NULL);
    xml_num(b, "EventRecordID", (h & SK_EVH_RECORD_ID) != 0, ev->record_id);
    if (ev->activity_id.s || ev->related_activity_id.s) {
        sk_buf_puts(b, "<Correlation");
        xml_attr(b, "ActivityID", ev->activity_id);
        xml_attr(b, "RelatedActivityID", ev->related_activity_id);
        sk_buf_puts(b, "/>");
    }
    if (h & (SK_EVH_PROCESS_ID | SK_EVH_THREAD_ID)) {
        char p[24], t[24];
        sk_buf_puts(b, "<Execution");
        if (h & SK_EVH_PROCESS_ID) xml_attr(b, "ProcessID", (sk_event_str){p, (size_t)snprintf(p, sizeof p, "%llu", (unsigned long long)ev->process_id)});
        if (h & SK_EVH_THREAD_ID) xml_attr(b, "ThreadID", (sk_event_str){t, (size_t)snprintf(t, sizeof t, "%llu", (unsigned long long)ev->thread_id)});
        sk_buf_puts(b, "/>");
    }
    sk_event_value ch = {.kind = SK_EVK_STRING, .s = ev->channel.s, .n = ev->channel.n};
    sk_event_value co = {.kind = SK_EVK_STRING, .s = ev->computer.s, .n = ev->computer.n};
    xml_leaf(b, "Channel", NULL, (sk_event_str){NULL, 0}, &ch);
    xml_leaf(b, "Computer", NULL, (sk_event_str){NULL, 0}, &co);
    if (ev->user_id.s) {
        sk_buf_puts(b, "<Security");
        xml_attr(b, "UserID", ev->user_id);
        sk_buf_puts(b, "/>");
    }
    sk_buf_puts(b, "</System>");
    if (h & SK_EVH_EVENTDATA) {
        sk_buf_puts(b, "<EventData>");
        for (size_t i = 0; i < ev->n_fields; i++) {
            const sk_event_field *f = &ev->fields[i];
            if (f->where == SK_EVW_USERDATA) continue;
            if (f->name_len == 4 && !memcmp(f->name, "Data", 4) && f->v.kind == SK_EVK_ARRAY) { /* the unnamed ones */
                for (size_t k = 0; k < f->v.n_items; k++) xml_leaf(b, "Data", NULL, (sk_event_str){NULL, 0}, &f->v.items[k]);
                continue;
            }
            xml_leaf(b, "Data", "Name", (sk_event_str){f->name, f->name_len}, &f->v);
        }
        sk_buf_puts(b, "</EventData>");
    }
    if (h & SK_EVH_USERDATA) {
        sk_buf_puts(b, "<UserData>");
        for (const sk_event_node *c = ev->userdata; c; c = c->next) xml_node(b, c, c->key.s ? c->key.s : "", c->key.n, 0);
        sk_buf_puts(b, "</UserData>");
    }
    sk_buf_puts(b, "</Event>");
}

int sk_event_write_xml(sk_buf *out, const sk_event *ev)
{
    if (ev->xml) return sk_xnode_write_xml(out, ev->xml);
    size_t mark = out->len, fails = out->fails;
    xml_from_view(out, ev);
    if (sk_buf_putc(out, '\n') || out->fails != fails) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}

int sk_xnode_write_xml(sk_buf *out, const sk_xnode *ev)
{
    size_t mark = out->len, fails = out->fails;
    xml_elem(out, ev, 0);
    if (sk_buf_putc(out, '\n') || out->fails != fails) {
        sk_buf_truncate(out, mark);
        return SK_ELIMIT;
    }
    return 0;
}
