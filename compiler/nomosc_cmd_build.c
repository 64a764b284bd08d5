/* nomosc_cmd_build.c: `nomosc build`, the CI step: load and validate policy
 * layers (files or directories), compute the Nomos policy_bundle_hash, lower
 * everything into a verified bytecode image and write it atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/cc_emit.h"
#include "compiler/cc_inputs.h"
#include "compiler/cc_rsa.h"
#include "compiler/cc_sign.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"
#include "runtime/nomos.h"

const char nomosc_cmd_build_summary[] = "compile policy layers into a bytecode image (.nbc)";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nomosc build [-o OUT] [--revision N] [--expires TIME] [--report] [--compat]\n"
		"                    [--sign KEY] [--bundle-pubkey PEM --bundle-signature SIG...]\n"
		"                    [[--role ROLE] INPUT]...\n\n"
		"Compiles Nomos v1 bundles (.yaml, .yml, .json) and .nomos files into one\n"
		"image. Every file is a layer, in the order given (a directory contributes\n"
		"its files, recursively, in byte-sorted path order); rule ids must be unique\n"
		"across layers. The image records the Nomos policy_bundle_hash (merged for\n"
		"several layers), each source's path, role and hash, and a SHA-256 content\n"
		"hash.\n\n"
		"  -o OUT          output image (default bundle.nbc)\n"
		"  --role ROLE     role of the next INPUT: baseline, org, repo, env,\n"
		"                  local_override (labels only; they never change decisions)\n"
		"  --revision N    monotonic revision for rollback protection (default 0)\n"
		"  --expires TIME  expiry, RFC 3339 UTC (2027-01-31T00:00:00Z) or @UNIXSECONDS\n"
		"  --sign KEY      sign the image with the Ed25519 secret key file KEY\n"
		"                  (nomosc keygen; docs/signing.md)\n"
		"  --bundle-pubkey PEM, --bundle-signature SIG\n"
		"                  before compiling, verify each source file's raw bytes against\n"
		"                  a Nomos v1 RSA signature (PKCS#1 v1.5 SHA-256, base64): one\n"
		"                  --bundle-signature per source file, in load order\n"
		"  --report        print how the matchers were compiled into automata\n"
		"  --compat        accept what Nomos v1 accepts but nomos rejects by default\n"
		"                  ([-Wstrict] errors become warnings; docs/nomos-compat.md)\n\n"
		"exit status: 0 image written, 1 errors in the input, 2 usage error\n");
}

static int parse_role(const char *s, enum cc_role *out)
{
	static const char *const names[] = { "", "baseline", "org", "repo", "env", "local_override" };
	unsigned i;

	for (i = 1; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum cc_role)i;
			return 0;
		}
	return -1;
}

/* A decimal number, digits only: strtoull alone would accept leading blanks,
 * a sign ("-5" wraps to 2^64-5) and "+5". Returns 0, or -1. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!*s)
		return -1;
	for (i = 0; s[i]; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* n decimal digits at s, as an int; -1 unless all n are digits. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* An expiry: RFC 3339 in UTC, exactly YYYY-MM-DDTHH:MM:SSZ (T and Z in
 * either case), or @UNIXSECONDS. The date must exist (no 2027-02-30) and no
 * field may be signed or short: sscanf's %2d would take "-1" or " 1". 0 is
 * refused because the image format reads expires_at 0 as "never". Returns 0,
 * or -1. */
static int parse_time(const char *s, uint64_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, leap;
	long long days;

	if (s[0] == '@')
		return parse_u64(s + 1, out) || *out == 0 ? -1 : 0;
	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' || (s[19] != 'Z' && s[19] != 'z'))
		return -1;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	/* Days from civil (Howard Hinnant's algorithm), no time zone involved. */
	{
		int yy = y - (mo <= 2);
		int era = yy / 400;
		int yoe = yy - era * 400;
		int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = (long long)era * 146097 + doe - 719468;
	}
	*out = (uint64_t)(days * 86400 + h * 3600 + mi * 60 + sec);
	return *out == 0 ? -1 : 0;
}

/* 1, said, when the output path names the input file in (a source bundle, a
 * key, a signature): writing the image would destroy it. */
static int clobbers(const char *out, const char *in)
{
	if (!in || !nomosc_same_file(out, in))
		return 0;
	fprintf(stderr, "nomosc build: -o %s would overwrite %s, an input of this build; "
			"refusing\n", out, in);
	return 1;
}

