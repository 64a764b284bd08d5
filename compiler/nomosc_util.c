/* nomosc_util.c: helpers shared by the nomosc subcommands (see .h). */
#include "compiler/nomosc_util.h"

#include <errno.h>
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

void nomosc_sink_done(const struct cc_diag_sink *sink)
{
	if (sink->max_errors && sink->errors > sink->max_errors)
		fprintf(stderr, "nomosc: %u more errors not shown\n",
			sink->errors - sink->max_errors);
}

int nomosc_write_atomic(const char *path, const void *p, size_t n)
{
	size_t len = strlen(path) + 8;
	char *tmp = malloc(len);
	FILE *f;
	int ok, saved;

	if (!tmp)
		return -1;
	snprintf(tmp, len, "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	ok = fwrite(p, 1, n, f) == n;
	saved = errno;
	ok = !fclose(f) && ok;
	if (ok && rename(tmp, path) == 0) {
		free(tmp);
		return 0;
	}
	saved = errno ? errno : saved;
	remove(tmp);
	free(tmp);
	errno = saved;
	return -1;
}
