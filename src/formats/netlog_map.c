/*
 * netlog_map.c - field maps: which CSV column (by header name) or JSON member (by dotted
 * path) is which record field, for the firewall CSV and generic JSON readers. A map is
 * text, "field=Name,field=Name" (or one entry a line when the text has a newline, so
 * that names may hold commas; '#' lines are comments), "kind=NAME" naming the records'
 * kind; an entry replaces the built-in names for its field, an empty name turns the
 * field off. The built-in names cover common vendors' headers (FortiGate, Palo Alto,
 * generic src/dst) and ECS members. Mapped values are written into a record here too,
 * the same way for both readers: addresses, ports, numbers, protocols (6/17/1 or names),
 * actions (accept/allow/permit/pass: allow; deny/drop/reject/block: deny), MACs, hosts.
 */
#include <stdlib.h>
#include <string.h>

#include <sakimori/common.h>

#include "netlog_int.h"

static const char *const fld_names[NL_F_COUNT] = {
    "ts",   "date", "time",   "src_ip", "src_port",   "dst_ip", "dst_port",    "proto", "action", "bytes_out",
    "bytes_in", "user", "host", "url", "method", "status", "user_agent", "mac", "client_name", "sni",
    "qtype", "rcode", "md5", "sha1", "sha256", "uid"};

/* CSV header names, compared with case, blanks, '_', '-' and '.' dropped */
static const char *const csv_names[NL_F_COUNT][16] = {
    [NL_F_TS] = {"timestamp", "ts", "datetime", "receivetime", "generatetime", "generatedtime", "logtime", "eventtime", NULL},
    [NL_F_DATE] = {"date", NULL},
    [NL_F_TIME] = {"time", NULL},
    [NL_F_SRC_IP] = {"srcip", "src", "srcaddr", "srcaddress", "sourceip", "sourceaddress", "source", "clientip", "sip", NULL},
    [NL_F_SRC_PORT] = {"srcport", "sport", "sourceport", "spt", "clientport", NULL},
    [NL_F_DST_IP] = {"dstip", "dst", "dstaddr", "dstaddress", "destip", "destaddr", "destinationip", "destinationaddress",
                     "destination", "serverip", "dip", NULL},
    [NL_F_DST_PORT] = {"dstport", "dport", "destport", "destinationport", "dpt", "serverport", NULL},
    [NL_F_PROTO] = {"proto", "protocol", "ipprotocol", "transport", NULL},
    [NL_F_ACTION] = {"action", "act", "disposition", NULL},
    [NL_F_BYTES_OUT] = {"sentbyte", "sentbytes", "bytessent", "bytesout", "outbytes", "bytestoserver", NULL},
    [NL_F_BYTES_IN] = {"rcvdbyte", "rcvdbytes", "receivedbytes", "bytesreceived", "bytesrecv", "bytesin", "inbytes",
                       "bytestoclient", NULL},
    [NL_F_USER] = {"user", "username", "srcuser", "sourceuser", NULL},
    [NL_F_HOST] = {"hostname", "host", "dsthost", "desthost", "destinationhost", NULL},
    [NL_F_URL] = {"url", NULL},
    [NL_F_METHOD] = {"method", "httpmethod", NULL},
    [NL_F_USER_AGENT] = {"useragent", NULL},
    [NL_F_MAC] = {"srcmac", "sourcemac", "mac", NULL},
};

