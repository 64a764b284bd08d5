/* rt_normalize.c: Nomos v1 resource normalization (spec §6.2-6.3) over a C
 * rendition of Go's net/url.Parse (Go 1.25: the host port starts at the last
 * colon; brackets only around an IPv6 literal that starts the host) and
 * netip.ParseAddr, so that normalized resources and error messages are
 * byte-identical to upstream. All intermediate strings live in the caller's
 * output buffer (as offsets), so a reused buffer means no allocation. */
#include "runtime/rt_normalize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- message writer: a bounded char array -------------------------------- */

struct msgw {
	char *p;
	size_t cap; /* including the NUL */
	size_t len;
	int cut;
};

static void msg_init(struct msgw *m, char *p, size_t cap)
{
	m->p = p;
	m->cap = cap;
	m->len = 0;
	m->cut = 0;
	if (cap)
		p[0] = '\0';
}

static void msg_put(struct msgw *m, const char *s, size_t n)
{
	size_t room;

	if (m->cut || m->cap == 0)
		return;
	room = m->cap - 1 - m->len;
	if (n > room) {
		/* Cut at a UTF-8 boundary and mark the cut with "...". */
		size_t keep = room > 3 ? room - 3 : 0;

		if (keep > n)
			keep = n;
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
		memcpy(m->p + m->len, s, keep);
		m->len += keep;
		if (m->cap - 1 - m->len >= 3) {
			memcpy(m->p + m->len, "...", 3);
			m->len += 3;
		}
		m->cut = 1;
	} else {
		memcpy(m->p + m->len, s, n);
		m->len += n;
	}
	m->p[m->len] = '\0';
}

static void msg_puts(struct msgw *m, const char *s)
{
	msg_put(m, s, strlen(s));
}

/* ---- UTF-8 and Go string helpers ------------------------------------------- */

#define RUNE_ERROR 0xFFFDu

/* Decodes one rune as Go's utf8.DecodeRune: an invalid or truncated sequence
 * yields RUNE_ERROR with width 1. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *width)
{
	uint32_t r;
	size_t need, i;
	unsigned char c = s[0];

	*width = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		r = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		r = c & 0x0Fu;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		r = c & 0x07u;
	} else {
		return RUNE_ERROR;
	}
	if (n < need + 1)
		return RUNE_ERROR;
	for (i = 1; i <= need; i++) {
		unsigned char d = s[i];
		unsigned char lo = 0x80, hi = 0xBF;

		if (i == 1) {
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
			else if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		if (d < lo || d > hi)
			return RUNE_ERROR;
		r = (r << 6) | (d & 0x3Fu);
	}
	*width = need + 1;
	return r;
}

/* unicode.IsSpace (White_Space property). */
static int go_is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return 1;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

size_t rt_go_trim_space(const char *s, size_t n, size_t *start)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t b = 0, e = n, w;

	while (b < e) {
		uint32_t r = utf8_decode(u + b, e - b, &w);

		if (!go_is_space(r) || (r == RUNE_ERROR && w == 1))
			break;
		b += w;
	}
	while (e > b) {
		/* Step back over one rune: at most 4 bytes, continuation bytes first. */
		size_t k = e - 1;
		uint32_t r;

		while (k > b && e - k < 4 && (u[k] & 0xC0) == 0x80)
			k--;
		r = utf8_decode(u + k, e - k, &w);
		if (k + w != e) {
			k = e - 1; /* not one well-formed rune: the last byte alone */
			r = utf8_decode(u + k, 1, &w);
		}
		if (!go_is_space(r) || (r == RUNE_ERROR && w == 1))
			break;
		e = k;
	}
	*start = b;
	return e - b;
}

/* strconv.IsPrint, approximately for non-ASCII: control, format, separator,
 * private-use and noncharacter code points are unprintable; other unassigned
 * code points are treated as printable (only error texts can differ). */
static int go_is_print(uint32_t r)
{
	if (r < 0x20 || r == 0x7F)
		return 0;
	if (r < 0x7F)
		return 1;
	if (r <= 0xA0 || r == 0xAD)
		return 0;
	if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F ||
	    r == 0x890 || r == 0x891 || r == 0x8E2 || r == 0x180E || r == 0x1680)
		return 0;
	if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
	    (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF ||
	    (r >= 0xFFF9 && r <= 0xFFFB))
		return 0;
	if ((r >= 0xD800 && r <= 0xF8FF) || (r >= 0xFDD0 && r <= 0xFDEF) ||
	    (r & 0xFFFEu) == 0xFFFEu)
		return 0;
	if (r == 0x110BD || r == 0x110CD || (r >= 0x13430 && r <= 0x1343F) ||
	    (r >= 0x1BCA0 && r <= 0x1BCA3) || (r >= 0x1D173 && r <= 0x1D17A) ||
	    (r >= 0xE0000 && r <= 0xE0FFF) || r >= 0xF0000)
		return 0;
	return 1;
}

typedef void (*emit_fn)(void *sink, const char *s, size_t n);

static void go_quote_emit(emit_fn emit, void *sink, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, w;
	char tmp[12];

	emit(sink, "\"", 1);
	while (i < n) {
		uint32_t r = utf8_decode(u + i, n - i, &w);

		if (r == RUNE_ERROR && w == 1) {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[u[i] >> 4];
			tmp[3] = hex[u[i] & 15];
			emit(sink, tmp, 4);
		} else if (r == '"' || r == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)r;
			emit(sink, tmp, 2);
		} else if (go_is_print(r)) {
			emit(sink, s + i, w);
		} else {
			const char *esc = NULL;

			switch (r) {
			case '\a': esc = "\\a"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			case '\n': esc = "\\n"; break;
			case '\r': esc = "\\r"; break;
			case '\t': esc = "\\t"; break;
			case '\v': esc = "\\v"; break;
			default: break;
			}
			if (esc) {
				emit(sink, esc, 2);
			} else if (r < ' ' || r == 0x7F) {
				tmp[0] = '\\';
				tmp[1] = 'x';
				tmp[2] = hex[r >> 4];
				tmp[3] = hex[r & 15];
				emit(sink, tmp, 4);
			} else {
				int digits = r < 0x10000 ? 4 : 8, k;

				tmp[0] = '\\';
				tmp[1] = r < 0x10000 ? 'u' : 'U';
				for (k = 0; k < digits; k++)
					tmp[2 + k] = hex[(r >> (4 * (digits - 1 - k))) & 15];
				emit(sink, tmp, (size_t)(2 + digits));
			}
		}
		i += w;
	}
	emit(sink, "\"", 1);
}

