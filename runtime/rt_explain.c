/* rt_explain.c: operator-facing explanations of the last evaluation. The text
 * form walks every rule (whether it matched and, if not, the first predicate
 * that failed and why, with the rule's source file:line), then the deny-wins
 * reasoning. The JSON form reproduces Nomos's `policy explain` fields (spec
 * §5.2) and adds the per-rule trace under "rules". */
#include "runtime/rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm_opcodes.h"

static const char *const role_names[] = { "", "baseline", "org", "repo", "env", "local_override" };

static void put_bytes_json(struct rt_buf *b, const void *p, size_t n)
{
	rt_canon_string(b, p, n);
}

static void put_ref_json(struct rt_buf *b, const struct vm_image *img, const uint8_t *ref)
{
	rt_put_strref(b, img, ref);
}

/* The rule's source path and hash, "PATH#HASH" provenance of merged bundles. */
static const uint8_t *rule_source(const struct vm_image *img, const uint8_t *rule)
{
	return img->sec[VM_SEC_SOURCES] + (size_t)vm_rd32(rule + VM_RULE_SOURCE) * 24;
}

static void put_list_items(struct rt_buf *b, const struct vm_image *img, uint32_t at)
{
	const uint8_t *w = img->sec[VM_SEC_LISTS] + (size_t)at * 4;
	uint32_t n = vm_rd32(w), i;

	rt_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			rt_buf_puts(b, ", ");
		put_ref_json(b, img, img->sec[VM_SEC_IDENTS] + (size_t)vm_rd32(w + 4 + (size_t)i * 4) * 8);
	}
	rt_buf_putc(b, ']');
}

static void put_risk_names(struct rt_buf *b, uint32_t mask)
{
	unsigned bit;
	int first = 1;

	for (bit = 0; bit < 32; bit++) {
		const char *name;

		if (!(mask & (1u << bit)))
			continue;
		name = rt_risk_name(1u << bit);
		if (!first)
			rt_buf_puts(b, ", ");
		rt_buf_puts(b, name ? name : "(unknown flag)");
		first = 0;
	}
	if (first)
		rt_buf_puts(b, "none");
}

/* Finds the first instruction of the rule with opcode op. */
static const uint8_t *find_insn(const struct vm_image *img, const uint8_t *rule, unsigned op)
{
	const uint8_t *p = img->sec[VM_SEC_PROGS] + (size_t)vm_rd32(rule + VM_RULE_PROG) * 8;
	uint32_t n = vm_rd32(rule + VM_RULE_PROG_N), i;

	for (i = 0; i < n; i++, p += 8)
		if (p[0] == op)
			return p;
	return NULL;
}

/* Explains why `rule` did not match (fail), in one line, into b. */
static void why_not(struct rt_buf *b, const struct nomos_eval *ev, const uint8_t *rule,
		    enum vm_fail fail)
{
	const struct vm_image *img = &ev->img->vm;
	const struct rt_action *a = &ev->act;
	const uint8_t *in;
	uint32_t i, n, first;

