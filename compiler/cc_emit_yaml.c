/* cc_emit_yaml.c: the bundle model written back as a YAML bundle (through the
 * libyaml emitter) or an indented JSON bundle, for `nomosc convert`. Key order
 * and layout follow the upstream examples; every scalar is styled so that it
 * decodes to the same typed value, hence the same policy_bundle_hash. Regex
 * matchers use the extension keys the YAML front end reads (cc_yaml.c). */
#include <string.h>
#include <yaml.h>

#include "compiler/cc_nomos.h"
#include "compiler/cc_number.h"

/* ---- YAML ---------------------------------------------------------------- */

static int yaml_out(void *data, unsigned char *buffer, size_t size)
{
	return rt_buf_put(data, buffer, size) == 0;
}

struct ye {
	yaml_emitter_t em;
	int failed;
};

static void ev(struct ye *y, yaml_event_t *e, int init_ok)
{
	if (y->failed)
		return;
	if (!init_ok || !yaml_emitter_emit(&y->em, e))
		y->failed = 1;
}

enum str_style { STR_AUTO, STR_QUOTED };

static void y_scalar(struct ye *y, const char *s, size_t n, bool plain_ok)
{
	yaml_event_t e;
	yaml_scalar_style_t st = plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE;

	ev(y, &e, yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)(uintptr_t)s,
					       (int)n, 1, 1, st));
}

/* Plain scalars that are strings to yaml.v3 (and to us) but something else
 * to another reader: "<<" is a merge key in every YAML reader (a key "<<"
 * written plain came back as a merge and failed convert's own hash check),
 * and YAML 1.1 readers (PyYAML, yaml.v2, yamllint's truthy rule) take these
 * words for booleans. Quoting them costs nothing: the hash is the same. */
static bool plain_ambiguous(const char *s, size_t n)
{
	static const char *const words[] = { "<<",  "y",	"Y",	 "yes", "Yes", "YES",
					     "n",   "N",	"no",	 "No",  "NO",  "on",
					     "On",  "ON",	"off",	 "Off", "OFF", "true",
					     "True", "TRUE", "false", "False", "FALSE" };
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && !memcmp(words[i], s, n))
			return true;
	return false;
}

/* A string stays plain only when every YAML reader would read it back as
 * that string. */
static void y_string(struct ye *y, const char *s, size_t n, enum str_style style)
{
	struct cc_yaml_scalar r;
	bool plain = style == STR_AUTO && n > 0 && memchr(s, 0, n) == NULL &&
		     !plain_ambiguous(s, n);

	if (plain) {
		cc_number_from_yaml(s, n, &r);
		plain = r.kind == CC_Y_STRING;
	}
	y_scalar(y, s, n, plain);
}

static void y_cstr(struct ye *y, const char *s)
{
	y_scalar(y, s, strlen(s), true);
}

static void y_map(struct ye *y, bool flow)
{
	yaml_event_t e;

	ev(y, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1,
						      flow ? YAML_FLOW_MAPPING_STYLE
							   : YAML_BLOCK_MAPPING_STYLE));
}

static void y_map_end(struct ye *y)
{
	yaml_event_t e;

	ev(y, &e, yaml_mapping_end_event_initialize(&e));
}

static void y_seq(struct ye *y, bool flow)
{
	yaml_event_t e;

	ev(y, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1,
						       flow ? YAML_FLOW_SEQUENCE_STYLE
							    : YAML_BLOCK_SEQUENCE_STYLE));
}

static void y_seq_end(struct ye *y)
{
	yaml_event_t e;

	ev(y, &e, yaml_sequence_end_event_initialize(&e));
}

static void y_value(struct ye *y, const struct cc_value *v)
{
	size_t i;

	switch (v->kind) {
	case CC_V_NULL: y_cstr(y, "null"); break;
	case CC_V_BOOL: y_cstr(y, v->boolean ? "true" : "false"); break;
	case CC_V_NUMBER: y_scalar(y, v->text, v->len, true); break;
	case CC_V_STRING: y_string(y, v->text, v->len, STR_AUTO); break;
	case CC_V_ARRAY:
		y_seq(y, false);
		for (i = 0; i < v->n; i++)
			y_value(y, &v->items[i]);
		y_seq_end(y);
		break;
	case CC_V_OBJECT:
		y_map(y, false);
		for (i = 0; i < v->n; i++) {
			y_string(y, v->members[i].key.s, v->members[i].key.len, STR_AUTO);
			y_value(y, &v->members[i].value);
		}
		y_map_end(y);
		break;
	}
}

