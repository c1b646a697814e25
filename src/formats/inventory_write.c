/*
 * inventory_write.c - writers for PE identity, signatures, snapshot lines, catalogue
 * records and listings (see sakimori/inventory.h and docs/formats/snapshot.md). Every
 * instant of a snapshot line goes through sk_jw_kv_time (or the same bytes,
 * sk_time_format_trim, on the file line's fast path), and so does every instant of a
 * listing: one precision everywhere (nanoseconds, trailing zeros trimmed).
 */
#include <string.h>

#include <sakimori/buf.h>
#include <sakimori/inventory.h>

const char *sk_pe_machine_name(uint16_t m)
{
    switch (m) {
    case 0x014c: return "I386";
    case 0x8664: return "AMD64";
    case 0xaa64: return "ARM64";
    case 0x01c4: return "ARMNT";
    case 0x01c0: return "ARM";
    case 0x0200: return "IA64";
    case 0x0ebc: return "EBC";
    default: return NULL;
    }
}

const char *sk_pe_subsystem_name(uint16_t s)
{
    switch (s) {
    case 1: return "NATIVE";
    case 2: return "WINDOWS_GUI";
    case 3: return "WINDOWS_CUI";
    case 5: return "OS2_CUI";
    case 7: return "POSIX_CUI";
    case 9: return "WINDOWS_CE_GUI";
    case 10: return "EFI_APPLICATION";
    case 11: return "EFI_BOOT_SERVICE_DRIVER";
    case 12: return "EFI_RUNTIME_DRIVER";
    case 13: return "EFI_ROM";
    case 14: return "XBOX";
    case 16: return "WINDOWS_BOOT_APPLICATION";
    default: return NULL;
    }
}

const char *sk_file_kind_name(sk_file_kind k)
{
    static const char *names[] = {"pe", "elf", "macho", "script", "document", "other"};
    return (unsigned)k < 6 ? names[k] : "other";
}

const sk_pe_string_table *sk_pe_primary_table(const sk_pe_identity *id)
{
    if (!id || !id->n_tables) return NULL;
    for (size_t i = 0; i < id->n_tables; i++)
        if (!strncmp(id->tables[i].lang, "0409", 4)) return &id->tables[i];
    for (size_t i = 0; i < id->n_tables; i++)
        if (!strncmp(id->tables[i].lang, "0000", 4)) return &id->tables[i];
    return &id->tables[0];
}

static int hex_name(sk_jw *w, uint32_t v)
{
    char tmp[16];
    static const char hx[] = "0123456789abcdef";
    tmp[0] = '0', tmp[1] = 'x';
    for (int i = 0; i < 4; i++) tmp[2 + i] = hx[(v >> (12 - 4 * i)) & 15];
    return sk_jw_stringn(w, tmp, 6);
}

