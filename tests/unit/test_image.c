/* test_image.c: the image format and its verifier. Reproducible builds (same
 * inputs, same bytes); one corrupted image per verifier error, made here from
 * engine-mix's image, written to $B/images/ (build outputs, not in git) and
 * refused with the error corpus/images/EXPECTED names; every single-byte
 * change of the safe policy's image is refused, and with the hash check
 * disabled the structural verifier and the evaluator still never crash. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "compiler/cc_emit.h"
#include "runtime/rt_internal.h"
#include "tests/support/ts_compile.h"
#include "vm/vm_image.h"
#include "vm/vm_opcodes.h"

#define SAFE "corpus/conformance/upstream/policies/safe.yaml"
#define MIX "corpus/conformance/bundles/engine-mix.yaml"

static struct rt_buf build(const char *path)
{
	struct rt_buf b;
	struct nomos_image *img;

	rt_buf_init(&b);
	img = ts_compile(&path, 1, 0, &b);
	assert_non_null(img);
	nomos_image_close(img);
	return b;
}

static void test_reproducible(void **state)
{
	struct rt_buf a = build(SAFE), b = build(SAFE), c = build(MIX), d = build(MIX);

	(void)state;
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_int_equal(c.len, d.len);
	assert_memory_equal(c.data, d.data, c.len);
	rt_buf_free(&a);
	rt_buf_free(&b);
	rt_buf_free(&c);
	rt_buf_free(&d);
}

/* ---- corruptions -------------------------------------------------------------- */

static uint8_t *sec(uint8_t *img, unsigned kind, uint64_t *size)
{
	uint32_t n = vm_rd32(img + 24), i;

	for (i = 0; i < n; i++) {
		uint8_t *e = img + VM_HEADER_SIZE + (size_t)i * VM_SECTION_ENTRY_SIZE;

		if (vm_rd32(e) == kind) {
			if (size)
				*size = vm_rd64(e + 16);
			return img + vm_rd64(e + 8);
		}
	}
	return NULL;
}

static uint8_t *sec_entry(uint8_t *img, unsigned kind)
{
	return img + VM_HEADER_SIZE + (size_t)(kind - 1) * VM_SECTION_ENTRY_SIZE;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Recomputes the content hash so a corruption reaches the structural checks. */
static void rehash(uint8_t *img, size_t len)
{
	uint8_t *sig = sec(img, VM_SEC_SIG, NULL);
	crypto_hash_sha256_state st;

	if (!sig || sig < img + VM_HEADER_SIZE || sig > img + len)
		return;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, img, VM_HASH_OFFSET);
	crypto_hash_sha256_update(&st, img + VM_HEADER_SIZE, (size_t)(sig - img) - VM_HEADER_SIZE);
	crypto_hash_sha256_final(&st, img + VM_HASH_OFFSET);
}

struct corruption {
	const char *name;
	const char *error; /* vm_error_name of the expected rejection */
	int rehash;
	size_t (*apply)(uint8_t *img, size_t len);
};

