/*
 * netlog_zeek.c - Zeek logs, ASCII (the #separator/#fields/#types header names the
 * columns; '-' unset, '(empty)' an empty set, \xNN escapes) and JSON (one object a
 * line; unset fields absent; ts as epoch seconds or ISO 8601). The kind is the log's
 * path (#path, _path) or, for JSON without one, told by its fields. conn_state gives
 * the outcome as Zeek documents it: SF S1 S2 S3 RSTO established; S0 REJ RSTOS0 SH
 * attempted; the rest unknown. ssl's `established` flag likewise.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/json.h>

#include "netlog_int.h"

void nl_zeek_free(nl_zeek *z)
{
    for (size_t i = 0; i < z->n_fields; i++) free(z->names[i]);
    z->n_fields = 0;
    z->have_fields = 0;
}

typedef struct zrec {
    sk_netrec rec;
    int icmp;
    int dns_a;              /* qtype A or AAAA: non-address answers are CNAME targets */
    const char *conn_state;
    size_t conn_state_n;
    int established;        /* ssl: -1 unset, 0 F, 1 T */
    int kind_known;
    int kind_cached, is_conn, is_http; /* rec.kind told once */
} zrec;

static const char *kind_of(const char *p, size_t n)
{
    static const char *const kinds[] = {"conn", "dns", "http", "ssl", "files"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == n && !memcmp(kinds[i], p, n)) return kinds[i];
    return NULL;
}

/* Zeek's own log names (base and policy scripts): a JSON log named so is of that kind,
 * whatever members it has (kerberos has a cipher, smb_files a fuid) */
static int zeek_log_name(const char *p)
{
    static const char *const names[] = {"conn", "dns", "http", "ssl", "files", "x509", "smb_files", "smb_mapping", "dce_rpc",
                                        "kerberos", "ntlm", "rdp", "ssh", "dhcp", "notice", "weird", "ftp", "smtp", "sip",
                                        "snmp", "socks", "tunnel", "pe", "irc", "mysql", "radius", "modbus", "dnp3", "ocsp",
                                        "software", "known_hosts", "known_services", "known_certs", "intel", "signatures",
                                        "traceroute", "capture_loss", "stats", "reporter", "loaded_scripts", "packet_filter",
                                        "syslog", "ntp", "quic", "analyzer", "conn_long", NULL};
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(p, names[i])) return 1;
    return 0;
}

static int is_name(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && !memcmp(a, b, an);
}

/* the fields zfield reads (answers as a vector), by an id told once per column: any
 * other is skipped unread */
enum zf { ZF_NONE = 0, ZF_ANSWERS, ZF_CONN_STATE, ZF_ESTABLISHED, ZF_HOST, ZF_ID_ORIG_H, ZF_ID_ORIG_P, ZF_ID_RESP_H, ZF_ID_RESP_P, ZF_MD5, ZF_METHOD, ZF_ORIG_BYTES, ZF_PROTO, ZF_QTYPE_NAME, ZF_QUERY, ZF_RCODE_NAME, ZF_REQUEST_BODY_LEN, ZF_RESP_BYTES, ZF_RESPONSE_BODY_LEN, ZF_SERVER_NAME, ZF_SHA1, ZF_SHA256, ZF_STATUS_CODE, ZF_TS, ZF_UID, ZF_URI, ZF_USER_AGENT, ZF_USERNAME, ZF_COUNT };
static const char *const zf_names[ZF_COUNT] = {NULL, "answers", "conn_state", "established", "host", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "md5", "method", "orig_bytes", "proto", "qtype_name", "query", "rcode_name", "request_body_len", "resp_bytes", "response_body_len", "server_name", "sha1", "sha256", "status_code", "ts", "uid", "uri", "user_agent", "username"};

static int zeek_field_id(const char *nm, size_t n)
{
    for (int i = 1; i < ZF_COUNT; i++)
        if (strlen(zf_names[i]) == n && !memcmp(zf_names[i], nm, n)) return i;
    return ZF_NONE;
}

/* a value that must parse did not */
#define BAD (-2)

