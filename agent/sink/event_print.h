/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_EVENT_PRINT_H
#define LATWATCH_EVENT_PRINT_H

#include <stdio.h>

#include "source/modevent.h"

/*
 * Events and lost records as "latwatch watch" and "latwatch agent" print
 * them: a few lines of text, or one JSON object a line. Strings from the
 * kernel may hold any byte: the text escapes what is not printable UTF-8,
 * the JSON is always valid.
 */

struct jw;

void lw_event_print_text(FILE *f, const struct lw_event *ev);
/* The event's members, for an object the caller opened and will close. */
void lw_event_json_members(struct jw *j, const struct lw_event *ev);
void lw_event_print_json(FILE *f, const struct lw_event *ev);
void lw_lost_print_text(FILE *f, const struct lw_lost *lost);
void lw_lost_print_json(FILE *f, const struct lw_lost *lost);

/* Escape s for human output: bytes that are not printable UTF-8 as \xNN. */
void lw_text_escape(FILE *f, const struct lw_str *s);

#endif