/* JSON member paths (ECS first) */
static const char *const json_names[NL_F_COUNT][8] = {
    [NL_F_TS] = {"@timestamp", "timestamp", "event.created", "time", NULL},
    [NL_F_SRC_IP] = {"source.ip", "client.ip", "src_ip", "srcip", NULL},
    [NL_F_SRC_PORT] = {"source.port", "client.port", "src_port", "srcport", NULL},
    [NL_F_DST_IP] = {"destination.ip", "server.ip", "dst_ip", "dstip", NULL},
    [NL_F_DST_PORT] = {"destination.port", "server.port", "dst_port", "dstport", NULL},
    [NL_F_PROTO] = {"network.transport", "proto", "protocol", NULL},
    [NL_F_ACTION] = {"event.action", "action", NULL},
    [NL_F_BYTES_OUT] = {"source.bytes", "client.bytes", "bytes_out", NULL},
    [NL_F_BYTES_IN] = {"destination.bytes", "server.bytes", "bytes_in", NULL},
    [NL_F_USER] = {"user.name", "source.user.name", "user", NULL},
    [NL_F_HOST] = {"url.domain", "destination.domain", "server.domain", "dns.question.name", NULL},
    [NL_F_URL] = {"url.full", "url.original", "url", NULL},
    [NL_F_METHOD] = {"http.request.method", "method", NULL},
    [NL_F_STATUS] = {"http.response.status_code", "status", NULL},
    [NL_F_USER_AGENT] = {"user_agent.original", "user_agent", NULL},
    [NL_F_MAC] = {"source.mac", "client.mac", NULL},
    [NL_F_SNI] = {"tls.client.server_name", NULL},
    [NL_F_QTYPE] = {"dns.question.type", NULL},
    [NL_F_RCODE] = {"dns.response_code", NULL},
    [NL_F_MD5] = {"file.hash.md5", NULL},
    [NL_F_SHA1] = {"file.hash.sha1", NULL},
    [NL_F_SHA256] = {"file.hash.sha256", NULL},
};

const char *nl_fld_name(int f)
{
    return f >= 0 && f < NL_F_COUNT ? fld_names[f] : "?";
}

void nl_map_free(nl_map *m)
{
    for (int f = 0; f < NL_F_COUNT; f++) free(m->name[f]), m->name[f] = NULL;
    m->kind[0] = 0;
}

static int map_entry(nl_map *m, const char *e, size_t n)
{
    while (n && (*e == ' ' || *e == '\t')) e++, n--;
    while (n && (e[n - 1] == ' ' || e[n - 1] == '\t' || e[n - 1] == '\r')) n--;
    if (!n || *e == '#') return 0;
    const char *eq = memchr(e, '=', n);
    if (!eq) return sk_error_set(SK_EINVAL, "field map: '%.*s' is not field=Name", (int)(n > 60 ? 60 : n), e);
    size_t kn = (size_t)(eq - e);
    while (kn && (e[kn - 1] == ' ' || e[kn - 1] == '\t')) kn--;
    const char *v = eq + 1;
    size_t vn = n - (size_t)(v - e);
    while (vn && (*v == ' ' || *v == '\t')) v++, vn--;
    if (vn > 200) return sk_error_set(SK_EINVAL, "field map: the name for '%.*s' is longer than 200 bytes", (int)(kn > 40 ? 40 : kn), e);
    for (size_t i = 0; i < vn; i++)
        if ((unsigned char)v[i] < 0x20) return sk_error_set(SK_EINVAL, "field map: a control character in the name for '%.*s'", (int)(kn > 40 ? 40 : kn), e);
    if (nl_ieq(e, kn, "kind")) {
        if (!vn || vn >= sizeof m->kind) return sk_error_set(SK_EINVAL, "field map: kind must be 1 to 31 characters");
        for (size_t i = 0; i < vn; i++) {
            char c = v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                return sk_error_set(SK_EINVAL, "field map: kind '%.*s' is not lower-case letters, digits, '_' or '-'", (int)vn, v);
        }
        memcpy(m->kind, v, vn);
        m->kind[vn] = 0;
        return 0;
    }
    for (int f = 0; f < NL_F_COUNT; f++) {
        if (!nl_ieq(e, kn, fld_names[f])) continue;
        char *c = malloc(vn + 1);
        if (!c) return sk_error_set(SK_ENOMEM, "out of memory");
        memcpy(c, v, vn);
        c[vn] = 0;
        free(m->name[f]);
        m->name[f] = c;
        return 0;
    }
    return sk_error_set(SK_EINVAL,
                        "field map: '%.*s' is no record field (ts date time src_ip src_port dst_ip dst_port proto action bytes_out "
                        "bytes_in user host url method status user_agent mac client_name sni qtype rcode md5 sha1 sha256 uid kind)",
                        (int)(kn > 40 ? 40 : kn), e);
}

