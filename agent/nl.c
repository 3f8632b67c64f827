// SPDX-License-Identifier: GPL-2.0
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

#include "nl.h"
#include "utils.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

static struct nla_policy lw_ev_policy[LATWATCH_A_MAX + 1] = {
	[LATWATCH_A_EV_TYPE]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_SEQ]		= { .type = NLA_U64 },
	[LATWATCH_A_EV_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_TS_NS]		= { .type = NLA_U64 },
	[LATWATCH_A_EV_DURATION_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_EV_RESOLUTION_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_EV_PID]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_COMM]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_STACK]		= { .type = NLA_NESTED },
	[LATWATCH_A_EV_CGROUP]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_CGROUP_TRUNCATED] = { .type = NLA_FLAG },
	[LATWATCH_A_EV_VECTOR]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_NAME]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_FUNCTION]	= { .type = NLA_STRING },
	[LATWATCH_A_EV_KIND]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_IRQ]		= { .type = NLA_U32 },
	[LATWATCH_A_LOST_COUNT]		= { .type = NLA_U64 },
	[LATWATCH_A_LOST_TOTAL]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_STAT_ONLINE]	= { .type = NLA_U8 },
	[LATWATCH_A_STAT_SAMPLES]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_EVENTS]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_LOST]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_STALLS]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_SOFTIRQ_LATE]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_UNHEARD]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_DELIVERED]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_RATELIMITED]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_IDLE_PAUSES]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_IDLE_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_HIST_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_HIST_TYPE]		= { .type = NLA_U32 },
	[LATWATCH_A_HIST_BUCKETS]	= { .type = NLA_NESTED },
	[LATWATCH_A_INSTANCE]		= { .type = NLA_U64 },
};

/*
 * libnl's error codes as errno values: the ones that decide an exit code;
 * for the others the description of the libnl code says more.
 */
static int lw_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NOMEM:
		return ENOMEM;
	}
	return EIO;
}

/* A libnl failure: keep its description, return a negative errno. */
static int lw_liberr(struct lw_nl *nl, int nlerr)
{
	snprintf(nl->msg, sizeof(nl->msg), "%s", nl_geterror(nlerr));
	return -lw_errno(nlerr);
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
	}
	if (nl->msg[0])
		lw_err("%s: %s: %s", what, strerror(-err), nl->msg);
	else
		lw_err("%s: %s", what, strerror(-err));
	return LW_EXIT_ERROR;
}

static int lw_parse(struct nlmsghdr *nlh, struct nlattr **tb);

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
	int err = lw_parse(nlh, tb);

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

/* --- Message parsers --- */

int lw_genl_cmd(struct nlmsghdr *nlh)
{
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EINVAL;
	return ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
}

static int lw_parse(struct nlmsghdr *nlh, struct nlattr **tb)
{
	int err = genlmsg_parse(nlh, 0, tb, LATWATCH_A_MAX, lw_ev_policy);

	return err < 0 ? -lw_errno(err) : 0;
}

/* A NUL-terminated string attribute, without its NUL. */
static struct lw_str lw_nla_str(const struct nlattr *a)
{
	const char *p = nla_data(a);

	return (struct lw_str){ .p = p, .len = strnlen(p, (size_t)nla_len(a)) };
}

static int lw_stack_parse(struct nlattr *stack, struct lw_event *ev)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, stack, rem) {
		if (nla_type(a) != LATWATCH_A_EV_FRAME)
			continue;
		if (nla_len(a) < 1 || ((char *)nla_data(a))[nla_len(a) - 1])
			return -EINVAL;
		if (ev->nframes == LATWATCH_STACK_MAX)
			return -E2BIG;
		ev->frames[ev->nframes++] = lw_nla_str(a);
	}
	return 0;
}

#define LW_GET(tb, attr, bit, dst, get, has)			\
	do {							\
		if (tb[attr]) {					\
			dst = get(tb[attr]);			\
			has |= bit;				\
		}						\
	} while (0)

int lw_event_parse(struct nlmsghdr *nlh, struct lw_event *ev)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_parse(nlh, tb);

	memset(ev, 0, sizeof(*ev));
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_EV_TYPE, LW_EV_TYPE, ev->type, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_SEQ, LW_EV_SEQ, ev->seq, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_CPU, LW_EV_CPU, ev->cpu, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_TS_NS, LW_EV_TS, ev->ts_ns, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_DURATION_NS, LW_EV_DURATION, ev->duration_ns,
	       nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_RESOLUTION_NS, LW_EV_RESOLUTION,
	       ev->resolution_ns, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_PID, LW_EV_PID, ev->pid, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_COMM, LW_EV_COMM, ev->comm, lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_CGROUP, LW_EV_CGROUP, ev->cgroup, lw_nla_str,
	       ev->has);
	if ((ev->has & LW_EV_CGROUP) && tb[LATWATCH_A_EV_CGROUP_TRUNCATED])
		ev->has |= LW_EV_CGROUP_TRUNCATED;
	LW_GET(tb, LATWATCH_A_EV_VECTOR, LW_EV_VECTOR, ev->vector, nla_get_u32,
	       ev->has);
	LW_GET(tb, LATWATCH_A_EV_NAME, LW_EV_NAME, ev->name, lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_FUNCTION, LW_EV_FUNCTION, ev->function,
	       lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_KIND, LW_EV_KIND, ev->kind, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_IRQ, LW_EV_IRQ, ev->irq, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_INSTANCE, LW_EV_INSTANCE, ev->instance,
	       nla_get_u64, ev->has);
	if (!tb[LATWATCH_A_EV_STACK])
		return 0;
	ev->has |= LW_EV_STACK;
	return lw_stack_parse(tb[LATWATCH_A_EV_STACK], ev);
}

