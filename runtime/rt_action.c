/* rt_action.c: action intake (spec §5.3, §6.1, §2.5, §2.6). yajl parses the
 * text; its callbacks build a compact tree (struct jv) in context buffers,
 * reject duplicate keys, invalid UTF-8 and lone surrogate escapes, and keep
 * every number literal's exact text. Then the upstream field and schema
 * checks, normalization, params canonical JSON, params_hash, risk flags and
 * the argv view. */
#include "runtime/rt_action.h"

#include <sodium.h>
#include <yajl/yajl_parse.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_normalize.h"

static const char stage_decode[] = "decode action";
static const char stage_normalize[] = "normalize action";

static void arena_free_all(struct rt_action_ctx *ctx);

void rt_action_ctx_init(struct rt_action_ctx *ctx)
{
	rt_buf_init(&ctx->nodes);
	rt_buf_init(&ctx->text);
	rt_buf_init(&ctx->stack);
	rt_buf_init(&ctx->keys);
	rt_buf_init(&ctx->resource);
	rt_buf_init(&ctx->params);
	rt_buf_init(&ctx->scratch);
	ctx->arena = NULL;
	ctx->hash_key_set = 0;
}

void rt_action_ctx_free(struct rt_action_ctx *ctx)
{
	rt_buf_free(&ctx->nodes);
	rt_buf_free(&ctx->text);
	rt_buf_free(&ctx->stack);
	rt_buf_free(&ctx->keys);
	rt_buf_free(&ctx->resource);
	rt_buf_free(&ctx->params);
	rt_buf_free(&ctx->scratch);
	arena_free_all(ctx);
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


/* ---- yajl's memory ------------------------------------------------------------
 * yajl allocates its handle, lexer and buffers through these functions: an
 * arena of blocks owned by the context. Freeing is a no-op; a decode resets
 * the arena, and when a decode needed more than one block the chain is
 * replaced by one block that fits them all, so the next decodes allocate
 * nothing. */

struct block {
	struct block *next;
	size_t cap, used;
	max_align_t data[]; /* cap bytes */
};

#define ARENA_MIN 16384u
#define ALIGN (sizeof(max_align_t))

/* Each allocation is preceded by its size (realloc copies that much). */
union hdr {
	max_align_t align;
	size_t size;
};

static struct block *block_new(size_t cap, struct block *next)
{
	struct block *b;

	if (cap > SIZE_MAX - sizeof *b)
		return NULL;
	b = malloc(sizeof *b + cap);
	if (b) {
		b->next = next;
		b->cap = cap;
		b->used = 0;
	}
	return b;
}

static void arena_free_all(struct rt_action_ctx *ctx)
{
	struct block *b = ctx->arena;

	while (b) {
		struct block *next = b->next;

		free(b);
		b = next;
	}
	ctx->arena = NULL;
}

/* Empties the arena for a new decode; 0, or -1 when memory ran out. */
static int arena_reset(struct rt_action_ctx *ctx)
{
	struct block *b = ctx->arena;
	size_t total = 0;

	if (b && !b->next) {
		b->used = 0;
		return 0;
	}
	for (; b; b = b->next)
		total += b->cap;
	arena_free_all(ctx);
	ctx->arena = block_new(total > ARENA_MIN ? total : ARENA_MIN, NULL);
	return ctx->arena ? 0 : -1;
}

static void *arena_malloc(void *ud, size_t n)
{
	struct rt_action_ctx *ctx = ud;
	struct block *b = ctx->arena;
	size_t need;
	union hdr *h;

	if (n > SIZE_MAX / 2)
		return NULL;
	need = sizeof(union hdr) + (n + ALIGN - 1) / ALIGN * ALIGN;
	if (!b || b->cap - b->used < need) {
		size_t cap = b && b->cap > need ? b->cap * 2 : need * 2;

		b = block_new(cap > ARENA_MIN ? cap : ARENA_MIN, b);
		if (!b)
			return NULL;
		ctx->arena = b;
	}
	h = (union hdr *)(void *)((char *)b->data + b->used);
	h->size = n;
	b->used += need;
	return h + 1;
}

static void arena_free(void *ud, void *p)
{
	(void)ud;
	(void)p;
}

static void *arena_realloc(void *ud, void *p, size_t n)
{
	void *q;
	size_t old;

	if (!p)
		return arena_malloc(ud, n);
	old = ((union hdr *)p - 1)->size;
	if (n <= old) {
		((union hdr *)p - 1)->size = n;
		return p;
	}
	q = arena_malloc(ud, n);
	if (q)
		memcpy(q, p, old);
	return q;
}

/* ---- the tree -------------------------------------------------------------------- */

enum jkind { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT, JV_PENDING };

#define NONE SIZE_MAX

/* jansson's JSON_PARSER_MAX_DEPTH, kept so that the same documents decode. */
#define MAX_DEPTH 2048u

/* One JSON value in ctx->nodes; the root is node 0. Indices, not pointers:
 * the buffers move while the tree grows. */
struct jv {
	unsigned kind;           /* enum jkind; JV_PENDING: a member before its value */
	unsigned truth;          /* JV_BOOL */
	size_t off, len;         /* STRING, NUMBER: bytes in ctx->text, a NUL after;
				  * ARRAY, OBJECT: len counts the children */
	size_t key_off, key_len; /* an object member: its key in ctx->text */
	size_t parent;           /* an object member: the object */
	size_t first, last;      /* children in document order */
	size_t next;             /* next sibling */
};

static struct jv *node(const struct rt_action_ctx *ctx, size_t i)
{
	return (struct jv *)(void *)ctx->nodes.data + i;
}

static const char *text(const struct rt_action_ctx *ctx, size_t off)
{
	return ctx->text.data + off;
}

/* Decoding state shared with yajl's callbacks. */
struct build {
	struct rt_action_ctx *ctx;
	yajl_handle h;
	const char *src;
	size_t n;
	size_t depth;
	size_t pending; /* member node waiting for its value, or NONE */
	size_t nkeys;   /* members in the key set (0: not set up yet) */
	struct rt_action_error *err;
	int failed;     /* *err holds our message */
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The end of the token an error shows at s[i]: a run of letters, else one
 * (UTF-8) character. */
static size_t token_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (i >= n)
		return n;
	if (is_letter(s[i])) {
		while (j < n && is_letter(s[j]))
			j++;
	} else if ((unsigned char)s[i] >= 0xC0) {
		while (j < n && j - i < 4 && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
	}
	return j;
}

/* "invalid JSON: WHAT near 'TOKEN' (line L, column C)", the token shown when
 * it is 1 to 40 bytes; the position is that of src[at] (columns count
 * characters, from 1). Returns 0, which cancels the parse. */
static int fail(struct build *b, const char *what, size_t at, size_t end)
{
	size_t i, line = 1, col = 1;

	if (at > b->n)
		at = b->n;
	for (i = 0; i < at; i++) {
		if (b->src[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)b->src[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	b->failed = 1;
	if (end > at && end - at <= 40)
		set_error(b->err, RT_ACTION_ERR_VALIDATION,
			  "invalid JSON: %s near '%.*s' (line %zu, column %zu)", what, (int)(end - at),
			  b->src + at, line, col);
	else if (at == b->n)
		set_error(b->err, RT_ACTION_ERR_VALIDATION,
			  "invalid JSON: %s near end of file (line %zu, column %zu)", what, line, col);
	else
		set_error(b->err, RT_ACTION_ERR_VALIDATION, "invalid JSON: %s (line %zu, column %zu)",
			  what, line, col);
	return 0;
}

static int oom(struct build *b)
{
	b->failed = 1;
	nomem(b->err);
	return 0;
}

/* The string token yajl has just read: it ends where yajl stopped (past the
 * closing quote); its opening quote is the nearest quote before that is not
 * escaped (an even run of backslashes before it). Sets src[*at..*end). */
static void last_string_token(const struct build *b, size_t *at, size_t *end)
{
	size_t e = yajl_get_bytes_consumed(b->h), i;

	*end = e <= b->n ? e : b->n;
	*at = 0;
	if (*end < 2)
		return;
	for (i = *end - 1; i-- > 0;) {
		size_t k = 0;

		if (b->src[i] != '"')
			continue;
		while (k < i && b->src[i - 1 - k] == '\\')
			k++;
		if (k % 2 == 0) {
			*at = i;
			return;
		}
	}
}

/* Whether the escapes of a string token yajl accepted pair every surrogate:
 * yajl turns a lone high surrogate into '?' and joins a high surrogate with
 * any \u escape after it. tok[0..n) lies between the quotes. */
static int surrogates_paired(const char *tok, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned u;

		if (tok[i] != '\\') {
			i++;
			continue;
		}
		if (tok[i + 1] != 'u') {
			i += 2;
			continue;
		}
		u = rt_hex4(tok + i + 2);
		i += 6;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return 0;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 6 > n || tok[i] != '\\' || tok[i + 1] != 'u')
				return 0;
			u = rt_hex4(tok + i + 2);
			if (u < 0xDC00 || u > 0xDFFF)
				return 0;
			i += 6;
		}
	}
	return 1;
}

/* A decoded string or key must be valid UTF-8, its escapes paired. Returns
 * 1, or 0 with the error set. */
static int check_string(struct build *b, const unsigned char *s, size_t len)
{
	size_t i = 0, at, end;

	/* yajl hands over a string without escapes in place */
	if ((uintptr_t)s < (uintptr_t)b->src || (uintptr_t)s > (uintptr_t)b->src + b->n) {
		last_string_token(b, &at, &end);
		if (end - at >= 2 && !surrogates_paired(b->src + at + 1, end - at - 2))
			return fail(b, "lone surrogate escape in string", at, end);
	}
	while (i < len) {
		uint64_t w;
		size_t k;

		/* ASCII eight bytes at a time, then byte by byte */
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080u)) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = rt_utf8_len(s + i, len - i);

		if (!k) {
			last_string_token(b, &at, &end);
			return fail(b, "invalid UTF-8 in string", at, end);
		}
		i += k;
	}
	return 1;
}