int nl_map_parse(nl_map *m, const char *spec)
{
    if (!spec) return 0;
    size_t n = strlen(spec);
    if (n > 65536) return sk_error_set(SK_EINVAL, "field map: longer than 64 KiB");
    char sep = memchr(spec, '\n', n) ? '\n' : ',';
    size_t i = 0;
    while (i <= n) {
        const char *e = memchr(spec + i, sep, n - i);
        size_t len = e ? (size_t)(e - (spec + i)) : n - i;
        int rc = map_entry(m, spec + i, len);
        if (rc) return rc;
        if (!e) break;
        i += len + 1;
    }
    return 0;
}

/* lower case, no blanks, '_', '-' or '.'; 0 when it does not fit */
static size_t squash(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '_' || c == '-' || c == '.') continue;
        if (k + 1 >= cap) return 0;
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[k] = 0;
    return k;
}

/* a name given by the user: case-insensitive, surrounding blanks ignored */
static int name_is(const char *s, size_t n, const char *u)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t un = strlen(u);
    if (un != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = u[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
        if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
        if (a != b) return 0;
    }
    return 1;
}

int nl_map_csv_field(const nl_map *m, const char *name, size_t n)
{
    for (int f = 0; f < NL_F_COUNT; f++)
        if (m->name[f] && m->name[f][0] && name_is(name, n, m->name[f])) return f;
    char sq[64];
    if (!squash(name, n, sq, sizeof sq)) return -1;
    for (int f = 0; f < NL_F_COUNT; f++) {
        if (m->name[f]) continue; /* the user's entry replaces the built-in names */
        for (size_t i = 0; i < 16 && csv_names[f][i]; i++)
            if (!strcmp(sq, csv_names[f][i])) return f;
    }
    return -1;
}

const char *nl_map_json_path(const nl_map *m, int f, size_t i)
{
    if (m->name[f]) return i == 0 && m->name[f][0] ? m->name[f] : NULL;
    return i < 8 ? json_names[f][i] : NULL;
}

static const char *proto_name(char *v, size_t *n)
{
    uint64_t p;
    if (!nl_u64(v, *n, &p)) {
        if (p == 6) return "tcp";
        if (p == 17) return "udp";
        if (p == 1 || p == 58) return "icmp";
        if (p > 255) return NULL;
        return v; /* another protocol number: as logged */
    }
    for (size_t i = 0; i < *n; i++)
        if (v[i] >= 'A' && v[i] <= 'Z') v[i] = (char)(v[i] + 32);
    if (nl_ieq(v, *n, "icmp6") || nl_ieq(v, *n, "icmpv6") || nl_ieq(v, *n, "ipv6-icmp")) return "icmp";
    return v;
}

static int action_of(const char *v, size_t n)
{
    static const char *const allow[] = {"accept", "accepted", "allow", "allowed", "permit", "permitted", "pass", "passed",
                                        /* FortiGate: a session the policy let through, closed or timed out */
                                        "close", "timeout", "client-rst", "server-rst", NULL};
    static const char *const deny[] = {"deny", "denied", "drop", "dropped", "reject", "rejected", "block", "blocked",
                                       "reset-both", "reset-client", "reset-server", NULL};
    for (size_t i = 0; allow[i]; i++)
        if (nl_ieq(v, n, allow[i])) return SK_NR_ALLOW;
    for (size_t i = 0; deny[i]; i++)
        if (nl_ieq(v, n, deny[i])) return SK_NR_DENY;
    return SK_NR_ACTION_NONE;
}

