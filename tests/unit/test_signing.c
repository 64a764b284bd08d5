/* test_signing.c: signed images and fleet trust. Key files and key ids, the
 * trust file parser, every verdict of nomos_image_check (unsigned, unknown,
 * revoked, bad signature, expired, rollback, no trust store), the rollback
 * state file, the exhaustive single-byte tamper test over the signed image of
 * the upstream safe policy, and the Nomos RSA bundle signature vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "compiler/cc_emit.h"
#include "compiler/cc_inputs.h"
#include "compiler/cc_rsa.h"
#include "compiler/cc_sign.h"
#include "runtime/nomos.h"
#include "runtime/rt_trust.h"
#include "tests/support/ts_compile.h"

#define SAFE "corpus/conformance/upstream/policies/safe.yaml"
#define SIGDIR "corpus/conformance/signature/"

/* Compiles path into image bytes with the given header fields. */
static void build(const char *path, uint64_t revision, uint64_t expires_at, struct rt_buf *out)
{
	struct cc_arena a;
	struct cc_diag_sink sink = { 0 };
	struct cc_loaded l;
	struct cc_emit_opts opts = { 0 };

	opts.revision = revision;
	opts.expires_at = expires_at;
	cc_arena_init(&a);
	rt_buf_init(out);
	assert_int_equal(cc_load_inputs(&a, &sink, &path, 1, &l), 0);
	assert_int_equal(cc_emit_image(&a, &sink, (const struct cc_bundle *const *)l.bundles,
				       l.n_bundles, l.hash, &opts, out),
			 0);
	cc_arena_free(&a);
}

/* A trust store text accepting k (and revoking revoke, when not NULL). */
static struct nomos_trust *trust_for(const struct cc_key *k, const struct cc_key *revoke)
{
	struct rt_buf b;
	struct nomos_trust *t = NULL;
	char err[256], hex[17];

	rt_buf_init(&b);
	rt_buf_puts(&b, "# test trust store\n\n");
	assert_int_equal(rt_key_format(&b, 0, k->id, k->sk + 32, "test key"), 0);
	if (revoke) {
		rt_hex(revoke->id, RT_KEY_ID_SIZE, hex);
		rt_buf_puts(&b, "revoke ");
		rt_buf_puts(&b, hex);
		rt_buf_puts(&b, " compromised\n");
	}
	if (nomos_trust_parse(b.data, b.len, "trust.txt", &t, err, sizeof err))
		fail_msg("trust parse: %s", err);
	rt_buf_free(&b);
	return t;
}

/* Opens bytes and applies the trust policy; INVALID when the structure fails. */
static enum nomos_verdict check(const void *bytes, size_t len, const struct nomos_check_opts *o,
				unsigned *flags, char *msg, size_t msglen)
{
	struct nomos_image *img;
	enum nomos_verdict v;

	if (nomos_image_open_mem(bytes, len, NULL, &img, msg, msglen))
		return NOMOS_VERDICT_INVALID;
	v = nomos_image_check(img, o, flags, msg, msglen);
	nomos_image_close(img);
	return v;
}

