/* vm_opcodes.h: the predicate instruction set, one X-macro list that expands
 * into the enum, the names, the verifier's operand checks, the disassembler
 * and explain text. A rule's program runs after the automata said its action
 * type and resource match; it checks the rest of spec §2.1 in upstream order.
 *
 * Instruction (8 bytes):  | op u8 | a u8 | b u16 | c u32 |
 * Programs are straight-line: every check either passes to the next
 * instruction or ends the program with "no match"; MATCH ends it with "match".
 * There are no jumps, so every program terminates after at most
 * VM_MAX_PROG_LEN instructions.
 *
 * Changing this list changes vm_opcode_fingerprint(), which is stored in every
 * image: an image built for another table is rejected (bump the format version).
 */
#ifndef NOMOS_VM_OPCODES_H
#define NOMOS_VM_OPCODES_H

#include <stdint.h>

/* X(NAME, operand kind, synopsis)
 * operand kinds: VM_OPK_NONE (a=b=c=0), VM_OPK_LIST (c = LISTS word index of
 * {count, ids...}), VM_OPK_MASK (c = risk mask), VM_OPK_ARGV (c = first ARGV
 * record, b = count >= 1). */
#define VM_OPCODES(X)                                                                    \
	/* Opcode: PRINCIPAL  Synopsis: principal in list[c]                              \
	 * The action's principal must equal one of the interned ids of the list.        \
	 * Lists that are empty or contain "*" are compiled away (they match anything). */ \
	X(PRINCIPAL, VM_OPK_LIST, "principal in list")                                   \
	/* Opcode: AGENT  Synopsis: agent in list[c] */                                   \
	X(AGENT, VM_OPK_LIST, "agent in list")                                           \
	/* Opcode: ENVIRONMENT  Synopsis: environment in list[c] */                       \
	X(ENVIRONMENT, VM_OPK_LIST, "environment in list")                               \
	/* Opcode: RISK  Synopsis: (risk & c) == c                                        \
	 * Every required risk flag present. An unknown flag in a rule sets bit 31,      \
	 * which no action ever has (upstream: unknown flags make the rule dead). */     \
	X(RISK, VM_OPK_MASK, "all risk flags present")                                   \
	/* Opcode: EXEC  Synopsis: process.exec && argv matches one of argv[c..c+b)      \
	 * The action type must be exactly process.exec, params must carry a            \
	 * non-empty string argv, and at least one pattern must match (spec §2.6). */    \
	X(EXEC, VM_OPK_ARGV, "argv matches a pattern")                                   \
	/* Opcode: MATCH  Synopsis: the rule matches; ends the program */                \
	X(MATCH, VM_OPK_NONE, "rule matches")

enum vm_opk { VM_OPK_NONE, VM_OPK_LIST, VM_OPK_MASK, VM_OPK_ARGV };

enum vm_op {
#define VM_OP_ENUM(name, kind, syn) VM_OP_##name,
	VM_OPCODES(VM_OP_ENUM)
#undef VM_OP_ENUM
	VM_OP__COUNT
};

#define VM_INSN_SIZE 8u

/* Name of an opcode ("PRINCIPAL"), or "?" when out of range. */
const char *vm_op_name(unsigned op);
/* Synopsis text of an opcode. */
const char *vm_op_synopsis(unsigned op);
/* Operand kind of an opcode (VM_OPK_*), or -1 when out of range. */
int vm_op_kind(unsigned op);
/* FNV-1a 64 over the opcode names, operand kinds and the instruction size:
 * images record it and the verifier compares it. */
uint64_t vm_opcode_fingerprint(void);

#endif
