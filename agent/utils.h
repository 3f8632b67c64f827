/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_UTILS_H
#define LATWATCH_UTILS_H

#include <stddef.h>
#include <stdint.h>

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

uint64_t lw_now_ns(void);
void lw_fmt_time(char buf[LW_TIME_LEN], uint64_t ts_ns);

#endif