	switch (fail) {
	case VM_FAIL_ACTION_TYPE:
		rt_buf_puts(b, "action_type ");
		put_bytes_json(b, a->action_type.ptr, a->action_type.len);
		rt_buf_puts(b, " does not match ");
		put_ref_json(b, img, rule + VM_RULE_ATYPE);
		break;
	case VM_FAIL_RESOURCE:
		rt_buf_puts(b, "resource ");
		put_bytes_json(b, a->resource.ptr, a->resource.len);
		rt_buf_puts(b, rule[VM_RULE_RKIND] ? " does not match regex " : " does not match ");
		put_ref_json(b, img, rule + VM_RULE_RESOURCE);
		break;
	case VM_FAIL_PRINCIPAL:
	case VM_FAIL_AGENT:
	case VM_FAIL_ENVIRONMENT: {
		static const char *const what[] = { "principal", "agent", "environment" };
		const struct rt_span *v[] = { &a->principal, &a->agent, &a->environment };
		unsigned k = (unsigned)(fail - VM_FAIL_PRINCIPAL);

		in = find_insn(img, rule, VM_OP_PRINCIPAL + k);
		rt_buf_puts(b, what[k]);
		rt_buf_putc(b, ' ');
		put_bytes_json(b, v[k]->ptr, v[k]->len);
		rt_buf_puts(b, " is not in ");
		if (in)
			put_list_items(b, img, vm_rd32(in + 4));
		break;
	}
	case VM_FAIL_RISK:
		in = find_insn(img, rule, VM_OP_RISK);
		rt_buf_puts(b, "risk flags required: ");
		put_risk_names(b, in ? vm_rd32(in + 4) : 0);
		rt_buf_puts(b, "; action has: ");
		put_risk_names(b, a->risk);
		break;
	case VM_FAIL_EXEC:
		in = find_insn(img, rule, VM_OP_EXEC);
		if (a->action_type.len != 12 || memcmp(a->action_type.ptr, "process.exec", 12)) {
			rt_buf_puts(b, "exec_match applies only to process.exec actions");
			break;
		}
		if (!a->argv_ok) {
			rt_buf_puts(b, "params carry no non-empty string argv");
			break;
		}
		rt_buf_puts(b, "argv [");
		for (i = 0; i < a->argc; i++) {
			if (i)
				rt_buf_puts(b, ", ");
			put_bytes_json(b, a->argv[i].ptr, a->argv[i].len);
		}
		rt_buf_puts(b, "] matches none of ");
		n = in ? vm_rd16(in + 2) : 0;
		first = in ? vm_rd32(in + 4) : 0;
		for (i = 0; i < n; i++) {
			uint32_t len;
			const uint8_t *s = vm_str(
				img, img->sec[VM_SEC_ARGV] + ((size_t)first + i) * 24 + VM_ARGV_JSON, &len);

			if (i)
				rt_buf_puts(b, " or ");
			rt_buf_put(b, s, len);
		}
		break;
	default:
		break;
	}
}

static void put_rule_loc(struct rt_buf *b, const struct vm_image *img, const uint8_t *rule)
{
	char num[48];
	uint32_t len;
	const uint8_t *p = vm_str(img, rule_source(img, rule) + VM_SRC_PATH, &len);

	rt_buf_put(b, p, len);
	snprintf(num, sizeof num, ":%u:%u", (unsigned)vm_rd32(rule + VM_RULE_LINE),
		 (unsigned)vm_rd32(rule + VM_RULE_COL));
	rt_buf_puts(b, num);
}

static void put_ids_text(struct rt_buf *b, const struct vm_image *img, const uint32_t *ids, uint32_t n)
{
	uint32_t i, len;
	const uint8_t *s;

	for (i = 0; i < n; i++) {
		s = vm_str(img, vm_rule(img, ids[i]) + VM_RULE_ID, &len);
		if (i)
			rt_buf_puts(b, ", ");
		rt_buf_put(b, s, len);
	}
}

