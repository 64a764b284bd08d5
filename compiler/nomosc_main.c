/* nomosc_main.c: entry point of nomosc, the policy compiler. Dispatches to one
 * subcommand (see nomosc.h); `nomosc --help` lists them. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compiler/nomosc.h"
#include "runtime/rt_stdio.h"

struct nomosc_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct nomosc_command commands[] = {
#define NOMOSC_ENTRY(name) { #name, nomosc_cmd_##name##_summary, nomosc_cmd_##name },
	NOMOSC_COMMANDS(NOMOSC_ENTRY)
#undef NOMOSC_ENTRY
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct nomosc_command *c;

	fprintf(f, "usage: nomosc COMMAND [OPTIONS] [ARGS]\n\n"
		   "nomosc compiles Nomos v1 policy bundles (.yaml, .yml, .json, .nomos) into\n"
		   "verified bytecode images for nomos-vm.\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n`nomosc COMMAND --help` describes one command.\n"
		   "exit status: 0 success, 1 errors in the input, 2 usage error\n");
}

static int run(int argc, char **argv)
{
	const struct nomosc_command *c;

	/* Bundles are UTF-8 whatever the user's locale: diagnostic carets
	 * measure characters in it (cc_diag.c); nothing else here depends on
	 * LC_CTYPE. Without that locale, every character counts one column. */
	(void)setlocale(LC_CTYPE, "C.UTF-8");
	if (argc < 2) {
		usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		/* `nomosc help CMD` is `nomosc CMD --help` */
		char *sub[] = { argv[2], (char *)(uintptr_t)"--help", NULL };

		for (c = commands; c->name; c++)
			if (!strcmp(argv[2], c->name))
				return c->run(2, sub);
		fprintf(stderr, "nomosc: unknown command '%s'\n", argv[2]);
		usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return NOMOSC_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("nomosc %s\n", NOMOS_VERSION);
		return NOMOSC_EXIT_OK;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "nomosc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return NOMOSC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return rt_stdout_finish("nomosc", run(argc, argv), NOMOSC_EXIT_ERROR);
}
