/* nomos.h: the public C API of libnomos, the nomos policy VM.
 *
 *   struct nomos_image *img;
 *   char err[256];
 *   if (nomos_image_open("bundle.nbc", NULL, &img, err, sizeof err)) { ...refuse... }
 *   struct nomos_eval *ev = nomos_eval_new(img, 0);       // one per thread
 *   nomos_eval_json(ev, json, len);                       // always decides
 *   if (nomos_eval_decision(ev) == NOMOS_ALLOW) ...
 *   puts(nomos_eval_result_json(ev, NULL));
 *   nomos_eval_free(ev);
 *   nomos_image_close(img);
 *
 * An image is immutable after opening and may be shared by any number of
 * threads; each thread evaluates with its own nomos_eval. Evaluation never
 * allocates once the nomos_eval has seen its largest action (yajl, the JSON
 * decoder, allocates from an arena the nomos_eval keeps). Every failure decides DENY with a reason code:
 * validation_error, normalization_error, image_error or internal_error. */
#ifndef NOMOS_H
#define NOMOS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define NOMOS_API __attribute__((visibility("default")))
#else
#define NOMOS_API
#endif

enum nomos_decision { NOMOS_ALLOW = 0, NOMOS_DENY = 1, NOMOS_REQUIRE_APPROVAL = 2 };

struct nomos_image;
struct nomos_eval;

/* Options for opening an image; NULL means the defaults (all zero). */
struct nomos_open_opts {
	int skip_hash; /* trust the content hash without recomputing (benchmarks only) */
};

/* Maps path read-only and verifies it (structure and content hash). On
 * success returns 0 and sets *out; otherwise returns a negative vm_error code
 * and writes a message to err. */
NOMOS_API int nomos_image_open(const char *path, const struct nomos_open_opts *opts,
			       struct nomos_image **out, char *err, size_t errlen);

/* Like nomos_image_open on bytes in memory; the bytes are copied. */
NOMOS_API int nomos_image_open_mem(const void *bytes, size_t len,
				   const struct nomos_open_opts *opts, struct nomos_image **out,
				   char *err, size_t errlen);

NOMOS_API void nomos_image_close(struct nomos_image *img);

/* The Nomos policy_bundle_hash the image was built from (64 hex chars). */
NOMOS_API const char *nomos_image_bundle_hash(const struct nomos_image *img);
NOMOS_API uint32_t nomos_image_rule_count(const struct nomos_image *img);
NOMOS_API uint64_t nomos_image_revision(const struct nomos_image *img);
NOMOS_API uint64_t nomos_image_expires_at(const struct nomos_image *img);
/* The raw image bytes (for signature checks). */
NOMOS_API const uint8_t *nomos_image_bytes(const struct nomos_image *img, size_t *len);

#define NOMOS_EVAL_TRACE 1u /* keep a per-rule trace for explain */

/* Creates evaluation state for img (which must outlive it). NULL on memory. */
NOMOS_API struct nomos_eval *nomos_eval_new(const struct nomos_image *img, unsigned flags);
NOMOS_API void nomos_eval_free(struct nomos_eval *ev);

/* Decodes, normalizes and evaluates one action JSON. Always produces a
 * decision and returns it (enum nomos_decision); a bad action gives DENY with
 * reason validation_error or normalization_error. */
NOMOS_API int nomos_eval_json(struct nomos_eval *ev, const char *json, size_t len);

/* Sets a refusal: the next results are DENY with reason image_error and msg
 * (used when no trusted image could be opened; img may then be NULL). */
NOMOS_API struct nomos_eval *nomos_eval_new_refused(const char *msg);

NOMOS_API enum nomos_decision nomos_eval_decision(const struct nomos_eval *ev);
NOMOS_API const char *nomos_eval_reason(const struct nomos_eval *ev);
/* The error message for validation/normalization/image errors, else "". */
NOMOS_API const char *nomos_eval_error(const struct nomos_eval *ev);
NOMOS_API size_t nomos_eval_matched_count(const struct nomos_eval *ev);
/* The i-th matched rule id (byte-sorted), with its length. */
NOMOS_API const char *nomos_eval_matched_id(const struct nomos_eval *ev, size_t i, size_t *len);

/* The result as one compact JSON object with sorted keys: decision,
 * reason_code, matched_rule_ids, obligations, policy_bundle_hash,
 * normalized_resource, allow/require_approval/deny_rule_ids,
 * exec_authorization, action_id, params_hash, and error (on failures).
 * Owned by ev, valid until the next call on ev. */
NOMOS_API const char *nomos_eval_result_json(struct nomos_eval *ev, size_t *len);

/* The explain report of the last evaluation (needs NOMOS_EVAL_TRACE):
 * NOMOS_EXPLAIN_TEXT (readable per-rule trace) or NOMOS_EXPLAIN_JSON (Nomos
 * explain fields, spec §5.2, plus a "rules" trace). color adds ANSI colors to
 * text. Owned by ev, valid until the next call on ev; NULL on memory. */
