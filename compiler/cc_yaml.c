/* cc_yaml.c: the YAML and JSON bundle front end. Source text -> a small node
 * tree (YAML through libyaml's event parser, JSON through yajl's callbacks) ->
 * duplicate-key scan -> typed decode into the cc_bundle model with
 * file:line:col on every node, resolving scalars, aliases and merge keys
 * exactly as Nomos v1 (Go yaml.v3 / encoding/json) would.
 *
 * JSON does not go through libyaml, a YAML 1.1 parser that accepts non-JSON
 * (`[1,]`, comments, single quotes, anchors) and rejects valid JSON
 * (surrogate-pair escapes such as "\ud83d\ude00", keys longer than 1024
 * characters). yajl checks the grammar; positions, Go's string decoding and
 * our checks around it are below ("JSON through yajl"). */
#include "compiler/cc_model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>
#include <yajl/yajl_parse.h>

#include "compiler/cc_number.h"
#include "compiler/cc_strmap.h"

/* Limits against hostile input (reported as [-Wlimit]). */
#define MAX_DEPTH 256          /* nesting of collections */
#define MAX_EXPANSION 1000000u /* nodes visited while decoding, aliases included */

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP, YN_ALIAS };

/* Scalar flavours. YAML: PLAIN is resolvable (null, bool, numbers, timestamps),
 * everything else is a string. JSON: STRING, or LITERAL for null/true/false/numbers. */
enum yscalar_style { YS_PLAIN, YS_QUOTED, YS_JSON_STRING, YS_JSON_LITERAL };

struct ynode {
	enum ynode_kind kind;
	enum yscalar_style style;
	struct cc_pos pos;
	const char *tag; /* explicit YAML tag, or NULL */
	const char *s;   /* scalar bytes (NUL-terminated; may contain NUL) */
	size_t len;
	struct ynode **kids; /* SEQ: items; MAP: key, value, key, value, ... */
	size_t n, cap;
	struct ynode *target; /* ALIAS */
};

struct anchor {
	const char *name;
	struct ynode *node;
};

struct yctx {
	struct cc_arena *a;
	struct cc_diag_sink *sink;
	const struct cc_src *src;
	int json;
	const size_t *line_off; /* byte offset of each line start */
	size_t n_lines;
	/* the last mark mark_offset resolved: libyaml's marks mostly come in
	 * order, so the next one on that line is found from there */
	size_t mark_line, mark_col, mark_off;
	int mark_ok;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	struct cc_strmap anchor_index; /* name -> index into anchors */
	/* one mapping's keys at a time: dup_scan's, then get_pairs' */
	struct cc_strmap keys;
	unsigned long visits;
	int errors;
	int limit_hit;
};

/* ---- positions ---------------------------------------------------------- */

static int build_lines(struct yctx *c)
{
	if (c->src->lines) { /* cc_read_source made them */
		c->line_off = c->src->lines;
		c->n_lines = c->src->n_lines;
		return 0;
	}
	c->line_off = cc_lines_index(c->a, c->src->text, c->src->len, &c->n_lines);
	return c->line_off ? 0 : -1;
}

/* Byte offset of a libyaml mark (0-based line, column in characters). The
 * column is counted from the last mark on the same line when it is to the
 * left, so a long line (a flow mapping of many keys) costs one pass, not one
 * per node. */
static size_t mark_offset(struct yctx *c, const yaml_mark_t *m)
{
	const char *t = c->src->text;
	size_t off, end, col = m->column;

	if (m->line >= c->n_lines)
		return c->src->len;
	off = c->line_off[m->line];
	end = m->line + 1 < c->n_lines ? c->line_off[m->line + 1] - 1 : c->src->len;
	if (m->line == 0 && c->src->len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3))
		off = 3; /* libyaml does not count the BOM */
	if (c->mark_ok && c->mark_line == m->line && c->mark_col <= col) {
		off = c->mark_off;
		col -= c->mark_col;
	}
	while (col > 0 && off < end) {
		off++;
		while (off < end && ((unsigned char)t[off] & 0xc0) == 0x80)
			off++;
		col--;
	}
	c->mark_ok = 1;
	c->mark_line = m->line;
	c->mark_col = m->column;
	c->mark_off = off;
	return off;
}

static struct cc_pos pos_at(const struct yctx *c, size_t off, size_t len)
{
	struct cc_pos p = { c->src, 1, 1, 0 };
	size_t lo = 0, hi = c->n_lines;

