/* test_action.c: cmocka tests of action intake (spec §5.3, §6.1, §2.5, §2.6):
 * every action of corpus/conformance/decisions.jsonl, decode and schema errors
 * naming the field, exact params canonical JSON and params_hash, risk flags
 * with the large_io boundary, the lenient argv view, and two properties of
 * normalization over generated resources. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/rt_action.h"
#include "runtime/rt_normalize.h"

#define CONF "corpus/conformance/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static int span_is(struct rt_span s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* Every decision entry's action decodes with the expected normalized resource;
 * every error entry fails in the expected stage with upstream's message. */
static void test_decisions_corpus_actions(void **state)
{
	FILE *f = fopen(CONF "decisions.jsonl", "r");
	struct rt_action_ctx ctx;
	char line[8192];
	size_t n = 0, errors = 0;

	(void)state;
	assert_non_null(f);
	rt_action_ctx_init(&ctx);
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		char path[512];
		char *text;
		size_t len;
		struct rt_action a;
		struct rt_action_error err;
		int rc;

		assert_non_null(o);
		snprintf(path, sizeof path, CONF "%s", json_string_value(json_object_get(o, "action")));
		text = slurp(path, &len);
		rc = rt_action_decode(&ctx, text, len, &a, &err);
		if (json_object_get(o, "error")) {
			const char *want = json_string_value(json_object_get(o, "error"));
			const char *stage = json_string_value(json_object_get(o, "stage"));

			if (rc == 0)
				fail_msg("%s: decoded, want error %s", path, want);
			assert_string_equal(err.stage, stage);
			assert_int_equal(err.cls, strcmp(stage, "normalize action") == 0
							  ? RT_ACTION_ERR_NORMALIZATION
							  : RT_ACTION_ERR_VALIDATION);
			if (!strstr(err.message, want))
				fail_msg("%s: message %s does not contain %s", path, err.message, want);
			errors++;
		} else {
			const char *want = json_string_value(json_object_get(o, "normalized_resource"));

			if (rc != 0)
				fail_msg("%s: %s: %s", path, err.stage, err.message);
			assert_non_null(want);
			if (!span_is(a.resource, want))
				fail_msg("%s: resource %.*s, want %s", path, (int)a.resource.len,
					 a.resource.ptr, want);
			assert_true(span_is(a.schema_version, "v1"));
			assert_int_equal(strlen(rt_action_params_hash(&a)), 64);
		}
		free(text);
		json_decref(o);
		n++;
	}
	fclose(f);
	rt_action_ctx_free(&ctx);
	assert_int_equal(n, 62);
	assert_int_equal(errors, 2);
}

#define BASE_HEAD "{\"schema_version\":\"v1\",\"action_id\":\"a1\",\"action_type\":\"fs.read\"," \
		  "\"resource\":\"file://workspace/x\",\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"dev\"," \
		  "\"context\":{\"extensions\":{}},\"trace_id\":\"t1\""
#define ACTION(params) BASE_HEAD ",\"params\":" params "}"

struct err_case {
	const char *json;
	enum rt_action_errclass cls;
	const char *message; /* exact */
};

