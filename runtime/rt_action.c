/* rt_action.c: action intake (spec §5.3, §6.1, §2.5, §2.6). jansson decodes the
 * action; number literals are masked before parsing and restored after, so
 * params keep their exact literal text for canonical JSON (§4.1) without a
 * hand-written parser. Then the upstream field checks, schema checks,
 * normalization, params_hash, risk flags and the lenient argv view. */
#include "runtime/rt_action.h"

#include <jansson.h>
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
	rt_buf_init(&ctx->text);
	rt_buf_init(&ctx->resource);
	rt_buf_init(&ctx->params);
	rt_buf_init(&ctx->scratch);
	rt_buf_init(&ctx->numbers);
	rt_buf_init(&ctx->nodes);
}

void rt_action_ctx_free(struct rt_action_ctx *ctx)
{
	json_decref(ctx->root);
	ctx->root = NULL;
	rt_buf_free(&ctx->text);
	rt_buf_free(&ctx->resource);
	rt_buf_free(&ctx->params);
	rt_buf_free(&ctx->scratch);
	rt_buf_free(&ctx->numbers);
	rt_buf_free(&ctx->nodes);
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

/* ---- number literal masking -------------------------------------------------- */

struct lit {
	size_t off;
	size_t len;
};

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies json into ctx->text replacing every number literal that stands where
 * a JSON value may stand by "0" plus spaces (same length, so jansson positions
 * stay true and no literal can overflow jansson's int64/double), recording
 * each literal's place in ctx->numbers in document order. A token that is not
 * a valid JSON number, or not delimited like a value, is left for jansson to
 * reject. */
static int mask_numbers(struct rt_action_ctx *ctx, const char *s, size_t n)
{
	size_t i = 0;
	int in_str = 0;
	char *t;

	rt_buf_reset(&ctx->text);
	rt_buf_reset(&ctx->numbers);
	if (rt_buf_put(&ctx->text, s, n) || rt_buf_cstr(&ctx->text))
		return -1;
	t = ctx->text.data;
	while (i < n) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			i++;
			continue;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;
			char prev = i ? s[i - 1] : ' ';

			while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '-' || s[j] == '+' ||
					 s[j] == '.' || s[j] == 'e' || s[j] == 'E'))
				j++;
			if ((is_ws(prev) || prev == '[' || prev == '{' || prev == ',' || prev == ':') &&
			    (j == n || is_ws(s[j]) || s[j] == ']' || s[j] == '}' || s[j] == ',') &&
			    rt_is_json_number(s + i, j - i)) {
				struct lit l;

				l.off = i;
				l.len = j - i;
				if (rt_buf_put(&ctx->numbers, &l, sizeof l))
					return -1;
				t[i] = '0';
				memset(t + i + 1, ' ', j - i - 1);
			}
			i = j;
			continue;
		}
		i++;
	}
	return 0;
}

/* The masked numbers are jansson integer nodes; pair each with its literal by
 * walking the tree in document order (jansson keeps object insertion order and
 * duplicates are rejected, so that is the text order). */
struct numnode {
	const json_t *node;
	size_t lit;
};