/* Appends s[0..n) and a NUL to ctx->text; sets *off. 0 or -1. */
static int put_text(struct rt_action_ctx *ctx, const void *s, size_t n, size_t *off)
{
	*off = ctx->text.len;
	return rt_buf_put(&ctx->text, s, n) || rt_buf_putc(&ctx->text, '\0') ? -1 : 0;
}

static size_t stack_top(const struct rt_action_ctx *ctx)
{
	size_t k = ctx->stack.len / sizeof(size_t);

	return k ? ((const size_t *)(const void *)ctx->stack.data)[k - 1] : NONE;
}

/* The node of the next value: the pending member, else a new node linked to
 * the open array (or the root). NONE when memory ran out. */
static size_t value_node(struct build *b, unsigned kind)
{
	struct rt_action_ctx *ctx = b->ctx;
	struct jv v;
	size_t i, top;

	if (b->pending != NONE) {
		i = b->pending;
		b->pending = NONE;
		node(ctx, i)->kind = kind;
		return i;
	}
	memset(&v, 0, sizeof v);
	v.kind = kind;
	v.parent = v.first = v.last = v.next = NONE;
	i = ctx->nodes.len / sizeof v;
	if (rt_buf_put(&ctx->nodes, &v, sizeof v))
		return NONE;
	top = stack_top(ctx);
	if (top != NONE) {
		struct jv *p = node(ctx, top);

		if (p->last == NONE)
			p->first = i;
		else
			node(ctx, p->last)->next = i;
		p->last = i;
		p->len++;
	}
	return i;
}

