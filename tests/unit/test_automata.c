/* test_automata.c: cmocka tests of the glob/regex/argv automata: the 72
 * conformance vectors, the regex subset and its error positions, argv
 * patterns, deterministic splitting, the NFA fallback, the blob verifiers on
 * corrupted input, and a 1,000,000-pair differential test against the
 * reference matchers of tests/support/ref_match.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/cc_automata.h"
#include "tests/support/ref_match.h"
#include "vm/vm_argv.h"
#include "vm/vm_dfa.h"

#define MAXP 512

/* vm_dfa_match of a verified blob, checked against the plain walk of the
 * reference (no prefix compare, no accelerated scans): same ids. */
static uint32_t match_checked(const uint8_t *blob, const char *v, size_t n, const uint8_t **ids)
{
	const uint8_t *rids;
	uint32_t k = vm_dfa_match(blob, (const uint8_t *)v, n, ids);
	uint32_t rk = ref_dfa_walk(blob, (const uint8_t *)v, n, &rids);

	if (k != rk || (k && memcmp(*ids, rids, 4 * (size_t)k) != 0))
		fail_msg("runner and plain walk disagree on '%.*s': %u ids vs %u", (int)n, v,
			 (unsigned)k, (unsigned)rk);
	return k;
}

/* Runs every automaton of set over v; hit[id] = 1 for each id reported. */
static void run_set(const struct cc_automata *set, const char *v, size_t n, unsigned char *hit,
		    size_t nid)
{
	size_t i, j;

	memset(hit, 0, nid);
	for (i = 0; i < set->n; i++) {
		const uint8_t *ids;
		uint32_t k = match_checked(set->items[i].blob, v, n, &ids);

		for (j = 0; j < k; j++) {
			uint32_t id = vm_dfa_rd32(ids + 4 * j);

			assert_true(id < nid);
			hit[id] = 1;
		}
	}
}

static void build_ok(struct cc_arena *a, const struct cc_pattern *p, size_t n,
		     const struct cc_automata_limits *lim, struct cc_automata *set, uint32_t nid)
{
	struct cc_automata_error err;
	size_t i;
	int rc = cc_automata_build(a, p, n, lim, set, &err);

	if (rc != 0)
		fail_msg("build failed: pattern %zu offset %zu: %s", err.pattern, err.offset, err.msg);
	for (i = 0; i < set->n; i++) {
		const char *why = NULL;

		if (vm_dfa_verify(set->items[i].blob, set->items[i].len, nid, &why) != 0)
			fail_msg("automaton %zu does not verify: %s", i, why);
	}
}

static int glob1(const char *pat, const char *val)
{
	struct cc_arena a;
	struct cc_automata set;
	struct cc_pattern p = {pat, strlen(pat), CC_MATCH_GLOB, 0};
	unsigned char hit[1];

	cc_arena_init(&a);
	build_ok(&a, &p, 1, NULL, &set, 1);
	run_set(&set, val, strlen(val), hit, 1);
	cc_arena_free(&a);
	return hit[0];
}

static void test_glob_vectors(void **state)
{
	FILE *f = fopen("corpus/conformance/glob_match.jsonl", "r");
	char line[4096];
	struct cc_pattern pats[128];
	char *ptexts[128];
	char *vals[128];
	int want[128];
	size_t n = 0, i;
	struct cc_arena a;
	struct cc_automata set;
	unsigned char hit[128];

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		const char *p, *v;

		assert_non_null(o);
		assert_true(n < 128);
		p = json_string_value(json_object_get(o, "pattern"));
		v = json_string_value(json_object_get(o, "value"));
		assert_non_null(p);
		assert_non_null(v);
		ptexts[n] = strdup(p);
		pats[n].text = ptexts[n];
		pats[n].len = strlen(p);
		pats[n].kind = CC_MATCH_GLOB;
		pats[n].id = (uint32_t)n;
		vals[n] = strdup(v);
		want[n] = json_is_true(json_object_get(o, "match"));
		/* Each vector alone, and the reference agrees too. */
		if (glob1(p, v) != want[n])
			fail_msg("vector %zu: pattern '%s' value '%s' want %d", n, p, v, want[n]);
		assert_int_equal(ref_glob_match(p, strlen(p), v, strlen(v)) == 1, want[n]);
		json_decref(o);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 72);
	/* All 72 patterns in one set: every vector's own id decides. */
	cc_arena_init(&a);
	build_ok(&a, pats, n, NULL, &set, (uint32_t)n);
	for (i = 0; i < n; i++) {
		run_set(&set, vals[i], strlen(vals[i]), hit, n);
		assert_int_equal(hit[i], want[i]);
	}
	cc_arena_free(&a);
	for (i = 0; i < n; i++) {
		free(ptexts[i]);
		free(vals[i]);
	}
}

