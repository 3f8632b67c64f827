// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "snapshots.h"

const char *const lw_nic_ctr_names[LW_NIC_NCTR] = {
	[LW_NIC_RX_DROPPED]	= "rx_dropped",
	[LW_NIC_RX_MISSED]	= "rx_missed_errors",
	[LW_NIC_RX_FIFO]	= "rx_fifo_errors",
	[LW_NIC_RX_OVER]	= "rx_over_errors",
	[LW_NIC_TX_DROPPED]	= "tx_dropped",
};

/* Value slots always reserved for interfaces, beyond the CPUs'. */
#define LW_SNAP_MIN_IF_SLOTS	64
/* CPUs assumed when ROOT has neither a "possible" nor an "online" list. */
#define LW_SNAP_DEF_CPUS	64
/*
 * SIOCETHTOOL writes as many strings or values as the driver has at that
 * moment, whatever the buffer: room for this many more than it had just
 * before, in case it grew in between (ethtool(8) takes the same chance
 * without the margin).
 */
#define LW_ETH_SLACK		256

#define LW_PATH_LEN		512

/* One sample's small file, such as a sysfs counter. */
#define LW_SMALL_LEN		128

static bool lw_bit(const uint64_t *bits, unsigned int i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

static void lw_bit_set(uint64_t *bits, unsigned int i)
{
	bits[i / 64] |= 1ull << (i % 64);
}

static void lw_bit_clear(uint64_t *bits, unsigned int i)
{
	bits[i / 64] &= ~(1ull << (i % 64));
}

/* ROOT + rel into buf; false if it does not fit. */
static bool lw_path(const struct lw_snapshots *s, char *buf, const char *rel)
{
	int n = snprintf(buf, LW_PATH_LEN, "%s%s", s->root, rel);

	return n > 0 && n < LW_PATH_LEN;
}

/* A small file (dirfd as for openat()), NUL-terminated; its length or -1. */
static ssize_t lw_read_small_at(int dirfd, const char *path, char *buf,
				size_t len)
{
	size_t n = 0;
	ssize_t r = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (n + 1 < len) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		/*
		 * sysfs and procfs hand over all of a small file at once:
		 * a short read of whole lines is all there is, and saves
		 * asking again only to be told so.
		 */
		if (n + 1 < len && buf[n - 1] == '\n')
			break;
	}
	close(fd);
	if (r < 0)
		return -1;
	buf[n] = '\0';
	return (ssize_t)n;
}

static ssize_t lw_read_small(const char *path, char *buf, size_t len)
{
	return lw_read_small_at(AT_FDCWD, path, buf, len);
}

/* A decimal number at *p, moving p past it. */
static bool lw_parse_dec(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return true;
}

static const char *lw_skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A file holding one decimal number, as sysfs counters do. */
static bool lw_read_u64_at(int dirfd, const char *path, uint64_t *v)
{
	char buf[LW_SMALL_LEN];
	const char *p = buf;

	if (lw_read_small_at(dirfd, path, buf, sizeof(buf)) <= 0)
		return false;
	if (!lw_parse_dec(&p, v))
		return false;
	p = lw_skip_space(p);
	return *p == '\0' || (*p == '\n' && p[1] == '\0');
}

bool lw_parse_cpulist(const char *s, void (*fn)(void *arg, uint32_t cpu),
		      void *arg)
{
	const char *p = lw_skip_space(s);
	uint64_t a, b, c;

	if (*p == '\n' || *p == '\0')
		return true;	/* no CPU at all: an empty list */
	for (;;) {
		if (!lw_parse_dec(&p, &a))
			return false;
		b = a;
		if (*p == '-') {
			p++;
			if (!lw_parse_dec(&p, &b) || b < a)
				return false;
		}
		if (b >= LW_SNAP_MAX_CPUS * 64ull)
			return false;
		for (c = a; c <= b; c++)
			if (fn)
				fn(arg, (uint32_t)c);
		if (*p != ',')
			break;
		p++;
	}
	p = lw_skip_space(p);
	return *p == '\0' || (*p == '\n' && p[1] == '\0');
}

static void lw_cpu_max(void *arg, uint32_t cpu)
{
	uint32_t *max = arg;

	if (cpu + 1 > *max)
		*max = cpu + 1;
}

