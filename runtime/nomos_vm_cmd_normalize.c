/* nomos_vm_cmd_normalize.c: `nomos-vm normalize [--action-type T] RESOURCE...`
 * prints each resource as Nomos v1 normalizes it (spec §6), one per line, or
 * its error on stderr. An operator's view of rt_normalize_resource. */
#include <stdio.h>
#include <string.h>

#include "runtime/nomos_vm.h"
#include "runtime/rt_normalize.h"

const char nomos_vm_cmd_normalize_summary[] = "print resources as Nomos normalizes them";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomos-vm normalize [--action-type TYPE] RESOURCE...\n\n"
		   "Prints each RESOURCE normalized as Nomos v1 does before matching\n"
		   "(file://, url://, repo://, secret://; with a non-built-in TYPE such\n"
		   "as payments.refund, custom schemes too), one per line. A resource\n"
		   "that is rejected prints `nomos-vm: normalize RESOURCE: MESSAGE` on\n"
		   "stderr.\n\n"
		   "  -t, --action-type TYPE  the action type the resources belong to\n"
		   "                          (also --action-type=TYPE); a non-built-in TYPE\n"
		   "                          accepts custom schemes\n"
		   "  --                      end of the options\n\n"
		   "exit status: 0 all were normalized, 1 otherwise, 2 usage.\n");
}

int nomos_vm_cmd_normalize(int argc, char **argv)
{
	const char *type = NULL;
	struct rt_buf out;
	char err[RT_NORMALIZE_ERRMAX];
	int i, status = NOMOS_VM_EXIT_OK, any = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return NOMOS_VM_EXIT_OK;
		} else if (!strcmp(argv[i], "--action-type") || !strcmp(argv[i], "-t")) {
			if (++i >= argc) {
				fprintf(stderr, "nomos-vm normalize: --action-type needs a value\n");
				return NOMOS_VM_EXIT_USAGE;
			}
			type = argv[i];
		} else if (!strncmp(argv[i], "--action-type=", 14)) {
			type = argv[i] + 14;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "nomos-vm normalize: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return NOMOS_VM_EXIT_USAGE;
		} else {
			break;
		}
	}
	rt_buf_init(&out);
	for (; i < argc; i++) {
		int rc;

		any = 1;
		rt_buf_reset(&out);
		rc = rt_normalize_resource(type, type ? strlen(type) : 0, argv[i], strlen(argv[i]),
					   &out, err, sizeof err);
		if (rc == RT_NORMALIZE_OK) {
			fwrite(out.data, 1, out.len, stdout);
			fputc('\n', stdout);
		} else {
			fprintf(stderr, "nomos-vm: normalize %s: %s\n", argv[i], err);
			status = NOMOS_VM_EXIT_ERROR;
		}
	}
	rt_buf_free(&out);
	if (!any) {
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	return status;
}