static void y_strlist(struct ye *y, const char *key, const struct cc_strlist *l)
{
	size_t i;

	if (!l->present)
		return;
	y_cstr(y, key);
	y_seq(y, false);
	for (i = 0; i < l->n; i++)
		y_string(y, l->items[i].s, l->items[i].len, STR_AUTO);
	y_seq_end(y);
}

static void y_rule(struct ye *y, const struct cc_rule *r)
{
	size_t i, k;

	y_map(y, false);
	y_cstr(y, "id");
	y_string(y, r->id.s, r->id.len, STR_AUTO);
	y_cstr(y, "action_type");
	y_string(y, r->action_type.s, r->action_type.len, STR_AUTO);
	y_cstr(y, "resource");
	y_string(y, r->resource.s, r->resource.len, STR_AUTO);
	if (r->resource_kind == CC_MATCH_REGEX) {
		y_cstr(y, "resource_match");
		y_cstr(y, "regex");
	}
	y_cstr(y, "decision");
	y_string(y, r->decision.s, r->decision.len, STR_AUTO);
	y_strlist(y, "principals", &r->principals);
	y_strlist(y, "agents", &r->agents);
	y_strlist(y, "environments", &r->environments);
	y_strlist(y, "risk_flags", &r->risk_flags);
	if (r->has_exec_match) {
		y_cstr(y, "exec_match");
		y_map(y, false);
		if (r->has_argv_patterns) {
			y_cstr(y, "argv_patterns");
			y_seq(y, false);
			for (i = 0; i < r->n_argv_patterns; i++) {
				const struct cc_argv_pattern *p = &r->argv_patterns[i];

				y_seq(y, true);
				for (k = 0; k < p->n; k++) {
					const struct cc_argv_token *t = &p->tokens[k];

					if (t->kind == CC_MATCH_REGEX) {
						y_map(y, true);
						y_cstr(y, "regex");
						y_string(y, t->text.s, t->text.len, STR_QUOTED);
						y_map_end(y);
					} else {
						y_string(y, t->text.s, t->text.len, STR_QUOTED);
					}
				}
				y_seq_end(y);
			}
			y_seq_end(y);
		}
		y_map_end(y);
	}
	if (r->has_obligations && r->obligations.kind == CC_V_OBJECT) {
		y_cstr(y, "obligations");
		y_value(y, &r->obligations);
	}
	y_map_end(y);
}

int cc_emit_yaml(const struct cc_bundle *b, struct rt_buf *out)
{
	struct ye y;
	yaml_event_t e;
	size_t i;

	memset(&y, 0, sizeof y);
	if (!yaml_emitter_initialize(&y.em))
		return -1;
	yaml_emitter_set_output(&y.em, yaml_out, out);
	yaml_emitter_set_unicode(&y.em, 1);
	yaml_emitter_set_width(&y.em, -1);
	yaml_emitter_set_indent(&y.em, 2);
	ev(&y, &e, yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING));
	ev(&y, &e, yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1));
	y_map(&y, false);
	if (b->has_version) {
		y_cstr(&y, "version");
		y_string(&y, b->version.s, b->version.len, STR_AUTO);
	}
	y_cstr(&y, "rules");
	y_seq(&y, false);
	for (i = 0; i < b->n_rules; i++)
		y_rule(&y, &b->rules[i]);
	y_seq_end(&y);
	y_map_end(&y);
	ev(&y, &e, yaml_document_end_event_initialize(&e, 1));
	ev(&y, &e, yaml_stream_end_event_initialize(&e));
	yaml_emitter_delete(&y.em);
	return y.failed || out->failed ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static void j_indent(struct rt_buf *o, size_t n)
{
	rt_buf_putc(o, '\n');
	while (n--)
		rt_buf_putc(o, ' ');
}

static bool scalar_only(const struct cc_value *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->items[i].kind == CC_V_ARRAY || v->items[i].kind == CC_V_OBJECT)
			return false;
	return true;
}

