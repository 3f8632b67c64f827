// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* accept4() */
#endif
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sink/http_request.h"
#include "sink/metrics_http.h"

#define MSEC	UINT64_C(1000000)

#define LW_RESP_HDR_MAX		256
/* A client that keeps sending after its response is closed past this. */
#define LW_DRAIN_MAX		65536
/* Connections accepted per lw_metrics_handle() call. */
#define LW_ACCEPT_BATCH		32
/* How long to stop accepting when out of file descriptors. */
#define LW_ACCEPT_PAUSE_NS	(100 * MSEC)

/* A response: the head, then the body. Shared by the clients sending it. */
struct lw_metrics_resp {
	unsigned int refs;
	size_t hdr_len;
	size_t body_len;
	char *body;
	char hdr[LW_RESP_HDR_MAX];
};

static size_t lw_resp_size(const struct lw_metrics_resp *r)
{
	return sizeof(*r) + r->body_len;
}

/* A response with one reference; takes body (malloc()ed) in any case. */
static struct lw_metrics_resp *lw_resp_new(struct lw_metrics_srv *s,
					   const char *status,
					   const char *ctype,
					   const char *extra,
					   char *body, size_t body_len)
{
	struct lw_metrics_resp *r = malloc(sizeof(*r));
	int n;

	if (!r) {
		free(body);
		return NULL;
	}
	n = snprintf(r->hdr, sizeof(r->hdr),
		     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, ctype, body_len, extra);
	if (n < 0 || (size_t)n >= sizeof(r->hdr)) {
		free(body);
		free(r);
		return NULL;
	}
	r->refs = 1;
	r->hdr_len = (size_t)n;
	r->body = body;
	r->body_len = body_len;
	s->held += lw_resp_size(r);
	return r;
}

static struct lw_metrics_resp *lw_resp_text(struct lw_metrics_srv *s,
					    const char *status,
					    const char *ctype,
					    const char *extra,
					    const char *text)
{
	size_t len = strlen(text);
	char *body = malloc(len + 1);

	if (!body)
		return NULL;
	memcpy(body, text, len + 1);
	return lw_resp_new(s, status, ctype, extra, body, len);
}

static void lw_resp_put(struct lw_metrics_srv *s, struct lw_metrics_resp *r)
{
	if (!r || --r->refs)
		return;
	s->held -= lw_resp_size(r);
	free(r->body);
	free(r);
}

/*
 * The /metrics response for a client: the one made in this call of
 * lw_metrics_handle() if there is one, the newest one if the responses
 * held are over budget, else a new one.
 */
static struct lw_metrics_resp *lw_resp_metrics(struct lw_metrics_srv *s,
					       const struct lw_metrics *m)
{
	struct lw_metrics_resp *r;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (s->snap && (s->snap_generation == s->generation ||
			s->held > LW_METRICS_RESP_BUDGET)) {
		s->snap->refs++;
		return s->snap;
	}
	f = open_memstream(&body, &len);
	if (!f)
		return NULL;
	err = lw_metrics_render(m, f);
	if (fclose(f) || err) {
		free(body);
		return NULL;
	}
	r = lw_resp_new(s, "200 OK",
			"text/plain; version=0.0.4; charset=utf-8", "",
			body, len);
	if (!r)
		return NULL;
	lw_resp_put(s, s->snap);
	s->snap = r;
	s->snap_generation = s->generation;
	r->refs++;
	return r;
}

static void lw_client_close(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c)
{
	close(c->fd);
	lw_resp_put(s, c->resp);
	c->resp = NULL;
	c->fd = -1;
	c->state = LW_MC_FREE;
}

static const char lw_index_html[] =
	"<html>\n"
	"<head><title>latwatch</title></head>\n"
	"<body>\n"
	"<h1>latwatch</h1>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n"
	"</body>\n"
	"</html>\n";

#define LW_CT_TEXT	"text/plain; charset=utf-8"

