// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: throw random, malformed and hostile generic netlink messages at
 * the "latwatch" family and check every reply the kernel sends back.
 *
 * Usage: nlfuzz [-n COUNT] [-s SEED] [-q]
 *        nlfuzz -p
 *        nlfuzz -l SECS [-P PORT]
 *        nlfuzz -r ROUNDS
 *
 * Fuzzing (default): COUNT datagrams (default 100000), each built from a
 * PRNG seeded with SEED (default 1): random command numbers, flags and
 * genetlink headers, truncated headers, nlmsg_len larger or smaller than
 * the datagram, attributes of random types and lengths (wrong types for
 * known attributes, oversized strings, nested garbage, zero length, lengths
 * past the end), well-formed CONFIG_SET requests with out-of-range values,
 * datagrams of up to 64 KiB and several messages per datagram. After each
 * datagram every reply is read (non-blocking, so a dump never fills the
 * receive buffer) and checked against what the datagram held: the kernel
 * walks a datagram the way netlink_rcv_skb() does, and nlfuzz walks it the
 * same way first, so it knows every message the kernel will see. A reply is
 * "unexpected" when
 *   - it is malformed (lengths, echoed request, extended-ack TLVs), refers
 *     to no message of the datagram or to an open dump, or is a second
 *     answer to one message;
 *   - it is data (a CONFIG_GET reply, a STATS_GET or HIST_GET dump part or
 *     its NLMSG_DONE) that is not the right answer to a GET or dump request
 *     with CAP_NET_ADMIN, or whose attributes are not exactly what the UAPI
 *     header documents (a dump: one message per possible CPU, or per CPU
 *     and histogram type);
 *   - it is an event or a lost record (sequence number 0: the fuzzing sends
 *     SUBSCRIBE now and then) without CAP_NET_ADMIN, or with attributes
 *     other than those of an event or a lost record;
 *   - it is an error for a message the kernel must ignore (not a request,
 *     or a control message type), or an acknowledgement nobody asked for;
 *   - a message asked for an acknowledgement (NLM_F_ACK) and got none, a
 *     CONFIG_GET got no data, a dump never ended;
 *   - a request the genetlink core must refuse before latwatch sees it got
 *     anything but that errno: ENOENT (no such family), EINVAL (too short
 *     for a genetlink header, or, from 6.1 on, genl_header_check(): reserved
 *     field or flags other than REQUEST, ACK, ECHO and DUMP; before 6.1 the
 *     core ignores both and the request goes on), EOPNOTSUPP (no such
 *     command, or a dump of a command without one or the other way round;
 *     EPERM too there without CAP_NET_ADMIN, which 6.1 checks first), EPERM
 *     (without CAP_NET_ADMIN, anything else);
 *   - with CAP_NET_ADMIN: EPERM; an error for a well-formed request without
 *     attributes (EBUSY allowed for a dump while another one runs, and for
 *     a SUBSCRIBE that says the module has all the subscribers it takes);
 *     no EINVAL with an extended-ack message for a well-formed CONFIG_SET
 *     with a value out of the module's range.
 * With CAP_NET_ADMIN nlfuzz also keeps a model of the configuration: it
 * reads it first, applies every CONFIG_SET the kernel accepted (no error
 * reply) and compares the model with the configuration at the end. A
 * rejected request must change nothing. In-range values are drawn from
 * harmless ranges (thresholds of 5 ms and more) so that an accepted request
 * never turns the module into an event storm.
 * Output: "nlfuzz: sent=N replies=N errors=N acks=N data=N extack=N
 * unexpected=N ... events=N lost=N ..." and the errno counts; exit status 0
 * when nothing was unexpected, 1 otherwise.
 *
 * Privilege probe (-p): each command once, well-formed (CONFIG_GET,
 * CONFIG_SET without attributes, STATS_GET dump, HIST_GET dump,
 * HIST_RESET, REPLAY_GET dump, SUBSCRIBE, UNSUBSCRIBE), one line each,
 * "nlfuzz: probe NAME errno=EPERM data=0" (errno=0: it worked); then
 * "events-join", every way there is to get events: SUBSCRIBE, and joining
 * each multicast group the family advertises (it should have none),
 * "nlfuzz: probe events-join errno=E groups=N joined=J": errno=0 if any
 * way worked, else the SUBSCRIBE's. Exit status 0 when every probe got a
 * well-formed answer.
 *
 * Listener (-l SECS): one socket (bound to PORT with -P) tries every way to
 * get events as in "events-join", listens for SECS seconds (0: none, it
 * just closes its socket) and prints "nlfuzz: listen portid=P subscribe=E
 * groups=N joined=J events=N lost=N other=N overruns=N"; events and lost
 * are the family's EVENT and LOST messages it received (also those that
 * came while it waited for an answer), other any other message of the
 * family that answers nothing it asked. Once in, before it listens, it
 * prints "nlfuzz: listening portid=P subscribe=E groups=N joined=J".
 * Exit status 0.
 *
 * Churn (-r ROUNDS): ROUNDS times a new socket subscribes (every other
 * one unsubscribes again) and closes, as fast as it can; a family that is
 * not there (the module unloaded) just counts. Prints "nlfuzz: churn
 * rounds=N subscribed=N unsubscribed=N nofamily=N failed=N", exit status
 * 0.
 *
 * Exit status 2: usage; 3: no netlink socket, or no "latwatch" family.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../../include/latwatch/latwatch.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DGRAM_MAX	65536
#define RECV_MAX	(256 * 1024)
#define MAX_RECS	4096
#define MAX_OPEN	64
#define MAX_CPUS	64
#define SHOW_MAX	20

/* ---- PRNG (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd64();
}

/* ---- the configuration keys, as kmod/config.c checks them ---- */

struct cfg_key {
	const char *name;
	uint16_t attr;
	uint32_t min, max;		/* what the module accepts */
	uint32_t ok_lo, ok_hi;		/* harmless values inside that */
};

static const struct cfg_key cfg_keys[] = {
	{ "irqoff_threshold_us", LATWATCH_A_CFG_IRQOFF_THRESHOLD_US,
	  200, 60000000, 5000, 100000 },
	{ "softirqoff_threshold_us", LATWATCH_A_CFG_SOFTIRQOFF_THRESHOLD_US,
	  200, 60000000, 5000, 100000 },
	{ "sample_period_us", LATWATCH_A_CFG_SAMPLE_PERIOD_US,
	  100, 1000000, 500, 2000 },
	{ "softirq_threshold_us", LATWATCH_A_CFG_SOFTIRQ_THRESHOLD_US,
	  1, 60000000, 5000, 100000 },
	{ "timer_threshold_us", LATWATCH_A_CFG_TIMER_THRESHOLD_US,
	  1, 60000000, 5000, 100000 },
	{ "hardirq_threshold_us", LATWATCH_A_CFG_HARDIRQ_THRESHOLD_US,
	  1, 60000000, 5000, 100000 },
	{ "hung_threshold_ms", LATWATCH_A_CFG_HUNG_THRESHOLD_MS,
	  1000, 86400000, 10000, 60000 },
	{ "hung_scan_interval_ms", LATWATCH_A_CFG_HUNG_SCAN_INTERVAL_MS,
	  100, 3600000, 500, 5000 },
	{ "irqoff_enabled", LATWATCH_A_CFG_IRQOFF_ENABLED, 0, 1, 0, 1 },
	{ "softirqoff_enabled", LATWATCH_A_CFG_SOFTIRQOFF_ENABLED, 0, 1, 0, 1 },
	{ "softirq_enabled", LATWATCH_A_CFG_SOFTIRQ_ENABLED, 0, 1, 0, 1 },
	{ "timer_enabled", LATWATCH_A_CFG_TIMER_ENABLED, 0, 1, 0, 1 },
	{ "hardirq_enabled", LATWATCH_A_CFG_HARDIRQ_ENABLED, 0, 1, 0, 1 },
	{ "hung_enabled", LATWATCH_A_CFG_HUNG_ENABLED, 0, 1, 0, 1 },
	{ "max_events_per_sec", LATWATCH_A_CFG_MAX_EVENTS_PER_SEC,
	  0, 1000000, 500, 5000 },
	{ "replay_events", LATWATCH_A_CFG_REPLAY_EVENTS, 0, 16384, 16, 512 },
	{ "idle_pause", LATWATCH_A_CFG_IDLE_PAUSE, 0, 1, 0, 1 },
};

#define NKEYS	(sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static int cfg_key_of(unsigned int attr)
{
	unsigned int k;

	for (k = 0; k < NKEYS; k++)
		if (cfg_keys[k].attr == attr)
			return (int)k;
	return -1;
}

/* A harmless value the module accepts; switches mostly stay on. */
static uint32_t cfg_good(unsigned int k)
{
	const struct cfg_key *c = &cfg_keys[k];

	if (c->max == 1)
		return chance(90) ? 1 : 0;
	return c->ok_lo + rnd(c->ok_hi - c->ok_lo + 1);
}

static uint32_t cfg_bad(unsigned int k)
{
	const struct cfg_key *c = &cfg_keys[k];

	switch (rnd(5)) {
	case 0:
		if (c->min > 0)
			return c->min - 1 - rnd(c->min);	/* 0 .. min-1 */
		/* fall through */
	case 1:
		return c->max + 1;
	case 2:
		return 0xffffffffu;
	case 3:
		return 0x80000000u;
	default:
		return c->max + 1 + rnd(0xfffffffeu - c->max);
	}
}

/* ---- netlink plumbing ---- */

#define MAX_GRPS	32

