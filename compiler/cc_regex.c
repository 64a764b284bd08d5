/* cc_regex.c: the DSL's regex subset (RE2 syntax, byte-oriented, whole-string
 * match; docs/automata.md) -> parse tree -> Thompson NFA over "/" + value, the
 * same form cc_glob.c produces, so globs and regexes share one DFA. Anything
 * outside the subset is an error carrying its byte offset in the pattern. */
#include <stdio.h>
#include <string.h>

#include "compiler/cc_automata.h"

#define RE_MAX_DEPTH 200
#define RE_MAX_REPEAT 1000

enum re_op { RE_EMPTY, RE_SET, RE_CAT, RE_ALT, RE_REP };

struct re_node {
	enum re_op op;
	uint8_t set[32];        /* RE_SET */
	struct re_node **kids;  /* RE_CAT, RE_ALT */
	size_t n;
	struct re_node *kid;    /* RE_REP */
	int min, max;           /* RE_REP; max -1 = unbounded */
};

struct re_parser {
	struct cc_arena *a;
	const unsigned char *s;
	size_t len, i;
	int depth;
	size_t err_off;
	char *msg;
	size_t msglen;
	int failed; /* -1 syntax, -2 memory */
};

static struct re_node *fail_at(struct re_parser *p, size_t off, const char *m)
{
	if (!p->failed) {
		p->failed = -1;
		p->err_off = off;
		if (p->msg && p->msglen)
			snprintf(p->msg, p->msglen, "%s", m);
	}
	return NULL;
}

static struct re_node *node(struct re_parser *p, enum re_op op)
{
	struct re_node *n = cc_arena_alloc(p->a, sizeof *n);

	if (!n) {
		p->failed = -2;
		return NULL;
	}
	n->op = op;
	return n;
}

/* Folds nodes that match only the empty string into RE_EMPTY and unwraps
 * one-child concatenations and alternations. Then every node left that is
 * not RE_EMPTY creates NFA states each time it is built, so building is
 * bounded by the NFA state limit: without this, (((){1000}){1000}){1000}
 * would take 10^9 build steps and create no state at all. */
static struct re_node *simplify(struct re_node *n)
{
	size_t i, w = 0;

	switch (n->op) {
	case RE_CAT:
		for (i = 0; i < n->n; i++)
			if (n->kids[i]->op != RE_EMPTY)
				n->kids[w++] = n->kids[i];
		n->n = w;
		if (w == 0)
			n->op = RE_EMPTY;
		return w == 1 ? n->kids[0] : n;
	case RE_ALT:
		for (i = 0; i < n->n && n->kids[i]->op == RE_EMPTY; i++)
			;
		if (i == n->n)
			n->op = RE_EMPTY;
		return n->op == RE_ALT && n->n == 1 ? n->kids[0] : n;
	case RE_REP:
		if (n->kid->op == RE_EMPTY || n->max == 0)
			n->op = RE_EMPTY;
		else if (n->min == 1 && n->max == 1)
			return n->kid;
		return n;
	default:
		return n;
	}
}

static void set_add(uint8_t set[32], unsigned c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static void set_range(uint8_t set[32], unsigned lo, unsigned hi)
{
	unsigned c;

	for (c = lo; c <= hi; c++)
		set_add(set, c);
}

static void set_invert(uint8_t set[32])
{
	size_t i;

	for (i = 0; i < 32; i++)
		set[i] = (uint8_t)~set[i];
}

/* Perl classes \d \w \s (and their negations) into set. Returns 0 if c is
 * not one of them. */
static int perl_class(uint8_t set[32], unsigned c)
{
	uint8_t t[32];
	size_t i;

	memset(t, 0, sizeof t);
	switch (c | 0x20) {
	case 'd':
		set_range(t, '0', '9');
		break;
	case 'w':
		set_range(t, '0', '9');
		set_range(t, 'a', 'z');
		set_range(t, 'A', 'Z');
		set_add(t, '_');
		break;
	case 's':
		set_add(t, ' ');
		set_add(t, '\t');
		set_add(t, '\n');
		set_add(t, '\f');
		set_add(t, '\r');
		break;
	default:
		return 0;
	}
	if (c >= 'A' && c <= 'Z')
		set_invert(t);
	for (i = 0; i < 32; i++)
		set[i] |= t[i];
	return 1;
}

static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (int)((c | 0x20) - 'a' + 10);
	return -1;
}

/* Parses an escape after the backslash at p->i - 1. Returns a single byte
 * (0..255), 256 when a Perl class was added to set, or -1 on error. */
