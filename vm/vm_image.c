/* vm_image.c: the image verifier. Checks every byte the evaluator will ever
 * read (header, section table, content hash, records, string references,
 * automata, programs, lists, obligations) once at load; afterwards the
 * evaluator trusts the image. A hostile image is rejected, never crashes. */
#include "vm/vm_image.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm_argv.h"
#include "vm/vm_dfa.h"
#include "vm/vm_eval.h"
#include "vm/vm_opcodes.h"

static const char *const error_messages[] = {
#define VM_ERR_MSG(name, msg) msg,
    VM_ERRORS(VM_ERR_MSG)
#undef VM_ERR_MSG
};

static const char *const error_names[] = {
#define VM_ERR_NAME(name, msg) #name,
    VM_ERRORS(VM_ERR_NAME)
#undef VM_ERR_NAME
};

static const uint32_t record_sizes[VM_SEC__MAX + 1] = {
#define VM_SEC_REC(name, num, rec, desc) [num] = rec,
    VM_SECTIONS(VM_SEC_REC)
#undef VM_SEC_REC
};

const char *vm_error_message(enum vm_error e)
{
	return (unsigned)e < VM_E__COUNT ? error_messages[e] : "unknown error";
}

const char *vm_error_name(enum vm_error e)
{
	return (unsigned)e < VM_E__COUNT ? error_names[e] : "?";
}

struct vctx {
	const uint8_t *b;
	size_t size;
	struct vm_image *img;
	char *detail;
	size_t detail_len;
};

__attribute__((format(printf, 3, 4))) static enum vm_error fail(struct vctx *v, enum vm_error e,
								const char *fmt, ...)
{
	va_list ap;

	if (v->detail && v->detail_len) {
		va_start(ap, fmt);
		vsnprintf(v->detail, v->detail_len, fmt, ap);
		va_end(ap);
	}
	return e;
}

static enum vm_error fail_why(struct vctx *v, enum vm_error e, const char *what, uint32_t i,
			      const char *why)
{
	if (v->detail && v->detail_len)
		snprintf(v->detail, v->detail_len, "%s %u: %s", what, (unsigned)i, why ? why : "");
	return e;
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* A strref at p is valid when it lies inside STRTAB. */
static int strref_ok(const struct vm_image *img, const uint8_t *p)
{
	uint64_t off = vm_rd32(p), len = vm_rd32(p + 4);

	return off + len <= img->strtab_size;
}

static int is_hex64(const struct vm_image *img, const uint8_t *p)
{
	uint32_t len, i;
	const uint8_t *s;

	if (!strref_ok(img, p))
		return 0;
	s = vm_str(img, p, &len);
	if (len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Checks that s[0..n) is exactly one JSON value (RFC 8259 syntax, nesting at
 * most 64), as the compiler writes obligation values and argv patterns; the
 * runtime copies these bytes into its JSON output, so they must be sound. */
static int json_valid(const uint8_t *s, size_t n)
{
	uint8_t stack[64]; /* '{' or '[' per open container */
	size_t i = 0, depth = 0, j;
	int need_key;

	for (;;) {
		/* A value. */
		if (i >= n)
			return 0;
		if (s[i] == '{' || s[i] == '[') {
			if (depth == sizeof stack)
				return 0;
			stack[depth++] = s[i++];
			if (i < n && s[i] == (stack[depth - 1] == '{' ? '}' : ']')) {
				i++;
				depth--;
				goto after_value;
			}
			need_key = stack[depth - 1] == '{';
			if (need_key)
				goto key;
			continue;
		}
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] < 0x20 || (s[i] == '\\' && ++i >= n))
					return 0;
			if (i++ >= n)
				return 0;
		} else if (n - i >= 4 && (!memcmp(s + i, "true", 4) || !memcmp(s + i, "null", 4))) {
			i += 4;
		} else if (n - i >= 5 && !memcmp(s + i, "false", 5)) {
			i += 5;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			for (j = i + 1; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' ||
						  s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-');
			     j++)
				;
			i = j;
		} else {
			return 0;
		}
after_value:
		if (depth == 0)
			return i == n;
		if (i >= n)
			return 0;
		if (s[i] == (stack[depth - 1] == '{' ? '}' : ']')) {
			i++;
			depth--;
			goto after_value;
		}
		if (s[i++] != ',')
			return 0;
		if (stack[depth - 1] == '[')
			continue;
key:
		if (i >= n || s[i] != '"')
			return 0;
		for (i++; i < n && s[i] != '"'; i++)
			if (s[i] < 0x20 || (s[i] == '\\' && ++i >= n))
				return 0;
		if (i++ >= n || i >= n || s[i++] != ':')
			return 0;
	}
}