static void emit_msg(void *sink, const char *s, size_t n)
{
	msg_put(sink, s, n);
}

static void emit_buf(void *sink, const char *s, size_t n)
{
	rt_buf_put(sink, s, n);
}

int rt_go_quote(struct rt_buf *out, const char *s, size_t n)
{
	go_quote_emit(emit_buf, out, s, n);
	return out->failed ? -1 : 0;
}

static void msg_quote(struct msgw *m, const char *s, size_t n)
{
	go_quote_emit(emit_msg, m, s, n);
}

int rt_action_type_is_builtin(const char *t, size_t n)
{
	static const char *const builtin[] = {
		"fs.read", "fs.write", "repo.apply_patch", "process.exec",
		"net.http_request", "secrets.checkout",
	};
	size_t i;

	for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (strlen(builtin[i]) == n && memcmp(builtin[i], t, n) == 0)
			return 1;
	return 0;
}

/* ---- workspace: strings as (offset, length) in the output buffer ---------- */

struct span {
	size_t off;
	size_t len;
};

struct ws {
	struct rt_buf *b;
	char inner[RT_NORMALIZE_ERRMAX]; /* the reason of a failed step */
	struct msgw m;
};

#define NOMEM (-2)
#define FAIL (-1)

/* Byte i of span sp; re-reads the buffer, so it survives reallocation. */
static unsigned char at(const struct ws *w, struct span sp, size_t i)
{
	return (unsigned char)w->b->data[sp.off + i];
}

static const char *ptr(const struct ws *w, struct span sp)
{
	return w->b->data + sp.off;
}

static struct span sub(struct span sp, size_t from, size_t to)
{
	struct span r;

	r.off = sp.off + from;
	r.len = to - from;
	return r;
}

static int fail(struct ws *w, const char *text)
{
	msg_init(&w->m, w->inner, sizeof w->inner);
	msg_puts(&w->m, text);
	return FAIL;
}

static size_t find_byte(const struct ws *w, struct span sp, unsigned char c)
{
	size_t i;

	for (i = 0; i < sp.len; i++)
		if (at(w, sp, i) == c)
			return i;
	return SIZE_MAX;
}

static size_t rfind_byte(const struct ws *w, struct span sp, unsigned char c)
{
	size_t i = sp.len;

	while (i > 0)
		if (at(w, sp, --i) == c)
			return i;
	return SIZE_MAX;
}

static size_t count_byte(const struct ws *w, struct span sp, unsigned char c)
{
	size_t i, k = 0;

	for (i = 0; i < sp.len; i++)
		k += at(w, sp, i) == c;
	return k;
}

static int has_prefix(const struct ws *w, struct span sp, const char *lit)
{
	size_t n = strlen(lit);

	return sp.len >= n && memcmp(ptr(w, sp), lit, n) == 0;
}

static int span_eq(const struct ws *w, struct span a, struct span b)
{
	return a.len == b.len && memcmp(ptr(w, a), ptr(w, b), a.len) == 0;
}

static int span_is(const struct ws *w, struct span a, const char *lit)
{
	return a.len == strlen(lit) && memcmp(ptr(w, a), lit, a.len) == 0;
}

/* Appends bytes from outside the buffer. */
static int put_ext(struct ws *w, const char *s, size_t n, struct span *out)
{
	out->off = w->b->len;
	out->len = n;
	return rt_buf_put(w->b, s, n) ? NOMEM : 0;
}

/* Starts a new span at the end of the buffer. */
static struct span begin(const struct ws *w)
{
	struct span s;

	s.off = w->b->len;
	s.len = 0;
	return s;
}

/* Whether b takes n more bytes (and rt_buf's NUL slot) without growing. */
static int has_room(const struct rt_buf *b, size_t n)
{
	return !b->failed && b->cap - b->len > n;
}

/* Grows b once so that the usual normalization fits without reallocation
 * (rt_buf only grows on demand); the bytes written are taken back. */
static int reserve(struct rt_buf *b, size_t n)
{
	static const char pad[256];
	size_t len = b->len;

	while (!has_room(b, n))
		if (rt_buf_put(b, pad, sizeof pad))
			return NOMEM;
	b->len = len;
	return 0;
}

static int putc_to(struct ws *w, struct span *out, char c)
{
	struct rt_buf *b = w->b;

	if (has_room(b, 1))
		b->data[b->len++] = c;
	else if (rt_buf_putc(b, c))
		return NOMEM;
	out->len++;
	return 0;
}

/* Copies a span, possibly from the buffer itself: in one move when there is
 * room, else byte by byte (growing may move the source). */
static int append_span(struct ws *w, struct span *out, struct span src)
{
	size_t i;

	if (has_room(w->b, src.len)) {
		memmove(w->b->data + w->b->len, w->b->data + src.off, src.len);
		w->b->len += src.len;
		out->len += src.len;
		return 0;
	}
	for (i = 0; i < src.len; i++)
		if (putc_to(w, out, (char)at(w, src, i)))
			return NOMEM;
	return 0;
}

/* ---- net/url escaping ------------------------------------------------------ */

enum enc { ENC_PATH, ENC_PATHSEG, ENC_HOST, ENC_ZONE, ENC_USER, ENC_FRAG };

static int ishex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char unhex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned char)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned char)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned char)(c - 'A' + 10);
	return 0;
}