static struct lw_metrics_resp *lw_req_answer(struct lw_metrics_srv *s,
					     const struct lw_metrics_client *c,
					     const struct lw_metrics *m,
					     bool *head)
{
	*head = false;
	if (c->req_len == LW_METRICS_REQ_MAX &&
	    !lw_http_head_complete(c->req, c->req_len))
		return lw_resp_text(s, "431 Request Header Fields Too Large",
				    LW_CT_TEXT, "",
				    "431 request header fields too large\n");
	switch (lw_http_parse(c->req, c->req_len, head)) {
	case LW_HTTP_METRICS:
		return lw_resp_metrics(s, m);
	case LW_HTTP_INDEX:
		return lw_resp_text(s, "200 OK", "text/html; charset=utf-8", "",
				    lw_index_html);
	case LW_HTTP_NOT_FOUND:
		return lw_resp_text(s, "404 Not Found", LW_CT_TEXT, "",
				    "404 page not found\n");
	case LW_HTTP_METHOD:
		return lw_resp_text(s, "405 Method Not Allowed", LW_CT_TEXT,
				    "Allow: GET, HEAD\r\n",
				    "405 method not allowed\n");
	case LW_HTTP_VERSION:
		return lw_resp_text(s, "505 HTTP Version Not Supported",
				    LW_CT_TEXT, "",
				    "505 HTTP version not supported\n");
	case LW_HTTP_BAD:
		break;
	}
	*head = false;
	return lw_resp_text(s, "400 Bad Request", LW_CT_TEXT, "",
			    "400 bad request\n");
}

static void lw_client_drain(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c, uint64_t now)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req, sizeof(c->req), MSG_DONTWAIT);
		if (n > 0) {
			c->last_ns = now;
			c->drained += (size_t)n;
			if (c->drained <= LW_DRAIN_MAX)
				continue;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		lw_client_close(s, c);
		return;
	}
}

/* Send what is left of the response; once it is all sent, drain. */
static void lw_client_write(struct lw_metrics_srv *s,
			    struct lw_metrics_client *c, uint64_t now)
{
	const struct lw_metrics_resp *r = c->resp;
	struct msghdr msg;
	struct iovec iov[2];
	size_t body_end;
	ssize_t n;

	while (c->off < c->end) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		body_end = c->end - r->hdr_len;
		if (c->off < r->hdr_len) {
			iov[0].iov_base = (char *)r->hdr + c->off;
			iov[0].iov_len = r->hdr_len - c->off;
			iov[1].iov_base = r->body;
			iov[1].iov_len = body_end;
			msg.msg_iovlen = body_end ? 2 : 1;
		} else {
			iov[0].iov_base = r->body + (c->off - r->hdr_len);
			iov[0].iov_len = c->end - c->off;
			msg.msg_iovlen = 1;
		}
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->off += (size_t)n;
			c->last_ns = now;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		lw_client_close(s, c);
		return;
	}
	lw_resp_put(s, c->resp);
	c->resp = NULL;
	/* Lingering close: the client reads all before it sees the end. */
	shutdown(c->fd, SHUT_WR);
	c->state = LW_MC_DRAIN;
	c->drained = 0;
	lw_client_drain(s, c, now);
}

static void lw_client_respond(struct lw_metrics_srv *s,
			      struct lw_metrics_client *c,
			      const struct lw_metrics *m, uint64_t now)
{
	bool head;

	c->resp = lw_req_answer(s, c, m, &head);
	if (!c->resp) {
		lw_client_close(s, c);
		return;
	}
	c->off = 0;
	c->end = c->resp->hdr_len + (head ? 0 : c->resp->body_len);
	c->state = LW_MC_WRITE;
	lw_client_write(s, c, now);
}

static void lw_client_read(struct lw_metrics_srv *s,
			   struct lw_metrics_client *c,
			   const struct lw_metrics *m, uint64_t now)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->req_len,
			 sizeof(c->req) - c->req_len, MSG_DONTWAIT);
		if (n > 0) {
			c->req_len += (size_t)n;
			c->last_ns = now;
			if (lw_http_head_complete(c->req, c->req_len) ||
			    c->req_len == sizeof(c->req)) {
				lw_client_respond(s, c, m, now);
				return;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		lw_client_close(s, c);
		return;
	}
}

