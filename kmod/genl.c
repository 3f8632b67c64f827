// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the generic netlink family.
 *
 * Every command needs CAP_NET_ADMIN, and so does joining "events": events
 * carry kernel stacks. Requests are validated strictly against per-command
 * policies. The ops run in parallel, each under the lock of what it
 * touches: the configuration's (CONFIG_SET), the replay ring's (its dump);
 * statistics and histograms are read without one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "latwatch.h"

enum lw_mcgrp {
	LW_MCGRP_EVENTS,
};

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

static struct genl_family lw_family;

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
};

static const struct genl_multicast_group lw_mcgrps[] = {
	[LW_MCGRP_EVENTS] = {
		.name	= LATWATCH_GENL_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family lw_family = {
	.name		= LATWATCH_GENL_NAME,
	.version	= LATWATCH_GENL_VERSION,
	.module		= THIS_MODULE,
	.ops		= lw_ops,
	.n_ops		= ARRAY_SIZE(lw_ops),
	.mcgrps		= lw_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(lw_mcgrps),
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

bool lw_genl_listening(void)
{
	return genl_has_listeners(&lw_family, &init_net, LW_MCGRP_EVENTS);
}

/* latwatch's own frames and the tracepoint's lead tracepoint stacks. */
static bool lw_own_frame(const char *sym)
{
	return strstr(sym, " [" KBUILD_MODNAME "]") ||
	       str_has_prefix(sym, "__traceiter_") ||
	       str_has_prefix(sym, "__probestub_");
}

static int lw_put_stack(struct sk_buff *msg, const struct lw_event *ev)
{
	char sym[KSYM_SYMBOL_LEN];
	struct nlattr *nest;
	bool leading = true;
	unsigned int i;

	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ev->nr_frames; i++) {
		/* Frame 0 is where the culprit was; the rest return there. */
		if (i == 0)
			snprintf(sym, sizeof(sym), "%pS", (void *)ev->frames[i]);
		else
			snprintf(sym, sizeof(sym), "%pB", (void *)ev->frames[i]);
		if (leading && lw_own_frame(sym))
			continue;
		leading = false;
		if (nla_put_string(msg, LATWATCH_A_EV_FRAME, sym))
			break;	/* keep the frames that fit */
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int lw_put_cgroup(struct sk_buff *msg, const struct lw_event *ev)
{
	char *path;
	int ret = 0;

	if (!ev->cgrp)
		return 0;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return 0;	/* the event goes out without it */
	if (cgroup_path(ev->cgrp, path, PATH_MAX) >= 0)
		ret = nla_put_string(msg, LATWATCH_A_EV_CGROUP, path);
	kfree(path);
	return ret;
}

/* The callback's bare name: "estimation_timer", not "... [ip_vs]". */
static int lw_put_function(struct sk_buff *msg, void *fn)
{
	char sym[KSYM_SYMBOL_LEN];

	snprintf(sym, sizeof(sym), "%ps", fn);
	sym[strcspn(sym, " ")] = '\0';
	return nla_put_string(msg, LATWATCH_A_EV_FUNCTION, sym);
}

static int lw_put_details(struct sk_buff *msg, const struct lw_event *ev)
{
	switch (ev->type) {
	case LATWATCH_EV_SOFTIRQ:
		if (nla_put_u32(msg, LATWATCH_A_EV_VECTOR, ev->vector) ||
		    nla_put_string(msg, LATWATCH_A_EV_NAME, ev->name))
			return -EMSGSIZE;
		break;
	case LATWATCH_EV_TIMER:
		if (nla_put_u32(msg, LATWATCH_A_EV_KIND, ev->kind) ||
		    lw_put_function(msg, ev->function))
			return -EMSGSIZE;
		break;
	case LATWATCH_EV_HARDIRQ:
		if (nla_put_u32(msg, LATWATCH_A_EV_IRQ, ev->irq) ||
		    nla_put_string(msg, LATWATCH_A_EV_NAME, ev->name))
			return -EMSGSIZE;
		break;
	}
	return lw_put_cgroup(msg, ev);
}

static int lw_put_event(struct sk_buff *msg, const struct lw_event *ev)
{
	if (nla_put_u32(msg, LATWATCH_A_EV_TYPE, ev->type) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_EV_SEQ, ev->seq,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_INSTANCE, lw_instance,
			      LATWATCH_A_PAD) ||
	    nla_put_u32(msg, LATWATCH_A_EV_CPU, ev->cpu) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_EV_TS_NS, ev->ts_ns,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_EV_DURATION_NS, ev->duration_ns,
			      LATWATCH_A_PAD) ||
	    (ev->resolution_ns &&
	     nla_put_u64_64bit(msg, LATWATCH_A_EV_RESOLUTION_NS,
			       ev->resolution_ns, LATWATCH_A_PAD)) ||
	    nla_put_u32(msg, LATWATCH_A_EV_PID, ev->pid) ||
	    nla_put_string(msg, LATWATCH_A_EV_COMM, ev->comm) ||
	    lw_put_details(msg, ev))
		return -EMSGSIZE;
	return lw_put_stack(msg, ev);
}

/*
 * Process context: keep @ev for replay and multicast it. 0, -ESRCH
 * (nobody listens) or another error.
 */
int lw_genl_send_event(const struct lw_event *ev)
{
	bool listening = lw_genl_listening();
	struct sk_buff *msg;
	void *hdr;

	if (!listening && !lw_replay_enabled())
		return -ESRCH;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &lw_family, 0, LATWATCH_CMD_EVENT);
	if (!hdr || lw_put_event(msg, ev)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	lw_replay_add(ev->seq, hdr, (unsigned char *)skb_tail_pointer(msg) -
		      (unsigned char *)hdr);
	if (!listening) {
		nlmsg_free(msg);
		return -ESRCH;
	}
	return genlmsg_multicast(&lw_family, msg, 0, LW_MCGRP_EVENTS,
				 GFP_KERNEL);
}

int lw_genl_send_lost(u64 count, u64 total)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &lw_family, 0, LATWATCH_CMD_LOST);
	if (!hdr ||
	    nla_put_u64_64bit(msg, LATWATCH_A_LOST_COUNT, count,
			      LATWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_LOST_TOTAL, total,
			      LATWATCH_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast(&lw_family, msg, 0, LW_MCGRP_EVENTS,
				 GFP_KERNEL);
}

int lw_genl_init(void)
{
	return genl_register_family(&lw_family);
}

void lw_genl_exit(void)
{
	genl_unregister_family(&lw_family);
}
