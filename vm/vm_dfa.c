/* vm_dfa.c: verifier and runner of automaton blobs (layout in vm_dfa.h). The
 * verifier is the only place that distrusts the bytes; the runner assumes a
 * verified blob and does one table lookup per input byte (DFA) or a bounded
 * bit-set step (NFA fallback). No allocation, no I/O. */
#include "vm/vm_dfa.h"

#include <string.h>

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

static int verify_dfa(const uint8_t *b, size_t len, uint32_t id_limit, const char **why)
{
	uint32_t ns = vm_dfa_rd32(b + 12), nc = vm_dfa_rd32(b + 16);
	uint32_t start = vm_dfa_rd32(b + 20), width = vm_dfa_rd32(b + 24);
	uint32_t nids = vm_dfa_rd32(b + 28);
	uint64_t cursor = VM_DFA_HDR + 256, cells, i, j;
	const uint8_t *t, *acc;

	if (len < VM_DFA_HDR + 256)
		FAIL("automaton: DFA blob shorter than its header and class map");
	if (ns < 1 || ns > VM_DFA_MAX_STATES)
		FAIL("automaton: DFA state count out of range");
	if (nc < 1 || nc > 256)
		FAIL("automaton: DFA class count out of range");
	if (start >= ns)
		FAIL("automaton: DFA start state out of range");
	if (width != 2 && width != 4)
		FAIL("automaton: DFA transition width is not 2 or 4");
	if (width == 2 && (uint64_t)ns * nc > 65536)
		FAIL("automaton: DFA has too many states for 16-bit transitions");
	if (vm_dfa_rd32(b + 44) != 0)
		FAIL("automaton: DFA reserved header field is not zero");
	for (i = 0; i < 256; i++)
		if (b[VM_DFA_CLASSMAP + i] >= nc)
			FAIL("automaton: DFA byte class out of range");
	cells = (uint64_t)ns * nc;
	if (!section_ok(vm_dfa_rd32(b + 32), cells * width, &cursor, len))
		FAIL("automaton: DFA transition table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 36), (uint64_t)ns * 8, &cursor, len))
		FAIL("automaton: DFA accept table out of bounds or misplaced");
	if (!section_ok(vm_dfa_rd32(b + 40), (uint64_t)nids * 4, &cursor, len))
		FAIL("automaton: DFA id pool out of bounds or misplaced");
	if (cursor != len)
		FAIL("automaton: DFA blob has trailing bytes");
	t = b + vm_dfa_rd32(b + 32);
	for (i = 0; i < cells; i++) {
		uint32_t to = width == 2 ? vm_dfa_rd16(t + 2 * i) : vm_dfa_rd32(t + 4 * i);

		if (to % nc || to / nc >= ns)
			FAIL("automaton: DFA transition target out of range");
		if (i < nc && to != 0)
			FAIL("automaton: DFA state 0 is not the dead state");
	}
	acc = b + vm_dfa_rd32(b + 36);
	for (j = 0; j < ns; j++) {
		uint64_t first = vm_dfa_rd32(acc + 8 * j), cnt = vm_dfa_rd32(acc + 8 * j + 4);

		if (first > nids || cnt > nids - first)
			FAIL("automaton: DFA accept list out of range");
		if (j == 0 && cnt != 0)
			FAIL("automaton: DFA dead state accepts");
	}
	if (!verify_ids(b + vm_dfa_rd32(b + 40), nids, id_limit))
		FAIL("automaton: DFA pattern id out of range");
	return 0;
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

static uint32_t run_dfa(const uint8_t *b, const uint8_t *in, size_t n, const uint8_t **ids)
{
	const uint8_t *cls = b + VM_DFA_CLASSMAP;
	const uint8_t *t = b + vm_dfa_rd32(b + 32);
	const uint8_t *acc = b + vm_dfa_rd32(b + 36);
	size_t nc = vm_dfa_rd32(b + 16), i;
	uint32_t s = vm_dfa_rd32(b + 20);

	/* s is a row offset (state * classes): transitions are premultiplied,
	 * so the hot loop is one class lookup and one load per byte. */
	s *= (uint32_t)nc;
	*ids = b + vm_dfa_rd32(b + 40);
	if (vm_dfa_rd32(b + 24) == 2) {
		for (i = 0; i < n && s != 0; i++)
			s = vm_dfa_rd16(t + 2 * ((size_t)s + cls[in[i]]));
	} else {
		for (i = 0; i < n && s != 0; i++)
			s = vm_dfa_rd32(t + 4 * ((size_t)s + cls[in[i]]));
	}
	s /= (uint32_t)nc;
	*ids += 4 * (size_t)vm_dfa_rd32(acc + 8 * (size_t)s);
	return vm_dfa_rd32(acc + 8 * (size_t)s + 4);
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

uint32_t vm_dfa_match(const uint8_t *blob, const uint8_t *input, size_t n, const uint8_t **ids)
{
	if (vm_dfa_rd16(blob + 6) == VM_DFA_KIND_DFA)
		return run_dfa(blob, input, n, ids);
	return run_nfa(blob, input, n, ids);
}
