/* vm_eval.c: the evaluator (see vm_eval.h). One pass of the action-type
 * group automata over the normalized resource yields the candidate rules;
 * each candidate's straight-line predicate program checks identity, risk and
 * argv; then deny wins (spec §3.1). Runs on a verified image only and never
 * allocates: every array lives in caller storage sized by vm_result_storage. */
#include "vm/vm_eval.h"

#include <string.h>

#include "vm/vm_dfa.h"
#include "vm/vm_opcodes.h"

static const char *const reason_names[] = {
#define VM_REASON_NAME(name, text) text,
	VM_REASONS(VM_REASON_NAME)
#undef VM_REASON_NAME
};

static const char *const decision_names[] = {
#define VM_DEC_NAME(name, num, text) [num] = text,
	VM_DECISIONS(VM_DEC_NAME)
#undef VM_DEC_NAME
};

static const char *const exec_classes[] = {
#define VM_EXEC_CLS(name, cls, hint) cls,
	VM_EXEC_CLASSES(VM_EXEC_CLS)
#undef VM_EXEC_CLS
};

static const char *const exec_hints[] = {
#define VM_EXEC_HINT(name, cls, hint) hint,
	VM_EXEC_CLASSES(VM_EXEC_HINT)
#undef VM_EXEC_HINT
};

static const char *const fail_names[] = {
#define VM_FAIL_NAME(name, text) text,
	VM_FAILS(VM_FAIL_NAME)
#undef VM_FAIL_NAME
};

const char *vm_reason_name(enum vm_reason r)
{
	return (unsigned)r < VM_R__COUNT ? reason_names[r] : "internal_error";
}

const char *vm_decision_name(unsigned d)
{
	return d < VM_DEC__COUNT ? decision_names[d] : "DENY";
}

const char *vm_exec_class_name(enum vm_exec_class c)
{
	return (unsigned)c < VM_EXEC__COUNT ? exec_classes[c] : "none";
}

const char *vm_exec_hint(enum vm_exec_class c)
{
	return (unsigned)c < VM_EXEC__COUNT ? exec_hints[c] : "policy_only";
}

const char *vm_fail_name(enum vm_fail f)
{
	return (unsigned)f < VM_FAIL__COUNT ? fail_names[f] : "?";
}

size_t vm_result_storage(const struct vm_image *img)
{
	/* by_class (3 x n_rules) + union_ids (n_rules) + oblig + argv. */
	return ((size_t)img->n_rules * 4 + img->oblig_max + img->argv_max + 1) * sizeof(uint32_t);
}

void vm_result_init(struct vm_result *r, const struct vm_image *img, void *storage,
		    uint8_t *trace_storage)
{
	uint32_t *p = storage;
	unsigned c;

	memset(r, 0, sizeof *r);
	for (c = 0; c < VM_DEC__COUNT; c++) {
		r->by_class[c] = p;
		p += img->n_rules;
	}
	r->union_ids = p;
	p += img->n_rules;
	r->oblig = p;
	p += img->oblig_max;
	r->argv = p;
	r->trace = trace_storage;
}

static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t m = an < bn ? an : bn, i = 0;

	/* Identities, action types and keys are short: words, then bytes,
	 * without a libc call. On a little-endian machine a byte-swapped word
	 * orders like its bytes. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; i + 8 <= m; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
	}
	if (i + 4 <= m) {
		uint32_t x, y;

		memcpy(&x, a + i, 4);
		memcpy(&y, b + i, 4);
		if (x != y)
			return __builtin_bswap32(x) < __builtin_bswap32(y) ? -1 : 1;
		i += 4;
	}
#endif
	for (; i < m; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int strref_cmp(const struct vm_image *img, const uint8_t *a, const uint8_t *b)
{
	uint32_t al, bl;
	const uint8_t *as = vm_str(img, a, &al), *bs = vm_str(img, b, &bl);

	return bytes_cmp(as, al, bs, bl);
}

/* Orders of the u32 arrays we sort. */
enum sort_kind { SORT_NUM, SORT_OBLIG, SORT_ARGV };

