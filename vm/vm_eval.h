/* vm_eval.h: the evaluator. Given a verified image and an already decoded and
 * normalized action, computes the Nomos v1 decision (spec §2-§3): candidate
 * rules from the action-type group automata, predicate programs, deny wins,
 * exec model conflict, approval, allow, default deny; merged obligations and
 * derived exec constraints. No allocation: the caller owns every array. */
#ifndef NOMOS_VM_EVAL_H
#define NOMOS_VM_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm_argv.h"
#include "vm/vm_image.h"

/* The action as the VM sees it (runtime/ fills it from the JSON action). */
struct vm_action {
	const uint8_t *action_type; /* trimmed */
	size_t action_type_len;
	const uint8_t *resource;    /* normalized */
	size_t resource_len;
	const uint8_t *principal;
	size_t principal_len;
	const uint8_t *agent;
	size_t agent_len;
	const uint8_t *environment;
	size_t environment_len;
	uint32_t risk;              /* vm_risk.h bits */
	int argv_ok;                /* params decoded to a non-empty string argv */
	const struct vm_bytes *argv;
	size_t argc;
};

/* Reason codes of the engine (spec §3.6) plus the fail-closed ones. */
#define VM_REASONS(X)                                                    \
	X(DENY_BY_DEFAULT, "deny_by_default")                            \
	X(DENY_BY_RULE, "deny_by_rule")                                  \
	X(DENY_BY_EXEC_MODEL_CONFLICT, "deny_by_exec_model_conflict")    \
	X(REQUIRE_APPROVAL_BY_RULE, "require_approval_by_rule")          \
	X(ALLOW_BY_RULE, "allow_by_rule")                                \
	X(VALIDATION_ERROR, "validation_error")                          \
	X(NORMALIZATION_ERROR, "normalization_error")                    \
	X(IMAGE_ERROR, "image_error")                                    \
	X(INTERNAL_ERROR, "internal_error")

enum vm_reason {
#define VM_REASON_ENUM(name, text) VM_R_##name,
	VM_REASONS(VM_REASON_ENUM)
#undef VM_REASON_ENUM
	VM_R__COUNT
};

const char *vm_reason_name(enum vm_reason r);
const char *vm_decision_name(unsigned d);

/* Exec authorization summary (spec §3.4). */
#define VM_EXEC_CLASSES(X)                                                              \
	X(NONE, "none", "policy_only")                                                  \
	X(ARGV_PATTERN_MATCH, "argv_pattern_match", "derived_exec_constraints")         \
	X(LEGACY_PREFIX_ALLOWLIST, "legacy_prefix_allowlist", "legacy_exec_allowlist_fallback") \
	X(MIXED_EXEC_MODELS, "mixed_exec_models", "conflict")

enum vm_exec_class {
#define VM_EXEC_ENUM(name, cls, hint) VM_EXEC_##name,
	VM_EXEC_CLASSES(VM_EXEC_ENUM)
#undef VM_EXEC_ENUM
	VM_EXEC__COUNT
};

const char *vm_exec_class_name(enum vm_exec_class c);
const char *vm_exec_hint(enum vm_exec_class c);

/* Why a rule did not match (for explain), in upstream check order. */
#define VM_FAILS(X)                                   \
	X(MATCHED, "matched")                         \
	X(ACTION_TYPE, "action_type")                 \
	X(RESOURCE, "resource")                       \
	X(PRINCIPAL, "principal")                     \
	X(AGENT, "agent")                             \
	X(ENVIRONMENT, "environment")                 \
	X(RISK, "risk_flags")                         \
	X(EXEC, "exec_match")

enum vm_fail {
#define VM_FAIL_ENUM(name, text) VM_FAIL_##name,
	VM_FAILS(VM_FAIL_ENUM)
#undef VM_FAIL_ENUM
	VM_FAIL__COUNT
};

const char *vm_fail_name(enum vm_fail f);

/* An obligation entry chosen by the merge: OBLIG record index. */
struct vm_result {
	unsigned decision;      /* VM_DEC_* */
	enum vm_reason reason;
	/* Matched rules per decision class, rule indices ascending (= ids sorted). */
	uint32_t *by_class[VM_DEC__COUNT];
	uint32_t n_by_class[VM_DEC__COUNT];
	/* matched_rule_ids of the decision: points into by_class, or into
	 * union_ids for the exec model conflict. */
	const uint32_t *matched;
	uint32_t n_matched;
	uint32_t *union_ids;    /* capacity n_rules */
	/* Merged obligations of the decision (and the ALLOW / approval preview):
	 * OBLIG record indices in key order, after first-wins merge. */
	uint32_t *oblig;        /* capacity image->oblig_max */
	uint32_t n_oblig;
	/* Derived exec_constraints: ARGV record indices in key order, deduped. */
	uint32_t *argv;         /* capacity image->argv_max */
	uint32_t n_argv;
	int has_exec_constraints;
	int oblig_class;        /* class whose obligations are in oblig, -1 none */
	enum vm_exec_class exec_class;
	int exec_conflict;
	/* Optional per-rule trace (explain): NULL, or capacity n_rules. */
	uint8_t *trace;         /* enum vm_fail per rule */
};

/* Bytes of caller storage vm_result needs for img (all arrays together). */
size_t vm_result_storage(const struct vm_image *img);
/* Points the result's arrays into storage (vm_result_storage bytes, aligned
 * to 4). trace_storage: NULL or n_rules bytes. */
void vm_result_init(struct vm_result *r, const struct vm_image *img, void *storage,
		    uint8_t *trace_storage);

/* Evaluates act against the verified image. Always produces a decision; it
 * returns 0, or a negative value when an internal limit was hit, in which case
 * the result is DENY with reason INTERNAL_ERROR (fail closed). */
int vm_eval(const struct vm_image *img, const struct vm_action *act, struct vm_result *r);

/* Computes the merged obligations of one decision class into r (used for the
 * explain preview: obligations of the ALLOW class on a DENY, spec §3.5). */
void vm_merge_obligations(const struct vm_image *img, struct vm_result *r, unsigned cls);

#endif
