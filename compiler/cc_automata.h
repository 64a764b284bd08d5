/* cc_automata.h: lowering of resource globs (Nomos v1, spec §2.3), regexes (a
 * nomos extension) and argv patterns (spec §2.6) into the automaton blobs of
 * vm/vm_dfa.h and vm/vm_argv.h. Patterns become Thompson NFAs (cc_glob.c,
 * cc_regex.c), sets of NFAs become byte-class, minimized DFAs under state and
 * work budgets, cut deterministically when too big (cc_dfa.c), argv patterns become
 * token blobs (cc_argv.c). Everything lives in the caller's arena. The regex
 * subset and the limits are documented in docs/automata.md. */
#ifndef NOMOS_CC_AUTOMATA_H
#define NOMOS_CC_AUTOMATA_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/cc_arena.h"
#include "compiler/cc_model.h"
#include "runtime/rt_canon.h"

/* One matcher to compile. text need not be NUL-terminated. id is what the
 * automaton reports on a match (e.g. a rule index); ids may repeat. */
struct cc_pattern {
	const char *text;
	size_t len;
	enum cc_match_kind kind; /* CC_MATCH_GLOB (Nomos glob) or CC_MATCH_REGEX */
	uint32_t id;
};

/* Limits of the DFA construction. A group of patterns gets the budget
 *   min(max_states, states_per_byte * (sum of pattern lengths) + base_states,
 *       max_cells / classes)
 * states and
 *   min(max_work, work_per_byte * (sum of pattern lengths) + base_work,
 *       what is left of max_total_work)
 * work units (NFA states visited, bucketed or listed per DFA state: the time
 * of the attempt). A set over budget is packed into several DFAs (input
 * order), a single pattern over budget becomes a bounded NFA blob, and once
 * max_total_work is spent every remaining pattern does. */
struct cc_automata_limits {
	uint32_t max_states;
	uint32_t states_per_byte;
	uint32_t base_states;
	uint64_t max_cells;
	uint32_t work_per_byte;
	uint64_t base_work;
	uint64_t max_work;
	uint64_t max_total_work; /* over all attempts of one compilation */
};

/* Fills the documented defaults (2^18 states, 16 per byte, 256 base, 2^23
 * cells; 1024 work units per byte, 8192 base, 2^25 per attempt, 2^30 in all). */
void cc_automata_default_limits(struct cc_automata_limits *lim);

/* One compiled automaton blob (arena-owned, length a multiple of 8). */
struct cc_automaton {
	uint8_t *blob;
	size_t len;
	unsigned kind;      /* VM_DFA_KIND_DFA or VM_DFA_KIND_NFA */
	uint32_t n_states;  /* minimized DFA states, or NFA positions */
	uint32_t n_classes; /* DFA byte classes (0 for an NFA) */
	uint32_t n_accel;   /* DFA accelerated states */
	uint32_t prefix_len; /* DFA forced prefix bytes */
	size_t first;       /* its patterns: the indices order[first .. first+count) */
	size_t count;       /* of struct cc_automata, in input order */
};

/* The result of compiling a pattern set: blobs in a deterministic order (same
 * input, same blobs, byte for byte) and the report of what was done. */
struct cc_automata {
	struct cc_automaton *items;
	size_t n;
	size_t *order;        /* pattern indices grouped by automaton */
	size_t n_patterns;
	size_t attempts;      /* DFA constructions tried (including abandoned ones) */
	size_t splits;        /* automata beyond the first: cuts of a set over budget */
	size_t states_explored; /* DFA states built in all attempts */
	uint64_t work;        /* work units (NFA states visited and bucketed) of all attempts */
};

/* Why a compilation failed: the pattern index, the byte offset in its text,
 * and a message. */
struct cc_automata_error {
	size_t pattern;
	size_t offset;
	char msg[160];
};

