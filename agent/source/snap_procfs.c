// SPDX-License-Identifier: GPL-2.0
/*
 * What a snapshot reads from /proc and sysfs (snapshots.h): the online
 * CPUs, softnet_stat, schedstat, the runnable tasks, steal time and CPU
 * pressure, each from a file kept open (snap_file.c); and the parsers of
 * those files. The interfaces are in snap_iface.c.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source/snap_internal.h"

/* CPUs assumed when ROOT has neither a "possible" nor an "online" list. */
#define LW_SNAP_DEF_CPUS	64

static const char *lw_skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool lw_parse_cpulist(const char *s, void (*fn)(void *arg, uint32_t cpu),
		      void *arg)
{
	const char *p = lw_skip_space(s);
	uint64_t a, b, c;

	if (*p == '\n' || *p == '\0')
		return true;	/* no CPU at all: an empty list */
	for (;;) {
		if (!lw_snap_parse_dec(&p, &a))
			return false;
		b = a;
		if (*p == '-') {
			p++;
			if (!lw_snap_parse_dec(&p, &b) || b < a)
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
		    lw_snap_read_small_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0 ||
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
 * The numbers after a line's name, each after blanks, up to its end: at
 * most max into f, how many in *n. False on anything else, or too many.
 */
static bool lw_parse_fields(const char *p, uint64_t *f, unsigned int max,
			    unsigned int *n)
{
	*n = 0;
	while (*p == ' ' || *p == '\t') {
		p = lw_skip_space(p);
		if (*p == '\0' || *p == '\n')
			break;
		if (*n == max || !lw_snap_parse_dec(&p, &f[*n]))
			return false;
		(*n)++;
	}
	return lw_at_eol(p);
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
	if (!lw_snap_parse_dec(&p, &c) || c > UINT32_MAX)
		return false;
	if (!lw_parse_fields(p, f, LW_SCHEDSTAT_MAX_FIELDS, &n) || n < rd + 2)
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
	if (!all && (!lw_snap_parse_dec(&p, &c) || c > INT32_MAX))
		return false;
	if (!lw_parse_fields(p, f, LW_STAT_MAX_FIELDS, &n) ||
	    n <= LW_STAT_STEAL)
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

void lw_snap_files_init(struct lw_snapshots *s)
{
	lw_kf_init(&s->f_online, "/sys/devices/system/cpu/online");
	lw_kf_init(&s->f_softnet, "/proc/net/softnet_stat");
	lw_kf_init(&s->f_schedstat, "/proc/schedstat");
	lw_kf_init(&s->f_loadavg, "/proc/loadavg");
	lw_kf_init(&s->f_stat, "/proc/stat");
	lw_kf_init(&s->f_psi, "/proc/pressure/cpu");
}

void lw_snap_files_close(struct lw_snapshots *s)
{
	lw_kf_close(&s->f_online);
	lw_kf_close(&s->f_softnet);
	lw_kf_close(&s->f_schedstat);
	lw_kf_close(&s->f_loadavg);
	lw_kf_close(&s->f_stat);
	lw_kf_close(&s->f_psi);
}

static void lw_online_add(void *arg, uint32_t cpu)
{
	struct lw_snapshots *s = arg;

	if (s->nonline < LW_SNAP_MAX_CPUS)
		s->online[s->nonline++] = cpu;
}

void lw_snap_read_online(struct lw_snapshots *s, unsigned int *stored)
{
	char buf[4096];

	s->nonline = 0;
	if (lw_kf_small(s, &s->f_online, buf, sizeof(buf)) <= 0)
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

/* Where a file's lines go, and the row they are at. */
struct lw_lines {
	unsigned int *stored;
	unsigned int row;
	bool procs;		/* /proc/stat: procs_running wanted */
};

/*
 * Rows are for the online CPUs in order; the CPU column, when there is
 * one, says which. Without it, row i is the i-th online CPU, or CPU i
 * when the online list could not be read.
 */
static bool lw_softnet_line(struct lw_snapshots *s, char *line, void *arg)
{
	struct lw_lines *l = arg;
	uint64_t dropped, squeeze, cpu;
	int64_t col;

	if (lw_at_eol(line))
		return true;
	if (lw_parse_softnet(line, &dropped, &squeeze, &col)) {
		if (col >= 0)
			cpu = (uint64_t)col;
		else if (!s->nonline)
			cpu = l->row;
		else if (l->row < s->nonline)
			cpu = s->online[l->row];
		else
			cpu = UINT32_MAX;
		lw_store_cpu(s, cpu, LW_CPU_DROPPED, dropped, l->stored);
		lw_store_cpu(s, cpu, LW_CPU_SQUEEZE, squeeze, l->stored);
	}
	l->row++;
	return true;
}

void lw_snap_read_softnet(struct lw_snapshots *s, unsigned int *stored)
{
	struct lw_lines l = { .stored = stored };

	lw_kf_lines(s, &s->f_softnet, lw_softnet_line, &l);
}

static bool lw_schedstat_line(struct lw_snapshots *s, char *line, void *arg)
{
	struct lw_lines *l = arg;
	uint64_t run_delay, pcount, v;
	const char *p;
	uint32_t cpu;

	if (!strncmp(line, "version ", 8)) {
		p = line + 8;
		if (lw_snap_parse_dec(&p, &v) && v <= UINT32_MAX)
			s->schedstat_version = (unsigned int)v;
		/* stop at a layout this does not know */
		return s->schedstat_version >= 14;
	}
	/* timestamp, domainN, or bad lines are passed over */
	if (lw_parse_schedstat_cpu(line, s->schedstat_version, &cpu,
				   &run_delay, &pcount)) {
		lw_store_cpu(s, cpu, LW_CPU_RUN_DELAY, run_delay, l->stored);
		lw_store_cpu(s, cpu, LW_CPU_PCOUNT, pcount, l->stored);
	}
	return true;
}

void lw_snap_read_schedstat(struct lw_snapshots *s, unsigned int *stored)
{
	struct lw_lines l = { .stored = stored };

	s->schedstat_version = 0;
	lw_kf_lines(s, &s->f_schedstat, lw_schedstat_line, &l);
}

/*
 * The runnable tasks: nr_running(), which /proc/loadavg ("0.52 0.58 0.59
 * 2/469 12345") shows as its 4th field before the '/', like procs_running
 * in /proc/stat. Only the "cpu" lines at the start of /proc/stat are read
 * otherwise (see lw_snap_read_stat()), so it is the fallback.
 */
bool lw_snap_read_loadavg(struct lw_snapshots *s, unsigned int *stored)
{
	char buf[256];
	const char *p = buf;
	uint64_t v;
	unsigned int i;

	if (lw_kf_small(s, &s->f_loadavg, buf, sizeof(buf)) <= 0)
		return false;
	for (i = 0; i < 3; i++) {
		p = lw_skip_space(p);
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	p = lw_skip_space(p);
	if (!lw_snap_parse_dec(&p, &v) || *p != '/')
		return false;
	lw_snap_store(s, LW_GLOB_PROCS_RUNNING, v, stored);
	return true;
}

/* A "cpu" line of /proc/stat: the steal time of a CPU, or of all. */
static void lw_stat_steal(struct lw_snapshots *s, const char *line,
			  unsigned int *stored)
{
	uint64_t ticks, ns;
	int64_t cpu;

	if (!s->user_hz || !lw_parse_stat_cpu(line, &cpu, &ticks) ||
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
static bool lw_stat_line(struct lw_snapshots *s, char *line, void *arg)
{
	struct lw_lines *l = arg;
	const char *p;
	uint64_t v;

	if (!strncmp(line, "cpu", 3)) {
		lw_stat_steal(s, line, l->stored);
		return true;
	}
	if (!l->procs)
		return false;
	if (strncmp(line, "procs_running ", 14))
		return true;
	p = line + 14;
	if (lw_snap_parse_dec(&p, &v) && lw_at_eol(p))
		lw_snap_store(s, LW_GLOB_PROCS_RUNNING, v, l->stored);
	return false;
}

void lw_snap_read_stat(struct lw_snapshots *s, unsigned int *stored,
		       bool procs)
{
	struct lw_lines l = { .stored = stored, .procs = procs };

	if (!s->user_hz && !procs)
		return;
	lw_kf_lines(s, &s->f_stat, lw_stat_line, &l);
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" (us). */
void lw_snap_read_psi(struct lw_snapshots *s, unsigned int *stored)
{
	char buf[512];
	const char *p;
	uint64_t v;

	if (lw_kf_small(s, &s->f_psi, buf, sizeof(buf)) <= 0 ||
	    strncmp(buf, "some ", 5))
		return;
	p = strstr(buf, " total=");
	if (!p || (strchr(buf, '\n') && p > strchr(buf, '\n')))
		return;
	p += 7;
	if (lw_snap_parse_dec(&p, &v) && lw_at_eol(p))
		lw_snap_store(s, LW_GLOB_PSI_SOME, v, stored);
}
