/* nomos_vm_cmd_inspect.c: `nomos-vm inspect`, a summary of an image: header,
 * provenance (sources, roles, hashes), sections, action-type groups and their
 * automata, rule counts by decision. --format json for machines. */
#include <stdio.h>
#include <string.h>

#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"
#include "runtime/rt_internal.h"
#include "vm/vm_dfa.h"

const char nomos_vm_cmd_inspect_summary[] = "summarize an image (header, sources, sections, automata)";

static const char *const section_names[] = {
#define SEC_NAME(name, num, rec, desc) [num] = #name,
	VM_SECTIONS(SEC_NAME)
#undef SEC_NAME
};

static const char *const role_names[] = { "", "baseline", "org", "repo", "env", "local_override" };

static void usage(FILE *f)
{
	fprintf(f, "usage: nomos-vm inspect [-i IMAGE] [--format text|json]\n\n"
		   "Verifies the image and summarizes it: format version, revision, expiry,\n"
		   "signature, policy_bundle_hash, each source bundle (path, role, hash, rules),\n"
		   "the sections, the action-type groups with their automata, and the rules\n"
		   "by decision.\n\n%s\n"
		   "exit status: 0 success; 1 the image was refused; 2 usage.\n",
		nomos_vm_common_usage);
}

static void put_str(FILE *f, const struct vm_image *img, const uint8_t *ref, int json)
{
	uint32_t len;
	const uint8_t *s = vm_str(img, ref, &len);

	if (json) {
		struct rt_buf b;

		rt_buf_init(&b);
		rt_canon_string(&b, (const char *)s, len);
		fwrite(b.data, 1, b.len, f);
		rt_buf_free(&b);
	} else {
		fwrite(s, 1, len, f);
	}
}

