/* rt_action.c: action intake (spec §5.3, §6.1, §2.5, §2.6). Our syntax check
 * (jansson's strictness) records number literals and key counts, json-c builds
 * the tree; then the upstream field and schema checks, normalization, params
 * canonical JSON with exact number text, params_hash, risk flags, argv view. */
#include "runtime/rt_action.h"

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <json-c/linkhash.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_normalize.h"

static const char stage_decode[] = "decode action";
static const char stage_normalize[] = "normalize action";

void rt_action_ctx_init(struct rt_action_ctx *ctx)
{
	ctx->root = NULL;
	ctx->tok = NULL;
	rt_buf_init(&ctx->text);
	rt_buf_init(&ctx->resource);
	rt_buf_init(&ctx->params);
	rt_buf_init(&ctx->scratch);
	rt_buf_init(&ctx->numbers);
	rt_buf_init(&ctx->nodes);
	rt_buf_init(&ctx->objects);
	rt_buf_init(&ctx->stack);
	rt_buf_init(&ctx->last);
	ctx->last_hash[0] = '\0';
}

void rt_action_ctx_free(struct rt_action_ctx *ctx)
{
	json_object_put(ctx->root);
	ctx->root = NULL;
	if (ctx->tok)
		json_tokener_free(ctx->tok);
	ctx->tok = NULL;
	rt_buf_free(&ctx->text);
	rt_buf_free(&ctx->resource);
	rt_buf_free(&ctx->params);
	rt_buf_free(&ctx->scratch);
	rt_buf_free(&ctx->numbers);
	rt_buf_free(&ctx->nodes);
	rt_buf_free(&ctx->objects);
	rt_buf_free(&ctx->stack);
	rt_buf_free(&ctx->last);
	ctx->last_hash[0] = '\0';
}

const char *rt_action_reason_code(enum rt_action_errclass cls)
{
	switch (cls) {
	case RT_ACTION_ERR_VALIDATION:
		return "validation_error";
	case RT_ACTION_ERR_NORMALIZATION:
		return "normalization_error";
	case RT_ACTION_ERR_INTERNAL:
		return "internal_error";
	default:
		return "";
	}
}

unsigned rt_action_risk(const char *t, size_t n, size_t params_len)
{
	unsigned r = 0;

#define IS(lit) (n == sizeof(lit) - 1 && memcmp(t, lit, n) == 0)
	if (IS("process.exec"))
		r |= RT_RISK_EXEC;
	if (IS("net.http_request"))
		r |= RT_RISK_NET;
	if (IS("fs.write") || IS("repo.apply_patch"))
		r |= RT_RISK_WRITE;
	if (IS("secrets.checkout"))
		r |= RT_RISK_SECRETS;
#undef IS
	if (params_len >= RT_ACTION_LARGE_IO_BYTES)
		r |= RT_RISK_LARGE_IO;
	return r;
}

unsigned rt_risk_from_name(const char *name, size_t n)
{
#define RT_RISK_MATCH(nm, bit, text) \
	if (n == sizeof(text) - 1 && memcmp(name, text, n) == 0) \
		return 1u << (bit);
	VM_RISK_FLAGS(RT_RISK_MATCH)
#undef RT_RISK_MATCH
	return 0;
}

const char *rt_risk_name(unsigned bit)
{
#define RT_RISK_NAME(nm, b, text) \
	if (bit == 1u << (b))      \
		return text;
	VM_RISK_FLAGS(RT_RISK_NAME)
#undef RT_RISK_NAME
	return NULL;
}

/* ---- errors ---------------------------------------------------------------- */

static int set_error(struct rt_action_error *err, enum rt_action_errclass cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct rt_action_error *err, enum rt_action_errclass cls, const char *fmt, ...)
{
	va_list ap;

	err->cls = cls;
	err->stage = cls == RT_ACTION_ERR_NORMALIZATION ? stage_normalize : stage_decode;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	switch (cls) {
	case RT_ACTION_ERR_NORMALIZATION:
		return RT_ACTION_ENORMALIZE;
	case RT_ACTION_ERR_INTERNAL:
		return RT_ACTION_ENOMEM;
	default:
		return RT_ACTION_EVALIDATION;
	}
}

static int nomem(struct rt_action_error *err)
{
	return set_error(err, RT_ACTION_ERR_INTERNAL, "out of memory");
}


/* ---- syntax check ----------------------------------------------------------
 * json-c's strict mode takes `1.`, NaN, raw control bytes, overlong UTF-8,
 * lone surrogate escapes and single-quoted keys, and keeps the last of
 * duplicate keys silently; jansson, which we used before, rejected them all.
 * So every input first passes this check, which also records where each
 * number literal is and how many keys each object has. Never call
 * json_object_get or json_object_iter_next in this file: jansson exports the
 * same names and comes first on the link line (Makefile PKGS). */

/* jansson's JSON_PARSER_MAX_DEPTH, kept so that the same documents decode. */
#define MAX_DEPTH 2048

/* Stack entry of an open array (objects push their index). */
#define ARRAY_MARK SIZE_MAX

struct lit {
	size_t off;
	size_t len;
};

struct scan {
	const char *s;
	size_t n;
	struct rt_action_ctx *ctx;
	struct rt_action_error *err;
	size_t err_at; /* where a syntax error was found */
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && is_ws(s[i]))
		i++;
	return i;
}

/* The token at s[i] as an error text shows it: a letter run, a number-like
 * run, one (UTF-8) character. Returns its end. */
static size_t token_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (i >= n)
		return n;
	if (is_letter(s[i])) {
		while (j < n && is_letter(s[j]))
			j++;
	} else if (s[i] == '-' || is_digit(s[i])) {
		while (j < n && (is_digit(s[j]) || s[j] == '-' || s[j] == '+' || s[j] == '.' ||
				 s[j] == 'e' || s[j] == 'E'))
			j++;
	} else if ((unsigned char)s[i] >= 0xC0) {
		while (j < n && j - i < 4 && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
	}
	return j;
}

