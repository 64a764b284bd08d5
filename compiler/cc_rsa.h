/* cc_rsa.h: compatibility with upstream Nomos bundle signatures (spec §4.5):
 * RSA PKCS#1 v1.5 with SHA-256 over a source file's raw bytes, a base64
 * signature file and a PKIX PEM public key, with upstream's error messages.
 * `nomosc build --bundle-signature` checks these before compiling. libcrypto
 * is used for RSA only; everything nomos signs itself is Ed25519 (cc_sign.h). */
#ifndef NOMOS_CC_RSA_H
#define NOMOS_CC_RSA_H

#include <stddef.h>
#include <stdint.h>

/* Upstream's messages, verbatim. */
#define CC_RSA_E_PATHS "signature and public key paths are required"
#define CC_RSA_E_PEM "invalid public key pem"
#define CC_RSA_E_KEY "invalid rsa public key"
#define CC_RSA_E_NOT_RSA "public key is not rsa"
#define CC_RSA_E_BASE64 "signature must be base64"
#define CC_RSA_E_VERIFY "policy bundle signature verification failed"

/* Verifies sig_b64 (base64 text, surrounding whitespace and embedded CR/LF
 * ignored, as Go's decoder does) over msg[0..len) with the RSA key of the
 * first PEM block of pem (a PKIX SubjectPublicKeyInfo). Returns 0 when the
 * signature verifies; otherwise -1 with one of the CC_RSA_E_* messages in err. */
int cc_rsa_verify(const void *msg, size_t len, const char *sig_b64, size_t sig_len,
		  const char *pem, size_t pem_len, char *err, size_t errlen);

#define CC_RSA_DIGEST_SIZE 32u

/* cc_rsa_verify on files: the bundle's raw bytes, its signature file and the
 * PEM public key. Unreadable files give "cannot read PATH: REASON". When
 * digest is not NULL it receives the SHA-256 of the bundle bytes that were
 * checked, so the caller can make sure it compiles those very bytes
 * (cc_rsa_unchanged): a path can be read twice with different results. */
int cc_rsa_verify_files(const char *bundle_path, const char *sig_path, const char *pem_path,
			uint8_t digest[CC_RSA_DIGEST_SIZE], char *err, size_t errlen);

/* 0 when bytes[0..len) has the SHA-256 digest (cc_rsa_verify_files), else -1. */
int cc_rsa_unchanged(const uint8_t digest[CC_RSA_DIGEST_SIZE], const void *bytes, size_t len);

#endif
