/*
 * ioc_csv.c - indicator sets from CSV with named columns (RFC 4180: ',' between
 * fields, '"' quoting with "" inside, quoted fields may hold commas and line ends, CRLF
 * or LF). The first line that is not blank or a '#' comment is the header; it makes a
 * file CSV when every cell is a plain name (letters, digits, '_', '-', ' ') and one
 * names the value column (value, indicator, ioc, observable, ...). Other columns known
 * by name: the type (else the value's form tells it), a comment or description, the
 * feed it came from, an id, and the validity window (valid_from / first_seen,
 * valid_until / expires exclusive, last_seen inclusive). Unknown columns are ignored.
 * A record is bounded (64 KiB, 256 fields); an unterminated quote ends the file with a
 * diagnostic.
 */
#include <stdlib.h>
#include <string.h>

#include "ioc_int.h"

#define CSV_MAX_RECORD (64u << 10)
#define CSV_MAX_FIELDS 256

enum col { C_NONE, C_VALUE, C_TYPE, C_COMMENT, C_FEED, C_ID, C_FROM, C_UNTIL, C_LAST };

static const struct { const char *name; enum col col; } columns[] = {
    {"value", C_VALUE}, {"indicator", C_VALUE}, {"ioc", C_VALUE}, {"observable", C_VALUE}, {"ioc_value", C_VALUE},
    {"indicator_value", C_VALUE}, {"observable_value", C_VALUE},
    {"type", C_TYPE}, {"indicator_type", C_TYPE}, {"ioc_type", C_TYPE}, {"observable_type", C_TYPE}, {"kind", C_TYPE},
    {"comment", C_COMMENT}, {"comments", C_COMMENT}, {"description", C_COMMENT}, {"note", C_COMMENT}, {"notes", C_COMMENT},
    {"title", C_COMMENT}, {"name", C_COMMENT},
    {"source", C_FEED}, {"feed", C_FEED}, {"provider", C_FEED}, {"origin", C_FEED},
    {"id", C_ID}, {"uuid", C_ID}, {"indicator_id", C_ID},
    {"valid_from", C_FROM}, {"first_seen", C_FROM}, {"firstseen", C_FROM}, {"valid_start", C_FROM}, {"start", C_FROM},
    {"valid_until", C_UNTIL}, {"valid_to", C_UNTIL}, {"expires", C_UNTIL}, {"expiration", C_UNTIL}, {"expiry", C_UNTIL},
    {"last_seen", C_LAST}, {"lastseen", C_LAST},
};

/* a header cell's column: case and ' '/'-' against '_' ignored, surrounding blanks and
 * quotes dropped; C_NONE for a name not known, -1 for a cell that is no name */
static int column_of(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t')) n--;
    while (n && (s[0] == ' ' || s[0] == '\t')) s++, n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    if (!n || n > 40) return -1;
    char k[41];
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        else if (c == ' ' || c == '-') c = '_';
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return -1;
        k[i] = c;
    }
    k[n] = 0;
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        if (!strcmp(k, columns[i].name)) return (int)columns[i].col;
    return C_NONE;
}

int ioc_csv_is_header(const char *line, size_t n)
{
    int value = 0;
    size_t at = 0;
    while (at <= n) {
        const char *c = memchr(line + at, ',', n - at);
        size_t cn = c ? (size_t)(c - line) - at : n - at;
        int col = column_of(line + at, cn);
        if (col < 0) return 0;
        if (col == C_VALUE) value = 1;
        at += cn + 1;
        if (!c) break;
    }
    return value;
}

typedef struct rec {
    char *buf;                  /* the fields' bytes, each NUL-terminated */
    size_t len;
    size_t off[CSV_MAX_FIELDS], flen[CSV_MAX_FIELDS];
    size_t n;
} rec;

/* read one record at *p; 1 read, 0 at the end, -1 unterminated quote or too long
 * (*p then at the end). *line counts the line ends passed. */
static int next_record(const char *d, size_t n, size_t *p, rec *r, uint64_t *line)
{
    size_t i = *p;
    r->len = 0;
    r->n = 0;
    if (i >= n) return 0;
    int too_long = 0;
    for (;;) {
        size_t start = r->len;
        if (i < n && d[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) { *p = n; return -1; }
                char c = d[i++];
                if (c == '"') {
                    if (i < n && d[i] == '"') c = d[i++];
                    else break;
                }
                if (c == '\n') ++*line;
                if (r->len + 1 < CSV_MAX_RECORD) r->buf[r->len++] = c;
                else too_long = 1;
            }
        }
        while (i < n && d[i] != ',' && d[i] != '\n') { /* unquoted, or what follows a closing quote */
            if (r->len + 1 < CSV_MAX_RECORD) r->buf[r->len++] = d[i];
            else too_long = 1;
            i++;
        }
        size_t fl = r->len - start;
        if (fl && r->buf[r->len - 1] == '\r' && (i >= n || d[i] == '\n')) r->len--, fl--;
        if (r->n < CSV_MAX_FIELDS) {
            r->off[r->n] = start;
            r->flen[r->n] = fl;
            r->n++;
        }
        if (r->len + 1 < CSV_MAX_RECORD) r->buf[r->len++] = 0;
        else too_long = 1;
        if (i >= n || d[i] == '\n') {
            if (i < n) ++*line;
            *p = i + 1;
            return too_long ? -2 : 1;
        }
        i++; /* the ',' */
    }
}

