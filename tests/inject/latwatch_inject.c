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
 *   stolen CPU MS      what a hypervisor that stops the vCPU in kernel code
 *                      for MS ms looks like from inside: interrupts off on
 *                      CPU for MS ms (lwinj_stolen()), then, as the next
 *                      tick would, MS ms added to the CPU's steal time
 *                      (/proc/stat) in the timer interrupt that ends it,
 *                      after the timers that expired before (MS >= 2)
 *   timer CPU MS       a timer_list callback, lwinj_timer_fn(), busy for MS ms
 *                      in the TIMER softirq of CPU
 *   hrtimer CPU MS     a hard hrtimer callback, lwinj_hrtimer_fn(), busy for
 *                      MS ms in hard interrupt context on CPU
 *   tasklet CPU MS     a tasklet, lwinj_tasklet_fn(), busy for MS ms in the
 *                      TASKLET softirq of CPU
 *   hardirq CPU MS     a real device interrupt, handled by lwinj_irq_handler()
 *                      on CPU, busy for MS ms (needs QEMU's "edu" PCI device,
 *                      else ENODEV)
 *   hung SECONDS       a kernel thread "lwinj_hung" that sleeps uninterruptibly
 *                      (state D) for SECONDS seconds (1..600), then exits
 *   hungs COUNT SECONDS
 *                      COUNT (1..1024) such threads, which all wake up at the
 *                      same moment, SECONDS after the write: a storm of hung
 *                      tasks
 *
 * irqoff, softirqoff, spin and stolen run in process context on exactly that CPU
 * (work_on_cpu()); timer, hrtimer, tasklet and hardirq arm their callback on
 * that CPU. Either way the write returns once the window is over. After each
 * window its length, measured with ktime_get() just inside the window, is
 * logged, e.g.
 *
 *   latwatch_inject: irqoff cpu=1 requested=50ms measured=50012us
 *   latwatch_inject: hardirq cpu=1 irq=24 requested=50ms measured=50012us
 *
 * where cpu= is the CPU the window ran on. The window functions lwinj_irqoff(),
 * lwinj_softirqoff(), lwinj_spin(), lwinj_timer_fn(), lwinj_hrtimer_fn(),
 * lwinj_tasklet_fn() and lwinj_irq_handler() call nothing while the window
 * is open, so a sampling interrupt (or NMI) that lands inside a window always
 * finds one of them as the innermost frame of the interrupted context.
 *
 * "hung" returns at once; it logs "hung pid=P secs=S" when the thread starts
 * and "hung pid=P done" when it wakes up; "hungs" returns once its threads
 * are started and logs "hungs count=N secs=S created_in=Mms" (the threads
 * sleep SECONDS from when the last was created). At most LWINJ_HUNG_MAX such
 * threads exist at a time (EBUSY beyond, and none is started); rmmod wakes
 * and reaps them.
 *
 * The hardirq window uses QEMU's educational PCI device (-device edu,
 * 1234:11e8, docs/specs/edu.rst): writing a value to its interrupt raise
 * register (BAR0 + 0x60) raises an interrupt (MSI if enabled, else INTx) and
 * ORs the value into the interrupt status register (0x24); writing it to the
 * acknowledge register (0x64) clears it again.
 *
 * x86 only: the busy wait counts TSC cycles against tsc_khz.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kernel_stat.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <asm/processor.h>
#include <asm/tsc.h>

/* Feature probes of this kernel: latwatch's own (kmod/conftest.sh). */
#include "conftest.h"

#ifndef from_timer
/* from_timer() became timer_container_of() in 6.16. */
#define from_timer(var, t, field)	timer_container_of(var, t, field)
#endif

#ifndef CONFIG_X86
#error "latwatch_inject needs the x86 TSC"
#endif

#define LWINJ_PROC_NAME	"latwatch_inject"
#define LWINJ_MAX_MS	10000U
#define LWINJ_CMD_MAX	64
#define LWINJ_HUNG_MAX	1024
#define LWINJ_HUNG_MAX_SECS	600U