static int fam_id;
static uint32_t grps[MAX_GRPS];	/* the family's multicast groups */
static unsigned int ngrps;
static uint32_t my_portid;
static bool quiet;
/* Unsolicited messages of the family: events and lost records. */
static unsigned long c_events, c_lost, c_other;

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOBUFS: return "ENOBUFS";
	default:
		snprintf(buf, sizeof(buf), "E%d", e);
		return buf;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A NETLINK_GENERIC socket, bound to port (0: the kernel picks one). */
static int nl_open(uint32_t port)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = port };
	socklen_t salen = sizeof(sa);
	int one = 1, rcvbuf = 4 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		close(fd);
		return -1;
	}
	my_portid = sa.nl_pid;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Root may go past rmem_max; others get rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
}

static int nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * One datagram from the kernel; *trunc when it did not fit. 0 on EAGAIN
 * (with dontwait), -errno on errors, else its length.
 */
static ssize_t nl_recv(int fd, uint8_t *buf, size_t cap, bool dontwait,
		       bool *trunc, bool *from_kernel)
{
	struct sockaddr_nl sa;
	struct iovec iov = { buf, cap };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_TRUNC | (dontwait ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	*trunc = (mh.msg_flags & MSG_TRUNC) || (size_t)n > cap;
	*from_kernel = mh.msg_namelen >= sizeof(sa) && sa.nl_pid == 0;
	return n;
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

static uint8_t *put_hdr(uint8_t *p, uint32_t len, uint16_t type,
			uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = {
		.nlmsg_len = len, .nlmsg_type = type, .nlmsg_flags = flags,
		.nlmsg_seq = seq, .nlmsg_pid = 0,
	};

	memcpy(p, &h, sizeof(h));
	return p + NLMSG_HDRLEN;
}

static uint8_t *put_genl(uint8_t *p, uint8_t cmd, uint8_t version,
			 uint16_t reserved)
{
	struct genlmsghdr g = {
		.cmd = cmd, .version = version, .reserved = reserved,
	};

	memcpy(p, &g, sizeof(g));
	return p + GENL_HDRLEN;
}

static uint8_t *put_nla(uint8_t *p, uint16_t type, const void *data,
			uint16_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n),
			    .nla_type = type };

	memcpy(p, &a, sizeof(a));
	if (n)
		memcpy(p + NLA_HDRLEN, data, n);
	memset(p + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
	return p + NLA_HDRLEN + NLA_ALIGN(n);
}

static struct nlmsghdr hdr_at(const uint8_t *p)
{
	struct nlmsghdr h;

	memcpy(&h, p, sizeof(h));
	return h;
}

static struct nlattr nla_at(const uint8_t *p)
{
	struct nlattr a;

	memcpy(&a, p, sizeof(a));
	return a;
}

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Walk attributes [p, p+len) the kernel's way (nla_ok): calls fn for each,
 * returns the bytes left over (0: well-formed to the end).
 */
typedef bool (*nla_fn)(void *ctx, uint16_t type, const uint8_t *data,
		       uint16_t len);

static size_t nla_walk(const uint8_t *p, size_t len, nla_fn fn, void *ctx,
		       bool *fn_ok)
{
	*fn_ok = true;
	while (len >= NLA_HDRLEN) {
		struct nlattr a = nla_at(p);
		size_t step;

		if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
			break;
		if (fn && !fn(ctx, a.nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN,
			      (uint16_t)(a.nla_len - NLA_HDRLEN)))
			*fn_ok = false;
		step = NLA_ALIGN(a.nla_len);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	return len;
}

/* ---- resolving the family ---- */

struct fam_ctx {
	int id;
	uint32_t grps[MAX_GRPS];
	unsigned int ngrps;
};

/* One group of CTRL_ATTR_MCAST_GROUPS: keep its id, whatever its name. */
static bool grp_attr(void *ctx, uint16_t type, const uint8_t *d, uint16_t n)
{
	struct fam_ctx *f = ctx;
	const uint8_t *p = d;
	size_t left = n;

	(void)type;
	while (left >= NLA_HDRLEN) {
		struct nlattr a = nla_at(p);

		if (a.nla_len < NLA_HDRLEN || a.nla_len > left)
			break;
		if (a.nla_type == CTRL_ATTR_MCAST_GRP_ID &&
		    a.nla_len >= NLA_HDRLEN + 4 && f->ngrps < MAX_GRPS)
			f->grps[f->ngrps++] = u32_at(p + NLA_HDRLEN);
		if ((size_t)NLA_ALIGN(a.nla_len) >= left)
			break;
		left -= NLA_ALIGN(a.nla_len);
		p += NLA_ALIGN(a.nla_len);
	}
	return true;
}

static bool fam_attr(void *ctx, uint16_t type, const uint8_t *d, uint16_t n)
{
	struct fam_ctx *f = ctx;
	bool ok;

	if (type == CTRL_ATTR_FAMILY_ID && n >= 2) {
		uint16_t id;

		memcpy(&id, d, 2);
		f->id = id;
	} else if (type == CTRL_ATTR_MCAST_GROUPS) {
		nla_walk(d, n, grp_attr, f, &ok);
	}
	return true;
}

/* 0, or -errno of the controller's answer. */
static int resolve_family(int fd)
{
	static uint8_t buf[RECV_MAX];
	uint8_t req[64], *p;
	struct fam_ctx f = { .id = -1 };
	const uint32_t seq = 1;
	bool trunc, fk;
	int err;

	p = put_genl(req + NLMSG_HDRLEN, CTRL_CMD_GETFAMILY, 1, 0);
	p = put_nla(p, CTRL_ATTR_FAMILY_NAME, LATWATCH_GENL_NAME,
		    sizeof(LATWATCH_GENL_NAME));
	put_hdr(req, (uint32_t)(p - req), GENL_ID_CTRL, NLM_F_REQUEST, seq);
	err = nl_send(fd, req, (size_t)(p - req));
	if (err)
		return err;
	for (;;) {
		ssize_t n;
		uint8_t *m;
		size_t left;

		if (!wait_readable(fd, 5000))
			return -ETIMEDOUT;
		n = nl_recv(fd, buf, sizeof(buf), true, &trunc, &fk);
		if (n < 0)
			return (int)n;
		for (m = buf, left = (size_t)n; left >= NLMSG_HDRLEN;) {
			struct nlmsghdr h = hdr_at(m);
			bool ok;

			if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left)
				break;
			if (h.nlmsg_seq == seq && h.nlmsg_type == NLMSG_ERROR) {
				int e;

				memcpy(&e, m + NLMSG_HDRLEN, sizeof(e));
				if (e)
					return e;
			} else if (h.nlmsg_seq == seq &&
				   h.nlmsg_type == GENL_ID_CTRL &&
				   h.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
				nla_walk(m + NLMSG_HDRLEN + GENL_HDRLEN,
					 h.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
					 fam_attr, &f, &ok);
				if (f.id < 0)
					return -EPROTO;
				fam_id = f.id;
				memcpy(grps, f.grps, sizeof(grps));
				ngrps = f.ngrps;
				return 0;
			}
			if (NLMSG_ALIGN(h.nlmsg_len) >= left)
				break;
			left -= NLMSG_ALIGN(h.nlmsg_len);
			m += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
}

/* ---- privilege ---- */

static bool have_net_admin(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	bool yes = false;

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long caps;

		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			yes = caps & (1ULL << 12);	/* CAP_NET_ADMIN */
			break;
		}
	}
	fclose(f);
	return yes;
}

static unsigned int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned int n = 0, a, b;
	int c;

	if (!f)
		return 0;
	for (;;) {
		if (fscanf(f, "%u", &a) != 1)
			break;
		b = a;
		c = fgetc(f);
		if (c == '-') {
			if (fscanf(f, "%u", &b) != 1)
				break;
			c = fgetc(f);
		}
		n += b - a + 1;
		if (c != ',')
			break;
	}
	fclose(f);
	return n;
}

/* ---- the record of what was sent ---- */

enum tag {
	TAG_NONE,
	TAG_CFG_BAD,		/* well-formed CONFIG_SET, a value out of range */
	TAG_CLEAN,		/* well-formed request, no attributes */
};

struct rec {
	uint32_t off, len, seq;
	uint16_t type, flags;
	bool request;		/* REQUEST flag and not a control type */
	bool family;		/* to latwatch */
	bool genl;		/* room for the genetlink header */
	bool dump;		/* NLM_F_DUMP in full */
	bool hdr_ok;		/* passes genl_header_check() */
	uint8_t cmd;
	uint16_t reserved;
	enum tag tag;
	/* answers */
	unsigned int n_err, n_ack, n_data, n_done;
	int err;
	bool extack_msg, extack_must;
	char extack[128];
	/* dump contents */
	unsigned int parts;
	uint64_t seen[MAX_CPUS];	/* STATS: bit 0; HIST: bit per type */
};

static struct rec recs[MAX_RECS];
static unsigned int nrecs;
static struct rec open_dumps[MAX_OPEN];
static unsigned int nopen;

/* What the generator meant a message to be, by offset. */
struct intent {
	uint32_t off, len;
	enum tag tag;
};

static struct intent intents[MAX_RECS];
static unsigned int nintents;

static uint32_t next_seq = 1000;
static uint8_t dgram[DGRAM_MAX];
static size_t dlen;

/* ---- counters ---- */

static unsigned long c_sent, c_msgs, c_replies, c_errors, c_acks, c_data;
static unsigned long c_dones, c_extack, c_unexpected, c_sets;
static unsigned long c_errno[4096];
static bool privileged;
/* The genetlink core checks headers (genl_header_check(), 6.1 and later). */
static bool header_checked = true;
static unsigned int ncpus;

