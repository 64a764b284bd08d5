/* nomos_vm_main.c: entry point of nomos-vm, the policy VM. Dispatches to one
 * subcommand (see nomos_vm.h); `nomos-vm --help` lists them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/nomos_vm.h"
#include "runtime/rt_stdio.h"

struct nomos_vm_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct nomos_vm_command commands[] = {
#define NOMOS_VM_ENTRY(name) { #name, nomos_vm_cmd_##name##_summary, nomos_vm_cmd_##name },
	NOMOS_VM_COMMANDS(NOMOS_VM_ENTRY)
#undef NOMOS_VM_ENTRY
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct nomos_vm_command *c;

	fprintf(f, "usage: nomos-vm COMMAND [OPTIONS] [ARGS]\n\n"
		   "nomos-vm verifies a compiled policy image and decides ALLOW, DENY or\n"
		   "REQUIRE_APPROVAL for agent actions. The image is -i IMAGE, else\n"
		   "$NOMOS_IMAGE, else ./bundle.nbc.\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n`nomos-vm COMMAND --help` describes one command.\n"
		   "exit status: 0 decision produced, 1 error, 2 usage; with --exit-code\n"
		   "0 ALLOW, 3 DENY, 4 REQUIRE_APPROVAL; verify: 10-16, one per refusal\n"
		   "(docs/signing.md)\n");
}

static int run(int argc, char **argv)
{
	const struct nomos_vm_command *c;

	if (argc < 2) {
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* `nomos-vm help CMD` is `nomos-vm CMD --help` */
		char *sub[] = { argv[2], (char *)(uintptr_t)"--help", NULL };

		for (c = commands; c->name; c++)
			if (!strcmp(argv[2], c->name))
				return c->run(2, sub);
		fprintf(stderr, "nomos-vm: unknown command '%s'\n", argv[2]);
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return NOMOS_VM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("nomos-vm %s\n", NOMOS_VERSION);
		return NOMOS_VM_EXIT_OK;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "nomos-vm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return NOMOS_VM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return rt_stdout_finish("nomos-vm", run(argc, argv), NOMOS_VM_EXIT_ERROR);
}