static void test_glob_edges(void **state)
{
	(void)state;
	assert_true(glob1("**", ""));
	assert_true(glob1("**", "a/b/c"));
	assert_true(glob1("", ""));
	assert_false(glob1("", "a"));
	assert_true(glob1("*", ""));
	assert_false(glob1("*", "a/b"));
	assert_true(glob1("a/**/**/b", "a/b"));
	assert_true(glob1("a/**/b/**/c", "a/x/b/y/z/c"));
	assert_false(glob1("a/**/b/**/c", "a/x/c"));
	assert_true(glob1("a**b", "ab"));
	assert_true(glob1("a**b", "axxb"));
	assert_false(glob1("a**b", "a/b"));
	assert_true(glob1("?", "\xc3"));
	assert_false(glob1("?", "\xc3\xa9"));
	assert_true(glob1("??", "\xc3\xa9"));
	assert_true(glob1("[a]{b}!", "[a]{b}!"));
	assert_false(glob1("*", "a\\b"));
	assert_false(glob1("**", "\\"));
	assert_false(glob1("a\\b", "a\\b"));
	assert_true(glob1("file:/**", "file://workspace/a"));
}

static int re1(const char *re, const char *val, size_t vlen)
{
	struct cc_arena a;
	struct cc_automata set;
	struct cc_pattern p = {re, strlen(re), CC_MATCH_REGEX, 0};
	unsigned char hit[1];

	cc_arena_init(&a);
	build_ok(&a, &p, 1, NULL, &set, 1);
	run_set(&set, val, vlen, hit, 1);
	cc_arena_free(&a);
	return hit[0];
}

#define RE(re, v, want) assert_int_equal(re1(re, v, strlen(v)), want)

static void test_regex(void **state)
{
	(void)state;
	RE("abc", "abc", 1);
	RE("abc", "abcd", 0);
	RE("abc", "xabc", 0);
	RE("^abc$", "abc", 1);
	RE("a.c", "a/c", 1);
	RE("a.c", "a\nc", 0);
	RE("[a-c]+", "abccba", 1);
	RE("[a-c]+", "abd", 0);
	RE("[^a-c]x", "dx", 1);
	RE("[^a-c]x", "ax", 0);
	RE("[]a]", "]", 1);
	RE("[a-]", "-", 1);
	RE("a|b|", "", 1);
	RE("a|b|", "b", 1);
	RE("(ab|cd)*e", "abcdabe", 1);
	RE("(?:ab)+", "abab", 1);
	RE("(?:ab)+", "", 0);
	RE("a{2,3}", "a", 0);
	RE("a{2,3}", "aa", 1);
	RE("a{2,3}", "aaa", 1);
	RE("a{2,3}", "aaaa", 0);
	RE("a{2}", "aa", 1);
	RE("a{2,}", "aaaaaaa", 1);
	RE("a{0}b", "b", 1);
	RE("\\d+\\.\\d+", "12.5", 1);
	RE("\\w+", "ab_9", 1);
	RE("\\W", "-", 1);
	RE("\\s", "\t", 1);
	RE("\\x2f", "/", 1);
	RE("\\*\\?", "*?", 1);
	RE("a*?b", "aab", 1);
	RE("\xc3\xa9+", "\xc3\xa9\xc3\xa9", 1);
	RE("\xc3\xa9+", "\xc3\xa9\xa9", 0);
	RE("url://[a-z]+\\.example\\.com/.*", "url://api.example.com/v1/x", 1);
	RE("url://[a-z]+\\.example\\.com/.*", "url://api.evil.com/v1/x", 0);
	RE("(a|b)*a(a|b){12}", "abababababababab", 0);
	RE("(a|b)*a(a|b){12}", "baaaaaaaaaaaaa", 1);
	RE("", "", 1);
	RE("()", "", 1);
	RE("a\\\\b", "a\\b", 1);
	assert_int_equal(re1("a.b", "a\0b", 3), 1);
}

