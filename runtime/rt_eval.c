/* rt_eval.c: the evaluation entry points of libnomos. Decodes an action
 * (rt_action), hands the VM its view (vm_action), runs vm_eval, and renders
 * the result as compact JSON. Every failure decides DENY with a reason code. */
#include "runtime/rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nomos_eval *nomos_eval_new(const struct nomos_image *img, unsigned flags)
{
	struct nomos_eval *ev = calloc(1, sizeof *ev);

	if (!ev)
		return NULL;
	ev->img = img;
	ev->flags = flags;
	rt_action_ctx_init(&ev->actx);
	rt_buf_init(&ev->out);
	rt_buf_init(&ev->tmp);
	ev->decision = VM_DEC_DENY;
	ev->reason = VM_R_INTERNAL_ERROR;
	if (img) {
		ev->storage = malloc(vm_result_storage(&img->vm));
		if (flags & NOMOS_EVAL_TRACE)
			ev->trace = malloc(img->vm.n_rules);
		if (!ev->storage || ((flags & NOMOS_EVAL_TRACE) && !ev->trace)) {
			nomos_eval_free(ev);
			return NULL;
		}
		vm_result_init(&ev->res, &img->vm, ev->storage, ev->trace);
	}
	return ev;
}

struct nomos_eval *nomos_eval_new_refused(const char *msg)
{
	struct nomos_eval *ev = nomos_eval_new(NULL, 0);

	if (ev) {
		ev->reason = VM_R_IMAGE_ERROR;
		snprintf(ev->error, sizeof ev->error, "%s", msg);
	}
	return ev;
}

void nomos_eval_free(struct nomos_eval *ev)
{
	if (!ev)
		return;
	rt_action_ctx_free(&ev->actx);
	rt_buf_free(&ev->out);
	rt_buf_free(&ev->tmp);
	free(ev->argv);
	free(ev->storage);
	free(ev->trace);
	free(ev);
}

static void decide_error(struct nomos_eval *ev, enum vm_reason reason, const char *msg)
{
	ev->decision = VM_DEC_DENY;
	ev->reason = reason;
	snprintf(ev->error, sizeof ev->error, "%s", msg);
}

int nomos_eval_json(struct nomos_eval *ev, const char *json, size_t len)
{
	struct rt_action_error err;
	struct rt_action *a = &ev->act;
	struct vm_action *v = &ev->vact;
	size_t i;
	int rc;

	ev->have_action = 0;
	if (!ev->img) {
		/* A refused evaluator keeps its image_error reason and message. */
		ev->decision = VM_DEC_DENY;
		return NOMOS_DENY;
	}
	ev->error[0] = '\0';
	rc = rt_action_decode(&ev->actx, json, len, a, &err);
	if (rc != RT_ACTION_OK) {
		decide_error(ev,
			     err.cls == RT_ACTION_ERR_NORMALIZATION ? VM_R_NORMALIZATION_ERROR :
			     err.cls == RT_ACTION_ERR_VALIDATION    ? VM_R_VALIDATION_ERROR :
								      VM_R_INTERNAL_ERROR,
			     err.message);
		return NOMOS_DENY;
	}
	ev->have_action = 1;
	if (a->argc > ev->argv_cap) {
		struct vm_bytes *p = realloc(ev->argv, a->argc * sizeof *p);

		if (!p) {
			decide_error(ev, VM_R_INTERNAL_ERROR, "out of memory");
			return NOMOS_DENY;
		}
		ev->argv = p;
		ev->argv_cap = a->argc;
	}
	for (i = 0; i < a->argc; i++) {
		ev->argv[i].p = (const uint8_t *)a->argv[i].ptr;
		ev->argv[i].n = a->argv[i].len;
	}
	v->action_type = (const uint8_t *)a->action_type.ptr;
	v->action_type_len = a->action_type.len;
	v->resource = (const uint8_t *)a->resource.ptr;
	v->resource_len = a->resource.len;
	v->principal = (const uint8_t *)a->principal.ptr;
	v->principal_len = a->principal.len;
	v->agent = (const uint8_t *)a->agent.ptr;
	v->agent_len = a->agent.len;
	v->environment = (const uint8_t *)a->environment.ptr;
	v->environment_len = a->environment.len;
	v->risk = a->risk;
	v->argv_ok = a->argv_ok;
	v->argv = ev->argv;
	v->argc = a->argc;
	if (vm_eval(&ev->img->vm, v, &ev->res)) {
		decide_error(ev, VM_R_INTERNAL_ERROR, "evaluation hit an internal limit");
		return NOMOS_DENY;
	}
	ev->decision = ev->res.decision;
	ev->reason = ev->res.reason;
	return (int)ev->decision;
}

enum nomos_decision nomos_eval_decision(const struct nomos_eval *ev)
{
	return (enum nomos_decision)ev->decision;
}

