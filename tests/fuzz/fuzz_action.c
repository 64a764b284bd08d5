/* fuzz_action.c: libFuzzer target over action intake. The input is decoded as
 * an action (rt_action_decode) and, separately, normalized as a raw resource
 * (first byte picks the action type). Invariants checked on every success:
 * normalized resources hold no backslash or control byte and (file/url/custom) no "." or ".."
 * segment or encoded separator, params_hash is the hash of params, decoding
 * is deterministic across a reused context, the fast path for plain
 * resources agrees with the full net/url rendition. Any violation aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_action.h"
#include "runtime/rt_normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_resource(const char *s, size_t n)
{
	size_t i, st, hs;

	if (memchr(s, '\\', n))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort(); /* raw ones fail to parse, decoded ones are refused */
	if ((n >= 7 && memcmp(s, "repo://", 7) == 0) || (n >= 9 && memcmp(s, "secret://", 9) == 0))
		return;
	for (i = 0; i + 3 <= n; i++)
		if (s[i] == '%' && ((s[i + 1] == '2' && (s[i + 2] | 0x20) == 'f') ||
				    (s[i + 1] == '5' && (s[i + 2] | 0x20) == 'c')))
			abort();
	{
		const char *p = memchr(s, ':', n);

		if (!p || (size_t)(p - s) + 3 > n || p[1] != '/' || p[2] != '/')
			abort();
		hs = (size_t)(p - s) + 3;
	}
	while (hs < n && s[hs] != '/')
		hs++;
	if (hs == n)
		abort(); /* every normalized resource has a path */
	for (st = hs + 1, i = hs + 1; i <= n; i++) {
		if (i == n || s[i] == '/') {
			size_t len = i - st;

			if ((len == 1 && s[st] == '.') || (len == 2 && s[st] == '.' && s[st + 1] == '.'))
				abort();
			st = i + 1;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { NULL, "fs.read", "net.http_request", "payments.refund", "mcp.call" };
	static struct rt_action_ctx ctx;
	static int init;
	struct rt_action a;
	struct rt_action_error err;
	struct rt_buf out;
	char msg[RT_NORMALIZE_ERRMAX], hex[65];
	int rc, rc2;

	if (!init) {
		rt_action_ctx_init(&ctx);
		init = 1;
	}
	rc = rt_action_decode(&ctx, (const char *)data, size, &a, &err);
	if (rc == 0) {
		char *params = malloc(a.params_len + 1);
		char *res = malloc(a.resource.len + 1);
		size_t plen = a.params_len, rlen = a.resource.len;

		if (!params || !res)
			abort();
		check_resource(a.resource.ptr, a.resource.len);
		rt_sha256_hex(a.params, a.params_len, hex);
		if (strcmp(hex, rt_action_params_hash(&a)) != 0)
			abort();
		if (a.argv_ok && a.argc == 0)
			abort();
		memcpy(params, a.params, plen);
		memcpy(res, a.resource.ptr, rlen);
		/* same input, reused context: same result */
		rc2 = rt_action_decode(&ctx, (const char *)data, size, &a, &err);
		if (rc2 != 0 || a.params_len != plen || memcmp(a.params, params, plen) != 0 ||
		    a.resource.len != rlen || memcmp(a.resource.ptr, res, rlen) != 0)
			abort();
		free(params);
		free(res);
	} else {
		if (err.cls == RT_ACTION_ERR_NONE || err.message[0] == '\0' ||
		    (err.cls == RT_ACTION_ERR_NORMALIZATION) != (strcmp(err.stage, "normalize action") == 0))
			abort();
	}

	if (size > 0) {
		const char *type = types[data[0] % 5];

		rt_buf_init(&out);
		rc = rt_normalize_resource(type, type ? strlen(type) : 0, (const char *)data + 1, size - 1,
					   &out, msg, sizeof msg);
		if (rc == RT_NORMALIZE_OK)
			check_resource(out.data, out.len);
		else if (rc != RT_NORMALIZE_EINVALID || msg[0] == '\0')
			abort();
		{
			/* the fast path for plain resources agrees with the full rendition */
			struct rt_buf full;
			char msg2[RT_NORMALIZE_ERRMAX];

			rt_buf_init(&full);
			rc2 = rt_normalize_resource_full(type, type ? strlen(type) : 0,
							 (const char *)data + 1, size - 1, &full, msg2,
							 sizeof msg2);
			if (rc2 != rc || (rc == 0 && (full.len != out.len ||
						      (out.len && memcmp(full.data, out.data, out.len)))) ||
			    (rc != 0 && strcmp(msg, msg2) != 0))
				abort();
			rt_buf_free(&full);
		}
		rt_buf_free(&out);
	}
	return 0;
}
