/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_SIGNATURE_H
#define LATWATCH_SIGNATURE_H

#include <stddef.h>

#include "source/modevent.h"

/*
 * An event's signature: what makes two events "the same thing happening
 * again", whatever the CPU, the task or the moment. It is
 *
 *	TYPE[/WHAT][:F1,F2,F3]
 *
 * WHAT is the softirq vector, the timer callback, the irq handler's name
 * or, for a hung task, its comm; F1.. are the function names (no offsets,
 * no module) of the top LW_SIG_FRAMES frames, culprit first. E.g.
 * "timer/estimation_timer:estimation_timer,call_timer_fn,__run_timers",
 * "softirqoff:memcg_stat_show,seq_read_iter,vfs_read".
 */
#define LW_SIG_FRAMES	3
#define LW_SIG_LEN	256

/*
 * Write the signature into buf (always NUL-terminated, cut at len - 1).
 * what may be NULL; frames are "func+0x1a/0x40 [mod]" strings as the
 * module sends them. Returns the length it would have had uncut.
 */
size_t lw_signature(char *buf, size_t len, const char *type,
		    const char *what, const char *const *frames,
		    unsigned int nframes);

/* The same for an event as received. */
size_t lw_signature_event(char *buf, size_t len, const struct lw_event *ev);

/*
 * The function name in a frame: "memcg_stat_show+0x5e/0x1f0 [mod]" gives
 * "memcg_stat_show". Writes at most len - 1 bytes and a NUL.
 */
void lw_frame_func(char *buf, size_t len, const char *frame, size_t flen);

#endif
