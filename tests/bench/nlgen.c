// SPDX-License-Identifier: GPL-2.0
/*
 * A recording of the module's event messages (agent/source/nlrec.h), made
 * up, for "latwatch agent|watch --replay-netlink": what tests/bench/pipeline
 * feeds the agent to measure its event path without the module.
 *
 * The messages are built as kmod/send.c builds them (the same attributes,
 * in the same order): irqoff (some with an irq handler as interference),
 * softirqoff, softirq, timer and hardirq events with stacks of 10 to 30
 * frames of kernel functions, comm, pid and cgroup (container paths among
 * them). Of the event kinds ("units") made at the start, -u of them,
 * each is one signature; a few are incidents: an outer event listing its
 * inner ones (inner_seqs), then each inner one naming it (outer_seq), as
 * the module nests a slow callback in a softirq run or an irq handler in
 * an irq-off window. Half the events come from the 64 most frequent
 * units, the rest from all of them. Sequence numbers rise from 1, one
 * module instance; each event's time (ts_ns, CLOCK_REALTIME) is when it
 * is due: at RATE events per second from the start, or now when unpaced.
 * The duration varies from event to event.
 *
 * Each unit is built once; an event is a copy with its sequence numbers,
 * time, duration and CPU written in, so making one costs far less than
 * explaining it. Messages go out in batches of at most BATCH events.
 *
 * Usage: nlgen [-r RATE] [-s SECONDS] [-n COUNT] [-u SIGS] [-i PCT]
 *              [-c CPUS] [-S SEED] [-o FILE]
 *   -r RATE     events per second, 0 (default): as fast as the reader takes
 *   -s SECONDS  stop after SECONDS (default 5; 0: no limit but -n)
 *   -n COUNT    stop after COUNT events (0, default: no limit but -s)
 *   -u SIGS     distinct units, about as many signatures (default 3000)
 *   -i PCT      of the units, the share that are incidents (default 4)
 *   -c CPUS     the events' CPUs are 0..CPUS-1 (default: those online)
 *   -S SEED     of the random choices (default 1)
 *   -o FILE     write there instead of stdout
 * Prints on stderr at the end:
 *   nlgen events=N incidents=N bytes=N seconds=S rate=R asked=R behind_ms=M
 * behind_ms: the most the writes ever lagged behind the pace (a reader
 * that does not keep up makes it grow).
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <latwatch/latwatch.h>

#define BENCH_NAME "nlgen"
#include "bench.h"

#define FAMILY		0x1c	/* a family id as the kernel gives one */
#define BATCH		256	/* events per write at most */
#define MSG_MAX		8192	/* one message at most */
#define UNIT_MAX	3	/* messages of an incident at most */
#define HOT		64	/* the units half the events come from */
#define NS		1000000000ull