/* CPU ids to sample: below the highest possible (or online) one, plus 1. */
static unsigned int lw_ncpu(const struct lw_snapshots *s)
{
	static const char *const files[] = {
		"/sys/devices/system/cpu/possible",
		"/sys/devices/system/cpu/online",
	};
	char path[LW_PATH_LEN], buf[1024];
	uint32_t n;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		n = 0;
		if (!lw_path(s, path, files[i]) ||
		    lw_read_small(path, buf, sizeof(buf)) <= 0 ||
		    !lw_parse_cpulist(buf, lw_cpu_max, &n) || !n)
			continue;
		return n < LW_SNAP_MAX_CPUS ? n : LW_SNAP_MAX_CPUS;
	}
	return LW_SNAP_DEF_CPUS;
}

/* ---- the ring ---- */

static size_t lw_row_bytes(unsigned int stride)
{
	return (size_t)stride * 8 + stride / 8;
}

static uint64_t *lw_row_vals(const struct lw_snapshots *s, unsigned int idx)
{
	return s->vals + (size_t)idx * s->stride;
}

static uint64_t *lw_row_valid(const struct lw_snapshots *s, unsigned int idx)
{
	return s->valid + (size_t)idx * (s->stride / 64);
}

/* Make every snapshot wider; the new slots hold nothing yet. */
static int lw_grow(struct lw_snapshots *s)
{
	unsigned int nstride = s->stride * 2, i;
	uint64_t *vals, *valid;

	if (nstride > s->max_stride)
		nstride = s->max_stride;
	if (nstride <= s->stride)
		return -ENOSPC;
	vals = calloc((size_t)s->history * nstride, sizeof(*vals));
	valid = calloc((size_t)s->history * (nstride / 64), sizeof(*valid));
	if (!vals || !valid) {
		free(vals);
		free(valid);
		return -ENOMEM;
	}
	for (i = 0; i < s->history; i++) {
		memcpy(vals + (size_t)i * nstride, lw_row_vals(s, i),
		       (size_t)s->stride * sizeof(*vals));
		memcpy(valid + (size_t)i * (nstride / 64), lw_row_valid(s, i),
		       (size_t)(s->stride / 64) * sizeof(*valid));
	}
	free(s->vals);
	free(s->valid);
	s->vals = vals;
	s->valid = valid;
	s->stride = nstride;
	return 0;
}

static uint32_t lw_pool_base(const struct lw_snapshots *s)
{
	return LW_GLOB_N + LW_CPU_NCTR * s->ncpu;
}

/* A free value slot for an interface counter, or LW_NO_SLOT. */
static uint32_t lw_slot_alloc(struct lw_snapshots *s)
{
	uint32_t i;

	for (;;) {
		for (i = lw_pool_base(s); i < s->stride; i++) {
			if (!lw_bit(s->slot_used, i)) {
				lw_bit_set(s->slot_used, i);
				return i;
			}
		}
		if (lw_grow(s))
			break;
	}
	s->skipped++;
	return LW_NO_SLOT;
}

static void lw_slot_free(struct lw_snapshots *s, uint32_t slot)
{
	if (slot != LW_NO_SLOT)
		lw_bit_clear(s->slot_used, slot);
}

/* Put a value into the snapshot being taken. */
static void lw_store(struct lw_snapshots *s, uint32_t slot, uint64_t v,
		     unsigned int *stored)
{
	if (slot == LW_NO_SLOT || slot >= s->stride)
		return;
	lw_row_vals(s, s->head)[slot] = v;
	lw_bit_set(lw_row_valid(s, s->head), slot);
	(*stored)++;
}

uint32_t lw_snapshots_cpu_slot(const struct lw_snapshots *s, uint32_t cpu,
			       enum lw_cpu_ctr ctr)
{
	if (cpu >= s->ncpu || (unsigned int)ctr >= LW_CPU_NCTR)
		return LW_NO_SLOT;
	return LW_GLOB_N + cpu * LW_CPU_NCTR + (uint32_t)ctr;
}

/* ---- the default ethtool reader: SIOCETHTOOL ---- */

