// SPDX-License-Identifier: GPL-2.0
/*
 * Cursor files (cursor.c): lw_cursor_parse() of any bytes. A file it
 * accepts is exactly what lw_cursor_format() writes for that cursor, so
 * one a crash or a user mangled is never taken for a place in the events;
 * a refused one leaves the cursor as it was.
 */
#include "source/cursor.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lw_cursor c = { 7, 7 };
	char buf[LW_CURSOR_LEN + 1];

	if (lw_cursor_parse((const char *)data, size, &c)) {
		FUZZ_ASSERT(c.instance == 7 && c.seq == 7);
		return 0;
	}
	FUZZ_ASSERT(c.instance != 0);
	lw_cursor_format(buf, &c);
	FUZZ_ASSERT(size == LW_CURSOR_LEN);
	FUZZ_ASSERT(!memcmp(buf, data, size));
	return 0;
}
