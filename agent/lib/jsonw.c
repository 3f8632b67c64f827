// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"

void jw_init(struct jw *j, FILE *f)
{
	j->f = f;
	j->mem = NULL;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
	j->n = 0;
}

void jw_init_mem(struct jw *j, struct jw_mem *m)
{
	jw_init(j, NULL);
	j->mem = m;
}

void jw_mem_clear(struct jw_mem *m)
{
	m->len = 0;
	m->failed = false;
	if (m->buf)
		m->buf[0] = '\0';
}

void jw_mem_free(struct jw_mem *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

static void jw_mem_add(struct jw_mem *m, const void *p, size_t len)
{
	size_t cap = m->cap ? m->cap : 2048;
	char *buf;

	if (m->failed)
		return;
	while (cap - m->len <= len)
		cap *= 2;
	if (cap != m->cap) {
		buf = realloc(m->buf, cap);
		if (!buf) {
			m->failed = true;
			return;
		}
		m->buf = buf;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, p, len);
	m->len += len;
	m->buf[m->len] = '\0';
}

static void jw_out(struct jw *j, const void *p, size_t len)
{
	if (j->mem)
		jw_mem_add(j->mem, p, len);
	else
		fwrite(p, 1, len, j->f);
}

/* Hand what is gathered to the stream. */
static void jw_drain(struct jw *j)
{
	if (j->n)
		jw_out(j, j->buf, j->n);
	j->n = 0;
}

/* A value is complete: out with it. */
static void jw_done(struct jw *j)
{
	if (!j->depth)
		jw_drain(j);
}

static void jw_putc(struct jw *j, char c)
{
	if (j->n == sizeof(j->buf))
		jw_drain(j);
	j->buf[j->n++] = c;
}

static void jw_write(struct jw *j, const void *p, size_t len)
{
	if (len > sizeof(j->buf) - j->n) {
		jw_drain(j);
		if (len > sizeof(j->buf)) {
			jw_out(j, p, len);
			return;
		}
	}
	memcpy(j->buf + j->n, p, len);
	j->n += len;
}

static void jw_escape_j(struct jw *j, const char *s, size_t len);

/* Called before every value and key: writes the separating comma. */
static void jw_sep(struct jw *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		jw_putc(j, ',');
	j->first[j->depth] = false;
}

static void jw_open(struct jw *j, char c)
{
	jw_sep(j);
	jw_putc(j, c);
	if (j->depth + 1 < JW_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void jw_close(struct jw *j, char c)
{
	jw_putc(j, c);
	if (j->depth)
		j->depth--;
	jw_done(j);
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
	jw_putc(j, ':');
	j->after_key = true;
}

void jw_strn(struct jw *j, const char *s, size_t len)
{
	jw_sep(j);
	jw_putc(j, '"');
	jw_escape_j(j, s, len);
	jw_putc(j, '"');
	jw_done(j);
}

void jw_str(struct jw *j, const char *s)
{
	jw_strn(j, s, strlen(s));
}

void jw_u64(struct jw *j, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);

	/* as "%" PRIu64, without a trip through printf */
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jw_sep(j);
	jw_write(j, buf + i, sizeof(buf) - i);
	jw_done(j);
}

void jw_bool(struct jw *j, bool v)
{
	jw_sep(j);
	if (v)
		jw_write(j, "true", 4);
	else
		jw_write(j, "false", 5);
	jw_done(j);
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

static void jw_escape_ascii(struct jw *j, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':
		jw_write(j, "\\\"", 2);
		break;
	case '\\':
		jw_write(j, "\\\\", 2);
		break;
	case '\n':
		jw_write(j, "\\n", 2);
		break;
	case '\t':
		jw_write(j, "\\t", 2);
		break;
	case '\r':
		jw_write(j, "\\r", 2);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			jw_write(j, u, sizeof(u));	/* "\\u%04x" */
		else
			jw_putc(j, (char)c);
	}
}

/* A byte of ASCII that goes into a JSON string as it is. */
static bool jw_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

#define JW_ONES		0x0101010101010101ull
#define JW_HIGHS	0x8080808080808080ull

/* Whether a byte of w is 0 (exact for the word, not for which byte). */
static uint64_t jw_zero_byte(uint64_t w)
{
	return (w - JW_ONES) & ~w & JW_HIGHS;
}

/*
 * Whether the 8 bytes of w are all plain: none below 0x20, none '"' or
 * '\\', none 0x7f or above. Stack frames, paths and names are long runs
 * of them; a word at a time takes a fifth of the time a byte at a time
 * does.
 */
static bool jw_plain8(uint64_t w)
{
	return !((w & JW_HIGHS) |
		 ((w - JW_ONES * 0x20) & ~w & JW_HIGHS) |
		 jw_zero_byte(w ^ (JW_ONES * '"')) |
		 jw_zero_byte(w ^ (JW_ONES * '\\')) |
		 jw_zero_byte(w ^ (JW_ONES * 0x7f)));
}

/* What needs no escaping goes out in runs. */
static void jw_escape_j(struct jw *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	uint64_t w;

	while (i < len) {
		if (i + sizeof(w) <= len) {
			memcpy(&w, p + i, sizeof(w));
			if (jw_plain8(w)) {
				i += sizeof(w);
				continue;
			}
		}
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
			jw_write(j, p + run, i - run);
		if (n == 1)
			jw_escape_ascii(j, p[i]);
		else
			jw_write(j, "\\ufffd", 6);
		run = ++i;
	}
	if (i > run)
		jw_write(j, p + run, i - run);
}

void jw_escape(FILE *f, const char *s, size_t len)
{
	struct jw j;

	jw_init(&j, f);
	jw_escape_j(&j, s, len);
	jw_drain(&j);
}
