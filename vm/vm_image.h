/* vm_image.h: THE normative definition of the nomos bytecode image (.nbc).
 * The compiler writes exactly these bytes; the VM maps them read-only, verifies
 * them once (vm_image_verify) and then reads them in place. All integers are
 * little-endian and read through vm_rd* helpers, never by casting the mapping.
 * docs/image-format.md is the prose companion of this header.
 *
 *  offset  size  field
 *  ------  ----  -----------------------------------------------------------
 *       0     8  magic "NOMOSIMG"
 *       8     4  format_version (VM_FORMAT_VERSION)
 *      12     4  header_size (= VM_HEADER_SIZE = 128)
 *      16     8  file_size (whole file, bytes)
 *      24     4  section_count
 *      28     4  flags (VM_IMG_F_*)
 *      32     8  revision (monotonic, for rollback protection; 0 = none)
 *      40     8  expires_at (Unix seconds, UTC; 0 = never)
 *      48     8  opcode_fingerprint (vm_opcode_fingerprint() of the writer)
 *      56     8  reserved, zero
 *      64    32  content_hash: SHA-256 of bytes [0,64) followed by bytes
 *                [128, offset of the SIG section)
 *      96    32  reserved, zero
 *     128  24*n  section table: n entries {u32 kind, u32 reserved=0,
 *                u64 offset, u64 size}; kinds in ascending order, each once
 *       .     .  sections, each starting on an 8-byte boundary, in table
 *                order, non-overlapping; SIG is last and ends the file.
 *
 * Strings live in STRTAB and are referenced as {u32 offset, u32 length}
 * ("strref", 8 bytes). Rule indices are assigned in byte order of rule id, so
 * sorting matched rule indices numerically sorts their ids as Nomos does. */
#ifndef NOMOS_VM_IMAGE_H
#define NOMOS_VM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define VM_MAGIC "NOMOSIMG"
#define VM_FORMAT_VERSION 1u
#define VM_HEADER_SIZE 128u
#define VM_SECTION_ENTRY_SIZE 24u
#define VM_HASH_OFFSET 64u

#define VM_IMG_F_NONPORTABLE 1u /* uses nomos extensions (regex matchers) */
#define VM_IMG_F_KNOWN 1u       /* mask of defined flags */

/* Sections: X(NAME, kind number, record size (0 = bytes), description). */
#define VM_SECTIONS(X)                                                                  \
	X(STRTAB, 1, 0, "string bytes referenced by strrefs")                          \
	X(META, 2, 32, "one record: policy_bundle_hash strref, rule/source counts")      \
	X(SOURCES, 3, 24, "source bundles: path, hash, role, first rule in file order")   \
	X(RULES, 4, 64, "rules in byte order of id (see struct below)")                 \
	X(ATYPES, 5, 24, "action-type groups: type strref, automata range, rules")      \
	X(AUTOTAB, 6, 8, "automata: {u32 blob offset, u32 blob length} into BLOBS")      \
	X(BLOBS, 7, 0, "automaton and argv-pattern blobs (vm_dfa.h, vm_argv.h), 8-aligned") \
	X(IDENTS, 8, 8, "interned identity strings, strrefs in byte order, unique")      \
	X(LISTS, 9, 4, "u32 words: identity lists as {count, ids...}")                  \
	X(PROGS, 10, 8, "predicate instructions (vm_opcodes.h)")                        \
	X(ARGV, 11, 24, "argv patterns: blob off/len, canonical JSON, sort key")        \
	X(OBLIG, 12, 16, "obligation entries: key strref, canonical JSON value strref")  \
	X(SIG, 13, 0, "signature block (VM_SIG_SIZE bytes), last, not hashed")

enum vm_section {
#define VM_SEC_ENUM(name, num, rec, desc) VM_SEC_##name = num,
	VM_SECTIONS(VM_SEC_ENUM)
#undef VM_SEC_ENUM
	VM_SEC__MAX = 13
};

/* META record (32 bytes):
 *   0 strref policy_bundle_hash (64 lower-case hex chars)
 *   8 u32 rule_count     12 u32 source_count
 *  16 u32 obligation_key_max (largest number of obligation entries of any
 *     decision class, i.e. scratch the evaluator needs)
 *  20 u32 argv_max (likewise for argv patterns)   24 u64 reserved */
#define VM_META_HASH 0
#define VM_META_RULES 8
#define VM_META_SOURCES 12
#define VM_META_OBLIG_MAX 16
#define VM_META_ARGV_MAX 20

/* SOURCES record (24 bytes): 0 strref path, 8 strref hash (64 hex),
 * 16 u32 role (compiler's cc_role numbering: 0 none, 1 baseline, 2 org, 3 repo,
 * 4 env, 5 local_override), 20 u32 rule_count. */
