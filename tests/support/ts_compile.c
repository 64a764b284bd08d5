/* ts_compile.c: test support, see ts_compile.h. */
#include "tests/support/ts_compile.h"

#include <stdio.h>
#include <stdlib.h>

#include "compiler/cc_emit.h"
#include "compiler/cc_inputs.h"

static void emit_stderr(void *ctx, const struct cc_diagnostic *d)
{
	struct rt_buf b;

	(void)ctx;
	rt_buf_init(&b);
	if (!cc_diag_render(d, &b, 0) && d->severity == CC_ERROR)
		fwrite(b.data, 1, b.len, stderr);
	rt_buf_free(&b);
}

struct nomos_image *ts_compile(const char *const *paths, size_t n, unsigned downgrade,
			       struct rt_buf *out)
{
	return ts_compile_opts(paths, n, downgrade, NULL, out);
}

struct nomos_image *ts_compile_opts(const char *const *paths, size_t n, unsigned downgrade,
				    const struct cc_emit_opts *opts, struct rt_buf *out)
{
	struct cc_arena a;
	struct cc_diag_sink sink = { .emit = emit_stderr, .downgrade = downgrade };
	struct cc_loaded l;
	struct rt_buf img;
	struct nomos_image *res = NULL;
	char err[256];

	cc_arena_init(&a);
	rt_buf_init(&img);
	if (cc_load_inputs(&a, &sink, paths, n, &l) == 0 &&
	    cc_emit_image(&a, &sink, (const struct cc_bundle *const *)l.bundles, l.n_bundles,
			  l.hash, opts, &img) == 0) {
		if (nomos_image_open_mem(img.data, img.len, NULL, &res, err, sizeof err))
			fprintf(stderr, "ts_compile: %s\n", err);
		else if (out)
			rt_buf_put(out, img.data, img.len);
	}
	rt_buf_free(&img);
	cc_arena_free(&a);
	return res;
}

char *ts_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}
