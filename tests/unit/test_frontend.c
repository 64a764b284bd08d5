/* test_frontend.c: cmocka tests of the bundle front end: Go number formatting,
 * yaml.v3 scalar resolution, YAML/JSON parsing with positions, anchors and
 * merge keys, strict JSON, validation messages, canonical JSON, hashes, and
 * every entry of corpus/conformance/bundle_hashes.jsonl (run from the repo root). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/cc_inputs.h"
#include "compiler/cc_model.h"
#include "compiler/cc_number.h"
#include "compiler/cc_strmap.h"

/* ---- helpers ---------------------------------------------------------------- */

struct capture {
	char text[16384];
	size_t len;
	unsigned n;
	uint32_t line, col; /* of the first diagnostic */
};

static void capture_emit(void *ctx, const struct cc_diagnostic *d)
{
	struct capture *c = ctx;
	int k;

	if (c->n++ == 0) {
		c->line = d->pos.line;
		c->col = d->pos.col;
	}
	k = snprintf(c->text + c->len, sizeof c->text - c->len, "%s\n", d->message);
	if (k > 0 && c->len + (size_t)k < sizeof c->text)
		c->len += (size_t)k;
}

struct loaded1 {
	struct cc_arena a;
	struct cc_src src;
	struct cc_bundle b;
	struct capture cap;
	struct cc_diag_sink sink;
	int load_rc, valid_rc;
	char canon[8192];
};

/* Loads text as if from file name (the extension picks the format), validates
 * and hashes it; downgrade is the sink's (1u << CC_W_strict = `--compat`).
 * The caller frees with done(). */
static struct loaded1 *load_with(const char *name, const char *text, unsigned downgrade)
{
	struct loaded1 *l = calloc(1, sizeof *l);
	struct rt_buf b;

	assert_non_null(l);
	cc_arena_init(&l->a);
	l->src.path = name;
	l->src.text = text;
	l->src.len = strlen(text);
	l->sink.emit = capture_emit;
	l->sink.ctx = &l->cap;
	l->sink.downgrade = downgrade;
	l->load_rc = cc_load_source(&l->a, &l->sink, &l->src, cc_format_for_path(name), &l->b);
	l->valid_rc = l->load_rc ? -1 : cc_validate(&l->sink, &l->b);
	if (l->load_rc == 0) {
		rt_buf_init(&b);
		assert_int_equal(cc_bundle_canonical(&l->b, &b), 0);
		assert_true(b.len < sizeof l->canon);
		memcpy(l->canon, b.data, b.len);
		rt_buf_free(&b);
		assert_int_equal(cc_bundle_hash(&l->b), 0);
	}
	return l;
}

static struct loaded1 *load(const char *name, const char *text)
{
	return load_with(name, text, 0);
}

static void done(struct loaded1 *l)
{
	cc_arena_free(&l->a);
	free(l);
}

/* Loads a YAML bundle with one rule r whose obligations are `obl` (YAML text,
 * indented by 6) and returns the canonical obligations object, or the first
 * error message. */
static void check_obligations(const char *obl, const char *want)
{
	char text[2048];
	struct loaded1 *l;
	const char *o;

	snprintf(text, sizeof text,
		 "version: v1\nrules:\n  - id: r\n    action_type: fs.read\n"
		 "    resource: file://workspace/**\n    decision: ALLOW\n    obligations:\n%s",
		 obl);
	l = load("t.yaml", text);
	if (l->load_rc) {
		if (!strstr(l->cap.text, want))
			fail_msg("obligations %s: got error %s, want %s", obl, l->cap.text, want);
		done(l);
		return;
	}
	o = strstr(l->canon, "\"obligations\":");
	assert_non_null(o);
	o += strlen("\"obligations\":");
	if (strncmp(o, want, strlen(want)) || strncmp(o + strlen(want), ",\"resource\"", 11))
		fail_msg("obligations %s: got %s, want %s", obl, o, want);
	done(l);
}

static void check_load_error(const char *name, const char *text, const char *want,
			     uint32_t line, uint32_t col)
{
	struct loaded1 *l = load(name, text);

	if (!l->load_rc && !l->valid_rc)
		fail_msg("%s: accepted, want error %s", name, want);
	if (!strstr(l->cap.text, want))
		fail_msg("%s: got %s, want %s", name, l->cap.text, want);
	if (line && (l->cap.line != line || l->cap.col != col))
		fail_msg("%s: error at %u:%u, want %u:%u (%s)", name, l->cap.line, l->cap.col, line,
			 col, l->cap.text);
	done(l);
}

/* ---- Go float formatting ---------------------------------------------------- */

static void check_float(double v, const char *want)
{
	char out[CC_NUMBER_MAX];

	assert_true(cc_go_format_float(v, out) > 0);
	assert_string_equal(out, want);
}

static void test_go_float(void **state)
{
	char out[CC_NUMBER_MAX];

	(void)state;
	check_float(1.0, "1");
	check_float(1.5, "1.5");
	check_float(0.1 + 0.2, "0.30000000000000004");
	check_float(1e20, "100000000000000000000");
	check_float(1e21, "1e+21");
	check_float(1.5e300, "1.5e+300");
	check_float(1e-6, "0.000001");
	check_float(1e-7, "1e-7");
	check_float(1.23e-10, "1.23e-10");
	check_float(12345678901234567890.0, "12345678901234567000");
	check_float(-0.0, "-0");
	check_float(-2.5, "-2.5");
	check_float(5e-324, "5e-324");
	check_float(1.7976931348623157e308, "1.7976931348623157e+308");
	check_float(100, "100");
	check_float(123456.789, "123456.789");
	assert_int_equal(cc_go_format_float(1.0 / 0.0, out), -1);
	assert_int_equal(cc_go_format_float(0.0 / 0.0, out), -1);
}

/* ---- yaml.v3 scalar resolution ------------------------------------------------ */

static void check_scalar(const char *s, enum cc_yaml_kind kind, const char *text)
{
	struct cc_yaml_scalar r;

	assert_int_equal(cc_number_from_yaml(s, strlen(s), &r), 0);
	if (r.kind != kind)
		fail_msg("%s: kind %d, want %d", s, r.kind, kind);
	if (text && strcmp(r.text, text))
		fail_msg("%s: text %s, want %s", s, r.text, text);
}