static void test_key_lines(void **state)
{
	struct cc_key k, k2;
	struct rt_buf b;
	uint8_t id[RT_KEY_ID_SIZE], key[RT_SECRET_KEY_SIZE], pk[RT_PUBLIC_KEY_SIZE];
	char err[256];

	(void)state;
	assert_int_equal(cc_keygen(&k), 0);
	assert_int_equal(cc_keygen(&k2), 0);
	assert_memory_not_equal(k.id, k2.id, RT_KEY_ID_SIZE);
	/* The key id is the first 8 bytes of SHA-256(public key). */
	{
		uint8_t h[32];

		crypto_hash_sha256(h, k.sk + 32, 32);
		assert_memory_equal(h, k.id, RT_KEY_ID_SIZE);
	}
	rt_buf_init(&b);
	assert_int_equal(rt_key_format(&b, 1, k.id, k.sk, NULL), 0);
	assert_true(!strncmp(b.data, RT_SECRET_KEY_TAG " ", strlen(RT_SECRET_KEY_TAG) + 1));
	assert_int_equal(rt_key_parse(b.data, b.len, 1, id, key, err, sizeof err), 0);
	assert_memory_equal(id, k.id, RT_KEY_ID_SIZE);
	assert_memory_equal(key, k.sk, RT_SECRET_KEY_SIZE);
	/* a secret key line is not a public one, and vice versa */
	assert_int_equal(rt_key_parse(b.data, b.len, 0, id, pk, err, sizeof err), -1);
	/* corrupt public half of the secret key: caught */
	{
		struct rt_buf c;
		uint8_t bad[RT_SECRET_KEY_SIZE];

		memcpy(bad, k.sk, sizeof bad);
		bad[40] ^= 1;
		rt_buf_init(&c);
		rt_key_format(&c, 1, k.id, bad, NULL);
		assert_int_equal(rt_key_parse(c.data, c.len, 1, id, key, err, sizeof err), -1);
		assert_non_null(strstr(err, "halves do not match"));
		rt_buf_free(&c);
	}
	rt_buf_reset(&b);
	assert_int_equal(rt_key_format(&b, 0, k.id, k.sk + 32, "ci 2026"), 0);
	assert_int_equal(rt_key_parse(b.data, b.len, 0, id, pk, err, sizeof err), 0);
	assert_memory_equal(pk, k.sk + 32, 32);
	/* a key id that is not the key's */
	rt_buf_reset(&b);
	rt_key_format(&b, 0, k2.id, k.sk + 32, NULL);
	assert_int_equal(rt_key_parse(b.data, b.len, 0, id, pk, err, sizeof err), -1);
	assert_non_null(strstr(err, "does not match its key"));
	/* two lines */
	rt_buf_reset(&b);
	rt_key_format(&b, 0, k.id, k.sk + 32, NULL);
	rt_key_format(&b, 0, k.id, k.sk + 32, NULL);
	assert_int_equal(rt_key_parse(b.data, b.len, 0, id, pk, err, sizeof err), -1);
	rt_buf_free(&b);
	cc_key_wipe(&k);
	cc_key_wipe(&k2);
}

static void test_key_files(void **state)
{
	char dir[] = "/tmp/nomos-test-signing-XXXXXX", sec[128], pub[128], err[512];
	struct cc_key k, l;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sec, sizeof sec, "%s/ci.key", dir);
	snprintf(pub, sizeof pub, "%s/ci.pub", dir);
	assert_int_equal(cc_keygen(&k), 0);
	assert_int_equal(cc_key_write(&k, sec, pub, "ci", err, sizeof err), 0);
	assert_int_equal(stat(sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwritten */
	assert_int_equal(cc_key_write(&k, sec, pub, "ci", err, sizeof err), -1);
	assert_non_null(strstr(err, "refusing to overwrite"));
	assert_int_equal(cc_key_load(sec, &l, err, sizeof err), 0);
	assert_memory_equal(&k, &l, sizeof k);
	/* a secret key others may read is refused */
	assert_int_equal(chmod(sec, 0644), 0);
	assert_int_equal(cc_key_load(sec, &l, err, sizeof err), -1);
	assert_non_null(strstr(err, "chmod 600"));
	/* the public key file is a valid trust file */
	{
		struct nomos_trust *t;

		assert_int_equal(nomos_trust_load(pub, &t, err, sizeof err), 0);
		nomos_trust_free(t);
	}
	unlink(sec);
	unlink(pub);
	rmdir(dir);
	cc_key_wipe(&k);
}

static void test_trust_file_errors(void **state)
{
	struct cc_key k;
	struct rt_buf good;
	char err[512], hex[17];
	struct nomos_trust *t;
	size_t i;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "# nothing\n", "trust.txt: no keys" },
		{ "frobnicate x\n", "trust.txt:1: unknown directive 'frobnicate'" },
		{ "key\n", "trust.txt:1: expected 'key KEYID" },
		{ "\n\nkey 0011223344556677 AAAA\n", "trust.txt:3: bad public key" },
		{ "key 00112233 AAAA\n", "trust.txt:1: bad key id '00112233'" },
		{ "revoke nothex!!nothex!!\n", "trust.txt:1: expected 'revoke KEYID" },
		{ "key 0011223344556677 LGEuWXpxMFqpiHZOoJr1pPXA7y9C97tDjT9OeiJd3NI=\n",
		  "trust.txt:1: key id 0011223344556677 does not match its key" },
	};

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(nomos_trust_parse(bad[i].text, strlen(bad[i].text), "trust.txt", &t,
						   err, sizeof err),
				 -1);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err, bad[i].want);
	}
	assert_int_equal(cc_keygen(&k), 0);
	rt_buf_init(&good);
	rt_buf_puts(&good, "  # comment\r\n");
	rt_key_format(&good, 0, k.id, k.sk + 32, NULL);
	rt_hex(k.id, RT_KEY_ID_SIZE, hex);
	rt_buf_puts(&good, "key ");
	rt_buf_puts(&good, hex);
	rt_buf_puts(&good, " AAAA\n");
	assert_int_equal(nomos_trust_parse(good.data, good.len, "t", &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "t:3:"));
	/* duplicate key */
	rt_buf_reset(&good);
	rt_key_format(&good, 0, k.id, k.sk + 32, NULL);
	rt_key_format(&good, 0, k.id, k.sk + 32, NULL);
	assert_int_equal(nomos_trust_parse(good.data, good.len, "t", &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "t:2: key"));
	assert_non_null(strstr(err, "listed twice"));
	/* NUL byte */
	{
		static const char nul[] = "# a\0b\n";

		assert_int_equal(nomos_trust_parse(nul, sizeof nul - 1, "t", &t, err, sizeof err), -1);
		assert_non_null(strstr(err, "t:1: NUL"));
	}
	rt_buf_free(&good);
	cc_key_wipe(&k);
}