const char *nomos_eval_reason(const struct nomos_eval *ev)
{
	return vm_reason_name(ev->reason);
}

const char *nomos_eval_error(const struct nomos_eval *ev)
{
	return ev->error;
}

/* Whether the last evaluation reached the VM (else only the error fields). */
static int evaluated(const struct nomos_eval *ev)
{
	return ev->img && ev->have_action && ev->reason <= VM_R_ALLOW_BY_RULE;
}

size_t nomos_eval_matched_count(const struct nomos_eval *ev)
{
	return evaluated(ev) ? ev->res.n_matched : 0;
}

const char *nomos_eval_matched_id(const struct nomos_eval *ev, size_t i, size_t *len)
{
	uint32_t l;
	const uint8_t *s;

	if (!evaluated(ev) || i >= ev->res.n_matched) {
		*len = 0;
		return NULL;
	}
	s = vm_str(&ev->img->vm, vm_rule(&ev->img->vm, ev->res.matched[i]) + VM_RULE_ID, &l);
	*len = l;
	return (const char *)s;
}

int rt_put_strref(struct rt_buf *b, const struct vm_image *img, const uint8_t *ref)
{
	uint32_t len;
	const uint8_t *s = vm_str(img, ref, &len);

	return rt_canon_string(b, (const char *)s, len);
}

int rt_put_rule_ids(struct rt_buf *b, const struct vm_image *img, const uint32_t *idx, size_t n)
{
	size_t i;

	rt_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rt_buf_putc(b, ',');
		rt_put_strref(b, img, vm_rule(img, idx[i]) + VM_RULE_ID);
	}
	return rt_buf_putc(b, ']');
}

static void put_raw_strref(struct rt_buf *b, const struct vm_image *img, const uint8_t *ref)
{
	uint32_t len;
	const uint8_t *s = vm_str(img, ref, &len);

	rt_buf_put(b, s, len);
}

int rt_put_obligations(struct rt_buf *b, const struct nomos_eval *ev)
{
	static const char ec[] = "exec_constraints";
	const struct vm_image *img = &ev->img->vm;
	const struct vm_result *r = &ev->res;
	uint32_t i, len;
	int first = 1, placed = !r->has_exec_constraints, c;
	const uint8_t *k, *ent;

	rt_buf_putc(b, '{');
	for (i = 0; i <= r->n_oblig; i++) {
		if (i < r->n_oblig) {
			ent = img->sec[VM_SEC_OBLIG] + (size_t)r->oblig[i] * 16;
			k = vm_str(img, ent + VM_OBL_KEY, &len);
			c = rt_bytes_cmp((const char *)k, len, ec, sizeof ec - 1);
		} else {
			ent = NULL;
			c = 1;
		}
		if (!placed && c >= 0) {
			/* Derived constraints replace a same-named key (spec §3.3). */
			uint32_t j;

			if (!first)
				rt_buf_putc(b, ',');
			rt_buf_puts(b, "\"exec_constraints\":{\"argv_patterns\":[");
			for (j = 0; j < r->n_argv; j++) {
				if (j)
					rt_buf_putc(b, ',');
				put_raw_strref(b, img,
					       img->sec[VM_SEC_ARGV] + (size_t)r->argv[j] * 24 +
						       VM_ARGV_JSON);
			}
			rt_buf_puts(b, "]}");
			first = 0;
			placed = 1;
			if (c == 0)
				continue;
		}
		if (!ent)
			break;
		if (!first)
			rt_buf_putc(b, ',');
		rt_put_strref(b, img, ent + VM_OBL_KEY);
		rt_buf_putc(b, ':');
		put_raw_strref(b, img, ent + VM_OBL_VALUE);
		first = 0;
	}
	return rt_buf_putc(b, '}');
}

/* The result's keys are fixed lower-case ASCII names, which canonical JSON
 * writes as they are: PUT_KEY writes ,"name": (without the comma for the
 * first key) in one copy, no escaping pass (which was a third of the
 * rendering). */
#define PUT_KEY(b, name, first) put_key(b, ",\"" name "\":", sizeof ",\"" name "\":" - 1, first)

static void put_key(struct rt_buf *b, const char *lit, size_t n, int *first)
{
	if (*first)
		rt_buf_put(b, lit + 1, n - 1);
	else
		rt_buf_put(b, lit, n);
	*first = 0;
}

static void put_span(struct rt_buf *b, const struct rt_span *s)
{
	rt_canon_string(b, s->ptr ? s->ptr : "", s->ptr ? s->len : 0);
}

