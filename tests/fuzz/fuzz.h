/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_FUZZ_H
#define LATWATCH_FUZZ_H

/*
 * What the libFuzzer targets share: a NUL-terminated copy of the input,
 * output captured in memory, and a strict check of the JSON the agent
 * writes (tests/unit/jsoncheck.c, written apart from the agent's escaper).
 * A failed check aborts, which libFuzzer reports as a crash.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsoncheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, format(printf, 1, 2)))
static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			fuzz_fail("%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

/* The input as a C string: a malloc'd copy with a NUL after it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Output written to a FILE, kept in memory. */
struct fuzz_out {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *fuzz_out_open(struct fuzz_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	FUZZ_ASSERT(o->f);
	return o->f;
}

/* Close the stream; the text stays in o->buf until fuzz_out_free(). */
static inline void fuzz_out_close(struct fuzz_out *o)
{
	FUZZ_ASSERT(!fclose(o->f));
	o->f = NULL;
}

static inline void fuzz_out_free(struct fuzz_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

/* Every line of s[0, len) is one valid JSON value; empty lines are not. */
static inline void fuzz_json_lines(const char *s, size_t len)
{
	const char *end = s + len, *nl;

	FUZZ_ASSERT(!len || s[len - 1] == '\n');
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!json_check(s, (size_t)(nl - s)))
			fuzz_fail("not valid JSON: %.*s", (int)(nl - s), s);
		s = nl + 1;
	}
}

/* The text output holds no NUL byte: a reader would take it for the end. */
static inline void fuzz_no_nul(const char *s, size_t len)
{
	FUZZ_ASSERT(!memchr(s, '\0', len));
}

#endif
