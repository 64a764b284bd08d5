/* test_decisions.c: the whole evaluator against the Nomos v1 conformance
 * vectors (corpus/conformance/decisions.jsonl): each bundle is compiled in
 * process into an image, each action decided through the public API, and
 * every field compared with the reference output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/cc_diag.h"
#include "runtime/nomos.h"
#include "compiler/cc_emit.h"
#include "tests/support/ts_compile.h"

#define DIR "corpus/conformance/"

/* risk-and-identity.json keeps a backslash rule that upstream silently never
 * matches: compile in --compat mode, with upstream's meaning. */
static struct nomos_image *compile(const char *path, int star_mode)
{
	struct cc_emit_opts opts = { .star_mode = star_mode };

	return ts_compile_opts(&path, 1, 1u << CC_W_strict, &opts, NULL);
}

static char *slurp(const char *path, size_t *len)
{
	return ts_slurp(path, len);
}

static int field_equal(json_t *want, json_t *got, const char *key, const char *name)
{
	json_t *w = json_object_get(want, key), *g = json_object_get(got, key);

	if (w && json_equal(w, g))
		return 1;
	{
		char *ws = w ? json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		char *gs = g ? json_dumps(g, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

		fprintf(stderr, "%s: %s: got %s, want %s\n", name, key, gs ? gs : "(none)",
			ws ? ws : "(none)");
		free(ws);
		free(gs);
	}
	return 0;
}

/* Every case, with the "*" rules placed as the compiler chooses, always
 * shared from the "*" group, and always copied into each typed group: the
 * three layouts must decide alike. */
static void test_decisions(void **state)
{
	const int star_mode = *(const int *)*state;
	FILE *f = fopen(DIR "decisions.jsonl", "rb");
	char *line = NULL, path[512];
	size_t cap = 0;
	ssize_t n;
	int cases = 0, failures = 0;
	struct {
		char bundle[256];
		struct nomos_image *img;
	} cache[16];
	size_t ncache = 0, i;

	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t jerr;
		json_t *c = json_loadb(line, (size_t)n, 0, &jerr), *got;
		const char *bundle, *action, *res;
		struct nomos_image *img = NULL;
		struct nomos_eval *ev;
		char *text;
		size_t len = 0;
		int ok = 1;

		assert_non_null(c);
		bundle = json_string_value(json_object_get(c, "bundle"));
		action = json_string_value(json_object_get(c, "action"));
		assert_non_null(bundle);
		assert_non_null(action);
		for (i = 0; i < ncache; i++)
			if (!strcmp(cache[i].bundle, bundle))
				img = cache[i].img;
		if (!img) {
			snprintf(path, sizeof path, DIR "%s", bundle);
			img = compile(path, star_mode);
			assert_non_null(img);
			assert_true(ncache < 16);
			snprintf(cache[ncache].bundle, sizeof cache[ncache].bundle, "%s", bundle);
			cache[ncache++].img = img;
		}
		snprintf(path, sizeof path, DIR "%s", action);
		text = slurp(path, &len);
		assert_non_null(text);
		ev = nomos_eval_new(img, 0);
		assert_non_null(ev);
		nomos_eval_json(ev, text, len);
		res = nomos_eval_result_json(ev, NULL);
		got = json_loads(res, 0, &jerr);
		assert_non_null(got);
		if (json_object_get(c, "error")) {
			/* Rejected before evaluation: fail-closed DENY with the reason
			 * of upstream's stage and its message inside ours. */
			const char *stage = json_string_value(json_object_get(c, "stage"));
			const char *want_err = json_string_value(json_object_get(c, "error"));
			const char *reason = !strcmp(stage, "normalize action") ? "normalization_error" :
										   "validation_error";

			ok = !strcmp(json_string_value(json_object_get(got, "decision")), "DENY") &&
			     !strcmp(json_string_value(json_object_get(got, "reason_code")), reason) &&
			     strstr(nomos_eval_error(ev), want_err) != NULL;
			if (!ok)
				fprintf(stderr, "%s: got %s (%s), want %s: %s\n", action, res,
					nomos_eval_error(ev), reason, want_err);
		} else {
			static const char *const keys[] = {
				"decision",	"reason_code",		     "matched_rule_ids",
				"obligations", "normalized_resource",	     "allow_rule_ids",
				"deny_rule_ids", "require_approval_rule_ids", "exec_authorization",
				"policy_bundle_hash",
			};

			for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
				ok &= field_equal(c, got, keys[i], action);
		}
		failures += !ok;
		cases++;
		json_decref(got);
		json_decref(c);
		nomos_eval_free(ev);
		free(text);
	}
	free(line);
	fclose(f);
	for (i = 0; i < ncache; i++)
		nomos_image_close(cache[i].img);
	fprintf(stderr, "decisions: %d cases, %d failures\n", cases, failures);
	assert_int_equal(cases, 62);
	assert_int_equal(failures, 0);
}

int main(void)
{
	static int chosen = 0, shared = 1, copied = -1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_decisions, &chosen),
		cmocka_unit_test_prestate(test_decisions, &shared),
		cmocka_unit_test_prestate(test_decisions, &copied),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