static const struct err_case err_cases[] = {
	{ "", RT_ACTION_ERR_VALIDATION, "EOF" },
	{ " \n", RT_ACTION_ERR_VALIDATION, "EOF" },
	{ "[]", RT_ACTION_ERR_VALIDATION, "json: cannot unmarshal array into Go value of type action.Action" },
	{ "{\"bogus\":1}", RT_ACTION_ERR_VALIDATION, "json: unknown field \"bogus\"" },
	{ "{\"Agent\":\"g\"}", RT_ACTION_ERR_VALIDATION,
	  "json: field \"Agent\" must be spelled \"agent\" (keys are case-sensitive)" },
	{ "{\"agent\":5}", RT_ACTION_ERR_VALIDATION,
	  "json: cannot unmarshal number into Go struct field Action.agent of type string" },
	{ "{\"principal\":true,\"bogus\":1}", RT_ACTION_ERR_VALIDATION,
	  "json: cannot unmarshal bool into Go struct field Action.principal of type string" },
	{ "{\"context\":[]}", RT_ACTION_ERR_VALIDATION,
	  "json: cannot unmarshal array into Go struct field Action.context of type action.Context" },
	{ "{\"context\":{\"ext\":{}}}", RT_ACTION_ERR_VALIDATION, "json: unknown field \"ext\"" },
	{ "{\"context\":{\"extensions\":\"x\"}}", RT_ACTION_ERR_VALIDATION,
	  "json: cannot unmarshal string into Go struct field Action.context.extensions of type map[string]json.RawMessage" },
	{ ACTION("{}") " {}", RT_ACTION_ERR_VALIDATION, "unexpected trailing data" },
	{ ACTION("{}") " x", RT_ACTION_ERR_VALIDATION, "unexpected trailing data" },
	{ ACTION("null"), RT_ACTION_ERR_VALIDATION, "field \"params\": expected object, got <nil>" },
	{ ACTION("[1]"), RT_ACTION_ERR_VALIDATION, "field \"params\": expected object, got []interface {}" },
	{ BASE_HEAD "}", RT_ACTION_ERR_VALIDATION, "field \"params\": expected object, got <nil>" },
	{ "{\"params\":{}}", RT_ACTION_ERR_VALIDATION, "field \"action_id\": string too short" },
	{ "{\"params\":{},\"action_id\":\"-x\"}", RT_ACTION_ERR_VALIDATION,
	  "field \"action_id\": string does not match pattern" },
	{ "{\"params\":{},\"action_id\":\"x\",\"action_type\":\"fs.read\",\"agent\":null}", RT_ACTION_ERR_VALIDATION,
	  "field \"agent\": string too short" },
	{ "{\"schema_version\":\"v2\",\"action_id\":\"a\",\"action_type\":\"fs.read\",\"resource\":\"r\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_VALIDATION, "field \"schema_version\": string is not in enum" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs.read\",\"resource\":\"r\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t t\"}",
	  RT_ACTION_ERR_VALIDATION, "field \"trace_id\": string does not match pattern" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"FS.read\",\"resource\":\"r\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_VALIDATION, "action_type has invalid format" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\" fs.read\",\"resource\":\"r\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_VALIDATION, "action_type has invalid format" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs\",\"resource\":\"r\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_VALIDATION, "action_type has invalid format" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs.read\",\"resource\":\"   \",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_NORMALIZATION, "resource is required" },
	{ "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs.read\",\"resource\":\"file://workspace/a/../.env\",\"params\":{},"
	  "\"principal\":\"p\",\"agent\":\"g\",\"environment\":\"e\",\"trace_id\":\"t\"}",
	  RT_ACTION_ERR_NORMALIZATION, "file path traversal detected" },
};

struct prefix_case {
	const char *json;
	const char *prefix; /* jansson's syntax messages: only the start is ours */
};

static const struct prefix_case prefix_cases[] = {
	{ "{\"agent\":\"a\",\"agent\":\"b\"}", "invalid JSON: duplicate object key near '\"agent\"'" },
	{ ACTION("{\"k\":1,\"k\":2}"), "invalid JSON: duplicate object key near '\"k\"'" },
	{ "{\"agent\":", "invalid JSON: " },
	{ "{\"a\":01}", "invalid JSON: " },
	{ "{\"a\":-}", "invalid JSON: " },
	{ "{\"a\":1.}", "invalid JSON: " },
	{ "{\"a\":\"\xff\"}", "invalid JSON: " },
	{ "{\"a\":\"\\ud800\"}", "invalid JSON: " },
	{ "{\"a\":1 2}", "invalid JSON: " },
	{ "{\"a\":\"x\"1}", "invalid JSON: " },
	{ "{\"a\":NaN}", "invalid JSON: lexical error: invalid char in json text near 'NaN' (line 1, column 6)" },
	{ "{\"a\":\n [tru]}", "invalid JSON: " },
	{ "{\"a\":", "invalid JSON: parse error: premature EOF near end of file (line 1, column 6)" },
	/* yajl checks only the shape of UTF-8: overlong forms, encoded
	 * surrogates and code points above U+10FFFF are ours to refuse */
	{ "{\"a\":\"\xc0\xaf\"}", "invalid JSON: " },
	{ "{\"a\":\"\xed\xa0\x80\"}", "invalid JSON: invalid UTF-8 in string near '\"" },
	{ "{\"a\":\"\xf5\x80\x80\x80\"}", "invalid JSON: invalid UTF-8 in string" },
	{ "{\"\xe0\x80\xaf\":1}", "invalid JSON: invalid UTF-8 in string" },
	/* yajl would turn these into '?' or join them with the next escape */
	{ "{\"a\":\"\\ud800\\u0041\"}", "invalid JSON: lone surrogate escape in string near '\"\\ud800\\u0041\"' (line 1, column 6)" },
	{ "{\"a\":\"x\\ud800\"}", "invalid JSON: lone surrogate escape in string" },
	{ "{\"a\":\"\\udc00\\ud800\"}", "invalid JSON: lone surrogate escape in string" },
	{ "{\"\\\\\\udbff\":1}", "invalid JSON: lone surrogate escape in string" },
	{ ACTION("{\"a\":{\"k\":1},\"b\":{\"k\":1,\"j\":2,\"k\":3}}"),
	  "invalid JSON: duplicate object key near '\"k\"'" },
};

static void test_decode_errors(void **state)
{
	struct rt_action_ctx ctx;
	struct rt_action a;
	struct rt_action_error err;
	size_t i;

	(void)state;
	rt_action_ctx_init(&ctx);
	for (i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
		const struct err_case *c = &err_cases[i];
		int rc = rt_action_decode(&ctx, c->json, strlen(c->json), &a, &err);

		if (rc == 0)
			fail_msg("[%zu] decoded: %s", i, c->json);
		assert_int_equal(rc, c->cls == RT_ACTION_ERR_VALIDATION ? RT_ACTION_EVALIDATION
									 : RT_ACTION_ENORMALIZE);
		assert_int_equal(err.cls, c->cls);
		assert_string_equal(err.stage, c->cls == RT_ACTION_ERR_VALIDATION ? "decode action"
										  : "normalize action");
		if (strcmp(err.message, c->message) != 0)
			fail_msg("[%zu] %s\n got  %s\n want %s", i, c->json, err.message, c->message);
		assert_null(a.resource.ptr);
	}
	for (i = 0; i < sizeof prefix_cases / sizeof prefix_cases[0]; i++) {
		const struct prefix_case *c = &prefix_cases[i];
		int rc = rt_action_decode(&ctx, c->json, strlen(c->json), &a, &err);

		assert_int_equal(rc, RT_ACTION_EVALIDATION);
		if (strncmp(err.message, c->prefix, strlen(c->prefix)) != 0)
			fail_msg("[%zu] %s: got %s", i, c->json, err.message);
	}
	/* A NUL byte right after a number, true, false or null is not JSON
	 * (jansson used to skip it; Go rejects it, and so do we). */
	{
		static const char nul_after[][16] = { "{\"a\":1\0}", "{\"a\":true\0}",
						      "{\"a\":null\0}" };
		static const size_t nul_len[] = { 8, 11, 11 };

		for (i = 0; i < 3; i++)
			assert_int_equal(rt_action_decode(&ctx, nul_after[i], nul_len[i], &a, &err),
					 RT_ACTION_EVALIDATION);
	}
	/* Objects past the linear key scan use a hash set: many keys, nested
	 * objects repeating their parent's keys, a duplicate far down. */
	{
		struct rt_buf j;
		size_t k, depth;

		rt_buf_init(&j);
		rt_buf_puts(&j, BASE_HEAD ",\"params\":{");
		for (k = 0; k < 3000; k++) {
			char key[64];

			snprintf(key, sizeof key, "%s\"k%zu\":", k ? "," : "", k);
			rt_buf_puts(&j, key);
			if (k % 500 == 0) {
				size_t m;

				rt_buf_putc(&j, '{');
				for (m = 0; m < 40; m++) {
					snprintf(key, sizeof key, "%s\"k%zu\":%zu", m ? "," : "", m, m);
					rt_buf_puts(&j, key);
				}
				rt_buf_putc(&j, '}');
			} else {
				rt_buf_putc(&j, '1');
			}
		}
		rt_buf_puts(&j, "}}");
		assert_int_equal(rt_action_decode(&ctx, j.data, j.len, &a, &err), RT_ACTION_OK);
		j.len -= 2;
		rt_buf_puts(&j, ",\"k2999\":2}}");
		assert_int_equal(rt_action_decode(&ctx, j.data, j.len, &a, &err), RT_ACTION_EVALIDATION);
		assert_string_equal(err.message,
				    "invalid JSON: duplicate object key near '\"k2999\"' (line 1, column 31129)");

		/* nesting: 2048 levels decode, 2049 do not */
		for (depth = 2047; depth <= 2048; depth++) {
			rt_buf_reset(&j);
			rt_buf_puts(&j, BASE_HEAD ",\"params\":{\"x\":");
			for (k = 0; k < depth - 1; k++)
				rt_buf_putc(&j, '[');
			for (k = 0; k < depth - 1; k++)
				rt_buf_putc(&j, ']');
			rt_buf_puts(&j, "}}");
			assert_int_equal(rt_action_decode(&ctx, j.data, j.len, &a, &err),
					 depth == 2047 ? RT_ACTION_OK : RT_ACTION_EVALIDATION);
		}
		assert_non_null(strstr(err.message, "maximum parsing depth reached"));
		rt_buf_free(&j);
	}
	/* \u0000 is a byte like any other, in keys and values */
	{
		static const char nul_json[] = ACTION("{\"a\\u0000b\":\"x\\u0000y\"}");

		assert_int_equal(rt_action_decode(&ctx, nul_json, sizeof nul_json - 1, &a, &err),
				 RT_ACTION_OK);
		assert_int_equal(a.params_len, strlen("{\"a\\u0000b\":\"x\\u0000y\"}"));
		assert_memory_equal(a.params, "{\"a\\u0000b\":\"x\\u0000y\"}", a.params_len);
	}
	assert_string_equal(rt_action_reason_code(RT_ACTION_ERR_VALIDATION), "validation_error");
	assert_string_equal(rt_action_reason_code(RT_ACTION_ERR_NORMALIZATION), "normalization_error");
	rt_action_ctx_free(&ctx);
}

static void decode_ok(struct rt_action_ctx *ctx, const char *json, struct rt_action *a)
{
	struct rt_action_error err;

	if (rt_action_decode(ctx, json, strlen(json), a, &err) != 0)
		fail_msg("%s: %s: %s", json, err.stage, err.message);
}

static void test_params_canonical(void **state)
{
	static const struct {
		const char *params, *canonical;
	} cases[] = {
		{ "{}", "{}" },
		{ "{\"b\":1,\"a\":\"x\",\"c\":[true,2]}", "{\"a\":\"x\",\"b\":1,\"c\":[true,2]}" },
		{ "{\"value\":1.25}", "{\"value\":\"1.25\"}" },
		{ "{\"v\":[1.50,1E5,-0.0,-0,1e400,123456789012345678901234567890,-5]}",
		  "{\"v\":[\"1.50\",\"1E5\",\"-0.0\",0,\"1e400\",123456789012345678901234567890,-5]}" },
		{ " { \"z\" : { \"b\" : null , \"a\" : false } , \"B\" : \"<&>\" } ",
		  "{\"B\":\"\\u003c\\u0026\\u003e\",\"z\":{\"a\":false,\"b\":null}}" },
		{ "{\"s\":\"\\u00e9\\n\\u0000\\ud83d\\ude00/\"}", "{\"s\":\"\xc3\xa9\\n\\u0000\xf0\x9f\x98\x80/\"}" },
		{ "{\"\\u00e9\":1,\"e\":2,\"\xc3\xa8\":3}", "{\"e\":2,\"\xc3\xa8\":3,\"\xc3\xa9\":1}" },
		{ "{\"n\":[[[[1]]]],\"m\":{\"1\":2.0e-3}}", "{\"m\":{\"1\":\"2.0e-3\"},\"n\":[[[[1]]]]}" },
	};
	struct rt_action_ctx ctx;
	struct rt_action a;
	char buf[1024];
	size_t i;

	(void)state;
	rt_action_ctx_init(&ctx);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf, ACTION("%s"), cases[i].params);
		decode_ok(&ctx, buf, &a);
		if (a.params_len != strlen(cases[i].canonical) ||
		    memcmp(a.params, cases[i].canonical, a.params_len) != 0)
			fail_msg("[%zu] got %.*s want %s", i, (int)a.params_len, a.params,
				 cases[i].canonical);
	}
	snprintf(buf, sizeof buf, ACTION("{}"));
	decode_ok(&ctx, buf, &a);
	assert_string_equal(rt_action_params_hash(&a), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	decode_ok(&ctx, ACTION("{\"b\":1,\"a\":\"x\",\"c\":[true,2]}"), &a);
	assert_string_equal(rt_action_params_hash(&a), "04ceb95b6eab660e1db5b4cf9e1d8ad320a4772a2a22775bb679d53daabd84f2");
	/* numbers elsewhere in the action do not disturb the params literals */
	decode_ok(&ctx, "{\"context\":{\"extensions\":{\"n\":[1.0,2e9,3]}},\"params\":{\"x\":4.50},"
			"\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs.read\","
			"\"resource\":\"file://workspace/x\",\"principal\":\"p\",\"agent\":\"g\","
			"\"environment\":\"e\",\"trace_id\":\"t\"}",
		  &a);
	assert_int_equal(a.params_len, strlen("{\"x\":\"4.50\"}"));
	assert_memory_equal(a.params, "{\"x\":\"4.50\"}", a.params_len);
	rt_action_ctx_free(&ctx);
}

