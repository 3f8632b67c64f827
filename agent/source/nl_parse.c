// SPDX-License-Identifier: GPL-2.0
/*
 * The module's messages, parsed: events, lost records, statistics,
 * histograms, settings, extended acks and the family notifications.
 * Each checks the message against the attribute policy and never reads
 * past it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <latwatch/latwatch.h>

#include "source/nl_parse.h"

static struct nla_policy lw_ev_policy[LATWATCH_A_MAX + 1] = {
	[LATWATCH_A_EV_TYPE]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_SEQ]		= { .type = NLA_U64 },
	[LATWATCH_A_EV_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_TS_NS]		= { .type = NLA_U64 },
	[LATWATCH_A_EV_DURATION_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_EV_RESOLUTION_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_EV_PID]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_COMM]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_STACK]		= { .type = NLA_NESTED },
	[LATWATCH_A_EV_CGROUP]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_CGROUP_TRUNCATED] = { .type = NLA_FLAG },
	[LATWATCH_A_EV_VECTOR]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_NAME]		= { .type = NLA_STRING },
	[LATWATCH_A_EV_FUNCTION]	= { .type = NLA_STRING },
	[LATWATCH_A_EV_KIND]		= { .type = NLA_U32 },
	[LATWATCH_A_EV_IRQ]		= { .type = NLA_U32 },
	[LATWATCH_A_LOST_COUNT]		= { .type = NLA_U64 },
	[LATWATCH_A_LOST_TOTAL]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_STAT_ONLINE]	= { .type = NLA_U8 },
	[LATWATCH_A_STAT_SAMPLES]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_EVENTS]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_LOST]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_STALLS]		= { .type = NLA_U64 },
	[LATWATCH_A_STAT_SOFTIRQ_LATE]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_UNHEARD]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_DELIVERED]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_RATELIMITED]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_IDLE_PAUSES]	= { .type = NLA_U64 },
	[LATWATCH_A_STAT_IDLE_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_HIST_CPU]		= { .type = NLA_U32 },
	[LATWATCH_A_HIST_TYPE]		= { .type = NLA_U32 },
	[LATWATCH_A_HIST_BUCKETS]	= { .type = NLA_NESTED },
	[LATWATCH_A_INSTANCE]		= { .type = NLA_U64 },
	[LATWATCH_A_EV_OUTER_SEQ]	= { .type = NLA_U64 },
	[LATWATCH_A_EV_INNER_SEQS]	= { .type = NLA_NESTED },
	[LATWATCH_A_EV_INTERF]		= { .type = NLA_NESTED },
};

static struct nla_policy lw_interf_policy[LATWATCH_A_MAX + 1] = {
	[LATWATCH_A_INTERF_TYPE]	= { .type = NLA_U32 },
	[LATWATCH_A_INTERF_DURATION_NS]	= { .type = NLA_U64 },
	[LATWATCH_A_INTERF_IRQ]		= { .type = NLA_U32 },
	[LATWATCH_A_INTERF_NAME]	= { .type = NLA_STRING },
	[LATWATCH_A_INTERF_FUNCTION]	= { .type = NLA_STRING },
};

/*
 * libnl's error codes as errno values: the ones that decide an exit code;
 * for the others the description of the libnl code says more.
 */
int lw_nl_errno(int nlerr)
{
	switch (abs(nlerr)) {
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NOMEM:
		return ENOMEM;
	}
	return EIO;
}

/* --- Message parsers --- */

int lw_genl_cmd(struct nlmsghdr *nlh)
{
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EINVAL;
	return ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
}

int lw_nl_attrs(struct nlmsghdr *nlh, struct nlattr **tb)
{
	int err = genlmsg_parse(nlh, 0, tb, LATWATCH_A_MAX, lw_ev_policy);

	return err < 0 ? -lw_nl_errno(err) : 0;
}

/* A NUL-terminated string attribute, without its NUL. */
static struct lw_str lw_nla_str(const struct nlattr *a)
{
	const char *p = nla_data(a);

	return (struct lw_str){ .p = p, .len = strnlen(p, (size_t)nla_len(a)) };
}

/* A string attribute that must end in NUL within its length. */
static int lw_nla_cstr(const struct nlattr *a, struct lw_str *s)
{
	if (nla_len(a) < 1 || ((const char *)nla_data(a))[nla_len(a) - 1])
		return -EINVAL;
	*s = lw_nla_str(a);
	return 0;
}

