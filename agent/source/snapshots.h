/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_SNAPSHOTS_H
#define LATWATCH_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Periodic snapshots of the counters that explain a latency event: packet
 * drops of every network interface and of every CPU's backlog, the
 * run-queue wait of every CPU and the time the hypervisor did not run it
 * (steal). The agent calls lw_snapshots_take() every
 * interval (100 ms by default); the snapshots are kept in a ring so that
 * an event's window can be explained once a snapshot after it exists
 * (see correlate.h).
 *
 * What one snapshot holds:
 *
 *  - each interface in ROOT/sys/class/net/: the statistics/ counters in
 *    enum lw_nic_ctr and, for an interface with a bus (a NIC or one of
 *    its VFs: ROOT/sys/class/net/IF/device exists; veth, bridge, bond, lo,
 *    tun, vxlan have none) in the snapshots where they are due, up to
 *    LW_ETH_MAX_PER_IF of the driver's own counters ("ethtool -S") whose
 *    names look like drops or misses; see lw_eth_name_selected();
 *  - each CPU: "dropped" and "time_squeeze" from ROOT/proc/net/softnet_stat,
 *    run_delay and pcount (timeslices) from ROOT/proc/schedstat, and its
 *    steal time from its "cpuN" line of ROOT/proc/stat (USER_HZ ticks,
 *    kept in ns);
 *  - the number of runnable tasks (nr_running: the "procs_running" of
 *    ROOT/proc/stat, read from the much cheaper ROOT/proc/loadavg when it
 *    can be), the steal time of all CPUs (the "cpu" line of ROOT/proc/stat),
 *    the CPU pressure "some" total of ROOT/proc/pressure/cpu, and the
 *    number of online CPUs (ROOT/sys/devices/system/cpu/online).
 *
 * A counter that could not be read is missing from the snapshot, and gives
 * no delta with any other snapshot. ROOT is "" on a real system.
 *
 * Driver statistics: each SIOCETHTOOL request runs under the RTNL lock,
 * which every "ip" command and container start also takes, and drivers
 * such as mlx5 ask the firmware to answer it. So they are read only from
 * interfaces with a bus (decided when an interface is first seen, not at
 * every sample), with one request per interface, and only in the
 * snapshots where they are due: once every LW_ETH_PERIOD_NS, and in
 * every snapshot taken before the time given to lw_snapshots_eth_burst(),
 * which the agent moves on while it holds an event, so that its window
 * has readings close on both sides. A snapshot says whether they were due
 * (struct lw_snap's eth); correlation takes them from the nearest
 * snapshots that have them.
 *
 * Files: those read at every sample are kept open and read again from
 * their start with pread(), all with O_CLOEXEC: the six of /proc and
 * sysfs, the directory ROOT/sys/class/net and the five statistics/ files
 * of each interface. An interface's files are opened again when its
 * directory entry is another one (deleted and created again, renamed) or
 * one of them fails or reads nothing (ENODEV: the interface went away);
 * they are closed when its entry leaves the directory. The interfaces'
 * files kept open are at most kept_max: RLIMIT_NOFILE less what the rest
 * of the agent may need, and no more than the whole table's. Those of the
 * interfaces beyond it are opened at each sample, as is said once on
 * stderr.
 *
 * Memory bounds:
 *  - the ring: `history` snapshots of `stride` u64 values and a validity
 *    bitmap; stride only grows, and never past what keeps the ring within
 *    LW_SNAP_RING_BYTES. On hosts with many CPUs fewer snapshots than
 *    asked for are kept so that the bound holds (lw_snapshots_history());
 *  - the interface table: LW_SNAP_MAX_IFACES entries; an entry is reused
 *    once its interface is gone and no snapshot in the ring holds it;
 *  - CPUs: ids below the number of possible CPUs, at most LW_SNAP_MAX_CPUS;
 *  - ethtool: at most LW_ETH_MAX_STATS statistics are read per interface
 *    (an interface with more is treated as having none);
 *  - the buffer files are read into: LW_SNAP_LINE_MAX at most (a longer
 *    line is skipped).
 * Counters that do not fit are not sampled and are counted in
 * lw_snapshots_skipped(). All in all: at most LW_SNAP_RING_BYTES for the
 * ring, about 350 KiB for the interface table if it fills up, 16 KiB for
 * the online CPU list, the read buffer (the size of the largest file, 16
 * KiB to 1 MiB) and room for the driver statistics of the interface with
 * the most (8 bytes each, twice, and a page).
 *
 * Cost of a sample: one pread() per file read (the directory's listing,
 * six files of /proc and sysfs, five per interface), and a SIOCETHTOOL
 * request per interface with a bus when they are due. Of /proc/stat only
 * the "cpu" lines at its start are read, but the kernel makes all of it
 * (it sums every interrupt of every CPU): on a large machine it is the
 * dearest file of a sample.
 */

#define LW_IFNAME_LEN		16	/* IFNAMSIZ */
#define LW_ETH_NAME_LEN		32	/* ETH_GSTRING_LEN */
/* ethtool counters kept per interface, and statistics read at most */
#define LW_ETH_MAX_PER_IF	32
#define LW_ETH_MAX_STATS	16384
#define LW_SNAP_MAX_IFACES	256	/* interface table entries */
#define LW_SNAP_MAX_CPUS	4096
#define LW_SNAP_RING_BYTES	(3u << 20)
#define LW_SNAP_MIN_HISTORY	2
/* Driver statistics are due this often when no event is around. */
#define LW_ETH_PERIOD_NS	(1000ull * 1000 * 1000)
/* The read buffer's bound: a longer line of a file is skipped. */
#define LW_SNAP_LINE_MAX	(1u << 20)
/* Slots of the table of live interfaces by name: a power of 2. */
#define LW_SNAP_IFHASH		(2 * LW_SNAP_MAX_IFACES)

/* The counters of ROOT/sys/class/net/IF/statistics/ that are sampled. */
enum lw_nic_ctr {
	LW_NIC_RX_DROPPED,
	LW_NIC_RX_MISSED,
	LW_NIC_RX_FIFO,
	LW_NIC_RX_OVER,
	LW_NIC_TX_DROPPED,
	LW_NIC_NCTR,
};

/* "rx_dropped", "rx_missed_errors", ...: the sysfs file names. */
extern const char *const lw_nic_ctr_names[LW_NIC_NCTR];

/* The counters sampled per CPU. */
enum lw_cpu_ctr {
	LW_CPU_DROPPED,		/* softnet_stat column 2 */
	LW_CPU_SQUEEZE,		/* softnet_stat column 3: time_squeeze */
	LW_CPU_RUN_DELAY,	/* schedstat: ns waited on the run queue */
	LW_CPU_PCOUNT,		/* schedstat: timeslices run */
	LW_CPU_STEAL,		/* /proc/stat: ns the hypervisor ran others */
	LW_CPU_NCTR,
};

/* The system-wide values. */
enum lw_glob {
	LW_GLOB_PROCS_RUNNING,	/* runnable tasks when sampled */
	LW_GLOB_PSI_SOME,	/* /proc/pressure/cpu "some" total, us */
	LW_GLOB_NCPUS,		/* online CPUs */
	LW_GLOB_STEAL,		/* /proc/stat: steal of all CPUs, ns */
	LW_GLOB_N,
};

/*
 * Where the driver statistics come from: SIOCETHTOOL by default, fakes in
 * the unit tests. Each returns a negative errno on failure: -EOPNOTSUPP
 * (or count() returning 0) means the interface has no statistics, which
 * is remembered until the interface goes away; other errors are taken as
 * passing and the interface is asked again at the next sample.
 */
struct lw_ethtool_ops {
	/* How many statistics ifname has. */
	int (*count)(void *ctx, const char *ifname);
	/* Their names: n strings of LW_ETH_NAME_LEN bytes, NUL-padded. */
	int (*names)(void *ctx, const char *ifname,
		     char (*names)[LW_ETH_NAME_LEN], unsigned int n);
	/* Their values, n of them: fails if the driver now has another n. */
	int (*values)(void *ctx, const char *ifname, uint64_t *vals,
		      unsigned int n);
};

/* One snapshot's times: seq counts the snapshots taken, from 1. */
struct lw_snap {
	uint64_t seq;
	uint64_t real_ns;	/* CLOCK_REALTIME */
	uint64_t mono_ns;	/* CLOCK_MONOTONIC */
	bool eth;		/* driver statistics were due in it */
};

#define LW_NO_SLOT	UINT32_MAX

/*
 * An interface as sampled; an entry of the interface table. The live
 * entry of an interface is the one of the interface now in the directory
 * listing, whose files are open: one at most per name.
 */
struct lw_iface {
	bool used;
	bool retired;		/* replaced by a newer entry, same name */
	bool eth_none;		/* no ethtool statistics: do not ask */
	bool eth_known;		/* eth_total and the selection known */
	bool eth_stale;		/* a reading failed: count them again */
	bool bus;		/* it has a device: may have driver statistics */
	bool live;		/* the listing has it: ino, gen, fd */
	bool kept;		/* its counter files are open in fd[] */
	char name[LW_IFNAME_LEN];
	int ifindex;
	uint64_t ino;		/* of its entry in ROOT/sys/class/net */
	uint64_t gen;		/* the listing it was last seen in */
	int fd[LW_NIC_NCTR];	/* statistics/ files, -1 if missing */
	uint64_t last_seq;	/* newest snapshot it is in, 0 for none */
	uint32_t slot[LW_NIC_NCTR];	/* value slot, or LW_NO_SLOT */
	unsigned int eth_total;	/* statistics the driver has */
	unsigned int neth;	/* of them selected */
	/* where the selected ones are in the driver's array */
	uint32_t eth_index[LW_ETH_MAX_PER_IF];
	uint32_t eth_slot[LW_ETH_MAX_PER_IF];
	char eth_name[LW_ETH_MAX_PER_IF][LW_ETH_NAME_LEN];
};

/* A file read at every sample, kept open between them. */
struct lw_kfile {
	const char *rel;	/* its path under ROOT */
	int fd;			/* -1: not open */
};

struct lw_snapshots {
	char *root;
	unsigned int history;	/* snapshots kept */
	unsigned int count;	/* snapshots in the ring */
	unsigned int head;	/* where the next one goes */
	uint64_t seq;		/* of the newest */
	unsigned int stride;	/* slots per snapshot, a multiple of 64 */
	unsigned int max_stride;
	unsigned int ncpu;	/* CPU ids below this are sampled */
	unsigned int schedstat_version;
	/* USER_HZ, the unit of /proc/stat; 0: steal time is not read */
	unsigned int user_hz;
	struct lw_snap *snaps;	/* [history] */
	uint64_t *vals;		/* [history][stride] */
	uint64_t *valid;	/* [history][stride / 64] bits */
	uint64_t *slot_used;	/* [max_stride / 64] bits */
	struct lw_iface *ifaces;	/* [LW_SNAP_MAX_IFACES] */
	unsigned int nifaces;	/* entries ever used: a high-water mark */
	uint32_t *online;	/* [ncpu]: online CPUs, ascending */
	unsigned int nonline;
	uint64_t skipped;	/* counters not sampled for want of room */
	const struct lw_ethtool_ops *eth;
	void *eth_ctx;
	uint64_t *eth_vals;	/* [eth_vals_cap] */
	unsigned int eth_vals_cap;
	/* When driver statistics are due (see above). */
	uint64_t eth_period_ns;	/* LW_ETH_PERIOD_NS */
	uint64_t eth_next_mono;	/* the next one of every period */
	bool eth_started;	/* eth_next_mono is set */
	uint64_t eth_until_mono;	/* in every snapshot before this */
	bool eth_due;		/* in the snapshot being taken */
	/* The files read at every sample. */
	struct lw_kfile f_online, f_softnet, f_schedstat, f_loadavg, f_stat,
			f_psi;
	void *net_dir;		/* DIR * of ROOT/sys/class/net, or NULL */
	uint64_t list_gen;	/* listings of it read */
	uint16_t ifhash[LW_SNAP_IFHASH];	/* live entries: index + 1 */
	unsigned int ifhash_used;	/* its slots taken */
	bool ifhash_stale;	/* an entry stopped being live */
	unsigned int kept;	/* interface files open */
	unsigned int kept_max;	/* and at most */
	bool kept_said;		/* that some are opened at each sample */
	char *rbuf;		/* what files are read into */
	size_t rbuf_cap;
	/* The default ethtool reader's state. */
	int eth_fd;
	void *eth_map;		/* its values' buffer, a guard page after */
	size_t eth_map_len;	/* with the guard page */
};

/*
 * Prepare s to sample the system under root ("" for this one), keeping up
 * to history snapshots. Driver statistics are read with SIOCETHTOOL when
 * root is "" or "/", not at all otherwise (see lw_snapshots_set_ethtool()).
 * Returns 0 or a negative errno.
 */
int lw_snapshots_init(struct lw_snapshots *s, const char *root,
		      unsigned int history);
void lw_snapshots_free(struct lw_snapshots *s);

/*
 * Read the driver statistics with ops (NULL: none at all), from the next
 * sample on. ctx goes to each of them.
 */
void lw_snapshots_set_ethtool(struct lw_snapshots *s,
			      const struct lw_ethtool_ops *ops, void *ctx);

/*
 * Read the driver statistics in every snapshot taken at a mono_ns before
 * until_mono_ns (CLOCK_MONOTONIC), besides once a period: the agent calls
 * it while it holds an event. An earlier time than one given before does
 * not shorten it.
 */
void lw_snapshots_eth_burst(struct lw_snapshots *s, uint64_t until_mono_ns);

/*
 * Take a snapshot now: real_ns is CLOCK_REALTIME, mono_ns CLOCK_MONOTONIC.
 * Snapshots are ordered as taken. Returns 0, or -ENODATA when not a single
 * counter could be read (nothing is stored then).
 */
int lw_snapshots_take(struct lw_snapshots *s, uint64_t real_ns,
		      uint64_t mono_ns);

/* The snapshots kept at most, and now. */
unsigned int lw_snapshots_history(const struct lw_snapshots *s);
unsigned int lw_snapshots_count(const struct lw_snapshots *s);

/*
 * The snapshot i places back from the newest (0 is the newest), or NULL.
 * The ring index of it goes to *idx if idx is not NULL.
 */
const struct lw_snap *lw_snapshots_at(const struct lw_snapshots *s,
				      unsigned int back, unsigned int *idx);

/* Counters that could not be sampled for want of room, so far. */
uint64_t lw_snapshots_skipped(const struct lw_snapshots *s);

/* The value in ring slot idx of a value slot, if that snapshot has it. */
bool lw_snapshots_val(const struct lw_snapshots *s, unsigned int idx,
		      uint32_t slot, uint64_t *v);

/* The value slot of a CPU's counter, or LW_NO_SLOT for a CPU not sampled. */
uint32_t lw_snapshots_cpu_slot(const struct lw_snapshots *s, uint32_t cpu,
			       enum lw_cpu_ctr ctr);
static inline uint32_t lw_snapshots_glob_slot(enum lw_glob g)
{
	return (uint32_t)g;
}

/*
 * Lookups in the snapshot `back` places from the newest, for callers that
 * want one value: an interface counter by its sysfs or ethtool name, a
 * CPU counter, a system-wide value. False if the snapshot does not have it.
 */
bool lw_snapshots_get_if(const struct lw_snapshots *s, unsigned int back,
			 const char *ifname, const char *counter, uint64_t *v);
bool lw_snapshots_get_cpu(const struct lw_snapshots *s, unsigned int back,
			  uint32_t cpu, enum lw_cpu_ctr ctr, uint64_t *v);
bool lw_snapshots_get_glob(const struct lw_snapshots *s, unsigned int back,
			   enum lw_glob g, uint64_t *v);

/*
 * Whether an ethtool statistic is sampled: its name, in any case,
 * contains "drop", "miss", "discard", "fifo", "no_buf", "nobuf" or
 * "squeeze", or "over" at the start of a word ("rx_over_errors",
 * "overrun", "rx_fifo_overflow" but not "tx_recover"), and does not
 * contain "xdp" (packets an XDP program chose to drop are not losses).
 */
bool lw_eth_name_selected(const char *name);

/*
 * Parsers for the procfs files, exposed for the tests. Each handles one
 * line and returns false for a line it cannot use.
 */
/* A softnet_stat row: dropped and time_squeeze, and the CPU column (-1 if
 * the kernel is too old to print it). */
bool lw_parse_softnet(const char *line, uint64_t *dropped, uint64_t *squeeze,
		      int64_t *cpu);
/* A schedstat "cpuN ..." line of the given version (0: unknown). */
bool lw_parse_schedstat_cpu(const char *line, unsigned int version,
			    uint32_t *cpu, uint64_t *run_delay,
			    uint64_t *pcount);
/*
 * A /proc/stat "cpuN ..." line (*cpu = N) or the "cpu ..." line of all
 * CPUs (*cpu = -1): its steal time, the 8th value, in USER_HZ ticks.
 * False for other lines, bad ones, and those of kernels too old to have
 * the steal column (before 2.6.11).
 */
bool lw_parse_stat_cpu(const char *line, int64_t *cpu, uint64_t *steal);
/* USER_HZ ticks (hz of them a second) in ns; false if it does not fit. */
bool lw_ticks_ns(uint64_t ticks, unsigned int hz, uint64_t *ns);
/* A CPU list such as "0-3,5,7-8": calls fn for each CPU in ascending
 * order; false if it is not a valid list. */
bool lw_parse_cpulist(const char *s, void (*fn)(void *arg, uint32_t cpu),
		      void *arg);

#endif
