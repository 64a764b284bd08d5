/* cc_nomos.h: the .nomos policy language front end. Source text -> tokens with
 * comments attached (grammar/nomos_lex.re) -> syntax tree (grammar/nomos_parse.y)
 * -> the typed bundle model (cc_model.h); the same tree drives `nomosc fmt`,
 * and a bundle model can be printed back as .nomos text (`nomosc convert`). */
#ifndef NOMOS_CC_NOMOS_H
#define NOMOS_CC_NOMOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/cc_model.h"

/* Token kinds the lexer returns besides the grammar's TK_* codes. */
#define NM_TK_EOF 0
#define NM_TK_SPACE 1000   /* blanks and newlines */
#define NM_TK_COMMENT 1001 /* '#' to the end of the line */
#define NM_TK_UNTERMINATED 1002 /* a string or re"..." without its closing quote */
#define NM_TK_BAD 1003     /* a byte that starts no token */
#define NM_TK_BADNUM 1004  /* number-like text that is not a JSON number */

/* Nesting limit for lists and obligation values. */
#define NM_MAX_DEPTH 64

/* Lexes one token of text[pos..len) (text[len] must be NUL). Returns its kind
 * (a TK_* code or an NM_TK_* code) and sets *end just past it. At len returns
 * NM_TK_EOF with *end = len. Never fails: unknown bytes are NM_TK_BAD. */
int cc_nomos_lex_one(const char *text, size_t len, size_t pos, size_t *end);

/* A comment, kept for the formatter. */
struct nm_comment {
	uint32_t off, len, line, col;
	bool blank_before; /* an empty line separates it from what came before */
};

/* A significant token. Comments on lines of their own before it are its
 * leading comments; a comment after it on the same line is its trailing one. */
struct nm_token {
	int kind;
	uint32_t off, len, line, col;
	uint32_t lead, n_lead; /* comments[lead .. lead+n_lead) */
	int32_t trail;         /* index into comments, or -1 */
	bool blank_before;     /* an empty line right before it (or its comments) */
};

struct nm_lexed {
	struct nm_token *toks; /* ends with one NM_TK_EOF token */
	size_t n;
	struct nm_comment *comments;
	size_t n_comments;
};

/* Syntax tree. Token references are indices into nm_lexed.toks (-1 = absent). */
enum nm_value_kind { NM_V_STRING, NM_V_NUMBER, NM_V_TRUE, NM_V_FALSE, NM_V_NULL,
		     NM_V_ARRAY, NM_V_OBJECT };

struct nm_value;

/* One element of a bracketed sequence: a string list item (tok), an array
 * item (value) or an object member (key, colon, value); comma follows it. */
struct nm_item {
	int tok;
	int key, colon;
	struct nm_value *value;
	int comma;
	struct nm_item *next;
};

struct nm_seq {
	int open, close;
	struct nm_item *head, *tail;
	size_t n;
};

struct nm_value {
	enum nm_value_kind kind;
	int tok; /* scalars */
	struct nm_seq seq; /* arrays and objects */
};

/* One argv pattern of `when argv P or P ...`. */
struct nm_pattern {
	int or_tok;
	struct nm_seq seq;
	struct nm_pattern *next;
};

struct nm_patterns {
	struct nm_pattern *head, *tail;
};

enum nm_clause_kind { NM_C_PRINCIPAL, NM_C_AGENT, NM_C_ENVIRONMENT, NM_C_RISK,
		      NM_C_WHEN, NM_C_WITH };

struct nm_clause {
	enum nm_clause_kind kind;
	int intro; /* `for` before the first identity list, `when` before argv */
	int kw;    /* principal / agent / environment / risk / argv / with */
	struct nm_seq *list;        /* identity and risk lists */
	struct nm_pattern *patterns; /* when argv */
	struct nm_value *obj;       /* with */
	struct nm_clause *next;
};

