/* cc_yaml.c: the YAML and JSON bundle front end. Source text -> a small node
 * tree (YAML through libyaml's event parser; JSON through a strict RFC 8259
 * parser here, see below) -> duplicate-key scan -> typed decode into the
 * cc_bundle model with file:line:col on every node, resolving scalars, aliases
 * and merge keys exactly as Nomos v1 (Go yaml.v3 / encoding/json) would.
 *
 * Why JSON does not go through libyaml: libyaml is a YAML 1.1 parser that
 * accepts non-JSON (`[1,]`, comments, single quotes, anchors) and rejects valid
 * JSON (surrogate-pair escapes such as "\ud83d\ude00", keys longer than 1024
 * characters). A 250-line strict parser that builds the same tree is simpler and
 * more exact than a libyaml pass plus fix-ups. */
#include "compiler/cc_model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "compiler/cc_number.h"

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
	size_t *line_off; /* byte offset of each line start */
	size_t n_lines;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	unsigned long visits;
	int errors;
	int limit_hit;
};

/* ---- positions ---------------------------------------------------------- */

static int build_lines(struct yctx *c)
{
	size_t i, n = 1;

	for (i = 0; i < c->src->len; i++)
		n += c->src->text[i] == '\n';
	c->line_off = cc_arena_array(c->a, n, sizeof *c->line_off);
	if (!c->line_off)
		return -1;
	c->n_lines = 0;
	c->line_off[c->n_lines++] = 0;
	for (i = 0; i < c->src->len; i++)
		if (c->src->text[i] == '\n')
			c->line_off[c->n_lines++] = i + 1;
	return 0;
}

/* Byte offset of a libyaml mark (0-based line, column in characters). */
static size_t mark_offset(const struct yctx *c, const yaml_mark_t *m)
{
	const char *t = c->src->text;
	size_t off, end, col = m->column;

	if (m->line >= c->n_lines)
		return c->src->len;
	off = c->line_off[m->line];
	end = m->line + 1 < c->n_lines ? c->line_off[m->line + 1] - 1 : c->src->len;
	if (m->line == 0 && c->src->len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3))
		off = 3; /* libyaml does not count the BOM */
	while (col > 0 && off < end) {
		off++;
		while (off < end && ((unsigned char)t[off] & 0xc0) == 0x80)
			off++;
		col--;
	}
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

static struct cc_pos mark_pos(const struct yctx *c, const yaml_mark_t *start,
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
	if (c->n_anchors == c->cap_anchors) {
		size_t nc = c->cap_anchors ? c->cap_anchors * 2 : 16;
		struct anchor *a = cc_arena_grow(c->a, c->anchors, c->n_anchors, nc, sizeof *a);

		if (!a)
			return -1;
		c->anchors = a;
		c->cap_anchors = nc;
	}
	c->anchors[c->n_anchors].name = cc_arena_strdup(c->a, (const char *)name);
	c->anchors[c->n_anchors++].node = n;
	return 0;
}

static struct ynode *find_anchor(const struct yctx *c, const unsigned char *name)
{
	size_t i = c->n_anchors;

