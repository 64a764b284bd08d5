/* nomos_vm_cmd_test.c: `nomos-vm test`, table-driven policy tests. Each line
 * of a table is {"name", "action": {...}, "decision", ["reason_code"],
 * ["matched_rule_ids"]}; every mismatch is reported with what was expected. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/nomos.h"
#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"

const char nomos_vm_cmd_test_summary[] = "run decision tables (JSONL) against an image";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomos-vm test [-i IMAGE] [-v] TABLE.jsonl...\n\n%s\n", nomos_vm_common_usage);
	fprintf(f,
		   "Each line of a table is a JSON object:\n"
		   "  {\"name\": \"...\", \"action\": {Nomos v1 action}, \"decision\": \"DENY\",\n"
		   "   \"reason_code\": \"deny_by_rule\", \"matched_rule_ids\": [\"...\"]}\n"
		   "reason_code and matched_rule_ids are optional. Prints one line per failing\n"
		   "case (every case with -v) and a summary \"N passed, N failed\".\n\n"
		   "exit status: 0 all passed; 1 a case failed, a table is malformed or cannot be\n"
		   "read; 2 usage.\n");
}

/* Compares the evaluation with the expectations of one case; returns 1 when it
 * passes, and writes the difference into why. */
static int check_case(struct nomos_eval *ev, json_t *c, char *why, size_t whylen)
{
	const char *want = json_string_value(json_object_get(c, "decision"));
	const char *want_reason = json_string_value(json_object_get(c, "reason_code"));
	json_t *want_ids = json_object_get(c, "matched_rule_ids");
	const char *got;
	size_t i, n, len;

	got = nomos_eval_decision(ev) == NOMOS_ALLOW ? "ALLOW" :
	      nomos_eval_decision(ev) == NOMOS_REQUIRE_APPROVAL ? "REQUIRE_APPROVAL" : "DENY";
	if (!want || strcmp(want, got)) {
		snprintf(why, whylen, "decision %s, expected %s (%s%s%s)", got, want ? want : "?",
			 nomos_eval_reason(ev), *nomos_eval_error(ev) ? ": " : "",
			 nomos_eval_error(ev));
		return 0;
	}
	if (want_reason && strcmp(want_reason, nomos_eval_reason(ev))) {
		snprintf(why, whylen, "reason_code %s, expected %s", nomos_eval_reason(ev), want_reason);
		return 0;
	}
	if (json_is_array(want_ids)) {
		n = nomos_eval_matched_count(ev);
		if (n != json_array_size(want_ids))
			goto ids;
		for (i = 0; i < n; i++) {
			const char *id = nomos_eval_matched_id(ev, i, &len);
			const char *w = json_string_value(json_array_get(want_ids, i));

			if (!w || strlen(w) != len || memcmp(w, id, len))
				goto ids;
		}
	}
	return 1;
ids:
	{
		size_t off = 0;

		off += (size_t)snprintf(why, whylen, "matched_rule_ids [");
		n = nomos_eval_matched_count(ev);
		for (i = 0; i < n && off < whylen; i++) {
			const char *id = nomos_eval_matched_id(ev, i, &len);

			off += (size_t)snprintf(why + off, whylen - off, "%s%.*s", i ? "," : "",
						(int)len, id);
		}
		if (off < whylen) {
			char *w = json_dumps(want_ids, JSON_COMPACT);

			snprintf(why + off, whylen - off, "], expected %s", w ? w : "?");
			free(w);
		}
	}
	return 0;
}

int nomos_vm_cmd_test(int argc, char **argv)
{
	struct nomos_vm_opts vo = { 0 };
	enum nomos_vm_opt co;
	struct nomos_image *img;
	struct nomos_eval *ev;
	char err[512], why[1024];
	int i, verbose = 0, ntables = 0;
	unsigned long pass = 0, fail = 0;

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "nomos-vm test: unknown or incomplete option '%s'\n", argv[i]);
			return NOMOS_VM_EXIT_USAGE;
		} else {
			ntables++;
		}
	}
	if (!ntables) {
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	img = nomos_vm_open(&vo, err, sizeof err);
	if (!img)
		return NOMOS_VM_EXIT_ERROR;
	ev = nomos_eval_new(img, 0);
	if (!ev) {
		nomos_image_close(img);
		return NOMOS_VM_EXIT_ERROR;
	}
	for (i = 1; i < argc; i++) {
		FILE *f;
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		unsigned long lineno = 0;

		if (argv[i][0] == '-') {
			int j = i;

			if (nomos_vm_common_opt(argc, argv, &j, &vo, NULL) == NOMOS_VM_OPT_TAKEN)
				i = j;
			continue;
		}
		f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "nomos-vm test: cannot read %s: %s\n", argv[i], strerror(errno));
			fail++;
			continue;
		}
		while ((n = getline(&line, &cap, f)) >= 0) {
			json_error_t jerr;
			json_t *c, *action;
			char *text;
			const char *name;
			size_t len = nomos_vm_line_len(line, (size_t)n);

			lineno++;
			if (len == 0)
				continue; /* a blank line, CRLF or not */
			c = json_loadb(line, len, 0, &jerr);
			action = c ? json_object_get(c, "action") : NULL;
			if (!c || !json_is_object(action) || !json_is_string(json_object_get(c, "decision"))) {
				fprintf(stderr, "%s:%lu: error: a case needs \"action\" (object) and "
						"\"decision\" (string)%s%s\n",
					argv[i], lineno, c ? "" : ": ", c ? "" : jerr.text);
				fail++;
				json_decref(c);
				continue;
			}
			name = json_string_value(json_object_get(c, "name"));
			text = json_dumps(action, JSON_COMPACT);
			nomos_eval_json(ev, text ? text : "", text ? strlen(text) : 0);
			free(text);
			if (check_case(ev, c, why, sizeof why)) {
				pass++;
				if (verbose)
					printf("PASS %s:%lu %s\n", argv[i], lineno, name ? name : "");
			} else {
				fail++;
				printf("FAIL %s:%lu %s: %s\n", argv[i], lineno, name ? name : "", why);
			}
			json_decref(c);
		}
		if (ferror(f)) {
			/* a directory or EIO is not an empty table that passes */
			fprintf(stderr, "nomos-vm test: cannot read %s: %s\n", argv[i], strerror(errno));
			fail++;
		}
		free(line);
		fclose(f);
	}
	printf("%lu passed, %lu failed\n", pass, fail);
	nomos_eval_free(ev);
	nomos_image_close(img);
	return fail ? NOMOS_VM_EXIT_ERROR : NOMOS_VM_EXIT_OK;
}
