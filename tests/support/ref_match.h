/* ref_match.h: reference matchers that transcribe the Nomos v1 spec literally
 * (§2.3 resource glob: split on '/', recursive backtracking; §2.6 argv tokens).
 * They are slow on purpose (exponential worst case, like upstream) and exist
 * only for differential tests, fuzzing and baseline benchmarks. */
#ifndef NOMOS_REF_MATCH_H
#define NOMOS_REF_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* Spec §2.3 MatchPattern. Returns 1 on a match, 0 on no match, -1 when the
 * pattern or the value holds a backslash (upstream's error; the rule does not
 * match). Allocates temporarily; returns 0 if memory runs out. */
int ref_glob_match(const char *pat, size_t plen, const char *val, size_t vlen);

/* Spec §2.6: pat[0..np) are NUL-terminated pattern tokens ("*" one token,
 * "**" zero or more, anything else byte-equal); argv[i] has argvlen[i] bytes.
 * Returns 1 on a match, 0 otherwise. */
int ref_argv_match(const char *const *pat, size_t np, const char *const *argv,
		   const size_t *argvlen, size_t na);

/* Runs a VERIFIED automaton blob (vm/vm_dfa.h) the plain way: a DFA from
 * its start state with one table load per byte, ignoring its prefix and its
 * accelerated states, so that vm_dfa_match's shortcuts can be checked
 * against it; an NFA blob is handed to vm_dfa_match. Returns the id count and
 * sets *ids like vm_dfa_match. */
uint32_t ref_dfa_walk(const uint8_t *blob, const uint8_t *in, size_t n, const uint8_t **ids);

#endif
