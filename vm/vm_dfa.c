/* vm_dfa.c: verifier and runner of automaton blobs (layout in vm_dfa.h). The
 * verifier is the only place that distrusts the bytes; the runner assumes a
 * verified blob: a DFA skips its forced prefix with one compare, does one
 * table lookup per input byte in ordinary states and a plain scan in
 * accelerated ones; the NFA fallback is a bounded bit-set step. No
 * allocation, no I/O. */
#include "vm/vm_dfa.h"

#include <string.h>

/* The walk is written once and specialized per transition width; the
 * accelerator scan stays out of line so the hot loop keeps its registers. */
#if defined(__GNUC__)
#define VM_DFA_INLINE __attribute__((always_inline)) inline
#define VM_DFA_NOINLINE __attribute__((noinline))
#else
#define VM_DFA_INLINE inline
#define VM_DFA_NOINLINE
#endif

#define FAIL(msg)                  \
	do {                       \
		if (why)           \
			*why = (msg); \
		return -1;         \
	} while (0)

/* Checks a section [off, off + size) starting at or after *cursor, 8-aligned,
 * in order, inside len; advances *cursor past its padding. */
static int section_ok(uint64_t off, uint64_t size, uint64_t *cursor, uint64_t len)
{
	if (off != *cursor || (off & 7u) != 0 || size > len || off > len - size)
		return 0;
	*cursor = (off + size + 7u) & ~(uint64_t)7u;
	return *cursor <= len;
}

static int verify_ids(const uint8_t *p, uint64_t n, uint32_t id_limit)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (vm_dfa_rd32(p + 4 * i) >= id_limit)
			return 0;
	return 1;
}

/* The DFA table entry of the given width at byte offset off of t. */
static VM_DFA_INLINE uint32_t dfa_entry(const uint8_t *t, unsigned width, size_t off)
{
	return width == 2 ? vm_dfa_rd16(t + off) : vm_dfa_rd32(t + off);
}

/* Every accelerated state s (1..na) must go to itself on each class that
 * holds a byte it does not list: then skipping to the next listed byte is
 * exact. csize[k] is the number of bytes of class k. */
static int verify_accel(const uint8_t *b, const uint8_t *t, unsigned width, uint32_t nc,
			uint32_t na, const uint32_t *csize, const char **why)
{
	const uint8_t *cls = b + VM_DFA_CLASSMAP, *acc = b + vm_dfa_rd32(b + 48);
	uint64_t stride = (uint64_t)nc + 1, s;
	uint32_t k;

	for (s = 1; s <= na; s++) {
		const uint8_t *r = acc + VM_DFA_ACCEL_REC * (s - 1);
		uint32_t cnt = r[0], j;

		if (cnt > 3)
			FAIL("automaton: DFA accelerated state lists more than 3 bytes");
		/* Listed bytes strictly ascending, unused slots repeating the last
		 * one (all zero when none is listed): one canonical record. */
		for (j = 2; j <= 3; j++)
			if (j <= cnt ? r[j] <= r[j - 1] : r[j] != r[j - 1])
				FAIL("automaton: DFA accelerated state bytes not ascending or padding wrong");
		if (cnt == 0 && r[1] != 0)
			FAIL("automaton: DFA accelerated state bytes not ascending or padding wrong");
		for (k = 0; k < nc; k++) {
			uint32_t listed = 0;

			for (j = 0; j < cnt; j++)
				listed += cls[r[1 + j]] == k;
			if (listed < csize[k] &&
			    dfa_entry(t, width, (s * stride + k) * width) != s * stride * width)
				FAIL("automaton: DFA accelerated state leaves itself on a byte it does not list");
		}
	}
	return 0;
}

/* The prefix must be forced: from the start state, each byte is the only one
 * (its class has one byte, every other class goes to 0) leading on, and the
 * walk ends in prefix_state. */
static int verify_prefix(const uint8_t *b, const uint8_t *t, unsigned width, uint32_t nc,
			 const uint32_t *csize, const char **why)
{
	const uint8_t *cls = b + VM_DFA_CLASSMAP, *pre = b + vm_dfa_rd32(b + 56);
	uint32_t plen = vm_dfa_rd32(b + 52), ps = vm_dfa_rd32(b + 60), j, k;
	uint64_t stride = (uint64_t)nc + 1, q = vm_dfa_rd32(b + 20);

	if (plen == 0) {
		if (ps != 0)
			FAIL("automaton: DFA prefix state set without a prefix");
		return 0;
	}
	for (j = 0; j < plen; j++) {
		uint32_t want = cls[pre[j]];

		if (csize[want] != 1)
			FAIL("automaton: DFA prefix byte shares its class with other bytes");
		for (k = 0; k < nc; k++) {
			uint32_t to = dfa_entry(t, width, (q * stride + k) * width);

			if ((k == want) != (to != 0))
				FAIL("automaton: DFA prefix is not the only way out of a state");
		}
		q = dfa_entry(t, width, (q * stride + want) * width) / (stride * width);
	}
	if (q != ps)
		FAIL("automaton: DFA prefix does not lead to the prefix state");
	return 0;
}