static void unexpected(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void unexpected(const char *fmt, ...)
{
	va_list ap;

	c_unexpected++;
	if (quiet || c_unexpected > SHOW_MAX)
		return;
	fprintf(stderr, "nlfuzz: unexpected (datagram %lu): ", c_sent);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- generating ---- */

static const uint8_t real_cmds[] = {
	LATWATCH_CMD_CONFIG_GET, LATWATCH_CMD_CONFIG_SET,
	LATWATCH_CMD_STATS_GET, LATWATCH_CMD_HIST_GET,
	LATWATCH_CMD_HIST_RESET, LATWATCH_CMD_REPLAY_GET,
	LATWATCH_CMD_SUBSCRIBE, LATWATCH_CMD_UNSUBSCRIBE,
};

static bool is_dump_cmd(unsigned int cmd)
{
	return cmd == LATWATCH_CMD_STATS_GET || cmd == LATWATCH_CMD_HIST_GET ||
	       cmd == LATWATCH_CMD_REPLAY_GET;
}

/* The command of the data a request gets: REPLAY_GET dumps events. */
static unsigned int reply_cmd(unsigned int cmd)
{
	return cmd == LATWATCH_CMD_REPLAY_GET ? LATWATCH_CMD_EVENT : cmd;
}

static bool is_real_cmd(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(real_cmds); i++)
		if (real_cmds[i] == cmd)
			return true;
	return false;
}

/*
 * genl_header_check() (6.1 and later), before the command lookup and the
 * permission check: from command resv_start_op (0 for latwatch) on, the
 * reserved field is 0 and the flags are REQUEST, ACK, ECHO and NLM_F_DUMP
 * in full only. Earlier kernels check neither.
 */
static bool header_ok(uint16_t flags, uint8_t cmd, uint16_t reserved)
{
	(void)cmd;
	if (!header_checked)
		return true;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= (uint16_t)~NLM_F_DUMP;
	return !reserved && !(flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO));
}

static uint8_t rnd_cmd(void)
{
	switch (rnd(4)) {
	case 0:
	case 1:
		return real_cmds[rnd(sizeof(real_cmds))];
	case 2:
		return (uint8_t)rnd(LATWATCH_CMD_MAX + 4);	/* 0, EVENT, LOST, past */
	default:
		return (uint8_t)rnd(256);
	}
}

static uint16_t rnd_flags(void)
{
	static const uint16_t bits[] = {
		NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP_INTR,
		NLM_F_DUMP_FILTERED, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
		NLM_F_DUMP,
	};
	uint16_t f = chance(90) ? NLM_F_REQUEST : 0;
	unsigned int i;

	if (chance(5))
		return (uint16_t)rnd(65536);
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (chance(20))
			f |= bits[i];
	return f;
}

static uint16_t rnd_type(void)
{
	if (chance(92))
		return (uint16_t)fam_id;
	if (chance(50))
		return (uint16_t)rnd(NLMSG_MIN_TYPE);	/* NOOP, ERROR, DONE... */
	return (uint16_t)(0x8000 + rnd(0x8000));	/* no such family */
}

static uint16_t rnd_nla_len(void)
{
	static const uint16_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 64 };

	if (chance(70))
		return lens[rnd(sizeof(lens) / sizeof(lens[0]))];
	return (uint16_t)rnd(512);
}

static size_t gen_attrs(uint8_t *p, size_t room, int depth, uint8_t cmd,
			size_t target);

/*
 * One attribute at p, at most room bytes; 0 when none fits. *last: it
 * claims more than it holds, nothing may follow it.
 */
static size_t gen_attr(uint8_t *p, size_t room, int depth, uint8_t cmd,
		       bool *last)
{
	uint8_t data[4096];
	uint16_t type, n;
	uint8_t *end;
	size_t sub;

	if (room < 32)
		return 0;
	switch (rnd(10)) {
	case 0:
	case 1: {	/* a known configuration attribute, valid shape */
		unsigned int k = rnd(NKEYS);
		uint32_t v = chance(50) ? cfg_bad(k) : cfg_good(k);

		if (cmd != LATWATCH_CMD_CONFIG_SET && chance(50))
			v = (uint32_t)rnd64();
		return (size_t)(put_nla(p, cfg_keys[k].attr, &v, 4) - p);
	}
	case 2: {	/* a known attribute of the wrong size */
		unsigned int k = rnd(NKEYS);

		n = (uint16_t)(chance(50) ? rnd(4) : 5 + rnd(12));
		rnd_bytes(data, n);
		return (size_t)(put_nla(p, cfg_keys[k].attr, data, n) - p);
	}
	case 3:		/* an oversized string, NUL-terminated or not */
		n = (uint16_t)(256 + rnd(sizeof(data) - 256));
		if ((size_t)n + NLA_HDRLEN + 4 > room)
			n = (uint16_t)(room - NLA_HDRLEN - 4);
		memset(data, 'A' + (int)rnd(26), n);
		if (chance(50))
			data[n - 1] = 0;
		type = (uint16_t)(chance(50) ? LATWATCH_A_EV_COMM :
				  rnd(LATWATCH_A_MAX + 4));
		return (size_t)(put_nla(p, type, data, n) - p);
	case 4:		/* nested garbage */
		type = (uint16_t)(rnd(LATWATCH_A_MAX + 4) |
				  (chance(70) ? NLA_F_NESTED : 0));
		if (depth < 3 && chance(70)) {
			size_t cap = room - NLA_HDRLEN;

			if (cap > 1024)
				cap = 1024;
			sub = gen_attrs(p + NLA_HDRLEN, cap, depth + 1, cmd, 0);
		} else {
			sub = rnd(64);
			if (sub + NLA_HDRLEN > room)
				sub = room - NLA_HDRLEN;
			rnd_bytes(p + NLA_HDRLEN, sub);
		}
		if (sub + NLA_HDRLEN > 0xffff)
			sub = 0xffff - NLA_HDRLEN;
		{
			struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + sub),
					    .nla_type = type };

			memcpy(p, &a, sizeof(a));
		}
		end = p + NLA_HDRLEN + sub;
		memset(end, 0, NLA_ALIGN(sub) - sub);
		return NLA_HDRLEN + NLA_ALIGN(sub);
	case 5:		/* zero length */
		type = (uint16_t)(chance(50) ? cfg_keys[rnd(NKEYS)].attr :
				  rnd(LATWATCH_A_MAX + 4));
		return (size_t)(put_nla(p, type, NULL, 0) - p);
	case 6: {	/* a length that lies: under the header, or past the end */
		struct nlattr a = { .nla_type = (uint16_t)rnd(LATWATCH_A_MAX + 4) };

		a.nla_len = (uint16_t)(chance(50) ? rnd(NLA_HDRLEN) :
				       room + 1 + rnd(256));
		memcpy(p, &a, sizeof(a));
		rnd_bytes(p + NLA_HDRLEN, 4);
		*last = true;
		return NLA_HDRLEN + 4;
	}
	case 7: {	/* byte-order flag, or a type beyond every known one */
		unsigned int k = rnd(NKEYS);
		uint32_t v = (uint32_t)rnd64();

		if (chance(50)) {
			type = cfg_keys[k].attr | NLA_F_NET_BYTEORDER;
			if (cmd == LATWATCH_CMD_CONFIG_SET)
				v = cfg_bad(k);
		} else {
			type = (uint16_t)(LATWATCH_A_MAX + 1 +
					  rnd(0x3fff - LATWATCH_A_MAX));
		}
		return (size_t)(put_nla(p, type, &v, 4) - p);
	}
	default:	/* any type, any length */
		type = (uint16_t)(chance(80) ? rnd(LATWATCH_A_MAX + 4) :
				  rnd(65536));
		n = rnd_nla_len();
		if ((size_t)n + NLA_HDRLEN + 4 > room)
			n = 0;
		rnd_bytes(data, n);
		if (cmd == LATWATCH_CMD_CONFIG_SET && n == 4 &&
		    cfg_key_of(type & NLA_TYPE_MASK) >= 0 &&
		    !(type & NLA_F_NESTED)) {
			/* never a random, possibly valid, configuration */
			uint32_t v = cfg_bad((unsigned int)
					     cfg_key_of(type & NLA_TYPE_MASK));

			memcpy(data, &v, 4);
		}
		end = put_nla(p, type, data, n);
		if (chance(5))	/* junk in the padding */
			rnd_bytes(p + NLA_HDRLEN + n, NLA_ALIGN(n) - n);
		return (size_t)(end - p);
	}
}

/*
 * Attributes into [p, p+room): a few (target 0) or up to about target
 * bytes. Returns the bytes used.
 */
static size_t gen_attrs(uint8_t *p, size_t room, int depth, uint8_t cmd,
			size_t target)
{
	unsigned int count = target ? 100000 : rnd(8);
	size_t used = 0;

	if (target && target < room)
		room = target;
	while (count--) {
		bool last = false;
		size_t n = gen_attr(p + used, room - used, depth, cmd, &last);

		if (!n)
			break;
		used += n;
		if (last)
			break;
	}
	return used;
}

static void intend(size_t off, size_t len, enum tag tag)
{
	if (nintents < MAX_RECS)
		intents[nintents++] = (struct intent){
			(uint32_t)off, (uint32_t)len, tag };
}

