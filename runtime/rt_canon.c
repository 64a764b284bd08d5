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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
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

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' &&
		    c != '&') {
			i++;
			run++;
			continue;
		}
		rt_buf_put(b, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			l = utf8_len(u + i, n - i);
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