/* url.shouldEscape */
static int should_escape(unsigned char c, enum enc mode)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 0;
	if (mode == ENC_HOST || mode == ENC_ZONE) {
		switch (c) {
		case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
		case '+': case ',': case ';': case '=': case ':': case '[': case ']':
		case '<': case '>': case '"':
			return 0;
		default:
			break;
		}
	}
	switch (c) {
	case '-': case '_': case '.': case '~':
		return 0;
	case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=':
	case '?': case '@':
		switch (mode) {
		case ENC_PATH:
			return c == '?';
		case ENC_PATHSEG:
			return c == '/' || c == ';' || c == ',' || c == '?';
		case ENC_USER:
			return c == '@' || c == '/' || c == '?' || c == ':';
		case ENC_FRAG:
			return 0;
		default:
			break;
		}
		break;
	default:
		break;
	}
	if (mode == ENC_FRAG && (c == '!' || c == '(' || c == ')' || c == '*'))
		return 0;
	return 1;
}

static int escape_error(struct ws *w, struct span bad)
{
	msg_init(&w->m, w->inner, sizeof w->inner);
	msg_puts(&w->m, "invalid URL escape ");
	msg_quote(&w->m, ptr(w, bad), bad.len);
	return FAIL;
}

/* url.unescape (no '+' handling: no query mode is needed). */
static int unescape(struct ws *w, struct span s, enum enc mode, struct span *out)
{
	size_t i, n = 0;

	for (i = 0; i < s.len;) {
		unsigned char c = at(w, s, i);

		if (c == '%') {
			n++;
			if (i + 2 >= s.len || !ishex(at(w, s, i + 1)) || !ishex(at(w, s, i + 2)))
				return escape_error(w, sub(s, i, i + 3 < s.len ? i + 3 : s.len));
			if (mode == ENC_HOST && unhex(at(w, s, i + 1)) < 8 &&
			    !(at(w, s, i + 1) == '2' && at(w, s, i + 2) == '5'))
				return escape_error(w, sub(s, i, i + 3));
			if (mode == ENC_ZONE) {
				unsigned char v = (unsigned char)(unhex(at(w, s, i + 1)) << 4 |
								  unhex(at(w, s, i + 2)));

				if (!(at(w, s, i + 1) == '2' && at(w, s, i + 2) == '5') && v != ' ' &&
				    should_escape(v, ENC_HOST))
					return escape_error(w, sub(s, i, i + 3));
			}
			i += 3;
		} else {
			if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
				msg_init(&w->m, w->inner, sizeof w->inner);
				msg_puts(&w->m, "invalid character ");
				msg_quote(&w->m, ptr(w, s) + i, 1);
				msg_puts(&w->m, " in host name");
				return FAIL;
			}
			i++;
		}
	}
	if (n == 0) {
		*out = s;
		return 0;
	}
	*out = begin(w);
	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		if (c == '%') {
			c = (unsigned char)(unhex(at(w, s, i + 1)) << 4 | unhex(at(w, s, i + 2)));
			i += 2;
		}
		if (putc_to(w, out, (char)c))
			return NOMEM;
	}
	return 0;
}

/* url.escape for the path and fragment modes. */
static int escape(struct ws *w, struct span s, enum enc mode, struct span *out)
{
	static const char upper[] = "0123456789ABCDEF";
	size_t i;

	*out = begin(w);
	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		if (should_escape(c, mode)) {
			if (putc_to(w, out, '%') || putc_to(w, out, upper[c >> 4]) ||
			    putc_to(w, out, upper[c & 15]))
				return NOMEM;
		} else if (putc_to(w, out, (char)c)) {
			return NOMEM;
		}
	}
	return 0;
}

/* url.validEncoded */
static int valid_encoded(const struct ws *w, struct span s, enum enc mode)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		switch (c) {
		case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
		case '+': case ',': case ';': case '=': case ':': case '@': case '[':
		case ']': case '%':
			break;
		default:
			if (should_escape(c, mode))
				return 0;
		}
	}
	return 1;
}

/* ---- netip.ParseAddr (validation and error text only) ---------------------- */

static int addr_fail(struct ws *w, struct span in, const char *why, const char *atp, size_t atn)
{
	msg_init(&w->m, w->inner, sizeof w->inner);
	msg_puts(&w->m, "invalid host: ParseAddr(");
	msg_quote(&w->m, ptr(w, in), in.len);
	msg_puts(&w->m, "): ");
	msg_puts(&w->m, why);
	if (atn) {
		msg_puts(&w->m, " (at ");
		msg_quote(&w->m, atp, atn);
		msg_puts(&w->m, ")");
	}
	return FAIL;
}

/* parseIPv4Fields over in[off..end) */
static int ipv4_fields(struct ws *w, struct span in, size_t off, size_t end)
{
	const char *s = ptr(w, in) + off;
	size_t n = end - off, i;
	unsigned val = 0, pos = 0, dig = 0;

	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (dig == 1 && val == 0)
				return addr_fail(w, in, "IPv4 field has octet with leading zero", NULL, 0);
			val = val * 10 + (unsigned)(s[i] - '0');
			dig++;
			if (val > 255)
				return addr_fail(w, in, "IPv4 field has value >255", NULL, 0);
		} else if (s[i] == '.') {
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return addr_fail(w, in, "IPv4 field must have at least one digit",
						 s + i, n - i);
			if (pos == 3)
				return addr_fail(w, in, "IPv4 address too long", NULL, 0);
			pos++;
			val = 0;
			dig = 0;
		} else {
			return addr_fail(w, in, "unexpected character", s + i, n - i);
		}
	}
	if (pos < 3)
		return addr_fail(w, in, "IPv4 address too short", NULL, 0);
	return 0;
}