/* "invalid JSON: WHAT near 'TOKEN' (line L, column C)" in jansson's layout:
 * the token text only when it is 1 to 20 bytes, "near end of file" at the
 * end; the position is that of the last character read (columns count
 * characters). Records where the error is for syntax_or_duplicate. */
static int syntax_error(struct scan *sc, const char *what, size_t from, size_t to)
{
	size_t i, line = 1, col = 0;

	if (to > sc->n)
		to = sc->n;
	sc->err_at = from < sc->n ? from : sc->n;
	for (i = 0; i < to; i++) {
		if (sc->s[i] == '\n') {
			line++;
			col = 0;
		} else if (((unsigned char)sc->s[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	if (from >= sc->n)
		return set_error(sc->err, RT_ACTION_ERR_VALIDATION,
				 "invalid JSON: %s near end of file (line %zu, column %zu)", what, line, col);
	if (to - from > 20)
		return set_error(sc->err, RT_ACTION_ERR_VALIDATION,
				 "invalid JSON: %s (line %zu, column %zu)", what, line, col);
	return set_error(sc->err, RT_ACTION_ERR_VALIDATION,
			 "invalid JSON: %s near '%.*s' (line %zu, column %zu)", what, (int)(to - from),
			 sc->s + from, line, col);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[0..n) into *u; 0 when they are not there. */
static int hex4(const char *s, size_t n, unsigned *u)
{
	unsigned v = 0;
	size_t i;

	if (n < 4)
		return 0;
	for (i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return 0;
		v = v << 4 | (unsigned)h;
	}
	*u = v;
	return 1;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (no overlong form, no
 * surrogate, nothing above U+10FFFF: jansson's check), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;

	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
				       (s[3] & 0xC0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

/* The string token at s[i] == '"'; sets *end past its closing quote. A key
 * may not hold U+0000 (jansson: keys are C strings; so are json-c's). */
static int scan_string(struct scan *sc, size_t i, int key, size_t *end)
{
	const unsigned char *s = (const unsigned char *)sc->s;
	size_t n = sc->n, j = i + 1, w;
	unsigned u, lo;
	char what[64];

	for (;;) {
		while (j < n && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
			j++;
		if (j == n)
			return syntax_error(sc, "premature end of input", i, n);
		if (s[j] == '"') {
			*end = j + 1;
			return 0;
		}
		if (s[j] == '\\') {
			if (j + 1 == n)
				return syntax_error(sc, "premature end of input", i, n);
			switch (s[j + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				j += 2;
				continue;
			case 'u':
				break;
			default:
				return syntax_error(sc, "invalid escape", i, j + 2);
			}
			if (!hex4(sc->s + j + 2, n - j - 2, &u))
				return syntax_error(sc, "invalid escape", i, j + 6 < n ? j + 6 : n);
			if (u >= 0xDC00 && u <= 0xDFFF) {
				snprintf(what, sizeof what, "invalid Unicode '\\u%04X'", u);
				return syntax_error(sc, what, i, j + 6);
			}
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (j + 7 >= n || s[j + 6] != '\\' || s[j + 7] != 'u') {
					snprintf(what, sizeof what, "invalid Unicode '\\u%04X'", u);
					return syntax_error(sc, what, i, j + 6);
				}
				if (!hex4(sc->s + j + 8, n - j - 8, &lo))
					return syntax_error(sc, "invalid escape", i, j + 12 < n ? j + 12 : n);
				if (lo < 0xDC00 || lo > 0xDFFF) {
					snprintf(what, sizeof what, "invalid Unicode '\\u%04X\\u%04X'", u, lo);
					return syntax_error(sc, what, i, j + 12);
				}
				j += 12;
				continue;
			}
			if (u == 0 && key)
				return syntax_error(sc, "NUL byte in object key not supported", i, j + 6);
			j += 6;
			continue;
		}
		if (s[j] < 0x20) {
			snprintf(what, sizeof what, "control character 0x%x", s[j]);
			return syntax_error(sc, what, i, j + 1);
		}
		if ((w = utf8_len(s + j, n - j)) == 0) {
			snprintf(what, sizeof what, "unable to decode byte 0x%x", s[j]);
			return syntax_error(sc, what, j, j + 1);
		}
		j += w;
	}
}

/* jansson rejected a top-level number it had to convert (the old masking
 * left a literal alone unless whitespace, ',', ']', '}' or the end followed
 * it) when it overflowed int64 or double. Kept so errors do not change. */
static int top_number_overflow(struct scan *sc, size_t i, size_t end, int real)
{
	struct rt_buf *b = &sc->ctx->scratch;
	size_t j = token_end(sc->s, sc->n, i);
	int bad;

	if (j == end && (end == sc->n || is_ws(sc->s[end]) || sc->s[end] == ',' ||
			 sc->s[end] == ']' || sc->s[end] == '}'))
		return 0; /* it was masked: no conversion */
	rt_buf_reset(b);
	if (rt_buf_put(b, sc->s + i, end - i) || rt_buf_cstr(b))
		return nomem(sc->err);
	errno = 0;
	if (real) {
		double d = strtod(b->data, NULL);

		bad = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
	} else {
		(void)strtoll(b->data, NULL, 10);
		bad = errno == ERANGE;
	}
	if (!bad)
		return 0;
	return syntax_error(sc, real ? "real number overflow" : "too big integer", i, end);
}

/* A number token at s[i] ('-' or a digit), jansson's grammar: a leading zero
 * followed by a digit is an error, otherwise the longest number wins and the
 * next character is not looked at. Records the literal; sets *end. */
static int scan_number(struct scan *sc, size_t i, int top, size_t *end)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i;
	struct lit l;
	int real = 0;

	if (s[j] == '-')
		j++;
	if (j < n && s[j] == '0') {
		j++;
		if (j < n && is_digit(s[j]))
			return syntax_error(sc, "invalid token", i, token_end(s, n, i));
	} else if (j < n && is_digit(s[j])) {
		while (j < n && is_digit(s[j]))
			j++;
	} else {
		return syntax_error(sc, "invalid token", i, j < n ? j + 1 : n);
	}
	if (j < n && s[j] == '.') {
		real = 1;
		j++;
		if (j == n || !is_digit(s[j]))
			return syntax_error(sc, "invalid token", i, j < n ? j + 1 : n);
		while (j < n && is_digit(s[j]))
			j++;
	}
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		real = 1;
		j++;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j == n || !is_digit(s[j]))
			return syntax_error(sc, "invalid token", i, j < n ? j + 1 : n);
		while (j < n && is_digit(s[j]))
			j++;
	}
	if (top) {
		int rc = top_number_overflow(sc, i, j, real);

		if (rc)
			return rc;
	}
	l.off = i;
	l.len = j - i;
	if (rt_buf_put(&sc->ctx->numbers, &l, sizeof l))
		return nomem(sc->err);
	*end = j;
	return 0;
}

/* true, false or null at s[i] (a letter); sets *end. */
static int scan_word(struct scan *sc, size_t i, size_t *end)
{
	size_t j = token_end(sc->s, sc->n, i), k = j - i;
	const char *w = sc->s + i;

	if ((k == 4 && (memcmp(w, "true", 4) == 0 || memcmp(w, "null", 4) == 0)) ||
	    (k == 5 && memcmp(w, "false", 5) == 0)) {
		*end = j;
		return 0;
	}
	return syntax_error(sc, "invalid token", i, j);
}

static size_t stack_top(const struct rt_action_ctx *ctx)
{
	size_t top;

	memcpy(&top, ctx->stack.data + ctx->stack.len - sizeof top, sizeof top);
	return top;
}

/* Checks the first JSON value of s[i..n) as strictly as jansson with
 * JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL (duplicate keys
 * are found later, from the key counts), recording every number literal in
 * ctx->numbers and every object's key count in ctx->objects, both in
 * document order. Sets *end past the value. */
static int scan_value(struct scan *sc, size_t i, size_t *end)
{
	struct rt_action_ctx *ctx = sc->ctx;
	const char *s = sc->s;
	size_t n = sc->n, depth = 0, top, next = 0;
	int rc;

	rt_buf_reset(&ctx->numbers);
	rt_buf_reset(&ctx->objects);
	rt_buf_reset(&ctx->stack);
	for (;;) {
		/* a value is expected at i */
		i = skip_ws(s, n, i);
		if (i == n)
			return syntax_error(sc, "unexpected end of input", n, n);
		switch (s[i]) {
		case '{':
		case '[':
			if (++depth > MAX_DEPTH)
				return syntax_error(sc, "maximum parsing depth reached", i, i + 1);
			if (s[i] == '[') {
				top = ARRAY_MARK;
				if (rt_buf_put(&ctx->stack, &top, sizeof top))
					return nomem(sc->err);
				i = skip_ws(s, n, i + 1);
				if (i < n && s[i] == ']') {
					i++;
					goto close;
				}
				continue;
			}
			top = ctx->objects.len / sizeof(size_t);
			{
				size_t zero = 0;

				if (rt_buf_put(&ctx->objects, &zero, sizeof zero) ||
				    rt_buf_put(&ctx->stack, &top, sizeof top))
					return nomem(sc->err);
			}
			i = skip_ws(s, n, i + 1);
			if (i < n && s[i] == '}') {
				i++;
				goto close;
			}
			goto key;
		case '"':
			rc = scan_string(sc, i, 0, &next);
			goto scalar;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			rc = scan_number(sc, i, depth == 0, &next);
			goto scalar;
		default:
			if (is_letter(s[i])) {
				rc = scan_word(sc, i, &next);
				goto scalar;
			}
			return syntax_error(sc,
					    s[i] == '}' || s[i] == ']' || s[i] == ',' || s[i] == ':'
						    ? "unexpected token"
						    : "invalid token",
					    i, token_end(s, n, i));
		}
	scalar:
		if (rc)
			return rc;
		/* jansson counts a scalar as one level deeper than its container */
		if (depth >= MAX_DEPTH)
			return syntax_error(sc, "maximum parsing depth reached", i, next);
		i = next;
		goto after;
	key:
		/* a key is expected at i (whitespace skipped) */
		if (i == n || s[i] != '"')
			return syntax_error(sc, "string or '}' expected", i, token_end(s, n, i));
		if ((rc = scan_string(sc, i, 1, &i)))
			return rc;
		{
			size_t *keys = (size_t *)(void *)ctx->objects.data;

			keys[stack_top(ctx)]++;
		}
		i = skip_ws(s, n, i);
		if (i == n || s[i] != ':')
			return syntax_error(sc, "':' expected", i, token_end(s, n, i));
		i++;
		continue;
	close:
		ctx->stack.len -= sizeof top;
		depth--;
	after:
		if (depth == 0) {
			*end = i;
			return 0;
		}
		i = skip_ws(s, n, i);
		if (stack_top(ctx) != ARRAY_MARK) {
			if (i < n && s[i] == ',') {
				i = skip_ws(s, n, i + 1);
				goto key;
			}
			if (i < n && s[i] == '}') {
				i++;
				goto close;
			}
			return syntax_error(sc, "'}' expected", i, token_end(s, n, i));
		}
		if (i < n && s[i] == ',') {
			i++;
			continue;
		}
		if (i < n && s[i] == ']') {
			i++;
			goto close;
		}
		return syntax_error(sc, "']' expected", i, token_end(s, n, i));
	}
}

/* ---- tree ------------------------------------------------------------------- */

/* json-c builds the tree of s[0..n), a value the syntax check passed (an
 * object or an array, so no number runs to the end). Fails closed. */
static int build(struct rt_action_ctx *ctx, const char *s, size_t n, struct rt_action_error *err)
{
	struct json_tokener *tok = ctx->tok;
	json_object *o = NULL;
	enum json_tokener_error je = json_tokener_success;
	size_t off = 0;

	if (!tok) {
		/* json-c counts the top level too; our check stops at MAX_DEPTH. */
		tok = json_tokener_new_ex(MAX_DEPTH + 2);
		if (!tok)
			return nomem(err);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
		ctx->tok = tok;
	}
	json_tokener_reset(tok);
	while (off < n) {
		int k = n - off > (size_t)INT_MAX ? INT_MAX : (int)(n - off);

		o = json_tokener_parse_ex(tok, s + off, k);
		je = json_tokener_get_error(tok);
		if (je != json_tokener_continue)
			break;
		off += (size_t)k;
	}
	if (!o || je != json_tokener_success) {
		json_object_put(o);
		json_tokener_reset(tok);
		return set_error(err, RT_ACTION_ERR_VALIDATION, "invalid JSON: %s",
				 json_tokener_error_desc(je));
	}
	ctx->root = o;
	return 0;
}

/* A number node and the index of its literal in ctx->numbers. */
struct numnode {
	const json_object *node;
	size_t lit;
};

/* Pre-order over the tree (json-c keeps object members in insertion order,
 * so this is document order): every object must have as many members as the
 * syntax check counted keys, else json-c dropped a duplicate; number nodes
 * are listed with their literal's index. Returns 0, -1 on memory, 1 at a
 * duplicate. */
static int walk(struct rt_action_ctx *ctx, const json_object *v, size_t *obj, size_t *num)
{
	int rc;

	switch (json_object_get_type(v)) {
	case json_type_object: {
		const size_t *keys = (const size_t *)(const void *)ctx->objects.data;
		const struct lh_entry *e;

		if (*obj >= ctx->objects.len / sizeof *keys ||
		    keys[*obj] != (size_t)json_object_object_length(v))
			return 1;
		(*obj)++;
		for (e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e))
			if ((rc = walk(ctx, lh_entry_v(e), obj, num)))
				return rc;
		return 0;
	}
	case json_type_array: {
		size_t i, k = json_object_array_length(v);

		for (i = 0; i < k; i++)
			if ((rc = walk(ctx, json_object_array_get_idx(v, i), obj, num)))
				return rc;
		return 0;
	}
	case json_type_int:
	case json_type_double: {
		struct numnode nn;

		nn.node = v;
		nn.lit = (*num)++;
		return rt_buf_put(&ctx->nodes, &nn, sizeof nn) ? -1 : 0;
	}
	default:
		return 0;
	}
}

static int cmp_numnode(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct numnode *)a)->node;
	uintptr_t y = (uintptr_t)((const struct numnode *)b)->node;

	return x < y ? -1 : x > y;
}

/* The literal of a number node, or NULL. A handful of numbers is searched
 * in place; more were sorted by node address. */
static const struct lit *literal_of(const struct rt_action_ctx *ctx, const json_object *v)
{
	const struct numnode *nodes = (const struct numnode *)(const void *)ctx->nodes.data;
	size_t lo = 0, hi = ctx->nodes.len / sizeof *nodes;

	if (hi <= 8) {
		for (; lo < hi; lo++)
			if (nodes[lo].node == v)
				return (const struct lit *)(const void *)ctx->numbers.data + nodes[lo].lit;
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)nodes[mid].node < (uintptr_t)v)
			lo = mid + 1;
		else if ((uintptr_t)nodes[mid].node > (uintptr_t)v)
			hi = mid;
		else
			return (const struct lit *)(const void *)ctx->numbers.data + nodes[mid].lit;
	}
	return NULL;
}

/* ---- duplicate keys (error path) --------------------------------------------- */

/* One key of an open object: decoded bytes (offset in ctx->text, then a
 * pointer for sorting) and the raw token. */
struct keyent {
	const char *p;
	size_t off, len;
	size_t tok, end; /* raw token s[tok..end), quotes included */
};

static int cmp_keyent(const void *a, const void *b)
{
	const struct keyent *x = a, *y = b;
	int c = rt_bytes_cmp(x->p, x->len, y->p, y->len);

	if (c)
		return c;
	return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static void put_utf8(struct rt_buf *b, unsigned u)
{
	char t[4];

	if (u < 0x80) {
		t[0] = (char)u;
		rt_buf_put(b, t, 1);
	} else if (u < 0x800) {
		t[0] = (char)(0xC0 | u >> 6);
		t[1] = (char)(0x80 | (u & 0x3F));
		rt_buf_put(b, t, 2);
	} else if (u < 0x10000) {
		t[0] = (char)(0xE0 | u >> 12);
		t[1] = (char)(0x80 | (u >> 6 & 0x3F));
		t[2] = (char)(0x80 | (u & 0x3F));
		rt_buf_put(b, t, 3);
	} else {
		t[0] = (char)(0xF0 | u >> 18);
		t[1] = (char)(0x80 | (u >> 12 & 0x3F));
		t[2] = (char)(0x80 | (u >> 6 & 0x3F));
		t[3] = (char)(0x80 | (u & 0x3F));
		rt_buf_put(b, t, 4);
	}
}

/* Decodes the checked string token s[i..end) into b. */
static void unescape_into(struct rt_buf *b, const char *s, size_t i, size_t end)
{
	size_t j = i + 1;
	unsigned u, lo;

	while (j < end - 1) {
		size_t k = j;

		while (k < end - 1 && s[k] != '\\')
			k++;
		rt_buf_put(b, s + j, k - j);
		if (k == end - 1)
			break;
		switch (s[k + 1]) {
		case 'b': rt_buf_putc(b, '\b'); j = k + 2; continue;
		case 'f': rt_buf_putc(b, '\f'); j = k + 2; continue;
		case 'n': rt_buf_putc(b, '\n'); j = k + 2; continue;
		case 'r': rt_buf_putc(b, '\n'); j = k + 2; continue;
		case 't': rt_buf_putc(b, '\t'); j = k + 2; continue;
		case 'u': break;
		default: rt_buf_putc(b, s[k + 1]); j = k + 2; continue;
		}
		(void)hex4(s + k + 2, 4, &u);
		j = k + 6;
		if (u >= 0xD800 && u <= 0xDBFF) {
			(void)hex4(s + k + 8, 4, &lo);
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
			j = k + 12;
		}
		put_utf8(b, u);
	}
}

/* Sorts the keys of the innermost open object (entries from `start` on) and
 * keeps the earliest second occurrence of a key in *best / *best_end. */
static void object_dups(struct rt_action_ctx *ctx, size_t start, size_t *best, size_t *best_end)
{
	size_t k, nk = ctx->scratch.len / sizeof(struct keyent) - start;
	struct keyent *e;

	if (nk < 2) {
		ctx->scratch.len = start * sizeof *e;
		return;
	}
	e = (struct keyent *)(void *)ctx->scratch.data + start;
	for (k = 0; k < nk; k++)
		e[k].p = ctx->text.data + e[k].off;
	qsort(e, nk, sizeof *e, cmp_keyent);
	for (k = 1; k < nk; k++)
		if (e[k].len == e[k - 1].len && memcmp(e[k].p, e[k - 1].p, e[k].len) == 0 &&
		    e[k].tok < *best) {
			*best = e[k].tok;
			*best_end = e[k].end;
		}
	ctx->scratch.len = start * sizeof *e;
}

/* The first duplicate key in document order (where jansson stopped) within
 * s[i..end), text the syntax check read without error (the value, or the
 * part before a syntax error). Keys of each object are sorted when it closes,
 * O(n log n). Returns 1 with the key token s[*tok..*tok_end), 0 when there is
 * none, -1 on memory. */
static int first_duplicate(struct scan *sc, size_t i, size_t end, size_t *tok, size_t *tok_end)
{
	struct rt_action_ctx *ctx = sc->ctx;
	const char *s = sc->s;
	size_t best = SIZE_MAX, best_end = 0, top;
	char prev = 0; /* last structural character */

	rt_buf_reset(&ctx->text);
	rt_buf_reset(&ctx->scratch);
	rt_buf_reset(&ctx->stack);
	while (i < end) {
		char c = s[i];

		if (ctx->text.failed || ctx->scratch.failed || ctx->stack.failed)
			return -1;
		if (c == '{' || c == '[') {
			top = c == '[' ? ARRAY_MARK : ctx->scratch.len / sizeof(struct keyent);
			rt_buf_put(&ctx->stack, &top, sizeof top);
			prev = c;
			i++;
		} else if ((c == '}' || c == ']') && ctx->stack.len) {
			top = stack_top(ctx);
			ctx->stack.len -= sizeof top;
			if (top != ARRAY_MARK)
				object_dups(ctx, top, &best, &best_end);
			prev = c;
			i++;
		} else if (c == '"') {
			size_t j = i + 1;

			while (j < end && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			if (j >= end)
				break; /* the string the syntax error is in */
			j++;
			if ((prev == '{' || prev == ',') && ctx->stack.len && stack_top(ctx) != ARRAY_MARK) {
				struct keyent e;

				e.p = NULL;
				e.off = ctx->text.len;
				unescape_into(&ctx->text, s, i, j);
				e.len = ctx->text.len - e.off;
				e.tok = i;
				e.end = j;
				rt_buf_put(&ctx->scratch, &e, sizeof e);
			}
			prev = '"';
			i = j;
		} else {
			if (c == ',' || c == ':')
				prev = c;
			i++;
		}
	}
	/* objects left open by a syntax error */
	while (ctx->stack.len) {
		top = stack_top(ctx);
		ctx->stack.len -= sizeof top;
		if (top != ARRAY_MARK)
			object_dups(ctx, top, &best, &best_end);
	}
	if (ctx->text.failed || ctx->scratch.failed || ctx->stack.failed)
		return -1;
	if (best == SIZE_MAX)
		return 0;
	*tok = best;
	*tok_end = best_end;
	return 1;
}

/* "invalid JSON: duplicate object key near '"k"'" for the checked value
 * s[i..end), where json-c's member counts showed a duplicate. */
static int duplicate_error(struct scan *sc, size_t i, size_t end)
{
	size_t tok, tok_end;

	switch (first_duplicate(sc, i, end, &tok, &tok_end)) {
	case 1:
		return syntax_error(sc, "duplicate object key", tok, tok_end);
	case 0:
		return set_error(sc->err, RT_ACTION_ERR_VALIDATION, "invalid JSON: duplicate object key");
	default:
		return nomem(sc->err);
	}
}

/* A syntax error at sc->err_at: jansson would have stopped earlier at a
 * duplicate key read before it. */
static int syntax_or_duplicate(struct scan *sc, size_t i, int rc)
{
	size_t tok, tok_end;

	if (rc != RT_ACTION_EVALIDATION || sc->err_at <= i)
		return rc;
	switch (first_duplicate(sc, i, sc->err_at, &tok, &tok_end)) {
	case 1:
		return syntax_error(sc, "duplicate object key", tok, tok_end);
	case 0:
		return rc;
	default:
		return nomem(sc->err);
	}
}

/* ---- canonical JSON of params (spec §4.1) ------------------------------------ */

struct kv {
	const char *key;
	size_t klen;
	const json_object *val;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;

	return rt_bytes_cmp(x->key, x->klen, y->key, y->klen);
}

static size_t str_len(const json_object *v)
{
	int n = json_object_get_string_len(v);

	return n > 0 ? (size_t)n : 0;
}

/* json-c's accessor takes a mutable pointer; for a string it only reads. */
static const char *str_ptr(const json_object *v)
{
	return json_object_get_string((json_object *)(uintptr_t)v);
}

/* Returns 0, -1 on memory, -2 on an internal inconsistency (fail closed).
 * src is the action text the literals point into. */
static int canon(struct rt_action_ctx *ctx, const char *src, const json_object *v, struct rt_buf *out)
{
	switch (json_object_get_type(v)) {
	case json_type_object: {
		size_t base = ctx->scratch.len, n = 0, i;
		const struct lh_entry *e;
		int rc;

		for (e = lh_table_head(json_object_get_object(v)); e; e = lh_entry_next(e)) {
			struct kv k;

			k.key = lh_entry_k(e);
			k.klen = strlen(k.key);
			k.val = lh_entry_v(e);
			if (rt_buf_put(&ctx->scratch, &k, sizeof k))
				return -1;
			n++;
		}
		if (n > 1)
			qsort(ctx->scratch.data + base, n, sizeof(struct kv), cmp_kv);
		rt_buf_putc(out, '{');
		for (i = 0; i < n; i++) {
			/* re-read: recursion may have moved the scratch buffer */
			struct kv k;

			memcpy(&k, ctx->scratch.data + base + i * sizeof k, sizeof k);
			if (i)
				rt_buf_putc(out, ',');
			rt_canon_string(out, k.key, k.klen);
			rt_buf_putc(out, ':');
			if ((rc = canon(ctx, src, k.val, out)))
				return rc;
		}
		ctx->scratch.len = base;
		return rt_buf_putc(out, '}');
	}
	case json_type_array: {
		size_t i, n = json_object_array_length(v);
		int rc;

		rt_buf_putc(out, '[');
		for (i = 0; i < n; i++) {
			if (i)
				rt_buf_putc(out, ',');
			if ((rc = canon(ctx, src, json_object_array_get_idx(v, i), out)))
				return rc;
		}
		return rt_buf_putc(out, ']');
	}
	case json_type_string:
		return rt_canon_string(out, str_ptr(v), str_len(v));
	case json_type_int:
	case json_type_double: {
		const struct lit *l = literal_of(ctx, v);

		if (!l)
			return -2;
		switch (rt_canon_number(out, src + l->off, l->len)) {
		case 0:
			return 0;
		case -1:
			return -1;
		default:
			return -2;
		}
	}
	case json_type_boolean:
		return json_object_get_boolean(v) ? rt_buf_put(out, "true", 4)
						  : rt_buf_put(out, "false", 5);
	case json_type_null:
		return rt_buf_put(out, "null", 4);
	default:
		return -2;
	}
}

/* ---- field checks -------------------------------------------------------------- */

#define FIELDS(X)                                                                  \
	X(SCHEMA_VERSION, "schema_version") X(ACTION_ID, "action_id")              \
	X(ACTION_TYPE, "action_type") X(RESOURCE, "resource") X(PARAMS, "params")  \
	X(PRINCIPAL, "principal") X(AGENT, "agent") X(ENVIRONMENT, "environment") \
	X(CONTEXT, "context") X(TRACE_ID, "trace_id")

enum field {
#define FIELD_ENUM(id, name) F_##id,
	FIELDS(FIELD_ENUM)
#undef FIELD_ENUM
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
#define FIELD_NAME(id, name) name,
	FIELDS(FIELD_NAME)
#undef FIELD_NAME
};

static const unsigned char field_lens[F_COUNT] = {
#define FIELD_LEN(id, name) sizeof(name) - 1,
	FIELDS(FIELD_LEN)
#undef FIELD_LEN
};

static const char *json_kind(const json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object: return "object";
	case json_type_array: return "array";
	case json_type_string: return "string";
	case json_type_int: case json_type_double: return "number";
	case json_type_boolean: return "bool";
	default: return "null";
	}
}

/* The kind of the JSON value starting with c (a checked value). */
static const char *json_kind_of_char(char c)
{
	switch (c) {
	case '{': return "object";
	case '[': return "array";
	case '"': return "string";
	case 't': case 'f': return "bool";
	case 'n': return "null";
	default: return "number";
	}
}

/* How upstream's schema validator names a decoded value's Go type. */
static const char *go_type(const json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object: return "map[string]interface {}";
	case json_type_array: return "[]interface {}";
	case json_type_string: return "string";
	case json_type_int: case json_type_double: return "float64";
	case json_type_boolean: return "bool";
	default: return "<nil>";
	}
}

static int ascii_fold_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Appends Go %q of a key to a message; keys are valid UTF-8 (checked). */
static void quote_key(char *dst, size_t cap, const char *k, size_t n)
{
	struct rt_buf b;

	rt_buf_init(&b);
	if (rt_go_quote(&b, k, n) || rt_buf_cstr(&b))
		snprintf(dst, cap, "\"?\"");
	else
		snprintf(dst, cap, "%s", b.data);
	rt_buf_free(&b);
}

static int unknown_or_variant(struct rt_action_error *err, const char *key, size_t klen,
			      const char *const *known, size_t nknown)
{
	char q[256];
	size_t i;

	quote_key(q, sizeof q, key, klen);
	for (i = 0; i < nknown; i++)
		if (ascii_fold_eq(key, klen, known[i], strlen(known[i])))
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: field %s must be spelled \"%s\" (keys are case-sensitive)",
					 q, known[i]);
	return set_error(err, RT_ACTION_ERR_VALIDATION, "json: unknown field %s", q);
}

