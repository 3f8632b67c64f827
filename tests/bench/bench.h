/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the benchmark programs. Define BENCH_NAME, the program's
 * name that starts its messages, before including this file.
 *
 *   die(WHAT)              "NAME: WHAT: <strerror(errno)>" on stderr, exit 1
 *   now_ns()               CLOCK_MONOTONIC in ns
 *   number(S, WHAT, MIN)   S as a whole number of at least MIN; else
 *                          "NAME: bad WHAT 'S'" on stderr, exit 2
 */
#ifndef LATWATCH_BENCH_H
#define LATWATCH_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench.h"
#endif

static inline void die(const char *what)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline unsigned long long number(const char *s, const char *what,
					unsigned long long min)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min) {
		fprintf(stderr, BENCH_NAME ": bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

#endif
