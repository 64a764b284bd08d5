/* nomos_vm_util.h: helpers shared by the nomos-vm subcommands: image path
 * resolution (-i, $NOMOS_IMAGE, ./bundle.nbc), reading inputs, color. */
#ifndef NOMOS_VM_UTIL_H
#define NOMOS_VM_UTIL_H

#include <stddef.h>

#include "runtime/nomos.h"

/* The image path: explicit (may be NULL), else $NOMOS_IMAGE, else ./bundle.nbc. */
const char *nomos_vm_image_path(const char *explicit_path);

/* Reads a file, or standard input for "-", into a malloc'ed NUL-terminated
 * buffer. Returns 0 or -1 with a message printed to stderr. */
int nomos_vm_read(const char *path, char **text, size_t *len);

/* 1 when stream fd is a terminal and NO_COLOR / TERM=dumb do not forbid color. */
int nomos_vm_color(int fd);

/* Opens the image at path; on failure prints the reason to stderr (prefixed
 * "nomos-vm: ") and returns NULL, leaving the message in err. */
struct nomos_image *nomos_vm_open(const char *path, char *err, size_t errlen);

#endif