/* Kernel functions, the stuff of stacks. */
static const char *const funcs[] = {
	"native_queued_spin_lock_slowpath", "_raw_spin_lock_irqsave",
	"_raw_spin_unlock_irqrestore", "memcg_stat_show", "seq_read_iter",
	"vfs_read", "ksys_read", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
	"__schedule", "schedule", "schedule_timeout", "do_idle", "cpu_startup_entry",
	"net_rx_action", "__napi_poll", "napi_complete_done", "netif_receive_skb",
	"__netif_receive_skb_core", "ip_rcv", "ip_local_deliver", "tcp_v4_rcv",
	"tcp_ack", "tcp_clean_rtx_queue", "tcp_sendmsg_locked", "tcp_write_xmit",
	"__dev_queue_xmit", "dev_hard_start_xmit", "sch_direct_xmit",
	"nf_hook_slow", "nf_conntrack_in", "ipt_do_table", "run_timer_softirq",
	"__run_timers", "call_timer_fn", "estimation_timer", "hrtimer_interrupt",
	"__hrtimer_run_queues", "tick_sched_timer", "tick_nohz_handler",
	"update_process_times", "scheduler_tick", "task_tick_fair",
	"rcu_core", "rcu_do_batch", "kmem_cache_free", "__slab_free",
	"kfree_skb_reason", "skb_release_data", "page_frag_free",
	"handle_mm_fault", "__handle_mm_fault", "do_anonymous_page",
	"clear_page_erms", "alloc_pages", "__alloc_pages", "get_page_from_freelist",
	"rmqueue_bulk", "shrink_node", "shrink_lruvec", "shrink_folio_list",
	"try_to_unmap", "flush_tlb_mm_range", "smp_call_function_many_cond",
	"on_each_cpu_cond_mask", "text_poke_bp_batch", "arch_jump_label_transform",
	"static_key_enable", "synchronize_rcu", "wait_for_completion",
	"__mutex_lock", "mutex_lock", "rwsem_down_write_slowpath", "down_write",
	"ext4_da_write_begin", "ext4_writepages", "jbd2_journal_commit_transaction",
	"blk_mq_submit_bio", "blk_mq_run_hw_queue", "nvme_queue_rq", "nvme_irq",
	"irq_exit_rcu", "__do_softirq", "do_softirq", "__local_bh_enable_ip",
	"ksoftirqd_should_run", "run_ksoftirqd", "smpboot_thread_fn", "kthread",
	"ret_from_fork", "worker_thread", "process_one_work", "vmstat_update",
	"refresh_cpu_vm_stats", "drain_pages", "lru_add_drain_all",
	"css_rstat_flush", "cgroup_rstat_flush_locked", "mem_cgroup_flush_stats",
	"perf_event_task_tick", "__perf_event_overflow", "console_unlock",
	"serial8250_console_write", "wait_for_xmitr", "vprintk_emit", "printk",
	"kvm_vcpu_ioctl", "vcpu_enter_guest", "vmx_vcpu_run", "fpu_swap_kvm_fpstate",
	"ixgbe_poll", "ixgbe_clean_rx_irq", "mlx5e_napi_poll", "mlx5e_poll_rx_cq",
	"xfs_log_force", "xlog_cil_push_work", "xfs_buf_ioend", "iomap_writepages",
	"bpf_prog_run", "__cgroup_bpf_run_filter_skb", "sk_filter_trim_cap",
};
#define NFUNCS	(sizeof(funcs) / sizeof(funcs[0]))

static const char *const modules[] = {
	"ixgbe", "mlx5_core", "nf_conntrack", "ip_vs", "xfs", "kvm_intel",
	"nvme", "bonding",
};

static const char *const comms[] = {
	"swapper/0", "swapper/1", "ksoftirqd/0", "ksoftirqd/1",
	"kworker/u16:2", "kworker/0:1H", "rcu_preempt", "nginx", "postgres",
	"java", "containerd-shim", "kubelet", "node", "python3", "haproxy",
	"redis-server", "qemu-system-x86", "envoy", "lxcfs", "systemd-journal",
};

static const char *const slices[] = {
	"/system.slice/nginx.service", "/system.slice/containerd.service",
	"/system.slice/kubelet.service", "/user.slice/user-1000.slice/session-3.scope",
	"/system.slice/postgresql@15-main.service", "/init.scope",
};

static const struct {
	uint32_t nr;
	const char *name;
} vectors[] = {
	{ 3, "NET_RX" }, { 2, "NET_TX" }, { 1, "TIMER" }, { 4, "BLOCK" },
	{ 6, "TASKLET" }, { 7, "SCHED" }, { 8, "HRTIMER" }, { 9, "RCU" },
};

static const char *const irqnames[] = {
	"eth0-TxRx-0", "eth0-TxRx-1", "nvme0q1", "ens5", "mlx5_comp0",
	"ahci[0000:00:17.0]", "i8042", "ttyS0",
};

static uint64_t rnd_state;