static void re_err(const char *re, size_t off)
{
	char msg[160];
	size_t at = 9999;

	if (cc_regex_check(re, strlen(re), &at, msg, sizeof msg) == 0)
		fail_msg("regex '%s' accepted", re);
	if (at != off)
		fail_msg("regex '%s': error at %zu (%s), want %zu", re, at, msg, off);
	assert_true(msg[0] != '\0');
}

static void test_regex_errors(void **state)
{
	char msg[160];
	size_t at;

	(void)state;
	assert_int_equal(cc_regex_check("a(b|c)*[d-f]{1,3}", 17, &at, msg, sizeof msg), 0);
	re_err("ab(c", 2);
	re_err("abc)", 3);
	re_err("*a", 0);
	re_err("a**", 2);
	re_err("a{2", 1);
	re_err("a{3,2}", 1);
	re_err("a{1001}", 1);
	re_err("[abc", 0);
	re_err("x[z-a]", 2);
	re_err("(?i)abc", 0);
	re_err("(?P<n>a)", 0);
	re_err("ab\\", 2);
	re_err("a\\q", 1);
	re_err("a\\1", 1);
	re_err("a^b", 1);
	re_err("a$b", 1);
	re_err("[[:alpha:]]", 1);
	re_err("[\xc3\xa9]", 1);
	re_err("{", 0);
	re_err("a\\xZZ", 1);
	/* Hard size limit: a clear error, not a blow-up. */
	{
		struct cc_arena a;
		struct cc_automata set;
		struct cc_automata_error err;
		struct cc_pattern p = {"((a{1000}){1000}){1000}", 23, CC_MATCH_REGEX, 0};

		cc_arena_init(&a);
		assert_int_equal(cc_automata_build(&a, &p, 1, NULL, &set, &err), -1);
		assert_non_null(strstr(err.msg, "too large"));
		cc_arena_free(&a);
	}
}

static int argv1(const char *const *pat, size_t np, const char *const *argv, size_t na,
		 const int *regex)
{
	struct cc_arena a;
	struct cc_argv_token toks[16];
	struct vm_bytes av[16];
	struct cc_automata_error err;
	uint8_t *blob;
	size_t len, i;
	const char *why;
	int r;

	cc_arena_init(&a);
	memset(toks, 0, sizeof toks);
	for (i = 0; i < np; i++) {
		toks[i].text.s = pat[i];
		toks[i].text.len = strlen(pat[i]);
		toks[i].kind = regex && regex[i] ? CC_MATCH_REGEX : CC_MATCH_GLOB;
	}
	for (i = 0; i < na; i++) {
		av[i].p = (const uint8_t *)argv[i];
		av[i].n = strlen(argv[i]);
	}
	assert_int_equal(cc_argv_blob(&a, toks, np, &blob, &len, &err), 0);
	if (vm_argv_verify(blob, len, &why) != 0)
		fail_msg("argv blob does not verify: %s", why);
	r = vm_argv_match(blob, len, av, na);
	cc_arena_free(&a);
	return r;
}

#define ARGV(P, A, want)                                                                   \
	do {                                                                               \
		const char *p_[] = P, *a_[] = A;                                           \
		size_t np_ = sizeof p_ / sizeof *p_, na_ = sizeof a_ / sizeof *a_;         \
		size_t l_[16], i_;                                                         \
		for (i_ = 0; i_ < na_; i_++)                                               \
			l_[i_] = strlen(a_[i_]);                                           \
		assert_int_equal(argv1(p_, np_, a_, na_, NULL), want);                     \
		assert_int_equal(ref_argv_match(p_, np_, a_, l_, na_), want);              \
	} while (0)
#define L(...) {__VA_ARGS__}

