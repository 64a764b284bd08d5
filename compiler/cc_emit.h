/* cc_emit.h: lowering of validated bundles (layers, in order) into the bytes
 * of a nomos image (vm/vm_image.h): interned strings, rules in id order,
 * per-action-type resource automata, identity lists, predicate programs,
 * argv pattern blobs, canonical obligations, provenance and content hash. */
#ifndef NOMOS_CC_EMIT_H
#define NOMOS_CC_EMIT_H

#include <stdint.h>

#include "compiler/cc_automata.h"
#include "compiler/cc_model.h"
#include "runtime/rt_canon.h"

struct cc_emit_opts {
	uint64_t revision;   /* header revision (rollback protection), 0 = none */
	uint64_t expires_at; /* Unix seconds, 0 = never */
	const struct cc_automata_limits *limits; /* NULL = defaults */
	struct rt_buf *report; /* optional: automata report is appended here */
	/* Where the "*" rules' resources go (vm_image.h, VM_AT_F_STAR): 0 lets
	 * the compiler choose (copied into every typed group's automata unless
	 * that makes types x "*" rules exceed CC_EMIT_STAR_COPY_MAX), 1 always
	 * shares the "*" group's automata, -1 always copies (tests). */
	int star_mode;
};

/* Copies of "*" rules into typed groups allowed before they are shared. */
#define CC_EMIT_STAR_COPY_MAX 1024u

/* Emits the image of bundles[0..n) (validated and hashed; rule ids unique
 * across them) whose Nomos policy_bundle_hash is bundle_hash, appending the
 * bytes to out. Problems (a pattern the automata engine rejects, a limit)
 * are reported to sink with the rule's position. Deterministic: the same
 * inputs give the same bytes. Returns 0, -1 on reported errors, -2 on memory. */
int cc_emit_image(struct cc_arena *a, struct cc_diag_sink *sink,
		  const struct cc_bundle *const *bundles, size_t n, const char bundle_hash[65],
		  const struct cc_emit_opts *opts, struct rt_buf *out);

#endif
