/*
 * netlog_fwcsv.c - firewall logs exported as CSV (RFC 4180: quoted fields, "" inside
 * them, line breaks inside quotes; a record's line is its first). The header row names
 * the columns; the field map (netlog_map.c: the user's entries, else the built-in names
 * of FortiGate, Palo Alto and generic exports) says which column is which record field;
 * columns no field takes are kept as fields_extra by their header names. Times are the
 * appliance's local time (read with the options' zone) from one column or from date and
 * time columns; a denied connection is an attempt, an allowed one established when
 * bytes came back, else unknown. ICMP has no ports. A record open in a quoted field for
 * more than NL_CSV_MAX_REC_LINES lines or SK_NETLOG_MAX_LINE bytes is reported at its
 * first line and dropped, so memory stays bounded.
 */
#include <string.h>

#include "netlog_int.h"

#define NL_CSV_MAX_REC_LINES 64

/* the fields of one record (decoded into out, which has room for n bytes); 0 when a
 * quote is malformed, else the number of fields (at most max: *more set past it) */
static size_t csv_split(const char *s, size_t n, char *out, size_t *off, size_t *len, size_t max, int *more, int *bad)
{
    size_t nf = 0, i = 0, o = 0;
    *more = 0;
    *bad = 0;
    for (;;) {
        size_t st = o;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) { *bad = 1; return 0; }
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') { out[o++] = '"'; i += 2; continue; }
                    i++;
                    break;
                }
                out[o++] = s[i++];
            }
            if (i < n && s[i] != ',') { *bad = 1; return 0; } /* text after the closing quote */
        } else {
            while (i < n && s[i] != ',') out[o++] = s[i++];
        }
        if (nf < max) off[nf] = st, len[nf] = o - st;
        else *more = 1;
        nf++;
        if (i >= n) break;
        i++; /* the comma */
    }
    return nf;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

int nl_fwcsv_detect(const nl_map *map, const char *l, size_t n)
{
    /* a header naming a column the user's map names, or a source or destination address
     * column the built-in names know and one more known column */
    if (!memchr(l, ',', n) || n > 8192) return 0;
    nl_map m;
    memset(&m, 0, sizeof m);
    if (map) m = *map; /* a shallow copy: only read */
    int addr = 0, known = 0, user = 0;
    size_t i = 0;
    while (i <= n) {
        const char *e = memchr(l + i, ',', n - i);
        size_t len = e ? (size_t)(e - (l + i)) : n - i;
        const char *c = l + i;
        size_t cn = len;
        if (cn >= 2 && c[0] == '"' && c[cn - 1] == '"') c++, cn -= 2;
        int f = nl_map_csv_field(&m, c, cn);
        if (f >= 0) known++;
        if (f >= 0 && m.name[f]) user = 1; /* a column the user's map names */
        if (f == NL_F_SRC_IP || f == NL_F_DST_IP) addr = 1;
        if (!e) break;
        i += len + 1;
    }
    return user || (addr && known >= 2);
}