static void test_argv(void **state)
{
	(void)state;
	ARGV(L("git", "**"), L("git", "status"), 1);
	ARGV(L("git", "**"), L("git"), 1);
	ARGV(L("git", "push", "**", "main"), L("git", "push", "origin", "main"), 1);
	ARGV(L("git", "push", "**", "main"), L("git", "push", "origin", "dev"), 0);
	ARGV(L("x", "*", "*"), L("x", "", "2"), 1);
	ARGV(L("x", "*", "*"), L("x", "1"), 0);
	ARGV(L("git*"), L("git"), 0);
	ARGV(L("git*"), L("git*"), 1);
	ARGV(L("**", "rm", "**"), L("sudo", "rm", "-rf", "/"), 1);
	ARGV(L("**", "**", "a"), L("b"), 0);
	ARGV(L("**"), L("a", "b", "c"), 1);
	{
		const char *p[] = {"git", "[a-z]+", "**"}, *a1[] = {"git", "push", "x"};
		const char *a2[] = {"git", "Push"};
		int rx[] = {0, 1, 0};

		assert_int_equal(argv1(p, 3, a1, 3, rx), 1);
		assert_int_equal(argv1(p, 3, a2, 2, rx), 0);
	}
	{
		struct cc_arena a;
		struct cc_argv_token t = {{"a(b", 3, {0}}, CC_MATCH_REGEX};
		struct cc_automata_error err;
		uint8_t *blob;
		size_t len;

		cc_arena_init(&a);
		assert_int_equal(cc_argv_blob(&a, &t, 1, &blob, &len, &err), -1);
		assert_int_equal(err.pattern, 0);
		assert_int_equal(err.offset, 1);
		cc_arena_free(&a);
	}
}

/* ---- random generation --------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* Random glob: segments of a, b, *, ?, the two bytes of U+00E9, "**" segments
 * and empty segments; rarely a backslash. */
static size_t rand_glob(char *out, size_t cap)
{
	size_t n = 0, segs = 1 + rnd(5), s, k, len;

	for (s = 0; s < segs && n + 12 < cap; s++) {
		if (s)
			out[n++] = '/';
		if (rnd(4) == 0) {
			out[n++] = '*';
			out[n++] = '*';
			continue;
		}
		len = rnd(5);
		for (k = 0; k < len && n + 4 < cap; k++) {
			switch (rnd(10)) {
			case 0: case 1: out[n++] = 'a'; break;
			case 2: out[n++] = 'b'; break;
			case 3: case 4: out[n++] = '*'; break;
			case 5: case 6: out[n++] = '?'; break;
			case 7: out[n++] = '\xc3'; out[n++] = '\xa9'; break;
			case 8: out[n++] = '.'; break;
			default: out[n++] = rnd(40) == 0 ? '\\' : 'a'; break;
			}
		}
	}
	return n;
}

static size_t rand_value(char *out, size_t cap)
{
	size_t n = 0, len = rnd(14), k;

	for (k = 0; k < len && n + 3 < cap; k++) {
		switch (rnd(9)) {
		case 0: case 1: case 2: out[n++] = 'a'; break;
		case 3: out[n++] = 'b'; break;
		case 4: case 5: out[n++] = '/'; break;
		case 6: out[n++] = '\xc3'; out[n++] = '\xa9'; break;
		case 7: out[n++] = '.'; break;
		default: out[n++] = rnd(30) == 0 ? '\\' : '\xa9'; break;
		}
	}
	return n;
}

/* Compiles np random globs (with the given limits) and checks nv random values
 * against each; returns the number of pairs compared. */
static size_t diff_batch(size_t np, size_t nv, const struct cc_automata_limits *lim)
{
	static char ptext[MAXP][48];
	struct cc_pattern pats[MAXP];
	struct cc_arena a;
	struct cc_automata set;
	unsigned char hit[MAXP];
	char v[64];
	size_t i, j, vn;

	cc_arena_init(&a);
	for (i = 0; i < np; i++) {
		pats[i].len = rand_glob(ptext[i], sizeof ptext[i]);
		pats[i].text = ptext[i];
		pats[i].kind = CC_MATCH_GLOB;
		pats[i].id = (uint32_t)i;
	}
	build_ok(&a, pats, np, lim, &set, (uint32_t)np);
	for (j = 0; j < nv; j++) {
		vn = rand_value(v, sizeof v);
		run_set(&set, v, vn, hit, np);
		for (i = 0; i < np; i++) {
			int want = ref_glob_match(pats[i].text, pats[i].len, v, vn) == 1;

			if (hit[i] != want)
				fail_msg("disagreement: pattern '%.*s' value '%.*s': automata %d, "
					 "reference %d", (int)pats[i].len, pats[i].text, (int)vn, v,
					 hit[i], want);
		}
	}
	cc_arena_free(&a);
	return np * nv;
}