static int verify_dfa(const uint8_t *b, size_t len, uint32_t id_limit, const char **why)
{
	uint32_t ns, nc, start, width, nids, na, plen, csize[256];
	uint64_t cursor = VM_DFA_CLASSMAP + 256, cells, stride, i, j;
	const uint8_t *t, *acc;

	if (len < VM_DFA_CLASSMAP + 256)
		FAIL("automaton: DFA blob shorter than its header and class map");
	ns = vm_dfa_rd32(b + 12);
	nc = vm_dfa_rd32(b + 16);
	start = vm_dfa_rd32(b + 20);
	width = vm_dfa_rd32(b + 24);
	nids = vm_dfa_rd32(b + 28);
	na = vm_dfa_rd32(b + 44);
	plen = vm_dfa_rd32(b + 52);
	if (ns < 1 || ns > VM_DFA_MAX_STATES)
		FAIL("automaton: DFA state count out of range");
	if (nc < 1 || nc > 256)
		FAIL("automaton: DFA class count out of range");
	if (start >= ns)
		FAIL("automaton: DFA start state out of range");
	if (width != 2 && width != 4)
		FAIL("automaton: DFA transition width is not 2 or 4");
	stride = (uint64_t)nc + 1;
	cells = ns * stride;
	if (width == 2 && cells * 2 > 65536)
		FAIL("automaton: DFA has too many states for 16-bit transitions");
	if (na >= ns)
		FAIL("automaton: DFA accelerated state range out of range");
	if (plen > VM_DFA_MAX_PREFIX)
		FAIL("automaton: DFA prefix too long");
	if (vm_dfa_rd32(b + 60) >= ns || (plen && vm_dfa_rd32(b + 60) == 0))
		FAIL("automaton: DFA prefix state out of range");
	memset(csize, 0, sizeof csize);
	for (i = 0; i < 256; i++) {
		if (b[VM_DFA_CLASSMAP + i] >= nc)
			FAIL("automaton: DFA byte class out of range");
		csize[b[VM_DFA_CLASSMAP + i]]++;
	}
	for (i = 0; i < nc; i++)
		if (csize[i] == 0)
			FAIL("automaton: DFA byte class has no byte");
	if (!section_ok(vm_dfa_rd32(b + 32), cells * width, &cursor, len))
		FAIL("automaton: DFA transition table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 36), (uint64_t)ns * 8, &cursor, len))
		FAIL("automaton: DFA accept table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 40), (uint64_t)nids * 4, &cursor, len))
		FAIL("automaton: DFA id pool out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 48), (uint64_t)na * VM_DFA_ACCEL_REC, &cursor, len))
		FAIL("automaton: DFA accelerator table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 56), plen, &cursor, len))
		FAIL("automaton: DFA prefix out of bounds or misplaced");
	if (cursor != len)
		FAIL("automaton: DFA blob has trailing bytes");
	t = b + vm_dfa_rd32(b + 32);
	for (i = 0; i < ns; i++) {
		for (j = 0; j < nc; j++) {
			uint32_t to = dfa_entry(t, width, (i * stride + j) * width);

			if (to % (stride * width) || to / (stride * width) >= ns)
				FAIL("automaton: DFA transition target out of range");
			if (i == 0 && to != 0)
				FAIL("automaton: DFA state 0 is not the dead state");
		}
		if (dfa_entry(t, width, (i * stride + nc) * width) != i)
			FAIL("automaton: DFA row does not end with its own state number");
	}
	acc = b + vm_dfa_rd32(b + 36);
	if (!verify_ids(b + vm_dfa_rd32(b + 40), nids, id_limit))
		FAIL("automaton: DFA pattern id out of range");
	for (j = 0; j < ns; j++) {
		uint64_t first = vm_dfa_rd32(acc + 8 * j), cnt = vm_dfa_rd32(acc + 8 * j + 4), k;
		const uint8_t *l;

		if (first > nids || cnt > nids - first)
			FAIL("automaton: DFA accept list out of range");
		l = b + vm_dfa_rd32(b + 40) + 4 * first;
		if (j == 0 && cnt != 0)
			FAIL("automaton: DFA dead state accepts");
		/* vm_eval files one automaton's matches in this order and keeps
		 * it as the sorted order of the matched ids */
		for (k = 1; k < cnt; k++)
			if (vm_dfa_rd32(l + 4 * k) <= vm_dfa_rd32(l + 4 * (k - 1)))
				FAIL("automaton: DFA accept list not strictly ascending");
	}
	if (verify_accel(b, t, width, nc, na, csize, why))
		return -1;
	return verify_prefix(b, t, width, nc, csize, why);
}

static int verify_nfa(const uint8_t *b, size_t len, uint32_t id_limit, const char **why)
{
	uint32_t np = vm_dfa_rd32(b + 12), nstart = vm_dfa_rd32(b + 16);
	uint32_t sacc = vm_dfa_rd32(b + 20), nf = vm_dfa_rd32(b + 24);
	uint64_t cursor = VM_DFA_HDR, i;
	const uint8_t *pos, *fol, *st;

	if (np < 1 || np > VM_NFA_MAX_POS)
		FAIL("automaton: NFA position count out of range");
	if (nstart > np)
		FAIL("automaton: NFA start set larger than the position count");
	if (sacc > 1)
		FAIL("automaton: NFA start-accepts flag is not 0 or 1");
	if (nf > VM_NFA_MAX_FOLLOW)
		FAIL("automaton: NFA follow pool too large");
	if (vm_dfa_rd32(b + 28) >= id_limit)
		FAIL("automaton: NFA pattern id out of range");
	if (vm_dfa_rd32(b + 44) != 0)
		FAIL("automaton: NFA reserved header field is not zero");
	if (!section_ok(vm_dfa_rd32(b + 32), (uint64_t)np * VM_NFA_POS_REC, &cursor, len))
		FAIL("automaton: NFA position table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 36), (uint64_t)nf * 4, &cursor, len))
		FAIL("automaton: NFA follow pool out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 40), (uint64_t)nstart * 4, &cursor, len))
		FAIL("automaton: NFA start set out of bounds or misplaced");
	if (cursor != len)
		FAIL("automaton: NFA blob has trailing bytes");
	pos = b + vm_dfa_rd32(b + 32);
	fol = b + vm_dfa_rd32(b + 36);
	st = b + vm_dfa_rd32(b + 40);
	for (i = 0; i < np; i++) {
		const uint8_t *r = pos + i * VM_NFA_POS_REC;
		uint64_t first = vm_dfa_rd32(r + 32), cnt = vm_dfa_rd32(r + 36);

		if (first > nf || cnt > nf - first)
			FAIL("automaton: NFA follow list out of range");
		if (vm_dfa_rd32(r + 40) > 1 || vm_dfa_rd32(r + 44) != 0)
			FAIL("automaton: NFA position flags invalid");
	}
	for (i = 0; i < nf; i++)
		if (vm_dfa_rd32(fol + 4 * i) >= np)
			FAIL("automaton: NFA follow target out of range");
	for (i = 0; i < nstart; i++)
		if (vm_dfa_rd32(st + 4 * i) >= np)
			FAIL("automaton: NFA start position out of range");
	return 0;
}

int vm_dfa_verify(const uint8_t *blob, size_t len, uint32_t id_limit, const char **why)
{
	uint32_t kind;

	if (!blob || len < VM_DFA_HDR)
		FAIL("automaton: blob shorter than its header");
	if ((len & 7u) != 0 || len > UINT32_MAX)
		FAIL("automaton: blob length is not a multiple of 8 or too large");
	if (vm_dfa_rd32(blob) != VM_DFA_MAGIC)
		FAIL("automaton: bad magic");
	if (vm_dfa_rd16(blob + 4) != VM_DFA_VERSION)
		FAIL("automaton: unknown version");
	if (vm_dfa_rd32(blob + 8) != len)
		FAIL("automaton: total length field does not match the blob length");
	kind = vm_dfa_rd16(blob + 6);
	if (kind == VM_DFA_KIND_DFA)
		return verify_dfa(blob, len, id_limit, why);
	if (kind == VM_DFA_KIND_NFA)
		return verify_nfa(blob, len, id_limit, why);
	FAIL("automaton: unknown kind");
}

/* 0x80 in each byte of x that is zero, 0 elsewhere: exact per byte (no
 * carries cross bytes), so bytes may be masked off afterwards. */
static inline uint64_t zero_bytes(uint64_t x)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;

	return ~(((x & low7) + low7) | x | low7);
}

/* Offset in its 8-byte word of the first byte whose flag (0x80) is set in the
 * nonzero mask, and the mask of the word's bytes from offset k on: the word
 * was loaded with memcpy, so byte order decides which end is first. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline size_t first_flag(uint64_t mask)
{
	return (size_t)__builtin_ctzll(mask) / 8;
}

static inline uint64_t bytes_from(size_t k)
{
	return ~(uint64_t)0 << (8 * k);
}
#else
static inline size_t first_flag(uint64_t mask)
{
	uint8_t m[8];
	size_t k;

	memcpy(m, &mask, 8);
	for (k = 0; !m[k]; k++)
		;
	return k;
}

static inline uint64_t bytes_from(size_t k)
{
	uint8_t m[8] = {0};
	uint64_t v;

	memset(m + k, 0xff, 8 - k);
	memcpy(&v, m, 8);
	return v;
}
#endif

/* First index >= i of a byte listed in the accelerator record rec (bytes
 * rec[1..3], the unused ones repeating the last listed), or n. Eight bytes
 * at a time; the last partial word is read overlapping the previous one
 * with the bytes already seen masked off. */
static VM_DFA_NOINLINE size_t accel_scan(const uint8_t *in, size_t i, size_t n,
					 const uint8_t *rec)
{
	const uint64_t lo = 0x0101010101010101u;
	uint64_t m1 = lo * rec[1], m2 = lo * rec[2], m3 = lo * rec[3], v, hit;

	if (rec[0] == 0)
		return n; /* the state never leaves itself */
	for (; n - i >= 8; i += 8) {
		memcpy(&v, in + i, 8);
		hit = zero_bytes(v ^ m1) | zero_bytes(v ^ m2) | zero_bytes(v ^ m3);
		if (hit)
			return i + first_flag(hit);
	}
	if (i == n)
		return n;
	if (n >= 8) {
		memcpy(&v, in + n - 8, 8);
		hit = zero_bytes(v ^ m1) | zero_bytes(v ^ m2) | zero_bytes(v ^ m3);
		hit &= bytes_from(8 - (n - i));
		return hit ? n - 8 + first_flag(hit) : n;
	}
	for (; i < n; i++)
		if (in[i] == rec[1] || in[i] == rec[2] || in[i] == rec[3])
			return i;
	return n;
}

/* Runs in[i..n) from row offset s; returns the final row offset. States with
 * offsets <= special are the dead state (0, absorbing: stop) and the
 * accelerated ones (skip to the next byte that can leave them); every other
 * state costs one table load per byte, four bytes per loop round, with the
 * single compare against special as the only test on the way. */
static VM_DFA_INLINE uint32_t walk(const uint8_t *t, unsigned width, const uint8_t *cls,
				   const uint8_t *accel, uint32_t self, uint32_t special,
				   const uint8_t *in, size_t i, size_t n, uint32_t s)
{
	/* s is the byte offset of the state's row and every entry is one, so a
	 * step is one load from (table + class offset) + s: the class part does
	 * not depend on s, and the chain from one state to the next is the load
	 * alone, with no add. */
#define STEP(k) (s = dfa_entry(t + (size_t)cls[in[k]] * width, width, s))
	for (;;) {
		while (s > special) {
			if (n - i >= 4) {
				if (STEP(i) <= special) {
					i += 1;
					break;
				}
				if (STEP(i + 1) <= special) {
					i += 2;
					break;
				}
				if (STEP(i + 2) <= special) {
					i += 3;
					break;
				}
				STEP(i + 3);
				i += 4;
			} else if (i < n) {
				STEP(i);
				i++;
			} else {
				return s;
			}
		}
		if (s == 0)
			return 0;
		/* The row's last entry is the state's index; records start at 1. */
		i = accel_scan(in, i, n, accel + VM_DFA_ACCEL_REC *
						  ((size_t)dfa_entry(t + self, width, s) - 1));
		if (i == n)
			return s;
		STEP(i);
		i++;
	}
#undef STEP
}

/* a[0..n) == b[0..n), n >= 1, eight bytes at a time (the last word
 * overlapping): prefixes are short and a libc call costs as much. */
static int same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y, d = 0;
	size_t i;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return (d | (x ^ y)) == 0;
}

static uint32_t walk16(const uint8_t *t, const uint8_t *cls, const uint8_t *accel,
		       uint32_t self, uint32_t special, const uint8_t *in, size_t i, size_t n,
		       uint32_t s)
{
	return walk(t, 2, cls, accel, self, special, in, i, n, s);
}

static uint32_t walk32(const uint8_t *t, const uint8_t *cls, const uint8_t *accel,
		       uint32_t self, uint32_t special, const uint8_t *in, size_t i, size_t n,
		       uint32_t s)
{
	return walk(t, 4, cls, accel, self, special, in, i, n, s);
}

static uint32_t run_dfa(const uint8_t *b, const uint8_t *in, size_t n, const uint8_t **ids)
{
	const uint8_t *cls = b + VM_DFA_CLASSMAP;
	const uint8_t *t = b + vm_dfa_rd32(b + 32);
	const uint8_t *acc = b + vm_dfa_rd32(b + 36);
	const uint8_t *accel = b + vm_dfa_rd32(b + 48);
	uint32_t nc = vm_dfa_rd32(b + 16), width = vm_dfa_rd32(b + 24);
	uint32_t row = (nc + 1) * width, self = nc * width, special = vm_dfa_rd32(b + 44) * row;
	uint32_t plen = vm_dfa_rd32(b + 52), s = vm_dfa_rd32(b + 20) * row, q;
	size_t i = 0;

	*ids = b + vm_dfa_rd32(b + 40);
	if (plen && n >= plen) {
		/* The prefix is forced (verified): any other start is state 0. */
		if (!same_bytes(in, b + vm_dfa_rd32(b + 56), plen))
			return 0;
		s = vm_dfa_rd32(b + 60) * row;
		i = plen;
	}
	if (width == 2) {
		s = walk16(t, cls, accel, self, special, in, i, n, s);
		q = dfa_entry(t + self, 2, s);
	} else {
		s = walk32(t, cls, accel, self, special, in, i, n, s);
		q = dfa_entry(t + self, 4, s);
	}
	*ids += 4 * (size_t)vm_dfa_rd32(acc + 8 * (size_t)q);
	return vm_dfa_rd32(acc + 8 * (size_t)q + 4);
}

#define NFA_WORDS (VM_NFA_MAX_POS / 64)

static uint32_t run_nfa(const uint8_t *b, const uint8_t *in, size_t n, const uint8_t **ids)
{
	uint64_t cur[NFA_WORDS], nxt[NFA_WORDS];
	const uint8_t *pos = b + vm_dfa_rd32(b + 32);
	const uint8_t *fol = b + vm_dfa_rd32(b + 36);
	const uint8_t *st = b + vm_dfa_rd32(b + 40);
	uint32_t np = vm_dfa_rd32(b + 12), nstart = vm_dfa_rd32(b + 16), i;
	size_t words = ((size_t)np + 63) / 64, w, k;
	int any;

	*ids = b + 28;
	if (n == 0)
		return vm_dfa_rd32(b + 20);
	memset(cur, 0, words * 8);
	for (i = 0; i < nstart; i++) {
		uint32_t p = vm_dfa_rd32(st + 4 * i);

		cur[p / 64] |= (uint64_t)1 << (p % 64);
	}
	for (k = 0; k < n; k++) {
		uint8_t c = in[k];

		memset(nxt, 0, words * 8);
		any = 0;
		for (w = 0; w < words; w++) {
			uint64_t bits = cur[w];

			while (bits) {
				uint32_t p = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(bits);
				const uint8_t *r = pos + (size_t)p * VM_NFA_POS_REC;
				uint32_t f = vm_dfa_rd32(r + 32), cnt = vm_dfa_rd32(r + 36), j;

				bits &= bits - 1;
				for (j = 0; j < cnt; j++) {
					uint32_t q = vm_dfa_rd32(fol + 4 * ((size_t)f + j));
					const uint8_t *lab = pos + (size_t)q * VM_NFA_POS_REC;

					if (lab[c >> 3] & (1u << (c & 7))) {
						nxt[q / 64] |= (uint64_t)1 << (q % 64);
						any = 1;
					}
				}
			}
		}
		if (!any)
			return 0;
		memcpy(cur, nxt, words * 8);
	}
	for (w = 0; w < words; w++) {
		uint64_t bits = cur[w];

		while (bits) {
			uint32_t p = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (vm_dfa_rd32(pos + (size_t)p * VM_NFA_POS_REC + 40))
				return 1;
		}
	}
	return 0;
}

uint32_t vm_dfa_ids(const uint8_t *blob, const uint8_t **ids)
{
	if (vm_dfa_rd16(blob + 6) == VM_DFA_KIND_DFA) {
		*ids = blob + vm_dfa_rd32(blob + 40);
		return vm_dfa_rd32(blob + 28);
	}
	*ids = blob + 28;
	return 1;
}

uint32_t vm_dfa_match(const uint8_t *blob, const uint8_t *input, size_t n, const uint8_t **ids)
{
	if (vm_dfa_rd16(blob + 6) == VM_DFA_KIND_DFA)
		return run_dfa(blob, input, n, ids);
	return run_nfa(blob, input, n, ids);
}
