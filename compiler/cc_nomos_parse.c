/* cc_nomos_parse.c: the .nomos front end driver. Runs the re2c lexer over the
 * whole source (lines, columns, comments attached to tokens), feeds the lemon
 * parser, and on a syntax error works out which tokens would have been
 * accepted by replaying the prefix. Also builds the tree for the grammar
 * actions. Lowering to the bundle model is in cc_nomos_lower.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_nomos.h"
#include "nomos_parse.h"

void *NomosParseAlloc(void *(*mallocProc)(size_t), struct nm_parser *ctx);
void NomosParseFree(void *p, void (*freeProc)(void *));
void NomosParse(void *p, int major, int minor);

/* ---- tree builders (grammar actions) ------------------------------------ */

static void *nm_alloc(struct nm_parser *ctx, size_t n)
{
	void *p = cc_arena_alloc(ctx->a, n);

	if (!p)
		ctx->oom = 1;
	return p;
}

void nm_rule_begin(struct nm_parser *ctx, int decision, int action, int resource, int as,
		   int name)
{
	struct nm_rule *r = nm_alloc(ctx, sizeof *r);

	if (!r)
		return;
	r->decision = decision;
	r->action = action;
	r->resource = resource;
	r->as = as;
	r->name = name;
	if (ctx->last_rule)
		ctx->last_rule->next = r;
	else
		ctx->rules = r;
	ctx->last_rule = r;
}

struct nm_clause *nm_clause_add(struct nm_parser *ctx, enum nm_clause_kind kind, int kw)
{
	struct nm_rule *r = ctx->last_rule;
	struct nm_clause *c;

	if (!r)
		return NULL;
	c = nm_alloc(ctx, sizeof *c);
	if (!c)
		return NULL;
	c->kind = kind;
	c->intro = -1;
	c->kw = kw;
	if (r->last)
		r->last->next = c;
	else
		r->clauses = c;
	r->last = c;
	return c;
}

struct nm_seq *nm_seq_new(struct nm_parser *ctx)
{
	struct nm_seq *s = nm_alloc(ctx, sizeof *s);

	if (s)
		s->open = s->close = -1;
	return s;
}

void nm_seq_add(struct nm_parser *ctx, struct nm_seq *s, int tok, int key, int colon,
		struct nm_value *v)
{
	struct nm_item *it;

	if (!s)
		return;
	it = nm_alloc(ctx, sizeof *it);
	if (!it)
		return;
	it->tok = tok;
	it->key = key;
	it->colon = colon;
	it->value = v;
	it->comma = -1;
	if (s->tail)
		s->tail->next = it;
	else
		s->head = it;
	s->tail = it;
	s->n++;
}

void nm_seq_comma(struct nm_seq *s, int comma)
{
	if (s && s->tail && comma >= 0)
		s->tail->comma = comma;
}

struct nm_value *nm_value_new(struct nm_parser *ctx, enum nm_value_kind kind, int tok)
{
	struct nm_value *v = nm_alloc(ctx, sizeof *v);

	if (!v)
		return NULL;
	v->kind = kind;
	v->tok = tok;
	v->seq.open = v->seq.close = -1;
	return v;
}

struct nm_patterns *nm_patterns_add(struct nm_parser *ctx, struct nm_patterns *ps, int or_tok,
				    struct nm_seq *s)
{
	struct nm_pattern *p;

	if (!ps && !(ps = nm_alloc(ctx, sizeof *ps)))
		return NULL;
	if (!s || !(p = nm_alloc(ctx, sizeof *p)))
		return ps;
	p->or_tok = or_tok;
	p->seq = *s;
	if (ps->tail)
		ps->tail->next = p;
	else
		ps->head = p;
	ps->tail = p;
	return ps;
}

/* ---- lexing --------------------------------------------------------------- */

static struct cc_pos tok_pos(const struct cc_src *src, const struct nm_token *t)
{
	struct cc_pos p = { src, t->line, t->col, t->len ? t->len : 1 };
	return p;
}

/* Checks the escapes of a string literal (the JSON set). Returns the offset
 * of the first bad byte within the token, or 0 when clean; *why explains. */