#define VM_SRC_PATH 0
#define VM_SRC_HASH 8
#define VM_SRC_ROLE 16
#define VM_SRC_RULES 20
#define VM_ROLE_MAX 5u

/* RULES record (64 bytes):
 *   0 strref id            8 strref action_type     16 strref resource
 *  24 u8 decision (VM_DEC_*)   25 u8 resource_kind (0 glob, 1 regex)
 *  26 u8 flags (VM_RULE_F_*)   27 u8 reserved
 *  28 u32 source index     32 u32 line   36 u32 column   (of the rule in its file)
 *  40 u32 first instruction in PROGS   44 u32 instruction count
 *  48 u32 first OBLIG entry            52 u32 OBLIG entry count (keys byte-sorted)
 *  56 u32 first ARGV pattern           60 u32 ARGV pattern count */
#define VM_RULE_ID 0
#define VM_RULE_ATYPE 8
#define VM_RULE_RESOURCE 16
#define VM_RULE_DECISION 24
#define VM_RULE_RKIND 25
#define VM_RULE_FLAGS 26
#define VM_RULE_SOURCE 28
#define VM_RULE_LINE 32
#define VM_RULE_COL 36
#define VM_RULE_PROG 40
#define VM_RULE_PROG_N 44
#define VM_RULE_OBLIG 48
#define VM_RULE_OBLIG_N 52
#define VM_RULE_ARGV 56
#define VM_RULE_ARGV_N 60

#define VM_RULE_F_EXEC_MATCH 1u     /* the rule has exec_match */
#define VM_RULE_F_EXEC_ALLOWLIST 2u /* its obligations have key exec_allowlist */
#define VM_RULE_F_KNOWN 3u

/* Decisions, in the order deny-wins combination inspects them. */
#define VM_DECISIONS(X) X(ALLOW, 0, "ALLOW") X(DENY, 1, "DENY") X(REQUIRE_APPROVAL, 2, "REQUIRE_APPROVAL")
enum vm_decision {
#define VM_DEC_ENUM(name, num, text) VM_DEC_##name = num,
	VM_DECISIONS(VM_DEC_ENUM)
#undef VM_DEC_ENUM
	VM_DEC__COUNT = 3
};

/* ATYPES record (24 bytes), sorted by type bytes, unique; the wildcard group
 * "*" is an ordinary entry: 0 strref action_type, 8 u32 first AUTOTAB entry,
 * 12 u32 AUTOTAB count, 16 u32 rule count (its automata's rules), 20 u32 flags.
 * A typed group's automata carry the "*" rules too (one pass per decision),
 * unless it has VM_AT_F_STAR: then the "*" rules live only in the "*" group's
 * automata, which the evaluator runs after the group's own. The compiler
 * shares them so when copying would make the image grow as types x "*" rules. */
#define VM_AT_TYPE 0
#define VM_AT_AUTO 8
#define VM_AT_AUTO_N 12
#define VM_AT_RULES 16
#define VM_AT_FLAGS 20
#define VM_AT_F_STAR 1u /* also run the "*" group's automata */

/* ARGV record (24 bytes): 0 u32 blob offset in BLOBS, 4 u32 blob length,
 * 8 strref canonical JSON of the token array (for exec_constraints),
 * 16 strref sort key (tokens joined with NUL; dedup and order key, spec §3.3). */
#define VM_ARGV_BLOB 0
#define VM_ARGV_BLOB_LEN 4
#define VM_ARGV_JSON 8
#define VM_ARGV_KEY 16

/* OBLIG record (16 bytes): 0 strref key, 8 strref canonical JSON value. */
#define VM_OBL_KEY 0
#define VM_OBL_VALUE 8

/* SIG section (VM_SIG_SIZE bytes): 0 u32 sig_version (0 = unsigned, 1 =
 * Ed25519), 4 u32 reserved, 8 key id (8 bytes), 16 Ed25519 signature (64)
 * over VM_SIG_DOMAIN || header[0,64) || content_hash || key id. */
#define VM_SIG_SIZE 80u
#define VM_SIG_DOMAIN "nomos-image-signature-v1"

/* Hard limits the verifier enforces (and the compiler respects). */
#define VM_MAX_FILE_SIZE ((uint64_t)1 << 31)
#define VM_MAX_RULES (1u << 22)
#define VM_MAX_PROG_LEN 64u

/* Little-endian readers; p must have the bytes (verified before use). */
static inline uint32_t vm_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vm_rd64(const uint8_t *p)
{
	return (uint64_t)vm_rd32(p) | (uint64_t)vm_rd32(p + 4) << 32;
}

