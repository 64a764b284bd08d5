/* vm_argv.h: the byte layout of ONE exec_match argv pattern (spec §2.6) and its
 * matcher. Tokens are literals (byte-equal), `*` (exactly one token, possibly
 * empty), `**` (zero or more tokens) or, as a nomos extension, a regex token
 * holding an embedded automaton blob (vm_dfa.h) that must match the whole
 * argv token. Matching is a position-set simulation: no backtracking, time
 * O(tokens x argc) plus the regex runs, a small stack bitset, no allocation.
 *
 * Layout (little-endian, blob length a multiple of 8):
 *   0 u32 magic "NARG"   4 u16 version (1)   6 u16 reserved 0
 *   8 u32 total_len (= blob length)   12 u32 n_tokens (0..VM_ARGV_MAX_TOKENS)
 *  16 u32 tokens_off (= 32)           20 u32 data_off (= 32 + 12 * n_tokens,
 *                                        rounded up to 8)   24 u64 reserved 0
 *  tokens_off: n_tokens records {u32 kind (VM_ARGV_*), u32 offset, u32 length};
 *              offset/length address bytes inside the data area (literal
 *              bytes, or an 8-aligned automaton blob for VM_ARGV_REGEX;
 *              0/0 for `*` and `**`)
 *  data_off:   literal bytes and embedded blobs, zero padded to the end.
 */
#ifndef NOMOS_VM_ARGV_H
#define NOMOS_VM_ARGV_H

#include <stddef.h>
#include <stdint.h>

#define VM_ARGV_MAGIC 0x4752414eu /* "NARG" */
#define VM_ARGV_VERSION 1u
#define VM_ARGV_HDR 32u
#define VM_ARGV_TOKEN_REC 12u
#define VM_ARGV_MAX_TOKENS 256u

enum vm_argv_kind {
	VM_ARGV_LITERAL = 0, /* byte-equal token */
	VM_ARGV_ONE = 1,     /* `*`: exactly one token, which may be empty */
	VM_ARGV_ANY = 2,     /* `**`: zero or more tokens */
	VM_ARGV_REGEX = 3,   /* extension: embedded automaton must match the token */
};

/* One argv element (not NUL-terminated; may contain NUL bytes). */
struct vm_bytes {
	const uint8_t *p;
	size_t n;
};

/* Checks blob[0..len): header, every token record in range, kinds known,
 * embedded automata verified (vm_dfa_verify with id_limit 1). Returns 0, or -1
 * with *why (if not NULL) set to a static message. Never reads out of bounds. */
int vm_argv_verify(const uint8_t *blob, size_t len, const char **why);

/* Matches a VERIFIED pattern blob against argv[0..argc). Returns 1 when the
 * whole argv matches, 0 otherwise. */
int vm_argv_match(const uint8_t *blob, size_t len, const struct vm_bytes *argv, size_t argc);

#endif