/* A message at dgram+off, at most room bytes; returns its aligned size. */
static size_t gen_msg(size_t off, size_t room, size_t target)
{
	uint8_t *m = dgram + off, *p;
	uint16_t type = rnd_type(), flags = rnd_flags();
	enum tag tag = TAG_NONE;
	uint8_t cmd;
	size_t len;
	unsigned int kind = target ? 100 : rnd(100);

	if (room < NLMSG_HDRLEN)
		return 0;
	if (room < NLMSG_HDRLEN + GENL_HDRLEN + 64 || kind < 5) {
		/* a bare header, or one cut inside the genetlink header */
		len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
		if (len > room)
			len = NLMSG_HDRLEN;
		rnd_bytes(m + NLMSG_HDRLEN, len - NLMSG_HDRLEN);
		put_hdr(m, (uint32_t)len, type, flags, 0);
		intend(off, len, TAG_NONE);
		return NLMSG_ALIGN(len);
	}
	p = m + NLMSG_HDRLEN + GENL_HDRLEN;
	if (kind < 30) {
		/*
		 * Well-formed CONFIG_SET, at least one value out of range. Each
		 * key once: of duplicates the last one counts (nla_parse), and
		 * a good value after a bad one would make it a valid request.
		 */
		unsigned int i, nattr = 1 + rnd(5), badi = rnd(nattr);
		unsigned int keys[NKEYS];

		for (i = 0; i < NKEYS; i++)
			keys[i] = i;
		for (i = 0; i < nattr; i++) {
			unsigned int j = i + rnd(NKEYS - i), t = keys[i];

			keys[i] = keys[j];
			keys[j] = t;
		}
		cmd = LATWATCH_CMD_CONFIG_SET;
		type = (uint16_t)fam_id;
		flags = NLM_F_REQUEST | NLM_F_ACK;
		put_genl(m + NLMSG_HDRLEN, cmd, LATWATCH_GENL_VERSION, 0);
		for (i = 0; i < nattr; i++) {
			unsigned int k = keys[i];
			uint32_t v = (i == badi || chance(30)) ? cfg_bad(k) :
				     cfg_good(k);

			p = put_nla(p, cfg_keys[k].attr, &v, 4);
		}
		tag = TAG_CFG_BAD;
	} else if (kind < 33) {
		/* CONFIG_SET with harmless values: may well be accepted */
		unsigned int i, nattr = 1 + rnd(3);

		cmd = LATWATCH_CMD_CONFIG_SET;
		put_genl(m + NLMSG_HDRLEN, cmd, LATWATCH_GENL_VERSION, 0);
		for (i = 0; i < nattr; i++) {
			unsigned int k = rnd(NKEYS);
			uint32_t v = cfg_good(k);

			p = put_nla(p, cfg_keys[k].attr, &v, 4);
		}
	} else if (kind < 50) {
		/* a GET, a dump or a reset, mostly by the book */
		cmd = real_cmds[rnd(sizeof(real_cmds))];
		if (chance(80)) {
			type = (uint16_t)fam_id;
			flags = NLM_F_REQUEST | (chance(50) ? NLM_F_ACK : 0);
			if (is_dump_cmd(cmd) ? chance(90) : chance(5))
				flags |= NLM_F_DUMP;
		}
		put_genl(m + NLMSG_HDRLEN, cmd, chance(90) ?
			 LATWATCH_GENL_VERSION : (uint8_t)rnd(256),
			 chance(95) ? 0 : (uint16_t)rnd(65536));
		if (chance(30))
			p += gen_attrs(p, room - (size_t)(p - m), 0, cmd, 0);
		else if (cmd != LATWATCH_CMD_CONFIG_SET)
			tag = TAG_CLEAN;
	} else {
		/* anything */
		cmd = rnd_cmd();
		put_genl(m + NLMSG_HDRLEN, cmd, (uint8_t)(chance(80) ?
			 LATWATCH_GENL_VERSION : rnd(256)),
			 chance(90) ? 0 : (uint16_t)rnd(65536));
		p += gen_attrs(p, room - (size_t)(p - m), 0, cmd, target);
	}
	len = (size_t)(p - m);
	put_hdr(m, (uint32_t)len, type, flags, 0);

	/* Lie about the length now and then, or flip a few bits. */
	if (chance(8)) {
		uint32_t lie;

		switch (rnd(4)) {
		case 0:
			lie = rnd(NLMSG_HDRLEN);
			break;
		case 1:
			lie = NLMSG_HDRLEN + rnd((uint32_t)len - NLMSG_HDRLEN);
			break;
		case 2:
			lie = (uint32_t)len + 1 + rnd(256);
			break;
		default:
			lie = (uint32_t)rnd64();
			break;
		}
		memcpy(m, &lie, sizeof(lie));
		tag = TAG_NONE;
	} else if (chance(8)) {
		unsigned int i, flips = 1 + rnd(4);

		for (i = 0; i < flips; i++) {
			/* flags, genetlink header, attributes: not the type */
			size_t at = 6 + rnd((uint32_t)len - 6);

			m[at] ^= (uint8_t)(1u << rnd(8));
		}
		tag = TAG_NONE;
	}
	intend(off, len, tag);
	return NLMSG_ALIGN(len);
}

static void gen_dgram(void)
{
	unsigned int kind = rnd(100);
	size_t off = 0;

	nintents = 0;
	if (kind < 4) {
		/* shorter than a header (empty ones are refused by send) */
		dlen = 1 + rnd(NLMSG_HDRLEN - 1);
		rnd_bytes(dgram, dlen);
		return;
	}
	if (kind < 12) {
		/* a big one, up to 64 KiB */
		size_t target = NLA_ALIGN(4096 + rnd(DGRAM_MAX - 4096 - 64));

		dlen = gen_msg(0, DGRAM_MAX, target);
		return;
	}
	if (kind < 30) {
		/* several messages */
		unsigned int i, n = 2 + rnd(7);

		for (i = 0; i < n && off + NLMSG_HDRLEN <= 4096; i++)
			off += gen_msg(off, 4096 - off, 0);
		if (chance(20) && off < DGRAM_MAX - 8) {
			/* trailing junk */
			size_t junk = 1 + rnd(8);

			rnd_bytes(dgram + off, junk);
			off += junk;
		}
		dlen = off;
		return;
	}
	dlen = gen_msg(0, 4096, 0);
}

/*
 * The kernel's view of the datagram (netlink_rcv_skb): give every message
 * it will see a sequence number of its own and record it.
 */
static void walk_dgram(void)
{
	size_t off = 0, left = dlen;
	unsigned int i;

	nrecs = 0;
	while (left >= NLMSG_HDRLEN && nrecs < MAX_RECS) {
		struct nlmsghdr h = hdr_at(dgram + off);
		struct rec *r;
		size_t step;

		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left)
			break;
		/*
		 * A header made of attribute bytes can name any family: send
		 * it to one that cannot exist (ids end at GENL_MAX_ID) rather
		 * than fuzz somebody else's.
		 */
		if (h.nlmsg_type != fam_id && h.nlmsg_type >= NLMSG_MIN_TYPE &&
		    h.nlmsg_type <= GENL_MAX_ID) {
			h.nlmsg_type |= 0x8000;
			memcpy(dgram + off + offsetof(struct nlmsghdr, nlmsg_type),
			       &h.nlmsg_type, sizeof(h.nlmsg_type));
		}
		h.nlmsg_seq = next_seq++;
		memcpy(dgram + off + offsetof(struct nlmsghdr, nlmsg_seq),
		       &h.nlmsg_seq, sizeof(h.nlmsg_seq));
		r = &recs[nrecs++];
		memset(r, 0, sizeof(*r));
		r->off = (uint32_t)off;
		r->len = h.nlmsg_len;
		r->seq = h.nlmsg_seq;
		r->type = h.nlmsg_type;
		r->flags = h.nlmsg_flags;
		r->request = (h.nlmsg_flags & NLM_F_REQUEST) &&
			     h.nlmsg_type >= NLMSG_MIN_TYPE;
		r->family = h.nlmsg_type == fam_id;
		r->genl = h.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN;
		r->dump = (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		if (r->genl) {
			struct genlmsghdr g;

			memcpy(&g, dgram + off + NLMSG_HDRLEN, sizeof(g));
			r->cmd = g.cmd;
			r->reserved = g.reserved;
			r->hdr_ok = header_ok(r->flags, g.cmd, g.reserved);
		}
		for (i = 0; i < nintents; i++)
			if (intents[i].off == off && intents[i].len == h.nlmsg_len)
				r->tag = intents[i].tag;
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > left)
			step = left;
		off += step;
		left -= step;
	}
	/* A tag holds only if the message is what the generator wrote. */
	for (i = 0; i < nrecs; i++) {
		struct rec *r = &recs[i];

		if (r->tag != TAG_NONE &&
		    (!r->request || !r->family || !r->genl || !r->hdr_ok ||
		     !is_real_cmd(r->cmd) || r->dump != is_dump_cmd(r->cmd)))
			r->tag = TAG_NONE;
	}
	c_msgs += nrecs;
}

/* ---- checking replies ---- */

static struct rec *find_rec(uint32_t seq, bool *is_open)
{
	unsigned int i;

	*is_open = false;
	for (i = 0; i < nrecs; i++)
		if (recs[i].seq == seq)
			return &recs[i];
	for (i = 0; i < nopen; i++)
		if (open_dumps[i].seq == seq) {
			*is_open = true;
			return &open_dumps[i];
		}
	return NULL;
}

/* Extended-ack TLVs after an error or DONE; false if malformed. */
struct tlv_ctx {
	bool msg, offs_ok, bad;
	uint32_t orig_len;
	char text[128];
};

static bool tlv_attr(void *ctx, uint16_t type, const uint8_t *d, uint16_t n)
{
	struct tlv_ctx *t = ctx;

	switch (type) {
	case NLMSGERR_ATTR_MSG:
		if (n < 2 || d[n - 1] != 0 || strlen((const char *)d) + 1 != n)
			return false;
		t->msg = true;
		snprintf(t->text, sizeof(t->text), "%s", (const char *)d);
		return true;
	case NLMSGERR_ATTR_OFFS:
		if (n != 4)
			return false;
		/* the bad attribute lies inside the request */
		return u32_at(d) >= NLMSG_HDRLEN && u32_at(d) < t->orig_len;
	default:
		return true;
	}
}