	while (hi - lo > 1) { /* last line start <= off */
		size_t mid = (lo + hi) / 2;

		if (c->line_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	p.line = (uint32_t)(lo + 1);
	p.col = (uint32_t)(off - c->line_off[lo] + 1);
	p.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	return p;
}

static struct cc_pos mark_pos(struct yctx *c, const yaml_mark_t *start,
			      const yaml_mark_t *end)
{
	size_t s = mark_offset(c, start), e = end ? mark_offset(c, end) : s;

	return pos_at(c, s, end && end->line == start->line && e > s ? e - s : 0);
}

/* ---- node tree ---------------------------------------------------------- */

static struct ynode *new_node(struct yctx *c, enum ynode_kind k, struct cc_pos pos)
{
	struct ynode *n = cc_arena_alloc(c->a, sizeof *n);

	if (n) {
		n->kind = k;
		n->pos = pos;
	}
	return n;
}

static int add_kid(struct yctx *c, struct ynode *parent, struct ynode *kid)
{
	if (parent->n == parent->cap) {
		size_t nc = parent->cap ? parent->cap * 2 : 8;
		struct ynode **k = cc_arena_grow(c->a, parent->kids, parent->n, nc, sizeof *k);

		if (!k)
			return -1;
		parent->kids = k;
		parent->cap = nc;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

static void oom(struct yctx *c, struct cc_pos pos)
{
	cc_diag(c->sink, CC_ERROR, CC_W_limit, pos, "out of memory");
	c->errors++;
}

/* ---- YAML through libyaml ------------------------------------------------ */

static int add_anchor(struct yctx *c, const unsigned char *name, struct ynode *n)
{
	const char *copy;
	size_t *at;
	int added;

	if (c->n_anchors == c->cap_anchors) {
		size_t nc = c->cap_anchors ? c->cap_anchors * 2 : 16;
		struct anchor *a = cc_arena_grow(c->a, c->anchors, c->n_anchors, nc, sizeof *a);

		if (!a)
			return -1;
		c->anchors = a;
		c->cap_anchors = nc;
	}
	copy = cc_arena_strdup(c->a, (const char *)name);
	if (!copy || !(at = cc_strmap_put(&c->anchor_index, 0, copy, strlen(copy), &added)))
		return -1;
	*at = c->n_anchors; /* the latest definition wins */
	c->anchors[c->n_anchors].name = copy;
	c->anchors[c->n_anchors++].node = n;
	return 0;
}

static struct ynode *find_anchor(const struct yctx *c, const unsigned char *name)
{
	const size_t *at = cc_strmap_get(&c->anchor_index, 0, (const char *)name,
					 strlen((const char *)name));

	return at ? c->anchors[*at].node : NULL;
}

static const char *copy_tag(struct yctx *c, const unsigned char *tag)
{
	return tag ? cc_arena_strdup(c->a, (const char *)tag) : NULL;
}

/* Parses YAML text into *root (NULL for an empty stream). Returns 0 or -1. */
static int yaml_tree(struct yctx *c, struct ynode **root)
{
	yaml_parser_t p;
	yaml_event_t e;
	struct ynode *stack[MAX_DEPTH + 1];
	const unsigned char *anchors[MAX_DEPTH + 1];
	size_t depth = 0;
	int docs = 0, rc = -1, done = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&p)) {
		oom(c, pos_at(c, 0, 0));
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)c->src->text, c->src->len);
	while (!done) {
		struct ynode *n = NULL;
		const unsigned char *anchor = NULL;

		if (!yaml_parser_parse(&p, &e)) {
			struct cc_pos pos = mark_pos(c, &p.problem_mark, NULL);

			/* The reader (encoding) sets no mark, only a byte offset. */
			if (p.error == YAML_READER_ERROR) {
				const char *what = p.problem ? p.problem : "invalid input";
				size_t off = p.problem_offset < c->src->len ? p.problem_offset
									    : c->src->len;
				size_t k;

				/* a bad trailing octet: point at the sequence's first byte */
				for (k = 0; k < 3 && off > 0 && strstr(what, "trailing") &&
					    ((unsigned char)c->src->text[off] & 0xc0) != 0xc0;
				     k++)
					off--;
				pos = pos_at(c, off, 1);
				cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos, "yaml: %s%s", what,
					strstr(what, "UTF-8") ? " (a bundle must be UTF-8 text)" : "");
			} else if (p.context) {
				cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos, "yaml: %s %s",
					p.problem ? p.problem : "syntax error", p.context);
			} else {
				cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos, "yaml: %s",
					p.problem ? p.problem : "syntax error");
			}
			c->errors++;
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			rc = 0;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				cc_diag(c->sink, CC_ERROR, CC_W_syntax, mark_pos(c, &e.start_mark, NULL),
					"bundle contains trailing data (a second YAML document; a bundle "
					"file holds exactly one)");
				c->errors++;
				done = 1;
			}
			break;
		case YAML_SCALAR_EVENT:
			n = new_node(c, YN_SCALAR, mark_pos(c, &e.start_mark, &e.end_mark));
			if (!n)
				break;
			n->s = cc_arena_strndup(c->a, (const char *)e.data.scalar.value,
						e.data.scalar.length);
			n->len = e.data.scalar.length;
			n->style = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? YS_PLAIN : YS_QUOTED;
			n->tag = copy_tag(c, e.data.scalar.tag);
			anchor = e.data.scalar.anchor;
			break;
		case YAML_ALIAS_EVENT:
			n = new_node(c, YN_ALIAS, mark_pos(c, &e.start_mark, &e.end_mark));
			if (!n)
				break;
			n->target = find_anchor(c, e.data.alias.anchor);
			if (!n->target) {
				cc_diag(c->sink, CC_ERROR, CC_W_syntax, n->pos,
					"yaml: unknown anchor '%s' referenced", e.data.alias.anchor);
				c->errors++;
				done = 1;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			n = new_node(c, e.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP,
				     mark_pos(c, &e.start_mark, NULL));
			if (!n)
				break;
			n->tag = copy_tag(c, e.type == YAML_SEQUENCE_START_EVENT
						     ? e.data.sequence_start.tag
						     : e.data.mapping_start.tag);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth == 0)
				break;
			depth--;
			/* Anchors of collections become visible when they are complete,
			 * so an alias can never point into its own ancestor (a cycle). */
			if (anchors[depth] && add_anchor(c, anchors[depth], stack[depth]))
				oom(c, stack[depth]->pos);
			free((void *)(uintptr_t)anchors[depth]);
			break;
		default:
			break;
		}
		if (n) {
			if (depth > 0 ? add_kid(c, stack[depth - 1], n) : (*root ? 0 : (*root = n, 0)))
				oom(c, n->pos);
			if (n->kind == YN_SEQ || n->kind == YN_MAP) {
				const unsigned char *an = n->kind == YN_SEQ ? e.data.sequence_start.anchor
									     : e.data.mapping_start.anchor;

				if (depth >= MAX_DEPTH) {
					cc_diag(c->sink, CC_ERROR, CC_W_limit, n->pos,
						"nesting deeper than %d levels", MAX_DEPTH);
					c->errors++;
					done = 1;
				} else {
					stack[depth] = n;
					/* keep the anchor name until the end event */
					anchors[depth++] = an ? (const unsigned char *)strdup((const char *)an)
							      : NULL;
				}
			} else if (anchor && add_anchor(c, anchor, n)) {
				oom(c, n->pos);
			}
		} else if ((e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT ||
			    e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) &&
			   !c->errors) {
			oom(c, pos_at(c, 0, 0));
			done = 1;
		}
		yaml_event_delete(&e);
	}
	while (depth > 0)
		free((void *)(uintptr_t)anchors[--depth]);
	yaml_parser_delete(&p);
	if (rc == 0 && docs == 0) {
		cc_diag(c->sink, CC_ERROR, CC_W_schema, pos_at(c, 0, 0),
			"empty yaml document (a bundle needs version: v1 and rules)");
		c->errors++;
		rc = -1;
	}
	return c->errors ? -1 : rc;
}

/* ---- JSON through yajl -----------------------------------------------------
 * yajl checks the RFC 8259 grammar and calls back once per token; the
 * callbacks build the same node tree as for YAML. What yajl does not do, or
 * does otherwise than Go's encoding/json, stays here:
 * - positions: yajl only says how many bytes it has consumed. Inside a
 *   callback that is the end of the token just read, so a node's start is
 *   found from there (a string's opening quote by a scan back).
 * - strings: yajl joins a high surrogate with whatever \u escape follows and
 *   turns a lone one into '?', so a token with \u escapes is decoded here
 *   from its raw text, Go's way. Invalid UTF-8 (let through by
 *   yajl_dont_validate_strings) becomes U+FFFD, as in Go.
 * - white space: yajl also skips \f and \v between tokens; JSON does not.
 * - a BOM, an empty document, trailing data (yajl_allow_trailing_garbage,
 *   then our check) and the nesting cap: our checks and messages.
 * - duplicate keys: dup_scan on the tree, as for YAML. */

/* What the last token a callback saw was, which tells the separator yajl's
 * parser accepts after it: ',' after a value, ':' after a key, none after an
 * opening bracket. */
enum jafter { JA_OPEN, JA_KEY, JA_VALUE };

struct jbuild {
	struct yctx *c;
	yajl_handle h;
	const char *t;
	size_t n;
	int finishing; /* inside yajl_complete_parse */
	struct ynode *open[MAX_DEPTH];
	size_t depth;
	struct ynode *root;
	size_t last_end; /* where the last token a callback saw ends */
	enum jafter after;
};

/* yajl's memory comes from the compile arena (no frees on error paths). Each
 * block starts with its size, for realloc; free does nothing. */
#define JHDR 16u /* keeps the arena's 16-byte alignment */

static void *j_malloc(void *ud, size_t n)
{
	unsigned char *p = n > SIZE_MAX - JHDR ? NULL : cc_arena_alloc(ud, n + JHDR);

	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + JHDR;
}

static void *j_realloc(void *ud, void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return j_malloc(ud, n);
	memcpy(&old, (unsigned char *)p - JHDR, sizeof old);
	if (n <= old)
		return p;
	q = j_malloc(ud, n);
	if (q)
		memcpy(q, p, old);
	return q;
}

