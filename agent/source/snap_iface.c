// SPDX-License-Identifier: GPL-2.0
/*
 * The network interfaces of a snapshot (snapshots.h): the listing of
 * ROOT/sys/class/net, read again at every sample, and each interface's
 * statistics/ counters from files kept open while it stays; its driver
 * statistics are snap_ethtool.c's.
 *
 * An interface is known by its entry in the listing: the same name with
 * another inode number is another interface (deleted and created again,
 * or another one renamed to it), whose files are opened anew. Whether it
 * has a bus, and so may have driver statistics worth asking for, is
 * decided then, not at every sample.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/utils.h"
#include "source/snap_internal.h"

/* ---- the live entries by name ---- */

static unsigned int lw_ifhash_slot(const char *name)
{
	return (unsigned int)(lw_hash_str(name) & (LW_SNAP_IFHASH - 1));
}

static void lw_ifhash_insert(struct lw_snapshots *s, const struct lw_iface *e)
{
	unsigned int h = lw_ifhash_slot(e->name);

	while (s->ifhash[h])
		h = (h + 1) & (LW_SNAP_IFHASH - 1);
	s->ifhash[h] = (uint16_t)(e - s->ifaces + 1);
	s->ifhash_used++;
}

/*
 * Entries stop being live seldom: the table is made again then, with
 * the live ones only, at most LW_SNAP_MAX_IFACES of its twice as many
 * slots.
 */
static void lw_ifhash_rebuild(struct lw_snapshots *s)
{
	unsigned int i;

	memset(s->ifhash, 0, sizeof(s->ifhash));
	s->ifhash_used = 0;
	for (i = 0; i < s->nifaces; i++)
		if (s->ifaces[i].used && s->ifaces[i].live)
			lw_ifhash_insert(s, &s->ifaces[i]);
	s->ifhash_stale = false;
}

/* e, live now; slots of entries no longer live may still be taken. */
static void lw_ifhash_add(struct lw_snapshots *s, const struct lw_iface *e)
{
	if (s->ifhash_stale || s->ifhash_used >= LW_SNAP_MAX_IFACES)
		lw_ifhash_rebuild(s);	/* e with the rest */
	else
		lw_ifhash_insert(s, e);
}

static struct lw_iface *lw_live_find(struct lw_snapshots *s, const char *name)
{
	unsigned int h = lw_ifhash_slot(name);
	struct lw_iface *e;

	if (s->ifhash_stale)
		lw_ifhash_rebuild(s);
	for (; s->ifhash[h]; h = (h + 1) & (LW_SNAP_IFHASH - 1)) {
		e = &s->ifaces[s->ifhash[h] - 1];
		if (e->live && !strcmp(e->name, name))
			return e;
	}
	return NULL;
}

/* ---- opening and closing an interface ---- */

void lw_snap_iface_close(struct lw_snapshots *s, struct lw_iface *e)
{
	unsigned int i;

	for (i = 0; i < LW_NIC_NCTR; i++) {
		if (e->kept && e->fd[i] >= 0) {
			close(e->fd[i]);
			s->kept--;
		}
		e->fd[i] = -1;
	}
	e->kept = false;
	if (e->live)
		s->ifhash_stale = true;
	e->live = false;
}

/* Whether the files of one more interface may be kept open. */
static bool lw_iface_room(const struct lw_snapshots *s)
{
	return s->kept + LW_NIC_NCTR <= s->kept_max;
}

/*
 * Keep e's counter files open, if the budget allows: else they are
 * opened at each sample, which is said once. A file that cannot be
 * opened is missing until the interface is opened again.
 */