static bool parse_tlvs(const uint8_t *p, size_t len, uint32_t orig_len,
		       struct tlv_ctx *t)
{
	bool ok;

	memset(t, 0, sizeof(*t));
	t->orig_len = orig_len;
	if (nla_walk(p, len, tlv_attr, t, &ok) || !ok)
		return false;
	return true;
}

static void handle_error(const uint8_t *m, const struct nlmsghdr *h)
{
	struct nlmsgerr e;
	struct nlmsghdr o;
	struct tlv_ctx t;
	struct rec *r;
	size_t body, tlv_off;
	bool capped, is_open;

	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(e)) {
		unexpected("NLMSG_ERROR of %u bytes", h->nlmsg_len);
		return;
	}
	memcpy(&e, m + NLMSG_HDRLEN, sizeof(e));
	o = e.msg;
	if (e.error > 0 || e.error < -4095) {
		unexpected("error %d out of range", e.error);
		return;
	}
	if (e.error) {
		c_errors++;
		c_errno[-e.error]++;
	} else {
		c_acks++;
	}
	r = find_rec(h->nlmsg_seq, &is_open);
	if (!r || is_open) {
		unexpected("%s for seq %u that is not in this datagram",
			   e.error ? errname(-e.error) : "ack", h->nlmsg_seq);
		return;
	}
	if (o.nlmsg_len != r->len || o.nlmsg_type != r->type ||
	    o.nlmsg_flags != r->flags || o.nlmsg_seq != r->seq) {
		unexpected("seq %u: the echoed header is not the request's",
			   r->seq);
		return;
	}
	capped = h->nlmsg_flags & NLM_F_CAPPED;
	if (capped) {
		tlv_off = NLMSG_HDRLEN + sizeof(e);
	} else {
		body = r->len - NLMSG_HDRLEN;
		tlv_off = NLMSG_HDRLEN + sizeof(e) + NLMSG_ALIGN(body);
		if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(e) + body ||
		    memcmp(m + NLMSG_HDRLEN + sizeof(e),
			   dgram + r->off + NLMSG_HDRLEN, body)) {
			unexpected("seq %u: the echoed request differs", r->seq);
			return;
		}
	}
	if (e.error == 0 && !capped)
		unexpected("seq %u: an ack with the request appended", r->seq);
	memset(&t, 0, sizeof(t));
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (tlv_off > h->nlmsg_len ||
		    !parse_tlvs(m + tlv_off, h->nlmsg_len - tlv_off, r->len, &t)) {
			unexpected("seq %u: malformed extended ack", r->seq);
			return;
		}
	} else if (tlv_off != NLMSG_ALIGN(h->nlmsg_len) &&
		   tlv_off != h->nlmsg_len) {
		unexpected("seq %u: %u bytes after the error", r->seq,
			   h->nlmsg_len - (unsigned int)tlv_off);
		return;
	}
	if (t.msg) {
		c_extack++;
		r->extack_msg = true;
		r->extack_must = strstr(t.text, "must be") != NULL;
		snprintf(r->extack, sizeof(r->extack), "%s", t.text);
	}
	if (e.error)
		r->n_err++;
	else
		r->n_ack++;
	r->err = e.error;
}

struct data_ctx {
	unsigned int cmd;
	unsigned int got[LATWATCH_A_MAX + 1];
	uint32_t val[LATWATCH_A_MAX + 1];
	bool bad;
	unsigned int buckets;
};

static bool bucket_attr(void *ctx, uint16_t type, const uint8_t *d,
			uint16_t n)
{
	struct data_ctx *c = ctx;

	(void)d;
	if (type == LATWATCH_A_PAD && n == 0)
		return true;
	if (type != LATWATCH_A_HIST_BUCKET || n != 8)
		return false;
	c->buckets++;
	return true;
}

static bool data_attr(void *ctx, uint16_t type, const uint8_t *d, uint16_t n)
{
	struct data_ctx *c = ctx;
	bool ok;

	if (type > LATWATCH_A_MAX)
		return false;
	c->got[type]++;
	if (type == LATWATCH_A_PAD)
		return n == 0;
	if (c->got[type] > 1)
		return false;
	switch (c->cmd) {
	case LATWATCH_CMD_CONFIG_GET:
		if (type == LATWATCH_A_INSTANCE)
			return n == 8;
		if (cfg_key_of(type) < 0 || n != 4)
			return false;
		c->val[type] = u32_at(d);
		return true;
	case LATWATCH_CMD_REPLAY_GET:
		switch (type) {
		case LATWATCH_A_EV_TYPE:
			if (n != 4)
				return false;
			c->val[type] = u32_at(d);
			return true;
		case LATWATCH_A_EV_CPU:
		case LATWATCH_A_EV_PID:
		case LATWATCH_A_EV_VECTOR:
		case LATWATCH_A_EV_KIND:
		case LATWATCH_A_EV_IRQ:
			return n == 4;
		case LATWATCH_A_EV_SEQ:
		case LATWATCH_A_EV_TS_NS:
		case LATWATCH_A_EV_DURATION_NS:
		case LATWATCH_A_EV_RESOLUTION_NS:
		case LATWATCH_A_INSTANCE:
			return n == 8;
		case LATWATCH_A_EV_COMM:
		case LATWATCH_A_EV_CGROUP:
		case LATWATCH_A_EV_NAME:
		case LATWATCH_A_EV_FUNCTION:
			return n >= 1 && !d[n - 1];
		case LATWATCH_A_EV_STACK:
			return true;
		default:
			return false;
		}
	case LATWATCH_CMD_LOST:
		return (type == LATWATCH_A_LOST_COUNT ||
			type == LATWATCH_A_LOST_TOTAL) && n == 8;
	case LATWATCH_CMD_STATS_GET:
		switch (type) {
		case LATWATCH_A_STAT_CPU:
			if (n != 4)
				return false;
			c->val[type] = u32_at(d);
			return true;
		case LATWATCH_A_STAT_ONLINE:
			return n == 1 && d[0] <= 1;
		case LATWATCH_A_STAT_SAMPLES:
		case LATWATCH_A_STAT_EVENTS:
		case LATWATCH_A_STAT_LOST:
		case LATWATCH_A_STAT_STALLS:
		case LATWATCH_A_STAT_SOFTIRQ_LATE:
		case LATWATCH_A_STAT_UNHEARD:
		case LATWATCH_A_STAT_DELIVERED:
		case LATWATCH_A_STAT_RATELIMITED:
		case LATWATCH_A_STAT_IDLE_PAUSES:
		case LATWATCH_A_STAT_IDLE_NS:
			return n == 8;
		default:
			return false;
		}
	case LATWATCH_CMD_HIST_GET:
		switch (type) {
		case LATWATCH_A_HIST_CPU:
		case LATWATCH_A_HIST_TYPE:
			if (n != 4)
				return false;
			c->val[type] = u32_at(d);
			return true;
		case LATWATCH_A_HIST_BUCKETS:
			return !nla_walk(d, n, bucket_attr, c, &ok) && ok &&
			       c->buckets <= LATWATCH_HIST_BUCKETS;
		default:
			return false;
		}
	}
	return false;
}

/* Attributes of a data reply: exactly what the UAPI header documents. */
static bool check_data(unsigned int cmd, const uint8_t *p, size_t len,
		       struct data_ctx *c)
{
	unsigned int k;
	bool ok;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	if (nla_walk(p, len, data_attr, c, &ok) || !ok)
		return false;
	switch (cmd) {
	case LATWATCH_CMD_CONFIG_GET:
		for (k = 0; k < NKEYS; k++)
			if (c->got[cfg_keys[k].attr] != 1)
				return false;
		return c->got[LATWATCH_A_INSTANCE] == 1;
	case LATWATCH_CMD_REPLAY_GET:
		return c->got[LATWATCH_A_EV_TYPE] == 1 &&
		       c->got[LATWATCH_A_EV_SEQ] == 1 &&
		       c->got[LATWATCH_A_EV_CPU] == 1 &&
		       c->got[LATWATCH_A_INSTANCE] == 1 &&
		       c->val[LATWATCH_A_EV_TYPE] >= 1 &&
		       c->val[LATWATCH_A_EV_TYPE] <= LATWATCH_EV_MAX;
	case LATWATCH_CMD_LOST:
		return c->got[LATWATCH_A_LOST_COUNT] == 1 &&
		       c->got[LATWATCH_A_LOST_TOTAL] == 1;
	case LATWATCH_CMD_STATS_GET:
		for (k = LATWATCH_A_STAT_CPU; k <= LATWATCH_A_STAT_UNHEARD; k++)
			if (c->got[k] != 1)
				return false;
		return c->got[LATWATCH_A_STAT_DELIVERED] == 1 &&
		       c->got[LATWATCH_A_STAT_RATELIMITED] == 1 &&
		       c->got[LATWATCH_A_STAT_IDLE_PAUSES] == 1 &&
		       c->got[LATWATCH_A_STAT_IDLE_NS] == 1 &&
		       c->val[LATWATCH_A_STAT_CPU] < MAX_CPUS;
	case LATWATCH_CMD_HIST_GET:
		return c->got[LATWATCH_A_HIST_CPU] == 1 &&
		       c->got[LATWATCH_A_HIST_TYPE] == 1 &&
		       c->got[LATWATCH_A_HIST_BUCKETS] == 1 &&
		       c->val[LATWATCH_A_HIST_CPU] < MAX_CPUS &&
		       c->val[LATWATCH_A_HIST_TYPE] >= 1 &&
		       c->val[LATWATCH_A_HIST_TYPE] <= LATWATCH_EV_MAX;
	}
	return false;
}

