/* nomosc_cmd_fmt.c: `nomosc fmt [--check] [-w] FILE...` prints .nomos files in
 * the canonical layout (cc_nomos_format), every comment kept; --check shows a
 * diff and exits 1 when a file is not formatted; -w rewrites files in place. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/cc_nomos.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_fmt_summary[] = "print .nomos files in the canonical layout (--check, -w)";

static void fmt_usage(FILE *f)
{
	fprintf(f, "usage: nomosc fmt [--check] [-w] FILE...\n\n"
		   "Prints each .nomos FILE in the canonical layout, keeping every comment.\n"
		   "  --check  print nothing but a diff for each file that is not formatted;\n"
		   "           exit 1 if any is not\n"
		   "  -w       rewrite files in place (only those that change)\n"
		   "exit status: 0 success, 1 syntax errors or unformatted files (--check), 2 usage\n");
}

struct line {
	const char *s;
	size_t n;
	bool no_eol; /* the last line, without its newline */
};

static size_t split_lines(const char *s, size_t n, struct line **out)
{
	size_t i, k = 0, count = 0, start = 0;

	for (i = 0; i < n; i++)
		count += s[i] == '\n';
	*out = calloc(count + 2, sizeof **out);
	if (!*out)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\n') {
			(*out)[k].s = s + start;
			(*out)[k++].n = i - start;
			start = i + 1;
		}
	if (start < n) {
		(*out)[k].s = s + start;
		(*out)[k].no_eol = true;
		(*out)[k++].n = n - start;
	}
	return k;
}

static int line_eq(const struct line *a, const struct line *b)
{
	return a->n == b->n && a->no_eol == b->no_eol && !memcmp(a->s, b->s, a->n);
}

/* A unified diff of the two texts (LCS over lines; falls back to replacing
 * everything when the files are very large). */
static void show_diff(const char *path, const char *a, size_t an, const char *b, size_t bn)
{
	struct line *la, *lb;
	size_t na = split_lines(a, an, &la), nb = split_lines(b, bn, &lb), i, j;
	unsigned *t = NULL;
	char *op = NULL; /* ' ' keep, '-' remove, '+' add */
	size_t *ia = NULL, *ib = NULL, nops = 0, k;

	printf("--- %s\n+++ %s (formatted)\n", path, path);
	if (la && lb && (na + 1) * (nb + 1) <= 16u * 1024 * 1024)
		t = calloc((na + 1) * (nb + 1), sizeof *t);
	op = malloc(na + nb + 1);
	ia = malloc((na + nb + 1) * sizeof *ia);
	ib = malloc((na + nb + 1) * sizeof *ib);
	if (!op || !ia || !ib)
		goto out;
	if (t) {
		for (i = na; i-- > 0;)
			for (j = nb; j-- > 0;)
				t[i * (nb + 1) + j] = line_eq(&la[i], &lb[j])
					? t[(i + 1) * (nb + 1) + j + 1] + 1
					: (t[(i + 1) * (nb + 1) + j] > t[i * (nb + 1) + j + 1]
						   ? t[(i + 1) * (nb + 1) + j]
						   : t[i * (nb + 1) + j + 1]);
	}
	for (i = j = 0; i < na || j < nb;) {
		if (t && i < na && j < nb && line_eq(&la[i], &lb[j])) {
			op[nops] = ' ', ia[nops] = i++, ib[nops++] = j++;
		} else if (i < na && (j >= nb || !t ||
				      t[(i + 1) * (nb + 1) + j] >= t[i * (nb + 1) + j + 1])) {
			op[nops] = '-', ia[nops] = i++, ib[nops++] = j;
		} else {
			op[nops] = '+', ia[nops] = i, ib[nops++] = j++;
		}
	}
	/* Hunks: changes with three lines of context. */
	for (k = 0; k < nops;) {
		size_t s, e, x, a0, b0, ac = 0, bc = 0;

		if (op[k] == ' ') {
			k++;
			continue;
		}
		s = k >= 3 ? k - 3 : 0;
		while (s < k && op[s] != ' ')
			s++;
		e = k;
		for (;;) {
			size_t run = 0;

			while (e < nops && op[e] != ' ')
				e++;
			while (e + run < nops && op[e + run] == ' ' && run < 7)
				run++;
			if (e + run < nops && run < 7 && op[e + run] != ' ') {
				e += run;
				continue;
			}
			e += run > 3 ? 3 : run;
			break;
		}
		for (x = s; x < e; x++) {
			ac += op[x] != '+';
			bc += op[x] != '-';
		}
		a0 = ia[s] + (ac ? 1 : 0);
		b0 = ib[s] + (bc ? 1 : 0);
		printf("@@ -%zu,%zu +%zu,%zu @@\n", a0, ac, b0, bc);
		for (x = s; x < e; x++) {
			const struct line *l = op[x] == '+' ? &lb[ib[x]] : &la[ia[x]];

			/* marked as diff(1) does, so that patch(1) applies it */
			printf("%c%.*s\n%s", op[x], (int)l->n, l->s,
			       l->no_eol ? "\\ No newline at end of file\n" : "");
		}
		k = e;
	}
out:
	free(t);
	free(op);
	free(ia);
	free(ib);
	free(la);
	free(lb);
}

