/* test_dsl.c: cmocka tests of the .nomos language: the re2c lexer, the lemon
 * grammar and its lowering to the bundle model (every construct, positions),
 * syntax error messages, the formatter (comments kept, idempotent) and the
 * convert round trips (same canonical JSON and hash as YAML). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/cc_nomos.h"
#include "nomos_parse.h"

/* Collects rendered diagnostics. */
struct sink_buf {
	struct rt_buf text;
};

static void collect(void *ctx, const struct cc_diagnostic *d)
{
	struct sink_buf *s = ctx;

	cc_diag_render(d, &s->text, 0);
}

struct fixture {
	struct cc_arena a;
	struct cc_src src;
	struct sink_buf diags;
	struct cc_diag_sink sink;
	struct nm_doc doc;
	struct cc_bundle b;
};

static void fx_init(struct fixture *f, const char *text)
{
	memset(f, 0, sizeof *f);
	cc_arena_init(&f->a);
	rt_buf_init(&f->diags.text);
	f->sink.emit = collect;
	f->sink.ctx = &f->diags;
	f->src.path = "t.nomos";
	f->src.text = text;
	f->src.len = strlen(text);
}

static void fx_free(struct fixture *f)
{
	cc_arena_free(&f->a);
	rt_buf_free(&f->diags.text);
}

static const char *diag_text(struct fixture *f)
{
	rt_buf_cstr(&f->diags.text);
	return f->diags.text.data ? f->diags.text.data : "";
}

/* Parses and lowers; returns the front end's status. */
static int fx_load(struct fixture *f, const char *text)
{
	fx_init(f, text);
	return cc_parse_nomos(&f->a, &f->sink, &f->src, &f->b);
}

static void assert_str(const struct cc_str *s, const char *want)
{
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->s, want, s->len);
}

/* ---- lexer ---------------------------------------------------------------- */

static void test_lex_tokens(void **state)
{
	static const char text[] =
		"allow allowed fs.read * \"a\\\"b\" re\"x\\\"y\" -1.5e3 [ ] { } , : # c\nrequire_approval";
	static const int want[] = { TK_ALLOW, NM_TK_SPACE, TK_IDENT, NM_TK_SPACE, TK_IDENT,
				    NM_TK_SPACE, TK_STAR, NM_TK_SPACE, TK_STRING, NM_TK_SPACE,
				    TK_REGEX, NM_TK_SPACE, TK_NUMBER, NM_TK_SPACE, TK_LBRACKET,
				    NM_TK_SPACE, TK_RBRACKET, NM_TK_SPACE, TK_LBRACE, NM_TK_SPACE,
				    TK_RBRACE, NM_TK_SPACE, TK_COMMA, NM_TK_SPACE, TK_COLON,
				    NM_TK_SPACE, NM_TK_COMMENT, NM_TK_SPACE, TK_REQUIRE_APPROVAL,
				    NM_TK_EOF };
	size_t pos = 0, end, i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		int k = cc_nomos_lex_one(text, sizeof text - 1, pos, &end);

		assert_int_equal(k, want[i]);
		assert_true(end > pos || k == NM_TK_EOF);
		pos = end;
	}
	assert_int_equal(pos, sizeof text - 1);
}

static void test_lex_bad_and_unterminated(void **state)
{
	size_t end;

	(void)state;
	assert_int_equal(cc_nomos_lex_one("@", 1, 0, &end), NM_TK_BAD);
	assert_int_equal(end, 1);
	assert_int_equal(cc_nomos_lex_one("\"abc\nx\"", 7, 0, &end), NM_TK_UNTERMINATED);
	assert_int_equal(end, 4);
	assert_int_equal(cc_nomos_lex_one("re\"abc", 6, 0, &end), NM_TK_UNTERMINATED);
	/* An embedded NUL before the end is a bad byte, not the end of input. */
	assert_int_equal(cc_nomos_lex_one("\0x", 2, 0, &end), NM_TK_BAD);
}

