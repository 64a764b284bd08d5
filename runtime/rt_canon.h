/* rt_canon.h: growable byte buffer, canonical JSON writer primitives (Nomos v1
 * spec §4.1), SHA-256 hex, and the UTF-8 and hex helpers every decoder needs.
 * Shared by the compiler (policy_bundle_hash, the front ends) and the runtime
 * (params canonical JSON, params_hash). Producers walk their own trees and
 * emit keys in byte order; this file owns the byte-exact leaf encodings. */
#ifndef NOMOS_RT_CANON_H
#define NOMOS_RT_CANON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growable buffer. Allocation failure is sticky: `failed` is set, later
 * writes are dropped, and every writer returns -1 so callers can check once. */
struct rt_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

void rt_buf_init(struct rt_buf *b);
void rt_buf_free(struct rt_buf *b);
/* Empties the buffer, keeping its storage (no allocation when reused). */
void rt_buf_reset(struct rt_buf *b);
/* Makes room for extra more bytes and a NUL; returns 0, or -1 when memory ran
 * out (now or earlier). The writers below call it only when they must. */
int rt_buf_grow(struct rt_buf *b, size_t extra);

/* Appends; returns 0, or -1 when memory ran out (now or earlier). Inline:
 * the decoder appends a few bytes at a time, and a call per append was a
 * tenth of decoding an action. */
static inline int rt_buf_put(struct rt_buf *b, const void *p, size_t n)
{
	if ((b->failed || n >= b->cap - b->len) && rt_buf_grow(b, n))
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static inline int rt_buf_putc(struct rt_buf *b, char c)
{
	if ((b->failed || b->cap - b->len < 2) && rt_buf_grow(b, 1))
		return -1;
	b->data[b->len++] = c;
	return 0;
}

int rt_buf_puts(struct rt_buf *b, const char *s);
/* Appends a NUL without counting it in len, so data can be used as a C string. */
int rt_buf_cstr(struct rt_buf *b);

/* Writes s[0..n) as a JSON string with Go encoding/json escaping: \" \\ \n \r \t
 * \b \f, other bytes < 0x20 as \u00xx, < > & as \u003c \u003e \u0026, U+2028 and
 * U+2029 as \u2028 \u2029; each invalid UTF-8 byte becomes U+FFFD (raw, as Go's
 * decode-then-encode round trip leaves it); everything else raw. Returns 0 or -1. */
int rt_canon_string(struct rt_buf *b, const char *s, size_t n);

/* Writes a JSON number literal in canonical form: a literal containing '.', 'e'
 * or 'E' becomes a JSON string of its exact text; an integer is re-printed
 * exactly ("-0" -> "0"), any size. Returns 0, -1 on memory, -2 when lit is not a
 * JSON number literal. */
int rt_canon_number(struct rt_buf *b, const char *lit, size_t n);

/* Reports whether lit[0..n) is a JSON number literal (RFC 8259 grammar). */
int rt_is_json_number(const char *lit, size_t n);

/* Lower-case hex SHA-256 of p[0..n) into out (65 bytes, NUL-terminated). */
void rt_sha256_hex(const void *p, size_t n, char out[65]);

/* Byte-order comparison of two (pointer, length) strings, as Go's sort.Strings. */
int rt_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);

/* ---- UTF-8 and hex digits ------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n) (1-4; n >= 1), or 0 when it
 * is invalid by Go's rules: no overlong form, no surrogate, nothing above
 * U+10FFFF, nothing cut short by n. Callers decide what an invalid byte
 * becomes (U+FFFD, as Go's decoders do, or an error). */
size_t rt_utf8_len(const unsigned char *s, size_t n);

/* Writes code point cp (at most U+10FFFF) as UTF-8 into out, which has room
 * for 4 bytes. Returns the length. */
size_t rt_utf8_put(char *out, uint32_t cp);

/* The value of hex digit c (0-15), or -1 when c is not one. */
int rt_hex_digit(int c);

/* The value of the four hex digits p[0..4), which the caller has checked. */
uint32_t rt_hex4(const char *p);

/* Decodes the JSON escape \uXXXX at s[0..n) (s[0] is its backslash; the
 * caller's lexer checked its digits; n counts the bytes up to the string's
 * closing quote) as Go's encoding/json does: a high surrogate followed by a
 * low one escaped the same way makes one code point, any other surrogate is
 * U+FFFD. Sets *used to the bytes read (6 or 12). */
uint32_t rt_json_u_escape(const char *s, size_t n, size_t *used);

#endif
