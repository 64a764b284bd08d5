/* vm_argv.c: verifier and position-set matcher of argv pattern blobs (layout in
 * vm_argv.h). State i of the simulation means "pattern tokens [0, i) have
 * consumed the argv read so far"; `**` keeps its state on any token and is
 * skippable, so no backtracking is ever needed. */
#include "vm/vm_argv.h"

#include <string.h>

#include "vm/vm_dfa.h"

#define FAIL(msg)                  \
	do {                       \
		if (why)           \
			*why = (msg); \
		return -1;         \
	} while (0)

#define ARGV_WORDS ((VM_ARGV_MAX_TOKENS + 1 + 63) / 64)

int vm_argv_verify(const uint8_t *blob, size_t len, const char **why)
{
	uint32_t nt, doff, i;
	const char *inner;

	if (!blob || len < VM_ARGV_HDR)
		FAIL("argv pattern: blob shorter than its header");
	if ((len & 7u) != 0 || len > UINT32_MAX)
		FAIL("argv pattern: blob length is not a multiple of 8 or too large");
	if (vm_dfa_rd32(blob) != VM_ARGV_MAGIC)
		FAIL("argv pattern: bad magic");
	if (vm_dfa_rd16(blob + 4) != VM_ARGV_VERSION || vm_dfa_rd16(blob + 6) != 0)
		FAIL("argv pattern: unknown version");
	if (vm_dfa_rd32(blob + 8) != len)
		FAIL("argv pattern: total length field does not match the blob length");
	nt = vm_dfa_rd32(blob + 12);
	if (nt > VM_ARGV_MAX_TOKENS)
		FAIL("argv pattern: too many tokens");
	if (vm_dfa_rd32(blob + 16) != VM_ARGV_HDR)
		FAIL("argv pattern: token table misplaced");
	doff = vm_dfa_rd32(blob + 20);
	if (doff != ((VM_ARGV_HDR + VM_ARGV_TOKEN_REC * nt + 7u) & ~7u) || doff > len)
		FAIL("argv pattern: data area misplaced");
	if (vm_dfa_rd32(blob + 24) != 0 || vm_dfa_rd32(blob + 28) != 0)
		FAIL("argv pattern: reserved header field is not zero");
	for (i = 0; i < nt; i++) {
		const uint8_t *r = blob + VM_ARGV_HDR + (size_t)i * VM_ARGV_TOKEN_REC;
		uint32_t kind = vm_dfa_rd32(r), off = vm_dfa_rd32(r + 4), n = vm_dfa_rd32(r + 8);

		switch (kind) {
		case VM_ARGV_LITERAL:
		case VM_ARGV_REGEX:
			if (off < doff || off > len || n > len - off)
				FAIL("argv pattern: token bytes out of bounds");
			if (kind == VM_ARGV_REGEX) {
				if ((off & 7u) != 0)
					FAIL("argv pattern: embedded automaton not 8-aligned");
				if (vm_dfa_verify(blob + off, n, 1, &inner) != 0)
					FAIL("argv pattern: embedded automaton is invalid");
			}
			break;
		case VM_ARGV_ONE:
		case VM_ARGV_ANY:
			if (off != 0 || n != 0)
				FAIL("argv pattern: wildcard token carries bytes");
			break;
		default:
			FAIL("argv pattern: unknown token kind");
		}
	}
	return 0;
}

/* Adds i to set, then every state reachable by skipping `**` tokens. */
static void add_state(uint64_t *set, const uint8_t *blob, uint32_t nt, uint32_t i)
{
	for (;;) {
		set[i / 64] |= (uint64_t)1 << (i % 64);
		if (i >= nt || vm_dfa_rd32(blob + VM_ARGV_HDR + (size_t)i * VM_ARGV_TOKEN_REC) !=
				       VM_ARGV_ANY)
			return;
		i++;
	}
}

static int token_ok(const uint8_t *blob, const uint8_t *r, const struct vm_bytes *a)
{
	uint32_t kind = vm_dfa_rd32(r), off = vm_dfa_rd32(r + 4), n = vm_dfa_rd32(r + 8);
	const uint8_t *ids;

	switch (kind) {
	case VM_ARGV_LITERAL:
		return a->n == n && (n == 0 || memcmp(a->p, blob + off, n) == 0);
	case VM_ARGV_REGEX:
		return vm_dfa_match(blob + off, a->p, a->n, &ids) > 0;
	default:
		return 1; /* `*` and `**` accept any one token */
	}
}

int vm_argv_match(const uint8_t *blob, size_t len, const struct vm_bytes *argv, size_t argc)
{
	uint64_t cur[ARGV_WORDS], nxt[ARGV_WORDS];
	uint32_t nt = vm_dfa_rd32(blob + 12), i;
	size_t k;
	int any;

	(void)len;
	memset(cur, 0, sizeof cur);
	add_state(cur, blob, nt, 0);
	for (k = 0; k < argc; k++) {
		memset(nxt, 0, sizeof nxt);
		any = 0;
		for (i = 0; i < nt; i++) {
			const uint8_t *r = blob + VM_ARGV_HDR + (size_t)i * VM_ARGV_TOKEN_REC;

			if (!(cur[i / 64] >> (i % 64) & 1u))
				continue;
			if (!token_ok(blob, r, &argv[k]))
				continue;
			any = 1;
			if (vm_dfa_rd32(r) == VM_ARGV_ANY)
				add_state(nxt, blob, nt, i);
			else
				add_state(nxt, blob, nt, i + 1);
		}
		if (!any)
			return 0;
		memcpy(cur, nxt, sizeof cur);
	}
	return (int)(cur[nt / 64] >> (nt % 64) & 1u);
}
