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

struct cc_arena;

/* A loaded source file. text is NUL-terminated; len excludes the NUL. lines,
 * when set (cc_read_source does), holds the offset of each line's start
 * (lines[0] = 0), so that quoting line N of a big file does not scan it for
 * every diagnostic; NULL makes look-ups scan. A source made by hand must
 * start zeroed ({ 0 }, or designated initializers) so that lines is NULL. */
struct cc_src {
	const char *path;
	const char *text;
	size_t len;
	const size_t *lines;
	size_t n_lines;
};

/* Offsets of the line starts of text[0..len) (the first is 0) in a new arena
 * array, their count in *n. NULL when memory ran out. */
size_t *cc_lines_index(struct cc_arena *a, const char *text, size_t len, size_t *n);

/* Line `line` (1-based) of src: its start, with *len set to its length
 * without the newline (and a CR before it); NULL when there is no such line.
 * Uses src->lines when set. */
const char *cc_src_line(const struct cc_src *src, uint32_t line, size_t *len);

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

/* Reads a whole file into a NUL-terminated buffer owned by the caller (free()),
 * with read(2) straight into that buffer: no stdio buffer holds a copy, and a
 * buffer outgrown on the way (a pipe) is wiped before it is freed, since the
 * file may be a secret key given by mistake. Returns 0, or -errno (-EISDIR
 * for a directory, -ENOMEM). */
int cc_read_file(const char *path, char **text, size_t *len);

#endif
