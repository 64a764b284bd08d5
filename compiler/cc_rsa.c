/* cc_rsa.c: upstream Nomos RSA bundle signatures (spec §4.5) with libcrypto:
 * first PEM block -> PKIX public key -> must be RSA -> PKCS#1 v1.5 SHA-256
 * verification of the raw bundle bytes. Error messages are upstream's. */
#include "compiler/cc_rsa.h"

#include <errno.h>
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* Go's base64.StdEncoding after strings.TrimSpace: padding required, CR and
 * LF anywhere are skipped. Returns the decoded length, or -1. */
static long decode_sig(const char *s, size_t n, unsigned char **out)
{
	unsigned char *buf;
	size_t got = 0;
	const char *end = NULL;

	while (n && strchr(" \t\r\n\v\f", s[0]))
		s++, n--;
	while (n && strchr(" \t\r\n\v\f", s[n - 1]))
		n--;
	if (n == 0 || !(buf = malloc(n)))
		return -1;
	if (sodium_base642bin(buf, n, s, n, "\r\n", &got, &end, sodium_base64_VARIANT_ORIGINAL) ||
	    end != s + n || got == 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return (long)got;
}

/* The first PEM block of pem as a public key; sets *why to an upstream message
 * on failure. */
static EVP_PKEY *load_key(const char *pem, size_t pem_len, const char **why)
{
	BIO *bio = BIO_new_mem_buf(pem, pem_len > INT32_MAX ? -1 : (int)pem_len);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	long len = 0;
	EVP_PKEY *key = NULL;

	*why = CC_RSA_E_PEM;
	if (!bio || pem_len > INT32_MAX)
		goto done;
	/* Like Go's pem.Decode: the block type is not checked here; a PKCS#1
	 * "RSA PUBLIC KEY" block then fails as a PKIX structure below. */
	if (!PEM_read_bio(bio, &name, &header, &data, &len))
		goto done;
	*why = CC_RSA_E_KEY;
	p = data;
	key = d2i_PUBKEY(NULL, &p, len);
	if (key && p != data + len) { /* Go rejects trailing data after the key */
		EVP_PKEY_free(key);
		key = NULL;
	}
	if (!key)
		goto done;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		*why = CC_RSA_E_NOT_RSA;
		EVP_PKEY_free(key);
		key = NULL;
		goto done;
	}
	*why = NULL;
done:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	return key;
}

int cc_rsa_verify(const void *msg, size_t len, const char *sig_b64, size_t sig_len,
		  const char *pem, size_t pem_len, char *err, size_t errlen)
{
	const char *why;
	EVP_PKEY *key;
	EVP_MD_CTX *ctx;
	unsigned char *sig = NULL;
	long slen;
	int ok;

	if (sodium_init() < 0)
		return fail(err, errlen, "libsodium failed to initialize");
	/* Upstream order: the key is parsed before the signature is decoded. */
	key = load_key(pem, pem_len, &why);
	if (!key)
		return fail(err, errlen, why);
	slen = decode_sig(sig_b64, sig_len, &sig);
	if (slen < 0) {
		EVP_PKEY_free(key);
		return fail(err, errlen, CC_RSA_E_BASE64);
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, sig, (size_t)slen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	free(sig);
	return ok ? 0 : fail(err, errlen, CC_RSA_E_VERIFY);
}

static int slurp(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(p = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "out of memory reading %s", path);
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

int cc_rsa_unchanged(const uint8_t digest[CC_RSA_DIGEST_SIZE], const void *bytes, size_t len)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	if (sodium_init() < 0)
		return -1;
	crypto_hash_sha256(h, bytes, len);
	return sodium_memcmp(h, digest, sizeof h) ? -1 : 0;
}

int cc_rsa_verify_files(const char *bundle_path, const char *sig_path, const char *pem_path,
			uint8_t digest[CC_RSA_DIGEST_SIZE], char *err, size_t errlen)
{
	char *msg = NULL, *sig = NULL, *pem = NULL;
	size_t ml = 0, sl = 0, pl = 0;
	int rc = -1;

	if (!bundle_path || !sig_path || !pem_path || !*sig_path || !*pem_path)
		return fail(err, errlen, CC_RSA_E_PATHS);
	if (!slurp(bundle_path, &msg, &ml, err, errlen) && !slurp(sig_path, &sig, &sl, err, errlen) &&
	    !slurp(pem_path, &pem, &pl, err, errlen))
		rc = cc_rsa_verify(msg, ml, sig ? sig : "", sl, pem ? pem : "", pl, err, errlen);
	if (rc == 0 && digest)
		crypto_hash_sha256(digest, (const unsigned char *)msg, ml);
	free(msg);
	free(sig);
	free(pem);
	return rc;
}
