/* test_explain.c: `explain --format json` against the real output of
 * upstream's `nomos policy explain` (corpus/conformance/explain/): same keys,
 * same order, same values, except engine_version, the bundle path as typed on
 * the command line, and our own "rules" trace. Also checks the text trace names
 * the first failing predicate of non-matching rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/nomos.h"
#include "tests/support/ts_compile.h"

static const char *const cases[] = {
	"mix-ls-alice", "mix-net-api",	  "mix-read-docs",	 "safe-env",
	"safe-git-push-main", "safe-git-status", "safe-net", "safe-readme",
};

static void normalize(json_t *o)
{
	json_t *inputs = json_object_get(o, "policy_bundle_inputs"), *in;
	size_t i;

	json_object_set_new(o, "engine_version", json_string("X"));
	json_object_del(o, "rules");
	json_array_foreach(inputs, i, in)
		json_object_set_new(in, "path", json_string("P"));
}

static void test_explain_json(void **state)
{
	static const char *const safe = "corpus/conformance/upstream/policies/safe.yaml";
	static const char *const mix = "corpus/conformance/bundles/engine-mix.yaml";
	struct nomos_image *img_safe = ts_compile(&safe, 1, 0, NULL);
	struct nomos_image *img_mix = ts_compile(&mix, 1, 0, NULL);
	size_t i, len;
	int failures = 0;

	(void)state;
	assert_non_null(img_safe);
	assert_non_null(img_mix);
	unsetenv("NOMOS_RUNTIME_DEPLOYMENT_MODE");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[256], *act, *want_s, *got_s;
		json_t *want, *got;
		json_error_t err;
		struct nomos_eval *ev =
			nomos_eval_new(!strncmp(cases[i], "mix", 3) ? img_mix : img_safe,
				       NOMOS_EVAL_TRACE);

		snprintf(path, sizeof path, "corpus/conformance/actions/%s.json", cases[i]);
		act = ts_slurp(path, &len);
		assert_non_null(act);
		nomos_eval_json(ev, act, len);
		got = json_loads(nomos_eval_explain(ev, NOMOS_EXPLAIN_JSON, 0, NULL), 0, &err);
		snprintf(path, sizeof path, "corpus/conformance/explain/%s.stdout.json", cases[i]);
		want = json_load_file(path, 0, &err);
		assert_non_null(got);
		assert_non_null(want);
		assert_non_null(json_object_get(got, "rules"));
		normalize(got);
		normalize(want);
		want_s = json_dumps(want, JSON_PRESERVE_ORDER | JSON_COMPACT);
		got_s = json_dumps(got, JSON_PRESERVE_ORDER | JSON_COMPACT);
		if (strcmp(want_s, got_s)) {
			fprintf(stderr, "%s:\n got  %s\n want %s\n", cases[i], got_s, want_s);
			failures++;
		}
		free(want_s);
		free(got_s);
		json_decref(want);
		json_decref(got);
		free(act);
		nomos_eval_free(ev);
	}
	nomos_image_close(img_safe);
	nomos_image_close(img_mix);
	assert_int_equal(failures, 0);
}

static void test_explain_text(void **state)
{
	static const char *const safe = "corpus/conformance/upstream/policies/safe.yaml";
	struct nomos_image *img = ts_compile(&safe, 1, 0, NULL);
	struct nomos_eval *ev = nomos_eval_new(img, NOMOS_EVAL_TRACE);
	size_t len;
	char *act = ts_slurp("corpus/conformance/actions/safe-git-push-main.json", &len);
	const char *text;

	(void)state;
	assert_non_null(act);
	nomos_eval_json(ev, act, len);
	text = nomos_eval_explain(ev, NOMOS_EXPLAIN_TEXT, 0, NULL);
	assert_non_null(text);
	/* A non-matching rule says which predicate failed and why, with its source. */
	assert_non_null(strstr(text, "action_type: action_type \"process.exec\" does not match "
				     "\"fs.read\""));
	assert_non_null(strstr(text, "safe.yaml:"));
	assert_non_null(strstr(text, "MATCH     safe-deny-git-push (DENY)"));
	assert_non_null(strstr(text, "deny wins: DENY rules matched: safe-deny-git-push"));
	assert_non_null(strstr(text, "overriding ALLOW/REQUIRE_APPROVAL rules: safe-allow-git-exec"));
	free(act);
	nomos_eval_free(ev);
	nomos_image_close(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explain_json),
		cmocka_unit_test(test_explain_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