static void test_verdicts(void **state)
{
	struct cc_key k, other;
	struct rt_buf img, img2;
	struct nomos_trust *trust, *trust_other, *trust_revoked;
	struct nomos_check_opts o = { 0 };
	unsigned flags;
	char msg[512], seen[16][512];
	enum nomos_verdict seen_v[16];
	size_t nseen = 0, i;
	uint8_t *copy;
	enum nomos_verdict v;

	(void)state;
	assert_int_equal(cc_keygen(&k), 0);
	assert_int_equal(cc_keygen(&other), 0);
	trust = trust_for(&k, NULL);
	trust_other = trust_for(&other, NULL);
	trust_revoked = trust_for(&k, &k);
	build(SAFE, 7, 2000000000, &img);
	o.now = 1900000000;

#define EXPECT(want, bytes, len)                                                      \
	do {                                                                          \
		v = check(bytes, len, &o, &flags, msg, sizeof msg);                   \
		if (v != (want))                                                      \
			fail_msg("line %d: got %s (%s), want %s", __LINE__,           \
				 nomos_verdict_name(v), msg, nomos_verdict_name(want)); \
		if (v != NOMOS_VERDICT_OK && nseen < 16) {                           \
			seen_v[nseen] = v;                                            \
			snprintf(seen[nseen++], sizeof seen[0], "%s", msg);           \
		}                                                                     \
	} while (0)

	/* unsigned */
	o.trust = trust;
	EXPECT(NOMOS_VERDICT_UNSIGNED, img.data, img.len);
	assert_non_null(strstr(msg, "not signed"));
	o.allow_unsigned = 1;
	EXPECT(NOMOS_VERDICT_OK, img.data, img.len);
	assert_int_equal(flags, 0);
	o.allow_unsigned = 0;

	/* signed: ok, with the key id reported */
	assert_int_equal(cc_sign_image((uint8_t *)img.data, img.len, &k, msg, sizeof msg), 0);
	EXPECT(NOMOS_VERDICT_OK, img.data, img.len);
	assert_int_equal(flags, NOMOS_CHECK_SIGNED | NOMOS_CHECK_VERIFIED);
	{
		struct nomos_image *ni;
		char id[17], hex[17];

		assert_int_equal(nomos_image_open_mem(img.data, img.len, NULL, &ni, msg, sizeof msg), 0);
		assert_int_equal(nomos_image_key_id(ni, id), 1);
		rt_hex(k.id, RT_KEY_ID_SIZE, hex);
		assert_string_equal(id, hex);
		assert_int_equal(nomos_image_revision(ni), 7);
		nomos_image_close(ni);
	}

	/* unknown key, revoked key (revocation wins over a listed key) */
	o.trust = trust_other;
	EXPECT(NOMOS_VERDICT_UNKNOWN_KEY, img.data, img.len);
	o.trust = trust_revoked;
	EXPECT(NOMOS_VERDICT_REVOKED_KEY, img.data, img.len);
	o.trust = trust;

	/* bad signature: a flipped signature byte, and a signature block moved
	 * onto another image signed by the same key */
	copy = malloc(img.len);
	assert_non_null(copy);
	memcpy(copy, img.data, img.len);
	copy[img.len - 1] ^= 0x20;
	EXPECT(NOMOS_VERDICT_BAD_SIGNATURE, copy, img.len);
	build(SAFE, 8, 2000000000, &img2);
	assert_int_equal(img2.len, img.len);
	memcpy(img2.data + img2.len - VM_SIG_SIZE, img.data + img.len - VM_SIG_SIZE, VM_SIG_SIZE);
	EXPECT(NOMOS_VERDICT_BAD_SIGNATURE, img2.data, img2.len);
	/* the same with a later expiry (a valid content hash, recomputed by the
	 * writer, does not help: the signature covers the header fields) */
	rt_buf_free(&img2);
	build(SAFE, 7, 2100000000, &img2);
	assert_int_equal(img2.len, img.len);
	memcpy(img2.data + img2.len - VM_SIG_SIZE, img.data + img.len - VM_SIG_SIZE, VM_SIG_SIZE);
	EXPECT(NOMOS_VERDICT_BAD_SIGNATURE, img2.data, img2.len);
	/* and the key id: relabelled as another trusted key, it does not verify */
	{
		struct nomos_trust *both;
		struct rt_buf t2;
		char e2[256];

		rt_buf_init(&t2);
		assert_int_equal(rt_key_format(&t2, 0, k.id, k.sk + 32, NULL), 0);
		assert_int_equal(rt_key_format(&t2, 0, other.id, other.sk + 32, NULL), 0);
		assert_int_equal(nomos_trust_parse(t2.data, t2.len, "both", &both, e2, sizeof e2), 0);
		memcpy(copy, img.data, img.len);
		memcpy(copy + img.len - VM_SIG_SIZE + RT_SIG_KEY_ID, other.id, RT_KEY_ID_SIZE);
		o.trust = both;
		EXPECT(NOMOS_VERDICT_BAD_SIGNATURE, copy, img.len);
		o.trust = trust;
		nomos_trust_free(both);
		rt_buf_free(&t2);
	}

	/* no trust store: refused, unless allow_unsigned (accepted unchecked) */
	o.trust = NULL;
	EXPECT(NOMOS_VERDICT_NO_TRUST, img.data, img.len);
	o.allow_unsigned = 1;
	EXPECT(NOMOS_VERDICT_OK, img.data, img.len);
	assert_int_equal(flags, NOMOS_CHECK_SIGNED | NOMOS_CHECK_UNCHECKED);
	o.allow_unsigned = 0;
	o.trust = trust;

	/* expiry: expires_at < now */
	o.now = 2000000000;
	EXPECT(NOMOS_VERDICT_OK, img.data, img.len);
	o.now = 2000000001;
	EXPECT(NOMOS_VERDICT_EXPIRED, img.data, img.len);
	assert_non_null(strstr(msg, "2033-05-18T03:33:20Z"));
	o.now = 1900000000;

	/* rollback: revision 7 against the highest accepted */
	o.min_revision = 7;
	EXPECT(NOMOS_VERDICT_OK, img.data, img.len);
	o.min_revision = 8;
	EXPECT(NOMOS_VERDICT_ROLLBACK, img.data, img.len);
	assert_non_null(strstr(msg, "revision 7 is older than revision 8"));
	o.min_revision = 0;

	/* Each kind of refusal says something different. */
	for (i = 1; i < nseen; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (seen_v[i] != seen_v[j] && !strcmp(seen[i], seen[j]))
				fail_msg("refusal messages %zu and %zu are the same: %s", j, i, seen[i]);
	}
	assert_true(nseen >= 7);
#undef EXPECT
	/* re-signing with another key replaces the signature (rotation) */
	assert_int_equal(cc_sign_image((uint8_t *)img.data, img.len, &other, msg, sizeof msg), 0);
	o.trust = trust_other;
	assert_int_equal(check(img.data, img.len, &o, &flags, msg, sizeof msg), NOMOS_VERDICT_OK);
	o.trust = trust;
	assert_int_equal(check(img.data, img.len, &o, &flags, msg, sizeof msg),
			 NOMOS_VERDICT_UNKNOWN_KEY);
	/* the signer refuses bytes that are not a valid image */
	copy[100] ^= 1;
	assert_int_equal(cc_sign_image(copy, img.len, &k, msg, sizeof msg), -1);
	free(copy);
	rt_buf_free(&img);
	rt_buf_free(&img2);
	nomos_trust_free(trust);
	nomos_trust_free(trust_other);
	nomos_trust_free(trust_revoked);
	cc_key_wipe(&k);
	cc_key_wipe(&other);
}

