/* cc_sign.c: key generation, key files and image signing for nomosc (see
 * cc_sign.h). The signed message and key-line formats come from
 * runtime/rt_trust.c so signer and verifier cannot drift apart. */
#include "compiler/cc_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/nomos.h"

int cc_keygen(struct cc_key *k)
{
	uint8_t pk[RT_PUBLIC_KEY_SIZE];

	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(pk, k->sk);
	rt_key_id(pk, k->id);
	return 0;
}

void cc_key_wipe(struct cc_key *k)
{
	sodium_memzero(k, sizeof *k);
}

/* Creates path exclusively with mode and writes data; removes it on failure. */
static int write_new(const char *path, mode_t mode, const char *data, size_t len, char *err,
		     size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t off = 0;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (refusing to overwrite a key file)" : "");
		return -1;
	}
	/* The umask may have removed bits but never adds any; make the mode exact. */
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

int cc_key_write(const struct cc_key *k, const char *secret_path, const char *public_path,
		 const char *comment, char *err, size_t errlen)
{
	struct rt_buf s, p;
	int rc = -1;

	rt_buf_init(&s);
	rt_buf_init(&p);
	if (comment && strchr(comment, '\n')) {
		snprintf(err, errlen, "a key comment must be one line");
		goto done;
	}
	if (rt_key_format(&s, 1, k->id, k->sk, NULL) ||
	    rt_key_format(&p, 0, k->id, k->sk + 32, comment)) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (write_new(secret_path, 0600, s.data, s.len, err, errlen))
		goto done;
	if (write_new(public_path, 0644, p.data, p.len, err, errlen)) {
		unlink(secret_path);
		goto done;
	}
	rc = 0;
done:
	if (s.data)
		sodium_memzero(s.data, s.cap);
	rt_buf_free(&s);
	rt_buf_free(&p);
	return rc;
}

int cc_key_load(const char *path, struct cc_key *k, char *err, size_t errlen)
{
	char buf[512], msg[256];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read secret key %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "secret key %s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "secret key %s is accessible by group or others (mode %04o); "
				      "run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	while (len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read secret key %s: %s", path, strerror(errno));
			close(fd);
			sodium_memzero(buf, sizeof buf);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == sizeof buf) {
		snprintf(err, errlen, "%s: not a secret key file (too large)", path);
		sodium_memzero(buf, sizeof buf);
		return -1;
	}
	rc = rt_key_parse(buf, len, 1, k->id, k->sk, msg, sizeof msg);
	sodium_memzero(buf, sizeof buf);
	if (rc) {
		cc_key_wipe(k);
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	return 0;
}

int cc_sign_image(uint8_t *image, size_t len, const struct cc_key *k, char *err, size_t errlen)
{
	struct nomos_image *img;
	uint8_t m[RT_SIG_MSG_SIZE], sig[RT_SIGNATURE_SIZE], *block;
	size_t sig_off;
	char e[256];

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -1;
	}
	/* Sign only what the VM would accept structurally: a valid image whose
	 * content hash matches its bytes (the signature covers that hash). */
	if (nomos_image_open_mem(image, len, NULL, &img, e, sizeof e)) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	nomos_image_close(img);
	sig_off = len - VM_SIG_SIZE;
	rt_sig_message(image, k->id, m);
	if (crypto_sign_detached(sig, NULL, m, sizeof m, k->sk) != 0 ||
	    crypto_sign_verify_detached(sig, m, sizeof m, k->sk + 32) != 0) {
		snprintf(err, errlen, "signing failed");
		return -1;
	}
	block = image + sig_off;
	memset(block, 0, VM_SIG_SIZE);
	block[RT_SIG_VERSION] = 1; /* u32 little-endian 1 */
	memcpy(block + RT_SIG_KEY_ID, k->id, RT_KEY_ID_SIZE);
	memcpy(block + RT_SIG_BYTES, sig, RT_SIGNATURE_SIZE);
	return 0;
}
