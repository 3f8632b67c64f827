#!/bin/sh
# lwtest-timeout: 120
# Hard interrupts held off on CPU 1 for 20, 50 and 100 ms, threshold 10 ms:
# one irqoff event each, on CPU 1, lwinj_irqoff on top of the stack, the
# duration within tolerance. A 3 ms window and a 50 ms busy loop with
# interrupts on are not reported. Raising the threshold to 30 ms at run time
# hides a 20 ms window and still shows a 50 ms one.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
check "latwatch watch --json subscribes" lw_watch_start

lw_window irqoff 1 20
lw_window irqoff 1 50
lw_window irqoff 1 100
lw_no_window irqoff 1 3
lw_no_window spin 1 50

check "threshold raised to 30 ms at run time" latwatch config irqoff_threshold_us=30ms
lw_no_window irqoff 1 20
lw_window irqoff 1 50

stats=$(latwatch stats --json)
check "stats: CPU 1 sampled" test "$(echo "$stats" | jq '.cpus[1].samples')" -gt 100
check "stats: CPU 1 counted at least the 4 windows" \
	test "$(echo "$stats" | jq '.cpus[1].events')" -ge 4
check "stats: nothing lost" test "$(echo "$stats" | jq '.total.lost')" -eq 0
check "every event is valid JSON with the documented keys" \
	jq -e 'select(.type != "lost") | .seq and .cpu != null and .time and .ts_ns and .duration_ns and .pid != null and .comm and (.stack | type == "array")' "$LW_EVENTS"
check "sequence numbers rise by one" \
	jq -se 'map(select(.seq) | .seq) as $s |
		($s | length) > 0 and all(range(1; $s | length); $s[.] == $s[. - 1] + 1)' \
	"$LW_EVENTS"

bg_stop watch
check "latwatch.ko unloads" lw_unload