static void test_yaml_scalars(void **state)
{
	(void)state;
	check_scalar("65536", CC_Y_INT, "65536");
	check_scalar("0x10", CC_Y_INT, "16");
	check_scalar("0o17", CC_Y_INT, "15");
	check_scalar("017", CC_Y_INT, "15");
	check_scalar("0b101", CC_Y_INT, "5");
	check_scalar("1_000", CC_Y_INT, "1000");
	check_scalar("+5", CC_Y_INT, "5");
	check_scalar("+0x10", CC_Y_INT, "16");
	check_scalar("-0", CC_Y_INT, "0");
	check_scalar("-9223372036854775808", CC_Y_INT, "-9223372036854775808");
	check_scalar("12345678901234567890", CC_Y_INT, "12345678901234567890");
	check_scalar("18446744073709551616", CC_Y_FLOAT, "18446744073709552000");
	check_scalar("-18446744073709551615", CC_Y_FLOAT, "-18446744073709552000");
	check_scalar("+18446744073709551615", CC_Y_FLOAT, "18446744073709552000");
	check_scalar("123456789012345678901234567890", CC_Y_FLOAT, "1.2345678901234568e+29");
	check_scalar("08", CC_Y_FLOAT, "8");
	check_scalar("1e3", CC_Y_FLOAT, "1000");
	check_scalar("1.0", CC_Y_FLOAT, "1");
	check_scalar("1.5", CC_Y_FLOAT, "1.5");
	check_scalar("1e21", CC_Y_FLOAT, "1e+21");
	check_scalar(".5", CC_Y_FLOAT, "0.5");
	check_scalar("-.5", CC_Y_FLOAT, "-0.5");
	check_scalar("1.", CC_Y_FLOAT, "1");
	check_scalar("1e400", CC_Y_STRING, NULL);
	check_scalar(".inf", CC_Y_FLOAT, "+Inf");
	check_scalar("-.Inf", CC_Y_FLOAT, "-Inf");
	check_scalar(".NaN", CC_Y_FLOAT, "NaN");
	check_scalar("true", CC_Y_BOOL, NULL);
	check_scalar("FALSE", CC_Y_BOOL, NULL);
	check_scalar("yes", CC_Y_STRING, NULL);
	check_scalar("on", CC_Y_STRING, NULL);
	check_scalar("tRUE", CC_Y_STRING, NULL);
	check_scalar("~", CC_Y_NULL, NULL);
	check_scalar("", CC_Y_NULL, NULL);
	check_scalar("Null", CC_Y_NULL, NULL);
	check_scalar("0x", CC_Y_STRING, NULL);
	check_scalar("1_", CC_Y_INT, "1");
	check_scalar("_1", CC_Y_STRING, NULL);
	check_scalar("-", CC_Y_STRING, NULL);
	check_scalar("1.2.3", CC_Y_STRING, NULL);
	check_scalar("2001-12-14", CC_Y_TIMESTAMP, "2001-12-14T00:00:00Z");
	check_scalar("2001-1-2", CC_Y_TIMESTAMP, "2001-01-02T00:00:00Z");
	check_scalar("2001-12-14t21:59:43.10-05:00", CC_Y_TIMESTAMP, "2001-12-14T21:59:43.1-05:00");
	check_scalar("2001-12-14T21:59:43Z", CC_Y_TIMESTAMP, "2001-12-14T21:59:43Z");
	check_scalar("2001-12-14T21:59:43+00:00", CC_Y_TIMESTAMP, "2001-12-14T21:59:43Z");
	check_scalar("2001-12-14 21:59:43.10", CC_Y_TIMESTAMP, "2001-12-14T21:59:43.1Z");
	check_scalar("2001-12-14 21:59:43.10 -5", CC_Y_STRING, NULL);
	check_scalar("2001-02-30", CC_Y_STRING, NULL);
	check_scalar("2000-02-29", CC_Y_TIMESTAMP, "2000-02-29T00:00:00Z");
	check_scalar("2001-12-14T21:59:43", CC_Y_STRING, NULL);
}

/* ---- obligations travel into the hash as upstream (spec §4.3) ----------------- */

static void test_obligation_values(void **state)
{
	(void)state;
	check_obligations("      a: 1.50\n", "{\"a\":\"1.5\"}");
	check_obligations("      a: \"1.50\"\n", "{\"a\":\"1.50\"}");
	check_obligations("      a: 0x10\n      b: 1e3\n", "{\"a\":16,\"b\":1000}");
	check_obligations("      a: 12345678901234567890\n", "{\"a\":12345678901234567890}");
	check_obligations("      a: 1e21\n", "{\"a\":\"1e+21\"}");
	check_obligations("      when: 2001-12-14\n", "{\"when\":\"2001-12-14T00:00:00Z\"}");
	check_obligations("      a: yes\n      b: ~\n      c: !!str 12\n",
			  "{\"a\":\"yes\",\"b\":null,\"c\":\"12\"}");
	check_obligations("      1: a\n      true: b\n", "{\"1\":\"a\",\"true\":\"b\"}");
	check_obligations("      z: [1, {b: 2, a: [x, 'y']}]\n", "{\"z\":[1,{\"a\":[\"x\",\"y\"],\"b\":2}]}");
	check_obligations("      a: |\n        two\n        lines\n", "{\"a\":\"two\\nlines\\n\"}");
	check_obligations("      a: .inf\n", "canonicalize bundle: json: unsupported value: +Inf");
	check_obligations("      a: -.inf\n", "canonicalize bundle: json: unsupported value: -Inf");
	check_obligations("      a: .nan\n", "canonicalize bundle: json: unsupported value: NaN");
	check_obligations("      a: {1: x}\n", "unsupported type: map[interface {}]interface {}");
	check_obligations("      a: {\"1\": x}\n", "{\"a\":{\"1\":\"x\"}}");
	/* yaml.v3 cannot decode a null key into map[string]any's string key and
	 * drops the pair (once kept as "" twice: {"":1,"":2}, invalid) */
	check_obligations("      ~: 1\n      null: 2\n      b: 3\n      \"\": 4\n",
			  "{\"\":4,\"b\":3}");
	/* keys sort by UTF-8 bytes (Go sort.Strings), not UTF-16 units as JCS:
	 * U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80); a prefix first */
	check_obligations("      \"\\U0001F600\": 2\n      \"\\uFFFD\": 1\n      \"a\\0\": 6\n"
			  "      a: 7\n      B: 4\n",
			  "{\"B\":4,\"a\":7,\"a\\u0000\":6,\"\xef\xbf\xbd\":1,\"\xf0\x9f\x98\x80\":2}");
	check_obligations("      a: !custom x\n", "unsupported YAML tag");
}

/* ---- YAML structure: anchors, aliases, merges, positions ----------------------- */

static const char rule_head[] = "version: v1\nrules:\n";

static void test_yaml_merge(void **state)
{
	struct loaded1 *l;

	(void)state;
	/* explicit keys win over merged ones; earlier merged maps over later */
	l = load("m.yaml", "version: v1\n"
			   "defs:\n" /* unknown field: must fail */
			   "  x: 1\n"
			   "rules: []\n");
	assert_int_not_equal(l->load_rc, 0);
	assert_non_null(strstr(l->cap.text, "unknown field \"defs\" in bundle; valid fields: version, rules"));
	done(l);

	l = load("m.yaml", "version: v1\n"
			   "rules:\n"
			   "  - &a\n"
			   "    id: a\n"
			   "    action_type: fs.read\n"
			   "    resource: file://workspace/a\n"
			   "    decision: DENY\n"
			   "  - &b\n"
			   "    id: b\n"
			   "    action_type: fs.write\n"
			   "    resource: file://workspace/b\n"
			   "    decision: ALLOW\n"
			   "    obligations: {sandbox_mode: local}\n"
			   "  - <<: [*a, *b]\n"
			   "    id: c\n");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->valid_rc, 0);
	assert_int_equal(l->b.n_rules, 3);
	assert_string_equal(l->b.rules[2].id.s, "c");
	assert_string_equal(l->b.rules[2].action_type.s, "fs.read");
	assert_string_equal(l->b.rules[2].decision.s, "DENY");
	assert_true(l->b.rules[2].has_obligations);
	/* positions of merged fields are those of the anchored source */
	assert_int_equal(l->b.rules[2].action_type.pos.line, 5);
	assert_int_equal(l->b.rules[2].id.pos.line, 15);
	assert_int_equal(l->b.rules[2].id.pos.col, 9);
	done(l);

	/* an alias of a whole rule list item, and of a sequence */
	l = load("m.yaml", "version: v1\n"
			   "rules:\n"
			   "  - id: a\n"
			   "    action_type: process.exec\n"
			   "    resource: file://workspace/\n"
			   "    decision: ALLOW\n"
			   "    principals: &p [alice, bob]\n"
			   "    agents: *p\n"
			   "    exec_match:\n"
			   "      argv_patterns: [[git, \"**\"], [ls]]\n");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->valid_rc, 0);
	assert_string_equal(l->canon,
			    "{\"rules\":[{\"action_type\":\"process.exec\",\"agents\":[\"alice\",\"bob\"],"
			    "\"decision\":\"ALLOW\",\"exec_match\":{\"argv_patterns\":[[\"git\",\"**\"],"
			    "[\"ls\"]]},\"id\":\"a\",\"principals\":[\"alice\",\"bob\"],\"resource\":"
			    "\"file://workspace/\"}],\"version\":\"v1\"}");
	done(l);
	(void)rule_head;
}