static int parse_ipv6(struct ws *w, struct span in)
{
	const char *base = ptr(w, in);
	size_t n = in.len, zone = SIZE_MAX, slen, off, k;
	const char *s = base;
	long ellipsis = -1, i = 0;

	for (k = 0; k < n; k++)
		if (base[k] == '%') {
			zone = k;
			break;
		}
	slen = n;
	if (zone != SIZE_MAX) {
		if (zone + 1 == n)
			return addr_fail(w, in, "zone must be a non-empty string", NULL, 0);
		slen = zone;
	}
	if (slen >= 2 && s[0] == ':' && s[1] == ':') {
		ellipsis = 0;
		s += 2;
		slen -= 2;
		if (slen == 0)
			return 0;
	}
	while (i < 16) {
		uint32_t acc = 0;

		for (off = 0; off < slen; off++) {
			unsigned char c = (unsigned char)s[off];

			if (!ishex(c))
				break;
			acc = (acc << 4) + unhex(c);
			if (off > 3)
				return addr_fail(w, in, "each group must have 4 or less digits", s, slen);
			if (acc > 0xFFFF)
				return addr_fail(w, in, "IPv6 field has value >=2^16", s, slen);
		}
		if (off == 0)
			return addr_fail(w, in, "each colon-separated field must have at least one digit",
					 s, slen);
		if (off < slen && s[off] == '.') {
			size_t end;

			if (ellipsis < 0 && i != 12)
				return addr_fail(w, in,
						 "embedded IPv4 address must replace the final 2 fields of the address",
						 s, slen);
			if (i + 4 > 16)
				return addr_fail(w, in,
						 "too many hex fields to fit an embedded IPv4 at the end of the address",
						 s, slen);
			end = zone != SIZE_MAX ? zone : n;
			if (ipv4_fields(w, in, end - slen, end))
				return FAIL;
			slen = 0;
			i += 4;
			break;
		}
		i += 2;
		s += off;
		slen -= off;
		if (slen == 0)
			break;
		if (s[0] != ':')
			return addr_fail(w, in, "unexpected character, want colon", s, slen);
		if (slen == 1)
			return addr_fail(w, in, "colon must be followed by more characters", s, slen);
		s++;
		slen--;
		if (s[0] == ':') {
			if (ellipsis >= 0)
				return addr_fail(w, in, "multiple :: in address", s, slen);
			ellipsis = i;
			s++;
			slen--;
			if (slen == 0)
				break;
		}
	}
	if (slen != 0)
		return addr_fail(w, in, "trailing garbage after address", s, slen);
	if (i < 16) {
		if (ellipsis < 0)
			return addr_fail(w, in, "address string too short", NULL, 0);
	} else if (ellipsis >= 0) {
		return addr_fail(w, in, "the :: must expand to at least one field of zeros", NULL, 0);
	}
	return 0;
}

/* Returns 0 for an IPv6 address (with optional zone), 1 for IPv4, FAIL. */
static int parse_addr(struct ws *w, struct span in)
{
	size_t i;

	for (i = 0; i < in.len; i++) {
		switch (at(w, in, i)) {
		case '.':
			return ipv4_fields(w, in, 0, in.len) ? FAIL : 1;
		case ':':
			return parse_ipv6(w, in);
		case '%':
			return addr_fail(w, in, "missing IPv6 address", NULL, 0);
		default:
			break;
		}
	}
	return addr_fail(w, in, "unable to parse IP", NULL, 0);
}

/* ---- url.Parse ------------------------------------------------------------- */

struct gurl {
	struct span scheme; /* lower-cased (Go does this) */
	int has_user;
	struct span host;   /* unescaped */
	struct span path;   /* unescaped */
	struct span rawpath; /* the escaped text the path came from */
	int has_query;      /* RawQuery != "" */
	int has_fragment;   /* Fragment != "" */
};

static int valid_optional_port(const struct ws *w, struct span p)
{
	size_t i;

	if (p.len == 0)
		return 1;
	if (at(w, p, 0) != ':')
		return 0;
	for (i = 1; i < p.len; i++)
		if (at(w, p, i) < '0' || at(w, p, i) > '9')
			return 0;
	return 1;
}

static int invalid_port(struct ws *w, struct span p)
{
	msg_init(&w->m, w->inner, sizeof w->inner);
	msg_puts(&w->m, "invalid port ");
	msg_quote(&w->m, ptr(w, p), p.len);
	msg_puts(&w->m, " after host");
	return FAIL;
}

static int parse_host(struct ws *w, struct span host, struct span *out)
{
	size_t open = rfind_byte(w, host, '[');
	int rc;

	if (open != SIZE_MAX) {
		size_t close, zone;
		struct span port, name, unport, a, b;

		if (open > 0)
			return fail(w, "invalid IP-literal");
		close = rfind_byte(w, host, ']');
		if (close == SIZE_MAX)
			return fail(w, "missing ']' in host");
		port = sub(host, close + 1, host.len);
		if (!valid_optional_port(w, port))
			return invalid_port(w, port);
		if ((rc = unescape(w, port, ENC_HOST, &unport)))
			return rc;
		name = sub(host, 1, close);
		zone = SIZE_MAX;
		for (size_t k = 0; k + 3 <= name.len; k++)
			if (at(w, name, k) == '%' && at(w, name, k + 1) == '2' && at(w, name, k + 2) == '5') {
				zone = k;
				break;
			}
		if (zone != SIZE_MAX) {
			struct span z;

			if ((rc = unescape(w, sub(name, 0, zone), ENC_HOST, &a)))
				return rc;
			if ((rc = unescape(w, sub(name, zone, name.len), ENC_ZONE, &z)))
				return rc;
			b = begin(w);
			if (append_span(w, &b, a) || append_span(w, &b, z))
				return NOMEM;
			a = b;
		} else if ((rc = unescape(w, name, ENC_HOST, &a))) {
			return rc;
		}
		rc = parse_addr(w, a);
		if (rc == FAIL)
			return FAIL;
		if (rc == 1)
			return fail(w, "invalid IP-literal");
		*out = begin(w);
		if (putc_to(w, out, '[') || append_span(w, out, a) || putc_to(w, out, ']') ||
		    append_span(w, out, unport))
			return NOMEM;
		return 0;
	}
	{
		size_t colon = rfind_byte(w, host, ':');

		if (colon != SIZE_MAX) {
			struct span port = sub(host, colon, host.len);

			if (!valid_optional_port(w, port))
				return invalid_port(w, port);
		}
	}
	return unescape(w, host, ENC_HOST, out);
}

static int valid_userinfo(const struct ws *w, struct span s)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		switch (c) {
		case '-': case '.': case '_': case ':': case '~': case '!': case '$':
		case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
		case ';': case '=': case '%': case '@':
			continue;
		default:
			return 0; /* includes every non-ASCII byte, as Go's rune loop */
		}
	}
	return 1;
}

