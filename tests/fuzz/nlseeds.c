// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed datagrams of fuzz_nlmsg into a directory: messages as
 * latwatch.ko and the genetlink core send them (include/latwatch/latwatch.h).
 * Not part of the build; to make the seeds again:
 *
 *	cc -Iinclude $(pkg-config --cflags libnl-genl-3.0) -o /tmp/nlseeds \
 *		tests/fuzz/nlseeds.c $(pkg-config --libs libnl-genl-3.0)
 *	/tmp/nlseeds tests/fuzz/corpus/nlmsg
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <latwatch/latwatch.h>

#define FAMILY	0x1c	/* as fuzz_nlmsg.c */

static const char *dir;

static void die(const char *what)
{
	fprintf(stderr, "nlseeds: %s\n", what);
	exit(1);
}

static struct nl_msg *genl(int family, uint8_t cmd, int version)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, family, 0, 0, cmd, version))
		die("out of memory");
	return msg;
}

/* Write the messages, in one datagram, to dir/name; free them. */
static void datagram(const char *name, struct nl_msg **msgs, int n)
{
	char path[4096];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die(strerror(errno));
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(msgs[i]);

		/* each message is padded to NLMSG_ALIGNTO but the last */
		fwrite(nlh, 1, i + 1 < n ? NLMSG_ALIGN(nlh->nlmsg_len) :
		       nlh->nlmsg_len, f);
		nlmsg_free(msgs[i]);
	}
	if (fclose(f))
		die(strerror(errno));
}

static void one(const char *name, struct nl_msg *msg)
{
	datagram(name, &msg, 1);
}

static void stack(struct nl_msg *msg, const char *const *frames)
{
	struct nlattr *st = nla_nest_start(msg, LATWATCH_A_EV_STACK);

	for (; *frames; frames++)
		nla_put_string(msg, LATWATCH_A_EV_FRAME, *frames);
	nla_nest_end(msg, st);
}

static struct nl_msg *event(uint32_t type, uint64_t seq, uint32_t cpu,
			    uint64_t dur, uint32_t pid, const char *comm)
{
	struct nl_msg *msg = genl(FAMILY, LATWATCH_CMD_EVENT,
				  LATWATCH_GENL_VERSION);

	nla_put_u32(msg, LATWATCH_A_EV_TYPE, type);
	nla_put_u64(msg, LATWATCH_A_EV_SEQ, seq);
	nla_put_u32(msg, LATWATCH_A_EV_CPU, cpu);
	nla_put_u64(msg, LATWATCH_A_EV_TS_NS, 1795312654100244000ull);
	nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, dur);
	nla_put_u64(msg, LATWATCH_A_EV_RESOLUTION_NS, 1000000);
	nla_put_u32(msg, LATWATCH_A_EV_PID, pid);
	nla_put_string(msg, LATWATCH_A_EV_COMM, comm);
	return msg;
}

