// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "utils.h"

/* One line on stderr, prefixed with the program name. */
void lw_err(const char *fmt, ...)
{
	va_list ap;

	fputs(LW_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t lw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* RFC 3339 in UTC with microseconds, truncated (never rounded up). */
void lw_fmt_time(char buf[LW_TIME_LEN], uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned int usec = (unsigned int)(ts_ns % 1000000000u / 1000u);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, LW_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, LW_TIME_LEN - n, ".%06uZ", usec);
}