static int collect_numbers(struct rt_action_ctx *ctx, const json_t *v, size_t *k)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		void *it;

		for (it = json_object_iter((json_t *)(uintptr_t)v); it;
		     it = json_object_iter_next((json_t *)(uintptr_t)v, it))
			if (collect_numbers(ctx, json_object_iter_value(it), k))
				return -1;
		return 0;
	}
	case JSON_ARRAY: {
		size_t i;

		for (i = 0; i < json_array_size(v); i++)
			if (collect_numbers(ctx, json_array_get(v, i), k))
				return -1;
		return 0;
	}
	case JSON_INTEGER: {
		struct numnode nn;

		nn.node = v;
		nn.lit = (*k)++;
		return rt_buf_put(&ctx->nodes, &nn, sizeof nn);
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

/* The literal of a masked number node, or NULL. */
static const struct lit *literal_of(const struct rt_action_ctx *ctx, const json_t *v)
{
	const struct numnode *nodes = (const struct numnode *)(const void *)ctx->nodes.data;
	size_t lo = 0, hi = ctx->nodes.len / sizeof *nodes;

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

/* ---- canonical JSON of params (spec §4.1) ------------------------------------ */

struct kv {
	const char *key;
	size_t klen;
	const json_t *val;
};

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;

	return rt_bytes_cmp(x->key, x->klen, y->key, y->klen);
}

/* Returns 0, -1 on memory, -2 on an internal inconsistency (fail closed). */
static int canon(struct rt_action_ctx *ctx, const json_t *v, struct rt_buf *out)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t base = ctx->scratch.len, n = 0, i;
		void *it;
		int rc;

		for (it = json_object_iter((json_t *)(uintptr_t)v); it;
		     it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
			struct kv e;

			e.key = json_object_iter_key(it);
			e.klen = json_object_iter_key_len(it);
			e.val = json_object_iter_value(it);
			if (rt_buf_put(&ctx->scratch, &e, sizeof e))
				return -1;
			n++;
		}
		if (n > 1)
			qsort(ctx->scratch.data + base, n, sizeof(struct kv), cmp_kv);
		rt_buf_putc(out, '{');
		for (i = 0; i < n; i++) {
			/* re-read: recursion may have moved the scratch buffer */
			struct kv e;

			memcpy(&e, ctx->scratch.data + base + i * sizeof e, sizeof e);
			if (i)
				rt_buf_putc(out, ',');
			rt_canon_string(out, e.key, e.klen);
			rt_buf_putc(out, ':');
			if ((rc = canon(ctx, e.val, out)))
				return rc;
		}
		ctx->scratch.len = base;
		return rt_buf_putc(out, '}');
	}
	case JSON_ARRAY: {
		size_t i;
		int rc;

		rt_buf_putc(out, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				rt_buf_putc(out, ',');
			if ((rc = canon(ctx, json_array_get(v, i), out)))
				return rc;
		}
		return rt_buf_putc(out, ']');
	}
	case JSON_STRING:
		return rt_canon_string(out, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		const struct lit *l = literal_of(ctx, v);

		if (!l)
			return -2;
		switch (rt_canon_number(out, ctx->text.data + l->off, l->len)) {
		case 0:
			return 0;
		case -1:
			return -1;
		default:
			return -2;
		}
	}
	case JSON_TRUE:
		return rt_buf_puts(out, "true");
	case JSON_FALSE:
		return rt_buf_puts(out, "false");
	case JSON_NULL:
		return rt_buf_puts(out, "null");
	default:
		return -2; /* JSON_REAL: every number was masked, so never */
	}
}

/* ---- field checks -------------------------------------------------------------- */

enum field {
	F_SCHEMA_VERSION, F_ACTION_ID, F_ACTION_TYPE, F_RESOURCE, F_PARAMS, F_PRINCIPAL,
	F_AGENT, F_ENVIRONMENT, F_CONTEXT, F_TRACE_ID, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"schema_version", "action_id", "action_type", "resource", "params", "principal",
	"agent", "environment", "context", "trace_id",
};

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "null";
	}
}

/* How upstream's schema validator names a decoded value's Go type. */
static const char *go_type(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT: return "map[string]interface {}";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "float64";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "<nil>";
	}
}

static int ascii_fold_eq(const char *a, size_t an, const char *b)
{
	size_t i, bn = strlen(b);

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

/* Appends Go %q of a key to a message; keys are valid UTF-8 from jansson. */
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
		if (ascii_fold_eq(key, klen, known[i]))
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: field %s must be spelled \"%s\" (keys are case-sensitive)",
					 q, known[i]);
	return set_error(err, RT_ACTION_ERR_VALIDATION, "json: unknown field %s", q);
}

