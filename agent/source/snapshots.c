// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshots' ring: value slots, the interface table, taking a
 * snapshot and reading one back. What a snapshot reads is in
 * snap_procfs.c (/proc and sysfs), snap_iface.c (the interfaces) and
 * snap_ethtool.c (driver statistics), how in snap_file.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "source/snap_internal.h"

const char *const lw_nic_ctr_names[LW_NIC_NCTR] = {
	[LW_NIC_RX_DROPPED]	= "rx_dropped",
	[LW_NIC_RX_MISSED]	= "rx_missed_errors",
	[LW_NIC_RX_FIFO]	= "rx_fifo_errors",
	[LW_NIC_RX_OVER]	= "rx_over_errors",
	[LW_NIC_TX_DROPPED]	= "tx_dropped",
};

/* Value slots always reserved for interfaces, beyond the CPUs'. */
#define LW_SNAP_MIN_IF_SLOTS	64

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
uint32_t lw_snap_slot_alloc(struct lw_snapshots *s)
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
void lw_snap_store(struct lw_snapshots *s, uint32_t slot, uint64_t v,
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

/* ---- the interface table ---- */

static void lw_iface_release(struct lw_snapshots *s, struct lw_iface *e)
{
	unsigned int i;

	lw_snap_iface_close(s, e);
	for (i = 0; i < LW_NIC_NCTR; i++)
		lw_slot_free(s, e->slot[i]);
	for (i = 0; i < e->neth; i++)
		lw_slot_free(s, e->eth_slot[i]);
	memset(e, 0, sizeof(*e));
}

struct lw_iface *lw_snap_iface_new(struct lw_snapshots *s, const char *name,
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
	for (i = 0; i < LW_NIC_NCTR; i++) {
		e->slot[i] = lw_snap_slot_alloc(s);
		e->fd[i] = -1;
	}
	return e;
}

struct lw_iface *lw_snap_iface_renew(struct lw_snapshots *s,
				     struct lw_iface *e)
{
	struct lw_iface *ne = lw_snap_iface_new(s, e->name, e->ifindex);
	unsigned int i;

	if (!ne)
		return NULL;
	ne->bus = e->bus;
	ne->live = e->live;
	ne->kept = e->kept;
	ne->ino = e->ino;
	ne->gen = e->gen;
	for (i = 0; i < LW_NIC_NCTR; i++) {
		ne->fd[i] = e->fd[i];
		e->fd[i] = -1;
	}
	e->live = false;
	e->kept = false;
	e->retired = true;
	s->ifhash_stale = true;
	return ne;
}

/*
 * The entry of interface name: the same name with another ifindex is
 * another interface (deleted and created again), with counters from 0.
 */
struct lw_iface *lw_snap_iface_get(struct lw_snapshots *s, const char *name,
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
	return lw_snap_iface_new(s, name, ifindex);
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
	for (i = 0; i < s->nifaces; i++) {
		lw_snap_iface_close(s, &s->ifaces[i]);
		s->ifaces[i].retired = true;
	}
}

void lw_snapshots_eth_burst(struct lw_snapshots *s, uint64_t until_mono_ns)
{
	if (until_mono_ns > s->eth_until_mono)
		s->eth_until_mono = until_mono_ns;
}

/* ---- init ---- */

int lw_snapshots_init(struct lw_snapshots *s, const char *root,
		      unsigned int history)
{
	unsigned int min_stride, hist, max_stride, i;
	size_t len;
	long hz;
	int fd;

	memset(s, 0, sizeof(*s));
	s->eth_fd = -1;
	s->eth_period_ns = LW_ETH_PERIOD_NS;
	s->kept_max = lw_snap_kept_max();
	lw_snap_files_init(s);
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

	/* the unit of /proc/stat; without it steal time is not read */
	hz = sysconf(_SC_CLK_TCK);
	if (hz > 0 && hz <= 1000000)
		s->user_hz = (unsigned int)hz;
	s->ncpu = lw_snap_ncpu(s);
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
			lw_snapshots_set_ethtool(s, &lw_snap_ioctl_ops, s);
		}
	}
	return 0;
}

void lw_snapshots_free(struct lw_snapshots *s)
{
	if (s->ifaces)
		lw_snap_ifaces_close(s);
	lw_snap_files_close(s);
	lw_snap_ioctl_free(s);
	free(s->root);
	free(s->snaps);
	free(s->vals);
	free(s->valid);
	free(s->slot_used);
	free(s->ifaces);
	free(s->online);
	free(s->eth_vals);
	free(s->rbuf);
	if (s->eth_fd >= 0)
		close(s->eth_fd);
	memset(s, 0, sizeof(*s));
	s->eth_fd = -1;
	lw_snap_files_init(s);
}

int lw_snapshots_take(struct lw_snapshots *s, uint64_t real_ns,
		      uint64_t mono_ns)
{
	unsigned int stored = 0;

	/* the oldest snapshot's row, when the ring is full */
	memset(lw_row_valid(s, s->head), 0,
	       (s->stride / 64) * sizeof(*s->valid));
	s->eth_due = lw_snap_eth_due(s, mono_ns);
	lw_snap_read_online(s, &stored);
	lw_snap_read_softnet(s, &stored);
	lw_snap_read_schedstat(s, &stored);
	lw_snap_read_stat(s, &stored, !lw_snap_read_loadavg(s, &stored));
	lw_snap_read_psi(s, &stored);
	lw_snap_read_ifaces(s, &stored);
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
	s->snaps[s->head].eth = s->eth_due;
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