/* QEMU edu device: BAR0 registers, see docs/specs/edu.rst */
#define LWINJ_EDU_NAME		"lwinj_edu"
#define LWINJ_EDU_VENDOR	0x1234
#define LWINJ_EDU_DEVICE	0x11e8
#define LWINJ_EDU_ID		0x00	/* RO: 0xRRrr00ed */
#define LWINJ_EDU_IRQ_STATUS	0x24	/* RO: pending interrupt bits */
#define LWINJ_EDU_IRQ_RAISE	0x60	/* WO: OR into status, raise irq */
#define LWINJ_EDU_IRQ_ACK	0x64	/* WO: clear bits from status */
#define LWINJ_EDU_MMIO_LEN	0x100
#define LWINJ_EDU_IRQ_BIT	0x4c570000	/* "LW": ours, not FACT/DMA */
/* Raises per hardirq command until the handler runs on the asked CPU. */
#define LWINJ_EDU_TRIES		4

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8 and later removed. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

enum lwinj_kind {
	LWINJ_IRQOFF,
	LWINJ_SOFTIRQOFF,
	LWINJ_SPIN,
	LWINJ_STOLEN,
	LWINJ_TIMER,
	LWINJ_HRTIMER,
	LWINJ_TASKLET,
	LWINJ_HARDIRQ,
	LWINJ_HUNG,
	LWINJ_HUNGS,
};

static const char * const lwinj_verbs[] = {
	[LWINJ_IRQOFF]		= "irqoff",
	[LWINJ_SOFTIRQOFF]	= "softirqoff",
	[LWINJ_SPIN]		= "spin",
	[LWINJ_STOLEN]		= "stolen",
	[LWINJ_TIMER]		= "timer",
	[LWINJ_HRTIMER]		= "hrtimer",
	[LWINJ_TASKLET]		= "tasklet",
	[LWINJ_HARDIRQ]		= "hardirq",
	[LWINJ_HUNG]		= "hung",
	[LWINJ_HUNGS]		= "hungs",
};

struct lwinj_req {
	enum lwinj_kind kind;
	int cpu;		/* CPU asked for */
	u64 cycles;		/* TSC cycles to spin */
	s64 measured_ns;	/* ktime_get() length of the window */
	int ran_cpu;		/* CPU the callback ran on */
};

/*
 * The timer, hrtimer and tasklet windows: one of each, serving one command
 * at a time (lwinj_lock), for the request in @req.
 */
struct lwinj_async {
	struct timer_list timer;
	struct hrtimer hrtimer;
	struct tasklet_struct tasklet;
	struct completion done;	/* the callback finished */
	struct lwinj_req *req;
};

/* The edu device, if one was probed. */
struct lwinj_edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	int irq;
	spinlock_t lock;	/* protects armed and req */
	bool armed;		/* the next interrupt runs req's window */
	struct lwinj_req *req;
	struct completion done;	/* the armed interrupt was handled */
};

/* One "hung" thread. */
struct lwinj_hung {
	struct task_struct *task;	/* NULL: slot free */
	struct completion stop;		/* rmmod: stop sleeping */
	unsigned long end;		/* wake up then (jiffies) */
	bool sleeping;			/* set until the thread function ends */
};

static struct proc_dir_entry *lwinj_proc;
/* Serializes the callback windows; protects lwinj_edu and lwinj_hung. */
static DEFINE_MUTEX(lwinj_lock);
static struct lwinj_async lwinj_async;
static struct lwinj_edu *lwinj_edu;
static struct lwinj_hung lwinj_hung[LWINJ_HUNG_MAX];

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

/*
 * stolen: the guest's tick accounts the steal time when the vCPU runs
 * again, in the same timer interrupt as the timers that expired meanwhile,
 * in the order they expired. lwinj_tick, armed to expire 1 ms before the
 * window's end, does it as the tick would: after any timer that expired
 * at the window's start (latwatch's sampler), however slow the kernel.
 */