/* Compiles pats[0..n) into automata (n may be 0: no automata). lim may be NULL
 * for the defaults. Returns 0, -1 when a pattern is invalid or exceeds a hard
 * limit (err filled), -2 when memory ran out. Worst-case work is bounded by
 * the limits (docs/automata.md). */
int cc_automata_build(struct cc_arena *a, const struct cc_pattern *pats, size_t n,
		      const struct cc_automata_limits *lim, struct cc_automata *out,
		      struct cc_automata_error *err);

/* Appends a human-readable report (one line per automaton: kind, states,
 * classes, bytes, pattern ids) to out. Returns 0 or -1 on memory. */
int cc_automata_report(const struct cc_automata *set, const struct cc_pattern *pats,
		       struct rt_buf *out);

/* Checks a regex against the supported subset. Returns 0 when valid; -1 with
 * *err_offset = the byte offset of the problem and msg filled otherwise. */
int cc_regex_check(const char *re, size_t len, size_t *err_offset, char *msg, size_t msglen);

/* Emits the vm_argv.h blob of one argv pattern. GLOB tokens use the v1 token
 * semantics (`*`, `**`, literal); REGEX tokens embed an automaton. Returns 0,
 * -1 on an invalid pattern (err->pattern = token index), -2 on memory. */
int cc_argv_blob(struct cc_arena *a, const struct cc_argv_token *toks, size_t n,
		 uint8_t **blob, size_t *len, struct cc_automata_error *err);

/* ---- internal to cc_glob.c, cc_regex.c, cc_dfa.c, cc_argv.c ---------------- */

#define CC_NFA_NONE UINT32_MAX
#define CC_REGEX_MAX_STATES 20000u /* NFA states one regex may produce */

enum cc_nfa_op { CC_NFA_CHAR, CC_NFA_SPLIT, CC_NFA_MATCH };

/* CHAR: consume a byte of label (interned set), go to out. SPLIT: epsilon to
 * out and out1 (either may be CC_NFA_NONE). MATCH: accept pattern id `label`. */
struct cc_nfa_state {
	uint32_t op;
	uint32_t label;
	uint32_t out;
	uint32_t out1;
};

/* A Thompson NFA holding many patterns, with interned byte-set labels. */
struct cc_nfa {
	struct cc_arena *a;
	struct cc_nfa_state *st;
	uint32_t n, cap;
	uint32_t limit;       /* states allowed (hard limit) */
	uint8_t (*labels)[32];
	uint32_t nlab, labcap;
	uint32_t *labhash;    /* open addressing: label index + 1 */
	uint32_t labhcap;
	int failed;           /* -2 memory, -1 too many states */
};

void cc_nfa_init(struct cc_nfa *nfa, struct cc_arena *a, uint32_t limit);
/* Adds a state; returns its index or CC_NFA_NONE (nfa->failed set). */
uint32_t cc_nfa_char(struct cc_nfa *nfa, const uint8_t set[32], uint32_t out);
uint32_t cc_nfa_byte(struct cc_nfa *nfa, uint8_t c, uint32_t out);
uint32_t cc_nfa_split(struct cc_nfa *nfa, uint32_t out, uint32_t out1);
uint32_t cc_nfa_match(struct cc_nfa *nfa, uint32_t id);

/* Builds the glob's NFA (over "/" + value) ending in `next`; returns the entry
 * state, or CC_NFA_NONE when the glob can never match (it holds a backslash)
 * or on failure (nfa->failed). */
uint32_t cc_glob_nfa(struct cc_nfa *nfa, const char *pat, size_t len, uint32_t next);

/* Builds the regex's NFA (over "/" + value) ending in `next`. Returns 0 with
 * *entry set, -1 on a syntax error (err_offset, msg), -2 on nfa failure. */
int cc_regex_nfa(struct cc_nfa *nfa, const char *re, size_t len, uint32_t next,
		 uint32_t *entry, size_t *err_offset, char *msg, size_t msglen);

#endif
