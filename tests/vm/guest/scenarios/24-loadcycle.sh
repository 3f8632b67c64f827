#!/bin/sh
# lwtest-timeout: 2400
# insmod/rmmod latwatch.ko in a loop (50 cycles; 1000 under lwvm.stress=1)
# while the injector (loaded once) holds interrupts and softirqs off on
# CPU 1 over and over, `latwatch watch --json` runs (restarted whenever the
# module goes away), sockets subscribe and close one after the other
# (`nlfuzz -r`: every other one unsubscribes first), racing the module's
# release notifier, its sends and its unload, and, in the second half,
# `latwatch config`, `stats` and `hist` run without pause. Every load and
# unload must work, events must flow, every subscription the module
# answered must have been taken (or refused because the family was gone),
# the kernel must log nothing but the load lines (the runner fails the
# scenario on any WARNING, BUG or Oops), and memory must come back (a
# subscriber's socket the module kept would not).
#
# Memory: /proc/meminfo and /proc/slabinfo after dropping caches, before
# and after the cycles (after two warm-up cycles, which create what a
# first load creates once). Debian kernels have no kmemleak, so this is a
# balance, not a leak detector: it catches what grows with the number of
# cycles (per load, an unfreed slab object of a few hundred bytes, per-CPU
# data, module or vmalloc memory) past the tolerances below. It misses
# one-off leaks and per-load leaks smaller than tolerance / cycles.
#   SUnreclaim  (unreclaimable slab)       +512 kB
#   Percpu                                 +64 kB
#   VmallocUsed                            +512 kB
#   MemAvailable                           -4096 kB (the logs of this
#                                          scenario grow in tmpfs)
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

CYCLES=50
case " $(cat /proc/cmdline) " in
*" lwvm.stress=1 "*) CYCLES=1000 ;;
esac
KO=$LW_MODDIR/latwatch.ko

# meminfo KEY: its value in kB
meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# slab_kb: what every slab cache holds (num_objs * objsize), in kB
slab_kb() {
	awk 'NR > 2 { b += $3 * $4 } END { printf "%d\n", b / 1024 }' /proc/slabinfo 2>/dev/null
}

# slab_snapshot FILE: every cache and its objects in use, "name kB"
slab_snapshot() {
	awk 'NR > 2 { printf "%s %d\n", $1, $2 * $4 / 1024 }' /proc/slabinfo 2>/dev/null |
		sort >"$1"
}

# settle: drop the page cache and have every slab cache give back what it
# only caches: the churn below allocates and frees tens of thousands of
# sockets, tasks and credentials, and SLUB keeps freed objects in per-CPU
# partial slabs that count as unreclaimable (measured on 5.10: the churn
# alone, without latwatch loaded, left 580 kB).
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for _f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$_f" 2>/dev/null
	done
	sleep 1
}

# unload: rmmod latwatch; a dump or a send in flight holds a module
# reference for a moment (rmmod does not wait): retry for up to 5 s.
retries=0
unload() {
	_n=0
	while ! rmmod latwatch 2>/tmp/rmmod.err; do
		_n=$((_n + 1))
		retries=$((retries + 1))
		[ "$_n" -lt 100 ] || return 1
		sleep 0.05
	done
}

[ -e "$LW_INJECT" ] || check "latwatch_inject.ko loads" insmod "$LW_MODDIR/latwatch_inject.ko"
check "warm-up cycle 1" sh -c "insmod $KO && rmmod latwatch"
check "warm-up cycle 2" sh -c "insmod $KO && rmmod latwatch"

settle
m0_unrec=$(meminfo SUnreclaim) m0_pcpu=$(meminfo Percpu)
m0_vmalloc=$(meminfo VmallocUsed) m0_avail=$(meminfo MemAvailable)
m0_slab=$(slab_kb)
slab_snapshot /tmp/slab.before
echo "LWNOTE memory before: SUnreclaim=${m0_unrec}kB Percpu=${m0_pcpu}kB VmallocUsed=${m0_vmalloc}kB MemAvailable=${m0_avail}kB slabinfo=${m0_slab:-n/a}kB"