static struct hrtimer lwinj_tick;
static u64 lwinj_tick_steal;
static bool lwinj_tick_ran;

static enum hrtimer_restart lwinj_tick_fn(struct hrtimer *t)
{
	kcpustat_this_cpu->cpustat[CPUTIME_STEAL] += lwinj_tick_steal;
	WRITE_ONCE(lwinj_tick_ran, true);
	return HRTIMER_NORESTART;
}

static noinline s64 lwinj_stolen(u64 cycles)
{
	u64 ns = div_u64(cycles * 1000, tsc_khz) * NSEC_PER_USEC;
	unsigned long flags;
	ktime_t t0, t1;

	lwinj_tick_steal = ns;
	WRITE_ONCE(lwinj_tick_ran, false);
	local_irq_save(flags);
	t0 = ktime_get();
	hrtimer_start(&lwinj_tick, ns_to_ktime(ns - NSEC_PER_MSEC),
		      HRTIMER_MODE_REL_PINNED_HARD);
	lwinj_busy_wait(cycles);
	t1 = ktime_get();
	local_irq_restore(flags);
	hrtimer_cancel(&lwinj_tick);
	if (!READ_ONCE(lwinj_tick_ran)) {
		/* It did not fire (it cannot in a window of 1 ms): now. */
		local_irq_save(flags);
		kcpustat_this_cpu->cpustat[CPUTIME_STEAL] += ns;
		local_irq_restore(flags);
	}
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
	case LWINJ_STOLEN:
		req->measured_ns = lwinj_stolen(req->cycles);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * The callback windows. They run in interrupt context on the target CPU and
 * spin inline, like the process context windows above.
 */

static void lwinj_timer_fn(struct timer_list *t)
{
	struct lwinj_async *async = from_timer(async, t, timer);
	struct lwinj_req *req = async->req;
	ktime_t t0, t1;

	lwinj_clock(t0);
	lwinj_busy_wait(req->cycles);
	lwinj_clock(t1);
	req->measured_ns = ktime_to_ns(ktime_sub(t1, t0));
	req->ran_cpu = smp_processor_id();
	complete(&async->done);
}

/* HRTIMER_MODE_HARD: runs in hard interrupt context, interrupts off. */
static enum hrtimer_restart lwinj_hrtimer_fn(struct hrtimer *t)
{
	struct lwinj_async *async = container_of(t, struct lwinj_async,
						 hrtimer);
	struct lwinj_req *req = async->req;
	ktime_t t0, t1;

	t0 = ktime_get();
	lwinj_busy_wait(req->cycles);
	t1 = ktime_get();
	req->measured_ns = ktime_to_ns(ktime_sub(t1, t0));
	req->ran_cpu = smp_processor_id();
	complete(&async->done);
	return HRTIMER_NORESTART;
}

static void lwinj_tasklet_fn(struct tasklet_struct *t)
{
	struct lwinj_async *async = from_tasklet(async, t, tasklet);
	struct lwinj_req *req = async->req;
	ktime_t t0, t1;

	lwinj_clock(t0);
	lwinj_busy_wait(req->cycles);
	lwinj_clock(t1);
	req->measured_ns = ktime_to_ns(ktime_sub(t1, t0));
	req->ran_cpu = smp_processor_id();
	complete(&async->done);
}

/*
 * The edu interrupt. Spins only for an armed request and only on the CPU
 * that request asked for (an INTx affinity change takes effect at the next
 * interrupt only); otherwise it just reports where it ran.
 */
static irqreturn_t lwinj_irq_handler(int irq, void *arg)
{
	struct lwinj_edu *edu = arg;
	struct lwinj_req *req = NULL;
	ktime_t t0, t1;
	u32 status;

	status = ioread32(edu->mmio + LWINJ_EDU_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;
	iowrite32(status, edu->mmio + LWINJ_EDU_IRQ_ACK);

	spin_lock(&edu->lock);
	if (edu->armed && (status & LWINJ_EDU_IRQ_BIT)) {
		edu->armed = false;
		req = edu->req;
	}
	spin_unlock(&edu->lock);
	if (!req)
		return IRQ_HANDLED;

	req->ran_cpu = smp_processor_id();
	req->measured_ns = 0;
	if (req->ran_cpu == req->cpu) {
		t0 = ktime_get();
		lwinj_busy_wait(req->cycles);
		t1 = ktime_get();
		req->measured_ns = ktime_to_ns(ktime_sub(t1, t0));
	}
	complete(&edu->done);
	return IRQ_HANDLED;
}

/*
 * Split "VERB CPU MS" (or "hung SECONDS", "hungs COUNT SECONDS") into its
 * words; anything else is -EINVAL. For hung and hungs, *cpu is -1, *arg
 * the seconds and *count the threads, else *arg is MS.
 */
static int lwinj_parse(char *buf, enum lwinj_kind *kind, int *cpu,
		       unsigned int *arg, unsigned int *count)
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
	if (n < 1)
		return -EINVAL;

	i = match_string(lwinj_verbs, ARRAY_SIZE(lwinj_verbs), word[0]);
	if (i < 0)
		return -EINVAL;
	*kind = i;

	if (*kind == LWINJ_HUNG || *kind == LWINJ_HUNGS) {
		*cpu = -1;
		*count = 1;
		if (*kind == LWINJ_HUNG && n != 2)
			return -EINVAL;
		if (*kind == LWINJ_HUNGS &&
		    (n != 3 || kstrtouint(word[1], 10, count) || *count < 1 ||
		     *count > LWINJ_HUNG_MAX))
			return -EINVAL;
		if (kstrtouint(word[n - 1], 10, arg))
			return -EINVAL;
		if (*arg < 1 || *arg > LWINJ_HUNG_MAX_SECS)
			return -EINVAL;
		return 0;
	}

	if (n != 3)
		return -EINVAL;
	if (kstrtoint(word[1], 10, cpu) || kstrtouint(word[2], 10, arg))
		return -EINVAL;
	if (*cpu < 0 || *cpu >= nr_cpu_ids)
		return -EINVAL;
	if (*arg < 1 || *arg > LWINJ_MAX_MS)
		return -EINVAL;
	return 0;
}

/* Runs on the target CPU (IPI): arm the hrtimer there. */
static void lwinj_hrtimer_arm(void *arg)
{
	hrtimer_start(&lwinj_async.hrtimer, ms_to_ktime(1),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

/* Runs on the target CPU (IPI): the tasklet runs on that CPU's softirq. */
static void lwinj_tasklet_arm(void *arg)
{
	tasklet_schedule(&lwinj_async.tasklet);
}

/*
 * timer, hrtimer, tasklet: arm the callback on req->cpu and wait for it.
 * Called with lwinj_lock and the CPU hotplug lock held, req->cpu online.
 */
static int lwinj_run_async(struct lwinj_req *req)
{
	int ret = 0;

	reinit_completion(&lwinj_async.done);
	lwinj_async.req = req;

	switch (req->kind) {
	case LWINJ_TIMER:
		lwinj_async.timer.expires = jiffies + 1;
		add_timer_on(&lwinj_async.timer, req->cpu);
		break;
	case LWINJ_HRTIMER:
		ret = smp_call_function_single(req->cpu, lwinj_hrtimer_arm,
					       NULL, 1);
		break;
	case LWINJ_TASKLET:
		ret = smp_call_function_single(req->cpu, lwinj_tasklet_arm,
					       NULL, 1);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (!ret)
		wait_for_completion(&lwinj_async.done);
	lwinj_async.req = NULL;
	return ret;
}

/* Disarm the edu window; returns true if the handler had taken it. */
static bool lwinj_edu_disarm(struct lwinj_edu *edu)
{
	bool taken;

	spin_lock_irq(&edu->lock);
	taken = !edu->armed;
	edu->armed = false;
	edu->req = NULL;
	spin_unlock_irq(&edu->lock);
	return taken;
}

/*
 * hardirq: route the edu interrupt to req->cpu, raise it and wait for the
 * handler. Called with lwinj_lock and the CPU hotplug lock held.
 */
static int lwinj_run_hardirq(struct lwinj_req *req, int *irq)
{
	struct lwinj_edu *edu = lwinj_edu;
	unsigned long timeout;
	int ret, i;

	if (!edu)
		return -ENODEV;
	*irq = edu->irq;

	ret = irq_set_affinity(edu->irq, cpumask_of(req->cpu));
	if (ret)
		return ret;

	timeout = msecs_to_jiffies(req->cycles / tsc_khz) + 5 * HZ;
	for (i = 0; i < LWINJ_EDU_TRIES; i++) {
		reinit_completion(&edu->done);
		spin_lock_irq(&edu->lock);
		edu->req = req;
		edu->armed = true;
		spin_unlock_irq(&edu->lock);

		iowrite32(LWINJ_EDU_IRQ_BIT, edu->mmio + LWINJ_EDU_IRQ_RAISE);
		if (!wait_for_completion_timeout(&edu->done, timeout)) {
			/* Let a handler that took it after all finish. */
			if (lwinj_edu_disarm(edu))
				wait_for_completion(&edu->done);
			else
				return -ETIMEDOUT;
		}
		if (req->ran_cpu == req->cpu)
			return 0;
	}
	return -EIO;
}

static int lwinj_hung_fn(void *arg)
{
	struct lwinj_hung *h = arg;

	long left = (long)(h->end - jiffies);

	/* Uninterruptible (state D), and not TASK_IDLE: a hung task. */
	if (left > 0)
		wait_for_completion_timeout(&h->stop, left);
	pr_info("hung pid=%d done\n", task_pid_nr(current));
	WRITE_ONCE(h->sleeping, false);
	return 0;
}

/* Stop (wake up early) and reap the thread of slot @h. */
static void lwinj_hung_reap(struct lwinj_hung *h)
{
	complete(&h->stop);
	kthread_stop(h->task);
	put_task_struct(h->task);
	h->task = NULL;
}

/*
 * hung, hungs: start @count threads that sleep in state D until @secs s from
 * when the last of them was created: all of them, or none (EBUSY). Each
 * sleeps @secs s at least, however long creating a thousand takes (seconds
 * under TCG). Under lwinj_lock.
 */
static int lwinj_start_hung(unsigned int secs, unsigned int count)
{
	static struct lwinj_hung *slot[LWINJ_HUNG_MAX];	/* lwinj_lock */
	unsigned int i, free = 0, started = 0;
	struct task_struct *task = NULL;
	ktime_t t0 = ktime_get();
	unsigned long end;

	for (i = 0; i < LWINJ_HUNG_MAX; i++) {
		struct lwinj_hung *h = &lwinj_hung[i];

		if (h->task && !READ_ONCE(h->sleeping))
			lwinj_hung_reap(h);
		if (!h->task)
			free++;
	}
	if (free < count)
		return -EBUSY;

	/* Create them all first; they run (and sleep) once woken. */
	for (i = 0; i < LWINJ_HUNG_MAX && started < count; i++) {
		struct lwinj_hung *h = &lwinj_hung[i];

		if (h->task)
			continue;
		reinit_completion(&h->stop);
		h->sleeping = true;
		task = kthread_create(lwinj_hung_fn, h, "lwinj_hung");
		if (IS_ERR(task))
			break;
		get_task_struct(task);
		h->task = task;
		slot[started++] = h;
	}
	end = jiffies + (unsigned long)secs * HZ;
	for (i = 0; i < started; i++) {
		slot[i]->end = end;
		if (count == 1)
			pr_info("hung pid=%d secs=%u\n",
				task_pid_nr(slot[i]->task), secs);
		wake_up_process(slot[i]->task);
	}
	if (started < count)
		return PTR_ERR(task);
	if (count > 1)
		pr_info("hungs count=%u secs=%u created_in=%lldms\n", count, secs,
			ktime_ms_delta(ktime_get(), t0));
	return 0;
}

static ssize_t lwinj_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[LWINJ_CMD_MAX];
	struct lwinj_req req = {};
	unsigned int ms, threads;
	int cpu, irq = -1, ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	ret = lwinj_parse(buf, &req.kind, &cpu, &ms, &threads);
	if (ret)
		return ret;
	/* Its tick expires 1 ms before the window's end. */
	if (req.kind == LWINJ_STOLEN && ms < 2)
		return -EINVAL;

	if (req.kind == LWINJ_HUNG || req.kind == LWINJ_HUNGS) {
		mutex_lock(&lwinj_lock);
		ret = lwinj_start_hung(ms, threads);
		mutex_unlock(&lwinj_lock);
		return ret ? ret : count;
	}

	if (!tsc_khz)
		return -ENODEV;
	req.cpu = cpu;
	req.cycles = (u64)ms * tsc_khz;
	req.ran_cpu = cpu;

	switch (req.kind) {
	case LWINJ_IRQOFF:
	case LWINJ_SOFTIRQOFF:
	case LWINJ_SPIN:
	case LWINJ_STOLEN:
		cpus_read_lock();
		if (cpu_online(cpu))
			work_on_cpu(cpu, lwinj_work, &req);
		else
			ret = -EINVAL;
		cpus_read_unlock();
		break;
	default:
		mutex_lock(&lwinj_lock);
		cpus_read_lock();
		if (!cpu_online(cpu))
			ret = -EINVAL;
		else if (req.kind == LWINJ_HARDIRQ)
			ret = lwinj_run_hardirq(&req, &irq);
		else
			ret = lwinj_run_async(&req);
		cpus_read_unlock();
		mutex_unlock(&lwinj_lock);
		break;
	}
	if (ret)
		return ret;

	if (req.kind == LWINJ_HARDIRQ)
		pr_info("%s cpu=%d irq=%d requested=%ums measured=%lluus\n",
			lwinj_verbs[req.kind], req.ran_cpu, irq, ms,
			(unsigned long long)div_s64(req.measured_ns,
						    NSEC_PER_USEC));
	else
		pr_info("%s cpu=%d requested=%ums measured=%lluus\n",
			lwinj_verbs[req.kind], req.ran_cpu, ms,
			(unsigned long long)div_s64(req.measured_ns,
						    NSEC_PER_USEC));
	return count;
}

static const struct proc_ops lwinj_proc_ops = {
	.proc_write	= lwinj_write,
	.proc_lseek	= noop_llseek,
};

static int lwinj_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lwinj_edu *edu;
	u32 ident;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	spin_lock_init(&edu->lock);
	init_completion(&edu->done);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, 0, LWINJ_EDU_NAME);
	if (ret)
		goto err_disable;
	edu->mmio = pci_iomap(pdev, 0, LWINJ_EDU_MMIO_LEN);
	if (!edu->mmio) {
		ret = -ENOMEM;
		goto err_release;
	}
	ident = ioread32(edu->mmio + LWINJ_EDU_ID);
	if ((ident & 0xffff) != 0x00ed) {
		dev_err(&pdev->dev, "not an edu device (id %#x)\n", ident);
		ret = -ENODEV;
		goto err_unmap;
	}
	/* MSI is a memory write by the device. */
	pci_set_master(pdev);
	iowrite32(~0U, edu->mmio + LWINJ_EDU_IRQ_ACK);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_unmap;
	edu->irq = pci_irq_vector(pdev, 0);
	/*
	 * A hard-irq handler on PREEMPT_RT too, where request_irq() handlers
	 * are otherwise forced into irq threads.
	 */
	ret = request_irq(edu->irq, lwinj_irq_handler,
			  IRQF_NO_THREAD | (pdev->msi_enabled ? 0 : IRQF_SHARED),
			  LWINJ_EDU_NAME, edu);
	if (ret)
		goto err_vectors;

	mutex_lock(&lwinj_lock);
	if (lwinj_edu)
		ret = -EBUSY;
	else
		lwinj_edu = edu;
	mutex_unlock(&lwinj_lock);
	if (ret)
		goto err_irq;

	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "edu device, irq %d (%s)\n", edu->irq,
		 pdev->msi_enabled ? "MSI" : "INTx");
	return 0;

err_irq:
	free_irq(edu->irq, edu);
err_vectors:
	pci_free_irq_vectors(pdev);
err_unmap:
	pci_iounmap(pdev, edu->mmio);
err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(edu);
	return ret;
}