static int lw_stack_parse(struct nlattr *stack, struct lw_event *ev)
{
	struct lw_str frame;
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, stack, rem) {
		if (nla_type(a) != LATWATCH_A_EV_FRAME)
			continue;
		if (lw_nla_cstr(a, &frame))
			return -EINVAL;
		if (ev->nframes == LATWATCH_STACK_MAX)
			return -E2BIG;
		ev->frames[ev->nframes++] = frame;
	}
	return 0;
}

static int lw_inner_parse(struct nlattr *nest, struct lw_event *ev)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != LATWATCH_A_EV_INNER_SEQ)
			continue;
		if (nla_len(a) != sizeof(uint64_t))
			return -EINVAL;
		if (ev->ninner == LW_EV_INNER_MAX)
			return -E2BIG;
		ev->inner_seqs[ev->ninner++] = nla_get_u64(a);
	}
	if (ev->ninner)
		ev->has |= LW_EV_INNER;
	return 0;
}

static int lw_interf_parse(struct nlattr *nest, struct lw_event *ev)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	struct lw_interf *in = &ev->interf;
	int err = nla_parse_nested(tb, LATWATCH_A_MAX, nest, lw_interf_policy);

	if (err < 0)
		return -lw_nl_errno(err);
	if (!tb[LATWATCH_A_INTERF_TYPE] || !tb[LATWATCH_A_INTERF_DURATION_NS])
		return -EINVAL;
	in->type = nla_get_u32(tb[LATWATCH_A_INTERF_TYPE]);
	in->duration_ns = nla_get_u64(tb[LATWATCH_A_INTERF_DURATION_NS]);
	if (tb[LATWATCH_A_INTERF_IRQ])
		in->irq = nla_get_u32(tb[LATWATCH_A_INTERF_IRQ]);
	if (tb[LATWATCH_A_INTERF_NAME] &&
	    lw_nla_cstr(tb[LATWATCH_A_INTERF_NAME], &in->name))
		return -EINVAL;
	if (tb[LATWATCH_A_INTERF_FUNCTION] &&
	    lw_nla_cstr(tb[LATWATCH_A_INTERF_FUNCTION], &in->function))
		return -EINVAL;
	ev->has |= LW_EV_INTERF;
	return 0;
}

#define LW_GET(tb, attr, bit, dst, get, has)			\
	do {							\
		if (tb[attr]) {					\
			dst = get(tb[attr]);			\
			has |= bit;				\
		}						\
	} while (0)

int lw_event_parse(struct nlmsghdr *nlh, struct lw_event *ev)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_nl_attrs(nlh, tb);

	memset(ev, 0, sizeof(*ev));
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_EV_TYPE, LW_EV_TYPE, ev->type, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_SEQ, LW_EV_SEQ, ev->seq, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_CPU, LW_EV_CPU, ev->cpu, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_TS_NS, LW_EV_TS, ev->ts_ns, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_DURATION_NS, LW_EV_DURATION, ev->duration_ns,
	       nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_RESOLUTION_NS, LW_EV_RESOLUTION,
	       ev->resolution_ns, nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_PID, LW_EV_PID, ev->pid, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_COMM, LW_EV_COMM, ev->comm, lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_CGROUP, LW_EV_CGROUP, ev->cgroup, lw_nla_str,
	       ev->has);
	if ((ev->has & LW_EV_CGROUP) && tb[LATWATCH_A_EV_CGROUP_TRUNCATED])
		ev->has |= LW_EV_CGROUP_TRUNCATED;
	LW_GET(tb, LATWATCH_A_EV_VECTOR, LW_EV_VECTOR, ev->vector, nla_get_u32,
	       ev->has);
	LW_GET(tb, LATWATCH_A_EV_NAME, LW_EV_NAME, ev->name, lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_FUNCTION, LW_EV_FUNCTION, ev->function,
	       lw_nla_str, ev->has);
	LW_GET(tb, LATWATCH_A_EV_KIND, LW_EV_KIND, ev->kind, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_EV_IRQ, LW_EV_IRQ, ev->irq, nla_get_u32, ev->has);
	LW_GET(tb, LATWATCH_A_INSTANCE, LW_EV_INSTANCE, ev->instance,
	       nla_get_u64, ev->has);
	LW_GET(tb, LATWATCH_A_EV_OUTER_SEQ, LW_EV_OUTER, ev->outer_seq,
	       nla_get_u64, ev->has);
	if (tb[LATWATCH_A_EV_INNER_SEQS]) {
		err = lw_inner_parse(tb[LATWATCH_A_EV_INNER_SEQS], ev);
		if (err)
			return err;
	}
	if (tb[LATWATCH_A_EV_INTERF]) {
		err = lw_interf_parse(tb[LATWATCH_A_EV_INTERF], ev);
		if (err)
			return err;
	}
	if (!tb[LATWATCH_A_EV_STACK])
		return 0;
	ev->has |= LW_EV_STACK;
	return lw_stack_parse(tb[LATWATCH_A_EV_STACK], ev);
}

