// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/cursor.h"

#define LW_CURSOR_MAGIC	"latwatch-cursor 1 "

void lw_cursor_format(char buf[LW_CURSOR_LEN + 1], const struct lw_cursor *c)
{
	snprintf(buf, LW_CURSOR_LEN + 1, LW_CURSOR_MAGIC "%016" PRIx64
		 " %020" PRIu64 "\n", c->instance, c->seq);
}

static int lw_digits(const char *p, size_t n, unsigned int base,
		     uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int d;

		if (p[i] >= '0' && p[i] <= '9')
			d = (unsigned int)(p[i] - '0');
		else if (base == 16 && p[i] >= 'a' && p[i] <= 'f')
			d = (unsigned int)(p[i] - 'a' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int lw_cursor_parse(const char *buf, size_t len, struct lw_cursor *c)
{
	const size_t m = sizeof(LW_CURSOR_MAGIC) - 1;
	struct lw_cursor t;

	if (len != LW_CURSOR_LEN || memcmp(buf, LW_CURSOR_MAGIC, m) ||
	    buf[m + 16] != ' ' || buf[LW_CURSOR_LEN - 1] != '\n' ||
	    lw_digits(buf + m, 16, 16, &t.instance) ||
	    lw_digits(buf + m + 17, 20, 10, &t.seq) || !t.instance)
		return -EINVAL;
	*c = t;
	return 0;
}

/*
 * The directories of path that are missing, like mkdir -p: a state
 * directory such as /var/lib/latwatch may not exist yet on a host where
 * nothing installed it, nor may /var/lib in a minimal system.
 */
static void lw_cursor_mkdir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t i, n;

	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return;
	n = (size_t)(slash - path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	for (i = 1; i <= n; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return;
		if (i < n)
			dir[i] = '/';
	}
}

/* What a crash between growing a file and writing it may leave. */
static bool lw_all_zero(const char *p, size_t n)
{
	while (n && !p[n - 1])
		n--;
	return !n;
}

int lw_cursor_open(const char *path, struct lw_cursor *c, char *err,
		   size_t errlen)
{
	char buf[LW_CURSOR_LEN + 1];
	ssize_t n;
	int fd;

	*c = (struct lw_cursor){ 0 };
	err[0] = '\0';
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		lw_cursor_mkdir(path);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	if (n == 0 || lw_all_zero(buf, (size_t)n))
		return fd;	/* new, or never written before a crash */
	if (lw_cursor_parse(buf, (size_t)n, c)) {
		snprintf(err, errlen,
			 "%s: not a latwatch cursor file (leaving it alone)",
			 path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int lw_cursor_save(int fd, const struct lw_cursor *c)
{
	char buf[LW_CURSOR_LEN + 1];
	ssize_t n;

	lw_cursor_format(buf, c);
	n = pwrite(fd, buf, LW_CURSOR_LEN, 0);
	if (n < 0)
		return -errno;
	return n == LW_CURSOR_LEN ? 0 : -EIO;
}

uint64_t lw_cursor_after(const struct lw_cursor *c, uint64_t instance)
{
	return c->instance == instance ? c->seq : 0;
}
