/* Unit tests: sk_file_read_all - bounded whole-file reads with one-line errors. */
#include <sys/stat.h>
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
    snprintf(msg, sizeof msg, "%s: not a regular file", dir);
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

SK_TEST_MAIN(T(reads_and_limits))