static void explain_text(struct nomos_eval *ev, int color)
{
	struct rt_buf *b = &ev->out;
	const struct vm_image *img = &ev->img->vm;
	const struct vm_result *r = &ev->res;
	const char *g = color ? "\033[32m" : "", *red = color ? "\033[31m" : "",
		   *dim = color ? "\033[2m" : "", *off = color ? "\033[0m" : "";
	uint32_t i, len;
	const uint8_t *s;

	rt_buf_puts(b, "action ");
	put_bytes_json(b, ev->act.action_type.ptr, ev->act.action_type.len);
	rt_buf_puts(b, " on ");
	put_bytes_json(b, ev->act.resource.ptr, ev->act.resource.len);
	rt_buf_puts(b, "\n  principal ");
	put_bytes_json(b, ev->act.principal.ptr, ev->act.principal.len);
	rt_buf_puts(b, ", agent ");
	put_bytes_json(b, ev->act.agent.ptr, ev->act.agent.len);
	rt_buf_puts(b, ", environment ");
	put_bytes_json(b, ev->act.environment.ptr, ev->act.environment.len);
	rt_buf_puts(b, "\n  risk: ");
	put_risk_names(b, ev->act.risk);
	rt_buf_puts(b, "\npolicy_bundle_hash ");
	rt_buf_puts(b, ev->img->bundle_hash);
	rt_buf_puts(b, "\n\nrules (in id order):\n");
	for (i = 0; i < img->n_rules; i++) {
		const uint8_t *rule = vm_rule(img, i);
		enum vm_fail f = (enum vm_fail)ev->trace[i];

		rt_buf_puts(b, f == VM_FAIL_MATCHED ? g : dim);
		rt_buf_puts(b, f == VM_FAIL_MATCHED ? "  MATCH     " : "  no match  ");
		s = vm_str(img, rule + VM_RULE_ID, &len);
		rt_buf_put(b, s, len);
		rt_buf_puts(b, " (");
		rt_buf_puts(b, vm_decision_name(rule[VM_RULE_DECISION]));
		rt_buf_puts(b, ") ");
		put_rule_loc(b, img, rule);
		rt_buf_puts(b, off);
		rt_buf_putc(b, '\n');
		if (f != VM_FAIL_MATCHED) {
			rt_buf_puts(b, "              ");
			rt_buf_puts(b, vm_fail_name(f));
			rt_buf_puts(b, ": ");
			why_not(b, ev, rule, f);
			rt_buf_putc(b, '\n');
		}
	}
	rt_buf_puts(b, "\ndecision: ");
	rt_buf_puts(b, ev->decision == VM_DEC_ALLOW ? g : red);
	rt_buf_puts(b, vm_decision_name(ev->decision));
	rt_buf_puts(b, off);
	rt_buf_puts(b, " (");
	rt_buf_puts(b, vm_reason_name(ev->reason));
	rt_buf_puts(b, ")\n");
	switch (ev->reason) {
	case VM_R_DENY_BY_DEFAULT:
		rt_buf_puts(b, "  no rule matched: the default is DENY\n");
		break;
	case VM_R_DENY_BY_RULE:
		rt_buf_puts(b, "  deny wins: DENY rules matched: ");
		put_ids_text(b, img, r->by_class[VM_DEC_DENY], r->n_by_class[VM_DEC_DENY]);
		rt_buf_putc(b, '\n');
		if (r->n_by_class[VM_DEC_ALLOW] + r->n_by_class[VM_DEC_REQUIRE_APPROVAL]) {
			rt_buf_puts(b, "  overriding ALLOW/REQUIRE_APPROVAL rules: ");
			put_ids_text(b, img, r->by_class[VM_DEC_ALLOW], r->n_by_class[VM_DEC_ALLOW]);
			if (r->n_by_class[VM_DEC_ALLOW] && r->n_by_class[VM_DEC_REQUIRE_APPROVAL])
				rt_buf_puts(b, ", ");
			put_ids_text(b, img, r->by_class[VM_DEC_REQUIRE_APPROVAL],
				     r->n_by_class[VM_DEC_REQUIRE_APPROVAL]);
			rt_buf_putc(b, '\n');
		}
		break;
	case VM_R_DENY_BY_EXEC_MODEL_CONFLICT:
		rt_buf_puts(b, "  no DENY rule matched, but the matched rules mix exec_match and "
			       "exec_allowlist (exec model conflict): ");
		put_ids_text(b, img, r->matched, r->n_matched);
		rt_buf_putc(b, '\n');
		break;
	case VM_R_REQUIRE_APPROVAL_BY_RULE:
		rt_buf_puts(b, "  no DENY rule matched; approval rules matched: ");
		put_ids_text(b, img, r->matched, r->n_matched);
		rt_buf_putc(b, '\n');
		break;
	case VM_R_ALLOW_BY_RULE:
		rt_buf_puts(b, "  no DENY or REQUIRE_APPROVAL rule matched; ALLOW rules matched: ");
		put_ids_text(b, img, r->matched, r->n_matched);
		rt_buf_putc(b, '\n');
		break;
	default:
		break;
	}
	if (ev->reason != VM_R_DENY_BY_DEFAULT && ev->reason != VM_R_DENY_BY_EXEC_MODEL_CONFLICT) {
		rt_buf_puts(b, "  obligations: ");
		rt_put_obligations(b, ev);
		rt_buf_putc(b, '\n');
	}
}

static const char *remediation_hint(const struct nomos_eval *ev)
{
	const struct rt_span *t = &ev->act.action_type;

	if (ev->reason == VM_R_REQUIRE_APPROVAL_BY_RULE)
		return "This action requires approval before it can proceed.";
	if (ev->reason == VM_R_DENY_BY_RULE)
		return "A deny rule matched this action.";
	if (t->len == 16 && !memcmp(t->ptr, "net.http_request", 16))
		return "This network destination is not currently allowed.";
	if (t->len == 12 && !memcmp(t->ptr, "process.exec", 12))
		return "This command is not currently allowed.";
	if ((t->len == 8 && !memcmp(t->ptr, "fs.write", 8)) ||
	    (t->len == 16 && !memcmp(t->ptr, "repo.apply_patch", 16)))
		return "This write target is not currently allowed.";
	return "No matching allow rule was found for this action.";
}