enum nomos_explain_format { NOMOS_EXPLAIN_TEXT = 0, NOMOS_EXPLAIN_JSON = 1 };
NOMOS_API const char *nomos_eval_explain(struct nomos_eval *ev, enum nomos_explain_format fmt,
					 int color, size_t *len);

/* ---- Trust: signed images (docs/signing.md, runtime/rt_trust.h) ----------
 *
 *   struct nomos_trust *t;                      // accepted and revoked key ids
 *   nomos_trust_load("trust.txt", &t, err, sizeof err);
 *   struct nomos_check_opts co = { t, (uint64_t)time(NULL), state_rev, 0 };
 *   enum nomos_verdict v = nomos_image_check(img, &co, &flags, msg, sizeof msg);
 *
 * Verdicts: X(NAME, number, name). The number is also the exit status of
 * `nomos-vm verify`; each refusal has its own. */
#define NOMOS_VERDICTS(X)                                                          \
	X(OK, 0, "ok")                       /* accepted */                         \
	X(INVALID, 1, "invalid")             /* structural, trust or state error */ \
	X(UNSIGNED, 10, "unsigned")          /* no signature, unsigned not allowed */ \
	X(UNKNOWN_KEY, 11, "unknown_key")    /* signer not in the trust store */    \
	X(REVOKED_KEY, 12, "revoked_key")    /* signer revoked in the trust store */ \
	X(BAD_SIGNATURE, 13, "bad_signature") /* signature does not verify */      \
	X(EXPIRED, 14, "expired")            /* expires_at < now */                 \
	X(ROLLBACK, 15, "rollback")          /* revision < highest accepted */      \
	X(NO_TRUST, 16, "no_trust_store")    /* signed, but nothing to check it with */

enum nomos_verdict {
#define NOMOS_VERDICT_ENUM(name, num, text) NOMOS_VERDICT_##name = num,
	NOMOS_VERDICTS(NOMOS_VERDICT_ENUM)
#undef NOMOS_VERDICT_ENUM
};

/* The name of a verdict ("ok", "unsigned", ...); "invalid" for unknown values. */
NOMOS_API const char *nomos_verdict_name(enum nomos_verdict v);

struct nomos_trust;

/* Parses a trust file's text (name is used in messages: "name:line: ..."):
 * lines `key KEYID BASE64PUB [comment]` (or a public key file line
 * `nomos-ed25519-public-v1 KEYID BASE64PUB [comment]`), `revoke KEYID
 * [comment]`, `#` comments and blank lines. Every key id must match its key;
 * at least one key is required. Returns 0 and sets *out (free with
 * nomos_trust_free), or -1 with a message in err. */
NOMOS_API int nomos_trust_parse(const char *text, size_t len, const char *name,
				struct nomos_trust **out, char *err, size_t errlen);
/* nomos_trust_parse on the contents of path. */
NOMOS_API int nomos_trust_load(const char *path, struct nomos_trust **out, char *err,
			       size_t errlen);
NOMOS_API void nomos_trust_free(struct nomos_trust *t);

/* What nomos_image_check enforces. */
struct nomos_check_opts {
	const struct nomos_trust *trust; /* NULL: no trust store */
	uint64_t now;                    /* Unix seconds, for the expiry check */
	uint64_t min_revision;           /* highest revision accepted so far (0: none) */
	int allow_unsigned;              /* accept unsigned images, and signed ones
					    when trust is NULL (without checking) */
};

#define NOMOS_CHECK_SIGNED 1u    /* the image carries a signature */
#define NOMOS_CHECK_VERIFIED 2u  /* ... verified against a trusted, unrevoked key */
#define NOMOS_CHECK_UNCHECKED 4u /* ... not checked (no trust store, allow_unsigned) */

/* Applies the trust policy to an opened image: signature (Ed25519 over the
 * header, content hash and key id, recomputing the content hash), key
 * revocation and trust, expiry, rollback. Returns the first verdict that
 * applies, with a one-line reason in msg; *flags (may be NULL) gets
 * NOMOS_CHECK_*. Only an image with NOMOS_CHECK_VERIFIED may advance the
 * rollback state. */
NOMOS_API enum nomos_verdict nomos_image_check(const struct nomos_image *img,
					       const struct nomos_check_opts *o, unsigned *flags,
					       char *msg, size_t msglen);

/* The signing key id of img as 16 hex chars in out; returns 1 when the image
 * is signed, 0 (out = "") when not. */
NOMOS_API int nomos_image_key_id(const struct nomos_image *img, char out[17]);

/* Rollback state file (one line "nomos-state-v1 REVISION"). read: a missing
 * file is revision 0; returns 0, or -1 with a message (unreadable, malformed).
 * record: raises the stored revision to revision under a lock (path.lock),
 * atomically (temporary file + rename), never lowering it; returns 0 or -1. */
NOMOS_API int nomos_state_read(const char *path, uint64_t *revision, char *err, size_t errlen);
NOMOS_API int nomos_state_record(const char *path, uint64_t revision, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
