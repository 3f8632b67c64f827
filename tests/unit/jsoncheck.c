// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>

#include "jsoncheck.h"

struct jc {
	const unsigned char *p;
	const unsigned char *end;
	int depth;
};

static bool jc_value(struct jc *c);

static void jc_ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool jc_lit(struct jc *c, const char *lit)
{
	for (; *lit; lit++, c->p++)
		if (c->p >= c->end || *c->p != (unsigned char)*lit)
			return false;
	return true;
}

static bool jc_hex4(struct jc *c, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++, c->p++) {
		unsigned char h = c->p < c->end ? *c->p : 0;

		*v <<= 4;
		if (h >= '0' && h <= '9')
			*v |= h - '0';
		else if (h >= 'a' && h <= 'f')
			*v |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			*v |= h - 'A' + 10;
		else
			return false;
	}
	return true;
}

/* \uXXXX, a surrogate only as a high-low pair. */
static bool jc_uescape(struct jc *c)
{
	uint32_t u, lo;

	if (!jc_hex4(c, &u))
		return false;
	if (u >= 0xdc00 && u <= 0xdfff)
		return false;
	if (u < 0xd800 || u > 0xdbff)
		return true;
	return jc_lit(c, "\\u") && jc_hex4(c, &lo) &&
	       lo >= 0xdc00 && lo <= 0xdfff;
}

static bool jc_escape(struct jc *c)
{
	unsigned char e;

	if (c->p >= c->end)
		return false;
	e = *c->p++;
	switch (e) {
	case '"': case '\\': case '/': case 'b':
	case 'f': case 'n': case 'r': case 't':
		return true;
	case 'u':
		return jc_uescape(c);
	}
	return false;
}

/* Decode one UTF-8 character and check it is the shortest form. */
static bool jc_utf8(struct jc *c)
{
	unsigned char b = *c->p++;
	uint32_t cp, min;
	int n, i;

	if (b < 0x80)
		return true;
	if ((b & 0xe0) == 0xc0) {
		n = 1; cp = b & 0x1f; min = 0x80;
	} else if ((b & 0xf0) == 0xe0) {
		n = 2; cp = b & 0x0f; min = 0x800;
	} else if ((b & 0xf8) == 0xf0) {
		n = 3; cp = b & 0x07; min = 0x10000;
	} else {
		return false;
	}
	for (i = 0; i < n; i++, c->p++) {
		if (c->p >= c->end || (*c->p & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (*c->p & 0x3f);
	}
	return cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

static bool jc_string(struct jc *c)
{
	if (!jc_lit(c, "\""))
		return false;
	while (c->p < c->end) {
		if (*c->p == '"') {
			c->p++;
			return true;
		}
		if (*c->p < 0x20)
			return false;
		if (*c->p == '\\') {
			c->p++;
			if (!jc_escape(c))
				return false;
		} else if (!jc_utf8(c)) {
			return false;
		}
	}
	return false;
}

static bool jc_digits(struct jc *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static bool jc_number(struct jc *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

/* The members of an object (member) or the elements of an array. */
static bool jc_list(struct jc *c, char close, bool member)
{
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return true;
	}
	for (;;) {
		jc_ws(c);
		if (member) {
			if (!jc_string(c))
				return false;
			jc_ws(c);
			if (!jc_lit(c, ":"))
				return false;
		}
		if (!jc_value(c))
			return false;
		jc_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == (unsigned char)close) {
			c->p++;
			return true;
		}
		if (*c->p++ != ',')
			return false;
	}
}

static bool jc_value(struct jc *c)
{
	bool ok;

	jc_ws(c);
	if (c->p >= c->end || ++c->depth > 64)
		return false;
	switch (*c->p) {
	case '{':
		ok = jc_list(c, '}', true);
		break;
	case '[':
		ok = jc_list(c, ']', false);
		break;
	case '"':
		ok = jc_string(c);
		break;
	case 't':
		ok = jc_lit(c, "true");
		break;
	case 'f':
		ok = jc_lit(c, "false");
		break;
	case 'n':
		ok = jc_lit(c, "null");
		break;
	default:
		ok = jc_number(c);
	}
	c->depth--;
	return ok;
}

bool json_check(const char *s, size_t len)
{
	struct jc c = {
		.p = (const unsigned char *)s,
		.end = (const unsigned char *)s + len,
	};

	if (!jc_value(&c))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}