static void test_differential(void **state)
{
	struct cc_automata_limits tiny;
	size_t pairs = 0, round = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ull;
	cc_automata_default_limits(&tiny);
	tiny.max_states = 24;
	tiny.states_per_byte = 1;
	tiny.base_states = 4;
	while (pairs < 1000000) {
		/* Every fourth batch runs with a tiny budget so that splitting and
		 * the NFA fallback are compared too. */
		pairs += diff_batch(32, 64, round % 4 == 3 ? &tiny : NULL);
		round++;
	}
	print_message("differential: %zu pattern/value pairs in %zu batches, 0 disagreements\n",
		      pairs, round);
}

static void test_nfa_fallback(void **state)
{
	const char *pat = "*a????????????????????";
	struct cc_pattern p = {pat, strlen(pat), CC_MATCH_GLOB, 7};
	struct cc_arena a;
	struct cc_automata set;
	unsigned char hit[8];
	char v[64];
	size_t k, n, matches;

	(void)state;
	cc_arena_init(&a);
	build_ok(&a, &p, 1, NULL, &set, 8);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.items[0].kind, VM_DFA_KIND_NFA);
	rng_state = 12345;
	for (k = 0, matches = 0; k < 20000; k++) {
		n = 0;
		while (n < 40 && rnd(30) != 0)
			v[n++] = rnd(40) == 0 ? '/' : (rnd(2) ? 'a' : 'b');
		run_set(&set, v, n, hit, 8);
		assert_int_equal(hit[7], ref_glob_match(pat, strlen(pat), v, n) == 1);
		matches += hit[7];
	}
	assert_true(matches > 1000 && matches < 19000);
	cc_arena_free(&a);
}

/* Nothing a bundle can write blows the compiler's work up. Regexes that
 * match only the empty string under nested counts are folded before they are
 * built (they took 10^9 build steps); a set whose DFA work grows with the
 * square of its size is cut into DFAs under the work budget; and once the
 * work of the whole compilation is spent, the rest become NFA blobs. The
 * answers never change. */
static void test_bounds(void **state)
{
	static const char *const empty_re[] = {"(((){1000}){1000}){1000}",
					       "((((|){1000}){1000}){1000}){1000}",
					       "(((a{0}){1000}){1000}){1000}"};
	static char text[300][32];
	struct cc_pattern pats[300];
	struct cc_automata_limits lim;
	struct cc_arena a;
	struct cc_automata set;
	unsigned char hit[300];
	size_t i, k, r, n;
	char v[48];

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(re1(empty_re[i], "", 0), 1);
		assert_int_equal(re1(empty_re[i], "a", 1), 0);
	}
	for (i = 0; i < 300; i++) {
		snprintf(text[i], sizeof text[i], "*%zu*/**/*x*", i);
		pats[i].text = text[i];
		pats[i].len = strlen(text[i]);
		pats[i].kind = CC_MATCH_GLOB;
		pats[i].id = (uint32_t)i;
	}
	cc_automata_default_limits(&lim);
	for (r = 0; r < 2; r++) {
		if (r == 1)
			lim.max_total_work = 1;
		cc_arena_init(&a);
		build_ok(&a, pats, 300, &lim, &set, 300);
		assert_true(set.n > 1);
		/* An attempt stops within one DFA state of its budget. */
		assert_true(set.work < (r ? 10000 : lim.max_total_work));
		for (i = 0; r == 1 && i < set.n; i++)
			assert_int_equal(set.items[i].kind, VM_DFA_KIND_NFA);
		rng_state = 4242;
		for (k = 0; k < 300; k++) {
			n = (size_t)snprintf(v, sizeof v, "a%u%s/%s%sx", (unsigned)rnd(400),
					     rnd(2) ? "b" : "", rnd(2) ? "q/" : "", rnd(3) ? "zz/" : "");
			run_set(&set, v, n, hit, 300);
			for (i = 0; i < 300; i++)
				if (hit[i] != (ref_glob_match(pats[i].text, pats[i].len, v, n) == 1))
					fail_msg("pattern '%s' value '%s': automata %d", pats[i].text, v, hit[i]);
		}
		cc_arena_free(&a);
	}
}