int sk_pe_identity_write(sk_jw *w, const sk_pe_identity *id)
{
    sk_jw_object_begin(w);
    const char *m = sk_pe_machine_name(id->machine);
    sk_jw_key(w, "machine");
    if (m) sk_jw_string(w, m);
    else hex_name(w, id->machine);
    const char *s = sk_pe_subsystem_name(id->subsystem);
    if (s) sk_jw_kv_string(w, "subsystem", s);
    sk_jw_kv_u64(w, "characteristics", id->characteristics);
    sk_jw_kv_bool(w, "dll", (id->characteristics & 0x2000) != 0);
    sk_jw_kv_u64(w, "timestamp", id->timestamp);
    if (id->n_sections) {
        sk_jw_key(w, "sections");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < id->n_sections; i++) {
            const sk_pe_section *sec = &id->sections[i];
            sk_jw_object_begin(w);
            sk_jw_key(w, "name");
            sk_jw_stringn(w, sec->name, strnlen(sec->name, 8));
            sk_jw_kv_u64(w, "virtual_size", sec->virtual_size);
            sk_jw_kv_u64(w, "raw_size", sec->raw_size);
            if (sec->entropy >= 0) {
                sk_jw_key(w, "entropy");
                sk_jw_double(w, (double)(int64_t)(sec->entropy * 1000 + 0.5) / 1000);
            }
            sk_jw_kv_u64(w, "characteristics", sec->characteristics);
            sk_jw_object_end(w);
        }
        sk_jw_array_end(w);
    }
    if (id->sections_total > id->n_sections) sk_jw_kv_u64(w, "sections_total", id->sections_total);
    if (id->imphash[0]) sk_jw_kv_string(w, "imphash", id->imphash);
    sk_jw_kv_u64(w, "imports", id->imports);
    if (id->export_name) sk_jw_kv_string(w, "export_name", id->export_name);
    if (id->has_overlay) {
        sk_jw_key(w, "overlay");
        sk_jw_object_begin(w);
        sk_jw_kv_u64(w, "offset", id->overlay_offset);
        sk_jw_kv_u64(w, "size", id->overlay_size);
        sk_jw_object_end(w);
    }
    if (id->n_tables) {
        sk_jw_key(w, "version_info");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < id->n_tables; i++) {
            const sk_pe_string_table *t = &id->tables[i];
            sk_jw_object_begin(w);
            sk_jw_kv_string(w, "lang", t->lang);
            sk_jw_key(w, "strings");
            sk_jw_object_begin(w);
            for (size_t k = 0; k < t->n; k++) sk_jw_kv_string(w, t->strings[k].key, t->strings[k].value);
            sk_jw_object_end(w);
            sk_jw_object_end(w);
        }
        sk_jw_array_end(w);
    }
    if (id->fixed_file_version) sk_jw_kv_string(w, "fixed_file_version", id->fixed_file_version);
    if (id->n_errors) {
        sk_jw_key(w, "parse_errors");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < id->n_errors; i++) sk_jw_string(w, id->errors[i]);
        sk_jw_array_end(w);
    }
    return sk_jw_object_end(w);
}

int sk_elf_identity_write(sk_jw *w, const sk_elf_identity *id)
{
    sk_jw_object_begin(w);
    if (id->type) sk_jw_kv_string(w, "type", id->type);
    if (id->machine[0]) sk_jw_kv_string(w, "machine", id->machine);
    if (id->build_id[0]) sk_jw_kv_string(w, "build_id", id->build_id);
    if (id->n_errors) {
        sk_jw_key(w, "parse_errors");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < id->n_errors; i++) sk_jw_string(w, id->errors[i]);
        sk_jw_array_end(w);
    }
    return sk_jw_object_end(w);
}

int sk_pe_top_strings_write(sk_jw *w, const sk_pe_identity *id)
{
    static const char *const names[] = {"OriginalFilename", "InternalName", "FileDescription",
                                        "ProductName", "CompanyName", "FileVersion"};
    const sk_pe_string_table *t = sk_pe_primary_table(id);
    if (!t) return w->err;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (size_t k = 0; k < t->n; k++)
            if (!strcmp(t->strings[k].key, names[n])) {
                sk_jw_kv_string(w, names[n], t->strings[k].value);
                break;
            }
    return w->err;
}

static const char *const sig_status[] = {"no_embedded_signature", "digest_matches", "digest_mismatch", "malformed",
                                         "catalog", "unsigned"};

int sk_signature_write_catalog(sk_jw *w, const sk_signature *sig, const sk_signature_catalog *cat)
{
    unsigned st = (unsigned)sig->status < 6 ? (unsigned)sig->status : SK_SIG_MALFORMED;
    if (st == SK_SIG_CATALOG && !cat) st = SK_SIG_MALFORMED; /* never a catalogue status without its catalogue */
    sk_jw_object_begin(w);
    sk_jw_kv_string(w, "status", sig_status[st]);
    if (st == SK_SIG_CATALOG) {
        sk_jw_key(w, "catalog");
        sk_jw_stringn(w, cat->path, cat->path_len);
    }
    if (st == SK_SIG_CATALOG && sig->digest_algorithm) sk_jw_kv_string(w, "digest_algorithm", sig->digest_algorithm);
    if (sig->signer_subject) sk_jw_kv_string(w, "signer_subject", sig->signer_subject);
    if (sig->signer_issuer) sk_jw_kv_string(w, "signer_issuer", sig->signer_issuer);
    if (st != SK_SIG_CATALOG && sig->digest_algorithm) sk_jw_kv_string(w, "digest_algorithm", sig->digest_algorithm);
    if (st == SK_SIG_CATALOG) {
        sk_jw_kv_string(w, "catalog_signature", cat->verified ? "verified" : "not_verified");
        if (cat->embedded == SK_SIG_MISMATCH || cat->embedded == SK_SIG_MALFORMED)
            sk_jw_kv_string(w, "embedded_status", sig_status[cat->embedded]);
    }
    if (sig->error) sk_jw_kv_string(w, "error", sig->error);
    return sk_jw_object_end(w);
}