/* One field. v[0..n) is decoded; items (sets, vectors) are separate. */
static int zfield(sk_netlog_reader *r, zrec *z, int id, char *v, size_t n, sk_nstr *items, size_t n_items, int is_vector)
{
    sk_netrec *rec = &z->rec;
    /* the record's kind, told once a record (it was every field's cost) */
    if (!z->kind_cached) {
        z->is_conn = rec->kind && !strcmp(rec->kind, "conn");
        z->is_http = rec->kind && !strcmp(rec->kind, "http");
        z->kind_cached = 1;
    }
    int conn = z->is_conn, http = z->is_http;
    switch (id) {
    case ZF_TS:
        /* epoch seconds, else ISO 8601 (which has a '-' that epoch seconds never have) */
        if (!(n && v[0] >= '0' && v[0] <= '9' && !nl_epoch(v, n, &rec->ts))) {
            sk_stamp st;
            if (memchr(v, '-', n) == NULL || sk_time_parse_iso8601(v, n, NULL, &st)) return BAD;
            rec->ts = st.utc;
        }
        rec->ts_quality = SK_TQ_UTC;
        return 0;
    case ZF_UID: rec->uid = (sk_nstr){v, n}; return 0;
    case ZF_ID_ORIG_H:
        if (sk_ip_parse(v, n, &rec->src_ip)) return BAD;
        rec->has |= SK_NR_SRC_IP;
        return 0;
    case ZF_ID_RESP_H:
        if (sk_ip_parse(v, n, &rec->dst_ip)) return BAD;
        rec->has |= SK_NR_DST_IP;
        return 0;
    case ZF_ID_ORIG_P:
        if (nl_port(v, n, &rec->src_port)) return BAD;
        rec->has |= SK_NR_SRC_PORT;
        return 0;
    case ZF_ID_RESP_P:
        if (nl_port(v, n, &rec->dst_port)) return BAD;
        rec->has |= SK_NR_DST_PORT;
        return 0;
    case ZF_PROTO:
        for (size_t i = 0; i < n; i++)
            if (v[i] >= 'A' && v[i] <= 'Z') v[i] = (char)(v[i] + 32);
        rec->proto = (sk_nstr){v, n};
        z->icmp = n == 4 && !memcmp(v, "icmp", 4);
        return 0;
    case ZF_ORIG_BYTES:
    case ZF_REQUEST_BODY_LEN:
        if (!(conn && id == ZF_ORIG_BYTES) && !(http && id == ZF_REQUEST_BODY_LEN)) return 0;
        if (nl_u64(v, n, &rec->bytes_out)) return BAD;
        rec->has |= SK_NR_BYTES_OUT;
        return 0;
    case ZF_RESP_BYTES:
    case ZF_RESPONSE_BODY_LEN:
        if (!(conn && id == ZF_RESP_BYTES) && !(http && id == ZF_RESPONSE_BODY_LEN)) return 0;
        if (nl_u64(v, n, &rec->bytes_in)) return BAD;
        rec->has |= SK_NR_BYTES_IN;
        return 0;
    case ZF_CONN_STATE: z->conn_state = v, z->conn_state_n = n; return 0;
    case ZF_HOST:
        if (http) {
            uint16_t p;
            int hp = 0;
            nl_host(v, &n, &p, &hp);
            if (n) rec->host = (sk_nstr){v, n};
        }
        return 0;
    case ZF_URI: if (http) rec->url = (sk_nstr){v, n}; return 0;
    case ZF_METHOD: if (http) rec->method = (sk_nstr){v, n}; return 0;
    case ZF_USER_AGENT: if (http) rec->user_agent = (sk_nstr){v, n}; return 0;
    case ZF_USERNAME: if (http) rec->user = (sk_nstr){v, n}; return 0;
    case ZF_STATUS_CODE:
        if (http) {
            uint64_t st;
            if (nl_u64(v, n, &st) || st > 999) return BAD;
            rec->status = (int)st;
            rec->has |= SK_NR_STATUS;
        }
        return 0;
    case ZF_QUERY:
        rec->host = (sk_nstr){v, n};
        for (size_t i = 0; i < n; i++)
            if (v[i] >= 'A' && v[i] <= 'Z') v[i] = (char)(v[i] + 32);
        if (n && v[n - 1] == '.') rec->host.n--;
        return 0;
    case ZF_QTYPE_NAME:
        rec->qtype = (sk_nstr){v, n};
        z->dns_a = (n == 1 && v[0] == 'A') || (n == 4 && !memcmp(v, "AAAA", 4));
        return 0;
    case ZF_RCODE_NAME: rec->rcode = (sk_nstr){v, n}; return 0;
    case ZF_ANSWERS:
        if (is_vector)
            for (size_t i = 0; i < n_items && rec->n_answers < SK_NETREC_MAX_ANSWERS; i++) rec->answers[rec->n_answers++] = items[i];
        return 0;
    case ZF_SERVER_NAME: {
        rec->sni = (sk_nstr){v, n};
        /* the normalized host is a copy: the SNI stays as logged */
        size_t off = r->scratch.len;
        if (sk_buf_append(&r->scratch, v, n)) return SK_ENOMEM;
        char *h = r->scratch.data + off;
        size_t hn = n;
        uint16_t p;
        int hp = 0;
        nl_host(h, &hn, &p, &hp);
        if (hn) rec->host = (sk_nstr){h, hn};
        return 0;
    }
    case ZF_ESTABLISHED:
        if (n == 1 && (v[0] == 'T' || v[0] == 'F')) z->established = v[0] == 'T';
        else if (n == 4 && !memcmp(v, "true", 4)) z->established = 1;
        else if (n == 5 && !memcmp(v, "false", 5)) z->established = 0;
        else return BAD;
        return 0;
    case ZF_MD5: rec->md5 = (sk_nstr){v, n}; return 0;
    case ZF_SHA1: rec->sha1 = (sk_nstr){v, n}; return 0;
    case ZF_SHA256: rec->sha256 = (sk_nstr){v, n}; return 0;
    default: return 0;
    }
}

