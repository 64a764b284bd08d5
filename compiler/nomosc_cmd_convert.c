/* nomosc_cmd_convert.c: `nomosc convert [--to nomos|yaml|json] [-o OUT] INPUT`
 * translates a bundle between YAML/JSON and the .nomos language through the
 * bundle model, so the policy_bundle_hash survives every round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/cc_nomos.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_convert_summary[] = "translate a bundle between YAML/JSON and .nomos";

static void convert_usage(FILE *f)
{
	fprintf(f, "usage: nomosc convert [--to nomos|yaml|json] [-o OUT] INPUT\n\n"
		   "Reads a bundle (.yaml, .yml, .json or .nomos), checks it, and writes it in\n"
		   "another format with the same policy_bundle_hash.\n"
		   "  --to FORMAT  nomos, yaml or json (default: yaml for a .nomos input, nomos\n"
		   "               otherwise; with -o, taken from OUT's extension)\n"
		   "  -o OUT       write to OUT instead of standard output\n"
		   "exit status: 0 success, 1 errors in the input, 2 usage\n");
}

static const char *ext_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return NULL;
	if (!strcmp(dot, ".nomos"))
		return "nomos";
	if (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"))
		return "yaml";
	if (!strcmp(dot, ".json"))
		return "json";
	return NULL;
}

int nomosc_cmd_convert(int argc, char **argv)
{
	struct cc_diag_sink sink;
	const char *to = NULL, *out_path = NULL, *in = NULL;
	struct cc_arena a;
	struct cc_bundle b;
	struct rt_buf out;
	int i, rc, status = NOMOSC_EXIT_OK;

	nomosc_stderr_sink(&sink, 20);

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			convert_usage(stdout);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
			to = argv[++i];
		} else if (!strncmp(argv[i], "--to=", 5)) {
			to = argv[i] + 5;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (argv[i][0] == '-' || in) {
			fprintf(stderr, "nomosc convert: unexpected argument '%s'\n", argv[i]);
			convert_usage(stderr);
			return NOMOSC_EXIT_USAGE;
		} else {
			in = argv[i];
		}
	}
	if (!in) {
		fprintf(stderr, "nomosc convert: no input file\n");
		convert_usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	if (!to && out_path)
		to = ext_format(out_path);
	if (!to)
		to = cc_format_for_path(in) == CC_FMT_NOMOS ? "yaml" : "nomos";
	if (strcmp(to, "nomos") && strcmp(to, "yaml") && strcmp(to, "json")) {
		fprintf(stderr, "nomosc convert: unknown format '%s' (nomos, yaml or json)\n", to);
		return NOMOSC_EXIT_USAGE;
	}
	cc_arena_init(&a);
	rt_buf_init(&out);
	rc = cc_load_file(&a, &sink, in, &b);
	if (rc == 0)
		rc = cc_validate(&sink, &b);
	if (rc == 0) {
		if (!strcmp(to, "nomos"))
			rc = cc_nomos_emit(&b, &sink, &out);
		else if (!strcmp(to, "yaml"))
			rc = cc_emit_yaml(&b, &out);
		else
			rc = cc_emit_json(&b, &out);
		if (rc == -1)
			fprintf(stderr, "%s: error: cannot write the bundle as %s (out of memory, or "
					"text the %s emitter refuses) [-Wio]\n", in, to, to);
	}
	if (rc == 0 && b.nonportable && strcmp(to, "nomos"))
		fprintf(stderr, "%s: note: the %s output uses nomos extension keys (regex "
				"matchers); Nomos v1 will reject it\n", in, to);
	if (rc == 0) {
		FILE *f = out_path ? fopen(out_path, "wb") : stdout;

		if (!f || fwrite(out.data ? out.data : "", 1, out.len, f) != out.len ||
		    (out_path && fclose(f) != 0)) {
			fprintf(stderr, "%s: error: cannot write [-Wio]\n", out_path ? out_path : "<stdout>");
			status = NOMOSC_EXIT_ERROR;
		}
	} else {
		status = NOMOSC_EXIT_ERROR;
	}
	rt_buf_free(&out);
	cc_arena_free(&a);
	return status;
}