static int check_context(const json_object *ctxv, struct rt_action_error *err)
{
	static const char *const known[] = { "extensions" };
	const struct lh_entry *e;

	if (ctxv == NULL)
		return 0;
	if (!json_object_is_type(ctxv, json_type_object))
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go struct field Action.context of type action.Context",
				 json_kind(ctxv));
	for (e = lh_table_head(json_object_get_object(ctxv)); e; e = lh_entry_next(e)) {
		const char *k = lh_entry_k(e);
		size_t kn = strlen(k);
		const json_object *v = lh_entry_v(e);

		if (kn != 10 || memcmp(k, "extensions", 10) != 0)
			return unknown_or_variant(err, k, kn, known, 1);
		if (v != NULL && !json_object_is_type(v, json_type_object))
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: cannot unmarshal %s into Go struct field Action.context.extensions of type map[string]json.RawMessage",
					 json_kind(v));
	}
	return 0;
}

/* ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$ */
static int opaque_id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '-')))
			return 0;
	}
	return 1;
}

/* ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$ */
static int action_type_ok(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	while (i < n) {
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
		i++;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			i++;
		parts++;
		if (i < n) {
			if (s[i] != '.')
				return 0;
			i++;
			if (i == n)
				return 0;
		}
	}
	return parts >= 2;
}