static int sort_cmp(const struct vm_image *img, enum sort_kind k, uint32_t a, uint32_t b)
{
	int c = 0;

	if (k == SORT_OBLIG)
		c = strref_cmp(img, img->sec[VM_SEC_OBLIG] + (size_t)a * 16 + VM_OBL_KEY,
			       img->sec[VM_SEC_OBLIG] + (size_t)b * 16 + VM_OBL_KEY);
	else if (k == SORT_ARGV)
		c = strref_cmp(img, img->sec[VM_SEC_ARGV] + (size_t)a * 24 + VM_ARGV_KEY,
			       img->sec[VM_SEC_ARGV] + (size_t)b * 24 + VM_ARGV_KEY);
	if (c)
		return c;
	return a < b ? -1 : a > b; /* ties: lower index (= lower rule id) first */
}

static void sift_down(const struct vm_image *img, enum sort_kind k, uint32_t *v, size_t i,
		      size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		uint32_t t;

		if (c >= n)
			return;
		if (c + 1 < n && sort_cmp(img, k, v[c], v[c + 1]) < 0)
			c++;
		if (sort_cmp(img, k, v[i], v[c]) >= 0)
			return;
		t = v[i];
		v[i] = v[c];
		v[c] = t;
		i = c;
	}
}

/* In-place sort without allocation: insertion sort for the usual handful of
 * elements, heapsort (O(n log n) worst case) beyond. */
