/* nomos_vm_cmd_disasm.c: `nomos-vm disasm`, the bytecode listing: for every
 * rule (in id order) its header and its predicate program, one instruction per
 * line with the operands decoded, like SQLite's EXPLAIN. */
#include <stdio.h>
#include <string.h>

#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"
#include "runtime/rt_action.h"
#include "runtime/rt_internal.h"
#include "vm/vm_opcodes.h"

const char nomos_vm_cmd_disasm_summary[] = "list the predicate bytecode of every rule";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomos-vm disasm [-i IMAGE] [RULE_ID...]\n\n"
		   "Lists, for every rule (or only the named ones), its decision, action type,\n"
		   "resource matcher, source location, obligations, and its predicate program:\n"
		   "  addr  opcode      operands                 ; meaning\n"
		   "The action type and resource are matched by the group automata before a\n"
		   "program runs; the program checks identities, risk flags and argv.\n\n%s\n"
		   "exit status: 0 success; 1 the image was refused or a rule is unknown; 2 usage.\n",
		nomos_vm_common_usage);
}

static void put(const struct vm_image *img, const uint8_t *ref)
{
	uint32_t len;
	const uint8_t *s = vm_str(img, ref, &len);

	fwrite(s, 1, len, stdout);
}

static void list_rule(const struct vm_image *img, uint32_t r)
{
	const uint8_t *rule = vm_rule(img, r);
	const uint8_t *src = img->sec[VM_SEC_SOURCES] + (size_t)vm_rd32(rule + VM_RULE_SOURCE) * 24;
	uint32_t first = vm_rd32(rule + VM_RULE_PROG), n = vm_rd32(rule + VM_RULE_PROG_N), i, j;

	printf("rule %u ", r);
	put(img, rule + VM_RULE_ID);
	printf(" %s %s ", vm_decision_name(rule[VM_RULE_DECISION]),
	       rule[VM_RULE_RKIND] ? "regex" : "glob");
	put(img, rule + VM_RULE_ATYPE);
	printf(" \"");
	put(img, rule + VM_RULE_RESOURCE);
	printf("\"  ; ");
	put(img, src + VM_SRC_PATH);
	printf(":%u:%u\n", vm_rd32(rule + VM_RULE_LINE), vm_rd32(rule + VM_RULE_COL));
	for (i = 0; i < vm_rd32(rule + VM_RULE_OBLIG_N); i++) {
		const uint8_t *o = img->sec[VM_SEC_OBLIG] + ((size_t)vm_rd32(rule + VM_RULE_OBLIG) + i) * 16;

		printf("       obligation ");
		put(img, o + VM_OBL_KEY);
		printf(" = ");
		put(img, o + VM_OBL_VALUE);
		putchar('\n');
	}
	for (i = 0; i < n; i++) {
		const uint8_t *in = img->sec[VM_SEC_PROGS] + ((size_t)first + i) * 8;
		uint32_t c = vm_rd32(in + 4), b = vm_rd16(in + 2);

		printf("  %04u %-11s", first + i, vm_op_name(in[0]));
		switch (vm_op_kind(in[0])) {
		case VM_OPK_LIST: {
			const uint8_t *w = img->sec[VM_SEC_LISTS] + (size_t)c * 4;

			printf(" list@%-6u ; in [", c);
			for (j = 0; j < vm_rd32(w); j++) {
				printf("%s\"", j ? ", " : "");
				put(img, img->sec[VM_SEC_IDENTS] + (size_t)vm_rd32(w + 4 + (size_t)j * 4) * 8);
				printf("\"");
			}
			printf("]\n");
			break;
		}
		case VM_OPK_MASK: {
			unsigned bit, firstf = 1;

			printf(" 0x%08x   ; all of", c);
			for (bit = 0; bit < 32; bit++)
				if (c & (1u << bit)) {
					const char *nm = rt_risk_name(1u << bit);

					printf("%s %s", firstf ? "" : ",", nm ? nm : "(unknown flag)");
					firstf = 0;
				}
			putchar('\n');
			break;
		}
		case VM_OPK_ARGV:
			printf(" argv[%u..%u) ; process.exec and argv matches", c, c + b);
			for (j = 0; j < b; j++) {
				printf("%s ", j ? " or" : "");
				put(img, img->sec[VM_SEC_ARGV] + ((size_t)c + j) * 24 + VM_ARGV_JSON);
			}
			putchar('\n');
			break;
		default:
			printf("             ; %s\n", vm_op_synopsis(in[0]));
		}
	}
}

int nomos_vm_cmd_disasm(int argc, char **argv)
{
	struct nomos_vm_opts vo = { 0 };
	struct nomos_image *ni;
	char err[512];
	int i, nnames = 0, status = NOMOS_VM_EXIT_OK;
	enum nomos_vm_opt co;
	uint32_t r, len;

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if (argv[i][0] == '-') {
			fprintf(stderr, "nomos-vm disasm: unknown option '%s'\n", argv[i]);
			return NOMOS_VM_EXIT_USAGE;
		}
		nnames++;
	}
	ni = nomos_vm_open(&vo, err, sizeof err);
	if (!ni)
		return NOMOS_VM_EXIT_ERROR;
	printf("; policy_bundle_hash %s, %u rules, opcode table %016llx\n", ni->bundle_hash,
	       ni->vm.n_rules, (unsigned long long)vm_opcode_fingerprint());
	for (r = 0; r < ni->vm.n_rules; r++) {
		const uint8_t *id = vm_str(&ni->vm, vm_rule(&ni->vm, r) + VM_RULE_ID, &len);
		int want = !nnames;

		for (i = 1; i < argc && !want; i++)
			want = argv[i][0] != '-' && strlen(argv[i]) == len && !memcmp(argv[i], id, len);
		if (want)
			list_rule(&ni->vm, r);
	}
	for (i = 1; i < argc; i++) {
		int found = 0;

		if (argv[i][0] == '-') {
			if (strcmp(argv[i], "--allow-unsigned"))
				i++;
			continue;
		}
		for (r = 0; r < ni->vm.n_rules && !found; r++) {
			const uint8_t *id = vm_str(&ni->vm, vm_rule(&ni->vm, r) + VM_RULE_ID, &len);

			found = strlen(argv[i]) == len && !memcmp(argv[i], id, len);
		}
		if (!found) {
			fprintf(stderr, "nomos-vm disasm: no rule '%s'\n", argv[i]);
			status = NOMOS_VM_EXIT_ERROR;
		}
	}
	nomos_image_close(ni);
	return status;
}
