/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_STATS_PRINT_H
#define LATWATCH_STATS_PRINT_H

#include <stdio.h>

#include "source/stats_dump.h"

void lw_stats_print_text(FILE *f, const struct lw_stats *s);
void lw_stats_print_json(FILE *f, const struct lw_stats *s);

#endif