static void zfinish(zrec *z)
{
    sk_netrec *rec = &z->rec;
    if (z->icmp) rec->has &= ~(unsigned)(SK_NR_SRC_PORT | SK_NR_DST_PORT);
    if (z->conn_state) {
        static const char *const est[] = {"SF", "S1", "S2", "S3", "RSTO"};
        static const char *const att[] = {"S0", "REJ", "RSTOS0", "SH"};
        rec->outcome = SK_NR_UNKNOWN;
        for (size_t i = 0; i < 5; i++)
            if (is_name(z->conn_state, z->conn_state_n, est[i])) rec->outcome = SK_NR_ESTABLISHED;
        for (size_t i = 0; i < 4; i++)
            if (is_name(z->conn_state, z->conn_state_n, att[i])) rec->outcome = SK_NR_ATTEMPTED;
    }
    if (z->established >= 0) rec->outcome = z->established ? SK_NR_ESTABLISHED : SK_NR_ATTEMPTED;
    if (z->dns_a)
        for (size_t i = 0; i < rec->n_answers; i++) {
            sk_ip ip;
            if (sk_ip_parse(rec->answers[i].s, rec->answers[i].n, &ip) && rec->n_cname < SK_NETREC_MAX_ANSWERS)
                rec->cname[rec->n_cname++] = rec->answers[i];
        }
}

/* Escapes decoded in place (Zeek's ASCII writer: \xNN for a separator or an unprintable
 * byte, \\ for a backslash); the new length */
static size_t unescape(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\') {
            s[o++] = '\\';
            i++;
            continue;
        }
        if (s[i] == '\\' && i + 3 < n + 0 && s[i + 1] == 'x') {
            int h = 0, ok = 1;
            for (int k = 2; k < 4; k++) {
                char c = s[i + k];
                h = h * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : (ok = 0));
            }
            if (ok) {
                s[o++] = (char)h;
                i += 3;
                continue;
            }
        }
        s[o++] = s[i];
    }
    return o;
}

