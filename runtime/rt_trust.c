/* rt_trust.c: the trust policy of libnomos. Key ids and key lines, trust
 * files (accepted and revoked keys), the Ed25519 check of an image's SIG
 * section (libsodium), expiry, and the rollback state file. Runs after the
 * structural verifier (rt_image.c) and before any evaluation (nomos_vm_open). */
#include "runtime/rt_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/nomos.h"
#include "runtime/rt_internal.h"

#define STATE_TAG "nomos-state-v1"
#define TRUST_MAX_BYTES (1u << 20)

struct trust_key {
	uint8_t id[RT_KEY_ID_SIZE];
	uint8_t pk[RT_PUBLIC_KEY_SIZE];
};

struct nomos_trust {
	struct trust_key *keys;
	size_t n_keys;
	uint8_t (*revoked)[RT_KEY_ID_SIZE];
	size_t n_revoked;
};

const char *nomos_verdict_name(enum nomos_verdict v)
{
	switch (v) {
#define NOMOS_VERDICT_CASE(name, num, text) \
	case NOMOS_VERDICT_##name:           \
		return text;
		NOMOS_VERDICTS(NOMOS_VERDICT_CASE)
#undef NOMOS_VERDICT_CASE
	}
	return "invalid";
}

void rt_key_id(const uint8_t pk[RT_PUBLIC_KEY_SIZE], uint8_t id[RT_KEY_ID_SIZE])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, RT_PUBLIC_KEY_SIZE);
	memcpy(id, h, RT_KEY_ID_SIZE);
}

void rt_hex(const uint8_t *p, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, p, n);
}

