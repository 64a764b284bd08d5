/* cc_validate.c: Nomos v1 bundle validation (spec §1.5), same checks, order and
 * message text as upstream Bundle.Validate, each pointing at the offending node;
 * then nomos's stricter checks and extension warnings (docs/nomos-compat.md).
 * Upstream stops at the first failure; we report every problem. */
#include "compiler/cc_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_automata.h"

/* Prints s[0..n) for a message: printable bytes as they are, others escaped,
 * cut at a sane length. */
static const char *shown(const struct cc_str *s, char *buf, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < s->len && k + 8 < cap; i++) {
		unsigned char ch = (unsigned char)s->s[i];

		if (ch < 0x20 || ch == 0x7f)
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", ch);
		else
			buf[k++] = (char)ch;
	}
	if (i < s->len && k + 4 < cap)
		k += (size_t)snprintf(buf + k, cap - k, "...");
	buf[k] = 0;
	return buf;
}

static int str_is(const struct cc_str *s, const char *lit)
{
	return s->len == strlen(lit) && (s->len == 0 || !memcmp(s->s, lit, s->len));
}

static int has_backslash(const struct cc_str *s)
{
	return s->len && memchr(s->s, '\\', s->len) != NULL;
}

static const struct cc_member *obligation(const struct cc_rule *r, const char *key)
{
	size_t i;

	if (!r->has_obligations || r->obligations.kind != CC_V_OBJECT)
		return NULL;
	for (i = 0; i < r->obligations.n; i++)
		if (str_is(&r->obligations.members[i].key, key))
			return &r->obligations.members[i];
	return NULL;
}

/* Suggests the decision the author probably meant. */
static const char *decision_hint(const struct cc_str *d)
{
	static const char *const names[] = { "ALLOW", "DENY", "REQUIRE_APPROVAL" };
	size_t i, j;

	for (i = 0; i < 3; i++) {
		if (d->len != strlen(names[i]))
			continue;
		for (j = 0; j < d->len; j++) {
			char a = d->s[j], b = names[i][j];

			if (a >= 'a' && a <= 'z')
				a = (char)(a - 'a' + 'A');
			if (a == '-' || a == ' ')
				a = '_';
			if (a != b)
				break;
		}
		if (j == d->len)
			return names[i];
	}
	return NULL;
}

/* A regex matcher (nomos extension) must be one the automata engine compiles:
 * checked here so that `nomosc check` rejects what `nomosc build` would, in
 * every format (the .nomos front end already checked its re"..." literals).
 * The caret goes inside the pattern when the source spells it byte for byte
 * (plain or quoted without escapes), else under the whole value. */
static void check_regex(struct cc_diag_sink *sink, const struct cc_str *s)
{
	struct cc_pos p = s->pos;
	const char *ls;
	size_t at = 0, q, ll;
	char msg[256];

	if (cc_regex_check(s->s, s->len, &at, msg, sizeof msg) == 0)
		return;
	if (at > s->len)
		at = s->len;
	if (p.src && p.line && p.col && (ls = cc_src_line(p.src, p.line, &ll)) != NULL) {
		const char *v = ls + p.col - 1, *end = p.src->text + p.src->len;

		q = v < end && (*v == '"' || *v == '\'') ? 1 : 0;
		if ((size_t)(end - v) >= q + s->len && !memchr(v, '\n', q + s->len) &&
		    !memcmp(v + q, s->s, s->len)) {
			p.col += (uint32_t)(q + at);
			p.len = 1;
		}
	}
	cc_diag(sink, CC_ERROR, CC_W_syntax, p, "invalid regex: %s", msg);
}

