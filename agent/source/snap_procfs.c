// SPDX-License-Identifier: GPL-2.0
/*
 * What a snapshot reads from /proc and sysfs (snapshots.h): the online
 * CPUs, softnet_stat, schedstat, the runnable tasks, steal time, CPU
 * pressure and each network interface's statistics/ counters; and the
 * parsers of those files.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/snap_internal.h"

/* CPUs assumed when ROOT has neither a "possible" nor an "online" list. */
#define LW_SNAP_DEF_CPUS	64

/* One sample's small file, such as a sysfs counter. */
#define LW_SMALL_LEN		128

/* ROOT + rel into buf; false if it does not fit. */
bool lw_snap_path(const struct lw_snapshots *s, char *buf, const char *rel)
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
unsigned int lw_snap_ncpu(const struct lw_snapshots *s)
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
		if (!lw_snap_path(s, path, files[i]) ||
		    lw_read_small(path, buf, sizeof(buf)) <= 0 ||
		    !lw_parse_cpulist(buf, lw_cpu_max, &n) || !n)
			continue;
		return n < LW_SNAP_MAX_CPUS ? n : LW_SNAP_MAX_CPUS;
	}
	return LW_SNAP_DEF_CPUS;
}

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

/*
 * "cpuN user nice system idle iowait irq softirq steal guest guest_nice":
 * steal came in 2.6.11, guest and guest_nice later; newer kernels may add
 * more. The values are USER_HZ ticks.
 */
#define LW_STAT_MAX_FIELDS	32
#define LW_STAT_STEAL		7

bool lw_parse_stat_cpu(const char *line, int64_t *cpu, uint64_t *steal)
{
	uint64_t f[LW_STAT_MAX_FIELDS], c = 0;
	const char *p = line;
	unsigned int n = 0;
	bool all;

	if (strncmp(p, "cpu", 3))
		return false;
	p += 3;
	all = *p == ' ' || *p == '\t';
	if (!all && (!lw_parse_dec(&p, &c) || c > INT32_MAX))
		return false;
	for (;;) {
		if (*p != ' ' && *p != '\t')
			break;
		p = lw_skip_space(p);
		if (*p == '\0' || *p == '\n')
			break;
		if (n == LW_STAT_MAX_FIELDS || !lw_parse_dec(&p, &f[n]))
			return false;
		n++;
	}
	if (!lw_at_eol(p) || n <= LW_STAT_STEAL)
		return false;
	*cpu = all ? -1 : (int64_t)c;
	*steal = f[LW_STAT_STEAL];
	return true;
}

/* Exact whatever hz is: USER_HZ is 100 on most architectures, 1024 on some. */
bool lw_ticks_ns(uint64_t ticks, unsigned int hz, uint64_t *ns)
{
	const uint64_t sec = 1000000000ull;
	uint64_t whole, part;

	if (!hz)
		return false;
	whole = ticks / hz;
	part = ticks % hz * sec / hz;
	if (whole > (UINT64_MAX - part) / sec)
		return false;
	*ns = whole * sec + part;
	return true;
}

/* ---- what a snapshot reads ---- */