/* Code points, as JSON Schema counts string length. */
static size_t utf8_count(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static struct rt_span span_of(const json_object *v)
{
	struct rt_span s;

	if (json_object_is_type(v, json_type_string)) {
		s.ptr = str_ptr(v);
		s.len = str_len(v);
	} else {
		s.ptr = "";
		s.len = 0;
	}
	return s;
}

/* The schema check over the re-marshalled action, properties in sorted order,
 * first failure wins (spec §5.3). */
static int check_schema(const json_object *const *f, struct rt_action_error *err)
{
	static const enum field order[] = {
		F_ACTION_ID, F_ACTION_TYPE, F_AGENT, F_CONTEXT, F_ENVIRONMENT, F_PARAMS,
		F_PRINCIPAL, F_RESOURCE, F_SCHEMA_VERSION, F_TRACE_ID,
	};
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		enum field id = order[i];
		const char *name = field_names[id];
		struct rt_span s = span_of(f[id]);

		switch (id) {
		case F_CONTEXT:
			break;
		case F_PARAMS:
			if (!json_object_is_type(f[id], json_type_object))
				return set_error(err, RT_ACTION_ERR_VALIDATION,
						 "field \"params\": expected object, got %s", go_type(f[id]));
			break;
		case F_SCHEMA_VERSION:
			if (s.len != 2 || memcmp(s.ptr, "v1", 2) != 0)
				return set_error(err, RT_ACTION_ERR_VALIDATION,
						 "field \"schema_version\": string is not in enum");
			break;
		default:
			if (s.len == 0)
				return set_error(err, RT_ACTION_ERR_VALIDATION,
						 "field \"%s\": string too short", name);
			if (id == F_ACTION_ID || id == F_TRACE_ID) {
				if (utf8_count(s.ptr, s.len) > 128)
					return set_error(err, RT_ACTION_ERR_VALIDATION,
							 "field \"%s\": string too long", name);
				if (!opaque_id_ok(s.ptr, s.len))
					return set_error(err, RT_ACTION_ERR_VALIDATION,
							 "field \"%s\": string does not match pattern", name);
			}
			break;
		}
	}
	{
		struct rt_span t = span_of(f[F_ACTION_TYPE]);

		if (!action_type_ok(t.ptr, t.len))
			return set_error(err, RT_ACTION_ERR_VALIDATION, "action_type has invalid format");
	}
	return 0;
}

