/* fuzz_bundle.c: libFuzzer target over the bundle front end: the first byte
 * picks YAML or JSON, the rest is the source; load, validate, canonical JSON and
 * hash must never crash, leak or hang, an accepted bundle must hash the same
 * twice (the canonical writer is deterministic), and a valid one must survive
 * `nomosc convert` to YAML and to .nomos with the same hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_model.h"
#include "compiler/cc_nomos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes b in format fmt, reads it back and aborts unless it loads, validates
 * and hashes as b. What the emitters refuse (convert reports it: text libyaml
 * will not write, a regex the language cannot quote) is skipped. */
static void round_trip(const struct cc_bundle *b, enum cc_format fmt)
{
	struct cc_diag_sink quiet = { 0 };
	struct cc_arena a;
	struct cc_src src = { 0 };
	struct cc_bundle back;
	struct rt_buf out;
	int rc;

	rt_buf_init(&out);
	rc = fmt == CC_FMT_YAML ? cc_emit_yaml(b, &out) : cc_nomos_emit(b, &quiet, &out);
	if (rc == 0 && rt_buf_cstr(&out) == 0) {
		cc_arena_init(&a);
		src.path = fmt == CC_FMT_YAML ? "back.yaml" : "back.nomos";
		src.text = out.data ? out.data : "";
		src.len = out.len;
		if (cc_load_source(&a, &quiet, &src, fmt, &back) || cc_validate(&quiet, &back) ||
		    cc_bundle_hash(&back) || strcmp(back.hash, b->hash))
			abort();
		cc_arena_free(&a);
	}
	rt_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cc_arena a;
	struct cc_diag_sink sink;
	struct cc_src src = { 0 };
	struct cc_bundle b;
	char *text, first[65];
	enum cc_format fmt;

	if (size < 1)
		return 0;
	fmt = (data[0] & 1) ? CC_FMT_YAML : CC_FMT_JSON; /* "Y" 0x59 odd, "J" 0x4a even */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	memset(&sink, 0, sizeof sink);
	src.path = fmt == CC_FMT_JSON ? "fuzz.json" : "fuzz.yaml";
	src.text = text;
	src.len = size - 1;
	cc_arena_init(&a);
	if (cc_load_source(&a, &sink, &src, fmt, &b) == 0) {
		int valid = cc_validate(&sink, &b) == 0;

		if (cc_bundle_hash(&b) == 0) {
			memcpy(first, b.hash, sizeof first);
			if (cc_bundle_hash(&b) != 0 || memcmp(first, b.hash, sizeof first))
				abort();
			/* `nomosc convert` to YAML and to .nomos keeps the hash */
			if (valid) {
				round_trip(&b, CC_FMT_YAML);
				round_trip(&b, CC_FMT_NOMOS);
			}
		}
	}
	cc_arena_free(&a);
	free(text);
	return 0;
}
