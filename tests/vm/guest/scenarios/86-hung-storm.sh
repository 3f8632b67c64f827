#!/bin/sh
# lwtest-timeout: 240
# Storms of hung tasks lose nothing: 60 and then 1000 kernel threads sleep
# in D state together (a dead NFS server), hung threshold 1 s, scans every
# 200 ms, at the default max_events_per_sec, with latwatch watch --json
# listening. Every thread gets exactly one hung and one hung_end event,
# nothing is lost (no lost record, the module's lost count stays 0), and
# the module's counts add up: events == delivered + lost + unheard.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with a 1 s hung threshold, 200 ms scans" \
	lw_load hung_threshold_ms=1000 hung_scan_interval_ms=200
check "latwatch watch --json subscribes" lw_watch_start

# count TYPE: events of TYPE for the injector's threads
count() {
	jq -c --arg t "$1" 'select(.type == $t and .comm == "lwinj_hung") | .pid' \
		"$LW_EVENTS" | wc -l
}

pids() {
	jq -r --arg t "$1" 'select(.type == $t and .comm == "lwinj_hung") | .pid' \
		"$LW_EVENTS" | sort -u | wc -l
}

ends_reach() {
	[ "$(count hung_end)" -ge "$1" ]
}

lost_total() {
	latwatch stats --json | jq '.total.lost'
}

# storm N SECS: N threads blocked for SECS s together.
storm() {
	_n=$1
	_secs=$2
	_before_hung=$(count hung)
	_before_end=$(count hung_end)
	check "$_n threads in D state for $_secs s" \
		sh -c "echo 'hungs $_n $_secs' >$LW_INJECT"
	# Each sleeps $_secs s from when the last one was created.
	echo "LWNOTE $(dmesg | grep 'latwatch_inject: hungs count=' | tail -n 1)"
	check "$_n hung_end events arrive" \
		wait_for $((_secs + 60)) ends_reach $((_before_end + _n)) ||
		echo "LWNOTE storm of $_n: $(($(count hung) - _before_hung)) hung and $(($(count hung_end) - _before_end)) hung_end so far; stats: $(latwatch stats --json | jq -c .total)"
	sleep 1
	_hung=$(($(count hung) - _before_hung))
	_end=$(($(count hung_end) - _before_end))
	echo "LWNOTE storm of $_n: hung=$_hung hung_end=$_end"
	# The scans that found them (an event carries its scan's time).
	echo "LWNOTE storm of $_n: hung events from $(jq -s --argjson k "$_before_hung" '
		[.[] | select(.type == "hung" and .comm == "lwinj_hung")] | .[$k:] |
		"\(map(.ts_ns) | unique | length) scans over \(((map(.ts_ns) | max) - (map(.ts_ns) | min)) / 1000000 | floor) ms"' \
		"$LW_EVENTS")"
	check "storm of $_n: exactly $_n hung events" test "$_hung" = "$_n"
	check "storm of $_n: exactly $_n hung_end events" test "$_end" = "$_n"
	check "storm of $_n: no lost record" \
		test "$(jq -c 'select(.type == "lost")' "$LW_EVENTS" | wc -l)" = 0
	check "storm of $_n: the module lost nothing" test "$(lost_total)" = 0
}

storm 60 3
check "60 distinct threads" test "$(pids hung_end)" -ge 60
storm 1000 4
check "1060 distinct threads" test "$(pids hung_end)" -ge 1000

latwatch stats --json >/tmp/storm.stats
check "events == delivered + lost + unheard" \
	jq -e '.total | .events == .delivered + .lost + .unheard' /tmp/storm.stats
check "sequence numbers rise by one" \
	sh -c "jq -s '[.[] | .seq] | . == [range(.[0]; .[0] + length)]' $LW_EVENTS | grep -qx true"
bg_stop watch
# It says why it stopped, and nothing else.
check "watch said nothing on stderr but that SIGTERM stopped it" \
	sh -c '! grep -v "^latwatch: watch: stopped by SIGTERM from pid [0-9]*$" /tmp/watch.err'
check "latwatch.ko unloads" lw_unload