static int strref_json(const struct vm_image *img, const uint8_t *ref)
{
	uint32_t len;
	const uint8_t *s = vm_str(img, ref, &len);

	return json_valid(s, len);
}


static int str_cmp(const struct vm_image *img, const uint8_t *a, const uint8_t *b)
{
	uint32_t al, bl, m;
	const uint8_t *as = vm_str(img, a, &al), *bs = vm_str(img, b, &bl);
	int c;

	m = al < bl ? al : bl;
	c = m ? memcmp(as, bs, m) : 0;
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static enum vm_error verify_header(struct vctx *v)
{
	const uint8_t *b = v->b;
	struct vm_image *img = v->img;
	uint32_t count, i, kind, prev_kind = 0;
	uint64_t off, size, prev_end, table_end;

	if (v->size < VM_HEADER_SIZE)
		return fail(v, VM_E_TRUNCATED, "%lu bytes, need at least %lu",
			    (unsigned long)(v->size), (unsigned long)(VM_HEADER_SIZE));
	if (memcmp(b, VM_MAGIC, 8))
		return fail(v, VM_E_MAGIC, "the first 8 bytes are not \"" VM_MAGIC "\"");
	if (vm_rd32(b + 8) != VM_FORMAT_VERSION)
		return fail(v, VM_E_VERSION, "format version %lu, this VM reads %lu",
			    (unsigned long)(vm_rd32(b + 8)), (unsigned long)(VM_FORMAT_VERSION));
	if (vm_rd32(b + 12) != VM_HEADER_SIZE)
		return fail(v, VM_E_HEADER_SIZE, "header size %lu, expected %lu",
			    (unsigned long)(vm_rd32(b + 12)), (unsigned long)(VM_HEADER_SIZE));
	if (vm_rd64(b + 16) != v->size || v->size > VM_MAX_FILE_SIZE)
		return fail(v, VM_E_FILE_SIZE, "header says %lu bytes, file has %lu",
			    (unsigned long)vm_rd64(b + 16), (unsigned long)(v->size));
	img->flags = vm_rd32(b + 28);
	if (img->flags & ~VM_IMG_F_KNOWN)
		return fail(v, VM_E_FLAGS, "flags 0x%lx", (unsigned long)(img->flags));
	if (!all_zero(b + 56, 8) || !all_zero(b + 96, 32))
		return fail(v, VM_E_RESERVED, "reserved header bytes are not zero");
	if (vm_rd64(b + 48) != vm_opcode_fingerprint())
		return fail(v, VM_E_OPCODES, "opcode fingerprint %016lx",
			    (unsigned long)vm_rd64(b + 48));
	img->revision = vm_rd64(b + 32);
	img->expires_at = vm_rd64(b + 40);
	count = vm_rd32(b + 24);
	if (count > VM_SEC__MAX ||
	    VM_HEADER_SIZE + (uint64_t)count * VM_SECTION_ENTRY_SIZE > v->size)
		return fail(v, VM_E_SECTION_COUNT, "%lu sections", (unsigned long)(count));
	table_end = VM_HEADER_SIZE + (uint64_t)count * VM_SECTION_ENTRY_SIZE;
	prev_end = table_end;
	for (i = 0; i < count; i++) {
		const uint8_t *e = b + VM_HEADER_SIZE + (size_t)i * VM_SECTION_ENTRY_SIZE;

		kind = vm_rd32(e);
		off = vm_rd64(e + 8);
		size = vm_rd64(e + 16);
		if (kind == 0 || kind > VM_SEC__MAX || kind <= prev_kind || vm_rd32(e + 4))
			return fail(v, VM_E_SECTION_KIND, "section entry %lu has kind %lu",
				    (unsigned long)(i), (unsigned long)(kind));
		if (off % 8)
			return fail(v, VM_E_SECTION_ALIGN, "section %lu at offset %lu",
				    (unsigned long)(kind), (unsigned long)off);
		if (off < prev_end || off > v->size || size > v->size - off)
			return fail(v, VM_E_SECTION_BOUNDS, "section %lu at offset %lu",
				    (unsigned long)(kind), (unsigned long)off);
		if (record_sizes[kind] && size % record_sizes[kind])
			return fail(v, VM_E_SECTION_RECORD, "section %lu has %lu bytes",
				    (unsigned long)(kind), (unsigned long)size);
		img->sec[kind] = b + off;
		img->sec_size[kind] = size;
		prev_kind = kind;
		prev_end = off + size;
	}
	if (count != VM_SEC__MAX)
		return fail(v, VM_E_SECTION_MISSING, "%lu of %lu sections present",
			    (unsigned long)(count), (unsigned long)(VM_SEC__MAX));
	/* SIG is last and ends the file exactly. */
	if (img->sec_size[VM_SEC_SIG] != VM_SIG_SIZE ||
	    (size_t)(img->sec[VM_SEC_SIG] - b) + VM_SIG_SIZE != v->size)
		return fail(v, VM_E_SIG, "signature block must be the last %lu bytes",
			    (unsigned long)(VM_SIG_SIZE));
	return VM_E_OK;
}

static enum vm_error verify_hash(struct vctx *v, vm_sha256_fn sha256)
{
	const uint8_t *parts[2];
	size_t lens[2];
	uint8_t h[32];

	parts[0] = v->b;
	lens[0] = VM_HASH_OFFSET;
	parts[1] = v->b + VM_HEADER_SIZE;
	lens[1] = (size_t)(v->img->sec[VM_SEC_SIG] - v->b) - VM_HEADER_SIZE;
	sha256(parts, lens, 2, h);
	if (memcmp(h, v->b + VM_HASH_OFFSET, 32))
		return fail(v, VM_E_HASH, "content hash mismatch");
	return VM_E_OK;
}

static enum vm_error verify_list(struct vctx *v, uint32_t at)
{
	const struct vm_image *img = v->img;
	const uint8_t *w = img->sec[VM_SEC_LISTS];
	uint32_t n, i;

	if (at >= img->n_lists)
		return fail(v, VM_E_LIST, "list at word %lu", (unsigned long)(at));
	n = vm_rd32(w + (size_t)at * 4);
	if (n == 0 || n > img->n_lists - at - 1)
		return fail(v, VM_E_LIST, "list at word %lu has %lu ids", (unsigned long)(at),
			    (unsigned long)(n));
	for (i = 0; i < n; i++)
		if (vm_rd32(w + ((size_t)at + 1 + i) * 4) >= img->n_idents)
			return fail(v, VM_E_LIST, "list at word %lu: id out of range",
				    (unsigned long)(at));
	return VM_E_OK;
}

static enum vm_error verify_prog(struct vctx *v, uint32_t rule, uint32_t first, uint32_t n)
{
	const struct vm_image *img = v->img;
	uint32_t i, c;
	unsigned op, b;
	enum vm_error e;

	if (n == 0 || n > VM_MAX_PROG_LEN || first > img->n_progs || n > img->n_progs - first)
		return fail(v, VM_E_PROG, "rule %lu: program out of bounds", (unsigned long)(rule));
	for (i = 0; i < n; i++) {
		const uint8_t *insn = img->sec[VM_SEC_PROGS] + ((size_t)first + i) * VM_INSN_SIZE;

		op = insn[0];
		b = vm_rd16(insn + 2);
		c = vm_rd32(insn + 4);
		if (op >= VM_OP__COUNT)
			return fail(v, VM_E_OPCODE, "rule %lu: opcode %lu", (unsigned long)(rule),
				    (unsigned long)(op));
		if ((op == VM_OP_MATCH) != (i == n - 1))
			return fail(v, VM_E_PROG_END, "rule %lu, instruction %lu",
				    (unsigned long)(rule), (unsigned long)(i));
		switch (vm_op_kind(op)) {
		case VM_OPK_NONE:
			if (insn[1] || b || c)
				return fail(v, VM_E_OPERAND, "rule %lu, instruction %lu",
					    (unsigned long)(rule), (unsigned long)(i));
			break;
		case VM_OPK_LIST:
			if (insn[1] || b)
				return fail(v, VM_E_OPERAND, "rule %lu, instruction %lu",
					    (unsigned long)(rule), (unsigned long)(i));
			if ((e = verify_list(v, c)) != VM_E_OK)
				return e;
			break;
		case VM_OPK_MASK:
			if (insn[1] || b)
				return fail(v, VM_E_OPERAND, "rule %lu, instruction %lu",
					    (unsigned long)(rule), (unsigned long)(i));
			break;
		case VM_OPK_ARGV:
			if (insn[1] || b == 0 || c > img->n_argv || b > img->n_argv - c)
				return fail(v, VM_E_OPERAND,
					    "rule %lu, instruction %lu: argv range",
					    (unsigned long)(rule), (unsigned long)(i));
			break;
		default:
			return fail(v, VM_E_OPCODE, "rule %lu: opcode %lu", (unsigned long)(rule),
				    (unsigned long)(op));
		}
	}
	return VM_E_OK;
}

/* Fills the group index of struct vm_image (see vm_image.h). */
static void index_groups(struct vm_image *img)
{
	uint32_t i, len;
	const uint8_t *t;

	img->star_group = UINT32_MAX;
	for (i = 0; i < img->n_atypes; i++) {
		t = vm_str(img, img->sec[VM_SEC_ATYPES] + (size_t)i * 24 + VM_AT_TYPE, &len);
		if (len == 1 && t[0] == '*')
			img->star_group = i;
		if (i < VM_GROUP_INDEX) {
			img->group_len[i] = len;
			img->group_word[i] = 0;
			memcpy(&img->group_word[i], t, len < 8 ? len : 8);
		}
	}
}

/* Every rule a group's automata name has the group's action type or "*", so
 * the evaluator takes the automata's word for which rules are candidates. */
static enum vm_error verify_group_rules(struct vctx *v)
{
	const struct vm_image *img = v->img;
	uint32_t i, j, k, first, n, cnt, len, star = img->star_group; /* index_groups ran */
	const uint8_t *g, *ids, *rule, *t;

	for (i = 0; i < img->n_atypes; i++) {
		g = img->sec[VM_SEC_ATYPES] + (size_t)i * 24;
		/* the "*" rules can only be shared from a "*" group, by another */
		if ((vm_rd32(g + VM_AT_FLAGS) & VM_AT_F_STAR) && (star == UINT32_MAX || star == i))
			return fail(v, VM_E_ATYPE, "group %lu shares a \"*\" group that %s",
				    (unsigned long)(i), star == i ? "is itself" : "does not exist");
		first = vm_rd32(g + VM_AT_AUTO);
		n = vm_rd32(g + VM_AT_AUTO_N);
		for (j = first; j < first + n; j++) {
			cnt = vm_dfa_ids(img->sec[VM_SEC_BLOBS] +
						 vm_rd32(img->sec[VM_SEC_AUTOTAB] + (size_t)j * 8),
					 &ids);
			for (k = 0; k < cnt; k++) {
				rule = vm_rule(img, vm_rd32(ids + (size_t)k * 4));
				t = vm_str(img, rule + VM_RULE_ATYPE, &len);
				/* "*" rules only where they are copied, not in a group
				 * that shares them (they would be filed twice) */
				if (memcmp(rule + VM_RULE_ATYPE, g + VM_AT_TYPE, 8) != 0 &&
				    str_cmp(img, rule + VM_RULE_ATYPE, g + VM_AT_TYPE) != 0 &&
				    !(len == 1 && t[0] == '*' &&
				      !(vm_rd32(g + VM_AT_FLAGS) & VM_AT_F_STAR)))
					return fail(v, VM_E_GROUP_RULE,
						    "group %lu, automaton %lu names rule %lu",
						    (unsigned long)(i), (unsigned long)(j),
						    (unsigned long)(vm_rd32(ids + (size_t)k * 4)));
			}
		}
	}
	return VM_E_OK;
}

static enum vm_error verify_records(struct vctx *v)
{
	struct vm_image *img = v->img;
	const uint8_t *m = img->sec[VM_SEC_META], *r, *prev = NULL;
	uint64_t blobs = img->sec_size[VM_SEC_BLOBS];
	uint32_t i, j, sum = 0, off, len, first, n;
	uint64_t oblig_sum[VM_DEC__COUNT] = {0}, argv_sum[VM_DEC__COUNT] = {0};
	const char *why = "";
	enum vm_error e;

	img->strtab = img->sec[VM_SEC_STRTAB];
	img->strtab_size = img->sec_size[VM_SEC_STRTAB];
	img->n_rules = (uint32_t)(img->sec_size[VM_SEC_RULES] / 64);
	img->n_sources = (uint32_t)(img->sec_size[VM_SEC_SOURCES] / 24);
	img->n_atypes = (uint32_t)(img->sec_size[VM_SEC_ATYPES] / 24);
	img->n_autos = (uint32_t)(img->sec_size[VM_SEC_AUTOTAB] / 8);
	img->n_idents = (uint32_t)(img->sec_size[VM_SEC_IDENTS] / 8);
	img->n_lists = (uint32_t)(img->sec_size[VM_SEC_LISTS] / 4);
	img->n_progs = (uint32_t)(img->sec_size[VM_SEC_PROGS] / 8);
	img->n_argv = (uint32_t)(img->sec_size[VM_SEC_ARGV] / 24);
	img->n_oblig = (uint32_t)(img->sec_size[VM_SEC_OBLIG] / 16);

	if (img->sec_size[VM_SEC_META] != 32 || vm_rd64(m + 24))
		return fail(v, VM_E_META, "META must be one record");
	if (!is_hex64(img, m + VM_META_HASH))
		return fail(v, VM_E_BUNDLE_HASH, "policy_bundle_hash");
	if (vm_rd32(m + VM_META_RULES) != img->n_rules || img->n_rules == 0 ||
	    img->n_rules > VM_MAX_RULES || vm_rd32(m + VM_META_SOURCES) != img->n_sources ||
	    img->n_sources == 0)
		return fail(v, VM_E_META, "counts do not match the sections");
	img->oblig_max = vm_rd32(m + VM_META_OBLIG_MAX);
	img->argv_max = vm_rd32(m + VM_META_ARGV_MAX);
	if (img->oblig_max > img->n_oblig || img->argv_max > img->n_argv)
		return fail(v, VM_E_META, "scratch sizes out of range");

	for (i = 0; i < img->n_sources; i++) {
		r = img->sec[VM_SEC_SOURCES] + (size_t)i * 24;
		if (!strref_ok(img, r + VM_SRC_PATH) || !is_hex64(img, r + VM_SRC_HASH) ||
		    vm_rd32(r + VM_SRC_ROLE) > VM_ROLE_MAX)
			return fail(v, VM_E_SOURCE, "source %lu", (unsigned long)(i));
		sum += vm_rd32(r + VM_SRC_RULES);
		if (sum > img->n_rules)
			return fail(v, VM_E_SOURCE, "source %lu: rule counts exceed the rules",
				    (unsigned long)(i));
	}
	if (sum != img->n_rules)
		return fail(v, VM_E_SOURCE, "source rule counts add up to %lu, not %lu",
			    (unsigned long)(sum), (unsigned long)(img->n_rules));

	for (i = 0; i < img->n_idents; i++) {
		r = img->sec[VM_SEC_IDENTS] + (size_t)i * 8;
		if (!strref_ok(img, r))
			return fail(v, VM_E_STRREF, "identity %lu", (unsigned long)(i));
		if (i && str_cmp(img, r - 8, r) >= 0)
			return fail(v, VM_E_IDENT, "identity %lu", (unsigned long)(i));
	}
	for (i = 0; i < img->n_oblig; i++) {
		r = img->sec[VM_SEC_OBLIG] + (size_t)i * 16;
		if (!strref_ok(img, r + VM_OBL_KEY) || !strref_ok(img, r + VM_OBL_VALUE) ||
		    !strref_json(img, r + VM_OBL_VALUE))
			return fail(v, VM_E_OBLIG, "obligation entry %lu", (unsigned long)(i));
	}
	for (i = 0; i < img->n_argv; i++) {
		r = img->sec[VM_SEC_ARGV] + (size_t)i * 24;
		off = vm_rd32(r + VM_ARGV_BLOB);
		len = vm_rd32(r + VM_ARGV_BLOB_LEN);
		if (!strref_ok(img, r + VM_ARGV_JSON) || !strref_ok(img, r + VM_ARGV_KEY) ||
		    !strref_json(img, r + VM_ARGV_JSON) || off % 8 || (uint64_t)off + len > blobs)
			return fail(v, VM_E_ARGV, "argv pattern %lu", (unsigned long)(i));
		if (vm_argv_verify(img->sec[VM_SEC_BLOBS] + off, len, &why))
			return fail_why(v, VM_E_ARGV, "argv pattern", i, why);
	}
	for (i = 0; i < img->n_autos; i++) {
		r = img->sec[VM_SEC_AUTOTAB] + (size_t)i * 8;
		off = vm_rd32(r);
		len = vm_rd32(r + 4);
		if (off % 8 || (uint64_t)off + len > blobs)
			return fail(v, VM_E_AUTOMATON, "automaton %lu out of bounds",
				    (unsigned long)(i));
		if (vm_dfa_verify(img->sec[VM_SEC_BLOBS] + off, len, img->n_rules, &why))
			return fail_why(v, VM_E_AUTOMATON, "automaton", i, why);
	}
	for (i = 0; i < img->n_atypes; i++) {
		r = img->sec[VM_SEC_ATYPES] + (size_t)i * 24;
		first = vm_rd32(r + VM_AT_AUTO);
		n = vm_rd32(r + VM_AT_AUTO_N);
		if (!strref_ok(img, r + VM_AT_TYPE) || first > img->n_autos ||
		    n > img->n_autos - first || vm_rd32(r + VM_AT_RULES) > img->n_rules ||
		    (vm_rd32(r + VM_AT_FLAGS) & ~VM_AT_F_STAR))
			return fail(v, VM_E_ATYPE, "group %lu", (unsigned long)(i));
		if (i && str_cmp(img, r - 24 + VM_AT_TYPE, r + VM_AT_TYPE) >= 0)
			return fail(v, VM_E_ATYPE, "group %lu not in order", (unsigned long)(i));
	}
	for (i = 0; i < img->n_rules; i++) {
		r = vm_rule(img, i);
		if (!strref_ok(img, r + VM_RULE_ID) || !strref_ok(img, r + VM_RULE_ATYPE) ||
		    !strref_ok(img, r + VM_RULE_RESOURCE) || vm_rd32(r + VM_RULE_ID + 4) == 0)
			return fail(v, VM_E_STRREF, "rule %lu", (unsigned long)(i));
		if (prev && str_cmp(img, prev + VM_RULE_ID, r + VM_RULE_ID) >= 0)
			return fail(v, VM_E_RULE_ORDER, "rule %lu", (unsigned long)(i));
		prev = r;
		if (r[VM_RULE_DECISION] >= VM_DEC__COUNT || r[VM_RULE_RKIND] > 1 ||
		    (r[VM_RULE_FLAGS] & ~VM_RULE_F_KNOWN) || r[27] ||
		    vm_rd32(r + VM_RULE_SOURCE) >= img->n_sources)
			return fail(v, VM_E_RULE, "rule %lu", (unsigned long)(i));
		first = vm_rd32(r + VM_RULE_OBLIG);
		n = vm_rd32(r + VM_RULE_OBLIG_N);
		if (first > img->n_oblig || n > img->n_oblig - first || n > img->oblig_max)
			return fail(v, VM_E_RULE, "rule %lu: obligations out of range",
				    (unsigned long)(i));
		for (j = 1; j < n; j++) {
			const uint8_t *o = img->sec[VM_SEC_OBLIG] + ((size_t)first + j) * 16;

			if (str_cmp(img, o - 16, o) >= 0)
				return fail(v, VM_E_OBLIG, "rule %lu: obligation keys not sorted",
					    (unsigned long)(i));
		}
		first = vm_rd32(r + VM_RULE_ARGV);
		n = vm_rd32(r + VM_RULE_ARGV_N);
		if (first > img->n_argv || n > img->n_argv - first || n > img->argv_max)
			return fail(v, VM_E_RULE, "rule %lu: argv patterns out of range",
				    (unsigned long)(i));
		if ((e = verify_prog(v, i, vm_rd32(r + VM_RULE_PROG),
				     vm_rd32(r + VM_RULE_PROG_N))) != VM_E_OK)
			return e;
		oblig_sum[r[VM_RULE_DECISION]] += vm_rd32(r + VM_RULE_OBLIG_N);
		argv_sum[r[VM_RULE_DECISION]] += vm_rd32(r + VM_RULE_ARGV_N);
	}
	/* The evaluator's scratch must hold every entry of any one class. */
	for (i = 0; i < VM_DEC__COUNT; i++)
		if (oblig_sum[i] > img->oblig_max || argv_sum[i] > img->argv_max)
			return fail(v, VM_E_META, "scratch sizes too small for decision class %lu",
				    (unsigned long)(i));
	index_groups(img);
	if ((e = verify_group_rules(v)) != VM_E_OK)
		return e;
	r = img->sec[VM_SEC_SIG];
	/* Unsigned: all zero. Signed: a key id and a signature are present (their
	 * validity is the trust layer's job, runtime/rt_trust.c). */
	if (vm_rd32(r) > 1 || vm_rd32(r + 4) || (vm_rd32(r) == 0 && !all_zero(r, VM_SIG_SIZE)) ||
	    (vm_rd32(r) == 1 && (all_zero(r + 8, 8) || all_zero(r + 16, 64))))
		return fail(v, VM_E_SIG, "signature block");
	(void)why;
	return VM_E_OK;
}

enum vm_error vm_image_verify(const uint8_t *bytes, size_t size, vm_sha256_fn sha256,
			      struct vm_image *img, char *detail, size_t detail_len)
{
	struct vctx v = {bytes, size, img, detail, detail_len};
	enum vm_error e;

	memset(img, 0, sizeof *img);
	if (detail && detail_len)
		detail[0] = '\0';
	img->base = bytes;
	img->size = size;
	if ((e = verify_header(&v)) != VM_E_OK)
		return e;
	if (sha256 && (e = verify_hash(&v, sha256)) != VM_E_OK)
		return e;
	return verify_records(&v);
}
