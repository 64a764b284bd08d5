/* fuzz_dsl.c: libFuzzer target over the .nomos front end: lexer + parser +
 * lowering + validation, with diagnostics rendered. On input that parses it
 * also checks the formatter's promises (no comment lost, output parses,
 * idempotent, same bundle) and the convert round trip (emit -> reparse gives
 * the same canonical JSON). Any broken promise aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_nomos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(void *ctx, const struct cc_diagnostic *d)
{
	struct rt_buf *b = ctx;

	cc_diag_render(d, b, 0);
	rt_buf_reset(b);
}

/* Parses text; on success formats it into out and lowers it into b. */
static int load(struct cc_arena *a, struct cc_diag_sink *sink, struct cc_src *src,
		struct rt_buf *out, struct cc_bundle *b, int *lowered)
{
	struct nm_doc doc;
	int rc;

	if (cc_nomos_parse_doc(a, sink, src, &doc))
		return -1;
	rc = cc_nomos_format(&doc, out);
	if (rc == -2)
		abort(); /* a comment was lost */
	memset(b, 0, sizeof *b);
	b->src = src;
	*lowered = cc_nomos_lower(a, sink, &doc, b) == 0;
	return rc;
}

static void canonical(const struct cc_bundle *b, struct rt_buf *out)
{
	if (cc_bundle_canonical(b, out))
		abort();
	rt_buf_cstr(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cc_arena a;
	struct rt_buf diag, f1, f2, c1, c2, em;
	struct cc_diag_sink sink = { .emit = render, .ctx = &diag };
	struct cc_diag_sink quiet = { 0 };
	struct cc_src src = { 0 }, src2 = { 0 }, src3 = { 0 };
	struct cc_bundle b1, b2, b3;
	char *text;
	int low1, low2, low3;

	if (size > 1 << 16)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	src.path = "fuzz.nomos";
	src.text = text;
	src.len = size;
	cc_arena_init(&a);
	rt_buf_init(&diag);
	rt_buf_init(&f1);
	rt_buf_init(&f2);
	rt_buf_init(&c1);
	rt_buf_init(&c2);
	rt_buf_init(&em);
	if (load(&a, &sink, &src, &f1, &b1, &low1) == 0) {
		if (low1)
			cc_validate(&sink, &b1);
		/* The formatted text parses, formats to itself, and means the same. */
		rt_buf_cstr(&f1);
		src2.path = "formatted.nomos";
		src2.text = f1.data ? f1.data : "";
		src2.len = f1.len;
		if (load(&a, &quiet, &src2, &f2, &b2, &low2) != 0)
			abort();
		if (f1.len != f2.len || (f1.len && memcmp(f1.data, f2.data, f1.len)))
			abort();
		if (low1 != low2)
			abort();
		if (low1) {
			canonical(&b1, &c1);
			canonical(&b2, &c2);
			if (strcmp(c1.data, c2.data))
				abort();
			/* Convert back to text (comments dropped): same bundle. */
			if (cc_nomos_emit(&b1, &quiet, &em) == 0) {
				rt_buf_cstr(&em);
				src3.path = "emitted.nomos";
				src3.text = em.data ? em.data : "";
				src3.len = em.len;
				rt_buf_reset(&f2);
				if (load(&a, &quiet, &src3, &f2, &b3, &low3) != 0 || !low3)
					abort();
				rt_buf_reset(&c2);
				canonical(&b3, &c2);
				if (strcmp(c1.data, c2.data))
					abort();
			}
		}
	}
	rt_buf_free(&diag);
	rt_buf_free(&f1);
	rt_buf_free(&f2);
	rt_buf_free(&c1);
	rt_buf_free(&c2);
	rt_buf_free(&em);
	cc_arena_free(&a);
	free(text);
	return 0;
}
