/* cc_arena.c: bump allocator (see cc_arena.h). Large requests get a block of
 * their own; small ones share 64 KiB blocks. */
#include "compiler/cc_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cc_arena_block {
	struct cc_arena_block *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

#define CC_ARENA_BLOCK ((size_t)64 * 1024)

void cc_arena_init(struct cc_arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
	a->failed = 0;
}

void cc_arena_free(struct cc_arena *a)
{
	struct cc_arena_block *b = a->head, *next;

	while (b) {
		next = b->next;
		free(b);
		b = next;
	}
	cc_arena_init(a);
}

void *cc_arena_alloc(struct cc_arena *a, size_t n)
{
	struct cc_arena_block *b;
	size_t size;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2) {
		a->failed = 1;
		return NULL;
	}
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->size - a->used < n) {
		size = n > CC_ARENA_BLOCK / 4 ? n : CC_ARENA_BLOCK;
		b = malloc(sizeof *b + size);
		if (!b) {
			a->failed = 1;
			return NULL;
		}
		b->size = size;
		if (size == n && a->head) {
			/* Keep the current block for small requests. */
			b->next = a->head->next;
			a->head->next = b;
			memset(b->data, 0, n);
			a->total += n;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	p = a->head->data + a->used;
	a->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

void *cc_arena_array(struct cc_arena *a, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz) {
		a->failed = 1;
		return NULL;
	}
	return cc_arena_alloc(a, n * sz);
}

char *cc_arena_strndup(struct cc_arena *a, const char *s, size_t n)
{
	char *p = cc_arena_alloc(a, n + 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

char *cc_arena_strdup(struct cc_arena *a, const char *s)
{
	return cc_arena_strndup(a, s, strlen(s));
}

void *cc_arena_grow(struct cc_arena *a, void *old, size_t old_n, size_t new_n, size_t sz)
{
	void *p = cc_arena_array(a, new_n, sz);

	if (p && old && old_n)
		memcpy(p, old, (old_n < new_n ? old_n : new_n) * sz);
	return p;
}
