/* cc_diag.c: diagnostic formatting and file reading (see cc_diag.h). */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "compiler/cc_diag.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "compiler/cc_arena.h"

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

size_t *cc_lines_index(struct cc_arena *a, const char *text, size_t len, size_t *n)
{
	const char *p = text, *end = text + len;
	size_t count = 1, k = 0, *lines;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		count++;
		p++;
	}
	lines = cc_arena_array(a, count, sizeof *lines);
	if (!lines)
		return NULL;
	lines[k++] = 0;
	for (p = text; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		lines[k++] = (size_t)(p - text) + 1;
	*n = count;
	return lines;
}

const char *cc_src_line(const struct cc_src *src, uint32_t line, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len, *nl;
	uint32_t l = 1;

	if (line == 0)
		return NULL;
	if (src->lines) { /* no scan at all: a long line is not read either */
		if (line > src->n_lines)
			return NULL;
		p += src->lines[line - 1];
		nl = line < src->n_lines ? src->text + src->lines[line] - 1 : end;
	} else {
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
	}
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

static int is_utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Terminal columns of the character that starts at s[0] (n bytes left), so
 * that the caret stays under the text after wide (CJK) or zero-width
 * characters: wcwidth() in a UTF-8 LC_CTYPE (nomosc sets C.UTF-8). 0 for a
 * continuation byte (its lead byte counts), 1 for ASCII, and 1 whenever the
 * width is not known (invalid UTF-8, no UTF-8 locale). */
static size_t char_cols(const char *s, size_t n)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int w;

	if (!n || is_utf8_cont(*s))
		return n ? 0 : 1;
	if ((unsigned char)*s < 0x80)
		return 1;
	memset(&st, 0, sizeof st);
	k = mbrtowc(&wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
		return 1;
	w = wcwidth(wc);
	return w < 0 ? 1 : (size_t)w;
}

/* A quoted line longer than QUOTE_MAX bytes shows only QUOTE_AROUND bytes on
 * each side of the caret, between "...": else a minified bundle with many
 * problems would print its whole text again for each of them. */
#define QUOTE_MAX 512
#define QUOTE_AROUND 160

int cc_diag_render(const struct cc_diagnostic *d, struct rt_buf *out, int color)
{
	static const char *const sev[] = { "error", "warning", "note" };
	static const char *const sev_color[] = { "\033[1;31m", "\033[1;35m", "\033[1;36m" };
	const struct cc_pos *p = &d->pos;
	char num[32];
	const char *line;
	size_t len, i, k, width, ulen, start, ws, we;

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
	if (!p->src || !p->line || !(line = cc_src_line(p->src, p->line, &len)))
		return out->failed ? -1 : 0;
	width = (size_t)snprintf(num, sizeof num, "%u", (unsigned)p->line);
	if (width < 4)
		width = 4;
	snprintf(num, sizeof num, " %*u | ", (int)width, (unsigned)p->line);
	rt_buf_puts(out, num);
	start = p->col ? p->col - 1u : 0;
	ws = 0; /* the part of the line shown: [ws, we) */
	we = len;
	if (len > QUOTE_MAX) {
		size_t at = start < len ? start : len;

		ws = at > QUOTE_AROUND ? at - QUOTE_AROUND : 0;
		while (ws > 0 && is_utf8_cont(line[ws]))
			ws--;
		we = len - at > QUOTE_AROUND ? at + QUOTE_AROUND : len;
		while (we < len && is_utf8_cont(line[we]))
			we++;
	}
	if (ws)
		rt_buf_puts(out, "...");
	for (i = ws; i < we; i++)
		rt_buf_putc(out, line[i] == '\t' ? ' ' : line[i]);
	if (we < len)
		rt_buf_puts(out, "...");
	rt_buf_putc(out, '\n');
	rt_buf_putc(out, ' ');
	for (i = 0; i < width; i++)
		rt_buf_putc(out, ' ');
	rt_buf_puts(out, ws ? " |    " : " | ");
	/* Columns count bytes; the caret line counts terminal columns, so that
	 * it stays under the text when UTF-8 sequences precede or form it. */
	for (i = ws; i + 1 < p->col && i < we; i++)
		for (k = char_cols(line + i, we - i); k; k--)
			rt_buf_putc(out, ' ');
	if (color)
		rt_buf_puts(out, "\033[1;32m");
	rt_buf_putc(out, '^');
	for (k = start < we ? char_cols(line + start, we - start) : 1; k > 1; k--)
		rt_buf_putc(out, '~');
	ulen = p->len;
	if (ulen > 1 && start + ulen > we)
		ulen = we > start ? we - start : 1;
	for (i = 1; i < ulen; i++)
		for (k = char_cols(line + start + i, we - start - i); k; k--)
			rt_buf_putc(out, '~');
	if (color)
		rt_buf_puts(out, "\033[0m");
	rt_buf_putc(out, '\n');
	return out->failed ? -1 : 0;
}

/* Moves buf[0..n) into a new block of cap bytes and wipes the old one, which
 * may hold a secret key (realloc could leave it behind unwiped). */
static char *regrow(char *buf, size_t n, size_t cap)
{
	char *p = malloc(cap);

	if (p && n)
		memcpy(p, buf, n);
	if (buf)
		sodium_memzero(buf, n);
	free(buf);
	return p;
}

int cc_read_file(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	char *buf = NULL;
	size_t cap, n = 0;

	*text = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		err = -errno;
	else if (S_ISDIR(st.st_mode)) /* read(2) would say EISDIR, but only on Linux */
		err = -EISDIR;
	if (err) {
		close(fd);
		return err;
	}
	/* read(2) straight into the buffer the caller gets: no stdio buffer
	 * and no stack chunk keep a copy of the text (it may be a secret key
	 * given by mistake). A regular file's size is known, and one byte more
	 * lets the read that sees its end find room; a pipe grows. */
	cap = 4096;
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX / 4 &&
	    (size_t)st.st_size + 2 > cap)
		cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	while (buf) {
		ssize_t got;

		if (n + 1 == cap) {
			if (cap > SIZE_MAX / 2) {
				sodium_memzero(buf, n);
				free(buf);
				buf = NULL;
				break;
			}
			cap *= 2;
			buf = regrow(buf, n, cap);
			continue;
		}
		got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	if (err) {
		sodium_memzero(buf, n);
		free(buf);
		return err;
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}
