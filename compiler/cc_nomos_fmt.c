/* cc_nomos_fmt.c: the canonical layout of .nomos source (`nomosc fmt`) and the
 * bundle model -> .nomos printer (`nomosc convert --to nomos`). The formatter
 * walks the syntax tree and re-emits every token in canonical spelling; each
 * comment travels with the token it was attached to by the lexer, so none is
 * lost or moved to another construct. */
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_nomos.h"
#include "nomos_parse.h"

#define WIDTH 80

static const char *const keywords[] = { "allow", "deny", "require_approval", "as", "for",
					"principal", "agent", "environment", "risk", "when",
					"argv", "or", "with", "true", "false", "null" };

bool cc_nomos_is_bare_ident(const char *s, size_t n)
{
	size_t i;

	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	/* `re` right before a quote would start a regex, but a bare word is never
	 * followed by a quote in the canonical layout. */
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strlen(keywords[i]) == n && !memcmp(keywords[i], s, n))
			return false;
	return true;
}

size_t cc_nomos_decode_string(const char *s, size_t len, char *buf)
{
	size_t i, n = 0, used;

	for (i = 1; i + 1 < len; i++) {
		if (s[i] != '\\') {
			buf[n++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': /* from its backslash to the closing quote: len - i bytes */
			n += rt_utf8_put(buf + n, rt_json_u_escape(s + i - 1, len - i, &used));
			i += used - 2; /* onto the escape's last byte */
			break;
		default: buf[n++] = s[i]; break;
		}
	}
	return n;
}

int cc_nomos_put_string(struct rt_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	rt_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': rt_buf_puts(out, "\\\""); break;
		case '\\': rt_buf_puts(out, "\\\\"); break;
		case '\n': rt_buf_puts(out, "\\n"); break;
		case '\r': rt_buf_puts(out, "\\r"); break;
		case '\t': rt_buf_puts(out, "\\t"); break;
		case '\b': rt_buf_puts(out, "\\b"); break;
		case '\f': rt_buf_puts(out, "\\f"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				rt_buf_puts(out, "\\u00");
				rt_buf_putc(out, hex[c >> 4]);
				rt_buf_putc(out, hex[c & 15]);
			} else {
				rt_buf_putc(out, (char)c);
			}
		}
	}
	return rt_buf_putc(out, '"');
}

/* ---- the printer ------------------------------------------------------------ */

struct pr {
	const struct nm_doc *doc;
	struct rt_buf *out;
	struct rt_buf tmp;
	size_t line_start; /* offset of the current line in out */
	size_t col;
	bool line_empty;   /* only indentation so far */
	size_t indent;     /* where a forced line break continues */
	int32_t pending;   /* trailing comment waiting for the end of the line */
	size_t printed;
};

enum { SP = 1, BLANK_OK = 2, WORD = 4, NO_LEADS = 8 };

static const struct nm_token *tok_at(const struct pr *p, int i)
{
	return &p->doc->lx.toks[i];
}

static void put(struct pr *p, const char *s, size_t n)
{
	rt_buf_put(p->out, s, n);
	p->col += n;
}

static void spaces(struct pr *p, size_t n)
{
	while (n--)
		put(p, " ", 1);
}

static void comment_text(struct pr *p, int32_t ci)
{
	const struct nm_comment *c = &p->doc->lx.comments[ci];
	const char *s = p->doc->src->text + c->off;
	size_t n = c->len;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	put(p, s, n);
	p->printed++;
}

static void newline(struct pr *p, size_t indent)
{
	if (p->pending >= 0) {
		put(p, " ", 1);
		comment_text(p, p->pending);
		p->pending = -1;
	}
	rt_buf_putc(p->out, '\n');
	p->line_start = p->out->len;
	p->col = 0;
	spaces(p, indent);
	p->line_empty = true;
}