static int cb_null(void *ud)
{
	struct build *b = ud;

	return value_node(b, JV_NULL) == NONE ? oom(b) : 1;
}

static int cb_boolean(void *ud, int truth)
{
	struct build *b = ud;
	size_t i = value_node(b, JV_BOOL);

	if (i == NONE)
		return oom(b);
	node(b->ctx, i)->truth = truth != 0;
	return 1;
}

/* Numbers keep their literal text (yajl checked the RFC 8259 grammar). */
static int cb_number(void *ud, const char *s, size_t len)
{
	struct build *b = ud;
	size_t off, i;

	if (put_text(b->ctx, s, len, &off) || (i = value_node(b, JV_NUMBER)) == NONE)
		return oom(b);
	node(b->ctx, i)->off = off;
	node(b->ctx, i)->len = len;
	return 1;
}

static int cb_string(void *ud, const unsigned char *s, size_t len)
{
	struct build *b = ud;
	size_t off, i;

	if (!check_string(b, s, len))
		return 0;
	if (put_text(b->ctx, s, len, &off) || (i = value_node(b, JV_STRING)) == NONE)
		return oom(b);
	node(b->ctx, i)->off = off;
	node(b->ctx, i)->len = len;
	return 1;
}

static int open_container(struct build *b, unsigned kind)
{
	size_t i, at = yajl_get_bytes_consumed(b->h);

	if (++b->depth > MAX_DEPTH)
		return fail(b, "maximum parsing depth reached", at ? at - 1 : 0, at);
	i = value_node(b, kind);
	if (i == NONE || rt_buf_put(&b->ctx->stack, &i, sizeof i))
		return oom(b);
	return 1;
}

