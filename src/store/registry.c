/*
 * registry.c - resolving an observation of a host (a snapshot's header, a listing's
 * header, an asset inventory's row) against the host registry by the merge rules of
 * docs/formats/host.md: the same host only on a strong anchor (machine_sid,
 * ad_object_guid, agent_id) that no anchor of the same kind contradicts, or on a
 * machine_guid together with a bios_uuid or the (domain, NetBIOS name); weaker
 * agreements become links (possible_reimage, cloned_image, name_reused), never merges.
 * An observation without anchors is the host of its (domain, name) when exactly one
 * host holds that name; two holders leave it a new host with a name_collision link.
 */
#include <stdio.h>
#include <string.h>

#include <sakimori/casedb.h>
#include <sakimori/common.h>
#include <sakimori/digest.h>
#include <sakimori/registry.h>

static int strong_kind(const char *k)
{
    return !strcmp(k, "machine_sid") || !strcmp(k, "ad_object_guid") || !strcmp(k, "agent_id");
}

static const char *anchor_value(const sk_host_obs *o, const char *kind)
{
    for (size_t i = 0; i < o->n_anchors; i++)
        if (!strcmp(o->anchors[i].kind, kind)) return o->anchors[i].value;
    return NULL;
}

/* the host holds an anchor of `kind` other than `value` */
static int conflicts(sk_casedb *db, const char *host_id, const char *kind, const char *value, int *out)
{
    /* the host's anchors of that kind: any whose value differs */
    char ids[8][20];
    size_t n;
    *out = 0;
    /* hosts holding (kind, value): when host_id is not among them but holds the kind */
    int rc = sk_casedb_hosts_by_anchor(db, kind, value, ids, 8, &n);
    if (rc) return rc;
    for (size_t i = 0; i < n && i < 8; i++)
        if (!strcmp(ids[i], host_id)) return 0; /* it holds this value */
    int holds = 0;
    rc = sk_casedb_host_has_anchor_kind(db, host_id, kind, &holds);
    if (rc) return rc;
    *out = holds;
    return 0;
}

/* "h-" and the first 64 bits of SHA-256 over "sakimori-host\0" kind "\0" value, a
 * counter appended ("\0" and its decimal digits) after a collision */
static int id_of(const char *kind, const char *value, size_t vn, unsigned counter, char out[20])
{
    sk_buf b;
    sk_buf_init(&b, 0);
    int rc = sk_buf_append(&b, "sakimori-host", 14) || sk_buf_append(&b, kind, strlen(kind) + 1) || (vn && sk_buf_append(&b, value, vn));
    if (!rc && counter) {
        char c[24];
        int n = snprintf(c + 1, sizeof c - 1, "%u", counter);
        c[0] = 0;
        rc = sk_buf_append(&b, c, (size_t)n + 1);
    }
    if (rc) {
        sk_buf_free(&b);
        return sk_error_set(SK_ENOMEM, "out of memory");
    }
    uint8_t d[32];
    sk_sha256(b.data, b.len, d);
    sk_buf_free(&b);
    memcpy(out, "h-", 2);
    sk_hex(out + 2, d, 8);
    out[18] = 0;
    return 0;
}

int sk_registry_host_id(const char *kind, const char *value, size_t value_len, unsigned counter, char out[20])
{
    return id_of(kind, value, value_len, counter, out);
}

/* a new id from the observation's first strong anchor, else from its domain, name and
 * first-seen time (joined with NULs, kind "name"), past any collision */
