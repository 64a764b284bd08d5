/* cc_arena.h: bump allocator for the compiler. Everything a compilation builds
 * (model nodes, strings, automata under construction) lives in one arena that is
 * freed at once; error paths never free piecemeal. */
#ifndef NOMOS_CC_ARENA_H
#define NOMOS_CC_ARENA_H

#include <stddef.h>

struct cc_arena_block;

struct cc_arena {
	struct cc_arena_block *head;
	size_t used;     /* bytes used in head */
	size_t total;    /* bytes handed out in all, for reporting */
	int failed;      /* set once an allocation failed */
};

void cc_arena_init(struct cc_arena *a);
/* Frees every block; the arena may be reused afterwards. */
void cc_arena_free(struct cc_arena *a);
/* Returns zeroed memory aligned to 16, or NULL (and sets failed) when out of memory. */
void *cc_arena_alloc(struct cc_arena *a, size_t n);
/* Returns zeroed memory for n elements of size sz, NULL on overflow or out of memory. */
void *cc_arena_array(struct cc_arena *a, size_t n, size_t sz);
/* Copies s[0..n) and appends a NUL; NULL when out of memory. */
char *cc_arena_strndup(struct cc_arena *a, const char *s, size_t n);
char *cc_arena_strdup(struct cc_arena *a, const char *s);
/* Grows an arena array (old contents copied; the old block is simply abandoned). */
void *cc_arena_grow(struct cc_arena *a, void *old, size_t old_n, size_t new_n, size_t sz);

#endif