/* xorshift64*: cheap, and the same for the same seed. */
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* A duration from 100 us to about 50 ms, spread over the decades. */
static uint64_t rnd_dur(void)
{
	uint64_t d = 100000;
	unsigned int k = pick(3);

	while (k--)
		d *= 8;
	return d + rnd() % (d * 7);
}

/* One message made at the start; where its varying fields are. */
struct tmpl {
	unsigned char *msg;
	uint32_t len;
	uint32_t off_seq, off_ts, off_dur, off_cpu;
	uint32_t off_outer;		/* 0: none */
	uint32_t off_inner[UNIT_MAX];	/* of its inner ones' seqs */
	unsigned int ninner;
	uint32_t cpu;
	uint64_t dur;
};

/* An event kind: one message, or an incident's outer and inner ones. */
struct unit {
	unsigned int n;
	struct tmpl t[UNIT_MAX];
};

static uint32_t ncpus;
static unsigned int incident_pct = 4;

static void put_or_die(int err)
{
	if (err < 0) {
		errno = ENOSPC;
		die("building a message");
	}
}

static void put_frame(struct nl_msg *msg, const char *fn, bool first)
{
	char frame[160];
	unsigned int off = 0x10 + pick(0x400), size = off + 0x20 + pick(0x800);

	/* "%pS" for the culprit, "%pB" for the return addresses */
	if (!pick(6))
		snprintf(frame, sizeof(frame), "%s+0x%x/0x%x [%s]", fn,
			 off - !first, size,
			 modules[pick(sizeof(modules) / sizeof(modules[0]))]);
	else
		snprintf(frame, sizeof(frame), "%s+0x%x/0x%x", fn,
			 off - !first, size);
	put_or_die(nla_put_string(msg, LATWATCH_A_EV_FRAME, frame));
}

static void put_cgroup(struct nl_msg *msg)
{
	char path[256];

	if (pick(3)) {
		snprintf(path, sizeof(path), "%s",
			 slices[pick(sizeof(slices) / sizeof(slices[0]))]);
	} else {
		snprintf(path, sizeof(path),
			 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%08llx_%04x.slice/cri-containerd-%016llx%016llx.scope",
			 (unsigned long long)(rnd() & 0xffffffff),
			 pick(0x10000), (unsigned long long)rnd(),
			 (unsigned long long)rnd());
	}
	put_or_die(nla_put_string(msg, LATWATCH_A_EV_CGROUP, path));
}

/* The offset in msg of the payload of the top-level attribute type. */
static uint32_t attr_off(struct nl_msg *msg, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int rem = genlmsg_attrlen(nlmsg_data(nlh), 0);

	for (; nla_ok(a, rem); a = nla_next(a, &rem))
		if (nla_type(a) == type)
			return (uint32_t)((unsigned char *)nla_data(a) -
					  (unsigned char *)nlh);
	return 0;
}

/* The offsets of the seqs in its LATWATCH_A_EV_INNER_SEQS. */
static void inner_offs(struct nl_msg *msg, struct tmpl *t)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	uint32_t off = attr_off(msg, LATWATCH_A_EV_INNER_SEQS);
	struct nlattr *nest = (struct nlattr *)((unsigned char *)nlh + off) - 1;
	struct nlattr *a;
	unsigned int i = 0;
	int rem;

	nla_for_each_nested(a, nest, rem)
		t->off_inner[i++] = (uint32_t)((unsigned char *)nla_data(a) -
					       (unsigned char *)nlh);
}

/*
 * One event of type, as kmod/send.c puts it: ninner > 0 for an outer
 * one, outer for an inner one. what: the callback of a timer, which its
 * stack starts with.
 */
