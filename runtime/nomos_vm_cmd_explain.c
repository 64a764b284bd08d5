/* nomos_vm_cmd_explain.c: `nomos-vm explain`, the operator's "why": every
 * rule, whether it matched and the first predicate that failed, then the
 * deny-wins reasoning; --format json adds Nomos's explain fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/nomos.h"
#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"

const char nomos_vm_cmd_explain_summary[] = "explain a decision rule by rule";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomos-vm explain [-i IMAGE] [--format text|json] ACTION.json|-\n\n"
		   "Evaluates the action and prints, for every rule, whether it matched and,\n"
		   "if not, the first predicate that failed and why, with the rule's source\n"
		   "file:line:col; then the deny-wins reasoning and the obligations.\n"
		   "--format json prints Nomos's `policy explain` fields (assurance_level,\n"
		   "decision, engine_version, exec_authorization, matched_rule_ids,\n"
		   "matched_rule_provenance, minimal_allowing_change, obligations_preview,\n"
		   "policy_bundle_hash, policy_bundle_inputs, reason_code, why_denied) plus\n"
		   "\"rules\", the per-rule trace. Text output respects NO_COLOR.\n\n"
		   "exit status: 0 explained; 1 the action or image was rejected; 2 usage.\n\n%s",
		nomos_vm_common_usage);
}

int nomos_vm_cmd_explain(int argc, char **argv)
{
	const char *input = NULL;
	struct nomos_vm_opts vo = { 0 };
	enum nomos_vm_opt co;
	enum nomos_explain_format fmt = NOMOS_EXPLAIN_TEXT;
	struct nomos_image *img;
	struct nomos_eval *ev;
	char err[512], *text;
	const char *out, *reason;
	size_t len;
	int i, json = 0, status = NOMOS_VM_EXIT_OK;

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if ((co = nomos_vm_format_opt("explain", argc, argv, &i, &json)) == NOMOS_VM_OPT_TAKEN) {
			fmt = json ? NOMOS_EXPLAIN_JSON : NOMOS_EXPLAIN_TEXT;
			continue;
		}
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if (!strcmp(argv[i], "--json")) {
			fmt = NOMOS_EXPLAIN_JSON;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "nomos-vm explain: unknown or incomplete option '%s'\n", argv[i]);
			usage(stderr);
			return NOMOS_VM_EXIT_USAGE;
		} else if (!input) {
			input = argv[i];
		} else {
			fprintf(stderr, "nomos-vm explain: one action only\n");
			return NOMOS_VM_EXIT_USAGE;
		}
	}
	if (!input) {
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	img = nomos_vm_open(&vo, err, sizeof err);
	ev = img ? nomos_eval_new(img, NOMOS_EVAL_TRACE) : nomos_eval_new_refused(err);
	if (!ev) {
		nomos_image_close(img);
		return NOMOS_VM_EXIT_ERROR;
	}
	if (nomos_vm_read(input, &text, &len)) {
		status = NOMOS_VM_EXIT_ERROR;
	} else {
		nomos_eval_json(ev, text, len);
		free(text);
		out = nomos_eval_explain(ev, fmt, fmt == NOMOS_EXPLAIN_TEXT && nomos_vm_color(1), &len);
		if (out)
			fwrite(out, 1, len, stdout);
		reason = nomos_eval_reason(ev);
		if (!out || !strcmp(reason, "validation_error") ||
		    !strcmp(reason, "normalization_error") || !strcmp(reason, "image_error") ||
		    !strcmp(reason, "internal_error"))
			status = NOMOS_VM_EXIT_ERROR;
	}
	nomos_eval_free(ev);
	nomos_image_close(img);
	return status;
}
