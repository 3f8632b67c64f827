// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/utils.h"

/* One line on stderr, prefixed with the program name. */
/*
 * One line, one write: stderr is unbuffered, and programs that share it
 * (latwatch commands run side by side by a script) would otherwise
 * interleave their messages piece by piece.
 */
void lw_err(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s: ", LW_PROG);

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

int lw_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

struct lw_shown lw_show(const char *v)
{
	struct lw_shown sh;

	if (strlen(v) > 60)
		snprintf(sh.s, sizeof(sh.s), "%.57s...", v);
	else
		snprintf(sh.s, sizeof(sh.s), "%s", v);
	return sh;
}

void lw_out_note(struct lw_out *o)
{
	if (ferror(o->f) && !o->err)
		o->err = errno ? errno : EIO;
}

int lw_flush(struct lw_out *o)
{
	if (fflush(o->f) && !o->err)
		o->err = errno ? errno : EIO;
	/*
	 * Failed before and not noted: EIO, what a terminal that hung up
	 * gives (a line-buffered stream writes, and fails, in fputs()).
	 */
	if (ferror(o->f) && !o->err)
		o->err = EIO;
	return o->err;
}

const char *lw_signal_name(uint32_t signo, char buf[LW_SIGNAL_LEN])
{
	switch (signo) {
	case SIGHUP:
		return "SIGHUP";
	case SIGINT:
		return "SIGINT";
	case SIGQUIT:
		return "SIGQUIT";
	case SIGPIPE:
		return "SIGPIPE";
	case SIGTERM:
		return "SIGTERM";
	}
	snprintf(buf, LW_SIGNAL_LEN, "signal %u", signo);
	return buf;
}

void lw_signal_sender(char buf[LW_SIGNAL_LEN],
		      const struct signalfd_siginfo *si)
{
	switch (si->ssi_code) {
	case SI_USER:
	case SI_QUEUE:
	case SI_TKILL:
		/*
		 * kill(), sigqueue(), tgkill(): a process, by its pid, which is
		 * 0 if our pid namespace does not have it.
		 */
		if (si->ssi_pid)
			snprintf(buf, LW_SIGNAL_LEN, "from pid %u",
				 si->ssi_pid);
		else
			snprintf(buf, LW_SIGNAL_LEN,
				 "from outside our pid namespace");
		return;
	case SI_KERNEL:
		/* So do a terminal's interrupt and quit keys and its hangup. */
		snprintf(buf, LW_SIGNAL_LEN, "from the kernel or the terminal");
		return;
	}
	snprintf(buf, LW_SIGNAL_LEN, "with si_code %d", si->ssi_code);
}

bool lw_poll_why(char *buf, size_t len, short revents, int soerr)
{
	/* In the order that says most: a closed descriptor has no error. */
	if (revents & POLLNVAL)
		snprintf(buf, len, "is not open (POLLNVAL)");
	else if ((revents & POLLERR) && soerr)
		snprintf(buf, len, "failed: %s (POLLERR)", strerror(soerr));
	else if (revents & POLLERR)
		snprintf(buf, len, "failed (POLLERR)");
	else if (revents & POLLHUP)
		snprintf(buf, len, "hung up (POLLHUP)");
	else if (len)
		buf[0] = '\0';
	return revents & (POLLERR | POLLHUP | POLLNVAL);
}

int lw_sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return 0;
	return err;
}

uint64_t lw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t lw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * RFC 3339 in UTC with microseconds, truncated (never rounded up). Events
 * come many a second: the date and time of day of the last second asked
 * for are kept, which spares the most of it (latwatch has one thread).
 */
void lw_fmt_time(char buf[LW_TIME_LEN], uint64_t ts_ns)
{
	static uint64_t last_sec = UINT64_MAX;
	static char day[LW_TIME_LEN];
	static size_t n;
	uint64_t sec = ts_ns / 1000000000u;
	unsigned int usec = (unsigned int)(ts_ns % 1000000000u / 1000u);
	char frac[] = ".000000Z";
	size_t i;
	struct tm tm;
	time_t t;

	if (sec != last_sec) {
		t = (time_t)sec;
		gmtime_r(&t, &tm);
		n = strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
		last_sec = sec;
	}
	memcpy(buf, day, n);
	for (i = 6; i > 0; i--, usec /= 10)
		frac[i] = (char)('0' + usec % 10);
	/* as snprintf(".%06uZ") would, cut to what is left */
	i = sizeof(frac) - 1 < LW_TIME_LEN - n - 1 ? sizeof(frac) - 1 :
						      LW_TIME_LEN - n - 1;
	memcpy(buf + n, frac, i);
	buf[n + i] = '\0';
}