/* Tampering with a signed image: every byte position, changed by XOR 0x01
 * and XOR 0xff, and at every header and SIG byte (the fields that are read
 * value by value: format version, sizes, revision, expiry, content hash,
 * sig_version, key id, signature) all 255 other values, is refused by the
 * whole verification path (structure + content hash + trust policy). Body
 * bytes are covered by the content hash bit for bit, so two values per byte
 * show that the path checks them; the full 255-value sweep of every byte
 * (about 2.6 million variants, minutes of SHA-256) runs when
 * NOMOS_TAMPER_FULL=1 is set. */
static void test_tamper_exhaustive(void **state)
{
	struct cc_key k;
	struct rt_buf img;
	struct nomos_trust *trust;
	struct nomos_check_opts o = { 0 };
	unsigned flags;
	char msg[512];
	const char *full_env = getenv("NOMOS_TAMPER_FULL");
	int full = full_env && !strcmp(full_env, "1");
	uint8_t *copy;
	size_t i, refused = 0, want = 0, by_verdict[17] = { 0 };
	unsigned x;
	enum nomos_verdict v;

	(void)state;
	assert_int_equal(cc_keygen(&k), 0);
	trust = trust_for(&k, NULL);
	build(SAFE, 3, 0, &img);
	assert_int_equal(cc_sign_image((uint8_t *)img.data, img.len, &k, msg, sizeof msg), 0);
	o.trust = trust;
	o.now = 1700000000;
	assert_int_equal(check(img.data, img.len, &o, &flags, msg, sizeof msg), NOMOS_VERDICT_OK);
	copy = malloc(img.len);
	assert_non_null(copy);
	memcpy(copy, img.data, img.len);
	for (i = 0; i < img.len; i++) {
		int every = full || i < VM_HEADER_SIZE || i >= img.len - VM_SIG_SIZE;

		for (x = 1; x < 256; x++) {
			if (!every && x != 0x01 && x != 0xff)
				continue;
			want++;
			copy[i] = (uint8_t)(((const uint8_t *)img.data)[i] ^ x);
			v = check(copy, img.len, &o, &flags, msg, sizeof msg);
			if (v == NOMOS_VERDICT_OK)
				fail_msg("byte %zu ^ 0x%02x accepted", i, x);
			refused++;
			by_verdict[v <= 16 ? v : 1]++;
		}
		copy[i] = ((const uint8_t *)img.data)[i];
	}
	assert_int_equal(refused, want);
	assert_true(refused >= 2 * img.len + 253 * (VM_HEADER_SIZE + VM_SIG_SIZE));
	/* every other value of a signature byte fails the signature check, and
	 * every other value of a key id byte names a key nobody trusts */
	assert_true(by_verdict[NOMOS_VERDICT_BAD_SIGNATURE] >= 255 * RT_SIGNATURE_SIZE);
	assert_true(by_verdict[NOMOS_VERDICT_UNKNOWN_KEY] >= 255 * RT_KEY_ID_SIZE);
	printf("tamper: %zu variants of a %zu-byte image refused (%zu structural, %zu bad "
	       "signature, %zu unknown key)%s\n",
	       refused, img.len, by_verdict[NOMOS_VERDICT_INVALID],
	       by_verdict[NOMOS_VERDICT_BAD_SIGNATURE], by_verdict[NOMOS_VERDICT_UNKNOWN_KEY],
	       full ? ", full sweep" : "");
	free(copy);
	rt_buf_free(&img);
	nomos_trust_free(trust);
	cc_key_wipe(&k);
}