static int escape(struct re_parser *p, uint8_t set[32])
{
	size_t at = p->i - 1;
	unsigned c;
	int h1, h2;

	if (p->i >= p->len) {
		fail_at(p, at, "trailing backslash at end of expression");
		return -1;
	}
	c = p->s[p->i++];
	if (perl_class(set, c))
		return 256;
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'a': return '\a';
	case 'x':
		if (p->i + 2 > p->len || (h1 = hexval(p->s[p->i])) < 0 ||
		    (h2 = hexval(p->s[p->i + 1])) < 0) {
			fail_at(p, at, "invalid escape \\x: write exactly two hex digits, e.g. \\x2f");
			return -1;
		}
		p->i += 2;
		return h1 * 16 + h2;
	default:
		break;
	}
	if (c < 0x80 && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9'))
		return (int)c; /* escaped punctuation is itself */
	fail_at(p, at, "unsupported escape sequence (supported: \\d \\w \\s \\D \\W \\S "
		       "\\n \\t \\r \\f \\v \\a \\xHH and escaped punctuation)");
	return -1;
}

static struct re_node *parse_class(struct re_parser *p)
{
	size_t open = p->i - 1;
	struct re_node *n = node(p, RE_SET);
	int neg = 0, first = 1;

	if (!n)
		return NULL;
	if (p->i < p->len && p->s[p->i] == '^') {
		neg = 1;
		p->i++;
	}
	for (;;) {
		size_t at = p->i;
		int lo, hi;

		if (p->i >= p->len)
			return fail_at(p, open, "missing closing ] of character class");
		if (p->s[p->i] == ']' && !first) {
			p->i++;
			break;
		}
		first = 0;
		if (p->s[p->i] == '[' && p->i + 1 < p->len && p->s[p->i + 1] == ':')
			return fail_at(p, at, "POSIX classes [:name:] are not supported; use a range");
		if (p->s[p->i] >= 0x80)
			return fail_at(p, at, "non-ASCII bytes in a character class are not supported");
		if (p->s[p->i] == '\\') {
			p->i++;
			lo = escape(p, n->set);
			if (lo < 0)
				return NULL;
			if (lo == 256)
				continue;
		} else {
			lo = p->s[p->i++];
		}
		hi = lo;
		if (p->i + 1 < p->len && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
			size_t rat = p->i + 1;

			p->i++;
			if (p->s[p->i] >= 0x80)
				return fail_at(p, rat, "non-ASCII bytes in a character class are not supported");
			if (p->s[p->i] == '\\') {
				uint8_t dummy[32];

				p->i++;
				memset(dummy, 0, sizeof dummy);
				hi = escape(p, dummy);
				if (hi < 0)
					return NULL;
				if (hi == 256)
					return fail_at(p, rat, "a class like \\d cannot end a range");
			} else {
				hi = p->s[p->i++];
			}
			if (hi < lo)
				return fail_at(p, at, "invalid character class range: the end is before the start");
		}
		set_range(n->set, (unsigned)lo, (unsigned)hi);
	}
	if (neg)
		set_invert(n->set);
	return n;
}

static struct re_node *parse_alt(struct re_parser *p);

static struct re_node *parse_atom(struct re_parser *p)
{
	size_t at = p->i;
	unsigned c = p->s[p->i++];
	struct re_node *n;
	int e;

	switch (c) {
	case '(':
		if (p->i < p->len && p->s[p->i] == '?') {
			if (p->i + 1 < p->len && p->s[p->i + 1] == ':')
				p->i += 2;
			else
				return fail_at(p, at, "only (?:...) groups are supported (no flags, "
						      "named groups or lookaround)");
		}
		if (++p->depth > RE_MAX_DEPTH)
			return fail_at(p, at, "groups nested too deeply");
		n = parse_alt(p);
		p->depth--;
		if (!n)
			return NULL;
		if (p->i >= p->len || p->s[p->i] != ')')
			return fail_at(p, at, "missing closing )");
		p->i++;
		return n;
	case ')':
		return fail_at(p, at, "unexpected ): no group is open");
	case '[':
		return parse_class(p);
	case '.':
		n = node(p, RE_SET);
		if (n) {
			memset(n->set, 0xff, 32);
			n->set['\n' >> 3] &= (uint8_t) ~(1u << ('\n' & 7));
		}
		return n;
	case '*':
	case '+':
	case '?':
		return fail_at(p, at, "missing argument to repetition operator");
	case '{':
		return fail_at(p, at, "unexpected {: write \\{ for a literal brace");
	case '^':
		if (at != 0)
			return fail_at(p, at, "^ is only allowed at the start (matching is whole-string)");
		return node(p, RE_EMPTY);
	case '$':
		if (p->i != p->len)
			return fail_at(p, at, "$ is only allowed at the end (matching is whole-string)");
		return node(p, RE_EMPTY);
	case '\\':
		n = node(p, RE_SET);
		if (!n)
			return NULL;
		e = escape(p, n->set);
		if (e < 0)
			return NULL;
		if (e < 256)
			set_add(n->set, (unsigned)e);
		return n;
	default:
		break;
	}
	if (c >= 0x80) {
		/* A non-ASCII literal is its whole UTF-8 sequence, so a following
		 * repetition applies to the character, not to its last byte. */
		size_t end = p->i, k;

		while (end < p->len && end - at < 4 && (p->s[end] & 0xc0) == 0x80)
			end++;
		if (end - at > 1) {
			n = node(p, RE_CAT);
			if (!n)
				return NULL;
			n->kids = cc_arena_array(p->a, end - at, sizeof *n->kids);
			if (!n->kids) {
				p->failed = -2;
				return NULL;
			}
			for (k = at; k < end; k++) {
				struct re_node *b = node(p, RE_SET);

				if (!b)
					return NULL;
				set_add(b->set, p->s[k]);
				n->kids[n->n++] = b;
			}
			p->i = end;
			return n;
		}
	}
	n = node(p, RE_SET);
	if (n)
		set_add(n->set, c);
	return n;
}