static void handle_data(const uint8_t *m, const struct nlmsghdr *h)
{
	struct genlmsghdr g;
	struct data_ctx c;
	struct rec *r;
	bool is_open;

	c_data++;
	r = find_rec(h->nlmsg_seq, &is_open);
	if (!r) {
		unexpected("data for seq %u that was never sent", h->nlmsg_seq);
		return;
	}
	if (!privileged) {
		unexpected("seq %u: data without CAP_NET_ADMIN", r->seq);
		return;
	}
	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		unexpected("seq %u: data without a genetlink header", r->seq);
		return;
	}
	memcpy(&g, m + NLMSG_HDRLEN, sizeof(g));
	if (!r->request || !r->family || !r->genl ||
	    g.cmd != reply_cmd(r->cmd) ||
	    g.version != LATWATCH_GENL_VERSION) {
		unexpected("seq %u: data (cmd %u) for a request of type %u cmd %u",
			   r->seq, g.cmd, r->type, r->cmd);
		return;
	}
	if (r->cmd == LATWATCH_CMD_CONFIG_GET) {
		if (r->dump || (h->nlmsg_flags & NLM_F_MULTI)) {
			unexpected("seq %u: CONFIG_GET answered as a dump", r->seq);
			return;
		}
	} else if (is_dump_cmd(r->cmd)) {
		if (!r->dump || !(h->nlmsg_flags & NLM_F_MULTI)) {
			unexpected("seq %u: dump part without NLM_F_MULTI or for no dump",
				   r->seq);
			return;
		}
	} else {
		unexpected("seq %u: data for command %u", r->seq, r->cmd);
		return;
	}
	if (!check_data(r->cmd, m + NLMSG_HDRLEN + GENL_HDRLEN,
			h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, &c)) {
		unexpected("seq %u: malformed attributes for cmd %u", r->seq,
			   r->cmd);
		return;
	}
	r->n_data++;
	if (r->cmd == LATWATCH_CMD_STATS_GET) {
		unsigned int cpu = c.val[LATWATCH_A_STAT_CPU];

		if (r->seen[cpu] & 1)
			unexpected("seq %u: CPU %u twice in a stats dump", r->seq,
				   cpu);
		r->seen[cpu] |= 1;
		r->parts++;
	} else if (r->cmd == LATWATCH_CMD_HIST_GET) {
		unsigned int cpu = c.val[LATWATCH_A_HIST_CPU];
		uint64_t bit = 1ULL << c.val[LATWATCH_A_HIST_TYPE];

		if (r->seen[cpu] & bit)
			unexpected("seq %u: CPU %u type %u twice in a hist dump",
				   r->seq, cpu, c.val[LATWATCH_A_HIST_TYPE]);
		r->seen[cpu] |= bit;
		r->parts++;
	}
}

/* A finished dump: one stats message per possible CPU, the same histogram
 * types for every CPU. A replay dump has what the module kept, maybe none.
 */
static void check_dump_done(const struct rec *r)
{
	unsigned int cpu, n = 0;

	if (r->cmd == LATWATCH_CMD_REPLAY_GET)
		return;

	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if (r->seen[cpu])
			n++;
	if (n != ncpus) {
		unexpected("seq %u: dump of cmd %u covered %u CPUs of %u",
			   r->seq, r->cmd, n, ncpus);
		return;
	}
	for (cpu = 1; cpu < MAX_CPUS; cpu++)
		if (r->seen[cpu] && r->seen[cpu] != r->seen[0]) {
			unexpected("seq %u: CPUs 0 and %u dumped different types",
				   r->seq, cpu);
			return;
		}
}

static void handle_done(const uint8_t *m, const struct nlmsghdr *h)
{
	struct tlv_ctx t;
	struct rec *r;
	bool is_open;
	int err;

	c_dones++;
	r = find_rec(h->nlmsg_seq, &is_open);
	if (!r || !privileged || !r->dump || !is_dump_cmd(r->cmd) ||
	    !r->request || !r->family) {
		unexpected("NLMSG_DONE for seq %u, no dump of ours",
			   h->nlmsg_seq);
		return;
	}
	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(int)) {
		unexpected("seq %u: NLMSG_DONE of %u bytes", r->seq,
			   h->nlmsg_len);
		return;
	}
	memcpy(&err, m + NLMSG_HDRLEN, sizeof(err));
	if (err)
		unexpected("seq %u: dump ended with %d", r->seq, err);
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    !parse_tlvs(m + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)),
			h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(int)),
			r->len, &t))
		unexpected("seq %u: malformed TLVs after NLMSG_DONE", r->seq);
	r->n_done++;
	if (r->n_done > 1) {
		unexpected("seq %u: two NLMSG_DONE", r->seq);
		return;
	}
	check_dump_done(r);
	if (is_open) {
		*r = open_dumps[--nopen];
	}
}

/*
 * A message of the family with sequence number 0 and port 0 answers no
 * request (nlfuzz numbers every one from 1000 on): an event or a lost
 * record, sent to a subscriber. true if it is one of those; counted, and
 * checked when check is set.
 */
static bool unsolicited(const uint8_t *m, const struct nlmsghdr *h, bool check)
{
	struct genlmsghdr g;
	struct data_ctx c;
	unsigned int cmd;

	if (h->nlmsg_type != fam_id || h->nlmsg_seq || h->nlmsg_pid)
		return false;
	if (h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		c_other++;
		if (check)
			unexpected("a message of the family without a genetlink header");
		return true;
	}
	memcpy(&g, m + NLMSG_HDRLEN, sizeof(g));
	if (g.cmd == LATWATCH_CMD_EVENT) {
		c_events++;
		cmd = LATWATCH_CMD_REPLAY_GET;	/* what a replayed event has */
	} else if (g.cmd == LATWATCH_CMD_LOST) {
		c_lost++;
		cmd = LATWATCH_CMD_LOST;
	} else {
		c_other++;
		if (check)
			unexpected("cmd %u from the family out of the blue", g.cmd);
		return true;
	}
	if (!check)
		return true;
	if (!privileged)
		unexpected("%s without CAP_NET_ADMIN",
			   g.cmd == LATWATCH_CMD_EVENT ? "an event" : "a lost record");
	else if ((h->nlmsg_flags & NLM_F_MULTI) ||
		 !check_data(cmd, m + NLMSG_HDRLEN + GENL_HDRLEN,
			     h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, &c))
		unexpected("a malformed %s",
			   g.cmd == LATWATCH_CMD_EVENT ? "event" : "lost record");
	return true;
}

static void handle_buf(const uint8_t *buf, size_t n)
{
	size_t left = n;
	const uint8_t *m = buf;

	while (left) {
		struct nlmsghdr h;

		if (left < NLMSG_HDRLEN) {
			unexpected("%zu stray bytes after the last reply", left);
			return;
		}
		h = hdr_at(m);
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) {
			unexpected("reply with nlmsg_len %u in %zu bytes",
				   h.nlmsg_len, left);
			return;
		}
		if (unsolicited(m, &h, true))
			goto next;
		c_replies++;
		if (h.nlmsg_pid != my_portid)
			unexpected("reply addressed to port %u", h.nlmsg_pid);
		if (h.nlmsg_type == NLMSG_ERROR)
			handle_error(m, &h);
		else if (h.nlmsg_type == NLMSG_DONE)
			handle_done(m, &h);
		else if (h.nlmsg_type == fam_id)
			handle_data(m, &h);
		else
			unexpected("reply of type %u", h.nlmsg_type);
next:
		if (NLMSG_ALIGN(h.nlmsg_len) >= left)
			break;
		left -= NLMSG_ALIGN(h.nlmsg_len);
		m += NLMSG_ALIGN(h.nlmsg_len);
	}
}

static uint8_t rbuf[RECV_MAX];

/* Read until nothing is left; wait up to ms for the first reply. */
static void drain(int fd, int ms)
{
	for (;;) {
		bool trunc, fk;
		ssize_t n;

		n = nl_recv(fd, rbuf, sizeof(rbuf), true, &trunc, &fk);
		if (n == 0) {
			if (ms > 0 && wait_readable(fd, ms))
				continue;
			return;
		}
		if (n < 0) {
			unexpected("recv: %s", strerror((int)-n));
			return;
		}
		if (trunc) {
			unexpected("a reply of %zd bytes did not fit", n);
			continue;
		}
		if (!fk) {
			unexpected("a datagram not from the kernel");
			continue;
		}
		handle_buf(rbuf, (size_t)n);
	}
}

/* ---- the configuration model ---- */

static uint32_t model[NKEYS];
static bool have_model;

struct set_ctx {
	uint32_t val[NKEYS];
	bool has[NKEYS];
};

static bool set_attr(void *ctx, uint16_t type, const uint8_t *d, uint16_t n)
{
	struct set_ctx *s = ctx;
	int k = cfg_key_of(type);

	if (k >= 0 && n == 4) {
		s->val[k] = u32_at(d);	/* the last one wins, as in nla_parse */
		s->has[k] = true;
	}
	return true;
}

static void model_apply(const struct rec *r)
{
	struct set_ctx s;
	unsigned int k;
	bool ok;

	memset(&s, 0, sizeof(s));
	nla_walk(dgram + r->off + NLMSG_HDRLEN + GENL_HDRLEN,
		 r->len - NLMSG_HDRLEN - GENL_HDRLEN, set_attr, &s, &ok);
	for (k = 0; k < NKEYS; k++)
		if (s.has[k])
			model[k] = s.val[k];
	c_sets++;
}

