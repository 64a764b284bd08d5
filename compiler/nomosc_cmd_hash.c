/* nomosc_cmd_hash.c: `nomosc hash INPUT...` prints the Nomos-compatible
 * policy_bundle_hash of one bundle or of ordered layers (merged hash, spec §4.4);
 * `--canonical` prints the canonical JSON of one bundle instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/cc_inputs.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_hash_summary[] = "print the policy_bundle_hash of bundles (Nomos v1 compatible)";

static void hash_usage(FILE *f)
{
	fprintf(f, "usage: nomosc hash [--canonical] [--compat] INPUT...\n\n"
		   "Loads and validates each INPUT (a .yaml/.yml/.json/.nomos file, or a\n"
		   "directory, expanded recursively in byte-sorted path order) and prints the\n"
		   "policy_bundle_hash Nomos v1 would report: the bundle's own hash for one\n"
		   "file, the merged hash of the layers in order for several.\n\n"
		   "  --canonical   print the canonical JSON of the (single) bundle instead\n"
		   "  --compat      accept what Nomos v1 accepts but nomos rejects by default\n"
		   "                ([-Wstrict] errors become warnings, with upstream's meaning;\n"
		   "                docs/nomos-compat.md), to compare hashes with Nomos v1\n"
		   "  -h, --help    show this help\n\n"
		   "exit status: 0 success, 1 errors in the input, 2 usage error\n");
}

int nomosc_cmd_hash(int argc, char **argv)
{
	struct cc_diag_sink sink;
	struct cc_arena a;
	struct cc_loaded l;
	const char **inputs;
	int i, n = 0, canonical = 0, rc;

	nomosc_stderr_sink(&sink, 50);

	inputs = calloc((size_t)argc + 1, sizeof *inputs);
	if (!inputs)
		return NOMOSC_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			hash_usage(stdout);
			free(inputs);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--canonical")) {
			canonical = 1;
		} else if (!strcmp(argv[i], "--compat")) {
			sink.downgrade = 1u << CC_W_strict;
		} else if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				inputs[n++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "nomosc hash: unknown option '%s'\n", argv[i]);
			hash_usage(stderr);
			free(inputs);
			return NOMOSC_EXIT_USAGE;
		} else {
			inputs[n++] = argv[i];
		}
	}
	if (n == 0) {
		hash_usage(stderr);
		free(inputs);
		return NOMOSC_EXIT_USAGE;
	}
	cc_arena_init(&a);
	rc = cc_load_inputs(&a, &sink, inputs, (size_t)n, &l);
	if (rc == 0 && canonical) {
		struct rt_buf b;

		if (l.n_bundles != 1) {
			fprintf(stderr, "nomosc hash: --canonical takes exactly one bundle (got %zu)\n",
				l.n_bundles);
			rc = -2;
		} else {
			rt_buf_init(&b);
			if (cc_bundle_canonical(l.bundles[0], &b) == 0) {
				fwrite(b.data, 1, b.len, stdout);
				putchar('\n');
			} else {
				rc = -1;
			}
			rt_buf_free(&b);
		}
	} else if (rc == 0) {
		printf("%s\n", l.hash);
	}
	nomosc_sink_done(&sink);
	cc_arena_free(&a);
	free(inputs);
	return rc == 0 ? NOMOSC_EXIT_OK : rc == -2 ? NOMOSC_EXIT_USAGE : NOMOSC_EXIT_ERROR;
}
