// SPDX-License-Identifier: GPL-2.0
/*
 * "latwatch report": a log of JSON lines, any bytes at all. The first
 * byte picks the mode (folded stacks or signatures) and the number of
 * worst windows; the rest is the log. It is read twice, whole with
 * lw_report_parse() and in small pieces with lw_report_feed(), which must
 * count the same. Checks: the JSON report is valid, and each folded line
 * is "STACK COUNT" without control characters.
 */
#include <inttypes.h>

#include "report/report.h"
#include "fuzz.h"

static FILE *devnull;

static void check_folded(const char *s, size_t len)
{
	const char *end = s + len, *nl, *sp, *p;

	FUZZ_ASSERT(!len || s[len - 1] == '\n');
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		for (p = s; p < nl; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				fuzz_fail("control character in folded line: %.*s",
					  (int)(nl - s), s);
		sp = NULL;
		for (p = s; p < nl; p++)
			if (*p == ' ')
				sp = p;
		if (!sp || sp == s || sp + 1 == nl)
			fuzz_fail("folded line is not 'STACK COUNT': %.*s",
				  (int)(nl - s), s);
		for (p = sp + 1; p < nl; p++)
			FUZZ_ASSERT(*p >= '0' && *p <= '9');
	}
}

static void check_same(const struct lw_report *a, const struct lw_report *b)
{
	unsigned int i;

	FUZZ_ASSERT(a->lines == b->lines);
	FUZZ_ASSERT(a->events == b->events);
	FUZZ_ASSERT(a->lost_events == b->lost_events);
	FUZZ_ASSERT(a->lost_records == b->lost_records);
	FUZZ_ASSERT(a->alert_lines == b->alert_lines);
	FUZZ_ASSERT(a->nsigs == b->nsigs);
	FUZZ_ASSERT(a->nfolded == b->nfolded);
	FUZZ_ASSERT(a->nworst == b->nworst);
	for (i = 0; i < LW_SKIP_N; i++) {
		FUZZ_ASSERT(a->skipped[i].count == b->skipped[i].count);
		FUZZ_ASSERT(a->skipped[i].first_line == b->skipped[i].first_line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lw_report *whole, *pieces;
	unsigned int top;
	struct fuzz_out o;
	bool folded;
	size_t off, n, step = 0;

	if (!size)
		return 0;
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		FUZZ_ASSERT(devnull);
	}
	folded = data[0] & 0x80;
	top = (data[0] & 0x7f) % 12 + 1;
	data++;
	size--;

	whole = lw_report_new(top, folded);
	pieces = lw_report_new(top, folded);
	FUZZ_ASSERT(whole && pieces);
	lw_report_parse(whole, (const char *)data, size);
	for (off = 0; off < size; off += n) {
		n = step++ % 13 + 1;
		if (n > size - off)
			n = size - off;
		lw_report_feed(pieces, (const char *)data + off, n);
	}
	lw_report_finish(pieces);
	check_same(whole, pieces);
	FUZZ_ASSERT(whole->nworst <= top);

	lw_report_print_text(whole, devnull);
	lw_report_print_skipped(whole, devnull, "report: ");
	lw_report_print_json(whole, fuzz_out_open(&o));
	fuzz_out_close(&o);
	fuzz_json_lines(o.buf, o.len);
	FUZZ_ASSERT(memchr(o.buf, '\n', o.len) == o.buf + o.len - 1);
	fuzz_out_free(&o);
	if (folded) {
		lw_report_print_folded(whole, fuzz_out_open(&o));
		fuzz_out_close(&o);
		check_folded(o.buf, o.len);
		fuzz_out_free(&o);
	}

	lw_report_free(whole);
	lw_report_free(pieces);
	return 0;
}
