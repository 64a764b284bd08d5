/* test_normalize.c: cmocka tests of resource normalization (spec §6) against
 * corpus/conformance/normalize.jsonl (exact outputs and messages), the upstream
 * corpus and bypass files, and the upstream corpus digest; plus Go net/url
 * parity cases the corpora do not cover. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "runtime/rt_canon.h"
#include "runtime/rt_normalize.h"

#define CONF "corpus/conformance/"

struct result {
	int ok;
	struct rt_buf out;
	char err[RT_NORMALIZE_ERRMAX];
};

static void norm(struct result *r, const char *type, const char *res, size_t len)
{
	int rc;

	rt_buf_reset(&r->out);
	rc = rt_normalize_resource(type, type ? strlen(type) : 0, res, len, &r->out, r->err,
				   sizeof r->err);
	assert_true(rc == RT_NORMALIZE_OK || rc == RT_NORMALIZE_EINVALID);
	r->ok = rc == RT_NORMALIZE_OK;
	if (r->ok)
		assert_int_equal(rt_buf_cstr(&r->out), 0);
}

/* Calls fn for every JSON object line of a .jsonl file; returns the count. */
static size_t each_line(const char *path, void (*fn)(json_t *, void *), void *arg)
{
	FILE *f = fopen(path, "r");
	char line[65536];
	size_t n = 0;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	while (fgets(line, sizeof line, f)) {
		json_error_t e;
		json_t *o;

		if (line[0] == '\n' || line[0] == '\0')
			continue;
		o = json_loads(line, 0, &e);
		if (!o)
			fail_msg("%s: bad line: %s", path, e.text);
		fn(o, arg);
		json_decref(o);
		n++;
	}
	fclose(f);
	return n;
}

static void check_conformance_line(json_t *o, void *arg)
{
	struct result *r = arg;
	json_t *res = json_object_get(o, "resource"), *at = json_object_get(o, "action_type");
	json_t *want = json_object_get(o, "normalized"), *werr = json_object_get(o, "error");

	norm(r, at ? json_string_value(at) : NULL, json_string_value(res), json_string_length(res));
	if (want) {
		if (!r->ok)
			fail_msg("%s: want %s, got error %s", json_string_value(res),
				 json_string_value(want), r->err);
		assert_int_equal(r->out.len, json_string_length(want));
		assert_memory_equal(r->out.data, json_string_value(want), r->out.len);
	} else {
		if (r->ok)
			fail_msg("%s: want error %s, got %s", json_string_value(res),
				 json_string_value(werr), r->out.data);
		assert_string_equal(r->err, json_string_value(werr));
	}
}

static void test_conformance_normalize(void **state)
{
	struct result r;

	(void)state;
	rt_buf_init(&r.out);
	assert_int_equal(each_line(CONF "normalize.jsonl", check_conformance_line, &r), 71);
	rt_buf_free(&r.out);
}

struct corpus_state {
	struct result r;
	struct rt_buf digest_input;
	size_t valid, rejected;
};