static void test_state_file(void **state)
{
	char dir[] = "/tmp/nomos-test-state-XXXXXX", path[128], err[512];
	uint64_t rev = 99;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state", dir);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), 0);
	assert_int_equal(rev, 0);
	assert_int_equal(nomos_state_record(path, 5, err, sizeof err), 0);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), 0);
	assert_int_equal(rev, 5);
	/* never lowered */
	assert_int_equal(nomos_state_record(path, 3, err, sizeof err), 0);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), 0);
	assert_int_equal(rev, 5);
	assert_int_equal(nomos_state_record(path, UINT64_MAX, err, sizeof err), 0);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), 0);
	assert_true(rev == UINT64_MAX);
	/* malformed: refused, not guessed */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("nomos-state-v1 12x\n", f);
	fclose(f);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), -1);
	assert_non_null(strstr(err, "malformed"));
	assert_int_equal(nomos_state_record(path, 20, err, sizeof err), -1);
	f = fopen(path, "w");
	fputs("nomos-state-v1 18446744073709551616\n", f); /* 2^64 */
	fclose(f);
	assert_int_equal(nomos_state_read(path, &rev, err, sizeof err), -1);
	unlink(path);
	snprintf(err, sizeof err, "%s.lock", path);
	unlink(err);
	rmdir(dir);
}

