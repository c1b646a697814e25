/*
 * lines.h - an input read line by line, hashed on the way (src/cli/lines.c).
 */
#ifndef SK_CLI_LINES_H
#define SK_CLI_LINES_H

#include <stddef.h>
#include <stdint.h>

/* One line (without its newline) numbered from 1; s NULL, as soon as it passes 64 MiB,
 * for a line too long to hold (the reason in sk_error_last()). Non-zero stops the reading
 * and is returned. */
typedef int (*cli_line_cb)(void *ctx, const char *s, size_t n, uint64_t line);

/* Every line of fd (path names it in messages) to cb; sha_hex (NULL: not hashed) gets
 * the SHA-256 of every byte read, *lines the number of lines. */
int cli_read_lines(const char *path, int fd, cli_line_cb cb, void *ctx, char sha_hex[65], uint64_t *lines);

#endif
