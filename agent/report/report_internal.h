/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_REPORT_INTERNAL_H
#define LATWATCH_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/*
 * Between the files of "latwatch report", not for its users: report.c
 * (reading and adding up), report_order.c (what the outputs share),
 * report_text.c, report_json.c and report_folded.c (the outputs).
 */

/* The rows that take what the tables have no room for. */
#define LW_OTHER_TYPE	(LW_REPORT_MAX_TYPES - 1)
#define LW_OTHER_CPU	LW_REPORT_MAX_CPUS
#define LW_OTHER_RULE	LW_REPORT_MAX_RULES

/* report.c */

/* A copy of s cut to at most max bytes (not inside a UTF-8 sequence). */
char *lw_rep_dup_cut(const char *s, size_t max);
/*
 * Append a frame of a folded stack to buf[pos] (len bytes in all): ';',
 * blanks and control characters as '_', "[unknown]" for an empty one.
 * Returns the new end.
 */
size_t lw_rep_fold_put(char *buf, size_t pos, size_t len, const char *s);

/* report_order.c */

/* Why lines were skipped, by enum lw_report_skip. */
extern const char *const lw_rep_skip_why[LW_SKIP_N];
/* v / d rounded to the nearest, without overflow. */
uint64_t lw_rep_div_round(uint64_t v, uint64_t d);
/*
 * The types in a stable order into idx: the known ones, then by name,
 * "(other)"; returns how many.
 */
unsigned int lw_rep_type_order(const struct lw_report *r, unsigned int *idx);
/*
 * The signatures in order: by total duration (all of them), or the
 * periodic ones by key. NULL if there is no memory; *n says how many.
 */
const struct lw_report_sig **lw_rep_sigs_sorted(const struct lw_report *r,
						bool periodic, unsigned int *n);
/* The events of CPU row c. */
uint64_t lw_rep_cpu_total(const struct lw_report *r, unsigned int c);

#endif