static int parse_authority(struct ws *w, struct span auth, struct gurl *u)
{
	size_t atpos = rfind_byte(w, auth, '@');
	struct span ui, tmp;
	int rc;

	rc = parse_host(w, atpos == SIZE_MAX ? auth : sub(auth, atpos + 1, auth.len), &u->host);
	if (rc)
		return rc;
	if (atpos == SIZE_MAX)
		return 0;
	ui = sub(auth, 0, atpos);
	if (!valid_userinfo(w, ui))
		return fail(w, "net/url: invalid userinfo");
	{
		size_t colon = find_byte(w, ui, ':');

		if (colon == SIZE_MAX) {
			if ((rc = unescape(w, ui, ENC_USER, &tmp)))
				return rc;
		} else {
			if ((rc = unescape(w, sub(ui, 0, colon), ENC_USER, &tmp)))
				return rc;
			if ((rc = unescape(w, sub(ui, colon + 1, ui.len), ENC_USER, &tmp)))
				return rc;
		}
	}
	u->has_user = 1;
	return 0;
}

/* url.parse(rawURL, viaRequest=false) */
static int parse_inner(struct ws *w, struct span raw, struct gurl *u)
{
	struct span rest = raw;
	size_t i, scheme_end = SIZE_MAX;
	int rc;

	for (i = 0; i < raw.len; i++)
		if (at(w, raw, i) < 0x20 || at(w, raw, i) == 0x7F)
			return fail(w, "net/url: invalid control character in URL");
	if (span_is(w, raw, "*")) {
		u->path = raw;
		u->rawpath = raw;
		return 0;
	}
	/* getScheme */
	for (i = 0; i < raw.len; i++) {
		unsigned char c = at(w, raw, i);

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			if (i == 0)
				return fail(w, "missing protocol scheme");
			scheme_end = i;
		}
		break;
	}
	if (scheme_end != SIZE_MAX) {
		u->scheme = begin(w);
		for (i = 0; i < scheme_end; i++) {
			unsigned char c = at(w, raw, i);

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if (putc_to(w, &u->scheme, (char)c))
				return NOMEM;
		}
		rest = sub(raw, scheme_end + 1, raw.len);
	}
	if (rest.len > 0 && at(w, rest, rest.len - 1) == '?' && count_byte(w, rest, '?') == 1) {
		rest.len--; /* ForceQuery: RawQuery stays empty */
	} else {
		size_t q = find_byte(w, rest, '?');

		if (q != SIZE_MAX) {
			u->has_query = q + 1 < rest.len;
			rest.len = q;
		}
	}
	if (!has_prefix(w, rest, "/")) {
		if (u->scheme.len > 0)
			return 0; /* opaque: no host, no path */
		{
			size_t slash = find_byte(w, rest, '/');
			struct span seg = slash == SIZE_MAX ? rest : sub(rest, 0, slash);

			if (find_byte(w, seg, ':') != SIZE_MAX)
				return fail(w, "first path segment in URL cannot contain colon");
		}
	}
	if ((u->scheme.len > 0 || !has_prefix(w, rest, "///")) && has_prefix(w, rest, "//")) {
		struct span auth = sub(rest, 2, rest.len);
		size_t slash = find_byte(w, auth, '/');

		if (slash != SIZE_MAX) {
			rest = sub(auth, slash, auth.len);
			auth.len = slash;
		} else {
			rest = sub(auth, auth.len, auth.len);
		}
		if ((rc = parse_authority(w, auth, u)))
			return rc;
	}
	u->rawpath = rest;
	return unescape(w, rest, ENC_PATH, &u->path);
}

/* url.Parse: the error text is `parse "<url>": <reason>` in w->m. */
static int go_url_parse(struct ws *w, struct span raw, struct gurl *u)
{
	size_t hash = find_byte(w, raw, '#');
	struct span head = hash == SIZE_MAX ? raw : sub(raw, 0, hash);
	int rc;

	memset(u, 0, sizeof *u);
	u->scheme = begin(w);
	rc = parse_inner(w, head, u);
	if (rc == 0 && hash != SIZE_MAX && hash + 1 < raw.len) {
		struct span frag;

		rc = unescape(w, sub(raw, hash + 1, raw.len), ENC_FRAG, &frag);
		if (rc == 0)
			u->has_fragment = frag.len > 0;
		head = raw; /* a fragment error quotes the whole URL */
	}
	if (rc == FAIL) {
		char reason[RT_NORMALIZE_ERRMAX];

		memcpy(reason, w->inner, sizeof reason);
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, "parse ");
		msg_quote(&w->m, ptr(w, head), head.len);
		msg_puts(&w->m, ": ");
		msg_puts(&w->m, reason);
	}
	return rc;
}

/* URL.EscapedPath */
static int escaped_path(struct ws *w, const struct gurl *u, struct span *out)
{
	struct span esc;
	int rc;

	if ((rc = escape(w, u->path, ENC_PATH, &esc)))
		return rc;
	if (span_eq(w, esc, u->rawpath) || valid_encoded(w, u->rawpath, ENC_PATH))
		*out = u->rawpath;
	else
		*out = esc;
	return 0;
}

/* ---- Nomos rules ----------------------------------------------------------- */

/* Go's strings.ToLower, but only for ASCII text: returns FAIL (message `what`)
 * on any non-ASCII byte, whose Unicode lower-casing we do not reproduce. */
static int lower_ascii(struct ws *w, struct span s, struct span *out, const char *what)
{
	size_t i;

	*out = begin(w);
	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		if (c >= 0x80)
			return fail(w, what);
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (putc_to(w, out, (char)c))
			return NOMEM;
	}
	return 0;
}

/* Whether Go's strings.ToLower(s) == lit (an ASCII literal). Two non-ASCII
 * runes lower-case to ASCII: U+212A KELVIN SIGN -> 'k', U+0130 -> 'i'. */
static int go_lower_equals(const char *s, size_t n, const char *lit)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k = 0, w, ln = strlen(lit);

	while (i < n) {
		uint32_t r = utf8_decode(u + i, n - i, &w);

		if (r >= 'A' && r <= 'Z')
			r += 32;
		else if (r == 0x212A)
			r = 'k';
		else if (r == 0x130)
			r = 'i';
		if (k >= ln || r != (unsigned char)lit[k])
			return 0;
		k++;
		i += w;
	}
	return k == ln;
}

