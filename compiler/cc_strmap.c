/* cc_strmap.c: open addressing with linear probing over arena slots (see
 * cc_strmap.h). Load stays at most one half; growing abandons the old slots
 * to the arena, which frees them with everything else. */
#include "compiler/cc_strmap.h"

#include <sodium.h>
#include <string.h>

_Static_assert(sizeof ((struct cc_strmap *)0)->key == crypto_shorthash_KEYBYTES,
	       "the map's key is a SipHash key");

struct cc_strmap_slot {
	const char *s;
	size_t len;
	size_t scope;
	size_t val;
	uint64_t hash;
	unsigned gen; /* 0: never used */
};

void cc_strmap_init(struct cc_strmap *m, struct cc_arena *a)
{
	memset(m, 0, sizeof *m);
	m->a = a;
	m->gen = 1;
	/* Without libsodium's generator the key stays zero: still correct,
	 * only no longer secret. */
	if (sodium_init() >= 0)
		randombytes_buf(m->key, sizeof m->key);
}

void cc_strmap_clear(struct cc_strmap *m)
{
	m->n = 0;
	if (++m->gen == 0) { /* after 2^32 clears: forget every slot for real */
		if (m->slots)
			memset(m->slots, 0, m->cap * sizeof *m->slots);
		m->gen = 1;
	}
}

static uint64_t hash_of(const struct cc_strmap *m, size_t scope, const char *s, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, (const unsigned char *)(len ? s : ""), len, m->key);
	memcpy(&h, out, sizeof h);
	/* SipHash output is secret, so mixing the scope in afterwards keeps
	 * strings of different scopes apart without another pass. */
	h ^= (uint64_t)scope * 0x9e3779b97f4a7c15u;
	return h ^ h >> 32;
}

/* The slot holding (scope, s) or the empty slot where it would go. */
static struct cc_strmap_slot *probe(const struct cc_strmap *m, uint64_t h, size_t scope,
				    const char *s, size_t len)
{
	size_t i = (size_t)h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct cc_strmap_slot *e = &m->slots[i];

		if (e->gen != m->gen)
			return e;
		if (e->hash == h && e->scope == scope && e->len == len &&
		    (len == 0 || !memcmp(e->s, s, len)))
			return e;
	}
}

size_t *cc_strmap_get(const struct cc_strmap *m, size_t scope, const char *s, size_t len)
{
	struct cc_strmap_slot *e;

	if (!m->n)
		return NULL;
	e = probe(m, hash_of(m, scope, s, len), scope, s, len);
	return e->gen == m->gen ? &e->val : NULL;
}

static int grow(struct cc_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	struct cc_strmap_slot *old = m->slots, *slots;
	size_t old_cap = m->cap;

	slots = cc_arena_array(m->a, cap, sizeof *slots);
	if (!slots)
		return -1;
	m->slots = slots;
	m->cap = cap;
	for (i = 0; i < old_cap; i++)
		if (old[i].gen == m->gen) {
			struct cc_strmap_slot *e = probe(m, old[i].hash, old[i].scope, old[i].s,
							 old[i].len);

			*e = old[i];
		}
	return 0;
}

size_t *cc_strmap_put(struct cc_strmap *m, size_t scope, const char *s, size_t len, int *added)
{
	struct cc_strmap_slot *e;
	uint64_t h;

	*added = 0;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return NULL;
	h = hash_of(m, scope, s, len);
	e = probe(m, h, scope, s, len);
	if (e->gen != m->gen) {
		e->s = s;
		e->len = len;
		e->scope = scope;
		e->val = 0;
		e->hash = h;
		e->gen = m->gen;
		m->n++;
		*added = 1;
	}
	return &e->val;
}
