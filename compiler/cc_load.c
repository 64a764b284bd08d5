/* cc_load.c: front-end dispatch. Picks the format from the file name (spec §1.4),
 * reads the file and hands the text to the YAML/JSON front end (cc_yaml.c) or the
 * .nomos language (cc_nomos_parse.c). Validation and hashing come after. Every
 * command reads policy files through cc_read_source, which refuses a nomos
 * secret signing key before any front end (or fmt's diff) could quote it. */
#include "compiler/cc_model.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rt_trust.h"

enum cc_format cc_format_for_path(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return CC_FMT_JSON;
	if (!strcasecmp(dot, ".yaml") || !strcasecmp(dot, ".yml"))
		return CC_FMT_YAML;
	if (!strcmp(dot, ".nomos"))
		return CC_FMT_NOMOS;
	return CC_FMT_JSON;
}

/* Whether text is a secret key file as `nomosc keygen` writes it: the key
 * line first, after blank lines at most. */
static int is_secret_key(const char *text, size_t len)
{
	static const char tag[] = RT_SECRET_KEY_TAG;
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	return len - i >= sizeof tag - 1 && !memcmp(text + i, tag, sizeof tag - 1);
}

int cc_load_source(struct cc_arena *a, struct cc_diag_sink *sink, const struct cc_src *src,
		   enum cc_format fmt, struct cc_bundle *out)
{
	int rc;
	size_t i;

	memset(out, 0, sizeof *out);
	out->src = src;
	if (fmt == CC_FMT_NOMOS)
		rc = cc_parse_nomos(a, sink, src, out);
	else
		rc = cc_parse_yaml(a, sink, src, fmt, out);
	out->src = src;
	for (i = 0; i < out->n_rules; i++)
		if (out->rules[i].resource_kind == CC_MATCH_REGEX)
			out->nonportable = true;
	return rc;
}

const struct cc_src *cc_read_source(struct cc_arena *a, struct cc_diag_sink *sink,
				    const char *path)
{
	struct cc_src *src;
	struct cc_pos nopos = { NULL, 0, 0, 0 };
	char *text;
	size_t len;
	int rc;

	if (!path || !*path) {
		cc_diag(sink, CC_ERROR, CC_W_io, nopos, "bundle path is required");
		return NULL;
	}
	src = cc_arena_alloc(a, sizeof *src);
	if (!src || !(src->path = cc_arena_strdup(a, path))) {
		cc_diag(sink, CC_ERROR, CC_W_limit, nopos, "out of memory");
		return NULL;
	}
	rc = cc_read_file(path, &text, &len);
	if (rc) {
		struct cc_pos p = { src, 0, 0, 0 };

		src->text = "";
		cc_diag(sink, CC_ERROR, CC_W_io, p, "read bundle: %s", strerror(-rc));
		return NULL;
	}
	/* Every front end quotes the offending line, and a CI log would then show
	 * the key: name the file only, and wipe the text. */
	if (is_secret_key(text, len)) {
		struct cc_pos p = { src, 0, 0, 0 };

		src->text = "";
		cc_diag(sink, CC_ERROR, CC_W_io, p,
			"%s is a nomos secret signing key, not a policy bundle (its contents are "
			"not shown)", path);
		sodium_memzero(text, len);
		free(text);
		return NULL;
	}
	/* the arena owns the text from here on, so diagnostics can quote it */
	src->text = cc_arena_strndup(a, text, len);
	free(text);
	if (src->text)
		src->lines = cc_lines_index(a, src->text, len, &src->n_lines);
	if (!src->text || !src->lines) {
		cc_diag(sink, CC_ERROR, CC_W_limit, nopos, "out of memory");
		return NULL;
	}
	src->len = len;
	return src;
}

int cc_load_file(struct cc_arena *a, struct cc_diag_sink *sink, const char *path,
		 struct cc_bundle *out)
{
	const struct cc_src *src;

	memset(out, 0, sizeof *out);
	src = cc_read_source(a, sink, path);
	if (!src)
		return -1;
	return cc_load_source(a, sink, src, cc_format_for_path(path), out);
}