static inline uint16_t vm_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Verifier errors: X(NAME, message). Each rejection has its own code. */
#define VM_ERRORS(X)                                                          \
	X(OK, "ok")                                                           \
	X(TRUNCATED, "image is shorter than its header")                      \
	X(MAGIC, "bad magic: not a nomos image")                              \
	X(VERSION, "unsupported image format version")                        \
	X(HEADER_SIZE, "bad header size")                                     \
	X(FILE_SIZE, "file size does not match the header")                   \
	X(FLAGS, "unknown header flags")                                      \
	X(RESERVED, "reserved header bytes are not zero")                     \
	X(OPCODES, "image was built for a different opcode table")            \
	X(SECTION_COUNT, "section table does not fit the file")               \
	X(SECTION_KIND, "unknown, duplicate or unordered section kind")        \
	X(SECTION_BOUNDS, "section outside the file or overlapping")          \
	X(SECTION_ALIGN, "section not 8-byte aligned")                        \
	X(SECTION_MISSING, "required section missing")                        \
	X(SECTION_RECORD, "section size is not a whole number of records")    \
	X(HASH, "content hash mismatch: the image was modified")              \
	X(STRREF, "string reference out of bounds")                           \
	X(META, "bad META record")                                            \
	X(BUNDLE_HASH, "policy_bundle_hash is not 64 lower-case hex digits")  \
	X(SOURCE, "bad source record")                                        \
	X(RULE, "bad rule record")                                            \
	X(RULE_ORDER, "rules are not in strictly increasing id order")        \
	X(ATYPE, "bad action-type group")                                     \
	X(AUTOMATON, "bad automaton")                                         \
	X(IDENT, "identity strings not sorted and unique")                    \
	X(LIST, "identity list out of bounds or with bad ids")                \
	X(PROG, "predicate program out of bounds")                            \
	X(OPCODE, "unknown opcode")                                           \
	X(OPERAND, "operand out of range")                                    \
	X(PROG_END, "predicate program does not end with MATCH exactly once") \
	X(ARGV, "bad argv pattern")                                           \
	X(OBLIG, "bad obligation entry")                                      \
	X(SIG, "bad signature block")                                         \
	X(GROUP_RULE, "an automaton names a rule of another action type")

enum vm_error {
#define VM_ERR_ENUM(name, msg) VM_E_##name,
	VM_ERRORS(VM_ERR_ENUM)
#undef VM_ERR_ENUM
	VM_E__COUNT
};

/* A verified image: pointers into the caller's (mapped) bytes. */
#define VM_GROUP_INDEX 32u

struct vm_image {
	const uint8_t *base;
	size_t size;
	uint32_t flags;
	uint64_t revision;
	uint64_t expires_at;
	const uint8_t *sec[VM_SEC__MAX + 1]; /* section start, NULL when absent */
	uint64_t sec_size[VM_SEC__MAX + 1];
	uint32_t n_rules, n_sources, n_atypes, n_autos, n_idents, n_lists, n_progs;
	uint32_t n_argv, n_oblig;
	uint32_t oblig_max, argv_max;
	const uint8_t *strtab;
	uint64_t strtab_size;
	/* Derived at verification, for the evaluator's group lookup: when the
	 * image has at most VM_GROUP_INDEX groups, each group's type length and
	 * first 8 bytes (zero padded) as a word, so finding an action's group is
	 * a short scan of words (binary search otherwise). star_group: the "*"
	 * group, or UINT32_MAX. */
	uint32_t star_group;
	uint32_t group_len[VM_GROUP_INDEX];
	uint64_t group_word[VM_GROUP_INDEX];
};

/* Verifies the whole image in memory: header, section table, content hash
 * (check_hash != 0; the hash is computed by the caller-supplied function so
 * vm/ needs no crypto library), every record, string reference, automaton,
 * program and obligation. On success fills *img and returns VM_E_OK; otherwise
 * returns the first error found and stores a detail (static or in detail[]). */
typedef void (*vm_sha256_fn)(const uint8_t *const *parts, const size_t *lens, size_t nparts,
			     uint8_t out[32]);
enum vm_error vm_image_verify(const uint8_t *bytes, size_t size, vm_sha256_fn sha256,
			      struct vm_image *img, char *detail, size_t detail_len);

/* Message of an error code. */
const char *vm_error_message(enum vm_error e);
/* Name of an error code, e.g. "HASH". */
const char *vm_error_name(enum vm_error e);

/* Accessors for verified images (no checks). */
static inline const uint8_t *vm_rule(const struct vm_image *img, uint32_t i)
{
	return img->sec[VM_SEC_RULES] + (size_t)i * 64u;
}

/* Resolves a strref at p into (pointer, length). */
static inline const uint8_t *vm_str(const struct vm_image *img, const uint8_t *p, uint32_t *len)
{
	*len = vm_rd32(p + 4);
	return img->strtab + vm_rd32(p);
}

#endif
