#!/bin/sh
# lwtest-timeout: 90
# rmmod while `latwatch watch` runs and events are flowing: the module goes
# away cleanly, watch notices and exits 0, the module loads again.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with a 2 ms threshold" \
	lw_load irqoff_threshold_us=2000 softirqoff_threshold_us=2000 sample_period_us=500
# This watch records its own exit status.
(
	latwatch watch --json >"$LW_EVENTS" 2>/tmp/watch.err </dev/null
	echo $? >/tmp/watch.rc
) &
watcher=$!
sleep 0.5

(
	while :; do
		echo "irqoff 1 4" >"$LW_INJECT" 2>/dev/null || exit 0
		echo "softirqoff 0 4" >"$LW_INJECT" 2>/dev/null || exit 0
	done
) &
storm=$!
check "events flow" wait_for 5 sh -c "[ \$(wc -l < $LW_EVENTS) -ge 10 ]"

check "rmmod latwatch while events flow" rmmod latwatch
lw_dead() {
	! lw_alive "$1"
}
check "watch exits by itself" wait_for 5 lw_dead "$watcher"
wait "$watcher"
check "watch exit status 0" sh -c 'test "$(cat /tmp/watch.rc)" = 0 || { cat /tmp/watch.rc /tmp/watch.err; exit 1; }'
check "watch says the module went away" grep -q "module unloaded" /tmp/watch.err
kill "$storm" 2>/dev/null
wait "$storm" 2>/dev/null

check "latwatch.ko loads again" lw_load
check "and answers" latwatch stats
check "latwatch.ko unloads again" lw_unload