int lw_lost_parse(struct nlmsghdr *nlh, struct lw_lost *lost)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_parse(nlh, tb);

	memset(lost, 0, sizeof(*lost));
	lost->reason = LW_LOST_KERNEL;
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_LOST_COUNT, LW_LOST_COUNT, lost->count,
	       nla_get_u64, lost->has);
	LW_GET(tb, LATWATCH_A_LOST_TOTAL, LW_LOST_TOTAL, lost->total,
	       nla_get_u64, lost->has);
	return 0;
}

int lw_stat_parse(struct nlmsghdr *nlh, struct lw_stat *st)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_parse(nlh, tb);
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_STAT_CPU, LW_STAT_CPU, st->cpu, nla_get_u32,
	       st->has);
	LW_GET(tb, LATWATCH_A_STAT_ONLINE, LW_STAT_ONLINE, st->online,
	       nla_get_u8, st->has);
	for (i = 0; i < LW_STAT_NCOUNTERS; i++)
		LW_GET(tb, lw_stat_counters[i].attr, 1u << i, st->ctr[i],
		       nla_get_u64, st->has);
	return 0;
}

static int lw_buckets_parse(struct nlattr *buckets, struct lw_hist *h)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, buckets, rem) {
		if (nla_type(a) != LATWATCH_A_HIST_BUCKET)
			continue;
		if (nla_len(a) != sizeof(uint64_t))
			return -EINVAL;
		if (h->nbuckets == LATWATCH_HIST_BUCKETS)
			return -E2BIG;
		h->count[h->nbuckets++] = nla_get_u64(a);
	}
	return 0;
}

int lw_hist_parse(struct nlmsghdr *nlh, struct lw_hist *h)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_parse(nlh, tb);

	memset(h, 0, sizeof(*h));
	if (err)
		return err;
	if (!tb[LATWATCH_A_HIST_CPU] || !tb[LATWATCH_A_HIST_TYPE])
		return -EINVAL;
	h->cpu = nla_get_u32(tb[LATWATCH_A_HIST_CPU]);
	h->type = nla_get_u32(tb[LATWATCH_A_HIST_TYPE]);
	if (!tb[LATWATCH_A_HIST_BUCKETS])
		return 0;
	return lw_buckets_parse(tb[LATWATCH_A_HIST_BUCKETS], h);
}

int lw_cfg_parse_msg(struct nlmsghdr *nlh, struct lw_cfg *cfg)
{
	struct nla_policy policy[LATWATCH_A_MAX + 1] = { 0 };
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	size_t i;
	int err;

	for (i = 0; i < lw_cfg_nkeys; i++)
		policy[lw_cfg_keys[i].attr].type = NLA_U32;
	err = genlmsg_parse(nlh, 0, tb, LATWATCH_A_MAX, policy);
	if (err < 0)
		return -lw_errno(err);
	cfg->has = 0;
	for (i = 0; i < lw_cfg_nkeys; i++)
		LW_GET(tb, lw_cfg_keys[i].attr, 1u << i, cfg->val[i],
		       nla_get_u32, cfg->has);
	return 0;
}

/*
 * The kernel's message in an NLMSG_ERROR: its TLVs follow struct nlmsgerr
 * and, unless NLM_F_CAPPED, the payload of the request it answers.
 * buf is empty if there is none.
 */
int lw_extack_parse(struct nlmsghdr *nlh, char *buf, size_t len)
{
	static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	buf[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < off)
		return -EINVAL;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EINVAL;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (nlh->nlmsg_len < off)
		return -EINVAL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), policy) < 0)
		return -EINVAL;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(buf, len, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return 0;
}

bool lw_ctrl_family_gone(struct nlmsghdr *nlh, int family)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    lw_genl_cmd(nlh) != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0)
		return false;
	return tb[CTRL_ATTR_FAMILY_ID] &&
	       nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == family;
}

bool lw_ctrl_family_new(struct nlmsghdr *nlh)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    lw_genl_cmd(nlh) != CTRL_CMD_NEWFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return false;
	return !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]),
		       LATWATCH_GENL_NAME);
}