static void lw_iface_keep(struct lw_snapshots *s, struct lw_iface *e,
			  int dfd)
{
	unsigned int i;
	int sfd;

	for (i = 0; i < LW_NIC_NCTR; i++)
		e->fd[i] = -1;
	if (!lw_iface_room(s)) {
		if (!s->kept_said)
			lw_err("agent: keeping the counter files of %u interfaces open, as many as the limit on open files allows (RLIMIT_NOFILE, less %u); those of the others are opened at each sample",
			       s->kept_max / LW_NIC_NCTR, LW_SNAP_FD_SPARE);
		s->kept_said = true;
		return;
	}
	e->kept = true;
	sfd = openat(dfd, "statistics", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return;
	for (i = 0; i < LW_NIC_NCTR; i++) {
		e->fd[i] = openat(sfd, lw_nic_ctr_names[i],
				  O_RDONLY | O_CLOEXEC);
		if (e->fd[i] >= 0)
			s->kept++;
	}
	close(sfd);
}

/*
 * A name of the listing without a live entry: its ifindex, whether it
 * has a bus, its table entry (the same as before if the ifindex is), and
 * its files. NULL if it is not an interface, is gone, or the table is
 * full.
 */
static struct lw_iface *lw_iface_open(struct lw_snapshots *s, int netfd,
				      const char *name, uint64_t ino)
{
	struct lw_iface *e = NULL;
	struct stat st;
	uint64_t v;
	int dfd;

	dfd = openat(netfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;	/* not an interface, or gone */
	if (lw_snap_read_u64_at(dfd, "ifindex", &v) && v <= INT_MAX)
		e = lw_snap_iface_get(s, name, (int)v);
	if (e) {
		e->live = true;
		e->ino = ino;
		e->bus = !fstatat(dfd, "device", &st, AT_SYMLINK_NOFOLLOW);
		lw_iface_keep(s, e, dfd);
		lw_ifhash_add(s, e);
	}
	close(dfd);
	return e;
}

/* ---- reading the counters ---- */

/* The counters of an interface whose files are open. */
static bool lw_kept_counters(struct lw_iface *e, uint64_t *v, bool *has)
{
	char buf[LW_SMALL_LEN];
	unsigned int i;

	for (i = 0; i < LW_NIC_NCTR; i++) {
		if (e->fd[i] < 0)
			continue;
		/* ENODEV, or nothing: the interface went away */
		if (lw_snap_pread_small(e->fd[i], buf, sizeof(buf)) <= 0)
			return false;
		has[i] = lw_snap_parse_u64(buf, &v[i]);
	}
	return true;
}

/*
 * Those of an interface beyond the budget, opened for this sample: its
 * directory once and its files relative to it, which costs a third less
 * than resolving ROOT/sys/class/net/NAME again for each.
 */
static bool lw_open_counters(int netfd, const struct lw_iface *e,
			     uint64_t *v, bool *has)
{
	unsigned int i;
	int sfd;

	sfd = openat(netfd, e->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return false;
	for (i = 0; i < LW_NIC_NCTR; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "statistics/%s", lw_nic_ctr_names[i]);
		has[i] = lw_snap_read_u64_at(sfd, rel, &v[i]);
	}
	close(sfd);
	return true;
}

/*
 * The live entry of the listing's name, with its counters in v and has;
 * files that fail make the interface be opened again, once.
 */
static struct lw_iface *lw_iface_counters(struct lw_snapshots *s, int netfd,
					  const char *name, uint64_t ino,
					  uint64_t *v, bool *has)
{
	struct lw_iface *e = lw_live_find(s, name);
	int tries;

	/*
	 * Another interface by that name now, or one whose files were not
	 * kept and now may be (others were closed since).
	 */
	if (e && (e->ino != ino || (!e->kept && lw_iface_room(s)))) {
		lw_snap_iface_close(s, e);
		e = NULL;
	}
	for (tries = 0; tries < 2; tries++) {
		if (!e)
			e = lw_iface_open(s, netfd, name, ino);
		if (!e)
			return NULL;
		memset(has, 0, LW_NIC_NCTR * sizeof(*has));
		if (e->kept ? lw_kept_counters(e, v, has) :
			      lw_open_counters(netfd, e, v, has))
			return e;
		lw_snap_iface_close(s, e);
		e = NULL;
	}
	return NULL;
}

static void lw_read_iface(struct lw_snapshots *s, int netfd, const char *name,
			  uint64_t ino, unsigned int *stored)
{
	unsigned int before = *stored, i;
	uint64_t v[LW_NIC_NCTR];
	bool has[LW_NIC_NCTR];
	struct lw_iface *e;
	bool eth = false;

	e = lw_iface_counters(s, netfd, name, ino, v, has);
	if (!e)
		return;
	e->gen = s->list_gen;
	if (s->eth_due && e->bus) {
		e = lw_snap_eth_prepare(s, e, &eth);
		if (!e)
			return;
	}
	for (i = 0; i < LW_NIC_NCTR; i++)
		if (has[i])
			lw_snap_store(s, e->slot[i], v[i], stored);
	if (eth)
		lw_snap_eth_read(s, e, stored);
	if (*stored != before)
		e->last_seq = s->seq + 1;
}

/* The listing, open, at its start; NULL if there is none. */
static DIR *lw_net_dir(struct lw_snapshots *s)
{
	char path[LW_PATH_LEN];
	int fd;

	if (s->net_dir) {
		rewinddir(s->net_dir);
		return s->net_dir;
	}
	if (!lw_snap_path(s, path, "/sys/class/net"))
		return NULL;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	s->net_dir = fdopendir(fd);
	if (!s->net_dir)
		close(fd);
	return s->net_dir;
}

void lw_snap_read_ifaces(struct lw_snapshots *s, unsigned int *stored)
{
	struct dirent *de;
	unsigned int i;
	DIR *d = lw_net_dir(s);

	if (!d)
		return;
	s->list_gen++;
	while ((de = readdir(d))) {
		/* bonding_masters is a file; interfaces are links (or dirs) */
		if (de->d_name[0] == '.' || de->d_type == DT_REG ||
		    strlen(de->d_name) >= LW_IFNAME_LEN)
			continue;
		lw_read_iface(s, dirfd(d), de->d_name, de->d_ino, stored);
	}
	/* those no longer listed are gone: their files go too */
	for (i = 0; i < s->nifaces; i++)
		if (s->ifaces[i].live && s->ifaces[i].gen != s->list_gen)
			lw_snap_iface_close(s, &s->ifaces[i]);
}

void lw_snap_ifaces_close(struct lw_snapshots *s)
{
	unsigned int i;

	for (i = 0; i < s->nifaces; i++)
		lw_snap_iface_close(s, &s->ifaces[i]);
	if (s->net_dir)
		closedir(s->net_dir);
	s->net_dir = NULL;
}
