// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include <netlink/genl/ctrl.h>

#include "testutil.h"
#include "msgutil.h"
#include "source/nl.h"
#include "source/nl_parse.h"

/*
 * An NLMSG_ERROR as netlink_ack() builds it: struct nlmsgerr, then the
 * request's payload unless capped, then the TLVs.
 */
static struct nl_msg *nlerr_msg(int error, bool capped, const char *text)
{
	struct nl_msg *req = genl_msg(TEST_FAMILY, LATWATCH_CMD_CONFIG_SET);
	struct nlmsghdr *rh;
	struct nlmsgerr *e;
	struct nl_msg *msg;
	int flags = text ? NLM_F_ACK_TLVS : 0;
	size_t payload;

	nla_put_u32(req, LATWATCH_A_CFG_SAMPLE_PERIOD_US, 0);
	nla_put_u8(req, LATWATCH_A_PAD, 1);	/* 5 bytes: unaligned payload */
	rh = nlmsg_hdr(req);
	payload = capped ? 0 : rh->nlmsg_len - NLMSG_HDRLEN;
	if (capped)
		flags |= NLM_F_CAPPED;

	msg = nlmsg_alloc();
	assert_non_null(msg);
	assert_non_null(nlmsg_put(msg, 0, 1, NLMSG_ERROR, sizeof(*e), flags));
	e = nlmsg_data(nlmsg_hdr(msg));
	e->error = error;
	e->msg = *rh;
	if (payload)
		memcpy(nlmsg_reserve(msg, payload, NLMSG_ALIGNTO),
		       nlmsg_data(rh), payload);
	if (text) {
		nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
		nla_put_string(msg, NLMSGERR_ATTR_MSG, text);
	}
	nlmsg_free(req);
	return msg;
}

static void assert_extack(bool capped, const char *text, const char *want)
{
	struct nl_msg *msg = nlerr_msg(-ERANGE, capped, text);
	char buf[LW_ERR_LEN] = "junk";

	assert_int_equal(lw_extack_parse(nlmsg_hdr(msg), buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	nlmsg_free(msg);
}

static void test_extack(void **state)
{
	(void)state;
	assert_extack(false, "sample_period_us must be at least 100",
		      "sample_period_us must be at least 100");
	assert_extack(true, "threshold below the sample period",
		      "threshold below the sample period");
	assert_extack(false, NULL, "");
	assert_extack(true, NULL, "");
}

static void test_extack_truncated(void **state)
{
	struct nl_msg *msg = nlerr_msg(-EINVAL, false, "x");
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlmsgerr *e = nlmsg_data(nlh);
	char buf[LW_ERR_LEN];

	(void)state;
	/* the quoted request claims to be longer than what follows */
	e->msg.nlmsg_len += 4096;
	assert_int_equal(lw_extack_parse(nlh, buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "");
	e->msg.nlmsg_len = 3;
	assert_int_equal(lw_extack_parse(nlh, buf, sizeof(buf)), -EINVAL);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(lw_extack_parse(nlh, buf, sizeof(buf)), -EINVAL);
	nlmsg_free(msg);
}

static struct nl_msg *ctrl_msg(uint8_t cmd, uint16_t id)
{
	struct nl_msg *msg = genl_msg(GENL_ID_CTRL, cmd);

	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, LATWATCH_GENL_NAME);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	return msg;
}

static void test_family_gone(void **state)
{
	struct nl_msg *del = ctrl_msg(CTRL_CMD_DELFAMILY, TEST_FAMILY);
	struct nl_msg *other = ctrl_msg(CTRL_CMD_DELFAMILY, TEST_FAMILY + 1);
	struct nl_msg *add = ctrl_msg(CTRL_CMD_NEWFAMILY, TEST_FAMILY);
	struct nl_msg *ev = genl_msg(TEST_FAMILY, CTRL_CMD_DELFAMILY);

	(void)state;
	assert_true(lw_ctrl_family_gone(nlmsg_hdr(del), TEST_FAMILY));
	assert_false(lw_ctrl_family_gone(nlmsg_hdr(other), TEST_FAMILY));
	assert_false(lw_ctrl_family_gone(nlmsg_hdr(add), TEST_FAMILY));
	assert_false(lw_ctrl_family_gone(nlmsg_hdr(ev), TEST_FAMILY));
	nlmsg_free(del);
	nlmsg_free(other);
	nlmsg_free(add);
	nlmsg_free(ev);
}

static void test_genl_cmd(void **state)
{
	struct nl_msg *msg = genl_msg(TEST_FAMILY, LATWATCH_CMD_LOST);
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	(void)state;
	assert_int_equal(lw_genl_cmd(nlh), LATWATCH_CMD_LOST);
	nlh->nlmsg_len = NLMSG_HDRLEN;	/* no room for the genl header */
	assert_true(lw_genl_cmd(nlh) < 0);
	nlmsg_free(msg);
}

/*
 * The answer to a request is the NLMSG_ERROR with its sequence number;
 * events and notifications (sequence number 0) and the answers to other
 * requests are not.
 */
static void test_answer(void **state)
{
	struct nl_msg *ack = nlerr_msg(0, true, NULL);
	struct nl_msg *busy = nlerr_msg(-EBUSY, true, "too many subscribers");
	struct nl_msg *ev = genl_msg(TEST_FAMILY, LATWATCH_CMD_EVENT);
	struct nlmsghdr *nlh = nlmsg_hdr(ack);
	char msg[LW_ERR_LEN] = "junk";
	int err = 1;

	(void)state;
	assert_true(lw_nl_answer(nlh, nlh->nlmsg_len, 1, &err, msg,
				 sizeof(msg)));
	assert_int_equal(err, 0);
	assert_string_equal(msg, "");
	assert_false(lw_nl_answer(nlh, nlh->nlmsg_len, 2, &err, msg,
				  sizeof(msg)));
	nlh = nlmsg_hdr(busy);
	assert_true(lw_nl_answer(nlh, nlh->nlmsg_len, 1, &err, msg,
				 sizeof(msg)));
	assert_int_equal(err, -EBUSY);
	assert_string_equal(msg, "too many subscribers");
	/* cut short of struct nlmsgerr: not an answer */
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_false(lw_nl_answer(nlh, nlh->nlmsg_len, 1, &err, msg,
				  sizeof(msg)));
	nlh = nlmsg_hdr(ev);
	assert_false(lw_nl_answer(nlh, nlh->nlmsg_len, 0, &err, msg,
				  sizeof(msg)));
	nlmsg_free(ack);
	nlmsg_free(busy);
	nlmsg_free(ev);
}

/*
 * Ask nlctrl about itself, with an ack: two answers that come before any
 * reply to what the test sends next. Returns the request's sequence number.
 */
static uint32_t ask_nlctrl(struct lw_nl *nl)
{
	struct nl_msg *msg = nlmsg_alloc();
	uint32_t seq;

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				    GENL_ID_CTRL, 0, NLM_F_ACK,
				    CTRL_CMD_GETFAMILY, 1));
	assert_int_equal(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl"),
			 0);
	assert_true(nl_send_auto(nl->sk, msg) >= 0);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	return seq;
}