int sk_signature_write(sk_jw *w, const sk_signature *sig)
{
    return sk_signature_write_catalog(w, sig, NULL);
}

static int finish_line(sk_jw *w, sk_buf *out, size_t mark)
{
    int rc = sk_jw_error(w);
    if (!rc) rc = sk_buf_putc(out, '\n');
    if (rc) sk_buf_truncate(out, mark); /* never leave half a line */
    return rc;
}

int sk_catalog_record_write(sk_buf *out, const sk_content *c)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_key(&w, "sha256");
    sk_jw_hex(&w, c->sha256, 32);
    if (c->have_md5) {
        sk_jw_key(&w, "md5");
        sk_jw_hex(&w, c->md5, 16);
    }
    if (c->have_sha1) {
        sk_jw_key(&w, "sha1");
        sk_jw_hex(&w, c->sha1, 20);
    }
    sk_jw_kv_u64(&w, "size", c->size);
    sk_jw_kv_string(&w, "kind", sk_file_kind_name(c->kind));
    if (c->pe) {
        sk_jw_key(&w, "pe");
        sk_pe_identity_write(&w, c->pe);
    }
    if (c->signature) {
        sk_jw_key(&w, "signature");
        sk_signature_write(&w, c->signature);
    }
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}

int sk_listing_entry_write(sk_buf *out, const sk_listing_entry *e)
{
    static const char *const ops[] = {NULL, "add", "change", "remove"};
    if (e->op != SK_OP_REMOVE && !e->sha256)
        return sk_error_set(SK_EINVAL, "listing entry %s: no digest", e->path);
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "entry");
    if (e->op != SK_OP_NONE) sk_jw_kv_string(&w, "op", ops[e->op]);
    sk_jw_kv_string(&w, "path", e->path);
    if (e->op != SK_OP_REMOVE) {
        sk_jw_key(&w, "sha256");
        sk_jw_hex(&w, e->sha256, 32);
        sk_jw_kv_u64(&w, "size", e->size);
        sk_jw_kv_time(&w, "mtime", e->mtime);
        sk_jw_kv_time(&w, "ctime", e->ctime);
        sk_jw_kv_time(&w, "crtime", e->crtime);
        if (e->owner) sk_jw_kv_string(&w, "owner", e->owner);
    }
    if (e->op == SK_OP_CHANGE && e->reasons) {
        static const char *const rs[] = {"content", "times", "mode", "owner"};
        sk_jw_key(&w, "reason");
        sk_jw_array_begin(&w);
        for (int i = 0; i < 4; i++)
            if (e->reasons & (1u << i)) sk_jw_string(&w, rs[i]);
        sk_jw_array_end(&w);
    }
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}

int sk_listing_header_write(sk_buf *out, const sk_listing_header *h)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "listing");
    sk_jw_kv_string(&w, "schema", "sakimori/listing/1");
    sk_jw_kv_string(&w, "kind", h->base_manifest ? "base" : "host");
    sk_jw_kv_string(&w, "mode", h->delta ? "delta" : "full");
    if (h->name) sk_jw_kv_string(&w, "name", h->name);
    if (h->host_id) sk_jw_kv_string(&w, "host_id", h->host_id);
    if (h->host) sk_jw_kv_string(&w, "host", h->host);
    if (h->base) sk_jw_kv_string(&w, "base", h->base);
    if (h->base_sha256) {
        sk_jw_key(&w, "base_sha256");
        sk_jw_hex(&w, h->base_sha256, 32);
    }
    sk_jw_kv_time(&w, "base_install_time", h->base_install_time);
    sk_jw_kv_time(&w, "collected", h->collected);
    if (h->windows_root) sk_jw_kv_string(&w, "windows_root", h->windows_root);
    sk_jw_kv_u64(&w, "entries", h->entries);
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}

