/* cc_nomos_lower.c: lowers a parsed .nomos document (cc_nomos.h) to the typed
 * bundle model (cc_model.h): decodes string literals, turns numbers into the
 * text YAML would give them, rejects duplicate clauses and keys, checks regex
 * syntax and flags the bundle non-portable when it uses regex matchers
 * (cc_validate then warns about each such rule, whatever the format). */
#include <stdio.h>
#include <string.h>

#include "compiler/cc_automata.h"
#include "compiler/cc_nomos.h"
#include "compiler/cc_number.h"
#include "compiler/cc_strmap.h"
#include "nomos_parse.h"

struct lower {
	struct cc_arena *a;
	struct cc_diag_sink *sink;
	const struct nm_doc *doc;
	struct cc_bundle *b;
	int errors;
	struct cc_strmap keys; /* (object, key) -> member index, for duplicates */
};

static const struct nm_token *tk(const struct lower *l, int i)
{
	return &l->doc->lx.toks[i];
}

static const char *tk_text(const struct lower *l, int i)
{
	return l->doc->src->text + tk(l, i)->off;
}

static struct cc_pos pos_of(const struct lower *l, int i)
{
	const struct nm_token *t = tk(l, i);
	struct cc_pos p = { l->doc->src, t->line, t->col, t->len };

	return p;
}

static int decode_string(struct lower *l, const char *s, size_t len, struct cc_str *out)
{
	char *buf = cc_arena_alloc(l->a, len + 1);

	if (!buf)
		return -1;
	out->s = buf;
	out->len = cc_nomos_decode_string(s, len, buf);
	return 0;
}

/* A word: identifier text, `*`, or a decoded string. */
static int word(struct lower *l, int i, struct cc_str *out)
{
	const struct nm_token *t = tk(l, i);

	out->pos = pos_of(l, i);
	if (t->kind == TK_STRING)
		return decode_string(l, tk_text(l, i), t->len, out);
	out->s = cc_arena_strndup(l->a, tk_text(l, i), t->len);
	out->len = t->len;
	return out->s ? 0 : -1;
}

/* re"..." -> the raw pattern between the quotes, syntax-checked. */
static int regex(struct lower *l, int i, struct cc_str *out)
{
	const struct nm_token *t = tk(l, i);

	out->pos = pos_of(l, i);
	out->s = cc_arena_strndup(l->a, tk_text(l, i) + 3, t->len - 4);
	out->len = t->len - 4;
	if (!out->s)
		return -1;
	/* The [-Wnonportable] warning comes from cc_validate, one per rule as
	 * for YAML and JSON; the syntax check is here because only the raw
	 * literal maps pattern offsets to source columns exactly. */
	l->b->nonportable = true;
	{
		size_t at = 0;
		char msg[256];

		if (cc_regex_check(out->s, out->len, &at, msg, sizeof msg) != 0) {
			struct cc_pos p = out->pos;

			if (at > out->len)
				at = out->len;
			p.col += 3 + (uint32_t)at;
			p.len = 1;
			cc_diag(l->sink, CC_ERROR, CC_W_syntax, p, "invalid regex: %s", msg);
			l->errors++;
		}
	}
	return 0;
}

static int strlist(struct lower *l, const struct nm_clause *c, struct cc_strlist *out)
{
	const struct nm_item *it;
	size_t k = 0;

	out->present = true;
	out->pos = pos_of(l, c->kw);
	out->n = c->list ? c->list->n : 0;
	if (!out->n)
		return 0;
	out->items = cc_arena_array(l->a, out->n, sizeof *out->items);
	if (!out->items)
		return -1;
	for (it = c->list->head; it; it = it->next, k++)
		if (word(l, it->tok, &out->items[k]))
			return -1;
	return 0;
}