static void minimal_change(struct rt_buf *b, const struct nomos_eval *ev)
{
	const struct rt_span *t = &ev->act.action_type, *res = &ev->act.resource;

	if (t->len == 16 && !memcmp(t->ptr, "net.http_request", 16)) {
		const char *host = NULL, *end;
		struct rt_buf tmp;

		if (res->len > 6 && !memcmp(res->ptr, "url://", 6)) {
			host = res->ptr + 6;
			end = memchr(host, '/', res->len - 6);
			if (!end)
				end = res->ptr + res->len;
		}
		rt_buf_init(&tmp);
		if (host && end > host) {
			rt_buf_puts(&tmp, "This host is not currently allowed; use an allowlisted host, "
					  "request approval, or update the network allowlist for ");
			rt_buf_put(&tmp, host, (size_t)(end - host));
			rt_buf_putc(&tmp, '.');
		} else {
			rt_buf_puts(&tmp, "This host is not currently allowed; use an allowlisted host, "
					  "or request approval.");
		}
		rt_canon_string(b, tmp.data, tmp.len);
		rt_buf_free(&tmp);
		return;
	}
	if (t->len == 12 && !memcmp(t->ptr, "process.exec", 12))
		rt_buf_puts(b, "\"Exec is restricted; use an allowlisted command or request approval.\"");
	else if ((t->len == 8 && !memcmp(t->ptr, "fs.write", 8)) ||
		 (t->len == 16 && !memcmp(t->ptr, "repo.apply_patch", 16)))
		rt_buf_puts(b, "\"Write access is restricted for this resource; use an allowed path or "
			       "request approval.\"");
	else if (ev->reason == VM_R_REQUIRE_APPROVAL_BY_RULE)
		rt_buf_puts(b, "\"Request approval for this action.\"");
	else
		rt_buf_puts(b, "\"Adjust the requested action to match an allowlisted resource or "
			       "request approval.\"");
}

static const char *assurance_level(void)
{
	const char *m = getenv("NOMOS_RUNTIME_DEPLOYMENT_MODE");

	if (!m || !*m || !strcmp(m, "unmanaged") || !strcmp(m, "remote_dev"))
		return "BEST_EFFORT";
	if (!strcmp(m, "ci") || !strcmp(m, "k8s"))
		return "GUARDED";
	return "NONE";
}

static void put_provenance_source(struct rt_buf *b, const struct vm_image *img, const uint8_t *rule)
{
	uint32_t len;
	const uint8_t *s;

	if (img->n_sources < 2) {
		rt_buf_puts(b, "\"\"");
		return;
	}
	rt_buf_putc(b, '"');
	s = vm_str(img, rule_source(img, rule) + VM_SRC_PATH, &len);
	rt_buf_put(b, s, len);
	rt_buf_putc(b, '#');
	s = vm_str(img, rule_source(img, rule) + VM_SRC_HASH, &len);
	rt_buf_put(b, s, len);
	rt_buf_putc(b, '"');
}