struct nm_rule {
	int decision, action, resource, as, name;
	struct nm_clause *clauses, *last;
	struct nm_rule *next;
};

/* Parser state shared with the lemon actions (%extra_context). */
struct nm_parser {
	struct cc_arena *a;
	const struct nm_lexed *lx;
	struct nm_rule *rules, *last_rule;
	int failed;  /* a syntax error was seen */
	int err_tok; /* the offending token */
	int oom;
};

/* Tree builders called from the grammar actions. They allocate from ctx->a
 * and set ctx->oom on failure (callers check once at the end). */
void nm_rule_begin(struct nm_parser *ctx, int decision, int action, int resource, int as,
		   int name);
struct nm_clause *nm_clause_add(struct nm_parser *ctx, enum nm_clause_kind kind, int kw);
struct nm_seq *nm_seq_new(struct nm_parser *ctx);
void nm_seq_add(struct nm_parser *ctx, struct nm_seq *s, int tok, int key, int colon,
		struct nm_value *v);
void nm_seq_comma(struct nm_seq *s, int comma);
struct nm_value *nm_value_new(struct nm_parser *ctx, enum nm_value_kind kind, int tok);
struct nm_patterns *nm_patterns_add(struct nm_parser *ctx, struct nm_patterns *ps, int or_tok,
				    struct nm_seq *s);

/* A parsed source: tokens, comments and tree. */
struct nm_doc {
	const struct cc_src *src;
	struct nm_lexed lx;
	struct nm_rule *rules;
};

/* Lexes and parses src into *doc (arena-owned). Reports the first lexical or
 * syntax error (GCC shape, caret on the token, what was expected) to sink and
 * returns -1; returns 0 on success. Checks nesting and string escapes, but not
 * the rule contents (see cc_nomos_lower). */
int cc_nomos_parse_doc(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		       struct nm_doc *doc);

/* Lowers a parsed document to the bundle model: decodes strings and numbers,
 * checks duplicate clauses and keys and regex syntax, and sets
 * out->nonportable on regex matchers (the [-Wnonportable] warnings come from
 * cc_validate, as for YAML). Returns 0, or -1 when an error was reported. */
int cc_nomos_lower(struct cc_arena *a, struct cc_diag_sink *sink, const struct nm_doc *doc,
		   struct cc_bundle *out);

/* Prints doc in the canonical layout, every comment kept in place, into out.
 * Returns 0, -1 on memory, -2 if a comment could not be placed (internal
 * error: nothing may be lost, so the caller must not write the result). */
int cc_nomos_format(const struct nm_doc *doc, struct rt_buf *out);

/* Writes bundle b as .nomos source in the canonical layout (no comments).
 * Returns 0, -1 on memory, -2 when b cannot be expressed (version other than
 * v1, a field the language cannot write: the message goes to sink). */
int cc_nomos_emit(const struct cc_bundle *b, struct cc_diag_sink *sink, struct rt_buf *out);

/* Decodes a string literal lit[0..len) (quotes included, escapes already
 * checked by the lexer) into buf, which has room for len bytes. JSON escapes;
 * a lone surrogate becomes U+FFFD as in Go. Returns the decoded length. */
size_t cc_nomos_decode_string(const char *lit, size_t len, char *buf);

/* Writes s as a .nomos string literal (JSON escapes, UTF-8 kept raw). */
int cc_nomos_put_string(struct rt_buf *out, const char *s, size_t n);

/* Reports whether s[0..n) can be written as a bare identifier (not a keyword). */
bool cc_nomos_is_bare_ident(const char *s, size_t n);

/* Bundle model -> YAML (libyaml emitter) or indented JSON, for `nomosc
 * convert`. Regex matchers use the nomos extension keys. Return 0, -1 on
 * memory or emitter failure, -2 when b cannot be expressed in that format. */
int cc_emit_yaml(const struct cc_bundle *b, struct rt_buf *out);
int cc_emit_json(const struct cc_bundle *b, struct rt_buf *out);

#endif
