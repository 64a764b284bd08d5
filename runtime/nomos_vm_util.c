/* nomos_vm_util.c: helpers shared by the nomos-vm subcommands (see .h). */
#include "runtime/nomos_vm_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *nomos_vm_image_path(const char *explicit_path)
{
	const char *env = getenv("NOMOS_IMAGE");

	if (explicit_path)
		return explicit_path;
	if (env && *env)
		return env;
	return "bundle.nbc";
}

int nomos_vm_read(const char *path, char **text, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fprintf(stderr, "nomos-vm: out of memory reading %s\n", path);
				if (f != stdin)
					fclose(f);
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", path, strerror(errno));
		free(buf);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int nomos_vm_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

struct nomos_image *nomos_vm_open(const char *path, char *err, size_t errlen)
{
	struct nomos_image *img = NULL;

	if (nomos_image_open(path, NULL, &img, err, errlen)) {
		fprintf(stderr, "nomos-vm: %s\n", err);
		return NULL;
	}
	return img;
}
