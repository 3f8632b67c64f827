// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "analysis/signature.h"

void lw_frame_func(char *buf, size_t len, const char *frame, size_t flen)
{
	size_t n = 0;

	if (!len)
		return;
	while (n < flen && frame[n] && frame[n] != '+' && frame[n] != ' ' &&
	       n + 1 < len) {
		buf[n] = frame[n];
		n++;
	}
	buf[n] = '\0';
}

struct lw_sigbuf {
	char *buf;
	size_t len;
	size_t pos;	/* the length so far, uncut */
};

static void lw_sig_putn(struct lw_sigbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, b->pos++)
		if (b->pos + 1 < b->len)
			b->buf[b->pos] = s[i];
}

static void lw_sig_puts(struct lw_sigbuf *b, const char *s)
{
	lw_sig_putn(b, s, strlen(s));
}

size_t lw_signature(char *buf, size_t len, const char *type,
		    const char *what, const char *const *frames,
		    unsigned int nframes)
{
	struct lw_sigbuf b = { buf, len, 0 };
	char func[LW_SIG_LEN];
	unsigned int i;

	lw_sig_puts(&b, type ? type : "unknown");
	if (what && *what) {
		lw_sig_puts(&b, "/");
		lw_sig_puts(&b, what);
	}
	for (i = 0; i < nframes && i < LW_SIG_FRAMES; i++) {
		lw_frame_func(func, sizeof(func), frames[i], strlen(frames[i]));
		lw_sig_puts(&b, i ? "," : ":");
		lw_sig_puts(&b, func);
	}
	if (len)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return b.pos;
}

/* A copy of s, NUL-terminated, cut to fit. */
static const char *lw_sig_str(char *buf, size_t len, const struct lw_str *s)
{
	size_t n = s->len < len - 1 ? s->len : len - 1;

	memcpy(buf, s->p, n);
	buf[n] = '\0';
	return buf;
}

size_t lw_signature_event(char *buf, size_t len, const struct lw_event *ev)
{
	char what[LW_SIG_LEN];
	char frames[LW_SIG_FRAMES][LW_SIG_LEN];
	const char *fp[LW_SIG_FRAMES];
	const char *w = NULL;
	unsigned int i, n = 0;

	if (ev->has & LW_EV_FUNCTION)
		w = lw_sig_str(what, sizeof(what), &ev->function);
	else if (ev->has & LW_EV_NAME)
		w = lw_sig_str(what, sizeof(what), &ev->name);
	else if ((ev->has & LW_EV_COMM) &&
		 (ev->type == LATWATCH_EV_HUNG ||
		  ev->type == LATWATCH_EV_HUNG_END))
		w = lw_sig_str(what, sizeof(what), &ev->comm);
	if (ev->has & LW_EV_STACK)
		for (i = 0; i < ev->nframes && n < LW_SIG_FRAMES; i++, n++)
			fp[n] = lw_sig_str(frames[n], sizeof(frames[n]),
					   &ev->frames[i]);
	return lw_signature(buf, len, lw_event_type_name(ev->type), w, fp, n);
}
