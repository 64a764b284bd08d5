/* nomosc_cmd_convert.c: `nomosc convert [--to nomos|yaml|json] [-o OUT] INPUT`
 * translates a bundle between YAML/JSON and the .nomos language through the
 * bundle model, so the policy_bundle_hash survives every round trip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/cc_nomos.h"
#include "compiler/cc_number.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_convert_summary[] = "translate a bundle between YAML/JSON and .nomos";

static void convert_usage(FILE *f)
{
	fprintf(f, "usage: nomosc convert [--to nomos|yaml|json] [-o OUT] INPUT\n\n"
		   "Reads a bundle (.yaml, .yml, .json or .nomos), checks it, and writes it in\n"
		   "another format with the same policy_bundle_hash: the output is read back\n"
		   "and nothing is written when its hash differs (an integer beyond 2^53 in\n"
		   "obligations cannot go to JSON, which reads numbers as floats).\n"
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

/* The first obligation number that a float64 cannot carry, or NULL. JSON
 * bundles decode numbers as float64 (spec §4.3), so such a number would come
 * back from a JSON file changed. */
static const struct cc_value *lossy_in_json(const struct cc_value *v, char *back)
{
	const struct cc_value *hit;
	size_t i;
	int k;

	switch (v->kind) {
	case CC_V_NUMBER:
		k = cc_number_from_json(v->text, v->len, back);
		return k < 0 || (size_t)k != v->len || memcmp(back, v->text, v->len) ? v : NULL;
	case CC_V_ARRAY:
		for (i = 0; i < v->n; i++)
			if ((hit = lossy_in_json(&v->items[i], back)) != NULL)
				return hit;
		return NULL;
	case CC_V_OBJECT:
		for (i = 0; i < v->n; i++)
			if ((hit = lossy_in_json(&v->members[i].value, back)) != NULL)
				return hit;
		return NULL;
	default:
		return NULL;
	}
}

/* Reloads the converted text as the target format and compares hashes, so
 * that convert never writes a bundle that means something else. Returns 0
 * when the hashes agree, -1 after reporting why not. */
static int same_bundle(struct cc_arena *a, struct cc_diag_sink *sink, struct cc_bundle *b,
		       struct rt_buf *out, const char *to)
{
	struct cc_diag_sink quiet = { 0 };
	struct cc_src *src = cc_arena_alloc(a, sizeof *src);
	struct cc_bundle back;
	enum cc_format fmt = !strcmp(to, "yaml") ? CC_FMT_YAML
			     : !strcmp(to, "json") ? CC_FMT_JSON : CC_FMT_NOMOS;
	char num[CC_NUMBER_MAX];
	size_t i;

	if (!src || rt_buf_cstr(out) || cc_bundle_hash(b))
		return -1;
	src->path = "<converted>";
	src->text = out->data ? out->data : "";
	src->len = out->len;
	quiet.downgrade = sink->downgrade;
	if (cc_load_source(a, &quiet, src, fmt, &back) == 0 && cc_validate(&quiet, &back) == 0 &&
	    cc_bundle_hash(&back) == 0 && !strcmp(back.hash, b->hash))
		return 0;
	for (i = 0; fmt == CC_FMT_JSON && i < b->n_rules; i++) {
		const struct cc_value *v;

		if (!b->rules[i].has_obligations)
			continue;
		v = lossy_in_json(&b->rules[i].obligations, num);
		if (v) {
			cc_diag(sink, CC_ERROR, CC_W_schema, v->pos,
				"%.*s cannot be written as JSON without changing the bundle: a JSON "
				"bundle reads numbers as 64-bit floats (this one would become %s, "
				"and the policy_bundle_hash would change); convert to yaml or "
				"nomos, or quote the number", (int)v->len, v->text, num);
			return -1;
		}
	}
	cc_diag(sink, CC_ERROR, CC_W_schema, b->pos,
		"internal error: the %s output would not hash as the input (%s); nothing written",
		to, b->hash);
	return -1;
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
		} else if ((!strcmp(argv[i], "--to") || !strcmp(argv[i], "-o")) && i + 1 == argc) {
			fprintf(stderr, "nomosc convert: %s needs a value\n", argv[i]);
			convert_usage(stderr);
			return NOMOSC_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--to")) {
			to = argv[++i];
		} else if (!strncmp(argv[i], "--to=", 5)) {
			to = argv[i] + 5;
		} else if (!strcmp(argv[i], "-o")) {
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
		else if (rc == 0)
			rc = same_bundle(&a, &sink, &b, &out, to);
	}
	if (rc == 0 && b.nonportable && strcmp(to, "nomos"))
		fprintf(stderr, "%s: note: the %s output uses nomos extension keys (regex "
				"matchers); Nomos v1 will reject it\n", in, to);
	if (rc == 0 && out_path) {
		/* atomically, as build: a failed write leaves OUT as it was */
		if (nomosc_write_atomic(out_path, out.data ? out.data : "", out.len)) {
			fprintf(stderr, "nomosc: cannot write %s: %s\n", out_path, strerror(errno));
			status = NOMOSC_EXIT_ERROR;
		}
	} else if (rc == 0) {
		fwrite(out.data ? out.data : "", 1, out.len, stdout); /* main() checks the write */
	} else {
		status = NOMOSC_EXIT_ERROR;
	}
	nomosc_sink_done(&sink);
	rt_buf_free(&out);
	cc_arena_free(&a);
	return status;
}