static void lw_client_step(struct lw_metrics_srv *s,
			   struct lw_metrics_client *c,
			   const struct lw_metrics *m, uint64_t now)
{
	switch (c->state) {
	case LW_MC_READ:
		lw_client_read(s, c, m, now);
		break;
	case LW_MC_WRITE:
		lw_client_write(s, c, now);
		break;
	case LW_MC_DRAIN:
		lw_client_drain(s, c, now);
		break;
	case LW_MC_FREE:
		break;
	}
}

static struct lw_metrics_client *lw_client_free_slot(struct lw_metrics_srv *s)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state == LW_MC_FREE)
			return &s->clients[i];
	return NULL;
}

static void lw_accept(struct lw_metrics_srv *s, const struct lw_metrics *m,
		      uint64_t now)
{
	struct lw_metrics_client *c;
	unsigned int i;
	int fd;

	for (i = 0; i < LW_ACCEPT_BATCH; i++) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				s->paused = true;
				s->pause_until_ns = now + LW_ACCEPT_PAUSE_NS;
			}
			return;
		}
		c = lw_client_free_slot(s);
		if (!c) {
			close(fd);	/* too many clients */
			continue;
		}
		c->fd = fd;
		c->state = LW_MC_READ;
		c->last_ns = now;
		c->req_len = 0;
		c->resp = NULL;
		/* The request is often there already. */
		lw_client_read(s, c, m, now);
	}
}

static struct lw_metrics_client *lw_client_by_fd(struct lw_metrics_srv *s,
						 int fd)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state != LW_MC_FREE && s->clients[i].fd == fd)
			return &s->clients[i];
	return NULL;
}

