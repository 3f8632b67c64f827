/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_CURSOR_H
#define LATWATCH_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Where a listener is in the module's events: the module instance (a
 * random number the module picks when it loads) and the sequence number
 * of the last event it printed. Kept in a file, so that a listener that
 * starts again fetches what it missed with LATWATCH_CMD_REPLAY_GET.
 *
 * The file is one line of fixed length,
 *
 *	latwatch-cursor 1 INSTANCE SEQ
 *
 * INSTANCE in 16 hex digits and SEQ in 20 decimal ones, so each update
 * is one pwrite() over the old line: a crash leaves the old line or the
 * new one, never a mix.
 */
struct lw_cursor {
	uint64_t instance;
	uint64_t seq;
};

#define LW_CURSOR_LEN	(16 + 2 + 16 + 1 + 20 + 1)

/* The line for c, with its newline, in buf (NUL-terminated). */
void lw_cursor_format(char buf[LW_CURSOR_LEN + 1], const struct lw_cursor *c);

/* 0, or -EINVAL if buf is not exactly such a line (an instance of 0). */
int lw_cursor_parse(const char *buf, size_t len, struct lw_cursor *c);

/*
 * Open (creating it, and its directory if that is missing) the cursor
 * file at path. Returns its descriptor, with the cursor it holds in c, or
 * a zero cursor (instance 0: none yet) for an empty file or one of NUL
 * bytes only; or a negative errno with a one-line message in err: -EINVAL
 * if the file holds something else, which is left as it is.
 */
int lw_cursor_open(const char *path, struct lw_cursor *c, char *err,
		   size_t errlen);

/* 0 or a negative errno. */
int lw_cursor_save(int fd, const struct lw_cursor *c);

/*
 * Where to fetch from for a listener whose cursor is c when the module
 * instance is `instance`: the events with a greater sequence number are
 * the ones it missed. With no cursor (instance 0) it printed nothing yet,
 * and with a cursor of another instance the module was loaded again
 * since: every event kept is missed, so 0.
 */
uint64_t lw_cursor_after(const struct lw_cursor *c, uint64_t instance);

#endif