static int patterns(struct lower *l, const struct nm_clause *c, struct cc_rule *r)
{
	const struct nm_pattern *p;
	size_t n = 0, k;

	for (p = c->patterns; p; p = p->next)
		n++;
	r->has_exec_match = true;
	r->has_argv_patterns = true;
	r->exec_match_pos = pos_of(l, c->intro >= 0 ? c->intro : c->kw);
	r->n_argv_patterns = n;
	r->argv_patterns = cc_arena_array(l->a, n ? n : 1, sizeof *r->argv_patterns);
	if (!r->argv_patterns)
		return -1;
	for (p = c->patterns, k = 0; p; p = p->next, k++) {
		struct cc_argv_pattern *ap = &r->argv_patterns[k];
		const struct nm_item *it;
		size_t j = 0;

		ap->pos = pos_of(l, p->seq.open);
		ap->n = p->seq.n;
		ap->tokens = cc_arena_array(l->a, ap->n ? ap->n : 1, sizeof *ap->tokens);
		if (!ap->tokens)
			return -1;
		for (it = p->seq.head; it; it = it->next, j++) {
			struct cc_argv_token *at = &ap->tokens[j];

			if (tk(l, it->tok)->kind == TK_REGEX) {
				at->kind = CC_MATCH_REGEX;
				if (regex(l, it->tok, &at->text))
					return -1;
			} else if (word(l, it->tok, &at->text)) {
				return -1;
			}
		}
	}
	return 0;
}

/* Number literal -> the text json.Marshal prints for the value YAML decodes
 * from the same plain scalar (integers exact, floats as Go float64), so a
 * .nomos bundle hashes like its YAML twin. */
static int number(struct lower *l, int i, struct cc_value *v)
{
	const struct nm_token *t = tk(l, i);
	struct cc_yaml_scalar y;

	cc_number_from_yaml(tk_text(l, i), t->len, &y);
	if ((y.kind != CC_Y_INT && y.kind != CC_Y_FLOAT) ||
	    (y.kind == CC_Y_FLOAT && (y.text[0] == '+' || y.text[0] == 'N' ||
				      (y.text[0] == '-' && y.text[1] == 'I')))) {
		cc_diag(l->sink, CC_ERROR, CC_W_syntax, pos_of(l, i),
			"number out of range: it does not fit a 64-bit float");
		l->errors++;
		y.len = 1;
		memcpy(y.text, "0", 2);
	}
	v->text = cc_arena_strndup(l->a, y.text, y.len);
	v->len = y.len;
	return v->text ? 0 : -1;
}

static int value(struct lower *l, const struct nm_value *nv, struct cc_value *v)
{
	const struct nm_item *it;
	size_t k = 0, *first;
	int added;

	memset(v, 0, sizeof *v);
	v->pos = pos_of(l, nv->tok);
	switch (nv->kind) {
	case NM_V_NULL: v->kind = CC_V_NULL; return 0;
	case NM_V_TRUE: v->kind = CC_V_BOOL; v->boolean = true; return 0;
	case NM_V_FALSE: v->kind = CC_V_BOOL; return 0;
	case NM_V_NUMBER: v->kind = CC_V_NUMBER; return number(l, nv->tok, v);
	case NM_V_STRING: {
		struct cc_str s;

		v->kind = CC_V_STRING;
		if (decode_string(l, tk_text(l, nv->tok), tk(l, nv->tok)->len, &s))
			return -1;
		v->text = s.s;
		v->len = s.len;
		return 0;
	}
	case NM_V_ARRAY:
		v->kind = CC_V_ARRAY;
		v->n = nv->seq.n;
		v->items = cc_arena_array(l->a, v->n ? v->n : 1, sizeof *v->items);
		if (!v->items)
			return -1;
		for (it = nv->seq.head; it; it = it->next, k++)
			if (value(l, it->value, &v->items[k]))
				return -1;
		return 0;
	case NM_V_OBJECT:
		v->kind = CC_V_OBJECT;
		v->n = nv->seq.n;
		v->members = cc_arena_array(l->a, v->n ? v->n : 1, sizeof *v->members);
		if (!v->members)
			return -1;
		for (it = nv->seq.head; it; it = it->next, k++) {
			struct cc_member *m = &v->members[k];

			if (word(l, it->key, &m->key) || value(l, it->value, &m->value))
				return -1;
			/* the object's address tells its keys from its children's */
			first = cc_strmap_put(&l->keys, (size_t)(uintptr_t)v, m->key.s, m->key.len,
					      &added);
			if (!first)
				return -1;
			if (added) {
				*first = k;
				continue;
			}
			cc_diag(l->sink, CC_ERROR, CC_W_syntax, m->key.pos,
				"duplicate key '%.*s' in this object", (int)m->key.len, m->key.s);
			cc_diag(l->sink, CC_NOTE, CC_W_syntax, v->members[*first].key.pos,
				"first written here");
			l->errors++;
		}
		return 0;
	}
	return -1;
}