static size_t check_string(const char *s, size_t len, const char **why)
{
	size_t i, k;

	for (i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			*why = c == '\t' ? "tab in a string literal; write \\t"
					 : "control character in a string literal; write it as \\u00XX";
			return i;
		}
		if (c != '\\')
			continue;
		c = (unsigned char)s[i + 1];
		if (strchr("\"\\/bfnrt", c) && c) {
			i++;
			continue;
		}
		if (c == 'u') {
			for (k = 2; k < 6; k++)
				if (i + k + 1 >= len || rt_hex_digit((unsigned char)s[i + k]) < 0)
					break;
			if (k == 6) {
				i += 5;
				continue;
			}
			*why = "\\u must be followed by four hex digits";
			return i;
		}
		*why = "invalid escape in a string literal (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
		return i;
	}
	return 0;
}

/* Offset of the first byte of s[0..n) that does not start a valid UTF-8
 * sequence, or n. Strings, regexes and comments are the only tokens that may
 * hold non-ASCII bytes; a bundle is UTF-8 text in every format (libyaml
 * refuses anything else), and an invalid byte would reach the matcher raw
 * while the canonical JSON writes U+FFFD: two meanings under one hash. */
static size_t bad_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = rt_utf8_len((const unsigned char *)s + i, n - i);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

/* The first lexical error. It is reported only if the parser accepts every
 * token before it, so a missing quote is not blamed on a later stray byte. */
struct lex_err {
	uint32_t line, col, len;
	enum cc_diag_group group;
	char msg[160];
};

static int lex_error(struct lex_err *le, uint32_t line, uint32_t col, uint32_t len,
		     enum cc_diag_group g, const char *msg)
{
	le->line = line;
	le->col = col;
	le->len = len;
	le->group = g;
	snprintf(le->msg, sizeof le->msg, "%s", msg);
	return -1;
}

static int lex_all(struct cc_arena *a, struct lex_err *le, const struct cc_src *src,
		   struct nm_lexed *lx)
{
	size_t cap_t = 64, cap_c = 8, pos = 0, end, i;
	uint32_t line = 1, newlines = 2, lead_from = 0;
	size_t line_start = 0;
	int depth = 0, kind;
	char msg[96];