int ioc_add_csv(ioc_load *ld, const char *d, size_t n)
{
    rec *r = malloc(sizeof *r);
    char *buf = malloc(CSV_MAX_RECORD);
    if (!r || !buf) {
        free(r);
        free(buf);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    r->buf = buf;
    int map[CSV_MAX_FIELDS];
    size_t ncols = 0;
    int have_header = 0, rc = 0;
    uint64_t line = 1;
    size_t p = 0;
    while (!rc) {
        uint64_t at = line;
        int k = next_record(d, n, &p, r, &line);
        if (k == 0) break;
        if (k == -1) {
            ioc_say(ld, at, "an unterminated quote: the rest of the file is not read");
            ld->s->st.refused++;
            break;
        }
        if (k == -2) {
            ioc_say(ld, at, "a record longer than 64 KiB: no indicator");
            ld->s->st.refused++;
            continue;
        }
        const char *f0 = r->buf + r->off[0];
        size_t b = 0;
        while (b < r->flen[0] && (f0[b] == ' ' || f0[b] == '\t')) b++;
        if ((r->n == 1 && b == r->flen[0]) || (b < r->flen[0] && f0[b] == '#')) continue; /* blank, comment */
        if (!have_header) {
            have_header = 1;
            ncols = r->n;
            for (size_t c = 0; c < r->n; c++) {
                int col = column_of(r->buf + r->off[c], r->flen[c]);
                map[c] = col < 0 ? C_NONE : col;
                for (size_t e = 0; e < c && col > C_NONE; e++)
                    if (map[e] == col) map[c] = C_NONE; /* a repeated column: the first one counts */
            }
            continue;
        }
        ioc_meta m = {.line = at, .valid_from = SK_TIME_NONE, .valid_until = SK_TIME_NONE};
        const char *value = NULL, *type = NULL;
        size_t vn = 0, tn = 0;
        int bad_time = 0;
        for (size_t c = 0; c < r->n && c < ncols; c++) {
            const char *f = r->buf + r->off[c];
            size_t fl = r->flen[c];
            size_t fb = 0;
            while (fb < fl && (f[fb] == ' ' || f[fb] == '\t')) fb++;
            if (fb == fl && map[c] != C_VALUE) continue;
            switch (map[c]) {
            case C_VALUE: value = f, vn = fl; break;
            case C_TYPE: type = f + fb, tn = fl - fb; break;
            case C_COMMENT:
                if (!m.comment && !(m.comment = ioc_strdup(ld, f + fb, fl - fb))) rc = SK_ENOMEM;
                break;
            case C_FEED:
                if (!(m.feed = ioc_strdup(ld, f + fb, fl - fb))) rc = SK_ENOMEM;
                break;
            case C_ID:
                if (!(m.id = ioc_strdup(ld, f + fb, fl - fb))) rc = SK_ENOMEM;
                break;
            case C_FROM:
                if (ioc_time_parse(f, fl, 0, &m.valid_from)) bad_time = (int)c + 1;
                break;
            case C_UNTIL: case C_LAST:
                if (m.valid_until == SK_TIME_NONE || map[c] == C_UNTIL)
                    if (ioc_time_parse(f, fl, map[c] == C_UNTIL ? 1 : 2, &m.valid_until)) bad_time = (int)c + 1;
                break;
            default: break;
            }
        }
        if (rc) break;
        if (!value) {
            ioc_say(ld, at, "no value in its column");
            ld->s->st.refused++;
            continue;
        }
        if (bad_time) {
            const char *f = r->buf + r->off[bad_time - 1];
            ioc_say(ld, at, "'%.*s' is no time (ISO 8601, a date, or epoch seconds): no indicator", (int)(r->flen[bad_time - 1] > 60 ? 60 : r->flen[bad_time - 1]), f);
            ld->s->st.refused++;
            continue;
        }
        int t = IOC_AUTO;
        if (type && tn) {
            t = ioc_type_from_name(type, tn);
            if (t < 0) {
                ioc_say(ld, at, "type '%.*s' is none this set matches: not loaded", (int)(tn > 40 ? 40 : tn), type);
                ld->s->st.unsupported++;
                continue;
            }
        }
        rc = ioc_add_value(ld, t, value, vn, &m);
        if (rc > 0) rc = 0;
    }
    free(buf);
    free(r);
    return rc;
}
