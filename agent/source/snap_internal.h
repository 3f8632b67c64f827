/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_SNAP_INTERNAL_H
#define LATWATCH_SNAP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "source/snapshots.h"

/*
 * Between the files of the snapshots, not for their users: snapshots.c
 * (the ring, its value slots, the interface table), snap_procfs.c (what
 * a snapshot reads from /proc and sysfs), snap_ethtool.c (driver
 * statistics).
 */

/* Room for ROOT and a path under it. */
#define LW_PATH_LEN		512

/* snapshots.c */

/* A free value slot for an interface counter, or LW_NO_SLOT. */
uint32_t lw_snap_slot_alloc(struct lw_snapshots *s);
/* Put a value into the snapshot being taken; *stored counts them. */
void lw_snap_store(struct lw_snapshots *s, uint32_t slot, uint64_t v,
		   unsigned int *stored);
/* A new entry for an interface, or NULL if the table is full. */
struct lw_iface *lw_snap_iface_new(struct lw_snapshots *s, const char *name,
				   int ifindex);
/* The entry of interface name, made if new (see snapshots.c). */
struct lw_iface *lw_snap_iface_get(struct lw_snapshots *s, const char *name,
				   int ifindex);

/* snap_procfs.c */

/* ROOT + rel into buf (LW_PATH_LEN bytes); false if it does not fit. */
bool lw_snap_path(const struct lw_snapshots *s, char *buf, const char *rel);
/* CPU ids to sample: below the highest possible (or online) one, plus 1. */
unsigned int lw_snap_ncpu(const struct lw_snapshots *s);
/* Each reads its part of a snapshot into the one being taken. */
void lw_snap_read_online(struct lw_snapshots *s, unsigned int *stored);
void lw_snap_read_softnet(struct lw_snapshots *s, unsigned int *stored);
void lw_snap_read_schedstat(struct lw_snapshots *s, unsigned int *stored);
/* The runnable tasks from /proc/loadavg: false if it could not be read. */
bool lw_snap_read_loadavg(struct lw_snapshots *s, unsigned int *stored);
/* /proc/stat: steal time, and the runnable tasks if procs. */
void lw_snap_read_stat(struct lw_snapshots *s, unsigned int *stored,
		       bool procs);
void lw_snap_read_psi(struct lw_snapshots *s, unsigned int *stored);
void lw_snap_read_ifaces(struct lw_snapshots *s, unsigned int *stored);

/* snap_ethtool.c */

/* The default reader of driver statistics: SIOCETHTOOL, ctx the snapshots. */
extern const struct lw_ethtool_ops lw_snap_ioctl_ops;
/*
 * Before an interface's sysfs counters: which driver statistics it has,
 * whether to read them (*read); the entry to use, or NULL (see
 * snap_ethtool.c).
 */
struct lw_iface *lw_snap_eth_prepare(struct lw_snapshots *s,
				     struct lw_iface *e, bool *read);
/* The selected driver statistics of e, into the snapshot being taken. */
void lw_snap_eth_read(struct lw_snapshots *s, struct lw_iface *e,
		      unsigned int *stored);

#endif
