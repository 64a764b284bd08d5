/* cc_diag.c: diagnostic formatting and file reading (see cc_diag.h). */
#include "compiler/cc_diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const group_names[] = {
#define CC_DIAG_NAME(id, name) name,
	CC_DIAG_GROUPS(CC_DIAG_NAME)
#undef CC_DIAG_NAME
};

const char *cc_diag_group_name(enum cc_diag_group g)
{
	return (unsigned)g < CC_W__COUNT ? group_names[g] : "?";
}

void cc_diag(struct cc_diag_sink *sink, enum cc_severity sev, enum cc_diag_group group,
	     struct cc_pos pos, const char *fmt, ...)
{
	struct cc_diagnostic d;
	va_list ap;

	if (sev == CC_ERROR && (sink->downgrade & (1u << group)))
		sev = CC_WARNING;
	if (sev == CC_ERROR)
		sink->errors++;
	else if (sev == CC_WARNING)
		sink->warnings++;
	if (!sink->emit)
		return;
	/* Past the cap, an error is counted but not shown, nor are its notes. */
	if (sev != CC_NOTE)
		sink->capped = sev == CC_ERROR && sink->max_errors &&
			       sink->errors > sink->max_errors;
	if (sink->capped)
		return;
	d.severity = sev;
	d.group = group;
	d.pos = pos;
	va_start(ap, fmt);
	vsnprintf(d.message, sizeof d.message, fmt, ap);
	va_end(ap);
	sink->emit(sink->ctx, &d);
}

/* Finds line `line` (1-based) of src; returns its start and sets *len. */
static const char *find_line(const struct cc_src *src, uint32_t line, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len, *nl;
	uint32_t l = 1;

	while (l < line && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return NULL;
		p = nl + 1;
		l++;
	}
	if (l != line || p > end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

static int is_utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

int cc_diag_render(const struct cc_diagnostic *d, struct rt_buf *out, int color)
{
	static const char *const sev[] = { "error", "warning", "note" };
	static const char *const sev_color[] = { "\033[1;31m", "\033[1;35m", "\033[1;36m" };
	const struct cc_pos *p = &d->pos;
	char num[32];
	const char *line;
	size_t len, i, width, ulen, start;

	if (color)
		rt_buf_puts(out, "\033[1m");
	if (p->src) {
		rt_buf_puts(out, p->src->path);
		if (p->line) {
			snprintf(num, sizeof num, ":%u:%u", (unsigned)p->line, (unsigned)p->col);
			rt_buf_puts(out, num);
		}
		rt_buf_puts(out, ": ");
	}
	if (color)
		rt_buf_puts(out, sev_color[d->severity]);
	rt_buf_puts(out, sev[d->severity]);
	rt_buf_puts(out, color ? ":\033[0m " : ": ");
	rt_buf_puts(out, d->message);
	if (d->severity != CC_NOTE) {
		rt_buf_puts(out, " [-W");
		rt_buf_puts(out, cc_diag_group_name(d->group));
		rt_buf_puts(out, "]");
	}
	rt_buf_putc(out, '\n');
	if (!p->src || !p->line || !(line = find_line(p->src, p->line, &len)))
		return out->failed ? -1 : 0;
	width = (size_t)snprintf(num, sizeof num, "%u", (unsigned)p->line);
	if (width < 4)
		width = 4;
	snprintf(num, sizeof num, " %*u | ", (int)width, (unsigned)p->line);
	rt_buf_puts(out, num);
	for (i = 0; i < len; i++)
		rt_buf_putc(out, line[i] == '\t' ? ' ' : line[i]);
	rt_buf_putc(out, '\n');
	rt_buf_putc(out, ' ');
	for (i = 0; i < width; i++)
		rt_buf_putc(out, ' ');
	rt_buf_puts(out, " | ");
	/* Columns count bytes; the caret line counts characters, so that it
	 * stays under the text when UTF-8 sequences precede or form it. */
	for (i = 1; i < p->col && i <= len; i++)
		if (!is_utf8_cont(line[i - 1]))
			rt_buf_putc(out, ' ');
	if (color)
		rt_buf_puts(out, "\033[1;32m");
	rt_buf_putc(out, '^');
	start = p->col ? p->col - 1u : 0;
	ulen = p->len;
	if (ulen > 1 && start + ulen > len)
		ulen = len > start ? len - start : 1;
	for (i = 1; i < ulen; i++)
		if (!is_utf8_cont(line[start + i]))
			rt_buf_putc(out, '~');
	if (color)
		rt_buf_puts(out, "\033[0m");
	rt_buf_putc(out, '\n');
	return out->failed ? -1 : 0;
}

size_t cc_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c0 = p[0];

	if (c0 < 0x80)
		return 1;
	if (c0 >= 0xc2 && c0 <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c0 >= 0xe0 && c0 <= 0xef) {
		unsigned lo = c0 == 0xe0 ? 0xa0 : 0x80, hi = c0 == 0xed ? 0x9f : 0xbf;

		return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c0 >= 0xf0 && c0 <= 0xf4) {
		unsigned lo = c0 == 0xf0 ? 0x90 : 0x80, hi = c0 == 0xf4 ? 0x8f : 0xbf;

		return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
				       (p[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

int cc_read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct rt_buf b;
	struct stat st;
	char chunk[65536];
	size_t n;
	int err;

	*text = NULL;
	*len = 0;
	if (!f)
		return -errno;
	/* fopen(3) opens a directory; fread(3) then fails with a vague EIO. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return -EISDIR;
	}
	rt_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rt_buf_put(&b, chunk, n);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!err && rt_buf_cstr(&b))
		err = -ENOMEM;
	if (err) {
		rt_buf_free(&b);
		return err;
	}
	*text = b.data ? b.data : calloc(1, 1);
	if (!*text)
		return -ENOMEM;
	*len = b.len;
	return 0;
}