/* An empty line before the current (empty) line. */
static void blank(struct pr *p)
{
	if (!p->line_empty || p->line_start == 0)
		return;
	if (p->line_start >= 2 && p->out->data[p->line_start - 2] == '\n')
		return;
	p->out->len = p->line_start;
	rt_buf_putc(p->out, '\n');
	p->line_start = p->out->len;
	p->col = 0;
	spaces(p, p->indent);
}

static void leads(struct pr *p, int i, int flags)
{
	const struct nm_token *t = tok_at(p, i);
	uint32_t k;

	if (!t->n_lead)
		return;
	if (!p->line_empty)
		newline(p, p->indent);
	for (k = 0; k < t->n_lead; k++) {
		int32_t ci = (int32_t)(t->lead + k);

		if (p->doc->lx.comments[ci].blank_before && ((flags & BLANK_OK) || k > 0))
			blank(p);
		comment_text(p, ci);
		newline(p, p->indent);
	}
}

/* The canonical spelling of token i into p->tmp. */
static const char *canon(struct pr *p, int i, int flags, size_t *n)
{
	const struct nm_token *t = tok_at(p, i);
	const char *s = p->doc->src->text + t->off;

	rt_buf_reset(&p->tmp);
	if (t->kind == TK_STRING) {
		char *dec = malloc(t->len ? t->len : 1);
		size_t dn;

		if (!dec) {
			p->tmp.failed = 1;
			*n = 0;
			return "";
		}
		dn = cc_nomos_decode_string(s, t->len, dec);
		if ((flags & WORD) && cc_nomos_is_bare_ident(dec, dn))
			rt_buf_put(&p->tmp, dec, dn);
		else
			cc_nomos_put_string(&p->tmp, dec, dn);
		free(dec);
	} else if ((flags & WORD) && t->kind != TK_IDENT && t->kind != TK_STAR) {
		/* A keyword used as a name is quoted so it reads as one. */
		cc_nomos_put_string(&p->tmp, s, t->len);
	} else {
		rt_buf_put(&p->tmp, s, t->len);
	}
	*n = p->tmp.len;
	return p->tmp.data ? p->tmp.data : "";
}

/* Emits token i (or literal text when i < 0) with its comments. */
static void emit(struct pr *p, int i, const char *text, int flags)
{
	const struct nm_token *t = i >= 0 ? tok_at(p, i) : NULL;
	size_t n;
	const char *s;

	if (t && !(flags & NO_LEADS)) {
		if (t->n_lead)
			leads(p, i, flags);
		if (t->blank_before && (flags & BLANK_OK) && p->line_empty)
			blank(p);
	}
	/* A line holds at most one trailing comment, and a comment stays right
	 * after its token: when the line already owes one, the token starts a
	 * new line if it is spaced or brings a comment of its own. Breaking
	 * after the token instead would hand the pending comment to the wrong
	 * token, and the next run would move it again (fmt not idempotent). */
	if (p->pending >= 0 && !p->line_empty && ((flags & SP) || (t && t->trail >= 0)))
		newline(p, p->indent);
	else if ((flags & SP) && !p->line_empty)
		put(p, " ", 1);
	if (text) {
		put(p, text, strlen(text));
	} else if (t) {
		s = canon(p, i, flags, &n);
		put(p, s, n);
	}
	if (text || t)
		p->line_empty = false;
	if (t && t->trail >= 0)
		p->pending = t->trail;
}

/* A token that the canonical layout leaves out: its comments still print. */
static void drop(struct pr *p, int i)
{
	const struct nm_token *t;

	if (i < 0)
		return;
	t = tok_at(p, i);
	if (t->n_lead)
		leads(p, i, 0);
	if (t->trail < 0)
		return;
	if (p->pending >= 0)
		newline(p, p->indent);
	/* Nothing printed on this line to hang it on: it becomes a comment line
	 * of its own (a leading comment of what follows, on the next run too). */
	if (p->line_empty) {
		comment_text(p, t->trail);
		newline(p, p->indent);
	} else {
		p->pending = t->trail;
	}
}

