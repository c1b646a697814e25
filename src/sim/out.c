/*
 * out.c - the simulator's file output (see out.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sakimori/common.h>

#include "out.h"

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc && errno != EEXIST) return -1;
    }
    return 0;
}

FILE *sim_out_open(sim_out *o, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->dir, rel);
    if (mkdirs(path)) {
        sk_error_set(SK_EIO, "%s: cannot create its directory: %s", path, strerror(errno));
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        sk_error_set(errno == EEXIST ? SK_EEXISTS : SK_EIO, "%s: cannot create: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        sk_error_set(SK_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

int sim_out_close(sim_out *o, FILE *f, const char *rel)
{
    long pos = ftell(f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return sk_error_set(SK_EIO, "%s/%s: write error: %s", o->dir, rel, strerror(errno));
    o->files++;
    if (pos > 0) o->bytes += (uint64_t)pos;
    return 0;
}

int sim_out_write(sim_out *o, const char *rel, const sk_buf *b)
{
    FILE *f = sim_out_open(o, rel);
    if (!f) return sk_error_last_code();
    if (b->len) fwrite(b->data, 1, b->len, f);
    return sim_out_close(o, f, rel);
}
