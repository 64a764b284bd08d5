/* nomos_vm_util.h: helpers shared by the nomos-vm subcommands: image path
 * resolution (-i, $NOMOS_IMAGE, ./bundle.nbc), reading inputs, color. */
#ifndef NOMOS_VM_UTIL_H
#define NOMOS_VM_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "runtime/nomos.h"

/* The image path: explicit (may be NULL), else $NOMOS_IMAGE, else ./bundle.nbc. */
const char *nomos_vm_image_path(const char *explicit_path);

/* How messages name an input: "standard input" for "-", else the path. */
const char *nomos_vm_input_name(const char *path);

/* Reads a file, or standard input for "-", into a malloc'ed NUL-terminated
 * buffer. Returns 0 or -1 with a message printed to stderr. */
int nomos_vm_read(const char *path, char **text, size_t *len);

/* 1 when stream fd is a terminal and NO_COLOR / TERM=dumb do not forbid color. */
int nomos_vm_color(int fd);

/* Options every image-reading subcommand accepts: -i IMAGE and the trust
 * options (see nomos_vm_common_usage). */
struct nomos_vm_opts {
	const char *image;      /* -i/--image, else $NOMOS_IMAGE, else ./bundle.nbc */
	const char *trust;      /* --trust FILE (trust store), else $NOMOS_TRUST */
	const char *state;      /* --state FILE (highest accepted revision), else $NOMOS_STATE */
	int allow_unsigned;     /* --allow-unsigned, or NOMOS_ALLOW_UNSIGNED=1 */
};

/* What nomos_vm_common_opt did with argv[*i]. */
enum nomos_vm_opt { NOMOS_VM_OPT_NONE, NOMOS_VM_OPT_TAKEN, NOMOS_VM_OPT_HELP, NOMOS_VM_OPT_BAD };

/* Handles argv[*i] when it is -h/--help (prints usage to stdout) or a common
 * option (consumes its value too); NOMOS_VM_OPT_BAD when a value is missing
 * (message printed). A subcommand's option loop starts with:
 *   if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
 *           continue;
 *   if (co != NOMOS_VM_OPT_NONE)
 *           return nomos_vm_opt_exit(co);
 */
enum nomos_vm_opt nomos_vm_common_opt(int argc, char **argv, int *i, struct nomos_vm_opts *o,
				      void (*usage)(FILE *));

/* The exit status for NOMOS_VM_OPT_HELP (0) or NOMOS_VM_OPT_BAD (2). */
int nomos_vm_opt_exit(enum nomos_vm_opt co);

/* --format text|json (or --format=...) at argv[*i], for cmd's messages:
 * NOMOS_VM_OPT_NONE when argv[*i] is not --format, NOMOS_VM_OPT_TAKEN with
 * *json set (the value consumed), NOMOS_VM_OPT_BAD when the value is missing
 * or neither text nor json (message printed). */
enum nomos_vm_opt nomos_vm_format_opt(const char *cmd, int argc, char **argv, int *i, int *json);

/* The length of line[0..n) without its trailing newline, CR (CRLF streams)
 * and blanks: 0 for a blank line, which JSONL readers skip. */
size_t nomos_vm_line_len(const char *line, size_t n);

/* The help text of the common options, for usage(). */
extern const char nomos_vm_common_usage[];

/* Opens and verifies the image named by o (structure, content hash, and the
 * trust policy); on failure prints the reason to stderr (prefixed
 * "nomos-vm: "), leaves it in err and returns NULL. */
struct nomos_image *nomos_vm_open(const struct nomos_vm_opts *o, char *err, size_t errlen);

/* What nomos_vm_open_check learned about the image (for `nomos-vm verify`). */
struct nomos_vm_trust_info {
	const char *path;   /* the image path used */
	int have_image;     /* the image opened (structure and content hash ok) */
	int is_signed;
	char key_id[17];    /* "" when unsigned */
	uint64_t revision;
	uint64_t expires_at;
	unsigned flags;     /* NOMOS_CHECK_* */
};

/* The trust policy of every image-reading command (docs/signing.md): opens
 * the image, loads the trust store (--trust, else $NOMOS_TRUST) and the state
 * (--state, else $NOMOS_STATE), applies nomos_image_check (--allow-unsigned or
 * NOMOS_ALLOW_UNSIGNED=1), and on acceptance of a verified signed image
 * raises the state to its revision. Prints nothing except the warning when a
 * signature is accepted unchecked. Returns the verdict with a message in err;
 * *out is the accepted image (NULL unless NOMOS_VERDICT_OK); info may be NULL. */
enum nomos_verdict nomos_vm_open_check(const struct nomos_vm_opts *o, struct nomos_image **out,
				       struct nomos_vm_trust_info *info, char *err, size_t errlen);

#endif
