#!/bin/sh
# lwtest-timeout: 120
# Slow timer callbacks, default threshold 10 ms: a 30 ms timer_list
# callback on CPU 1 is reported once as a timer event naming lwinj_timer_fn,
# kind "timer", and a 20 ms hard hrtimer callback as lwinj_hrtimer_fn, kind
# "hrtimer"; each lasts at least what the callback measured and at most 2 ms
# more. 3 ms callbacks are not reported.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
check "timer_threshold_us defaults to 10 ms" \
	sh -c 'latwatch config | grep -qx timer_threshold_us=10000'
check "latwatch watch --json subscribes" lw_watch_start
# The serial console's handler takes ~5 ms under TCG: keep it off CPU 1.
console=$(lw_console_irq_to 0)
echo "LWNOTE console irq (previous CPUs): $console"

fn() {
	echo ".type == \"timer\" and .function == \"lwinj_$1_fn\""
}

# callback VERB CPU MS KIND
callback() {
	w="$1 $3 ms on CPU $2"
	lw_inject "$1" "$2" "$3" || return
	lw_expect_one "$w: exactly one timer event naming lwinj_$1_fn" \
		"$(fn "$1")" || return
	lw_ev_is "$w: kind $4" kind "$4"
	lw_ev_is "$w: on CPU $2" cpu "$2"
	lw_ev_cgroup "$w: cgroup given"
	lw_ev_duration "$w: duration" 0 "$LW_STALL_US"
}

callback timer 1 30 timer
callback hrtimer 1 20 hrtimer
callback timer 1 100 timer
callback hrtimer 0 40 hrtimer

lw_inject timer 1 3
lw_expect_none "timer 3 ms on CPU 1: no timer event naming lwinj_timer_fn" \
	"$(fn timer)"
lw_inject hrtimer 1 3
lw_expect_none "hrtimer 3 ms on CPU 1: no timer event naming lwinj_hrtimer_fn" \
	"$(fn hrtimer)"

check "every timer event has function and kind" \
	jq -se 'map(select(.type == "timer")) | length > 0 and all(.[];
			(.function | type == "string" and length > 0) and
			(.kind == "timer" or .kind == "hrtimer") and
			(.cgroup | type == "string"))' \
		"$LW_EVENTS"

lw_console_irq_restore "$console"
bg_stop watch
check "latwatch.ko unloads" lw_unload