static void test_yaml_errors(void **state)
{
	(void)state;
	check_load_error("e.yaml", "", "empty yaml document", 1, 1);
	check_load_error("e.yaml", "# only a comment\n", "empty yaml document", 1, 1);
	check_load_error("e.yaml", "version: v1\nrules: []\n---\nversion: v1\n",
			 "bundle contains trailing data", 3, 1);
	check_load_error("e.yaml", "version: v1\nrules:\n  - id: a\n    id: b\n",
			 "duplicate yaml key \"id\" at $.rules[0]", 4, 5);
	check_load_error("e.yaml",
			 "version: v1\nrules:\n  - id: a\n    obligations:\n      k: 1\n      k: 2\n",
			 "duplicate yaml key \"k\" at $.rules[0].obligations", 6, 7);
	check_load_error("e.yaml", "version: v1\nrules:\n  - id: a\n    Action_Type: x\n",
			 "unknown field \"Action_Type\" in rule; did you mean \"action_type\"?", 4, 5);
	check_load_error("e.yaml", "version: v1\nrules:\n  - id: a\n\tx: 1\n",
			 "yaml: found a tab character that violates indentation", 4, 1);
	check_load_error("e.yaml", "- a\n- b\n", "a bundle must be a mapping", 1, 1);
	check_load_error("e.yaml", "version: v1\nrules: *nope\n", "unknown anchor 'nope'", 2, 8);
	check_load_error("e.yaml", "version: v1\nrules:\n  - id: [a]\n", "id must be a string, found a sequence", 3, 9);
	check_load_error("e.yaml", "version: v1\nrules:\n  - principals: alice\n",
			 "principals must be a list of strings", 3, 17);
	/* positions count bytes: a 2-byte character before the node */
	check_load_error("e.yaml", "version: v1\nrules:\n  - {id: \xc3\xa9, x: 1}\n",
			 "unknown field \"x\" in rule", 3, 14);
	/* version: 1 is the text "1" */
	check_load_error("e.yaml", "version: 1\nrules:\n  - id: a\n    action_type: a\n    resource: r\n"
				   "    decision: ALLOW\n", "bundle version must be v1", 1, 10);
	/* a self-referencing anchor cannot loop */
	check_load_error("e.yaml", "version: v1\nrules: &r\n  - *r\n", "unknown anchor 'r'", 3, 5);
}

static void test_alias_bomb(void **state)
{
	char text[4096];
	size_t k = 0;
	int i;

	(void)state;
	k += (size_t)snprintf(text + k, sizeof text - k,
			      "version: v1\nrules:\n  - id: r\n    action_type: a\n    resource: r\n"
			      "    decision: ALLOW\n    obligations:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 10; i++)
		k += (size_t)snprintf(text + k, sizeof text - k,
				      "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n",
				      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	check_load_error("bomb.yaml", text, "YAML aliases expand to more than", 0, 0);
}

/* ---- JSON strictness --------------------------------------------------------- */

/* JSON bundles that fail to load: the error text (a part of it) and where. */
static const struct {
	const char *text, *want;
	uint32_t line, col;
} json_errors[] = {
	/* syntax errors are yajl's, at the byte they are about, with a hint where
	 * that byte shows a common mistake */
	{ "{\"version\":\"v1\",\"rules\":[1,]}",
	  "json: parse error: unallowed token at this point in JSON text (JSON "
	  "does not allow a trailing comma; remove it)", 1, 28 },
	{ "{\"version\":\"v1\",\"rules\":[],}",
	  "invalid object key (must be a string) (JSON does not allow a trailing comma", 1, 28 },
	{ "{\"version\":\"v1\" # c\n}",
	  "json: lexical error: invalid char in json text (comments are not "
	  "allowed in JSON", 1, 17 },
	{ "{\"version\":\"v1\",\n  /* c */}",
	  "probable comment found in input text, comments are not enabled "
	  "(comments are not allowed in JSON", 2, 3 },
	{ "{'version':'v1'}", "double quotes, not single quotes", 1, 2 },
	{ "\xef\xbb\xbf{}", "byte order mark is not allowed", 1, 1 },
	{ "{} {}", "bundle contains trailing data", 1, 4 },
	{ "{}\n\n  x", "bundle contains trailing data", 3, 3 },
	{ "", "empty JSON document", 1, 1 },
	{ " \r\n\t", "empty JSON document", 2, 2 },
	{ "version: v1\n",
	  "invalid char in json text (YAML syntax is not allowed in a JSON "
	  "bundle; name the file .yaml to use it)", 1, 1 },
	{ "---\nversion: v1\n", "YAML syntax is not allowed", 1, 2 },
	{ "{\"version\": &v \"v1\"}", "YAML syntax is not allowed", 1, 13 },
	{ "{\"version\":v1}", "invalid char in json text (strings need double quotes)", 1, 12 },
	{ "{\"version\":\"v1\",\"rules\":nul}",
	  "invalid string in json text (strings need double quotes)", 1, 25 },
	{ "{\"version\":\"v1\",\"rules\":[{\"id\":1}]}",
	  "id must be a string, found a number", 1, 32 },
	{ "{\"version\":\"v1\",\"VERSION\":\"v1\"}", "JSON keys are case-sensitive here", 1, 17 },
	{ "{\"a\":\"\x01\"}",
	  "invalid character inside string (a control character in a string must "
	  "be escaped", 1, 7 },
	{ "{\"a\":\"x\\x\"}", "'\\' occurs before a character which it may not", 1, 8 },
	{ "{\"a\":\"\\u12g4\"}", "invalid (non-hex) character", 1, 11 },
	{ "{\"a\":01}", "(a JSON number has no leading zeros)", 1, 7 },
	{ "{\"a\":1.}", "a digit is required after the decimal point", 1, 8 },
	{ "{\"a\" 1}", "object key and value must be separated by a colon", 1, 6 },
	{ "{\"a\":1 \"b\":2}", "after key and value, inside map, I expect ',' or '}'", 1, 8 },
	{ "[1 \"x\"]", "after array element, I expect ',' or ']'", 1, 4 },
	{ "{\"version\":\"v1\",\"rules\":[{\"obligations\":{\"x\":1e400}}]}",
	  "cannot unmarshal number 1e400", 1, 46 },
	{ "[", "json: parse error: premature EOF", 1, 2 },
	{ "{\"a\":[1,", "premature EOF", 1, 9 },
	{ "{\"a\":\"abc", "premature EOF (the string is not closed)", 1, 6 },
	{ "{\"a\":12", "premature EOF", 1, 8 },
	/* yajl skips \f and \v as white space; JSON does not */
	{ "{\"a\":\f1}", "a form feed (\\f) is not JSON white space", 1, 6 },
	{ "\v{}", "a vertical tab (\\v) is not JSON white space", 1, 1 },
	{ "\f", "a form feed (\\f) is not JSON white space", 1, 1 },
	{ "{} \f", "bundle contains trailing data", 1, 4 },
	/* a top-level value, even a number yajl only ends at the end of the text */
	{ "\n  12", "a bundle must be", 2, 3 },
	{ "\n  \"s\\n\"", "a bundle must be", 2, 3 },
};

static void test_json_strict(void **state)
{
	struct loaded1 *l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof json_errors / sizeof json_errors[0]; i++)
		check_load_error("e.json", json_errors[i].text, json_errors[i].want, json_errors[i].line,
				 json_errors[i].col);

	/* Go's decoding of strings: surrogate pairs join, lone ones become U+FFFD,
	 * invalid UTF-8 bytes become U+FFFD. */
	l = load("s.json", "{\"version\":\"v1\",\"rules\":[{\"id\":\"\\ud83d\\ude00\\ud800x\xff\",\"action_type\":\"a\","
			   "\"resource\":\"r\",\"decision\":\"ALLOW\"}]}");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->b.rules[0].id.len, 4 + 3 + 1 + 3);
	assert_memory_equal(l->b.rules[0].id.s, "\xf0\x9f\x98\x80\xef\xbf\xbdx\xef\xbf\xbd", 11);
	done(l);

	/* where yajl decodes otherwise: a high surrogate before a \u escape that
	 * is not a low one (yajl would join them), a lone low one, a lone high
	 * one at the end (yajl: '?'), \u0000; an escaped backslash before "u" is
	 * no \u escape; simple escapes with invalid UTF-8 (yajl's decoding, then
	 * U+FFFD). Keys decode the same way, and every node keeps its position. */
	l = load("s.json", "{\"version\":\"v1\",\"rules\":[{\"id\":\"r\",\"action_type\":\"a\",\"resource\":\"r\","
			   "\"decision\":\"ALLOW\",\"obligations\":{\"a\":\"\\ud800\\u0041\\udc00\\u0000\\ud83d\","
			   "\"\\\\u0041\\u00e9\":\"\\n\\\"\xc3\xa9\xe2\x82\",\"k\\ud83d\\ude00\":[1.50,true,null]}}]}");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->b.rules[0].obligations.n, 3);
	{
		const struct cc_member *m = l->b.rules[0].obligations.members;

		assert_int_equal(m[0].value.len, 3 + 1 + 3 + 1 + 3);
		assert_memory_equal(m[0].value.text, "\xef\xbf\xbd" "A" "\xef\xbf\xbd" "\0" "\xef\xbf\xbd", 11);
		assert_int_equal(m[0].value.pos.col, 107);
		assert_int_equal(m[0].value.pos.len, 32);
		assert_int_equal(m[1].key.len, 8);
		assert_memory_equal(m[1].key.s, "\\u0041\xc3\xa9", 8);
		assert_int_equal(m[1].key.pos.col, 140);
		assert_int_equal(m[1].key.pos.len, 15);
		/* a truncated sequence: one U+FFFD per byte, as Go */
		assert_int_equal(m[1].value.len, 2 + 2 + 3 + 3);
		assert_memory_equal(m[1].value.text, "\n\"\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd", 10);
		assert_int_equal(m[1].value.pos.col, 156);
		assert_int_equal(m[2].key.len, 5);
		assert_memory_equal(m[2].key.s, "k\xf0\x9f\x98\x80", 5);
		assert_int_equal(m[2].key.pos.col, 167);
		assert_int_equal(m[2].value.kind, CC_V_ARRAY);
		assert_int_equal(m[2].value.pos.col, 183);
		assert_int_equal(m[2].value.items[0].pos.col, 184);
		assert_int_equal(m[2].value.items[0].pos.len, 4);
		assert_int_equal(m[2].value.items[2].pos.col, 194);
		assert_int_equal(m[2].value.items[2].pos.len, 4);
	}
	done(l);

	/* keys of any length (libyaml stops at 1024 characters) */
	{
		static char text[4096];
		char key[2001];

		memset(key, 'k', sizeof key - 1);
		key[sizeof key - 1] = 0;
		snprintf(text, sizeof text,
			 "{\"version\":\"v1\",\"rules\":[{\"id\":\"r\",\"action_type\":\"a\",\"resource\":\"r\","
			 "\"decision\":\"ALLOW\",\"obligations\":{\"%s\":1}}]}", key);
		l = load("k.json", text);
		assert_int_equal(l->load_rc, 0);
		assert_int_equal(l->b.rules[0].obligations.members[0].key.len, 2000);
		done(l);
	}

	/* nesting: 256 levels are fine, the 257th is refused where it opens */
	{
		static char text[600];

		memset(text, '[', 256);
		memset(text + 256, ']', 256);
		l = load("d.json", text);
		assert_int_not_equal(l->load_rc, 0);
		assert_null(strstr(l->cap.text, "nesting"));
		done(l);
		memset(text, '[', 257);
		text[257] = 0;
		check_load_error("d.json", text, "nesting deeper than 256 levels", 1, 257);
	}

	/* JSON numbers are float64 */
	l = load("n.json", "{\"version\":\"v1\",\"rules\":[{\"id\":\"r\",\"action_type\":\"a\",\"resource\":\"r\","
			   "\"decision\":\"ALLOW\",\"obligations\":{\"a\":1.0,\"b\":1e21,\"c\":-0,\"d\":0.000001,"
			   "\"e\":12345678901234567890}}]}");
	assert_int_equal(l->load_rc, 0);
	assert_non_null(strstr(l->canon, "{\"a\":1,\"b\":\"1e+21\",\"c\":0,\"d\":\"0.000001\","
					 "\"e\":12345678901234567000}"));
	done(l);
}

