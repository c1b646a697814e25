/*
 * cmd_collect.c - `sakimori collect`: the inventory of a live host or a mounted image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/collect.h>
#include <sakimori/digest.h>

#include "cli.h"

void cmd_collect_help(FILE *out)
{
    fprintf(out,
            "Usage: sakimori collect [--root DIR] [--windows-root C:] [--host NAME --site S --region R]\n"
            "                        [--yara RULES] [--cache FILE] --out SNAPSHOT\n"
            "\n"
            "Inventory a live host (the default root, /) or a mounted disk image, read-only: every\n"
            "regular file's size and times; digests of executables (PE, ELF, Mach-O by their magic\n"
            "bytes, scripts by extension) and of other files up to --hash-limit; what each PE says\n"
            "about itself (VERSIONINFO, imports and imphash, sections, Authenticode); ELF type and\n"
            "build-id; YARA matches. Symlinks are never followed, other file systems are not\n"
            "entered, hard-linked files are read once, nothing under the root is written. The\n"
            "snapshot (JSON lines, docs/formats/snapshot.md) goes to SNAPSHOT or, with '-', stdout.\n"
            "See docs/collect.md.\n"
            "\n"
            "Options:\n"
            "  --root DIR            directory to walk (default /: a live host, identity from the system)\n"
            "  --windows-root C:     the root is that Windows volume: paths are written as C:\\...,\n"
            "                        and the PEs without an embedded signature are looked up in its\n"
            "                        security catalogues (Windows\\System32\\CatRoot): catalog or unsigned\n"
            "  --host NAME           host name (required unless collecting / live)\n"
            "  --domain D, --site S, --region R   the host's domain, site and region\n"
            "  --out SNAPSHOT        output file (created, never overwritten; zstd-compressed when\n"
            "                        it ends in .zst), or - for stdout\n"
            "  --digests LIST        digests to compute: md5,sha1,sha256 (default all three)\n"
            "  --hash-limit SIZE     hash non-executable files up to SIZE (default 64M; 0: none;\n"
            "                        'none': no limit); executables are always hashed\n"
            "  --yara RULES          YARA rules file, compiled once; matches per file\n"
            "  --cache FILE          incremental cache: unchanged files are not read again\n"
            "  --cross-filesystems   also descend into file systems mounted under the root\n"
            "  --threads N           hashing threads (default: all cores)\n"
            "  --max-path-entries N  descend no further where the directories above hold more\n"
            "                        than N entries in all (default 1048576: memory, ~350 MB)\n"
            "\n"
            "Exit codes: 0 done, 2 usage error, 3 the root could not be read or some files could\n"
            "not (they are error lines in the snapshot), 4 internal error.\n"
            "\n"
            "Examples:\n"
            "  sakimori collect --out /media/usb/$(hostname).jsonl\n"
            "  sakimori collect --root /mnt/img --windows-root C: --host TOKH-PC000042 --out pc42.jsonl\n"
            "  sakimori collect --root /usr --host lab1 --out - | jq -c 'select(.OriginalFilename)'\n");
}

static int parse_size(const char *s, uint64_t *out)
{
    if (!strcmp(s, "none")) {
        *out = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return -1;
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') mul = 1024, end++;
    else if (*end == 'M' || *end == 'm') mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g') mul = 1024ull * 1024 * 1024, end++;
    if (*end || (mul > 1 && v > UINT64_MAX / mul)) return -1;
    *out = v * mul;
    return 0;
}

static int parse_digests(const char *s, unsigned *out)
{
    unsigned d = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "md5")) d |= SK_DIGEST_MD5;
        else if (!strcmp(t, "sha1")) d |= SK_DIGEST_SHA1;
        else if (!strcmp(t, "sha256")) d |= SK_DIGEST_SHA256;
        else return -1;
    }
    if (!d) return -1;
    *out = d;
    return 0;
}

/* 1 when `path` (which need not exist yet) would lie under the directory `root`. */
static int under(const char *path, const char *root)
{
    char *r = realpath(root, NULL);
    if (!r) return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash) {
        *slash = '\0';
        d = *dir ? dir : "/";
    }
    char *p = realpath(d, NULL);
    int in = 0;
    if (p) {
        size_t n = strlen(r);
        in = !strcmp(r, "/") || (!strncmp(p, r, n) && (p[n] == '/' || p[n] == '\0'));
    }
    free(p);
    free(r);
    return in;
}

static void on_warn(void *ctx, const char *msg)
{
    (void)ctx;
    sk_cli_error("collect", "%s", msg);
}

