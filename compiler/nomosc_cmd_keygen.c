/* nomosc_cmd_keygen.c: `nomosc keygen NAME`, a new Ed25519 signing key pair:
 * NAME.key (secret, mode 0600, never overwritten, never printed) and NAME.pub
 * (the public key line, which a trust file accepts as is). Prints the key id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_sign.h"
#include "compiler/nomosc.h"

const char nomosc_cmd_keygen_summary[] = "create an Ed25519 signing key pair (NAME.key, NAME.pub)";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomosc keygen [--comment TEXT] NAME\n\n"
		   "Creates a new Ed25519 key pair with libsodium and writes NAME.key (the\n"
		   "secret key, mode 0600) and NAME.pub (the public key line). Existing files\n"
		   "are never overwritten. Prints the key id (16 hex digits: the first 8 bytes\n"
		   "of the SHA-256 of the public key) on standard output. The secret key is\n"
		   "never printed. Add NAME.pub to the fleet's trust file (docs/signing.md):\n"
		   "  cat NAME.pub >> trust.txt\n\n"
		   "  --comment TEXT  label stored after the public key (default: the\n"
		   "                  last path component of NAME)\n\n"
		   "exit status: 0 keys written, 1 error, 2 usage error\n");
}

int nomosc_cmd_keygen(int argc, char **argv)
{
	const char *name = NULL, *comment = NULL;
	char *sec = NULL, *pub = NULL, err[512], hex[2 * RT_KEY_ID_SIZE + 1];
	struct cc_key k;
	size_t n;
	int i, status = NOMOSC_EXIT_ERROR;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--comment")) {
			if (i + 1 == argc) {
				fprintf(stderr, "nomosc keygen: --comment needs a value\n");
				return NOMOSC_EXIT_USAGE;
			}
			comment = argv[++i];
		} else if (argv[i][0] == '-' || name) {
			fprintf(stderr, "nomosc keygen: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return NOMOSC_EXIT_USAGE;
		} else {
			name = argv[i];
		}
	}
	if (!name || !*name) {
		usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	if (!comment) {
		const char *slash = strrchr(name, '/');

		comment = slash ? slash + 1 : name;
	}
	n = strlen(name) + 5;
	sec = malloc(n);
	pub = malloc(n);
	if (!sec || !pub) {
		fprintf(stderr, "nomosc: out of memory\n");
		goto done;
	}
	snprintf(sec, n, "%s.key", name);
	snprintf(pub, n, "%s.pub", name);
	if (cc_keygen(&k)) {
		fprintf(stderr, "nomosc keygen: libsodium failed to initialize\n");
		goto done;
	}
	if (cc_key_write(&k, sec, pub, comment, err, sizeof err)) {
		fprintf(stderr, "nomosc keygen: %s\n", err);
		cc_key_wipe(&k);
		goto done;
	}
	rt_hex(k.id, RT_KEY_ID_SIZE, hex);
	cc_key_wipe(&k);
	printf("%s\n", hex);
	fprintf(stderr, "nomosc: wrote %s (secret, mode 0600) and %s, key id %s\n", sec, pub, hex);
	status = NOMOSC_EXIT_OK; /* main() reports a failed write of the key id */
done:
	free(sec);
	free(pub);
	return status;
}