static size_t c_truncated(uint8_t *img, size_t len)
{
	(void)img;
	(void)len;
	return 100;
}
static size_t c_magic(uint8_t *img, size_t len)
{
	img[0] = 'X';
	return len;
}
static size_t c_version(uint8_t *img, size_t len)
{
	put32(img + 8, 99);
	return len;
}
static size_t c_header_size(uint8_t *img, size_t len)
{
	put32(img + 12, 64);
	return len;
}
static size_t c_file_size(uint8_t *img, size_t len)
{
	put64(img + 16, len + 8);
	return len;
}
static size_t c_flags(uint8_t *img, size_t len)
{
	put32(img + 28, 0x80);
	return len;
}
static size_t c_reserved(uint8_t *img, size_t len)
{
	img[100] = 1;
	return len;
}
static size_t c_opcodes(uint8_t *img, size_t len)
{
	img[48] ^= 0x5a;
	return len;
}
static size_t c_section_count(uint8_t *img, size_t len)
{
	put32(img + 24, 1000);
	return len;
}
static size_t c_section_kind(uint8_t *img, size_t len)
{
	put32(sec_entry(img, 2), 1); /* two STRTAB entries */
	return len;
}
static size_t c_section_bounds(uint8_t *img, size_t len)
{
	put64(sec_entry(img, VM_SEC_PROGS) + 16, len);
	return len;
}
static size_t c_section_align(uint8_t *img, size_t len)
{
	uint8_t *e = sec_entry(img, VM_SEC_STRTAB);

	put64(e + 8, vm_rd64(e + 8) + 4);
	put64(e + 16, vm_rd64(e + 16) - 4);
	return len;
}
static size_t c_section_record(uint8_t *img, size_t len)
{
	uint8_t *e = sec_entry(img, VM_SEC_RULES);

	put64(e + 16, vm_rd64(e + 16) - 1);
	return len;
}
static size_t c_hash(uint8_t *img, size_t len)
{
	img[len / 2] ^= 1;
	return len;
}
static size_t c_strref(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_RULES, NULL) + VM_RULE_RESOURCE, 0x7fffffff);
	return len;
}
static size_t c_bundle_hash(uint8_t *img, size_t len)
{
	uint8_t *meta = sec(img, VM_SEC_META, NULL);

	put32(meta + 4, 63);
	return len;
}
static size_t c_rule_order(uint8_t *img, size_t len)
{
	uint8_t *r = sec(img, VM_SEC_RULES, NULL), tmp[64];

	memcpy(tmp, r, 64);
	memcpy(r, r + 64, 64);
	memcpy(r + 64, tmp, 64);
	return len;
}
static size_t c_rule(uint8_t *img, size_t len)
{
	sec(img, VM_SEC_RULES, NULL)[VM_RULE_DECISION] = 7;
	return len;
}
static size_t c_opcode(uint8_t *img, size_t len)
{
	sec(img, VM_SEC_PROGS, NULL)[0] = 200;
	return len;
}
static size_t c_prog_end(uint8_t *img, size_t len)
{
	/* The first rule's last instruction (MATCH) becomes a RISK check. */
	uint8_t *r = sec(img, VM_SEC_RULES, NULL);
	uint8_t *p = sec(img, VM_SEC_PROGS, NULL) +
		     ((size_t)vm_rd32(r + VM_RULE_PROG) + vm_rd32(r + VM_RULE_PROG_N) - 1) * 8;

	p[0] = VM_OP_RISK;
	return len;
}
static size_t c_operand(uint8_t *img, size_t len)
{
	/* engine-mix's exec rules: an argv range beyond the table. */
	uint64_t n;
	uint8_t *p = sec(img, VM_SEC_PROGS, &n);
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (p[i * 8] == VM_OP_EXEC) {
			put32(p + i * 8 + 4, 100000);
			break;
		}
	return len;
}
static size_t c_list(uint8_t *img, size_t len)
{
	uint64_t n;
	uint8_t *p = sec(img, VM_SEC_PROGS, &n);
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (p[i * 8] == VM_OP_PRINCIPAL) {
			put32(p + i * 8 + 4, 100000);
			break;
		}
	return len;
}
static size_t c_automaton(uint8_t *img, size_t len)
{
	uint8_t *at = sec(img, VM_SEC_AUTOTAB, NULL);
	uint8_t *blob = sec(img, VM_SEC_BLOBS, NULL) + vm_rd32(at);

	put32(blob + 20, 0xffffff); /* start state out of range */
	return len;
}
static size_t c_argv(uint8_t *img, size_t len)
{
	uint8_t *a = sec(img, VM_SEC_ARGV, NULL);
	uint8_t *blob = sec(img, VM_SEC_BLOBS, NULL) + vm_rd32(a + VM_ARGV_BLOB);

	put32(blob, 0x12345678); /* bad argv blob magic */
	return len;
}
static size_t c_source(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_SOURCES, NULL) + VM_SRC_ROLE, 9);
	return len;
}
static size_t c_sig(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_SIG, NULL), 7);
	return len;
}
static size_t c_oblig(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_OBLIG, NULL) + VM_OBL_VALUE + 4, 0x7fffffff);
	return len;
}
static size_t c_atype(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_ATYPES, NULL) + VM_AT_AUTO_N, 1000);
	return len;
}
static size_t c_group_rule(uint8_t *img, size_t len)
{
	/* the first group takes the second group's automata, which name rules
	 * of the second group's action type */
	uint8_t *g = sec(img, VM_SEC_ATYPES, NULL);

	memcpy(g + VM_AT_AUTO, g + 24 + VM_AT_AUTO, 4);
	memcpy(g + VM_AT_AUTO_N, g + 24 + VM_AT_AUTO_N, 4);
	return len;
}
static size_t c_meta(uint8_t *img, size_t len)
{
	put32(sec(img, VM_SEC_META, NULL) + VM_META_RULES, 3);
	return len;
}

