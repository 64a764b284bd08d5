/* test_canon.c: cmocka tests of the canonical JSON leaf writer (spec §4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_canon.h"

static void check_str(const char *in, size_t n, const char *want)
{
	struct rt_buf b;

	rt_buf_init(&b);
	assert_int_equal(rt_canon_string(&b, in, n), 0);
	rt_buf_cstr(&b);
	assert_string_equal(b.data, want);
	rt_buf_free(&b);
}

static void check_num(const char *in, int rc, const char *want)
{
	struct rt_buf b;

	rt_buf_init(&b);
	assert_int_equal(rt_canon_number(&b, in, strlen(in)), rc);
	if (rc == 0) {
		rt_buf_cstr(&b);
		assert_string_equal(b.data, want);
	}
	rt_buf_free(&b);
}

static void test_string_escapes(void **state)
{
	(void)state;
	check_str("plain", 5, "\"plain\"");
	check_str("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_str("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
	check_str("\x01\x1f", 2, "\"\\u0001\\u001f\"");
	check_str("<>&", 3, "\"\\u003c\\u003e\\u0026\"");
	check_str("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"");
	check_str("/\x7f", 2, "\"/\x7f\"");
	check_str("na\xc3\xafve \xe6\x96\x87", 10, "\"na\xc3\xafve \xe6\x96\x87\"");
	check_str("a\0b", 3, "\"a\\u0000b\"");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	check_str("\xff", 1, "\"\xef\xbf\xbd\"");
	check_str("\xc3", 1, "\"\xef\xbf\xbd\"");
	check_str("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	check_str("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void test_numbers(void **state)
{
	(void)state;
	check_num("1", 0, "1");
	check_num("-0", 0, "0");
	check_num("123456789012345678901234567890", 0, "123456789012345678901234567890");
	check_num("1.25", 0, "\"1.25\"");
	check_num("1.50", 0, "\"1.50\"");
	check_num("1E5", 0, "\"1E5\"");
	check_num("-0.0", 0, "\"-0.0\"");
	check_num("01", -2, NULL);
	check_num("1.", -2, NULL);
	check_num("+1", -2, NULL);
	check_num("", -2, NULL);
	check_num("1e", -2, NULL);
}

static void test_sha256(void **state)
{
	char hex[65];
	const char *v = "{\"a\":\"x\",\"b\":1,\"c\":[true,2]}";

	(void)state;
	rt_sha256_hex(v, strlen(v), hex);
	assert_string_equal(hex, "04ceb95b6eab660e1db5b4cf9e1d8ad320a4772a2a22775bb679d53daabd84f2");
	rt_sha256_hex("{}", 2, hex);
	assert_string_equal(hex, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

/* Every ASCII byte alone, against Go's encoding/json rules written out. */
static void test_ascii_bytes(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 0x80; c++) {
		char in = (char)c, want[16];
		struct rt_buf b;

		switch (c) {
		case '"': snprintf(want, sizeof want, "\"\\\"\""); break;
		case '\\': snprintf(want, sizeof want, "\"\\\\\""); break;
		case '\n': snprintf(want, sizeof want, "\"\\n\""); break;
		case '\r': snprintf(want, sizeof want, "\"\\r\""); break;
		case '\t': snprintf(want, sizeof want, "\"\\t\""); break;
		case '\b': snprintf(want, sizeof want, "\"\\b\""); break;
		case '\f': snprintf(want, sizeof want, "\"\\f\""); break;
		default:
			if (c < 0x20 || c == '<' || c == '>' || c == '&')
				snprintf(want, sizeof want, "\"\\u%04x\"", c);
			else
				snprintf(want, sizeof want, "\"%c\"", (int)c);
		}
		rt_buf_init(&b);
		assert_int_equal(rt_canon_string(&b, &in, 1), 0);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.data, want, b.len);
		rt_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_bytes),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_sha256),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
