/* cc_nomos_parse.c: placeholder for the .nomos language front end (issue 6),
 * which replaces this file. Until then a .nomos input is a clear error. */
#include "compiler/cc_model.h"

int cc_parse_nomos(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		   struct cc_bundle *out)
{
	struct cc_pos pos = { src, 0, 0, 0 };

	(void)a;
	(void)out;
	cc_diag(sink, CC_ERROR, CC_W_syntax, pos, "the .nomos language front end is not built in");
	return -1;
}
