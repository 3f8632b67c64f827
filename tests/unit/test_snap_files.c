// SPDX-License-Identifier: GPL-2.0
/*
 * The files of the snapshots: kept open and read again, opened again
 * when an interface is another one, closed when it goes, within a limit;
 * and files longer than the read buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>

#include "testutil.h"
#include "fixtures/snapshots/tree.h"
#include "fixtures/snapshots/sample.h"
#include "source/snapshots.h"

static bool cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

static bool closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static struct lw_iface *live(struct lw_snapshots *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nifaces; i++)
		if (s->ifaces[i].live && !strcmp(s->ifaces[i].name, name))
			return &s->ifaces[i];
	return NULL;
}

/* The files read at every sample stay open, and close with the interface. */
static void test_kept_files(void **state)
{
	const struct lw_kfile *kf[] = {
		NULL, NULL, NULL, NULL, NULL, NULL,
	};
	int fds[LW_NIC_NCTR + 7], n = 0;
	struct lw_snapshots s;
	struct lw_iface *e;
	struct tree t;
	unsigned int i;

	(void)state;
	base_tree(&t);
	tree_put(&t, "proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\n");
	tree_iface(&t, "veth0", 10, 1, 0, 0, 0, 0);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	kf[0] = &s.f_online;
	kf[1] = &s.f_softnet;
	kf[2] = &s.f_schedstat;
	kf[3] = &s.f_loadavg;
	kf[4] = &s.f_stat;
	kf[5] = &s.f_psi;
	for (i = 0; i < 6; i++) {
		assert_true(cloexec(kf[i]->fd));
		fds[n++] = kf[i]->fd;
	}
	assert_int_equal(s.kept, 3 * LW_NIC_NCTR);
	e = live(&s, "eth0");
	assert_non_null(e);
	assert_true(e->kept);
	for (i = 0; i < LW_NIC_NCTR; i++) {
		assert_true(cloexec(e->fd[i]));
		fds[n++] = e->fd[i];
	}
	/* the same file written again: read again, from the same open file */
	tree_iface(&t, "eth0", 2, 42, 6, 7, 8, 9);
	take(&s, 2);
	assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 42);
	assert_int_equal(e->fd[0], fds[6]);

	/* gone from the listing: its files are closed at once */
	e = live(&s, "veth0");
	assert_non_null(e);
	fds[n] = e->fd[0];
	tree_iface_rm(&t, "veth0");
	take(&s, 3);
	assert_true(closed(fds[n]));
	assert_null(live(&s, "veth0"));
	assert_int_equal(s.kept, 2 * LW_NIC_NCTR);

	/* and all of them with the snapshots */
	lw_snapshots_free(&s);
	for (i = 0; i < (unsigned int)n; i++)
		assert_true(closed(fds[i]));
	tree_free(&t);
}

