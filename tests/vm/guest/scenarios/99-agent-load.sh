#!/bin/sh
# lwtest-timeout: 180
# latwatch agent's own cost: RSS and CPU time while idle and during an
# event storm (every softirq and timer callback over 1 us reported), with
# the kernel's count of events compared with what the agent printed. The
# module's default limit (max_events_per_sec=1000) holds each CPU to 1000
# events a second; the rest of the storm is counted as ratelimited and lost.
# The figures go to LWNOTE lines; the checks are that the agent keeps up
# (it printed exactly the events the module delivered, and every event
# with a sequence number is printed or reported lost), that the limit held,
# and that the agent stays under 8 MiB RSS.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() {
	cut -d')' -f2 "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

check "latwatch.ko loads with defaults" lw_load
check "the default limit is 1000 events/s per CPU" \
	test "$(cat /sys/module/latwatch/parameters/max_events_per_sec)" = 1000
check "latwatch agent starts" lw_agent_start --metrics 127.0.0.1:9106
pid=$(bg_pid agent)
tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

c0=$(cpu_ticks "$pid")
sleep 10
c1=$(cpu_ticks "$pid")
idle_rss=$(rss_kb "$pid")
echo "LWNOTE agent idle: cpu $(((c1 - c0) * 1000 / tck)) ms in 10 s, rss ${idle_rss} kB"
check "idle RSS under 8 MiB (${idle_rss} kB)" test "$idle_rss" -lt 8192

lines0=$(lw_lines)
latwatch stats --json >/tmp/stats0.json
check "storm settings" latwatch config softirq_threshold_us=1 timer_threshold_us=1
c0=$(cpu_ticks "$pid")
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 10
check "storm over" latwatch config softirq_threshold_us=10000 timer_threshold_us=10000
t1=$(cut -d' ' -f1 /proc/uptime)
sleep 2
c1=$(cpu_ticks "$pid")
lines1=$(lw_lines)
# The kernel's side: with every detector off (under TCG a loaded host makes
# windows at any threshold) and nothing queued, every event it recorded was
# delivered (to the agent, the only listener), lost or unheard.
check "every detector off" latwatch config irqoff_enabled=0 softirqoff_enabled=0 \
	softirq_enabled=0 timer_enabled=0 hardirq_enabled=0 hung_enabled=0
settled() {
	latwatch stats --json >/tmp/stats.json &&
		jq -e '.total | .events == .delivered + .lost + .unheard' /tmp/stats.json
}
check "the module's counters settle: events == delivered + lost + unheard" \
	wait_for 10 settled
echo "LWNOTE agent storm kernel: $(jq -c .total /tmp/stats.json)"
# Per CPU, from before the storm until now: at most a burst of 1000 and
# 1000 a second, plus what was queued (a ring of 16 and one in flight).
span=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%d", b - a + 1 }')
over=$(jq -r --slurpfile a /tmp/stats0.json --argjson cap $((1000 + 1000 * span + 17)) '
	.cpus[] as $b | ($a[0].cpus[] | select(.cpu == $b.cpu)) as $a
	| select($b.delivered - $a.delivered > $cap)
	| "cpu\($b.cpu): \($b.delivered - $a.delivered) delivered"' /tmp/stats.json)
check "the default limit held (at most $((1000 + 1000 * span + 17)) a CPU in ${span} s)${over:+: $over}" \
	test -z "$over"
echo "LWNOTE agent storm per CPU: $(jq -r --slurpfile a /tmp/stats0.json '
	[.cpus[] as $b | ($a[0].cpus[] | select(.cpu == $b.cpu)) as $a
	 | "cpu\($b.cpu) events=\($b.events - $a.events) delivered=\($b.delivered - $a.delivered) ratelimited=\($b.ratelimited - $a.ratelimited)"]
	| join("; ")' /tmp/stats.json) in ${span} s"

n=$((lines1 - lines0))
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s }')
hwm=$(hwm_kb "$pid")
echo "LWNOTE agent storm: $n events in ${secs} s ($rate/s), cpu $(((c1 - c0) * 1000 / tck)) ms, rss $(rss_kb "$pid") kB, peak rss ${hwm} kB"
check "the storm produced events ($n)" test "$n" -gt 100
check "peak RSS under 8 MiB (${hwm} kB)" test "$hwm" -lt 8192

# Every event the module sent reached the agent's output, or a lost record
# says how many did not.
lost=$(jq -s '[.[] | select(.type == "lost") | .count // 0] | add // 0' "$LW_EVENTS")
printed=$(jq -s '[.[] | select(.type != "lost")] | length' "$LW_EVENTS")
seqmax=$(jq -s '[.[] | .seq // 0] | max' "$LW_EVENTS")
seqmin=$(jq -s '[.[] | select(.seq) | .seq] | min // 1' "$LW_EVENTS")
nseq=$((seqmax - seqmin + 1))
echo "LWNOTE agent storm accounting: printed=$printed lost=$lost seq $seqmin..$seqmax"
check "printed + lost accounts for every sequence number from the first ($printed + $lost >= $nseq)" \
	test $((printed + lost)) -ge "$nseq"

delivered=$(jq .total.delivered /tmp/stats.json)
printed_is() {
	[ "$(jq -s '[.[] | select(.type != "lost")] | length' "$LW_EVENTS")" = "$1" ]
}
if [ "$printed" != "$delivered" ]; then
	wait_secs 20 printed_is "$delivered"
	printed=$(jq -s '[.[] | select(.type != "lost")] | length' "$LW_EVENTS")
fi
check "the agent printed every delivered event ($printed printed, $delivered delivered)" \
	test "$printed" = "$delivered"

echo "LWNOTE signatures: $(jq -r .signature "$LW_EVENTS" | sort | uniq -c | sort -rn | head -n 5 | tr "\n" ";")"
check "latwatch agent exits on SIGTERM" lw_agent_stop
check "latwatch.ko unloads" lw_unload