const char *nomos_eval_result_json(struct nomos_eval *ev, size_t *len)
{
	struct rt_buf *b = &ev->out;
	int ok = evaluated(ev), first = 1;
	const struct vm_image *img = ev->img ? &ev->img->vm : NULL;
	const struct vm_result *r = &ev->res;

	rt_buf_reset(b);
	rt_buf_putc(b, '{');
	if (ev->have_action) {
		PUT_KEY(b, "action_id", &first);
		put_span(b, &ev->act.action_id);
	}
	if (ok) {
		PUT_KEY(b, "allow_rule_ids", &first);
		rt_put_rule_ids(b, img, r->by_class[VM_DEC_ALLOW], r->n_by_class[VM_DEC_ALLOW]);
	}
	PUT_KEY(b, "decision", &first);
	rt_buf_puts(b, ev->decision == VM_DEC_ALLOW ? "\"ALLOW\"" :
		       ev->decision == VM_DEC_REQUIRE_APPROVAL ? "\"REQUIRE_APPROVAL\"" :
								   "\"DENY\"");
	if (ok) {
		PUT_KEY(b, "deny_rule_ids", &first);
		rt_put_rule_ids(b, img, r->by_class[VM_DEC_DENY], r->n_by_class[VM_DEC_DENY]);
	}
	if (!ok) {
		PUT_KEY(b, "error", &first);
		rt_canon_string(b, ev->error, strlen(ev->error));
	}
	if (ok) {
		PUT_KEY(b, "exec_authorization", &first);
		rt_buf_puts(b, "{\"condition_class\":\"");
		rt_buf_puts(b, vm_exec_class_name(r->exec_class));
		rt_buf_puts(b, r->exec_conflict ? "\",\"conflict\":true" : "\",\"conflict\":false");
		rt_buf_puts(b, ",\"runtime_enforcement_hint\":\"");
		rt_buf_puts(b, vm_exec_hint(r->exec_class));
		rt_buf_puts(b, "\"}");
	}
	PUT_KEY(b, "matched_rule_ids", &first);
	if (ok)
		rt_put_rule_ids(b, img, r->matched, r->n_matched);
	else
		rt_buf_puts(b, "[]");
	PUT_KEY(b, "normalized_resource", &first);
	if (ok)
		put_span(b, &ev->act.resource);
	else
		rt_buf_puts(b, "\"\"");
	PUT_KEY(b, "obligations", &first);
	if (ok && r->oblig_class >= 0 && ev->reason != VM_R_DENY_BY_EXEC_MODEL_CONFLICT)
		rt_put_obligations(b, ev);
	else
		rt_buf_puts(b, "{}");
	if (ev->have_action) {
		PUT_KEY(b, "params_hash", &first);
		rt_buf_putc(b, '"');
		rt_buf_puts(b, rt_action_params_hash(&ev->act));
		rt_buf_putc(b, '"');
	}
	/* Always present, so consumers need not special-case refusals: "" when
	 * no trusted image was opened (a refused image's hash is not vouched for). */
	PUT_KEY(b, "policy_bundle_hash", &first);
	rt_buf_putc(b, '"');
	if (ev->img)
		rt_buf_puts(b, ev->img->bundle_hash);
	rt_buf_putc(b, '"');
	PUT_KEY(b, "reason_code", &first);
	rt_buf_putc(b, '"');
	rt_buf_puts(b, vm_reason_name(ev->reason));
	rt_buf_putc(b, '"');
	if (ok) {
		PUT_KEY(b, "require_approval_rule_ids", &first);
		rt_put_rule_ids(b, img, r->by_class[VM_DEC_REQUIRE_APPROVAL],
				r->n_by_class[VM_DEC_REQUIRE_APPROVAL]);
	}
	rt_buf_putc(b, '}');
	if (rt_buf_cstr(b))
		return NULL;
	if (len)
		*len = b->len;
	return b->data;
}

int rt_json_indent(struct rt_buf *out, const char *json, size_t len)
{
	size_t i, depth = 0, d;
	int in_str = 0, esc = 0;
	char c;

	for (i = 0; i < len; i++) {
		c = json[i];
		if (in_str) {
			rt_buf_putc(out, c);
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			rt_buf_putc(out, c);
			break;
		case '{':
		case '[':
			rt_buf_putc(out, c);
			/* Empty containers stay on one line, as Go prints them. */
			if (i + 1 < len && (json[i + 1] == '}' || json[i + 1] == ']')) {
				rt_buf_putc(out, json[++i]);
				break;
			}
			depth++;
			rt_buf_putc(out, '\n');
			for (d = 0; d < depth; d++)
				rt_buf_puts(out, "  ");
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			rt_buf_putc(out, '\n');
			for (d = 0; d < depth; d++)
				rt_buf_puts(out, "  ");
			rt_buf_putc(out, c);
			break;
		case ',':
			rt_buf_putc(out, c);
			rt_buf_putc(out, '\n');
			for (d = 0; d < depth; d++)
				rt_buf_puts(out, "  ");
			break;
		case ':':
			rt_buf_puts(out, ": ");
			break;
		default:
			rt_buf_putc(out, c);
		}
	}
	return out->failed ? -1 : 0;
}