static void j_free(void *ud, void *p)
{
	(void)ud;
	(void)p;
}

static int j_json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* What yajl skips between tokens: \f and \v too. */
static int j_yajl_space(char ch)
{
	return j_json_space(ch) || ch == '\f' || ch == '\v';
}

static int j_is_letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The first offset from t[i] on that is not JSON white space. */
static size_t j_skip_ws(const char *t, size_t n, size_t i)
{
	while (i < n && j_json_space(t[i]))
		i++;
	return i;
}

/* The end of the token yajl has just handed to a callback. While it finishes
 * (yajl_complete_parse feeds it one space), that token ran to the end. */
static size_t j_end(const struct jbuild *b)
{
	size_t e = b->finishing ? b->n : yajl_get_bytes_consumed(b->h);

	return e < b->n ? e : b->n;
}

/* A node for the token t[at..end), added to the open container or made the
 * root. NULL (reported) when memory ran out. */
static struct ynode *j_node(struct jbuild *b, enum ynode_kind k, size_t at, size_t end)
{
	struct ynode *n = new_node(b->c, k, pos_at(b->c, at, end - at));

	if (!n || (b->depth ? add_kid(b->c, b->open[b->depth - 1], n) : (b->root = n, 0))) {
		oom(b->c, pos_at(b->c, at, 1));
		return NULL;
	}
	b->last_end = end;
	b->after = JA_VALUE;
	return n;
}

/* null, true, false and numbers keep their literal text (yajl checked the
 * number grammar; cc_number_from_json reads it as Go does). */
static int j_literal(struct jbuild *b, const char *s, size_t len)
{
	size_t end = j_end(b);
	struct ynode *n = j_node(b, YN_SCALAR, end - len, end);

	if (!n)
		return 0;
	n->style = YS_JSON_LITERAL;
	n->s = cc_arena_strndup(b->c->a, s, len);
	n->len = len;
	if (!n->s)
		oom(b->c, n->pos);
	return n->s != NULL;
}

static int j_null(void *ud)
{
	return j_literal(ud, "null", 4);
}

static int j_bool(void *ud, int truth)
{
	return truth ? j_literal(ud, "true", 4) : j_literal(ud, "false", 5);
}

static int j_number(void *ud, const char *s, size_t len)
{
	return j_literal(ud, s, len);
}

/* Where the string token whose closing quote is t[end - 1] opens: the nearest
 * quote before it that no odd run of backslashes escapes (any quote inside a
 * string is escaped). */
static size_t j_string_start(const struct jbuild *b, size_t end)
{
	size_t i = end ? end - 1 : 0;

	while (i-- > 0) {
		size_t k = 0;

		if (b->t[i] != '"')
			continue;
		while (k < i && b->t[i - 1 - k] == '\\')
			k++;
		if (k % 2 == 0)
			return i;
	}
	return 0;
}

/* Whether the raw text s[0..n) between a token's quotes has a \u escape. */
static int has_u_escape(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u')
			return 1;
		i++; /* the escaped byte, which may be a backslash */
	}
	return 0;
}

/* Decodes s[0..n) into out (3n + 1 bytes suffice) as Go's encoding/json
 * does: escapes when esc (s is then a token's raw text between its quotes,
 * its escapes checked by yajl), surrogate pairs joined, lone surrogates and
 * invalid UTF-8 bytes replaced by U+FFFD. Returns the length. */
static size_t go_string(const char *s, size_t n, int esc, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t i = 0, k = 0, l;

	while (i < n) {
		if (esc && s[i] == '\\' && s[i + 1] != 'u') {
			out[k++] = to[strchr(from, s[i + 1]) - from];
			i += 2;
		} else if (esc && s[i] == '\\') { /* \uXXXX: yajl checked the digits */
			k += rt_utf8_put(out + k, rt_json_u_escape(s + i, n - i, &l));
			i += l;
		} else if ((l = rt_utf8_len((const unsigned char *)s + i, n - i)) != 0) {
			memcpy(out + k, s + i, l);
			i += l;
			k += l;
		} else {
			k += rt_utf8_put(out + k, 0xfffd);
			i++;
		}
	}
	return k;
}

/* A string or key token: s[0..len) is yajl's text, in place when the token
 * has no escapes, else yajl's decoding. */
static int j_text(struct jbuild *b, const unsigned char *s, size_t len, enum jafter after)
{
	const char *p = (const char *)s;
	size_t end = j_end(b), at;
	int esc = 0;
	struct ynode *n;
	char *out;

	if ((uintptr_t)p > (uintptr_t)b->t && (uintptr_t)p <= (uintptr_t)(b->t + b->n)) {
		at = (size_t)(p - b->t) - 1;
	} else {
		at = j_string_start(b, end);
		if (has_u_escape(b->t + at + 1, end - at - 2)) {
			p = b->t + at + 1;
			len = end - at - 2;
			esc = 1;
		}
	}
	n = j_node(b, YN_SCALAR, at, end);
	if (!n)
		return 0;
	b->after = after;
	n->style = YS_JSON_STRING;
	out = cc_arena_array(b->c->a, len + 1, 3); /* zeroed, so NUL-terminated */
	if (!out) {
		oom(b->c, n->pos);
		return 0;
	}
	n->len = go_string(p, len, esc, out);
	n->s = out;
	return 1;
}

static int j_string(void *ud, const unsigned char *s, size_t len)
{
	return j_text(ud, s, len, JA_VALUE);
}

static int j_key(void *ud, const unsigned char *s, size_t len)
{
	return j_text(ud, s, len, JA_KEY);
}

static int j_open(struct jbuild *b, enum ynode_kind k)
{
	size_t end = j_end(b);
	struct ynode *n;

	if (b->depth >= MAX_DEPTH) {
		cc_diag(b->c->sink, CC_ERROR, CC_W_limit, pos_at(b->c, end - 1, 1),
			"nesting deeper than %d levels", MAX_DEPTH);
		b->c->errors++;
		return 0;
	}
	n = j_node(b, k, end - 1, end);
	if (!n)
		return 0;
	b->open[b->depth++] = n;
	b->after = JA_OPEN;
	return 1;
}

static int j_start_map(void *ud)
{
	return j_open(ud, YN_MAP);
}

static int j_start_array(void *ud)
{
	return j_open(ud, YN_SEQ);
}

static int j_close(void *ud)
{
	struct jbuild *b = ud;

	b->depth--;
	b->last_end = j_end(b);
	b->after = JA_VALUE;
	return 1;
}

/* The first \f or \v before t[limit], which yajl skipped as white space
 * (inside a string yajl refuses them itself): reported, 1; else 0. */
static int j_bad_space(struct jbuild *b, size_t limit)
{
	size_t i;

	for (i = 0; i < limit; i++)
		if (b->t[i] == '\f' || b->t[i] == '\v') {
			cc_diag(b->c->sink, CC_ERROR, CC_W_syntax, pos_at(b->c, i, 1),
				"json: %s is not JSON white space (only space, tab, CR and LF are); "
				"remove it", b->t[i] == '\f' ? "a form feed (\\f)" : "a vertical tab (\\v)");
			b->c->errors++;
			return 1;
		}
	return 0;
}

/* Where the token yajl's parser refused starts. yajl's offset is then past
 * it, or partly wound back, so it is found from the end of the last token a
 * callback saw: past white space and the one separator the parser accepted
 * there, if any. */