static void sort_many(const struct vm_image *img, enum sort_kind k, uint32_t *v, size_t n)
{
	size_t i, j;
	uint32_t t;

	if (n <= 16) {
		for (i = 1; i < n; i++) {
			t = v[i];
			for (j = i; j > 0 && sort_cmp(img, k, v[j - 1], t) > 0; j--)
				v[j] = v[j - 1];
			v[j] = t;
		}
		return;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(img, k, v, i, n);
	for (i = n; i-- > 1;) {
		t = v[0];
		v[0] = v[i];
		v[i] = t;
		sift_down(img, k, v, 0, i);
	}
}

/* Most arrays here hold zero or one element: no call for those. */
static inline void sort_u32(const struct vm_image *img, enum sort_kind k, uint32_t *v, size_t n)
{
	if (n > 1)
		sort_many(img, k, v, n);
}

/* Binary search of s[0..n) among n_recs records of `stride` bytes starting at
 * base, each holding a strref (sorted, unique); UINT32_MAX when absent. */
static uint32_t find_str(const struct vm_image *img, const uint8_t *base, uint32_t n_recs,
			 size_t stride, const uint8_t *s, size_t n)
{
	uint32_t lo = 0, hi = n_recs, mid, len;
	const uint8_t *p;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		p = vm_str(img, base + (size_t)mid * stride, &len);
		/* most probes differ in the first byte: no call for those */
		if (len && n && p[0] != s[0])
			c = p[0] < s[0] ? -1 : 1;
		else
			c = bytes_cmp(p, len, s, n);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

/* The interned id of an identity string; UINT32_MAX when absent (then no
 * list can contain it). */
static uint32_t intern(const struct vm_image *img, const uint8_t *s, size_t n)
{
	return find_str(img, img->sec[VM_SEC_IDENTS], img->n_idents, 8, s, n);
}

/* Finds the action-type group for type[0..n); -1 when none. Images with few
 * groups (most) scan the word index made at verification: length and first
 * eight bytes, the rest compared only on a hit. */
static long find_group(const struct vm_image *img, const uint8_t *type, size_t n)
{
	uint32_t g, len;
	uint64_t w = 0;
	const uint8_t *t;

	if (img->n_atypes > VM_GROUP_INDEX) {
		g = find_str(img, img->sec[VM_SEC_ATYPES] + VM_AT_TYPE, img->n_atypes, 24, type, n);
		return g == UINT32_MAX ? -1 : (long)g;
	}
	memcpy(&w, type, n < 8 ? n : 8);
	for (g = 0; g < img->n_atypes; g++) {
		if (img->group_len[g] != n || img->group_word[g] != w)
			continue;
		if (n <= 8)
			return (long)g;
		t = vm_str(img, img->sec[VM_SEC_ATYPES] + (size_t)g * 24 + VM_AT_TYPE, &len);
		if (!memcmp(t + 8, type + 8, n - 8))
			return (long)g;
	}
	return -1;
}

struct ectx {
	const struct vm_image *img;
	const struct vm_action *act;
	uint32_t ident[3]; /* interned principal, agent, environment ... */
	unsigned interned; /* ... bit k set once ident[k] is known */
	int is_exec;
	/* per decision class, over its matched rules: rule flags or-ed, and
	 * whether any has obligations (nothing to merge otherwise) */
	unsigned flags[VM_DEC__COUNT];
	int oblig[VM_DEC__COUNT];
};

static int in_list(const struct vm_image *img, uint32_t at, uint32_t id)
{
	const uint8_t *w = img->sec[VM_SEC_LISTS] + (size_t)at * 4;
	uint32_t n = vm_rd32(w), i;

	for (i = 0; i < n; i++)
		if (vm_rd32(w + 4 + (size_t)i * 4) == id)
			return 1;
	return 0;
}

static int argv_any(const struct ectx *e, uint32_t first, uint32_t n)
{
	const struct vm_image *img = e->img;
	uint32_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *rec = img->sec[VM_SEC_ARGV] + ((size_t)first + i) * 24;
		const uint8_t *blob = img->sec[VM_SEC_BLOBS] + vm_rd32(rec + VM_ARGV_BLOB);

		if (vm_argv_match(blob, vm_rd32(rec + VM_ARGV_BLOB_LEN), e->act->argv, e->act->argc) > 0)
			return 1;
	}
	return 0;
}

/* Runs a rule's predicate program (spec §2.1 steps 3-7). */
static enum vm_fail run_prog(struct ectx *e, const uint8_t *rule)
{
	const struct vm_image *img = e->img;
	const uint8_t *insn = img->sec[VM_SEC_PROGS] + (size_t)vm_rd32(rule + VM_RULE_PROG) * 8;
	const uint8_t *end = insn + (size_t)vm_rd32(rule + VM_RULE_PROG_N) * 8;
	const struct vm_action *a = e->act;
	uint32_t c;

	for (; insn < end; insn += VM_INSN_SIZE) {
		c = vm_rd32(insn + 4);
		switch (insn[0]) {
		case VM_OP_PRINCIPAL:
		case VM_OP_AGENT:
		case VM_OP_ENVIRONMENT: {
			unsigned k = (unsigned)(insn[0] - VM_OP_PRINCIPAL);

			if (!(e->interned & (1u << k))) {
				e->ident[k] = k == 0 ? intern(img, a->principal, a->principal_len) :
					      k == 1 ? intern(img, a->agent, a->agent_len) :
						       intern(img, a->environment, a->environment_len);
				e->interned |= 1u << k;
			}
			if (!in_list(img, c, e->ident[k]))
				return (enum vm_fail)(VM_FAIL_PRINCIPAL + k);
			break;
		}
		case VM_OP_RISK:
			if ((a->risk & c) != c)
				return VM_FAIL_RISK;
			break;
		case VM_OP_EXEC:
			if (!e->is_exec || !a->argv_ok || !argv_any(e, c, vm_rd16(insn + 2)))
				return VM_FAIL_EXEC;
			break;
		case VM_OP_MATCH:
			return VM_FAIL_MATCHED;
		default:
			return VM_FAIL_EXEC; /* unreachable on a verified image */
		}
	}
	return VM_FAIL_EXEC;
}

/* Sets the explain trace of every rule to the first of its two automaton
 * checks that fails (action type, then resource); candidates overwrite it. */
static void trace_init(const struct vm_image *img, const struct vm_action *a, uint8_t *trace)
{
	uint32_t i, len;
	const uint8_t *t;

	for (i = 0; i < img->n_rules; i++) {
		t = vm_str(img, vm_rule(img, i) + VM_RULE_ATYPE, &len);
		trace[i] = (len == 1 && t[0] == '*') ||
				   !bytes_cmp(t, len, a->action_type, a->action_type_len) ?
			   VM_FAIL_RESOURCE :
			   VM_FAIL_ACTION_TYPE;
	}
}

/* Runs the automata of the group record grp over the resource and each
 * candidate's program, filing matches by decision class. Returns how many
 * automata named a candidate (their id lists are each ascending), or -1 on an
 * internal limit. */
static int run_automata(struct ectx *e, struct vm_result *r, const uint8_t *grp)
{
	const struct vm_image *img = e->img;
	uint32_t first = vm_rd32(grp + VM_AT_AUTO), n = vm_rd32(grp + VM_AT_AUTO_N), i, k, cnt, rid;
	const uint8_t *ids, *rule;
	enum vm_fail f;
	unsigned d;
	int sources = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *at = img->sec[VM_SEC_AUTOTAB] + ((size_t)first + i) * 8;

		cnt = vm_dfa_match(img->sec[VM_SEC_BLOBS] + vm_rd32(at), e->act->resource,
				   e->act->resource_len, &ids);
		sources += cnt > 0;
		for (k = 0; k < cnt; k++) {
			rid = vm_rd32(ids + (size_t)k * 4);
			/* a rule of the group's type or "*": the verifier saw to it */
			rule = vm_rule(img, rid);
			f = run_prog(e, rule);
			if (r->trace)
				r->trace[rid] = (uint8_t)f;
			if (f != VM_FAIL_MATCHED)
				continue;
			d = rule[VM_RULE_DECISION];
			if (r->n_by_class[d] >= img->n_rules)
				return -1;
			r->by_class[d][r->n_by_class[d]++] = rid;
			e->flags[d] |= rule[VM_RULE_FLAGS];
			e->oblig[d] |= vm_rd32(rule + VM_RULE_OBLIG_N) != 0;
		}
	}
	return sources;
}

