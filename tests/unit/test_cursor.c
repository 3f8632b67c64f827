// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/utils.h"
#include "source/cursor.h"

static const char line[] =
	"latwatch-cursor 1 00000000deadbeef 00000000000000000042\n";

static void test_format_parse(void **state)
{
	struct lw_cursor c = { 0xfedcba9876543210ULL, UINT64_MAX }, d;
	char buf[LW_CURSOR_LEN + 1];

	(void)state;
	lw_cursor_format(buf, &c);
	assert_int_equal(strlen(buf), LW_CURSOR_LEN);
	assert_string_equal(buf,
			    "latwatch-cursor 1 fedcba9876543210 18446744073709551615\n");
	assert_int_equal(lw_cursor_parse(buf, strlen(buf), &d), 0);
	assert_true(d.instance == c.instance && d.seq == c.seq);

	assert_int_equal(lw_cursor_parse(line, strlen(line), &d), 0);
	assert_true(d.instance == 0xdeadbeef && d.seq == 42);
}

static void bad(const char *s)
{
	struct lw_cursor d = { 7, 7 };

	if (lw_cursor_parse(s, strlen(s), &d) != -EINVAL)
		fail_msg("'%s' was accepted", s);
	assert_true(d.instance == 7 && d.seq == 7);
}

static void test_bad(void **state)
{
	(void)state;
	bad("");
	bad("latwatch-cursor 1 00000000deadbeef 00000000000000000042");
	bad("latwatch-cursor 1 00000000deadbeef 00000000000000000042\n\n");
	bad("latwatch-cursor 2 00000000deadbeef 00000000000000000042\n");
	bad("latwatch-cursor 1 00000000DEADBEEF 00000000000000000042\n");
	bad("latwatch-cursor 1 00000000deadbeeg 00000000000000000042\n");
	bad("latwatch-cursor 1 00000000deadbeef -0000000000000000042\n");
	bad("latwatch-cursor 1 00000000deadbeef 0000000000000000004x\n");
	bad("latwatch-cursor 1 00000000deadbeef_00000000000000000042\n");
	/* 2^64 does not fit */
	bad("latwatch-cursor 1 00000000deadbeef 18446744073709551616\n");
	/* instance 0 is no instance */
	bad("latwatch-cursor 1 0000000000000000 00000000000000000042\n");
	bad("LATWATCH-cursor 1 00000000deadbeef 00000000000000000042\n");
}

static void test_after(void **state)
{
	struct lw_cursor c = { 5, 100 }, none = { 0, 0 };

	(void)state;
	assert_int_equal(lw_cursor_after(&c, 5), 100);
	/* the module was loaded again: all it kept is new */
	assert_int_equal(lw_cursor_after(&c, 6), 0);
	/* nothing printed yet: all it kept */
	assert_int_equal(lw_cursor_after(&none, 5), 0);
}

static char *tmpdir(void)
{
	char *d = strdup("/tmp/lwcursorXXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void test_file(void **state)
{
	struct lw_cursor c = { 0 }, want = { 0x1234, 99 };
	char *dir = tmpdir(), path[256], err[LW_ERR_LEN];
	int fd;

	(void)state;
	/* the directory is made, the file created, no cursor yet */
	snprintf(path, sizeof(path), "%s/state/agent.cursor", dir);
	c = (struct lw_cursor){ 7, 7 };
	fd = lw_cursor_open(path, &c, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(c.instance == 0 && c.seq == 0);
	assert_int_equal(lw_cursor_save(fd, &want), 0);
	want.seq = 100;
	assert_int_equal(lw_cursor_save(fd, &want), 0);
	close(fd);

	fd = lw_cursor_open(path, &c, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(c.instance == 0x1234 && c.seq == 100);
	close(fd);

	/* NUL bytes only: what a crash may leave, no cursor yet */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "\0\0\0\0", 4), 4);
	close(fd);
	c = (struct lw_cursor){ 7, 7 };
	fd = lw_cursor_open(path, &c, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(c.instance == 0 && c.seq == 0);
	close(fd);

	/* anything else is left alone */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "important\n", 10), 10);
	close(fd);
	assert_int_equal(lw_cursor_open(path, &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a latwatch cursor file"));
	assert_non_null(strstr(err, path));
	fd = open(path, O_RDONLY);
	{
		char back[16] = "";

		assert_int_equal(read(fd, back, sizeof(back)), 10);
		assert_memory_equal(back, "important\n", 10);
	}
	close(fd);
	unlink(path);

	/* every missing directory is made, like mkdir -p */
	snprintf(path, sizeof(path), "%s/var/lib/latwatch/x.cursor", dir);
	fd = lw_cursor_open(path, &c, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(c.instance == 0 && c.seq == 0);
	close(fd);
	unlink(path);

	/* a directory that cannot be made: a file is in the way */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/file/dir/x.cursor", dir);
	assert_int_equal(lw_cursor_open(path, &c, err, sizeof(err)),
			 -ENOTDIR);
	assert_non_null(strstr(err, "Not a directory"));

	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/var/lib/latwatch", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/var/lib", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/var", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/state", dir);
	rmdir(path);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_after),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