static size_t j_refused(const struct jbuild *b)
{
	size_t i = b->last_end;

	while (i < b->n && j_yajl_space(b->t[i]))
		i++;
	if (i < b->n && ((b->after == JA_VALUE && b->t[i] == ',') ||
			 (b->after == JA_KEY && b->t[i] == ':')))
		for (i++; i < b->n && j_yajl_space(b->t[i]); i++)
			;
	return i;
}

/* A hint for the mistake the byte at t[at] shows, if it is a common one;
 * tok is where the token holding it starts. */
static const char *j_hint(const struct jbuild *b, const char *what, size_t at, size_t tok)
{
	const char *t = b->t;
	char ch = at < b->n ? t[at] : 0, next = at + 1 < b->n ? t[at + 1] : 0;
	/* yajl's "invalid char", "invalid string" and "probable comment" errors:
	 * no JSON token starts with this byte (or word) */
	int stray = strstr(what, "in json text") || strstr(what, "probable comment");
	size_t prev = at;

	while (prev > 0 && j_yajl_space(t[prev - 1]))
		prev--;
	if (stray && (ch == '#' || (ch == '/' && (next == '/' || next == '*'))))
		return "comments are not allowed in JSON; remove it";
	if (stray && ch == '\'')
		return "JSON strings use double quotes, not single quotes";
	if ((stray && ch && strchr("&*!|>%", ch)) ||
	    (tok == j_skip_ws(t, b->n, 0) &&
	     (j_is_letter(t[tok]) || (t[tok] == '-' && (tok + 1 >= b->n || t[tok + 1] == '-' ||
							j_yajl_space(t[tok + 1]))))))
		return "YAML syntax is not allowed in a JSON bundle; name the file .yaml to use it";
	if (stray && j_is_letter(ch))
		return "strings need double quotes";
	if ((ch == ']' || ch == '}') && prev > 0 && t[prev - 1] == ',')
		return "JSON does not allow a trailing comma; remove it";
	if (ch && (unsigned char)ch < 0x20 && strstr(what, "invalid character inside string"))
		return "a control character in a string must be escaped, e.g. \\t or \\u0001";
	if (!strncmp(what, "parse", 5) && ch >= '0' && ch <= '9' && at > 0 && t[at - 1] == '0')
		return "a JSON number has no leading zeros";
	if (ch == '"' && strstr(what, "premature EOF"))
		return "the string is not closed";
	return NULL;
}

/* Reports yajl's syntax error at the byte it is about, with a hint where that
 * byte shows a common mistake. */
static void j_syntax_error(struct jbuild *b)
{
	unsigned char *msg = yajl_get_error(b->h, 0, NULL, 0);
	char what[200];
	const char *hint;
	size_t k, at, tok, len = 1;

	snprintf(what, sizeof what, "%s", msg ? (const char *)msg : "syntax error");
	if (msg)
		yajl_free_error(b->h, msg);
	for (k = strlen(what); k > 0 && strchr(".\n ", what[k - 1]); k--)
		what[k - 1] = 0;
	if (strncmp(what, "lexical", 7)) {
		at = j_refused(b);
	} else {
		/* the lexer stops past a byte that starts no token, inside a
		 * misspelt true, false or null, on the byte after a backslash it
		 * refuses, else on the byte it refuses */
		at = b->finishing ? b->n : yajl_get_bytes_consumed(b->h);
		if (at > b->n)
			at = b->n;
		if (strstr(what, "invalid char in json text") && at > 0) {
			at--;
		} else if (strstr(what, "invalid string in json text")) {
			while (at > 0 && j_is_letter(b->t[at - 1]))
				at--;
		} else if (strstr(what, "occurs before a character") && at > 0) {
			at--;
			len = 2;
		}
	}
	if (j_bad_space(b, at))
		return;
	tok = at;
	if (strstr(what, "malformed number"))
		while (tok > 0 && b->t[tok - 1] && strchr("+-.0123456789eE", b->t[tok - 1]))
			tok--;
	if (strstr(what, "in json text") && j_is_letter(b->t[at])) /* underline the word */
		while (at + len < b->n && j_is_letter(b->t[at + len]))
			len++;
	hint = j_hint(b, what, at, tok);
	cc_diag(b->c->sink, CC_ERROR, CC_W_syntax, pos_at(b->c, at, len), "json: %s%s%s%s", what,
		hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	b->c->errors++;
}

/* Parses JSON text into *root. Returns 0, or -1 when reported. */
static int json_tree(struct yctx *c, struct ynode **root)
{
	static const yajl_callbacks cbs = { j_null,	   j_bool, NULL,    NULL,
					    j_number,	   j_string, j_start_map, j_key,
					    j_close,	   j_start_array, j_close };
	yajl_alloc_funcs af = { j_malloc, j_realloc, j_free, NULL };
	struct jbuild b;
	yajl_status st;
	size_t end;

	*root = NULL;
	if (c->src->len >= 3 && !memcmp(c->src->text, "\xef\xbb\xbf", 3)) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, 0, 1),
			"invalid character 'ï' looking for beginning of value (a UTF-8 byte order "
			"mark is not allowed in JSON; remove it)");
		c->errors++;
		return -1;
	}
	end = j_skip_ws(c->src->text, c->src->len, 0);
	if (end >= c->src->len) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, end, 0),
			"empty JSON document (a bundle needs \"version\": \"v1\" and \"rules\")");
		c->errors++;
		return -1;
	}
	memset(&b, 0, sizeof b);
	b.c = c;
	b.t = c->src->text;
	b.n = c->src->len;
	b.after = JA_OPEN;
	af.ctx = c->a;
	b.h = yajl_alloc(&cbs, &af, &b);
	if (!b.h) {
		oom(c, pos_at(c, 0, 0));
		return -1;
	}
	yajl_config(b.h, yajl_allow_trailing_garbage, 1);
	yajl_config(b.h, yajl_dont_validate_strings, 1);
	st = yajl_parse(b.h, (const unsigned char *)b.t, b.n);
	end = yajl_get_bytes_consumed(b.h); /* where the value ends, if it did */
	if (st == yajl_status_ok) {
		b.finishing = 1;
		st = yajl_complete_parse(b.h);
	}
	if (st == yajl_status_client_canceled) {
		if (!c->errors) /* a callback reports what it refuses */
			oom(c, pos_at(c, 0, 0));
	} else if (st != yajl_status_ok) {
		j_syntax_error(&b);
	} else if (!j_bad_space(&b, end) && (end = j_skip_ws(b.t, b.n, end)) < b.n) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, end, 1),
			"bundle contains trailing data (a JSON bundle is exactly one object)");
		c->errors++;
	}
	yajl_free(b.h);
	*root = b.root;
	return c->errors ? -1 : 0;
}

/* ---- helpers for the typed decode ----------------------------------------- */

static const char *kind_name(const struct ynode *n)
{
	switch (n->kind) {
	case YN_SEQ:
		return "a sequence";
	case YN_MAP:
		return "a mapping";
	default:
		return "a scalar";
	}
}