/* ---- snapshot lines ------------------------------------------------------------------ */

static char *put_lit(char *o, const char *lit)
{
    size_t n = strlen(lit);
    memcpy(o, lit, n);
    return o + n;
}

/* ,"key":"instant" as sk_jw_kv_time writes it; nothing for SK_TIME_NONE. */
static char *put_time(char *o, const char *key_lit, sk_time t)
{
    if (t == SK_TIME_NONE) return o;
    o = put_lit(o, key_lit);
    o += sk_time_format_trim(o, t);
    *o++ = '"';
    return o;
}

int sk_snapshot_file_members(sk_buf *b, const sk_snapshot_file *f)
{
    size_t mark = b->len;
    if (sk_buf_append(b, "\"type\":\"file\",\"path\":", 21) || sk_json_escape(b, f->path, f->path_len)) goto full;
    /* the fixed-width members: 3 times (<= 10 + SK_TIME_ISO_MAX each), mode, 2 ids */
    if (sk_buf_reserve(b, 400)) goto full;
    char *o = b->data + b->len;
    o = put_lit(o, ",\"size\":");
    o = sk_dec_u64(o, f->size);
    o = put_time(o, ",\"mtime\":\"", f->mtime);
    o = put_time(o, ",\"ctime\":\"", f->ctime);
    o = put_time(o, ",\"crtime\":\"", f->crtime);
    o = put_lit(o, ",\"mode\":\"0");
    unsigned m = f->mode & 07777;
    char oct[12];
    int k = 0;
    do oct[k++] = (char)('0' + (m & 7)); while ((m >>= 3));
    while (k < 3) oct[k++] = '0';
    while (k) *o++ = oct[--k];
    o = put_lit(o, "\",\"uid\":");
    o = sk_dec_u64(o, f->uid);
    o = put_lit(o, ",\"gid\":");
    o = sk_dec_u64(o, f->gid);
    b->len = (size_t)(o - b->data);
    if (f->owner && f->owner[0] && (sk_buf_append(b, ",\"owner\":", 9) || sk_json_escape(b, f->owner, strlen(f->owner)))) goto full;
    if (sk_buf_reserve(b, 64)) goto full;
    o = b->data + b->len;
    o = put_lit(o, ",\"inode\":");
    o = sk_dec_u64(o, f->inode);
    o = put_lit(o, ",\"nlink\":");
    o = sk_dec_u64(o, f->nlink);
    *o = '\0';
    b->len = (size_t)(o - b->data);
    return 0;
full:
    sk_buf_truncate(b, mark);
    return SK_ELIMIT;
}

int sk_snapshot_file_write(sk_jw *w, const sk_snapshot_file *f)
{
    if (sk_jw_raw(w, "", 0)) return w->err; /* the writer's comma, then the members themselves */
    if (sk_snapshot_file_members(w->out, f) && !w->err) w->err = SK_ELIMIT;
    return w->err;
}

int sk_snapshot_content_write(sk_jw *w, const sk_snapshot_content *c)
{
    sk_jw_kv_string(w, "kind", sk_file_kind_name(c->kind));
    if (c->md5) {
        sk_jw_key(w, "md5");
        sk_jw_hex(w, c->md5, 16);
    }
    if (c->sha1) {
        sk_jw_key(w, "sha1");
        sk_jw_hex(w, c->sha1, 20);
    }
    if (c->sha256) {
        sk_jw_key(w, "sha256");
        sk_jw_hex(w, c->sha256, 32);
    }
    if (c->pe) {
        sk_pe_top_strings_write(w, c->pe);
        sk_jw_key(w, "pe");
        sk_pe_identity_write(w, c->pe);
    }
    if (c->elf) {
        sk_jw_key(w, "elf");
        sk_elf_identity_write(w, c->elf);
    }
    if (c->signature) {
        sk_jw_key(w, "signature");
        sk_signature_write_catalog(w, c->signature, c->catalog);
    }
    if (c->have_yara) {
        sk_jw_key(w, "yara");
        sk_jw_array_begin(w);
        for (size_t i = 0; i < c->n_yara; i++) sk_jw_string(w, c->yara[i]);
        sk_jw_array_end(w);
    }
    return w->err;
}

