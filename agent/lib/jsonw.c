// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "lib/jsonw.h"

void jw_init(struct jw *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Called before every value and key: writes the separating comma. */
static void jw_sep(struct jw *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void jw_open(struct jw *j, char c)
{
	jw_sep(j);
	fputc(c, j->f);
	if (j->depth + 1 < JW_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void jw_close(struct jw *j, char c)
{
	fputc(c, j->f);
	if (j->depth)
		j->depth--;
}

void jw_obj_open(struct jw *j)
{
	jw_open(j, '{');
}

void jw_obj_close(struct jw *j)
{
	jw_close(j, '}');
}

void jw_arr_open(struct jw *j)
{
	jw_open(j, '[');
}

void jw_arr_close(struct jw *j)
{
	jw_close(j, ']');
}

void jw_key(struct jw *j, const char *key)
{
	jw_str(j, key);
	fputc(':', j->f);
	j->after_key = true;
}

void jw_strn(struct jw *j, const char *s, size_t len)
{
	jw_sep(j);
	fputc('"', j->f);
	jw_escape(j->f, s, len);
	fputc('"', j->f);
}

void jw_str(struct jw *j, const char *s)
{
	jw_strn(j, s, strlen(s));
}

void jw_u64(struct jw *j, uint64_t v)
{
	jw_sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void jw_bool(struct jw *j, bool v)
{
	jw_sep(j);
	fputs(v ? "true" : "false", j->f);
}

void jw_kv_str(struct jw *j, const char *key, const char *s)
{
	jw_key(j, key);
	jw_str(j, s);
}

void jw_kv_u64(struct jw *j, const char *key, uint64_t v)
{
	jw_key(j, key);
	jw_u64(j, v);
}

static bool utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Well-formed UTF-8 (Unicode table 3-7): no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (!len)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (!utf8_cont(s[i]))
			return 0;
	return n;
}

static void jw_escape_ascii(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

/* A byte of ASCII that goes into a JSON string as it is. */
static bool jw_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * What needs no escaping goes out in runs, one fwrite() each: a stdio
 * call a byte costs more than everything else an event's line takes.
 */
void jw_escape(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;

	while (i < len) {
		if (jw_plain(p[i])) {
			i++;
			continue;
		}
		n = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, len - i);
		if (n > 1) {
			i += n;
			continue;
		}
		if (i > run)
			fwrite(p + run, 1, i - run, f);
		if (n == 1)
			jw_escape_ascii(f, p[i]);
		else
			fputs("\\ufffd", f);
		run = ++i;
	}
	if (i > run)
		fwrite(p + run, 1, i - run, f);
}
