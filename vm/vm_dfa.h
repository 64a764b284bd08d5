/* vm_dfa.h: the byte layout of ONE automaton blob (a resource or regex matcher
 * compiled by compiler/cc_dfa.c) and its runner. The VM maps the blob in place,
 * verifies it once (vm_dfa_verify), then runs it with vm_dfa_match: no
 * allocation, no I/O, no pointers in the data. docs/automata.md is the prose.
 *
 * Every matcher is run over "/" + VALUE: the compiler prefixes a virtual '/' so
 * glob segment lists become a concatenation of "/segment" units; the runner
 * never sees that byte, the start state already accounts for it.
 *
 * Common header (little-endian, blob length a multiple of 8):
 *   0 u32 magic "NAUT"        4 u16 version (3)      6 u16 kind (VM_DFA_KIND_*)
 *   8 u32 total_len (= blob length)
 *
 * Kind 1, DFA (many patterns, accepting states carry id lists), 64-byte header:
 *  12 u32 n_states (>= 1; state 0 is the dead state: no ids, all rows to 0)
 *  16 u32 n_classes (1..256)  20 u32 start state  24 u32 width (2 or 4)
 *  28 u32 n_ids (id pool size) 32 u32 trans_off   36 u32 accept_off
 *  40 u32 ids_off             44 u32 n_accel (states 1..n_accel are accelerated)
 *  48 u32 accel_off           52 u32 prefix_len (0..VM_DFA_MAX_PREFIX)
 *  56 u32 prefix_off          60 u32 prefix_state (0 when prefix_len is 0)
 *  64 u8[256] byte -> class map
 *  trans_off:  n_states rows of stride = n_classes + 1 entries of `width`
 *              bytes (u16 or u32). Entry k < n_classes of row s is the next
 *              state on class k as the byte offset of its row in the table,
 *              next_state * stride * width: a step is one load at table +
 *              class * width + offset, and the class part does not depend on
 *              the state, so state to state is the load alone. Entry
 *              n_classes of row s is s itself (a plain index): the runner
 *              gets a state's number without a division. Width 2 only when
 *              n_states * stride * 2 <= 65536.
 *  accept_off: n_states records {u32 first id index, u32 id count}
 *  ids_off:    n_ids u32 pattern ids (each state's list sorted, unique)
 *  accel_off:  n_accel records {u8 count (0..3), u8 byte[3]} for states
 *              1..n_accel: the state goes to itself on every byte not listed
 *              (listed bytes strictly ascending, the unused ones repeating the
 *              last listed one; all 0 when count is 0), so the runner
 *              skips ahead to the next listed byte with a plain scan instead
 *              of one table load per byte. State ids are numbered so that one
 *              compare (row offset <= n_accel * stride * width) finds the dead
 *              and the accelerated states in the hot loop.
 *  prefix_off: prefix_len bytes that every path from the start state spells:
 *              each state on the way has exactly one class leading to a state
 *              other than 0, that class holds exactly the next prefix byte, and
 *              the prefix leads to prefix_state (not 0). So an input at least
 *              prefix_len long is one compare: a mismatch ends in state 0, a
 *              match continues from prefix_state after the prefix.
 *  Sections appear in this order, each 8-aligned, zero padded, ending the blob.
 *  The verifier checks all of the above (targets, the self column, the
 *  accelerated states' self loops, the prefix walk), so the runner's shortcuts
 *  give exactly the answer of the plain one-load-per-byte walk.
 *
 * Kind 2, NFA (one pattern whose DFA would exceed the state budget): an
 * epsilon-free position automaton run by bit-set simulation on the stack.
 * 48-byte header:
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
#define VM_DFA_VERSION 3u /* 2: premultiplied transitions; 3: byte offsets, self column, accelerated states, prefix */
#define VM_DFA_KIND_DFA 1u
#define VM_DFA_KIND_NFA 2u
#define VM_DFA_HDR 48u      /* the NFA header; the shortest blob */
#define VM_DFA_DFA_HDR 64u  /* the DFA header */
#define VM_DFA_CLASSMAP 64u
#define VM_DFA_MAX_PREFIX 255u
#define VM_DFA_ACCEL_REC 4u
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

/* Every pattern id a VERIFIED blob can report: returns their number and
 * points *ids at them (u32 LE): a DFA's id pool, an NFA's one id. */
uint32_t vm_dfa_ids(const uint8_t *blob, const uint8_t **ids);

/* Runs a VERIFIED blob over input[0..n). Returns the number of pattern ids
 * that match the whole input and points *ids at their u32 LE array inside the
 * blob (sorted ascending for a DFA; *ids is set even when 0 is returned). */
uint32_t vm_dfa_match(const uint8_t *blob, const uint8_t *input, size_t n, const uint8_t **ids);

#endif