static void j_value(struct rt_buf *o, const struct cc_value *v, size_t ind)
{
	size_t i;

	switch (v->kind) {
	case CC_V_NULL: rt_buf_puts(o, "null"); break;
	case CC_V_BOOL: rt_buf_puts(o, v->boolean ? "true" : "false"); break;
	case CC_V_NUMBER: rt_buf_put(o, v->text, v->len); break;
	case CC_V_STRING: rt_canon_string(o, v->text, v->len); break;
	case CC_V_ARRAY:
		rt_buf_putc(o, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				rt_buf_puts(o, scalar_only(v) ? ", " : ",");
			if (!scalar_only(v))
				j_indent(o, ind + 2);
			j_value(o, &v->items[i], ind + 2);
		}
		if (v->n && !scalar_only(v))
			j_indent(o, ind);
		rt_buf_putc(o, ']');
		break;
	case CC_V_OBJECT:
		rt_buf_putc(o, '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				rt_buf_putc(o, ',');
			j_indent(o, ind + 2);
			rt_canon_string(o, v->members[i].key.s, v->members[i].key.len);
			rt_buf_puts(o, ": ");
			j_value(o, &v->members[i].value, ind + 2);
		}
		if (v->n)
			j_indent(o, ind);
		rt_buf_putc(o, '}');
		break;
	}
}

static void j_key(struct rt_buf *o, const char *k, size_t ind)
{
	rt_buf_putc(o, ',');
	j_indent(o, ind);
	rt_buf_putc(o, '"');
	rt_buf_puts(o, k);
	rt_buf_puts(o, "\": ");
}

static void j_strlist(struct rt_buf *o, const char *k, const struct cc_strlist *l, size_t ind)
{
	size_t i;

	if (!l->present)
		return;
	j_key(o, k, ind);
	rt_buf_putc(o, '[');
	for (i = 0; i < l->n; i++) {
		if (i)
			rt_buf_puts(o, ", ");
		rt_canon_string(o, l->items[i].s, l->items[i].len);
	}
	rt_buf_putc(o, ']');
}

int cc_emit_json(const struct cc_bundle *b, struct rt_buf *out)
{
	size_t i, j, k;

	rt_buf_puts(out, "{\n  \"version\": ");
	rt_canon_string(out, b->has_version ? b->version.s : "", b->has_version ? b->version.len : 0);
	rt_buf_puts(out, ",\n  \"rules\": [");
	for (i = 0; i < b->n_rules; i++) {
		const struct cc_rule *r = &b->rules[i];

		rt_buf_puts(out, i ? ",\n    {\n      \"id\": " : "\n    {\n      \"id\": ");
		rt_canon_string(out, r->id.s, r->id.len);
		j_key(out, "action_type", 6);
		rt_canon_string(out, r->action_type.s, r->action_type.len);
		j_key(out, "resource", 6);
		rt_canon_string(out, r->resource.s, r->resource.len);
		if (r->resource_kind == CC_MATCH_REGEX) {
			j_key(out, "resource_match", 6);
			rt_buf_puts(out, "\"regex\"");
		}
		j_key(out, "decision", 6);
		rt_canon_string(out, r->decision.s, r->decision.len);
		j_strlist(out, "principals", &r->principals, 6);
		j_strlist(out, "agents", &r->agents, 6);
		j_strlist(out, "environments", &r->environments, 6);
		j_strlist(out, "risk_flags", &r->risk_flags, 6);
		if (r->has_exec_match) {
			j_key(out, "exec_match", 6);
			rt_buf_puts(out, "{");
			if (r->has_argv_patterns) {
				rt_buf_puts(out, "\n        \"argv_patterns\": [");
				for (j = 0; j < r->n_argv_patterns; j++) {
					const struct cc_argv_pattern *p = &r->argv_patterns[j];

					rt_buf_puts(out, j ? ",\n          [" : "\n          [");
					for (k = 0; k < p->n; k++) {
						const struct cc_argv_token *t = &p->tokens[k];

						if (k)
							rt_buf_puts(out, ", ");
						if (t->kind == CC_MATCH_REGEX)
							rt_buf_puts(out, "{\"regex\": ");
						rt_canon_string(out, t->text.s, t->text.len);
						if (t->kind == CC_MATCH_REGEX)
							rt_buf_putc(out, '}');
					}
					rt_buf_putc(out, ']');
				}
				rt_buf_puts(out, "\n        ]\n      ");
			}
			rt_buf_putc(out, '}');
		}
		if (r->has_obligations && r->obligations.kind == CC_V_OBJECT) {
			j_key(out, "obligations", 6);
			j_value(out, &r->obligations, 6);
		}
		rt_buf_puts(out, "\n    }");
	}
	rt_buf_puts(out, b->n_rules ? "\n  ]\n}\n" : "]\n}\n");
	return out->failed ? -1 : 0;
}
