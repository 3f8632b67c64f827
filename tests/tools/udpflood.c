// SPDX-License-Identifier: GPL-2.0
/*
 * udpflood: send UDP datagrams over loopback at a steady rate and receive
 * them, for tests of packet drops.
 *
 *   udpflood [-c CPU] [-p PORT] [-r PPS] [-t MS] [-s BYTES]
 *
 * Sender and receiver (a child process) both run on CPU (default 0), so
 * with RPS on lo the packets are queued to another CPU's backlog. Sends
 * bursts every millisecond for PPS datagrams per second, for MS
 * milliseconds, then prints "udpflood: sent=N received=M" and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long opt_num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "udpflood: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("udpflood: sched_setaffinity");
		exit(1);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long cpu = 0, port = 9999, pps = 2000, ms = 1000, size = 64;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int rx, tx, c, rcvbuf = 4 << 20, pfd[2];
	unsigned long sent = 0, received = 0, burst, i;
	char buf[65536] = { 0 };
	uint64_t end, next;
	pid_t child;

	while ((c = getopt(argc, argv, "c:p:r:t:s:")) != -1) {
		switch (c) {
		case 'c': cpu = opt_num(optarg, "CPU"); break;
		case 'p': port = opt_num(optarg, "port"); break;
		case 'r': pps = opt_num(optarg, "rate"); break;
		case 't': ms = opt_num(optarg, "time"); break;
		case 's': size = opt_num(optarg, "size"); break;
		default:
			fprintf(stderr, "usage: udpflood [-c CPU] [-p PORT] [-r PPS] [-t MS] [-s BYTES]\n");
			return 2;
		}
	}
	if (optind < argc || !pps || port > 65535 || !size || size > 1400) {
		fprintf(stderr, "udpflood: bad arguments\n");
		return 2;
	}
	pin((int)cpu);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || tx < 0 || pipe(pfd)) {
		perror("udpflood: socket");
		return 1;
	}
	setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(rx, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("udpflood: bind");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("udpflood: fork");
		return 1;
	}
	if (!child) {
		struct timeval tv = { .tv_sec = 0, .tv_usec = 500000 };

		close(pfd[0]);
		setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* Until 0.5 s without a datagram after the sender is done. */
		while (recv(rx, buf, sizeof(buf), 0) >= 0)
			received++;
		if (write(pfd[1], &received, sizeof(received)) < 0)
			return 1;
		return 0;
	}
	close(pfd[1]);
	burst = pps / 1000 ? pps / 1000 : 1;
	next = now_ns();
	end = next + ms * 1000000ULL;
	while (now_ns() < end) {
		struct timespec ts;

		for (i = 0; i < burst; i++)
			if (sendto(tx, buf, size, 0, (struct sockaddr *)&sa,
				   sizeof(sa)) == (ssize_t)size)
				sent++;
		next += 1000000ULL * burst * 1000 / pps;
		ts.tv_sec = (time_t)(next / 1000000000ULL);
		ts.tv_nsec = (long)(next % 1000000000ULL);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	if (read(pfd[0], &received, sizeof(received)) != sizeof(received))
		received = 0;
	waitpid(child, NULL, 0);
	printf("udpflood: sent=%lu received=%lu\n", sent, received);
	return 0;
}