/* Compact JSON of the Nomos explain payload (spec §5.2) plus "rules". */
static void explain_json(struct nomos_eval *ev, struct rt_buf *b)
{
	const struct vm_image *img = &ev->img->vm;
	struct vm_result *r = &ev->res;
	uint32_t i, c, total = 0, len;
	const uint8_t *s;
	int is_exec = ev->act.action_type.len == 12 && !memcmp(ev->act.action_type.ptr, "process.exec", 12);

	for (c = 0; c < VM_DEC__COUNT; c++)
		total += r->n_by_class[c];
	rt_buf_puts(b, "{\"assurance_level\":\"");
	rt_buf_puts(b, assurance_level());
	rt_buf_puts(b, "\",\"decision\":\"");
	rt_buf_puts(b, vm_decision_name(ev->decision));
	rt_buf_puts(b, "\",\"engine_version\":\"" NOMOS_VERSION "\"");
	if (is_exec) {
		rt_buf_puts(b, ",\"exec_authorization\":{\"compatibility_mode\":"
			       "\"legacy_allowlist_fallback\",\"condition_class\":\"");
		rt_buf_puts(b, vm_exec_class_name(r->exec_class));
		rt_buf_puts(b, r->exec_conflict ? "\",\"conflict\":true" : "\",\"conflict\":false");
		rt_buf_puts(b, ",\"runtime_enforcement_hint\":\"");
		rt_buf_puts(b, vm_exec_hint(r->exec_class));
		rt_buf_puts(b, "\"}");
	}
	rt_buf_puts(b, ",\"matched_rule_ids\":");
	rt_put_rule_ids(b, img, r->matched, r->n_matched);
	if (total) {
		/* Every matched rule, sorted by id then decision (ids are unique). */
		int first = 1;
		uint32_t k;

		rt_buf_puts(b, ",\"matched_rule_provenance\":[");
		for (k = 0; k < img->n_rules; k++) {
			const uint8_t *rule;

			if (ev->trace[k] != VM_FAIL_MATCHED)
				continue;
			rule = vm_rule(img, k);
			if (!first)
				rt_buf_putc(b, ',');
			first = 0;
			rt_buf_puts(b, "{\"RuleID\":");
			put_ref_json(b, img, rule + VM_RULE_ID);
			rt_buf_puts(b, ",\"Decision\":\"");
			rt_buf_puts(b, vm_decision_name(rule[VM_RULE_DECISION]));
			rt_buf_puts(b, "\",\"BundleSource\":");
			put_provenance_source(b, img, rule);
			rt_buf_putc(b, '}');
		}
		rt_buf_putc(b, ']');
	}
	if (ev->decision != VM_DEC_ALLOW) {
		rt_buf_puts(b, ",\"minimal_allowing_change\":");
		minimal_change(b, ev);
	}
	/* obligations_preview: DENY shows the ALLOW obligations (with derived
	 * constraints), otherwise the decision's own (spec §3.5). */
	rt_buf_puts(b, ",\"obligations_preview\":");
	if (ev->decision == VM_DEC_DENY)
		vm_merge_obligations(img, r, VM_DEC_ALLOW);
	rt_put_obligations(b, ev);
	rt_buf_puts(b, ",\"policy_bundle_hash\":\"");
	rt_buf_puts(b, ev->img->bundle_hash);
	rt_buf_puts(b, "\",\"policy_bundle_inputs\":[");
	for (i = 0; i < img->n_sources; i++) {
		const uint8_t *src = img->sec[VM_SEC_SOURCES] + (size_t)i * 24;
		uint32_t role = vm_rd32(src + VM_SRC_ROLE);

		if (i)
			rt_buf_putc(b, ',');
		rt_buf_puts(b, "{\"path\":");
		put_ref_json(b, img, src + VM_SRC_PATH);
		rt_buf_puts(b, ",\"hash\":");
		put_ref_json(b, img, src + VM_SRC_HASH);
		if (role && role <= VM_ROLE_MAX) {
			rt_buf_puts(b, ",\"role\":\"");
			rt_buf_puts(b, role_names[role]);
			rt_buf_putc(b, '"');
		}
		rt_buf_putc(b, '}');
	}
	rt_buf_putc(b, ']');
	if (img->n_sources > 1) {
		rt_buf_puts(b, ",\"policy_bundle_sources\":[");
		for (i = 0; i < img->n_sources; i++) {
			const uint8_t *src = img->sec[VM_SEC_SOURCES] + (size_t)i * 24;

			if (i)
				rt_buf_putc(b, ',');
			rt_buf_putc(b, '"');
			s = vm_str(img, src + VM_SRC_PATH, &len);
			rt_buf_put(b, s, len);
			rt_buf_putc(b, '#');
			s = vm_str(img, src + VM_SRC_HASH, &len);
			rt_buf_put(b, s, len);
			rt_buf_putc(b, '"');
		}
		rt_buf_putc(b, ']');
	}
	rt_buf_puts(b, ",\"reason_code\":\"");
	rt_buf_puts(b, vm_reason_name(ev->reason));
	rt_buf_puts(b, "\",\"rules\":[");
	for (i = 0; i < img->n_rules; i++) {
		const uint8_t *rule = vm_rule(img, i);
		enum vm_fail f = (enum vm_fail)ev->trace[i];

		if (i)
			rt_buf_putc(b, ',');
		rt_buf_puts(b, "{\"rule_id\":");
		put_ref_json(b, img, rule + VM_RULE_ID);
		rt_buf_puts(b, ",\"decision\":\"");
		rt_buf_puts(b, vm_decision_name(rule[VM_RULE_DECISION]));
		rt_buf_puts(b, f == VM_FAIL_MATCHED ? "\",\"matched\":true" : "\",\"matched\":false");
		if (f != VM_FAIL_MATCHED) {
			struct rt_buf why;

			rt_buf_puts(b, ",\"failed\":\"");
			rt_buf_puts(b, vm_fail_name(f));
			rt_buf_puts(b, "\",\"why\":");
			rt_buf_init(&why);
			why_not(&why, ev, rule, f);
			rt_canon_string(b, why.data ? why.data : "", why.len);
			rt_buf_free(&why);
		}
		rt_buf_puts(b, ",\"source\":");
		{
			struct rt_buf loc;

			rt_buf_init(&loc);
			put_rule_loc(&loc, img, rule);
			rt_canon_string(b, loc.data ? loc.data : "", loc.len);
			rt_buf_free(&loc);
		}
		rt_buf_putc(b, '}');
	}
	rt_buf_putc(b, ']');
	if (ev->decision != VM_DEC_ALLOW) {
		const char *mc;

		rt_buf_puts(b, ",\"why_denied\":{\"deny_rules\":[");
		for (i = 0; i < r->n_by_class[VM_DEC_DENY]; i++) {
			const uint8_t *rule = vm_rule(img, r->by_class[VM_DEC_DENY][i]);

			if (i)
				rt_buf_putc(b, ',');
			if (img->n_sources > 1) {
				rt_buf_puts(b, "{\"bundle_source\":");
				put_provenance_source(b, img, rule);
				rt_buf_puts(b, ",\"matched_conditions\":");
			} else {
				rt_buf_puts(b, "{\"matched_conditions\":");
			}
			rt_buf_puts(b, "{\"action_type\":true,\"agent\":true,\"environment\":true,"
				       "\"exec_match\":true,\"principal\":true,\"resource\":true,"
				       "\"risk_flags\":true},\"reason_code\":\"deny_by_rule\",\"rule_id\":");
			put_ref_json(b, img, rule + VM_RULE_ID);
			rt_buf_putc(b, '}');
		}
		mc = r->n_by_class[VM_DEC_DENY]		      ? "{\"deny_rule_match\":true}" :
		     r->n_by_class[VM_DEC_REQUIRE_APPROVAL] ? "{\"approval_rule_match\":true}" :
							      "{\"matching_allow_rule\":false}";
		rt_buf_puts(b, "],\"matched_conditions\":");
		rt_buf_puts(b, mc);
		rt_buf_puts(b, ",\"reason_code\":\"");
		rt_buf_puts(b, vm_reason_name(ev->reason));
		rt_buf_puts(b, "\",\"remediation_hint\":");
		rt_canon_string(b, remediation_hint(ev), strlen(remediation_hint(ev)));
		rt_buf_putc(b, '}');
	}
	rt_buf_putc(b, '}');
}