static void decode_file(struct rt_action_ctx *ctx, const char *name, struct rt_action *a)
{
	char path[256];
	char *text;
	size_t len;
	struct rt_action_error err;

	snprintf(path, sizeof path, CONF "actions/%s", name);
	text = slurp(path, &len);
	if (rt_action_decode(ctx, text, len, a, &err) != 0)
		fail_msg("%s: %s", name, err.message);
	free(text);
}

static void test_risk_flags(void **state)
{
	struct rt_action_ctx ctx;
	struct rt_action a;

	(void)state;
	rt_action_ctx_init(&ctx);
	decode_file(&ctx, "ri-large.json", &a);
	assert_true(a.params_len >= RT_ACTION_LARGE_IO_BYTES);
	assert_int_equal(a.risk, RT_RISK_LARGE_IO);
	decode_file(&ctx, "ri-almost-large.json", &a);
	/* the raw file is over 32768 bytes; its canonical params are not */
	assert_true(a.params_len < RT_ACTION_LARGE_IO_BYTES);
	assert_int_equal(a.risk, 0);
	decode_file(&ctx, "ri-secret.json", &a);
	assert_int_equal(a.risk, RT_RISK_SECRETS);
	decode_file(&ctx, "exec-0.json", &a);
	assert_int_equal(a.risk, RT_RISK_EXEC);
	decode_file(&ctx, "mix-net-api.json", &a);
	assert_int_equal(a.risk, RT_RISK_NET);
	decode_file(&ctx, "safe-patch.json", &a);
	assert_int_equal(a.risk, RT_RISK_WRITE);
	assert_int_equal(rt_action_risk("fs.write", 8, 32767), RT_RISK_WRITE);
	assert_int_equal(rt_action_risk("fs.write", 8, 32768), RT_RISK_WRITE | RT_RISK_LARGE_IO);
	assert_int_equal(rt_action_risk("payments.refund", 15, 0), 0);
	assert_int_equal(rt_risk_from_name("risk.exec", 9), RT_RISK_EXEC);
	assert_int_equal(rt_risk_from_name("risk.high_fanout", 16), RT_RISK_HIGH_FANOUT);
	assert_int_equal(rt_risk_from_name("RISK.EXEC", 9), 0);
	assert_string_equal(rt_risk_name(RT_RISK_LARGE_IO), "risk.large_io");
	assert_null(rt_risk_name(3));
	rt_action_ctx_free(&ctx);
}