static void check_rule(struct cc_diag_sink *sink, const struct cc_bundle *b, size_t ri)
{
	const struct cc_rule *r = &b->rules[ri];
	char id[200], tmp[200];
	const char *hint;
	size_t i, j;
	int warned;

	shown(&r->id, id, sizeof id);
	/* "rule id is required" was reported; name the rule by its place */
	if (r->id.len == 0)
		snprintf(id, sizeof id, "#%zu (no id)", ri + 1);
	/* point at the empty value when one was written, else at the rule */
	if (r->action_type.len == 0)
		cc_diag(sink, CC_ERROR, CC_W_nomos,
			r->action_type.pos.line ? r->action_type.pos : r->pos,
			"rule %s missing action_type", id);
	if (r->resource.len == 0)
		cc_diag(sink, CC_ERROR, CC_W_nomos, r->resource.pos.line ? r->resource.pos : r->pos,
			"rule %s missing resource", id);
	if (!str_is(&r->decision, "ALLOW") && !str_is(&r->decision, "DENY") &&
	    !str_is(&r->decision, "REQUIRE_APPROVAL")) {
		struct cc_pos p = r->decision.len ? r->decision.pos : r->pos;

		hint = decision_hint(&r->decision);
		if (hint)
			cc_diag(sink, CC_ERROR, CC_W_nomos, p,
				"rule %s has invalid decision \"%s\"; expected ALLOW, DENY or "
				"REQUIRE_APPROVAL (decisions are case-sensitive: write %s)", id,
				shown(&r->decision, tmp, sizeof tmp), hint);
		else
			cc_diag(sink, CC_ERROR, CC_W_nomos, p,
				"rule %s has invalid decision \"%s\"; expected ALLOW, DENY or "
				"REQUIRE_APPROVAL", id, shown(&r->decision, tmp, sizeof tmp));
	}
	if (r->has_exec_match) {
		const struct cc_member *legacy = obligation(r, "exec_allowlist");

		if (!str_is(&r->action_type, "process.exec") && !str_is(&r->action_type, "*"))
			cc_diag(sink, CC_ERROR, CC_W_nomos,
				r->action_type.len ? r->action_type.pos : r->exec_match_pos,
				"rule %s exec_match requires action_type process.exec or *", id);
		if (legacy)
			cc_diag(sink, CC_ERROR, CC_W_nomos, legacy->key.pos,
				"rule %s must not declare both exec_match and exec_allowlist "
				"(exec_allowlist is the legacy model; keep exec_match)", id);
		if (!r->has_argv_patterns || r->n_argv_patterns == 0)
			cc_diag(sink, CC_ERROR, CC_W_nomos, r->exec_match_pos,
				"rule %s exec_match.argv_patterns is required", id);
		for (i = 0; i < r->n_argv_patterns; i++) {
			const struct cc_argv_pattern *p = &r->argv_patterns[i];

			if (p->n == 0)
				cc_diag(sink, CC_ERROR, CC_W_nomos, p->pos,
					"rule %s exec_match.argv_patterns[%zu] must not be empty", id, i);
			for (j = 0; j < p->n; j++)
				if (p->tokens[j].text.len == 0)
					cc_diag(sink, CC_ERROR, CC_W_nomos, p->tokens[j].text.pos,
						"rule %s exec_match.argv_patterns[%zu][%zu] must not be "
						"empty", id, i, j);
		}
	}
	/* Stricter than upstream: a backslash makes the v1 matcher fail, and the
	 * engine treats that as "no match", so the rule would be silently dead. */
	if (r->resource_kind == CC_MATCH_GLOB && has_backslash(&r->resource))
		cc_diag(sink, CC_ERROR, CC_W_strict, r->resource.pos,
			"rule %s resource contains a backslash; Nomos v1 never matches such a "
			"pattern, so the rule would be silently dead (use '/' as the separator)", id);
	for (i = 0; i < r->n_argv_patterns; i++)
		for (j = 0; j < r->argv_patterns[i].n; j++) {
			const struct cc_argv_token *t = &r->argv_patterns[i].tokens[j];

			if (t->kind == CC_MATCH_GLOB && has_backslash(&t->text))
				cc_diag(sink, CC_ERROR, CC_W_strict, t->text.pos,
					"rule %s exec_match.argv_patterns[%zu][%zu] contains a "
					"backslash; nomos rejects it so that token patterns mean "
					"the same everywhere (match the literal text without it, or "
					"use a regex token)", id, i, j);
		}
	if (r->resource_kind == CC_MATCH_REGEX) {
		cc_diag(sink, CC_WARNING, CC_W_nonportable, r->resource.pos,
			"rule %s matches its resource with a regex, a nomos extension; the bundle "
			"cannot be loaded by Nomos v1", id);
		check_regex(sink, &r->resource);
	}
	warned = 0;
	for (i = 0; i < r->n_argv_patterns; i++)
		for (j = 0; j < r->argv_patterns[i].n; j++) {
			const struct cc_argv_token *t = &r->argv_patterns[i].tokens[j];

			if (t->kind != CC_MATCH_REGEX)
				continue;
			/* one portability warning per rule is enough */
			if (!warned++)
				cc_diag(sink, CC_WARNING, CC_W_nonportable, t->text.pos,
					"rule %s uses a regex argv token, a nomos extension; the "
					"bundle cannot be loaded by Nomos v1", id);
			check_regex(sink, &t->text);
		}
}