static int check_context(const json_t *ctxv, struct rt_action_error *err)
{
	static const char *const known[] = { "extensions" };
	void *it;

	if (json_is_null(ctxv))
		return 0;
	if (!json_is_object(ctxv))
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go struct field Action.context of type action.Context",
				 json_kind(ctxv));
	for (it = json_object_iter((json_t *)(uintptr_t)ctxv); it;
	     it = json_object_iter_next((json_t *)(uintptr_t)ctxv, it)) {
		const char *k = json_object_iter_key(it);
		size_t kn = json_object_iter_key_len(it);
		const json_t *v = json_object_iter_value(it);

		if (kn != 10 || memcmp(k, "extensions", 10) != 0)
			return unknown_or_variant(err, k, kn, known, 1);
		if (!json_is_null(v) && !json_is_object(v))
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

static struct rt_span span_of(const json_t *v)
{
	struct rt_span s;

	if (v && json_is_string(v)) {
		s.ptr = json_string_value(v);
		s.len = json_string_length(v);
	} else {
		s.ptr = "";
		s.len = 0;
	}
	return s;
}

/* The schema check over the re-marshalled action, properties in sorted order,
 * first failure wins (spec §5.3). */
static int check_schema(const json_t *const *f, struct rt_action_error *err)
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
			if (!f[id] || !json_is_object(f[id]))
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

/* Go's json.Unmarshal(canonicalParams, &struct{Argv []string}): keys are seen
 * in canonical (byte-sorted) order, so the last key equal to "argv" under case
 * folding wins; numbers with '.', 'e' or 'E' are strings in canonical JSON. */
static int argv_view(struct rt_action_ctx *ctx, const json_t *params, struct rt_action *out)
{
	const char *best = NULL;
	size_t bestn = 0, i;
	const json_t *val = NULL;
	int type_error = 0;
	void *it;

	out->argv_ok = 0;
	out->argv = NULL;
	out->argc = 0;
	for (it = json_object_iter((json_t *)(uintptr_t)params); it;
	     it = json_object_iter_next((json_t *)(uintptr_t)params, it)) {
		const char *k = json_object_iter_key(it);
		size_t kn = json_object_iter_key_len(it);
		const json_t *v = json_object_iter_value(it);

		if (!ascii_fold_eq(k, kn, "argv"))
			continue;
		if (json_is_array(v)) {
			for (i = 0; i < json_array_size(v); i++) {
				const json_t *e = json_array_get(v, i);
				const struct lit *l;

				if (json_is_string(e) || json_is_null(e))
					continue;
				l = json_is_integer(e) ? literal_of(ctx, e) : NULL;
				if (l && memchr(ctx->text.data + l->off, '.', l->len) == NULL &&
				    memchr(ctx->text.data + l->off, 'e', l->len) == NULL &&
				    memchr(ctx->text.data + l->off, 'E', l->len) == NULL)
					l = NULL;
				if (!l)
					type_error = 1;
			}
		} else if (!json_is_null(v)) {
			type_error = 1;
		}
		if (!best || rt_bytes_cmp(k, kn, best, bestn) > 0) {
			best = k;
			bestn = kn;
			val = v;
		}
	}
	if (type_error || !val || !json_is_array(val) || json_array_size(val) == 0)
		return 0;
	rt_buf_reset(&ctx->scratch);
	for (i = 0; i < json_array_size(val); i++) {
		const json_t *e = json_array_get(val, i);
		struct rt_span s;

		if (json_is_string(e)) {
			s = span_of(e);
		} else if (json_is_null(e)) {
			s.ptr = "";
			s.len = 0;
		} else {
			const struct lit *l = literal_of(ctx, e);

			s.ptr = ctx->text.data + l->off;
			s.len = l->len;
		}
		if (rt_buf_put(&ctx->scratch, &s, sizeof s))
			return -1;
	}
	out->argv = (const struct rt_span *)(const void *)ctx->scratch.data;
	out->argc = json_array_size(val);
	out->argv_ok = 1;
	return 0;
}

/* ---- decode -------------------------------------------------------------------- */

static int decode(struct rt_action_ctx *ctx, const char *json, size_t len, struct rt_action *out,
		  struct rt_action_error *err)
{
	const char *const *known = field_names;
	const json_t *f[F_COUNT] = { NULL };
	json_error_t jerr;
	json_t *root;
	size_t i, k = 0, nlits;
	void *it;
	int rc;
	char nerr[RT_NORMALIZE_ERRMAX];

	for (i = 0; i < len && is_ws(json[i]); i++)
		;
	if (i == len)
		return set_error(err, RT_ACTION_ERR_VALIDATION, "EOF");
	if (mask_numbers(ctx, json, len))
		return nomem(err);
	root = json_loadb(ctx->text.data, len,
			  JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			  &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return nomem(err);
		return set_error(err, RT_ACTION_ERR_VALIDATION, "invalid JSON: %s (line %d, column %d)",
				 jerr.text, jerr.line, jerr.column);
	}
	ctx->root = root;
	/* The tree holds its own copies: put the literals back for canonical JSON. */
	memcpy(ctx->text.data, json, len);
	if (!json_is_object(root))
		return set_error(err, RT_ACTION_ERR_VALIDATION,
				 "json: cannot unmarshal %s into Go value of type action.Action",
				 json_kind(root));
	/* Field errors in document order, as Go's decoder reports the first. */
	for (it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
		const char *key = json_object_iter_key(it);
		size_t kn = json_object_iter_key_len(it);
		const json_t *v = json_object_iter_value(it);
		size_t id;

		for (id = 0; id < F_COUNT; id++)
			if (strlen(known[id]) == kn && memcmp(known[id], key, kn) == 0)
				break;
		if (id == F_COUNT)
			return unknown_or_variant(err, key, kn, known, F_COUNT);
		f[id] = v;
		if (id == F_PARAMS)
			continue;
		if (id == F_CONTEXT) {
			if ((rc = check_context(v, err)))
				return rc;
			continue;
		}
		if (!json_is_string(v) && !json_is_null(v))
			return set_error(err, RT_ACTION_ERR_VALIDATION,
					 "json: cannot unmarshal %s into Go struct field Action.%s of type string",
					 json_kind(v), known[id]);
	}
	for (i = (size_t)jerr.position; i < len; i++)
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

	/* Pair masked numbers with their literals, then canonicalize params. */
	rt_buf_reset(&ctx->nodes);
	if (collect_numbers(ctx, root, &k))
		return nomem(err);
	nlits = ctx->numbers.len / sizeof(struct lit);
	if (k != nlits)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION,
				 "params canonicalization failed: number literals out of step");
	if (k > 1)
		qsort(ctx->nodes.data, k, sizeof(struct numnode), cmp_numnode);
	rt_buf_reset(&ctx->params);
	rt_buf_reset(&ctx->scratch);
	rc = canon(ctx, f[F_PARAMS], &ctx->params);
	if (rc == -1 || rt_buf_cstr(&ctx->params))
		return nomem(err);
	if (rc)
		return set_error(err, RT_ACTION_ERR_NORMALIZATION,
				 "params canonicalization failed: unexpected value");
	out->params = ctx->params.data;
	out->params_len = ctx->params.len;
	rt_sha256_hex(out->params, out->params_len, out->params_hash);
	out->risk = rt_action_risk(out->action_type.ptr, out->action_type.len, out->params_len);
	if (argv_view(ctx, f[F_PARAMS], out))
		return nomem(err);
	return 0;
}

int rt_action_decode(struct rt_action_ctx *ctx, const char *json, size_t len,
		     struct rt_action *out, struct rt_action_error *err)
{
	int rc;

	json_decref(ctx->root);
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