static void test_comments_attach(void **state)
{
	struct fixture f;
	const struct nm_lexed *lx;

	(void)state;
	fx_init(&f, "# lead 1\n\n# lead 2\ndeny fs.read \"x\" as r # trail\n# end\n");
	assert_int_equal(cc_nomos_parse_doc(&f.a, &f.sink, &f.src, &f.doc), 0);
	lx = &f.doc.lx;
	assert_int_equal(lx->n_comments, 4);
	assert_int_equal(lx->toks[0].kind, TK_DENY);
	assert_int_equal(lx->toks[0].n_lead, 2);
	assert_true(lx->comments[1].blank_before);
	assert_int_equal(lx->toks[0].line, 4);
	assert_int_equal(lx->toks[0].col, 1);
	assert_int_equal(lx->toks[4].kind, TK_IDENT); /* r */
	assert_int_equal(lx->toks[4].col, 21);
	assert_int_equal(lx->toks[4].trail, 2);
	assert_int_equal(lx->toks[5].kind, NM_TK_EOF);
	assert_int_equal(lx->toks[5].n_lead, 1);
	fx_free(&f);
}

/* ---- grammar and lowering ------------------------------------------------- */

static void test_every_construct(void **state)
{
	static const char text[] =
		"# all fields\n"
		"allow process.exec \"file://workspace/**\" as all-fields\n"
		"  for principal [\"system\", \"ops\"] agent [\"nomos\"] environment [\"dev\"]\n"
		"  risk [\"risk.exec\"]\n"
		"  when argv [\"git\", \"status\"] or [\"go\", \"test\", \"**\"]\n"
		"  with { sandbox_mode: \"local\", \"odd key\": [1, 1.50, 1e3, -0, true, false, null],\n"
		"         nested: { big: 12345678901234567890, s: \"a\\u00e9\\n\" } }\n"
		"deny * \"secret://**\" as \"as\"\n"
		"require_approval \"net.http_request\" \"url://x/**\" as gate for environment []\n";
	struct fixture f;
	const struct cc_rule *r;
	const struct cc_value *o, *arr, *nested;

	(void)state;
	assert_int_equal(fx_load(&f, text), 0);
	assert_int_equal(f.b.n_rules, 3);
	assert_str(&f.b.version, "v1");
	assert_false(f.b.nonportable);
	r = &f.b.rules[0];
	assert_str(&r->id, "all-fields");
	assert_str(&r->action_type, "process.exec");
	assert_str(&r->resource, "file://workspace/**");
	assert_int_equal(r->resource_kind, CC_MATCH_GLOB);
	assert_str(&r->decision, "ALLOW");
	assert_true(r->principals.present);
	assert_int_equal(r->principals.n, 2);
	assert_str(&r->principals.items[1], "ops");
	assert_str(&r->agents.items[0], "nomos");
	assert_str(&r->environments.items[0], "dev");
	assert_str(&r->risk_flags.items[0], "risk.exec");
	assert_true(r->has_exec_match && r->has_argv_patterns);
	assert_int_equal(r->n_argv_patterns, 2);
	assert_int_equal(r->argv_patterns[1].n, 3);
	assert_str(&r->argv_patterns[1].tokens[2].text, "**");
	assert_int_equal(r->argv_patterns[1].tokens[2].kind, CC_MATCH_GLOB);
	assert_true(r->has_obligations);
	o = &r->obligations;
	assert_int_equal(o->kind, CC_V_OBJECT);
	assert_int_equal(o->n, 3);
	assert_str(&o->members[1].key, "odd key");
	arr = &o->members[1].value;
	assert_int_equal(arr->kind, CC_V_ARRAY);
	assert_int_equal(arr->n, 7);
	/* Numbers become what YAML would make of them. */
	assert_string_equal(arr->items[0].text, "1");
	assert_string_equal(arr->items[1].text, "1.5");
	assert_string_equal(arr->items[2].text, "1000");
	assert_int_equal(arr->items[4].kind, CC_V_BOOL);
	assert_true(arr->items[4].boolean);
	assert_int_equal(arr->items[6].kind, CC_V_NULL);
	nested = &o->members[2].value;
	assert_string_equal(nested->members[0].value.text, "12345678901234567890");
	assert_int_equal(nested->members[1].value.len, 4);
	assert_memory_equal(nested->members[1].value.text, "a\xc3\xa9\n", 4);
	r = &f.b.rules[1];
	assert_str(&r->id, "as");
	assert_str(&r->action_type, "*");
	assert_str(&r->decision, "DENY");
	assert_false(r->principals.present);
	assert_false(r->has_exec_match);
	assert_false(r->has_obligations);
	r = &f.b.rules[2];
	assert_str(&r->action_type, "net.http_request");
	assert_str(&r->decision, "REQUIRE_APPROVAL");
	assert_true(r->environments.present);
	assert_int_equal(r->environments.n, 0);
	fx_free(&f);
}