static void expect_argv(struct rt_action_ctx *ctx, const char *params, int ok, size_t argc,
			const char *const *want)
{
	char buf[1024];
	struct rt_action a;
	size_t i;

	snprintf(buf, sizeof buf,
		 "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"process.exec\","
		 "\"resource\":\"file://workspace/\",\"principal\":\"p\",\"agent\":\"g\","
		 "\"environment\":\"e\",\"trace_id\":\"t\",\"params\":%s}", params);
	decode_ok(ctx, buf, &a);
	if (a.argv_ok != ok)
		fail_msg("%s: argv_ok %d want %d", params, a.argv_ok, ok);
	if (!ok)
		return;
	assert_int_equal(a.argc, argc);
	for (i = 0; i < argc; i++)
		if (!span_is(a.argv[i], want[i]))
			fail_msg("%s: argv[%zu] = %.*s want %s", params, i, (int)a.argv[i].len,
				 a.argv[i].ptr, want[i]);
}

static void test_argv_view(void **state)
{
	static const char *const x12[] = { "x", "1", "2" };
	static const char *const git[] = { "git", "status" };
	static const char *const low[] = { "low" };
	static const char *const nul[] = { "a", "", "1.5", "2E3" };
	struct rt_action_ctx ctx;
	struct rt_action a;

	(void)state;
	rt_action_ctx_init(&ctx);
	decode_file(&ctx, "exec-uppercase-key.json", &a);
	assert_true(a.argv_ok);
	assert_int_equal(a.argc, 3);
	assert_true(span_is(a.argv[0], "x") && span_is(a.argv[1], "1") && span_is(a.argv[2], "2"));
	decode_file(&ctx, "exec-nonstring.json", &a);
	assert_false(a.argv_ok);
	decode_file(&ctx, "safe-exec-noargv.json", &a);
	assert_false(a.argv_ok);
	expect_argv(&ctx, "{\"argv\":[\"git\",\"status\"],\"cwd\":\"\"}", 1, 2, git);
	expect_argv(&ctx, "{\"Argv\":[\"x\",\"1\",\"2\"]}", 1, 3, x12);
	expect_argv(&ctx, "{\"argv\":[]}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argv\":null}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argv\":\"git\"}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argv\":[\"a\",1]}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argv\":[\"a\",true]}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argv\":[\"a\",[\"b\"]]}", 0, 0, NULL);
	/* canonical JSON turns 1.5 into "1.5"; null elements decode as "" */
	expect_argv(&ctx, "{\"argv\":[\"a\",null,1.5,2E3]}", 1, 4, nul);
	/* keys are seen in byte order: "argv" sorts after "ARGV" and wins */
	expect_argv(&ctx, "{\"argv\":[\"low\"],\"ARGV\":[\"UP\"]}", 1, 1, low);
	expect_argv(&ctx, "{\"ARGV\":[\"low\"],\"argv\":null}", 0, 0, NULL);
	/* a mistyped argv key fails decoding even when another one is fine */
	expect_argv(&ctx, "{\"argv\":[\"low\"],\"ARGV\":7}", 0, 0, NULL);
	expect_argv(&ctx, "{\"argvs\":[\"x\"]}", 0, 0, NULL);
	rt_action_ctx_free(&ctx);
}

