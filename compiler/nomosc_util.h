/* nomosc_util.h: helpers shared by the nomosc subcommands: a diagnostic sink
 * printing GCC-shaped messages to stderr (color on a terminal unless NO_COLOR). */
#ifndef NOMOS_NOMOSC_UTIL_H
#define NOMOS_NOMOSC_UTIL_H

#include "compiler/cc_diag.h"

/* Initializes a sink that renders to stderr, stopping after max_errors. */
void nomosc_stderr_sink(struct cc_diag_sink *sink, unsigned max_errors);

/* 1 when fd is a terminal and NO_COLOR / TERM=dumb do not forbid color. */
int nomosc_color(int fd);

#endif
