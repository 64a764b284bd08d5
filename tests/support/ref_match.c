/* ref_match.c: the spec's matchers, transcribed (see ref_match.h). Mirrors the
 * structure of upstream normalize.MatchPattern / matchSegments / matchSegment /
 * matchWildcard and exec_match.go, without any cleverness; and the plain DFA
 * walk that the VM runner's shortcuts must agree with. */
#include "tests/support/ref_match.h"

#include <stdlib.h>
#include <string.h>

#include "vm/vm_dfa.h"

struct seg {
	const char *p;
	size_t n;
};

/* Go strings.Split(s, "/"): n+1 segments for n slashes, empty ones kept. */
static struct seg *split(const char *s, size_t len, size_t *count)
{
	size_t n = 1, i, k = 0, start = 0;
	struct seg *v;

	for (i = 0; i < len; i++)
		n += s[i] == '/';
	v = malloc(n * sizeof *v);
	if (!v)
		return NULL;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			v[k].p = s + start;
			v[k].n = i - start;
			k++;
			start = i + 1;
		}
	}
	*count = n;
	return v;
}

static int wildcard(const char *p, size_t pn, const char *v, size_t vn)
{
	size_t i;

	if (pn == 0)
		return vn == 0;
	if (p[0] == '*') {
		for (i = 0; i <= vn; i++)
			if (wildcard(p + 1, pn - 1, v + i, vn - i))
				return 1;
		return 0;
	}
	if (vn == 0)
		return 0;
	if (p[0] == '?' || p[0] == v[0])
		return wildcard(p + 1, pn - 1, v + 1, vn - 1);
	return 0;
}

static int match_segment(const struct seg *p, const struct seg *v)
{
	if (p->n == 1 && p->p[0] == '*')
		return 1;
	if (!memchr(p->p, '*', p->n) && !memchr(p->p, '?', p->n))
		return p->n == v->n && memcmp(p->p, v->p, p->n) == 0;
	return wildcard(p->p, p->n, v->p, v->n);
}

static int match_segments(const struct seg *p, size_t pn, const struct seg *v, size_t vn)
{
	size_t i;

	if (pn == 0)
		return vn == 0;
	if (p[0].n == 2 && p[0].p[0] == '*' && p[0].p[1] == '*') {
		for (i = 0; i <= vn; i++)
			if (match_segments(p + 1, pn - 1, v + i, vn - i))
				return 1;
		return 0;
	}
	if (vn == 0)
		return 0;
	if (!match_segment(&p[0], &v[0]))
		return 0;
	return match_segments(p + 1, pn - 1, v + 1, vn - 1);
}

int ref_glob_match(const char *pat, size_t plen, const char *val, size_t vlen)
{
	struct seg *ps, *vs;
	size_t pn, vn;
	int r;

	if (memchr(pat, '\\', plen) || memchr(val, '\\', vlen))
		return -1;
	ps = split(pat, plen, &pn);
	vs = split(val, vlen, &vn);
	r = ps && vs ? match_segments(ps, pn, vs, vn) : 0;
	free(ps);
	free(vs);
	return r;
}

static int argv_rec(const char *const *pat, size_t np, const char *const *argv,
		   const size_t *alen, size_t na)
{
	size_t i, n;

	if (np == 0)
		return na == 0;
	if (strcmp(pat[0], "**") == 0) {
		for (i = 0; i <= na; i++)
			if (argv_rec(pat + 1, np - 1, argv + i, alen + i, na - i))
				return 1;
		return 0;
	}
	if (na == 0)
		return 0;
	n = strlen(pat[0]);
	if (strcmp(pat[0], "*") != 0 && (n != alen[0] || memcmp(pat[0], argv[0], n) != 0))
		return 0;
	return argv_rec(pat + 1, np - 1, argv + 1, alen + 1, na - 1);
}

int ref_argv_match(const char *const *pat, size_t np, const char *const *argv,
		   const size_t *argvlen, size_t na)
{
	return argv_rec(pat, np, argv, argvlen, na);
}

uint32_t ref_dfa_walk(const uint8_t *blob, const uint8_t *in, size_t n, const uint8_t **ids)
{
	const uint8_t *cls = blob + VM_DFA_CLASSMAP, *t, *acc;
	uint32_t nc, width, s;
	size_t i;

	if (vm_dfa_rd16(blob + 6) != VM_DFA_KIND_DFA)
		return vm_dfa_match(blob, in, n, ids);
	nc = vm_dfa_rd32(blob + 16);
	width = vm_dfa_rd32(blob + 24);
	t = blob + vm_dfa_rd32(blob + 32);
	acc = blob + vm_dfa_rd32(blob + 36);
	s = vm_dfa_rd32(blob + 20);
	for (i = 0; i < n; i++) {
		size_t at = ((size_t)s * (nc + 1) + cls[in[i]]) * width;
		uint32_t to = width == 2 ? vm_dfa_rd16(t + at) : vm_dfa_rd32(t + at);

		s = to / ((nc + 1) * width);
	}
	*ids = blob + vm_dfa_rd32(blob + 40) + 4 * (size_t)vm_dfa_rd32(acc + 8 * (size_t)s);
	return vm_dfa_rd32(acc + 8 * (size_t)s + 4);
}
