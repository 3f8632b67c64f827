// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the generic netlink family.
 *
 * Every command needs CAP_NET_ADMIN: events carry kernel stacks. Requests
 * are validated strictly against per-command policies. The ops run in
 * parallel, each under the lock of what it touches: the configuration's
 * (CONFIG_SET), the subscribers' (SUBSCRIBE, UNSUBSCRIBE), the replay
 * ring's (its dump); statistics and histograms are read without one.
 *
 * Events go to subscribers only: sockets that asked for them with
 * LATWATCH_CMD_SUBSCRIBE, each sent its own copy by unicast. The family has
 * no multicast group, so there is nothing to join: a group's
 * GENL_MCAST_CAP_NET_ADMIN flag, which keeps the unprivileged out, is
 * missing from older kernels (5.10; Debian's 6.1 before 6.1.0-50), and
 * there anybody may join any group of the family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "internal.h"

/*
 * Subscribers: the sockets, all in init_net (the family is not netnsok),
 * that sent LATWATCH_CMD_SUBSCRIBE and have neither unsubscribed nor been
 * released. Each event is unicast to every one's port.
 *
 * A port is only a number, free for anybody to bind again once its socket
 * is released; the release notifier (NETLINK_URELEASE) removes the
 * subscriber, but netlink_release() frees the port before it calls the
 * notifier. So each entry also holds a reference to its socket, and the
 * sender skips (and drops) one whose socket is dead: sock_orphan() sets
 * SOCK_DEAD in netlink_release() before the notifier runs, and a socket
 * never comes back to life. A port that refuses a unicast (ECONNREFUSED:
 * its socket is gone, or connected elsewhere) drops the subscriber too.
 *
 * lw_subs_lock, a mutex, guards the table and is held across each send, so
 * once SUBSCRIBE, UNSUBSCRIBE or the notifier have removed an entry, no
 * message goes to its port any more. Everything that takes it runs in
 * process context: the ops (in parallel, under no other lock), the
 * notifier (from close()) and the flush work (delivery.c). A unicast with
 * MSG_DONTWAIT never waits for its receiver: a full receive buffer fails
 * it with EAGAIN and marks the receiver overrun (ENOBUFS on its next
 * recv).
 */
#define LW_MAX_SUBSCRIBERS	8

struct lw_sub {
	struct sock *sk;	/* a reference; NULL: a free slot */
	u32 portid;
};

static DEFINE_MUTEX(lw_subs_lock);
static struct lw_sub lw_subs[LW_MAX_SUBSCRIBERS];

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

/* Under lw_subs_lock. */
static void lw_sub_drop(struct lw_sub *s)
{
	sock_put(s->sk);
	s->sk = NULL;
	s->portid = 0;
}

/*
 * Idempotent: a socket subscribed already stays so. Dead sockets still in
 * the table (their release notification is on its way) make room first.
 */
static int lw_subscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	struct lw_sub *slot = NULL;
	unsigned int i;
	int ret = 0;

	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++) {
		struct lw_sub *s = &lw_subs[i];

		if (s->sk && sock_flag(s->sk, SOCK_DEAD))
			lw_sub_drop(s);
		if (s->sk == sk)
			goto out;
		if (!s->sk && !slot)
			slot = s;
	}
	if (!slot) {
		NL_SET_ERR_MSG(info->extack,
			       "too many subscribers (at most "
			       __stringify(LW_MAX_SUBSCRIBERS) ")");
		ret = -EBUSY;
		goto out;
	}
	sock_hold(sk);
	slot->sk = sk;
	slot->portid = NETLINK_CB(skb).portid;
out:
	mutex_unlock(&lw_subs_lock);
	return ret;
}

/* Not subscribed is fine: the request's effect is there already. */
static int lw_unsubscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	unsigned int i;

	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++)
		if (lw_subs[i].sk == sk)
			lw_sub_drop(&lw_subs[i]);
	mutex_unlock(&lw_subs_lock);
	return 0;
}

/*
 * A socket of init_net's NETLINK_GENERIC is being released: forget it.
 * Only a dead socket, so that another one that has bound the port since
 * and subscribed keeps its place.
 */
