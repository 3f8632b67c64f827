// SPDX-License-Identifier: GPL-2.0
/* "latwatch stats": the module's per-CPU counters as a table or JSON. */
#include <inttypes.h>
#include <string.h>

#include "lib/jsonw.h"
#include "sink/stats_print.h"

/* The sums; has: the counters some CPU reported. */
static void lw_stats_total(const struct lw_stats *s, struct lw_stat *t,
			   unsigned int *online)
{
	size_t c;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	*online = 0;
	for (c = 0; c < s->n; c++) {
		const struct lw_stat *st = &s->cpu[c];

		for (i = 0; i < LW_STAT_NCOUNTERS; i++)
			t->ctr[i] += st->ctr[i];
		t->has |= st->has;
		*online += (st->has & LW_STAT_ONLINE) && st->online;
	}
}

/* --- Text --- */

#define LW_COLS		(LW_STAT_NCOUNTERS + 2)

#define LW_CELL_LEN	24

/* The cells of one table row: CPU, ONLINE, then the counters. */
static void lw_stat_cells(const struct lw_stat *st, char cell[LW_COLS][LW_CELL_LEN])
{
	unsigned int i;

	if (st->has & LW_STAT_CPU)
		snprintf(cell[0], LW_CELL_LEN, "%" PRIu32, st->cpu);
	else
		strcpy(cell[0], "-");
	if (st->has & LW_STAT_ONLINE)
		strcpy(cell[1], st->online ? "yes" : "no");
	else
		strcpy(cell[1], "-");
	for (i = 0; i < LW_STAT_NCOUNTERS; i++) {
		if (st->has & (1u << i))
			snprintf(cell[i + 2], LW_CELL_LEN, "%" PRIu64, st->ctr[i]);
		else
			strcpy(cell[i + 2], "-");
	}
}

static void lw_total_cells(const struct lw_stats *s, char cell[LW_COLS][LW_CELL_LEN])
{
	unsigned int online;
	struct lw_stat t;

	lw_stats_total(s, &t, &online);
	lw_stat_cells(&t, cell);
	strcpy(cell[0], "total");
	if (t.has & LW_STAT_ONLINE)
		snprintf(cell[1], LW_CELL_LEN, "%u/%zu", online, s->n);
}

static void lw_widen(size_t width[LW_COLS], char cell[LW_COLS][LW_CELL_LEN])
{
	unsigned int i;

	for (i = 0; i < LW_COLS; i++)
		if (strlen(cell[i]) > width[i])
			width[i] = strlen(cell[i]);
}

static void lw_print_row(FILE *f, const size_t width[LW_COLS],
			 char cell[LW_COLS][LW_CELL_LEN])
{
	unsigned int i;

	for (i = 0; i < LW_COLS; i++)
		fprintf(f, "%s%*s", i ? "  " : "", (int)width[i], cell[i]);
	fputc('\n', f);
}

static void lw_header_cells(char cell[LW_COLS][LW_CELL_LEN])
{
	unsigned int i;

	strcpy(cell[0], "CPU");
	strcpy(cell[1], "ONLINE");
	for (i = 0; i < LW_STAT_NCOUNTERS; i++)
		snprintf(cell[i + 2], LW_CELL_LEN, "%s", lw_stat_counters[i].header);
}

/* Right-aligned columns, one row per CPU, then the total row. */
void lw_stats_print_text(FILE *f, const struct lw_stats *s)
{
	char cell[LW_COLS][LW_CELL_LEN];
	size_t width[LW_COLS] = { 0 };
	size_t c;

	lw_header_cells(cell);
	lw_widen(width, cell);
	for (c = 0; c < s->n; c++) {
		lw_stat_cells(&s->cpu[c], cell);
		lw_widen(width, cell);
	}
	lw_total_cells(s, cell);
	lw_widen(width, cell);

	lw_header_cells(cell);
	lw_print_row(f, width, cell);
	for (c = 0; c < s->n; c++) {
		lw_stat_cells(&s->cpu[c], cell);
		lw_print_row(f, width, cell);
	}
	lw_total_cells(s, cell);
	lw_print_row(f, width, cell);
}

/* --- JSON --- */

static void lw_stat_json_counters(struct jw *j, const struct lw_stat *st)
{
	unsigned int i;

	for (i = 0; i < LW_STAT_NCOUNTERS; i++)
		if (st->has & (1u << i))
			jw_kv_u64(j, lw_stat_counters[i].name, st->ctr[i]);
}

static void lw_stat_json(struct jw *j, const struct lw_stat *st)
{
	jw_obj_open(j);
	if (st->has & LW_STAT_CPU)
		jw_kv_u64(j, "cpu", st->cpu);
	if (st->has & LW_STAT_ONLINE) {
		jw_key(j, "online");
		jw_bool(j, st->online);
	}
	lw_stat_json_counters(j, st);
	jw_obj_close(j);
}

/* total: "cpus" and "online" count CPUs; the counters are sums. */
void lw_stats_print_json(FILE *f, const struct lw_stats *s)
{
	unsigned int online;
	struct lw_stat t;
	struct jw j;
	size_t c;

	jw_init(&j, f);
	jw_obj_open(&j);
	jw_key(&j, "cpus");
	jw_arr_open(&j);
	for (c = 0; c < s->n; c++)
		lw_stat_json(&j, &s->cpu[c]);
	jw_arr_close(&j);
	lw_stats_total(s, &t, &online);
	jw_key(&j, "total");
	jw_obj_open(&j);
	jw_kv_u64(&j, "cpus", s->n);
	if (t.has & LW_STAT_ONLINE)
		jw_kv_u64(&j, "online", online);
	lw_stat_json_counters(&j, &t);
	jw_obj_close(&j);
	jw_obj_close(&j);
	fputc('\n', f);
}