/* Follows aliases, counting node visits against the expansion limit. */
static const struct ynode *deref(struct yctx *c, const struct ynode *n)
{
	if (++c->visits > MAX_EXPANSION && !c->limit_hit) {
		c->limit_hit = 1;
		cc_diag(c->sink, CC_ERROR, CC_W_limit, n->pos,
			"YAML aliases expand to more than %u nodes", MAX_EXPANSION);
		c->errors++;
	}
	while (n && n->kind == YN_ALIAS)
		n = n->target;
	return n;
}

static int is_tag(const struct ynode *n, const char *short_name)
{
	static const char long_prefix[] = "tag:yaml.org,2002:";

	if (!n->tag)
		return 0;
	if (n->tag[0] == '!' && n->tag[1] == '!')
		return !strcmp(n->tag + 2, short_name);
	return !strncmp(n->tag, long_prefix, sizeof long_prefix - 1) &&
	       !strcmp(n->tag + sizeof long_prefix - 1, short_name);
}

/* A scalar that means null for typed fields. */
static int is_null(const struct ynode *n)
{
	struct cc_yaml_scalar r;

	if (n->kind != YN_SCALAR)
		return 0;
	if (n->style == YS_JSON_LITERAL)
		return !strcmp(n->s, "null");
	if (n->style != YS_PLAIN || (n->tag && !is_tag(n, "null")))
		return 0;
	cc_number_from_yaml(n->s, n->len, &r);
	return r.kind == CC_Y_NULL;
}

static const char *json_kind(const struct ynode *n)
{
	if (n->kind == YN_SEQ)
		return "an array";
	if (n->kind == YN_MAP)
		return "an object";
	if (n->style == YS_JSON_STRING)
		return "a string";
	if (!strcmp(n->s, "true") || !strcmp(n->s, "false"))
		return "a boolean";
	return "a number";
}

static void err(struct yctx *c, enum cc_diag_group g, struct cc_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void err(struct yctx *c, enum cc_diag_group g, struct cc_pos pos, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cc_diag(c->sink, CC_ERROR, g, pos, "%s", msg);
	c->errors++;
}

/* A [-Wstrict] problem: an error, unless the sink downgrades the group
 * (`--compat`), in which case the caller falls back to upstream behaviour.
 * Returns 1 when it counted as an error. */
static int strict(struct yctx *c, struct cc_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int strict(struct yctx *c, struct cc_pos pos, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	unsigned before = c->sink->errors;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cc_diag(c->sink, CC_ERROR, CC_W_strict, pos, "%s", msg);
	if (c->sink->errors == before)
		return 0;
	c->errors++;
	return 1;
}

/* Decodes a string-typed field: YAML scalars give their literal text (so
 * `id: 123` is "123"), null gives "" (absent); JSON accepts strings and null. */
static void get_string(struct yctx *c, const struct ynode *n, const char *what, struct cc_str *out)
{
	n = deref(c, n);
	out->pos = n->pos;
	out->s = "";
	out->len = 0;
	if (n->kind != YN_SCALAR) {
		if (c->json)
			err(c, CC_W_schema, n->pos, "%s must be a string, found %s", what,
			    json_kind(n));
		else
			err(c, CC_W_schema, n->pos, "%s must be a string, found %s", what,
			    kind_name(n));
		return;
	}
	if (is_null(n))
		return;
	if (c->json && n->style == YS_JSON_LITERAL) {
		err(c, CC_W_schema, n->pos, "%s must be a string, found %s (write it in double quotes)",
		    what, json_kind(n));
		return;
	}
	out->s = n->s;
	out->len = n->len;
}

static void get_strlist(struct yctx *c, const struct ynode *n, const char *what,
			struct cc_strlist *out)
{
	size_t i;

	n = deref(c, n);
	out->present = true;
	out->pos = n->pos;
	if (is_null(n))
		return;
	if (n->kind != YN_SEQ) {
		err(c, CC_W_schema, n->pos, "%s must be a list of strings, e.g. [\"a\", \"b\"]", what);
		return;
	}
	out->items = cc_arena_array(c->a, n->n ? n->n : 1, sizeof *out->items);
	if (!out->items) {
		oom(c, n->pos);
		return;
	}
	for (i = 0; i < n->n; i++)
		get_string(c, n->kids[i], what, &out->items[i]);
	out->n = n->n;
}

/* Key text of a mapping key node (scalars only). */
static int key_text(struct yctx *c, const struct ynode *k, const char **s, size_t *len)
{
	k = deref(c, k);
	if (k->kind != YN_SCALAR) {
		err(c, CC_W_schema, k->pos, "mapping keys must be scalars, found %s", kind_name(k));
		return -1;
	}
	*s = k->s;
	*len = k->len;
	if (k->style == YS_PLAIN && is_null(k)) {
		*s = "";
		*len = 0;
	}
	return 0;
}

static int is_merge_key(const struct yctx *c, const struct ynode *k)
{
	return !c->json && k->kind == YN_SCALAR && k->style == YS_PLAIN && k->len == 2 &&
	       !memcmp(k->s, "<<", 2) && (!k->tag || is_tag(k, "merge"));
}

/* Effective key/value pairs of a mapping after yaml.v3 merge-key semantics:
 * the mapping's own keys win, then each merged mapping in order (recursively),
 * never overriding a key already set. The keys so far are in c->keys (key
 * bytes -> index in kv), so a lookup does not scan them. */
struct pairs {
	const struct ynode **kv; /* key, value, ... */
	size_t n, cap;
	size_t nonscalar; /* 1 + index in kv of the first non-scalar key, or 0 */
};

/* Index in p->kv of the pair whose key has scalar k's bytes, SIZE_MAX when
 * none; k is then recorded as the key of the pair about to be added at
 * p->n. A non-scalar key has no bytes and has always compared as empty, so
 * an empty key after one counts as present (the non-scalar key is reported
 * when the pairs are decoded). */
static size_t pairs_find(struct yctx *c, struct pairs *p, const struct ynode *k)
{
	size_t *at;
	int added;

	if (k->len == 0 && p->nonscalar)
		return p->nonscalar - 1;
	at = cc_strmap_put(&c->keys, 0, k->s, k->len, &added);
	if (!at) {
		oom(c, k->pos);
		return SIZE_MAX;
	}
	if (!added && *at < p->n)
		return *at;
	*at = p->n;
	return SIZE_MAX;
}

static int pairs_add(struct yctx *c, struct pairs *p, const struct ynode *k, const struct ynode *v)
{
	if (p->n + 2 > p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		const struct ynode **kv = cc_arena_grow(c->a, (void *)p->kv, p->n, nc, sizeof *kv);

		if (!kv)
			return -1;
		p->kv = kv;
		p->cap = nc;
	}
	p->kv[p->n++] = k;
	p->kv[p->n++] = v;
	if (k->kind != YN_SCALAR && !p->nonscalar)
		p->nonscalar = p->n - 1;
	return 0;
}

static void collect_pairs(struct yctx *c, const struct ynode *m, struct pairs *p, unsigned depth)
{
	size_t i, j, at;

	/* Past the expansion limit (reported once by deref), merging on would
	 * only go over the same maps again: aliases of merged maps that merge
	 * aliases grow exponentially, and a big map merged through many aliases
	 * is read once per alias. */
	if (c->limit_hit)
		return;
	if (depth > MAX_DEPTH) {
		err(c, CC_W_limit, m->pos, "merge keys nest deeper than %d levels", MAX_DEPTH);
		return;
	}
	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = deref(c, m->kids[i]);

		if (k->kind == YN_SCALAR && is_merge_key(c, k))
			continue;
		if (k->kind == YN_SCALAR && (at = pairs_find(c, p, k)) != SIZE_MAX) {
			if (c->json) /* encoding/json: the last duplicate wins (--compat only) */
				p->kv[at + 1] = m->kids[i + 1];
			continue;
		}
		if (pairs_add(c, p, k, m->kids[i + 1]))
			oom(c, k->pos);
	}
	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->kids[i], *v;

		if (c->limit_hit)
			return;
		if (!is_merge_key(c, k))
			continue;
		v = deref(c, m->kids[i + 1]);
		if (v->kind == YN_MAP) {
			collect_pairs(c, v, p, depth + 1);
		} else if (v->kind == YN_SEQ) {
			for (j = 0; j < v->n; j++) {
				const struct ynode *item = deref(c, v->kids[j]);

				if (item->kind != YN_MAP)
					err(c, CC_W_schema, item->pos,
					    "map merge requires map or sequence of maps as the value");
				else
					collect_pairs(c, item, p, depth + 1);
			}
		} else {
			err(c, CC_W_schema, v->pos,
			    "map merge requires map or sequence of maps as the value");
		}
	}
}