# The kernel log is read every 20 cycles: over a long run the injector's
# lines would push the runner's start mark out of the ring buffer.
loads_logged=0 problems='' others=''
scan_log() {
	_log=$(dmesg_since)
	_n=$(echo "$_log" | grep -c 'latwatch: version .* loaded$')
	loads_logged=$((loads_logged + _n))
	if [ -z "$problems" ]; then
		problems=$(echo "$_log" |
			grep -m 1 -E 'WARNING:|BUG:|Oops|general protection fault|Call Trace:')
		# the console shows errors only: keep what came with it
		[ -z "$problems" ] || echo "$_log" |
			grep -A 60 -E 'WARNING:|BUG:|Oops|general protection fault|rcu: INFO' |
			head -n 150 >/tmp/kernel-problem.log
	fi
	[ -n "$others" ] || others=$(echo "$_log" | grep 'latwatch:' |
		lw_expected_log | head -n 3)
	dmesg_mark
}

dmesg_mark
bg_start storm sh -c "while :; do
	echo 'irqoff 1 12' >$LW_INJECT
	echo 'softirqoff 1 12' >$LW_INJECT
	sleep 0.2
done"
# Each run's summary goes to the log: "nlfuzz: churn rounds=N ...".
bg_start churn sh -c 'while :; do nlfuzz -r 50; done'
# Each watch's exit status goes to the log too: "watch-exit N".
bg_start watch sh -c 'while :; do
	latwatch watch --json
	echo "watch-exit $?"
	sleep 0.05
done'

loaded=0 unloaded=0 why=''
t0=$(cut -d' ' -f1 /proc/uptime)
quarters=$t0
i=1
while [ "$i" -le "$CYCLES" ]; do
	if [ "$i" = $((CYCLES / 2 + 1)) ]; then
		bg_start clients sh -c 'while :; do
			latwatch config; latwatch stats; latwatch hist
		done >/dev/null 2>&1'
	fi
	if insmod "$KO" 2>/tmp/insmod.err; then
		loaded=$((loaded + 1))
	else
		why="$why cycle $i: insmod: $(cat /tmp/insmod.err);"
	fi
	# 0 to 0.3 s loaded: unload before, while and after watch subscribes
	sleep "0.$((i % 4))"
	if unload; then
		unloaded=$((unloaded + 1))
	else
		why="$why cycle $i: rmmod: $(cat /tmp/rmmod.err);"
	fi
	[ $((i % 20)) = 0 ] && scan_log
	[ $((i % (CYCLES / 4))) = 0 ] && quarters="$quarters $(cut -d' ' -f1 /proc/uptime)"
	i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
bg_stop clients
bg_stop churn
bg_stop watch
bg_stop storm
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v a="$t0" -v b="$t1" -v n="$CYCLES" 'BEGIN { printf "%.2f", n / (b - a) }')
echo "LWNOTE load cycles: $CYCLES in ${secs}s, $rate cycles/s, rmmod retries $retries"
# shellcheck disable=SC2086 # uptimes
echo "LWNOTE seconds per quarter of the cycles: $(echo $quarters | awk '{ for (i = 2; i <= NF; i++) printf " %.1f", $i - $(i - 1) }')"

check "$CYCLES loads" test "$loaded" = "$CYCLES" || echo "LWNOTE$why"
check "$CYCLES unloads" test "$unloaded" = "$CYCLES"
check "latwatch.ko is gone" sh -c '! grep -q "^latwatch " /proc/modules'
events=$(grep -c '^{' /tmp/bg.watch.log)
echo "LWNOTE events received across the cycles: $events"
grep '^{' /tmp/bg.watch.log |
	jq -r '"cpu\(.cpu) \(.type) \(.stack[0] // "-" | sub("\\+.*"; ""))"' |
	sort | uniq -c | sort -rn | head -n 8 | sed 's/^/LWNOTE events by culprit: /'
