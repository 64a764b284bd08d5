/* test_threads.c: one image, many threads. Each thread evaluates every
 * conformance action with its own nomos_eval on the shared image and must get
 * exactly the single-threaded results. `make tsan` runs this under
 * ThreadSanitizer, which reports any data race on the shared image. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "runtime/nomos.h"
#include "tests/support/ts_compile.h"

#define NTHREADS 4
#define ROUNDS 50
#define MAXACT 128

struct shared {
	struct nomos_image *img;
	char *act[MAXACT];
	size_t len[MAXACT];
	char *want[MAXACT];
	size_t n;
	int failures;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct shared *s = arg;
	struct nomos_eval *ev = nomos_eval_new(s->img, NOMOS_EVAL_TRACE);
	size_t r, i;
	int bad = 0;

	if (!ev)
		return NULL;
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < s->n; i++) {
			nomos_eval_json(ev, s->act[i], s->len[i]);
			bad += strcmp(nomos_eval_result_json(ev, NULL), s->want[i]) != 0;
			if (r == 0)
				bad += nomos_eval_explain(ev, NOMOS_EXPLAIN_JSON, 0, NULL) == NULL;
		}
	nomos_eval_free(ev);
	pthread_mutex_lock(&s->lock);
	s->failures += bad;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_threads(void **state)
{
	static const char *const bundle = "corpus/conformance/bundles/engine-mix.yaml";
	struct shared s;
	pthread_t th[NTHREADS];
	struct nomos_eval *ev;
	DIR *d = opendir("corpus/conformance/actions");
	struct dirent *e;
	char *names[MAXACT], path[512];
	size_t n = 0, i;

	(void)state;
	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.lock, NULL);
	s.img = ts_compile(&bundle, 1, 0, NULL);
	assert_non_null(s.img);
	assert_non_null(d);
	while ((e = readdir(d)) && n < MAXACT)
		if (strstr(e->d_name, ".json"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	ev = nomos_eval_new(s.img, 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "corpus/conformance/actions/%s", names[i]);
		s.act[i] = ts_slurp(path, &s.len[i]);
		assert_non_null(s.act[i]);
		nomos_eval_json(ev, s.act[i], s.len[i]);
		s.want[i] = strdup(nomos_eval_result_json(ev, NULL));
		free(names[i]);
	}
	s.n = n;
	nomos_eval_free(ev);
	assert_true(n >= 50);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &s), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	fprintf(stderr, "threads: %d threads x %d rounds x %zu actions, %d mismatches\n", NTHREADS,
		ROUNDS, n, s.failures);
	assert_int_equal(s.failures, 0);
	for (i = 0; i < n; i++) {
		free(s.act[i]);
		free(s.want[i]);
	}
	nomos_image_close(s.img);
	pthread_mutex_destroy(&s.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