/* Not reentrant: c->keys holds this mapping's keys until it returns. */
static void get_pairs(struct yctx *c, const struct ynode *m, struct pairs *p)
{
	memset(p, 0, sizeof *p);
	cc_strmap_clear(&c->keys);
	collect_pairs(c, m, p, 0);
}

/* ---- duplicate keys (before typed decoding, aliases not followed) ---------- */

/* Longest key or path a duplicate-key message shows: err and strict cut the
 * message shorter anyway, and without a bound each message would read a
 * long path to its end (many duplicates under one long key). */
#define DUP_SHOWN 1000

static void dup_scan(struct yctx *c, const struct ynode *n, struct rt_buf *path)
{
	size_t i, mark = path->len;
	char idx[32];

	if (n->kind == YN_MAP) {
		cc_strmap_clear(&c->keys);
		for (i = 0; i + 1 < n->n; i += 2) {
			const struct ynode *ki = n->kids[i];
			int added;

			if (ki->kind != YN_SCALAR)
				continue;
			if (!cc_strmap_put(&c->keys, 0, ki->s, ki->len, &added)) {
				oom(c, ki->pos);
				return;
			}
			if (added)
				continue;
			rt_buf_cstr(path);
			if (c->json)
				strict(c, ki->pos,
				       "duplicate json key \"%.*s\" at %.*s (Nomos v1 silently keeps the "
				       "last one; remove one of them)", DUP_SHOWN, ki->s, DUP_SHOWN,
				       path->data ? path->data : "$");
			else
				err(c, CC_W_schema, ki->pos, "duplicate yaml key \"%.*s\" at %.*s",
				    DUP_SHOWN, ki->s, DUP_SHOWN, path->data ? path->data : "$");
		}
		for (i = 0; i + 1 < n->n; i += 2) {
			const struct ynode *k = n->kids[i];

			rt_buf_putc(path, '.');
			if (k->kind == YN_SCALAR)
				rt_buf_put(path, k->s, k->len);
			dup_scan(c, n->kids[i + 1], path);
			path->len = mark;
		}
	} else if (n->kind == YN_SEQ) {
		for (i = 0; i < n->n; i++) {
			snprintf(idx, sizeof idx, "[%zu]", i);
			rt_buf_puts(path, idx);
			dup_scan(c, n->kids[i], path);
			path->len = mark;
		}
	}
}

/* ---- obligation values ------------------------------------------------------ */

static int convert_value(struct yctx *c, const struct ynode *n, struct cc_value *out, unsigned depth);

static int set_text(struct yctx *c, struct cc_value *out, const char *s, size_t n)
{
	out->text = cc_arena_strndup(c->a, s, n);
	out->len = n;
	return out->text ? 0 : -1;
}

static int convert_scalar(struct yctx *c, const struct ynode *n, struct cc_value *out)
{
	struct cc_yaml_scalar r;
	char num[CC_NUMBER_MAX];
	int k;

	out->pos = n->pos;
	if (n->style == YS_JSON_STRING || n->style == YS_QUOTED || is_tag(n, "str") ||
	    is_tag(n, "binary")) {
		out->kind = CC_V_STRING;
		out->text = n->s;
		out->len = n->len;
		return 0;
	}
	if (n->style == YS_JSON_LITERAL) {
		if (!strcmp(n->s, "null")) {
			out->kind = CC_V_NULL;
		} else if (!strcmp(n->s, "true") || !strcmp(n->s, "false")) {
			out->kind = CC_V_BOOL;
			out->boolean = n->s[0] == 't';
		} else {
			k = cc_number_from_json(n->s, n->len, num);
			if (k < 0) {
				err(c, CC_W_schema, n->pos,
				    "json: cannot unmarshal number %s into Go value of type float64 "
				    "(out of range)", n->s);
				return -1;
			}
			out->kind = CC_V_NUMBER;
			return set_text(c, out, num, (size_t)k);
		}
		return 0;
	}
	if (n->tag && !is_tag(n, "null") && !is_tag(n, "bool") && !is_tag(n, "int") &&
	    !is_tag(n, "float") && !is_tag(n, "timestamp")) {
		err(c, CC_W_schema, n->pos, "unsupported YAML tag '%s' (use plain or quoted scalars)",
		    n->tag);
		return -1;
	}
	cc_number_from_yaml(n->s, n->len, &r);
	if (n->tag) {
		static const char *const want[] = { "str", "null", "bool", "int", "float", "timestamp" };

		if (!is_tag(n, want[r.kind]) && !(r.kind == CC_Y_INT && is_tag(n, "float"))) {
			err(c, CC_W_schema, n->pos, "cannot decode '%s' as %s", n->s, n->tag);
			return -1;
		}
	}
	switch (r.kind) {
	case CC_Y_NULL:
		out->kind = CC_V_NULL;
		return 0;
	case CC_Y_BOOL:
		out->kind = CC_V_BOOL;
		out->boolean = r.boolean;
		return 0;
	case CC_Y_INT:
		out->kind = CC_V_NUMBER;
		if (is_tag(n, "float")) {
			k = cc_go_format_float(strtod(r.text, NULL), num);
			return set_text(c, out, num, (size_t)k);
		}
		return set_text(c, out, r.text, r.len);
	case CC_Y_FLOAT:
		if (cc_go_format_float(r.f, num) < 0) {
			err(c, CC_W_schema, n->pos,
			    "canonicalize bundle: json: unsupported value: %s (JSON has no "
			    "infinity or NaN; quote it to make it a string)", r.text);
			return -1;
		}
		out->kind = CC_V_NUMBER;
		return set_text(c, out, r.text, r.len);
	case CC_Y_TIMESTAMP:
		out->kind = CC_V_STRING;
		return set_text(c, out, r.text, r.len);
	case CC_Y_STRING:
	default:
		out->kind = CC_V_STRING;
		out->text = n->s;
		out->len = n->len;
		return 0;
	}
}

/* Is this mapping key a string for yaml.v3 (so the mapping decodes into
 * map[string]interface{})? */