static int header_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_zeek *z = &r->z;
    if (n >= 11 && !memcmp(s, "#separator ", 11)) {
        char *v = s + 11;
        size_t vn = unescape(v, n - 11);
        if (vn == 1) z->sep = v[0];
        return 0;
    }
    char sep = z->sep;
    char *tab = memchr(s, sep, n);
    if (!tab) return 0;
    size_t kn = (size_t)(tab - s);
    char *v = tab + 1;
    size_t vn = n - kn - 1;
    if (kn == 14 && !memcmp(s, "#set_separator", 14)) {
        vn = unescape(v, vn);
        if (vn == 1) z->set_sep = v[0];
    } else if (kn == 12 && !memcmp(s, "#empty_field", 12) && vn < sizeof z->empty) {
        memcpy(z->empty, v, vn), z->empty[vn] = 0;
    } else if (kn == 12 && !memcmp(s, "#unset_field", 12) && vn < sizeof z->unset) {
        memcpy(z->unset, v, vn), z->unset[vn] = 0;
    } else if (kn == 5 && !memcmp(s, "#path", 5) && vn < sizeof z->path) {
        memcpy(z->path, v, vn), z->path[vn] = 0;
        z->kind = NULL;
    } else if (kn == 7 && !memcmp(s, "#fields", 7)) {
        nl_zeek_free(z);
        size_t i = 0;
        while (i <= vn && z->n_fields < NL_MAX_FIELDS) {
            char *e = memchr(v + i, sep, vn - i);
            size_t len = e ? (size_t)(e - (v + i)) : vn - i;
            char *nm = malloc(len + 1);
            if (!nm) return sk_error_set(SK_ENOMEM, "out of memory");
            memcpy(nm, v + i, len), nm[len] = 0;
            z->is_time[z->n_fields] = 0;
            z->fid[z->n_fields] = (unsigned char)zeek_field_id(nm, len);
            z->name_len[z->n_fields] = (uint16_t)(len > 65535 ? 65535 : len);
            z->names[z->n_fields++] = nm;
            if (!e) break;
            i += len + 1;
        }
        z->have_fields = 1;
    } else if (kn == 6 && !memcmp(s, "#types", 6)) {
        size_t i = 0, f = 0;
        while (i <= vn && f < z->n_fields) {
            char *e = memchr(v + i, sep, vn - i);
            size_t len = e ? (size_t)(e - (v + i)) : vn - i;
            z->is_time[f++] = (len == 4 && !memcmp(v + i, "time", 4)) || (len == 8 && !memcmp(v + i, "interval", 8));
            if (!e) break;
            i += len + 1;
        }
    }
    return 0;
}