static int lw_ioctl_eth(struct lw_snapshots *s, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = data;
	if (ioctl(s->eth_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	return 0;
}

static int lw_ioctl_count(void *ctx, const char *ifname)
{
	/* struct ethtool_sset_info and one u32 for the one set asked for */
	uint64_t buf[(sizeof(struct ethtool_sset_info) + 4 + 7) / 8] = { 0 };
	struct ethtool_sset_info *info = (struct ethtool_sset_info *)buf;
	int ret;

	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ull << ETH_SS_STATS;
	ret = lw_ioctl_eth(ctx, ifname, info);
	if (ret)
		return ret;
	if (!(info->sset_mask & (1ull << ETH_SS_STATS)))
		return 0;
	return info->data[0] > INT_MAX ? INT_MAX : (int)info->data[0];
}

static int lw_ioctl_names(void *ctx, const char *ifname,
			  char (*names)[LW_ETH_NAME_LEN], unsigned int n)
{
	size_t room = (size_t)(n + LW_ETH_SLACK) * ETH_GSTRING_LEN;
	struct ethtool_gstrings *gs = calloc(1, sizeof(*gs) + room);
	int ret;

	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = n;
	ret = lw_ioctl_eth(ctx, ifname, gs);
	if (!ret && gs->len != n)
		ret = -EAGAIN;
	if (!ret)
		memcpy(names, gs->data, (size_t)n * ETH_GSTRING_LEN);
	free(gs);
	return ret;
}

static int lw_ioctl_values(void *ctx, const char *ifname, uint64_t *vals,
			   unsigned int n)
{
	struct lw_snapshots *s = ctx;
	/* the header is one u64; then the values and the margin */
	unsigned int need = 1 + n + LW_ETH_SLACK;
	struct ethtool_stats *st;
	int ret;

	if (need > s->eth_buf_cap) {
		uint64_t *b = realloc(s->eth_buf, (size_t)need * sizeof(*b));

		if (!b)
			return -ENOMEM;
		s->eth_buf = b;
		s->eth_buf_cap = need;
	}
	st = (struct ethtool_stats *)s->eth_buf;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = n;
	ret = lw_ioctl_eth(s, ifname, st);
	if (ret)
		return ret;
	if (st->n_stats != n)
		return -EAGAIN;
	memcpy(vals, st->data, (size_t)n * sizeof(*vals));
	return 0;
}

static const struct lw_ethtool_ops lw_ioctl_ops = {
	.count	= lw_ioctl_count,
	.names	= lw_ioctl_names,
	.values	= lw_ioctl_values,
};

void lw_snapshots_set_ethtool(struct lw_snapshots *s,
			      const struct lw_ethtool_ops *ops, void *ctx)
{
	unsigned int i;

	s->eth = ops;
	s->eth_ctx = ctx;
	/*
	 * What was learnt from the previous reader no longer holds: the
	 * interfaces start afresh in new entries at the next sample.
	 */
	for (i = 0; i < s->nifaces; i++)
		s->ifaces[i].retired = true;
}

/* ---- init ---- */

int lw_snapshots_init(struct lw_snapshots *s, const char *root,
		      unsigned int history)
{
	unsigned int min_stride, hist, max_stride, i;
	size_t len;
	int fd;

	memset(s, 0, sizeof(*s));
	s->eth_fd = -1;
	if (!root || history < LW_SNAP_MIN_HISTORY)
		return -EINVAL;
	len = strlen(root);
	while (len && root[len - 1] == '/')
		len--;
	if (len + 64 >= LW_PATH_LEN)
		return -ENAMETOOLONG;
	s->root = strndup(root, len);
	if (!s->root)
		return -ENOMEM;

	s->ncpu = lw_ncpu(s);
	min_stride = (LW_GLOB_N + LW_CPU_NCTR * s->ncpu +
		      LW_SNAP_MIN_IF_SLOTS + 63) / 64 * 64;
	/* keep fewer snapshots rather than more memory */
	hist = LW_SNAP_RING_BYTES / lw_row_bytes(min_stride);
	if (hist > history)
		hist = history;
	if (hist < LW_SNAP_MIN_HISTORY)
		hist = LW_SNAP_MIN_HISTORY;
	/* 8 bytes and one validity bit per slot: 65 bits of 8 */
	max_stride = (unsigned int)((uint64_t)(LW_SNAP_RING_BYTES / hist) *
				    8 / 65 / 64 * 64);
	if (max_stride < min_stride)
		max_stride = min_stride;
	s->history = hist;
	s->stride = min_stride;
	s->max_stride = max_stride;

	s->snaps = calloc(hist, sizeof(*s->snaps));
	s->vals = calloc((size_t)hist * min_stride, sizeof(*s->vals));
	s->valid = calloc((size_t)hist * (min_stride / 64), sizeof(*s->valid));
	s->slot_used = calloc(max_stride / 64, sizeof(*s->slot_used));
	s->ifaces = calloc(LW_SNAP_MAX_IFACES, sizeof(*s->ifaces));
	s->online = calloc(LW_SNAP_MAX_CPUS, sizeof(*s->online));
	if (!s->snaps || !s->vals || !s->valid || !s->slot_used ||
	    !s->ifaces || !s->online) {
		lw_snapshots_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < lw_pool_base(s); i++)
		lw_bit_set(s->slot_used, i);

	if (!len) {
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			s->eth_fd = fd;
			lw_snapshots_set_ethtool(s, &lw_ioctl_ops, s);
		}
	}
	return 0;
}

void lw_snapshots_free(struct lw_snapshots *s)
{
	free(s->root);
	free(s->snaps);
	free(s->vals);
	free(s->valid);
	free(s->slot_used);
	free(s->ifaces);
	free(s->online);
	free(s->eth_vals);
	free(s->eth_buf);
	free(s->line);
	if (s->eth_fd >= 0)
		close(s->eth_fd);
	memset(s, 0, sizeof(*s));
	s->eth_fd = -1;
}

/* ---- parsers ---- */

static bool lw_parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	unsigned int n = 0;

	for (; isxdigit((unsigned char)*s); s++, n++) {
		int c = tolower((unsigned char)*s);

		if (n == 16)
			return false;
		x = x << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (!n)
		return false;
	*p = s;
	*v = x;
	return true;
}

/* The end of a line: spaces, then nothing or a newline. */
static bool lw_at_eol(const char *p)
{
	p = lw_skip_space(p);
	return *p == '\0' || *p == '\n';
}

/*
 * Columns of a row: 1 processed, 2 dropped, 3 time_squeeze, ...; since
 * Linux 5.10, 12 is the backlog length and 13 the CPU; newer kernels may
 * add more.
 */
#define LW_SOFTNET_MAX_COLS	32
#define LW_SOFTNET_CPU_COL	13

bool lw_parse_softnet(const char *line, uint64_t *dropped, uint64_t *squeeze,
		      int64_t *cpu)
{
	uint64_t col[LW_SOFTNET_MAX_COLS];
	const char *p = line;
	unsigned int n = 0;

	for (;;) {
		p = lw_skip_space(p);
		if (*p == '\0' || *p == '\n')
			break;
		if (n == LW_SOFTNET_MAX_COLS || !lw_parse_hex(&p, &col[n]))
			return false;
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0')
			return false;
		n++;
	}
	if (n < 3)
		return false;
	*dropped = col[1];
	*squeeze = col[2];
	*cpu = -1;
	if (n >= LW_SOFTNET_CPU_COL) {
		if (col[LW_SOFTNET_CPU_COL - 1] > INT32_MAX)
			return false;
		*cpu = (int64_t)col[LW_SOFTNET_CPU_COL - 1];
	}
	return true;
}

/*
 * "cpuN f1 f2 ...". Version 15 and later (Linux 4.x on): 9 fields, the
 * 8th is run_delay and the 9th pcount. Version 14 had three more yield
 * counters in front: 12 fields, run_delay 11th. Unknown versions (0: no
 * version line) are taken as 15.
 */
#define LW_SCHEDSTAT_MAX_FIELDS	32

bool lw_parse_schedstat_cpu(const char *line, unsigned int version,
			    uint32_t *cpu, uint64_t *run_delay,
			    uint64_t *pcount)
{
	uint64_t f[LW_SCHEDSTAT_MAX_FIELDS], c;
	const char *p = line;
	unsigned int n = 0, rd = 7;

	if (version && version < 14)
		return false;
	if (version == 14)
		rd = 10;
	if (strncmp(p, "cpu", 3))
		return false;
	p += 3;
	if (!lw_parse_dec(&p, &c) || c > UINT32_MAX)
		return false;
	for (;;) {
		if (*p != ' ' && *p != '\t')
			break;
		p = lw_skip_space(p);
		if (*p == '\0' || *p == '\n')
			break;
		if (n == LW_SCHEDSTAT_MAX_FIELDS || !lw_parse_dec(&p, &f[n]))
			return false;
		n++;
	}
	if (!lw_at_eol(p) || n < rd + 2)
		return false;
	*cpu = (uint32_t)c;
	*run_delay = f[rd];
	*pcount = f[rd + 1];
	return true;
}

/* ---- what a snapshot reads ---- */

/* Open ROOT + rel for reading lines, or NULL. */
static FILE *lw_open(const struct lw_snapshots *s, const char *rel)
{
	char path[LW_PATH_LEN];

	if (!lw_path(s, path, rel))
		return NULL;
	return fopen(path, "re");
}

static bool lw_getline(struct lw_snapshots *s, FILE *f)
{
	return getline(&s->line, &s->line_cap, f) >= 0;
}

static void lw_online_add(void *arg, uint32_t cpu)
{
	struct lw_snapshots *s = arg;

	if (s->nonline < LW_SNAP_MAX_CPUS)
		s->online[s->nonline++] = cpu;
}

static void lw_snap_online(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[4096];

	s->nonline = 0;
	if (!lw_path(s, path, "/sys/devices/system/cpu/online") ||
	    lw_read_small(path, buf, sizeof(buf)) <= 0)
		return;
	if (!lw_parse_cpulist(buf, lw_online_add, s)) {
		s->nonline = 0;
		return;
	}
	lw_store(s, LW_GLOB_NCPUS, s->nonline, stored);
}

static void lw_store_cpu(struct lw_snapshots *s, uint64_t cpu,
			 enum lw_cpu_ctr ctr, uint64_t v, unsigned int *stored)
{
	if (cpu < s->ncpu)
		lw_store(s, lw_snapshots_cpu_slot(s, (uint32_t)cpu, ctr), v,
			 stored);
}

/*
 * Rows are for the online CPUs in order; the CPU column, when there is
 * one, says which. Without it, row i is the i-th online CPU, or CPU i
 * when the online list could not be read.
 */
static void lw_snap_softnet(struct lw_snapshots *s, unsigned int *stored)
{
	FILE *f = lw_open(s, "/proc/net/softnet_stat");
	uint64_t dropped, squeeze, cpu;
	unsigned int row = 0;
	int64_t col;

	if (!f)
		return;
	while (lw_getline(s, f)) {
		if (lw_at_eol(s->line))
			continue;
		if (lw_parse_softnet(s->line, &dropped, &squeeze, &col)) {
			if (col >= 0)
				cpu = (uint64_t)col;
			else if (!s->nonline)
				cpu = row;
			else if (row < s->nonline)
				cpu = s->online[row];
			else
				cpu = UINT32_MAX;
			lw_store_cpu(s, cpu, LW_CPU_DROPPED, dropped, stored);
			lw_store_cpu(s, cpu, LW_CPU_SQUEEZE, squeeze, stored);
		}
		row++;
	}
	fclose(f);
}

static void lw_snap_schedstat(struct lw_snapshots *s, unsigned int *stored)
{
	FILE *f = lw_open(s, "/proc/schedstat");
	uint64_t run_delay, pcount, v;
	const char *p;
	uint32_t cpu;

	if (!f)
		return;
	s->schedstat_version = 0;
	while (lw_getline(s, f)) {
		if (!strncmp(s->line, "version ", 8)) {
			p = s->line + 8;
			if (lw_parse_dec(&p, &v) && v <= UINT32_MAX)
				s->schedstat_version = (unsigned int)v;
			if (s->schedstat_version < 14)
				break;	/* a layout this does not know */
			continue;
		}
		if (!lw_parse_schedstat_cpu(s->line, s->schedstat_version,
					    &cpu, &run_delay, &pcount))
			continue;	/* timestamp, domainN, or bad */
		lw_store_cpu(s, cpu, LW_CPU_RUN_DELAY, run_delay, stored);
		lw_store_cpu(s, cpu, LW_CPU_PCOUNT, pcount, stored);
	}
	fclose(f);
}

/*
 * The runnable tasks: nr_running(), which /proc/loadavg ("0.52 0.58 0.59
 * 2/469 12345") shows as its 4th field before the '/', like procs_running
 * in /proc/stat. /proc/stat costs much more to make on a large machine
 * (it sums every interrupt on every CPU), so it is the fallback only.
 */
static void lw_snap_procs(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[256];
	const char *p = buf;
	uint64_t v;
	unsigned int i;
	FILE *f;

	if (lw_path(s, path, "/proc/loadavg") &&
	    lw_read_small(path, buf, sizeof(buf)) > 0) {
		for (i = 0; i < 3; i++) {
			p = lw_skip_space(p);
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		p = lw_skip_space(p);
		if (lw_parse_dec(&p, &v) && *p == '/') {
			lw_store(s, LW_GLOB_PROCS_RUNNING, v, stored);
			return;
		}
	}
	f = lw_open(s, "/proc/stat");
	if (!f)
		return;
	while (lw_getline(s, f)) {
		if (strncmp(s->line, "procs_running ", 14))
			continue;
		p = s->line + 14;
		if (lw_parse_dec(&p, &v) && lw_at_eol(p))
			lw_store(s, LW_GLOB_PROCS_RUNNING, v, stored);
		break;
	}
	fclose(f);
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" (us). */
static void lw_snap_psi(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[512];
	const char *p;
	uint64_t v;

	if (!lw_path(s, path, "/proc/pressure/cpu") ||
	    lw_read_small(path, buf, sizeof(buf)) <= 0 ||
	    strncmp(buf, "some ", 5))
		return;
	p = strstr(buf, " total=");
	if (!p || (strchr(buf, '\n') && p > strchr(buf, '\n')))
		return;
	p += 7;
	if (lw_parse_dec(&p, &v) && lw_at_eol(p))
		lw_store(s, LW_GLOB_PSI_SOME, v, stored);
}

/* ---- interfaces ---- */

bool lw_eth_name_selected(const char *name)
{
	static const char *const words[] = {
		"drop", "miss", "discard", "fifo", "no_buf", "nobuf", "squeeze",
	};
	char low[LW_ETH_NAME_LEN];
	size_t i, n = strnlen(name, LW_ETH_NAME_LEN - 1);
	const char *p;

	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	if (strstr(low, "xdp"))
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	for (p = low; (p = strstr(p, "over")); p++)
		if (p == low || !isalpha((unsigned char)p[-1]))
			return true;
	return false;
}

static void lw_iface_release(struct lw_snapshots *s, struct lw_iface *e)
{
	unsigned int i;

	for (i = 0; i < LW_NIC_NCTR; i++)
		lw_slot_free(s, e->slot[i]);
	for (i = 0; i < e->neth; i++)
		lw_slot_free(s, e->eth_slot[i]);
	memset(e, 0, sizeof(*e));
}

static struct lw_iface *lw_iface_new(struct lw_snapshots *s, const char *name,
				     int ifindex)
{
	struct lw_iface *e = NULL;
	unsigned int i;

	for (i = 0; i < s->nifaces; i++) {
		if (!s->ifaces[i].used) {
			e = &s->ifaces[i];
			break;
		}
	}
	if (!e && s->nifaces < LW_SNAP_MAX_IFACES)
		e = &s->ifaces[s->nifaces++];
	if (!e) {
		s->skipped += LW_NIC_NCTR;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	strcpy(e->name, name);
	e->ifindex = ifindex;
	for (i = 0; i < LW_NIC_NCTR; i++)
		e->slot[i] = lw_slot_alloc(s);
	return e;
}

/*
 * The entry of interface name: the same name with another ifindex is
 * another interface (deleted and created again), with counters from 0.
 */
static struct lw_iface *lw_iface_get(struct lw_snapshots *s, const char *name,
				     int ifindex)
{
	struct lw_iface *e;
	unsigned int i;

	for (i = 0; i < s->nifaces; i++) {
		e = &s->ifaces[i];
		if (!e->used || e->retired || strcmp(e->name, name))
			continue;
		if (e->ifindex == ifindex)
			return e;
		e->retired = true;
		break;
	}
	return lw_iface_new(s, name, ifindex);
}

/* Choose the driver statistics to sample. */
static void lw_eth_discover(struct lw_snapshots *s, struct lw_iface *e,
			    unsigned int n)
{
	char (*names)[LW_ETH_NAME_LEN];
	uint32_t slot;
	unsigned int i;

	names = calloc(n, sizeof(*names));
	if (!names)
		return;
	if (s->eth->names(s->eth_ctx, e->name, names, n)) {
		free(names);
		return;
	}
	for (i = 0; i < n; i++) {
		names[i][LW_ETH_NAME_LEN - 1] = '\0';
		if (!lw_eth_name_selected(names[i]))
			continue;
		if (e->neth == LW_ETH_MAX_PER_IF) {
			s->skipped++;
			continue;
		}
		slot = lw_slot_alloc(s);
		if (slot == LW_NO_SLOT)
			continue;
		e->eth_index[e->neth] = i;
		e->eth_slot[e->neth] = slot;
		strcpy(e->eth_name[e->neth], names[i]);
		e->neth++;
	}
	free(names);
	e->eth_total = n;
	e->eth_known = true;
	/* nothing worth sampling: as good as no statistics */
	if (!e->neth)
		e->eth_none = true;
}

/*
 * Before the sysfs counters: learn which driver statistics e has, and
 * whether to read them this time (*read). When their number changed the
 * driver's array means something else now, so the interface starts
 * afresh in a new entry (which may be NULL if the table is full: then it
 * is left out of this snapshot).
 */
static struct lw_iface *lw_eth_prepare(struct lw_snapshots *s,
				       struct lw_iface *e, bool *read)
{
	struct lw_iface *ne;
	int n;

	*read = false;
	if (!s->eth || e->eth_none)
		return e;
	n = s->eth->count(s->eth_ctx, e->name);
	if (n == 0 || n == -EOPNOTSUPP || n > LW_ETH_MAX_STATS) {
		e->eth_none = true;
		return e;
	}
	if (n < 0)
		return e;	/* try again next time */
	if (!e->eth_known || (unsigned int)n != e->eth_total) {
		if (e->eth_known) {
			ne = lw_iface_new(s, e->name, e->ifindex);
			if (!ne)
				return NULL;
			e->retired = true;
			e = ne;
		}
		lw_eth_discover(s, e, (unsigned int)n);
	}
	*read = e->eth_known && !e->eth_none;
	return e;
}

static void lw_eth_sample(struct lw_snapshots *s, struct lw_iface *e,
			  unsigned int *stored)
{
	unsigned int i, n = e->eth_total;

	if (n > s->eth_vals_cap) {
		uint64_t *v = realloc(s->eth_vals, (size_t)n * sizeof(*v));

		if (!v)
			return;
		s->eth_vals = v;
		s->eth_vals_cap = n;
	}
	if (s->eth->values(s->eth_ctx, e->name, s->eth_vals, n))
		return;
	for (i = 0; i < e->neth; i++)
		lw_store(s, e->eth_slot[i], s->eth_vals[e->eth_index[i]],
			 stored);
}

/*
 * The interface's directory is opened once and its files relative to it:
 * resolving /sys/class/net/NAME again for each file costs a third more.
 */
static void lw_snap_iface(struct lw_snapshots *s, int netfd, const char *name,
			    unsigned int *stored)
{
	unsigned int before = *stored, i;
	struct lw_iface *e;
	bool eth = false;
	int dfd, sfd;
	uint64_t v;

	dfd = openat(netfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;	/* not an interface (bonding_masters), or gone */
	if (!lw_read_u64_at(dfd, "ifindex", &v) || v > INT_MAX)
		goto out;
	e = lw_iface_get(s, name, (int)v);
	if (e)
		e = lw_eth_prepare(s, e, &eth);
	if (!e)
		goto out;
	sfd = openat(dfd, "statistics", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd >= 0) {
		for (i = 0; i < LW_NIC_NCTR; i++)
			if (lw_read_u64_at(sfd, lw_nic_ctr_names[i], &v))
				lw_store(s, e->slot[i], v, stored);
		close(sfd);
	}
	if (eth)
		lw_eth_sample(s, e, stored);
	if (*stored != before)
		e->last_seq = s->seq + 1;
out:
	close(dfd);
}

static void lw_snap_ifaces(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN];
	struct dirent *de;
	DIR *d;

	if (!lw_path(s, path, "/sys/class/net"))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) >= LW_IFNAME_LEN)
			continue;
		lw_snap_iface(s, dirfd(d), de->d_name, stored);
	}
	closedir(d);
}

/* Free the entries that no snapshot in the ring holds any more. */
static void lw_ifaces_expire(struct lw_snapshots *s)
{
	uint64_t oldest = s->seq - s->count + 1;
	unsigned int i;

	for (i = 0; i < s->nifaces; i++)
		if (s->ifaces[i].used && s->ifaces[i].last_seq < oldest)
			lw_iface_release(s, &s->ifaces[i]);
	while (s->nifaces && !s->ifaces[s->nifaces - 1].used)
		s->nifaces--;
}

int lw_snapshots_take(struct lw_snapshots *s, uint64_t real_ns,
		      uint64_t mono_ns)
{
	unsigned int stored = 0;

	/* the oldest snapshot's row, when the ring is full */
	memset(lw_row_valid(s, s->head), 0,
	       (s->stride / 64) * sizeof(*s->valid));
	lw_snap_online(s, &stored);
	lw_snap_softnet(s, &stored);
	lw_snap_schedstat(s, &stored);
	lw_snap_procs(s, &stored);
	lw_snap_psi(s, &stored);
	lw_snap_ifaces(s, &stored);
	if (!stored) {
		/* the row is empty now: the oldest snapshot is gone */
		if (s->count == s->history)
			s->count--;
		lw_ifaces_expire(s);
		return -ENODATA;
	}
	s->seq++;
	s->snaps[s->head].seq = s->seq;
	s->snaps[s->head].real_ns = real_ns;
	s->snaps[s->head].mono_ns = mono_ns;
	s->head = (s->head + 1) % s->history;
	if (s->count < s->history)
		s->count++;
	lw_ifaces_expire(s);
	return 0;
}

/* ---- accessors ---- */

unsigned int lw_snapshots_history(const struct lw_snapshots *s)
{
	return s->history;
}

unsigned int lw_snapshots_count(const struct lw_snapshots *s)
{
	return s->count;
}

uint64_t lw_snapshots_skipped(const struct lw_snapshots *s)
{
	return s->skipped;
}

const struct lw_snap *lw_snapshots_at(const struct lw_snapshots *s,
				      unsigned int back, unsigned int *idx)
{
	unsigned int i;

	if (back >= s->count)
		return NULL;
	i = (s->head + 2 * s->history - 1 - back) % s->history;
	if (idx)
		*idx = i;
	return &s->snaps[i];
}

bool lw_snapshots_val(const struct lw_snapshots *s, unsigned int idx,
		      uint32_t slot, uint64_t *v)
{
	if (idx >= s->history || slot == LW_NO_SLOT || slot >= s->stride ||
	    !lw_bit(lw_row_valid(s, idx), slot))
		return false;
	*v = lw_row_vals(s, idx)[slot];
	return true;
}

bool lw_snapshots_get_if(const struct lw_snapshots *s, unsigned int back,
			 const char *ifname, const char *counter, uint64_t *v)
{
	const struct lw_iface *e;
	unsigned int idx, i, k;

	if (!lw_snapshots_at(s, back, &idx))
		return false;
	for (i = 0; i < s->nifaces; i++) {
		e = &s->ifaces[i];
		if (!e->used || strcmp(e->name, ifname))
			continue;
		for (k = 0; k < LW_NIC_NCTR; k++)
			if (!strcmp(lw_nic_ctr_names[k], counter) &&
			    lw_snapshots_val(s, idx, e->slot[k], v))
				return true;
		for (k = 0; k < e->neth; k++)
			if (!strcmp(e->eth_name[k], counter) &&
			    lw_snapshots_val(s, idx, e->eth_slot[k], v))
				return true;
	}
	return false;
}

bool lw_snapshots_get_cpu(const struct lw_snapshots *s, unsigned int back,
			  uint32_t cpu, enum lw_cpu_ctr ctr, uint64_t *v)
{
	unsigned int idx;

	return lw_snapshots_at(s, back, &idx) &&
	       lw_snapshots_val(s, idx, lw_snapshots_cpu_slot(s, cpu, ctr), v);
}

bool lw_snapshots_get_glob(const struct lw_snapshots *s, unsigned int back,
			   enum lw_glob g, uint64_t *v)
{
	unsigned int idx;

	return (unsigned int)g < LW_GLOB_N &&
	       lw_snapshots_at(s, back, &idx) &&
	       lw_snapshots_val(s, idx, lw_snapshots_glob_slot(g), v);
}