/* Any comment inside [a, b] (b's trailing comment is outside). */
static bool has_comments(const struct pr *p, int a, int b)
{
	int i;

	for (i = a; i <= b; i++) {
		const struct nm_token *t = tok_at(p, i);

		if (t->n_lead || (i < b && t->trail >= 0))
			return true;
	}
	return false;
}

static size_t tok_width(struct pr *p, int i, int flags)
{
	size_t n;

	canon(p, i, flags, &n);
	return n;
}

static size_t value_width(struct pr *p, const struct nm_value *v)
{
	const struct nm_item *it;
	size_t w;

	if (v->kind != NM_V_ARRAY && v->kind != NM_V_OBJECT)
		return tok_width(p, v->tok, 0);
	if (!v->seq.n)
		return 2;
	w = v->kind == NM_V_OBJECT ? 4 : 2;
	for (it = v->seq.head; it; it = it->next) {
		if (v->kind == NM_V_OBJECT)
			w += tok_width(p, it->key, WORD) + 2;
		w += value_width(p, it->value);
		if (it->next)
			w += 2;
	}
	return w;
}

static size_t seq_width(struct pr *p, const struct nm_seq *s)
{
	const struct nm_item *it;
	size_t w = 2;

	for (it = s->head; it; it = it->next)
		w += tok_width(p, it->tok, 0) + (it->next ? 2 : 0);
	return w;
}

static void close_tok(struct pr *p, int close, const char *text, size_t indent, bool expanded)
{
	size_t save = p->indent;

	if (expanded) {
		p->indent = indent + 2;
		leads(p, close, BLANK_OK);
		p->indent = indent;
		/* The line break goes before the bracket, not after the comments. */
		if (p->line_empty) {
			p->out->len = p->line_start;
			p->col = 0;
			spaces(p, indent);
		} else {
			newline(p, indent);
		}
	}
	emit(p, close, text, expanded ? NO_LEADS : 0);
	p->indent = save;
}

/* A string or argv list: flat unless it holds comments. */
static void print_seq(struct pr *p, const struct nm_seq *s, size_t indent)
{
	const struct nm_item *it;
	bool expanded = has_comments(p, s->open, s->close);
	size_t save = p->indent;

	emit(p, s->open, "[", SP);
	p->indent = indent + 2;
	for (it = s->head; it; it = it->next) {
		if (expanded)
			newline(p, indent + 2);
		emit(p, it->tok, NULL, expanded ? (it == s->head ? 0 : BLANK_OK) : (it == s->head ? 0 : SP));
		if (it->next || expanded)
			emit(p, it->comma, ",", 0);
		else
			drop(p, it->comma);
	}
	p->indent = save;
	close_tok(p, s->close, "]", indent, expanded);
}

static void print_value(struct pr *p, const struct nm_value *v, size_t indent, int flags)
{
	const struct nm_item *it;
	bool object = v->kind == NM_V_OBJECT, expanded;
	size_t save = p->indent;

	if (v->kind != NM_V_ARRAY && !object) {
		emit(p, v->tok, NULL, flags);
		return;
	}
	expanded = has_comments(p, v->seq.open, v->seq.close) ||
		   p->col + 1 + value_width(p, v) > WIDTH;
	if (!v->seq.n && !has_comments(p, v->seq.open, v->seq.close))
		expanded = false;
	emit(p, v->seq.open, object ? "{" : "[", flags);
	p->indent = indent + 2;
	for (it = v->seq.head; it; it = it->next) {
		int first = it == v->seq.head;

		if (expanded)
			newline(p, indent + 2);
		if (object) {
			emit(p, it->key, NULL, WORD | (expanded ? (first ? 0 : BLANK_OK) : SP));
			emit(p, it->colon, ":", 0);
			print_value(p, it->value, indent + 2, SP);
		} else {
			print_value(p, it->value, indent + 2,
				    expanded ? (first ? 0 : BLANK_OK) : (first ? 0 : SP));
		}
		if (it->next || expanded)
			emit(p, it->comma, ",", 0);
		else
			drop(p, it->comma);
	}
	p->indent = save;
	if (object && !expanded && v->seq.n)
		put(p, " ", 1);
	close_tok(p, v->seq.close, object ? "}" : "]", indent, expanded);
}

