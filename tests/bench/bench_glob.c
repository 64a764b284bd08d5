/* bench_glob.c: time per match of ~50-byte resources against 15, 100, 1,000 and
 * 10,000 generated glob patterns, for the compiled automata (vm_dfa_match over
 * every blob of the set) and for the reference matcher looping over every
 * pattern (what upstream does); plus compile time. Prints ratios in one run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/cc_automata.h"
#include "tests/support/ref_match.h"
#include "vm/vm_dfa.h"

#define NRES 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *ext[] = {"go", "md", "env", "yaml", "json", "ts", "py"};

/* Realistic rule resources: workspace trees, hosts, single-level files. */
static void gen_patterns(struct cc_pattern *p, char (*text)[80], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (i % 4) {
		case 0:
			snprintf(text[i], 80, "file://workspace/dir%zu/**/*.%s", i, ext[i % 7]);
			break;
		case 1:
			snprintf(text[i], 80, "url://host%zu.example.com/**", i);
			break;
		case 2:
			snprintf(text[i], 80, "file://workspace/dir%zu/src/*.%s", i, ext[i % 7]);
			break;
		default:
			snprintf(text[i], 80, "url://api.example.com/v%zu/*/items/**", i);
			break;
		}
		p[i].text = text[i];
		p[i].len = strlen(text[i]);
		p[i].kind = CC_MATCH_GLOB;
		p[i].id = (uint32_t)i;
	}
}

/* ~50-byte resources. Set 0 ("hit"): each matches a pattern with id < 15, so
 * every pattern set has to read it to the end. Set 1 ("mixed"): ids spread
 * over 0..255 and foreign hosts, so small sets reject most of them early. */
static void gen_resources(char (*res)[96], size_t *len, int mixed)
{
	static const char *tails[] = {"src/components/button", "a/b/c/d/e/f/g", "lib/util/strings", "docs/guide/intro"};
	size_t i, id;

	for (i = 0; i < NRES; i++) {
		id = mixed ? i * 4 : (i % 4) * 4;
		switch (i % 4) {
		case 0:
			snprintf(res[i], 96, "file://workspace/dir%zu/%s/module.%s", id,
				 tails[i / 4 % 4], ext[id % 7]);
			break;
		case 1:
			snprintf(res[i], 96, "url://host%zu.example.com/api/v1/users/%zu/profile", id + 1,
				 1000 + i);
			break;
		case 2:
			snprintf(res[i], 96, "file://workspace/dir%zu/src/main_module_file_%zu.%s", id + 2,
				 i, ext[(id + 2) % 7]);
			break;
		default:
			if (mixed)
				snprintf(res[i], 96, "url://other%zu.example.org/some/long/path", i);
			else
				snprintf(res[i], 96, "url://api.example.com/v%zu/u%zu/items/1/2/3/4/5/6",
					 id + 3, i);
			break;
		}
		len[i] = strlen(res[i]);
	}
}

static double time_automata(const struct cc_automata *set, char (*res)[96], const size_t *len,
			    size_t *hits)
{
	size_t iters = 0, r, i;
	double t0 = now(), t;
	uint32_t total = 0;

	do {
		for (r = 0; r < NRES; r++)
			for (i = 0; i < set->n; i++) {
				const uint8_t *ids;

				total += vm_dfa_match(set->items[i].blob, (const uint8_t *)res[r],
						      len[r], &ids);
			}
		iters += NRES;
		t = now() - t0;
	} while (t < 0.3);
	*hits = total;
	return t / (double)iters;
}

static double time_ref(const struct cc_pattern *p, size_t n, char (*res)[96], const size_t *len)
{
	size_t iters = 0, r, i;
	double t0 = now(), t;
	volatile int sink = 0;

	do {
		for (r = 0; r < NRES; r++)
			for (i = 0; i < n; i++)
				sink += ref_glob_match(p[i].text, p[i].len, res[r], len[r]);
		iters += NRES;
		t = now() - t0;
	} while (t < 0.3);
	(void)sink;
	return t / (double)iters;
}

int main(void)
{
	static const size_t sizes[] = {15, 100, 1000, 10000};
	static char text[10000][80];
	static struct cc_pattern pats[10000];
	char res[NRES][96], mres[NRES][96];
	size_t len[NRES], mlen[NRES], k, hits, mhits, avg = 0;
	double base = 0, mbase = 0, compile10k = 0;
	int ok = 1;

	gen_patterns(pats, text, 10000);
	gen_resources(res, len, 0);
	gen_resources(mres, mlen, 1);
	for (k = 0; k < NRES; k++)
		avg += len[k];
	printf("resources: %d per set, %zu bytes on average; times are per resource, "
	       "all patterns\n", NRES, avg / NRES);
	printf("%-8s %10s %5s %6s %8s %8s %9s %10s %9s %9s\n", "patterns", "compile_ms", "autom",
	       "states", "hit_ns", "mixed_ns", "ref_ns", "hit/hit15", "mix/mix15", "ref/hit");
	for (k = 0; k < 4; k++) {
		struct cc_arena a;
		struct cc_automata set;
		struct cc_automata_error err;
		double t0, tc, ta, tm, tr;
		size_t i, states = 0;

		cc_arena_init(&a);
		t0 = now();
		if (cc_automata_build(&a, pats, sizes[k], NULL, &set, &err) != 0) {
			fprintf(stderr, "bench_glob: build failed: %s\n", err.msg);
			return 1;
		}
		tc = now() - t0;
		for (i = 0; i < set.n; i++)
			states += set.items[i].n_states;
		ta = time_automata(&set, res, len, &hits);
		tm = time_automata(&set, mres, mlen, &mhits);
		tr = time_ref(pats, sizes[k], res, len);
		if (k == 0) {
			base = ta;
			mbase = tm;
		}
		if (sizes[k] == 10000)
			compile10k = tc;
		printf("%-8zu %10.1f %5zu %6zu %8.1f %8.1f %9.0f %10.2f %9.2f %9.0f\n", sizes[k],
		       tc * 1e3, set.n, states, ta * 1e9, tm * 1e9, tr * 1e9, ta / base, tm / mbase,
		       tr / ta);
		if (sizes[k] == 10000 && ta / base > 1.5)
			ok = 0;
		cc_arena_free(&a);
	}
	printf("targets: 10,000-pattern match <= 1.5x the 15-pattern match: %s; "
	       "compile 10,000 patterns < 1 s: %s (%.3f s)\n",
	       ok ? "met" : "MISSED", compile10k < 1.0 ? "met" : "MISSED", compile10k);
	return 0;
}