static int key_is_string(struct yctx *c, const struct ynode *k)
{
	struct cc_yaml_scalar r;

	k = deref(c, k);
	if (k->kind != YN_SCALAR)
		return 0;
	if (c->json || k->style != YS_PLAIN || is_tag(k, "str"))
		return 1;
	if (k->tag)
		return 0;
	if (is_merge_key(c, k))
		return 1;
	cc_number_from_yaml(k->s, k->len, &r);
	return r.kind == CC_Y_STRING;
}

/* Decodes a mapping into an object. top: the obligations map itself, whose keys
 * are decoded as strings whatever they look like (map[string]any); nested maps
 * must have string keys or Go's json.Marshal fails, as upstream does. */
static int convert_map(struct yctx *c, const struct ynode *n, struct cc_value *out, unsigned depth,
		       int top)
{
	struct pairs p;
	size_t i;

	out->kind = CC_V_OBJECT;
	out->pos = n->pos;
	if (!top)
		for (i = 0; i + 1 < n->n; i += 2)
			if (!key_is_string(c, n->kids[i])) {
				err(c, CC_W_schema, deref(c, n->kids[i])->pos,
				    "canonicalize bundle: json: unsupported type: "
				    "map[interface {}]interface {} (a nested mapping key that is "
				    "not a string; quote the key)");
				return -1;
			}
	get_pairs(c, n, &p);
	out->members = cc_arena_array(c->a, p.n / 2 + 1, sizeof *out->members);
	if (!out->members) {
		oom(c, n->pos);
		return -1;
	}
	for (i = 0; i < p.n; i += 2) {
		struct cc_member *m = &out->members[out->n];
		const struct ynode *k = deref(c, p.kv[i]);

		/* yaml.v3 cannot decode a null key into the string key of
		 * map[string]any and drops the pair: so must we, for the hash. */
		if (top && is_null(k)) {
			cc_diag(c->sink, CC_WARNING, CC_W_schema, k->pos,
				"an obligation with a null key is dropped, as Nomos v1 drops it "
				"(quote the key, e.g. \"%.*s\":, to keep it)", (int)k->len, k->s);
			continue;
		}
		if (key_text(c, p.kv[i], &m->key.s, &m->key.len))
			return -1;
		m->key.pos = p.kv[i]->pos;
		if (convert_value(c, p.kv[i + 1], &m->value, depth + 1))
			return -1;
		out->n++;
	}
	return 0;
}

static int convert_value(struct yctx *c, const struct ynode *n, struct cc_value *out, unsigned depth)
{
	size_t i;

	n = deref(c, n);
	if (c->limit_hit)
		return -1;
	if (depth > MAX_DEPTH) {
		err(c, CC_W_limit, n->pos, "obligation value nests deeper than %d levels", MAX_DEPTH);
		return -1;
	}
	memset(out, 0, sizeof *out);
	out->pos = n->pos;
	if (n->kind == YN_SCALAR)
		return convert_scalar(c, n, out);
	if (n->kind == YN_MAP)
		return convert_map(c, n, out, depth, 0);
	out->kind = CC_V_ARRAY;
	out->items = cc_arena_array(c->a, n->n ? n->n : 1, sizeof *out->items);
	if (!out->items) {
		oom(c, n->pos);
		return -1;
	}
	for (i = 0; i < n->n; i++) {
		if (convert_value(c, n->kids[i], &out->items[i], depth + 1))
			return -1;
		out->n++;
	}
	return 0;
}

/* ---- typed decode --------------------------------------------------------- */

static const char *const bundle_fields[] = { "version", "rules", NULL };
static const char *const rule_fields[] = { "id",         "action_type", "resource",
					   "decision",   "principals",  "agents",
					   "environments", "risk_flags", "exec_match",
					   "obligations", "resource_match", NULL };
static const char *const exec_fields[] = { "argv_patterns", NULL };

static int field_index(const char *const *fields, const char *s, size_t len)
{
	int i;

	for (i = 0; fields[i]; i++)
		if (strlen(fields[i]) == len && !memcmp(fields[i], s, len))
			return i;
	return -1;
}

/* Reports an unknown field. For a JSON key that differs from a field only in
 * case, Nomos v1 accepts it (encoding/json); we report [-Wstrict] and, when that
 * group is downgraded (--compat), return the field's index so the caller uses it
 * as upstream would. Returns -1 otherwise. */