/* One context decodes many actions; each result is complete and independent. */
static void test_context_reuse(void **state)
{
	struct rt_action_ctx ctx;
	struct rt_action a;
	struct rt_action_error err;
	char buf[512];
	int i;

	(void)state;
	rt_action_ctx_init(&ctx);
	for (i = 0; i < 500; i++) {
		snprintf(buf, sizeof buf,
			 "{\"schema_version\":\"v1\",\"action_id\":\"id-%d\",\"action_type\":\"payments.refund\","
			 "\"resource\":\"Pay://Shop/o/%d\",\"principal\":\"p\",\"agent\":\"g\","
			 "\"environment\":\"e\",\"trace_id\":\"t\",\"params\":{\"amount\":%d.50}}", i, i, i);
		if (i % 7 == 3)
			buf[10] = 'X'; /* break some of them */
		if (i % 7 == 3) {
			assert_int_equal(rt_action_decode(&ctx, buf, strlen(buf), &a, &err),
					 RT_ACTION_EVALIDATION);
			continue;
		}
		decode_ok(&ctx, buf, &a);
		{
			char want[64];

			snprintf(want, sizeof want, "pay://shop/o/%d", i);
			assert_true(span_is(a.resource, want));
			snprintf(want, sizeof want, "{\"amount\":\"%d.50\"}", i);
			assert_int_equal(a.params_len, strlen(want));
			assert_memory_equal(a.params, want, a.params_len);
			assert_false(a.builtin_type);
			assert_true(span_is(a.action_type, "payments.refund"));
		}
	}
	rt_action_ctx_free(&ctx);
}