static int close_container(void *ud)
{
	struct build *b = ud;

	b->depth--;
	b->ctx->stack.len -= sizeof(size_t);
	return 1;
}

static int cb_start_map(void *ud)
{
	return open_container(ud, JV_OBJECT);
}

static int cb_start_array(void *ud)
{
	return open_container(ud, JV_ARRAY);
}

/* ---- duplicate keys: a hash set of (object, key) over member nodes ---------- */

/* Keyed (SipHash, a random key per context): an action's keys are chosen by
 * whoever steers the agent, and with a fixed hash they could pick keys that
 * all collide and make decoding quadratic. */
_Static_assert(sizeof(((struct rt_action_ctx *)0)->hash_key) == crypto_shorthash_KEYBYTES,
	       "rt_action_ctx.hash_key is a SipHash key");

static size_t key_hash(const struct rt_action_ctx *ctx, size_t parent, const char *k, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)k, n, ctx->hash_key);
	memcpy(&h, out, sizeof h);
	h ^= (uint64_t)parent * 0x9e3779b97f4a7c15u;
	return (size_t)(h ^ h >> 29);
}

static size_t *key_slots(const struct rt_action_ctx *ctx, size_t *cap)
{
	*cap = ctx->keys.len / sizeof(size_t);
	return (size_t *)(void *)ctx->keys.data;
}

/* Empties the set with room for cap members (a power of two). 0 or -1. */
static int keys_init(struct rt_action_ctx *ctx, size_t cap)
{
	size_t i, none = NONE;

	if (!ctx->hash_key_set) {
		if (sodium_init() < 0)
			return -1;
		crypto_shorthash_keygen(ctx->hash_key);
		ctx->hash_key_set = 1;
	}

	rt_buf_reset(&ctx->keys);
	for (i = 0; i < cap; i++)
		if (rt_buf_put(&ctx->keys, &none, sizeof none))
			return -1;
	return 0;
}

/* Inserts member m; returns 1 when its object already has that key, 0 when
 * inserted. */
static int keys_insert(struct rt_action_ctx *ctx, size_t m)
{
	const struct jv *v = node(ctx, m);
	size_t cap, *slot = key_slots(ctx, &cap);
	size_t i = key_hash(ctx, v->parent, text(ctx, v->key_off), v->key_len) & (cap - 1);

	for (; slot[i] != NONE; i = (i + 1) & (cap - 1)) {
		const struct jv *o = node(ctx, slot[i]);

		if (o->parent == v->parent && o->key_len == v->key_len &&
		    memcmp(text(ctx, o->key_off), text(ctx, v->key_off), v->key_len) == 0)
			return 1;
	}
	slot[i] = m;
	return 0;
}