static int new_id(sk_casedb *db, const sk_host_obs *o, char out[20])
{
    const char *kind = NULL, *value = NULL;
    size_t vn = 0;
    char seed[700];
    for (size_t i = 0; i < o->n_anchors && !kind; i++)
        if (strong_kind(o->anchors[i].kind)) kind = o->anchors[i].kind, value = o->anchors[i].value, vn = strlen(value);
    if (!kind) {
        char t[SK_TIME_ISO_MAX] = "";
        if (o->seen != SK_TIME_NONE) sk_time_format_trim(t, o->seen);
        int n = snprintf(seed, sizeof seed, "%s%c%s%c%s", o->domain ? o->domain : "", 0, o->name, 0, t);
        kind = "name", value = seed, vn = n < 0 ? 0 : (size_t)n < sizeof seed ? (size_t)n : sizeof seed - 1;
    }
    for (unsigned c = 0; c < 1000; c++) {
        int rc = id_of(kind, value, vn, c, out);
        if (rc) return rc;
        sk_casedb_host h;
        rc = sk_casedb_host_get(db, out, &h);
        if (rc == SK_ENOTFOUND) return 0;
        if (rc) return rc;
    }
    return sk_error_set(SK_EINTERNAL, "no free host id after 1000 tries");
}

/* the observation's names, anchors and facts recorded on host_id */
static int record(sk_casedb *db, const sk_host_obs *o, const char *host_id)
{
    sk_casedb_host h = {.name = o->name, .domain = o->domain, .site = o->site, .region = o->region, .role = o->role,
                        .os_family = o->os_family, .os_name = o->os_name, .os_version = o->os_version,
                        .first_seen = o->seen, .last_seen = o->seen};
    snprintf(h.host_id, sizeof h.host_id, "%s", host_id);
    int rc = sk_casedb_host_put(db, &h);
    for (size_t i = 0; !rc && i < o->n_anchors; i++) rc = sk_casedb_anchor_add(db, host_id, o->anchors[i].kind, o->anchors[i].value, o->source);
    const char *trust = o->trust ? o->trust : "authoritative";
    if (!rc && o->name) rc = sk_casedb_alias_add(db, host_id, "netbios", o->name, o->domain, trust, o->seen, SK_TIME_NONE, o->source);
    if (!rc && o->fqdn) rc = sk_casedb_alias_add(db, host_id, "fqdn", o->fqdn, NULL, trust, o->seen, SK_TIME_NONE, o->source);
    for (size_t i = 0; !rc && i < o->n_macs; i++) rc = sk_casedb_alias_add(db, host_id, "mac", o->macs[i], NULL, trust, SK_TIME_NONE, SK_TIME_NONE, o->source);
    for (size_t i = 0; !rc && i < o->n_static_ips; i++)
        rc = sk_casedb_alias_add(db, host_id, "ip", o->static_ips[i], o->site, trust, SK_TIME_NONE, SK_TIME_NONE, o->source);
    return rc;
}