static void events(void)
{
	static const char *const irqoff[] = {
		"lwinj_irqoff+0x5d/0x70 [latwatch_inject]",
		"lwinj_work+0x43/0x100 [latwatch_inject]",
		"work_for_cpu_fn+0x1a/0x30",
		"process_one_work+0x190/0x3a0",
		"worker_thread+0x191/0x2f0",
		"kthread+0xd2/0x100",
		"ret_from_fork+0x34/0x50",
		"ret_from_fork_asm+0x1a/0x30",
		NULL,
	};
	static const char *const bh[] = {
		"memcg_stat_show+0x5e/0x1f0",
		"seq_read_iter+0x11f/0x4c0",
		"vfs_read+0x23d/0x330",
		NULL,
	};
	static const char *const timer[] = {
		"estimation_timer+0x3c/0x2d0 [ip_vs]",
		"call_timer_fn+0x27/0x130",
		"__run_timers+0x21e/0x2b0",
		NULL,
	};
	static const char *const hung[] = {
		"__schedule+0x2c9/0x870",
		"schedule+0x5d/0xd0",
		"io_schedule+0x46/0x70",
		"folio_wait_bit_common+0x13d/0x350",
		NULL,
	};
	struct nl_msg *msg, *two[2];

	msg = event(LATWATCH_EV_IRQOFF, 1, 1, 50536000, 161, "kworker/1:2");
	stack(msg, irqoff);
	one("event-irqoff", msg);

	msg = event(LATWATCH_EV_SOFTIRQOFF, 2, 1, 29733000, 4242, "lxcfs");
	nla_put_string(msg, LATWATCH_A_EV_CGROUP, "/system.slice/lxcfs.service");
	stack(msg, bh);
	one("event-softirqoff", msg);

	msg = event(LATWATCH_EV_SOFTIRQ, 3, 0, 12000000, 0, "swapper/0");
	nla_put_u32(msg, LATWATCH_A_EV_VECTOR, 3);
	nla_put_string(msg, LATWATCH_A_EV_NAME, "NET_RX");
	one("event-softirq", msg);

	msg = event(LATWATCH_EV_TIMER, 4, 0, 119000000, 0, "swapper/0");
	nla_put_string(msg, LATWATCH_A_EV_FUNCTION, "estimation_timer [ip_vs]");
	nla_put_u32(msg, LATWATCH_A_EV_KIND, LATWATCH_TIMER_LIST);
	stack(msg, timer);
	one("event-timer", msg);

	msg = event(LATWATCH_EV_HARDIRQ, 5, 1, 6000000, 0, "swapper/1");
	nla_put_u32(msg, LATWATCH_A_EV_IRQ, 24);
	nla_put_string(msg, LATWATCH_A_EV_NAME, "eth0");
	one("event-hardirq", msg);

	two[0] = event(LATWATCH_EV_HUNG, 6, 0, 12000000000ull, 812, "jbd2/sda1-8");
	stack(two[0], hung);
	two[1] = event(LATWATCH_EV_HUNG_END, 7, 0, 15500000000ull, 812,
		       "jbd2/sda1-8");
	datagram("event-hung-two", two, 2);

	/* bytes that are not UTF-8, a control character, an unknown type */
	msg = event(42, 8, 3, 1500, 1, "a\x1b[31m\xff\xfe");
	nla_put_string(msg, LATWATCH_A_EV_NAME, "\xc3\x28 \\ \"q\"");
	one("event-odd", msg);

	msg = genl(FAMILY, LATWATCH_CMD_LOST, LATWATCH_GENL_VERSION);
	nla_put_u64(msg, LATWATCH_A_LOST_COUNT, 17);
	nla_put_u64(msg, LATWATCH_A_LOST_TOTAL, 1234);
	one("lost", msg);
}

static struct nl_msg *stats(uint32_t cpu, uint8_t online, uint64_t base)
{
	struct nl_msg *msg = genl(FAMILY, LATWATCH_CMD_STATS_GET,
				  LATWATCH_GENL_VERSION);
	int a;

	nla_put_u32(msg, LATWATCH_A_STAT_CPU, cpu);
	nla_put_u8(msg, LATWATCH_A_STAT_ONLINE, online);
	for (a = LATWATCH_A_STAT_SAMPLES; a <= LATWATCH_A_STAT_UNHEARD; a++)
		nla_put_u64(msg, a, base + (uint64_t)a);
	return msg;
}

static struct nl_msg *hist(uint32_t cpu, uint32_t type, int nbuckets)
{
	struct nl_msg *msg = genl(FAMILY, LATWATCH_CMD_HIST_GET,
				  LATWATCH_GENL_VERSION);
	struct nlattr *b;
	int i;

	nla_put_u32(msg, LATWATCH_A_HIST_CPU, cpu);
	nla_put_u32(msg, LATWATCH_A_HIST_TYPE, type);
	b = nla_nest_start(msg, LATWATCH_A_HIST_BUCKETS);
	for (i = 0; i < nbuckets; i++)
		nla_put_u64(msg, LATWATCH_A_HIST_BUCKET, (uint64_t)(i * 7 % 5));
	nla_nest_end(msg, b);
	return msg;
}

