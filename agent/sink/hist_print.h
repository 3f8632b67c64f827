/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_HIST_PRINT_H
#define LATWATCH_HIST_PRINT_H

#include <stdio.h>

#include "source/hist_dump.h"

void lw_hists_print_text(FILE *f, const struct lw_hists *s);
void lw_hists_print_json(FILE *f, const struct lw_hists *s);

#endif
