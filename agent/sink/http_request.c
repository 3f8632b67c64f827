// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "sink/http_request.h"

/* Up to the end of the headers: a blank line. */
bool lw_http_head_complete(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n' ||
		    (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n'))
			return true;
	}
	return false;
}

/* A method or other token (RFC 9110 tchar). */
static bool lw_is_token(const char *p, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') ||
		      (p[i] && strchr("!#$%&'*+-.^_`|~", p[i]))))
			return false;
	return true;
}

static bool lw_eq(const char *p, size_t len, const char *s)
{
	return len == strlen(s) && !memcmp(p, s, len);
}

/* The path of a request target, without query: *plen bytes at the result. */
static const char *lw_http_path(const char *t, size_t len, size_t *plen)
{
	size_t i = 0;

	/* absolute-form: skip "http://host" */
	if (len > 7 && !memcmp(t, "http://", 7)) {
		for (i = 7; i < len && t[i] != '/'; i++)
			;
		if (i == len) {
			*plen = 1;
			return "/";
		}
	}
	t += i;
	len -= i;
	for (i = 0; i < len && t[i] != '?' && t[i] != '#'; i++)
		;
	*plen = i;
	return t;
}

enum lw_http_req lw_http_parse(const char *p, size_t len, bool *head)
{
	const char *target, *version, *path;
	size_t n, mlen, tlen, vlen, plen;

	n = 0;
	while (n < len && p[n] != '\n')
		n++;
	if (n && p[n - 1] == '\r')
		n--;
	/* METHOD SP TARGET SP VERSION */
	target = memchr(p, ' ', n);
	if (!target)
		return LW_HTTP_BAD;
	mlen = (size_t)(target - p);
	target++;
	version = memchr(target, ' ', (size_t)(p + n - target));
	if (!version)
		return LW_HTTP_BAD;
	tlen = (size_t)(version - target);
	version++;
	vlen = (size_t)(p + n - version);
	if (!lw_is_token(p, mlen) || !tlen || memchr(version, ' ', vlen))
		return LW_HTTP_BAD;
	if (!lw_eq(version, vlen, "HTTP/1.0") &&
	    !lw_eq(version, vlen, "HTTP/1.1"))
		return vlen > 5 && !memcmp(version, "HTTP/", 5) ?
		       LW_HTTP_VERSION : LW_HTTP_BAD;
	*head = lw_eq(p, mlen, "HEAD");
	if (!*head && !lw_eq(p, mlen, "GET"))
		return LW_HTTP_METHOD;
	path = lw_http_path(target, tlen, &plen);
	if (lw_eq(path, plen, "/metrics"))
		return LW_HTTP_METRICS;
	if (lw_eq(path, plen, "/"))
		return LW_HTTP_INDEX;
	return LW_HTTP_NOT_FOUND;
}