static int unknown_field(struct yctx *c, const struct ynode *k, const char *where,
			 const char *const *fields)
{
	char list[400];
	size_t off = 0;
	int i;

	for (i = 0; fields[i]; i++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", fields[i]);
	for (i = 0; fields[i]; i++)
		if (strlen(fields[i]) == k->len && !strncasecmp(fields[i], k->s, k->len)) {
			if (c->json)
				return strict(c, k->pos,
					      "unknown field \"%s\" in %s: JSON keys are case-sensitive "
					      "here (Nomos v1 would accept it); write \"%s\"",
					      k->s, where, fields[i])
					       ? -1
					       : i;
			err(c, CC_W_schema, k->pos, "unknown field \"%s\" in %s; did you mean \"%s\"?",
			    k->s, where, fields[i]);
			return -1;
		}
	err(c, CC_W_schema, k->pos, "unknown field \"%s\" in %s; valid fields: %s", k->s, where, list);
	return -1;
}

/* Index of key k among fields, or of its case variant (see unknown_field). */
static int field_of(struct yctx *c, const struct ynode *k, const char *s, size_t len,
		    const char *where, const char *const *fields)
{
	int i = field_index(fields, s, len);

	return i >= 0 ? i : unknown_field(c, deref(c, k), where, fields);
}

/* One argv token: a string (v1) or, as an extension, {regex: "..."}. */
static void get_token(struct yctx *c, const struct ynode *n, struct cc_argv_token *t)
{
	const struct ynode *d = deref(c, n);

	t->kind = CC_MATCH_GLOB;
	if (d->kind == YN_MAP) {
		struct pairs p;

		get_pairs(c, d, &p);
		if (p.n != 2 || p.kv[0]->kind != YN_SCALAR || p.kv[0]->len != 5 ||
		    memcmp(p.kv[0]->s, "regex", 5)) {
			err(c, CC_W_schema, d->pos,
			    "an argv token is a string, or {regex: \"...\"} (nomos extension)");
			return;
		}
		t->kind = CC_MATCH_REGEX;
		get_string(c, p.kv[1], "regex argv token", &t->text);
		return;
	}
	get_string(c, d, "argv token", &t->text);
}

static void get_exec_match(struct yctx *c, const struct ynode *n, struct cc_rule *r)
{
	struct pairs p;
	size_t i, j;

	n = deref(c, n);
	r->exec_match_pos = n->pos;
	if (is_null(n))
		return;
	if (n->kind != YN_MAP) {
		err(c, CC_W_schema, n->pos, "exec_match must be a mapping with argv_patterns");
		return;
	}
	r->has_exec_match = true;
	get_pairs(c, n, &p);
	for (i = 0; i < p.n; i += 2) {
		const struct ynode *k = p.kv[i], *v;
		const char *ks;
		size_t kl;

		if (key_text(c, k, &ks, &kl))
			continue;
		if (field_of(c, k, ks, kl, "exec_match", exec_fields) != 0)
			continue;
		v = deref(c, p.kv[i + 1]);
		if (is_null(v))
			continue;
		if (v->kind != YN_SEQ) {
			err(c, CC_W_schema, v->pos,
			    "argv_patterns must be a list of token lists, e.g. [[\"git\", \"**\"]]");
			continue;
		}
		r->has_argv_patterns = true;
		r->argv_patterns = cc_arena_array(c->a, v->n ? v->n : 1, sizeof *r->argv_patterns);
		if (!r->argv_patterns) {
			oom(c, v->pos);
			return;
		}
		r->n_argv_patterns = v->n;
		/* past the expansion limit the bundle is refused: stop, or a big
		 * pattern named by many aliases is decoded once for each */
		for (j = 0; j < v->n && !c->limit_hit; j++) {
			const struct ynode *pat = deref(c, v->kids[j]);
			struct cc_argv_pattern *ap = &r->argv_patterns[j];
			size_t t;

			ap->pos = pat->pos;
			if (is_null(pat))
				continue;
			if (pat->kind != YN_SEQ) {
				err(c, CC_W_schema, pat->pos,
				    "argv_patterns[%zu] must be a list of tokens, e.g. [\"git\", \"**\"]", j);
				continue;
			}
			ap->tokens = cc_arena_array(c->a, pat->n ? pat->n : 1, sizeof *ap->tokens);
			if (!ap->tokens) {
				oom(c, pat->pos);
				return;
			}
			ap->n = pat->n;
			for (t = 0; t < pat->n && !c->limit_hit; t++)
				get_token(c, pat->kids[t], &ap->tokens[t]);
		}
	}
}

static void get_rule(struct yctx *c, const struct ynode *n, struct cc_rule *r, struct cc_bundle *b)
{
	struct pairs p;
	size_t i;

	n = deref(c, n);
	r->pos = n->pos;
	r->id.pos = r->action_type.pos = r->resource.pos = r->decision.pos = n->pos;
	r->id.s = r->action_type.s = r->resource.s = r->decision.s = "";
	if (n->kind != YN_MAP) {
		if (is_null(n))
			return; /* an empty rule: validation reports the missing id */
		err(c, CC_W_schema, n->pos, "a rule must be a mapping with id, action_type, resource "
					    "and decision, found %s", kind_name(n));
		return;
	}
	get_pairs(c, n, &p);
	for (i = 0; i < p.n; i += 2) {
		const struct ynode *v = p.kv[i + 1];
		const char *ks;
		size_t kl;

		if (key_text(c, p.kv[i], &ks, &kl))
			continue;
		switch (field_of(c, p.kv[i], ks, kl, "rule", rule_fields)) {
		case 0:
			get_string(c, v, "id", &r->id);
			break;
		case 1:
			get_string(c, v, "action_type", &r->action_type);
			break;
		case 2:
			get_string(c, v, "resource", &r->resource);
			break;
		case 3:
			get_string(c, v, "decision", &r->decision);
			break;
		case 4:
			get_strlist(c, v, "principals", &r->principals);
			break;
		case 5:
			get_strlist(c, v, "agents", &r->agents);
			break;
		case 6:
			get_strlist(c, v, "environments", &r->environments);
			break;
		case 7:
			get_strlist(c, v, "risk_flags", &r->risk_flags);
			break;
		case 8:
			get_exec_match(c, v, r);
			break;
		case 9: {
			const struct ynode *d = deref(c, v);

			if (is_null(d))
				break;
			if (d->kind != YN_MAP) {
				err(c, CC_W_schema, d->pos,
				    "obligations must be a mapping of keys to values, found %s",
				    c->json ? json_kind(d) : kind_name(d));
				break;
			}
			if (convert_map(c, d, &r->obligations, 0, 1) == 0)
				r->has_obligations = true;
			break;
		}
		case 10: {
			struct cc_str m;

			get_string(c, v, "resource_match", &m);
			if (m.len == 4 && !memcmp(m.s, "glob", 4)) {
				r->resource_kind = CC_MATCH_GLOB;
			} else if (m.len == 5 && !memcmp(m.s, "regex", 5)) {
				r->resource_kind = CC_MATCH_REGEX;
				b->nonportable = true;
			} else {
				err(c, CC_W_schema, m.pos,
				    "resource_match must be \"glob\" (Nomos v1, the default) or "
				    "\"regex\" (nomos extension)");
			}
			break;
		}
		default:
			break;
		}
	}
	for (i = 0; i < r->n_argv_patterns; i++) {
		size_t t;

		for (t = 0; t < r->argv_patterns[i].n; t++)
			if (r->argv_patterns[i].tokens[t].kind == CC_MATCH_REGEX)
				b->nonportable = true;
	}
}

static void get_bundle(struct yctx *c, const struct ynode *root, struct cc_bundle *b)
{
	struct pairs p;
	size_t i, j;

	b->pos = root ? root->pos : pos_at(c, 0, 0);
	b->version.pos = b->pos;
	b->version.s = "";
	if (!root || is_null(deref(c, root)))
		return; /* validation reports the missing version and rules */
	root = deref(c, root);
	if (root->kind != YN_MAP) {
		err(c, CC_W_schema, root->pos,
		    "a bundle must be a mapping with version and rules, found %s",
		    c->json ? json_kind(root) : kind_name(root));
		return;
	}
	get_pairs(c, root, &p);
	for (i = 0; i < p.n; i += 2) {
		const struct ynode *v = deref(c, p.kv[i + 1]);
		const char *ks;
		size_t kl;

		if (key_text(c, p.kv[i], &ks, &kl))
			continue;
		switch (field_of(c, p.kv[i], ks, kl, "bundle", bundle_fields)) {
		case 0:
			b->has_version = true;
			get_string(c, v, "version", &b->version);
			break;
		case 1:
			if (is_null(v))
				break;
			if (v->kind != YN_SEQ) {
				err(c, CC_W_schema, v->pos, "rules must be a list of rules");
				break;
			}
			b->has_rules = true;
			b->rules_pos = v->pos;
			b->rules = cc_arena_array(c->a, v->n ? v->n : 1, sizeof *b->rules);
			if (!b->rules) {
				oom(c, v->pos);
				return;
			}
			b->n_rules = v->n;
			for (j = 0; j < v->n && !c->limit_hit; j++)
				get_rule(c, v->kids[j], &b->rules[j], b);
			break;
		default:
			break;
		}
	}
}

int cc_parse_yaml(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		  enum cc_format fmt, struct cc_bundle *out)
{
	struct yctx c;
	struct ynode *root = NULL;
	struct rt_buf path;

	memset(&c, 0, sizeof c);
	memset(out, 0, sizeof *out);
	out->src = src;
	c.a = a;
	c.sink = sink;
	c.src = src;
	cc_strmap_init(&c.anchor_index, a);
	cc_strmap_init(&c.keys, a);
	c.json = fmt == CC_FMT_JSON;
	if (build_lines(&c)) {
		cc_diag(sink, CC_ERROR, CC_W_limit, (struct cc_pos){ src, 0, 0, 0 }, "out of memory");
		return -1;
	}
	if ((c.json ? json_tree(&c, &root) : yaml_tree(&c, &root)) != 0 || c.errors)
		return -1;
	if (root) {
		rt_buf_init(&path);
		rt_buf_putc(&path, '$');
		dup_scan(&c, root, &path);
		rt_buf_free(&path);
		if (c.errors)
			return -1;
	}
	get_bundle(&c, root, out);
	if (a->failed && !c.errors)
		oom(&c, out->pos);
	return c.errors ? -1 : 0;
}
