/* nomos_vm_cmd_verify.c: `nomos-vm verify`, the fleet gate. Applies the same
 * trust policy as eval (structure, content hash, signature, revocation,
 * expiry, rollback; nomos_vm_open_check) and says why it refuses, with one
 * exit status per refusal (the NOMOS_VERDICTS numbers in nomos.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "runtime/nomos.h"
#include "runtime/nomos_vm.h"
#include "runtime/nomos_vm_util.h"
#include "runtime/rt_canon.h"
#include "runtime/rt_trust.h"

const char nomos_vm_cmd_verify_summary[] = "check an image's signature, trust, expiry and revision";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nomos-vm verify [-i IMAGE] [--trust FILE] [--state FILE]\n"
		"                       [--allow-unsigned] [--format text|json]\n\n"
		"Opens the image and applies the trust policy every nomos-vm command applies:\n"
		"structure and content hash, then the Ed25519 signature against the trust\n"
		"store (accepted and revoked key ids), expiry, and the revision against the\n"
		"highest one accepted so far (--state; raised when a signed image is\n"
		"accepted). Prints one verdict line, or with --format json one object:\n"
		"image, signed, key_id, revision, expires_at, verdict, reason.\n\n%s"
		"  --format FMT      text (default) or json\n\n"
		"exit status: 0 accepted; 1 invalid image, trust file or state file;\n"
		"10 unsigned; 11 unknown key; 12 revoked key; 13 bad signature; 14 expired;\n"
		"15 rollback; 16 signed but no trust store; 2 usage. docs/signing.md.\n",
		nomos_vm_common_usage);
}

static void print_json(const struct nomos_vm_trust_info *in, enum nomos_verdict v,
		       const char *reason)
{
	struct rt_buf b;
	char num[32];

	rt_buf_init(&b);
	rt_buf_puts(&b, "{\"image\":");
	rt_canon_string(&b, in->path, strlen(in->path));
	rt_buf_puts(&b, ",\"signed\":");
	rt_buf_puts(&b, in->is_signed ? "true" : "false");
	rt_buf_puts(&b, ",\"key_id\":");
	if (in->is_signed)
		rt_canon_string(&b, in->key_id, strlen(in->key_id));
	else
		rt_buf_puts(&b, "null");
	if (in->have_image) {
		snprintf(num, sizeof num, "%" PRIu64, in->revision);
		rt_buf_puts(&b, ",\"revision\":");
		rt_buf_puts(&b, num);
		snprintf(num, sizeof num, "%" PRIu64, in->expires_at);
		rt_buf_puts(&b, ",\"expires_at\":");
		rt_buf_puts(&b, num);
	} else {
		rt_buf_puts(&b, ",\"revision\":null,\"expires_at\":null");
	}
	rt_buf_puts(&b, ",\"verdict\":");
	rt_buf_puts(&b, "\"");
	rt_buf_puts(&b, nomos_verdict_name(v));
	rt_buf_puts(&b, "\",\"reason\":");
	rt_canon_string(&b, reason, strlen(reason));
	rt_buf_puts(&b, "}\n");
	if (b.failed)
		fputs("{\"verdict\":\"invalid\",\"reason\":\"out of memory\"}\n", stdout);
	else
		fwrite(b.data, 1, b.len, stdout);
	rt_buf_free(&b);
}

int nomos_vm_cmd_verify(int argc, char **argv)
{
	struct nomos_vm_opts vo = { 0 };
	struct nomos_vm_trust_info info;
	struct nomos_image *img = NULL;
	enum nomos_verdict v;
	char err[512], when[32];
	int i, json = 0;
	enum nomos_vm_opt co;

	for (i = 1; i < argc; i++) {
		if ((co = nomos_vm_common_opt(argc, argv, &i, &vo, usage)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if ((co = nomos_vm_format_opt("verify", argc, argv, &i, &json)) == NOMOS_VM_OPT_TAKEN)
			continue;
		if (co != NOMOS_VM_OPT_NONE)
			return nomos_vm_opt_exit(co);
		if (argv[i][0] != '-' && !vo.image) {
			vo.image = argv[i]; /* `nomos-vm verify IMAGE` reads naturally too */
		} else {
			fprintf(stderr, "nomos-vm verify: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return NOMOS_VM_EXIT_USAGE;
		}
	}
	v = nomos_vm_open_check(&vo, &img, &info, err, sizeof err);
	nomos_image_close(img);
	if (json) {
		print_json(&info, v, v == NOMOS_VERDICT_OK ? "" : err);
	} else if (v == NOMOS_VERDICT_OK) {
		if (info.expires_at)
			rt_format_time(info.expires_at, when);
		printf("%s: ok: %s, revision %" PRIu64 ", %s%s\n", info.path,
		       info.flags & NOMOS_CHECK_VERIFIED  ? "signature verified" :
		       info.flags & NOMOS_CHECK_UNCHECKED ? "signature NOT checked" :
							    "unsigned (allowed)",
		       info.revision, info.expires_at ? "expires " : "never expires",
		       info.expires_at ? when : "");
		if (info.is_signed)
			printf("%s: key %s\n", info.path, info.key_id);
	} else {
		printf("%s: refused (%s): %s\n", info.path, nomos_verdict_name(v), err);
	}
	return (int)v; /* main() turns a write error into 1 */
}
