// SPDX-License-Identifier: GPL-2.0
/*
 * Paced loopback load: one UDP socket bound to 127.0.0.1 sends 64-byte
 * datagrams to itself, receiving each one before sending the next, at
 * RATE datagrams per second (0: as fast as it can) for SECONDS seconds.
 * Every datagram is one NET_RX softirq run on the sending CPU.
 *
 * Usage: udprate RATE SECONDS
 * Prints: udprate ops=N elapsed_ns=T rate=X.X
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 64

static void die(const char *what)
{
	fprintf(stderr, "udprate: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long number(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "udprate: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned long long rate, secs, t0, t, end, ops = 0;
	char buf[PAYLOAD] = { 0 };
	socklen_t alen = sizeof(a);
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: udprate RATE SECONDS\n");
		return 2;
	}
	rate = number(argv[1], "rate");
	secs = number(argv[2], "seconds");
	if (secs == 0 || secs > 3600) {
		fprintf(stderr, "udprate: SECONDS must be 1..3600\n");
		return 2;
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		die("getsockname");

	t0 = now_ns();
	end = t0 + secs * 1000000000ULL;
	for (t = t0; t < end; t = now_ns()) {
		if (rate && ops >= rate * (t - t0) / 1000000000ULL) {
			struct timespec nap = { 0, 200000 };

			nanosleep(&nap, NULL);
			continue;
		}
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&a,
			   sizeof(a)) != (ssize_t)sizeof(buf))
			die("sendto");
		if (recv(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			die("recv");
		ops++;
	}
	t = now_ns() - t0;
	printf("udprate ops=%llu elapsed_ns=%llu rate=%.1f\n", ops, t,
	       ops * 1e9 / t);
	return 0;
}