static void check_corpus_line(json_t *o, void *arg)
{
	struct corpus_state *st = arg;
	struct result *r = &st->r;
	const char *name = json_string_value(json_object_get(o, "name"));
	json_t *res = json_object_get(o, "resource");
	json_t *want = json_object_get(o, "normalized"), *contains = json_object_get(o, "error_contains");

	assert_non_null(name);
	norm(r, NULL, json_string_value(res), json_string_length(res));
	rt_buf_puts(&st->digest_input, name);
	if (r->ok) {
		rt_buf_putc(&st->digest_input, '|');
		rt_buf_put(&st->digest_input, r->out.data, r->out.len);
		if (!want)
			fail_msg("%s: accepted as %s, want error containing %s", name, r->out.data,
				 json_string_value(contains));
		assert_int_equal(r->out.len, json_string_length(want));
		assert_memory_equal(r->out.data, json_string_value(want), r->out.len);
		st->valid++;
	} else {
		char lower[RT_NORMALIZE_ERRMAX], want_lower[256];
		const char *w = json_string_value(contains);
		size_t i;

		rt_buf_puts(&st->digest_input, "|ERR|");
		rt_buf_puts(&st->digest_input, r->err);
		if (!contains)
			fail_msg("%s: rejected (%s), want %s", name, r->err, json_string_value(want));
		for (i = 0; r->err[i]; i++)
			lower[i] = (char)(r->err[i] >= 'A' && r->err[i] <= 'Z' ? r->err[i] + 32 : r->err[i]);
		lower[i] = '\0';
		for (i = 0; w && w[i] && i + 1 < sizeof want_lower; i++)
			want_lower[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
		want_lower[i] = '\0';
		if (!strstr(lower, want_lower))
			fail_msg("%s: error %s does not contain %s", name, r->err, json_string_value(contains));
		st->rejected++;
	}
	rt_buf_putc(&st->digest_input, '\n');
}

static void test_upstream_corpus_and_digest(void **state)
{
	struct corpus_state st;
	char hex[65];

	(void)state;
	memset(&st, 0, sizeof st);
	rt_buf_init(&st.r.out);
	rt_buf_init(&st.digest_input);
	assert_int_equal(each_line(CONF "upstream/normalization/corpus.jsonl", check_corpus_line, &st), 260);
	assert_int_equal(each_line(CONF "upstream/normalization/bypass_attempts.jsonl", check_corpus_line,
				   &st), 24);
	assert_int_equal(st.valid, 260);
	assert_int_equal(st.rejected, 24);
	assert_false(st.digest_input.failed);
	rt_sha256_hex(st.digest_input.data, st.digest_input.len, hex);
	assert_string_equal(hex, "c6030b64a6264cf71129d6d29e28119a6c3dee34e45bfde5fb61cd3342530234");
	rt_buf_free(&st.r.out);
	rt_buf_free(&st.digest_input);
}

struct vec {
	const char *type;
	const char *in;
	const char *out; /* NULL: error */
	const char *err; /* exact message when out is NULL */
};

/* Go net/url and Nomos rules beyond the corpora (expected values from Go's
 * documented behaviour, spec §6 and §10). */
static const struct vec extra[] = {
	/* brackets: only an IPv6 literal that starts the host (newer Go) */
	{ NULL, "url://[not-ipv6]/x", NULL,
	  "invalid resource uri: parse \"url://[not-ipv6]/x\": invalid host: ParseAddr(\"not-ipv6\"): unable to parse IP" },
	{ NULL, "url://[example.com]:8080/x", NULL,
	  "invalid resource uri: parse \"url://[example.com]:8080/x\": invalid host: ParseAddr(\"example.com\"): unexpected character (at \"example.com\")" },
	{ NULL, "url://[1.2.3.4]/x", NULL, "invalid resource uri: parse \"url://[1.2.3.4]/x\": invalid IP-literal" },
	{ NULL, "url://a[::1]/x", NULL, "invalid resource uri: parse \"url://a[::1]/x\": invalid IP-literal" },
	{ NULL, "url://[::1/x", NULL, "invalid resource uri: parse \"url://[::1/x\": missing ']' in host" },
	{ NULL, "url://[::ffff:1.2.3.4]/x", "url://[::ffff:1.2.3.4]/x", NULL },
	{ NULL, "url://[1::2::3]/x", NULL,
	  "invalid resource uri: parse \"url://[1::2::3]/x\": invalid host: ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")" },
	{ NULL, "url://[::1]:80/x", "url://[::1]/x", NULL },
	/* ports, hosts, control characters */
	{ NULL, "url://example.com:8a/x", NULL,
	  "invalid resource uri: parse \"url://example.com:8a/x\": invalid port \":8a\" after host" },
	{ NULL, "url://exa mple.com/x", NULL,
	  "invalid resource uri: parse \"url://exa mple.com/x\": invalid character \" \" in host name" },
	{ NULL, "url://ex%41mple.com/x", NULL,
	  "invalid resource uri: parse \"url://ex%41mple.com/x\": invalid URL escape \"%41\"" },
	{ NULL, "url://example.com/a\x01", NULL,
	  "invalid resource uri: parse \"url://example.com/a\\x01\": net/url: invalid control character in URL" },
	{ NULL, "url://example.com/%", NULL, "invalid resource uri: parse \"url://example.com/%\": invalid URL escape \"%\"" },
	{ NULL, "file://workspace/a#%zz", NULL,
	  "invalid resource uri: parse \"file://workspace/a#%zz\": invalid URL escape \"%zz\"" },
	{ NULL, "file://workspace/na\xc3\xafve/%zz", NULL,
	  "invalid resource uri: parse \"file://workspace/na\xc3\xafve/%zz\": invalid URL escape \"%zz\"" },
	{ NULL, "://x", NULL, "invalid resource uri: parse \"://x\": missing protocol scheme" },
	{ NULL, "a:b/c", NULL, "unsupported resource scheme \"a\"" },
	{ NULL, "1a:b/x", NULL, "invalid resource uri: parse \"1a:b/x\": first path segment in URL cannot contain colon" },
	{ NULL, "url://us\xc3\xa9r@example.com/", NULL, "invalid resource uri: parse \"url://us\xc3\xa9r@example.com/\": net/url: invalid userinfo" },
	{ NULL, "HTTPS://example.com/", NULL, "unsupported resource scheme \"https\"" },
	{ NULL, "*", NULL, "unsupported resource scheme \"\"" },
	{ NULL, "", NULL, "resource is required" },
	{ NULL, " \t\xe3\x80\x80", NULL, "resource is required" },
	{ NULL, "\xe2\x80\x83url://example.com/x\xc2\xa0", "url://example.com/x", NULL },
	/* file specifics */
	{ NULL, "file://wor\xe2\x84\xaaspace/a", "file://workspace/a", NULL },
	{ NULL, "FILE://workspace\\a\\b", "file://workspace/a/b", NULL },
	/* stricter than upstream (raw NUL kept): decoded control bytes */
	{ NULL, "file://workspace/.env%00.txt", NULL, "file path encoded control characters are not allowed" },
	{ NULL, "url://example.com/a%0D%0AHost:%20evil", NULL, "url path encoded control characters are not allowed" },
	{ NULL, "url://example.com/a%7f", NULL, "url path encoded control characters are not allowed" },
	{ "payments.refund", "pay://shop/a%09b", NULL, "custom resource path encoded control characters are not allowed" },
	{ NULL, "repo://org/a%00", NULL, "repo name encoded control characters are not allowed" },
	{ NULL, "secret://vault/k%0a", NULL, "secret name encoded control characters are not allowed" },
	{ NULL, "file://workspace/a%20b%7E", "file://workspace/a b~", NULL },
	{ NULL, "file://workspace/a?", "file://workspace/a", NULL },
	{ NULL, "file://host\x7f/a", NULL, "invalid resource uri: parse \"file://host\\x7f/a\": net/url: invalid control character in URL" },
	{ NULL, "file://Tmp\xc3\xa9/a", NULL, "unsupported file host \"Tmp\xc3\xa9\"" },
	{ NULL, "file://a%C2%A0b/x", NULL, "unsupported file host \"a\\u00a0b\"" },
	/* url path */
	{ NULL, "url://example.com/a%2Fb", NULL, "url path encoded separators are not allowed" },
	{ NULL, "url://example.com/%2E%2E", NULL, "url path traversal detected" },
	{ NULL, "url://example.com/a%20b/", "url://example.com/a b", NULL },
	{ NULL, "url://example.com:443", "url://example.com/", NULL },
	{ NULL, "url://a]b/x", "url://a]b/x", NULL },
	{ NULL, "url://b\xc3\xbc" "cher.example/", NULL, "url host must be ASCII (use punycode)" },
	/* stricter than upstream: double-encoded separators, backslashes in names */
	{ NULL, "url://example.com/public%252f..%252fadmin", NULL, "url path encoded separators are not allowed" },
	{ NULL, "file://workspace/a%255Cb", NULL, "file path encoded separators are not allowed" },
	{ "payments.refund", "pay://shop/a%252Fb", NULL, "custom resource path encoded separators are not allowed" },
	{ NULL, "repo://org/a%5cb", NULL, "repo path must be single segment" },
	{ NULL, "secret://vault/a%252fb", NULL, "secret path must be single segment" },
	{ NULL, "url://example.com/a%2525b", "url://example.com/a%25b", NULL },
	/* repo / secret */
	{ NULL, "repo://org/%2e%2e", "repo://org/..", NULL },
	{ NULL, "repo://org/a%2Fb", NULL, "repo path must be single segment" },
	{ NULL, "secret://Vault/%C3%84", NULL, "secret name must be ASCII" },
	/* custom */
	{ "payments.refund", "Payment://Shop:8080/a//b/", "payment://shop:8080/a/b", NULL },
	{ "payments.refund", "payment://shop/a\\b", NULL, "custom resource path encoded separators are not allowed" },
	{ "payments.refund", "payment://shop/x?", "payment://shop/x", NULL },
	{ "payments.refund", "payment://shop/x#", "payment://shop/x", NULL },
	{ "payments.refund", "payment:opaque", NULL, "invalid custom resource host: url host is required" },
	{ "payments.refund", "payment://[::1]:99/x", "payment://[::1]:99/x", NULL },
	{ "payments.refund", "payment://a:b:c/x", NULL, "invalid resource uri: parse \"payment://a:b:c/x\": invalid port \":c\" after host" },
	{ "payments.refund", "payment://a:1:2/x", NULL, "invalid custom resource host: invalid url host" },
	{ "payments.refund", "url://example.com/a/../b", NULL, "url path traversal detected" },
	{ "mcp.call", "mcp://srv/tools/%2e", NULL, "url path traversal detected" },
	{ "fs.read", "payment://shop/x", NULL, "unsupported resource scheme \"payment\"" },
};

static void test_go_parity_cases(void **state)
{
	struct result r;
	size_t i;

	(void)state;
	rt_buf_init(&r.out);
	for (i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		const struct vec *v = &extra[i];

		norm(&r, v->type, v->in, strlen(v->in));
		if (v->out) {
			size_t wl = strcmp(v->in, "file://workspace/a%00b") == 0 ? 20 : strlen(v->out);

			if (!r.ok)
				fail_msg("[%zu] %s: want %s, got error %s", i, v->in, v->out, r.err);
			assert_int_equal(r.out.len, wl);
			assert_memory_equal(r.out.data, v->out, wl);
		} else {
			if (r.ok)
				fail_msg("[%zu] %s: want error %s, got %s", i, v->in, v->err, r.out.data);
			if (strcmp(r.err, v->err) != 0)
				fail_msg("[%zu] %s:\n got  %s\n want %s", i, v->in, r.err, v->err);
		}
	}
	rt_buf_free(&r.out);
}

/* The output buffer is appended to, not overwritten; errors leave it as it was. */
static void test_appends_to_buffer(void **state)
{
	struct rt_buf b;
	char err[64];

	(void)state;
	rt_buf_init(&b);
	rt_buf_puts(&b, "X");
	assert_int_equal(rt_normalize_resource(NULL, 0, "repo://A/B", 10, &b, err, sizeof err), 0);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.data, "Xrepo://a/b", 11);
	assert_int_equal(rt_normalize_resource(NULL, 0, "ftp://x/", 8, &b, err, sizeof err),
			 RT_NORMALIZE_EINVALID);
	assert_int_equal(b.len, 11);
	assert_string_equal(err, "unsupported resource scheme \"ftp\"");
	/* a short message buffer is cut, still NUL-terminated */
	assert_int_equal(rt_normalize_resource(NULL, 0, "ftp://x/", 8, &b, err, 12),
			 RT_NORMALIZE_EINVALID);
	assert_true(strlen(err) < 12);
	rt_buf_free(&b);
}

