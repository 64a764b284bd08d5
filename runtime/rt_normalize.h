/* rt_normalize.h: resource normalization exactly as Nomos v1 (spec §6.2-6.3):
 * a reimplementation of Go's net/url.Parse (Go 1.25 with the bracketed-host
 * security fixes) plus the Nomos file/url/repo/secret/custom rules, with
 * byte-identical error messages. Pure: no I/O, no globals, no locale. Used by
 * rt_action.c before evaluation and by `nomos-vm normalize`. */
#ifndef NOMOS_RT_NORMALIZE_H
#define NOMOS_RT_NORMALIZE_H

#include <stddef.h>

#include "runtime/rt_canon.h"

/* Room for any message; longer ones (huge resources quoted inside Go's
 * `parse "..."` text) are cut at a UTF-8 boundary and end in "...". */
#define RT_NORMALIZE_ERRMAX 1024

/* Return codes of rt_normalize_resource. */
#define RT_NORMALIZE_OK 0
#define RT_NORMALIZE_EINVALID (-1) /* the resource is rejected; errmsg says why */
#define RT_NORMALIZE_ENOMEM (-2)   /* out of memory; errmsg says so */

/* Normalizes resource[0..len) for an action of type action_type[0..atlen)
 * (upstream normalize.Action: trim, built-in normalizer, and for a type that is
 * not built-in a retry with the custom-scheme normalizer when the built-in one
 * fails). On success appends the normalized resource to out (which the caller
 * resets; decoded text is kept raw, UTF-8 or not, as upstream) and
 * returns 0. On failure returns RT_NORMALIZE_EINVALID or RT_NORMALIZE_ENOMEM
 * and writes the NUL-terminated message to errmsg[0..errlen) (e.g.
 * `invalid resource uri: parse "file://workspace/%zz": invalid URL escape "%zz"`);
 * out then holds unspecified bytes. action_type may be NULL (atlen 0): built-in
 * normalizer only. Divergences (docs/nomos-compat.md, "Action intake"): a host
 * or repo/secret name that must be lower-cased and holds non-ASCII bytes is
 * rejected instead of Unicode-lower-cased; a control byte after decoding (%00,
 * %0a, ...) and a double-encoded separator are rejected. */
int rt_normalize_resource(const char *action_type, size_t atlen, const char *resource,
			  size_t len, struct rt_buf *out, char *errmsg, size_t errlen);

/* rt_normalize_resource without its fast path for plain resources: the full
 * net/url rendition for every input. Same contract; for tests that check the
 * fast path against it. */
int rt_normalize_resource_full(const char *action_type, size_t atlen, const char *resource,
			       size_t len, struct rt_buf *out, char *errmsg, size_t errlen);

/* Reports whether t[0..n) is one of the six built-in action types of Nomos v1
 * (fs.read, fs.write, repo.apply_patch, process.exec, net.http_request,
 * secrets.checkout); exact bytes, no trimming. */
int rt_action_type_is_builtin(const char *t, size_t n);

/* Go's strings.TrimSpace over UTF-8: strips Unicode White_Space at both ends.
 * Sets *start and returns the trimmed length. */
size_t rt_go_trim_space(const char *s, size_t n, size_t *start);

/* Appends Go's strconv.Quote(s[0..n)) to out: a double-quoted Go string
 * literal (printable runes raw, \x for invalid bytes, \u/\U otherwise).
 * Returns 0, or -1 on memory. */
int rt_go_quote(struct rt_buf *out, const char *s, size_t n);

#endif