static int lw_netlink_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netlink_notify *n = ptr;
	unsigned int i;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net))
		return NOTIFY_DONE;
	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++) {
		struct lw_sub *s = &lw_subs[i];

		if (s->sk && s->portid == n->portid &&
		    sock_flag(s->sk, SOCK_DEAD))
			lw_sub_drop(s);
	}
	mutex_unlock(&lw_subs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block lw_netlink_nb = {
	.notifier_call	= lw_netlink_event,
};

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

static struct genl_family lw_family = {
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

/* Process context: is there a subscriber whose socket is not dead? */
bool lw_genl_listening(void)
{
	bool live = false;
	unsigned int i;

	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++)
		if (lw_subs[i].sk && !sock_flag(lw_subs[i].sk, SOCK_DEAD))
			live = true;
	mutex_unlock(&lw_subs_lock);
	return live;
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

/*
 * Best effort: an event is never lost for its cgroup. A path of
 * LW_CGROUP_MAX bytes or more keeps its end, where the leaf names the
 * container, after "...", and the event says it was truncated.
 */
#define LW_CGROUP_MAX	1024

static void lw_put_cgroup(struct sk_buff *msg, const struct lw_event *ev)
{
	bool truncated;
	char *path, *p;
	int len;

	if (!ev->cgrp)
		return;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return;
	/* The whole path's length; the buffer holds its head if too long. */
	len = cgroup_path(ev->cgrp, path, PATH_MAX);
	if (len < 0)
		goto out;
	truncated = len >= PATH_MAX;
	p = path;
	len = strlen(path);
	if (len >= LW_CGROUP_MAX) {
		p = path + len - (LW_CGROUP_MAX - 1);
		memcpy(p, "...", 3);
		truncated = true;
	}
	if (!nla_put_string(msg, LATWATCH_A_EV_CGROUP, p) && truncated)
		nla_put_flag(msg, LATWATCH_A_EV_CGROUP_TRUNCATED);
out:
	kfree(path);
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
	lw_put_cgroup(msg, ev);
	return 0;
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
 * Under lw_subs_lock: @skb (consumed; NULL: a copy that could not be made)
 * to subscriber @s. *ret becomes 0 once one got its copy, else the error of
 * the last that failed; a port that refuses drops its subscriber and does
 * not count.
 */
static void lw_sub_send(struct lw_sub *s, struct sk_buff *skb, int *ret)
{
	int err = -ENOMEM;

	if (skb)
		err = genlmsg_unicast(&init_net, skb, s->portid);
	if (err == -ECONNREFUSED)
		lw_sub_drop(s);
	else if (!err || *ret)
		*ret = err;
}

/*
 * Process context: @msg (consumed) to every subscriber whose socket is
 * alive, a clone each but the last. 0: at least one got it; -ESRCH: there
 * was nobody; else every one failed (EAGAIN: its receive buffer was full,
 * and it is told so by ENOBUFS), and this is the last error.
 */
static int lw_unicast_all(struct sk_buff *msg)
{
	struct lw_sub *prev = NULL;
	int ret = -ESRCH;
	unsigned int i;

	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++) {
		struct lw_sub *s = &lw_subs[i];

		if (!s->sk)
			continue;
		if (sock_flag(s->sk, SOCK_DEAD)) {
			lw_sub_drop(s);
			continue;
		}
		if (prev)
			lw_sub_send(prev, skb_clone(msg, GFP_KERNEL), &ret);
		prev = s;
	}
	if (prev)
		lw_sub_send(prev, msg, &ret);
	else
		nlmsg_free(msg);
	mutex_unlock(&lw_subs_lock);
	return ret;
}

/*
 * Process context: keep @ev for replay and send it to the subscribers. 0
 * (delivered to one at least), -ESRCH (nobody subscribed) or another
 * error (every subscriber failed).
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
	return lw_unicast_all(msg);
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
	return lw_unicast_all(msg);
}

/*
 * The release notifier first, so that no subscriber can come before it. A
 * SUBSCRIBE that comes as soon as the family is there is undone by
 * lw_genl_exit() if the module does not load after all.
 */
int lw_genl_init(void)
{
	int ret;

	ret = netlink_register_notifier(&lw_netlink_nb);
	if (ret)
		return ret;
	ret = genl_register_family(&lw_family);
	if (ret)
		netlink_unregister_notifier(&lw_netlink_nb);
	return ret;
}

/*
 * The events are out (lw_delivery_flush()) and no more come. Once the family
 * is gone no op runs or will run (unregistering waits for those under way),
 * and once the notifier is gone no release notification runs either: the
 * subscribers' references can go.
 */
void lw_genl_exit(void)
{
	unsigned int i;

	genl_unregister_family(&lw_family);
	netlink_unregister_notifier(&lw_netlink_nb);
	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++)
		if (lw_subs[i].sk)
			lw_sub_drop(&lw_subs[i]);
	mutex_unlock(&lw_subs_lock);
}
