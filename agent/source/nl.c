// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink sockets to the module: requests and their replies,
 * the subscription to its events, and reading what comes on it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <latwatch/latwatch.h>

#include "lib/utils.h"
#include "source/nl.h"
#include "source/nl_parse.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* A libnl failure: keep its description, return a negative errno. */
static int lw_liberr(struct lw_nl *nl, int nlerr)
{
	snprintf(nl->msg, sizeof(nl->msg), "%s", nl_geterror(nlerr));
	return -lw_nl_errno(nlerr);
}

int lw_nl_connect(struct lw_nl *nl)
{
	int one = 1, err;

	nl->family = -1;
	nl->msg[0] = '\0';
	nl->kept = NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	err = genl_connect(nl->sk);
	if (err < 0) {
		err = lw_liberr(nl, err);
		lw_nl_close(nl);
		return err;
	}
	/* Best effort: kernels without extended acks still work. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	return 0;
}

static int lw_nl_resolve(struct lw_nl *nl)
{
	int id = genl_ctrl_resolve(nl->sk, LATWATCH_GENL_NAME);

	if (id < 0)
		return lw_liberr(nl, id);
	nl->family = id;
	return 0;
}

int lw_nl_open(struct lw_nl *nl)
{
	int err = lw_nl_connect(nl);

	if (err)
		return err;
	err = lw_nl_resolve(nl);
	if (err)
		lw_nl_close(nl);
	return err;
}

void lw_nl_close(struct lw_nl *nl)
{
	while (nl->kept) {
		struct lw_nl_dgram *d = nl->kept;

		nl->kept = d->next;
		free(d);
	}
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int lw_nl_fd(const struct lw_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

int lw_nl_fail(const struct lw_nl *nl, int err, const char *what)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		lw_err("permission denied: latwatch needs CAP_NET_ADMIN (run as root)");
		return LW_EXIT_PERM;
	case ENOENT:
		lw_err("the latwatch kernel module is not loaded (load it with: modprobe latwatch, or insmod kmod/latwatch.ko)");
		return LW_EXIT_NOMOD;
	case ENODEV:		/* a request the module had no more use for */
	case EPROTONOSUPPORT:	/* a dump: the core found the module going */
		lw_err("%s: the latwatch kernel module is being unloaded", what);
		return LW_EXIT_NOMOD;
	}
	if (nl->msg[0])
		lw_err("%s: %s: %s", what, strerror(-err), nl->msg);
	else
		lw_err("%s: %s", what, strerror(-err));
	return LW_EXIT_ERROR;
}

/* --- Requests --- */

typedef int (*lw_reply_fn)(struct nlmsghdr *nlh, void *arg);

struct lw_req {
	struct lw_nl *nl;
	lw_reply_fn fn;
	void *arg;
	int err;
	bool done;
};

static int lw_req_valid(struct nl_msg *msg, void *arg)
{
	struct lw_req *req = arg;
	int err;

	if (!req->fn || req->err)
		return NL_SKIP;
	err = req->fn(nlmsg_hdr(msg), req->arg);
	if (err) {
		req->err = err;
		if (err != -ENOMEM)
			snprintf(req->nl->msg, sizeof(req->nl->msg),
				 "malformed reply from the kernel");
	}
	return NL_OK;
}

static int lw_req_ack(struct nl_msg *msg, void *arg)
{
	struct lw_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; a failed dump puts its error there. */
static int lw_req_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct lw_req *req = arg;
	int err;

	req->done = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0 && !req->err)
			req->err = err;
	}
	return NL_STOP;
}

static int lw_req_error(struct sockaddr_nl *sa, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct lw_req *req = arg;

	(void)sa;
	req->done = true;
	req->err = e->error;
	lw_extack_parse(nlh, req->nl->msg, sizeof(req->nl->msg));
	return NL_STOP;
}

static int lw_req_wait(struct lw_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err = 0;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, lw_req_valid, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, lw_req_ack, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, lw_req_finish, req);
	nl_cb_err(cb, NL_CB_CUSTOM, lw_req_error, req);
	while (!req->done && !err) {
		err = nl_recvmsgs(req->nl->sk, cb);
		if (err < 0 && !req->done)
			err = lw_liberr(req->nl, err);
		else
			err = 0;
	}
	nl_cb_put(cb);
	return err ? err : req->err;
}

/*
 * Send msg (a request made with lw_req_msg) and feed each reply to fn
 * until the kernel acks, fails, or ends the dump.
 */
static int lw_request(struct lw_nl *nl, struct nl_msg *msg, lw_reply_fn fn,
		      void *arg)
{
	struct lw_req req = { .nl = nl, .fn = fn, .arg = arg };
	int err;

	nl->msg[0] = '\0';
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return lw_liberr(nl, err);
	return lw_req_wait(&req);
}

