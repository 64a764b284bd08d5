/* rt_image.c: opening images. Maps the file read-only (or copies bytes given
 * in memory), runs the structural verifier with the content hash, and hands
 * out an immutable nomos_image shared by every evaluating thread. */
#include "runtime/rt_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void rt_sha256_parts(const uint8_t *const *parts, const size_t *lens, size_t nparts,
		     uint8_t out[32])
{
	crypto_hash_sha256_state st;
	size_t i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < nparts; i++)
		crypto_hash_sha256_update(&st, parts[i], lens[i]);
	crypto_hash_sha256_final(&st, out);
}

/* path names the file in err (NULL for bytes given in memory). */
static int finish_open(struct nomos_image *img, const char *path, const uint8_t *bytes,
		       size_t len, const struct nomos_open_opts *opts, char *err, size_t errlen)
{
	char detail[256];
	enum vm_error e;
	uint32_t hlen;
	const uint8_t *h;

	e = vm_image_verify(bytes, len, opts && opts->skip_hash ? NULL : rt_sha256_parts, &img->vm,
			    detail, sizeof detail);
	if (e != VM_E_OK) {
		if (err && errlen)
			snprintf(err, errlen, "invalid image: %s%s%s (%s)", path ? path : "",
				 path ? ": " : "", vm_error_message(e), detail);
		return -(int)e;
	}
	h = vm_str(&img->vm, img->vm.sec[VM_SEC_META] + VM_META_HASH, &hlen);
	memcpy(img->bundle_hash, h, 64);
	img->bundle_hash[64] = '\0';
	return 0;
}

int nomos_image_open(const char *path, const struct nomos_open_opts *opts,
		     struct nomos_image **out, char *err, size_t errlen)
{
	struct nomos_image *img;
	struct stat st;
	void *map;
	int fd, rc;

	*out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -VM_E__COUNT;
	}
	/* O_NONBLOCK: a FIFO is refused below, not waited on for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot open image %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -VM_E_TRUNCATED;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)VM_HEADER_SIZE ||
	    (uint64_t)st.st_size > VM_MAX_FILE_SIZE) {
		if (!S_ISREG(st.st_mode))
			snprintf(err, errlen, "invalid image: %s: not a regular file", path);
		else
			snprintf(err, errlen, "invalid image: %s: %jd bytes, %s", path,
				 (intmax_t)st.st_size, st.st_size < (off_t)VM_HEADER_SIZE ?
				 "shorter than an image header" : "larger than an image may be");
		close(fd);
		return -VM_E_TRUNCATED;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "cannot map image %s: %s", path, strerror(errno));
		return -VM_E_TRUNCATED;
	}
	img = calloc(1, sizeof *img);
	if (!img) {
		munmap(map, (size_t)st.st_size);
		snprintf(err, errlen, "out of memory");
		return -VM_E__COUNT;
	}
	img->map = map;
	img->map_len = (size_t)st.st_size;
	rc = finish_open(img, path, map, img->map_len, opts, err, errlen);
	if (rc) {
		nomos_image_close(img);
		return rc;
	}
	*out = img;
	return 0;
}

int nomos_image_open_mem(const void *bytes, size_t len, const struct nomos_open_opts *opts,
			 struct nomos_image **out, char *err, size_t errlen)
{
	struct nomos_image *img;
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -VM_E__COUNT;
	}
	img = calloc(1, sizeof *img);
	if (!img || !(img->copy = malloc(len ? len : 1))) {
		free(img);
		snprintf(err, errlen, "out of memory");
		return -VM_E__COUNT;
	}
	if (len)
		memcpy(img->copy, bytes, len);
	rc = finish_open(img, NULL, img->copy, len, opts, err, errlen);
	if (rc) {
		nomos_image_close(img);
		return rc;
	}
	*out = img;
	return 0;
}

void nomos_image_close(struct nomos_image *img)
{
	if (!img)
		return;
	if (img->map)
		munmap(img->map, img->map_len);
	free(img->copy);
	free(img);
}

const char *nomos_image_bundle_hash(const struct nomos_image *img)
{
	return img->bundle_hash;
}

uint32_t nomos_image_rule_count(const struct nomos_image *img)
{
	return img->vm.n_rules;
}

uint64_t nomos_image_revision(const struct nomos_image *img)
{
	return img->vm.revision;
}

uint64_t nomos_image_expires_at(const struct nomos_image *img)
{
	return img->vm.expires_at;
}

const uint8_t *nomos_image_bytes(const struct nomos_image *img, size_t *len)
{
	*len = img->vm.size;
	return img->vm.base;
}
