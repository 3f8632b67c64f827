/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_JSON_H
#define LATWATCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

/*
 * A streaming JSON writer. It puts the commas itself: call json_key()
 * before each member of an object, nothing before an array element.
 */
struct json {
	FILE *f;
	unsigned int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t len);
void json_u64(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);

void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);

/* Length of the valid UTF-8 sequence at s, or 0 if there is none. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/*
 * Write s as the body of a JSON string (no quotes). Always valid JSON:
 * '"' and '\\' and control characters are escaped, valid UTF-8 is copied,
 * and every byte that is not part of valid UTF-8 becomes U+FFFD.
 */
void json_escape(FILE *f, const char *s, size_t len);

#endif
