// SPDX-License-Identifier: GPL-2.0
#include "testutil.h"
#include "lib/jsonw.h"

static char *escape(const char *s, size_t len)
{
	struct capture c;

	cap_open(&c);
	jw_escape(c.f, s, len);
	return (char *)cap_close(&c);
}

static void assert_escape(const char *in, size_t len, const char *want)
{
	char *got = escape(in, len);

	if (strcmp(got, want))
		fail_msg("escape: got '%s', want '%s'", got, want);
	free(got);
}

/* What a lone byte must become, written independently of the escaper. */
static void expected_byte(unsigned int b, char *want, size_t size)
{
	static const char *named[] = { ['\n'] = "\\n", ['\t'] = "\\t",
				       ['\r'] = "\\r", ['"'] = "\\\"",
				       ['\\'] = "\\\\" };

	if (b < sizeof(named) / sizeof(named[0]) && named[b])
		snprintf(want, size, "%s", named[b]);
	else if (b < 0x20 || b == 0x7f)
		snprintf(want, size, "\\u%04x", b);
	else if (b < 0x80)
		snprintf(want, size, "%c", b);
	else
		snprintf(want, size, "\\ufffd");
}

static void test_every_byte(void **state)
{
	char want[16], in[1];
	unsigned int b;

	(void)state;
	for (b = 0; b < 256; b++) {
		in[0] = (char)b;
		expected_byte(b, want, sizeof(want));
		assert_escape(in, 1, want);
	}
}

/*
 * Every byte at every place of strings around the 8 bytes the escaper
 * looks at at once; and UTF-8 across those words.
 */
static void test_every_byte_in_words(void **state)
{
	static const size_t lens[] = { 7, 8, 9, 15, 16, 17, 23 };
	char in[32], want[64], one[16];
	size_t l, k;
	unsigned int b;

	(void)state;
	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		for (k = 0; k < lens[l]; k++) {
			for (b = 0; b < 256; b++) {
				memset(in, 'a', lens[l]);
				in[k] = (char)b;
				expected_byte(b, one, sizeof(one));
				snprintf(want, sizeof(want), "%.*s%s%.*s",
					 (int)k, in, one,
					 (int)(lens[l] - k - 1), in + k + 1);
				assert_escape(in, lens[l], want);
			}
		}
	}
	for (k = 0; k < 16; k++) {
		memset(in, 'a', 20);
		memcpy(in + k, "\xe2\x82\xac", 3);
		in[20] = '\0';
		assert_escape(in, 20, in);
	}
}

static void test_utf8_kept(void **state)
{
	(void)state;
	assert_escape("caf\xc3\xa9", 5, "caf\xc3\xa9");
	assert_escape("\xe2\x82\xac", 3, "\xe2\x82\xac");
	assert_escape("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");
	assert_escape("\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf");
	assert_escape("\xc2\x80", 2, "\xc2\x80");
	assert_escape("\xef\xbf\xbd", 3, "\xef\xbf\xbd");
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	/* overlong */
	assert_escape("\xc0\x80", 2, "\\ufffd\\ufffd");
	assert_escape("\xc1\xbf", 2, "\\ufffd\\ufffd");
	assert_escape("\xe0\x80\x80", 3, "\\ufffd\\ufffd\\ufffd");
	assert_escape("\xf0\x80\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd");
	/* surrogate, above U+10FFFF, never valid */
	assert_escape("\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd");
	assert_escape("\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd");
	assert_escape("\xf5\x80", 2, "\\ufffd\\ufffd");
	/* truncated, then an ASCII byte */
	assert_escape("\xe2\x82", 2, "\\ufffd\\ufffd");
	assert_escape("\xe2\x82x", 3, "\\ufffd\\ufffdx");
	assert_escape("\xf0\x9f\x98", 3, "\\ufffd\\ufffd\\ufffd");
	/* a lone continuation byte between valid characters */
	assert_escape("a\x80\xc3\xa9", 4, "a\\ufffd\xc3\xa9");
}

static void test_embedded_nul(void **state)
{
	(void)state;
	assert_escape("a\0b", 3, "a\\u0000b");
	assert_escape("", 0, "");
}

/* Every string of two bytes makes a valid JSON document. */
static void test_all_pairs_valid(void **state)
{
	struct capture c;
	struct jw j;
	char in[2];
	unsigned int a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		cap_open(&c);
		jw_init(&j, c.f);
		jw_arr_open(&j);
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			jw_strn(&j, in, 2);
		}
		jw_arr_close(&j);
		cap_close(&c);
		if (!json_check(c.buf, c.len))
			fail_msg("invalid JSON for first byte 0x%02x", a);
		cap_free(&c);
	}
}

static bool check(const char *s)
{
	return json_check(s, strlen(s));
}

static void test_checker_rejects(void **state)
{
	(void)state;
	/* The checker must be able to say no, or the tests above prove nothing. */
	assert_false(check("\"\x01\""));
	assert_false(check("\"\xff\""));
	assert_false(check("\"\xc0\x80\""));
	assert_false(check("\"\xed\xa0\x80\""));
	assert_false(check("\"\\x41\""));
	assert_false(check("{\"a\":1,}"));
	assert_false(check("[1 2]"));
	assert_true(check("{\"a\":[1,-2.5e3,true,null,\"\\u00e9\"]}"));
}

static void test_writer(void **state)
{
	struct capture c;
	struct jw j;

	(void)state;
	cap_open(&c);
	jw_init(&j, c.f);
	jw_obj_open(&j);
	jw_kv_str(&j, "a", "x\"y");
	jw_key(&j, "b");
	jw_arr_open(&j);
	jw_u64(&j, 1);
	jw_str(&j, "two");
	jw_obj_open(&j);
	jw_obj_close(&j);
	jw_arr_open(&j);
	jw_arr_close(&j);
	jw_arr_close(&j);
	jw_key(&j, "c");
	jw_bool(&j, true);
	jw_key(&j, "d");
	jw_bool(&j, false);
	jw_kv_u64(&j, "e", UINT64_MAX);
	jw_obj_close(&j);
	cap_close(&c);
	assert_string_equal(c.buf, "{\"a\":\"x\\\"y\",\"b\":[1,\"two\",{},[]],"
			    "\"c\":true,\"d\":false,\"e\":18446744073709551615}");
	cap_free(&c);
}

/* For "make check": lines for jq, each byte in a string and in a key. */
static void emit(void)
{
	struct jw j;
	char in[4] = "x?y";
	unsigned int b;

	for (b = 0; b < 256; b++) {
		in[1] = (char)b;
		jw_init(&j, stdout);
		jw_obj_open(&j);
		jw_kv_u64(&j, "byte", b);
		jw_key(&j, "s");
		jw_strn(&j, in, 3);
		jw_key(&j, in);
		jw_strn(&j, in + 1, 1);
		jw_obj_close(&j);
		putchar('\n');
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_every_byte_in_words),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_checker_rejects),
		cmocka_unit_test(test_all_pairs_valid),
		cmocka_unit_test(test_writer),
	};

	if (argc == 2 && !strcmp(argv[1], "--emit")) {
		emit();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
