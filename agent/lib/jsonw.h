/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_JSONW_H
#define LATWATCH_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH	8
#define JW_BUF		1024

/*
 * A streaming JSON writer. It puts the commas itself: call jw_key()
 * before each member of an object, nothing before an array element.
 * Its names start with jw_ so as not to meet json-c's (json_bool,
 * json_object_*), which "latwatch report" reads logs with.
 *
 * It gathers what it writes in a buffer of its own and hands it to f
 * when a value is complete (back at the depth it started at) or the
 * buffer is full: a stdio call for each comma and quote cost the agent
 * more than the rest of an event's line. So write to f directly only
 * between values.
 */
/*
 * A string that grows, for jw_init_mem(): buf[0, len) and a NUL, or
 * failed if memory ran out. Zero it to start; kept from one value to the
 * next, its memory is allocated once.
 */
struct jw_mem {
	char *buf;
	size_t len, cap;
	bool failed;
};

struct jw {
	FILE *f;		/* or, if NULL: */
	struct jw_mem *mem;
	unsigned int depth;
	bool first[JW_MAX_DEPTH];
	bool after_key;
	size_t n;		/* bytes in buf, not yet in f */
	char buf[JW_BUF];
};

void jw_init(struct jw *j, FILE *f);
/* Write into m instead of a FILE, after what it holds. */
void jw_init_mem(struct jw *j, struct jw_mem *m);
/* Empty m (its memory kept); free it. */
void jw_mem_clear(struct jw_mem *m);
void jw_mem_free(struct jw_mem *m);
void jw_obj_open(struct jw *j);
void jw_obj_close(struct jw *j);
void jw_arr_open(struct jw *j);
void jw_arr_close(struct jw *j);
void jw_key(struct jw *j, const char *key);
void jw_str(struct jw *j, const char *s);
void jw_strn(struct jw *j, const char *s, size_t len);
void jw_u64(struct jw *j, uint64_t v);
void jw_bool(struct jw *j, bool v);

void jw_kv_str(struct jw *j, const char *key, const char *s);
void jw_kv_u64(struct jw *j, const char *key, uint64_t v);

/* Length of the valid UTF-8 sequence at s, or 0 if there is none. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/*
 * Write s as the body of a JSON string (no quotes). Always valid JSON:
 * '"' and '\\' and control characters are escaped, valid UTF-8 is copied,
 * and every byte that is not part of valid UTF-8 becomes U+FFFD.
 */
void jw_escape(FILE *f, const char *s, size_t len);

#endif