static int header(sk_netlog_reader *r, const char *s, size_t n)
{
    nl_csv *c = &r->csv;
    sk_buf_reset(&c->names);
    if (sk_buf_reserve(&c->names, n + 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    int more, bad;
    size_t nf = csv_split(s, n, c->names.data, c->name_off, c->name_len, NL_CSV_MAX_COLS, &more, &bad);
    c->have_header = 1;
    c->header_bad = 1;
    if (bad || more) {
        nl_error(r, c->rec_line, bad ? "the header's quotes do not read" : "a header of more than %d columns", NL_CSV_MAX_COLS);
        return 0;
    }
    c->names.len = n;
    c->n_cols = nf;
    int addr = 0;
    for (size_t k = 0; k < nf; k++) {
        int f = nl_map_csv_field(&r->map, c->names.data + c->name_off[k], c->name_len[k]);
        /* one column per field: the first that names it */
        for (size_t j = 0; f >= 0 && j < k; j++)
            if (c->field[j] == f) f = -1;
        c->field[k] = (short)f;
        if (f == NL_F_SRC_IP || f == NL_F_DST_IP) addr = 1;
    }
    /* a column the user named that the header lacks */
    for (int f = 0; f < NL_F_COUNT; f++) {
        if (!r->map.name[f] || !r->map.name[f][0]) continue;
        int found = 0;
        for (size_t k = 0; k < nf; k++) found |= c->field[k] == f;
        if (!found) {
            nl_error(r, c->rec_line, "the field map's column '%.60s' (%s) is not in the header", r->map.name[f], nl_fld_name(f));
            return 0;
        }
    }
    if (!addr) {
        nl_error(r, c->rec_line, "the header names no source or destination address column (see --map)");
        return 0;
    }
    c->header_bad = 0;
    return 0;
}

static int record(sk_netlog_reader *r, const char *s, size_t n)
{
    nl_csv *c = &r->csv;
    if (c->header_bad) {
        nl_error(r, c->rec_line, "a record under a header that does not read");
        return 0;
    }
    sk_buf_reset(&r->scratch);
    if (sk_buf_reserve(&r->scratch, n + 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    char *out = r->scratch.data;
    size_t off[NL_CSV_MAX_COLS], len[NL_CSV_MAX_COLS];
    int more, bad;
    size_t nf = csv_split(s, n, out, off, len, NL_CSV_MAX_COLS, &more, &bad);
    if (bad) {
        nl_error(r, c->rec_line, "a quoted field that does not read (text after its closing quote)");
        return 0;
    }
    if (nf != c->n_cols) {
        nl_error(r, c->rec_line, "%zu fields where the header names %zu", nf, c->n_cols);
        return 0;
    }
    sk_netrec rec;
    nl_rec_init(&rec, c->rec_line, r->map.kind[0] ? r->map.kind : "fw");
    char mac[18];
    const char *tv[3] = {0};
    size_t tl[3] = {0};
    for (size_t k = 0; k < nf; k++) {
        char *v = out + off[k];
        size_t vn = len[k];
        if (!vn || is_blank(v, vn)) continue; /* empty: absent */
        if (nl_want_cols(r) && nl_col_add(r, c->names.data + c->name_off[k], c->name_len[k], v, vn)) return SK_ENOMEM;
        int f = c->field[k];
        if (f < 0) {
            if (rec.n_extra < SK_NETREC_MAX_EXTRA) {
                rec.extra_key[rec.n_extra] = (sk_nstr){c->names.data + c->name_off[k], c->name_len[k]};
                rec.extra_val[rec.n_extra++] = (sk_nstr){v, vn};
            }
            continue;
        }
        if (f == NL_F_TS || f == NL_F_DATE || f == NL_F_TIME) {
            tv[f] = v, tl[f] = vn;
            continue;
        }
        if (nl_map_set(&rec, f, v, vn, mac)) {
            size_t hn = c->name_len[k];
            nl_error(r, c->rec_line, "%.*s '%.*s' does not read", (int)(hn > 60 ? 60 : hn), c->names.data + c->name_off[k],
                     (int)(vn > 60 ? 60 : vn), v);
            return 0;
        }
    }
    /* the time: one column, or date and time (a "time" column alone may hold both) */
    char b[80];
    const char *ts = tv[NL_F_TS];
    size_t tsn = tl[NL_F_TS];
    if (!ts && tv[NL_F_DATE] && tv[NL_F_TIME] && tl[NL_F_DATE] + tl[NL_F_TIME] + 1 < sizeof b) {
        memcpy(b, tv[NL_F_DATE], tl[NL_F_DATE]);
        b[tl[NL_F_DATE]] = ' ';
        memcpy(b + tl[NL_F_DATE] + 1, tv[NL_F_TIME], tl[NL_F_TIME]);
        ts = b, tsn = tl[NL_F_DATE] + 1 + tl[NL_F_TIME];
    } else if (!ts && tv[NL_F_TIME]) {
        ts = tv[NL_F_TIME], tsn = tl[NL_F_TIME];
    }
    if (!ts) {
        nl_error(r, c->rec_line, "no time");
        return 0;
    }
    if (nl_datetime(r, ts, tsn, &rec.ts, &rec.ts_quality)) {
        nl_error(r, c->rec_line, "the time '%.*s' does not read", (int)(tsn > 60 ? 60 : tsn), ts);
        return 0;
    }
    if (rec.proto.s && rec.proto.n == 4 && !memcmp(rec.proto.s, "icmp", 4)) rec.has &= ~(unsigned)(SK_NR_SRC_PORT | SK_NR_DST_PORT);
    nl_map_outcome(&rec);
    return nl_emit(r, &rec);
}

/* a whole record in c->rec */
static int complete(sk_netlog_reader *r)
{
    nl_csv *c = &r->csv;
    const char *s = c->rec.data ? c->rec.data : "";
    size_t n = c->rec.len;
    c->rec_lines = 0;
    int rc = c->have_header ? record(r, s, n) : header(r, s, n);
    sk_buf_reset(&c->rec);
    return rc;
}

static void drop(sk_netlog_reader *r, const char *why)
{
    nl_csv *c = &r->csv;
    nl_error(r, c->rec_line, "%s", why);
    sk_buf_reset(&c->rec);
    c->open = 0;
    c->rec_lines = 0;
}

void nl_fwcsv_broken(sk_netlog_reader *r)
{
    if (r->csv.open) drop(r, "a record whose quoted field holds a line that does not read (skipped)");
}

int nl_fwcsv_end(sk_netlog_reader *r)
{
    if (r->csv.open) drop(r, "a quoted field the input ends inside (skipped)");
    return 0;
}

int nl_fwcsv_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_csv *c = &r->csv;
    if (!c->open) {
        if (is_blank(s, n)) return 0;
        c->rec_line = r->lineno;
        sk_buf_reset(&c->rec);
    } else {
        /* the line break inside the quotes is part of the value */
        if (++c->rec_lines >= NL_CSV_MAX_REC_LINES || c->rec.len + n + 2 > SK_NETLOG_MAX_LINE) {
            drop(r, "a quoted field open for too many lines or bytes (skipped)");
            return 0;
        }
        if (sk_buf_append(&c->rec, c->last_cr ? "\r\n" : "\n", c->last_cr ? 2 : 1)) return sk_error_set(SK_ENOMEM, "out of memory");
    }
    if (sk_buf_append(&c->rec, s, n)) return sk_error_set(SK_ENOMEM, "out of memory");
    c->last_cr = r->cr;
    /* quotes seen so far: an odd count leaves a field open (only the new line is scanned) */
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') c->open = !c->open;
    if (c->open) {
        if (!c->rec_lines) c->rec_lines = 1;
        return 0;
    }
    return complete(r);
}
