// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the generic netlink family and its ops: the control plane.
 *
 * Every command needs CAP_NET_ADMIN: events carry kernel stacks. Requests
 * are validated strictly against per-command policies. The ops run in
 * parallel, each under the lock of what it touches: the configuration's
 * (CONFIG_SET, control.c), the subscribers' (SUBSCRIBE, UNSUBSCRIBE,
 * send.c), the replay ring's (its dump, replay.c); statistics and
 * histograms are read without one.
 *
 * The ops only answer requests. Events and losses go out from send.c,
 * which takes nothing from here but the family for its message headers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>

#include "compat.h"
#include "internal.h"

static const struct nla_policy lw_config_policy[LATWATCH_A_MAX + 1] = {
	[LATWATCH_A_CFG_IRQOFF_THRESHOLD_US]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US] = { .type = NLA_U32 },
	[LATWATCH_A_CFG_SAMPLE_PERIOD_US]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_TIMER_THRESHOLD_US]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_IRQOFF_ENABLED]		= { .type = NLA_U32 },
	[LATWATCH_A_CFG_SOFTIRQOFF_ENABLED]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_SOFTIRQ_ENABLED]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_TIMER_ENABLED]		= { .type = NLA_U32 },
	[LATWATCH_A_CFG_HARDIRQ_ENABLED]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_HUNG_THRESHOLD_MS]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_HUNG_ENABLED]		= { .type = NLA_U32 },
	[LATWATCH_A_CFG_MAX_EVENTS_PER_SEC]	= { .type = NLA_U32 },
	[LATWATCH_A_CFG_REPLAY_EVENTS]		= { .type = NLA_U32 },
	[LATWATCH_A_CFG_IDLE_PAUSE]		= { .type = NLA_U32 },
};

static const struct nla_policy lw_replay_policy[LATWATCH_A_MAX + 1] = {
	[LATWATCH_A_REPLAY_SINCE]		= { .type = NLA_U64 },
};

/*
 * The commands that take no attribute reject any, on every kernel: from 6.1
 * on the genetlink core does that for ops without a policy, before 6.1 it
 * ignored their attributes.
 */
static const struct nla_policy lw_no_attrs_policy[2] = {
	[1] = { .type = NLA_REJECT },
};

/* Histograms are kept for these types. */
static const u32 lw_hist_types[] = {
	LATWATCH_EV_IRQOFF,
	LATWATCH_EV_SOFTIRQOFF,
	LATWATCH_EV_SOFTIRQ,
	LATWATCH_EV_TIMER,
	LATWATCH_EV_HARDIRQ,
};

static int lw_put_config(struct sk_buff *msg, const struct lw_config *cfg)
{
	int k;

	for (k = 0; k < LW_NR_KEYS; k++)
		if (nla_put_u32(msg, lw_config_attr(k), cfg->val[k]))
			return -EMSGSIZE;
	return 0;
}

static int lw_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct lw_config cfg;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &lw_family, 0,
				LATWATCH_CMD_CONFIG_GET);
	if (!hdr)
		goto err;
	lw_config_get(&cfg);
	if (lw_put_config(msg, &cfg) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_INSTANCE, lw_instance,
			      LATWATCH_A_PAD))
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int lw_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct lw_config cfg;
	enum lw_key bad;
	const char *msg;
	int k, ret;

	/* The ops run in parallel: read, check and apply as one. */
	lw_config_lock();
	lw_config_get(&cfg);
	for (k = 0; k < LW_NR_KEYS; k++)
		if (a[lw_config_attr(k)])
			cfg.val[k] = nla_get_u32(a[lw_config_attr(k)]);

	msg = lw_config_check(&cfg, &bad);
	if (msg) {
		lw_extack_set(info->extack, a[lw_config_attr(bad)], msg);
		ret = -EINVAL;
	} else {
		ret = lw_config_change(&cfg, &msg);
		if (ret)
			lw_extack_set(info->extack, NULL, msg);
	}
	lw_config_unlock();
	return ret;
}

/* One CPU's counters, each from the file that keeps it. */
static void lw_stats_get(unsigned int cpu, struct lw_stats *st)
{
	struct lw_cpu *c = per_cpu_ptr(lw_cpus(), cpu);

	lw_sampler_stats(c, st);
	lw_irqoff_stats(c, st);
	lw_softirqoff_stats(c, st);
	lw_delivery_stats(c, st);
}