static struct nl_msg *lw_req_msg(const struct lw_nl *nl, int flags,
				 uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family,
				0, flags, cmd, LATWATCH_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int lw_cfg_reply(struct nlmsghdr *nlh, void *arg)
{
	return lw_cfg_parse_msg(nlh, arg);
}

int lw_nl_config_get(struct lw_nl *nl, struct lw_cfg *cfg)
{
	struct nl_msg *msg = lw_req_msg(nl, 0, LATWATCH_CMD_CONFIG_GET);

	if (!msg)
		return -ENOMEM;
	cfg->has = 0;
	return lw_request(nl, msg, lw_cfg_reply, cfg);
}

int lw_nl_config_set(struct lw_nl *nl, const struct lw_cfg *cfg)
{
	struct nl_msg *msg = lw_req_msg(nl, 0, LATWATCH_CMD_CONFIG_SET);
	size_t i;

	if (!msg)
		return -ENOMEM;
	for (i = 0; i < lw_cfg_nkeys; i++) {
		if (!(cfg->has & (1u << i)))
			continue;
		if (nla_put_u32(msg, lw_cfg_keys[i].attr, cfg->val[i]) < 0) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
	}
	return lw_request(nl, msg, NULL, NULL);
}

static int lw_stat_reply(struct nlmsghdr *nlh, void *arg)
{
	struct lw_stat st;
	int err = lw_stat_parse(nlh, &st);

	return err ? err : lw_stats_add(arg, &st);
}

int lw_nl_stats(struct lw_nl *nl, struct lw_stats *stats)
{
	struct nl_msg *msg = lw_req_msg(nl, NLM_F_DUMP, LATWATCH_CMD_STATS_GET);

	if (!msg)
		return -ENOMEM;
	return lw_request(nl, msg, lw_stat_reply, stats);
}

static int lw_hist_reply(struct nlmsghdr *nlh, void *arg)
{
	struct lw_hist h;
	int err = lw_hist_parse(nlh, &h);

	if (!err)
		lw_hists_add(arg, &h);
	return err;
}

int lw_nl_hist(struct lw_nl *nl, struct lw_hists *hists)
{
	struct nl_msg *msg = lw_req_msg(nl, NLM_F_DUMP, LATWATCH_CMD_HIST_GET);

	if (!msg)
		return -ENOMEM;
	return lw_request(nl, msg, lw_hist_reply, hists);
}

static int lw_instance_reply(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_nl_attrs(nlh, tb);

	if (err)
		return err;
	if (tb[LATWATCH_A_INSTANCE])
		*(uint64_t *)arg = nla_get_u64(tb[LATWATCH_A_INSTANCE]);
	return 0;
}

int lw_nl_instance(struct lw_nl *nl, uint64_t *instance)
{
	struct nl_msg *msg = lw_req_msg(nl, 0, LATWATCH_CMD_CONFIG_GET);
	int err;

	if (!msg)
		return -ENOMEM;
	*instance = 0;
	err = lw_request(nl, msg, lw_instance_reply, instance);
	if (!err && !*instance) {
		snprintf(nl->msg, sizeof(nl->msg),
			 "this module keeps no events for replay");
		err = -EOPNOTSUPP;
	}
	return err;
}

int lw_nl_replay(struct lw_nl *nl, uint64_t after,
		 int (*fn)(struct nlmsghdr *nlh, void *arg), void *arg)
{
	struct nl_msg *msg = lw_req_msg(nl, NLM_F_DUMP, LATWATCH_CMD_REPLAY_GET);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u64(msg, LATWATCH_A_REPLAY_SINCE, after) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return lw_request(nl, msg, fn, arg);
}

int lw_nl_hist_reset(struct lw_nl *nl)
{
	struct nl_msg *msg = lw_req_msg(nl, 0, LATWATCH_CMD_HIST_RESET);

	if (!msg)
		return -ENOMEM;
	return lw_request(nl, msg, NULL, NULL);
}

/* --- Events --- */

/* Family notifications: CTRL_CMD_DELFAMILY tells the module went away. */
int lw_nl_join_ctrl(struct lw_nl *nl)
{
	int id = genl_ctrl_resolve_grp(nl->sk, "nlctrl", "notify");

	if (id < 0)
		return lw_liberr(nl, id);
	id = nl_socket_add_membership(nl->sk, id);
	return id < 0 ? lw_liberr(nl, id) : 0;
}

bool lw_nl_answer(const void *buf, size_t len, uint32_t seq, int *err,
		  char *msg, size_t msglen)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len > INT_MAX ? INT_MAX : (int)len;

	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next((struct nlmsghdr *)nlh, &rem)) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != seq ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			continue;
		*err = e->error > 0 ? -EPROTO : e->error;
		lw_extack_parse((struct nlmsghdr *)nlh, msg, msglen);
		return true;
	}
	return false;
}

