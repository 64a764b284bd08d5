/* nomosc_util.c: helpers shared by the nomosc subcommands (see .h). */
#include "compiler/nomosc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nomosc_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if ((nc && *nc) || (term && !strcmp(term, "dumb")))
		return 0;
	return isatty(fd);
}

static void emit_stderr(void *ctx, const struct cc_diagnostic *d)
{
	struct rt_buf b;

	(void)ctx;
	rt_buf_init(&b);
	if (cc_diag_render(d, &b, nomosc_color(2)) == 0)
		fwrite(b.data, 1, b.len, stderr);
	rt_buf_free(&b);
}

void nomosc_stderr_sink(struct cc_diag_sink *sink, unsigned max_errors)
{
	memset(sink, 0, sizeof *sink);
	sink->emit = emit_stderr;
	sink->max_errors = max_errors;
}
