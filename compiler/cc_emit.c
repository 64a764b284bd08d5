/* cc_emit.c: the image writer (see cc_emit.h). Lowers the typed model to the
 * sections of vm/vm_image.h. Rules are numbered in byte order of their ids so
 * the VM can sort matched rules numerically; strings are interned so equal
 * strings share one strref (the VM relies on it for action-type groups). */
#include "compiler/cc_emit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_action.h"
#include "vm/vm_dfa.h"
#include "vm/vm_image.h"
#include "vm/vm_opcodes.h"
#include "vm/vm_risk.h"

/* ---- little-endian writers ------------------------------------------------ */

static void put32(struct rt_buf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	rt_buf_put(b, p, 4);
}

static void put64(struct rt_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void set64(uint8_t *p, uint64_t v)
{
	set32(p, (uint32_t)v);
	set32(p + 4, (uint32_t)(v >> 32));
}

static void pad8(struct rt_buf *b)
{
	static const uint8_t zero[8];

	if (b->len % 8)
		rt_buf_put(b, zero, 8 - b->len % 8);
}

/* ---- string interning -------------------------------------------------------- */

struct strtab {
	struct rt_buf bytes;
	uint32_t *slots; /* index + 1 into refs, 0 = empty */
	uint32_t (*refs)[2];
	size_t n, cap, nslots;
	int failed;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static int strtab_rehash(struct strtab *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1024, i, j;
	uint32_t *slots = calloc(ns, sizeof *slots);

	if (!slots)
		return -1;
	for (i = 0; i < t->n; i++) {
		j = fnv(t->bytes.data + t->refs[i][0], t->refs[i][1]) & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = ns;
	return 0;
}

/* Interns s[0..n) and writes its 8-byte strref into ref. */
static void intern(struct strtab *t, const char *s, size_t n, uint8_t ref[8])
{
	size_t j;
	uint32_t k;

	memset(ref, 0, 8);
	if (t->failed)
		return;
	if ((t->n + 1) * 2 > t->nslots && strtab_rehash(t))
		goto fail;
	j = fnv(s, n) & (t->nslots - 1);
	while ((k = t->slots[j]) != 0) {
		k--;
		if (t->refs[k][1] == n && !memcmp(t->bytes.data + t->refs[k][0], s, n)) {
			set32(ref, t->refs[k][0]);
			set32(ref + 4, t->refs[k][1]);
			return;
		}
		j = (j + 1) & (t->nslots - 1);
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *p = realloc(t->refs, cap * sizeof *t->refs);

		if (!p)
			goto fail;
		t->refs = p;
		t->cap = cap;
	}
	if (t->bytes.len + n > UINT32_MAX)
		goto fail;
	t->refs[t->n][0] = (uint32_t)t->bytes.len;
	t->refs[t->n][1] = (uint32_t)n;
	rt_buf_put(&t->bytes, s, n);
	if (t->bytes.failed)
		goto fail;
	t->slots[j] = (uint32_t)++t->n;
	set32(ref, t->refs[t->n - 1][0]);
	set32(ref + 4, (uint32_t)n);
	return;
fail:
	t->failed = 1;
}

static void strtab_free(struct strtab *t)
{
	rt_buf_free(&t->bytes);
	free(t->slots);
	free(t->refs);
}

/* ---- helpers over the model --------------------------------------------------- */

struct rule_ref {
	const struct cc_rule *rule;
	uint32_t bundle;
};

static int rule_ref_cmp(const void *a, const void *b)
{
	const struct cc_rule *x = ((const struct rule_ref *)a)->rule;
	const struct cc_rule *y = ((const struct rule_ref *)b)->rule;

	return rt_bytes_cmp(x->id.s, x->id.len, y->id.s, y->id.len);
}

static int str_eq(const struct cc_str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len == n && !memcmp(s->s, lit, n);
}

static unsigned decision_code(const struct cc_str *d)
{
	if (str_eq(d, "DENY"))
		return VM_DEC_DENY;
	if (str_eq(d, "REQUIRE_APPROVAL"))
		return VM_DEC_REQUIRE_APPROVAL;
	return VM_DEC_ALLOW;
}

/* A list that matches everything (empty, or holding "*") needs no check. */
static int list_is_open(const struct cc_strlist *l)
{
	size_t i;

	if (l->n == 0)
		return 1;
	for (i = 0; i < l->n; i++)
		if (str_eq(&l->items[i], "*"))
			return 1;
	return 0;
}

struct ident {
	const char *s;
	size_t len;
};

static int ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;

	return rt_bytes_cmp(x->s, x->len, y->s, y->len);
}

static uint32_t ident_find(const struct ident *ids, size_t n, const struct cc_str *s)
{
	struct ident key = { s->s, s->len };
	const struct ident *p = bsearch(&key, ids, n, sizeof *ids, ident_cmp);

	return p ? (uint32_t)(p - ids) : UINT32_MAX;
}

static int member_cmp(const void *a, const void *b)
{
	const struct cc_member *x = *(const struct cc_member *const *)a;
	const struct cc_member *y = *(const struct cc_member *const *)b;

	return rt_bytes_cmp(x->key.s, x->key.len, y->key.s, y->key.len);
}

struct group {
	const char *type;
	size_t len;
	uint32_t first_rule_pos; /* in the by-type order array */
	uint32_t n_rules;
};

struct emit {
	struct cc_arena *a;
	struct cc_diag_sink *sink;
	struct strtab st;
	struct rt_buf rules, sources, atypes, autotab, blobs, idents, lists, progs, argv, oblig;
	struct rt_buf tmp;
	/* emit_list: seen[id] == list_serial marks an id already in this list */
	uint32_t *seen;
	uint32_t list_serial;
};

static void insn(struct rt_buf *b, unsigned op, uint16_t bb, uint32_t c)
{
	uint8_t p[8] = { (uint8_t)op, 0, (uint8_t)bb, (uint8_t)(bb >> 8), 0, 0, 0, 0 };

	set32(p + 4, c);
	rt_buf_put(b, p, 8);
}

static uint32_t emit_list(struct emit *e, const struct ident *ids, size_t nids,
			  const struct cc_strlist *l)
{
	uint32_t at = (uint32_t)(e->lists.len / 4), id;
	size_t i, count = 0, missing = 0;
	uint32_t *tmp = cc_arena_array(e->a, l->n, sizeof *tmp);

	if (!e->seen)
		e->seen = cc_arena_array(e->a, nids ? nids : 1, sizeof *e->seen);
	if (!tmp || !e->seen)
		return 0;
	/* each id once, in the order written: marks, not a scan of the list so
	 * far (a list of 100,000 principals took seconds) */
	if (++e->list_serial == 0) {
		memset(e->seen, 0, (nids ? nids : 1) * sizeof *e->seen);
		e->list_serial = 1;
	}
	for (i = 0; i < l->n; i++) {
		id = ident_find(ids, nids, &l->items[i]);
		if (id >= nids) { /* not collected (cannot happen): kept once too */
			if (missing++)
				continue;
		} else if (e->seen[id] == e->list_serial) {
			continue;
		}
		if (id < nids)
			e->seen[id] = e->list_serial;
		tmp[count++] = id;
	}
	put32(&e->lists, (uint32_t)count);
	for (i = 0; i < count; i++)
		put32(&e->lists, tmp[i]);
	return at;
}

/* Canonical JSON of an argv pattern and its NUL-joined sort key. */
static void argv_texts(const struct cc_argv_pattern *p, struct rt_buf *json, struct rt_buf *key)
{
	size_t i;

	rt_buf_putc(json, '[');
	for (i = 0; i < p->n; i++) {
		const struct cc_argv_token *t = &p->tokens[i];

		if (i) {
			rt_buf_putc(json, ',');
			rt_buf_putc(key, '\0');
		}
		if (t->kind == CC_MATCH_REGEX) {
			rt_buf_puts(json, "{\"regex\":");
			rt_canon_string(json, t->text.s, t->text.len);
			rt_buf_putc(json, '}');
		} else {
			rt_canon_string(json, t->text.s, t->text.len);
		}
		rt_buf_put(key, t->text.s, t->text.len);
	}
	rt_buf_putc(json, ']');
}

static int emit_rule(struct emit *e, const struct rule_ref *rr, const struct ident *ids,
		     size_t nids, uint64_t *oblig_sum, uint64_t *argv_sum)
{
	const struct cc_rule *r = rr->rule;
	uint8_t rec[64], ref[8];
	uint32_t prog = (uint32_t)(e->progs.len / 8), nprog, mask = 0;
	uint32_t ob_first = (uint32_t)(e->oblig.len / 16), ob_n = 0;
	uint32_t av_first = (uint32_t)(e->argv.len / 24);
	unsigned dec = decision_code(&r->decision), flags = 0;
	size_t i, j;

	memset(rec, 0, sizeof rec);
	intern(&e->st, r->id.s, r->id.len, rec + VM_RULE_ID);
	intern(&e->st, r->action_type.s, r->action_type.len, rec + VM_RULE_ATYPE);
	intern(&e->st, r->resource.s, r->resource.len, rec + VM_RULE_RESOURCE);
	rec[VM_RULE_DECISION] = (uint8_t)dec;
	rec[VM_RULE_RKIND] = (uint8_t)r->resource_kind;
	set32(rec + VM_RULE_SOURCE, rr->bundle);
	set32(rec + VM_RULE_LINE, r->pos.line);
	set32(rec + VM_RULE_COL, r->pos.col);

	/* Predicate program, in upstream check order (spec §2.1). */
	if (!list_is_open(&r->principals))
		insn(&e->progs, VM_OP_PRINCIPAL, 0, emit_list(e, ids, nids, &r->principals));
	if (!list_is_open(&r->agents))
		insn(&e->progs, VM_OP_AGENT, 0, emit_list(e, ids, nids, &r->agents));
	if (!list_is_open(&r->environments))
		insn(&e->progs, VM_OP_ENVIRONMENT, 0, emit_list(e, ids, nids, &r->environments));
	if (r->risk_flags.n) {
		for (i = 0; i < r->risk_flags.n; i++) {
			const struct cc_str *f = &r->risk_flags.items[i];
			char *low = cc_arena_strndup(e->a, f->s, f->len);
			unsigned bit;

			if (!low)
				return -2;
			for (j = 0; j < f->len; j++)
				if (low[j] >= 'A' && low[j] <= 'Z')
					low[j] = (char)(low[j] - 'A' + 'a');
			bit = rt_risk_from_name(low, f->len);
			/* Unknown flags make the rule unmatchable, as upstream. */
			mask |= bit ? bit : 1u << 31;
		}
		insn(&e->progs, VM_OP_RISK, 0, mask);
	}
	if (r->has_exec_match) {
		flags |= VM_RULE_F_EXEC_MATCH;
		for (i = 0; i < r->n_argv_patterns; i++) {
			const struct cc_argv_pattern *p = &r->argv_patterns[i];
			struct cc_automata_error err;
			uint8_t *blob;
			size_t len;
			uint8_t arec[24];
			int rc;

			rc = cc_argv_blob(e->a, p->tokens, p->n, &blob, &len, &err);
			if (rc) {
				if (rc == -1)
					cc_diag(e->sink, CC_ERROR, CC_W_limit,
						err.pattern < p->n ? p->tokens[err.pattern].text.pos : p->pos,
						"argv pattern cannot be compiled: %s", err.msg);
				return rc;
			}
			pad8(&e->blobs);
			memset(arec, 0, sizeof arec);
			set32(arec + VM_ARGV_BLOB, (uint32_t)e->blobs.len);
			set32(arec + VM_ARGV_BLOB_LEN, (uint32_t)len);
			rt_buf_put(&e->blobs, blob, len);
			rt_buf_reset(&e->tmp);
			{
				struct rt_buf key;

				rt_buf_init(&key);
				argv_texts(p, &e->tmp, &key);
				intern(&e->st, e->tmp.data, e->tmp.len, arec + VM_ARGV_JSON);
				intern(&e->st, key.data ? key.data : "", key.len, arec + VM_ARGV_KEY);
				rt_buf_free(&key);
			}
			rt_buf_put(&e->argv, arec, sizeof arec);
		}
		if (r->n_argv_patterns > UINT16_MAX) {
			cc_diag(e->sink, CC_ERROR, CC_W_limit, r->exec_match_pos,
				"rule %.*s has more than %u argv patterns", (int)r->id.len, r->id.s,
				UINT16_MAX);
			return -1;
		}
		insn(&e->progs, VM_OP_EXEC, (uint16_t)r->n_argv_patterns, av_first);
	}
	insn(&e->progs, VM_OP_MATCH, 0, 0);
	nprog = (uint32_t)(e->progs.len / 8) - prog;
	set32(rec + VM_RULE_PROG, prog);
	set32(rec + VM_RULE_PROG_N, nprog);

	/* Obligations: entries sorted by key, values as canonical JSON. */
	if (r->has_obligations && r->obligations.n) {
		const struct cc_member **m =
			cc_arena_array(e->a, r->obligations.n, sizeof *m);

		if (!m)
			return -2;
		for (i = 0; i < r->obligations.n; i++)
			m[i] = &r->obligations.members[i];
		qsort(m, r->obligations.n, sizeof *m, member_cmp);
		for (i = 0; i < r->obligations.n; i++) {
			uint8_t orec[16];

			if (str_eq(&m[i]->key, "exec_allowlist"))
				flags |= VM_RULE_F_EXEC_ALLOWLIST;
			intern(&e->st, m[i]->key.s, m[i]->key.len, orec + VM_OBL_KEY);
			rt_buf_reset(&e->tmp);
			if (cc_value_canonical(&m[i]->value, &e->tmp) || e->tmp.failed)
				return -2;
			intern(&e->st, e->tmp.data, e->tmp.len, orec + VM_OBL_VALUE);
			rt_buf_put(&e->oblig, orec, sizeof orec);
			ob_n++;
		}
	}
	set32(rec + VM_RULE_OBLIG, ob_first);
	set32(rec + VM_RULE_OBLIG_N, ob_n);
	set32(rec + VM_RULE_ARGV, av_first);
	set32(rec + VM_RULE_ARGV_N, (uint32_t)(e->argv.len / 24) - av_first);
	rec[VM_RULE_FLAGS] = (uint8_t)flags;
	rt_buf_put(&e->rules, rec, sizeof rec);
	oblig_sum[dec] += ob_n;
	argv_sum[dec] += (uint32_t)(e->argv.len / 24) - av_first;
	(void)ref;
	return 0;
}

struct type_ref {
	const char *s;
	size_t len;
	uint32_t rule;
};

static int type_ref_cmp(const void *a, const void *b)
{
	const struct type_ref *x = a, *y = b;
	int c = rt_bytes_cmp(x->s, x->len, y->s, y->len);

	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int is_star(const char *s, size_t len)
{
	return len == 1 && s[0] == '*';
}

/* One action-type group per distinct action type. A typed group's automata
 * also carry the resources of the "*" rules, so evaluation runs exactly one
 * group over the resource; the "*" group alone serves action types that no
 * rule names. When copying would multiply ("*" rules x types beyond
 * CC_EMIT_STAR_COPY_MAX: 2,000 of each made a 788 MB image), typed groups
 * share the "*" group's automata instead (VM_AT_F_STAR): two passes, an
 * image linear in the bundle. */
static int emit_groups(struct emit *e, const struct rule_ref *rules, size_t n,
		       const struct cc_emit_opts *opts)
{
	struct type_ref *tr = cc_arena_array(e->a, n, sizeof *tr);
	struct cc_pattern *pats = cc_arena_array(e->a, n, sizeof *pats);
	size_t i, j, k, m, nstar = 0, star_first = 0, ntyped = 0;
	int share;

	if (!tr || !pats)
		return -2;
	for (i = 0; i < n; i++) {
		tr[i].s = rules[i].rule->action_type.s;
		tr[i].len = rules[i].rule->action_type.len;
		tr[i].rule = (uint32_t)i;
	}
	qsort(tr, n, sizeof *tr, type_ref_cmp);
	for (i = 0; i < n; i++)
		if (is_star(tr[i].s, tr[i].len)) {
			if (!nstar)
				star_first = i;
			nstar++;
		}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !rt_bytes_cmp(tr[j].s, tr[j].len, tr[i].s, tr[i].len); j++)
			;
		ntyped += !is_star(tr[i].s, tr[i].len);
	}
	share = nstar && (opts->star_mode > 0 ||
			  (opts->star_mode == 0 && nstar * ntyped > CC_EMIT_STAR_COPY_MAX));
	for (i = 0; i < n; i = j) {
		struct cc_automata set;
		struct cc_automata_error err;
		uint8_t rec[24];
		int rc;

		for (j = i; j < n && !rt_bytes_cmp(tr[j].s, tr[j].len, tr[i].s, tr[i].len); j++)
			;
		m = 0;
		for (k = i; k < j; k++)
			pats[m++].id = tr[k].rule;
		if (!is_star(tr[i].s, tr[i].len) && !share)
			for (k = star_first; k < star_first + nstar; k++)
				pats[m++].id = tr[k].rule;
		for (k = 0; k < m; k++) {
			const struct cc_rule *r = rules[pats[k].id].rule;

			pats[k].text = r->resource.s;
			pats[k].len = r->resource.len;
			pats[k].kind = r->resource_kind;
		}
		rc = cc_automata_build(e->a, pats, m, opts->limits, &set, &err);
		if (rc) {
			if (rc == -1) {
				const struct cc_rule *r =
					rules[pats[err.pattern < m ? err.pattern : 0].id].rule;
				struct cc_pos pos = r->resource.pos;

				if (r->resource_kind == CC_MATCH_REGEX && pos.col)
					pos.col += (uint32_t)err.offset + 1;
				cc_diag(e->sink, CC_ERROR, CC_W_limit, pos,
					"resource of rule %.*s cannot be compiled: %s", (int)r->id.len,
					r->id.s, err.msg);
				return -1;
			}
			return -2;
		}
		memset(rec, 0, sizeof rec);
		intern(&e->st, tr[i].s, tr[i].len, rec + VM_AT_TYPE);
		set32(rec + VM_AT_AUTO, (uint32_t)(e->autotab.len / 8));
		set32(rec + VM_AT_AUTO_N, (uint32_t)set.n);
		set32(rec + VM_AT_RULES, (uint32_t)m);
		if (share && !is_star(tr[i].s, tr[i].len))
			set32(rec + VM_AT_FLAGS, VM_AT_F_STAR);
		rt_buf_put(&e->atypes, rec, sizeof rec);
		for (k = 0; k < set.n; k++) {
			pad8(&e->blobs);
			put32(&e->autotab, (uint32_t)e->blobs.len);
			put32(&e->autotab, (uint32_t)set.items[k].len);
			rt_buf_put(&e->blobs, set.items[k].blob, set.items[k].len);
		}
		if (opts->report) {
			rt_buf_puts(opts->report, "action type ");
			rt_buf_put(opts->report, tr[i].s, tr[i].len);
			rt_buf_puts(opts->report, ":\n");
			cc_automata_report(&set, pats, opts->report);
		}
	}
	return 0;
}

static void emit_free(struct emit *e)
{
	strtab_free(&e->st);
	rt_buf_free(&e->rules);
	rt_buf_free(&e->sources);
	rt_buf_free(&e->atypes);
	rt_buf_free(&e->autotab);
	rt_buf_free(&e->blobs);
	rt_buf_free(&e->idents);
	rt_buf_free(&e->lists);
	rt_buf_free(&e->progs);
	rt_buf_free(&e->argv);
	rt_buf_free(&e->oblig);
	rt_buf_free(&e->tmp);
}

static int collect_idents(struct emit *e, const struct rule_ref *rules, size_t n,
			  struct ident **out, size_t *nout)
{
	size_t cap = 0, cnt = 0, i, k, w;
	struct ident *ids;

	for (i = 0; i < n; i++)
		cap += rules[i].rule->principals.n + rules[i].rule->agents.n +
		       rules[i].rule->environments.n;
	ids = cc_arena_array(e->a, cap ? cap : 1, sizeof *ids);
	if (!ids)
		return -2;
	for (i = 0; i < n; i++) {
		const struct cc_strlist *ls[3] = { &rules[i].rule->principals,
						   &rules[i].rule->agents,
						   &rules[i].rule->environments };

		for (k = 0; k < 3; k++) {
			size_t m;

			if (list_is_open(ls[k]))
				continue;
			for (m = 0; m < ls[k]->n; m++) {
				ids[cnt].s = ls[k]->items[m].s;
				ids[cnt].len = ls[k]->items[m].len;
				cnt++;
			}
		}
	}
	qsort(ids, cnt, sizeof *ids, ident_cmp);
	for (i = 0, w = 0; i < cnt; i++)
		if (w == 0 || ident_cmp(&ids[w - 1], &ids[i]))
			ids[w++] = ids[i];
	for (i = 0; i < w; i++) {
		uint8_t ref[8];

		intern(&e->st, ids[i].s, ids[i].len, ref);
		rt_buf_put(&e->idents, ref, 8);
	}
	*out = ids;
	*nout = w;
	return 0;
}

int cc_emit_image(struct cc_arena *a, struct cc_diag_sink *sink,
		  const struct cc_bundle *const *bundles, size_t n, const char bundle_hash[65],
		  const struct cc_emit_opts *opts, struct rt_buf *out)
{
	static const struct cc_emit_opts defaults;
	struct emit e;
	struct rule_ref *rules;
	struct ident *ids = NULL;
	size_t nrules = 0, nids = 0, i, k, start = 0;
	uint64_t oblig_sum[VM_DEC__COUNT] = { 0 }, argv_sum[VM_DEC__COUNT] = { 0 };
	uint32_t oblig_max = 0, argv_max = 0, flags = 0;
	uint8_t meta[32];
	struct rt_buf *secs[VM_SEC__MAX + 1];
	uint8_t h[32];
	int rc = 0;

	if (!opts)
		opts = &defaults;
	memset(&e, 0, sizeof e);
	e.a = a;
	e.sink = sink;
	for (i = 0; i < n; i++) {
		nrules += bundles[i]->n_rules;
		if (bundles[i]->nonportable)
			flags |= VM_IMG_F_NONPORTABLE;
	}
	if (nrules == 0 || nrules > VM_MAX_RULES) {
		cc_diag(sink, CC_ERROR, CC_W_limit, bundles[0]->pos,
			"an image holds 1 to %u rules, not %zu", VM_MAX_RULES, nrules);
		return -1;
	}
	rules = cc_arena_array(a, nrules, sizeof *rules);
	if (!rules)
		return -2;
	for (i = 0, k = 0; i < n; i++) {
		size_t r;

		for (r = 0; r < bundles[i]->n_rules; r++) {
			rules[k].rule = &bundles[i]->rules[r];
			rules[k].bundle = (uint32_t)i;
			k++;
		}
	}
	qsort(rules, nrules, sizeof *rules, rule_ref_cmp);

	if ((rc = collect_idents(&e, rules, nrules, &ids, &nids)))
		goto done;
	for (i = 0; i < nrules; i++)
		if ((rc = emit_rule(&e, &rules[i], ids, nids, oblig_sum, argv_sum)))
			goto done;
	if ((rc = emit_groups(&e, rules, nrules, opts)))
		goto done;
	for (i = 0; i < VM_DEC__COUNT; i++) {
		if (oblig_sum[i] > oblig_max)
			oblig_max = (uint32_t)oblig_sum[i];
		if (argv_sum[i] > argv_max)
			argv_max = (uint32_t)argv_sum[i];
	}
	for (i = 0; i < n; i++) {
		uint8_t rec[24];

		memset(rec, 0, sizeof rec);
		intern(&e.st, bundles[i]->src->path, strlen(bundles[i]->src->path), rec + VM_SRC_PATH);
		intern(&e.st, bundles[i]->hash, 64, rec + VM_SRC_HASH);
		set32(rec + VM_SRC_ROLE, (uint32_t)bundles[i]->role);
		set32(rec + VM_SRC_RULES, (uint32_t)bundles[i]->n_rules);
		rt_buf_put(&e.sources, rec, sizeof rec);
	}
	memset(meta, 0, sizeof meta);
	intern(&e.st, bundle_hash, 64, meta + VM_META_HASH);
	set32(meta + VM_META_RULES, (uint32_t)nrules);
	set32(meta + VM_META_SOURCES, (uint32_t)n);
	set32(meta + VM_META_OBLIG_MAX, oblig_max);
	set32(meta + VM_META_ARGV_MAX, argv_max);
	if (e.st.failed) {
		rc = -2;
		goto done;
	}

	/* Layout: header, section table, sections in kind order, SIG last. */
	{
		struct rt_buf metab, sig;
		static const uint8_t zero_sig[VM_SIG_SIZE];
		uint64_t off;
		size_t base = out->len;
		const uint8_t *parts[2];
		size_t lens[2];

		rt_buf_init(&metab);
		rt_buf_init(&sig);
		rt_buf_put(&metab, meta, sizeof meta);
		rt_buf_put(&sig, zero_sig, sizeof zero_sig);
		secs[VM_SEC_STRTAB] = &e.st.bytes;
		secs[VM_SEC_META] = &metab;
		secs[VM_SEC_SOURCES] = &e.sources;
		secs[VM_SEC_RULES] = &e.rules;
		secs[VM_SEC_ATYPES] = &e.atypes;
		secs[VM_SEC_AUTOTAB] = &e.autotab;
		secs[VM_SEC_BLOBS] = &e.blobs;
		secs[VM_SEC_IDENTS] = &e.idents;
		secs[VM_SEC_LISTS] = &e.lists;
		secs[VM_SEC_PROGS] = &e.progs;
		secs[VM_SEC_ARGV] = &e.argv;
		secs[VM_SEC_OBLIG] = &e.oblig;
		secs[VM_SEC_SIG] = &sig;

		rt_buf_put(out, VM_MAGIC, 8);
		put32(out, VM_FORMAT_VERSION);
		put32(out, VM_HEADER_SIZE);
		put64(out, 0); /* file size, patched below */
		put32(out, VM_SEC__MAX);
		put32(out, flags);
		put64(out, opts->revision);
		put64(out, opts->expires_at);
		put64(out, vm_opcode_fingerprint());
		put64(out, 0);
		for (i = 0; i < 64; i++)
			rt_buf_putc(out, 0); /* content hash + reserved */
		off = VM_HEADER_SIZE + (uint64_t)VM_SEC__MAX * VM_SECTION_ENTRY_SIZE;
		for (k = 1; k <= VM_SEC__MAX; k++) {
			off = (off + 7) & ~(uint64_t)7;
			put32(out, (uint32_t)k);
			put32(out, 0);
			put64(out, off);
			put64(out, secs[k]->len);
			off += secs[k]->len;
		}
		for (k = 1; k <= VM_SEC__MAX; k++) {
			while ((out->len - base) % 8)
				rt_buf_putc(out, 0);
			if (k == VM_SEC_SIG)
				start = out->len - base;
			rt_buf_put(out, secs[k]->data ? secs[k]->data : "", secs[k]->len);
		}
		rt_buf_free(&metab);
		rt_buf_free(&sig);
		if (out->failed) {
			rc = -2;
			goto done;
		}
		set64((uint8_t *)out->data + base + 16, out->len - base);
		parts[0] = (const uint8_t *)out->data + base;
		lens[0] = VM_HASH_OFFSET;
		parts[1] = (const uint8_t *)out->data + base + VM_HEADER_SIZE;
		lens[1] = start - VM_HEADER_SIZE;
		{
			crypto_hash_sha256_state hs;

			crypto_hash_sha256_init(&hs);
			crypto_hash_sha256_update(&hs, parts[0], lens[0]);
			crypto_hash_sha256_update(&hs, parts[1], lens[1]);
			crypto_hash_sha256_final(&hs, h);
		}
		memcpy(out->data + base + VM_HASH_OFFSET, h, 32);
	}
done:
	emit_free(&e);
	return rc;
}