check "events flowed during the cycles ($events)" test "$events" -gt 0
grep '^watch-exit ' /tmp/bg.watch.log | sort | uniq -c | sed 's/^/LWNOTE /'
grep -v '^{\|^watch-exit ' /tmp/bg.watch.log | sed 's/^[^:]*: //' | sort |
	uniq -c | sort -rn | head -n 5 | sed 's/^/LWNOTE watch said: /'
# 0: the module went away, 3: it was not there, 1: it went away while
# watch was connecting. 128 and up: killed by a signal (SIGSEGV, SIGABRT).
crashed=$(grep -c '^watch-exit \(1[3-9][0-9]\|12[89]\|2[0-9][0-9]\)$' /tmp/bg.watch.log)
check "watch never crashed ($crashed)" test "$crashed" = 0

# churn_sum KEY: KEY=N summed over the churn runs that finished
churn_sum() {
	grep '^nlfuzz: churn ' /tmp/bg.churn.log | tr ' ' '\n' |
		awk -F= -v k="$1" '$1 == k { n += $2 } END { print n + 0 }'
}
echo "LWNOTE subscriptions: $(churn_sum rounds) sockets, $(churn_sum subscribed) subscribed, $(churn_sum unsubscribed) unsubscribed again, $(churn_sum nofamily) found no module"
check "sockets subscribed while the module came and went ($(churn_sum subscribed))" \
	test "$(churn_sum subscribed)" -gt 0
check "no subscription failed but for a missing module ($(churn_sum failed))" \
	test "$(churn_sum failed)" = 0 ||
	grep -m 3 'failed=[1-9]' /tmp/bg.churn.log | sed 's/^/LWNOTE /'

scan_log
check "one load line per cycle in the kernel log ($loads_logged)" \
	test "$loads_logged" = "$CYCLES"
check "no other latwatch lines in the kernel log" test -z "$others" ||
	echo "LWNOTE kernel log: $(lw_oneline "$others")"
check "no WARNING, BUG or Oops in the kernel log" test -z "$problems" ||
	sed 's/^/LWNOTE kernel log: /' /tmp/kernel-problem.log

# What the loops had started ends once the module is gone.
check "no latwatch process left" wait_for 10 sh -c '! pidof latwatch'
check "no nlfuzz process left" wait_for 10 sh -c '! pidof nlfuzz'
# The churn's sockets, inodes and credentials are freed after RCU grace
# periods, which under TCG can lag it by a few seconds.
settle
sleep 2
settle
m1_unrec=$(meminfo SUnreclaim) m1_pcpu=$(meminfo Percpu)
m1_vmalloc=$(meminfo VmallocUsed) m1_avail=$(meminfo MemAvailable)
m1_slab=$(slab_kb)
echo "LWNOTE memory after: SUnreclaim=${m1_unrec}kB Percpu=${m1_pcpu}kB VmallocUsed=${m1_vmalloc}kB MemAvailable=${m1_avail}kB slabinfo=${m1_slab:-n/a}kB"
if [ -n "$m0_slab" ]; then
	slab_snapshot /tmp/slab.after
	awk 'NR == FNR { b[$1] = $2; next }
		$2 - b[$1] >= 8 { printf "%d %s\n", $2 - b[$1], $1 }' \
		/tmp/slab.before /tmp/slab.after |
		sort -rn | head -n 8 | sed 's/^\([0-9]*\) \(.*\)/LWNOTE slab grew: \2 +\1kB/'
	echo "LWNOTE slabinfo total: ${m0_slab}kB -> ${m1_slab}kB"
fi
# grew WHAT BEFORE AFTER LIMIT: AFTER - BEFORE is at most LIMIT kB
grew() {
	check "$1: ${2}kB -> ${3}kB (at most +${4}kB)" test $(($3 - $2)) -le "$4"
}
grew "unreclaimable slab" "$m0_unrec" "$m1_unrec" 512
grew "per-CPU memory" "$m0_pcpu" "$m1_pcpu" 64
grew "vmalloc" "$m0_vmalloc" "$m1_vmalloc" 512
check "available memory: ${m0_avail}kB -> ${m1_avail}kB (at most -4096kB)" \
	test $((m0_avail - m1_avail)) -le 4096

check "latwatch_inject.ko unloads" rmmod latwatch_inject