static const struct corruption corruptions[] = {
	{ "truncated", "TRUNCATED", 0, c_truncated },
	{ "bad-magic", "MAGIC", 0, c_magic },
	{ "future-version", "VERSION", 0, c_version },
	{ "header-size", "HEADER_SIZE", 0, c_header_size },
	{ "file-size", "FILE_SIZE", 0, c_file_size },
	{ "unknown-flags", "FLAGS", 0, c_flags },
	{ "reserved-bytes", "RESERVED", 0, c_reserved },
	{ "opcode-table", "OPCODES", 0, c_opcodes },
	{ "section-count", "SECTION_COUNT", 0, c_section_count },
	{ "duplicate-section", "SECTION_KIND", 0, c_section_kind },
	{ "section-out-of-bounds", "SECTION_BOUNDS", 0, c_section_bounds },
	{ "section-misaligned", "SECTION_ALIGN", 0, c_section_align },
	{ "section-partial-record", "SECTION_RECORD", 0, c_section_record },
	{ "content-modified", "HASH", 0, c_hash },
	{ "string-out-of-bounds", "STRREF", 1, c_strref },
	{ "bundle-hash-short", "BUNDLE_HASH", 1, c_bundle_hash },
	{ "rules-unsorted", "RULE_ORDER", 1, c_rule_order },
	{ "bad-decision", "RULE", 1, c_rule },
	{ "unknown-opcode", "OPCODE", 1, c_opcode },
	{ "program-without-match", "PROG_END", 1, c_prog_end },
	{ "argv-operand-out-of-range", "OPERAND", 1, c_operand },
	{ "identity-list-out-of-range", "LIST", 1, c_list },
	{ "automaton-bad-start", "AUTOMATON", 1, c_automaton },
	{ "argv-blob-bad-magic", "ARGV", 1, c_argv },
	{ "source-bad-role", "SOURCE", 1, c_source },
	{ "signature-block-garbage", "SIG", 1, c_sig },
	{ "obligation-out-of-bounds", "OBLIG", 1, c_oblig },
	{ "group-automata-out-of-range", "ATYPE", 1, c_atype },
	{ "meta-rule-count", "META", 1, c_meta },
	{ "group-automaton-foreign-rule", "GROUP_RULE", 1, c_group_rule },
};

#define NCORR (sizeof corruptions / sizeof corruptions[0])

/* The image every corruption starts from: engine-mix has identities, exec
 * rules, obligations and several groups. */
static struct rt_buf base_image(void)
{
	return build(MIX);
}

static const char *open_error(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
	struct nomos_image *img = NULL;
	int rc = nomos_image_open_mem(bytes, len, NULL, &img, err, errlen);

	nomos_image_close(img);
	return rc < 0 ? vm_error_name((enum vm_error)-rc) : "OK";
}

/* The corrupted images as files, $B/images/NAME.nbc (B as in `make test`,
 * default build), for the file test below and for anyone who wants to see
 * `nomos-vm verify` refuse one. */