static int has_traversal(const struct ws *w, struct span p)
{
	size_t i, start = 0;

	for (i = 0; i <= p.len; i++) {
		if (i == p.len || at(w, p, i) == '/' || at(w, p, i) == '\\') {
			size_t n = i - start;

			if ((n == 1 && at(w, p, start) == '.') ||
			    (n == 2 && at(w, p, start) == '.' && at(w, p, start + 1) == '.'))
				return 1;
			start = i + 1;
		}
	}
	return 0;
}

/* cleanPath: "" stays ""; otherwise Go's path.Clean("/" + p) with '\' as '/'.
 * Dot segments were rejected before, so cleaning collapses slashes and drops a
 * trailing one; "." and ".." are still handled for safety. */
static int clean_path(struct ws *w, struct span p, struct span *out)
{
	size_t i = 0;

	*out = begin(w);
	if (p.len == 0)
		return 0;
	if (putc_to(w, out, '/'))
		return NOMEM;
	while (i < p.len) {
		size_t start, n;

		while (i < p.len && (at(w, p, i) == '/' || at(w, p, i) == '\\'))
			i++;
		start = i;
		while (i < p.len && at(w, p, i) != '/' && at(w, p, i) != '\\')
			i++;
		n = i - start;
		if (n == 0 || (n == 1 && at(w, p, start) == '.'))
			continue;
		if (n == 2 && at(w, p, start) == '.' && at(w, p, start + 1) == '.') {
			/* back up to the previous '/' (never above the root) */
			while (out->len > 1 && w->b->data[out->off + out->len - 1] != '/')
				out->len--;
			if (out->len > 1)
				out->len--;
			w->b->len = out->off + out->len;
			continue;
		}
		if (out->len > 1 && putc_to(w, out, '/'))
			return NOMEM;
		if (append_span(w, out, sub(p, start, i)))
			return NOMEM;
	}
	return 0;
}

/* containsEncodedSeparators: "%2f" or "%5c", any case. */
static int has_encoded_separator(const struct ws *w, struct span s)
{
	size_t i;

	for (i = 0; i + 3 <= s.len; i++)
		if (at(w, s, i) == '%' &&
		    ((at(w, s, i + 1) == '2' && (at(w, s, i + 2) | 0x20) == 'f') ||
		     (at(w, s, i + 1) == '5' && (at(w, s, i + 2) | 0x20) == 'c')))
			return 1;
	return 0;
}

/* Whether s holds a control byte (< 0x20 or DEL). The parser already refuses
 * raw ones, so any found after decoding came from an escape such as %00. */
static int has_control(const struct ws *w, struct span s)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		unsigned char c = at(w, s, i);

		if (c < 0x20 || c == 0x7f)
			return 1;
	}
	return 0;
}

/* normalizeResourcePath(rawPath, kind) */
static int resource_path(struct ws *w, struct span raw, const char *kind, struct span *out)
{
	struct span dec;
	int rc;

	rc = unescape(w, raw, ENC_PATHSEG, &dec);
	if (rc == NOMEM)
		return rc;
	if (rc) {
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, "invalid ");
		msg_puts(&w->m, kind);
		msg_puts(&w->m, " path encoding");
		return FAIL;
	}
	/* Upstream checks the escaped path; we also check the decoded one, so a
	 * double-encoded separator (%252f -> literal "%2f") cannot reach a
	 * normalized resource that something downstream might decode again
	 * (divergence, docs/nomos-compat.md "Action intake"). */
	if (has_encoded_separator(w, raw) || has_encoded_separator(w, dec)) {
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, kind);
		msg_puts(&w->m, " path encoded separators are not allowed");
		return FAIL;
	}
	/* Stricter than upstream, which keeps them raw: a decoded NUL ends the
	 * path for any C consumer (".env%00.txt" opens ".env"), CR LF splits
	 * headers (docs/nomos-compat.md "Action intake"). */
	if (has_control(w, dec)) {
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, kind);
		msg_puts(&w->m, " path encoded control characters are not allowed");
		return FAIL;
	}
	if (has_traversal(w, dec))
		return fail(w, strcmp(kind, "file") == 0 ? "file path traversal detected"
							  : "url path traversal detected");
	if ((rc = clean_path(w, dec, out)))
		return rc;
	if (out->len == 0) {
		if (strcmp(kind, "file") == 0)
			return fail(w, "file path is required");
		return putc_to(w, out, '/');
	}
	return 0;
}

/* net.SplitHostPort: 0 with host and port, or -1. */
static int split_host_port(const struct ws *w, struct span hp, struct span *host, struct span *port)
{
	size_t i = rfind_byte(w, hp, ':'), j = 0, k = 0;

	if (i == SIZE_MAX)
		return -1;
	if (hp.len > 0 && at(w, hp, 0) == '[') {
		size_t end = find_byte(w, hp, ']');

		if (end == SIZE_MAX || end + 1 != i)
			return -1;
		*host = sub(hp, 1, end);
		j = 1;
		k = end + 1;
	} else {
		*host = sub(hp, 0, i);
		if (find_byte(w, *host, ':') != SIZE_MAX)
			return -1;
	}
	if (find_byte(w, sub(hp, j, hp.len), '[') != SIZE_MAX)
		return -1;
	if (find_byte(w, sub(hp, k, hp.len), ']') != SIZE_MAX)
		return -1;
	*port = sub(hp, i + 1, hp.len);
	return 0;
}

static const char non_ascii_host[] = "url host must be ASCII (use punycode)";

