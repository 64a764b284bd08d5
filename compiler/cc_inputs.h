/* cc_inputs.h: from command-line inputs to loaded, validated, hashed bundles.
 * Expands directories (recursively, byte-sorted, .yaml/.yml/.json/.nomos),
 * loads each file as one layer in order, validates it, computes its hash,
 * rejects rule ids repeated across layers (spec §1.7) and computes the merged
 * policy_bundle_hash (§4.4). Shared by `nomosc check`, `hash` and `build`. */
#ifndef NOMOS_CC_INPUTS_H
#define NOMOS_CC_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/cc_model.h"

/* The result of loading several layered inputs. All memory is arena-owned. */
struct cc_loaded {
	struct cc_bundle **bundles; /* one per file, in load order */
	size_t n_bundles;
	/* every rule of every bundle, concatenated in load order (copies;
	 * rule->bundle_index says which bundle it came from) */
	struct cc_rule *rules;
	size_t n_rules;
	char hash[65];    /* policy_bundle_hash: the bundle's own, or the merged one */
	bool nonportable; /* some bundle uses a nomos extension */
};

/* Expands paths into the list of bundle files: a file is taken as given
 * (whatever its extension), a directory contributes every .yaml/.yml/.json/
 * .nomos file below it (names starting with '.' skipped), sorted by full path
 * bytes. *out is an arena array of arena strings. Returns 0, or -1 after
 * reporting (missing path, empty directory, read error). */
int cc_expand_inputs(struct cc_arena *a, struct cc_diag_sink *sink, const char *const *paths,
		     size_t n, const char ***out, size_t *n_out);

/* Expands, loads, validates and hashes every input; with two or more files,
 * also checks rule ids across bundles and computes the merged hash. Keeps going
 * after a bad file so every problem is reported. Returns 0 when everything is
 * clean (warnings allowed), -1 when an error was reported (out is then only
 * partly filled). */
int cc_load_inputs(struct cc_arena *a, struct cc_diag_sink *sink, const char *const *paths,
		   size_t n, struct cc_loaded *out);

#endif
