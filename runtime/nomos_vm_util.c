/* nomos_vm_util.c: helpers shared by the nomos-vm subcommands (see .h). */
#include "runtime/nomos_vm_util.h"

#include "runtime/nomos_vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

const char *nomos_vm_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "standard input";
}

int nomos_vm_read(const char *path, char **text, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", nomos_vm_input_name(path),
			strerror(errno));
		return -1;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fprintf(stderr, "nomos-vm: out of memory reading %s\n",
					nomos_vm_input_name(path));
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
		fprintf(stderr, "nomos-vm: cannot read %s: %s\n", nomos_vm_input_name(path),
			strerror(errno));
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

size_t nomos_vm_line_len(const char *line, size_t n)
{
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		n--;
	return n;
}

const char nomos_vm_common_usage[] =
	"  -i, --image IMAGE image (default $NOMOS_IMAGE, then ./bundle.nbc)\n"
	"  --trust FILE      trust store of accepted signing keys ($NOMOS_TRUST)\n"
	"  --state FILE      highest revision accepted so far ($NOMOS_STATE)\n"
	"  --allow-unsigned  accept an unsigned image (NOMOS_ALLOW_UNSIGNED=1)\n";

enum nomos_vm_opt nomos_vm_common_opt(int argc, char **argv, int *i, struct nomos_vm_opts *o,
				      void (*usage)(FILE *))
{
	const char *a = argv[*i];
	const char **slot = NULL;

	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		if (usage)
			usage(stdout);
		return NOMOS_VM_OPT_HELP;
	}
	if (!strcmp(a, "--allow-unsigned")) {
		o->allow_unsigned = 1;
		return NOMOS_VM_OPT_TAKEN;
	}
	if (!strcmp(a, "-i") || !strcmp(a, "--image"))
		slot = &o->image;
	else if (!strcmp(a, "--trust"))
		slot = &o->trust;
	else if (!strcmp(a, "--state"))
		slot = &o->state;
	else
		return NOMOS_VM_OPT_NONE;
	if (*i + 1 >= argc) {
		fprintf(stderr, "nomos-vm: %s needs a value\n", a);
		return NOMOS_VM_OPT_BAD;
	}
	*slot = argv[++*i];
	return NOMOS_VM_OPT_TAKEN;
}

enum nomos_vm_opt nomos_vm_format_opt(const char *cmd, int argc, char **argv, int *i, int *json)
{
	const char *v;

	if (!strncmp(argv[*i], "--format=", 9)) {
		v = argv[*i] + 9;
	} else if (!strcmp(argv[*i], "--format")) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "nomos-vm %s: --format needs a value (text or json)\n", cmd);
			return NOMOS_VM_OPT_BAD;
		}
		v = argv[++*i];
	} else {
		return NOMOS_VM_OPT_NONE;
	}
	if (strcmp(v, "text") && strcmp(v, "json")) {
		fprintf(stderr, "nomos-vm %s: --format is text or json, not '%s'\n", cmd, v);
		return NOMOS_VM_OPT_BAD;
	}
	*json = !strcmp(v, "json");
	return NOMOS_VM_OPT_TAKEN;
}

int nomos_vm_opt_exit(enum nomos_vm_opt co)
{
	return co == NOMOS_VM_OPT_HELP ? NOMOS_VM_EXIT_OK : NOMOS_VM_EXIT_USAGE;
}

static const char *opt_or_env(const char *opt, const char *env)
{
	const char *v;

	if (opt)
		return opt;
	v = getenv(env);
	return v && *v ? v : NULL;
}

enum nomos_verdict nomos_vm_open_check(const struct nomos_vm_opts *o, struct nomos_image **out,
				       struct nomos_vm_trust_info *info, char *err, size_t errlen)
{
	struct nomos_vm_trust_info dummy;
	struct nomos_image *img = NULL;
	struct nomos_trust *trust = NULL;
	struct nomos_check_opts co;
	const char *trust_path = opt_or_env(o->trust, "NOMOS_TRUST");
	const char *state_path = opt_or_env(o->state, "NOMOS_STATE");
	const char *au = getenv("NOMOS_ALLOW_UNSIGNED");
	enum nomos_verdict v;
	time_t now = time(NULL);

	*out = NULL;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	info->path = nomos_vm_image_path(o->image);
	if (nomos_image_open(info->path, NULL, &img, err, errlen))
		return NOMOS_VERDICT_INVALID;
	info->have_image = 1;
	info->is_signed = nomos_image_key_id(img, info->key_id);
	info->revision = nomos_image_revision(img);
	info->expires_at = nomos_image_expires_at(img);
	memset(&co, 0, sizeof co);
	co.allow_unsigned = o->allow_unsigned || (au && !strcmp(au, "1"));
	co.now = now < 0 ? 0 : (uint64_t)now;
	if (trust_path && nomos_trust_load(trust_path, &trust, err, errlen)) {
		v = NOMOS_VERDICT_INVALID;
		goto done;
	}
	co.trust = trust;
	if (state_path && nomos_state_read(state_path, &co.min_revision, err, errlen)) {
		v = NOMOS_VERDICT_INVALID;
		goto done;
	}
	v = nomos_image_check(img, &co, &info->flags, err, errlen);
	if (v != NOMOS_VERDICT_OK)
		goto done;
	if (info->flags & NOMOS_CHECK_UNCHECKED)
		fprintf(stderr, "nomos-vm: warning: %s is signed by key %s but no trust store was "
				"given; accepting it unchecked (--allow-unsigned)\n",
			info->path, info->key_id);
	/* Only a verified signature may move the rollback floor: an unsigned
	 * header could otherwise lock the node out of legitimate images. */
	if (state_path && (info->flags & NOMOS_CHECK_VERIFIED) &&
	    nomos_state_record(state_path, info->revision, err, errlen)) {
		v = NOMOS_VERDICT_INVALID;
		goto done;
	}
	snprintf(err, errlen, "ok");
	*out = img;
	img = NULL;
done:
	nomos_trust_free(trust);
	nomos_image_close(img);
	return v;
}

struct nomos_image *nomos_vm_open(const struct nomos_vm_opts *o, char *err, size_t errlen)
{
	struct nomos_image *img = NULL;

	if (nomos_vm_open_check(o, &img, NULL, err, errlen) != NOMOS_VERDICT_OK) {
		fprintf(stderr, "nomos-vm: %s\n", err);
		return NULL;
	}
	return img;
}