static const struct nm_clause *find(const struct nm_rule *r, enum nm_clause_kind k,
				    const struct nm_clause *after)
{
	const struct nm_clause *c = after ? after->next : r->clauses;

	for (; c; c = c->next)
		if (c->kind == k)
			return c;
	return NULL;
}

static void print_when(struct pr *p, const struct nm_clause *c)
{
	const struct nm_pattern *pt;
	size_t w = p->col + 10;
	bool flat = true;

	for (pt = c->patterns; pt; pt = pt->next) {
		w += seq_width(p, &pt->seq) + (pt->or_tok >= 0 ? 4 : 0);
		if (has_comments(p, pt->seq.open, pt->seq.close) ||
		    (pt->or_tok >= 0 && has_comments(p, pt->or_tok, pt->seq.open)))
			flat = false;
	}
	if (w > WIDTH)
		flat = false;
	emit(p, c->intro, "when", 0);
	emit(p, c->kw, "argv", SP);
	if (!flat)
		p->indent = 4;
	for (pt = c->patterns; pt; pt = pt->next) {
		if (pt->or_tok >= 0) {
			if (!flat)
				newline(p, 4);
			emit(p, pt->or_tok, "or", SP);
		}
		print_seq(p, &pt->seq, flat ? 2 : 4);
	}
	p->indent = 2;
}

/* Rules with clauses stand apart: an empty line before and after them. */
static void print_rule(struct pr *p, const struct nm_rule *r, const struct nm_rule *prev)
{
	static const enum nm_clause_kind who[] = { NM_C_PRINCIPAL, NM_C_AGENT, NM_C_ENVIRONMENT };
	static const char *const who_kw[] = { "principal", "agent", "environment" };
	const struct nm_clause *c, *first_for = NULL;
	size_t k;

	if (!p->line_empty || p->out->len)
		newline(p, 0);
	p->indent = 0;
	if (prev && (prev->clauses || r->clauses))
		blank(p);
	emit(p, r->decision, NULL, BLANK_OK);
	p->indent = 2;
	emit(p, r->action, NULL, SP | WORD);
	emit(p, r->resource, NULL, SP);
	emit(p, r->as, "as", SP);
	emit(p, r->name, NULL, SP | WORD);

	for (c = r->clauses; c; c = c->next)
		if (c->kind <= NM_C_ENVIRONMENT && c->intro >= 0) {
			first_for = c;
			break;
		}
	if (first_for) {
		newline(p, 2);
		emit(p, first_for->intro, "for", 0);
		for (c = r->clauses; c; c = c->next)
			if (c != first_for && c->kind <= NM_C_ENVIRONMENT)
				drop(p, c->intro);
		for (k = 0; k < 3; k++)
			for (c = find(r, who[k], NULL); c; c = find(r, who[k], c)) {
				emit(p, c->kw, who_kw[k], SP);
				print_seq(p, c->list, 2);
			}
	}
	for (c = find(r, NM_C_RISK, NULL); c; c = find(r, NM_C_RISK, c)) {
		newline(p, 2);
		emit(p, c->kw, "risk", 0);
		print_seq(p, c->list, 2);
	}
	for (c = find(r, NM_C_WHEN, NULL); c; c = find(r, NM_C_WHEN, c)) {
		newline(p, 2);
		print_when(p, c);
	}
	for (c = find(r, NM_C_WITH, NULL); c; c = find(r, NM_C_WITH, c)) {
		newline(p, 2);
		emit(p, c->kw, "with", 0);
		print_value(p, c->obj, 2, SP);
	}
}

