/* cc_diag.h: source files, positions and GCC-shaped diagnostics for every front
 * end and check. Library code reports through a sink; only main() prints.
 *   policies/web.yaml:12:7: error: unknown decision 'alow' [-Wsyntax]
 *      12 |     decision: alow
 *         |               ^~~~ */
#ifndef NOMOS_CC_DIAG_H
#define NOMOS_CC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_canon.h"

/* A loaded source file. text is NUL-terminated; len excludes the NUL. */
struct cc_src {
	const char *path;
	const char *text;
	size_t len;
};

/* A position: 1-based line and column (in bytes), plus the length of the
 * offending text for the ~~~ underline (0 or 1 = caret only). src may be NULL
 * for positions that do not come from a file. */
struct cc_pos {
	const struct cc_src *src;
	uint32_t line;
	uint32_t col;
	uint32_t len;
};

enum cc_severity { CC_ERROR, CC_WARNING, CC_NOTE };

/* Diagnostic groups, shown as [-Wname]. One list; add new groups here. */
#define CC_DIAG_GROUPS(X)                                                      \
	X(syntax, "syntax")         /* the text does not parse */              \
	X(schema, "schema")         /* wrong field, type or shape */            \
	X(nomos, "nomos")           /* a Nomos v1 validation rule (spec 1.5) */ \
	X(strict, "strict")         /* stricter than upstream (nomos-compat.md) */ \
	X(nonportable, "nonportable") /* an extension beyond Nomos v1 */        \
	X(io, "io")                 /* reading files */                         \
	X(limit, "limit")           /* a compile-time limit was reached */

enum cc_diag_group {
#define CC_DIAG_ENUM(id, name) CC_W_##id,
	CC_DIAG_GROUPS(CC_DIAG_ENUM)
#undef CC_DIAG_ENUM
	CC_W__COUNT
};

struct cc_diagnostic {
	enum cc_severity severity;
	enum cc_diag_group group;
	struct cc_pos pos;
	char message[1024];
};

/* Where diagnostics go. emit may be NULL (count only). After max_errors errors
 * (0 = unlimited) further errors are counted but not emitted. */
struct cc_diag_sink {
	void (*emit)(void *ctx, const struct cc_diagnostic *d);
	void *ctx;
	unsigned errors;
	unsigned warnings;
	unsigned max_errors;
	/* Groups whose errors are reported as warnings (bit 1u << group), like
	 * GCC's -Wno-error=GROUP: `nomosc --compat` sets CC_W_strict so that a
	 * bundle upstream accepts still compiles, with upstream's meaning. */
	unsigned downgrade;
	bool capped; /* the last error was not emitted: drop its notes too */
};

/* Reports one diagnostic to the sink. */
void cc_diag(struct cc_diag_sink *sink, enum cc_severity sev, enum cc_diag_group group,
	     struct cc_pos pos, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Renders d as `file:line:col: error: message [-Wgroup]`, then the source line
 * and a caret line, into out (appended). color adds ANSI bold/red (callers pass 0
 * when NO_COLOR is set or output is not a terminal). Returns 0 or -1 on memory. */
int cc_diag_render(const struct cc_diagnostic *d, struct rt_buf *out, int color);

/* Name of a group, e.g. "syntax". */
const char *cc_diag_group_name(enum cc_diag_group g);

/* Length of the valid UTF-8 sequence at p[0..n) (1-4; n >= 1), or 0 when it is
 * invalid by Go's rules: no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
size_t cc_utf8_len(const unsigned char *p, size_t n);

/* Reads a whole file into a NUL-terminated buffer owned by the caller (free()).
 * Returns 0, or -errno with *err pointing at a static description. */
int cc_read_file(const char *path, char **text, size_t *len);

#endif