static struct nl_msg *done(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	int zero = 0;

	if (!msg || !nlmsg_put(msg, 0, 0, NLMSG_DONE, sizeof(zero),
			       NLM_F_MULTI))
		die("out of memory");
	memcpy(nlmsg_data(nlmsg_hdr(msg)), &zero, sizeof(zero));
	return msg;
}

static void dumps(void)
{
	struct nl_msg *m[4];
	int a;

	m[0] = stats(1, 1, 1000);
	m[1] = stats(0, 1, 2000);
	m[2] = stats(2, 0, 0);
	m[3] = done();
	datagram("stats-dump", m, 4);

	m[0] = hist(0, LATWATCH_EV_IRQOFF, 14);
	m[1] = hist(1, LATWATCH_EV_IRQOFF, 3);
	m[2] = hist(1, LATWATCH_EV_TIMER, LATWATCH_HIST_BUCKETS);
	m[3] = done();
	datagram("hist-dump", m, 4);

	m[0] = genl(FAMILY, LATWATCH_CMD_CONFIG_GET, LATWATCH_GENL_VERSION);
	nla_put_u32(m[0], LATWATCH_A_CFG_IRQOFF_THRESHOLD_US, 10000);
	nla_put_u32(m[0], LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US, 10000);
	nla_put_u32(m[0], LATWATCH_A_CFG_SAMPLE_PERIOD_US, 1000);
	nla_put_u32(m[0], LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US, 10000);
	nla_put_u32(m[0], LATWATCH_A_CFG_TIMER_THRESHOLD_US, 10000);
	nla_put_u32(m[0], LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US, 5000);
	nla_put_u32(m[0], LATWATCH_A_CFG_HUNG_THRESHOLD_MS, 10000);
	nla_put_u32(m[0], LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS, 1000);
	for (a = LATWATCH_A_CFG_IRQOFF_ENABLED; a <= LATWATCH_A_CFG_HUNG_ENABLED;
	     a++)
		nla_put_u32(m[0], a, 1);
	one("config-reply", m[0]);
}

/* An NLMSG_ERROR as netlink_ack() builds it, with an extended ack. */
static void nlerror(const char *name, bool capped)
{
	struct nl_msg *req = genl(FAMILY, LATWATCH_CMD_CONFIG_SET,
				  LATWATCH_GENL_VERSION);
	struct nlmsghdr *rh;
	struct nlmsgerr *e;
	struct nl_msg *msg;
	size_t payload;
	int flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);

	nla_put_u32(req, LATWATCH_A_CFG_SAMPLE_PERIOD_US, 10);
	rh = nlmsg_hdr(req);
	payload = capped ? 0 : rh->nlmsg_len - NLMSG_HDRLEN;
	msg = nlmsg_alloc();
	if (!msg || !nlmsg_put(msg, 0, 1, NLMSG_ERROR, sizeof(*e), flags))
		die("out of memory");
	e = nlmsg_data(nlmsg_hdr(msg));
	e->error = -ERANGE;
	e->msg = *rh;
	if (payload)
		memcpy(nlmsg_reserve(msg, payload, NLMSG_ALIGNTO),
		       nlmsg_data(rh), payload);
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	nla_put_string(msg, NLMSGERR_ATTR_MSG,
		       "sample_period_us must be at least 100");
	nlmsg_free(req);
	one(name, msg);
}

static void ctrl(void)
{
	struct nl_msg *msg;

	msg = genl(GENL_ID_CTRL, CTRL_CMD_DELFAMILY, 2);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, FAMILY);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, LATWATCH_GENL_NAME);
	one("ctrl-delfamily", msg);

	msg = genl(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 2);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, FAMILY);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, LATWATCH_GENL_NAME);
	nla_put_u32(msg, CTRL_ATTR_VERSION, LATWATCH_GENL_VERSION);
	one("ctrl-newfamily", msg);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: nlseeds DIR");
	dir = argv[1];
	events();
	dumps();
	nlerror("error-extack", false);
	nlerror("error-extack-capped", true);
	ctrl();
	return 0;
}
