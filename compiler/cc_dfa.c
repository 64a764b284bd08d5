/* cc_dfa.c: pattern sets -> automaton blobs (vm/vm_dfa.h). All patterns go into
 * one Thompson NFA; a group of them becomes a DFA by subset construction over
 * byte classes, under a state and a work budget, then Hopcroft minimization,
 * then the blob (forced prefix, accelerated states, renumbered states). A set
 * over budget is packed into several DFAs in input order (so the cut is
 * deterministic); a single pattern over budget becomes a bounded NFA blob.
 * The work of the whole compilation is bounded too (docs/automata.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_automata.h"
#include "vm/vm_dfa.h"

#define NFA_HARD_LIMIT (1u << 26)

/* ---- NFA construction ------------------------------------------------------ */

void cc_nfa_init(struct cc_nfa *nfa, struct cc_arena *a, uint32_t limit)
{
	memset(nfa, 0, sizeof *nfa);
	nfa->a = a;
	nfa->limit = limit;
}

/* Final mix of a multiplicative hash: a product's low bits depend only on
 * the factors' low bits, and tables index by the low bits. */
static uint32_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Hash of a 32-byte label, four 64-bit words at a time. */
static uint32_t label_hash(const uint8_t set[32])
{
	uint64_t h = 0x9e3779b97f4a7c15u, w;
	size_t i;

	for (i = 0; i < 32; i += 8) {
		memcpy(&w, set + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
	}
	return mix64(h);
}

static uint32_t add_state(struct cc_nfa *nfa, uint32_t op, uint32_t label, uint32_t out,
			  uint32_t out1)
{
	if (nfa->failed)
		return CC_NFA_NONE;
	if (nfa->n >= nfa->limit) {
		nfa->failed = -1;
		return CC_NFA_NONE;
	}
	if (nfa->n == nfa->cap) {
		uint32_t nc = nfa->cap ? nfa->cap * 2 : 256;
		struct cc_nfa_state *g = cc_arena_grow(nfa->a, nfa->st, nfa->cap, nc, sizeof *g);

		if (!g) {
			nfa->failed = -2;
			return CC_NFA_NONE;
		}
		nfa->st = g;
		nfa->cap = nc;
	}
	nfa->st[nfa->n].op = op;
	nfa->st[nfa->n].label = label;
	nfa->st[nfa->n].out = out;
	nfa->st[nfa->n].out1 = out1;
	return nfa->n++;
}

/* Interns a 32-byte label; returns its index or CC_NFA_NONE. */
static uint32_t intern_label(struct cc_nfa *nfa, const uint8_t set[32])
{
	uint32_t h, i, mask;

	if (nfa->nlab * 2 >= nfa->labhcap) {
		uint32_t nc = nfa->labhcap ? nfa->labhcap * 2 : 256, k;
		uint32_t *t = cc_arena_array(nfa->a, nc, sizeof *t);

		if (!t)
			return CC_NFA_NONE;
		for (k = 0; k < nfa->nlab; k++) {
			h = label_hash(nfa->labels[k]) & (nc - 1);
			while (t[h])
				h = (h + 1) & (nc - 1);
			t[h] = k + 1;
		}
		nfa->labhash = t;
		nfa->labhcap = nc;
	}
	mask = nfa->labhcap - 1;
	for (h = label_hash(set) & mask; nfa->labhash[h]; h = (h + 1) & mask)
		if (memcmp(nfa->labels[nfa->labhash[h] - 1], set, 32) == 0)
			return nfa->labhash[h] - 1;
	if (nfa->nlab == nfa->labcap) {
		uint32_t nc = nfa->labcap ? nfa->labcap * 2 : 64;
		uint8_t(*g)[32] = cc_arena_grow(nfa->a, nfa->labels, nfa->labcap, nc, 32);

		if (!g)
			return CC_NFA_NONE;
		nfa->labels = g;
		nfa->labcap = nc;
	}
	i = nfa->nlab++;
	memcpy(nfa->labels[i], set, 32);
	nfa->labhash[h] = i + 1;
	return i;
}

uint32_t cc_nfa_char(struct cc_nfa *nfa, const uint8_t set[32], uint32_t out)
{
	uint32_t l;

	if (nfa->failed || out == CC_NFA_NONE)
		return CC_NFA_NONE;
	l = intern_label(nfa, set);
	if (l == CC_NFA_NONE) {
		nfa->failed = -2;
		return CC_NFA_NONE;
	}
	return add_state(nfa, CC_NFA_CHAR, l, out, CC_NFA_NONE);
}

uint32_t cc_nfa_byte(struct cc_nfa *nfa, uint8_t c, uint32_t out)
{
	uint8_t set[32];

	memset(set, 0, sizeof set);
	set[c >> 3] = (uint8_t)(1u << (c & 7));
	return cc_nfa_char(nfa, set, out);
}

uint32_t cc_nfa_split(struct cc_nfa *nfa, uint32_t out, uint32_t out1)
{
	return add_state(nfa, CC_NFA_SPLIT, 0, out, out1);
}

uint32_t cc_nfa_match(struct cc_nfa *nfa, uint32_t id)
{
	return add_state(nfa, CC_NFA_MATCH, id, CC_NFA_NONE, CC_NFA_NONE);
}

void cc_automata_default_limits(struct cc_automata_limits *lim)
{
	lim->max_states = 1u << 18;
	lim->states_per_byte = 16;
	lim->base_states = 256;
	lim->max_cells = (uint64_t)1 << 23;
	lim->work_per_byte = 1024;
	lim->base_work = 8192;
	lim->max_work = (uint64_t)1 << 25;
	lim->max_total_work = (uint64_t)1 << 30;
}

/* ---- shared scratch ------------------------------------------------------------ */

struct pat_info {
	uint32_t root; /* CC_NFA_NONE: never matches */
	uint32_t first, end; /* its NFA states */
	size_t len;
	uint32_t id;
};

struct ctx {
	struct cc_arena *out;
	struct cc_arena scratch; /* lives for the whole build */
	const struct cc_nfa *nfa;
	const struct cc_automata_limits *lim;
	struct pat_info *pi;
	uint32_t *mark, gen;  /* per NFA state */
	uint32_t *stack;
	uint32_t *lab_mark, lab_gen; /* per label */
	uint32_t *lab_local;
	/* Per label, the smaller of its byte set and the complement, as a byte
	 * list: classes are refined and listed in time proportional to it, and
	 * for globs it is one byte or two ('/' and '\' for "any segment byte"). */
	uint8_t *side;
	uint32_t *side_off;   /* label l: side[side_off[l] .. side_off[l + 1]) */
	uint8_t *side_comp;   /* 1: the side is the complement */
	uint32_t *pos_index;  /* per NFA state, NFA blob building */
	uint32_t *sort_tmp;   /* radix sort scratch */
	size_t sort_cap;
	size_t attempts, splits, explored;
	uint64_t work;        /* work units spent in all attempts */
	struct cc_automata_error *err;
};

/* Appends to *dst (capacity *cap, arena-grown) one u32. */
static inline int vpush(struct cc_arena *a, uint32_t **dst, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint32_t *g = cc_arena_grow(a, *dst, *cap, nc, sizeof *g);

		if (!g)
			return -1;
		*dst = g;
		*cap = nc;
	}
	(*dst)[(*n)++] = v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the closure v[0..n) just built under mark generation g. Small sets
 * (the usual case) by insertion; a set dense in its range of NFA states by
 * reading the marks in order (it is exactly the marked non-SPLIT states);
 * others by a byte-wise radix sort. Returns 0 or -1 on memory. */
static int sort_closure(struct ctx *x, uint32_t *v, size_t n, uint32_t g)
{
	const struct cc_nfa_state *st = x->nfa->st;
	uint32_t lo = UINT32_MAX, hi = 0, cnt[256], *src = v, *dst, *t;
	size_t i, j, k, shift;

	if (n <= 24) {
		for (i = 1; i < n; i++) {
			uint32_t e = v[i];

			for (j = i; j > 0 && v[j - 1] > e; j--)
				v[j] = v[j - 1];
			v[j] = e;
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	if (hi - lo < 16 * (uint64_t)n) {
		for (k = 0, i = lo; i <= hi; i++)
			if (x->mark[i] == g && st[i].op != CC_NFA_SPLIT)
				v[k++] = (uint32_t)i;
		return 0;
	}
	if (n > x->sort_cap) {
		x->sort_cap = 2 * n;
		x->sort_tmp = cc_arena_array(&x->scratch, x->sort_cap, sizeof *x->sort_tmp);
		if (!x->sort_tmp)
			return -1;
	}
	dst = x->sort_tmp;
	for (shift = 0; shift < 32; shift += 8) {
		if ((hi >> shift) == 0)
			break;
		memset(cnt, 0, sizeof cnt);
		for (i = 0; i < n; i++)
			cnt[src[i] >> shift & 255]++;
		for (i = 0, k = 0; i < 256; i++) {
			uint32_t c = cnt[i];

			cnt[i] = (uint32_t)k;
			k += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[src[i] >> shift & 255]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	return 0;
}

/* Epsilon closure of seeds[0..ns): appends the CHAR and MATCH states reached,
 * sorted, to *out (length *on). Adds the states visited to *work. Returns 0
 * or -1 on memory. */
static int closure(struct ctx *x, struct cc_arena *a, const uint32_t *seeds, size_t ns,
		   uint32_t **out, size_t *on, size_t *ocap, uint64_t *work)
{
	const struct cc_nfa_state *st = x->nfa->st;
	size_t sp = 0, i, start = *on, visits = 0;
	uint32_t g;

	if (++x->gen == 0) {
		memset(x->mark, 0, (size_t)x->nfa->n * sizeof *x->mark);
		x->gen = 1;
	}
	g = x->gen;
	for (i = 0; i < ns; i++) {
		if (seeds[i] == CC_NFA_NONE || x->mark[seeds[i]] == g)
			continue;
		x->mark[seeds[i]] = g;
		x->stack[sp++] = seeds[i];
		while (sp) {
			uint32_t s = x->stack[--sp];

			visits++;
			if (st[s].op != CC_NFA_SPLIT) {
				if (vpush(a, out, on, ocap, s))
					return -1;
				continue;
			}
			if (st[s].out1 != CC_NFA_NONE && x->mark[st[s].out1] != g) {
				x->mark[st[s].out1] = g;
				x->stack[sp++] = st[s].out1;
			}
			if (st[s].out != CC_NFA_NONE && x->mark[st[s].out] != g) {
				x->mark[st[s].out] = g;
				x->stack[sp++] = st[s].out;
			}
		}
	}
	*work += visits;
	return *on == start ? 0 : sort_closure(x, *out + start, *on - start, g);
}

static int has_byte(const uint8_t set[32], unsigned c)
{
	return set[c >> 3] >> (c & 7) & 1u;
}

/* Fills x->side* for every label of the NFA. Returns 0 or -1 on memory. */
static int label_sides(struct ctx *x)
{
	const struct cc_nfa *nfa = x->nfa;
	uint32_t l, c, k = 0, total = 0;

	x->side_off = cc_arena_array(&x->scratch, (size_t)nfa->nlab + 1, sizeof *x->side_off);
	x->side_comp = cc_arena_array(&x->scratch, (size_t)nfa->nlab + 1, 1);
	if (!x->side_off || !x->side_comp)
		return -1;
	for (l = 0; l < nfa->nlab; l++) {
		uint32_t pop = 0;

		for (c = 0; c < 32; c++)
			pop += (uint32_t)__builtin_popcount(nfa->labels[l][c]);
		x->side_comp[l] = pop > 128;
		total += pop > 128 ? 256 - pop : pop;
	}
	x->side = cc_arena_alloc(&x->scratch, (size_t)total + 1);
	if (!x->side)
		return -1;
	for (l = 0; l < nfa->nlab; l++) {
		x->side_off[l] = k;
		for (c = 0; c < 256; c++)
			if (has_byte(nfa->labels[l], c) != x->side_comp[l])
				x->side[k++] = (uint8_t)c;
	}
	x->side_off[nfa->nlab] = k;
	return 0;
}

/* The states active after the virtual '/' from the given roots. */
static int start_set(struct ctx *x, struct cc_arena *a, const uint32_t *roots, size_t nr,
		     uint32_t **out, size_t *on, size_t *ocap, uint64_t *work)
{
	uint32_t *c0 = NULL, *seeds = NULL;
	size_t n0 = 0, cap0 = 0, ns = 0, caps = 0, i;

	if (closure(x, a, roots, nr, &c0, &n0, &cap0, work))
		return -1;
	for (i = 0; i < n0; i++) {
		const struct cc_nfa_state *s = &x->nfa->st[c0[i]];

		if (s->op == CC_NFA_CHAR && has_byte(x->nfa->labels[s->label], '/'))
			if (vpush(a, &seeds, &ns, &caps, s->out))
				return -1;
	}
	return closure(x, a, seeds, ns, out, on, ocap, work);
}

/* ---- one DFA attempt ------------------------------------------------------ */

struct dfa {
	struct cc_arena *a;
	uint32_t nc;
	uint8_t cls[256];
	uint32_t *lab_cls, *lab_cls_off; /* per local label: its classes */
	/* DFA states: sorted NFA state sets in pool */
	uint32_t *pool;
	size_t pool_n, pool_cap;
	size_t *set_off;
	uint32_t *set_n;
	uint32_t *set_h;      /* hash of each set */
	uint32_t n, cap;
	uint32_t *htab;
	uint32_t hcap;
	uint32_t *trans;
	uint32_t budget;
	uint64_t work, work_budget;
};

static uint32_t set_hash(const uint32_t *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0xff51afd7ed558ccdu;
	return mix64(h);
}

/* Finds or adds the state of set s[0..n) with hash h. Returns its index,
 * CC_NFA_NONE when over budget, or CC_NFA_NONE - 1 on memory. */
static uint32_t intern_set(struct dfa *d, const uint32_t *s, size_t n, uint32_t h)
{
	uint32_t mask, i, slot, k;

	if ((size_t)d->n * 2 >= d->hcap) {
		uint32_t nc = d->hcap * 2;
		uint32_t *t = cc_arena_array(d->a, nc, sizeof *t);

		if (!t)
			return CC_NFA_NONE - 1;
		for (k = 0; k < d->n; k++) {
			uint32_t at = d->set_h[k] & (nc - 1);

			while (t[at])
				at = (at + 1) & (nc - 1);
			t[at] = k + 1;
		}
		d->htab = t;
		d->hcap = nc;
	}
	mask = d->hcap - 1;
	for (slot = h & mask; d->htab[slot]; slot = (slot + 1) & mask) {
		i = d->htab[slot] - 1;
		if (d->set_h[i] == h && d->set_n[i] == n &&
		    (n == 0 || memcmp(d->pool + d->set_off[i], s, n * sizeof *s) == 0))
			return i;
	}
	if (d->n >= d->budget)
		return CC_NFA_NONE;
	if (d->n == d->cap) {
		uint32_t nc = d->cap * 2;
		size_t *so = cc_arena_grow(d->a, d->set_off, d->cap, nc, sizeof *so);
		uint32_t *sn = cc_arena_grow(d->a, d->set_n, d->cap, nc, sizeof *sn);
		uint32_t *sh = cc_arena_grow(d->a, d->set_h, d->cap, nc, sizeof *sh);
		uint32_t *tr = cc_arena_grow(d->a, d->trans, (size_t)d->cap * d->nc,
					     (size_t)nc * d->nc, sizeof *tr);

		if (!so || !sn || !sh || !tr)
			return CC_NFA_NONE - 1;
		d->set_off = so;
		d->set_n = sn;
		d->set_h = sh;
		d->trans = tr;
		d->cap = nc;
	}
	if (d->pool_n + n > d->pool_cap) {
		size_t nc = d->pool_cap * 2;
		uint32_t *g;

		while (nc < d->pool_n + n)
			nc *= 2;
		g = cc_arena_grow(d->a, d->pool, d->pool_cap, nc, sizeof *g);
		if (!g)
			return CC_NFA_NONE - 1;
		d->pool = g;
		d->pool_cap = nc;
	}
	i = d->n++;
	d->set_off[i] = d->pool_n;
	d->set_n[i] = (uint32_t)n;
	d->set_h[i] = h;
	if (n)
		memcpy(d->pool + d->pool_n, s, n * sizeof *s);
	d->pool_n += n;
	d->htab[slot] = i + 1;
	return i;
}

/* Byte classes from the labels used by the group: two bytes share a class iff
 * every label contains both or neither. Partition refinement over each
 * label's smaller side; classes are then numbered by their smallest byte, so
 * the map is a function of the label sets alone. */
static void byte_classes(struct dfa *d, const struct ctx *x, const uint32_t *labs, size_t nl)
{
	uint32_t size[256], cnt[256], split[256], touched[256], nk = 1, next = 0, c;
	uint8_t tmp[256];
	size_t l, j, nt;

	memset(d->cls, 0, sizeof d->cls);
	memset(cnt, 0, sizeof cnt);
	size[0] = 256;
	for (l = 0; l < nl; l++) {
		const uint8_t *s = x->side + x->side_off[labs[l]];
		size_t ns = x->side_off[labs[l] + 1] - x->side_off[labs[l]];

		for (j = 0, nt = 0; j < ns; j++)
			if (cnt[d->cls[s[j]]]++ == 0)
				touched[nt++] = d->cls[s[j]];
		for (j = 0; j < nt; j++) {
			uint32_t k = touched[j];

			if (cnt[k] < size[k]) {
				split[k] = nk;
				size[nk++] = cnt[k];
				size[k] -= cnt[k];
			} else {
				split[k] = k;
			}
			cnt[k] = 0;
		}
		for (j = 0; j < ns; j++)
			d->cls[s[j]] = (uint8_t)split[d->cls[s[j]]];
	}
	for (c = 0; c < 256; c++)
		split[c] = UINT32_MAX;
	for (c = 0; c < 256; c++) {
		if (split[d->cls[c]] == UINT32_MAX)
			split[d->cls[c]] = next++;
		tmp[c] = (uint8_t)split[d->cls[c]];
	}
	memcpy(d->cls, tmp, sizeof tmp);
	d->nc = next;
}

/* The classes of each local label, listed from its side. Returns 0 or -2. */
static int label_classes(struct dfa *d, const struct ctx *x, const uint32_t *labs, size_t nl)
{
	uint32_t seen[256], j = 0, k;
	size_t i, m;

	d->lab_cls_off = cc_arena_array(d->a, nl + 1, sizeof *d->lab_cls_off);
	d->lab_cls = cc_arena_array(d->a, nl * d->nc + 1, sizeof *d->lab_cls);
	if (!d->lab_cls_off || !d->lab_cls)
		return -2;
	memset(seen, 0, sizeof seen);
	for (i = 0; i < nl; i++) {
		const uint8_t *s = x->side + x->side_off[labs[i]];
		size_t ns = x->side_off[labs[i] + 1] - x->side_off[labs[i]];
		uint32_t stamp = (uint32_t)i + 1;

		d->lab_cls_off[i] = j;
		for (m = 0; m < ns; m++) {
			k = d->cls[s[m]];
			if (seen[k] != stamp) {
				seen[k] = stamp;
				if (!x->side_comp[labs[i]])
					d->lab_cls[j++] = k;
			}
		}
		/* A complement side lists the classes the label does not hold. */
		if (x->side_comp[labs[i]])
			for (k = 0; k < d->nc; k++)
				if (seen[k] != stamp)
					d->lab_cls[j++] = k;
	}
	d->lab_cls_off[nl] = j;
	return 0;
}

struct built {
	uint32_t n, nc, start;
	uint8_t cls[256];
	uint32_t *trans;          /* n x nc */
	uint32_t *acc_off, *acc_n, *ids;
	size_t n_ids;
};

/* Budget of an attempt over pattern bytes `bytes` and classes nc, when
 * `spent` work units went into the attempts before. */
static void attempt_budget(const struct cc_automata_limits *lim, uint64_t bytes, uint32_t nc,
			   uint64_t spent, struct dfa *d)
{
	uint64_t left = spent < lim->max_total_work ? lim->max_total_work - spent : 0;
	uint64_t budget = (uint64_t)lim->states_per_byte * bytes + lim->base_states;
	uint64_t work = (uint64_t)lim->work_per_byte * bytes + lim->base_work;

	if (budget > lim->max_states)
		budget = lim->max_states;
	if (budget > lim->max_cells / nc)
		budget = lim->max_cells / nc;
	if (budget > VM_DFA_MAX_STATES)
		budget = VM_DFA_MAX_STATES;
	if (budget < 2)
		budget = 2;
	d->budget = (uint32_t)budget;
	if (work > lim->max_work)
		work = lim->max_work;
	d->work_budget = work < left ? work : left;
}

/* Subset construction of the group. Returns 0, 1 when over budget, -2 on memory. */
static int subset(struct ctx *x, struct dfa *d, const size_t *grp, size_t ng, struct built *b)
{
	const struct cc_nfa *nfa = x->nfa;
	uint32_t *labs = NULL, *roots = NULL, *buf = NULL, *bucket = NULL, *cnt, *bstart;
	uint32_t *dh_stamp, *dh_cls, *dh_hash, stamp = 0;
	size_t nl = 0, capl = 0, nr = 0, capr = 0, nb = 0, capb = 0, capbk = 0, i, j;
	uint64_t bytes = 0;
	uint32_t s, cur, c;

	/* Labels used by the group, and their local numbering. */
	if (++x->lab_gen == 0) {
		memset(x->lab_mark, 0, (size_t)nfa->nlab * sizeof *x->lab_mark);
		x->lab_gen = 1;
	}
	for (i = 0; i < ng; i++) {
		const struct pat_info *p = &x->pi[grp[i]];

		bytes += p->len;
		if (p->root == CC_NFA_NONE)
			continue;
		if (vpush(d->a, &roots, &nr, &capr, p->root))
			return -2;
		for (s = p->first; s < p->end; s++) {
			uint32_t l = nfa->st[s].label;

			if (nfa->st[s].op != CC_NFA_CHAR || x->lab_mark[l] == x->lab_gen)
				continue;
			x->lab_mark[l] = x->lab_gen;
			x->lab_local[l] = (uint32_t)nl;
			if (vpush(d->a, &labs, &nl, &capl, l))
				return -2;
		}
	}
	byte_classes(d, x, labs, nl);
	if (label_classes(d, x, labs, nl))
		return -2;
	attempt_budget(x->lim, bytes, d->nc, x->work, d);
	d->cap = 64;
	d->hcap = 256;
	d->set_off = cc_arena_array(d->a, d->cap, sizeof *d->set_off);
	d->set_n = cc_arena_array(d->a, d->cap, sizeof *d->set_n);
	d->set_h = cc_arena_array(d->a, d->cap, sizeof *d->set_h);
	d->trans = cc_arena_array(d->a, (size_t)d->cap * d->nc, sizeof *d->trans);
	d->htab = cc_arena_array(d->a, d->hcap, sizeof *d->htab);
	d->pool_cap = 64;
	d->pool = cc_arena_array(d->a, d->pool_cap, sizeof *d->pool);
	cnt = cc_arena_array(d->a, d->nc, sizeof *cnt);
	bstart = cc_arena_array(d->a, d->nc + 1, sizeof *bstart);
	/* Per state, classes with equal successor lists share one target: a
	 * 512-slot table (nc <= 256) of the first class with each list. */
	dh_stamp = cc_arena_array(d->a, 512, sizeof *dh_stamp);
	dh_cls = cc_arena_array(d->a, 512, sizeof *dh_cls);
	dh_hash = cc_arena_array(d->a, 512, sizeof *dh_hash);
	capbk = 64;
	bucket = cc_arena_array(d->a, capbk, sizeof *bucket);
	if (!d->set_off || !d->set_n || !d->set_h || !d->trans || !d->htab || !d->pool || !cnt ||
	    !bstart || !dh_stamp || !dh_cls || !dh_hash || !bucket)
		return -2;
	/* State 0 is the dead state (empty set). */
	if (intern_set(d, NULL, 0, set_hash(NULL, 0)) != 0)
		return -2;
	if (start_set(x, d->a, roots, nr, &buf, &nb, &capb, &d->work))
		return -2;
	b->start = intern_set(d, buf, nb, set_hash(buf, nb));
	if (b->start >= CC_NFA_NONE - 1)
		return b->start == CC_NFA_NONE ? 1 : -2;

	for (cur = 0; cur < d->n; cur++) {
		size_t off = d->set_off[cur], n = d->set_n[cur], total = 0;
		uint32_t *row;

		/* Bucket the successors of the set's CHAR states by class. */
		memset(cnt, 0, d->nc * sizeof *cnt);
		for (i = 0; i < n; i++) {
			const struct cc_nfa_state *ns = &nfa->st[d->pool[off + i]];
			uint32_t l;

			if (ns->op != CC_NFA_CHAR)
				continue;
			l = x->lab_local[ns->label];
			for (j = d->lab_cls_off[l]; j < d->lab_cls_off[l + 1]; j++)
				cnt[d->lab_cls[j]]++;
		}
		for (c = 0; c < d->nc; c++) {
			bstart[c] = (uint32_t)total;
			total += cnt[c];
		}
		bstart[d->nc] = (uint32_t)total;
		d->work += total + n + d->nc;
		if (d->work > d->work_budget)
			return 1;
		if (total > capbk) {
			capbk = total > 2 * capbk ? total : 2 * capbk;
			bucket = cc_arena_array(d->a, capbk, sizeof *bucket);
			if (!bucket)
				return -2;
		}
		memset(cnt, 0, d->nc * sizeof *cnt);
		for (i = 0; i < n; i++) {
			const struct cc_nfa_state *ns = &nfa->st[d->pool[off + i]];
			uint32_t l;

			if (ns->op != CC_NFA_CHAR)
				continue;
			l = x->lab_local[ns->label];
			for (j = d->lab_cls_off[l]; j < d->lab_cls_off[l + 1]; j++) {
				c = d->lab_cls[j];
				bucket[bstart[c] + cnt[c]++] = ns->out;
			}
		}
		if (++stamp == 0) {
			memset(dh_stamp, 0, 512 * sizeof *dh_stamp);
			stamp = 1;
		}
		for (c = 0; c < d->nc; c++) {
			uint32_t h, to, slot;
			const uint32_t *bk = bucket + bstart[c];

			row = d->trans + (size_t)cur * d->nc;
			if (cnt[c] == 0) {
				row[c] = 0;
				continue;
			}
			h = set_hash(bk, cnt[c]);
			for (slot = h & 511; dh_stamp[slot] == stamp; slot = (slot + 1) & 511) {
				uint32_t o = dh_cls[slot];

				if (dh_hash[slot] == h && cnt[o] == cnt[c] &&
				    memcmp(bucket + bstart[o], bk, cnt[c] * sizeof *bk) == 0)
					break;
			}
			if (dh_stamp[slot] == stamp) {
				to = row[dh_cls[slot]];
			} else {
				nb = 0;
				if (closure(x, d->a, bk, cnt[c], &buf, &nb, &capb, &d->work))
					return -2;
				if (d->work > d->work_budget)
					return 1;
				to = intern_set(d, buf, nb, set_hash(buf, nb));
				if (to >= CC_NFA_NONE - 1)
					return to == CC_NFA_NONE ? 1 : -2;
				dh_stamp[slot] = stamp;
				dh_cls[slot] = c;
				dh_hash[slot] = h;
				/* intern_set may have moved the table */
				row = d->trans + (size_t)cur * d->nc;
			}
			row[c] = to;
		}
	}
	x->explored += d->n;
	/* Accepting ids per state: MATCH states of its set, sorted, unique. */
	b->n = d->n;
	b->nc = d->nc;
	memcpy(b->cls, d->cls, sizeof b->cls);
	b->trans = d->trans;
	b->acc_off = cc_arena_array(d->a, d->n, sizeof *b->acc_off);
	b->acc_n = cc_arena_array(d->a, d->n, sizeof *b->acc_n);
	if (!b->acc_off || !b->acc_n)
		return -2;
	{
		size_t capi = 16, first;

		b->ids = cc_arena_array(d->a, capi, sizeof *b->ids);
		b->n_ids = 0;
		if (!b->ids)
			return -2;
		for (cur = 0; cur < d->n; cur++) {
			size_t off = d->set_off[cur], n = d->set_n[cur];

			first = b->n_ids;
			for (i = 0; i < n; i++) {
				const struct cc_nfa_state *ns = &nfa->st[d->pool[off + i]];

				if (ns->op == CC_NFA_MATCH &&
				    vpush(d->a, &b->ids, &b->n_ids, &capi, ns->label))
					return -2;
			}
			if (b->n_ids > first + 1) {
				size_t w = first + 1;

				qsort(b->ids + first, b->n_ids - first, sizeof *b->ids, cmp_u32);
				for (i = first + 1; i < b->n_ids; i++)
					if (b->ids[i] != b->ids[w - 1])
						b->ids[w++] = b->ids[i];
				b->n_ids = w;
			}
			b->acc_off[cur] = (uint32_t)first;
			b->acc_n[cur] = (uint32_t)(b->n_ids - first);
		}
	}
	return 0;
}

/* ---- Hopcroft minimization --------------------------------------------------- */

static int same_ids(const struct built *b, uint32_t s, uint32_t t)
{
	return b->acc_n[s] == b->acc_n[t] &&
	       memcmp(b->ids + b->acc_off[s], b->ids + b->acc_off[t],
		      b->acc_n[s] * sizeof *b->ids) == 0;
}

/* Computes blk[s] (minimized state of s) with the dead state's block 0 and
 * blocks numbered by their smallest state. Returns the block count or 0 on
 * memory. */
static uint32_t minimize(struct cc_arena *a, const struct built *b, uint32_t *newid)
{
	uint32_t n = b->n, k = b->nc, nblk = 0, s, c, i, big;
	uint32_t *blk = cc_arena_array(a, n, sizeof *blk);
	uint32_t *elems = cc_arena_array(a, n, sizeof *elems);
	uint32_t *loc = cc_arena_array(a, n, sizeof *loc);
	uint32_t *bfirst = cc_arena_array(a, n, sizeof *bfirst);
	uint32_t *bend = cc_arena_array(a, n, sizeof *bend);
	uint32_t *bmark = cc_arena_array(a, n, sizeof *bmark);
	uint32_t *touched = cc_arena_array(a, n, sizeof *touched);
	uint32_t *snap = cc_arena_array(a, n, sizeof *snap);
	uint32_t *rep = cc_arena_array(a, n, sizeof *rep);
	uint32_t *htab, hcap = 16;
	uint8_t *inwl = cc_arena_array(a, (size_t)n * k, 1);
	uint32_t *wl_b = cc_arena_array(a, (size_t)n * k, sizeof *wl_b);
	uint32_t *wl_c = cc_arena_array(a, (size_t)n * k, sizeof *wl_c);
	uint32_t *inv_off = cc_arena_array(a, (size_t)n * k + 1, sizeof *inv_off);
	uint32_t *inv_src = cc_arena_array(a, (size_t)n * k, sizeof *inv_src);
	size_t wl_n = 0, e;

	while (hcap < 2 * n)
		hcap *= 2;
	htab = cc_arena_array(a, hcap, sizeof *htab);
	if (!blk || !elems || !loc || !bfirst || !bend || !bmark || !touched || !snap || !rep ||
	    !htab || !inwl || !wl_b || !wl_c || !inv_off || !inv_src)
		return 0;
	/* Initial partition: equal accepting id lists. */
	for (s = 0; s < n; s++) {
		uint32_t h = set_hash(b->ids + b->acc_off[s], b->acc_n[s]) & (hcap - 1);

		while (htab[h] && !same_ids(b, rep[htab[h] - 1], s))
			h = (h + 1) & (hcap - 1);
		if (!htab[h]) {
			rep[nblk] = s;
			htab[h] = ++nblk;
		}
		blk[s] = htab[h] - 1;
		bend[blk[s]]++;
	}
	for (i = 0, e = 0; i < nblk; i++) {
		bfirst[i] = (uint32_t)e;
		e += bend[i];
		bend[i] = bfirst[i];
	}
	for (s = 0; s < n; s++) {
		loc[s] = bend[blk[s]]++;
		elems[loc[s]] = s;
	}
	/* Inverse transitions keyed by (class, target). */
	for (s = 0; s < n; s++)
		for (c = 0; c < k; c++)
			inv_off[(size_t)c * n + b->trans[(size_t)s * k + c] + 1]++;
	for (e = 0; e < (size_t)n * k; e++)
		inv_off[e + 1] += inv_off[e];
	{
		uint32_t *cur = wl_b; /* n*k scratch, the worklist is still empty */

		for (e = 0; e < (size_t)n * k; e++)
			cur[e] = inv_off[e];
		for (s = 0; s < n; s++)
			for (c = 0; c < k; c++) {
				size_t key = (size_t)c * n + b->trans[(size_t)s * k + c];

				inv_src[cur[key]++] = s;
			}
	}
	/* Every initial block but the largest is a splitter for every class: in a
	 * complete DFA the predecessors of the last block are those of all
	 * states minus those of the others, so it splits nothing more. */
	for (i = 0, big = 0; i < nblk; i++)
		if (bend[i] - bfirst[i] > bend[big] - bfirst[big])
			big = i;
	for (i = 0; i < nblk; i++)
		for (c = 0; c < k && i != big; c++) {
			wl_b[wl_n] = i;
			wl_c[wl_n++] = c;
			inwl[(size_t)i * k + c] = 1;
		}
	while (wl_n) {
		uint32_t A = wl_b[wl_n - 1], na = 0, nt = 0, t;

		c = wl_c[--wl_n];
		inwl[(size_t)A * k + c] = 0;
		for (i = bfirst[A]; i < bend[A]; i++)
			snap[na++] = elems[i];
		for (i = 0; i < na; i++) {
			size_t key = (size_t)c * n + snap[i];

			for (e = inv_off[key]; e < inv_off[key + 1]; e++) {
				uint32_t p = inv_src[e], pb = blk[p], mpos = bfirst[pb] + bmark[pb];

				if (loc[p] < mpos)
					continue;
				t = elems[mpos];
				elems[mpos] = p;
				elems[loc[p]] = t;
				loc[t] = loc[p];
				loc[p] = mpos;
				if (bmark[pb]++ == 0)
					touched[nt++] = pb;
			}
		}
		for (i = 0; i < nt; i++) {
			uint32_t B = touched[i], m = bmark[B], nbk, d, j;

			bmark[B] = 0;
			if (m == bend[B] - bfirst[B])
				continue;
			nbk = nblk++;
			bfirst[nbk] = bfirst[B];
			bend[nbk] = bfirst[B] + m;
			bfirst[B] += m;
			for (j = bfirst[nbk]; j < bend[nbk]; j++)
				blk[elems[j]] = nbk;
			for (d = 0; d < k; d++) {
				uint32_t pick;

				if (inwl[(size_t)B * k + d])
					pick = nbk;
				else
					pick = bend[nbk] - bfirst[nbk] <= bend[B] - bfirst[B] ? nbk : B;
				wl_b[wl_n] = pick;
				wl_c[wl_n++] = d;
				inwl[(size_t)pick * k + d] = 1;
			}
		}
	}
	/* Number blocks by their smallest state: state 0 (dead) -> 0. */
	for (i = 0; i < nblk; i++)
		rep[i] = UINT32_MAX;
	for (s = 0, i = 0; s < n; s++)
		if (rep[blk[s]] == UINT32_MAX)
			rep[blk[s]] = i++;
	for (s = 0; s < n; s++)
		newid[s] = rep[blk[s]];
	return i;
}

/* ---- blob emission --------------------------------------------------------- */

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static size_t al8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* Bytes that come every few bytes in resources (path separators, names):
 * a state left by one of them would be scanned over short runs only, and a
 * scan costs about as much as eight table steps (it waits for the record, the
 * word test and the exit byte's class), so such states are not accelerated. */
static int frequent_byte(unsigned c)
{
	return c == '/' || c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Fills the exit bytes of minimized state q (row mt[q*nc..]) into e[] and
 * returns how many, or 4 when the state is not worth accelerating (more than
 * 3 exit bytes, or a frequent one). csize[k] is the size of class k. */
static unsigned exit_bytes(const struct built *b, const uint32_t *mt, const uint32_t *csize,
			   uint32_t q, uint8_t e[3])
{
	const uint32_t *row = mt + (size_t)q * b->nc;
	unsigned n = 0, c, k;

	for (k = 0; k < b->nc; k++)
		if (row[k] != q && (n += csize[k]) > 3)
			return 4;
	for (c = 0, k = 0; c < 256 && k < n; c++)
		if (row[b->cls[c]] != q) {
			if (frequent_byte(c))
				return 4;
			e[k++] = (uint8_t)c;
		}
	return n;
}

static int emit_dfa(struct cc_arena *dst, struct cc_arena *tmp, const struct built *b,
		    struct cc_automaton *out)
{
	uint32_t *newid = cc_arena_array(tmp, b->n, sizeof *newid), *repr, *mt, *perm, *order;
	uint32_t m, s, c, width, *first_id, stride = b->nc + 1, na = 0, plen = 0, q, k;
	uint32_t csize[256], pstate = 0;
	uint8_t *accel, prefix[VM_DFA_MAX_PREFIX], *seen;
	size_t trans_off, acc_off, ids_off, accel_off, prefix_off, len, nids = 0;
	uint8_t *p;

	if (!newid)
		return -2;
	m = minimize(tmp, b, newid);
	if (m == 0)
		return -2;
	repr = cc_arena_array(tmp, m, sizeof *repr);
	first_id = cc_arena_array(tmp, m, sizeof *first_id);
	mt = cc_arena_array(tmp, (size_t)m * b->nc, sizeof *mt);
	perm = cc_arena_array(tmp, m, sizeof *perm);
	order = cc_arena_array(tmp, m, sizeof *order);
	accel = cc_arena_array(tmp, (size_t)m * VM_DFA_ACCEL_REC, 1);
	seen = cc_arena_array(tmp, m, 1);
	if (!repr || !first_id || !mt || !perm || !order || !accel || !seen)
		return -2;
	for (s = 0; s < m; s++)
		repr[s] = UINT32_MAX;
	for (s = 0; s < b->n; s++)
		if (repr[newid[s]] == UINT32_MAX)
			repr[newid[s]] = s;
	for (s = 0; s < m; s++)
		for (c = 0; c < b->nc; c++)
			mt[(size_t)s * b->nc + c] = newid[b->trans[(size_t)repr[s] * b->nc + c]];
	memset(csize, 0, sizeof csize);
	for (c = 0; c < 256; c++)
		csize[b->cls[c]]++;
	/* Renumber: the dead state 0, then the accelerated states, then the
	 * rest, each in minimized order, so that one compare in the runner's
	 * hot loop finds every state that needs more than a table load. */
	order[0] = 0;
	for (s = 1, k = 1; s < m; s++) {
		uint8_t *r = accel + (size_t)k * VM_DFA_ACCEL_REC;
		unsigned ne;

		memset(r, 0, VM_DFA_ACCEL_REC);
		ne = exit_bytes(b, mt, csize, s, r + 1);
		if (ne <= 3) {
			/* Unused byte slots repeat the last one: the scan tests three. */
			r[0] = (uint8_t)ne;
			if (ne == 1)
				r[2] = r[3] = r[1];
			else if (ne == 2)
				r[3] = r[2];
			order[k++] = s;
		}
	}
	na = k - 1;
	for (s = 0; s < m; s++)
		perm[s] = UINT32_MAX;
	for (s = 0; s <= na; s++)
		perm[order[s]] = s;
	for (s = 1; s < m; s++)
		if (perm[s] == UINT32_MAX) {
			perm[s] = k;
			order[k++] = s;
		}
	for (s = 0; s < m; s++) {
		first_id[s] = (uint32_t)nids;
		nids += b->acc_n[repr[order[s]]];
	}
	/* The forced prefix: while the state has one way on, on one byte. */
	q = newid[b->start];
	while (plen < VM_DFA_MAX_PREFIX && q != 0 && !seen[q]) {
		uint32_t live = 0, lc = 0;

		seen[q] = 1;
		for (c = 0; c < b->nc; c++)
			if (mt[(size_t)q * b->nc + c] != 0) {
				live++;
				lc = c;
			}
		if (live != 1 || csize[lc] != 1)
			break;
		for (c = 0; b->cls[c] != lc; c++)
			;
		prefix[plen++] = (uint8_t)c;
		q = mt[(size_t)q * b->nc + lc];
	}
	if (plen)
		pstate = perm[q];
	/* Transitions hold the byte offsets of the next rows (state * stride *
	 * width); the extra last entry of a row is the state's own number. */
	width = (uint64_t)m * stride * 2 <= 65536 ? 2 : 4;
	trans_off = VM_DFA_CLASSMAP + 256;
	acc_off = al8(trans_off + (size_t)m * stride * width);
	ids_off = al8(acc_off + (size_t)m * 8);
	accel_off = al8(ids_off + nids * 4);
	prefix_off = al8(accel_off + (size_t)na * VM_DFA_ACCEL_REC);
	len = al8(prefix_off + plen);
	if (len > UINT32_MAX)
		return -1;
	p = cc_arena_alloc(dst, len);
	if (!p)
		return -2;
	wr32(p, VM_DFA_MAGIC);
	wr16(p + 4, VM_DFA_VERSION);
	wr16(p + 6, VM_DFA_KIND_DFA);
	wr32(p + 8, (uint32_t)len);
	wr32(p + 12, m);
	wr32(p + 16, b->nc);
	wr32(p + 20, perm[newid[b->start]]);
	wr32(p + 24, width);
	wr32(p + 28, (uint32_t)nids);
	wr32(p + 32, (uint32_t)trans_off);
	wr32(p + 36, (uint32_t)acc_off);
	wr32(p + 40, (uint32_t)ids_off);
	wr32(p + 44, na);
	wr32(p + 48, (uint32_t)accel_off);
	wr32(p + 52, plen);
	wr32(p + 56, (uint32_t)prefix_off);
	wr32(p + 60, pstate);
	memcpy(p + VM_DFA_CLASSMAP, b->cls, 256);
	for (s = 0; s < m; s++) {
		uint32_t o = order[s], r = repr[o];
		uint8_t *row = p + trans_off + (size_t)s * stride * width;

		for (c = 0; c <= b->nc; c++) {
			uint32_t to = c < b->nc ? perm[mt[(size_t)o * b->nc + c]] * stride * width : s;

			if (width == 2)
				wr16(row + (size_t)c * 2, to);
			else
				wr32(row + (size_t)c * 4, to);
		}
		wr32(p + acc_off + 8 * (size_t)s, first_id[s]);
		wr32(p + acc_off + 8 * (size_t)s + 4, b->acc_n[r]);
		for (c = 0; c < b->acc_n[r]; c++)
			wr32(p + ids_off + 4 * ((size_t)first_id[s] + c), b->ids[b->acc_off[r] + c]);
	}
	for (s = 1; s <= na; s++)
		memcpy(p + accel_off + (size_t)(s - 1) * VM_DFA_ACCEL_REC,
		       accel + (size_t)s * VM_DFA_ACCEL_REC, VM_DFA_ACCEL_REC);
	memcpy(p + prefix_off, prefix, plen);
	out->blob = p;
	out->len = len;
	out->kind = VM_DFA_KIND_DFA;
	out->n_states = m;
	out->n_classes = b->nc;
	out->n_accel = na;
	out->prefix_len = plen;
	return 0;
}

/* Tries a DFA for grp[0..ng). Returns 0 (out filled, blob in dst), 1 over
 * budget, -1 on a hard limit, -2 on memory. When dst is NULL only the budget
 * is checked. */
static int try_dfa(struct ctx *x, const size_t *grp, size_t ng, struct cc_arena *dst,
		   struct cc_automaton *out)
{
	struct cc_arena tmp;
	struct dfa d;
	struct built b;
	int rc;

	x->attempts++;
	if (x->work >= x->lim->max_total_work)
		return 1; /* the compilation's work is spent: NFA blobs from here on */
	cc_arena_init(&tmp);
	memset(&d, 0, sizeof d);
	memset(&b, 0, sizeof b);
	d.a = &tmp;
	rc = subset(x, &d, grp, ng, &b);
	x->work += d.work;
	if (rc == 0 && dst)
		rc = emit_dfa(dst, &tmp, &b, out);
	cc_arena_free(&tmp);
	return rc;
}

/* The bounded NFA blob of one pattern (vm_dfa.h kind 2). */
static int emit_nfa(struct ctx *x, size_t pat, struct cc_automaton *out)
{
	const struct cc_nfa *nfa = x->nfa;
	const struct pat_info *pi = &x->pi[pat];
	struct cc_arena tmp;
	uint32_t *fol = NULL, *cl = NULL, *start = NULL, np = 0, s, i;
	uint32_t *pstate, *fo, *fn, *acc, sacc = 0;
	uint64_t work = 0; /* bounded by the position and follow limits instead */
	size_t nf = 0, capf = 0, ncl = 0, capc = 0, nst = 0, caps = 0, pos_off, fol_off, st_off, len;
	uint8_t *p;
	int rc = -2;

	cc_arena_init(&tmp);
	for (s = pi->first; s < pi->end; s++)
		if (nfa->st[s].op == CC_NFA_CHAR)
			x->pos_index[s] = np++;
	if (np > VM_NFA_MAX_POS || np == 0) {
		snprintf(x->err->msg, sizeof x->err->msg,
			 "pattern too complex: its DFA exceeds the state budget and its NFA has "
			 "%u positions (limit %u)", (unsigned)np, (unsigned)VM_NFA_MAX_POS);
		rc = -1;
		goto done;
	}
	pstate = cc_arena_array(&tmp, np, sizeof *pstate);
	fo = cc_arena_array(&tmp, np, sizeof *fo);
	fn = cc_arena_array(&tmp, np, sizeof *fn);
	acc = cc_arena_array(&tmp, np, sizeof *acc);
	if (!pstate || !fo || !fn || !acc)
		goto done;
	for (s = pi->first; s < pi->end; s++)
		if (nfa->st[s].op == CC_NFA_CHAR)
			pstate[x->pos_index[s]] = s;
	for (i = 0; i < np; i++) {
		ncl = 0;
		if (closure(x, &tmp, &nfa->st[pstate[i]].out, 1, &cl, &ncl, &capc, &work))
			goto done;
		fo[i] = (uint32_t)nf;
		for (s = 0; s < ncl; s++) {
			if (nfa->st[cl[s]].op == CC_NFA_MATCH)
				acc[i] = 1;
			else if (vpush(&tmp, &fol, &nf, &capf, x->pos_index[cl[s]]))
				goto done;
		}
		fn[i] = (uint32_t)(nf - fo[i]);
		if (nf > VM_NFA_MAX_FOLLOW) {
			snprintf(x->err->msg, sizeof x->err->msg,
				 "pattern too complex: its NFA has more than %u follow edges",
				 (unsigned)VM_NFA_MAX_FOLLOW);
			rc = -1;
			goto done;
		}
	}
	ncl = 0;
	{
		uint32_t root = pi->root;

		if (closure(x, &tmp, &root, 1, &cl, &ncl, &capc, &work))
			goto done;
	}
	for (s = 0; s < ncl; s++) {
		const struct cc_nfa_state *ns = &nfa->st[cl[s]];

		if (ns->op == CC_NFA_CHAR && has_byte(nfa->labels[ns->label], '/')) {
			uint32_t q = x->pos_index[cl[s]];

			if (vpush(&tmp, &start, &nst, &caps, q))
				goto done;
			sacc |= acc[q];
		}
	}
	pos_off = VM_DFA_HDR;
	fol_off = pos_off + (size_t)np * VM_NFA_POS_REC;
	st_off = al8(fol_off + nf * 4);
	len = al8(st_off + nst * 4);
	p = cc_arena_alloc(x->out, len);
	if (!p)
		goto done;
	wr32(p, VM_DFA_MAGIC);
	wr16(p + 4, VM_DFA_VERSION);
	wr16(p + 6, VM_DFA_KIND_NFA);
	wr32(p + 8, (uint32_t)len);
	wr32(p + 12, np);
	wr32(p + 16, (uint32_t)nst);
	wr32(p + 20, sacc);
	wr32(p + 24, (uint32_t)nf);
	wr32(p + 28, pi->id);
	wr32(p + 32, (uint32_t)pos_off);
	wr32(p + 36, (uint32_t)fol_off);
	wr32(p + 40, (uint32_t)st_off);
	for (i = 0; i < np; i++) {
		uint8_t *r = p + pos_off + (size_t)i * VM_NFA_POS_REC;

		memcpy(r, nfa->labels[nfa->st[pstate[i]].label], 32);
		wr32(r + 32, fo[i]);
		wr32(r + 36, fn[i]);
		wr32(r + 40, acc[i]);
	}
	for (i = 0; i < nf; i++)
		wr32(p + fol_off + 4 * (size_t)i, fol[i]);
	for (i = 0; i < nst; i++)
		wr32(p + st_off + 4 * (size_t)i, start[i]);
	out->blob = p;
	out->len = len;
	out->kind = VM_DFA_KIND_NFA;
	out->n_states = np;
	out->n_classes = 0;
	rc = 0;
done:
	cc_arena_free(&tmp);
	return rc;
}

/* ---- the driver ---------------------------------------------------------------- */

struct result {
	struct cc_automaton *items;
	size_t n, cap;
	size_t *order;
	size_t n_order;
};

static int add_item(struct ctx *x, struct result *r, const struct cc_automaton *it)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 8;
		struct cc_automaton *g = cc_arena_grow(x->out, r->items, r->cap, nc, sizeof *g);

		if (!g)
			return -2;
		r->items = g;
		r->cap = nc;
	}
	r->items[r->n++] = *it;
	return 0;
}

/* Records automaton it as the one of grp[0..ng). */
static int add_group(struct ctx *x, struct result *r, struct cc_automaton *it, const size_t *grp,
		     size_t ng)
{
	size_t i;

	it->first = r->n_order;
	it->count = ng;
	for (i = 0; i < ng; i++)
		r->order[r->n_order++] = grp[i];
	return add_item(x, r, it);
}

/* Packs grp[0..ng) into DFAs in input order. Each DFA takes the longest run
 * of the remaining patterns among 1, 2, 4, ... that fits its budget (the run
 * doubles until an attempt is over budget), so the work stays within a few
 * times that of the DFAs kept, however finely the set has to be cut. A
 * pattern that does not fit alone becomes an NFA blob. */
static int pack_groups(struct ctx *x, struct result *r, const size_t *grp, size_t ng)
{
	struct cc_arena keep[2];
	size_t at = 0;
	int rc = 0;

	cc_arena_init(&keep[0]);
	cc_arena_init(&keep[1]);
	while (at < ng && rc == 0) {
		struct cc_automaton best, it;
		size_t run = 1, got = 0, left = ng - at, m;
		unsigned cur = 0;

		memset(&best, 0, sizeof best);
		for (;;) {
			m = run < left ? run : left;
			memset(&it, 0, sizeof it);
			cc_arena_free(&keep[cur]);
			rc = try_dfa(x, grp + at, m, &keep[cur], &it);
			if (rc != 0)
				break;
			best = it; /* its blob stays in keep[cur] */
			got = m;
			cur ^= 1u;
			if (m == left)
				break;
			run *= 2;
		}
		if (rc < 0)
			break;
		if (got == 0) {
			x->err->pattern = grp[at];
			rc = emit_nfa(x, grp[at], &best);
			got = 1;
		} else {
			uint8_t *blob = cc_arena_alloc(x->out, best.len);

			rc = blob ? 0 : -2;
			if (blob)
				memcpy(blob, best.blob, best.len);
			best.blob = blob;
		}
		if (rc == 0)
			rc = add_group(x, r, &best, grp + at, got);
		at += got;
		if (rc == 0 && at < ng)
			x->splits++;
	}
	cc_arena_free(&keep[0]);
	cc_arena_free(&keep[1]);
	return rc;
}

int cc_automata_build(struct cc_arena *a, const struct cc_pattern *pats, size_t n,
		      const struct cc_automata_limits *lim, struct cc_automata *out,
		      struct cc_automata_error *err)
{
	struct cc_automata_limits deflim;
	struct cc_automata_error dummy;
	struct cc_nfa nfa;
	struct ctx x;
	struct result r;
	size_t *all = NULL, i;
	int rc = -2;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	memset(out, 0, sizeof *out);
	if (!lim) {
		cc_automata_default_limits(&deflim);
		lim = &deflim;
	}
	memset(&x, 0, sizeof x);
	memset(&r, 0, sizeof r);
	cc_arena_init(&x.scratch);
	x.out = a;
	x.lim = lim;
	x.err = err;
	x.nfa = &nfa;
	cc_nfa_init(&nfa, &x.scratch, NFA_HARD_LIMIT);
	x.pi = cc_arena_array(&x.scratch, n, sizeof *x.pi);
	r.order = cc_arena_array(a, n, sizeof *r.order);
	all = cc_arena_array(&x.scratch, n, sizeof *all);
	if (n && (!x.pi || !r.order || !all))
		goto done;
	for (i = 0; i < n; i++) {
		struct pat_info *p = &x.pi[i];
		uint32_t m;

		p->first = nfa.n;
		p->len = pats[i].len;
		p->id = pats[i].id;
		m = cc_nfa_match(&nfa, pats[i].id);
		if (pats[i].kind == CC_MATCH_REGEX) {
			int e = cc_regex_nfa(&nfa, pats[i].text, pats[i].len, m, &p->root,
					     &err->offset, err->msg, sizeof err->msg);

			if (e) {
				err->pattern = i;
				rc = e;
				goto done;
			}
		} else {
			p->root = cc_glob_nfa(&nfa, pats[i].text, pats[i].len, m);
		}
		if (nfa.failed) {
			err->pattern = i;
			snprintf(err->msg, sizeof err->msg, "patterns too large for one compilation");
			rc = nfa.failed;
			goto done;
		}
		p->end = nfa.n;
	}
	x.mark = cc_arena_array(&x.scratch, (size_t)nfa.n + 1, sizeof *x.mark);
	x.stack = cc_arena_array(&x.scratch, (size_t)nfa.n + 1, sizeof *x.stack);
	x.pos_index = cc_arena_array(&x.scratch, (size_t)nfa.n + 1, sizeof *x.pos_index);
	x.lab_mark = cc_arena_array(&x.scratch, (size_t)nfa.nlab + 1, sizeof *x.lab_mark);
	x.lab_local = cc_arena_array(&x.scratch, (size_t)nfa.nlab + 1, sizeof *x.lab_local);
	if (!x.mark || !x.stack || !x.pos_index || !x.lab_mark || !x.lab_local || label_sides(&x))
		goto done;
	/* The common case first: the whole set in one DFA. Only when that is over
	 * budget is the set packed into several (or NFA blobs). */
	if (n) {
		struct cc_automaton it;

		for (i = 0; i < n; i++)
			all[i] = i;
		memset(&it, 0, sizeof it);
		rc = try_dfa(&x, all, n, a, &it);
		if (rc == 0)
			rc = add_group(&x, &r, &it, all, n);
		else if (rc == 1)
			rc = pack_groups(&x, &r, all, n);
		if (rc)
			goto done;
	}
	out->items = r.items;
	out->n = r.n;
	out->order = r.order;
	out->n_patterns = n;
	rc = 0;
done:
	out->attempts = x.attempts;
	out->splits = x.splits;
	out->states_explored = x.explored;
	out->work = x.work;
	if (rc == -2 && !err->msg[0])
		snprintf(err->msg, sizeof err->msg, "out of memory while building automata");
	cc_arena_free(&x.scratch);
	return rc;
}

int cc_automata_report(const struct cc_automata *set, const struct cc_pattern *pats,
		       struct rt_buf *out)
{
	char line[160];
	size_t i, j, total = 0;

	for (i = 0; i < set->n; i++)
		total += set->items[i].len;
	snprintf(line, sizeof line,
		 "automata: %zu patterns -> %zu automata, %zu bytes; %zu DFA attempts, "
		 "%zu splits, %zu states explored, %llu work units\n",
		 set->n_patterns, set->n, total, set->attempts, set->splits, set->states_explored,
		 (unsigned long long)set->work);
	rt_buf_puts(out, line);
	for (i = 0; i < set->n; i++) {
		const struct cc_automaton *it = &set->items[i];

		if (it->kind == VM_DFA_KIND_DFA)
			snprintf(line, sizeof line,
				 "  #%zu dfa states=%u classes=%u prefix=%u accel=%u bytes=%zu ids:", i,
				 (unsigned)it->n_states, (unsigned)it->n_classes,
				 (unsigned)it->prefix_len, (unsigned)it->n_accel, it->len);
		else
			snprintf(line, sizeof line, "  #%zu nfa positions=%u bytes=%zu ids:", i,
				 (unsigned)it->n_states, it->len);
		rt_buf_puts(out, line);
		for (j = 0; j < it->count; j++) {
			snprintf(line, sizeof line, " %u", (unsigned)pats[set->order[it->first + j]].id);
			rt_buf_puts(out, line);
		}
		rt_buf_putc(out, '\n');
	}
	return out->failed ? -1 : 0;
}
