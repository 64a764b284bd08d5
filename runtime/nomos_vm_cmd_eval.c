/* nomos_vm_cmd_eval.c: `nomos-vm eval`, one decision per action. A single
 * action prints one compact JSON object; --jsonl turns a stream of actions
 * (one per line) into a stream of decisions, in order, and keeps going after a
 * bad line (that line gets a fail-closed DENY). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/nomos.h"
#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"

const char nomos_vm_cmd_eval_summary[] = "decide actions (JSON in, JSON decision out)";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nomos-vm eval [-i IMAGE] [--exit-code] ACTION.json|-\n"
		"       nomos-vm eval [-i IMAGE] --jsonl [FILE|-]\n\n"
		"Decides one Nomos v1 action (or, with --jsonl, one action per line) and\n"
		"prints one compact JSON object per decision with decision, reason_code,\n"
		"matched_rule_ids, obligations, policy_bundle_hash, normalized_resource,\n"
		"allow/require_approval/deny_rule_ids, exec_authorization, params_hash.\n"
		"A bad action, or an image that cannot be trusted, decides DENY with reason\n"
		"validation_error, normalization_error or image_error and an \"error\".\n\n"
		"  --jsonl           read one action per line (standard input by default)\n"
		"  --exit-code       exit 0 ALLOW, 3 DENY, 4 REQUIRE_APPROVAL (single action;\n"
		"                    a usage error with --jsonl)\n"
		"%s\n"
		"exit status: 0 a decision was produced; 1 the action (or, with --jsonl,\n"
		"any line) was rejected or the image could not be used; 2 usage.\n",
		nomos_vm_common_usage);
}

static int emit(struct nomos_eval *ev)
{
	size_t len;
	const char *out = nomos_eval_result_json(ev, &len);

	if (!out) {
		fputs("{\"decision\":\"DENY\",\"reason_code\":\"internal_error\"}\n", stdout);
		return -1;
	}
	fwrite(out, 1, len, stdout);
	fputc('\n', stdout);
	return 0;
}

static int rejected(const struct nomos_eval *ev)
{
	const char *r = nomos_eval_reason(ev);

	return !strcmp(r, "validation_error") || !strcmp(r, "normalization_error") ||
	       !strcmp(r, "image_error") || !strcmp(r, "internal_error");
}

/* --jsonl: one decision per line of input, in order; returns the exit status.
 * Stops at the first failed write: with nobody reading the decisions, an
 * endless stream would otherwise be evaluated forever. */
static int eval_stream(struct nomos_eval *ev, const char *input)
{
	FILE *f = strcmp(input, "-") ? fopen(input, "rb") : stdin;
	struct stat st;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = NOMOS_VM_EXIT_OK, flush, err;

	if (!f) {
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", nomos_vm_input_name(input),
			strerror(errno));
		return NOMOS_VM_EXIT_ERROR;
	}
	/* A caller that writes one action and waits for its decision (a pipe,
	 * a socket, a terminal) gets it now, not once 4 KB have piled up. */
	flush = fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode);
	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = nomos_vm_line_len(line, (size_t)n);

		if (len == 0) /* a blank line */
			continue;
		nomos_eval_json(ev, line, len);
		if (emit(ev) || rejected(ev))
			status = NOMOS_VM_EXIT_ERROR;
		if (ferror(stdout) || (flush && fflush(stdout) != 0)) {
			err = errno;
			fflush(stdout); /* drop what cannot be written */
			clearerr(stdout); /* reported here, not again by main() */
			fprintf(stderr, "nomos-vm: cannot write standard output: %s\n", strerror(err));
			status = NOMOS_VM_EXIT_ERROR;
			break;
		}
	}
	if (ferror(f)) {
		/* a directory, EIO, a closed stdin: not the end of the stream */
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", nomos_vm_input_name(input),
			strerror(errno));
		status = NOMOS_VM_EXIT_ERROR;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}

int nomos_vm_cmd_eval(int argc, char **argv)
{
	const char *input = NULL;
	struct nomos_vm_opts vo = { 0 };
	enum nomos_vm_opt co;
	int jsonl = 0, exit_code = 0, i, status = NOMOS_VM_EXIT_OK;
	struct nomos_image *img;
	struct nomos_eval *ev;
	char err[512];

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if (!strcmp(argv[i], "--jsonl")) {
			jsonl = 1;
		} else if (!strcmp(argv[i], "--exit-code")) {
			exit_code = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "nomos-vm eval: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return NOMOS_VM_EXIT_USAGE;
		} else if (!input) {
			input = argv[i];
		} else {
			fprintf(stderr, "nomos-vm eval: one input only\n");
			return NOMOS_VM_EXIT_USAGE;
		}
	}
	if (!input && !jsonl) {
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	if (jsonl && exit_code) {
		/* it was accepted and did nothing: one status cannot tell the
		 * decisions of a stream */
		fprintf(stderr, "nomos-vm eval: --exit-code is for a single action; with --jsonl "
				"each line's decision is in its output\n");
		return NOMOS_VM_EXIT_USAGE;
	}
	if (!input)
		input = "-";
	img = nomos_vm_open(&vo, err, sizeof err);
	ev = img ? nomos_eval_new(img, 0) : nomos_eval_new_refused(err);
	if (!ev) {
		fprintf(stderr, "nomos-vm: out of memory\n");
		nomos_image_close(img);
		return NOMOS_VM_EXIT_ERROR;
	}
	if (jsonl) {
		status = eval_stream(ev, input);
	} else {
		char *text;
		size_t len;

		if (nomos_vm_read(input, &text, &len)) {
			status = NOMOS_VM_EXIT_ERROR;
		} else {
			int d = nomos_eval_json(ev, text, len);

			free(text);
			emit(ev);
			if (rejected(ev)) {
				if (img) /* nomos_vm_open has said why it refused the image */
					fprintf(stderr, "nomos-vm: %s: %s\n", nomos_eval_reason(ev),
						nomos_eval_error(ev));
				status = NOMOS_VM_EXIT_ERROR;
			} else if (exit_code) {
				status = d == NOMOS_ALLOW ? NOMOS_VM_EXIT_OK :
					 d == NOMOS_REQUIRE_APPROVAL ? NOMOS_VM_EXIT_APPROVAL :
								       NOMOS_VM_EXIT_DENY;
			}
		}
	}
	nomos_eval_free(ev);
	nomos_image_close(img);
	return status;
}