/* ---- properties over generated resources ------------------------------------ */

static const char *const schemes[] = {
	"file://workspace", "FILE://Workspace", "file://", "url://Example.COM", "url://example.com:80",
	"url://[::1]:8080", "repo://Org", "secret://Vault", "pay://Shop", "file:",
};
static const char *const parts[] = {
	"a", "B", ".", "..", "%2e", "%2E%2e", "%2f", "%5C", "\\", "/", "//", "%20", "%41",
	"na%C3%AFve", "...", "..b", "%252f", "%25", "?q=1", "#f", "%zz", "x y", "%00", "\xc3\xa9",
	".%2e", "%2e.", "c:", "@", ";", "~",
};

static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 16) % n;
}

static int has_dot_segment_or_bad(const char *s, size_t n, size_t path_start)
{
	size_t i, st = path_start;

	for (i = 0; i < n; i++)
		if (s[i] == '\\')
			return 1;
	for (i = 0; i + 3 <= n; i++)
		if (s[i] == '%' && ((s[i + 1] == '2' && (s[i + 2] | 0x20) == 'f') ||
				    (s[i + 1] == '5' && (s[i + 2] | 0x20) == 'c')))
			return 1;
	for (i = path_start; i <= n; i++) {
		if (i == n || s[i] == '/') {
			size_t len = i - st;

			if ((len == 1 && s[st] == '.') || (len == 2 && s[st] == '.' && s[st + 1] == '.'))
				return 1;
			st = i + 1;
		}
	}
	return 0;
}