int nl_zeek_tsv_line(sk_netlog_reader *r, char *s, size_t n)
{
    nl_zeek *z = &r->z;
    if (!n) return 0;
    if (s[0] == '#') return header_line(r, s, n);
    if (!z->have_fields) {
        nl_error(r, r->lineno, "a Zeek record before any #fields line");
        return 0;
    }
    /* cut the fields */
    char *f[NL_MAX_FIELDS + 1];
    size_t fl[NL_MAX_FIELDS + 1];
    int esc; /* no backslash in the line: nothing to decode */
    size_t nf = nl_cut_fields(s, n, z->sep, f, fl, NL_MAX_FIELDS + 1, &esc);
    if (nf != z->n_fields) {
        nl_error(r, r->lineno, "%zu fields where #fields names %zu", nf, z->n_fields);
        return 0;
    }
    zrec zr;
    /* the record's arrays are read only up to their counts (nl_rec_init) */
    memset((char *)&zr + sizeof zr.rec, 0, sizeof zr - sizeof zr.rec);
    zr.established = -1;
    if (!z->kind) { /* told once a #path */
        z->kind = kind_of(z->path, strlen(z->path));
        if (!z->kind) z->kind = z->path[0] ? z->path : r->kind_hint[0] ? r->kind_hint : "zeek";
    }
    nl_rec_init(&zr.rec, r->lineno, z->kind);
    sk_buf_reset(&r->scratch);
    if (sk_buf_reserve(&r->scratch, 2 * n + 64)) return sk_error_set(SK_ENOMEM, "out of memory");
    sk_nstr items[SK_NETREC_MAX_ANSWERS];
    size_t unset_n = strlen(z->unset), empty_n = strlen(z->empty);
    int cols = nl_want_cols(r);
    for (size_t k = 0; k < nf; k++) {
        if (!z->fid[k] && !cols) continue;
        char *v = f[k];
        size_t vn = fl[k];
        if (unset_n && vn == unset_n && !memcmp(v, z->unset, vn)) continue;
        if (cols) { /* as logged, escapes decoded (the record's fields may change theirs) */
            int empty = vn == empty_n && !memcmp(v, z->empty, vn);
            size_t before = r->cols.n;
            if (nl_col_add(r, z->names[k], z->name_len[k], empty ? NULL : v, empty ? 0 : vn)) return SK_ENOMEM;
            if (esc && !empty && r->cols.n > before) { /* decoded in the copy */
                r->cols.vn[before] = unescape(r->cols.text.data + r->cols.voff[before], vn);
                r->cols.text.len = r->cols.voff[before] + r->cols.vn[before];
            }
            if (!z->fid[k]) continue;
        }
        size_t ni = 0;
        int vec = 0;
        if (vn == empty_n && !memcmp(v, z->empty, vn)) {
            vec = 1;
            vn = 0;
        } else if (z->fid[k] == ZF_ANSWERS) {
            vec = 1;
            size_t q = 0;
            for (;;) {
                char *e = memchr(v + q, z->set_sep, vn - q);
                size_t len = e ? (size_t)(e - (v + q)) : vn - q;
                if (ni < SK_NETREC_MAX_ANSWERS) {
                    size_t dl = esc ? unescape(v + q, len) : len;
                    items[ni++] = (sk_nstr){v + q, dl};
                }
                if (!e) break;
                q += len + 1;
            }
        } else if (esc) {
            vn = unescape(v, vn);
        }
        int rc = zfield(r, &zr, z->fid[k], v, vn, items, ni, vec);
        if (rc == SK_ENOMEM) return sk_error_set(SK_ENOMEM, "out of memory");
        if (rc) {
            nl_error(r, r->lineno, "%s '%.*s' does not read", z->names[k], (int)(fl[k] > 60 ? 60 : fl[k]), f[k]);
            return 0;
        }
    }
    if (zr.rec.ts == SK_TIME_NONE) {
        nl_error(r, r->lineno, "no ts");
        return 0;
    }
    zfinish(&zr);
    return nl_emit(r, &zr.rec);
}

/* JSON: a kind from the fields when there is no _path */
static const char *json_kind(const sk_json_value *o)
{
    if (sk_json_object_get(o, "conn_state") || sk_json_object_get(o, "orig_bytes")) return "conn";
    if (sk_json_object_get(o, "query") || sk_json_object_get(o, "qtype_name")) return "dns";
    if (sk_json_object_get(o, "server_name") || sk_json_object_get(o, "cipher")) return "ssl";
    if (sk_json_object_get(o, "fuid") || sk_json_object_get(o, "mime_type")) return "files";
    if (sk_json_object_get(o, "method") || sk_json_object_get(o, "status_code") || sk_json_object_get(o, "uri")) return "http";
    return NULL;
}