/* For the record: how a message looked and what came back. */
static const char *desc(const struct rec *r)
{
	static char buf[512];
	size_t n, i, show = r->len < 64 ? r->len : 64;

	n = (size_t)snprintf(buf, sizeof(buf),
			     "[len %u type %u flags 0x%x cmd %u at %u of %zu; "
			     "errors %u acks %u data %u; \"%s\";",
			     r->len, r->type, r->flags, r->cmd, r->off, dlen,
			     r->n_err, r->n_ack, r->n_data, r->extack);
	for (i = 0; i < show && n + 4 < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%02x",
				      i % 4 ? "" : " ", dgram[r->off + i]);
	snprintf(buf + n, sizeof(buf) - n, "]");
	return buf;
}

/* The verdict on each message of the datagram once its replies are in. */
/*
 * The errno the genetlink core must answer a request with before latwatch
 * sees it, 0 when it reaches latwatch. *alt: a second errno that is just
 * as right (the order of the checks changed between kernels).
 */
static int core_errno(const struct rec *r, int *alt)
{
	*alt = 0;
	if (!r->family)
		return ENOENT;		/* no such family */
	if (!r->genl || !r->hdr_ok)
		return EINVAL;		/* short, or genl_header_check() */
	if (!is_real_cmd(r->cmd))
		return EOPNOTSUPP;
	if (r->dump != is_dump_cmd(r->cmd)) {
		/* 6.1 checks the permission before the handler's kind */
		if (!privileged)
			*alt = EPERM;
		return EOPNOTSUPP;
	}
	return privileged ? 0 : EPERM;
}

/* The verdict on each message of the datagram once its replies are in. */
static void check_recs(void)
{
	unsigned int i;

	for (i = 0; i < nrecs; i++) {
		struct rec *r = &recs[i];
		unsigned int answers = r->n_err + r->n_ack;
		int want, alt;

		if (answers > 1)
			unexpected("seq %u: %u errors or acks %s", r->seq,
				   answers, desc(r));
		if (r->n_ack && !(r->flags & NLM_F_ACK))
			unexpected("seq %u: an ack nobody asked for %s",
				   r->seq, desc(r));
		if (!r->request) {
			/* not a request or a control message: ignored */
			if (r->n_err)
				unexpected("seq %u: %s for a message the kernel ignores %s",
					   r->seq, errname(-r->err), desc(r));
			if ((r->flags & NLM_F_ACK) && !r->n_ack)
				unexpected("seq %u: no ack %s", r->seq, desc(r));
			continue;
		}
		want = core_errno(r, &alt);
		if (want) {
			if (!r->n_err || (-r->err != want && -r->err != alt))
				unexpected("seq %u: %s, expected %s %s", r->seq,
					   r->n_err ? errname(-r->err) :
					   "no error", errname(want), desc(r));
			continue;
		}
		/* A privileged request to one of latwatch's handlers. */
		if ((r->flags & NLM_F_ACK) && !answers && !r->n_done &&
		    !(r->dump && r->n_data))
			unexpected("seq %u: asked for an ack, got nothing %s",
				   r->seq, desc(r));
		if (r->n_err && r->err == -EPERM)
			unexpected("seq %u: EPERM with CAP_NET_ADMIN %s", r->seq,
				   desc(r));
		if (r->tag == TAG_CLEAN && r->n_err &&
		    !(r->dump && r->err == -EBUSY) &&
		    !(r->cmd == LATWATCH_CMD_SUBSCRIBE && r->err == -EBUSY &&
		      strstr(r->extack, "too many subscribers")))
			unexpected("seq %u: well-formed cmd %u refused: %s %s",
				   r->seq, r->cmd, errname(-r->err), desc(r));
		if (r->tag == TAG_CFG_BAD &&
		    (r->err != -EINVAL || !r->extack_msg || !r->extack_must))
			unexpected("seq %u: out-of-range CONFIG_SET: %s%s %s",
				   r->seq, r->n_err ? errname(-r->err) :
				   "accepted",
				   r->extack_msg ? "" : " without a message",
				   desc(r));
		if (r->cmd == LATWATCH_CMD_CONFIG_GET && !r->n_err &&
		    r->n_data != 1)
			unexpected("seq %u: CONFIG_GET answered %u times %s",
				   r->seq, r->n_data, desc(r));
		/* Accepted: no error. The kernel applied it. */
		if (r->cmd == LATWATCH_CMD_CONFIG_SET && !r->n_err)
			model_apply(r);
		if (r->dump && !r->n_err && !r->n_done) {
			if (nopen < MAX_OPEN)
				open_dumps[nopen++] = *r;
			else
				unexpected("seq %u: too many dumps open %s",
					   r->seq, desc(r));
		}
	}
}

/* ---- simple requests (before and after the fuzzing, and -p) ---- */

struct simple {
	int err;			/* 0: acked, or data/DONE came */
	bool answered;
	unsigned int data;
	struct data_ctx last;
	bool malformed;
};

static void simple_buf(const uint8_t *buf, size_t n, uint32_t seq,
		       unsigned int cmd, uint16_t flags, struct simple *s)
{
	size_t left = n;
	const uint8_t *m = buf;

	while (left >= NLMSG_HDRLEN) {
		struct nlmsghdr h = hdr_at(m);

		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) {
			s->malformed = true;
			return;
		}
		/* An event or a lost record is counted, and answers nothing. */
		if (!unsolicited(m, &h, false) && h.nlmsg_seq == seq) {
			if (h.nlmsg_type == NLMSG_ERROR &&
			    h.nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
				memcpy(&s->err, m + NLMSG_HDRLEN, sizeof(int));
				s->answered = true;
			} else if (h.nlmsg_type == NLMSG_DONE) {
				s->answered = true;
			} else if (h.nlmsg_type == fam_id &&
				   h.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
				s->data++;
				if (!check_data(cmd, m + NLMSG_HDRLEN + GENL_HDRLEN,
						h.nlmsg_len - NLMSG_HDRLEN -
						GENL_HDRLEN, &s->last))
					s->malformed = true;
				/* a doit's reply; an ack may follow */
				if (!(h.nlmsg_flags & NLM_F_MULTI) &&
				    !(flags & NLM_F_ACK))
					s->answered = true;
			} else {
				s->malformed = true;
			}
		}
		if (NLMSG_ALIGN(h.nlmsg_len) >= left)
			break;
		left -= NLMSG_ALIGN(h.nlmsg_len);
		m += NLMSG_ALIGN(h.nlmsg_len);
	}
}

/* One well-formed request; waits for its answer (up to 5 s). */
static void simple_req(int fd, unsigned int cmd, uint16_t flags,
		       const uint8_t *attrs, size_t alen, struct simple *s)
{
	uint8_t req[512], *p;
	uint32_t seq = next_seq++;
	double deadline = now_s() + 5;

	memset(s, 0, sizeof(*s));
	p = put_genl(req + NLMSG_HDRLEN, (uint8_t)cmd, LATWATCH_GENL_VERSION, 0);
	memcpy(p, attrs, alen);
	p += alen;
	put_hdr(req, (uint32_t)(p - req), (uint16_t)fam_id,
		NLM_F_REQUEST | flags, seq);
	s->err = nl_send(fd, req, (size_t)(p - req));
	if (s->err) {
		s->answered = true;
		return;
	}
	while (!s->answered && now_s() < deadline) {
		bool trunc, fk;
		ssize_t n;

		if (!wait_readable(fd, 100))
			continue;
		n = nl_recv(fd, rbuf, sizeof(rbuf), true, &trunc, &fk);
		if (n < 0) {
			s->err = (int)n;
			s->answered = true;
			return;
		}
		if (trunc)
			s->malformed = true;
		else if (n > 0)
			simple_buf(rbuf, (size_t)n, seq, cmd, flags, s);
	}
}

static bool config_read(int fd, uint32_t *vals)
{
	struct simple s;
	unsigned int k;

	simple_req(fd, LATWATCH_CMD_CONFIG_GET, 0, NULL, 0, &s);
	if (!s.answered || s.err || s.data != 1 || s.malformed)
		return false;
	for (k = 0; k < NKEYS; k++)
		vals[k] = s.last.val[cfg_keys[k].attr];
	return true;
}

/* ---- -p, -l and -r ---- */

/*
 * Every way there is to get events on fd: SUBSCRIBE, and joining each
 * multicast group the family advertises. *sub: SUBSCRIBE's errno (0: it
 * worked; -1: no well-formed answer). Returns how many groups it joined.
 */
static unsigned int every_way(int fd, int *sub)
{
	unsigned int i, joined = 0;
	struct simple s;

	simple_req(fd, LATWATCH_CMD_SUBSCRIBE, NLM_F_ACK, NULL, 0, &s);
	*sub = !s.answered || s.malformed || s.err > 0 ? -1 : -s.err;
	for (i = 0; i < ngrps; i++)
		if (!setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grps[i], sizeof(grps[i])))
			joined++;
	return joined;
}

