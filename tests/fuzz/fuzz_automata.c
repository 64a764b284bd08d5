/* fuzz_automata.c: libFuzzer target. The input is a mode byte then lines:
 * patterns, an empty line, values. Globs (and argv patterns, tokens split on
 * ' ') are compiled and compared with the reference matchers on every pair;
 * regexes are compiled and run; every run of a compiled automaton is also
 * compared with the plain table walk (ref_dfa_walk), which ignores the
 * prefix and the accelerated states. The raw input is fed to the blob
 * verifiers as a hostile automaton: if one is accepted, its runs must agree
 * with the plain walk too. Any disagreement aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_automata.h"
#include "tests/support/ref_match.h"
#include "vm/vm_argv.h"
#include "vm/vm_dfa.h"

#define MAXL 16
#define MAXT 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* vm_dfa_match of a verified blob, aborting unless the plain walk agrees. */
static uint32_t match_checked(const uint8_t *blob, const uint8_t *in, size_t n, const uint8_t **ids)
{
	const uint8_t *rids;
	uint32_t k = vm_dfa_match(blob, in, n, ids), rk = ref_dfa_walk(blob, in, n, &rids);

	if (k != rk || (k && memcmp(*ids, rids, 4 * (size_t)k) != 0))
		abort();
	return k;
}

struct line {
	const char *p;
	size_t n;
};

static size_t stars(const struct line *l)
{
	size_t i, k = 0;

	for (i = 0; i < l->n; i++)
		k += l->p[i] == '*';
	return k;
}

static size_t split_tokens(const struct line *l, char tok[MAXT][65], const char **ptr,
			   size_t *len)
{
	size_t n = 0, i = 0, start = 0;

	for (i = 0; i <= l->n && n < MAXT; i++) {
		if (i == l->n || l->p[i] == ' ') {
			size_t k = i - start < 64 ? i - start : 64;

			memcpy(tok[n], l->p + start, k);
			tok[n][k] = '\0';
			ptr[n] = tok[n];
			len[n] = strlen(tok[n]); /* the reference sees C strings */
			n++;
			start = i + 1;
		}
	}
	return n;
}

static void argv_mode(const struct line *pl, size_t np, const struct line *vl, size_t nv)
{
	struct cc_arena a;
	size_t i, j, k;

	cc_arena_init(&a);
	for (i = 0; i < np; i++) {
		char pt[MAXT][65];
		const char *pp[MAXT];
		size_t plen[MAXT], npt = split_tokens(&pl[i], pt, pp, plen);
		struct cc_argv_token toks[MAXT];
		uint8_t *blob;
		size_t blen;
		const char *why;

		memset(toks, 0, sizeof toks);
		for (k = 0; k < npt; k++) {
			toks[k].text.s = pp[k];
			toks[k].text.len = plen[k];
			toks[k].kind = CC_MATCH_GLOB;
		}
		if (cc_argv_blob(&a, toks, npt, &blob, &blen, NULL) != 0)
			abort();
		if (vm_argv_verify(blob, blen, &why) != 0)
			abort();
		for (j = 0; j < nv; j++) {
			char vt[MAXT][65];
			const char *vp[MAXT];
			size_t vlen[MAXT], nvt = split_tokens(&vl[j], vt, vp, vlen);
			struct vm_bytes av[MAXT];

			for (k = 0; k < nvt; k++) {
				av[k].p = (const uint8_t *)vp[k];
				av[k].n = vlen[k];
			}
			if (vm_argv_match(blob, blen, av, nvt) !=
			    ref_argv_match(pp, npt, vp, vlen, nvt))
				abort();
		}
	}
	cc_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line pl[MAXL], vl[MAXL];
	struct cc_pattern pats[MAXL];
	struct cc_automata_limits lim;
	struct cc_automata set;
	struct cc_arena a;
	size_t np = 0, nv = 0, i, j, start;
	int in_values = 0;
	uint8_t mode;
	const char *why;

	if (size == 0)
		return 0;
	/* The raw bytes as a hostile blob: verify, and run only if accepted. */
	if (vm_dfa_verify(data, size & ~(size_t)7, 64, &why) == 0) {
		static const char *const probe[] = {"file://workspace/a", "", "a", "\\x/y",
						    "file://workspace/a/b/c/d/e/f/g/h/i/j/k.md"};
		const uint8_t *ids;
		size_t k;

		for (k = 0; k < sizeof probe / sizeof *probe; k++)
			(void)match_checked(data, (const uint8_t *)probe[k], strlen(probe[k]), &ids);
		(void)match_checked(data, data, size, &ids);
	}
	if (vm_argv_verify(data, size & ~(size_t)7, &why) == 0) {
		struct vm_bytes av[2] = {{(const uint8_t *)"git", 3}, {(const uint8_t *)"", 0}};

		(void)vm_argv_match(data, size & ~(size_t)7, av, 2);
	}
	mode = data[0];
	for (i = 1, start = 1; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (i == start && !in_values) {
			in_values = 1;
		} else if (!in_values && np < MAXL) {
			pl[np].p = (const char *)data + start;
			pl[np].n = i - start > 64 ? 64 : i - start;
			/* Keep the exponential reference matcher tractable. */
			if (stars(&pl[np]) <= 6)
				np++;
		} else if (in_values && nv < MAXL) {
			vl[nv].p = (const char *)data + start;
			vl[nv].n = i - start > 64 ? 64 : i - start;
			nv++;
		}
		start = i + 1;
	}
	if (mode & 4) {
		argv_mode(pl, np, vl, nv);
		return 0;
	}
	cc_automata_default_limits(&lim);
	if (mode & 1) {
		lim.max_states = 16;
		lim.states_per_byte = 1;
		lim.base_states = 2;
	}
	for (i = 0; i < np; i++) {
		pats[i].text = pl[i].p;
		pats[i].len = pl[i].n;
		pats[i].kind = mode & 2 ? CC_MATCH_REGEX : CC_MATCH_GLOB;
		pats[i].id = (uint32_t)i;
	}
	cc_arena_init(&a);
	if (cc_automata_build(&a, pats, np, &lim, &set, NULL) != 0) {
		if (!(mode & 2))
			abort(); /* every glob compiles */
		cc_arena_free(&a);
		return 0;
	}
	for (i = 0; i < set.n; i++)
		if (vm_dfa_verify(set.items[i].blob, set.items[i].len, (uint32_t)np + 1, &why) != 0)
			abort();
	for (j = 0; j < nv; j++) {
		unsigned char hit[MAXL];

		memset(hit, 0, sizeof hit);
		for (i = 0; i < set.n; i++) {
			const uint8_t *ids;
			uint32_t k, n = match_checked(set.items[i].blob, (const uint8_t *)vl[j].p,
						      vl[j].n, &ids);

			for (k = 0; k < n; k++)
				hit[vm_dfa_rd32(ids + 4 * k)] = 1;
		}
		if (mode & 2)
			continue;
		for (i = 0; i < np; i++)
			if (hit[i] != (ref_glob_match(pl[i].p, pl[i].n, vl[j].p, vl[j].n) == 1))
				abort();
	}
	cc_arena_free(&a);
	return 0;
}
