/* rt_stdio.h: how nomosc and nomos-vm end: their output must have been
 * delivered. */
#ifndef NOMOS_RT_STDIO_H
#define NOMOS_RT_STDIO_H

/* Flushes standard output. Returns status when everything a command printed
 * reached it; otherwise (a full disk, a closed standard output, a reader gone
 * away with SIGPIPE ignored) says "PROG: cannot write standard output:
 * REASON" on standard error and returns error_status, so that a tool never
 * claims a success (or a decision) nobody received. */
int rt_stdout_finish(const char *prog, int status, int error_status);

#endif