static void make(struct tmpl *t, uint32_t type, unsigned int ninner,
		 bool outer, const char *what, uint32_t irq, bool interf)
{
	struct nl_msg *msg = nlmsg_alloc_size(MSG_MAX + 1024);
	unsigned int nframes = 10 + pick(21), i, v;
	struct nlattr *nest;

	if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, LATWATCH_CMD_EVENT,
				 LATWATCH_GENL_VERSION))
		die("nlmsg_alloc");
	t->cpu = pick(ncpus);
	t->dur = rnd_dur();
	put_or_die(nla_put_u32(msg, LATWATCH_A_EV_TYPE, type));
	put_or_die(nla_put_u64(msg, LATWATCH_A_EV_SEQ, 0));
	put_or_die(nla_put_u64(msg, LATWATCH_A_INSTANCE, 0x5eed1a7e57ull));
	put_or_die(nla_put_u32(msg, LATWATCH_A_EV_CPU, t->cpu));
	put_or_die(nla_put_u64(msg, LATWATCH_A_EV_TS_NS, 0));
	put_or_die(nla_put_u64(msg, LATWATCH_A_EV_DURATION_NS, t->dur));
	if (type == LATWATCH_EV_IRQOFF || type == LATWATCH_EV_SOFTIRQOFF)
		put_or_die(nla_put_u64(msg, LATWATCH_A_EV_RESOLUTION_NS,
				       1000000));
	put_or_die(nla_put_u32(msg, LATWATCH_A_EV_PID, pick(40000)));
	put_or_die(nla_put_string(msg, LATWATCH_A_EV_COMM,
				  comms[pick(sizeof(comms) / sizeof(comms[0]))]));
	switch (type) {
	case LATWATCH_EV_SOFTIRQ:
		v = pick(sizeof(vectors) / sizeof(vectors[0]));
		if (ninner)
			v = 2;	/* TIMER: the callbacks run inside it */
		put_or_die(nla_put_u32(msg, LATWATCH_A_EV_VECTOR,
				       vectors[v].nr));
		put_or_die(nla_put_string(msg, LATWATCH_A_EV_NAME,
					  vectors[v].name));
		break;
	case LATWATCH_EV_TIMER:
		put_or_die(nla_put_u32(msg, LATWATCH_A_EV_KIND,
				       1 + pick(3)));
		put_or_die(nla_put_string(msg, LATWATCH_A_EV_FUNCTION, what));
		break;
	case LATWATCH_EV_HARDIRQ:
		put_or_die(nla_put_u32(msg, LATWATCH_A_EV_IRQ, irq));
		put_or_die(nla_put_string(msg, LATWATCH_A_EV_NAME,
					  irqnames[irq % 8]));
		break;
	case LATWATCH_EV_IRQOFF:
		if (!interf)
			break;
		nest = nla_nest_start(msg, LATWATCH_A_EV_INTERF);
		put_or_die(nest ? 0 : -1);
		put_or_die(nla_put_u32(msg, LATWATCH_A_INTERF_TYPE,
				       LATWATCH_INTERF_HARDIRQ));
		put_or_die(nla_put_u64(msg, LATWATCH_A_INTERF_DURATION_NS,
				       t->dur / 2));
		put_or_die(nla_put_u32(msg, LATWATCH_A_INTERF_IRQ, irq));
		put_or_die(nla_put_string(msg, LATWATCH_A_INTERF_NAME,
					  irqnames[irq % 8]));
		nla_nest_end(msg, nest);
		break;
	}
	if (outer)
		put_or_die(nla_put_u64(msg, LATWATCH_A_EV_OUTER_SEQ, 0));
	if (ninner) {
		nest = nla_nest_start(msg, LATWATCH_A_EV_INNER_SEQS);
		put_or_die(nest ? 0 : -1);
		for (i = 0; i < ninner; i++)
			put_or_die(nla_put_u64(msg, LATWATCH_A_EV_INNER_SEQ, 0));
		nla_nest_end(msg, nest);
	}
	if (pick(4))
		put_cgroup(msg);
	nest = nla_nest_start(msg, LATWATCH_A_EV_STACK);
	put_or_die(nest ? 0 : -1);
	for (i = 0; i < nframes; i++)
		put_frame(msg, i == 0 && what ? what : funcs[pick(NFUNCS)],
			  i == 0);
	nla_nest_end(msg, nest);

	t->len = nlmsg_hdr(msg)->nlmsg_len;
	if (t->len > MSG_MAX) {
		errno = EMSGSIZE;
		die("building a message");
	}
	t->msg = malloc(t->len);
	if (!t->msg)
		die("malloc");
	memcpy(t->msg, nlmsg_hdr(msg), t->len);
	t->off_seq = attr_off(msg, LATWATCH_A_EV_SEQ);
	t->off_ts = attr_off(msg, LATWATCH_A_EV_TS_NS);
	t->off_dur = attr_off(msg, LATWATCH_A_EV_DURATION_NS);
	t->off_cpu = attr_off(msg, LATWATCH_A_EV_CPU);
	t->off_outer = outer ? attr_off(msg, LATWATCH_A_EV_OUTER_SEQ) : 0;
	t->ninner = ninner;
	if (ninner)
		inner_offs(msg, t);
	nlmsg_free(msg);
}

