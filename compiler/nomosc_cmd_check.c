/* nomosc_cmd_check.c: `nomosc check INPUT...` loads and validates bundles (files
 * or directories, as layers) and reports every problem as a GCC-shaped
 * diagnostic on stderr, or as JSON on stdout with --format json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc_inputs.h"
#include "compiler/nomosc.h"
#include "compiler/nomosc_util.h"

const char nomosc_cmd_check_summary[] = "validate bundles and report diagnostics";

struct check_out {
	int color;
	int json;
	unsigned count;
	struct rt_buf json_buf;
};

static void emit(void *ctx, const struct cc_diagnostic *d)
{
	static const char *const sev[] = { "error", "warning", "note" };
	struct check_out *o = ctx;
	struct rt_buf b;
	char num[64];

	if (o->json) {
		struct rt_buf *j = &o->json_buf;
		const char *path = d->pos.src ? d->pos.src->path : "";

		rt_buf_puts(j, o->count++ ? "," : "");
		rt_buf_puts(j, "{\"file\":");
		rt_canon_string(j, path, strlen(path));
		snprintf(num, sizeof num, ",\"line\":%u,\"column\":%u,", (unsigned)d->pos.line,
			 (unsigned)d->pos.col);
		rt_buf_puts(j, num);
		rt_buf_puts(j, "\"severity\":\"");
		rt_buf_puts(j, sev[d->severity]);
		rt_buf_puts(j, "\",\"group\":\"");
		rt_buf_puts(j, cc_diag_group_name(d->group));
		rt_buf_puts(j, "\",\"message\":");
		rt_canon_string(j, d->message, strlen(d->message));
		rt_buf_putc(j, '}');
		return;
	}
	rt_buf_init(&b);
	if (cc_diag_render(d, &b, o->color) == 0)
		fwrite(b.data, 1, b.len, stderr);
	rt_buf_free(&b);
}

static void check_usage(FILE *f)
{
	fprintf(f, "usage: nomosc check [--format text|json] [--compat] INPUT...\n\n"
		   "Loads each INPUT (a .yaml/.yml/.json/.nomos file, or a directory expanded\n"
		   "recursively in byte-sorted path order), runs the Nomos v1 validation and\n"
		   "nomos's stricter checks, and reports every problem as\n"
		   "file:line:col: error: message [-Wgroup] on stderr. Every file is one layer:\n"
		   "rule ids must be unique across them.\n\n"
		   "  --format json  print {\"diagnostics\":[...],\"errors\":N,\"warnings\":N} on stdout\n"
		   "  --compat       accept what Nomos v1 accepts but nomos rejects by default\n"
		   "                 ([-Wstrict] errors become warnings; docs/nomos-compat.md)\n"
		   "  -h, --help     show this help\n\n"
		   "NO_COLOR disables colours. exit status: 0 clean (warnings allowed),\n"
		   "1 errors in the input, 2 usage error\n");
}

int nomosc_cmd_check(int argc, char **argv)
{
	struct check_out o;
	struct cc_diag_sink sink = { .emit = emit, .ctx = &o };
	struct cc_arena a;
	struct cc_loaded l;
	const char **inputs;
	int i, n = 0, rc;

	memset(&o, 0, sizeof o);
	inputs = calloc((size_t)argc + 1, sizeof *inputs);
	if (!inputs)
		return NOMOSC_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		const char *fmt = NULL;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			check_usage(stdout);
			free(inputs);
			return NOMOSC_EXIT_OK;
		} else if (!strcmp(argv[i], "--format")) {
			if (i + 1 == argc) {
				fprintf(stderr, "nomosc check: --format needs a value (text or json)\n");
				free(inputs);
				return NOMOSC_EXIT_USAGE;
			}
			fmt = argv[++i];
		} else if (!strncmp(argv[i], "--format=", 9)) {
			fmt = argv[i] + 9;
		} else if (!strcmp(argv[i], "--compat")) {
			sink.downgrade = 1u << CC_W_strict;
		} else if (!strcmp(argv[i], "--")) {
			for (i++; i < argc; i++)
				inputs[n++] = argv[i];
			break;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "nomosc check: unknown option '%s'\n", argv[i]);
			check_usage(stderr);
			free(inputs);
			return NOMOSC_EXIT_USAGE;
		} else {
			inputs[n++] = argv[i];
		}
		if (fmt && !strcmp(fmt, "json")) {
			o.json = 1;
		} else if (fmt && strcmp(fmt, "text")) {
			fprintf(stderr, "nomosc check: --format must be text or json\n");
			free(inputs);
			return NOMOSC_EXIT_USAGE;
		}
	}
	if (n == 0) {
		check_usage(stderr);
		free(inputs);
		return NOMOSC_EXIT_USAGE;
	}
	o.color = nomosc_color(2);
	rt_buf_init(&o.json_buf);
	cc_arena_init(&a);
	rc = cc_load_inputs(&a, &sink, inputs, (size_t)n, &l);
	if (o.json) {
		printf("{\"diagnostics\":[%.*s],\"errors\":%u,\"warnings\":%u}\n", (int)o.json_buf.len,
		       o.json_buf.data ? o.json_buf.data : "", sink.errors, sink.warnings);
	}
	rt_buf_free(&o.json_buf);
	cc_arena_free(&a);
	free(inputs);
	return rc == 0 && sink.errors == 0 ? NOMOSC_EXIT_OK : NOMOSC_EXIT_ERROR;
}
