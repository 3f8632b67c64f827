// SPDX-License-Identifier: GPL-2.0
/*
 * Creates N threads that sleep in pause() (state S) until the process is
 * killed: a host with many threads for the hung-task scan to walk.
 *
 * Usage: threads N
 * Prints "threads created=N" once all exist (or "threads created=M
 * error=..." if creation stopped early), then sleeps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STACK	(64 * 1024)

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	unsigned long n, i;
	char *end;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: threads N\n");
		return 2;
	}
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (errno || end == argv[1] || *end) {
		fprintf(stderr, "threads: bad count '%s'\n", argv[1]);
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK);
	for (i = 0; i < n; i++) {
		pthread_t t;

		err = pthread_create(&t, &attr, sleeper, NULL);
		if (err) {
			printf("threads created=%lu error=%s\n", i, strerror(err));
			fflush(stdout);
			break;
		}
	}
	if (i == n) {
		printf("threads created=%lu\n", n);
		fflush(stdout);
	}
	for (;;)
		pause();
}