/* Reads a decimal count at p->i; -1 if none, -2 if too large. */
static int count(struct re_parser *p)
{
	int v = 0, any = 0;

	while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
		v = v * 10 + (p->s[p->i++] - '0');
		any = 1;
		if (v > RE_MAX_REPEAT)
			return -2;
	}
	return any ? v : -1;
}

static struct re_node *parse_repeat(struct re_parser *p)
{
	struct re_node *n = parse_atom(p), *r;
	int reps = 0;

	while (n && p->i < p->len) {
		size_t at = p->i;
		unsigned c = p->s[p->i];
		int min, max;

		if (c == '*' || c == '+' || c == '?') {
			p->i++;
			min = c == '+' ? 1 : 0;
			max = c == '?' ? 1 : -1;
		} else if (c == '{') {
			p->i++;
			min = count(p);
			max = min;
			if (min >= 0 && p->i < p->len && p->s[p->i] == ',') {
				p->i++;
				max = count(p); /* -1: {m,} is unbounded */
			}
			if (min == -2 || max == -2)
				return fail_at(p, at, "repetition count above the limit of 1000");
			if (min < 0 || p->i >= p->len || p->s[p->i] != '}')
				return fail_at(p, at, "invalid repetition: write {m}, {m,} or {m,n}, "
						      "or \\{ for a literal brace");
			p->i++;
			if (max >= 0 && max < min)
				return fail_at(p, at, "invalid repetition: {m,n} needs m <= n");
		} else {
			break;
		}
		if (reps++)
			return fail_at(p, at, "bad repetition operator: a repetition cannot be repeated");
		/* A lazy marker changes nothing for a whole-string match. */
		if (p->i < p->len && p->s[p->i] == '?')
			p->i++;
		r = node(p, RE_REP);
		if (!r)
			return NULL;
		r->kid = n;
		r->min = min;
		r->max = max;
		n = simplify(r);
	}
	return n;
}

static int push(struct re_parser *p, struct re_node *n, struct re_node *k, size_t *cap)
{
	if (n->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct re_node **g = cc_arena_grow(p->a, n->kids, *cap, nc, sizeof *g);

		if (!g) {
			p->failed = -2;
			return -1;
		}
		n->kids = g;
		*cap = nc;
	}
	n->kids[n->n++] = k;
	return 0;
}

static struct re_node *parse_cat(struct re_parser *p)
{
	struct re_node *n = node(p, RE_CAT), *k;
	size_t cap = 0;

	if (!n)
		return NULL;
	while (p->i < p->len && p->s[p->i] != '|' && p->s[p->i] != ')') {
		k = parse_repeat(p);
		if (!k || push(p, n, k, &cap) != 0)
			return NULL;
	}
	return simplify(n);
}

static struct re_node *parse_alt(struct re_parser *p)
{
	struct re_node *n = node(p, RE_ALT), *k;
	size_t cap = 0;

	if (!n)
		return NULL;
	for (;;) {
		k = parse_cat(p);
		if (!k || push(p, n, k, &cap) != 0)
			return NULL;
		if (p->i >= p->len || p->s[p->i] != '|')
			return simplify(n);
		p->i++;
	}
}

