#!/bin/sh
# lwtest-timeout: 120
# One slow softirq run, default threshold 10 ms: a 30 ms tasklet on CPU 1
# is reported once as a TASKLET softirq on CPU 1, lasting at least what the
# tasklet measured and at most 3 ms more (the softirq run holds the tasklet
# and a little around it: the console's interrupt is kept off CPU 1), with the cgroup of the task it interrupted. A
# 3 ms tasklet is not reported. A 30 ms timer_list callback makes the TIMER
# softirq run that long: reported too, as TIMER. (Other TIMER runs may be
# reported now and then under single-threaded TCG: see lw_timer_softirq.)
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
check "softirq_threshold_us defaults to 10 ms" \
	sh -c 'latwatch config | grep -qx softirq_threshold_us=10000'
check "latwatch watch --json subscribes" lw_watch_start
# The serial console's handler takes ~5 ms under TCG: keep it off CPU 1.
console=$(lw_console_irq_to 0)
echo "LWNOTE console irq (previous CPUs): $console"

TASKLET='.type == "softirq" and .vector == "TASKLET"'

# tasklet CPU MS: one TASKLET softirq event for it, checked in full.
tasklet() {
	w="tasklet $2 ms on CPU $1"
	lw_inject tasklet "$1" "$2" || return
	lw_expect_one "$w: exactly one TASKLET softirq event" "$TASKLET" || return
	lw_ev_is "$w: on CPU $1" cpu "$1"
	lw_ev_is "$w: vector_nr 6 (TASKLET_SOFTIRQ)" vector_nr 6
	lw_ev_cgroup "$w: cgroup given"
	lw_ev_duration "$w: duration" 0 "$LW_STALL_US"
}

tasklet 1 30
tasklet 1 50

lw_inject tasklet 1 3
lw_expect_none "tasklet 3 ms on CPU 1: no TASKLET softirq event" "$TASKLET"

w="timer 30 ms on CPU 1"
if lw_inject timer 1 30 &&
	lw_expect_one "$w: exactly one TIMER softirq event holding it" \
		"$(lw_timer_softirq 1)"; then
	lw_ev_is "$w: on CPU 1" cpu 1
	lw_ev_is "$w: vector_nr 1 (TIMER_SOFTIRQ)" vector_nr 1
	lw_ev_cgroup "$w: cgroup given"
	lw_ev_duration "$w: TIMER softirq ran at least as long as the callback" 0 "$LW_STALL_US"
fi
check "$w: no TASKLET event for it" test "$(lw_count "$LW_FROM" "$TASKLET")" = 0

check "every softirq event has vector, vector_nr and cgroup" \
	jq -se 'map(select(.type == "softirq")) | length > 0 and all(.[];
			(.vector | type == "string") and (.vector_nr | type == "number") and
			(.cgroup | type == "string"))' \
		"$LW_EVENTS"

lw_console_irq_restore "$console"
bg_stop watch
check "latwatch.ko unloads" lw_unload