/* run_automata for group g, then for the "*" group when g shares it. */
static int run_group(struct ectx *e, struct vm_result *r, long g)
{
	const struct vm_image *img = e->img;
	const uint8_t *grp = img->sec[VM_SEC_ATYPES] + (size_t)g * 24;
	int own = run_automata(e, r, grp), star;

	/* the verifier saw that a sharing group has a "*" group to share */
	if (own < 0 || !(vm_rd32(grp + VM_AT_FLAGS) & VM_AT_F_STAR))
		return own;
	star = run_automata(e, r, img->sec[VM_SEC_ATYPES] + (size_t)img->star_group * 24);
	return star < 0 ? star : own + star;
}

void vm_merge_obligations(const struct vm_image *img, struct vm_result *r, unsigned cls)
{
	uint32_t i, j, first, n, w;
	const uint8_t *rule;

	r->n_oblig = 0;
	r->n_argv = 0;
	r->has_exec_constraints = 0;
	r->oblig_class = (int)cls;
	for (i = 0; i < r->n_by_class[cls]; i++) {
		rule = vm_rule(img, r->by_class[cls][i]);
		first = vm_rd32(rule + VM_RULE_OBLIG);
		n = vm_rd32(rule + VM_RULE_OBLIG_N);
		for (j = 0; j < n && r->n_oblig < img->oblig_max; j++)
			r->oblig[r->n_oblig++] = first + j;
		if (cls != VM_DEC_DENY && (rule[VM_RULE_FLAGS] & VM_RULE_F_EXEC_MATCH)) {
			first = vm_rd32(rule + VM_RULE_ARGV);
			n = vm_rd32(rule + VM_RULE_ARGV_N);
			for (j = 0; j < n && r->n_argv < img->argv_max; j++)
				r->argv[r->n_argv++] = first + j;
		}
	}
	/* First rule (lowest id) defining a key wins (spec §3.2): sort by key,
	 * ties by entry index (entries are laid out in rule order), keep firsts. */
	sort_u32(img, SORT_OBLIG, r->oblig, r->n_oblig);
	for (i = 0, w = 0; i < r->n_oblig; i++)
		if (w == 0 || strref_cmp(img, img->sec[VM_SEC_OBLIG] + (size_t)r->oblig[w - 1] * 16,
					 img->sec[VM_SEC_OBLIG] + (size_t)r->oblig[i] * 16))
			r->oblig[w++] = r->oblig[i];
	r->n_oblig = w;
	/* Derived exec constraints (spec §3.3): all patterns, deduplicated by
	 * their NUL-joined tokens, in that key's byte order. */
	sort_u32(img, SORT_ARGV, r->argv, r->n_argv);
	for (i = 0, w = 0; i < r->n_argv; i++)
		if (w == 0 ||
		    strref_cmp(img, img->sec[VM_SEC_ARGV] + (size_t)r->argv[w - 1] * 24 + VM_ARGV_KEY,
			       img->sec[VM_SEC_ARGV] + (size_t)r->argv[i] * 24 + VM_ARGV_KEY))
			r->argv[w++] = r->argv[i];
	r->n_argv = w;
	r->has_exec_constraints = w > 0;
}

