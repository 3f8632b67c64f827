#!/bin/sh
# lwtest-timeout: 180
# idle_pause: the sampling timers must not wake an idle CPU. With this
# scenario pinned to CPU 0, CPU 1 idles; its local timer interrupts (the
# LOC row of /proc/interrupts) are counted for a few seconds with
# idle_pause=0 and with idle_pause=1, in the same run: paused, the rate must
# be under a quarter of the unpaused one (which the sampler alone puts near
# 1000/s). The stats count the pauses and the time spent paused. Switched
# off at run time, the timers start again on the idle CPU at once, without
# waiting for a task to run there. After an idle period windows on CPU 1
# are still reported exactly once with the right duration: the task
# switch out of idle restarts the timers, with the gap measured from then.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

SECS=3

if ! taskset -p 1 $$ >/dev/null 2>&1; then
	skip "idle pause" "cannot pin the scenario to CPU 0"
	exit 0
fi

# loc CPU: local timer interrupts of CPU so far
loc() {
	awk -v c="$1" '$1 == "LOC:" { print $(c + 2) }' /proc/interrupts
}

# loc_rate CPU: local timer interrupts per second of CPU over $SECS s
loc_rate() {
	_a=$(loc "$1")
	sleep "$SECS"
	_b=$(loc "$1")
	echo $(((_b - _a) / SECS))
}

# stat CPU KEY: KEY of CPU in `latwatch stats --json`
stat() {
	latwatch stats --json |
		jq -r --argjson c "$1" ".cpus[] | select(.cpu == \$c) | .$2"
}

# samples_above N: CPU 1 has sampled past N
samples_above() {
	[ "$(stat 1 samples)" -gt "$1" ]
}

check "latwatch.ko loads with defaults" lw_load
check "idle_pause is on by default" \
	test "$(cat /sys/module/latwatch/parameters/idle_pause)" = 1
check "latwatch config shows idle_pause=1" sh -c 'latwatch config | grep -qx idle_pause=1'
check "latwatch watch --json subscribes" lw_watch_start

check "idle_pause=0 at run time" latwatch config idle_pause=0
check "/sys/module shows idle_pause=0" \
	test "$(cat /sys/module/latwatch/parameters/idle_pause)" = 0
sleep 1
s0=$(stat 1 samples)
busy=$(loc_rate 1)
s1=$(stat 1 samples)
p0=$(stat 1 idle_pauses)
echo "LWNOTE idle: CPU 1 idle, idle_pause=0: LOC $busy/s, samples $s0 -> $s1"

check "idle_pause=1 at run time" latwatch config idle_pause=1
sleep 1
n0=$(stat 1 idle_ns)
paused=$(loc_rate 1)
n1=$(stat 1 idle_ns)
p1=$(stat 1 idle_pauses)
echo "LWNOTE idle: CPU 1 idle, idle_pause=1: LOC $paused/s, idle_pauses $p0 -> $p1, idle_ns $n0 -> $n1"

check "idle_pause=0: the sampler ran on idle CPU 1 (samples grew by $((s1 - s0)))" \
	test "$((s1 - s0))" -gt "$((SECS * 100))"
check "idle_pause=1: CPU 1's timer interrupts $paused/s, under a quarter of $busy/s" \
	test "$((paused * 4))" -lt "$busy"
check "idle_pause=1: CPU 1 paused (idle_pauses $p0 -> $p1)" test "$p1" -gt "$p0"
# Paused from its first sample in each idle period on: most of the time.
check "idle_pause=1: idle_ns grew by at least a third of ${SECS} s ($n0 -> $n1)" \
	test "$((n1 - n0))" -ge "$((SECS * 1000000000 / 3))"
check "idle_ns of a paused CPU grows while it is paused" \
	test "$(stat 1 idle_ns)" -gt "$n1"

# Switched off, an idle CPU samples again at once: samples move within 1 s.
s0=$(stat 1 samples)
check "idle_pause=0 again" latwatch config idle_pause=0
check "idle CPU 1 samples again, without a task switch" \
	wait_for 1 samples_above "$((s0 + 100))"
check "idle_pause=1 again" latwatch config idle_pause=1

# Windows that begin as CPU 1 leaves a pause are caught in full.
sleep 1
p0=$(stat 1 idle_pauses)
lw_window irqoff 1 30
sleep 1
lw_window softirqoff 1 30
sleep 1
lw_window irqoff 1 50
p1=$(stat 1 idle_pauses)
check "CPU 1 paused between the windows (idle_pauses $p0 -> $p1)" \
	test "$p1" -gt "$p0"
check_fails "idle_pause=2 refused" latwatch config idle_pause=2

bg_stop watch
check "latwatch.ko unloads" lw_unload
check "latwatch.ko loads with idle_pause=0" lw_load idle_pause=0
s0=$(stat 1 samples)
sleep 1
check "idle_pause=0 at load: idle CPU 1 sampled (samples $s0 -> $(stat 1 samples))" \
	test "$(stat 1 idle_pauses)/$(($(stat 1 samples) - s0 > 100))" = 0/1
check "latwatch.ko unloads" lw_unload