const char *nomos_eval_explain(struct nomos_eval *ev, enum nomos_explain_format fmt, int color,
			       size_t *len)
{
	struct rt_buf *b = &ev->out;

	rt_buf_reset(b);
	if (!ev->img || !ev->have_action || !ev->trace || ev->reason > VM_R_ALLOW_BY_RULE) {
		/* No evaluation to explain: say why the action was refused. */
		if (fmt == NOMOS_EXPLAIN_JSON) {
			rt_buf_puts(b, "{\n  \"decision\": \"DENY\",\n  \"error\": ");
			rt_canon_string(b, ev->error, strlen(ev->error));
			rt_buf_puts(b, ",\n  \"reason_code\": \"");
			rt_buf_puts(b, vm_reason_name(ev->reason));
			rt_buf_puts(b, "\"\n}\n");
		} else {
			rt_buf_puts(b, "decision: DENY (");
			rt_buf_puts(b, vm_reason_name(ev->reason));
			rt_buf_puts(b, ")\n  ");
			rt_buf_puts(b, ev->error);
			rt_buf_putc(b, '\n');
		}
	} else if (fmt == NOMOS_EXPLAIN_JSON) {
		rt_buf_reset(&ev->tmp);
		explain_json(ev, &ev->tmp);
		rt_json_indent(b, ev->tmp.data, ev->tmp.len);
		rt_buf_putc(b, '\n');
	} else {
		explain_text(ev, color);
	}
	if (rt_buf_cstr(b))
		return NULL;
	if (len)
		*len = b->len;
	return b->data;
}
