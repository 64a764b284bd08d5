/* rt_trust.h: the pieces of image signing shared by the VM (which verifies)
 * and the compiler (which signs, compiler/cc_sign.c): key ids, the key-file
 * text format and the signed message of an image. The trust policy itself is
 * public API in nomos.h (nomos_trust_*, nomos_image_check, nomos_state_*).
 * docs/signing.md describes the formats and the key life cycle. */
#ifndef NOMOS_RT_TRUST_H
#define NOMOS_RT_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_canon.h"
#include "vm/vm_image.h"

#define RT_KEY_ID_SIZE 8u
#define RT_PUBLIC_KEY_SIZE 32u /* crypto_sign_PUBLICKEYBYTES */
#define RT_SECRET_KEY_SIZE 64u /* crypto_sign_SECRETKEYBYTES: seed || public key */
#define RT_SIGNATURE_SIZE 64u
/* The signed message: VM_SIG_DOMAIN (without its NUL) || header[0,64) ||
 * content_hash (header[64,96)) || key id. */
#define RT_SIG_MSG_SIZE (sizeof VM_SIG_DOMAIN - 1u + VM_HASH_OFFSET + 32u + RT_KEY_ID_SIZE)
#define RT_PUBLIC_KEY_TAG "nomos-ed25519-public-v1"
#define RT_SECRET_KEY_TAG "nomos-ed25519-secret-v1"
/* Offsets inside the SIG section (vm_image.h). */
#define RT_SIG_VERSION 0u
#define RT_SIG_KEY_ID 8u
#define RT_SIG_BYTES 16u

/* The key id of a public key: the first 8 bytes of its SHA-256. */
void rt_key_id(const uint8_t pk[RT_PUBLIC_KEY_SIZE], uint8_t id[RT_KEY_ID_SIZE]);

/* Lower-case hex of p[0..n) into out (2n+1 bytes, NUL-terminated). */
void rt_hex(const uint8_t *p, size_t n, char *out);

/* Parses exactly 16 hex digits (either case) into id; 0 or -1. */
int rt_key_id_parse(const char *s, size_t n, uint8_t id[RT_KEY_ID_SIZE]);

/* Builds the signed message of an image whose first VM_HEADER_SIZE bytes are
 * header (the content hash must already be in place), for key id. */
void rt_sig_message(const uint8_t *header, const uint8_t id[RT_KEY_ID_SIZE],
		    uint8_t msg[RT_SIG_MSG_SIZE]);

/* Recomputes the content hash of a structurally valid image (vm_image.h:
 * bytes [0,64) and [128, SIG offset)) into out. sig_off is the SIG offset. */
void rt_content_hash(const uint8_t *image, size_t sig_off, uint8_t out[32]);

/* Parses one key line "TAG KEYID BASE64 [comment]" (TAG RT_SECRET_KEY_TAG when
 * secret, else RT_PUBLIC_KEY_TAG), checks that the key id is the key's (for a
 * secret key, that the seed gives the stored public half) and stores the id
 * and the key (64 or 32 bytes). Trailing newline allowed. Returns 0, or -1
 * with a message in err (never quoting secret material). */
int rt_key_parse(const char *text, size_t len, int secret, uint8_t id[RT_KEY_ID_SIZE],
		 uint8_t *key, char *err, size_t errlen);

/* Appends the key line "TAG KEYID BASE64[ comment]\n" to out; comment may be
 * NULL and must not contain a newline. Returns 0 or -1 (memory). */
int rt_key_format(struct rt_buf *out, int secret, const uint8_t id[RT_KEY_ID_SIZE],
		  const uint8_t *key, const char *comment);

/* Formats Unix seconds as RFC 3339 UTC ("2027-01-31T00:00:00Z") into out. */
void rt_format_time(uint64_t t, char out[32]);

#endif
