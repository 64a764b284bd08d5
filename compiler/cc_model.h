/* cc_model.h: the one typed bundle model. Every front end (YAML through libyaml,
 * JSON through yajl, the .nomos language through re2c + lemon) produces it; validation,
 * canonical JSON / policy_bundle_hash and lowering consume it. Every node knows
 * its file:line:col. All memory belongs to a cc_arena. */
#ifndef NOMOS_CC_MODEL_H
#define NOMOS_CC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/cc_arena.h"
#include "compiler/cc_diag.h"

/* A string with its position. Bytes may include NUL (from JSON "\u0000"). */
struct cc_str {
	const char *s;
	size_t len;
	struct cc_pos pos;
};

/* Obligation values: arbitrary JSON. */
enum cc_value_kind {
	CC_V_NULL,
	CC_V_BOOL,
	CC_V_NUMBER, /* text holds the number exactly as Go's json.Marshal prints it */
	CC_V_STRING,
	CC_V_ARRAY,
	CC_V_OBJECT,
};

struct cc_member;

struct cc_value {
	enum cc_value_kind kind;
	struct cc_pos pos;
	bool boolean;
	/* CC_V_STRING: the bytes. CC_V_NUMBER: the JSON number literal that the
	 * marshalled typed value would carry (e.g. "65536", "1.5", "1e+21",
	 * "12345678901234567000" for a JSON-decoded big integer); the canonical
	 * writer turns it into its canonical form (rt_canon_number). */
	const char *text;
	size_t len;
	struct cc_value *items; /* CC_V_ARRAY */
	struct cc_member *members; /* CC_V_OBJECT, in source order, keys unique */
	size_t n;
};

struct cc_member {
	struct cc_str key;
	struct cc_value value;
};

/* A list of strings (principals, agents, environments, risk_flags, one argv
 * pattern). present = the key was written (even as [] or null). */
struct cc_strlist {
	struct cc_str *items;
	size_t n;
	bool present;
	struct cc_pos pos;
};

/* How a resource or argv token is matched. GLOB is Nomos v1; REGEX is a
 * nomos extension (DSL `re"..."`, YAML/JSON `resource_match: regex`) that
 * makes the bundle non-portable and enters the canonical form. */
enum cc_match_kind { CC_MATCH_GLOB = 0, CC_MATCH_REGEX = 1 };

/* One argv token of an exec_match pattern. */
struct cc_argv_token {
	struct cc_str text;
	enum cc_match_kind kind; /* GLOB means the v1 token semantics (*, **, literal) */
};

struct cc_argv_pattern {
	struct cc_argv_token *tokens;
	size_t n;
	struct cc_pos pos;
};

struct cc_rule {
	struct cc_pos pos; /* the rule's mapping (or DSL statement) */
	struct cc_str id;
	struct cc_str action_type;
	struct cc_str resource;
	enum cc_match_kind resource_kind;
	struct cc_str decision; /* as written; validation checks it */
	struct cc_strlist principals;
	struct cc_strlist agents;
	struct cc_strlist environments;
	struct cc_strlist risk_flags;
	bool has_exec_match;         /* exec_match present and not null */
	struct cc_pos exec_match_pos;
	bool has_argv_patterns;      /* argv_patterns key present and not null */
	struct cc_argv_pattern *argv_patterns;
	size_t n_argv_patterns;
	bool has_obligations;        /* obligations present and not null */
	struct cc_value obligations; /* CC_V_OBJECT when has_obligations */
	/* Provenance, set by loading: index of the bundle in a layered build. */
	unsigned bundle_index;
};

/* Layer roles of spec §4.4 (labels only; they never change evaluation). */
#define CC_ROLES(X) \
	X(NONE, "") X(BASELINE, "baseline") X(ORG, "org") X(REPO, "repo") \
	X(ENV, "env") X(LOCAL_OVERRIDE, "local_override")

enum cc_role {
#define CC_ROLE_ENUM(id, name) CC_ROLE_##id,
	CC_ROLES(CC_ROLE_ENUM)
#undef CC_ROLE_ENUM
};

struct cc_bundle {
	const struct cc_src *src; /* the file it came from (path as given) */
	struct cc_pos pos;
	struct cc_str version;
	bool has_version;
	struct cc_rule *rules;
	size_t n_rules;
	bool has_rules;   /* rules key present and not null */
	struct cc_pos rules_pos; /* the rules list, when has_rules */
	bool nonportable; /* uses a nomos extension (regex matchers) */
	enum cc_role role;
	char hash[65];    /* policy_bundle_hash, set by cc_bundle_hash() */
};

/* Front-end input formats. */
enum cc_format { CC_FMT_YAML, CC_FMT_JSON, CC_FMT_NOMOS };

/* Picks the format from the path like Nomos (spec §1.4): .yaml/.yml (any case)
 * -> YAML, .nomos -> the language, anything else -> JSON. */
enum cc_format cc_format_for_path(const char *path);

/* Reads the policy file at path, for every command that reads one (check,
 * build, hash, convert, fmt). A nomos secret signing key is refused by name,
 * never quoted, and its text wiped. Returns the source (arena-owned, text
 * NUL-terminated), or NULL after reporting why ([-Wio], [-Wlimit]). */
const struct cc_src *cc_read_source(struct cc_arena *a, struct cc_diag_sink *sink,
				    const char *path);

/* Loads one bundle file: reads it (cc_read_source), parses it with the right
 * front end, fills *out (arena-owned), reporting problems to sink. Does not
 * validate (see cc_validate). Returns 0, or -1 when an error was reported. */
int cc_load_file(struct cc_arena *a, struct cc_diag_sink *sink, const char *path,
		 struct cc_bundle *out);

/* Parses source text already in memory (src must outlive the bundle). */
int cc_load_source(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		   enum cc_format fmt, struct cc_bundle *out);

/* Front ends (called by cc_load_source). */
int cc_parse_yaml(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		  enum cc_format fmt, struct cc_bundle *out);
int cc_parse_nomos(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		   struct cc_bundle *out);

/* Validation of spec §1.5, in upstream order and meaning, plus our stricter
 * checks (docs/nomos-compat.md). Returns 0 when clean, -1 when errors were
 * reported. */
int cc_validate(struct cc_diag_sink *sink, const struct cc_bundle *b);

/* Writes the canonical JSON of the bundle (spec §4.1-4.2) into out. Returns 0,
 * -1 on memory. */
int cc_bundle_canonical(const struct cc_bundle *b, struct rt_buf *out);

/* Computes b->hash from the canonical JSON. Returns 0 or -1 on memory. */
int cc_bundle_hash(struct cc_bundle *b);

/* Merged policy_bundle_hash of n >= 2 layered bundles in order (spec §4.4);
 * for n == 1 copies that bundle's hash. out is 65 bytes. Returns 0 or -1. */
int cc_merged_hash(const struct cc_bundle *const *bundles, size_t n, char out[65]);

/* Writes the canonical JSON of one obligation value (keys byte-sorted). */
int cc_value_canonical(const struct cc_value *v, struct rt_buf *out);

#endif