static void write_corrupted(const char *dir)
{
	struct rt_buf base = base_image();
	char path[512];
	size_t i;

	snprintf(path, sizeof path, "%s", dir);
	if (mkdir(path, 0777) != 0)
		assert_int_equal(errno, EEXIST);
	for (i = 0; i < NCORR; i++) {
		uint8_t *copy = malloc(base.len);
		size_t len;
		FILE *f;

		assert_non_null(copy);
		memcpy(copy, base.data, base.len);
		len = corruptions[i].apply(copy, base.len);
		if (corruptions[i].rehash)
			rehash(copy, len);
		snprintf(path, sizeof path, "%s/%s.nbc", dir, corruptions[i].name);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(copy, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		free(copy);
	}
	rt_buf_free(&base);
}

/* Every image listed in corpus/images/EXPECTED (the expected error of each
 * corruption, reviewed like any golden file) is refused with that error when
 * opened from its file, no two share an error, and every corruption made
 * here is listed. */
static void test_corrupted_files(void **state)
{
	const char *b = getenv("B");
	FILE *f = fopen("corpus/images/EXPECTED", "r");
	char dir[256], line[512], name[256], want[64], path[600], err[512];
	char seen[64][64];
	size_t nseen = 0, i;
	int files = 0;

	(void)state;
	snprintf(dir, sizeof dir, "%s/images", b && *b ? b : "build");
	write_corrupted(dir);
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		struct nomos_image *img = NULL;
		const char *got;
		int rc;

		if (line[0] == '#' || sscanf(line, "%255s %63s", name, want) != 2)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		rc = nomos_image_open(path, NULL, &img, err, sizeof err);
		nomos_image_close(img);
		got = rc < 0 ? vm_error_name((enum vm_error)-rc) : "OK";
		if (strcmp(got, want))
			fprintf(stderr, "%s: got %s (%s), want %s\n", name, got, err, want);
		assert_string_equal(got, want);
		for (i = 0; i < nseen; i++)
			assert_string_not_equal(seen[i], want);
		assert_true(nseen < 64);
		snprintf(seen[nseen++], sizeof seen[0], "%s", want);
		files++;
	}
	fclose(f);
	assert_int_equal(files, NCORR);
	assert_true(files >= 15);
}

/* Each corruption applied in memory gives its error. */
static void test_corruptions_in_memory(void **state)
{
	struct rt_buf base = base_image();
	char err[512];
	size_t i;

	(void)state;
	assert_string_equal(open_error((const uint8_t *)base.data, base.len, err, sizeof err), "OK");
	for (i = 0; i < NCORR; i++) {
		uint8_t *copy = malloc(base.len);
		size_t len;
		const char *got;

		memcpy(copy, base.data, base.len);
		len = corruptions[i].apply(copy, base.len);
		if (corruptions[i].rehash)
			rehash(copy, len);
		got = open_error(copy, len, err, sizeof err);
		if (strcmp(got, corruptions[i].error))
			fprintf(stderr, "%s: got %s (%s)\n", corruptions[i].name, got, err);
		assert_string_equal(got, corruptions[i].error);
		free(copy);
	}
	rt_buf_free(&base);
}

static const char *const actions[] = {
	"corpus/conformance/actions/safe-readme.json",
	"corpus/conformance/actions/safe-env.json",
	"corpus/conformance/actions/safe-git-status.json",
	"corpus/conformance/actions/safe-git-push-main.json",
	"corpus/conformance/actions/safe-net.json",
};

/* Every single-byte change of base (3 masks per byte) is refused (content
 * hash, or a structural check for the bytes the hash does not cover). With
 * the hash check skipped, whatever the structural verifier accepts evaluates
 * the actions without crashing (run under ASan/UBSan by `make check`). */
static void every_byte(const char *label, const struct rt_buf *base, char *const *act,
		       const size_t *alen, size_t nact)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	struct nomos_open_opts skip = { .skip_hash = 1 };
	uint8_t *copy = malloc(base->len);
	size_t pos, k, accepted_structurally = 0;
	char err[512];

	assert_non_null(copy);
	for (pos = 0; pos < base->len; pos++) {
		for (k = 0; k < sizeof masks; k++) {
			struct nomos_image *img = NULL;
			int rc;

			memcpy(copy, base->data, base->len);
			copy[pos] ^= masks[k];
			rc = nomos_image_open_mem(copy, base->len, NULL, &img, err, sizeof err);
			if (rc == 0)
				fprintf(stderr, "%s: byte %zu ^ 0x%02x accepted\n", label, pos, masks[k]);
			assert_int_not_equal(rc, 0);
			if (nomos_image_open_mem(copy, base->len, &skip, &img, err, sizeof err) == 0) {
				struct nomos_eval *ev = nomos_eval_new(img, NOMOS_EVAL_TRACE);
				size_t a;

				accepted_structurally++;
				assert_non_null(ev);
				for (a = 0; a < nact; a++) {
					nomos_eval_json(ev, act[a], alen[a]);
					assert_non_null(nomos_eval_result_json(ev, NULL));
					assert_non_null(nomos_eval_explain(ev, NOMOS_EXPLAIN_TEXT, 0, NULL));
				}
				nomos_eval_free(ev);
				nomos_image_close(img);
			}
		}
	}
	fprintf(stderr, "every byte (%s): %zu bytes x 3 masks refused; %zu variants pass the "
			"structural checks alone and evaluate without crashing\n",
		label, base->len, accepted_structurally);
	free(copy);
}