int cc_nomos_format(const struct nm_doc *doc, struct rt_buf *out)
{
	struct pr p;
	const struct nm_rule *r, *prev = NULL;
	int failed;

	memset(&p, 0, sizeof p);
	p.doc = doc;
	p.out = out;
	p.line_empty = true;
	p.pending = -1;
	rt_buf_init(&p.tmp);
	for (r = doc->rules; r; prev = r, r = r->next)
		print_rule(&p, r, prev);
	p.indent = 0;
	if (!p.line_empty)
		newline(&p, 0);
	/* Comments after the last rule hang on the end-of-input token. */
	leads(&p, (int)doc->lx.n - 1, BLANK_OK);
	if (!p.line_empty)
		newline(&p, 0);
	failed = p.tmp.failed;
	rt_buf_free(&p.tmp);
	if (failed || out->failed)
		return -1;
	return p.printed == doc->lx.n_comments ? 0 : -2;
}

/* ---- bundle model -> .nomos --------------------------------------------------- */

static int emit_word(struct rt_buf *b, const struct cc_str *s)
{
	if (cc_nomos_is_bare_ident(s->s, s->len))
		return rt_buf_put(b, s->s, s->len);
	return cc_nomos_put_string(b, s->s, s->len);
}

static void emit_list(struct rt_buf *b, const char *kw, const struct cc_strlist *l)
{
	size_t i;

	if (!l->present)
		return;
	rt_buf_puts(b, kw);
	rt_buf_puts(b, " [");
	for (i = 0; i < l->n; i++) {
		if (i)
			rt_buf_puts(b, ", ");
		cc_nomos_put_string(b, l->items[i].s, l->items[i].len);
	}
	rt_buf_puts(b, "]");
}

static void emit_value(struct rt_buf *b, const struct cc_value *v)
{
	size_t i;

	switch (v->kind) {
	case CC_V_NULL: rt_buf_puts(b, "null"); break;
	case CC_V_BOOL: rt_buf_puts(b, v->boolean ? "true" : "false"); break;
	case CC_V_NUMBER: rt_buf_put(b, v->text, v->len); break;
	case CC_V_STRING: cc_nomos_put_string(b, v->text, v->len); break;
	case CC_V_ARRAY:
		rt_buf_putc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				rt_buf_puts(b, ", ");
			emit_value(b, &v->items[i]);
		}
		rt_buf_putc(b, ']');
		break;
	case CC_V_OBJECT:
		rt_buf_putc(b, '{');
		for (i = 0; i < v->n; i++) {
			rt_buf_puts(b, i ? ", " : " ");
			emit_word(b, &v->members[i].key);
			rt_buf_puts(b, ": ");
			emit_value(b, &v->members[i].value);
		}
		rt_buf_puts(b, v->n ? " }" : "}");
		break;
	}
}

static int cannot(struct cc_diag_sink *sink, struct cc_pos pos, const char *what)
{
	cc_diag(sink, CC_ERROR, CC_W_schema, pos, "cannot write this bundle as .nomos: %s", what);
	return -2;
}