static void test_positions(void **state)
{
	struct fixture f;
	const struct cc_rule *r;

	(void)state;
	assert_int_equal(fx_load(&f, "\n  deny fs.read \"file://x\" as r1\n"
				     "    with { a: 1 }\n"), 0);
	r = &f.b.rules[0];
	assert_int_equal(r->pos.line, 2);
	assert_int_equal(r->pos.col, 3);
	assert_int_equal(r->id.pos.line, 2);
	assert_int_equal(r->id.pos.col, 30);
	assert_int_equal(r->id.pos.len, 2);
	assert_int_equal(r->resource.pos.col, 16);
	assert_int_equal(r->resource.pos.len, 10);
	assert_int_equal(r->obligations.members[0].key.pos.line, 3);
	assert_int_equal(r->obligations.members[0].key.pos.col, 12);
	fx_free(&f);
}

static void test_keywords_as_names(void **state)
{
	struct fixture f;

	(void)state;
	assert_int_equal(fx_load(&f, "allow with \"x\" as for\n  with { with: 1, true: 2 }\n"), 0);
	assert_str(&f.b.rules[0].action_type, "with");
	assert_str(&f.b.rules[0].id, "for");
	assert_str(&f.b.rules[0].obligations.members[0].key, "with");
	assert_str(&f.b.rules[0].obligations.members[1].key, "true");
	fx_free(&f);
}

static void test_regex_extension(void **state)
{
	struct fixture f;
	const struct cc_rule *r;

	(void)state;
	assert_int_equal(fx_load(&f, "deny fs.read re\"^file://w/.*\\.pem$\" as r\n"
				     "deny process.exec \"file://w/\" as s when argv [\"git\", re\"^--f.*\"]\n"),
			 0);
	assert_true(f.b.nonportable);
	/* The portability warnings come from validation, one per rule, with the
	 * same text as for YAML and JSON. */
	assert_int_equal(f.sink.warnings, 0);
	assert_int_equal(cc_validate(&f.sink, &f.b), 0);
	assert_int_equal(f.sink.warnings, 2);
	assert_non_null(strstr(diag_text(&f), "t.nomos:1:14: warning: rule r matches its resource "
					      "with a regex, a nomos extension"));
	assert_non_null(strstr(diag_text(&f), "t.nomos:2:54: warning: rule s uses a regex argv "
					      "token, a nomos extension"));
	r = &f.b.rules[0];
	assert_int_equal(r->resource_kind, CC_MATCH_REGEX);
	assert_str(&r->resource, "^file://w/.*\\.pem$"); /* raw: backslashes kept */
	r = &f.b.rules[1];
	assert_int_equal(r->argv_patterns[0].tokens[0].kind, CC_MATCH_GLOB);
	assert_int_equal(r->argv_patterns[0].tokens[1].kind, CC_MATCH_REGEX);
	assert_str(&r->argv_patterns[0].tokens[1].text, "^--f.*");
	fx_free(&f);
	/* A bad regex is reported with the caret inside the pattern. */
	assert_int_equal(fx_load(&f, "deny fs.read re\"ab(c\" as r\n"), -1);
	assert_non_null(strstr(diag_text(&f), "t.nomos:1:19: error: invalid regex"));
	fx_free(&f);
}

struct syntax_case {
	const char *src;
	const char *want; /* first line of the diagnostic */
};

