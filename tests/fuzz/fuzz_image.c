/* fuzz_image.c: libFuzzer target over image bytes. The content hash is skipped
 * so that mutations reach the structural verifier; whatever it accepts is then
 * evaluated against a few actions and explained. Nothing may crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runtime/nomos.h"

static const char *const actions[] = {
	"{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"fs.read\","
	"\"resource\":\"file://workspace/.env\",\"params\":{},\"principal\":\"system\","
	"\"agent\":\"nomos\",\"environment\":\"dev\",\"trace_id\":\"t\"}",
	"{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"process.exec\","
	"\"resource\":\"file://workspace/\",\"params\":{\"argv\":[\"git\",\"push\",\"origin\",\"main\"]},"
	"\"principal\":\"alice\",\"agent\":\"codex\",\"environment\":\"prod\",\"trace_id\":\"t\"}",
	"{\"schema_version\":\"v1\",\"action_id\":\"a\",\"action_type\":\"net.http_request\","
	"\"resource\":\"url://api.example.com/v1\",\"params\":{},\"principal\":\"svc1\","
	"\"agent\":\"nomos\",\"environment\":\"prod\",\"trace_id\":\"t\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nomos_open_opts opts = { .skip_hash = 1 };
	struct nomos_image *img = NULL;
	struct nomos_eval *ev;
	char err[256];
	size_t i;

	if (nomos_image_open_mem(data, size, &opts, &img, err, sizeof err))
		return 0;
	ev = nomos_eval_new(img, NOMOS_EVAL_TRACE);
	if (ev) {
		for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
			nomos_eval_json(ev, actions[i], strlen(actions[i]));
			(void)nomos_eval_result_json(ev, NULL);
			(void)nomos_eval_explain(ev, NOMOS_EXPLAIN_JSON, 0, NULL);
		}
		nomos_eval_free(ev);
	}
	nomos_image_close(img);
	return 0;
}