/* ---- validation -------------------------------------------------------------- */

static void test_validation(void **state)
{
	struct loaded1 *l;

	(void)state;
	l = load("v.yaml", "version: v2\nrules:\n"
			   "  - id: a\n    action_type: fs.read\n    resource: r\n    decision: allow\n"
			   "  - id: a\n    resource: r\n    decision: DENY\n"
			   "  - action_type: x\n    resource: r\n    decision: DENY\n"
			   "  - id: e\n    action_type: fs.read\n    resource: file://w\\x\n    decision: DENY\n"
			   "    exec_match:\n      argv_patterns: [[], [git, \"\"]]\n"
			   "    obligations: {exec_allowlist: [[git]]}\n"
			   "  - id: f\n    action_type: process.exec\n    resource: r\n    decision: DENY\n"
			   "    exec_match: {}\n");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->valid_rc, -1);
	assert_string_equal(l->cap.text,
			    "bundle version must be v1\n"
			    "rule a has invalid decision \"allow\"; expected ALLOW, DENY or "
			    "REQUIRE_APPROVAL (decisions are case-sensitive: write ALLOW)\n"
			    "duplicate rule id \"a\"\n"
			    "first defined here\n"
			    "rule a missing action_type\n"
			    "rule id is required\n"
			    "rule e exec_match requires action_type process.exec or *\n"
			    "rule e must not declare both exec_match and exec_allowlist (exec_allowlist "
			    "is the legacy model; keep exec_match)\n"
			    "rule e exec_match.argv_patterns[0] must not be empty\n"
			    "rule e exec_match.argv_patterns[1][1] must not be empty\n"
			    "rule e resource contains a backslash; Nomos v1 never matches such a pattern, "
			    "so the rule would be silently dead (use '/' as the separator)\n"
			    "rule f exec_match.argv_patterns is required\n");
	done(l);

	check_load_error("v.yaml", "version: v1\n", "bundle rules are required", 1, 1);
	check_load_error("v.yaml", "version: v1\nrules:\n", "bundle rules are required", 1, 1);
	check_load_error("v.json", "null", "bundle version must be v1", 1, 1);
}

static void test_regex_extension(void **state)
{
	struct loaded1 *l;

	(void)state;
	l = load("x.yaml", "version: v1\nrules:\n  - id: r\n    action_type: process.exec\n"
			   "    resource: \"file://workspace/[a-z]+\"\n    resource_match: regex\n"
			   "    decision: ALLOW\n    exec_match:\n      argv_patterns: [[git, {regex: \"^pu(sh|ll)$\"}]]\n");
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->valid_rc, 0);
	assert_true(l->b.nonportable);
	assert_int_equal(l->b.rules[0].resource_kind, CC_MATCH_REGEX);
	assert_int_equal(l->sink.warnings, 2);
	assert_string_equal(l->canon,
			    "{\"rules\":[{\"action_type\":\"process.exec\",\"decision\":\"ALLOW\","
			    "\"exec_match\":{\"argv_patterns\":[[\"git\",{\"regex\":\"^pu(sh|ll)$\"}]]},"
			    "\"id\":\"r\",\"resource\":\"file://workspace/[a-z]+\",\"resource_match\":"
			    "\"regex\"}],\"version\":\"v1\"}");
	done(l);

	/* glob is the default and does not enter the canonical form */
	l = load("x.yaml", "version: v1\nrules:\n  - id: r\n    action_type: a\n    resource: r\n"
			   "    resource_match: glob\n    decision: ALLOW\n");
	assert_int_equal(l->load_rc, 0);
	assert_false(l->b.nonportable);
	assert_string_equal(l->canon, "{\"rules\":[{\"action_type\":\"a\",\"decision\":\"ALLOW\",\"id\":\"r\","
				      "\"resource\":\"r\"}],\"version\":\"v1\"}");
	done(l);
	check_load_error("x.yaml", "version: v1\nrules:\n  - resource_match: re\n",
			 "resource_match must be \"glob\"", 3, 21);
}

/* ---- hashes ---------------------------------------------------------------- */