	lx->toks = cc_arena_array(a, cap_t, sizeof *lx->toks);
	lx->comments = cc_arena_array(a, cap_c, sizeof *lx->comments);
	lx->n = lx->n_comments = 0;
	if (!lx->toks || !lx->comments)
		return -1;
	/* A UTF-8 byte order mark is not part of the text. */
	if (src->len >= 3 && !memcmp(src->text, "\xef\xbb\xbf", 3))
		pos = line_start = 3;
	for (;;) {
		uint32_t col;

		kind = cc_nomos_lex_one(src->text, src->len, pos, &end);
		col = (uint32_t)(pos - line_start + 1);
		if (kind == NM_TK_SPACE) {
			for (i = pos; i < end; i++)
				if (src->text[i] == '\n') {
					line++;
					newlines++;
					line_start = i + 1;
				}
			pos = end;
			continue;
		}
		if (kind == NM_TK_BAD) {
			unsigned char c = (unsigned char)src->text[pos];

			if (c >= 0x21 && c < 0x7f)
				snprintf(msg, sizeof msg, "unexpected character '%c'", c);
			else
				snprintf(msg, sizeof msg, "unexpected byte 0x%02x (identifiers are ASCII; "
					 "put other text in \"strings\")", c);
			return lex_error(le, line, col, 1, CC_W_syntax, msg);
		}
		if (kind == NM_TK_UNTERMINATED)
			return lex_error(le, line, col, 1, CC_W_syntax,
					 "missing closing '\"' before the end of the line");
		if (kind == NM_TK_BADNUM) {
			int n = end - pos > 40 ? 40 : (int)(end - pos);

			snprintf(msg, sizeof msg, "invalid number '%.*s%s' (numbers are written as in "
				 "JSON: 7, -2, 0.5, 1e3; quote other text)",
				 n, src->text + pos, end - pos > 40 ? "..." : "");
			return lex_error(le, line, col, (uint32_t)(end - pos), CC_W_syntax, msg);
		}
		if (kind == NM_TK_COMMENT || kind == TK_STRING || kind == TK_REGEX) {
			size_t at = bad_utf8(src->text + pos, end - pos);

			if (at < end - pos)
				return lex_error(le, line, col + (uint32_t)at, 1, CC_W_syntax,
						 "invalid UTF-8 byte (a .nomos file must be UTF-8 "
						 "text)");
		}
		if (kind == NM_TK_COMMENT) {
			struct nm_comment *c;
			struct nm_token *prev = lx->n ? &lx->toks[lx->n - 1] : NULL;

			if (lx->n_comments == cap_c) {
				lx->comments = cc_arena_grow(a, lx->comments, cap_c, cap_c * 2,
							     sizeof *lx->comments);
				cap_c *= 2;
				if (!lx->comments)
					return -1;
			}
			c = &lx->comments[lx->n_comments];
			c->off = (uint32_t)pos;
			c->len = (uint32_t)(end - pos);
			while (c->len && src->text[c->off + c->len - 1] == '\r')
				c->len--;
			c->line = line;
			c->col = col;
			c->blank_before = newlines >= 2;
			if (prev && prev->line == line && prev->trail < 0 && lead_from == lx->n_comments) {
				prev->trail = (int32_t)lx->n_comments;
				lead_from++;
			}
			lx->n_comments++;
			newlines = 0;
			pos = end;
			continue;
		}
		if (lx->n == cap_t) {
			lx->toks = cc_arena_grow(a, lx->toks, cap_t, cap_t * 2, sizeof *lx->toks);
			cap_t *= 2;
			if (!lx->toks)
				return -1;
		}
		{
			struct nm_token *t = &lx->toks[lx->n];

			t->kind = kind;
			t->off = (uint32_t)pos;
			t->len = (uint32_t)(end - pos);
			t->line = line;
			t->col = col;
			t->lead = lead_from;
			t->n_lead = (uint32_t)(lx->n_comments - lead_from);
			t->trail = -1;
			t->blank_before = newlines >= 2;
			lead_from = (uint32_t)lx->n_comments;
			newlines = 0;
			lx->n++;
		}
		if (kind == NM_TK_EOF)
			break;
		if (kind == TK_STRING || kind == TK_REGEX) {
			const char *why = NULL;
			size_t at = kind == TK_STRING ? check_string(src->text + pos, end - pos, &why) : 0;

			if (kind == TK_REGEX) {
				/* re"..." keeps backslashes for the regex engine; only
				 * control characters are refused. */
				for (i = pos + 3; i + 1 < end; i++)
					if ((unsigned char)src->text[i] < 0x20 || src->text[i] == 0x7f) {
						at = i - pos;
						why = "control character in a regex literal";
						break;
					}
			}
			if (at)
				return lex_error(le, line, col + (uint32_t)at, 1, CC_W_syntax, why);
		}
		if (kind == TK_NUMBER && !rt_is_json_number(src->text + pos, end - pos))
			return lex_error(le, line, col, (uint32_t)(end - pos), CC_W_syntax,
					 "invalid number: leading zeros are not allowed");
		if (kind == TK_LBRACKET || kind == TK_LBRACE) {
			if (++depth > NM_MAX_DEPTH) {
				snprintf(msg, sizeof msg, "lists and objects nest deeper than %d levels",
					 NM_MAX_DEPTH);
				return lex_error(le, line, col, 1, CC_W_limit, msg);
			}
		} else if (kind == TK_RBRACKET || kind == TK_RBRACE) {
			depth--;
		}
		pos = end;
	}
	/* The end of input points just past the last token, where something is missing. */
	if (lx->n >= 2) {
		struct nm_token *e = &lx->toks[lx->n - 1];
		const struct nm_token *l = &lx->toks[lx->n - 2];

		e->line = l->line;
		e->col = l->col + l->len;
		e->len = 1;
	}
	return 0;
}

/* ---- syntax errors -------------------------------------------------------- */

