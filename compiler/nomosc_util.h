/* nomosc_util.h: helpers shared by the nomosc subcommands: a diagnostic sink
 * printing GCC-shaped messages to stderr (color on a terminal unless NO_COLOR). */
#ifndef NOMOS_NOMOSC_UTIL_H
#define NOMOS_NOMOSC_UTIL_H

#include <stddef.h>

#include "compiler/cc_diag.h"

/* Initializes a sink that renders to stderr, stopping after max_errors. */
void nomosc_stderr_sink(struct cc_diag_sink *sink, unsigned max_errors);

/* Says how many errors the sink's cap kept back, if any (on stderr). */
void nomosc_sink_done(const struct cc_diag_sink *sink);

/* Writes p[0..n) to path through a temporary file (path.XXXXXX, beside it)
 * and rename(2), so readers never see a partial file; a file it replaces
 * keeps its mode. A path that names a device or a FIFO (/dev/null,
 * /dev/stdout) is written into, never renamed over. Returns 0, or -1 with
 * errno set (EISDIR for a directory). */
int nomosc_write_atomic(const char *path, const void *p, size_t n);

/* 1 when the paths name one existing file (same device and inode). */
int nomosc_same_file(const char *a, const char *b);

/* 1 when fd is a terminal and NO_COLOR / TERM=dumb do not forbid color. */
int nomosc_color(int fd);

#endif