/* ---- argv view (spec §2.6) ------------------------------------------------------ */

/* A number literal that canonical JSON turns into a string (it holds '.',
 * 'e' or 'E'), which Go then accepts as an argv element. */
static int literal_is_stringy(const char *p, size_t n)
{
	return memchr(p, '.', n) || memchr(p, 'e', n) || memchr(p, 'E', n);
}

/* Go's json.Unmarshal(canonicalParams, &struct{Argv []string}): keys are seen
 * in canonical (byte-sorted) order, so the last key equal to "argv" under case
 * folding wins; numbers with '.', 'e' or 'E' are strings in canonical JSON.
 * Their text is copied into ctx->text, so the view outlives the input. */
static int argv_view(struct rt_action_ctx *ctx, const char *src, const json_object *params,
		     struct rt_action *out)
{
	const char *best = NULL;
	size_t bestn = 0, i, n, textpos = 0;
	const json_object *val = NULL;
	int type_error = 0;
	const struct lh_entry *e;
	struct rt_span *spans;

	out->argv_ok = 0;
	out->argv = NULL;
	out->argc = 0;
	for (e = lh_table_head(json_object_get_object(params)); e; e = lh_entry_next(e)) {
		const char *k = lh_entry_k(e);
		size_t kn = strlen(k);
		const json_object *v = lh_entry_v(e);

		if (!ascii_fold_eq(k, kn, "argv", 4))
			continue;
		if (json_object_is_type(v, json_type_array)) {
			n = json_object_array_length(v);
			for (i = 0; i < n; i++) {
				const json_object *el = json_object_array_get_idx(v, i);
				const struct lit *l;

				if (el == NULL || json_object_is_type(el, json_type_string))
					continue;
				l = json_object_is_type(el, json_type_int) ||
						    json_object_is_type(el, json_type_double)
					    ? literal_of(ctx, el)
					    : NULL;
				if (!l || !literal_is_stringy(src + l->off, l->len))
					type_error = 1;
			}
		} else if (v != NULL) {
			type_error = 1;
		}
		if (!best || rt_bytes_cmp(k, kn, best, bestn) > 0) {
			best = k;
			bestn = kn;
			val = v;
		}
	}
	if (type_error || !json_object_is_type(val, json_type_array) ||
	    (n = json_object_array_length(val)) == 0)
		return 0;
	/* number texts first: ctx->text must not move under the spans */
	rt_buf_reset(&ctx->text);
	for (i = 0; i < n; i++) {
		const json_object *el = json_object_array_get_idx(val, i);

		if (el != NULL && !json_object_is_type(el, json_type_string)) {
			const struct lit *l = literal_of(ctx, el);

			if (rt_buf_put(&ctx->text, src + l->off, l->len))
				return -1;
		}
	}
	rt_buf_reset(&ctx->scratch);
	if (rt_buf_put(&ctx->scratch, NULL, 0) || n > SIZE_MAX / sizeof *spans)
		return -1;
	for (i = 0; i < n; i++) {
		const json_object *el = json_object_array_get_idx(val, i);
		struct rt_span s;

		if (el == NULL) {
			s.ptr = "";
			s.len = 0;
		} else if (json_object_is_type(el, json_type_string)) {
			s = span_of(el);
		} else {
			const struct lit *l = literal_of(ctx, el);

			s.ptr = ctx->text.data + textpos;
			s.len = l->len;
			textpos += l->len;
		}
		if (rt_buf_put(&ctx->scratch, &s, sizeof s))
			return -1;
	}
	spans = (struct rt_span *)(void *)ctx->scratch.data;
	out->argv = spans;
	out->argc = n;
	out->argv_ok = 1;
	return 0;
}

