/* cc_hash.c: canonical JSON of a bundle (spec §4.1-4.2) and policy_bundle_hash,
 * written straight from the typed model: the field set Go's json.Marshal emits
 * (omitempty as upstream), keys byte-sorted, leaves through rt_canon.h; plus the
 * merged hash of layered bundles (§4.4). Extensions enter the canonical form only
 * when used, so v1 bundles hash exactly as upstream. */
#include "compiler/cc_model.h"

#include <stdlib.h>
#include <string.h>

static int put_key(struct rt_buf *out, const char *k)
{
	rt_canon_string(out, k, strlen(k));
	return rt_buf_putc(out, ':');
}

static int put_str(struct rt_buf *out, const struct cc_str *s)
{
	return rt_canon_string(out, s->s, s->len);
}

static int cmp_member(const void *pa, const void *pb)
{
	const struct cc_member *a = *(const struct cc_member *const *)pa;
	const struct cc_member *b = *(const struct cc_member *const *)pb;

	return rt_bytes_cmp(a->key.s, a->key.len, b->key.s, b->key.len);
}

int cc_value_canonical(const struct cc_value *v, struct rt_buf *out)
{
	const struct cc_member **sorted;
	size_t i;

	switch (v->kind) {
	case CC_V_NULL:
		return rt_buf_puts(out, "null");
	case CC_V_BOOL:
		return rt_buf_puts(out, v->boolean ? "true" : "false");
	case CC_V_NUMBER:
		return rt_canon_number(out, v->text, v->len) == 0 ? 0 : -1;
	case CC_V_STRING:
		return rt_canon_string(out, v->text, v->len);
	case CC_V_ARRAY:
		rt_buf_putc(out, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				rt_buf_putc(out, ',');
			if (cc_value_canonical(&v->items[i], out))
				return -1;
		}
		return rt_buf_putc(out, ']');
	case CC_V_OBJECT:
		sorted = malloc((v->n ? v->n : 1) * sizeof *sorted);
		if (!sorted)
			return -1;
		for (i = 0; i < v->n; i++)
			sorted[i] = &v->members[i];
		qsort(sorted, v->n, sizeof *sorted, cmp_member);
		rt_buf_putc(out, '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				rt_buf_putc(out, ',');
			rt_canon_string(out, sorted[i]->key.s, sorted[i]->key.len);
			rt_buf_putc(out, ':');
			if (cc_value_canonical(&sorted[i]->value, out)) {
				free(sorted);
				return -1;
			}
		}
		free(sorted);
		return rt_buf_putc(out, '}');
	}
	return -1;
}

/* A []string field with omitempty: written only when non-empty. */
static void put_list(struct rt_buf *out, const char *key, const struct cc_strlist *l)
{
	size_t i;

	if (l->n == 0)
		return;
	rt_buf_putc(out, ',');
	put_key(out, key);
	rt_buf_putc(out, '[');
	for (i = 0; i < l->n; i++) {
		if (i)
			rt_buf_putc(out, ',');
		put_str(out, &l->items[i]);
	}
	rt_buf_putc(out, ']');
}

static int put_rule(struct rt_buf *out, const struct cc_rule *r)
{
	size_t i, j;

	/* keys in byte order: action_type agents decision environments exec_match
	 * id obligations principals resource resource_match risk_flags */
	rt_buf_putc(out, '{');
	put_key(out, "action_type");
	put_str(out, &r->action_type);
	put_list(out, "agents", &r->agents);
	rt_buf_putc(out, ',');
	put_key(out, "decision");
	put_str(out, &r->decision);
	put_list(out, "environments", &r->environments);
	if (r->has_exec_match) {
		rt_buf_putc(out, ',');
		put_key(out, "exec_match");
		rt_buf_putc(out, '{');
		if (r->n_argv_patterns) {
			put_key(out, "argv_patterns");
			rt_buf_putc(out, '[');
			for (i = 0; i < r->n_argv_patterns; i++) {
				const struct cc_argv_pattern *p = &r->argv_patterns[i];

				if (i)
					rt_buf_putc(out, ',');
				if (p->n == 0) {
					rt_buf_puts(out, "null"); /* a nil []string */
					continue;
				}
				rt_buf_putc(out, '[');
				for (j = 0; j < p->n; j++) {
					if (j)
						rt_buf_putc(out, ',');
					if (p->tokens[j].kind == CC_MATCH_REGEX) {
						rt_buf_putc(out, '{');
						put_key(out, "regex");
						put_str(out, &p->tokens[j].text);
						rt_buf_putc(out, '}');
					} else {
						put_str(out, &p->tokens[j].text);
					}
				}
				rt_buf_putc(out, ']');
			}
			rt_buf_putc(out, ']');
		}
		rt_buf_putc(out, '}');
	}
	rt_buf_putc(out, ',');
	put_key(out, "id");
	put_str(out, &r->id);
	if (r->has_obligations && r->obligations.kind == CC_V_OBJECT && r->obligations.n) {
		rt_buf_putc(out, ',');
		put_key(out, "obligations");
		if (cc_value_canonical(&r->obligations, out))
			return -1;
	}
	put_list(out, "principals", &r->principals);
	rt_buf_putc(out, ',');
	put_key(out, "resource");
	put_str(out, &r->resource);
	if (r->resource_kind == CC_MATCH_REGEX) {
		rt_buf_putc(out, ',');
		put_key(out, "resource_match");
		rt_buf_puts(out, "\"regex\"");
	}
	put_list(out, "risk_flags", &r->risk_flags);
	return rt_buf_putc(out, '}');
}

int cc_bundle_canonical(const struct cc_bundle *b, struct rt_buf *out)
{
	size_t i;

	/* Go marshals a nil Rules slice as null; validation rejects it anyway. */
	rt_buf_puts(out, "{\"rules\":");
	if (!b->n_rules && !b->has_rules) {
		rt_buf_puts(out, "null");
	} else {
		rt_buf_putc(out, '[');
		for (i = 0; i < b->n_rules; i++) {
			if (i)
				rt_buf_putc(out, ',');
			if (put_rule(out, &b->rules[i]))
				return -1;
		}
		rt_buf_putc(out, ']');
	}
	rt_buf_putc(out, ',');
	put_key(out, "version");
	put_str(out, &b->version);
	rt_buf_putc(out, '}');
	return out->failed ? -1 : 0;
}

int cc_bundle_hash(struct cc_bundle *b)
{
	struct rt_buf buf;
	int rc;

	rt_buf_init(&buf);
	rc = cc_bundle_canonical(b, &buf);
	if (rc == 0)
		rt_sha256_hex(buf.data ? buf.data : "", buf.len, b->hash);
	rt_buf_free(&buf);
	return rc;
}

int cc_merged_hash(const struct cc_bundle *const *bundles, size_t n, char out[65])
{
	struct rt_buf buf;
	size_t i;

	if (n == 0)
		return -1;
	if (n == 1) {
		memcpy(out, bundles[0]->hash, 65);
		return 0;
	}
	rt_buf_init(&buf);
	rt_buf_puts(&buf, "{\"bundle_hashes\":[");
	for (i = 0; i < n; i++) {
		if (i)
			rt_buf_putc(&buf, ',');
		rt_canon_string(&buf, bundles[i]->hash, strlen(bundles[i]->hash));
	}
	rt_buf_puts(&buf, "],\"merge_algorithm_version\":\"nomos.policy.merge.v1\"}");
	if (buf.failed) {
		rt_buf_free(&buf);
		return -1;
	}
	rt_sha256_hex(buf.data, buf.len, out);
	rt_buf_free(&buf);
	return 0;
}