int nomos_vm_cmd_inspect(int argc, char **argv)
{
	struct nomos_vm_opts vo = { 0 };
	struct nomos_image *ni;
	const struct vm_image *img;
	char err[512];
	int i, json = 0;
	enum nomos_vm_opt co;
	uint32_t k, by_dec[VM_DEC__COUNT] = { 0 };

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if ((co = nomos_vm_format_opt("inspect", argc, argv, &i, &json)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		fprintf(stderr, "nomos-vm inspect: unexpected argument '%s'\n", argv[i]);
		usage(stderr);
		return NOMOS_VM_EXIT_USAGE;
	}
	ni = nomos_vm_open(&vo, err, sizeof err);
	if (!ni)
		return NOMOS_VM_EXIT_ERROR;
	img = &ni->vm;
	for (k = 0; k < img->n_rules; k++)
		by_dec[vm_rule(img, k)[VM_RULE_DECISION]]++;
	if (json) {
		printf("{\"bytes\":%zu,\"expires_at\":%llu,\"format_version\":%u,\"groups\":[", img->size,
		       (unsigned long long)img->expires_at, VM_FORMAT_VERSION);
		for (k = 0; k < img->n_atypes; k++) {
			const uint8_t *g = img->sec[VM_SEC_ATYPES] + (size_t)k * 24;

			printf("%s{\"action_type\":", k ? "," : "");
			put_str(stdout, img, g + VM_AT_TYPE, 1);
			printf(",\"automata\":%u,\"rules\":%u,\"shares_star_group\":%s}",
			       vm_rd32(g + VM_AT_AUTO_N), vm_rd32(g + VM_AT_RULES),
			       (vm_rd32(g + VM_AT_FLAGS) & VM_AT_F_STAR) ? "true" : "false");
		}
		printf("],\"nonportable\":%s,\"policy_bundle_hash\":\"%s\",\"revision\":%llu,"
		       "\"rules\":{\"ALLOW\":%u,\"DENY\":%u,\"REQUIRE_APPROVAL\":%u,\"total\":%u},"
		       "\"signed\":%s,\"sources\":[",
		       (img->flags & VM_IMG_F_NONPORTABLE) ? "true" : "false", ni->bundle_hash,
		       (unsigned long long)img->revision, by_dec[VM_DEC_ALLOW], by_dec[VM_DEC_DENY],
		       by_dec[VM_DEC_REQUIRE_APPROVAL], img->n_rules,
		       vm_rd32(img->sec[VM_SEC_SIG]) ? "true" : "false");
		for (k = 0; k < img->n_sources; k++) {
			const uint8_t *s = img->sec[VM_SEC_SOURCES] + (size_t)k * 24;

			printf("%s{\"hash\":", k ? "," : "");
			put_str(stdout, img, s + VM_SRC_HASH, 1);
			printf(",\"path\":");
			put_str(stdout, img, s + VM_SRC_PATH, 1);
			printf(",\"role\":\"%s\",\"rules\":%u}", role_names[vm_rd32(s + VM_SRC_ROLE)],
			       vm_rd32(s + VM_SRC_RULES));
		}
		printf("]}\n");
	} else {
		printf("image              %s (%zu bytes, format %u)\n", nomos_vm_image_path(vo.image),
		       img->size, VM_FORMAT_VERSION);
		printf("policy_bundle_hash %s\n", ni->bundle_hash);
		printf("revision           %llu\n", (unsigned long long)img->revision);
		printf("expires_at         %llu%s\n", (unsigned long long)img->expires_at,
		       img->expires_at ? "" : " (never)");
		printf("signed             %s\n", vm_rd32(img->sec[VM_SEC_SIG]) ? "yes" : "no");
		printf("portable to Nomos  %s\n", (img->flags & VM_IMG_F_NONPORTABLE) ? "no (extensions)" : "yes");
		printf("rules              %u (ALLOW %u, DENY %u, REQUIRE_APPROVAL %u)\n", img->n_rules,
		       by_dec[VM_DEC_ALLOW], by_dec[VM_DEC_DENY], by_dec[VM_DEC_REQUIRE_APPROVAL]);
		printf("sources:\n");
		for (k = 0; k < img->n_sources; k++) {
			const uint8_t *s = img->sec[VM_SEC_SOURCES] + (size_t)k * 24;

			printf("  %u. ", k + 1);
			put_str(stdout, img, s + VM_SRC_PATH, 0);
			printf("  role=%s rules=%u hash=", *role_names[vm_rd32(s + VM_SRC_ROLE)] ?
							   role_names[vm_rd32(s + VM_SRC_ROLE)] : "-",
			       vm_rd32(s + VM_SRC_RULES));
			put_str(stdout, img, s + VM_SRC_HASH, 0);
			putchar('\n');
		}
		printf("action-type groups:\n");
		for (k = 0; k < img->n_atypes; k++) {
			const uint8_t *g = img->sec[VM_SEC_ATYPES] + (size_t)k * 24;
			uint32_t a, first = vm_rd32(g + VM_AT_AUTO), n = vm_rd32(g + VM_AT_AUTO_N);

			printf("  ");
			put_str(stdout, img, g + VM_AT_TYPE, 0);
			printf(": %u rules, %u automat%s:", vm_rd32(g + VM_AT_RULES), n, n == 1 ? "on" : "a");
			for (a = first; a < first + n; a++) {
				const uint8_t *at = img->sec[VM_SEC_AUTOTAB] + (size_t)a * 8;
				const uint8_t *blob = img->sec[VM_SEC_BLOBS] + vm_rd32(at);

				printf(" %s(%u %s, %u bytes)",
				       vm_dfa_rd16(blob + 6) == VM_DFA_KIND_DFA ? "DFA" : "NFA",
				       vm_dfa_rd32(blob + 12),
				       vm_dfa_rd16(blob + 6) == VM_DFA_KIND_DFA ? "states" : "positions",
				       vm_rd32(at + 4));
			}
			if (vm_rd32(g + VM_AT_FLAGS) & VM_AT_F_STAR)
				printf(", then the \"*\" group's");
			putchar('\n');
		}
		printf("sections:\n");
		for (k = 1; k <= VM_SEC__MAX; k++)
			printf("  %-8s offset %8zu size %8llu\n", section_names[k],
			       (size_t)(img->sec[k] - img->base), (unsigned long long)img->sec_size[k]);
	}
	nomos_image_close(ni);
	return NOMOS_VM_EXIT_OK;
}
