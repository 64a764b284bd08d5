/* replay_main.c: a main() for the libFuzzer targets without libFuzzer, so that
 * `make test` builds every target with the project's compiler and warnings and
 * runs it over its seed corpus (corpus/fuzz/NAME/, regression inputs included).
 * Arguments are files or directories (one level, sorted order is not needed:
 * each input is independent). A target reports a bug by aborting. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the target on one file; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -1;
	for (;;) {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap ? cap * 2 : 4096);

			if (!p) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = p;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	size_t runs = 0;
	int i;

	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		const struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: cannot stat %s\n", argv[0], argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i])) {
				fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
				return 1;
			}
			runs++;
			continue;
		}
		if (!(d = opendir(argv[i]))) {
			fprintf(stderr, "%s: cannot open %s\n", argv[0], argv[i]);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			if (replay_file(path)) {
				fprintf(stderr, "%s: cannot read %s\n", argv[0], path);
				closedir(d);
				return 1;
			}
			runs++;
		}
		closedir(d);
	}
	printf("%zu inputs replayed\n", runs);
	return runs ? 0 : 1;
}