static void make_patterns(struct cc_pattern *pats, char (*text)[64], size_t n)
{
	static const char *ext[] = {"go", "md", "env", "yaml", "json"};
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 3 == 0)
			snprintf(text[i], 64, "url://host%zu.example.com/**", i);
		else if (i % 3 == 1)
			snprintf(text[i], 64, "file://workspace/dir%zu/**/*.%s", i, ext[i % 5]);
		else
			snprintf(text[i], 64, "file://workspace/*/sub%zu/f?le.%s", i, ext[i % 5]);
		pats[i].text = text[i];
		pats[i].len = strlen(text[i]);
		pats[i].kind = CC_MATCH_GLOB;
		pats[i].id = (uint32_t)i;
	}
}

static void test_split_determinism(void **state)
{
	static char text[300][64];
	struct cc_pattern pats[300];
	struct cc_automata_limits lim;
	struct cc_arena a1, a2;
	struct cc_automata s1, s2;
	struct rt_buf rep;
	unsigned char hit[300];
	size_t i;

	(void)state;
	make_patterns(pats, text, 300);
	cc_automata_default_limits(&lim);
	lim.max_states = 600;
	cc_arena_init(&a1);
	cc_arena_init(&a2);
	build_ok(&a1, pats, 300, &lim, &s1, 300);
	build_ok(&a2, pats, 300, &lim, &s2, 300);
	assert_true(s1.n > 1);
	assert_true(s1.splits > 0);
	assert_int_equal(s1.n, s2.n);
	for (i = 0; i < s1.n; i++) {
		assert_int_equal(s1.items[i].len, s2.items[i].len);
		assert_memory_equal(s1.items[i].blob, s2.items[i].blob, s1.items[i].len);
		assert_true(s1.items[i].n_states <= 600);
	}
	rt_buf_init(&rep);
	assert_int_equal(cc_automata_report(&s1, pats, &rep), 0);
	rt_buf_cstr(&rep);
	assert_non_null(strstr(rep.data, "splits"));
	assert_non_null(strstr(rep.data, " 299"));
	rt_buf_free(&rep);
	/* Split or not, the answers are the reference's. */
	{
		const char *vals[] = {"url://host3.example.com/a/b", "file://workspace/dir4/x/y.md",
				      "file://workspace/q/sub5/fxle.env", "file://workspace/dir4/y.go",
				      "url://host30.example.com"};

		for (i = 0; i < 5; i++) {
			size_t k;

			run_set(&s1, vals[i], strlen(vals[i]), hit, 300);
			for (k = 0; k < 300; k++)
				assert_int_equal(hit[k], ref_glob_match(pats[k].text, pats[k].len,
									vals[i], strlen(vals[i])) == 1);
		}
	}
	cc_arena_free(&a1);
	cc_arena_free(&a2);
}

/* Every truncation and many byte flips of a valid blob: the verifier either
 * rejects it or the blob runs without faults (ASan/UBSan in `make check`). */