/* A datagram to keep for lw_nl_recv(): room for len bytes. */
static struct lw_nl_dgram *lw_nl_dgram(size_t len, int err)
{
	struct lw_nl_dgram *d = malloc(sizeof(*d) + len);

	if (d) {
		d->next = NULL;
		d->err = err;
		d->len = len;
	}
	return d;
}

static void lw_nl_keep(struct lw_nl *nl, struct lw_nl_dgram *d)
{
	struct lw_nl_dgram **tail;

	for (tail = &nl->kept; *tail; tail = &(*tail)->next)
		;
	*tail = d;
}

/*
 * The answer to request seq on the event socket. The kernel acks before
 * sendmsg() returns, so it is there at once, but events, family
 * notifications and the overrun of a full buffer may come first: kept, in
 * order. They carry sequence number 0, so this matches the answer by hand
 * where libnl's sequence check would trip over them.
 */
static int lw_nl_wait_answer(struct lw_nl *nl, uint32_t seq)
{
	int fd = lw_nl_fd(nl);

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_nl sa;
		socklen_t salen = sizeof(sa);
		struct lw_nl_dgram *d;
		ssize_t n;
		int err;

		n = poll(&p, 1, LW_NL_ANSWER_MS);
		if (n == 0) {
			snprintf(nl->msg, sizeof(nl->msg),
				 "no answer from the kernel");
			return -ETIMEDOUT;
		}
		/* The datagram's length, to read all of it. */
		if (n > 0)
			n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		d = NULL;
		if (n >= 0) {
			d = lw_nl_dgram((size_t)n, 0);
			if (!d)
				return -ENOMEM;
			n = recvfrom(fd, d->data, d->len, MSG_DONTWAIT,
				     (struct sockaddr *)&sa, &salen);
		}
		if (n < 0) {
			/* An overrun comes before the datagram, which stays. */
			err = errno;
			free(d);
			if (err == EINTR || err == EAGAIN)
				continue;
			if (err != ENOBUFS)
				return -err;
			d = lw_nl_dgram(0, ENOBUFS);
			if (!d)
				return -ENOMEM;
			lw_nl_keep(nl, d);
			continue;
		}
		if (sa.nl_pid) {
			free(d);	/* not from the kernel: nobody reads it */
			continue;
		}
		d->len = (size_t)n;
		if (lw_nl_answer(d->data, d->len, seq, &err, nl->msg,
				 sizeof(nl->msg))) {
			free(d);
			return err;
		}
		lw_nl_keep(nl, d);
	}
}

int lw_nl_subscribe(struct lw_nl *nl)
{
	struct nl_msg *msg = lw_req_msg(nl, NLM_F_ACK, LATWATCH_CMD_SUBSCRIBE);
	uint32_t seq;
	int err;

	if (!msg)
		return -ENOMEM;
	nl->msg[0] = '\0';
	err = nl_send_auto(nl->sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;	/* given by nl_send_auto() */
	nlmsg_free(msg);
	if (err < 0)
		return lw_liberr(nl, err);
	err = lw_nl_wait_answer(nl, seq);
	if (err == -EOPNOTSUPP && !nl->msg[0])
		snprintf(nl->msg, sizeof(nl->msg),
			 "the module has no LATWATCH_CMD_SUBSCRIBE: it is older than this latwatch");
	return err;
}

ssize_t lw_nl_recv(struct lw_nl *nl, void *buf, size_t size, uint32_t *sender)
{
	struct lw_nl_dgram *d = nl->kept;
	struct sockaddr_nl sa;
	socklen_t salen = sizeof(sa);
	ssize_t n;

	if (d) {
		int err = d->err;

		nl->kept = d->next;
		n = (ssize_t)d->len;
		if (!err) {
			memcpy(buf, d->data, d->len < size ? d->len : size);
			*sender = 0;
		}
		free(d);
		if (err) {
			errno = err;
			return -1;
		}
		return n;
	}
	n = recvfrom(lw_nl_fd(nl), buf, size, MSG_DONTWAIT | MSG_TRUNC,
		     (struct sockaddr *)&sa, &salen);
	if (n >= 0)
		*sender = sa.nl_pid;
	return n;
}

bool lw_nl_pending(const struct lw_nl *nl)
{
	return nl->kept != NULL;
}

/* Past rmem_max if we may, else as much as it allows. */
void lw_nl_set_rcvbuf(struct lw_nl *nl, int bytes)
{
	if (setsockopt(lw_nl_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
		       sizeof(bytes)))
		nl_socket_set_buffer_size(nl->sk, bytes, 0);
}
