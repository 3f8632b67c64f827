/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_HTTP_REQUEST_H
#define LATWATCH_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The requests the metrics server (metrics_http.h) reads: the one part of
 * the agent that takes bytes from the network, so any bytes at all. Only
 * the head's end and the request line matter; header fields are skipped.
 */

/* What a request line asks for. */
enum lw_http_req {
	LW_HTTP_BAD,		/* not "METHOD SP TARGET SP HTTP/x.y" */
	LW_HTTP_VERSION,	/* HTTP/ but not 1.0 or 1.1 */
	LW_HTTP_METHOD,		/* neither GET nor HEAD */
	LW_HTTP_METRICS,	/* /metrics */
	LW_HTTP_INDEX,		/* / */
	LW_HTTP_NOT_FOUND,	/* another path */
};

/* Whether p[0, len) holds the whole head: a line, then an empty one. */
bool lw_http_head_complete(const char *p, size_t len);

/*
 * What the first line of p[0, len) asks for. The path of the target is
 * compared without its query or fragment, and after "http://HOST" in
 * the absolute form. *head says whether the method is HEAD; it is set
 * for every result but LW_HTTP_BAD and LW_HTTP_VERSION.
 */
enum lw_http_req lw_http_parse(const char *p, size_t len, bool *head);

#endif
