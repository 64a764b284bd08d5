/* vm_opcodes.c: tables expanded from the one opcode list (vm_opcodes.h):
 * names, synopses, operand kinds and the fingerprint images carry. */
#include "vm/vm_opcodes.h"

static const char *const op_names[] = {
#define VM_OP_NAME(name, kind, syn) #name,
	VM_OPCODES(VM_OP_NAME)
#undef VM_OP_NAME
};

static const char *const op_synopses[] = {
#define VM_OP_SYN(name, kind, syn) syn,
	VM_OPCODES(VM_OP_SYN)
#undef VM_OP_SYN
};

static const int op_kinds[] = {
#define VM_OP_KIND(name, kind, syn) kind,
	VM_OPCODES(VM_OP_KIND)
#undef VM_OP_KIND
};

const char *vm_op_name(unsigned op)
{
	return op < VM_OP__COUNT ? op_names[op] : "?";
}

const char *vm_op_synopsis(unsigned op)
{
	return op < VM_OP__COUNT ? op_synopses[op] : "?";
}

int vm_op_kind(unsigned op)
{
	return op < VM_OP__COUNT ? op_kinds[op] : -1;
}

uint64_t vm_opcode_fingerprint(void)
{
	uint64_t h = 1469598103934665603u;
	unsigned op;
	const char *p;

	for (op = 0; op < VM_OP__COUNT; op++) {
		for (p = op_names[op]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211u;
		h = (h ^ (uint64_t)op_kinds[op]) * 1099511628211u;
		h = (h ^ 0xffu) * 1099511628211u;
	}
	return (h ^ VM_INSN_SIZE) * 1099511628211u;
}