int sk_registry_resolve(sk_casedb *db, const sk_host_obs *o, sk_registry_result *res)
{
    memset(res, 0, sizeof *res);
    if (!o->name || !*o->name) return sk_error_set(SK_EINVAL, "an observation of a host without a name");
    char ids[16][20];
    size_t n;
    int rc;
    char found[20] = "";
    /* a listing that names its host by id: that host */
    if (o->host_id && *o->host_id) {
        sk_casedb_host h;
        rc = sk_casedb_host_get(db, o->host_id, &h);
        if (rc && rc != SK_ENOTFOUND) return rc;
        snprintf(found, sizeof found, "%s", o->host_id);
        res->created = rc == SK_ENOTFOUND;
        res->rule = rc == SK_ENOTFOUND ? "new (its listing's id)" : "its listing's id";
        snprintf(res->host_id, sizeof res->host_id, "%s", found);
        return record(db, o, found);
    }
    /* 1. a strong anchor held by exactly one host, none of the same kind contradicting */
    for (size_t i = 0; i < o->n_anchors && !found[0]; i++) {
        if (!strong_kind(o->anchors[i].kind)) continue;
        if ((rc = sk_casedb_hosts_by_anchor(db, o->anchors[i].kind, o->anchors[i].value, ids, 16, &n))) return rc;
        if (n != 1) continue;
        int bad = 0;
        for (size_t k = 0; k < o->n_anchors && !bad; k++) {
            if (!strong_kind(o->anchors[k].kind) || k == i) continue;
            int c;
            if ((rc = conflicts(db, ids[0], o->anchors[k].kind, o->anchors[k].value, &c))) return rc;
            bad = c;
        }
        if (!bad) (memcpy(found, ids[0], 20), found[19] = 0), res->rule = "a strong anchor";
    }
    /* 1b. machine_guid with bios_uuid or the (domain, name) */
    const char *mg = anchor_value(o, "machine_guid"), *bu = anchor_value(o, "bios_uuid");
    int strong_obs = 0;
    for (size_t i = 0; i < o->n_anchors; i++) strong_obs |= strong_kind(o->anchors[i].kind);
    if (!found[0] && mg) {
        if ((rc = sk_casedb_hosts_by_anchor(db, "machine_guid", mg, ids, 16, &n))) return rc;
        for (size_t i = 0; i < n && i < 16 && !found[0]; i++) {
            int ok = 0;
            if (bu) {
                char b2[16][20];
                size_t nb;
                if ((rc = sk_casedb_hosts_by_anchor(db, "bios_uuid", bu, b2, 16, &nb))) return rc;
                for (size_t k = 0; k < nb && k < 16; k++) ok |= !strcmp(b2[k], ids[i]);
            }
            if (!ok) {
                char nm[16][20];
                size_t nn;
                if ((rc = sk_casedb_hosts_by_alias(db, "netbios", o->name, o->domain ? o->domain : "", SK_TIME_NONE, nm, 16, &nn))) return rc;
                for (size_t k = 0; k < nn && k < 16; k++) ok |= !strcmp(nm[k], ids[i]);
            }
            /* a strong anchor of the host that the observation contradicts: not the same */
            for (size_t k = 0; ok && k < o->n_anchors; k++) {
                if (!strong_kind(o->anchors[k].kind)) continue;
                int c;
                if ((rc = conflicts(db, ids[i], o->anchors[k].kind, o->anchors[k].value, &c))) return rc;
                if (c) ok = 0;
            }
            if (ok) (memcpy(found, ids[i], 20), found[19] = 0), res->rule = "machine_guid with bios_uuid or name";
        }
    }
    /* 3. no anchors at all: the (domain, name) when exactly one host holds it */
    char by_name[16][20];
    size_t n_name = 0;
    if ((rc = sk_casedb_hosts_by_alias(db, "netbios", o->name, o->domain ? o->domain : "", SK_TIME_NONE, by_name, 16, &n_name))) return rc;
    if (!found[0] && !o->n_anchors && n_name == 1) (memcpy(found, by_name[0], 20), found[19] = 0), res->rule = "its name";
    if (found[0]) {
        snprintf(res->host_id, sizeof res->host_id, "%s", found);
        return record(db, o, found);
    }
    /* a new host, with links to what it may be */
    if ((rc = new_id(db, o, res->host_id))) return rc;
    res->created = 1;
    res->rule = "new";
    if ((rc = record(db, o, res->host_id))) return rc;
    for (size_t i = 0; i < o->n_anchors; i++) {
        const char *k = o->anchors[i].kind;
        const char *reason = !strcmp(k, "bios_uuid") || !strcmp(k, "serial") ? "possible_reimage" : !strcmp(k, "machine_guid") ? "cloned_image" : NULL;
        if (!reason) continue;
        if ((rc = sk_casedb_hosts_by_anchor(db, k, o->anchors[i].value, ids, 16, &n))) return rc;
        for (size_t j = 0; j < n && j < 16; j++) {
            if (!strcmp(ids[j], res->host_id)) continue;
            if ((rc = sk_casedb_link_add(db, res->host_id, ids[j], reason, o->source))) return rc;
            res->links++;
        }
    }
    for (size_t j = 0; j < n_name && j < 16; j++) {
        if (!strcmp(by_name[j], res->host_id)) continue;
        const char *reason = strong_obs || o->n_anchors ? "name_reused" : "name_collision";
        if ((rc = sk_casedb_link_add(db, res->host_id, by_name[j], reason, o->source))) return rc;
        res->links++;
    }
    return 0;
}
