/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_NL_H
#define LATWATCH_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "config.h"
#include "event.h"
#include "hist.h"
#include "stats.h"

struct nl_sock;

struct lw_nl {
	struct nl_sock *sk;
	int family;
	/* Why the last call failed, beyond its errno: the kernel's extended
	 * ack message or libnl's description. Empty if nothing more is known.
	 */
	char msg[LW_ERR_LEN];
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

/* The id of the "events" group, or a negative errno. */
int lw_nl_events_group(struct lw_nl *nl);
int lw_nl_join(struct lw_nl *nl, int group);
int lw_nl_join_ctrl(struct lw_nl *nl);
void lw_nl_set_rcvbuf(struct lw_nl *nl, int bytes);
int lw_nl_fd(const struct lw_nl *nl);

/*
 * Print the one-line error for err (a negative errno) from doing what,
 * and return the exit code.
 */
int lw_nl_fail(const struct lw_nl *nl, int err, const char *what);

/* Parsers of single messages: 0 or a negative errno. */
int lw_genl_cmd(struct nlmsghdr *nlh);
int lw_event_parse(struct nlmsghdr *nlh, struct lw_event *ev);
int lw_lost_parse(struct nlmsghdr *nlh, struct lw_lost *lost);
int lw_cfg_parse_msg(struct nlmsghdr *nlh, struct lw_cfg *cfg);
int lw_stat_parse(struct nlmsghdr *nlh, struct lw_stat *st);
/* -EINVAL without a CPU or a type: the dump always sends both. */
int lw_hist_parse(struct nlmsghdr *nlh, struct lw_hist *h);
int lw_extack_parse(struct nlmsghdr *nlh, char *buf, size_t len);
bool lw_ctrl_family_gone(struct nlmsghdr *nlh, int family);
/* A CTRL_CMD_NEWFAMILY for "latwatch": the module was loaded. */
bool lw_ctrl_family_new(struct nlmsghdr *nlh);

#endif
