/* rt_canon.c: byte buffer, canonical JSON leaf encodings and SHA-256 (see
 * rt_canon.h). The escaping table reproduces Go encoding/json (Go >= 1.22) so
 * that hashes match Nomos byte for byte. */
#include "runtime/rt_canon.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void rt_buf_init(struct rt_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void rt_buf_free(struct rt_buf *b)
{
	free(b->data);
	rt_buf_init(b);
}

void rt_buf_reset(struct rt_buf *b)
{
	b->len = 0;
	b->failed = 0;
}

int rt_buf_grow(struct rt_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

int rt_buf_puts(struct rt_buf *b, const char *s)
{
	return rt_buf_put(b, s, strlen(s));
}

int rt_buf_cstr(struct rt_buf *b)
{
	if (rt_buf_grow(b, 1))
		return -1;
	b->data[b->len] = '\0';
	return 0;
}

/* The second byte's range decides overlong forms, surrogates and the
 * U+10FFFF bound (Unicode table 3-7), so nothing is decoded. */
size_t rt_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c0 = s[0];

	if (c0 < 0x80)
		return 1;
	if (c0 >= 0xc2 && c0 <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c0 >= 0xe0 && c0 <= 0xef) {
		unsigned lo = c0 == 0xe0 ? 0xa0 : 0x80, hi = c0 == 0xed ? 0x9f : 0xbf;

		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c0 >= 0xf0 && c0 <= 0xf4) {
		unsigned lo = c0 == 0xf0 ? 0x90 : 0x80, hi = c0 == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
				       (s[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

size_t rt_utf8_put(char *out, uint32_t cp)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		out[i] = (char)(0x80 | (cp & 0x3f));
	out[0] = (char)(lead[n] | cp);
	return n;
}

int rt_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint32_t rt_hex4(const char *p)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 4 | (uint32_t)rt_hex_digit((unsigned char)p[i]);
	return v;
}

uint32_t rt_json_u_escape(const char *s, size_t n, size_t *used)
{
	uint32_t r = rt_hex4(s + 2), lo;

	*used = 6;
	if (r >= 0xd800 && r < 0xdc00 && n >= 12 && s[6] == '\\' && s[7] == 'u' &&
	    (lo = rt_hex4(s + 8)) >= 0xdc00 && lo < 0xe000) {
		*used = 12;
		return 0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00);
	}
	return r >= 0xd800 && r < 0xe000 ? 0xfffd : r;
}

/* Bytes Go's encoder writes unchanged, as a bit set: printable ASCII and DEL
 * but " & < > (0x20-0x3f) and \\ (0x40-0x7f). */
static const uint64_t plain_bits[2] = { 0xafffffbb00000000u, 0xffffffffefffffffu };

static int plain_byte(unsigned c)
{
	return c < 0x80 && ((plain_bits[c >> 6] >> (c & 63)) & 1);
}

int rt_canon_string(struct rt_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	rt_buf_putc(b, '"');
	while (i < n) {
		unsigned c = u[i];
		const char *esc = NULL;
		char tmp[7];
		size_t l;

		if (plain_byte(c)) {
			/* the usual case: a run of bytes written as they are */
			i++;
			run++;
			continue;
		}
		rt_buf_put(b, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			l = rt_utf8_len(u + i, n - i);
			if (l == 0) {
				rt_buf_put(b, "\xef\xbf\xbd", 3);
				i++;
			} else if (l == 3 && c == 0xe2 && u[i + 1] == 0x80 &&
				   (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
				rt_buf_puts(b, u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
				i += 3;
			} else {
				rt_buf_put(b, s + i, l);
				i += l;
			}
			continue;
		}
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			memcpy(tmp, "\\u00", 4);
			tmp[4] = hex[c >> 4];
			tmp[5] = hex[c & 15];
			tmp[6] = '\0';
			esc = tmp;
		}
		rt_buf_puts(b, esc);
		i++;
	}
	rt_buf_put(b, s + i - run, run);
	return rt_buf_putc(b, '"');
}

int rt_is_json_number(const char *lit, size_t n)
{
	size_t i = 0;

	if (i < n && lit[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (lit[i] == '0') {
		i++;
	} else if (lit[i] >= '1' && lit[i] <= '9') {
		while (i < n && lit[i] >= '0' && lit[i] <= '9')
			i++;
	} else {
		return 0;
	}
	if (i < n && lit[i] == '.') {
		i++;
		if (i >= n || lit[i] < '0' || lit[i] > '9')
			return 0;
		while (i < n && lit[i] >= '0' && lit[i] <= '9')
			i++;
	}
	if (i < n && (lit[i] == 'e' || lit[i] == 'E')) {
		i++;
		if (i < n && (lit[i] == '+' || lit[i] == '-'))
			i++;
		if (i >= n || lit[i] < '0' || lit[i] > '9')
			return 0;
		while (i < n && lit[i] >= '0' && lit[i] <= '9')
			i++;
	}
	return i == n;
}

int rt_canon_number(struct rt_buf *b, const char *lit, size_t n)
{
	if (!rt_is_json_number(lit, n))
		return -2;
	if (memchr(lit, '.', n) || memchr(lit, 'e', n) || memchr(lit, 'E', n))
		return rt_canon_string(b, lit, n);
	/* A valid JSON integer has no leading zeros, so only "-0" changes. */
	if (n == 2 && lit[0] == '-' && lit[1] == '0')
		return rt_buf_putc(b, '0');
	return rt_buf_put(b, lit, n);
}

void rt_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int rt_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t m = an < bn ? an : bn;
	int c = m ? memcmp(a, b, m) : 0;

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}
