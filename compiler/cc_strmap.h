/* cc_strmap.h: a hash map from byte strings to indices, for the front ends'
 * look-ups by name (duplicate and merge keys, anchors, .nomos object keys),
 * which were scans of everything before. SipHash under a random key per map:
 * no input can be made to collide, and no output depends on the hash order. */
#ifndef NOMOS_CC_STRMAP_H
#define NOMOS_CC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/cc_arena.h"

struct cc_strmap_slot;

struct cc_strmap {
	struct cc_arena *a;
	struct cc_strmap_slot *slots;
	size_t n, cap;    /* entries, slots (0 or a power of two) */
	unsigned gen;     /* slots of another generation are empty */
	unsigned char key[16];
};

/* Initializes an empty map that allocates from a. Cannot fail. */
void cc_strmap_init(struct cc_strmap *m, struct cc_arena *a);

/* Empties the map in constant time, keeping its slots for reuse. */
void cc_strmap_clear(struct cc_strmap *m);

/* The value stored for (scope, s[0..len)), or NULL when absent. scope tells
 * apart equal strings of different owners (e.g. two objects) in one map. The
 * pointer is valid until the next cc_strmap_put. */
size_t *cc_strmap_get(const struct cc_strmap *m, size_t scope, const char *s, size_t len);

/* The value slot for (scope, s[0..len)), added with value 0 and *added = 1
 * when absent (else *added = 0). The map keeps the pointer s, which must
 * outlive it. Returns NULL when memory ran out (the arena's failed flag is
 * set). The pointer is valid until the next cc_strmap_put. */
size_t *cc_strmap_put(struct cc_strmap *m, size_t scope, const char *s, size_t len, int *added);

#endif
