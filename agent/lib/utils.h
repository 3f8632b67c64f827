/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_UTILS_H
#define LATWATCH_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct signalfd_siginfo;

#define LW_PROG		"latwatch"

/* Exit codes, a public contract: see "latwatch --help". */
enum lw_exit {
	LW_EXIT_OK	= 0,
	LW_EXIT_ERROR	= 1,
	LW_EXIT_USAGE	= 2,
	LW_EXIT_NOMOD	= 3,
	LW_EXIT_PERM	= 4,
};

/* Room for a one-line error message. */
#define LW_ERR_LEN	256

/* "2026-11-22T01:50:03.123456Z" and its NUL. */
#define LW_TIME_LEN	28

__attribute__((format(printf, 1, 2)))
void lw_err(const char *fmt, ...);

/*
 * A one-line message into err, for a caller to print: at most errlen
 * bytes, NUL included (nothing if errlen is 0). Returns -1, so that
 * "return lw_seterr(...)" fails the caller.
 */
__attribute__((format(printf, 3, 4)))
int lw_seterr(char *err, size_t errlen, const char *fmt, ...);

/* A value to quote in a message: cut at 60 bytes, "..." if cut. */
struct lw_shown {
	char s[64];
};

struct lw_shown lw_show(const char *v);

/*
 * Output to a stdio stream, and why it failed. stdio drops what it could
 * not write and keeps only an error flag; the errno is gone by the next
 * fflush(), which may then succeed. So: clear errno, print, lw_out_note().
 *
 * lw_flush(): 0, or the errno of the first write that failed, in it or
 * before (EPIPE: the reader of a pipe went away). A failure stays.
 */
struct lw_out {
	FILE *f;
	int err;	/* the errno of the first write that failed */
};

void lw_out_note(struct lw_out *o);
int lw_flush(struct lw_out *o);

/* Room for a signal's name or its sender. */
#define LW_SIGNAL_LEN	64

/* "SIGTERM"; buf holds "signal 40" for the signals latwatch does not name. */
const char *lw_signal_name(uint32_t signo, char buf[LW_SIGNAL_LEN]);
/*
 * Who sent a signal read from a signalfd: "from pid 123", "from the
 * kernel or the terminal", ...
 */
void lw_signal_sender(char buf[LW_SIGNAL_LEN],
		      const struct signalfd_siginfo *si);

/*
 * A descriptor poll() flagged with revents, and nothing to read: why, for
 * "the netlink socket %s" ("hung up (POLLHUP)", ...). soerr: the socket's
 * pending error (lw_sock_error()), 0 if none. False, and buf empty, if
 * revents has none of POLLERR, POLLHUP and POLLNVAL.
 */
bool lw_poll_why(char *buf, size_t len, short revents, int soerr);
/* SO_ERROR of fd, which clears it; 0 if none or fd is no socket. */
int lw_sock_error(int fd);

/* CLOCK_REALTIME and CLOCK_MONOTONIC in ns. */
uint64_t lw_now_ns(void);
uint64_t lw_mono_ns(void);
void lw_fmt_time(char buf[LW_TIME_LEN], uint64_t ts_ns);

#endif