/* Doubles the set (load stays at most one half). 0 or -1. */
static int keys_grow(struct rt_action_ctx *ctx)
{
	size_t cap, i, *old;

	key_slots(ctx, &cap);
	rt_buf_reset(&ctx->scratch);
	if (rt_buf_put(&ctx->scratch, ctx->keys.data, ctx->keys.len) || keys_init(ctx, cap * 2))
		return -1;
	old = (size_t *)(void *)ctx->scratch.data;
	for (i = 0; i < cap; i++)
		if (old[i] != NONE)
			keys_insert(ctx, old[i]);
	return 0;
}

/* Members an object may have before its keys go into the hash set; below,
 * a new key is compared with its siblings. */
#define LINEAR_KEYS 16u

/* Whether member m repeats a key of its object. 0, 1, or -1 on memory. */
static int duplicate_key(struct build *b, size_t m)
{
	struct rt_action_ctx *ctx = b->ctx;
	const struct jv *v = node(ctx, m), *p = node(ctx, v->parent);
	size_t c, cap;

	if (p->len <= LINEAR_KEYS) {
		for (c = p->first; c != m; c = node(ctx, c)->next) {
			const struct jv *o = node(ctx, c);

			if (o->key_len == v->key_len &&
			    memcmp(text(ctx, o->key_off), text(ctx, v->key_off), v->key_len) == 0)
				return 1;
		}
		return 0;
	}
	if (!b->nkeys && keys_init(ctx, 64))
		return -1;
	if (p->len == LINEAR_KEYS + 1) {
		/* the object outgrew the linear scan: its members join the set */
		for (c = p->first; c != m; c = node(ctx, c)->next) {
			key_slots(ctx, &cap);
			if (++b->nkeys * 2 > cap && keys_grow(ctx))
				return -1;
			keys_insert(ctx, c);
		}
	}
	key_slots(ctx, &cap);
	if (++b->nkeys * 2 > cap && keys_grow(ctx))
		return -1;
	return keys_insert(ctx, m);
}

static int cb_map_key(void *ud, const unsigned char *s, size_t len)
{
	struct build *b = ud;
	struct rt_action_ctx *ctx = b->ctx;
	size_t off, m, at, end;
	int dup;

	if (!check_string(b, s, len))
		return 0;
	if (put_text(ctx, s, len, &off) || (m = value_node(b, JV_PENDING)) == NONE)
		return oom(b);
	node(ctx, m)->key_off = off;
	node(ctx, m)->key_len = len;
	node(ctx, m)->parent = stack_top(ctx);
	dup = duplicate_key(b, m);
	if (dup < 0)
		return oom(b);
	if (dup) {
		last_string_token(b, &at, &end);
		return fail(b, "duplicate object key", at, end);
	}
	b->pending = m;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, close_container, cb_start_array, close_container,
};

/* Parses the first JSON value of src[0..n) into ctx->nodes; *end is where it
 * ends. Syntax errors are yajl's, with our position. */
static int parse(struct rt_action_ctx *ctx, const char *src, size_t n, size_t *end,
		 struct rt_action_error *err)
{
	static const yajl_alloc_funcs funcs_template = { arena_malloc, arena_realloc, arena_free, NULL };
	yajl_alloc_funcs funcs = funcs_template;
	struct build b;
	yajl_status st;
	int rc = 0;