/* Reports whether the merged obligations contain key[0..n). */
static int oblig_has(const struct vm_image *img, const struct vm_result *r, const char *key,
		     size_t n)
{
	uint32_t i, len;
	const uint8_t *k;

	for (i = 0; i < r->n_oblig; i++) {
		k = vm_str(img, img->sec[VM_SEC_OBLIG] + (size_t)r->oblig[i] * 16 + VM_OBL_KEY, &len);
		if (len == n && !memcmp(k, key, n))
			return 1;
	}
	return 0;
}

/* vm_merge_obligations, skipped when the class's rules have nothing to merge. */
static void merge(const struct ectx *e, struct vm_result *r, unsigned cls)
{
	if (e->oblig[cls] || (cls != VM_DEC_DENY && (e->flags[cls] & VM_RULE_F_EXEC_MATCH))) {
		vm_merge_obligations(e->img, r, cls);
		return;
	}
	r->n_oblig = 0;
	r->n_argv = 0;
	r->has_exec_constraints = 0;
	r->oblig_class = (int)cls;
}

static void fail_closed(struct vm_result *r)
{
	r->decision = VM_DEC_DENY;
	r->reason = VM_R_INTERNAL_ERROR;
	r->matched = r->union_ids;
	r->n_matched = 0;
	r->n_oblig = 0;
	r->n_argv = 0;
	r->has_exec_constraints = 0;
	r->oblig_class = -1;
}