int rt_key_id_parse(const char *s, size_t n, uint8_t id[RT_KEY_ID_SIZE])
{
	size_t i;

	if (n != 2 * RT_KEY_ID_SIZE)
		return -1;
	for (i = 0; i < RT_KEY_ID_SIZE; i++) {
		int hi = rt_hex_digit((unsigned char)s[2 * i]);
		int lo = rt_hex_digit((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void rt_sig_message(const uint8_t *header, const uint8_t id[RT_KEY_ID_SIZE],
		    uint8_t msg[RT_SIG_MSG_SIZE])
{
	size_t dl = sizeof VM_SIG_DOMAIN - 1u;

	memcpy(msg, VM_SIG_DOMAIN, dl);
	memcpy(msg + dl, header, VM_HASH_OFFSET);
	memcpy(msg + dl + VM_HASH_OFFSET, header + VM_HASH_OFFSET, 32);
	memcpy(msg + dl + VM_HASH_OFFSET + 32, id, RT_KEY_ID_SIZE);
}

void rt_content_hash(const uint8_t *image, size_t sig_off, uint8_t out[32])
{
	const uint8_t *parts[2] = { image, image + VM_HEADER_SIZE };
	size_t lens[2] = { VM_HASH_OFFSET, sig_off - VM_HEADER_SIZE };

	rt_sha256_parts(parts, lens, 2, out);
}

void rt_format_time(uint64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%" PRIu64, t);
}

/* ---- tokens ------------------------------------------------------------ */

struct tok {
	const char *p;
	size_t n;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits line[0..len) into up to max tokens; the last one takes the rest of
 * the line (a comment). Returns the number of tokens. */
static size_t split(const char *line, size_t len, struct tok *t, size_t max)
{
	size_t i = 0, n = 0;

	while (n < max) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		t[n].p = line + i;
		if (n + 1 == max) {
			size_t e = len;

			while (e > i && is_space(line[e - 1]))
				e--;
			t[n++].n = e - i;
			break;
		}
		while (i < len && !is_space(line[i]))
			i++;
		t[n].n = (size_t)(line + i - t[n].p);
		n++;
	}
	return n;
}

static int tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

static int b64_decode(const struct tok *t, uint8_t *out, size_t want)
{
	size_t got = 0;
	const char *end = NULL;

	if (sodium_base642bin(out, want, t->p, t->n, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want || end != t->p + t->n)
		return -1;
	return 0;
}

static int parse_key_fields(const struct tok *idt, const struct tok *kt, int secret,
			    uint8_t id[RT_KEY_ID_SIZE], uint8_t *key, char *err, size_t errlen)
{
	uint8_t want[RT_KEY_ID_SIZE], pk[RT_PUBLIC_KEY_SIZE], sk[RT_SECRET_KEY_SIZE];
	char hex[2 * RT_KEY_ID_SIZE + 1];
	size_t klen = secret ? RT_SECRET_KEY_SIZE : RT_PUBLIC_KEY_SIZE;

	if (rt_key_id_parse(idt->p, idt->n, id)) {
		snprintf(err, errlen, "bad key id '%.*s' (expected 16 hex digits)",
			 (int)(idt->n > 40 ? 40 : idt->n), idt->p);
		return -1;
	}
	if (b64_decode(kt, key, klen)) {
		snprintf(err, errlen, "bad %s key: expected %zu bytes in standard base64",
			 secret ? "secret" : "public", klen);
		return -1;
	}
	if (secret) {
		/* The seed must give the stored public half, or signatures would
		 * carry a key id nobody can verify. */
		crypto_sign_seed_keypair(pk, sk, key);
		if (sodium_memcmp(pk, key + 32, RT_PUBLIC_KEY_SIZE)) {
			sodium_memzero(sk, sizeof sk);
			snprintf(err, errlen, "corrupt secret key: its halves do not match");
			return -1;
		}
		sodium_memzero(sk, sizeof sk);
	} else {
		memcpy(pk, key, RT_PUBLIC_KEY_SIZE);
	}
	rt_key_id(pk, want);
	if (memcmp(want, id, RT_KEY_ID_SIZE)) {
		rt_hex(want, RT_KEY_ID_SIZE, hex);
		snprintf(err, errlen, "key id %.16s does not match its key (the key's id is %s)",
			 idt->p, hex);
		return -1;
	}
	return 0;
}

int rt_key_parse(const char *text, size_t len, int secret, uint8_t id[RT_KEY_ID_SIZE],
		 uint8_t *key, char *err, size_t errlen)
{
	const char *tag = secret ? RT_SECRET_KEY_TAG : RT_PUBLIC_KEY_TAG;
	const char *nl = memchr(text, '\n', len);
	size_t line = nl ? (size_t)(nl - text) : len, i;
	struct tok t[4];

	for (i = line + (nl != NULL); i < len; i++)
		if (!is_space(text[i]) && text[i] != '\n') {
			snprintf(err, errlen, "a key file holds exactly one line");
			return -1;
		}
	if (split(text, line, t, 4) < 3 || !tok_is(&t[0], tag)) {
		snprintf(err, errlen, "not a %s key file (expected a line '%s KEYID BASE64')",
			 secret ? "secret" : "public", tag);
		return -1;
	}
	return parse_key_fields(&t[1], &t[2], secret, id, key, err, errlen);
}

int rt_key_format(struct rt_buf *out, int secret, const uint8_t id[RT_KEY_ID_SIZE],
		  const uint8_t *key, const char *comment)
{
	size_t klen = secret ? RT_SECRET_KEY_SIZE : RT_PUBLIC_KEY_SIZE;
	char b64[sodium_base64_ENCODED_LEN(RT_SECRET_KEY_SIZE, sodium_base64_VARIANT_ORIGINAL)];
	char hex[2 * RT_KEY_ID_SIZE + 1];
	int rc;

	sodium_bin2base64(b64, sizeof b64, key, klen, sodium_base64_VARIANT_ORIGINAL);
	rt_hex(id, RT_KEY_ID_SIZE, hex);
	rt_buf_puts(out, secret ? RT_SECRET_KEY_TAG : RT_PUBLIC_KEY_TAG);
	rt_buf_putc(out, ' ');
	rt_buf_puts(out, hex);
	rt_buf_putc(out, ' ');
	rt_buf_puts(out, b64);
	if (comment && *comment) {
		rt_buf_putc(out, ' ');
		rt_buf_puts(out, comment);
	}
	rc = rt_buf_putc(out, '\n');
	sodium_memzero(b64, sizeof b64);
	return rc;
}

/* ---- trust files ------------------------------------------------------- */

static const struct trust_key *find_key(const struct nomos_trust *t, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < t->n_keys; i++)
		if (!memcmp(t->keys[i].id, id, RT_KEY_ID_SIZE))
			return &t->keys[i];
	return NULL;
}

static int is_revoked(const struct nomos_trust *t, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < t->n_revoked; i++)
		if (!memcmp(t->revoked[i], id, RT_KEY_ID_SIZE))
			return 1;
	return 0;
}

static int trust_line(struct nomos_trust *t, const char *line, size_t len, char *msg,
		      size_t msglen)
{
	struct tok tk[4];
	size_t n = split(line, len, tk, 4);
	uint8_t id[RT_KEY_ID_SIZE];

	if (n == 0 || tk[0].p[0] == '#')
		return 0;
	if (tok_is(&tk[0], "key") || tok_is(&tk[0], RT_PUBLIC_KEY_TAG)) {
		struct trust_key k, *p;

		if (n < 3) {
			snprintf(msg, msglen, "expected 'key KEYID BASE64PUBLICKEY [comment]'");
			return -1;
		}
		if (parse_key_fields(&tk[1], &tk[2], 0, k.id, k.pk, msg, msglen))
			return -1;
		if (find_key(t, k.id)) {
			snprintf(msg, msglen, "key %.16s is listed twice", tk[1].p);
			return -1;
		}
		p = realloc(t->keys, (t->n_keys + 1) * sizeof *p);
		if (!p) {
			snprintf(msg, msglen, "out of memory");
			return -1;
		}
		t->keys = p;
		t->keys[t->n_keys++] = k;
		return 0;
	}
	if (tok_is(&tk[0], "revoke")) {
		uint8_t(*r)[RT_KEY_ID_SIZE];

		if (n < 2 || rt_key_id_parse(tk[1].p, tk[1].n, id)) {
			snprintf(msg, msglen, "expected 'revoke KEYID [comment]' with a 16 hex "
					      "digit key id");
			return -1;
		}
		if (is_revoked(t, id))
			return 0;
		r = realloc(t->revoked, (t->n_revoked + 1) * sizeof *r);
		if (!r) {
			snprintf(msg, msglen, "out of memory");
			return -1;
		}
		t->revoked = r;
		memcpy(t->revoked[t->n_revoked++], id, RT_KEY_ID_SIZE);
		return 0;
	}
	snprintf(msg, msglen, "unknown directive '%.*s' (expected key, revoke or a # comment)",
		 (int)(tk[0].n > 40 ? 40 : tk[0].n), tk[0].p);
	return -1;
}

int nomos_trust_parse(const char *text, size_t len, const char *name, struct nomos_trust **out,
		      char *err, size_t errlen)
{
	struct nomos_trust *t;
	size_t pos = 0, lineno = 0;
	char msg[256];

	*out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -1;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		lineno++;
		if (memchr(text + pos, '\0', end - pos)) {
			snprintf(err, errlen, "%s:%zu: NUL byte in trust file", name, lineno);
			nomos_trust_free(t);
			return -1;
		}
		if (trust_line(t, text + pos, end - pos, msg, sizeof msg)) {
			snprintf(err, errlen, "%s:%zu: %s", name, lineno, msg);
			nomos_trust_free(t);
			return -1;
		}
		pos = end + 1;
	}
	if (!t->n_keys) {
		snprintf(err, errlen, "%s: no keys: a trust file needs at least one "
				      "'key KEYID BASE64PUBLICKEY' line", name);
		nomos_trust_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

/* Reads a small file into a malloc'ed buffer; 0 or -1 with a message. */
static int read_small(const char *path, const char *what, size_t max, char **out, size_t *len,
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		snprintf(err, errlen, "cannot read %s %s: %s", what, path,
			 n > max ? "file too large" : strerror(errno));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int nomos_trust_load(const char *path, struct nomos_trust **out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (read_small(path, "trust file", TRUST_MAX_BYTES, &text, &len, err, errlen))
		return -1;
	rc = nomos_trust_parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

void nomos_trust_free(struct nomos_trust *t)
{
	if (!t)
		return;
	free(t->keys);
	free(t->revoked);
	free(t);
}

/* ---- the check --------------------------------------------------------- */

int nomos_image_key_id(const struct nomos_image *img, char out[17])
{
	const uint8_t *sig = img->vm.sec[VM_SEC_SIG];

	if (vm_rd32(sig + RT_SIG_VERSION) != 1) {
		out[0] = '\0';
		return 0;
	}
	rt_hex(sig + RT_SIG_KEY_ID, RT_KEY_ID_SIZE, out);
	return 1;
}

static enum nomos_verdict refuse(enum nomos_verdict v, char *msg, size_t msglen, const char *fmt,
				 ...) __attribute__((format(printf, 4, 5)));

static enum nomos_verdict refuse(enum nomos_verdict v, char *msg, size_t msglen, const char *fmt,
				 ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return v;
}

enum nomos_verdict nomos_image_check(const struct nomos_image *img,
				     const struct nomos_check_opts *o, unsigned *flags, char *msg,
				     size_t msglen)
{
	const uint8_t *base = img->vm.base, *sig = img->vm.sec[VM_SEC_SIG];
	size_t sig_off = (size_t)(sig - base);
	unsigned fl = 0;
	char id[17], when[32], now[32];
	enum nomos_verdict v = NOMOS_VERDICT_OK;

	if (flags)
		*flags = 0;
	if (msg && msglen)
		msg[0] = '\0';
	if (sodium_init() < 0)
		return refuse(NOMOS_VERDICT_INVALID, msg, msglen, "libsodium failed to initialize");
	if (nomos_image_key_id(img, id))
		fl |= NOMOS_CHECK_SIGNED;
	if (!(fl & NOMOS_CHECK_SIGNED)) {
		if (!o->allow_unsigned)
			v = refuse(NOMOS_VERDICT_UNSIGNED, msg, msglen,
				   "image is not signed (sign it with 'nomosc sign', or accept "
				   "unsigned images with --allow-unsigned)");
	} else if (!o->trust) {
		if (o->allow_unsigned)
			fl |= NOMOS_CHECK_UNCHECKED;
		else
			v = refuse(NOMOS_VERDICT_NO_TRUST, msg, msglen,
				   "image is signed by key %s but no trust store was given "
				   "(--trust FILE or $NOMOS_TRUST)", id);
	} else if (is_revoked(o->trust, sig + RT_SIG_KEY_ID)) {
		v = refuse(NOMOS_VERDICT_REVOKED_KEY, msg, msglen,
			   "image is signed by key %s, which the trust store revokes", id);
	} else {
		const struct trust_key *k = find_key(o->trust, sig + RT_SIG_KEY_ID);
		uint8_t h[32], m[RT_SIG_MSG_SIZE];

		if (!k)
			return refuse(NOMOS_VERDICT_UNKNOWN_KEY, msg, msglen,
				      "image is signed by key %s, which is not in the trust store",
				      id);
		/* The signature covers the content hash as written in the header;
		 * recompute it here so the verdict never depends on how the image
		 * was opened (nomos_open_opts.skip_hash). */
		rt_content_hash(base, sig_off, h);
		if (sodium_memcmp(h, base + VM_HASH_OFFSET, 32))
			return refuse(NOMOS_VERDICT_INVALID, msg, msglen,
				      "content hash mismatch: the image was modified");
		rt_sig_message(base, sig + RT_SIG_KEY_ID, m);
		if (crypto_sign_verify_detached(sig + RT_SIG_BYTES, m, sizeof m, k->pk) != 0)
			return refuse(NOMOS_VERDICT_BAD_SIGNATURE, msg, msglen,
				      "bad signature: the image header or signature does not verify "
				      "with key %s", id);
		fl |= NOMOS_CHECK_VERIFIED;
	}
	if (v != NOMOS_VERDICT_OK)
		return v;
	if (img->vm.expires_at && img->vm.expires_at < o->now) {
		rt_format_time(img->vm.expires_at, when);
		rt_format_time(o->now, now);
		return refuse(NOMOS_VERDICT_EXPIRED, msg, msglen, "image expired at %s (now %s)",
			      when, now);
	}
	if (img->vm.revision < o->min_revision)
		return refuse(NOMOS_VERDICT_ROLLBACK, msg, msglen,
			      "image revision %" PRIu64 " is older than revision %" PRIu64
			      " already accepted (rollback refused)",
			      img->vm.revision, o->min_revision);
	if (flags)
		*flags = fl;
	return NOMOS_VERDICT_OK;
}

/* ---- rollback state ------------------------------------------------------ */

static int parse_state(const char *text, size_t len, const char *path, uint64_t *rev, char *err,
		       size_t errlen)
{
	struct tok t[3];
	size_t line = len, n, i;
	uint64_t v = 0;

	while (line && (text[line - 1] == '\n' || is_space(text[line - 1])))
		line--;
	n = memchr(text, '\n', line) ? 0 : split(text, line, t, 3);
	if (n != 2 || !tok_is(&t[0], STATE_TAG) || t[1].n == 0 || t[1].n > 20)
		goto bad;
	for (i = 0; i < t[1].n; i++) {
		unsigned d = (unsigned)(t[1].p[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			goto bad;
		v = v * 10 + d;
	}
	*rev = v;
	return 0;
bad:
	snprintf(err, errlen, "state file %s is malformed (expected one line '%s REVISION'); "
			      "refusing to guess the highest accepted revision", path, STATE_TAG);
	return -1;
}

int nomos_state_read(const char *path, uint64_t *revision, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;
	struct stat st;

	*revision = 0;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 0; /* first image this node ever accepts */
	if (read_small(path, "state file", 4096, &text, &len, err, errlen))
		return -1;
	rc = parse_state(text, len, path, revision, err, errlen);
	free(text);
	return rc;
}

static int write_state_file(const char *path, uint64_t revision, char *err, size_t errlen)
{
	size_t plen = strlen(path) + 32;
	char *tmp = malloc(plen), line[64];
	int fd, n, ok;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, plen, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write state file %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	n = snprintf(line, sizeof line, "%s %" PRIu64 "\n", STATE_TAG, revision);
	ok = write(fd, line, (size_t)n) == (ssize_t)n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write state file %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int nomos_state_record(const char *path, uint64_t revision, char *err, size_t errlen)
{
	size_t llen = strlen(path) + 8;
	char *lock = malloc(llen);
	struct flock fl;
	uint64_t cur;
	int fd, rc;

	if (!lock) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(lock, llen, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open state lock %s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while ((rc = fcntl(fd, F_SETLKW, &fl)) != 0 && errno == EINTR)
		;
	if (rc != 0) {
		snprintf(err, errlen, "cannot lock %s: %s", lock, strerror(errno));
		close(fd);
		free(lock);
		return -1;
	}
	/* Re-read under the lock: another process may have raised it meanwhile,
	 * and the state only ever increases. */
	rc = nomos_state_read(path, &cur, err, errlen);
	if (rc == 0 && revision > cur)
		rc = write_state_file(path, revision, err, errlen);
	close(fd); /* releases the lock */
	free(lock);
	return rc;
}
