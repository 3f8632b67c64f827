// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: event messages to the subscribers.
 *
 * The end of the data path. delivery.c hands each event over here, in
 * process context: it becomes a LATWATCH_CMD_EVENT message, is kept for
 * replay (replay.c) and is unicast to every subscriber; losses go out as
 * LATWATCH_CMD_LOST records. The table of subscribers is kept here too:
 * the family's SUBSCRIBE and UNSUBSCRIBE ops (genl.c) change it through
 * lw_subscribe() and lw_unsubscribe(). Nothing here calls into the control
 * plane; all it takes from genl.c is the family, for message headers.
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
 * process context: the ops (genl.c, in parallel, under no other lock), the
 * notifier (from close()) and the senders (delivery.c). A unicast with
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

/* Under lw_subs_lock. */
static void lw_sub_drop(struct lw_sub *s)
{
	sock_put(s->sk);
	s->sk = NULL;
	s->portid = 0;
}

/*
 * LATWATCH_CMD_SUBSCRIBE from socket @sk, bound to @portid. Idempotent: a
 * socket subscribed already stays so. Dead sockets still in the table
 * (their release notification is on its way) make room first.
 */
int lw_subscribe(struct sock *sk, u32 portid, struct netlink_ext_ack *extack)
{
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
		NL_SET_ERR_MSG(extack,
			       "too many subscribers (at most "
			       __stringify(LW_MAX_SUBSCRIBERS) ")");
		ret = -EBUSY;
		goto out;
	}
	sock_hold(sk);
	slot->sk = sk;
	slot->portid = portid;
out:
	mutex_unlock(&lw_subs_lock);
	return ret;
}

/*
 * LATWATCH_CMD_UNSUBSCRIBE from socket @sk. Not subscribed is fine: the
 * request's effect is there already.
 */
void lw_unsubscribe(struct sock *sk)
{
	unsigned int i;

	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++)
		if (lw_subs[i].sk == sk)
			lw_sub_drop(&lw_subs[i]);
	mutex_unlock(&lw_subs_lock);
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

/* Process context: is there a subscriber whose socket is not dead? */
static bool lw_listening(void)
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

/*
 * The culprit first: the interrupted code, or for a tracepoint detector the
 * context the handler ran in, after latwatch's own frames. A timer event's
 * stack starts with the callback itself, then the code that called it.
 */
static int lw_put_stack(struct sk_buff *msg, const struct lw_event *ev)
{
	char sym[KSYM_SYMBOL_LEN];
	struct nlattr *nest;
	bool leading = true;
	unsigned int i;

	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	if (!nest)
		return -EMSGSIZE;
	if (ev->type == LATWATCH_EV_TIMER && ev->function) {
		snprintf(sym, sizeof(sym), "%pS", ev->function);
		if (nla_put_string(msg, LATWATCH_A_EV_FRAME, sym))
			goto out;
	}
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
out:
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

/* A callback's bare name: "estimation_timer", not "... [ip_vs]". */
static int lw_put_function(struct sk_buff *msg, int attr, void *fn)
{
	char sym[KSYM_SYMBOL_LEN];

	snprintf(sym, sizeof(sym), "%ps", fn);
	sym[strcspn(sym, " ")] = '\0';
	return nla_put_string(msg, attr, sym);
}

static int lw_put_interf(struct sk_buff *msg, const struct lw_interf *in)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, LATWATCH_A_EV_INTERF);
	if (!nest ||
	    nla_put_u32(msg, LATWATCH_A_INTERF_TYPE, in->type) ||
	    nla_put_u64_64bit(msg, LATWATCH_A_INTERF_DURATION_NS,
			      in->duration_ns, LATWATCH_A_PAD))
		return -EMSGSIZE;
	if (in->type == LATWATCH_INTERF_HARDIRQ) {
		if (nla_put_u32(msg, LATWATCH_A_INTERF_IRQ, in->irq) ||
		    nla_put_string(msg, LATWATCH_A_INTERF_NAME, in->name))
			return -EMSGSIZE;
	} else if (lw_put_function(msg, LATWATCH_A_INTERF_FUNCTION,
				   in->function)) {
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* An outer event's inner ones, or an inner one's outer. */
static int lw_put_nesting(struct sk_buff *msg, const struct lw_event *ev)
{
	struct nlattr *nest;
	unsigned int i;

	if (ev->outer_seq &&
	    nla_put_u64_64bit(msg, LATWATCH_A_EV_OUTER_SEQ, ev->outer_seq,
			      LATWATCH_A_PAD))
		return -EMSGSIZE;
	if (!ev->nr_inner)
		return 0;
	nest = nla_nest_start(msg, LATWATCH_A_EV_INNER_SEQS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ev->nr_inner; i++)
		if (nla_put_u64_64bit(msg, LATWATCH_A_EV_INNER_SEQ,
				      ev->inner_seq[i], LATWATCH_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
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
		    lw_put_function(msg, LATWATCH_A_EV_FUNCTION, ev->function))
			return -EMSGSIZE;
		break;
	case LATWATCH_EV_HARDIRQ:
		if (nla_put_u32(msg, LATWATCH_A_EV_IRQ, ev->irq) ||
		    nla_put_string(msg, LATWATCH_A_EV_NAME, ev->name))
			return -EMSGSIZE;
		break;
	case LATWATCH_EV_IRQOFF:
		if (ev->interf.type && lw_put_interf(msg, &ev->interf))
			return -EMSGSIZE;
		break;
	}
	if (lw_put_nesting(msg, ev))
		return -EMSGSIZE;
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
int lw_send_event(const struct lw_event *ev)
{
	bool listening = lw_listening();
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

/* Process context: a LATWATCH_CMD_LOST record to the subscribers. */
int lw_send_lost(u64 count, u64 total)
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
 * Before the family is registered (lw_genl_init()), so that no subscriber
 * can come before the release notifier that forgets it.
 */
int lw_send_init(void)
{
	return netlink_register_notifier(&lw_netlink_nb);
}

/*
 * The events are out (lw_delivery_flush()) and no more come, and the
 * family is gone (lw_genl_exit()): no op runs or will run, unregistering
 * it waited for those under way. Once the notifier is gone no release
 * notification runs either: the subscribers' references can go.
 */
void lw_send_exit(void)
{
	unsigned int i;

	netlink_unregister_notifier(&lw_netlink_nb);
	mutex_lock(&lw_subs_lock);
	for (i = 0; i < LW_MAX_SUBSCRIBERS; i++)
		if (lw_subs[i].sk)
			lw_sub_drop(&lw_subs[i]);
	mutex_unlock(&lw_subs_lock);
}
