// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback network benchmark: one UDP socket bound to 127.0.0.1 sends N
 * datagrams of 64 bytes to itself and receives each one before sending the
 * next. Every operation goes through the IP stack, the loopback device and
 * the NET_RX softirq.
 *
 * Usage: udploop N
 * Prints: udploop ops=N elapsed_ns=T ns_per_op=X.XXX
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define BENCH_NAME "udploop"
#include "bench.h"

#define PAYLOAD 64

int main(int argc, char **argv)
{
	unsigned long long n, i, t0, t1;
	char buf[PAYLOAD], rbuf[PAYLOAD + 1];
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	struct timeval tv = { .tv_sec = 5 };
	ssize_t got;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: udploop DATAGRAMS\n");
		return 2;
	}
	n = number(argv[1], "datagram count", 1);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		die("bind 127.0.0.1");
	if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
		die("getsockname");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		die("connect");
	/* a lost datagram must end the run, not hang it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		die("setsockopt SO_RCVTIMEO");
	memset(buf, 'u', sizeof(buf));

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (send(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			die("send");
		do {
			got = recv(fd, rbuf, sizeof(rbuf), 0);
		} while (got < 0 && errno == EINTR);
		if (got < 0)
			die("recv");
		if (got != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "udploop: received %zd bytes, expected %d\n",
				got, PAYLOAD);
			return 1;
		}
	}
	t1 = now_ns();

	close(fd);
	printf("udploop ops=%llu elapsed_ns=%llu ns_per_op=%.3f\n",
	       n, t1 - t0, (double)(t1 - t0) / (double)n);
	return 0;
}