static void test_merged_hash_vector(void **state)
{
	struct cc_bundle a, b;
	const struct cc_bundle *v[2] = { &a, &b };
	char out[65], want[65];
	const char *bytes = "{\"bundle_hashes\":[\"h1\",\"h2\"],\"merge_algorithm_version\":"
			    "\"nomos.policy.merge.v1\"}";

	(void)state;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	strcpy(a.hash, "h1");
	strcpy(b.hash, "h2");
	assert_int_equal(cc_merged_hash(v, 2, out), 0);
	rt_sha256_hex(bytes, strlen(bytes), want);
	assert_string_equal(out, want);
	assert_int_equal(cc_merged_hash(v, 1, out), 0);
	assert_string_equal(out, "h1");
	assert_int_equal(cc_merged_hash(v, 0, out), -1);
}

static char *slurp(const char *path)
{
	char *text;
	size_t len;

	if (cc_read_file(path, &text, &len))
		fail_msg("cannot read %s", path);
	return text;
}

#define CONF "corpus/conformance/"

/* Inputs our stricter rules reject on purpose, with the expected message. */
static const struct {
	const char *bundle;
	const char *message;
} rejected[] = {
	{ "bundles/risk-and-identity.json", "rule deny-backslash resource contains a backslash" },
	{ "inline:plain-keycase.json",
	  "unknown field \"VERSION\" in bundle: JSON keys are case-sensitive here" },
	{ "inline:json-dupkey.json", "duplicate json key \"id\" at $.rules[0]" },
};

static const char *expected_rejection(const char *bundle)
{
	size_t i;

	for (i = 0; i < sizeof rejected / sizeof rejected[0]; i++)
		if (!strcmp(rejected[i].bundle, bundle))
			return rejected[i].message;
	return NULL;
}

static void test_conformance_hashes(void **state)
{
	FILE *f = fopen(CONF "bundle_hashes.jsonl", "r");
	char line[65536];
	unsigned checked = 0, rejections = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		json_error_t jerr;
		json_t *o = json_loads(line, 0, &jerr);
		const char *bundle, *want_hash, *want_canon, *source;

		assert_non_null(o);
		want_hash = json_string_value(json_object_get(o, "policy_bundle_hash"));
		assert_non_null(want_hash);
		if (json_object_get(o, "merged")) {
			json_t *m = json_object_get(o, "merged"), *inputs = json_object_get(o, "inputs");
			const char *paths[8];
			char storage[8][256];
			struct cc_arena a;
			struct capture cap = { .len = 0 };
			struct cc_diag_sink sink = { .emit = capture_emit, .ctx = &cap };
			struct cc_loaded ld;
			size_t i;

			assert_true(json_array_size(m) <= 8);
			for (i = 0; i < json_array_size(m); i++) {
				snprintf(storage[i], sizeof storage[i], CONF "%s",
					 json_string_value(json_array_get(m, i)));
				paths[i] = storage[i];
			}
			cc_arena_init(&a);
			if (cc_load_inputs(&a, &sink, paths, json_array_size(m), &ld))
				fail_msg("merged set: %s", cap.text);
			assert_int_equal(ld.n_bundles, json_array_size(m));
			for (i = 0; i < ld.n_bundles; i++)
				assert_string_equal(ld.bundles[i]->hash,
						    json_string_value(json_array_get(inputs, i)));
			assert_string_equal(ld.hash, want_hash);
			cc_arena_free(&a);
			checked++;
			json_decref(o);
			continue;
		}
		bundle = json_string_value(json_object_get(o, "bundle"));
		want_canon = json_string_value(json_object_get(o, "canonical"));
		source = json_string_value(json_object_get(o, "source"));
		assert_non_null(bundle);
		{
			char path[512], *text;
			const char *reject = expected_rejection(bundle);
			struct loaded1 *l;

			if (source) {
				text = strdup(source);
			} else {
				snprintf(path, sizeof path, CONF "%s", bundle);
				text = slurp(path);
			}
			l = load(source ? bundle : path, text);
			if (reject) {
				if (!l->load_rc && !l->valid_rc)
					fail_msg("%s: accepted, want rejection: %s", bundle, reject);
				if (!strstr(l->cap.text, reject))
					fail_msg("%s: got %s, want %s", bundle, l->cap.text, reject);
				rejections++;
				/* With the strict group downgraded (`--compat`) upstream's
				 * meaning applies: the upstream hash and canonical bytes. */
				done(l);
				l = load_with(source ? bundle : path, text, 1u << CC_W_strict);
				if (l->load_rc || l->valid_rc)
					fail_msg("%s --compat: %s", bundle, l->cap.text);
				if (want_canon && strcmp(l->canon, want_canon))
					fail_msg("%s --compat: canonical\n got %s\nwant %s", bundle,
						 l->canon, want_canon);
				if (strcmp(l->b.hash, want_hash))
					fail_msg("%s --compat: hash %s, want %s", bundle, l->b.hash,
						 want_hash);
			} else {
				if (l->load_rc || l->valid_rc)
					fail_msg("%s: %s", bundle, l->cap.text);
				if (want_canon && strcmp(l->canon, want_canon))
					fail_msg("%s: canonical\n got %s\nwant %s", bundle, l->canon,
						 want_canon);
				if (strcmp(l->b.hash, want_hash))
					fail_msg("%s: hash %s, want %s", bundle, l->b.hash, want_hash);
			}
			checked++;
			done(l);
			free(text);
		}
		json_decref(o);
	}
	fclose(f);
	assert_int_equal(checked, 30);
	assert_int_equal(rejections, sizeof rejected / sizeof rejected[0]);
}

static void test_read_file(void **state)
{
	char *text = NULL, path[64];
	size_t len, i;
	int fd[2];
	pid_t pid;

	(void)state;
	/* a directory is named as such, not as a vague I/O error */
	assert_int_equal(cc_read_file("corpus", &text, &len), -EISDIR);
	assert_null(text);
	assert_int_equal(cc_read_file("corpus/no-such-file.yaml", &text, &len), -ENOENT);
	assert_int_equal(cc_read_file(CONF "safe.canonical.json", &text, &len), 0);
	assert_int_equal(len, strlen(text));
	free(text);
	/* a pipe has no size: the buffer grows (each outgrown one wiped) */
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char chunk[1000];

		close(fd[0]);
		for (i = 0; i < sizeof chunk; i++)
			chunk[i] = (char)('a' + i % 26);
		for (i = 0; i < 300; i++)
			if (write(fd[1], chunk, sizeof chunk) != (ssize_t)sizeof chunk)
				_exit(1);
		_exit(0);
	}
	close(fd[1]);
	snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
	assert_int_equal(cc_read_file(path, &text, &len), 0);
	close(fd[0]);
	waitpid(pid, NULL, 0);
	assert_int_equal(len, 300000);
	assert_int_equal(strlen(text), len);
	for (i = 0; i < len; i++)
		if (text[i] != (char)('a' + i % 1000 % 26))
			fail_msg("byte %zu of the pipe is %c", i, text[i]);
	free(text);
}

/* ---- large inputs ---------------------------------------------------------
 * Every look-up by key (duplicate keys, merge keys, anchors, .nomos object
 * keys) and every caret under a long line must take near-linear time: each
 * of these inputs took minutes when keys were compared with all the keys
 * before them. The test has to finish; it measures nothing. */

#define BIG 100000

struct big_diags {
	unsigned n, errors;
	struct {
		enum cc_severity sev;
		uint32_t line, col;
		char msg[120];
	} d[8];
};

static void big_emit(void *ctx, const struct cc_diagnostic *d)
{
	struct big_diags *c = ctx;

	c->errors += d->severity == CC_ERROR;
	if (c->n < 8) {
		c->d[c->n].sev = d->severity;
		c->d[c->n].line = d->pos.line;
		c->d[c->n].col = d->pos.col;
		snprintf(c->d[c->n].msg, sizeof c->d[c->n].msg, "%.119s", d->message);
	}
	c->n++;
}

struct big {
	struct cc_arena a;
	struct cc_src src;
	struct cc_bundle b;
	struct big_diags diags;
	struct cc_diag_sink sink;
	int rc;
};

/* Loads, validates and hashes text (taking it over); rc is 0 when clean. */
static struct big *load_big(const char *name, struct rt_buf *text, unsigned downgrade)
{
	struct big *g = calloc(1, sizeof *g);