static int lw_stats_put(struct sk_buff *skb, unsigned int cpu)
{
	struct lw_stats st;

	lw_stats_get(cpu, &st);
	if (nla_put_u32(skb, LATWATCH_A_STAT_CPU, cpu) ||
	    nla_put_u8(skb, LATWATCH_A_STAT_ONLINE, st.online) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_SAMPLES, st.samples,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_EVENTS, st.events,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_LOST, st.lost,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_STALLS, st.stalls,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_SOFTIRQ_LATE,
			      st.softirq_late, LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_UNHEARD, st.unheard,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_DELIVERED, st.delivered,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_RATELIMITED,
			      st.ratelimited, LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_IDLE_PAUSES,
			      st.idle_pauses, LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(skb, LATWATCH_A_STAT_IDLE_NS, st.idle_ns,
			      LATWATCH_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* One message per possible CPU; cb->args[0] is the next CPU to dump. */
static int lw_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int cpu;

	for (cpu = cb->args[0]; cpu < nr_cpu_ids; cpu++) {
		void *hdr;

		if (!cpu_possible(cpu))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &lw_family, NLM_F_MULTI,
				  LATWATCH_CMD_STATS_GET);
		if (!hdr)
			break;
		if (lw_stats_put(skb, cpu)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = cpu;
	return skb->len;
}

static int lw_hist_put(struct sk_buff *skb, unsigned int cpu, u32 type)
{
	u64 buckets[LATWATCH_HIST_BUCKETS];
	struct nlattr *nest;
	int b, last = -1;

	lw_hist_get(cpu, type, buckets);
	for (b = 0; b < LATWATCH_HIST_BUCKETS; b++)
		if (buckets[b])
			last = b;
	if (nla_put_u32(skb, LATWATCH_A_HIST_CPU, cpu) ||
	    nla_put_u32(skb, LATWATCH_A_HIST_TYPE, type))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, LATWATCH_A_HIST_BUCKETS);
	if (!nest)
		return -EMSGSIZE;
	for (b = 0; b <= last; b++)
		if (nla_put_u64_64bit(skb, LATWATCH_A_HIST_BUCKET, buckets[b],
				      LATWATCH_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One message per possible CPU and type; cb->args[0] counts them. */
static int lw_hist_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const unsigned int ntypes = ARRAY_SIZE(lw_hist_types);
	unsigned long i;

	for (i = cb->args[0]; i < (unsigned long)nr_cpu_ids * ntypes; i++) {
		unsigned int cpu = i / ntypes;
		void *hdr;

		if (!cpu_possible(cpu))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &lw_family, NLM_F_MULTI,
				  LATWATCH_CMD_HIST_GET);
		if (!hdr)
			break;
		if (lw_hist_put(skb, cpu, lw_hist_types[i % ntypes])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	return skb->len;
}

static int lw_hist_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	lw_hist_reset();
	return 0;
}

static int lw_replay_start(struct netlink_callback *cb)
{
	struct nlattr **a = lw_dump_attrs(cb);

	cb->args[0] = a && a[LATWATCH_A_REPLAY_SINCE] ?
		      nla_get_u64(a[LATWATCH_A_REPLAY_SINCE]) : 0;
	return 0;
}

struct lw_replay_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

/* One kept event, as the LATWATCH_CMD_EVENT it went out as. */
static int lw_replay_put(void *arg, const void *data, u32 len)
{
	struct lw_replay_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &lw_family, NLM_F_MULTI,
			  LATWATCH_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (skb_tailroom(d->skb) < len) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	skb_put_data(d->skb, data, len);
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* cb->args[0]: the sequence number of the last event dumped. */
static int lw_replay_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lw_replay_dump d = { .skb = skb, .cb = cb };
	u64 after = cb->args[0];

	lw_replay_walk(&after, lw_replay_put, &d);
	cb->args[0] = after;
	return skb->len;
}

static int lw_subscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	return lw_subscribe(NETLINK_CB(skb).sk, NETLINK_CB(skb).portid,
			    info->extack);
}

static int lw_unsubscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	lw_unsubscribe(NETLINK_CB(skb).sk);
	return 0;
}

static const struct genl_ops lw_ops[] = {
	{
		.cmd	= LATWATCH_CMD_CONFIG_GET,
		.doit	= lw_config_get_doit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_CONFIG_SET,
		.doit	= lw_config_set_doit,
		.policy	= lw_config_policy,
		.maxattr = LATWATCH_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_STATS_GET,
		.dumpit	= lw_stats_dumpit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_HIST_GET,
		.dumpit	= lw_hist_dumpit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_HIST_RESET,
		.doit	= lw_hist_reset_doit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_REPLAY_GET,
		.start	= lw_replay_start,
		.dumpit	= lw_replay_dumpit,
		.policy	= lw_replay_policy,
		.maxattr = LATWATCH_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_SUBSCRIBE,
		.doit	= lw_subscribe_doit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= LATWATCH_CMD_UNSUBSCRIBE,
		.doit	= lw_unsubscribe_doit,
		.policy	= lw_no_attrs_policy,
		.maxattr = 1,
		.flags	= GENL_ADMIN_PERM,
	},
};

struct genl_family lw_family = {
	.name		= LATWATCH_GENL_NAME,
	.version	= LATWATCH_GENL_VERSION,
	.module		= THIS_MODULE,
	.ops		= lw_ops,
	.n_ops		= ARRAY_SIZE(lw_ops),
	/*
	 * The ops do not take the genetlink mutex: a CONFIG_SET waits for
	 * probes to finish and for every CPU, and must not hold up every
	 * other family meanwhile. Each op takes the lock of what it touches.
	 */
	.parallel_ops	= true,
	/*
	 * resv_start_op (6.1) stays 0: every command is validated strictly
	 * (with its policy, unknown attributes and header bits rejected).
	 */
};

/*
 * The family last (after lw_send_init()): requests come as soon as it is
 * there. A SUBSCRIBE that comes then is undone by lw_send_exit() if the
 * module does not load after all.
 */
int lw_genl_init(void)
{
	return genl_register_family(&lw_family);
}

/* Returns when no op runs any more, and none will. */
void lw_genl_exit(void)
{
	genl_unregister_family(&lw_family);
}