/*
 * Against the running kernel, which has no family 0xfff0: what comes
 * before the answer to the subscription (here the answer to an nlctrl
 * request sent first, and its acknowledgement) is kept and read back in
 * order.
 */
static void test_subscribe_keeps(void **state)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct lw_nl nl;
	uint32_t sender = 1;
	uint32_t seq;
	ssize_t n;
	int err;

	(void)state;
	if (lw_nl_connect(&nl)) {
		skip();
		return;
	}
	seq = ask_nlctrl(&nl);

	nl.family = 0xfff0;
	assert_false(lw_nl_pending(&nl));
	assert_int_equal(lw_nl_subscribe(&nl), -ENOENT);
	assert_true(lw_nl_pending(&nl));

	n = lw_nl_recv(&nl, buf, sizeof(buf), &sender);
	assert_true(n > 0 && (size_t)n <= sizeof(buf));
	assert_int_equal(sender, 0);
	assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(nlh->nlmsg_seq, seq);
	assert_int_equal(lw_genl_cmd(nlh), CTRL_CMD_NEWFAMILY);

	n = lw_nl_recv(&nl, buf, sizeof(buf), &sender);
	assert_true(n > 0 && (size_t)n <= sizeof(buf));
	assert_true(lw_nl_answer(buf, (size_t)n, seq, &err, nl.msg,
				 sizeof(nl.msg)));
	assert_int_equal(err, 0);

	assert_false(lw_nl_pending(&nl));
	assert_int_equal(lw_nl_recv(&nl, buf, sizeof(buf), &sender), -1);
	assert_int_equal(errno, EAGAIN);
	lw_nl_close(&nl);
}

/* Kept datagrams that nobody read go with the socket. */
static void test_close_frees_kept(void **state)
{
	struct lw_nl nl;

	(void)state;
	if (lw_nl_connect(&nl)) {
		skip();
		return;
	}
	ask_nlctrl(&nl);
	nl.family = 0xfff0;
	assert_int_equal(lw_nl_subscribe(&nl), -ENOENT);
	assert_true(lw_nl_pending(&nl));
	lw_nl_close(&nl);	/* LeakSanitizer checks the rest */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extack),
		cmocka_unit_test(test_extack_truncated),
		cmocka_unit_test(test_family_gone),
		cmocka_unit_test(test_genl_cmd),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_subscribe_keeps),
		cmocka_unit_test(test_close_frees_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
