/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_MSGUTIL_H
#define LATWATCH_MSGUTIL_H

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <latwatch/latwatch.h>

/* A family id as the kernel could have given it. */
#define TEST_FAMILY	0x1c

/* A generic netlink message as the kernel sends it, without attributes. */
static inline struct nl_msg *genl_msg(int family, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, family, 0, 0, cmd,
				    LATWATCH_GENL_VERSION));
	return msg;
}

#endif
