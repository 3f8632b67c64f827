// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch: the replay ring.
 *
 * The flush work numbers every event it takes from the per-CPU rings and
 * keeps its netlink attributes here, whether or not anybody listens, so a
 * listener that starts late (an agent restarted after a crash) can fetch
 * what it missed with LATWATCH_CMD_REPLAY_GET. Only the latest
 * replay_events are kept; each takes what its message takes, so the
 * memory is bounded by the setting.
 *
 * Process context only: the flush work adds, a dump reads, a CONFIG_SET
 * resizes, all under lw_replay_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

struct lw_replay_rec {
	u64 seq;
	u32 len;
	u8 data[];	/* the message's attributes, after the genl header */
};

static DEFINE_MUTEX(lw_replay_mutex);
/* A ring of @cap slots; @count records end just before slot @next. */
static struct lw_replay_rec **lw_replay;
static unsigned int lw_replay_cap;
static unsigned int lw_replay_next;
static unsigned int lw_replay_count;

u64 lw_instance __read_mostly;

static struct lw_replay_rec *lw_replay_at(unsigned int i)
{
	unsigned int first = lw_replay_next + lw_replay_cap - lw_replay_count;

	return lw_replay[(first + i) % lw_replay_cap];
}

static int lw_replay_alloc(unsigned int cap, struct lw_replay_rec ***ring)
{
	*ring = NULL;
	if (!cap)
		return 0;
	*ring = kvcalloc(cap, sizeof(**ring), GFP_KERNEL);
	return *ring ? 0 : -ENOMEM;
}

int lw_replay_init(void)
{
	lw_instance = get_random_u64() ?: 1;
	lw_replay_cap = lw_cfg(LW_REPLAY_EVENTS);
	return lw_replay_alloc(lw_replay_cap, &lw_replay);
}

static void lw_replay_free(void)
{
	unsigned int i;

	for (i = 0; i < lw_replay_count; i++)
		kfree(lw_replay_at(i));
	kvfree(lw_replay);
	lw_replay = NULL;
	lw_replay_count = 0;
	lw_replay_next = 0;
}

void lw_replay_exit(void)
{
	mutex_lock(&lw_replay_mutex);
	lw_replay_free();
	WRITE_ONCE(lw_replay_cap, 0);
	mutex_unlock(&lw_replay_mutex);
}

bool lw_replay_enabled(void)
{
	return READ_ONCE(lw_replay_cap);
}

/* Keep the latest @cap records. Nothing changes if it fails. */
int lw_replay_resize(unsigned int cap)
{
	struct lw_replay_rec **ring;
	unsigned int keep, drop, i;
	int ret;

	mutex_lock(&lw_replay_mutex);
	if (cap == lw_replay_cap) {
		mutex_unlock(&lw_replay_mutex);
		return 0;
	}
	ret = lw_replay_alloc(cap, &ring);
	if (ret) {
		mutex_unlock(&lw_replay_mutex);
		return ret;
	}
	keep = min(cap, lw_replay_count);
	drop = lw_replay_count - keep;
	for (i = 0; i < drop; i++)
		kfree(lw_replay_at(i));
	for (i = 0; i < keep; i++)
		ring[i] = lw_replay_at(drop + i);
	kvfree(lw_replay);
	lw_replay = ring;
	WRITE_ONCE(lw_replay_cap, cap);
	lw_replay_count = keep;
	lw_replay_next = cap ? keep % cap : 0;
	mutex_unlock(&lw_replay_mutex);
	return 0;
}

/*
 * Keep a copy of @len bytes of attributes of event @seq. Without memory
 * the event is not kept: replay is best effort, delivery is not.
 */
void lw_replay_add(u64 seq, const void *data, u32 len)
{
	struct lw_replay_rec *rec;

	mutex_lock(&lw_replay_mutex);
	if (!lw_replay_cap)
		goto out;
	rec = kmalloc(struct_size(rec, data, len), GFP_KERNEL);
	if (!rec)
		goto out;
	rec->seq = seq;
	rec->len = len;
	memcpy(rec->data, data, len);
	if (lw_replay_count == lw_replay_cap)
		kfree(lw_replay[lw_replay_next]);
	else
		lw_replay_count++;
	lw_replay[lw_replay_next] = rec;
	lw_replay_next = (lw_replay_next + 1) % lw_replay_cap;
out:
	mutex_unlock(&lw_replay_mutex);
}

/*
 * Hand @put the kept records with a sequence number above *@after, oldest
 * first, until it returns an error; *@after follows what it took.
 * Returns how many it took.
 */
int lw_replay_walk(u64 *after,
		   int (*put)(void *arg, const void *data, u32 len),
		   void *arg)
{
	unsigned int i;
	int n = 0;

	mutex_lock(&lw_replay_mutex);
	for (i = 0; i < lw_replay_count; i++) {
		struct lw_replay_rec *rec = lw_replay_at(i);

		if (rec->seq <= *after)
			continue;
		if (put(arg, rec->data, rec->len))
			break;
		*after = rec->seq;
		n++;
	}
	mutex_unlock(&lw_replay_mutex);
	return n;
}