int nomosc_cmd_build(int argc, char **argv)
{
	const char *out_path = "bundle.nbc";
	struct cc_emit_opts opts;
	struct cc_diag_sink sink;
	struct cc_arena a;
	struct cc_loaded l;
	const char **files = NULL, **one;
	enum cc_role *roles = NULL, role = CC_ROLE_NONE;
	size_t nfiles = 0, n1, k;
	struct rt_buf image, report;
	int i, report_flag = 0, status = NOMOSC_EXIT_ERROR, ninputs = 0, role_arg = 0, bad;
	char err[512];
	const char *sign_path = NULL, *bundle_pubkey = NULL, **bundle_sigs = NULL;
	size_t nsigs = 0;
	uint8_t (*verified)[CC_RSA_DIGEST_SIZE] = NULL; /* SHA-256 of each verified file */
	struct cc_key key;
	int have_key = 0;

	memset(&opts, 0, sizeof opts);
	cc_arena_init(&a);
	nomosc_stderr_sink(&sink, 50);
	rt_buf_init(&image);
	rt_buf_init(&report);
	files = cc_arena_array(&a, 1, sizeof *files);
	roles = cc_arena_array(&a, 1, sizeof *roles);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			status = NOMOSC_EXIT_OK;
			goto done;
		}
		if (!strcmp(arg, "--report")) {
			report_flag = 1;
			continue;
		}
		if (!strcmp(arg, "--compat")) {
			sink.downgrade |= 1u << CC_W_strict;
			continue;
		}
		if (!strcmp(arg, "--sign") || !strcmp(arg, "--bundle-pubkey") ||
		    !strcmp(arg, "--bundle-signature")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;

			if (!v) {
				fprintf(stderr, "nomosc build: %s needs a value\n", arg);
				status = NOMOSC_EXIT_USAGE;
				goto done;
			}
			if (!strcmp(arg, "--sign")) {
				sign_path = v;
			} else if (!strcmp(arg, "--bundle-pubkey")) {
				bundle_pubkey = v;
			} else {
				bundle_sigs = cc_arena_grow(&a, bundle_sigs, nsigs, nsigs + 1,
							    sizeof *bundle_sigs);
				if (!bundle_sigs)
					goto done;
				bundle_sigs[nsigs++] = v;
			}
			continue;
		}
		if (!strcmp(arg, "-o") || !strcmp(arg, "--role") || !strcmp(arg, "--revision") ||
		    !strcmp(arg, "--expires")) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;

			if (!v) {
				fprintf(stderr, "nomosc build: %s needs a value\n", arg);
				status = NOMOSC_EXIT_USAGE;
				goto done;
			}
			if (!strcmp(arg, "-o")) {
				out_path = v;
			} else if (!strcmp(arg, "--role")) {
				if (role != CC_ROLE_NONE) {
					fprintf(stderr, "nomosc build: two --role options for one INPUT "
							"(a role names the INPUT after it)\n");
					status = NOMOSC_EXIT_USAGE;
					goto done;
				}
				role_arg = i;
				if (parse_role(v, &role)) {
					fprintf(stderr, "nomosc build: unknown role '%s' (expected baseline, "
							"org, repo, env or local_override)\n", v);
					status = NOMOSC_EXIT_USAGE;
					goto done;
				}
			} else if (!strcmp(arg, "--revision")) {
				if (parse_u64(v, &opts.revision)) {
					fprintf(stderr, "nomosc build: --revision takes a decimal "
							"integer from 0 to 18446744073709551615, "
							"not '%s'\n", v);
					status = NOMOSC_EXIT_USAGE;
					goto done;
				}
			} else if (parse_time(v, &opts.expires_at)) {
				fprintf(stderr, "nomosc build: --expires takes a date and time in "
						"RFC 3339 UTC (2027-01-31T00:00:00Z) or @UNIXSECONDS "
						"(not 0: omit --expires for no expiry), not '%s'\n", v);
				status = NOMOSC_EXIT_USAGE;
				goto done;
			}
			continue;
		}
		if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "nomosc build: unknown option '%s'\n", arg);
			usage(stderr);
			status = NOMOSC_EXIT_USAGE;
			goto done;
		}
		ninputs++;
		if (cc_expand_inputs(&a, &sink, &arg, 1, &one, &n1))
			continue;
		files = cc_arena_grow(&a, files, nfiles, nfiles + n1, sizeof *files);
		roles = cc_arena_grow(&a, roles, nfiles, nfiles + n1, sizeof *roles);
		if (!files || !roles)
			goto done;
		for (k = 0; k < n1; k++) {
			files[nfiles] = one[k];
			roles[nfiles++] = role;
		}
		role = CC_ROLE_NONE;
		role_arg = 0;
	}
	if (!ninputs) {
		usage(stderr);
		status = NOMOSC_EXIT_USAGE;
		goto done;
	}
	if (role_arg) {
		fprintf(stderr, "nomosc build: --role %s is not followed by an INPUT (it names the "
				"role of the next one)\n", argv[role_arg]);
		status = NOMOSC_EXIT_USAGE;
		goto done;
	}
	if (sink.errors)
		goto done;
	/* -o must not name a file the build reads: the image would replace it */
	bad = clobbers(out_path, sign_path) || clobbers(out_path, bundle_pubkey);
	for (k = 0; k < nfiles && !bad; k++)
		bad = clobbers(out_path, files[k]);
	for (k = 0; k < nsigs && !bad; k++)
		bad = clobbers(out_path, bundle_sigs[k]);
	if (bad) {
		status = NOMOSC_EXIT_USAGE;
		goto done;
	}
	if (opts.expires_at && opts.expires_at <= (uint64_t)time(NULL)) {
		char when[32];

		rt_format_time(opts.expires_at, when);
		fprintf(stderr, "nomosc build: warning: --expires %s is already past: nomos-vm "
				"will refuse this image as expired\n", when);
	}
	/* Load the signing key first: no point compiling what cannot be signed. */
	if (sign_path) {
		if (cc_key_load(sign_path, &key, err, sizeof err)) {
			fprintf(stderr, "nomosc build: %s\n", err);
			goto done;
		}
		have_key = 1;
	}
	/* Nomos v1 bundle signatures (spec §4.5): raw bytes, before parsing. */
	if (bundle_pubkey || nsigs) {
		if (!bundle_pubkey || !nsigs) {
			fprintf(stderr, "nomosc build: %s\n", CC_RSA_E_PATHS);
			status = NOMOSC_EXIT_USAGE;
			goto done;
		}
		if (nsigs != nfiles) {
			fprintf(stderr, "nomosc build: %zu --bundle-signature for %zu source file%s "
					"(one per file, in load order)\n",
				nsigs, nfiles, nfiles == 1 ? "" : "s");
			status = NOMOSC_EXIT_USAGE;
			goto done;
		}
		verified = cc_arena_array(&a, nfiles, sizeof *verified);
		if (!verified)
			goto done;
		for (k = 0; k < nfiles; k++)
			if (cc_rsa_verify_files(files[k], bundle_sigs[k], bundle_pubkey, verified[k],
						err, sizeof err)) {
				fprintf(stderr, "nomosc: %s: %s\n", files[k], err);
				goto done;
			}
		fprintf(stderr, "nomosc: verified the RSA signature of %zu source file%s\n", nfiles,
			nfiles == 1 ? "" : "s");
	}
	if (cc_load_inputs(&a, &sink, files, nfiles, &l))
		goto done;
	/* The loader reads each file again: compile only the bytes whose
	 * signature was verified, or a file swapped in between (a FIFO, a
	 * writer racing the build) would be compiled unverified. */
	for (k = 0; verified && k < nfiles; k++)
		if (k >= l.n_bundles ||
		    cc_rsa_unchanged(verified[k], l.bundles[k]->src->text, l.bundles[k]->src->len)) {
			fprintf(stderr, "nomosc: %s: the file changed after its RSA signature was "
					"verified; refusing to compile it\n", files[k]);
			goto done;
		}
	for (k = 0; k < l.n_bundles; k++)
		l.bundles[k]->role = roles[k];
	if (l.nonportable)
		fprintf(stderr, "nomosc: note: this image uses nomos extensions; its bundles are not "
				"portable to Nomos v1\n");
	opts.report = report_flag ? &report : NULL;
	if (cc_emit_image(&a, &sink, (const struct cc_bundle *const *)l.bundles, l.n_bundles,
			  l.hash, &opts, &image)) {
		if (!sink.errors)
			fprintf(stderr, "nomosc: out of memory\n");
		goto done;
	}
	/* Never write an image the VM would refuse. */
	{
		struct nomos_image *img;

		if (nomos_image_open_mem(image.data, image.len, NULL, &img, err, sizeof err)) {
			fprintf(stderr, "nomosc: internal error: emitted image fails verification: %s\n",
				err);
			goto done;
		}
		nomos_image_close(img);
	}
	if (have_key && cc_sign_image((uint8_t *)image.data, image.len, &key, err, sizeof err)) {
		fprintf(stderr, "nomosc build: cannot sign: %s\n", err);
		goto done;
	}
	if (report_flag)
		fwrite(report.data ? report.data : "", 1, report.len, stdout);
	if (nomosc_write_atomic(out_path, image.data, image.len)) {
		fprintf(stderr, "nomosc: cannot write %s: %s\n", out_path, strerror(errno));
		goto done;
	}
	if (have_key) {
		char hex[2 * RT_KEY_ID_SIZE + 1];

		rt_hex(key.id, RT_KEY_ID_SIZE, hex);
		fprintf(stderr, "nomosc: signed %s with key %s\n", out_path, hex);
	}
	fprintf(stderr, "nomosc: wrote %s: %zu rules from %zu source%s, %zu bytes, "
			"policy_bundle_hash %s\n",
		out_path, l.n_rules, l.n_bundles, l.n_bundles == 1 ? "" : "s", image.len, l.hash);
	status = NOMOSC_EXIT_OK;
done:
	if (have_key)
		cc_key_wipe(&key);
	rt_buf_free(&image);
	rt_buf_free(&report);
	cc_arena_free(&a);
	return status;
}
