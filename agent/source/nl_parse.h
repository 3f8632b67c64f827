/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_NL_PARSE_H
#define LATWATCH_NL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/netlink.h>

#include "source/hist_dump.h"
#include "source/modevent.h"
#include "source/module_cfg.h"
#include "source/stats_dump.h"

struct nlattr;

/* libnl's error code nlerr as a positive errno value. */
int lw_nl_errno(int nlerr);
/*
 * The attributes of a latwatch message into tb[LATWATCH_A_MAX + 1],
 * checked against their types: 0 or a negative errno.
 */
int lw_nl_attrs(struct nlmsghdr *nlh, struct nlattr **tb);

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