static void test_syntax_errors(void **state)
{
	static const struct syntax_case cases[] = {
		{ "alow fs.read \"x\" as r\n",
		  "t.nomos:1:1: error: unknown decision 'alow'; expected 'allow', 'deny' or "
		  "'require_approval' [-Wsyntax]\n" },
		{ "allow fs.read \"x\" r\n",
		  "t.nomos:1:19: error: expected 'as' before identifier 'r' [-Wsyntax]\n" },
		{ "allow fs.read \"x\" as r with { a 1 }\n",
		  "t.nomos:1:33: error: expected ':' before number 1 [-Wsyntax]\n" },
		{ "allow fs.read \"x\" as r when argv [\"a\"] or\n",
		  "t.nomos:1:42: error: expected '[' before end of input [-Wsyntax]\n" },
		{ "allow fs.read \"x\n",
		  "t.nomos:1:15: error: missing closing '\"' before the end of the line [-Wsyntax]\n" },
		{ "allow fs.read \"x\" as r with { a: 1, a: 2 }\n",
		  "t.nomos:1:37: error: duplicate key 'a' in this object [-Wsyntax]\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		const char *d;

		assert_int_equal(fx_load(&f, cases[i].src), -1);
		d = diag_text(&f);
		if (strncmp(d, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: got\n%s\nwant\n%s", i, d, cases[i].want);
		fx_free(&f);
	}
}

/* ---- formatter -------------------------------------------------------------- */

static void canonical_of(struct cc_bundle *b, struct rt_buf *out);

static char *format(struct cc_arena *a, const char *text, int *rc)
{
	struct cc_src *src = cc_arena_alloc(a, sizeof *src);
	struct cc_diag_sink quiet = { 0 };
	struct nm_doc doc;
	struct rt_buf out;
	char *s;

	src->path = "f.nomos";
	src->text = cc_arena_strdup(a, text);
	src->len = strlen(text);
	if (cc_nomos_parse_doc(a, &quiet, src, &doc)) {
		*rc = -10;
		return NULL;
	}
	rt_buf_init(&out);
	*rc = cc_nomos_format(&doc, &out);
	rt_buf_cstr(&out);
	s = cc_arena_strdup(a, out.data ? out.data : "");
	rt_buf_free(&out);
	return s;
}

static const char *const fmt_sources[] = {
	"",
	"# only a comment\n",
	("deny   fs.read \"file://workspace/.env\"  as r1   # t1\n"
	 "allow fs.read \"file://workspace/**\" as r2 with {a:1,\n  # inner\n  b:[1,2,],}\n"
	 "allow process.exec \"file://x/\" as \"r3\" when argv [\"git\"] # after git\n"
	 "   or [\"ls\", # ls comment\n   \"-l\"] for agent [\"a\"] for principal [\"p\"]\n\n\n# tail\n"),
	"allow\n# between\nfs.read\n\"x\" # on x\nas # on as\nr\n",
	"deny * re\"^a\\\"b$\" as \"x y\" with { \"k\\u0041\": \"\\u00e9\\t\", n: { m: { o: [] } } }\n",
	("allow process.exec \"file://w/\" as long when argv [\"aaaaaaaaaaaa\", \"bbbbbbbbbbbbbbb\"] or "
	 "[\"cccccccccccccc\", \"dddddddddddddd\"] or [\"eeeeeeeeeeee\"]\n"),
	"allow a \"x\" as b with { # c1\n}\nallow a \"x\" as c for principal [ # c2\n]\n",
	/* fuzz regression: trailing tabs and carriage returns mixed in a comment */
	"# c\t\r\t\t\r\ndeny a \"x\" as b # t \t\r\t\r\n",
};

static size_t count_hash(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '#';
	return n;
}

/* Formats text, then the result again: both runs must succeed and agree.
 * Returns the formatted text (arena-owned). */
static char *format_idempotent(struct cc_arena *a, const char *text, const char *label)
{
	char *once, *twice;
	int rc;

	once = format(a, text, &rc);
	if (rc)
		fail_msg("%s: format returned %d", label, rc);
	twice = format(a, once, &rc);
	assert_int_equal(rc, 0);
	if (strcmp(once, twice))
		fail_msg("%s not idempotent:\n%s---\n%s", label, once, twice);
	return once;
}

static void test_fmt_idempotent_keeps_comments(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof fmt_sources / sizeof fmt_sources[0]; i++) {
		struct cc_arena a;
		char label[32], *once;

		cc_arena_init(&a);
		snprintf(label, sizeof label, "case %zu", i);
		once = format_idempotent(&a, fmt_sources[i], label);
		/* Comment markers outside strings: the sources have none inside. */
		assert_int_equal(count_hash(once), count_hash(fmt_sources[i]));
		cc_arena_free(&a);
	}
}

/* Rewrites src with a comment after every token (mode 0), on a line of its
 * own before every token (mode 1), or both (mode 2). */
static char *comment_every_token(struct cc_arena *a, const char *src, int mode, size_t *n)
{
	struct rt_buf b;
	size_t pos = 0, end, len = strlen(src);
	char tag[32];
	char *out;
	int kind;

	*n = 0;
	rt_buf_init(&b);
	while ((kind = cc_nomos_lex_one(src, len, pos, &end)) != NM_TK_EOF) {
		if (kind != NM_TK_SPACE && kind != NM_TK_COMMENT) {
			if (mode >= 1) {
				snprintf(tag, sizeof tag, "\n# lead %zu\n", ++*n);
				rt_buf_puts(&b, tag);
			}
			rt_buf_put(&b, src + pos, end - pos);
			if (mode != 1) {
				snprintf(tag, sizeof tag, " # trail %zu\n", ++*n);
				rt_buf_puts(&b, tag);
			} else {
				rt_buf_putc(&b, ' ');
			}
		}
		pos = end;
	}
	rt_buf_cstr(&b);
	out = cc_arena_strdup(a, b.data ? b.data : "");
	rt_buf_free(&b);
	return out;
}

/* Regression: a comment after a token that shares its line with another
 * commented token (`a # x` then `: # y`) was handed to the next token, so
 * each run moved comments again and could glue two into one line. */
static void test_fmt_comment_after_every_token(void **state)
{
	static const char src[] =
		"deny fs.read \"file://workspace/**/.env\" as a\n"
		"allow process.exec \"file://workspace/\" as b\n"
		"  for principal [\"p1\", \"p2\",] agent [\"x\"] environment [\"prod\"]\n"
		"  risk [\"risk.exec\"]\n"
		"  when argv [\"git\", \"**\"] or [\"ls\", re\"^-l$\"]\n"
		"  with { k: [1, { n: null, t: true }, \"s\"], e: {}, l: [], m: 1.5, }\n"
		"require_approval * re\"^a$\" as \"c d\" for agent [] principal [\"q\"]\n";
	struct rt_buf want, got;
	struct fixture f;
	int mode;

	(void)state;
	assert_int_equal(fx_load(&f, src), 0);
	canonical_of(&f.b, &want);
	fx_free(&f);
	for (mode = 0; mode < 3; mode++) {
		struct cc_arena a;
		char label[32], *text, *once, *line;
		size_t n;

		cc_arena_init(&a);
		text = comment_every_token(&a, src, mode, &n);
		snprintf(label, sizeof label, "mode %d", mode);
		once = format_idempotent(&a, text, label);
		assert_int_equal(count_hash(once), n);
		for (line = once; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			const char *h = strchr(line, '#'), *nl = strchr(line, '\n');

			if (h && strchr(h + 1, '#') && (!nl || strchr(h + 1, '#') < nl))
				fail_msg("mode %d: two comments on one line:\n%s", mode, once);
		}
		assert_int_equal(fx_load(&f, once), 0);
		canonical_of(&f.b, &got);
		assert_string_equal(got.data, want.data);
		rt_buf_free(&got);
		fx_free(&f);
		cc_arena_free(&a);
	}
	rt_buf_free(&want);
}

static void test_fmt_layout(void **state)
{
	struct cc_arena a;
	char *out;
	int rc;

	(void)state;
	cc_arena_init(&a);
	out = format(&a, "deny fs.read \"x\" as a\n\n\n\ndeny fs.read \"y\" as b "
			 "with {k:\"v\"} for agent [\"c\"]\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "deny fs.read \"x\" as a\n\n"
				 "deny fs.read \"y\" as b\n  for agent [\"c\"]\n  with { k: \"v\" }\n");
	cc_arena_free(&a);
}

/* ---- round trips and parity --------------------------------------------------- */

static void canonical_of(struct cc_bundle *b, struct rt_buf *out)
{
	rt_buf_init(out);
	assert_int_equal(cc_bundle_canonical(b, out), 0);
	rt_buf_cstr(out);
}

static void test_yaml_parity_and_round_trip(void **state)
{
	static const char yaml[] =
		"version: v1\n"
		"rules:\n"
		"  - id: r1\n"
		"    action_type: process.exec\n"
		"    resource: file://workspace/\n"
		"    decision: ALLOW\n"
		"    principals: [alice]\n"
		"    exec_match:\n"
		"      argv_patterns:\n"
		"        - [\"git\", \"**\"]\n"
		"    obligations:\n"
		"      sandbox_mode: local\n"
		"      output_max_bytes: 65536\n"
		"      ratio: 1.50\n"
		"      big: 1e21\n"
		"      list: [1, \"two\", null, {a: true}]\n";
	static const char nomos[] =
		"allow process.exec \"file://workspace/\" as r1\n"
		"  for principal [\"alice\"]\n"
		"  when argv [\"git\", \"**\"]\n"
		"  with { sandbox_mode: \"local\", output_max_bytes: 65536, ratio: 1.50, big: 1e21,\n"
		"         list: [1, \"two\", null, { a: true }] }\n";
	struct cc_arena a;
	struct cc_diag_sink quiet = { 0 };
	struct cc_src ys = { .path = "t.yaml", .text = yaml, .len = sizeof yaml - 1 };
	struct cc_src ns = { .path = "t.nomos", .text = nomos, .len = sizeof nomos - 1 };
	struct cc_src back = { 0 };
	struct cc_bundle yb, nb, rb;
	struct rt_buf yc, nc, rc, text;

	(void)state;
	cc_arena_init(&a);
	assert_int_equal(cc_load_source(&a, &quiet, &ys, CC_FMT_YAML, &yb), 0);
	assert_int_equal(cc_load_source(&a, &quiet, &ns, CC_FMT_NOMOS, &nb), 0);
	canonical_of(&yb, &yc);
	canonical_of(&nb, &nc);
	assert_string_equal(yc.data, nc.data);
	assert_int_equal(cc_bundle_hash(&yb), 0);
	assert_int_equal(cc_bundle_hash(&nb), 0);
	assert_string_equal(yb.hash, nb.hash);

	/* YAML -> .nomos text -> bundle: same canonical JSON. */
	rt_buf_init(&text);
	assert_int_equal(cc_nomos_emit(&yb, &quiet, &text), 0);
	rt_buf_cstr(&text);
	back.path = "back.nomos";
	back.text = text.data;
	back.len = text.len;
	assert_int_equal(cc_load_source(&a, &quiet, &back, CC_FMT_NOMOS, &rb), 0);
	canonical_of(&rb, &rc);
	assert_string_equal(yc.data, rc.data);
	rt_buf_free(&rc);

	/* .nomos -> YAML and JSON text -> bundle: same canonical JSON. */
	rt_buf_reset(&text);
	assert_int_equal(cc_emit_yaml(&nb, &text), 0);
	rt_buf_cstr(&text);
	back.path = "back.yaml";
	back.text = cc_arena_strdup(&a, text.data);
	back.len = text.len;
	assert_int_equal(cc_load_source(&a, &quiet, &back, CC_FMT_YAML, &rb), 0);
	canonical_of(&rb, &rc);
	assert_string_equal(yc.data, rc.data);
	rt_buf_free(&rc);
	rt_buf_reset(&text);
	assert_int_equal(cc_emit_json(&nb, &text), 0);
	rt_buf_cstr(&text);
	back.path = "back.json";
	back.text = cc_arena_strdup(&a, text.data);
	back.len = text.len;
	assert_int_equal(cc_load_source(&a, &quiet, &back, CC_FMT_JSON, &rb), 0);
	canonical_of(&rb, &rc);
	/* JSON decodes 1e21 the same way; every value here survives float64. */
	assert_string_equal(yc.data, rc.data);

	rt_buf_free(&rc);
	rt_buf_free(&text);
	rt_buf_free(&yc);
	rt_buf_free(&nc);
	cc_arena_free(&a);
}

static void test_regex_round_trip_yaml(void **state)
{
	static const char nomos[] =
		"deny process.exec re\"^file://w/.*$\" as r when argv [re\"^g(it)?$\", \"**\"]\n";
	struct cc_arena a;
	struct cc_diag_sink quiet = { 0 };
	struct cc_src ns = { .path = "t.nomos", .text = nomos, .len = sizeof nomos - 1 };
	struct cc_src back = { 0 };
	struct cc_bundle nb, rb;
	struct rt_buf text, c1, c2;

	(void)state;
	cc_arena_init(&a);
	assert_int_equal(cc_load_source(&a, &quiet, &ns, CC_FMT_NOMOS, &nb), 0);
	rt_buf_init(&text);
	assert_int_equal(cc_emit_yaml(&nb, &text), 0);
	rt_buf_cstr(&text);
	assert_non_null(strstr(text.data, "resource_match: regex"));
	back.path = "back.yaml";
	back.text = text.data;
	back.len = text.len;
	assert_int_equal(cc_load_source(&a, &quiet, &back, CC_FMT_YAML, &rb), 0);
	assert_true(rb.nonportable);
	canonical_of(&nb, &c1);
	canonical_of(&rb, &c2);
	assert_string_equal(c1.data, c2.data);
	rt_buf_free(&c1);
	rt_buf_free(&c2);
	rt_buf_free(&text);
	cc_arena_free(&a);
}

/* Strings that another YAML reader would take for something else: "<<" is a
 * merge key when plain (it came back as a merge), and YAML 1.1 reads these
 * words as booleans. The emitter quotes them; the bundle reads back equal. */
static void test_yaml_quotes_ambiguous_words(void **state)
{
	static const char json[] =
		"{\"version\":\"v1\",\"rules\":[{\"id\":\"r\",\"action_type\":\"fs.read\","
		"\"resource\":\"file://workspace/**\",\"decision\":\"ALLOW\",\"obligations\":"
		"{\"<<\":{\"x\":1},\"yes\":\"On\",\"y\":\"N\",\"a\":\"off\",\"b\":\"yess\"}}]}";
	static const char *const quoted[] = { "\"<<\":", "\"yes\": \"On\"", "\"y\": \"N\"",
					      "a: \"off\"", "b: yess" };
	struct cc_arena a;
	struct cc_diag_sink quiet = { 0 };
	struct cc_src js = { .path = "t.json", .text = json, .len = sizeof json - 1 };
	struct cc_src back = { 0 };
	struct cc_bundle jb, rb;
	struct rt_buf text, c1, c2;
	size_t i;

	(void)state;
	cc_arena_init(&a);
	assert_int_equal(cc_load_source(&a, &quiet, &js, CC_FMT_JSON, &jb), 0);
	rt_buf_init(&text);
	assert_int_equal(cc_emit_yaml(&jb, &text), 0);
	rt_buf_cstr(&text);
	for (i = 0; i < sizeof quoted / sizeof quoted[0]; i++)
		if (!strstr(text.data, quoted[i]))
			fail_msg("no %s in:\n%s", quoted[i], text.data);
	back.path = "back.yaml";
	back.text = text.data;
	back.len = text.len;
	assert_int_equal(cc_load_source(&a, &quiet, &back, CC_FMT_YAML, &rb), 0);
	canonical_of(&jb, &c1);
	canonical_of(&rb, &c2);
	assert_string_equal(c1.data, c2.data);
	rt_buf_free(&c1);
	rt_buf_free(&c2);
	rt_buf_free(&text);
	cc_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lex_tokens),
		cmocka_unit_test(test_lex_bad_and_unterminated),
		cmocka_unit_test(test_comments_attach),
		cmocka_unit_test(test_every_construct),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_keywords_as_names),
		cmocka_unit_test(test_regex_extension),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_fmt_idempotent_keeps_comments),
		cmocka_unit_test(test_fmt_comment_after_every_token),
		cmocka_unit_test(test_fmt_layout),
		cmocka_unit_test(test_yaml_parity_and_round_trip),
		cmocka_unit_test(test_regex_round_trip_yaml),
		cmocka_unit_test(test_yaml_quotes_ambiguous_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
