/* vm_dfa.h: the byte layout of ONE automaton blob (a resource or regex matcher
 * compiled by compiler/cc_dfa.c) and its runner. The VM maps the blob in place,
 * verifies it once (vm_dfa_verify), then runs it with vm_dfa_match: no
 * allocation, no I/O, no pointers in the data. docs/automata.md is the prose.
 *
 * Every matcher is run over "/" + VALUE: the compiler prefixes a virtual '/' so
 * glob segment lists become a concatenation of "/segment" units; the runner
 * never sees that byte, the start state already accounts for it.
 *
 * Common header (48 bytes, little-endian, blob length a multiple of 8):
 *   0 u32 magic "NAUT"        4 u16 version (1)      6 u16 kind (VM_DFA_KIND_*)
 *   8 u32 total_len (= blob length)
 *
 * Kind 1, DFA (many patterns, accepting states carry id lists):
 *  12 u32 n_states (>= 1; state 0 is the dead state: no ids, all rows to 0)
 *  16 u32 n_classes (1..256)  20 u32 start state  24 u32 width (2 or 4)
 *  28 u32 n_ids (id pool size) 32 u32 trans_off   36 u32 accept_off
 *  40 u32 ids_off             44 u32 reserved 0
 *  48 u8[256] byte -> class map
 *  trans_off:  n_states rows of n_classes next-state entries (u16 or u32),
 *              premultiplied: the entry is next_state * n_classes, the offset
 *              of the next row (width 2 only when n_states * n_classes <= 65536)
 *  accept_off: n_states records {u32 first id index, u32 id count}
 *  ids_off:    n_ids u32 pattern ids (each state's list sorted, unique)
 *  Sections appear in this order, each 8-aligned, zero padded, ending the blob.
 *
 * Kind 2, NFA (one pattern whose DFA would exceed the state budget): an
 * epsilon-free position automaton run by bit-set simulation on the stack.
 *  12 u32 n_pos (1..VM_NFA_MAX_POS)   16 u32 n_start   20 u32 start_accepts (0/1)
 *  24 u32 n_follow                    28 u32 id (the one pattern id)
 *  32 u32 pos_off  36 u32 follow_off  40 u32 start_off  44 u32 reserved 0
 *  pos_off:    n_pos records of 48 bytes {u8 label[32] (bit b%8 of byte b/8 =
 *              byte b enters this position), u32 follow first, u32 follow count,
 *              u32 accepts (0/1), u32 reserved 0}
 *  follow_off: n_follow u32 position indices
 *  start_off:  n_start u32 positions active before the first byte
 *  Worst case: per input byte O(VM_NFA_MAX_POS/64 + n_follow) word operations,
 *  1 KiB of stack; no allocation.
 */
#ifndef NOMOS_VM_DFA_H
#define NOMOS_VM_DFA_H

#include <stddef.h>
#include <stdint.h>

#define VM_DFA_MAGIC 0x5455414eu /* "NAUT" */
#define VM_DFA_VERSION 2u /* 2: premultiplied transitions */
#define VM_DFA_KIND_DFA 1u
#define VM_DFA_KIND_NFA 2u
#define VM_DFA_HDR 48u
#define VM_DFA_CLASSMAP 48u
#define VM_DFA_MAX_STATES (1u << 22)
#define VM_NFA_MAX_POS 4096u
#define VM_NFA_POS_REC 48u
#define VM_NFA_MAX_FOLLOW (1u << 20)

/* Little-endian readers: the blob is never cast to structs. */
static inline uint32_t vm_dfa_rd16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t vm_dfa_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Checks that blob[0..len) is a well-formed automaton whose every count,
 * offset and transition is in range and whose ids are all < id_limit.
 * Returns 0, or -1 with *why (if why is not NULL) set to a static message.
 * Runs in O(len); never reads outside blob[0..len). */
int vm_dfa_verify(const uint8_t *blob, size_t len, uint32_t id_limit, const char **why);

/* Runs a VERIFIED blob over input[0..n). Returns the number of pattern ids
 * that match the whole input and points *ids at their u32 LE array inside the
 * blob (sorted ascending for a DFA; *ids is set even when 0 is returned). */
uint32_t vm_dfa_match(const uint8_t *blob, const uint8_t *input, size_t n, const uint8_t **ids);

#endif