	assert_non_null(g);
	assert_int_equal(rt_buf_cstr(text), 0);
	cc_arena_init(&g->a);
	g->src.path = name;
	g->src.text = text->data;
	g->src.len = text->len;
	g->src.lines = cc_lines_index(&g->a, text->data, text->len, &g->src.n_lines);
	assert_non_null(g->src.lines);
	g->sink.emit = big_emit;
	g->sink.ctx = &g->diags;
	g->sink.downgrade = downgrade;
	g->rc = cc_load_source(&g->a, &g->sink, &g->src, cc_format_for_path(name), &g->b);
	if (g->rc == 0)
		g->rc = cc_validate(&g->sink, &g->b);
	if (g->rc == 0)
		assert_int_equal(cc_bundle_hash(&g->b), 0);
	return g;
}

static void big_free(struct big *g)
{
	free((void *)(uintptr_t)g->src.text);
	cc_arena_free(&g->a);
	free(g);
}

static void big_diag_is(const struct big *g, unsigned i, enum cc_severity sev, uint32_t line,
			uint32_t col, const char *msg)
{
	if (i >= g->diags.n || g->diags.d[i].sev != sev || g->diags.d[i].line != line ||
	    g->diags.d[i].col != col || strncmp(g->diags.d[i].msg, msg, strlen(msg)))
		fail_msg("%s: diagnostic %u is %u:%u %s (of %u), want %u:%u %s", g->src.path, i,
			 i < g->diags.n ? g->diags.d[i].line : 0, i < g->diags.n ? g->diags.d[i].col : 0,
			 i < g->diags.n ? g->diags.d[i].msg : "none", g->diags.n, line, col, msg);
}

static const struct cc_member *member(const struct cc_value *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->members[i].key.len == strlen(key) && !memcmp(o->members[i].key.s, key, strlen(key)))
			return &o->members[i];
	return NULL;
}

#define RULE_JSON "{\"version\":\"v1\",\"rules\":[{\"id\":\"r\",\"action_type\":\"fs.read\"," \
		  "\"resource\":\"file://x\",\"decision\":\"ALLOW\",\"obligations\":{"
#define RULE_YAML "version: v1\nrules:\n  - id: r\n    action_type: fs.read\n" \
		  "    resource: file://x\n    decision: ALLOW\n    obligations:\n"

/* BIG obligation keys k0, k1, ... with the value of each its number, then
 * the duplicates k7 = -1 and k99999 = -2, in JSON, YAML (block and flow, the
 * flow one on one line after a multi-byte character) and .nomos. */
static void big_obligations(struct rt_buf *b, const char *fmt, int dups)
{
	char item[64];
	int i, n = BIG + (dups ? 2 : 0);

	rt_buf_init(b);
	if (!strcmp(fmt, "json"))
		rt_buf_puts(b, RULE_JSON);
	else if (!strcmp(fmt, "yaml"))
		rt_buf_puts(b, RULE_YAML);
	else if (!strcmp(fmt, "flow"))
		rt_buf_puts(b, "{version: v1, rules: [{id: \"\xc3\xa9\", action_type: fs.read, "
			       "resource: \"file://x\", decision: ALLOW, obligations: {");
	else
		rt_buf_puts(b, "allow fs.read \"file://x\" as r with {");
	for (i = 0; i < n; i++) {
		int k = i < BIG ? i : i == BIG ? 7 : BIG - 1, v = i < BIG ? i : BIG - 1 - i;

		if (!strcmp(fmt, "json"))
			snprintf(item, sizeof item, "%s\"k%d\":%d", i ? "," : "", k, v);
		else if (!strcmp(fmt, "yaml"))
			snprintf(item, sizeof item, "      k%d: %d\n", k, v);
		else
			snprintf(item, sizeof item, "%sk%d: %d", i ? ", " : "", k, v);
		rt_buf_puts(b, item);
	}
	rt_buf_puts(b, !strcmp(fmt, "json") ? "}}]}\n" : !strcmp(fmt, "flow") ? "}}]}\n" :
		       !strcmp(fmt, "yaml") ? "" : "}\n");
}

static void test_large_obligations(void **state)
{
	static const char *const fmts[] = { "json", "yaml", "flow", "nomos" };
	static const char *const names[] = { "big.json", "big.yaml", "big-flow.yaml", "big.nomos" };
	char hash[65] = "";
	struct rt_buf text;
	struct big *g;
	size_t f;

	(void)state;
	for (f = 0; f < 4; f++) {
		/* all keys distinct: every format hashes the same */
		big_obligations(&text, fmts[f], 0);
		g = load_big(names[f], &text, 0);
		if (g->rc)
			fail_msg("%s: %s", names[f], g->diags.d[0].msg);
		assert_int_equal(g->b.rules[0].obligations.n, BIG);
		if (f == 2) /* the flow twin names its rule "é" */
			assert_int_equal(g->b.rules[0].id.len, 2);
		else if (hash[0])
			assert_string_equal(g->b.hash, hash);
		else
			memcpy(hash, g->b.hash, sizeof hash);
		big_free(g);

		/* two duplicates at the end: reported in order, where they are */
		big_obligations(&text, fmts[f], 1);
		g = load_big(names[f], &text, 0);
		assert_int_not_equal(g->rc, 0);
		assert_int_equal(g->diags.errors, 2);
		if (f == 0) {
			big_diag_is(g, 0, CC_ERROR, 1, 1477896, "duplicate json key \"k7\" at $.rules[0].obligations");
			big_diag_is(g, 1, CC_ERROR, 1, 1477904, "duplicate json key \"k99999\" at ");
		} else if (f == 1) {
			big_diag_is(g, 0, CC_ERROR, BIG + 8, 7, "duplicate yaml key \"k7\" at $.rules[0].obligations");
			big_diag_is(g, 1, CC_ERROR, BIG + 9, 7, "duplicate yaml key \"k99999\" at ");
		} else if (f == 2) {
			/* the column counts bytes: the mark's character count is resumed
			 * along the line, past the two-byte "é" */
			big_diag_is(g, 0, CC_ERROR, 1, 1477889, "duplicate yaml key \"k7\" at $.rules[0].obligations");
			big_diag_is(g, 1, CC_ERROR, 1, 1477897, "duplicate yaml key \"k99999\" at ");
		} else {
			assert_int_equal(g->diags.n, 4); /* each with its "first written here" */
			big_diag_is(g, 0, CC_ERROR, 1, 1477817, "duplicate key 'k7' in this object");
			big_diag_is(g, 1, CC_NOTE, 1, 86, "first written here");
			big_diag_is(g, 2, CC_ERROR, 1, 1477825, "duplicate key 'k99999' in this object");
			big_diag_is(g, 3, CC_NOTE, 1, 1477802, "first written here");
		}
		big_free(g);
	}
	/* --compat: JSON keeps the last value of a repeated key, in the place
	 * of the first one, as encoding/json does */
	big_obligations(&text, "json", 1);
	g = load_big("big.json", &text, 1u << CC_W_strict);
	assert_int_equal(g->rc, 0);
	assert_int_equal(g->diags.n, 2);
	assert_int_equal(g->diags.d[0].sev, CC_WARNING);
	assert_int_equal(g->b.rules[0].obligations.n, BIG);
	assert_string_equal(member(&g->b.rules[0].obligations, "k7")->value.text, "-1");
	assert_ptr_equal(member(&g->b.rules[0].obligations, "k7"), &g->b.rules[0].obligations.members[7]);
	assert_string_equal(member(&g->b.rules[0].obligations, "k99999")->value.text, "-2");
	big_free(g);
}

/* YAML merge keys over many maps and many anchors: the mapping's own keys
 * win, then each merged map in order; an anchor means its latest definition. */