static void corrupt_check(const uint8_t *blob, size_t len, uint32_t nid)
{
	uint8_t *c = malloc(len);
	const uint8_t *ids;
	const char *why;
	size_t i, k;

	assert_non_null(c);
	assert_int_equal(vm_dfa_verify(blob, len, nid, &why), 0);
	assert_int_not_equal(vm_dfa_verify(blob, len, 0, &why), 0);
	for (i = 0; i < len; i += 8)
		assert_int_not_equal(vm_dfa_verify(blob, i, nid, &why), 0);
	for (k = 0; k < 4000; k++) {
		memcpy(c, blob, len);
		i = k < len ? k : rnd((uint32_t)len);
		c[i] = (uint8_t)(c[i] ^ (1u << rnd(8)));
		if (rnd(2))
			c[rnd((uint32_t)len)] = (uint8_t)rnd(256);
		if (vm_dfa_verify(c, len, nid, &why) == 0) {
			/* Accepted: it runs in bounds, and its prefix and accelerated
			 * states give the plain walk's answers. */
			static const char *const probe[] = {"file://workspace/a/b.md", "", "file://workspace",
							    "file://workspace/dir4/x/y.md", "url://host3.example.com/q",
							    "file://workspace/q/sub5/fxle.env", "\\", "file:/"};
			size_t p;

			for (p = 0; p < sizeof probe / sizeof *probe; p++) {
				uint32_t n = match_checked(c, probe[p], strlen(probe[p]), &ids);

				assert_true(ids >= c && ids + 4 * (size_t)n <= c + len);
			}
		} else {
			assert_non_null(why);
		}
	}
	free(c);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A copy of blob with `edit` applied must be rejected with a message holding
 * `want`. */
static void reject(const uint8_t *blob, size_t len, void (*edit)(uint8_t *), const char *want)
{
	uint8_t *c = malloc(len);
	const char *why = NULL;

	assert_non_null(c);
	memcpy(c, blob, len);
	edit(c);
	if (vm_dfa_verify(c, len, 64, &why) == 0)
		fail_msg("edited blob accepted (wanted '%s')", want);
	if (!strstr(why, want))
		fail_msg("rejected with '%s', wanted '%s'", why, want);
	free(c);
}

static uint32_t rd(const uint8_t *b, size_t off)
{
	return vm_dfa_rd32(b + off);
}

static void e_version(uint8_t *b) { b[4] = 2; }
static void e_plen_max(uint8_t *b) { put32(b + 52, VM_DFA_MAX_PREFIX + 1); }
static void e_pbyte(uint8_t *b) { b[rd(b, 56) + 3] = 'f'; }
static void e_pclass(uint8_t *b) { b[rd(b, 56) + 3] ^= 0x20; }
static void e_pstate(uint8_t *b) { put32(b + 60, rd(b, 60) + 1); }
static void e_pstate0(uint8_t *b) { put32(b + 60, 0); }
static void e_accel_n(uint8_t *b) { put32(b + 44, rd(b, 12)); }
static void e_accel_cnt(uint8_t *b) { b[rd(b, 48)] = 4; }
static void e_accel_pad(uint8_t *b) { b[rd(b, 48) + 3] ^= 1; }
static void e_accel_byte(uint8_t *b) { b[rd(b, 48) + 1] = 'z'; b[rd(b, 48) + 2] = 'z'; b[rd(b, 48) + 3] = 'z'; }
static void e_self(uint8_t *b)
{
	uint32_t nc = rd(b, 16), w = rd(b, 24);
	uint8_t *last = b + rd(b, 32) + (size_t)w * (2 * (nc + 1) - 1); /* row 1, self column */

	last[0] ^= 1;
}
static void e_class(uint8_t *b)
{
	size_t c;

	for (c = 0; c < 256; c++)
		if (b[VM_DFA_CLASSMAP + c] == 1)
			b[VM_DFA_CLASSMAP + c] = 0;
}
/* The first accept list of two or more ids, with its first two swapped. */
static void e_accept_order(uint8_t *b)
{
	uint32_t ns = rd(b, 12), j, x;
	const uint8_t *acc = b + rd(b, 36);
	uint8_t *ids = b + rd(b, 40);

	for (j = 0; j < ns; j++)
		if (vm_dfa_rd32(acc + 8 * j + 4) >= 2) {
			uint8_t *l = ids + 4 * (size_t)vm_dfa_rd32(acc + 8 * j);

			x = vm_dfa_rd32(l);
			put32(l, vm_dfa_rd32(l + 4));
			put32(l + 4, x);
			return;
		}
	fail_msg("no accept list of two ids");
}

/* The fields of blob version 3: a forced prefix and accelerated states are
 * found where they should be, used, and every way of getting them wrong is
 * rejected by the verifier. */
static void test_prefix_accel(void **state)
{
	struct cc_pattern p[2] = {{"file://workspace/**", 19, CC_MATCH_GLOB, 0},
				  {"file://workspace/*.md", 21, CC_MATCH_GLOB, 1}};
	static const struct {
		const char *v;
		unsigned char h0, h1;
	} runs[] = {
		{"file://workspace/a/b/c/d/e/f/g/h/i.md", 1, 0}, /* one scan to the end */
		{"file://workspace/readme.md", 1, 1},
		{"file://workspace", 1, 0},                      /* shorter than the prefix */
		{"file://workspacE/readme.md", 0, 0},            /* prefix mismatch */
		{"file://worksp", 0, 0},
		{"file://workspace/a\\b/c/d/e/f/g/h", 0, 0},     /* the scan stops at '\\' */
	};
	static const struct {
		void (*edit)(uint8_t *);
		const char *want;
	} bad[] = {
		{e_version, "unknown version"},
		{e_plen_max, "prefix too long"},
		{e_pbyte, "prefix is not the only way out"},
		{e_pclass, "prefix byte shares its class"},
		{e_pstate, "prefix does not lead to the prefix state"},
		{e_pstate0, "prefix state out of range"},
		{e_accel_n, "accelerated state range"},
		{e_accel_cnt, "more than 3 bytes"},
		{e_accel_pad, "padding wrong"},
		{e_accel_byte, "leaves itself"},
		{e_self, "its own state number"},
		{e_class, "class has no byte"},
		{e_accept_order, "accept list not strictly ascending"},
	};
	struct cc_arena a;
	struct cc_automata set;
	unsigned char hit[2];
	const uint8_t *b;
	size_t len, i;

	(void)state;
	cc_arena_init(&a);
	build_ok(&a, p, 2, NULL, &set, 2);
	assert_int_equal(set.n, 1);
	b = set.items[0].blob;
	len = set.items[0].len;
	assert_int_equal(vm_dfa_rd16(b + 4), VM_DFA_VERSION);
	/* "file://workspace/" is forced (the state before the '/' accepts, for
	 * an empty **, but '/' is its only way on); inputs shorter than it walk. */
	assert_int_equal(rd(b, 52), 17);
	assert_memory_equal(b + rd(b, 56), "file://workspace/", 17);
	/* Inside **: only a backslash leaves (to the dead state). */
	assert_true(rd(b, 44) >= 1);
	assert_int_equal(b[rd(b, 48)], 1);
	assert_int_equal(b[rd(b, 48) + 1], '\\');
	for (i = 0; i < sizeof runs / sizeof *runs; i++) {
		run_set(&set, runs[i].v, strlen(runs[i].v), hit, 2);
		if (hit[0] != runs[i].h0 || hit[1] != runs[i].h1)
			fail_msg("'%s': got %d %d", runs[i].v, hit[0], hit[1]);
	}
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		reject(b, len, bad[i].edit, bad[i].want);
	cc_arena_free(&a);
}

static void test_verifier(void **state)
{
	static char text[40][64];
	struct cc_pattern pats[40];
	struct cc_arena a;
	struct cc_automata set;
	const char *why;
	struct cc_pattern bad = {"*a??????????????", 16, CC_MATCH_GLOB, 3};

	(void)state;
	rng_state = 777;
	make_patterns(pats, text, 40);
	cc_arena_init(&a);
	build_ok(&a, pats, 40, NULL, &set, 40);
	corrupt_check(set.items[0].blob, set.items[0].len, 40);
	build_ok(&a, &bad, 1, NULL, &set, 4);
	assert_int_equal(set.items[0].kind, VM_DFA_KIND_NFA);
	corrupt_check(set.items[0].blob, set.items[0].len, 4);
	assert_int_not_equal(vm_dfa_verify(NULL, 0, 1, &why), 0);
	{
		struct cc_argv_token t[2] = {{{"git", 3, {0}}, CC_MATCH_GLOB},
					     {{"[a-z]+", 6, {0}}, CC_MATCH_REGEX}};
		uint8_t *blob, *c;
		size_t len, i;

		assert_int_equal(cc_argv_blob(&a, t, 2, &blob, &len, NULL), 0);
		assert_int_equal(vm_argv_verify(blob, len, &why), 0);
		c = malloc(len);
		assert_non_null(c);
		for (i = 0; i < len; i++) {
			struct vm_bytes av[2] = {{(const uint8_t *)"git", 3}, {(const uint8_t *)"ab", 2}};

			memcpy(c, blob, len);
			c[i] ^= 0x41;
			if (vm_argv_verify(c, len, &why) == 0)
				(void)vm_argv_match(c, len, av, 2);
		}
		for (i = 0; i < len; i += 8)
			assert_int_not_equal(vm_argv_verify(blob, i, &why), 0);
		free(c);
	}
	cc_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_vectors),
		cmocka_unit_test(test_glob_edges),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_regex_errors),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_nfa_fallback),
		cmocka_unit_test(test_split_determinism),
		cmocka_unit_test(test_verifier),
		cmocka_unit_test(test_prefix_accel),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