static volatile int stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int cmd_collect_run(int argc, char **argv)
{
    sk_collect_options o = {.digests = SK_DIGEST_ALL, .hash_limit = 64ull << 20, .argc = argc, .argv = argv};
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (sk_cli_is_help(a)) {
            cmd_collect_help(stdout);
            return SK_EXIT_OK;
        }
        if (!strcmp(a, "--cross-filesystems")) {
            o.cross_fs = 1;
            continue;
        }
        static const char *const valued[] = {"--root", "--windows-root", "--host", "--domain", "--site", "--region",
                                             "--out", "--digests", "--hash-limit", "--yara", "--cache", "--threads",
                                             "--max-path-entries", NULL};
        int k = 0;
        while (valued[k] && strcmp(valued[k], a)) k++;
        if (!valued[k]) {
            sk_cli_error("collect", "unknown option '%s' (see 'sakimori collect --help')", a);
            return SK_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            sk_cli_error("collect", "option '%s' needs a value", a);
            return SK_EXIT_USAGE;
        }
        const char *v = argv[++i];
        switch (k) {
        case 0: o.root = v; break;
        case 1:
            if (!((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')) || v[1] != ':' || v[2]) {
                sk_cli_error("collect", "--windows-root '%s' is not a drive such as C:", v);
                return SK_EXIT_USAGE;
            }
            o.windows_root = v;
            break;
        case 2: o.host = v; break;
        case 3: o.domain = v; break;
        case 4: o.site = v; break;
        case 5: o.region = v; break;
        case 6: out = v; break;
        case 7:
            if (parse_digests(v, &o.digests)) {
                sk_cli_error("collect", "--digests '%s': give a comma-separated list of md5, sha1, sha256", v);
                return SK_EXIT_USAGE;
            }
            break;
        case 8:
            if (parse_size(v, &o.hash_limit)) {
                sk_cli_error("collect", "--hash-limit '%s' is not a size such as 64M, or none", v);
                return SK_EXIT_USAGE;
            }
            break;
        case 9: o.yara_rules = v; break;
        case 10: o.cache = v; break;
        case 11: {
            char *end;
            long t = strtol(v, &end, 10);
            if (*end || t < 0 || t > 1024 || end == v) {
                sk_cli_error("collect", "--threads '%s' is not a number between 0 and 1024", v);
                return SK_EXIT_USAGE;
            }
            o.threads = (unsigned)t;
            break;
        }
        case 12: {
            char *end;
            errno = 0;
            unsigned long long t = strtoull(v, &end, 10);
            if (errno || *end || end == v || *v == '-' || t == 0) {
                sk_cli_error("collect", "--max-path-entries '%s' is not a positive number", v);
                return SK_EXIT_USAGE;
            }
            o.max_path_entries = (uint64_t)t;
            break;
        }
        }
    }
    if (!out) {
        sk_cli_error("collect", "--out is required: a file, or - for stdout (see 'sakimori collect --help')");
        return SK_EXIT_USAGE;
    }
    if (!o.root) o.root = "/";
    o.live = !strcmp(o.root, "/") && !o.host;
    if (!o.live && !o.host) {
        sk_cli_error("collect", "collecting %s: give --host NAME (only a live collection of / takes the identity from this system)",
                     o.root);
        return SK_EXIT_USAGE;
    }
    /* an image is evidence: nothing of ours goes under its root. A live host has
     * nowhere else to write: its snapshot and cache are left out of the walk. */
    if (!o.live && strcmp(out, "-") && under(out, o.root)) {
        sk_cli_error("collect", "--out %s lies under the root %s: write the snapshot elsewhere (evidence is read-only)", out,
                     o.root);
        return SK_EXIT_USAGE;
    }
    if (!o.live && o.cache && under(o.cache, o.root)) {
        sk_cli_error("collect", "--cache %s lies under the root %s: keep the cache elsewhere (evidence is read-only)", o.cache,
                     o.root);
        return SK_EXIT_USAGE;
    }
    FILE *f = stdout;
    if (strcmp(out, "-")) {
        if (sk_collect_create_output(out, &f, &o.exclude_dev[0], &o.exclude_ino[0])) {
            sk_cli_error("collect", "%s", sk_error_last());
            return SK_EXIT_INPUT;
        }
        o.n_exclude = 1;
    }
    struct stat xs;
    if (o.cache && !stat(o.cache, &xs)) { /* the cache is replaced at the end: its current file */
        o.exclude_dev[o.n_exclude] = xs.st_dev;
        o.exclude_ino[o.n_exclude++] = xs.st_ino;
    }
    o.progress = isatty(2);
    o.stop = &stop_requested;
    o.warn = on_warn;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sk_collect_summary s;
    int rc = sk_collect_run(&o, f, &s);
    if (f != stdout && fclose(f) && !rc) rc = sk_error_set(SK_EIO, "%s: %s", out, strerror(errno));
    if (rc) {
        sk_cli_error("collect", "%s", sk_error_last());
        return rc == SK_EINVAL ? SK_EXIT_USAGE : sk_exit_from_error(rc);
    }
    fprintf(stderr,
            "collect: %llu files (%llu read again from the cache), %llu bytes hashed (%llu in holes, not read), %llu hard "
            "links, %llu symlinks not followed, %llu special files and %llu other file systems skipped, %llu errors\n",
            (unsigned long long)s.files, (unsigned long long)s.cached, (unsigned long long)s.bytes_hashed,
            (unsigned long long)s.hole_bytes,
            (unsigned long long)s.hardlinks, (unsigned long long)s.symlinks, (unsigned long long)s.special,
            (unsigned long long)s.other_fs, (unsigned long long)s.errors);
    if (s.catalogs_read || s.catalogs_failed)
        fprintf(stderr, "collect: %llu security catalogues read (%llu members), %llu not readable\n",
                (unsigned long long)s.catalogs_read, (unsigned long long)s.catalog_members,
                (unsigned long long)s.catalogs_failed);
    return s.errors ? SK_EXIT_INPUT : SK_EXIT_OK;
}
