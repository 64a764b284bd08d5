/* rt_action.h: action intake. Decodes one Nomos v1 action JSON (spec §5.3)
 * with yajl (callbacks build a compact tree in buffers the context owns), checks
 * the v1 schema, normalizes the resource (rt_normalize.h),
 * canonicalizes params (§4.1) for params_hash and risk.large_io, derives the
 * risk flags (§2.5) and the lenient argv view for exec_match (§2.6). Every
 * failure is classified (validation / normalization) with upstream's stage name
 * and message, so callers can answer fail-closed DENY. Sits between the CLI
 * (nomos-vm eval/explain/test) and the evaluator (vm/). */
#ifndef NOMOS_RT_ACTION_H
#define NOMOS_RT_ACTION_H

#include <stddef.h>

#include "runtime/rt_canon.h"
#include "vm/vm_risk.h"

/* Risk flags as bits (vm/vm_risk.h): RT_RISK_EXEC = 1, RT_RISK_NET = 2,
 * RT_RISK_WRITE = 4, RT_RISK_SECRETS = 8, RT_RISK_LARGE_IO = 16,
 * RT_RISK_HIGH_FANOUT = 32. */
enum rt_risk {
#define RT_RISK_ENUM(name, bit, text) RT_RISK_##name = 1u << (bit),
	VM_RISK_FLAGS(RT_RISK_ENUM)
#undef RT_RISK_ENUM
};

/* Canonical params of at least this many bytes set risk.large_io. */
#define RT_ACTION_LARGE_IO_BYTES 32768u

/* A (pointer, length) view; never NUL-terminated by contract (decoded JSON
 * strings may hold NUL bytes), though every view below happens to be followed
 * by a NUL. */
struct rt_span {
	const char *ptr;
	size_t len;
};

/* The decoded and normalized action. Every pointer points into the
 * rt_action_ctx it was decoded with and stays valid until the next
 * rt_action_decode or rt_action_ctx_free on that context. */
struct rt_action {
	struct rt_span schema_version; /* "v1" */
	struct rt_span action_id;
	struct rt_span trace_id;
	struct rt_span action_type;   /* Go strings.TrimSpace applied */
	struct rt_span resource_raw;  /* as given in the JSON */
	struct rt_span resource;      /* normalized (spec §6); no control bytes */
	struct rt_span principal;     /* verbatim, not trimmed (as upstream) */
	struct rt_span agent;
	struct rt_span environment;
	int builtin_type;             /* 1 when action_type is a built-in type */
	const char *params;           /* canonical JSON of params (§4.1) */
	size_t params_len;
	char params_hash_cache[65];   /* "" until rt_action_params_hash fills it */
	unsigned risk;                /* mask of enum rt_risk */
	/* exec_match view (spec §2.6): params decoded like Go's lenient
	 * json.Unmarshal into {Argv []string}: the last key equal to "argv"
	 * case-insensitively wins, null elements are "", any type error or a
	 * missing/empty argv gives argv_ok = 0 (the rule cannot match). */
	int argv_ok;
	const struct rt_span *argv;
	size_t argc;
};

/* Error classes; each maps to a reason code and an upstream stage name. */
enum rt_action_errclass {
	RT_ACTION_ERR_NONE = 0,
	RT_ACTION_ERR_VALIDATION,    /* "validation_error", stage "decode action" */
	RT_ACTION_ERR_NORMALIZATION, /* "normalization_error", stage "normalize action" */
	RT_ACTION_ERR_INTERNAL       /* out of memory: "internal_error", stage "decode action" */
};

/* Return codes of rt_action_decode. */
#define RT_ACTION_OK 0
#define RT_ACTION_EVALIDATION (-1)
#define RT_ACTION_ENORMALIZE (-2)
#define RT_ACTION_ENOMEM (-3)

#define RT_ACTION_MSGMAX 1024

struct rt_action_error {
	enum rt_action_errclass cls;
	const char *stage;             /* static: "decode action" / "normalize action" */
	char message[RT_ACTION_MSGMAX]; /* NUL-terminated, upstream wording */
};

/* Caller-owned, reusable decoding state: every buffer (yajl's own memory
 * included, through an arena) grows to the largest action seen and is then
 * reused, so steady-state decoding does not allocate. Not shared between
 * threads; one per thread is fine. Fields are private. */
struct rt_action_ctx {
	struct rt_buf nodes;     /* the decoded JSON tree (struct jv, rt_action.c) */
	struct rt_buf text;      /* decoded strings, keys and number literals */
	struct rt_buf stack;     /* open containers while decoding */
	struct rt_buf keys;      /* hash set of object members (duplicate keys) */
	struct rt_buf resource;  /* normalized resource */
	struct rt_buf params;    /* canonical params */
	struct rt_buf scratch;   /* key sorting, argv views */
	void *arena;             /* yajl's allocations: a chain of blocks */
	unsigned char hash_key[16]; /* SipHash key of the key set, made on first use */
	int hash_key_set;
};

/* Prepares an empty context (no allocation). */
void rt_action_ctx_init(struct rt_action_ctx *ctx);
/* Releases everything the context holds; it can be initialized again. */
void rt_action_ctx_free(struct rt_action_ctx *ctx);

/* Decodes, validates and normalizes json[0..len) into *out.
 * Returns RT_ACTION_OK, or RT_ACTION_EVALIDATION (JSON syntax, unknown or
 * mistyped field, schema, action_type format), RT_ACTION_ENORMALIZE
 * (resource or params normalization) or RT_ACTION_ENOMEM, with *err filled
 * (err->cls, err->stage, err->message); *out is then zeroed. err may not be
 * NULL. Strictness versus upstream (docs/nomos-compat.md, "Action intake"):
 * keys are matched exactly (a case variant of a known field is rejected, as
 * are duplicate keys anywhere, including params), invalid UTF-8 and lone
 * surrogate escapes are rejected; every other input decodes as upstream. */
int rt_action_decode(struct rt_action_ctx *ctx, const char *json, size_t len,
		     struct rt_action *out, struct rt_action_error *err);

/* params_hash (spec §6.1): the lower-case hex SHA-256 of a->params, as a
 * NUL-terminated string owned by a. Computed on the first call after
 * rt_action_decode and kept: the decision never needs it (only the rendered
 * result does), and SHA-256 is a sixth of decoding. */
const char *rt_action_params_hash(struct rt_action *a);

/* "validation_error", "normalization_error", "internal_error" or "" (NONE). */
const char *rt_action_reason_code(enum rt_action_errclass cls);

/* The risk flags upstream derives from an action type and its canonical
 * params length (spec §2.5); high_fanout is never set. */
unsigned rt_action_risk(const char *action_type, size_t n, size_t params_len);

/* The bit of a risk flag name ("risk.exec", ...; exact, lower-case), or 0 for
 * an unknown name. */
unsigned rt_risk_from_name(const char *name, size_t n);

/* The name of a single risk bit ("risk.exec"), or NULL. */
const char *rt_risk_name(unsigned bit);

#endif
