/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_NL_H
#define LATWATCH_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/netlink.h>

#include "source/hist_dump.h"
#include "source/module_cfg.h"
#include "source/stats_dump.h"

struct nl_sock;

/* How long lw_nl_subscribe() waits for the kernel's answer. */
#define LW_NL_ANSWER_MS	5000

/* A datagram that came before the answer to LATWATCH_CMD_SUBSCRIBE. */
struct lw_nl_dgram {
	struct lw_nl_dgram *next;
	int err;		/* not 0: no datagram, recv() failed so here */
	size_t len;
	unsigned char data[];
};

struct lw_nl {
	struct nl_sock *sk;
	int family;
	/* Why the last call failed, beyond its errno: the kernel's extended
	 * ack message or libnl's description. Empty if nothing more is known.
	 */
	char msg[LW_ERR_LEN];
	/* What lw_nl_subscribe() read before its answer, oldest first. */
	struct lw_nl_dgram *kept;
};

/*
 * These return 0 or a negative errno unless said otherwise. lw_nl_open()
 * connects and resolves the family; lw_nl_connect() only connects.
 */
int lw_nl_connect(struct lw_nl *nl);
int lw_nl_open(struct lw_nl *nl);
void lw_nl_close(struct lw_nl *nl);

int lw_nl_config_get(struct lw_nl *nl, struct lw_cfg *cfg);
int lw_nl_config_set(struct lw_nl *nl, const struct lw_cfg *cfg);
int lw_nl_stats(struct lw_nl *nl, struct lw_stats *stats);
int lw_nl_hist(struct lw_nl *nl, struct lw_hists *hists);
int lw_nl_hist_reset(struct lw_nl *nl);
/* The module instance (LATWATCH_A_INSTANCE); -EOPNOTSUPP from a module
 * without replay.
 */
int lw_nl_instance(struct lw_nl *nl, uint64_t *instance);
/*
 * LATWATCH_CMD_REPLAY_GET: feed each kept event with a sequence number
 * above after, oldest first, to fn (a nonzero return ends the request
 * with that error).
 */
int lw_nl_replay(struct lw_nl *nl, uint64_t after,
		 int (*fn)(struct nlmsghdr *nlh, void *arg), void *arg);

/*
 * Events. The module sends them only to sockets that subscribed
 * (LATWATCH_CMD_SUBSCRIBE, which needs CAP_NET_ADMIN), by unicast, until
 * the socket is closed. lw_nl_subscribe() asks for them on this socket,
 * nl->family set; the answer comes on the same socket as the events and
 * the family notifications, and whatever comes before it is kept for
 * lw_nl_recv(), in order. -EPERM without CAP_NET_ADMIN, -EBUSY when the
 * module has as many subscribers as it takes.
 */
int lw_nl_subscribe(struct lw_nl *nl);
/*
 * One datagram without waiting, those lw_nl_subscribe() kept first: its
 * whole length (more than size: cut short), or -1 and errno (EAGAIN: none
 * now; ENOBUFS: the socket overran). *sender: the port it came from, 0 for
 * the kernel.
 */
ssize_t lw_nl_recv(struct lw_nl *nl, void *buf, size_t size,
		   uint32_t *sender);
/* Kept datagrams to read: poll() will not say so. */
bool lw_nl_pending(const struct lw_nl *nl);
/*
 * Is the datagram buf the answer to request seq, an NLMSG_ERROR with its
 * sequence number? Then *err is its error (0: an acknowledgement) and msg
 * the extended ack's message, if any.
 */
bool lw_nl_answer(const void *buf, size_t len, uint32_t seq, int *err,
		  char *msg, size_t msglen);
/* Family notifications (nlctrl "notify"): the module loaded, unloaded. */
int lw_nl_join_ctrl(struct lw_nl *nl);
void lw_nl_set_rcvbuf(struct lw_nl *nl, int bytes);
int lw_nl_fd(const struct lw_nl *nl);

/*
 * Print the one-line error for err (a negative errno) from doing what,
 * and return the exit code.
 */
int lw_nl_fail(const struct lw_nl *nl, int err, const char *what);

#endif