int cc_nomos_emit(const struct cc_bundle *b, struct cc_diag_sink *sink, struct rt_buf *out)
{
	static const char *const decisions[] = { "ALLOW", "DENY", "REQUIRE_APPROVAL" };
	static const char *const kws[] = { "allow", "deny", "require_approval" };
	struct rt_buf text;
	struct cc_arena a;
	struct cc_src src = { 0 };
	struct nm_doc doc;
	struct cc_diag_sink quiet = { 0 };
	size_t i, j, k, d;
	int rc;

	if (!b->has_version || b->version.len != 2 || memcmp(b->version.s, "v1", 2))
		return cannot(sink, b->version.pos, "the language writes only version v1 bundles");
	for (i = 0; i < b->n_rules; i++) {
		const struct cc_rule *r = &b->rules[i];

		for (d = 0; d < 3; d++)
			if (r->decision.len == strlen(decisions[d]) &&
			    !memcmp(r->decision.s, decisions[d], r->decision.len))
				break;
		if (d == 3)
			return cannot(sink, r->decision.pos, "the decision is not ALLOW, DENY or REQUIRE_APPROVAL");
		if (r->has_exec_match && (!r->has_argv_patterns || !r->n_argv_patterns))
			return cannot(sink, r->exec_match_pos, "exec_match without argv_patterns");
		if (r->has_obligations && r->obligations.kind != CC_V_OBJECT)
			return cannot(sink, r->obligations.pos, "obligations is not a mapping");
	}
	rt_buf_init(&text);
	for (i = 0; i < b->n_rules; i++) {
		const struct cc_rule *r = &b->rules[i];

		for (d = 0; d < 3; d++)
			if (r->decision.len == strlen(decisions[d]) &&
			    !memcmp(r->decision.s, decisions[d], r->decision.len))
				break;
		rt_buf_puts(&text, kws[d]);
		rt_buf_putc(&text, ' ');
		if (r->action_type.len == 1 && r->action_type.s[0] == '*')
			rt_buf_putc(&text, '*');
		else
			emit_word(&text, &r->action_type);
		rt_buf_putc(&text, ' ');
		if (r->resource_kind == CC_MATCH_REGEX) {
			rt_buf_puts(&text, "re\"");
			rt_buf_put(&text, r->resource.s, r->resource.len);
			rt_buf_putc(&text, '"');
		} else {
			cc_nomos_put_string(&text, r->resource.s, r->resource.len);
		}
		rt_buf_puts(&text, " as ");
		emit_word(&text, &r->id);
		if (r->principals.present || r->agents.present || r->environments.present) {
			rt_buf_puts(&text, " for");
			rt_buf_putc(&text, ' ');
			emit_list(&text, "principal", &r->principals);
			rt_buf_putc(&text, ' ');
			emit_list(&text, "agent", &r->agents);
			rt_buf_putc(&text, ' ');
			emit_list(&text, "environment", &r->environments);
		}
		rt_buf_putc(&text, ' ');
		emit_list(&text, "risk", &r->risk_flags);
		if (r->has_exec_match) {
			rt_buf_puts(&text, " when argv ");
			for (j = 0; j < r->n_argv_patterns; j++) {
				const struct cc_argv_pattern *ap = &r->argv_patterns[j];

				rt_buf_puts(&text, j ? " or [" : "[");
				for (k = 0; k < ap->n; k++) {
					const struct cc_argv_token *t = &ap->tokens[k];

					if (k)
						rt_buf_puts(&text, ", ");
					if (t->kind == CC_MATCH_REGEX) {
						rt_buf_puts(&text, "re\"");
						rt_buf_put(&text, t->text.s, t->text.len);
						rt_buf_putc(&text, '"');
					} else {
						cc_nomos_put_string(&text, t->text.s, t->text.len);
					}
				}
				rt_buf_putc(&text, ']');
			}
		}
		if (r->has_obligations) {
			rt_buf_puts(&text, " with ");
			emit_value(&text, &r->obligations);
		}
		rt_buf_putc(&text, '\n');
	}
	if (rt_buf_cstr(&text)) {
		rt_buf_free(&text);
		return -1;
	}
	/* Reparse the one-line form and print it in the canonical layout, so
	 * convert and fmt can never disagree. */
	src.path = "<convert>";
	src.text = text.data ? text.data : "";
	src.len = text.len;
	cc_arena_init(&a);
	rc = cc_nomos_parse_doc(&a, &quiet, &src, &doc);
	if (rc == 0)
		rc = cc_nomos_format(&doc, out);
	else
		rc = cannot(sink, b->pos, "a regex pattern contains a line break or quote the language cannot hold");
	cc_arena_free(&a);
	rt_buf_free(&text);
	return rc;
}