/* The terminals, in the order an "expected" list names them. */
static const struct {
	int code;
	const char *name;
} terminals[] = {
	{ TK_ALLOW, "'allow'" },
	{ TK_DENY, "'deny'" },
	{ TK_REQUIRE_APPROVAL, "'require_approval'" },
	{ TK_AS, "'as'" },
	{ TK_FOR, "'for'" },
	{ TK_PRINCIPAL, "'principal'" },
	{ TK_AGENT, "'agent'" },
	{ TK_ENVIRONMENT, "'environment'" },
	{ TK_RISK, "'risk'" },
	{ TK_WHEN, "'when'" },
	{ TK_ARGV, "'argv'" },
	{ TK_OR, "'or'" },
	{ TK_WITH, "'with'" },
	{ TK_TRUE, "'true'" },
	{ TK_FALSE, "'false'" },
	{ TK_NULL, "'null'" },
	{ TK_IDENT, "an identifier" },
	{ TK_STRING, "a string" },
	{ TK_REGEX, "a regex re\"...\"" },
	{ TK_NUMBER, "a number" },
	{ TK_STAR, "'*'" },
	{ TK_COMMA, "','" },
	{ TK_COLON, "':'" },
	{ TK_RBRACKET, "']'" },
	{ TK_RBRACE, "'}'" },
	{ TK_LBRACKET, "'['" },
	{ TK_LBRACE, "'{'" },
	{ NM_TK_EOF, "end of input" },
};
#define N_TERMINALS (sizeof terminals / sizeof terminals[0])

/* Would the parser accept token `cand` after toks[0..n)? Replays the prefix
 * in a scratch parser (actions build into a scratch arena). */
static int accepts(const struct nm_lexed *lx, size_t n, int cand)
{
	struct cc_arena scratch;
	struct nm_parser ctx;
	void *p;
	size_t i;
	int ok;

	cc_arena_init(&scratch);
	memset(&ctx, 0, sizeof ctx);
	ctx.a = &scratch;
	ctx.lx = lx;
	p = NomosParseAlloc(malloc, &ctx);
	if (!p) {
		cc_arena_free(&scratch);
		return 0;
	}
	for (i = 0; i < n && !ctx.failed; i++)
		NomosParse(p, lx->toks[i].kind, (int)i);
	if (!ctx.failed)
		NomosParse(p, cand, (int)n);
	ok = !ctx.failed;
	NomosParseFree(p, free);
	cc_arena_free(&scratch);
	return ok;
}

static void describe(const struct cc_src *src, const struct nm_token *t, char *out, size_t cap)
{
	size_t i, n = t->len > 40 ? 40 : t->len;
	const char *dots = t->len > 40 ? "..." : "";

	for (i = 0; i < N_TERMINALS; i++)
		if (terminals[i].code == t->kind && terminals[i].name[0] == '\'') {
			snprintf(out, cap, "%s", terminals[i].name);
			return;
		}
	switch (t->kind) {
	case NM_TK_EOF:
		snprintf(out, cap, "end of input");
		break;
	case TK_IDENT:
		snprintf(out, cap, "identifier '%.*s%s'", (int)n, src->text + t->off, dots);
		break;
	case TK_STRING:
		snprintf(out, cap, "string %.*s%s", (int)n, src->text + t->off, dots);
		break;
	case TK_REGEX:
		snprintf(out, cap, "regex %.*s%s", (int)n, src->text + t->off, dots);
		break;
	default:
		snprintf(out, cap, "number %.*s%s", (int)n, src->text + t->off, dots);
		break;
	}
}