	rt_buf_reset(&ctx->nodes);
	rt_buf_reset(&ctx->text);
	rt_buf_reset(&ctx->stack);
	if (arena_reset(ctx))
		return nomem(err);
	funcs.ctx = ctx;
	memset(&b, 0, sizeof b);
	b.ctx = ctx;
	b.src = src;
	b.n = n;
	b.pending = NONE;
	b.err = err;
	b.h = yajl_alloc(&callbacks, &funcs, &b);
	if (!b.h)
		return nomem(err);
	yajl_config(b.h, yajl_allow_trailing_garbage, 1);
	/* check_string validates every string and key, more strictly than
	 * yajl (overlong forms, surrogates, > U+10FFFF): one pass is enough */
	yajl_config(b.h, yajl_dont_validate_strings, 1);
	st = yajl_parse(b.h, (const unsigned char *)src, n);
	*end = yajl_get_bytes_consumed(b.h);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(b.h);
		if (st == yajl_status_error)
			*end = n; /* the text ended inside the value */
	}
	if (st == yajl_status_client_canceled) {
		if (!b.failed)
			nomem(err);
		rc = err->cls == RT_ACTION_ERR_INTERNAL ? RT_ACTION_ENOMEM : RT_ACTION_EVALIDATION;
	} else if (st != yajl_status_ok) {
		unsigned char *msg = yajl_get_error(b.h, 0, NULL, 0);
		char what[256];
		size_t k;

		snprintf(what, sizeof what, "%s", msg ? (const char *)msg : "syntax error");
		if (msg)
			yajl_free_error(b.h, msg);
		k = strlen(what);
		while (k && (what[k - 1] == '\n' || what[k - 1] == '.' || what[k - 1] == ' '))
			what[--k] = '\0';
		/* yajl stops past a character it cannot start a token with, and
		 * inside a misspelt true, false or null: show from its start */
		if (strstr(what, "invalid char") && *end > 0 && *end <= n) {
			size_t at = --(*end), lead = at;

			/* show a multi-byte character from its first byte, but a stray
			 * continuation byte as itself */
			while (lead > 0 && at - lead < 3 && ((unsigned char)src[lead] & 0xC0) == 0x80)
				lead--;
			if (lead < at && rt_utf8_len((const unsigned char *)src + lead, n - lead) > at - lead)
				*end = lead;
		} else if (strstr(what, "invalid string") && *end <= n) {
			while (*end > 0 && is_letter(src[*end - 1]))
				(*end)--;
		}
		fail(&b, what, *end, token_end(src, n, *end));
		rc = RT_ACTION_EVALIDATION;
	} else if (!ctx->nodes.len) {
		rc = set_error(err, RT_ACTION_ERR_VALIDATION, "EOF");
	}
	yajl_free(b.h);
	if (*end > n)
		*end = n;
	return rc;
}

/* ---- canonical JSON of params (spec §4.1) ------------------------------------ */

struct kv {
	const char *key;
	size_t klen;
	size_t val;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;

	return rt_bytes_cmp(x->key, x->klen, y->key, y->klen);
}