/* normalizeHostPort */
static int host_port(struct ws *w, struct span raw, struct span *out)
{
	size_t st, n = rt_go_trim_space(ptr(w, raw), raw.len, &st);
	struct span t = sub(raw, st, st + n), name, port, hn, pn;
	int bracket = 0, rc;

	port.off = t.off;
	port.len = 0;
	if (t.len == 0)
		return fail(w, "url host is required");
	if (find_byte(w, t, '%') != SIZE_MAX)
		return fail(w, "invalid url host");
	if (at(w, t, 0) == '[') {
		if (at(w, t, t.len - 1) == ']') {
			name = t;
		} else {
			if (split_host_port(w, t, &hn, &pn))
				return fail(w, "invalid url host");
			name = hn;
			port = pn;
			bracket = find_byte(w, hn, ':') != SIZE_MAX;
		}
	} else if (count_byte(w, t, ':') > 1) {
		return fail(w, "invalid url host");
	} else if (find_byte(w, t, ':') != SIZE_MAX) {
		if (split_host_port(w, t, &hn, &pn))
			return fail(w, "invalid url host");
		name = hn;
		port = pn;
	} else {
		name = t;
	}
	if ((rc = lower_ascii(w, name, &hn, non_ascii_host)))
		return rc;
	if (hn.len == 0)
		return fail(w, "url host is required");
	*out = begin(w);
	if (bracket && putc_to(w, out, '['))
		return NOMEM;
	if (append_span(w, out, hn))
		return NOMEM;
	if (bracket && putc_to(w, out, ']'))
		return NOMEM;
	if (port.len > 0 && !span_is(w, port, "80") && !span_is(w, port, "443"))
		if (putc_to(w, out, ':') || append_span(w, out, port))
			return NOMEM;
	return 0;
}

static int join(struct ws *w, struct span *out, const char *prefix, struct span a,
		const char *mid, struct span b)
{
	*out = begin(w);
	if (rt_buf_puts(w->b, prefix))
		return NOMEM;
	out->len += strlen(prefix);
	if (append_span(w, out, a))
		return NOMEM;
	if (mid) {
		if (rt_buf_puts(w->b, mid))
			return NOMEM;
		out->len += strlen(mid);
	}
	return append_span(w, out, b);
}

/* repo:// and secret://: host and a single lower-cased path segment. */
static int single_segment(struct ws *w, const struct gurl *u, const char *scheme,
			  struct span *out)
{
	struct span host, name, p = u->path;
	char what[64];
	int rc;

	snprintf(what, sizeof what, "%s host is required", scheme);
	if (u->host.len == 0)
		return fail(w, what);
	snprintf(what, sizeof what, "%s host must be ASCII", scheme);
	if ((rc = lower_ascii(w, u->host, &host, what)))
		return rc;
	if (p.len > 0 && at(w, p, 0) == '/')
		p = sub(p, 1, p.len);
	snprintf(what, sizeof what, "%s name must be ASCII", scheme);
	if ((rc = lower_ascii(w, p, &name, what)))
		return rc;
	snprintf(what, sizeof what, "%s path must be single segment", scheme);
	if (name.len == 0 || find_byte(w, name, '/') != SIZE_MAX)
		return fail(w, what);
	/* Stricter than upstream: a backslash or a (decoded) encoded separator is
	 * a separator too (docs/nomos-compat.md "Action intake"). */
	if (find_byte(w, name, '\\') != SIZE_MAX || has_encoded_separator(w, name))
		return fail(w, what);
	snprintf(what, sizeof what, "%s name encoded control characters are not allowed", scheme);
	if (has_control(w, name) || has_control(w, host))
		return fail(w, what);
	snprintf(what, sizeof what, "%s://", scheme);
	return join(w, out, what, host, "/", name);
}

/* strings.HasPrefix(strings.ToLower(raw), "file://"): the first seven runes
 * must each lower-case to the prefix's bytes. */
static int is_file_prefix(const struct ws *w, struct span raw)
{
	const unsigned char *u = (const unsigned char *)ptr(w, raw);
	size_t i = 0, k, wd;

	for (k = 0; k < 7 && i < raw.len; k++) {
		(void)utf8_decode(u + i, raw.len - i, &wd);
		i += wd;
	}
	return k == 7 && go_lower_equals(ptr(w, raw), i, "file://");
}

static int builtin_resource(struct ws *w, struct span raw, struct span *out)
{
	struct gurl u;
	struct span s = raw, ep, path, host;
	int rc;

	if (is_file_prefix(w, raw)) {
		size_t i;

		s = begin(w);
		for (i = 0; i < raw.len; i++) {
			char c = (char)at(w, raw, i);

			if (putc_to(w, &s, c == '\\' ? '/' : c))
				return NOMEM;
		}
	}
	rc = go_url_parse(w, s, &u);
	if (rc == FAIL) {
		char reason[RT_NORMALIZE_ERRMAX];

		memcpy(reason, w->inner, sizeof reason);
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, "invalid resource uri: ");
		msg_puts(&w->m, reason);
		return FAIL;
	}
	if (rc)
		return rc;
	if (span_is(w, u.scheme, "file")) {
		if (u.host.len > 0 && !go_lower_equals(ptr(w, u.host), u.host.len, "workspace")) {
			msg_init(&w->m, w->inner, sizeof w->inner);
			msg_puts(&w->m, "unsupported file host ");
			msg_quote(&w->m, ptr(w, u.host), u.host.len);
			return FAIL;
		}
		if ((rc = escaped_path(w, &u, &ep)) || (rc = resource_path(w, ep, "file", &path)))
			return rc;
		host.off = 0;
		host.len = 0;
		return join(w, out, "file://workspace", host, NULL, path);
	}
	if (span_is(w, u.scheme, "repo"))
		return single_segment(w, &u, "repo", out);
	if (span_is(w, u.scheme, "secret"))
		return single_segment(w, &u, "secret", out);
	if (span_is(w, u.scheme, "url")) {
		if (u.has_user)
			return fail(w, "url userinfo is not allowed");
		if ((rc = host_port(w, u.host, &host)))
			return rc;
		if ((rc = escaped_path(w, &u, &ep)) || (rc = resource_path(w, ep, "url", &path)))
			return rc;
		return join(w, out, "url://", host, NULL, path);
	}
	msg_init(&w->m, w->inner, sizeof w->inner);
	msg_puts(&w->m, "unsupported resource scheme ");
	msg_quote(&w->m, ptr(w, u.scheme), u.scheme.len);
	return FAIL;
}