/* ---- Nomos RSA bundle signatures (spec §4.5) ---------------------------- */

static void rsa_expect(const char *bundle, const char *sig, const char *pem, const char *want)
{
	char err[256];
	int rc = cc_rsa_verify_files(bundle, sig, pem, NULL, err, sizeof err);

	if (!want) {
		if (rc)
			fail_msg("%s: %s", bundle, err);
		return;
	}
	assert_int_equal(rc, -1);
	assert_string_equal(err, want);
}

static void test_rsa_vectors(void **state)
{
	(void)state;
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bundle.sig", SIGDIR "test_pub.pem", NULL);
	rsa_expect(SIGDIR "bundle_tampered.json", SIGDIR "bundle.sig", SIGDIR "test_pub.pem",
		   CC_RSA_E_VERIFY);
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bad.sig", SIGDIR "test_pub.pem", CC_RSA_E_BASE64);
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bundle.sig", SIGDIR "test_pub_pkcs1.pem",
		   CC_RSA_E_KEY);
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bundle.sig", SIGDIR "bundle.json", CC_RSA_E_PEM);
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bundle.sig", "", CC_RSA_E_PATHS);
	/* the private key's PEM block is not a PKIX public key */
	rsa_expect(SIGDIR "bundle.json", SIGDIR "bundle.sig", SIGDIR "test_priv.pem", CC_RSA_E_KEY);
	/* the digest names the verified bytes, so nomosc build compiles exactly
	 * those: the tampered file (one more newline) is not them */
	{
		uint8_t digest[CC_RSA_DIGEST_SIZE];
		size_t blen, tlen;
		char err[256], *good = ts_slurp(SIGDIR "bundle.json", &blen);
		char *bad = ts_slurp(SIGDIR "bundle_tampered.json", &tlen);

		assert_non_null(good);
		assert_non_null(bad);
		memset(digest, 0, sizeof digest);
		assert_int_equal(cc_rsa_verify_files(SIGDIR "bundle.json", SIGDIR "bundle.sig",
						     SIGDIR "test_pub.pem", digest, err, sizeof err),
				 0);
		assert_int_equal(cc_rsa_unchanged(digest, good, blen), 0);
		assert_int_equal(cc_rsa_unchanged(digest, bad, tlen), -1);
		assert_int_equal(cc_rsa_unchanged(digest, good, blen - 1), -1);
		free(good);
		free(bad);
	}
}

