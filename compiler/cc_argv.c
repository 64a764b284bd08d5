/* cc_argv.c: one exec_match argv pattern (spec §2.6) -> the token blob of
 * vm/vm_argv.h. GLOB tokens keep the v1 meaning (`*` one token, `**` any
 * number, anything else byte-equal, no in-token wildcards); REGEX tokens embed
 * an automaton built by cc_automata_build with pattern id 0. */
#include <stdio.h>
#include <string.h>

#include "compiler/cc_automata.h"
#include "vm/vm_argv.h"
#include "vm/vm_dfa.h"

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int cc_argv_blob(struct cc_arena *a, const struct cc_argv_token *toks, size_t n,
		 uint8_t **blob, size_t *len, struct cc_automata_error *err)
{
	struct cc_automata_error dummy;
	const uint8_t **embed;
	size_t *elen, data_off, total, i, at;
	uint32_t *kind;
	uint8_t *p;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof *err);
	if (n > VM_ARGV_MAX_TOKENS) {
		err->pattern = VM_ARGV_MAX_TOKENS;
		snprintf(err->msg, sizeof err->msg, "argv pattern has more than %u tokens",
			 (unsigned)VM_ARGV_MAX_TOKENS);
		return -1;
	}
	embed = cc_arena_array(a, n + 1, sizeof *embed);
	elen = cc_arena_array(a, n + 1, sizeof *elen);
	kind = cc_arena_array(a, n + 1, sizeof *kind);
	if (!embed || !elen || !kind)
		return -2;
	data_off = (VM_ARGV_HDR + VM_ARGV_TOKEN_REC * n + 7) & ~(size_t)7;
	total = data_off;
	for (i = 0; i < n; i++) {
		const struct cc_str *t = &toks[i].text;

		if (toks[i].kind == CC_MATCH_REGEX) {
			struct cc_pattern pat = {t->s, t->len, CC_MATCH_REGEX, 0};
			struct cc_automata set;
			int rc = cc_automata_build(a, &pat, 1, NULL, &set, err);

			err->pattern = i;
			if (rc)
				return rc;
			if (set.n != 1) {
				snprintf(err->msg, sizeof err->msg, "regex token compiled to %zu automata",
					 set.n);
				return -1;
			}
			kind[i] = VM_ARGV_REGEX;
			embed[i] = set.items[0].blob;
			elen[i] = set.items[0].len;
		} else if (t->len == 1 && t->s[0] == '*') {
			kind[i] = VM_ARGV_ONE;
		} else if (t->len == 2 && t->s[0] == '*' && t->s[1] == '*') {
			kind[i] = VM_ARGV_ANY;
		} else {
			kind[i] = VM_ARGV_LITERAL;
			embed[i] = (const uint8_t *)t->s;
			elen[i] = t->len;
		}
		if (kind[i] == VM_ARGV_REGEX)
			total = (total + 7) & ~(size_t)7;
		total += elen[i];
		if (total > UINT32_MAX / 2) {
			err->pattern = i;
			snprintf(err->msg, sizeof err->msg, "argv pattern too large");
			return -1;
		}
	}
	total = (total + 7) & ~(size_t)7;
	p = cc_arena_alloc(a, total);
	if (!p)
		return -2;
	wr32(p, VM_ARGV_MAGIC);
	p[4] = (uint8_t)VM_ARGV_VERSION;
	wr32(p + 8, (uint32_t)total);
	wr32(p + 12, (uint32_t)n);
	wr32(p + 16, VM_ARGV_HDR);
	wr32(p + 20, (uint32_t)data_off);
	at = data_off;
	for (i = 0; i < n; i++) {
		uint8_t *r = p + VM_ARGV_HDR + i * VM_ARGV_TOKEN_REC;

		wr32(r, kind[i]);
		if (kind[i] == VM_ARGV_ONE || kind[i] == VM_ARGV_ANY)
			continue;
		if (kind[i] == VM_ARGV_REGEX)
			at = (at + 7) & ~(size_t)7;
		wr32(r + 4, (uint32_t)at);
		wr32(r + 8, (uint32_t)elen[i]);
		if (elen[i])
			memcpy(p + at, embed[i], elen[i]);
		at += elen[i];
	}
	*blob = p;
	*len = total;
	return 0;
}
