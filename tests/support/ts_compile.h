/* ts_compile.h: test support: compile bundle files in process into image
 * bytes and open them, as `nomosc build` does. */
#ifndef NOMOS_TS_COMPILE_H
#define NOMOS_TS_COMPILE_H

#include <stddef.h>

#include "runtime/nomos.h"
#include "runtime/rt_canon.h"

/* Compiles paths[0..n) (layers) into bytes (appended to out, if not NULL) and
 * returns the opened image, or NULL with diagnostics on stderr. downgrade is
 * the cc_diag_sink downgrade mask (e.g. 1u << CC_W_strict for --compat). */
struct nomos_image *ts_compile(const char *const *paths, size_t n, unsigned downgrade,
			       struct rt_buf *out);

/* ts_compile with emitter options (compiler/cc_emit.h; NULL: defaults). */
struct cc_emit_opts;
struct nomos_image *ts_compile_opts(const char *const *paths, size_t n, unsigned downgrade,
				    const struct cc_emit_opts *opts, struct rt_buf *out);

/* Reads a whole file (malloc'ed, NUL-terminated); NULL on error. */
char *ts_slurp(const char *path, size_t *len);

#endif
