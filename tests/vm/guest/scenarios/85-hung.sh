#!/bin/sh
# lwtest-timeout: 90
# A kernel thread sleeps in D state for 4 s, hung threshold 2 s, scans
# every 200 ms: one hung event for lwinj_hung once it has been blocked
# for 2 s, and one hung_end with the whole time when it is gone. A 1 s
# sleep is not reported. Switching the scan off stops the reports, and
# ends the episodes it has open with a hung_end.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with a 2 s hung threshold" \
	lw_load hung_threshold_ms=2000 hung_scan_interval_ms=200
check "latwatch watch --json subscribes" lw_watch_start

sleeper() {
	echo "hung $1" >"$LW_INJECT"
}

hung_events() {
	jq -c --arg t "$1" 'select(.type == $t and .comm == "lwinj_hung")' "$LW_EVENTS"
}

hung_count() {
	hung_events "$1" | wc -l
}

has_end() {
	[ "$(hung_count hung_end)" -ge "$1" ]
}

has_hung() {
	[ "$(hung_count hung)" -ge "$1" ]
}

check "inject a 4 s D-state sleep" sleeper 4
check "hung_end arrives" wait_for 10 has_end 1
sleep 0.5
check "exactly one hung event" test "$(hung_count hung)" = 1
check "exactly one hung_end event" test "$(hung_count hung_end)" = 1
ev=$(hung_events hung)
end=$(hung_events hung_end)
blocked=$(($(echo "$ev" | jq .duration_ns) / 1000000))
total=$(($(echo "$end" | jq .duration_ns) / 1000000))
echo "LWNOTE hung blocked=${blocked}ms total=${total}ms (slept 4000 ms, scans every 200 ms)"
check "hung reported after 2 s, within one scan" \
	sh -c "[ $blocked -gt 2000 ] && [ $blocked -le 2400 ]"
check "hung_end total about 4 s" sh -c "[ $total -ge 3700 ] && [ $total -le 4500 ]"
check "same thread" test "$(echo "$ev" | jq .pid)" = "$(echo "$end" | jq .pid)"
check "hung event has the cgroup" test "$(echo "$ev" | jq -r .cgroup)" = /
# Another task's stack needs stack_trace_save_tsk(), exported to modules
# from 6.12 on (an exported symbol has a __ksymtab_ entry in kallsyms);
# where it is not, the event goes out without a stack.
if grep -q ' __ksymtab_stack_trace_save_tsk$' /proc/kallsyms; then
	check "hung event has the sleeper's stack" \
		sh -c "echo '$ev' | jq -e '.stack | any(startswith(\"lwinj_hung_fn+\"))'"
else
	check "hung event has no stack: stack_trace_save_tsk is not exported" \
		sh -c "echo '$ev' | jq -e '(.stack // []) | length == 0'"
fi

check "inject a 1 s D-state sleep" sleeper 1
sleep 2.5
check "1 s is not reported" test "$(hung_count hung)" = 1

check "hung scan switched off" latwatch config hung_enabled=0
check "inject a 3 s D-state sleep" sleeper 3
sleep 4
check "no report while off" test "$(hung_count hung)" = 1
check "hung scan switched on" latwatch config hung_enabled=1

# Switching the scan off ends the episodes it has open, with a hung_end.
check "inject a 6 s D-state sleep" sleeper 6
check "it is reported as hung" wait_for 10 has_hung 2
check "hung scan switched off while it is blocked" latwatch config hung_enabled=0
check "its episode ends at once" wait_for 3 has_end 2
end=$(hung_events hung_end | tail -n 1)
total=$(($(echo "$end" | jq .duration_ns) / 1000000))
echo "LWNOTE hung_end at switch-off: ${total}ms of a 6000 ms sleep"
check "the hung_end says how long so far" \
	sh -c "[ $total -ge 2000 ] && [ $total -lt 6000 ]"
check "hung scan switched on" latwatch config hung_enabled=1

bg_stop watch
check "latwatch.ko unloads" lw_unload
