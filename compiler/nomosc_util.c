/* nomosc_util.c: helpers shared by the nomosc subcommands (see .h). */
#include "compiler/nomosc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nomosc_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if ((nc && *nc) || (term && !strcmp(term, "dumb")))
		return 0;
	return isatty(fd);
}

static void emit_stderr(void *ctx, const struct cc_diagnostic *d)
{
	struct rt_buf b;

	(void)ctx;
	rt_buf_init(&b);
	if (cc_diag_render(d, &b, nomosc_color(2)) == 0)
		fwrite(b.data, 1, b.len, stderr);
	rt_buf_free(&b);
}

void nomosc_stderr_sink(struct cc_diag_sink *sink, unsigned max_errors)
{
	memset(sink, 0, sizeof *sink);
	sink->emit = emit_stderr;
	sink->max_errors = max_errors;
}

void nomosc_sink_done(const struct cc_diag_sink *sink)
{
	if (sink->max_errors && sink->errors > sink->max_errors)
		fprintf(stderr, "nomosc: %u more errors not shown\n",
			sink->errors - sink->max_errors);
}

/* write(2) until all of p[0..n) is written; 0, or -1 with errno set. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t got = write(fd, c, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		c += got;
		n -= (size_t)got;
	}
	return 0;
}

int nomosc_write_atomic(const char *path, const void *p, size_t n)
{
	struct stat st;
	int exists = stat(path, &st) == 0, fd, saved;
	size_t len = strlen(path) + 8;
	char *tmp;
	mode_t mode, mask;

	if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		/* renaming over /dev/null would replace the device with a file */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (write_all(fd, p, n)) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		return close(fd);
	}
	if (exists) {
		mode = st.st_mode & 07777;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	tmp = malloc(len);
	if (!tmp)
		return -1;
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	if (write_all(fd, p, n) || fchmod(fd, mode)) {
		saved = errno;
		close(fd);
	} else if (close(fd)) {
		saved = errno;
	} else if (rename(tmp, path)) {
		saved = errno;
	} else {
		free(tmp);
		return 0;
	}
	unlink(tmp);
	free(tmp);
	errno = saved;
	return -1;
}

int nomosc_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}