static void report_syntax(struct cc_diag_sink *sink, const struct cc_src *src,
			  const struct nm_lexed *lx, size_t err)
{
	const struct nm_token *t = &lx->toks[err];
	bool ok[N_TERMINALS];
	char found[96], list[512];
	size_t i, n = 0, k = 0, len = 0;
	bool ident_ok = false;

	for (i = 0; i < N_TERMINALS; i++) {
		ok[i] = accepts(lx, err, terminals[i].code);
		if (ok[i] && terminals[i].code == TK_IDENT)
			ident_ok = true;
	}
	/* Where an identifier fits, keywords fit too (as identifiers): name the
	 * identifier only. */
	for (i = 0; i < N_TERMINALS; i++) {
		if (ident_ok && terminals[i].code != TK_IDENT && terminals[i].name[0] == '\'' &&
		    terminals[i].name[1] >= 'a' && terminals[i].name[1] <= 'z')
			ok[i] = false;
		n += ok[i];
	}
	list[0] = 0;
	for (i = 0; i < N_TERMINALS; i++) {
		if (!ok[i])
			continue;
		k++;
		len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%s",
					k == 1 ? "" : k == n ? " or " : ", ", terminals[i].name);
		if (len >= sizeof list)
			len = sizeof list - 1;
	}
	describe(src, t, found, sizeof found);
	if (t->kind == TK_IDENT && ok[0] && !ok[4] &&
	    ((t->len == 5 && !memcmp(src->text + t->off, "ALLOW", 5)) ||
	     (t->len == 4 && !memcmp(src->text + t->off, "DENY", 4)) ||
	     (t->len == 16 && !memcmp(src->text + t->off, "REQUIRE_APPROVAL", 16)))) {
		char low[17];

		for (i = 0; i < t->len; i++)
			low[i] = src->text[t->off + i] == '_' ? '_' : (char)(src->text[t->off + i] | 0x20);
		low[t->len] = 0;
		cc_diag(sink, CC_ERROR, CC_W_syntax, tok_pos(src, t),
			"decisions are keywords in lower case: write '%s'", low);
		return;
	}
	if (t->kind == TK_IDENT && ok[0] && !ok[4]) {
		cc_diag(sink, CC_ERROR, CC_W_syntax, tok_pos(src, t),
			"unknown decision '%.*s'; expected 'allow', 'deny' or 'require_approval'",
			(int)(t->len > 40 ? 40 : t->len), src->text + t->off);
		return;
	}
	if ((t->kind == TK_PRINCIPAL || t->kind == TK_AGENT || t->kind == TK_ENVIRONMENT) && ok[4]) {
		cc_diag(sink, CC_ERROR, CC_W_syntax, tok_pos(src, t),
			"identity lists start with 'for': write 'for %.*s [...]'", (int)t->len,
			src->text + t->off);
		return;
	}
	if (!n)
		cc_diag(sink, CC_ERROR, CC_W_syntax, tok_pos(src, t), "unexpected %s", found);
	else
		cc_diag(sink, CC_ERROR, CC_W_syntax, tok_pos(src, t), "expected %s before %s", list,
			found);
}

int cc_nomos_parse_doc(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		       struct nm_doc *doc)
{
	struct nm_parser ctx;
	struct lex_err le;
	void *p;
	size_t i;
	int lexed;

	memset(doc, 0, sizeof *doc);
	memset(&le, 0, sizeof le);
	doc->src = src;
	lexed = lex_all(a, &le, src, &doc->lx);
	if (a->failed) {
		cc_diag(sink, CC_ERROR, CC_W_limit, (struct cc_pos){ src, 0, 0, 0 }, "out of memory");
		return -1;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.a = a;
	ctx.lx = &doc->lx;
	p = NomosParseAlloc(malloc, &ctx);
	if (!p)
		return -1;
	for (i = 0; i < doc->lx.n && !ctx.failed; i++)
		NomosParse(p, doc->lx.toks[i].kind, (int)i);
	NomosParseFree(p, free);
	if (ctx.oom || a->failed) {
		cc_diag(sink, CC_ERROR, CC_W_limit, (struct cc_pos){ src, 0, 0, 0 }, "out of memory");
		return -1;
	}
	if (ctx.failed) {
		report_syntax(sink, src, &doc->lx, (size_t)ctx.err_tok);
		return -1;
	}
	if (lexed) {
		struct cc_pos ep = { src, le.line, le.col, le.len };

		cc_diag(sink, CC_ERROR, le.group, ep, "%s", le.msg);
		return -1;
	}
	doc->rules = ctx.rules;
	return 0;
}

int cc_parse_nomos(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		   struct cc_bundle *out)
{
	struct nm_doc doc;

	memset(out, 0, sizeof *out);
	out->src = src;
	if (cc_nomos_parse_doc(a, sink, src, &doc))
		return -1;
	return cc_nomos_lower(a, sink, &doc, out);
}
