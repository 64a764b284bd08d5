/* cc_glob.c: Nomos v1 resource glob (spec §2.3) -> Thompson NFA. The value is
 * read as "/" + VALUE, so splitting on '/' becomes a concatenation of
 * "/segment" units: a plain segment is one unit, `**` is (/S)* with S any run
 * of bytes other than '/' and '\', which is exactly "zero or more whole
 * segments" of the backtracking matcher. Built right to left, so every state
 * is created with its successor known and no patch lists are needed. */
#include <string.h>

#include "compiler/cc_automata.h"

/* Any byte of a segment: everything except '/' and '\' (a value holding a
 * backslash never matches, spec §2.3 step 1). */
static void seg_set(uint8_t set[32])
{
	memset(set, 0xff, 32);
	set['/' >> 3] &= (uint8_t) ~(1u << ('/' & 7));
	set['\\' >> 3] &= (uint8_t) ~(1u << ('\\' & 7));
}

/* One non-`**` segment p[0..n) followed by next, without its leading '/'. */
static uint32_t segment(struct cc_nfa *nfa, const char *p, size_t n, uint32_t next)
{
	uint8_t any[32];
	size_t i;
	int wild = memchr(p, '*', n) != NULL || memchr(p, '?', n) != NULL;

	seg_set(any);
	for (i = n; i-- > 0;) {
		uint8_t c = (uint8_t)p[i];

		if (wild && c == '*') {
			uint32_t loop, body;

			/* `a**b` is `a*b`: collapse the run of stars. */
			while (i > 0 && p[i - 1] == '*')
				i--;
			loop = cc_nfa_split(nfa, CC_NFA_NONE, next);
			if (loop == CC_NFA_NONE)
				return CC_NFA_NONE;
			body = cc_nfa_char(nfa, any, loop);
			if (body == CC_NFA_NONE)
				return CC_NFA_NONE;
			nfa->st[loop].out = body;
			next = loop;
		} else if (wild && c == '?') {
			next = cc_nfa_char(nfa, any, next);
		} else {
			next = cc_nfa_byte(nfa, c, next);
		}
		if (next == CC_NFA_NONE)
			return CC_NFA_NONE;
	}
	return next;
}

uint32_t cc_glob_nfa(struct cc_nfa *nfa, const char *pat, size_t len, uint32_t next)
{
	uint8_t any[32];
	size_t end = len, start;
	int prev_dstar = 0;

	if (memchr(pat, '\\', len))
		return CC_NFA_NONE;
	seg_set(any);
	/* Segments from the last to the first; "" splits into one empty segment. */
	for (;;) {
		start = end;
		while (start > 0 && pat[start - 1] != '/')
			start--;
		if (end - start == 2 && pat[start] == '*' && pat[start + 1] == '*') {
			/* Consecutive `**` segments act as one: zero-or-more twice is zero-or-more. */
			if (!prev_dstar) {
				uint32_t head = cc_nfa_split(nfa, CC_NFA_NONE, next);
				uint32_t loop, slash, body;

				if (head == CC_NFA_NONE)
					return CC_NFA_NONE;
				loop = cc_nfa_split(nfa, CC_NFA_NONE, head);
				if (loop == CC_NFA_NONE)
					return CC_NFA_NONE;
				body = cc_nfa_char(nfa, any, loop);
				slash = cc_nfa_byte(nfa, '/', loop);
				if (body == CC_NFA_NONE || slash == CC_NFA_NONE)
					return CC_NFA_NONE;
				nfa->st[loop].out = body;
				nfa->st[head].out = slash;
				next = head;
			}
			prev_dstar = 1;
		} else {
			next = segment(nfa, pat + start, end - start, next);
			if (next != CC_NFA_NONE)
				next = cc_nfa_byte(nfa, '/', next);
			prev_dstar = 0;
		}
		if (next == CC_NFA_NONE || nfa->failed)
			return CC_NFA_NONE;
		if (start == 0)
			break;
		end = start - 1;
	}
	return next;
}
