/* cc_sign.h: the signing side of image trust (the VM side is runtime/rt_trust.h):
 * Ed25519 key pairs with key ids (libsodium), key files (the secret one
 * created 0600 and never overwritten), and signing an image's SIG section in
 * place. Used by `nomosc keygen`, `nomosc sign` and `nomosc build --sign`. */
#ifndef NOMOS_CC_SIGN_H
#define NOMOS_CC_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_trust.h"

/* A signing key in memory. Wipe with cc_key_wipe when done. */
struct cc_key {
	uint8_t id[RT_KEY_ID_SIZE];
	uint8_t sk[RT_SECRET_KEY_SIZE]; /* seed || public key (libsodium layout) */
};

/* Generates a fresh key pair. Returns 0, or -1 when libsodium cannot start. */
int cc_keygen(struct cc_key *k);

/* Writes the secret key line to secret_path (created with O_EXCL, mode 0600:
 * an existing file is never overwritten) and the public key line, with
 * comment, to public_path (also O_EXCL, mode 0644). On failure nothing is
 * left behind. Returns 0, or -1 with a message in err. */
int cc_key_write(const struct cc_key *k, const char *secret_path, const char *public_path,
		 const char *comment, char *err, size_t errlen);

/* Reads a secret key file. Refuses files that group or others may read or
 * write (like ssh), and files whose key id does not match the key. Returns 0,
 * or -1 with a message in err. */
int cc_key_load(const char *path, struct cc_key *k, char *err, size_t errlen);

/* Zeroes the secret key. */
void cc_key_wipe(struct cc_key *k);

/* Signs image[0..len) in place: checks that it is a structurally valid image
 * with a correct content hash, fills the SIG section (version 1, key id,
 * Ed25519 signature over the message of rt_sig_message) and checks the
 * signature verifies. Any previous signature is replaced. Returns 0, or -1
 * with a message in err (image unchanged). */
int cc_sign_image(uint8_t *image, size_t len, const struct cc_key *k, char *err, size_t errlen);

#endif