/* ---- decode -------------------------------------------------------------------- */

/* Canonical params this short are remembered with their hash: agents send
 * the same small params ("{}" above all) again and again, and SHA-256 is a
 * tenth of the decoding time. */
#define HASH_MEMO_MAX 256

static void params_hash(struct rt_action_ctx *ctx, struct rt_action *out)
{
	struct rt_buf *m = &ctx->last;

	if (ctx->last_hash[0] && m->len == out->params_len &&
	    memcmp(m->data, out->params, m->len) == 0) {
		memcpy(out->params_hash, ctx->last_hash, sizeof ctx->last_hash);
		return;
	}
	rt_sha256_hex(out->params, out->params_len, out->params_hash);
	ctx->last_hash[0] = '\0';
	if (out->params_len > HASH_MEMO_MAX)
		return;
	rt_buf_reset(m);
	if (rt_buf_put(m, out->params, out->params_len) == 0)
		memcpy(ctx->last_hash, out->params_hash, sizeof ctx->last_hash);
}

/* The field a key names exactly, or F_COUNT. */
static enum field field_of(const char *key, size_t kn)
{
	size_t id;

	for (id = 0; id < F_COUNT; id++)
		if (field_lens[id] == kn && memcmp(field_names[id], key, kn) == 0)
			return (enum field)id;
	return F_COUNT;
}

