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
 * allocates once the nomos_eval has seen its largest action (the JSON decoder
 * allocates inside jansson). Every failure decides DENY with a reason code:
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

#ifdef __cplusplus
}
#endif

#endif