static void test_every_byte(void **state)
{
	struct rt_buf base = build(SAFE);
	char *act[5];
	size_t alen[5], k;

	(void)state;
	for (k = 0; k < 5; k++) {
		act[k] = ts_slurp(actions[k], &alen[k]);
		assert_non_null(act[k]);
	}
	every_byte("safe", &base, act, alen, 5);
	for (k = 0; k < 5; k++)
		free(act[k]);
	rt_buf_free(&base);
}

/* The same for an image whose typed groups share the "*" group's automata
 * (VM_AT_F_STAR), the layout the safe image does not use. */
static void test_every_byte_shared_star(void **state)
{
	static const char bundle[] =
		"{\"version\":\"v1\",\"rules\":["
		"{\"id\":\"a\",\"action_type\":\"fs.read\",\"resource\":\"file://workspace/**\","
		"\"decision\":\"ALLOW\"},"
		"{\"id\":\"b\",\"action_type\":\"fs.write\",\"resource\":\"file://workspace/*.md\","
		"\"decision\":\"REQUIRE_APPROVAL\"},"
		"{\"id\":\"c\",\"action_type\":\"*\",\"resource\":\"file://workspace/**/.env\","
		"\"decision\":\"DENY\"},"
		"{\"id\":\"d\",\"action_type\":\"*\",\"resource\":\"url://example.com/**\","
		"\"decision\":\"ALLOW\",\"obligations\":{\"k\":1}}]}\n";
	static const char *const acts[] = { "fs.read\",\"resource\":\"file://workspace/a/.env",
					    "fs.read\",\"resource\":\"file://workspace/a.md",
					    "fs.write\",\"resource\":\"file://workspace/a.md",
					    "net.http_request\",\"resource\":\"url://example.com/x" };
	char path[] = "/tmp/nomos-test-star1-XXXXXX";
	int fd = mkstemp(path);
	const char *p = path;
	struct cc_emit_opts share = { .star_mode = 1 };
	struct rt_buf base;
	struct nomos_image *img;
	char *act[4];
	size_t alen[4], k, flagged = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bundle, sizeof bundle - 1), (ssize_t)(sizeof bundle - 1));
	close(fd);
	rt_buf_init(&base);
	img = ts_compile_opts(&p, 1, 0, &share, &base);
	unlink(path);
	assert_non_null(img);
	for (k = 0; k < img->vm.n_atypes; k++)
		flagged += (vm_rd32(img->vm.sec[VM_SEC_ATYPES] + k * 24 + VM_AT_FLAGS) &
			    VM_AT_F_STAR) != 0;
	assert_int_equal(flagged, 2); /* fs.read and fs.write share "*" */
	nomos_image_close(img);
	for (k = 0; k < 4; k++) {
		char buf[512];
		int n = snprintf(buf, sizeof buf,
				 "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"%s\","
				 "\"params\":{},\"principal\":\"p\",\"agent\":\"a\",\"environment\":"
				 "\"e\",\"trace_id\":\"t\"}",
				 acts[k]);

		act[k] = strdup(buf);
		alen[k] = (size_t)n;
	}
	every_byte("shared \"*\"", &base, act, alen, 4);
	for (k = 0; k < 4; k++)
		free(act[k]);
	rt_buf_free(&base);
}

/* "*" rules times action types: copied into every typed group the image
 * would grow as their product, so past CC_EMIT_STAR_COPY_MAX copies the
 * compiler shares the "*" group's automata (VM_AT_F_STAR). 40 types x 40 "*"
 * rules: the shared image is several times smaller, every typed group is
 * flagged, and decisions match the copied layout. */