static const char *const clause_names[] = { "principal", "agent", "environment", "risk",
					    "when argv", "with" };

static int rule(struct lower *l, const struct nm_rule *nr, struct cc_rule *r)
{
	static const char *const decisions[] = { "ALLOW", "DENY", "REQUIRE_APPROVAL" };
	const struct nm_token *d = tk(l, nr->decision);
	const struct nm_clause *c, *seen[6] = { 0 };
	int rc = 0;

	r->pos = pos_of(l, nr->decision);
	if (word(l, nr->name, &r->id) || word(l, nr->action, &r->action_type))
		return -1;
	if (tk(l, nr->resource)->kind == TK_REGEX) {
		r->resource_kind = CC_MATCH_REGEX;
		rc = regex(l, nr->resource, &r->resource);
	} else {
		rc = word(l, nr->resource, &r->resource);
	}
	if (rc)
		return -1;
	r->decision.s = decisions[d->kind == TK_ALLOW ? 0 : d->kind == TK_DENY ? 1 : 2];
	r->decision.len = strlen(r->decision.s);
	r->decision.pos = pos_of(l, nr->decision);
	for (c = nr->clauses; c; c = c->next) {
		if (seen[c->kind]) {
			cc_diag(l->sink, CC_ERROR, CC_W_syntax, pos_of(l, c->kw),
				"rule '%.*s' has two '%s' clauses; merge them into one",
				(int)r->id.len, r->id.s, clause_names[c->kind]);
			cc_diag(l->sink, CC_NOTE, CC_W_syntax, pos_of(l, seen[c->kind]->kw),
				"the first one is here");
			l->errors++;
			continue;
		}
		seen[c->kind] = c;
		switch (c->kind) {
		case NM_C_PRINCIPAL: rc = strlist(l, c, &r->principals); break;
		case NM_C_AGENT: rc = strlist(l, c, &r->agents); break;
		case NM_C_ENVIRONMENT: rc = strlist(l, c, &r->environments); break;
		case NM_C_RISK: rc = strlist(l, c, &r->risk_flags); break;
		case NM_C_WHEN: rc = patterns(l, c, r); break;
		case NM_C_WITH:
			r->has_obligations = true;
			cc_strmap_clear(&l->keys);
			rc = value(l, c->obj, &r->obligations);
			break;
		}
		if (rc)
			return -1;
	}
	return 0;
}

int cc_nomos_lower(struct cc_arena *a, struct cc_diag_sink *sink, const struct nm_doc *doc,
		   struct cc_bundle *out)
{
	struct lower l = { a, sink, doc, out, 0, { 0 } };
	const struct nm_rule *nr;
	size_t n = 0, k = 0;

	cc_strmap_init(&l.keys, a);
	out->src = doc->src;
	out->pos = (struct cc_pos){ doc->src, 1, 1, 0 };
	/* The language writes only v1 bundles: the version is implied. */
	out->version.s = "v1";
	out->version.len = 2;
	out->version.pos = out->pos;
	out->has_version = true;
	out->has_rules = true;
	for (nr = doc->rules; nr; nr = nr->next)
		n++;
	out->rules = cc_arena_array(a, n ? n : 1, sizeof *out->rules);
	if (!out->rules)
		goto oom;
	out->n_rules = n;
	for (nr = doc->rules; nr; nr = nr->next, k++)
		if (rule(&l, nr, &out->rules[k]))
			goto oom;
	return l.errors ? -1 : 0;
oom:
	cc_diag(sink, CC_ERROR, CC_W_limit, out->pos, "out of memory");
	return -1;
}