static int custom_resource(struct ws *w, struct span raw, struct span *out)
{
	struct gurl u;
	struct span ep, path, host;
	int rc;

	rc = go_url_parse(w, raw, &u);
	if (rc == FAIL) {
		char reason[RT_NORMALIZE_ERRMAX];

		memcpy(reason, w->inner, sizeof reason);
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, "invalid resource uri: ");
		msg_puts(&w->m, reason);
		return FAIL;
	}
	if (rc)
		return rc;
	if (u.has_user)
		return fail(w, "custom resource userinfo is not allowed");
	if (u.has_query)
		return fail(w, "custom resource query is not allowed");
	if (u.has_fragment)
		return fail(w, "custom resource fragment is not allowed");
	if (u.scheme.len == 0)
		return fail(w, "custom resource scheme is required");
	rc = host_port(w, u.host, &host);
	if (rc == FAIL) {
		char reason[RT_NORMALIZE_ERRMAX];

		memcpy(reason, w->inner, sizeof reason);
		msg_init(&w->m, w->inner, sizeof w->inner);
		msg_puts(&w->m, "invalid custom resource host: ");
		msg_puts(&w->m, reason);
		return FAIL;
	}
	if (rc)
		return rc;
	if ((rc = escaped_path(w, &u, &ep)) || (rc = resource_path(w, ep, "custom resource", &path)))
		return rc;
	if (join(w, out, "", u.scheme, "://", host))
		return NOMEM;
	return append_span(w, out, path);
}

/* ---- fast path --------------------------------------------------------------
 * Most resources are plain: "file://workspace/src/a.py", "url://api.example.com/v1".
 * For those, every step of the rendition above is the identity (no escape to
 * decode, no backslash, no query, no case to fold, nothing for path.Clean to
 * do), so the answer is the input with the file host spelled out. fast_path
 * takes only inputs that provably stay unchanged and leaves everything else,
 * including every error, to the full rendition; test_normalize compares the
 * two on random inputs near the boundary of what it takes. */

/* RFC 3986 unreserved bytes: Go's EscapedPath never escapes them. */
static int plain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* A path that path.Clean leaves alone and the traversal check accepts: "/" or
 * "/seg/seg" of plain bytes, no empty, "." or ".." segment, no trailing '/'. */
static int plain_path(const char *p, size_t n)
{
	size_t i = 0, seg;

	if (n == 1 && p[0] == '/')
		return 1;
	while (i < n) {
		if (p[i++] != '/')
			return 0;
		for (seg = i; i < n && p[i] != '/'; i++)
			if (!plain_byte((unsigned char)p[i]))
				return 0;
		if (i == seg || (i - seg == 1 && p[seg] == '.') ||
		    (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.'))
			return 0;
	}
	return n > 0;
}

/* Handles s[0..n) (trimmed) when it is plain: appends the normalized resource
 * to out and returns 1; returns 0 to defer to the full rendition, -1 on memory. */
static int fast_path(const char *s, size_t n, struct rt_buf *out)
{
	size_t h, i;

	if (n > 7 && !memcmp(s, "file://", 7)) {
		/* host "workspace" or empty (which means workspace) */
		h = n - 7 >= 9 && !memcmp(s + 7, "workspace", 9) ? 16 : 7;
		if (!plain_path(s + h, n - h))
			return 0;
		if (rt_buf_put(out, "file://workspace", 16) || rt_buf_put(out, s + h, n - h))
			return -1;
		return 1;
	}
	if (n > 6 && !memcmp(s, "url://", 6)) {
		/* lower-case host name without port, userinfo or brackets */
		for (i = 6; i < n && s[i] != '/'; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			      s[i] == '-' || s[i] == '.'))
				return 0;
		if (i == 6 || (i < n && !plain_path(s + i, n - i)))
			return 0;
		if (rt_buf_put(out, s, n) || (i == n && rt_buf_putc(out, '/')))
			return -1;
		return 1;
	}
	return 0;
}

int rt_normalize_resource(const char *action_type, size_t atlen, const char *resource,
			  size_t len, struct rt_buf *out, char *errmsg, size_t errlen)
{
	size_t st, n = rt_go_trim_space(resource, len, &st), base = out->len;
	int rc = fast_path(resource + st, n, out);

	if (rc == 1)
		return RT_NORMALIZE_OK;
	if (rc < 0) {
		out->len = base;
		if (errlen)
			snprintf(errmsg, errlen, "out of memory");
		return RT_NORMALIZE_ENOMEM;
	}
	return rt_normalize_resource_full(action_type, atlen, resource, len, out, errmsg, errlen);
}

int rt_normalize_resource_full(const char *action_type, size_t atlen, const char *resource,
			       size_t len, struct rt_buf *out, char *errmsg, size_t errlen)
{
	struct ws w;
	struct span raw, res;
	size_t base = out->len, ast = 0, st, n;
	int rc;

	w.b = out;
	w.inner[0] = '\0';
	n = rt_go_trim_space(resource, len, &st);
	if (n == 0) {
		rc = fail(&w, "resource is required");
		goto done;
	}
	/* Every step writes a transformed copy after the input; 8n covers the
	 * usual chains (escaping triples at most) and saves growing per byte. */
	if ((n <= (SIZE_MAX - 256) / 8 && (rc = reserve(out, 8 * n + 256))) ||
	    (rc = put_ext(&w, resource + st, n, &raw)))
		goto done;
	rc = builtin_resource(&w, raw, &res);
	if (rc == FAIL && action_type) {
		size_t atn = rt_go_trim_space(action_type, atlen, &ast);

		if (!rt_action_type_is_builtin(action_type + ast, atn)) {
			w.b->len = raw.off + raw.len;
			rc = custom_resource(&w, raw, &res);
		}
	}
	if (rc == 0) {
		/* Move the result to where the caller's data ended. */
		memmove(out->data + base, out->data + res.off, res.len);
		out->len = base + res.len;
		if (out->failed)
			rc = NOMEM;
	}
done:
	if (rc == 0)
		return RT_NORMALIZE_OK;
	if (errlen) {
		struct msgw m;

		msg_init(&m, errmsg, errlen);
		msg_puts(&m, rc == NOMEM || out->failed ? "out of memory" : w.inner);
	}
	out->len = base;
	return rc == NOMEM || out->failed ? RT_NORMALIZE_ENOMEM : RT_NORMALIZE_EINVALID;
}