static void lwinj_edu_remove(struct pci_dev *pdev)
{
	struct lwinj_edu *edu = pci_get_drvdata(pdev);

	mutex_lock(&lwinj_lock);
	lwinj_edu = NULL;
	mutex_unlock(&lwinj_lock);

	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->mmio);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	kfree(edu);
}

/* No MODULE_DEVICE_TABLE: the injector must never be loaded automatically. */
static const struct pci_device_id lwinj_edu_ids[] = {
	{ PCI_DEVICE(LWINJ_EDU_VENDOR, LWINJ_EDU_DEVICE) },
	{ }
};

static struct pci_driver lwinj_edu_driver = {
	.name		= LWINJ_EDU_NAME,
	.id_table	= lwinj_edu_ids,
	.probe		= lwinj_edu_probe,
	.remove		= lwinj_edu_remove,
};

static int __init lwinj_init(void)
{
	int i, ret;

	timer_setup(&lwinj_async.timer, lwinj_timer_fn, 0);
#ifdef LW_HAVE_HRTIMER_SETUP
	hrtimer_setup(&lwinj_async.hrtimer, lwinj_hrtimer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
#else
	hrtimer_init(&lwinj_async.hrtimer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_PINNED_HARD);
	lwinj_async.hrtimer.function = lwinj_hrtimer_fn;
#endif
#ifdef LW_HAVE_HRTIMER_SETUP
	hrtimer_setup(&lwinj_tick, lwinj_tick_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
#else
	hrtimer_init(&lwinj_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	lwinj_tick.function = lwinj_tick_fn;
#endif
	tasklet_setup(&lwinj_async.tasklet, lwinj_tasklet_fn);
	init_completion(&lwinj_async.done);
	for (i = 0; i < LWINJ_HUNG_MAX; i++)
		init_completion(&lwinj_hung[i].stop);

	ret = pci_register_driver(&lwinj_edu_driver);
	if (ret)
		return ret;

	lwinj_proc = proc_create(LWINJ_PROC_NAME, 0200, NULL, &lwinj_proc_ops);
	if (!lwinj_proc) {
		pci_unregister_driver(&lwinj_edu_driver);
		return -ENOMEM;
	}
	pr_info("loaded, tsc_khz=%u, edu device %s\n", tsc_khz,
		lwinj_edu ? "present" : "absent");
	return 0;
}

static void __exit lwinj_exit(void)
{
	int i;

	/* Waits for writes in progress; none can start afterwards. */
	proc_remove(lwinj_proc);
	pci_unregister_driver(&lwinj_edu_driver);

	for (i = 0; i < LWINJ_HUNG_MAX; i++)
		if (lwinj_hung[i].task)
			lwinj_hung_reap(&lwinj_hung[i]);

	/* Nothing is armed any more; wait for callbacks still returning. */
	timer_delete_sync(&lwinj_async.timer);
	hrtimer_cancel(&lwinj_async.hrtimer);
	hrtimer_cancel(&lwinj_tick);
	tasklet_kill(&lwinj_async.tasklet);
}

module_init(lwinj_init);
module_exit(lwinj_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("latwatch test-only latency fault injector");
MODULE_AUTHOR("latwatch developers");