int nl_map_set(sk_netrec *rec, int f, char *v, size_t n, char mac[18])
{
    uint64_t u;
    switch (f) {
    case NL_F_SRC_IP:
    case NL_F_DST_IP: {
        sk_ip *ip = f == NL_F_SRC_IP ? &rec->src_ip : &rec->dst_ip;
        if (n > 2 && v[0] == '[' && v[n - 1] == ']') v++, n -= 2;
        if (sk_ip_parse(v, n, ip)) return -1;
        rec->has |= f == NL_F_SRC_IP ? SK_NR_SRC_IP : SK_NR_DST_IP;
        return 0;
    }
    case NL_F_SRC_PORT:
        if (nl_port(v, n, &rec->src_port)) return -1;
        rec->has |= SK_NR_SRC_PORT;
        return 0;
    case NL_F_DST_PORT:
        if (nl_port(v, n, &rec->dst_port)) return -1;
        rec->has |= SK_NR_DST_PORT;
        return 0;
    case NL_F_PROTO: {
        const char *p = proto_name(v, &n);
        if (!p) return -1;
        rec->proto = (sk_nstr){p, p == v ? n : strlen(p)};
        return 0;
    }
    case NL_F_ACTION: rec->action = action_of(v, n); return 0;
    case NL_F_BYTES_OUT:
        if (nl_u64(v, n, &rec->bytes_out)) return -1;
        rec->has |= SK_NR_BYTES_OUT;
        return 0;
    case NL_F_BYTES_IN:
        if (nl_u64(v, n, &rec->bytes_in)) return -1;
        rec->has |= SK_NR_BYTES_IN;
        return 0;
    case NL_F_STATUS:
        if (nl_u64(v, n, &u) || u > 999) return -1;
        rec->status = (int)u;
        rec->has |= SK_NR_STATUS;
        return 0;
    case NL_F_HOST: {
        uint16_t p;
        int hp = 0;
        nl_host(v, &n, &p, &hp);
        if (n) rec->host = (sk_nstr){v, n};
        return 0;
    }
    case NL_F_MAC: {
        if (nl_mac(v, n, mac)) return -1;
        rec->mac = (sk_nstr){mac, 17};
        return 0;
    }
    case NL_F_USER: rec->user = (sk_nstr){v, n}; return 0;
    case NL_F_URL: rec->url = (sk_nstr){v, n}; return 0;
    case NL_F_METHOD: rec->method = (sk_nstr){v, n}; return 0;
    case NL_F_USER_AGENT: rec->user_agent = (sk_nstr){v, n}; return 0;
    case NL_F_CLIENT_NAME: rec->client_name = (sk_nstr){v, n}; return 0;
    case NL_F_SNI: rec->sni = (sk_nstr){v, n}; return 0;
    case NL_F_QTYPE: rec->qtype = (sk_nstr){v, n}; return 0;
    case NL_F_RCODE: rec->rcode = (sk_nstr){v, n}; return 0;
    case NL_F_MD5: rec->md5 = (sk_nstr){v, n}; return 0;
    case NL_F_SHA1: rec->sha1 = (sk_nstr){v, n}; return 0;
    case NL_F_SHA256: rec->sha256 = (sk_nstr){v, n}; return 0;
    case NL_F_UID: rec->uid = (sk_nstr){v, n}; return 0;
    default: return 0;
    }
}

void nl_map_outcome(sk_netrec *rec)
{
    if (rec->action == SK_NR_DENY) rec->outcome = SK_NR_ATTEMPTED;
    else if (rec->action == SK_NR_ALLOW) rec->outcome = (rec->has & SK_NR_BYTES_IN) && rec->bytes_in ? SK_NR_ESTABLISHED : SK_NR_UNKNOWN;
}
