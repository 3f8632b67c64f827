// SPDX-License-Identifier: GPL-2.0
/*
 * The requests of the metrics server (sink/http_request.c), the one part
 * of the agent that takes bytes from the network: any bytes at all.
 *
 * lw_http_head_complete() is checked against a plain search for the
 * blank line that ends a head ("\n\n" or "\n\r\n"): true from the end of
 * the first one on, false before. lw_http_parse() reads the first line
 * only: the line alone, in a buffer of its exact size (so that ASan sees
 * a read past it), gives the same result. *head is written unless the
 * line is not a request of HTTP/1.0 or 1.1 (LW_HTTP_BAD, LW_HTTP_VERSION),
 * and is true only for HEAD; a path is looked at only for GET and HEAD.
 */
#include "sink/http_request.h"
#include "fuzz.h"

/* The end of the first blank line, as the server needs it, or 0. */
static size_t head_end(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool starts(const char *p, size_t len, const char *s)
{
	return len >= strlen(s) && !memcmp(p, s, strlen(s));
}

/* Parse p[0, len) with *head both ways; the two must agree. */
static enum lw_http_req parse(const char *p, size_t len, bool *written,
			      bool *head)
{
	bool h0 = false, h1 = true;
	enum lw_http_req r0 = lw_http_parse(p, len, &h0);
	enum lw_http_req r1 = lw_http_parse(p, len, &h1);

	FUZZ_ASSERT(r0 == r1);
	*written = h0 == h1;
	*head = h0;
	if (!*written)
		FUZZ_ASSERT(!h0 && h1);
	return r0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t end = head_end(p, size), n;
	bool written, head, lwritten, lhead;
	enum lw_http_req r, lr;
	char *line;

	FUZZ_ASSERT(lw_http_head_complete(p, size) == (end != 0));
	if (end) {
		FUZZ_ASSERT(lw_http_head_complete(p, end));
		FUZZ_ASSERT(!lw_http_head_complete(p, end - 1));
	}

	r = parse(p, size, &written, &head);
	FUZZ_ASSERT((unsigned int)r <= LW_HTTP_NOT_FOUND);
	FUZZ_ASSERT(written == (r != LW_HTTP_BAD && r != LW_HTTP_VERSION));
	if (written && head)
		FUZZ_ASSERT(starts(p, size, "HEAD "));
	if (r == LW_HTTP_METRICS || r == LW_HTTP_INDEX ||
	    r == LW_HTTP_NOT_FOUND)
		FUZZ_ASSERT(starts(p, size, "GET ") ||
			    starts(p, size, "HEAD "));

	/* the first line alone, without its newline */
	for (n = 0; n < size && p[n] != '\n'; n++)
		;
	line = malloc(n ? n : 1);
	FUZZ_ASSERT(line);
	memcpy(line, p, n);
	lr = parse(line, n, &lwritten, &lhead);
	FUZZ_ASSERT(lr == r);
	FUZZ_ASSERT(lwritten == written && (!written || lhead == head));
	free(line);
	return 0;
}
