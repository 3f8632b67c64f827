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
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define BENCH_NAME "udprate"
#include "bench.h"

#define PAYLOAD 64

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
	rate = number(argv[1], "rate", 0);
	secs = number(argv[2], "seconds", 0);
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