/* Beyond the limit of open files, an interface's are opened each time. */
static void test_kept_budget(void **state)
{
	struct lw_snapshots s;
	struct lw_iface *lo, *eth0, *kept;
	struct tree t;
	uint64_t n;

	(void)state;
	base_tree(&t);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	s.kept_max = LW_NIC_NCTR + 2;	/* one interface's */
	take(&s, 1);
	lo = live(&s, "lo");
	eth0 = live(&s, "eth0");
	assert_non_null(lo);
	assert_non_null(eth0);
	assert_true(lo->kept != eth0->kept);
	assert_int_equal(s.kept, LW_NIC_NCTR);
	assert_true(s.kept_said);
	for (n = 2; n < 5; n++) {
		tree_iface(&t, "lo", 1, n, 0, 0, 0, 0);
		tree_iface(&t, "eth0", 2, 10 * n, 6, 7, 8, 9);
		take(&s, n);
		assert_int_equal(get_if(&s, 0, "lo", "rx_dropped"), n);
		assert_int_equal(get_if(&s, 0, "eth0", "rx_dropped"), 10 * n);
		assert_int_equal(get_if(&s, 0, "eth0", "tx_dropped"), 9);
	}
	/* the one kept goes: the other may keep its files now */
	kept = lo->kept ? lo : eth0;
	tree_iface_rm(&t, kept->name);
	take(&s, 5);
	take(&s, 6);
	kept = live(&s, kept == lo ? "eth0" : "lo");
	assert_non_null(kept);
	assert_true(kept->kept);
	assert_int_equal(s.kept, LW_NIC_NCTR);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Names swapped: each name's counters are those of the one now named so. */
static void test_iface_renamed(void **state)
{
	char a[600], b[600], tmp[600];
	struct lw_snapshots s;
	struct tree t;

	(void)state;
	base_tree(&t);
	tree_iface(&t, "veth0", 10, 100, 0, 0, 0, 0);
	tree_iface(&t, "veth1", 11, 200, 0, 0, 0, 0);
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	snprintf(a, sizeof(a), "%s/sys/class/net/veth0", t.root);
	snprintf(b, sizeof(b), "%s/sys/class/net/veth1", t.root);
	snprintf(tmp, sizeof(tmp), "%s/sys/class/net/tmp", t.root);
	assert_int_equal(rename(a, tmp), 0);
	assert_int_equal(rename(b, a), 0);
	assert_int_equal(rename(tmp, b), 0);
	take(&s, 2);
	assert_int_equal(get_if(&s, 0, "veth0", "rx_dropped"), 200);
	assert_int_equal(get_if(&s, 0, "veth1", "rx_dropped"), 100);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Files longer than the read buffer, and a line longer than its bound. */
static void test_long_files(void **state)
{
	struct lw_snapshots s;
	struct tree t;
	size_t len = LW_SNAP_LINE_MAX + 4096, i;
	char *text, *p;
	FILE *f;
	char path[600];

	(void)state;
	base_tree(&t);
	tree_rm(&t, "proc/loadavg");
	text = malloc(len + 256);
	assert_non_null(text);
	/* an "intr" line of more than 1 MiB before procs_running */
	p = text + sprintf(text, "cpu  1 2 3 4 5 6 7 8 0 0\nintr 1");
	for (i = 0; i < len / 8; i++)
		p += sprintf(p, " 1234567");
	p += sprintf(p, "\nctxt 5\nprocs_running 17\n");
	snprintf(path, sizeof(path), "%s/proc/stat", t.root);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, (size_t)(p - text), f),
			 (size_t)(p - text));
	assert_int_equal(fclose(f), 0);
	free(text);
	/* schedstat: 60 KiB of domain lines between the cpu lines */
	{
		char row[512];
		unsigned int cpu, d;

		text = malloc(128 << 10);
		assert_non_null(text);
		strcpy(text, "version 15\ntimestamp 1\n");
		for (cpu = 0; cpu < NCPU; cpu++) {
			tree_sched_row(row, sizeof(row), cpu, 1000 + cpu, 7);
			strcat(text, row);
			for (d = 0; d < 80; d++)
				strcat(text, "domain1 PKG 0000000f 1 2 3 4 5 6 7 "
				       "8 9 10 11 12 13 14 15 16 17 18 19 20 "
				       "21 22 23 24 25 26 27 28 29 30 31 32 "
				       "33 34 35 36 37 38 39 40 41 42 43 44 "
				       "45 46 47 48 49 50 51 52 53 54 55 56\n");
		}
		assert_true(strlen(text) > 32 << 10);
		tree_put(&t, "proc/schedstat", "%s", text);
		free(text);
	}
	assert_int_equal(lw_snapshots_init(&s, t.root, 4), 0);
	take(&s, 1);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 17);
	assert_int_equal(get_cpu(&s, 0, 0, LW_CPU_RUN_DELAY), 1000);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_RUN_DELAY), 1003);
	assert_true(s.rbuf_cap <= LW_SNAP_LINE_MAX + 1);
	/* and again, from the same open files */
	take(&s, 2);
	assert_int_equal(get_glob(&s, 0, LW_GLOB_PROCS_RUNNING), 17);
	assert_int_equal(get_cpu(&s, 0, 3, LW_CPU_PCOUNT), 7);
	lw_snapshots_free(&s);
	tree_free(&t);
}

/* Snapshots grow wider as interfaces come, and keep what they held. */
static unsigned int open_fds(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Interfaces come and go by the dozen: each is found, nothing leaks. */
static void test_iface_churn(void **state)
{
	struct lw_snapshots s;
	unsigned int round, i, fds = open_fds();
	struct tree t;
	char name[16];

	(void)state;
	base_tree(&t);
	/* the table holds those of the two snapshots kept and the new ones */
	assert_int_equal(lw_snapshots_init(&s, t.root, 2), 0);
	for (round = 0; round < 6; round++) {
		for (i = 0; i < 70; i++) {
			snprintf(name, sizeof(name), "v%u_%u", round, i);
			tree_iface(&t, name, 1000 * (int)round + (int)i,
				   round * 1000 + i, 0, 0, 0, 0);
		}
		take(&s, round + 1);
		for (i = 0; i < 70; i++) {
			snprintf(name, sizeof(name), "v%u_%u", round, i);
			assert_int_equal(get_if(&s, 0, name, "rx_dropped"),
					 round * 1000 + i);
			tree_iface_rm(&t, name);
		}
		assert_int_equal(s.kept, 72 * LW_NIC_NCTR);
		assert_true(s.ifhash_used <= LW_SNAP_MAX_IFACES);
	}
	assert_int_equal(lw_snapshots_skipped(&s), 0);
	lw_snapshots_free(&s);
	assert_int_equal(open_fds(), fds);
	tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_files),
		cmocka_unit_test(test_kept_budget),
		cmocka_unit_test(test_iface_renamed),
		cmocka_unit_test(test_long_files),
		cmocka_unit_test(test_iface_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