static void test_rsa_in_memory(void **state)
{
	size_t blen, plen, klen;
	char *bundle = ts_slurp(SIGDIR "bundle.json", &blen);
	char *pub = ts_slurp(SIGDIR "test_pub.pem", &plen);
	char *priv = ts_slurp(SIGDIR "test_priv.pem", &klen);
	char err[256], b64[1024], wrapped[1100];
	unsigned char sig[512];
	size_t slen = sizeof sig, i, w = 0;
	EVP_PKEY *key;
	EVP_MD_CTX *ctx;
	BIO *bio;
	static const char msg[] = "a different message";

	(void)state;
	assert_non_null(bundle);
	assert_non_null(pub);
	assert_non_null(priv);
	/* sign with the throwaway private key, wrap the base64 like PEM bodies:
	 * embedded CR/LF and surrounding whitespace are accepted, as in Go */
	bio = BIO_new_mem_buf(priv, (int)klen);
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(key);
	ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &slen, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	sodium_bin2base64(b64, sizeof b64, sig, slen, sodium_base64_VARIANT_ORIGINAL);
	wrapped[w++] = ' ';
	for (i = 0; b64[i]; i++) {
		if (i && i % 64 == 0) {
			wrapped[w++] = '\r';
			wrapped[w++] = '\n';
		}
		wrapped[w++] = b64[i];
	}
	wrapped[w++] = '\n';
	assert_int_equal(cc_rsa_verify(msg, strlen(msg), wrapped, w, pub, plen, err, sizeof err), 0);
	/* same signature over the bundle: fails */
	assert_int_equal(cc_rsa_verify(bundle, blen, wrapped, w, pub, plen, err, sizeof err), -1);
	assert_string_equal(err, CC_RSA_E_VERIFY);
	/* a space inside the base64 is not skipped (Go skips only CR and LF) */
	wrapped[10] = ' ';
	assert_int_equal(cc_rsa_verify(msg, strlen(msg), wrapped, w, pub, plen, err, sizeof err), -1);
	assert_string_equal(err, CC_RSA_E_BASE64);
	/* unpadded base64 is refused */
	{
		size_t n = strlen(b64);

		while (n && b64[n - 1] == '=')
			b64[--n] = '\0';
		assert_int_equal(cc_rsa_verify(msg, strlen(msg), b64, n, pub, plen, err, sizeof err),
				 -1);
		assert_string_equal(err, CC_RSA_E_BASE64);
	}
	/* an EC public key: "public key is not rsa" */
	{
		EVP_PKEY *ec = EVP_EC_gen("P-256");
		BIO *out = BIO_new(BIO_s_mem());
		char *pem;
		long n;

		assert_non_null(ec);
		assert_int_equal(PEM_write_bio_PUBKEY(out, ec), 1);
		n = BIO_get_mem_data(out, &pem);
		assert_int_equal(cc_rsa_verify(msg, strlen(msg), b64, strlen(b64), pem, (size_t)n, err,
					       sizeof err),
				 -1);
		assert_string_equal(err, CC_RSA_E_NOT_RSA);
		BIO_free(out);
		EVP_PKEY_free(ec);
	}
	free(bundle);
	free(pub);
	free(priv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_lines),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_trust_file_errors),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_tamper_exhaustive),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_rsa_vectors),
		cmocka_unit_test(test_rsa_in_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
