/* Unit tests: sk_file_open (never blocking, no atime change, no symlink where asked)
 * and sk_file_read_all (bounded whole-file reads with one-line errors). */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <sakimori/file.h>

#include "sk_test.h"

static void reads_and_limits(void)
{
    char dir[] = "/tmp/sk-file-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char f[128];
    snprintf(f, sizeof f, "%s/ten", dir);
    FILE *fp = fopen(f, "wb");
    fputs("0123456789", fp);
    fclose(fp);
    char *d = NULL;
    size_t n = 0;
    CHECK_INT(sk_file_read_all(f, 10, &d, &n), 0);
    CHECK_INT(n, 10);
    CHECK_STR(d, "0123456789");
    free(d);
    CHECK_INT(sk_file_read_all(f, 9, &d, &n), SK_ELIMIT);
    CHECK(d == NULL);
    char msg[300];
    snprintf(msg, sizeof msg, "%s: larger than 9 bytes", f);
    CHECK_STR(sk_error_last(), msg);
    CHECK_INT(sk_file_read_all(dir, 100, &d, &n), SK_EIO);
    snprintf(msg, sizeof msg, "%s: not a regular file (a directory)", dir);
    CHECK_STR(sk_error_last(), msg);
    CHECK_INT(sk_file_read_all("/nonexistent/x", 100, &d, &n), SK_EIO);
    CHECK_STR(sk_error_last(), "/nonexistent/x: cannot open: No such file or directory");
    char e[128];
    snprintf(e, sizeof e, "%s/empty", dir);
    fp = fopen(e, "wb");
    fclose(fp);
    CHECK_INT(sk_file_read_all(e, 100, &d, &n), 0);
    CHECK(d && d[0] == '\0' && n == 0);
    free(d);
    /* exactly the limit is allowed; a file whose size says 0 is read to its end */
    fp = fopen(e, "wb");
    fputs("123456789", fp);
    fclose(fp);
    CHECK_INT(sk_file_read_all(e, 9, &d, &n), 0);
    CHECK(d && n == 9 && !strcmp(d, "123456789"));
    free(d);
    CHECK_INT(sk_file_read_all("/proc/self/status", 1 << 20, &d, &n), 0);
    CHECK(d && n > 20 && strlen(d) == n && strstr(d, "Name:") == d);
    free(d);
    unlink(f);
    unlink(e);
    rmdir(dir);
}

/* A FIFO named as an input is refused at once: before sk_file_open, opening one for
 * reading waited for a writer forever (the alarm turns a hang into a failure). */
static void fifo_never_blocks(void)
{
    char dir[] = "/tmp/sk-file-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[128], msg[300];
    snprintf(p, sizeof p, "%s/fifo", dir);
    CHECK_INT(mkfifo(p, 0600), 0);
    alarm(5);
    char *d = NULL;
    size_t n;
    CHECK_INT(sk_file_read_all(p, 100, &d, &n), SK_EIO);
    snprintf(msg, sizeof msg, "%s: not a regular file (a FIFO)", p);
    CHECK_STR(sk_error_last(), msg);
    int fd = 0;
    CHECK_INT(sk_file_open(SK_FILE_CWD, p, 0, &fd, NULL), SK_EIO);
    CHECK_INT(fd, -1);
    sk_file_info fi;
    CHECK_INT(sk_file_open(SK_FILE_CWD, p, SK_FILE_ANY, &fd, &fi), 0);
    CHECK_INT(fi.type, SK_FILE_FIFO);
    close(fd);
    alarm(0);
    unlink(p);
    rmdir(dir);
}

/* A symlink is refused with SK_FILE_NOFOLLOW, followed without; a directory needs SK_FILE_DIR. */
static void symlinks_and_dirs(void)
{
    char dir[] = "/tmp/sk-file-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char f[128], l[128], msg[300];
    snprintf(f, sizeof f, "%s/f", dir);
    snprintf(l, sizeof l, "%s/l", dir);
    FILE *fp = fopen(f, "wb");
    fputs("abc", fp);
    fclose(fp);
    CHECK_INT(symlink("f", l), 0);
    int fd;
    sk_file_info fi;
    CHECK_INT(sk_file_open(SK_FILE_CWD, l, SK_FILE_NOFOLLOW, &fd, &fi), SK_EIO);
    snprintf(msg, sizeof msg, "%s: is a symbolic link (not followed)", l);
    CHECK_STR(sk_error_last(), msg);
    CHECK_INT(sk_file_open(SK_FILE_CWD, l, 0, &fd, &fi), 0);
    CHECK_INT(fi.type, SK_FILE_REG);
    CHECK_INT(fi.size, 3);
    close(fd);
    int dfd;
    CHECK_INT(sk_file_open(SK_FILE_CWD, dir, SK_FILE_DIR, &dfd, &fi), 0);
    CHECK_INT(fi.type, SK_FILE_TYPE_DIR);
    CHECK_INT(sk_file_open(dfd, "f", SK_FILE_NOFOLLOW, &fd, NULL), 0); /* relative to a handle */
    close(fd);
    CHECK_INT(sk_file_open(dfd, "f", SK_FILE_DIR, &fd, NULL), SK_EIO);
    CHECK_STR(sk_error_last(), "f: not a directory");
    close(dfd);
    unlink(l);
    unlink(f);
    rmdir(dir);
}

/* Reading through sk_file_open leaves the access time as it was (the file is ours, so
 * O_NOATIME is permitted; an old atime would be updated under relatime otherwise). */
static void access_time_kept(void)
{
    char dir[] = "/tmp/sk-file-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char f[128];
    snprintf(f, sizeof f, "%s/f", dir);
    FILE *fp = fopen(f, "wb");
    fputs("0123456789", fp);
    fclose(fp);
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}}; /* 2001: older than mtime under relatime */
    CHECK_INT(utimes(f, tv), 0);
    char *d = NULL;
    size_t n;
    CHECK_INT(sk_file_read_all(f, 100, &d, &n), 0);
    free(d);
    struct stat st;
    CHECK_INT(stat(f, &st), 0);
    CHECK_INT(st.st_atime, 1000000000);
    unlink(f);
    rmdir(dir);
}

/* a folder's names: sorted bytewise, "." and ".." left out, the descriptor left open */
static void dir_names(void)
{
    char dir[] = "/tmp/sk-test-dirnames.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *make[] = {"c", "a", ".hidden", "B", "b"};
    char p[128];
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, make[i]);
        FILE *fp = fopen(p, "w");
        if (fp) fclose(fp);
    }
    int fd;
    CHECK_INT(sk_file_open(SK_FILE_CWD, dir, SK_FILE_DIR, &fd, NULL), 0);
    char **names = NULL;
    size_t n = 0;
    CHECK_INT(sk_dir_names(fd, &names, &n), 0);
    CHECK_INT(n, 5);
    const char *want[] = {".hidden", "B", "a", "b", "c"};
    for (size_t i = 0; i < n && i < 5; i++) CHECK_STR(names[i], want[i]);
    sk_dir_names_free(names, n);
    /* twice on the same descriptor: the same names (it was not consumed) */
    CHECK_INT(sk_dir_names(fd, &names, &n), 0);
    CHECK_INT(n, 5);
    sk_dir_names_free(names, n);
    close(fd);
    CHECK_INT(sk_dir_names(-1, &names, &n), SK_EIO);
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, make[i]);
        unlink(p);
    }
    rmdir(dir);
}

SK_TEST_MAIN(T(reads_and_limits), T(fifo_never_blocks), T(symlinks_and_dirs), T(access_time_kept), T(dir_names))
