/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_TESTUTIL_H
#define LATWATCH_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsoncheck.h"

/* Output written to a FILE, captured in memory. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

/* Close the stream; the text is then in c->buf until cap_free(). */
static inline const char *cap_close(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

static inline void cap_free(struct capture *c)
{
	free(c->buf);
}

/* A JSON line: valid JSON with the newline that ends it. */
static inline void assert_json_line(const char *s)
{
	size_t len = strlen(s);

	assert_true(len > 0 && s[len - 1] == '\n');
	if (!json_check(s, len - 1))
		fail_msg("not valid JSON: %s", s);
}

#endif