/* Rewrites path in place: atomically (temporary file + rename), keeping its
 * mode. Only what could be written in place is: a read-only file stays as it
 * is (EACCES), and so does a device or FIFO, which has no place to rewrite. */
static int write_file(const char *path, const char *data, size_t n)
{
	struct stat st;

	if (stat(path, &st) != 0 || access(path, W_OK) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	return nomosc_write_atomic(path, data, n);
}

/* Formats one file; returns 0 formatted/written, 1 not formatted (--check), -1 error. */
/* .yaml/.yml/.json are bundles of another format: parsing one as the
 * language would only report its first "syntax error". -1 when refused. */
static int refuse_other_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (cc_format_for_path(path) == CC_FMT_NOMOS || !dot || strchr(dot, '/') ||
	    (strcasecmp(dot, ".yaml") && strcasecmp(dot, ".yml") && strcmp(dot, ".json")))
		return 0;
	fprintf(stderr, "%s: error: nomosc fmt formats .nomos files; this is a %s bundle "
			"('nomosc convert %s' prints it as .nomos)\n",
		path, strcmp(dot, ".json") ? "YAML" : "JSON", path);
	return -1;
}

static int fmt_one(const char *path, int check, int write)
{
	struct cc_diag_sink sink;
	struct cc_arena a;
	const struct cc_src *src;
	struct nm_doc doc;
	struct rt_buf out;
	const char *text;
	size_t len;
	int rc;

	nomosc_stderr_sink(&sink, 20);
	cc_arena_init(&a);
	rt_buf_init(&out);
	/* the shared reader: a secret key named ci.nomos is refused unquoted */
	src = cc_read_source(&a, &sink, path);
	if (!src || refuse_other_format(path)) {
		nomosc_sink_done(&sink);
		cc_arena_free(&a);
		return -1;
	}
	text = src->text;
	len = src->len;
	rc = cc_nomos_parse_doc(&a, &sink, src, &doc);
	if (rc == 0) {
		rc = cc_nomos_format(&doc, &out);
		if (rc == -2)
			fprintf(stderr, "%s: error: internal: a comment could not be placed; the file "
					"is left as it is\n", path);
		else if (rc)
			fprintf(stderr, "%s: error: out of memory\n", path);
		if (rc)
			rc = -1;
	}
	if (rc == 0) {
		int same = out.len == len && (!len || !memcmp(out.data, text, len));

		if (check) {
			if (!same) {
				show_diff(path, text, len, out.data ? out.data : "", out.len);
				rc = 1;
			}
		} else if (write) {
			if (!same && write_file(path, out.data ? out.data : "", out.len)) {
				fprintf(stderr, "%s: error: cannot write the formatted file: %s [-Wio]\n",
					path, errno == EINVAL ? "not a regular file" : strerror(errno));
				rc = -1;
			}
		} else if (out.len) {
			fwrite(out.data, 1, out.len, stdout);
		}
	}
	nomosc_sink_done(&sink);
	rt_buf_free(&out);
	cc_arena_free(&a);
	return rc;
}

int nomosc_cmd_fmt(int argc, char **argv)
{
	int check = 0, write = 0, i, nfiles = 0, status = NOMOSC_EXIT_OK, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fmt_usage(stdout);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--check")) {
			check = 1;
		} else if (!strcmp(argv[i], "-w")) {
			write = 1;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "nomosc fmt: unknown option '%s'\n", argv[i]);
			fmt_usage(stderr);
			return NOMOSC_EXIT_USAGE;
		} else {
			nfiles++;
		}
	}
	nfiles += argc - i;
	if (!nfiles || (check && write)) {
		fprintf(stderr, nfiles ? "nomosc fmt: --check and -w exclude each other\n"
				       : "nomosc fmt: no input files\n");
		fmt_usage(stderr);
		return NOMOSC_EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check") || !strcmp(argv[i], "-w"))
			continue;
		if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				if (fmt_one(argv[i], check, write))
					status = NOMOSC_EXIT_ERROR;
			break;
		}
		rc = fmt_one(argv[i], check, write);
		if (rc)
			status = NOMOSC_EXIT_ERROR;
	}
	return status;
}