/* Open ROOT + rel for reading lines, or NULL. */
static FILE *lw_open(const struct lw_snapshots *s, const char *rel)
{
	char path[LW_PATH_LEN];

	if (!lw_snap_path(s, path, rel))
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

void lw_snap_read_online(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[4096];

	s->nonline = 0;
	if (!lw_snap_path(s, path, "/sys/devices/system/cpu/online") ||
	    lw_read_small(path, buf, sizeof(buf)) <= 0)
		return;
	if (!lw_parse_cpulist(buf, lw_online_add, s)) {
		s->nonline = 0;
		return;
	}
	lw_snap_store(s, LW_GLOB_NCPUS, s->nonline, stored);
}

static void lw_store_cpu(struct lw_snapshots *s, uint64_t cpu,
			 enum lw_cpu_ctr ctr, uint64_t v, unsigned int *stored)
{
	if (cpu < s->ncpu)
		lw_snap_store(s, lw_snapshots_cpu_slot(s, (uint32_t)cpu, ctr),
			      v, stored);
}

/*
 * Rows are for the online CPUs in order; the CPU column, when there is
 * one, says which. Without it, row i is the i-th online CPU, or CPU i
 * when the online list could not be read.
 */
void lw_snap_read_softnet(struct lw_snapshots *s, unsigned int *stored)
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

void lw_snap_read_schedstat(struct lw_snapshots *s, unsigned int *stored)
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
 * in /proc/stat. Only the "cpu" lines at the start of /proc/stat are read
 * otherwise (see lw_snap_read_stat()), so it is the fallback.
 */
bool lw_snap_read_loadavg(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[256];
	const char *p = buf;
	uint64_t v;
	unsigned int i;

	if (!lw_snap_path(s, path, "/proc/loadavg") ||
	    lw_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	for (i = 0; i < 3; i++) {
		p = lw_skip_space(p);
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	p = lw_skip_space(p);
	if (!lw_parse_dec(&p, &v) || *p != '/')
		return false;
	lw_snap_store(s, LW_GLOB_PROCS_RUNNING, v, stored);
	return true;
}

/* A "cpu" line of /proc/stat: the steal time of a CPU, or of all. */
static void lw_stat_steal(struct lw_snapshots *s, unsigned int *stored)
{
	uint64_t ticks, ns;
	int64_t cpu;

	if (!s->user_hz || !lw_parse_stat_cpu(s->line, &cpu, &ticks) ||
	    !lw_ticks_ns(ticks, s->user_hz, &ns))
		return;
	if (cpu < 0)
		lw_snap_store(s, LW_GLOB_STEAL, ns, stored);
	else
		lw_store_cpu(s, (uint64_t)cpu, LW_CPU_STEAL, ns, stored);
}

/*
 * The "cpu" line (all CPUs) and one "cpuN" line per online CPU come
 * first; the rest, whose "intr" line can be long, is read only for
 * procs_running. A CPU without a line (offline) or with a bad one has no
 * steal time in the snapshot.
 */
void lw_snap_read_stat(struct lw_snapshots *s, unsigned int *stored,
		       bool procs)
{
	const char *p;
	uint64_t v;
	FILE *f;

	if (!s->user_hz && !procs)
		return;
	f = lw_open(s, "/proc/stat");
	if (!f)
		return;
	while (lw_getline(s, f)) {
		if (!strncmp(s->line, "cpu", 3)) {
			lw_stat_steal(s, stored);
			continue;
		}
		if (!procs)
			break;
		if (strncmp(s->line, "procs_running ", 14))
			continue;
		p = s->line + 14;
		if (lw_parse_dec(&p, &v) && lw_at_eol(p))
			lw_snap_store(s, LW_GLOB_PROCS_RUNNING, v, stored);
		break;
	}
	fclose(f);
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" (us). */
void lw_snap_read_psi(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN], buf[512];
	const char *p;
	uint64_t v;

	if (!lw_snap_path(s, path, "/proc/pressure/cpu") ||
	    lw_read_small(path, buf, sizeof(buf)) <= 0 ||
	    strncmp(buf, "some ", 5))
		return;
	p = strstr(buf, " total=");
	if (!p || (strchr(buf, '\n') && p > strchr(buf, '\n')))
		return;
	p += 7;
	if (lw_parse_dec(&p, &v) && lw_at_eol(p))
		lw_snap_store(s, LW_GLOB_PSI_SOME, v, stored);
}

/* ---- interfaces ---- */

/*
 * The interface's directory is opened once and its files relative to it:
 * resolving /sys/class/net/NAME again for each file costs a third more.
 */
static void lw_read_iface(struct lw_snapshots *s, int netfd, const char *name,
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
	e = lw_snap_iface_get(s, name, (int)v);
	if (e)
		e = lw_snap_eth_prepare(s, e, &eth);
	if (!e)
		goto out;
	sfd = openat(dfd, "statistics", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd >= 0) {
		for (i = 0; i < LW_NIC_NCTR; i++)
			if (lw_read_u64_at(sfd, lw_nic_ctr_names[i], &v))
				lw_snap_store(s, e->slot[i], v, stored);
		close(sfd);
	}
	if (eth)
		lw_snap_eth_read(s, e, stored);
	if (*stored != before)
		e->last_seq = s->seq + 1;
out:
	close(dfd);
}

void lw_snap_read_ifaces(struct lw_snapshots *s, unsigned int *stored)
{
	char path[LW_PATH_LEN];
	struct dirent *de;
	DIR *d;

	if (!lw_snap_path(s, path, "/sys/class/net"))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strlen(de->d_name) >= LW_IFNAME_LEN)
			continue;
		lw_read_iface(s, dirfd(d), de->d_name, stored);
	}
	closedir(d);
}