/* Sorting rule pointers by (id, position in the array) finds duplicates in
 * O(n log n) without global state. */
static int cmp_rule_id(const void *pa, const void *pb)
{
	const struct cc_rule *a = *(const struct cc_rule *const *)pa;
	const struct cc_rule *b = *(const struct cc_rule *const *)pb;
	int c = rt_bytes_cmp(a->id.s, a->id.len, b->id.s, b->id.len);

	return c ? c : (a > b) - (a < b);
}

/* first[i] = index of the first rule with rule i's id (i itself when unique). */
static size_t *first_with_id(const struct cc_bundle *b)
{
	const struct cc_rule **order = malloc(b->n_rules * sizeof *order);
	size_t *first = malloc(b->n_rules * sizeof *first);
	size_t i, g = 0;

	if (!order || !first) {
		free(order);
		free(first);
		return NULL;
	}
	for (i = 0; i < b->n_rules; i++)
		order[i] = &b->rules[i];
	qsort(order, b->n_rules, sizeof *order, cmp_rule_id);
	for (i = 0; i < b->n_rules; i++) {
		if (i > 0 && rt_bytes_cmp(order[i]->id.s, order[i]->id.len, order[g]->id.s,
					  order[g]->id.len))
			g = i;
		first[order[i] - b->rules] = (size_t)(order[g] - b->rules);
	}
	free(order);
	return first;
}

int cc_validate(struct cc_diag_sink *sink, const struct cc_bundle *b)
{
	unsigned before = sink->errors;
	size_t i, j, *first = NULL;

	if (!str_is(&b->version, "v1"))
		cc_diag(sink, CC_ERROR, CC_W_nomos, b->has_version ? b->version.pos : b->pos,
			"bundle version must be v1%s",
			b->has_version ? "" : " (add `version: v1`)");
	if (b->n_rules == 0)
		cc_diag(sink, CC_ERROR, CC_W_nomos,
			b->has_rules && b->rules_pos.line ? b->rules_pos : b->pos,
			"bundle rules are required");
	if (b->n_rules && !(first = first_with_id(b))) {
		cc_diag(sink, CC_ERROR, CC_W_limit, b->pos, "out of memory");
		return -1;
	}
	for (i = 0; i < b->n_rules; i++) {
		const struct cc_rule *r = &b->rules[i];
		char id[200];

		if (r->id.len == 0) {
			cc_diag(sink, CC_ERROR, CC_W_nomos, r->pos, "rule id is required");
		} else {
			j = first[i];
			if (j < i) {
				cc_diag(sink, CC_ERROR, CC_W_nomos, r->id.pos, "duplicate rule id \"%s\"",
					shown(&r->id, id, sizeof id));
				if (b->rules[j].id.pos.line)
					cc_diag(sink, CC_NOTE, CC_W_nomos, b->rules[j].id.pos,
						"first defined here");
			}
		}
		check_rule(sink, b, i);
	}
	free(first);
	return sink->errors > before ? -1 : 0;
}