static void test_star_sharing(void **state)
{
	char path[] = "/tmp/nomos-test-star-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	const char *p = path;
	struct cc_emit_opts copy = { .star_mode = -1 };
	struct rt_buf shared, copied;
	struct nomos_image *a, *b;
	const struct vm_image *v;
	unsigned i, typed = 0, flagged = 0;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "{\"version\":\"v1\",\"rules\":[");
	for (i = 0; i < 80; i++) {
		char type[32];

		/* odd rules: 40 action types; even rules: 40 "*" rules */
		if (i % 2)
			snprintf(type, sizeof type, "t.type%u", i);
		else
			snprintf(type, sizeof type, "*");
		fprintf(f, "%s{\"id\":\"r%03u\",\"action_type\":\"%s\",\"decision\":\"%s\","
			   "\"resource\":\"file://workspace/d%u/**/*.t%u\"}",
			i ? "," : "", i, type, i % 3 ? "ALLOW" : "DENY", i, i);
	}
	fprintf(f, "]}\n");
	fclose(f);
	rt_buf_init(&shared);
	rt_buf_init(&copied);
	a = ts_compile(&p, 1, 0, &shared);
	b = ts_compile_opts(&p, 1, 0, &copy, &copied);
	unlink(path);
	assert_non_null(a);
	assert_non_null(b);
	v = &a->vm;
	for (i = 0; i < v->n_atypes; i++) {
		const uint8_t *g = v->sec[VM_SEC_ATYPES] + (size_t)i * 24;
		uint32_t len;
		const uint8_t *t = vm_str(v, g + VM_AT_TYPE, &len);

		if (len == 1 && t[0] == '*')
			continue;
		typed++;
		flagged += (vm_rd32(g + VM_AT_FLAGS) & VM_AT_F_STAR) != 0;
	}
	assert_int_equal(typed, 40);
	assert_int_equal(flagged, 40);
	assert_true(shared.len * 4 < copied.len);
	{
		/* the copied layout's typed groups carry the "*" rules: flagged as
		 * sharing too, those rules would be filed twice, so it is refused */
		uint8_t *c = malloc(copied.len);
		const uint8_t *sec = b->vm.sec[VM_SEC_ATYPES];
		char err[512];
		uint32_t len, g;

		assert_non_null(c);
		memcpy(c, copied.data, copied.len);
		for (g = 0; g < b->vm.n_atypes; g++) {
			const uint8_t *t = vm_str(&b->vm, sec + (size_t)g * 24 + VM_AT_TYPE, &len);

			if (!(len == 1 && t[0] == '*'))
				break;
		}
		assert_true(g < b->vm.n_atypes);
		put32(c + (sec - b->vm.base) + (size_t)g * 24 + VM_AT_FLAGS, VM_AT_F_STAR);
		rehash(c, copied.len);
		assert_string_equal(open_error(c, copied.len, err, sizeof err), "GROUP_RULE");
		free(c);
	}
	for (i = 0; i < 80; i++) {
		char act[512];
		struct nomos_eval *ea = nomos_eval_new(a, 0), *eb = nomos_eval_new(b, 0);
		char *ra, *rb;

		snprintf(act, sizeof act,
			 "{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"t.type%u\","
			 "\"resource\":\"file://workspace/d%u/x/y.t%u\",\"params\":{},\"principal\":\"p\","
			 "\"agent\":\"a\",\"environment\":\"e\",\"trace_id\":\"t\"}",
			 i | 1u, i, i);
		nomos_eval_json(ea, act, strlen(act));
		nomos_eval_json(eb, act, strlen(act));
		ra = strdup(nomos_eval_result_json(ea, NULL));
		rb = strdup(nomos_eval_result_json(eb, NULL));
		/* same decision and ids; policy_bundle_hash is the same bundle's */
		assert_string_equal(ra, rb);
		free(ra);
		free(rb);
		nomos_eval_free(ea);
		nomos_eval_free(eb);
	}
	nomos_image_close(a);
	nomos_image_close(b);
	rt_buf_free(&shared);
	rt_buf_free(&copied);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_corruptions_in_memory),
		cmocka_unit_test(test_corrupted_files),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_every_byte_shared_star),
		cmocka_unit_test(test_star_sharing),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
