// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the files of a snapshot (snapshots.h): small ones whole, long
 * ones a line at a time, and those read at every sample kept open
 * between samples and read again from their start with pread(). For
 * seq_file (procfs) and sysfs files a read at offset 0 makes the text
 * anew, so an open file gives fresh counters each time for a system call
 * where opening, reading and closing took three, each resolving its path.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "source/snap_internal.h"

/* The read buffer to start with: most files fit in one read. */
#define LW_RBUF_MIN		(16u << 10)

bool lw_snap_path(const struct lw_snapshots *s, char *buf, const char *rel)
{
	int n = snprintf(buf, LW_PATH_LEN, "%s%s", s->root, rel);

	return n > 0 && n < LW_PATH_LEN;
}

void lw_kf_init(struct lw_kfile *f, const char *rel)
{
	f->rel = rel;
	f->fd = -1;
}

void lw_kf_close(struct lw_kfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static bool lw_kf_open(const struct lw_snapshots *s, struct lw_kfile *f)
{
	char path[LW_PATH_LEN];

	if (f->fd >= 0)
		return true;
	if (!lw_snap_path(s, path, f->rel))
		return false;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	return f->fd >= 0;
}

ssize_t lw_snap_pread_small(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r = 0;

	while (n + 1 < len) {
		r = pread(fd, buf + n, len - 1 - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		/*
		 * sysfs and procfs hand over all of a small file at once:
		 * a short read of whole lines is all there is, and saves
		 * asking again only to be told so.
		 */
		if (n + 1 < len && buf[n - 1] == '\n')
			break;
	}
	if (r < 0)
		return -1;
	buf[n] = '\0';
	return (ssize_t)n;
}

ssize_t lw_snap_read_small_at(int dirfd, const char *path, char *buf,
			      size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = lw_snap_pread_small(fd, buf, len);
	close(fd);
	return n;
}

/*
 * A kernel file that fails or reads empty may be one that went away: it
 * is opened again once, then left closed until the next sample.
 */
ssize_t lw_kf_small(struct lw_snapshots *s, struct lw_kfile *f, char *buf,
		    size_t len)
{
	ssize_t n = -1;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!lw_kf_open(s, f))
			return -1;
		n = lw_snap_pread_small(f->fd, buf, len);
		if (n > 0)
			return n;
		lw_kf_close(f);
	}
	return n;
}

/* A larger read buffer; false if it is as large as it may be. */
static bool lw_rbuf_grow(struct lw_snapshots *s)
{
	size_t cap = s->rbuf_cap ? s->rbuf_cap * 2 : LW_RBUF_MIN;
	char *b;

	if (cap > LW_SNAP_LINE_MAX + 1)
		return false;
	b = realloc(s->rbuf, cap);
	if (!b)
		return false;
	s->rbuf = b;
	s->rbuf_cap = cap;
	return true;
}

/*
 * Pass the complete lines of s->rbuf[0, end) to fn, *skip dropping the
 * first (the rest of a line too long to keep); the offset of what is
 * left, or -1 if fn said stop.
 */
static ssize_t lw_lines_in(struct lw_snapshots *s, size_t end, bool *skip,
			   lw_line_fn fn, void *arg)
{
	char *p = s->rbuf, *nl;

	while ((nl = memchr(p, '\n', (size_t)(s->rbuf + end - p)))) {
		*nl = '\0';
		if (!*skip && !fn(s, p, arg))
			return -1;
		*skip = false;
		p = nl + 1;
	}
	return p - s->rbuf;
}

int lw_snap_fd_lines(struct lw_snapshots *s, int fd, lw_line_fn fn,
		     void *arg)
{
	size_t have = 0, want;
	bool skip = false, eof = false;
	ssize_t r, done;
	off_t off = 0;

	if (!s->rbuf && !lw_rbuf_grow(s))
		return -1;
	while (!eof) {
		if (have + 1 == s->rbuf_cap && !lw_rbuf_grow(s)) {
			/* a line longer than LW_SNAP_LINE_MAX: skip it */
			skip = true;
			have = 0;
		}
		want = s->rbuf_cap - 1 - have;
		r = pread(fd, s->rbuf + have, want, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 && !off)
			return -1;
		if (r < 0)
			r = 0;
		off += r;
		have += (size_t)r;
		s->rbuf[have] = '\0';
		/* as in lw_snap_pread_small(): a short read of lines is all */
		eof = !r || ((size_t)r < want && s->rbuf[have - 1] == '\n');
		done = lw_lines_in(s, have, &skip, fn, arg);
		if (done < 0)
			return 0;
		have -= (size_t)done;
		memmove(s->rbuf, s->rbuf + done, have + 1);
	}
	/* a last line without its newline */
	if (have && !skip)
		fn(s, s->rbuf, arg);
	return 0;
}

bool lw_kf_lines(struct lw_snapshots *s, struct lw_kfile *f, lw_line_fn fn,
		 void *arg)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!lw_kf_open(s, f))
			return false;
		if (!lw_snap_fd_lines(s, f->fd, fn, arg))
			return true;
		lw_kf_close(f);
	}
	return false;
}

bool lw_snap_parse_dec(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return true;
}

bool lw_snap_parse_u64(const char *buf, uint64_t *v)
{
	const char *p = buf;

	if (!lw_snap_parse_dec(&p, v))
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || (*p == '\n' && p[1] == '\0');
}

bool lw_snap_read_u64_at(int dirfd, const char *path, uint64_t *v)
{
	char buf[LW_SMALL_LEN];

	return lw_snap_read_small_at(dirfd, path, buf, sizeof(buf)) > 0 &&
	       lw_snap_parse_u64(buf, v);
}

/*
 * systemd gives services a soft limit of 1024 by default: room for the
 * files of about 150 interfaces next to the rest of the agent.
 */
unsigned int lw_snap_kept_max(void)
{
	struct rlimit rl;
	rlim_t n = LW_SNAP_KEPT_MAX;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > LW_SNAP_FD_SPARE ?
			rl.rlim_cur - LW_SNAP_FD_SPARE : 0;
	return n < LW_SNAP_KEPT_MAX ? (unsigned int)n : LW_SNAP_KEPT_MAX;
}
