/* nomosc_cmd_sign.c: `nomosc sign IMAGE --key KEY`, signs a built image in
 * place: only the 80-byte SIG section changes (it is outside the content
 * hash), and the file is replaced atomically. Re-signing replaces the old
 * signature (key rotation). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_sign.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_sign_summary[] = "sign an image with an Ed25519 key (in place)";

static void usage(FILE *f)
{
	fprintf(f, "usage: nomosc sign IMAGE --key KEY [-o OUT]\n\n"
		   "Signs IMAGE with the secret key file KEY (from `nomosc keygen`). The\n"
		   "signature covers the header (format version, revision, expiry), the\n"
		   "content hash and the key id; only the signature block is rewritten, and\n"
		   "the file is replaced atomically. An existing signature is replaced.\n\n"
		   "  --key KEY  secret key file (mode 0600; refused when group or others have any\n"
		   "             permission on it)\n"
		   "  -o OUT     write the signed image to OUT instead of replacing IMAGE\n\n"
		   "exit status: 0 signed, 1 error, 2 usage error\n");
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f)
		return -1;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(p = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

int nomosc_cmd_sign(int argc, char **argv)
{
	const char *image = NULL, *key = NULL, *out = NULL;
	struct cc_key k;
	uint8_t *bytes = NULL;
	size_t len = 0;
	char err[512], hex[2 * RT_KEY_ID_SIZE + 1];
	int i, status = NOMOSC_EXIT_ERROR;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--key") || !strcmp(argv[i], "-o")) {
			if (i + 1 == argc) {
				fprintf(stderr, "nomosc sign: %s needs a value\n", argv[i]);
				return NOMOSC_EXIT_USAGE;
			}
			if (argv[i][1] == 'o')
				out = argv[++i];
			else
				key = argv[++i];
		} else if (argv[i][0] == '-' || image) {
			fprintf(stderr, "nomosc sign: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return NOMOSC_EXIT_USAGE;
		} else {
			image = argv[i];
		}
	}
	if (!image || !key) {
		usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	if (!out)
		out = image;
	if (nomosc_same_file(out, key)) {
		fprintf(stderr, "nomosc sign: %s is the secret key; refusing to overwrite it with "
				"the image\n", out);
		return NOMOSC_EXIT_USAGE;
	}
	if (cc_key_load(key, &k, err, sizeof err)) {
		fprintf(stderr, "nomosc sign: %s\n", err);
		return NOMOSC_EXIT_ERROR;
	}
	if (read_file(image, &bytes, &len)) {
		fprintf(stderr, "nomosc sign: cannot read %s: %s\n", image, strerror(errno));
		goto done;
	}
	if (cc_sign_image(bytes, len, &k, err, sizeof err)) {
		fprintf(stderr, "nomosc sign: %s: %s\n", image, err);
		goto done;
	}
	if (nomosc_write_atomic(out, bytes, len)) {
		fprintf(stderr, "nomosc sign: cannot write %s: %s\n", out, strerror(errno));
		goto done;
	}
	rt_hex(k.id, RT_KEY_ID_SIZE, hex);
	fprintf(stderr, "nomosc: signed %s with key %s\n", out, hex);
	status = NOMOSC_EXIT_OK;
done:
	cc_key_wipe(&k);
	free(bytes);
	return status;
}