static void test_large_merges_and_anchors(void **state)
{
	const struct cc_value *o, *v;
	struct rt_buf text;
	char item[96];
	struct big *g;
	int i, j;

	(void)state;
	rt_buf_init(&text);
	rt_buf_puts(&text, RULE_YAML "      defs:\n");
	for (j = 0; j < 100; j++) { /* map j: keys j .. j+999, value "mJ" */
		snprintf(item, sizeof item, "        - &m%d {", j);
		rt_buf_puts(&text, item);
		for (i = 0; i < 1000; i++) {
			snprintf(item, sizeof item, "%sk%d: m%d", i ? ", " : "", j + i, j);
			rt_buf_puts(&text, item);
		}
		rt_buf_puts(&text, "}\n");
	}
	rt_buf_puts(&text, "      merged:\n        k500: own\n        <<: [");
	for (j = 0; j < 100; j++) {
		snprintf(item, sizeof item, "%s*m%d", j ? ", " : "", j);
		rt_buf_puts(&text, item);
	}
	rt_buf_puts(&text, "]\n      scalars: [");
	for (i = 0; i < BIG / 2; i++) { /* every anchor twice: the second wins */
		snprintf(item, sizeof item, "%s&a%d first%d, &a%d second%d", i ? ", " : "", i, i, i, i);
		rt_buf_puts(&text, item);
	}
	rt_buf_puts(&text, "]\n      uses: [");
	for (i = 0; i < BIG / 2; i++) {
		snprintf(item, sizeof item, "%s*a%d", i ? ", " : "", i);
		rt_buf_puts(&text, item);
	}
	rt_buf_puts(&text, "]\n");
	g = load_big("merges.yaml", &text, 0);
	if (g->rc)
		fail_msg("merges.yaml: %s", g->diags.d[0].msg);
	o = &member(&g->b.rules[0].obligations, "merged")->value;
	assert_int_equal(o->n, 1099); /* k0 .. k1098 */
	assert_string_equal(o->members[0].key.s, "k500");
	assert_string_equal(o->members[0].value.text, "own");
	assert_string_equal(member(o, "k0")->value.text, "m0");
	assert_string_equal(member(o, "k999")->value.text, "m0");
	assert_string_equal(member(o, "k1000")->value.text, "m1");
	assert_string_equal(member(o, "k1098")->value.text, "m99");
	v = &member(&g->b.rules[0].obligations, "uses")->value;
	assert_int_equal(v->n, BIG / 2);
	assert_string_equal(v->items[0].text, "second0");
	assert_string_equal(v->items[BIG / 2 - 1].text, "second49999");
	big_free(g);
}

static void load_bomb(const char *name, struct rt_buf *text)
{
	struct big *g = load_big(name, text, 0);

	assert_int_not_equal(g->rc, 0);
	if (!strstr(g->diags.d[0].msg, "YAML aliases expand to more than 1000000"))
		fail_msg("%s: %s", name, g->diags.d[0].msg);
	big_free(g);
}

/* Merge keys that merge aliases of merged maps grow exponentially; past the
 * expansion limit nothing more is merged (this took 10^9 steps). */
static void test_merge_bomb(void **state)
{
	struct rt_buf text, inner;
	char item[32];
	int i;

	(void)state;
	rt_buf_init(&inner);
	rt_buf_puts(&inner, "{k: 1}");
	for (i = 0; i < 10; i++) {
		struct rt_buf next;
		int j;

		rt_buf_init(&next);
		snprintf(item, sizeof item, "{<<: [&a%d ", i);
		rt_buf_puts(&next, item);
		rt_buf_put(&next, inner.data, inner.len);
		for (j = 0; j < 9; j++) {
			snprintf(item, sizeof item, ", *a%d", i);
			rt_buf_puts(&next, item);
		}
		rt_buf_puts(&next, "]}");
		rt_buf_free(&inner);
		inner = next;
	}
	rt_buf_init(&text);
	rt_buf_puts(&text, RULE_YAML "      use: ");
	rt_buf_put(&text, inner.data, inner.len);
	rt_buf_puts(&text, "\n");
	rt_buf_free(&inner);
	load_bomb("bomb.yaml", &text);

	/* one big map merged, and one big argv pattern used, through many
	 * aliases: each was read again for every alias past the limit */
	rt_buf_init(&text);
	rt_buf_puts(&text, RULE_YAML "      m: &m {");
	for (i = 0; i < BIG / 5; i++) {
		snprintf(item, sizeof item, "%sk%d: 1", i ? ", " : "", i);
		rt_buf_puts(&text, item);
	}
	rt_buf_puts(&text, "}\n      o: {<<: [");
	for (i = 0; i < BIG / 5; i++)
		rt_buf_puts(&text, i ? ", *m" : "*m");
	rt_buf_puts(&text, "]}\n");
	load_bomb("merge-wide.yaml", &text);
	rt_buf_init(&text);
	rt_buf_puts(&text, "version: v1\nrules:\n  - id: r\n    action_type: process.exec\n"
			   "    resource: file://x\n    decision: ALLOW\n    exec_match:\n"
			   "      argv_patterns: [&p [a");
	for (i = 1; i < BIG / 5; i++)
		rt_buf_puts(&text, ", a");
	rt_buf_puts(&text, "]");
	for (i = 0; i < BIG / 5; i++)
		rt_buf_puts(&text, ", *p");
	rt_buf_puts(&text, "]\n");
	load_bomb("argv-wide.yaml", &text);
}

/* The map behind those look-ups: scopes apart, clearing, growth. */
static void test_strmap(void **state)
{
	struct cc_arena a;
	struct cc_strmap m;
	char *names;
	size_t i, *v;
	int added;

	(void)state;
	cc_arena_init(&a);
	cc_strmap_init(&m, &a);
	names = cc_arena_array(&a, 10000, 8);
	assert_non_null(names);
	assert_null(cc_strmap_get(&m, 0, "", 0));
	for (i = 0; i < 10000; i++) {
		snprintf(names + 8 * i, 8, "k%zu", i);
		v = cc_strmap_put(&m, 1, names + 8 * i, strlen(names + 8 * i), &added);
		assert_non_null(v);
		assert_int_equal(added, 1);
		*v = i;
	}
	assert_non_null(v = cc_strmap_put(&m, 2, "k7", 2, &added));
	assert_int_equal(added, 1); /* another scope */
	*v = 70000;
	assert_non_null(v = cc_strmap_put(&m, 1, "k7", 2, &added));
	assert_int_equal(added, 0);
	assert_int_equal(*v, 7);
	assert_int_equal(*cc_strmap_get(&m, 1, "k9999", 5), 9999);
	assert_int_equal(*cc_strmap_get(&m, 2, "k7", 2), 70000);
	assert_null(cc_strmap_get(&m, 2, "k8", 2));
	assert_null(cc_strmap_get(&m, 1, "k10000", 6));
	cc_strmap_clear(&m);
	assert_null(cc_strmap_get(&m, 1, "k7", 2));
	assert_non_null(v = cc_strmap_put(&m, 1, "", 0, &added));
	assert_int_equal(added, 1);
	assert_int_equal(*v, 0);
	/* the generation counter wraps to the first one's number: its slots
	 * (k0 .. k9999) must not come back */
	m.gen = ~0u;
	assert_non_null(cc_strmap_put(&m, 1, "x", 1, &added));
	cc_strmap_clear(&m);
	assert_int_equal(m.gen, 1);
	assert_non_null(cc_strmap_put(&m, 1, "y", 1, &added));
	assert_null(cc_strmap_get(&m, 1, "x", 1));
	assert_null(cc_strmap_get(&m, 1, "k7", 2));
	assert_non_null(cc_strmap_get(&m, 1, "y", 1));
	cc_arena_free(&a);
}

/* 50,000 rules with one id: every repeat reported, with its note, in order. */
static void test_large_rule_ids(void **state)
{
	struct rt_buf text;
	char item[128];
	struct big *g;
	int i;

	(void)state;
	rt_buf_init(&text);
	rt_buf_puts(&text, "version: v1\nrules:\n");
	for (i = 0; i < BIG / 2; i++) {
		snprintf(item, sizeof item,
			 "  - id: %s\n    action_type: fs.read\n    resource: file://x%d\n"
			 "    decision: ALLOW\n", i % 2 ? "same" : "other", i);
		rt_buf_puts(&text, item);
	}
	g = load_big("ids.yaml", &text, 0);
	assert_int_equal(g->diags.errors, BIG / 2 - 2);
	assert_int_equal(g->diags.n, 2 * (BIG / 2 - 2));
	big_diag_is(g, 0, CC_ERROR, 11, 9, "duplicate rule id \"other\"");
	big_diag_is(g, 1, CC_NOTE, 3, 9, "first defined here");
	big_diag_is(g, 2, CC_ERROR, 15, 9, "duplicate rule id \"same\"");
	big_diag_is(g, 3, CC_NOTE, 7, 9, "first defined here");
	big_free(g);
}