static int probe(int fd)
{
	static const struct {
		const char *name;
		unsigned int cmd;
		uint16_t flags;
	} probes[] = {
		{ "CONFIG_GET", LATWATCH_CMD_CONFIG_GET, NLM_F_ACK },
		{ "CONFIG_SET", LATWATCH_CMD_CONFIG_SET, NLM_F_ACK },
		{ "STATS_GET", LATWATCH_CMD_STATS_GET, NLM_F_ACK | NLM_F_DUMP },
		{ "HIST_GET", LATWATCH_CMD_HIST_GET, NLM_F_ACK | NLM_F_DUMP },
		{ "HIST_RESET", LATWATCH_CMD_HIST_RESET, NLM_F_ACK },
		{ "REPLAY_GET", LATWATCH_CMD_REPLAY_GET, NLM_F_ACK | NLM_F_DUMP },
		{ "SUBSCRIBE", LATWATCH_CMD_SUBSCRIBE, NLM_F_ACK },
		{ "UNSUBSCRIBE", LATWATCH_CMD_UNSUBSCRIBE, NLM_F_ACK },
	};
	unsigned int i, joined;
	int ret = 0, sub;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct simple s;

		/* CONFIG_SET without attributes: valid, and changes nothing */
		simple_req(fd, probes[i].cmd, probes[i].flags, NULL, 0, &s);
		if (!s.answered || s.malformed || s.err > 0) {
			printf("nlfuzz: probe %s no answer%s\n", probes[i].name,
			       s.malformed ? " (malformed reply)" : "");
			ret = 1;
			continue;
		}
		printf("nlfuzz: probe %s errno=%s data=%u\n", probes[i].name,
		       errname(-s.err), s.data);
	}
	joined = every_way(fd, &sub);
	if (sub < 0) {
		printf("nlfuzz: probe events-join no answer to SUBSCRIBE\n");
		return 1;
	}
	printf("nlfuzz: probe events-join errno=%s groups=%u joined=%u\n",
	       errname(joined || !sub ? 0 : sub), ngrps, joined);
	return ret;
}

/*
 * -l: every way in, then count what comes for secs seconds: the family's
 * events and lost records (and whatever else of it answers nothing).
 */
static int listen_for(int fd, unsigned int secs)
{
	double end;
	unsigned int joined;
	unsigned long overruns = 0;
	int sub;

	joined = every_way(fd, &sub);
	printf("nlfuzz: listening portid=%u subscribe=%s groups=%u joined=%u\n",
	       my_portid, sub < 0 ? "none" : errname(sub), ngrps, joined);
	end = now_s() + secs;
	while (now_s() < end) {
		int ms = (int)((end - now_s()) * 1000) + 1;
		const uint8_t *m = rbuf;
		bool trunc, fk;
		ssize_t n;
		size_t left;

		if (!wait_readable(fd, ms))
			continue;
		n = nl_recv(fd, rbuf, sizeof(rbuf), true, &trunc, &fk);
		if (n == -ENOBUFS)
			overruns++;
		if (n <= 0 || !fk)
			continue;
		for (left = trunc ? sizeof(rbuf) : (size_t)n; left >= NLMSG_HDRLEN;) {
			struct nlmsghdr h = hdr_at(m);

			if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left)
				break;
			if (!unsolicited(m, &h, false) && h.nlmsg_type == fam_id)
				c_other++;
			if (NLMSG_ALIGN(h.nlmsg_len) >= left)
				break;
			left -= NLMSG_ALIGN(h.nlmsg_len);
			m += NLMSG_ALIGN(h.nlmsg_len);
		}
	}
	printf("nlfuzz: listen portid=%u subscribe=%s groups=%u joined=%u events=%lu lost=%lu other=%lu overruns=%lu %s\n",
	       my_portid, sub < 0 ? "none" : errname(sub), ngrps, joined,
	       c_events, c_lost, c_other, overruns,
	       have_net_admin() ? "privileged" : "unprivileged");
	return 0;
}

/* -r: sockets that subscribe and close, one after the other. */
static int churn(unsigned long rounds)
{
	unsigned long i, subscribed = 0, unsubscribed = 0, nofamily = 0;
	unsigned long failed = 0;
	int first = 0;

	for (i = 0; i < rounds; i++) {
		struct simple s;
		int fd = nl_open(0);

		if (fd < 0) {
			if (!failed++)
				first = errno;
			continue;
		}
		if (resolve_family(fd)) {
			nofamily++;
			close(fd);
			continue;
		}
		simple_req(fd, LATWATCH_CMD_SUBSCRIBE, NLM_F_ACK, NULL, 0, &s);
		if (s.answered && !s.malformed && !s.err) {
			subscribed++;
			if (i % 2) {
				simple_req(fd, LATWATCH_CMD_UNSUBSCRIBE,
					   NLM_F_ACK, NULL, 0, &s);
				if (s.answered && !s.malformed && !s.err)
					unsubscribed++;
			}
		} else if (s.answered && s.err == -ENOENT) {
			nofamily++;	/* gone since it was resolved */
		} else if (!failed++) {
			first = s.answered ? -s.err : ETIMEDOUT;
		}
		close(fd);
	}
	printf("nlfuzz: churn rounds=%lu subscribed=%lu unsubscribed=%lu nofamily=%lu failed=%lu%s%s\n",
	       rounds, subscribed, unsubscribed, nofamily, failed,
	       failed ? " first=" : "", failed ? errname(first) : "");
	return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fputs("usage: nlfuzz [-n COUNT] [-s SEED] [-q]\n"
	      "       nlfuzz -p\n"
	      "       nlfuzz -l SECS [-P PORT]\n"
	      "       nlfuzz -r ROUNDS\n"
	      "  -n COUNT   datagrams to send (default 100000)\n"
	      "  -s SEED    PRNG seed (default 1)\n"
	      "  -q         print the summary only\n"
	      "  -p         send each latwatch command once, try to get events,\n"
	      "             print the errno of each\n"
	      "  -l SECS    try every way to get events, count those that come\n"
	      "  -P PORT    -l on a socket bound to this port\n"
	      "  -r ROUNDS  subscribe and close, ROUNDS sockets in a row\n", f);
}

/* The running kernel is MAJOR.MINOR or later (true when unknown). */
static bool kernel_at_least(unsigned int major, unsigned int minor)
{
	unsigned int ma, mi;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, seed = 1, i, listen_secs = 0;
	unsigned long rounds = 0, port = 0;
	uint32_t final[NKEYS];
	bool probe_mode = false, listen_mode = false;
	double t0, secs;
	char *end;
	int fd, opt, err;
	unsigned int k;

	header_checked = kernel_at_least(6, 1);
	while ((opt = getopt(argc, argv, "n:s:qpl:P:r:h")) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg) {
				usage(stderr);
				return 2;
			}
			break;
		case 's':
			errno = 0;
			seed = strtoul(optarg, &end, 0);
			if (errno || *end || !*optarg) {
				usage(stderr);
				return 2;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'p':
			probe_mode = true;
			break;
		case 'l':
		case 'P':
		case 'r':
			errno = 0;
			i = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg ||
			    (opt == 'P' && (!i || i > UINT32_MAX))) {
				usage(stderr);
				return 2;
			}
			if (opt == 'l') {
				listen_mode = true;
				listen_secs = i;
			} else if (opt == 'P') {
				port = i;
			} else {
				rounds = i;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (port && !listen_mode)) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rounds)
		return churn(rounds);
	fd = nl_open((uint32_t)port);
	if (fd < 0) {
		fprintf(stderr, "nlfuzz: netlink socket: %s\n", strerror(errno));
		return 3;
	}
	err = resolve_family(fd);
	if (err) {
		fprintf(stderr, "nlfuzz: no generic netlink family \"%s\": %s\n",
			LATWATCH_GENL_NAME, strerror(-err));
		return 3;
	}
	if (probe_mode)
		return probe(fd);
	if (listen_mode)
		return listen_for(fd, (unsigned int)listen_secs);

	privileged = have_net_admin();
	ncpus = possible_cpus();
	if (!ncpus || ncpus > MAX_CPUS) {
		fprintf(stderr, "nlfuzz: cannot count the possible CPUs\n");
		return 3;
	}
	if (privileged) {
		have_model = config_read(fd, model);
		if (!have_model) {
			fprintf(stderr, "nlfuzz: cannot read the configuration\n");
			return 3;
		}
	}
	rng_state = seed;
	t0 = now_s();
	for (i = 0; i < count; i++) {
		gen_dgram();
		walk_dgram();
		err = nl_send(fd, dgram, dlen);
		if (err) {
			unexpected("send of %zu bytes: %s", dlen, strerror(-err));
		}
		c_sent++;
		drain(fd, 0);
		check_recs();
	}
	/* Dumps still open get a moment to end. */
	nrecs = 0;
	drain(fd, nopen ? 1000 : 100);
	for (k = 0; k < nopen; k++)
		unexpected("seq %u: dump of cmd %u never ended", open_dumps[k].seq,
			   open_dumps[k].cmd);
	secs = now_s() - t0;

	printf("nlfuzz: sent=%lu replies=%lu errors=%lu acks=%lu data=%lu extack=%lu unexpected=%lu",
	       c_sent, c_replies, c_errors, c_acks, c_data, c_extack,
	       c_unexpected);
	printf(" msgs=%lu dones=%lu events=%lu lost=%lu seed=%lu secs=%.1f rate=%.0f/s %s\n",
	       c_msgs, c_dones, c_events, c_lost, seed, secs,
	       secs > 0 ? (double)c_sent / secs : 0,
	       privileged ? "privileged" : "unprivileged");
	if (!quiet) {
		printf("nlfuzz: errnos");
		for (i = 1; i < 4096; i++)
			if (c_errno[i])
				printf(" %s=%lu", errname((int)i), c_errno[i]);
		printf("\n");
	}
	if (have_model) {
		if (!config_read(fd, final)) {
			c_unexpected++;
			printf("nlfuzz: config unreadable after fuzzing\n");
		} else {
			unsigned int bad = 0;

			for (k = 0; k < NKEYS; k++) {
				if (final[k] == model[k])
					continue;
				bad++;
				printf("nlfuzz: config %s=%u, expected %u\n",
				       cfg_keys[k].name, final[k], model[k]);
			}
			c_unexpected += bad;
			printf("nlfuzz: config %s after %lu accepted CONFIG_SETs\n",
			       bad ? "MISMATCH" : "as expected", c_sets);
		}
	}
	return c_unexpected ? 1 : 0;
}