static struct re_node *parse(struct re_parser *p, struct cc_arena *a, const char *re, size_t len,
			     char *msg, size_t msglen)
{
	struct re_node *n;

	memset(p, 0, sizeof *p);
	p->a = a;
	p->s = (const unsigned char *)re;
	p->len = len;
	p->msg = msg;
	p->msglen = msglen;
	n = parse_alt(p);
	if (n && p->i < p->len)
		return fail_at(p, p->i, "unexpected ): no group is open");
	return p->failed ? NULL : n;
}

/* Builds n followed by next, right to left. CC_NFA_NONE on failure. */
static uint32_t build(struct cc_nfa *nfa, const struct re_node *n, uint32_t next, int depth)
{
	uint32_t e, acc, loop;
	size_t i;
	int k;

	if (nfa->failed || depth > 4 * RE_MAX_DEPTH + 8)
		return CC_NFA_NONE;
	switch (n->op) {
	case RE_EMPTY:
		return next;
	case RE_SET:
		return cc_nfa_char(nfa, n->set, next);
	case RE_CAT:
		for (i = n->n; i-- > 0;)
			if ((next = build(nfa, n->kids[i], next, depth + 1)) == CC_NFA_NONE)
				return CC_NFA_NONE;
		return next;
	case RE_ALT:
		acc = build(nfa, n->kids[n->n - 1], next, depth + 1);
		for (i = n->n - 1; i-- > 0 && acc != CC_NFA_NONE;) {
			e = build(nfa, n->kids[i], next, depth + 1);
			acc = e == CC_NFA_NONE ? e : cc_nfa_split(nfa, e, acc);
		}
		return acc;
	case RE_REP:
		if (n->max < 0) {
			loop = cc_nfa_split(nfa, CC_NFA_NONE, next);
			if (loop == CC_NFA_NONE)
				return loop;
			e = build(nfa, n->kid, loop, depth + 1);
			if (e == CC_NFA_NONE)
				return e;
			nfa->st[loop].out = e;
			next = loop;
		} else {
			acc = next;
			for (k = n->min; k < n->max; k++) {
				e = build(nfa, n->kid, acc, depth + 1);
				if (e == CC_NFA_NONE)
					return e;
				acc = cc_nfa_split(nfa, e, next);
				if (acc == CC_NFA_NONE)
					return acc;
			}
			next = acc;
		}
		for (k = 0; k < n->min; k++)
			if ((next = build(nfa, n->kid, next, depth + 1)) == CC_NFA_NONE)
				return CC_NFA_NONE;
		return next;
	}
	return CC_NFA_NONE;
}

int cc_regex_nfa(struct cc_nfa *nfa, const char *re, size_t len, uint32_t next,
		 uint32_t *entry, size_t *err_offset, char *msg, size_t msglen)
{
	struct re_parser p;
	struct cc_arena tmp;
	struct re_node *n;
	uint32_t e, saved = nfa->limit;

	cc_arena_init(&tmp);
	n = parse(&p, &tmp, re, len, msg, msglen);
	if (!n) {
		cc_arena_free(&tmp);
		if (p.failed == -1 && err_offset)
			*err_offset = p.err_off;
		return p.failed == -1 ? -1 : -2;
	}
	/* One regex may not take more than CC_REGEX_MAX_STATES NFA states. */
	if (nfa->n < saved && saved - nfa->n > CC_REGEX_MAX_STATES)
		nfa->limit = nfa->n + CC_REGEX_MAX_STATES;
	e = build(nfa, n, next, 0);
	if (e != CC_NFA_NONE)
		e = cc_nfa_byte(nfa, '/', e);
	nfa->limit = saved;
	cc_arena_free(&tmp);
	if (e == CC_NFA_NONE) {
		if (err_offset)
			*err_offset = 0;
		if (msg && msglen)
			snprintf(msg, msglen, "regex too large: more than %u automaton states "
				 "(reduce repetition counts)", (unsigned)CC_REGEX_MAX_STATES);
		if (nfa->failed == -2)
			return -2;
		nfa->failed = 0; /* the limit was this regex's own */
		return -1;
	}
	*entry = e;
	return 0;
}

int cc_regex_check(const char *re, size_t len, size_t *err_offset, char *msg, size_t msglen)
{
	struct re_parser p;
	struct cc_arena tmp;
	struct re_node *n;

	cc_arena_init(&tmp);
	n = parse(&p, &tmp, re, len, msg, msglen);
	cc_arena_free(&tmp);
	if (n)
		return 0;
	if (err_offset)
		*err_offset = p.failed == -1 ? p.err_off : 0;
	if (p.failed == -2 && msg && msglen)
		snprintf(msg, msglen, "out of memory");
	return -1;
}
