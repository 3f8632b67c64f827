/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_METRICS_HTTP_H
#define LATWATCH_METRICS_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink/metrics.h"

/*
 * The HTTP server: GET (or HEAD) /metrics and /, nothing else. It never
 * blocks: the agent polls its sockets with the rest and hands it what
 * poll() returned.
 *
 * Memory: LW_METRICS_MAX_CLIENTS clients with an LW_METRICS_REQ_MAX
 * request buffer each, and the responses being sent. Clients that ask
 * for /metrics in the same lw_metrics_handle() call share one rendering;
 * while the responses held come to more than LW_METRICS_RESP_BUDGET
 * bytes, new clients get the newest one instead of a fresh one.
 */
#define LW_METRICS_MAX_CLIENTS	16
#define LW_METRICS_REQ_MAX	8192
#define LW_METRICS_IDLE_NS	(5ull * 1000000000u)
#define LW_METRICS_RESP_BUDGET	(2u << 20)
/* Room the pollfd array needs for the server. */
#define LW_METRICS_NPOLLFD	(1 + LW_METRICS_MAX_CLIENTS)

struct lw_metrics_resp;

enum lw_metrics_cstate {
	LW_MC_FREE,
	LW_MC_READ,		/* reading the request */
	LW_MC_WRITE,		/* sending the response */
	LW_MC_DRAIN,		/* sent: reading until the client closes */
};

struct lw_metrics_client {
	int fd;
	enum lw_metrics_cstate state;
	uint64_t last_ns;		/* last progress */
	size_t req_len;
	size_t drained;
	struct lw_metrics_resp *resp;
	size_t off;			/* bytes of resp sent */
	size_t end;			/* bytes of resp to send */
	char req[LW_METRICS_REQ_MAX];
};

struct lw_metrics_srv {
	int fd;				/* listening socket, or -1 */
	uint16_t port;
	bool paused;			/* out of file descriptors: */
	uint64_t pause_until_ns;	/* no accept() until then */
	uint64_t generation;		/* lw_metrics_handle() calls */
	struct lw_metrics_resp *snap;	/* newest /metrics response */
	uint64_t snap_generation;
	size_t held;			/* bytes in responses alive */
	struct lw_metrics_client clients[LW_METRICS_MAX_CLIENTS];
};

/*
 * Listen on addr_port: "127.0.0.1:9105", "0.0.0.0:9105", ":9105" (every
 * address, IPv6 and IPv4), "[::1]:9105", "localhost:9105"; port 0 picks
 * one (see lw_metrics_port()). 0, or -1 with a one-line message in err.
 * lw_metrics_srv_close() is safe after a failure.
 */
int lw_metrics_listen(struct lw_metrics_srv *s, const char *addr_port,
		      char *err, size_t errlen);
/* The port it listens on. */
uint16_t lw_metrics_port(const struct lw_metrics_srv *s);
/* Fill at most max pollfds with the server's sockets; returns how many. */
unsigned int lw_metrics_pollfds(struct lw_metrics_srv *s, struct pollfd *pfd,
				unsigned int max);
/*
 * After poll(): pfd[0..n) may hold other sockets too, only the server's
 * are looked at. Accepts, reads, answers and closes clients idle for more
 * than LW_METRICS_IDLE_NS; now_mono_ns is CLOCK_MONOTONIC.
 */
void lw_metrics_handle(struct lw_metrics_srv *s, const struct pollfd *pfd,
		       unsigned int n, const struct lw_metrics *m,
		       uint64_t now_mono_ns);
/*
 * The longest poll() may sleep before the server needs
 * lw_metrics_handle() again (a client's idle timeout), in ms; -1: no limit.
 */
int lw_metrics_timeout_ms(const struct lw_metrics_srv *s,
			  uint64_t now_mono_ns);
void lw_metrics_srv_close(struct lw_metrics_srv *s);

#endif
