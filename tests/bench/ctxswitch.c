// SPDX-License-Identifier: GPL-2.0
/*
 * Context-switch benchmark: two processes pass one byte back and forth over
 * two pipes N times (like `perf bench sched pipe`). On one CPU every round
 * trip is two context switches.
 *
 * Usage: ctxswitch N
 * Prints: ctxswitch ops=N elapsed_ns=T ns_per_op=X.XXX
 */
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_NAME "ctxswitch"
#include "bench.h"

static void xread(int fd, char *c)
{
	ssize_t n;

	do {
		n = read(fd, c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		if (n == 0)
			errno = EPIPE;
		die("read");
	}
}

static void xwrite(int fd, const char *c)
{
	ssize_t n;

	do {
		n = write(fd, c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		die("write");
}

int main(int argc, char **argv)
{
	int to_child[2], to_parent[2], status;
	unsigned long long n, i, t0, t1;
	char c = 'x';
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: ctxswitch ROUND_TRIPS\n");
		return 2;
	}
	n = number(argv[1], "round-trip count", 1);
	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		die("pipe");

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		for (i = 0; i < n; i++) {
			xread(to_child[0], &c);
			xwrite(to_parent[1], &c);
		}
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		xwrite(to_child[1], &c);
		xread(to_parent[0], &c);
	}
	t1 = now_ns();

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ctxswitch: child failed (status 0x%x)\n", status);
		return 1;
	}
	printf("ctxswitch ops=%llu elapsed_ns=%llu ns_per_op=%.3f\n",
	       n, t1 - t0, (double)(t1 - t0) / (double)n);
	return 0;
}