/* Returns 0, -1 on memory, -2 on an internal inconsistency (fail closed). */
static int canon(struct rt_action_ctx *ctx, size_t vi, struct rt_buf *out)
{
	const struct jv *v = node(ctx, vi);
	size_t i, c;
	int rc;

	switch (v->kind) {
	case JV_OBJECT: {
		size_t base = ctx->scratch.len, n = v->len;

		for (c = v->first; c != NONE; c = node(ctx, c)->next) {
			struct kv k;

			k.key = text(ctx, node(ctx, c)->key_off);
			k.klen = node(ctx, c)->key_len;
			k.val = c;
			if (rt_buf_put(&ctx->scratch, &k, sizeof k))
				return -1;
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
			if ((rc = canon(ctx, k.val, out)))
				return rc;
		}
		ctx->scratch.len = base;
		return rt_buf_putc(out, '}');
	}
	case JV_ARRAY:
		rt_buf_putc(out, '[');
		for (c = v->first; c != NONE; c = node(ctx, c)->next) {
			if (c != v->first)
				rt_buf_putc(out, ',');
			if ((rc = canon(ctx, c, out)))
				return rc;
		}
		return rt_buf_putc(out, ']');
	case JV_STRING:
		return rt_canon_string(out, text(ctx, v->off), v->len);
	case JV_NUMBER:
		switch (rt_canon_number(out, text(ctx, v->off), v->len)) {
		case 0:
			return 0;
		case -1:
			return -1;
		default:
			return -2;
		}
	case JV_BOOL:
		return v->truth ? rt_buf_put(out, "true", 4) : rt_buf_put(out, "false", 5);
	case JV_NULL:
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


static const char *json_kind(const struct jv *v)
{
	switch (v->kind) {
	case JV_OBJECT: return "object";
	case JV_ARRAY: return "array";
	case JV_STRING: return "string";
	case JV_NUMBER: return "number";
	case JV_BOOL: return "bool";
	default: return "null";
	}
}

/* How upstream's schema validator names a decoded value's Go type. */
static const char *go_type(const struct jv *v)
{
	if (!v)
		return "<nil>";
	switch (v->kind) {
	case JV_OBJECT: return "map[string]interface {}";
	case JV_ARRAY: return "[]interface {}";
	case JV_STRING: return "string";
	case JV_NUMBER: return "float64";
	case JV_BOOL: return "bool";
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


static int check_context(const struct rt_action_ctx *ctx, const struct jv *cv,
			 struct rt_action_error *err)
{
	static const char *const known[] = { "extensions" };
	size_t c;

	if (cv == NULL || cv->kind == JV_NULL)
		return 0;
	if (cv->kind != JV_OBJECT)
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go struct field Action.context of type action.Context",
				 json_kind(cv));
	for (c = cv->first; c != NONE; c = node(ctx, c)->next) {
		const struct jv *m = node(ctx, c);
		const char *k = text(ctx, m->key_off);

		if (m->key_len != 10 || memcmp(k, "extensions", 10) != 0)
			return unknown_or_variant(err, k, m->key_len, known, 1);
		if (m->kind != JV_NULL && m->kind != JV_OBJECT)
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: cannot unmarshal %s into Go struct field Action.context.extensions of type map[string]json.RawMessage",
					 json_kind(m));
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


static struct rt_span span_of(const struct rt_action_ctx *ctx, const struct jv *v)
{
	struct rt_span s;

	if (v && v->kind == JV_STRING) {
		s.ptr = text(ctx, v->off);
		s.len = v->len;
	} else {
		s.ptr = "";
		s.len = 0;
	}
	return s;
}

/* The schema check over the re-marshalled action, properties in sorted order,
 * first failure wins (spec §5.3). f[id] is NULL for an absent or null field. */
static int check_schema(const struct rt_action_ctx *ctx, const struct jv *const *f,
			struct rt_action_error *err)
{
	static const enum field order[] = {
		F_ACTION_ID, F_ACTION_TYPE, F_AGENT, F_CONTEXT, F_ENVIRONMENT, F_PARAMS,
		F_PRINCIPAL, F_RESOURCE, F_SCHEMA_VERSION, F_TRACE_ID,
	};
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		enum field id = order[i];
		const char *name = field_names[id];
		struct rt_span s = span_of(ctx, f[id]);

		switch (id) {
		case F_CONTEXT:
			break;
		case F_PARAMS:
			if (!f[id] || f[id]->kind != JV_OBJECT)
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
		struct rt_span t = span_of(ctx, f[F_ACTION_TYPE]);

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
 * folding wins; numbers with '.', 'e' or 'E' are strings in canonical JSON;
 * null elements are "". The spans point into ctx->text. */
static int argv_view(struct rt_action_ctx *ctx, size_t params, struct rt_action *out)
{
	const char *best = NULL;
	size_t bestn = 0, c, e, n, val = NONE;
	int type_error = 0;
	struct rt_span *spans;

	out->argv_ok = 0;
	out->argv = NULL;
	out->argc = 0;
	for (c = node(ctx, params)->first; c != NONE; c = node(ctx, c)->next) {
		const struct jv *m = node(ctx, c);
		const char *k = text(ctx, m->key_off);

		if (!ascii_fold_eq(k, m->key_len, "argv", 4))
			continue;
		if (m->kind == JV_ARRAY) {
			for (e = m->first; e != NONE; e = node(ctx, e)->next) {
				const struct jv *el = node(ctx, e);

				if (el->kind == JV_NULL || el->kind == JV_STRING)
					continue;
				if (el->kind != JV_NUMBER ||
				    !literal_is_stringy(text(ctx, el->off), el->len))
					type_error = 1;
			}
		} else if (m->kind != JV_NULL) {
			type_error = 1;
		}
		if (!best || rt_bytes_cmp(k, m->key_len, best, bestn) > 0) {
			best = k;
			bestn = m->key_len;
			val = c;
		}
	}
	if (type_error || val == NONE || node(ctx, val)->kind != JV_ARRAY ||
	    (n = node(ctx, val)->len) == 0)
		return 0;
	rt_buf_reset(&ctx->scratch);
	if (n > SIZE_MAX / sizeof *spans)
		return -1;
	for (e = node(ctx, val)->first; e != NONE; e = node(ctx, e)->next) {
		const struct jv *el = node(ctx, e);
		struct rt_span s;

		if (el->kind == JV_NULL) {
			s.ptr = "";
			s.len = 0;
		} else {
			s.ptr = text(ctx, el->off);
			s.len = el->len;
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
	const struct jv *f[F_COUNT] = { NULL };
	const struct jv *root;
	size_t i, c, end = 0, params = NONE;
	int rc;
	char nerr[RT_NORMALIZE_ERRMAX];

	for (i = 0; i < len && is_ws(json[i]); i++)
		;
	if (i == len)
		return set_error(err, RT_ACTION_ERR_VALIDATION, "EOF");
	if ((rc = parse(ctx, json, len, &end, err)))
		return rc;
	/* the tree is complete: pointers into it stay valid from here on */
	root = node(ctx, 0);
	if (root->kind != JV_OBJECT)
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go value of type action.Action",
				 json_kind(root));
	/* Field errors in document order, as Go's decoder reports the first. */
	for (c = root->first; c != NONE; c = node(ctx, c)->next) {
		const struct jv *m = node(ctx, c);
		const char *key = text(ctx, m->key_off);
		enum field id = field_of(key, m->key_len);

		if (id == F_COUNT)
			return unknown_or_variant(err, key, m->key_len, field_names, F_COUNT);
		f[id] = m->kind == JV_NULL ? NULL : m;
		if (id == F_PARAMS) {
			params = c;
			continue;
		}
		if (id == F_CONTEXT) {
			if ((rc = check_context(ctx, m, err)))
				return rc;
			continue;
		}
		if (m->kind != JV_NULL && m->kind != JV_STRING)
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: cannot unmarshal %s into Go struct field Action.%s of type string",
					 json_kind(m), field_names[id]);
	}
	for (i = end; i < len; i++)
		if (!is_ws(json[i]))
			return set_error(err, RT_ACTION_ERR_VALIDATION, "unexpected trailing data");
	if ((rc = check_schema(ctx, f, err)))
		return rc;

	out->schema_version = span_of(ctx, f[F_SCHEMA_VERSION]);
	out->action_id = span_of(ctx, f[F_ACTION_ID]);
	out->trace_id = span_of(ctx, f[F_TRACE_ID]);
	out->resource_raw = span_of(ctx, f[F_RESOURCE]);
	out->principal = span_of(ctx, f[F_PRINCIPAL]);
	out->agent = span_of(ctx, f[F_AGENT]);
	out->environment = span_of(ctx, f[F_ENVIRONMENT]);
	{
		struct rt_span t = span_of(ctx, f[F_ACTION_TYPE]);
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
	rc = canon(ctx, params, &ctx->params);
	if (rc == -1 || rt_buf_cstr(&ctx->params))
		return nomem(err);
	if (rc)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION,
				 "params canonicalization failed: unexpected value");
	out->params = ctx->params.data;
	out->params_len = ctx->params.len;
	out->risk = rt_action_risk(out->action_type.ptr, out->action_type.len, out->params_len);
	if (argv_view(ctx, params, out))
		return nomem(err);
	return 0;
}

const char *rt_action_params_hash(struct rt_action *a)
{
	if (!a->params_hash_cache[0])
		rt_sha256_hex(a->params ? a->params : "", a->params_len, a->params_hash_cache);
	return a->params_hash_cache;
}

int rt_action_decode(struct rt_action_ctx *ctx, const char *json, size_t len,
		     struct rt_action *out, struct rt_action_error *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	err->cls = RT_ACTION_ERR_NONE;
	err->stage = "";
	err->message[0] = '\0';
	rc = decode(ctx, json, len, out, err);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}
