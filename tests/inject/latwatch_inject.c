// SPDX-License-Identifier: GPL-2.0
/*
 * latwatch_inject - test-only latency fault injector for latwatch.
 *
 * Creates /proc/latwatch_inject (write-only, root only). Each write is one
 * command:
 *
 *   irqoff CPU MS      hard interrupts off on CPU for MS milliseconds
 *   softirqoff CPU MS  bottom halves off (local_bh_disable) on CPU for MS ms
 *   spin CPU MS        busy loop on CPU for MS ms with nothing disabled
 *
 * The window runs in process context on exactly that CPU (work_on_cpu()) and
 * the write returns once it is over. After each window its length, measured
 * with ktime_get() just inside the window, is logged, e.g.
 *
 *   latwatch_inject: irqoff cpu=1 requested=50ms measured=50012us
 *
 * The window functions lwinj_irqoff(), lwinj_softirqoff() and lwinj_spin()
 * are noinline and call nothing while the window is open, so a sampling
 * interrupt that lands inside a window always finds one of them as the
 * innermost frame of the interrupted context.
 *
 * x86 only: the busy wait counts TSC cycles against tsc_khz.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <asm/processor.h>
#include <asm/tsc.h>

#ifndef CONFIG_X86
#error "latwatch_inject needs the x86 TSC"
#endif

#define LWINJ_PROC_NAME	"latwatch_inject"
#define LWINJ_MAX_MS	10000U
#define LWINJ_CMD_MAX	64

enum lwinj_kind {
	LWINJ_IRQOFF,
	LWINJ_SOFTIRQOFF,
	LWINJ_SPIN,
};

static const char * const lwinj_verbs[] = {
	[LWINJ_IRQOFF]		= "irqoff",
	[LWINJ_SOFTIRQOFF]	= "softirqoff",
	[LWINJ_SPIN]		= "spin",
};

struct lwinj_req {
	enum lwinj_kind kind;
	u64 cycles;		/* TSC cycles to spin */
	s64 measured_ns;	/* ktime_get() length of the window */
};

static struct proc_dir_entry *lwinj_proc;

/*
 * Spin for @cycles TSC cycles. Must stay inline in each window function:
 * rdtsc_ordered() and cpu_relax() are always-inline instructions.
 */
#define lwinj_busy_wait(cycles)					\
	do {							\
		u64 __start = rdtsc_ordered();			\
								\
		while (rdtsc_ordered() - __start < (cycles))	\
			cpu_relax();				\
	} while (0)

/*
 * Read the clock with interrupts off: a sampling interrupt must never find
 * ktime_get() (or the clocksource read below it) as the innermost frame.
 * Interrupts that arrive meanwhile are taken at local_irq_restore(), which
 * is inline, i.e. in the window function itself.
 */
#define lwinj_clock(t)						\
	do {							\
		unsigned long __flags;				\
								\
		local_irq_save(__flags);			\
		(t) = ktime_get();				\
		local_irq_restore(__flags);			\
	} while (0)

/* Each window function returns the length of its window in ns. */

static noinline s64 lwinj_irqoff(u64 cycles)
{
	unsigned long flags;
	ktime_t t0, t1;

	local_irq_save(flags);
	t0 = ktime_get();
	lwinj_busy_wait(cycles);
	t1 = ktime_get();
	local_irq_restore(flags);
	return ktime_to_ns(ktime_sub(t1, t0));
}

static noinline s64 lwinj_softirqoff(u64 cycles)
{
	ktime_t t0, t1;

	local_bh_disable();
	lwinj_clock(t0);
	lwinj_busy_wait(cycles);
	lwinj_clock(t1);
	local_bh_enable();
	return ktime_to_ns(ktime_sub(t1, t0));
}

static noinline s64 lwinj_spin(u64 cycles)
{
	ktime_t t0, t1;

	lwinj_clock(t0);
	lwinj_busy_wait(cycles);
	lwinj_clock(t1);
	return ktime_to_ns(ktime_sub(t1, t0));
}

static long lwinj_work(void *arg)
{
	struct lwinj_req *req = arg;

	switch (req->kind) {
	case LWINJ_IRQOFF:
		req->measured_ns = lwinj_irqoff(req->cycles);
		break;
	case LWINJ_SOFTIRQOFF:
		req->measured_ns = lwinj_softirqoff(req->cycles);
		break;
	case LWINJ_SPIN:
		req->measured_ns = lwinj_spin(req->cycles);
		break;
	}
	return 0;
}

/* Split "VERB CPU MS" into its three words; anything else is -EINVAL. */
static int lwinj_parse(char *buf, enum lwinj_kind *kind, int *cpu,
		       unsigned int *ms)
{
	char *word[3];
	char *p = strim(buf);
	int i, n = 0;

	while (p && *p) {
		char *tok = strsep(&p, " \t");

		if (!*tok)
			continue;
		if (n == ARRAY_SIZE(word))
			return -EINVAL;
		word[n++] = tok;
	}
	if (n != ARRAY_SIZE(word))
		return -EINVAL;

	i = match_string(lwinj_verbs, ARRAY_SIZE(lwinj_verbs), word[0]);
	if (i < 0)
		return -EINVAL;
	*kind = i;

	if (kstrtoint(word[1], 10, cpu) || kstrtouint(word[2], 10, ms))
		return -EINVAL;
	if (*cpu < 0 || *cpu >= nr_cpu_ids)
		return -EINVAL;
	if (*ms < 1 || *ms > LWINJ_MAX_MS)
		return -EINVAL;
	return 0;
}

static ssize_t lwinj_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[LWINJ_CMD_MAX];
	struct lwinj_req req = {};
	unsigned int ms;
	int cpu, ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	ret = lwinj_parse(buf, &req.kind, &cpu, &ms);
	if (ret)
		return ret;

	if (!tsc_khz)
		return -ENODEV;
	req.cycles = (u64)ms * tsc_khz;

	cpus_read_lock();
	if (cpu_online(cpu))
		work_on_cpu(cpu, lwinj_work, &req);
	else
		ret = -EINVAL;
	cpus_read_unlock();
	if (ret)
		return ret;

	pr_info("%s cpu=%d requested=%ums measured=%lluus\n",
		lwinj_verbs[req.kind], cpu, ms,
		(unsigned long long)div_s64(req.measured_ns, NSEC_PER_USEC));
	return count;
}

static const struct proc_ops lwinj_proc_ops = {
	.proc_write	= lwinj_write,
	.proc_lseek	= noop_llseek,
};

static int __init lwinj_init(void)
{
	lwinj_proc = proc_create(LWINJ_PROC_NAME, 0200, NULL, &lwinj_proc_ops);
	if (!lwinj_proc)
		return -ENOMEM;
	pr_info("loaded, tsc_khz=%u\n", tsc_khz);
	return 0;
}

static void __exit lwinj_exit(void)
{
	proc_remove(lwinj_proc);
}

module_init(lwinj_init);
module_exit(lwinj_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("latwatch test-only latency fault injector");
MODULE_AUTHOR("latwatch developers");