/* Upstream's normalization is a fixed point except where decoding produced
 * text that re-parses differently: '%', '?', '#', control bytes, or Unicode
 * space at the end (trimmed); and for custom action types, built-in schemes
 * normalized by the custom fallback. docs/nomos-compat.md lists these. */
static int reparse_safe(const char *s, size_t n)
{
	size_t i, st;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' || c == '?' || c == '#' || c < 0x20 || c == 0x7F)
			return 0;
	}
	return rt_go_trim_space(s, n, &st) == n;
}

static void test_properties(void **state)
{
	const char *const types[] = { "fs.read", "payments.refund" };
	struct rt_buf in, out, again;
	char err[RT_NORMALIZE_ERRMAX];
	size_t iter, accepted = 0, fixed_points = 0;

	(void)state;
	rt_buf_init(&in);
	rt_buf_init(&out);
	rt_buf_init(&again);
	for (iter = 0; iter < 200000; iter++) {
		const char *type = types[rnd(2)];
		size_t k, nparts = 1 + rnd(6), hs;
		int rc;

		rt_buf_reset(&in);
		rt_buf_puts(&in, schemes[rnd(sizeof schemes / sizeof schemes[0])]);
		for (k = 0; k < nparts; k++) {
			if (rnd(3))
				rt_buf_putc(&in, '/');
			rt_buf_puts(&in, parts[rnd(sizeof parts / sizeof parts[0])]);
		}
		rt_buf_reset(&out);
		rc = rt_normalize_resource(type, strlen(type), in.data, in.len, &out, err, sizeof err);
		assert_true(rc == RT_NORMALIZE_OK || rc == RT_NORMALIZE_EINVALID);
		if (rc != RT_NORMALIZE_OK)
			continue;
		accepted++;
		/* path-bearing schemes: no dot segment, backslash or encoded separator */
		if (strncmp(out.data, "repo://", 7) != 0 && strncmp(out.data, "secret://", 9) != 0) {
			const char *p = memchr(out.data, ':', out.len);

			assert_non_null(p);
			hs = (size_t)(p - out.data) + 3;
			while (hs < out.len && out.data[hs] != '/')
				hs++;
			if (has_dot_segment_or_bad(out.data, out.len, hs))
				fail_msg("%.*s -> %.*s", (int)in.len, in.data, (int)out.len, out.data);
		} else {
			assert_null(memchr(out.data, '\\', out.len));
		}
		if (!reparse_safe(out.data, out.len))
			continue;
		/* For a custom type, a built-in scheme may have been normalized by the
		 * custom fallback (case kept, extra slashes collapsed), which the
		 * built-in normalizer then treats differently: upstream behaviour. */
		if (strcmp(type, "payments.refund") == 0 && strncmp(out.data, "pay://", 6) != 0)
			continue;
		rt_buf_reset(&again);
		rc = rt_normalize_resource(type, strlen(type), out.data, out.len, &again, err, sizeof err);
		if (rc != RT_NORMALIZE_OK || again.len != out.len ||
		    memcmp(again.data, out.data, out.len) != 0)
			fail_msg("not a fixed point: %.*s -> %.*s -> %s", (int)in.len, in.data,
				 (int)out.len, out.data, rc ? err : "(different)");
		fixed_points++;
	}
	/* the generator must exercise both outcomes substantially */
	assert_true(accepted > 20000);
	assert_true(fixed_points > 10000);
	rt_buf_free(&in);
	rt_buf_free(&out);
	rt_buf_free(&again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decisions_corpus_actions),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_params_canonical),
		cmocka_unit_test(test_risk_flags),
		cmocka_unit_test(test_argv_view),
		cmocka_unit_test(test_context_reuse),
		cmocka_unit_test(test_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
