/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_SNAP_INTERNAL_H
#define LATWATCH_SNAP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "source/snapshots.h"

/*
 * Between the files of the snapshots, not for their users: snapshots.c
 * (the ring, its value slots, the interface table), snap_file.c (reading
 * files, and keeping them open), snap_procfs.c (what a snapshot reads
 * from /proc and sysfs, and the parsers), snap_iface.c (the interfaces
 * and their statistics/ counters), snap_ethtool.c (driver statistics).
 */

/* Room for ROOT and a path under it. */
#define LW_PATH_LEN		512
/* One sample's small file, such as a sysfs counter. */
#define LW_SMALL_LEN		128
/*
 * File descriptors left to the rest of the agent (netlink sockets,
 * metrics clients, --exec pipes, --log) out of RLIMIT_NOFILE, and those
 * the interfaces' files may take at most: the whole table's.
 */
#define LW_SNAP_FD_SPARE	256
#define LW_SNAP_KEPT_MAX	(LW_SNAP_MAX_IFACES * LW_NIC_NCTR)

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
/*
 * A new entry for live interface e, which takes e's place and its open
 * files (e is retired); NULL if the table is full, e left as it was.
 */
struct lw_iface *lw_snap_iface_renew(struct lw_snapshots *s,
				     struct lw_iface *e);

/* snap_file.c */

/* Each line of a file, NUL-terminated without its newline; false: stop. */
typedef bool (*lw_line_fn)(struct lw_snapshots *s, char *line, void *arg);

/* ROOT + rel into buf (LW_PATH_LEN bytes); false if it does not fit. */
bool lw_snap_path(const struct lw_snapshots *s, char *buf, const char *rel);
void lw_kf_init(struct lw_kfile *f, const char *rel);
void lw_kf_close(struct lw_kfile *f);
/*
 * A small file from its start, NUL-terminated: its length, or -1. The
 * first reads a file kept open, opening it if it is not; the second
 * opens path (dirfd as for openat()) and closes it again.
 */
ssize_t lw_kf_small(struct lw_snapshots *s, struct lw_kfile *f, char *buf,
		    size_t len);
ssize_t lw_snap_read_small_at(int dirfd, const char *path, char *buf,
			      size_t len);
/* The same from an open file descriptor, from its start. */
ssize_t lw_snap_pread_small(int fd, char *buf, size_t len);
/*
 * The lines of fd from its start, to fn until it says stop: 0, or -1 if
 * nothing could be read (an error, or an empty file); a read failing
 * later ends the file there. A line longer than LW_SNAP_LINE_MAX is
 * skipped, and a NUL byte ends the line fn sees.
 */
int lw_snap_fd_lines(struct lw_snapshots *s, int fd, lw_line_fn fn,
		     void *arg);
/*
 * The same for a file kept open; false if it could not be opened or
 * read.
 */
bool lw_kf_lines(struct lw_snapshots *s, struct lw_kfile *f, lw_line_fn fn,
		 void *arg);
/* A file's text holding one decimal number, as sysfs counters do. */
bool lw_snap_parse_u64(const char *buf, uint64_t *v);
/* A decimal number at *p, moving p past it; false on none or overflow. */
bool lw_snap_parse_dec(const char **p, uint64_t *v);
bool lw_snap_read_u64_at(int dirfd, const char *path, uint64_t *v);
/* The interfaces' files that may be kept open, from RLIMIT_NOFILE. */
unsigned int lw_snap_kept_max(void);

/* snap_procfs.c */

/* The files of /proc and sysfs a sample reads, closed. */
void lw_snap_files_init(struct lw_snapshots *s);
void lw_snap_files_close(struct lw_snapshots *s);
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

/* snap_iface.c */

/* Each interface of the listing, and its counters; see snap_iface.c. */
void lw_snap_read_ifaces(struct lw_snapshots *s, unsigned int *stored);
/* e's files closed, and e no longer live. */
void lw_snap_iface_close(struct lw_snapshots *s, struct lw_iface *e);
/* Every interface's, and the listing's. */
void lw_snap_ifaces_close(struct lw_snapshots *s);

/* snap_ethtool.c */

/* The default reader of driver statistics: SIOCETHTOOL, ctx the snapshots. */
extern const struct lw_ethtool_ops lw_snap_ioctl_ops;
/* Its buffer freed. */
void lw_snap_ioctl_free(struct lw_snapshots *s);
/* Whether driver statistics are due in a snapshot taken at mono_ns. */
bool lw_snap_eth_due(struct lw_snapshots *s, uint64_t mono_ns);
/*
 * Before the sysfs counters of an interface with a bus, in a snapshot
 * where they are due: which driver statistics it has, whether to read
 * them (*read); the entry to use, or NULL (see snap_ethtool.c).
 */
struct lw_iface *lw_snap_eth_prepare(struct lw_snapshots *s,
				     struct lw_iface *e, bool *read);
/* The selected driver statistics of e, into the snapshot being taken. */
void lw_snap_eth_read(struct lw_snapshots *s, struct lw_iface *e,
		      unsigned int *stored);

#endif
