/* rt_internal.h: libnomos internals shared by the runtime files and the
 * nomos-vm command (not installed). struct nomos_image wraps a verified
 * vm_image over a read-only mapping; struct nomos_eval is per-thread state. */
#ifndef NOMOS_RT_INTERNAL_H
#define NOMOS_RT_INTERNAL_H

#include "runtime/nomos.h"
#include "runtime/rt_action.h"
#include "runtime/rt_canon.h"
#include "vm/vm_eval.h"
#include "vm/vm_image.h"

struct nomos_image {
	struct vm_image vm;
	void *map;        /* mmap'ed region, or NULL */
	size_t map_len;
	void *copy;       /* malloc'ed copy for open_mem, or NULL */
	char bundle_hash[65];
};

struct nomos_eval {
	const struct nomos_image *img; /* NULL for a refused evaluator */
	unsigned flags;
	struct rt_action_ctx actx;
	struct rt_action act;
	struct vm_action vact;
	struct vm_bytes *argv;   /* argv view storage, grown as needed */
	size_t argv_cap;
	struct vm_result res;
	void *storage;
	uint8_t *trace;
	int have_action;         /* act holds a decoded action */
	enum vm_reason reason;   /* also covers the error reasons */
	unsigned decision;
	char error[1024];
	struct rt_buf out;       /* result JSON / explain text */
	struct rt_buf tmp;
};

/* SHA-256 over several parts (libsodium), in the shape vm_image_verify wants. */
void rt_sha256_parts(const uint8_t *const *parts, const size_t *lens, size_t nparts,
		     uint8_t out[32]);

/* Writes a strref's bytes as a canonical JSON string. */
int rt_put_strref(struct rt_buf *b, const struct vm_image *img, const uint8_t *ref);

/* Writes the merged obligations currently in ev->res (entries + derived
 * exec_constraints) as a canonical JSON object. */
int rt_put_obligations(struct rt_buf *b, const struct nomos_eval *ev);

/* Writes a JSON array of the rule ids at idx[0..n). */
int rt_put_rule_ids(struct rt_buf *b, const struct vm_image *img, const uint32_t *idx, size_t n);

/* Re-indents compact JSON like Go's json.Indent with two spaces. */
int rt_json_indent(struct rt_buf *out, const char *json, size_t len);

#endif