int lw_lost_parse(struct nlmsghdr *nlh, struct lw_lost *lost)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_nl_attrs(nlh, tb);

	memset(lost, 0, sizeof(*lost));
	lost->reason = LW_LOST_KERNEL;
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_LOST_COUNT, LW_LOST_COUNT, lost->count,
	       nla_get_u64, lost->has);
	LW_GET(tb, LATWATCH_A_LOST_TOTAL, LW_LOST_TOTAL, lost->total,
	       nla_get_u64, lost->has);
	return 0;
}

int lw_stat_parse(struct nlmsghdr *nlh, struct lw_stat *st)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_nl_attrs(nlh, tb);
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (err)
		return err;
	LW_GET(tb, LATWATCH_A_STAT_CPU, LW_STAT_CPU, st->cpu, nla_get_u32,
	       st->has);
	LW_GET(tb, LATWATCH_A_STAT_ONLINE, LW_STAT_ONLINE, st->online,
	       nla_get_u8, st->has);
	for (i = 0; i < LW_STAT_NCOUNTERS; i++)
		LW_GET(tb, lw_stat_counters[i].attr, 1u << i, st->ctr[i],
		       nla_get_u64, st->has);
	return 0;
}

static int lw_buckets_parse(struct nlattr *buckets, struct lw_hist *h)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, buckets, rem) {
		if (nla_type(a) != LATWATCH_A_HIST_BUCKET)
			continue;
		if (nla_len(a) != sizeof(uint64_t))
			return -EINVAL;
		if (h->nbuckets == LATWATCH_HIST_BUCKETS)
			return -E2BIG;
		h->count[h->nbuckets++] = nla_get_u64(a);
	}
	return 0;
}

int lw_hist_parse(struct nlmsghdr *nlh, struct lw_hist *h)
{
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	int err = lw_nl_attrs(nlh, tb);

	memset(h, 0, sizeof(*h));
	if (err)
		return err;
	if (!tb[LATWATCH_A_HIST_CPU] || !tb[LATWATCH_A_HIST_TYPE])
		return -EINVAL;
	h->cpu = nla_get_u32(tb[LATWATCH_A_HIST_CPU]);
	h->type = nla_get_u32(tb[LATWATCH_A_HIST_TYPE]);
	if (!tb[LATWATCH_A_HIST_BUCKETS])
		return 0;
	return lw_buckets_parse(tb[LATWATCH_A_HIST_BUCKETS], h);
}

int lw_cfg_parse_msg(struct nlmsghdr *nlh, struct lw_cfg *cfg)
{
	struct nla_policy policy[LATWATCH_A_MAX + 1] = { 0 };
	struct nlattr *tb[LATWATCH_A_MAX + 1];
	size_t i;
	int err;

	for (i = 0; i < lw_cfg_nkeys; i++)
		policy[lw_cfg_keys[i].attr].type = NLA_U32;
	err = genlmsg_parse(nlh, 0, tb, LATWATCH_A_MAX, policy);
	if (err < 0)
		return -lw_nl_errno(err);
	cfg->has = 0;
	for (i = 0; i < lw_cfg_nkeys; i++)
		LW_GET(tb, lw_cfg_keys[i].attr, 1u << i, cfg->val[i],
		       nla_get_u32, cfg->has);
	return 0;
}

/*
 * The kernel's message in an NLMSG_ERROR: its TLVs follow struct nlmsgerr
 * and, unless NLM_F_CAPPED, the payload of the request it answers.
 * buf is empty if there is none.
 */
int lw_extack_parse(struct nlmsghdr *nlh, char *buf, size_t len)
{
	static struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	buf[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < off)
		return -EINVAL;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return -EINVAL;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (nlh->nlmsg_len < off)
		return -EINVAL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), policy) < 0)
		return -EINVAL;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(buf, len, "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return 0;
}

bool lw_ctrl_family_gone(struct nlmsghdr *nlh, int family)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16 },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    lw_genl_cmd(nlh) != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0)
		return false;
	return tb[CTRL_ATTR_FAMILY_ID] &&
	       nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == family;
}

bool lw_ctrl_family_new(struct nlmsghdr *nlh)
{
	static struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING },
	};
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    lw_genl_cmd(nlh) != CTRL_CMD_NEWFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, policy) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME])
		return false;
	return !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]),
		       LATWATCH_GENL_NAME);
}