static const uint32_t types[] = {
	LATWATCH_EV_IRQOFF, LATWATCH_EV_IRQOFF, LATWATCH_EV_IRQOFF,
	LATWATCH_EV_SOFTIRQOFF, LATWATCH_EV_SOFTIRQ, LATWATCH_EV_SOFTIRQ,
	LATWATCH_EV_TIMER, LATWATCH_EV_TIMER, LATWATCH_EV_HARDIRQ,
};

/* Units: incident_pct in 100 an incident, the rest single events. */
static void make_unit(struct unit *u)
{
	uint32_t irq = 16 + pick(48);
	unsigned int i;

	if (pick(100) >= incident_pct) {
		uint32_t type = types[pick(sizeof(types) / sizeof(types[0]))];

		u->n = 1;
		make(&u->t[0], type, 0, false,
		     type == LATWATCH_EV_TIMER ? funcs[pick(NFUNCS)] : NULL,
		     irq, type == LATWATCH_EV_IRQOFF && !pick(8));
		return;
	}
	if (pick(2)) {
		/* A TIMER softirq run, slow for the callbacks inside it. */
		u->n = 1 + 1 + pick(2);
		make(&u->t[0], LATWATCH_EV_SOFTIRQ, u->n - 1, false, NULL,
		     irq, false);
		for (i = 1; i < u->n; i++)
			make(&u->t[i], LATWATCH_EV_TIMER, 0, true,
			     funcs[pick(NFUNCS)], irq, false);
	} else {
		/* Interrupts held off by an irq handler that ran long. */
		u->n = 2;
		make(&u->t[0], LATWATCH_EV_IRQOFF, 1, false, NULL, irq, true);
		make(&u->t[1], LATWATCH_EV_HARDIRQ, 0, true, NULL, irq, false);
	}
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * The events of u into buf, the first numbered seq, ending at ts_ns:
 * returns the bytes written.
 */
static size_t emit(unsigned char *buf, const struct unit *u, uint64_t seq,
		   uint64_t ts_ns)
{
	uint64_t dur = u->t[0].dur / 2 + rnd() % (u->t[0].dur + 1);
	size_t n = 0;
	unsigned int i, k;

	for (i = 0; i < u->n; i++) {
		const struct tmpl *t = &u->t[i];
		unsigned char *m = buf + n;
		uint64_t d = i ? dur * 9 / 10 / (u->n - 1) : dur;

		memcpy(m, t->msg, t->len);
		put64(m + t->off_seq, seq + i);
		/* inner ones ended inside the outer's window */
		put64(m + t->off_ts, ts_ns - (i ? dur / 20 * (u->n - i) : 0));
		put64(m + t->off_dur, d);
		if (t->off_outer)
			put64(m + t->off_outer, seq);
		for (k = 0; k < t->ninner; k++)
			put64(m + t->off_inner[k], seq + 1 + k);
		n += NLMSG_ALIGN(t->len);
	}
	return n;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		p += n;
		len -= (size_t)n;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: nlgen [-r RATE] [-s SECONDS] [-n COUNT] [-u SIGS] [-i PCT] [-c CPUS] [-S SEED] [-o FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long rate = 0, secs = 5, count = 0, nunits = 3000;
	unsigned long long sent = 0, incidents = 0, bytes = 0, behind = 0;
	unsigned long long t0, t, due, lag;
	uint64_t real0, now_real, ts, seq = 1;
	const struct unit *u;
	unsigned char *buf;
	struct unit *units;
	unsigned int hot, k;
	int c, fd = 1;
	size_t n;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	ncpus = online > 0 ? (uint32_t)online : 1;
	rnd_state = 1;
	while ((c = getopt(argc, argv, "r:s:n:u:i:c:S:o:")) != -1) {
		switch (c) {
		case 'r': rate = number(optarg, "rate", 0); break;
		case 's': secs = number(optarg, "seconds", 0); break;
		case 'n': count = number(optarg, "count", 0); break;
		case 'u': nunits = number(optarg, "sigs", 1); break;
		case 'c': ncpus = (uint32_t)number(optarg, "cpus", 1); break;
		case 'S': rnd_state = number(optarg, "seed", 1); break;
		case 'i':
			incident_pct = (unsigned int)number(optarg, "share", 0);
			if (incident_pct > 100)
				usage();
			break;
		case 'o':
			fd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC |
				  O_CLOEXEC, 0644);
			if (fd < 0)
				die(optarg);
			break;
		default: usage();
		}
	}
	if (optind != argc || (!secs && !count) || nunits > 1000000)
		usage();
	signal(SIGPIPE, SIG_IGN);

	units = calloc(nunits, sizeof(*units));
	buf = malloc((size_t)(BATCH + UNIT_MAX) * MSG_MAX);
	if (!units || !buf)
		die("malloc");
	for (n = 0; n < nunits; n++)
		make_unit(&units[n]);
	hot = nunits < HOT ? (unsigned int)nunits : HOT;

	t0 = now_ns();
	real0 = realtime_ns();
	for (;;) {
		t = now_ns();
		if ((secs && t - t0 >= secs * NS) || (count && sent >= count))
			break;
		due = rate ? (t - t0) * rate / NS : sent + BATCH;
		if (count && due > count)
			due = count;
		if (due <= sent) {
			/* Until the next one is due. */
			unsigned long long next = t0 + (sent + 1) * NS / rate;
			struct timespec nap;

			if (next > t) {
				nap.tv_sec = (time_t)((next - t) / NS);
				nap.tv_nsec = (long)((next - t) % NS);
				nanosleep(&nap, NULL);
			}
			continue;
		}
		if (rate) {
			lag = t - (t0 + sent * NS / rate);
			if (lag > behind)
				behind = lag;
		}
		now_real = rate ? 0 : realtime_ns();
		for (n = 0, k = 0; sent < due && k < BATCH; k += u->n) {
			u = &units[pick(pick(2) ? hot : nunits)];
			ts = rate ? real0 + sent * NS / rate : now_real + k;
			n += emit(buf + n, u, seq, ts);
			seq += u->n;
			sent += u->n;
			incidents += u->n > 1;
		}
		write_all(fd, buf, n);
		bytes += n;
	}
	t = now_ns() - t0;
	if (fd != 1)
		close(fd);
	fprintf(stderr, "nlgen events=%llu incidents=%llu bytes=%llu seconds=%.3f rate=%.0f asked=%llu behind_ms=%.1f\n",
		sent, incidents, bytes, t / 1e9, sent * 1e9 / t, rate,
		behind / 1e6);
	return 0;
}