static void test_quote_and_trim(void **state)
{
	struct rt_buf b;
	size_t st, n;

	(void)state;
	rt_buf_init(&b);
	assert_int_equal(rt_go_quote(&b, "a\"\\\n\x01\xff\xc3\xa9\xe2\x80\xa8", 11), 0);
	rt_buf_cstr(&b);
	assert_string_equal(b.data, "\"a\\\"\\\\\\n\\x01\\xff\xc3\xa9\\u2028\"");
	rt_buf_free(&b);
	n = rt_go_trim_space("\xc2\x85 x y\xe2\x80\x8a", 9, &st);
	assert_int_equal(st, 3);
	assert_int_equal(n, 3);
	n = rt_go_trim_space("\xff x", 3, &st);
	assert_int_equal(st, 0);
	assert_int_equal(n, 3);
	assert_true(rt_action_type_is_builtin("fs.read", 7));
	assert_false(rt_action_type_is_builtin("fs.read ", 8));
	assert_false(rt_action_type_is_builtin("mcp.call", 8));
}

/* The fast path for plain resources against the full rendition: random
 * resources built from the bytes and pieces where the two could part (dots,
 * slashes, escapes, case, ports, userinfo, query, backslashes, spaces,
 * multi-byte UTF-8), under prefixes the fast path takes and ones it must not.
 * Same output, or the same error, every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void test_fast_path_matches_full(void **state)
{
	static const char *const heads[] = {
		"file://workspace", "file://", "file:///", "file://Workspace", "FILE://workspace",
		"file://workspace.", "file://work", "url://", "url://a", "url://api.example.com",
		"url://Api.example.com", "url://h:443", "url://h:8080", "url://u@h", "url://a..b",
		"url://-", "repo://", "  file://workspace", "url://h\\", "",
	};
	static const char *const pieces[] = {
		"/", "/", "/", "a", "Z", "0", ".", "..", "-", "_", "~", "%2e", "%2F", "%41", "%zz",
		"\\", ":", "?", "#", " ", "\xc3\xa9", "@", "+", "\t", ".env", "src",
	};
	struct rt_buf fast, full;
	char res[256], e1[RT_NORMALIZE_ERRMAX], e2[RT_NORMALIZE_ERRMAX];
	size_t i, len, k, taken = 0;
	int r1, r2;

	(void)state;
	rt_buf_init(&fast);
	rt_buf_init(&full);
	for (i = 0; i < 400000; i++) {
		const char *h = heads[rnd(sizeof heads / sizeof heads[0])];

		len = (size_t)snprintf(res, sizeof res, "%s", h);
		for (k = rnd(9); k > 0 && len < sizeof res - 8; k--)
			len += (size_t)snprintf(res + len, sizeof res - len, "%s",
						pieces[rnd(sizeof pieces / sizeof pieces[0])]);
		rt_buf_reset(&fast);
		rt_buf_reset(&full);
		r1 = rt_normalize_resource(i % 3 ? "fs.read" : "payments.refund", i % 3 ? 7 : 15, res,
					   len, &fast, e1, sizeof e1);
		r2 = rt_normalize_resource_full(i % 3 ? "fs.read" : "payments.refund", i % 3 ? 7 : 15,
						res, len, &full, e2, sizeof e2);
		if (r1 != r2 || (r1 == 0 && (fast.len != full.len ||
					     memcmp(fast.data, full.data, fast.len))) ||
		    (r1 != 0 && strcmp(e1, e2)))
			fail_msg("fast path differs on \"%s\": %d \"%.*s\" / %d \"%.*s\"", res, r1,
				 r1 ? (int)strlen(e1) : (int)fast.len, r1 ? e1 : fast.data, r2,
				 r2 ? (int)strlen(e2) : (int)full.len, r2 ? e2 : full.data);
		taken += r1 == 0;
	}
	/* the comparison must exercise both outcomes */
	assert_true(taken > 10000 && taken < 390000);
	rt_buf_free(&fast);
	rt_buf_free(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_normalize),
		cmocka_unit_test(test_upstream_corpus_and_digest),
		cmocka_unit_test(test_go_parity_cases),
		cmocka_unit_test(test_appends_to_buffer),
		cmocka_unit_test(test_quote_and_trim),
		cmocka_unit_test(test_fast_path_matches_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