int vm_eval(const struct vm_image *img, const struct vm_action *act, struct vm_result *r)
{
	struct ectx e;
	long g;
	unsigned c;
	uint32_t i, total, a, b, na, nb;
	int has_em = 0, has_al = 0, sources;

	for (c = 0; c < VM_DEC__COUNT; c++)
		r->n_by_class[c] = 0;
	r->n_oblig = r->n_argv = 0;
	r->has_exec_constraints = 0;
	r->oblig_class = -1;
	r->exec_class = VM_EXEC_NONE;
	r->exec_conflict = 0;
	e.img = img;
	e.act = act;
	e.interned = 0;
	for (c = 0; c < VM_DEC__COUNT; c++) {
		e.flags[c] = 0;
		e.oblig[c] = 0;
	}
	e.is_exec = act->action_type_len == 12 && !memcmp(act->action_type, "process.exec", 12);
	if (r->trace)
		trace_init(img, act, r->trace);

	/* A typed group also holds the "*" rules; only an action type no rule
	 * names falls back to the "*" group. */
	g = find_group(img, act->action_type, act->action_type_len);
	if (g < 0 && img->star_group != UINT32_MAX)
		g = (long)img->star_group;
	sources = g >= 0 ? run_group(&e, r, g) : 0;
	if (sources < 0) {
		fail_closed(r);
		return -1;
	}
	/* one automaton's id lists are ascending already; several interleave */
	if (sources > 1)
		for (c = 0; c < VM_DEC__COUNT; c++)
			sort_u32(img, SORT_NUM, r->by_class[c], r->n_by_class[c]);

	/* Exec authorization summary over matched ALLOW and REQUIRE_APPROVAL rules. */
	has_em = ((e.flags[VM_DEC_ALLOW] | e.flags[VM_DEC_REQUIRE_APPROVAL]) &
		  VM_RULE_F_EXEC_MATCH) != 0;
	has_al = ((e.flags[VM_DEC_ALLOW] | e.flags[VM_DEC_REQUIRE_APPROVAL]) &
		  VM_RULE_F_EXEC_ALLOWLIST) != 0;
	r->exec_conflict = has_em && has_al;

	total = r->n_by_class[0] + r->n_by_class[1] + r->n_by_class[2];
	if (total == 0) {
		r->decision = VM_DEC_DENY;
		r->reason = VM_R_DENY_BY_DEFAULT;
		r->matched = r->union_ids;
		r->n_matched = 0;
	} else if (r->n_by_class[VM_DEC_DENY]) {
		r->decision = VM_DEC_DENY;
		r->reason = VM_R_DENY_BY_RULE;
		r->matched = r->by_class[VM_DEC_DENY];
		r->n_matched = r->n_by_class[VM_DEC_DENY];
		merge(&e, r, VM_DEC_DENY);
	} else if (e.is_exec && r->exec_conflict) {
		/* Sorted union of the ALLOW and REQUIRE_APPROVAL ids (disjoint sets). */
		na = r->n_by_class[VM_DEC_ALLOW];
		nb = r->n_by_class[VM_DEC_REQUIRE_APPROVAL];
		for (a = b = i = 0; a < na || b < nb;)
			r->union_ids[i++] = (b >= nb || (a < na && r->by_class[VM_DEC_ALLOW][a] <
								   r->by_class[VM_DEC_REQUIRE_APPROVAL][b])) ?
						    r->by_class[VM_DEC_ALLOW][a++] :
						    r->by_class[VM_DEC_REQUIRE_APPROVAL][b++];
		r->decision = VM_DEC_DENY;
		r->reason = VM_R_DENY_BY_EXEC_MODEL_CONFLICT;
		r->matched = r->union_ids;
		r->n_matched = i;
	} else if (r->n_by_class[VM_DEC_REQUIRE_APPROVAL]) {
		r->decision = VM_DEC_REQUIRE_APPROVAL;
		r->reason = VM_R_REQUIRE_APPROVAL_BY_RULE;
		r->matched = r->by_class[VM_DEC_REQUIRE_APPROVAL];
		r->n_matched = r->n_by_class[VM_DEC_REQUIRE_APPROVAL];
		merge(&e, r, VM_DEC_REQUIRE_APPROVAL);
	} else {
		r->decision = VM_DEC_ALLOW;
		r->reason = VM_R_ALLOW_BY_RULE;
		r->matched = r->by_class[VM_DEC_ALLOW];
		r->n_matched = r->n_by_class[VM_DEC_ALLOW];
		merge(&e, r, VM_DEC_ALLOW);
	}

	if (has_em && has_al)
		r->exec_class = VM_EXEC_MIXED_EXEC_MODELS;
	else if (has_em)
		r->exec_class = VM_EXEC_ARGV_PATTERN_MATCH;
	else if (has_al)
		r->exec_class = VM_EXEC_LEGACY_PREFIX_ALLOWLIST;
	else if (r->has_exec_constraints ||
		 (r->n_oblig && oblig_has(img, r, "exec_constraints", 16)))
		r->exec_class = VM_EXEC_ARGV_PATTERN_MATCH;
	else if (r->n_oblig && oblig_has(img, r, "exec_allowlist", 14))
		r->exec_class = VM_EXEC_LEGACY_PREFIX_ALLOWLIST;
	return 0;
}