	while (i-- > 0) /* the latest definition wins */
		if (c->anchors[i].name && !strcmp(c->anchors[i].name, (const char *)name))
			return c->anchors[i].node;
	return NULL;
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

/* ---- JSON (RFC 8259, strict) ---------------------------------------------- */

struct jparser {
	struct yctx *c;
	const char *t;
	size_t n, i;
	int failed;
};

static void jerr(struct jparser *j, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void jerr(struct jparser *j, size_t at, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	if (j->failed)
		return;
	j->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cc_diag(j->c->sink, CC_ERROR, CC_W_syntax, pos_at(j->c, at, 1), "%s", msg);
	j->c->errors++;
}

static void jws(struct jparser *j)
{
	while (j->i < j->n && (j->t[j->i] == ' ' || j->t[j->i] == '\t' || j->t[j->i] == '\n' ||
			       j->t[j->i] == '\r'))
		j->i++;
}

static void junexpected(struct jparser *j, const char *where)
{
	char what[64];
	unsigned char ch;

	if (j->i >= j->n) {
		jerr(j, j->n, "unexpected end of JSON input %s", where);
		return;
	}
	ch = (unsigned char)j->t[j->i];
	if (ch == '#' || (ch == '/' && j->i + 1 < j->n && (j->t[j->i + 1] == '/' || j->t[j->i + 1] == '*')))
		jerr(j, j->i, "comments are not allowed in JSON");
	else if (ch == '\'')
		jerr(j, j->i, "JSON strings use double quotes, not single quotes");
	else if (ch == '&' || ch == '*' || ch == '!' || ch == '|' || ch == '>')
		jerr(j, j->i, "YAML syntax is not allowed in a JSON bundle (name the file .yaml to use it)");
	else {
		if (ch >= 0x20 && ch < 0x7f)
			snprintf(what, sizeof what, "invalid character '%c' ", ch);
		else
			snprintf(what, sizeof what, "invalid byte 0x%02x ", ch);
		j->failed = 0;
		cc_diag(j->c->sink, CC_ERROR, CC_W_syntax, pos_at(j->c, j->i, 1), "%s%s", what, where);
		j->c->errors++;
		j->failed = 1;
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_u4(const char *p)
{
	int i, v = 0, h;

	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t r)
{
	if (r < 0x80) {
		o[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = (char)(0xc0 | (r >> 6));
		o[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		o[0] = (char)(0xe0 | (r >> 12));
		o[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		o[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (r >> 18));
	o[1] = (char)(0x80 | ((r >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((r >> 6) & 0x3f));
	o[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

/* A JSON string at j->i (on the quote), decoded as Go's encoding/json does:
 * surrogate pairs joined, lone surrogates and invalid UTF-8 -> U+FFFD. */
static struct ynode *jstring(struct jparser *j)
{
	size_t start = j->i, k = 0;
	char *out;
	struct ynode *n;

	size_t end;

	j->i++;
	/* Find the closing quote first: the decoded text is never longer than 3x
	 * the source bytes of the string (a 1-byte invalid UTF-8 byte becomes the
	 * 3-byte U+FFFD), so the buffer is sized by the string, not the file. */
	for (end = j->i; end < j->n && j->t[end] != '"'; end++)
		if (j->t[end] == '\\' && end + 1 < j->n)
			end++;
	out = cc_arena_alloc(j->c->a, (end - j->i) * 3 + 4);
	if (!out) {
		oom(j->c, pos_at(j->c, start, 1));
		j->failed = 1;
		return NULL;
	}
	for (;;) {
		unsigned char ch;

		if (j->i >= j->n) {
			jerr(j, start, "unterminated JSON string");
			return NULL;
		}
		ch = (unsigned char)j->t[j->i];
		if (ch == '"') {
			j->i++;
			break;
		}
		if (ch < 0x20) {
			jerr(j, j->i, "invalid control character in JSON string (escape it as \\u00XX)");
			return NULL;
		}
		if (ch == '\\') {
			char e = j->i + 1 < j->n ? j->t[j->i + 1] : 0;
			const char *simple = strchr("\"\\/bfnrt", e);

			if (e && simple) {
				static const char map[] = "\"\\/\b\f\n\r\t";

				out[k++] = map[simple - "\"\\/bfnrt"];
				j->i += 2;
				continue;
			}
			if (e == 'u' && j->i + 6 <= j->n && read_u4(j->t + j->i + 2) >= 0) {
				uint32_t r = (uint32_t)read_u4(j->t + j->i + 2);

				j->i += 6;
				if (r >= 0xd800 && r < 0xdc00 && j->i + 6 <= j->n && j->t[j->i] == '\\' &&
				    j->t[j->i + 1] == 'u' && read_u4(j->t + j->i + 2) >= 0xdc00 &&
				    read_u4(j->t + j->i + 2) < 0xe000) {
					r = 0x10000 + ((r - 0xd800) << 10) +
					    ((uint32_t)read_u4(j->t + j->i + 2) - 0xdc00);
					j->i += 6;
				} else if (r >= 0xd800 && r < 0xe000) {
					r = 0xfffd;
				}
				k += put_utf8(out + k, r);
				continue;
			}
			jerr(j, j->i, "invalid escape in JSON string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
			return NULL;
		}
		{
			size_t l = cc_utf8_len((const unsigned char *)j->t + j->i, j->n - j->i);

			if (l == 0) {
				k += put_utf8(out + k, 0xfffd);
				j->i++;
			} else {
				memcpy(out + k, j->t + j->i, l);
				k += l;
				j->i += l;
			}
		}
	}
	out[k] = 0;
	n = new_node(j->c, YN_SCALAR, pos_at(j->c, start, j->i - start));
	if (!n) {
		j->failed = 1;
		return NULL;
	}
	n->style = YS_JSON_STRING;
	n->s = out;
	n->len = k;
	return n;
}

static struct ynode *jvalue(struct jparser *j, unsigned depth)
{
	struct ynode *n, *kid;
	size_t start;
	char ch;

	jws(j);
	if (j->i >= j->n) {
		junexpected(j, "looking for beginning of value");
		return NULL;
	}
	start = j->i;
	ch = j->t[j->i];
	if (ch == '"')
		return jstring(j);
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';

		if (depth >= MAX_DEPTH) {
			cc_diag(j->c->sink, CC_ERROR, CC_W_limit, pos_at(j->c, start, 1),
				"nesting deeper than %d levels", MAX_DEPTH);
			j->c->errors++;
			j->failed = 1;
			return NULL;
		}
		n = new_node(j->c, ch == '{' ? YN_MAP : YN_SEQ, pos_at(j->c, start, 1));
		if (!n) {
			j->failed = 1;
			return NULL;
		}
		j->i++;
		jws(j);
		if (j->i < j->n && j->t[j->i] == close) {
			j->i++;
			return n;
		}
		for (;;) {
			jws(j);
			if (close == '}') {
				if (j->i >= j->n || j->t[j->i] != '"') {
					junexpected(j, "looking for beginning of object key string");
					return NULL;
				}
				kid = jstring(j);
				if (!kid || add_kid(j->c, n, kid)) {
					j->failed = 1;
					return NULL;
				}
				jws(j);
				if (j->i >= j->n || j->t[j->i] != ':') {
					junexpected(j, "after object key");
					return NULL;
				}
				j->i++;
			}
			kid = jvalue(j, depth + 1);
			if (!kid || add_kid(j->c, n, kid)) {
				j->failed = 1;
				return NULL;
			}
			jws(j);
			if (j->i < j->n && j->t[j->i] == ',') {
				j->i++;
				jws(j);
				if (j->i < j->n && j->t[j->i] == close) {
					jerr(j, j->i, "invalid character '%c' after ',' (JSON does not allow "
						      "a trailing comma; remove it)", close);
					return NULL;
				}
				continue;
			}
			if (j->i < j->n && j->t[j->i] == close) {
				j->i++;
				return n;
			}
			junexpected(j, close == '}' ? "after object key:value pair"
						    : "after array element");
			return NULL;
		}
	}
	/* literals and numbers */
	while (j->i < j->n && ((j->t[j->i] >= 'a' && j->t[j->i] <= 'z') ||
			       (j->t[j->i] >= '0' && j->t[j->i] <= '9') || j->t[j->i] == '-' ||
			       j->t[j->i] == '+' || j->t[j->i] == '.' || j->t[j->i] == 'E'))
		j->i++;
	if (j->i == start) {
		junexpected(j, "looking for beginning of value");
		return NULL;
	}
	if (!((j->i - start == 4 && !memcmp(j->t + start, "true", 4)) ||
	      (j->i - start == 5 && !memcmp(j->t + start, "false", 5)) ||
	      (j->i - start == 4 && !memcmp(j->t + start, "null", 4)) ||
	      rt_is_json_number(j->t + start, j->i - start))) {
		char buf[48];

		snprintf(buf, sizeof buf, "%.*s", (int)(j->i - start > 40 ? 40 : j->i - start),
			 j->t + start);
		jerr(j, start, "invalid JSON value '%s' (strings need double quotes)", buf);
		return NULL;
	}
	n = new_node(j->c, YN_SCALAR, pos_at(j->c, start, j->i - start));
	if (!n) {
		j->failed = 1;
		return NULL;
	}
	n->style = YS_JSON_LITERAL;
	n->s = cc_arena_strndup(j->c->a, j->t + start, j->i - start);
	n->len = j->i - start;
	return n;
}

static int json_tree(struct yctx *c, struct ynode **root)
{
	struct jparser j = { c, c->src->text, c->src->len, 0, 0 };

	*root = NULL;
	if (j.n >= 3 && !memcmp(j.t, "\xef\xbb\xbf", 3)) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, 0, 1),
			"invalid character 'ï' looking for beginning of value (a UTF-8 byte order "
			"mark is not allowed in JSON; remove it)");
		c->errors++;
		return -1;
	}
	jws(&j);
	if (j.i >= j.n) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, j.i, 0),
			"empty JSON document (a bundle needs \"version\": \"v1\" and \"rules\")");
		c->errors++;
		return -1;
	}
	*root = jvalue(&j, 0);
	if (!*root || j.failed)
		return -1;
	jws(&j);
	if (j.i < j.n) {
		cc_diag(c->sink, CC_ERROR, CC_W_syntax, pos_at(c, j.i, 1),
			"bundle contains trailing data (a JSON bundle is exactly one object)");
		c->errors++;
		return -1;
	}
	return 0;
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
 * never overriding a key already set. */
struct pairs {
	const struct ynode **kv; /* key, value, ... */
	size_t n, cap;
};

static int pairs_has(const struct pairs *p, const struct ynode *k)
{
	size_t i;

	for (i = 0; i < p->n; i += 2)
		if (p->kv[i]->len == k->len && (k->len == 0 || !memcmp(p->kv[i]->s, k->s, k->len)))
			return 1;
	return 0;
}

static int pairs_set(struct pairs *p, const struct ynode *k, const struct ynode *v)
{
	size_t i;

	for (i = 0; i < p->n; i += 2)
		if (p->kv[i]->len == k->len && (k->len == 0 || !memcmp(p->kv[i]->s, k->s, k->len))) {
			p->kv[i + 1] = v;
			return 1;
		}
	return 0;
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
	return 0;
}

static void collect_pairs(struct yctx *c, const struct ynode *m, struct pairs *p, unsigned depth)
{
	size_t i, j;

	if (depth > MAX_DEPTH) {
		err(c, CC_W_limit, m->pos, "merge keys nest deeper than %d levels", MAX_DEPTH);
		return;
	}
	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = deref(c, m->kids[i]);

		if (k->kind == YN_SCALAR && is_merge_key(c, k))
			continue;
		if (k->kind == YN_SCALAR && c->json && pairs_set(p, k, m->kids[i + 1]))
			continue; /* encoding/json: the last duplicate wins (--compat only) */
		if (k->kind == YN_SCALAR && pairs_has(p, k))
			continue;
		if (pairs_add(c, p, k, m->kids[i + 1]))
			oom(c, k->pos);
	}
	for (i = 0; i + 1 < m->n; i += 2) {
		const struct ynode *k = m->kids[i], *v;

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

static void get_pairs(struct yctx *c, const struct ynode *m, struct pairs *p)
{
	memset(p, 0, sizeof *p);
	collect_pairs(c, m, p, 0);
}

/* ---- duplicate keys (before typed decoding, aliases not followed) ---------- */

static void dup_scan(struct yctx *c, const struct ynode *n, struct rt_buf *path)
{
	size_t i, j, mark = path->len;
	char idx[32];

	if (n->kind == YN_MAP) {
		for (i = 0; i + 1 < n->n; i += 2) {
			const struct ynode *ki = n->kids[i];

			if (ki->kind != YN_SCALAR)
				continue;
			for (j = 0; j < i; j += 2) {
				const struct ynode *kj = n->kids[j];

				if (kj->kind == YN_SCALAR && kj->len == ki->len &&
				    (ki->len == 0 || !memcmp(kj->s, ki->s, ki->len))) {
					rt_buf_cstr(path);
					if (c->json)
						strict(c, ki->pos,
						       "duplicate json key \"%s\" at %s (Nomos v1 silently "
						       "keeps the last one; remove one of them)",
						       ki->s, path->data ? path->data : "$");
					else
						err(c, CC_W_schema, ki->pos,
						    "duplicate yaml key \"%s\" at %s", ki->s,
						    path->data ? path->data : "$");
					break;
				}
			}
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
		for (j = 0; j < v->n; j++) {
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
			for (t = 0; t < pat->n; t++)
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