static void string_array(sk_jw *w, const char *key, const char *const *v, size_t n)
{
    sk_jw_key(w, key);
    sk_jw_array_begin(w);
    for (size_t i = 0; i < n; i++) sk_jw_string(w, v[i]);
    sk_jw_array_end(w);
}

int sk_snapshot_header_write(sk_buf *out, const sk_snapshot_header *h)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "snapshot");
    sk_jw_kv_string(&w, "schema", "sakimori/snapshot/1");
    sk_jw_key(&w, "host");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "name", h->host ? h->host : "");
    if (!h->live && h->domain) sk_jw_kv_string(&w, "domain", h->domain);
    if (h->site) sk_jw_kv_string(&w, "site", h->site);
    if (h->region) sk_jw_kv_string(&w, "region", h->region);
    if (h->live) {
        sk_jw_key(&w, "os");
        sk_jw_object_begin(&w);
        sk_jw_kv_string(&w, "family", h->os_family ? h->os_family : "");
        sk_jw_kv_string(&w, "name", h->os_name ? h->os_name : "");
        sk_jw_kv_string(&w, "version", h->os_version ? h->os_version : "");
        sk_jw_object_end(&w);
        string_array(&w, "addresses", h->addresses, h->n_addresses);
        string_array(&w, "macs", h->macs, h->n_macs);
    }
    sk_jw_kv_string(&w, "identity_source", h->live ? "system" : "flags");
    sk_jw_object_end(&w);
    sk_jw_key(&w, "collector");
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "name", "sakimori");
    sk_jw_kv_string(&w, "version", h->version ? h->version : "");
    string_array(&w, "options", h->options, h->n_options);
    sk_jw_object_end(&w);
    sk_jw_kv_time(&w, "started", h->started);
    sk_jw_kv_string(&w, "root", h->root ? h->root : "");
    if (h->windows_root) sk_jw_kv_string(&w, "windows_root", h->windows_root);
    if (h->catalogs) {
        sk_jw_key(&w, "catalogs");
        sk_jw_object_begin(&w);
        sk_jw_kv_u64(&w, "read", h->catalogs_read);
        sk_jw_kv_u64(&w, "failed", h->catalogs_failed);
        sk_jw_kv_u64(&w, "members", h->catalog_members);
        string_array(&w, "algorithms", h->catalog_algorithms, h->n_catalog_algorithms);
        sk_jw_object_end(&w);
    }
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}

int sk_snapshot_error_write(sk_buf *out, const char *path, size_t path_len, const char *op, const char *msg)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "error");
    sk_jw_key(&w, "path");
    sk_jw_stringn(&w, path, path_len);
    sk_jw_kv_string(&w, "op", op);
    sk_jw_kv_string(&w, "error", msg);
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}

int sk_snapshot_end_write(sk_buf *out, const sk_snapshot_end *e)
{
    size_t mark = out->len;
    sk_jw w;
    sk_jw_init(&w, out);
    sk_jw_object_begin(&w);
    sk_jw_kv_string(&w, "type", "end");
    sk_jw_kv_time(&w, "finished", e->finished);
    sk_jw_kv_u64(&w, "files", e->files);
    sk_jw_kv_u64(&w, "bytes_hashed", e->bytes_hashed);
    sk_jw_kv_u64(&w, "hole_bytes", e->hole_bytes);
    sk_jw_kv_u64(&w, "errors", e->errors);
    sk_jw_kv_bool(&w, "complete", e->complete);
    sk_jw_object_end(&w);
    return finish_line(&w, out, mark);
}