int nl_zeek_json_line(sk_netlog_reader *r, char *s, size_t n)
{
    sk_json_doc *doc;
    const sk_json_value *o;
    if (!nl_json_object_line(r, s, n, "where Zeek writes an object", &doc, &o)) return 0;
    zrec zr;
    memset(&zr, 0, sizeof zr);
    zr.established = -1;
    const sk_json_value *path = sk_json_object_get(o, "_path");
    const char *kind = NULL;
    if (path && sk_json_type_of(path) == SK_JSON_STRING) {
        size_t pl;
        const char *ps = sk_json_string(path, &pl);
        kind = kind_of(ps, pl);
        if (!kind && pl && pl < sizeof r->z.path) { /* another Zeek log: its path is its kind */
            memcpy(r->z.path, ps, pl);
            r->z.path[pl] = 0;
            kind = r->z.path;
        }
    }
    /* the name's kind when it is one of Zeek's logs; else told by the fields; else the name */
    if (!kind && r->kind_hint[0]) kind = kind_of(r->kind_hint, strlen(r->kind_hint));
    if (!kind && zeek_log_name(r->kind_hint)) kind = r->kind_hint;
    if (!kind) kind = json_kind(o);
    if (!kind) kind = r->kind_hint[0] ? r->kind_hint : "zeek";
    nl_rec_init(&zr.rec, r->lineno, kind);
    sk_buf_reset(&r->scratch);
    if (sk_buf_reserve(&r->scratch, 2 * n + 64)) {
        sk_json_doc_free(doc);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    int bad = 0, rc = 0;
    size_t m = sk_json_length(o);
    for (size_t i = 0; i < m && !bad && !rc; i++) {
        size_t kl;
        const char *k = sk_json_object_key_at(o, i, &kl);
        const sk_json_value *v = sk_json_object_value_at(o, i);
        sk_json_type t = sk_json_type_of(v);
        char *txt = NULL;
        size_t tl = 0;
        sk_nstr items[SK_NETREC_MAX_ANSWERS];
        size_t ni = 0;
        int vec = 0;
        /* a copy in scratch (the record points at it) */
        const char *src = NULL;
        if (t == SK_JSON_STRING) src = sk_json_string(v, &tl);
        else if (t == SK_JSON_NUMBER) src = sk_json_number_text(v, &tl);
        else if (t == SK_JSON_TRUE) src = "true", tl = 4;
        else if (t == SK_JSON_FALSE) src = "false", tl = 5;
        else if (t == SK_JSON_ARRAY) {
            vec = 1;
            for (size_t a = 0; a < sk_json_length(v) && ni < SK_NETREC_MAX_ANSWERS; a++) {
                const sk_json_value *it = sk_json_array_at(v, a);
                size_t il = 0;
                const char *is = sk_json_type_of(it) == SK_JSON_STRING ? sk_json_string(it, &il)
                                 : sk_json_type_of(it) == SK_JSON_NUMBER ? sk_json_number_text(it, &il) : NULL;
                if (!is) continue;
                size_t off = r->scratch.len;
                if (sk_buf_append(&r->scratch, is, il)) { rc = SK_ENOMEM; break; }
                items[ni++] = (sk_nstr){r->scratch.data + off, il};
            }
        } else {
            continue;
        }
        if (src) {
            size_t off = r->scratch.len;
            if (sk_buf_append(&r->scratch, src, tl)) { rc = SK_ENOMEM; break; }
            txt = r->scratch.data + off;
        }
        if (nl_want_cols(r)) { /* as logged: a vector's items joined by commas, as Zeek's TSV writes them */
            if (vec) {
                size_t before = r->cols.n;
                if (nl_col_add(r, k, kl, NULL, 0)) { rc = SK_ENOMEM; break; }
                for (size_t a = 0; a < ni && r->cols.n > before && !rc; a++)
                    if ((a && nl_col_append(r, ",", 1)) || nl_col_append(r, items[a].s, items[a].n)) rc = SK_ENOMEM;
                if (rc) break;
            } else if (nl_col_add(r, k, kl, src, tl)) {
                rc = SK_ENOMEM;
                break;
            }
        }
        int fid = zeek_field_id(k, kl);
        int zr_rc = fid ? zfield(r, &zr, fid, txt ? txt : (char *)"", txt ? tl : 0, items, ni, vec) : 0;
        if (zr_rc == SK_ENOMEM) rc = SK_ENOMEM;
        else if (zr_rc) {
            nl_error(r, r->lineno, "%.*s does not read", (int)(kl > 60 ? 60 : kl), k);
            bad = 1;
        }
    }
    sk_json_doc_free(doc);
    if (rc) return sk_error_set(SK_ENOMEM, "out of memory");
    if (bad) return 0;
    if (zr.rec.ts == SK_TIME_NONE) {
        nl_error(r, r->lineno, "no ts");
        return 0;
    }
    zfinish(&zr);
    return nl_emit(r, &zr.rec);
}