static int decode(struct rt_action_ctx *ctx, const char *json, size_t len, struct rt_action *out,
		  struct rt_action_error *err)
{
	const json_object *f[F_COUNT] = { NULL };
	struct scan sc;
	const json_object *root;
	const struct lh_entry *e;
	size_t i, end = 0, nobj = 0, k = 0;
	int rc;
	char nerr[RT_NORMALIZE_ERRMAX];

	for (i = 0; i < len && is_ws(json[i]); i++)
		;
	if (i == len)
		return set_error(err, RT_ACTION_ERR_VALIDATION, "EOF");
	sc.s = json;
	sc.n = len;
	sc.ctx = ctx;
	sc.err = err;
	sc.err_at = 0;
	if ((rc = scan_value(&sc, i, &end)))
		return syntax_or_duplicate(&sc, i, rc);
	if (json[i] != '{' && json[i] != '[')
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go value of type action.Action",
				 json_kind_of_char(json[i]));
	if ((rc = build(ctx, json + i, end - i, err)))
		return rc;
	root = ctx->root;
	rt_buf_reset(&ctx->nodes);
	rc = walk(ctx, root, &nobj, &k);
	if (rc < 0)
		return nomem(err);
	if (rc > 0)
		return duplicate_error(&sc, i, end);
	if (k != ctx->numbers.len / sizeof(struct lit) ||
	    nobj != ctx->objects.len / sizeof(size_t))
		return set_error(err, RT_ACTION_ERR_NORMALIZATION,
				 "params canonicalization failed: number literals out of step");
	if (k > 8)
		qsort(ctx->nodes.data, k, sizeof(struct numnode), cmp_numnode);
	if (!json_object_is_type(root, json_type_object))
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go value of type action.Action",
				 json_kind(root));
	/* Field errors in document order, as Go's decoder reports the first. */
	for (e = lh_table_head(json_object_get_object(root)); e; e = lh_entry_next(e)) {
		const char *key = lh_entry_k(e);
		size_t kn = strlen(key);
		const json_object *v = lh_entry_v(e);
		enum field id = field_of(key, kn);

		if (id == F_COUNT)
			return unknown_or_variant(err, key, kn, field_names, F_COUNT);
		f[id] = v;
		if (id == F_PARAMS)
			continue;
		if (id == F_CONTEXT) {
			if ((rc = check_context(v, err)))
				return rc;
			continue;
		}
		if (v != NULL && !json_object_is_type(v, json_type_string))
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: cannot unmarshal %s into Go struct field Action.%s of type string",
					 json_kind(v), field_names[id]);
	}
	for (i = end; i < len; i++)
		if (!is_ws(json[i]))
			return set_error(err, RT_ACTION_ERR_VALIDATION, "unexpected trailing data");
	if ((rc = check_schema(f, err)))
		return rc;

	out->schema_version = span_of(f[F_SCHEMA_VERSION]);
	out->action_id = span_of(f[F_ACTION_ID]);
	out->trace_id = span_of(f[F_TRACE_ID]);
	out->resource_raw = span_of(f[F_RESOURCE]);
	out->principal = span_of(f[F_PRINCIPAL]);
	out->agent = span_of(f[F_AGENT]);
	out->environment = span_of(f[F_ENVIRONMENT]);
	{
		struct rt_span t = span_of(f[F_ACTION_TYPE]);
		size_t st;

		t.len = rt_go_trim_space(t.ptr, t.len, &st);
		t.ptr += st;
		out->action_type = t;
	}
	out->builtin_type = rt_action_type_is_builtin(out->action_type.ptr, out->action_type.len);

	/* normalize.Action */
	if (out->action_type.len == 0)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION, "action_type is required");
	rt_buf_reset(&ctx->resource);
	rc = rt_normalize_resource(out->action_type.ptr, out->action_type.len, out->resource_raw.ptr,
				   out->resource_raw.len, &ctx->resource, nerr, sizeof nerr);
	if (rc == RT_NORMALIZE_ENOMEM)
		return nomem(err);
	if (rc)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION, "%s", nerr);
	if (rt_buf_cstr(&ctx->resource))
		return nomem(err);
	out->resource.ptr = ctx->resource.data;
	out->resource.len = ctx->resource.len;

	rt_buf_reset(&ctx->params);
	rt_buf_reset(&ctx->scratch);
	rc = canon(ctx, json, f[F_PARAMS], &ctx->params);
	if (rc == -1 || rt_buf_cstr(&ctx->params))
		return nomem(err);
	if (rc)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION,
				 "params canonicalization failed: unexpected value");
	out->params = ctx->params.data;
	out->params_len = ctx->params.len;
	params_hash(ctx, out);
	out->risk = rt_action_risk(out->action_type.ptr, out->action_type.len, out->params_len);
	if (argv_view(ctx, json, f[F_PARAMS], out))
		return nomem(err);
	return 0;
}

int rt_action_decode(struct rt_action_ctx *ctx, const char *json, size_t len,
		     struct rt_action *out, struct rt_action_error *err)
{
	int rc;

	json_object_put(ctx->root);
	ctx->root = NULL;
	memset(out, 0, sizeof *out);
	err->cls = RT_ACTION_ERR_NONE;
	err->stage = "";
	err->message[0] = '\0';
	rc = decode(ctx, json, len, out, err);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}
