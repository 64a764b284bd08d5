/* fuzz_bundle.c: libFuzzer target over the bundle front end: the first byte
 * picks YAML or JSON, the rest is the source; load, validate, canonical JSON and
 * hash must never crash, leak or hang, and an accepted bundle must hash the same
 * twice (the canonical writer is deterministic). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cc_arena a;
	struct cc_diag_sink sink;
	struct cc_src src;
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
		(void)cc_validate(&sink, &b);
		if (cc_bundle_hash(&b) == 0) {
			memcpy(first, b.hash, sizeof first);
			if (cc_bundle_hash(&b) != 0 || memcmp(first, b.hash, sizeof first))
				abort();
		}
	}
	cc_arena_free(&a);
	free(text);
	return 0;
}
