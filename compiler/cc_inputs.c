/* cc_inputs.c: directory expansion and layered loading (see cc_inputs.h). */
#include "compiler/cc_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DIR_DEPTH 64

struct path_list {
	const char **v;
	size_t n, cap;
};

static int list_add(struct cc_arena *a, struct path_list *l, const char *p)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		const char **v = cc_arena_grow(a, (void *)l->v, l->n, nc, sizeof *v);

		if (!v)
			return -1;
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = p;
	return 0;
}

static int is_bundle_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml") ||
		       !strcasecmp(dot, ".json") || !strcmp(dot, ".nomos"));
}

static int cmp_path(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static void io_error(struct cc_diag_sink *sink, const char *path, const char *what, int err)
{
	struct cc_src *none = NULL;
	struct cc_pos p = { none, 0, 0, 0 };

	cc_diag(sink, CC_ERROR, CC_W_io, p, "%s %s: %s", what, path, strerror(err));
}

static int walk(struct cc_arena *a, struct cc_diag_sink *sink, const char *dir,
		struct path_list *l, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	size_t dl = strlen(dir);
	int rc = 0;

	if (depth > MAX_DIR_DEPTH) {
		cc_diag(sink, CC_ERROR, CC_W_limit, (struct cc_pos){ NULL, 0, 0, 0 },
			"directories nest deeper than %d levels under %s (a symlink loop?)",
			MAX_DIR_DEPTH, dir);
		return -1;
	}
	d = opendir(dir);
	if (!d) {
		io_error(sink, dir, "cannot open directory", errno);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = cc_arena_alloc(a, dl + strlen(e->d_name) + 2);
		if (!p) {
			rc = -1;
			break;
		}
		memcpy(p, dir, dl);
		strcpy(p + dl + (dl && dir[dl - 1] == '/' ? 0 : 1), e->d_name);
		if (!(dl && dir[dl - 1] == '/'))
			p[dl] = '/';
		if (stat(p, &st) != 0) {
			io_error(sink, p, "cannot read", errno);
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (walk(a, sink, p, l, depth + 1))
				rc = -1;
		} else if (S_ISREG(st.st_mode) && is_bundle_name(e->d_name)) {
			if (list_add(a, l, p))
				rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int cc_expand_inputs(struct cc_arena *a, struct cc_diag_sink *sink, const char *const *paths,
		     size_t n, const char ***out, size_t *n_out)
{
	struct path_list all = { 0 }, sub;
	struct stat st;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (!paths[i] || !*paths[i]) {
			cc_diag(sink, CC_ERROR, CC_W_io, (struct cc_pos){ NULL, 0, 0, 0 },
				"bundle path is required");
			rc = -1;
			continue;
		}
		if (stat(paths[i], &st) != 0) {
			io_error(sink, paths[i], "read bundle", errno);
			rc = -1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (list_add(a, &all, paths[i]))
				rc = -1;
			continue;
		}
		memset(&sub, 0, sizeof sub);
		if (walk(a, sink, paths[i], &sub, 0))
			rc = -1; /* said why; "no policy files" would only repeat it */
		else if (sub.n == 0) {
			cc_diag(sink, CC_ERROR, CC_W_io, (struct cc_pos){ NULL, 0, 0, 0 },
				"no policy files (.yaml, .yml, .json, .nomos) under %s", paths[i]);
			rc = -1;
		}
		if (sub.n > 1) /* sub.v is NULL when empty: qsort's arguments must not be */
			qsort(sub.v, sub.n, sizeof *sub.v, cmp_path);
		for (j = 0; j < sub.n; j++)
			if (list_add(a, &all, sub.v[j]))
				rc = -1;
	}
	if (a->failed) {
		cc_diag(sink, CC_ERROR, CC_W_limit, (struct cc_pos){ NULL, 0, 0, 0 }, "out of memory");
		rc = -1;
	}
	if (all.n == 0 && rc == 0) {
		cc_diag(sink, CC_ERROR, CC_W_io, (struct cc_pos){ NULL, 0, 0, 0 },
			"at least one bundle path is required");
		rc = -1;
	}
	*out = all.v;
	*n_out = all.n;
	return rc;
}

static int cmp_rule_ptr(const void *pa, const void *pb)
{
	const struct cc_rule *a = *(const struct cc_rule *const *)pa;
	const struct cc_rule *b = *(const struct cc_rule *const *)pb;
	int c = rt_bytes_cmp(a->id.s, a->id.len, b->id.s, b->id.len);

	if (c)
		return c;
	return (a->bundle_index > b->bundle_index) - (a->bundle_index < b->bundle_index);
}

/* Spec §1.7: rule ids must be unique across bundles. Within one bundle,
 * cc_validate has already reported duplicates. Sorting finds the repeats in
 * O(n log n); they are reported in load order, like every other diagnostic. */
static int check_across(struct cc_arena *a, struct cc_diag_sink *sink, struct cc_loaded *out)
{
	const struct cc_rule **order;
	size_t *first, i, g = 0;
	int rc = 0;

	if (out->n_rules < 2)
		return 0;
	order = cc_arena_array(a, out->n_rules, sizeof *order);
	first = cc_arena_array(a, out->n_rules, sizeof *first);
	if (!order || !first)
		return -1;
	for (i = 0; i < out->n_rules; i++)
		order[i] = &out->rules[i];
	qsort(order, out->n_rules, sizeof *order, cmp_rule_ptr);
	for (i = 0; i < out->n_rules; i++) {
		if (i > 0 && rt_bytes_cmp(order[i]->id.s, order[i]->id.len, order[g]->id.s,
					  order[g]->id.len))
			g = i;
		first[order[i] - out->rules] = (size_t)(order[g] - out->rules);
	}
	for (i = 0; i < out->n_rules; i++) {
		const struct cc_rule *r = &out->rules[i], *f = &out->rules[first[i]];

		if (f->bundle_index == r->bundle_index)
			continue;
		cc_diag(sink, CC_ERROR, CC_W_nomos, r->id.pos,
			"duplicate rule id \"%.*s\" across bundles %s and %s", (int)r->id.len, r->id.s,
			out->bundles[f->bundle_index]->src->path,
			out->bundles[r->bundle_index]->src->path);
		cc_diag(sink, CC_NOTE, CC_W_nomos, f->id.pos, "first defined here");
		rc = -1;
	}
	return rc;
}

struct bundle_at {
	const struct cc_bundle *b;
	size_t i; /* position among the inputs */
};

static int cmp_bundle_hash(const void *pa, const void *pb)
{
	const struct bundle_at *a = pa, *b = pb;
	int c = strcmp(a->b->hash, b->b->hash);

	return c ? c : (a->i > b->i) - (a->i < b->i);
}

static bool is_nomos_path(const char *p)
{
	size_t n = strlen(p);

	return n >= 6 && !strcmp(p + n - 6, ".nomos");
}

/* Two inputs with the same policy_bundle_hash are one bundle given twice
 * (most often a pack's .nomos file and its YAML twin, from a directory):
 * said once per file, in load order, instead of once per rule id they
 * share. */
static int check_twins(struct cc_arena *a, struct cc_diag_sink *sink, struct cc_loaded *out)
{
	struct bundle_at *order = cc_arena_array(a, out->n_bundles, sizeof *order);
	size_t *first = cc_arena_array(a, out->n_bundles, sizeof *first);
	size_t i, g = 0;
	int rc = 0;

	if (!order || !first)
		return -1;
	for (i = 0; i < out->n_bundles; i++) {
		order[i].b = out->bundles[i];
		order[i].i = i;
	}
	qsort(order, out->n_bundles, sizeof *order, cmp_bundle_hash);
	for (i = 0; i < out->n_bundles; i++) {
		if (i > 0 && strcmp(order[i].b->hash, order[g].b->hash))
			g = i;
		first[order[i].i] = order[g].i; /* the group's earliest input */
	}
	for (i = 0; i < out->n_bundles; i++) {
		const struct cc_bundle *b = out->bundles[i], *f = out->bundles[first[i]];

		if (first[i] == i)
			continue;
		if (!strcmp(b->src->path, f->src->path))
			cc_diag(sink, CC_ERROR, CC_W_nomos, b->pos,
				"%s is given twice (a layer may appear only once)", b->src->path);
		else
			cc_diag(sink, CC_ERROR, CC_W_nomos, b->pos,
				"%s is the same bundle as %s (policy_bundle_hash %.12s...): give one "
				"of them, a layer may appear only once%s",
				b->src->path, f->src->path, b->hash,
				is_nomos_path(b->src->path) != is_nomos_path(f->src->path) ?
					" (a pack's .nomos file and its YAML twin are one bundle)" :
					"");
		cc_diag(sink, CC_NOTE, CC_W_nomos, f->pos, "first given here");
		rc = -1;
	}
	return rc;
}

int cc_load_inputs(struct cc_arena *a, struct cc_diag_sink *sink, const char *const *paths,
		   size_t n, struct cc_loaded *out)
{
	const char **files;
	size_t n_files, i, j, k;
	int rc;

	memset(out, 0, sizeof *out);
	rc = cc_expand_inputs(a, sink, paths, n, &files, &n_files);
	if (n_files == 0)
		return -1;
	out->bundles = cc_arena_array(a, n_files, sizeof *out->bundles);
	if (!out->bundles)
		return -1;
	for (i = 0; i < n_files; i++) {
		struct cc_bundle *b = cc_arena_alloc(a, sizeof *b);

		if (!b)
			return -1;
		out->bundles[out->n_bundles++] = b;
		if (cc_load_file(a, sink, files[i], b) || cc_validate(sink, b)) {
			rc = -1;
			continue;
		}
		if (cc_bundle_hash(b)) {
			cc_diag(sink, CC_ERROR, CC_W_limit, b->pos, "out of memory");
			rc = -1;
			continue;
		}
		out->n_rules += b->n_rules;
		if (b->nonportable)
			out->nonportable = true;
	}
	if (rc)
		return -1;
	out->rules = cc_arena_array(a, out->n_rules ? out->n_rules : 1, sizeof *out->rules);
	if (!out->rules)
		return -1;
	for (i = 0, k = 0; i < out->n_bundles; i++)
		for (j = 0; j < out->bundles[i]->n_rules; j++) {
			out->rules[k] = out->bundles[i]->rules[j];
			out->rules[k++].bundle_index = (unsigned)i;
		}
	for (i = 0; i < out->n_bundles; i++)
		for (j = 0; j < out->bundles[i]->n_rules; j++)
			out->bundles[i]->rules[j].bundle_index = (unsigned)i;
	if (out->n_bundles > 1 && (check_twins(a, sink, out) || check_across(a, sink, out)))
		return -1;
	if (cc_merged_hash((const struct cc_bundle *const *)out->bundles, out->n_bundles, out->hash))
		return -1;
	return 0;
}