/* The line a caret goes under: found through the index, the same as by a
 * scan; a long line is shown around the caret only. */
static void test_render_lines(void **state)
{
	struct cc_arena a;
	struct cc_src indexed = { .path = "t.json" }, plain;
	struct cc_diagnostic d;
	struct rt_buf text, r1, r2;
	const char *l1, *l2;
	size_t n1, n2, i;
	uint32_t line;

	(void)state;
	cc_arena_init(&a);
	rt_buf_init(&text);
	for (i = 0; i < 1000; i++)
		rt_buf_puts(&text, i % 3 ? "{\"a\": 1}\r\n" : i % 5 ? "\n" : "x");
	rt_buf_cstr(&text);
	indexed.text = text.data;
	indexed.len = text.len;
	plain = indexed;
	indexed.lines = cc_lines_index(&a, text.data, text.len, &indexed.n_lines);
	assert_non_null(indexed.lines);
	for (line = 0; line < indexed.n_lines + 2; line++) {
		l1 = cc_src_line(&indexed, line, &n1);
		l2 = cc_src_line(&plain, line, &n2);
		assert_ptr_equal(l1, l2);
		if (l1)
			assert_int_equal(n1, n2);
	}
	memset(&d, 0, sizeof d);
	d.severity = CC_ERROR;
	d.group = CC_W_syntax;
	snprintf(d.message, sizeof d.message, "m");
	d.pos = (struct cc_pos){ &indexed, 668, 3, 2 };
	rt_buf_init(&r1);
	rt_buf_init(&r2);
	assert_int_equal(cc_diag_render(&d, &r1, 0), 0);
	d.pos.src = &plain;
	assert_int_equal(cc_diag_render(&d, &r2, 0), 0);
	rt_buf_cstr(&r1);
	rt_buf_cstr(&r2);
	assert_string_equal(r1.data, r2.data);
	assert_string_equal(r1.data, "t.json:668:3: error: m [-Wsyntax]\n"
				     "  668 | {\"a\": 1}\n"
				     "      |   ^~\n");
	/* a 2,000-byte line: 160 bytes either side of the caret */
	rt_buf_reset(&text);
	for (i = 0; i < 2000; i++)
		rt_buf_putc(&text, (char)('a' + i % 26));
	rt_buf_cstr(&text);
	plain.text = text.data;
	plain.len = text.len;
	d.pos = (struct cc_pos){ &plain, 1, 1001, 3 };
	rt_buf_reset(&r1);
	assert_int_equal(cc_diag_render(&d, &r1, 0), 0);
	rt_buf_cstr(&r1);
	rt_buf_reset(&r2);
	rt_buf_puts(&r2, "t.json:1:1001: error: m [-Wsyntax]\n    1 | ...");
	rt_buf_put(&r2, text.data + 840, 320);
	rt_buf_puts(&r2, "...\n      |    ");
	for (i = 0; i < 160; i++)
		rt_buf_putc(&r2, ' ');
	rt_buf_puts(&r2, "^~~\n");
	rt_buf_cstr(&r2);
	assert_string_equal(r1.data, r2.data);
	rt_buf_free(&text);
	rt_buf_free(&r1);
	rt_buf_free(&r2);
	cc_arena_free(&a);
}

static void test_safe_canonical(void **state)
{
	char *text = slurp(CONF "upstream/policies/safe.yaml");
	char *want = slurp(CONF "safe.canonical.json");
	struct loaded1 *l;

	(void)state;
	l = load(CONF "upstream/policies/safe.yaml", text);
	assert_int_equal(l->load_rc, 0);
	assert_int_equal(l->valid_rc, 0);
	assert_string_equal(l->canon, want);
	assert_int_equal(strlen(want), 1912);
	assert_string_equal(l->b.hash, "7ec7bd2481d8cb07eed2c21c21563a62e6fe6277ae8333d1cbf9c01bd8b0bafb");
	done(l);
	free(text);
	free(want);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_inputs_across(void **state)
{
	const char *twins[] = { CONF "upstream/policies/safe.yaml", CONF "upstream/policies/safe.json" };
	const char *dir[] = { CONF "bundles/../upstream/policies/" };
	char tmp[] = "/tmp/nomos-test-across-XXXXXX", pa[64], pb[64];
	const char *layers[] = { pa, pb };
	struct cc_arena a;
	struct capture cap = { .len = 0 };
	struct cc_diag_sink sink = { .emit = capture_emit, .ctx = &cap };
	struct cc_loaded ld;
	const char **files;
	size_t n;

	(void)state;
	cc_arena_init(&a);
	/* one bundle given twice (safe.yaml and its JSON twin: same hash) is one
	 * error, not one per shared rule id */
	assert_int_equal(cc_load_inputs(&a, &sink, twins, 2, &ld), -1);
	assert_int_equal(cap.n, 2);
	assert_non_null(strstr(cap.text, CONF "upstream/policies/safe.json is the same bundle as " CONF
					 "upstream/policies/safe.yaml (policy_bundle_hash 7ec7bd2481d8...)"));
	assert_null(strstr(cap.text, "duplicate rule id"));
	memset(&cap, 0, sizeof cap);
	twins[1] = twins[0];
	assert_int_equal(cc_load_inputs(&a, &sink, twins, 2, &ld), -1);
	assert_int_equal(cap.n, 2);
	assert_non_null(strstr(cap.text, "safe.yaml is given twice (a layer may appear only once)"));
	/* different bundles sharing ids: each repeat, in load order (they were
	 * once in id order): the first repeat is the first rule of b.yaml */
	assert_non_null(mkdtemp(tmp));
	snprintf(pa, sizeof pa, "%s/a.yaml", tmp);
	snprintf(pb, sizeof pb, "%s/b.yaml", tmp);
	write_file(pa, "version: v1\nrules:\n"
		       "  - {id: r-one, action_type: fs.read, resource: file://w/a, decision: ALLOW}\n"
		       "  - {id: r-two, action_type: fs.read, resource: file://w/b, decision: ALLOW}\n"
		       "  - {id: r-three, action_type: fs.read, resource: file://w/c, decision: DENY}\n");
	write_file(pb, "version: v1\nrules:\n"
		       "  - {id: r-three, action_type: fs.read, resource: file://w/d, decision: DENY}\n"
		       "  - {id: r-four, action_type: fs.read, resource: file://w/e, decision: ALLOW}\n"
		       "  - {id: r-one, action_type: fs.read, resource: file://w/f, decision: ALLOW}\n");
	memset(&cap, 0, sizeof cap);
	assert_int_equal(cc_load_inputs(&a, &sink, layers, 2, &ld), -1);
	unlink(pa);
	unlink(pb);
	rmdir(tmp);
	assert_int_equal(cap.n, 4); /* two errors, each with its note */
	assert_true(strstr(cap.text, "duplicate rule id \"r-three\" across bundles ") == cap.text);
	assert_non_null(strstr(cap.text, "duplicate rule id \"r-one\""));
	assert_null(strstr(cap.text, "is the same bundle"));
	assert_int_equal(cap.line, 3);
	assert_int_equal(cap.col, 10);
	/* directories expand recursively, byte-sorted */
	assert_int_equal(cc_expand_inputs(&a, &sink, dir, 1, &files, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(files[0], CONF "bundles/../upstream/policies/all-fields.example.json");
	assert_string_equal(files[9], CONF "bundles/../upstream/policies/safe.yaml");
	cc_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_float),
		cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_obligation_values),
		cmocka_unit_test(test_yaml_merge),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_json_strict),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_regex_extension),
		cmocka_unit_test(test_merged_hash_vector),
		cmocka_unit_test(test_conformance_hashes),
		cmocka_unit_test(test_safe_canonical),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_inputs_across),
		cmocka_unit_test(test_large_obligations),
		cmocka_unit_test(test_large_merges_and_anchors),
		cmocka_unit_test(test_merge_bomb),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_large_rule_ids),
		cmocka_unit_test(test_render_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
