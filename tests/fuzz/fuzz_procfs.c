// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers of the files the agent's snapshots read (snap_procfs.c):
 * any bytes, one line at a time, each line in a buffer of its own size so
 * that reading past it is caught. Every parser is given every line, as a
 * file of another kind may come where one is expected. Checks: a line
 * accepted as a CPU's says which CPU within bounds, and its steal time
 * converts exactly or not at all.
 *
 * And the reader that splits the files into lines (snap_file.c), from a
 * memfd holding the input and a buffer that starts tiny, so that lines
 * cross its reads and make it grow: it gives the input's lines, in
 * order, each up to its first NUL byte, and all of them.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <sys/mman.h>
#include <unistd.h>

#include "source/snap_internal.h"
#include "fuzz.h"

static uint64_t ncalls;

static void count_cpu(void *arg, uint32_t cpu)
{
	(void)arg;
	FUZZ_ASSERT(cpu < LW_SNAP_MAX_CPUS * 64ull);
	ncalls++;
}

static void check_stat(const char *line)
{
	uint64_t steal, ns;
	int64_t cpu;

	if (!lw_parse_stat_cpu(line, &cpu, &steal))
		return;
	FUZZ_ASSERT(!strncmp(line, "cpu", 3));
	FUZZ_ASSERT(cpu >= -1 && cpu <= INT32_MAX);
	if (lw_ticks_ns(steal, 100, &ns))
		FUZZ_ASSERT(ns / 10000000 == steal && ns % 10000000 == 0);
	else
		FUZZ_ASSERT(steal > UINT64_MAX / 10000000);
	if (lw_ticks_ns(steal, 1024, &ns))
		FUZZ_ASSERT(ns / 1000000000 == steal / 1024);
}

static void check_line(const char *line)
{
	static const unsigned int versions[] = { 0, 14, 15, 17 };
	uint64_t a, b;
	uint32_t cpu;
	int64_t col;
	size_t i;

	check_stat(line);
	if (lw_parse_softnet(line, &a, &b, &col))
		FUZZ_ASSERT(col >= -1 && col <= INT32_MAX);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (lw_parse_schedstat_cpu(line, versions[i], &cpu, &a, &b))
			FUZZ_ASSERT(!strncmp(line, "cpu", 3));
	ncalls = 0;
	if (!lw_parse_cpulist(line, count_cpu, NULL))
		return;
	/* a list is at most LW_SNAP_MAX_CPUS * 64 CPUs per range */
	FUZZ_ASSERT(ncalls <= (strlen(line) + 1) / 2 * LW_SNAP_MAX_CPUS * 64);
}

struct split {
	const uint8_t *data;
	size_t size, pos;
};

static bool check_split(struct lw_snapshots *s, char *line, void *arg)
{
	struct split *sp = arg;
	const uint8_t *ref = sp->data + sp->pos, *nl;
	size_t len = strlen(line), reflen;

	(void)s;
	FUZZ_ASSERT(sp->pos < sp->size);
	nl = memchr(ref, '\n', sp->size - sp->pos);
	reflen = nl ? (size_t)(nl - ref) : sp->size - sp->pos;
	FUZZ_ASSERT(len <= reflen && !memcmp(line, ref, len));
	FUZZ_ASSERT(len == reflen || !ref[len]);
	sp->pos += reflen + (nl != NULL);
	return true;
}

static void check_reader(const uint8_t *data, size_t size)
{
	struct split sp = { data, size, 0 };
	struct lw_snapshots s;
	int fd = memfd_create("procfs", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.rbuf_cap = 4;
	s.rbuf = malloc(s.rbuf_cap);
	FUZZ_ASSERT(s.rbuf);
	FUZZ_ASSERT(lw_snap_fd_lines(&s, fd, check_split, &sp) ==
		    (size ? 0 : -1));
	FUZZ_ASSERT(sp.pos == size);
	free(s.rbuf);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t len;
	char *line;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		line = fuzz_cstr((const uint8_t *)p, len);
		check_line(line);
		free(line);
		p += len;
	}
	check_reader(data, size);
	return 0;
}