unsigned int lw_metrics_pollfds(struct lw_metrics_srv *s, struct pollfd *pfd,
				unsigned int max)
{
	const struct lw_metrics_client *c;
	unsigned int i, n = 0;

	if (s->fd >= 0 && !s->paused && n < max) {
		pfd[n].fd = s->fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	for (i = 0; i < LW_METRICS_MAX_CLIENTS && n < max; i++) {
		c = &s->clients[i];
		if (c->state == LW_MC_FREE)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = c->state == LW_MC_WRITE ? POLLOUT : POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

static bool lw_idle(const struct lw_metrics_client *c, uint64_t now)
{
	return now > c->last_ns && now - c->last_ns > LW_METRICS_IDLE_NS;
}

void lw_metrics_handle(struct lw_metrics_srv *s, const struct pollfd *pfd,
		       unsigned int n, const struct lw_metrics *m,
		       uint64_t now_mono_ns)
{
	struct lw_metrics_client *c;
	bool listen_ready = false;
	unsigned int i;

	s->generation++;
	if (s->paused && now_mono_ns >= s->pause_until_ns)
		s->paused = false;
	for (i = 0; i < n; i++) {
		if (!pfd[i].revents || pfd[i].fd < 0)
			continue;
		if (pfd[i].fd == s->fd) {
			listen_ready = true;
			continue;
		}
		c = lw_client_by_fd(s, pfd[i].fd);
		if (c)
			lw_client_step(s, c, m, now_mono_ns);
	}
	/* After the clients: no fd closed above is taken for a new one. */
	if (listen_ready && s->fd >= 0 && !s->paused)
		lw_accept(s, m, now_mono_ns);
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++) {
		c = &s->clients[i];
		if (c->state != LW_MC_FREE && lw_idle(c, now_mono_ns))
			lw_client_close(s, c);
	}
}

int lw_metrics_timeout_ms(const struct lw_metrics_srv *s, uint64_t now_mono_ns)
{
	const struct lw_metrics_client *c;
	uint64_t wait = UINT64_MAX, d, end;
	unsigned int i;

	if (s->paused)
		wait = s->pause_until_ns > now_mono_ns ?
		       s->pause_until_ns - now_mono_ns : 0;
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++) {
		c = &s->clients[i];
		if (c->state == LW_MC_FREE)
			continue;
		/* the first moment it counts as idle */
		end = c->last_ns + LW_METRICS_IDLE_NS + 1;
		d = end > now_mono_ns ? end - now_mono_ns : 0;
		if (d < wait)
			wait = d;
	}
	if (wait == UINT64_MAX)
		return -1;
	wait = (wait + MSEC - 1) / MSEC;
	return wait > INT32_MAX ? INT32_MAX : (int)wait;
}

/* Split "HOST:PORT", "[HOST]:PORT" or ":PORT"; host may come out empty. */
static int lw_split_addr(const char *ap, char *host, size_t hostlen,
			 char *port, size_t portlen, char *err, size_t errlen)
{
	const char *colon, *h = ap, *close;
	size_t hlen, i;

	if (*ap == '[') {
		close = strchr(ap, ']');
		if (!close || close[1] != ':' || close == ap + 1) {
			snprintf(err, errlen, "bad metrics address '%s': expected [IPV6]:PORT, e.g. [::1]:9105",
				 ap);
			return -1;
		}
		h = ap + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(ap, ':');
		if (!colon) {
			snprintf(err, errlen, "bad metrics address '%s': expected ADDR:PORT, e.g. 127.0.0.1:9105",
				 ap);
			return -1;
		}
		hlen = (size_t)(colon - ap);
		if (memchr(ap, ':', hlen)) {
			snprintf(err, errlen, "bad metrics address '%s': put an IPv6 address in brackets, e.g. [::1]:9105",
				 ap);
			return -1;
		}
	}
	if (hlen >= hostlen) {
		snprintf(err, errlen, "bad metrics address '%s': the host name is too long",
			 ap);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	colon++;
	for (i = 0; colon[i] >= '0' && colon[i] <= '9'; i++)
		;
	if (!i || colon[i] || i >= portlen || strtoul(colon, NULL, 10) > 65535) {
		snprintf(err, errlen, "bad metrics address '%s': the port must be a number from 0 to 65535",
			 ap);
		return -1;
	}
	memcpy(port, colon, i + 1);
	return 0;
}

/* A listening socket on ai, or -1 with errno set. */
static int lw_listen_on(const struct addrinfo *ai, bool wildcard)
{
	int fd, one = 1, zero = 0, e;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (wildcard && ai->ai_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void lw_srv_init(struct lw_metrics_srv *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
}

static uint16_t lw_bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int lw_metrics_listen(struct lw_metrics_srv *s, const char *addr_port,
		      char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char host[256], port[8];
	int pass, rc, e = 0;
	bool wildcard;

	lw_srv_init(s);
	if (lw_split_addr(addr_port, host, sizeof(host), port, sizeof(port),
			  err, errlen))
		return -1;
	wildcard = !*host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(wildcard ? NULL : host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "bad metrics address '%s': %s", addr_port,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	/* Every address: IPv6 first, which takes IPv4 too, then IPv4. */
	for (pass = wildcard ? 0 : 1; pass < 2 && s->fd < 0; pass++) {
		for (ai = res; ai && s->fd < 0; ai = ai->ai_next) {
			if (pass == 0 && ai->ai_family != AF_INET6)
				continue;
			s->fd = lw_listen_on(ai, wildcard);
			if (s->fd < 0 && !e)
				e = errno;
		}
	}
	freeaddrinfo(res);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr_port,
			 strerror(e ? e : EADDRNOTAVAIL));
		return -1;
	}
	s->port = lw_bound_port(s->fd);
	return 0;
}

uint16_t lw_metrics_port(const struct lw_metrics_srv *s)
{
	return s->port;
}

void lw_metrics_srv_close(struct lw_metrics_srv *s)
{
	unsigned int i;

	for (i = 0; i < LW_METRICS_MAX_CLIENTS; i++)
		if (s->clients[i].state != LW_MC_FREE)
			lw_client_close(s, &s->clients[i]);
	lw_resp_put(s, s->snap);
	s->snap = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
